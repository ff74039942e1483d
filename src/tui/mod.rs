//! The terminal UI: `obmen` with no command. A plain client of the daemon's control API (it
//! never opens a database or a server file); when no daemon runs for the home it starts one in
//! the background. States, progress and log lines arrive on the daemon's event stream; a lost
//! daemon is shown and reconnected to. The terminal is restored on exit and on panic
//! (ratatui's `init` installs the hook).
//!
//! [`state`] holds the state and its reducer (tested without a terminal), [`render`] draws it.

pub mod render;
pub mod state;

use std::time::Duration;

use crossterm::event::{Event, KeyEventKind, MouseButton, MouseEventKind};
use hyper::Method;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::config::{Home, Lang};
use crate::control::{client::segment, Client, ClientError};
use crate::i18n::Msg;
use state::{Action, App, Effect, Prop};

/// Asks the daemon whether it answers; starts one in the background when none does.
pub(crate) async fn ensure_daemon(home: &Home, client: &Client) -> Result<bool, String> {
    if client.call::<Value>(Method::GET, "/v1/health", None).await.is_ok() {
        return Ok(false);
    }
    let lang = crate::i18n::current();
    let exe = std::env::current_exe().map_err(|e| Msg::NoOwnPath.with(lang, &[("error", &e)]))?;
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("--home").arg(&home.root).arg("daemon").stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
    let out = home.root.join("daemon.out");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&out)
        .map_err(|e| Msg::CannotWrite.with(lang, &[("file", &out.display()), ("error", &e)]))?;
    cmd.stderr(log);
    // Its own process group: closing the terminal does not take the daemon with it.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    cmd.spawn().map_err(|e| Msg::CannotRunMore.with(lang, &[("what", &"obmen daemon"), ("error", &e)]))?;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if client.call::<Value>(Method::GET, "/v1/health", None).await.is_ok() {
            return Ok(true);
        }
    }
    Err(Msg::NoDaemon.with(crate::i18n::current(), &[("socket", &home.socket().display())]))
}

