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

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Local, NaiveDateTime};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::nomenclature::sku_index;
use super::{GoodsKey, Settings};
use crate::i18n::Msg;
use crate::kinds::{Events, Phase, RunError, RunEvent};
use crate::shopiko::client::ORDERS_PAGE_MAX;
use crate::shopiko::model::{CustomerType, DiscountKind, Order, PaymentMethod, Product};
use crate::shopiko::{ShopikoClient, ShopikoError};
use crate::state::State;
use crate::warehouse::partners::normalise_tax_number;
use crate::warehouse::{
    Good, NewDocument, NewGood, NewImport, NewLine, Numbering, Object, OperType, Paid, Partner, PartnerRole, Stock, Warehouse, WarehouseError,
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
    /// Export everything again (`obmen run --export --full`).
    pub full: bool,
    /// Stops the run at its next page or batch.
    pub cancel: &'a CancellationToken,
    /// Where the run's events go.
    pub events: &'a Events,
    /// What this run has already read and need not read again.
    pub cache: &'a Cache,
}

/// The most pages of orders one run reads; the rest wait for the next run. A shop whose cursor
/// keeps moving forever cannot hold a run.
pub const MAX_ORDER_PAGES: u32 = 5_000;

impl Ctx<'_> {
    /// A call to the shop, given up on when the run is stopped (a retry's pause included).
    pub(super) fn shop_call<T>(&self, call: impl std::future::Future<Output = Result<T, ShopikoError>>) -> Result<T, RunError> {
        self.rt.block_on(async {
            tokio::select! {
                biased;
                () = self.cancel.cancelled() => Err(RunError::Stopped),
                r = call => r.map_err(RunError::from),
            }
        })
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
            let (all, _) = self.shop_call(self.shop.all_products(None))?;
            *self.cache.products.borrow_mut() = Some(all.into_iter().map(|p| (p.sku.clone(), p)).collect());
        }
        std::cell::Ref::filter_map(self.cache.products.borrow(), |p| p.as_ref())
            .map_err(|_| RunError::Setup { message: "the shop's product list was read but is not there".into() })
    }

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
    /// The shop's products by SKU, once read (at most once a run).
    pub(super) products: std::cell::RefCell<Option<ProductIndex>>,
    /// The database's currencies, once read.
    currencies: std::cell::RefCell<Option<Currencies>>,
    /// What partner matching had to decide against a weaker key, one line an order.
    partner_notes: std::cell::RefCell<Vec<String>>,
    /// When this run stops trying to acknowledge orders (set at the first acknowledgement).
    ack_deadline: std::cell::RefCell<Option<tokio::time::Instant>>,
}

/// The most time one run spends telling the shop about imported orders.
pub const ACK_BUDGET: std::time::Duration = std::time::Duration::from_secs(60);

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
    /// What an operator should know, beside the orders (a repair obmen offers).
    pub notes: Vec<String>,
}

/// An order's numbers, checked.
pub(super) struct Parsed<'o> {
    order: &'o Order,
    date: NaiveDateTime,
    /// The order's currency in the database (currencies.ID) and its rate to the base currency;
    /// every amount below is in the base currency.
    currency: (i32, f64),
    /// The shop's total with VAT.
    total: f64,
    lines: Vec<ParsedLine<'o>>,
    discounts: Vec<(String, f64)>,
    shipping: Option<(String, f64, f64)>,
    paid: Option<Paid>,
}

pub(super) struct ParsedLine<'o> {
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
        _ => Err(Msg::NotANumber.with(crate::i18n::current(), &[("what", &what), ("text", &text)])),
    }
}

/// What an order may carry before it is questioned rather than booked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Limits {
    /// The largest amount (unit price, line, discount, shipping, payment, total).
    pub amount: f64,
    /// The largest quantity on a line.
    pub quantity: f64,
}

impl Limits {
    /// The server's limits.
    pub fn of(settings: &Settings) -> Limits {
        Limits { amount: settings.rules.max_amount.into(), quantity: settings.rules.max_quantity.into() }
    }
}

/// The longest order id or number obmen keeps (the import log's columns hold 100).
const MAX_ORDER_KEY_CHARS: usize = 100;

/// The most lines an order may carry (discounts and shipping add a few more to its document): a
/// shop order never has more, and a page of orders stays a bounded write. The statement budgets
/// are tested against a page of [`PAGE`] orders this long (`warehouse::tests`).
pub const MAX_LINES_PER_ORDER: usize = 1000;

/// Checks an order's numbers; the error is the quarantine reason.
pub(super) fn parse(order: &Order, limits: Limits) -> Result<Parsed<'_>, String> {
    let lang = crate::i18n::current();
    for (what, value) in [(Msg::KeyId, &order.id), (Msg::KeyNumber, &order.number)] {
        let what = what.get(lang);
        if value.trim().is_empty() {
            return Err(Msg::OrderNoKey.with(lang, &[("what", &what)]));
        }
        if value.chars().count() > MAX_ORDER_KEY_CHARS || value.chars().any(char::is_control) {
            return Err(Msg::OrderKeyTooLong.with(lang, &[("what", &what), ("max", &MAX_ORDER_KEY_CHARS)]));
        }
    }
    let too_big = |what: &str, v: f64| -> Result<(), String> {
        if v.abs() > limits.amount {
            // Written as the shop would, short: 1e300 rather than three hundred digits.
            let shown = if v.abs() >= 1e12 { format!("{v:e}") } else { format!("{v}") };
            Err(Msg::AboveLargestAmount.with(lang, &[("what", &what), ("value", &shown), ("max", &limits.amount)]))
        } else {
            Ok(())
        }
    };
    let below_zero = |what: &str, v: f64| Msg::BelowZero.with(lang, &[("what", &what), ("value", &v)]);
    let date = DateTime::parse_from_rfc3339(&order.created_at)
        .map(|d| d.with_timezone(&Local).naive_local())
        .map_err(|_| Msg::NotRfc3339.with(lang, &[("date", &order.created_at)]))?;
    if order.lines.is_empty() {
        return Err(Msg::NoLines.get(lang).to_owned());
    }
    if order.lines.len() > MAX_LINES_PER_ORDER {
        return Err(Msg::TooManyLines.with(lang, &[("count", &order.lines.len()), ("max", &MAX_LINES_PER_ORDER)]));
    }
    let mut lines = Vec::new();
    for l in &order.lines {
        let n = &l.line_id;
        let qty = number(&Msg::LineQuantity.with(lang, &[("n", n)]), &l.quantity)?;
        if qty < 0.0 {
            return Err(below_zero(&Msg::LineQuantity.with(lang, &[("n", n)]), qty));
        }
        if qty == 0.0 {
            continue;
        }
        if qty > limits.quantity {
            return Err(Msg::QuantityAboveLargest.with(lang, &[("n", n), ("qty", &qty), ("max", &limits.quantity)]));
        }
        let price_what = Msg::LinePrice.with(lang, &[("n", n)]);
        let unit_gross = number(&price_what, &l.unit_price)?;
        if unit_gross < 0.0 {
            return Err(below_zero(&price_what, unit_gross));
        }
        too_big(&price_what, unit_gross)?;
        too_big(&Msg::LineTotal.with(lang, &[("n", n)]), unit_gross * qty)?;
        let discount = number(&Msg::LineDiscount.with(lang, &[("n", n)]), &l.discount_percent)?;
        if !(0.0..=100.0).contains(&discount) {
            return Err(Msg::DiscountNotPercent.with(lang, &[("n", n), ("discount", &discount)]));
        }
        let vat_percent = number(&Msg::LineVat.with(lang, &[("n", n)]), &l.vat_percent)?;
        lines.push(ParsedLine { sku: l.sku.trim(), name: &l.name, qty, unit_gross, discount, vat_percent });
    }
    if lines.is_empty() {
        return Err(Msg::AllLinesZero.get(lang).to_owned());
    }
    let mut discounts = Vec::new();
    for d in &order.discounts {
        let what = Msg::TheDiscount.with(lang, &[("code", &d.code)]);
        let amount = number(&what, &d.amount)?;
        if amount < 0.0 {
            return Err(Msg::DiscountBelowZero.with(lang, &[("code", &d.code), ("amount", &amount)]));
        }
        too_big(&what, amount)?;
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
            let what = Msg::ShippingPrice.get(lang);
            let price = number(what, &s.price)?;
            let vat = number(Msg::ShippingVat.get(lang), &s.vat_percent)?;
            if price < 0.0 {
                return Err(below_zero(what, price));
            }
            too_big(what, price)?;
            (price > 0.0).then(|| (s.method.clone(), price, vat))
        }
        None => None,
    };
    let total = number(Msg::OrderTotal.get(lang), &order.totals.total)?;
    too_big(Msg::OrderTotal.get(lang), total)?;
    if total < 0.0 {
        return Err(Msg::TotalBelowZero.with(lang, &[("total", &format!("{total:.2}"))]));
    }
    let paid = if order.payment.paid {
        let amount = number(Msg::AmountPaid.get(lang), &order.payment.paid_amount)?;
        if amount < 0.0 {
            return Err(below_zero(Msg::AmountPaid.get(lang), amount));
        }
        // Paying more than the order's total is never a rounding: question it.
        if amount > total + TOTAL_TOLERANCE {
            return Err(Msg::Overpaid.with(lang, &[("paid", &format!("{amount:.2}")), ("total", &format!("{total:.2}"))]));
        }
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
    Ok(Parsed { order, date, currency: (0, 1.0), total, lines, discounts, shipping, paid })
}

