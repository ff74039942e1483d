//! The channels: e-mail through the `[alerts]` mail server (lettre's SMTP client: STARTTLS
//! required, or TLS from the first byte, plain only to this machine), and a webhook (a JSON POST).
//! An error is said in words that never hold a password or a channel's address.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::settings::{AlertSettings, Smtp, SmtpSecurity};
use crate::i18n::{current, Msg};

/// How long one message may take to be handed over.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// The channels, ready to send.
#[derive(Clone)]
pub struct Channels {
    smtp: Option<(Result<AsyncSmtpTransport<Tokio1Executor>, String>, Smtp)>,
    http: Option<reqwest::Client>,
}

impl Channels {
    /// The channels of these settings (a mail server that cannot be set up is said at each
    /// send).
    pub fn new(settings: &AlertSettings) -> Channels {
        crate::net::install_crypto_provider();
        let smtp = settings.smtp.clone().map(|s| (transport(&s).map_err(|e| smtp_error(&e, &s)), s));
        let http = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .user_agent(concat!("obmen/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .ok();
        Channels { smtp, http }
    }

    /// Sends an e-mail to these recipients.
    pub async fn email(&self, to: &[String], subject: &str, text: &str) -> Result<(), String> {
        let Some((transport, smtp)) = &self.smtp else {
            return Err(Msg::AlertNeedsSmtp.get(current()).to_owned());
        };
        let transport = transport.as_ref().map_err(Clone::clone)?;
        let from: Mailbox = smtp.from.parse().map_err(|_| Msg::AlertBadAddress.with(current(), &[("address", &smtp.from)]))?;
        let mut builder = Message::builder().from(from).subject(subject).header(ContentType::TEXT_PLAIN);
        for t in to {
            let mailbox: Mailbox = t.parse().map_err(|_| Msg::AlertBadAddress.with(current(), &[("address", t)]))?;
            builder = builder.to(mailbox);
        }
        let message = builder.body(text.to_owned()).map_err(|e| e.to_string())?;
        match tokio::time::timeout(SEND_TIMEOUT, transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(smtp_error(&e, smtp)),
            Err(_) => Err(Msg::AlertSmtpUnreachable.with(current(), &[("error", &Msg::NetTimeout.get(current()))])),
        }
    }

    /// POSTs a JSON body to a webhook.
    pub async fn webhook(&self, url: &str, json: &str) -> Result<(), String> {
        let Some(http) = &self.http else { return Err("no HTTP client".to_owned()) };
        match http.post(url).header("content-type", "application/json").body(json.to_owned()).send().await {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => Err(Msg::AlertWebhookStatus.with(current(), &[("status", &r.status())])),
            Err(e) => Err(Msg::AlertWebhookStatus.with(current(), &[("status", &failure(&e))])),
        }
    }
}

fn transport(s: &Smtp) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
    let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host).port(s.port).timeout(Some(SEND_TIMEOUT));
    let builder = match s.security {
        SmtpSecurity::StartTls => builder.tls(Tls::Required(TlsParameters::new(s.host.clone())?)),
        SmtpSecurity::Tls => builder.tls(Tls::Wrapper(TlsParameters::new(s.host.clone())?)),
        SmtpSecurity::Loopback => builder.tls(Tls::None),
    };
    let builder = match (&s.user, &s.password) {
        (Some(user), Some(password)) => builder.credentials(Credentials::new(user.clone(), password.expose().to_owned())),
        _ => builder,
    };
    Ok(builder.build())
}

/// A mail error in words: what the server said, or that it could not be reached; the password
/// masked should any part of it come back.
fn smtp_error(e: &lettre::transport::smtp::Error, smtp: &Smtp) -> String {
    let mut said = e.to_string();
    if let Some(p) = smtp.password.as_ref().filter(|p| !p.is_empty()) {
        said = said.replace(p.expose(), crate::secret::MASK);
    }
    if e.is_permanent() || e.is_transient() {
        Msg::AlertSmtpError.with(current(), &[("error", &said)])
    } else {
        Msg::AlertSmtpUnreachable.with(current(), &[("error", &said)])
    }
}

/// Pings a heartbeat address (GET): None when it answered 2xx, else what went wrong, in words
/// that do not hold the address (it may be the watcher's secret).
pub async fn ping(client: &reqwest::Client, url: &str) -> Option<String> {
    match client.get(url).send().await {
        Ok(r) if r.status().is_success() => None,
        Ok(r) => Some(r.status().to_string()),
        Err(e) => Some(failure(&e)),
    }
}

/// What kind of failure an HTTP call met, in words: the error's own words name the address
/// (which may hold a token), so only its kind is told.
fn failure(e: &reqwest::Error) -> String {
    let word = if e.is_timeout() {
        Msg::NetTimeout
    } else if e.is_connect() {
        Msg::NetNoConnection
    } else {
        Msg::NetNoAnswer
    };
    word.get(current()).to_owned()
}

/// `obmen alerts test`: a test message to every channel set (the e-mail recipients of the
/// defaults and of each server that has its own, each webhook), and a ping of the heartbeat; a
/// green or red line each, worded in `lang`, the messages in the alerts' language.
pub async fn test_all(settings: &crate::daemon::DaemonSettings, lang: crate::config::Lang) -> Vec<crate::kinds::Check> {
    use crate::kinds::Check;
    let alerts = &settings.alerts;
    let channels = Channels::new(alerts);
    let notice = super::Notice::test(alerts.lang());
    let mut checks = Vec::new();
    let mut lists: Vec<Vec<String>> = Vec::new();
    let mut hooks: Vec<(String, Option<String>)> = Vec::new();
    let general = alerts.general();
    if !general.to.is_empty() {
        lists.push(general.to.clone());
    }
    if let Some(w) = &general.webhook {
        hooks.push((w.clone(), None));
    }
    for name in alerts.servers.keys() {
        let s = alerts.for_server(name);
        if !s.enabled {
            continue;
        }
        if !s.to.is_empty() && !lists.contains(&s.to) {
            lists.push(s.to.clone());
        }
        if let Some(w) = s.webhook.filter(|w| !hooks.iter().any(|(h, _)| h == w)) {
            hooks.push((w, Some(name.clone())));
        }
    }
    for to in lists {
        let what = Msg::AlertChannelEmail.with(lang, &[("to", &to.join(", "))]);
        checks.push(match channels.email(&to, &notice.subject, &notice.text).await {
            Ok(()) => Check::ok(what, Msg::AlertsTestSent.get(lang)),
            Err(e) => Check::failed(what, e),
        });
    }
    for (url, server) in hooks {
        let mut what = Msg::AlertChannelWebhook.get(lang).to_owned();
        if let Some(s) = server {
            what = format!("{what} ({s})");
        }
        checks.push(match channels.webhook(&url, &notice.json).await {
            Ok(()) => Check::ok(what, Msg::AlertsTestSent.get(lang)),
            Err(e) => Check::failed(what, e),
        });
    }
    if let (Some(url), Some(http)) = (&settings.heartbeat, &channels.http) {
        let what = Msg::AlertChannelHeartbeat.get(lang);
        checks.push(match ping(http, url).await {
            None => Check::ok(what, Msg::AlertsTestPinged.get(lang)),
            Some(e) => Check::failed(what, e),
        });
    }
    checks
}
