//! `obmen alerts test`: a test message to every alert channel, a green or red line each.

use anyhow::anyhow;

use super::{check::print_checks, runtime};
use crate::config::Home;
use crate::daemon::DaemonSettings;
use crate::exit::CliError;
use crate::i18n::Msg;

pub(super) fn test(home: &Home, lang: crate::config::Lang, as_json: bool) -> Result<(), CliError> {
    let settings = DaemonSettings::load(home).map_err(CliError::config)?;
    let checks = runtime()?.block_on(crate::alerts::send::test_all(&settings, lang));
    if checks.is_empty() {
        let file = home.root.join("obmen.toml");
        return Err(CliError::config(anyhow!("{}", Msg::AlertsNoChannel.with(lang, &[("file", &file.display())]))));
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    let said = Msg::AlertsTestFailed.with(lang, &[("failed", &failed), ("total", &checks.len())]);
    let doc = serde_json::json!({ "ok": failed == 0, "checks": checks });
    print_checks(&checks, as_json.then_some(doc), &said)
}
