//! The shop harness: what the exchange tests need of a shop, whatever its kind. A test places
//! orders and shop-made products and customers in the core's neutral records, asks what the shop
//! holds in the same records, and knows the kind only through [`ShopHarness`]: Shopiko's
//! simulator and BaseLinker's ([`BlShop`]) implement it here, and the same exchange tests run
//! against each.

use obmen::kinds::warehouse_pro::shop::{Customer, CustomerType, DiscountKind, Order, PaymentMethod, Product};
use obmen::kinds::warehouse_pro_shopiko::shop::{self as shopiko_kind, decode};
use obmen::shopiko::model;
use obmen::shopiko::sim::SimConfig;

use crate::shopiko::{RunningSim, API_ID, KEY};

/// A simulated shop of some kind, as the exchange tests drive it.
pub trait ShopHarness {
    /// The kind of the servers that talk to it, as server files write it.
    fn kind(&self) -> &'static str;
    /// The shop's name as documents' notes give it (`Shopiko 100001`).
    fn name(&self) -> &'static str;
    /// The import log's source of its orders.
    fn source(&self) -> String;
    /// The partner orders of guests go to by the kind's default.
    fn guest_partner(&self) -> &'static str;
    /// Rules the kind's servers need to talk to this shop (`[rules]` keys and TOML values).
    fn rules(&self) -> Vec<(&'static str, String)>;
    /// The server file's section for this shop (its address and key).
    fn section(&self) -> String;
    /// Every order a customer finished (confirmed, where the shop knows unconfirmed ones), by id.
    fn order_ids(&self) -> Vec<String>;
    /// True when the shop's seed tells vouchers from promo codes (else every discount is a promo
    /// code).
    fn has_vouchers(&self) -> bool;
    /// True when the shop's seed has customers who are the demo database's partners (by e-mail).
    fn knows_demo_partners(&self) -> bool;
    /// Places an order, as a customer would.
    fn place(&self, order: &Order);
    /// An order as the shop holds it now (acknowledged or not), decoded as the kind decodes it.
    fn order(&self, id: &str) -> Option<Order>;
    /// What the shop was told an order became: its document number and the document's kind as
    /// the shop names it.
    fn told_as(&self, id: &str) -> Option<(String, String)>;
    /// How many orders the shop was told are in Warehouse Pro.
    fn acknowledged(&self) -> u64;
    /// Whether the shop was told an order was set aside; None where the shop has no place for it.
    fn told_set_aside(&self, id: &str) -> Option<bool>;
    /// More seeded orders.
    fn add_orders(&self, n: usize);
    /// Every product the shop has, as the kind reads it.
    fn products(&self) -> Vec<Product>;
    /// How many customers the shop has.
    fn customer_count(&self) -> u64;
    /// The available quantity the shop shows for a SKU.
    fn stock(&self, sku: &str) -> Option<f64>;
    /// Products made or changed by the shop's own staff (not through the API).
    fn edit_products_in_shop(&self, products: Vec<Product>);
    /// Customers made or changed in the shop itself.
    fn edit_customers_in_shop(&self, customers: Vec<Customer>);
}

/// How the kind under test tells its shop an order became a sales order.
pub const SALES_ORDER: &str = "sales_order";

/// A complete order as the seed of the kind under test makes them.
pub fn sample_order() -> Order {
    let sim = obmen::shopiko::sim::Sim::new(SimConfig { seed_orders: 1, seed_products: 1, ..SimConfig::new("x", "y") }).unwrap();
    decoded(&sim.order("100001").unwrap())
}

/// A Shopiko shop's start: its seeded orders and products.
pub fn seed(orders: usize, products: usize) -> SimConfig {
    SimConfig { seed_orders: orders, seed_products: products, ..SimConfig::new(API_ID, KEY) }
}

/// A neutral order in Shopiko's wire shape.
fn wire_order(o: &Order) -> model::Order {
    let c = &o.customer;
    let name = if c.contact.company_name.is_empty() {
        format!("{} {}", c.contact.first_name, c.contact.last_name).trim().to_owned()
    } else {
        c.contact.company_name.clone()
    };
    let lines: f64 = o.lines.iter().map(|l| l.quantity.parse::<f64>().unwrap_or(0.0) * l.unit_price.parse::<f64>().unwrap_or(0.0)).sum();
    let discounts: f64 = o.discounts.iter().map(|d| d.amount.parse::<f64>().unwrap_or(0.0)).sum();
    model::Order {
        id: o.id.clone(),
        number: o.number.clone(),
        created_at: o.created_at.clone(),
        currency: o.currency.clone(),
        // An order's customer is delivered to where they are billed, as the seed's are.
        customer: {
            let mut wire = wire_customer(c, Some(name));
            wire.delivery_address = wire.billing_address.clone();
            wire
        },
        lines: o
            .lines
            .iter()
            .map(|l| model::OrderLine {
                line_id: l.line_id.clone(),
                sku: l.sku.clone(),
                name: l.name.clone(),
                quantity: l.quantity.clone(),
                unit_price: l.unit_price.clone(),
                discount_percent: l.discount_percent.clone(),
                vat_percent: l.vat_percent.clone(),
            })
            .collect(),
        discounts: o
            .discounts
            .iter()
            .map(|d| model::Discount {
                kind: match d.kind {
                    DiscountKind::Voucher => model::DiscountKind::Voucher,
                    DiscountKind::PromoCode => model::DiscountKind::PromoCode,
                },
                code: d.code.clone(),
                amount: d.amount.clone(),
                description: String::new(),
            })
            .collect(),
        shipping: o.shipping.as_ref().map(|s| model::Shipping { method: s.method.clone(), price: s.price.clone(), vat_percent: s.vat_percent.clone() }),
        payment: model::Payment {
            method: match o.payment.method {
                PaymentMethod::CashOnDelivery => model::PaymentMethod::CashOnDelivery,
                PaymentMethod::BankTransfer => model::PaymentMethod::BankTransfer,
                PaymentMethod::Card => model::PaymentMethod::Card,
                PaymentMethod::Voucher => model::PaymentMethod::Voucher,
            },
            paid: o.payment.paid,
            paid_amount: o.payment.paid_amount.clone(),
            transaction_id: o.payment.transaction_id.clone(),
        },
        totals: model::Totals {
            lines: format!("{lines:.2}"),
            discounts: format!("{discounts:.2}"),
            shipping: o.shipping.as_ref().map(|s| s.price.clone()).unwrap_or_else(|| "0".into()),
            total: o.total.clone(),
        },
        acknowledged: o.acknowledged_as.as_ref().map(|d| model::Acknowledgement { document_number: d.clone(), document_type: "sale".into(), at: None }),
    }
}

/// A neutral customer in Shopiko's wire shape (its address, where it has one, as the billing one).
fn wire_customer(c: &Customer, addressee: Option<String>) -> model::Customer {
    let a = &c.address;
    let billing = (!a.line1.is_empty() || !a.city.is_empty()).then(|| model::Address {
        name: addressee.unwrap_or_default(),
        line1: a.line1.clone(),
        line2: a.line2.clone(),
        city: a.city.clone(),
        postcode: String::new(),
        country: "BG".into(),
    });
    shopiko_kind::wire_customer(c.kind, c.id.clone(), None, &c.contact, billing)
}

fn neutral_product(p: model::Product) -> Product {
    Product { sku: p.sku, name: p.name, barcodes: p.barcodes, measure: p.measure, price: p.price, vat_percent: p.vat_percent }
}

fn decoded(o: &model::Order) -> Order {
    let raw = serde_json::to_value(o).unwrap();
    decode(&raw).unwrap_or_else(|e| panic!("the simulator's order {}: {}", o.id, e.reason))
}

impl ShopHarness for RunningSim {
    fn kind(&self) -> &'static str {
        "WarehousePro Import Export Shopiko"
    }

