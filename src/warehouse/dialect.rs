//! The four back ends Warehouse Pro runs on, and everything that differs between them in SQL text:
//! table-name casing, identifier quoting, row limits, NULL handling, column types, the last
//! inserted id and how True is stored.
//!
//! Statements are written once, in a neutral template where `{name}` stands for a table (by its
//! lowercase name) or a column, and rendered per dialect by [`Dialect::sql`]. That keeps every
//! statement readable and lets the MSSQL and Access text be tested without a server.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A Warehouse Pro back end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// Microsoft Access (.mdb, Jet). Read-only where the only driver is MDBTools.
    Access,
    /// MySQL or MariaDB: lowercase table names.
    Mysql,
    /// Microsoft SQL Server: mixed-case table names.
    Mssql,
    /// SQLite: obmen's own Warehouse Pro-shaped database for the demo and tests.
    Sqlite,
}

/// Every dialect, in a stable order (for tests and help texts).
pub const ALL_DIALECTS: [Dialect; 4] = [Dialect::Access, Dialect::Mysql, Dialect::Mssql, Dialect::Sqlite];

/// The most rows one statement carries: SQL Server's limit for one VALUES list, and a size at
/// which a longer IN list or CASE gains nothing.
pub const MAX_ROWS_PER_STATEMENT: usize = 1000;

impl Dialect {
    /// The name used in server files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Access => "access",
            Dialect::Mysql => "mysql",
            Dialect::Mssql => "mssql",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// Guesses the dialect from an ODBC connection string's driver, for `--dialect` left out.
    pub fn guess(connection: &str) -> Option<Dialect> {
        let lower = connection.to_lowercase();
        let driver = lower.split(';').find_map(|part| part.trim().strip_prefix("driver=")).unwrap_or("");
        if driver.contains("mariadb") || driver.contains("mysql") || driver.contains("maodbc") {
            Some(Dialect::Mysql)
        } else if driver.contains("sqlite") {
            Some(Dialect::Sqlite)
        } else if driver.contains("sql server") || driver.contains("freetds") || driver.contains("tdsodbc") {
            Some(Dialect::Mssql)
        } else if driver.contains("mdb") || driver.contains("access") {
            Some(Dialect::Access)
        } else {
            None
        }
    }

