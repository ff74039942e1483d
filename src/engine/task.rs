//! One server's task: wait for the next start its rules give, run, repeat; retry what may pass
//! by itself, stop on what needs an operator; take commands between and during runs.

use std::sync::Arc;

use chrono::NaiveDateTime;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{Clock, Command, EngineError, EngineEvent, ServerState, Shared, Unit};
use crate::config::schedule::{Rule, StartMode};
use crate::i18n::{current, Msg};
use crate::kinds::{Events, Job, NoteLevel, RunContext, RunEvent, RunSummary};
use crate::logs::Level;
use crate::state::Outcome;

/// One job's last run since the server (re)started.
#[derive(Debug, Clone, Copy, Default)]
struct Last {
    start: Option<NaiveDateTime>,
    end: Option<NaiveDateTime>,
}

impl Last {
    fn next(&self, rule: &Rule, now: NaiveDateTime, server_start: NaiveDateTime) -> Option<NaiveDateTime> {
        rule.next_start(now, server_start, self.start, self.end)
    }
}

/// What the task does after a run.
enum After {
    Go,
    Exit,
}

struct Serving {
    shared: Arc<Shared>,
    unit: Unit,
    server_start: NaiveDateTime,
    import: Last,
    export: Last,
    failures: u32,
    retry: Option<(NaiveDateTime, Job)>,
    pending: Option<Unit>,
}

pub(super) async fn serve(shared: Arc<Shared>, unit: Unit, mut rx: mpsc::UnboundedReceiver<Command>, cancel: CancellationToken) {
    let name = unit.name.clone();
    let now = shared.clock.now();
    let mut s =
        Serving { shared: shared.clone(), unit, server_start: now, import: Last::default(), export: Last::default(), failures: 0, retry: None, pending: None };
    shared.log(Level::Info, Some(&name), None, "server_started", Msg::LogServerStarted.with(current(), &[("server", &name)]));
    loop {
        if cancel.is_cancelled() {
            break;
        }
        let now = shared.clock.now();
        let (next, job) = s.next(now);
        let shown = next.and_then(Clock::zoned);
        match &s.retry {
            Some(_) => {}
            None => shared.set_state(&name, ServerState::Waiting { next: shown, job }),
        }
        if let (Some(at), Some(job)) = (next, job) {
            if at <= now {
                if let After::Exit = s.run(job, &mut rx, &cancel).await {
                    return;
                }
                continue;
            }
        }
        tokio::select! {
            _ = cancel.cancelled() => break,
            cmd = rx.recv() => match cmd {
                None => break,
                Some(Command::RunNow(job, reply)) => {
                    let _ = reply.send(Ok(()));
                    if let After::Exit = s.run(job, &mut rx, &cancel).await {
                        return;
                    }
                }
                Some(Command::Reload(unit)) => s.reload(*unit),
            },
            _ = shared.clock.nap_until(next) => {}
        }
    }
    shared.log(Level::Info, Some(&name), None, "server_stopped", Msg::LogServerStopped.with(current(), &[("server", &name)]));
}

