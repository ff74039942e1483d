//! obmen's own state, in SQLite through sqlx (`state.db` in the home): the history of runs, the
//! quarantine of shop orders that could not be imported, export fingerprints (so that later
//! exports send only what changed), links between Warehouse Pro records and shop keys, and
//! listing cursors. Migrations in `migrations/` run when the database is opened.
//!
//! The record that a shop order was imported is *not* here: it lives in the Warehouse Pro
//! database, in the same transaction as the document (see `kinds::warehouse_pro::book`).

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Row;

use crate::i18n::{current, Msg};

pub mod alerts;
pub mod provenance;

/// Problems with obmen's own state database. Where SQLite could not write or open it, the error
/// names the path that cannot be written (the folder, `state.db`, or its `-wal` or `-shm` file)
/// and what to run.
#[derive(Debug, thiserror::Error)]
#[error("{}{}", Msg::StateDatabase.with(current(), &[("path", path), ("reason", &reason(error))]), hint.as_deref().map(|h| format!(". {h}")).unwrap_or_default())]
pub struct StateError {
    /// The file.
    pub path: String,
    /// What went wrong: not a `#[source]`, since the message already holds the database's words
    /// (a chain would print them three times over).
    pub error: sqlx::Error,
    /// Which path cannot be written and what to run, where that is the cause.
    pub hint: Option<String>,
}

impl StateError {
    /// An error of the state database at `path`, with the path to fix where a file or folder
    /// cannot be written.
    pub fn new(path: &str, source: sqlx::Error) -> StateError {
        let hint = if cannot_write(&source) { diagnose(Path::new(path)) } else { None };
        StateError { path: path.to_owned(), error: source, hint }
    }
}

/// The database's own words, once: sqlx's wrappers repeat them.
fn reason(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(d) => d.message().to_owned(),
        sqlx::Error::Migrate(m) => match m.as_ref() {
            sqlx::migrate::MigrateError::Execute(e) | sqlx::migrate::MigrateError::ExecuteMigration(e, _) => reason(e),
            other => other.to_string(),
        },
        other => other.to_string(),
    }
}

/// True when SQLite says it could not write or open a file (SQLITE_PERM, READONLY, IOERR,
/// CANTOPEN, in their extended forms too), or the system refused a file.
fn cannot_write(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.code().and_then(|c| c.parse::<i64>().ok()).is_some_and(|c| matches!(c & 0xff, 3 | 8 | 10 | 14)),
        sqlx::Error::Io(_) => true,
        sqlx::Error::Migrate(m) => match m.as_ref() {
            sqlx::migrate::MigrateError::Execute(e) | sqlx::migrate::MigrateError::ExecuteMigration(e, _) => cannot_write(e),
            _ => false,
        },
        _ => false,
    }
}

/// Which of the state database's paths cannot be written, and what to run: the folder (SQLite
/// makes its `-wal` and `-shm` files beside the database), then `state.db`, `state.db-wal` and
/// `state.db-shm` where they exist. `None` when all can be written (the cause is elsewhere).
pub fn diagnose(db: &Path) -> Option<String> {
    let dir = db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let probe = dir.join(format!(".obmen-write-test-{}", std::process::id()));
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Some(Msg::StateNoFolder.with(current(), &[("dir", &dir.display())]));
        }
        Err(e) => {
            return Some(Msg::StateFolderNotWritable.with(current(), &[("dir", &dir.display()), ("why", &io_reason(&e)), ("fix", &fix(&[dir], "u+rwx"))]));
        }
    }
    // Every file that cannot be written, in one message: SQLite gives a -shm file it makes the
    // database file's mode, so a read-only state.db leaves a read-only -shm beside it.
    let name = db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut refused: Vec<(std::path::PathBuf, std::io::Error)> = Vec::new();
    for file in [db.to_path_buf(), dir.join(format!("{name}-wal")), dir.join(format!("{name}-shm"))] {
        if !file.exists() {
            continue;
        }
        if let Err(e) = std::fs::OpenOptions::new().read(true).write(true).open(&file) {
            refused.push((file, e));
        }
    }
    let (_, e) = refused.first()?;
    let names: Vec<String> = refused.iter().map(|(f, _)| f.display().to_string()).collect();
    let paths: Vec<&Path> = refused.iter().map(|(f, _)| f.as_path()).collect();
    Some(Msg::StateFilesNotWritable.with(current(), &[("files", &names.join(" and ")), ("why", &io_reason(e)), ("fix", &fix(&paths, "u+rw"))]))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => Msg::PermissionDenied.get(current()).to_owned(),
        std::io::ErrorKind::ReadOnlyFilesystem => Msg::ReadOnlyFilesystem.get(current()).to_owned(),
        _ => e.to_string(),
    }
}

