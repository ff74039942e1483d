//! The Shopiko client against the simulator over real HTTP on loopback: signatures, paging,
//! faults, rate limits, TLS, and that the key never leaves obmen.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use obmen::secret::Secret;
use obmen::shopiko::model::{Product, StockLevel};
use obmen::shopiko::sign;
use obmen::shopiko::sim::{Sim, SimConfig};
use obmen::shopiko::{ClientConfig, RetryPolicy, ShopikoClient, ShopikoError};

pub const API_ID: &str = "3267435611954348033";
pub const KEY: &str = "892b2466d9611628358bfb292745bf3bdadb737";

/// A simulator serving on 127.0.0.1 until dropped.
pub struct RunningSim {
    /// Its shared state.
    pub sim: Sim,
    /// Its base address, with a path prefix as a real shop would have.
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Starts a simulator on a free loopback port.
pub async fn start_sim(config: SimConfig) -> RunningSim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sim = Sim::new(config).unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(sim.clone().serve(listener, async move {
        let _ = rx.await;
    }));
    RunningSim { sim, url: format!("http://{addr}/api/microinvest"), stop: Some(tx) }
}

fn sim_config() -> SimConfig {
    SimConfig { record_requests: true, ..SimConfig::new(API_ID, KEY) }
}

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        request_timeout: Duration::from_millis(500),
        connect_timeout: Duration::from_millis(500),
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        budget: Duration::from_secs(8),
    }
}

pub fn client(url: &str, key: &str, retry: RetryPolicy) -> ShopikoClient {
    ShopikoClient::new(ClientConfig { url: url.into(), api_id: API_ID.into(), key: Secret::new(key), retry }).unwrap()
}

fn status_count(sim: &Sim, status: &str) -> u64 {
    sim.stats().requests_by_status.get(status).copied().unwrap_or(0)
}

#[tokio::test]
async fn a_signed_ping_is_accepted() {
    let s = start_sim(sim_config()).await;
    let ping = client(&s.url, KEY, fast_policy()).ping().await.unwrap();
    assert_eq!(ping.shop, "Демо магазин");
    assert_eq!(ping.api_version, 1);
    let req = &s.sim.recorded()[0];
    assert_eq!(req.target, "/api/microinvest/v1/ping");
    assert!(req.headers.iter().any(|h| h == &format!("x-shopiko-api-id: {API_ID}")));
}

#[tokio::test]
async fn a_wrong_key_is_refused_once_with_a_clear_error() {
    let s = start_sim(sim_config()).await;
    let err = client(&s.url, "not-the-key", fast_policy()).ping().await.unwrap_err();
    match &err {
        ShopikoError::Unauthorized { code, .. } => assert_eq!(code, "bad_signature"),
        other => panic!("expected Unauthorized, got {other}"),
    }
    assert!(err.to_string().contains("Check “API ID” and the key"), "{err}");
    assert_eq!(status_count(&s.sim, "401"), 1, "a refused signature is not retried");
    let other_id = ShopikoClient::new(ClientConfig { url: s.url.clone(), api_id: "999".into(), key: Secret::new(KEY), retry: fast_policy() }).unwrap();
    match other_id.ping().await.unwrap_err() {
        ShopikoError::Unauthorized { code, .. } => assert_eq!(code, "unknown_api_id"),
        other => panic!("{other}"),
    }
}