impl Parsed<'_> {
    /// The order in the database's base currency: every amount times the rate of the order's
    /// currency (what one unit of it is worth in the base), and the currency remembered for
    /// the document's CurrencyID and CurrencyRate.
    pub(super) fn in_base(mut self, currency_id: i32, rate: f64) -> Self {
        self.currency = (currency_id, rate);
        for l in &mut self.lines {
            l.unit_gross *= rate;
        }
        for (_, amount) in &mut self.discounts {
            *amount *= rate;
        }
        if let Some((_, price, _)) = &mut self.shipping {
            *price *= rate;
        }
        if let Some(p) = &mut self.paid {
            p.amount *= rate;
        }
        self.total *= rate;
        self
    }
}

/// The currencies of the database: its base, and every live one by code.
#[derive(Debug, Clone)]
pub(super) struct Currencies {
    /// The base currency.
    pub base: crate::warehouse::Currency,
    /// Every live currency, the base among them.
    pub all: Vec<crate::warehouse::Currency>,
}

impl Currencies {
    /// The ID and rate an order in `code` is booked with; the error is the quarantine reason.
    pub fn of(&self, code: &str) -> Result<(i32, f64), String> {
        let code = code.trim().to_uppercase();
        if code == self.base.code {
            return Ok((self.base.id, 1.0));
        }
        match self.all.iter().find(|c| c.code == code) {
            Some(c) if c.rate.is_finite() && c.rate > 0.0 => Ok((c.id, c.rate)),
            Some(c) => Err(Msg::CurrencyBadRate.with(crate::i18n::current(), &[("code", &code), ("rate", &c.rate)])),
            None if code.len() == 3 && code.chars().all(|ch| ch.is_ascii_alphabetic()) => {
                Err(Msg::CurrencyMissing.with(crate::i18n::current(), &[("code", &code), ("base", &self.base.code)]))
            }
            None => Err(Msg::NoCurrencyCode.with(crate::i18n::current(), &[("code", &code)])),
        }
    }
}

/// What a line's good brings to its line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct LineGood {
    /// The good's ID (a stand-in below zero for one still to make).
    pub id: i32,
    /// Its VAT rate in percent.
    pub vat_percent: f64,
    /// Its purchase price.
    pub cost: f64,
    /// False for non-inventory goods.
    pub moves_stock: bool,
}

/// An order's document lines (pure): each product line at its price without VAT after the
/// product discount, VAT per unit at its good's rate; each voucher or promo code a line of the
/// discount good at a negative price with VAT at the main rate; shipping a line of the shipping
/// good at its price and rate.
pub(super) fn order_lines(p: &Parsed<'_>, goods: &[LineGood], main_vat: f64, discount_good: i32, shipping_good: i32) -> Vec<NewLine> {
    let note = format!("Shopiko {}", p.order.number);
    let mut lines = Vec::new();
    for (line, g) in p.lines.iter().zip(goods) {
        let gross = line.unit_gross * (1.0 - line.discount / 100.0);
        let net = gross / (1.0 + g.vat_percent / 100.0);
        lines.push(NewLine {
            good_id: g.id,
            qtty: line.qty,
            price: round6(net),
            vat: round6(net * g.vat_percent / 100.0),
            discount: line.discount,
            price_in: g.cost,
            moves_stock: g.moves_stock,
            note: note.clone(),
        });
    }
    for (what, amount) in &p.discounts {
        let net = -amount / (1.0 + main_vat / 100.0);
        lines.push(NewLine {
            good_id: discount_good,
            qtty: 1.0,
            price: round6(net),
            vat: round6(net * main_vat / 100.0),
            discount: 0.0,
            price_in: 0.0,
            moves_stock: false,
            note: format!("{note}: {what}"),
        });
    }
    if let Some((method, price, vat)) = &p.shipping {
        let net = price / (1.0 + vat / 100.0);
        lines.push(NewLine {
            good_id: shipping_good,
            qtty: 1.0,
            price: round6(net),
            vat: round6(net * vat / 100.0),
            discount: 0.0,
            price_in: 0.0,
            moves_stock: false,
            note: format!("{note}: {method}"),
        });
    }
    lines
}

/// How far the lines' total may be from the shop's before the order is questioned: rounding of
/// VAT per unit over many lines, never a real difference.
pub(super) const TOTAL_TOLERANCE: f64 = 0.05;

/// The lines' total with VAT against the shop's; the error is the quarantine reason.
pub(super) fn check_total(lines_total: f64, shop_total: f64) -> Result<(), String> {
    if (lines_total - shop_total).abs() > TOTAL_TOLERANCE {
        let (lines, total) = (format!("{lines_total:.2}"), format!("{shop_total:.2}"));
        return Err(Msg::TotalMismatch.with(crate::i18n::current(), &[("lines", &lines), ("total", &total)]));
    }
    Ok(())
}

/// An order the shop sent that does not decode as the contract says.
pub(super) struct Malformed {
    /// Its id, as sent; else a digest of its JSON, so that the same order is set aside once.
    pub id: String,
    /// Its number, as sent; else its id.
    pub number: String,
    /// Why it cannot be read.
    pub reason: String,
    /// The order as it came.
    pub raw: String,
}

