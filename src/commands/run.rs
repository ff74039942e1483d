//! `obmen run NAME` and `obmen quarantine NAME`: a run in the foreground, through the Kind API.
//! On a terminal the run's events show as a progress line on stderr; elsewhere nothing but the
//! summary is printed. Ctrl-C or SIGTERM stops the run after the page in hand (a second one ends
//! the process at once: the database rolls back what was not committed).

use std::io::IsTerminal;

use anyhow::anyhow;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_util::sync::CancellationToken;

use super::{out, runtime, server::load};
use crate::cli::QuarantineAction;
use crate::config::{Home, Lang};
use crate::exit::CliError;
use crate::i18n::Msg;
use crate::kinds::{Events, Job, Phase, RunContext, RunEvent, RunSummary, Server};
use crate::state::{Outcome, QuarantineState, State};

pub(super) async fn open_state(home: &Home) -> Result<State, CliError> {
    State::open(&home.state_db()).await.map_err(CliError::failed)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn run(home: &Home, lang: Lang, name: &str, import: bool, export: bool, dry_run: bool, full: bool, json: bool) -> Result<(), CliError> {
    let server = Server::load(&load(home, name)?).map_err(CliError::config)?;
    // Without flags: what the server's rules run.
    let job = if import || export { Job { import, export, dry_run, full } } else { Job { dry_run, full, ..server.default_job() } };
    if full && !job.export {
        return Err(CliError::usage(anyhow!("{}", Msg::FullNeedsExport.with(lang, &[("server", &name)]))));
    }
    if !job.import && !job.export {
        return Err(CliError::usage(anyhow!("server '{name}' neither imports nor exports (both rules are 'never'): pass --import or --export to run one now")));
    }
    let show_progress = !json && std::io::stderr().is_terminal();
    let rt = runtime()?;
    // Where a daemon runs the server, it is asked to run now rather than a second copy started.
    if !dry_run {
        if let Some(done) = rt.block_on(via_daemon(home, lang, name, job, json))? {
            return done;
        }
    }
    let summary = rt.block_on(async {
        let state = open_state(home).await?;
        let cancel = CancellationToken::new();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let ctx = RunContext { home: home.clone(), state, cancel: cancel.clone(), events: Events::to(tx) };
        let signals = tokio::spawn(stop_on_signal(cancel, name.to_owned()));
        let progress = tokio::spawn(progress(rx, show_progress, lang));
        let summary = server.run(ctx, job).await;
        signals.abort();
        let _ = progress.await;
        Ok::<_, CliError>(summary)
    })?;
    if json {
        out(&format!("{}\n", serde_json::to_string_pretty(&summary).map_err(CliError::failed)?))?;
    } else {
        out(&render(&summary, lang))?;
    }
    match summary.outcome {
        Outcome::Ok => Ok(()),
        Outcome::Partial => Err(CliError::partly(anyhow!("{}", partly(&summary.counts, name, lang)))),
        Outcome::Stopped => Err(CliError::failed(anyhow!("{}", Msg::RunStopped.with(lang, &[("server", &name)])))),
        _ => {
            let errors: Vec<&str> = summary.errors.iter().map(|e| e.message.as_str()).collect();
            let error = anyhow!("{}", Msg::RunFailed.with(lang, &[("server", &name), ("errors", &errors.join("; "))]));
            // A setting found wrong only at run time is a configuration error all the same.
            if summary.errors.iter().any(|e| e.kind == crate::kinds::FailureKind::Config) {
                Err(CliError::config(error))
            } else {
                Err(CliError::failed(error))
            }
        }
    }
}

/// Asks the home's daemon to run the server now and follows the run to its end. None when no
/// daemon runs it (then the run is made here).
async fn via_daemon(home: &Home, lang: Lang, name: &str, job: Job, json: bool) -> Result<Option<Result<(), CliError>>, CliError> {
    use crate::control::protocol::{RunRequest, RunStreamLine};
    use crate::control::{Client, ClientError};
    if !home.socket().exists() {
        return Ok(None);
    }
    let client = Client::new(&home.socket());
    let request = RunRequest { import: job.import, export: job.export, full: job.full };
    let mut last: Option<RunSummary> = None;
    let result = client
        .run(name, &request, |line| match line {
            RunStreamLine::Accepted { .. } => {
                eprintln!("{}", Msg::RunViaDaemon.with(lang, &[("server", &name)]));
                true
            }
            RunStreamLine::Run { event, .. } => match *event {
                RunEvent::Retry { what, error, .. } => {
                    eprintln!("{}", Msg::Retrying.with(lang, &[("what", &what), ("error", &error)]));
                    true
                }
                RunEvent::Finished { summary } | RunEvent::Failed { summary, .. } => {
                    last = Some(*summary);
                    false
                }
                _ => true,
            },
        })
        .await;
    match result {
        Ok(()) => {}
        Err(ClientError::NoDaemon(_)) => return Ok(None),
        Err(ClientError::Api { code, .. }) if code == "not_running" || code == "no_such_server" => return Ok(None),
        Err(e) => return Err(super::daemon::client_error(e)),
    }
    let Some(summary) = last else {
        return Err(CliError::failed(anyhow!("{}", Msg::RunLostDaemon.with(lang, &[("server", &name)]))));
    };
    if json {
        out(&format!("{}\n", serde_json::to_string_pretty(&summary).map_err(CliError::failed)?))?;
    }
    let c = &summary.counts;
    if !json {
        let secs = crate::i18n::decimal((summary.ended_at - summary.started_at).num_milliseconds() as f64 / 1000.0, 1, lang);
        let mut t = Msg::LogRunEnded.with(
            lang,
            &[
                ("outcome", &Msg::outcome_word(summary.outcome, lang)),
                ("imported", &c.imported),
                ("set_aside", &c.set_aside),
                ("exported", &c.exported),
                ("retries", &summary.retries),
                ("secs", &secs),
            ],
        );
        t.push('\n');
        for e in &summary.errors {
            t.push_str(&Msg::RunError.with(lang, &[("message", &e.message)]));
            t.push('\n');
        }
        out(&t)?;
    }
    let errors: Vec<&str> = summary.errors.iter().map(|e| e.message.as_str()).collect();
    Ok(Some(match summary.outcome {
        Outcome::Ok => Ok(()),
        Outcome::Partial => Err(CliError::partly(anyhow!("{}", partly(c, name, lang)))),
        Outcome::Stopped => Err(CliError::failed(anyhow!("{}", Msg::RunStopped.with(lang, &[("server", &name)])))),
        _ => Err(CliError::failed(anyhow!("{}", Msg::RunFailed.with(lang, &[("server", &name), ("errors", &errors.join("; "))])))),
    }))
}

/// What a partly done run left, in words.
fn partly(c: &crate::kinds::Counts, name: &str, lang: Lang) -> String {
    let mut parts = Vec::new();
    if c.set_aside > 0 {
        parts.push(Msg::PartlySetAside.with(lang, &[("count", &c.set_aside), ("server", &name)]));
    }
    if c.not_acknowledged > 0 {
        parts.push(Msg::PartlyNotConfirmed.with(lang, &[("count", &c.not_acknowledged)]));
    }
    if c.refused > 0 {
        parts.push(Msg::PartlyRefused.with(lang, &[("count", &c.refused)]));
    }
    Msg::PartlyServer.with(lang, &[("server", &name), ("parts", &parts.join("; "))])
}

/// Stops the run on the first Ctrl-C or SIGTERM; a second one ends the process.
async fn stop_on_signal(cancel: CancellationToken, name: String) {
    #[cfg(unix)]
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return,
    };
    for first in [true, false] {
        #[cfg(unix)]
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        if first {
            eprintln!("obmen: stopping server '{name}' after the page in hand (press Ctrl-C again to end at once)");
            cancel.cancel();
        }
    }
    eprintln!("obmen: ended at once; the database keeps only what was committed");
    std::process::exit(130);
}

