//! The engine: one supervisor, one tokio task per running server. A task holds its server's
//! rules, waits for the next start the rules give ([`crate::config::schedule::Rule::next_start`]),
//! runs the job through the Kind API, retries transient failures with capped exponential backoff,
//! stops on failures that need an operator, and takes commands (run now, stop, reload) on its
//! channel. The engine knows only the Kind API ([`Runner`], [`crate::kinds::RunContext`],
//! [`crate::kinds::RunEvent`]): a second kind needs no change here. A failure in one server's task
//! never touches another's.
//!
//! What each server is doing is its [`Status`]; every change of it, every run event and every
//! log line is also sent to whoever listens ([`Engine::subscribe`], the control API's event
//! stream).

pub mod clock;
mod task;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Local};
use serde::Serialize;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

pub use clock::Clock;

use crate::config::schedule::Rules;
use crate::config::Home;
use crate::i18n::{current, Msg};
use crate::kinds::{Job, Phase, RunContext, RunEvent, RunSummary};
use crate::logs::{Level, Line, Logs};
use crate::state::State;

/// What runs a server's jobs: the Kind API's server, or a test's stand-in.
pub trait Runner: Send + Sync + 'static {
    /// Runs one job to its end or until `ctx.cancel` stops it.
    fn run(self: Arc<Self>, ctx: RunContext, job: Job) -> Pin<Box<dyn Future<Output = RunSummary> + Send>>;
    /// True when the other runner has the same settings (a reload restarts only what changed).
    fn same(&self, other: &dyn Runner) -> bool;
    /// For [`Runner::same`].
    fn as_any(&self) -> &dyn std::any::Any;
}

impl Runner for crate::kinds::Server {
    fn run(self: Arc<Self>, ctx: RunContext, job: Job) -> Pin<Box<dyn Future<Output = RunSummary> + Send>> {
        Box::pin(async move { crate::kinds::Server::run(&self, ctx, job).await })
    }
    fn same(&self, other: &dyn Runner) -> bool {
        other.as_any().downcast_ref::<crate::kinds::Server>() == Some(self)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A server as the engine holds it.
#[derive(Clone)]
pub struct Unit {
    /// Its name.
    pub name: String,
    /// Its kind's name.
    pub kind: String,
    /// Start with the daemon.
    pub autostart: bool,
    /// When its jobs start.
    pub rules: Rules,
    /// What runs them.
    pub runner: Arc<dyn Runner>,
}

impl Unit {
    /// The unit of a server of any kind.
    pub fn of(server: crate::kinds::Server) -> Unit {
        Unit { name: server.name.clone(), kind: server.kind_name.clone(), autostart: server.autostart, rules: server.rules(), runner: Arc::new(server) }
    }

    /// True when a reload must restart it.
    pub fn changed_from(&self, other: &Unit) -> bool {
        self.autostart != other.autostart || self.rules != other.rules || !self.runner.same(other.runner.as_ref())
    }
}

/// What a server is doing.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ServerState {
    /// Not running in the daemon.
    Stopped,
    /// Running, between runs; `next` is when the next run starts (None: its rules start none).
    Waiting {
        /// When.
        next: Option<DateTime<Local>>,
        /// Which jobs.
        job: Option<Job>,
    },
    /// A run is going on.
    Running {
        /// What it does.
        job: Job,
        /// Its record.
        run_id: Option<i64>,
        /// The phase it is in.
        phase: Option<Phase>,
        /// Items done in the phase.
        done: u64,
        /// Of how many, where known.
        total: Option<u64>,
        /// A call to the shop or the database failed and waits to be tried again: the run is
        /// not going on until it goes through (None once the run moves again).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retrying: Option<Retrying>,
    },
    /// The last run failed: with `retry_at` it is tried again then by itself (the database or
    /// the shop was down); without, the server stopped and needs an operator.
    Failed {
        /// What went wrong and what to do.
        reason: String,
        /// When it is tried again.
        retry_at: Option<DateTime<Local>>,
        /// How many runs in a row have failed so (0 where not known).
        #[serde(default, skip_serializing_if = "is_zero")]
        attempt: u32,
    },
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A call of a run that failed and is tried again: what it was doing, why it failed, which try
/// failed, and when the next is made.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Retrying {
    /// What was being done (`reading the shop's orders`).
    pub what: String,
    /// Why it failed.
    pub error: String,
    /// The try that failed (1 for the first).
    pub attempt: u32,
    /// When the next try is made.
    pub next_at: Option<DateTime<Local>>,
}

impl ServerState {
    /// The state's word, as the API and lists write it.
    pub fn word(&self) -> &'static str {
        match self {
            ServerState::Stopped => "stopped",
            ServerState::Waiting { .. } => "waiting",
            ServerState::Running { .. } => "running",
            ServerState::Failed { .. } => "failed",
        }
    }

