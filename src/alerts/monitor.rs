//! The daemon's watch over its servers for alerts: it hears the engine's status changes and run
//! summaries, and each [`TICK`] looks for runs that are late, reminders that are due and the
//! daily digest; a second task hands the queued messages to their channels, trying each again
//! with backoff for a day. Every decision goes through obmen's state (open problems, the outbox),
//! so a restarted daemon neither tells a problem twice nor forgets one it had not sent.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Local, NaiveDateTime, Utc};
use tokio::sync::{broadcast::error::RecvError, Notify};
use tokio_util::sync::CancellationToken;

use super::send::Channels;
use super::settings::AlertSettings;
use super::{About, Event, Notice, Problem};
use crate::config::schedule::{Rules, StartMode};
use crate::engine::{Engine, EngineEvent, ServerState, Status};
use crate::i18n::{current, Msg};
use crate::kinds::RunEvent;
use crate::logs::Level;
use crate::state::alerts::{NewMessage, OpenProblem};
use crate::state::{Outcome, State};

/// How often late runs, reminders and the digest are looked for, and the outbox read.
pub const TICK: Duration = Duration::from_secs(1);

/// How long a message is tried before it is given up.
const GIVE_UP_AFTER: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// Sent and given-up messages are kept this long.
const KEEP_SENT_DAYS: i64 = 30;

/// Watches the engine's servers until `serving` is cancelled.
pub async fn watch(engine: Engine, settings: AlertSettings, serving: CancellationToken) {
    if !settings.any_channel() {
        return;
    }
    let wake = Arc::new(Notify::new());
    let channels = Channels::new(&settings);
    let deliver = tokio::spawn(deliver(engine.clone(), settings.clone(), channels, wake.clone(), serving.clone()));
    let mut events = engine.subscribe();
    let mut m = Monitor::new(engine.clone(), settings, wake).await;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = serving.cancelled() => break,
            _ = tick.tick() => m.tick().await,
            event = events.recv() => match event {
                Ok(e) => m.on_event(e).await,
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break,
            },
        }
    }
    let _ = deliver.await;
}

/// The watch's memory; what must outlive the daemon is in the state.
pub struct Monitor {
    engine: Engine,
    state: State,
    settings: AlertSettings,
    wake: Arc<Notify>,
    /// The problems open now, as the state has them.
    open: HashMap<(String, Problem), OpenProblem>,
    /// Orders in each server's quarantine after its last run.
    quarantined: HashMap<String, u64>,
    /// When each running server's run started.
    run_started: HashMap<String, NaiveDateTime>,
    /// Each server's last run.
    last_run: HashMap<String, i64>,
}

impl Monitor {
    /// A watch over the engine's servers, remembering the problems the state has open.
    pub async fn new(engine: Engine, settings: AlertSettings, wake: Arc<Notify>) -> Monitor {
        let state = engine.state().clone();
        let mut open = HashMap::new();
        for p in state.open_problems().await.unwrap_or_default() {
            if let Some(problem) = Problem::parse(&p.problem) {
                open.insert((p.server.clone(), problem), p);
            }
        }
        let mut quarantined = HashMap::new();
        let mut run_started = HashMap::new();
        for s in engine.list() {
            if let Ok(n) = state.quarantine_count(&s.name).await {
                quarantined.insert(s.name.clone(), n);
            }
            if matches!(s.state, ServerState::Running { .. }) {
                run_started.insert(s.name.clone(), s.since.naive_local());
            }
        }
        Monitor { engine, state, settings, wake, open, quarantined, run_started, last_run: HashMap::new() }
    }

    /// What the engine said.
    pub async fn on_event(&mut self, event: EngineEvent) {
        match event {
            EngineEvent::Status { status } => self.on_status(&status).await,
            EngineEvent::Run { server, run_id, event } => {
                if let Some(id) = run_id {
                    self.last_run.insert(server.clone(), id);
                }
                if let RunEvent::Finished { summary } | RunEvent::Failed { summary, .. } = *event {
                    let Some(id) = summary.run_id else { return };
                    self.last_run.insert(server.clone(), id);
                    if matches!(summary.outcome, Outcome::Ok | Outcome::Partial) {
                        self.close(&server, Problem::Failed).await;
                        if summary.job.import {
                            self.after_import(&server, summary.run_id).await;
                        }
                    }
                }
            }
            EngineEvent::Removed { server } => {
                let _ = self.state.forget_problems(&server).await;
                self.open.retain(|(s, _), _| *s != server);
                self.quarantined.remove(&server);
                self.run_started.remove(&server);
            }
            EngineEvent::Log { .. } => {}
        }
    }

