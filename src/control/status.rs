//! A server's status, as the control API gives it (JSON), in words: the one reading the command
//! line's `server list` and the TUI's list share.

use chrono::{DateTime, Local};
use serde_json::Value;

use crate::config::Lang;
use crate::i18n::Msg;

/// A state's word (`stopped`, `waiting`, `running`, `failed`; anything else: no daemon).
pub fn state_word(state: &str, lang: Lang) -> String {
    match state {
        "stopped" => Msg::StateStopped,
        "waiting" => Msg::StateWaiting,
        "running" => Msg::StateRunning,
        "failed" => Msg::StateFailed,
        _ => Msg::StateNoDaemon,
    }
    .get(lang)
    .to_owned()
}

/// A moment as a list shows it: HH:MM today, with its date on another day.
pub fn when(v: &Value) -> Option<String> {
    let t = DateTime::parse_from_rfc3339(v.as_str()?).ok()?.with_timezone(&Local);
    Some(if t.date_naive() == Local::now().date_naive() { t.format("%H:%M").to_string() } else { t.format("%Y-%m-%d %H:%M").to_string() })
}

/// What a status says after its state: until when it waits, how far its run is, why it failed
/// (the reason cut to `reason_chars` characters) and when it is tried again. Empty for a
/// stopped server.
pub fn detail(status: &Value, lang: Lang, reason_chars: usize) -> String {
    match status["state"].as_str().unwrap_or("") {
        "waiting" => match when(&status["next"]) {
            Some(t) => Msg::DetailWaitingUntil.with(lang, &[("time", &t)]),
            None => Msg::DetailWaitingNothing.get(lang).to_owned(),
        },
        "running" => {
            let Some(phase) = status["phase"].as_str().map(|p| Msg::phase_word(p, lang)) else { return Msg::DetailStarting.get(lang).to_owned() };
            let done = status["done"].as_u64().unwrap_or(0);
            match status["total"].as_u64() {
                Some(total) => Msg::DetailRunningOf.with(lang, &[("phase", &phase), ("done", &done), ("total", &total)]),
                None => Msg::DetailRunning.with(lang, &[("phase", &phase), ("done", &done)]),
            }
        }
        "failed" => {
            let reason = status["reason"].as_str().unwrap_or("");
            let mut short: String = reason.chars().take(reason_chars).collect();
            if reason.chars().count() > reason_chars {
                short.push('…');
            }
            match when(&status["retry_at"]) {
                Some(t) => Msg::DetailFailedRetry.with(lang, &[("reason", &short), ("time", &t)]),
                None => short,
            }
        }
        _ => String::new(),
    }
}
