//! The CLI's and the TUI's side of the control API: one HTTP/1 request per connection over the
//! socket, JSON in and out, and streams of JSON lines. The typed methods ([`Client::servers`],
//! [`Client::check`] ...) are the one place where the API's paths are written and its answers
//! read, as [`super::protocol`]'s types; each request carries the client's language.

use std::path::Path;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use serde::de::DeserializeOwned;

use super::transport;
use crate::i18n::{current, Msg};

/// Why the daemon could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No daemon listens on the home's socket.
    #[error("{0}")]
    NoDaemon(String),
    /// The daemon refused this user.
    #[error("{0}")]
    Refused(String),
    /// The daemon answered with an error.
    #[error("{message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The error's code (`no_such_server`, `not_running`, `busy`).
        code: String,
        /// Its words.
        message: String,
    },
    /// The talk itself failed.
    #[error("{0}")]
    Io(String),
}

/// A client of one home's daemon.
#[derive(Debug, Clone)]
pub struct Client {
    socket: std::path::PathBuf,
    /// The language the daemon words its answers in for this client.
    lang: crate::config::Lang,
}

/// Path segments are percent-encoded: server names hold spaces and Cyrillic.
pub fn segment(name: &str) -> String {
    percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string()
}

impl Client {
    /// The client of the daemon whose socket this is.
    pub fn new(socket: &Path) -> Client {
        Client { socket: socket.to_owned(), lang: current() }
    }

    /// The same client, asking for answers in `lang` (a UI switched to another language).
    pub fn speaking(&self, lang: crate::config::Lang) -> Client {
        Client { lang, ..self.clone() }
    }