    /// True when the server waits to try again: a call of its run failed, or its last run did,
    /// and it is tried again by itself.
    pub fn is_retrying(&self) -> bool {
        matches!(self, ServerState::Running { retrying: Some(_), .. } | ServerState::Failed { retry_at: Some(_), .. })
    }

    /// True while the server's task runs in the daemon (waiting, running, or failed and
    /// retrying).
    pub fn is_active(&self) -> bool {
        !matches!(self, ServerState::Stopped | ServerState::Failed { retry_at: None, .. })
    }
}

/// A server's status.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Status {
    /// Its name.
    pub name: String,
    /// Its kind's name.
    pub kind: String,
    /// Starts with the daemon.
    pub autostart: bool,
    /// What it does now.
    #[serde(flatten)]
    pub state: ServerState,
    /// Since when.
    pub since: DateTime<Local>,
}

/// What the engine tells those who listen.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineEvent {
    /// A server's status changed.
    Status {
        /// The new status.
        status: Status,
    },
    /// A run said something.
    Run {
        /// The server.
        server: String,
        /// The run's record, once known.
        run_id: Option<i64>,
        /// What it said.
        event: Box<RunEvent>,
    },
    /// A server was deleted: it is no longer held.
    Removed {
        /// Its name.
        server: String,
    },
    /// A log line was written.
    Log {
        /// The line.
        line: Line,
    },
}

/// How failures that may pass by themselves are retried: `first`, doubled each time, at most
/// `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first wait.
    pub first: Duration,
    /// The longest.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { first: Duration::from_secs(15), max: Duration::from_secs(600) }
    }
}

impl Backoff {
    /// The wait after the `n`th failure in a row (1 = the first).
    pub fn wait(&self, n: u32) -> Duration {
        let factor = 2u32.saturating_pow(n.saturating_sub(1).min(20));
        self.first.saturating_mul(factor).min(self.max)
    }
}

/// Why the engine could not do what it was asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// No server of this name.
    #[error("{0}")]
    NoSuchServer(String),
    /// It is not running in the daemon.
    #[error("{0}")]
    NotRunning(String),
    /// It is in a run.
    #[error("{0}")]
    Busy(String),
}

pub(crate) enum Command {
    /// Run this job now; the answer says whether it was taken.
    RunNow(Job, oneshot::Sender<Result<(), EngineError>>),
    /// New settings: applied now between runs, or at the end of the run in hand.
    Reload(Box<Unit>),
}

struct Task {
    commands: mpsc::UnboundedSender<Command>,
    cancel: CancellationToken,
    join: tokio::task::JoinHandle<()>,
}

struct Slot {
    unit: Unit,
    status: Status,
    task: Option<Task>,
}

pub(crate) struct Shared {
    home: Home,
    state: State,
    logs: Logs,
    clock: Clock,
    backoff: Backoff,
    events: broadcast::Sender<EngineEvent>,
    slots: Mutex<BTreeMap<String, Slot>>,
    /// Runs under way, of every server.
    running: std::sync::atomic::AtomicUsize,
}

