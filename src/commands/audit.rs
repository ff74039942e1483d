//! `obmen why SERVER ORDER` (an order's journey in plain words) and `obmen audit provenance
//! SERVER` (every import log entry has its payload kept, every payload its SHA-256).

use anyhow::anyhow;
use chrono::{NaiveDate, TimeZone};

use super::run::open_state;
use super::{out, runtime, server::load};
use crate::config::{Home, Lang};
use crate::exit::CliError;
use crate::i18n::Msg;
use crate::kinds::Server;

/// `obmen why SERVER ORDER [--json]`.
pub(super) fn why(home: &Home, lang: Lang, name: &str, order: &str, as_json: bool) -> Result<(), CliError> {
    let server = Server::load(&load(home, name)?).map_err(CliError::config)?;
    let rt = runtime()?;
    let state = rt.block_on(open_state(home))?;
    let journey = rt.block_on(crate::why::explain(&server, &state, order, lang)).map_err(CliError::failed)?;
    if as_json {
        return out(&format!("{}\n", serde_json::to_string_pretty(&journey.json).map_err(CliError::failed)?));
    }
    out(&format!("{}\n", journey.lines.join("\n")))
}

/// `obmen audit provenance SERVER [--since DATE] [--json]`.
pub(super) fn provenance(home: &Home, lang: Lang, name: &str, since: Option<&str>, as_json: bool) -> Result<(), CliError> {
    let server = Server::load(&load(home, name)?).map_err(CliError::config)?;
    let since = match since {
        None => None,
        Some(s) => Some(
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .ok_or_else(|| CliError::usage(anyhow!("{}", Msg::AuditBadSince.with(lang, &[("since", &s)]))))?,
        ),
    };
    let since_utc = since.and_then(|t| chrono::Local.from_local_datetime(&t).earliest()).map(|t| t.with_timezone(&chrono::Utc));
    let rt = runtime()?;
    let state = rt.block_on(open_state(home))?;
    let all = rt.block_on(state.provenance(name, None)).map_err(CliError::failed)?;
    let kept: Vec<_> = all.iter().filter(|r| since_utc.is_none_or(|t| r.received_at >= t || r.imported_at.is_some_and(|i| i >= t))).collect();
    let mut sources: Vec<String> = all.iter().map(|r| r.source.clone()).collect();
    sources.sort();
    sources.dedup();
    let log = rt.block_on(server.import_log(&sources, since)).map_err(CliError::failed)?;
    let mut problems = Vec::new();
    for r in &kept {
        if !r.intact() {
            problems.push(Msg::AuditAltered.with(lang, &[("order", &r.order_number), ("document", &r.document.clone().unwrap_or_else(|| "-".into()))]));
        }
    }
    for e in &log {
        if !all.iter().any(|r| r.order_id == e.order_id) {
            problems
                .push(Msg::AuditMissing.with(lang, &[("order", &e.order_number), ("document", &crate::kinds::warehouse_pro::order::document_number(e.acct))]));
        }
    }
    let (orders, n) = (log.len(), kept.len());
    if as_json {
        let doc = serde_json::json!({ "server": name, "ok": problems.is_empty(), "orders": orders, "kept": n, "problems": problems });
        out(&format!("{}\n", serde_json::to_string_pretty(&doc).map_err(CliError::failed)?))?;
    } else {
        let mut text: String = problems.iter().map(|p| format!("✘ {p}\n")).collect();
        if problems.is_empty() {
            text.push_str(&Msg::AuditOk.with(lang, &[("server", &name), ("orders", &orders), ("kept", &n)]));
            text.push('\n');
        }
        out(&text)?;
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::failed(anyhow!(
            "{}",
            Msg::AuditFailed.with(lang, &[("server", &name), ("problems", &problems.len()), ("orders", &orders), ("kept", &n)])
        )))
    }
}
