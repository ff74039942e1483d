//! The BaseLinker client: each call a form POST of `method` and `parameters` to `connector.php`
//! with the token in `X-BLToken`, held to the token's budget by a limiter that every user of the
//! token shares ([`limiter`]), tried again within a budget where the failure may pass (no
//! connection, a timeout, a 5xx, the token blocked for exceeding the limit: that waits until the
//! time BaseLinker names, and counts as a retry), and refused at once where it will not (a bad
//! token, a wrong request).

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::i18n::{current, Msg};
use crate::secret::Secret;

/// BaseLinker's endpoint.
pub const DEFAULT_URL: &str = "https://api.baselinker.com/connector.php";
/// The most orders one `getOrders` answer holds.
pub const ORDERS_PAGE: usize = 100;
/// The most requests a token may make in a minute.
pub const REQUESTS_PER_MINUTE: u32 = 100;
/// The header that carries the token.
pub const TOKEN_HEADER: &str = "X-BLToken";
/// The error code of a token blocked for exceeding the limit.
pub const BLOCKED: &str = "ERROR_USER_ACCOUNT_BLOCKED";

/// A limiter of one token's requests (governor's GCRA).
pub type Limiter = governor::DefaultDirectRateLimiter;

/// A limiter that never lets more than `per_minute` requests through in any 60 seconds: a
/// burst of a few, then one each 60 s / (`per_minute` - burst). BaseLinker counts the token's
/// requests over a minute; a burst of the whole budget followed by the refill would pass almost
/// twice the budget in the first minute.
pub fn limiter(per_minute: u32) -> Limiter {
    let n = per_minute.clamp(1, REQUESTS_PER_MINUTE);
    let burst = (n / 20).max(1);
    let spread = (n - burst).max(1);
    let period = Duration::from_millis(60_000 / u64::from(spread) + 1);
    let quota = governor::Quota::with_period(period).unwrap_or_else(|| governor::Quota::per_minute(NonZeroU32::MIN));
    governor::RateLimiter::direct(quota.allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN)))
}

/// Where and how to reach BaseLinker.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The endpoint.
    pub url: String,
    /// The API token.
    pub token: Secret,
    /// How long one request may take.
    pub request_timeout: Duration,
    /// How long a call may keep trying (a blocked token's wait included).
    pub budget: Duration,
}

/// What can go wrong between obmen and BaseLinker. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum BaseLinkerError {
    /// No connection could be made, or it broke.
    #[error("{}", Msg::BlUnreachable.with(current(), &[("url", url), ("detail", detail)]))]
    Unreachable {
        /// The address.
        url: String,
        /// What the network said.
        detail: String,
    },
    /// No answer in time.
    #[error("{}", Msg::BlTimeout.with(current(), &[("url", url), ("secs", secs)]))]
    Timeout {
        /// The address.
        url: String,
        /// The time allowed.
        secs: u64,
    },
    /// BaseLinker failed (5xx).
    #[error("{}", Msg::BlServer.with(current(), &[("status", status)]))]
    Server {
        /// The HTTP status.
        status: u16,
    },
    /// The token was refused.
    #[error("{}", Msg::BlBadToken.with(current(), &[("code", code), ("message", message)]))]
    BadToken {
        /// BaseLinker's code.
        code: String,
        /// BaseLinker's words.
        message: String,
    },
    /// The token is blocked for exceeding the limit, until a time.
    #[error("{}", Msg::BlBlocked.with(current(), &[("until", &until.map(|u| u.with_timezone(&chrono::Local).format("%H:%M:%S").to_string()).unwrap_or_default()), ("message", message)]))]
    Blocked {
        /// Until when, where BaseLinker said.
        until: Option<DateTime<Utc>>,
        /// BaseLinker's words.
        message: String,
    },
    /// BaseLinker refused the request (`status` `ERROR`); trying again will not help.
    #[error("{}", Msg::BlRefused.with(current(), &[("method", method), ("code", code), ("message", message)]))]
    Refused {
        /// Which method.
        method: String,
        /// BaseLinker's code.
        code: String,
        /// BaseLinker's words.
        message: String,
    },
    /// The answer is not what the documentation says.
    #[error("{}", Msg::BlDecode.with(current(), &[("method", method), ("detail", detail)]))]
    Decode {
        /// Which method.
        method: String,
        /// Why.
        detail: String,
    },
    /// Retries ran out of time.
    #[error("{}", Msg::BlGaveUp.with(current(), &[("method", method), ("attempts", attempts), ("last", last)]))]
    GaveUp {
        /// Which method.
        method: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last attempt's error.
        last: Box<BaseLinkerError>,
    },
}

