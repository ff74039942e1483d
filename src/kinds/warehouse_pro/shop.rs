//! The shop, as the Warehouse Pro core sees it: the [`Shop`] trait every "WarehousePro Import
//! Export X" kind implements over its own client, and the neutral records that cross it.
//!
//! The core never names a shop's client, wire shapes or errors: an adapter decodes what its shop
//! sends into these records (amounts kept as the shop wrote them, so that parsing them, and the
//! quarantine reasons when they are no numbers, stay the core's), maps its errors to
//! [`RunError`]s (transient or needing an operator), and says who it is ([`Identity`]) and what
//! it can do ([`Capabilities`]).
//!
//! Static dispatch (`Ctx<S: Shop>`), as the [`crate::kinds`] enum is: the kinds are known when
//! obmen is built, and the async methods need no boxed futures.

use std::future::Future;

use serde::Serialize;

use crate::config::Lang;
use crate::i18n::Msg;
use crate::kinds::{Check, RunError};
use crate::warehouse::OperType;

/// Who a shop is, as Warehouse Pro records it.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// The shop's name in document notes ("Shopiko SH-1001").
    pub name: &'static str,
    /// The import log's source: one shop account (its orders' ids are unique within it).
    pub source: String,
    /// The code prefix of the partners obmen makes from the shop's customers ("SH-").
    pub partner_prefix: &'static str,
    /// The code of the partner made for guests when none is named.
    pub guest_code: &'static str,
    /// The service good that carries shipping.
    pub shipping: ServiceGood,
    /// The service good that carries vouchers and promo codes.
    pub discount: ServiceGood,
    /// The currency the shop's prices are in (ISO code): prices leave converted to it.
    pub price_currency: String,
}

/// A non-inventory good obmen makes to carry a kind of order line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceGood {
    /// Its code, e.g. "SHOPIKO-SHIPPING".
    pub code: &'static str,
    /// Its name as Warehouse Pro shows it.
    pub name: &'static str,
}

/// What a shop can do beyond orders and stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// It lists its customers and takes partners as customers.
    pub customers: bool,
}

/// A page of a listing: its items, the cursor to continue from, and whether there is more.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The opaque cursor to ask for the next page with.
    pub next_cursor: Option<String>,
    /// True when another page follows.
    pub has_more: bool,
}

/// A shop order, decoded. Amounts and quantities are text as the shop sent them.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// The shop's id of the order (unique within the shop account).
    pub id: String,
    /// The number the customer sees.
    pub number: String,
    /// When it was placed (RFC 3339).
    pub created_at: String,
    /// Who ordered.
    pub customer: Customer,
    /// Its product lines.
    pub lines: Vec<OrderLine>,
    /// Order-level discounts.
    pub discounts: Vec<Discount>,
    /// Delivery, if charged.
    pub shipping: Option<Shipping>,
    /// How it is paid.
    pub payment: Payment,
    /// The currency of every amount (ISO code).
    pub currency: String,
    /// What the customer pays, with VAT.
    pub total: String,
    /// The document number another system already told the shop this order is, if any.
    pub acknowledged_as: Option<String>,
    /// The order as the shop sent it: kept in the quarantine, and decoded again on a retry.
    pub raw: String,
}

/// An amount as a neutral record carries it: text with two decimals, rounded to the cent.
pub fn money(v: f64) -> String {
    format!("{:.2}", crate::warehouse::document::round2(v))
}

/// One product line of an order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderLine {
    /// The line's id within the order, as messages name it.
    pub line_id: String,
    /// The product's SKU (may be empty on a line not linked to the shop's catalogue).
    pub sku: String,
    /// The product's EAN, where the line carries one.
    pub ean: String,
    /// False when the line names no product of the shop's catalogue (BaseLinker allows that):
    /// such a line is matched by SKU, then EAN, then name, whatever the server compares by.
    pub linked: bool,
    /// The product's name.
    pub name: String,
    /// Quantity.
    pub quantity: String,
    /// One unit's price with VAT, before the line's discount.
    pub unit_price: String,
    /// The line's discount in percent.
    pub discount_percent: String,
    /// The shop's VAT rate of the line, in percent.
    pub vat_percent: String,
}

/// What kind of order-level discount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountKind {
    /// A gift or credit voucher.
    Voucher,
    /// A promotional code.
    PromoCode,
}

/// An order-level discount, with VAT.
#[derive(Debug, Clone, PartialEq)]
pub struct Discount {
    /// Voucher or promo code.
    pub kind: DiscountKind,
    /// The code the customer entered.
    pub code: String,
    /// The amount taken off the order.
    pub amount: String,
}

/// Delivery charged on an order.
#[derive(Debug, Clone, PartialEq)]
pub struct Shipping {
    /// The shop's name for the method.
    pub method: String,
    /// Price with VAT.
    pub price: String,
    /// Its VAT rate in percent.
    pub vat_percent: String,
}

/// How an order is paid, as Warehouse Pro's payment types know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethod {
    /// Cash paid to the courier.
    CashOnDelivery,
    /// A bank transfer.
    BankTransfer,
    /// A card.
    Card,
    /// A voucher.
    Voucher,
}

