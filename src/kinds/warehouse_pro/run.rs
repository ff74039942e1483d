//! One run of a server of a "WarehousePro Import Export X" kind: nomenclature, then import
//! and/or export, as the
//! [`crate::kinds::run`] contract says. The run takes the server's lock, marks runs a dead
//! process left `running` as `interrupted`, opens the database and the shop once, and works on a
//! blocking thread of its own (ODBC blocks) inside a tracing span carrying `server` and `run_id`;
//! the async parts (the shop, obmen's state) run on the caller's runtime. It is stopped through
//! its token between pages and batches, and says what it does through events. Each run is
//! recorded in obmen's state (dry runs write nothing anywhere).

use super::export::ExportReport;
use super::nomenclature::NomenclatureReport;
use super::pages::{decode_stored, ImportReport, SetAside};
use super::report::Report;
use super::session::{Cache, Ctx};
use super::settings::Base;
use super::shop::Shop;
use crate::i18n::Msg;
use crate::kinds::run::RunLock;
use crate::kinds::{Details, Events, Job, NoteLevel, Phase, RunContext, RunError, RunEvent, RunSummary};
use crate::state::{Outcome, Quarantined};
use crate::warehouse::{Object, Warehouse};

/// Opens a kind's shop for a run; the shop tells its retries as events.
pub(crate) type OpenShop<S> = Box<dyn FnOnce(&Events) -> Result<S, RunError> + Send>;

/// What the core needs of a kind to run one of its servers.
pub(crate) struct Runner<S: Shop> {
    /// The server's Warehouse Pro side.
    pub base: Base,
    /// The kind's name, as summaries write it.
    pub kind: String,
    /// Opens the shop for a run; the shop tells its retries as events.
    pub open_shop: OpenShop<S>,
    /// The run's report, tagged by its kind.
    pub details: fn(Report) -> Details,
}

/// Everything a run needs, opened.
struct Opened<S> {
    wh: Warehouse,
    object: Object,
    shop: S,
}

fn open<S: Shop>(server: &Base, open_shop: OpenShop<S>, ctx: &RunContext) -> Result<Opened<S>, RunError> {
    let settings = server;
    if let Some(why) = super::missing_database_file(settings.database.dialect, settings.database.connection.expose()) {
        return Err(RunError::Config(crate::config::ConfigError::field(&server.path, "database.connection", why).into()));
    }
    let mut wh = Warehouse::connect_with(settings.database.connection.expose(), settings.database.dialect, settings.timeouts())?;
    let missing = wh.missing_tables()?;
    if !missing.is_empty() {
        return Err(RunError::Config(
            crate::config::ConfigError::field(
                &server.path,
                "database.connection",
                Msg::NotWarehouseProDatabase.with(crate::i18n::current(), &[("tables", &missing.join(", "))]),
            )
            .into(),
        ));
    }
    wh.set_cancel(ctx.cancel.clone());
    // A setting only the database can check: a configuration error at run time too (exit 78).
    let object = wh.find_object(&settings.rules.object)?.ok_or_else(|| {
        RunError::Config(
            crate::config::ConfigError::field(
                &server.path,
                "rules.object",
                Msg::NoSuchObject.with(crate::i18n::current(), &[("object", &settings.rules.object), ("server", &settings.name)]),
            )
            .into(),
        )
    })?;
    let shop = open_shop(&ctx.events)?;
    Ok(Opened { wh, object, shop })
}

/// Runs a job (see [`crate::kinds::Server::run`]).
pub(crate) async fn run<S: Shop>(runner: Runner<S>, ctx: RunContext, job: Job) -> RunSummary {
    let (name, kind) = (runner.base.name.clone(), runner.kind.clone());
    on_blocking_thread(runner, ctx, job, move |s, opened, cx, report, summary| run_phases(s, opened, cx, job, report, summary))
        .await
        .unwrap_or_else(|e| failed_to_start(&name, &kind, job, e))
}

/// Imports orders from the quarantine again (see [`crate::kinds::Server::retry`]).
pub(crate) async fn retry<S: Shop>(runner: Runner<S>, ctx: RunContext, entries: Vec<Quarantined>) -> RunSummary {
    let (name, kind) = (runner.base.name.clone(), runner.kind.clone());
    let job = Job { import: true, ..Job::default() };
    on_blocking_thread(runner, ctx, job, move |s, opened, cx, report, summary| {
        let mut import = ImportReport::default();
        let mut orders = Vec::new();
        for q in &entries {
            match decode_stored(&opened.shop, &q.payload) {
                Ok(o) => orders.push(o),
                Err(reason) => import.quarantined.push(SetAside { order: q.order_number.clone(), reason }),
            }
        }
        let meter = Meter::of(opened);
        let cache = Cache { run_id: summary.run_id, ..Cache::default() };
        let result = phase(summary, Phase::Import, cx, &meter, || ctx_for(s, opened, cx, Job::default(), &cache, |c| c.import_orders(&orders, &mut import)));
        report.import = Some(import);
        result
    })
    .await
    .unwrap_or_else(|e| failed_to_start(&name, &kind, job, e))
}

