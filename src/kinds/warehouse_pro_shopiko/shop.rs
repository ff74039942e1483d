//! [`ShopikoShop`]: the Shopiko shop as the Warehouse Pro core's [`Shop`]. It decodes Shopiko's
//! orders, products and customers into the core's neutral records, shapes what the core exports
//! as Shopiko's wire records, and maps [`ShopikoError`]s to [`RunError`]s. Every wire detail
//! stays in [`crate::shopiko`].

use crate::config::Lang;
use crate::i18n::Msg;
use crate::kinds::warehouse_pro::shop::{
    money, Ack, Address, Capabilities, Contact, Customer, CustomerType, Discount, DiscountKind, ExportCustomer, ExportProduct, Identity, Order, OrderLine,
    Page, Payment, PaymentMethod, Product, Refusal, ServiceGood, Shipping, Shop, StockLevel, Undecodable,
};
use crate::kinds::{Check, Events, FailureKind, RunError, RunEvent};
use crate::shopiko::client::{RetryHook, ACK_BATCH, LIST_PAGE_MAX, ORDERS_PAGE_MAX, STOCK_BATCH, UPSERT_BATCH};
use crate::shopiko::model::BatchAck;
use crate::shopiko::{model, ClientConfig, RetryPolicy, ShopikoClient, ShopikoError};
use crate::warehouse::OperType;

use super::{Server, PARTNER_CODE_PREFIX};

impl From<ShopikoError> for RunError {
    fn from(e: ShopikoError) -> Self {
        let kind = match e.last() {
            ShopikoError::Unauthorized { .. } | ShopikoError::ClockSkew { .. } => FailureKind::ShopUnauthorized,
            ShopikoError::Unreachable { .. } | ShopikoError::Timeout { .. } | ShopikoError::Server { .. } | ShopikoError::RateLimited { .. } => {
                FailureKind::ShopUnreachable
            }
            _ => FailureKind::ShopRefused,
        };
        RunError::Shop { message: e.to_string(), kind }
    }
}

/// A Shopiko shop, opened for a run or a check.
#[derive(Debug, Clone)]
pub struct ShopikoShop {
    /// The client every call but acknowledgements goes through.
    client: ShopikoClient,
    /// The same client trying less hard: acknowledgements have a budget of their own, and what
    /// one misses is sent again next run.
    acks: ShopikoClient,
    /// Who the shop is.
    identity: Identity,
    /// The shop's address, as the checks name it.
    url: String,
}

impl ShopikoShop {
    /// The shop of a server, for a run: each retry told as an event where `events` is given.
    pub fn open(server: &Server, events: Option<&Events>) -> Result<ShopikoShop, RunError> {
        let mut client = ShopikoClient::new(server.client_config())?;
        if let Some(events) = events {
            let events = events.clone();
            let hook: RetryHook = std::sync::Arc::new(move |what: &str, e: &ShopikoError, attempt: u32, wait: std::time::Duration| {
                events.send(RunEvent::Retry {
                    what: crate::i18n::Msg::shop_call(what, crate::i18n::current()),
                    error: e.to_string(),
                    attempt,
                    wait_ms: wait.as_millis() as u64,
                })
            });
            client = client.with_retry_hook(hook);
        }
        Ok(ShopikoShop::with_client(server, client))
    }

    fn with_client(server: &Server, client: ShopikoClient) -> ShopikoShop {
        let acks = client.clone().with_retry_policy(RetryPolicy::quick());
        let identity = Identity {
            name: "Shopiko",
            source: server.settings.shopiko.api_id.clone(),
            partner_prefix: PARTNER_CODE_PREFIX,
            guest_code: "SH-GUEST",
            shipping: ServiceGood { code: "SHOPIKO-SHIPPING", name: "Доставка (Shopiko)" },
            discount: ServiceGood { code: "SHOPIKO-DISCOUNT", name: "Отстъпка (Shopiko)" },
            price_currency: server.settings.shopiko.currency.clone(),
        };
        ShopikoShop { client, acks, identity, url: server.settings.shopiko.url.clone() }
    }

    /// The shop of a server, for its connection checks: trying once, quickly. The error is the
    /// checks' red lines.
    pub fn for_check(server: &Server, lang: Lang) -> Result<ShopikoShop, Vec<Check>> {
        let config = ClientConfig { retry: RetryPolicy::quick(), ..server.client_config() };
        match ShopikoClient::new(config) {
            Ok(client) => Ok(ShopikoShop::with_client(server, client)),
            Err(e) => {
                let (reach, key, unreachable) = check_lines(&server.settings.shopiko.url, lang);
                Err(vec![Check::failed(reach, e.to_string()), Check::failed(key, unreachable)])
            }
        }
    }
}

