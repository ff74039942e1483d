//! The engine's scheduling, on paused tokio time with a clock that follows it: every start mode,
//! clock times, a window spanning midnight, weekdays, no overlap, backoff, a failure that needs
//! an operator, a missed tick after the machine slept, run now, stop and reload. The runs are a
//! stand-in runner that takes the time it is told and ends as it is told: what is under test
//! is when the engine starts runs, not what a run does (the lifecycle tests run real ones).

use std::collections::VecDeque;
use std::sync::Mutex;

use chrono::{NaiveDate, NaiveDateTime};

use super::*;
use crate::config::schedule::{Rule, StartMode, TimeWindow, Weekdays};
use crate::kinds::{Failure, FailureKind};
use crate::logs::Limits;
use crate::state::Outcome;

#[derive(Clone, Copy, Debug, PartialEq)]
enum End {
    Ok,
    Transient,
    Fatal,
    /// A call fails at once and waits 5 s to be tried again; half the run later it went through.
    Retried,
}

struct Fake {
    clock: Clock,
    took: Duration,
    script: Mutex<VecDeque<End>>,
    starts: Arc<Mutex<Vec<(NaiveDateTime, Job)>>>,
    tag: u32,
}

impl Runner for Fake {
    fn run(self: Arc<Self>, ctx: RunContext, job: Job) -> Pin<Box<dyn Future<Output = RunSummary> + Send>> {
        Box::pin(async move {
            self.starts.lock().unwrap().push((self.clock.now(), job));
            let end = self.script.lock().unwrap().pop_front().unwrap_or(End::Ok);
            let mut summary = RunSummary::begin("S", "test", job);
            ctx.events.send(RunEvent::Started { server: "S".into(), run_id: Some(1), job });
            if end == End::Retried {
                ctx.events.send(RunEvent::Retry { what: "reading the shop's orders".into(), error: "no answer".into(), attempt: 1, wait_ms: 5000 });
                tokio::time::sleep(self.took / 2).await;
                ctx.events.send(RunEvent::Progress { phase: crate::kinds::Phase::Import, done: 1, total: None });
            }
            let stopped = tokio::select! {
                _ = tokio::time::sleep(self.took) => false,
                _ = ctx.cancel.cancelled() => true,
            };
            let failure = |transient| Failure { phase: None, kind: FailureKind::Database, transient, message: "the database is down".into() };
            match end {
                End::Ok | End::Retried => {}
                End::Transient => summary.errors.push(failure(true)),
                End::Fatal => summary.errors.push(Failure { kind: FailureKind::ShopUnauthorized, ..failure(false) }),
            }
            summary.settle(stopped);
            match summary.error().cloned() {
                Some(error) => ctx.events.send(RunEvent::Failed { error, summary: Box::new(summary.clone()) }),
                None => ctx.events.send(RunEvent::Finished { summary: Box::new(summary.clone()) }),
            }
            summary
        })
    }
    fn same(&self, other: &dyn Runner) -> bool {
        other.as_any().downcast_ref::<Fake>().is_some_and(|o| o.tag == self.tag)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// 2026-12-01 is a Tuesday.
fn at(day: u32, h: u32, m: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, day).unwrap().and_hms_opt(h, m, 0).unwrap()
}

fn rule(mode: StartMode, hours: &str, days: &str) -> Rule {
    Rule { mode, hours: hours.parse::<TimeWindow>().unwrap(), weekdays: days.parse::<Weekdays>().unwrap() }
}

struct World {
    engine: Engine,
    clock: Clock,
    manual: Arc<clock::Manual>,
    starts: Arc<Mutex<Vec<(NaiveDateTime, Job)>>>,
    _dir: tempfile::TempDir,
}

impl World {
    /// An engine at `start` (local time) with paused tokio time, and one server "S".
    async fn new(start: NaiveDateTime, import: Rule, export: Rule, took: Duration, script: &[End]) -> World {
        let dir = tempfile::tempdir().unwrap();
        // Opened before time is paused: SQLite's worker threads are outside tokio's clock.
        let state = State::open(&dir.path().join("state.db")).await.unwrap();
        tokio::time::pause();
        let (clock, manual) = Clock::manual(start);
        let home = Home { root: dir.path().to_owned() };
        let logs = Logs::new(dir.path().join("logs"), Limits::default());
        let engine = Engine::new(Options { home, state, logs, clock: clock.clone(), backoff: Backoff::default() });
        let starts = Arc::new(Mutex::new(Vec::new()));
        let w = World { engine, clock, manual, starts, _dir: dir };
        w.engine.put(w.unit(import, export, took, script, 0));
        w
    }

