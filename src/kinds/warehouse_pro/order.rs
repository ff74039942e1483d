//! An order's numbers and money, pure: each amount parsed from the shop's text (an order whose
//! amount is no number, below zero, or beyond the server's limits is questioned, with the reason
//! the quarantine keeps), converted to the database's base currency, and turned into document
//! lines (VAT per unit at each good's rate, discounts and shipping as lines of their own) whose
//! total is checked against the shop's.
//!
//! How an order becomes lines:
//! - each product line: the good's price without VAT after the product discount, the discount
//!   percent, VAT per unit from the good's VAT group, and a store move;
//! - each voucher or promo code: a line of the shop's discount service good (non-inventory),
//!   quantity 1, a negative price, VAT at the main rate, the code in the note;
//! - shipping: a line of the shop's shipping service good (non-inventory), at its price and VAT;
//! - payments: the total due, and what the shop says was paid, by the shop's method.

use chrono::{DateTime, Local, NaiveDateTime};

use super::settings::Base;
use super::shop::{DiscountKind, Order, PaymentMethod};
use crate::i18n::Msg;
use crate::warehouse::{NewLine, Paid, PaymentType};

/// An order's numbers, checked.
pub(crate) struct Parsed<'o> {
    pub(crate) order: &'o Order,
    pub(crate) date: NaiveDateTime,
    /// The order's currency in the database (currencies.ID) and its rate to the base currency;
    /// every amount below is in the base currency.
    pub(crate) currency: (i32, f64),
    /// The shop's total with VAT.
    pub(crate) total: f64,
    pub(crate) lines: Vec<ParsedLine<'o>>,
    pub(crate) discounts: Vec<(String, f64)>,
    pub(crate) shipping: Option<(String, f64, f64)>,
    pub(crate) paid: Option<Paid>,
}

pub(crate) struct ParsedLine<'o> {
    pub(crate) sku: &'o str,
    pub(crate) ean: &'o str,
    pub(crate) linked: bool,
    pub(crate) name: &'o str,
    pub(crate) qty: f64,
    pub(crate) unit_gross: f64,
    pub(crate) discount: f64,
    pub(crate) vat_percent: f64,
}

impl ParsedLine<'_> {
    /// The key the line's good is found and remembered by within a run: its SKU when the line
    /// is linked to the shop's catalogue; else everything it is matched by.
    pub(crate) fn good_key(&self) -> std::borrow::Cow<'_, str> {
        if self.linked {
            std::borrow::Cow::Borrowed(self.sku)
        } else {
            std::borrow::Cow::Owned(format!("\u{0}unlinked\u{1f}{}\u{1f}{}\u{1f}{}", self.sku, self.ean, self.name.trim()))
        }
    }
}

fn number(what: &str, text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(Msg::NotANumber.with(crate::i18n::current(), &[("what", &what), ("text", &text)])),
    }
}

/// What an order may carry before it is questioned rather than booked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limits {
    /// The largest amount (unit price, line, discount, shipping, payment, total).
    pub amount: f64,
    /// The largest quantity on a line.
    pub quantity: f64,
}

impl Limits {
    /// The server's limits.
    pub fn of(settings: &Base) -> Limits {
        Limits { amount: settings.rules.max_amount.into(), quantity: settings.rules.max_quantity.into() }
    }
}

/// The longest order id or number obmen keeps (the import log's columns hold 100).
pub(crate) const MAX_ORDER_KEY_CHARS: usize = 100;

/// The most lines an order may carry (discounts and shipping add a few more to its document): a
/// shop order never has more, and a page of orders stays a bounded write. The statement budgets
/// are tested against a page of [`super::pages::PAGE`] orders this long (`book::tests`).
pub const MAX_LINES_PER_ORDER: usize = 1000;

