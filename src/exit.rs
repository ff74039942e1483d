//! Exit codes (a contract: scripts rely on them) and the error type at the binary's edge.

use std::process::ExitCode;

/// Everything went as asked.
pub const OK: u8 = 0;
/// A run or a check failed.
pub const FAILED: u8 = 1;
/// The command line was wrong.
pub const USAGE: u8 = 2;
/// Partly done: the run went through, but something was set aside, refused by the shop, or is
/// not yet confirmed to it.
pub const PARTLY: u8 = 3;
/// A configuration is invalid (sysexits' EX_CONFIG).
pub const CONFIG: u8 = 78;

/// An error that ends the command, with the exit code it ends with.
#[derive(Debug)]
pub struct CliError {
    /// The exit code.
    pub code: u8,
    /// What went wrong, with its chain of causes.
    pub error: anyhow::Error,
}

impl CliError {
    /// A failure (exit 1).
    pub fn failed(error: impl Into<anyhow::Error>) -> Self {
        CliError { code: FAILED, error: error.into() }
    }
    /// A usage error (exit 2).
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        CliError { code: USAGE, error: error.into() }
    }
    /// Partly done (exit 3).
    pub fn partly(error: impl Into<anyhow::Error>) -> Self {
        CliError { code: PARTLY, error: error.into() }
    }
    /// An invalid configuration (exit 78).
    pub fn config(error: impl Into<anyhow::Error>) -> Self {
        CliError { code: CONFIG, error: error.into() }
    }
    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

impl<E: Into<anyhow::Error>> From<E> for CliError {
    fn from(e: E) -> Self {
        let error: anyhow::Error = e.into();
        let code = if error.chain().any(|c| c.is::<crate::config::ConfigErrors>() || c.is::<crate::config::ConfigError>()) { CONFIG } else { FAILED };
        CliError { code, error }
    }
}
