//! The terminal UI: `obmen` with no command. A plain client of the daemon's control API (it
//! never opens a database or a server file); when no daemon runs for the home it starts one in
//! the background. States, progress and log lines arrive on the daemon's event stream; a lost
//! daemon is shown and reconnected to. The terminal is restored on exit and on panic
//! (ratatui's `init` installs the hook).
//!
//! [`state`] holds the app's state and its reducer (tested without a terminal), [`views`] the
//! views it routes to (each with its state, keys and drawing), [`toolbar`] the toolbar's layout,
//! and [`render`] draws the screen.

#[cfg(test)]
mod fixtures;
pub mod keyboard;
pub mod render;
#[cfg(test)]
mod screens_tests;
pub mod state;
pub mod toolbar;
pub mod views;

use std::time::Duration;

use crossterm::event::{Event, KeyEventKind, MouseButton, MouseEventKind};
use tokio::sync::mpsc;

use crate::config::{Home, Lang};
use crate::control::protocol::{ChangeServer, EventLine, LogQuery, NewServer};
use crate::control::{Client, ClientError};
use crate::i18n::Msg;
use state::{Action, App, Effect, Prop};

/// Asks the daemon whether it answers; starts one in the background when none does.
pub(crate) async fn ensure_daemon(home: &Home, client: &Client) -> Result<bool, String> {
    if client.health().await.is_ok() {
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
        if client.health().await.is_ok() {
            return Ok(true);
        }
    }
    Err(Msg::NoDaemon.with(crate::i18n::current(), &[("socket", &home.socket().display())]))
}

