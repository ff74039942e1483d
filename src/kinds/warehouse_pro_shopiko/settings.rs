//! The typed settings of a "WarehousePro Import Export Shopiko" server: the server file's keys as
//! one serde struct per section, with enums for every choice and `deny_unknown_fields`, so that a
//! value the profile does not know fails to load instead of meaning something silently. Defaults
//! are the profile's (a test holds the two to the same keys and the same defaults). `PartialEq`
//! compares secrets by value without printing them, so a reload can tell which servers changed.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::schedule::{ClockTimes, Rule, Rules, StartMode, TimeWindow, Weekdays};
use crate::config::{ConfigError, ConfigErrors, ServerFile};
use crate::i18n::{current, Msg};
use crate::secret::Secret;
use crate::shopiko::{ClientConfig, RetryPolicy};
use crate::warehouse::{Dialect, OperType};

/// A whole server file of this kind.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The server's name (the file's name).
    pub name: String,
    /// The kind, as written.
    pub kind: String,
    /// How obmen talks to the shop.
    #[serde(default)]
    pub interface: Interface,
    /// Start with the daemon.
    #[serde(default)]
    pub autostart: bool,
    /// The Warehouse Pro database.
    pub database: Database,
    /// The exchange rules.
    #[serde(default)]
    pub rules: RuleSettings,
    /// The shop.
    pub shopiko: Shopiko,
}

/// How obmen talks to the shop: one choice today, as in Utility Center.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
pub enum Interface {
    /// Shopiko's HTTP API.
    #[default]
    #[serde(rename = "HTTP")]
    Http,
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

fn default_shop_timeout() -> u32 {
    30
}

/// `[shopiko]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Shopiko {
    /// The API's address.
    pub url: String,
    /// The API ID (sent with every request).
    pub api_id: String,
    /// How long one request may take.
    #[serde(default = "default_shop_timeout")]
    pub timeout_secs: u32,
    /// The key itself (never sent, serialised masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Secret>,
    /// A file holding the key on its first line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file: Option<String>,
    /// An environment variable holding the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_env: Option<String>,
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

/// A server of this kind, ready to check and run: its settings and its key, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// The settings, as the file holds them.
    pub settings: Settings,
    /// The Shopiko key, from `key`, `key_file` or `key_env`.
    pub key: Secret,
    /// The server's file, for errors that name a field of it.
    pub path: std::path::PathBuf,
}

impl Server {
    /// Reads a server file that passed the profile's validation. Fails where the file does not
    /// fit the typed settings, or the key cannot be had (its file cannot be read, its variable is
    /// not set): each error names the file and the field.
    pub fn from_file(file: &ServerFile) -> Result<Server, ConfigErrors> {
        let mut settings = Settings::deserialize(toml::Value::Table(file.table.clone()))
            .map_err(|e| ConfigError::file(&file.path, format!("does not fit the settings of its kind: {}", e.message())))?;
        if let Some(connection) = absolute_database(&file.path, settings.database.dialect, settings.database.connection.expose()) {
            settings.database.connection = Secret::new(connection);
        }
        let key = resolve_key(&file.path, &settings.shopiko)?;
        Ok(Server { settings, key, path: file.path.clone() })
    }

    /// Where and how to reach the shop.
    pub fn client_config(&self) -> ClientConfig {
        ClientConfig {
            url: self.settings.shopiko.url.clone(),
            api_id: self.settings.shopiko.api_id.clone(),
            key: self.key.clone(),
            retry: {
                // A call's budget leaves room for two requests that take all their time.
                let timeout = std::time::Duration::from_secs(u64::from(self.settings.shopiko.timeout_secs));
                let d = RetryPolicy::default();
                RetryPolicy { request_timeout: timeout, budget: d.budget.max(timeout * 2), ..d }
            },
        }
    }
}

/// True for the attribute of a connection that names its database file: `Database=` or `DBQ=`
/// of a SQLite or Access connection (the others name a database on a server).
pub(super) fn names_database_file(dialect: Dialect, key: &str) -> bool {
    matches!(dialect, Dialect::Sqlite | Dialect::Access) && (key.eq_ignore_ascii_case("database") || key.eq_ignore_ascii_case("dbq"))
}

