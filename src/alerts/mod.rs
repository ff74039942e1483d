//! Alerts that do not flood: a problem of a server (it failed; a run is late; the quarantine
//! grew; the shop keeps refusing acknowledgements) is told once when it starts, at most once a
//! `remind_every_secs` while it lasts, and once when it clears, by e-mail (SMTP, through lettre)
//! and a webhook (a JSON POST), in the language `[alerts]` sets; an optional daily digest says how
//! every server did. Settings are in [`settings`]; the daemon's watch in [`monitor`]; the channels
//! in [`send`]. Open problems and the messages waiting for a channel are kept in obmen's state, so
//! a restart neither repeats nor loses one. No message holds a secret: reasons are the run's own
//! words, which never hold one (the reliability suite's secrets pass), and no address of a
//! channel is ever written into a message or a log line.

pub mod monitor;
pub mod send;
pub mod settings;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use settings::AlertSettings;

use crate::config::Lang;
use crate::i18n::Msg;

/// What can be wrong with a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// Its last run failed.
    Failed,
    /// A run its rules promised has not started (or the one under way outlasted the next).
    Silent,
    /// Orders were set aside and wait in the quarantine.
    Quarantine,
    /// The shop did not take some acknowledgements, run after run.
    Unacknowledged,
}

impl Problem {
    /// Every problem.
    pub const ALL: [Problem; 4] = [Problem::Failed, Problem::Silent, Problem::Quarantine, Problem::Unacknowledged];

    /// Its word in the state and the webhook.
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::Failed => "failed",
            Problem::Silent => "silent",
            Problem::Quarantine => "quarantine",
            Problem::Unacknowledged => "unacknowledged",
        }
    }

    /// The problem of a stored word.
    pub fn parse(s: &str) -> Option<Problem> {
        Problem::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Its name for people.
    pub fn word(self, lang: Lang) -> &'static str {
        match self {
            Problem::Failed => Msg::ProblemFailed,
            Problem::Silent => Msg::ProblemSilent,
            Problem::Quarantine => Msg::ProblemQuarantine,
            Problem::Unacknowledged => Msg::ProblemUnacknowledged,
        }
        .get(lang)
    }

    fn subject(self, event: Event) -> Msg {
        match (self, event) {
            (Problem::Failed, Event::Cleared) => Msg::AlertSubjectFailedCleared,
            (Problem::Silent, Event::Cleared) => Msg::AlertSubjectSilentCleared,
            (Problem::Quarantine, Event::Cleared) => Msg::AlertSubjectQuarantineCleared,
            (Problem::Unacknowledged, Event::Cleared) => Msg::AlertSubjectUnacknowledgedCleared,
            (Problem::Failed, _) => Msg::AlertSubjectFailed,
            (Problem::Silent, _) => Msg::AlertSubjectSilent,
            (Problem::Quarantine, _) => Msg::AlertSubjectQuarantine,
            (Problem::Unacknowledged, _) => Msg::AlertSubjectUnacknowledged,
        }
    }

    fn todo(self, event: Event) -> Msg {
        match (self, event) {
            (_, Event::Cleared) => Msg::AlertTodoCleared,
            (Problem::Failed, _) => Msg::AlertTodoFailed,
            (Problem::Silent, _) => Msg::AlertTodoSilent,
            (Problem::Quarantine, _) => Msg::AlertTodoQuarantine,
            (Problem::Unacknowledged, _) => Msg::AlertTodoUnacknowledged,
        }
    }
}

/// Which message of a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// It started.
    Started,
    /// It lasts.
    Reminder,
    /// It cleared.
    Cleared,
}

/// One message, as every channel gets it: the e-mail's subject and text, and the webhook's JSON
/// (`server`, `kind`, `problem`, `event`, `state`, `reason`, `run`, `time`, `since`,
/// `what_to_do`, `subject`, `text`, `language`).
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// The server it is about (None: the digest, a test).
    pub server: Option<String>,
    /// The e-mail's subject.
    pub subject: String,
    /// The e-mail's text.
    pub text: String,
    /// The webhook's body (JSON).
    pub json: String,
}

