//! The daemon's own settings, in the home's `obmen.toml` (optional; every key has a default):
//!
//! ```toml
//! [daemon]
//! stop_timeout_secs = 30    # how long a stop waits for the runs in hand
//! retry_first_secs = 15     # a run that failed on a database or shop that was down is tried
//! retry_max_secs = 600      #   again after this, doubled each time, at most retry_max_secs
//! metrics_listen = "127.0.0.1:9464"  # also serve GET /metrics on TCP here [default: only on
//!                                    #   the socket]; a bare port is on 127.0.0.1
//!
//! [logs]
//! retention_days = 30       # log files older than this are deleted
//! max_mb = 500              # a server's log files never hold more than this together
//!
//! [alerts]
//! heartbeat = "https://hc-ping.com/..."  # pinged (GET) after each run that ended well,
//! heartbeat_every_secs = 300             #   and every this many seconds while the daemon runs
//!                                        #   (0: only after runs); a watcher such as
//!                                        #   healthchecks.io says when the pings stop
//! # e-mail, a webhook, reminders, the digest and overrides per server: see crate::alerts::settings
//!
//! [tui]
//! keyboard = "bds"          # a Bulgarian layout's letters are read by their key: bds (Windows'
//!                           #   "Bulgarian") or phonetic
//!
//! [provenance]
//! retention_years = 10      # orders as the shop sent them are kept this long after their document
//! ```

use serde::Deserialize;

use crate::config::{ConfigError, ConfigErrors, Home};
use crate::i18n::{current, Msg};

/// The daemon's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonSettings {
    /// How long a stop waits for the runs in hand.
    pub stop_timeout_secs: u32,
    /// The first wait before a transient failure is tried again.
    pub retry_first_secs: u32,
    /// The longest.
    pub retry_max_secs: u32,
    /// Log files older than this many days are deleted.
    pub log_retention_days: u32,
    /// A server's log files never hold more than this many MB together.
    pub log_max_mb: u32,
    /// The heartbeat address (`[alerts] heartbeat`): https, or http on this machine.
    pub heartbeat: Option<String>,
    /// How often the heartbeat is pinged while the daemon runs, beside after each run that ended
    /// well (0: only after runs).
    pub heartbeat_every_secs: u32,
    /// Where alerts go and when (`[alerts]` beside the heartbeat).
    pub alerts: crate::alerts::AlertSettings,
    /// The Bulgarian keyboard layout the TUI reads letter keys in (`[tui] keyboard`).
    pub keyboard: crate::tui::keyboard::Keyboard,
    /// Where `GET /metrics` is also served on TCP (`[daemon] metrics_listen`).
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// Orders as received are kept at least this many years after their document
    /// (`[provenance] retention_years`).
    pub provenance_years: u32,
}

