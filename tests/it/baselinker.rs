//! The "WarehousePro Import Export BaseLinker" kind against real MariaDB and SQLite through ODBC
//! and the BaseLinker simulator over HTTP on loopback, through the Kind API and the daemon as
//! the command line and the TUI reach them: every confirmed order booked once, told by its
//! document number and status, those it cannot book moved to the error status, unconfirmed ones
//! never until confirmed, dry runs that change nothing; and in one daemon, two servers sharing
//! one token under the simulator's limit beside a Shopiko server, on one database.

use std::collections::HashSet;
use std::time::Duration;

use obmen::baselinker::sim::{Running, SimConfig};
use obmen::config::{Home, ServerFile};
use obmen::kinds::{Events, Job, RunContext, RunSummary, Server};
use obmen::state::{Outcome, State};
use obmen::warehouse::{Dialect, OperType, Warehouse};
use serde_json::Value;

use crate::daemon::Daemon;
use crate::exchange::KindReport;
use crate::support::TestDb;

pub const TOKEN: &str = "5001-0a1b2c3d4e5f60718293a4b5c6d7e8f9";
/// The import log's source: the simulated account's catalogue.
pub const SOURCE: &str = "baselinker:301";
const KIND: &str = "WarehousePro Import Export BaseLinker";
const NEW: i64 = 1001;
pub const BOOKED: i64 = 1002;
pub const SET_ASIDE: i64 = 1003;

/// A Warehouse Pro database, a BaseLinker account, and servers joining them.
pub struct BlSetup {
    pub db: TestDb,
    pub home: tempfile::TempDir,
    pub sim: Running,
    rt: tokio::runtime::Runtime,
}

/// The account's rules every test uses, by the account's own names.
pub const RULES: &[(&str, &str)] = &[
    ("object", "\"Централен Склад\""),
    ("allow_negative_stock", "true"),
    ("import_statuses", "\"Nowe zamówienia\""),
    ("status_after_import", "\"Wprowadzono do magazynu\""),
    ("status_on_error", "\"Błąd importu\""),
    ("document_field", "\"Numer dokumentu Warehouse Pro\""),
];

impl BlSetup {
    pub fn new(db: TestDb, config: SimConfig) -> BlSetup {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let sim = rt.block_on(Running::start(config)).unwrap();
        BlSetup { db, home: tempfile::tempdir().unwrap(), sim, rt }
    }

    /// Writes servers/NAME.toml: these rules, and `[baselinker]` with these lines more.
    pub fn write_server(&self, name: &str, rules: &[(&str, &str)], baselinker: &str) {
        let rules: String = rules.iter().map(|(k, v)| format!("{k} = {v}\n")).collect();
        let text = format!(
            "name = \"{name}\"\nkind = \"{KIND}\"\n\n[database]\ndialect = \"{}\"\nconnection = \"{}\"\n\n[rules]\n{rules}\n[baselinker]\nurl = \"{}\"\ntoken = \"{TOKEN}\"\nprice_group = \"Detal EUR\"\n{baselinker}\n",
            self.db.dialect,
            self.db.connection.replace('\\', "\\\\").replace('"', "\\\""),
            self.sim.url,
        );
        let dir = self.home.path().join("servers");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.toml")), text).unwrap();
    }

    fn state(&self) -> State {
        self.rt.block_on(State::open(&self.home.path().join("state.db"))).unwrap()
    }

    /// Runs a job of server NAME through the Kind API, as the command line does.
    fn run(&self, name: &str, job: Job) -> RunSummary {
        let file = ServerFile::load(&self.home.path().join(format!("servers/{name}.toml"))).unwrap_or_else(|e| panic!("{e}"));
        let server = Server::load(&file).unwrap_or_else(|e| panic!("{e}"));
        let ctx = RunContext { home: Home { root: self.home.path().to_owned() }, state: self.state(), cancel: Default::default(), events: Events::none() };
        self.rt.block_on(server.run(ctx, job))
    }

    fn import(&self, dry_run: bool) -> RunSummary {
        self.run("Shop", Job { import: true, export: false, dry_run, full: false })
    }

    pub fn order(&self, id: i64) -> Value {
        self.sim.sim.order(id).unwrap_or_else(|| panic!("no order {id}"))
    }

    /// Every order the simulator holds: (id, confirmed, currency).
    pub fn orders(&self) -> Vec<(i64, bool, String)> {
        self.sim
            .sim
            .orders()
            .into_iter()
            .map(|o| (o["order_id"].as_i64().unwrap(), o["confirmed"] == true, o["currency"].as_str().unwrap_or("").to_owned()))
            .collect()
    }
}