/// What to run so that obmen may write `paths`: a chown where another user owns one, else a
/// chmod.
fn fix(paths: &[&Path], mode: &str) -> String {
    let quoted: Vec<String> = paths.iter().map(|p| format!("'{}'", p.display().to_string().replace('\'', r"'\''"))).collect();
    let quoted = quoted.join(" ");
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // The process's own user: /proc/self belongs to it.
        let me = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
        let other = paths.iter().filter_map(|p| std::fs::metadata(p).map(|m| m.uid()).ok()).find(|owner| Some(*owner) != me);
        if let (Some(owner), Some(me)) = (other, me) {
            return Msg::StateOtherOwner.with(current(), &[("owner", &owner), ("paths", &quoted), ("me", &me)]);
        }
    }
    Msg::StateRunChmod.with(current(), &[("mode", &mode), ("paths", &quoted)])
}

/// Results of the state layer.
pub type Result<T, E = StateError> = std::result::Result<T, E>;

/// An open state database.
#[derive(Debug, Clone)]
pub struct State {
    /// The connection pool.
    pool: SqlitePool,
    /// The file, for messages.
    path: String,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Still running.
    Running,
    /// Everything done.
    Ok,
    /// Done, but some records were set aside, refused or not acknowledged.
    Partial,
    /// The run stopped on an error.
    Failed,
    /// Stopped through its token: the page in hand finished or rolled back.
    Stopped,
    /// The process running it died: marked so when state is next opened for the server.
    Interrupted,
}

impl Outcome {
    /// The word stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Running => "running",
            Outcome::Ok => "ok",
            Outcome::Partial => "partial",
            Outcome::Failed => "failed",
            Outcome::Stopped => "stopped",
            Outcome::Interrupted => "interrupted",
        }
    }

    fn parse(s: &str) -> Outcome {
        match s {
            "ok" => Outcome::Ok,
            "partial" => Outcome::Partial,
            "failed" => Outcome::Failed,
            "stopped" => Outcome::Stopped,
            "interrupted" => Outcome::Interrupted,
            _ => Outcome::Running,
        }
    }
}

/// Where an order set aside stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuarantineState {
    /// Waiting: tried again each run.
    Open,
    /// Imported on a later try.
    Resolved,
    /// Dropped by the operator: never imported.
    Dropped,
}

impl QuarantineState {
    /// The word stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            QuarantineState::Open => "open",
            QuarantineState::Resolved => "resolved",
            QuarantineState::Dropped => "dropped",
        }
    }

    fn parse(s: &str) -> QuarantineState {
        match s {
            "resolved" => QuarantineState::Resolved,
            "dropped" => QuarantineState::Dropped,
            _ => QuarantineState::Open,
        }
    }
}

/// A time as stored (RFC 3339, UTC); one that cannot be read is the Unix epoch.
fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

/// A run as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Its id.
    pub id: i64,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// A dry run?
    pub dry_run: bool,
    /// How it ended.
    pub outcome: Outcome,
    /// Its summary (JSON).
    pub summary: serde_json::Value,
}

/// A server's counters over its history: what an integration dashboard shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    /// Runs recorded.
    pub runs: u64,
    /// Orders imported.
    pub imported: u64,
    /// Orders set aside.
    pub set_aside: u64,
    /// Records exported.
    pub exported: u64,
    /// Calls tried again.
    pub retries: u64,
    /// Runs that failed or were interrupted.
    pub errors: u64,
    /// When the last run that went through ended.
    pub last_success: Option<DateTime<Utc>>,
    /// When the last failed run ended.
    pub last_failure: Option<DateTime<Utc>>,
    /// Why.
    pub last_failure_reason: Option<String>,
}

