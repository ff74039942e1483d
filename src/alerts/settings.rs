//! `[alerts]` in the home's `obmen.toml`: where alerts go and when, with overrides per server.
//!
//! ```toml
//! [alerts]
//! smtp = "smtp://mail.example.bg:587"   # STARTTLS required (plain SMTP only to this machine);
//!                                       #   smtps://host:465 for TLS from the first byte
//! smtp_user = "obmen@example.bg"
//! smtp_password_file = "smtp.password"  # or smtp_password_env = "OBMEN_SMTP_PASSWORD"
//! from = "obmen <obmen@example.bg>"
//! to = ["owner@example.bg", "consultant@example.bg"]
//! webhook = "https://hooks.example.bg/obmen"   # a JSON POST per message
//! language = "bg"                       # the messages' language [default: the daemon's]
//! remind_every_secs = 14400             # a problem that lasts is told again at most this often (0: never)
//! silence_margin_secs = 600             # a run late by more than this is a problem
//! unacknowledged_runs = 3               # the shop refusing acknowledgements this many runs in a row is one (0: off)
//! digest_at = "08:00"                   # a daily report at this time [default: none]
//!
//! [alerts.server."Shop Plovdiv"]        # overrides for one server
//! enabled = true
//! to = ["plovdiv@example.bg"]
//! webhook = "https://hooks.example.bg/plovdiv"
//! remind_every_secs = 3600
//! silence_margin_secs = 300
//! unacknowledged_runs = 5
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use serde::Deserialize;

use crate::config::secrets::{Noun, SecretFields};
use crate::config::{ConfigError, Lang};
use crate::i18n::{current, Msg};
use crate::secret::Secret;

/// How the mail server is spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// STARTTLS, required (`smtp://` to another machine).
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Tls,
    /// STARTTLS where offered, else plain (`smtp://` to this machine only).
    Loopback,
}

/// The mail server and the messages' envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smtp {
    /// Its host.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// How it is spoken to.
    pub security: SmtpSecurity,
    /// The user to log in as, where it asks.
    pub user: Option<String>,
    /// The password.
    pub password: Option<Secret>,
    /// The sender.
    pub from: String,
}

/// The settings of one server, the `[alerts]` defaults with its overrides over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForServer {
    /// Alerts of it are sent at all.
    pub enabled: bool,
    /// Who gets its e-mail (none: no e-mail).
    pub to: Vec<String>,
    /// Where its webhook goes.
    pub webhook: Option<String>,
    /// A lasting problem is told again at most this often (0: never).
    pub remind_every_secs: u32,
    /// A run late by more than this is a problem.
    pub silence_margin_secs: u32,
    /// The shop refusing acknowledgements this many runs in a row is a problem (0: never).
    pub unacknowledged_runs: u32,
}

/// `[alerts.server."NAME"]`: what one server changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Override {
    /// `enabled`.
    pub enabled: Option<bool>,
    /// `to`.
    pub to: Option<Vec<String>>,
    /// `webhook`.
    pub webhook: Option<String>,
    /// `remind_every_secs`.
    pub remind_every_secs: Option<u32>,
    /// `silence_margin_secs`.
    pub silence_margin_secs: Option<u32>,
    /// `unacknowledged_runs`.
    pub unacknowledged_runs: Option<u32>,
}

/// `[alerts]`, beside the heartbeat (which [`crate::daemon::DaemonSettings`] holds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertSettings {
    /// The mail server, where e-mail is sent.
    pub smtp: Option<Smtp>,
    /// Who gets e-mail.
    pub to: Vec<String>,
    /// The webhook.
    pub webhook: Option<String>,
    /// The messages' language (None: the daemon's).
    pub language: Option<Lang>,
    /// See [`ForServer::remind_every_secs`].
    pub remind_every_secs: u32,
    /// See [`ForServer::silence_margin_secs`].
    pub silence_margin_secs: u32,
    /// See [`ForServer::unacknowledged_runs`].
    pub unacknowledged_runs: u32,
    /// The daily digest's time of day, where one is sent.
    pub digest_at: Option<chrono::NaiveTime>,
    /// Overrides by server name.
    pub servers: BTreeMap<String, Override>,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            smtp: None,
            to: Vec::new(),
            webhook: None,
            language: None,
            remind_every_secs: 4 * 3600,
            silence_margin_secs: 600,
            unacknowledged_runs: 3,
            digest_at: None,
            servers: BTreeMap::new(),
        }
    }
}

impl AlertSettings {
    /// True when some channel is set: e-mail or a webhook, here or for a server.
    pub fn any_channel(&self) -> bool {
        (self.smtp.is_some() && (!self.to.is_empty() || self.servers.values().any(|o| o.to.as_ref().is_some_and(|t| !t.is_empty()))))
            || self.webhook.is_some()
            || self.servers.values().any(|o| o.webhook.is_some())
    }

