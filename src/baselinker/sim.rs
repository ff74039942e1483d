//! A BaseLinker simulator on loopback: `POST /connector.php` with a form of `method` and
//! `parameters` (JSON) and the token in `X-BLToken`, answering as BaseLinker's documentation
//! describes the methods obmen calls (see `docs/baselinker.md` for what is and is not
//! implemented). It keeps the token's limit (requests in any 60 seconds; past it the token is
//! blocked for a while and every call answers `ERROR_USER_ACCOUNT_BLOCKED` with the time in
//! Poland's clock), injects server errors on request, and shows its counters at
//! `GET /_sim/stats` (no token).
//!
//! Its seed: confirmed orders, several confirmed in the same second (so that paging by
//! `date_confirmed_from` must take the second's orders once), and unconfirmed ones with part of
//! their products; products of the demo goods by SKU and EAN, some lines not linked to the
//! catalogue; PLN, EUR and BGN; Polish and Bulgarian names.

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::net::TcpListener;

use super::client::{BLOCKED, ORDERS_PAGE, TOKEN_HEADER};
use crate::warehouse::demo;

/// How a simulator starts.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The token it takes.
    pub token: String,
    /// Confirmed orders made at the start.
    pub seed_orders: usize,
    /// Unconfirmed orders made at the start (part of their products).
    pub seed_unconfirmed: usize,
    /// The token's limit in any 60 seconds (None: no limit).
    pub requests_per_minute: Option<u32>,
    /// How long a token that exceeded the limit stays blocked.
    pub block: Duration,
    /// The share of requests answered 500 (0.0-1.0).
    pub server_errors: f64,
    /// True when the order journal is activated for the account (else it answers empty).
    pub journal: bool,
    /// The currencies the seed's orders go round (PLN, EUR and BGN by default).
    pub currencies: Vec<&'static str>,
}

impl SimConfig {
    /// A simulator of this token with no orders, the documented limit, the journal on.
    pub fn new(token: &str) -> SimConfig {
        SimConfig {
            token: token.to_owned(),
            seed_orders: 0,
            seed_unconfirmed: 0,
            requests_per_minute: Some(super::client::REQUESTS_PER_MINUTE),
            block: Duration::from_secs(10),
            server_errors: 0.0,
            journal: true,
            currencies: vec!["PLN", "EUR", "BGN"],
        }
    }
}

/// What the simulator counted.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SimStats {
    /// Orders, confirmed and not.
    pub orders: usize,
    /// Confirmed orders.
    pub confirmed: usize,
    /// Requests by method.
    pub requests: BTreeMap<String, u64>,
    /// Errors answered, by code.
    pub errors: BTreeMap<String, u64>,
    /// The most requests the token made in any 60 seconds (blocked ones included).
    pub most_in_a_minute: u64,
    /// Status changes made through the API: (order, status).
    pub status_changes: Vec<(i64, i64)>,
}

struct State {
    config: SimConfig,
    /// Orders by id, as `getOrders` gives them.
    orders: BTreeMap<i64, Value>,
    /// The journal: (id, order, type, object, date).
    journal: Vec<(i64, i64, i64, i64, i64)>,
    /// When each request of the last minute came.
    recent: VecDeque<Instant>,
    /// Blocked until (the simulator's clock, and the same moment on the wall).
    blocked: Option<(Instant, DateTime<Utc>)>,
    stats: SimStats,
    rng: fastrand::Rng,
    /// The catalogue's products by id: SKU, EAN, name, VAT rate, prices by group, stock by
    /// warehouse.
    products: BTreeMap<i64, Value>,
    next_product: i64,
    next_order: i64,
    next_log: i64,
}

/// What a Polish shop calls its goods.
const POLISH_NAMES: &[&str] = &[
    "Kawa ziarnista 1 kg",
    "Herbata zielona 100 g",
    "Miód lipowy 500 g",
    "Czekolada mleczna 100 g",
    "Ryż jaśminowy 1 kg",
    "Oliwa z oliwek 0,5 l",
    "Świeca zapachowa",
];

/// The simulated account's catalogue, its warehouse and its price groups (with currencies).
const INVENTORY: (i64, &str) = (301, "Katalog główny");
const WAREHOUSE: (&str, i64, &str) = ("bl", 401, "Magazyn główny");
const PRICE_GROUPS: &[(i64, &str, &str)] = &[(105, "Detal PLN", "PLN"), (106, "Detal EUR", "EUR")];

/// The statuses of the simulated account.
const STATUSES: &[(i64, &str)] = &[(1001, "Nowe zamówienia"), (1002, "Wprowadzono do magazynu"), (1003, "Błąd importu"), (1004, "Wysłane")];
/// The order extra fields of the simulated account.
const EXTRA_FIELDS: &[(i64, &str)] = &[(501, "Numer dokumentu Warehouse Pro"), (502, "Uwagi magazynu")];

