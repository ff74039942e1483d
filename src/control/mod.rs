//! The local control API that the CLI and the TUI use: HTTP/1 with JSON over the home's socket
//! ([`transport`]), versioned paths, answered only to the daemon's own user.
//!
//! - `GET  /v1/health`: the daemon's version, pid, home, uptime.
//! - `GET  /v1/servers`, `GET /v1/servers/NAME`: status (state, next run, progress, failure)
//!   and counters (runs, orders imported, set aside, exported, retries, errors, last success,
//!   last failure).
//! - `PATCH /v1/servers/NAME` (body `{"set": {"rules.import": "periodic"}}`): changes settings
//!   as `server edit --set` does, checked by the same validation; refused with each field's
//!   reason (422), or saved atomically and applied to that server alone.
//! - `GET  /v1/kinds`: the kinds a server can be, with their labels.
//! - `POST /v1/servers` (body `{"name": .., "kind": .., "set": {..}, "dry_run": true}`):
//!   a new server from its kind's defaults and the settings given, checked by `server new`'s
//!   validation. A dry run answers the form as it stands (every property, what is still
//!   required, each field's problem); without it the server is made (201) or refused with each
//!   field's reason (422), or 409 when the name is taken.
//! - `DELETE /v1/servers/NAME`: stops it and moves its file to `servers/deleted/`.
//! - `POST /v1/servers/NAME/start|stop`; `POST /v1/servers/NAME/run` (body: a job, optional)
//!   answers with the run's events as JSON lines until it ends.
//! - `GET  /v1/servers/NAME/runs?limit=N`: the run history.
//! - `GET  /v1/servers/NAME/log?n=500&level=warn&grep=TEXT&run=ID`: the newest log lines,
//!   read from the end of its files.
//! - `GET  /v1/servers/NAME/quarantine[?all=true]`; `POST /v1/servers/NAME/quarantine/ID/retry|drop`:
//!   the orders set aside; one imported again now (its run's summary), or dropped.
//! - `POST /v1/servers/NAME/check`: its connection tests, each passed or failed with the reason.
//! - `GET  /v1/servers/NAME/properties`: its settings in its kind's groups, as a UI shows them
//!   (secrets masked), with labels and help in the caller's language.
//! - `GET  /v1/servers/NAME/choices/KEY`: the choices of a setting that the account holds (its
//!   property's `choices_from`), read through the server.
//! - `GET  /v1/events`: every status change, run event and log line, as JSON lines.
//! - `GET  /v1/servers/NAME/why/ORDER`: an order's journey ([`crate::why`]), in the caller's
//!   language
//! - `GET  /metrics`: every server's state and counters in Prometheus' text format
//!   ([`metrics`]), for a scraper that reaches the socket.
//! - `POST /v1/reload`: reads the server files again (the daemon also watches them).
//!
//! Every request carries its caller's language in `Accept-Language` (or `?lang=`): what the
//! daemon words for it is in that language (the daemon's own where none is given). The bodies and answers are the
//! types of [`protocol`]; errors are [`protocol::ApiError`] (`{"error": words, "code": word}`)
//! with 400, 403, 404, 409 or 422. `docs/control-api.md` describes each endpoint.

pub mod client;
pub mod metrics;
pub mod protocol;
pub mod status;
pub mod transport;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt;
use tokio_util::sync::CancellationToken;

pub use client::{Client, ClientError};
use transport::{Listener, Peer};

use crate::engine::{Engine, EngineError, EngineEvent};
use crate::i18n::{current, Msg};
use crate::kinds::{Job, RunEvent};

type Body = BoxBody<Bytes, Infallible>;

/// The version of the API's paths.
pub const VERSION: &str = "v1";

/// What the API serves: the engine, and the daemon's reload.
pub struct Api {
    /// The engine.
    pub engine: Engine,
    /// Reads the server files again; answers what changed.
    pub reload: Box<dyn Fn() -> Pin<Box<dyn Future<Output = protocol::Reloaded> + Send>> + Send + Sync>,
    /// When the daemon started.
    pub started: chrono::DateTime<chrono::Local>,
    /// How long a stop may take.
    pub stop_deadline: Duration,
}