    /// A server's settings: the defaults with its overrides.
    pub fn for_server(&self, name: &str) -> ForServer {
        let o = self.servers.get(name).cloned().unwrap_or_default();
        let to = if self.smtp.is_some() { o.to.unwrap_or_else(|| self.to.clone()) } else { Vec::new() };
        ForServer {
            enabled: o.enabled.unwrap_or(true),
            to,
            webhook: o.webhook.or_else(|| self.webhook.clone()),
            remind_every_secs: o.remind_every_secs.unwrap_or(self.remind_every_secs),
            silence_margin_secs: o.silence_margin_secs.unwrap_or(self.silence_margin_secs),
            unacknowledged_runs: o.unacknowledged_runs.unwrap_or(self.unacknowledged_runs),
        }
    }

    /// The recipients of messages about no one server (the digest, a test): the defaults.
    pub fn general(&self) -> ForServer {
        self.for_server("")
    }

    /// The language messages are worded in.
    pub fn lang(&self) -> Lang {
        self.language.unwrap_or_else(current)
    }
}

/// `[alerts]` as written (the heartbeat's keys are read beside).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct Part {
    pub(crate) heartbeat: Option<String>,
    pub(crate) heartbeat_every_secs: Option<i64>,
    smtp: Option<String>,
    smtp_user: Option<String>,
    smtp_password_file: Option<String>,
    smtp_password_env: Option<String>,
    from: Option<String>,
    to: Option<Vec<String>>,
    webhook: Option<String>,
    language: Option<String>,
    remind_every_secs: Option<i64>,
    silence_margin_secs: Option<i64>,
    unacknowledged_runs: Option<i64>,
    digest_at: Option<String>,
    #[serde(default)]
    server: BTreeMap<String, OverridePart>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OverridePart {
    enabled: Option<bool>,
    to: Option<Vec<String>>,
    webhook: Option<String>,
    remind_every_secs: Option<i64>,
    silence_margin_secs: Option<i64>,
    unacknowledged_runs: Option<i64>,
}

/// A number in a range; out of it, an error naming the field.
fn number(path: &Path, key: &str, v: Option<i64>, max: i64, errors: &mut Vec<ConfigError>) -> Option<u32> {
    match v {
        None => None,
        Some(n) if (0..=max).contains(&n) => u32::try_from(n).ok(),
        Some(n) => {
            errors.push(ConfigError::field(path, key, Msg::OutOfRange.with(current(), &[("n", &n), ("min", &0), ("max", &max)])));
            None
        }
    }
}

/// Addresses, each checked: an error names the field.
fn addresses(path: &Path, key: &str, list: Vec<String>, errors: &mut Vec<ConfigError>) -> Vec<String> {
    let mut out = Vec::new();
    for a in list {
        let a = a.trim().to_owned();
        match lettre::message::Mailbox::from_str(&a) {
            Ok(_) => out.push(a),
            Err(_) => errors.push(ConfigError::field(path, key, Msg::AlertBadAddress.with(current(), &[("address", &a)]))),
        }
    }
    out
}

fn webhook(path: &Path, key: &str, url: Option<String>, errors: &mut Vec<ConfigError>) -> Option<String> {
    let url = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty())?;
    match crate::config::validate::check_url(&url) {
        Ok(()) => Some(url),
        Err(e) => {
            errors.push(ConfigError::field(path, key, e));
            None
        }
    }
}

/// The mail server's address: `smtp://host[:port]` (587) or `smtps://host[:port]` (465).
fn smtp_address(s: &str) -> Result<(String, u16, SmtpSecurity), String> {
    let bad = || Msg::AlertSmtpBad.with(current(), &[("url", &s)]);
    let url = reqwest::Url::parse(s.trim()).map_err(|_| bad())?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Msg::AlertSmtpCredentials.get(current()).to_owned());
    }
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(bad)?.trim_start_matches('[').trim_end_matches(']').to_owned();
    if !matches!(url.path(), "" | "/") || url.query().is_some() {
        return Err(bad());
    }
    let loopback = crate::config::validate::is_loopback(&host);
    match url.scheme() {
        "smtp" => Ok((host, url.port().unwrap_or(587), if loopback { SmtpSecurity::Loopback } else { SmtpSecurity::StartTls })),
        "smtps" => Ok((host, url.port().unwrap_or(465), SmtpSecurity::Tls)),
        _ => Err(bad()),
    }
}