/// Decodes each order of a page on its own: the ones that decode, and the ones that do not.
pub(super) fn decode_orders(items: &[serde_json::Value]) -> (Vec<Order>, Vec<Malformed>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for item in items {
        // The path to the field at fault ("lines[0].quantity: invalid type ..."), not only what was wrong.
        match serde_path_to_error::deserialize::<_, Order>(item) {
            Ok(order) => good.push(order),
            Err(e) => {
                let raw = item.to_string();
                let text = |key: &str| match item.get(key) {
                    Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
                    Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                };
                let id = text("id").unwrap_or_else(|| {
                    use sha2::Digest;
                    format!("malformed-{}", hex::encode(&sha2::Sha256::digest(raw.as_bytes())[..8]))
                });
                let number = text("number").unwrap_or_else(|| id.clone());
                let reason = format!(
                    "the shop sent this order in a shape obmen cannot read ({e}); it is kept as it came. Ask the shop to correct it; a corrected order it sends again is imported by itself"
                );
                bad.push(Malformed { id, number, reason, raw });
            }
        }
    }
    (good, bad)
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
pub(super) type ProductIndex = HashMap<String, Product>;

/// How many orders are written in one transaction. Each order's document, stock moves, payments
/// and import record commit together with the others of its page, or not at all: a crash leaves
/// the whole page to the next run. An order refused for its own reasons (stock, total) is set
/// aside before anything is written; when the page fails as a whole, its orders are written one
/// by one so that the order at fault is found and set aside alone.
pub const PAGE: usize = 200;

/// An order ready to write: its numbers checked, its goods and partner resolved.
struct Ready<'o> {
    parsed: Parsed<'o>,
    goods: Vec<GoodRef>,
    partner: PartnerRef,
}

/// The existing partners the customers of a page match, read in one query per key, every match
/// of each key kept (by ID), so that keys that disagree can be seen.
#[derive(Default)]
struct PartnerIndex {
    by_email: HashMap<String, Vec<Partner>>,
    by_vat_number: HashMap<String, Vec<Partner>>,
    by_company_number: HashMap<String, Vec<Partner>>,
}

impl PartnerIndex {
    fn add(map: &mut HashMap<String, Vec<Partner>>, found: Vec<Partner>, key: impl Fn(&Partner) -> String) {
        for p in found {
            let k = key(&p);
            if !k.is_empty() {
                map.entry(k).or_default().push(p);
            }
        }
    }
}

/// How an order's customer is matched to a partner (see [`Ctx::resolve_partner`]).
#[derive(Debug, PartialEq)]
pub(super) enum Match {
    /// This partner; with a note when a weaker key pointed elsewhere.
    Found(i32, String, Option<String>),
    /// A new partner; with a note when a weaker key pointed at one whose stronger key differs.
    New(Option<String>),
    /// No key is stronger: set the order aside with this reason.
    Ambiguous(String),
}