    async fn on_status(&mut self, status: &Status) {
        let name = &status.name;
        match &status.state {
            ServerState::Running { .. } => {
                self.run_started.entry(name.clone()).or_insert_with(|| status.since.naive_local());
            }
            ServerState::Failed { reason, .. } => {
                self.run_started.remove(name);
                let run = self.last_run.get(name).copied();
                self.open(name, Problem::Failed, reason, run).await;
            }
            _ => {
                self.run_started.remove(name);
            }
        }
    }

    /// After an import that went through: did the quarantine grow, does the shop keep refusing
    /// acknowledgements.
    async fn after_import(&mut self, server: &str, run: Option<i64>) {
        let lang = self.settings.lang();
        if let Ok(now) = self.state.quarantine_count(server).await {
            let before = self.quarantined.insert(server.to_owned(), now).unwrap_or(0);
            if now == 0 {
                self.close(server, Problem::Quarantine).await;
            } else if now > before || self.open.contains_key(&(server.to_owned(), Problem::Quarantine)) {
                let reason = Msg::AlertReasonQuarantine.with(lang, &[("count", &now), ("before", &before)]);
                self.open(server, Problem::Quarantine, &reason, run).await;
            }
        }
        let n = self.settings.for_server(server).unacknowledged_runs;
        if n == 0 {
            return;
        }
        let Ok(runs) = self.state.runs(server, 200).await else { return };
        let imports: Vec<u64> = runs
            .iter()
            .filter(|r| !r.dry_run && matches!(r.outcome, Outcome::Ok | Outcome::Partial))
            .filter(|r| r.summary.pointer("/job/import").and_then(serde_json::Value::as_bool).unwrap_or(false))
            .map(|r| r.summary.pointer("/counts/not_acknowledged").and_then(serde_json::Value::as_u64).unwrap_or(0))
            .take(n as usize)
            .collect();
        match imports.first() {
            Some(0) => self.close(server, Problem::Unacknowledged).await,
            Some(last) if imports.len() == n as usize && imports.iter().all(|c| *c > 0) => {
                let reason = Msg::AlertReasonUnacknowledged.with(lang, &[("runs", &n), ("count", last)]);
                self.open(server, Problem::Unacknowledged, &reason, run).await;
            }
            _ => {}
        }
    }

    /// Late runs, reminders and the digest.
    pub async fn tick(&mut self) {
        let now = Local::now().naive_local();
        for status in self.engine.list() {
            let late = self.late(&status, now);
            match late {
                Some(reason) => self.open(&status.name, Problem::Silent, &reason, None).await,
                None => self.close(&status.name, Problem::Silent).await,
            }
        }
        self.remind().await;
        self.digest().await;
    }

    /// Why a server's run is late by more than its margin, where it is.
    fn late(&self, status: &Status, now: NaiveDateTime) -> Option<String> {
        let lang = self.settings.lang();
        let margin = chrono::TimeDelta::seconds(self.settings.for_server(&status.name).silence_margin_secs.into());
        let show = |t: NaiveDateTime| t.format("%Y-%m-%d %H:%M").to_string();
        match &status.state {
            ServerState::Waiting { next: Some(t), .. } | ServerState::Failed { retry_at: Some(t), .. } => {
                let due = t.naive_local();
                (now > due + margin).then(|| Msg::AlertReasonSilent.with(lang, &[("due", &show(due))]))
            }
            ServerState::Running { .. } => {
                let start = *self.run_started.get(&status.name)?;
                let due = next_after(&self.engine.rules(&status.name)?, start)?;
                (now > due + margin).then(|| Msg::AlertReasonSilentRunning.with(lang, &[("since", &show(start)), ("due", &show(due))]))
            }
            _ => None,
        }
    }

