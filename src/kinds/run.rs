//! The run contract every kind keeps, and all that an engine, the control API and a UI see of a
//! run: what to do ([`Job`]), what it runs with ([`RunContext`]: obmen's state opened once by the
//! caller, a cancellation token, an event sink), what it says while it runs ([`RunEvent`]), how
//! it ends ([`RunSummary`], kind-neutral counts and outcome plus the kind's own details), and its
//! errors ([`RunError`], each saying whether it is transient or needs an operator).
//!
//! A run checks its token between pages of orders, batches of the export and steps of the
//! nomenclature sync: a stopped run finishes or rolls back the page in hand and ends `stopped`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::config::{ConfigErrors, Home};
use crate::state::{Outcome, State, StateError};

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub struct Job {
    /// Import orders.
    pub import: bool,
    /// Export goods, partners and quantities.
    pub export: bool,
    /// Write nothing anywhere; say what would be done.
    pub dry_run: bool,
    /// Export everything again, as if the shop had been told nothing (after it was emptied).
    pub full: bool,
}

/// A step of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Linking (and making) goods and partners across the two systems.
    Nomenclature,
    /// Orders into the warehouse.
    Import,
    /// Goods, partners and quantities to the shop.
    Export,
}

impl Phase {
    /// Its name, as summaries and logs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Nomenclature => "nomenclature",
            Phase::Import => "import",
            Phase::Export => "export",
        }
    }
}

/// What a run is given by its caller (the command line, later the engine).
#[derive(Debug, Clone)]
pub struct RunContext {
    /// obmen's home (server files, run locks).
    pub home: Home,
    /// obmen's state, opened once by the caller, not per run.
    pub state: State,
    /// Cancelled to stop the run at its next page or batch.
    pub cancel: CancellationToken,
    /// Where the run's events go.
    pub events: Events,
}

/// Where a run's events go: a channel, a function called on the run's own thread, or nowhere.
/// Sending never blocks and never fails the run (a watcher that went away just stops hearing).
#[derive(Clone, Default)]
pub struct Events(Sink);

#[derive(Clone, Default)]
enum Sink {
    #[default]
    None,
    Channel(UnboundedSender<RunEvent>),
    Call(std::sync::Arc<dyn Fn(&RunEvent) + Send + Sync>),
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Sink::None => "Events(none)",
            Sink::Channel(_) => "Events(channel)",
            Sink::Call(_) => "Events(call)",
        })
    }
}

impl Events {
    /// Events to this channel.
    pub fn to(sender: UnboundedSender<RunEvent>) -> Events {
        Events(Sink::Channel(sender))
    }

    /// Events handed to `f` as they happen, on the thread that sends them (keep it quick): for a
    /// watcher that must act before the run goes on, e.g. stop it after a page.
    pub fn call(f: impl Fn(&RunEvent) + Send + Sync + 'static) -> Events {
        Events(Sink::Call(std::sync::Arc::new(f)))
    }

    /// Events to nobody.
    pub fn none() -> Events {
        Events(Sink::None)
    }

    /// Sends one event.
    pub fn send(&self, event: RunEvent) {
        match &self.0 {
            Sink::None => {}
            Sink::Channel(s) => {
                let _ = s.send(event);
            }
            Sink::Call(f) => f(&event),
        }
    }

    /// The one way a kind says a thing to the operator while it runs (a partner matched against
    /// a weaker key, a repair it offers, a page cap reached, a snapshot it could not read): a
    /// [`RunEvent::Note`], which the daemon writes to the server's log (what `obmen log` and the
    /// TUI show) and a foreground run shows on its terminal; it goes to the tracing output too.
    /// The text is for a person, in the run's language.
    pub fn say(&self, level: NoteLevel, text: impl Into<String>) {
        let text = text.into();
        match level {
            NoteLevel::Info => tracing::info!("{text}"),
            NoteLevel::Warn => tracing::warn!("{text}"),
        }
        self.send(RunEvent::Note { level, text });
    }
}

/// How much a kind's note matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteLevel {
    /// Worth knowing.
    Info,
    /// Worth looking at.
    Warn,
}

