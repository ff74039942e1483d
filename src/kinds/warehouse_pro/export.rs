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
            let quantities = quantities.join().unwrap_or_else(|_| Err(crate::warehouse::WarehouseError::Invalid("reading quantities stopped".into())));
            let state = read_state.join().unwrap_or_else(|_| Err(RunError::Setup { message: "reading the last export's snapshot stopped".into() }));
            (signature, quantities, state)
        });
        let (links, mut snapshot) = state?;
        if self.full {
            // As if the shop had been told nothing: every good read and sent.
            snapshot = StoredSnapshot::default();
        }
        let (checksum, available) = quantities?;
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
        // The goods, with price and quantity at the object, in bound batches.
        let shop = self.shop.identity().clone();
        let mut products: Vec<(String, ExportProduct)> = Vec::new();
        let mut levels: Vec<(i32, StockLevel)> = Vec::new();
        // Goods the shop will know by their code once exported: linked after it took them.
        let mut unlinked: Vec<(i64, String)> = Vec::new();
        // Every good considered, with what it would be told (the snapshot to come).
        let mut considered: HashMap<i32, Level> = HashMap::new();
        let price_factor = self.price_factor()?;
        self.wh.for_each_good_with_available(self.object, 5000, |batch| {
            for g in batch {
                // obmen's own service goods (shipping, discounts) are no products.
                if g.code == shop.shipping.code || g.code == shop.discount.code {
                    continue;
                }
                let sku = Self::sku(links, g.id, &g.code);
                if !links.contains_key(&(g.id as i64)) {
                    unlinked.push((g.id as i64, g.code.clone()));
                }
                let qty = milli(g.available);
                let linked = links.contains_key(&(g.id as i64));
                considered.insert(g.id, Level { sku: sku.clone(), milli: qty, sent: false, linked });
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
                levels.push((g.id, StockLevel { sku, thousandths: qty }));
            }
            Ok(())
        })?;
        if !self.settings.rules.export_goods {
            // Quantities only for what the shop sells.
            let known = self.product_index()?;
            levels.retain(|(_, l)| known.contains_key(&l.sku));
        }

        if let Some(Err(reason)) = &price_factor {
            // No price can be told in the shop's currency: no product goes, and none is linked.
            report.refused.push(Refused { item: ItemKind::Product, key: self.shop.identity().price_currency.clone(), reason: reason.clone() });
        } else if self.settings.rules.export_goods {
            let (sent, unchanged) = self.send_products(&products, report)?;
            report.products_sent = sent;
            report.products_unchanged = unchanged;
            // Known by code, a good's SKU is its code: a link would say nothing more.
            if !self.dry_run && !unlinked.is_empty() && self.settings.rules.goods_compare_by != GoodsKey::Code {
                let refused: HashSet<&str> = report.refused.iter().filter(|r| r.item == ItemKind::Product).map(|r| r.key.as_str()).collect();
                unlinked.retain(|(_, sku)| !refused.contains(sku.as_str()));
                self.rt.block_on(self.state.set_links(&server, "good", &unlinked))?;
            }
        }
        // What the shop already has, it keeps: the old snapshot's word for each good.
        for (id, level) in considered.iter_mut() {
            if let Some(was) = old.goods.get(id) {
                level.sent = was.sent && was.sku == level.sku && was.milli == level.milli;
            }
        }
        let mut snapshot = StockSnapshot { signature: String::new(), full_at: old.full_at, quantities: String::new(), goods: considered };
        let sent = self.send_levels(&levels, &mut snapshot, report);
        // Only a finished export with nothing refused lets the next one go by the snapshot.
        if sent.is_ok() && report.refused.is_empty() {
            snapshot.signature = signature;
            snapshot.full_at = now;
            snapshot.quantities = checksum;
        }
        self.save_snapshot(&snapshot)?;
        sent
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
        let changed: Vec<&(i32, StockLevel)> = levels.iter().filter(|(id, _)| !snapshot.goods.get(id).is_some_and(|l| l.sent)).collect();
        report.stock_unchanged = snapshot.goods.values().filter(|l| l.sent).count() as u64;
        report.stock_sent = changed.len() as u64;
        if self.dry_run {
            return Ok(());
        }
        let mut done = 0u64;
        for chunk in changed.chunks(self.shop.stock_batch().max(1)) {
            self.check_cancel()?;
            let batch: Vec<StockLevel> = chunk.iter().map(|(_, l)| l.clone()).collect();
            let refusals = self.shop_call(self.shop.set_stock(&batch))?;
            let unknown: HashSet<&str> = refusals.iter().map(|r| r.key.as_str()).collect();
            report.refused.extend(refusals.iter().map(|r| Refused::of(ItemKind::Stock, r)));
            for (id, level) in chunk {
                if !unknown.contains(level.sku.as_str()) {
                    if let Some(l) = snapshot.goods.get_mut(id) {
                        l.sent = true;
                    }
                }
            }
            done += chunk.len() as u64;
            self.events.send(RunEvent::Progress { phase: Phase::Export, done, total: Some(changed.len() as u64) });
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

    /// Items whose fingerprint (of the shape they are sent in) differs from what was last sent.
    fn changed<'i, T>(&self, kind: &str, items: &'i [(String, T)], fingerprint: impl Fn(&T) -> String) -> Result<(Changed<'i, T>, u64), RunError> {
        let last = if self.full { HashMap::new() } else { self.rt.block_on(self.state.fingerprints(&self.settings.name, kind))? };
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
        Ok((changed, unchanged))
    }

    fn record<T>(&self, kind: &str, sent: &[(&str, &T, String)], refused: &HashSet<String>) -> Result<(), RunError> {
        if self.dry_run {
            return Ok(());
        }
        let items: Vec<(String, String)> = sent.iter().filter(|(k, _, _)| !refused.contains(*k)).map(|(k, _, fp)| (k.to_string(), fp.clone())).collect();
        self.rt.block_on(self.state.set_fingerprints(&self.settings.name, kind, &items))?;
        Ok(())
    }

    /// Sends the items that changed, `batch` at a time, through `call`, which answers the keys the
    /// shop refused and what to report; records each accepted batch's fingerprints.
    fn send<T: Clone>(
        &self,
        kind: &str,
        items: &[(String, T)],
        fingerprint: impl Fn(&T) -> String,
        batch: usize,
        report: &mut ExportReport,
        call: impl Fn(&[T]) -> Result<(HashSet<String>, Vec<Refused>), RunError>,
    ) -> Result<Sent, RunError> {
        let (changed, unchanged) = self.changed(kind, items, fingerprint)?;
        let mut accepted = HashSet::new();
        if self.dry_run {
            // As if the shop took every one.
            accepted.extend(changed.iter().map(|(k, _, _)| k.to_string()));
        } else {
            let mut done = 0u64;
            for chunk in changed.chunks(batch.max(1)) {
                self.check_cancel()?;
                let values: Vec<T> = chunk.iter().map(|(_, item, _)| (*item).clone()).collect();
                let (refused, items) = call(&values)?;
                report.refused.extend(items);
                self.record(kind, chunk, &refused)?;
                accepted.extend(chunk.iter().map(|(k, _, _)| k.to_string()).filter(|k| !refused.contains(k)));
                done += chunk.len() as u64;
                self.events.send(RunEvent::Progress { phase: Phase::Export, done, total: Some(changed.len() as u64) });
            }
        }
        Ok(Sent { sent: changed.len() as u64, unchanged, accepted })
    }

    /// Sends the products that changed. Where the shop takes prices apart, a product's
    /// fingerprint leaves its price out and the prices that changed go after the products, in
    /// batches; a product just added or updated went with its price, which is recorded as sent.
    fn send_products(&self, products: &[(String, ExportProduct)], report: &mut ExportReport) -> Result<(u64, u64), RunError> {
        let apart = self.shop.prices_apart();
        let product_fingerprint = |p: &ExportProduct| {
            if apart {
                fingerprint(&self.shop.wire_product(&ExportProduct { gross_price: 0.0, ..p.clone() }))
            } else {
                fingerprint(&self.shop.wire_product(p))
            }
        };
        let sent = self.send("product", products, product_fingerprint, self.shop.upsert_batch(), report, |batch| {
            Ok(refused_keys(ItemKind::Product, &self.shop_call(self.shop.upsert_products(batch))?))
        })?;
        if apart {
            self.send_prices(products, &sent.accepted, report)?;
        }
        Ok((sent.sent, sent.unchanged))
    }

    /// The prices that changed, for a shop that takes them apart: those of products accepted this
    /// run went with them and are only recorded; the rest go [`Shop::stock_batch`] at a time.
    fn send_prices(&self, products: &[(String, ExportProduct)], with_product: &HashSet<String>, report: &mut ExportReport) -> Result<(), RunError> {
        let price = |p: &ExportProduct| format!("{:.2}", crate::warehouse::document::round2(p.gross_price));
        let (changed, _) = self.changed(PRICE_KIND, products, price)?;
        let (went, to_send): (Vec<_>, Vec<_>) = changed.into_iter().partition(|(k, _, _)| with_product.contains(*k));
        self.record(PRICE_KIND, &went, &HashSet::new())?;
        let to_send: Vec<(String, ExportProduct)> = to_send.into_iter().map(|(k, p, _)| (k.to_owned(), p.clone())).collect();
        let sent = self.send(PRICE_KIND, &to_send, price, self.shop.stock_batch(), report, |batch| {
            Ok(refused_keys(ItemKind::Price, &self.shop_call(self.shop.set_prices(batch))?))
        })?;
        report.prices_sent = sent.sent;
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
        self.send(
            "customer",
            customers,
            |c| fingerprint(&self.shop.wire_customer(c)),
            self.shop.upsert_batch(),
            report,
            |batch| {
                let refusals = self.shop_call(self.shop.upsert_customers(batch))?;
                let mut refused = HashSet::new();
                for r in &refusals {
                    let named: Vec<String> = batch.iter().filter(|c| c.is_named(&r.key)).map(ExportCustomer::key).collect();
                    if named.is_empty() {
                        refused.extend(batch.iter().map(ExportCustomer::key));
                    } else {
                        refused.extend(named);
                    }
                }
                Ok((refused, refusals.iter().map(|r| Refused::of(ItemKind::Customer, r)).collect()))
            },
        )
        .map(|s| (s.sent, s.unchanged))
    }
}