    async fn remind(&mut self) {
        let now = Utc::now();
        let due: Vec<OpenProblem> = self
            .open
            .values()
            .filter(|p| {
                let every = self.settings.for_server(&p.server).remind_every_secs;
                every > 0 && now - p.last_sent_at >= chrono::TimeDelta::seconds(every.into())
            })
            .cloned()
            .collect();
        for p in due {
            let Some(problem) = Problem::parse(&p.problem) else { continue };
            let notice = self.notice(&p.server, problem, Event::Reminder, &p.reason, p.run_id, p.started_at);
            let messages = self.messages(&notice);
            if self.state.remind_problem(&p.server, &p.problem, &as_new(&messages, &notice)).await.is_ok() {
                if let Some(o) = self.open.get_mut(&(p.server.clone(), problem)) {
                    o.last_sent_at = now;
                }
                self.wake.notify_one();
            }
        }
    }

    async fn digest(&mut self) {
        let Some(at) = self.settings.digest_at else { return };
        let now = Local::now();
        if now.time() < at {
            return;
        }
        let today = now.date_naive().to_string();
        if self.state.mark("digest").await.ok().flatten().as_deref() == Some(today.as_str()) {
            return;
        }
        let lang = self.settings.lang();
        let since = Utc::now() - chrono::TimeDelta::hours(24);
        let mut lines = Vec::new();
        for status in self.engine.list() {
            let runs = self.state.runs_since(&status.name, since).await.unwrap_or_default();
            let quarantined = self.state.quarantine_count(&status.name).await.unwrap_or(0);
            let problems: Vec<&str> = Problem::ALL.into_iter().filter(|p| self.open.contains_key(&(status.name.clone(), *p))).map(|p| p.word(lang)).collect();
            let problems = if problems.is_empty() { Msg::AlertDigestNoProblem.get(lang).to_owned() } else { problems.join(", ") };
            lines.push(Msg::AlertDigestLine.with(
                lang,
                &[
                    ("server", &status.name),
                    ("state", &status.state.word()),
                    ("runs", &runs.runs),
                    ("failed", &runs.failed),
                    ("imported", &runs.imported),
                    ("set_aside", &runs.set_aside),
                    ("exported", &runs.exported),
                    ("quarantined", &quarantined),
                    ("problems", &problems),
                ],
            ));
        }
        let notice = Notice::digest(lang, now.date_naive(), &lines);
        let messages = self.messages(&notice);
        if self.state.queue_once("digest", &today, &as_new(&messages, &notice)).await.unwrap_or(false) {
            self.wake.notify_one();
        }
    }

    fn notice(&self, server: &str, problem: Problem, event: Event, reason: &str, run: Option<i64>, since: DateTime<Utc>) -> Notice {
        let status = self.engine.status(server);
        let kind = status.as_ref().map(|s| s.kind.clone()).unwrap_or_default();
        let state = status.as_ref().map(|s| s.state.word()).unwrap_or("stopped");
        Notice::problem(self.settings.lang(), problem, event, &About { server, kind: &kind, state, reason, run, since })
    }

