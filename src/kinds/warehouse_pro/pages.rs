//! The import's page loop: each new shop order becomes one Warehouse Pro document at the
//! server's object, exactly once.
//!
//! A run first tells the shop of orders an earlier run imported but could not acknowledge,
//! then tries the orders in the quarantine again, then reads the orders placed since its
//! cursor, a page at a time: each page is decoded order by order (one the shop sent in a shape
//! its adapter cannot read is set aside as it came), its orders already imported noted, the
//! rest parsed ([`super::order`]), matched ([`super::partner`]) and booked in one transaction
//! ([`super::book`]); then the cursor is saved and the page's orders acknowledged
//! ([`super::ack`]) before the next page is read. Only after the commit is the shop told, and
//! telling it again is harmless. An order that cannot be imported is set aside in the
//! quarantine with its reason; the others go on.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::book::Ready;
use super::order::{document_number, parse, Limits};
use super::session::{sku_index, Ctx};
use super::shop::{Order, Shop, Undecodable};
use crate::i18n::Msg;
use crate::kinds::{NoteLevel, Phase, RunError, RunEvent};
use crate::state::provenance::Receiving;
use crate::warehouse::WarehouseError;

/// The most pages of orders one run reads; the rest wait for the next run. A shop whose cursor
/// keeps moving forever cannot hold a run.
pub const MAX_ORDER_PAGES: u32 = 5_000;

/// An order imported in this run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedOrder {
    /// The shop's order number.
    pub order: String,
    /// The document, as Warehouse Pro shows its number.
    pub document: String,
    /// Its total with VAT.
    pub total: f64,
}

/// An order set aside.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetAside {
    /// The shop's order number.
    pub order: String,
    /// Why, and what to do.
    pub reason: String,
}

/// What an import run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Orders imported.
    pub imported: Vec<ImportedOrder>,
    /// Orders met again that were already imported.
    pub already_imported: u64,
    /// Acknowledgements the shop took (new and repeated).
    pub acknowledged: u64,
    /// Acknowledgements that failed (tried again next run).
    pub ack_failures: Vec<String>,
    /// Orders set aside.
    pub quarantined: Vec<SetAside>,
    /// Orders left alone: acknowledged in the shop by something other than this obmen.
    pub skipped: Vec<String>,
    /// Goods made in Warehouse Pro (code and name).
    pub goods_created: Vec<String>,
    /// Partners made in Warehouse Pro.
    pub partners_created: Vec<String>,
    /// Dry run: what would have been written, one line each.
    pub planned: Vec<String>,
    /// What an operator should know, beside the orders (a repair obmen offers).
    pub notes: Vec<String>,
    /// Pages of orders that could not be written together (an order failed inside the
    /// transaction), written again one order at a time so that the order at fault was found.
    #[serde(default)]
    pub pages_one_by_one: u64,
}

/// How many orders are written in one transaction. Each order's document, stock moves, payments
/// and import record commit together with the others of its page, or not at all: a crash leaves
/// the whole page to the next run. An order refused for its own reasons (stock, total) is set
/// aside before anything is written; when the page fails as a whole, its orders are written one
/// by one so that the order at fault is found and set aside alone.
pub const PAGE: usize = 200;

