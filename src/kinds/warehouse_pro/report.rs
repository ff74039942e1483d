//! A run's report on the Warehouse Pro side: what nomenclature linking, the import and the
//! export each did, the kind-neutral counts drawn from it, and its text for a person.

use serde::{Deserialize, Serialize};

use super::export::ExportReport;
use super::nomenclature::NomenclatureReport;
use super::pages::ImportReport;
use crate::config::Lang;
use crate::i18n::Msg;

/// A Warehouse Pro kind's own report of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// What linking found and made, before the import and export.
    pub nomenclature: Option<NomenclatureReport>,
    /// The import's report, if it ran.
    pub import: Option<ImportReport>,
    /// The export's report, if it ran.
    pub export: Option<ExportReport>,
}

impl Report {
    /// The kind-neutral counts of this report.
    pub fn counts(&self, dry_run: bool) -> crate::kinds::Counts {
        let mut c = crate::kinds::Counts::default();
        if let Some(n) = &self.nomenclature {
            c.created += (n.goods_created.len() + n.partners_created.len()) as u64;
        }
        if let Some(i) = &self.import {
            c.imported = if dry_run { i.planned.len() } else { i.imported.len() } as u64;
            c.already_imported = i.already_imported;
            c.set_aside = i.quarantined.len() as u64;
            c.not_acknowledged = i.ack_failures.len() as u64;
            c.created += (i.goods_created.len() + i.partners_created.len()) as u64;
        }
        if let Some(e) = &self.export {
            c.exported = e.products_sent + e.prices_sent + e.stock_sent + e.customers_sent;
            c.refused = e.refused.len() as u64;
        }
        c
    }

    /// The report as lines of text for a person, in a language.
    pub fn render(&self, dry_run: bool, lang: Lang) -> String {
        let mut t = String::new();
        if let Some(n) = &self.nomenclature {
            t.push_str(&render_nomenclature(n, dry_run, lang));
        }
        if let Some(i) = &self.import {
            t.push_str(&render_import(i, dry_run, lang));
        }
        if let Some(e) = &self.export {
            let line = if dry_run { Msg::ExportDryLine } else { Msg::ExportLine };
            t.push_str(&line.with(
                lang,
                &[
                    ("products", &e.products_sent),
                    ("products_same", &e.products_unchanged),
                    ("stock", &e.stock_sent),
                    ("stock_same", &e.stock_unchanged),
                    ("customers", &e.customers_sent),
                    ("customers_same", &e.customers_unchanged),
                ],
            ));
            t.push('\n');
            if e.prices_sent > 0 {
                let line = if dry_run { Msg::ExportPricesDryLine } else { Msg::ExportPricesLine };
                t.push_str(&line.with(lang, &[("prices", &e.prices_sent)]));
                t.push('\n');
            }
            for r in &e.refused {
                t.push_str(&Msg::RefusedByShop.with(lang, &[("item", r)]));
                t.push('\n');
            }
            for r in &e.skipped {
                t.push_str(&Msg::NotExported.with(lang, &[("item", r)]));
                t.push('\n');
            }
        }
        t
    }
}

fn render_nomenclature(n: &NomenclatureReport, dry_run: bool, lang: Lang) -> String {
    let mut t = String::new();
    let lists = [
        (Msg::GoodsLinked, &n.goods_linked),
        (Msg::GoodsMadeList, &n.goods_created),
        (Msg::GoodsUnmatched, &n.goods_unmatched),
        (Msg::PartnersLinked, &n.partners_linked),
        (Msg::PartnersMadeList, &n.partners_created),
        (Msg::PartnersUnmatched, &n.partners_unmatched),
    ];
    if lists.iter().any(|(_, l)| !l.is_empty()) {
        let line = if dry_run { Msg::NomenclatureDryLine } else { Msg::NomenclatureLine };
        t.push_str(&line.with(
            lang,
            &[
                ("goods_linked", &n.goods_linked.len()),
                ("goods_made", &n.goods_created.len()),
                ("goods_unmatched", &n.goods_unmatched.len()),
                ("partners_linked", &n.partners_linked.len()),
                ("partners_made", &n.partners_created.len()),
                ("partners_unmatched", &n.partners_unmatched.len()),
            ],
        ));
        t.push('\n');
        for (what, list) in lists {
            let what = what.get(lang);
            for item in list.iter().take(50) {
                t.push_str(&format!("  {what}: {item}\n"));
            }
            if list.len() > 50 {
                t.push_str(&format!("  {what}: {}\n", Msg::AndMore.with(lang, &[("count", &(list.len() - 50))])));
            }
        }
    }
    t
}

/// An import's report as lines of text.
pub fn render_import(i: &ImportReport, dry_run: bool, lang: Lang) -> String {
    let mut t = String::new();
    let mut line = |text: String| {
        t.push_str(&text);
        t.push('\n');
    };
    if dry_run {
        line(Msg::ImportDryLine.with(lang, &[("imported", &i.planned.len()), ("already", &i.already_imported), ("set_aside", &i.quarantined.len())]));
        for p in &i.planned {
            line(format!("  {p}"));
        }
    } else {
        line(Msg::ImportLine.with(
            lang,
            &[("imported", &i.imported.len()), ("already", &i.already_imported), ("set_aside", &i.quarantined.len()), ("acknowledged", &i.acknowledged)],
        ));
        for o in &i.imported {
            line(Msg::ImportedOrder.with(lang, &[("order", &o.order), ("document", &o.document), ("total", &format!("{:.2}", o.total))]));
        }
    }
    if !i.goods_created.is_empty() {
        line((if dry_run { Msg::GoodsToMake } else { Msg::GoodsMade }).with(lang, &[("list", &i.goods_created.join("; "))]));
    }
    if !i.partners_created.is_empty() {
        line((if dry_run { Msg::PartnersToMake } else { Msg::PartnersMade }).with(lang, &[("list", &i.partners_created.join("; "))]));
    }
    for q in &i.quarantined {
        line(Msg::SetAside.with(lang, &[("order", &q.order), ("reason", &q.reason)]));
    }
    for s in &i.skipped {
        line(Msg::LeftAlone.with(lang, &[("item", s)]));
    }
    for n in &i.notes {
        line(Msg::Note.with(lang, &[("note", n)]));
    }
    if i.pages_one_by_one > 0 {
        line(Msg::PagesOneByOne.with(lang, &[("count", &i.pages_one_by_one)]));
    }
    if !i.ack_failures.is_empty() {
        line(Msg::NotConfirmedHeader.with(lang, &[("count", &i.ack_failures.len())]));
        for a in &i.ack_failures {
            line(format!("  {a}"));
        }
    }
    t
}