impl BaseLinkerError {
    /// True when the same request may succeed later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, BaseLinkerError::Unreachable { .. } | BaseLinkerError::Timeout { .. } | BaseLinkerError::Server { .. } | BaseLinkerError::Blocked { .. })
    }

    /// The error of the last attempt, where retries ran out.
    pub fn last(&self) -> &BaseLinkerError {
        match self {
            BaseLinkerError::GaveUp { last, .. } => last,
            other => other,
        }
    }
}

/// The time a blocked token's message names (`... blocked until 2026-12-06 03:45:00`), in
/// BaseLinker's own time: Poland's, UTC+1, UTC+2 from the last Sunday of March to the last
/// Sunday of October (the EU's rule, at 01:00 UTC).
pub fn blocked_until(message: &str) -> Option<DateTime<Utc>> {
    let at = message.find("until")?;
    let text = message.get(at + "until".len()..)?.trim();
    let stamp = text.get(..19)?;
    let local = NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S").ok()?;
    let last_sunday = |month: u32| {
        let mut d = chrono::NaiveDate::from_ymd_opt(local.year(), month, 31)?;
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt()?;
        }
        d.and_hms_opt(1, 0, 0)
    };
    let (start, end) = (last_sunday(3)?, last_sunday(10)?);
    let as_utc_winter = local - chrono::Duration::hours(1);
    let offset = if as_utc_winter >= start && as_utc_winter < end { 2 } else { 1 };
    Some(Utc.from_utc_datetime(&(local - chrono::Duration::hours(offset))))
}

/// An order status of the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderStatus {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// An order extra field of the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtraField {
    /// Its id.
    pub extra_field_id: i64,
    /// Its name.
    pub name: String,
}

/// A catalogue (inventory) of the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// Its id.
    pub inventory_id: i64,
    /// Its name.
    pub name: String,
    /// Its price groups' ids.
    #[serde(default)]
    pub price_groups: Vec<i64>,
    /// The price group its prices go to unless told otherwise.
    #[serde(default)]
    pub default_price_group: i64,
    /// Its warehouses' ids (`bl_401`).
    #[serde(default)]
    pub warehouses: Vec<String>,
    /// The warehouse its stock goes to unless told otherwise.
    #[serde(default)]
    pub default_warehouse: String,
    /// True for the account's default catalogue.
    #[serde(default)]
    pub is_default: bool,
}

/// A warehouse of the catalogues, whose id stock goes to (`bl_123`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryWarehouse {
    /// Its type (`bl`: BaseLinker's own).
    pub warehouse_type: String,
    /// Its number.
    pub warehouse_id: i64,
    /// Its name.
    pub name: String,
}

impl InventoryWarehouse {
    /// The id stock is given under: `bl_123`.
    pub fn key(&self) -> String {
        format!("{}_{}", self.warehouse_type, self.warehouse_id)
    }
}

/// A price group of the catalogues, with its currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceGroup {
    /// Its id.
    pub price_group_id: i64,
    /// Its name.
    pub name: String,
    /// Its currency (ISO code).
    pub currency: String,
}

/// A product of a catalogue, as a listing gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedProduct {
    /// Its id.
    pub id: i64,
    /// Its SKU.
    #[serde(default)]
    pub sku: String,
    /// Its EAN.
    #[serde(default)]
    pub ean: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
}

