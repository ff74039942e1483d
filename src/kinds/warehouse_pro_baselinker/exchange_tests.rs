//! The BaseLinker shop through the Warehouse Pro core, on a real SQLite database through its ODBC
//! driver and the simulator on loopback: what the kind's registration will run.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::shop::{Account, BaseLinkerShop};
use super::testing::{account, client, identity};
use crate::baselinker::sim::{Running, Sim, SimConfig};
use crate::config::Home;
use crate::kinds::warehouse_pro::run::{run, Runner};
use crate::kinds::warehouse_pro::settings::{Base, Database, RuleSettings};
use crate::kinds::warehouse_pro::Report;
use crate::kinds::{Details, Events, Job, RunContext, RunSummary};
use crate::secret::Secret;
use crate::state::State;
use crate::warehouse::{Dialect, Warehouse};

struct Setup {
    dir: tempfile::TempDir,
    connection: String,
    sim: Sim,
    running: Running,
}

impl Setup {
    async fn new(config: SimConfig) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let connection = format!("Driver=SQLite3;Database={};", dir.path().join("wh.db").display());
        Warehouse::connect(&connection, Dialect::Sqlite).unwrap().init(40).unwrap();
        let running = Running::start(config).await.unwrap();
        Setup { dir, connection, sim: running.sim.clone(), running }
    }

    async fn run(&self, dry_run: bool) -> (RunSummary, Report) {
        self.run_job(Job { import: true, export: false, dry_run, full: false }).await
    }

    async fn run_job(&self, job: Job) -> (RunSummary, Report) {
        let base = Base {
            name: "BL".into(),
            path: self.dir.path().join("servers/BL.toml"),
            database: Database { dialect: Dialect::Sqlite, connection: Secret::new(&self.connection), login_timeout_secs: 15, query_timeout_secs: 300 },
            rules: RuleSettings {
                object: "Централен Склад".into(),
                allow_negative_stock: true,
                guest_partner: "Клиент от BaseLinker".into(),
                export_goods: true,
                ..RuleSettings::default()
            },
        };
        // Every confirmed order, whatever its status.
        let account = Account { import_statuses: vec![], ..account() };
        let url = &self.running.url;
        let shop = BaseLinkerShop::new(client(url, "t", Duration::from_secs(20)), url, identity(), account);
        let runner = Runner {
            base,
            kind: "WarehousePro Import Export BaseLinker".into(),
            open_shop: Box::new(move |_| Ok(shop)),
            details: |r| Details::WarehouseProBaselinker(Box::new(r)),
        };
        let state = State::open(&self.dir.path().join("state.db")).await.unwrap();
        let ctx = RunContext { home: Home { root: self.dir.path().to_owned() }, state, cancel: CancellationToken::new(), events: Events::none() };
        let summary = run(runner, ctx, job).await;
        let Details::WarehouseProBaselinker(report) = &summary.details else { panic!("{summary:#?}") };
        let report = (**report).clone();
        (summary, report)
    }
}

