//! Server kinds, and the one API through which the commands, the engine and a UI reach them.
//!
//! From a validated [`ServerFile`], [`Server::load`] gives a server of its [`Kind`] with typed
//! settings; the server gives its [`Rules`], runs its connection checks, runs a [`Job`] (see
//! [`run`] for the contract: stoppable, watched through events, typed errors), and retries or
//! drops orders set aside. Nothing outside `src/kinds/<kind>/` names a kind's modules or types:
//! a second kind is one more module here, one more variant of [`Kind`] and [`Settings`], and
//! one more arm in each match below.
//!
//! An enum rather than a trait object: the kinds are known when obmen is built; an enum gives
//! `PartialEq` of settings across kinds for free (a reload compares old and new servers), needs
//! no boxed futures for the async methods, and the compiler lists every place a new kind must
//! be handled.

pub mod account;
pub mod run;
pub mod warehouse_pro;
pub mod warehouse_pro_baselinker;
pub mod warehouse_pro_shopiko;

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use run::{Counts, Events, Failure, FailureKind, Job, NoteLevel, Phase, RunContext, RunError, RunEvent, RunSummary};

use crate::config::schedule::Rules;
use crate::config::{ConfigError, ConfigErrors, ServerFile};
use crate::state::Quarantined;

use warehouse_pro_baselinker as wpb;
use warehouse_pro_shopiko as wps;

/// The kinds obmen knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Kind {
    /// "WarehousePro Import Export Shopiko".
    WarehouseProShopiko,
    /// "WarehousePro Import Export BaseLinker".
    WarehouseProBaselinker,
}

impl Kind {
    /// Every kind.
    pub const ALL: &'static [Kind] = &[Kind::WarehouseProShopiko, Kind::WarehouseProBaselinker];

    /// The id of its profile (`profiles/ID.toml`).
    pub fn profile_id(self) -> &'static str {
        match self {
            Kind::WarehouseProShopiko => "warehouse_pro_shopiko",
            Kind::WarehouseProBaselinker => "warehouse_pro_baselinker",
        }
    }

    /// Its profile's file and text, built into the binary.
    pub fn profile_source(self) -> (&'static str, &'static str) {
        match self {
            Kind::WarehouseProShopiko => ("profiles/warehouse_pro_shopiko.toml", include_str!("../../profiles/warehouse_pro_shopiko.toml")),
            Kind::WarehouseProBaselinker => ("profiles/warehouse_pro_baselinker.toml", include_str!("../../profiles/warehouse_pro_baselinker.toml")),
        }
    }

    /// The kind of a profile.
    pub fn from_profile_id(id: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.profile_id() == id)
    }
}

/// A fragment of profiles that kinds include (`include = ["NAME"]`), built into the binary.
pub fn fragment_source(name: &str) -> Option<&'static str> {
    match name {
        "warehouse_pro" => Some(include_str!("../../profiles/warehouse_pro.toml")),
        _ => None,
    }
}

/// A server's typed settings, of its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Settings {
    /// "WarehousePro Import Export Shopiko".
    WarehouseProShopiko(Box<wps::Server>),
    /// "WarehousePro Import Export BaseLinker".
    WarehouseProBaselinker(Box<wpb::Server>),
}

/// A kind's own report of a run, beside the kind-neutral counts. Stored and sent tagged with the
/// kind's profile id beside the report's own fields (`{"kind": "warehouse_pro_shopiko",
/// "import": {...}, ...}`, `{"kind": "none"}`), so that with many kinds a stored report reads
/// back as what it was; the untagged form an obmen of one kind wrote (the report itself, or
/// null) still reads, as that kind's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[serde(remote = "Self")]
pub enum Details {
    /// Nothing ran.
    None,
    /// "WarehousePro Import Export Shopiko".
    WarehouseProShopiko(Box<warehouse_pro::Report>),
    /// "WarehousePro Import Export BaseLinker".
    WarehouseProBaselinker(Box<warehouse_pro::Report>),
}

