//! Booking a page of orders: each order's goods and partner resolved (read-only), its document
//! drafted with stand-in IDs for what is still to be made, and then, in one database
//! transaction, what the accepted documents use made once each, the documents written (numbers,
//! lines, store moves, payments) and the imports recorded. An order that would take stock below
//! zero, or whose lines do not add up, is left out before anything is written. A dry run drafts
//! the same documents, checks the same stock, and writes nothing.

use std::collections::HashMap;

use super::order::{check_total, order_lines, LineGood, Parsed, ParsedLine};
use super::pages::{ImportReport, SetAside};
use super::partner::{PartnerIndex, PartnerRef};
use super::session::Ctx;
use super::settings::GoodsKey;
use super::shop::{Order, Shop};
use crate::i18n::Msg;
use crate::kinds::RunError;
use crate::warehouse::partners::same_partner;
use crate::warehouse::{codes, Good, GoodFlags, GoodQuery, NewDocument, NewGood, NewImport, Numbering, OperType, Partner, Stock, Warehouse, WarehouseError};

/// A good of a line: found, or to be made.
pub(super) enum GoodRef {
    Found(Good),
    Make(NewGood),
}

/// An order ready to write: its numbers checked, its goods and partner resolved.
pub(super) struct Ready<'o> {
    pub(super) parsed: Parsed<'o>,
    pub(super) goods: Vec<GoodRef>,
    pub(super) partner: PartnerRef,
}

/// Records the documents of a page will use that do not exist yet; until the transaction makes
/// them, the drafts carry stand-in IDs below zero.
#[derive(Default)]
struct ToMake {
    goods: Vec<NewGood>,
    partners: Vec<Partner>,
}

/// Each order's document with stand-in IDs, or why it is set aside.
type Drafts = Vec<Result<NewDocument, String>>;

/// The stand-in ID of the `k`th good or partner to make.
fn stand_in(k: usize) -> i32 {
    -1 - k as i32
}

/// The stand-in IDs of the service goods, when they are not known yet.
const DISCOUNT_STAND_IN: i32 = -1_000_001;
const SHIPPING_STAND_IN: i32 = -1_000_002;