/// A running simulator's shared state. Cheap to clone.
#[derive(Clone)]
pub struct Sim(Arc<Mutex<State>>);

impl Sim {
    /// A simulator with its seed.
    pub fn new(config: SimConfig) -> Sim {
        let mut s = State {
            orders: BTreeMap::new(),
            journal: Vec::new(),
            recent: VecDeque::new(),
            blocked: None,
            stats: SimStats::default(),
            rng: fastrand::Rng::with_seed(7),
            products: BTreeMap::new(),
            next_product: 700_001,
            next_order: 5_000_001,
            next_log: 1,
            config: config.clone(),
        };
        let start = Utc::now().timestamp() - 86_400;
        for i in 0..config.seed_orders {
            // Three orders confirmed in each second: paging by the second must take them once.
            let confirmed = start + (i as i64) / 3;
            s.add_order(Some(confirmed));
        }
        for _ in 0..config.seed_unconfirmed {
            s.add_order(None);
        }
        Sim(Arc::new(Mutex::new(s)))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Serves until `shutdown` resolves.
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        crate::simulator::serve(listener, shutdown, move |req| {
            let sim = self.clone();
            async move { Ok::<_, std::io::Error>(sim.handle(req).await) }
        })
        .await
    }

    /// The counters.
    pub fn stats(&self) -> SimStats {
        let s = self.state();
        let mut stats = s.stats.clone();
        stats.orders = s.orders.len();
        stats.confirmed = s.orders.values().filter(|o| o["confirmed"] == true).count();
        stats
    }

    /// Every order, confirmed or not, by id, as `getOrders` gives it (with the simulator's own
    /// keys).
    pub fn orders(&self) -> Vec<Value> {
        self.state().orders.values().cloned().collect()
    }

    /// An order as `getOrders` gives it.
    pub fn order(&self, id: i64) -> Option<Value> {
        self.state().orders.get(&id).cloned()
    }

    /// Changes an order as someone in BaseLinker's panel would (a test's way to shape one).
    pub fn edit_order(&self, id: i64, edit: impl FnOnce(&mut Value)) -> bool {
        match self.state().orders.get_mut(&id) {
            Some(o) => {
                edit(o);
                true
            }
            None => false,
        }
    }

    /// The catalogue's products, by id.
    pub fn products(&self) -> Vec<Value> {
        self.state().products.values().cloned().collect()
    }

    /// Confirms an unconfirmed order now (its products completed), as a buyer finishing it.
    pub fn confirm(&self, id: i64) -> bool {
        let mut s = self.state();
        let now = Utc::now().timestamp();
        let log = s.next_log;
        let Some(o) = s.orders.get_mut(&id).filter(|o| o["confirmed"] == false) else { return false };
        o["confirmed"] = json!(true);
        o["date_confirmed"] = json!(now);
        if let Some(full) = o.get("_all_products").cloned() {
            o["products"] = full;
        }
        s.journal.push((log, id, 2, 0, now));
        s.next_log += 1;
        true
    }

    /// Moves an order to a status as someone in BaseLinker's panel would: the journal records it
    /// (type 18), and the API's status changes do not count it.
    pub fn move_to_status(&self, id: i64, status: i64) -> bool {
        let mut s = self.state();
        let (now, log) = (Utc::now().timestamp(), s.next_log);
        let Some(o) = s.orders.get_mut(&id) else { return false };
        o["order_status_id"] = json!(status);
        s.journal.push((log, id, 18, status, now));
        s.next_log += 1;
        true
    }

    /// Places an order as `getOrders` gives it, confirmed now (its id kept where it has one not
    /// taken, else the next): its id.
    pub fn place(&self, mut order: Value) -> i64 {
        let mut s = self.state();
        let now = Utc::now().timestamp();
        let id = match order["order_id"].as_i64() {
            Some(id) if !s.orders.contains_key(&id) => id,
            _ => {
                let id = s.next_order;
                s.next_order += 1;
                id
            }
        };
        order["order_id"] = json!(id);
        order["confirmed"] = json!(true);
        order["date_confirmed"] = json!(now);
        if order["order_status_id"].is_null() {
            order["order_status_id"] = json!(STATUSES[0].0);
        }
        let log = s.next_log;
        s.journal.push((log, id, 2, 0, now));
        s.next_log += 1;
        s.orders.insert(id, order);
        id
    }

    /// Puts products in the catalogue as someone in BaseLinker's panel would: each keyed by a
    /// new id.
    pub fn add_products(&self, products: Vec<Value>) {
        let mut s = self.state();
        for mut p in products {
            let id = s.next_product;
            s.next_product += 1;
            p["id"] = json!(id);
            s.products.insert(id, p);
        }
    }