/// Serves the API on the listener until `stop` is cancelled.
pub async fn serve(listener: Listener, api: Arc<Api>, stop: CancellationToken) {
    loop {
        let (stream, peer) = tokio::select! {
            _ = stop.cancelled() => return,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "A control connection could not be accepted.");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let api = api.clone();
        let owner = listener.uid();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let api = api.clone();
                async move { Ok::<_, Infallible>(route(&api, peer, owner, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

fn full(status: StatusCode, v: &Value) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(format!("{v}\n"))).boxed());
    *r.status_mut() = status;
    r.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static("application/json"));
    r
}

/// An answer of the protocol's.
fn answer_with<T: serde::Serialize>(status: StatusCode, body: &T) -> Response<Body> {
    match serde_json::to_value(body) {
        Ok(v) => full(status, &v),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal", e),
    }
}

fn error(status: StatusCode, code: &str, message: impl std::fmt::Display) -> Response<Body> {
    full(status, &json!({ "error": message.to_string(), "code": code }))
}

fn engine_error(e: EngineError) -> Response<Body> {
    match e {
        EngineError::NoSuchServer(m) => error(StatusCode::NOT_FOUND, "no_such_server", m),
        EngineError::NotRunning(m) => error(StatusCode::CONFLICT, "not_running", m),
        EngineError::Busy(m) => error(StatusCode::CONFLICT, "busy", m),
    }
}

/// A body of JSON lines fed by a task.
fn lines(rx: mpsc::Receiver<Value>) -> Response<Body> {
    let stream = ReceiverStream::new(rx).map(|v| Ok::<_, Infallible>(Frame::data(Bytes::from(format!("{v}\n")))));
    let mut r = Response::new(BodyExt::boxed(StreamBody::new(stream)));
    r.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static("application/x-ndjson"));
    r
}

/// Answers one request in its caller's language: `?lang=` where a request names it (a script
/// with curl), else `Accept-Language` (obmen's own client sends it on every request), else the
/// daemon's.
async fn route(api: &Api, peer: Peer, owner: u32, req: Request<Incoming>) -> Response<Body> {
    let query = form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()).find(|(k, _)| k == "lang").map(|(_, v)| v.into_owned());
    let header = req.headers().get(protocol::LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let lang = query.or(header).as_deref().and_then(crate::config::Lang::from_code).unwrap_or_else(current);
    crate::i18n::asked(lang, answer(api, peer, owner, req)).await
}

