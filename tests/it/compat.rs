//! What an earlier obmen left behind still reads: `tests/fixtures/state-3ec4912.db` is the
//! state.db of an obmen of one kind (reports untagged), made by `scripts/make-state-fixture.sh`
//! with that obmen's binary: an import and export that set four orders aside, a run with nothing
//! new, a run with the shop down.

use obmen::kinds::warehouse_pro_shopiko::shop::decode;
use obmen::kinds::{Details, RunSummary};
use obmen::state::{Outcome, State};

/// The fixture, copied: opening it may migrate it.
fn old_state() -> (tempfile::TempDir, State, tokio::runtime::Runtime) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    std::fs::copy(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/state-3ec4912.db"), &path).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let state = rt.block_on(State::open(&path)).unwrap();
    (dir, state, rt)
}

#[test]
fn the_run_history_an_earlier_obmen_wrote_reads_as_its_kinds_reports() {
    let (_dir, state, rt) = old_state();
    let runs = rt.block_on(state.runs("Shop", 10)).unwrap();
    assert_eq!(runs.len(), 3, "{runs:#?}");
    let summaries: Vec<RunSummary> = runs.iter().map(|r| RunSummary::from_stored(&r.summary).unwrap_or_else(|e| panic!("run {}: {e}", r.id))).collect();
    // Newest first.
    let (failed, quiet, first) = (&summaries[0], &summaries[1], &summaries[2]);
    assert_eq!(first.kind, "WarehousePro Import Export Shopiko");
    assert_eq!((first.outcome, first.counts.imported, first.counts.set_aside, first.counts.exported), (Outcome::Partial, 1, 4, 60));
    let Details::WarehouseProShopiko(report) = &first.details else { panic!("{:?}", first.details) };
    let import = report.import.as_ref().unwrap();
    assert_eq!((import.imported.len(), import.quarantined.len()), (1, 4), "{import:#?}");
    assert!(import.quarantined.iter().all(|q| q.reason.contains("rules.max_quantity")), "{import:#?}");
    assert_eq!(report.export.as_ref().unwrap().products_sent + report.export.as_ref().unwrap().stock_sent, 60);
    assert_eq!((quiet.outcome, quiet.counts.set_aside), (Outcome::Partial, 4));
    assert_eq!(failed.outcome, Outcome::Failed);
    assert!(!failed.errors.is_empty() && failed.errors[0].transient, "{:?}", failed.errors);
    // Read back, a summary is written tagged, and reads the same again.
    let again = serde_json::to_value(first).unwrap();
    assert_eq!(again["details"]["kind"], "warehouse_pro_shopiko");
    assert_eq!(&RunSummary::from_stored(&again).unwrap(), first);
}

#[test]
fn orders_an_earlier_obmen_set_aside_decode_for_a_retry() {
    let (_dir, state, rt) = old_state();
    let waiting = rt.block_on(state.quarantined("Shop", false)).unwrap();
    assert_eq!(waiting.len(), 4);
    for q in waiting {
        let raw: serde_json::Value = serde_json::from_str(&q.payload).unwrap();
        let order = decode(&raw).unwrap_or_else(|e| panic!("{}: {}", q.order_number, e.reason));
        assert_eq!((order.id.as_str(), order.number.as_str()), (q.order_id.as_str(), q.order_number.as_str()));
        assert!(order.lines.iter().any(|l| l.quantity.parse::<f64>().unwrap() > 2.0), "{order:?}");
    }
}
