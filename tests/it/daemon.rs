//! The daemon as a real process on a temporary home, against MariaDB and the simulator, talked
//! to through its real socket and through the `obmen` command line: autostart, start/stop/run
//! now, SIGTERM in the middle of an import of 2,000 orders, a database that goes away and comes
//! back, a shop that refuses the key, one server's file edited while another runs, and the
//! socket refusing another user.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hyper::Method;
use obmen::control::{client::segment, Client, ClientError};
use obmen::shopiko::sim::SimConfig;
use obmen::warehouse::Dialect;
use serde_json::Value;

use crate::exchange::Setup;
use crate::shopiko::{API_ID, KEY};

const OBMEN: &str = env!("CARGO_BIN_EXE_obmen");

/// `obmen daemon` on a home; killed when dropped if still running.
pub struct Daemon {
    pub child: Child,
    pub home: std::path::PathBuf,
}

impl Daemon {
    pub fn start(home: &std::path::Path) -> Daemon {
        let child = Command::new(OBMEN)
            .arg("daemon")
            .env("OBMEN_HOME", home)
            .env("OBMEN_LANG", "en")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(home.join("daemon.stderr")).unwrap())
            .spawn()
            .unwrap();
        let d = Daemon { child, home: home.to_owned() };
        d.wait_for(Duration::from_secs(20), "the socket", |d| d.client_ok());
        d
    }

    pub fn client(&self) -> Client {
        Client::new(&self.home.join("obmen.sock"))
    }

    pub fn client_ok(&self) -> bool {
        rt().block_on(self.client().call::<Value>(Method::GET, "/v1/health", None)).is_ok()
    }

    pub fn status(&self, name: &str) -> Value {
        rt().block_on(self.client().call::<Value>(Method::GET, &format!("/v1/servers/{}", segment(name)), None)).unwrap()
    }

    pub fn wait_for(&self, limit: Duration, what: &str, mut f: impl FnMut(&Daemon) -> bool) {
        let start = Instant::now();
        while !f(self) {
            assert!(
                start.elapsed() < limit,
                "waited {limit:?} for {what}; daemon said: {}",
                std::fs::read_to_string(self.home.join("daemon.stderr")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_state(&self, name: &str, state: &str, limit: Duration) -> Value {
        let mut last = Value::Null;
        self.wait_for(limit, &format!("server '{name}' to be {state}"), |d| {
            last = d.status(name);
            last["state"] == state
        });
        last
    }

    pub fn term(&mut self) -> (std::process::ExitStatus, Duration) {
        let started = Instant::now();
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        let status = self.child.wait().unwrap();
        (status, started.elapsed())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

pub fn obmen(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(OBMEN).args(args).env("OBMEN_HOME", home).env("OBMEN_LANG", "en").output().unwrap()
}

/// Has servers/Shop.toml start with the daemon; its text as it was.
pub fn autostart(home: &std::path::Path) -> String {
    let path = home.join("servers/Shop.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("autostart = true\n{text}")).unwrap();
    text
}

pub fn daemon_settings(home: &std::path::Path, text: &str) {
    std::fs::write(home.join("obmen.toml"), text).unwrap();
}

#[test]
fn autostart_start_stop_and_run_now_through_the_socket_and_the_command_line() {
    let shop = SimConfig { seed_orders: 40, seed_products: 30, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Mysql, 30, shop, &[("import", "\"on_start\"")]);
    let home = setup.home.path();
    // A second server on the same shop and database that does not start by itself.
    let text = autostart(home);
    std::fs::write(
        home.join("servers/Manual.toml"),
        text.replace("name = \"Shop\"", "name = \"Manual\"").replace("import = \"on_start\"", "import = \"never\""),
    )
    .unwrap();

    // Without a daemon the command line says so.
    let o = obmen(home, &["start", "Shop"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no obmen daemon is running"), "{}", String::from_utf8_lossy(&o.stderr));

    let mut d = Daemon::start(home);
    // The autostart server imports its 40 orders on start, then waits with nothing planned.
    let st = d.wait_state("Shop", "waiting", Duration::from_secs(60));
    d.wait_for(Duration::from_secs(60), "40 orders", |_| setup.sim.sim.stats().orders_acknowledged == 40);
    let st2 = d.wait_state("Shop", "waiting", Duration::from_secs(30));
    assert!(st2["next"].is_null(), "on_start ran once: {st2} (was {st})");
    assert_eq!(st2["counters"]["imported"], 40);
    assert_eq!(d.status("Manual")["state"], "stopped", "not autostart");

    // The list says each one's state and counters.
    let list: Value = serde_json::from_slice(&obmen(home, &["server", "list", "--json"]).stdout).unwrap();
    assert_eq!(list[1]["name"], "Shop");
    assert_eq!(list[1]["status"]["state"], "waiting");
    assert_eq!(list[1]["counters"]["runs"], 1);
    assert_eq!(list[0]["status"]["state"], "stopped");

    // Run now through the CLI: the daemon runs it (no second copy), and the CLI streams it.
    setup.sim.sim.add_orders(5);
    let o = obmen(home, &["run", "Shop", "--import"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("runs in the daemon"));
    assert!(String::from_utf8_lossy(&o.stdout).contains("5 orders imported"), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(d.status("Shop")["counters"]["runs"], 2);

    // A stopped server in the daemon: `run` runs it in the foreground.
    let o = obmen(home, &["run", "Manual", "--import"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("runs in the daemon"));

    // Start and stop through the CLI and through the socket.
    let o = obmen(home, &["start", "Manual"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_ne!(d.status("Manual")["state"], "stopped");
    let v: Value = rt().block_on(d.client().call(Method::POST, "/v1/servers/Manual/stop", None)).unwrap();
    assert_eq!(v["stopped"], true);
    assert_eq!(d.status("Manual")["state"], "stopped");
    let o = obmen(home, &["stop", "Shop"]);
    assert!(o.status.success());
    assert_eq!(d.status("Shop")["state"], "stopped");
    // Run now on a stopped server through the socket: refused with the way to start it.
    match rt().block_on(d.client().call::<Value>(Method::POST, "/v1/servers/Shop/run", None)) {
        Err(ClientError::Api { status: 409, message, .. }) => assert!(message.contains("obmen start Shop"), "{message}"),
        other => panic!("{other:?}"),
    }
    match rt().block_on(d.client().call::<Value>(Method::GET, "/v1/servers/Nobody", None)) {
        Err(ClientError::Api { status: 404, .. }) => {}
        other => panic!("{other:?}"),
    }
    // The history and the log.
    let runs: Value = serde_json::from_slice(&obmen(home, &["runs", "Shop", "--json"]).stdout).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 2);
    let log = String::from_utf8_lossy(&obmen(home, &["log", "Shop", "--grep", "run ended"]).stdout).into_owned();
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(!log.contains(KEY));
    let (status, _) = d.term();
    assert!(status.success(), "{status}");
    assert!(!home.join("obmen.sock").exists(), "the socket is removed on exit");
}

#[test]
fn sigterm_during_an_import_of_2000_orders_leaves_no_partial_document_and_exits_in_time() {
    let shop = SimConfig { seed_orders: 2000, seed_products: 60, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Mysql, 60, shop, &[("import", "\"on_start\""), ("allow_negative_stock", "true")]);
    let home = setup.home.path();
    autostart(home);
    daemon_settings(home, "[daemon]\nstop_timeout_secs = 20\n");
    let wh = setup.db.open();
    let mut d = Daemon::start(home);
    d.wait_for(Duration::from_secs(120), "the first orders", |_| wh.imported_count(API_ID).unwrap_or(0) > 0);
    let (status, took) = d.term();
    let imported = wh.imported_count(API_ID).unwrap();
    eprintln!("daemon: SIGTERM after {imported} of 2000 orders; exited {status} in {took:?}");
    assert!(status.success(), "{status}: {}", std::fs::read_to_string(home.join("daemon.stderr")).unwrap());
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert!(imported < 2000, "the stop came before the end ({imported})");
    // Every document whole: lines and payments for each one logged, none without.
    let ints = |sql: &str| -> Vec<i32> { wh.query(&wh.dialect().sql(sql), (), |r| r.i32(1)).unwrap() };
    let logged: std::collections::HashSet<i32> = ints("SELECT {Acct} FROM {obmen_imports}").into_iter().collect();
    let docs: std::collections::HashSet<i32> = ints("SELECT DISTINCT {Acct} FROM {operations} WHERE {OperType} = 2 AND {Acct} > 0").into_iter().collect();
    let paid: std::collections::HashSet<i32> = ints("SELECT DISTINCT {Acct} FROM {payments} WHERE {OperType} = 2").into_iter().collect();
    assert_eq!(logged.len() as i64, imported);
    assert_eq!(docs, logged, "no orphan lines, no document without lines");
    assert_eq!(paid, logged, "no orphan payments");
    // The run is recorded as stopped, not left running.
    let runs: Value = serde_json::from_slice(&obmen(home, &["runs", "Shop", "--json"]).stdout).unwrap();
    assert_eq!(runs[0]["outcome"], "stopped", "{runs}");
    let log = String::from_utf8_lossy(&obmen(home, &["log", "daemon"]).stdout).into_owned();
    assert!(log.contains("Daemon stopped. Servers stopped: Shop."), "{log}");
    // Started again, it imports the rest, each once.
    let mut d = Daemon::start(home);
    d.wait_for(Duration::from_secs(180), "all 2000 orders", |_| wh.imported_count(API_ID).unwrap_or(0) == 2000);
    d.wait_state("Shop", "waiting", Duration::from_secs(60));
    assert_eq!(ints("SELECT COUNT(DISTINCT {Acct}) FROM {obmen_imports}")[0], 2000);
    d.term();
}

/// A TCP relay in front of MariaDB that can be taken down (connections refused, open ones cut)
/// and brought back on the same port: the database going away, as a server sees it.
pub struct Relay {
    pub port: u16,
    target: u16,
    tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    rt: tokio::runtime::Runtime,
}

impl Relay {
    pub fn new(target: u16) -> Relay {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let r = Relay { port, target, tasks: Arc::default(), rt };
        r.up();
        r
    }

    pub fn up(&self) {
        let (port, target, tasks) = (self.port, self.target, self.tasks.clone());
        let listener = self.rt.block_on(tokio::net::TcpListener::bind(("127.0.0.1", port))).unwrap();
        let accept = self.rt.spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { return };
                let conn = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(("127.0.0.1", target)).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().unwrap().push(conn);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    pub fn down(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn mysql_port(connection: &str) -> u16 {
    connection.split(';').find_map(|kv| kv.strip_prefix("Port=")).unwrap().parse().unwrap()
}

#[test]
fn a_database_that_goes_away_shows_failed_with_the_reason_and_recovers_by_itself() {
    let shop = SimConfig { seed_orders: 10, seed_products: 20, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Mysql, 20, shop, &[("import", "\"periodic\""), ("import_every_min", "1")]);
    let home = setup.home.path();
    let port = mysql_port(&setup.db.connection);
    let relay = Relay::new(port);
    let text = std::fs::read_to_string(home.join("servers/Shop.toml")).unwrap();
    let text = text.replace(&format!("Port={port}"), &format!("Port={}", relay.port));
    std::fs::write(home.join("servers/Shop.toml"), format!("autostart = true\n{text}")).unwrap();
    daemon_settings(home, "[daemon]\nretry_first_secs = 1\nretry_max_secs = 2\n[database]\n");
    // (An unknown section is refused with its file; the daemon does not start.)
    let o = Command::new(OBMEN).arg("daemon").env("OBMEN_HOME", home).output().unwrap();
    assert_eq!(o.status.code(), Some(78), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("obmen.toml"));
    daemon_settings(home, "[daemon]\nretry_first_secs = 1\nretry_max_secs = 2\n");

    relay.down();
    let d = Daemon::start(home);
    let failed = d.wait_state("Shop", "failed", Duration::from_secs(60));
    let reason = failed["reason"].as_str().unwrap().to_owned();
    assert!(!failed["retry_at"].is_null(), "transient: tried again by itself: {failed}");
    assert!(reason.to_lowercase().contains("connect") || reason.contains("database"), "{reason}");
    assert!(!reason.contains("obmen-test"), "no password in the reason: {reason}");
    let text = String::from_utf8_lossy(&obmen(home, &["server", "list"]).stdout).into_owned();
    assert!(text.contains("retrying") && text.contains("again at"), "tried again by itself, and when: {text}");
    // Tried again, with backoff, while down.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(setup.sim.sim.stats().orders_acknowledged, 0);
    relay.up();
    d.wait_for(Duration::from_secs(60), "the orders after the database came back", |_| setup.sim.sim.stats().orders_acknowledged == 10);
    let st = d.wait_state("Shop", "waiting", Duration::from_secs(30));
    assert!(st["counters"]["errors"].as_u64().unwrap() >= 1, "{st}");
    assert_eq!(st["counters"]["imported"], 10);
    relay.down();
}

#[test]
fn a_shop_that_refuses_the_key_stops_the_server_with_the_reason() {
    let shop = SimConfig { seed_orders: 3, seed_products: 5, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Mysql, 5, shop, &[("import", "\"periodic\""), ("import_every_min", "1")]);
    let home = setup.home.path();
    let text = std::fs::read_to_string(home.join("servers/Shop.toml")).unwrap().replace(&format!("key = \"{KEY}\""), "key = \"not-the-key-0000\"");
    std::fs::write(home.join("servers/Shop.toml"), format!("autostart = true\n{text}")).unwrap();
    let d = Daemon::start(home);
    let st = d.wait_state("Shop", "failed", Duration::from_secs(60));
    assert!(st["retry_at"].is_null(), "an operator must act: {st}");
    let reason = st["reason"].as_str().unwrap();
    assert!(reason.contains("401") || reason.to_lowercase().contains("key") || reason.to_lowercase().contains("signature"), "{reason}");
    assert!(!reason.contains("not-the-key-0000"));
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(d.status("Shop")["counters"]["runs"], 1, "not tried again");
    let log = String::from_utf8_lossy(&obmen(home, &["log", "Shop", "--level", "error"]).stdout).into_owned();
    assert!(log.contains("Correct this, then start it again"), "{log}");
    assert!(!log.contains("not-the-key-0000"));
}

#[test]
fn editing_one_servers_file_restarts_it_alone() {
    let shop = SimConfig { seed_orders: 0, seed_products: 5, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Mysql, 5, shop, &[("import", "\"periodic\""), ("import_every_min", "60")]);
    let home = setup.home.path();
    let text = autostart(home);
    std::fs::write(home.join("servers/Other.toml"), format!("autostart = true\n{}", text.replace("name = \"Shop\"", "name = \"Other\""))).unwrap();
    let d = Daemon::start(home);
    let shop0 = d.wait_state("Shop", "waiting", Duration::from_secs(60));
    let other0 = d.wait_state("Other", "waiting", Duration::from_secs(60));
    assert!(!shop0["next"].is_null());
    // Through the CLI: every 5 minutes instead of 60.
    let o = obmen(home, &["server", "edit", "Shop", "--set", "rules.import_every_min=5"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    d.wait_for(Duration::from_secs(30), "Shop's restart", |d| d.status("Shop")["counters"]["runs"] == 2);
    let shop1 = d.wait_state("Shop", "waiting", Duration::from_secs(30));
    let next = |v: &Value| chrono::DateTime::parse_from_rfc3339(v["next"].as_str().unwrap()).unwrap();
    assert!(next(&shop1) < next(&shop0), "the new period: {shop1} vs {shop0}");
    let other1 = d.status("Other");
    assert_eq!(other1["since"], other0["since"], "the other server was not touched");
    assert_eq!(other1["counters"]["runs"], 1);
    // Edited on disk: seen by the watch.
    let t = std::fs::read_to_string(home.join("servers/Other.toml")).unwrap().replace("import_every_min = 60", "import_every_min = 7");
    std::fs::write(home.join("servers/Other.toml"), t).unwrap();
    d.wait_for(Duration::from_secs(30), "Other's restart", |d| d.status("Other")["counters"]["runs"] == 2);
    let log = String::from_utf8_lossy(&obmen(home, &["log", "Shop", "--grep", "settings of server"]).stdout).into_owned();
    assert_eq!(log.lines().count(), 1, "Shop changed once: {log}");
    // An invalid edit: logged with file and field; the server keeps its settings.
    let t = std::fs::read_to_string(home.join("servers/Other.toml")).unwrap().replace("import_every_min = 7", "import_every_min = -3");
    std::fs::write(home.join("servers/Other.toml"), t).unwrap();
    let start = Instant::now();
    loop {
        let log = String::from_utf8_lossy(&obmen(home, &["log", "Other", "--level", "error"]).stdout).into_owned();
        if log.contains("rules.import_every_min") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{log}");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(d.status("Other")["state"], "waiting");
}

fn as_nobody(args: &[&str]) -> std::process::Output {
    Command::new("setpriv").args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]).args(args).output().unwrap()
}

#[test]
fn the_socket_is_private_and_refuses_another_user() {
    use std::os::unix::fs::PermissionsExt;
    let shop = SimConfig { seed_orders: 0, seed_products: 2, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Sqlite, 2, shop, &[("import", "\"never\"")]);
    let home = setup.home.path();
    let d = Daemon::start(home);
    let sock = home.join("obmen.sock");
    assert_eq!(std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777, 0o600);
    if as_nobody(&["/usr/bin/python3", "-c", "pass"]).status.code() != Some(0) {
        eprintln!("setpriv or /usr/bin/python3 cannot run as nobody here: the peer check is not tried");
        return;
    }
    // The home reachable, the socket 0600: nobody cannot connect.
    std::fs::set_permissions(home, std::fs::Permissions::from_mode(0o755)).unwrap();
    let probe = |path: &std::path::Path| {
        // The system's python (a user's own, e.g. under /root, is not nobody's to run).
        as_nobody(&["/usr/bin/python3", "-c", &format!(
            "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ntry:\n s.connect('{}')\nexcept Exception as e:\n print('refused', e); sys.exit(0)\ns.sendall(b'GET /v1/servers HTTP/1.1\\r\\nhost: x\\r\\nconnection: close\\r\\n\\r\\n')\nprint(s.makefile('rb').read().decode())",
            path.display()
        )])
    };
    let o = probe(&sock);
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(said.starts_with("refused"), "{said}");
    // Even with the socket opened to all, the daemon answers nobody 403 by its peer check.
    std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o666)).unwrap();
    let said = String::from_utf8_lossy(&probe(&sock).stdout).into_owned();
    assert!(said.starts_with("HTTP/1.1 403"), "{said}");
    assert!(said.contains("answers only its own user"), "{said}");
    assert!(!said.contains("Shop\""), "no server data: {said}");
    // The owner is still answered.
    assert!(d.client_ok());
}

/// The unit `service install --dry-run` prints, without its comment lines.
fn printed_unit(home: &std::path::Path, scope: &[&str]) -> String {
    let mut args = vec!["service", "install", "--dry-run"];
    args.extend_from_slice(scope);
    let o = obmen(home, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n")
}

fn verify(dir: &std::path::Path, unit: &str, user: bool) -> (bool, String) {
    let file = dir.join("obmen.service");
    std::fs::write(&file, unit).unwrap();
    let runtime = dir.join("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    let mut c = Command::new("systemd-analyze");
    if user {
        c.arg("--user");
    }
    let o = c.arg("verify").arg(&file).env("XDG_RUNTIME_DIR", &runtime).output().expect("systemd-analyze (scripts/deps.sh installs systemd)");
    (o.status.success(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn the_service_unit_passes_systemd_analyze_verify() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (scope, user) in [(&["--user"][..], true), (&[][..], false)] {
        let unit = printed_unit(home.path(), scope);
        assert!(unit.contains("Type=notify") && unit.contains("daemon"), "{unit}");
        let (ok, said) = verify(dir.path(), &unit, user);
        assert!(ok && said.trim().is_empty(), "systemd-analyze verify ({scope:?}): {said}\n{unit}");
    }
    // The check can fail: a misspelt key is reported.
    let unit = printed_unit(home.path(), &["--user"]).replace("Type=notify", "Typ=notify");
    let (_, said) = verify(dir.path(), &unit, true);
    assert!(said.contains("Typ"), "{said}");
}

#[test]
fn the_event_stream_tells_state_changes_progress_and_log_lines_as_they_happen() {
    let shop = SimConfig { seed_orders: 12, seed_products: 10, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Sqlite, 10, shop, &[("import", "\"on_start\"")]);
    let home = setup.home.path();
    let d = Daemon::start(home);
    let client = d.client();
    let seen = Arc::new(Mutex::new(Vec::<Value>::new()));
    let listener = {
        let seen = seen.clone();
        std::thread::spawn(move || {
            rt().block_on(client.stream(Method::GET, "/v1/events", None, |v| {
                let end = v["type"] == "run" && v["event"]["event"] == "finished";
                seen.lock().unwrap().push(v);
                !end
            }))
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let o = obmen(home, &["start", "Shop"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    listener.join().unwrap().unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0]["type"], "hello");
    assert_eq!(seen[0]["servers"][0]["state"], "stopped");
    let mut states: Vec<&str> = seen.iter().filter(|v| v["type"] == "status").filter_map(|v| v["status"]["state"].as_str()).collect();
    // (Waiting at once, then waiting for a moment that is now; running with each step.)
    states.dedup();
    assert_eq!(states, ["waiting", "running"], "{states:?}");
    let orders = seen.iter().filter(|v| v["type"] == "run" && v["event"]["event"] == "order_imported").count();
    assert_eq!(orders, 12);
    assert!(seen.iter().any(|v| v["type"] == "run" && v["event"]["event"] == "progress"));
    let logged = seen.iter().filter(|v| v["type"] == "log" && v["line"]["event"] == "order_imported").count();
    assert_eq!(logged, 12, "each order's log line too");
    let text = serde_json::to_string(&*seen).unwrap();
    assert!(!text.contains(KEY), "no key in the stream");
}

#[test]
fn runs_a_killed_daemon_left_unfinished_are_marked_interrupted_when_it_starts_again() {
    let shop = SimConfig { seed_orders: 2000, seed_products: 30, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Mysql, 30, shop, &[("import", "\"on_start\""), ("allow_negative_stock", "true")]);
    let home = setup.home.path();
    autostart(home);
    let wh = setup.db.open();
    let mut d = Daemon::start(home);
    d.wait_for(Duration::from_secs(120), "the first orders", |_| wh.imported_count(API_ID).unwrap_or(0) > 0);
    d.child.kill().unwrap(); // SIGKILL: no stop, no record of the run's end
    d.child.wait().unwrap();
    let runs: Value = serde_json::from_slice(&obmen(home, &["runs", "Shop", "--json"]).stdout).unwrap();
    assert_eq!(runs[0]["outcome"], "running", "left as it was: {runs}");
    let d = Daemon::start(home);
    d.wait_for(Duration::from_secs(180), "all 2000 orders", |_| wh.imported_count(API_ID).unwrap_or(0) == 2000);
    let runs: Value = serde_json::from_slice(&obmen(home, &["runs", "Shop", "--json"]).stdout).unwrap();
    let first = runs.as_array().unwrap().last().unwrap();
    assert_eq!(first["outcome"], "interrupted", "{runs}");
    let log = String::from_utf8_lossy(&obmen(home, &["log", "Shop", "--grep", "interrupted"]).stdout).into_owned();
    assert!(log.contains("marked interrupted"), "{log}");
    assert!(d.status("Shop")["counters"]["errors"].as_u64().unwrap() >= 1);
}

#[test]
fn a_new_server_is_checked_as_a_form_then_made_by_the_daemon_with_the_command_lines_validation() {
    let shop = SimConfig { seed_orders: 5, seed_products: 10, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Mysql, 10, shop, &[("import", "\"never\"")]);
    let home = setup.home.path();
    let d = Daemon::start(home);
    let client = d.client();
    let call = |m: Method, path: &str, body: Option<Value>| rt().block_on(client.call::<Value>(m, path, body));
    let kinds = call(Method::GET, "/v1/kinds?lang=bg", None).unwrap();
    let kind = kinds[0]["kind"].as_str().unwrap().to_owned();
    assert_eq!(kind, "WarehousePro Import Export Shopiko");
    // The empty form: the defaults filled in, what is still required marked, worded in the
    // language asked for, and nothing written.
    let form = call(Method::POST, "/v1/servers?lang=bg", Some(serde_json::json!({ "name": "Варна", "kind": kind, "dry_run": true }))).unwrap();
    assert_eq!(form["valid"], false);
    let props: Vec<&Value> = form["groups"].as_array().unwrap().iter().flat_map(|g| g["properties"].as_array().unwrap()).collect();
    let get = |props: &[&Value], key: &str| -> Value {
        props.iter().find(|p| p["key"] == key).map(|p| (*p).clone()).unwrap_or_else(|| panic!("{key} not in the form"))
    };
    let missing: Vec<&str> = props.iter().filter(|p| p["missing"] == true).map(|p| p["key"].as_str().unwrap()).collect();
    assert_eq!(
        missing,
        ["database.dialect", "database.connection", "rules.object", "shopiko.url", "shopiko.api_id", "shopiko.key", "shopiko.key_file", "shopiko.key_env"]
    );
    assert_eq!(get(&props, "rules.import_every_min")["value"], "15", "a default");
    assert_eq!(get(&props, "rules.import_every_min")["default"], true);
    assert!(
        get(&props, "database.dialect")["error"].as_str().unwrap().contains("липсва")
            || get(&props, "database.dialect")["error"].as_str().unwrap().chars().any(|c| ('а'..='я').contains(&c)),
        "{}",
        get(&props, "database.dialect")
    );
    assert!(!home.join("servers/Варна.toml").exists());
    // A value of the wrong type and one out of range are each refused on their field, and the
    // rest of the form is still shown.
    let mut set = serde_json::json!({
        "database.dialect": "mysql",
        "database.connection": setup.db.connection,
        "rules.object": "Централен Склад",
        "rules.import": "on_start",
        "shopiko.url": setup.sim.url,
        "shopiko.api_id": API_ID,
        "shopiko.key": KEY,
        "rules.import_every_min": "0",
        "autostart": "maybe",
    });
    let form = call(Method::POST, "/v1/servers?lang=en", Some(serde_json::json!({ "name": "Варна", "kind": kind, "set": set, "dry_run": true }))).unwrap();
    let props: Vec<&Value> = form["groups"].as_array().unwrap().iter().flat_map(|g| g["properties"].as_array().unwrap()).collect();
    assert_eq!(form["valid"], false);
    let refused: Vec<&str> = form["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused.contains(&"autostart") && refused.contains(&"rules.import_every_min"), "{refused:?}");
    assert!(get(&props, "rules.import_every_min")["error"].as_str().is_some());
    assert_eq!(get(&props, "rules.object")["value"], "Централен Склад");
    // The key is never shown back, nor the connection's password.
    let text = form.to_string();
    assert!(!text.contains(KEY), "{text}");
    // Saving a form that is not valid is refused with the same reasons; nothing is written.
    let err = call(Method::POST, "/v1/servers", Some(serde_json::json!({ "name": "Варна", "kind": kind, "set": set }))).unwrap_err();
    assert!(matches!(&err, ClientError::Api { status: 422, .. }), "{err:?}");
    assert!(!home.join("servers/Варна.toml").exists());
    // Fixed, it is made: written 0600, listed, started and importing like any other.
    set["rules.import_every_min"] = "30".into();
    set["autostart"] = "no".into();
    let form = call(Method::POST, "/v1/servers", Some(serde_json::json!({ "name": "Варна", "kind": kind, "set": set, "dry_run": true }))).unwrap();
    assert_eq!(form["valid"], true, "{form}");
    let made = call(Method::POST, "/v1/servers", Some(serde_json::json!({ "name": "Варна", "kind": kind, "set": set }))).unwrap();
    assert_eq!(made["saved"], true);
    let file = home.join("servers/Варна.toml");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    let shown = obmen(home, &["server", "validate", "Варна"]);
    assert!(shown.status.success(), "{}", String::from_utf8_lossy(&shown.stdout));
    assert_eq!(d.status("Варна")["state"], "stopped");
    call(Method::POST, &format!("/v1/servers/{}/start", segment("Варна")), None).unwrap();
    d.wait_for(Duration::from_secs(60), "Варна's import", |d| d.status("Варна")["counters"]["imported"].as_u64() == Some(5));
    // The name taken, a name that cannot be a file's, and a kind obmen does not know.
    let err = call(Method::POST, "/v1/servers", Some(serde_json::json!({ "name": "Варна", "kind": kind, "set": set }))).unwrap_err();
    assert!(matches!(&err, ClientError::Api { status: 409, .. }), "{err:?}");
    let err = call(Method::POST, "/v1/servers", Some(serde_json::json!({ "name": "../x", "kind": kind, "set": set }))).unwrap_err();
    assert!(matches!(&err, ClientError::Api { status: 422, .. }), "{err:?}");
    assert!(!home.join("x.toml").exists() && !home.join("servers/../x.toml").exists());
    let err = call(Method::POST, "/v1/servers", Some(serde_json::json!({ "name": "Y", "kind": "BaseLinker", "set": {} }))).unwrap_err();
    assert!(matches!(&err, ClientError::Api { status: 422, .. }), "{err:?}");
    let err = call(Method::POST, "/v1/servers", Some(serde_json::json!({ "nom": "Y" }))).unwrap_err();
    assert!(matches!(&err, ClientError::Api { status: 400, .. }), "{err:?}");
    // Nothing said held the key.
    let logs = obmen(home, &["log", "daemon", "-n", "1000"]);
    assert!(!String::from_utf8_lossy(&logs.stdout).contains(KEY));
}

/// What a kind says to the operator while it runs (here the repair it offers for partners an
/// earlier obmen wrote as suppliers) is a line of the server's log, as `obmen log` and the TUI
/// show it, not only the daemon's stderr.
#[test]
fn what_a_kind_says_while_it_runs_is_in_the_servers_log() {
    let shop = SimConfig { seed_orders: 3, seed_products: 20, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Sqlite, 30, shop, &[("import", "\"on_start\""), ("allow_negative_stock", "true")]);
    let home = setup.home.path();
    let wh = setup.db.open();
    let id = wh
        .create_partner(&obmen::warehouse::Partner { code: "SH-C-OLD-1".into(), company: "Стар Клиент".into(), price_group: 1, ..Default::default() })
        .unwrap();
    wh.exec(&wh.dialect().sql("UPDATE {partners} SET {Type} = 1 WHERE {ID} = ?"), obmen::warehouse::Params::new().int(id).as_slice()).unwrap();
    autostart(home);
    let d = Daemon::start(home);
    d.wait_for(Duration::from_secs(60), "the run's end", |_| {
        String::from_utf8_lossy(&obmen(home, &["log", "Shop", "--grep", "Run ended"]).stdout).contains("Run ended")
    });
    let out = obmen(home, &["log", "Shop", "--json", "--grep", "obmen repair"]);
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert_eq!(lines.len(), 1, "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!((lines[0]["event"].as_str(), lines[0]["level"].as_str()), (Some("note"), Some("warn")), "{}", lines[0]);
    assert!(lines[0]["msg"].as_str().unwrap().contains("1 partner obmen made from shop customers is not marked"), "{}", lines[0]);
    assert!(lines[0]["run"].as_i64().is_some(), "the note belongs to its run: {}", lines[0]);
}

/// A heartbeat receiver on loopback: counts the GETs it answers, with their paths.
struct Pings {
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl Pings {
    fn start() -> Pings {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
        let log = seen.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { return };
                let mut buf = [0u8; 2048];
                let n = conn.read(&mut buf).unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                log.lock().unwrap().push((Instant::now(), path));
                let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK");
            }
        });
        Pings { addr, seen }
    }

    fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

/// systemd's side of `sd_notify`: a datagram socket collecting what the daemon says.
struct Notified {
    path: std::path::PathBuf,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Notified {
    fn start(dir: &std::path::Path) -> Notified {
        let path = dir.join("notify.sock");
        let socket = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while let Ok(n) = socket.recv(&mut buf) {
                log.lock().unwrap().extend(String::from_utf8_lossy(&buf[..n]).lines().map(str::to_owned));
            }
        });
        Notified { path, seen }
    }

    fn watchdogs(&self) -> usize {
        self.seen.lock().unwrap().iter().filter(|l| *l == "WATCHDOG=1").count()
    }
}

fn signal(child: &Child, sig: &str) {
    assert!(Command::new("kill").args([sig, &child.id().to_string()]).status().unwrap().success());
}

/// An alert on silence: the heartbeat address is pinged every second while the daemon runs, and
/// systemd's watchdog told the daemon is alive (`WATCHDOG=1`, twice a `WATCHDOG_USEC`); both stop
/// while the daemon hangs (SIGSTOP) and come back with it. With only pings after runs, a run that
/// ended well pings once. The address, which may be a watcher's secret, is in no log line.
#[test]
fn the_heartbeat_and_the_watchdog_stop_while_the_daemon_hangs() {
    let pings = Pings::start();
    let shop = SimConfig { seed_orders: 5, seed_products: 10, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Sqlite, 10, shop, &[("import", "\"never\"")]);
    let home = setup.home.path();
    autostart(home);
    let secret_path = "/ping/5f1c-secret-uuid";
    daemon_settings(home, &format!("[alerts]\nheartbeat = \"http://{}{secret_path}\"\nheartbeat_every_secs = 1\n", pings.addr));
    let notified = Notified::start(home);
    let child = Command::new(OBMEN)
        .arg("daemon")
        .env("OBMEN_HOME", home)
        .env("OBMEN_LANG", "en")
        .env("NOTIFY_SOCKET", &notified.path)
        .env("WATCHDOG_USEC", "1000000")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(home.join("daemon.stderr")).unwrap())
        .spawn()
        .unwrap();
    let d = Daemon { child, home: home.to_owned() };
    d.wait_for(Duration::from_secs(20), "the socket", |d| d.client_ok());
    d.wait_for(Duration::from_secs(10), "three pings", |_| pings.count() >= 3);
    d.wait_for(Duration::from_secs(10), "three watchdog messages", |_| notified.watchdogs() >= 3);
    assert!(notified.seen.lock().unwrap().iter().any(|l| l == "READY=1"));
    assert!(pings.seen.lock().unwrap().iter().all(|(_, p)| p == secret_path));

    // Hung: nothing for three seconds (a ping under way as it stopped may still land).
    signal(&d.child, "-STOP");
    std::thread::sleep(Duration::from_millis(300));
    let (p, w) = (pings.count(), notified.watchdogs());
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!((pings.count(), notified.watchdogs()), (p, w), "silence while the daemon hangs");
    signal(&d.child, "-CONT");
    d.wait_for(Duration::from_secs(10), "the pings back", |_| pings.count() >= p + 2 && notified.watchdogs() >= w + 2);
    drop(d);

    // Only after runs: a run that ended well pings once.
    daemon_settings(home, &format!("[alerts]\nheartbeat = \"http://{}{secret_path}\"\nheartbeat_every_secs = 0\n", pings.addr));
    let d = Daemon::start(home);
    d.wait_state("Shop", "waiting", Duration::from_secs(30));
    let before = pings.count();
    let o = obmen(home, &["run", "Shop", "--import"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    d.wait_for(Duration::from_secs(10), "a ping after the run", |_| pings.count() == before + 1);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(pings.count(), before + 1, "one ping a run, none between");
    drop(d);

    // A watcher that cannot be reached: said in the log, without the address, and the daemon
    // goes on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    daemon_settings(home, &format!("[alerts]\nheartbeat = \"http://{closed}{secret_path}\"\nheartbeat_every_secs = 1\n"));
    let d = Daemon::start(home);
    d.wait_for(Duration::from_secs(15), "the failed ping in the log", |_| {
        all_logs(home).contains("The heartbeat ping (periodic) was not taken: no connection")
    });
    assert!(d.client_ok());
    drop(d);
    assert!(!all_logs(home).contains("secret-uuid"), "the address is in no log line");
}

/// Every log file of a home and the daemon's own output, together.
pub fn all_logs(home: &std::path::Path) -> String {
    let mut text = std::fs::read_to_string(home.join("daemon.stderr")).unwrap_or_default();
    let mut dirs = vec![home.join("logs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                text.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    text
}

/// `GET /metrics` on the control socket, read by a Prometheus text parser: a family for each
/// figure, every server in each, the counters equal to the run history's and the quarantine's.
#[test]
fn metrics_are_prometheus_text_matching_the_run_history() {
    use prometheus_parse::{Scrape, Value as Metric};
    let shop = SimConfig { seed_orders: 30, seed_products: 20, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Sqlite, 20, shop, &[("import", "\"on_start\"")]);
    let home = setup.home.path();
    let text = autostart(home);
    std::fs::write(home.join("servers/Idle.toml"), text.replace("name = \"Shop\"", "name = \"Idle\"")).unwrap();
    // An order that cannot be booked: in the quarantine.
    setup.shop().place(&crate::exchange::order("990001", "NO-SUCH-SKU", "1", "5.00"));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    daemon_settings(home, &format!("[daemon]\nmetrics_listen = \"{port}\"\n"));
    let d = Daemon::start(home);
    d.wait_for(Duration::from_secs(60), "the import on start", |d| d.status("Shop")["counters"]["runs"] == 1 && d.status("Shop")["state"] == "waiting");
    let body = rt().block_on(d.client().text("/metrics")).unwrap();
    // The same on TCP (metrics_listen), and nothing else there.
    let over_tcp = |path: &str| {
        use std::io::{Read, Write};
        let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(c, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        let mut answer = String::new();
        c.read_to_string(&mut answer).unwrap();
        answer
    };
    let tcp = over_tcp("/metrics");
    assert!(tcp.starts_with("HTTP/1.1 200") && tcp.contains("text/plain; version=0.0.4"), "{tcp}");
    let tcp_body = tcp.split("\r\n\r\n").nth(1).unwrap();
    let strip = |t: &str| t.lines().filter(|l| !l.contains("timestamp") && !l.contains("duration")).map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(strip(tcp_body), strip(&body));
    assert!(over_tcp("/v1/servers").starts_with("HTTP/1.1 404"), "the control API is not on TCP");
    let scrape = Scrape::parse(body.lines().map(|l| Ok(l.to_owned()))).unwrap();
    let value = |name: &str, labels: &[(&str, &str)]| -> f64 {
        let found: Vec<_> = scrape.samples.iter().filter(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v))).collect();
        assert_eq!(found.len(), 1, "{name} {labels:?} in:\n{body}");
        match &found[0].value {
            Metric::Counter(v) | Metric::Gauge(v) | Metric::Untyped(v) => *v,
            other => panic!("{other:?}"),
        }
    };
    let counters = &d.status("Shop")["counters"];
    assert_eq!(value("obmen_runs_total", &[("server", "Shop"), ("outcome", "partial")]), 1.0);
    assert_eq!(value("obmen_orders_imported_total", &[("server", "Shop")]), counters["imported"].as_f64().unwrap());
    assert_eq!(value("obmen_orders_imported_total", &[("server", "Shop")]), 30.0);
    assert_eq!(value("obmen_orders_set_aside_total", &[("server", "Shop")]), 1.0);
    assert_eq!(value("obmen_orders_in_quarantine", &[("server", "Shop")]), 1.0);
    assert_eq!(value("obmen_orders_imported_total", &[("server", "Idle")]), 0.0);
    assert_eq!(value("obmen_server_state", &[("server", "Shop"), ("state", "waiting")]), 1.0);
    assert_eq!(value("obmen_server_state", &[("server", "Idle"), ("state", "stopped")]), 1.0);
    assert_eq!(value("obmen_server_state", &[("server", "Idle"), ("state", "running")]), 0.0);
    assert!(value("obmen_last_success_timestamp_seconds", &[("server", "Shop")]) > 1.7e9);
    // The histogram: one run, counted in every bucket from its own up.
    let histogram: Vec<_> = scrape.samples.iter().filter(|s| s.metric == "obmen_run_duration_seconds" && s.labels.get("server") == Some("Shop")).collect();
    match &histogram.first().map(|s| &s.value) {
        Some(Metric::Histogram(buckets)) => {
            assert_eq!(buckets.last().map(|b| b.count), Some(1.0), "{buckets:?}");
            assert!(buckets.windows(2).all(|w| w[0].count <= w[1].count), "{buckets:?}");
        }
        other => panic!("{other:?} in:\n{body}"),
    }
    assert!(body.contains("# TYPE obmen_runs_total counter") && body.contains("# TYPE obmen_run_duration_seconds histogram"), "{body}");
    assert!(!body.contains(KEY));
}
