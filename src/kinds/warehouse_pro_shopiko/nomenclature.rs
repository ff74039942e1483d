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

use serde::Serialize;

use super::import::{partner_from_customer, Ctx};
use super::{GoodsKey, PartnersKey};
use crate::shopiko::model::{Customer, Product};
use crate::warehouse::{Good, NewGood, Partner};

/// What linking found and did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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
    if !c.email.trim().is_empty() {
        Some(c.email.trim().to_lowercase())
    } else {
        c.id.as_ref().map(|id| format!("id:{id}"))
    }
}

impl Ctx<'_> {
    /// Links (and, with nomenclature sync, makes) goods and partners.
    pub fn sync_nomenclature(&mut self) -> anyhow::Result<NomenclatureReport> {
        let mut report = NomenclatureReport::default();
        let server = self.settings.name.clone();
        // With goods known by their code and nothing to make, a shop product's SKU is the good's
        // code already: there is nothing to link, and the listing is not read.
        let link_goods = self.settings.sync_nomenclature || self.settings.goods_compare_by != GoodsKey::Code;
        let link_partners = self.settings.sync_nomenclature || self.settings.partners_compare_by != PartnersKey::Email;
        let products = if link_goods { self.rt.block_on(self.shop.all_products(None))?.0 } else { Vec::new() };
        let mut good_links = self.rt.block_on(self.state.links(&server, "good"))?;
        let mut new_links: Vec<(i64, String)> = Vec::new();
        let linked_skus: HashSet<String> = good_links.values().cloned().collect();
        for p in products.iter().filter(|p| !linked_skus.contains(&p.sku)) {
            let candidates: Vec<Good> = self.goods_for(p)?.into_iter().filter(|g| !good_links.contains_key(&(g.id as i64))).collect();
            match candidates.len() {
                1 => {
                    let g = &candidates[0];
                    report.goods_linked.push(format!("{} -> {} {}", p.sku, g.code, g.name));
                    good_links.insert(g.id as i64, p.sku.clone());
                    new_links.push((g.id as i64, p.sku.clone()));
                }
                0 if self.settings.sync_nomenclature => {
                    if !self.wh.goods_by_code(&p.sku)?.is_empty() {
                        report.goods_unmatched.push(format!(
                            "{} {}: a good with code {} exists, but its {} differs; link them by making them agree",
                            p.sku, p.name, p.sku, self.settings.goods_compare_by.as_str()
                        ));
                        continue;
                    }
                    report.goods_created.push(format!("{} {}", p.sku, p.name));
                    if !self.dry_run {
                        let good = self.good_from_product(p)?;
                        let id = self.wh.transaction(|tx| tx.create_good(&good))?;
                        good_links.insert(id as i64, p.sku.clone());
                        new_links.push((id as i64, p.sku.clone()));
                    }
                }
                0 => report.goods_unmatched.push(format!(
                    "{} {}: no good matches it by {}; make it in Warehouse Pro or turn rules.sync_nomenclature on",
                    p.sku, p.name, self.settings.goods_compare_by.as_str()
                )),
                n => report.goods_unmatched.push(format!(
                    "{} {}: {n} goods match it by {} ({}); keep one",
                    p.sku,
                    p.name,
                    self.settings.goods_compare_by.as_str(),
                    candidates.iter().map(|g| g.code.as_str()).collect::<Vec<_>>().join(", ")
                )),
            }
        }
        if !self.dry_run && !new_links.is_empty() {
            self.rt.block_on(self.state.set_links(&server, "good", &new_links))?;
        }

        let customers = if link_partners { self.rt.block_on(self.shop.all_customers(None))?.0 } else { Vec::new() };
        let mut partner_links = self.rt.block_on(self.state.links(&server, "partner"))?;
        let linked_keys: HashSet<String> = partner_links.values().cloned().collect();
        let mut new_links: Vec<(i64, String)> = Vec::new();
        for c in &customers {
            let Some(key) = customer_link_key(c) else { continue };
            if linked_keys.contains(&key) {
                continue;
            }
            let who = if c.company_name.is_empty() { format!("{} {}", c.first_name, c.last_name) } else { c.company_name.clone() };
            let found: Vec<Partner> = match self.settings.partners_compare_by {
                PartnersKey::Email => self.wh.partners_by_email(&c.email)?,
                PartnersKey::VatNumber => self.wh.partners_by_vat_number(&c.vat_number)?,
            };
            let found: Vec<Partner> = found.into_iter().filter(|p| !partner_links.contains_key(&(p.id as i64))).collect();
            match found.len() {
                1 => {
                    report.partners_linked.push(format!("{} -> {} ({})", key, found[0].company, found[0].code));
                    partner_links.insert(found[0].id as i64, key.clone());
                    new_links.push((found[0].id as i64, key));
                }
                0 if self.settings.sync_nomenclature => {
                    report.partners_created.push(who);
                    if !self.dry_run {
                        let partner = partner_from_customer(c);
                        let id = self.wh.transaction(|tx| tx.create_partner(&partner))?;
                        partner_links.insert(id as i64, key.clone());
                        new_links.push((id as i64, key));
                    }
                }
                0 => report.partners_unmatched.push(format!(
                    "{who} ({key}): no partner matches by {}; make it in Warehouse Pro or turn rules.sync_nomenclature on",
                    if self.settings.partners_compare_by == PartnersKey::Email { "e-mail" } else { "VAT number" }
                )),
                n => report.partners_unmatched.push(format!("{who} ({key}): {n} partners match; keep one")),
            }
        }
        if !self.dry_run && !new_links.is_empty() {
            self.rt.block_on(self.state.set_links(&server, "partner", &new_links))?;
        }
        Ok(report)
    }

    /// The goods a shop product matches by the server's key.
    fn goods_for(&self, p: &Product) -> anyhow::Result<Vec<Good>> {
        Ok(match self.settings.goods_compare_by {
            GoodsKey::Code => self.wh.goods_by_code(&p.sku)?,
            GoodsKey::Name => self.wh.goods_by_name(&p.name)?,
            GoodsKey::Barcode => {
                let mut found: Vec<Good> = Vec::new();
                for b in &p.barcodes {
                    for g in self.wh.goods_by_barcode(b)? {
                        if !found.iter().any(|f| f.id == g.id) {
                            found.push(g);
                        }
                    }
                }
                found
            }
        })
    }

    fn good_from_product(&self, p: &Product) -> anyhow::Result<NewGood> {
        let vat: f64 = p.vat_percent.trim().parse().unwrap_or(20.0);
        let gross: f64 = p.price.trim().parse().map_err(|_| anyhow::anyhow!("product {}: the price '{}' is not a number", p.sku, p.price))?;
        let vat_group_id = self.vat_group(vat)?;
        let net = (gross / (1.0 + vat / 100.0) * 1e6).round() / 1e6;
        Ok(NewGood {
            code: p.sku.clone(),
            name: p.name.clone(),
            barcodes: p.barcodes.clone(),
            measure: if p.measure.is_empty() { "бр.".into() } else { p.measure.clone() },
            price_in: 0.0,
            price_wholesale: net,
            price_retail: net,
            vat_group_id,
            group_id: 1,
            kind_flags: 0,
        })
    }
}

/// Shop SKU -> good ID, from the links.
pub fn sku_index(links: &HashMap<i64, String>) -> HashMap<String, i32> {
    links.iter().map(|(id, sku)| (sku.clone(), *id as i32)).collect()
}
