//! Case 4: bad input from a user (server files) and from a shop (orders, and answers that are
//! not what the contract says). Each gets its clear error or goes to quarantine with its reason;
//! nothing is lost; the database is never half-written; nothing panics.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use hyper::Method;
use obmen::shopiko::sim::SimConfig;
use obmen::state::Outcome;
use obmen::warehouse::Dialect;
use serde_json::{json, Value};

use super::books::{self, Before};
use super::{search_secrets, seed, Row};
use crate::daemon::{rt, Daemon};
use crate::exchange::Setup;
use crate::shopiko::{API_ID, KEY};

fn validate(home: &Path, name: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_obmen")).args(["server", "validate", name]).env("OBMEN_HOME", home).env("OBMEN_LANG", "en").output().unwrap()
}

/// A valid server file's text, to spoil.
fn valid_file(name: &str) -> String {
    format!(
        "name = \"{name}\"\nkind = \"WarehousePro Import Export Shopiko\"\n\n[database]\ndialect = \"mysql\"\nconnection = \"Driver={{MariaDB Unicode}};Server=127.0.0.1;Database=wh;Uid=wh;Pwd=obmen-test\"\n\n[rules]\nobject = \"Централен Склад\"\nimport_every_min = 15\n\n[shopiko]\nurl = \"https://shop.example.bg/api\"\napi_id = \"{API_ID}\"\nkey = \"{KEY}\"\n"
    )
}

/// The server files: the corpus in tests/invalid_configs (each with the error it must give),
/// and files made here of what a corpus file cannot hold (bytes that are not UTF-8, a megabyte
/// string) or of numbers TOML and obmen must refuse. Returns (cases, failures, outputs).
fn config_cases() -> (u64, Vec<String>, Vec<String>) {
    let mut cases = 0;
    let mut failures = Vec::new();
    let mut outputs = Vec::new();
    let home = tempfile::tempdir().unwrap();
    let servers = home.path().join("servers");
    std::fs::create_dir_all(&servers).unwrap();
    let mut check = |label: &str, name: &str, bytes: &[u8], expect: Option<&str>| {
        cases += 1;
        let file = servers.join(format!("{name}.toml"));
        std::fs::write(&file, bytes).unwrap();
        let o = validate(home.path(), name);
        let (out, err) = (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned());
        let ok = match expect {
            // Refused: exit 78, naming the file and (where given) the field or words.
            Some(words) => o.status.code() == Some(78) && err.contains(&file.display().to_string()) && err.contains(words),
            None => o.status.success(),
        };
        if !ok || err.contains("panicked") {
            failures.push(format!("config {label}: exit {:?}\n{out}{err}", o.status.code()));
        }
        outputs.push(format!("{out}{err}"));
        std::fs::remove_file(&file).unwrap();
    };
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid_configs");
    let mut files: Vec<_> = std::fs::read_dir(&corpus).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for f in &files {
        let body = std::fs::read(f).unwrap();
        let text = String::from_utf8_lossy(&body).into_owned();
        let expect = text.lines().next().and_then(|l| l.strip_prefix("# expect: ")).unwrap_or("").to_owned();
        check(&f.file_name().unwrap().to_string_lossy(), "Shopiko", &body, Some(&expect));
    }
    let base = valid_file("Bad");
    let with = |from: &str, to: &str| {
        assert!(base.contains(from), "{from}");
        base.replacen(from, to, 1).into_bytes()
    };
    check("valid as written", "Bad", base.as_bytes(), None);
    check("NaN minutes", "Bad", &with("import_every_min = 15", "import_every_min = nan"), Some("rules.import_every_min"));
    check("infinite minutes", "Bad", &with("import_every_min = 15", "import_every_min = inf"), Some("rules.import_every_min"));
    check("negative minutes", "Bad", &with("import_every_min = 15", "import_every_min = -15"), Some("rules.import_every_min"));
    check("an integer past 64 bits", "Bad", &with("import_every_min = 15", "import_every_min = 99999999999999999999"), Some("line"));
    check("a fraction of a minute", "Bad", &with("import_every_min = 15", "import_every_min = 1.5"), Some("rules.import_every_min"));
    check("zero minutes", "Bad", &with("import_every_min = 15", "import_every_min = 0"), Some("rules.import_every_min"));
    check("minutes as an array", "Bad", &with("import_every_min = 15", "import_every_min = [15]"), Some("rules.import_every_min"));
    check("an object of a megabyte", "Bad", &with("\"Централен Склад\"", &format!("\"{}\"", "Я".repeat(1 << 19))), Some("rules.object"));
    let mut not_utf8 = base.clone().into_bytes();
    let at = not_utf8.len() - 2;
    not_utf8.splice(at..at, [0xff, 0xfe, 0xc3]);
    check("bytes that are not UTF-8", "Bad", &not_utf8, Some("UTF-8"));
    check("an empty file", "Bad", b"", Some("kind"));
    check("only a byte-order mark", "Bad", "\u{feff}".as_bytes(), Some("Bad.toml"));
    check("a key twice", "Bad", &with("import_every_min = 15", "import_every_min = 15\nimport_every_min = 20"), Some("line"));
    check("a section twice", "Bad", &with("[shopiko]", "[rules]\nhours = \"00:00-24:00\"\n[shopiko]"), Some("line"));
    check("SQL in the object's name (a name like any other)", "Bad", &with("\"Централен Склад\"", "\"x'; DROP TABLE store; --\""), None);
    check("right-to-left text and emoji in the object's name", "Bad", &with("\"Централен Склад\"", "\"מחסן مستودع 🏬\""), None);
    check("a NUL in the object's name", "Bad", &with("\"Централен Склад\"", "\"Централен\\u0000Склад\""), Some("rules.object"));
    check("an emoji in the server's name", "Bad🛒", valid_file("Bad🛒").as_bytes(), Some("name"));
    check("the hours past midnight twice", "Bad", &with("import_every_min = 15", "import_every_min = 15\nhours = \"25:00-26:00\""), Some("rules.hours"));
    check("weekdays that are no days", "Bad", &with("import_every_min = 15", "import_every_min = 15\nweekdays = \"funday\""), Some("rules.weekdays"));
    check(
        "clock times without minutes",
        "Bad",
        &with("import_every_min = 15", "import_every_min = 15\nimport = \"at\"\nimport_at = \"6\""),
        Some("rules.import_at"),
    );
    check("a shop timeout of a day", "Bad", &with("api_id =", "timeout_secs = 86400\napi_id ="), Some("shopiko.timeout_secs"));
    (cases, failures, outputs)
}