/// The checks' lines: what "reachable" and "key" say, and why the key was not checked.
fn check_lines(url: &str, lang: Lang) -> (String, String, String) {
    let reach = Msg::CheckShopAt.with(lang, &[("url", &url)]);
    let key = Msg::CheckShopKey.get(lang).to_owned();
    let unreachable = Msg::CheckNotChecked.with(lang, &[("why", &Msg::CheckShopUnreachable.get(lang))]);
    (reach, key, unreachable)
}

/// The document type as the shop is told it.
fn document_type(oper: OperType) -> &'static str {
    if oper == OperType::SALES_ORDER {
        "sales_order"
    } else {
        "sale"
    }
}

/// A page of Shopiko's, as the core's.
fn page<T, U>(p: model::Page<T>, each: impl Fn(T) -> U) -> Page<U> {
    Page { items: p.items.into_iter().map(each).collect(), next_cursor: p.next_cursor, has_more: p.has_more }
}

/// Decodes one order as the shop sent it, or says why it cannot be read.
pub fn decode(raw: &serde_json::Value) -> Result<Order, Undecodable> {
    // The path to the field at fault ("lines[0].quantity: invalid type ..."), not only what was wrong.
    match serde_path_to_error::deserialize::<_, model::Order>(raw) {
        Ok(o) => Ok(order(o, raw.to_string())),
        Err(e) => {
            let text = |key: &str| match raw.get(key) {
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            let id = text("id").unwrap_or_else(|| Undecodable::digest_id(&raw.to_string()));
            let number = text("number").unwrap_or_else(|| id.clone());
            let reason = Msg::OrderUndecodable.with(crate::i18n::current(), &[("error", &e)]);
            Err(Undecodable { id, number, reason })
        }
    }
}

fn order(o: model::Order, raw: String) -> Order {
    Order {
        id: o.id,
        number: o.number,
        created_at: o.created_at,
        currency: o.currency,
        customer: customer(o.customer),
        lines: o
            .lines
            .into_iter()
            .map(|l| OrderLine {
                line_id: l.line_id,
                sku: l.sku,
                ean: String::new(),
                linked: true,
                name: l.name,
                quantity: l.quantity,
                unit_price: l.unit_price,
                discount_percent: l.discount_percent,
                vat_percent: l.vat_percent,
            })
            .collect(),
        discounts: o
            .discounts
            .into_iter()
            .map(|d| Discount {
                kind: match d.kind {
                    model::DiscountKind::Voucher => DiscountKind::Voucher,
                    model::DiscountKind::PromoCode => DiscountKind::PromoCode,
                },
                code: d.code,
                amount: d.amount,
            })
            .collect(),
        shipping: o.shipping.map(|s| Shipping { method: s.method, price: s.price, vat_percent: s.vat_percent }),
        payment: Payment {
            method: match o.payment.method {
                model::PaymentMethod::CashOnDelivery => PaymentMethod::CashOnDelivery,
                model::PaymentMethod::BankTransfer => PaymentMethod::BankTransfer,
                model::PaymentMethod::Card => PaymentMethod::Card,
                model::PaymentMethod::Voucher => PaymentMethod::Voucher,
            },
            paid: o.payment.paid,
            paid_amount: o.payment.paid_amount,
            transaction_id: o.payment.transaction_id,
        },
        total: o.totals.total,
        acknowledged_as: o.acknowledged.map(|a| a.document_number),
        raw,
    }
}

fn customer(c: model::Customer) -> Customer {
    // The partner's address: billing, else delivery.
    let a = c.billing_address.clone().or(c.delivery_address.clone()).unwrap_or_default();
    let kind = match c.kind {
        model::CustomerType::Company => CustomerType::Company,
        model::CustomerType::Person => CustomerType::Person,
        model::CustomerType::Guest => CustomerType::Guest,
    };
    Customer { kind, id: c.id.clone(), contact: contact(c), address: Address { line1: a.line1, line2: a.line2, city: a.city } }
}

/// Who a Shopiko customer is.
fn contact(c: model::Customer) -> Contact {
    Contact {
        email: c.email,
        phone: c.phone,
        first_name: c.first_name,
        last_name: c.last_name,
        company_name: c.company_name,
        vat_number: c.vat_number,
        company_number: c.company_number,
    }
}

/// A Shopiko customer of this kind, shop id, external id, contact and billing address.
pub fn wire_customer(kind: CustomerType, id: Option<String>, external_id: Option<String>, c: &Contact, billing: Option<model::Address>) -> model::Customer {
    model::Customer {
        kind: match kind {
            CustomerType::Company => model::CustomerType::Company,
            CustomerType::Person => model::CustomerType::Person,
            CustomerType::Guest => model::CustomerType::Guest,
        },
        id,
        external_id,
        email: c.email.clone(),
        phone: c.phone.clone(),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        company_name: c.company_name.clone(),
        vat_number: c.vat_number.clone(),
        company_number: c.company_number.clone(),
        billing_address: billing,
        delivery_address: None,
    }
}

/// A product as Shopiko lists and takes it.
pub fn wire_listed_product(p: &Product) -> model::Product {
    model::Product {
        sku: p.sku.clone(),
        name: p.name.clone(),
        barcodes: p.barcodes.clone(),
        measure: p.measure.clone(),
        price: p.price.clone(),
        vat_percent: p.vat_percent.clone(),
        active: true,
        updated_at: None,
    }
}

fn product(p: model::Product) -> Product {
    Product { sku: p.sku, name: p.name, barcodes: p.barcodes, measure: p.measure, price: p.price, vat_percent: p.vat_percent }
}

fn refusals(r: model::UpsertResult) -> Vec<Refusal> {
    r.errors.into_iter().map(|e| Refusal { key: e.key, reason: e.message }).collect()
}

impl Shop for ShopikoShop {
    type WireProduct = model::Product;
    type WireCustomer = model::Customer;

    fn identity(&self) -> &Identity {
        &self.identity
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities { customers: true }
    }

    fn upsert_batch(&self) -> usize {
        UPSERT_BATCH
    }

    fn stock_batch(&self) -> usize {
        STOCK_BATCH
    }

    fn retries(&self) -> u64 {
        self.client.retries()
    }

    fn request_counter(&self) -> std::sync::Arc<std::sync::atomic::AtomicU64> {
        self.client.request_counter()
    }

    async fn orders(&self, cursor: Option<&str>) -> Result<Page<serde_json::Value>, RunError> {
        Ok(page(self.client.orders_raw(cursor, ORDERS_PAGE_MAX).await?, |o| o))
    }

    fn decode_order(&self, raw: &serde_json::Value) -> Result<Order, Undecodable> {
        decode(raw)
    }

    async fn acknowledge(&self, ack: Ack) -> Result<(), RunError> {
        self.acks.acknowledge(&ack.order_id, &ack.document_number, document_type(ack.oper_type)).await?;
        Ok(())
    }

    fn ack_batch(&self) -> usize {
        ACK_BATCH
    }

    async fn acknowledge_many(&self, acks: Vec<Ack>) -> Vec<Result<(), RunError>> {
        let batch: Vec<BatchAck> = acks
            .into_iter()
            .map(|a| BatchAck { order_id: a.order_id, document_number: a.document_number, document_type: document_type(a.oper_type).to_owned() })
            .collect();
        self.acks.acknowledge_many(&batch).await.into_iter().map(|r| r.map(|_| ()).map_err(RunError::from)).collect()
    }

    async fn set_aside(&self, _order_id: &str, _reason: &str) -> Result<(), RunError> {
        // Shopiko's contract has no place for it: the order stays unacknowledged in the shop.
        Ok(())
    }

    async fn all_products(&self) -> Result<Vec<Product>, RunError> {
        let (all, _) = self.client.all_products(None).await?;
        Ok(all.into_iter().map(product).collect())
    }

    async fn products_changed(&self, cursor: Option<&str>) -> Result<Page<Product>, RunError> {
        Ok(page(self.client.products_changed_in_shop(cursor, LIST_PAGE_MAX).await?, product))
    }

    async fn customers_changed(&self, cursor: Option<&str>) -> Result<Page<Customer>, RunError> {
        Ok(page(self.client.customers_changed_in_shop(cursor, LIST_PAGE_MAX).await?, customer))
    }

    fn wire_product(&self, p: &ExportProduct) -> model::Product {
        let listed = Product {
            sku: p.sku.clone(),
            name: p.name.clone(),
            barcodes: p.barcodes.clone(),
            measure: p.measure.clone(),
            price: money(p.gross_price),
            vat_percent: format!("{}", p.vat_percent),
        };
        wire_listed_product(&listed)
    }

    fn wire_customer(&self, c: &ExportCustomer) -> model::Customer {
        let kind = if c.company { CustomerType::Company } else { CustomerType::Person };
        let billing =
            model::Address { name: c.addressee.clone(), line1: c.address.clone(), city: c.city.clone(), country: "BG".into(), ..model::Address::default() };
        wire_customer(kind, None, c.external_id.clone(), &c.contact, Some(billing))
    }

    async fn upsert_products(&self, batch: &[ExportProduct]) -> Result<Vec<Refusal>, RunError> {
        let wire: Vec<model::Product> = batch.iter().map(|p| self.wire_product(p)).collect();
        Ok(refusals(self.client.upsert_products(&wire).await?))
    }

    async fn upsert_customers(&self, batch: &[ExportCustomer]) -> Result<Vec<Refusal>, RunError> {
        let wire: Vec<model::Customer> = batch.iter().map(|c| self.wire_customer(c)).collect();
        Ok(refusals(self.client.upsert_customers(&wire).await?))
    }

    async fn set_stock(&self, batch: &[StockLevel]) -> Result<Vec<Refusal>, RunError> {
        let wire: Vec<model::StockLevel> = batch.iter().map(|l| model::StockLevel { sku: l.sku.clone(), quantity: l.quantity() }).collect();
        let r = self.client.set_stock(&wire).await?;
        let reason = Msg::ShopHasNoProduct.get(crate::i18n::current());
        Ok(r.unknown_skus.into_iter().map(|key| Refusal { key, reason: reason.to_owned() }).collect())
    }

    async fn check(&self, lang: Lang) -> Vec<Check> {
        let (reach, key, unreachable) = check_lines(&self.url, lang);
        let reachable = Msg::CheckReachable.get(lang);
        match self.client.ping().await {
            Ok(p) => vec![Check::ok(reach, reachable), Check::ok(key, Msg::CheckAccepted.with(lang, &[("shop", &p.shop), ("api_id", &self.identity.source)]))],
            Err(e) => match e.last() {
                ShopikoError::Unauthorized { .. } | ShopikoError::ClockSkew { .. } => {
                    vec![Check::ok(reach, reachable), Check::failed(key, e.last().to_string())]
                }
                ShopikoError::Rejected { .. } | ShopikoError::Decode { .. } => vec![
                    Check::failed(reach, Msg::CheckNotShopiko.with(lang, &[("error", &e)])),
                    Check::failed(key, Msg::CheckNotChecked.with(lang, &[("why", &Msg::CheckNotAShop.get(lang))])),
                ],
                _ => vec![Check::failed(reach, e.to_string()), Check::failed(key, unreachable)],
            },
        }
    }
}

#[cfg(test)]
mod tests {
    //! Shopiko's orders decoded and their money parsed by the core, without a database: parsing,
    //! VAT per unit, the three kinds of discount (a line's percent, a voucher, a promo code),
    //! shipping, the total's tolerance, and whatever a shop may send instead.

    use super::*;
    use crate::kinds::warehouse_pro::order::{check_total, order_lines, parse, Limits, LineGood, MAX_LINES_PER_ORDER};
    use crate::warehouse::NewLine;

    /// Each order of a page decoded on its own: the ones that decode, and the ones that do not.
    fn decode_orders(items: &[serde_json::Value]) -> (Vec<Order>, Vec<Undecodable>) {
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for item in items {
            match decode(item) {
                Ok(o) => good.push(o),
                Err(e) => bad.push(e),
            }
        }
        (good, bad)
    }

    fn order(lines: &str, discounts: &str, shipping: &str, total: &str) -> Order {
        let json = order_json(lines, discounts, shipping, total);
        decode(&json).unwrap_or_else(|e| panic!("{}: {json}", e.reason))
    }

    fn order_json(lines: &str, discounts: &str, shipping: &str, total: &str) -> serde_json::Value {
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
            let mut o = order_json(&line(1, "2", "3.50", "10", "20"), "", "null", "6.30");
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
        let lines = order_lines(&p, &[good(11, 20.0), good(12, 20.0)], 20.0, -1, -2, "Shopiko");
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
        let l = &order_lines(&p, &[good(5, 20.0)], 20.0, -1, -2, "Shopiko")[0];
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
        let lines = order_lines(&p, &[good(5, 20.0)], 20.0, 90, 91, "Shopiko");
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