/// A server's runs as `/metrics` counts them (see [`State::run_stats`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunStats {
    /// Runs by outcome ("ok", "partial", "failed", ...).
    pub by_outcome: Vec<(String, u64)>,
    /// Records the shop refused, over every run.
    pub refused: u64,
    /// Orders in the quarantine now.
    pub quarantined: u64,
    /// How long each run that ended took, in seconds.
    pub durations: Vec<f64>,
}

/// An order set aside, as the command line and the control API give it (without the order
/// itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarantineEntry {
    /// Its id in the quarantine.
    pub id: i64,
    /// The shop's order id.
    pub order_id: String,
    /// The number the customer sees.
    pub order_number: String,
    /// Why, and what to do.
    pub reason: String,
    /// `open`, `resolved` or `dropped`.
    pub state: String,
    /// How many times it was tried.
    pub attempts: i64,
    /// When it was first set aside (RFC 3339).
    pub first_seen: String,
    /// When it was last tried (RFC 3339).
    pub last_seen: String,
}

/// An order just set aside: its entry's id, and whether the shop was already told of it (it
/// stayed set aside since it was told).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetAsideEntry {
    /// Its id in the quarantine.
    pub id: i64,
    /// True when the shop was told of it while it stayed set aside.
    pub shop_told: bool,
}

/// A quarantined shop order.
#[derive(Debug, Clone, PartialEq)]
pub struct Quarantined {
    /// Its id in the quarantine.
    pub id: i64,
    /// The shop's order id.
    pub order_id: String,
    /// The number the customer sees.
    pub order_number: String,
    /// Why it could not be imported, and what to do.
    pub reason: String,
    /// The order as received (JSON).
    pub payload: String,
    /// When it was first set aside.
    pub first_seen: DateTime<Utc>,
    /// When it was last tried.
    pub last_seen: DateTime<Utc>,
    /// How many times it was tried.
    pub attempts: i64,
    /// Where it stands.
    pub state: QuarantineState,
}