/// Sends one request signed by hand, for the cases the client never makes.
async fn raw(url: &str, method: &str, path: &str, ts: i64, signed_body: &[u8], sent_body: &[u8]) -> (u16, String) {
    obmen::shopiko::client::install_crypto_provider();
    let sig = sign::sign(KEY, method, path, ts, signed_body);
    let base = url::Url::parse(url).unwrap();
    let full = format!("{}://{}{path}", base.scheme(), base.host_str().zip(base.port()).map(|(h, p)| format!("{h}:{p}")).unwrap());
    let r = reqwest::Client::new()
        .request(method.parse().unwrap(), full)
        .header(sign::HEADER_API_ID, API_ID)
        .header(sign::HEADER_TIMESTAMP, ts.to_string())
        .header(sign::HEADER_SIGNATURE, sig)
        .body(sent_body.to_vec())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn stale_timestamps_and_tampered_requests_are_refused() {
    let s = start_sim(SimConfig { seed_products: 3, ..sim_config() }).await;
    let now = chrono::Utc::now().timestamp();
    let body = br#"{"items":[{"sku":"100001","quantity":"5"}]}"#;
    let ok = raw(&s.url, "POST", "/api/microinvest/v1/stock/batch", now, body, body).await;
    assert_eq!(ok.0, 200, "{}", ok.1);
    let stale = raw(&s.url, "POST", "/api/microinvest/v1/stock/batch", now - 301, body, body).await;
    assert_eq!(stale.0, 401);
    assert!(stale.1.contains("clock_skew") && stale.1.contains("server_time"), "{}", stale.1);
    let future = raw(&s.url, "GET", "/api/microinvest/v1/ping", now + 400, b"", b"").await;
    assert_eq!(future.0, 401);
    let tampered = br#"{"items":[{"sku":"100001","quantity":"5000"}]}"#;
    let t = raw(&s.url, "POST", "/api/microinvest/v1/stock/batch", now, body, tampered).await;
    assert_eq!(t.0, 401);
    assert!(t.1.contains("bad_signature"), "{}", t.1);
    assert_eq!(s.sim.stock("100001"), Some(5.0), "the tampered body changed nothing");

    // The client explains a skewed clock, by how much and which way.
    let skewed = start_sim(SimConfig { clock_offset_secs: -600, ..sim_config() }).await;
    let err = client(&skewed.url, KEY, fast_policy()).ping().await.unwrap_err();
    match &err {
        ShopikoError::ClockSkew { skew_secs } => assert!((598..=602).contains(skew_secs), "{skew_secs}"),
        other => panic!("expected ClockSkew, got {other}"),
    }
    assert!(err.to_string().contains("ahead of the shop's"), "{err}");
}

#[tokio::test]
async fn paging_returns_ten_thousand_orders_exactly_once() {
    let s = start_sim(SimConfig { seed_orders: 10_000, seed_products: 40, record_requests: false, ..sim_config() }).await;
    let c = client(&s.url, KEY, fast_policy());
    let (orders, cursor) = c.all_orders_since(None).await.unwrap();
    assert_eq!(orders.len(), 10_000);
    let ids: std::collections::HashSet<&str> = orders.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids.len(), 10_000, "no order twice");
    assert_eq!(status_count(&s.sim, "200"), 50, "10,000 orders in pages of 200");
    // From the cursor on: only what is new.
    let (none, same) = c.all_orders_since(cursor.as_deref()).await.unwrap();
    assert!(none.is_empty());
    assert_eq!(same, cursor);
    s.sim.add_orders(7);
    let (new, _) = c.all_orders_since(cursor.as_deref()).await.unwrap();
    assert_eq!(new.len(), 7);
    assert!(new.iter().all(|o| !ids.contains(o.id.as_str())));
}

