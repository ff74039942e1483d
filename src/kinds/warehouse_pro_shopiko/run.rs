//! One run of a server of this kind: nomenclature, then import and/or export, as the
//! [`crate::kinds::run`] contract says. The run takes the server's lock, marks runs a dead
//! process left `running` as `interrupted`, opens the database and the shop once, and works on a
//! blocking thread of its own (ODBC blocks) inside a tracing span carrying `server` and `run_id`;
//! the async parts (the shop, obmen's state) run on the caller's runtime. It is stopped through
//! its token between pages and batches, and says what it does through events. Each run is
//! recorded in obmen's state (dry runs write nothing anywhere).

use serde::Serialize;

use super::export::ExportReport;
use super::import::{Cache, Ctx, ImportReport};
use super::nomenclature::NomenclatureReport;
use super::{Server, Settings};
use crate::config::Lang;
use crate::i18n::Msg;
use crate::kinds::run::RunLock;
use crate::kinds::{Details, FailureKind, Job, Phase, RunContext, RunError, RunEvent, RunSummary};
use crate::shopiko::model::Order;
use crate::shopiko::{ShopikoClient, ShopikoError};
use crate::state::{Outcome, Quarantined};
use crate::warehouse::{Object, Timeouts, Warehouse, WarehouseError};

/// This kind's own report of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// What linking found and made, before the import and export.
    pub nomenclature: Option<NomenclatureReport>,
    /// The import's report, if it ran.
    pub import: Option<ImportReport>,
    /// The export's report, if it ran.
    pub export: Option<ExportReport>,
}

/// The database timeouts of a server.
pub fn timeouts(settings: &Settings) -> Timeouts {
    Timeouts { login_secs: settings.database.login_timeout_secs, query_secs: settings.database.query_timeout_secs }
}

impl From<WarehouseError> for RunError {
    fn from(e: WarehouseError) -> Self {
        let transient = match &e {
            WarehouseError::Connect { .. } => true,
            // Connection lost (08xxx), timeouts (HYT00/HYT01), deadlocks and busy locks.
            WarehouseError::Odbc { state, retryable, .. } => *retryable || state.starts_with("08") || state == "HYT00" || state == "HYT01",
            _ => false,
        };
        match e {
            WarehouseError::ReadOnly { .. } => RunError::Setup { message: e.to_string() },
            e => RunError::Database { message: e.to_string(), transient },
        }
    }
}

impl From<ShopikoError> for RunError {
    fn from(e: ShopikoError) -> Self {
        let kind = match e.last() {
            ShopikoError::Unauthorized { .. } | ShopikoError::ClockSkew { .. } => FailureKind::ShopUnauthorized,
            ShopikoError::Unreachable { .. } | ShopikoError::Timeout { .. } | ShopikoError::Server { .. } | ShopikoError::RateLimited { .. } => {
                FailureKind::ShopUnreachable
            }
            _ => FailureKind::ShopRefused,
        };
        RunError::Shop { message: e.to_string(), kind }
    }
}

/// Everything a run needs, opened.
struct Opened {
    wh: Warehouse,
    object: Object,
    shop: ShopikoClient,
}

fn open(server: &Server, ctx: &RunContext) -> Result<Opened, RunError> {
    let settings = &server.settings;
    if let Some(why) = super::missing_database_file(settings.database.dialect, settings.database.connection.expose()) {
        return Err(RunError::Config(crate::config::ConfigError::field(&server.path, "database.connection", why).into()));
    }
    let mut wh = Warehouse::connect_with(settings.database.connection.expose(), settings.database.dialect, timeouts(settings))?;
    let missing = wh.missing_tables()?;
    if !missing.is_empty() {
        return Err(RunError::Config(
            crate::config::ConfigError::field(
                &server.path,
                "database.connection",
                format!("this is not a Warehouse Pro database: it has no table {}", missing.join(", ")),
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
                format!("'{}' is no object in the Warehouse Pro database: `obmen check {}` lists the objects there", settings.rules.object, settings.name),
            )
            .into(),
        )
    })?;
    let events = ctx.events.clone();
    let hook: crate::shopiko::client::RetryHook =
        std::sync::Arc::new(move |what: &str, e: &ShopikoError| events.send(RunEvent::Retry { what: format!("shop: {what}"), error: e.to_string() }));
    let shop = ShopikoClient::new(server.client_config())?.with_retry_hook(hook);
    Ok(Opened { wh, object, shop })
}

