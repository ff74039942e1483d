//! Cases 1 to 3: the daemon killed at random moments, a shop that fails a call in two, and a
//! database killed or paused in the middle of a run.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use hyper::Method;
use obmen::shopiko::sim::SimConfig;
use obmen::warehouse::Dialect;
use serde_json::Value;

use super::books::{self, Before};
use super::own_mariadb::OwnMariadb;
use super::{pick, search_secrets, seed, Row};
use crate::daemon::{daemon_settings, obmen, rt, Daemon};
use crate::exchange::Setup;
use crate::shopiko::{API_ID, KEY};
use crate::support::TestDb;

/// Changes the server's file.
fn edit_server(home: &std::path::Path, f: impl Fn(String) -> String) {
    let path = home.join("servers/Shop.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, f(text)).unwrap();
}

/// The server's runs, newest first, from the daemon.
fn runs(d: &Daemon) -> Vec<Value> {
    rt().block_on(d.client().call::<Vec<Value>>(Method::GET, "/v1/servers/Shop/runs?limit=10000", None)).unwrap()
}

/// Every file of the home, the command outputs and the requests the shop received, searched.
fn secrets_of(row: &mut Row, setup: &Setup, outputs: &[String]) {
    let (searched, found) = search_secrets(setup.home.path(), outputs, &setup.sim.sim.recorded());
    row.secrets_searched += searched;
    row.secrets_found += found;
}

fn runs_text(home: &std::path::Path) -> String {
    let o = obmen(home, &["runs", "Shop", "--json"]);
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn case_1_the_daemon_killed_at_random_moments_of_an_import_leaves_every_order_once() {
    let seed = seed(20_261_201);
    let (mut row, started) = Row::new("1. crash: the daemon SIGKILLed during an import", seed);
    // Each round imports five pages (1,000 orders: a page is 200; acknowledgements go a hundred
    // a request), so that a kill after the first page's commit lands in the run.
    let (orders, kills) = (pick(3000, 20000), pick(3, 20));
    let batch = orders / kills;
    let shop = SimConfig { seed_orders: batch, seed_products: 120, record_requests: true, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Mysql, 120, shop, &[("import", "\"on_start\""), ("allow_negative_stock", "true")]);
    let home = setup.home.path();
    edit_server(home, |t| format!("autostart = true\n{t}"));
    let wh = setup.db.open();
    let before = Before::take(&wh);
    let mut rng = fastrand::Rng::with_seed(seed);
    // Each kill lands after the run's first page committed, within as long as the rest of a run
    // took when one ended before its kill.
    let mut window = Duration::from_millis(600);
    let mut mid_run = 0;
    for k in 0..kills {
        if k > 0 {
            setup.sim.sim.add_orders(batch);
        }
        let booked = wh.imported_count(API_ID).unwrap_or(0);
        let mut d = Daemon::start(home);
        d.wait_for(Duration::from_secs(120), "the round's first page", |_| wh.imported_count(API_ID).unwrap_or(0) > booked);
        let moved = Instant::now();
        std::thread::sleep(Duration::from_millis(rng.u64(0..window.as_millis().max(1) as u64)));
        let running = d.status("Shop")["state"] == "running";
        d.child.kill().unwrap(); // SIGKILL
        d.child.wait().unwrap();
        if running {
            mid_run += 1;
        } else {
            window = window.min(moved.elapsed());
        }
    }
    // Started once more and left to finish.
    let mut d = Daemon::start(home);
    d.wait_for(Duration::from_secs(300), "every order", |d| wh.imported_count(API_ID).unwrap_or(0) == orders as i64 && d.status("Shop")["state"] == "waiting");
    let history = runs(&d);
    d.term();
    let unfinished = history.iter().filter(|r| r["outcome"] == "running").count();
    let interrupted = history.iter().filter(|r| r["outcome"] == "interrupted").count();
    let b = books::check(&setup, &wh, &before, &HashSet::new(), &[]);
    row.cases = kills as u64;
    row.faults = kills as u64;
    row.documents = b.documents;
    row.lost = b.lost;
    row.duplicated = b.duplicated;
    row.detail = format!("{mid_run} kills landed in a run; {interrupted} runs marked interrupted, {unfinished} left unmarked, of {} recorded", history.len());
    secrets_of(&mut row, &setup, &[runs_text(home)]);
    let found = row.secrets_found;
    row.record(started);
    b.assert_right("crash");
    assert_eq!(unfinished, 0, "every run ends recorded: {history:?}");
    assert!(interrupted >= mid_run.min(1), "the runs a kill ended are marked interrupted: {history:?}");
    assert!(mid_run * 2 >= kills, "only {mid_run} of {kills} kills landed in a run (seed {seed}): the case proved too little");
    assert_eq!(found, 0);
}

#[test]
fn case_2_a_shop_that_fails_half_its_calls_gets_everything_once_in_the_end() {
    let seed = seed(7);
    let (mut row, started) = Row::new("2. shop faults: 5xx 20%, timeouts 10%, 429 10%, drops 5%, cut bodies 5%", seed);
    let orders = pick(40, 400);
    let shop = SimConfig {
        seed_orders: orders,
        seed_products: 40,
        faults: "5xx=0.2,timeout=0.1,429=0.1,drop=0.05,cut=0.05,retry_after=1".parse().unwrap(),
        timeout_delay: Duration::from_secs(7),
        record_requests: true,
        seed,
        ..SimConfig::new(API_ID, KEY)
    };
    let setup = Setup::new(
        Dialect::Mysql,
        40,
        shop,
        &[("import", "\"on_start\""), ("export", "\"on_start\""), ("export_goods", "true"), ("allow_negative_stock", "true")],
    );
    let home = setup.home.path();
    edit_server(home, |t| format!("autostart = true\n{t}timeout_secs = 5\n"));
    daemon_settings(home, "[daemon]\nretry_first_secs = 1\nretry_max_secs = 5\n");
    let wh = setup.db.open();
    let before = Before::take(&wh);
    let mut d = Daemon::start(home);
    // The live goods (the service good that carries shipping is not for sale).
    let codes = wh.query(&wh.dialect().sql("SELECT {Code} FROM {goods}"), (), |r| r.text(1)).unwrap();
    let goods = wh.goods_by_codes(&codes.iter().map(String::as_str).collect::<Vec<_>>()).unwrap();
    assert_eq!(goods.len(), 40);
    let object = wh.find_object("Централен Склад").unwrap().unwrap().id;
    // A balance below zero goes to the shop as 0 (the case allows negative stock).
    let exported = |wh: &obmen::warehouse::Warehouse| {
        goods.iter().all(|g| setup.sim.sim.stock(&g.code).is_some_and(|s| (s - wh.balance(object, g.id).unwrap().max(0.0)).abs() < 1e-6))
    };
    // The first run, to its end: with half the calls failing it may end partly done (a call that
    // kept failing past its budget, an acknowledgement whose answer was lost). What it left, the
    // next run does, as the next periodic start, or an operator's "run now", would: asked for
    // here until everything is imported, told to the shop and exported, at most ten times.
    d.wait_for(Duration::from_secs(pick(300, 1200)), "the first run's end", |d| {
        let st = d.status("Shop");
        st["state"] == "waiting" && st["counters"]["runs"].as_u64().unwrap_or(0) >= 1
    });
    let done = |wh: &obmen::warehouse::Warehouse| {
        wh.imported_count(API_ID).unwrap_or(0) == orders as i64 && setup.sim.sim.stats().orders_acknowledged == orders as u64 && exported(wh)
    };
    let mut next_runs = 0;
    while !done(&wh) && next_runs < 10 {
        next_runs += 1;
        rt().block_on(d.client().stream(Method::POST, "/v1/servers/Shop/run", Some(serde_json::json!({ "import": true, "export": true })), |_| true)).unwrap();
    }
    let complete = done(&wh);
    let left = format!(
        "after {next_runs} more runs: {} of {orders} imported, {} told to the shop, stock exported: {}",
        wh.imported_count(API_ID).unwrap_or(0),
        setup.sim.sim.stats().orders_acknowledged,
        exported(&wh)
    );
    let status = d.status("Shop");
    let history = runs(&d);
    d.term();
    let not_acknowledged: u64 = history.iter().map(|r| r["summary"]["counts"]["not_acknowledged"].as_u64().unwrap_or(0)).sum();
    let timeline = setup.sim.sim.timeline();
    let faults: Vec<&'static str> = timeline.iter().filter_map(|(_, f, _)| *f).collect();
    // After a 429 the client holds every call for its Retry-After (1 s): nothing comes in that
    // second but what was already on its way (sent before the 429 arrived: within 50 ms).
    let early: Vec<String> = timeline
        .iter()
        .filter(|(_, f, _)| *f == Some("429"))
        .flat_map(|(t, _, what)| {
            timeline
                .iter()
                .filter(move |(u, _, _)| *u > *t + Duration::from_millis(50) && *u < *t + Duration::from_millis(980))
                .map(move |(u, _, next)| format!("{what} at {t:?}, then {next} at {u:?}"))
        })
        .collect();
    let early_n = early.len();
    let retries = status["counters"]["retries"].as_u64().unwrap_or(0);
    let failed_runs = history.iter().filter(|r| r["outcome"] == "failed").count();
    let count = |k: &str| faults.iter().filter(|f| **f == k).count();
    let b = books::check(&setup, &wh, &before, &HashSet::new(), &[]);
    row.cases = history.len() as u64;
    row.faults = faults.len() as u64;
    row.documents = b.documents;
    row.lost = b.lost;
    row.duplicated = b.duplicated;
    row.detail = format!(
        "{} faults in {} calls (5xx {}, timeout {}, 429 {}, drop {}, cut {}); {retries} retries in the run history; {failed_runs} of {} runs failed and were run again; {early_n} calls after a 429 came before its Retry-After; {not_acknowledged} acknowledgements went unanswered in a run (the shop may have taken them); {next_runs} more runs finished what the first left; {} goods' stock exported",
        faults.len(),
        timeline.len(),
        count("5xx"),
        count("timeout"),
        count("429"),
        count("drop"),
        count("cut"),
        history.len(),
        goods.len()
    );
    secrets_of(&mut row, &setup, &[runs_text(home)]);
    let found = row.secrets_found;
    row.record(started);
    b.assert_right("shop faults");
    assert!(complete, "{left}");
    assert!(early.is_empty(), "Retry-After is respected: {early:#?}");
    assert!(retries > 0 && !faults.is_empty(), "faults were met and retried: {status}");
    assert_eq!(found, 0);
}

/// A database of its own server with the demo goods, and a shop on it.
fn on_own(db: &OwnMariadb, orders: usize, seed: u64) -> Setup {
    let test_db = TestDb::empty_on(&db.server());
    test_db.open().init(60).unwrap();
    let shop = SimConfig { seed_orders: orders, seed_products: 60, record_requests: true, seed, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::on(test_db, shop, &[("import", "\"on_start\""), ("allow_negative_stock", "true")]);
    edit_server(setup.home.path(), |t| {
        format!("autostart = true\n{}", t.replace("[database]\n", "[database]\nquery_timeout_secs = 6\nlogin_timeout_secs = 3\n"))
    });
    daemon_settings(setup.home.path(), "[daemon]\nretry_first_secs = 1\nretry_max_secs = 3\n");
    setup
}

#[test]
fn case_3_a_database_killed_or_paused_in_a_run_shows_failed_recovers_and_leaves_nothing_partial() {
    let seed = seed(3);
    let (mut row, started) = Row::new("3. database faults: MariaDB SIGKILLed and restarted, SIGSTOPped and resumed, mid-run", seed);
    let mut db = OwnMariadb::start();
    let rounds = pick(1, 3);
    let batch = pick(300, 800);
    let setup = on_own(&db, batch, seed);
    let home = setup.home.path();
    let wh = || obmen::warehouse::Warehouse::connect(&setup.db.connection, Dialect::Mysql).unwrap();
    let before = Before::take(&wh());
    let mut reasons = Vec::new();
    let mut total = batch;
    for round in 0..rounds * 2 {
        if round > 0 {
            setup.sim.sim.add_orders(batch);
            total += batch;
        }
        let booked = wh().imported_count(API_ID).unwrap_or(0);
        let mut d = Daemon::start(home);
        d.wait_for(Duration::from_secs(120), "the round's first page", |_| wh().imported_count(API_ID).unwrap_or(0) > booked);
        let pause = round % 2 == 1;
        if pause {
            db.pause();
        } else {
            db.kill();
        }
        let failed = d.wait_state("Shop", "failed", Duration::from_secs(90));
        reasons.push(failed["reason"].as_str().unwrap_or("").to_owned());
        assert!(!failed["retry_at"].is_null(), "tried again by itself: {failed}");
        std::thread::sleep(Duration::from_secs(2));
        if pause {
            db.resume();
        } else {
            db.run();
        }
        d.wait_for(Duration::from_secs(180), "the round's orders after the database came back", |d| {
            d.status("Shop")["state"] == "waiting" && wh().imported_count(API_ID).unwrap_or(0) == total as i64
        });
        d.term();
    }
    let b = books::check(&setup, &wh(), &before, &HashSet::new(), &[]);
    row.cases = (rounds * 2) as u64;
    row.faults = (rounds * 2) as u64;
    row.documents = b.documents;
    row.lost = b.lost;
    row.duplicated = b.duplicated;
    let short: Vec<String> = reasons.iter().map(|r| r.chars().take(70).collect()).collect();
    row.detail = format!("{rounds} kills and {rounds} pauses; each showed failed with the reason and recovered by itself: {short:?}");
    secrets_of(&mut row, &setup, &[runs_text(home), reasons.join("\n")]);
    let found = row.secrets_found;
    row.record(started);
    b.assert_right("database faults");
    for r in &reasons {
        let l = r.to_lowercase();
        assert!(l.contains("database") || l.contains("connect") || l.contains("server"), "the reason says the database: {r}");
    }
    assert_eq!(found, 0);
}