async fn answer(api: &Api, peer: Peer, owner: u32, req: Request<Incoming>) -> Response<Body> {
    if peer != Peer::Owner {
        let who = match peer {
            Peer::Other(uid) => uid.to_string(),
            _ => "?".into(),
        };
        tracing::warn!(uid = %who, "A control request from another user was refused.");
        return error(StatusCode::FORBIDDEN, "forbidden", Msg::DaemonOwnerOnly.with(current(), &[("owner", &owner), ("uid", &who)]));
    }
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let parts: Vec<String> = path.trim_matches('/').split('/').map(|p| percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned()).collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let engine = &api.engine;
    match (&method, parts.as_slice()) {
        (&Method::GET, ["metrics"]) => {
            let mut r = Response::new(Full::new(Bytes::from(metrics::render(engine).await)).boxed());
            r.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
            r
        }
        (&Method::GET, ["v1", "health"]) => answer_with(
            StatusCode::OK,
            &protocol::Health {
                version: env!("CARGO_PKG_VERSION").to_owned(),
                api: VERSION.to_owned(),
                pid: std::process::id(),
                home: engine.home().root.clone(),
                started: api.started,
                servers: engine.names().len(),
            },
        ),
        (&Method::GET, ["v1", "servers"]) => {
            let mut out = Vec::new();
            for status in engine.list() {
                out.push(with_counters(engine, status).await);
            }
            answer_with(StatusCode::OK, &out)
        }
        (&Method::GET, ["v1", "servers", name]) => match engine.status(name) {
            Some(status) => answer_with(StatusCode::OK, &with_counters(engine, status).await),
            None => engine_error(EngineError::NoSuchServer(Msg::EngineNoServer.with(current(), &[("server", name)]))),
        },
        (&Method::PATCH, ["v1", "servers", name]) => {
            let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            let Ok(change) = serde_json::from_slice::<protocol::ChangeServer>(&body) else {
                return error(StatusCode::BAD_REQUEST, "bad_request", Msg::ApiBadSetBody.get(current()));
            };
            let lang = current();
            match crate::i18n::speaking(lang, || change_server(engine.home(), name, &change.set)) {
                Ok(()) => {
                    let reload = (api.reload)().await;
                    answer_with(StatusCode::OK, &protocol::Saved { saved: true, name: None, file: None, reload })
                }
                Err(resp) => *resp,
            }
        }
        (&Method::DELETE, ["v1", "servers", name]) => {
            if !engine.home().server_path(name).exists() {
                return engine_error(EngineError::NoSuchServer(Msg::EngineNoServer.with(current(), &[("server", name)])));
            }
            // Stopped first (its run in hand ends after its page), then its file is kept aside.
            let _ = engine.remove(name, api.stop_deadline).await;
            match engine.home().delete_server(name) {
                Ok(kept) => {
                    engine.log(
                        crate::logs::Level::Info,
                        None,
                        "server_removed",
                        Msg::DeletedServer.with(current(), &[("server", name), ("file", &kept.display())]),
                    );
                    answer_with(StatusCode::OK, &protocol::Deleted { deleted: true, kept })
                }
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "delete", e),
            }
        }
        (&Method::POST, ["v1", "servers", name, "start"]) => match engine.start(name) {
            Ok(started) => answer_with(StatusCode::OK, &protocol::Started { started, status: engine.status(name) }),
            Err(e) => engine_error(e),
        },
        (&Method::POST, ["v1", "servers", name, "stop"]) => match engine.stop(name, api.stop_deadline).await {
            Ok(stopped) => answer_with(StatusCode::OK, &protocol::Stopped { stopped, status: engine.status(name) }),
            Err(e) => engine_error(e),
        },
        (&Method::POST, ["v1", "servers", name, "run"]) => {
            let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            let run: protocol::RunRequest = if body.iter().all(u8::is_ascii_whitespace) {
                protocol::RunRequest::default()
            } else {
                match serde_json::from_slice(&body) {
                    Ok(r) => r,
                    Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", e),
                }
            };
            run_now(engine, name, run).await
        }
        (&Method::GET, ["v1", "servers", name, "properties"]) => properties(engine, name, current()),
        (&Method::GET, ["v1", "servers", name, "choices", key]) => choices(engine, name, key).await,
        (&Method::GET, ["v1", "kinds"]) => {
            let lang = current();
            let kinds: Vec<protocol::KindEntry> = crate::config::profile::profiles()
                .iter()
                .map(|p| protocol::KindEntry { kind: p.kind.clone(), id: p.id.clone(), label: p.label.get(lang).to_owned(), help: p.help.get(lang).to_owned() })
                .collect();
            answer_with(StatusCode::OK, &kinds)
        }
        (&Method::POST, ["v1", "servers"]) => {
            let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
            let lang = current();
            match serde_json::from_slice::<protocol::NewServer>(&body) {
                Ok(new) => new_server(api, new, lang).await,
                Err(_) => error(StatusCode::BAD_REQUEST, "bad_request", Msg::ApiBadNewBody.get(lang)),
            }
        }
        (&Method::POST, ["v1", "servers", name, "check"]) => match load_server(engine, name) {
            Ok(server) => answer_with(StatusCode::OK, &server.check(current()).await),
            Err(refused) => *refused,
        },
        (&Method::GET, ["v1", "servers", name, "log"]) => {
            let q: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
            let get = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
            let filter = crate::logs::Filter {
                level: get("level").and_then(|l| l.parse().ok()),
                since: None,
                grep: get("grep"),
                run: get("run").and_then(|r| r.parse().ok()),
            };
            let n = get("n").and_then(|n| n.parse::<usize>().ok()).unwrap_or(500).clamp(1, 100_000);
            let server = if *name == "daemon" && !engine.home().server_path(name).exists() { None } else { Some(name.to_string()) };
            let dir = engine.home().logs_dir();
            let read = tokio::task::spawn_blocking(move || crate::logs::read(&dir, server.as_deref(), &filter, n)).await;
            match read {
                Ok(Ok(lines)) => answer_with(StatusCode::OK, &lines),
                Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, "log", e),
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "log", e),
            }
        }
        (&Method::GET, ["v1", "servers", name, "quarantine"]) => {
            let all = form_urlencoded::parse(query.as_bytes()).any(|(k, v)| k == "all" && v == "true");
            match engine.state().quarantined(name, all).await {
                Ok(entries) => answer_with(StatusCode::OK, &entries.iter().map(crate::state::Quarantined::to_entry).collect::<Vec<_>>()),
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "state", e),
            }
        }
        (&Method::POST, ["v1", "servers", name, "quarantine", id, action @ ("retry" | "drop")]) => quarantine_action(engine, name, id, action).await,
        (&Method::GET, ["v1", "servers", name, "why", order]) => {
            let server = match load_server(engine, name) {
                Ok(s) => s,
                Err(refused) => return *refused,
            };
            match crate::why::explain(&server, engine.state(), order, current()).await {
                Ok(journey) => full(StatusCode::OK, &journey.json),
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "state", e),
            }
        }
        (&Method::GET, ["v1", "servers", name, "runs"]) => {
            let limit =
                form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "limit").and_then(|(_, v)| v.parse::<i64>().ok()).unwrap_or(50).clamp(1, 10_000);
            match engine.state().runs(name, limit).await {
                Ok(runs) => answer_with(StatusCode::OK, &runs),
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "state", e),
            }
        }
        (&Method::GET, ["v1", "events"]) => {
            let mut events = engine.subscribe();
            let (tx, rx) = mpsc::channel(256);
            let hello = serde_json::to_value(protocol::Hello { kind: protocol::HelloTag::Hello, servers: engine.list() }).unwrap_or_default();
            tokio::spawn(async move {
                if tx.send(hello).await.is_err() {
                    return;
                }
                loop {
                    let v = match events.recv().await {
                        Ok(e) => serde_json::to_value(&e).unwrap_or_default(),
                        Err(broadcast::error::RecvError::Lagged(missed)) => {
                            serde_json::to_value(protocol::Lagged { kind: protocol::LaggedTag::Lagged, missed }).unwrap_or_default()
                        }
                        Err(broadcast::error::RecvError::Closed) => return,
                    };
                    if tx.send(v).await.is_err() {
                        return;
                    }
                }
            });
            lines(rx)
        }
        (&Method::POST, ["v1", "reload"]) => answer_with(StatusCode::OK, &(api.reload)().await),
        _ => error(StatusCode::NOT_FOUND, "no_such_path", Msg::ApiNoSuchPath.with(current(), &[("method", &method), ("path", &path), ("version", &VERSION)])),
    }
}