    /// The channels a notice goes to: e-mail where it has recipients, the webhook where set.
    fn messages(&self, notice: &Notice) -> Vec<&'static str> {
        let to = match &notice.server {
            Some(s) => self.settings.for_server(s),
            None => self.settings.general(),
        };
        let mut out = Vec::new();
        if !to.to.is_empty() {
            out.push("email");
        }
        if to.webhook.is_some() {
            out.push("webhook");
        }
        out
    }

    async fn open(&mut self, server: &str, problem: Problem, reason: &str, run: Option<i64>) {
        if !self.settings.for_server(server).enabled {
            return;
        }
        let key = (server.to_owned(), problem);
        if let Some(o) = self.open.get_mut(&key) {
            if o.reason != reason || (run.is_some() && o.run_id != run) {
                o.reason = reason.to_owned();
                o.run_id = run.or(o.run_id);
                let _ = self.state.open_problem(server, problem.as_str(), reason, run, &[]).await;
            }
            return;
        }
        let since = Utc::now();
        let notice = self.notice(server, problem, Event::Started, reason, run, since);
        let messages = self.messages(&notice);
        if self.state.open_problem(server, problem.as_str(), reason, run, &as_new(&messages, &notice)).await.is_ok() {
            let p = OpenProblem {
                server: server.to_owned(),
                problem: problem.as_str().to_owned(),
                started_at: since,
                last_sent_at: since,
                reason: reason.to_owned(),
                run_id: run,
            };
            self.open.insert(key, p);
            self.wake.notify_one();
        }
    }

    async fn close(&mut self, server: &str, problem: Problem) {
        let key = (server.to_owned(), problem);
        let Some(p) = self.open.get(&key).cloned() else { return };
        let notice = self.notice(server, problem, Event::Cleared, &p.reason, p.run_id, p.started_at);
        let messages = self.messages(&notice);
        if self.state.close_problem(server, problem.as_str(), &as_new(&messages, &notice)).await.is_ok() {
            self.open.remove(&key);
            self.wake.notify_one();
        }
    }
}

fn as_new<'a>(channels: &[&'static str], n: &'a Notice) -> Vec<NewMessage<'a>> {
    channels.iter().map(|c| NewMessage { channel: c, server: n.server.as_deref(), subject: &n.subject, body: &n.text, json: &n.json }).collect()
}

/// When a server's rules would start its next run had the one started at `start` ended at once:
/// the time by which a run should have started again (None where its rules start no more).
pub fn next_after(rules: &Rules, start: NaiveDateTime) -> Option<NaiveDateTime> {
    [rules.import, rules.export]
        .into_iter()
        .filter(|r| r.mode != StartMode::Never)
        .filter_map(|r| r.next_start(start + chrono::TimeDelta::seconds(1), start, Some(start), Some(start)))
        .min()
}

