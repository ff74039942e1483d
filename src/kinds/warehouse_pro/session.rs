//! A run's session with the Warehouse Pro database and the shop: what every phase (nomenclature,
//! import, export) works through ([`Ctx`]), and what one run reads once and keeps ([`Cache`]).
//! It runs on a blocking thread (ODBC blocks); the shop and obmen's state are reached through
//! the runtime's handle, and every shop call is given up on when the run is stopped.

use std::collections::HashMap;

use tokio_util::sync::CancellationToken;

use super::order::Currencies;
use super::settings::Base;
use super::shop::{Product, Shop};
use crate::kinds::{Events, RunError};
use crate::state::State;
use crate::warehouse::{Good, Object, OperType, Warehouse, WarehouseError};

/// Everything an import run uses.
pub(crate) struct Ctx<'a, S: Shop> {
    /// The server's settings.
    pub settings: &'a Base,
    /// The Warehouse Pro database.
    pub wh: &'a mut Warehouse,
    /// The target object.
    pub object: &'a Object,
    /// The shop.
    pub shop: &'a S,
    /// obmen's state.
    pub state: &'a State,
    /// The async runtime, for the shop and the state (this code runs on a blocking thread).
    pub rt: &'a tokio::runtime::Handle,
    /// Write nothing anywhere; say what would be done.
    pub dry_run: bool,
    /// Export everything again (`obmen run --export --full`).
    pub full: bool,
    /// Stops the run at its next page or batch.
    pub cancel: &'a CancellationToken,
    /// Where the run's events go.
    pub events: &'a Events,
    /// What this run has already read and need not read again.
    pub cache: &'a Cache,
}

impl<S: Shop> Ctx<'_, S> {
    /// A call to the shop, given up on when the run is stopped (a retry's pause included).
    pub(super) fn shop_call<T>(&self, call: impl std::future::Future<Output = Result<T, RunError>>) -> Result<T, RunError> {
        self.rt.block_on(async {
            tokio::select! {
                biased;
                () = self.cancel.cancelled() => Err(RunError::Stopped),
                r = call => r,
            }
        })
    }

    /// Starts a shop call now, on the runtime, to be taken with [`Ctx::take`] later: the next
    /// page is read from the shop while this one is written to the database, so that a shop far
    /// away costs its round trip once, not once a page on top of the database's.
    pub(super) fn ahead<T, F>(&self, call: impl FnOnce(S) -> F) -> Ahead<T>
    where
        T: Send + 'static,
        F: std::future::Future<Output = Result<T, RunError>> + Send + 'static,
    {
        Ahead(self.rt.spawn(call(self.shop.clone())))
    }

    /// The answer of a call started with [`Ctx::ahead`], given up on (and the call with it) when
    /// the run is stopped.
    pub(super) fn take<T>(&self, mut ahead: Ahead<T>) -> Result<T, RunError> {
        // Dropped on the way out, `ahead` stops the call if it is still under way.
        self.shop_call(async { (&mut ahead.0).await.unwrap_or_else(|e| Err(stopped_unexpectedly(crate::i18n::Msg::WhatShopCall, &e))) })
    }

    /// Fails with [`RunError::Stopped`] once the run is stopped: called between pages and batches.
    pub(super) fn check_cancel(&self) -> Result<(), RunError> {
        if self.cancel.is_cancelled() {
            Err(RunError::Stopped)
        } else {
            Ok(())
        }
    }

    /// The shop's products by SKU, read once a run, only when something needs them.
    pub(super) fn product_index(&self) -> Result<std::cell::Ref<'_, ProductIndex>, RunError> {
        if self.cache.products.borrow().is_none() {
            let all = self.shop_call(self.shop.all_products())?;
            *self.cache.products.borrow_mut() = Some(all.into_iter().map(|p| (p.sku.clone(), p)).collect());
        }
        std::cell::Ref::filter_map(self.cache.products.borrow(), |p| p.as_ref())
            .map_err(|_| RunError::Setup { message: crate::i18n::Msg::ProductListGone.get(crate::i18n::current()).to_owned() })
    }

    /// A good this run found by its code before.
    pub(super) fn cached_good(&self, sku: &str) -> Option<Good> {
        self.cache.goods.borrow().get(sku).cloned()
    }

    /// True when the order may be in the quarantine (so that importing it must resolve it there).
    pub(super) fn maybe_quarantined(&self, order_id: &str) -> bool {
        self.cache.quarantined.borrow().as_ref().is_none_or(|ids| ids.contains(order_id))
    }

    /// The import log's source: the shop account.
    pub(super) fn source(&self) -> &str {
        &self.shop.identity().source
    }

    /// The database's currencies, read once a run. A database whose base currency cannot be told
    /// stops the import: obmen never guesses what amounts are in.
    pub(super) fn currencies(&self) -> Result<Currencies, RunError> {
        if let Some(c) = self.cache.currencies.borrow().as_ref() {
            return Ok(c.clone());
        }
        let base = self.wh.base_currency().map_err(|e| match e {
            WarehouseError::Invalid(message) => RunError::Setup { message },
            e => e.into(),
        })?;
        let c = Currencies { base, all: self.wh.currencies()? };
        *self.cache.currencies.borrow_mut() = Some(c.clone());
        Ok(c)
    }

    /// The VAT groups, read once a run.
    pub(super) fn vat_groups(&self) -> Result<Vec<(i32, f64)>, WarehouseError> {
        if let Some(g) = self.cache.vat_groups.borrow().as_ref() {
            return Ok(g.clone());
        }
        let groups = self.wh.vat_groups()?;
        *self.cache.vat_groups.borrow_mut() = Some(groups.clone());
        Ok(groups)
    }

    /// The VAT group with this percent, else the first one.
    pub(super) fn vat_group(&self, percent: f64) -> Result<i32, WarehouseError> {
        let groups = self.vat_groups()?;
        Ok(groups.iter().find(|(_, v)| (v - percent).abs() < 1e-6).or(groups.first()).map(|(id, _)| *id).unwrap_or(1))
    }
}