/// The payment of an order.
#[derive(Debug, Clone, PartialEq)]
pub struct Payment {
    /// The method.
    pub method: PaymentMethod,
    /// True when the money has arrived.
    pub paid: bool,
    /// What has been paid.
    pub paid_amount: String,
    /// The payment's reference.
    pub transaction_id: String,
}

/// Whether a customer is a company, a registered person, or a guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerType {
    /// A company: it carries a VAT or company number.
    Company,
    /// A registered private person.
    Person,
    /// Bought without an account.
    Guest,
}

/// How to reach a customer and who they are: what an order's customer, a listed customer and a
/// partner sent to the shop all carry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Contact {
    /// E-mail.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// First name (a company's contact person).
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Company name (empty for a person).
    pub company_name: String,
    /// VAT number.
    pub vat_number: String,
    /// Company number (EIK / Bulstat, NIP).
    pub company_number: String,
}

/// A shop customer: of an order, or in the shop's customer listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// Company, person or guest.
    pub kind: CustomerType,
    /// The shop's id of the customer; none for guests.
    pub id: Option<String>,
    /// Who they are and how to reach them.
    pub contact: Contact,
    /// The address a partner is made with: billing, else delivery.
    pub address: Address,
}

/// The parts of an address a Warehouse Pro partner keeps.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Address {
    /// Street and number.
    pub line1: String,
    /// More of the address.
    pub line2: String,
    /// City.
    pub city: String,
}

/// A product as the shop lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// Its SKU.
    pub sku: String,
    /// Its name.
    pub name: String,
    /// Its barcodes (EAN).
    pub barcodes: Vec<String>,
    /// Its measure.
    pub measure: String,
    /// Price with VAT, as the shop wrote it.
    pub price: String,
    /// VAT rate, as the shop wrote it (empty: not given).
    pub vat_percent: String,
}

/// A good as it goes to the shop.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportProduct {
    /// The SKU it goes by: its link, else its code.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Barcodes.
    pub barcodes: Vec<String>,
    /// Measure.
    pub measure: String,
    /// Price with VAT, in the shop's currency ([`Identity::price_currency`]).
    pub gross_price: f64,
    /// VAT rate in percent.
    pub vat_percent: f64,
}

/// A partner as it goes to the shop as a customer.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportCustomer {
    /// True for a company.
    pub company: bool,
    /// The partner's code, which the shop keeps as the customer's external id.
    pub external_id: Option<String>,
    /// Who they are (the e-mail a linked customer's, where linked by e-mail).
    pub contact: Contact,
    /// The partner's name, as its address names it.
    pub addressee: String,
    /// Street and number.
    pub address: String,
    /// City.
    pub city: String,
}

impl ExportCustomer {
    /// The key obmen knows a customer it sends by: its external id (the partner's code), else
    /// its e-mail without case.
    pub fn key(&self) -> String {
        match self.external_id.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
            Some(x) => format!("ext:{x}"),
            None => format!("email:{}", self.contact.email.trim().to_lowercase()),
        }
    }

    /// True when a shop naming a customer by `key` (its external id or e-mail) names this one.
    pub fn is_named(&self, key: &str) -> bool {
        let key = key.trim();
        !key.is_empty() && (self.external_id.as_deref() == Some(key) || self.contact.email.trim().eq_ignore_ascii_case(key))
    }
}

/// One available quantity to set.
#[derive(Debug, Clone, PartialEq)]
pub struct StockLevel {
    /// The product's SKU.
    pub sku: String,
    /// The quantity in thousandths, never below zero.
    pub thousandths: i64,
}

impl StockLevel {
    /// The quantity as decimal text: three places.
    pub fn quantity(&self) -> String {
        format!("{}.{:03}", self.thousandths / 1000, self.thousandths % 1000)
    }
}

/// One record a shop refused, by the key it named it with.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The SKU, external id or e-mail the shop named.
    pub key: String,
    /// The shop's reason.
    pub reason: String,
}

/// What the shop is told of an imported order.
#[derive(Debug, Clone, PartialEq)]
pub struct Ack {
    /// The shop's id of the order.
    pub order_id: String,
    /// The document's number, as Warehouse Pro shows it.
    pub document_number: String,
    /// What the document is.
    pub oper_type: OperType,
}

/// An order the shop sent that cannot be decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Undecodable {
    /// Its id, as sent; else a digest of it, so that the same order is set aside once.
    pub id: String,
    /// Its number, as sent; else its id.
    pub number: String,
    /// Why it cannot be read.
    pub reason: String,
}

impl Undecodable {
    /// The id of an order that carries none: a digest of what was sent.
    pub fn digest_id(raw: &str) -> String {
        use sha2::Digest;
        format!("malformed-{}", hex::encode(&sha2::Sha256::digest(raw.as_bytes())[..8]))
    }
}

