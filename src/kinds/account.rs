//! What the servers that use one shop account share within a process: a rate-limited API's
//! budget is the account's (its token's), not one server's, so every server of the daemon that
//! uses the account must draw on one limiter. A kind asks [`shared`] for the thing under a key
//! naming the account (a digest of its token, never the token) and gets the one the others hold,
//! made on first use and gone when the last server lets go of it. A separate process (a
//! foreground `obmen run`) has its own: the kind says so where it matters.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

type Registry = Mutex<HashMap<(std::any::TypeId, String), Weak<dyn Any + Send + Sync>>>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The account key of a secret (a token): a digest, so that the registry never holds the
/// secret and two servers with the same token meet under one key.
pub fn key_of(kind: &str, secret: &str) -> String {
    use sha2::Digest;
    format!("{kind}:{}", hex::encode(&sha2::Sha256::digest(secret.as_bytes())[..12]))
}

/// The `T` every holder of `key` shares, made by `make` when no one holds one.
pub fn shared<T: Send + Sync + 'static>(key: &str, make: impl FnOnce() -> T) -> Arc<T> {
    let mut map = registry().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let id = (std::any::TypeId::of::<T>(), key.to_owned());
    if let Some(found) = map.get(&id).and_then(Weak::upgrade).and_then(|a| a.downcast::<T>().ok()) {
        return found;
    }
    // Keys whose holders are all gone are swept as new ones come.
    map.retain(|_, w| w.strong_count() > 0);
    let made = Arc::new(make());
    let erased: Arc<dyn Any + Send + Sync> = made.clone();
    map.insert(id, Arc::downgrade(&erased));
    made
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_of_one_account_share_one_and_others_get_their_own() {
        let a = key_of("test", "token-a");
        assert!(!a.contains("token-a"), "the key never holds the secret: {a}");
        let first = shared(&a, || std::sync::atomic::AtomicU32::new(1));
        let second = shared(&a, || std::sync::atomic::AtomicU32::new(2));
        assert!(Arc::ptr_eq(&first, &second), "one account, one thing");
        let other = shared(&key_of("test", "token-b"), || std::sync::atomic::AtomicU32::new(3));
        assert!(!Arc::ptr_eq(&first, &other));
        // Another type under the same key is another thing.
        let text = shared(&a, || String::from("x"));
        assert_eq!(text.as_str(), "x");
        drop((first, second));
        let again = shared(&a, || std::sync::atomic::AtomicU32::new(4));
        assert_eq!(again.load(std::sync::atomic::Ordering::Relaxed), 4, "made again once no one held it");
    }
}
