//! The server kind "WarehousePro Import Export Shopiko": a Warehouse Pro database on one side, a
//! Shopiko shop on the other. Its typed settings are in [`settings`], its run in [`run`] (with
//! [`nomenclature`], [`import`] and [`export`] as the run's phases); this module runs the kind's
//! connection tests.

pub mod export;
pub mod import;
pub mod nomenclature;
pub mod run;
pub mod settings;

pub use run::Report;
pub use settings::{GoodsKey, PartnersKey, Server, Settings};

use crate::config::Lang;
use crate::i18n::Msg;
use crate::shopiko::{ClientConfig, RetryPolicy, ShopikoClient, ShopikoError};
use crate::warehouse::{Dialect, Timeouts, Warehouse};

use super::Check;

/// The code prefix of the partners obmen makes from shop customers.
pub const PARTNER_CODE_PREFIX: &str = "SH-";

/// Repairs: partners an obmen before 2026-12 made with partners.Type 0 or 1 (read by Warehouse
/// Pro as universal or supplier), given the server's role for shop customers.
pub async fn repair(server: &Server, _ctx: &super::RunContext, apply: bool) -> Result<Vec<super::Repair>, super::RunError> {
    let settings = server.settings.clone();
    tokio::task::spawn_blocking(move || {
        let wh = Warehouse::connect_with(settings.database.connection.expose(), settings.database.dialect, run::timeouts(&settings))?;
        let role = settings.rules.partner_role.role();
        let wrong = wh.partners_not_in_role(PARTNER_CODE_PREFIX, role)?;
        let mut out = Vec::new();
        if !wrong.is_empty() {
            let changes: Vec<String> = wrong.iter().map(|(id, code, name, was)| format!("partner {code} '{name}' (ID {id}): {was:?} -> {role:?}")).collect();
            if apply {
                let ids: Vec<i32> = wrong.iter().map(|(id, ..)| *id).collect();
                wh.set_partner_roles(&ids, role)?;
                for c in &changes {
                    tracing::info!(server = %settings.name, change = %c, "Partner role repaired.");
                }
            }
            out.push(super::Repair {
                name: "partner-roles".into(),
                what: format!(
                    "{} partners obmen made from shop customers have partners.Type other than {role:?} (an earlier obmen wrote persons as 1, which Warehouse Pro reads as supplier): set them to {role:?} (rules.partner_role)",
                    wrong.len()
                ),
                changes,
                applied: apply,
            });
        }
        wh.close()?;
        Ok(out)
    })
    .await
    .map_err(|e| super::RunError::Setup { message: format!("the repair stopped unexpectedly: {e}") })?
}

/// The connection tests: database, object, shop reachable, key accepted.
pub async fn check(server: &Server, lang: Lang) -> Vec<Check> {
    let settings = &server.settings;
    let mut checks = Vec::new();
    // ODBC calls block: keep them off the async threads.
    let (dialect, connection, object) = (settings.database.dialect, settings.database.connection.clone(), settings.rules.object.clone());
    let timeouts = run::timeouts(settings);
    let db = tokio::task::spawn_blocking(move || check_database(dialect, connection.expose(), &object, timeouts, lang)).await;
    match db {
        Ok(mut c) => checks.append(&mut c),
        Err(e) => checks.push(Check::failed(Msg::CheckDatabase.with(lang, &[("dialect", &dialect)]), Msg::CheckFailedItself.with(lang, &[("error", &e)]))),
    }
    checks.extend(check_shop(server, lang).await);
    checks
}

/// The database file a SQLite or Access connection names (`Database=` or `DBQ=`), if it names one.
pub(super) fn database_file(dialect: Dialect, connection: &str) -> Option<std::path::PathBuf> {
    crate::config::validate::parse_connection(connection)
        .ok()?
        .into_iter()
        .find(|(k, _)| settings::names_database_file(dialect, k))
        .map(|(_, v)| std::path::PathBuf::from(v))
}

/// Why a connection cannot be tried: its database file is not there (a SQLite driver would make
/// an empty one and report missing tables).
pub(super) fn missing_database_file(dialect: Dialect, connection: &str) -> Option<String> {
    let file = database_file(dialect, connection)?;
    (!file.exists()).then(|| format!("the database file {} does not exist: check database.connection", file.display()))
}