/// Runs a job (see [`crate::kinds::Server::run`]).
pub async fn run(server: &Server, kind: &str, ctx: RunContext, job: Job) -> RunSummary {
    let name = server.settings.name.clone();
    on_blocking_thread(server, kind, ctx, job, move |s, opened, cx, report, summary| run_phases(s, opened, cx, job, report, summary))
        .await
        .unwrap_or_else(|e| failed_to_start(&name, kind, job, e))
}

/// Imports orders from the quarantine again (see [`crate::kinds::Server::retry`]).
pub async fn retry(server: &Server, kind: &str, ctx: RunContext, entries: Vec<Quarantined>) -> RunSummary {
    let name = server.settings.name.clone();
    let job = Job { import: true, ..Job::default() };
    on_blocking_thread(server, kind, ctx, job, move |s, opened, cx, report, summary| {
        let mut import = ImportReport::default();
        let mut orders = Vec::new();
        for q in &entries {
            match serde_json::from_str::<Order>(&q.payload) {
                Ok(o) => orders.push(o),
                Err(e) => {
                    import.quarantined.push(super::import::SetAside { order: q.order_number.clone(), reason: format!("the stored order cannot be read: {e}") })
                }
            }
        }
        let result = phase(summary, Phase::Import, cx, || ctx_for(s, opened, cx, Job::default(), &Cache::default(), |c| c.import_orders(&orders, &mut import)));
        report.import = Some(import);
        result
    })
    .await
    .unwrap_or_else(|e| failed_to_start(&name, kind, job, e))
}

fn failed_to_start(name: &str, kind: &str, job: Job, e: String) -> RunSummary {
    let mut summary = RunSummary::begin(name, kind, job);
    summary.errors.push(RunError::Setup { message: format!("the run stopped unexpectedly: {e}") }.failure(None));
    summary.settle(false);
    summary
}

