//! The typed settings of a "WarehousePro Import Export BaseLinker" server: `[database]` and the
//! common `[rules]` are the Warehouse Pro core's; `[baselinker]` and the four rules of the
//! account (`rules.import_statuses`, `rules.status_after_import`, `rules.status_on_error`,
//! `rules.document_field`) are this kind's. The account's catalogue, warehouse, price group,
//! statuses and field are written by name or id; [`super::resolve`] finds their ids in the
//! account's own lists before a run. Defaults are the profile's (the file's table is filled with
//! them before it is read, see [`ServerFile::table_with_defaults`]).

use serde::{Deserialize, Serialize};

use crate::baselinker::client::{ClientConfig, DEFAULT_URL, REQUESTS_PER_MINUTE};
use crate::config::secrets::{Noun, SecretFields};
use crate::config::{ConfigError, ConfigErrors, ServerFile};
use crate::kinds::warehouse_pro::settings::{absolute_database, Base};
pub use crate::kinds::warehouse_pro::settings::{Database, Interface, RuleSettings};
use crate::secret::Secret;

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
    /// The exchange rules: the core's, and the account's own.
    #[serde(default)]
    pub rules: Rules,
    /// The BaseLinker account.
    pub baselinker: BaseLinker,
}

/// `[rules]`: the common rules of the core, and this kind's rules of the account, in one table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rules {
    /// The rules every Warehouse Pro kind has.
    pub common: RuleSettings,
    /// The rules of the account's orders.
    pub account: AccountRules,
}

/// The rules of the account's orders, each a name (or id) from the account's own lists.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountRules {
    /// The statuses whose orders are imported, by name or id, separated by commas; empty: every
    /// confirmed order.
    pub import_statuses: String,
    /// The status an order moves to once booked; empty: it stays where it is.
    pub status_after_import: String,
    /// The status an order moves to when set aside; empty: it stays where it is.
    pub status_on_error: String,
    /// The extra field that receives the document number; empty: none.
    pub document_field: String,
}

impl AccountRules {
    /// The keys of `[rules]` that are this kind's.
    pub const KEYS: [&'static str; 4] = ["import_statuses", "status_after_import", "status_on_error", "document_field"];

    /// The statuses to import, as written (names or ids), none for every confirmed order.
    pub fn import_statuses(&self) -> Vec<&str> {
        self.import_statuses.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()
    }
}

impl<'de> Deserialize<'de> for Rules {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Rules, D::Error> {
        use serde::de::Error;
        let mut common = toml::Table::deserialize(d)?;
        let mut own = toml::Table::new();
        for key in AccountRules::KEYS {
            if let Some(v) = common.remove(key) {
                own.insert(key.to_owned(), v);
            }
        }
        let common = RuleSettings::deserialize(toml::Value::Table(common)).map_err(D::Error::custom)?;
        let account = AccountRules::deserialize(toml::Value::Table(own)).map_err(D::Error::custom)?;
        Ok(Rules { common, account })
    }
}

impl Serialize for Rules {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let mut table = toml::Table::try_from(&self.common).map_err(S::Error::custom)?;
        table.extend(toml::Table::try_from(&self.account).map_err(S::Error::custom)?);
        table.serialize(s)
    }
}

fn default_url() -> String {
    DEFAULT_URL.to_owned()
}

fn default_requests_per_minute() -> u32 {
    REQUESTS_PER_MINUTE
}

/// `[baselinker]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BaseLinker {
    /// The API's address.
    #[serde(default = "default_url")]
    pub url: String,
    /// The token itself (never sent anywhere but BaseLinker, serialised masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    /// A file holding the token on its first line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_file: Option<String>,
    /// An environment variable holding the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_env: Option<String>,
    /// The requests a minute this token may use, over every server of the daemon that uses it.
    #[serde(default = "default_requests_per_minute")]
    pub requests_per_minute: u32,
    /// The catalogue goods go to, by name or id; empty: the account's default catalogue.
    #[serde(default)]
    pub inventory: String,
    /// The catalogue's warehouse stock goes to, by name or id (`bl_401`); empty: the catalogue's default.
    #[serde(default)]
    pub warehouse: String,
    /// The price group prices go to, by name or id; empty: the catalogue's default.
    #[serde(default)]
    pub price_group: String,
}

impl BaseLinker {
    /// Where the token is set.
    pub fn token_fields(&self) -> SecretFields<'_> {
        SecretFields {
            noun: Noun::Token,
            key: "baselinker.token",
            value: self.token.as_ref(),
            file: self.token_file.as_deref(),
            env: self.token_env.as_deref(),
        }
    }
}

/// A server of this kind, ready to check and run: its settings and its token, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// The settings, as the file holds them.
    pub settings: Settings,
    /// The token, from `token`, `token_file` or `token_env`.
    pub token: Secret,
    /// The server's file, for errors that name a field of it.
    pub path: std::path::PathBuf,
}