fn check_database(dialect: Dialect, connection: &str, object: &str, timeouts: Timeouts, lang: Lang) -> Vec<Check> {
    let what = Msg::CheckDatabase.with(lang, &[("dialect", &dialect)]);
    let object_line = Msg::CheckObject.with(lang, &[("object", &object)]);
    let not_checked = |why: Msg| Check::failed(&object_line, Msg::CheckNotChecked.with(lang, &[("why", &why.get(lang))]));
    if let Some(why) = missing_database_file(dialect, connection) {
        return vec![Check::failed(what, why), not_checked(Msg::CheckNoDatabase)];
    }
    let wh = match Warehouse::connect_with(connection, dialect, timeouts) {
        Ok(wh) => wh,
        Err(e) => return vec![Check::failed(what, e.to_string()), not_checked(Msg::CheckNoConnection)],
    };
    let mut out = vec![Check::ok(&what, Msg::CheckConnected.get(lang))];
    if let Err(e) = wh.ensure_writable() {
        // obmen can read it, but not book into it: a limit, not a pass.
        out[0] = Check::warning(&what, Msg::CheckConnectedBut.with(lang, &[("limit", &e)]));
    }
    let tables = Msg::CheckTables.get(lang);
    match wh.missing_tables() {
        Ok(missing) if missing.is_empty() => out.push(Check::ok(tables, Msg::CheckAllThere.get(lang))),
        Ok(missing) => {
            out.push(Check::failed(tables, Msg::CheckNotWarehousePro.with(lang, &[("tables", &missing.join(", "))])));
            out.push(not_checked(Msg::CheckForeign));
            return out;
        }
        Err(e) => out.push(Check::failed(tables, e.to_string())),
    }
    out.push(match wh.find_object(object) {
        Ok(Some(o)) => Check::ok(&object_line, Msg::CheckObjectFound.with(lang, &[("name", &o.name), ("code", &o.code), ("id", &o.id)])),
        Ok(None) => {
            let names = wh.objects().map(|os| os.into_iter().map(|o| format!("'{}'", o.name)).collect::<Vec<_>>().join(", ")).unwrap_or_default();
            Check::failed(&object_line, Msg::CheckNoObject.with(lang, &[("names", &names)]))
        }
        Err(e) => Check::failed(&object_line, e.to_string()),
    });
    // What decides how amounts and stock are booked, as the database says.
    let currency = Msg::CheckBaseCurrency.get(lang);
    out.push(match wh.base_currency() {
        Ok(c) => Check::ok(currency, Msg::CheckCurrencyFound.with(lang, &[("code", &c.code), ("id", &c.id)])),
        Err(e) => Check::failed(currency, e.to_string()),
    });
    let mode = Msg::CheckStockMode.get(lang);
    out.push(match wh.stock_mode() {
        Ok(m) => Check::ok(mode, m.name()),
        Err(e) => Check::failed(mode, e.to_string()),
    });
    out
}

async fn check_shop(server: &Server, lang: Lang) -> Vec<Check> {
    let reach = Msg::CheckShopAt.with(lang, &[("url", &server.settings.shopiko.url)]);
    let key = Msg::CheckShopKey.get(lang);
    let unreachable = Msg::CheckNotChecked.with(lang, &[("why", &Msg::CheckShopUnreachable.get(lang))]);
    let reachable = Msg::CheckReachable.get(lang);
    let config = ClientConfig { retry: RetryPolicy::quick(), ..server.client_config() };
    let client = match ShopikoClient::new(config) {
        Ok(c) => c,
        Err(e) => return vec![Check::failed(reach, e.to_string()), Check::failed(key, unreachable)],
    };
    match client.ping().await {
        Ok(p) => {
            vec![Check::ok(reach, reachable), Check::ok(key, Msg::CheckAccepted.with(lang, &[("shop", &p.shop), ("api_id", &server.settings.shopiko.api_id)]))]
        }
        Err(e) => match e.last() {
            ShopikoError::Unauthorized { .. } | ShopikoError::ClockSkew { .. } => {
                vec![Check::ok(reach, reachable), Check::failed(key, e.last().to_string())]
            }
            ShopikoError::Rejected { .. } | ShopikoError::Decode { .. } => vec![
                Check::failed(reach, Msg::CheckNotShopiko.with(lang, &[("error", &e)])),
                Check::failed(key, Msg::CheckNotChecked.with(lang, &[("why", &Msg::CheckNotAShop.get(lang))])),
            ],
            _ => vec![Check::failed(reach, e.to_string()), Check::failed(key, unreachable)],
        },
    }
}
