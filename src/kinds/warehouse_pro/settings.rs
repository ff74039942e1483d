//! The settings every "WarehousePro Import Export X" kind shares: `[database]` and the common
//! `[rules]`, with enums for every choice and `deny_unknown_fields`, and [`Base`], the part of a
//! server the Warehouse Pro core reads. A kind's own settings struct holds these sections beside
//! its shop's; the profiles' shared fragment (`profiles/warehouse_pro.toml`) describes them.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::schedule::{ClockTimes, Rule, Rules, StartMode, TimeWindow, Weekdays};
use crate::config::ConfigError;
use crate::i18n::{current, Msg};
use crate::secret::Secret;
use crate::warehouse::{Dialect, OperType};

/// How obmen talks to the shop: one choice today, as in Utility Center.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
pub enum Interface {
    /// Shopiko's HTTP API.
    #[default]
    #[serde(rename = "HTTP")]
    Http,
}

/// The Warehouse Pro side of a server, as the core reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Base {
    /// The server's name.
    pub name: String,
    /// The server's file, for errors that name a field of it.
    pub path: PathBuf,
    /// `[database]`.
    pub database: Database,
    /// `[rules]`.
    pub rules: RuleSettings,
}

impl Base {
    /// The database timeouts.
    pub fn timeouts(&self) -> crate::warehouse::Timeouts {
        crate::warehouse::Timeouts { login_secs: self.database.login_timeout_secs, query_secs: self.database.query_timeout_secs }
    }
}

/// `[database]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// The back end.
    pub dialect: Dialect,
    /// The ODBC connection string (it holds the password: serialised masked).
    pub connection: Secret,
    /// How long connecting may take.
    #[serde(default = "default_login_timeout")]
    pub login_timeout_secs: u32,
    /// How long one statement may wait.
    #[serde(default = "default_query_timeout")]
    pub query_timeout_secs: u32,
}

fn default_login_timeout() -> u32 {
    15
}
fn default_query_timeout() -> u32 {
    300
}

/// A start mode's name, as written (`rules.import`, `rules.export`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModeName {
    /// Never.
    #[default]
    Never,
    /// Once when the server starts.
    OnStart,
    /// Once, some minutes after the server starts.
    Delayed,
    /// Every some minutes.
    Periodic,
    /// Every some minutes on the clock (every 120: 00:00, 02:00 ...).
    Aligned,
    /// At times of day.
    At,
}

/// What shop orders become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A sale (2): stock moves, payments are written.
    #[default]
    Sale,
    /// A sales order (19): stock is reserved.
    SalesOrder,
}

/// What joins a shop product to a Warehouse Pro good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GoodsKey {
    /// The product's SKU is the good's code.
    #[default]
    Code,
    /// A barcode of the product is one of the good's.
    Barcode,
    /// The names are the same.
    Name,
}

impl GoodsKey {
    /// The key's name, as in `rules.goods_compare_by`.
    pub fn as_str(self) -> &'static str {
        match self {
            GoodsKey::Code => "code",
            GoodsKey::Barcode => "barcode",
            GoodsKey::Name => "name",
        }
    }
}

/// What joins a shop customer to a Warehouse Pro partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnersKey {
    /// The e-mail, without case.
    #[default]
    Email,
    /// The VAT number.
    VatNumber,
}

/// The role partners made from shop customers get (partners.Type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerRole {
    /// Clients (Type 2).
    #[default]
    Client,
    /// Universal partners, clients and suppliers both (Type 0).
    Universal,
}

impl CustomerRole {
    /// The Warehouse Pro role.
    pub fn role(self) -> crate::warehouse::PartnerRole {
        match self {
            CustomerRole::Client => crate::warehouse::PartnerRole::Client,
            CustomerRole::Universal => crate::warehouse::PartnerRole::Universal,
        }
    }
}

