//! Export: goods (with `export_goods`), partners (with `export_partners`) and available
//! quantities at the server's object go to the shop in batches. What was sent is fingerprinted in
//! obmen's state after the shop accepted each batch, so a later export sends only what changed,
//! and an export cut short resumes where it stopped.
//!
//! Goods go by the shop's SKU: the linked one where nomenclature linking joined the two, else the
//! good's code. Quantities go for the goods the shop has: all of them when goods are exported,
//! else the shop's own products. A quantity below zero is sent as 0.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::bench;
use super::session::Ctx;
use super::settings::GoodsKey;
use super::shop::{Contact, ExportCustomer, ExportProduct, Refusal, Shop, StockLevel};
use super::snapshot::{milli, moved_goods, read_snapshot, Level, StockSnapshot, StoredSnapshot, SENT, SNAPSHOT_KIND};
use crate::i18n::Msg;
use crate::kinds::{Phase, RunError, RunEvent};
use crate::warehouse::Warehouse;

/// What an export run did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExportReport {
    /// True when every good was read (the first export, after goods, links or settings changed,
    /// or a day after the last such export); false when only quantities were compared.
    pub read_every_good: bool,
    /// Products sent (new or changed).
    pub products_sent: u64,
    /// Products unchanged since the last export, not sent.
    pub products_unchanged: u64,
    /// Customers sent.
    pub customers_sent: u64,
    /// Customers unchanged, not sent.
    pub customers_unchanged: u64,
    /// Stock levels sent.
    pub stock_sent: u64,
    /// Prices sent apart from their products (a shop that takes them so), changed alone.
    #[serde(default)]
    pub prices_sent: u64,
    /// Stock levels unchanged, not sent.
    pub stock_unchanged: u64,
    /// Items the shop refused or does not have, with why.
    pub refused: Vec<Refused>,
    /// Partners that cannot be exported (no code and no e-mail to key them by).
    pub skipped: Vec<String>,
}

/// What kind of record the shop refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A product.
    Product,
    /// A customer.
    Customer,
    /// A stock level.
    Stock,
    /// A price sent apart from its product.
    Price,
}

/// One record the shop refused, as the client returned it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    /// What kind of record.
    pub item: ItemKind,
    /// Its key in the shop (SKU, customer key).
    pub key: String,
    /// The shop's reason.
    pub reason: String,
}

impl Refused {
    /// A shop's refusal of a record of this kind.
    fn of(item: ItemKind, r: &Refusal) -> Refused {
        Refused { item, key: r.key.clone(), reason: r.reason.clone() }
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.item {
            ItemKind::Product => Msg::RefusedProduct,
            ItemKind::Customer => Msg::RefusedCustomer,
            ItemKind::Stock => Msg::RefusedStock,
            ItemKind::Price => Msg::RefusedPrice,
        };
        f.write_str(&what.with(crate::i18n::current(), &[("key", &self.key), ("reason", &self.reason)]))
    }
}

impl ExportReport {
    /// True when something was refused.
    pub fn has_problems(&self) -> bool {
        !self.refused.is_empty()
    }
}

/// What [`Ctx::send`] did: how many items changed (sent, or in a dry run to be sent), how many
/// had not, and the keys the shop took.
struct Sent {
    sent: u64,
    unchanged: u64,
    accepted: HashSet<String>,
}

/// The fingerprints of prices sent apart from their products.
const PRICE_KIND: &str = "price";

/// The keys a shop refused, and the refusals as the report says them.
fn refused_keys(item: ItemKind, refusals: &[Refusal]) -> (HashSet<String>, Vec<Refused>) {
    (refusals.iter().map(|r| r.key.clone()).collect(), refusals.iter().map(|r| Refused::of(item, r)).collect())
}

/// Items to send: (key, item, its fingerprint).
type Changed<'i, T> = Vec<(&'i str, &'i T, String)>;

/// A short fingerprint of what is sent.
fn fingerprint<T: Serialize>(item: &T) -> String {
    // Export items are obmen's own structs, which always serialise; were one not to, its error
    // text is fingerprinted instead (a change, not a silent match).
    let json = serde_json::to_vec(item).unwrap_or_else(|e| e.to_string().into_bytes());
    hex::encode(&Sha256::digest(&json)[..12])
}