/// How long one request to BaseLinker may take.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// How long one call of a run may keep trying: past a token blocked for some minutes.
const RUN_BUDGET: std::time::Duration = std::time::Duration::from_secs(15 * 60);

impl Server {
    /// Reads a server file that passed the profile's validation; fails where the file does not
    /// fit the settings or the token cannot be had, each error naming the file and field.
    pub fn from_file(file: &ServerFile) -> Result<Server, ConfigErrors> {
        let mut settings = Settings::deserialize(toml::Value::Table(file.table_with_defaults()))
            .map_err(|e| ConfigError::file(&file.path, format!("does not fit the settings of its kind: {}", e.message())))?;
        if let Some(connection) = absolute_database(&file.path, settings.database.dialect, settings.database.connection.expose()) {
            settings.database.connection = Secret::new(connection);
        }
        let token = crate::config::secrets::resolve(&file.path, settings.baselinker.token_fields())?;
        Ok(Server { settings, token, path: file.path.clone() })
    }

    /// The Warehouse Pro side of the server, as the core reads it.
    pub fn base(&self) -> Base {
        let s = &self.settings;
        Base { name: s.name.clone(), path: self.path.clone(), database: s.database.clone(), rules: s.rules.common.clone() }
    }

    /// Where and how to reach BaseLinker for a run.
    pub fn client_config(&self) -> ClientConfig {
        ClientConfig { url: self.settings.baselinker.url.clone(), token: self.token.clone(), request_timeout: REQUEST_TIMEOUT, budget: RUN_BUDGET }
    }

    /// The same, trying briefly: for the checks and the lists a UI reads.
    pub fn quick_client_config(&self) -> ClientConfig {
        let quick = std::time::Duration::from_secs(10);
        ClientConfig { request_timeout: quick, budget: quick, ..self.client_config() }
    }
}

/// The checks of this kind that the profile cannot express: the token can be had (its file
/// read, and mode 0600; its variable set), and the core's.
pub fn validate(path: &std::path::Path, table: &toml::Table) -> Vec<ConfigError> {
    let mut errors = crate::config::secrets::validate(path, table, "baselinker.token", Noun::Token);
    errors.extend(crate::kinds::warehouse_pro::settings::validate(path, table));
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> Settings {
        let text = r#"
            name = "B"
            kind = "WarehousePro Import Export BaseLinker"
            [database]
            dialect = "sqlite"
            connection = "Driver=SQLite3;Database=wh.db;"
            [baselinker]
            token = "t"
        "#;
        toml::from_str(text).unwrap()
    }

    /// The profile and the struct list the same keys, and the struct's defaults are the
    /// profile's where the core's rules do not word them for Shopiko.
    #[test]
    fn the_profile_and_the_settings_have_the_same_keys_and_defaults() {
        let mut every = minimal();
        every.baselinker.token_file = Some("t.txt".into());
        every.baselinker.token_env = Some("T".into());
        // The partners' settings need a shop that lists customers: not this one.
        crate::kinds::warehouse_pro::settings::assert_settings_match_profile(
            "WarehousePro Import Export BaseLinker",
            &toml::Value::try_from(&every).unwrap(),
            &["rules.export_partners", "rules.partners_compare_by"],
            &["rules.guest_partner"],
        );
    }

    /// The account's rules sit in `[rules]` beside the core's; a key neither knows fails to load.
    #[test]
    fn the_accounts_rules_sit_beside_the_cores_and_unknown_keys_fail() {
        let text = r#"
            name = "B"
            kind = "WarehousePro Import Export BaseLinker"
            [database]
            dialect = "sqlite"
            connection = "Driver=SQLite3;"
            [rules]
            object = "Магазин"
            import_statuses = "Nowe zamówienia, 1004"
            status_after_import = "Wprowadzono do magazynu"
            [baselinker]
            token_env = "T"
        "#;
        let s: Settings = toml::from_str(text).unwrap();
        assert_eq!(s.rules.common.object, "Магазин");
        assert_eq!(s.rules.account.import_statuses(), ["Nowe zamówienia", "1004"]);
        assert_eq!(s.rules.account.status_after_import, "Wprowadzono do magazynu");
        assert_eq!(s.baselinker.url, DEFAULT_URL);
        assert_eq!(s.baselinker.requests_per_minute, 100);
        let e = toml::from_str::<Settings>(&text.replace("import_statuses", "import_statusez")).unwrap_err().to_string();
        assert!(e.contains("import_statusez"), "{e}");
        // Written back, the two sets of rules are one table again.
        let back: Settings = toml::from_str(&toml::to_string(&s).unwrap()).unwrap();
        assert_eq!((back.rules, back.baselinker), (s.rules, s.baselinker));
    }
}