/// `[rules]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuleSettings {
    /// When orders are imported.
    pub import: ModeName,
    /// With `import = delayed`: minutes after the server starts.
    pub import_delay_min: u32,
    /// With `import = periodic` or `aligned`: minutes between two starts.
    pub import_every_min: u32,
    /// With `import = at`: the times of day.
    pub import_at: ClockTimes,
    /// When goods, partners and quantities are exported.
    pub export: ModeName,
    /// With `export = delayed`.
    pub export_delay_min: u32,
    /// With `export = periodic` or `aligned`.
    pub export_every_min: u32,
    /// With `export = at`.
    pub export_at: ClockTimes,
    /// The target object, by name or code.
    pub object: String,
    /// Send partners to the shop.
    pub export_partners: bool,
    /// Send goods to the shop.
    pub export_goods: bool,
    /// Bring the shop's goods and customers into Warehouse Pro.
    pub sync_nomenclature: bool,
    /// What shop orders become.
    pub document: DocumentKind,
    /// Import sales even below zero stock.
    pub allow_negative_stock: bool,
    /// The largest amount an order may carry before it is questioned (set aside).
    pub max_amount: u32,
    /// The largest quantity a line may carry before it is questioned.
    pub max_quantity: u32,
    /// The partner guests' orders go to, by code or name.
    pub guest_partner: String,
    /// The role of the partners made from shop customers.
    pub partner_role: CustomerRole,
    /// How shop products are joined to goods.
    pub goods_compare_by: GoodsKey,
    /// How shop customers are joined to partners.
    pub partners_compare_by: PartnersKey,
    /// Runs start only inside this window.
    pub hours: TimeWindow,
    /// And only on these days.
    pub weekdays: Weekdays,
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings {
            import: ModeName::OnStart,
            import_delay_min: 0,
            import_every_min: 15,
            import_at: ClockTimes::NONE,
            export: ModeName::Never,
            export_delay_min: 0,
            export_every_min: 60,
            export_at: ClockTimes::NONE,
            object: String::new(),
            export_partners: false,
            export_goods: false,
            sync_nomenclature: true,
            document: DocumentKind::Sale,
            allow_negative_stock: false,
            max_amount: 1_000_000,
            max_quantity: 100_000,
            guest_partner: "Клиент от Shopiko".into(),
            partner_role: CustomerRole::Client,
            goods_compare_by: GoodsKey::Code,
            partners_compare_by: PartnersKey::Email,
            hours: TimeWindow::ALL_DAY,
            weekdays: Weekdays::ALL,
        }
    }
}

impl RuleSettings {
    fn mode(name: ModeName, delay: u32, every: u32, at: ClockTimes) -> StartMode {
        match name {
            ModeName::Never => StartMode::Never,
            ModeName::OnStart => StartMode::OnStart,
            ModeName::Delayed => StartMode::Delayed(delay),
            ModeName::Periodic => StartMode::Periodic(every),
            ModeName::Aligned => StartMode::Aligned(every),
            ModeName::At => StartMode::At(at),
        }
    }

    /// The kind-neutral rules an engine schedules by.
    pub fn rules(&self) -> Rules {
        let rule = |mode| Rule { mode, hours: self.hours, weekdays: self.weekdays };
        Rules {
            import: rule(Self::mode(self.import, self.import_delay_min, self.import_every_min, self.import_at)),
            export: rule(Self::mode(self.export, self.export_delay_min, self.export_every_min, self.export_at)),
        }
    }

    /// The operation type shop orders become.
    pub fn oper_type(&self) -> OperType {
        match self.document {
            DocumentKind::Sale => OperType::SALE,
            DocumentKind::SalesOrder => OperType::SALES_ORDER,
        }
    }
}

/// True for the attribute of a connection that names its database file: `Database=` or `DBQ=`
/// of a SQLite or Access connection (the others name a database on a server).
pub(crate) fn names_database_file(dialect: Dialect, key: &str) -> bool {
    matches!(dialect, Dialect::Sqlite | Dialect::Access) && (key.eq_ignore_ascii_case("database") || key.eq_ignore_ascii_case("dbq"))
}

