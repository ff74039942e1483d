//! `obmen daemon`: the engine with its servers, the control API on the home's socket, a watch on
//! the server files, the log sweep, and a safe stop on SIGTERM or Ctrl-C. Under systemd it says
//! when it is ready and when it is stopping (sd-notify); see [`service`] for the unit.
//!
//! One daemon per home: a second one finds the home's `daemon.lock` held and says so.

pub mod service;
pub mod settings;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio_util::sync::CancellationToken;

pub use settings::DaemonSettings;

use crate::config::{Home, ServerFile};
use crate::control::{transport::Listener, Api};
use crate::engine::{Backoff, Clock, Engine, Options, Unit};
use crate::i18n::{current, Msg};
use crate::kinds::run::RunLock;
use crate::kinds::Server;
use crate::logs::{Level, Limits, Logs};
use crate::state::State;

/// How often the server files are looked at for changes. Polling a few small files is cheap
/// and works on every file system (inotify misses changes on network shares and some editors'
/// renames); the `notify` crate would add a thread and platform back-ends for no gain here.
pub const WATCH_EVERY: Duration = Duration::from_secs(2);

/// Why the daemon could not start.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// `obmen.toml` is invalid.
    #[error("{0}")]
    Config(#[from] crate::config::ConfigErrors),
    /// Anything else, in words.
    #[error("{0}")]
    Other(String),
}

/// The server files as last seen: name, modification time and length of each.
type Seen = BTreeMap<String, (Option<SystemTime>, u64)>;

fn seen(home: &Home) -> Seen {
    home.server_names()
        .unwrap_or_default()
        .into_iter()
        .map(|n| {
            let m = std::fs::metadata(home.server_path(&n)).ok();
            let v = (m.as_ref().and_then(|m| m.modified().ok()), m.map(|m| m.len()).unwrap_or(0));
            (n, v)
        })
        .collect()
}

/// Reads every server file and gives the engine what changed: new servers are added (stopped),
/// changed ones get their new settings (a running one restarts at the end of its run), deleted
/// ones are stopped and removed. A file that became invalid is logged with its file and field,
/// and the server keeps its last good settings.
pub async fn reload(engine: &Engine, home: &Home, deadline: Duration) -> crate::control::protocol::Reloaded {
    let names = home.server_names().unwrap_or_default();
    let (mut added, mut changed, mut invalid) = (Vec::new(), Vec::new(), Vec::new());
    let before: Vec<String> = engine.names();
    for name in &names {
        let loaded = ServerFile::load(&home.server_path(name)).and_then(|f| Server::load(&f));
        match loaded {
            Ok(server) => {
                let new = !before.contains(name);
                if engine.put(Unit::of(server)) {
                    if new {
                        added.push(name.clone());
                    } else {
                        changed.push(name.clone());
                        engine.log(Level::Info, Some(name), "settings_changed", Msg::LogSettingsChanged.with(current(), &[("server", name)]));
                    }
                }
            }
            Err(e) => {
                let text = e.to_string();
                engine.log(Level::Error, Some(name), "invalid_file", Msg::LogInvalidFile.with(current(), &[("server", name), ("errors", &text)]));
                invalid.push(crate::control::protocol::InvalidFile { server: name.clone(), error: text });
            }
        }
    }
    let mut removed = Vec::new();
    for name in before.iter().filter(|n| !names.contains(n)) {
        let _ = engine.remove(name, deadline).await;
        engine.log(Level::Info, None, "server_removed", Msg::LogServerRemoved.with(current(), &[("server", name)]));
        removed.push(name.clone());
    }
    crate::control::protocol::Reloaded { added, changed, removed, invalid }
}

