//! `obmen check NAME`: a green or red line per connection test.

use std::io::IsTerminal;

use anyhow::anyhow;

use super::{out, runtime, server::load};
use crate::config::Home;
use crate::exit::CliError;

pub(super) fn run(home: &Home, name: &str) -> Result<(), CliError> {
    let server = crate::kinds::Server::load(&load(home, name)?).map_err(CliError::config)?;
    let checks = runtime()?.block_on(server.check());
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut text = String::new();
    for c in &checks {
        let (mark, on, off) = match (c.ok, color) {
            (true, true) => ("✔", "\x1b[32m", "\x1b[0m"),
            (false, true) => ("✘", "\x1b[31m", "\x1b[0m"),
            (true, false) => ("✔", "", ""),
            (false, false) => ("✘", "", ""),
        };
        text.push_str(&format!("{on}{mark} {}: {}{off}\n", c.what, c.detail));
    }
    out(&text)?;
    let failed = checks.iter().filter(|c| !c.ok).count();
    if failed == 0 {
        Ok(())
    } else {
        Err(CliError::failed(anyhow!("{failed} of {} checks of server '{name}' failed", checks.len())))
    }
}
