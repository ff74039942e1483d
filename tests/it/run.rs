//! The run contract against real parts: a run stopped through its token after a page of orders
//! (MariaDB and SQLite), `obmen run` stopped by SIGTERM as a process, and a database that takes
//! the connection but never answers.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use obmen::kinds::{Events, FailureKind, Job, Phase, RunEvent};
use obmen::shopiko::sim::SimConfig;
use obmen::state::Outcome;
use obmen::warehouse::{Dialect, Warehouse};
use tokio_util::sync::CancellationToken;

use crate::exchange::{KindReport, Setup};
use crate::shopiko::{API_ID, KEY};

on_both!(sqlite_runs, mysql_runs; a_run_stopped_after_two_pages_leaves_nothing_partial_and_the_next_run_imports_the_rest);

fn ints(wh: &Warehouse, sql: &str) -> Vec<i32> {
    wh.query(&wh.dialect().sql(sql), (), |r| r.i32(1)).unwrap()
}

/// Every logged import has its document, lines and payments, and nothing else has any.
fn nothing_partial(wh: &Warehouse, imported: usize) {
    let logged: std::collections::HashSet<i32> = ints(wh, "SELECT {Acct} FROM {obmen_imports}").into_iter().collect();
    assert_eq!(logged.len(), imported, "each order its own document");
    let docs: std::collections::HashSet<i32> = ints(wh, "SELECT DISTINCT {Acct} FROM {operations} WHERE {OperType} = 2 AND {Acct} > 0").into_iter().collect();
    assert_eq!(docs, logged, "no line without its logged document, no logged document without lines");
    let paid: std::collections::HashSet<i32> = ints(wh, "SELECT DISTINCT {Acct} FROM {payments} WHERE {OperType} = 2").into_iter().collect();
    assert_eq!(paid, logged, "no payment without its document");
    assert_eq!(ints(wh, "SELECT COUNT(*) FROM {nextacct}")[0] as usize, imported, "no number reserved without its document");
}

fn a_run_stopped_after_two_pages_leaves_nothing_partial_and_the_next_run_imports_the_rest(d: Dialect) {
    let shop = SimConfig { seed_orders: 700, seed_products: 40, ..SimConfig::new(API_ID, KEY) };
    let s = Setup::new(d, 50, shop, &[("allow_negative_stock", "true")]);
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let pages = Arc::new(AtomicU64::new(0));
    let seen = pages.clone();
    let events = Events::call(move |e| {
        if let RunEvent::Progress { phase: Phase::Import, .. } = e {
            if seen.fetch_add(1, Ordering::SeqCst) + 1 == 2 {
                stop.cancel();
            }
        }
    });
    let first = s.run_with(Job { import: true, export: false, dry_run: false, full: false }, cancel, events);
    assert_eq!(first.outcome, Outcome::Stopped, "{first:#?}");
    assert!(first.errors.is_empty(), "a stop is no error: {:?}", first.errors);
    assert_eq!(first.counts.imported, 400, "two pages of 200, then the stop");
    assert_eq!(pages.load(Ordering::SeqCst), 2, "no page was read after the stop");
    let wh = s.db.open();
    assert_eq!(wh.imported_count(API_ID).unwrap(), 400);
    nothing_partial(&wh, 400);
    assert_eq!(s.sim.sim.stats().orders_acknowledged, 400, "the pages done were acknowledged");
    let runs = s.rt.block_on(s.state().runs("Shop", 5)).unwrap();
    assert_eq!(runs[0].outcome, Outcome::Stopped, "the history says so");

    let second = s.run(false);
    assert_eq!(second.outcome, Outcome::Ok, "{second:#?}");
    let r = second.report().import.unwrap();
    assert_eq!((r.imported.len(), r.already_imported), (300, 0), "the cursor was saved after each page: nothing is read twice");
    assert_eq!(wh.imported_count(API_ID).unwrap(), 700);
    nothing_partial(&wh, 700);
    assert_eq!(s.sim.sim.stats().orders_acknowledged, 700);
}

