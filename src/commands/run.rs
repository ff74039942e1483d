//! `obmen run NAME` and `obmen quarantine NAME`.

use anyhow::anyhow;

use super::{out, runtime, server::load};
use crate::cli::QuarantineAction;
use crate::config::Home;
use crate::exit::CliError;
use crate::kinds::warehouse_pro_shopiko::import::ImportReport;
use crate::kinds::warehouse_pro_shopiko::run::{self as exchange, RunOptions, RunSummary};
use crate::shopiko::model::Order;
use crate::state::{Outcome, State};

pub(super) fn run(home: &Home, name: &str, import: bool, export: bool, dry_run: bool, json: bool) -> Result<(), CliError> {
    let server = load(home, name)?;
    // Without flags: what the server's rules run.
    let (import, export) = if import || export {
        (import, export)
    } else {
        (server.str("rules.import") != "never", server.str("rules.export") != "never")
    };
    if !import && !export {
        return Err(CliError::usage(anyhow!(
            "server '{name}' neither imports nor exports (both rules are 'never'): pass --import or --export to run one now"
        )));
    }
    let rt = runtime()?;
    let handle = rt.handle().clone();
    let home2 = home.clone();
    let summary = rt
        .block_on(rt.spawn_blocking(move || exchange::run(&home2, &server, RunOptions { import, export, dry_run }, &handle)))
        .map_err(|e| CliError::failed(anyhow!("the run stopped unexpectedly: {e}")))?;
    if json {
        out(&format!("{}\n", serde_json::to_string_pretty(&summary).expect("JSON")))?;
    } else {
        out(&render(&summary))?;
    }
    match summary.outcome {
        Outcome::Ok => Ok(()),
        Outcome::Partial => Err(CliError::failed(anyhow!("some orders of server '{name}' were set aside: `obmen quarantine {name}` lists them"))),
        _ => Err(CliError::failed(anyhow!("the run of server '{name}' failed: {}", summary.errors.join("; ")))),
    }
}

fn render(s: &RunSummary) -> String {
    let mut t = format!(
        "Server '{}': {}run from {} to {}: {}.\n",
        s.server,
        if s.dry_run { "dry " } else { "" },
        s.started_at,
        s.ended_at,
        match s.outcome {
            Outcome::Ok => "ok",
            Outcome::Partial => "partly failed",
            Outcome::Failed => "failed",
            Outcome::Running => "running",
        }
    );
    if let Some(n) = &s.nomenclature {
        let would = if s.dry_run { "would be " } else { "" };
        let lists = [
            ("Goods linked", &n.goods_linked),
            ("Goods made", &n.goods_created),
            ("Goods not matched", &n.goods_unmatched),
            ("Partners linked", &n.partners_linked),
            ("Partners made", &n.partners_created),
            ("Partners not matched", &n.partners_unmatched),
        ];
        if lists.iter().any(|(_, l)| !l.is_empty()) {
            t.push_str(&format!(
                "Nomenclature: {} goods {would}linked, {} {would}made, {} not matched; {} partners {would}linked, {} {would}made, {} not matched.\n",
                n.goods_linked.len(), n.goods_created.len(), n.goods_unmatched.len(),
                n.partners_linked.len(), n.partners_created.len(), n.partners_unmatched.len()
            ));
            for (what, list) in lists {
                for item in list.iter().take(50) {
                    t.push_str(&format!("  {what}: {item}\n"));
                }
                if list.len() > 50 {
                    t.push_str(&format!("  {what}: ... and {} more (--json lists all)\n", list.len() - 50));
                }
            }
        }
    }
    if let Some(i) = &s.import {
        t.push_str(&render_import(i, s.dry_run));
    }
    if let Some(e) = &s.export {
        let would = if s.dry_run { "would be " } else { "" };
        t.push_str(&format!(
            "Export{}: {} products {would}sent ({} unchanged), {} stock levels {would}sent ({} unchanged), {} customers {would}sent ({} unchanged).\n",
            if s.dry_run { " (nothing sent)" } else { "" },
            e.products_sent, e.products_unchanged, e.stock_sent, e.stock_unchanged, e.customers_sent, e.customers_unchanged
        ));
        for r in &e.refused {
            t.push_str(&format!("  Refused: {r}\n"));
        }
        for r in &e.skipped {
            t.push_str(&format!("  Not exported: {r}\n"));
        }
    }
    for e in &s.errors {
        t.push_str(&format!("Error: {e}\n"));
    }
    t
}