/// What became of an order the shop sent.
#[derive(Debug, PartialEq)]
enum Fate {
    Booked,
    SetAside(String),
    Lost,
}

/// What a case must come to: set aside, booked, or either (each with its reason where set aside).
#[derive(Clone, Copy, Debug)]
enum Expect {
    SetAside,
    Booked,
    Either,
}

/// The orders: a good order from the shop, spoilt one way each, placed among good ones and
/// imported by the daemon.
fn order_cases(row: &mut Row) -> (u64, Vec<String>) {
    let shop = SimConfig { seed_orders: 3, seed_products: 20, record_requests: true, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Mysql, 30, shop, &[("import", "\"on_start\""), ("sync_nomenclature", "false"), ("allow_negative_stock", "true")]);
    let home = setup.home.path();
    let path = home.join("servers/Shop.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("autostart = true\n{text}")).unwrap();
    let wh = setup.db.open();
    let before = Before::take(&wh);
    let good = serde_json::to_value(setup.sim.sim.order("100001").unwrap()).unwrap();
    let lines = good["lines"].clone();
    let mut cases: Vec<(&str, Expect, Value)> = Vec::new();
    let mut add = |label: &'static str, expect: Expect, change: &dyn Fn(&mut Value)| {
        let n = 900_000 + cases.len();
        let mut o = good.clone();
        o["id"] = json!(n.to_string());
        o["number"] = json!(format!("BAD-{n}"));
        o["acknowledged"] = Value::Null;
        change(&mut o);
        cases.push((label, expect, o));
    };
    use Expect::*;
    add("lines null", SetAside, &|o| o["lines"] = Value::Null);
    add("no payment", SetAside, &|o| {
        o.as_object_mut().unwrap().remove("payment");
    });
    add("a quantity as a number, not text", SetAside, &|o| o["lines"][0]["quantity"] = json!(2));
    add("a price NaN", SetAside, &|o| o["lines"][0]["unit_price"] = json!("NaN"));
    add("a price infinite", SetAside, &|o| o["lines"][0]["unit_price"] = json!("Infinity"));
    add("a quantity negative", SetAside, &|o| o["lines"][0]["quantity"] = json!("-3"));
    add("a quantity zero", SetAside, &|o| o["lines"][0]["quantity"] = json!("0"));
    add("a quantity past f64", SetAside, &|o| o["lines"][0]["quantity"] = json!("1e400"));
    add("a quantity past the largest allowed", SetAside, &|o| o["lines"][0]["quantity"] = json!("99999999999999999999"));
    add("an amount past the largest allowed", SetAside, &|o| o["lines"][0]["unit_price"] = json!("1000000000000"));
    add("a price negative", SetAside, &|o| o["lines"][0]["unit_price"] = json!("-5.00"));
    add("a VAT that is not a number", SetAside, &|o| o["lines"][0]["vat_percent"] = json!("abc"));
    add("an unknown SKU, nomenclature sync off", SetAside, &|o| o["lines"][0]["sku"] = json!("NO-SUCH-SKU"));
    add("an empty id", SetAside, &|o| o["id"] = json!(""));
    add("not an order at all", SetAside, &|o| *o = json!({ "totally": "not an order" }));
    add("a total that is not what the lines make", SetAside, &|o| o["totals"]["total"] = json!("0.01"));
    add("a currency no one has", SetAside, &|o| o["currency"] = json!("XXX"));
    add("a price with a comma", Either, &|o| o["lines"][0]["unit_price"] = json!("1,50"));
    add("a date that is no date", Either, &|o| o["created_at"] = json!("yesterday"));
    add("a NUL in the customer's name", Either, &|o| o["customer"]["first_name"] = json!("Иван\u{0}Петров"));
    add("a name of 100 KB", Either, &|o| o["customer"]["last_name"] = json!("Щ".repeat(50_000)));
    add("the same line id twice", Either, &|o| {
        let first = o["lines"][0].clone();
        o["lines"].as_array_mut().unwrap().push(first);
    });
    add("SQL in the names", Booked, &|o| {
        o["customer"]["first_name"] = json!("Robert'); DROP TABLE partners;--");
        o["lines"][0]["name"] = json!("x' OR '1'='1");
    });
    add("quotes and backslashes in the names", Booked, &|o| o["customer"]["last_name"] = json!("O'Brien \"Бобо\" \\ `x`"));
    add("emoji in the names", Booked, &|o| o["customer"]["first_name"] = json!("Мария 🌸👩‍👩‍👧"));
    add("right-to-left text in the address", Booked, &|o| {
        if let Some(a) = o["shipping"]["address"].as_object_mut() {
            a.insert("line1".into(), json!("שדרות רוטשילד 1، شارع"));
        }
        o["customer"]["company_name"] = json!("\u{202e}תירבע\u{202c}");
    });
    // Past the contract's 1,000 lines an order is set aside; if ever booked, it must be whole.
    add("an order of 5,000 lines", Either, &|o| {
        let line = lines[0].clone();
        let many: Vec<Value> = (0..5000)
            .map(|i| {
                let mut l = line.clone();
                l["line_id"] = json!(format!("L{i}"));
                l["quantity"] = json!("1");
                l
            })
            .collect();
        o["lines"] = json!(many);
        // The totals as the lines make them: 5,000 times the first line's price.
        let unit: f64 = line["unit_price"].as_str().unwrap().parse().unwrap();
        let pct: f64 = line["discount_percent"].as_str().unwrap_or("0").parse().unwrap_or(0.0);
        let each = (unit * (1.0 - pct / 100.0) * 100.0).round() / 100.0;
        let sum = format!("{:.2}", each * 5000.0);
        o["discounts"] = json!([]);
        o["totals"]["lines"] = json!(sum.clone());
        o["totals"]["discounts"] = json!("0.00");
        let shipping: f64 = o["totals"]["shipping"].as_str().unwrap_or("0").parse().unwrap_or(0.0);
        let total = format!("{:.2}", each * 5000.0 + shipping);
        o["totals"]["total"] = json!(total.clone());
        if o["payment"]["paid"] == true {
            o["payment"]["paid_amount"] = json!(total);
        }
    });
    let n = cases.len() as u64;
    for (_, _, o) in &cases {
        setup.sim.sim.place_raw(o.clone());
    }
    // The same order twice in the listing: booked once.
    let twice = cases.iter().find(|c| c.0 == "SQL in the names").unwrap().2.clone();
    setup.sim.sim.place_raw(twice);
    setup.sim.sim.add_orders(2);
    let mut d = Daemon::start(home);
    d.wait_for(Duration::from_secs(180), "the run over the bad orders", |d| {
        d.status("Shop")["state"] == "waiting" && d.status("Shop")["counters"]["runs"].as_u64().unwrap_or(0) >= 1
    });
    let set_aside: Vec<Value> = rt().block_on(d.client().call(Method::GET, "/v1/servers/Shop/quarantine", None)).unwrap();
    d.term();
    let booked: HashSet<String> = wh.query(&wh.dialect().sql("SELECT {OrderID} FROM {obmen_imports}"), (), |r| r.text(1)).unwrap().into_iter().collect();
    let mut failures = Vec::new();
    let mut aside_ids = HashSet::new();
    let mut readable = Vec::new();
    for (label, expect, o) in &cases {
        let id = o["id"].as_str().unwrap_or("");
        // By its id; one without an id by its number; one with neither is kept under a digest of
        // its JSON ("malformed-...").
        let number = o["number"].as_str().unwrap_or("");
        let entry = set_aside.iter().find(|e| {
            let (eid, enumber) = (e["order_id"].as_str().unwrap_or(""), e["order_number"].as_str().unwrap_or(""));
            (!id.is_empty() && eid == id)
                || (id.is_empty() && !number.is_empty() && enumber == number)
                || (id.is_empty() && number.is_empty() && eid.starts_with("malformed-"))
        });
        let fate = match (booked.contains(id) && !id.is_empty(), entry) {
            (true, _) => Fate::Booked,
            (false, Some(e)) => Fate::SetAside(e["reason"].as_str().unwrap_or("").to_owned()),
            (false, None) => Fate::Lost,
        };
        if let Some(e) = entry {
            aside_ids.insert(e["order_id"].as_str().unwrap_or("").to_owned());
        }
        if fate == Fate::Booked {
            if let Ok(order) = serde_json::from_value::<obmen::shopiko::model::Order>(o.clone()) {
                readable.push(order);
            }
        }
        let right = match (&fate, expect) {
            (Fate::Lost, _) => false,
            (Fate::SetAside(r), SetAside | Either) => !r.trim().is_empty(),
            (Fate::Booked, Booked | Either) => true,
            _ => false,
        };
        if !right {
            failures.push(format!("order '{label}': {fate:?}, wanted {expect:?}"));
        }
        row.detail.push_str(&format!(
            "{label}: {}; ",
            match &fate {
                Fate::Booked => "booked".to_owned(),
                Fate::SetAside(r) => format!("set aside ({})", r.chars().take(60).collect::<String>()),
                Fate::Lost => "LOST".to_owned(),
            }
        ));
    }
    let b = books::check(&setup, &wh, &before, &aside_ids, &readable);
    row.documents += b.documents;
    row.lost += b.lost;
    row.duplicated += b.duplicated;
    failures.extend(b.problems.iter().map(|p| format!("books: {p}")));
    if b.lost + b.duplicated > 0 {
        failures.push(format!("books: {} lost, {} duplicated", b.lost, b.duplicated));
    }
    let stderr = std::fs::read_to_string(home.join("daemon.stderr")).unwrap_or_default();
    if stderr.contains("panicked") {
        failures.push(format!("the daemon panicked: {stderr}"));
    }
    let (searched, found) = search_secrets(home, &[], &setup.sim.sim.recorded());
    row.secrets_searched += searched;
    row.secrets_found += found;
    // The order of 5,000 lines is whole: 5,000 lines on its document.
    if let Some(big) = cases.iter().find(|c| c.0 == "an order of 5,000 lines").filter(|c| booked.contains(c.2["id"].as_str().unwrap())) {
        let acct: Vec<i32> = wh
            .query(
                &wh.dialect().sql("SELECT {Acct} FROM {obmen_imports} WHERE {OrderID} = ?"),
                obmen::warehouse::Params::new().text(big.2["id"].as_str().unwrap()).as_slice(),
                |r| r.i32(1),
            )
            .unwrap();
        let lines: Vec<i32> =
            wh.query(&wh.dialect().sql("SELECT COUNT(*) FROM {operations} WHERE {OperType} = 2 AND {Acct} = ?"), &acct[0], |r| r.i32(1)).unwrap();
        if lines[0] < 5000 {
            failures.push(format!("the order of 5,000 lines has {} lines in Warehouse Pro", lines[0]));
        }
    }
    (n + 1, failures)
}

