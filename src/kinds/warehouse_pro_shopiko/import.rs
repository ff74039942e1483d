//! Import: each new shop order becomes one Warehouse Pro document at the server's object,
//! exactly once.
//!
//! For each order: parse and check its numbers (pure); find its goods and partner (read-only);
//! then, in one database transaction, make what is missing (goods when nomenclature sync is on,
//! the partner, the shipping and discount service goods), write the document (number, lines,
//! store moves, payments) and record the import in `obmen_imports`. Only after the commit is the
//! shop told, and telling it again is harmless. An order that cannot be imported is set aside in
//! the quarantine with its reason; the others go on.
//!
//! How an order becomes lines:
//! - each product line: the good's price without VAT after the product discount, the discount
//!   percent, VAT per unit from the good's VAT group, and a store move;
//! - each voucher or promo code: a line of the service good `SHOPIKO-DISCOUNT` (non-inventory
//!   discount item), quantity 1, a negative price, VAT at the main rate, the code in the note;
//! - shipping: a line of the service good `SHOPIKO-SHIPPING` (non-inventory), at its price and VAT;
//! - payments: the total due, and what the shop says was paid, by the shop's method.

use std::collections::HashMap;

use chrono::{DateTime, Local, NaiveDateTime};
use serde::Serialize;

use super::nomenclature::sku_index;
use super::{GoodsKey, Settings};
use crate::shopiko::model::{CustomerType, DiscountKind, Order, PaymentMethod, Product};
use crate::shopiko::ShopikoClient;
use crate::state::State;
use crate::warehouse::{
    Good, NewDocument, NewGood, NewLine, Numbering, Object, OperType, Paid, Partner, PartnerKind, Warehouse, WarehouseError,
};

/// The code of the service good that carries shipping.
pub const SHIPPING_CODE: &str = "SHOPIKO-SHIPPING";
/// The code of the service good that carries vouchers and promo codes.
pub const DISCOUNT_CODE: &str = "SHOPIKO-DISCOUNT";

/// Everything an import run uses.
pub struct Ctx<'a> {
    /// The server's settings.
    pub settings: &'a Settings,
    /// The Warehouse Pro database.
    pub wh: &'a mut Warehouse,
    /// The target object.
    pub object: &'a Object,
    /// The shop.
    pub shop: &'a ShopikoClient,
    /// obmen's state.
    pub state: &'a State,
    /// The async runtime, for the shop and the state (this code runs on a blocking thread).
    pub rt: &'a tokio::runtime::Handle,
    /// Write nothing anywhere; say what would be done.
    pub dry_run: bool,
    /// What this run has already read and need not read again.
    pub cache: Cache,
}

impl Ctx<'_> {
    /// A good this run found by its code before.
    fn cached_good(&self, sku: &str) -> Option<Good> {
        self.cache.goods.borrow().get(sku).cloned()
    }

    /// True when the order may be in the quarantine (so that importing it must resolve it there).
    fn maybe_quarantined(&self, order_id: &str) -> bool {
        self.cache.quarantined.borrow().as_ref().is_none_or(|ids| ids.contains(order_id))
    }
}

/// Read-mostly data kept for the length of one run.
#[derive(Debug, Default)]
pub struct Cache {
    /// The VAT groups: (ID, percent).
    vat_groups: std::cell::RefCell<Option<Vec<(i32, f64)>>>,
    /// Goods found by code, by SKU.
    goods: std::cell::RefCell<HashMap<String, Good>>,
    /// The service goods' IDs, by code, once a transaction that found or made them committed.
    service_goods: std::cell::RefCell<HashMap<&'static str, i32>>,
    /// The guest partner, once found: (ID, name).
    guest: std::cell::RefCell<Option<(i32, String)>>,
    /// Imported orders to tell the shop about, at the end of the run: (order id, number, type, acct).
    to_acknowledge: std::cell::RefCell<Vec<(String, String, OperType, i32)>>,
    /// The ids of the orders in the quarantine when the run started (None: not read).
    quarantined: std::cell::RefCell<Option<std::collections::HashSet<String>>>,
}

