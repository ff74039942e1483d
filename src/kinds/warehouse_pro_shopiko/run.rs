//! One exchange cycle of a server: import and/or export, in the foreground. Two runs of one
//! server never overlap, even from two processes: each holds an OS file lock in the home
//! (`locks/NAME.lock`), which the OS releases if the process dies. Each run's summary is stored in
//! obmen's state (except for dry runs, which write nothing anywhere).

use std::fs::File;

use serde::Serialize;

use super::export::ExportReport;
use super::nomenclature::NomenclatureReport;
use super::import::{Ctx, ImportReport};
use super::Settings;
use crate::config::{Home, ServerFile};
use crate::shopiko::model::Order;
use crate::shopiko::ShopikoClient;
use crate::state::{Outcome, State};
use crate::warehouse::Warehouse;

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunOptions {
    /// Import orders.
    pub import: bool,
    /// Export goods, partners and quantities.
    pub export: bool,
    /// Write nothing anywhere; say what would be done.
    pub dry_run: bool,
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// The server.
    pub server: String,
    /// When it started.
    pub started_at: String,
    /// When it ended.
    pub ended_at: String,
    /// A dry run?
    pub dry_run: bool,
    /// ok, partial or failed.
    pub outcome: Outcome,
    /// What linking found and made, before the import and export.
    pub nomenclature: Option<NomenclatureReport>,
    /// The import's report, if it ran.
    pub import: Option<ImportReport>,
    /// The export's report, if it ran.
    pub export: Option<ExportReport>,
    /// What stopped the run, if something did.
    pub errors: Vec<String>,
    /// How long each phase took, in milliseconds: nomenclature, import, export.
    pub phase_ms: std::collections::BTreeMap<String, u64>,
}

impl RunSummary {
    /// The outcome from what happened.
    fn settle(&mut self) {
        let partial = self.import.as_ref().is_some_and(|i| !i.quarantined.is_empty() || !i.ack_failures.is_empty())
            || self.export.as_ref().is_some_and(|e| e.has_problems());
        self.outcome = if !self.errors.is_empty() {
            Outcome::Failed
        } else if partial {
            Outcome::Partial
        } else {
            Outcome::Ok
        };
    }
}

fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The lock that keeps two runs of one server apart; released when dropped or when the process
/// dies.
pub struct RunLock(#[allow(dead_code)] File);

/// Takes the server's run lock, or says who holds it.
pub fn lock(home: &Home, server: &str) -> anyhow::Result<RunLock> {
    let dir = home.root.join("locks");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{server}.lock"));
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(RunLock(file)),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "server '{server}' is running an exchange in another process ({} is locked): wait for it to end",
            path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => Err(anyhow::Error::new(e).context(format!("cannot lock {}", path.display()))),
    }
}

/// Everything a run needs, opened.
struct Opened {
    settings: Settings,
    wh: Warehouse,
    object: crate::warehouse::Object,
    shop: ShopikoClient,
    state: State,
}

impl Opened {
    /// The context the phases of a run work in.
    fn ctx<'a>(&'a mut self, rt: &'a tokio::runtime::Handle, dry_run: bool) -> Ctx<'a> {
        Ctx {
            settings: &self.settings,
            wh: &mut self.wh,
            object: &self.object,
            shop: &self.shop,
            state: &self.state,
            rt,
            dry_run,
            cache: Default::default(),
        }
    }
}

fn open(home: &Home, server: &ServerFile, rt: &tokio::runtime::Handle) -> anyhow::Result<Opened> {
    let settings = Settings::from_server(server)?;
    let state = rt.block_on(State::open(&home.state_db()))?;
    let wh = Warehouse::connect(settings.connection.expose(), settings.dialect)?;
    let object = wh.find_object(&settings.object)?.ok_or_else(|| {
        anyhow::anyhow!(
            "server '{}': rules.object '{}' is no object in the Warehouse Pro database: `obmen check {}` lists the objects there",
            settings.name,
            settings.object,
            settings.name
        )
    })?;
    let shop = ShopikoClient::new(settings.shop.clone())?;
    Ok(Opened { settings, wh, object, shop, state })
}

/// Runs one exchange cycle. Call on a blocking thread (it talks ODBC); `rt` runs the async parts.
pub fn run(home: &Home, server: &ServerFile, options: RunOptions, rt: &tokio::runtime::Handle) -> RunSummary {
    let mut summary = RunSummary {
        server: server.name.clone(),
        started_at: now(),
        ended_at: String::new(),
        dry_run: options.dry_run,
        outcome: Outcome::Running,
        nomenclature: None,
        import: None,
        export: None,
        errors: Vec::new(),
        phase_ms: Default::default(),
    };
    let started = lock(home, &server.name).and_then(|l| Ok((l, open(home, server, rt)?)));
    let (_lock, mut opened) = match started {
        Ok(s) => s,
        Err(e) => {
            summary.errors.push(format!("{e:#}"));
            summary.ended_at = now();
            summary.settle();
            return summary;
        }
    };
    let run_id = if options.dry_run { None } else { rt.block_on(opened.state.start_run(&server.name, false)).ok() };
    let dry_run = options.dry_run;
    summary.nomenclature = phase(&mut summary, "nomenclature", || opened.ctx(rt, dry_run).sync_nomenclature());
    if options.import && summary.errors.is_empty() {
        summary.import = phase(&mut summary, "import", || opened.ctx(rt, dry_run).run());
    }
    if options.export {
        summary.export = phase(&mut summary, "export", || opened.ctx(rt, dry_run).export());
    }
    summary.ended_at = now();
    summary.settle();
    if let Some(id) = run_id {
        let json = serde_json::to_value(&summary).unwrap_or_default();
        if let Err(e) = rt.block_on(opened.state.finish_run(id, summary.outcome, &json)) {
            summary.errors.push(format!("recording the run: {e}"));
        }
    }
    summary
}

/// Runs one phase of a run, timing it; its error goes to the summary's errors, named by the phase.
fn phase<T>(summary: &mut RunSummary, name: &str, work: impl FnOnce() -> anyhow::Result<T>) -> Option<T> {
    let t = std::time::Instant::now();
    let result = work();
    summary.phase_ms.insert(name.into(), t.elapsed().as_millis() as u64);
    match result {
        Ok(report) => Some(report),
        Err(e) => {
            summary.errors.push(format!("{name}: {e:#}"));
            None
        }
    }
}

/// Imports quarantined orders again now.
pub fn retry(home: &Home, server: &ServerFile, orders: &[Order], rt: &tokio::runtime::Handle) -> anyhow::Result<ImportReport> {
    let _lock = lock(home, &server.name)?;
    let mut o = open(home, server, rt)?;
    let mut ctx = o.ctx(rt, false);
    ctx.import_orders(orders)
}
