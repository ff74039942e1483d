//! The Shopiko client: signed requests over HTTPS (rustls, certificates checked against the
//! system's roots), paging to the end, batching, and retries.
//!
//! Retries: 5xx, timeouts and dropped connections are retried with exponential backoff and jitter;
//! 429 waits at least the shop's `Retry-After`; other 4xx are never retried. Every call has a
//! bounded total retry time ([`RetryPolicy::budget`]); past it the call fails with
//! [`ShopikoError::GaveUp`], saying how many attempts were made and what the last one met.
//! Each attempt is signed anew. The key is held in a [`Secret`] and never logged.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::model::*;
use super::sign::{self, HEADER_API_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP};
use crate::i18n::{current, Msg};
use crate::secret::Secret;

/// The most orders one page may hold.
pub const ORDERS_PAGE_MAX: u32 = 200;
/// The most products or customers one page may hold.
pub const LIST_PAGE_MAX: u32 = 500;
/// The most products or customers one upsert may carry.
pub const UPSERT_BATCH: usize = 500;
/// The most stock levels one request may carry.
pub const STOCK_BATCH: usize = 1000;
/// The most acknowledgements one batch may carry.
pub const ACK_BATCH: usize = 100;

/// How hard the client tries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// How long one request may take, from sending to the last byte of the answer.
    pub request_timeout: Duration,
    /// How long making a connection may take.
    pub connect_timeout: Duration,
    /// The first pause before a retry; it doubles each time.
    pub base_delay: Duration,
    /// The longest pause before a retry.
    pub max_delay: Duration,
    /// The most time one call may spend, retries and pauses included.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            budget: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy for connection checks: answer within seconds, retry little.
    pub fn quick() -> Self {
        RetryPolicy {
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(1),
            budget: Duration::from_secs(5),
        }
    }
}

/// What can go wrong between obmen and the shop. Each says what to do.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ShopikoError {
    /// No connection could be made, or it broke.
    #[error("{}", Msg::ShopUnreachable.with(current(), &[("url", url), ("detail", detail)]))]
    Unreachable {
        /// The address.
        url: String,
        /// What the network said.
        detail: String,
    },
    /// The TLS handshake failed (an untrusted or wrong certificate, or not TLS at all).
    #[error("{}", Msg::ShopTls.with(current(), &[("url", url), ("detail", detail)]))]
    Tls {
        /// The address.
        url: String,
        /// What TLS said.
        detail: String,
    },
    /// No answer in time.
    #[error("{}", Msg::ShopTimeout.with(current(), &[("url", url), ("secs", secs)]))]
    Timeout {
        /// The address.
        url: String,
        /// The time allowed.
        secs: u64,
    },
    /// The shop refused the API ID or the signature.
    #[error("{}", Msg::ShopUnauthorized.with(current(), &[("code", code), ("message", message)]))]
    Unauthorized {
        /// The shop's code: unknown_api_id, bad_signature, missing_auth.
        code: String,
        /// The shop's words.
        message: String,
    },
    /// This computer's clock is too far from the shop's.
    #[error("{}", (if *skew_secs > 0 { Msg::ShopClockAhead } else { Msg::ShopClockBehind }).with(current(), &[("secs", &skew_secs.abs()), ("max", &sign::MAX_SKEW_SECS)]))]
    ClockSkew {
        /// Our clock minus the shop's, in seconds.
        skew_secs: i64,
    },
    /// The shop asks to slow down.
    #[error("{}", Msg::ShopRateLimited.with(current(), &[("secs", &retry_after.as_secs())]))]
    RateLimited {
        /// How long to wait.
        retry_after: Duration,
    },
    /// The shop refused the request as wrong (4xx); retrying will not help.
    #[error("{}", Msg::ShopRejected.with(current(), &[("status", status), ("code", code), ("message", message)]))]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The shop's code.
        code: String,
        /// The shop's words.
        message: String,
    },
    /// The shop failed (5xx).
    #[error("{}", Msg::ShopServer.with(current(), &[("status", status), ("message", message)]))]
    Server {
        /// The HTTP status.
        status: u16,
        /// The shop's words.
        message: String,
    },
    /// The answer is not what the contract says.
    #[error("{}", Msg::ShopDecode.with(current(), &[("what", what), ("detail", detail)]))]
    Decode {
        /// Which call.
        what: String,
        /// Why.
        detail: String,
    },
    /// Retries ran out of time.
    #[error("{}", Msg::ShopGaveUp.with(current(), &[("what", &Msg::shop_call(what, current())), ("attempts", attempts), ("secs", &crate::i18n::decimal(elapsed.as_secs_f64(), 1, current())), ("last", last)]))]
    GaveUp {
        /// Which call.
        what: String,
        /// How many attempts were made.
        attempts: u32,
        /// How long they took.
        elapsed: Duration,
        /// The last attempt's error.
        last: Box<ShopikoError>,
    },
}