impl Quarantined {
    /// The entry as the command line's and the control API's JSON give it, without the order
    /// itself (`payload`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.to_entry()).unwrap_or_default()
    }

    /// The entry as the command line and the control API give it.
    pub fn to_entry(&self) -> QuarantineEntry {
        QuarantineEntry {
            id: self.id,
            order_id: self.order_id.clone(),
            order_number: self.order_number.clone(),
            reason: self.reason.clone(),
            state: self.state.as_str().to_owned(),
            attempts: self.attempts,
            first_seen: self.first_seen.to_rfc3339(),
            last_seen: self.last_seen.to_rfc3339(),
        }
    }
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl State {
    /// Opens (making it if need be) and migrates the state database.
    pub async fn open(path: &Path) -> Result<State> {
        let display = path.display().to_string();
        let err = |source| StateError::new(&display, source);
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        // Made 0600 before SQLite opens it: it holds customers' orders, and SQLite gives the
        // -wal and -shm files the database file's mode.
        let _ = crate::config::create_private(path);
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30));
        // Two obmen started at once in a fresh home would both make the file, switch it to WAL
        // ("database is locked") and make the tables ("table ... already exists"): the opening
        // and the migrations run one process at a time, under a lock on a file beside the
        // database, and each sees what the other did.
        let lock = MigrationLock::take(path).await;
        // Connections opened for a burst of runs close after half a minute unused, their page
        // caches with them: the daemon gives back what a burst took.
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .idle_timeout(Duration::from_secs(30))
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(err)?;
        let migrated = sqlx::migrate!("./migrations").run(&pool).await.map_err(|e| err(e.into()));
        drop(lock);
        migrated?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for file in [path.to_path_buf(), path.with_file_name(format!("{name}-wal")), path.with_file_name(format!("{name}-shm"))] {
            // Group and others lose their bits; the owner's are left as they are (a file made
            // read-only stays so, and its error says which file it is).
            let _ = crate::config::keep_private(&file);
        }
        Ok(State { pool, path: display })
    }

    fn err(&self, source: sqlx::Error) -> StateError {
        StateError::new(&self.path, source)
    }

    /// Records the start of a run; returns its id.
    pub async fn start_run(&self, server: &str, dry_run: bool) -> Result<i64> {
        let r = sqlx::query("INSERT INTO runs (server, started_at, dry_run) VALUES (?, ?, ?)")
            .bind(server)
            .bind(now())
            .bind(dry_run as i64)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(r.last_insert_rowid())
    }

    /// Marks the runs of a server still recorded as running `interrupted`: call only while
    /// holding the server's run lock, when no run of it can be going on. Returns how many.
    pub async fn mark_interrupted(&self, server: &str) -> Result<u64> {
        let r = sqlx::query("UPDATE runs SET outcome = 'interrupted', ended_at = ? WHERE server = ? AND outcome = 'running'")
            .bind(now())
            .bind(server)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(r.rows_affected())
    }

    /// Records the end of a run.
    pub async fn finish_run(&self, id: i64, outcome: Outcome, summary: &serde_json::Value) -> Result<()> {
        sqlx::query("UPDATE runs SET ended_at = ?, outcome = ?, summary = ? WHERE id = ?")
            .bind(now())
            .bind(outcome.as_str())
            .bind(summary.to_string())
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The last `n` runs of a server, newest first.
    pub async fn runs(&self, server: &str, n: i64) -> Result<Vec<RunRecord>> {
        let rows = sqlx::query("SELECT id, started_at, ended_at, dry_run, outcome, summary FROM runs WHERE server = ? ORDER BY id DESC LIMIT ?")
            .bind(server)
            .bind(n)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .map(|r| RunRecord {
                id: r.get(0),
                started_at: time(&r.get::<String, _>(1)),
                ended_at: r.get::<Option<String>, _>(2).map(|t| time(&t)),
                dry_run: r.get::<i64, _>(3) != 0,
                outcome: Outcome::parse(&r.get::<String, _>(4)),
                summary: serde_json::from_str(&r.get::<String, _>(5)).unwrap_or_default(),
            })
            .collect())
    }

    /// A server's counters over its whole history (dry runs left out).
    pub async fn counters(&self, server: &str) -> Result<Counters> {
        let row = sqlx::query(
            "SELECT COUNT(*),
                    COALESCE(SUM(json_extract(summary, '$.counts.imported')), 0),
                    COALESCE(SUM(json_extract(summary, '$.counts.set_aside')), 0),
                    COALESCE(SUM(json_extract(summary, '$.counts.exported')), 0),
                    COALESCE(SUM(json_extract(summary, '$.retries')), 0),
                    COALESCE(SUM(outcome IN ('failed', 'interrupted')), 0),
                    MAX(CASE WHEN outcome IN ('ok', 'partial') THEN ended_at END)
             FROM runs WHERE server = ? AND dry_run = 0",
        )
        .bind(server)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        let last_failure = sqlx::query(
            "SELECT COALESCE(ended_at, started_at), outcome, json_extract(summary, '$.errors[0].message') FROM runs
             WHERE server = ? AND dry_run = 0 AND outcome IN ('failed', 'interrupted') ORDER BY id DESC LIMIT 1",
        )
        .bind(server)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        let n = |i: usize| row.try_get::<i64, _>(i).unwrap_or(0).max(0) as u64;
        Ok(Counters {
            runs: n(0),
            imported: n(1),
            set_aside: n(2),
            exported: n(3),
            retries: n(4),
            errors: n(5),
            last_success: row.get::<Option<String>, _>(6).map(|t| time(&t)),
            last_failure: last_failure.as_ref().map(|r| time(&r.get::<String, _>(0))),
            last_failure_reason: last_failure.map(|r| r.get::<Option<String>, _>(2).unwrap_or_else(|| r.get::<String, _>(1))),
        })
    }

    /// What `/metrics` says of a server beyond its [`Counters`]: its runs by outcome, the
    /// records the shop refused, the orders in the quarantine now, and how long each run that
    /// ended took (dry runs left out).
    pub async fn run_stats(&self, server: &str) -> Result<RunStats> {
        let by_outcome: Vec<(String, i64)> =
            sqlx::query_as("SELECT outcome, COUNT(*) FROM runs WHERE server = ? AND dry_run = 0 GROUP BY outcome ORDER BY outcome")
                .bind(server)
                .fetch_all(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        let refused: i64 = sqlx::query_scalar("SELECT COALESCE(SUM(json_extract(summary, '$.counts.refused')), 0) FROM runs WHERE server = ? AND dry_run = 0")
            .bind(server)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        let quarantined = self.quarantine_count(server).await?;
        let durations: Vec<f64> = sqlx::query_scalar(
            "SELECT (julianday(ended_at) - julianday(started_at)) * 86400.0 FROM runs WHERE server = ? AND dry_run = 0 AND ended_at IS NOT NULL",
        )
        .bind(server)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(RunStats {
            by_outcome: by_outcome.into_iter().map(|(o, n)| (o, n.max(0) as u64)).collect(),
            refused: refused.max(0) as u64,
            quarantined,
            durations: durations.into_iter().map(|d| d.max(0.0)).collect(),
        })
    }

    /// The value of a cursor.
    pub async fn cursor(&self, server: &str, name: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT value FROM cursors WHERE server = ? AND name = ?")
            .bind(server)
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))
    }

    /// Moves a cursor.
    pub async fn set_cursor(&self, server: &str, name: &str, value: &str) -> Result<()> {
        sqlx::query("INSERT INTO cursors (server, name, value) VALUES (?, ?, ?) ON CONFLICT (server, name) DO UPDATE SET value = excluded.value")
            .bind(server)
            .bind(name)
            .bind(value)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Sets an order aside (or records another failed try of one already set aside): its entry,
    /// and whether the shop was already told of it while it stays set aside.
    pub async fn quarantine(&self, server: &str, order_id: &str, order_number: &str, reason: &str, payload: &str) -> Result<SetAsideEntry> {
        let t = now();
        let row = sqlx::query(
            "INSERT INTO quarantine (server, order_id, order_number, reason, payload, first_seen, last_seen, shop_told) VALUES (?, ?, ?, ?, ?, ?, ?, 0) \
             ON CONFLICT (server, order_id) DO UPDATE SET reason = excluded.reason, payload = excluded.payload, \
             last_seen = excluded.last_seen, attempts = quarantine.attempts + 1, \
             shop_told = CASE WHEN quarantine.state = 'open' THEN quarantine.shop_told ELSE 0 END, state = 'open' \
             RETURNING id, shop_told",
        )
        .bind(server)
        .bind(order_id)
        .bind(order_number)
        .bind(reason)
        .bind(payload)
        .bind(&t)
        .bind(&t)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(SetAsideEntry { id: row.get(0), shop_told: row.get::<i64, _>(1) != 0 })
    }

    /// Records that the shop was told an entry is set aside.
    pub async fn quarantine_told(&self, server: &str, order_id: &str) -> Result<()> {
        sqlx::query("UPDATE quarantine SET shop_told = 1 WHERE server = ? AND order_id = ?")
            .bind(server)
            .bind(order_id)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// A server's quarantine; with `all`, resolved and dropped entries too.
    pub async fn quarantined(&self, server: &str, all: bool) -> Result<Vec<Quarantined>> {
        let sql = if all {
            "SELECT id, order_id, order_number, reason, payload, first_seen, last_seen, attempts, state FROM quarantine WHERE server = ? ORDER BY id"
        } else {
            "SELECT id, order_id, order_number, reason, payload, first_seen, last_seen, attempts, state FROM quarantine WHERE server = ? AND state = 'open' ORDER BY id"
        };
        let rows = sqlx::query(sql).bind(server).fetch_all(&self.pool).await.map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .map(|r| Quarantined {
                id: r.get(0),
                order_id: r.get(1),
                order_number: r.get(2),
                reason: r.get(3),
                payload: r.get(4),
                first_seen: time(&r.get::<String, _>(5)),
                last_seen: time(&r.get::<String, _>(6)),
                attempts: r.get(7),
                state: QuarantineState::parse(&r.get::<String, _>(8)),
            })
            .collect())
    }

    /// Marks a quarantined order imported (it went through on a later try).
    pub async fn resolve_quarantine(&self, server: &str, order_id: &str) -> Result<()> {
        sqlx::query("UPDATE quarantine SET state = 'resolved', last_seen = ? WHERE server = ? AND order_id = ? AND state <> 'resolved'")
            .bind(now())
            .bind(server)
            .bind(order_id)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Marks a quarantined order dropped by the operator (kept, never imported). False when there
    /// is no open entry with this id.
    pub async fn drop_quarantine(&self, server: &str, id: i64) -> Result<bool> {
        let r = sqlx::query("UPDATE quarantine SET state = 'dropped', last_seen = ? WHERE server = ? AND id = ? AND state = 'open'")
            .bind(now())
            .bind(server)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(r.rows_affected() == 1)
    }

    /// The fingerprints last sent, by item.
    pub async fn fingerprints(&self, server: &str, kind: &str) -> Result<HashMap<String, String>> {
        let rows = sqlx::query("SELECT item, fingerprint FROM export_fingerprints WHERE server = ? AND kind = ?")
            .bind(server)
            .bind(kind)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Records what was sent, in one transaction.
    pub async fn set_fingerprints(&self, server: &str, kind: &str, items: &[(String, String)]) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let t = now();
        // Many rows a statement: one round trip per 500 items rather than per item.
        for chunk in items.chunks(500) {
            let mut q = sqlx::QueryBuilder::new("INSERT INTO export_fingerprints (server, kind, item, fingerprint, sent_at) ");
            q.push_values(chunk, |mut b, (item, fp)| {
                b.push_bind(server).push_bind(kind).push_bind(item).push_bind(fp).push_bind(&t);
            });
            q.push(" ON CONFLICT (server, kind, item) DO UPDATE SET fingerprint = excluded.fingerprint, sent_at = excluded.sent_at");
            q.build().execute(&mut *tx).await.map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))
    }

    /// The snapshot of a kind the last export saved, if any.
    pub async fn snapshot(&self, server: &str, kind: &str) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT data FROM export_snapshots WHERE server = ? AND kind = ?")
            .bind(server)
            .bind(kind)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Saves a snapshot of a kind, replacing the one before.
    pub async fn set_snapshot(&self, server: &str, kind: &str, data: &[u8]) -> Result<()> {
        sqlx::query(
            "INSERT INTO export_snapshots (server, kind, data, saved_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (server, kind) DO UPDATE SET data = excluded.data, saved_at = excluded.saved_at",
        )
        .bind(server)
        .bind(kind)
        .bind(data)
        .bind(now())
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The links of a kind: Warehouse Pro id -> shop key.
    pub async fn links(&self, server: &str, kind: &str) -> Result<HashMap<i64, String>> {
        let rows = sqlx::query("SELECT warehouse_id, shop_key FROM links WHERE server = ? AND kind = ?")
            .bind(server)
            .bind(kind)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Links records, in one transaction (a link already there is replaced).
    pub async fn set_links(&self, server: &str, kind: &str, links: &[(i64, String)]) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let t = now();
        for (id, key) in links {
            sqlx::query("DELETE FROM links WHERE server = ? AND kind = ? AND (warehouse_id = ? OR shop_key = ?)")
                .bind(server)
                .bind(kind)
                .bind(id)
                .bind(key)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
            sqlx::query("INSERT INTO links (server, kind, warehouse_id, shop_key, linked_at) VALUES (?, ?, ?, ?, ?)")
                .bind(server)
                .bind(kind)
                .bind(id)
                .bind(key)
                .bind(&t)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))
    }
}

