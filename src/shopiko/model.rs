//! The shapes that cross the wire (docs/shopiko-api.md). Money and quantities stay decimal
//! strings here, exactly as the shop sent them; the exchange parses them and sets aside an order
//! whose amount is not a number.

use serde::{Deserialize, Serialize};

/// A page of a listing: the items, the cursor to continue from, and whether there is more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items (under the listing's own name on the wire: see the `*Page` aliases).
    #[serde(alias = "orders", alias = "products", alias = "customers")]
    pub items: Vec<T>,
    /// The cursor to ask for the next page with.
    pub next_cursor: Option<String>,
    /// True when another page follows.
    pub has_more: bool,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    /// Who receives there.
    pub name: String,
    /// Street and number.
    pub line1: String,
    /// More of the address.
    pub line2: String,
    /// City.
    pub city: String,
    /// Postal code.
    pub postcode: String,
    /// ISO country code, e.g. "BG".
    pub country: String,
}

/// Whether a customer is a company, a registered person, or a guest without an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerType {
    /// A company: name, VAT and company numbers are set.
    Company,
    /// A registered private person.
    Person,
    /// Bought without an account.
    Guest,
}

/// A shop customer, as part of an order or in the customer listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    /// Company, person or guest.
    #[serde(rename = "type")]
    pub kind: CustomerType,
    /// The shop's customer id; none for guests.
    #[serde(default)]
    pub id: Option<String>,
    /// The Warehouse Pro partner code, where the customer came from Warehouse Pro.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// Phone.
    #[serde(default)]
    pub phone: String,
    /// First name (the contact person of a company).
    #[serde(default)]
    pub first_name: String,
    /// Last name.
    #[serde(default)]
    pub last_name: String,
    /// Company name.
    #[serde(default)]
    pub company_name: String,
    /// VAT number.
    #[serde(default)]
    pub vat_number: String,
    /// Company number (EIK / Bulstat).
    #[serde(default)]
    pub company_number: String,
    /// Billing address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    /// Delivery address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_address: Option<Address>,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    /// The line's id within the order.
    pub line_id: String,
    /// The product's SKU (the Warehouse Pro good's code, when linked by code).
    pub sku: String,
    /// The product's name as the shop shows it.
    pub name: String,
    /// Quantity, decimal string.
    pub quantity: String,
    /// Price of one unit with VAT, before the line's discount, decimal string.
    pub unit_price: String,
    /// Product discount on this line in percent (0-100), decimal string.
    #[serde(default = "zero")]
    pub discount_percent: String,
    /// The shop's VAT rate for the line, decimal string.
    #[serde(default = "zero")]
    pub vat_percent: String,
}

fn zero() -> String {
    "0".to_owned()
}

/// What kind of order-level discount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscountKind {
    /// A gift or credit voucher.
    Voucher,
    /// A promotional code.
    PromoCode,
}

/// An order-level discount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discount {
    /// Voucher or promo code.
    pub kind: DiscountKind,
    /// The code the customer entered.
    pub code: String,
    /// Amount with VAT taken off the order, decimal string.
    pub amount: String,
    /// The shop's description.
    #[serde(default)]
    pub description: String,
}

/// Delivery of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shipping {
    /// The shop's name for the method.
    pub method: String,
    /// Price with VAT, decimal string.
    pub price: String,
    /// VAT rate of the shipping, decimal string.
    #[serde(default = "zero")]
    pub vat_percent: String,
}

/// How an order is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Cash paid to the courier.
    CashOnDelivery,
    /// Card.
    Card,
    /// Bank transfer.
    BankTransfer,
    /// Paid with a voucher.
    Voucher,
}

/// Payment of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    /// The method.
    pub method: PaymentMethod,
    /// True when the money has arrived.
    pub paid: bool,
    /// What has been paid, decimal string.
    #[serde(default = "zero")]
    pub paid_amount: String,
    /// The payment's reference.
    #[serde(default)]
    pub transaction_id: String,
}

/// The order's totals, all with VAT.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Sum of the lines after their discounts.
    pub lines: String,
    /// Sum of the order-level discounts.
    pub discounts: String,
    /// Shipping.
    pub shipping: String,
    /// What the customer pays.
    pub total: String,
}