/// A shop, as the Warehouse Pro core uses it. Each call maps the shop's failures to a
/// [`RunError`] whose kind says whether it is transient; retries within a call are the adapter's.
pub(crate) trait Shop: Clone + Send + Sync + 'static {
    /// What a product is sent as: its fingerprint decides whether it changed since it was sent.
    type WireProduct: Serialize;
    /// What a customer is sent as.
    type WireCustomer: Serialize;

    /// Who the shop is.
    fn identity(&self) -> &Identity;
    /// What it can do.
    fn capabilities(&self) -> Capabilities;
    /// How many products or customers go in one call.
    fn upsert_batch(&self) -> usize;
    /// How many stock levels go in one call.
    fn stock_batch(&self) -> usize;
    /// Retries made so far by this shop's calls.
    fn retries(&self) -> u64;
    /// The counter of requests this shop's calls sent (each a round trip).
    fn request_counter(&self) -> std::sync::Arc<std::sync::atomic::AtomicU64>;

    /// A page of orders from an opaque cursor (none: from the start), each as sent.
    fn orders(&self, cursor: Option<&str>) -> impl Future<Output = Result<Page<serde_json::Value>, RunError>> + Send;
    /// One order of a page (or from the quarantine) decoded, or why it cannot be.
    fn decode_order(&self, raw: &serde_json::Value) -> Result<Order, Undecodable>;
    /// Tells the shop an order is in Warehouse Pro. Telling it twice is harmless.
    fn acknowledge(&self, ack: Ack) -> impl Future<Output = Result<(), RunError>> + Send;
    /// How many orders one [`Shop::acknowledge_many`] tells the shop of in one request (1: a
    /// request an order, as [`Shop::acknowledge`]).
    fn ack_batch(&self) -> usize {
        1
    }
    /// Tells the shop of several orders, each answered on its own, in the order given: one
    /// request for up to [`Shop::ack_batch`] of them where the shop takes a batch, else one each.
    fn acknowledge_many(&self, acks: Vec<Ack>) -> impl Future<Output = Vec<Result<(), RunError>>> + Send {
        let shop = self.clone();
        async move {
            let mut out = Vec::with_capacity(acks.len());
            for ack in acks {
                out.push(shop.acknowledge(ack).await);
            }
            out
        }
    }
    /// How long telling the shop about `n` orders takes at the least where its requests are
    /// paced (a limit of requests a minute): the core gives acknowledgements that time beyond
    /// its own budget for a shop that refuses them. None where the shop sets no pace.
    fn ack_time(&self, _n: usize) -> std::time::Duration {
        std::time::Duration::ZERO
    }
    /// Tells the shop an order was set aside, with why (a shop that has no place for it: nothing).
    fn set_aside(&self, order_id: &str, reason: &str) -> impl Future<Output = Result<(), RunError>> + Send;

    /// Every product of the shop.
    fn all_products(&self) -> impl Future<Output = Result<Vec<Product>, RunError>> + Send;
    /// A page of the products made or changed in the shop (not by obmen) since a cursor.
    fn products_changed(&self, cursor: Option<&str>) -> impl Future<Output = Result<Page<Product>, RunError>> + Send;
    /// A page of the customers made or changed in the shop since a cursor (with
    /// [`Capabilities::customers`]).
    fn customers_changed(&self, cursor: Option<&str>) -> impl Future<Output = Result<Page<Customer>, RunError>> + Send;

    /// A product in the shape it is sent in.
    fn wire_product(&self, product: &ExportProduct) -> Self::WireProduct;
    /// A customer in the shape it is sent in.
    fn wire_customer(&self, customer: &ExportCustomer) -> Self::WireCustomer;
    /// Adds or updates products; what the shop refused.
    fn upsert_products(&self, batch: &[ExportProduct]) -> impl Future<Output = Result<Vec<Refusal>, RunError>> + Send;
    /// Adds or updates customers; what the shop refused.
    fn upsert_customers(&self, batch: &[ExportCustomer]) -> impl Future<Output = Result<Vec<Refusal>, RunError>> + Send;
    /// Sets available quantities; what the shop refused (a SKU it does not have).
    fn set_stock(&self, batch: &[StockLevel]) -> impl Future<Output = Result<Vec<Refusal>, RunError>> + Send;
    /// True when the shop takes prices apart from the rest of a product, [`Shop::stock_batch`] at a
    /// time ([`Shop::set_prices`]): a product whose price alone changed then costs a share of one
    /// call, not a call of its own. A product is still added with its price.
    fn prices_apart(&self) -> bool {
        false
    }
    /// With [`Shop::prices_apart`]: sets the products' prices (their gross price, in the shop's
    /// currency); what the shop refused, by SKU.
    fn set_prices(&self, batch: &[ExportProduct]) -> impl Future<Output = Result<Vec<Refusal>, RunError>> + Send {
        let refused = batch.iter().map(|p| Refusal { key: p.sku.clone(), reason: Msg::ShopTakesNoPrices.get(crate::i18n::current()).to_owned() }).collect();
        async move { Ok(refused) }
    }

    /// The shop's connection tests (reachable, key accepted), each a green or red line.
    fn check(&self, lang: Lang) -> impl Future<Output = Vec<Check>> + Send;
}
