//! `make bench`, exchange part, on MariaDB with the simulator over HTTP on loopback:
//! - import 10,000 shop orders of about 3 lines (orders/s, statements and shop requests an
//!   order, counted by obmen and by MariaDB), beside inserting the same operation rows with bare
//!   batched inserts in the same run (the ratio);
//! - the import again with the database and the shop away: through a relay on loopback that holds
//!   every byte 2 ms on the way to the database and 10 ms to the shop (a LAN and the internet),
//!   then 25 ms and 50 ms (a VPN), beside loopback, and order by order (one order a transaction,
//!   as before pages were booked together) on loopback and at 2 ms / 10 ms;
//! - with the profile's defaults (nomenclature sync on, import on start) and the export on: a
//!   full run exporting 100,000 goods with quantities, a run after 1% of quantities changed, and
//!   a run with nothing new (rows sent and seconds, as shares of the full one);
//! - the full export again (`--full`) on loopback, at 2 ms / 10 ms and at 25 ms / 50 ms, reading
//!   and sending overlapped, and one after the other (read alone, send alone).
//!
//! OBMEN_BENCH_ORDERS and OBMEN_BENCH_EXPORT_GOODS change the counts.

// A benchmark stops at a broken set-up: unwrap and expect are its way of saying so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

#[path = "support/relay.rs"]
mod relay;

use obmen::config::{Home, ServerFile};
use obmen::kinds::warehouse_pro::bench::{ORDER_BY_ORDER, READ_MS, READ_THEN_SEND, SEND_MS};
use obmen::kinds::warehouse_pro::Report;
use obmen::kinds::{Details, Events, Job, Phase, RunContext, RunSummary, Server};
use obmen::shopiko::sim::{Sim, SimConfig};
use obmen::state::State;
use obmen::warehouse::init::{BulkCol, BulkValue};
use obmen::warehouse::{schema, Dialect, Table, Warehouse};
use std::sync::atomic::Ordering;

const API_ID: &str = "bench";
const KEY: &str = "bench-key";

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Db {
    admin: Warehouse,
    name: String,
    connection: String,
}

