//! What this kind's tests share: a client of the simulator, the shop's identity, and the
//! simulated account's ids.

use std::sync::Arc;
use std::time::Duration;

use super::shop::Account;
use crate::baselinker::client::{limiter, ClientConfig};
use crate::baselinker::BaseLinkerClient;
use crate::kinds::warehouse_pro::shop::Identity;
use crate::secret::Secret;

/// A client of `url` with this token, giving up after `budget`.
pub(super) fn client(url: &str, token: &str, budget: Duration) -> BaseLinkerClient {
    let config = ClientConfig { url: url.to_owned(), token: Secret::new(token), request_timeout: Duration::from_secs(5).min(budget), budget };
    BaseLinkerClient::new(config, Arc::new(limiter(100))).unwrap()
}

/// The shop as the core names it, prices in euro.
pub(super) fn identity() -> Identity {
    super::identity(&super::resolve::Resolved { account: account(), currency: "EUR".into(), catalogue: "Katalog główny".into() })
}

/// The simulated account's catalogue, warehouse, euro price group, statuses and document field.
pub(super) fn account() -> Account {
    Account {
        inventory_id: 301,
        warehouse: "bl_401".into(),
        price_group: 106,
        import_statuses: vec![1001],
        status_after_import: Some(1002),
        status_on_error: Some(1003),
        document_field: Some(501),
    }
}