#[test]
fn sigterm_stops_obmen_run_at_the_next_page_and_the_next_run_completes() {
    let shop = SimConfig { seed_orders: 3000, seed_products: 40, ..SimConfig::new(API_ID, KEY) };
    let s = Setup::new(Dialect::Sqlite, 50, shop, &[("allow_negative_stock", "true")]);
    let wh = s.db.open();
    let obmen = || {
        Command::new(env!("CARGO_BIN_EXE_obmen"))
            .args(["run", "Shop", "--import"])
            .env("OBMEN_HOME", s.home.path())
            .env("OBMEN_LANG", "en")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut child = obmen();
    // Wait until orders move (the import log holds some), then SIGTERM.
    let waited = Instant::now();
    while wh.imported_count(API_ID).unwrap_or(0) == 0 {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it could be stopped");
        assert!(waited.elapsed() < Duration::from_secs(120), "no order was imported in two minutes");
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if signalled.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("obmen run did not exit within 10 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("stopping server 'Shop' after the page in hand"), "{stderr}");
    assert!(stdout.contains(": stopped."), "{stdout}");
    let done = wh.imported_count(API_ID).unwrap();
    assert!(done > 0 && done < 3000 && done % 200 == 0, "whole pages only: {done}");
    nothing_partial(&wh, done as usize);

    let out = obmen().wait_with_output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(wh.imported_count(API_ID).unwrap(), 3000);
    nothing_partial(&wh, 3000);
}

#[test]
fn a_database_that_takes_the_connection_but_never_answers_times_out_with_a_clear_error() {
    // A server that accepts connections and says nothing, ever.
    let port = crate::support::silent_database();
    let shop = SimConfig::new(API_ID, KEY);
    let s = Setup::new(Dialect::Sqlite, 5, shop, &[]);
    let text = format!(
        "name = \"Shop\"\nkind = \"WarehousePro Import Export Shopiko\"\n\n[database]\ndialect = \"mysql\"\n\
         connection = \"Driver={{MariaDB Unicode}};Server=127.0.0.1;Port={port};Database=wh;Uid=wh;Pwd=never-shown-pw;\"\n\
         login_timeout_secs = 2\nquery_timeout_secs = 6\n\n[rules]\nobject = \"Централен Склад\"\n\n\
         [shopiko]\nurl = \"{}\"\napi_id = \"{API_ID}\"\nkey = \"{KEY}\"\n",
        s.sim.url
    );
    std::fs::write(s.home.path().join("servers/Shop.toml"), text).unwrap();
    let summary = s.run(false);
    assert_eq!(summary.outcome, Outcome::Failed, "{summary:#?}");
    let e = summary.error().unwrap();
    assert_eq!(e.kind, FailureKind::Database);
    assert!(e.transient, "a database that does not answer may answer later: {e:?}");
    assert!(e.message.contains("127.0.0.1") && e.message.contains(&port.to_string()), "the error names the database server: {}", e.message);
    assert!(!e.message.contains("never-shown-pw"), "{}", e.message);
    let runs = s.rt.block_on(s.state().runs("Shop", 1)).unwrap();
    assert_eq!(runs[0].outcome, Outcome::Failed, "the history has the failed run");
    assert!(runs[0].summary["errors"][0]["message"].as_str().unwrap().contains("127.0.0.1"), "with its reason: {}", runs[0].summary);
}

#[test]
fn a_disk_that_fills_mid_run_gives_a_clear_error_no_panic_and_nothing_partial() {
    let shop = SimConfig { seed_orders: 600, seed_products: 40, ..SimConfig::new(API_ID, KEY) };
    let s = Setup::new(Dialect::Sqlite, 50, shop, &[("allow_negative_stock", "true")]);
    let wh = s.db.open();
    // Make obmen's state and the import log now, so that the limit below bites the warehouse file.
    assert_eq!(s.run_job(Job { import: false, export: true, dry_run: true, full: false }).outcome, Outcome::Ok);
    wh.ensure_import_log().unwrap();
    let db_file = s.db.connection.split("Database=").nth(1).unwrap().trim_end_matches(';').to_owned();
    let size = std::fs::metadata(&db_file).unwrap().len();
    let state_size = std::fs::metadata(s.home.path().join("state.db")).unwrap().len();
    // No file the run writes may grow past the warehouse file's size and a little: the first
    // page of 200 orders does not fit. SIGXFSZ is ignored, so a write past it fails with EFBIG.
    let limit_kib = (size.max(state_size) + 24 * 1024) / 1024;
    let out = Command::new("bash")
        .args(["-c", &format!("trap '' XFSZ; ulimit -f {limit_kib}; exec \"$0\" run Shop --import"), env!("CARGO_BIN_EXE_obmen")])
        .env("OBMEN_HOME", s.home.path())
        .env("OBMEN_LANG", "en")
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!stderr.contains("panicked") && out.status.code() != Some(101), "no panic: {stderr}");
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    let said = format!("{stdout}{stderr}").to_lowercase();
    assert!(said.contains("full") || said.contains("disk i/o") || said.contains("file too large"), "the cause is named: {stdout}{stderr}");
    assert!(!stderr.contains("\x1b["), "no colour codes outside a terminal");
    assert!(
        !stdout.contains(" made,") || stdout.contains(" 0 made, 0 not matched; 10 partners linked, 0 made"),
        "nothing is reported made that a failed transaction did not make: {stdout}"
    );
    let done = wh.imported_count(API_ID).unwrap();
    assert_eq!(done % 200, 0, "whole pages only: {done}");
    nothing_partial(&wh, done as usize);

    let next = s.run(false);
    assert_eq!(next.outcome, Outcome::Ok, "{next:#?}");
    assert_eq!(wh.imported_count(API_ID).unwrap(), 600);
    nothing_partial(&wh, 600);
}

/// True where the tests run as root, who may write anything: there `obmen` runs as `nobody`,
/// so that permissions mean what they mean to a user.
fn as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(1) == 0
}

/// Gives `path` and all under it to the user `obmen` runs as (`nobody` where the tests are root).
fn give(path: &std::path::Path) {
    if !as_root() {
        return;
    }
    std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).unwrap();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            give(&entry.unwrap().path());
        }
    }
}