/// What writing a page did.
pub(super) struct PageWritten {
    /// Per order, in the page's order: the document's number and total, or why it was set aside.
    pub(super) outcomes: Vec<Result<(i32, f64), String>>,
    pub(super) goods_created: Vec<String>,
    pub(super) partners_created: Vec<String>,
    /// The service goods the page used, by code, once its transaction commits.
    pub(super) service_goods: Vec<(&'static str, i32)>,
}

/// The goods a page's lines find, every look-up asked once for the whole page (see
/// [`Ctx::page_goods`]).
pub(super) type PageGoods = HashMap<GoodQuery, Vec<Good>>;

impl<S: Shop> Ctx<'_, S> {
    /// Everything the lines of a page's orders look goods up by, asked in as few statements as
    /// the dialect allows: the look-ups each line would make (by link, code, barcode or name, as
    /// [`Ctx::find_goods`] chooses them) are gathered first, with none found, which asks every
    /// key a line could fall back to, then asked together. Goods this run found before are not
    /// asked again.
    pub(super) fn page_goods(&self, parsed: &[&Parsed<'_>], links: &HashMap<String, i32>) -> Result<PageGoods, RunError> {
        let mut queries: Vec<GoodQuery> = Vec::new();
        for p in parsed {
            for line in &p.lines {
                if self.cached_good(&line.good_key()).is_some() {
                    continue;
                }
                self.find_goods(line, links, &mut |q| {
                    queries.push(q);
                    Ok(Vec::new())
                })?;
            }
        }
        // A key many lines share is asked once: goods_for skips repeats.
        Ok(self.wh.goods_for(&queries)?)
    }

    /// Finds the goods (from the page's look-ups) and the partner. The outer error stops the run
    /// (the database or the shop failed); the inner one is the order's quarantine reason.
    pub(super) fn resolve(
        &self,
        p: &Parsed<'_>,
        links: &HashMap<String, i32>,
        found: &PageGoods,
        index: &PartnerIndex,
    ) -> Result<Result<(Vec<GoodRef>, PartnerRef), String>, RunError> {
        let mut goods: Vec<GoodRef> = Vec::new();
        let mut made: HashMap<std::borrow::Cow<'_, str>, usize> = HashMap::new();
        for line in &p.lines {
            let key = line.good_key();
            if let Some(&i) = made.get(&key) {
                goods.push(match &goods[i] {
                    GoodRef::Make(n) => GoodRef::Make(n.clone()),
                    GoodRef::Found(g) => GoodRef::Found(g.clone()),
                });
                continue;
            }
            let found = match self.cached_good(&key) {
                Some(g) => vec![g],
                None => {
                    let found = self.find_goods(line, links, &mut |q| match found.get(&q) {
                        Some(goods) => Ok(goods.clone()),
                        // Not gathered for the page (it cannot be): asked alone.
                        None => Ok(self.wh.goods_for_one(q)?),
                    })?;
                    if let [g] = found.as_slice() {
                        self.cache.goods.borrow_mut().insert(key.clone().into_owned(), g.clone());
                    }
                    found
                }
            };
            let r = match found.as_slice() {
                [g] => GoodRef::Found(g.clone()),
                [] if !line.linked && line.sku.is_empty() => {
                    return Ok(Err(
                        Msg::UnlinkedLineUnknown.with(crate::i18n::current(), &[("name", &line.name), ("ean", &line.ean), ("server", &self.settings.name)])
                    ))
                }
                [] if self.settings.rules.sync_nomenclature => GoodRef::Make(self.new_good(line)?),
                [] => {
                    return Ok(Err(Msg::UnknownSku.with(
                        crate::i18n::current(),
                        &[("sku", &line.sku), ("name", &line.name), ("key", &self.settings.rules.goods_compare_by.as_str()), ("server", &self.settings.name)],
                    )))
                }
                many => {
                    let n = many.len();
                    let codes: Vec<String> = many.iter().map(|g| format!("'{}'", g.code)).collect();
                    return Ok(Err(Msg::SkuMatchesMany.with(crate::i18n::current(), &[("sku", &line.sku), ("count", &n), ("codes", &codes.join(", "))])));
                }
            };
            made.insert(key, goods.len());
            goods.push(r);
        }
        Ok(self.resolve_partner(p.order, index)?.map(|partner| (goods, partner)))
    }

    /// The goods a line names, through `look` (one look-up at a time). A linked line: by its
    /// SKU's link, else by the server's key (a barcode the shop's product does not list: the
    /// line's own EAN). A line not linked to the shop's catalogue: by its SKU's link or code,
    /// then its EAN, then its name, the first that finds any.
    pub(super) fn find_goods(
        &self,
        line: &ParsedLine<'_>,
        links: &HashMap<String, i32>,
        look: &mut dyn FnMut(GoodQuery) -> Result<Vec<Good>, RunError>,
    ) -> Result<Vec<Good>, RunError> {
        if !line.sku.is_empty() {
            if let Some(&id) = links.get(line.sku) {
                return look(GoodQuery::Id(id));
            }
        }
        let by_barcodes = |barcodes: Vec<String>, look: &mut dyn FnMut(GoodQuery) -> Result<Vec<Good>, RunError>| -> Result<Vec<Good>, RunError> {
            // Each barcode's goods, each good once, in the barcodes' order.
            let mut found: Vec<Good> = Vec::new();
            for b in barcodes {
                for g in look(GoodQuery::Barcode(b))? {
                    if !found.iter().any(|f| f.id == g.id) {
                        found.push(g);
                    }
                }
            }
            Ok(found)
        };
        let own_ean = || if line.ean.is_empty() { Vec::new() } else { vec![line.ean.to_owned()] };
        if !line.linked {
            let by_code = if line.sku.is_empty() { Vec::new() } else { look(GoodQuery::Code(line.sku.to_owned()))? };
            if !by_code.is_empty() {
                return Ok(by_code);
            }
            let by_ean = by_barcodes(own_ean(), look)?;
            if !by_ean.is_empty() || line.name.trim().is_empty() {
                return Ok(by_ean);
            }
            return look(GoodQuery::Name(line.name.trim().to_owned()));
        }
        let key = self.settings.rules.goods_compare_by;
        if key == GoodsKey::Code {
            return look(GoodQuery::Code(line.sku.to_owned()));
        }
        let products = self.product_index()?;
        let product = products.get(line.sku);
        if key == GoodsKey::Barcode {
            let barcodes = product.map(|p| p.barcodes.clone()).filter(|b| !b.is_empty()).unwrap_or_else(own_ean);
            drop(products);
            return by_barcodes(barcodes, look);
        }
        let name = product.map(|p| p.name.clone()).unwrap_or_else(|| line.name.to_owned());
        drop(products);
        look(GoodQuery::Name(name))
    }

    pub(super) fn new_good(&self, line: &ParsedLine<'_>) -> Result<NewGood, WarehouseError> {
        let vat_group_id = self.vat_group(line.vat_percent)?;
        let net = line.unit_gross / (1.0 + line.vat_percent / 100.0);
        let barcodes = if line.ean.is_empty() { Vec::new() } else { vec![line.ean.to_owned()] };
        Ok(NewGood::for_sale(line.sku, line.name, barcodes, "", net, vat_group_id))
    }

    /// An order's document, before the transaction: goods and partners still to be made carry
    /// stand-in IDs (registered in `to_make`, each once a page). The error is the quarantine
    /// reason (the lines do not add up to the shop's total).
    fn draft(&self, r: &Ready<'_>, to_make: &mut ToMake, groups: &[(i32, f64)]) -> Result<NewDocument, String> {
        let p = &r.parsed;
        let main_vat = groups.first().map(|(_, v)| *v).unwrap_or(20.0);
        let service = self.cache.service_goods.borrow();
        let mut goods = Vec::new();
        for g in &r.goods {
            goods.push(match g {
                GoodRef::Found(g) => LineGood { id: g.id, vat_percent: g.vat_percent, cost: g.price_in, moves_stock: !g.is_non_inventory() },
                GoodRef::Make(n) => {
                    let k = match to_make.goods.iter().position(|m| m.code == n.code) {
                        Some(k) => k,
                        None => {
                            to_make.goods.push(n.clone());
                            to_make.goods.len() - 1
                        }
                    };
                    let vat = groups.iter().find(|(gid, _)| *gid == n.vat_group_id).map(|(_, v)| *v).unwrap_or(main_vat);
                    LineGood { id: stand_in(k), vat_percent: vat, cost: 0.0, moves_stock: true }
                }
            });
        }
        let shop = self.shop.identity();
        let discount_good = service.get(shop.discount.code).copied().unwrap_or(DISCOUNT_STAND_IN);
        let shipping_good = service.get(shop.shipping.code).copied().unwrap_or(SHIPPING_STAND_IN);
        let lines = order_lines(p, &goods, main_vat, discount_good, shipping_good, shop.name);
        let partner_id = match &r.partner {
            PartnerRef::Found(id, _) => *id,
            PartnerRef::Make(np) => {
                // The same new customer twice in a page is made once: matched as the look-ups
                // would match it once made (see `same_partner`).
                let same = |m: &Partner| same_partner(np, m, shop.guest_code);
                let k = match to_make.partners.iter().position(same) {
                    Some(k) => k,
                    None => {
                        to_make.partners.push((**np).clone());
                        to_make.partners.len() - 1
                    }
                };
                stand_in(k)
            }
        };
        let oper_type = self.settings.rules.oper_type();
        let sale = oper_type == OperType::SALE;
        let doc = NewDocument {
            oper_type,
            object_id: self.object.id,
            partner_id,
            user_id: codes::FIRST_USER,
            date: p.date,
            lines,
            due: sale.then_some(p.date),
            paid: if sale { p.paid.clone().into_iter().collect() } else { vec![] },
            currency_id: p.currency.0,
            currency_rate: p.currency.1,
            allow_negative_stock: self.settings.rules.allow_negative_stock,
            numbering: Numbering::Global,
        };
        check_total(doc.total(), p.total)?;
        Ok(doc)
    }

    /// The drafts of a page's documents (see [`Ctx::draft`]), what they need made, and the
    /// existing goods whose stock they move.
    fn draft_page(&self, ready: &[Ready<'_>]) -> Result<(Drafts, ToMake, Vec<i32>), WarehouseError> {
        let groups = self.vat_groups()?;
        let mut to_make = ToMake::default();
        let drafts: Drafts = ready.iter().map(|r| self.draft(r, &mut to_make, &groups)).collect();
        let stock_goods = drafts.iter().flatten().flat_map(|d| d.lines.iter().filter(|l| l.moves_stock && l.good_id > 0).map(|l| l.good_id)).collect();
        Ok((drafts, to_make, stock_goods))
    }

    /// Writes a page of orders in one transaction: their documents, what they need made (goods
    /// when nomenclature sync is on, partners, the service goods) and their import records.
    /// Orders that would take stock below zero, or whose lines do not add up, are left out and
    /// nothing is made for them.
    pub(super) fn write(&mut self, ready: &[Ready<'_>]) -> Result<PageWritten, WarehouseError> {
        let (drafts, to_make, stock_goods) = self.draft_page(ready)?;
        let object_id = self.object.id;
        let source = self.source().to_owned();
        let shop = self.shop.identity().clone();
        let oper_type = self.settings.rules.oper_type();
        let names = good_names(ready, &to_make);
        let object_name = self.object.name.clone();
        let refusal = |e: WarehouseError| stock_refusal(e, &names, &object_name);
        let mut outcomes: Vec<Result<(i32, f64), String>> = Vec::new();
        let mut made_goods: Vec<String> = Vec::new();
        let mut made_partners: Vec<String> = Vec::new();
        let mut service_used: Vec<(&'static str, i32)> = Vec::new();
        // Something to make: other writers on this database must not make it too.
        let making = !to_make.goods.is_empty()
            || !to_make.partners.is_empty()
            || drafts.iter().flatten().any(|d| d.lines.iter().any(|l| matches!(l.good_id, DISCOUNT_STAND_IN | SHIPPING_STAND_IN)));
        let work = |tx: &Warehouse| -> Result<(), WarehouseError> {
            outcomes.clear();
            made_goods.clear();
            made_partners.clear();
            service_used.clear();
            if making {
                tx.lock_for_making()?;
            }
            let mut stock = Stock::new(object_id);
            tx.lock_stock(&mut stock, stock_goods.iter().copied())?;
            let mut trial = stock.clone();
            let accepted: Vec<Result<&NewDocument, String>> = drafts
                .iter()
                .map(|d| match d {
                    Err(reason) => Err(reason.clone()),
                    Ok(doc) => trial.apply(doc).map(|()| doc).map_err(&refusal),
                })
                .collect();
            // Make what the accepted documents use, once each (in the order they are first
            // used, together), and patch their stand-in IDs.
            let used = accepted.iter().flatten();
            let mut goods_used: Vec<i32> = Vec::new();
            let mut partners_used: Vec<i32> = Vec::new();
            for doc in used.clone() {
                for line in &doc.lines {
                    if line.good_id < 0 && !goods_used.contains(&line.good_id) {
                        goods_used.push(line.good_id);
                    }
                }
                if doc.partner_id < 0 && !partners_used.contains(&doc.partner_id) {
                    partners_used.push(doc.partner_id);
                }
            }
            let mut ids: HashMap<i32, i32> = HashMap::new();
            for stand in goods_used.iter().filter(|s| matches!(**s, DISCOUNT_STAND_IN | SHIPPING_STAND_IN)) {
                let (good, flags) = if *stand == DISCOUNT_STAND_IN {
                    (shop.discount, GoodFlags::NON_INVENTORY | GoodFlags::DISCOUNT)
                } else {
                    (shop.shipping, GoodFlags::NON_INVENTORY)
                };
                let id = service_good(tx, good.code, good.name, flags)?;
                service_used.push((good.code, id));
                ids.insert(*stand, id);
            }
            let new_goods: Vec<(i32, &NewGood)> =
                goods_used.iter().filter(|s| !matches!(**s, DISCOUNT_STAND_IN | SHIPPING_STAND_IN)).map(|s| (*s, &to_make.goods[(-1 - s) as usize])).collect();
            // Looked up again under the lock: another writer may have made them meanwhile.
            let made = tx.find_or_create_goods(&new_goods.iter().map(|(_, n)| *n).collect::<Vec<_>>())?;
            for ((stand, n), (id, new)) in new_goods.iter().zip(made) {
                if new {
                    made_goods.push(format!("{} {}", n.code, n.name));
                }
                ids.insert(*stand, id);
            }
            let new_partners: Vec<&Partner> = partners_used.iter().map(|s| &to_make.partners[(-1 - s) as usize]).collect();
            let made = tx.find_or_create_partners(&new_partners, shop.guest_code)?;
            let mut partner_ids: HashMap<i32, i32> = HashMap::new();
            for ((stand, np), (id, new)) in partners_used.iter().zip(&new_partners).zip(made) {
                if new {
                    made_partners.push(np.company.clone());
                }
                partner_ids.insert(*stand, id);
            }
            let patched = |stand: i32, ids: &HashMap<i32, i32>| -> Result<i32, WarehouseError> {
                if stand >= 0 {
                    return Ok(stand);
                }
                ids.get(&stand).copied().ok_or_else(|| WarehouseError::Invalid(format!("stand-in ID {stand} was not made")))
            };
            let mut docs = Vec::new();
            for doc in used {
                let mut doc = (*doc).clone();
                for line in &mut doc.lines {
                    line.good_id = patched(line.good_id, &ids)?;
                }
                doc.partner_id = patched(doc.partner_id, &partner_ids)?;
                docs.push(doc);
            }
            let written = tx.insert_documents(&docs, stock)?;
            let orders: Vec<&Order> = ready.iter().zip(&accepted).filter(|(_, a)| a.is_ok()).map(|(r, _)| r.parsed.order).collect();
            let records: Vec<NewImport<'_>> =
                orders.iter().zip(&written).map(|(o, w)| NewImport { order_id: &o.id, order_number: &o.number, oper_type, acct: w.acct }).collect();
            tx.record_imports(&source, &records)?;
            let mut written = written.into_iter();
            // One written document per accepted order, in order.
            let mut lost = false;
            outcomes = accepted
                .into_iter()
                .map(|a| {
                    a.map(|_| {
                        written.next().map(|w| (w.acct, w.total)).unwrap_or_else(|| {
                            lost = true;
                            (0, 0.0)
                        })
                    })
                })
                .collect();
            if lost {
                return Err(WarehouseError::Invalid("fewer documents were written than orders accepted".into()));
            }
            Ok(())
        };
        self.wh.transaction(work)?;
        Ok(PageWritten { outcomes, goods_created: made_goods, partners_created: made_partners, service_goods: service_used })
    }

    /// A dry run of a page: what each order would become, with the same stock check as the
    /// real run (orders taking from the same good in turn), reading only.
    pub(super) fn plan(&mut self, ready: &[Ready<'_>], report: &mut ImportReport) -> Result<(), RunError> {
        let (drafts, to_make, stock_goods) = self.draft_page(ready)?;
        let mut stock = Stock::new(self.object.id);
        self.wh.lock_stock(&mut stock, stock_goods)?;
        let names = good_names(ready, &to_make);
        let lang = crate::i18n::current();
        let kind = if self.settings.rules.oper_type() == OperType::SALES_ORDER { Msg::PlanSalesOrder } else { Msg::PlanSale }.get(lang);
        let mut made_goods: Vec<&str> = Vec::new();
        let mut made_partners: Vec<&str> = Vec::new();
        for (r, draft) in ready.iter().zip(&drafts) {
            let p = &r.parsed;
            if let Err(reason) = draft.as_ref().map_err(|e| e.clone()).and_then(|doc| stock.apply(doc).map_err(|e| stock_refusal(e, &names, &self.object.name)))
            {
                report.quarantined.push(SetAside { order: p.order.number.clone(), reason });
                continue;
            }
            let who = match &r.partner {
                PartnerRef::Found(id, name) => Msg::PlanPartnerFound.with(lang, &[("name", name), ("id", id)]),
                PartnerRef::Make(np) => Msg::PlanPartnerNew.with(lang, &[("name", &np.company)]),
            };
            let mut text = Msg::PlanHeader
                .with(lang, &[("order", &p.order.number), ("kind", &kind), ("object", &self.object.name), ("who", &who), ("total", &p.order.total)]);
            for (line, g) in p.lines.iter().zip(&r.goods) {
                let (code, new) = match g {
                    GoodRef::Found(g) => (g.code.clone(), ""),
                    GoodRef::Make(n) => (n.code.clone(), Msg::PlanNewGood.get(lang)),
                };
                let stock = if self.settings.rules.oper_type() == OperType::SALE { Msg::PlanStock.with(lang, &[("qty", &line.qty)]) } else { String::new() };
                let price = format!("{:.2}", line.unit_gross);
                let shown = Msg::PlanLine
                    .with(lang, &[("qty", &line.qty), ("code", &code), ("new", &new), ("price", &price), ("discount", &line.discount), ("stock", &stock)]);
                text.push_str(&format!("\n    {shown}"));
            }
            for (what, amount) in &p.discounts {
                text.push_str(&format!("\n    {what}: -{amount:.2}"));
            }
            if let Some((method, price, _)) = &p.shipping {
                text.push_str(&format!("\n    {}", Msg::PlanShipping.with(lang, &[("method", method), ("price", &format!("{price:.2}"))])));
            }
            report.planned.push(text);
            for g in &r.goods {
                if let GoodRef::Make(n) = g {
                    if !made_goods.contains(&n.code.as_str()) {
                        made_goods.push(&n.code);
                        report.goods_created.push(format!("{} {}", n.code, n.name));
                    }
                }
            }
            if let PartnerRef::Make(np) = &r.partner {
                if !made_partners.contains(&np.company.as_str()) {
                    made_partners.push(&np.company);
                    report.partners_created.push(np.company.clone());
                }
            }
        }
        Ok(())
    }
}

/// The goods of a page by ID (stand-in IDs for those to make), as messages name them.
fn good_names(ready: &[Ready<'_>], to_make: &ToMake) -> HashMap<i32, String> {
    let mut names: HashMap<i32, String> = to_make.goods.iter().enumerate().map(|(k, n)| (stand_in(k), format!("'{}' {}", n.code, n.name))).collect();
    for g in ready.iter().flat_map(|r| &r.goods) {
        if let GoodRef::Found(g) = g {
            names.entry(g.id).or_insert_with(|| format!("'{}' {}", g.code, g.name));
        }
    }
    names
}

/// Why an order was refused for stock, naming the good by code and name and the object by name.
fn stock_refusal(e: WarehouseError, names: &HashMap<i32, String>, object: &str) -> String {
    match e {
        WarehouseError::InsufficientStock { good_id, available, wanted, .. } => {
            let good = names.get(&good_id).cloned().unwrap_or_else(|| format!("#{good_id}"));
            Msg::NotEnoughStock.with(crate::i18n::current(), &[("good", &good), ("object", &object), ("available", &available), ("wanted", &wanted)])
        }
        e => e.to_string(),
    }
}

/// The service good with this code, made (non-inventory) if missing.
fn service_good(tx: &Warehouse, code: &str, name: &str, flags: i32) -> Result<i32, WarehouseError> {
    if let Some(g) = tx.goods_by_code(code)?.into_iter().next() {
        return Ok(g.id);
    }
    tx.create_good(&NewGood::service(code, name, flags))
}

#[cfg(test)]
mod tests {
    use super::super::order::MAX_LINES_PER_ORDER;
    use super::super::pages::PAGE;

    /// The largest page obmen writes (every order at the most lines it takes, each line a good
    /// of its own, a few more lines for discounts and shipping) cut into statements as each batch
    /// of the warehouse layer cuts it: none carries more parameters than its dialect's budget
    /// (SQL Server: 2,097 after its ODBC path's own), or more than 1,000 rows in one VALUES list.
    #[test]
    fn the_largest_page_fits_every_dialects_statement_budget() {
        use crate::warehouse::dialect::{ALL_DIALECTS, MAX_ROWS_PER_STATEMENT};
        use crate::warehouse::{document, goods, imports, partners, Dialect, GoodQuery, Table};
        let lines = PAGE * (MAX_LINES_PER_ORDER + 5);
        let marks = |sql: &str| sql.bytes().filter(|b| *b == b'?').count();
        for d in ALL_DIALECTS {
            let budget = d.max_parameters();
            // (what, rows in the page, parameters a row, fixed parameters, the statement for n rows)
            type Build = Box<dyn Fn(usize) -> String>;
            let batches: Vec<(&str, usize, usize, usize, Build)> = vec![
                ("balance rows changed", lines, 3, 0, Box::new(move |n| document::store_add_many_sql(d, n))),
                ("balance rows locked", lines, 1, 1, Box::new(move |n| document::store_rows_sql(d, &Dialect::marks(n), true))),
                ("stock held by orders", lines, 1, 2, Box::new(move |n| document::reserved_sql(d, &Dialect::marks(n)))),
                ("emptied lots", lines, 1, 0, Box::new(move |n| document::delete_empty_lots_sql(d, &Dialect::marks(n)))),
                ("goods read by ID", lines, 1, 1, Box::new(move |n| goods::goods_by_ids_sql(d, goods::price_column(1), &Dialect::marks(n)))),
                ("goods by codes", lines, 1, 0, Box::new(move |n| goods::good_select_sql(d, &goods::by_codes_condition(&Dialect::marks(n))))),
                ("orders already imported", PAGE, 1, 1, Box::new(move |n| imports::imported_many_sql(d, &Dialect::marks(n)))),
                ("acknowledgements noted", PAGE, 1, 1, Box::new(move |n| imports::mark_acknowledged_sql(d, &Dialect::marks(n)))),
                ("partners' roles", PAGE, 1, 1, Box::new(move |n| partners::set_partner_roles_sql(d, &Dialect::marks(n)))),
            ];
            for (what, rows, per_row, fixed, build) in batches {
                let n = d.rows_per_statement(per_row, fixed).min(rows);
                let sql = build(n);
                assert!(marks(&sql) <= budget, "{d} {what}: {} parameters in a statement of {n} rows", marks(&sql));
                assert!(n <= MAX_ROWS_PER_STATEMENT, "{d} {what}: {n} rows");
                assert!(rows.div_ceil(n) <= rows, "{d} {what}");
            }
            // Goods looked up together: as many branches as goods_for puts in one statement, each
            // of the widest kind (a barcode: three parameters).
            let barcode = GoodQuery::Barcode("5901234123457".into());
            let branches = (budget / barcode.parameters()).min(d.max_union_branches()).min(lines);
            let sql = goods::goods_for_sql(d, &vec![&barcode; branches]);
            assert!(marks(&sql) <= budget, "{d} goods looked up: {} parameters in {branches} branches", marks(&sql));
            // A page's customers by all three keys: one statement where they fit, else one a key
            // (each cut by the budget as above).
            if let Some(sql) = partners::by_keys_condition(d, [PAGE, 3 * PAGE, 2 * PAGE]) {
                assert!(marks(&sql) <= budget, "{d} partners by three keys");
            } else {
                assert!(6 * PAGE > budget, "{d}: a page's keys fit one statement but are asked in three");
            }
            // New goods and partners of a page, in multi-row INSERTs; their balance rows.
            for (what, table, columns) in
                [("goods made", Table::Goods, &goods::NEW_GOOD_COLUMNS[..]), ("partners made", Table::Partners, &partners::NEW_PARTNER_COLUMNS[..])]
            {
                let n = d.rows_per_insert(columns.len()).min(lines);
                let sql = d.insert_rows(table, columns, n);
                assert!(marks(&sql) <= budget && n <= MAX_ROWS_PER_STATEMENT, "{d} {what}: {} parameters in {n} rows", marks(&sql));
            }
            let n = d.rows_per_statement(1, 1).min(lines);
            let sql = goods::new_goods_store_rows_sql(d, &Dialect::marks(n));
            assert!(marks(&sql) <= budget, "{d} new goods' balance rows");
            // Document numbers: the page's in one multi-row INSERT where they fit, else one by one.
            let n = d.rows_per_insert(1).min(PAGE);
            let sql = d.insert_rows(crate::warehouse::Table::NextAcct, &["NextAcct"], n);
            assert!(marks(&sql) <= budget && sql.matches("(?)").count() <= MAX_ROWS_PER_STATEMENT, "{d} numbers");
            // A multi-row INSERT as wide as a document line keeps to SQL Server's 1,000 rows too.
            let n = d.rows_per_insert(1);
            assert!(n <= MAX_ROWS_PER_STATEMENT, "{d}: {n} rows in one VALUES list");
        }
        assert_eq!(Dialect::Mssql.max_parameters(), 2097);
        assert_eq!(Dialect::Mssql.rows_per_statement(3, 0), 699, "699 balance rows x 3 = 2,097");
        assert_eq!(Dialect::Mssql.rows_per_insert(1), 1000, "not 2,097 rows in one VALUES list");
        assert_eq!(Dialect::Access.rows_per_insert(1), 1);
    }
}