impl Db {
    fn new(server: &str, goods: usize) -> Db {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("obmen_bench_x{}_{goods}_{n}", std::process::id());
        let admin = Warehouse::connect(server, Dialect::Mysql).unwrap();
        admin.exec(&format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"), ()).unwrap();
        let connection = format!("{server}Database={name};");
        Warehouse::connect(&connection, Dialect::Mysql).unwrap().init(goods).unwrap();
        Db { admin, name, connection }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = self.admin.exec(&format!("DROP DATABASE `{}`", self.name), ());
    }
}

fn server_file(home: &std::path::Path, connection: &str, url: &str, rules: &str) -> ServerFile {
    let text = format!(
        "name = \"Bench\"\nkind = \"WarehousePro Import Export Shopiko\"\n[database]\ndialect = \"mysql\"\nconnection = \"{}\"\n\
         [rules]\nobject = \"Централен Склад\"\n{rules}\n[shopiko]\nurl = \"{url}\"\napi_id = \"{API_ID}\"\nkey = \"{KEY}\"\n",
        connection.replace('\\', "\\\\").replace('"', "\\\"")
    );
    std::fs::create_dir_all(home.join("servers")).unwrap();
    let path = home.join("servers/Bench.toml");
    std::fs::write(&path, text).unwrap();
    ServerFile::load(&path).unwrap()
}

/// Runs a job as the command line does, with obmen's state opened once by the caller.
fn run(rt: &tokio::runtime::Runtime, home: &Home, state: &State, file: &ServerFile, job: Job) -> (RunSummary, Report) {
    let server = Server::load(file).unwrap();
    let ctx = RunContext { home: home.clone(), state: state.clone(), cancel: Default::default(), events: Events::none() };
    let summary = rt.block_on(server.run(ctx, job));
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    let report = match &summary.details {
        Details::WarehouseProShopiko(r) | Details::WarehouseProBaselinker(r) => (**r).clone(),
        Details::None => panic!("nothing ran"),
    };
    (summary, report)
}

/// An import run, and what it cost.
struct Imported {
    secs: f64,
    summary: RunSummary,
    /// MariaDB's own count of the statements its clients sent meanwhile (the bench runs alone
    /// against its throwaway server; the driver's own queries at connecting are in it too).
    mariadb_statements: i64,
    /// The database it imported into (reached straight, without the relay).
    db: Db,
}

/// The import of `orders` orders with the database `db_ms` and the shop `shop_ms` away, one way
/// (0: straight, on loopback).
fn import_away(rt: &tokio::runtime::Runtime, server: &str, orders: usize, db_ms: u64, shop_ms: u64) -> Imported {
    let mut db = Db::new(server, 1000);
    let direct = db.connection.clone();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let shop_addr = listener.local_addr().unwrap();
    let sim = Sim::new(SimConfig { seed_orders: orders, seed_products: 1000, ..SimConfig::new(API_ID, KEY) }).unwrap();
    rt.spawn(sim.clone().serve(listener, std::future::pending()));
    let mut relays = Vec::new();
    let mut url = format!("http://{shop_addr}/api");
    if db_ms > 0 || shop_ms > 0 {
        let port: u16 =
            db.connection.split(';').find_map(|p| p.trim().strip_prefix("Port=")).and_then(|p| p.parse().ok()).expect("a Port= in OBMEN_TEST_MYSQL");
        let db_relay = rt.block_on(relay::Relay::start(([127, 0, 0, 1], port).into(), Duration::from_millis(db_ms)));
        let shop_relay = rt.block_on(relay::Relay::start(shop_addr, Duration::from_millis(shop_ms)));
        db.connection = db.connection.replace(&format!("Port={port};"), &format!("Port={};", db_relay.addr.port()));
        url = format!("http://{}/api", shop_relay.addr);
        relays.extend([db_relay, shop_relay]);
    }
    let home = tempfile::tempdir().unwrap();
    let file = server_file(home.path(), &db.connection, &url, "allow_negative_stock = true\nsync_nomenclature = false");
    let h = Home { root: home.path().to_owned() };
    let state = rt.block_on(State::open(&h.state_db())).unwrap();
    let probe = Warehouse::connect(&direct, Dialect::Mysql).unwrap();
    let questions = || -> i64 {
        let v = probe.query_one("SHOW GLOBAL STATUS LIKE 'Questions'", (), |r| r.opt_text(2)).unwrap().flatten().unwrap_or_default();
        v.trim().parse().unwrap_or(0)
    };
    let questions_before = questions();
    let t = Instant::now();
    let (summary, report) = run(rt, &h, &state, &file, Job { import: true, export: false, dry_run: false, full: false });
    let secs = t.elapsed().as_secs_f64();
    // Less the probe's own statement.
    let mariadb_statements = questions() - questions_before - 1;
    let import = report.import.expect("the import ran");
    assert_eq!(import.imported.len(), orders, "{:?}", import.quarantined.first());
    drop(relays);
    db.connection = direct;
    Imported { secs, summary, mariadb_statements, db }
}

fn main() {
    let server = std::env::var("OBMEN_TEST_MYSQL").expect("OBMEN_TEST_MYSQL is not set: run `make bench`");
    let orders = env("OBMEN_BENCH_ORDERS", 10_000);
    let export_goods = env("OBMEN_BENCH_EXPORT_GOODS", 100_000);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();

    // Import.
    let Imported { secs: import_secs, summary, mariadb_statements, db } = import_away(&rt, &server, orders, 0, 0);
    let statements: u64 = summary.statements.values().sum();
    let requests: u64 = summary.shop_requests.values().sum();
    eprintln!("import phases (ms): {:?}", summary.phase_ms);
    let wh = Warehouse::connect(&db.connection, Dialect::Mysql).unwrap();
    let rows: Vec<Vec<f64>> = wh
        .query(
            &wh.dialect().sql("SELECT {OperType}, {Acct}, {GoodID}, {PartnerID}, {ObjectID}, {Qtty}, {Sign}, {PriceOut}, {VATOut}, {Discount} FROM {operations} WHERE {OperType} = 2"),
            (),
            |r| (1..=10).map(|c| r.f64(c)).collect(),
        )
        .unwrap();
    let lines = rows.len();
    // The same rows, bare: parameter arrays of 1,000 into a copy of the operations table, one transaction.
    let bare = Warehouse::connect(&db.connection, Dialect::Mysql).unwrap();
    bare.exec(&schema::create_table(Dialect::Mysql, Table::Operations).replace("`operations`", "`bench_operations`"), ()).unwrap();
    let cols = [
        ("OperType", BulkCol::Int),
        ("Acct", BulkCol::Int),
        ("GoodID", BulkCol::Int),
        ("PartnerID", BulkCol::Int),
        ("ObjectID", BulkCol::Int),
        ("Qtty", BulkCol::Num),
        ("Sign", BulkCol::Int),
        ("PriceOut", BulkCol::Num),
        ("VATOut", BulkCol::Num),
        ("Discount", BulkCol::Num),
    ];
    let t = Instant::now();
    bare.bulk(|w| {
        w.bulk_insert_into("bench_operations", Table::Operations, &cols, lines, |i, row| {
            let r = &rows[i];
            row.extend([
                BulkValue::Int(r[0] as i32),
                BulkValue::Int(r[1] as i32),
                BulkValue::Int(r[2] as i32),
                BulkValue::Int(r[3] as i32),
                BulkValue::Int(r[4] as i32),
                BulkValue::Num(r[5]),
                BulkValue::Int(r[6] as i32),
                BulkValue::Num(r[7]),
                BulkValue::Num(r[8]),
                BulkValue::Num(r[9]),
            ]);
        })
    })
    .unwrap();
    let bare_secs = t.elapsed().as_secs_f64();
    drop(db);

    println!("## Import on MariaDB: {orders} shop orders, {lines} operation rows ({:.1} lines an order)", lines as f64 / orders as f64);
    println!();
    println!("| path | seconds | orders/s | rows/s |");
    println!("|---|---|---|---|");
    println!(
        "| `obmen run --import` (documents, stock, payments, import log, acknowledgements) | {import_secs:.2} | {:.0} | {:.0} |",
        orders as f64 / import_secs,
        lines as f64 / import_secs
    );
    println!("| bare batched INSERT of the same operation rows | {bare_secs:.2} | - | {:.0} |", lines as f64 / bare_secs);
    println!();
    let rate = orders as f64 / import_secs;
    println!(
        "ratio import / bare: {:.1}. Target: at least 3,000 orders/s: {} ({rate:.0} orders/s).",
        import_secs / bare_secs,
        if rate >= 3000.0 { "met" } else { "NOT met" }
    );
    println!();
    println!("| round trips of the import | counted by obmen | per order | counted by MariaDB (Questions) |");
    println!("|---|---|---|---|");
    println!("| SQL statements (and commits, autocommit switches) | {statements} | {:.2} | {mariadb_statements} |", statements as f64 / orders as f64);
    println!("| shop requests | {requests} | {:.3} | - |", requests as f64 / orders as f64);
    println!();
    println!("By phase: statements {:?}; shop requests {:?}.", summary.statements, summary.shop_requests);
    println!();
    println!(
        "Targets: at most 0.3 statements an order: {} ({:.2}); at most 0.05 shop requests an order: {} ({:.3}).",
        if statements as f64 <= 0.3 * orders as f64 { "met" } else { "NOT met" },
        statements as f64 / orders as f64,
        if requests as f64 <= 0.05 * orders as f64 { "met" } else { "NOT met" },
        requests as f64 / orders as f64
    );
    println!();

    // The import with the database and the shop away.
    // (label, orders, database one way, shop one way, one order a transaction)
    let away: Vec<(&str, usize, u64, u64, bool)> = vec![
        ("loopback", 500, 0, 0, false),
        ("loopback, order by order", 500, 0, 0, true),
        ("2 ms / 10 ms", 500, 2, 10, false),
        ("2 ms / 10 ms, order by order", 100, 2, 10, true),
        ("25 ms / 50 ms", 500, 25, 50, false),
    ];
    println!("## Import with the database and the shop away (a relay on loopback holding each byte the one-way time)");
    println!();
    println!("| database / shop, one way | orders | seconds | orders/s | statements per order | shop requests per order |");
    println!("|---|---|---|---|---|---|");
    let mut rates = std::collections::HashMap::new();
    for (label, n, db_ms, shop_ms, order_by_order) in away {
        ORDER_BY_ORDER.store(order_by_order, Ordering::Relaxed);
        let Imported { secs, summary, .. } = import_away(&rt, &server, n, db_ms, shop_ms);
        ORDER_BY_ORDER.store(false, Ordering::Relaxed);
        rates.insert(label, n as f64 / secs);
        let statements: u64 = summary.statements.values().sum();
        let requests: u64 = summary.shop_requests.values().sum();
        println!("| {label} | {n} | {secs:.2} | {:.0} | {:.2} | {:.3} |", n as f64 / secs, statements as f64 / n as f64, requests as f64 / n as f64);
    }
    println!();
    let (lan, lan_one) = (rates["2 ms / 10 ms"], rates["2 ms / 10 ms, order by order"]);
    let said = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "Each statement costs a round trip to the database (twice its one-way time), each request one to the shop: the import's rate away is bounded by its round trips per order. \
         \"Order by order\" is the import writing one order a transaction with its own look-ups, as obmen did before it booked a page at a time (kept for this comparison only). \
         Targets: at least 500 orders/s at 2 ms / 10 ms: {} ({lan:.0} orders/s); at least 10 times order by order there: {} ({:.1} times); at least 3,000 orders/s on loopback (the {orders} orders above): {} ({rate:.0} orders/s).",
        said(lan >= 500.0),
        said(lan >= 10.0 * lan_one),
        lan / lan_one,
        said(rate >= 3000.0),
    );
    println!();

