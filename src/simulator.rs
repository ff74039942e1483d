//! What the shops' simulators (`obmen shopiko-sim`, `obmen baselinker-sim`) share: the HTTP/1
//! accept loop on a loopback listener. Each connection is served on its own task; a connection
//! that cannot be accepted or breaks never stops the listener.

use std::future::Future;

use hyper::body::{Body, Incoming};
use hyper::{Request, Response};
use tokio::net::TcpListener;

/// Serves `handle` on `listener` until `shutdown` completes.
pub async fn serve<H, Fut, B>(listener: TcpListener, shutdown: impl Future<Output = ()>, handle: H) -> std::io::Result<()>
where
    H: Fn(Request<Incoming>) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<Response<B>, std::io::Error>> + Send + 'static,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return Ok(()),
            accepted = listener.accept() => {
                let (stream, _) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::warn!(error = %e, "Simulator could not accept a connection.");
                        continue;
                    }
                };
                let handle = handle.clone();
                tokio::spawn(async move {
                    let io = hyper_util::rt::TokioIo::new(stream);
                    if let Err(e) = hyper::server::conn::http1::Builder::new().serve_connection(io, hyper::service::service_fn(handle)).await {
                        tracing::debug!(error = %e, "Simulator connection ended.");
                    }
                });
            }
        }
    }
}