impl Part {
    /// The settings, every problem found named with its field.
    pub(crate) fn settings(self, path: &Path, errors: &mut Vec<ConfigError>) -> AlertSettings {
        let smtp_written = self.smtp.as_deref().is_some_and(|u| !u.trim().is_empty());
        let d = AlertSettings::default();
        let mut s = AlertSettings {
            remind_every_secs: number(path, "alerts.remind_every_secs", self.remind_every_secs, 30 * 86_400, errors).unwrap_or(d.remind_every_secs),
            silence_margin_secs: number(path, "alerts.silence_margin_secs", self.silence_margin_secs, 7 * 86_400, errors).unwrap_or(d.silence_margin_secs),
            unacknowledged_runs: number(path, "alerts.unacknowledged_runs", self.unacknowledged_runs, 1000, errors).unwrap_or(d.unacknowledged_runs),
            webhook: webhook(path, "alerts.webhook", self.webhook, errors),
            to: addresses(path, "alerts.to", self.to.unwrap_or_default(), errors),
            ..d
        };
        if let Some(code) = self.language {
            match Lang::from_code(&code) {
                Some(l) => s.language = Some(l),
                None => errors.push(ConfigError::field(path, "alerts.language", Msg::AlertBadLanguage.with(current(), &[("code", &code)]))),
            }
        }
        if let Some(at) = self.digest_at {
            match chrono::NaiveTime::parse_from_str(at.trim(), "%H:%M") {
                Ok(t) => s.digest_at = Some(t),
                Err(_) => errors.push(ConfigError::field(path, "alerts.digest_at", Msg::AlertBadTime.with(current(), &[("time", &at)]))),
            }
        }
        match self.smtp.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()) {
            Some(url) => match smtp_address(&url) {
                Ok((host, port, security)) => {
                    let password = match (&self.smtp_password_file, &self.smtp_password_env) {
                        (None, None) => None,
                        (file, env) => {
                            let fields =
                                SecretFields { noun: Noun::Password, key: "alerts.smtp_password", value: None, file: file.as_deref(), env: env.as_deref() };
                            if fields.ways() > 1 {
                                errors.push(ConfigError::field(path, "alerts.smtp_password_file", Msg::AlertPasswordTwice.get(current())));
                                None
                            } else {
                                match crate::config::secrets::resolve(path, fields) {
                                    Ok(p) => Some(p),
                                    Err(e) => {
                                        errors.extend(e.0);
                                        None
                                    }
                                }
                            }
                        }
                    };
                    let user = self.smtp_user.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
                    if user.is_some() != (password.is_some() || self.smtp_password_file.is_some() || self.smtp_password_env.is_some()) {
                        let key = if user.is_some() { "alerts.smtp_password_file" } else { "alerts.smtp_user" };
                        errors.push(ConfigError::field(path, key, Msg::AlertUserAndPassword.get(current())));
                    }
                    let from = match self.from.map(|f| f.trim().to_owned()).filter(|f| !f.is_empty()) {
                        Some(f) if lettre::message::Mailbox::from_str(&f).is_ok() => Some(f),
                        Some(f) => {
                            errors.push(ConfigError::field(path, "alerts.from", Msg::AlertBadAddress.with(current(), &[("address", &f)])));
                            None
                        }
                        None => {
                            errors.push(ConfigError::field(path, "alerts.from", Msg::AlertNeedsFrom.get(current())));
                            None
                        }
                    };
                    if let Some(from) = from {
                        s.smtp = Some(Smtp { host, port, security, user, password, from });
                    }
                }
                Err(e) => errors.push(ConfigError::field(path, "alerts.smtp", e)),
            },
            None => {
                for (key, set) in [
                    ("alerts.to", !s.to.is_empty()),
                    ("alerts.from", self.from.is_some()),
                    ("alerts.smtp_user", self.smtp_user.is_some()),
                    ("alerts.smtp_password_file", self.smtp_password_file.is_some()),
                    ("alerts.smtp_password_env", self.smtp_password_env.is_some()),
                ] {
                    if set {
                        errors.push(ConfigError::field(path, key, Msg::AlertNeedsSmtp.get(current())));
                    }
                }
            }
        }
        for (name, o) in self.server {
            let key = |k: &str| format!("alerts.server.{}.{k}", if name.contains(['.', ' ', '"']) { format!("\"{name}\"") } else { name.clone() });
            let to = o.to.map(|t| addresses(path, &key("to"), t, errors));
            if to.is_some() && !smtp_written {
                errors.push(ConfigError::field(path, key("to"), Msg::AlertNeedsSmtp.get(current())));
            }
            let over = Override {
                enabled: o.enabled,
                to,
                webhook: webhook(path, &key("webhook"), o.webhook, errors),
                remind_every_secs: number(path, &key("remind_every_secs"), o.remind_every_secs, 30 * 86_400, errors),
                silence_margin_secs: number(path, &key("silence_margin_secs"), o.silence_margin_secs, 7 * 86_400, errors),
                unacknowledged_runs: number(path, &key("unacknowledged_runs"), o.unacknowledged_runs, 1000, errors),
            };
            s.servers.insert(name, over);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Home;
    use crate::daemon::DaemonSettings;

    fn load(text: &str) -> Result<AlertSettings, String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pw"), "s3cret\n").unwrap();
        crate::config::set_mode(&dir.path().join("pw"), 0o600).unwrap();
        std::fs::write(dir.path().join("obmen.toml"), text).unwrap();
        DaemonSettings::load(&Home { root: dir.path().to_owned() }).map(|s| s.alerts).map_err(|e| e.to_string())
    }