/// A new server's form checked (a dry run), or the server made: the same text and validation as
/// `obmen server new`, worded in the asking UI's language.
async fn new_server(api: &Api, new: protocol::NewServer, lang: crate::config::Lang) -> Response<Body> {
    use crate::config::edit::{self, Change};
    let home = api.engine.home();
    let Some(profile) = crate::config::profile::find(&new.kind) else {
        let known = crate::config::profile::kind_names().iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ");
        let m = Msg::NotAKnownKind.with(lang, &[("kind", &new.kind), ("known", &known)]);
        let fields = vec![protocol::FieldProblem { field: "kind".into(), message: m.clone() }];
        return answer_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &protocol::ApiError { error: format!("kind: {m}"), code: "invalid".into(), fields, groups: Vec::new() },
        );
    };
    let (errors, table, text) = crate::i18n::speaking(lang, || {
        let mut errors: Vec<(String, String)> = Vec::new();
        if let Err(m) = crate::config::check_name(&new.name) {
            errors.push(("name".into(), m));
        } else if home.server_path(&new.name).exists() {
            errors.push(("name".into(), Msg::ServerExists.with(lang, &[("server", &new.name), ("file", &home.server_path(&new.name).display())])));
        }
        let changes: Vec<Change> = new.set.iter().map(|(k, v)| Change::Set(k.clone(), v.clone())).collect();
        // The changes that cannot be typed are reported and left out, so the form shows the rest.
        let text = match edit::new_server_text(profile, &new.name, &changes) {
            Ok(t) => t,
            Err(bad) => {
                let good: Vec<Change> = changes.iter().filter(|c| !bad.iter().any(|(k, _)| matches!(c, Change::Set(key, _) if key == k))).cloned().collect();
                errors.extend(bad);
                edit::new_server_text(profile, &new.name, &good).unwrap_or_default()
            }
        };
        let table: toml::Table = toml::from_str(&text).unwrap_or_default();
        // The name's own problem is said once, above; validation would repeat it.
        let path = if errors.iter().any(|(f, _)| f == "name") { home.server_path("new") } else { home.server_path(&new.name) };
        let mut table_for_check = table.clone();
        table_for_check.insert("name".into(), toml::Value::String(path.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_owned()));
        if let Err(e) = crate::config::validate::validate_table(&path, table_for_check) {
            for c in e.0 {
                let field = c.field.clone().unwrap_or_default();
                if !errors.iter().any(|(f, _)| *f == field) {
                    errors.push((field, c.message.clone()));
                }
            }
        }
        (errors, table, text)
    });
    let fields: Vec<protocol::FieldProblem> = errors.iter().map(|(f, m)| protocol::FieldProblem { field: f.clone(), message: m.clone() }).collect();
    let groups = crate::config::view::grid(profile, &table, lang, true, &errors);
    if new.dry_run {
        return answer_with(StatusCode::OK, &protocol::Form { name: new.name, kind: profile.kind.clone(), valid: errors.is_empty(), fields, groups });
    }
    if !errors.is_empty() {
        let message = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ");
        let status = if errors.iter().any(|(f, _)| f == "name") && home.server_path(&new.name).exists() {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let code = if status == StatusCode::CONFLICT { "exists" } else { "invalid" };
        return answer_with(status, &protocol::ApiError { error: message, code: code.to_owned(), fields, groups });
    }
    let path = home.server_path(&new.name);
    if let Err(e) = home.ensure() {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "write", Msg::CannotMake.with(lang, &[("file", &home.root.display()), ("error", &e)]));
    }
    if let Err(e) = crate::config::write_atomic(&path, &text) {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "write", Msg::CannotWrite.with(lang, &[("file", &path.display()), ("error", &e)]));
    }
    api.engine.log(
        crate::logs::Level::Info,
        None,
        "server_made",
        Msg::MadeServer.with(current(), &[("server", &new.name), ("kind", &profile.kind), ("file", &path.display())]),
    );
    let reload = (api.reload)().await;
    answer_with(StatusCode::CREATED, &protocol::Saved { saved: true, name: Some(new.name), file: Some(path), reload })
}