/// What a run says while it runs, in this order: `Started`, then `Phase`s with their
/// `Progress` and per-order events, then `Finished` (with the summary) or `Failed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    /// The run took its lock and opened what it needs; `run_id` is its record in the history
    /// (None for a dry run, which records nothing).
    Started {
        /// The server.
        server: String,
        /// The run's record.
        run_id: Option<i64>,
        /// What it does.
        job: Job,
    },
    /// A phase began.
    Phase {
        /// Which.
        phase: Phase,
    },
    /// Progress within a phase: `done` of `total` where the total is known.
    Progress {
        /// Which phase.
        phase: Phase,
        /// How many items are done (orders, goods, records).
        done: u64,
        /// How many there are, where known (a shop's backlog of orders is not).
        total: Option<u64>,
    },
    /// One order became a document.
    OrderImported {
        /// The shop's order number.
        order: String,
        /// The document's number.
        document: String,
    },
    /// One order was set aside in the quarantine.
    OrderSetAside {
        /// The shop's order number.
        order: String,
        /// Why, and what to do.
        reason: String,
    },
    /// What the kind says to the operator (see [`Events::say`]).
    Note {
        /// How much it matters.
        level: NoteLevel,
        /// What it says.
        text: String,
    },
    /// A call to the shop or the database failed and is tried again.
    Retry {
        /// What was being done.
        what: String,
        /// Why it failed.
        error: String,
        /// The try that failed (1 for the first; 0 where not known).
        #[serde(default)]
        attempt: u32,
        /// How long until the next try, in milliseconds.
        #[serde(default)]
        wait_ms: u64,
    },
    /// The run ended (ok, partly, or stopped); its summary.
    Finished {
        /// What it did.
        summary: Box<RunSummary>,
    },
    /// The run ended on an error; its summary holds the error too.
    Failed {
        /// What stopped it.
        error: Failure,
        /// What it did before.
        summary: Box<RunSummary>,
    },
}

/// Counts any kind's run has, for a dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Counts {
    /// Orders imported (in a dry run: that would be).
    pub imported: u64,
    /// Orders met again that were already imported.
    pub already_imported: u64,
    /// Orders set aside in the quarantine.
    pub set_aside: u64,
    /// Orders imported whose acknowledgement the shop has not taken yet (sent again next run).
    pub not_acknowledged: u64,
    /// Records sent to the shop (products, customers, stock levels).
    pub exported: u64,
    /// Records the shop refused.
    pub refused: u64,
    /// Goods and partners made in the warehouse.
    pub created: u64,
}

/// What kind of failure ended a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The server's configuration.
    Config,
    /// Something the operator set up is missing or wrong (an object, a read-only database).
    Setup,
    /// The warehouse database.
    Database,
    /// The shop refused the API ID or key.
    ShopUnauthorized,
    /// The shop could not be reached or failed.
    ShopUnreachable,
    /// The shop refused a request, or answered outside its contract.
    ShopRefused,
    /// obmen's own state database.
    State,
    /// Another run of the server holds its lock.
    Busy,
}

/// A run's failure, as summaries and events carry it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Failure {
    /// Which phase met it, if one had begun.
    pub phase: Option<Phase>,
    /// What kind of failure.
    pub kind: FailureKind,
    /// True when a later run may succeed by itself (the database or the shop was down).
    pub transient: bool,
    /// What went wrong and what to do.
    pub message: String,
}

impl Failure {
    /// The failure with its message rewritten.
    pub fn with_message(mut self, f: impl FnOnce(&str) -> String) -> Failure {
        self.message = f(&self.message);
        self
    }
}

/// Why a run could not go on. Each says whether a later try may succeed by itself
/// ([`RunError::is_transient`]) or an operator must act.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The server's file is invalid, or its key cannot be read.
    #[error("{0}")]
    Config(#[from] ConfigErrors),
    /// Something set up for the server is missing or wrong.
    #[error("{message}")]
    Setup {
        /// What, and what to do.
        message: String,
    },
    /// The warehouse database failed.
    #[error("{message}")]
    Database {
        /// The database layer's words.
        message: String,
        /// True for a lost or refused connection, a timeout, a deadlock.
        transient: bool,
    },
    /// The shop failed or refused.
    #[error("{message}")]
    Shop {
        /// The client's words.
        message: String,
        /// Which way.
        kind: FailureKind,
    },
    /// obmen's own state failed.
    #[error("{0}")]
    State(#[from] StateError),
    /// Another run of the same server holds its lock.
    #[error("{message}")]
    Busy {
        /// Who holds it.
        message: String,
    },
    /// The run was stopped through its token.
    #[error("the run was stopped")]
    Stopped,
}

impl RunError {
    /// True when the same run may succeed later without anybody acting.
    pub fn is_transient(&self) -> bool {
        match self {
            RunError::Database { transient, .. } => *transient,
            RunError::Shop { kind, .. } => *kind == FailureKind::ShopUnreachable,
            RunError::Busy { .. } => true,
            RunError::Config(_) | RunError::Setup { .. } | RunError::State(_) | RunError::Stopped => false,
        }
    }

    /// The failure's kind.
    pub fn kind(&self) -> FailureKind {
        match self {
            RunError::Config(_) => FailureKind::Config,
            RunError::Setup { .. } | RunError::Stopped => FailureKind::Setup,
            RunError::Database { .. } => FailureKind::Database,
            RunError::Shop { kind, .. } => *kind,
            RunError::State(_) => FailureKind::State,
            RunError::Busy { .. } => FailureKind::Busy,
        }
    }

    /// As a summary carries it.
    pub fn failure(&self, phase: Option<Phase>) -> Failure {
        Failure { phase, kind: self.kind(), transient: self.is_transient(), message: self.to_string() }
    }
}

/// What a run did, for any kind.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RunSummary {
    /// The server.
    pub server: String,
    /// Its kind's name.
    pub kind: String,
    /// The run's record in the history (None for dry runs and runs that never began).
    pub run_id: Option<i64>,
    /// What it was asked to do.
    pub job: Job,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub ended_at: DateTime<Utc>,
    /// How it ended.
    pub outcome: Outcome,
    /// The counts.
    pub counts: Counts,
    /// What ended it, where something did.
    pub errors: Vec<Failure>,
    /// Calls to the shop or the database tried again.
    pub retries: u64,
    /// How long each phase took, in milliseconds.
    pub phase_ms: BTreeMap<Phase, u64>,
    /// The SQL statements (and commits) each phase sent to the database: its round trips there.
    #[serde(default)]
    pub statements: BTreeMap<Phase, u64>,
    /// The requests each phase sent to the shop (each try): its round trips there.
    #[serde(default)]
    pub shop_requests: BTreeMap<Phase, u64>,
    /// The kind's own report.
    pub details: super::Details,
}