/// The error of work on another thread or task that ended without its answer (it panicked).
pub(super) fn stopped_unexpectedly(what: crate::i18n::Msg, error: &dyn std::fmt::Display) -> RunError {
    let lang = crate::i18n::current();
    RunError::Setup { message: crate::i18n::Msg::WorkStoppedUnexpectedly.with(lang, &[("what", &what.get(lang)), ("error", error)]) }
}

/// A shop call under way (see [`Ctx::ahead`]); dropped untaken, it is stopped.
pub(super) struct Ahead<T>(tokio::task::JoinHandle<Result<T, RunError>>);

impl<T> Drop for Ahead<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Read-mostly data kept for the length of one run.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    /// The run's record in the history (None: a dry run).
    pub(super) run_id: Option<i64>,
    /// The shop's cursor the page in hand was read at (None: a retry from the quarantine).
    pub(super) page_cursor: std::cell::RefCell<Option<String>>,
    /// The VAT groups: (ID, percent).
    pub(super) vat_groups: std::cell::RefCell<Option<Vec<(i32, f64)>>>,
    /// Goods found by code, by SKU.
    pub(super) goods: std::cell::RefCell<HashMap<String, Good>>,
    /// The service goods' IDs, by code, once a transaction that found or made them committed.
    pub(super) service_goods: std::cell::RefCell<HashMap<&'static str, i32>>,
    /// The guest partner, once found: (ID, name).
    pub(super) guest: std::cell::RefCell<Option<(i32, String)>>,
    /// Imported orders to tell the shop about, at the end of the run: (order id, number, type, acct).
    pub(super) to_acknowledge: std::cell::RefCell<Vec<(String, String, OperType, i32)>>,
    /// The ids of the orders in the quarantine when the run started (None: not read).
    pub(super) quarantined: std::cell::RefCell<Option<std::collections::HashSet<String>>>,
    /// The shop's products by SKU, once read (at most once a run).
    pub(super) products: std::cell::RefCell<Option<ProductIndex>>,
    /// The database's currencies, once read.
    pub(super) currencies: std::cell::RefCell<Option<Currencies>>,
    /// What partner matching had to decide against a weaker key, one line an order.
    pub(super) partner_notes: std::cell::RefCell<Vec<String>>,
    /// When this run began acknowledging orders and when it stops trying (set at the first
    /// acknowledgement, moved on by the shop's pace for each order queued).
    pub(super) ack_deadline: std::cell::RefCell<Option<(tokio::time::Instant, tokio::time::Instant)>>,
}

/// What the shop's products are, by SKU (read once per run, only when the key is not the code).
pub(super) type ProductIndex = HashMap<String, Product>;

/// Shop SKU -> good ID, from the links.
pub fn sku_index(links: &HashMap<i64, String>) -> HashMap<String, i32> {
    links.iter().map(|(id, sku)| (sku.clone(), *id as i32)).collect()
}