    fn unit(&self, import: Rule, export: Rule, took: Duration, script: &[End], tag: u32) -> Unit {
        let fake = Fake { clock: self.clock.clone(), took, script: Mutex::new(script.iter().copied().collect()), starts: self.starts.clone(), tag };
        Unit { name: "S".into(), kind: "test".into(), autostart: false, rules: Rules { import, export }, runner: Arc::new(fake) }
    }

    /// Lets `d` of (paused) time pass, the engine's tasks running in between.
    async fn pass(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }

    fn starts(&self) -> Vec<NaiveDateTime> {
        // Tokio's timers wake on whole milliseconds: a start may be a few late.
        self.starts.lock().unwrap().iter().map(|(t, _)| t.with_nanosecond(0).unwrap()).collect()
    }

    fn jobs(&self) -> Vec<Job> {
        self.starts.lock().unwrap().iter().map(|(_, j)| *j).collect()
    }

    fn state(&self) -> ServerState {
        self.engine.status("S").unwrap().state
    }
}

use chrono::Timelike;

const NEVER: StartMode = StartMode::Never;
const MIN: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

fn all_day(mode: StartMode) -> Rule {
    rule(mode, "00:00-24:00", "mon-sun")
}

#[tokio::test]
async fn on_start_runs_once_and_delayed_waits_its_minutes() {
    let w = World::new(at(1, 9, 0), all_day(StartMode::OnStart), all_day(StartMode::Delayed(15)), MIN, &[]).await;
    w.engine.start("S").unwrap();
    w.pass(3 * HOUR).await;
    assert_eq!(w.starts(), [at(1, 9, 0), at(1, 9, 15)]);
    let jobs = w.jobs();
    assert!(jobs[0].import && !jobs[0].export && jobs[1].export && !jobs[1].import);
    assert_eq!(w.state(), ServerState::Waiting { next: None, job: None }, "both ran; no further start");
}

#[tokio::test]
async fn periodic_runs_every_n_minutes_and_both_jobs_due_at_once_run_together() {
    let w = World::new(at(1, 9, 0), all_day(StartMode::Periodic(10)), all_day(StartMode::Periodic(30)), MIN, &[]).await;
    w.engine.start("S").unwrap();
    w.pass(Duration::from_secs(35 * 60)).await;
    assert_eq!(w.starts(), [at(1, 9, 0), at(1, 9, 10), at(1, 9, 20), at(1, 9, 30)]);
    let jobs = w.jobs();
    assert!(jobs[0].import && jobs[0].export, "both due at start: one run");
    assert!(jobs[1].import && !jobs[1].export);
    assert!(jobs[3].import && jobs[3].export);
    match w.state() {
        ServerState::Waiting { next: Some(n), job: Some(j) } => {
            assert_eq!(n.naive_local().with_nanosecond(0).unwrap(), at(1, 9, 40));
            assert!(j.import && !j.export);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn clock_times_and_aligned_periods() {
    let times = "06:00, 14:30".parse().unwrap();
    let w = World::new(at(1, 10, 7), all_day(StartMode::At(times)), all_day(StartMode::Aligned(120)), MIN, &[]).await;
    w.engine.start("S").unwrap();
    w.pass(21 * HOUR).await;
    // Export on the even hours from 12:00; import at 14:30 and at 06:00 the next day.
    assert_eq!(
        w.starts(),
        [at(1, 12, 0), at(1, 14, 0), at(1, 14, 30), at(1, 16, 0), at(1, 18, 0), at(1, 20, 0), at(1, 22, 0), at(2, 0, 0), at(2, 2, 0), at(2, 4, 0), at(2, 6, 0)]
    );
    assert!(w.jobs()[2].import && !w.jobs()[2].export);
    assert!(w.jobs()[10].import && w.jobs()[10].export, "06:00 is both");
}

#[tokio::test]
async fn a_window_spanning_midnight_and_weekdays() {
    let w = World::new(at(1, 12, 0), rule(StartMode::Periodic(120), "22:00-03:00", "tue-wed"), all_day(NEVER), MIN, &[]).await;
    w.engine.start("S").unwrap();
    w.pass(48 * HOUR).await;
    // Tuesday night 22:00, then past midnight (Wednesday) 00:00 and 02:00; Wednesday 22:00, and
    // never on Thursday, even after midnight.
    assert_eq!(w.starts(), [at(1, 22, 0), at(2, 0, 0), at(2, 2, 0), at(2, 22, 0)]);
    match w.state() {
        ServerState::Waiting { next: Some(n), .. } => assert_eq!(n.naive_local(), at(8, 0, 0), "next Tuesday's first minute"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn runs_never_overlap_and_the_ticks_they_cover_are_skipped_and_logged() {
    let w = World::new(at(1, 9, 0), all_day(StartMode::Periodic(5)), all_day(NEVER), 12 * MIN, &[]).await;
    w.engine.start("S").unwrap();
    w.pass(Duration::from_secs(30 * 60)).await;
    assert_eq!(w.starts(), [at(1, 9, 0), at(1, 9, 12), at(1, 9, 24)]);
    let skipped =
        crate::logs::read(w.engine.0.logs.dir(), Some("S"), &crate::logs::Filter { grep: Some("longer than its period".into()), ..Default::default() }, 10)
            .unwrap();
    assert_eq!(skipped.len(), 2);
    // Run now while a run is going on: refused, said so, and no second run.
    assert!(matches!(w.state(), ServerState::Running { .. }));
    assert!(matches!(w.engine.run_now("S", Job { import: true, ..Job::default() }).await, Err(EngineError::Busy(_))));
    w.pass(MIN).await;
    assert_eq!(w.starts().len(), 3);
}

#[tokio::test]
async fn transient_failures_back_off_and_recover_by_themselves() {
    let script = [End::Transient, End::Transient, End::Transient, End::Ok];
    let w = World::new(at(1, 9, 0), all_day(StartMode::Periodic(60)), all_day(NEVER), Duration::from_secs(1), &script).await;
    w.engine.start("S").unwrap();
    w.pass(Duration::from_secs(5)).await;
    match w.state() {
        ServerState::Failed { reason, retry_at: Some(t), .. } => {
            assert!(reason.contains("database is down"));
            assert_eq!((t.naive_local() - at(1, 9, 0)).num_seconds(), 16, "1 s run + 15 s");
        }
        other => panic!("{other:?}"),
    }
    w.pass(5 * MIN).await;
    let starts: Vec<i64> = w.starts().iter().map(|t| (*t - at(1, 9, 0)).num_seconds()).collect();
    // 15 s, then 30 s, then 60 s after each failed run's end (each took 1 s).
    assert_eq!(starts, [0, 16, 47, 108]);
    match w.state() {
        ServerState::Waiting { next: Some(n), .. } => {
            assert_eq!(n.naive_local().with_nanosecond(0).unwrap(), at(1, 10, 1) + chrono::Duration::seconds(48), "back on its period after the success")
        }
        other => panic!("{other:?}"),
    }
}

/// A call of a run that fails shows in the server's state at once, with which try failed and
/// when the next is; once the run moves again it is running, not retrying.
#[tokio::test]
async fn a_call_retried_in_a_run_shows_at_once_and_clears_when_the_run_moves() {
    let w = World::new(at(1, 9, 0), all_day(StartMode::OnStart), all_day(NEVER), Duration::from_secs(20), &[End::Retried]).await;
    w.engine.start("S").unwrap();
    w.pass(Duration::from_millis(10)).await;
    match w.state() {
        ServerState::Running { retrying: Some(r), .. } => {
            assert_eq!((r.attempt, r.what.as_str(), r.error.as_str()), (1, "reading the shop's orders", "no answer"));
            let next = r.next_at.unwrap().naive_local();
            assert!((next - at(1, 9, 0)).num_milliseconds().abs_diff(5000) < 100, "the next try's time: {next}");
        }
        other => panic!("retrying at once: {other:?}"),
    }
    assert!(w.state().is_retrying());
    w.pass(Duration::from_secs(11)).await;
    assert!(matches!(w.state(), ServerState::Running { retrying: None, done: 1, .. }), "{:?}", w.state());
    assert!(!w.state().is_retrying());
}

#[test]
fn backoff_doubles_up_to_its_cap() {
    let b = Backoff::default();
    let secs: Vec<u64> = (1..=10).map(|n| b.wait(n).as_secs()).collect();
    assert_eq!(secs, [15, 30, 60, 120, 240, 480, 600, 600, 600, 600]);
    assert_eq!(b.wait(u32::MAX).as_secs(), 600);
}

#[tokio::test]
async fn a_failure_that_needs_an_operator_stops_the_server_with_its_reason() {
    let w = World::new(at(1, 9, 0), all_day(StartMode::Periodic(5)), all_day(NEVER), MIN, &[End::Fatal]).await;
    w.engine.start("S").unwrap();
    w.pass(HOUR).await;
    assert_eq!(w.starts().len(), 1, "not tried again");
    assert!(matches!(w.state(), ServerState::Failed { retry_at: None, ref reason, .. } if reason.contains("database is down")));
    assert!(matches!(w.engine.run_now("S", Job::default()).await, Err(EngineError::NotRunning(_))));
    // Started again by the operator: it runs.
    assert!(w.engine.start("S").unwrap());
    w.pass(MIN * 2).await;
    assert_eq!(w.starts().len(), 2);
}

#[tokio::test]
async fn a_tick_missed_while_the_machine_slept_runs_once() {
    let w = World::new(at(1, 9, 0), all_day(StartMode::Periodic(10)), all_day(NEVER), MIN, &[]).await;
    w.engine.start("S").unwrap();
    w.pass(5 * MIN).await;
    // Asleep four hours: the wall clock jumps, tokio's time does not.
    w.manual.jump(chrono::Duration::hours(4));
    w.pass(20 * MIN).await;
    let starts = w.starts();
    assert_eq!(starts[0], at(1, 9, 0));
    assert_eq!(starts[1].with_second(0).unwrap(), at(1, 13, 5), "once, when it woke (within the engine's nap)");
    assert_eq!(starts[2..].iter().map(|t| t.with_second(0).unwrap()).collect::<Vec<_>>(), [at(1, 13, 15)], "then on its period");
}

#[tokio::test]
async fn stop_ends_the_run_in_hand_and_the_server_says_stopped() {
    let w = World::new(at(1, 9, 0), all_day(StartMode::OnStart), all_day(NEVER), HOUR, &[]).await;
    w.engine.start("S").unwrap();
    w.pass(MIN).await;
    assert!(matches!(w.state(), ServerState::Running { .. }));
    let mut events = w.engine.subscribe();
    assert!(w.engine.stop("S", Duration::from_secs(30)).await.unwrap());
    assert_eq!(w.state(), ServerState::Stopped);
    let mut outcome = None;
    while let Ok(e) = events.try_recv() {
        if let EngineEvent::Run { event, .. } = e {
            if let RunEvent::Finished { summary } = *event {
                outcome = Some(summary.outcome);
            }
        }
    }
    assert_eq!(outcome, Some(Outcome::Stopped));
    // And a run-now on a stopped server is refused with the way to start it.
    match w.engine.run_now("S", Job::default()).await {
        Err(EngineError::NotRunning(m)) => assert!(m.contains("obmen start S"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_reload_restarts_a_changed_server_at_the_end_of_its_run_and_leaves_an_unchanged_one() {
    let w = World::new(at(1, 9, 0), all_day(StartMode::Periodic(60)), all_day(NEVER), 10 * MIN, &[]).await;
    w.engine.start("S").unwrap();
    w.pass(MIN).await;
    // The same settings: nothing happens.
    assert!(!w.engine.put(w.unit(all_day(StartMode::Periodic(60)), all_day(NEVER), 10 * MIN, &[], 0)));
    // Changed (every 15 minutes) during the run: it finishes, then the rules count from then.
    assert!(w.engine.put(w.unit(all_day(StartMode::Periodic(15)), all_day(NEVER), 10 * MIN, &[], 1)));
    w.pass(30 * MIN).await;
    assert_eq!(w.starts(), [at(1, 9, 0), at(1, 9, 10), at(1, 9, 25)], "restarted at 09:10: runs at once, then every 15 minutes");
}