impl Shared {
    /// Counts a run begun; the guard counts it ended when dropped, and when it was the last one
    /// under way, gives the memory the runs freed back to the system (see [`give_memory_back`]).
    pub(crate) fn run_begins(self: &Arc<Self>) -> RunGuard {
        self.running.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        RunGuard(self.clone())
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Slot>> {
        self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn set_state(&self, name: &str, state: ServerState) {
        let status = {
            let mut slots = self.slots();
            let Some(slot) = slots.get_mut(name) else { return };
            if slot.status.state == state {
                return;
            }
            slot.status.state = state;
            slot.status.since = Local::now();
            slot.status.clone()
        };
        let _ = self.events.send(EngineEvent::Status { status });
    }

    pub(crate) fn log(&self, level: Level, server: Option<&str>, run: Option<i64>, event: &str, msg: String) {
        let line = Line::now(level, server, run, event, msg);
        self.logs.write(&line);
        let _ = self.events.send(EngineEvent::Log { line });
    }

    pub(crate) fn send(&self, event: EngineEvent) {
        let _ = self.events.send(event);
    }
}

/// The supervisor. Cheap to clone; every clone is the same engine.
#[derive(Clone)]
pub struct Engine(Arc<Shared>);

/// How an engine is set up.
pub struct Options {
    /// obmen's home.
    pub home: Home,
    /// obmen's state, opened once.
    pub state: State,
    /// The log writer.
    pub logs: Logs,
    /// Its clock.
    pub clock: Clock,
    /// How transient failures are retried.
    pub backoff: Backoff,
}

impl Engine {
    /// An engine holding no server yet.
    pub fn new(o: Options) -> Engine {
        let (events, _) = broadcast::channel(4096);
        Engine(Arc::new(Shared {
            home: o.home,
            state: o.state,
            logs: o.logs,
            clock: o.clock,
            backoff: o.backoff,
            events,
            slots: Mutex::default(),
            running: Default::default(),
        }))
    }

    /// obmen's state.
    pub fn state(&self) -> &State {
        &self.0.state
    }

    /// The home.
    pub fn home(&self) -> &Home {
        &self.0.home
    }

    /// Writes a line to the daemon's log (or a server's).
    pub fn log(&self, level: Level, server: Option<&str>, event: &str, msg: String) {
        self.0.log(level, server, None, event, msg);
    }

    /// Hears every status change, run event and log line from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.0.events.subscribe()
    }

    /// Every server's status, by name.
    pub fn list(&self) -> Vec<Status> {
        self.0.slots().values().map(|s| s.status.clone()).collect()
    }

    /// One server's status.
    pub fn status(&self, name: &str) -> Option<Status> {
        self.0.slots().get(name).map(|s| s.status.clone())
    }

    /// Adds a server, or gives it new settings: a running server whose settings changed is
    /// restarted (at the end of its run in hand); one whose settings did not is left alone.
    /// Returns true when something changed.
    pub fn put(&self, unit: Unit) -> bool {
        let mut slots = self.0.slots();
        match slots.get_mut(&unit.name) {
            None => {
                let status =
                    Status { name: unit.name.clone(), kind: unit.kind.clone(), autostart: unit.autostart, state: ServerState::Stopped, since: Local::now() };
                slots.insert(unit.name.clone(), Slot { unit, status: status.clone(), task: None });
                // A UI lists a server made while it watches.
                let _ = self.0.events.send(EngineEvent::Status { status });
                true
            }
            Some(slot) if !unit.changed_from(&slot.unit) => false,
            Some(slot) => {
                slot.status.autostart = unit.autostart;
                slot.status.kind = unit.kind.clone();
                slot.unit = unit.clone();
                if let Some(task) = slot.task.as_ref().filter(|t| !t.join.is_finished()) {
                    let _ = task.commands.send(Command::Reload(Box::new(unit)));
                }
                true
            }
        }
    }

    /// The jobs a server's rules ever run (a job whose mode is never is left out).
    pub fn default_job(&self, name: &str) -> Option<Job> {
        let never = crate::config::schedule::StartMode::Never;
        self.0.slots().get(name).map(|s| Job { import: s.unit.rules.import.mode != never, export: s.unit.rules.export.mode != never, ..Job::default() })
    }

    /// A server's rules.
    pub fn rules(&self, name: &str) -> Option<Rules> {
        self.0.slots().get(name).map(|s| s.unit.rules)
    }

    /// The names of the servers held.
    pub fn names(&self) -> Vec<String> {
        self.0.slots().keys().cloned().collect()
    }

    /// Starts a server's task (nothing when it already runs).
    pub fn start(&self, name: &str) -> Result<bool, EngineError> {
        let mut slots = self.0.slots();
        let slot = slots.get_mut(name).ok_or_else(|| no_such(name))?;
        if slot.task.as_ref().is_some_and(|t| !t.join.is_finished()) {
            return Ok(false);
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let shared = self.0.clone();
        let unit = slot.unit.clone();
        let token = cancel.clone();
        // Said at once, before the task has looked at its rules.
        slot.status.state = ServerState::Waiting { next: None, job: None };
        slot.status.since = Local::now();
        let status = slot.status.clone();
        let join = tokio::spawn(async move { task::serve(shared, unit, rx, token).await });
        slot.task = Some(Task { commands: tx, cancel, join });
        // Sent under the lock: the task's own first change cannot come before it.
        let _ = self.0.events.send(EngineEvent::Status { status });
        Ok(true)
    }

    /// Stops a server: its run in hand stops after the page in hand (commits or rolls back).
    /// Waits for it at most `deadline`; returns false when it had not ended by then.
    pub async fn stop(&self, name: &str, deadline: Duration) -> Result<bool, EngineError> {
        let task = {
            let mut slots = self.0.slots();
            let slot = slots.get_mut(name).ok_or_else(|| no_such(name))?;
            slot.task.take()
        };
        let Some(task) = task else {
            // A server that stopped on a failure stays failed; one never started stays stopped.
            return Ok(true);
        };
        task.cancel.cancel();
        let ended = tokio::time::timeout(deadline, task.join).await.is_ok();
        if ended {
            let failed = matches!(self.status(name).map(|s| s.state), Some(ServerState::Failed { retry_at: None, .. }));
            if !failed {
                self.0.set_state(name, ServerState::Stopped);
            }
        }
        Ok(ended)
    }

    /// Removes a server (stopping it first).
    pub async fn remove(&self, name: &str, deadline: Duration) -> Result<(), EngineError> {
        self.stop(name, deadline).await?;
        self.0.slots().remove(name);
        self.0.send(EngineEvent::Removed { server: name.to_owned() });
        Ok(())
    }

    /// Asks a running server to run this job now.
    pub async fn run_now(&self, name: &str, job: Job) -> Result<(), EngineError> {
        let commands = {
            let slots = self.0.slots();
            let slot = slots.get(name).ok_or_else(|| no_such(name))?;
            match &slot.task {
                Some(t) if !t.join.is_finished() => t.commands.clone(),
                _ => return Err(EngineError::NotRunning(Msg::EngineNotRunning.with(current(), &[("server", &name)]))),
            }
        };
        let (tx, rx) = oneshot::channel();
        commands.send(Command::RunNow(job, tx)).map_err(|_| EngineError::NotRunning(Msg::EngineNotRunning.with(current(), &[("server", &name)])))?;
        rx.await.unwrap_or_else(|_| Err(EngineError::NotRunning(Msg::EngineNotRunning.with(current(), &[("server", &name)]))))
    }

    /// Stops every server, each after its page in hand, waiting at most `deadline` in all;
    /// gives the names of the servers that were running, and those that had not ended in time.
    pub async fn shutdown(&self, deadline: Duration) -> (Vec<String>, Vec<String>) {
        let tasks: Vec<(String, Task)> = {
            let mut slots = self.0.slots();
            slots.iter_mut().filter_map(|(n, s)| s.task.take().filter(|t| !t.join.is_finished()).map(|t| (n.clone(), t))).collect()
        };
        for (_, t) in &tasks {
            t.cancel.cancel();
        }
        let until = tokio::time::Instant::now() + deadline;
        let (mut stopped, mut late) = (Vec::new(), Vec::new());
        for (name, t) in tasks {
            match tokio::time::timeout_at(until, t.join).await {
                Ok(_) => {
                    self.0.set_state(&name, ServerState::Stopped);
                    stopped.push(name);
                }
                Err(_) => late.push(name),
            }
        }
        (stopped, late)
    }
}

fn no_such(name: &str) -> EngineError {
    EngineError::NoSuchServer(Msg::EngineNoServer.with(current(), &[("server", &name)]))
}

#[cfg(test)]
mod tests;

/// A run under way (see [`Shared::run_begins`]).
pub(crate) struct RunGuard(Arc<Shared>);

impl Drop for RunGuard {
    fn drop(&mut self) {
        if self.0.running.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) == 1 {
            let Ok(rt) = tokio::runtime::Handle::try_current() else { return };
            let shared = self.0.clone();
            // Now, and again once the runs' worker threads have ended (the runtime lets an idle
            // one go after ten seconds, and its allocator caches with it), if no run began since.
            drop(rt.spawn(async move {
                let _ = tokio::task::spawn_blocking(give_memory_back).await;
                tokio::time::sleep(std::time::Duration::from_secs(15)).await;
                if shared.running.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                    let _ = tokio::task::spawn_blocking(give_memory_back).await;
                }
            }));
        }
    }
}

/// Gives the memory the allocator holds free back to the system. A burst of runs (fifty servers
/// importing at once) spreads its allocations over the C allocator's per-thread arenas, which
/// keep what was freed for reuse: without this the daemon stayed near its peak (hundreds of MB)
/// long after the runs ended. glibc's `malloc_trim` releases the free pages of every arena;
/// elsewhere there is nothing to do.
pub(crate) fn give_memory_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // Safety: malloc_trim takes no pointers and may be called at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
