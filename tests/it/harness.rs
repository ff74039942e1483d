//! The shop harness: what the exchange tests need of a shop, whatever its kind. A test places
//! orders and shop-made products and customers in the core's neutral records, asks what the shop
//! holds in the same records, and knows the kind only through [`ShopHarness`]: Shopiko's
//! simulator implements it here; another kind's simulator implements it beside its own, and the
//! same exchange tests run against it.

use obmen::kinds::warehouse_pro::shop::{Customer, DiscountKind, Order, PaymentMethod, Product};
use obmen::kinds::warehouse_pro_shopiko::shop::{self as shopiko_kind, decode};
use obmen::shopiko::model;
use obmen::shopiko::sim::SimConfig;

use crate::shopiko::{RunningSim, API_ID, KEY};

/// A simulated shop of some kind, as the exchange tests drive it.
pub trait ShopHarness {
    /// The kind of the servers that talk to it, as server files write it.
    fn kind(&self) -> &'static str;
    /// The server file's section for this shop (its address and key).
    fn section(&self) -> String;
    /// Places an order, as a customer would.
    fn place(&self, order: &Order);
    /// An order as the shop holds it now (acknowledged or not), decoded as the kind decodes it.
    fn order(&self, id: &str) -> Option<Order>;
    /// What the shop was told an order became: its document number and the document's kind as
    /// the shop names it.
    fn told_as(&self, id: &str) -> Option<(String, String)>;
    /// How many orders the shop was told are in Warehouse Pro.
    fn acknowledged(&self) -> u64;
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

/// The import log's source of the kind under test (Shopiko's: its API ID).
pub const SOURCE: &str = API_ID;

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