    #[test]
    fn channels_security_overrides_and_errors_naming_the_field() {
        let s = load(
            "[alerts]\nsmtp = \"smtp://mail.example.bg\"\nsmtp_user = \"u\"\nsmtp_password_file = \"pw\"\nfrom = \"obmen <o@example.bg>\"\n\
             to = [\"a@example.bg\"]\nwebhook = \"https://h.example.bg/x\"\nlanguage = \"bg\"\ndigest_at = \"07:30\"\n\
             [alerts.server.\"Shop Plovdiv\"]\nto = [\"p@example.bg\"]\nremind_every_secs = 60\n[alerts.server.Off]\nenabled = false\n",
        )
        .unwrap();
        let smtp = s.smtp.clone().unwrap();
        assert_eq!((smtp.host.as_str(), smtp.port, smtp.security), ("mail.example.bg", 587, SmtpSecurity::StartTls));
        assert_eq!(smtp.password.as_ref().map(Secret::expose), Some("s3cret"));
        assert!(!format!("{s:?}").contains("s3cret"), "the password never prints");
        assert_eq!((s.language, s.digest_at), (Some(Lang::Bg), chrono::NaiveTime::from_hms_opt(7, 30, 0)));
        let p = s.for_server("Shop Plovdiv");
        assert_eq!((p.to, p.webhook.as_deref(), p.remind_every_secs), (vec!["p@example.bg".to_owned()], Some("https://h.example.bg/x"), 60));
        assert_eq!(s.for_server("Other").to, vec!["a@example.bg".to_owned()]);
        assert!(!s.for_server("Off").enabled);
        assert_eq!(load("[alerts]\nsmtp = \"smtps://m.example.bg\"\nfrom = \"o@x.bg\"\n").unwrap().smtp.unwrap().port, 465);
        assert_eq!(load("[alerts]\nsmtp = \"smtp://127.0.0.1:2525\"\nfrom = \"o@x.bg\"\n").unwrap().smtp.unwrap().security, SmtpSecurity::Loopback);

        for (text, field) in [
            ("[alerts]\nsmtp = \"http://m.example.bg\"\nfrom = \"o@x.bg\"\n", "alerts.smtp"),
            ("[alerts]\nsmtp = \"smtp://u:p@m.example.bg\"\nfrom = \"o@x.bg\"\n", "alerts.smtp"),
            ("[alerts]\nsmtp = \"smtp://m.example.bg\"\n", "alerts.from"),
            ("[alerts]\nsmtp = \"smtp://m.example.bg\"\nfrom = \"not an address\"\n", "alerts.from"),
            ("[alerts]\nsmtp = \"smtp://m.example.bg\"\nfrom = \"o@x.bg\"\nto = [\"x\"]\n", "alerts.to"),
            ("[alerts]\nsmtp = \"smtp://m.example.bg\"\nfrom = \"o@x.bg\"\nsmtp_user = \"u\"\n", "alerts.smtp_password_file"),
            ("[alerts]\nsmtp = \"smtp://m.example.bg\"\nfrom = \"o@x.bg\"\nsmtp_password_file = \"pw\"\n", "alerts.smtp_user"),
            (
                "[alerts]\nsmtp = \"smtp://m.example.bg\"\nfrom = \"o@x.bg\"\nsmtp_user = \"u\"\nsmtp_password_env = \"OBMEN_NO_SUCH_VAR_41\"\n",
                "alerts.smtp_password_env",
            ),
            ("[alerts]\nto = [\"a@x.bg\"]\n", "alerts.to"),
            ("[alerts]\nwebhook = \"http://hooks.example.bg/x\"\n", "alerts.webhook"),
            ("[alerts]\nlanguage = \"de\"\n", "alerts.language"),
            ("[alerts]\ndigest_at = \"25:00\"\n", "alerts.digest_at"),
            ("[alerts]\nremind_every_secs = -1\n", "alerts.remind_every_secs"),
            ("[alerts.server.S]\nwebhook = \"ftp://x\"\n", "alerts.server.S.webhook"),
            ("[alerts.server.\"Shop 2\"]\nto = [\"a@x.bg\"]\n", "alerts.server.\"Shop 2\".to"),
            ("[alerts]\nsmtp_host = \"x\"\n", "smtp_host"),
        ] {
            let e = load(text).unwrap_err();
            assert!(e.contains("obmen.toml") && e.contains(field), "{text}: {e}");
        }
    }
}
