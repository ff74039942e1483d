//! Shared set-up for the integration tests: throwaway Warehouse Pro databases on the MariaDB server
//! that `make test` starts (OBMEN_TEST_MYSQL) and on SQLite files, both through real ODBC drivers.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use obmen::warehouse::{Dialect, Warehouse};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The MariaDB server's connection string (no database chosen). `make test` provides it.
pub fn mysql_server() -> String {
    std::env::var("OBMEN_TEST_MYSQL").expect(
        "OBMEN_TEST_MYSQL is not set: run the tests with `make test`, which starts a throwaway MariaDB \
         (or run them under scripts/with-mariadb.sh)",
    )
}

/// A Warehouse Pro database to test against, removed when dropped.
pub struct TestDb {
    /// The ODBC connection string.
    pub connection: String,
    /// The back end.
    pub dialect: Dialect,
    /// MariaDB: the server (its connection string, no database chosen) and the database's name,
    /// dropped at the end.
    mysql_db: Option<(String, String)>,
    /// SQLite: the folder holding the file, removed with it.
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A new empty database of this dialect.
    pub fn empty(dialect: Dialect) -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        match dialect {
            Dialect::Mysql => TestDb::empty_on(&mysql_server()),
            Dialect::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join(format!("wh{n}.db"));
                let connection = sqlite_connection(&path);
                TestDb { connection, dialect, mysql_db: None, _dir: Some(dir) }
            }
            other => panic!("no test database for {other}"),
        }
    }

    /// A new empty MariaDB database on this server (a connection string with no database).
    pub fn empty_on(server: &str) -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("obmen_t{}_{n}", std::process::id());
        let admin = Warehouse::connect(server, Dialect::Mysql).expect("connect to the test MariaDB");
        admin.exec(&format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"), ()).unwrap();
        let connection = format!("{server}Database={name};");
        TestDb { connection, dialect: Dialect::Mysql, mysql_db: Some((server.to_owned(), name)), _dir: None }
    }

    /// A new database with the schema and `goods` demo goods.
    pub fn with_demo(dialect: Dialect, goods: usize) -> TestDb {
        let db = TestDb::empty(dialect);
        db.open().init(goods).expect("warehouse init");
        db
    }

    /// A new connection.
    pub fn open(&self) -> Warehouse {
        Warehouse::connect(&self.connection, self.dialect).expect("connect")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.mysql_db {
            if let Ok(admin) = Warehouse::connect(server, Dialect::Mysql) {
                let _ = admin.exec(&format!("DROP DATABASE IF EXISTS `{name}`"), ());
            }
        }
    }
}

/// The connection string of a SQLite database file.
pub fn sqlite_connection(path: &Path) -> String {
    format!("Driver=SQLite3;Database={};", path.display())
}

/// Runs each test body once on SQLite and once on MariaDB, as two tests in the two modules named.
macro_rules! on_both {
    ($sqlite:ident, $mysql:ident; $($name:ident),* $(,)?) => {
        mod $sqlite {
            $(#[test] fn $name() { super::$name(obmen::warehouse::Dialect::Sqlite) })*
        }
        mod $mysql {
            $(#[test] fn $name() { super::$name(obmen::warehouse::Dialect::Mysql) })*
        }
    };
}

/// A database server on loopback that takes connections and never says a word: the port it
/// listens on. A driver's login waits on it until its timeout.
pub fn silent_database() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    port
}
