//! `obmen daemon`, `obmen start|stop NAME`, `obmen runs NAME`, `obmen log NAME` and
//! `obmen service ...`: the daemon, and the commands that talk to it or read what it wrote.

use std::io::Write;
use std::time::Duration;

use anyhow::anyhow;
use chrono::{DateTime, Local, Utc};
use tokio_util::sync::CancellationToken;

use super::{out, runtime};
use crate::cli::{LogArgs, ServiceAction, ServiceArgs};
use crate::config::{Home, Lang};
use crate::control::{Client, ClientError};
use crate::daemon::service::{self, Scope};
use crate::exit::CliError;
use crate::i18n::Msg;
use crate::logs::{self, Filter, Follow, Level};
use crate::state::State;

pub(super) fn daemon(home: &Home, lang: Lang) -> Result<(), CliError> {
    let rt = runtime()?;
    let result = rt.block_on(crate::daemon::run(home.clone(), CancellationToken::new()));
    match result {
        Ok((stopped, late)) => {
            eprintln!("{}", Msg::DaemonStopped.with(lang, &[("stopped", &stopped.join(", "))]));
            if late.is_empty() {
                Ok(())
            } else {
                let secs = crate::daemon::DaemonSettings::load(home).map(|s| s.stop_timeout_secs).unwrap_or(30);
                Err(CliError::failed(anyhow!("{}", Msg::DaemonLate.with(lang, &[("secs", &secs), ("late", &late.join(", "))]))))
            }
        }
        Err(crate::daemon::DaemonError::Config(e)) => Err(CliError::config(e)),
        Err(e) => Err(CliError::failed(e)),
    }
}

/// A client error at the command line: no daemon and a refusal are failures (exit 1) with
/// their words.
pub(super) fn client_error(e: ClientError) -> CliError {
    CliError::failed(anyhow!("{e}"))
}

pub(super) fn start_stop(home: &Home, lang: Lang, name: &str, start: bool) -> Result<(), CliError> {
    // A server that does not exist is named as such, with or without a daemon.
    super::server::load(home, name)?;
    let rt = runtime()?;
    let client = Client::new(&home.socket());
    let (done, status) = rt
        .block_on(async {
            // The daemon may not have seen a file made a moment ago.
            let _ = client.reload().await;
            if start {
                client.start(name).await.map(|s| (s.started, s.status))
            } else {
                client.stop(name).await.map(|s| (s.stopped, s.status))
            }
        })
        .map_err(client_error)?;
    let msg = match (start, done) {
        (true, true) => Msg::CliStarted,
        (true, false) => Msg::CliAlreadyRunning,
        (false, true) => Msg::CliStopped,
        (false, false) => Msg::CliStopLate,
    };
    let state = crate::control::status::state_word(status.as_ref().map(|s| &s.state), lang);
    out(&format!("{}\n", msg.with(lang, &[("server", &name), ("state", &state)])))?;
    if msg == Msg::CliStopLate {
        return Err(CliError::failed(anyhow!("{}", Msg::CliStopLate.with(lang, &[("server", &name)]))));
    }
    Ok(())
}

fn local(t: &str) -> String {
    DateTime::parse_from_rfc3339(t).map(|t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_else(|_| t.to_owned())
}

pub(super) fn runs(home: &Home, lang: Lang, name: &str, limit: i64, json: bool) -> Result<(), CliError> {
    super::server::load(home, name)?;
    let rt = runtime()?;
    let runs = rt.block_on(async {
        let state = State::open(&home.state_db()).await?;
        state.runs(name, limit.clamp(1, 100_000)).await
    });
    let runs = runs.map_err(CliError::failed)?;
    if json {
        return out(&format!("{}\n", serde_json::to_string_pretty(&runs).map_err(CliError::failed)?));
    }
    if runs.is_empty() {
        return out(&format!("{}\n", Msg::NoRuns.with(lang, &[("server", &name)])));
    }
    let cells: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            let s = &r.summary;
            let n = |k: &str| s["counts"][k].as_u64().unwrap_or(0).to_string();
            let took = r.ended_at.map(|e| crate::i18n::seconds((e - r.started_at).num_milliseconds() as f64 / 1000.0, lang)).unwrap_or_default();
            let error = s["errors"][0]["message"].as_str().unwrap_or("").chars().take(80).collect::<String>();
            vec![
                r.id.to_string(),
                local(&r.started_at.to_rfc3339()),
                took,
                Msg::outcome_word(r.outcome, lang).to_owned(),
                n("imported"),
                n("set_aside"),
                n("exported"),
                s["retries"].as_u64().unwrap_or(0).to_string(),
                error,
            ]
        })
        .collect();
    let headers =
        [Msg::ColRun, Msg::ColStarted, Msg::ColTook, Msg::ColOutcome, Msg::ColImported, Msg::ColSetAside, Msg::ColExported, Msg::ColRetries, Msg::ColError]
            .map(|m| m.get(lang));
    out(&super::table::render(&headers, &cells))
}