impl RunSummary {
    /// A summary as the run history stores it (`runs.summary`), whichever obmen wrote it.
    pub fn from_stored(json: &serde_json::Value) -> Result<RunSummary, serde_json::Error> {
        RunSummary::deserialize(json)
    }

    /// A summary of a run that has just begun.
    pub fn begin(server: &str, kind: &str, job: Job) -> RunSummary {
        let now = Utc::now();
        RunSummary {
            server: server.to_owned(),
            kind: kind.to_owned(),
            run_id: None,
            job,
            started_at: now,
            ended_at: now,
            outcome: Outcome::Running,
            counts: Counts::default(),
            errors: Vec::new(),
            retries: 0,
            phase_ms: BTreeMap::new(),
            statements: BTreeMap::new(),
            shop_requests: BTreeMap::new(),
            details: super::Details::None,
        }
    }

    /// The outcome from what happened: failed on an error, stopped when stopped, partly done
    /// when something was set aside, refused or not acknowledged, else ok.
    pub fn settle(&mut self, stopped: bool) {
        let c = &self.counts;
        self.outcome = if !self.errors.is_empty() {
            Outcome::Failed
        } else if stopped {
            Outcome::Stopped
        } else if c.set_aside > 0 || c.refused > 0 || c.not_acknowledged > 0 {
            Outcome::Partial
        } else {
            Outcome::Ok
        };
        self.ended_at = Utc::now();
    }

    /// The first error, if any.
    pub fn error(&self) -> Option<&Failure> {
        self.errors.first()
    }
}

impl RunError {
    /// The error with what was being done put before its words.
    pub fn context(self, what: &str) -> RunError {
        match self {
            RunError::Database { message, transient } => RunError::Database { message: format!("{what}: {message}"), transient },
            RunError::Shop { message, kind } => RunError::Shop { message: format!("{what}: {message}"), kind },
            RunError::Setup { message } => RunError::Setup { message: format!("{what}: {message}") },
            other => other,
        }
    }
}

/// The lock that keeps two runs of one server apart, even from two processes: an OS file lock
/// on `locks/NAME.lock` in the home, released when dropped or when the process dies.
#[derive(Debug)]
pub struct RunLock(#[allow(dead_code)] std::fs::File);

impl RunLock {
    /// Takes the server's run lock, or says who holds it.
    pub fn take(home: &Home, server: &str) -> Result<RunLock, RunError> {
        let dir = home.root.join("locks");
        let setup = |e: std::io::Error, path: &std::path::Path| RunError::Setup {
            message: format!("cannot make or open {}: {e}; check that obmen's home can be written", path.display()),
        };
        std::fs::create_dir_all(&dir).map_err(|e| setup(e, &dir))?;
        let path = dir.join(format!("{server}.lock"));
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(|e| setup(e, &path))?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock(file)),
            Err(std::fs::TryLockError::WouldBlock) => Err(RunError::Busy {
                message: format!("server '{server}' is running an exchange in another process ({} is locked): wait for it to end", path.display()),
            }),
            Err(std::fs::TryLockError::Error(e)) => Err(setup(e, &path)),
        }
    }
}
