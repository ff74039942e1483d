//! The command line: a contract that tests, scripts and users rely on (see DESIGN.md). Only the
//! definitions live here; what each command does is in [`crate::commands`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Lang;
use crate::warehouse::Dialect;

/// obmen: exchange servers between Microinvest Warehouse Pro and online shops.
#[derive(Debug, Parser)]
#[command(
    name = "obmen",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Exit codes: 0 ok, 1 failed, 2 usage, 3 partly done (orders set aside, records refused by the shop, \
                  imports not yet confirmed), 78 invalid configuration."
)]
pub struct Cli {
    /// obmen's home: servers/*.toml, state.db, logs/ and obmen.sock [default: the platform's data folder]
    #[arg(long, env = "OBMEN_HOME", global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Language of output: en or bg [default: OBMEN_LANG, else the locale (LANG), else en]
    #[arg(long, env = "OBMEN_LANG", global = true, value_enum)]
    pub lang: Option<Lang>,

    /// More detail in the log on stderr (-v, -vv).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// What to do; without a command, the terminal UI opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make, show, change, delete and validate exchange servers.
    #[command(subcommand)]
    Server(ServerCommand),
    /// Work on a Warehouse Pro database directly.
    #[command(subcommand)]
    Warehouse(WarehouseCommand),
    /// Test a server's connections: database, object, shop reachable, key accepted. Exits 1 if
    /// any test fails.
    Check {
        /// The server's name.
        name: String,
        /// Print the checks as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Why an order is, or is not, in Warehouse Pro: whether the shop gave it (which run, its
    /// payload's SHA-256), set aside (why, how often, what to do), the document it became and
    /// whether the shop was told; where the shop never gave it, the likely reasons.
    Why {
        /// The server's name.
        name: String,
        /// The shop's order number (e.g. SH-100026) or id.
        order: String,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Audits of what obmen keeps: `obmen audit provenance NAME` checks that every order in the
    /// import log has its payload kept and that each payload still hashes the same. Exits 1 on
    /// a problem.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Alerts (`[alerts]` in obmen.toml): `obmen alerts test` sends a test message to every
    /// channel set and says green or red for each. Exits 1 if any fails, 78 if none is set.
    Alerts {
        #[command(subcommand)]
        action: AlertsAction,
    },
    /// Run one exchange cycle of a server in the foreground (no daemon needed). Exits 0 when all
    /// went through, 3 when it went through but something was set aside or refused, 1 when it
    /// failed or was stopped, 78 when a setting is wrong.
    Run {
        /// The server's name.
        name: String,
        /// Import orders from the shop.
        #[arg(long)]
        import: bool,
        /// Export goods, partners and available quantities to the shop.
        #[arg(long)]
        export: bool,
        /// Show what would be done, and write nothing anywhere.
        #[arg(long)]
        dry_run: bool,
        /// Export everything again, as if the shop had been told nothing (after it was emptied).
        #[arg(long)]
        full: bool,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The kinds of server obmen knows; `obmen kinds show KIND` lists every setting of one.
    Kinds {
        #[command(subcommand)]
        action: Option<KindsAction>,
    },
    /// Shop orders that could not be imported, with the reason: list them, try one again, or drop it.
    Quarantine {
        /// The server's name.
        name: String,
        #[command(subcommand)]
        action: Option<QuarantineAction>,
    },
    /// Repairs of data an earlier obmen wrote wrong in this server's database: shows them, and
    /// with --apply makes them (each change logged).
    Repair {
        /// The server's name.
        name: String,
        /// Make the changes (without it, only show them).
        #[arg(long)]
        apply: bool,
        /// Print the repairs as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run the Shopiko simulator: the shop's API on this machine, for the demo and tests.
    ShopikoSim(SimArgs),
    /// Run the BaseLinker simulator: its API (connector.php) on this machine, for the demo and
    /// tests.
    BaselinkerSim(BaseLinkerSimArgs),
    /// Make a ready demo home (a SQLite Warehouse Pro database with Cyrillic goods, a Shopiko
    /// simulator placing a few orders a minute, the server "Shopiko demo"), start the daemon,
    /// and open the UI.
    Demo {
        /// Prepare and start everything, say where it is, and return.
        #[arg(long)]
        no_tui: bool,
    },
    /// Run the daemon in the foreground: it runs the servers on their rules (those with
    /// autostart = true start with it) and answers `obmen start|stop|run` and the UI on the
    /// home's socket. SIGTERM or Ctrl-C stops each run after its page in hand.
    Daemon,
    /// Start a server in the daemon: it runs on its rules until stopped.
    Start {
        /// The server's name.
        name: String,
    },
    /// Stop a server in the daemon (its run in hand stops after the page in hand).
    Stop {
        /// The server's name.
        name: String,
    },
    /// The run history of a server: outcomes, counts, durations, errors.
    Runs {
        /// The server's name.
        name: String,
        /// How many runs, newest first.
        #[arg(long, short = 'n', default_value_t = 20)]
        limit: i64,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// A server's log, newest at the bottom (read from the end of its files, never whole).
    Log(LogArgs),
    /// Autostart on boot: a systemd unit that runs `obmen daemon`.
    Service {
        #[command(subcommand)]
        action: ServiceAction,
    },
}

/// `obmen log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// The server's name; `daemon` for the daemon's own log where no server has that name.
    pub name: String,
    /// Keep printing lines as they come (across midnight's new file).
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// Only lines of this level or above: debug, info, warn, error.
    #[arg(long)]
    pub level: Option<String>,
    /// Only lines newer than this, e.g. 10m, 2h, 3d.
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Only lines holding this text (any case).
    #[arg(long, value_name = "TEXT")]
    pub grep: Option<String>,
    /// Only the lines of this run (its id in `obmen runs`).
    #[arg(long, value_name = "ID")]
    pub run: Option<i64>,
    /// How many lines (the newest).
    #[arg(long, short = 'n', default_value_t = 50)]
    pub lines: usize,
    /// As JSON lines.
    #[arg(long)]
    pub json: bool,
}

/// `obmen service ...`.
#[derive(Debug, Subcommand)]
pub enum ServiceAction {
    /// Write, enable and start the unit.
    Install(ServiceArgs),
    /// Stop, disable and remove it.
    Uninstall(ServiceArgs),
    /// Whether it is enabled and running.
    Status(ServiceArgs),
}

/// Where the unit goes.
#[derive(Debug, Args)]
pub struct ServiceArgs {
    /// The user's own systemd (no root needed; runs while the user is logged in, or always
    /// with `loginctl enable-linger`).
    #[arg(long)]
    pub user: bool,
    /// Print the unit and the commands, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `obmen audit ...`.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Every import log entry has its payload, and every payload its SHA-256.
    Provenance {
        /// The server's name.
        name: String,
        /// Only orders imported since this date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `obmen alerts ...`.
#[derive(Debug, Subcommand)]
pub enum AlertsAction {
    /// Send a test message to every e-mail recipient and webhook set, and ping the heartbeat.
    Test {
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `obmen quarantine NAME ...`.
#[derive(Debug, Subcommand)]
pub enum QuarantineAction {
    /// List the orders set aside (the default).
    List {
        /// Also those resolved or dropped.
        #[arg(long)]
        all: bool,
        /// As JSON (times in RFC 3339, UTC).
        #[arg(long)]
        json: bool,
    },
    /// Try to import one again now.
    Retry {
        /// Its id in the list, or the shop's order number (e.g. SH-100026).
        order: String,
    },
    /// Never import it (it stays listed with --all).
    Drop {
        /// Its id in the list, or the shop's order number.
        order: String,
    },
}

/// `obmen kinds ...`.
#[derive(Debug, Subcommand)]
pub enum KindsAction {
    /// List the kinds (the default).
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Every setting of a kind: its key, type, default, choices, whether it is required, and
    /// what it does.
    Show {
        /// The kind, as server files name it or by its short id (case and spaces do not matter).
        kind: String,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `obmen shopiko-sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Address to listen on, e.g. 127.0.0.1:8940.
    #[arg(long, default_value = "127.0.0.1:8940")]
    pub listen: String,
    /// The API ID the simulated shop accepts.
    #[arg(long)]
    pub api_id: String,
    /// The key requests must be signed with (or OBMEN_SIM_KEY); --key-file keeps it off the
    /// command line, where `ps` shows it.
    #[arg(long, env = "OBMEN_SIM_KEY", hide_env_values = true, required_unless_present = "key_file")]
    pub key: Option<String>,
    /// A file whose first line is the key.
    #[arg(long, value_name = "FILE", conflicts_with = "key")]
    pub key_file: Option<std::path::PathBuf>,
    /// Orders placed at start.
    #[arg(long, default_value_t = 0)]
    pub seed_orders: usize,
    /// Products at start: demo goods 1..=N, codes as `warehouse init --demo-data` makes them.
    #[arg(long, default_value_t = 0)]
    pub seed_products: usize,
    /// Faults to inject per request, e.g. "5xx=0.2,timeout=0.1,429=0.1,drop=0.05".
    #[arg(long, default_value = "")]
    pub faults: String,
    /// Keep the data in this file between runs.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// How long a timeout fault holds the answer, in milliseconds.
    #[arg(long, default_value_t = 65_000)]
    pub timeout_delay_ms: u64,
    /// Seed of the fault and data generator.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Place one new order every this many seconds while running (0: none).
    #[arg(long, default_value_t = 0, value_name = "SECS")]
    pub new_order_every_secs: u64,
    /// Run the shop's clock this many seconds off this machine's (to see clock-skew errors).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub clock_offset_secs: i64,
    /// Answer the batch acknowledgement (POST /v1/acknowledgements/batch) with 404, as a shop
    /// that lacks it: obmen then tells such a shop of each order on its own.
    #[arg(long)]
    pub no_ack_batch: bool,
}

/// `obmen baselinker-sim`.
#[derive(Debug, Args)]
pub struct BaseLinkerSimArgs {
    /// Address to listen on, e.g. 127.0.0.1:8950; the API is at /connector.php.
    #[arg(long, default_value = "127.0.0.1:8950")]
    pub listen: String,
    /// The token the simulated account accepts (or OBMEN_SIM_TOKEN, off the command line).
    #[arg(long, env = "OBMEN_SIM_TOKEN", hide_env_values = true)]
    pub token: String,
    /// Confirmed orders at start.
    #[arg(long, default_value_t = 0)]
    pub seed_orders: usize,
    /// Unconfirmed orders at start (part of their products).
    #[arg(long, default_value_t = 0)]
    pub seed_unconfirmed: usize,
    /// Faults to inject per request: "5xx=0.2".
    #[arg(long, default_value = "")]
    pub faults: String,
    /// The token's limit in any 60 seconds (0: none).
    #[arg(long, default_value_t = 100)]
    pub requests_per_minute: u32,
    /// How long a token that exceeded the limit stays blocked, in seconds.
    #[arg(long, default_value_t = 60)]
    pub block_secs: u64,
    /// Answer the order journal empty, as an account that has not had it activated.
    #[arg(long)]
    pub no_journal: bool,
}

/// `obmen server ...`.
#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// List the servers in the home.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show a server's settings (secrets masked).
    Show {
        /// The server's name.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Make a new server from its kind's defaults.
    New {
        /// The server's name (also its file's name).
        name: String,
        /// The kind, e.g. "WarehousePro Import Export Shopiko".
        #[arg(long)]
        kind: String,
        #[command(flatten)]
        changes: Changes,
    },
    /// Change a server's settings with --set/--unset, or in $EDITOR without them.
    Edit {
        /// The server's name.
        name: String,
        #[command(flatten)]
        changes: Changes,
    },
    /// Delete a server (a copy of its file is kept in servers/deleted/).
    Delete {
        /// The server's name.
        name: String,
    },
    /// The choices of a setting that the server's account holds (e.g. rules.status_after_import:
    /// the account's order statuses), read from the account: each value and its name.
    Choices {
        /// The server's name.
        name: String,
        /// The setting, e.g. rules.status_after_import.
        key: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check server files against their kinds; exit 78 if any is invalid.
    Validate {
        /// One server; all of them when left out.
        name: Option<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Changes to a server file, applied in order.
#[derive(Debug, Args, Default)]
pub struct Changes {
    /// Set a key, e.g. --set rules.import=periodic (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Remove a key, e.g. --unset shopiko.key (repeatable; applied after every --set).
    #[arg(long = "unset", value_name = "KEY")]
    pub unset: Vec<String>,
}

/// `obmen warehouse ...`.
#[derive(Debug, Subcommand)]
pub enum WarehouseCommand {
    /// Make a Warehouse Pro-shaped database (for the demo and tests). Refuses a database that
    /// already has a goods table.
    Init {
        /// ODBC connection string, e.g. "Driver=SQLite3;Database=/path/wh.db".
        #[arg(long)]
        connection: String,
        /// access, mysql, mssql or sqlite [default: guessed from the connection's driver]
        #[arg(long)]
        dialect: Option<Dialect>,
        /// Add this many demo goods, with partners, the objects "Централен Склад" and
        /// "Магазин", and stock.
        #[arg(long, value_name = "N", default_value_t = 0)]
        demo_data: usize,
        /// The currency the database keeps its amounts in: eur (new databases since 2026) or
        /// bgn (one not converted yet).
        #[arg(long, value_enum, default_value_t = crate::warehouse::init::BaseCurrency::Eur)]
        base_currency: crate::warehouse::init::BaseCurrency,
    },
}

impl clap::ValueEnum for Dialect {
    fn value_variants<'a>() -> &'a [Self] {
        &crate::warehouse::dialect::ALL_DIALECTS
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}