    fn name(&self) -> &'static str {
        "Shopiko"
    }

    fn source(&self) -> String {
        API_ID.to_owned()
    }

    fn guest_partner(&self) -> &'static str {
        "Клиент от Shopiko"
    }

    fn rules(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    fn order_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.sim.orders().into_iter().map(|o| o.id).collect();
        ids.sort_by_key(|id| (id.len(), id.clone()));
        ids
    }

    fn has_vouchers(&self) -> bool {
        true
    }

    fn knows_demo_partners(&self) -> bool {
        true
    }

    fn section(&self) -> String {
        format!("[shopiko]\nurl = \"{}\"\napi_id = \"{API_ID}\"\nkey = \"{KEY}\"\n", self.url)
    }

    fn place(&self, order: &Order) {
        self.sim.place(wire_order(order));
    }

    fn order(&self, id: &str) -> Option<Order> {
        self.sim.order(id).map(|o| decoded(&o))
    }

    fn told_as(&self, id: &str) -> Option<(String, String)> {
        self.sim.order(id)?.acknowledged.map(|a| (a.document_number, a.document_type))
    }

    fn acknowledged(&self) -> u64 {
        self.sim.stats().orders_acknowledged
    }

    fn told_set_aside(&self, _id: &str) -> Option<bool> {
        // Shopiko's contract has no place for it.
        None
    }

    fn add_orders(&self, n: usize) {
        self.sim.add_orders(n);
    }

    fn products(&self) -> Vec<Product> {
        self.sim.products().into_iter().map(neutral_product).collect()
    }

    fn customer_count(&self) -> u64 {
        self.sim.stats().customers
    }

    fn stock(&self, sku: &str) -> Option<f64> {
        self.sim.stock(sku)
    }

    fn edit_products_in_shop(&self, products: Vec<Product>) {
        self.sim.edit_products_in_shop(products.iter().map(shopiko_kind::wire_listed_product).collect());
    }

    fn edit_customers_in_shop(&self, customers: Vec<Customer>) {
        self.sim.edit_customers_in_shop(customers.iter().map(|c| wire_customer(c, None)).collect());
    }
}