/// Changes a server's file by `--set`'s rules; the error response names each field and why.
fn change_server(home: &crate::config::Home, name: &str, set: &std::collections::BTreeMap<String, String>) -> Result<(), Box<Response<Body>>> {
    use crate::config::edit::{self, Change};
    let path = home.server_path(name);
    let original = std::fs::read_to_string(&path)
        .map_err(|_| Box::new(engine_error(EngineError::NoSuchServer(Msg::EngineNoServer.with(current(), &[("server", &name)])))))?;
    let kind = toml::from_str::<toml::Table>(&original).ok().and_then(|t| t.get("kind").and_then(|k| k.as_str()).map(str::to_owned)).unwrap_or_default();
    let profile = crate::config::profile::find(&kind)
        .ok_or_else(|| Box::new(error(StatusCode::CONFLICT, "invalid_file", Msg::ApiUnknownKind.with(current(), &[("kind", &kind)]))))?;
    let changes: Vec<Change> = set.iter().map(|(k, v)| Change::Set(k.clone(), v.clone())).collect();
    let refused = |fields: Vec<(String, String)>| {
        let error = fields.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ");
        let fields = fields.into_iter().map(|(field, message)| protocol::FieldProblem { field, message }).collect();
        Box::new(answer_with(StatusCode::UNPROCESSABLE_ENTITY, &protocol::ApiError { error, code: "invalid".into(), fields, groups: Vec::new() }))
    };
    let text = edit::apply(profile, &original, &changes).map_err(refused)?;
    crate::config::validate::validate_text(&path, &text)
        .map_err(|e| refused(e.0.iter().map(|c| (c.field.clone().unwrap_or_default(), c.message.clone())).collect()))?;
    crate::config::write_atomic(&path, &text).map_err(|e| Box::new(error(StatusCode::INTERNAL_SERVER_ERROR, "write", e)))?;
    Ok(())
}

