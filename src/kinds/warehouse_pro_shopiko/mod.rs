//! The server kind "WarehousePro Import Export Shopiko": a Warehouse Pro database on one side, a
//! Shopiko shop on the other. This module turns a validated server file into typed settings and
//! runs the kind's connection tests.

pub mod export;
pub mod import;
pub mod nomenclature;
pub mod run;

use std::path::Path;

use crate::config::schedule::{TimeWindow, Weekdays};
use crate::config::{ConfigError, ConfigErrors, ServerFile};
use crate::secret::Secret;
use crate::shopiko::{ClientConfig, RetryPolicy, ShopikoClient, ShopikoError};
use crate::warehouse::{Dialect, OperType, Warehouse};

use super::Check;

/// When an exchange rule starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartMode {
    /// Never.
    Never,
    /// Once, when the server starts.
    OnStart,
    /// Once, this many minutes after the server starts.
    Delayed(u32),
    /// Every this many minutes.
    Periodic(u32),
}

/// What joins a shop product to a Warehouse Pro good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoodsKey {
    /// The product's SKU is the good's code.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnersKey {
    /// The e-mail, without case.
    Email,
    /// The VAT number.
    VatNumber,
}

/// A server's settings, typed.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The server's name.
    pub name: String,
    /// The Warehouse Pro back end.
    pub dialect: Dialect,
    /// The ODBC connection string (holds the password: never print it unmasked).
    pub connection: Secret,
    /// When orders are imported.
    pub import: StartMode,
    /// When goods, partners and quantities are exported.
    pub export: StartMode,
    /// The target object, by name or code.
    pub object: String,
    /// Send partners to the shop.
    pub export_partners: bool,
    /// Send goods to the shop.
    pub export_goods: bool,
    /// Bring the shop's goods and customers into Warehouse Pro.
    pub sync_nomenclature: bool,
    /// What shop orders become.
    pub document: OperType,
    /// Import sales even below zero stock.
    pub allow_negative_stock: bool,
    /// The partner guests' orders go to, by code or name.
    pub guest_partner: String,
    /// How shop products are joined to goods.
    pub goods_compare_by: GoodsKey,
    /// How shop customers are joined to partners.
    pub partners_compare_by: PartnersKey,
    /// Runs start only inside this window.
    pub hours: TimeWindow,
    /// And only on these days.
    pub weekdays: Weekdays,
    /// Where the shop is and how to sign for it.
    pub shop: ClientConfig,
}

impl Settings {
    /// Reads a validated server file. Fails only where the key cannot be had (its file cannot be
    /// read, its environment variable is not set): each error names the field.
    pub fn from_server(server: &ServerFile) -> Result<Settings, ConfigErrors> {
        let path = &server.path;
        let mode = |key: &str| match server.str(key).as_str() {
            "on_start" => StartMode::OnStart,
            "delayed" => StartMode::Delayed(server.int(&format!("{key}_delay_min")) as u32),
            "periodic" => StartMode::Periodic(server.int(&format!("{key}_every_min")) as u32),
            _ => StartMode::Never,
        };
        let key = resolve_key(server)?;
        Ok(Settings {
            name: server.name.clone(),
            dialect: server.str("database.dialect").parse().map_err(|e: String| ConfigError::field(path, "database.dialect", e))?,
            connection: Secret::new(server.str("database.connection")),
            import: mode("rules.import"),
            export: mode("rules.export"),
            object: server.str("rules.object"),
            export_partners: server.bool("rules.export_partners"),
            export_goods: server.bool("rules.export_goods"),
            sync_nomenclature: server.bool("rules.sync_nomenclature"),
            document: if server.str("rules.document") == "sales_order" { OperType::SALES_ORDER } else { OperType::SALE },
            allow_negative_stock: server.bool("rules.allow_negative_stock"),
            guest_partner: server.str("rules.guest_partner"),
            goods_compare_by: match server.str("rules.goods_compare_by").as_str() {
                "barcode" => GoodsKey::Barcode,
                "name" => GoodsKey::Name,
                _ => GoodsKey::Code,
            },
            partners_compare_by: if server.str("rules.partners_compare_by") == "vat_number" { PartnersKey::VatNumber } else { PartnersKey::Email },
            hours: server.str("rules.hours").parse().map_err(|e: String| ConfigError::field(path, "rules.hours", e))?,
            weekdays: server.str("rules.weekdays").parse().map_err(|e: String| ConfigError::field(path, "rules.weekdays", e))?,
            shop: ClientConfig { url: server.str("shopiko.url"), api_id: server.str("shopiko.api_id"), key, retry: RetryPolicy::default() },
        })
    }
}