#[tokio::test]
async fn with_faults_every_call_succeeds_or_fails_within_its_budget() {
    let faults = "5xx=0.2,timeout=0.1,429=0.1,drop=0.05".parse().unwrap();
    let s = start_sim(SimConfig { seed_orders: 40, seed_products: 30, faults, timeout_delay: Duration::from_millis(1500), ..sim_config() }).await;
    let policy = RetryPolicy { budget: Duration::from_secs(6), ..fast_policy() };
    let c = client(&s.url, KEY, policy);
    let mut ok = 0;
    let mut gave_up = 0;
    let mut acked = Vec::new();
    for i in 0..24 {
        let started = Instant::now();
        let result: Result<(), ShopikoError> = match i % 4 {
            0 => c.ping().await.map(|_| ()),
            1 => c.orders(None, 20).await.map(|_| ()),
            2 => {
                let id = format!("{}", 100_001 + i);
                let r = c.acknowledge(&id, &format!("S{}", 500 + i), "sale").await.map(|_| ());
                if r.is_ok() {
                    acked.push((id, format!("S{}", 500 + i)));
                }
                r
            }
            _ => c
                .upsert_products(&[Product {
                    sku: format!("N{i}"),
                    name: format!("Нов продукт {i}"),
                    barcodes: vec![],
                    measure: "бр.".into(),
                    price: "1.20".into(),
                    vat_percent: "20".into(),
                    active: true,
                    updated_at: None,
                }])
                .await
                .map(|_| ()),
        };
        let elapsed = started.elapsed();
        // The budget, plus one request timeout that may have started just before it ran out.
        assert!(elapsed <= policy.budget + policy.request_timeout + Duration::from_millis(500), "call {i} took {elapsed:?}");
        match result {
            Ok(()) => ok += 1,
            Err(ShopikoError::GaveUp { attempts, .. }) => {
                assert!(attempts > 1);
                gave_up += 1;
            }
            Err(other) => panic!("call {i} failed without retrying: {other}"),
        }
    }
    assert!(ok >= 20, "{ok} of 24 calls succeeded, {gave_up} gave up");
    let stats = s.sim.stats();
    assert!(stats.requests_by_status.keys().any(|k| k == "503" || k == "429" || k == "dropped"), "faults were injected: {stats:?}");
    // Acknowledgements whose answers were lost and retried are each set once, to the right number.
    for (id, number) in acked {
        assert_eq!(s.sim.order(&id).unwrap().acknowledged.unwrap().document_number, number);
    }
}

#[tokio::test]
async fn an_answer_cut_half_way_through_its_body_is_retried_and_its_work_done_once() {
    // Every answer is cut: the body is never whole, so each call gives up, having tried again.
    let s = start_sim(SimConfig { seed_orders: 5, seed_products: 5, faults: "cut=1.0".parse().unwrap(), ..sim_config() }).await;
    let policy = RetryPolicy { budget: Duration::from_secs(2), ..fast_policy() };
    let err = client(&s.url, KEY, policy).ping().await.unwrap_err();
    assert!(matches!(&err, ShopikoError::GaveUp { attempts, .. } if *attempts > 1), "{err}");
    assert!(status_count(&s.sim, "cut") > 1);
    // One in three cut: every acknowledgement lands once, with its number, though its answer
    // may have been cut and the call made again.
    let s = start_sim(SimConfig { seed_orders: 20, seed_products: 5, faults: "cut=0.35".parse().unwrap(), seed: 11, ..sim_config() }).await;
    let c = client(&s.url, KEY, RetryPolicy { budget: Duration::from_secs(20), ..fast_policy() });
    for i in 1..=20 {
        c.acknowledge(&format!("{}", 100_000 + i), &format!("C{i}"), "sale").await.unwrap();
    }
    for i in 1..=20 {
        assert_eq!(s.sim.order(&format!("{}", 100_000 + i)).unwrap().acknowledged.unwrap().document_number, format!("C{i}"));
    }
    assert!(status_count(&s.sim, "cut") > 0, "cuts were made: {:?}", s.sim.stats());
    let cuts = s.sim.timeline().iter().filter(|(_, f, _)| *f == Some("cut")).count();
    assert_eq!(cuts as u64, status_count(&s.sim, "cut"), "the timeline holds every fault");
}

#[tokio::test]
async fn a_429_waits_at_least_retry_after() {
    let s = start_sim(SimConfig { faults: "429=1.0,retry_after=1".parse().unwrap(), ..sim_config() }).await;
    // Attempts at 0 s and after about 1 s; a third would come after 2 s, past the budget.
    let policy = RetryPolicy { budget: Duration::from_millis(1800), ..fast_policy() };
    let started = Instant::now();
    let err = client(&s.url, KEY, policy).ping().await.unwrap_err();
    let elapsed = started.elapsed();
    match &err {
        ShopikoError::GaveUp { attempts, last, .. } => {
            assert_eq!(*attempts, 2, "{err}");
            assert!(matches!(**last, ShopikoError::RateLimited { .. }), "{err}");
        }
        other => panic!("expected GaveUp, got {other}"),
    }
    assert!(elapsed >= Duration::from_secs(1), "the second attempt came after {elapsed:?}");
    assert_eq!(status_count(&s.sim, "429"), 2);
}