/// Runs the daemon until SIGTERM or Ctrl-C (or `stop`); returns the servers it stopped and
/// those that had not ended within the deadline.
pub async fn run(home: Home, stop: CancellationToken) -> Result<(Vec<String>, Vec<String>), DaemonError> {
    let other = |m: String| DaemonError::Other(m);
    home.ensure().map_err(|e| other(Msg::CannotMake.with(current(), &[("file", &home.root.display()), ("error", &e)])))?;
    let settings = DaemonSettings::load(&home)?;
    // One daemon per home.
    let lock_path = home.root.join("daemon.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| other(Msg::CannotWrite.with(current(), &[("file", &lock_path.display()), ("error", &e)])))?;
    if lock.try_lock().is_err() {
        return Err(other(Msg::DaemonAlreadyRuns.with(current(), &[("home", &home.root.display())])));
    }
    let state = State::open(&home.state_db()).await.map_err(|e| other(e.to_string()))?;
    let limits = Limits { retention_days: settings.log_retention_days, max_bytes: u64::from(settings.log_max_mb) * 1024 * 1024 };
    let logs = Logs::new(home.logs_dir(), limits);
    logs.sweep(chrono::Local::now().date_naive());
    let engine = Engine::new(Options {
        home: home.clone(),
        state: state.clone(),
        logs: logs.clone(),
        clock: Clock::System,
        backoff: Backoff {
            first: Duration::from_secs(settings.retry_first_secs.into()),
            max: Duration::from_secs(settings.retry_max_secs.max(settings.retry_first_secs).into()),
        },
    });
    let deadline = Duration::from_secs(settings.stop_timeout_secs.into());
    reload(&engine, &home, deadline).await;
    // Runs a daemon that died left unfinished are marked so, where no other process runs them.
    for name in engine.names() {
        if let Ok(_held) = RunLock::take(&home, &name) {
            if let Ok(n) = state.mark_interrupted(&name).await {
                if n > 0 {
                    engine.log(Level::Warn, Some(&name), "runs_interrupted", Msg::LogRunsInterrupted.with(current(), &[("count", &n)]));
                }
            }
        }
    }
    let listener =
        Listener::bind(&home.socket()).map_err(|e| other(Msg::CannotListen.with(current(), &[("socket", &home.socket().display()), ("error", &e)])))?;
    // Bound before any server starts: an address taken stops the daemon with nothing begun.
    let metrics_tcp = match settings.metrics_listen {
        Some(at) => Some(tokio::net::TcpListener::bind(at).await.map_err(|e| other(Msg::MetricsCannotListen.with(current(), &[("at", &at), ("error", &e)])))?),
        None => None,
    };
    let started = chrono::Local::now();
    let mut autostarted = Vec::new();
    for status in engine.list() {
        if status.autostart && engine.start(&status.name).unwrap_or(false) {
            autostarted.push(status.name.clone());
        }
    }
    engine.log(
        Level::Info,
        None,
        "daemon_started",
        Msg::LogDaemonStarted.with(current(), &[("pid", &std::process::id()), ("servers", &engine.names().len()), ("started", &autostarted.join(", "))]),
    );
    eprintln!(
        "{}",
        Msg::DaemonListening.with(
            current(),
            &[("home", &home.root.display()), ("socket", &home.socket().display()), ("count", &engine.names().len()), ("started", &autostarted.len())]
        )
    );

    let serving = CancellationToken::new();
    let api = {
        let (engine2, home2) = (engine.clone(), home.clone());
        Arc::new(Api {
            engine: engine.clone(),
            reload: Box::new(move || {
                let (e, h) = (engine2.clone(), home2.clone());
                Box::pin(async move { reload(&e, &h, deadline).await })
            }),
            started,
            stop_deadline: deadline,
        })
    };
    let metrics = metrics_tcp.map(|tcp| tokio::spawn(crate::control::metrics::serve_tcp(tcp, engine.clone(), serving.clone())));
    let server = tokio::spawn(crate::control::serve(listener, api, serving.clone()));
    let provenance_years = settings.provenance_years;
    let swept = state.sweep_provenance(provenance_years).await.unwrap_or(0);
    if swept > 0 {
        engine.log(Level::Info, None, "provenance_swept", Msg::LogProvenanceSwept.with(current(), &[("count", &swept), ("years", &provenance_years)]));
    }
    let watch = {
        let (engine, home, serving, state) = (engine.clone(), home.clone(), serving.clone(), state.clone());
        tokio::spawn(async move {
            let mut last = seen(&home);
            let mut day = chrono::Local::now().date_naive();
            loop {
                tokio::select! {
                    _ = serving.cancelled() => return,
                    _ = tokio::time::sleep(WATCH_EVERY) => {}
                }
                let now = seen(&home);
                if now != last {
                    last = now;
                    reload(&engine, &home, deadline).await;
                }
                let today = chrono::Local::now().date_naive();
                if today != day {
                    day = today;
                    logs.sweep(today);
                    let swept = state.sweep_provenance(provenance_years).await.unwrap_or(0);
                    if swept > 0 {
                        engine.log(
                            Level::Info,
                            None,
                            "provenance_swept",
                            Msg::LogProvenanceSwept.with(current(), &[("count", &swept), ("years", &provenance_years)]),
                        );
                    }
                }
            }
        })
    };
    let heartbeat = settings.heartbeat.clone().map(|url| tokio::spawn(heartbeat(engine.clone(), url, settings.heartbeat_every_secs, serving.clone())));
    let alerts = tokio::spawn(crate::alerts::monitor::watch(engine.clone(), settings.alerts.clone(), serving.clone()));
    let watchdog = sd_notify::watchdog_enabled().map(|every| tokio::spawn(watchdog(engine.clone(), every, serving.clone())));
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);

    wait_for_signal(&stop).await;
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
    engine.log(Level::Info, None, "daemon_stopping", Msg::LogDaemonStopping.with(current(), &[("secs", &deadline.as_secs())]));
    let (stopped, late) = engine.shutdown(deadline).await;
    serving.cancel();
    let _ = server.await;
    let _ = watch.await;
    let _ = alerts.await;
    for task in [heartbeat, watchdog, metrics].into_iter().flatten() {
        let _ = task.await;
    }
    engine.log(Level::Info, None, "daemon_stopped", Msg::LogDaemonStopped.with(current(), &[("stopped", &stopped.join(", ")), ("late", &late.join(", "))]));
    drop(lock);
    Ok((stopped, late))
}

