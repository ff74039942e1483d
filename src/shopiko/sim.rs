//! The Shopiko simulator: serves exactly docs/shopiko-api.md on loopback, verifies every
//! signature, keeps its data in memory (optionally in a state file), seeds realistic orders,
//! products and customers whose codes match `obmen warehouse init --demo-data` goods, and injects
//! faults on request so that tests and demos can see the client cope.
//!
//! Faults (`--faults "5xx=0.2,timeout=0.1,429=0.1,drop=0.05,cut=0.05"`) are drawn per signed
//! request: `drop` closes the connection without an answer; `cut` does the work and closes the
//! connection half-way through the answer's body; `5xx` answers 503 and `429` answers 429 with
//! Retry-After, both before doing anything; `timeout` does the work and then holds the answer
//! longer than a client waits, so a retry meets a request that already took effect (every POST
//! of the contract is idempotent, and the tests prove the client copes).

#[path = "sim_seed.rs"]
mod seed;
use seed::{add_orders, seed_products};

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::net::TcpListener;

use super::model::*;
use super::sign::{self, HEADER_API_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, MAX_SKEW_SECS};
use crate::secret::Secret;
use crate::warehouse::demo;

/// How often each fault happens, per signed request (0.0 to 1.0).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Faults {
    /// Answer 503.
    pub server_error: f64,
    /// Do the work, then hold the answer past the client's timeout.
    pub timeout: f64,
    /// Answer 429 with Retry-After.
    pub rate_limit: f64,
    /// Close the connection without an answer.
    pub drop: f64,
    /// Do the work, then close the connection half-way through the answer's body.
    pub cut: f64,
    /// The Retry-After of a 429, in seconds.
    pub retry_after_secs: u64,
}

impl FromStr for Faults {
    type Err = String;
    fn from_str(spec: &str) -> Result<Self, String> {
        let mut f = Faults { retry_after_secs: 1, ..Faults::default() };
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| format!("'{part}': write name=probability, e.g. 5xx=0.2"))?;
            let num: f64 = v.trim().parse().map_err(|_| format!("'{part}': '{v}' is not a number"))?;
            let p = || if (0.0..=1.0).contains(&num) { Ok(num) } else { Err(format!("'{part}': a probability is from 0 to 1")) };
            match k.trim() {
                "5xx" => f.server_error = p()?,
                "timeout" => f.timeout = p()?,
                "429" => f.rate_limit = p()?,
                "drop" => f.drop = p()?,
                "cut" => f.cut = p()?,
                "retry_after" => f.retry_after_secs = num as u64,
                other => return Err(format!("'{other}' is not a fault: use 5xx, timeout, 429, drop, cut (and retry_after=SECONDS)")),
            }
        }
        if f.server_error + f.timeout + f.rate_limit + f.drop + f.cut > 1.0 {
            return Err(format!("'{spec}': the probabilities add up to more than 1"));
        }
        Ok(f)
    }
}

/// How the simulator is set up.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The API ID it accepts.
    pub api_id: String,
    /// The key requests must be signed with.
    pub key: Secret,
    /// The shop's name (in ping).
    pub shop_name: String,
    /// Orders placed at start.
    pub seed_orders: usize,
    /// Products at start (demo goods 1..=N).
    pub seed_products: usize,
    /// Faults to inject.
    pub faults: Faults,
    /// Keep the data in this file (loaded at start, written after each change).
    pub state_file: Option<PathBuf>,
    /// How long a `timeout` fault holds the answer.
    pub timeout_delay: Duration,
    /// Seed of the fault and data generator.
    pub seed: u64,
    /// Keep every request as received (tests look for secrets in them).
    pub record_requests: bool,
    /// How far the shop's clock is from this machine's, in seconds (a shop with a wrong clock).
    pub clock_offset_secs: i64,
    /// True when the shop takes acknowledgements in batches (`POST /v1/acknowledgements/batch`);
    /// false: an older add-on, which answers 404 there.
    pub ack_batch: bool,
}