    async fn send(&self, method: Method, path: &str, body: Option<serde_json::Value>) -> Result<Response<Incoming>, ClientError> {
        let stream = transport::connect(&self.socket).await.map_err(|e| {
            let where_ = self.socket.display().to_string();
            match e.kind() {
                std::io::ErrorKind::PermissionDenied => ClientError::Refused(Msg::DaemonRefusedSocket.with(current(), &[("socket", &where_), ("error", &e)])),
                _ => ClientError::NoDaemon(Msg::NoDaemon.with(current(), &[("socket", &where_)])),
            }
        })?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| ClientError::Io(e.to_string()))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let bytes = body.map(|b| b.to_string()).unwrap_or_default();
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "obmen")
            .header("content-type", "application/json")
            .header(super::protocol::LANGUAGE, self.lang.code())
            .body(Full::new(Bytes::from(bytes)))
            .map_err(|e| ClientError::Io(e.to_string()))?;
        let resp = sender.send_request(req).await.map_err(|e| ClientError::Io(e.to_string()))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let message = v["error"].as_str().map(str::to_owned).unwrap_or_else(|| Msg::DaemonRefusedRequest.get(current()).to_owned());
        let code = v["code"].as_str().unwrap_or("").to_owned();
        if status == 403 {
            return Err(ClientError::Refused(message));
        }
        Err(ClientError::Api { status, code, message })
    }

    /// A JSON answer.
    pub async fn call<T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<serde_json::Value>) -> Result<T, ClientError> {
        let resp = self.send(method, path, body).await?;
        let body = resp.into_body().collect().await.map_err(|e| ClientError::Io(e.to_string()))?.to_bytes();
        serde_json::from_slice(&body).map_err(|e| ClientError::Io(Msg::DaemonAnswerUnexpected.with(current(), &[("error", &e)])))
    }

    /// An answer as text (`GET /metrics`).
    pub async fn text(&self, path: &str) -> Result<String, ClientError> {
        let resp = self.send(Method::GET, path, None).await?;
        let body = resp.into_body().collect().await.map_err(|e| ClientError::Io(e.to_string()))?.to_bytes();
        Ok(String::from_utf8_lossy(&body).into_owned())
    }

    /// A stream of JSON lines: `on_line` is called with each until it returns false or the
    /// stream ends.
    pub async fn stream(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        mut on_line: impl FnMut(serde_json::Value) -> bool,
    ) -> Result<(), ClientError> {
        let mut body_stream = self.send(method, path, body).await?.into_body();
        let mut buf: Vec<u8> = Vec::new();
        while let Some(frame) = body_stream.frame().await {
            let frame = frame.map_err(|e| ClientError::Io(e.to_string()))?;
            let Ok(data) = frame.into_data() else { continue };
            buf.extend_from_slice(&data);
            while let Some(i) = buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = buf.drain(..=i).collect();
                if let Ok(v) = serde_json::from_slice(&line) {
                    if !on_line(v) {
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    }

    async fn typed<T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<&impl serde::Serialize>) -> Result<T, ClientError> {
        let body = match body {
            Some(b) => Some(serde_json::to_value(b).map_err(|e| ClientError::Io(e.to_string()))?),
            None => None,
        };
        self.call(method, path, body).await
    }

    /// `GET /v1/health`.
    pub async fn health(&self) -> Result<P::Health, ClientError> {
        self.typed(Method::GET, "/v1/health", NONE).await
    }

    /// `GET /v1/servers`.
    pub async fn servers(&self) -> Result<Vec<P::ServerEntry>, ClientError> {
        self.typed(Method::GET, "/v1/servers", NONE).await
    }

    /// `GET /v1/servers/NAME`.
    pub async fn server(&self, name: &str) -> Result<P::ServerEntry, ClientError> {
        self.typed(Method::GET, &server_path(name, ""), NONE).await
    }

    /// `PATCH /v1/servers/NAME`.
    pub async fn change(&self, name: &str, change: &P::ChangeServer) -> Result<P::Saved, ClientError> {
        self.typed(Method::PATCH, &server_path(name, ""), Some(change)).await
    }

    /// `DELETE /v1/servers/NAME`.
    pub async fn delete(&self, name: &str) -> Result<P::Deleted, ClientError> {
        self.typed(Method::DELETE, &server_path(name, ""), NONE).await
    }

    /// `GET /v1/kinds`.
    pub async fn kinds(&self) -> Result<Vec<P::KindEntry>, ClientError> {
        self.typed(Method::GET, "/v1/kinds", NONE).await
    }

    /// `POST /v1/servers` with `dry_run`: the form as it stands.
    pub async fn check_new(&self, new: &P::NewServer) -> Result<P::Form, ClientError> {
        let new = P::NewServer { dry_run: true, ..new.clone() };
        self.typed(Method::POST, "/v1/servers", Some(&new)).await
    }

    /// `POST /v1/servers`: the server made.
    pub async fn create(&self, new: &P::NewServer) -> Result<P::Saved, ClientError> {
        let new = P::NewServer { dry_run: false, ..new.clone() };
        self.typed(Method::POST, "/v1/servers", Some(&new)).await
    }

    /// `POST /v1/servers/NAME/start`.
    pub async fn start(&self, name: &str) -> Result<P::Started, ClientError> {
        self.typed(Method::POST, &server_path(name, "/start"), NONE).await
    }

    /// `POST /v1/servers/NAME/stop`.
    pub async fn stop(&self, name: &str) -> Result<P::Stopped, ClientError> {
        self.typed(Method::POST, &server_path(name, "/stop"), NONE).await
    }

    /// `POST /v1/servers/NAME/run`: `on_line` gets each line of the run's stream until it
    /// returns false or the run ends.
    pub async fn run(&self, name: &str, request: &P::RunRequest, mut on_line: impl FnMut(P::RunStreamLine) -> bool) -> Result<(), ClientError> {
        let body = serde_json::to_value(request).map_err(|e| ClientError::Io(e.to_string()))?;
        self.stream(Method::POST, &server_path(name, "/run"), Some(body), |v| match serde_json::from_value(v) {
            Ok(line) => on_line(line),
            Err(_) => true,
        })
        .await
    }

    /// `GET /v1/servers/NAME/runs?limit=N`.
    pub async fn runs(&self, name: &str, limit: i64) -> Result<Vec<P::RunRecord>, ClientError> {
        self.typed(Method::GET, &format!("{}?limit={limit}", server_path(name, "/runs")), NONE).await
    }

    /// `GET /v1/servers/NAME/log`.
    pub async fn log(&self, name: &str, query: &P::LogQuery) -> Result<Vec<P::Line>, ClientError> {
        let path = {
            let mut q = form_urlencoded::Serializer::new(String::new());
            q.append_pair("n", &query.n.unwrap_or(500).to_string());
            if let Some(l) = query.level {
                q.append_pair("level", l.as_str());
            }
            if let Some(g) = &query.grep {
                q.append_pair("grep", g);
            }
            if let Some(r) = query.run {
                q.append_pair("run", &r.to_string());
            }
            format!("{}?{}", server_path(name, "/log"), q.finish())
        };
        self.typed(Method::GET, &path, NONE).await
    }

    /// `GET /v1/servers/NAME/quarantine[?all=true]`.
    pub async fn quarantine(&self, name: &str, all: bool) -> Result<Vec<P::QuarantineEntry>, ClientError> {
        let all = if all { "?all=true" } else { "" };
        self.typed(Method::GET, &format!("{}{all}", server_path(name, "/quarantine")), NONE).await
    }

    /// `POST /v1/servers/NAME/quarantine/ID/retry`: the retry's summary.
    pub async fn retry(&self, name: &str, id: i64) -> Result<P::RunSummary, ClientError> {
        self.typed(Method::POST, &server_path(name, &format!("/quarantine/{id}/retry")), NONE).await
    }

    /// `POST /v1/servers/NAME/quarantine/ID/drop`.
    pub async fn drop_entry(&self, name: &str, id: i64) -> Result<P::Dropped, ClientError> {
        self.typed(Method::POST, &server_path(name, &format!("/quarantine/{id}/drop")), NONE).await
    }

    /// `GET /v1/servers/NAME/why/ORDER`: the order's journey, in the client's language.
    pub async fn why(&self, name: &str, order: &str) -> Result<P::Why, ClientError> {
        self.typed(Method::GET, &server_path(name, &format!("/why/{}", segment(order))), NONE).await
    }

    /// `POST /v1/servers/NAME/check`.
    pub async fn check(&self, name: &str) -> Result<Vec<P::Check>, ClientError> {
        self.typed(Method::POST, &server_path(name, "/check"), NONE).await
    }

    /// `GET /v1/servers/NAME/properties`.
    pub async fn properties(&self, name: &str) -> Result<P::Properties, ClientError> {
        self.typed(Method::GET, &server_path(name, "/properties"), NONE).await
    }

    /// `GET /v1/servers/NAME/choices/KEY`.
    pub async fn choices(&self, name: &str, key: &str) -> Result<P::Choices, ClientError> {
        self.typed(Method::GET, &server_path(name, &format!("/choices/{}", segment(key))), NONE).await
    }

    /// `GET /v1/events`: `on_line` gets each line until it returns false or the stream ends.
    pub async fn events(&self, mut on_line: impl FnMut(P::EventLine) -> bool) -> Result<(), ClientError> {
        self.stream(Method::GET, "/v1/events", None, |v| match serde_json::from_value(v) {
            Ok(line) => on_line(line),
            Err(_) => true,
        })
        .await
    }

    /// `POST /v1/reload`.
    pub async fn reload(&self) -> Result<P::Reloaded, ClientError> {
        self.typed(Method::POST, "/v1/reload", NONE).await
    }
}

use super::protocol as P;

/// No body.
const NONE: Option<&()> = None;

/// A server's path, and what follows it (`/start`).
fn server_path(name: &str, rest: &str) -> String {
    format!("/v1/servers/{}{rest}", segment(name))
}