/// A product to add to a catalogue, or (with `product_id`) to update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewProduct {
    /// The product to update; none to add one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<i64>,
    /// Its SKU.
    pub sku: String,
    /// Its EAN.
    pub ean: String,
    /// Its name.
    pub name: String,
    /// Its VAT rate in percent.
    pub tax_rate: f64,
    /// Its gross price in each price group, by the group's id.
    pub prices: std::collections::BTreeMap<String, f64>,
}

/// The most products one page of `getInventoryProductsList` holds.
pub const PRODUCTS_PAGE: usize = 1000;

/// The most events one `getJournalList` answer holds (our reading: the documentation gives no
/// number; see `docs/baselinker.md`).
pub const JOURNAL_PAGE: usize = 100;

/// The most products one stock or price update takes.
pub const UPDATE_BATCH: usize = 1000;

/// An event of the order journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// The event's id (the cursor).
    pub id: i64,
    /// The order.
    pub order_id: i64,
    /// What happened (1: order created, 2: order confirmed, 18: status changed, ...).
    pub log_type: i64,
    /// More, by type (the new status of 18).
    #[serde(default)]
    pub object_id: i64,
    /// When (Unix seconds).
    #[serde(default)]
    pub date: i64,
}

/// Told of each call tried again: the method, and why it was.
pub type RetryHook = Arc<dyn Fn(&str, &BaseLinkerError, u32, Duration) + Send + Sync>;

/// A client of one BaseLinker token.
#[derive(Clone)]
pub struct BaseLinkerClient {
    http: reqwest::Client,
    url: String,
    token: Secret,
    limiter: Arc<Limiter>,
    request_timeout: Duration,
    budget: Duration,
    retries: Arc<AtomicU64>,
    /// Requests sent (each try), by this client and its clones.
    requests: Arc<AtomicU64>,
    on_retry: Option<RetryHook>,
}

impl std::fmt::Debug for BaseLinkerClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BaseLinkerClient").field("url", &self.url).field("token", &self.token).finish_non_exhaustive()
    }
}