/// A BaseLinker account's simulator, as the exchange tests drive it: its orders read as the kind
/// reads them (the document number from the server's document field), its servers moving booked
/// orders to a status and writing the number to that field.
pub struct BlShop {
    /// The simulator.
    pub running: obmen::baselinker::sim::Running,
    /// Its token: one of its own, so that tests running at once do not share one token's
    /// limit in this process.
    token: String,
}

/// The simulated account's document field, as its servers name it and by its id.
const BL_FIELD: (&str, i64) = ("Numer dokumentu Warehouse Pro", 501);

impl BlShop {
    /// A simulator with `orders` confirmed orders, all in euro (the demo database's own
    /// currency: the shared tests compare amounts as booked), on the test's runtime.
    pub async fn start(orders: usize) -> BlShop {
        use obmen::baselinker::sim::{Running, SimConfig};
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let token = format!("{}-{}", crate::baselinker::TOKEN, N.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let config = SimConfig { seed_orders: orders, requests_per_minute: None, currencies: vec!["EUR"], ..SimConfig::new(&token) };
        BlShop { running: Running::start(config).await.unwrap(), token }
    }

    fn decoded(raw: &serde_json::Value) -> Order {
        obmen::kinds::warehouse_pro_baselinker::order::decode(raw, Some(BL_FIELD.1)).unwrap_or_else(|e| panic!("the simulator's order: {}", e.reason))
    }

    /// A neutral order as `getOrders` gives it.
    fn wire_order(o: &Order) -> serde_json::Value {
        use serde_json::json;
        let mut products: Vec<serde_json::Value> = o
            .lines
            .iter()
            .enumerate()
            .map(|(k, l)| {
                // A price or quantity that is no number goes as the text it is, as a shop may send it.
                let price = match l.unit_price.parse::<f64>() {
                    Ok(p) => json!(p * (1.0 - l.discount_percent.parse::<f64>().unwrap_or(0.0) / 100.0)),
                    Err(_) => json!(l.unit_price),
                };
                json!({ "storage": "db", "storage_id": 1, "order_product_id": k, "product_id": (k + 1).to_string(), "variant_id": "0",
                    "name": l.name, "sku": l.sku, "ean": "", "price_brutto": price, "tax_rate": l.vat_percent.parse::<f64>().unwrap_or(20.0), "quantity": l.quantity })
            })
            .collect();
        for d in &o.discounts {
            products.push(json!({ "storage": "", "storage_id": 0, "order_product_id": 99, "product_id": "", "variant_id": "0",
                "name": d.code, "sku": "", "ean": "", "price_brutto": -d.amount.parse::<f64>().unwrap_or(0.0), "tax_rate": 20, "quantity": 1 }));
        }
        let c = &o.customer.contact;
        let company = o.customer.kind == CustomerType::Company;
        let cod = o.payment.method == PaymentMethod::CashOnDelivery;
        json!({
            "order_id": o.id.parse::<i64>().map(serde_json::Value::from).unwrap_or_else(|_| json!(o.id)),
            "order_status_id": 1001,
            "date_add": 1_796_540_000,
            "email": c.email,
            "phone": c.phone,
            "currency": o.currency,
            "payment_method": if cod { "Płatność przy odbiorze" } else { "Przelew" },
            "payment_method_cod": if cod { "1" } else { "0" },
            "payment_done": if o.payment.paid { o.payment.paid_amount.parse::<f64>().unwrap_or(0.0) } else { 0.0 },
            "delivery_method": o.shipping.as_ref().map(|s| s.method.clone()).unwrap_or_default(),
            "delivery_price": o.shipping.as_ref().map(|s| s.price.parse::<f64>().unwrap_or(0.0)).unwrap_or(0.0),
            "delivery_fullname": format!("{} {}", c.first_name, c.last_name).trim(),
            "delivery_address": o.customer.address.line1,
            "delivery_city": o.customer.address.city,
            "invoice_fullname": if company { String::new() } else { format!("{} {}", c.first_name, c.last_name).trim().to_owned() },
            "invoice_company": if company { c.company_name.clone() } else { String::new() },
            "invoice_nip": if company { c.vat_number.clone() } else { String::new() },
            "invoice_address": o.customer.address.line1,
            "invoice_city": o.customer.address.city,
            "custom_extra_fields": match &o.acknowledged_as { Some(d) => json!({ BL_FIELD.1.to_string(): d }), None => json!({}) },
            "products": products,
        })
    }
}

impl ShopHarness for BlShop {
    fn kind(&self) -> &'static str {
        "WarehousePro Import Export BaseLinker"
    }