impl SimConfig {
    /// A simulator with no faults and no seed data.
    pub fn new(api_id: impl Into<String>, key: impl Into<String>) -> Self {
        SimConfig {
            api_id: api_id.into(),
            key: Secret::new(key.into()),
            shop_name: "Демо магазин".into(),
            seed_orders: 0,
            seed_products: 0,
            faults: Faults::default(),
            state_file: None,
            timeout_delay: Duration::from_secs(65),
            seed: 7,
            record_requests: false,
            clock_offset_secs: 0,
            ack_batch: true,
        }
    }
}

/// A request as the simulator received it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// Method.
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Every header, as "name: value".
    pub headers: Vec<String>,
    /// The body, as text.
    pub body: String,
}

/// The simulator's data: what a file keeps between runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Data {
    /// Orders by sequence number.
    orders: BTreeMap<u64, Order>,
    /// Products by SKU, with the sequence number of their last change.
    products: BTreeMap<String, (u64, Product)>,
    /// Customers by key (external id, else e-mail), with their last change.
    customers: BTreeMap<String, (u64, Customer)>,
    /// Stock by SKU.
    stock: BTreeMap<String, f64>,
    /// The last sequence number given to a change.
    seq: u64,
    /// How many orders were ever made (for numbering).
    orders_made: u64,
    /// Orders placed as they are given, malformed ones included (a hostile shop), by sequence
    /// number; listed among the others.
    #[serde(default)]
    raw_orders: BTreeMap<u64, serde_json::Value>,
    /// The sequence numbers of the changes made through the API (upserts), which a listing with
    /// `origin=shop` leaves out.
    #[serde(default)]
    api_changes: std::collections::HashSet<u64>,
}

struct State {
    data: Data,
    /// Order id -> sequence number.
    order_ids: HashMap<String, u64>,
    requests_by_status: BTreeMap<String, u64>,
    recorded: Vec<RecordedRequest>,
    rng: fastrand::Rng,
    /// Each signed request: when it came (from the simulator's start), the fault drawn, and its
    /// method and target.
    timeline: Vec<(Duration, Option<&'static str>, String)>,
}

/// The header by which [`Sim::handle`] asks for its answer to be cut (never sent).
const CUT: &str = "x-sim-cut";

type SimBody = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

/// An answer as sent: whole, or, where marked, its headers with the whole body's length and then
/// half the body, after which the body fails and the connection is closed mid-body.
async fn cut_if_marked(r: Response<Full<Bytes>>) -> Response<SimBody> {
    let cut = r.headers().contains_key(CUT);
    let (mut parts, body) = r.into_parts();
    if !cut {
        return Response::from_parts(parts, body.map_err(|never| match never {}).boxed());
    }
    parts.headers.remove(CUT);
    let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_else(|never| match never {});
    parts.headers.insert(hyper::header::CONTENT_LENGTH, hyper::header::HeaderValue::from(bytes.len() as u64));
    let half = bytes.slice(..bytes.len() / 2);
    let frames: Vec<Result<hyper::body::Frame<Bytes>, std::io::Error>> =
        vec![Ok(hyper::body::Frame::data(half)), Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "simulated cut mid-body"))];
    Response::from_parts(parts, http_body_util::StreamBody::new(tokio_stream::iter(frames)).boxed())
}

/// A running simulator's shared state; cheap to clone.
#[derive(Clone)]
pub struct Sim {
    state: Arc<Mutex<State>>,
    config: Arc<SimConfig>,
    started: std::time::Instant,
}

impl Sim {
    /// Makes a simulator: loads its state file where there is one, else seeds new data.
    pub fn new(config: SimConfig) -> std::io::Result<Sim> {
        let mut rng = fastrand::Rng::with_seed(config.seed);
        let data = match &config.state_file {
            Some(path) if path.exists() => {
                let text = std::fs::read_to_string(path)?;
                serde_json::from_str(&text)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: not a simulator state file: {e}", path.display())))?
            }
            _ => {
                let mut d = Data::default();
                seed_products(&mut d, config.seed_products);
                add_orders(&mut d, config.seed_orders, config.seed_products.max(1), &mut rng);
                d
            }
        };
        let order_ids = data.orders.iter().map(|(seq, o)| (o.id.clone(), *seq)).collect();
        let sim = Sim {
            state: Arc::new(Mutex::new(State { data, order_ids, requests_by_status: BTreeMap::new(), recorded: Vec::new(), rng, timeline: Vec::new() })),
            config: Arc::new(config),
            started: std::time::Instant::now(),
        };
        sim.save()?;
        Ok(sim)
    }