/// A SQLite or Access connection whose database file (`Database=`, `DBQ=`) is written relative,
/// with that path made absolute from the home ([`crate::config::relative_to`]): the driver would
/// take it from wherever obmen was started. `None` when there is nothing to change.
fn absolute_database(server_file: &Path, dialect: Dialect, connection: &str) -> Option<String> {
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

/// The Shopiko key from `shopiko.key`, `shopiko.key_file` (its first line) or `shopiko.key_env`.
/// A key file others may read is refused, as ssh refuses such a private key; so is a key that
/// is empty or holds what no key holds (control characters, bytes that are not text).
fn resolve_key(path: &Path, shop: &Shopiko) -> Result<Secret, ConfigErrors> {
    let (field, key) = if let Some(key) = &shop.key {
        ("shopiko.key", key.expose().to_owned())
    } else if let Some(file) = &shop.key_file {
        ("shopiko.key_file", read_key_file(path, file)?)
    } else {
        let var = shop.key_env.clone().unwrap_or_default();
        match std::env::var_os(&var) {
            Some(v) if !v.is_empty() => match v.into_string() {
                Ok(v) => ("shopiko.key_env", v.trim().to_owned()),
                Err(_) => return Err(ConfigError::field(path, "shopiko.key_env", Msg::KeyEnvNotText.with(current(), &[("var", &var)])).into()),
            },
            _ => return Err(ConfigError::field(path, "shopiko.key_env", Msg::KeyEnvUnset.with(current(), &[("var", &var)])).into()),
        }
    };
    if key.trim().is_empty() {
        return Err(ConfigError::field(path, field, "the key is empty").into());
    }
    if key.chars().any(char::is_control) {
        return Err(ConfigError::field(path, field, "the key holds control characters: paste the key exactly as the shop's add-on shows it").into());
    }
    Ok(Secret::new(key))
}

/// The first line of a key file, refusing one that group or others may read.
fn read_key_file(path: &Path, file: &str) -> Result<String, ConfigErrors> {
    let full = crate::config::relative_to(path, file);
    let err = |m: String| -> ConfigErrors { ConfigError::field(path, "shopiko.key_file", m).into() };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(&full) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(err(Msg::KeyFileOpen.with(current(), &[("file", &full.display()), ("mode", &format!("{mode:03o}"))])));
            }
        }
    }
    let bytes = std::fs::read(&full).map_err(|e| err(Msg::KeyFileUnreadable.with(current(), &[("file", &full.display()), ("error", &e)])))?;
    let text = String::from_utf8(bytes).map_err(|_| err(Msg::KeyFileNotText.with(current(), &[("file", &full.display())])))?;
    let key = text.lines().next().unwrap_or("").trim().to_owned();
    if key.is_empty() {
        return Err(err(Msg::KeyFileEmpty.with(current(), &[("file", &full.display())])));
    }
    Ok(key)
}