impl ShopikoError {
    /// True when the same request may succeed later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ShopikoError::Unreachable { .. } | ShopikoError::Timeout { .. } | ShopikoError::Server { .. } | ShopikoError::RateLimited { .. })
    }

    /// The error of the last attempt, where retries ran out.
    pub fn last(&self) -> &ShopikoError {
        match self {
            ShopikoError::GaveUp { last, .. } => last,
            other => other,
        }
    }
}

/// Results of the Shopiko client.
pub type Result<T, E = ShopikoError> = std::result::Result<T, E>;

/// Where and how to reach a shop.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The API's base address, e.g. https://shop.example.bg/api/microinvest.
    pub url: String,
    /// The API ID (sent).
    pub api_id: String,
    /// The key (never sent, never printed).
    pub key: Secret,
    /// How hard to try.
    pub retry: RetryPolicy,
}

/// Called before each retry with the call's name and the error it met.
pub type RetryHook = std::sync::Arc<dyn Fn(&str, &ShopikoError, u32, Duration) + Send + Sync>;

/// A client for one shop.
#[derive(Clone)]
pub struct ShopikoClient {
    /// The HTTP client (connection pool, TLS).
    http: reqwest::Client,
    /// The base address, ending without '/'.
    base: Url,
    /// The API ID.
    api_id: String,
    /// The key.
    key: Secret,
    /// How hard to try.
    retry: RetryPolicy,
    /// Calls tried again, over every clone of this client.
    retries: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Requests sent (each try), by this client and its clones.
    requests: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Set once the shop answered that it has no batch acknowledgement (an older add-on): the
    /// one-order call is used from then on, by this client and its clones.
    no_ack_batch: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Told of every retry (a run turns them into events).
    on_retry: Option<RetryHook>,
    /// Not before this, over every clone: a 429's Retry-After holds every call to the shop, not
    /// only the one that was told (acknowledgements go several at a time).
    hold_until: std::sync::Arc<std::sync::Mutex<Option<tokio::time::Instant>>>,
}

impl std::fmt::Debug for ShopikoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopikoClient").field("base", &self.base.as_str()).field("api_id", &self.api_id).field("key", &self.key).finish_non_exhaustive()
    }
}

/// Installs rustls's crypto provider (ring) once per process (see [`crate::net`]).
pub fn install_crypto_provider() {
    crate::net::install_crypto_provider();
}

impl ShopikoClient {
    /// Makes a client. Fails only on an address that cannot be parsed.
    pub fn new(config: ClientConfig) -> Result<Self> {
        install_crypto_provider();
        let trimmed = config.url.trim().trim_end_matches('/');
        let base =
            Url::parse(trimmed).map_err(|e| ShopikoError::Unreachable { url: config.url.clone(), detail: format!("'{trimmed}' is not an address ({e})") })?;
        let http = reqwest::Client::builder()
            .connect_timeout(config.retry.connect_timeout)
            .timeout(config.retry.request_timeout)
            .user_agent(concat!("obmen/", env!("CARGO_PKG_VERSION")))
            .https_only(false)
            .build()
            .map_err(|e| ShopikoError::Tls { url: config.url.clone(), detail: e.to_string() })?;
        Ok(ShopikoClient {
            http,
            base,
            api_id: config.api_id,
            key: config.key,
            retry: config.retry,
            retries: Default::default(),
            requests: Default::default(),
            no_ack_batch: Default::default(),
            on_retry: None,
            hold_until: Default::default(),
        })
    }

    /// This client, trying as hard as `retry` says (the connection pool is shared).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// This client, telling `hook` of every retry.
    pub fn with_retry_hook(mut self, hook: RetryHook) -> Self {
        self.on_retry = Some(hook);
        self
    }