    // Export, with the profile's defaults (nomenclature sync on) and the export on.
    let db = Db::new(&server, export_goods);
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    let sim = Sim::new(SimConfig::new(API_ID, KEY)).unwrap();
    rt.spawn(sim.clone().serve(listener, std::future::pending()));
    let home = tempfile::tempdir().unwrap();
    let file = server_file(home.path(), &db.connection, &url, "export = \"periodic\"\nexport_goods = true");
    let h = Home { root: home.path().to_owned() };
    let state = rt.block_on(State::open(&h.state_db())).unwrap();
    let job = Server::load(&file).unwrap().default_job();
    assert!(job.import && job.export);
    let requests = |sim: &Sim| sim.stats().requests_by_status.values().sum::<u64>();
    let timed = |what: &str| {
        let r0 = requests(&sim);
        let t = Instant::now();
        let (summary, report) = run(&rt, &h, &state, &file, job);
        let secs = t.elapsed().as_secs_f64();
        eprintln!("{what} phases (ms): {:?}", summary.phase_ms);
        (report.export.expect("the export ran"), requests(&sim) - r0, secs)
    };
    let (fe, full_requests, full_secs) = timed("full");
    let wh = Warehouse::connect(&db.connection, Dialect::Mysql).unwrap();
    let changed = wh.exec(&wh.dialect().sql("UPDATE {store} SET {Qtty} = {Qtty} + 1 WHERE {ObjectID} = 2 AND MOD({GoodID}, 100) = 0"), ()).unwrap();
    let (de, delta_requests, delta_secs) = timed("1%");
    let (ne, none_requests, none_secs) = timed("nothing new");
    // Everything again (`--full`), reading and sending overlapped, then one after the other; on
    // loopback, then with the database and the shop away.
    let shop_addr: std::net::SocketAddr = url.trim_start_matches("http://").trim_end_matches("/api").parse().unwrap();
    let db_port: u16 = db.connection.split(';').find_map(|p| p.trim().strip_prefix("Port=")).and_then(|p| p.parse().ok()).unwrap();
    let again = |db_ms: u64, shop_ms: u64, read_then_send: bool| {
        let mut relays = Vec::new();
        let file = if db_ms > 0 || shop_ms > 0 {
            let db_relay = rt.block_on(relay::Relay::start(([127, 0, 0, 1], db_port).into(), Duration::from_millis(db_ms)));
            let shop_relay = rt.block_on(relay::Relay::start(shop_addr, Duration::from_millis(shop_ms)));
            let away = db.connection.replace(&format!("Port={db_port};"), &format!("Port={};", db_relay.addr.port()));
            let file = server_file(home.path(), &away, &format!("http://{}/api", shop_relay.addr), "export = \"periodic\"\nexport_goods = true");
            relays.extend([db_relay, shop_relay]);
            file
        } else {
            file.clone()
        };
        READ_THEN_SEND.store(read_then_send, Ordering::Relaxed);
        let (summary, report) = run(&rt, &h, &state, &file, Job { import: false, export: true, dry_run: false, full: true });
        READ_THEN_SEND.store(false, Ordering::Relaxed);
        let export = report.export.expect("the export ran");
        assert_eq!(export.products_sent as usize, export_goods);
        let secs = summary.phase_ms.get(&Phase::Export).copied().unwrap_or_default() as f64 / 1000.0;
        (secs, READ_MS.load(Ordering::Relaxed) as f64 / 1000.0, SEND_MS.load(Ordering::Relaxed) as f64 / 1000.0, summary.shop_requests.values().sum::<u64>())
    };
    let settings: Vec<(&str, u64, u64)> = vec![("loopback", 0, 0), ("2 ms / 10 ms", 2, 10), ("25 ms / 50 ms", 25, 50)];
    let full_again: Vec<_> = settings.into_iter().map(|(label, db_ms, shop_ms)| (label, again(db_ms, shop_ms, false), again(db_ms, shop_ms, true))).collect();
    drop(db);