    /// More confirmed orders, confirmed now.
    pub fn add_orders(&self, n: usize) -> Vec<i64> {
        let mut s = self.state();
        let now = Utc::now().timestamp();
        (0..n).map(|_| s.add_order(Some(now))).collect()
    }

    async fn handle(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        if req.uri().path() == "/_sim/stats" {
            return reply(StatusCode::OK, &serde_json::to_value(self.stats()).unwrap_or_default());
        }
        let token = req.headers().get(TOKEN_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        let form: BTreeMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
        let method = form.get("method").cloned().unwrap_or_default();
        let parameters: Value = form.get("parameters").and_then(|p| serde_json::from_str(p).ok()).unwrap_or(json!({}));
        let mut s = self.state();
        *s.stats.requests.entry(method.clone()).or_default() += 1;
        if token != s.config.token {
            return s.error("ERROR_BAD_TOKEN", "Invalid user token");
        }
        // The limit: every request counts, blocked ones too.
        let now = Instant::now();
        s.recent.push_back(now);
        while s.recent.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60)) {
            s.recent.pop_front();
        }
        s.stats.most_in_a_minute = s.stats.most_in_a_minute.max(s.recent.len() as u64);
        if let Some((until, wall)) = s.blocked {
            if now < until {
                return s.blocked_error(wall);
            }
            // The block served: the token's count starts over.
            s.blocked = None;
            s.recent.clear();
            s.recent.push_back(now);
        }
        if let Some(limit) = s.config.requests_per_minute {
            if s.recent.len() > limit as usize {
                let wall = Utc::now() + chrono::Duration::from_std(s.config.block).unwrap_or_default();
                s.blocked = Some((now + s.config.block, wall));
                return s.blocked_error(wall);
            }
        }
        if s.config.server_errors > 0.0 && s.rng.f64() < s.config.server_errors {
            *s.stats.errors.entry("500".into()).or_default() += 1;
            return reply(StatusCode::INTERNAL_SERVER_ERROR, &json!({ "status": "ERROR", "error_code": "ERROR_INTERNAL", "error_message": "Internal error" }));
        }
        s.method(&method, &parameters)
    }
}

impl State {
    fn error(&mut self, code: &str, message: &str) -> Response<Full<Bytes>> {
        *self.stats.errors.entry(code.to_owned()).or_default() += 1;
        reply(StatusCode::OK, &json!({ "status": "ERROR", "error_code": code, "error_message": message }))
    }

    /// The token blocked until `wall`, written in Poland's clock as BaseLinker writes it.
    fn blocked_error(&mut self, wall: DateTime<Utc>) -> Response<Full<Bytes>> {
        let poland = wall + chrono::Duration::hours(if poland_summer(wall) { 2 } else { 1 });
        let message = format!("Query limit exceeded, token blocked until {}", poland.format("%Y-%m-%d %H:%M:%S"));
        self.error(BLOCKED, &message)
    }

