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
pub async fn check(server: &Server) -> Vec<Check> {
    let settings = &server.settings;
    let mut checks = Vec::new();
    // ODBC calls block: keep them off the async threads.
    let (dialect, connection, object) = (settings.database.dialect, settings.database.connection.clone(), settings.rules.object.clone());
    let timeouts = run::timeouts(settings);
    let db = tokio::task::spawn_blocking(move || check_database(dialect, connection.expose(), &object, timeouts)).await;
    match db {
        Ok(mut c) => checks.append(&mut c),
        Err(e) => checks.push(Check::failed("Warehouse Pro database", format!("the check itself failed: {e}"))),
    }
    checks.extend(check_shop(server).await);
    checks
}

/// The database file a SQLite or Access connection names (`Database=` or `DBQ=`), if it names one.
pub(super) fn database_file(dialect: Dialect, connection: &str) -> Option<std::path::PathBuf> {
    if !matches!(dialect, Dialect::Sqlite | Dialect::Access) {
        return None;
    }
    crate::config::validate::parse_connection(connection)
        .ok()?
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("database") || k.eq_ignore_ascii_case("dbq"))
        .map(|(_, v)| std::path::PathBuf::from(v))
}

/// Why a connection cannot be tried: its database file is not there (a SQLite driver would make
/// an empty one and report missing tables).
pub(super) fn missing_database_file(dialect: Dialect, connection: &str) -> Option<String> {
    let file = database_file(dialect, connection)?;
    (!file.exists()).then(|| format!("the database file {} does not exist: check database.connection", file.display()))
}

fn check_database(dialect: Dialect, connection: &str, object: &str, timeouts: Timeouts) -> Vec<Check> {
    let what = format!("Warehouse Pro database ({dialect})");
    let not_checked = |why: &str| Check::failed(format!("object '{object}'"), format!("not checked: {why}"));
    if let Some(why) = missing_database_file(dialect, connection) {
        return vec![Check::failed(what, why), not_checked("no database")];
    }
    let wh = match Warehouse::connect_with(connection, dialect, timeouts) {
        Ok(wh) => wh,
        Err(e) => return vec![Check::failed(what, e.to_string()), not_checked("no database connection")],
    };
    let mut out = vec![Check::ok(&what, "connected")];
    if let Err(e) = wh.ensure_writable() {
        // obmen can read it, but not book into it: a limit, not a pass.
        out[0] = Check::warning(&what, format!("connected, but {e}"));
    }
    match wh.missing_tables() {
        Ok(missing) if missing.is_empty() => out.push(Check::ok("Warehouse Pro tables", "all there")),
        Ok(missing) => {
            out.push(Check::failed(
                "Warehouse Pro tables",
                format!("this is not a Warehouse Pro database: it has no table {}. Check database.connection", missing.join(", ")),
            ));
            out.push(not_checked("not a Warehouse Pro database"));
            return out;
        }
        Err(e) => out.push(Check::failed("Warehouse Pro tables", e.to_string())),
    }
    out.push(match wh.find_object(object) {
        Ok(Some(o)) => Check::ok(format!("object '{object}'"), format!("found: '{}' (code {}, ID {})", o.name, o.code, o.id)),
        Ok(None) => {
            let names = wh.objects().map(|os| os.into_iter().map(|o| format!("'{}'", o.name)).collect::<Vec<_>>().join(", ")).unwrap_or_default();
            Check::failed(format!("object '{object}'"), format!("no object has this name or code; the database has {names}: set rules.object to one of them"))
        }
        Err(e) => Check::failed(format!("object '{object}'"), e.to_string()),
    });
    // What decides how amounts and stock are booked, as the database says.
    out.push(match wh.base_currency() {
        Ok(c) => Check::ok("base currency", format!("{} (currencies ID {})", c.code, c.id)),
        Err(e) => Check::failed("base currency", e.to_string()),
    });
    out.push(match wh.stock_mode() {
        Ok(m) => Check::ok("stock mode", m.name()),
        Err(e) => Check::failed("stock mode", e.to_string()),
    });
    out
}

async fn check_shop(server: &Server) -> Vec<Check> {
    let reach = format!("shop at {}", server.settings.shopiko.url);
    let key = "shop key".to_owned();
    let config = ClientConfig { retry: RetryPolicy::quick(), ..server.client_config() };
    let client = match ShopikoClient::new(config) {
        Ok(c) => c,
        Err(e) => return vec![Check::failed(reach, e.to_string()), Check::failed(key, "not checked: the shop cannot be reached")],
    };
    match client.ping().await {
        Ok(p) => vec![Check::ok(reach, "reachable"), Check::ok(key, format!("accepted by '{}' (API ID {})", p.shop, server.settings.shopiko.api_id))],
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
