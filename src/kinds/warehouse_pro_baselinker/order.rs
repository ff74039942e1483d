//! BaseLinker's orders as the core's neutral [`Order`]s. The readings taken where BaseLinker
//! leaves a choice (also in `docs/baselinker.md`):
//!
//! - The order's id and the number people see are BaseLinker's `order_id`; its time is when it
//!   was confirmed (when it was made, if BaseLinker gives no confirmation time).
//! - The partner: the invoice company with its tax number (NIP, or a VAT number with its country
//!   prefix) when the order names one; else the buyer, known by e-mail; else the guest partner.
//!   Its address: the invoice's, else the delivery's.
//! - A product line with a price below zero is a discount on the order (BaseLinker has no
//!   discount of its own: shops send a voucher or promo code as such a line), named by the line.
//! - A line not linked to a catalogue product (no storage or product id) is matched by SKU, then
//!   EAN, then name ([`OrderLine::linked`]).
//! - Delivery is a line when it costs anything, at the highest VAT rate of the order's products
//!   (BaseLinker's order carries no VAT rate of its own for it).
//! - Cash on delivery (`payment_method_cod`) is unpaid until BaseLinker says otherwise; any other
//!   payment is a card when its name says so, else a transfer; paid when `payment_done` covers
//!   the total.
//! - The total is what the lines and the delivery add up to: BaseLinker sends none of its own.
//! - An order whose document field (an extra field the server names) already holds a number is
//!   one another system booked: the core records it and books nothing.

use chrono::{TimeZone, Utc};

use crate::baselinker::model;
use crate::i18n::Msg;
use crate::kinds::warehouse_pro::shop::{
    money, Address, Contact, Customer, CustomerType, Discount, DiscountKind, Order, OrderLine, Payment, PaymentMethod, Shipping, Undecodable,
};
use crate::warehouse::partners::normalise_tax_number;

/// Reads an order of `getOrders`, as sent; `document_field` is the extra field that holds the
/// Warehouse Pro document number, when the server names one.
pub fn decode(raw: &serde_json::Value, document_field: Option<i64>) -> Result<Order, Undecodable> {
    match serde_path_to_error::deserialize::<_, model::Order>(raw) {
        Ok(o) => Ok(order(o, document_field, raw.to_string())),
        Err(e) => {
            let id = match raw.get("order_id") {
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                _ => None,
            }
            .unwrap_or_else(|| Undecodable::digest_id(&raw.to_string()));
            let reason = Msg::OrderUndecodable.with(crate::i18n::current(), &[("error", &e)]);
            Err(Undecodable { number: id.clone(), id, reason })
        }
    }
}