impl<S: Shop> Ctx<'_, S> {
    /// Runs the import: first acknowledgements left over from an earlier run, then the orders
    /// in the quarantine, then the orders placed since the last run, a page at a time: each page
    /// is imported, the cursor saved after it, and its orders acknowledged, before the next is
    /// fetched. Memory stays bounded whatever the backlog, a failure at page 400 leaves pages
    /// 1-399 done, and a stopped run ends between two pages.
    pub(crate) fn run(&mut self, report: &mut ImportReport) -> Result<(), RunError> {
        let (has_log, links) = self.begin()?;
        if has_log && !self.dry_run {
            for pending in self.wh.unacknowledged_imports(self.source())? {
                self.queue_ack(&pending.order_id, &pending.order_number, pending.oper_type, pending.acct);
            }
            self.acknowledge_queued(report);
        }
        let server = self.settings.name.clone();

        // Orders set aside earlier: tried again each run, from the order as it was received.
        let waiting = self.rt.block_on(self.state.quarantined(&server, false))?;
        *self.cache.quarantined.borrow_mut() = Some(waiting.iter().map(|q| q.order_id.clone()).collect());
        let mut stored = Vec::new();
        for q in waiting {
            match decode_stored(self.shop, &q.payload) {
                Ok(order) => stored.push(order),
                Err(reason) => report.quarantined.push(SetAside { order: q.order_number, reason }),
            }
        }
        for page in stored.chunks(super::bench::page()) {
            self.check_cancel()?;
            self.import_list(page, has_log, &links, report)?;
            self.acknowledge_queued(report);
        }

        self.offer_repairs(report)?;
        let mut cursor = self.rt.block_on(self.state.cursor(&server, "orders"))?;
        let mut seen: HashSet<String> = cursor.iter().cloned().collect();
        let mut pages = 0u32;
        let mut next_page = None;
        loop {
            self.check_cancel()?;
            let page = match next_page.take() {
                Some(ahead) => self.take(ahead)?,
                None => self.shop_call(self.shop.orders(cursor.as_deref()))?,
            };
            pages += 1;
            let advanced = page.next_cursor.is_some() && page.next_cursor != cursor;
            // The next page is read from the shop while this one is written (only where the
            // checks below will go on to it; dropped unread, the call stops).
            if let Some(next) = page.next_cursor.clone().filter(|n| page.has_more && advanced && !seen.contains(n) && pages < MAX_ORDER_PAGES) {
                next_page = Some(self.ahead(move |shop| async move { shop.orders(Some(&next)).await }));
            }
            // Each order decoded on its own: a malformed one is set aside as it came, the rest go on.
            let mut orders = Vec::new();
            for raw in &page.items {
                match self.shop.decode_order(raw) {
                    Ok(order) => orders.push(order),
                    Err(bad) => self.set_aside_malformed(bad, raw.to_string(), report)?,
                }
            }
            *self.cache.page_cursor.borrow_mut() = cursor.clone();
            self.import_list(&orders, has_log, &links, report)?;
            *self.cache.page_cursor.borrow_mut() = None;
            if advanced && !self.dry_run {
                if let Some(next) = &page.next_cursor {
                    self.rt.block_on(self.state.set_cursor(&server, "orders", next))?;
                }
            }
            self.acknowledge_queued(report);
            let done = report.imported.len() as u64 + report.planned.len() as u64 + report.already_imported + report.quarantined.len() as u64;
            self.events.send(RunEvent::Progress { phase: Phase::Import, done, total: None });
            if !page.has_more {
                break;
            }
            let Some(next) = page.next_cursor.filter(|_| advanced) else {
                return Err(RunError::Shop {
                    message: Msg::CursorNoNext.with(crate::i18n::current(), &[("cursor", &format!("{cursor:?}"))]),
                    kind: crate::kinds::FailureKind::ShopRefused,
                });
            };
            if !seen.insert(next.clone()) {
                return Err(RunError::Shop {
                    message: Msg::CursorCircle.with(crate::i18n::current(), &[("cursor", &next)]),
                    kind: crate::kinds::FailureKind::ShopRefused,
                });
            }
            if pages >= MAX_ORDER_PAGES {
                self.events.say(NoteLevel::Info, Msg::PageCapReached.with(crate::i18n::current(), &[("pages", &pages)]));
                break;
            }
            cursor = Some(next);
        }
        Ok(())
    }

    /// Says so when partners an earlier obmen made have the wrong role (a one-off repair).
    pub(super) fn offer_repairs(&self, report: &mut ImportReport) -> Result<(), RunError> {
        let role = self.settings.rules.partner_role.role();
        let wrong = self.wh.partners_not_in_role(self.shop.identity().partner_prefix, role)?;
        if !wrong.is_empty() {
            let role = format!("{role:?}");
            let note = Msg::RepairOffer.with(crate::i18n::current(), &[("count", &wrong.len()), ("role", &role), ("server", &self.settings.name)]);
            self.events.say(NoteLevel::Warn, note.clone());
            report.notes.push(note);
        }
        Ok(())
    }

    /// Imports these orders now (a retry from the quarantine), outside the cursor.
    pub(crate) fn import_orders(&mut self, orders: &[Order], report: &mut ImportReport) -> Result<(), RunError> {
        let (has_log, links) = self.begin()?;
        self.import_list(orders, has_log, &links, report)?;
        self.acknowledge_queued(report);
        Ok(())
    }

    /// What every import starts with: the import log (made where it is missing, unless this is a
    /// dry run; whether it exists) and the goods linked to shop SKUs.
    pub(super) fn begin(&mut self) -> Result<(bool, HashMap<String, i32>), RunError> {
        let has_log = if self.dry_run {
            self.wh.has_import_log()?
        } else {
            self.wh.ensure_import_log()?;
            true
        };
        let links = sku_index(&self.rt.block_on(self.state.links(&self.settings.name, "good"))?);
        Ok((has_log, links))
    }

    /// Imports a list of orders, a page at a time. An order that appears twice is taken once, as
    /// it was last seen.
    pub(super) fn import_list(&mut self, orders: &[Order], has_log: bool, links: &HashMap<String, i32>, report: &mut ImportReport) -> Result<(), RunError> {
        let last: HashMap<&str, usize> = orders.iter().enumerate().map(|(i, o)| (o.id.as_str(), i)).collect();
        let unique: Vec<&Order> = orders.iter().enumerate().filter(|(i, o)| last[o.id.as_str()] == *i).map(|(_, o)| o).collect();
        for page in unique.chunks(super::bench::page()) {
            self.import_page(page, has_log, links, report)?;
        }
        Ok(())
    }

    /// Imports a page of orders: those already imported are noted, the others checked and
    /// resolved (look-ups for the whole page at once), then written in one transaction. Errors
    /// returned stop the run (the database or the shop is unusable); everything about an order
    /// itself sends it to the quarantine.
    pub(super) fn import_page(&mut self, orders: &[&Order], has_log: bool, links: &HashMap<String, i32>, report: &mut ImportReport) -> Result<(), RunError> {
        let server = self.settings.name.clone();
        let done = if has_log {
            let ids: Vec<&str> = orders.iter().map(|o| o.id.as_str()).collect();
            self.wh.imported_many(self.source(), &ids)?
        } else {
            HashMap::new()
        };
        let mut todo = Vec::new();
        for order in orders {
            if let Some(done) = done.get(&order.id) {
                report.already_imported += 1;
                if !done.acknowledged && !self.dry_run {
                    self.queue_ack(&order.id, &order.number, done.oper_type, done.acct);
                }
                if !self.dry_run && self.maybe_quarantined(&order.id) {
                    self.rt.block_on(self.state.resolve_quarantine(&server, &order.id))?;
                }
                continue;
            }
            if let Some(document) = &order.acknowledged_as {
                report.skipped.push(Msg::AckedElsewhere.with(crate::i18n::current(), &[("order", &order.number), ("document", document)]));
                continue;
            }
            todo.push(*order);
        }
        let index = self.partner_index(&todo)?;
        let currencies = self.currencies()?;
        let parsed: Vec<Result<_, String>> = todo
            .iter()
            .map(|order| currencies.of(&order.currency).and_then(|(id, rate)| parse(order, Limits::of(self.settings)).map(|p| p.in_base(id, rate))))
            .collect();
        let found = self.page_goods(&parsed.iter().flatten().collect::<Vec<_>>(), links)?;
        let mut ready = Vec::new();
        for (order, parsed) in todo.into_iter().zip(parsed) {
            let resolved = match parsed {
                Ok(parsed) => self.resolve(&parsed, links, &found, &index)?.map(|(goods, partner)| Ready { parsed, goods, partner }),
                Err(reason) => Err(reason),
            };
            match resolved {
                Ok(r) => ready.push(r),
                Err(reason) => self.set_aside(order, reason, report)?,
            }
        }
        report.notes.append(&mut self.cache.partner_notes.borrow_mut());
        if self.dry_run {
            return self.plan(&ready, report);
        }
        self.write_page(ready, report)
    }

    /// Writes orders ready to write, together; when that fails as a whole, one by one.
    pub(super) fn write_page(&mut self, ready: Vec<Ready<'_>>, report: &mut ImportReport) -> Result<(), RunError> {
        if ready.is_empty() {
            return Ok(());
        }
        // Provenance: each order kept as the shop sent it before its document is written, so
        // that a crash between the two never leaves a document whose order was not kept.
        let receiving: Vec<Receiving<'_>> =
            ready.iter().map(|r| Receiving { order_id: &r.parsed.order.id, order_number: &r.parsed.order.number, payload: &r.parsed.order.raw }).collect();
        let cursor = self.cache.page_cursor.borrow().clone();
        self.rt.block_on(self.state.receive_orders(&self.settings.name, self.source(), self.cache.run_id, cursor.as_deref(), &receiving))?;
        match self.write(&ready) {
            Ok(page) => {
                self.cache.service_goods.borrow_mut().extend(page.service_goods);
                report.goods_created.extend(page.goods_created);
                report.partners_created.extend(page.partners_created);
                let booked: Vec<(&str, &str, String)> = ready
                    .iter()
                    .zip(&page.outcomes)
                    .filter_map(|(r, o)| o.as_ref().ok().map(|(acct, _)| (r.parsed.order.id.as_str(), r.parsed.order.raw.as_str(), document_number(*acct))))
                    .collect();
                self.rt.block_on(self.state.orders_booked(&self.settings.name, &booked))?;
                for (r, outcome) in ready.iter().zip(page.outcomes) {
                    let order = r.parsed.order;
                    match outcome {
                        Ok((acct, total)) => {
                            self.events.send(RunEvent::OrderImported { order: order.number.clone(), document: document_number(acct) });
                            report.imported.push(ImportedOrder { order: order.number.clone(), document: document_number(acct), total });
                            if self.maybe_quarantined(&order.id) {
                                self.rt.block_on(self.state.resolve_quarantine(&self.settings.name, &order.id))?;
                            }
                            self.queue_ack(&order.id, &order.number, self.settings.rules.oper_type(), acct);
                        }
                        Err(reason) => self.set_aside(order, reason, report)?,
                    }
                }
                Ok(())
            }
            Err(e) if ready.len() > 1 => {
                report.pages_one_by_one += 1;
                tracing::info!(server = %self.settings.name, error = %e, orders = ready.len(), "A page of orders could not be written together; writing them one by one.");
                for r in ready {
                    self.write_page(vec![r], report)?;
                }
                Ok(())
            }
            Err(e) => {
                let order = ready[0].parsed.order;
                match e {
                    e if e.is_duplicate_key() && self.wh.imported(self.source(), &order.id)?.is_some() => {
                        // Another process imported it between our look and our write: nothing was written here.
                        report.already_imported += 1;
                        Ok(())
                    }
                    e @ (WarehouseError::InsufficientStock { .. } | WarehouseError::TextTooLong { .. } | WarehouseError::Invalid(_)) => {
                        self.set_aside(order, e.to_string(), report)
                    }
                    e => Err(RunError::from(e).context(&format!("importing shop order {}", order.number))),
                }
            }
        }
    }

    /// Sets aside an order the shop sent in a shape obmen cannot read, with its JSON as it came.
    pub(super) fn set_aside_malformed(&mut self, m: Undecodable, raw: String, report: &mut ImportReport) -> Result<(), RunError> {
        let keep = !self.already_imported(&m.id)?;
        self.record_set_aside(&m.id, m.number, m.reason, keep.then_some(raw.as_str()), report)
    }

    /// True when the import log has this order (a malformed copy of an imported order changes
    /// nothing: it is in Warehouse Pro already).
    pub(super) fn already_imported(&self, order_id: &str) -> Result<bool, RunError> {
        Ok(self.wh.has_import_log()? && self.wh.imported(self.source(), order_id)?.is_some())
    }

    pub(super) fn set_aside(&mut self, order: &Order, reason: String, report: &mut ImportReport) -> Result<(), RunError> {
        self.record_set_aside(&order.id, order.number.clone(), reason, Some(&order.raw), report)
    }

    /// Sets an order aside: kept in the quarantine with `payload` (unless this is a dry run, or
    /// there is nothing to keep), told to the shop where it has a place for it, logged, told as
    /// an event and reported.
    pub(super) fn record_set_aside(
        &mut self,
        id: &str,
        number: String,
        reason: String,
        payload: Option<&str>,
        report: &mut ImportReport,
    ) -> Result<(), RunError> {
        if let (false, Some(payload)) = (self.dry_run, payload) {
            let server = self.settings.name.clone();
            let entry = self.rt.block_on(self.state.quarantine(&server, id, &number, &reason, payload))?;
            // Told once, not on each try of the quarantine: a telling costs a request of the shop's budget.
            if !entry.shop_told {
                match self.shop_call(self.shop.set_aside(id, &reason)) {
                    Ok(()) => self.rt.block_on(self.state.quarantine_told(&server, id))?,
                    Err(RunError::Stopped) => return Err(RunError::Stopped),
                    // The order is in the quarantine, which is what counts; the shop hears of it next time.
                    Err(e) => self.events.say(NoteLevel::Warn, Msg::ShopNotToldSetAside.with(crate::i18n::current(), &[("order", &number), ("error", &e)])),
                }
            }
        }
        tracing::warn!(order = %number, reason = %reason, "Order set aside in the quarantine.");
        self.events.send(RunEvent::OrderSetAside { order: number.clone(), reason: reason.clone() });
        report.quarantined.push(SetAside { order: number, reason });
        Ok(())
    }
}

/// An order kept in the quarantine, decoded again by its shop; the error is why it cannot be.
pub(super) fn decode_stored<S: Shop>(shop: &S, payload: &str) -> Result<Order, String> {
    let unreadable = |error: &dyn std::fmt::Display| Msg::StoredOrderUnreadable.with(crate::i18n::current(), &[("error", error)]);
    let raw: serde_json::Value = serde_json::from_str(payload).map_err(|e| unreadable(&e))?;
    shop.decode_order(&raw).map_err(|bad| unreadable(&bad.reason))
}