impl Default for DaemonSettings {
    fn default() -> Self {
        DaemonSettings {
            stop_timeout_secs: 30,
            retry_first_secs: 15,
            retry_max_secs: 600,
            log_retention_days: 30,
            log_max_mb: 500,
            heartbeat: None,
            heartbeat_every_secs: 300,
            alerts: crate::alerts::AlertSettings::default(),
            provenance_years: 10,
            metrics_listen: None,
            keyboard: crate::tui::keyboard::Keyboard::Bds,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    daemon: Daemon,
    #[serde(default)]
    logs: LogsPart,
    #[serde(default)]
    alerts: crate::alerts::settings::Part,
    #[serde(default)]
    provenance: ProvenancePart,
    #[serde(default)]
    tui: TuiPart,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TuiPart {
    keyboard: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ProvenancePart {
    retention_years: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Daemon {
    metrics_listen: Option<String>,
    stop_timeout_secs: Option<i64>,
    retry_first_secs: Option<i64>,
    retry_max_secs: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct LogsPart {
    retention_days: Option<i64>,
    max_mb: Option<i64>,
}

impl DaemonSettings {
    /// The home's file: where it does not exist, the defaults.
    pub fn load(home: &Home) -> Result<DaemonSettings, ConfigErrors> {
        let path = home.root.join("obmen.toml");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DaemonSettings::default()),
            Err(e) => return Err(ConfigError::file(&path, Msg::CannotRead.with(current(), &[("file", &path.display()), ("error", &e)])).into()),
        };
        let mut file: File = toml::from_str(&text).map_err(|e| ConfigError::file(&path, e.message().to_owned()))?;
        let mut errors = Vec::new();
        let mut take = |key: &str, v: Option<i64>, min: i64, max: i64, default: u32| -> u32 {
            match v {
                None => default,
                Some(n) if (min..=max).contains(&n) => u32::try_from(n).unwrap_or(default),
                Some(n) => {
                    errors.push(ConfigError::field(&path, key, Msg::OutOfRange.with(current(), &[("n", &n), ("min", &min), ("max", &max)])));
                    default
                }
            }
        };
        let d = DaemonSettings::default();
        let s = DaemonSettings {
            stop_timeout_secs: take("daemon.stop_timeout_secs", file.daemon.stop_timeout_secs, 1, 3600, d.stop_timeout_secs),
            retry_first_secs: take("daemon.retry_first_secs", file.daemon.retry_first_secs, 1, 3600, d.retry_first_secs),
            retry_max_secs: take("daemon.retry_max_secs", file.daemon.retry_max_secs, 1, 86_400, d.retry_max_secs),
            log_retention_days: take("logs.retention_days", file.logs.retention_days, 1, 3650, d.log_retention_days),
            log_max_mb: take("logs.max_mb", file.logs.max_mb, 1, 100_000, d.log_max_mb),
            heartbeat_every_secs: take("alerts.heartbeat_every_secs", file.alerts.heartbeat_every_secs, 0, 86_400, d.heartbeat_every_secs),
            heartbeat: None,
            alerts: crate::alerts::AlertSettings::default(),
            provenance_years: take("provenance.retention_years", file.provenance.retention_years, 1, 100, d.provenance_years),
            metrics_listen: None,
            keyboard: crate::tui::keyboard::Keyboard::Bds,
        };
        let mut s = s;
        if let Some(at) = file.daemon.metrics_listen.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            let addr = at.parse::<u16>().map(|port| std::net::SocketAddr::from(([127, 0, 0, 1], port))).or_else(|_| at.parse::<std::net::SocketAddr>());
            match addr {
                Ok(a) => s.metrics_listen = Some(a),
                Err(_) => errors.push(ConfigError::field(&path, "daemon.metrics_listen", Msg::MetricsListenBad.with(current(), &[("at", &at)]))),
            }
        }
        if let Some(k) = file.tui.keyboard.as_deref() {
            match crate::tui::keyboard::Keyboard::parse(k) {
                Some(k) => s.keyboard = k,
                None => errors.push(ConfigError::field(&path, "tui.keyboard", Msg::KeyboardBad.with(current(), &[("value", &k)]))),
            }
        }
        let heartbeat = file.alerts.heartbeat.take();
        s.alerts = file.alerts.settings(&path, &mut errors);
        if let Some(url) = heartbeat.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()) {
            match crate::config::validate::check_url(&url) {
                Ok(()) => s.heartbeat = Some(url),
                Err(e) => errors.push(ConfigError::field(&path, "alerts.heartbeat", e)),
            }
        }
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(ConfigErrors(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_values_and_errors_naming_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home { root: dir.path().to_owned() };
        assert_eq!(DaemonSettings::load(&home).unwrap(), DaemonSettings::default());
        std::fs::write(dir.path().join("obmen.toml"), "[daemon]\nstop_timeout_secs = 5\n[logs]\nmax_mb = 10\n").unwrap();
        assert_eq!(DaemonSettings::load(&home).unwrap(), DaemonSettings { stop_timeout_secs: 5, log_max_mb: 10, ..DaemonSettings::default() });
        std::fs::write(dir.path().join("obmen.toml"), "[logs]\nretention_days = 0\n").unwrap();
        let e = DaemonSettings::load(&home).unwrap_err().to_string();
        assert!(e.contains("obmen.toml") && e.contains("logs.retention_days"), "{e}");
        std::fs::write(dir.path().join("obmen.toml"), "[logs]\nkeep = 1\n").unwrap();
        assert!(DaemonSettings::load(&home).unwrap_err().to_string().contains("keep"));
        // The heartbeat: https, or http only on this machine.
        std::fs::write(dir.path().join("obmen.toml"), "[alerts]\nheartbeat = \"https://hc.example.bg/ping/1\"\nheartbeat_every_secs = 0\n").unwrap();
        let s = DaemonSettings::load(&home).unwrap();
        assert_eq!((s.heartbeat.as_deref(), s.heartbeat_every_secs), (Some("https://hc.example.bg/ping/1"), 0));
        std::fs::write(dir.path().join("obmen.toml"), "[alerts]\nheartbeat = \"http://hc.example.bg/ping/1\"\n").unwrap();
        let e = DaemonSettings::load(&home).unwrap_err().to_string();
        assert!(e.contains("alerts.heartbeat"), "{e}");
        std::fs::write(dir.path().join("obmen.toml"), "[alerts]\nheartbeat = \"http://127.0.0.1:9/ping\"\n").unwrap();
        assert!(DaemonSettings::load(&home).is_ok());
        // metrics_listen: a port alone is on this machine; an address as written; else an error.
        std::fs::write(dir.path().join("obmen.toml"), "[daemon]\nmetrics_listen = \"9464\"\n").unwrap();
        assert_eq!(DaemonSettings::load(&home).unwrap().metrics_listen, Some(([127, 0, 0, 1], 9464).into()));
        std::fs::write(dir.path().join("obmen.toml"), "[daemon]\nmetrics_listen = \"0.0.0.0:9100\"\n").unwrap();
        assert_eq!(DaemonSettings::load(&home).unwrap().metrics_listen, Some(([0, 0, 0, 0], 9100).into()));
        std::fs::write(dir.path().join("obmen.toml"), "[daemon]\nmetrics_listen = \"localhost:x\"\n[provenance]\nretention_years = 0\n").unwrap();
        let e = DaemonSettings::load(&home).unwrap_err().to_string();
        assert!(e.contains("daemon.metrics_listen") && e.contains("provenance.retention_years"), "{e}");
    }
}