    /// How many calls were tried again, by this client and its clones.
    pub fn retries(&self) -> u64 {
        self.retries.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The counter of requests sent (each try, each a round trip), by this client and its clones.
    pub fn request_counter(&self) -> std::sync::Arc<std::sync::atomic::AtomicU64> {
        self.requests.clone()
    }

    /// The base address.
    pub fn url(&self) -> &Url {
        &self.base
    }

    fn endpoint(&self, path: &str, query: &[(&str, String)]) -> Url {
        let mut url = self.base.clone();
        let joined = format!("{}{path}", url.path().trim_end_matches('/'));
        url.set_path(&joined);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        url
    }

    /// Sends a signed request, retrying as the policy allows, and reads the JSON answer.
    async fn call<T: DeserializeOwned>(&self, what: &str, method: Method, url: Url, body: Option<Vec<u8>>) -> Result<T> {
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            // The shop asked for a pause (a 429 to this call or another): kept.
            let hold = *self.hold_until.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(until) = hold.filter(|u| *u > tokio::time::Instant::now()) {
                if started.elapsed() + (until - tokio::time::Instant::now()) >= self.retry.budget {
                    return Err(ShopikoError::GaveUp {
                        what: what.to_owned(),
                        attempts: attempt.saturating_sub(1).max(1),
                        elapsed: started.elapsed(),
                        last: Box::new(ShopikoError::RateLimited { retry_after: until - tokio::time::Instant::now() }),
                    });
                }
                tokio::time::sleep_until(until).await;
            }
            let remaining = self.retry.budget.saturating_sub(started.elapsed());
            let error = match self.attempt(method.clone(), &url, body.as_deref(), remaining).await {
                Ok(bytes) => {
                    return serde_json::from_slice(&bytes).map_err(|e| match serde_json::from_slice::<ErrorBody>(&bytes) {
                        // A 2xx answer that carries an error: the shop's own words, not ours.
                        Ok(body) => ShopikoError::Rejected { status: 200, code: body.error.code, message: body.error.message },
                        Err(_) => ShopikoError::Decode { what: what.to_owned(), detail: e.to_string() },
                    });
                }
                Err(e) => e,
            };
            if !error.is_retryable() {
                return Err(error);
            }
            let delay = match &error {
                // At least what the shop asked for, plus a little so that clients do not return together.
                ShopikoError::RateLimited { retry_after } => {
                    let until = tokio::time::Instant::now() + *retry_after;
                    let mut hold = self.hold_until.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    if hold.is_none_or(|h| h < until) {
                        *hold = Some(until);
                    }
                    *retry_after + Duration::from_millis(fastrand::u64(0..=100))
                }
                _ => {
                    let exp = self.retry.base_delay.saturating_mul(1u32 << (attempt - 1).min(16));
                    let cap = exp.min(self.retry.max_delay);
                    // Equal jitter: half fixed, half random.
                    cap / 2 + Duration::from_millis(fastrand::u64(0..=cap.as_millis() as u64 / 2))
                }
            };
            let elapsed = started.elapsed();
            if elapsed + delay >= self.retry.budget {
                return Err(ShopikoError::GaveUp { what: what.to_owned(), attempts: attempt, elapsed, last: Box::new(error) });
            }
            tracing::info!(call = what, attempt, delay_ms = delay.as_millis() as u64, error = %error, "Shop request failed; trying again.");
            self.retries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if let Some(hook) = &self.on_retry {
                hook(what, &error, attempt, delay);
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// One signed request; the body of a 2xx answer, or the error it met.
    async fn attempt(&self, method: Method, url: &Url, body: Option<&[u8]>, remaining: Duration) -> Result<Vec<u8>> {
        let body = body.unwrap_or(b"");
        let path_with_query = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let ts = chrono::Utc::now().timestamp();
        let signature = sign::sign(self.key.expose(), method.as_str(), &path_with_query, ts, body);
        let timeout = self.retry.request_timeout.min(remaining.max(Duration::from_millis(100)));
        let mut req = self
            .http
            .request(method, url.clone())
            .timeout(timeout)
            .header(HEADER_API_ID, &self.api_id)
            .header(HEADER_TIMESTAMP, ts.to_string())
            .header(HEADER_SIGNATURE, signature);
        if !body.is_empty() {
            req = req.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_vec());
        }
        let url_text = url.as_str().to_owned();
        self.requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let response = req.send().await.map_err(|e| self.transport_error(&url_text, timeout, e))?;
        let status = response.status();
        let retry_after = response.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).map(parse_retry_after);
        let bytes = response.bytes().await.map_err(|e| self.transport_error(&url_text, timeout, e))?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        let detail: Option<ErrorDetail> = serde_json::from_slice::<ErrorBody>(&bytes).ok().map(|b| b.error);
        let code = detail.as_ref().map(|d| d.code.clone()).unwrap_or_else(|| status.as_str().to_owned());
        let message = detail.as_ref().map(|d| d.message.clone()).unwrap_or_else(|| String::from_utf8_lossy(&bytes).chars().take(200).collect());
        Err(match status {
            StatusCode::TOO_MANY_REQUESTS => ShopikoError::RateLimited { retry_after: retry_after.unwrap_or(Duration::from_secs(1)) },
            StatusCode::UNAUTHORIZED if code == "clock_skew" => {
                let server = detail.and_then(|d| d.server_time).unwrap_or(ts);
                ShopikoError::ClockSkew { skew_secs: ts - server }
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ShopikoError::Unauthorized { code, message },
            s if s.is_server_error() => ShopikoError::Server { status: s.as_u16(), message },
            s => ShopikoError::Rejected { status: s.as_u16(), code, message },
        })
    }

    fn transport_error(&self, url: &str, timeout: Duration, e: reqwest::Error) -> ShopikoError {
        if e.is_timeout() {
            return ShopikoError::Timeout { url: url.to_owned(), secs: timeout.as_secs().max(1) };
        }
        // The cause chain says whether TLS was to blame.
        let mut chain = Vec::new();
        let mut source: Option<&dyn std::error::Error> = Some(&e);
        while let Some(s) = source {
            chain.push(s.to_string());
            source = s.source();
        }
        let detail = chain.last().cloned().unwrap_or_else(|| e.to_string());
        let tls = chain.iter().any(|c| {
            let c = c.to_lowercase();
            c.contains("certificate")
                || c.contains("tls")
                || c.contains("handshake")
                || c.contains("invalidcontenttype")
                || c.contains("received corrupt message")
        });
        if tls {
            ShopikoError::Tls { url: url.to_owned(), detail }
        } else {
            ShopikoError::Unreachable { url: url.to_owned(), detail: crate::i18n::net_error(&e, current()) }
        }
    }

    async fn get<T: DeserializeOwned>(&self, what: &str, path: &str, query: &[(&str, String)]) -> Result<T> {
        self.call(what, Method::GET, self.endpoint(path, query), None).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, what: &str, path: &str, body: &B) -> Result<T> {
        let bytes =
            serde_json::to_vec(body).map_err(|e| ShopikoError::Decode { what: what.to_owned(), detail: format!("the request could not be written: {e}") })?;
        self.call(what, Method::POST, self.endpoint(path, &[]), Some(bytes)).await
    }

    /// Checks that the shop answers and accepts the signature.
    pub async fn ping(&self) -> Result<Ping> {
        self.get("ping", "/v1/ping", &[]).await
    }

    /// One page of a listing after a cursor.
    async fn page<T: DeserializeOwned>(&self, what: &str, path: &str, since: Option<&str>, limit: u32, max: u32) -> Result<Page<T>> {
        self.page_of(what, path, since, limit, max, None).await
    }

    async fn page_of<T: DeserializeOwned>(&self, what: &str, path: &str, since: Option<&str>, limit: u32, max: u32, origin: Option<&str>) -> Result<Page<T>> {
        let mut q = vec![("limit", limit.clamp(1, max).to_string())];
        if let Some(s) = since {
            q.push(("since", s.to_owned()));
        }
        if let Some(o) = origin {
            q.push(("origin", o.to_owned()));
        }
        self.get(what, path, &q).await
    }

    /// One page of products made or changed in the shop itself (not through this API) after a
    /// cursor; the cursor moves past the API's own changes too.
    pub async fn products_changed_in_shop(&self, since: Option<&str>, limit: u32) -> Result<Page<Product>> {
        self.page_of("products", "/v1/products", since, limit, LIST_PAGE_MAX, Some("shop")).await
    }

    /// One page of customers made or changed in the shop itself after a cursor.
    pub async fn customers_changed_in_shop(&self, since: Option<&str>, limit: u32) -> Result<Page<Customer>> {
        self.page_of("customers", "/v1/customers", since, limit, LIST_PAGE_MAX, Some("shop")).await
    }

    /// One page of orders after a cursor.
    pub async fn orders(&self, since: Option<&str>, limit: u32) -> Result<Page<Order>> {
        self.page("orders", "/v1/orders", since, limit, ORDERS_PAGE_MAX).await
    }

    /// One page of orders after a cursor, each order as the shop sent it (undecoded), so that one
    /// malformed order can be set aside without losing the page.
    pub async fn orders_raw(&self, since: Option<&str>, limit: u32) -> Result<Page<serde_json::Value>> {
        self.page("orders", "/v1/orders", since, limit, ORDERS_PAGE_MAX).await
    }

    /// Every order after a cursor, page by page to the end; returns them and the cursor to
    /// continue from next time (the one given when there were none).
    pub async fn all_orders_since(&self, since: Option<&str>) -> Result<(Vec<Order>, Option<String>)> {
        self.all_pages("orders", since, |c| Box::pin(async move { self.orders(c.as_deref(), ORDERS_PAGE_MAX).await })).await
    }

    /// Tells the shop an order is in Warehouse Pro as this document.
    pub async fn acknowledge(&self, order_id: &str, document_number: &str, document_type: &str) -> Result<AckResult> {
        let path = format!("/v1/orders/{}/acknowledge", encode_segment(order_id));
        let body = Acknowledgement { document_number: document_number.to_owned(), document_type: document_type.to_owned(), at: None };
        self.post("acknowledge", &path, &body).await
    }

    /// Acknowledges up to [`ACK_BATCH`] orders in one request, each answered on its own (in the
    /// order given). A shop without the batch (404 or 405 for the endpoint, or an answer that is
    /// no batch answer) is told one order at a time, from then on too; an error of the whole
    /// request is every order's.
    pub async fn acknowledge_many(&self, acks: &[BatchAck]) -> Vec<Result<AckResult>> {
        use std::sync::atomic::Ordering::Relaxed;
        if acks.is_empty() {
            return Vec::new();
        }
        if !self.no_ack_batch.load(Relaxed) {
            #[derive(serde::Deserialize)]
            struct Answer {
                results: Vec<BatchAckResult>,
            }
            let mut out = Vec::new();
            for chunk in acks.chunks(ACK_BATCH) {
                let body = serde_json::json!({ "acknowledgements": chunk });
                match self.post::<_, Answer>("acknowledgements", "/v1/acknowledgements/batch", &body).await {
                    // Answered in the order given, one for each.
                    Ok(answer) => out.extend(chunk.iter().enumerate().map(|(i, a)| {
                        let Some(r) = answer.results.get(i).filter(|r| r.order_id == a.order_id) else {
                            return Err(ShopikoError::Decode {
                                what: "acknowledgements".into(),
                                detail: Msg::AckNoAnswer.with(current(), &[("order", &a.order_id)]),
                            });
                        };
                        match &r.error {
                            None if r.acknowledged => Ok(AckResult { acknowledged: true, first_time: r.first_time }),
                            None => Err(ShopikoError::Decode {
                                what: "acknowledgements".into(),
                                detail: Msg::AckNeither.with(current(), &[("order", &a.order_id)]),
                            }),
                            Some(e) => Err(ShopikoError::Rejected {
                                status: if e.status == 0 { 422 } else { e.status },
                                code: e.code.clone(),
                                message: e.message.clone(),
                            }),
                        }
                    })),
                    // A shop without the batch: 404 or 405 for the endpoint, or an answer that is no
                    // batch answer (a shop that answers any path alike). Telling again one by one
                    // is harmless: the same number again is no change.
                    Err(ShopikoError::Rejected { status: 404 | 405, .. } | ShopikoError::Decode { .. }) if out.is_empty() => {
                        self.no_ack_batch.store(true, Relaxed);
                        break;
                    }
                    Err(e) => out.extend(chunk.iter().map(|_| Err(e.clone()))),
                }
            }
            if !self.no_ack_batch.load(Relaxed) {
                return out;
            }
        }
        let mut out = Vec::with_capacity(acks.len());
        for a in acks {
            out.push(self.acknowledge(&a.order_id, &a.document_number, &a.document_type).await);
        }
        out
    }

    /// One page of products after a cursor.
    pub async fn products(&self, since: Option<&str>, limit: u32) -> Result<Page<Product>> {
        self.page("products", "/v1/products", since, limit, LIST_PAGE_MAX).await
    }

    /// Every product after a cursor, to the end.
    pub async fn all_products(&self, since: Option<&str>) -> Result<(Vec<Product>, Option<String>)> {
        self.all_pages("products", since, |c| Box::pin(async move { self.products(c.as_deref(), LIST_PAGE_MAX).await })).await
    }

    /// Creates or changes products by SKU, in batches of [`UPSERT_BATCH`].
    pub async fn upsert_products(&self, products: &[Product]) -> Result<UpsertResult> {
        self.upsert("products", products).await
    }

    /// Upserts `items` to `/v1/{name}/batch` under the key `name`, in batches of [`UPSERT_BATCH`].
    async fn upsert<T: Serialize>(&self, name: &str, items: &[T]) -> Result<UpsertResult> {
        let mut total = UpsertResult::default();
        for batch in items.chunks(UPSERT_BATCH) {
            let body = serde_json::json!({ name: batch });
            total.add(self.post(&format!("{name} batch"), &format!("/v1/{name}/batch"), &body).await?);
        }
        Ok(total)
    }

    /// One page of customers after a cursor.
    pub async fn customers(&self, since: Option<&str>, limit: u32) -> Result<Page<Customer>> {
        self.page("customers", "/v1/customers", since, limit, LIST_PAGE_MAX).await
    }

    /// Every customer after a cursor, to the end.
    pub async fn all_customers(&self, since: Option<&str>) -> Result<(Vec<Customer>, Option<String>)> {
        self.all_pages("customers", since, |c| Box::pin(async move { self.customers(c.as_deref(), LIST_PAGE_MAX).await })).await
    }

    /// Creates or changes customers (by external_id, else e-mail), in batches of [`UPSERT_BATCH`].
    pub async fn upsert_customers(&self, customers: &[Customer]) -> Result<UpsertResult> {
        self.upsert("customers", customers).await
    }

    /// Sets available quantities, in batches of [`STOCK_BATCH`].
    pub async fn set_stock(&self, levels: &[StockLevel]) -> Result<StockResult> {
        let mut total = StockResult::default();
        for batch in levels.chunks(STOCK_BATCH) {
            let r: StockResult = self.post("stock batch", "/v1/stock/batch", &serde_json::json!({ "items": batch })).await?;
            total.updated += r.updated;
            total.unknown_skus.extend(r.unknown_skus);
        }
        Ok(total)
    }

    async fn all_pages<'a, T>(
        &self,
        what: &str,
        since: Option<&str>,
        page: impl Fn(Option<String>) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Page<T>>> + Send + 'a>>,
    ) -> Result<(Vec<T>, Option<String>)> {
        let mut all = Vec::new();
        let mut cursor = since.map(str::to_owned);
        loop {
            let p = page(cursor.clone()).await?;
            all.extend(p.items);
            let advanced = p.next_cursor.is_some() && p.next_cursor != cursor;
            if p.next_cursor.is_some() {
                cursor = p.next_cursor;
            }
            if !p.has_more {
                return Ok((all, cursor));
            }
            if !advanced {
                return Err(ShopikoError::Decode {
                    what: what.to_owned(),
                    detail: "the shop says there is more but gave no new cursor; paging would never end".into(),
                });
            }
        }
    }
}

/// A URL path segment with everything but unreserved characters percent-encoded.
fn encode_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `Retry-After` as seconds or an HTTP date; unreadable values count as one second.
pub fn parse_retry_after(value: &str) -> Duration {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Duration::from_secs(secs);
    }
    match httpdate::parse_http_date(v) {
        Ok(when) => when.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO),
        Err(_) => Duration::from_secs(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Duration::from_secs(3));
        assert_eq!(parse_retry_after("soon"), Duration::from_secs(1));
        let later = std::time::SystemTime::now() + Duration::from_secs(30);
        let d = parse_retry_after(&httpdate::fmt_http_date(later));
        assert!(d > Duration::from_secs(27) && d <= Duration::from_secs(30), "{d:?}");
    }

    #[test]
    fn segments_are_encoded() {
        assert_eq!(encode_segment("SH-1/2 ж"), "SH-1%2F2%20%D0%B6");
    }

    #[test]
    fn errors_say_what_to_do() {
        let e = ShopikoError::ClockSkew { skew_secs: -420 };
        assert!(e.to_string().contains("420 s behind"), "{e}");
        let e = ShopikoError::Unauthorized { code: "bad_signature".into(), message: "no".into() };
        assert!(e.to_string().contains("Check “API ID” and the key (“Key”, “Key file” or “"), "the settings by their labels: {e}");
    }
}