/// A server's settings as a UI shows them: its kind's groups in order, each property with its
/// label, the value as shown (secrets masked), whether it is the default, and its help line, in
/// a language. Read from its file by the daemon: a UI never opens a server file itself.
fn properties(engine: &Engine, name: &str, lang: crate::config::Lang) -> Response<Body> {
    let file = match load_file(engine, name) {
        Ok(f) => f,
        Err(refused) => return *refused,
    };
    let groups = crate::config::view::grid(file.profile, &file.table, lang, false, &[]);
    answer_with(StatusCode::OK, &protocol::Properties { name: file.name, kind: file.profile.kind.clone(), groups })
}

/// Retries or drops one order set aside, through the Kind API (a retry takes the server's run
/// lock like any run: it never overlaps the server's own).
async fn quarantine_action(engine: &Engine, name: &str, id: &str, action: &str) -> Response<Body> {
    let Ok(id) = id.parse::<i64>() else {
        return error(StatusCode::BAD_REQUEST, "bad_request", Msg::ApiNotAnEntry.with(current(), &[("id", &id), ("server", &name)]));
    };
    let server = match load_server(engine, name) {
        Ok(s) => s,
        Err(refused) => return *refused,
    };
    let ctx = crate::kinds::RunContext {
        home: engine.home().clone(),
        state: engine.state().clone(),
        cancel: CancellationToken::new(),
        events: crate::kinds::Events::none(),
    };
    if action == "drop" {
        return match server.drop_quarantined(&ctx, id).await {
            Ok(dropped) => answer_with(StatusCode::OK, &protocol::Dropped { dropped }),
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "state", e),
        };
    }
    let entry = match engine.state().quarantined(name, false).await {
        Ok(list) => list.into_iter().find(|q| q.id == id),
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, "state", e),
    };
    let Some(entry) = entry else {
        return error(StatusCode::NOT_FOUND, "no_such_entry", Msg::NoSuchSetAside.with(current(), &[("server", &name), ("order", &id)]));
    };
    let summary = server.retry(ctx, vec![entry]).await;
    answer_with(StatusCode::OK, &summary)
}

/// A server's file, read by the daemon for a UI: a missing one is 404, an invalid one 409 with
/// each field's problem.
fn load_file(engine: &Engine, name: &str) -> Result<crate::config::ServerFile, Box<Response<Body>>> {
    let path = engine.home().server_path(name);
    if !path.exists() {
        return Err(Box::new(engine_error(EngineError::NoSuchServer(Msg::EngineNoServer.with(current(), &[("server", &name)])))));
    }
    crate::config::ServerFile::load(&path).map_err(|e| Box::new(error(StatusCode::CONFLICT, "invalid_file", e)))
}

/// The choices of a server's setting that its account holds, read through the server.
async fn choices(engine: &Engine, name: &str, key: &str) -> Response<Body> {
    let file = match load_file(engine, name) {
        Ok(f) => f,
        Err(refused) => return *refused,
    };
    let Some(source) = file.profile.property(key).and_then(|p| p.choices_from.clone()) else {
        return error(StatusCode::NOT_FOUND, "no_choices", Msg::NoChoicesFrom.with(current(), &[("key", &key), ("server", &name)]));
    };
    let server = match crate::kinds::Server::load(&file) {
        Ok(s) => s,
        Err(e) => return error(StatusCode::CONFLICT, "invalid_file", e),
    };
    match server.choices(&source).await {
        Ok(choices) => answer_with(StatusCode::OK, &protocol::Choices { key: key.to_owned(), choices }),
        Err(e) if e.is_transient() => error(StatusCode::BAD_GATEWAY, "unreachable", e),
        Err(e) => error(StatusCode::CONFLICT, "refused", e),
    }
}