    /// Serves until `shutdown` completes (see [`crate::simulator::serve`]).
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        crate::simulator::serve(listener, shutdown, move |req| {
            let sim = self.clone();
            async move { Ok::<_, std::io::Error>(cut_if_marked(sim.handle(req).await?).await) }
        })
        .await
    }

    /// The counters `GET /_sim/stats` shows.
    pub fn stats(&self) -> SimStats {
        let st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        SimStats {
            orders_total: st.data.orders.len() as u64,
            orders_acknowledged: st.data.orders.values().filter(|o| o.acknowledged.is_some()).count() as u64,
            products: st.data.products.len() as u64,
            customers: st.data.customers.len() as u64,
            stock_total: st.data.stock.values().sum(),
            requests_by_status: st.requests_by_status.clone(),
        }
    }

    /// Each signed request as it came: when (from the simulator's start) and the fault it met
    /// (`drop`, `cut`, `5xx`, `429`, `timeout`) and what it asked, for tests that a client waits as
    /// told.
    pub fn timeline(&self) -> Vec<(Duration, Option<&'static str>, String)> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).timeline.clone()
    }

    /// Every order as the shop holds it now.
    pub fn orders(&self) -> Vec<Order> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).data.orders.values().cloned().collect()
    }

    /// Every request received, where recording is on.
    pub fn recorded(&self) -> Vec<RecordedRequest> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recorded.clone()
    }

    /// Places `n` more orders now.
    pub fn add_orders(&self, n: usize) {
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let products = st.data.products.len().max(1);
        let State { data, rng, order_ids, .. } = &mut *st;
        add_orders(data, n, products, rng);
        *order_ids = data.orders.iter().map(|(seq, o)| (o.id.clone(), *seq)).collect();
        drop(st);
        let _ = self.save();
    }

    /// Places an order as it is given (its id must be new): for tests of orders the seed never
    /// makes, such as a price that is not a number.
    pub fn place(&self, order: Order) {
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        st.data.seq += 1;
        st.data.orders_made += 1;
        let seq = st.data.seq;
        st.order_ids.insert(order.id.clone(), seq);
        st.data.orders.insert(seq, order);
        drop(st);
        let _ = self.save();
    }

    /// Makes or changes products as the shop's own staff would (in the shop, not through the
    /// API): a listing with `origin=shop` shows them.
    pub fn edit_products_in_shop(&self, products: Vec<Product>) {
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for mut p in products {
            st.data.seq += 1;
            let seq = st.data.seq;
            p.updated_at = Some(now_rfc3339());
            st.data.stock.entry(p.sku.clone()).or_insert(0.0);
            st.data.products.insert(p.sku.clone(), (seq, p));
        }
        drop(st);
        let _ = self.save();
    }

    /// Makes or changes customers as the shop would (an account opened in the shop).
    pub fn edit_customers_in_shop(&self, customers: Vec<Customer>) {
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for c in customers {
            st.data.seq += 1;
            let seq = st.data.seq;
            st.data.customers.insert(customer_key(&c), (seq, c));
        }
        drop(st);
        let _ = self.save();
    }

    /// Places an order as raw JSON, whatever its shape (a required field missing, `lines: null`,
    /// a number where the contract has text): for tests of a shop that sends malformed orders.
    pub fn place_raw(&self, order: serde_json::Value) {
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        st.data.seq += 1;
        let seq = st.data.seq;
        st.data.raw_orders.insert(seq, order);
        drop(st);
        let _ = self.save();
    }

    /// The order with this id, as the shop holds it now.
    pub fn order(&self, id: &str) -> Option<Order> {
        let st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        st.order_ids.get(id).and_then(|seq| st.data.orders.get(seq)).cloned()
    }

    /// Every product as the shop holds it now.
    pub fn products(&self) -> Vec<Product> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).data.products.values().map(|(_, p)| p.clone()).collect()
    }

    /// The stock level of a SKU.
    pub fn stock(&self, sku: &str) -> Option<f64> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).data.stock.get(sku).copied()
    }

    fn save(&self) -> std::io::Result<()> {
        if let Some(path) = &self.config.state_file {
            let text = serde_json::to_string(&self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).data).map_err(std::io::Error::other)?;
            crate::config::write_atomic(path, &text)?;
        }
        Ok(())
    }

    async fn handle(&self, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, std::io::Error> {
        let method = req.method().clone();
        let target = req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
        let headers: Vec<(String, String)> =
            req.headers().iter().map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect();
        let body = match req.into_body().collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => return Err(std::io::Error::other(e)),
        };
        if self.config.record_requests {
            self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recorded.push(RecordedRequest {
                method: method.to_string(),
                target: target.clone(),
                headers: headers.iter().map(|(k, v)| format!("{k}: {v}")).collect(),
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_owned(), q.to_owned()),
            None => (target.clone(), String::new()),
        };
        let query: HashMap<String, String> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();

        // Unsigned simulator endpoints.
        if let Some(rest) = path.strip_prefix("/_sim/") {
            let response = match (method.as_str(), rest) {
                ("GET", "stats") => ok_json(&self.stats()),
                ("POST", "orders") => {
                    let n = query.get("count").and_then(|c| c.parse().ok()).unwrap_or(1usize).min(100_000);
                    self.add_orders(n);
                    ok_json(&json!({ "added": n, "orders_total": self.stats().orders_total }))
                }
                _ => error(StatusCode::NOT_FOUND, "not_found", "no such simulator endpoint: use GET /_sim/stats or POST /_sim/orders?count=N"),
            };
            return Ok(self.count(response));
        }

        // Faults, drawn per signed request.
        let fault = {
            let f = self.config.faults;
            let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let r = st.rng.f64();
            let fault = if r < f.drop {
                Some("drop")
            } else if r < f.drop + f.server_error {
                Some("5xx")
            } else if r < f.drop + f.server_error + f.rate_limit {
                Some("429")
            } else if r < f.drop + f.server_error + f.rate_limit + f.timeout {
                Some("timeout")
            } else if r < f.drop + f.server_error + f.rate_limit + f.timeout + f.cut {
                Some("cut")
            } else {
                None
            };
            st.timeline.push((self.started.elapsed(), fault, format!("{method} {target}")));
            fault
        };
        match fault {
            Some("drop") => {
                self.count_status("dropped");
                return Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "simulated dropped connection"));
            }
            Some("5xx") => return Ok(self.count(error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "simulated failure: try again"))),
            Some("429") => {
                let mut r = error(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "simulated rate limit: wait and try again");
                r.headers_mut().insert("retry-after", hyper::header::HeaderValue::from(self.config.faults.retry_after_secs));
                return Ok(self.count(r));
            }
            _ => {}
        }

        let response = match self.authenticate(method.as_str(), &target, &headers, &body) {
            Err(r) => r,
            Ok(()) => match path.find("/v1/") {
                None => error(StatusCode::NOT_FOUND, "not_found", "this API's paths start with /v1/"),
                Some(i) => self.route(method.as_str(), path.get(i + 3..).unwrap_or_default(), &query, &body),
            },
        };
        if fault == Some("timeout") {
            tokio::time::sleep(self.config.timeout_delay).await;
        }
        if fault == Some("cut") {
            // The work is done; the answer is marked to be cut half-way ([`Sim::serve`] does).
            self.count_status("cut");
            let mut response = response;
            response.headers_mut().insert(CUT, hyper::header::HeaderValue::from_static("1"));
            return Ok(response);
        }
        Ok(self.count(response))
    }

    fn count_status(&self, status: &str) {
        *self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).requests_by_status.entry(status.to_owned()).or_default() += 1;
    }

    fn count(&self, r: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
        self.count_status(r.status().as_str());
        r
    }

    // The error is the response to send: it is built once and sent at once.
    #[allow(clippy::result_large_err)]
    fn authenticate(&self, method: &str, target: &str, headers: &[(String, String)], body: &[u8]) -> Result<(), Response<Full<Bytes>>> {
        let get = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        let (Some(api_id), Some(ts), Some(sig)) = (get(HEADER_API_ID), get(HEADER_TIMESTAMP), get(HEADER_SIGNATURE)) else {
            return Err(error(StatusCode::UNAUTHORIZED, "missing_auth", "send X-Shopiko-Api-Id, X-Shopiko-Timestamp and X-Shopiko-Signature"));
        };
        if api_id != self.config.api_id {
            return Err(error(StatusCode::UNAUTHORIZED, "unknown_api_id", "this shop has no such API ID"));
        }
        let now = chrono::Utc::now().timestamp() + self.config.clock_offset_secs;
        let Ok(ts) = ts.trim().parse::<i64>() else {
            return Err(error(StatusCode::UNAUTHORIZED, "bad_signature", "the timestamp is not a number of seconds"));
        };
        if (ts - now).abs() > MAX_SKEW_SECS {
            let mut r = error(StatusCode::UNAUTHORIZED, "clock_skew", "the request's time is too far from the shop's clock");
            *r.body_mut() = Full::new(Bytes::from(
                serde_json::to_vec(&ErrorBody {
                    error: ErrorDetail {
                        code: "clock_skew".into(),
                        message: "the request's time is too far from the shop's clock".into(),
                        server_time: Some(now),
                    },
                })
                .unwrap_or_default(),
            ));
            return Err(r);
        }
        if !sign::verify(self.config.key.expose(), method, target, ts, body, sig) {
            return Err(error(StatusCode::UNAUTHORIZED, "bad_signature", "the signature does not match this request"));
        }
        Ok(())
    }

    fn route(&self, method: &str, path: &str, query: &HashMap<String, String>, body: &[u8]) -> Response<Full<Bytes>> {
        let limit = |max: usize, default: usize| query.get("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(default).clamp(1, max);
        let since = query.get("since").and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (method, segments.as_slice()) {
            ("GET", ["ping"]) => ok_json(&Ping {
                shop: self.config.shop_name.clone(),
                api_version: 1,
                server_time: chrono::Utc::now().timestamp() + self.config.clock_offset_secs,
            }),
            ("GET", ["orders"]) => {
                let st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let n = limit(200, 100);
                if st.data.raw_orders.is_empty() {
                    return page_json("orders", st.data.orders.range(since + 1..).map(|(s, o)| (*s, o)).collect(), since, n);
                }
                // The well-formed and the raw orders after the cursor, in sequence order.
                let mut seqs: Vec<u64> = st
                    .data
                    .orders
                    .range(since + 1..)
                    .map(|(s, _)| *s)
                    .take(n + 1)
                    .chain(st.data.raw_orders.range(since + 1..).map(|(s, _)| *s).take(n + 1))
                    .collect();
                seqs.sort_unstable();
                seqs.truncate(n + 1);
                let items: Vec<(u64, serde_json::Value)> = seqs
                    .into_iter()
                    .map(|s| (s, st.data.raw_orders.get(&s).cloned().unwrap_or_else(|| serde_json::to_value(&st.data.orders[&s]).unwrap_or_default())))
                    .collect();
                page_json("orders", items.iter().map(|(s, v)| (*s, v)).collect(), since, n)
            }
            ("POST", ["orders", id, "acknowledge"]) => self.acknowledge(id, body),
            ("POST", ["acknowledgements", "batch"]) if self.config.ack_batch => self.acknowledge_batch(body),
            ("GET", ["products"]) => {
                let st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let skip = (query.get("origin").map(String::as_str) == Some("shop")).then_some(&st.data.api_changes);
                listing_json("products", changed_since(&st.data.products, since), since, limit(500, 200), skip)
            }
            ("POST", ["products", "batch"]) => self.upsert_products(body),
            ("GET", ["customers"]) => {
                let st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let skip = (query.get("origin").map(String::as_str) == Some("shop")).then_some(&st.data.api_changes);
                listing_json("customers", changed_since(&st.data.customers, since), since, limit(500, 200), skip)
            }
            ("POST", ["customers", "batch"]) => self.upsert_customers(body),
            ("POST", ["stock", "batch"]) => self.set_stock(body),
            _ => error(StatusCode::NOT_FOUND, "not_found", &format!("no endpoint {method} /v1/{}", path.trim_start_matches('/'))),
        }
    }

    fn acknowledge(&self, id: &str, body: &[u8]) -> Response<Full<Bytes>> {
        let id = percent_decode(id);
        let ack: Acknowledgement = match serde_json::from_slice(body) {
            Ok(a) => a,
            Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &format!("the body is not an acknowledgement: {e}")),
        };
        match self.ack_one(&id, ack) {
            Ok(first_time) => {
                if first_time {
                    let _ = self.save();
                }
                ok_json(&AckResult { acknowledged: true, first_time })
            }
            Err(e) => error(StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY), &e.code, &e.message),
        }
    }

    /// Acknowledges one order: whether it was the first time, or the error the one-order call
    /// answers.
    fn ack_one(&self, id: &str, ack: Acknowledgement) -> Result<bool, ApiError> {
        let refuse = |status: StatusCode, code: &str, message: String| ApiError { status: status.as_u16(), code: code.into(), message };
        if ack.document_number.trim().is_empty() {
            return Err(refuse(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "document_number is empty".into()));
        }
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(order) = st.order_ids.get(id).copied().and_then(|seq| st.data.orders.get_mut(&seq)) else {
            return Err(refuse(StatusCode::NOT_FOUND, "not_found", format!("no order {id}")));
        };
        match &order.acknowledged {
            Some(existing) if existing.document_number == ack.document_number => Ok(false),
            Some(existing) => Err(refuse(
                StatusCode::CONFLICT,
                "already_acknowledged",
                format!("order {id} is already acknowledged as document {}", existing.document_number),
            )),
            None => {
                order.acknowledged = Some(Acknowledgement { at: Some(now_rfc3339()), ..ack });
                Ok(true)
            }
        }
    }

    /// Up to [`ACK_BATCH`](crate::shopiko::client::ACK_BATCH) acknowledgements in one request,
    /// each answered on its own; more is refused whole (422 `too_many`).
    fn acknowledge_batch(&self, body: &[u8]) -> Response<Full<Bytes>> {
        #[derive(Deserialize)]
        struct Batch {
            acknowledgements: Vec<BatchAck>,
        }
        let batch: Batch = match serde_json::from_slice(body) {
            Ok(b) => b,
            Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &format!("the body is not a batch of acknowledgements: {e}")),
        };
        if batch.acknowledgements.len() > crate::shopiko::client::ACK_BATCH {
            let msg = format!("at most {} acknowledgements a batch", crate::shopiko::client::ACK_BATCH);
            return error(StatusCode::UNPROCESSABLE_ENTITY, "too_many", &msg);
        }
        let mut any_first = false;
        let results: Vec<BatchAckResult> = batch
            .acknowledgements
            .into_iter()
            .map(|a| {
                let ack = Acknowledgement { document_number: a.document_number, document_type: a.document_type, at: None };
                match self.ack_one(&a.order_id, ack) {
                    Ok(first_time) => {
                        any_first |= first_time;
                        BatchAckResult { order_id: a.order_id, acknowledged: true, first_time, error: None }
                    }
                    Err(e) => BatchAckResult { order_id: a.order_id, acknowledged: false, first_time: false, error: Some(e) },
                }
            })
            .collect();
        if any_first {
            let _ = self.save();
        }
        ok_json(&serde_json::json!({ "results": results }))
    }

    fn upsert_products(&self, body: &[u8]) -> Response<Full<Bytes>> {
        #[derive(Deserialize)]
        struct Batch {
            products: Vec<Product>,
        }
        let batch: Batch = match serde_json::from_slice(body) {
            Ok(b) => b,
            Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &format!("the body is not a products batch: {e}")),
        };
        if batch.products.len() > 500 {
            return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "products: at most 500 a batch");
        }
        let mut result = UpsertResult::default();
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for mut p in batch.products {
            if p.sku.trim().is_empty() || p.price.trim().parse::<f64>().is_err() {
                result.errors.push(ItemError { key: p.sku.clone(), message: "sku must be set and price must be a decimal number".into() });
                continue;
            }
            let existing = st.data.products.get(&p.sku).map(|(_, e)| e.clone());
            match existing {
                Some(e) if Product { updated_at: None, ..e.clone() } == Product { updated_at: None, ..p.clone() } => result.unchanged += 1,
                other => {
                    if other.is_some() {
                        result.updated += 1
                    } else {
                        result.created += 1
                    }
                    st.data.seq += 1;
                    p.updated_at = Some(now_rfc3339());
                    let seq = st.data.seq;
                    st.data.api_changes.insert(seq);
                    st.data.stock.entry(p.sku.clone()).or_insert(0.0);
                    st.data.products.insert(p.sku.clone(), (seq, p));
                }
            }
        }
        drop(st);
        if result.created + result.updated > 0 {
            let _ = self.save();
        }
        ok_json(&result)
    }

    fn upsert_customers(&self, body: &[u8]) -> Response<Full<Bytes>> {
        #[derive(Deserialize)]
        struct Batch {
            customers: Vec<Customer>,
        }
        let batch: Batch = match serde_json::from_slice(body) {
            Ok(b) => b,
            Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &format!("the body is not a customers batch: {e}")),
        };
        if batch.customers.len() > 500 {
            return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "customers: at most 500 a batch");
        }
        let mut result = UpsertResult::default();
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for mut c in batch.customers {
            let key = customer_key(&c);
            if key.is_empty() {
                result.errors.push(ItemError { key: String::new(), message: "a customer needs external_id or email".into() });
                continue;
            }
            // Matched by external id, then by e-mail; a match by e-mail takes the external id.
            let by_email = format!("email:{}", c.email.trim().to_lowercase());
            if !st.data.customers.contains_key(&key) && key != by_email && !c.email.trim().is_empty() {
                if let Some((seq, existing)) = st.data.customers.remove(&by_email) {
                    if c.id.is_none() {
                        c.id = existing.id.clone();
                    }
                    st.data.customers.insert(key.clone(), (seq, existing));
                }
            }
            if c.id.is_none() {
                c.id = st.data.customers.get(&key).and_then(|(_, e)| e.id.clone());
            }
            match st.data.customers.get(&key) {
                Some((_, e)) if e == &c => result.unchanged += 1,
                other => {
                    if other.is_some() {
                        result.updated += 1
                    } else {
                        result.created += 1
                    }
                    st.data.seq += 1;
                    if c.id.is_none() {
                        c.id = Some(format!("C-{}", st.data.seq));
                    }
                    let seq = st.data.seq;
                    st.data.api_changes.insert(seq);
                    st.data.customers.insert(key, (seq, c));
                }
            }
        }
        drop(st);
        if result.created + result.updated > 0 {
            let _ = self.save();
        }
        ok_json(&result)
    }

    fn set_stock(&self, body: &[u8]) -> Response<Full<Bytes>> {
        #[derive(Deserialize)]
        struct Batch {
            items: Vec<StockLevel>,
        }
        let batch: Batch = match serde_json::from_slice(body) {
            Ok(b) => b,
            Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &format!("the body is not a stock batch: {e}")),
        };
        if batch.items.len() > 1000 {
            return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "items: at most 1000 a batch");
        }
        let mut result = StockResult::default();
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for item in batch.items {
            let Ok(q) = item.quantity.trim().parse::<f64>() else {
                return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &format!("quantity of {} is not a decimal number", item.sku));
            };
            if st.data.products.contains_key(&item.sku) {
                st.data.stock.insert(item.sku, q);
                result.updated += 1;
            } else {
                result.unknown_skus.push(item.sku);
            }
        }
        drop(st);
        let _ = self.save();
        ok_json(&result)
    }
}

