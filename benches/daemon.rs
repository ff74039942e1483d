//! `make bench`, daemon part:
//! - `obmen log NAME` on a server log of 500 MB: the time to its first screen (50 lines), as a
//!   process (the command a user types) and in the library, beside the same on a 1 MB log (the
//!   ratio says whether the size of the file matters);
//! - the daemon's resident memory with 50 idle servers, and its peak while the 50 each import
//!   at once (each its own SQLite Warehouse Pro database, one simulator), and a minute after.
//!
//! OBMEN_BENCH_LOG_MB and OBMEN_BENCH_SERVERS change the sizes, OBMEN_BENCH_SETTLE_SECS the minute.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use obmen::logs::{self, Filter, Level, Line};
use obmen::shopiko::sim::{Sim, SimConfig};
use obmen::warehouse::{Dialect, Warehouse};

const OBMEN: &str = env!("CARGO_BIN_EXE_obmen");

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A server's log of about `mb` MB for today, written as obmen writes it.
fn write_log(dir: &std::path::Path, mb: usize) {
    let path = logs::day_file(dir, Some("Shop"), chrono::Local::now().date_naive());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).unwrap());
    let mut written = 0usize;
    let mut i = 0u64;
    while written < mb * 1024 * 1024 {
        let line =
            Line::now(Level::Info, Some("Shop"), Some((i / 200) as i64), "order_imported", format!("Order SH-{} imported as document {:010}.", 100_000 + i, i));
        let mut text = serde_json::to_string(&line).unwrap();
        text.push('\n');
        written += text.len();
        f.write_all(text.as_bytes()).unwrap();
        i += 1;
    }
    f.flush().unwrap();
}

fn write_log_for(dir: &std::path::Path, server: &str, mb: usize) {
    write_log(dir, mb);
    let from = logs::day_file(dir, Some("Shop"), chrono::Local::now().date_naive());
    let to = logs::day_file(dir, Some(server), chrono::Local::now().date_naive());
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::rename(from, to).unwrap();
}

/// Milliseconds from launching the UI to the servers listed, and from pressing l to the log.
fn time_tui(home: &std::path::Path) -> (f64, f64) {
    use portable_pty::{native_pty_system, CommandBuilder, PtySize};
    use std::io::Read;
    use std::sync::{Arc, Mutex};
    let mut first = Vec::new();
    let mut log = Vec::new();
    for _ in 0..5 {
        let pty = native_pty_system().openpty(PtySize { rows: 40, cols: 120, pixel_width: 0, pixel_height: 0 }).unwrap();
        let mut cmd = CommandBuilder::new(OBMEN);
        cmd.env("OBMEN_HOME", home);
        cmd.env("OBMEN_LANG", "en");
        cmd.env("TERM", "xterm-256color");
        let t = Instant::now();
        let mut child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let mut writer = pty.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(40, 120, 0)));
        let p = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    return;
                }
                p.lock().unwrap().process(&buf[..n]);
            }
        });
        let wait = |what: &str| {
            let start = Instant::now();
            while !parser.lock().unwrap().screen().contents().contains(what) {
                assert!(start.elapsed() < Duration::from_secs(30), "no '{what}' on the screen");
                std::thread::sleep(Duration::from_micros(200));
            }
        };
        wait("S01");
        first.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        writer.write_all(b"l").unwrap();
        writer.flush().unwrap();
        wait("imported as document");
        log.push(t.elapsed().as_secs_f64() * 1000.0);
        writer.write_all(b"\x1b").unwrap();
        writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        writer.write_all(b"h").unwrap();
        writer.flush().unwrap();
        let _ = child.wait();
        drop(pty.master);
    }
    (median(first), median(log))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Median milliseconds of `obmen log Shop` (a process) and of `logs::read` (in-process).
fn time_log(home: &std::path::Path) -> (f64, f64) {
    let mut process = Vec::new();
    let mut library = Vec::new();
    for _ in 0..9 {
        let t = Instant::now();
        let o = Command::new(OBMEN).args(["log", "Shop"]).env("OBMEN_HOME", home).stdout(Stdio::piped()).output().unwrap();
        process.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(o.status.success());
        assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 50);
        let t = Instant::now();
        let lines = logs::read(&home.join("logs"), Some("Shop"), &Filter::default(), 50).unwrap();
        library.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(lines.len(), 50);
    }
    (median(process), median(library))
}

fn rss_kb(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)).and_then(|n| n.parse().ok()).unwrap_or(0)
}

