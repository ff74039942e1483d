//! BaseLinker (Base.com): the order hub's public API, as obmen talks to it. Every wire detail
//! lives in this module: one endpoint (`connector.php`), POSTed as a form with `method` and
//! `parameters` (JSON), the token in the `X-BLToken` header, every answer JSON with `status`
//! `SUCCESS` or `ERROR`, and a limit of 100 requests a minute per token.
//!
//! - [`client`]: the client: the form, the token, the limit (a limiter the caller shares among
//!   every user of one token), retries, errors that say what to do.
//! - [`model`]: orders as `getOrders` returns them, typed, reading BaseLinker's loose types.
//! - [`sim`]: the simulator that serves the methods obmen calls as the documentation describes
//!   them, on loopback, with the limit and faults (`obmen baselinker-sim`).
//!
//! `docs/baselinker.md` says which documented behaviours the simulator implements, and which
//! reading obmen takes where the documentation is ambiguous. Nothing here knows about Warehouse
//! Pro, servers or the TUI.

pub mod client;
pub mod model;
pub mod sim;

pub use client::{BaseLinkerClient, BaseLinkerError, ClientConfig, Limiter};
