//! One connection to a Warehouse Pro database through ODBC: connecting, running statements with
//! parameters, reading rows, transactions (retried when the database reports a deadlock or a
//! busy lock), and the errors a user can meet, each saying what to do.
//!
//! Driver messages are scrubbed of the connection's password before they reach an error.

use std::time::Duration;

use odbc_api::handles::Record;
use odbc_api::{environment, ConnectionOptions, Cursor, CursorRow, Nullable, ParameterCollectionRef};

use super::dialect::{Dialect, Table};
use super::schema;
use crate::i18n::{current, Msg};
use crate::secret::{connection_secrets, mask_connection_string, scrub};

/// What can go wrong between obmen and a Warehouse Pro database.
#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    /// The driver refused the connection.
    #[error("{}", Msg::WhConnect.with(current(), &[("dialect", dialect), ("connection", connection), ("message", message)]))]
    Connect {
        /// The back end.
        dialect: Dialect,
        /// The connection string, masked.
        connection: String,
        /// The driver's own words.
        message: String,
    },
    /// A statement failed.
    #[error("{}", odbc_words(context, message, state, *native))]
    Odbc {
        /// What obmen was doing.
        context: String,
        /// The driver's words, scrubbed of secrets.
        message: String,
        /// The five-character SQLSTATE.
        state: String,
        /// The back end's own error number.
        native: i32,
        /// True when a retry may succeed (deadlock, lock timeout, busy file).
        retryable: bool,
    },
    /// The back end can be read but not written from this platform.
    #[error("{}", Msg::WhReadOnly.with(current(), &[("dialect", dialect), ("reason", reason)]))]
    ReadOnly {
        /// The back end.
        dialect: Dialect,
        /// Why, and what to do.
        reason: String,
    },
    /// A text value is longer than its column; nothing is cut silently.
    #[error("{}", Msg::WhTextTooLong.with(current(), &[("what", what), ("actual", actual), ("table", table), ("column", column), ("max", max)]))]
    TextTooLong {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
        /// The column's limit in characters.
        max: usize,
        /// The value's length in characters.
        actual: usize,
        /// What the value is (e.g. "the name of good 'G00012'").
        what: String,
    },
    /// An outgoing line would take the balance below zero.
    #[error("{}", Msg::WhNotEnoughStock.with(current(), &[("good", good), ("object", object_id), ("available", available), ("wanted", wanted)]))]
    InsufficientStock {
        /// The good's ID.
        good_id: i32,
        /// The good's code and name, for the message.
        good: String,
        /// The object's ID.
        object_id: i32,
        /// The balance before the line.
        available: f64,
        /// The line's quantity.
        wanted: f64,
    },
    /// `warehouse init` met a database that already holds Warehouse Pro tables.
    #[error("{}", Msg::WhAlreadyInitialised.get(current()))]
    AlreadyInitialised,
    /// Data read from the database is not what Warehouse Pro writes.
    #[error("{0}")]
    Invalid(String),
}

impl WarehouseError {
    /// True when running the same transaction again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, WarehouseError::Odbc { retryable: true, .. })
    }

    /// True when the connection to the database was lost or timed out: a run that met it may
    /// succeed once the database answers again.
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, WarehouseError::Odbc { state, native, .. } if connection_lost(state, *native))
    }

    /// True when the error is a duplicate key (a unique index refused a row).
    pub fn is_duplicate_key(&self) -> bool {
        match self {
            WarehouseError::Odbc { state, native, message, .. } => {
                state == "23000" || state == "23505" || *native == 1062 || *native == 2627 || *native == 2601 || message.contains("UNIQUE constraint failed")
            }
            _ => false,
        }
    }
}

/// Results of the warehouse layer.
pub type Result<T, E = WarehouseError> = std::result::Result<T, E>;

/// How many times a transaction is tried when the database reports a deadlock or a busy lock.
const TRANSACTION_ATTEMPTS: u32 = 8;

/// How long the database may take, so that a half-dead link cannot hold a run (and its lock)
/// forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Connecting and logging in, in seconds.
    pub login_secs: u32,
    /// One statement, in seconds (0: no limit).
    pub query_secs: u32,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { login_secs: 15, query_secs: 300 }
    }
}

/// The name of the database lock taken while partners and goods are made.
pub const MAKING_LOCK: &str = "obmen.making";

