//! `GET /metrics`: the daemon's servers in Prometheus' text exposition format (version 0.0.4),
//! read at each scrape from the engine (states) and obmen's state (the run history), so that
//! the figures are the history's own and survive a restart.
//!
//! Written here rather than through prometheus-client: that crate encodes OpenMetrics, and these
//! are a handful of families whose values come from a query at each scrape, not instruments the
//! code updates; the format below is the whole of what Prometheus reads.

use std::fmt::Write;

use crate::engine::Engine;

/// A run's length in seconds: the histogram's upper bounds.
pub const DURATION_BUCKETS: [f64; 8] = [1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 14_400.0];

/// The states a server can be in, each a series of `obmen_server_state` (1 for the one it is in).
const STATES: [&str; 4] = ["stopped", "waiting", "running", "failed"];

/// One metric family: its help, type and lines.
struct Family {
    name: &'static str,
    help: &'static str,
    kind: &'static str,
    lines: String,
}

impl Family {
    fn new(name: &'static str, kind: &'static str, help: &'static str) -> Family {
        Family { name, help, kind, lines: String::new() }
    }

    /// A sample: `suffix` after the name (`_bucket`, ...), the labels, the value.
    fn sample(&mut self, suffix: &str, labels: &[(&str, &str)], value: f64) {
        let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{}\"", escape(v))).collect();
        let _ = writeln!(self.lines, "{}{suffix}{{{}}} {}", self.name, labels.join(","), number(value));
    }

    fn write(&self, out: &mut String) {
        let _ = writeln!(out, "# HELP {} {}", self.name, self.help);
        let _ = writeln!(out, "# TYPE {} {}", self.name, self.kind);
        out.push_str(&self.lines);
    }
}

/// A label value as the format escapes it (backslash, quote, new line).
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn number(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The text of a scrape.
pub async fn render(engine: &Engine) -> String {
    let mut state = Family::new("obmen_server_state", "gauge", "1 for the state the server is in now, 0 for the others.");
    let mut runs = Family::new("obmen_runs_total", "counter", "Runs recorded, by outcome (dry runs left out).");
    let mut imported = Family::new("obmen_orders_imported_total", "counter", "Shop orders booked in Warehouse Pro.");
    let mut set_aside = Family::new("obmen_orders_set_aside_total", "counter", "Shop orders set aside in the quarantine, each time one was.");
    let mut quarantine = Family::new("obmen_orders_in_quarantine", "gauge", "Shop orders in the quarantine now.");
    let mut exported = Family::new("obmen_records_exported_total", "counter", "Products, customers and stock levels sent to the shop.");
    let mut refused = Family::new("obmen_records_refused_total", "counter", "Records the shop refused.");
    let mut retries = Family::new("obmen_retries_total", "counter", "Calls to the shop or the database tried again.");
    let mut last_success = Family::new("obmen_last_success_timestamp_seconds", "gauge", "When the last run that ended well ended (Unix time; 0: never).");
    let mut duration = Family::new("obmen_run_duration_seconds", "histogram", "How long runs took.");
    let store = engine.state();
    for status in engine.list() {
        let server = status.name.as_str();
        let kind = status.kind.as_str();
        let now = serde_json::to_value(&status.state).ok().and_then(|v| v["state"].as_str().map(str::to_owned)).unwrap_or_default();
        for s in STATES {
            state.sample("", &[("server", server), ("kind", kind), ("state", s)], f64::from(u8::from(now == s)));
        }
        let counters = store.counters(server).await.unwrap_or_default();
        let stats = store.run_stats(server).await.unwrap_or_default();
        let labels = [("server", server)];
        for (outcome, n) in &stats.by_outcome {
            runs.sample("", &[("server", server), ("outcome", outcome)], *n as f64);
        }
        imported.sample("", &labels, counters.imported as f64);
        set_aside.sample("", &labels, counters.set_aside as f64);
        quarantine.sample("", &labels, stats.quarantined as f64);
        exported.sample("", &labels, counters.exported as f64);
        refused.sample("", &labels, stats.refused as f64);
        retries.sample("", &labels, counters.retries as f64);
        last_success.sample("", &labels, counters.last_success.map(|t| t.timestamp() as f64).unwrap_or(0.0));
        for bound in DURATION_BUCKETS {
            let n = stats.durations.iter().filter(|d| **d <= bound).count();
            duration.sample("_bucket", &[("server", server), ("le", &number(bound))], n as f64);
        }
        duration.sample("_bucket", &[("server", server), ("le", "+Inf")], stats.durations.len() as f64);
        duration.sample("_sum", &labels, stats.durations.iter().sum());
        duration.sample("_count", &labels, stats.durations.len() as f64);
    }
    let mut out = String::new();
    for family in [&state, &runs, &imported, &set_aside, &quarantine, &exported, &refused, &retries, &last_success, &duration] {
        family.write(&mut out);
    }
    out
}

/// Serves `GET /metrics` (and nothing else) on a TCP listener, for a Prometheus that scrapes over
/// the network (`[daemon] metrics_listen`), until `stop`. Only the metrics: the control API stays
/// on the owner's socket.
pub async fn serve_tcp(listener: tokio::net::TcpListener, engine: Engine, stop: tokio_util::sync::CancellationToken) {
    use http_body_util::{BodyExt, Full};
    use hyper::{Method, Response, StatusCode};
    loop {
        let stream = tokio::select! {
            _ = stop.cancelled() => return,
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let engine = engine.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let engine = engine.clone();
                async move {
                    let mut r = if req.method() == Method::GET && req.uri().path() == "/metrics" {
                        let mut r = Response::new(Full::new(bytes::Bytes::from(render(&engine).await)).boxed());
                        r.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
                        r
                    } else {
                        Response::new(Full::new(bytes::Bytes::from_static(b"only GET /metrics is served here\n")).boxed())
                    };
                    if req.method() != Method::GET || req.uri().path() != "/metrics" {
                        *r.status_mut() = StatusCode::NOT_FOUND;
                    }
                    Ok::<_, std::convert::Infallible>(r)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(hyper_util::rt::TokioIo::new(stream), service).await;
        });
    }
}