/// The checks of this kind that the profile cannot express: the dialect agrees with the driver
/// the connection names; the API ID can be sent in a header; the key can be had (its file read,
/// and mode 0600; its variable set).
pub fn validate(path: &Path, table: &toml::Table) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let get = |section: &str, key: &str| table.get(section).and_then(|s| s.get(key)).and_then(|v| v.as_str());
    if let Some(id) = get("shopiko", "api_id") {
        if !id.is_empty() && !id.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            errors.push(ConfigError::field(path, "shopiko.api_id", Msg::ApiIdNotHeader.get(current())));
        }
    }
    // The key, where exactly one way to it is set and its file (if any) exists: the profile
    // reports the rest.
    let ways = ["key", "key_file", "key_env"].iter().filter(|k| get("shopiko", k).is_some()).count();
    let file_missing = get("shopiko", "key_file").is_some_and(|f| !crate::config::relative_to(path, f).is_file());
    let key_empty = get("shopiko", "key").is_some_and(|k| k.trim().is_empty());
    if ways == 1 && !file_missing && !key_empty {
        let shop = Shopiko {
            url: String::new(),
            api_id: String::new(),
            timeout_secs: default_shop_timeout(),
            key: get("shopiko", "key").map(Secret::new),
            key_file: get("shopiko", "key_file").map(str::to_owned),
            key_env: get("shopiko", "key_env").map(str::to_owned),
        };
        if let Err(e) = resolve_key(path, &shop) {
            errors.extend(e.0);
        }
    }
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
                    format!("is {dialect}, but the connection names a {guessed} driver: make them agree"),
                ));
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::profile;

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

    fn minimal() -> Settings {
        let text = r#"
            name = "S"
            kind = "WarehousePro Import Export Shopiko"
            [database]
            dialect = "sqlite"
            connection = "Driver=SQLite3;Database=wh.db;"
            [shopiko]
            url = "http://127.0.0.1:1"
            api_id = "1"
        "#;
        toml::from_str(text).unwrap()
    }

    /// The profile and the struct list the same keys, and the struct's defaults are the
    /// profile's: a key added to one and not the other fails here.
    #[test]
    fn the_profile_and_the_settings_have_the_same_keys_and_defaults() {
        let profile = profile::find("WarehousePro Import Export Shopiko").unwrap();
        let mut every = minimal();
        every.shopiko.key = Some(Secret::new("k"));
        every.shopiko.key_file = Some("k.txt".into());
        every.shopiko.key_env = Some("K".into());
        let mut found = Vec::new();
        leaves(&toml::Value::try_from(&every).unwrap(), "", &mut found);
        let mut struct_keys: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
        let mut profile_keys: Vec<&str> = profile.properties.iter().map(|p| p.key.as_str()).collect();
        struct_keys.sort_unstable();
        profile_keys.sort_unstable();
        assert_eq!(struct_keys, profile_keys);
        for prop in &profile.properties {
            if let Some(default) = &prop.default {
                let (_, value) = found.iter().find(|(k, _)| *k == prop.key).unwrap();
                assert_eq!(value, default, "the default of {}", prop.key);
            }
        }
    }

    #[test]
    fn the_shops_request_timeout_is_the_servers_and_a_call_has_room_for_two() {
        let mut settings = minimal();
        assert_eq!(settings.shopiko.timeout_secs, 30);
        settings.shopiko.timeout_secs = 7;
        let server = Server { settings: settings.clone(), key: Secret::new("k"), path: "S.toml".into() };
        let retry = server.client_config().retry;
        assert_eq!(retry.request_timeout, std::time::Duration::from_secs(7));
        assert_eq!(retry.budget, RetryPolicy::default().budget, "the usual budget holds two short requests");
        settings.shopiko.timeout_secs = 120;
        let retry = Server { settings, key: Secret::new("k"), path: "S.toml".into() }.client_config().retry;
        assert_eq!(retry.budget, std::time::Duration::from_secs(240));
    }

    #[test]
    fn a_value_outside_the_choices_fails_to_load() {
        let bad = r#"
            name = "S"
            kind = "WarehousePro Import Export Shopiko"
            [database]
            dialect = "sqlite"
            connection = "Driver=SQLite3;"
            [rules]
            import = "sometimes"
            [shopiko]
            url = "http://127.0.0.1:1"
            api_id = "1"
        "#;
        let e = toml::from_str::<Settings>(bad).unwrap_err().to_string();
        assert!(e.contains("sometimes"), "{e}");
        assert!(toml::from_str::<Settings>(&bad.replace("import = \"sometimes\"", "imprt = \"never\"")).is_err());
    }

    #[test]
    fn settings_compare_by_value_and_give_rules() {
        let a = minimal();
        let mut b = minimal();
        assert_eq!(a, b);
        b.database.connection = Secret::new("Driver=SQLite3;Database=other.db;");
        assert_ne!(a, b, "a changed connection is a change");
        let mut c = minimal();
        c.rules.import = ModeName::Periodic;
        c.rules.import_every_min = 5;
        assert_eq!(c.rules.rules().import.mode, StartMode::Periodic(5));
        assert_eq!(c.rules.rules().export.mode, StartMode::Never);
    }
}