/// Hands the queued messages to their channels until `serving` is cancelled.
async fn deliver(engine: Engine, settings: AlertSettings, channels: Channels, wake: Arc<Notify>, serving: CancellationToken) {
    let state = engine.state().clone();
    let mut swept = tokio::time::Instant::now() - Duration::from_secs(3600);
    loop {
        let due = state.due_messages(20).await.unwrap_or_default();
        for m in &due {
            if serving.is_cancelled() {
                return;
            }
            let to = match &m.server {
                Some(s) => settings.for_server(s),
                None => settings.general(),
            };
            let (label, sent) = if m.channel == "email" {
                let label = Msg::AlertChannelEmail.with(current(), &[("to", &to.to.join(", "))]);
                (label, channels.email(&to.to, &m.subject, &m.body).await)
            } else {
                let label = Msg::AlertChannelWebhook.get(current()).to_owned();
                let sent = match &to.webhook {
                    Some(url) => channels.webhook(url, &m.json).await,
                    None => Err(Msg::AlertsNoChannel.with(current(), &[("file", &"obmen.toml")])),
                };
                (label, sent)
            };
            let server = m.server.as_deref();
            match sent {
                Ok(()) => {
                    let _ = state.message_sent(m.id).await;
                    engine.log(Level::Info, server, "alert_sent", Msg::LogAlertSent.with(current(), &[("channel", &label), ("subject", &m.subject)]));
                }
                Err(error) if Utc::now() - m.created_at > GIVE_UP_AFTER => {
                    let _ = state.message_failed(m.id, &error, None).await;
                    engine.log(
                        Level::Error,
                        server,
                        "alert_given_up",
                        Msg::LogAlertGivenUp.with(current(), &[("tries", &(m.tries + 1)), ("channel", &label), ("error", &error), ("subject", &m.subject)]),
                    );
                }
                Err(error) => {
                    let wait = 15i64.saturating_mul(1 << m.tries.clamp(0, 6)).min(900);
                    let next = Utc::now() + chrono::TimeDelta::seconds(wait);
                    let _ = state.message_failed(m.id, &error, Some(next)).await;
                    let at = next.with_timezone(&Local).format("%H:%M:%S").to_string();
                    engine.log(
                        Level::Warn,
                        server,
                        "alert_failed",
                        Msg::LogAlertFailed.with(current(), &[("channel", &label), ("error", &error), ("next", &at)]),
                    );
                }
            }
        }
        if swept.elapsed() >= Duration::from_secs(3600) {
            swept = tokio::time::Instant::now();
            let _ = state.sweep_messages(Utc::now() - chrono::TimeDelta::days(KEEP_SENT_DAYS)).await;
        }
        if due.len() == 20 {
            continue;
        }
        tokio::select! {
            _ = serving.cancelled() => return,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(TICK) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Backoff, Clock, Options};
    use crate::kinds::{Job, RunSummary};
    use crate::logs::{Limits, Logs};

    async fn monitor(dir: &std::path::Path, toml: &str) -> Monitor {
        let home = crate::config::Home { root: dir.to_owned() };
        std::fs::write(dir.join("obmen.toml"), toml).unwrap();
        let settings = crate::daemon::DaemonSettings::load(&home).unwrap().alerts;
        let state = State::open(&dir.join("state.db")).await.unwrap();
        let logs = Logs::new(dir.join("logs"), Limits { retention_days: 30, max_bytes: 1 << 20 });
        let engine = Engine::new(Options { home, state, logs, clock: Clock::System, backoff: Backoff::default() });
        Monitor::new(engine, settings, Arc::new(Notify::new())).await
    }

    /// An import that went through, recorded in the history as the engine's runs are.
    async fn import(m: &mut Monitor, not_acknowledged: u64) {
        let id = m.state.start_run("S", false).await.unwrap();
        let mut summary = RunSummary::begin("S", "test", Job { import: true, ..Job::default() });
        summary.run_id = Some(id);
        summary.counts.not_acknowledged = not_acknowledged;
        summary.settle(false);
        m.state.finish_run(id, summary.outcome, &serde_json::to_value(&summary).unwrap()).await.unwrap();
        m.on_event(EngineEvent::Run { server: "S".into(), run_id: Some(id), event: Box::new(RunEvent::Finished { summary: Box::new(summary) }) }).await;
    }

    async fn outbox(m: &Monitor) -> Vec<(String, serde_json::Value)> {
        m.state.due_messages(1000).await.unwrap().into_iter().map(|o| (o.channel, serde_json::from_str(&o.json).unwrap())).collect()
    }

    fn events(out: &[(String, serde_json::Value)], problem: &str) -> Vec<String> {
        out.iter().filter(|(c, j)| c == "webhook" && j["problem"] == problem).map(|(_, j)| j["event"].as_str().unwrap().to_owned()).collect()
    }

    /// The quarantine growing opens a problem once (growing more says nothing new), emptied it
    /// clears; the shop refusing acknowledgements three imports in a row opens one, an import
    /// where it took them all clears it; a server whose override disables alerts gets none; a
    /// failed status opens "failed" once however often it repeats, and a run that went through
    /// clears it. Each message goes to both channels.
    #[tokio::test]
    async fn problems_open_once_and_clear_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = monitor(
            dir.path(),
            "[alerts]\nsmtp = \"smtp://127.0.0.1:2525\"\nfrom = \"o@x.bg\"\nto = [\"a@x.bg\"]\nwebhook = \"http://127.0.0.1:9/h\"\n\
             [alerts.server.Quiet]\nenabled = false\n",
        )
        .await;
        for n in 1..=2 {
            m.state.quarantine("S", &format!("o{n}"), &format!("N{n}"), "no such good", "{}").await.unwrap();
            import(&mut m, 0).await;
        }
        assert_eq!(events(&outbox(&m).await, "quarantine"), ["started"]);
        for n in 1..=2 {
            m.state.resolve_quarantine("S", &format!("o{n}")).await.unwrap();
        }
        import(&mut m, 0).await;
        assert_eq!(events(&outbox(&m).await, "quarantine"), ["started", "cleared"]);

        for _ in 0..2 {
            import(&mut m, 4).await;
        }
        assert!(events(&outbox(&m).await, "unacknowledged").is_empty(), "two refusals are not yet three");
        for _ in 0..3 {
            import(&mut m, 4).await;
        }
        assert_eq!(events(&outbox(&m).await, "unacknowledged"), ["started"]);
        import(&mut m, 0).await;
        assert_eq!(events(&outbox(&m).await, "unacknowledged"), ["started", "cleared"]);

        let failed = |name: &str| EngineEvent::Status {
            status: Status {
                name: name.into(),
                kind: "test".into(),
                autostart: true,
                state: ServerState::Failed { reason: "the database is down".into(), retry_at: None, attempt: 0 },
                since: Local::now(),
            },
        };
        for _ in 0..3 {
            m.on_event(failed("S")).await;
            m.on_event(failed("Quiet")).await;
        }
        import(&mut m, 0).await;
        let out = outbox(&m).await;
        assert_eq!(events(&out, "failed"), ["started", "cleared"]);
        assert!(out.iter().all(|(_, j)| j["server"] == "S"), "nothing of the server whose alerts are off");
        assert_eq!(out.iter().filter(|(c, _)| c == "email").count(), out.iter().filter(|(c, _)| c == "webhook").count());
        // A new watch (the daemon restarted) knows nothing is open, and repeats nothing.
        let n = out.len();
        let mut again = Monitor::new(m.engine.clone(), m.settings.clone(), Arc::new(Notify::new())).await;
        again.on_event(failed("S")).await;
        assert_eq!(outbox(&again).await.len(), n + 2);
        let mut third = Monitor::new(m.engine.clone(), m.settings.clone(), Arc::new(Notify::new())).await;
        third.on_event(failed("S")).await;
        assert_eq!(outbox(&third).await.len(), n + 2, "a problem open before the restart is not told again");
    }

    /// A lasting problem is reminded once an interval, not once a tick; the daily digest goes
    /// once a day, however often the watch looks, and across a restart.
    #[tokio::test]
    async fn reminders_once_an_interval_and_the_digest_once_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = monitor(dir.path(), "[alerts]\nwebhook = \"http://127.0.0.1:9/h\"\nremind_every_secs = 1\ndigest_at = \"00:00\"\n").await;
        m.open("S", Problem::Failed, "the database is down", Some(7)).await;
        for _ in 0..3 {
            m.tick().await;
        }
        let out = outbox(&m).await;
        assert_eq!(events(&out, "failed"), ["started"], "no reminder within the interval");
        assert_eq!(out.iter().filter(|(_, j)| j["event"] == "digest").count(), 1, "the digest, once");
        tokio::time::sleep(Duration::from_millis(1100)).await;
        for _ in 0..3 {
            m.tick().await;
        }
        let out = outbox(&m).await;
        assert_eq!(events(&out, "failed"), ["started", "reminder"]);
        let reminder = out.iter().find(|(_, j)| j["event"] == "reminder").unwrap();
        assert!(reminder.1["subject"].as_str().unwrap().starts_with("Still: "), "{}", reminder.1);
        assert_eq!(reminder.1["run"], 7);
        let mut again = Monitor::new(m.engine.clone(), m.settings.clone(), Arc::new(Notify::new())).await;
        again.tick().await;
        assert_eq!(outbox(&again).await.iter().filter(|(_, j)| j["event"] == "digest").count(), 1, "not again after a restart");
    }

    #[test]
    fn the_next_run_a_rule_promises_after_a_start() {
        use crate::config::schedule::{Rule, TimeWindow, Weekdays};
        let rule = |mode| Rule { mode, hours: TimeWindow::ALL_DAY, weekdays: Weekdays::ALL };
        let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap().and_hms_opt(10, 0, 30).unwrap();
        let rules = Rules { import: rule(StartMode::Periodic(5)), export: rule(StartMode::Never) };
        assert_eq!(next_after(&rules, start), Some(start + chrono::TimeDelta::minutes(5)));
        let rules = Rules { import: rule(StartMode::OnStart), export: rule(StartMode::Aligned(60)) };
        assert_eq!(next_after(&rules, start), Some(start.date().and_hms_opt(11, 0, 0).unwrap()));
        let rules = Rules { import: rule(StartMode::OnStart), export: rule(StartMode::Never) };
        assert_eq!(next_after(&rules, start), None, "a rule that starts once promises no more");
    }
}