/// Every confirmed order once: those in a currency the database holds booked, each then told by
/// its document number and moved to the status after import; those in one it lacks (PLN) set
/// aside and moved to the error status; unlinked lines matched by their SKU; unconfirmed orders
/// never, until confirmed; a second run books nothing; a dry run writes nothing anywhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baselinker_orders_are_booked_once_and_told_after_the_commit() {
    let s = Setup::new(SimConfig { seed_orders: 12, seed_unconfirmed: 2, requests_per_minute: None, ..SimConfig::new("t") }).await;
    let (dry, report) = s.run(true).await;
    assert!(dry.errors.is_empty(), "{dry:#?}");
    assert!(report.import.unwrap().imported.is_empty());
    assert!(s.sim.stats().status_changes.is_empty(), "a dry run tells the shop nothing");

    let before = s.sim.stats().requests.values().sum::<u64>();
    let (summary, report) = s.run(false).await;
    assert!(summary.errors.is_empty(), "{summary:#?}");
    // Its round trips, counted: every request the simulator took is in the run's phases (this
    // shop was opened without reading the account's lists), and the database was sent statements.
    let during: u64 = summary.shop_requests.values().sum();
    assert_eq!(during, s.sim.stats().requests.values().sum::<u64>() - before, "{:?}", summary.shop_requests);
    assert!(summary.statements.get(&crate::kinds::Phase::Import).is_some_and(|n| *n > 12), "{:?}", summary.statements);
    let import = report.import.unwrap();
    let ids = 5_000_001..=5_000_012;
    let pln: Vec<i64> = ids.clone().filter(|id| s.sim.order(*id).unwrap()["currency"] == "PLN").collect();
    assert_eq!(import.imported.len() + import.quarantined.len(), 12, "{import:#?}");
    assert_eq!(import.quarantined.len(), pln.len(), "{import:#?}");
    assert!(import.quarantined.iter().all(|q| q.reason.contains("PLN")), "{:?}", import.quarantined);
    for id in ids.clone() {
        let o = s.sim.order(id).unwrap();
        if pln.contains(&id) {
            assert_eq!(o["order_status_id"], 1003, "{id}: set aside, moved to the error status");
            assert_eq!(o["custom_extra_fields"]["501"], serde_json::Value::Null);
        } else {
            let booked = import.imported.iter().find(|i| i.order == id.to_string()).unwrap_or_else(|| panic!("{id}: {import:#?}"));
            assert_eq!(o["order_status_id"], 1002, "{id}");
            assert_eq!(o["custom_extra_fields"]["501"].as_str(), Some(booked.document.as_str()), "{id}");
        }
    }
    let unlinked =
        ids.clone().filter(|id| !pln.contains(id)).any(|id| s.sim.order(id).unwrap()["products"].as_array().unwrap().iter().any(|p| p["product_id"] == ""));
    assert!(unlinked, "the seed has a booked order with a line linked to no catalogue product");
    assert!(import.goods_created.is_empty(), "every line found in the database, unlinked ones by their SKU: {:?}", import.goods_created);

    let told = s.sim.stats().status_changes.len();
    let (_, again) = s.run(false).await;
    let again = again.import.unwrap();
    assert_eq!(s.sim.stats().status_changes.len(), told, "orders still set aside are not told again");
    assert!(again.imported.is_empty(), "{again:#?}");
    // The quarantine is tried again each run: the same orders, still set aside, nothing booked.
    let mut still: Vec<String> = again.quarantined.iter().map(|q| q.order.clone()).collect();
    still.sort();
    assert_eq!(still, pln.iter().map(i64::to_string).collect::<Vec<_>>());

    let unconfirmed = 5_000_013;
    assert!(s.sim.confirm(unconfirmed));
    let (_, late) = s.run(false).await;
    let late = late.import.unwrap();
    let mut came: Vec<String> = late.imported.iter().map(|i| i.order.clone()).chain(late.quarantined.iter().map(|q| q.order.clone())).collect();
    came.retain(|o| !pln.iter().any(|p| p.to_string() == *o));
    assert_eq!(came, [unconfirmed.to_string()], "{late:#?}");
    assert_ne!(s.sim.order(unconfirmed).unwrap()["order_status_id"], 1001, "told either way");
    assert_eq!(s.sim.order(5_000_014).unwrap()["order_status_id"], 1001, "still unconfirmed: untouched");
}

/// Lines linked to no catalogue product are found by SKU, then EAN, then name; one with no SKU
/// that nothing matches is set aside with what to do (a good is never made without a code), and
/// the order moves to the error status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlinked_lines_are_found_by_sku_then_ean_then_name() {
    let s = Setup::new(SimConfig { seed_orders: 3, requests_per_minute: None, ..SimConfig::new("t") }).await;
    let good = |i: u64| crate::warehouse::demo::good(i);
    let line = |id: i64, sku: &str, ean: &str, name: &str| {
        serde_json::json!({ "storage": "", "storage_id": 0, "order_product_id": id, "product_id": "", "variant_id": "0",
            "name": name, "sku": sku, "ean": ean, "price_brutto": 10.0, "tax_rate": 20, "quantity": 1 })
    };
    // 5000002 (EUR) and 5000003 (BGN): the first by EAN and by name, the second by nothing.
    let (g3, g4) = (good(3), good(4));
    assert!(s.sim.edit_order(5_000_002, |o| {
        o["products"] = serde_json::json!([line(1, "", &g3.barcodes[0], "Whatever the shop calls it"), line(2, "", "", &g4.name)]);
        o["payment_done"] = serde_json::json!(29.99);
    }));
    assert!(s.sim.edit_order(5_000_003, |o| {
        o["products"] = serde_json::json!([line(3, "", "0000000000000", "Nothing like it")]);
        o["payment_done"] = serde_json::json!(19.99);
    }));
    let (summary, report) = s.run(false).await;
    assert!(summary.errors.is_empty(), "{summary:#?}");
    let import = report.import.unwrap();
    assert!(import.imported.iter().any(|i| i.order == "5000002"), "{import:#?}");
    let wh = Warehouse::connect(&s.connection, Dialect::Sqlite).unwrap();
    let sold: Vec<i32> = wh.query(&wh.dialect().sql("SELECT {GoodID} FROM {operations} WHERE {OperType} = 2 ORDER BY {ID}"), (), |r| r.i32(1)).unwrap();
    let ids = |code: &str| wh.goods_by_code(code).unwrap().iter().map(|g| g.id).collect::<Vec<_>>();
    assert!(ids(&g3.code).iter().all(|id| sold.contains(id)) && ids(&g4.code).iter().all(|id| sold.contains(id)), "{sold:?}");
    let set_aside = import.quarantined.iter().find(|q| q.order == "5000003").unwrap_or_else(|| panic!("{import:#?}"));
    assert!(set_aside.reason.contains("'Nothing like it'") && set_aside.reason.contains("0000000000000"), "{}", set_aside.reason);
    assert_eq!(s.sim.order(5_000_003).unwrap()["order_status_id"], 1003);
    assert!(import.goods_created.is_empty(), "{:?}", import.goods_created);
}