#[tokio::test]
async fn batches_upsert_products_and_stock_in_contract_sizes() {
    let s = start_sim(sim_config()).await;
    let c = client(&s.url, KEY, fast_policy());
    let products: Vec<Product> = (1..=1203)
        .map(|i| Product {
            sku: format!("{}", 100_000 + i),
            name: format!("Стока №{i}"),
            barcodes: vec![format!("380{i:010}")],
            measure: "бр.".into(),
            price: format!("{}.50", i % 50),
            vat_percent: "20".into(),
            active: true,
            updated_at: None,
        })
        .collect();
    let r = c.upsert_products(&products).await.unwrap();
    assert_eq!((r.created, r.updated, r.unchanged), (1203, 0, 0));
    let again = c.upsert_products(&products).await.unwrap();
    assert_eq!((again.created, again.unchanged), (0, 1203), "sending the same again changes nothing");
    assert_eq!(status_count(&s.sim, "200"), 6, "1203 products in batches of 500: 3 requests, twice");
    let levels: Vec<StockLevel> = products
        .iter()
        .map(|p| StockLevel { sku: p.sku.clone(), quantity: "3.5".into() })
        .chain([StockLevel { sku: "NOPE".into(), quantity: "1".into() }])
        .collect();
    let st = c.set_stock(&levels).await.unwrap();
    assert_eq!(st.updated, 1203);
    assert_eq!(st.unknown_skus, vec!["NOPE".to_owned()]);
    assert_eq!(s.sim.stats().stock_total, 1203.0 * 3.5);
    let (listed, _) = c.all_products(None).await.unwrap();
    assert_eq!(listed.len(), 1203);
    assert_eq!(listed[0].name, "Стока №1");
}

#[tokio::test]
async fn acknowledging_twice_is_harmless_and_a_different_number_is_a_conflict() {
    let s = start_sim(SimConfig { seed_orders: 3, seed_products: 5, ..sim_config() }).await;
    let c = client(&s.url, KEY, fast_policy());
    let first = c.acknowledge("100001", "S17", "sale").await.unwrap();
    assert!(first.first_time);
    let again = c.acknowledge("100001", "S17", "sale").await.unwrap();
    assert!(!again.first_time);
    match c.acknowledge("100001", "S18", "sale").await.unwrap_err() {
        ShopikoError::Rejected { status, code, message } => {
            assert_eq!((status, code.as_str()), (409, "already_acknowledged"));
            assert!(message.contains("S17"), "{message}");
        }
        other => panic!("{other}"),
    }
    assert_eq!(s.sim.stats().orders_acknowledged, 1);
    assert!(matches!(c.acknowledge("999", "S1", "sale").await.unwrap_err(), ShopikoError::Rejected { status: 404, .. }));
}

/// Captures everything tracing writes, at every level.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_key_is_never_sent_nor_logged() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let s = start_sim(SimConfig { seed_orders: 30, seed_products: 10, faults: "5xx=0.3,429=0.1,retry_after=0".parse().unwrap(), ..sim_config() }).await;
    let c = client(&s.url, KEY, fast_policy());
    tracing::info!(client = ?c, "The client, as Debug.");
    let _ = c.ping().await;
    let _ = c.all_orders_since(None).await;
    let _ = c.acknowledge("100002", "S1", "sale").await;
    let _ = c.set_stock(&[StockLevel { sku: "100001".into(), quantity: "1".into() }]).await;
    let _ = client(&s.url, "wrong", fast_policy()).ping().await;

    let requests = s.sim.recorded();
    assert!(requests.len() >= 5);
    for r in &requests {
        let all = format!("{} {}\n{}\n{}", r.method, r.target, r.headers.join("\n"), r.body);
        assert!(!all.contains(KEY), "the key was sent: {all}");
        assert!(all.contains(API_ID), "the API ID is sent");
    }
    let logged = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("trying again"), "the retries were logged: the test saw the log");
    assert!(logged.contains("Secret(••••••)"), "the client's Debug shows the key masked");
    assert!(!logged.contains(KEY), "the key was logged");
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    obmen::shopiko::client::install_crypto_provider();
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(vec![cert.cert.der().clone()], key).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = acceptor.accept(stream).await;
            });
        }
    });
    let err = client(&format!("https://127.0.0.1:{}/api", addr.port()), KEY, fast_policy()).ping().await.unwrap_err();
    match &err {
        ShopikoError::Tls { detail, .. } => assert!(detail.to_lowercase().contains("certificate") || detail.to_lowercase().contains("issuer"), "{detail}"),
        other => panic!("expected Tls, got {other}"),
    }
    assert!(err.to_string().contains("does not accept certificates it cannot verify"), "{err}");
}