    fn method(&mut self, method: &str, p: &Value) -> Response<Full<Bytes>> {
        let ok = |mut v: Value| {
            v["status"] = json!("SUCCESS");
            reply(StatusCode::OK, &v)
        };
        match method {
            "getOrders" => {
                let unconfirmed = p["get_unconfirmed_orders"].as_bool().unwrap_or(false);
                if let Some(id) = p["order_id"].as_i64() {
                    let found: Vec<Value> = self.orders.get(&id).filter(|o| unconfirmed || o["confirmed"] == true).cloned().into_iter().map(public).collect();
                    return ok(json!({ "orders": found }));
                }
                let from = p["date_confirmed_from"].as_i64().unwrap_or(0);
                let status = p["status_id"].as_i64();
                let mut found: Vec<&Value> = self
                    .orders
                    .values()
                    .filter(|o| o["confirmed"] == true || unconfirmed)
                    .filter(|o| o["date_confirmed"].as_i64().unwrap_or(0) >= from)
                    .filter(|o| status.is_none_or(|s| o["order_status_id"].as_i64() == Some(s)))
                    .collect();
                found.sort_by_key(|o| (o["date_confirmed"].as_i64().unwrap_or(0), o["order_id"].as_i64().unwrap_or(0)));
                let page: Vec<Value> = found.into_iter().take(ORDERS_PAGE).cloned().map(public).collect();
                ok(json!({ "orders": page }))
            }
            "getJournalList" => {
                if !self.config.journal {
                    return ok(json!({ "logs": [] }));
                }
                let after = p["last_log_id"].as_i64().unwrap_or(0);
                let types: Vec<i64> = p["logs_types"].as_array().map(|a| a.iter().filter_map(Value::as_i64).collect()).unwrap_or_default();
                let logs: Vec<Value> = self
                    .journal
                    .iter()
                    .filter(|(id, ..)| *id > after)
                    .filter(|(_, _, t, ..)| types.is_empty() || types.contains(t))
                    .take(super::client::JOURNAL_PAGE)
                    .map(|(id, order, t, object, date)| json!({ "id": id, "order_id": order, "log_type": t, "object_id": object, "date": date }))
                    .collect();
                ok(json!({ "logs": logs }))
            }
            "getOrderStatusList" => ok(
                json!({ "statuses": STATUSES.iter().map(|(id, name)| json!({ "id": id, "name": name, "name_for_customer": name, "color": "#2a6fdb" })).collect::<Vec<_>>() }),
            ),
            "getOrderExtraFields" => ok(
                json!({ "extra_fields": EXTRA_FIELDS.iter().map(|(id, name)| json!({ "extra_field_id": id, "name": name, "editor_type": "text" })).collect::<Vec<_>>() }),
            ),
            "setOrderStatus" => {
                let (Some(order), Some(status)) = (p["order_id"].as_i64(), p["status_id"].as_i64()) else {
                    return self.error("ERROR_BAD_PARAMETERS", "order_id and status_id are required");
                };
                if !STATUSES.iter().any(|(id, _)| *id == status) {
                    return self.error("ERROR_STATUS_NOT_FOUND", "No such status");
                }
                let now = Utc::now().timestamp();
                let log = self.next_log;
                let Some(o) = self.orders.get_mut(&order) else { return self.error("ERROR_ORDER_NOT_FOUND", "No such order") };
                o["order_status_id"] = json!(status);
                self.journal.push((log, order, 18, status, now));
                self.next_log += 1;
                self.stats.status_changes.push((order, status));
                ok(json!({}))
            }
            "setOrderFields" => {
                let Some(order) = p["order_id"].as_i64() else { return self.error("ERROR_BAD_PARAMETERS", "order_id is required") };
                let fields = p["custom_extra_fields"].as_object().cloned().unwrap_or_default();
                if let Some(bad) = fields.keys().find(|k| !EXTRA_FIELDS.iter().any(|(id, _)| id.to_string() == **k)) {
                    return self.error("ERROR_EXTRA_FIELD_NOT_FOUND", &format!("No such extra field: {bad}"));
                }
                let Some(o) = self.orders.get_mut(&order) else { return self.error("ERROR_ORDER_NOT_FOUND", "No such order") };
                for (k, v) in fields {
                    o["custom_extra_fields"][k] = v;
                }
                ok(json!({}))
            }
            "getInventories" => ok(
                json!({ "inventories": [{ "inventory_id": INVENTORY.0, "name": INVENTORY.1, "description": "", "languages": ["pl"], "default_language": "pl", "price_groups": PRICE_GROUPS.iter().map(|g| g.0).collect::<Vec<_>>(), "default_price_group": PRICE_GROUPS[0].0, "warehouses": [format!("{}_{}", WAREHOUSE.0, WAREHOUSE.1)], "default_warehouse": format!("{}_{}", WAREHOUSE.0, WAREHOUSE.1), "reservations": false, "is_default": true }] }),
            ),
            "getInventoryWarehouses" => ok(
                json!({ "warehouses": [{ "warehouse_type": WAREHOUSE.0, "warehouse_id": WAREHOUSE.1, "name": WAREHOUSE.2, "description": "", "stock_edition": true, "is_default": true }] }),
            ),
            "getInventoryPriceGroups" => ok(
                json!({ "price_groups": PRICE_GROUPS.iter().map(|(id, name, currency)| json!({ "price_group_id": id, "name": name, "description": "", "currency": currency, "is_default": *id == PRICE_GROUPS[0].0 })).collect::<Vec<_>>() }),
            ),
            "getInventoryProductsList" => {
                if p["inventory_id"].as_i64() != Some(INVENTORY.0) {
                    return self.error("ERROR_INVENTORY_NOT_FOUND", "No such catalog");
                }
                let page = p["page"].as_u64().unwrap_or(1).max(1) as usize;
                let listed: serde_json::Map<String, Value> = self
                    .products
                    .values()
                    .skip((page - 1).saturating_mul(super::client::PRODUCTS_PAGE))
                    .take(super::client::PRODUCTS_PAGE)
                    .map(|pr| {
                        (
                            pr["id"].to_string(),
                            json!({ "id": pr["id"], "ean": pr["ean"], "sku": pr["sku"], "name": pr["name"], "prices": pr["prices"], "stock": pr["stock"] }),
                        )
                    })
                    .collect();
                ok(json!({ "products": listed }))
            }
            "addInventoryProduct" => {
                if p["inventory_id"].as_i64() != Some(INVENTORY.0) && p["inventory_id"].as_str() != Some(&INVENTORY.0.to_string()) {
                    return self.error("ERROR_INVENTORY_NOT_FOUND", "No such catalog");
                }
                let mut warnings = serde_json::Map::new();
                let mut prices = serde_json::Map::new();
                for (group, price) in p["prices"].as_object().cloned().unwrap_or_default() {
                    if PRICE_GROUPS.iter().any(|g| g.0.to_string() == group) {
                        prices.insert(group, price);
                    } else {
                        warnings.insert(format!("prices.{group}"), json!(format!("No such price group {group}")));
                    }
                }
                let id = match p["product_id"].as_str().and_then(|s| s.parse::<i64>().ok()).or_else(|| p["product_id"].as_i64()) {
                    Some(id) if self.products.contains_key(&id) => id,
                    Some(_) => return self.error("ERROR_PRODUCT_NOT_FOUND", "No such product"),
                    None => {
                        let id = self.next_product;
                        self.next_product += 1;
                        id
                    }
                };
                let stock = self.products.get(&id).map(|pr| pr["stock"].clone()).unwrap_or(json!({}));
                let product = json!({
                    "id": id,
                    "sku": p["sku"],
                    "ean": p["ean"],
                    "name": p["text_fields"]["name"],
                    "tax_rate": p["tax_rate"],
                    "prices": prices,
                    "stock": stock,
                });
                self.products.insert(id, product);
                ok(json!({ "product_id": id, "warnings": warnings }))
            }
            "updateInventoryProductsStock" | "updateInventoryProductsPrices" => {
                let products = p["products"].as_object().cloned().unwrap_or_default();
                if products.len() > super::client::UPDATE_BATCH {
                    return self.error("ERROR_PRODUCTS_LIMIT", "Up to 1000 products at once");
                }
                let stock = method == "updateInventoryProductsStock";
                let mut warnings = serde_json::Map::new();
                let mut counter = 0;
                for (id, values) in products {
                    let Some(product) = id.parse::<i64>().ok().and_then(|i| self.products.get_mut(&i)) else {
                        warnings.insert(id.clone(), json!("No such product"));
                        continue;
                    };
                    for (key, value) in values.as_object().cloned().unwrap_or_default() {
                        let known = if stock { key == format!("{}_{}", WAREHOUSE.0, WAREHOUSE.1) } else { PRICE_GROUPS.iter().any(|g| g.0.to_string() == key) };
                        if !known {
                            warnings.insert(id.clone(), json!(format!("No such {} {key}", if stock { "warehouse" } else { "price group" })));
                            continue;
                        }
                        product[if stock { "stock" } else { "prices" }][key] = value;
                    }
                    counter += 1;
                }
                ok(json!({ "counter": counter, "warnings": warnings }))
            }
            other => self.error("ERROR_UNKNOWN_METHOD", &format!("Unknown method {other}")),
        }
    }

