//! What the TUI's tests feed it: the daemon's answers and events, written as the little JSON a
//! test cares about, with the rest of each record filled in as the daemon would send it.

use serde_json::{json, Value};

use crate::control::protocol::{Check, EngineEvent, QuarantineEntry, RunRecord, ServerEntry, Status};
use crate::kinds::{Job, RunEvent, RunSummary};

/// `over` laid over `base`, object by object.
fn merged(mut base: Value, over: &Value) -> Value {
    if let (Some(b), Some(o)) = (base.as_object_mut(), over.as_object()) {
        for (k, v) in o {
            b.insert(k.clone(), v.clone());
        }
    }
    base
}

/// A server's status from its name, state and the fields the test gives.
pub fn status(v: &Value) -> Status {
    let state = v["state"].as_str().unwrap_or("stopped");
    let of_state = match state {
        "running" => json!({ "job": Job::default(), "run_id": null, "phase": null, "done": 0, "total": null }),
        "waiting" => json!({ "next": null, "job": null }),
        "failed" => json!({ "reason": "", "retry_at": null }),
        _ => json!({}),
    };
    let base = merged(json!({ "kind": "WarehousePro Import Export Shopiko", "autostart": false, "since": "2026-12-01T10:00:00+02:00" }), &of_state);
    let mut v = merged(base, v);
    if let Some(m) = v.as_object_mut() {
        m.remove("counters");
    }
    serde_json::from_value(v).unwrap_or_else(|e| panic!("a status: {e}"))
}

/// A server as the list has it, with its counters (`{}`: all zero).
pub fn entry(v: Value) -> ServerEntry {
    let counters = v.get("counters").map(|c| {
        let zero = json!({ "runs": 0, "imported": 0, "set_aside": 0, "exported": 0, "retries": 0, "errors": 0, "last_success": null, "last_failure": null, "last_failure_reason": null });
        serde_json::from_value(merged(zero, c)).unwrap_or_else(|e| panic!("counters: {e}"))
    });
    ServerEntry { status: status(&v), counters }
}

/// Servers as the list has them.
pub fn entries(vs: Vec<Value>) -> Vec<ServerEntry> {
    vs.into_iter().map(entry).collect()
}

/// An event of the daemon's stream.
pub fn event(v: Value) -> EngineEvent {
    match v["type"].as_str() {
        Some("status") => EngineEvent::Status { status: status(&v["status"]) },
        Some("removed") => EngineEvent::Removed { server: v["server"].as_str().unwrap_or("").to_owned() },
        Some("log") => EngineEvent::Log { line: serde_json::from_value(v["line"].clone()).unwrap_or_else(|e| panic!("a log line: {e}")) },
        Some("run") => {
            let e = &v["event"];
            let s = &e["summary"];
            let mut summary = RunSummary::begin(v["server"].as_str().unwrap_or(""), "WarehousePro Import Export Shopiko", Job::default());
            summary.counts = serde_json::from_value(s["counts"].clone()).unwrap_or_default();
            summary.outcome = serde_json::from_value(s["outcome"].clone()).unwrap_or(crate::state::Outcome::Ok);
            if let Some(t) = s["ended_at"].as_str().and_then(|t| t.parse().ok()) {
                summary.ended_at = t;
            }
            let event = match e["event"].as_str() {
                Some("finished") => RunEvent::Finished { summary: Box::new(summary) },
                other => panic!("a run event the fixtures do not make: {other:?}"),
            };
            EngineEvent::Run { server: v["server"].as_str().unwrap_or("").to_owned(), run_id: None, event: Box::new(event) }
        }
        other => panic!("an event the fixtures do not make: {other:?}"),
    }
}

/// A run of the history: its id, outcome, and the summary's counts and errors it gives.
pub fn run(v: Value) -> RunRecord {
    let mut summary = serde_json::to_value(RunSummary::begin("Archive", "WarehousePro Import Export Shopiko", Job::default())).unwrap_or_default();
    if let Some(s) = v.get("summary") {
        summary = merged(summary, s);
        if let Some(c) = s.get("counts") {
            summary["counts"] = merged(serde_json::to_value(crate::kinds::Counts::default()).unwrap_or_default(), c);
        }
        if let Some(errors) = s["errors"].as_array() {
            summary["errors"] = errors.iter().map(|e| merged(json!({ "phase": null, "kind": "database", "transient": true }), e)).collect();
        }
    }
    let base = json!({ "started_at": "2026-12-01T08:00:00Z", "ended_at": "2026-12-01T08:00:02Z", "dry_run": false, "summary": summary });
    let mut v = merged(base, &v);
    v["summary"] = summary;
    serde_json::from_value(v).unwrap_or_else(|e| panic!("a run: {e}"))
}

/// Runs of the history.
pub fn runs(vs: Vec<Value>) -> Vec<RunRecord> {
    vs.into_iter().map(run).collect()
}

/// Orders set aside.
pub fn quarantine(vs: Vec<Value>) -> Vec<QuarantineEntry> {
    vs.into_iter()
        .map(|v| {
            let base = json!({ "order_id": "", "reason": "", "state": "open", "attempts": 1, "first_seen": "", "last_seen": "" });
            let mut v = merged(base, &v);
            if v["last_seen"].is_null() {
                v["last_seen"] = json!("");
            }
            serde_json::from_value(v).unwrap_or_else(|e| panic!("an entry: {e}"))
        })
        .collect()
}

/// Connection tests.
pub fn checks(vs: Vec<Value>) -> Vec<Check> {
    vs.into_iter().map(|v| serde_json::from_value(merged(json!({ "warning": false, "detail": "" }), &v)).unwrap_or_else(|e| panic!("a check: {e}"))).collect()
}

/// The screen the app draws in `w` by `h` cells, as text: a row a line, trailing blanks cut.
pub fn screen(app: &crate::tui::state::App, w: u16, h: u16) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap_or_else(|e| panic!("a test terminal: {e}"));
    t.draw(|f| crate::tui::render::draw(f, app)).unwrap_or_else(|e| panic!("drawing: {e}"));
    let buf = t.backend().buffer().clone();
    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>().trim_end().to_owned() + "\n").collect()
}