impl Serialize for Details {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Details::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for Details {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Details, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(deserializer)?;
        match value {
            serde_json::Value::Null => Ok(Details::None),
            serde_json::Value::Object(ref o) if o.contains_key("kind") => Details::deserialize(value).map_err(D::Error::custom),
            // Written before reports were tagged, when Shopiko's was the only kind.
            legacy => serde_json::from_value(legacy).map(|r| Details::WarehouseProShopiko(Box::new(r))).map_err(D::Error::custom),
        }
    }
}

impl Details {
    /// The report as lines of text for a person (the command line), in a language.
    pub fn render(&self, dry_run: bool, lang: crate::config::Lang) -> String {
        match self {
            Details::None => String::new(),
            Details::WarehouseProShopiko(r) | Details::WarehouseProBaselinker(r) => r.render(dry_run, lang),
        }
    }
}

/// A server ready to check and run.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: Kind,
    /// Its kind's name, as files and summaries write it.
    pub kind_name: String,
    /// Start with the daemon.
    pub autostart: bool,
    /// Its typed settings.
    pub settings: Settings,
}

/// What a document holds ([`Server::order_in_database`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentContents {
    /// Its partner: code and name.
    pub partner: Option<(String, String)>,
    /// Its lines.
    pub lines: Vec<DocumentLine>,
}

/// A document's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentLine {
    /// The good's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// How many.
    pub quantity: f64,
    /// At what price.
    pub price: f64,
}

/// A repair of data an earlier obmen wrote wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repair {
    /// Its name, e.g. "partner-roles".
    pub name: String,
    /// What is wrong, and what the repair does.
    pub what: String,
    /// Each record it changes (or would change), one line each.
    pub changes: Vec<String>,
    /// True when the changes were made.
    pub applied: bool,
}

/// The outcome of one connection test: a green or red line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// What was tested, e.g. "Warehouse Pro database".
    pub what: String,
    /// True when it passed (a warning passes).
    pub ok: bool,
    /// True when it passed with a limit the user should know of (a database obmen can only read).
    pub warning: bool,
    /// What was found, or what is wrong and what to do.
    pub detail: String,
}

impl Check {
    /// A passed test.
    pub fn ok(what: impl Into<String>, detail: impl Into<String>) -> Check {
        Check { what: what.into(), ok: true, warning: false, detail: detail.into() }
    }
    /// A test that passed, with a limit.
    pub fn warning(what: impl Into<String>, detail: impl Into<String>) -> Check {
        Check { what: what.into(), ok: true, warning: true, detail: detail.into() }
    }
    /// A failed test.
    pub fn failed(what: impl Into<String>, detail: impl Into<String>) -> Check {
        Check { what: what.into(), ok: false, warning: false, detail: detail.into() }
    }
}

/// The checks of a kind that its profile cannot express, run by validation after the profile's.
pub fn validate(profile_id: &str, path: &Path, table: &toml::Table) -> Vec<ConfigError> {
    match Kind::from_profile_id(profile_id) {
        Some(Kind::WarehouseProShopiko) => wps::settings::validate(path, table),
        Some(Kind::WarehouseProBaselinker) => wpb::settings::validate(path, table),
        None => vec![ConfigError::field(path, "kind", format!("obmen has a profile '{profile_id}' but no code for it"))],
    }
}

impl Server {
    /// The server of a validated file, with its kind's typed settings. Fails where the key
    /// cannot be had or the file does not fit the settings: each error names the file and field.
    pub fn load(file: &ServerFile) -> Result<Server, ConfigErrors> {
        let kind = Kind::from_profile_id(&file.profile.id)
            .ok_or_else(|| ConfigError::field(&file.path, "kind", format!("obmen cannot run servers of kind '{}'", file.profile.kind)))?;
        let settings = match kind {
            Kind::WarehouseProShopiko => Settings::WarehouseProShopiko(Box::new(wps::Server::from_file(file)?)),
            Kind::WarehouseProBaselinker => Settings::WarehouseProBaselinker(Box::new(wpb::Server::from_file(file)?)),
        };
        Ok(Server { name: file.name.clone(), kind, kind_name: file.profile.kind.clone(), autostart: file.autostart, settings })
    }