    /// A new order; confirmed at `confirmed` (Unix seconds), or unconfirmed with part of its
    /// products. Its id.
    fn add_order(&mut self, confirmed: Option<i64>) -> i64 {
        let id = self.next_order;
        self.next_order += 1;
        let n = id as u64;
        let r = &mut self.rng;
        let currencies = if self.config.currencies.is_empty() { vec!["EUR"] } else { self.config.currencies.clone() };
        let currency = currencies[(n % currencies.len() as u64) as usize];
        let polish = currency == "PLN";
        let lines = 1 + (n % 3) as usize;
        let mut products = Vec::new();
        for k in 0..lines {
            let g = demo::good(1 + (n * 7 + k as u64 * 13) % 40);
            let vat = if g.vat_group_id == 2 { 9.0 } else { 20.0 };
            let gross = ((g.price_retail * (1.0 + vat / 100.0)) * 100.0).round() / 100.0;
            // Every fifth line is not linked to a catalogue product (BaseLinker allows that).
            let linked = !(n + k as u64).is_multiple_of(5);
            products.push(json!({
                "storage": if linked { "db" } else { "" },
                "storage_id": if linked { 1 } else { 0 },
                "order_product_id": id * 10 + k as i64,
                "product_id": if linked { (n % 1000 * 10 + k as u64).to_string() } else { String::new() },
                "variant_id": "0",
                // A Polish shop names the goods its own way; matched by SKU or EAN all the same.
                "name": if polish { POLISH_NAMES[(n as usize + k) % POLISH_NAMES.len()].to_owned() } else { g.name.clone() },
                "sku": g.code,
                "ean": g.barcodes.first().cloned().unwrap_or_default(),
                "price_brutto": gross,
                "tax_rate": vat,
                "quantity": 1 + r.u32(0..3),
            }));
        }
        // Every fifth order has a promo code, as shops send one: a line below zero.
        if n.is_multiple_of(5) {
            products.push(json!({
                "storage": "", "storage_id": 0, "order_product_id": id * 10 + 9, "product_id": "", "variant_id": "0",
                "name": format!("Kod rabatowy LATO{}", n % 100), "sku": "", "ean": "", "price_brutto": -2.5, "tax_rate": 20, "quantity": 1,
            }));
        }
        let company = n.is_multiple_of(4);
        // Every seventh one who is no company left no e-mail: a guest.
        let guest = !company && n.is_multiple_of(7);
        let cod = n.is_multiple_of(3);
        let total: f64 = products.iter().map(|p| p["price_brutto"].as_f64().unwrap_or(0.0) * p["quantity"].as_f64().unwrap_or(0.0)).sum::<f64>() + 9.99;
        let (first, last, city) = if polish { ("Zofia", "Wójcik", "Kraków") } else { ("Мария", "Петрова", "София") };
        let mut order = json!({
            "order_id": id,
            "shop_order_id": 0,
            "external_order_id": format!("EXT-{id}"),
            "order_source": "shop",
            "order_source_id": 1,
            "order_status_id": STATUSES[0].0,
            "confirmed": confirmed.is_some(),
            "date_confirmed": confirmed.unwrap_or(0),
            "date_add": confirmed.unwrap_or_else(|| Utc::now().timestamp()) - 600,
            "user_login": format!("buyer{id}"),
            "phone": "+48 600 100 200",
            "email": if guest { String::new() } else { format!("buyer{id}@example.pl") },
            "currency": currency,
            "payment_method": if cod { "Płatność przy odbiorze" } else { "Przelew" },
            "payment_method_cod": if cod { "1" } else { "0" },
            "payment_done": if cod { 0.0 } else { (total * 100.0).round() / 100.0 },
            "delivery_method": if polish { "Kurier InPost" } else { "Еконт до офис" },
            "delivery_price": 9.99,
            "delivery_fullname": format!("{first} {last}"),
            "delivery_company": "",
            "delivery_address": if polish { "ul. Długa 5" } else { "ул. Граф Игнатиев 12" },
            "delivery_city": city,
            "delivery_postcode": "00-001",
            "delivery_country_code": if polish { "PL" } else { "BG" },
            "invoice_fullname": if company { String::new() } else { format!("{first} {last}") },
            "invoice_company": if company { if polish { format!("Firma {id} Sp. z o.o.") } else { format!("Фирма {id} ЕООД") } } else { String::new() },
            "invoice_nip": if company { if polish { format!("PL{:010}", 5_260_000_000 + n % 1000) } else { format!("BG{:09}", 200_000_000 + n % 1000) } } else { String::new() },
            "invoice_address": if polish { "ul. Długa 5" } else { "ул. Граф Игнатиев 12" },
            "invoice_city": city,
            "invoice_postcode": "00-001",
            "invoice_country_code": if polish { "PL" } else { "BG" },
            "want_invoice": if company { "1" } else { "0" },
            "extra_field_1": "",
            "extra_field_2": "",
            "custom_extra_fields": {},
            "products": products,
        });
        if confirmed.is_none() {
            // Unconfirmed: the buyer is still adding to it; only its first product is there yet.
            order["_all_products"] = order["products"].clone();
            if let Some(a) = order["products"].as_array_mut() {
                a.truncate(1);
            }
        }
        let date = order["date_add"].as_i64().unwrap_or(0);
        self.journal.push((self.next_log, id, 1, 0, date));
        self.next_log += 1;
        if let Some(c) = confirmed {
            self.journal.push((self.next_log, id, 2, 0, c));
            self.next_log += 1;
        }
        self.orders.insert(id, order);
        id
    }
}

