//! A MariaDB server of a case's own, on loopback, that the case may kill (SIGKILL), start again on
//! the same data, or pause (SIGSTOP: it accepts connections and answers nothing) and resume: the
//! shared one `make test` starts must not be hurt. Made the way scripts/with-mariadb.sh makes that.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct OwnMariadb {
    dir: tempfile::TempDir,
    pub port: u16,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl OwnMariadb {
    /// A new server with the test user (`obmen`, password `obmen-test`), running.
    pub fn start() -> OwnMariadb {
        let dir = tempfile::tempdir().unwrap();
        let install = Command::new("mariadb-install-db")
            .args(["--no-defaults", &format!("--datadir={}", dir.path().join("data").display()), "--auth-root-authentication-method=socket", "--skip-test-db"])
            .output()
            .expect("mariadb-install-db (make test installs MariaDB)");
        assert!(install.status.success(), "{}", String::from_utf8_lossy(&install.stderr));
        let mut db = OwnMariadb { dir, port: free_port(), child: None };
        db.run();
        let sql = "CREATE USER 'obmen'@'127.0.0.1' IDENTIFIED BY 'obmen-test'; GRANT ALL PRIVILEGES ON *.* TO 'obmen'@'127.0.0.1' WITH GRANT OPTION;";
        let o = Command::new("mariadb").args(["--no-defaults", &format!("--socket={}", db.socket()), "-uroot", "-e", sql]).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        db
    }

    fn socket(&self) -> String {
        self.dir.path().join("sock").display().to_string()
    }

    /// Starts mariadbd on the data (after a kill too: InnoDB recovers), and waits until it answers.
    pub fn run(&mut self) {
        let data = self.dir.path().join("data");
        let child = Command::new("mariadbd")
            .args([
                "--no-defaults",
                &format!("--datadir={}", data.display()),
                &format!("--socket={}", self.socket()),
                &format!("--port={}", self.port),
                "--bind-address=127.0.0.1",
                "--user=root",
                &format!("--log-error={}", self.dir.path().join("error.log").display()),
                "--innodb-buffer-pool-size=128M",
                "--innodb-flush-log-at-trx-commit=1",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_unicode_ci",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mariadbd");
        self.child = Some(child);
        let start = Instant::now();
        loop {
            let ping = Command::new("mariadb-admin").args(["--no-defaults", &format!("--socket={}", self.socket()), "-uroot", "ping"]).output().unwrap();
            if ping.status.success() {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "MariaDB did not start: {}",
                std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Its connection string for the test user, no database chosen.
    pub fn server(&self) -> String {
        format!("Driver={{MariaDB Unicode}};Server=127.0.0.1;Port={};Uid=obmen;Pwd=obmen-test;", self.port)
    }

    fn signal(&self, sig: &str) {
        let pid = self.child.as_ref().unwrap().id().to_string();
        assert!(Command::new("kill").args([sig, &pid]).status().unwrap().success());
    }

    /// Killed at once: no shutdown, no flush.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Paused: it keeps its connections and port and answers nothing.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Resumed.
    pub fn resume(&self) {
        self.signal("-CONT");
    }
}

impl Drop for OwnMariadb {
    fn drop(&mut self) {
        if let Some(c) = &self.child {
            let _ = Command::new("kill").args(["-CONT", &c.id().to_string()]).status();
        }
        self.kill();
    }
}