/// The rule: a company (it carries a VAT or company number) is known by its VAT number first,
/// then its company number, and only then by e-mail; a person by e-mail. A match is never taken
/// when a stronger key disagrees with it: the stronger key wins and the note says so, and where
/// no key is stronger (the VAT number names one partner, the company number another; two
/// partners share the key) the order is set aside.
fn match_partner(vat: &str, number: &str, email: &str, by_vat: &[Partner], by_number: &[Partner], by_email: &[Partner]) -> Match {
    let name = |p: &Partner| format!("'{}' ({})", p.company, if p.code.is_empty() { format!("ID {}", p.id) } else { p.code.clone() });
    let lang = crate::i18n::current();
    let one = |what: Msg, key: &str, ps: &[Partner]| -> Result<Option<Partner>, Match> {
        match ps {
            [] => Ok(None),
            [p] => Ok(Some(p.clone())),
            many => {
                let partners = many.iter().map(name).collect::<Vec<_>>().join(", ");
                Err(Match::Ambiguous(
                    Msg::PartnersShareKey.with(lang, &[("count", &many.len()), ("what", &what.get(lang)), ("key", &key), ("partners", &partners)]),
                ))
            }
        }
    };
    let company = !vat.is_empty() || !number.is_empty();
    let pick = || -> Result<Match, Match> {
        let by_email_one = one(Msg::KeyEmail, email, by_email)?;
        if !company {
            return Ok(match by_email_one {
                Some(p) => Match::Found(p.id, p.company, None),
                None => Match::New(None),
            });
        }
        let v = if vat.is_empty() { None } else { one(Msg::KeyVatNumber, vat, by_vat)? };
        let n = if number.is_empty() { None } else { one(Msg::KeyCompanyNumber, number, by_number)? };
        let strong = match (v, n) {
            (Some(a), Some(b)) if a.id != b.id => {
                return Err(Match::Ambiguous(Msg::VatAndNumberDisagree.with(lang, &[("vat", &vat), ("a", &name(&a)), ("number", &number), ("b", &name(&b))])))
            }
            (Some(a), _) => Some((a, Msg::KeyVatNumber.get(lang))),
            (None, Some(b)) => Some((b, Msg::KeyCompanyNumber.get(lang))),
            (None, None) => None,
        };
        Ok(match (strong, by_email_one) {
            (Some((p, key)), Some(e)) if e.id != p.id => {
                let note = Msg::EmailElsewhere.with(lang, &[("email", &email), ("weak", &name(&e)), ("key", &key), ("strong", &name(&p))]);
                Match::Found(p.id, p.company, Some(note))
            }
            (Some((p, _)), _) => Match::Found(p.id, p.company, None),
            (None, Some(e)) => {
                let theirs = (normalise_tax_number(&e.vat_number), normalise_tax_number(&e.company_number));
                let differs =
                    (!vat.is_empty() && !theirs.0.is_empty() && theirs.0 != vat) || (!number.is_empty() && !theirs.1.is_empty() && theirs.1 != number);
                if differs {
                    Match::New(Some(Msg::EmailNumbersDiffer.with(lang, &[("email", &email), ("partner", &name(&e))])))
                } else {
                    Match::Found(e.id, e.company, None)
                }
            }
            (None, None) => Match::New(None),
        })
    };
    pick().unwrap_or_else(|m| m)
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
struct PageWritten {
    /// Per order, in the page's order: the document's number and total, or why it was set aside.
    outcomes: Vec<Result<(i32, f64), String>>,
    goods_created: Vec<String>,
    partners_created: Vec<String>,
    /// The service goods the page used, by code, once its transaction commits.
    service_goods: Vec<(&'static str, i32)>,
}

impl Ctx<'_> {
    fn source(&self) -> &str {
        &self.settings.shopiko.api_id
    }

    /// Runs the import: first acknowledgements left over from an earlier run, then the orders
    /// in the quarantine, then the orders placed since the last run, a page at a time: each page
    /// is imported, the cursor saved after it, and its orders acknowledged, before the next is
    /// fetched. Memory stays bounded whatever the backlog, a failure at page 400 leaves pages
    /// 1-399 done, and a stopped run ends between two pages.
    pub fn run(&mut self, report: &mut ImportReport) -> Result<(), RunError> {
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
            match serde_json::from_str::<Order>(&q.payload) {
                Ok(order) => stored.push(order),
                Err(e) => report.quarantined.push(SetAside { order: q.order_number, reason: format!("the stored order cannot be read: {e}") }),
            }
        }
        for page in stored.chunks(PAGE) {
            self.check_cancel()?;
            self.import_list(page, has_log, &links, report)?;
            self.acknowledge_queued(report);
        }

        self.offer_repairs(report)?;
        let mut cursor = self.rt.block_on(self.state.cursor(&server, "orders"))?;
        let mut seen: HashSet<String> = cursor.iter().cloned().collect();
        let mut pages = 0u32;
        loop {
            self.check_cancel()?;
            let page = self.shop_call(self.shop.orders_raw(cursor.as_deref(), ORDERS_PAGE_MAX))?;
            pages += 1;
            // Each order decoded on its own: a malformed one is set aside as it came, the rest go on.
            let (orders, malformed) = decode_orders(&page.items);
            for m in malformed {
                self.set_aside_malformed(m, report)?;
            }
            self.import_list(&orders, has_log, &links, report)?;
            let advanced = page.next_cursor.is_some() && page.next_cursor != cursor;
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
                    message: format!("the shop says there are more orders after cursor {cursor:?} but gives no new cursor; paging would never end"),
                    kind: crate::kinds::FailureKind::ShopRefused,
                });
            };
            if !seen.insert(next.clone()) {
                return Err(RunError::Shop {
                    message: format!("the shop's order cursor came back to '{next}', which this run has read already: its paging goes round in a circle. Orders read so far are imported; tell the shop's support"),
                    kind: crate::kinds::FailureKind::ShopRefused,
                });
            }
            if pages >= MAX_ORDER_PAGES {
                tracing::info!(pages, cursor = %next, "This run read as many pages of orders as one run may; the next run goes on from here.");
                break;
            }
            cursor = Some(next);
        }
        Ok(())
    }

    /// Says so when partners an earlier obmen made have the wrong role (a one-off repair).
    fn offer_repairs(&self, report: &mut ImportReport) -> Result<(), RunError> {
        let role = self.settings.rules.partner_role.role();
        let wrong = self.wh.partners_not_in_role(super::PARTNER_CODE_PREFIX, role)?;
        if !wrong.is_empty() {
            let note = format!(
                "{} partners obmen made from shop customers are not marked {role:?} in Warehouse Pro (an earlier obmen wrote persons as suppliers): \
                 `obmen repair {}` shows them, `obmen repair {} --apply` corrects them",
                wrong.len(),
                self.settings.name,
                self.settings.name
            );
            tracing::warn!(partners = wrong.len(), "{note}");
            report.notes.push(note);
        }
        Ok(())
    }

    /// Imports these orders now (a retry from the quarantine), outside the cursor.
    pub fn import_orders(&mut self, orders: &[Order], report: &mut ImportReport) -> Result<(), RunError> {
        let (has_log, links) = self.begin()?;
        self.import_list(orders, has_log, &links, report)?;
        self.acknowledge_queued(report);
        Ok(())
    }

    /// What every import starts with: the import log (made where it is missing, unless this is a
    /// dry run; whether it exists) and the goods linked to shop SKUs.
    fn begin(&mut self) -> Result<(bool, HashMap<String, i32>), RunError> {
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
    fn import_list(&mut self, orders: &[Order], has_log: bool, links: &HashMap<String, i32>, report: &mut ImportReport) -> Result<(), RunError> {
        let last: HashMap<&str, usize> = orders.iter().enumerate().map(|(i, o)| (o.id.as_str(), i)).collect();
        let unique: Vec<&Order> = orders.iter().enumerate().filter(|(i, o)| last[o.id.as_str()] == *i).map(|(_, o)| o).collect();
        for page in unique.chunks(PAGE) {
            self.import_page(page, has_log, links, report)?;
        }
        Ok(())
    }

    /// Imports a page of orders: those already imported are noted, the others checked and
    /// resolved (look-ups for the whole page at once), then written in one transaction. Errors
    /// returned stop the run (the database or the shop is unusable); everything about an order
    /// itself sends it to the quarantine.
    fn import_page(&mut self, orders: &[&Order], has_log: bool, links: &HashMap<String, i32>, report: &mut ImportReport) -> Result<(), RunError> {
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
            if let Some(ack) = &order.acknowledged {
                report.skipped.push(format!("{}: already acknowledged in the shop as document {}, not by this server", order.number, ack.document_number));
                continue;
            }
            todo.push(*order);
        }
        let index = self.partner_index(&todo)?;
        let mut ready = Vec::new();
        for order in todo {
            let currencies = self.currencies()?;
            match currencies
                .of(&order.currency)
                .and_then(|(id, rate)| parse(order, Limits::of(self.settings)).map(|p| p.in_base(id, rate)))
                .and_then(|parsed| self.resolve(&parsed, links, &index).map(|(goods, partner)| Ready { parsed, goods, partner }))
            {
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
    fn write_page(&mut self, ready: Vec<Ready<'_>>, report: &mut ImportReport) -> Result<(), RunError> {
        if ready.is_empty() {
            return Ok(());
        }
        match self.write(&ready) {
            Ok(page) => {
                self.cache.service_goods.borrow_mut().extend(page.service_goods);
                report.goods_created.extend(page.goods_created);
                report.partners_created.extend(page.partners_created);
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
                tracing::debug!(server = %self.settings.name, error = %e, orders = ready.len(), "A page of orders could not be written together; writing them one by one.");
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
    fn set_aside_malformed(&mut self, m: Malformed, report: &mut ImportReport) -> Result<(), RunError> {
        let keep = !self.already_imported(&m.id)?;
        self.record_set_aside(&m.id, m.number, m.reason, keep.then_some(m.raw.as_str()), report)
    }

    /// True when the import log has this order (a malformed copy of an imported order changes
    /// nothing: it is in Warehouse Pro already).
    fn already_imported(&self, order_id: &str) -> Result<bool, RunError> {
        Ok(self.wh.has_import_log()? && self.wh.imported(self.source(), order_id)?.is_some())
    }

    fn set_aside(&mut self, order: &Order, reason: String, report: &mut ImportReport) -> Result<(), RunError> {
        let payload =
            serde_json::to_string(order).map_err(|e| RunError::Setup { message: format!("order {} could not be kept for a retry: {e}", order.number) })?;
        self.record_set_aside(&order.id, order.number.clone(), reason, Some(&payload), report)
    }

    /// Sets an order aside: kept in the quarantine with `payload` (unless this is a dry run, or
    /// there is nothing to keep), logged, told as an event and reported.
    fn record_set_aside(&mut self, id: &str, number: String, reason: String, payload: Option<&str>, report: &mut ImportReport) -> Result<(), RunError> {
        if let (false, Some(payload)) = (self.dry_run, payload) {
            self.rt.block_on(self.state.quarantine(&self.settings.name, id, &number, &reason, payload))?;
        }
        tracing::warn!(order = %number, reason = %reason, "Order set aside in the quarantine.");
        self.events.send(RunEvent::OrderSetAside { order: number.clone(), reason: reason.clone() });
        report.quarantined.push(SetAside { order: number, reason });
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
    /// next run; so does every one if the process dies first. Acknowledgements have a budget: a
    /// few seconds each, and [`ACK_BUDGET`] for the whole run, so that a shop refusing them cannot
    /// hold the run; past it the rest wait for the next run.
    fn acknowledge_queued(&mut self, report: &mut ImportReport) {
        const AT_ONCE: usize = 8;
        let queued = std::mem::take(&mut *self.cache.to_acknowledge.borrow_mut());
        if queued.is_empty() {
            return;
        }
        let deadline = *self.cache.ack_deadline.borrow_mut().get_or_insert_with(|| tokio::time::Instant::now() + ACK_BUDGET);
        let shop = self.shop.clone().with_retry_policy(crate::shopiko::RetryPolicy::quick());
        for chunk in queued.chunks(AT_ONCE * 64) {
            if tokio::time::Instant::now() >= deadline {
                for (_, number, _, _) in chunk {
                    report.ack_failures.push(format!("{number}: not sent, the shop refused acknowledgements for {} s this run", ACK_BUDGET.as_secs()));
                }
                continue;
            }
            let cancel = self.cancel.clone();
            let results: Vec<Result<(), String>> = self.rt.block_on(async {
                use tracing::Instrument;
                let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
                let mut tasks = Vec::new();
                for (id, _, oper, acct) in chunk {
                    let (shop, id, oper, acct, semaphore) = (shop.clone(), id.clone(), *oper, *acct, semaphore.clone());
                    tasks.push(tokio::spawn(
                        async move {
                            let _permit = semaphore.acquire_owned().await;
                            shop.acknowledge(&id, &document_number(acct), document_type(oper)).await.map(|_| ()).map_err(|e| e.to_string())
                        }
                        .instrument(tracing::Span::current()),
                    ));
                }
                let mut out = Vec::new();
                for mut t in tasks {
                    // A stopped run leaves the rest unacknowledged: the import log sends them next run.
                    let result = tokio::select! {
                        biased;
                        () = cancel.cancelled() => {
                            t.abort();
                            Err("the run was stopped before the shop answered".to_owned())
                        }
                        () = tokio::time::sleep_until(deadline) => {
                            t.abort();
                            Err(format!("not sent, the shop refused acknowledgements for {} s this run", ACK_BUDGET.as_secs()))
                        }
                        r = &mut t => r.unwrap_or_else(|e| Err(e.to_string())),
                    };
                    out.push(result);
                }
                out
            });
            let mut taken = Vec::new();
            for ((id, number, _, _), result) in chunk.iter().zip(results) {
                match result {
                    Ok(()) => taken.push((id.as_str(), number.as_str())),
                    Err(e) => report.ack_failures.push(format!("{number}: {e}")),
                }
            }
            let ids: Vec<&str> = taken.iter().map(|(id, _)| *id).collect();
            match self.wh.mark_acknowledged_many(self.source(), &ids) {
                Ok(()) => report.acknowledged += taken.len() as u64,
                Err(e) => {
                    for (_, number) in taken {
                        report.ack_failures.push(format!("{number}: the shop was told, but noting it failed: {e}"));
                    }
                }
            }
        }
    }

    /// The existing partners a page's customers match, by e-mail, else VAT number, else company
    /// number: one query per key for the whole page.
    fn partner_index(&self, orders: &[&Order]) -> Result<PartnerIndex, WarehouseError> {
        let mut index = PartnerIndex::default();
        let customers: Vec<_> = orders.iter().map(|o| &o.customer).filter(|c| c.kind != CustomerType::Guest).collect();
        if customers.is_empty() {
            return Ok(index);
        }
        // Every key of every customer: keys that disagree must be seen, not only the first match.
        let emails: Vec<&str> = customers.iter().map(|c| c.email.as_str()).collect();
        PartnerIndex::add(&mut index.by_email, self.wh.partners_by_emails(&emails)?, |p| p.email.trim().to_lowercase());
        let vats: Vec<&str> = customers.iter().map(|c| c.vat_number.as_str()).filter(|v| !v.trim().is_empty()).collect();
        PartnerIndex::add(&mut index.by_vat_number, self.wh.partners_by_vat_numbers(&vats)?, |p| normalise_tax_number(&p.vat_number));
        let numbers: Vec<&str> = customers.iter().map(|c| c.company_number.as_str()).filter(|v| !v.trim().is_empty()).collect();
        PartnerIndex::add(&mut index.by_company_number, self.wh.partners_by_company_numbers(&numbers)?, |p| normalise_tax_number(&p.company_number));
        Ok(index)
    }

    /// Finds the goods and the partner (read-only). The error is the quarantine reason.
    fn resolve(&self, p: &Parsed<'_>, links: &HashMap<String, i32>, index: &PartnerIndex) -> Result<(Vec<GoodRef>, PartnerRef), String> {
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
            let found = match self.cached_good(line.sku) {
                Some(g) => vec![g],
                None => {
                    let found = self.find_goods(line, links)?;
                    if let [g] = found.as_slice() {
                        self.cache.goods.borrow_mut().insert(line.sku.to_owned(), g.clone());
                    }
                    found
                }
            };
            let r = match found.as_slice() {
                [g] => GoodRef::Found(g.clone()),
                [] if self.settings.rules.sync_nomenclature => GoodRef::Make(self.new_good(line).map_err(db)?),
                [] => {
                    return Err(Msg::UnknownSku.with(
                        crate::i18n::current(),
                        &[("sku", &line.sku), ("name", &line.name), ("key", &self.settings.rules.goods_compare_by.as_str()), ("server", &self.settings.name)],
                    ))
                }
                many => {
                    let n = many.len();
                    let codes: Vec<String> = many.iter().map(|g| format!("'{}'", g.code)).collect();
                    return Err(Msg::SkuMatchesMany.with(crate::i18n::current(), &[("sku", &line.sku), ("count", &n), ("codes", &codes.join(", "))]));
                }
            };
            made.insert(line.sku, goods.len());
            goods.push(r);
        }
        let partner = self.resolve_partner(p.order, index).map_err(db)??;
        Ok((goods, partner))
    }

    /// The goods a line's SKU names: by its link, else by the server's key.
    fn find_goods(&self, line: &ParsedLine<'_>, links: &HashMap<String, i32>) -> Result<Vec<Good>, String> {
        let db = |e: WarehouseError| e.to_string();
        if let Some(&id) = links.get(line.sku) {
            return Ok(self.wh.good(id).map_err(db)?.into_iter().collect());
        }
        let key = self.settings.rules.goods_compare_by;
        if key == GoodsKey::Code {
            return self.wh.goods_by_code(line.sku).map_err(db);
        }
        let products = self.product_index().map_err(|e| e.to_string())?;
        let product = products.get(line.sku);
        if key == GoodsKey::Barcode {
            let mut found: Vec<Good> = Vec::new();
            for b in product.map(|p| p.barcodes.as_slice()).unwrap_or(&[]) {
                for g in self.wh.goods_by_barcode(b).map_err(db)? {
                    if !found.iter().any(|f| f.id == g.id) {
                        found.push(g);
                    }
                }
            }
            return Ok(found);
        }
        self.wh.goods_by_name(product.map(|p| p.name.as_str()).unwrap_or(line.name)).map_err(db)
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

    /// The database's currencies, read once a run. A database whose base currency cannot be told
    /// stops the import: obmen never guesses what amounts are in.
    fn currencies(&self) -> Result<Currencies, RunError> {
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

    /// The order's partner (see [`match_partner`] for the rule); the inner error is the
    /// quarantine reason.
    fn resolve_partner(&self, order: &Order, index: &PartnerIndex) -> Result<Result<PartnerRef, String>, WarehouseError> {
        let c = &order.customer;
        if c.kind == CustomerType::Guest {
            if let Some((id, name)) = self.cache.guest.borrow().clone() {
                return Ok(Ok(PartnerRef::Found(id, name)));
            }
            let name = self.settings.rules.guest_partner.trim();
            let found = match self.wh.partners_by_code(name)?.into_iter().next() {
                Some(p) => Some(p),
                None => self.wh.partners_by_name(name)?.into_iter().next(),
            };
            return Ok(Ok(match found {
                Some(p) => {
                    *self.cache.guest.borrow_mut() = Some((p.id, p.company.clone()));
                    PartnerRef::Found(p.id, p.company)
                }
                None => PartnerRef::Make(Box::new(Partner {
                    code: "SH-GUEST".into(),
                    company: name.to_owned(),
                    price_group: 1,
                    role: self.settings.rules.partner_role.role(),
                    ..Partner::default()
                })),
            }));
        }
        let (vat, number, email) = (normalise_tax_number(&c.vat_number), normalise_tax_number(&c.company_number), c.email.trim().to_lowercase());
        let get = |map: &HashMap<String, Vec<Partner>>, k: &str| if k.is_empty() { Vec::new() } else { map.get(k).cloned().unwrap_or_default() };
        let m = match_partner(&vat, &number, &email, &get(&index.by_vat_number, &vat), &get(&index.by_company_number, &number), &get(&index.by_email, &email));
        let note = |n: Option<String>| {
            if let Some(n) = n {
                let n = format!("{}: {n}", order.number);
                tracing::warn!(order = %order.number, "{n}");
                self.cache.partner_notes.borrow_mut().push(n);
            }
        };
        Ok(match m {
            Match::Found(id, name, n) => {
                note(n);
                Ok(PartnerRef::Found(id, name))
            }
            Match::New(n) => {
                note(n);
                Ok(PartnerRef::Make(Box::new(partner_from_customer(c, self.settings.rules.partner_role.role()))))
            }
            Match::Ambiguous(reason) => Err(reason),
        })
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
        let discount_good = service.get(DISCOUNT_CODE).copied().unwrap_or(DISCOUNT_STAND_IN);
        let shipping_good = service.get(SHIPPING_CODE).copied().unwrap_or(SHIPPING_STAND_IN);
        let lines = order_lines(p, &goods, main_vat, discount_good, shipping_good);
        let partner_id = match &r.partner {
            PartnerRef::Found(id, _) => *id,
            PartnerRef::Make(np) => {
                // The same new customer twice in a page is made once: matched as the look-ups
                // would match it once made (a company by VAT, else company number; a person by
                // e-mail). Two companies that share an e-mail but not their numbers are two.
                let same = |m: &Partner| {
                    let key = |a: &str, b: &str| !a.trim().is_empty() && a.trim().eq_ignore_ascii_case(b.trim());
                    let tax = |a: &str, b: &str| !normalise_tax_number(a).is_empty() && normalise_tax_number(a) == normalise_tax_number(b);
                    if np.code == "SH-GUEST" || m.code == "SH-GUEST" {
                        return np.code == m.code && np.company == m.company;
                    }
                    if np.is_company() || m.is_company() {
                        return tax(&np.vat_number, &m.vat_number) || tax(&np.company_number, &m.company_number);
                    }
                    key(&np.email, &m.email)
                };
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
            user_id: 1,
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
    fn write(&mut self, ready: &[Ready<'_>]) -> Result<PageWritten, WarehouseError> {
        let (drafts, to_make, stock_goods) = self.draft_page(ready)?;
        let object_id = self.object.id;
        let source = self.settings.shopiko.api_id.clone();
        let oper_type = self.settings.rules.oper_type();
        let names = good_names(ready, &to_make);
        let object_name = self.object.name.clone();
        let refusal = |e: WarehouseError| stock_refusal(e, &names, &object_name);
        let mut outcomes: Vec<Result<(i32, f64), String>> = Vec::new();
        let mut made_goods: Vec<String> = Vec::new();
        let mut made_partners: Vec<String> = Vec::new();
        let mut service_used: Vec<(&'static str, i32)> = Vec::new();
        let work = |tx: &Warehouse| -> Result<(), WarehouseError> {
            outcomes.clear();
            made_goods.clear();
            made_partners.clear();
            service_used.clear();
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
            // Make what the accepted documents use, once each; patch their stand-in IDs.
            let mut good_ids: HashMap<i32, i32> = HashMap::new();
            let mut good_id = |stand: i32| -> Result<i32, WarehouseError> {
                if stand > 0 {
                    return Ok(stand);
                }
                if let Some(id) = good_ids.get(&stand) {
                    return Ok(*id);
                }
                let id = match stand {
                    DISCOUNT_STAND_IN | SHIPPING_STAND_IN => {
                        let (code, name, flags) = if stand == DISCOUNT_STAND_IN {
                            (DISCOUNT_CODE, "Отстъпка (Shopiko)", 8 | 32)
                        } else {
                            (SHIPPING_CODE, "Доставка (Shopiko)", 8)
                        };
                        let id = service_good(tx, code, name, flags)?;
                        service_used.push((code, id));
                        id
                    }
                    _ => {
                        let n = &to_make.goods[(-1 - stand) as usize];
                        let id = tx.create_good(n)?;
                        made_goods.push(format!("{} {}", n.code, n.name));
                        id
                    }
                };
                good_ids.insert(stand, id);
                Ok(id)
            };
            let mut partner_ids: HashMap<i32, i32> = HashMap::new();
            let mut docs = Vec::new();
            for doc in accepted.iter().flatten() {
                let mut doc = (*doc).clone();
                for line in &mut doc.lines {
                    line.good_id = good_id(line.good_id)?;
                }
                if doc.partner_id < 0 {
                    doc.partner_id = match partner_ids.get(&doc.partner_id) {
                        Some(id) => *id,
                        None => {
                            let np = &to_make.partners[(-1 - doc.partner_id) as usize];
                            let id = tx.create_partner(np)?;
                            made_partners.push(np.company.clone());
                            partner_ids.insert(doc.partner_id, id);
                            id
                        }
                    };
                }
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
    fn plan(&mut self, ready: &[Ready<'_>], report: &mut ImportReport) -> Result<(), RunError> {
        let (drafts, to_make, stock_goods) = self.draft_page(ready)?;
        let mut stock = Stock::new(self.object.id);
        self.wh.lock_stock(&mut stock, stock_goods)?;
        let names = good_names(ready, &to_make);
        let kind = if self.settings.rules.oper_type() == OperType::SALES_ORDER { "sales order" } else { "sale" };
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
                PartnerRef::Found(id, name) => format!("partner '{name}' (ID {id})"),
                PartnerRef::Make(np) => format!("a new partner '{}'", np.company),
            };
            let mut text = format!("{}: a {kind} at '{}' to {who}, total {}:", p.order.number, self.object.name, p.order.totals.total);
            for (line, g) in p.lines.iter().zip(&r.goods) {
                let (code, new) = match g {
                    GoodRef::Found(g) => (g.code.clone(), ""),
                    GoodRef::Make(n) => (n.code.clone(), " (new good)"),
                };
                let stock = if self.settings.rules.oper_type() == OperType::SALE { format!(", stock -{}", line.qty) } else { String::new() };
                text.push_str(&format!("\n    {} x {code}{new} at {:.2} with VAT, discount {}%{stock}", line.qty, line.unit_gross, line.discount));
            }
            for (what, amount) in &p.discounts {
                text.push_str(&format!("\n    {what}: -{amount:.2}"));
            }
            if let Some((method, price, _)) = &p.shipping {
                text.push_str(&format!("\n    shipping, {method}: {price:.2}"));
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

/// A new Warehouse Pro partner from a shop customer, in this role: a company (its name, VAT and
/// company numbers) or a person (their name), with the billing address (else the delivery one).
pub fn partner_from_customer(c: &crate::shopiko::model::Customer, role: PartnerRole) -> Partner {
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
        role,
        ..Partner::default()
    }
}

/// The service good with this code, made (non-inventory) if missing.
fn service_good(tx: &Warehouse, code: &str, name: &str, flags: i32) -> Result<i32, WarehouseError> {
    if let Some(g) = tx.goods_by_code(code)?.into_iter().next() {
        return Ok(g.id);
    }
    tx.create_good(&NewGood {
        code: code.into(),
        name: name.into(),
        measure: "бр.".into(),
        vat_group_id: 1,
        group_id: 1,
        kind_flags: flags,
        ..NewGood::default()
    })
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

#[cfg(test)]
mod tests {
    //! The money of an order, without a database: parsing, VAT per unit, the three kinds of
    //! discount (a line's percent, a voucher, a promo code), shipping, and the total's tolerance.

    use super::*;

    /// The largest page obmen writes (every order at the most lines it takes, each line a good
    /// of its own, a few more lines for discounts and shipping) cut into statements as each batch
    /// of the warehouse layer cuts it: none carries more parameters than its dialect's budget
    /// (SQL Server: 2,097 after its ODBC path's own), or more than 1,000 rows in one VALUES list.
    #[test]
    fn the_largest_page_fits_every_dialects_statement_budget() {
        use crate::warehouse::dialect::{ALL_DIALECTS, MAX_ROWS_PER_STATEMENT};
        use crate::warehouse::{document, goods, imports, partners, Dialect};
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

    fn order(lines: &str, discounts: &str, shipping: &str, total: &str) -> Order {
        let text = format!(
            r#"{{ "id": "1", "number": "SH-1", "created_at": "2026-11-20T10:30:00Z", "currency": "EUR",
                 "customer": {{ "type": "guest", "email": "", "phone": "", "first_name": "", "last_name": "" }},
                 "lines": [{lines}], "discounts": [{discounts}], "shipping": {shipping},
                 "payment": {{ "method": "card", "paid": true, "paid_amount": "{total}", "transaction_id": "T" }},
                 "totals": {{ "lines": "0", "discounts": "0", "shipping": "0", "total": "{total}" }} }}"#
        );
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    fn line(n: u32, qty: &str, price: &str, discount: &str, vat: &str) -> String {
        format!(
            r#"{{ "line_id": "{n}", "sku": "G{n}", "name": "Стока {n}", "quantity": "{qty}", "unit_price": "{price}", "discount_percent": "{discount}", "vat_percent": "{vat}" }}"#
        )
    }

    const LIMITS: Limits = Limits { amount: 1_000_000.0, quantity: 100_000.0 };

    /// Any JSON value, nested a few levels.
    fn any_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(serde_json::Value::Number).unwrap_or(serde_json::Value::Null)),
            any::<i64>().prop_map(|i| serde_json::Value::Number(i.into())),
            any::<String>().prop_map(serde_json::Value::String),
            "[0-9eE.,+-]{0,30}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                proptest::collection::hash_map("[a-z_]{1,12}", inner, 0..6).prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// The paths of an order's fields a shop fills, to put anything into.
    const ORDER_FIELDS: &[&str] = &[
        "/id",
        "/number",
        "/created_at",
        "/currency",
        "/customer",
        "/customer/type",
        "/customer/email",
        "/lines",
        "/lines/0",
        "/lines/0/quantity",
        "/lines/0/unit_price",
        "/lines/0/discount_percent",
        "/lines/0/vat_percent",
        "/lines/0/sku",
        "/discounts",
        "/shipping",
        "/payment/paid_amount",
        "/payment/paid",
        "/totals/total",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        /// Whatever a shop sends as an order, it is decoded or set aside with a reason, and a
        /// decoded one is parsed or questioned: never a panic.
        #[test]
        fn no_order_a_shop_sends_makes_obmen_panic(json in any_json()) {
            let (good, bad) = decode_orders(std::slice::from_ref(&json));
            proptest::prop_assert_eq!(good.len() + bad.len(), 1);
            for o in &good {
                let _ = parse(o, LIMITS);
            }
        }

        /// A valid order with any one of its fields replaced by any value (a number where text is
        /// due, text that is no number, 1e300, Cyrillic, nothing): set aside or parsed, never a panic.
        #[test]
        fn any_field_of_an_order_holding_anything_is_set_aside_or_parsed(field in 0usize..19, value in any_json()) {
            let mut o = serde_json::to_value(order(&line(1, "2", "3.50", "10", "20"), "", "null", "6.30")).unwrap();
            if let Some(slot) = o.pointer_mut(ORDER_FIELDS[field]) {
                *slot = value;
            }
            let (good, bad) = decode_orders(std::slice::from_ref(&o));
            proptest::prop_assert_eq!(good.len() + bad.len(), 1);
            if let Some(m) = bad.first() {
                proptest::prop_assert!(!m.reason.is_empty());
            }
            for o in &good {
                if let Err(reason) = parse(o, LIMITS) {
                    proptest::prop_assert!(!reason.is_empty());
                }
            }
        }
    }

    fn partner(id: i32, email: &str, vat: &str, number: &str) -> Partner {
        Partner {
            id,
            code: format!("P{id}"),
            company: format!("Фирма {id}"),
            email: email.into(),
            vat_number: vat.into(),
            company_number: number.into(),
            ..Partner::default()
        }
    }

    #[test]
    fn a_company_is_known_by_its_vat_number_first_and_disagreements_are_said_or_set_aside() {
        let a = partner(1, "shared@firma.bg", "100000001", "100000001");
        let b = partner(2, "shared@firma.bg", "", "");
        let c = partner(3, "c@firma.bg", "", "300000003");
        // A person: by e-mail.
        assert_eq!(match_partner("", "", "shared@firma.bg", &[], &[], std::slice::from_ref(&b)), Match::Found(2, "Фирма 2".into(), None));
        // A company found by VAT number, its e-mail someone else's: the VAT number wins, and says so.
        match match_partner("100000001", "", "shared@firma.bg", std::slice::from_ref(&a), &[], std::slice::from_ref(&b)) {
            Match::Found(1, _, Some(note)) => assert!(note.contains("VAT number is the stronger key") && note.contains("Фирма 2"), "{note}"),
            other => panic!("{other:?}"),
        }
        // A new company sharing an e-mail with a company of another VAT number: a new partner.
        match match_partner("200000002", "", "shared@firma.bg", &[], &[], std::slice::from_ref(&a)) {
            Match::New(Some(note)) => assert!(note.contains("a new partner is made"), "{note}"),
            other => panic!("{other:?}"),
        }
        // The e-mail's partner carries no numbers: the e-mail serves.
        assert_eq!(match_partner("200000002", "", "shared@firma.bg", &[], &[], std::slice::from_ref(&b)), Match::Found(2, "Фирма 2".into(), None));
        // By company number when there is no VAT number.
        assert_eq!(match_partner("", "300000003", "x@y.bg", &[], std::slice::from_ref(&c), &[]), Match::Found(3, "Фирма 3".into(), None));
        // The VAT number names one partner, the company number another: no key is stronger.
        match match_partner("100000001", "300000003", "", std::slice::from_ref(&a), std::slice::from_ref(&c), &[]) {
            Match::Ambiguous(why) => assert!(why.contains("no key is stronger"), "{why}"),
            other => panic!("{other:?}"),
        }
        // Two partners share the VAT number.
        match match_partner("100000001", "", "", &[a.clone(), partner(9, "", "100000001", "")], &[], &[]) {
            Match::Ambiguous(why) => assert!(why.contains("2 partners have the VAT number"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(match_partner("", "", "nobody@x.bg", &[], &[], &[]), Match::New(None));
    }

    #[test]
    fn amounts_no_shop_reaches_and_overpayments_are_questioned() {
        let cases = [
            (order(&line(1, "1", "1e300", "0", "20"), "", "null", "1e300"), "the price 1e300 is above the largest amount"),
            (order(&line(1, "200000", "1", "0", "20"), "", "null", "200000"), "the quantity 200000 is above the largest"),
            (order(&line(1, "1000", "2000", "0", "20"), "", "null", "2000000"), "the line's total 2000000 is above"),
            (
                order(&line(1, "1", "1", "0", "20"), "", r#"{ "method": "m", "price": "5000000", "vat_percent": "20" }"#, "5000001"),
                "the shipping price 5000000 is above",
            ),
            (order(&line(1, "1", "1", "0", "20"), "", r#"{ "method": "m", "price": "-5", "vat_percent": "20" }"#, "1"), "the shipping price -5 is below zero"),
        ];
        for (o, reason) in cases {
            let e = parse(&o, LIMITS).err().unwrap_or_else(|| panic!("accepted: {o:?}"));
            assert!(e.contains(reason), "{e} (wanted: {reason})");
        }
        // A million paid on a 10.00 order.
        let mut o = order(&line(1, "1", "10.00", "0", "20"), "", "null", "10.00");
        o.payment.paid_amount = "1000000".into();
        let e = parse(&o, LIMITS).err().unwrap();
        assert!(e.contains("1000000.00 was paid on an order whose total is 10.00"), "{e}");
        o.payment.paid_amount = "10.03".into();
        assert!(parse(&o, LIMITS).is_ok(), "rounding is no overpayment");
        // An order of more lines than any shop order has.
        let mut o = order(&line(1, "1", "1", "0", "20"), "", "null", "1001");
        o.lines = (0..=MAX_LINES_PER_ORDER)
            .map(|i| {
                let mut l = o.lines[0].clone();
                l.line_id = format!("{i}");
                l
            })
            .collect();
        let e = parse(&o, LIMITS).err().unwrap();
        assert!(e.contains("the order has 1001 lines, more than the 1000"), "{e}");
        // Limits are the server's: a wholesale shop may raise them.
        let big = Limits { amount: 1e9, quantity: 1e7 };
        assert!(parse(&order(&line(1, "200000", "1", "0", "20"), "", "null", "200000"), big).is_ok());
    }

    #[test]
    fn an_order_without_an_id_or_with_an_overlong_one_is_questioned() {
        let mut o = order(&line(1, "1", "1", "0", "20"), "", "null", "1");
        o.id = " ".into();
        assert!(parse(&o, LIMITS).err().unwrap().contains("has no id"));
        o.id = "x".repeat(101);
        assert!(parse(&o, LIMITS).err().unwrap().contains("longer than 100"));
        o.id = "7".into();
        o.number = "SH-\u{0}7".into();
        assert!(parse(&o, LIMITS).err().unwrap().contains("control characters"));
    }

    fn good(id: i32, vat: f64) -> LineGood {
        LineGood { id, vat_percent: vat, cost: 1.0, moves_stock: true }
    }

    fn gross(l: &NewLine) -> f64 {
        (l.price + l.vat) * l.qtty
    }

    #[test]
    fn vat_is_per_unit_from_the_goods_rate_and_the_lines_add_up() {
        let o = order(&[line(1, "2", "12.00", "0", "20"), line(2, "3", "1.09", "0", "9")].join(","), "", "null", "27.27");
        let p = parse(&o, LIMITS).unwrap();
        // The good's own rate decides VAT, not the shop's line rate: good 2 is at 20% here.
        let lines = order_lines(&p, &[good(11, 20.0), good(12, 20.0)], 20.0, -1, -2);
        assert_eq!(lines.len(), 2);
        assert!((lines[0].price - 10.0).abs() < 1e-9 && (lines[0].vat - 2.0).abs() < 1e-9, "{:?}", lines[0]);
        assert!((lines[1].vat - lines[1].price * 0.2).abs() < 1e-6, "VAT per unit at the good's rate");
        let total: f64 = lines.iter().map(gross).sum();
        assert!((total - 27.27).abs() < 1e-6, "{total}");
        assert!(check_total(round2(total), p.total).is_ok());
        assert_eq!((lines[0].good_id, lines[0].price_in, lines[0].note.as_str()), (11, 1.0, "Shopiko SH-1"));
    }

    #[test]
    fn a_lines_discount_is_taken_off_its_price_and_kept_as_the_percent() {
        let o = order(&line(1, "2", "12.00", "10", "20"), "", "null", "21.60");
        let p = parse(&o, LIMITS).unwrap();
        let l = &order_lines(&p, &[good(5, 20.0)], 20.0, -1, -2)[0];
        assert_eq!(l.discount, 10.0);
        assert!((l.price + l.vat - 10.8).abs() < 1e-9, "12.00 less 10%, with VAT: {l:?}");
        assert!((l.price - 9.0).abs() < 1e-9);
    }

    #[test]
    fn vouchers_and_promo_codes_are_negative_lines_at_the_main_rate_and_shipping_a_line_of_its_own() {
        let discounts = r#"{ "kind": "voucher", "code": "GIFT-5", "amount": "5.00" }, { "kind": "promo_code", "code": "ZIMA10", "amount": "3.00" }"#;
        let shipping = r#"{ "method": "Еконт до офис", "price": "5.99", "vat_percent": "20" }"#;
        let o = order(&line(1, "2", "12.00", "10", "20"), discounts, shipping, "19.59");
        let p = parse(&o, LIMITS).unwrap();
        let lines = order_lines(&p, &[good(5, 20.0)], 20.0, 90, 91);
        assert_eq!(lines.len(), 4);
        let (voucher, promo, ship) = (&lines[1], &lines[2], &lines[3]);
        assert_eq!((voucher.good_id, promo.good_id, ship.good_id), (90, 90, 91));
        assert!((gross(voucher) + 5.0).abs() < 1e-6 && voucher.note.contains("Ваучер GIFT-5"), "{voucher:?}");
        assert!((gross(promo) + 3.0).abs() < 1e-6 && promo.note.contains("Промо код ZIMA10"), "{promo:?}");
        assert!((voucher.vat - voucher.price * 0.2).abs() < 1e-6, "the main rate");
        assert!(!voucher.moves_stock && !ship.moves_stock, "service lines move no stock");
        assert!((gross(ship) - 5.99).abs() < 1e-6 && ship.note.contains("Еконт до офис"));
        let total: f64 = lines.iter().map(gross).sum();
        assert!((total - 19.59).abs() < 1e-6, "{total}");
        assert!(check_total(total, p.total).is_ok());
        let worth_less = order(&line(1, "1", "2.00", "0", "20"), r#"{ "kind": "voucher", "code": "V", "amount": "5.00" }"#, "null", "-3.00");
        assert!(parse(&worth_less, LIMITS).err().unwrap().contains("below zero (its discounts are worth more"));
    }

    #[test]
    fn the_total_is_questioned_beyond_its_tolerance() {
        assert!(check_total(100.0, 100.0).is_ok());
        assert!(check_total(100.04, 100.0).is_ok(), "rounding of VAT per unit");
        assert!(check_total(99.96, 100.0).is_ok());
        let e = check_total(100.10, 100.0).unwrap_err();
        assert!(e.contains("100.10") && e.contains("100.00") && e.contains("check the order's prices"), "{e}");
        assert!(check_total(90.0, 100.0).is_err());
    }

    #[test]
    fn numbers_that_are_not_numbers_set_the_order_aside() {
        let cases = [
            (order(&line(1, "two", "1", "0", "20"), "", "null", "2"), "the quantity 'two' is not a number"),
            (order(&line(1, "1", "NaN", "0", "20"), "", "null", "2"), "the price 'NaN' is not a number"),
            (order(&line(1, "1", "inf", "0", "20"), "", "null", "2"), "the price 'inf' is not a number"),
            (order(&line(1, "-1", "1", "0", "20"), "", "null", "2"), "below zero"),
            (order(&line(1, "1", "-1", "0", "20"), "", "null", "2"), "below zero"),
            (order(&line(1, "1", "1", "120", "20"), "", "null", "2"), "not between 0 and 100"),
            (order(&line(1, "1", "1", "0", "20"), r#"{ "kind": "voucher", "code": "V", "amount": "-5" }"#, "null", "2"), "below zero"),
            (order(&line(1, "1", "1", "0", "20"), "", r#"{ "method": "m", "price": "x", "vat_percent": "20" }"#, "2"), "the shipping price 'x'"),
            (order(&line(1, "1", "1", "0", "20"), "", "null", "about 2"), "'about 2' is not a number"),
            (order(&line(1, "0", "1", "0", "20"), "", "null", "0"), "every line has quantity 0"),
            (order("", "", "null", "0"), "the order has no lines"),
        ];
        for (o, reason) in cases {
            let e = parse(&o, LIMITS).err().unwrap_or_else(|| panic!("accepted: {o:?}"));
            assert!(e.contains(reason), "{e} (wanted: {reason})");
        }
    }

    #[test]
    fn lines_of_quantity_zero_are_left_out() {
        let o = order(&[line(1, "0", "5", "0", "20"), line(2, "1", "6", "0", "20")].join(","), "", "null", "6");
        let p = parse(&o, LIMITS).unwrap();
        assert_eq!(p.lines.len(), 1);
        assert_eq!(p.lines[0].sku, "G2");
    }

    fn round2(v: f64) -> f64 {
        (v * 100.0).round() / 100.0
    }
}
