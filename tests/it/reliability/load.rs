//! Case 5: many servers on one daemon, each importing and exporting against its own shop and
//! database, for a bounded time, while the shops take new orders and runs are asked for on top
//! of the rules: no server's runs overlap, the daemon's memory stays flat, every order once.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::Method;
use obmen::control::client::segment;
use obmen::control::ClientError;
use obmen::shopiko::sim::SimConfig;
use obmen::warehouse::Dialect;
use serde_json::Value;

use super::books::{self, Before};
use super::{pick, search_secrets, seed, Row};
use crate::daemon::{daemon_settings, rt, Daemon};
use crate::exchange::Setup;
use crate::shopiko::{API_ID, KEY};

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

#[test]
fn case_5_many_servers_on_one_daemon_never_overlap_a_run_keep_memory_flat_and_book_each_order_once() {
    let seed = seed(5);
    let (mut row, started) = Row::new("5. load: many servers on one daemon, each with its own shop and database", seed);
    let (servers, secs) = (pick(8, 50), pick(40, 180));
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("servers")).unwrap();
    daemon_settings(home.path(), "[daemon]\nretry_first_secs = 1\nretry_max_secs = 5\n");
    let mut setups = Vec::new();
    for i in 0..servers {
        let shop = SimConfig { seed_orders: 20, seed_products: 30, record_requests: true, seed: seed + i as u64, ..SimConfig::new(API_ID, KEY) };
        let setup = Setup::new(
            Dialect::Mysql,
            30,
            shop,
            &[
                ("import", "\"periodic\""),
                ("import_every_min", "1"),
                ("export", "\"periodic\""),
                ("export_every_min", "1"),
                ("export_goods", "true"),
                ("allow_negative_stock", "true"),
            ],
        );
        let text = std::fs::read_to_string(setup.home.path().join("servers/Shop.toml")).unwrap();
        let name = format!("S{i:02}");
        std::fs::write(
            home.path().join(format!("servers/{name}.toml")),
            format!("autostart = true\n{}", text.replacen("name = \"Shop\"", &format!("name = \"{name}\""), 1)),
        )
        .unwrap();
        let before = Before::take(&setup.db.open());
        setups.push((name, setup, before));
    }
    let d = Daemon::start(home.path());
    let pid = d.child.id();
    let stop = Arc::new(AtomicBool::new(false));
    // The shops take new orders all along.
    let sims: Vec<_> = setups.iter().map(|(_, s, _)| s.sim.sim.clone()).collect();
    let placed = Arc::new(AtomicU64::new(0));
    let placer = {
        let (stop, placed) = (stop.clone(), placed.clone());
        let mut rng = fastrand::Rng::with_seed(seed);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                sims[rng.usize(0..sims.len())].add_orders(1);
                placed.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    // Runs asked for on top of the rules, some while one is going: refused as busy, never run
    // alongside.
    let names: Vec<String> = setups.iter().map(|(n, _, _)| n.clone()).collect();
    let (asked, busy) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let asker = {
        let (stop, asked, busy, names, sock) = (stop.clone(), asked.clone(), busy.clone(), names.clone(), home.path().join("obmen.sock"));
        let mut rng = fastrand::Rng::with_seed(seed + 1);
        std::thread::spawn(move || {
            let client = obmen::control::Client::new(&sock);
            let rt = rt();
            while !stop.load(Ordering::Relaxed) {
                let name = &names[rng.usize(0..names.len())];
                asked.fetch_add(1, Ordering::Relaxed);
                let r = rt.block_on(client.stream(Method::POST, &format!("/v1/servers/{}/run", segment(name)), None, |_| false));
                if matches!(r, Err(ClientError::Api { status: 409, .. })) {
                    busy.fetch_add(1, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        })
    };
    let mut samples = Vec::new();
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        samples.push(rss_kb(pid));
        std::thread::sleep(Duration::from_millis(500));
    }
    stop.store(true, Ordering::Relaxed);
    placer.join().unwrap();
    asker.join().unwrap();
    // A last run of each, asked for when it is not in one, books what came last.
    for name in &names {
        let mut ran = false;
        d.wait_for(Duration::from_secs(120), &format!("a last run of {name}"), |d| {
            if !ran {
                match rt().block_on(d.client().stream(Method::POST, &format!("/v1/servers/{}/run", segment(name)), None, |_| true)) {
                    Ok(()) => ran = true,
                    Err(ClientError::Api { status: 409, .. }) => std::thread::sleep(Duration::from_millis(200)),
                    Err(e) => panic!("{name}: {e}"),
                }
            }
            ran
        });
    }
    let mut overlaps = Vec::new();
    let mut runs_total = 0;
    for (name, setup, before) in &setups {
        let runs: Vec<Value> = rt().block_on(d.client().call(Method::GET, &format!("/v1/servers/{}/runs?limit=10000", segment(name)), None)).unwrap();
        runs_total += runs.len();
        let mut spans: Vec<(String, String)> =
            runs.iter().map(|r| (r["started_at"].as_str().unwrap_or("").to_owned(), r["ended_at"].as_str().unwrap_or("").to_owned())).collect();
        spans.sort();
        for w in spans.windows(2) {
            if w[1].0 < w[0].1 {
                overlaps.push(format!("{name}: a run started at {} before the one of {} ended at {}", w[1].0, w[0].0, w[0].1));
            }
        }
        let b = books::check(setup, &setup.db.open(), before, &HashSet::new(), &[]);
        row.documents += b.documents;
        row.lost += b.lost;
        row.duplicated += b.duplicated;
        overlaps.extend(b.problems.iter().map(|p| format!("{name}: {p}")));
        let (searched, found) = search_secrets(setup.home.path(), &[], &setup.sim.sim.recorded());
        row.secrets_searched += searched;
        row.secrets_found += found;
    }
    let (searched, found) = search_secrets(home.path(), &[], &[]);
    row.secrets_searched += searched;
    row.secrets_found += found;
    let mut d = d;
    d.term();
    // Flat: the second half's peak is within a quarter (and 16 MB) of the first half's.
    let half = samples.len() / 2;
    let first = samples[..half].iter().copied().max().unwrap_or(0);
    let second = samples[half..].iter().copied().max().unwrap_or(0);
    let flat = second <= first + first / 4 + 16 * 1024;
    row.cases = servers as u64;
    row.faults = asked.load(Ordering::Relaxed);
    row.detail = format!(
        "{servers} servers for {secs} s: {runs_total} runs, {} asked for on top of the rules ({} refused as busy), {} orders placed meanwhile; {} overlapping runs; daemon RSS peak {:.1} MB in the first half, {:.1} MB in the second ({})",
        asked.load(Ordering::Relaxed),
        busy.load(Ordering::Relaxed),
        placed.load(Ordering::Relaxed),
        overlaps.len(),
        first as f64 / 1024.0,
        second as f64 / 1024.0,
        if flat { "flat" } else { "grew" }
    );
    let (lost, duplicated, found) = (row.lost, row.duplicated, row.secrets_found);
    row.record(started);
    assert!(overlaps.is_empty(), "{overlaps:#?}");
    assert_eq!((lost, duplicated), (0, 0));
    assert!(flat, "the daemon's memory grew: {first} kB, then {second} kB");
    assert_eq!(found, 0);
}