fn print_line(l: &logs::Line, json: bool) -> bool {
    let text = if json {
        serde_json::to_string(l).unwrap_or_default()
    } else {
        let run = l.run.map(|r| format!(" #{r}")).unwrap_or_default();
        format!("{} {}{run} {}", l.ts.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S"), Msg::level_column(l.level, crate::i18n::current()), l.msg)
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}").and_then(|()| stdout.flush()).is_ok()
}

pub(super) fn log(home: &Home, lang: Lang, a: LogArgs) -> Result<(), CliError> {
    let server = if a.name == "daemon" && !home.server_path("daemon").exists() {
        None
    } else {
        if !home.server_path(&a.name).exists() && !home.logs_dir().join(&a.name).is_dir() {
            super::server::load(home, &a.name)?;
        }
        Some(a.name.as_str())
    };
    let level = a.level.as_deref().map(str::parse::<Level>).transpose().map_err(|m| CliError::usage(anyhow!(m)))?;
    let since = match a.since.as_deref() {
        None => None,
        Some(s) => {
            let d = humantime::parse_duration(s.trim())
                .map_err(|e| CliError::usage(anyhow!("{}", Msg::NotADuration.with(lang, &[("value", &s), ("error", &e)]))))?;
            let d = chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
            Some(Local::now().fixed_offset().checked_sub_signed(d).unwrap_or_else(|| DateTime::<Utc>::MIN_UTC.fixed_offset()))
        }
    };
    let filter = Filter { level, since, grep: a.grep.clone(), run: a.run };
    let dir = home.logs_dir();
    let lines = logs::read(&dir, server, &filter, a.lines.max(1))
        .map_err(|e| CliError::failed(anyhow!("{}", Msg::CannotRead.with(lang, &[("file", &dir.display()), ("error", &e)]))))?;
    if lines.is_empty() && !a.follow {
        eprintln!("{}", Msg::NoLogLines.with(lang, &[("server", &a.name), ("dir", &dir.display())]));
    }
    for l in &lines {
        if !print_line(l, a.json) {
            return Ok(());
        }
    }
    if !a.follow {
        return Ok(());
    }
    let mut follow = Follow::from_end(&dir, server);
    loop {
        std::thread::sleep(Duration::from_millis(250));
        let new = follow.poll().map_err(|e| CliError::failed(anyhow!("{}", Msg::CannotRead.with(lang, &[("file", &dir.display()), ("error", &e)]))))?;
        for l in new.iter().filter(|l| filter.passes(l)) {
            if !print_line(l, a.json) {
                return Ok(());
            }
        }
    }
}

pub(super) fn service(home: &Home, lang: Lang, action: ServiceAction) -> Result<(), CliError> {
    let (name, args): (&str, ServiceArgs) = match action {
        ServiceAction::Install(a) => ("install", a),
        ServiceAction::Uninstall(a) => ("uninstall", a),
        ServiceAction::Status(a) => ("status", a),
    };
    let scope = if args.user { Scope::User } else { Scope::System };
    let path = service::unit_path(scope).ok_or_else(|| CliError::failed(anyhow!("{}", Msg::NoUserHome.get(lang))))?;
    let exe = std::env::current_exe().map_err(|e| CliError::failed(anyhow!("{}", Msg::NoOwnPath.with(lang, &[("error", &e)]))))?;
    let settings = crate::daemon::DaemonSettings::load(home).map_err(CliError::config)?;
    let user = std::env::var("SUDO_USER").or_else(|_| std::env::var("USER")).ok();
    let root = std::fs::canonicalize(&home.root).unwrap_or_else(|_| home.root.clone());
    let unit = service::unit(&exe, &root, scope, settings.stop_timeout_secs, lang, user.as_deref());
    let commands = service::commands(scope, name);
    if args.dry_run {
        let mut t = String::new();
        if name == "install" {
            t.push_str(&format!("# {}\n{unit}\n", path.display()));
        }
        for c in &commands {
            t.push_str(&format!("# {}\n", c.join(" ")));
        }
        return out(&t);
    }
    match name {
        "install" => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| CliError::failed(anyhow!("{}", Msg::CannotMake.with(lang, &[("file", &dir.display()), ("error", &e)]))))?;
            }
            crate::config::write_atomic(&path, &unit)
                .map_err(|e| CliError::failed(anyhow!("{}", Msg::CannotWrite.with(lang, &[("file", &path.display()), ("error", &e)]))))?;
        }
        "uninstall" if !path.exists() => return out(&format!("{}\n", Msg::ServiceNotInstalled.with(lang, &[("file", &path.display())]))),
        _ => {}
    }
    let mut report = String::new();
    for c in &commands {
        let Some((prog, rest)) = c.split_first() else { continue };
        let result = std::process::Command::new(prog).args(rest).output();
        match result {
            Ok(o) => {
                let said = String::from_utf8_lossy(if o.stdout.is_empty() { &o.stderr } else { &o.stdout }).trim().to_owned();
                report.push_str(&format!("{}: {said}\n", c.join(" ")));
                if !o.status.success() && name != "status" {
                    return Err(CliError::failed(anyhow!("{}", Msg::ServiceCommandFailed.with(lang, &[("command", &c.join(" ")), ("said", &said)]))));
                }
            }
            Err(e) => return Err(CliError::failed(anyhow!("{}", Msg::ServiceCommandFailed.with(lang, &[("command", &c.join(" ")), ("said", &e)])))),
        }
    }
    if name == "uninstall" {
        std::fs::remove_file(&path).map_err(|e| CliError::failed(anyhow!("{}", Msg::CannotRemove.with(lang, &[("file", &path.display()), ("error", &e)]))))?;
    }
    out(&format!("{}{}\n", report, Msg::ServiceDone.with(lang, &[("action", &name), ("file", &path.display())])))
}