/// Follows the daemon's event stream, forever: the first line lists every server; when the
/// daemon goes away it is said, and tried again every second.
async fn follow_daemon(client: Client, tx: mpsc::UnboundedSender<Action>) {
    loop {
        let list = client.servers().await;
        match list {
            Ok(list) => {
                if tx.send(Action::Connected(list)).is_err() {
                    return;
                }
                let tx2 = tx.clone();
                let r = client
                    .events(|line| match line {
                        EventLine::Engine(e) => tx2.send(Action::Event(e)).is_ok(),
                        EventLine::Hello(_) | EventLine::Lagged(_) => true,
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

/// A new server's form checked by the daemon (a dry run of making it).
async fn check_draft(client: &Client, name: String, kind: String, set: std::collections::BTreeMap<String, String>, lang: Lang) -> Action {
    match client.check_new(&NewServer { name: name.clone(), kind, set, dry_run: true }).await {
        Ok(form) => {
            let props = Prop::all(&form.groups, lang);
            // Problems the form cannot show on a property of its own.
            let problems = form.fields.iter().filter(|f| !props.iter().any(|p| f.field == p.key)).map(|f| format!("{}: {}", f.field, f.message)).collect();
            Action::DraftChecked { name, props, valid: form.valid, problems }
        }
        Err(e) => Action::Say(e.to_string()),
    }
}

async fn load_quarantine(client: &Client, server: String) -> Option<Action> {
    match client.quarantine(&server, false).await {
        Ok(entries) => Some(Action::Quarantined(server, entries)),
        Err(e) => Some(Action::Say(e.to_string())),
    }
}

/// Carries out one effect, off the UI's thread; its answer comes back as an action.
fn carry_out(effect: Effect, client: &Client, tx: &mpsc::UnboundedSender<Action>, lang: Lang) {
    // Every answer worded in the UI's language, as it is now.
    let (client, tx) = (client.speaking(lang), tx.clone());
    tokio::spawn(async move {
        fn say<T>(r: Result<T, ClientError>) -> Option<Action> {
            r.err().map(|e| Action::Say(e.to_string()))
        }
        let action = match effect {
            Effect::Start(name) => say(client.start(&name).await),
            Effect::Stop(name) => say(client.stop(&name).await),
            Effect::LoadProperties(name, lang) => match client.speaking(lang).properties(&name).await {
                Ok(p) => Some(Action::Properties(name, Prop::all(&p.groups, lang))),
                Err(e) => Some(Action::Say(e.to_string())),
            },
            Effect::LoadKinds => match client.kinds().await {
                Ok(kinds) => Some(Action::Kinds(kinds.into_iter().map(|k| (k.kind, k.label)).collect())),
                Err(e) => Some(Action::Say(e.to_string())),
            },
            Effect::LoadChoices { server, key } => match client.choices(&server, &key).await {
                Ok(c) => Some(Action::Choices { server, key, choices: c.choices.into_iter().map(|c| (c.value, c.label)).collect() }),
                Err(e) => Some(Action::Say(e.to_string())),
            },
            Effect::CheckDraft { name, kind, set } => Some(check_draft(&client, name, kind, set, lang).await),
            Effect::Create { name, kind, set } => {
                match client.create(&NewServer { name: name.clone(), kind: kind.clone(), set: set.clone(), dry_run: false }).await {
                    Ok(_) => Some(Action::Created(name)),
                    Err(e) => {
                        // Refused: said, and the form shows each field's reason.
                        let _ = tx.send(Action::Say(e.to_string()));
                        Some(check_draft(&client, name, kind, set, lang).await)
                    }
                }
            }
            Effect::Test(name) => match client.check(&name).await {
                Ok(checks) => Some(Action::Checks(name, checks)),
                Err(e) => Some(Action::Checks(name, vec![crate::kinds::Check::failed(Msg::ActTest.get(lang), e.to_string())])),
            },
            Effect::LoadLog { server, level, run, n } => match client.log(&server, &LogQuery { n: Some(n), level, grep: None, run }).await {
                Ok(lines) => Some(Action::LogLines(server, lines)),
                Err(e) => Some(Action::Say(e.to_string())),
            },
            Effect::LoadRuns(server) => match client.runs(&server, 500).await {
                Ok(runs) => Some(Action::Runs(server, runs)),
                Err(e) => Some(Action::Say(e.to_string())),
            },
            Effect::Save { server, key, value } => match client.change(&server, &ChangeServer { set: [(key, value)].into() }).await {
                Ok(_) => Some(Action::Saved(server)),
                Err(ClientError::Api { message, .. }) => Some(Action::Refused(message)),
                Err(e) => Some(Action::Refused(e.to_string())),
            },
            Effect::Delete(name) => match client.delete(&name).await {
                Ok(d) => Some(Action::Say(Msg::DeletedServer.with(lang, &[("server", &name), ("file", &d.kept.display())]))),
                Err(e) => Some(Action::Say(e.to_string())),
            },
            Effect::LoadQuarantine(server) => load_quarantine(&client, server).await,
            Effect::Why(server, order) => {
                let answer = client.why(&server, &order).await.map(|w| w.text).map_err(|e| e.to_string());
                Some(Action::Why { server, order, answer })
            }
            Effect::Retry(server, id) => {
                let said = match client.retry(&server, id).await {
                    Ok(summary) => match summary.errors.first() {
                        Some(e) => e.message.clone(),
                        None if summary.counts.imported > 0 => Msg::TuiRetried.get(lang).to_owned(),
                        None => Msg::TuiStillSetAside.get(lang).to_owned(),
                    },
                    Err(e) => e.to_string(),
                };
                let _ = tx.send(Action::Say(said));
                load_quarantine(&client, server).await
            }
            Effect::Drop(server, id) => {
                if let Err(e) = client.drop_entry(&server, id).await {
                    let _ = tx.send(Action::Say(e.to_string()));
                }
                load_quarantine(&client, server).await
            }
            Effect::Quit { .. } | Effect::StartDaemon => None,
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
    // The keyboard layout is the home's setting; a file that cannot be read leaves BDS (the
    // daemon says what is wrong with it).
    app.keyboard = crate::daemon::DaemonSettings::load(home).map(|s| s.keyboard).unwrap_or_default();
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
                    } else if effect == Effect::StartDaemon {
                        // The daemon was lost: started again in the background; the stream
                        // follower connects to it by itself.
                        let (home, client, tx) = (home.clone(), client.clone(), tx.clone());
                        tokio::spawn(async move {
                            if let Err(e) = ensure_daemon(&home, &client).await {
                                let _ = tx.send(Action::Say(e));
                            }
                        });
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
            let _ = rt.block_on(client.stop(row.name()));
        }
    }
    result.map_err(crate::exit::CliError::failed)
}
