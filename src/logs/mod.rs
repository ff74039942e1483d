//! obmen's log files, written by obmen's own small writer so that their names and shape are a
//! contract the TUI and `obmen log` read: one JSON object per line, per server in
//! `logs/NAME/YYYY-MM-DD.jsonl` (the machine's local date), the daemon's own in
//! `logs/daemon-YYYY-MM-DD.jsonl`. Files older than the retention are deleted at start and at
//! midnight; a server's files never hold more than its cap together (the oldest go first, and a
//! day that alone reaches half the cap is moved to `YYYY-MM-DD.1.jsonl`, replacing an older one).
//!
//! [`read`] answers from the end of the newest file backwards in blocks, never reading a whole
//! file, so a log of hundreds of megabytes opens at once.

pub mod read;

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Local, NaiveDate};
use serde::{Deserialize, Serialize};

pub use read::{read, Filter, Follow};

/// A line's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Detail.
    Debug,
    /// What happened.
    Info,
    /// Something to look at: an order set aside, a retry.
    Warn,
    /// Something failed.
    Error,
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "debug" => Ok(Level::Debug),
            "info" => Ok(Level::Info),
            "warn" | "warning" => Ok(Level::Warn),
            "error" => Ok(Level::Error),
            other => Err(crate::i18n::Msg::NotALevel.with(crate::i18n::current(), &[("value", &other)])),
        }
    }
}

impl Level {
    /// As files write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// One line of a log file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// When, local time with its offset.
    pub ts: DateTime<chrono::FixedOffset>,
    /// How much it matters.
    pub level: Level,
    /// The server, or None for the daemon's own lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The run it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<i64>,
    /// What kind of line (`run_started`, `order_imported`, `state`, ...), for a UI to pick out.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub event: String,
    /// What happened, in words.
    pub msg: String,
}

impl Line {
    /// A line stamped now.
    pub fn now(level: Level, server: Option<&str>, run: Option<i64>, event: &str, msg: impl Into<String>) -> Line {
        Line { ts: Local::now().fixed_offset(), level, server: server.map(str::to_owned), run, event: event.to_owned(), msg: msg.into() }
    }
}

/// How long files are kept and how much a server may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Files older than this many days are deleted.
    pub retention_days: u32,
    /// A server's files together never hold more than this many bytes.
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { retention_days: 30, max_bytes: 500 * 1024 * 1024 }
    }
}

/// The file of one day of one server (or of the daemon, with None).
pub fn day_file(dir: &Path, server: Option<&str>, day: NaiveDate) -> PathBuf {
    match server {
        Some(name) => dir.join(name).join(format!("{day}.jsonl")),
        None => dir.join(format!("daemon-{day}.jsonl")),
    }
}

/// The day a log file holds, from its name (`2026-12-01.jsonl`, `2026-12-01.1.jsonl`,
/// `daemon-2026-12-01.jsonl`).
pub fn file_day(path: &Path) -> Option<NaiveDate> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".jsonl")?;
    let stem = stem.strip_prefix("daemon-").unwrap_or(stem);
    let date = stem.split('.').next()?;
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// A server's (or the daemon's) log files, oldest first: by day, the moved-aside `.1` part of
/// a day before the day's own file.
pub fn files(dir: &Path, server: Option<&str>) -> Vec<PathBuf> {
    let folder = match server {
        Some(name) => dir.join(name),
        None => dir.to_owned(),
    };
    let Ok(entries) = std::fs::read_dir(&folder) else { return Vec::new() };
    let mut out: Vec<(NaiveDate, bool, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            server.is_some() != name.starts_with("daemon-")
        })
        .filter_map(|p| {
            let day = file_day(&p)?;
            let current = !p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".1.jsonl"));
            Some((day, current, p))
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, _, p)| p).collect()
}

struct Open {
    day: NaiveDate,
    file: File,
    /// Bytes in today's file.
    size: u64,
    /// Bytes in the server's other files.
    older: u64,
}

/// The writer every server's task and the daemon share. Writing never fails the caller: a log
/// that cannot be written is said once on stderr and the exchange goes on.
#[derive(Clone)]
pub struct Logs {
    dir: PathBuf,
    limits: Limits,
    open: Arc<Mutex<HashMap<Option<String>, Open>>>,
    warned: Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for Logs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Logs({})", self.dir.display())
    }
}