/// The Shopiko key from `shopiko.key`, `shopiko.key_file` (its first line) or `shopiko.key_env`.
fn resolve_key(server: &ServerFile) -> Result<Secret, ConfigErrors> {
    let path = &server.path;
    if server.get("shopiko.key").is_some() {
        return Ok(Secret::new(server.str("shopiko.key")));
    }
    if server.get("shopiko.key_file").is_some() {
        let file = server.str("shopiko.key_file");
        let full = if Path::new(&file).is_relative() { path.parent().unwrap_or(Path::new(".")).join(&file) } else { file.clone().into() };
        let text = std::fs::read_to_string(&full)
            .map_err(|e| ConfigError::field(path, "shopiko.key_file", format!("cannot read {}: {e}", full.display())))?;
        let key = text.lines().next().unwrap_or("").trim().to_owned();
        if key.is_empty() {
            return Err(ConfigError::field(path, "shopiko.key_file", format!("{} is empty: put the key on its first line", full.display())).into());
        }
        return Ok(Secret::new(key));
    }
    let var = server.str("shopiko.key_env");
    match std::env::var(&var) {
        Ok(v) if !v.trim().is_empty() => Ok(Secret::new(v.trim())),
        _ => Err(ConfigError::field(path, "shopiko.key_env", format!("the environment variable {var} is not set, or is empty: set it where obmen runs")).into()),
    }
}

/// The connection tests: database, object, shop reachable, key accepted.
pub async fn check(server: &ServerFile) -> Vec<Check> {
    let settings = match Settings::from_server(server) {
        Ok(s) => s,
        Err(e) => return e.0.into_iter().map(|e| Check::failed("configuration", e.to_string())).collect(),
    };
    let mut checks = Vec::new();
    // ODBC calls block: keep them off the async threads.
    let (dialect, connection, object) = (settings.dialect, settings.connection.clone(), settings.object.clone());
    let db = tokio::task::spawn_blocking(move || check_database(dialect, connection.expose(), &object)).await;
    match db {
        Ok(mut c) => checks.append(&mut c),
        Err(e) => checks.push(Check::failed("Warehouse Pro database", format!("the check itself failed: {e}"))),
    }
    checks.extend(check_shop(&settings).await);
    checks
}

fn check_database(dialect: Dialect, connection: &str, object: &str) -> Vec<Check> {
    let what = format!("Warehouse Pro database ({dialect})");
    let wh = match Warehouse::connect(connection, dialect) {
        Ok(wh) => wh,
        Err(e) => return vec![Check::failed(what, e.to_string()), Check::failed(format!("object '{object}'"), "not checked: no database connection")],
    };
    let mut out = vec![Check::ok(&what, "connected")];
    if let Err(e) = wh.ensure_writable() {
        out[0] = Check::ok(&what, format!("connected, but {e}"));
    }
    out.push(match wh.find_object(object) {
        Ok(Some(o)) => Check::ok(format!("object '{object}'"), format!("found: '{}' (code {}, ID {})", o.name, o.code, o.id)),
        Ok(None) => {
            let names = wh.objects().map(|os| os.into_iter().map(|o| format!("'{}'", o.name)).collect::<Vec<_>>().join(", ")).unwrap_or_default();
            Check::failed(format!("object '{object}'"), format!("no object has this name or code; the database has {names}: set rules.object to one of them"))
        }
        Err(e) => Check::failed(format!("object '{object}'"), e.to_string()),
    });
    out
}

async fn check_shop(settings: &Settings) -> Vec<Check> {
    let reach = format!("shop at {}", settings.shop.url);
    let key = "shop key".to_owned();
    let config = ClientConfig { retry: RetryPolicy::quick(), ..settings.shop.clone() };
    let client = match ShopikoClient::new(config) {
        Ok(c) => c,
        Err(e) => return vec![Check::failed(reach, e.to_string()), Check::failed(key, "not checked: the shop cannot be reached")],
    };
    match client.ping().await {
        Ok(p) => vec![Check::ok(reach, "reachable"), Check::ok(key, format!("accepted by '{}' (API ID {})", p.shop, settings.shop.api_id))],
        Err(e) => match e.last() {
            ShopikoError::Unauthorized { .. } | ShopikoError::ClockSkew { .. } => {
                vec![Check::ok(reach, "reachable"), Check::failed(key, e.last().to_string())]
            }
            ShopikoError::Rejected { .. } | ShopikoError::Decode { .. } => {
                vec![Check::failed(reach, format!("it answers, but not as a Shopiko exchange API: {e}. Check shopiko.url")), Check::failed(key, "not checked")]
            }
            _ => vec![Check::failed(reach, e.to_string()), Check::failed(key, "not checked: the shop cannot be reached")],
        },
    }
}