    /// The table's name as this back end spells it.
    pub fn table(self, table: Table) -> &'static str {
        match self {
            Dialect::Mysql | Dialect::Sqlite => table.lower_name(),
            Dialect::Mssql | Dialect::Access => table.mixed_name(),
        }
    }

    /// Quotes an identifier (a column or table name).
    pub fn quote(self, ident: &str) -> String {
        match self {
            Dialect::Mysql => format!("`{ident}`"),
            Dialect::Sqlite => format!("\"{ident}\""),
            Dialect::Mssql | Dialect::Access => format!("[{ident}]"),
        }
    }

    /// Renders a statement template: `{goods}` becomes the quoted table name in this dialect's
    /// casing, `{Code}` a quoted column, `{g.Code}` a column qualified by an alias. `{{` and `}}`
    /// are literal braces. Templates are written by obmen, never taken from input.
    pub fn sql(self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some((before, after)) = rest.split_once('{') {
            out.push_str(&before.replace("}}", "}"));
            if let Some(after) = after.strip_prefix('{') {
                out.push('{');
                rest = after;
                continue;
            }
            // An unclosed brace is kept as written (the database then refuses the statement).
            let Some((name, after)) = after.split_once('}') else {
                out.push('{');
                rest = after;
                break;
            };
            match name.split_once('.') {
                Some((alias, column)) => {
                    out.push_str(alias);
                    out.push('.');
                    out.push_str(&self.quote(column));
                }
                None => match Table::by_lower_name(name) {
                    Some(table) => out.push_str(&self.quote(self.table(table))),
                    None => out.push_str(&self.quote(name)),
                },
            }
            rest = after;
        }
        out.push_str(&rest.replace("}}", "}"));
        out
    }

    /// Limits a `SELECT ...` statement to `n` rows.
    pub fn limit(self, select: &str, n: u32) -> String {
        match self {
            Dialect::Mysql | Dialect::Sqlite => format!("{select} LIMIT {n}"),
            Dialect::Mssql | Dialect::Access => match select.strip_prefix("SELECT ") {
                Some(body) => format!("SELECT TOP {n} {body}"),
                None => format!("SELECT TOP {n} * FROM ({select}) {}", self.quote("limited")),
            },
        }
    }

    /// `expr`, or `fallback` where it is NULL.
    pub fn coalesce(self, expr: &str, fallback: &str) -> String {
        match self {
            Dialect::Access => format!("IIF({expr} IS NULL, {fallback}, {expr})"),
            Dialect::Mssql => format!("ISNULL({expr}, {fallback})"),
            Dialect::Mysql | Dialect::Sqlite => format!("COALESCE({expr}, {fallback})"),
        }
    }

    /// The value stored for True in a flag column (Access stores -1).
    pub fn true_value(self) -> i32 {
        match self {
            Dialect::Access => -1,
            _ => 1,
        }
    }

    /// What locks the rows a `SELECT` reads until the transaction ends, as
    /// `(after the table name, after the statement)`. SQLite locks the whole file on write and
    /// Access has no row locks: both get nothing.
    pub fn lock_rows(self) -> (&'static str, &'static str) {
        match self {
            Dialect::Mysql => ("", " FOR UPDATE"),
            // HOLDLOCK locks the key range too: without it two writers could both find no
            // balance row for a good and both insert one.
            Dialect::Mssql => (" WITH (UPDLOCK, HOLDLOCK, ROWLOCK)", ""),
            Dialect::Sqlite | Dialect::Access => ("", ""),
        }
    }

    /// A statement that takes the database's write lock at the start of a transaction, where the
    /// back end needs one. SQLite's transactions start as readers: two writers that both read
    /// first (the document number) then wait for each other until the busy timeout. A write that
    /// changes nothing takes the lock up front, like `BEGIN IMMEDIATE`, so writers queue instead.
    pub fn write_lock_statement(self) -> Option<String> {
        match self {
            Dialect::Sqlite => Some(self.sql("UPDATE {system} SET {Version} = {Version} WHERE 1 = 0")),
            _ => None,
        }
    }

    /// The most `?` parameters one statement may carry.
    pub fn max_parameters(self) -> usize {
        match self {
            // SQL Server takes 2,100 a request, and its ODBC path spends up to three of them itself
            // (sp_prepexec's handle and statement text).
            Dialect::Mssql => 2097,
            Dialect::Mysql => 65_535,
            // SQLite since 3.32 (Debian 12 ships 3.40); older builds allowed 999.
            Dialect::Sqlite => 32_766,
            Dialect::Access => 255,
        }
    }

    /// The most branches one `UNION ALL` of look-ups carries ([`super::Warehouse::goods_for`]):
    /// SQLite refuses more than 500 (its compound-select limit); SQL Server plans each branch,
    /// and a few hundred keep its compile time small; Access has no such batching here: one.
    pub fn max_union_branches(self) -> usize {
        match self {
            Dialect::Mysql => 500,
            Dialect::Mssql | Dialect::Sqlite => 200,
            Dialect::Access => 1,
        }
    }

    /// How the id of the row just inserted is read back, after the INSERT, on the same connection.
    /// On MSSQL `SCOPE_IDENTITY()` in a separate batch returns NULL, so an `OUTPUT` clause is used
    /// instead: see [`Dialect::insert_returning_id`].
    pub fn last_id_query(self) -> Option<&'static str> {
        match self {
            Dialect::Mysql => Some("SELECT LAST_INSERT_ID()"),
            Dialect::Sqlite => Some("SELECT last_insert_rowid()"),
            Dialect::Access => Some("SELECT @@IDENTITY"),
            Dialect::Mssql => None,
        }
    }

    /// An INSERT statement that, on MSSQL, returns the new ID as a result set.
    pub fn insert_returning_id(self, table: Table, columns: &[&str]) -> String {
        let cols = columns.iter().map(|c| self.quote(c)).collect::<Vec<_>>().join(", ");
        let marks = vec!["?"; columns.len()].join(", ");
        let table = self.quote(self.table(table));
        match self {
            // Into a table variable: a bare OUTPUT fails (error 334) on a table with an enabled
            // trigger. NOCOUNT keeps the INSERT's row count from coming before the ID's result
            // set, and is set back after it.
            Dialect::Mssql => format!(
                "SET NOCOUNT ON; DECLARE @obmen_new TABLE ([ID] INT); INSERT INTO {table} ({cols}) OUTPUT INSERTED.[ID] INTO @obmen_new VALUES ({marks}); SELECT [ID] FROM @obmen_new; SET NOCOUNT OFF"
            ),
            _ => format!("INSERT INTO {table} ({cols}) VALUES ({marks})"),
        }
    }

    /// A numeric expression as a type whose sums do not overflow: DECIMAL on MSSQL (whose SUM
    /// of INT is an INT), a Double on Access (whose sums of Long values are Long); as it is on
    /// MySQL (which sums integers as DECIMAL) and SQLite (64-bit integers, far above these sums).
    pub fn decimal(self, expr: &str) -> String {
        match self {
            Dialect::Mssql => format!("CAST({expr} AS DECIMAL(38, 0))"),
            Dialect::Access => format!("CDbl({expr})"),
            Dialect::Mysql | Dialect::Sqlite => format!("({expr})"),
        }
    }

    /// A plain INSERT of the given columns, one `?` each.
    pub fn insert(self, table: Table, columns: &[&str]) -> String {
        let cols = columns.iter().map(|c| self.quote(c)).collect::<Vec<_>>().join(", ");
        let marks = vec!["?"; columns.len()].join(", ");
        format!("INSERT INTO {} ({cols}) VALUES ({marks})", self.quote(self.table(table)))
    }

    /// An INSERT of `rows` rows of the given columns (multi-row VALUES), one `?` a value.
    pub fn insert_rows(self, table: Table, columns: &[&str], rows: usize) -> String {
        let mut sql = self.insert(table, columns);
        let marks = format!("({})", vec!["?"; columns.len()].join(", "));
        for _ in 1..rows.max(1) {
            sql.push_str(", ");
            sql.push_str(&marks);
        }
        sql
    }

    /// How many rows of `columns` columns one multi-row INSERT may carry: as many as the
    /// parameter budget allows, at most [`MAX_ROWS_PER_STATEMENT`] (SQL Server's limit for one
    /// VALUES list); Access has no multi-row VALUES: one.
    pub fn rows_per_insert(self, columns: usize) -> usize {
        match self {
            Dialect::Access => 1,
            _ => self.rows_per_statement(columns, 0),
        }
    }

    /// How many rows (or values of an IN list) of `per_row` parameters one statement may carry
    /// after `fixed` parameters of its own: within the parameter budget, at most
    /// [`MAX_ROWS_PER_STATEMENT`]. Every batched statement is cut by this.
    pub fn rows_per_statement(self, per_row: usize, fixed: usize) -> usize {
        (self.max_parameters().saturating_sub(fixed) / per_row.max(1)).clamp(1, MAX_ROWS_PER_STATEMENT)
    }

    /// `n` parameter marks for an IN list: `?, ?, ?`.
    pub fn marks(n: usize) -> String {
        vec!["?"; n.max(1)].join(", ")
    }

    /// The column type a schema column has in this dialect's DDL.
    pub fn column_type(self, ty: ColType) -> String {
        use ColType::*;
        match (self, ty) {
            (Dialect::Mysql, Id) => "INT NOT NULL AUTO_INCREMENT PRIMARY KEY".into(),
            (Dialect::Sqlite, Id) => "INTEGER PRIMARY KEY AUTOINCREMENT".into(),
            (Dialect::Mssql, Id) => "INT IDENTITY(1,1) NOT NULL PRIMARY KEY".into(),
            (Dialect::Access, Id) => "COUNTER PRIMARY KEY".into(),
            (Dialect::Mssql, Text(n)) => format!("NVARCHAR({n})"),
            (Dialect::Access, Text(n)) => format!("TEXT({n})"),
            (_, Text(n)) => format!("VARCHAR({n})"),
            (Dialect::Access, Int) => "LONG".into(),
            (Dialect::Sqlite, Int) => "INTEGER".into(),
            (_, Int) => "INT".into(),
            (Dialect::Mssql, Double) => "FLOAT".into(),
            (_, Double) => "DOUBLE".into(),
            (Dialect::Mssql, Date) => "SMALLDATETIME".into(),
            (_, Date) => "DATETIME".into(),
            (_, DateTime) => "DATETIME".into(),
        }
    }

    /// What follows a CREATE TABLE's closing parenthesis.
    pub fn table_options(self) -> &'static str {
        match self {
            Dialect::Mysql => " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
            _ => "",
        }
    }

    /// The connection string as it is handed to the driver: on MySQL/MariaDB, text is exchanged
    /// as UTF-8 (`CHARSET=utf8mb4`) unless the string already names a charset.
    pub fn prepare_connection_string(self, connection: &str, timeouts: super::Timeouts) -> String {
        match self {
            Dialect::Mysql => {
                let lower = connection.to_lowercase();
                let mut out = connection.to_owned();
                let mut add = |attr: &str, value: String| {
                    if !lower.contains(&format!("{}=", attr.to_lowercase())) {
                        if !(out.trim_end().ends_with(';') || out.is_empty()) {
                            out.push(';');
                        }
                        out.push_str(&format!("{attr}={value};"));
                    }
                };
                add("CHARSET", "utf8mb4".into());
                // The client library's own socket timeouts: without them a server that accepts
                // the connection but never answers holds the login (and later a read) forever.
                // The library tries a read three times, so a third of the limit each.
                add("CONN_TIMEOUT", timeouts.login_secs.to_string());
                if timeouts.query_secs > 0 {
                    add("READ_TIMEOUT", timeouts.query_secs.div_ceil(3).max(1).to_string());
                    add("WRITE_TIMEOUT", timeouts.query_secs.div_ceil(3).max(1).to_string());
                }
                out
            }
            _ => connection.to_owned(),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dialect {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "access" => Ok(Dialect::Access),
            "mysql" | "mariadb" => Ok(Dialect::Mysql),
            "mssql" | "sqlserver" => Ok(Dialect::Mssql),
            "sqlite" => Ok(Dialect::Sqlite),
            other => Err(format!("'{other}' is not a dialect: use access, mysql, mssql or sqlite")),
        }
    }
}