/// A shop whose answers break the contract: each run ends with a clear error naming what came,
/// and books nothing it should not.
fn answer_cases() -> (u64, Vec<String>) {
    let mut failures = Vec::new();
    type Answer = Box<dyn Fn(&str, &str) -> (u16, String) + Send + Sync>;
    let kinds: Vec<(&str, Answer)> = vec![
        ("a body cut short", Box::new(|_, _| (200, "{\"orders\": [{\"id\": \"1\", \"num".to_owned()))),
        ("a body that is not JSON", Box::new(|_, _| (200, "<html><body>Bad Gateway</body></html>".to_owned()))),
        ("an empty body", Box::new(|_, _| (200, String::new()))),
        ("JSON of another shape", Box::new(|_, _| (200, "[1, 2, 3]".to_owned()))),
        (
            "a cursor that goes round",
            Box::new(|_, q| (200, json!({ "orders": [], "next_cursor": if q.contains("since=A") { "B" } else { "A" }, "has_more": true }).to_string())),
        ),
        ("a 500 with HTML", Box::new(|_, _| (500, "<h1>Internal Server Error</h1>".to_owned()))),
        ("a 200 that carries an error", Box::new(|_, _| (200, json!({ "error": { "code": "maintenance", "message": "в профилактика" } }).to_string()))),
    ];
    let n = kinds.len() as u64;
    for (label, route) in kinds {
        let shop = SimConfig::new(API_ID, KEY);
        let mut s = Setup::new(Dialect::Mysql, 5, shop, &[]);
        s.sim.url = crate::hostile::scripted(&s.rt, move |path, query| crate::hostile::empty_lists(path).unwrap_or_else(|| route(path, query)));
        s.write_server(&[]);
        let summary = s.run(false);
        let message = summary.error().map(|e| e.message.clone()).unwrap_or_default();
        if summary.outcome != Outcome::Failed || message.trim().is_empty() {
            failures.push(format!("answer '{label}': {:?} {message}", summary.outcome));
        }
        if s.db.open().imported_count(API_ID).unwrap() != 0 {
            failures.push(format!("answer '{label}': something was booked"));
        }
    }
    // The same order on two pages: booked once.
    let shop = SimConfig { seed_orders: 3, seed_products: 5, ..SimConfig::new(API_ID, KEY) };
    let mut s = Setup::new(Dialect::Mysql, 5, shop, &[("allow_negative_stock", "true")]);
    let order = serde_json::to_value(s.sim.sim.order("100001").unwrap()).unwrap();
    s.sim.url = crate::hostile::scripted(&s.rt, move |path, query| {
        if let Some(r) = crate::hostile::empty_lists(path) {
            return r;
        }
        if path.ends_with("/acknowledge") {
            return (200, json!({ "acknowledged": true }).to_string());
        }
        match query.contains("since=P2") {
            false => (200, json!({ "orders": [order], "next_cursor": "P2", "has_more": true }).to_string()),
            true => (200, json!({ "orders": [order], "next_cursor": "P3", "has_more": false }).to_string()),
        }
    });
    s.write_server(&[("allow_negative_stock", "true")]);
    let _ = s.run(false);
    let booked = s.db.open().imported_count(API_ID).unwrap();
    if booked != 1 {
        failures.push(format!("answer 'the same order on two pages': booked {booked} times"));
    }
    (n + 1, failures)
}

#[test]
fn case_4_bad_input_from_a_user_or_a_shop_gets_its_reason_and_nothing_is_lost() {
    let (mut row, started) = Row::new("4. bad input: server files, orders and answers", seed(0));
    let (config_n, mut failures, outputs) = config_cases();
    let (order_n, order_failures) = order_cases(&mut row);
    let (answer_n, answer_failures) = answer_cases();
    failures.extend(order_failures);
    failures.extend(answer_failures);
    let (searched, found) = search_secrets(Path::new("/nonexistent"), &outputs, &[]);
    row.secrets_searched += searched;
    row.secrets_found += found;
    row.cases = config_n + order_n + answer_n;
    row.faults = row.cases;
    row.detail =
        format!("{config_n} server files, {order_n} orders, {answer_n} shop answers; {} not as they should be. Orders: {}", failures.len(), row.detail);
    let found = row.secrets_found;
    row.record(started);
    assert!(config_n + order_n + answer_n >= 60, "at least 60 cases");
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(found, 0);
}