/// Goods go to the catalogue once, each with its price (no price request on its own); a price
/// changed alone goes with the others in one `updateInventoryProductsPrices`, never a product
/// request each, a dry run counts it and sends nothing; a name
/// changed goes as a product, with no price request; nothing changed, nothing goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_price_changed_alone_goes_in_one_batch_of_prices() {
    let s = Setup::new(SimConfig { requests_per_minute: None, ..SimConfig::new("t") }).await;
    let export = |dry_run| Job { import: false, export: true, dry_run, full: false };
    let calls = |method: &str| s.sim.stats().requests.get(method).copied().unwrap_or(0);
    let (summary, report) = s.run_job(export(false)).await;
    assert!(summary.errors.is_empty(), "{summary:#?}");
    let first = report.export.unwrap();
    assert!(first.refused.is_empty(), "{:?}", first.refused);
    assert_eq!(first.products_sent, 40, "{first:#?}");
    assert_eq!((first.prices_sent, calls("addInventoryProduct"), calls("updateInventoryProductsPrices")), (0, 40, 0));

    let wh = Warehouse::connect(&s.connection, Dialect::Sqlite).unwrap();
    let goods: Vec<_> = (1..=3).map(|i| wh.goods_by_code(&crate::warehouse::demo::good(i).code).unwrap().remove(0)).collect();
    for g in &goods {
        wh.exec(&wh.dialect().sql("UPDATE {goods} SET {PriceOut2} = 99 WHERE {ID} = ?"), &g.id).unwrap();
    }
    let (_, dry) = s.run_job(export(true)).await;
    let dry = dry.export.unwrap();
    assert_eq!((dry.products_sent, dry.prices_sent), (0, 3), "{dry:#?}");
    assert_eq!(calls("updateInventoryProductsPrices"), 0, "a dry run sends nothing");

    let (summary, report) = s.run_job(export(false)).await;
    assert!(summary.errors.is_empty(), "{summary:#?}");
    let priced = report.export.unwrap();
    assert_eq!((priced.products_sent, priced.prices_sent), (0, 3), "{priced:#?}");
    assert_eq!((calls("addInventoryProduct"), calls("updateInventoryProductsPrices")), (40, 1), "one request for the three");
    for g in &goods {
        let p = s.sim.products().into_iter().find(|p| p["sku"] == g.code.as_str()).unwrap();
        // The database's base currency is the euro, as the price group's.
        let gross = crate::warehouse::document::round2(99.0 * (1.0 + g.vat_percent / 100.0));
        assert_eq!(p["prices"]["106"].as_f64(), Some(gross), "99 with VAT: {p}");
    }

    wh.exec(
        &wh.dialect().sql("UPDATE {goods} SET {Name} = ? WHERE {ID} = ?"),
        crate::warehouse::Params::new().text("Чай мента 20 пакетчета").int(goods[0].id).as_slice(),
    )
    .unwrap();
    let (_, named) = s.run_job(export(false)).await;
    let named = named.export.unwrap();
    assert_eq!((named.products_sent, named.prices_sent), (1, 0), "{named:#?}");
    assert_eq!((calls("addInventoryProduct"), calls("updateInventoryProductsPrices")), (41, 1));
    let (_, quiet) = s.run_job(export(false)).await;
    let quiet = quiet.export.unwrap();
    assert_eq!((quiet.products_sent, quiet.prices_sent), (0, 0), "{quiet:#?}");
    assert_eq!((calls("addInventoryProduct"), calls("updateInventoryProductsPrices")), (41, 1));
}