/// An exclusive lock on `<state>.lock` (flock), held while the state database is migrated; let go
/// when dropped, or when the process ends. Where the file cannot be made or locked (a read-only
/// directory, a system without flock), migrations go on unlocked, as before.
struct MigrationLock(Option<std::fs::File>);

impl MigrationLock {
    async fn take(state: &Path) -> MigrationLock {
        let name = state.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let path = state.with_file_name(format!("{name}.lock"));
        let file = tokio::task::spawn_blocking(move || -> Option<std::fs::File> {
            let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).ok()?;
            #[cfg(unix)]
            {
                use std::os::unix::io::AsRawFd;
                // Safety: flock takes the descriptor of a file this closure owns.
                if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
                    return None;
                }
            }
            Some(file)
        })
        .await
        .ok()
        .flatten();
        MigrationLock(file)
    }
}

impl Drop for MigrationLock {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(file) = &self.0 {
            use std::os::unix::io::AsRawFd;
            // Safety: as above; closing the file would let it go too.
            unsafe {
                libc::flock(file.as_raw_fd(), libc::LOCK_UN);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shop is told an order is set aside once while it stays set aside; set aside again
    /// after it went through or was dropped, it is told again.
    #[tokio::test]
    async fn the_shop_is_told_of_a_set_aside_order_once_while_it_stays_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let st = State::open(&dir.path().join("state.db")).await.unwrap();
        let first = st.quarantine("S", "7", "7", "no PLN", "{}").await.unwrap();
        assert!(!first.shop_told);
        let again = st.quarantine("S", "7", "7", "no PLN", "{}").await.unwrap();
        assert_eq!(again, first, "tried again before it was told: still to tell, the same entry");
        st.quarantine_told("S", "7").await.unwrap();
        let told = st.quarantine("S", "7", "7", "still no PLN", "{}").await.unwrap();
        assert!(told.shop_told, "tried again: already told");
        assert_eq!(told.id, first.id);
        st.resolve_quarantine("S", "7").await.unwrap();
        let anew = st.quarantine("S", "7", "7", "no PLN again", "{}").await.unwrap();
        assert!(!anew.shop_told, "set aside anew after it went through: told anew");
        st.quarantine_told("S", "7").await.unwrap();
        st.drop_quarantine("S", anew.id).await.unwrap();
        assert!(!st.quarantine("S", "7", "7", "back", "{}").await.unwrap().shop_told, "set aside anew after it was dropped: told anew");
    }

