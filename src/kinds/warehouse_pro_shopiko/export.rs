//! Export: goods (with `export_goods`), partners (with `export_partners`) and available
//! quantities at the server's object go to the shop in batches. What was sent is fingerprinted in
//! obmen's state after the shop accepted each batch, so a later export sends only what changed,
//! and an export cut short resumes where it stopped.
//!
//! Goods go by the shop's SKU: the linked one where nomenclature linking joined the two, else the
//! good's code. Quantities go for the goods the shop has: all of them when goods are exported,
//! else the shop's own products. A quantity below zero is sent as 0.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::import::{Ctx, DISCOUNT_CODE, SHIPPING_CODE};
use crate::shopiko::client::{STOCK_BATCH, UPSERT_BATCH};
use crate::shopiko::model::{Address, Customer, CustomerType, Product, StockLevel};
use crate::warehouse::PartnerKind;

/// What an export run did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExportReport {
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
    /// Stock levels unchanged, not sent.
    pub stock_unchanged: u64,
    /// Items the shop refused or does not have, with why.
    pub refused: Vec<String>,
    /// Partners that cannot be exported (no code and no e-mail to key them by).
    pub skipped: Vec<String>,
}

impl ExportReport {
    /// True when something was refused.
    pub fn has_problems(&self) -> bool {
        !self.refused.is_empty()
    }
}

/// Items to send: (key, item, its fingerprint).
type Changed<'i, T> = Vec<(&'i str, &'i T, String)>;

/// A short fingerprint of what is sent.
fn fingerprint<T: Serialize>(item: &T) -> String {
    let json = serde_json::to_vec(item).expect("export items serialise");
    hex::encode(&Sha256::digest(&json)[..12])
}

fn money(v: f64) -> String {
    format!("{:.2}", (v * 100.0).round() / 100.0)
}