/// A SQLite or Access connection whose database file (`Database=`, `DBQ=`) is written relative,
/// with that path made absolute from the home ([`crate::config::relative_to`]): the driver would
/// take it from wherever obmen was started. `None` when there is nothing to change.
pub(crate) fn absolute_database(server_file: &Path, dialect: Dialect, connection: &str) -> Option<String> {
    let mut pairs = crate::config::validate::parse_connection(connection).ok()?;
    let mut changed = false;
    for (key, value) in pairs.iter_mut() {
        if names_database_file(dialect, key) && Path::new(value.as_str()).is_relative() && !value.is_empty() {
            *value = crate::config::relative_to(server_file, value).display().to_string();
            changed = true;
        }
    }
    changed.then(|| {
        pairs
            .iter()
            .map(|(k, v)| if v.contains([';', '{', '}']) || v.trim() != v { format!("{k}={{{}}};", v.replace('}', "}}")) } else { format!("{k}={v};") })
            .collect()
    })
}

/// The checks of the shared sections that the profile cannot express: a job started at clock
/// times has at least one; the dialect agrees with the driver the connection names.
pub fn validate(path: &Path, table: &toml::Table) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let get = |section: &str, key: &str| table.get(section).and_then(|s| s.get(key)).and_then(|v| v.as_str());
    // A job started at clock times needs at least one.
    for job in ["import", "export"] {
        if get("rules", job) == Some("at") {
            let key = format!("{job}_at");
            if get("rules", &key).is_none_or(|t| t.parse::<ClockTimes>().is_ok_and(|t| t.is_empty())) {
                let field = format!("rules.{key}");
                errors.push(ConfigError::field(path, format!("rules.{job}"), Msg::NoClockTimes.with(current(), &[("key", &field)])));
            }
        }
    }
    if let (Some(dialect), Some(conn)) = (get("database", "dialect").and_then(|d| d.parse::<Dialect>().ok()), get("database", "connection")) {
        if let Some(guessed) = Dialect::guess(conn) {
            if guessed != dialect {
                errors.push(ConfigError::field(
                    path,
                    "database.dialect",
                    Msg::DialectDisagrees.with(current(), &[("dialect", &dialect), ("guessed", &guessed)]),
                ));
            }
        }
    }
    errors
}

/// What each kind's settings test asks: the profile of `kind` and the typed settings (`every`:
/// settings with every optional key set, serialised) list the same keys, but for `not_in_profile`
/// (keys of the core's struct that the kind's profile leaves out), and the struct's defaults are
/// the profile's, but for `own_default` (a shared default the kind words its own way in its
/// profile, filled in from the profile when the file is read).
#[cfg(test)]
pub(crate) fn assert_settings_match_profile(kind: &str, every: &toml::Value, not_in_profile: &[&str], own_default: &[&str]) {
    fn leaves(value: &toml::Value, prefix: &str, out: &mut Vec<(String, toml::Value)>) {
        if let toml::Value::Table(t) = value {
            for (k, v) in t {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                match v {
                    toml::Value::Table(_) => leaves(v, &key, out),
                    _ => out.push((key, v.clone())),
                }
            }
        }
    }
    let profile = crate::config::profile::find(kind).unwrap();
    let mut found = Vec::new();
    leaves(every, "", &mut found);
    let mut struct_keys: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).filter(|k| !not_in_profile.contains(k)).collect();
    let mut profile_keys: Vec<&str> = profile.properties.iter().map(|p| p.key.as_str()).collect();
    struct_keys.sort_unstable();
    profile_keys.sort_unstable();
    assert_eq!(struct_keys, profile_keys);
    for prop in profile.properties.iter().filter(|p| !own_default.contains(&p.key.as_str())) {
        if let Some(default) = &prop.default {
            let (_, value) = found.iter().find(|(k, _)| *k == prop.key).unwrap();
            assert_eq!(value, default, "the default of {}", prop.key);
        }
    }
}