    #[tokio::test]
    async fn quarantine_cursor_fingerprints_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let st = State::open(&dir.path().join("state.db")).await.unwrap();
        let id = st.quarantine("S", "1001", "SH-1001", "unknown product X", "{}").await.unwrap().id;
        // The database and the -wal file beside it hold customers' orders: owner only.
        for name in ["state.db", "state.db-wal"] {
            let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(dir.path().join(name)).unwrap().permissions());
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
        let again = st.quarantine("S", "1001", "SH-1001", "still unknown", "{}").await.unwrap().id;
        assert_eq!(id, again);
        let q = st.quarantined("S", false).await.unwrap();
        assert_eq!((q.len(), q[0].attempts, q[0].reason.as_str()), (1, 2, "still unknown"));
        assert!(st.drop_quarantine("S", id).await.unwrap());
        assert!(!st.drop_quarantine("S", id).await.unwrap());
        assert!(st.quarantined("S", false).await.unwrap().is_empty());
        assert_eq!(st.quarantined("S", true).await.unwrap()[0].state, QuarantineState::Dropped);

        assert_eq!(st.cursor("S", "orders").await.unwrap(), None);
        st.set_cursor("S", "orders", "17").await.unwrap();
        st.set_cursor("S", "orders", "18").await.unwrap();
        assert_eq!(st.cursor("S", "orders").await.unwrap().as_deref(), Some("18"));