/// Items changed after `since`, in the order of their changes.
fn changed_since<T>(items: &BTreeMap<String, (u64, T)>, since: u64) -> Vec<(u64, &T)> {
    let mut changed: Vec<(u64, &T)> = items.values().filter(|(s, _)| *s > since).map(|(s, t)| (*s, t)).collect();
    changed.sort_by_key(|(s, _)| *s);
    changed
}

/// One page of a listing, in sequence order: at most `n` items, the cursor of the last one, and
/// whether more follow.
fn page_json<T: Serialize>(name: &str, items: Vec<(u64, &T)>, since: u64, n: usize) -> Response<Full<Bytes>> {
    let has_more = items.len() > n;
    let page = &items[..items.len().min(n)];
    let next = page.last().map(|(s, _)| *s).unwrap_or(since).to_string();
    let list: Vec<&T> = page.iter().map(|(_, t)| *t).collect();
    ok_json(&json!({ name: list, "next_cursor": next, "has_more": has_more }))
}

/// One page of a product or customer listing: as [`page_json`], but changes in `skip` (made
/// through the API) are left out of the items while the cursor moves past them.
fn listing_json<T: Serialize>(name: &str, items: Vec<(u64, &T)>, since: u64, n: usize, skip: Option<&std::collections::HashSet<u64>>) -> Response<Full<Bytes>> {
    let Some(skip) = skip else { return page_json(name, items, since, n) };
    let mut list: Vec<&T> = Vec::new();
    let mut last = since;
    let mut has_more = false;
    for (seq, item) in items {
        if list.len() == n {
            has_more = true;
            break;
        }
        last = seq;
        if !skip.contains(&seq) {
            list.push(item);
        }
    }
    ok_json(&json!({ name: list, "next_cursor": last.to_string(), "has_more": has_more }))
}