fn failed_to_start(name: &str, kind: &str, job: Job, e: String) -> RunSummary {
    let mut summary = RunSummary::begin(name, kind, job);
    summary.errors.push(RunError::Setup { message: Msg::RunDied.with(crate::i18n::current(), &[("error", &e)]) }.failure(None));
    summary.settle(false);
    summary
}

/// The phases of a run, each timed; an error ends the run (the export still runs after a
/// failed import: they are independent), a stop ends it at once.
fn run_phases<S: Shop>(
    server: &Base,
    opened: &mut Opened<S>,
    ctx: &RunContext,
    job: Job,
    report: &mut Report,
    summary: &mut RunSummary,
) -> Result<(), RunError> {
    let cache = Cache { run_id: summary.run_id, ..Cache::default() };
    let meter = Meter::of(opened);
    let mut nomenclature = NomenclatureReport::default();
    let result = phase(summary, Phase::Nomenclature, ctx, &meter, || ctx_for(server, opened, ctx, job, &cache, |c| c.sync_nomenclature(&mut nomenclature)));
    report.nomenclature = Some(nomenclature);
    result?;
    // The import and the export are independent: a failed import is recorded and the export
    // still runs; a stop ends the run at once.
    if job.import {
        let mut import = ImportReport::default();
        let result = phase(summary, Phase::Import, ctx, &meter, || ctx_for(server, opened, ctx, job, &cache, |c| c.run(&mut import)));
        report.import = Some(import);
        independent(summary, Phase::Import, result)?;
    }
    if job.export {
        let mut export = ExportReport::default();
        let result = phase(summary, Phase::Export, ctx, &meter, || ctx_for(server, opened, ctx, job, &cache, |c| c.export(&mut export)));
        report.export = Some(export);
        independent(summary, Phase::Export, result)?;
    }
    Ok(())
}

/// The result of a phase the others do not depend on: its error is recorded and the run goes
/// on; a stop ends the run.
fn independent(summary: &mut RunSummary, phase: Phase, result: Result<(), RunError>) -> Result<(), RunError> {
    match result {
        Err(RunError::Stopped) => Err(RunError::Stopped),
        Err(e) => {
            summary.errors.push(e.failure(Some(phase)));
            Ok(())
        }
        Ok(()) => Ok(()),
    }
}

