//! The terminal UI end to end: the real `obmen` binary in a pseudo-terminal (portable-pty, the
//! screen read back with vt100), against the real daemon it starts, the simulator, MariaDB and
//! SQLite.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hyper::Method;
use obmen::control::Client;
use obmen::shopiko::sim::SimConfig;
use obmen::warehouse::Dialect;
use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use serde_json::Value;

use crate::exchange::Setup;
use crate::shopiko::{API_ID, KEY};

struct Tui {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
}

impl Tui {
    fn open(home: &std::path::Path, lang: &str) -> Tui {
        let pty = native_pty_system().openpty(PtySize { rows: 30, cols: 110, pixel_width: 0, pixel_height: 0 }).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_obmen"));
        cmd.env("OBMEN_HOME", home);
        cmd.env("OBMEN_LANG", lang);
        cmd.env("TERM", "xterm-256color");
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(30, 110, 0)));
        let s = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    return;
                }
                s.lock().unwrap().process(&buf[..n]);
            }
        });
        // The master must outlive the child's use of the terminal.
        std::mem::forget(pty.master);
        Tui { child, writer, screen }
    }

    fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, what: &str, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let t = self.text();
            if t.contains(what) {
                return t;
            }
            assert!(start.elapsed() < limit, "waited {limit:?} for '{what}' on the screen:\n{t}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn press(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self, limit: Duration) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(start.elapsed() < limit, "the TUI did not end:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn daemon_pid(home: &std::path::Path) -> Option<u32> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let v: Value = rt.block_on(Client::new(&home.join("obmen.sock")).call(Method::GET, "/v1/health", None)).ok()?;
    v["pid"].as_u64().map(|p| p as u32)
}

/// Kills the daemon the TUI started, if a test ends without stopping it (it runs in its own
/// process group, so nothing else would).
struct DaemonGuard(std::path::PathBuf);

