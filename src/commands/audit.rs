//! `obmen why SERVER ORDER` (an order's journey in plain words) and `obmen audit provenance
//! SERVER` (every import log entry has its payload kept, every payload its SHA-256).

use anyhow::anyhow;
use chrono::{NaiveDate, TimeZone};

use super::run::{local, open_state};
use super::{out, runtime, server::load};
use crate::config::{Home, Lang};
use crate::exit::CliError;
use crate::i18n::Msg;
use crate::kinds::Server;
use crate::state::QuarantineState;

fn same_order(wanted: &str, id: &str, number: &str) -> bool {
    wanted == id || wanted.eq_ignore_ascii_case(number)
}

/// `obmen why SERVER ORDER [--json]`.
pub(super) fn why(home: &Home, lang: Lang, name: &str, order: &str, as_json: bool) -> Result<(), CliError> {
    let server = Server::load(&load(home, name)?).map_err(CliError::config)?;
    let rt = runtime()?;
    let state = rt.block_on(open_state(home))?;
    let kept = rt.block_on(state.provenance_of(name, order)).map_err(CliError::failed)?;
    let kept: Vec<_> = if kept.is_empty() {
        // An order number in another case.
        rt.block_on(state.provenance(name, None)).map_err(CliError::failed)?.into_iter().filter(|r| same_order(order, &r.order_id, &r.order_number)).collect()
    } else {
        kept
    };
    let quarantine =
        rt.block_on(state.quarantined(name, true)).map_err(CliError::failed)?.into_iter().rfind(|q| same_order(order, &q.order_id, &q.order_number));
    let sources: Vec<String> = kept.iter().map(|r| r.source.clone()).collect();
    let logged = rt.block_on(server.import_log(&sources, None));
    let (entry, log_error) = match &logged {
        Ok(entries) => (entries.iter().find(|e| same_order(order, &e.order_id, &e.order_number)).cloned(), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let last_import = rt
        .block_on(state.runs(name, 200))
        .map_err(CliError::failed)?
        .into_iter()
        .find(|r| !r.dry_run && r.summary.pointer("/job/import").and_then(serde_json::Value::as_bool).unwrap_or(false));
    let cursor = rt.block_on(state.cursor(name, "orders")).map_err(CliError::failed)?;

    let number =
        kept.first().map(|r| r.order_number.clone()).or_else(|| quarantine.as_ref().map(|q| q.order_number.clone())).unwrap_or_else(|| order.to_owned());
    let booked = kept.iter().find(|r| r.document.is_some());
    let verdict = match (&booked, &entry, &quarantine) {
        (Some(_), _, _) | (None, Some(_), _) => "imported",
        (None, None, Some(q)) if q.state == QuarantineState::Open => "set_aside",
        (None, None, Some(q)) if q.state == QuarantineState::Dropped => "dropped",
        _ if !kept.is_empty() => "received",
        _ => "not_seen",
    };
    let mut lines = Vec::new();
    match verdict {
        "imported" => {
            if let Some(b) = booked {
                let time = b.imported_at.map(local).unwrap_or_default();
                let run = b.run_id.map(|r| r.to_string()).unwrap_or_else(|| "-".into());
                lines.push(
                    Msg::WhyImported.with(lang, &[("order", &number), ("document", &b.document.clone().unwrap_or_default()), ("time", &time), ("run", &run)]),
                );
            } else if let Some(e) = &entry {
                lines.push(
                    Msg::WhyImportedElsewhere.with(lang, &[("order", &number), ("document", &crate::kinds::warehouse_pro::order::document_number(e.acct))]),
                );
            }
            match &entry {
                Some(e) if e.acknowledged => lines.push(Msg::WhyShopTold.get(lang).to_owned()),
                Some(_) => lines.push(Msg::WhyShopNotTold.get(lang).to_owned()),
                None => {}
            }
        }
        "set_aside" => {
            if let Some(q) = &quarantine {
                lines.push(Msg::WhySetAside.with(
                    lang,
                    &[("order", &number), ("attempts", &q.attempts), ("first", &local(q.first_seen)), ("last", &local(q.last_seen)), ("reason", &q.reason)],
                ));
                lines.push(Msg::WhySetAsideTodo.with(lang, &[("server", &name), ("order", &number)]));
            }
        }
        "dropped" => {
            if let Some(q) = &quarantine {
                lines.push(Msg::WhyDropped.with(lang, &[("order", &number), ("reason", &q.reason)]));
            }
        }
        "received" => lines.push(Msg::WhyNotWritten.with(lang, &[("order", &number)])),
        _ => {
            lines.push(Msg::WhyNotSeen.with(lang, &[("order", &number), ("server", &name)]));
            match &last_import {
                Some(r) => lines.push(Msg::WhyLastImport.with(
                    lang,
                    &[
                        ("time", &local(r.started_at)),
                        ("run", &r.id),
                        ("outcome", &r.outcome.as_str()),
                        ("cursor", &cursor.clone().unwrap_or_else(|| "-".into())),
                    ],
                )),
                None => lines.push(Msg::WhyNoImport.get(lang).to_owned()),
            }
            lines.push(Msg::WhyLikely.get(lang).to_owned());
        }
    }
    for r in &kept {
        let run = r.run_id.map(|r| r.to_string()).unwrap_or_else(|| "-".into());
        lines.push(Msg::WhyReceived.with(lang, &[("run", &run), ("time", &local(r.received_at)), ("sha", &r.sha256)]));
    }
    if kept.len() > 1 {
        lines.push(Msg::WhyChanged.get(lang).to_owned());
    }
    if let Some(e) = &log_error {
        lines.push(Msg::WhyLogUnreadable.with(lang, &[("error", e)]));
    }
    if as_json {
        let doc = serde_json::json!({
            "server": name,
            "order": number,
            "verdict": verdict,
            "received": kept.iter().map(|r| serde_json::json!({
                "order_id": r.order_id, "run": r.run_id, "received_at": r.received_at.to_rfc3339(), "sha256": r.sha256,
                "intact": r.intact(), "document": r.document, "imported_at": r.imported_at.map(|t| t.to_rfc3339()),
            })).collect::<Vec<_>>(),
            "quarantine": quarantine.as_ref().map(|q| q.to_json()),
            "import_log": entry.as_ref().map(|e| serde_json::json!({"order_id": e.order_id, "document": crate::kinds::warehouse_pro::order::document_number(e.acct), "acknowledged": e.acknowledged})),
            "import_log_error": log_error,
            "last_import": last_import.as_ref().map(|r| serde_json::json!({"run": r.id, "started_at": r.started_at.to_rfc3339(), "outcome": r.outcome.as_str()})),
            "cursor": cursor,
            "text": lines,
        });
        return out(&format!("{}\n", serde_json::to_string_pretty(&doc).map_err(CliError::failed)?));
    }
    out(&format!("{}\n", lines.join("\n")))
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