/// Shows the run's events as a progress line on stderr on a terminal; elsewhere (a pipe, a log
/// file) only retries, one plain line each, so that a run waiting on a shop that is down says
/// so while it waits.
async fn progress(mut rx: UnboundedReceiver<RunEvent>, show: bool, lang: Lang) {
    if !show {
        while let Some(event) = rx.recv().await {
            if let RunEvent::Retry { what, error, .. } = event {
                eprintln!("{}", Msg::Retrying.with(lang, &[("what", &what), ("error", &error)]));
            }
        }
        return;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let (mut phase, mut retries, mut set_aside) = (Phase::Nomenclature, 0u64, 0u64);
    let style_count = indicatif::ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
    let style_bar =
        indicatif::ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style_count.clone());
    let label = |p: Phase| {
        match p {
            Phase::Nomenclature => Msg::ProgressNomenclature,
            Phase::Import => Msg::ProgressImport,
            Phase::Export => Msg::ProgressExport,
        }
        .get(lang)
    };
    let tail = |retries: u64, set_aside: u64| {
        let mut t = String::new();
        if set_aside > 0 {
            t.push_str(&Msg::ProgressQuarantine.with(lang, &[("count", &set_aside)]));
        }
        if retries > 0 {
            t.push_str(&Msg::ProgressRetries.with(lang, &[("count", &retries)]));
        }
        t
    };
    while let Some(event) = rx.recv().await {
        match event {
            RunEvent::Started { server, .. } => bar.set_message(Msg::ProgressStarted.with(lang, &[("server", &server)])),
            RunEvent::Phase { phase: p } => {
                phase = p;
                bar.set_style(style_count.clone());
                bar.set_message(label(p).to_owned());
            }
            RunEvent::Progress { phase: p, done, total } => match total {
                Some(total) => {
                    bar.set_style(style_bar.clone());
                    bar.set_length(total);
                    bar.set_position(done);
                    bar.set_message(format!("{}{}", label(p), tail(retries, set_aside)));
                }
                None => bar.set_message(Msg::ProgressOrders.with(lang, &[("phase", &label(p)), ("done", &done), ("tail", &tail(retries, set_aside))])),
            },
            RunEvent::OrderSetAside { .. } => set_aside += 1,
            RunEvent::OrderImported { .. } => {}
            RunEvent::Note { text, .. } => bar.println(text),
            RunEvent::Retry { what, error, .. } => {
                retries += 1;
                bar.set_message(
                    Msg::ProgressRetrying.with(lang, &[("phase", &label(phase)), ("what", &what), ("error", &error), ("tail", &tail(retries, set_aside))]),
                );
            }
            RunEvent::Finished { .. } | RunEvent::Failed { .. } => break,
        }
    }
    bar.finish_and_clear();
}