/// An open connection to a Warehouse Pro database.
pub struct Warehouse {
    /// The ODBC connection; ODBC transactions are per connection.
    conn: std::mem::ManuallyDrop<odbc_api::Connection<'static>>,
    /// True once the connection is closed (by [`Warehouse::close`] or on drop).
    closed: bool,
    /// The back end, which decides every statement's text.
    dialect: Dialect,
    /// Why writes are refused, where they are.
    read_only: Option<String>,
    /// Password values of the connection string, scrubbed from every driver message.
    secrets: Vec<String>,
    /// How long statements may take.
    timeouts: Timeouts,
    /// Transactions tried again after a deadlock or a busy lock, since the connection opened.
    retries: std::sync::atomic::AtomicU64,
    /// Statements sent (and commits), each a round trip to the database: shared with the other
    /// connections of one run where [`Warehouse::counting_into`] says so.
    statements: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Set to stop waiting between tries of a transaction (a run that was stopped).
    cancel: Option<tokio_util::sync::CancellationToken>,
    /// How the database keeps stock, once read ([`Warehouse::stock_mode`]).
    pub(super) stock_mode: std::sync::OnceLock<super::lots::StockMode>,
    /// True while this connection holds MySQL's making lock, which outlives a transaction and
    /// is let go when it ends ([`Warehouse::lock_for_making`]).
    making_lock: std::cell::Cell<bool>,
}

/// Closing never panics: odbc-api's own drop panics when the driver cannot disconnect (a full
/// disk, a database gone), so the connection is closed here, and a handle that cannot be freed
/// is let go rather than freed while still connected.
impl Drop for Warehouse {
    fn drop(&mut self) {
        if let Err(e) = self.disconnect() {
            tracing::warn!(error = %e, "A Warehouse Pro connection could not be closed cleanly.");
        }
    }
}

impl std::fmt::Debug for Warehouse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Warehouse").field("dialect", &self.dialect).finish_non_exhaustive()
    }
}

impl Warehouse {
    /// Connects by an ODBC connection string (`Driver=...;...` or `DSN=...`), with the default
    /// timeouts.
    pub fn connect(connection: &str, dialect: Dialect) -> Result<Self> {
        Warehouse::connect_with(connection, dialect, Timeouts::default())
    }

    /// Connects with these timeouts: the login timeout goes to the driver (and, for MariaDB,
    /// the client library's read and write timeouts too, so a server that accepts the
    /// connection but never answers is given up on); each statement gets the query timeout.
    pub fn connect_with(connection: &str, dialect: Dialect, timeouts: Timeouts) -> Result<Self> {
        let secrets = connection_secrets(connection);
        let env = environment().map_err(|e| WarehouseError::Connect {
            dialect,
            connection: mask_connection_string(connection),
            message: format!("the ODBC driver manager could not start ({e}); install unixODBC"),
        })?;
        let prepared = dialect.prepare_connection_string(connection, timeouts);
        let options = ConnectionOptions { login_timeout_sec: Some(timeouts.login_secs), packet_size: None };
        let conn = env.connect_with_connection_string(&prepared, options).map_err(|e| {
            let said = scrub(&driver_message(&e), &secrets);
            let message = match missing_driver(connection, &said) {
                Some(hint) => format!("{hint} (the driver manager said: {said})"),
                None => said,
            };
            WarehouseError::Connect { dialect, connection: mask_connection_string(connection), message }
        })?;
        let read_only = match dialect {
            Dialect::Access if !cfg!(windows) || connection.to_lowercase().contains("mdbtools") => Some(
                "the MDBTools ODBC driver reads .mdb files row by row but cannot write them; \
                 run obmen on Windows with the Microsoft Access driver to write, or move the \
                 Warehouse Pro database to MySQL or MSSQL"
                    .to_owned(),
            ),
            _ => None,
        };
        Ok(Warehouse {
            conn: std::mem::ManuallyDrop::new(conn),
            closed: false,
            dialect,
            read_only,
            secrets,
            timeouts,
            retries: Default::default(),
            statements: Default::default(),
            cancel: None,
            stock_mode: Default::default(),
            making_lock: Default::default(),
        })
    }

    /// The connection counting its statements into `counter` (another connection's, so that a
    /// run's connections count as one).
    pub fn counting_into(mut self, counter: std::sync::Arc<std::sync::atomic::AtomicU64>) -> Warehouse {
        self.statements = counter;
        self
    }

    /// The counter of statements sent through this connection (and any counting into it).
    pub fn statement_counter(&self) -> std::sync::Arc<std::sync::atomic::AtomicU64> {
        self.statements.clone()
    }

    /// Counts one statement sent.
    pub(crate) fn count_statement(&self) {
        self.statements.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The connection, one statement counted: for the driver's own round trips (autocommit on
    /// or off, a rollback).
    fn counted(&self) -> &odbc_api::Connection<'static> {
        self.count_statement();
        &self.conn
    }

    /// Closes the connection, saying why when it cannot be closed cleanly (the database's own
    /// words, such as "disk I/O error"): what was not committed is rolled back by the database.
    pub fn close(mut self) -> Result<()> {
        self.disconnect()
    }

