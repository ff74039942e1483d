//! A relay on loopback that holds every byte for a set one-way time before passing it on, in both
//! directions: a LAN, a VPN or the internet between obmen and a database or a shop, on one
//! machine. Bytes keep their order and are not throttled (a chunk read is written `one_way`
//! after it was read, however many follow it), so a round trip costs twice the one-way time and
//! a stream of data costs it once, as over a real link.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// A running relay: connections to `addr` reach the target, delayed.
pub struct Relay {
    /// Where to connect instead of the target.
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Relay {
    /// A relay to `target` delaying each direction by `one_way`, on the current runtime.
    pub async fn start(target: SocketAddr, one_way: Duration) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port for the relay");
        let addr = listener.local_addr().expect("the relay's address");
        let task = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(target).await else { return };
                    let _ = (inbound.set_nodelay(true), outbound.set_nodelay(true));
                    let (in_read, in_write) = inbound.into_split();
                    let (out_read, out_write) = outbound.into_split();
                    tokio::join!(pipe(in_read, out_write, one_way), pipe(out_read, in_write, one_way));
                });
            }
        });
        Relay { addr, task }
    }
}

/// Copies `from` to `to`, each chunk written `delay` after it was read; closes `to` once `from`
/// ends and every chunk is written.
async fn pipe(mut from: tokio::net::tcp::OwnedReadHalf, mut to: tokio::net::tcp::OwnedWriteHalf, delay: Duration) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.send((Instant::now() + delay, buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
    };
    let writer = async move {
        while let Some((at, bytes)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}