/// A server of its kind, from its file (as [`load_file`] refuses).
fn load_server(engine: &Engine, name: &str) -> Result<crate::kinds::Server, Box<Response<Body>>> {
    crate::kinds::Server::load(&load_file(engine, name)?).map_err(|e| Box::new(error(StatusCode::CONFLICT, "invalid_file", e)))
}

async fn with_counters(engine: &Engine, status: protocol::Status) -> protocol::ServerEntry {
    let counters = engine.state().counters(&status.name).await.ok();
    protocol::ServerEntry { status, counters }
}

/// Asks the server to run now; streams its run's events until it ends.
async fn run_now(engine: &Engine, name: &str, run: protocol::RunRequest) -> Response<Body> {
    // Subscribed before asking, so that the run's first event is heard.
    let mut events = engine.subscribe();
    let job = if run.import || run.export {
        Job { import: run.import, export: run.export, full: run.full, dry_run: false }
    } else {
        // Without a job: what the server's rules run (both, where both rules are never).
        match engine.default_job(name) {
            Some(j) if j.import || j.export => Job { full: run.full, ..j },
            _ => Job { import: true, export: true, full: run.full, dry_run: false },
        }
    };
    if let Err(e) = engine.run_now(name, job).await {
        return engine_error(e);
    }
    let (tx, rx) = mpsc::channel(256);
    let name = name.to_owned();
    let state = engine.state().clone();
    let asked_at = chrono::Utc::now() - chrono::Duration::seconds(1);
    tokio::spawn(async move {
        let accepted = protocol::RunStreamLine::Accepted { server: name.clone(), job };
        if tx.send(serde_json::to_value(accepted).unwrap_or_default()).await.is_err() {
            return;
        }
        let mut this_run: Option<i64> = None;
        loop {
            match events.recv().await {
                Ok(EngineEvent::Run { server, run_id, event }) if server == name => {
                    this_run = this_run.or(run_id);
                    let end = matches!(*event, RunEvent::Finished { .. } | RunEvent::Failed { .. });
                    let v = serde_json::to_value(protocol::RunStreamLine::Run { server, run_id, event }).unwrap_or_default();
                    if tx.send(v).await.is_err() || end {
                        return;
                    }
                }
                Ok(_) => {}
                // Events were dropped (many servers at once outran this listener): the run's end
                // may be among them. A run records its end before it says so, so the record tells.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    if let Some((run_id, event)) = ended_run(&state, &name, this_run, asked_at).await {
                        let v = serde_json::to_value(protocol::RunStreamLine::Run { server: name.clone(), run_id: Some(run_id), event: Box::new(event) })
                            .unwrap_or_default();
                        let _ = tx.send(v).await;
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    lines(rx)
}

/// The end of the run a stream follows, where the history has it: the run `run_id`, else the
/// latest one of `server` started since `since`; its end as the run said it (finished, or failed
/// with its error).
async fn ended_run(state: &crate::state::State, server: &str, run_id: Option<i64>, since: chrono::DateTime<chrono::Utc>) -> Option<(i64, RunEvent)> {
    let runs = state.runs(server, 5).await.ok()?;
    let record = match run_id {
        Some(id) => runs.into_iter().find(|r| r.id == id)?,
        None => runs.into_iter().find(|r| r.started_at >= since)?,
    };
    record.ended_at?;
    let summary = crate::kinds::RunSummary::from_stored(&record.summary).ok()?;
    let event = match summary.error().cloned() {
        Some(error) => RunEvent::Failed { error, summary: Box::new(summary) },
        None => RunEvent::Finished { summary: Box::new(summary) },
    };
    Some((record.id, event))
}
