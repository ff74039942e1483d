//! "Why is order N not in Warehouse Pro?": an order's journey told from what obmen keeps and the
//! database holds, in the reader's language: whether the shop gave it (which run, the SHA-256 of
//! what it sent), set aside (why, how often, the fix), the document it became and whether the shop
//! was told, or, where the shop never gave it, the last import, the cursor and the likely reasons.
//! `obmen why`, the control API (`GET /v1/servers/NAME/why/ORDER`) and the TUI tell the same.

use crate::config::Lang;
use crate::i18n::Msg;
use crate::kinds::Server;
use crate::state::{QuarantineState, State, StateError};

/// An order's journey.
#[derive(Debug, Clone, PartialEq)]
pub struct Journey {
    /// `imported`, `set_aside`, `dropped`, `received` (kept, no document yet) or `not_seen`.
    pub verdict: &'static str,
    /// What happened and what to do, a sentence a line.
    pub lines: Vec<String>,
    /// The same with every detail, as `obmen why --json` and the control API give it.
    pub json: serde_json::Value,
}

/// True when `wanted` names this order: its id, or its number in any case.
pub fn same_order(wanted: &str, id: &str, number: &str) -> bool {
    wanted == id || wanted.eq_ignore_ascii_case(number)
}

/// An order's journey as `obmen why`, the control API and the TUI tell it, in `lang`.
pub async fn explain(server: &Server, state: &State, order: &str, lang: Lang) -> Result<Journey, StateError> {
    let name = server.name.as_str();
    // By its id, or its number in any case.
    let kept = state.provenance_of(name, order).await?;
    let quarantine = state.quarantined(name, true).await?.into_iter().rfind(|q| same_order(order, &q.order_id, &q.order_number));
    let sources: Vec<String> = kept.iter().map(|r| r.source.clone()).collect();
    // The names the order goes by: its ids and numbers as obmen knows them (exact, whatever
    // case was typed), then as typed, upper and lower case (an order obmen kept nothing of).
    let mut names: Vec<String> = kept.iter().flat_map(|r| [r.order_id.clone(), r.order_number.clone()]).collect();
    names.extend(quarantine.iter().flat_map(|q| [q.order_id.clone(), q.order_number.clone()]));
    names.extend([order.to_owned(), order.to_uppercase(), order.to_lowercase()]);
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| !n.is_empty() && seen.insert(n.clone()));
    let (entry, contents, log_error) = match server.order_in_database(&sources, &names).await {
        Ok(Some((entry, contents))) => (Some(entry), Some(contents), None),
        Ok(None) => (None, None, None),
        Err(e) => (None, None, Some(e.to_string())),
    };
    let last_import =
        state.runs(name, 200).await?.into_iter().find(|r| !r.dry_run && r.summary.pointer("/job/import").and_then(serde_json::Value::as_bool).unwrap_or(false));
    let cursor = state.cursor(name, "orders").await?;

    // The number as the shop wrote it, wherever obmen or the database knows it from.
    let number = kept
        .first()
        .map(|r| r.order_number.clone())
        .or_else(|| quarantine.as_ref().map(|q| q.order_number.clone()))
        .or_else(|| entry.as_ref().map(|e| e.order_number.clone()))
        .unwrap_or_else(|| order.to_owned());
    let booked = kept.iter().find(|r| r.document.is_some());
    let verdict = match (&booked, &entry, &quarantine) {
        (Some(_), _, _) | (None, Some(_), _) => "imported",
        (None, None, Some(q)) if q.state == QuarantineState::Open => "set_aside",
        (None, None, Some(q)) if q.state == QuarantineState::Dropped => "dropped",
        _ if !kept.is_empty() => "received",
        _ => "not_seen",
    };
    let mut lines = Vec::new();
    let mut document = None;
    match verdict {
        "imported" => {
            if let Some(b) = booked {
                let time = b.imported_at.map(|t| crate::i18n::datetime(t, lang)).unwrap_or_default();
                let run = b.run_id.map(|r| r.to_string()).unwrap_or_else(|| "-".into());
                lines.push(
                    Msg::WhyImported.with(lang, &[("order", &number), ("document", &b.document.clone().unwrap_or_default()), ("time", &time), ("run", &run)]),
                );
            } else if let Some(e) = &entry {
                lines.push(
                    Msg::WhyImportedElsewhere.with(lang, &[("order", &number), ("document", &crate::kinds::warehouse_pro::order::document_number(e.acct))]),
                );
            }
            if let Some(found) = contents {
                match found {
                    Ok(doc) => {
                        if let Some((code, partner)) = &doc.partner {
                            lines.push(Msg::WhyPartner.with(lang, &[("partner", partner), ("code", code)]));
                        }
                        let goods: Vec<String> = doc.lines.iter().map(|l| format!("{} {} × {} ({:.2})", l.code, l.name, l.quantity, l.price)).collect();
                        if !goods.is_empty() {
                            lines.push(Msg::WhyGoods.with(lang, &[("goods", &goods.join("; "))]));
                        }
                        document = Some(doc);
                    }
                    Err(e) => lines.push(Msg::WhyLogUnreadable.with(lang, &[("error", &e)])),
                }
            }
            let told_at = booked.and_then(|b| b.told_at);
            match &entry {
                Some(e) if e.acknowledged && told_at.is_some() => {
                    lines.push(Msg::WhyShopToldAt.with(lang, &[("time", &told_at.map(|t| crate::i18n::datetime(t, lang)).unwrap_or_default())]))
                }
                Some(e) if e.acknowledged => lines.push(Msg::WhyShopTold.get(lang).to_owned()),
                Some(_) => lines.push(Msg::WhyShopNotTold.get(lang).to_owned()),
                None => {}
            }
        }
        "set_aside" => {
            if let Some(q) = &quarantine {
                lines.push(Msg::WhySetAside.with(
                    lang,
                    &[
                        ("order", &number),
                        ("attempts", &q.attempts),
                        ("first", &crate::i18n::datetime(q.first_seen, lang)),
                        ("last", &crate::i18n::datetime(q.last_seen, lang)),
                        ("reason", &q.reason),
                    ],
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
                        ("time", &crate::i18n::datetime(r.started_at, lang)),
                        ("run", &r.id),
                        ("outcome", &Msg::outcome_word(r.outcome, lang)),
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
        lines.push(match &r.cursor {
            Some(c) => {
                Msg::WhyReceivedAt.with(lang, &[("run", &run), ("time", &crate::i18n::datetime(r.received_at, lang)), ("cursor", c), ("sha", &r.sha256)])
            }
            None => Msg::WhyReceived.with(lang, &[("run", &run), ("time", &crate::i18n::datetime(r.received_at, lang)), ("sha", &r.sha256)]),
        });
    }
    if kept.len() > 1 {
        lines.push(Msg::WhyChanged.get(lang).to_owned());
    }
    if let Some(e) = &log_error {
        lines.push(Msg::WhyLogUnreadable.with(lang, &[("error", e)]));
    }
    let json = serde_json::json!({
        "server": name,
        "order": number,
        "verdict": verdict,
        "received": kept.iter().map(|r| serde_json::json!({
            "order_id": r.order_id, "run": r.run_id, "received_at": r.received_at.to_rfc3339(), "sha256": r.sha256,
            "intact": r.intact(), "document": r.document, "imported_at": r.imported_at.map(|t| t.to_rfc3339()),
                "cursor": r.cursor, "told_at": r.told_at.map(|t| t.to_rfc3339()),
        })).collect::<Vec<_>>(),
        "quarantine": quarantine.as_ref().map(|q| q.to_json()),
        "import_log": entry.as_ref().map(|e| serde_json::json!({"order_id": e.order_id, "document": crate::kinds::warehouse_pro::order::document_number(e.acct), "acknowledged": e.acknowledged})),
        "import_log_error": log_error,
        "contents": document,
        "last_import": last_import.as_ref().map(|r| serde_json::json!({"run": r.id, "started_at": r.started_at.to_rfc3339(), "outcome": r.outcome.as_str()})),
        "cursor": cursor,
        "text": lines,
    });
    Ok(Journey { verdict, lines, json })
}