impl BaseLinkerClient {
    /// A client drawing on `limiter`, which every user of the same token must share.
    pub fn new(config: ClientConfig, limiter: Arc<Limiter>) -> Result<BaseLinkerClient, BaseLinkerError> {
        crate::net::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| BaseLinkerError::Unreachable { url: config.url.clone(), detail: e.to_string() })?;
        Ok(BaseLinkerClient {
            http,
            url: config.url,
            token: config.token,
            limiter,
            request_timeout: config.request_timeout,
            budget: config.budget,
            retries: Arc::new(AtomicU64::new(0)),
            requests: Arc::new(AtomicU64::new(0)),
            on_retry: None,
        })
    }

    /// The client telling `hook` of each call it tries again (a run's log says so while it
    /// waits, e.g. for a blocked token).
    pub fn with_retry_hook(mut self, hook: RetryHook) -> Self {
        self.on_retry = Some(hook);
        self
    }

    /// Calls tried again, over every clone of this client.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// The counter of requests sent (each try, each a round trip), over every clone.
    pub fn request_counter(&self) -> Arc<AtomicU64> {
        self.requests.clone()
    }

    /// One request, as sent and answered: the answer's fields, or why not.
    async fn once(&self, method: &str, parameters: &Value) -> Result<Value, BaseLinkerError> {
        self.limiter.until_ready().await;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let form = form_urlencoded::Serializer::new(String::new()).append_pair("method", method).append_pair("parameters", &parameters.to_string()).finish();
        let sent = self
            .http
            .post(&self.url)
            .header(TOKEN_HEADER, self.token.expose())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Err(BaseLinkerError::Timeout { url: self.url.clone(), secs: self.request_timeout.as_secs() }),
            Err(e) => return Err(BaseLinkerError::Unreachable { url: self.url.clone(), detail: crate::i18n::net_error(&e, current()) }),
        };
        let status = resp.status();
        if status.is_server_error() {
            return Err(BaseLinkerError::Server { status: status.as_u16() });
        }
        let body = match resp.bytes().await {
            Ok(b) => b,
            Err(e) if e.is_timeout() => return Err(BaseLinkerError::Timeout { url: self.url.clone(), secs: self.request_timeout.as_secs() }),
            Err(e) => return Err(BaseLinkerError::Unreachable { url: self.url.clone(), detail: crate::i18n::net_error(&e, current()) }),
        };
        let v: Value = serde_json::from_slice(&body).map_err(|e| BaseLinkerError::Decode { method: method.to_owned(), detail: e.to_string() })?;
        match v["status"].as_str() {
            Some("SUCCESS") => Ok(v),
            Some("ERROR") => {
                let code = v["error_code"].as_str().unwrap_or("").to_owned();
                let message = v["error_message"].as_str().unwrap_or("").to_owned();
                Err(match code.as_str() {
                    BLOCKED => BaseLinkerError::Blocked { until: blocked_until(&message), message },
                    "ERROR_BAD_TOKEN" | "ERROR_NO_TOKEN" | "ERROR_USER_INACTIVE" => BaseLinkerError::BadToken { code, message },
                    _ => BaseLinkerError::Refused { method: method.to_owned(), code, message },
                })
            }
            _ => Err(BaseLinkerError::Decode { method: method.to_owned(), detail: format!("status {:?}", v["status"]) }),
        }
    }

    /// Calls a method: tried again where the failure may pass, within the budget; a blocked
    /// token waits until the time BaseLinker named (a minute where it named none).
    pub async fn call(&self, method: &str, parameters: Value) -> Result<Value, BaseLinkerError> {
        let started = tokio::time::Instant::now();
        let mut attempts = 0u32;
        let mut delay = Duration::from_millis(200);
        loop {
            attempts += 1;
            let e = match self.once(method, &parameters).await {
                Ok(v) => return Ok(v),
                Err(e) if !e.is_retryable() => return Err(e),
                Err(e) => e,
            };
            let wait = match &e {
                // Until the time named (written to the second: a moment more); where it has
                // passed already, a moment; where none is named, a minute.
                BaseLinkerError::Blocked { until: Some(u), .. } => (*u - Utc::now()).to_std().unwrap_or_default().max(Duration::from_secs(1)),
                BaseLinkerError::Blocked { until: None, .. } => Duration::from_secs(60),
                _ => delay,
            };
            if started.elapsed() + wait > self.budget {
                return Err(BaseLinkerError::GaveUp { method: method.to_owned(), attempts, last: Box::new(e) });
            }
            tracing::debug!(method, attempt = attempts, wait_ms = wait.as_millis() as u64, error = %e, "BaseLinker call tried again.");
            self.retries.fetch_add(1, Ordering::Relaxed);
            if let Some(hook) = &self.on_retry {
                hook(method, &e, attempts, wait);
            }
            tokio::time::sleep(wait).await;
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }

    /// A page of confirmed orders (never unconfirmed ones) confirmed at or after
    /// `date_confirmed_from` (Unix seconds), oldest first, at most [`ORDERS_PAGE`]; only those
    /// in `status_id` where given. Each order as BaseLinker sent it.
    pub async fn get_orders(&self, date_confirmed_from: i64, status_id: Option<i64>) -> Result<Vec<Value>, BaseLinkerError> {
        let mut p = json!({ "date_confirmed_from": date_confirmed_from, "get_unconfirmed_orders": false });
        if let Some(s) = status_id {
            p["status_id"] = json!(s);
        }
        let v = self.call("getOrders", p).await?;
        serde_json::from_value(v["orders"].clone()).map_err(|e| BaseLinkerError::Decode { method: "getOrders".into(), detail: e.to_string() })
    }

    /// One order by its id (confirmed or not), as BaseLinker sent it.
    pub async fn get_order(&self, order_id: i64) -> Result<Option<Value>, BaseLinkerError> {
        let v = self.call("getOrders", json!({ "order_id": order_id, "get_unconfirmed_orders": true })).await?;
        Ok(v["orders"].as_array().and_then(|a| a.first()).cloned())
    }

    /// The order journal's events after `last_log_id` of these types (empty where the journal
    /// is not activated for the account).
    pub async fn get_journal_list(&self, last_log_id: i64, logs_types: &[i64]) -> Result<Vec<JournalEntry>, BaseLinkerError> {
        let v = self.call("getJournalList", json!({ "last_log_id": last_log_id, "logs_types": logs_types })).await?;
        serde_json::from_value(v["logs"].clone()).map_err(|e| BaseLinkerError::Decode { method: "getJournalList".into(), detail: e.to_string() })
    }

    /// The account's order statuses.
    pub async fn get_order_status_list(&self) -> Result<Vec<OrderStatus>, BaseLinkerError> {
        let v = self.call("getOrderStatusList", json!({})).await?;
        serde_json::from_value(v["statuses"].clone()).map_err(|e| BaseLinkerError::Decode { method: "getOrderStatusList".into(), detail: e.to_string() })
    }

    /// Moves an order to a status.
    pub async fn set_order_status(&self, order_id: i64, status_id: i64) -> Result<(), BaseLinkerError> {
        self.call("setOrderStatus", json!({ "order_id": order_id, "status_id": status_id })).await.map(|_| ())
    }

    /// The account's order extra fields.
    pub async fn get_order_extra_fields(&self) -> Result<Vec<ExtraField>, BaseLinkerError> {
        let v = self.call("getOrderExtraFields", json!({})).await?;
        serde_json::from_value(v["extra_fields"].clone()).map_err(|e| BaseLinkerError::Decode { method: "getOrderExtraFields".into(), detail: e.to_string() })
    }

    /// Writes a value into an order's extra field.
    pub async fn set_order_extra_field(&self, order_id: i64, extra_field_id: i64, value: &str) -> Result<(), BaseLinkerError> {
        let fields = serde_json::Map::from_iter([(extra_field_id.to_string(), json!(value))]);
        self.call("setOrderFields", json!({ "order_id": order_id, "custom_extra_fields": fields })).await.map(|_| ())
    }

    /// The account's catalogues.
    pub async fn get_inventories(&self) -> Result<Vec<Inventory>, BaseLinkerError> {
        let v = self.call("getInventories", json!({})).await?;
        decode("getInventories", &v["inventories"])
    }

    /// The catalogues' warehouses.
    pub async fn get_inventory_warehouses(&self) -> Result<Vec<InventoryWarehouse>, BaseLinkerError> {
        let v = self.call("getInventoryWarehouses", json!({})).await?;
        decode("getInventoryWarehouses", &v["warehouses"])
    }

    /// The catalogues' price groups, each with its currency.
    pub async fn get_inventory_price_groups(&self) -> Result<Vec<PriceGroup>, BaseLinkerError> {
        let v = self.call("getInventoryPriceGroups", json!({})).await?;
        decode("getInventoryPriceGroups", &v["price_groups"])
    }

    /// A page (from 1) of a catalogue's products, [`PRODUCTS_PAGE`] at most.
    pub async fn get_inventory_products_list(&self, inventory_id: i64, page: u32) -> Result<Vec<ListedProduct>, BaseLinkerError> {
        let v = self.call("getInventoryProductsList", json!({ "inventory_id": inventory_id, "page": page })).await?;
        let map: std::collections::BTreeMap<String, ListedProduct> = decode("getInventoryProductsList", &v["products"])?;
        Ok(map.into_values().collect())
    }

    /// Adds a product to a catalogue, or updates one: its id, and the warnings BaseLinker gave.
    pub async fn add_inventory_product(&self, inventory_id: i64, product: &NewProduct) -> Result<(i64, Vec<String>), BaseLinkerError> {
        let mut p = json!({
            "inventory_id": inventory_id,
            "sku": product.sku,
            "ean": product.ean,
            "tax_rate": product.tax_rate,
            "prices": product.prices,
            "text_fields": { "name": product.name },
        });
        if let Some(id) = product.product_id {
            p["product_id"] = json!(id.to_string());
        }
        let v = self.call("addInventoryProduct", p).await?;
        let id = v["product_id"].as_i64().or_else(|| v["product_id"].as_str().and_then(|s| s.parse().ok()));
        let id = id.ok_or_else(|| BaseLinkerError::Decode { method: "addInventoryProduct".into(), detail: "no product_id".into() })?;
        Ok((id, warnings(&v["warnings"])))
    }

    /// Sets stock in one warehouse (`bl_123`) for up to [`UPDATE_BATCH`] products: the warnings by
    /// product id.
    pub async fn update_inventory_products_stock(
        &self,
        inventory_id: i64,
        warehouse: &str,
        stock: &[(i64, f64)],
    ) -> Result<Vec<(String, String)>, BaseLinkerError> {
        let products: serde_json::Map<String, Value> = stock.iter().map(|(id, qty)| (id.to_string(), json!({ warehouse: qty }))).collect();
        let v = self.call("updateInventoryProductsStock", json!({ "inventory_id": inventory_id, "products": products })).await?;
        Ok(keyed_warnings(&v["warnings"]))
    }

    /// Sets prices in one price group for up to [`UPDATE_BATCH`] products: the warnings by
    /// product id.
    pub async fn update_inventory_products_prices(
        &self,
        inventory_id: i64,
        price_group: i64,
        prices: &[(i64, f64)],
    ) -> Result<Vec<(String, String)>, BaseLinkerError> {
        let products: serde_json::Map<String, Value> = prices.iter().map(|(id, price)| (id.to_string(), json!({ price_group.to_string(): price }))).collect();
        let v = self.call("updateInventoryProductsPrices", json!({ "inventory_id": inventory_id, "products": products })).await?;
        Ok(keyed_warnings(&v["warnings"]))
    }
}