/// An order imported in this run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportedOrder {
    /// The shop's order number.
    pub order: String,
    /// The document, as Warehouse Pro shows its number.
    pub document: String,
    /// Its total with VAT.
    pub total: f64,
}

/// An order set aside.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetAside {
    /// The shop's order number.
    pub order: String,
    /// Why, and what to do.
    pub reason: String,
}

/// What an import run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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
}

/// An order's numbers, checked.
struct Parsed<'o> {
    order: &'o Order,
    date: NaiveDateTime,
    lines: Vec<ParsedLine<'o>>,
    discounts: Vec<(String, f64)>,
    shipping: Option<(String, f64, f64)>,
    paid: Option<Paid>,
}

struct ParsedLine<'o> {
    sku: &'o str,
    name: &'o str,
    qty: f64,
    unit_gross: f64,
    discount: f64,
    vat_percent: f64,
}

fn number(what: &str, text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("{what} '{text}' is not a number")),
    }
}

/// Checks an order's numbers; the error is the quarantine reason.
fn parse(order: &Order) -> Result<Parsed<'_>, String> {
    let date = DateTime::parse_from_rfc3339(&order.created_at)
        .map(|d| d.with_timezone(&Local).naive_local())
        .map_err(|_| format!("the order's date '{}' is not an RFC 3339 time", order.created_at))?;
    if order.lines.is_empty() {
        return Err("the order has no lines".into());
    }
    let mut lines = Vec::new();
    for l in &order.lines {
        let n = &l.line_id;
        let qty = number(&format!("line {n}: the quantity"), &l.quantity)?;
        if qty < 0.0 {
            return Err(format!("line {n}: the quantity {qty} is below zero"));
        }
        if qty == 0.0 {
            continue;
        }
        let unit_gross = number(&format!("line {n}: the price"), &l.unit_price)?;
        if unit_gross < 0.0 {
            return Err(format!("line {n}: the price {unit_gross} is below zero"));
        }
        let discount = number(&format!("line {n}: the discount"), &l.discount_percent)?;
        if !(0.0..=100.0).contains(&discount) {
            return Err(format!("line {n}: the discount {discount}% is not between 0 and 100"));
        }
        let vat_percent = number(&format!("line {n}: the VAT rate"), &l.vat_percent)?;
        lines.push(ParsedLine { sku: l.sku.trim(), name: &l.name, qty, unit_gross, discount, vat_percent });
    }
    if lines.is_empty() {
        return Err("every line has quantity 0".into());
    }
    let mut discounts = Vec::new();
    for d in &order.discounts {
        let amount = number(&format!("the discount {}", d.code), &d.amount)?;
        if amount < 0.0 {
            return Err(format!("the discount {} of {amount} is below zero", d.code));
        }
        let kind = match d.kind {
            DiscountKind::Voucher => "Ваучер",
            DiscountKind::PromoCode => "Промо код",
        };
        if amount > 0.0 {
            discounts.push((format!("{kind} {}", d.code), amount));
        }
    }
    let shipping = match &order.shipping {
        Some(s) => {
            let price = number("the shipping price", &s.price)?;
            let vat = number("the shipping VAT rate", &s.vat_percent)?;
            (price > 0.0).then(|| (s.method.clone(), price, vat))
        }
        None => None,
    };
    let paid = if order.payment.paid {
        let amount = number("the amount paid", &order.payment.paid_amount)?;
        let payment_type = match order.payment.method {
            PaymentMethod::CashOnDelivery => 1,
            PaymentMethod::BankTransfer => 2,
            PaymentMethod::Card => 3,
            PaymentMethod::Voucher => 4,
        };
        Some(Paid { amount, payment_type, transaction: order.payment.transaction_id.clone() })
    } else {
        None
    };
    Ok(Parsed { order, date, lines, discounts, shipping, paid })
}