        st.set_fingerprints("S", "stock", &[("A".into(), "1".into()), ("B".into(), "2".into())]).await.unwrap();
        st.set_fingerprints("S", "stock", &[("A".into(), "3".into())]).await.unwrap();
        let fp = st.fingerprints("S", "stock").await.unwrap();
        assert!(st.snapshot("S", "stock").await.unwrap().is_none());
        st.set_snapshot("S", "stock", b"one").await.unwrap();
        st.set_snapshot("S", "stock", b"two").await.unwrap();
        assert_eq!(st.snapshot("S", "stock").await.unwrap().as_deref(), Some(&b"two"[..]));
        assert_eq!((fp["A"].as_str(), fp["B"].as_str()), ("3", "2"));

        st.set_links("S", "good", &[(5, "SKU-5".into())]).await.unwrap();
        st.set_links("S", "good", &[(6, "SKU-5".into())]).await.unwrap();
        let links = st.links("S", "good").await.unwrap();
        assert_eq!(links.len(), 1, "a shop key links to one good: {links:?}");
        assert_eq!(links[&6], "SKU-5");

        let run = st.start_run("S", false).await.unwrap();
        st.finish_run(run, Outcome::Partial, &serde_json::json!({"orders_imported": 3})).await.unwrap();
        let runs = st.runs("S", 5).await.unwrap();
        assert_eq!((runs[0].outcome, runs[0].summary["orders_imported"].as_i64()), (Outcome::Partial, Some(3)));
        assert!(runs[0].ended_at.unwrap() >= runs[0].started_at);

        let dead = st.start_run("S", false).await.unwrap();
        let other = st.start_run("T", false).await.unwrap();
        assert_eq!(st.mark_interrupted("S").await.unwrap(), 1);
        let runs = st.runs("S", 5).await.unwrap();
        assert_eq!((runs[0].id, runs[0].outcome), (dead, Outcome::Interrupted));
        let t = st.runs("T", 1).await.unwrap();
        assert_eq!((t[0].id, t[0].outcome), (other, Outcome::Running), "another server's run is left alone");
    }
}