fn count(wh: &Warehouse, table: &str) -> i64 {
    wh.query(&wh.dialect().sql(&format!("SELECT COUNT(*) FROM {{{table}}}")), (), |r| r.i32(1)).unwrap()[0] as i64
}

on_both!(sqlite, mysql; confirmed_orders_are_booked_once_and_told_and_the_rest_moved_or_left);

/// Every confirmed order in the chosen status once: those in a currency the database holds
/// booked, each then holding its document number in the document field and moved to the status
/// after import; those in PLN, which the database lacks, set aside and moved to the error
/// status; unconfirmed ones never, until confirmed; a second run books nothing; a dry run
/// writes nothing to the database, obmen's state or the account.
fn confirmed_orders_are_booked_once_and_told_and_the_rest_moved_or_left(d: Dialect) {
    let s = BlSetup::new(TestDb::with_demo(d, 40), SimConfig { seed_orders: 24, seed_unconfirmed: 4, requests_per_minute: None, ..SimConfig::new(TOKEN) });
    s.write_server("Shop", RULES, "");
    let wh = s.db.open();

    // A dry run first: nothing anywhere.
    let operations = count(&wh, "operations");
    let dry = s.import(true);
    assert_ne!(dry.outcome, Outcome::Failed, "{dry:#?}");
    assert!(!dry.report().import.unwrap().planned.is_empty(), "{dry:#?}");
    assert_eq!(count(&wh, "operations"), operations);
    assert_eq!(s.sim.sim.stats().status_changes, [], "the account was not touched");
    assert!(s.orders().iter().all(|(id, ..)| s.order(*id)["custom_extra_fields"].get("501").is_none()));

    let summary = s.import(false);
    assert_eq!(summary.outcome, Outcome::Partial, "the PLN orders are set aside: {summary:#?}");
    let report = summary.report().import.unwrap();
    let orders = s.orders();
    let (confirmed, unconfirmed): (Vec<_>, Vec<_>) = orders.iter().partition(|(_, c, _)| *c);
    assert_eq!((confirmed.len(), unconfirmed.len()), (24, 4));
    let bookable: Vec<i64> = confirmed.iter().filter(|(_, _, cur)| cur != "PLN").map(|(id, ..)| *id).collect();
    let pln: Vec<i64> = confirmed.iter().filter(|(_, _, cur)| cur == "PLN").map(|(id, ..)| *id).collect();
    assert!(!bookable.is_empty() && !pln.is_empty(), "{orders:?}");
    assert_eq!(report.imported.len(), bookable.len(), "{report:#?}");
    assert_eq!(report.quarantined.len(), pln.len(), "{report:#?}");
    for id in &bookable {
        let logged = wh.imported(SOURCE, &id.to_string()).unwrap().unwrap_or_else(|| panic!("order {id} is not in the import log"));
        let o = s.order(*id);
        assert_eq!(o["custom_extra_fields"]["501"].as_str(), Some(format!("{:010}", logged.acct).as_str()), "order {id}: {o}");
        assert_eq!(o["order_status_id"], BOOKED, "order {id}");
        assert!(!wh.document_lines(OperType::SALE, logged.acct).unwrap().is_empty());
    }
    for id in &pln {
        assert!(wh.imported(SOURCE, &id.to_string()).unwrap().is_none());
        let o = s.order(*id);
        assert_eq!((o["order_status_id"].as_i64(), o["custom_extra_fields"].get("501")), (Some(SET_ASIDE), None), "order {id}");
    }
    for (id, ..) in &unconfirmed {
        assert!(wh.imported(SOURCE, &id.to_string()).unwrap().is_none(), "unconfirmed {id} was booked");
        assert_eq!(s.order(*id)["order_status_id"], NEW);
    }
    // Every status change was of an order booked or set aside, each once.
    let changes = s.sim.sim.stats().status_changes;
    assert_eq!(changes.len(), bookable.len() + pln.len(), "{changes:?}");
    assert_eq!(changes.iter().map(|(o, _)| *o).collect::<HashSet<_>>().len(), changes.len(), "{changes:?}");

    // Again: nothing new is booked, and the set-aside orders are not told again.
    let operations = count(&wh, "operations");
    let again = s.import(false);
    assert_eq!(again.report().import.unwrap().imported.len(), 0, "{again:#?}");
    assert_eq!(count(&wh, "operations"), operations);
    assert_eq!(s.sim.sim.stats().status_changes.len(), changes.len());

    // An unconfirmed order confirmed later comes in then, once.
    let later = unconfirmed[0].0;
    assert!(s.sim.sim.confirm(later));
    let third = s.import(false);
    let imported = third.report().import.unwrap().imported;
    let later_currency = &s.orders().into_iter().find(|(id, ..)| *id == later).unwrap().2;
    if later_currency == "PLN" {
        assert!(imported.is_empty(), "{third:#?}");
        assert_eq!(s.order(later)["order_status_id"], SET_ASIDE);
    } else {
        assert_eq!(imported.len(), 1, "{third:#?}");
        assert!(wh.imported(SOURCE, &later.to_string()).unwrap().is_some());
        assert_eq!(s.order(later)["order_status_id"], BOOKED);
    }
    assert_eq!(wh.imported_count(SOURCE).unwrap() as usize, bookable.len() + usize::from(later_currency != "PLN"));
}