impl Ctx<'_> {
    /// Runs the export.
    pub fn export(&mut self) -> anyhow::Result<ExportReport> {
        let mut report = ExportReport::default();
        let server = self.settings.name.clone();
        let links: HashMap<i64, String> = self.rt.block_on(self.state.links(&server, "good"))?;
        // The goods, with price and quantity at the object, in bound batches.
        let mut products: Vec<(String, Product)> = Vec::new();
        let mut levels: Vec<(String, StockLevel)> = Vec::new();
        // Goods the shop will know by their code once exported: linked after it took them.
        let mut unlinked: Vec<(i64, String)> = Vec::new();
        self.wh.for_each_good_with_available(self.object, 5000, |batch| {
            for g in batch {
                // obmen's own service goods (shipping, discounts) are no products.
                if g.code == SHIPPING_CODE || g.code == DISCOUNT_CODE {
                    continue;
                }
                let sku = match links.get(&(g.id as i64)) {
                    Some(sku) => sku.clone(),
                    None => {
                        unlinked.push((g.id as i64, g.code.clone()));
                        g.code.clone()
                    }
                };
                if sku.trim().is_empty() {
                    continue;
                }
                if self.settings.export_goods {
                    let product = Product {
                        sku: sku.clone(),
                        name: g.name.clone(),
                        barcodes: g.barcodes.clone(),
                        measure: g.measure.clone(),
                        price: money(g.price * (1.0 + g.vat_percent / 100.0)),
                        vat_percent: format!("{}", g.vat_percent),
                        active: true,
                        updated_at: None,
                    };
                    products.push((sku.clone(), product));
                }
                levels.push((sku.clone(), StockLevel { sku, quantity: format!("{:.3}", g.available.max(0.0)) }));
            }
            Ok(())
        })?;
        if !self.settings.export_goods {
            // Quantities only for what the shop sells.
            let (shop_products, _) = self.rt.block_on(self.shop.all_products(None))?;
            let known: HashSet<String> = shop_products.into_iter().map(|p| p.sku).collect();
            levels.retain(|(sku, _)| known.contains(sku));
        }

        if self.settings.export_goods {
            let (sent, unchanged) = self.send_products(&products, &mut report)?;
            report.products_sent = sent;
            report.products_unchanged = unchanged;
            // Known by code, a good's SKU is its code: a link would say nothing more.
            if !self.dry_run && !unlinked.is_empty() && self.settings.goods_compare_by != super::GoodsKey::Code {
                let refused: HashSet<&str> = report.refused.iter().filter_map(|r| r.strip_prefix("product ")?.split(':').next()).collect();
                unlinked.retain(|(_, sku)| !refused.contains(sku.as_str()));
                self.rt.block_on(self.state.set_links(&server, "good", &unlinked))?;
            }
        }
        let (sent, unchanged) = self.send_stock(&levels, &mut report)?;
        report.stock_sent = sent;
        report.stock_unchanged = unchanged;
        if self.settings.export_partners {
            let customers = self.customers(&mut report)?;
            let (sent, unchanged) = self.send_customers(&customers, &mut report)?;
            report.customers_sent = sent;
            report.customers_unchanged = unchanged;
        }
        Ok(report)
    }

    /// Items whose fingerprint differs from what was last sent.
    fn changed<'i, T: Serialize>(&self, kind: &str, items: &'i [(String, T)]) -> anyhow::Result<(Changed<'i, T>, u64)> {
        let last = self.rt.block_on(self.state.fingerprints(&self.settings.name, kind))?;
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

    fn record(&self, kind: &str, sent: &[(&str, &impl Serialize, String)], refused: &HashSet<String>) -> anyhow::Result<()> {
        if self.dry_run {
            return Ok(());
        }
        let items: Vec<(String, String)> =
            sent.iter().filter(|(k, _, _)| !refused.contains(*k)).map(|(k, _, fp)| (k.to_string(), fp.clone())).collect();
        self.rt.block_on(self.state.set_fingerprints(&self.settings.name, kind, &items))?;
        Ok(())
    }

    /// Sends the items that changed, `batch` at a time, through `call`, which answers the keys the
    /// shop refused and what to report; records each accepted batch's fingerprints. Returns (sent,
    /// unchanged).
    fn send<T: Serialize + Clone>(
        &self,
        kind: &str,
        items: &[(String, T)],
        batch: usize,
        report: &mut ExportReport,
        call: impl Fn(&[T]) -> anyhow::Result<(HashSet<String>, Vec<String>)>,
    ) -> anyhow::Result<(u64, u64)> {
        let (changed, unchanged) = self.changed(kind, items)?;
        if !self.dry_run {
            for chunk in changed.chunks(batch) {
                let values: Vec<T> = chunk.iter().map(|(_, item, _)| (*item).clone()).collect();
                let (refused, messages) = call(&values)?;
                report.refused.extend(messages);
                self.record(kind, chunk, &refused)?;
            }
        }
        Ok((changed.len() as u64, unchanged))
    }

    fn send_products(&self, products: &[(String, Product)], report: &mut ExportReport) -> anyhow::Result<(u64, u64)> {
        self.send("product", products, UPSERT_BATCH, report, |batch| {
            let r = self.rt.block_on(self.shop.upsert_products(batch))?;
            Ok((r.errors.iter().map(|e| e.key.clone()).collect(), r.errors.iter().map(|e| format!("product {}: {}", e.key, e.message)).collect()))
        })
    }

    fn send_stock(&self, levels: &[(String, StockLevel)], report: &mut ExportReport) -> anyhow::Result<(u64, u64)> {
        self.send("stock", levels, STOCK_BATCH, report, |batch| {
            let r = self.rt.block_on(self.shop.set_stock(batch))?;
            let messages = r.unknown_skus.iter().map(|s| format!("stock of {s}: the shop has no such product")).collect();
            Ok((r.unknown_skus.into_iter().collect(), messages))
        })
    }

    fn customers(&self, report: &mut ExportReport) -> anyhow::Result<Vec<(String, Customer)>> {
        let links: HashMap<i64, String> = self.rt.block_on(self.state.links(&self.settings.name, "partner"))?;
        let mut out = Vec::new();
        let guest = self.settings.guest_partner.trim();
        for p in self.wh.partners()? {
            // The partner of guest orders stands for many people: no shop customer.
            if p.company == guest || p.code == guest || p.code == "SH-GUEST" {
                continue;
            }
            let external = p.code.clone();
            let key = if !external.trim().is_empty() { format!("ext:{external}") } else { format!("email:{}", p.email.to_lowercase()) };
            if external.trim().is_empty() && p.email.trim().is_empty() {
                report.skipped.push(format!("partner '{}' (ID {}) has no code and no e-mail to be known by in the shop", p.company, p.id));
                continue;
            }
            // A partner linked to a shop customer goes by that customer's e-mail, so the shop joins them.
            let email = match links.get(&(p.id as i64)) {
                Some(k) if k.contains('@') => k.clone(),
                _ => p.email.clone(),
            };
            let (first, last) = p.contact.split_once(' ').map(|(a, b)| (a.to_owned(), b.to_owned())).unwrap_or((p.contact.clone(), String::new()));
            let company = p.kind == PartnerKind::Company;
            out.push((
                key,
                Customer {
                    kind: if company { CustomerType::Company } else { CustomerType::Person },
                    id: None,
                    external_id: (!external.trim().is_empty()).then_some(external),
                    email,
                    phone: p.phone.clone(),
                    first_name: first,
                    last_name: last,
                    company_name: if company { p.company.clone() } else { String::new() },
                    vat_number: p.vat_number.clone(),
                    company_number: p.company_number.clone(),
                    billing_address: Some(Address { name: p.company.clone(), line1: p.address.clone(), city: p.city.clone(), country: "BG".into(), ..Address::default() }),
                    delivery_address: None,
                },
            ));
        }
        Ok(out)
    }

    fn send_customers(&self, customers: &[(String, Customer)], report: &mut ExportReport) -> anyhow::Result<(u64, u64)> {
        // The shop names refused customers by its own key, not obmen's: none is held back here.
        self.send("customer", customers, UPSERT_BATCH, report, |batch| {
            let r = self.rt.block_on(self.shop.upsert_customers(batch))?;
            Ok((HashSet::new(), r.errors.iter().map(|e| format!("customer {}: {}", e.key, e.message)).collect()))
        })
    }
}