impl Serving {
    /// When the next run starts and what it does: a retry first, else the rules' earliest
    /// start, with both jobs when both are due then.
    fn next(&self, now: NaiveDateTime) -> (Option<NaiveDateTime>, Option<Job>) {
        if let Some((at, job)) = self.retry {
            return (Some(at), Some(job));
        }
        let rules = self.unit.rules;
        let i = self.import.next(&rules.import, now, self.server_start);
        let e = self.export.next(&rules.export, now, self.server_start);
        let at = match (i, e) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => match a.or(b) {
                Some(t) => t,
                None => return (None, None),
            },
        };
        // Both jobs when both are due within a second (their clocks drift by the milliseconds
        // a run takes to start): one run, not two back to back.
        let near = |t: Option<NaiveDateTime>| t.is_some_and(|t| t <= at + chrono::Duration::seconds(1));
        let job = Job { import: near(i), export: near(e), ..Job::default() };
        (Some(at), Some(job))
    }

    fn reload(&mut self, unit: Unit) {
        let name = unit.name.clone();
        self.unit = unit;
        // Restarted with the new settings: its rules count from now.
        self.server_start = self.shared.clock.now();
        self.import = Last::default();
        self.export = Last::default();
        self.retry = None;
        self.failures = 0;
        self.shared.log(Level::Info, Some(&name), None, "server_reloaded", Msg::LogReloaded.with(current(), &[("server", &name)]));
    }

    async fn run(&mut self, job: Job, rx: &mut mpsc::UnboundedReceiver<Command>, cancel: &CancellationToken) -> After {
        let shared = self.shared.clone();
        let name = self.unit.name.clone();
        let start = shared.clock.now();
        for (on, last) in [(job.import, &mut self.import), (job.export, &mut self.export)] {
            if on {
                *last = Last { start: Some(start), end: None };
            }
        }
        self.retry = None;
        shared.set_state(&name, ServerState::Running { job, run_id: None, phase: None, done: 0, total: None, retrying: None });
        let (tx, mut events) = mpsc::unbounded_channel();
        let ctx = RunContext { home: shared.home.clone(), state: shared.state.clone(), cancel: cancel.child_token(), events: Events::to(tx) };
        let under_way = shared.run_begins();
        let mut run = tokio::spawn(self.unit.runner.clone().run(ctx, job));
        let mut run_id = None;
        let mut progress = Progress::default();
        let mut listening = true;
        let summary: Option<RunSummary> = loop {
            tokio::select! {
                biased;
                ev = events.recv(), if listening => match ev {
                    Some(ev) => on_event(&shared, &name, job, &mut run_id, &mut progress, ev),
                    None => listening = false,
                },
                cmd = rx.recv(), if !rx.is_closed() => match cmd {
                    Some(Command::RunNow(_, reply)) => {
                        let _ = reply.send(Err(EngineError::Busy(Msg::EngineBusy.with(current(), &[("server", &name)]))));
                        shared.log(Level::Info, Some(&name), run_id, "run_now_skipped", Msg::LogRunNowSkipped.with(current(), &[("server", &name)]));
                    }
                    Some(Command::Reload(unit)) => self.pending = Some(*unit),
                    None => cancel.cancel(),
                },
                done = &mut run => break done.ok(),
            }
        };
        drop(under_way);
        // The last events the run sent before it ended.
        while let Ok(ev) = events.try_recv() {
            on_event(&shared, &name, job, &mut run_id, &mut progress, ev);
        }
        let end = shared.clock.now();
        for (on, last, rule) in [(job.import, &mut self.import, self.unit.rules.import), (job.export, &mut self.export, self.unit.rules.export)] {
            if on {
                last.end = Some(end);
                if let StartMode::Periodic(min) | StartMode::Aligned(min) = rule.mode {
                    let took = (end - start).num_minutes();
                    if took >= i64::from(min.max(1)) {
                        shared.log(
                            Level::Warn,
                            Some(&name),
                            run_id,
                            "ticks_skipped",
                            Msg::LogTicksSkipped.with(current(), &[("minutes", &took), ("every", &min)]),
                        );
                    }
                }
            }
        }
        let Some(summary) = summary else {
            // The run's task itself died: said as a failure that needs an operator.
            let reason = Msg::LogRunDied.get(current()).to_owned();
            shared.log(Level::Error, Some(&name), run_id, "run_failed", reason.clone());
            shared.set_state(&name, ServerState::Failed { reason, retry_at: None, attempt: 0 });
            return After::Exit;
        };
        if let Some(unit) = self.pending.take() {
            self.reload(unit);
            return After::Go;
        }
        match (summary.outcome, summary.error()) {
            (Outcome::Failed, Some(error)) if error.transient && !cancel.is_cancelled() => {
                self.failures += 1;
                let wait = shared.backoff.wait(self.failures);
                let at = end + chrono::Duration::from_std(wait).unwrap_or_default();
                self.retry = Some((at, job));
                let reason = error.message.clone();
                shared.log(
                    Level::Warn,
                    Some(&name),
                    run_id,
                    "retry_scheduled",
                    Msg::LogRetryAt.with(current(), &[("secs", &wait.as_secs()), ("n", &self.failures)]),
                );
                shared.set_state(&name, ServerState::Failed { reason, retry_at: Clock::zoned(at), attempt: self.failures });
                After::Go
            }
            (Outcome::Failed, error) => {
                let reason = error.map(|e| e.message.clone()).unwrap_or_default();
                shared.log(
                    Level::Error,
                    Some(&name),
                    run_id,
                    "server_failed",
                    Msg::LogNeedsOperator.with(current(), &[("server", &name), ("reason", &reason)]),
                );
                shared.set_state(&name, ServerState::Failed { reason, retry_at: None, attempt: self.failures });
                After::Exit
            }
            (Outcome::Stopped, _) => After::Go,
            _ => {
                self.failures = 0;
                After::Go
            }
        }
    }
}