fn render(s: &RunSummary, lang: Lang) -> String {
    let dry_run = s.job.dry_run;
    let outcome = Msg::outcome_word(s.outcome, lang);
    let header = if dry_run { Msg::DryRunHeader } else { Msg::RunHeader };
    let mut t = header.with(
        lang,
        &[
            ("server", &s.server),
            ("start", &crate::i18n::datetime(s.started_at, lang)),
            ("end", &crate::i18n::datetime(s.ended_at, lang)),
            ("outcome", &outcome),
        ],
    );
    t.push('\n');
    t.push_str(&s.details.render(dry_run, lang));
    if s.retries > 0 {
        t.push_str(&Msg::Retries.with(lang, &[("count", &s.retries)]));
        t.push('\n');
    }
    for e in &s.errors {
        let when = if e.transient { Msg::Transient.get(lang) } else { "" };
        t.push_str(&Msg::RunError.with(lang, &[("message", &e.message)]));
        t.push_str(when);
        t.push('\n');
    }
    t
}

pub(super) fn quarantine(home: &Home, lang: Lang, name: &str, action: Option<QuarantineAction>) -> Result<(), CliError> {
    let server = Server::load(&load(home, name)?).map_err(CliError::config)?;
    let rt = runtime()?;
    let state = rt.block_on(open_state(home))?;
    let ctx = RunContext { home: home.clone(), state: state.clone(), cancel: CancellationToken::new(), events: Events::none() };
    match action.unwrap_or(QuarantineAction::List { all: false, json: false }) {
        QuarantineAction::List { all, json } => {
            let entries = rt.block_on(state.quarantined(name, all)).map_err(CliError::failed)?;
            if json {
                let items: Vec<_> = entries
                    .iter()
                    .map(|q| {
                        let mut v = q.to_json();
                        v["order"] = serde_json::from_str::<serde_json::Value>(&q.payload).unwrap_or(serde_json::Value::String(q.payload.clone()));
                        v
                    })
                    .collect();
                return out(&format!("{}\n", serde_json::to_string_pretty(&items).map_err(CliError::failed)?));
            }
            if entries.is_empty() {
                return out(&format!("{}\n", Msg::NothingSetAside.with(lang, &[("server", &name)])));
            }
            let mut t = String::new();
            for q in entries {
                t.push_str(&format!(
                    "{:>4}  {}  {}  {}{}\n      {}\n",
                    q.id,
                    q.order_number,
                    crate::i18n::datetime(q.first_seen, lang),
                    Msg::Tried.with(lang, &[("count", &q.attempts), ("when", &crate::i18n::datetime(q.last_seen, lang))]),
                    if q.state == QuarantineState::Open { String::new() } else { format!("  [{}]", q.state.as_str()) },
                    q.reason
                ));
            }
            out(&t)
        }
        QuarantineAction::Drop { order } => {
            let entry = find_quarantined(&rt, &state, name, &order, lang)?;
            if rt.block_on(server.drop_quarantined(&ctx, entry.id)).map_err(CliError::failed)? {
                out(&format!("{}\n", Msg::Dropped.with(lang, &[("order", &entry.order_number), ("server", &name)])))
            } else {
                Err(CliError::failed(anyhow!("{}", Msg::NoSuchSetAside.with(lang, &[("server", &name), ("order", &order)]))))
            }
        }
        QuarantineAction::Retry { order } => {
            let entry = find_quarantined(&rt, &state, name, &order, lang)?;
            let number = entry.order_number.clone();
            let summary = rt.block_on(server.retry(ctx, vec![entry]));
            out(&render(&summary, lang))?;
            match summary.outcome {
                Outcome::Ok => Ok(()),
                Outcome::Partial if summary.counts.set_aside > 0 => Err(CliError::partly(anyhow!("{}", Msg::StillSetAside.with(lang, &[("order", &number)])))),
                Outcome::Partial => Err(CliError::partly(anyhow!("{}", partly(&summary.counts, name, lang)))),
                _ => Err(CliError::failed(anyhow!(
                    "the retry of order {number} failed: {}",
                    summary.errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; ")
                ))),
            }
        }
    }
}

