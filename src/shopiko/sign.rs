//! Request signing: the API ID is sent, the key never is. Each request carries a timestamp and an
//! HMAC-SHA256, under the key, of its method, path with query, timestamp and body hash
//! (docs/shopiko-api.md, "Authentication"). Both the client and the simulator use this module, so
//! the two cannot drift apart.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// Header carrying the API ID.
pub const HEADER_API_ID: &str = "x-shopiko-api-id";
/// Header carrying the time of signing (seconds since 1970 UTC).
pub const HEADER_TIMESTAMP: &str = "x-shopiko-timestamp";
/// Header carrying the signature (lowercase hex).
pub const HEADER_SIGNATURE: &str = "x-shopiko-signature";
/// How far the signing time may be from the shop's clock, either way.
pub const MAX_SKEW_SECS: i64 = 300;

/// The text that is signed.
pub fn canonical(method: &str, path_with_query: &str, timestamp: i64, body: &[u8]) -> String {
    let body_hash = hex::encode(Sha256::digest(body));
    format!("{}\n{path_with_query}\n{timestamp}\n{body_hash}", method.to_uppercase())
}

/// The signature of a request, as lowercase hex.
pub fn sign(key: &str, method: &str, path_with_query: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length: new_from_slice never fails for it.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes()) else { return String::new() };
    mac.update(canonical(method, path_with_query, timestamp, body).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// True when `signature` is the right one, compared in constant time.
pub fn verify(key: &str, method: &str, path_with_query: &str, timestamp: i64, body: &[u8], signature: &str) -> bool {
    let Ok(given) = hex::decode(signature.trim()) else { return false };
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes()) else { return false };
    mac.update(canonical(method, path_with_query, timestamp, body).as_bytes());
    mac.verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_text() {
        assert_eq!(
            canonical("get", "/api/v1/orders?since=3", 1_795_000_000, b""),
            "GET\n/api/v1/orders?since=3\n1795000000\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn signatures_verify_and_detect_changes() {
        let sig = sign("k3y", "POST", "/v1/stock/batch", 100, b"{\"items\":[]}");
        assert_eq!(sig.len(), 64);
        assert!(verify("k3y", "POST", "/v1/stock/batch", 100, b"{\"items\":[]}", &sig));
        assert!(!verify("other", "POST", "/v1/stock/batch", 100, b"{\"items\":[]}", &sig));
        assert!(!verify("k3y", "POST", "/v1/stock/batch", 101, b"{\"items\":[]}", &sig));
        assert!(!verify("k3y", "POST", "/v1/stock/batch?x=1", 100, b"{\"items\":[]}", &sig));
        assert!(!verify("k3y", "POST", "/v1/stock/batch", 100, b"{\"items\":[1]}", &sig));
        assert!(!verify("k3y", "POST", "/v1/stock/batch", 100, b"{\"items\":[]}", "zz"));
    }
}