/// A run's event: into the server's status, its log and the event stream.
/// How far a run is, as its status says: the phase, items done of how many, and the call that
/// waits to be tried again.
#[derive(Default)]
struct Progress {
    phase: Option<crate::kinds::Phase>,
    done: u64,
    total: Option<u64>,
    retrying: Option<super::Retrying>,
}

fn on_event(shared: &Shared, name: &str, job: Job, run_id: &mut Option<i64>, progress: &mut Progress, ev: RunEvent) {
    let lang = current();
    let server = Some(name);
    match &ev {
        RunEvent::Started { run_id: id, .. } => {
            *run_id = *id;
            let what = match (job.import, job.export) {
                (true, true) => Msg::JobBoth,
                (true, false) => Msg::JobImport,
                _ => Msg::JobExport,
            };
            shared.log(Level::Info, server, *run_id, "run_started", Msg::LogRunStarted.with(lang, &[("job", &what.get(lang))]));
        }
        RunEvent::Phase { phase } => {
            *progress = Progress { phase: Some(*phase), ..Progress::default() };
            shared.log(Level::Info, server, *run_id, "phase", Msg::LogPhase.with(lang, &[("phase", &Msg::phase_word(phase.as_str(), lang))]));
        }
        RunEvent::Progress { phase, done, total } => *progress = Progress { phase: Some(*phase), done: *done, total: *total, retrying: None },
        RunEvent::OrderImported { order, document } => {
            shared.log(Level::Info, server, *run_id, "order_imported", Msg::LogOrderImported.with(lang, &[("order", order), ("document", document)]))
        }
        RunEvent::OrderSetAside { order, reason } => {
            shared.log(Level::Warn, server, *run_id, "order_set_aside", Msg::LogOrderSetAside.with(lang, &[("order", order), ("reason", reason)]))
        }
        RunEvent::Note { level, text } => {
            let level = match level {
                NoteLevel::Info => Level::Info,
                NoteLevel::Warn => Level::Warn,
            };
            shared.log(level, server, *run_id, "note", text.clone())
        }
        RunEvent::Retry { what, error, attempt, wait_ms } => {
            let next_at = Clock::zoned(shared.clock.now() + chrono::Duration::milliseconds(i64::try_from(*wait_ms).unwrap_or(i64::MAX / 2)));
            progress.retrying = Some(super::Retrying { what: what.clone(), error: error.clone(), attempt: *attempt, next_at });
            shared.log(Level::Warn, server, *run_id, "retry", Msg::LogRetry.with(lang, &[("what", what), ("error", error)]))
        }
        RunEvent::Finished { summary } | RunEvent::Failed { summary, .. } => {
            let c = &summary.counts;
            let secs = (summary.ended_at - summary.started_at).num_milliseconds() as f64 / 1000.0;
            let text = Msg::LogRunEnded.with(
                lang,
                &[
                    ("outcome", &Msg::outcome_word(summary.outcome, lang)),
                    ("imported", &c.imported),
                    ("set_aside", &c.set_aside),
                    ("exported", &c.exported),
                    ("retries", &summary.retries),
                    ("secs", &crate::i18n::decimal(secs, 1, lang)),
                ],
            );
            let level = if matches!(ev, RunEvent::Failed { .. }) { Level::Error } else { Level::Info };
            shared.log(level, server, *run_id, "run_ended", text);
            for e in &summary.errors {
                shared.log(Level::Error, server, *run_id, "run_error", e.message.clone());
            }
        }
    }
    // A call that went through after a retry: the run moves again.
    if matches!(ev, RunEvent::OrderImported { .. } | RunEvent::OrderSetAside { .. }) && progress.retrying.is_some() {
        progress.retrying = None;
    } else if !matches!(ev, RunEvent::Progress { .. } | RunEvent::Phase { .. } | RunEvent::Started { .. } | RunEvent::Retry { .. }) {
        shared.send(EngineEvent::Run { server: name.to_owned(), run_id: *run_id, event: Box::new(ev) });
        return;
    }
    let Progress { phase, done, total, retrying } = progress;
    shared.set_state(name, ServerState::Running { job, run_id: *run_id, phase: *phase, done: *done, total: *total, retrying: retrying.clone() });
    shared.send(EngineEvent::Run { server: name.to_owned(), run_id: *run_id, event: Box::new(ev) });
}