impl Logs {
    /// Logs in this folder (`HOME/logs`).
    pub fn new(dir: PathBuf, limits: Limits) -> Logs {
        Logs { dir, limits, open: Arc::default(), warned: Arc::default() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends one line to its server's file of today (or the daemon's).
    pub fn write(&self, line: &Line) {
        if let Err(e) = self.try_write(line) {
            if !self.warned.swap(true, std::sync::atomic::Ordering::Relaxed) {
                eprintln!("{}", crate::i18n::Msg::LogNotWritten.with(crate::i18n::current(), &[("dir", &self.dir.display()), ("error", &e)]));
            }
        }
    }

    fn try_write(&self, line: &Line) -> std::io::Result<()> {
        let mut text = serde_json::to_string(line).map_err(std::io::Error::other)?;
        text.push('\n');
        let today = Local::now().date_naive();
        let key = line.server.clone();
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let stale = open.get(&key).is_none_or(|o| o.day != today);
        if stale {
            open.remove(&key);
            let o = self.open_day(key.as_deref(), today)?;
            open.insert(key.clone(), o);
        }
        let Some(o) = open.get_mut(&key) else { return Ok(()) };
        let len = text.len() as u64;
        if o.size + len > self.limits.max_bytes / 2 && o.size > 0 && key.is_some() {
            // Today alone reached half the cap: it becomes today's `.1` part, and a new one begins.
            let path = day_file(&self.dir, key.as_deref(), today);
            let aside = path.with_extension("1.jsonl");
            std::fs::rename(&path, &aside)?;
            *o = self.open_day(key.as_deref(), today)?;
        }
        if o.older + o.size + len > self.limits.max_bytes && key.is_some() {
            o.older = self.shrink(key.as_deref(), today, self.limits.max_bytes.saturating_sub(o.size + len));
        }
        o.file.write_all(text.as_bytes())?;
        o.size += len;
        Ok(())
    }

    fn open_day(&self, server: Option<&str>, day: NaiveDate) -> std::io::Result<Open> {
        let path = day_file(&self.dir, server, day);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut opts = OpenOptions::new();
        opts.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let file = opts.open(&path)?;
        let size = file.metadata()?.len();
        let older = files(&self.dir, server).iter().filter(|p| **p != path).filter_map(|p| p.metadata().ok()).map(|m| m.len()).sum();
        Ok(Open { day, file, size, older })
    }

    /// Deletes a server's oldest files other than today's until the rest hold at most `budget`
    /// bytes; gives what they hold then.
    fn shrink(&self, server: Option<&str>, today: NaiveDate, budget: u64) -> u64 {
        let current = day_file(&self.dir, server, today);
        let mut others: Vec<(PathBuf, u64)> =
            files(&self.dir, server).into_iter().filter(|p| *p != current).map(|p| (p.clone(), p.metadata().map(|m| m.len()).unwrap_or(0))).collect();
        let mut total: u64 = others.iter().map(|(_, n)| n).sum();
        others.reverse();
        while total > budget {
            let Some((path, n)) = others.pop() else { break };
            if std::fs::remove_file(&path).is_ok() {
                total -= n;
            }
        }
        total
    }

    /// Deletes every log file older than the retention (by the day in its name), and nothing
    /// else; gives the files deleted.
    pub fn sweep(&self, today: NaiveDate) -> Vec<PathBuf> {
        let keep_from = today - chrono::Duration::days(i64::from(self.limits.retention_days.max(1)) - 1);
        let mut candidates = files(&self.dir, None);
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for e in entries.filter_map(Result::ok) {
                let name = e.file_name().to_string_lossy().into_owned();
                if e.path().is_dir() && crate::config::check_name(&name).is_ok() {
                    candidates.extend(files(&self.dir, Some(&name)));
                }
            }
        }
        let mut deleted = Vec::new();
        for path in candidates {
            if file_day(&path).is_some_and(|d| d < keep_from) && std::fs::remove_file(&path).is_ok() {
                deleted.push(path);
            }
        }
        // Sizes the writer counts must follow.
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
        deleted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_go_to_their_servers_day_file_and_the_cap_holds() {
        let dir = tempfile::tempdir().unwrap();
        let logs = Logs::new(dir.path().to_owned(), Limits { retention_days: 30, max_bytes: 20_000 });
        for i in 0..2_000 {
            logs.write(&Line::now(Level::Info, Some("Магазин"), Some(i), "test", format!("line {i} {}", "x".repeat(20))));
        }
        logs.write(&Line::now(Level::Warn, None, None, "daemon", "daemon line"));
        let today = Local::now().date_naive();
        assert!(day_file(dir.path(), Some("Магазин"), today).is_file());
        assert!(day_file(dir.path(), None, today).is_file());
        let total: u64 = files(dir.path(), Some("Магазин")).iter().map(|p| p.metadata().unwrap().len()).sum();
        assert!(total <= 20_000, "{total}");
        assert!(total > 5_000, "{total}: the cap keeps the newest, it does not empty the log");
        assert_eq!(files(dir.path(), None).len(), 1);
    }

    #[test]
    fn the_sweep_deletes_old_days_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let logs = Logs::new(dir.path().to_owned(), Limits { retention_days: 30, max_bytes: 1 << 30 });
        std::fs::create_dir_all(dir.path().join("Shop")).unwrap();
        let keep = [
            day_file(dir.path(), Some("Shop"), today),
            day_file(dir.path(), Some("Shop"), today - chrono::Duration::days(29)),
            day_file(dir.path(), None, today - chrono::Duration::days(29)),
            dir.path().join("Shop").join("notes.txt"),
            dir.path().join("README"),
        ];
        let old = [
            day_file(dir.path(), Some("Shop"), today - chrono::Duration::days(30)),
            dir.path().join("Shop").join("2026-01-01.1.jsonl"),
            day_file(dir.path(), None, today - chrono::Duration::days(400)),
        ];
        for p in keep.iter().chain(&old) {
            std::fs::write(p, "{}\n").unwrap();
        }
        let mut deleted = logs.sweep(today);
        deleted.sort();
        let mut want = old.to_vec();
        want.sort();
        assert_eq!(deleted, want);
        for p in &keep {
            assert!(p.exists(), "{}", p.display());
        }
    }
}
