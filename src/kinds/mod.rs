//! Server kinds: one module per kind, each knowing its own settings and how to check and run a
//! server of its kind. The engine and the commands reach a kind only through this module.

pub mod warehouse_pro_shopiko;

use crate::config::ServerFile;

/// The outcome of one connection test: a green or red line.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What was tested, e.g. "Warehouse Pro database".
    pub what: String,
    /// True when it passed.
    pub ok: bool,
    /// What was found, or what is wrong and what to do.
    pub detail: String,
}

impl Check {
    /// A passed test.
    pub fn ok(what: impl Into<String>, detail: impl Into<String>) -> Check {
        Check { what: what.into(), ok: true, detail: detail.into() }
    }
    /// A failed test.
    pub fn failed(what: impl Into<String>, detail: impl Into<String>) -> Check {
        Check { what: what.into(), ok: false, detail: detail.into() }
    }
}

/// Runs a server's connection tests, whatever its kind.
pub async fn check(server: &ServerFile) -> Vec<Check> {
    match server.profile.id.as_str() {
        "warehouse_pro_shopiko" => warehouse_pro_shopiko::check(server).await,
        other => vec![Check::failed("kind", format!("obmen cannot check servers of kind '{other}'"))],
    }
}