/// Follows the daemon's event stream, forever: the first line lists every server; when the
/// daemon goes away it is said, and tried again every second.
async fn follow_daemon(client: Client, tx: mpsc::UnboundedSender<Action>) {
    loop {
        let list = client.call::<Vec<Value>>(Method::GET, "/v1/servers", None).await;
        match list {
            Ok(list) => {
                if tx.send(Action::Connected(list)).is_err() {
                    return;
                }
                let tx2 = tx.clone();
                let r = client
                    .stream(Method::GET, "/v1/events", None, |v| {
                        if v["type"] == "hello" {
                            return true;
                        }
                        tx2.send(Action::Event(v)).is_ok()
                    })
                    .await;
                let why = match r {
                    Ok(()) => Msg::TuiNotConnected.get(crate::i18n::current()).to_owned(),
                    Err(e) => e.to_string(),
                };
                if tx.send(Action::Lost(why)).is_err() {
                    return;
                }
            }
            Err(e) => {
                if tx.send(Action::Lost(e.to_string())).is_err() {
                    return;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn props_of(v: &Value) -> Vec<Prop> {
    let mut out = Vec::new();
    for g in v["groups"].as_array().into_iter().flatten() {
        let group = g["label"].as_str().unwrap_or("").to_owned();
        for p in g["properties"].as_array().into_iter().flatten() {
            let raw = match &p["raw"] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            out.push(Prop {
                group: group.clone(),
                label: p["label"].as_str().unwrap_or("").to_owned(),
                value: p["value"].as_str().unwrap_or("").to_owned(),
                help: p["help"].as_str().unwrap_or("").to_owned(),
                key: p["key"].as_str().unwrap_or("").to_owned(),
                ty: p["ty"].as_str().unwrap_or("").to_owned(),
                raw,
                choices: match p["ty"].as_str() {
                    Some("bool") => {
                        vec![("true".into(), Msg::Yes.get(crate::i18n::current()).to_owned()), ("false".into(), Msg::No.get(crate::i18n::current()).to_owned())]
                    }
                    _ => p["choices"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|c| (c["value"].as_str().unwrap_or("").to_owned(), c["label"].as_str().unwrap_or("").to_owned()))
                        .collect(),
                },
                min: p["min"].as_i64(),
                max: p["max"].as_i64(),
                required: p["required"].as_bool().unwrap_or(false),
                missing: p["missing"].as_bool().unwrap_or(false),
                error: p["error"].as_str().map(str::to_owned),
            });
        }
    }
    out
}

/// A new server's form checked by the daemon (a dry run of making it).
async fn check_draft(client: &Client, name: String, kind: String, set: std::collections::BTreeMap<String, String>, lang: Lang) -> Action {
    let body = serde_json::json!({ "name": name, "kind": kind, "set": set, "dry_run": true });
    match client.call::<Value>(Method::POST, &format!("/v1/servers?lang={}", lang.code()), Some(body)).await {
        Ok(v) => {
            let props = props_of(&v);
            // Problems the form cannot show on a property of its own.
            let problems = v["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| !props.iter().any(|p| f["field"] == p.key.as_str()))
                .map(|f| format!("{}: {}", f["field"].as_str().unwrap_or(""), f["message"].as_str().unwrap_or("")))
                .collect();
            Action::DraftChecked { name, props, valid: v["valid"].as_bool().unwrap_or(false), problems }
        }
        Err(e) => Action::Say(e.to_string()),
    }
}

async fn load_quarantine(client: &Client, server: String) -> Option<Action> {
    match client.call::<Vec<Value>>(Method::GET, &format!("/v1/servers/{}/quarantine", segment(&server)), None).await {
        Ok(entries) => Some(Action::Quarantined(server, entries)),
        Err(e) => Some(Action::Say(e.to_string())),
    }
}

/// Carries out one effect, off the UI's thread; its answer comes back as an action.
fn carry_out(effect: Effect, client: &Client, tx: &mpsc::UnboundedSender<Action>, lang: Lang) {
    let (client, tx) = (client.clone(), tx.clone());
    tokio::spawn(async move {
        let say = |r: Result<Value, ClientError>| match r {
            Ok(_) => None,
            Err(e) => Some(Action::Say(e.to_string())),
        };
        let action = match effect {
            Effect::Start(name) => say(client.call(Method::POST, &format!("/v1/servers/{}/start", segment(&name)), None).await),
            Effect::Stop(name) => say(client.call(Method::POST, &format!("/v1/servers/{}/stop", segment(&name)), None).await),
            Effect::LoadProperties(name, lang) => {
                match client.call::<Value>(Method::GET, &format!("/v1/servers/{}/properties?lang={}", segment(&name), lang.code()), None).await {
                    Ok(v) => Some(Action::Properties(name, props_of(&v))),
                    Err(e) => Some(Action::Say(e.to_string())),
                }
            }
            Effect::LoadKinds => match client.call::<Vec<Value>>(Method::GET, &format!("/v1/kinds?lang={}", lang.code()), None).await {
                Ok(kinds) => Some(Action::Kinds(
                    kinds.iter().map(|k| (k["kind"].as_str().unwrap_or("").to_owned(), k["label"].as_str().unwrap_or("").to_owned())).collect(),
                )),
                Err(e) => Some(Action::Say(e.to_string())),
            },
            Effect::CheckDraft { name, kind, set } => Some(check_draft(&client, name, kind, set, lang).await),
            Effect::Create { name, kind, set } => {
                let body = serde_json::json!({ "name": name, "kind": kind, "set": set });
                match client.call::<Value>(Method::POST, &format!("/v1/servers?lang={}", lang.code()), Some(body)).await {
                    Ok(_) => Some(Action::Created(name)),
                    Err(e) => {
                        // Refused: said, and the form shows each field's reason.
                        let _ = tx.send(Action::Say(e.to_string()));
                        Some(check_draft(&client, name, kind, set, lang).await)
                    }
                }
            }
            Effect::Test(name) => match client.call::<Vec<Value>>(Method::POST, &format!("/v1/servers/{}/check", segment(&name)), None).await {
                Ok(checks) => Some(Action::Checks(name, checks)),
                Err(e) => Some(Action::Checks(name, vec![serde_json::json!({ "what": Msg::ActTest.get(lang), "ok": false, "detail": e.to_string() })])),
            },
            Effect::LoadLog { server, level, run, n } => {
                let query = {
                    let mut q = form_urlencoded::Serializer::new(String::new());
                    q.append_pair("n", &n.to_string());
                    if let Some(l) = level {
                        q.append_pair("level", l.as_str());
                    }
                    if let Some(r) = run {
                        q.append_pair("run", &r.to_string());
                    }
                    q.finish()
                };
                match client.call::<Vec<crate::logs::Line>>(Method::GET, &format!("/v1/servers/{}/log?{query}", segment(&server)), None).await {
                    Ok(lines) => Some(Action::LogLines(server, lines)),
                    Err(e) => Some(Action::Say(e.to_string())),
                }
            }
            Effect::LoadRuns(server) => match client.call::<Vec<Value>>(Method::GET, &format!("/v1/servers/{}/runs?limit=500", segment(&server)), None).await {
                Ok(runs) => Some(Action::Runs(server, runs)),
                Err(e) => Some(Action::Say(e.to_string())),
            },
            Effect::Save { server, key, value } => {
                let body = serde_json::json!({ "set": { key: value } });
                match client.call::<Value>(Method::PATCH, &format!("/v1/servers/{}?lang={}", segment(&server), lang.code()), Some(body)).await {
                    Ok(_) => Some(Action::Saved(server)),
                    Err(ClientError::Api { message, .. }) => Some(Action::Refused(message)),
                    Err(e) => Some(Action::Refused(e.to_string())),
                }
            }
            Effect::Delete(name) => match client.call::<Value>(Method::DELETE, &format!("/v1/servers/{}", segment(&name)), None).await {
                Ok(v) => Some(Action::Say(Msg::DeletedServer.with(lang, &[("server", &name), ("file", &v["kept"].as_str().unwrap_or(""))]))),
                Err(e) => Some(Action::Say(e.to_string())),
            },
            Effect::LoadQuarantine(server) => load_quarantine(&client, server).await,
            Effect::Retry(server, id) => {
                let said = match client.call::<Value>(Method::POST, &format!("/v1/servers/{}/quarantine/{id}/retry", segment(&server)), None).await {
                    Ok(summary) => {
                        let c = &summary["counts"];
                        match (c["imported"].as_u64(), summary["errors"][0]["message"].as_str()) {
                            (_, Some(e)) => e.to_owned(),
                            (Some(n), None) if n > 0 => Msg::TuiRetried.get(lang).to_owned(),
                            _ => Msg::TuiStillSetAside.get(lang).to_owned(),
                        }
                    }
                    Err(e) => e.to_string(),
                };
                let _ = tx.send(Action::Say(said));
                load_quarantine(&client, server).await
            }
            Effect::Drop(server, id) => {
                if let Err(e) = client.call::<Value>(Method::POST, &format!("/v1/servers/{}/quarantine/{id}/drop", segment(&server)), None).await {
                    let _ = tx.send(Action::Say(e.to_string()));
                }
                load_quarantine(&client, server).await
            }
            Effect::Quit { .. } => None,
        };
        if let Some(a) = action {
            let _ = tx.send(a);
        }
    });
}

/// Opens the TUI on the home until it is hidden or quit.
pub fn run(home: &Home, lang: Lang) -> Result<(), crate::exit::CliError> {
    let rt = crate::commands::runtime()?;
    let client = Client::new(&home.socket());
    let started = rt.block_on(ensure_daemon(home, &client)).map_err(|e| crate::exit::CliError::failed(anyhow::anyhow!(e)))?;
    let mut app = App::new(lang);
    if started {
        app.message = Some(Msg::TuiStartingDaemon.get(lang).to_owned());
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    let _follow = rt.spawn(follow_daemon(client.clone(), tx.clone()));
    // Keys and mouse in a thread of their own: reading them blocks.
    let keys = tx.clone();
    std::thread::spawn(move || loop {
        match crossterm::event::read() {
            Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => {
                if keys.send(Action::Key(k)).is_err() {
                    return;
                }
            }
            Ok(Event::Mouse(m)) if m.kind == MouseEventKind::Down(MouseButton::Left) => {
                let width = crossterm::terminal::size().map(|(w, _)| w).unwrap_or(80);
                let _ = keys.send(Action::Click(m.column, m.row, width));
            }
            Ok(Event::Resize(..)) => {
                let _ = keys.send(Action::Redraw);
            }
            Ok(_) => {}
            Err(_) => return,
        }
    });
    let mut terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    let mut stop_all = false;
    let result = rt.block_on(async {
        loop {
            terminal.draw(|f| render::draw(f, &app))?;
            let Some(action) = rx.recv().await else { break };
            let mut actions = vec![action];
            // Everything that came meanwhile, then one frame.
            while let Ok(a) = rx.try_recv() {
                actions.push(a);
            }
            for a in actions {
                for effect in app.update(a) {
                    if let Effect::Quit { stop } = effect {
                        stop_all = stop;
                    } else {
                        carry_out(effect, &client, &tx, app.lang);
                    }
                }
            }
            if app.done {
                break;
            }
        }
        Ok::<(), std::io::Error>(())
    });
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    ratatui::restore();
    if stop_all {
        for row in &app.rows {
            let _ = rt.block_on(client.call::<Value>(Method::POST, &format!("/v1/servers/{}/stop", segment(row.name())), None));
        }
    }
    result.map_err(crate::exit::CliError::failed)
}