/// An order as the API shows it (without the simulator's own keys).
fn public(mut o: Value) -> Value {
    if let Some(m) = o.as_object_mut() {
        m.retain(|k, _| !k.starts_with('_'));
    }
    o
}

/// True in Poland's summer time (the last Sunday of March to the last Sunday of October, from
/// 01:00 UTC).
fn poland_summer(t: DateTime<Utc>) -> bool {
    use chrono::Datelike;
    let last_sunday = |month: u32| {
        let mut d = chrono::NaiveDate::from_ymd_opt(t.year(), month, 31)?;
        while d.weekday() != chrono::Weekday::Sun {
            d = d.pred_opt()?;
        }
        d.and_hms_opt(1, 0, 0)
    };
    match (last_sunday(3), last_sunday(10)) {
        (Some(start), Some(end)) => t.naive_utc() >= start && t.naive_utc() < end,
        _ => false,
    }
}

/// A simulator serving on a free loopback port until dropped: what tests and benches start.
pub struct Running {
    /// Its state, to shape and inspect.
    pub sim: Sim,
    /// Its `connector.php` address.
    pub url: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Running {
    /// Starts one on the current runtime.
    pub async fn start(config: SimConfig) -> std::io::Result<Running> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/connector.php", listener.local_addr()?);
        let sim = Sim::new(config);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(sim.clone().serve(listener, async move {
            let _ = rx.await;
        }));
        Ok(Running { sim, url, _stop: tx })
    }
}

