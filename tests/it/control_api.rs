//! The control API as the real daemon serves it over its socket: every endpoint's answer holds
//! its reviewed shape (fields and types, not prose) and reads as the protocol's type the typed
//! client uses; and each request is answered in its caller's language, whatever the daemon's.

use std::time::Duration;

use hyper::Method;
use obmen::config::Lang;
use obmen::control::protocol as P;
use obmen::control::{client::segment, Client};
use obmen::i18n::Msg;
use obmen::shopiko::sim::SimConfig;
use obmen::warehouse::Dialect;
use serde_json::{json, Value};

use crate::daemon::{rt, Daemon};
use crate::exchange::{json_shape, order, Setup};
use crate::shopiko::{API_ID, KEY};

/// A raw answer, and the same read as the protocol's type.
fn both<T: serde::de::DeserializeOwned>(client: &Client, method: Method, path: &str, body: Option<Value>) -> (Value, T) {
    let v: Value = rt().block_on(client.call(method, path, body)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let typed = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{path} as the protocol's type: {e}: {v}"));
    (v, typed)
}

/// An error answer: its status and body.
fn refused(client: &Client, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    match rt().block_on(client.call::<Value>(method, path, body)) {
        Err(obmen::control::ClientError::Api { status, code, message }) => (status, json!({ "error": message, "code": code })),
        other => panic!("{path}: not refused: {other:?}"),
    }
}

#[test]
fn every_endpoints_answer_keeps_its_shape_and_reads_as_the_protocols_type() {
    let shop = SimConfig { seed_orders: 2, seed_products: 10, ..SimConfig::new(API_ID, KEY) };
    let s = Setup::new(Dialect::Sqlite, 12, shop, &[("sync_nomenclature", "false"), ("import", "\"never\"")]);
    s.shop().place(&order("720001", "GONE-1", "1", "2.00"));
    let home = s.home.path();
    let d = Daemon::start(home);
    let c = d.client();
    let shop = segment("Shop");
    let mut shapes: Vec<(&str, Value)> = Vec::new();
    let (v, _): (_, P::Health) = both(&c, Method::GET, "/v1/health", None);
    shapes.push(("GET /v1/health", v));
    let (v, _): (_, Vec<P::KindEntry>) = both(&c, Method::GET, "/v1/kinds", None);
    shapes.push(("GET /v1/kinds", v));
    let (v, _): (_, P::Started) = both(&c, Method::POST, &format!("/v1/servers/{shop}/start"), None);
    shapes.push(("POST /v1/servers/NAME/start", v));
    d.wait_state("Shop", "waiting", Duration::from_secs(20));
    // A run through the daemon, as a stream of lines.
    let mut lines = Vec::new();
    rt().block_on(c.stream(Method::POST, &format!("/v1/servers/{shop}/run"), Some(json!({ "import": true })), |v| {
        let end = matches!(v["event"]["event"].as_str(), Some("finished" | "failed"));
        lines.push(v);
        !end
    }))
    .unwrap();
    for v in &lines {
        let _: P::RunStreamLine = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("a run line: {e}: {v}"));
    }
    shapes.push(("POST /v1/servers/NAME/run (accepted)", lines[0].clone()));
    shapes.push(("POST /v1/servers/NAME/run (the end)", lines.last().cloned().unwrap()));
    // Its end told, the server is waiting again (the list's shape is a waiting server's).
    d.wait_state("Shop", "waiting", Duration::from_secs(20));
    let (v, _): (_, Vec<P::ServerEntry>) = both(&c, Method::GET, "/v1/servers", None);
    shapes.push(("GET /v1/servers", v));
    let (v, _): (_, P::ServerEntry) = both(&c, Method::GET, &format!("/v1/servers/{shop}"), None);
    shapes.push(("GET /v1/servers/NAME", v));
    let (v, _): (_, P::Properties) = both(&c, Method::GET, &format!("/v1/servers/{shop}/properties"), None);
    shapes.push(("GET /v1/servers/NAME/properties", v));
    let (v, _): (_, Vec<P::RunRecord>) = both(&c, Method::GET, &format!("/v1/servers/{shop}/runs?limit=5"), None);
    assert!(P::RunSummary::from_stored(&v[0]["summary"]).is_ok(), "a run's summary reads back: {v}");
    shapes.push(("GET /v1/servers/NAME/runs", v));
    let (v, _): (_, Vec<P::Line>) = both(&c, Method::GET, &format!("/v1/servers/{shop}/log?n=5"), None);
    shapes.push(("GET /v1/servers/NAME/log", v));
    let (v, entries): (_, Vec<P::QuarantineEntry>) = both(&c, Method::GET, &format!("/v1/servers/{shop}/quarantine"), None);
    assert_eq!(entries.len(), 1, "{v}");
    shapes.push(("GET /v1/servers/NAME/quarantine", v));
    let id = entries[0].id;
    let (v, _): (_, P::RunSummary) = both(&c, Method::POST, &format!("/v1/servers/{shop}/quarantine/{id}/retry"), None);
    shapes.push(("POST /v1/servers/NAME/quarantine/ID/retry", v));
    let (v, _): (_, P::Dropped) = both(&c, Method::POST, &format!("/v1/servers/{shop}/quarantine/{id}/drop"), None);
    shapes.push(("POST /v1/servers/NAME/quarantine/ID/drop", v));
    let (v, _): (_, Vec<P::Check>) = both(&c, Method::POST, &format!("/v1/servers/{shop}/check"), None);
    shapes.push(("POST /v1/servers/NAME/check", v));
    let (v, _): (_, P::Saved) = both(&c, Method::PATCH, &format!("/v1/servers/{shop}"), Some(json!({ "set": { "rules.import_every_min": "20" } })));
    shapes.push(("PATCH /v1/servers/NAME", v));
    let new = json!({ "name": "Second", "kind": "WarehousePro Import Export Shopiko", "set": { "rules.object": "Централен Склад" }, "dry_run": true });
    let (v, form): (_, P::Form) = both(&c, Method::POST, "/v1/servers", Some(new));
    assert!(!form.valid && form.groups.iter().flat_map(|g| &g.properties).any(|p| p.missing), "{v}");
    shapes.push(("POST /v1/servers (dry run)", v));
    let (status, v) = refused(&c, Method::POST, "/v1/servers", Some(json!({ "name": "Second", "kind": "WarehousePro Import Export Shopiko" })));
    assert_eq!(status, 422);
    shapes.push(("POST /v1/servers (refused)", v));
    let (v, _): (_, P::Stopped) = both(&c, Method::POST, &format!("/v1/servers/{shop}/stop"), None);
    shapes.push(("POST /v1/servers/NAME/stop", v));
    let (v, _): (_, P::Reloaded) = both(&c, Method::POST, "/v1/reload", None);
    shapes.push(("POST /v1/reload", v));
    // Shopiko's settings all have their choices in the profile: none is read from the account.
    let (status, v) = refused(&c, Method::GET, &format!("/v1/servers/{shop}/choices/rules.import"), None);
    assert_eq!(status, 404);
    shapes.push(("GET /v1/servers/NAME/choices/KEY (none)", v));
    let (status, v) = refused(&c, Method::GET, "/v1/servers/Nobody", None);
    assert_eq!(status, 404);
    shapes.push(("an error", v));
    // The event stream's first line, then what the engine tells.
    let mut events = Vec::new();
    let reader = c.clone();
    let handle = std::thread::spawn(move || {
        let mut got = Vec::new();
        let _ = rt().block_on(async {
            tokio::time::timeout(
                Duration::from_secs(20),
                reader.stream(Method::GET, "/v1/events", None, |v| {
                    got.push(v);
                    got.len() < 2
                }),
            )
            .await
        });
        got
    });
    std::thread::sleep(Duration::from_millis(300));
    rt().block_on(c.start("Shop")).unwrap();
    events.extend(handle.join().unwrap());
    assert_eq!(events.len(), 2, "{events:?}");
    for v in &events {
        let _: P::EventLine = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("an event line: {e}: {v}"));
    }
    assert_eq!(events[0]["type"], "hello");
    shapes.push(("GET /v1/events (hello)", events[0].clone()));
    let (v, _): (_, P::Deleted) = both(&c, Method::DELETE, &format!("/v1/servers/{shop}"), None);
    shapes.push(("DELETE /v1/servers/NAME", v));
    let text: String = shapes.iter().map(|(name, v)| format!("## {name}\n{}\n\n", json_shape(v))).collect();
    insta::assert_snapshot!("control_api_shapes", text);
}

