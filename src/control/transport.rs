//! The control socket, and nothing else of the transport: a Unix socket in the home, mode 0600,
//! that answers only peers of the daemon's own uid (peer credentials). A Windows named pipe
//! would replace this module alone; none has been built or tried.

use std::path::Path;
#[cfg(unix)]
use std::path::PathBuf;

/// A connection to or from the control socket.
#[cfg(unix)]
pub type Stream = tokio::net::UnixStream;

/// The daemon's end.
#[cfg(unix)]
pub struct Listener {
    inner: tokio::net::UnixListener,
    path: PathBuf,
    uid: u32,
}

#[cfg(unix)]
impl Listener {
    /// Binds the socket at `path` (a socket left by a daemon that died is replaced) with mode
    /// 0600. The daemon's uid is the socket file's owner.
    pub fn bind(path: &Path) -> std::io::Result<Listener> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if path.exists() {
            std::fs::remove_file(path)?;
        }
        let inner = tokio::net::UnixListener::bind(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        let uid = std::fs::metadata(path)?.uid();
        Ok(Listener { inner, path: path.to_owned(), uid })
    }

    /// The next connection, and whether its peer is the daemon's own user.
    pub async fn accept(&self) -> std::io::Result<(Stream, Peer)> {
        let (stream, _) = self.inner.accept().await?;
        let peer = match stream.peer_cred() {
            Ok(c) if c.uid() == self.uid => Peer::Owner,
            Ok(c) => Peer::Other(c.uid()),
            Err(_) => Peer::Unknown,
        };
        Ok((stream, peer))
    }

    /// The uid it answers.
    pub fn uid(&self) -> u32 {
        self.uid
    }
}

#[cfg(unix)]
impl Drop for Listener {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Who connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// The daemon's own user.
    Owner,
    /// Another user (its uid).
    Other(u32),
    /// The system would not say.
    Unknown,
}

/// Connects to the socket.
#[cfg(unix)]
pub async fn connect(path: &Path) -> std::io::Result<Stream> {
    tokio::net::UnixStream::connect(path).await
}

/// Where a named pipe would go: not built, so the daemon and its clients say so.
#[cfg(not(unix))]
fn unsupported() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::Unsupported, crate::i18n::Msg::NoNamedPipe.get(crate::i18n::current()))
}

/// A connection (none without Unix sockets).
#[cfg(not(unix))]
pub type Stream = tokio::net::TcpStream;

/// The daemon's end (none without Unix sockets).
#[cfg(not(unix))]
pub struct Listener;

#[cfg(not(unix))]
impl Listener {
    /// Fails: not built.
    pub fn bind(_path: &Path) -> std::io::Result<Listener> {
        Err(unsupported())
    }
    /// Fails: not built.
    pub async fn accept(&self) -> std::io::Result<(Stream, Peer)> {
        Err(unsupported())
    }
    /// None.
    pub fn uid(&self) -> u32 {
        0
    }
}

/// Fails: not built.
#[cfg(not(unix))]
pub async fn connect(_path: &Path) -> std::io::Result<Stream> {
    Err(unsupported())
}