fn reply(status: StatusCode, v: &Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(v.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static("application/json"));
    r
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::baselinker::client::{limiter, BaseLinkerClient, BaseLinkerError, ClientConfig};
    use crate::secret::Secret;

    async fn start(config: SimConfig) -> (Sim, String, Running) {
        let running = Running::start(config).await.unwrap();
        (running.sim.clone(), running.url.clone(), running)
    }

    fn client(url: &str, token: &str, per_minute: u32, budget: Duration) -> BaseLinkerClient {
        let config = ClientConfig { url: url.to_owned(), token: Secret::new(token), request_timeout: Duration::from_secs(5), budget };
        BaseLinkerClient::new(config, Arc::new(limiter(per_minute))).unwrap()
    }

    /// Paging by `date_confirmed_from`, the next page from the last order's second plus one as
    /// the documentation says, would lose the orders of a second cut by the page's end: taken
    /// from that same second again, each order comes once; unconfirmed ones never, until they
    /// are confirmed.
    #[tokio::test]
    async fn confirmed_orders_page_by_their_second_once_each_and_unconfirmed_ones_wait() {
        let config = SimConfig { seed_orders: 250, seed_unconfirmed: 4, requests_per_minute: None, ..SimConfig::new("t") };
        let (sim, url, _stop) = start(config).await;
        let c = client(&url, "t", 100, Duration::from_secs(10));
        let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
        let mut from = 0i64;
        let mut pages = 0;
        loop {
            let page = c.get_orders(from, None).await.unwrap();
            pages += 1;
            for o in &page {
                assert_eq!(o["confirmed"], true, "{o}");
                *seen.entry(o["order_id"].as_i64().unwrap()).or_default() += 1;
            }
            if page.len() < ORDERS_PAGE {
                break;
            }
            // The last second may go on past the page: read from it again, keep what is new.
            let last = page.last().unwrap()["date_confirmed"].as_i64().unwrap();
            from = if page.iter().all(|o| o["date_confirmed"].as_i64() == Some(last)) { last + 1 } else { last };
            assert!(pages < 20);
        }
        assert_eq!(seen.len(), 250, "every confirmed order");
        assert_eq!(sim.stats().confirmed, 250);
        // An unconfirmed order: never listed; confirmed, it comes with all its products.
        let unconfirmed = 5_000_001 + 250;
        assert!(c.get_order(unconfirmed).await.unwrap().is_some_and(|o| o["confirmed"] == false));
        assert!(sim.confirm(unconfirmed));
        let now = c.get_orders(Utc::now().timestamp() - 5, None).await.unwrap();
        assert_eq!(now.iter().map(|o| o["order_id"].as_i64().unwrap()).collect::<Vec<_>>(), [unconfirmed]);
        // The journal says so, read a hundred events at a time from the last one's id.
        let (mut last, mut confirmations) = (0, Vec::new());
        loop {
            let logs = c.get_journal_list(last, &[2]).await.unwrap();
            let Some(end) = logs.last() else { break };
            last = end.id;
            confirmations.extend(logs.iter().map(|l| l.order_id));
        }
        assert_eq!(confirmations.len(), 251, "each confirmation once");
        assert_eq!(confirmations.last(), Some(&unconfirmed));
    }

    /// Statuses and extra fields come from the account; an order moves to a status and takes a
    /// value in an extra field; a status or field the account lacks is refused, and a bad
    /// token needs the operator.
    #[tokio::test]
    async fn statuses_and_extra_fields_of_the_account() {
        let config = SimConfig { seed_orders: 1, requests_per_minute: None, ..SimConfig::new("t") };
        let (sim, url, _stop) = start(config).await;
        let c = client(&url, "t", 100, Duration::from_secs(5));
        let statuses = c.get_order_status_list().await.unwrap();
        assert!(statuses.iter().any(|s| s.name == "Wprowadzono do magazynu"));
        c.set_order_status(5_000_001, 1002).await.unwrap();
        assert_eq!(sim.order(5_000_001).unwrap()["order_status_id"], 1002);
        let fields = c.get_order_extra_fields().await.unwrap();
        c.set_order_extra_field(5_000_001, fields[0].extra_field_id, "0000000042").await.unwrap();
        assert_eq!(sim.order(5_000_001).unwrap()["custom_extra_fields"]["501"], "0000000042");
        let e = c.set_order_status(5_000_001, 9).await.unwrap_err();
        assert!(matches!(&e, BaseLinkerError::Refused { code, .. } if code == "ERROR_STATUS_NOT_FOUND"), "{e:?}");
        let e = client(&url, "wrong", 100, Duration::from_secs(5)).get_order_status_list().await.unwrap_err();
        assert!(matches!(e, BaseLinkerError::BadToken { .. }), "{e:?}");
        assert!(!e.is_retryable());
    }

    /// The catalogue: its warehouse and price groups (with currencies); a product added and then
    /// updated by its id, stock and prices set in batches, and what the account lacks said as
    /// warnings, per product, never an error of the call.
    #[tokio::test]
    async fn the_catalogue_takes_products_stock_and_prices_with_warnings_per_product() {
        let (sim, url, _stop) = start(SimConfig { requests_per_minute: None, ..SimConfig::new("t") }).await;
        let c = client(&url, "t", 100, Duration::from_secs(5));
        let inventory = c.get_inventories().await.unwrap()[0].inventory_id;
        let warehouse = c.get_inventory_warehouses().await.unwrap()[0].key();
        assert_eq!(warehouse, "bl_401");
        let groups = c.get_inventory_price_groups().await.unwrap();
        assert_eq!(groups.iter().map(|g| g.currency.as_str()).collect::<Vec<_>>(), ["PLN", "EUR"]);
        let mut product = crate::baselinker::client::NewProduct {
            product_id: None,
            sku: "100001".into(),
            ean: "3800000000010".into(),
            name: "Кафе на зърна".into(),
            tax_rate: 20.0,
            prices: [("105".to_owned(), 12.5), ("999".to_owned(), 1.0)].into(),
        };
        let (id, warnings) = c.add_inventory_product(inventory, &product).await.unwrap();
        assert_eq!(warnings.len(), 1, "the price group the account lacks: {warnings:?}");
        product.product_id = Some(id);
        product.name = "Кафе на зърна 1 кг".into();
        let (same, _) = c.add_inventory_product(inventory, &product).await.unwrap();
        assert_eq!(same, id, "updated by its id, not added again");
        let listed = c.get_inventory_products_list(inventory, 1).await.unwrap();
        assert_eq!((listed.len(), listed[0].name.as_str()), (1, "Кафе на зърна 1 кг"));
        let w = c.update_inventory_products_stock(inventory, &warehouse, &[(id, 7.0), (1, 2.0)]).await.unwrap();
        assert_eq!(w, [("1".to_owned(), "No such product".to_owned())]);
        assert!(c.update_inventory_products_prices(inventory, 106, &[(id, 3.2)]).await.unwrap().is_empty());
        let p = &sim.products()[0];
        assert_eq!((p["stock"]["bl_401"].as_f64(), p["prices"]["106"].as_f64()), (Some(7.0), Some(3.2)));
    }

    /// Two users of one token sharing its limiter never exceed its limit; a third that does
    /// not share it is blocked, waits until the time BaseLinker names, and its call completes.
    #[tokio::test]
    async fn a_shared_limiter_keeps_the_tokens_limit_and_a_blocked_token_waits() {
        let config = SimConfig { requests_per_minute: Some(20), block: Duration::from_secs(2), ..SimConfig::new("t") };
        let (sim, url, _stop) = start(config).await;
        let shared = Arc::new(limiter(20));
        let make = |l: Arc<crate::baselinker::Limiter>| {
            let config = ClientConfig { url: url.clone(), token: Secret::new("t"), request_timeout: Duration::from_secs(5), budget: Duration::from_secs(30) };
            BaseLinkerClient::new(config, l).unwrap()
        };
        let (a, b) = (make(shared.clone()), make(shared));
        // The burst only: each of the two takes its turn from the one budget.
        let (ra, rb) = tokio::join!(a.get_order_status_list(), b.get_order_status_list());
        ra.unwrap();
        rb.unwrap();
        assert!(sim.stats().most_in_a_minute <= 20);
        assert!(sim.stats().errors.is_empty(), "{:?}", sim.stats().errors);
        // A user with a limiter of its own, far above the token's budget, is blocked and waits.
        let unlimited = governor::Quota::per_second(std::num::NonZeroU32::new(1000).unwrap());
        let told = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let hook_told = told.clone();
        let hook: crate::baselinker::client::RetryHook =
            Arc::new(move |method: &str, e: &crate::baselinker::BaseLinkerError, _attempt: u32, _wait: std::time::Duration| {
                hook_told.lock().unwrap().push(format!("{method}: {e}"));
            });
        let greedy = make(Arc::new(governor::RateLimiter::direct(unlimited))).with_retry_hook(hook);
        for _ in 0..25 {
            greedy.get_order_status_list().await.unwrap();
        }
        let stats = sim.stats();
        assert!(stats.errors.get(BLOCKED).copied().unwrap_or(0) >= 1, "{stats:?}");
        assert!(greedy.retries() >= 1, "the wait counted as a retry");
        // Each wait was told, naming the method and the block, never the token.
        let told = told.lock().unwrap().clone();
        assert_eq!(told.len() as u64, greedy.retries(), "{told:?}");
        assert!(told.iter().all(|t| t.starts_with("getOrderStatusList: ") && t.contains("blocked") && !t.contains("\"t\"")), "{told:?}");
    }
}