/// A UI switched to Bulgarian gets Bulgarian words from a daemon started in English: check
/// lines, settings' labels, errors; the same request without its language gets the daemon's.
#[test]
fn a_bulgarian_check_through_a_daemon_started_in_english() {
    let shop = SimConfig { seed_orders: 0, seed_products: 5, ..SimConfig::new(API_ID, KEY) };
    let s = Setup::new(Dialect::Sqlite, 5, shop, &[("import", "\"never\"")]);
    let d = Daemon::start(s.home.path());
    let english = d.client().speaking(Lang::En);
    let bulgarian = english.speaking(Lang::Bg);
    let (en, bg) = rt().block_on(async { (english.check("Shop").await.unwrap(), bulgarian.check("Shop").await.unwrap()) });
    assert_eq!(en[0].what, Msg::CheckDatabase.with(Lang::En, &[("dialect", &"sqlite")]), "{en:?}");
    assert_eq!(bg[0].what, Msg::CheckDatabase.with(Lang::Bg, &[("dialect", &"sqlite")]), "{bg:?}");
    assert_eq!(en.len(), bg.len());
    assert!(bg.iter().all(|c| c.ok), "{bg:?}");
    let props = rt().block_on(bulgarian.properties("Shop")).unwrap();
    assert_eq!(props.groups[0].label, "1.0.Общи");
    let e = rt().block_on(bulgarian.server("Nobody")).unwrap_err().to_string();
    assert_eq!(e, Msg::EngineNoServer.with(Lang::Bg, &[("server", &"Nobody")]));
    // A client that does not choose speaks its process's language (English here).
    let raw: Value = rt().block_on(d.client().call(Method::GET, &format!("/v1/servers/{}/properties", segment("Shop")), None)).unwrap();
    assert_eq!(raw["groups"][0]["label"], "1.0 General");
}
