//! A server's status, as the control API gives it, in words: the one reading the command line's
//! `server list` and the TUI's list share.

use chrono::{DateTime, Local, TimeZone};

use super::protocol::ServerState;
use crate::config::Lang;
use crate::i18n::Msg;

/// A state's word (`None`: no daemon answers for the server).
pub fn state_word(state: Option<&ServerState>, lang: Lang) -> String {
    match state {
        Some(ServerState::Stopped) => Msg::StateStopped,
        Some(ServerState::Waiting { .. }) => Msg::StateWaiting,
        Some(ServerState::Running { .. }) => Msg::StateRunning,
        Some(ServerState::Failed { .. }) => Msg::StateFailed,
        None => Msg::StateNoDaemon,
    }
    .get(lang)
    .to_owned()
}

/// A moment as a list shows it: HH:MM today, with its date on another day.
pub fn when<Tz: TimeZone>(t: Option<&DateTime<Tz>>) -> Option<String> {
    let t = t?.with_timezone(&Local);
    Some(if t.date_naive() == Local::now().date_naive() { t.format("%H:%M").to_string() } else { t.format("%Y-%m-%d %H:%M").to_string() })
}

/// A moment written as RFC 3339, as a list shows it.
pub fn when_text(t: &str) -> Option<String> {
    when(DateTime::parse_from_rfc3339(t).ok().as_ref())
}

/// What a status says after its state: until when it waits, how far its run is, why it failed
/// (the reason cut to `reason_chars` characters) and when it is tried again. Empty for a
/// stopped server.
pub fn detail(state: Option<&ServerState>, lang: Lang, reason_chars: usize) -> String {
    match state {
        Some(ServerState::Waiting { next, .. }) => match when(next.as_ref()) {
            Some(t) => Msg::DetailWaitingUntil.with(lang, &[("time", &t)]),
            None => Msg::DetailWaitingNothing.get(lang).to_owned(),
        },
        Some(ServerState::Running { phase, done, total, .. }) => {
            let Some(phase) = phase.map(|p| Msg::phase_word(p.as_str(), lang)) else { return Msg::DetailStarting.get(lang).to_owned() };
            match total {
                Some(total) => Msg::DetailRunningOf.with(lang, &[("phase", &phase), ("done", done), ("total", total)]),
                None => Msg::DetailRunning.with(lang, &[("phase", &phase), ("done", done)]),
            }
        }
        Some(ServerState::Failed { reason, retry_at }) => {
            let mut short: String = reason.chars().take(reason_chars).collect();
            if reason.chars().count() > reason_chars {
                short.push('…');
            }
            match when(retry_at.as_ref()) {
                Some(t) => Msg::DetailFailedRetry.with(lang, &[("reason", &short), ("time", &t)]),
                None => short,
            }
        }
        Some(ServerState::Stopped) | None => String::new(),
    }
}
