//! What every HTTPS client in the process shares: rustls's crypto provider (ring), installed once
//! before any client is built (reqwest is built without one).

/// Installs rustls's crypto provider (ring) once per process.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
