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
fn scripted(rt: &tokio::runtime::Runtime, route: impl Fn(&str, &str) -> (u16, String) + Send + Sync + 'static) -> String {
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
fn empty_lists(path: &str) -> Option<(u16, String)> {
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