/// What a problem's message says.
#[derive(Debug, Clone)]
pub struct About<'a> {
    /// The server.
    pub server: &'a str,
    /// Its kind.
    pub kind: &'a str,
    /// Its state now (`waiting`, `running`, `failed`, `stopped`).
    pub state: &'a str,
    /// What happened, with what to do where the run said it.
    pub reason: &'a str,
    /// The run it was seen in.
    pub run: Option<i64>,
    /// When the problem started.
    pub since: DateTime<Utc>,
}

/// This machine's name, as messages sign it.
pub fn host() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// A state's word (`waiting`, `running`, `failed`, `stopped`) for people.
fn state_word(state: &str, lang: Lang) -> String {
    match state {
        "waiting" => Msg::StateWaiting.get(lang).to_owned(),
        "running" => Msg::StateRunning.get(lang).to_owned(),
        "failed" => Msg::StateFailed.get(lang).to_owned(),
        "stopped" => Msg::StateStopped.get(lang).to_owned(),
        other => other.to_owned(),
    }
}

impl Notice {
    /// A problem's message.
    pub fn problem(lang: Lang, problem: Problem, event: Event, a: &About<'_>) -> Notice {
        let now = Utc::now();
        let mut subject = problem.subject(event).with(lang, &[("server", &a.server)]);
        if event == Event::Reminder {
            subject = Msg::AlertSubjectReminder.with(lang, &[("subject", &subject)]);
        }
        let todo = problem.todo(event).with(lang, &[("server", &a.server)]);
        let reason = match event {
            Event::Cleared => Msg::AlertReasonCleared.with(lang, &[("time", &crate::i18n::datetime(now, lang))]),
            _ => a.reason.to_owned(),
        };
        let mut lines = vec![
            Msg::AlertBodyServer.with(lang, &[("server", &a.server), ("kind", &a.kind)]),
            Msg::AlertBodyState.with(lang, &[("state", &state_word(a.state, lang))]),
            Msg::AlertBodyReason.with(lang, &[("reason", &reason)]),
        ];
        if let Some(run) = a.run {
            lines.push(Msg::AlertBodyRun.with(lang, &[("run", &run)]));
        }
        lines.push(Msg::AlertBodySince.with(lang, &[("since", &crate::i18n::datetime(a.since, lang))]));
        lines.push(Msg::AlertBodyTime.with(lang, &[("time", &crate::i18n::datetime(now, lang))]));
        lines.push(Msg::AlertBodyTodo.with(lang, &[("todo", &todo)]));
        lines.push(String::new());
        lines.push(Msg::AlertBodyMachine.with(lang, &[("host", &host())]));
        let text = lines.join("\n");
        let json = serde_json::json!({
            "server": a.server,
            "kind": a.kind,
            "problem": problem,
            "event": event,
            "state": a.state,
            "reason": reason,
            "run": a.run,
            "time": now.to_rfc3339(),
            "since": a.since.to_rfc3339(),
            "what_to_do": todo,
            "subject": subject,
            "text": text,
            "language": lang.code(),
        })
        .to_string();
        Notice { server: Some(a.server.to_owned()), subject, text, json }
    }

    /// The message `obmen alerts test` sends.
    pub fn test(lang: Lang) -> Notice {
        let host = host();
        let subject = Msg::AlertSubjectTest.with(lang, &[("host", &host)]);
        let text = Msg::AlertTestBody.with(lang, &[("host", &host)]);
        let json = serde_json::json!({
            "server": null, "kind": null, "problem": null, "event": "test", "state": null, "reason": null, "run": null,
            "time": Utc::now().to_rfc3339(), "since": null, "what_to_do": null, "subject": subject, "text": text, "language": lang.code(),
        })
        .to_string();
        Notice { server: None, subject, text, json }
    }

    /// The daily digest: a line a server.
    pub fn digest(lang: Lang, date: chrono::NaiveDate, lines: &[String]) -> Notice {
        let host = host();
        let subject = Msg::AlertSubjectDigest.with(lang, &[("date", &date)]);
        let mut text = Msg::AlertDigestIntro.with(lang, &[("host", &host)]);
        for l in lines {
            text.push_str("\n- ");
            text.push_str(l);
        }
        let json = serde_json::json!({
            "server": null, "kind": null, "problem": null, "event": "digest", "state": null, "reason": null, "run": null,
            "time": Utc::now().to_rfc3339(), "since": null, "what_to_do": null, "subject": subject, "text": text, "language": lang.code(),
        })
        .to_string();
        Notice { server: None, subject, text, json }
    }
}