/// The phases of a run, each timed; an error ends the run (the export still runs after a
/// failed import: they are independent), a stop ends it at once.
fn run_phases(server: &Server, opened: &mut Opened, ctx: &RunContext, job: Job, report: &mut Report, summary: &mut RunSummary) -> Result<(), RunError> {
    let cache = Cache::default();
    let mut nomenclature = NomenclatureReport::default();
    let result = phase(summary, Phase::Nomenclature, ctx, || ctx_for(server, opened, ctx, job, &cache, |c| c.sync_nomenclature(&mut nomenclature)));
    report.nomenclature = Some(nomenclature);
    result?;
    // The import and the export are independent: a failed import is recorded and the export
    // still runs; a stop ends the run at once.
    if job.import {
        let mut import = ImportReport::default();
        let result = phase(summary, Phase::Import, ctx, || ctx_for(server, opened, ctx, job, &cache, |c| c.run(&mut import)));
        report.import = Some(import);
        independent(summary, Phase::Import, result)?;
    }
    if job.export {
        let mut export = ExportReport::default();
        let result = phase(summary, Phase::Export, ctx, || ctx_for(server, opened, ctx, job, &cache, |c| c.export(&mut export)));
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
fn ctx_for<T>(server: &Server, opened: &mut Opened, ctx: &RunContext, job: Job, cache: &Cache, work: impl FnOnce(&mut Ctx<'_>) -> T) -> T {
    let rt = tokio::runtime::Handle::current();
    let mut c = Ctx {
        settings: &server.settings,
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

/// One phase: announced, timed, its result logged.
fn phase(summary: &mut RunSummary, which: Phase, ctx: &RunContext, work: impl FnOnce() -> Result<(), RunError>) -> Result<(), RunError> {
    ctx.events.send(RunEvent::Phase { phase: which });
    let t = std::time::Instant::now();
    let result = work();
    let ms = t.elapsed().as_millis() as u64;
    summary.phase_ms.insert(which, ms);
    match &result {
        Ok(()) => tracing::info!(phase = which.as_str(), ms, "Phase done."),
        Err(RunError::Stopped) => tracing::info!(phase = which.as_str(), ms, "Phase stopped."),
        Err(e) => tracing::warn!(phase = which.as_str(), ms, error = %e, "Phase failed."),
    }
    result
}

type PhaseWork = dyn FnOnce(&Server, &mut Opened, &RunContext, &mut Report, &mut RunSummary) -> Result<(), RunError> + Send;

/// The frame of every run: lock, state, open, record, `work`, settle, record, events; on a
/// blocking thread in the run's span. Errs only when the thread itself died.
async fn on_blocking_thread(
    server: &Server,
    kind: &str,
    ctx: RunContext,
    job: Job,
    work: impl FnOnce(&Server, &mut Opened, &RunContext, &mut Report, &mut RunSummary) -> Result<(), RunError> + Send + 'static,
) -> Result<RunSummary, String> {
    let span = tracing::info_span!("run", server = %server.settings.name, run_id = tracing::field::Empty);
    let server = server.clone();
    let kind = kind.to_owned();
    let handle = tokio::runtime::Handle::current();
    let work: Box<PhaseWork> = Box::new(work);
    tokio::task::spawn_blocking(move || {
        let _enter = handle.enter();
        span.in_scope(|| frame(&server, &kind, &ctx, job, &handle, &span, work))
    })
    .await
    .map_err(|e| e.to_string())
}

fn frame(server: &Server, kind: &str, ctx: &RunContext, job: Job, rt: &tokio::runtime::Handle, span: &tracing::Span, work: Box<PhaseWork>) -> RunSummary {
    let name = &server.settings.name;
    let mut summary = RunSummary::begin(name, kind, job);
    let mut report = Report::default();
    let mut opened_for_retries = None;
    let result = (|| -> Result<(), RunError> {
        let _lock = RunLock::take(&ctx.home, name)?;
        let interrupted = rt.block_on(ctx.state.mark_interrupted(name))?;
        if interrupted > 0 {
            tracing::warn!(runs = interrupted, "Runs left unfinished by a process that died are marked interrupted.");
        }
        if !job.dry_run {
            let id = rt
                .block_on(ctx.state.start_run(name, false))
                .map_err(|e| RunError::Setup { message: format!("the run cannot be recorded in obmen's state, so it was not started: {e}") })?;
            summary.run_id = Some(id);
            span.record("run_id", id);
        }
        let mut opened = open(server, ctx)?;
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
    summary.details = Details::WarehouseProShopiko(Box::new(report));
    summary.settle(stopped);
    if let Some(id) = summary.run_id {
        let json = serde_json::to_value(&summary).unwrap_or_default();
        if let Err(e) = rt.block_on(ctx.state.finish_run(id, summary.outcome, &json)) {
            summary.errors.push(RunError::State(e).failure(None).with_message(|m| format!("the run's end could not be recorded: {m}")));
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

impl Report {
    /// The kind-neutral counts of this report.
    pub fn counts(&self, dry_run: bool) -> crate::kinds::Counts {
        let mut c = crate::kinds::Counts::default();
        if let Some(n) = &self.nomenclature {
            c.created += (n.goods_created.len() + n.partners_created.len()) as u64;
        }
        if let Some(i) = &self.import {
            c.imported = if dry_run { i.planned.len() } else { i.imported.len() } as u64;
            c.already_imported = i.already_imported;
            c.set_aside = i.quarantined.len() as u64;
            c.not_acknowledged = i.ack_failures.len() as u64;
            c.created += (i.goods_created.len() + i.partners_created.len()) as u64;
        }
        if let Some(e) = &self.export {
            c.exported = e.products_sent + e.stock_sent + e.customers_sent;
            c.refused = e.refused.len() as u64;
        }
        c
    }

    /// The report as lines of text for a person, in a language.
    pub fn render(&self, dry_run: bool, lang: Lang) -> String {
        let mut t = String::new();
        if let Some(n) = &self.nomenclature {
            t.push_str(&render_nomenclature(n, dry_run, lang));
        }
        if let Some(i) = &self.import {
            t.push_str(&render_import(i, dry_run, lang));
        }
        if let Some(e) = &self.export {
            let line = if dry_run { Msg::ExportDryLine } else { Msg::ExportLine };
            t.push_str(&line.with(
                lang,
                &[
                    ("products", &e.products_sent),
                    ("products_same", &e.products_unchanged),
                    ("stock", &e.stock_sent),
                    ("stock_same", &e.stock_unchanged),
                    ("customers", &e.customers_sent),
                    ("customers_same", &e.customers_unchanged),
                ],
            ));
            t.push('\n');
            for r in &e.refused {
                t.push_str(&Msg::RefusedByShop.with(lang, &[("item", r)]));
                t.push('\n');
            }
            for r in &e.skipped {
                t.push_str(&Msg::NotExported.with(lang, &[("item", r)]));
                t.push('\n');
            }
        }
        t
    }
}

fn render_nomenclature(n: &NomenclatureReport, dry_run: bool, lang: Lang) -> String {
    let mut t = String::new();
    let lists = [
        (Msg::GoodsLinked, &n.goods_linked),
        (Msg::GoodsMadeList, &n.goods_created),
        (Msg::GoodsUnmatched, &n.goods_unmatched),
        (Msg::PartnersLinked, &n.partners_linked),
        (Msg::PartnersMadeList, &n.partners_created),
        (Msg::PartnersUnmatched, &n.partners_unmatched),
    ];
    if lists.iter().any(|(_, l)| !l.is_empty()) {
        let line = if dry_run { Msg::NomenclatureDryLine } else { Msg::NomenclatureLine };
        t.push_str(&line.with(
            lang,
            &[
                ("goods_linked", &n.goods_linked.len()),
                ("goods_made", &n.goods_created.len()),
                ("goods_unmatched", &n.goods_unmatched.len()),
                ("partners_linked", &n.partners_linked.len()),
                ("partners_made", &n.partners_created.len()),
                ("partners_unmatched", &n.partners_unmatched.len()),
            ],
        ));
        t.push('\n');
        for (what, list) in lists {
            let what = what.get(lang);
            for item in list.iter().take(50) {
                t.push_str(&format!("  {what}: {item}\n"));
            }
            if list.len() > 50 {
                t.push_str(&format!("  {what}: {}\n", Msg::AndMore.with(lang, &[("count", &(list.len() - 50))])));
            }
        }
    }
    t
}

/// An import's report as lines of text.
pub fn render_import(i: &ImportReport, dry_run: bool, lang: Lang) -> String {
    let mut t = String::new();
    let mut line = |text: String| {
        t.push_str(&text);
        t.push('\n');
    };
    if dry_run {
        line(Msg::ImportDryLine.with(lang, &[("imported", &i.planned.len()), ("already", &i.already_imported), ("set_aside", &i.quarantined.len())]));
        for p in &i.planned {
            line(format!("  {p}"));
        }
    } else {
        line(Msg::ImportLine.with(
            lang,
            &[("imported", &i.imported.len()), ("already", &i.already_imported), ("set_aside", &i.quarantined.len()), ("acknowledged", &i.acknowledged)],
        ));
        for o in &i.imported {
            line(Msg::ImportedOrder.with(lang, &[("order", &o.order), ("document", &o.document), ("total", &format!("{:.2}", o.total))]));
        }
    }
    if !i.goods_created.is_empty() {
        line((if dry_run { Msg::GoodsToMake } else { Msg::GoodsMade }).with(lang, &[("list", &i.goods_created.join("; "))]));
    }
    if !i.partners_created.is_empty() {
        line((if dry_run { Msg::PartnersToMake } else { Msg::PartnersMade }).with(lang, &[("list", &i.partners_created.join("; "))]));
    }
    for q in &i.quarantined {
        line(Msg::SetAside.with(lang, &[("order", &q.order), ("reason", &q.reason)]));
    }
    for s in &i.skipped {
        line(Msg::LeftAlone.with(lang, &[("item", s)]));
    }
    for n in &i.notes {
        line(Msg::Note.with(lang, &[("note", n)]));
    }
    if !i.ack_failures.is_empty() {
        line(Msg::NotConfirmedHeader.with(lang, &[("count", &i.ack_failures.len())]));
        for a in &i.ack_failures {
            line(format!("  {a}"));
        }
    }
    t
}