    /// When its jobs start.
    pub fn rules(&self) -> Rules {
        match &self.settings {
            Settings::WarehouseProShopiko(s) => s.settings.rules.rules(),
            Settings::WarehouseProBaselinker(s) => s.settings.rules.common.rules(),
        }
    }

    /// Whether its rules ever import and export (a job whose mode is never does neither).
    pub fn default_job(&self) -> Job {
        let rules = self.rules();
        let never = crate::config::schedule::StartMode::Never;
        Job { import: rules.import.mode != never, export: rules.export.mode != never, ..Job::default() }
    }

    /// The connection tests: each a green or red line with the reason, in a language.
    pub async fn check(&self, lang: crate::config::Lang) -> Vec<Check> {
        match &self.settings {
            Settings::WarehouseProShopiko(s) => wps::check(s, lang).await,
            Settings::WarehouseProBaselinker(s) => wpb::check(s, lang).await,
        }
    }

    /// Runs one job to its end, or until `ctx.cancel` stops it at its next page or batch. Never
    /// fails: what went wrong is in the summary (outcome, errors), and in a `Failed` event.
    pub async fn run(&self, ctx: RunContext, job: Job) -> RunSummary {
        match &self.settings {
            Settings::WarehouseProShopiko(s) => wps::run(s, &self.kind_name, ctx, job).await,
            Settings::WarehouseProBaselinker(s) => wpb::run(s, &self.kind_name, ctx, job).await,
        }
    }