/// How many goods the full export reads in one batch.
pub const EXPORT_READ_BATCH: usize = 5000;
/// How many batches read may wait to be sent: the reader stops while they do.
pub const BATCHES_AHEAD: usize = 2;
/// How many requests of the export may be under way at once: a shop far away costs a round trip
/// for every few batches, not for each (the shop's own limits still hold: its client waits when
/// told to).
pub const REQUESTS_IN_FLIGHT: usize = 8;

/// What was last sent of products and prices (see [`Ctx::last_fingerprints`]).
struct Fingerprints {
    product: HashMap<String, String>,
    price: HashMap<String, String>,
}

/// What the full export gathers as it sends the batches read.
struct Batches {
    /// The snapshot of what the shop was told before.
    old: StockSnapshot,
    /// Every good considered, with what it will have been told (the snapshot to come).
    considered: HashMap<i32, Level>,
    /// Goods the shop will know by their code once exported: linked after it took them.
    unlinked: Vec<(i64, String)>,
    last: Fingerprints,
}

/// The quantities' checksum, and the quantities themselves where they had to be read.
type Quantities = (String, Option<Vec<(i32, f64)>>);

impl<S: Shop> Ctx<'_, S> {
    /// Runs the export. When nothing about the goods changed since the last full export (their
    /// signature, the links and the settings are the same) and it was less than a day ago, only
    /// quantities are compared: first a checksum of the balance rows and open orders at the
    /// object, and only when it differs from the snapshot's, every good's available quantity
    /// (numbers only) against the snapshot of what the shop was told; the goods whose quantity
    /// moved are read and sent. Otherwise every good is read, products and quantities compared
    /// and sent.
    pub(crate) fn export(&mut self, report: &mut ExportReport) -> Result<(), RunError> {
        let server = self.settings.name.clone();
        // Three things at once: the goods' signature (this connection); the quantities' checksum,
        // then the quantities themselves unless the snapshot has that checksum (a second
        // connection); and the snapshot of what the shop was last told (obmen's state), whose
        // checksum it hands to the second.
        let (connection, dialect, object_id) = (self.settings.database.connection.expose().to_owned(), self.settings.database.dialect, self.object.id);
        let counter = self.wh.statement_counter();
        let timeouts = self.settings.timeouts();
        let now = chrono::Utc::now().timestamp();
        let (known_tx, known_rx) = std::sync::mpsc::channel::<Option<String>>();
        let span = tracing::Span::current();
        let (signature, quantities, state) = std::thread::scope(|scope| {
            let quantities = scope.spawn(move || {
                span.in_scope(|| -> Result<Quantities, crate::warehouse::WarehouseError> {
                    let wh = Warehouse::connect_with(&connection, dialect, timeouts)?.counting_into(counter);
                    // The checksum first: quantities read after it are never older than it.
                    let checksum = wh.quantities_checksum(object_id)?;
                    let known = known_rx.recv().ok().flatten();
                    let rows = if known.as_deref() == Some(checksum.as_str()) { None } else { Some(wh.available_by_good(object_id)?) };
                    Ok((checksum, rows))
                })
            });
            let span = tracing::Span::current();
            let (state, rt, events) = (self.state, self.rt, self.events);
            let server = &server;
            let read_state = scope.spawn(move || {
                span.in_scope(|| {
                    let read = read_snapshot(state, rt, server, events);
                    // The checksum the quantities may be skipped by: only a snapshot that may serve,
                    // with nothing waiting to be sent.
                    let known = read.as_ref().ok().filter(|(links, s)| s.may_serve(now, links) && !s.waiting()).map(|(_, s)| s.quantities.clone());
                    let _ = known_tx.send(known);
                    read
                })
            });
            let signature = self.export_signature();
            let quantities = quantities.join().map_err(|_| super::session::stopped_unexpectedly(Msg::WhatReadingQuantities, &"panic"));
            let state = read_state.join().unwrap_or_else(|_| Err(super::session::stopped_unexpectedly(Msg::WhatReadingSnapshot, &"panic")));
            (signature, quantities, state)
        });
        let (links, mut snapshot) = state?;
        if self.full {
            // As if the shop had been told nothing: every good read and sent.
            snapshot = StoredSnapshot::default();
        }
        let (checksum, available) = quantities??;
        let signature = signature?;
        let quick = snapshot.may_serve(now, &links) && snapshot.signature == signature;
        report.read_every_good = !quick;
        match (quick, available) {
            (true, None) => {
                // Not a balance row or open order changed, and the shop has every level: nothing to do.
                let to_shop = (0..snapshot.ids.len()).filter(|i| !snapshot.sku(*i).is_empty()).count() as u64;
                if self.settings.rules.export_goods {
                    report.products_unchanged = to_shop;
                }
                report.stock_unchanged = snapshot.flags.iter().filter(|f| *f & SENT != 0).count() as u64;
            }
            (true, Some(available)) => self.export_changed_quantities(snapshot, available, checksum, &links, report)?,
            (false, _) => self.export_everything(snapshot.into_snapshot(), signature, checksum, now, &links, report)?,
        }
        if self.settings.rules.export_partners {
            self.check_cancel()?;
            let customers = self.customers(report)?;
            let (sent, unchanged) = self.send_customers(&customers, report)?;
            report.customers_sent = sent;
            report.customers_unchanged = unchanged;
        }
        Ok(())
    }

    /// What the goods are exported with: the goods' own signature, the VAT rates, the object and
    /// its price group, whether goods are exported, and the currency their prices go in at its
    /// factor. (Links are checked against the snapshot itself: see [`links_agree`].)
    fn export_signature(&self) -> Result<String, RunError> {
        let price = match self.price_factor()? {
            Some(Ok(factor)) => format!("{} x{factor}", self.shop.identity().price_currency),
            Some(Err(_)) => format!("{} none", self.shop.identity().price_currency),
            None => String::new(),
        };
        Ok(format!(
            "{}|object {} group {}|goods {}|price {price}",
            self.wh.goods_signature(self.object)?,
            self.object.id,
            self.object.price_group,
            self.settings.rules.export_goods
        ))
    }

    /// With `export_goods`: what a price in the database's base currency is multiplied by to be
    /// in the shop's currency, or why no price can be sent.
    fn price_factor(&self) -> Result<Option<Result<f64, String>>, RunError> {
        if !self.settings.rules.export_goods {
            return Ok(None);
        }
        Ok(Some(self.currencies()?.price_factor(&self.shop.identity().price_currency)))
    }

    /// The SKU a good goes by: its link, else its code.
    fn sku(links: &HashMap<i64, String>, id: i32, code: &str) -> String {
        links.get(&(id as i64)).cloned().unwrap_or_else(|| code.to_owned())
    }

    /// Every good read; products (with `export_goods`) and quantities sent where they changed.
    /// Reading and sending overlap: the goods are read on a second connection, a batch of
    /// [`EXPORT_READ_BATCH`] at a time, while the batches read before are sent (each batch's
    /// products before its quantities); at most [`BATCHES_AHEAD`] batches wait between the two,
    /// so memory stays flat and the export costs about the longer of reading and sending, not
    /// their sum.
    fn export_everything(
        &mut self,
        old: StockSnapshot,
        signature: String,
        checksum: String,
        now: i64,
        links: &HashMap<i64, String>,
        report: &mut ExportReport,
    ) -> Result<(), RunError> {
        let server = self.settings.name.clone();
        let price_factor = self.price_factor()?;
        if let Some(Err(reason)) = &price_factor {
            // No price can be told in the shop's currency: no product goes, and none is linked.
            report.refused.push(Refused { item: ItemKind::Product, key: self.shop.identity().price_currency.clone(), reason: reason.clone() });
        }
        // Quantities only for what the shop sells, where goods are not exported.
        let known: Option<HashSet<String>> = if self.settings.rules.export_goods { None } else { Some(self.product_index()?.keys().cloned().collect()) };
        let mut batches = Batches { old, considered: HashMap::new(), unlinked: Vec::new(), last: self.last_fingerprints()? };
        let (connection, dialect, timeouts) = (self.settings.database.connection.expose().to_owned(), self.settings.database.dialect, self.settings.timeouts());
        let (counter, object) = (self.wh.statement_counter(), self.object.clone());
        let read_then_send = bench::READ_THEN_SEND.load(std::sync::atomic::Ordering::Relaxed);
        let span = tracing::Span::current();
        let (sent, read) = std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<crate::warehouse::GoodStock>>(BATCHES_AHEAD);
            let reader = scope.spawn(move || {
                span.in_scope(|| -> Result<(), crate::warehouse::WarehouseError> {
                    let t = std::time::Instant::now();
                    let wh = Warehouse::connect_with(&connection, dialect, timeouts)?.counting_into(counter);
                    // A sender that stopped (an error, the run stopped) stops the reading.
                    let stopped = || crate::warehouse::WarehouseError::Invalid(Msg::WhatReadingGoods.get(crate::i18n::current()).into());
                    if read_then_send {
                        let mut all = Vec::new();
                        wh.for_each_good_with_available(&object, EXPORT_READ_BATCH, |batch| {
                            all.push(batch);
                            Ok(())
                        })?;
                        bench::note(&bench::READ_MS, t);
                        return all.into_iter().try_for_each(|batch| tx.send(batch).map_err(|_| stopped()));
                    }
                    wh.for_each_good_with_available(&object, EXPORT_READ_BATCH, |batch| tx.send(batch).map_err(|_| stopped()))
                })
            });
            let sent = self.send_batches(rx, &mut batches, price_factor.as_ref(), known.as_ref(), links, report);
            let read = reader.join().map_err(|_| super::session::stopped_unexpectedly(Msg::WhatReadingGoods, &"panic"));
            (sent, read)
        });
        let Batches { old, considered, unlinked, .. } = batches;
        // A stopped sender is the error to tell; else a failed read.
        let sent = sent.and_then(|()| Ok(read??));
        if matches!(price_factor, Some(Ok(_)))
            && sent.is_ok()
            && self.settings.rules.export_goods
            && !self.dry_run
            && self.settings.rules.goods_compare_by != GoodsKey::Code
        {
            // Known by code, a good's SKU is its code: a link would say nothing more. Goods the
            // shop has under their code (all but those it refused) are linked to it.
            let refused: HashSet<&str> = report.refused.iter().filter(|r| r.item == ItemKind::Product).map(|r| r.key.as_str()).collect();
            let unlinked: Vec<(i64, String)> = unlinked.into_iter().filter(|(_, sku)| !refused.contains(sku.as_str())).collect();
            if !unlinked.is_empty() {
                self.rt.block_on(self.state.set_links(&server, "good", &unlinked))?;
            }
        }
        let mut snapshot = StockSnapshot { signature: String::new(), full_at: old.full_at, quantities: String::new(), goods: considered };
        // Only a finished export with nothing refused lets the next one go by the snapshot.
        if sent.is_ok() && report.refused.is_empty() {
            snapshot.signature = signature;
            snapshot.full_at = now;
            snapshot.quantities = checksum;
        }
        self.save_snapshot(&snapshot)?;
        sent
    }

    /// Sends the goods read, a batch as it comes: its products that changed (with
    /// `export_goods`), then its quantities the shop does not have.
    fn send_batches(
        &self,
        rx: std::sync::mpsc::Receiver<Vec<crate::warehouse::GoodStock>>,
        b: &mut Batches,
        price_factor: Option<&Result<f64, String>>,
        known: Option<&HashSet<String>>,
        links: &HashMap<i64, String>,
        report: &mut ExportReport,
    ) -> Result<(), RunError> {
        let shop = self.shop.identity().clone();
        let mut first: Option<std::time::Instant> = None;
        for batch in rx {
            first.get_or_insert_with(std::time::Instant::now);
            self.check_cancel()?;
            let mut products: Vec<(String, ExportProduct)> = Vec::new();
            let mut levels: Vec<(i32, StockLevel)> = Vec::new();
            // Levels the shop has already, of every good considered (a good with no SKU, or not
            // sold there, too), as the snapshot says.
            let mut unchanged = 0u64;
            for g in batch {
                // obmen's own service goods (shipping, discounts) are no products.
                if g.code == shop.shipping.code || g.code == shop.discount.code {
                    continue;
                }
                let sku = Self::sku(links, g.id, &g.code);
                let linked = links.contains_key(&(g.id as i64));
                if !linked {
                    b.unlinked.push((g.id as i64, g.code.clone()));
                }
                let qty = milli(g.available);
                // What the shop already has, it keeps: the old snapshot's word for each good.
                let sent = b.old.goods.get(&g.id).is_some_and(|was| was.sent && was.sku == sku && was.milli == qty);
                unchanged += u64::from(sent);
                b.considered.insert(g.id, Level { sku: sku.clone(), milli: qty, sent, linked });
                if sku.trim().is_empty() {
                    continue;
                }
                if let Some(Ok(factor)) = price_factor {
                    let product = ExportProduct {
                        sku: sku.clone(),
                        name: g.name.clone(),
                        barcodes: g.barcodes.clone(),
                        measure: g.measure.clone(),
                        gross_price: g.price * (1.0 + g.vat_percent / 100.0) * factor,
                        vat_percent: g.vat_percent,
                    };
                    products.push((sku.clone(), product));
                }
                if known.is_none_or(|k| k.contains(&sku)) {
                    levels.push((g.id, StockLevel { sku, thousandths: qty }));
                }
            }
            if let Some(Ok(_)) = price_factor {
                if self.settings.rules.export_goods {
                    let (sent, unchanged) = self.send_products(&products, &b.last, report)?;
                    report.products_sent += sent;
                    report.products_unchanged += unchanged;
                }
            }
            report.stock_unchanged += unchanged;
            report.stock_sent += self.send_levels_of(&levels, &mut b.considered, report)?;
        }
        if let Some(first) = first {
            bench::note(&bench::SEND_MS, first);
        }
        Ok(())
    }

    /// Only quantities: the goods whose available quantity differs from the snapshot's are read
    /// and their levels sent.
    fn export_changed_quantities(
        &mut self,
        stored: StoredSnapshot,
        available: Vec<(i32, f64)>,
        checksum: String,
        links: &HashMap<i64, String>,
        report: &mut ExportReport,
    ) -> Result<(), RunError> {
        let moved = moved_goods(&stored, &available);
        // The working snapshot holds only the goods that moved (or wait to be sent); the rest
        // stays in the stored columns as it is, and is merged back at the end: a 1% run builds
        // a thousand records, not a hundred thousand.
        let waiting: Vec<i32> = (0..stored.ids.len()).filter(|i| stored.flags[*i] & SENT == 0 && !stored.sku(*i).is_empty()).map(|i| stored.ids[i]).collect();
        let mut snapshot = StockSnapshot {
            signature: stored.signature.clone(),
            full_at: stored.full_at,
            quantities: String::new(),
            goods: moved.iter().chain(&waiting).filter_map(|id| stored.level(*id).map(|l| (*id, l))).collect(),
        };
        let available_of = |id: i32| available.binary_search_by_key(&id, |(g, _)| *g).ok().map(|i| available[i].1).unwrap_or(0.0);
        let mut to_read: Vec<i32> = moved.iter().chain(&waiting).copied().collect();
        to_read.sort_unstable();
        to_read.dedup();
        let moved = to_read;
        // Levels the shop has of the goods outside the working set: unchanged by this run.
        let sent_outside = (0..stored.ids.len()).filter(|i| stored.flags[*i] & SENT != 0 && moved.binary_search(&stored.ids[*i]).is_err()).count() as u64;
        let mut goods = if moved.is_empty() { Vec::new() } else { self.wh.goods_by_ids(self.object, &moved)? };
        for g in &mut goods {
            g.available = available_of(g.id);
        }
        let mut known: Option<HashSet<String>> = None;
        if !self.settings.rules.export_goods && !goods.is_empty() {
            known = Some(self.product_index()?.keys().cloned().collect());
        }
        let shop = self.shop.identity();
        let mut levels = Vec::new();
        let mut found: HashSet<i32> = HashSet::new();
        for g in goods {
            found.insert(g.id);
            let qty = milli(g.available);
            if g.code == shop.shipping.code || g.code == shop.discount.code {
                snapshot.goods.insert(g.id, Level { sku: String::new(), milli: qty, sent: false, linked: false });
                continue;
            }
            let sku = Self::sku(links, g.id, &g.code);
            let sent = snapshot.goods.get(&g.id).is_some_and(|l| l.sent && l.sku == sku && l.milli == qty);
            let linked = links.contains_key(&(g.id as i64));
            snapshot.goods.insert(g.id, Level { sku: sku.clone(), milli: qty, sent, linked });
            if sku.trim().is_empty() || known.as_ref().is_some_and(|k| !k.contains(&sku)) {
                continue;
            }
            levels.push((g.id, StockLevel { sku, thousandths: qty }));
        }
        // Moved, but no live good (deleted, or a balance row of no good): nothing to tell the shop.
        for id in moved.into_iter().filter(|id| !found.contains(id)) {
            let qty = milli(available_of(id));
            snapshot.goods.insert(id, Level { sku: String::new(), milli: qty, sent: false, linked: false });
        }
        let sent = self.send_levels(&levels, &mut snapshot, report);
        let mut stored = stored.merge(snapshot.goods);
        stored.quantities = if sent.is_ok() && report.refused.is_empty() { checksum } else { String::new() };
        if !report.refused.is_empty() {
            stored.signature.clear();
        }
        // The counts over every good: send_levels counted the working set only.
        report.stock_unchanged += sent_outside;
        if self.settings.rules.export_goods {
            report.products_unchanged = (0..stored.ids.len()).filter(|i| !stored.sku(*i).is_empty()).count() as u64;
        }
        self.save_stored(&stored)?;
        sent
    }

    /// Sends the levels the snapshot does not have as sent, a batch at a time, marking each one
    /// the shop took. Counts what was sent and what was not needed.
    fn send_levels(&self, levels: &[(i32, StockLevel)], snapshot: &mut StockSnapshot, report: &mut ExportReport) -> Result<(), RunError> {
        report.stock_unchanged = snapshot.goods.values().filter(|l| l.sent).count() as u64;
        report.stock_sent = self.send_levels_of(levels, &mut snapshot.goods, report)?;
        Ok(())
    }

    /// Sends the levels `goods` does not have as sent, [`Shop::stock_batch`] at a time, marking
    /// each one the shop took; returns how many were to send.
    fn send_levels_of(&self, levels: &[(i32, StockLevel)], goods: &mut HashMap<i32, Level>, report: &mut ExportReport) -> Result<u64, RunError> {
        let changed: Vec<&(i32, StockLevel)> = levels.iter().filter(|(id, _)| !goods.get(id).is_some_and(|l| l.sent)).collect();
        if self.dry_run {
            return Ok(changed.len() as u64);
        }
        self.under_way(
            &changed,
            self.shop.stock_batch(),
            |shop, chunk| {
                let batch: Vec<StockLevel> = chunk.iter().map(|(_, l)| l.clone()).collect();
                async move { shop.set_stock(&batch).await }
            },
            |chunk, refusals| {
                let unknown: HashSet<&str> = refusals.iter().map(|r| r.key.as_str()).collect();
                report.refused.extend(refusals.iter().map(|r| Refused::of(ItemKind::Stock, r)));
                for (id, level) in chunk {
                    if !unknown.contains(level.sku.as_str()) {
                        if let Some(l) = goods.get_mut(id) {
                            l.sent = true;
                        }
                    }
                }
                Ok(())
            },
        )?;
        Ok(changed.len() as u64)
    }

    /// Sends `items` `batch` at a time through `request`, with up to [`REQUESTS_IN_FLIGHT`]
    /// requests under way at once, and hands each batch's answer (the shop's refusals) to
    /// `answered` in the batches' order, telling the progress as each comes.
    fn under_way<I, F>(
        &self,
        items: &[I],
        batch: usize,
        request: impl Fn(S, &[I]) -> F,
        mut answered: impl FnMut(&[I], Vec<Refusal>) -> Result<(), RunError>,
    ) -> Result<(), RunError>
    where
        F: std::future::Future<Output = Result<Vec<Refusal>, RunError>> + Send + 'static,
    {
        let mut done = 0u64;
        let mut under_way = std::collections::VecDeque::new();
        let mut chunks = items.chunks(batch.max(1)).peekable();
        while chunks.peek().is_some() || !under_way.is_empty() {
            while under_way.len() < REQUESTS_IN_FLIGHT {
                let Some(chunk) = chunks.next() else { break };
                self.check_cancel()?;
                under_way.push_back((chunk, self.ahead(|shop| request(shop, chunk))));
            }
            let Some((chunk, answer)) = under_way.pop_front() else { break };
            answered(chunk, self.take(answer)?)?;
            done += chunk.len() as u64;
            self.events.send(RunEvent::Progress { phase: Phase::Export, done, total: Some(items.len() as u64) });
        }
        Ok(())
    }

    fn save_snapshot(&self, snapshot: &StockSnapshot) -> Result<(), RunError> {
        self.save_stored(&StoredSnapshot::of(snapshot))
    }

    fn save_stored(&self, stored: &StoredSnapshot) -> Result<(), RunError> {
        if self.dry_run {
            return Ok(());
        }
        // postcard: a compact binary form, read and written in a few milliseconds for 100,000
        // goods (JSON took 60-80 ms each way).
        let data =
            postcard::to_stdvec(stored).map_err(|e| RunError::Setup { message: Msg::SnapshotNotWritten.with(crate::i18n::current(), &[("error", &e)]) })?;
        self.rt.block_on(self.state.set_snapshot(&self.settings.name, SNAPSHOT_KIND, &data))?;
        Ok(())
    }

    /// What was last sent of a kind, by key (nothing with `--full`).
    fn fingerprints_of(&self, kind: &str) -> Result<HashMap<String, String>, RunError> {
        Ok(if self.full { HashMap::new() } else { self.rt.block_on(self.state.fingerprints(&self.settings.name, kind))? })
    }

    /// What was last sent of products and of prices, read once an export.
    fn last_fingerprints(&self) -> Result<Fingerprints, RunError> {
        let goods = self.settings.rules.export_goods;
        Ok(Fingerprints {
            product: if goods { self.fingerprints_of("product")? } else { HashMap::new() },
            price: if goods && self.shop.prices_apart() { self.fingerprints_of(PRICE_KIND)? } else { HashMap::new() },
        })
    }

    /// Items whose fingerprint (of the shape they are sent in) differs from what was last sent.
    fn changed<'i, T>(last: &HashMap<String, String>, items: &'i [(String, T)], fingerprint: impl Fn(&T) -> String) -> (Changed<'i, T>, u64) {
        let mut changed = Vec::new();
        let mut unchanged = 0;
        for (key, item) in items {
            let fp = fingerprint(item);
            if last.get(key) == Some(&fp) {
                unchanged += 1;
            } else {
                changed.push((key.as_str(), item, fp));
            }
        }
        (changed, unchanged)
    }

    fn record<T>(&self, kind: &str, sent: &[(&str, &T, String)], refused: &HashSet<String>) -> Result<(), RunError> {
        if self.dry_run {
            return Ok(());
        }
        let items: Vec<(String, String)> = sent.iter().filter(|(k, _, _)| !refused.contains(*k)).map(|(k, _, fp)| (k.to_string(), fp.clone())).collect();
        self.rt.block_on(self.state.set_fingerprints(&self.settings.name, kind, &items))?;
        Ok(())
    }

    /// Sends the items that changed since `last`, `batch` at a time, through `request`, with up
    /// to [`REQUESTS_IN_FLIGHT`] requests under way at once; `refused` reads the shop's answer to
    /// a batch as the keys it refused and what to report. Each accepted batch's fingerprints are
    /// recorded as its answer comes, in order.
    #[allow(clippy::too_many_arguments)]
    fn send<T, F>(
        &self,
        kind: &str,
        last: &HashMap<String, String>,
        items: &[(String, T)],
        fingerprint: impl Fn(&T) -> String,
        batch: usize,
        report: &mut ExportReport,
        request: impl Fn(S, Vec<T>) -> F,
        refused: impl Fn(&[&T], &[Refusal]) -> (HashSet<String>, Vec<Refused>),
    ) -> Result<Sent, RunError>
    where
        T: Clone + Send + Sync + 'static,
        F: std::future::Future<Output = Result<Vec<Refusal>, RunError>> + Send + 'static,
    {
        let (changed, unchanged) = Self::changed(last, items, fingerprint);
        let mut accepted = HashSet::new();
        if self.dry_run {
            // As if the shop took every one.
            accepted.extend(changed.iter().map(|(k, _, _)| k.to_string()));
            return Ok(Sent { sent: changed.len() as u64, unchanged, accepted });
        }
        self.under_way(
            &changed,
            batch,
            |shop, chunk| request(shop, chunk.iter().map(|(_, item, _)| (*item).clone()).collect()),
            |chunk, refusals| {
                let batch: Vec<&T> = chunk.iter().map(|(_, item, _)| *item).collect();
                let (refused_keys, items) = refused(&batch, &refusals);
                report.refused.extend(items);
                self.record(kind, chunk, &refused_keys)?;
                accepted.extend(chunk.iter().map(|(k, _, _)| k.to_string()).filter(|k| !refused_keys.contains(k)));
                Ok(())
            },
        )?;
        Ok(Sent { sent: changed.len() as u64, unchanged, accepted })
    }

    /// Sends the products that changed since `last`: how many changed, and how many had not.
    /// Where the shop takes prices apart, a product's fingerprint leaves its price out and the
    /// prices that changed go after the products, in batches; a product just added or updated
    /// went with its price, which is recorded as sent.
    fn send_products(&self, products: &[(String, ExportProduct)], last: &Fingerprints, report: &mut ExportReport) -> Result<(u64, u64), RunError> {
        let apart = self.shop.prices_apart();
        let product_fingerprint = |p: &ExportProduct| {
            if apart {
                fingerprint(&self.shop.wire_product(&ExportProduct { gross_price: 0.0, ..p.clone() }))
            } else {
                fingerprint(&self.shop.wire_product(p))
            }
        };
        let sent = self.send(
            "product",
            &last.product,
            products,
            product_fingerprint,
            self.shop.upsert_batch(),
            report,
            |shop, batch| async move { shop.upsert_products(&batch).await },
            |_, refusals| refused_keys(ItemKind::Product, refusals),
        )?;
        if apart {
            self.send_prices(products, &sent.accepted, &last.price, report)?;
        }
        Ok((sent.sent, sent.unchanged))
    }

    /// The prices that changed, for a shop that takes them apart: those of products accepted this
    /// run went with them and are only recorded; the rest go [`Shop::stock_batch`] at a time.
    fn send_prices(
        &self,
        products: &[(String, ExportProduct)],
        with_product: &HashSet<String>,
        last: &HashMap<String, String>,
        report: &mut ExportReport,
    ) -> Result<(), RunError> {
        let price = |p: &ExportProduct| format!("{:.2}", crate::warehouse::document::round2(p.gross_price));
        let (changed, _) = Self::changed(last, products, price);
        let (went, to_send): (Vec<_>, Vec<_>) = changed.into_iter().partition(|(k, _, _)| with_product.contains(*k));
        self.record(PRICE_KIND, &went, &HashSet::new())?;
        let to_send: Vec<(String, ExportProduct)> = to_send.into_iter().map(|(k, p, _)| (k.to_owned(), p.clone())).collect();
        let sent = self.send(
            PRICE_KIND,
            &HashMap::new(),
            &to_send,
            price,
            self.shop.stock_batch(),
            report,
            |shop, batch| async move { shop.set_prices(&batch).await },
            |_, refusals| refused_keys(ItemKind::Price, refusals),
        )?;
        report.prices_sent += sent.sent;
        Ok(())
    }

    fn customers(&self, report: &mut ExportReport) -> Result<Vec<(String, ExportCustomer)>, RunError> {
        let links: HashMap<i64, String> = self.rt.block_on(self.state.links(&self.settings.name, "partner"))?;
        let mut out = Vec::new();
        let guest = self.settings.rules.guest_partner.trim();
        let guest_code = self.shop.identity().guest_code;
        for p in self.wh.partners()? {
            // The partner of guest orders stands for many people: no shop customer.
            if p.company == guest || p.code == guest || p.code == guest_code {
                continue;
            }
            let external = p.code.clone();
            if external.trim().is_empty() && p.email.trim().is_empty() {
                report.skipped.push(Msg::PartnerNoKey.with(crate::i18n::current(), &[("name", &p.company), ("id", &p.id)]));
                continue;
            }
            // A partner linked to a shop customer goes by that customer's e-mail, so the shop joins them.
            let email = match links.get(&(p.id as i64)) {
                Some(k) if k.contains('@') => k.clone(),
                _ => p.email.clone(),
            };
            let (first, last) = p.contact.split_once(' ').map(|(a, b)| (a.to_owned(), b.to_owned())).unwrap_or((p.contact.clone(), String::new()));
            let company = p.is_company();
            let customer = ExportCustomer {
                company,
                external_id: (!external.trim().is_empty()).then_some(external),
                contact: Contact {
                    email,
                    phone: p.phone.clone(),
                    first_name: first,
                    last_name: last,
                    company_name: if company { p.company.clone() } else { String::new() },
                    vat_number: p.vat_number.clone(),
                    company_number: p.company_number.clone(),
                },
                addressee: p.company.clone(),
                address: p.address.clone(),
                city: p.city.clone(),
            };
            out.push((customer.key(), customer));
        }
        Ok(out)
    }

    fn send_customers(&self, customers: &[(String, ExportCustomer)], report: &mut ExportReport) -> Result<(u64, u64), RunError> {
        // The shop names a refused customer by the key it matched it by (external id, else
        // e-mail); a refusal naming no customer of the batch holds the whole batch back, so that
        // every refused customer is sent again next run, as refused products are.
        let last = self.fingerprints_of("customer")?;
        self.send(
            "customer",
            &last,
            customers,
            |c| fingerprint(&self.shop.wire_customer(c)),
            self.shop.upsert_batch(),
            report,
            |shop, batch| async move { shop.upsert_customers(&batch).await },
            |batch, refusals| {
                let mut refused = HashSet::new();
                for r in refusals {
                    let named: Vec<String> = batch.iter().filter(|c| c.is_named(&r.key)).map(|c| c.key()).collect();
                    if named.is_empty() {
                        refused.extend(batch.iter().map(|c| c.key()));
                    } else {
                        refused.extend(named);
                    }
                }
                (refused, refusals.iter().map(|r| Refused::of(ItemKind::Customer, r)).collect())
            },
        )
        .map(|s| (s.sent, s.unchanged))
    }
}