/// Runs `work` in a phase's context.
fn ctx_for<S: Shop, T>(server: &Base, opened: &mut Opened<S>, ctx: &RunContext, job: Job, cache: &Cache, work: impl FnOnce(&mut Ctx<'_, S>) -> T) -> T {
    let rt = tokio::runtime::Handle::current();
    let mut c = Ctx {
        settings: server,
        wh: &mut opened.wh,
        object: &opened.object,
        shop: &opened.shop,
        state: &ctx.state,
        rt: &rt,
        dry_run: job.dry_run,
        full: job.full,
        cancel: &ctx.cancel,
        events: &ctx.events,
        cache,
    };
    work(&mut c)
}

/// A run's round trips, counted as they go: statements to the database (every connection of the
/// run counts into its main one's counter) and requests to the shop.
struct Meter {
    statements: std::sync::Arc<std::sync::atomic::AtomicU64>,
    requests: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Meter {
    fn of<S: Shop>(opened: &Opened<S>) -> Meter {
        Meter { statements: opened.wh.statement_counter(), requests: opened.shop.request_counter() }
    }

    /// (statements, requests) so far.
    fn read(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.statements.load(Relaxed), self.requests.load(Relaxed))
    }
}

/// One phase: announced, timed, its round trips counted, its result logged.
fn phase(summary: &mut RunSummary, which: Phase, ctx: &RunContext, meter: &Meter, work: impl FnOnce() -> Result<(), RunError>) -> Result<(), RunError> {
    ctx.events.send(RunEvent::Phase { phase: which });
    let t = std::time::Instant::now();
    let (statements, requests) = meter.read();
    let result = work();
    let ms = t.elapsed().as_millis() as u64;
    let (statements, requests) = {
        let (s, r) = meter.read();
        (s.saturating_sub(statements), r.saturating_sub(requests))
    };
    summary.phase_ms.insert(which, ms);
    summary.statements.insert(which, statements);
    summary.shop_requests.insert(which, requests);
    match &result {
        Ok(()) => tracing::info!(phase = which.as_str(), ms, statements, requests, "Phase done."),
        Err(RunError::Stopped) => tracing::info!(phase = which.as_str(), ms, statements, requests, "Phase stopped."),
        Err(e) => tracing::warn!(phase = which.as_str(), ms, statements, requests, error = %e, "Phase failed."),
    }
    result
}

type PhaseWork<S> = dyn FnOnce(&Base, &mut Opened<S>, &RunContext, &mut Report, &mut RunSummary) -> Result<(), RunError> + Send;

/// The frame of every run: lock, state, open, record, `work`, settle, record, events; on a
/// blocking thread in the run's span. Errs only when the thread itself died.
async fn on_blocking_thread<S: Shop>(
    runner: Runner<S>,
    ctx: RunContext,
    job: Job,
    work: impl FnOnce(&Base, &mut Opened<S>, &RunContext, &mut Report, &mut RunSummary) -> Result<(), RunError> + Send + 'static,
) -> Result<RunSummary, String> {
    let span = tracing::info_span!("run", server = %runner.base.name, run_id = tracing::field::Empty);
    let handle = tokio::runtime::Handle::current();
    let work: Box<PhaseWork<S>> = Box::new(work);
    tokio::task::spawn_blocking(move || {
        let _enter = handle.enter();
        span.in_scope(|| frame(runner, &ctx, job, &handle, &span, work))
    })
    .await
    .map_err(|e| e.to_string())
}

fn frame<S: Shop>(runner: Runner<S>, ctx: &RunContext, job: Job, rt: &tokio::runtime::Handle, span: &tracing::Span, work: Box<PhaseWork<S>>) -> RunSummary {
    let Runner { base: server, kind, open_shop, details } = runner;
    let server = &server;
    let name = &server.name;
    let mut summary = RunSummary::begin(name, &kind, job);
    let mut report = Report::default();
    let mut opened_for_retries = None;
    let result = (|| -> Result<(), RunError> {
        let _lock = RunLock::take(&ctx.home, name)?;
        let interrupted = rt.block_on(ctx.state.mark_interrupted(name))?;
        if interrupted > 0 {
            ctx.events.say(NoteLevel::Warn, Msg::LogRunsInterrupted.with(crate::i18n::current(), &[("count", &interrupted)]));
        }
        if !job.dry_run {
            let id = rt
                .block_on(ctx.state.start_run(name, false))
                .map_err(|e| RunError::Setup { message: Msg::RunNotRecorded.with(crate::i18n::current(), &[("error", &e)]) })?;
            summary.run_id = Some(id);
            span.record("run_id", id);
        }
        let mut opened = open(server, open_shop, ctx)?;
        tracing::info!(import = job.import, export = job.export, dry_run = job.dry_run, "Run started.");
        ctx.events.send(RunEvent::Started { server: name.clone(), run_id: summary.run_id, job });
        let result = work(server, &mut opened, ctx, &mut report, &mut summary);
        opened_for_retries = Some(opened.shop.retries() + opened.wh.retries());
        // The connection is closed here, on this thread, before the run is recorded; a close
        // that fails (a full disk, a database gone) is the run's error where nothing else was.
        match (result, opened.wh.close().map_err(RunError::from)) {
            (Ok(()), Err(e)) => Err(e),
            (result, Err(e)) => {
                tracing::warn!(error = %e, "The database connection could not be closed cleanly.");
                result
            }
            (result, Ok(())) => result,
        }
    })();
    let stopped = matches!(result, Err(RunError::Stopped));
    if let Err(e) = &result {
        if !stopped {
            let phase = summary.phase_ms.keys().last().copied();
            summary.errors.push(e.failure(phase));
        }
    }
    summary.retries = opened_for_retries.unwrap_or(0);
    summary.counts = report.counts(job.dry_run);
    summary.details = details(report);
    summary.settle(stopped);
    if let Some(id) = summary.run_id {
        let json = serde_json::to_value(&summary).unwrap_or_default();
        if let Err(e) = rt.block_on(ctx.state.finish_run(id, summary.outcome, &json)) {
            summary.errors.push(RunError::State(e).failure(None).with_message(|m| Msg::RunEndNotRecorded.with(crate::i18n::current(), &[("error", &m)])));
            summary.settle(stopped);
        }
    }
    log_end(&summary);
    match summary.error().cloned() {
        Some(error) => ctx.events.send(RunEvent::Failed { error, summary: Box::new(summary.clone()) }),
        None => ctx.events.send(RunEvent::Finished { summary: Box::new(summary.clone()) }),
    }
    summary
}

fn log_end(summary: &RunSummary) {
    let c = &summary.counts;
    let ms = (summary.ended_at - summary.started_at).num_milliseconds();
    match (summary.outcome, summary.error()) {
        (_, Some(e)) if e.transient => {
            tracing::warn!(outcome = summary.outcome.as_str(), ms, error = %e.message, "Run failed; it will succeed once the database or the shop answers again.")
        }
        (_, Some(e)) => tracing::error!(outcome = summary.outcome.as_str(), ms, error = %e.message, "Run failed; this needs an operator."),
        (Outcome::Stopped, None) => tracing::info!(imported = c.imported, exported = c.exported, ms, "Run stopped."),
        _ => tracing::info!(
            outcome = summary.outcome.as_str(),
            imported = c.imported,
            set_aside = c.set_aside,
            not_acknowledged = c.not_acknowledged,
            exported = c.exported,
            refused = c.refused,
            created = c.created,
            retries = summary.retries,
            ms,
            "Run finished."
        ),
    }
}