    /// Runs `work` off the async threads on a connection to the server's database, with the shop
    /// accounts (sources) whose import log it reads: `sources`, and the one the server itself
    /// knows without asking its shop (a Shopiko API ID).
    async fn on_database<T: Send + 'static>(
        &self,
        sources: &[String],
        work: impl FnOnce(&crate::warehouse::Warehouse, &[String]) -> Result<T, RunError> + Send + 'static,
    ) -> Result<T, RunError> {
        let (base, own) = match &self.settings {
            Settings::WarehouseProShopiko(s) => (s.base(), Some(s.settings.shopiko.api_id.clone())),
            Settings::WarehouseProBaselinker(s) => (s.base(), None),
        };
        let mut sources = sources.to_vec();
        sources.extend(own.filter(|o| !sources.contains(o)));
        tokio::task::spawn_blocking(move || {
            let wh = crate::warehouse::Warehouse::connect_with(base.database.connection.expose(), base.database.dialect, base.timeouts())?;
            work(&wh, &sources)
        })
        .await
        .map_err(|e| RunError::Setup { message: e.to_string() })?
    }

    /// The import log's entries of these shop accounts (sources) and the server's own in its
    /// database, written since `since` (all: None): what `obmen audit provenance` checks obmen's
    /// own records against.
    pub async fn import_log(&self, sources: &[String], since: Option<chrono::NaiveDateTime>) -> Result<Vec<crate::warehouse::Imported>, RunError> {
        self.on_database(sources, move |wh, sources| {
            if !wh.has_import_log()? {
                return Ok(Vec::new());
            }
            let mut out = Vec::new();
            for source in sources {
                out.extend(wh.imports_since(source, since)?);
            }
            Ok(out)
        })
        .await
    }

    /// Where an order is in the server's database, as `obmen why` tells it, on one connection:
    /// its import log entry, looked up by each of `names` (the order's ids and numbers as known)
    /// as an id, then as a number, in each source (these and the server's own), by the log's keys
    /// alone, never reading the whole log; and the document it became: its partner (code, name)
    /// and each line's good (code, name), quantity and price, or why that could not be read.
    pub async fn order_in_database(
        &self,
        sources: &[String],
        names: &[String],
    ) -> Result<Option<(crate::warehouse::Imported, Result<DocumentContents, String>)>, RunError> {
        let names = names.to_vec();
        self.on_database(sources, move |wh, sources| {
            if !wh.has_import_log()? {
                return Ok(None);
            }
            let mut found = None;
            'look: for source in sources {
                for name in &names {
                    if let Some(e) = wh.imported(source, name)?.or(wh.imported_by_number(source, name)?) {
                        found = Some(e);
                        break 'look;
                    }
                }
            }
            let Some(entry) = found else { return Ok(None) };
            let contents = (|| -> Result<DocumentContents, crate::warehouse::WarehouseError> {
                let lines = wh.document_lines(entry.oper_type, entry.acct)?;
                let partner = match lines.first() {
                    Some(l) => wh.partner(l.partner_id)?.map(|p| (p.code, p.company)),
                    None => None,
                };
                let mut goods = Vec::new();
                for l in &lines {
                    let (code, name) = wh.good(l.good_id)?.map(|g| (g.code, g.name)).unwrap_or_default();
                    goods.push(DocumentLine { code, name, quantity: l.qtty, price: l.price_out });
                }
                Ok(DocumentContents { partner, lines: goods })
            })()
            .map_err(|e| e.to_string());
            Ok(Some((entry, contents)))
        })
        .await
    }

    /// Imports these orders from the quarantine again now, outside the shop's cursor.
    pub async fn retry(&self, ctx: RunContext, entries: Vec<Quarantined>) -> RunSummary {
        match &self.settings {
            Settings::WarehouseProShopiko(s) => wps::retry(s, &self.kind_name, ctx, entries).await,
            Settings::WarehouseProBaselinker(s) => wpb::retry(s, &self.kind_name, ctx, entries).await,
        }
    }

    /// The repairs of data an earlier obmen wrote wrong that this server's database needs: each
    /// with what it changes. With `apply`, they are made (each change logged); without, nothing
    /// is written.
    pub async fn repair(&self, ctx: &RunContext, apply: bool) -> Result<Vec<Repair>, RunError> {
        match &self.settings {
            Settings::WarehouseProShopiko(s) => wps::repair(s, ctx, apply).await,
            Settings::WarehouseProBaselinker(s) => wpb::repair(s, ctx, apply).await,
        }
    }

    /// The choices of a setting that the account holds (its property's `choices_from`, e.g.
    /// `order_statuses`), read through the server, each value with its label: a UI picks them
    /// by name, never types a number.
    pub async fn choices(&self, source: &str) -> Result<Vec<crate::config::view::Choice>, RunError> {
        match &self.settings {
            Settings::WarehouseProShopiko(s) => wps::choices(s, source).await,
            Settings::WarehouseProBaselinker(s) => wpb::choices(s, source).await,
        }
    }

    /// What the kind's shop can do beyond orders, goods and stock (its profile's
    /// `capabilities`, e.g. `customers`).
    pub fn capabilities(&self) -> &'static [String] {
        crate::config::profile::find(self.kind.profile_id()).map(|p| p.capabilities.as_slice()).unwrap_or(&[])
    }

    /// Drops an order from the quarantine: kept in the history, never imported. False when the
    /// server has no open entry with this id.
    pub async fn drop_quarantined(&self, ctx: &RunContext, id: i64) -> Result<bool, RunError> {
        Ok(ctx.state.drop_quarantine(&self.name, id).await?)
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{warehouse_pro, Details};

    /// A report is written tagged with its kind, reads back as what it was, and the untagged
    /// form of an obmen that had one kind reads as that kind's; a kind this obmen does not know
    /// is refused, never read as another's.
    #[test]
    fn a_report_is_tagged_by_kind_and_an_untagged_one_reads_as_shopikos() {
        let report = warehouse_pro::Report { import: Some(warehouse_pro::ImportReport { already_imported: 7, ..Default::default() }), ..Default::default() };
        let details = Details::WarehouseProShopiko(Box::new(report.clone()));
        let json = serde_json::to_value(&details).unwrap();
        assert_eq!(json["kind"], "warehouse_pro_shopiko");
        assert_eq!(json["import"]["already_imported"], 7, "the report's own fields stay where they were: {json}");
        assert_eq!(serde_json::from_value::<Details>(json).unwrap(), details);
        let none = serde_json::to_value(Details::None).unwrap();
        assert_eq!(none, serde_json::json!({ "kind": "none" }));
        assert_eq!(serde_json::from_value::<Details>(none).unwrap(), Details::None);
        // As an obmen before tagging wrote them.
        let untagged = serde_json::json!({ "nomenclature": null, "import": { "imported": [], "already_imported": 7, "acknowledged": 0, "ack_failures": [],
            "quarantined": [], "skipped": [], "goods_created": [], "partners_created": [], "planned": [], "notes": [] }, "export": null });
        assert_eq!(serde_json::from_value::<Details>(untagged).unwrap(), details);
        assert_eq!(serde_json::from_value::<Details>(serde_json::Value::Null).unwrap(), Details::None);
        let unknown = serde_json::json!({ "kind": "warehouse_pro_nobody", "import": null });
        let e = serde_json::from_value::<Details>(unknown).unwrap_err().to_string();
        assert!(e.contains("warehouse_pro_nobody"), "{e}");
    }

    /// The modules that belong to one kind or another: each kind's folder under `src/kinds/`
    /// (the Warehouse Pro core among them) and each shop's client.
    fn kind_modules(src: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(src.join("kinds"))
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.extend(["shopiko", "baselinker"].map(str::to_owned));
        names.sort();
        names
    }

    /// Where a line names one of `modules` as a path segment (`kinds::x`, `x::Y`, `crate::x`).
    fn names_a_module(line: &str, modules: &[String]) -> Option<String> {
        let code = line.split("//").next().unwrap_or("");
        let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
        modules.iter().find_map(|m| {
            code.match_indices(m.as_str()).find_map(|(at, _)| {
                let before = code.get(..at).unwrap_or("");
                let after = code.get(at + m.len()..).unwrap_or("");
                let whole = !before.ends_with(ident) && !after.starts_with(ident);
                (whole && (before.ends_with("::") || after.starts_with("::"))).then(|| m.clone())
            })
        })
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The engine, the daemon, the control API and the TUI know kinds only through the Kind API:
    /// none of their files names a kind's module or a shop's client.
    #[test]
    fn the_engine_daemon_control_and_tui_name_no_kinds_module() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let modules = kind_modules(&src);
        assert!(modules.iter().any(|m| m == "warehouse_pro") && modules.iter().any(|m| m == "warehouse_pro_shopiko"), "{modules:?}");
        // The check itself finds what it is for.
        assert_eq!(names_a_module("use crate::kinds::warehouse_pro_shopiko::Report;", &modules).as_deref(), Some("warehouse_pro_shopiko"));
        assert_eq!(names_a_module("let c = crate::shopiko::ShopikoClient::new(x);", &modules).as_deref(), Some("shopiko"));
        assert_eq!(names_a_module(r#"let kind = "WarehousePro Import Export Shopiko"; // shopiko::x"#, &modules), None);
        let mut files = Vec::new();
        for room in ["engine", "daemon", "control", "tui"] {
            rust_files(&src.join(room), &mut files);
        }
        assert!(files.len() >= 10, "{files:?}");
        let mut found = Vec::new();
        for file in files {
            for (n, line) in std::fs::read_to_string(&file).unwrap().lines().enumerate() {
                if let Some(m) = names_a_module(line, &modules) {
                    found.push(format!("{}:{}: names {m}", file.display(), n + 1));
                }
            }
        }
        assert!(found.is_empty(), "{found:#?}");
    }
}