    println!("## Runs with the profile's defaults (nomenclature sync on) on MariaDB, exporting {export_goods} goods with quantities to the simulator");
    println!();
    println!("| run | products sent | stock rows sent | requests | seconds | share of the full run |");
    println!("|---|---|---|---|---|---|");
    println!("| full | {} | {} | {full_requests} | {full_secs:.2} | 100% |", fe.products_sent, fe.stock_sent);
    println!(
        "| after {changed} quantities changed (1%) | {} | {} | {delta_requests} | {delta_secs:.2} | {:.1}% |",
        de.products_sent,
        de.stock_sent,
        100.0 * delta_secs / full_secs
    );
    println!("| nothing new | {} | {} | {none_requests} | {none_secs:.2} | {:.1}% |", ne.products_sent, ne.stock_sent, 100.0 * none_secs / full_secs);
    println!();
    let (delta_share, none_share) = (100.0 * delta_secs / full_secs, 100.0 * none_secs / full_secs);
    let said = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "1% run: {:.1}% of the full run's rows, {delta_share:.1}% of its time (target: at most 10%: {}); nothing new: {none_share:.1}% of its time (target: at most 5%: {}).",
        100.0 * (de.products_sent + de.stock_sent) as f64 / (fe.products_sent + fe.stock_sent) as f64,
        said(delta_share <= 10.0),
        said(none_share <= 5.0)
    );
    println!();
    println!("## The full export of {export_goods} goods again (`--full`): reading and sending overlapped, and one after the other");
    println!();
    println!("| database / shop, one way | read alone s | send alone s | one after the other s | overlapped s | goods/s overlapped | requests | overlapped / the larger alone |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut away_ratio = 0.0;
    for (label, (overlapped, _, _, requests), (sequential, read, send, _)) in &full_again {
        let ratio = overlapped / read.max(*send);
        if *label == "2 ms / 10 ms" {
            away_ratio = ratio;
        }
        println!("| {label} | {read:.2} | {send:.2} | {sequential:.2} | {overlapped:.2} | {:.0} | {requests} | {ratio:.2} |", export_goods as f64 / overlapped);
    }
    println!();
    println!(
        "\"Read alone\" is every good read with its price and quantity (batches of 5,000); \"send alone\" the same goods' products and then quantities sent to the simulator, {} requests under way at most, fingerprints recorded; both measured in the export run that reads everything before it sends (kept for this comparison only). \
         On loopback the simulator, MariaDB and obmen share this machine's two cores, so overlapping saves little there: the work is bound by the processor, not by waiting. \
         Target: overlapped at most 1.25 times the larger of the two alone, with the database and the shop away (2 ms / 10 ms): {} ({away_ratio:.2}).",
        obmen::kinds::warehouse_pro::export::REQUESTS_IN_FLIGHT,
        said(away_ratio <= 1.25)
    );
}
