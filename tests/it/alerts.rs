//! Alerts as a user meets them: a real SMTP server on loopback (aiosmtpd, with a login), a
//! webhook receiver, and the daemon as a real process whose database is cut (a relay taken down)
//! and whose second server hangs on a database that never answers.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use obmen::shopiko::sim::SimConfig;
use obmen::warehouse::Dialect;
use serde_json::Value;

use crate::daemon::{all_logs, daemon_settings, mysql_port, obmen, Daemon, Relay};
use crate::exchange::Setup;
use crate::shopiko::{API_ID, KEY};

const SMTP_USER: &str = "obmen-alerts";
const SMTP_PASSWORD: &str = "smtp-pw-7c1e9b";
const HOOK_TOKEN: &str = "tok-3f9a-secret";

/// aiosmtpd on a free loopback port, taking mail after a login; each message a JSON file.
pub struct Smtp {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Child,
}

impl Smtp {
    pub fn start() -> Smtp {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        // Debian's interpreter, where python3-aiosmtpd is installed (make test installs it).
        let python = if std::path::Path::new("/usr/bin/python3").exists() { "/usr/bin/python3" } else { "python3" };
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_server.py");
        let mut child = Command::new(python)
            .args([script, &port.to_string(), &dir.path().display().to_string(), SMTP_USER, SMTP_PASSWORD])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 for the SMTP server (make test installs python3-aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start (is python3-aiosmtpd installed? make test installs it)");
        Smtp { port, dir, child }
    }

    /// The messages taken, in order.
    pub fn messages(&self) -> Vec<Value> {
        let mut files: Vec<(u64, std::path::PathBuf)> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .flatten()
            .filter_map(|e| {
                let p = e.path();
                let n = p.file_stem()?.to_str()?.parse().ok()?;
                (p.extension()? == "json").then_some((n, p))
            })
            .collect();
        files.sort();
        files.into_iter().map(|(_, p)| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
    }

    pub fn subjects(&self) -> Vec<String> {
        self.messages().iter().map(|m| m["subject"].as_str().unwrap().to_owned()).collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A webhook receiver on loopback: keeps each POST's path and JSON body; answers 200.
pub struct Hooks {
    pub addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<(String, Value)>>>,
}

impl Hooks {
    pub fn start() -> Hooks {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
        let log = seen.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                let mut reader = BufReader::new(conn);
                let mut head = String::new();
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                let mut body = vec![0u8; length];
                let _ = reader.read_exact(&mut body);
                let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                log.lock().unwrap().push((path, serde_json::from_slice(&body).unwrap_or(Value::Null)));
                let _ = reader.get_mut().write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK");
            }
        });
        Hooks { addr, seen }
    }

    pub fn bodies(&self) -> Vec<Value> {
        self.seen.lock().unwrap().iter().map(|(_, b)| b.clone()).collect()
    }

    /// The messages of one server's problem and event.
    pub fn of(&self, server: &str, problem: &str, event: &str) -> usize {
        self.bodies().iter().filter(|b| b["server"] == server && b["problem"] == problem && b["event"] == event).count()
    }
}

fn count(subjects: &[String], text: &str) -> usize {
    subjects.iter().filter(|s| s.contains(text)).count()
}

/// `obmen alerts test` says green or red for each channel; then the daemon: its database cut
/// across many retries gives exactly one "failed" message on each channel, and its return
/// exactly one "works again"; a server whose rule should have started a run and did not (its
/// run hangs on a database that never answers) gives a "late" message. Messages are in the
/// language `[alerts]` sets (Bulgarian here), a server's override sends its mail to its own
/// recipient, and no message or log line holds the mail password, the webhook's token or the
/// database's password.
#[test]
fn a_problem_is_told_once_when_it_starts_and_once_when_it_clears_on_every_channel() {
    let smtp = Smtp::start();
    let hooks = Hooks::start();
    let shop = SimConfig { seed_orders: 10, seed_products: 20, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Mysql, 20, shop, &[("import", "\"periodic\""), ("import_every_min", "1")]);
    let home = setup.home.path();
    let port = mysql_port(&setup.db.connection);
    let db_password = setup.db.connection.split(';').find_map(|kv| kv.strip_prefix("Pwd=")).unwrap().to_owned();
    let relay = Relay::new(port);
    let text = std::fs::read_to_string(home.join("servers/Shop.toml")).unwrap();
    let shop_file = text.replace(&format!("Port={port}"), &format!("Port={}", relay.port));
    std::fs::write(home.join("servers/Shop.toml"), format!("autostart = true\n{shop_file}")).unwrap();
    let hung = text
        .replace("name = \"Shop\"", "name = \"Hung\"")
        .replace(&format!("Port={port}"), &format!("Port={}", crate::support::silent_database()))
        .replace("[database]\n", "[database]\nlogin_timeout_secs = 600\n");
    std::fs::write(home.join("servers/Hung.toml"), format!("autostart = true\n{hung}")).unwrap();
    std::fs::write(home.join("smtp.password"), format!("{SMTP_PASSWORD}\n")).unwrap();
    obmen::config::set_mode(&home.join("smtp.password"), 0o600).unwrap();
    let settings = |password_file: &str| {
        format!(
            "[daemon]\nretry_first_secs = 1\nretry_max_secs = 2\n\n[alerts]\nsmtp = \"smtp://127.0.0.1:{}\"\nsmtp_user = \"{SMTP_USER}\"\n\
             smtp_password_file = \"{password_file}\"\nfrom = \"obmen <obmen@shop.example.bg>\"\nto = [\"owner@shop.example.bg\"]\n\
             webhook = \"http://{}/hook/{HOOK_TOKEN}\"\nlanguage = \"bg\"\nremind_every_secs = 3600\n\n\
             [alerts.server.Hung]\nsilence_margin_secs = 1\nto = [\"consultant@shop.example.bg\"]\n",
            smtp.port, hooks.addr
        )
    };

    // The test: a line a channel (the two recipient lists, the webhook), in the command line's
    // language; the messages in the alerts'.
    daemon_settings(home, &settings("smtp.password"));
    let o = obmen(home, &["alerts", "test"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{out}{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("✔ E-mail to owner@shop.example.bg: sent") && out.contains("✔ E-mail to consultant@shop.example.bg: sent"), "{out}");
    assert!(out.contains("✔ Webhook: sent"), "{out}");
    let mut waited = 0;
    while smtp.messages().len() < 2 && waited < 100 {
        std::thread::sleep(Duration::from_millis(50));
        waited += 1;
    }
    assert_eq!(count(&smtp.subjects(), "obmen: пробно съобщение от"), 2, "{:?}", smtp.subjects());
    let rcpts: Vec<Value> = smtp.messages().iter().map(|m| m["rcpt"].clone()).collect();
    assert!(rcpts.contains(&serde_json::json!(["owner@shop.example.bg"])) && rcpts.contains(&serde_json::json!(["consultant@shop.example.bg"])));
    assert_eq!(hooks.bodies().iter().filter(|b| b["event"] == "test").count(), 1);
    assert!(hooks.seen.lock().unwrap().iter().all(|(p, _)| p == &format!("/hook/{HOOK_TOKEN}")));
    // A password the mail server refuses: red, with the server's words, exit 1; the webhook
    // stays green.
    std::fs::write(home.join("wrong.password"), "not-the-password\n").unwrap();
    obmen::config::set_mode(&home.join("wrong.password"), 0o600).unwrap();
    daemon_settings(home, &settings("wrong.password"));
    let o = obmen(home, &["alerts", "test"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("✘ E-mail to owner@shop.example.bg: the mail server said:") && out.contains("✔ Webhook: sent"), "{out}");
    assert!(!out.contains("not-the-password"), "{out}");
    daemon_settings(home, &settings("smtp.password"));

    // The database is cut: one "failed" a channel across the retries.
    relay.down();
    let d = Daemon::start(home);
    d.wait_state("Shop", "failed", Duration::from_secs(60));
    d.wait_for(Duration::from_secs(60), "four failed runs", |d| d.status("Shop")["counters"]["errors"].as_u64().unwrap_or(0) >= 4);
    d.wait_for(Duration::from_secs(20), "the failed mail", |_| count(&smtp.subjects(), "сървър 'Shop' спря с грешка") == 1);
    std::thread::sleep(Duration::from_secs(3));
    let subjects = smtp.subjects();
    assert_eq!(count(&subjects, "сървър 'Shop' спря с грешка"), 1, "{subjects:?}");
    assert_eq!(hooks.of("Shop", "failed", "started"), 1, "{:?}", hooks.bodies());
    let failed = hooks.bodies().into_iter().find(|b| b["server"] == "Shop" && b["event"] == "started").unwrap();
    assert_eq!(failed["kind"], "WarehousePro Import Export Shopiko");
    assert_eq!(failed["language"], "bg");
    assert!(failed["reason"].as_str().unwrap().len() > 10 && failed["what_to_do"].as_str().unwrap().contains("obmen log Shop"), "{failed}");
    assert!(failed["run"].as_i64().is_some() && failed["time"].as_str().is_some(), "{failed}");

    // It comes back: one "works again" a channel.
    relay.up();
    d.wait_for(Duration::from_secs(60), "the orders after the database came back", |_| setup.sim.sim.stats().orders_acknowledged == 10);
    d.wait_for(Duration::from_secs(20), "the recovered mail", |_| count(&smtp.subjects(), "сървър 'Shop' работи отново") == 1);
    d.wait_for(Duration::from_secs(10), "the recovered webhook", |_| hooks.of("Shop", "failed", "cleared") == 1);

    // The hung server's run should have been followed by another a minute after it started.
    d.wait_for(Duration::from_secs(100), "the late run's alert", |_| hooks.of("Hung", "silent", "started") == 1);
    d.wait_for(Duration::from_secs(10), "the late run's mail", |_| count(&smtp.subjects(), "сървър 'Hung' не е направил обмен") == 1);
    let late = smtp.messages().into_iter().find(|m| m["subject"].as_str().unwrap().contains("'Hung'")).unwrap();
    assert_eq!(late["rcpt"], serde_json::json!(["consultant@shop.example.bg"]), "the server's own recipient");
    assert!(late["text"].as_str().unwrap().contains("не е приключил"), "{late}");

    std::thread::sleep(Duration::from_secs(2));
    let subjects = smtp.subjects();
    assert_eq!(count(&subjects, "сървър 'Shop' спря с грешка"), 1, "{subjects:?}");
    assert_eq!(count(&subjects, "сървър 'Shop' работи отново"), 1, "{subjects:?}");
    assert_eq!((hooks.of("Shop", "failed", "started"), hooks.of("Shop", "failed", "cleared")), (1, 1));
    assert_eq!(hooks.of("Hung", "silent", "started"), 1);
    drop(d);

    let everything = format!("{}{}{}", serde_json::to_string(&smtp.messages()).unwrap(), serde_json::to_string(&hooks.bodies()).unwrap(), all_logs(home));
    for secret in [SMTP_PASSWORD, HOOK_TOKEN, db_password.as_str()] {
        assert!(!everything.contains(secret), "'{secret}' is in a message or a log line");
    }
    relay.down();
}
