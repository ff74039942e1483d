//! `obmen check NAME`: a green or red line per connection test.

use std::io::IsTerminal;

use anyhow::anyhow;

use super::{out, runtime, server::load};
use crate::config::Home;
use crate::exit::CliError;

pub(super) fn run(home: &Home, lang: crate::config::Lang, name: &str, as_json: bool) -> Result<(), CliError> {
    let server = crate::kinds::Server::load(&load(home, name)?).map_err(CliError::config)?;
    let checks = runtime()?.block_on(server.check(lang));
    let failed = checks.iter().filter(|c| !c.ok).count();
    let said = crate::i18n::Msg::ChecksFailed.with(lang, &[("failed", &failed), ("total", &checks.len()), ("server", &name)]);
    let doc = serde_json::json!({ "server": name, "ok": failed == 0, "checks": checks });
    print_checks(&checks, as_json.then_some(doc), &said)
}

/// Prints green and red lines (or the JSON document given), and fails with `said` when any
/// check failed.
pub(super) fn print_checks(checks: &[crate::kinds::Check], json: Option<serde_json::Value>, said: &str) -> Result<(), CliError> {
    let failed = checks.iter().filter(|c| !c.ok).count();
    let verdict = || if failed == 0 { Ok(()) } else { Err(CliError::failed(anyhow!("{said}"))) };
    if let Some(doc) = json {
        out(&format!("{}\n", serde_json::to_string_pretty(&doc).map_err(CliError::failed)?))?;
        return verdict();
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut text = String::new();
    for c in checks {
        let (mark, code) = match (c.ok, c.warning) {
            (true, false) => ("✔", "\x1b[32m"),
            (true, true) => ("!", "\x1b[33m"),
            (false, _) => ("✘", "\x1b[31m"),
        };
        let (on, off) = if color { (code, "\x1b[0m") } else { ("", "") };
        text.push_str(&format!("{on}{mark} {}: {}{off}\n", c.what, c.detail));
    }
    out(&text)?;
    verdict()
}
