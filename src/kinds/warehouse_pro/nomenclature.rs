//! Nomenclature sync and linking, at the start of every run.
//!
//! Every shop product and customer not linked yet is matched to Warehouse Pro by the server's
//! compare-by key (goods: code, barcode or name; partners: e-mail or VAT number). One match: the
//! two are linked (in obmen's state), and from then on the import finds the good by the shop's
//! SKU and the export sends the good under that SKU, so two systems that both hold data are
//! joined without duplicates. No match: with `sync_nomenclature` the good or partner is made in
//! Warehouse Pro and linked; without it, it is reported as not matched. More than one match is
//! reported too: a person must choose.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::partner::partner_from_customer;
use super::session::Ctx;
use super::settings::{GoodsKey, PartnersKey};
use super::shop::{Customer, Page, Product, Shop};
use crate::i18n::Msg;
use crate::kinds::{FailureKind, RunError};
use crate::warehouse::partners::normalise_tax_number;
use crate::warehouse::{Good, NewGood, Partner, Warehouse, WarehouseError};

/// What linking found and did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NomenclatureReport {
    /// Shop products joined to existing goods: "SKU -> good code".
    pub goods_linked: Vec<String>,
    /// Goods made from shop products.
    pub goods_created: Vec<String>,
    /// Shop products that could not be matched, with why.
    pub goods_unmatched: Vec<String>,
    /// Shop customers joined to existing partners.
    pub partners_linked: Vec<String>,
    /// Partners made from shop customers.
    pub partners_created: Vec<String>,
    /// Shop customers that could not be matched, with why.
    pub partners_unmatched: Vec<String>,
}

/// The key a shop customer is linked by: its e-mail, else its shop id.
pub fn customer_link_key(c: &Customer) -> Option<String> {
    if !c.contact.email.trim().is_empty() {
        Some(c.contact.email.trim().to_lowercase())
    } else {
        c.id.as_ref().map(|id| format!("id:{id}"))
    }
}

/// How long a server goes by its listing cursors before it reads the shop's whole lists again:
/// products and customers that could not be matched are reported again, and whatever a cursor
/// could have missed is seen.
const FULL_LISTING_EVERY_SECS: i64 = 24 * 3600;

/// The state's cursor names of the two listings.
const PRODUCTS_CURSOR: &str = "nomenclature_products";
const CUSTOMERS_CURSOR: &str = "nomenclature_customers";

