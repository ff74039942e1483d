//! The Warehouse Pro side of every "WarehousePro Import Export X" kind: one core that books shop
//! orders as Warehouse Pro documents exactly once, exports goods, partners and quantities, and
//! links nomenclature, behind the crate-private [`shop::Shop`] trait that each kind's adapter
//! implements over its own client (`src/kinds/warehouse_pro_shopiko/` over `src/shopiko/`).
//!
//! Its rooms, each with one concern:
//! - [`settings`]: `[database]` and the shared `[rules]`, and [`Base`], what the core reads;
//! - [`shop`]: the trait and the neutral records that cross it;
//! - [`run`]: the frame of a run (lock, state, open, phases, record, events);
//! - [`session`]: what every phase works through, and what a run reads once;
//! - the import: [`pages`] (the page loop and the quarantine), [`order`] (an order's numbers
//!   and money), [`partner`] (the partner rule), [`book`] (booking and the dry-run plan),
//!   [`ack`] (the acknowledgement queue);
//! - [`export`] with [`snapshot`] (what the shop was last told), [`nomenclature`] (linking);
//! - [`report`]: a run's report; [`bench`]: the older ways kept for `make bench` to measure
//!   against; this module: the connection checks and repairs.

pub mod ack;
pub mod bench;
pub mod book;
pub mod export;
pub mod nomenclature;
pub mod order;
pub mod pages;
pub mod partner;
pub mod report;
pub mod run;
pub mod session;
pub mod settings;
pub mod shop;
pub mod snapshot;

pub use export::ExportReport;
pub use nomenclature::NomenclatureReport;
pub use pages::ImportReport;
pub use report::Report;
pub use settings::{Base, GoodsKey, PartnersKey};

use crate::config::Lang;
use crate::i18n::Msg;
use crate::kinds::{Check, Repair, RunError};
use crate::warehouse::{Dialect, Timeouts, Warehouse, WarehouseError};
use shop::Shop;

impl From<WarehouseError> for RunError {
    fn from(e: WarehouseError) -> Self {
        let transient = match &e {
            WarehouseError::Connect { .. } => true,
            // Connection lost (08xxx, or MySQL's "gone away" under any state), timeouts
            // (HYT00/HYT01), deadlocks and busy locks.
            WarehouseError::Odbc { retryable, .. } => *retryable || e.is_connection_lost(),
            _ => false,
        };
        match e {
            WarehouseError::ReadOnly { .. } => RunError::Setup { message: e.to_string() },
            e => RunError::Database { message: e.to_string(), transient },
        }
    }
}

/// Repairs: partners an obmen before 2026-12 made with partners.Type 0 or 1 (read by Warehouse
/// Pro as universal or supplier), given the server's role for shop customers.
pub async fn repair(settings: Base, partner_prefix: &'static str, apply: bool) -> Result<Vec<Repair>, RunError> {
    tokio::task::spawn_blocking(move || {
        let wh = Warehouse::connect_with(settings.database.connection.expose(), settings.database.dialect, settings.timeouts())?;
        let role = settings.rules.partner_role.role();
        let wrong = wh.partners_not_in_role(partner_prefix, role)?;
        let mut out = Vec::new();
        if !wrong.is_empty() {
            let lang = crate::i18n::current();
            let role_word = format!("{role:?}");
            let changes: Vec<String> = wrong
                .iter()
                .map(|(id, code, name, was)| {
                    Msg::RepairPartnerChange.with(lang, &[("code", code), ("name", name), ("id", id), ("was", &format!("{was:?}")), ("role", &role_word)])
                })
                .collect();
            if apply {
                let ids: Vec<i32> = wrong.iter().map(|(id, ..)| *id).collect();
                wh.set_partner_roles(&ids, role)?;
                for c in &changes {
                    tracing::info!(server = %settings.name, change = %c, "Partner role repaired.");
                }
            }
            out.push(Repair {
                name: "partner-roles".into(),
                what: Msg::RepairPartnerRoles.with(lang, &[("count", &wrong.len()), ("role", &role_word)]),
                changes,
                applied: apply,
            });
        }
        wh.close()?;
        Ok(out)
    })
    .await
    .map_err(|e| RunError::Setup { message: Msg::RepairDied.with(crate::i18n::current(), &[("error", &e)]) })?
}

/// The connection tests: database, object, then the shop's own (reachable, key accepted).
pub(crate) async fn check<S: Shop>(settings: &Base, shop: Result<S, Vec<Check>>, lang: Lang) -> Vec<Check> {
    let mut checks = Vec::new();
    // ODBC calls block: keep them off the async threads.
    let (dialect, connection, object) = (settings.database.dialect, settings.database.connection.clone(), settings.rules.object.clone());
    let timeouts = settings.timeouts();
    let db = tokio::task::spawn_blocking(move || check_database(dialect, connection.expose(), &object, timeouts, lang)).await;
    match db {
        Ok(mut c) => checks.append(&mut c),
        Err(e) => checks.push(Check::failed(Msg::CheckDatabase.with(lang, &[("dialect", &dialect)]), Msg::CheckFailedItself.with(lang, &[("error", &e)]))),
    }
    match shop {
        Ok(shop) => checks.extend(shop.check(lang).await),
        Err(mut failed) => checks.append(&mut failed),
    }
    checks
}

/// The database file a SQLite or Access connection names (`Database=` or `DBQ=`), if it names one.
pub(crate) fn database_file(dialect: Dialect, connection: &str) -> Option<std::path::PathBuf> {
    crate::config::validate::parse_connection(connection)
        .ok()?
        .into_iter()
        .find(|(k, _)| settings::names_database_file(dialect, k))
        .map(|(_, v)| std::path::PathBuf::from(v))
}

/// Why a connection cannot be tried: its database file is not there (a SQLite driver would make
/// an empty one and report missing tables).
pub(crate) fn missing_database_file(dialect: Dialect, connection: &str) -> Option<String> {
    let file = database_file(dialect, connection)?;
    (!file.exists()).then(|| Msg::NoDatabaseFile.with(crate::i18n::current(), &[("file", &file.display())]))
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