fn render_import(i: &ImportReport, dry_run: bool) -> String {
    let mut t = String::new();
    if dry_run {
        t.push_str(&format!("Import (nothing written): {} orders would be imported, {} already are, {} would be set aside.\n", i.planned.len(), i.already_imported, i.quarantined.len()));
        for p in &i.planned {
            t.push_str(&format!("  {p}\n"));
        }
    } else {
        t.push_str(&format!(
            "Import: {} orders imported, {} already imported, {} set aside, {} acknowledged in the shop.\n",
            i.imported.len(),
            i.already_imported,
            i.quarantined.len(),
            i.acknowledged
        ));
        for o in &i.imported {
            t.push_str(&format!("  {} -> document {} ({:.2})\n", o.order, o.document, o.total));
        }
    }
    if !i.goods_created.is_empty() {
        t.push_str(&format!("Goods {}made in Warehouse Pro: {}\n", if dry_run { "to be " } else { "" }, i.goods_created.join("; ")));
    }
    if !i.partners_created.is_empty() {
        t.push_str(&format!("Partners {}made in Warehouse Pro: {}\n", if dry_run { "to be " } else { "" }, i.partners_created.join("; ")));
    }
    for q in &i.quarantined {
        t.push_str(&format!("Set aside {}: {}\n", q.order, q.reason));
    }
    for s in &i.skipped {
        t.push_str(&format!("Left alone {s}\n"));
    }
    for a in &i.ack_failures {
        t.push_str(&format!("Not acknowledged {a}\n"));
    }
    t
}

pub(super) fn quarantine(home: &Home, name: &str, action: Option<QuarantineAction>) -> Result<(), CliError> {
    let server = load(home, name)?;
    let rt = runtime()?;
    let state = rt.block_on(State::open(&home.state_db())).map_err(CliError::failed)?;
    match action.unwrap_or(QuarantineAction::List { all: false }) {
        QuarantineAction::List { all } => {
            let entries = rt.block_on(state.quarantined(name, all)).map_err(CliError::failed)?;
            if entries.is_empty() {
                return out(&format!("No orders of server '{name}' are set aside.\n"));
            }
            let mut t = String::new();
            for q in entries {
                t.push_str(&format!(
                    "{:>4}  {}  {}  tried {} times, last {}{}\n      {}\n",
                    q.id,
                    q.order_number,
                    q.first_seen,
                    q.attempts,
                    q.last_seen,
                    if q.state == "open" { String::new() } else { format!("  [{}]", q.state) },
                    q.reason
                ));
            }
            out(&t)
        }
        QuarantineAction::Drop { id } => {
            if rt.block_on(state.drop_quarantine(name, id)).map_err(CliError::failed)? {
                out(&format!("Order {id} of server '{name}' is dropped: it will not be imported (`obmen quarantine {name} list --all` still shows it).\n"))
            } else {
                Err(CliError::failed(anyhow!("server '{name}' has no order {id} set aside: `obmen quarantine {name}` lists them")))
            }
        }
        QuarantineAction::Retry { id } => {
            let entry = rt
                .block_on(state.quarantined(name, false))
                .map_err(CliError::failed)?
                .into_iter()
                .find(|q| q.id == id)
                .ok_or_else(|| CliError::failed(anyhow!("server '{name}' has no order {id} set aside: `obmen quarantine {name}` lists them")))?;
            let order: Order = serde_json::from_str(&entry.payload).map_err(|e| CliError::failed(anyhow!("the stored order {id} cannot be read: {e}")))?;
            let handle = rt.handle().clone();
            let home2 = home.clone();
            let report = rt
                .block_on(rt.spawn_blocking(move || exchange::retry(&home2, &server, &[order], &handle)))
                .map_err(|e| CliError::failed(anyhow!("the retry stopped unexpectedly: {e}")))?
                .map_err(CliError::failed)?;
            out(&render_import(&report, false))?;
            if report.quarantined.is_empty() {
                Ok(())
            } else {
                Err(CliError::failed(anyhow!("order {} is still set aside", entry.order_number)))
            }
        }
    }
}
