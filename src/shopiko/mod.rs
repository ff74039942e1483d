//! Shopiko: the shop side. obmen writes its own contract with the shop down in
//! docs/shopiko-api.md, and every wire detail lives in this module, so that a change on the
//! shop's side is made in one place.
//!
//! - [`model`]: the shapes that cross the wire.
//! - [`sign`]: request signing (HMAC-SHA256; the key is never sent).
//! - [`client`]: the client: TLS, paging, batching, retries with a bounded budget.
//! - [`sim`]: the simulator that serves the same contract on loopback, with fault injection.
//!
//! Nothing here knows about Warehouse Pro, servers or the TUI.

pub mod client;
pub mod model;
pub mod sign;
pub mod sim;

pub use client::{ClientConfig, RetryPolicy, ShopikoClient, ShopikoError};
