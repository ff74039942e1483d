//! The server kind "WarehousePro Import Export BaseLinker": a Warehouse Pro database on one
//! side, a BaseLinker (Base.com) account on the other. An adapter over the Warehouse Pro core
//! ([`crate::kinds::warehouse_pro`]), speaking to BaseLinker with [`crate::baselinker`]'s client.
//!
//! [`settings`]: its file (`[baselinker]` and the account's rules); [`resolve`]: the account's
//! catalogue, warehouse, price group, statuses and field found by name or id in the account's own
//! lists before each run; [`feed`]: where the import stands and the next page of confirmed
//! orders; [`order`]: BaseLinker's orders read as the core's neutral orders; [`shop`]: the
//! account as the core's `Shop`.
//!
//! The token's budget of requests is the token's, not a server's: every server of this process
//! that uses the token draws on one limiter ([`crate::kinds::account::shared`]). A separate
//! process (a foreground `obmen run` beside the daemon) has its own, and the two together may
//! pass BaseLinker's limit; BaseLinker then blocks the token for a while, which obmen waits out.

pub mod feed;
pub mod order;
pub mod resolve;
pub mod settings;
pub mod shop;

use std::sync::Arc;

pub use settings::{Server, Settings};
pub use shop::BaseLinkerShop;

use crate::baselinker::client::{limiter, ClientConfig, Limiter, RetryHook};
use crate::baselinker::{BaseLinkerClient, BaseLinkerError};
use crate::config::Lang;
use crate::i18n::Msg;
use crate::kinds::warehouse_pro::shop::{Identity, ServiceGood};
use crate::kinds::warehouse_pro::{self as core, Report};
use crate::kinds::{Check, Details, Events, Job, Repair, RunContext, RunError, RunEvent, RunSummary};
use crate::state::Quarantined;
use resolve::Resolved;

/// The code prefix of the partners obmen makes from BaseLinker buyers.
pub const PARTNER_CODE_PREFIX: &str = "BL-";

/// The report of a run of this kind, tagged.
fn details(report: Report) -> Details {
    Details::WarehouseProBaselinker(Box::new(report))
}

/// The limiter of a token, shared by every server of this process that uses it. The first
/// server to use the token sets its budget; the others share it.
fn token_limiter(server: &Server) -> Arc<Limiter> {
    let key = crate::kinds::account::key_of("baselinker", server.token.expose());
    crate::kinds::account::shared(&key, || limiter(server.settings.baselinker.requests_per_minute))
}

fn client(server: &Server, config: ClientConfig) -> Result<BaseLinkerClient, RunError> {
    Ok(BaseLinkerClient::new(config, token_limiter(server))?)
}

/// Who the account is, as the core names it. Its import log is the catalogue's: BaseLinker's
/// order ids are the platform's own, and the catalogue's id stays when the token is made anew.
fn identity(resolved: &Resolved) -> Identity {
    Identity {
        name: "BaseLinker",
        source: format!("baselinker:{}", resolved.account.inventory_id),
        partner_prefix: PARTNER_CODE_PREFIX,
        guest_code: "BL-GUEST",
        shipping: ServiceGood { code: "BASELINKER-SHIPPING", name: "Доставка (BaseLinker)" },
        discount: ServiceGood { code: "BASELINKER-DISCOUNT", name: "Отстъпка (BaseLinker)" },
        price_currency: resolved.currency.clone(),
    }
}

/// The account of a server, opened for a run: its settings found in its lists, each call tried
/// again told to the run's events.
async fn open(server: &Server, config: ClientConfig, for_orders: bool, events: &Events) -> Result<(BaseLinkerShop, Resolved), RunError> {
    let events = events.clone();
    let hook: RetryHook = Arc::new(move |method: &str, e: &BaseLinkerError, attempt: u32, wait: std::time::Duration| {
        events.send(RunEvent::Retry { what: format!("BaseLinker: {method}"), error: e.to_string(), attempt, wait_ms: wait.as_millis() as u64 })
    });
    let client = client(server, config)?.with_retry_hook(hook);
    let resolved = resolve::resolve(&client, server, for_orders).await?;
    let shop = BaseLinkerShop::new(client, &server.settings.baselinker.url, identity(&resolved), resolved.account.clone())
        .paced(server.settings.baselinker.requests_per_minute);
    Ok((shop, resolved))
}

/// What the core needs to run a server of this kind, the account opened (or why not).
fn runner(server: &Server, kind: &str, opened: Result<BaseLinkerShop, RunError>) -> core::run::Runner<BaseLinkerShop> {
    core::run::Runner { base: server.base(), kind: kind.to_owned(), open_shop: Box::new(move |_events| opened), details }
}

/// Runs a job (see [`crate::kinds::Server::run`]).
pub async fn run(server: &Server, kind: &str, ctx: RunContext, job: Job) -> RunSummary {
    let opened = open(server, server.client_config(), job.import, &ctx.events).await.map(|(shop, _)| shop);
    core::run::run(runner(server, kind, opened), ctx, job).await
}

/// Imports orders from the quarantine again (see [`crate::kinds::Server::retry`]).
pub async fn retry(server: &Server, kind: &str, ctx: RunContext, entries: Vec<Quarantined>) -> RunSummary {
    let opened = open(server, server.client_config(), true, &ctx.events).await.map(|(shop, _)| shop);
    core::run::retry(runner(server, kind, opened), ctx, entries).await
}

/// Repairs of partners' roles, as for every Warehouse Pro kind.
pub async fn repair(server: &Server, _ctx: &RunContext, apply: bool) -> Result<Vec<Repair>, RunError> {
    core::repair(server.base(), PARTNER_CODE_PREFIX, apply).await
}

/// The lists the account holds, for a UI to pick settings from.
pub async fn choices(server: &Server, source: &str) -> Result<Vec<crate::config::view::Choice>, RunError> {
    resolve::choices(&client(server, server.quick_client_config())?, server, source).await
}

/// The connection tests: database, object, BaseLinker reachable, token accepted, and the
/// account's settings found in its lists.
pub async fn check(server: &Server, lang: Lang) -> Vec<Check> {
    let url = &server.settings.baselinker.url;
    let settings_line = Msg::BlCheckSettings.get(lang).to_owned();
    let (shop, found) = match client(server, server.quick_client_config()) {
        Ok(c) => {
            let found = resolve::resolve(&c, server, true).await;
            // The shop's own checks (reachable, token) need no account; where it is not found, none.
            let resolved = found.as_ref().ok().cloned().unwrap_or_default();
            (Ok(BaseLinkerShop::new(c, url, identity(&resolved), resolved.account)), Some(found))
        }
        Err(e) => (Err(vec![Check::failed(Msg::CheckShopAt.with(lang, &[("url", url)]), e.to_string())]), None),
    };
    let mut checks = core::check(&server.base(), shop, lang).await;
    let token_accepted = checks.last().is_some_and(|c| c.ok);
    checks.push(match found {
        Some(Ok(r)) => Check::ok(
            settings_line,
            Msg::BlCheckSettingsFound.with(
                lang,
                &[("catalogue", &r.catalogue), ("warehouse", &r.account.warehouse), ("price_group", &r.account.price_group), ("currency", &r.currency)],
            ),
        ),
        Some(Err(e)) if token_accepted => Check::failed(settings_line, e.to_string()),
        _ => Check::failed(settings_line, Msg::CheckNotChecked.with(lang, &[("why", &Msg::BlCheckTokenFirst.get(lang))])),
    });
    checks
}

#[cfg(test)]
mod exchange_tests;
#[cfg(test)]
mod testing;
