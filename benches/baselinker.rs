//! `make bench`, BaseLinker part: the requests a "WarehousePro Import Export BaseLinker" server
//! uses to import 1,000 confirmed orders, to export 10,000 goods with their stock and prices, and
//! to export again when a tenth of the prices changed,
//! through the Kind API against the simulator over HTTP on loopback (a SQLite database), beside
//! the fewest the documented page and batch sizes allow, and the wall time each would take under
//! BaseLinker's real limit of 100 requests a minute. The run itself goes unlimited: the bench
//! holds an unlimited limiter under the token's key (the kind shares the one it finds there), so
//! it measures requests, not a minute's wait for each hundred.
//!
//! OBMEN_BENCH_BL_ORDERS and OBMEN_BENCH_BL_GOODS change the counts.

// A benchmark stops at a broken set-up: unwrap and expect are its way of saying so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Instant;

use obmen::baselinker::client::{ORDERS_PAGE, PRODUCTS_PAGE, REQUESTS_PER_MINUTE, UPDATE_BATCH};
use obmen::baselinker::sim::{Running, SimConfig};
use obmen::config::{Home, ServerFile};
use obmen::kinds::warehouse_pro::Report;
use obmen::kinds::{Details, Events, Job, RunContext, Server};
use obmen::state::State;
use obmen::warehouse::{Dialect, Warehouse};

const TOKEN: &str = "bench-token";

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Requests by method.
type Requests = std::collections::BTreeMap<String, u64>;

/// How many requests of these methods.
fn of(used: &Requests, methods: &[&str]) -> u64 {
    methods.iter().filter_map(|m| used.get(*m)).sum()
}

fn report(details: &Details) -> Report {
    match details {
        Details::WarehouseProShopiko(r) | Details::WarehouseProBaselinker(r) => (**r).clone(),
        Details::None => panic!("nothing ran"),
    }
}

/// Minutes and seconds of `requests` at the real limit.
fn at_limit(requests: u64) -> String {
    let secs = requests as f64 * 60.0 / f64::from(REQUESTS_PER_MINUTE);
    format!("{}:{:02}", (secs / 60.0) as u64, (secs % 60.0) as u64)
}

