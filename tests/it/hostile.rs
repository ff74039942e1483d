//! A hostile shop: orders the shop sends malformed, cursors that go round in a circle, and a 200
//! answer that carries an error. The simulator serves the malformed orders among good ones; a
//! small scripted server in this file serves the rest, over real HTTP on loopback.

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response};
use obmen::kinds::FailureKind;
use obmen::shopiko::sim::SimConfig;
use obmen::state::Outcome;
use obmen::warehouse::Dialect;
use serde_json::json;

use crate::exchange::{KindReport, Setup};
use crate::shopiko::{API_ID, KEY};

/// A shop whose every answer comes from `route(path, query)`: (status, JSON body).
pub fn scripted(rt: &tokio::runtime::Runtime, route: impl Fn(&str, &str) -> (u16, String) + Send + Sync + 'static) -> String {
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    let route = Arc::new(route);
    rt.spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let route = route.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                    let route = route.clone();
                    async move {
                        let path = req.uri().path().trim_start_matches("/api").to_owned();
                        let query = req.uri().query().unwrap_or("").to_owned();
                        let (status, body) = route(&path, &query);
                        let mut r = Response::new(Full::new(Bytes::from(body)));
                        *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
                        r.headers_mut().insert("content-type", "application/json".parse().unwrap());
                        Ok::<_, Infallible>(r)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(hyper_util::rt::TokioIo::new(stream), service).await;
            });
        }
    });
    url
}

/// Empty product and customer listings, as the nomenclature sync reads them.
pub fn empty_lists(path: &str) -> Option<(u16, String)> {
    match path {
        "/v1/products" => Some((200, json!({ "products": [], "next_cursor": null, "has_more": false }).to_string())),
        "/v1/customers" => Some((200, json!({ "customers": [], "next_cursor": null, "has_more": false }).to_string())),
        _ => None,
    }
}

#[test]
fn malformed_orders_are_set_aside_as_they_came_and_the_rest_go_on() {
    let shop = SimConfig { seed_orders: 3, seed_products: 20, ..SimConfig::new(API_ID, KEY) };
    let s = Setup::new(Dialect::Sqlite, 30, shop, &[("allow_negative_stock", "true")]);
    let good = serde_json::to_value(s.sim.sim.order("100001").unwrap()).unwrap();
    let with = |id: &str, change: &dyn Fn(&mut serde_json::Value)| {
        let mut o = good.clone();
        o["id"] = json!(id);
        o["number"] = json!(format!("SH-{id}"));
        o["acknowledged"] = serde_json::Value::Null;
        change(&mut o);
        o
    };
    s.sim.sim.place_raw(with("800001", &|o| o["lines"] = serde_json::Value::Null));
    s.sim.sim.place_raw(with("800002", &|o| {
        o.as_object_mut().unwrap().remove("payment");
    }));
    s.sim.sim.place_raw(with("800003", &|o| o["lines"][0]["quantity"] = json!(2)));
    s.sim.sim.place_raw(json!({ "totally": "not an order" }));
    s.sim.sim.add_orders(2);

    let summary = s.run(false);
    assert_eq!(summary.outcome, Outcome::Partial, "{summary:#?}");
    let r = summary.report().import.unwrap();
    assert_eq!(r.imported.len(), 5, "the three seeded and the two after the malformed ones: {r:#?}");
    assert_eq!(r.quarantined.len(), 4, "{r:#?}");
    let q = s.rt.block_on(s.state().quarantined("Shop", false)).unwrap();
    assert_eq!(q.len(), 4);
    let by_number = |n: &str| q.iter().find(|e| e.order_number == n).unwrap_or_else(|| panic!("{n} not set aside: {q:#?}"));
    assert!(by_number("SH-800001").reason.contains("cannot read") && by_number("SH-800001").reason.contains("lines"), "{:?}", by_number("SH-800001").reason);
    assert!(by_number("SH-800002").reason.contains("payment"), "{}", by_number("SH-800002").reason);
    assert!(by_number("SH-800003").reason.contains("quantity") || by_number("SH-800003").reason.contains("string"), "{}", by_number("SH-800003").reason);
    // The raw JSON is kept as it came, for a later retry.
    let kept: serde_json::Value = serde_json::from_str(&by_number("SH-800003").payload).unwrap();
    assert_eq!(kept["lines"][0]["quantity"], json!(2));
    let nameless = q.iter().find(|e| e.order_id.starts_with("malformed-")).expect("an order without an id is kept under a digest of its JSON");
    assert!(nameless.payload.contains("not an order"));

    // The next run imports nothing twice and keeps them aside.
    s.sim.sim.add_orders(1);
    let next = s.run(false);
    let r = next.report().import.unwrap();
    assert_eq!(r.imported.len(), 1, "{r:#?}");
    assert_eq!(s.rt.block_on(s.state().quarantined("Shop", false)).unwrap().len(), 4);
    assert_eq!(s.db.open().imported_count(API_ID).unwrap(), 6);
}