fn main() {
    // Logs.
    let big_mb = env("OBMEN_BENCH_LOG_MB", 500);
    let big = tempfile::tempdir().unwrap();
    let small = tempfile::tempdir().unwrap();
    let t = Instant::now();
    write_log(&big.path().join("logs"), big_mb);
    eprintln!("wrote a {big_mb} MB log in {:.1} s", t.elapsed().as_secs_f64());
    write_log(&small.path().join("logs"), 1);
    let (big_process, big_library) = time_log(big.path());
    let (small_process, small_library) = time_log(small.path());
    println!("## `obmen log` on a {big_mb} MB log (first screen, 50 lines; median of 9)");
    println!();
    println!("| log | `obmen log Shop` (process) ms | `logs::read` ms |");
    println!("|---|---|---|");
    println!("| {big_mb} MB | {big_process:.1} | {big_library:.2} |");
    println!("| 1 MB | {small_process:.1} | {small_library:.2} |");
    println!("| ratio | {:.2} | {:.2} |", big_process / small_process, big_library / small_library);
    println!();
    println!("Target: under 100 ms to the first screen: {}.", if big_process < 100.0 { "met" } else { "NOT met" });
    println!();
    drop(big);

    // Memory.
    let servers = env("OBMEN_BENCH_SERVERS", 50);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    let sim = Sim::new(SimConfig { seed_orders: 200, seed_products: 50, ..SimConfig::new("bench", "bench-key") }).unwrap();
    rt.spawn(sim.clone().serve(listener, std::future::pending()));
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("servers")).unwrap();
    for i in 0..servers {
        let db = home.path().join(format!("wh{i}.db"));
        let conn = format!("Driver=SQLite3;Database={};", db.display());
        let mut wh = Warehouse::connect(&conn, Dialect::Sqlite).unwrap();
        wh.init(50).unwrap();
        wh.close().unwrap();
        std::fs::write(
            home.path().join(format!("servers/S{i:02}.toml")),
            format!(
                "name = \"S{i:02}\"\nkind = \"WarehousePro Import Export Shopiko\"\nautostart = true\n\n[database]\ndialect = \"sqlite\"\nconnection = \"{conn}\"\n\n[rules]\nimport = \"never\"\nobject = \"Централен Склад\"\nallow_negative_stock = true\n\n[shopiko]\nurl = \"{url}\"\napi_id = \"bench\"\nkey = \"bench-key\"\n"
            ),
        )
        .unwrap();
    }
    // S00's log is 500 MB, for the UI's log view below (under a cap that keeps it).
    write_log_for(&home.path().join("logs"), "S00", big_mb);
    std::fs::write(home.path().join("obmen.toml"), format!("[logs]\nmax_mb = {}\n", big_mb * 4)).unwrap();
    let mut daemon = Command::new(OBMEN).arg("daemon").env("OBMEN_HOME", home.path()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let client = obmen::control::Client::new(&home.path().join("obmen.sock"));
    let up = Instant::now();
    while rt.block_on(client.call::<serde_json::Value>(hyper::Method::GET, "/v1/health", None)).is_err() {
        assert!(up.elapsed() < Duration::from_secs(30), "the daemon did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(3));
    let idle = rss_kb(daemon.id(), "VmRSS:");
    let idle_anon = rss_kb(daemon.id(), "RssAnon:");
    // Every server imports the shop's 200 orders into its own database, all at once; then
    // again with 200 new orders, to see whether a second round takes more.
    let import_all = |rt: &tokio::runtime::Runtime| {
        let t = Instant::now();
        rt.block_on(async {
            let mut runs = Vec::new();
            for i in 0..servers {
                let c = client.clone();
                runs.push(tokio::spawn(async move {
                    c.stream(hyper::Method::POST, &format!("/v1/servers/S{i:02}/run"), Some(serde_json::json!({ "import": true })), |v| {
                        v["event"]["event"] != "finished" && v["event"]["event"] != "failed"
                    })
                    .await
                    .unwrap();
                }));
            }
            for r in runs {
                r.await.unwrap();
            }
        });
        t.elapsed().as_secs_f64()
    };
    // How long after a burst the daemon's resident size is read again.
    let settle = Duration::from_secs(env("OBMEN_BENCH_SETTLE_SECS", 60) as u64);
    let busy_secs = import_all(&rt);
    let peak = rss_kb(daemon.id(), "VmHWM:");
    let soon = rss_kb(daemon.id(), "VmRSS:");
    std::thread::sleep(settle);
    let after = rss_kb(daemon.id(), "VmRSS:");
    let after_anon = rss_kb(daemon.id(), "RssAnon:");
    sim.add_orders(200);
    let busy2_secs = import_all(&rt);
    let peak2 = rss_kb(daemon.id(), "VmHWM:");
    std::thread::sleep(settle);
    let after2 = rss_kb(daemon.id(), "VmRSS:");
    let after2_anon = rss_kb(daemon.id(), "RssAnon:");
    let imported = sim.stats().orders_acknowledged;
    let (first_frame, log_view) = time_tui(home.path());
    Command::new("kill").args(["-TERM", &daemon.id().to_string()]).status().unwrap();
    daemon.wait().unwrap();
    println!("## The daemon's memory with {servers} servers");
    println!();
    let mb = |kb: u64| kb as f64 / 1024.0;
    println!("| moment | resident MB | of which the heap (anonymous) MB |");
    println!("|---|---|---|");
    println!("| {servers} servers started, idle | {:.1} | {:.1} |", mb(idle), mb(idle_anon));
    println!("| peak while all {servers} import at once ({:.1} s, {} shop orders acknowledged in all) | {:.1} | - |", busy_secs, imported, mb(peak));
    println!("| as the last run ends | {:.1} | - |", mb(soon));
    println!("| idle again, {} s later | {:.1} | {:.1} |", settle.as_secs(), mb(after), mb(after_anon));
    println!("| peak during a second round, 200 new orders each ({busy2_secs:.1} s) | {:.1} | - |", mb(peak2));
    println!("| idle, {} s after the second round | {:.1} | {:.1} |", settle.as_secs(), mb(after2), mb(after2_anon));
    println!();
    let settled = after.max(after2) as f64 / idle as f64;
    println!(
        "Targets: at most 30 MB idle: {}; {} s after a burst, within 2 times the idle size: {} ({settled:.1} times).",
        if idle < 30 * 1024 { "met" } else { "NOT met" },
        settle.as_secs(),
        if settled <= 2.0 { "met" } else { "NOT met" }
    );
    println!();
    println!("## The UI with {servers} servers (median of 5, in a 120x40 pseudo-terminal)");
    println!();
    println!("| from | to | ms |");
    println!("|---|---|---|");
    println!("| launching `obmen` | the first frame with the servers listed | {first_frame:.1} |");
    println!("| pressing l on a server with a {big_mb} MB log | its last lines shown | {log_view:.1} |");
    println!();
    println!("Targets: under 100 ms each: {}.", if first_frame < 100.0 && log_view < 100.0 { "met" } else { "NOT met" });
}