/// The open quarantine entry an argument names: its id in the list, the shop's order number
/// (`SH-100026`, any case) or the shop's order id.
fn find_quarantined(rt: &tokio::runtime::Runtime, state: &State, name: &str, order: &str, lang: Lang) -> Result<crate::state::Quarantined, CliError> {
    let wanted = order.trim();
    let entries = rt.block_on(state.quarantined(name, false)).map_err(CliError::failed)?;
    let by_id = wanted.parse::<i64>().ok().and_then(|id| entries.iter().position(|q| q.id == id));
    let by_number = || entries.iter().position(|q| q.order_number.eq_ignore_ascii_case(wanted) || q.order_id == wanted);
    let missing = || CliError::failed(anyhow!("{}", Msg::NoSuchSetAside.with(lang, &[("server", &name), ("order", &wanted)])));
    let index = by_id.or_else(by_number).ok_or_else(missing)?;
    entries.into_iter().nth(index).ok_or_else(missing)
}

pub(super) fn repair(home: &Home, name: &str, apply: bool, as_json: bool) -> Result<(), CliError> {
    let server = Server::load(&load(home, name)?).map_err(CliError::config)?;
    let rt = runtime()?;
    let state = rt.block_on(open_state(home))?;
    let ctx = RunContext { home: home.clone(), state, cancel: CancellationToken::new(), events: Events::none() };
    let repairs = rt.block_on(server.repair(&ctx, apply)).map_err(CliError::failed)?;
    if as_json {
        return out(&format!("{}\n", serde_json::to_string_pretty(&repairs).map_err(CliError::failed)?));
    }
    if repairs.is_empty() {
        return out(&format!("{}\n", Msg::NothingToRepair.with(crate::i18n::current(), &[("server", &name)])));
    }
    let mut t = String::new();
    for r in &repairs {
        t.push_str(&format!("{} ({}): {}\n", r.name, if r.applied { "made" } else { "not made: pass --apply" }, r.what));
        for c in &r.changes {
            t.push_str(&format!("  {c}\n"));
        }
    }
    out(&t)
}