/// Checks an order's numbers; the error is the quarantine reason.
pub(crate) fn parse(order: &Order, limits: Limits) -> Result<Parsed<'_>, String> {
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
        lines.push(ParsedLine { sku: l.sku.trim(), ean: l.ean.trim(), linked: l.linked, name: &l.name, qty, unit_gross, discount, vat_percent });
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
    let total = number(Msg::OrderTotal.get(lang), &order.total)?;
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
            PaymentMethod::CashOnDelivery => PaymentType::CASH,
            PaymentMethod::BankTransfer => PaymentType::BANK,
            PaymentMethod::Card => PaymentType::CARD,
            PaymentMethod::Voucher => PaymentType::VOUCHER,
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
    pub(crate) fn in_base(mut self, currency_id: i32, rate: f64) -> Self {
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
pub(crate) struct Currencies {
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

impl Currencies {
    /// What an amount in the base currency is multiplied by to be in `code`: at the database's
    /// own rate, and between the euro and the lev at their fixed 1.95583 whatever the database
    /// says. The error (a currency the database does not hold, or holds without a usable rate)
    /// is why no price can be sent.
    pub fn price_factor(&self, code: &str) -> Result<f64, String> {
        use crate::warehouse::init::BGN_PER_EUR;
        let code = code.trim().to_uppercase();
        let lang = crate::i18n::current();
        match (self.base.code.as_str(), code.as_str()) {
            (base, shop) if base == shop => return Ok(1.0),
            ("BGN", "EUR") => return Ok(1.0 / BGN_PER_EUR),
            ("EUR", "BGN") => return Ok(BGN_PER_EUR),
            _ => {}
        }
        match self.all.iter().find(|c| c.code == code) {
            Some(c) if c.rate.is_finite() && c.rate > 0.0 => Ok(1.0 / c.rate),
            Some(c) => Err(Msg::PriceCurrencyBadRate.with(lang, &[("code", &code), ("rate", &c.rate)])),
            None => Err(Msg::PriceCurrencyMissing.with(lang, &[("code", &code), ("base", &self.base.code)])),
        }
    }
}

/// What a line's good brings to its line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LineGood {
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
pub(crate) fn order_lines(p: &Parsed<'_>, goods: &[LineGood], main_vat: f64, discount_good: i32, shipping_good: i32, shop: &str) -> Vec<NewLine> {
    let note = format!("{shop} {}", p.order.number);
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
        lines.push(service_line(discount_good, -amount, main_vat, format!("{note}: {what}")));
    }
    if let Some((method, price, vat)) = &p.shipping {
        lines.push(service_line(shipping_good, *price, *vat, format!("{note}: {method}")));
    }
    lines
}

/// A line of a service good (a discount, shipping): one of it at this price with VAT, its VAT
/// per unit at this rate, no stock moved.
fn service_line(good_id: i32, gross: f64, vat_percent: f64, note: String) -> NewLine {
    let net = gross / (1.0 + vat_percent / 100.0);
    NewLine { good_id, qtty: 1.0, price: round6(net), vat: round6(net * vat_percent / 100.0), discount: 0.0, price_in: 0.0, moves_stock: false, note }
}

/// How far the lines' total may be from the shop's before the order is questioned: rounding of
/// VAT per unit over many lines, never a real difference.
pub(crate) const TOTAL_TOLERANCE: f64 = 0.05;

/// The lines' total with VAT against the shop's; the error is the quarantine reason.
pub(crate) fn check_total(lines_total: f64, shop_total: f64) -> Result<(), String> {
    if (lines_total - shop_total).abs() > TOTAL_TOLERANCE {
        let (lines, total) = (format!("{lines_total:.2}"), format!("{shop_total:.2}"));
        return Err(Msg::TotalMismatch.with(crate::i18n::current(), &[("lines", &lines), ("total", &total)]));
    }
    Ok(())
}

/// A document number as Warehouse Pro shows it: ten digits.
pub fn document_number(acct: i32) -> String {
    format!("{acct:010}")
}

pub(crate) fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::Currencies;
    use crate::warehouse::Currency;

    fn db(base: &str, others: &[(&str, f64)]) -> Currencies {
        let base = Currency { id: 1, code: base.into(), rate: 1.0 };
        let mut all = vec![base.clone()];
        all.extend(others.iter().enumerate().map(|(i, (code, rate))| Currency { id: i as i32 + 2, code: (*code).into(), rate: *rate }));
        Currencies { base, all }
    }

    /// A price leaves in the shop's currency: as it is in the base; between the lev and the euro
    /// at their fixed rate whatever the database holds (or lacks); otherwise at the database's
    /// rate; never for a currency the database lacks or holds without a rate.
    #[test]
    fn a_price_is_converted_to_the_shops_currency_at_the_databases_rate() {
        let bgn = db("BGN", &[("EUR", 1.9), ("USD", 1.8), ("PLN", 0.0)]);
        assert_eq!(bgn.price_factor("BGN"), Ok(1.0));
        // 40.74 BGN is 20.83 EUR, not 40.74.
        let eur = 40.74 * bgn.price_factor("eur").unwrap();
        assert_eq!(format!("{eur:.2}"), "20.83");
        assert_eq!(format!("{:.2}", 20.83 * db("EUR", &[]).price_factor("BGN").unwrap()), "40.74", "no BGN row needed");
        assert_eq!(format!("{:.4}", 18.0 * bgn.price_factor("USD").unwrap()), "10.0000", "at the database's own rate");
        let missing = bgn.price_factor("CZK").unwrap_err();
        assert!(missing.contains("CZK") && missing.contains("BGN"), "{missing}");
        let no_rate = bgn.price_factor("PLN").unwrap_err();
        assert!(no_rate.contains("PLN") && no_rate.contains('0'), "{no_rate}");
    }
}