/// Runs `obmen` on `home` as the user it was given to (see [`give`]).
fn obmen_as_owner(home: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_obmen"));
    cmd.args(args).env("OBMEN_HOME", home).env("OBMEN_LANG", "en").env("HOME", home).env("NO_COLOR", "1");
    if as_root() {
        cmd.uid(NOBODY).gid(NOBODY);
    }
    let o = cmd.output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

const NOBODY: u32 = 65534;

fn chmod(path: &std::path::Path, mode: u32) {
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
}

/// A state database that cannot be written (read-only, or another user's), and a home where no
/// state database can be made: each run fails saying which path and what to run, books nothing,
/// and once that is run the next run goes on.
#[test]
fn a_state_file_that_cannot_be_written_is_named_with_what_to_run_and_a_fix_is_picked_up() {
    let shop = SimConfig { seed_orders: 2, seed_products: 10, ..SimConfig::new(API_ID, KEY) };
    let s = Setup::new(Dialect::Mysql, 20, shop, &[("allow_negative_stock", "true")]);
    let home = s.home.path();
    give(home);
    let wh = s.db.open();
    let (code, out, err) = obmen_as_owner(home, &["run", "Shop", "--import"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(wh.imported_count(API_ID).unwrap(), 2);
    let state = home.join("state.db");
    // Read-only, then (where the tests can make it so) another user's, as after `sudo obmen run`.
    let cases: &[(&str, &str)] = if as_root() { &[("read-only", "chmod u+rw "), ("root's", "sudo chown $(id -un) ")] } else { &[("read-only", "chmod u+rw ")] };
    for (n, (what, fix)) in cases.iter().enumerate() {
        s.shop().place(&crate::exchange::order(&format!("95000{n}"), &obmen::warehouse::demo::good(1).code, "1", "2.00"));
        if *what == "read-only" {
            chmod(&state, 0o400);
        } else {
            std::os::unix::fs::chown(&state, Some(0), Some(0)).unwrap();
        }
        let (code, out, err) = obmen_as_owner(home, &["run", "Shop", "--import"]);
        assert_ne!(code, 0, "{out}{err}");
        assert!(err.contains(&format!("{} ", state.display())) && err.contains("cannot be written (permission denied)"), "{what}: {err}");
        assert!(err.contains("picks the change up on its next run"), "{what}: {err}");
        assert_eq!(wh.imported_count(API_ID).unwrap(), 2 + n as i64, "{what}: nothing booked while the state cannot be written");
        // Do what it says, to the files it names (state.db among them; SQLite gives a -shm file
        // it makes the database's mode).
        let command = err.split(&format!("run `{fix}")).nth(1).or_else(|| err.split(&format!("Run `{fix}")).nth(1));
        let command = command.and_then(|rest| rest.split('`').next()).unwrap_or_else(|| panic!("{what}: no `{fix}` in {err}"));
        let named: Vec<&str> = command.split('\'').filter(|p| !p.trim().is_empty()).collect();
        assert!(named.contains(&state.to_str().unwrap()), "{what}: {command}");
        for path in named {
            let path = std::path::Path::new(path);
            let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(path).unwrap().permissions());
            chmod(path, mode | 0o600);
            give(path);
        }
        let (code, out, err) = obmen_as_owner(home, &["run", "Shop", "--import"]);
        assert_eq!(code, 0, "{what}, fixed: {out}{err}");
        assert_eq!(wh.imported_count(API_ID).unwrap(), 3 + n as i64, "{what}, fixed: the order is in");
    }
    // A home that cannot be written, with no state database yet.
    let fresh = tempfile::tempdir().unwrap();
    std::fs::create_dir(fresh.path().join("servers")).unwrap();
    std::fs::copy(home.join("servers/Shop.toml"), fresh.path().join("servers/Shop.toml")).unwrap();
    chmod(&fresh.path().join("servers/Shop.toml"), 0o600);
    give(fresh.path());
    chmod(fresh.path(), 0o500);
    let (code, out, err) = obmen_as_owner(fresh.path(), &["run", "Shop", "--import"]);
    assert_ne!(code, 0, "{out}{err}");
    let said = format!("The folder {} cannot be written (permission denied)", fresh.path().display());
    assert!(err.contains(&said) && err.contains(&format!("chmod u+rwx '{}'", fresh.path().display())), "{err}");
    chmod(fresh.path(), 0o700);
    let (code, out, err) = obmen_as_owner(fresh.path(), &["run", "Shop", "--import"]);
    assert_eq!(code, 0, "fixed: {out}{err}");
}