/// A column type in the Warehouse Pro schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// The auto-numbered primary key.
    Id,
    /// A whole number.
    Int,
    /// A double-precision number (quantities, prices).
    Double,
    /// Text of at most this many characters.
    Text(u16),
    /// A document date (`smalldatetime` on MSSQL).
    Date,
    /// A timestamp (`datetime` everywhere).
    DateTime,
}

macro_rules! tables {
    ($($variant:ident => $lower:literal, $mixed:literal;)*) => {
        /// The Warehouse Pro tables obmen creates or touches.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Table { $($variant,)* }

        impl Table {
            /// Every table, in creation order.
            pub const ALL: &'static [Table] = &[$(Table::$variant,)*];

            /// The MySQL/SQLite name.
            pub fn lower_name(self) -> &'static str {
                match self { $(Table::$variant => $lower,)* }
            }

            /// The MSSQL/Access name.
            pub fn mixed_name(self) -> &'static str {
                match self { $(Table::$variant => $mixed,)* }
            }

            /// The table whose lowercase name this is.
            pub fn by_lower_name(name: &str) -> Option<Table> {
                match name { $($lower => Some(Table::$variant),)* _ => None }
            }
        }
    };
}

tables! {
    System => "system", "System";
    Configuration => "configuration", "Configuration";
    Users => "users", "Users";
    UsersGroups => "usersgroups", "UsersGroups";
    VatGroups => "vatgroups", "VATGroups";
    Currencies => "currencies", "Currencies";
    PaymentTypes => "paymenttypes", "PaymentTypes";
    OperationType => "operationtype", "OperationType";
    GoodsGroups => "goodsgroups", "GoodsGroups";
    Goods => "goods", "Goods";
    PartnersGroups => "partnersgroups", "PartnersGroups";
    Partners => "partners", "Partners";
    ObjectsGroups => "objectsgroups", "ObjectsGroups";
    Objects => "objects", "Objects";
    Store => "store", "Store";
    Lots => "lots", "Lots";
    Operations => "operations", "Operations";
    Payments => "payments", "Payments";
    Documents => "documents", "Documents";
    NextAcct => "nextacct", "NextAcct";
    ObmenImports => "obmen_imports", "ObmenImports";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_render_per_dialect() {
        let t = "SELECT {ID}, {g.Code} FROM {goods} g WHERE {Date} > ? AND x = '{{}}'";
        assert_eq!(Dialect::Mysql.sql(t), "SELECT `ID`, g.`Code` FROM `goods` g WHERE `Date` > ? AND x = '{}'");
        assert_eq!(Dialect::Mssql.sql(t), "SELECT [ID], g.[Code] FROM [Goods] g WHERE [Date] > ? AND x = '{}'");
        assert_eq!(Dialect::Sqlite.sql(t), "SELECT \"ID\", g.\"Code\" FROM \"goods\" g WHERE \"Date\" > ? AND x = '{}'");
    }

    #[test]
    fn limits() {
        assert_eq!(Dialect::Mysql.limit("SELECT a FROM b", 1), "SELECT a FROM b LIMIT 1");
        assert_eq!(Dialect::Access.limit("SELECT a FROM b", 1), "SELECT TOP 1 a FROM b");
    }

    #[test]
    fn guesses_from_driver() {
        assert_eq!(Dialect::guess("Driver={MariaDB Unicode};Server=x"), Some(Dialect::Mysql));
        assert_eq!(Dialect::guess("DRIVER=SQLite3;Database=/x.db"), Some(Dialect::Sqlite));
        assert_eq!(Dialect::guess("Driver={ODBC Driver 18 for SQL Server};"), Some(Dialect::Mssql));
        assert_eq!(Dialect::guess("Driver=MDBTools;DBQ=/a.mdb"), Some(Dialect::Access));
        assert_eq!(Dialect::guess("DSN=shop"), None);
    }

    #[test]
    fn mysql_connection_gets_utf8_and_timeouts() {
        let t = super::super::Timeouts { login_secs: 15, query_secs: 300 };
        assert_eq!(
            Dialect::Mysql.prepare_connection_string("Driver={MariaDB Unicode};Server=h", t),
            "Driver={MariaDB Unicode};Server=h;CHARSET=utf8mb4;CONN_TIMEOUT=15;READ_TIMEOUT=100;WRITE_TIMEOUT=100;"
        );
        let own = "Driver={MariaDB Unicode};charset=latin1;Conn_Timeout=5;READ_TIMEOUT=7;WRITE_TIMEOUT=7;";
        assert_eq!(Dialect::Mysql.prepare_connection_string(own, t), own);
        assert_eq!(Dialect::Sqlite.prepare_connection_string("Driver=SQLite3;", t), "Driver=SQLite3;");
    }
}