/// The key a customer is upserted by: external id, else e-mail (lowercase).
fn customer_key(c: &Customer) -> String {
    match &c.external_id {
        Some(x) if !x.trim().is_empty() => format!("ext:{}", x.trim()),
        _ if !c.email.trim().is_empty() => format!("email:{}", c.email.trim().to_lowercase()),
        _ => String::new(),
    }
}

fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

fn ok_json<T: Serialize>(value: &T) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(serde_json::to_vec(value).unwrap_or_default())));
    r.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static("application/json"));
    r
}

fn error(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    let mut r = ok_json(&ErrorBody { error: ErrorDetail { code: code.into(), message: message.into(), server_time: None } });
    *r.status_mut() = status;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_specs() {
        let f: Faults = "5xx=0.2,timeout=0.1,429=0.1".parse().unwrap();
        assert_eq!((f.server_error, f.timeout, f.rate_limit, f.drop, f.retry_after_secs), (0.2, 0.1, 0.1, 0.0, 1));
        assert!("5xx=2".parse::<Faults>().is_err());
        assert!("boom=0.1".parse::<Faults>().is_err());
        assert!("5xx=0.6,429=0.6".parse::<Faults>().is_err());
        assert_eq!("".parse::<Faults>().unwrap().server_error, 0.0);
    }

    #[test]
    fn seeded_orders_add_up_and_cover_every_case() {
        let mut d = Data::default();
        seed_products(&mut d, 30);
        let mut rng = fastrand::Rng::with_seed(1);
        add_orders(&mut d, 100, 30, &mut rng);
        let orders: Vec<&Order> = d.orders.values().collect();
        assert_eq!(orders.len(), 100);
        for o in &orders {
            let lines: f64 = o
                .lines
                .iter()
                .map(|l| l.quantity.parse::<f64>().unwrap() * l.unit_price.parse::<f64>().unwrap() * (1.0 - l.discount_percent.parse::<f64>().unwrap() / 100.0))
                .sum();
            assert!((lines - o.totals.lines.parse::<f64>().unwrap()).abs() < 0.011, "{}", o.id);
            assert!(o.lines.iter().all(|l| d.products.contains_key(&l.sku)));
        }
        let has = |f: &dyn Fn(&&&Order) -> bool| orders.iter().any(|o| f(&o));
        assert!(has(&|o| o.customer.kind == CustomerType::Guest));
        assert!(has(&|o| o.customer.kind == CustomerType::Company));
        assert!(has(&|o| o.customer.kind == CustomerType::Person));
        assert!(has(&|o| o.discounts.iter().any(|d| d.kind == DiscountKind::Voucher)));
        assert!(has(&|o| o.discounts.iter().any(|d| d.kind == DiscountKind::PromoCode)));
        assert!(has(&|o| o.lines.iter().any(|l| l.discount_percent != "0")));
        assert!(has(&|o| o.shipping.is_some()) && has(&|o| o.shipping.is_none()));
        assert!(has(&|o| o.payment.paid) && has(&|o| !o.payment.paid));
    }
}