/// A number BaseLinker wrote, where it is one.
fn amount(t: &model::Text) -> Option<f64> {
    t.as_str().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Unix seconds as RFC 3339 (UTC).
fn rfc3339(seconds: i64) -> String {
    Utc.timestamp_opt(seconds, 0).single().unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn order(o: model::Order, document_field: Option<i64>, raw: String) -> Order {
    let id = o.order_id.as_str().to_owned();
    let confirmed = o.date_confirmed.as_str().parse::<i64>().ok().filter(|t| *t > 0);
    let added = o.date_add.as_str().parse::<i64>().unwrap_or(0);
    let mut lines = Vec::new();
    let mut discounts = Vec::new();
    let mut total = 0.0;
    let mut top_vat: Option<f64> = None;
    for p in &o.products {
        let price = amount(&p.price_brutto);
        let qty = amount(&p.quantity);
        if let (Some(price), Some(qty)) = (price, qty) {
            total += price * qty;
            if price < 0.0 {
                discounts.push(Discount { kind: DiscountKind::PromoCode, code: p.name.as_str().to_owned(), amount: money(-price * qty) });
                continue;
            }
        }
        if let Some(v) = amount(&p.tax_rate) {
            top_vat = Some(top_vat.map_or(v, |t: f64| t.max(v)));
        }
        lines.push(OrderLine {
            line_id: p.order_product_id.as_str().to_owned(),
            sku: p.sku.as_str().to_owned(),
            ean: p.ean.as_str().to_owned(),
            linked: p.is_linked(),
            name: p.name.as_str().to_owned(),
            quantity: p.quantity.as_str().to_owned(),
            unit_price: p.price_brutto.as_str().to_owned(),
            discount_percent: "0".into(),
            vat_percent: p.tax_rate.as_str().to_owned(),
        });
    }
    let delivery = amount(&o.delivery_price).unwrap_or(0.0);
    let shipping = (delivery != 0.0).then(|| {
        total += delivery;
        Shipping {
            method: o.delivery_method.as_str().to_owned(),
            price: o.delivery_price.as_str().to_owned(),
            vat_percent: top_vat.map(|v| format!("{v}")).unwrap_or_default(),
        }
    });
    let total = money(total);
    let paid_amount = amount(&o.payment_done).unwrap_or(0.0);
    let name = o.payment_method.as_str().to_lowercase();
    let payment = if o.payment_method_cod.is_set() {
        Payment { method: PaymentMethod::CashOnDelivery, paid: false, paid_amount: money(paid_amount), transaction_id: String::new() }
    } else {
        let card = ["card", "kart", "карт"].iter().any(|w| name.contains(w));
        Payment {
            method: if card { PaymentMethod::Card } else { PaymentMethod::BankTransfer },
            paid: paid_amount + 0.005 >= total.parse::<f64>().unwrap_or(f64::MAX),
            paid_amount: money(paid_amount),
            transaction_id: String::new(),
        }
    };
    let acknowledged_as = document_field.map(|f| o.extra_field(f)).filter(|n| !n.is_empty());
    Order {
        number: id.clone(),
        id,
        created_at: rfc3339(confirmed.unwrap_or(added)),
        customer: customer(&o),
        lines,
        discounts,
        shipping,
        payment,
        currency: o.currency.as_str().to_uppercase(),
        total,
        acknowledged_as,
        raw,
    }
}

/// "Zofia Wójcik" as first and last name.
fn split_name(full: &str) -> (String, String) {
    match full.trim().rsplit_once(char::is_whitespace) {
        Some((first, last)) => (first.trim().to_owned(), last.trim().to_owned()),
        None => (full.trim().to_owned(), String::new()),
    }
}

fn customer(o: &model::Order) -> Customer {
    let company = o.invoice_company.as_str();
    let kind = if !company.is_empty() {
        CustomerType::Company
    } else if !o.email.as_str().is_empty() {
        CustomerType::Person
    } else {
        CustomerType::Guest
    };
    let person = [o.invoice_fullname.as_str(), o.delivery_fullname.as_str()].into_iter().find(|n| !n.is_empty()).unwrap_or("");
    let (first_name, last_name) = split_name(person);
    let nip = if kind == CustomerType::Company { o.invoice_nip.as_str() } else { "" };
    let invoice = !o.invoice_address.as_str().is_empty() || !o.invoice_city.as_str().is_empty();
    let (street, post, city) =
        if invoice { (&o.invoice_address, &o.invoice_postcode, &o.invoice_city) } else { (&o.delivery_address, &o.delivery_postcode, &o.delivery_city) };
    Customer {
        kind,
        id: None,
        contact: Contact {
            email: o.email.as_str().to_owned(),
            phone: o.phone.as_str().to_owned(),
            first_name,
            last_name,
            company_name: company.to_owned(),
            vat_number: nip.to_owned(),
            company_number: if nip.is_empty() { String::new() } else { normalise_tax_number(nip) },
        },
        address: Address {
            line1: street.as_str().to_owned(),
            line2: String::new(),
            city: [post.as_str(), city.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" "),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> serde_json::Value {
        serde_json::from_str(
            r#"{
            "order_id": 7001, "shop_order_id": 0, "external_order_id": "EXT-7001", "order_status_id": 1051,
            "confirmed": true, "date_confirmed": 1796540400, "date_add": 1796539800,
            "user_login": "zofia", "phone": "+48 600 100 200", "email": "Zofia@example.pl", "currency": "pln",
            "payment_method": "Przelew", "payment_method_cod": "0", "payment_done": 109.97,
            "delivery_method": "Kurier InPost", "delivery_price": 9.99,
            "delivery_fullname": "Zofia Wójcik", "delivery_company": "", "delivery_address": "ul. Długa 5",
            "delivery_postcode": "00-001", "delivery_city": "Kraków",
            "invoice_fullname": "", "invoice_company": "Firma Sp. z o.o.", "invoice_nip": "PL 526-000-00-07",
            "invoice_address": "ul. Krótka 1", "invoice_postcode": "30-001", "invoice_city": "Kraków", "want_invoice": "1",
            "custom_extra_fields": { "88": "" },
            "products": [
                { "storage": "db", "storage_id": 1, "order_product_id": 70010, "product_id": "4", "variant_id": "0",
                  "name": "Kawa ziarnista", "sku": "G-0004", "ean": "3800000000042", "price_brutto": 24.6, "tax_rate": 23, "quantity": 2 },
                { "storage": "", "storage_id": 0, "order_product_id": 70011, "product_id": "", "variant_id": "0",
                  "name": "Herbata", "sku": "", "ean": "3800000000059", "price_brutto": "55.77", "tax_rate": "8", "quantity": "1" },
                { "storage": "", "order_product_id": 70012, "product_id": "0",
                  "name": "Kod rabatowy LATO", "sku": "", "ean": "", "price_brutto": -5, "tax_rate": 23, "quantity": 1 }
            ]
        }"#,
        )
        .unwrap()
    }

    #[test]
    fn an_order_reads_with_its_invoice_company_delivery_discount_and_unlinked_lines() {
        let o = decode(&sample(), Some(88)).unwrap();
        assert_eq!((o.id.as_str(), o.number.as_str()), ("7001", "7001"));
        assert_eq!(o.created_at, "2026-12-06T07:00:00Z", "the confirmation time, not when it was made");
        assert_eq!(o.currency, "PLN");
        assert_eq!(o.lines.len(), 2, "the negative line is a discount: {:?}", o.lines);
        assert!(o.lines[0].linked && !o.lines[1].linked);
        assert_eq!(
            (o.lines[0].sku.as_str(), o.lines[0].ean.as_str(), o.lines[0].quantity.as_str(), o.lines[0].unit_price.as_str()),
            ("G-0004", "3800000000042", "2", "24.6")
        );
        assert_eq!(
            (o.lines[1].sku.as_str(), o.lines[1].ean.as_str(), o.lines[1].vat_percent.as_str(), o.lines[1].line_id.as_str()),
            ("", "3800000000059", "8", "70011")
        );
        assert_eq!(o.discounts, vec![Discount { kind: DiscountKind::PromoCode, code: "Kod rabatowy LATO".into(), amount: "5.00".into() }]);
        let s = o.shipping.clone().unwrap();
        assert_eq!((s.method.as_str(), s.price.as_str(), s.vat_percent.as_str()), ("Kurier InPost", "9.99", "23"), "delivery at the order's highest rate");
        // 2 × 24.60 + 55.77 − 5 + 9.99
        assert_eq!(o.total, "109.96");
        assert_eq!(o.payment, Payment { method: PaymentMethod::BankTransfer, paid: true, paid_amount: "109.97".into(), transaction_id: String::new() });
        assert_eq!(o.customer.kind, CustomerType::Company);
        assert_eq!(o.customer.id, None);
        assert_eq!(o.customer.contact.company_name, "Firma Sp. z o.o.");
        assert_eq!((o.customer.contact.vat_number.as_str(), o.customer.contact.company_number.as_str()), ("PL 526-000-00-07", "5260000007"));
        assert_eq!(
            (o.customer.contact.first_name.as_str(), o.customer.contact.last_name.as_str()),
            ("Zofia", "Wójcik"),
            "the delivery's name when the invoice has none"
        );
        assert_eq!(o.customer.address, Address { line1: "ul. Krótka 1".into(), line2: String::new(), city: "30-001 Kraków".into() }, "the invoice's address");
        assert_eq!(o.acknowledged_as, None, "an empty document field is no document");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&o.raw).unwrap(), sample());
    }

    #[test]
    fn cash_on_delivery_a_person_a_guest_and_a_document_number_already_written() {
        let mut v = sample();
        v["payment_method_cod"] = json!("1");
        v["payment_method"] = json!("Płatność przy odbiorze");
        v["payment_done"] = json!(0);
        v["invoice_company"] = json!("");
        v["invoice_address"] = json!("");
        v["invoice_city"] = json!("");
        v["custom_extra_fields"] = json!({ "88": " 0000001234 " });
        let o = decode(&v, Some(88)).unwrap();
        assert_eq!((o.payment.method, o.payment.paid, o.payment.paid_amount.as_str()), (PaymentMethod::CashOnDelivery, false, "0.00"));
        assert_eq!(o.customer.kind, CustomerType::Person);
        assert_eq!((o.customer.contact.vat_number.as_str(), o.customer.contact.company_number.as_str()), ("", ""), "a person carries no tax number");
        assert_eq!(o.customer.address, Address { line1: "ul. Długa 5".into(), line2: String::new(), city: "00-001 Kraków".into() }, "the delivery's address");
        assert_eq!(o.acknowledged_as.as_deref(), Some("0000001234"));
        assert_eq!(decode(&v, None).unwrap().acknowledged_as, None, "no document field: nothing is read from the extra fields");
        v["email"] = json!("");
        assert_eq!(decode(&v, None).unwrap().customer.kind, CustomerType::Guest);
        v["payment_method_cod"] = json!("0");
        v["payment_method"] = json!("Karta płatnicza");
        v["payment_done"] = json!(50);
        let o = decode(&v, None).unwrap();
        assert_eq!((o.payment.method, o.payment.paid), (PaymentMethod::Card, false), "paid only when the payment covers the total");
        v["delivery_price"] = json!(0);
        assert_eq!(decode(&v, None).unwrap().shipping, None, "free delivery is no line");
        v["date_confirmed"] = json!(0);
        assert_eq!(decode(&v, None).unwrap().created_at, "2026-12-06T06:50:00Z", "no confirmation time: when it was made");
    }

    #[test]
    fn an_order_that_cannot_be_read_is_named_by_its_id_or_a_digest_with_the_field_at_fault() {
        let mut v = sample();
        v["products"][0]["price_brutto"] = json!([1]);
        let e = decode(&v, None).unwrap_err();
        assert_eq!((e.id.as_str(), e.number.as_str()), ("7001", "7001"));
        assert!(e.reason.contains("products[0].price_brutto"), "{}", e.reason);
        let e = decode(&json!({ "products": "none" }), None).unwrap_err();
        assert!(e.id.starts_with("malformed-"), "{}", e.id);
        assert_eq!(e, decode(&json!({ "products": "none" }), None).unwrap_err(), "the same order is named the same way twice");
        // A price that is text but no number still reads: the core quarantines it, naming the line.
        let mut v = sample();
        v["products"][0]["price_brutto"] = json!("abc");
        assert_eq!(decode(&v, None).unwrap().lines[0].unit_price, "abc");
    }

    /// Every order the simulator makes reads, and what it says adds up; among them promo codes
    /// (lines below zero), guests, companies and persons.
    #[test]
    fn the_simulators_orders_read() {
        use crate::baselinker::sim::{Sim, SimConfig};
        let sim = Sim::new(SimConfig { seed_orders: 30, ..SimConfig::new("t") });
        let mut kinds = std::collections::BTreeSet::new();
        let mut discounted = 0;
        for raw in (5_000_001..=5_000_030).map(|id| sim.order(id).unwrap()) {
            let o = decode(&raw, None).unwrap_or_else(|e| panic!("{}: {raw}", e.reason));
            assert!(!o.lines.is_empty());
            let sum: f64 = o.lines.iter().map(|l| l.unit_price.parse::<f64>().unwrap() * l.quantity.parse::<f64>().unwrap()).sum::<f64>()
                + o.shipping.as_ref().map_or(0.0, |s| s.price.parse::<f64>().unwrap())
                - o.discounts.iter().map(|d| d.amount.parse::<f64>().unwrap()).sum::<f64>();
            assert_eq!(o.total, money(sum));
            assert!(["PLN", "EUR", "BGN"].contains(&o.currency.as_str()), "{}", o.currency);
            kinds.insert(format!("{:?}", o.customer.kind));
            discounted += usize::from(!o.discounts.is_empty());
        }
        assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["Company", "Guest", "Person"]);
        assert_eq!(discounted, 6, "every fifth order");
    }
}