/// `obmen shopiko-sim` as its own process, stopped when dropped.
struct SimProcess {
    child: std::process::Child,
    addr: String,
}

impl SimProcess {
    fn start(extra: &[&str]) -> SimProcess {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_obmen"))
            .args(["shopiko-sim", "--listen", "127.0.0.1:0", "--api-id", API_ID, "--key", KEY])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        let addr = line.split("http://").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or_else(|| panic!("no address in {line:?}")).to_owned();
        SimProcess { child, addr }
    }

    fn stop(&mut self) {
        // SIGTERM: the simulator stops cleanly.
        let _ = std::process::Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn obmen(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_obmen")).args(args).env("OBMEN_HOME", home).env("OBMEN_LANG", "en").env("NO_COLOR", "1").output().unwrap()
}

#[test]
fn check_goes_green_then_red_with_the_reason() {
    let db = crate::support::TestDb::with_demo(obmen::warehouse::Dialect::Sqlite, 5);
    let mut sim = SimProcess::start(&["--seed-orders", "3", "--seed-products", "5"]);
    let stats: serde_json::Value = http::blocking_get(&format!("http://{}/_sim/stats", sim.addr));
    assert_eq!(stats["orders_total"], 3);
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let url = format!("shopiko.url=http://{}/api", sim.addr);
    let conn = format!("database.connection={}", db.connection);
    let key_file = h.join("shop.key");
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    std::fs::set_permissions(&key_file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let key = format!("shopiko.key_file={}", key_file.display());
    let o = obmen(
        h,
        &[
            "server",
            "new",
            "Shop",
            "--kind",
            "warehouse_pro_shopiko",
            "--set",
            "database.dialect=sqlite",
            "--set",
            &conn,
            "--set",
            "rules.object=Централен Склад",
            "--set",
            &url,
            "--set",
            &format!("shopiko.api_id={API_ID}"),
            "--set",
            &key,
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let o = obmen(h, &["check", "Shop"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{out}{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(out.lines().filter(|l| l.starts_with('✔')).count(), 7, "{out}");
    assert!(out.contains("shop key: accepted by 'Демо магазин'"), "{out}");

    // A wrong key: the shop is reachable, the key is not accepted.
    std::fs::write(&key_file, "wrong-key\n").unwrap();
    let o = obmen(h, &["check", "Shop"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1));
    assert!(out.contains("✔ shop at") && out.contains("✘ shop key: the shop refused the request (bad_signature)"), "{out}");
    assert!(!out.contains("wrong-key") && !String::from_utf8_lossy(&o.stderr).contains("wrong-key"));

    // The shop gone: unreachable, and the key not checked.
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    sim.stop();
    let o = obmen(h, &["check", "Shop"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1));
    assert!(out.contains("✘ shop at") && out.contains("cannot reach the shop") && out.contains("✘ shop key: not checked"), "{out}");
    assert!(out.contains("✔ Warehouse Pro database (sqlite): connected"), "{out}");
    assert!(out.contains("✔ base currency: EUR") && out.contains("✔ stock mode: average price"), "what decides the booking: {out}");
}

#[test]
fn check_reports_a_skewed_clock() {
    let db = crate::support::TestDb::with_demo(obmen::warehouse::Dialect::Sqlite, 1);
    let sim = SimProcess::start(&["--clock-offset-secs", "900"]);
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let o = obmen(
        h,
        &[
            "server",
            "new",
            "Shop",
            "--kind",
            "warehouse_pro_shopiko",
            "--set",
            "database.dialect=sqlite",
            "--set",
            &format!("database.connection={}", db.connection),
            "--set",
            "rules.object=1",
            "--set",
            &format!("shopiko.url=http://{}/api", sim.addr),
            "--set",
            &format!("shopiko.api_id={API_ID}"),
            "--set",
            &format!("shopiko.key={KEY}"),
        ],
    );
    assert!(o.status.success());
    let o = obmen(h, &["check", "Shop"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1));
    assert!(out.contains("✘ shop key:") && out.contains("behind the shop's") && out.contains("NTP"), "{out}");
}

mod http {
    //! A blocking GET for the tests that run the simulator as a process.
    pub fn blocking_get(url: &str) -> serde_json::Value {
        obmen::shopiko::client::install_crypto_provider();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async { ::reqwest::get(url).await.unwrap().json().await.unwrap() })
    }
}

#[test]
fn the_simulator_keeps_its_state_file_and_places_orders_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("shop.json");
    let state_arg = state.to_str().unwrap();
    let mut sim = SimProcess::start(&["--seed-orders", "3", "--seed-products", "4", "--state", state_arg]);
    let post = |addr: &str, path: &str| -> serde_json::Value {
        obmen::shopiko::client::install_crypto_provider();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async { ::reqwest::Client::new().post(format!("http://{addr}{path}")).send().await.unwrap().json().await.unwrap() })
    };
    let added = post(&sim.addr, "/_sim/orders?count=5");
    assert_eq!(added["added"], 5);
    assert_eq!(added["orders_total"], 8);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let c = client(&format!("http://{}/api", sim.addr), KEY, fast_policy());
    rt.block_on(c.acknowledge("100008", "S42", "sale")).unwrap();
    sim.stop();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&state).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // Started again on the same file, seeds are ignored: the data is as it was left.
    let sim = SimProcess::start(&["--seed-orders", "100", "--state", state_arg]);
    let stats: serde_json::Value = http::blocking_get(&format!("http://{}/_sim/stats", sim.addr));
    assert_eq!(stats["orders_total"], 8);
    assert_eq!(stats["orders_acknowledged"], 1);
    assert_eq!(stats["products"], 4);
    let c = client(&format!("http://{}/api", sim.addr), KEY, fast_policy());
    let again = rt.block_on(c.acknowledge("100008", "S42", "sale")).unwrap();
    assert!(!again.first_time, "the acknowledgement survived the restart");
}

/// `obmen check` names what it found about the database: a file that is not there (and is not
/// made), a database that is not Warehouse Pro's (which tables it lacks), a driver that is not
/// installed (and its package), an Access file obmen can only read (a warning, not a tick);
/// `--json` gives the same as fields.
#[test]
fn check_names_what_it_found_about_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let server = |conn: &str, dialect: &str| {
        let _ = std::fs::remove_file(home.join("servers/Shop.toml"));
        let o = obmen(
            &home,
            &[
                "server",
                "new",
                "Shop",
                "--kind",
                "warehouse_pro_shopiko",
                "--set",
                &format!("database.dialect={dialect}"),
                "--set",
                &format!("database.connection={conn}"),
                "--set",
                "rules.object=1",
                "--set",
                "shopiko.url=http://127.0.0.1:9/api",
                "--set",
                &format!("shopiko.api_id={API_ID}"),
                "--set",
                &format!("shopiko.key={KEY}"),
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let check = || {
        let o = obmen(&home, &["check", "Shop"]);
        assert_eq!(o.status.code(), Some(1));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    // No such file: said, and not made.
    let gone = dir.path().join("gone.db");
    server(&format!("Driver=SQLite3;Database={}", gone.display()), "sqlite");
    let out = check();
    assert!(out.contains(&format!("✘ Warehouse Pro database (sqlite): the database file {} does not exist", gone.display())), "{out}");
    assert!(!gone.exists(), "check made no empty database");
    // A database that is not Warehouse Pro's.
    let other = dir.path().join("other.db");
    let conn = format!("Driver=SQLite3;Database={}", other.display());
    obmen::warehouse::Warehouse::connect(&conn, obmen::warehouse::Dialect::Sqlite).unwrap().exec("CREATE TABLE notes (a INTEGER)", ()).unwrap();
    server(&conn, "sqlite");
    let out = check();
    assert!(out.contains("✘ Warehouse Pro tables: this is not a Warehouse Pro database: it has no table goods, partners, objects"), "{out}");
    // The same in Bulgarian, the shop's and the database's words too.
    let o = obmen(&home, &["--lang", "bg", "check", "Shop"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("✘ Таблици на Склад Pro: това не е база данни на Склад Pro: няма таблица goods"), "{out}");
    assert!(
        out.contains("✘ магазин на http://127.0.0.1:9/api: проверката на връзката с магазина: без успех след")
            && out.contains("магазинът на http://127.0.0.1:9/api/v1/ping не отговаря"),
        "{out}"
    );
    // A driver that is not installed.
    server(&format!("Driver=NoSuchDriver;Database={}", other.display()), "sqlite");
    let out = check();
    assert!(out.contains("the ODBC driver 'NoSuchDriver' is not installed: install"), "{out}");
    // Access through MDBTools: read-only is a warning, and Monitor.mdb is no Warehouse Pro database.
    let mdb = std::env::var("OBMEN_TEST_MDB").expect("OBMEN_TEST_MDB: `make test` fetches it");
    server(&format!("Driver=MDBTools;DBQ={mdb}"), "access");
    let out = check();
    assert!(out.contains("! Warehouse Pro database (access): connected, but") && out.contains("read-only"), "{out}");
    assert!(out.contains("✘ Warehouse Pro tables: this is not a Warehouse Pro database"), "{out}");
    // The same as JSON.
    let o = obmen(&home, &["check", "Shop", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["ok"], false);
    let first = &json["checks"][0];
    assert_eq!((first["ok"].as_bool(), first["warning"].as_bool()), (Some(true), Some(true)), "{json}");
    assert!(first["detail"].as_str().unwrap().contains("read-only"));
}

/// Paths in a server file are relative to the home: a home copied elsewhere (and the original
/// gone) checks green against its own database and key, from any working folder.
#[test]
fn a_copied_home_is_whole() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let db = home.join("warehouse.db");
    let o = obmen(&home, &["warehouse", "init", "--connection", &format!("Driver=SQLite3;Database={};", db.display()), "--demo-data", "3"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(home.join("shopiko.key"), format!("{KEY}\n")).unwrap();
    std::fs::set_permissions(home.join("shopiko.key"), std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let o = obmen(
        &home,
        &[
            "server",
            "new",
            "Shop",
            "--kind",
            "warehouse_pro_shopiko",
            "--set",
            "database.dialect=sqlite",
            "--set",
            "database.connection=Driver=SQLite3;Database=warehouse.db;",
            "--set",
            "rules.object=Централен Склад",
            "--set",
            "shopiko.url=http://127.0.0.1:9/api",
            "--set",
            &format!("shopiko.api_id={API_ID}"),
            "--set",
            "shopiko.key_file=shopiko.key",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let copy = dir.path().join("elsewhere/copy");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    assert!(std::process::Command::new("cp").arg("-a").arg(&home).arg(&copy).status().unwrap().success());
    std::fs::remove_dir_all(&home).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_obmen"))
        .args(["check", "Shop"])
        .env("OBMEN_HOME", &copy)
        .env("OBMEN_LANG", "en")
        .current_dir("/")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("✔ Warehouse Pro database (sqlite): connected") && out.contains("✔ Warehouse Pro tables: all there"), "{out}");
    assert!(out.contains("✔ object 'Централен Склад'"), "{out}");
    assert!(!std::path::Path::new("/warehouse.db").exists(), "no database made where obmen was started");
}

/// `obmen shopiko-sim --no-ack-batch` is a shop without the batch acknowledgement: obmen's client
/// learns so from its 404 and tells the shop of each order on its own.
#[test]
fn the_simulator_process_can_lack_the_batch_acknowledgement() {
    use obmen::shopiko::model::BatchAck;
    let sim = SimProcess::start(&["--seed-orders", "3", "--no-ack-batch"]);
    let requests = || -> u64 {
        let stats: serde_json::Value = http::blocking_get(&format!("http://{}/_sim/stats", sim.addr));
        stats["requests_by_status"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum()
    };
    let before = requests();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let c = client(&format!("http://{}/api", sim.addr), KEY, fast_policy());
    let acks: Vec<BatchAck> =
        (1..=3).map(|i| BatchAck { order_id: format!("{}", 100_000 + i), document_number: format!("{i:010}"), document_type: "sale".into() }).collect();
    assert!(rt.block_on(c.acknowledge_many(&acks)).iter().all(Result::is_ok));
    let stats: serde_json::Value = http::blocking_get(&format!("http://{}/_sim/stats", sim.addr));
    assert_eq!(stats["orders_acknowledged"], 3);
    assert_eq!(stats["requests_by_status"]["404"], 1, "{stats}");
    // The stats request itself is counted too: one more than the batch, then one each.
    assert_eq!(requests() - before, 1 + 1 + 3 + 1, "{stats}");
}

/// Acknowledgements in a batch: each order answered on its own (new, the same again, another
/// number for one already told, an order the shop lacks), in one request per hundred; a shop
/// without the batch (an older add-on, 404) is told one order at a time, from then on without
/// asking again.
#[tokio::test]
async fn acknowledgements_go_in_batches_each_answered_on_its_own_and_one_by_one_where_the_shop_lacks_them() {
    use obmen::shopiko::client::ACK_BATCH;
    use obmen::shopiko::model::BatchAck;
    let ack = |id: &str, number: &str| BatchAck { order_id: id.into(), document_number: number.into(), document_type: "sale".into() };
    let total = |sim: &Sim| sim.stats().requests_by_status.values().sum::<u64>();
    for batch in [true, false] {
        let s = start_sim(SimConfig { seed_orders: 250, ack_batch: batch, ..sim_config() }).await;
        let c = client(&s.url, KEY, fast_policy());
        c.acknowledge("100002", "0000000077", "sale").await.unwrap();
        let before = total(&s.sim);
        let mixed = [ack("100001", "0000000001"), ack("100002", "0000000077"), ack("100003", "0000000003"), ack("100003", "0000000099"), ack("NO-SUCH", "1")];
        let results = c.acknowledge_many(&mixed).await;
        assert_eq!(results.len(), 5);
        assert!(results[0].as_ref().is_ok_and(|r| r.first_time), "{results:?}");
        assert!(results[1].as_ref().is_ok_and(|r| !r.first_time), "the same number again is harmless: {results:?}");
        assert!(results[2].is_ok(), "{results:?}");
        let conflict = results[3].as_ref().unwrap_err().to_string();
        assert!(conflict.contains("already_acknowledged") && conflict.contains("0000000003"), "{conflict}");
        assert!(results[4].as_ref().unwrap_err().to_string().contains("not_found"), "{results:?}");
        let used = total(&s.sim) - before;
        if batch {
            assert_eq!(used, 1, "one request for the five");
        } else {
            assert_eq!(used, 1 + 5, "one to learn the shop lacks the batch, then one each");
        }
        // 240 more: three batches of at most a hundred; one by one where the shop lacks them.
        let more: Vec<BatchAck> = (10..250).map(|i| ack(&format!("{}", 100_000 + i), &format!("{i:010}"))).collect();
        let before = total(&s.sim);
        assert!(c.acknowledge_many(&more).await.iter().all(Result::is_ok));
        let expected = if batch { more.len().div_ceil(ACK_BATCH) as u64 } else { more.len() as u64 };
        assert_eq!(total(&s.sim) - before, expected);
        assert_eq!(s.sim.stats().orders_acknowledged, 3 + 240);
    }
}
