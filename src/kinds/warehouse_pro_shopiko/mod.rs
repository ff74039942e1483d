//! The server kind "WarehousePro Import Export Shopiko": a Warehouse Pro database on one side, a
//! Shopiko shop on the other. It is an adapter: the Warehouse Pro core
//! ([`crate::kinds::warehouse_pro`]) does the exchange, through [`shop::ShopikoShop`], which
//! speaks to the shop with [`crate::shopiko`]'s client. Its own are the `[shopiko]` section of
//! its settings ([`settings`]) and the way its shop is opened for a run and for the checks.

pub mod settings;
pub mod shop;

pub use settings::{Server, Settings};
pub use shop::ShopikoShop;

use crate::config::Lang;
use crate::kinds::warehouse_pro::{self as core, Report};
use crate::kinds::{Check, Details, Job, Repair, RunContext, RunError, RunSummary};
use crate::state::Quarantined;

/// The code prefix of the partners obmen makes from Shopiko customers.
pub const PARTNER_CODE_PREFIX: &str = "SH-";

/// The report of a run of this kind, tagged.
fn details(report: Report) -> Details {
    Details::WarehouseProShopiko(Box::new(report))
}

/// What the core needs to run a server of this kind.
fn runner(server: &Server, kind: &str) -> core::run::Runner<ShopikoShop> {
    let for_run = server.clone();
    core::run::Runner { base: server.base(), kind: kind.to_owned(), open_shop: Box::new(move |events| ShopikoShop::open(&for_run, Some(events))), details }
}

/// Runs a job (see [`crate::kinds::Server::run`]).
pub async fn run(server: &Server, kind: &str, ctx: RunContext, job: Job) -> RunSummary {
    core::run::run(runner(server, kind), ctx, job).await
}

/// Imports orders from the quarantine again (see [`crate::kinds::Server::retry`]).
pub async fn retry(server: &Server, kind: &str, ctx: RunContext, entries: Vec<Quarantined>) -> RunSummary {
    core::run::retry(runner(server, kind), ctx, entries).await
}

/// Repairs: partners an obmen before 2026-12 made with partners.Type 0 or 1 (read by Warehouse
/// Pro as universal or supplier), given the server's role for shop customers.
pub async fn repair(server: &Server, _ctx: &RunContext, apply: bool) -> Result<Vec<Repair>, RunError> {
    core::repair(server.base(), PARTNER_CODE_PREFIX, apply).await
}

/// The choices a Shopiko account holds: none (every choice of this kind is in its profile).
pub async fn choices(server: &Server, source: &str) -> Result<Vec<crate::config::view::Choice>, RunError> {
    Err(RunError::Setup { message: crate::i18n::Msg::NoAccountChoices.with(crate::i18n::current(), &[("source", &source), ("server", &server.settings.name)]) })
}

/// The connection tests: database, object, shop reachable, key accepted.
pub async fn check(server: &Server, lang: Lang) -> Vec<Check> {
    core::check(&server.base(), ShopikoShop::for_check(server, lang), lang).await
}
