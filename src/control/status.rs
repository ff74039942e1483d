//! A server's status, as the control API gives it, in words: the one reading the command line's
//! `server list` and the TUI's list share.

use chrono::{DateTime, Local, TimeZone};

use super::protocol::ServerState;
use crate::config::Lang;
use crate::i18n::Msg;

/// A state's word (`None`: no daemon answers for the server).
pub fn state_word(state: Option<&ServerState>, lang: Lang) -> String {
    match state {
        Some(s) if s.is_retrying() => Msg::StateRetrying,
        Some(ServerState::Stopped) => Msg::StateStopped,
        Some(ServerState::Waiting { .. }) => Msg::StateWaiting,
        Some(ServerState::Running { .. }) => Msg::StateRunning,
        Some(ServerState::Failed { .. }) => Msg::StateFailed,
        None => Msg::StateNoDaemon,
    }
    .get(lang)
    .to_owned()
}

/// A moment as a list shows it: HH:MM today, with its day and month on another day, as the
/// language writes them (`07.12 10:00`; English `Dec 07 10:00`).
pub fn when<Tz: TimeZone>(t: Option<&DateTime<Tz>>, lang: Lang) -> Option<String> {
    moment(t, lang, "%H:%M")
}

/// A moment to the second (a retry's, often seconds away): HH:MM:SS today, with its day on
/// another.
pub fn when_exact<Tz: TimeZone>(t: Option<&DateTime<Tz>>, lang: Lang) -> Option<String> {
    moment(t, lang, "%H:%M:%S")
}

fn moment<Tz: TimeZone>(t: Option<&DateTime<Tz>>, lang: Lang, time: &str) -> Option<String> {
    let t = t?.with_timezone(&Local);
    if t.date_naive() == Local::now().date_naive() {
        return Some(t.format(time).to_string());
    }
    let day = match lang {
        Lang::En => "%b %d",
        _ => "%d.%m",
    };
    Some(t.format(&format!("{day} {time}")).to_string())
}

/// A moment written as RFC 3339, as a list shows it.
pub fn when_text(t: &str, lang: Lang) -> Option<String> {
    when(DateTime::parse_from_rfc3339(t).ok().as_ref(), lang)
}

/// What a status says after its state: until when it waits, how far its run is, why it failed
/// (the reason cut to `reason_chars` characters) and when it is tried again: a retry's time and
/// try come first, so that a narrow column cuts the reason, never the time. Empty for a
/// stopped server.
pub fn detail(state: Option<&ServerState>, lang: Lang, reason_chars: usize) -> String {
    let cut = |reason: &str| {
        let mut short: String = reason.chars().take(reason_chars).collect();
        if reason.chars().count() > reason_chars {
            short.push('…');
        }
        short
    };
    let retrying = |reason: &str, attempt: u32, at: Option<String>| {
        let time = at.unwrap_or_else(|| "-".into());
        if attempt > 0 {
            Msg::DetailRetrying.with(lang, &[("time", &time), ("attempt", &attempt), ("reason", &cut(reason))])
        } else {
            Msg::DetailRetryingAt.with(lang, &[("time", &time), ("reason", &cut(reason))])
        }
    };
    match state {
        Some(ServerState::Running { retrying: Some(r), .. }) => retrying(&format!("{}: {}", r.what, r.error), r.attempt, when_exact(r.next_at.as_ref(), lang)),
        Some(ServerState::Failed { reason, retry_at: Some(at), attempt }) => retrying(reason, *attempt, when_exact(Some(at), lang)),
        Some(ServerState::Waiting { next, .. }) => match when(next.as_ref(), lang) {
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
        Some(ServerState::Failed { reason, .. }) => cut(reason),
        Some(ServerState::Stopped) | None => String::new(),
    }
}