    fn name(&self) -> &'static str {
        "BaseLinker"
    }

    fn source(&self) -> String {
        crate::baselinker::SOURCE.to_owned()
    }

    fn guest_partner(&self) -> &'static str {
        "Клиент от BaseLinker"
    }

    fn rules(&self) -> Vec<(&'static str, String)> {
        crate::baselinker::RULES.iter().filter(|(k, _)| !matches!(*k, "object" | "allow_negative_stock")).map(|(k, v)| (*k, v.to_string())).collect()
    }

    fn section(&self) -> String {
        format!("[baselinker]\nurl = \"{}\"\ntoken = \"{}\"\nprice_group = \"Detal EUR\"\n", self.running.url, self.token)
    }

    fn order_ids(&self) -> Vec<String> {
        self.running.sim.orders().iter().filter(|o| o["confirmed"] == true).map(|o| o["order_id"].to_string()).collect()
    }

    fn has_vouchers(&self) -> bool {
        false
    }

    fn knows_demo_partners(&self) -> bool {
        false
    }

    fn place(&self, order: &Order) {
        self.running.sim.place(Self::wire_order(order));
    }

    fn order(&self, id: &str) -> Option<Order> {
        self.running.sim.order(id.parse().ok()?).map(|o| Self::decoded(&o))
    }

    fn told_as(&self, id: &str) -> Option<(String, String)> {
        let o = self.running.sim.order(id.parse().ok()?)?;
        let number = o["custom_extra_fields"][BL_FIELD.1.to_string()].as_str()?.to_owned();
        Some((number, o["order_status_id"].to_string()))
    }

    fn acknowledged(&self) -> u64 {
        let told = |o: &&serde_json::Value| o["custom_extra_fields"].get(BL_FIELD.1.to_string()).is_some() && o["order_status_id"] == crate::baselinker::BOOKED;
        self.running.sim.orders().iter().filter(told).count() as u64
    }

    fn told_set_aside(&self, id: &str) -> Option<bool> {
        Some(self.running.sim.order(id.parse().ok()?)?["order_status_id"] == crate::baselinker::SET_ASIDE)
    }

    fn add_orders(&self, n: usize) {
        self.running.sim.add_orders(n);
    }

    fn products(&self) -> Vec<Product> {
        self.running
            .sim
            .products()
            .into_iter()
            .map(|p| Product {
                sku: p["sku"].as_str().unwrap_or("").to_owned(),
                name: p["name"].as_str().unwrap_or("").to_owned(),
                barcodes: p["ean"].as_str().filter(|e| !e.is_empty()).map(|e| vec![e.to_owned()]).unwrap_or_default(),
                measure: String::new(),
                price: p["prices"]["106"].as_f64().map(|v| format!("{v:.2}")).unwrap_or_default(),
                vat_percent: p["tax_rate"].as_f64().map(|v| v.to_string()).unwrap_or_default(),
            })
            .collect()
    }

    fn customer_count(&self) -> u64 {
        // BaseLinker keeps buyers on orders only.
        0
    }

    fn stock(&self, sku: &str) -> Option<f64> {
        self.running.sim.products().into_iter().find(|p| p["sku"] == sku)?["stock"]["bl_401"].as_f64()
    }

    fn edit_products_in_shop(&self, products: Vec<Product>) {
        let wire = products
            .into_iter()
            .map(|p| {
                serde_json::json!({ "sku": p.sku, "ean": p.barcodes.first().cloned().unwrap_or_default(), "name": p.name,
                "tax_rate": p.vat_percent.parse::<f64>().unwrap_or(20.0), "prices": { "106": p.price.parse::<f64>().unwrap_or(0.0) }, "stock": {} })
            })
            .collect();
        self.running.sim.add_products(wire);
    }

    fn edit_customers_in_shop(&self, _customers: Vec<Customer>) {
        panic!("BaseLinker keeps no customer list: a test of customers made in the shop is not one for this kind");
    }
}