#[test]
fn a_cursor_that_goes_round_in_a_circle_ends_the_run_with_an_error_naming_it() {
    let shop = SimConfig::new(API_ID, KEY);
    let mut s = Setup::new(Dialect::Sqlite, 5, shop, &[]);
    let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = asked.clone();
    let url = scripted(&s.rt, move |path, query| {
        if let Some(r) = empty_lists(path) {
            return r;
        }
        count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // A -> B -> A -> ...
        let next = if query.contains("since=A") { "B" } else { "A" };
        (200, json!({ "orders": [], "next_cursor": next, "has_more": true }).to_string())
    });
    s.sim.url = url;
    s.write_server(&[]);
    let summary = s.run(false);
    assert_eq!(summary.outcome, Outcome::Failed, "{summary:#?}");
    let e = summary.error().unwrap();
    assert_eq!(e.kind, FailureKind::ShopRefused);
    assert!(e.message.contains("'A'") && e.message.contains("circle"), "{}", e.message);
    assert!(asked.load(std::sync::atomic::Ordering::SeqCst) <= 3, "it stopped at the first repeat");
}

#[test]
fn a_200_that_carries_an_error_shows_the_shops_own_words() {
    let shop = SimConfig::new(API_ID, KEY);
    let mut s = Setup::new(Dialect::Sqlite, 5, shop, &[]);
    s.sim.url = scripted(&s.rt, |path, _| {
        empty_lists(path).unwrap_or((200, json!({ "error": { "code": "maintenance", "message": "Магазинът е в профилактика до 14:00" } }).to_string()))
    });
    s.write_server(&[]);
    let summary = s.run(false);
    assert_eq!(summary.outcome, Outcome::Failed, "{summary:#?}");
    let e = summary.error().unwrap();
    assert!(e.message.contains("Магазинът е в профилактика до 14:00") && e.message.contains("maintenance"), "{}", e.message);
    assert!(!e.message.contains("missing field"), "{}", e.message);
}

#[test]
fn a_shop_that_refuses_acknowledgements_cannot_hold_the_run_and_is_told_next_run() {
    let seeded = SimConfig { seed_orders: 3, seed_products: 20, ..SimConfig::new(API_ID, KEY) };
    let mut s = Setup::new(Dialect::Sqlite, 30, seeded, &[("allow_negative_stock", "true")]);
    let orders: Vec<serde_json::Value> = (1..=3).map(|i| serde_json::to_value(s.sim.sim.order(&format!("{}", 100_000 + i)).unwrap()).unwrap()).collect();
    let accept = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let acked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (accepting, counting) = (accept.clone(), acked.clone());
    s.sim.url = scripted(&s.rt, move |path, query| {
        if let Some(r) = empty_lists(path) {
            return r;
        }
        if path.ends_with("/acknowledge") {
            if accepting.load(std::sync::atomic::Ordering::SeqCst) {
                counting.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                return (200, json!({ "acknowledged": true, "first_time": true }).to_string());
            }
            return (503, json!({ "error": { "code": "unavailable", "message": "try later" } }).to_string());
        }
        let page = if query.contains("since=3") { vec![] } else { orders.clone() };
        (200, json!({ "orders": page, "next_cursor": "3", "has_more": false }).to_string())
    });
    s.write_server(&[("allow_negative_stock", "true")]);

    let first = s.run(false);
    assert_eq!(first.outcome, Outcome::Partial, "{first:#?}");
    assert_eq!((first.counts.imported, first.counts.set_aside, first.counts.not_acknowledged), (3, 0, 3), "{:?}", first.counts);
    let r = first.report().import.unwrap();
    assert!(r.quarantined.is_empty(), "nothing is said to be set aside: {r:#?}");
    let text = first.details.render(false, obmen::config::Lang::En);
    assert!(text.contains("3 orders are imported but not yet confirmed to the shop; obmen will tell it on the next run"), "{text}");
    assert!(!text.contains("In the quarantine"), "{text}");

    // The shop answers again: the next run tells it, and imports nothing twice.
    accept.store(true, std::sync::atomic::Ordering::SeqCst);
    let second = s.run(false);
    assert_eq!(second.outcome, Outcome::Ok, "{second:#?}");
    assert_eq!(acked.load(std::sync::atomic::Ordering::SeqCst), 3);
    assert_eq!(second.counts.imported, 0);
    assert_eq!(s.db.open().imported_count(API_ID).unwrap(), 3);
}

#[test]
fn a_customer_the_shop_refused_is_sent_again_next_run_as_a_product_would_be() {
    let shop = SimConfig::new(API_ID, KEY);
    let mut s = Setup::new(Dialect::Sqlite, 10, shop, &[]);
    let refuse = obmen::warehouse::demo::partner(4).email;
    s.sim.url = scripted(&s.rt, move |path, _| {
        if let Some(r) = empty_lists(path) {
            return r;
        }
        if path == "/v1/customers/batch" {
            // This little server does not read the body: it refuses the same customer each time.
            return (
                200,
                json!({ "created": 0, "updated": 0, "unchanged": 0, "errors": [ { "key": refuse, "message": "e-mail domain is blocked" } ] }).to_string(),
            );
        }
        (200, json!({ "updated": 0, "unknown_skus": [] }).to_string())
    });
    s.write_server(&[("export_partners", "true"), ("import", "\"never\""), ("export", "\"on_start\"")]);
    let job = obmen::kinds::Job { import: false, export: true, dry_run: false, full: false };
    let first = s.run_job(job);
    let e = first.report().export.unwrap();
    assert_eq!(e.refused.len(), 1, "{e:#?}");
    assert!(e.refused[0].reason.contains("blocked"));
    assert!(e.customers_sent > 1);
    let second = s.run_job(job);
    let e2 = second.report().export.unwrap();
    assert_eq!(e2.customers_sent, 1, "only the refused customer is sent again: {e2:#?}");
    assert_eq!(second.outcome, Outcome::Partial);
}