impl Drop for DaemonGuard {
    fn drop(&mut self) {
        if let Some(pid) = daemon_pid(&self.0) {
            let _ = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
    }
}

#[test]
fn the_tui_starts_a_daemon_starts_and_stops_a_server_and_hides_leaving_it_running() {
    let shop = SimConfig { seed_orders: 8, seed_products: 10, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Sqlite, 10, shop, &[("import", "\"periodic\""), ("import_every_min", "60")]);
    let home = setup.home.path();
    assert!(daemon_pid(home).is_none());
    let _guard = DaemonGuard(home.to_owned());
    let mut tui = Tui::open(home, "en");
    // It started a daemon, and shows the server with its grid.
    let screen = tui.wait_for("stopped", Duration::from_secs(30));
    assert!(screen.contains("Shop") && screen.contains("Start") && screen.contains("daemon"), "{screen}");
    tui.wait_for("3.0 Exchange rules", Duration::from_secs(10));
    assert!(daemon_pid(home).is_some(), "a daemon runs in the background");
    // s: started; it imports the 8 orders, then waits for its next run.
    tui.press("s");
    tui.wait_for("next: ", Duration::from_secs(60));
    let start = Instant::now();
    while setup.sim.sim.stats().orders_acknowledged < 8 {
        assert!(start.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(50));
    }
    // l: the log, with the import's summary; Esc back. r: the run in the history.
    tui.press("l");
    tui.wait_for("Run ended ok: 8 orders imported", Duration::from_secs(30));
    tui.wait_for("Order SH-100008 imported", Duration::from_secs(5));
    tui.press("\x1b");
    tui.wait_for("3.0 Exchange rules", Duration::from_secs(10));
    tui.press("r");
    tui.wait_for("Runs of Shop", Duration::from_secs(10));
    tui.wait_for(" ok ", Duration::from_secs(10));
    tui.press("\x1b");
    tui.wait_for("3.0 Exchange rules", Duration::from_secs(10));
    // t: the connection tests through the daemon.
    tui.press("t");
    tui.wait_for("Tests of Shop", Duration::from_secs(10));
    tui.wait_for("accepted by", Duration::from_secs(30));
    assert!(tui.text().contains("connected"));
    tui.press(" ");
    tui.wait_for("3.0 Exchange rules", Duration::from_secs(10));
    // x: stopped.
    tui.press("x");
    tui.wait_for("■ stopped", Duration::from_secs(30));
    // e on a setting: Autostart (the grid's fourth) is a Yes/No pick list; saved through the
    // daemon, by the same validation as the CLI, and shown in the grid.
    tui.press("\t\t\t");
    tui.press("e");
    tui.wait_for("Enter: save", Duration::from_secs(10));
    tui.press(" ");
    tui.press("\r");
    tui.wait_for("were saved", Duration::from_secs(20));
    let file = std::fs::read_to_string(home.join("servers/Shop.toml")).unwrap();
    assert!(file.contains("autostart = true"), "{file}");
    // A number out of range is refused as typed, before anything is saved.
    // (The same setting stays selected after a save: three more down is the login timeout.)
    tui.press("\t\t\t");
    tui.press("e");
    tui.wait_for("Enter: save", Duration::from_secs(10));
    tui.press("\x7f\x7f\x7f\x7f\x7f\x7f0");
    tui.wait_for("out of range", Duration::from_secs(10));
    tui.press("\r");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(std::fs::read_to_string(home.join("servers/Shop.toml")).unwrap(), file, "nothing saved");
    tui.press("\x1b");
    tui.wait_for("3.0 Exchange rules", Duration::from_secs(10));
    // Bulgarian at run time, then Polish, then English again.
    tui.press("L");
    tui.wait_for("Правила за обмен", Duration::from_secs(10));
    tui.wait_for("спрян", Duration::from_secs(10));
    // Polish next, then round to English.
    tui.press("L");
    tui.wait_for("Zasady wymiany", Duration::from_secs(10));
    tui.wait_for("zatrzymany", Duration::from_secs(10));
    tui.press("L");
    tui.wait_for("3.0 Exchange rules", Duration::from_secs(10));
    tui.press("s");
    tui.wait_for("next: ", Duration::from_secs(30));
    // h: the window goes; the server keeps running in the daemon.
    tui.press("h");
    assert!(tui.wait_exit(Duration::from_secs(10)).success());
    let pid = daemon_pid(home).expect("the daemon still runs");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let st: Value = rt.block_on(Client::new(&home.join("obmen.sock")).call(Method::GET, "/v1/servers/Shop", None)).unwrap();
    assert_eq!(st["state"], "waiting", "{st}");
    // The next `obmen` comes back to it; q asks, Enter leaves it running.
    let mut tui = Tui::open(home, "en");
    tui.wait_for("◷ waiting", Duration::from_secs(30));
    tui.press("q");
    tui.wait_for("leave them running", Duration::from_secs(10));
    tui.press("\r");
    assert!(tui.wait_exit(Duration::from_secs(10)).success());
    let st: Value = rt.block_on(Client::new(&home.join("obmen.sock")).call(Method::GET, "/v1/servers/Shop", None)).unwrap();
    assert_eq!(st["state"], "waiting");
    std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    let start = Instant::now();
    while daemon_pid(home).is_some() {
        assert!(start.elapsed() < Duration::from_secs(30), "the daemon did not stop");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// With a Bulgarian keyboard switched on, the letters it sends start, show the log of and stop
/// a server: BDS by default (я is the key of s, в of l, й of x), the phonetic layout as set
/// in obmen.toml (с, л, ь).
#[test]
fn a_bulgarian_keyboard_starts_shows_the_log_and_stops_in_bds_and_phonetic() {
    let shop = SimConfig { seed_orders: 3, seed_products: 10, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Sqlite, 10, shop, &[("import", "\"periodic\""), ("import_every_min", "60")]);
    let home = setup.home.path();
    let _guard = DaemonGuard(home.to_owned());
    for (layout, start, log, stop) in [("bds", "я", "в", "й"), ("phonetic", "с", "л", "ь")] {
        std::fs::write(home.join("obmen.toml"), format!("[tui]\nkeyboard = \"{layout}\"\n")).unwrap();
        let mut tui = Tui::open(home, "bg");
        tui.wait_for("спрян", Duration::from_secs(30));
        tui.press(start);
        tui.wait_for("следващ: ", Duration::from_secs(60));
        tui.press(log);
        tui.wait_for("Обменът завърши", Duration::from_secs(30));
        tui.press("\x1b");
        tui.wait_for("Правила за обмен", Duration::from_secs(10));
        tui.press(stop);
        tui.wait_for("■ спрян", Duration::from_secs(30));
        tui.press("h");
        assert!(tui.wait_exit(Duration::from_secs(10)).success(), "{layout}");
    }
}

/// A server whose shop does not answer shows that it retries (its next try's time and try) while
/// its run waits, in Bulgarian; a daemon that went away is offered on the status bar and
/// started again with Enter, the TUI connecting to it by itself.
#[test]
fn a_shop_that_does_not_answer_shows_retrying_and_a_lost_daemon_comes_back_with_enter() {
    let shop = SimConfig { seed_orders: 1, seed_products: 10, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Sqlite, 10, shop, &[("import", "\"on_start\"")]);
    let home = setup.home.path();
    // The shop's address: a port nothing listens on.
    let file = home.join("servers/Shop.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let text: String =
        text.lines().map(|l| if l.starts_with("url = ") { "url = \"http://127.0.0.1:9/api\"".to_owned() } else { l.to_owned() } + "\n").collect();
    std::fs::write(&file, text).unwrap();
    let _guard = DaemonGuard(home.to_owned());
    let mut tui = Tui::open(home, "bg");
    tui.wait_for("■ спрян", Duration::from_secs(30));
    tui.press("s");
    // Not "обменя" while the shop is tried again: retrying, with when and which try.
    let screen = tui.wait_for("◌ нов опит", Duration::from_secs(20));
    assert!(screen.contains("отново в") && screen.contains("(опит "), "{screen}");
    assert!(!screen.contains("▶ обменя"), "{screen}");
    // The whole reason, in Bulgarian, beside the list.
    tui.wait_for("връзката е отказана", Duration::from_secs(10));
    // The daemon goes away: the TUI says so and offers Enter.
    let pid = daemon_pid(home).unwrap();
    std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap();
    tui.wait_for("Enter стартира демона отново", Duration::from_secs(20));
    tui.press("\r");
    tui.wait_for("● демон", Duration::from_secs(30));
    let again = daemon_pid(home).expect("a daemon answers again");
    assert_ne!(again, pid);
    tui.press("h");
    assert!(tui.wait_exit(Duration::from_secs(10)).success());
}

/// The value a form's property shows on the screen: on the grid's line whose label is `label`
/// (after its mark), what follows the label's padding.
fn value_of(screen: &str, label: &str) -> Option<String> {
    for line in screen.lines() {
        // Marks: required, refused, none, and the bracket of a set of which one is given.
        for mark in ["│* ", "│✗ ", "│  ", "│╭ ", "││ ", "│╰ "] {
            let mut from = 0;
            while let Some(i) = line[from..].find(mark) {
                let at = from + i + mark.len();
                let rest = &line[at..];
                if rest.starts_with(label) && rest[label.len()..].starts_with("  ") {
                    let value = rest[label.len()..].trim_start();
                    return Some(value.split('│').next().unwrap_or("").trim().to_owned());
                }
                from = at;
            }
        }
    }
    None
}

#[test]
fn a_server_made_with_n_on_mariadb_is_started_watched_stopped_and_hidden_running() {
    let shop = SimConfig { seed_orders: 300, seed_products: 10, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Mysql, 10, shop, &[]);
    let home = setup.home.path();
    std::fs::remove_file(home.join("servers/Shop.toml")).unwrap();
    let _guard = DaemonGuard(home.to_owned());
    let mut tui = Tui::open(home, "en");
    tui.wait_for("Press n to make one", Duration::from_secs(30));
    // n: a name and a kind.
    tui.press("n");
    tui.wait_for("(WarehousePro Import Export Shopiko)", Duration::from_secs(10));
    tui.press("Варна\r");
    // The form: the kind's defaults, what is still required marked.
    tui.wait_for("New server Варна", Duration::from_secs(10));
    let screen = tui.wait_for("‹required›", Duration::from_secs(10));
    assert_eq!(value_of(&screen, "Import every (minutes)").as_deref(), Some("15"), "{screen}");
    assert_eq!(value_of(&screen, "Database type").as_deref(), Some("‹required›"), "{screen}");
    // Saving now is refused, naming what is missing.
    tui.press("w");
    tui.wait_for("still to fill in or fix", Duration::from_secs(10));
    // Tab goes to each property still required, in order; each is filled and checked by the
    // daemon before the next.
    let fill = |tui: &mut Tui, label: &str, keys: &str, shown: &dyn Fn(&str) -> bool| {
        tui.press("\t");
        tui.press("\r");
        tui.wait_for("Esc: cancel", Duration::from_secs(10));
        tui.press(keys);
        tui.press("\r");
        let start = Instant::now();
        loop {
            let screen = tui.text();
            if !screen.contains("Esc: cancel   (") && value_of(&screen, label).is_some_and(|v| shown(&v)) {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "{label}:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // The database type is a pick list: Access first, MySQL / MariaDB next.
    fill(&mut tui, "Database type", "\x1b[B", &|v| v == "MySQL / MariaDB");
    let connection = setup.db.connection.clone();
    fill(&mut tui, "Connection", &connection, &|v| !v.contains("required"));
    fill(&mut tui, "Object", "Централен Склад", &|v| v == "Централен Склад");
    // (The address is cut at the grid's edge.)
    fill(&mut tui, "Shop API address", &setup.sim.url, &|v| v.len() > 10 && setup.sim.url.starts_with(v));
    fill(&mut tui, "API ID", API_ID, &|v| v == API_ID);
    fill(&mut tui, "Key", KEY, &|v| !v.contains("required"));
    let screen = tui.wait_for("ready to save", Duration::from_secs(10));
    assert!(!screen.contains(KEY), "the key is never shown: {screen}");
    assert!(!screen.contains("‹required›"), "{screen}");
    tui.press("w");
    tui.wait_for("was made; press s", Duration::from_secs(20));
    let file = home.join("servers/Варна.toml");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("dialect = \"mysql\"") && text.contains("object = \"Централен Склад\""), "{text}");
    // s: started, running with its progress, then waiting; every order imported.
    tui.wait_for("■ stopped", Duration::from_secs(10));
    tui.press("s");
    tui.wait_for("▶ running", Duration::from_secs(30));
    tui.wait_for("no run planned", Duration::from_secs(120));
    let start = Instant::now();
    while setup.sim.sim.stats().orders_acknowledged < 300 {
        assert!(start.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(50));
    }
    // l: the import's summary in its log.
    tui.press("l");
    tui.wait_for("Run ended ok: 300 orders imported", Duration::from_secs(30));
    tui.press("\x1b");
    tui.wait_for("3.0 Exchange rules", Duration::from_secs(10));
    // x: stopped; s again, then h: hidden, still running in the daemon; the next obmen shows it.
    tui.press("x");
    tui.wait_for("■ stopped", Duration::from_secs(30));
    tui.press("s");
    tui.wait_for("◷ waiting", Duration::from_secs(30));
    tui.press("h");
    assert!(tui.wait_exit(Duration::from_secs(10)).success());
    let mut tui = Tui::open(home, "bg");
    tui.wait_for("◷ изчаква", Duration::from_secs(30));
    tui.press("q");
    tui.wait_for("оставете ги да работят", Duration::from_secs(10));
    tui.press("s");
    assert!(tui.wait_exit(Duration::from_secs(30)).success());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let st: Value = rt.block_on(Client::new(&home.join("obmen.sock")).call(Method::GET, "/v1/servers/%D0%92%D0%B0%D1%80%D0%BD%D0%B0", None)).unwrap();
    assert_eq!(st["state"], "stopped", "quit with s stopped it: {st}");
    assert_eq!(st["counters"]["imported"], 300);
}

#[test]
fn the_quarantine_view_retries_and_drops_an_order_set_aside() {
    // Orders for 14 products, 10 of them goods in the warehouse, nomenclature sync off: some
    // orders are set aside for their unknown goods.
    let shop = SimConfig { seed_orders: 30, seed_products: 14, ..SimConfig::new(API_ID, KEY) };
    let setup = Setup::new(Dialect::Mysql, 10, shop, &[("import", "\"on_start\""), ("sync_nomenclature", "false")]);
    let home = setup.home.path();
    let _guard = DaemonGuard(home.to_owned());
    let mut tui = Tui::open(home, "en");
    tui.wait_for("stopped", Duration::from_secs(30));
    tui.press("s");
    tui.wait_for("no run planned", Duration::from_secs(60));
    let open = || -> Vec<Value> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(Client::new(&home.join("obmen.sock")).call(Method::GET, "/v1/servers/Shop/quarantine", None)).unwrap()
    };
    let before = open();
    assert!(!before.is_empty());
    tui.press("u");
    tui.wait_for(before[0]["order_number"].as_str().unwrap(), Duration::from_secs(10));
    // Retried: still set aside (its goods are still unknown), and said so.
    tui.press("R");
    tui.wait_for("Import order", Duration::from_secs(10));
    tui.press("y");
    tui.wait_for("still in the quarantine", Duration::from_secs(30));
    // Dropped: gone from the open list.
    tui.press("D");
    tui.wait_for("Never import order", Duration::from_secs(10));
    tui.press("\r");
    let start = Instant::now();
    while open().len() != before.len() - 1 {
        assert!(start.elapsed() < Duration::from_secs(20), "{}", tui.text());
        std::thread::sleep(Duration::from_millis(50));
    }
    let after = open();
    assert_eq!(after[0]["id"], before[1]["id"], "the first one, selected, was dropped");
    assert_eq!(after[0]["attempts"], 1, "the retried one was the dropped one");
    // The screen follows: the dropped order is gone from it.
    let gone = before[0]["order_number"].as_str().unwrap().to_owned();
    let start = Instant::now();
    while tui.text().contains(&format!(" {gone} ")) {
        assert!(start.elapsed() < Duration::from_secs(10), "{}", tui.text());
        std::thread::sleep(Duration::from_millis(50));
    }
    // w: why the selected order is not in Warehouse Pro; any key back.
    let selected = after[0]["order_number"].as_str().unwrap().to_owned();
    tui.press("w");
    tui.wait_for(&format!("Order {selected} is in the quarantine, tried"), Duration::from_secs(20));
    tui.wait_for(&format!("obmen quarantine Shop retry {selected}"), Duration::from_secs(5));
    tui.press("\x1b");
    // (An Esc followed at once by a key reads as Alt and the key.)
    tui.wait_for("3.0 Exchange rules", Duration::from_secs(10));
    // w on the main screen: a prompt for the number; one the shop never gave.
    tui.press("w");
    tui.wait_for("Order number:", Duration::from_secs(10));
    tui.press("SH-999999\r");
    tui.wait_for("The shop has not given order SH-999999 to server 'Shop'.", Duration::from_secs(20));
    tui.press("\x1b");
    tui.wait_for("3.0 Exchange rules", Duration::from_secs(10));
    // d: delete, asked first; the file is kept aside and the list is empty.
    tui.press("d");
    tui.wait_for("Delete server 'Shop'?", Duration::from_secs(10));
    tui.press("\r");
    tui.wait_for("No servers yet", Duration::from_secs(20));
    assert!(!home.join("servers/Shop.toml").exists());
    let kept: Vec<_> = std::fs::read_dir(home.join("servers/deleted")).unwrap().collect();
    assert_eq!(kept.len(), 1);
    tui.press("q");
    assert!(tui.wait_exit(Duration::from_secs(10)).success(), "nothing runs: q leaves at once");
}

#[test]
fn obmen_demo_prepares_a_home_whose_server_imports_when_started() {
    let home = tempfile::tempdir().unwrap();
    let _guard = DaemonGuard(home.path().to_owned());
    let run =
        || std::process::Command::new(env!("CARGO_BIN_EXE_obmen")).args(["--lang", "en", "demo", "--no-tui"]).env("OBMEN_HOME", home.path()).output().unwrap();
    let o = run();
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    let sim_pid: String = std::fs::read_to_string(home.path().join("shopiko-sim.pid")).unwrap_or_default();
    let bl_pid: String = std::fs::read_to_string(home.path().join("baselinker-sim.pid")).unwrap_or_default();
    struct Kill(String);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = std::process::Command::new("kill").arg(self.0.trim()).status();
        }
    }
    let _sim = Kill(sim_pid);
    let _bl = Kill(bl_pid);
    assert!(o.status.success(), "{said}{}", String::from_utf8_lossy(&o.stderr));
    assert!(said.contains("Shopiko demo") && said.contains("warehouse.db") && said.contains("BaseLinker demo"), "{said}");
    assert!(daemon_pid(home.path()).is_some());
    // Started, it imports the shop's 20 orders and exports the goods within seconds.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = Client::new(&home.path().join("obmen.sock"));
    let _: Value = rt.block_on(client.call(Method::POST, "/v1/servers/Shopiko%20demo/start", None)).unwrap();
    let start = Instant::now();
    loop {
        let st: Value = rt.block_on(client.call(Method::GET, "/v1/servers/Shopiko%20demo", None)).unwrap();
        if st["counters"]["imported"].as_u64().unwrap_or(0) >= 20 && st["counters"]["exported"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{st}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // The BaseLinker server beside it books its account's confirmed orders in EUR and BGN into
    // the same database, and sets aside the PLN ones; then it sends the 500 goods, one request
    // each at the token's 100 a minute (minutes): its import is done once it is at the export.
    let _: Value = rt.block_on(client.call(Method::POST, "/v1/servers/BaseLinker%20demo/start", None)).unwrap();
    loop {
        let st: Value = rt.block_on(client.call(Method::GET, "/v1/servers/BaseLinker%20demo", None)).unwrap();
        if st["phase"] == "export" || st["counters"]["imported"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "{st}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let db = format!("Driver=SQLite3;Database={};", home.path().join("warehouse.db").display());
    let wh = obmen::warehouse::Warehouse::connect(&db, obmen::warehouse::Dialect::Sqlite).unwrap();
    assert!(wh.imported_count("baselinker:301").unwrap() > 0, "the BaseLinker orders are in the database");
    drop(wh);
    let _: Value = rt.block_on(client.call(Method::POST, "/v1/servers/BaseLinker%20demo/stop", None)).unwrap();
    // Run again, the home is reused: the same simulators, the same database.
    let o = run();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for server in ["Shopiko demo", "BaseLinker demo"] {
        let list = std::process::Command::new(env!("CARGO_BIN_EXE_obmen")).args(["check", server]).env("OBMEN_HOME", home.path()).output().unwrap();
        assert!(list.status.success(), "{}", String::from_utf8_lossy(&list.stdout));
    }
}
