//! The typed settings of a "WarehousePro Import Export Shopiko" server: the server file's keys as
//! one serde struct per section (`[database]` and `[rules]` are the Warehouse Pro core's, see
//! [`crate::kinds::warehouse_pro::settings`]; `[shopiko]` is this kind's), with enums for every
//! choice and `deny_unknown_fields`, so that a value the profile does not know fails to load
//! instead of meaning something silently. Defaults
//! are the profile's (a test holds the two to the same keys and the same defaults). `PartialEq`
//! compares secrets by value without printing them, so a reload can tell which servers changed.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::secrets::{Noun, SecretFields};
use crate::config::{ConfigError, ConfigErrors, ServerFile};
use crate::i18n::{current, Msg};
use crate::kinds::warehouse_pro::settings::{absolute_database, Base};
pub use crate::kinds::warehouse_pro::settings::{Database, Interface, RuleSettings};
use crate::secret::Secret;
use crate::shopiko::{ClientConfig, RetryPolicy};

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

fn default_shop_timeout() -> u32 {
    30
}

fn default_currency() -> String {
    "EUR".into()
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
    /// The currency of the shop's prices (ISO code): prices leave converted to it.
    #[serde(default = "default_currency")]
    pub currency: String,
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
        let mut settings = Settings::deserialize(toml::Value::Table(file.table_with_defaults()))
            .map_err(|e| ConfigError::file(&file.path, format!("does not fit the settings of its kind: {}", e.message())))?;
        if let Some(connection) = absolute_database(&file.path, settings.database.dialect, settings.database.connection.expose()) {
            settings.database.connection = Secret::new(connection);
        }
        let key = crate::config::secrets::resolve(&file.path, settings.shopiko.key_fields())?;
        Ok(Server { settings, key, path: file.path.clone() })
    }

    /// The Warehouse Pro side of the server, as the core reads it.
    pub fn base(&self) -> Base {
        let s = &self.settings;
        Base { name: s.name.clone(), path: self.path.clone(), database: s.database.clone(), rules: s.rules.clone() }
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

impl Shopiko {
    /// Where the key is set.
    fn key_fields(&self) -> SecretFields<'_> {
        SecretFields { noun: Noun::Key, key: "shopiko.key", value: self.key.as_ref(), file: self.key_file.as_deref(), env: self.key_env.as_deref() }
    }
}

/// The checks of this kind that the profile cannot express: the dialect agrees with the driver
/// the connection names; the API ID can be sent in a header; the key can be had (its file read,
/// and mode 0600; its variable set).
pub fn validate(path: &Path, table: &toml::Table) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let get = |section: &str, key: &str| table.get(section).and_then(|s| s.get(key)).and_then(|v| v.as_str());
    if let Some(code) = get("shopiko", "currency") {
        if !(code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())) {
            errors.push(ConfigError::field(path, "shopiko.currency", Msg::CurrencyCodeSetting.with(current(), &[("code", &code)])));
        }
    }
    if let Some(id) = get("shopiko", "api_id") {
        if !id.is_empty() && !id.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            errors.push(ConfigError::field(path, "shopiko.api_id", Msg::ApiIdNotHeader.get(current())));
        }
    }
    errors.extend(crate::config::secrets::validate(path, table, "shopiko.key", Noun::Key));
    errors.extend(crate::kinds::warehouse_pro::settings::validate(path, table));
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::profile;
    use crate::config::schedule::StartMode;
    use crate::kinds::warehouse_pro::settings::ModeName;

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
        let mut every = minimal();
        every.shopiko.key = Some(Secret::new("k"));
        every.shopiko.key_file = Some("k.txt".into());
        every.shopiko.key_env = Some("K".into());
        crate::kinds::warehouse_pro::settings::assert_settings_match_profile(
            "WarehousePro Import Export Shopiko",
            &toml::Value::try_from(&every).unwrap(),
            &[],
            &[],
        );
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

    /// What the shop says it can do is what the kind's profile says: the profile shows the
    /// settings the shop can act on, and no others.
    #[test]
    fn the_shops_capabilities_are_the_profiles() {
        use crate::kinds::warehouse_pro::shop::Shop;
        let profile = profile::find("WarehousePro Import Export Shopiko").unwrap();
        let server = Server { settings: minimal(), key: Secret::new("k"), path: "S.toml".into() };
        let shop = super::super::ShopikoShop::open(&server, None).unwrap();
        assert_eq!(shop.capabilities().customers, profile.capabilities.iter().any(|c| c == "customers"));
        assert!(profile.property("rules.export_partners").is_some(), "a shop that takes customers is offered partners' export");
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
