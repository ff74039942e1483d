//! The CLI's (and the TUI's) side of the control API: one HTTP/1 request per connection over the
//! socket, JSON in and out, and streams of JSON lines.

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
}

/// Path segments are percent-encoded: server names hold spaces and Cyrillic.
pub fn segment(name: &str) -> String {
    percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string()
}

impl Client {
    /// The client of the daemon whose socket this is.
    pub fn new(socket: &Path) -> Client {
        Client { socket: socket.to_owned() }
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
}