fn main() {
    let orders = env("OBMEN_BENCH_BL_ORDERS", 1_000);
    let goods = env("OBMEN_BENCH_BL_GOODS", 10_000);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    // Held for the whole bench: the kind's servers draw on it instead of one at 100 a minute.
    let quota = governor::Quota::per_second(NonZeroU32::new(1_000_000).unwrap());
    let _unlimited: Arc<obmen::baselinker::client::Limiter> =
        obmen::kinds::account::shared(&obmen::kinds::account::key_of("baselinker", TOKEN), || governor::RateLimiter::direct(quota));
    let sim = rt.block_on(Running::start(SimConfig { seed_orders: orders, requests_per_minute: None, ..SimConfig::new(TOKEN) })).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("wh.db");
    let connection = format!("Driver=SQLite3;Database={};", db.display());
    Warehouse::connect(&connection, Dialect::Sqlite).unwrap().init(goods).unwrap();
    let text = format!(
        "name = \"Bench\"\nkind = \"WarehousePro Import Export BaseLinker\"\n[database]\ndialect = \"sqlite\"\nconnection = \"{connection}\"\n\
         [rules]\nobject = \"Централен Склад\"\nallow_negative_stock = true\nexport_goods = true\nsync_nomenclature = false\n\
         status_after_import = \"Wprowadzono do magazynu\"\nstatus_on_error = \"Błąd importu\"\ndocument_field = \"Numer dokumentu Warehouse Pro\"\n\
         [baselinker]\nurl = \"{}\"\ntoken = \"{TOKEN}\"\nprice_group = \"Detal EUR\"\n",
        sim.url
    );
    std::fs::create_dir_all(dir.path().join("servers")).unwrap();
    let path = dir.path().join("servers/Bench.toml");
    std::fs::write(&path, text).unwrap();
    let server = Server::load(&ServerFile::load(&path).unwrap()).unwrap();
    let home = Home { root: dir.path().to_owned() };
    let state = rt.block_on(State::open(&dir.path().join("state.db"))).unwrap();
    // A run's summary, its seconds, and the requests it made by method.
    let run = |job: Job| {
        let before = sim.sim.stats().requests;
        let ctx = RunContext { home: home.clone(), state: state.clone(), cancel: Default::default(), events: Events::none() };
        let started = Instant::now();
        let summary = rt.block_on(server.run(ctx, job));
        let secs = started.elapsed().as_secs_f64();
        let used: Requests = sim.sim.stats().requests.into_iter().map(|(m, n)| (m.clone(), n - before.get(&m).copied().unwrap_or(0))).collect();
        (summary, secs, used)
    };
    let total = |m: &Requests| m.values().sum::<u64>();
    const CATALOGUE_LISTS: &[&str] = &["getInventories", "getInventoryWarehouses", "getInventoryPriceGroups"];
    const ORDER_LISTS: &[&str] = &["getOrderStatusList", "getOrderExtraFields"];

    let (summary, import_secs, used) = run(Job { import: true, export: false, dry_run: false, full: false });
    let import = report(&summary.details).import.unwrap();
    let (booked, set_aside) = (import.imported.len() as u64, import.quarantined.len() as u64);
    let import_used = total(&used);
    // The fewest: the pages (one more to learn there is no more), a document number and a status
    // for each booked order, a status for each one set aside, and the account's lists.
    let pages = (orders as u64).div_ceil(ORDERS_PAGE as u64) + 1;
    let import_fewest = pages + 2 * booked + set_aside + of(&used, CATALOGUE_LISTS) + of(&used, ORDER_LISTS);

    let (summary, export_secs, used_export) = run(Job { import: false, export: true, dry_run: false, full: false });
    let export = report(&summary.details).export.unwrap();
    let export_used = total(&used_export);
    // The fewest: one addInventoryProduct a good (BaseLinker takes one product a call, its price
    // with it), a listing of the empty catalogue, stock in batches of 1,000, and the lists.
    let export_fewest = goods as u64 + 1 + (goods as u64).div_ceil(UPDATE_BATCH as u64) + of(&used_export, CATALOGUE_LISTS);
    let (_, again_secs, again) = run(Job { import: false, export: true, dry_run: false, full: false });
    let again_used = total(&again);
    // The fewest: the catalogue's lists alone (nothing changed, nothing sent).
    let again_fewest = of(&again, CATALOGUE_LISTS);
    // A thousand prices change (a tenth of the goods): only prices go, a thousand a request.
    let changed = (goods / 10).max(1);
    let wh = Warehouse::connect(&connection, Dialect::Sqlite).unwrap();
    wh.exec(&wh.dialect().sql("UPDATE {goods} SET {PriceOut2} = {PriceOut2} + 1 WHERE {ID} <= ?"), &(changed as i64)).unwrap();
    let (summary, prices_secs, prices) = run(Job { import: false, export: true, dry_run: false, full: false });
    let priced = report(&summary.details).export.unwrap();
    let prices_used = total(&prices);
    // The fewest: the catalogue's lists, its listing (to know the products' ids), and the prices
    // in batches of 1,000.
    let listing = (goods as u64 + 1).div_ceil(PRODUCTS_PAGE as u64);
    let prices_fewest = of(&prices, CATALOGUE_LISTS) + listing + (changed as u64).div_ceil(UPDATE_BATCH as u64);
    let per_method = |m: &Requests| m.iter().filter(|(_, n)| **n > 0).map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ");
    println!("## BaseLinker simulator over HTTP on loopback: {orders} orders, {goods} goods (SQLite)");
    println!();
    println!("| work | requests used | fewest the documented sizes allow | ratio | at 100 a minute | here (unlimited) |");
    println!("|---|---|---|---|---|---|");
    println!("| import {orders} confirmed orders ({booked} booked, {set_aside} in PLN set aside) | {import_used} | {import_fewest} | {:.2} | {} | {import_secs:.1} s |", import_used as f64 / import_fewest as f64, at_limit(import_used));
    println!(
        "| export {goods} goods with stock and prices | {export_used} | {export_fewest} | {:.2} | {} | {export_secs:.1} s |",
        export_used as f64 / export_fewest as f64,
        at_limit(export_used)
    );
    println!("| export again, nothing changed | {again_used} | {again_fewest} | - | {} | {again_secs:.1} s |", at_limit(again_used));
    println!(
        "| export with {changed} prices changed ({} prices, {} products sent) | {prices_used} | {prices_fewest} | {:.2} | {} | {prices_secs:.1} s |",
        priced.prices_sent,
        priced.products_sent,
        prices_used as f64 / prices_fewest as f64,
        at_limit(prices_used)
    );
    println!();
    println!("Import requests by method: {}.", per_method(&used));
    println!("Export requests by method: {}. Goods sent: {}, refused: {}.", per_method(&used_export), export.products_sent, export.refused.len());
    println!("Prices-changed export requests by method: {}.", per_method(&prices));
    println!();
    println!("Target: requests used no more than 1.05 times the fewest (met: {}). The import's floor is two requests an order (its document number, its status): BaseLinker has no call that sets many orders' fields or statuses at once among the methods obmen uses; the export's is one request a new good (addInventoryProduct takes one product); a price changed alone goes in updateInventoryProductsPrices, a thousand a request.", if import_used as f64 <= import_fewest as f64 * 1.05 && export_used as f64 <= export_fewest as f64 * 1.05 && prices_used as f64 <= prices_fewest as f64 * 1.05 { "yes" } else { "no" });
    println!();
}
