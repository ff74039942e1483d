//! The reliability suite: obmen's promise (never lose, duplicate or mis-book a document; keep
//! going when the shop or the database fails) measured against the daemon, as a real process, on
//! a real MariaDB and the simulator over HTTP.
//!
//! `make test` runs a shortened pass (fewer rounds and orders, the same checks); `make
//! reliability` runs the full one (`OBMEN_RELIABILITY=full`) and prints the table each case
//! writes a row of (`target/tmp/reliability.jsonl`): cases, faults injected, documents checked,
//! lost, duplicated. Random moments come from a seed, printed in the row; set
//! `OBMEN_RELIABILITY_SEED` to replay or to try others. docs/RELIABILITY.md says what each case
//! promises and holds the figures of the last full run.

mod bad_input;
mod books;
mod faults;
mod load;
mod own_mariadb;

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

/// True for the full pass (`make reliability`).
pub fn full() -> bool {
    std::env::var("OBMEN_RELIABILITY").is_ok_and(|v| v == "full")
}

/// The short pass's figure, or the full one's.
pub fn pick<T>(short: T, full_pass: T) -> T {
    if full() {
        full_pass
    } else {
        short
    }
}

/// The seed of a case's random moments.
pub fn seed(case_default: u64) -> u64 {
    std::env::var("OBMEN_RELIABILITY_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(case_default)
}

/// One row of the table.
#[derive(Debug, Default, Serialize)]
pub struct Row {
    /// Which case.
    pub case: String,
    /// The pass: short or full.
    pub pass: &'static str,
    /// Rounds or sub-cases run.
    pub cases: u64,
    /// Faults injected (kills, error answers, cut connections, bad inputs...).
    pub faults: u64,
    /// Documents (orders) whose booking was checked.
    pub documents: u64,
    /// Orders in the shop that were neither booked nor set aside with a reason.
    pub lost: u64,
    /// Documents booked more than once, or with nothing to belong to.
    pub duplicated: u64,
    /// Files, outputs and requests searched for a key or a password, and what was found.
    pub secrets_searched: u64,
    /// Places a key or password was found (must be 0).
    pub secrets_found: u64,
    /// The seed of its random moments.
    pub seed: u64,
    /// How long it took.
    pub secs: f64,
    /// What else was measured, in words.
    pub detail: String,
}

impl Row {
    /// A row for a case, timed from now.
    pub fn new(case: &str, seed: u64) -> (Row, Instant) {
        (Row { case: case.into(), pass: if full() { "full" } else { "short" }, seed, ..Row::default() }, Instant::now())
    }

    /// Writes the row where `make reliability` reads the table from, and to the test's output.
    pub fn record(mut self, started: Instant) {
        self.secs = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
        let line = serde_json::to_string(&self).unwrap();
        eprintln!("reliability: {line}");
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("reliability.jsonl");
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
        writeln!(f, "{line}").unwrap();
    }
}

/// The secrets no file, output or request may hold: the shop's key and the test database's
/// password.
pub fn secrets() -> Vec<String> {
    vec![crate::shopiko::KEY.to_owned(), "obmen-test".to_owned()]
}

/// Searches every file under a home (but the server files and the key file, which hold them by
/// design, 0600), the texts given (command outputs) and the requests a simulator received, for a
/// secret. Returns (searched, found) and says where.
pub fn search_secrets(home: &Path, outputs: &[String], requests: &[obmen::shopiko::sim::RecordedRequest]) -> (u64, u64) {
    let secrets = secrets();
    let mut searched = 0;
    let mut found = 0;
    let mut look = |what: &str, bytes: &[u8]| {
        searched += 1;
        for s in &secrets {
            if bytes.windows(s.len()).any(|w| w == s.as_bytes()) {
                eprintln!("reliability: a secret was found in {what}");
                found += 1;
            }
        }
    };
    for entry in walk(home) {
        let rel = entry.strip_prefix(home).unwrap_or(&entry).to_string_lossy().into_owned();
        let held_by_design = (rel.starts_with("servers/") && rel.ends_with(".toml") && !rel.starts_with("servers/deleted/")) || rel.ends_with(".key");
        if held_by_design {
            continue;
        }
        if let Ok(bytes) = std::fs::read(&entry) {
            look(&rel, &bytes);
        }
    }
    for (i, o) in outputs.iter().enumerate() {
        look(&format!("output {i}"), o.as_bytes());
    }
    for r in requests {
        let text = format!("{} {}\n{}\n{}", r.method, r.target, r.headers.join("\n"), r.body);
        look(&format!("request {} {}", r.method, r.target), text.as_bytes());
    }
    (searched, found)
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else { return out };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.is_file() {
            out.push(p);
        }
    }
    out
}