/// A good of a line: found, or to be made.
enum GoodRef {
    Found(Good),
    Make(NewGood),
}

/// The partner of an order: found, or to be made.
enum PartnerRef {
    Found(i32, String),
    Make(Box<Partner>),
}

/// What the shop's products are, by SKU (read once per run, only when the key is not the code).
type ProductIndex = HashMap<String, Product>;

impl Ctx<'_> {
    fn source(&self) -> &str {
        &self.settings.shop.api_id
    }

    /// Runs the import: first acknowledgements left over from an earlier run, then the orders
    /// in the quarantine, then the orders placed since the last run.
    pub fn run(&mut self) -> anyhow::Result<ImportReport> {
        let mut report = ImportReport::default();
        let (has_log, links) = self.begin()?;
        if has_log && !self.dry_run {
            for pending in self.wh.unacknowledged_imports(self.source())? {
                self.queue_ack(&pending.order_id, &pending.order_number, pending.oper_type, pending.acct);
            }
        }
        let server = self.settings.name.clone();
        let mut products: Option<ProductIndex> = None;

        // Orders set aside earlier: tried again each run, from the order as it was received.
        let waiting = self.rt.block_on(self.state.quarantined(&server, false))?;
        *self.cache.quarantined.borrow_mut() = Some(waiting.iter().map(|q| q.order_id.clone()).collect());
        for q in waiting {
            match serde_json::from_str::<Order>(&q.payload) {
                Ok(order) => self.import_one(&order, has_log, &links, &mut products, &mut report)?,
                Err(e) => report.quarantined.push(SetAside { order: q.order_number, reason: format!("the stored order cannot be read: {e}") }),
            }
        }

        let cursor = self.rt.block_on(self.state.cursor(&server, "orders"))?;
        let (orders, next) = self.rt.block_on(self.shop.all_orders_since(cursor.as_deref()))?;
        for order in &orders {
            self.import_one(order, has_log, &links, &mut products, &mut report)?;
        }
        self.acknowledge_queued(&mut report);
        if !self.dry_run {
            if let Some(next) = next {
                self.rt.block_on(self.state.set_cursor(&server, "orders", &next))?;
            }
        }
        Ok(report)
    }

    /// Imports these orders now (a retry from the quarantine), outside the cursor.
    pub fn import_orders(&mut self, orders: &[Order]) -> anyhow::Result<ImportReport> {
        let mut report = ImportReport::default();
        let (has_log, links) = self.begin()?;
        let mut products = None;
        for order in orders {
            self.import_one(order, has_log, &links, &mut products, &mut report)?;
        }
        self.acknowledge_queued(&mut report);
        Ok(report)
    }

    /// What every import starts with: the import log (made where it is missing, unless this is a
    /// dry run; whether it exists) and the goods linked to shop SKUs.
    fn begin(&mut self) -> anyhow::Result<(bool, HashMap<String, i32>)> {
        let has_log = if self.dry_run {
            self.wh.has_import_log()?
        } else {
            self.wh.ensure_import_log()?;
            true
        };
        let links = sku_index(&self.rt.block_on(self.state.links(&self.settings.name, "good"))?);
        Ok((has_log, links))
    }

    /// Imports one order, or sets it aside. Errors returned stop the run (the database or the
    /// shop is unusable); everything about the order itself goes to the quarantine.
    fn import_one(
        &mut self,
        order: &Order,
        has_log: bool,
        links: &HashMap<String, i32>,
        products: &mut Option<ProductIndex>,
        report: &mut ImportReport,
    ) -> anyhow::Result<()> {
        let server = self.settings.name.clone();
        if has_log {
            if let Some(done) = self.wh.imported(self.source(), &order.id)? {
                report.already_imported += 1;
                if !done.acknowledged && !self.dry_run {
                    self.queue_ack(&order.id, &order.number, done.oper_type, done.acct);
                }
                if !self.dry_run && self.maybe_quarantined(&order.id) {
                    self.rt.block_on(self.state.resolve_quarantine(&server, &order.id))?;
                }
                return Ok(());
            }
        }
        if let Some(ack) = &order.acknowledged {
            report.skipped.push(format!("{}: already acknowledged in the shop as document {}, not by this server", order.number, ack.document_number));
            return Ok(());
        }
        let outcome = parse(order).and_then(|parsed| {
            self.resolve(&parsed, links, products).map(|r| (parsed, r))
        });
        let (parsed, (goods, partner)) = match outcome {
            Ok(x) => x,
            Err(reason) => return self.set_aside(order, reason, report),
        };
        if self.dry_run {
            self.plan(&parsed, &goods, &partner, report);
            return Ok(());
        }
        let written = self.write(&parsed, &goods, &partner);
        match written {
            Ok((acct, total)) => {
                for g in &goods {
                    if let GoodRef::Make(n) = g {
                        report.goods_created.push(format!("{} {}", n.code, n.name));
                    }
                }
                if let PartnerRef::Make(p) = &partner {
                    report.partners_created.push(p.company.clone());
                }
                report.imported.push(ImportedOrder { order: order.number.clone(), document: document_number(acct), total });
                if self.maybe_quarantined(&order.id) {
                    self.rt.block_on(self.state.resolve_quarantine(&server, &order.id))?;
                }
                self.queue_ack(&order.id, &order.number, self.settings.document, acct);
                Ok(())
            }
            Err(e) if e.is_duplicate_key() && self.wh.imported(self.source(), &order.id)?.is_some() => {
                // Another process imported it between our look and our write: nothing was written here.
                report.already_imported += 1;
                Ok(())
            }
            Err(e @ (WarehouseError::InsufficientStock { .. } | WarehouseError::TextTooLong { .. } | WarehouseError::Invalid(_))) => {
                self.set_aside(order, e.to_string(), report)
            }
            Err(e) => Err(anyhow::Error::new(e).context(format!("importing shop order {}", order.number))),
        }
    }

    fn set_aside(&mut self, order: &Order, reason: String, report: &mut ImportReport) -> anyhow::Result<()> {
        if !self.dry_run {
            let payload = serde_json::to_string(order).expect("orders serialise");
            self.rt.block_on(self.state.quarantine(&self.settings.name, &order.id, &order.number, &reason, &payload))?;
        }
        tracing::warn!(server = %self.settings.name, order = %order.number, reason = %reason, "Order set aside in the quarantine.");
        report.quarantined.push(SetAside { order: order.number.clone(), reason });
        Ok(())
    }

    /// Adds an imported order to those the shop is told about at the end of the run (once).
    fn queue_ack(&self, order_id: &str, number: &str, oper_type: OperType, acct: i32) {
        let mut queue = self.cache.to_acknowledge.borrow_mut();
        if !queue.iter().any(|(id, ..)| id == order_id) {
            queue.push((order_id.to_owned(), number.to_owned(), oper_type, acct));
        }
    }

    /// Tells the shop about the orders imported in this run, several at a time, then notes in the
    /// import log which ones it took. One that fails stays unacknowledged there and is sent again
    /// next run; so does every one if the process dies first.
    fn acknowledge_queued(&mut self, report: &mut ImportReport) {
        const AT_ONCE: usize = 8;
        let queued = std::mem::take(&mut *self.cache.to_acknowledge.borrow_mut());
        for chunk in queued.chunks(AT_ONCE * 4) {
            let results: Vec<Result<(), String>> = self.rt.block_on(async {
                let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
                let mut tasks = Vec::new();
                for (id, _, oper, acct) in chunk {
                    let (shop, id, oper, acct, semaphore) = (self.shop.clone(), id.clone(), *oper, *acct, semaphore.clone());
                    tasks.push(tokio::spawn(async move {
                        let _permit = semaphore.acquire_owned().await;
                        shop.acknowledge(&id, &document_number(acct), document_type(oper)).await.map(|_| ()).map_err(|e| e.to_string())
                    }));
                }
                let mut out = Vec::new();
                for t in tasks {
                    out.push(t.await.unwrap_or_else(|e| Err(e.to_string())));
                }
                out
            });
            for ((id, number, _, _), result) in chunk.iter().zip(results) {
                match result.map_err(|e| format!("{e} (tried again next run)")).and_then(|()| self.wh.mark_acknowledged(self.source(), id).map_err(|e| format!("the shop was told, but noting it failed: {e}"))) {
                    Ok(()) => report.acknowledged += 1,
                    Err(e) => report.ack_failures.push(format!("{number}: {e}")),
                }
            }
        }
    }

    /// Finds the goods and the partner (read-only). The error is the quarantine reason.
    fn resolve(&self, p: &Parsed<'_>, links: &HashMap<String, i32>, products: &mut Option<ProductIndex>) -> Result<(Vec<GoodRef>, PartnerRef), String> {
        let db = |e: WarehouseError| e.to_string();
        let mut goods: Vec<GoodRef> = Vec::new();
        let mut made: HashMap<&str, usize> = HashMap::new();
        for line in &p.lines {
            if let Some(&i) = made.get(line.sku) {
                goods.push(match &goods[i] {
                    GoodRef::Make(n) => GoodRef::Make(n.clone()),
                    GoodRef::Found(g) => GoodRef::Found(g.clone()),
                });
                continue;
            }
            let found = match links.get(line.sku) {
                Some(&id) => self.wh.good(id).map_err(db)?.into_iter().collect(),
                None => match self.settings.goods_compare_by {
                    GoodsKey::Code => match self.cached_good(line.sku) {
                        Some(g) => vec![g],
                        None => {
                            let found = self.wh.goods_by_code(line.sku).map_err(db)?;
                            if let [g] = found.as_slice() {
                                self.cache.goods.borrow_mut().insert(line.sku.to_owned(), g.clone());
                            }
                            found
                        }
                    },
                    key => {
                        if products.is_none() {
                            let (all, _) = self.rt.block_on(self.shop.all_products(None)).map_err(|e| e.to_string())?;
                            *products = Some(all.into_iter().map(|p| (p.sku.clone(), p)).collect());
                        }
                        let product = products.as_ref().and_then(|ps| ps.get(line.sku));
                        match key {
                            GoodsKey::Barcode => {
                                let mut found: Vec<Good> = Vec::new();
                                for b in product.map(|p| p.barcodes.as_slice()).unwrap_or(&[]) {
                                    for g in self.wh.goods_by_barcode(b).map_err(db)? {
                                        if !found.iter().any(|f| f.id == g.id) {
                                            found.push(g);
                                        }
                                    }
                                }
                                found
                            }
                            _ => self.wh.goods_by_name(product.map(|p| p.name.as_str()).unwrap_or(line.name)).map_err(db)?,
                        }
                    }
                },
            };
            let r = match found.len() {
                1 => GoodRef::Found(found.into_iter().next().expect("one")),
                0 if self.settings.sync_nomenclature => GoodRef::Make(self.new_good(line).map_err(db)?),
                0 => {
                    return Err(format!(
                        "unknown product SKU '{}' ({}): no good in Warehouse Pro matches it by {} and nomenclature sync is off. \
                         Make the good in Warehouse Pro, or turn rules.sync_nomenclature on, then `obmen quarantine {} retry ID`",
                        line.sku,
                        line.name,
                        self.settings.goods_compare_by.as_str(),
                        self.settings.name
                    ))
                }
                n => {
                    let codes: Vec<String> = found.iter().map(|g| format!("'{}'", g.code)).collect();
                    return Err(format!("product SKU '{}' matches {n} goods in Warehouse Pro ({}): keep one, or link them by another key", line.sku, codes.join(", ")));
                }
            };
            made.insert(line.sku, goods.len());
            goods.push(r);
        }
        let partner = self.resolve_partner(p.order).map_err(db)?;
        Ok((goods, partner))
    }

    fn new_good(&self, line: &ParsedLine<'_>) -> Result<NewGood, WarehouseError> {
        let vat_group_id = self.vat_group(line.vat_percent)?;
        let net = line.unit_gross / (1.0 + line.vat_percent / 100.0);
        Ok(NewGood {
            code: line.sku.to_owned(),
            name: line.name.to_owned(),
            barcodes: vec![],
            measure: "бр.".into(),
            price_in: 0.0,
            price_wholesale: round6(net),
            price_retail: round6(net),
            vat_group_id,
            group_id: 1,
            kind_flags: 0,
        })
    }

    /// The VAT groups, read once a run.
    fn vat_groups(&self) -> Result<Vec<(i32, f64)>, WarehouseError> {
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

    fn resolve_partner(&self, order: &Order) -> Result<PartnerRef, WarehouseError> {
        let c = &order.customer;
        if c.kind == CustomerType::Guest {
            if let Some((id, name)) = self.cache.guest.borrow().clone() {
                return Ok(PartnerRef::Found(id, name));
            }
            let name = self.settings.guest_partner.trim();
            let found = match self.wh.partners_by_code(name)?.into_iter().next() {
                Some(p) => Some(p),
                None => self.wh.partners_by_name(name)?.into_iter().next(),
            };
            return Ok(match found {
                Some(p) => {
                    *self.cache.guest.borrow_mut() = Some((p.id, p.company.clone()));
                    PartnerRef::Found(p.id, p.company)
                }
                None => PartnerRef::Make(Box::new(Partner { code: "SH-GUEST".into(), company: name.to_owned(), price_group: 1, kind: PartnerKind::Person, ..Partner::default() })),
            });
        }
        let mut found = self.wh.partners_by_email(&c.email)?;
        if found.is_empty() {
            found = self.wh.partners_by_vat_number(&c.vat_number)?;
        }
        if found.is_empty() {
            found = self.wh.partners_by_company_number(&c.company_number)?;
        }
        if let Some(p) = found.into_iter().next() {
            return Ok(PartnerRef::Found(p.id, p.company));
        }
        Ok(PartnerRef::Make(Box::new(partner_from_customer(c))))
    }

    /// Writes the order in one transaction; returns the document's number and total.
    fn write(&mut self, p: &Parsed<'_>, goods: &[GoodRef], partner: &PartnerRef) -> Result<(i32, f64), WarehouseError> {
        let settings = self.settings;
        let object_id = self.object.id;
        let source = settings.shop.api_id.clone();
        let groups = self.vat_groups()?;
        let main_vat = groups.first().map(|(_, v)| *v).unwrap_or(20.0);
        let known_service = self.cache.service_goods.borrow().clone();
        let mut service_used: Vec<(&'static str, i32)> = Vec::new();
        let written = self.wh.transaction(|tx| {
            service_used.clear();
            let mut service = |code: &'static str, name: &str, flags: i32| -> Result<i32, WarehouseError> {
                let id = match known_service.get(code) {
                    Some(id) => *id,
                    None => service_good(tx, code, name, flags)?,
                };
                service_used.push((code, id));
                Ok(id)
            };
            let mut ids: Vec<(i32, f64, f64, bool)> = Vec::new(); // (good, vat %, cost, moves stock)
            let mut made: HashMap<String, i32> = HashMap::new();
            for g in goods {
                ids.push(match g {
                    GoodRef::Found(g) => (g.id, g.vat_percent, g.price_in, !g.is_non_inventory()),
                    GoodRef::Make(n) => {
                        let id = match made.get(&n.code) {
                            Some(id) => *id,
                            None => {
                                let id = tx.create_good(n)?;
                                made.insert(n.code.clone(), id);
                                id
                            }
                        };
                        let vat = groups.iter().find(|(gid, _)| *gid == n.vat_group_id).map(|(_, v)| *v).unwrap_or(main_vat);
                        (id, vat, 0.0, true)
                    }
                });
            }
            let partner_id = match partner {
                PartnerRef::Found(id, _) => *id,
                PartnerRef::Make(np) => tx.create_partner(np)?,
            };
            let note = format!("Shopiko {}", p.order.number);
            let mut lines = Vec::new();
            for (line, (good_id, vat_percent, cost, moves)) in p.lines.iter().zip(&ids) {
                let gross = line.unit_gross * (1.0 - line.discount / 100.0);
                let net = gross / (1.0 + vat_percent / 100.0);
                lines.push(NewLine {
                    good_id: *good_id,
                    qtty: line.qty,
                    price: round6(net),
                    vat: round6(net * vat_percent / 100.0),
                    discount: line.discount,
                    price_in: *cost,
                    moves_stock: *moves,
                    note: note.clone(),
                });
            }
            if !p.discounts.is_empty() {
                let id = service(DISCOUNT_CODE, "Отстъпка (Shopiko)", 8 | 32)?;
                for (what, amount) in &p.discounts {
                    let net = -amount / (1.0 + main_vat / 100.0);
                    lines.push(NewLine { good_id: id, qtty: 1.0, price: round6(net), vat: round6(net * main_vat / 100.0), discount: 0.0, price_in: 0.0, moves_stock: false, note: format!("{note}: {what}") });
                }
            }
            if let Some((method, price, vat)) = &p.shipping {
                let id = service(SHIPPING_CODE, "Доставка (Shopiko)", 8)?;
                let net = price / (1.0 + vat / 100.0);
                lines.push(NewLine { good_id: id, qtty: 1.0, price: round6(net), vat: round6(net * vat / 100.0), discount: 0.0, price_in: 0.0, moves_stock: false, note: format!("{note}: {method}") });
            }
            let sale = settings.document == OperType::SALE;
            let doc = NewDocument {
                oper_type: settings.document,
                object_id,
                partner_id,
                user_id: 1,
                date: p.date,
                lines,
                due: sale.then_some(p.date),
                paid: if sale { p.paid.clone().into_iter().collect() } else { vec![] },
                currency_id: 1,
                currency_rate: 1.0,
                allow_negative_stock: settings.allow_negative_stock,
                numbering: Numbering::Global,
            };
            let shop_total = number("total", &p.order.totals.total).unwrap_or(doc.total());
            if (doc.total() - shop_total).abs() > 0.05 {
                return Err(WarehouseError::Invalid(format!(
                    "the lines add up to {:.2} with VAT, but the shop's total is {shop_total:.2}: check the order's prices in the shop",
                    doc.total()
                )));
            }
            let written = tx.insert_document(&doc)?;
            tx.record_import(&source, &p.order.id, &p.order.number, settings.document, written.acct)?;
            Ok((written.acct, written.total))
        })?;
        // Committed: the service goods it used exist for the rest of the run.
        self.cache.service_goods.borrow_mut().extend(service_used);
        Ok(written)
    }

    fn plan(&self, p: &Parsed<'_>, goods: &[GoodRef], partner: &PartnerRef, report: &mut ImportReport) {
        // A sale would be refused below zero: say so now, as the real run would.
        if self.settings.document == OperType::SALE && !self.settings.allow_negative_stock {
            let mut wanted: Vec<(String, i32, f64)> = Vec::new();
            for (line, g) in p.lines.iter().zip(goods) {
                let (code, id) = match g {
                    GoodRef::Found(g) if g.is_non_inventory() => continue,
                    GoodRef::Found(g) => (g.code.clone(), g.id),
                    GoodRef::Make(n) => (n.code.clone(), 0),
                };
                match wanted.iter_mut().find(|(c, _, _)| *c == code) {
                    Some(w) => w.2 += line.qty,
                    None => wanted.push((code, id, line.qty)),
                }
            }
            for (code, id, qty) in wanted {
                let available = if id == 0 { Ok(0.0) } else { self.wh.balance(self.object.id, id) };
                match available {
                    Ok(a) if a + 1e-9 < qty => {
                        report.quarantined.push(SetAside {
                            order: p.order.number.clone(),
                            reason: format!("not enough stock of good '{code}' at '{}': {a} available, {qty} wanted", self.object.name),
                        });
                        return;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        report.quarantined.push(SetAside { order: p.order.number.clone(), reason: e.to_string() });
                        return;
                    }
                }
            }
        }
        let kind = if self.settings.document == OperType::SALES_ORDER { "sales order" } else { "sale" };
        let who = match partner {
            PartnerRef::Found(id, name) => format!("partner '{name}' (ID {id})"),
            PartnerRef::Make(np) => format!("a new partner '{}'", np.company),
        };
        let mut text = format!("{}: a {kind} at '{}' to {who}, total {}:", p.order.number, self.object.name, p.order.totals.total);
        for (line, g) in p.lines.iter().zip(goods) {
            let (code, new) = match g {
                GoodRef::Found(g) => (g.code.clone(), ""),
                GoodRef::Make(n) => (n.code.clone(), " (new good)"),
            };
            let stock = if self.settings.document == OperType::SALE { format!(", stock -{}", line.qty) } else { String::new() };
            text.push_str(&format!("\n    {} x {code}{new} at {:.2} with VAT, discount {}%{stock}", line.qty, line.unit_gross, line.discount));
        }
        for (what, amount) in &p.discounts {
            text.push_str(&format!("\n    {what}: -{amount:.2}"));
        }
        if let Some((method, price, _)) = &p.shipping {
            text.push_str(&format!("\n    shipping, {method}: {price:.2}"));
        }
        report.planned.push(text);
        for g in goods {
            if let GoodRef::Make(n) = g {
                report.goods_created.push(format!("{} {}", n.code, n.name));
            }
        }
        if let PartnerRef::Make(np) = partner {
            report.partners_created.push(np.company.clone());
        }
    }
}

