//! The control API's one protocol: every request body and every answer, as types that both the
//! daemon (which serialises them) and the client (which deserialises them) use, so that a field
//! renamed on one side fails to compile on the other, not at run time in a UI. Where a domain
//! type is already the wire form (a server's [`Status`], a run's [`RunSummary`], a log
//! [`Line`]), it is used as it is and re-exported here. `docs/control-api.md` describes each
//! endpoint; `tests/it/control_api.rs` pins every answer's shape.
//!
//! Every request carries its caller's language in `Accept-Language` (`en`, `bg`): what the
//! daemon words for it (check lines, forms, errors) is in that language.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use crate::config::view::{Choice, FormGroup, FormProperty};
pub use crate::engine::{EngineEvent, ServerState, Status};
pub use crate::kinds::{Check, Job, RunEvent, RunSummary};
pub use crate::logs::Line;
pub use crate::state::{Counters, QuarantineEntry, RunRecord};

/// The header that carries the caller's language.
pub const LANGUAGE: &str = "accept-language";

/// `GET /v1/health`: the daemon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// obmen's version.
    pub version: String,
    /// The API's version of paths (`v1`).
    pub api: String,
    /// The daemon's process.
    pub pid: u32,
    /// Its home.
    pub home: PathBuf,
    /// When it started.
    pub started: chrono::DateTime<chrono::Local>,
    /// How many servers it holds.
    pub servers: usize,
}

/// `GET /v1/servers`, `GET /v1/servers/NAME`: a server's status and its counters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerEntry {
    /// What it does now.
    #[serde(flatten)]
    pub status: Status,
    /// Its counters over its history (absent where obmen's state could not be read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counters: Option<Counters>,
}

/// `GET /v1/kinds`: a kind a server can be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindEntry {
    /// Its name, as server files write it.
    pub kind: String,
    /// Its profile's id.
    pub id: String,
    /// What it is called.
    pub label: String,
    /// What it does.
    pub help: String,
}

/// `PATCH /v1/servers/NAME`: settings to change, as `server edit --set` takes them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeServer {
    /// Dotted key to value (or label); an empty value takes the setting out.
    pub set: BTreeMap<String, String>,
}

/// `POST /v1/servers`: a new server from its kind's defaults and these settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewServer {
    /// Its name.
    pub name: String,
    /// Its kind (name or profile id).
    pub kind: String,
    /// Settings over the kind's defaults.
    #[serde(default)]
    pub set: BTreeMap<String, String>,
    /// Check the form only: nothing is made.
    #[serde(default)]
    pub dry_run: bool,
}

/// One field validation refused, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    /// The dotted key (`name`, `kind`, `rules.import`).
    pub field: String,
    /// Why, and what to do.
    pub message: String,
}

/// `POST /v1/servers` with `dry_run`: the form as it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Form {
    /// The server's name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// True when it would be made.
    pub valid: bool,
    /// What validation refused.
    pub fields: Vec<FieldProblem>,
    /// Every property, by group.
    pub groups: Vec<FormGroup>,
}

/// `GET /v1/servers/NAME/properties`: a server's settings as a UI shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Properties {
    /// The server's name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// Its settings, by group.
    pub groups: Vec<FormGroup>,
}

/// A server file that could not be read at a reload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidFile {
    /// The server.
    pub server: String,
    /// Each field's problem.
    pub error: String,
}

/// `POST /v1/reload`: what reading the server files again changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reloaded {
    /// New servers (stopped).
    pub added: Vec<String>,
    /// Servers with new settings.
    pub changed: Vec<String>,
    /// Servers whose files went away.
    pub removed: Vec<String>,
    /// Files that could not be read: the server keeps its last good settings.
    pub invalid: Vec<InvalidFile>,
}

/// `POST /v1/servers` (201) and `PATCH /v1/servers/NAME`: saved, and the reload that followed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    /// True.
    pub saved: bool,
    /// The server's name (a new server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its file (a new server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// What the reload changed.
    pub reload: Reloaded,
}

/// `DELETE /v1/servers/NAME`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    /// True.
    pub deleted: bool,
    /// Where its file was kept.
    pub kept: PathBuf,
}

/// `POST /v1/servers/NAME/start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Started {
    /// False when it was running already.
    pub started: bool,
    /// Its status now.
    pub status: Option<Status>,
}

/// `POST /v1/servers/NAME/stop`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stopped {
    /// True when its run in hand (if any) ended within the deadline.
    pub stopped: bool,
    /// Its status now.
    pub status: Option<Status>,
}

/// `POST /v1/servers/NAME/run`: what to run (nothing: what its rules run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunRequest {
    /// Import orders.
    pub import: bool,
    /// Export to the shop.
    pub export: bool,
    /// Export everything again.
    pub full: bool,
}

/// A line of the run stream of `POST /v1/servers/NAME/run`: first `accepted`, then the run's
/// events until it ends (`finished` or `failed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RunStreamLine {
    /// The run was asked for.
    Accepted {
        /// The server.
        server: String,
        /// What it runs.
        job: Job,
    },
    /// The run said something.
    Run {
        /// The server.
        server: String,
        /// The run's record, once known.
        run_id: Option<i64>,
        /// What it said.
        event: Box<RunEvent>,
    },
}

/// `GET /v1/servers/NAME/log`: which lines.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogQuery {
    /// The newest this many (default 500, at most 100,000).
    pub n: Option<usize>,
    /// At least this level.
    pub level: Option<crate::logs::Level>,
    /// Holding this text.
    pub grep: Option<String>,
    /// Of this run.
    pub run: Option<i64>,
}

/// `POST /v1/servers/NAME/quarantine/ID/drop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    /// False when the server had no open entry with this id.
    pub dropped: bool,
}

/// `GET /v1/servers/NAME/why/ORDER`: an order's journey (see [`crate::why`]), in the caller's
/// language; the answer holds every detail `obmen why --json` gives, these fields among them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Why {
    /// The server.
    pub server: String,
    /// The order's number as the shop gives it (what was asked, where obmen never saw it).
    pub order: String,
    /// `imported`, `set_aside`, `dropped`, `received` or `not_seen`.
    pub verdict: String,
    /// What happened and what to do, a sentence a line.
    pub text: Vec<String>,
}

/// `GET /v1/servers/NAME/choices/KEY`: the choices of a setting the account holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choices {
    /// The setting.
    pub key: String,
    /// Its choices, as the account names them.
    pub choices: Vec<Choice>,
}

/// A line of `GET /v1/events`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EventLine {
    /// The first line: every server's status.
    Hello(Hello),
    /// Events were missed (the reader was slow).
    Lagged(Lagged),
    /// What the engine told.
    Engine(EngineEvent),
}

/// The event stream's first line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    /// Always `hello`.
    #[serde(rename = "type")]
    pub kind: HelloTag,
    /// Every server's status.
    pub servers: Vec<Status>,
}

/// The tag of [`Hello`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelloTag {
    /// `hello`.
    Hello,
}

/// The event stream's word that events were missed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lagged {
    /// Always `lagged`.
    #[serde(rename = "type")]
    pub kind: LaggedTag,
    /// How many.
    pub missed: u64,
}

/// The tag of [`Lagged`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LaggedTag {
    /// `lagged`.
    Lagged,
}

/// Every error: its words, its code, and with a refused form each field's reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    /// What went wrong, in the caller's language.
    pub error: String,
    /// A word a program may act on (`no_such_server`, `not_running`, `busy`, `invalid`, ...).
    pub code: String,
    /// Each field refused, with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
    /// The form as it stands, where a new server was refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<FormGroup>,
}