impl<S: Shop> Ctx<'_, S> {
    /// Links (and, with nomenclature sync, makes) goods and partners. The shop's lists are read
    /// from where the last run left them (its listing cursors), a page at a time; each page's
    /// look-ups are one query per key (IN lists), its new goods or partners are made in one
    /// transaction, its links saved, and then its cursor. Only what was made or changed in the
    /// shop is listed (`origin=shop`): obmen's own export does not come back. Once a day the
    /// whole lists are read again.
    pub(crate) fn sync_nomenclature(&mut self, report: &mut NomenclatureReport) -> Result<(), RunError> {
        // With goods known by their code and nothing to make, a shop product's SKU is the good's
        // code already: there is nothing to link, and the listing is not read.
        let link_goods = self.settings.rules.sync_nomenclature || self.settings.rules.goods_compare_by != GoodsKey::Code;
        let link_partners =
            self.shop.capabilities().customers && (self.settings.rules.sync_nomenclature || self.settings.rules.partners_compare_by != PartnersKey::Email);
        if link_goods {
            let mut links = self.rt.block_on(self.state.links(&self.settings.name, "good"))?;
            self.each_listing_page(
                PRODUCTS_CURSOR,
                |shop, cursor| async move { shop.products_changed(cursor.as_deref()).await },
                |ctx, page, _| ctx.link_goods_page(page, &mut links, report),
            )?;
        }
        self.check_cancel()?;
        if link_partners {
            let mut links = self.rt.block_on(self.state.links(&self.settings.name, "partner"))?;
            self.each_listing_page(
                CUSTOMERS_CURSOR,
                |shop, cursor| async move { shop.customers_changed(cursor.as_deref()).await },
                |ctx, page, _| ctx.link_partners_page(page, &mut links, report),
            )?;
        }
        Ok(())
    }

    /// Reads a listing from its cursor (or whole, once a day) a page at a time, handing each page
    /// to `each` with whether the listing is whole, and saving the cursor after each page. The
    /// next page is read from the shop while `each` works on this one.
    pub(super) fn each_listing_page<T, F>(
        &self,
        name: &str,
        fetch: impl Fn(S, Option<String>) -> F,
        mut each: impl FnMut(&Self, &[T], bool) -> Result<(), RunError>,
    ) -> Result<(), RunError>
    where
        T: Send + 'static,
        F: std::future::Future<Output = Result<Page<T>, RunError>> + Send + 'static,
    {
        let server = &self.settings.name;
        let full_name = format!("{name}_full_at");
        let now = chrono::Utc::now().timestamp();
        let full_at: i64 = self.rt.block_on(self.state.cursor(server, &full_name))?.and_then(|t| t.parse().ok()).unwrap_or(0);
        let full = now - full_at >= FULL_LISTING_EVERY_SECS;
        let mut cursor = if full { None } else { self.rt.block_on(self.state.cursor(server, name))? };
        let mut seen: HashSet<String> = HashSet::new();
        let mut next_page = self.ahead(|shop| fetch(shop, cursor.clone()));
        loop {
            self.check_cancel()?;
            let page = self.take(next_page)?;
            let advanced = page.next_cursor.is_some() && page.next_cursor != cursor;
            let next = page.next_cursor.clone().filter(|n| page.has_more && advanced && !seen.contains(n));
            // Read ahead only where there is a page to read (dropped unread, the call stops).
            let ahead = next.clone().map(|n| self.ahead(|shop| fetch(shop, Some(n))));
            each(self, &page.items, full)?;
            if advanced && !self.dry_run {
                if let Some(next) = &page.next_cursor {
                    self.rt.block_on(self.state.set_cursor(server, name, next))?;
                }
            }
            if !page.has_more {
                break;
            }
            match (next, ahead) {
                (Some(next), Some(ahead)) => {
                    seen.insert(next.clone());
                    cursor = Some(next);
                    next_page = ahead;
                }
                _ => {
                    let next = page.next_cursor.filter(|_| advanced);
                    return Err(RunError::Shop {
                        message: Msg::ListingStuck.with(crate::i18n::current(), &[("name", &name), ("cursor", &format!("{next:?}"))]),
                        kind: FailureKind::ShopRefused,
                    });
                }
            }
        }
        if full && !self.dry_run {
            self.rt.block_on(self.state.set_cursor(server, &full_name, &now.to_string()))?;
        }
        Ok(())
    }

    /// Links one page of shop products to goods: one look-up per key for the page, the goods to
    /// make made in one transaction, the links saved.
    pub(super) fn link_goods_page(&self, products: &[Product], links: &mut HashMap<i64, String>, report: &mut NomenclatureReport) -> Result<(), RunError> {
        let linked_skus: HashSet<&str> = links.values().map(String::as_str).collect();
        let todo: Vec<&Product> = products.iter().filter(|p| !linked_skus.contains(p.sku.as_str())).collect();
        drop(linked_skus);
        if todo.is_empty() {
            return Ok(());
        }
        let key = self.settings.rules.goods_compare_by;
        let lang = crate::i18n::current();
        let fold = |s: &str| s.trim().to_lowercase();
        // The candidates of each product, by the key's folded value (barcodes: one look-up each).
        let mut by_value: HashMap<String, Vec<Good>> = HashMap::new();
        match key {
            GoodsKey::Code => {
                let skus: Vec<&str> = todo.iter().map(|p| p.sku.as_str()).collect();
                for g in self.wh.goods_by_codes(&skus)? {
                    by_value.entry(fold(&g.code)).or_default().push(g);
                }
            }
            GoodsKey::Name => {
                let names: Vec<&str> = todo.iter().map(|p| p.name.as_str()).collect();
                for g in self.wh.goods_by_names(&names)? {
                    by_value.entry(fold(&g.name)).or_default().push(g);
                }
            }
            GoodsKey::Barcode => {
                for p in &todo {
                    by_value.insert(fold(&p.sku), self.goods_for(p)?);
                }
            }
        }
        let value = |p: &Product| match key {
            GoodsKey::Code | GoodsKey::Barcode => fold(&p.sku),
            GoodsKey::Name => fold(&p.name),
        };
        // Goods that have the SKU as their code already (for keys other than the code).
        let coded: HashSet<String> = if self.settings.rules.sync_nomenclature && key != GoodsKey::Code {
            let skus: Vec<&str> = todo.iter().map(|p| p.sku.as_str()).collect();
            self.wh.goods_by_codes(&skus)?.into_iter().map(|g| fold(&g.code)).collect()
        } else {
            HashSet::new()
        };
        let mut new_links: Vec<(i64, String)> = Vec::new();
        // What to make: the good, its SKU, and how the report names it once it is made.
        let mut to_make: Vec<(NewGood, String, String)> = Vec::new();
        for p in todo {
            let candidates: Vec<&Good> =
                by_value.get(&value(p)).map(|v| v.iter().filter(|g| !links.contains_key(&(g.id as i64))).collect()).unwrap_or_default();
            match candidates.len() {
                1 => {
                    let g = candidates[0];
                    report.goods_linked.push(format!("{} -> {} {}", p.sku, g.code, g.name));
                    links.insert(g.id as i64, p.sku.clone());
                    new_links.push((g.id as i64, p.sku.clone()));
                }
                0 if self.settings.rules.sync_nomenclature => {
                    if coded.contains(&fold(&p.sku)) {
                        report.goods_unmatched.push(Msg::GoodCodeDiffers.with(lang, &[("sku", &p.sku), ("name", &p.name), ("key", &key.as_str())]));
                        continue;
                    }
                    if to_make.iter().any(|(_, sku, _)| *sku == p.sku) {
                        continue;
                    }
                    match self.good_from_product(p) {
                        Ok(good) => to_make.push((good, p.sku.clone(), format!("{} {}", p.sku, p.name))),
                        Err(reason) => report.goods_unmatched.push(format!("{} {}: {reason}", p.sku, p.name)),
                    }
                }
                0 => report.goods_unmatched.push(Msg::GoodNoMatch.with(lang, &[("sku", &p.sku), ("name", &p.name), ("key", &key.as_str())])),
                n => {
                    let codes = candidates.iter().map(|g| g.code.as_str()).collect::<Vec<_>>().join(", ");
                    report
                        .goods_unmatched
                        .push(Msg::GoodManyMatch.with(lang, &[("sku", &p.sku), ("name", &p.name), ("count", &n), ("key", &key.as_str()), ("codes", &codes)]))
                }
            }
        }
        self.make_and_link("good", to_make, |tx, g| tx.find_or_create_goods(g), new_links, links, &mut report.goods_created)
    }

    /// Links one page of shop customers to partners, as [`Ctx::link_goods_page`] does goods.
    pub(super) fn link_partners_page(&self, customers: &[Customer], links: &mut HashMap<i64, String>, report: &mut NomenclatureReport) -> Result<(), RunError> {
        let linked_keys: HashSet<&str> = links.values().map(String::as_str).collect();
        let todo: Vec<(&Customer, String)> =
            customers.iter().filter_map(|c| customer_link_key(c).map(|k| (c, k))).filter(|(_, k)| !linked_keys.contains(k.as_str())).collect();
        drop(linked_keys);
        if todo.is_empty() {
            return Ok(());
        }
        let key = self.settings.rules.partners_compare_by;
        let lang = crate::i18n::current();
        let value = |c: &Customer| match key {
            PartnersKey::Email => c.contact.email.trim().to_lowercase(),
            PartnersKey::VatNumber => normalise_tax_number(&c.contact.vat_number),
        };
        let mut by_value: HashMap<String, Vec<Partner>> = HashMap::new();
        match key {
            PartnersKey::Email => {
                let emails: Vec<&str> = todo.iter().map(|(c, _)| c.contact.email.as_str()).collect();
                for p in self.wh.partners_by_emails(&emails)? {
                    by_value.entry(p.email.trim().to_lowercase()).or_default().push(p);
                }
            }
            PartnersKey::VatNumber => {
                let vats: Vec<&str> = todo.iter().map(|(c, _)| c.contact.vat_number.as_str()).collect();
                for p in self.wh.partners_by_vat_numbers(&vats)? {
                    by_value.entry(normalise_tax_number(&p.vat_number)).or_default().push(p);
                }
            }
        }
        let mut new_links: Vec<(i64, String)> = Vec::new();
        let mut to_make: Vec<(Partner, String, String)> = Vec::new();
        for (c, link_key) in todo {
            let who =
                if c.contact.company_name.is_empty() { format!("{} {}", c.contact.first_name, c.contact.last_name) } else { c.contact.company_name.clone() };
            let v = value(c);
            let found: Vec<&Partner> = if v.is_empty() {
                Vec::new()
            } else {
                by_value.get(&v).map(|ps| ps.iter().filter(|p| !links.contains_key(&(p.id as i64))).collect()).unwrap_or_default()
            };
            match found.len() {
                1 => {
                    report.partners_linked.push(format!("{} -> {} ({})", link_key, found[0].company, found[0].code));
                    links.insert(found[0].id as i64, link_key.clone());
                    new_links.push((found[0].id as i64, link_key));
                }
                0 if self.settings.rules.sync_nomenclature => {
                    if to_make.iter().any(|(_, k, _)| *k == link_key) {
                        continue;
                    }
                    to_make.push((partner_from_customer(c, self.settings.rules.partner_role.role(), self.shop.identity().partner_prefix), link_key, who));
                }
                0 => {
                    let by = if key == PartnersKey::Email { Msg::ByEmail } else { Msg::ByVatNumber }.get(lang);
                    report.partners_unmatched.push(Msg::PartnerNoMatch.with(lang, &[("who", &who), ("key", &link_key), ("by", &by)]))
                }
                n => report.partners_unmatched.push(Msg::PartnerManyMatch.with(lang, &[("who", &who), ("key", &link_key), ("count", &n)])),
            }
        }
        let guest_code = self.shop.identity().guest_code;
        self.make_and_link("partner", to_make, |tx, p| tx.find_or_create_partners(p, guest_code), new_links, links, &mut report.partners_created)
    }

    /// The end of a page: what it needs made (record, shop key, how the report names it) made in
    /// one transaction and linked, then the page's links saved; reported as made only once the
    /// transaction committed. A dry run reports what would be made and writes nothing.
    pub(super) fn make_and_link<T>(
        &self,
        kind: &str,
        to_make: Vec<(T, String, String)>,
        create: impl Fn(&Warehouse, &[&T]) -> Result<Vec<(i32, bool)>, WarehouseError>,
        mut new_links: Vec<(i64, String)>,
        links: &mut HashMap<i64, String>,
        made: &mut Vec<String>,
    ) -> Result<(), RunError> {
        if self.dry_run {
            made.extend(to_make.into_iter().map(|(_, _, what)| what));
            return Ok(());
        }
        if !to_make.is_empty() {
            // Under the database's making lock, looked up again first: another writer (a second
            // server on this database, Warehouse Pro's operators) may have made one meanwhile,
            // which is then linked, not made twice.
            let records: Vec<&T> = to_make.iter().map(|(r, _, _)| r).collect();
            let ids = self.wh.transaction(|tx| {
                tx.lock_for_making()?;
                create(tx, &records)
            })?;
            for ((id, new), (_, key, what)) in ids.into_iter().zip(to_make) {
                if new {
                    made.push(what);
                }
                links.insert(id as i64, key.clone());
                new_links.push((id as i64, key));
            }
        }
        if !new_links.is_empty() {
            self.rt.block_on(self.state.set_links(&self.settings.name, kind, &new_links))?;
        }
        Ok(())
    }

    /// The goods a shop product matches by the server's key.
    pub(super) fn goods_for(&self, p: &Product) -> Result<Vec<Good>, RunError> {
        Ok(match self.settings.rules.goods_compare_by {
            GoodsKey::Code => self.wh.goods_by_code(&p.sku)?,
            GoodsKey::Name => self.wh.goods_by_name(&p.name)?,
            GoodsKey::Barcode => self.wh.goods_by_barcodes(&p.barcodes)?,
        })
    }

    /// The good a shop product becomes; the error says why it cannot.
    pub(super) fn good_from_product(&self, p: &Product) -> Result<NewGood, String> {
        let vat: f64 = match p.vat_percent.trim() {
            "" => 20.0,
            v => v
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && (0.0..100.0).contains(v))
                .ok_or_else(|| Msg::VatNotPercent.with(crate::i18n::current(), &[("rate", &p.vat_percent)]))?,
        };
        let gross: f64 = p
            .price
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| Msg::PriceNotNumber.with(crate::i18n::current(), &[("price", &p.price)]))?;
        let vat_group_id = self.vat_group(vat).map_err(|e| e.to_string())?;
        Ok(NewGood::for_sale(&p.sku, &p.name, p.barcodes.clone(), &p.measure, gross / (1.0 + vat / 100.0), vat_group_id))
    }
}