/// A new Warehouse Pro partner from a shop customer: a company or a person, with the billing
/// address (else the delivery one).
pub fn partner_from_customer(c: &crate::shopiko::model::Customer) -> Partner {
    let person = format!("{} {}", c.first_name, c.last_name).trim().to_owned();
    let billing = c.billing_address.clone().or_else(|| c.delivery_address.clone()).unwrap_or_default();
    let address = [billing.line1.as_str(), billing.line2.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(", ");
    Partner {
        code: c.id.as_ref().map(|id| format!("SH-{id}")).unwrap_or_default(),
        company: if c.kind == CustomerType::Company && !c.company_name.is_empty() { c.company_name.clone() } else { person.clone() },
        contact: person,
        city: billing.city,
        address,
        phone: c.phone.clone(),
        email: c.email.clone(),
        vat_number: c.vat_number.clone(),
        company_number: c.company_number.clone(),
        price_group: 1,
        kind: if c.kind == CustomerType::Company { PartnerKind::Company } else { PartnerKind::Person },
        ..Partner::default()
    }
}

/// The service good with this code, made (non-inventory) if missing.
fn service_good(tx: &Warehouse, code: &str, name: &str, flags: i32) -> Result<i32, WarehouseError> {
    if let Some(g) = tx.goods_by_code(code)?.into_iter().next() {
        return Ok(g.id);
    }
    tx.create_good(&NewGood { code: code.into(), name: name.into(), measure: "бр.".into(), vat_group_id: 1, group_id: 1, kind_flags: flags, ..NewGood::default() })
}

/// The document type as the shop is told it.
fn document_type(oper: OperType) -> &'static str {
    if oper == OperType::SALES_ORDER {
        "sales_order"
    } else {
        "sale"
    }
}

/// A document number as Warehouse Pro shows it: ten digits.
pub fn document_number(acct: i32) -> String {
    format!("{acct:010}")
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}