/// That an order is in Warehouse Pro, and as which document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Acknowledgement {
    /// The Warehouse Pro document number.
    pub document_number: String,
    /// "sale" or "sales_order".
    pub document_type: String,
    /// When the shop was told (RFC 3339), set by the shop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// A shop order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// The shop's order id.
    pub id: String,
    /// The number the customer sees.
    pub number: String,
    /// When it was placed (RFC 3339, UTC).
    pub created_at: String,
    /// ISO currency code.
    pub currency: String,
    /// Who ordered.
    pub customer: Customer,
    /// The lines.
    pub lines: Vec<OrderLine>,
    /// Vouchers and promo codes.
    #[serde(default)]
    pub discounts: Vec<Discount>,
    /// Delivery, if any.
    #[serde(default)]
    pub shipping: Option<Shipping>,
    /// Payment.
    pub payment: Payment,
    /// Totals.
    pub totals: Totals,
    /// Set once the order is acknowledged.
    #[serde(default)]
    pub acknowledged: Option<Acknowledgement>,
}

/// A shop product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// The key: the Warehouse Pro good's code when it came from there.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Barcodes.
    #[serde(default)]
    pub barcodes: Vec<String>,
    /// Measure.
    #[serde(default)]
    pub measure: String,
    /// Price with VAT, decimal string.
    pub price: String,
    /// VAT rate, decimal string.
    #[serde(default = "zero")]
    pub vat_percent: String,
    /// Shown in the shop.
    #[serde(default = "yes")]
    pub active: bool,
    /// Last change (RFC 3339), set by the shop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

fn yes() -> bool {
    true
}

/// One stock level to set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockLevel {
    /// The product.
    pub sku: String,
    /// Available quantity, decimal string.
    pub quantity: String,
}

/// One item a batch upsert could not take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemError {
    /// The item's key (SKU, external id or e-mail).
    #[serde(alias = "sku")]
    pub key: String,
    /// Why.
    pub message: String,
}

/// The answer to a batch upsert.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UpsertResult {
    /// New items.
    pub created: u64,
    /// Changed items.
    pub updated: u64,
    /// Items sent that were already so.
    pub unchanged: u64,
    /// Items refused.
    #[serde(default)]
    pub errors: Vec<ItemError>,
}

impl UpsertResult {
    /// Adds another batch's counts.
    pub fn add(&mut self, other: UpsertResult) {
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.errors.extend(other.errors);
    }
}

/// The answer to a stock batch.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StockResult {
    /// Levels set.
    pub updated: u64,
    /// SKUs the shop does not have.
    #[serde(default)]
    pub unknown_skus: Vec<String>,
}

/// The answer to an acknowledgement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AckResult {
    /// Always true on success.
    pub acknowledged: bool,
    /// False when the order already had this document number.
    pub first_time: bool,
}

/// One acknowledgement of a batch (`POST /v1/acknowledgements/batch`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchAck {
    /// The order.
    pub order_id: String,
    /// The document it became.
    pub document_number: String,
    /// What kind of document (`sale`, `sales_order`).
    pub document_type: String,
}

/// What the shop answered for one order of a batch acknowledgement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchAckResult {
    /// The order.
    pub order_id: String,
    /// True when the shop holds the acknowledgement (now or from before, with the same number).
    pub acknowledged: bool,
    /// False when the order already had this document number.
    #[serde(default)]
    pub first_time: bool,
    /// Why not, where it was not: the error the one-order call would have answered.
    #[serde(default)]
    pub error: Option<ApiError>,
}

/// An error as the shop words it (`{"code", "message"}`), with its HTTP status where it stands
/// alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    /// The status the one-order call would have answered.
    #[serde(default)]
    pub status: u16,
    /// The shop's code (`already_acknowledged`, `not_found`, `invalid`).
    pub code: String,
    /// The shop's words.
    pub message: String,
}

/// The answer to a ping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ping {
    /// The shop's name.
    pub shop: String,
    /// The API version.
    pub api_version: u32,
    /// The shop's clock (seconds since 1970 UTC).
    pub server_time: i64,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong, as the shop says it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// A stable code, e.g. "bad_signature".
    pub code: String,
    /// The shop's words.
    pub message: String,
    /// The shop's clock, for clock-skew errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_time: Option<i64>,
}

/// The simulator's counters (`GET /_sim/stats`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SimStats {
    /// Orders placed.
    pub orders_total: u64,
    /// Orders acknowledged.
    pub orders_acknowledged: u64,
    /// Products.
    pub products: u64,
    /// Customers.
    pub customers: u64,
    /// Sum of all stock levels.
    pub stock_total: f64,
    /// Responses by HTTP status.
    pub requests_by_status: std::collections::BTreeMap<String, u64>,
}