/// Pings the heartbeat address (GET) after each run that ended well (all of it, or all but orders
/// set aside), and every `every_secs`
/// seconds (0: only after runs), until the daemon stops: a watcher such as healthchecks.io then
/// tells someone when the pings stop, the machine being off or the daemon hung included. A ping
/// that fails is logged (without the address, which may be the watcher's secret) and the next
/// one is tried as usual.
async fn heartbeat(engine: Engine, url: String, every_secs: u32, serving: CancellationToken) {
    crate::net::install_crypto_provider();
    let Ok(client) = reqwest::Client::builder().timeout(Duration::from_secs(10)).user_agent(concat!("obmen/", env!("CARGO_PKG_VERSION"))).build() else {
        return;
    };
    let ping = |why: &'static str| {
        let (client, url, engine) = (client.clone(), url.clone(), engine.clone());
        async move {
            let failed = crate::alerts::send::ping(&client, &url).await;
            if let Some(error) = failed {
                engine.log(Level::Warn, None, "heartbeat_failed", Msg::LogHeartbeatFailed.with(current(), &[("error", &error), ("why", &why)]));
            }
        }
    };
    let mut events = engine.subscribe();
    let period = Duration::from_secs(u64::from(every_secs.max(1)));
    let mut next = tokio::time::Instant::now() + period;
    loop {
        tokio::select! {
            _ = serving.cancelled() => return,
            _ = tokio::time::sleep_until(next), if every_secs > 0 => {
                next = tokio::time::Instant::now() + period;
                ping("periodic").await;
            }
            event = events.recv() => match event {
                Ok(crate::engine::EngineEvent::Run { event, .. }) => {
                    if let crate::kinds::RunEvent::Finished { summary } = *event {
                        if matches!(summary.outcome, crate::state::Outcome::Ok | crate::state::Outcome::Partial) {
                            ping("run").await;
                        }
                    }
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

/// Tells systemd the daemon is alive (`WATCHDOG=1`) twice in each of its watchdog intervals, after
/// asking the engine for its servers: a daemon whose runtime or engine hangs stops telling, and
/// systemd restarts it (the unit's `WatchdogSec`).
async fn watchdog(engine: Engine, every: Duration, serving: CancellationToken) {
    let half = (every / 2).max(Duration::from_millis(100));
    loop {
        tokio::select! {
            _ = serving.cancelled() => return,
            _ = tokio::time::sleep(half) => {}
        }
        let _ = engine.names();
        let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
    }
}

async fn wait_for_signal(stop: &CancellationToken) {
    #[cfg(unix)]
    {
        let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
            stop.cancelled().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
            _ = stop.cancelled() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = stop.cancelled() => {}
    }
}