/// In one daemon, on one MariaDB database: two BaseLinker servers that use one token, both
/// importing the account's orders and one exporting goods, draw on one limiter and never pass the
/// simulator's limit (60 requests a minute, both servers' files saying 60); a Shopiko server
/// imports its shop's orders beside them. Every order is booked once.
#[test]
fn two_servers_of_one_token_stay_under_its_limit_beside_a_shopiko_server_in_one_daemon() {
    let limit = 60;
    let s = BlSetup::new(
        TestDb::with_demo(Dialect::Mysql, 30),
        SimConfig { seed_orders: 12, seed_unconfirmed: 2, requests_per_minute: Some(limit), block: Duration::from_secs(30), ..SimConfig::new(TOKEN) },
    );
    let rpm = format!("requests_per_minute = {limit}\n");
    let mut rules: Vec<(&str, &str)> = RULES.to_vec();
    rules.extend([("import", "\"on_start\""), ("export", "\"on_start\""), ("export_goods", "true")]);
    s.write_server("Shop", &rules, &rpm);
    let mut second: Vec<(&str, &str)> = RULES.to_vec();
    second.extend([("import", "\"on_start\"")]);
    s.write_server("Shop2", &second, &rpm);
    // A Shopiko server on the same database, its shop's simulator in this process.
    let shopiko = s.rt.block_on(crate::shopiko::start_sim(crate::harness::seed(8, 30)));
    let text = format!(
        "name = \"Shopiko\"\nkind = \"WarehousePro Import Export Shopiko\"\n\n[database]\ndialect = \"mysql\"\nconnection = \"{}\"\n\n[rules]\nobject = \"Централен Склад\"\nallow_negative_stock = true\nimport = \"on_start\"\n\n{}",
        s.db.connection.replace('\\', "\\\\").replace('"', "\\\""),
        crate::harness::ShopHarness::section(&shopiko),
    );
    std::fs::write(s.home.path().join("servers/Shopiko.toml"), text).unwrap();
    for name in ["Shop", "Shop2", "Shopiko"] {
        crate::daemon::obmen(s.home.path(), &["server", "edit", name, "--set", "autostart=true"]);
    }

    let daemon = Daemon::start(s.home.path());
    let wh = s.db.open();
    let bookable = s.orders().into_iter().filter(|(_, c, cur)| *c && cur != "PLN").count();
    let state = s.state();
    let done = |_: &Daemon| {
        let ended = |n: &str| s.rt.block_on(state.runs(n, 5)).unwrap().iter().any(|r| r.ended_at.is_some());
        ["Shop", "Shop2", "Shopiko"].iter().all(|n| ended(n))
    };
    daemon.wait_for(Duration::from_secs(240), "the three servers' first runs", done);
    let stats = s.sim.sim.stats();
    assert!(stats.most_in_a_minute <= u64::from(limit), "{stats:#?}");
    assert_eq!(stats.errors.get("ERROR_USER_ACCOUNT_BLOCKED"), None, "{stats:#?}");
    let used: u64 = stats.requests.values().sum();
    assert!(used > u64::from(limit) / 2, "the two servers used the token enough to matter: {stats:#?}");
    // Each BaseLinker order once, whichever server booked it; the Shopiko orders beside them.
    assert_eq!(wh.imported_count(SOURCE).unwrap() as usize, bookable);
    assert_eq!(wh.imported_count(crate::shopiko::API_ID).unwrap(), 8);
    let documents: i64 =
        wh.query(&wh.dialect().sql("SELECT COUNT(DISTINCT {Acct}) FROM {operations} WHERE {OperType} = 2"), (), |r| r.i32(1)).unwrap()[0] as i64;
    assert_eq!(documents as usize, bookable + 8);
    assert!(!s.sim.sim.products().is_empty(), "goods went to the catalogue");
}