fn decode<T: serde::de::DeserializeOwned>(method: &str, v: &Value) -> Result<T, BaseLinkerError> {
    serde_json::from_value(v.clone()).map_err(|e| BaseLinkerError::Decode { method: method.to_owned(), detail: e.to_string() })
}

/// Warnings as a list of words (an object of them, or an array).
fn warnings(v: &Value) -> Vec<String> {
    match v {
        Value::Object(m) => m.values().map(|w| w.as_str().map(str::to_owned).unwrap_or_else(|| w.to_string())).collect(),
        Value::Array(a) => a.iter().map(|w| w.as_str().map(str::to_owned).unwrap_or_else(|| w.to_string())).collect(),
        _ => Vec::new(),
    }
}

/// Warnings by the product they are about.
fn keyed_warnings(v: &Value) -> Vec<(String, String)> {
    v.as_object().map(|m| m.iter().map(|(k, w)| (k.clone(), w.as_str().map(str::to_owned).unwrap_or_else(|| w.to_string()))).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Poland's clock: UTC+1 in winter, UTC+2 in summer, changing on the last Sundays of March
    /// and October.
    #[test]
    fn a_blocked_tokens_time_is_read_in_polands_clock() {
        let winter = blocked_until("Query limit exceeded, token blocked until 2026-12-06 03:45:00").unwrap();
        assert_eq!(winter, Utc.with_ymd_and_hms(2026, 12, 6, 2, 45, 0).unwrap());
        let summer = blocked_until("Query limit exceeded, token blocked until 2026-07-01 12:00:00.").unwrap();
        assert_eq!(summer, Utc.with_ymd_and_hms(2026, 7, 1, 10, 0, 0).unwrap());
        assert_eq!(blocked_until("Query limit exceeded"), None);
        assert_eq!(blocked_until("blocked until soon"), None);
    }

    /// Any 60 seconds hold at most the budget: the burst and the steady rate together.
    #[test]
    fn the_limiter_never_passes_more_than_the_budget_in_a_minute() {
        for n in [1u32, 10, 60, 100, 250] {
            let allowed = n.clamp(1, REQUESTS_PER_MINUTE);
            let burst = (allowed / 20).max(1);
            let spread = (allowed - burst).max(1);
            let period_ms = 60_000 / u64::from(spread) + 1;
            let in_a_minute = u64::from(burst) + 60_000 / period_ms;
            assert!(in_a_minute <= u64::from(allowed.max(2)), "{n}: {in_a_minute}");
            let l = limiter(n);
            let mut passed = 0;
            while l.check().is_ok() {
                passed += 1;
            }
            assert_eq!(passed, burst, "{n}: the burst");
        }
    }
}