    fn disconnect(&mut self) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        // Safety: taken once (`closed` is set above), and `conn` is never used again.
        let conn = unsafe { std::mem::ManuallyDrop::take(&mut self.conn) };
        let mut handle = conn.into_handle();
        if handle.disconnect().into_result(&handle).is_ok() {
            return Ok(());
        }
        // An open transaction keeps a connection from closing: roll it back and try again.
        let _ = handle.rollback();
        match handle.disconnect().into_result(&handle) {
            Ok(()) => Ok(()),
            Err(e) => {
                let message = scrub(&driver_message(&e), &self.secrets);
                // Freeing a handle that is still connected fails, and odbc-api panics on that:
                // the handle is let go instead (a few bytes, once, for a connection that broke).
                std::mem::forget(handle);
                Err(WarehouseError::Invalid(format!("closing the {} connection failed: {message}", self.dialect)))
            }
        }
    }

    /// Stops waiting between tries of a transaction once this token is cancelled.
    pub fn set_cancel(&mut self, token: tokio_util::sync::CancellationToken) {
        self.cancel = Some(token);
    }

    /// How many transactions were tried again since the connection opened.
    pub fn retries(&self) -> u64 {
        self.retries.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The query timeout, as statements are given it (None: no limit).
    pub(crate) fn query_timeout(&self) -> Option<usize> {
        (self.timeouts.query_secs > 0).then_some(self.timeouts.query_secs as usize)
    }

    /// The back end this connection talks to.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Fails with [`WarehouseError::ReadOnly`] where this connection cannot write.
    pub fn ensure_writable(&self) -> Result<()> {
        match &self.read_only {
            Some(reason) => Err(WarehouseError::ReadOnly { dialect: self.dialect, reason: reason.clone() }),
            None => Ok(()),
        }
    }

    /// Turns an ODBC error into a [`WarehouseError`] saying what obmen was doing.
    pub(crate) fn odbc_error(&self, context: impl Into<String>, e: odbc_api::Error) -> WarehouseError {
        let (state, native) = match &e {
            odbc_api::Error::Diagnostics { record, .. } => (record.state.as_str().to_owned(), record.native_error),
            _ => (String::from("HY000"), 0),
        };
        let message = scrub(&driver_message(&e), &self.secrets);
        let lower = message.to_lowercase();
        let retryable = state == "40001"
            || state == "HYT00"
            || state == "40P01"
            || matches!(native, 1205 | 1213)
            || (self.dialect == Dialect::Sqlite && (matches!(native, 5 | 6) || lower.contains("database is locked") || lower.contains("busy")))
            || (self.dialect == Dialect::Mssql && native == 1222);
        WarehouseError::Odbc { context: context.into(), message, state, native, retryable }
    }

    /// Refuses, before it is sent, a statement with more parameter marks than its dialect's
    /// budget ([`Dialect::max_parameters`]): every batched statement is cut to fit, and one that
    /// is not is a bug to report, not a request to let the server refuse half-way through a page.
    fn within_budget(&self, sql: &str) -> Result<()> {
        let marks = sql.bytes().filter(|b| *b == b'?').count();
        if marks > self.dialect.max_parameters() {
            return Err(WarehouseError::Invalid(format!(
                "{}: {marks} parameters, above the {} a {} statement may carry (this is a bug in obmen: please report it)",
                statement_context(sql),
                self.dialect.max_parameters(),
                self.dialect
            )));
        }
        Ok(())
    }

    /// Runs a statement that returns no rows; returns the number of rows it changed, where the
    /// driver says.
    pub fn exec(&self, sql: &str, params: impl ParameterCollectionRef) -> Result<usize> {
        self.within_budget(sql)?;
        let mut stmt = self.conn.preallocate().map_err(|e| self.odbc_error("preparing a statement", e))?;
        if let Some(secs) = self.query_timeout() {
            stmt.set_query_timeout_sec(secs).map_err(|e| self.odbc_error("setting the query timeout", e))?;
        }
        self.count_statement();
        stmt.execute(sql, params).map_err(|e| self.odbc_error(statement_context(sql), e))?;
        Ok(stmt.row_count().map_err(|e| self.odbc_error(statement_context(sql), e))?.unwrap_or(0))
    }

    /// Inserts rows (each `columns.len()` parameters, in that order) in as few statements as the
    /// back end's parameter limit allows.
    pub fn insert_many(&self, table: Table, columns: &[&str], rows: Vec<Params>) -> Result<()> {
        let per_statement = self.dialect.rows_per_insert(columns.len());
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let mut params = Params::new();
            let mut n = 0;
            for row in rows.by_ref().take(per_statement) {
                debug_assert_eq!(row.len(), columns.len());
                params = params.extend(row);
                n += 1;
            }
            self.exec(&self.dialect.insert_rows(table, columns, n), params.as_slice())?;
        }
        Ok(())
    }

    /// Runs a query once for each slice of `values` that fits the parameter limit: `template`
    /// gets the slice's marks (`?, ?, ?`) for its `IN (...)` list, and the slice is bound after
    /// the `fixed` parameters; returns every row mapped.
    pub fn query_in<T, V>(
        &self,
        template: impl Fn(&str) -> String,
        fixed: impl Fn() -> Params,
        values: &[V],
        bind: impl Fn(Params, &V) -> Params,
        mut map: impl FnMut(&mut Row<'_, '_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        let per_statement = self.dialect.rows_per_statement(1, fixed().len());
        for chunk in values.chunks(per_statement) {
            let sql = template(&Dialect::marks(chunk.len()));
            let params = chunk.iter().fold(fixed(), &bind);
            out.extend(self.query(&sql, params.as_slice(), &mut map)?);
        }
        Ok(out)
    }

    /// Runs a query and maps each row. Text of any length is read in full.
    pub fn query<T>(&self, sql: &str, params: impl ParameterCollectionRef, mut map: impl FnMut(&mut Row<'_, '_>) -> Result<T>) -> Result<Vec<T>> {
        self.within_budget(sql)?;
        let mut out = Vec::new();
        self.count_statement();
        let cursor = self.conn.execute(sql, params, self.query_timeout()).map_err(|e| self.odbc_error(statement_context(sql), e))?;
        let Some(mut cursor) = cursor else { return Ok(out) };
        let mut buf = Vec::with_capacity(256);
        loop {
            let row = cursor.next_row().map_err(|e| self.odbc_error(statement_context(sql), e))?;
            let Some(row) = row else { break };
            let mut row = Row { row, buf: &mut buf, wh: self, sql };
            out.push(map(&mut row)?);
        }
        Ok(out)
    }

    /// Runs a query expected to return at most one row.
    pub fn query_one<T>(&self, sql: &str, params: impl ParameterCollectionRef, map: impl FnMut(&mut Row<'_, '_>) -> Result<T>) -> Result<Option<T>> {
        Ok(self.query(sql, params, map)?.into_iter().next())
    }

    /// A single number from a query such as `SELECT MAX(...)`; NULL and no row are `None`.
    pub fn scalar_i64(&self, sql: &str, params: impl ParameterCollectionRef) -> Result<Option<i64>> {
        Ok(self.query_one(sql, params, |r| r.opt_f64(1))?.flatten().map(|v| v as i64))
    }

    /// Inserts a row and returns the ID the database gave it.
    pub fn insert_returning_id(&self, table: Table, columns: &[&str], params: impl ParameterCollectionRef) -> Result<i32> {
        let sql = self.dialect.insert_returning_id(table, columns);
        let context = format!("adding a row to {}", self.dialect.table(table));
        match self.dialect.last_id_query() {
            None => self.query_one(&sql, params, |r| r.i32(1))?.ok_or_else(|| WarehouseError::Invalid(format!("{context}: the database returned no new ID"))),
            Some(last_id) => {
                self.exec(&sql, params)?;
                self.scalar_i64(last_id, ())?.map(|id| id as i32).ok_or_else(|| WarehouseError::Invalid(format!("{context}: the database returned no new ID")))
            }
        }
    }

    /// Inserts rows and returns the IDs the database gave them, in the rows' order: where the
    /// dialect takes multi-row INSERTs, in three statements whatever their number (the highest ID
    /// before, the rows, and the rows above it read back; two on MySQL, whose first new ID is
    /// known after the INSERT), else one row at a time. Each row comes
    /// with its values of the `identity` columns (text, as written): the rows read back are
    /// matched to the rows written by those values, so that a row another writer added meanwhile
    /// is never taken for one of ours; rows with the same values are the same to the caller.
    /// A row that cannot be found again is an error (the transaction is rolled back). Call it
    /// inside [`Warehouse::transaction`].
    pub fn insert_returning_ids(&self, table: Table, columns: &[&str], rows: Vec<(Params, Vec<String>)>, identity: &[&str]) -> Result<Vec<i32>> {
        if rows.len() <= 1 || self.dialect.rows_per_insert(columns.len()) == 1 {
            return rows.into_iter().map(|(p, _)| self.insert_returning_id(table, columns, p.as_slice())).collect();
        }
        let d = self.dialect;
        let cols: Vec<String> = identity.iter().map(|c| d.quote(c)).collect();
        let select = format!("SELECT {{ID}}, {} FROM {} WHERE {{ID}} ", cols.join(", "), d.quote(d.table(table)));
        let read = |r: &mut Row<'_, '_>| {
            let id = r.i32(1)?;
            let values = (0..identity.len()).map(|i| r.opt_text(2 + i as u16).map(Option::unwrap_or_default)).collect::<Result<Vec<_>>>()?;
            Ok(Some((id, values)))
        };
        let (params, wanted): (Vec<Params>, Vec<Vec<String>>) = rows.into_iter().unzip();
        let mut found: Vec<Option<(i32, Vec<String>)>> = if d == Dialect::Mysql && params.len() <= d.rows_per_insert(columns.len()) {
            // One INSERT: MySQL's LAST_INSERT_ID() is the first row's ID, and every row's is at
            // least that (consecutive or not, whatever the auto-increment lock mode).
            self.insert_many(table, columns, params)?;
            self.query(&d.sql(&format!("{select}>= LAST_INSERT_ID() ORDER BY {{ID}}")), (), read)?
        } else {
            let before = self.scalar_i64(&d.sql(&format!("SELECT MAX({{ID}}) FROM {}", d.quote(d.table(table)))), ())?.unwrap_or(0);
            self.insert_many(table, columns, params)?;
            let before = i32::try_from(before).unwrap_or(i32::MAX);
            self.query(&d.sql(&format!("{select}> ? ORDER BY {{ID}}")), &before, read)?
        };
        let same = |a: &[String], b: &[String]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.trim_end() == y.trim_end());
        let mut ids = Vec::with_capacity(wanted.len());
        for w in &wanted {
            let slot = found.iter_mut().find(|f| f.as_ref().is_some_and(|(_, v)| same(v, w)));
            match slot.and_then(Option::take) {
                Some((id, _)) => ids.push(id),
                None => {
                    return Err(WarehouseError::Invalid(format!(
                        "a row just added to {} could not be found again ({}): nothing of this page was written",
                        d.table(table),
                        w.first().map(String::as_str).unwrap_or("")
                    )))
                }
            }
        }
        Ok(ids)
    }

    /// Runs `work` in one transaction: all of it commits, or none of it. Where the database reports
    /// a deadlock or a busy lock, the transaction is rolled back and run again (a few times, with
    /// a growing pause); any other error rolls back and is returned.
    pub fn transaction<T>(&self, mut work: impl FnMut(&Warehouse) -> Result<T>) -> Result<T> {
        self.ensure_writable()?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.counted().set_autocommit(false).map_err(|e| self.odbc_error("starting a transaction", e))?;
            let locked = match self.dialect.write_lock_statement() {
                Some(sql) => self.exec(&sql, ()).map(|_| ()),
                None => Ok(()),
            };
            let result = locked.and_then(|()| work(self)).and_then(|value| {
                self.counted().commit().map_err(|e| self.odbc_error("committing the transaction", e))?;
                Ok(value)
            });
            if result.is_err() {
                // A failed rollback on a dead connection changes nothing: the server drops the
                // transaction with the connection.
                let _ = self.counted().rollback();
            }
            self.release_making_lock();
            let restore = self.counted().set_autocommit(true).map_err(|e| self.odbc_error("ending a transaction", e));
            match result {
                Ok(value) => {
                    restore?;
                    return Ok(value);
                }
                Err(e) if e.is_retryable() && attempt < TRANSACTION_ATTEMPTS && !self.cancelled() => {
                    self.retries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    tracing::info!(attempt, error = %e, "A database transaction met a lock; trying again.");
                    self.pause(Duration::from_millis(10 * (1 << attempt.min(6))));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Takes the database's lock for making partners and goods, so that writers in other
    /// processes and on other connections (two servers on one database, two obmen during a move)
    /// never make the same one: the caller looks up again under it what it is about to make. Call
    /// it first in a [`Warehouse::transaction`], before anything is read (a MySQL transaction
    /// then reads what the last holder committed); it is let go when the transaction ends.
    /// MySQL/MariaDB: `GET_LOCK`; SQL Server: `sp_getapplock` owned by the transaction; SQLite:
    /// its write lock, which every transaction here takes first already; Access has no such
    /// lock (Jet locks pages, not names): nothing, and two writers there may make one twice.
    pub fn lock_for_making(&self) -> Result<()> {
        let wait = self.timeouts.query_secs.clamp(1, 120);
        match self.dialect {
            Dialect::Mysql => {
                let got = self.scalar_i64("SELECT GET_LOCK(?, ?)", Params::new().text(MAKING_LOCK).int(wait as i32).as_slice())?;
                if got != Some(1) {
                    return Err(self.lock_timeout(wait));
                }
                self.making_lock.set(true);
            }
            Dialect::Mssql => {
                let sql = "SET NOCOUNT ON; DECLARE @r INT; EXEC @r = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = ?; SELECT @r; SET NOCOUNT OFF";
                let got = self.scalar_i64(sql, Params::new().text(MAKING_LOCK).int((wait * 1000) as i32).as_slice())?;
                if got.is_none_or(|r| r < 0) {
                    return Err(self.lock_timeout(wait));
                }
            }
            Dialect::Sqlite | Dialect::Access => {}
        }
        Ok(())
    }

    /// Lets MySQL's making lock go, where this connection holds it.
    fn release_making_lock(&self) {
        if self.making_lock.replace(false) {
            // A connection that died let it go with itself.
            let _ = self.scalar_i64("SELECT RELEASE_LOCK(?)", Params::new().text(MAKING_LOCK).as_slice());
        }
    }

    /// The making lock was not had in time: another writer holds it (a deadlock-like wait, tried
    /// again).
    fn lock_timeout(&self, secs: u32) -> WarehouseError {
        WarehouseError::Odbc {
            context: Msg::WhMakingLockWait.with(current(), &[("secs", &secs)]),
            message: String::new(),
            state: "HYT00".into(),
            native: 0,
            retryable: true,
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(|c| c.is_cancelled())
    }

    /// Sleeps, waking early when the run is stopped.
    fn pause(&self, total: Duration) {
        let step = Duration::from_millis(10);
        let mut left = total;
        while !left.is_zero() && !self.cancelled() {
            let d = left.min(step);
            std::thread::sleep(d);
            left -= d;
        }
    }

    /// Runs many statements in one transaction without retrying, with autocommit off (SQLite
    /// commits parameter arrays row by row otherwise): for bulk loads.
    pub fn bulk<T>(&self, work: impl FnOnce(&Warehouse) -> Result<T>) -> Result<T> {
        self.ensure_writable()?;
        self.counted().set_autocommit(false).map_err(|e| self.odbc_error("starting a transaction", e))?;
        let result = work(self).and_then(|v| {
            self.counted().commit().map_err(|e| self.odbc_error("committing the transaction", e))?;
            Ok(v)
        });
        if result.is_err() {
            let _ = self.counted().rollback();
        }
        self.counted().set_autocommit(true).map_err(|e| self.odbc_error("ending a transaction", e))?;
        result
    }

    /// The underlying ODBC connection, for bulk reads and inserts with bound buffers.
    pub fn connection(&self) -> &odbc_api::Connection<'static> {
        &self.conn
    }

    /// The names of the tables the database holds, as the driver reports them.
    pub fn table_names(&self) -> Result<Vec<String>> {
        // Only the connection's own database: an empty catalog means "all of them" to some drivers.
        let catalog = match self.dialect {
            Dialect::Mysql | Dialect::Mssql => self.conn.current_catalog().unwrap_or_default(),
            Dialect::Sqlite | Dialect::Access => String::new(),
        };
        let stmt = self.conn.preallocate().map_err(|e| self.odbc_error("listing tables", e))?;
        let mut cursor = stmt.into_tables_cursor(&catalog, "", "%", "TABLE").map_err(|e| self.odbc_error("listing tables", e))?;
        let mut names = Vec::new();
        let mut buf = Vec::new();
        while let Some(mut row) = cursor.next_row().map_err(|e| self.odbc_error("listing tables", e))? {
            if row.get_text(3, &mut buf).map_err(|e| self.odbc_error("listing tables", e))? {
                let name = String::from_utf8_lossy(&buf).into_owned();
                // Access's own system tables (MDBTools lists them whatever type is asked for).
                if !(self.dialect == Dialect::Access && name.starts_with("MSys")) {
                    names.push(name);
                }
            }
        }
        Ok(names)
    }

    /// True when the table exists (by its name in this dialect, compared without case).
    pub fn has_table(&self, table: Table) -> Result<bool> {
        let name = self.dialect.table(table);
        Ok(self.table_names()?.iter().any(|t| t.eq_ignore_ascii_case(name)))
    }

    /// Fails with [`WarehouseError::TextTooLong`] when `value` does not fit the column.
    pub fn check_text(&self, table: Table, column: &'static str, value: &str, what: impl FnOnce() -> String) -> Result<()> {
        if let Some(max) = schema::text_limit(table, column) {
            let actual = value.chars().count();
            if actual > max {
                return Err(WarehouseError::TextTooLong { table: self.dialect.table(table), column, max, actual, what: what() });
            }
        }
        Ok(())
    }
}

/// True when a driver's error says the connection was lost or timed out: SQLSTATE class 08,
/// HYT00/HYT01, MySQL's "server has gone away" and "lost connection" numbers (2006, 2013,
/// 2055), or MariaDB Connector/C's read and write errors on its socket (5013, 5014: "Write
/// error: Connection reset by peer" when the server was killed), which its driver reports under
/// other states too (HY000, HY001). One test, for the words a user reads and for whether the run
/// is tried again.
pub(crate) fn connection_lost(state: &str, native: i32) -> bool {
    state.starts_with("08") || matches!(native, 2006 | 2013 | 2055 | 5013 | 5014) || state == "HYT00" || state == "HYT01"
}

/// A short description of a statement for error messages: its first words.
/// A failed statement in words: where the connection itself was lost (SQLSTATE class 08, or
/// MySQL's "server has gone away" and "lost connection" numbers), that first, with what obmen
/// does about it and what to check; else what obmen was doing and the driver's words.
fn odbc_words(context: &str, message: &str, state: &str, native: i32) -> String {
    if connection_lost(state, native) {
        Msg::WhConnectionLost.with(current(), &[("message", &message), ("state", &state), ("context", &context)])
    } else {
        format!("{context}: {message} (SQLSTATE {state})")
    }
}

fn statement_context(sql: &str) -> String {
    let short: String = sql.chars().take(90).collect();
    if short.len() < sql.len() {
        format!("running `{short}...`")
    } else {
        format!("running `{short}`")
    }
}

/// The driver's message without odbc-api's framing.
/// Where the driver manager could not load the driver a connection names, which one and the
/// package that installs it.
fn missing_driver(connection: &str, said: &str) -> Option<String> {
    let lower = said.to_lowercase();
    if !(lower.contains("can't open lib") || lower.contains("file not found") || lower.contains("data source name not found")) {
        return None;
    }
    let driver = crate::config::validate::parse_connection(connection).ok()?.into_iter().find(|(k, _)| k.eq_ignore_ascii_case("driver")).map(|(_, v)| v);
    let Some(driver) = driver else {
        return Some("the data source (DSN) is not defined: add it to odbc.ini (odbcinst -q -s lists those defined), or give Driver=... instead".into());
    };
    let d = driver.to_lowercase();
    let package = if d.contains("mariadb") || d.contains("mysql") {
        "odbc-mariadb (Debian/Ubuntu), or MariaDB Connector/ODBC from mariadb.com"
    } else if d.contains("sqlite") {
        "libsqliteodbc"
    } else if d.contains("mdbtools") {
        "odbc-mdbtools"
    } else if d.contains("sql server") {
        "msodbcsql18 from Microsoft's package repository, or tdsodbc for FreeTDS"
    } else if d.contains("freetds") {
        "tdsodbc"
    } else {
        "the driver's package (odbcinst -q -d lists the drivers installed)"
    };
    Some(format!("the ODBC driver '{driver}' is not installed: install {package}"))
}

fn driver_message(e: &odbc_api::Error) -> String {
    match e {
        odbc_api::Error::Diagnostics { record, .. } => record_message(record),
        other => other.to_string(),
    }
}

fn record_message(record: &Record) -> String {
    let text = String::from_utf8_lossy(&record.message).trim_end_matches('\0').trim().to_owned();
    // Drivers prefix messages with their names in brackets: keep only the last part.
    match text.rfind(']') {
        Some(i) if i + 1 < text.len() => text.get(i + 1..).unwrap_or_default().trim().to_owned(),
        _ => text,
    }
}

/// One row of a query's result. Columns are numbered from 1.
pub struct Row<'a, 's> {
    row: CursorRow<'s>,
    buf: &'a mut Vec<u8>,
    wh: &'a Warehouse,
    sql: &'a str,
}

impl Row<'_, '_> {
    fn err(&self, e: odbc_api::Error) -> WarehouseError {
        self.wh.odbc_error(statement_context(self.sql), e)
    }

    /// Text, or `None` for NULL. Read in full, whatever its length; UTF-8 is required.
    pub fn opt_text(&mut self, col: u16) -> Result<Option<String>> {
        let present = self.row.get_text(col, self.buf).map_err(|e| self.err(e))?;
        if !present {
            return Ok(None);
        }
        match std::str::from_utf8(self.buf) {
            Ok(s) => Ok(Some(s.to_owned())),
            Err(_) => Err(WarehouseError::Invalid(format!(
                "column {col} of `{}` is not UTF-8 text; set the connection's character set to UTF-8",
                self.sql.chars().take(60).collect::<String>()
            ))),
        }
    }

    /// Text, with NULL read as "".
    pub fn text(&mut self, col: u16) -> Result<String> {
        Ok(self.opt_text(col)?.unwrap_or_default())
    }

    /// A whole number, or `None` for NULL.
    pub fn opt_i32(&mut self, col: u16) -> Result<Option<i32>> {
        let mut v = Nullable::<i32>::null();
        self.row.get_data(col, &mut v).map_err(|e| self.err(e))?;
        Ok(v.into_opt())
    }

    /// A whole number, with NULL read as 0.
    pub fn i32(&mut self, col: u16) -> Result<i32> {
        Ok(self.opt_i32(col)?.unwrap_or(0))
    }

    /// A number, or `None` for NULL.
    pub fn opt_f64(&mut self, col: u16) -> Result<Option<f64>> {
        let mut v = Nullable::<f64>::null();
        self.row.get_data(col, &mut v).map_err(|e| self.err(e))?;
        Ok(v.into_opt())
    }

    /// A number, with NULL read as 0.
    pub fn f64(&mut self, col: u16) -> Result<f64> {
        Ok(self.opt_f64(col)?.unwrap_or(0.0))
    }
}

/// Statement parameters of mixed types, built one by one (`Params::new().int(2).text("x")`).
#[derive(Default)]
pub struct Params(Vec<Box<dyn odbc_api::parameter::InputParameter>>);

impl Params {
    /// No parameters yet.
    pub fn new() -> Self {
        Params(Vec::new())
    }
    /// Adds a whole number.
    pub fn int(mut self, v: i32) -> Self {
        self.0.push(Box::new(v));
        self
    }
    /// Adds a number.
    pub fn num(mut self, v: f64) -> Self {
        self.0.push(Box::new(v));
        self
    }
    /// Adds text (UTF-8).
    pub fn text(mut self, v: &str) -> Self {
        use odbc_api::IntoParameter;
        self.0.push(Box::new(v.to_owned().into_parameter()));
        self
    }
    /// Adds a date and time.
    pub fn time(mut self, v: chrono::NaiveDateTime) -> Self {
        self.0.push(Box::new(odbc_api::parameter::WithDataType::new(timestamp(v), odbc_api::DataType::Timestamp { precision: 3 })));
        self
    }
    /// Appends all of another list.
    pub fn extend(mut self, other: Params) -> Self {
        self.0.extend(other.0);
        self
    }
    /// How many parameters there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The list, as ODBC takes it.
    pub fn as_slice(&self) -> &[Box<dyn odbc_api::parameter::InputParameter>] {
        &self.0
    }
}

/// A chrono time as an ODBC timestamp (to the millisecond).
pub fn timestamp(v: chrono::NaiveDateTime) -> odbc_api::sys::Timestamp {
    use chrono::{Datelike, Timelike};
    odbc_api::sys::Timestamp {
        year: v.year() as i16,
        month: v.month() as u16,
        day: v.day() as u16,
        hour: v.hour() as u16,
        minute: v.minute() as u16,
        second: v.second() as u16,
        fraction: (v.nanosecond() / 1_000_000) * 1_000_000,
    }
}

#[cfg(test)]
mod tests {
    use super::odbc_words;

    #[test]
    fn a_lost_connection_is_said_in_plain_words_and_any_other_failure_with_its_statement() {
        for (state, native) in [("08S01", 0), ("HY000", 2013), ("HY000", 2006), ("HYT00", 0)] {
            let said = odbc_words("running `SELECT 1`", "Lost connection to server during query", state, native);
            assert!(said.starts_with("the database stopped answering or the connection to it was lost"), "{said}");
            assert!(said.contains("tries again by itself") && said.contains(state), "{said}");
        }
        let said = odbc_words("running `SELEC 1`", "You have an error in your SQL syntax", "42000", 1064);
        assert_eq!(said, "running `SELEC 1`: You have an error in your SQL syntax (SQLSTATE 42000)");
    }

    /// What the words say is what the run does: a lost connection under any state (MariaDB's
    /// driver reports "server has gone away" as HY001 at the start of a transaction) is tried
    /// again by itself; a syntax error needs a person.
    #[test]
    fn a_lost_connection_under_any_state_is_tried_again_and_said_so() {
        use super::WarehouseError;
        use crate::kinds::RunError;
        let odbc = |state: &str, native: i32| WarehouseError::Odbc {
            context: "starting a transaction".into(),
            message: "Server has gone away".into(),
            state: state.into(),
            native,
            retryable: false,
        };
        for (state, native) in [("HY001", 2006), ("HY000", 2013), ("08S01", 0), ("HYT00", 0), ("HY000", 2055), ("HY000", 5013), ("HY000", 5014)] {
            let e = odbc(state, native);
            assert!(e.is_connection_lost(), "{state} {native}");
            let run: RunError = e.into();
            assert!(run.is_transient(), "{state} {native}: {run}");
            assert!(run.to_string().contains("tries again by itself"), "{run}");
        }
        let syntax: RunError = odbc("42000", 1064).into();
        assert!(!syntax.is_transient(), "{syntax}");
    }
}
