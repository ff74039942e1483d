//! BaseLinker's orders as `getOrders` returns them, typed. The API is loose about types: the
//! same field comes as a number in one account and as text in another (`product_id`, flags such
//! as `payment_method_cod` "0"/"1", quantities), so every field here reads either, and a field
//! the documentation lists but an order leaves out reads as empty.

use serde::{Deserialize, Deserializer};

/// Text, from a JSON string or number (a number keeps the digits it was written with).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Text(s)),
            serde_json::Value::Number(n) => Ok(Text(n.to_string())),
            serde_json::Value::Null => Ok(Text(String::new())),
            serde_json::Value::Bool(b) => Ok(Text(if b { "1" } else { "0" }.to_owned())),
            other => Err(serde::de::Error::custom(format!("expected text or a number, found {other}"))),
        }
    }
}

impl Text {
    /// The text, trimmed.
    pub fn as_str(&self) -> &str {
        self.0.trim()
    }

    /// True for BaseLinker's "1" (or `true`); false for "0", empty or anything else.
    pub fn is_set(&self) -> bool {
        matches!(self.as_str(), "1" | "true")
    }
}

/// An order of `getOrders`.
#[derive(Debug, Clone, Deserialize)]
pub struct Order {
    /// BaseLinker's id of the order.
    pub order_id: Text,
    /// The id in the shop it came from, if any.
    #[serde(default)]
    pub shop_order_id: Text,
    /// The id at the marketplace it came from, if any.
    #[serde(default)]
    pub external_order_id: Text,
    /// Its status (`getOrderStatusList`).
    #[serde(default)]
    pub order_status_id: Text,
    /// When it was confirmed (Unix seconds).
    #[serde(default)]
    pub date_confirmed: Text,
    /// When it was made (Unix seconds).
    #[serde(default)]
    pub date_add: Text,
    /// The buyer's login at the marketplace.
    #[serde(default)]
    pub user_login: Text,
    /// Phone.
    #[serde(default)]
    pub phone: Text,
    /// E-mail.
    #[serde(default)]
    pub email: Text,
    /// The currency of every amount (ISO code).
    #[serde(default)]
    pub currency: Text,
    /// The payment method's name, as the account calls it.
    #[serde(default)]
    pub payment_method: Text,
    /// "1" for cash on delivery.
    #[serde(default)]
    pub payment_method_cod: Text,
    /// What has been paid.
    #[serde(default)]
    pub payment_done: Text,
    /// The delivery method's name.
    #[serde(default)]
    pub delivery_method: Text,
    /// The delivery's gross price.
    #[serde(default)]
    pub delivery_price: Text,
    /// Delivery: name.
    #[serde(default)]
    pub delivery_fullname: Text,
    /// Delivery: company.
    #[serde(default)]
    pub delivery_company: Text,
    /// Delivery: street.
    #[serde(default)]
    pub delivery_address: Text,
    /// Delivery: post code.
    #[serde(default)]
    pub delivery_postcode: Text,
    /// Delivery: city.
    #[serde(default)]
    pub delivery_city: Text,
    /// Invoice: name.
    #[serde(default)]
    pub invoice_fullname: Text,
    /// Invoice: company.
    #[serde(default)]
    pub invoice_company: Text,
    /// Invoice: the company's tax number (NIP in Poland, the VAT number elsewhere).
    #[serde(default)]
    pub invoice_nip: Text,
    /// Invoice: street.
    #[serde(default)]
    pub invoice_address: Text,
    /// Invoice: post code.
    #[serde(default)]
    pub invoice_postcode: Text,
    /// Invoice: city.
    #[serde(default)]
    pub invoice_city: Text,
    /// "1" when the buyer asked for an invoice.
    #[serde(default)]
    pub want_invoice: Text,
    /// The account's own extra fields, by id (`getOrderExtraFields`).
    #[serde(default)]
    pub custom_extra_fields: Option<serde_json::Value>,
    /// Its products.
    pub products: Vec<OrderProduct>,
}

/// True when BaseLinker says an order, as sent, is confirmed (`true`, 1, "1" or "true"): read
/// from the order before it is decoded, as paging reads it.
pub fn is_confirmed(order: &serde_json::Value) -> bool {
    match order.get("confirmed") {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::Number(n)) => n.as_i64() == Some(1),
        Some(serde_json::Value::String(s)) => matches!(s.trim(), "1" | "true"),
        _ => false,
    }
}

/// A whole number of an order, as sent, whether a JSON number or text (`order_id`,
/// `date_confirmed`, `order_status_id`): read before the order is decoded, as paging reads it.
pub fn whole_number(order: &serde_json::Value, key: &str) -> Option<i64> {
    order.get(key).and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())))
}

impl Order {
    /// The value of one of the account's extra fields, trimmed (empty: none).
    pub fn extra_field(&self, id: i64) -> String {
        let v = self.custom_extra_fields.as_ref().and_then(|m| m.get(id.to_string()));
        match v {
            Some(serde_json::Value::String(s)) => s.trim().to_owned(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    }
}

/// One product of an order.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderProduct {
    /// Where the product is kept: "db" for BaseLinker's catalogue, a shop's or a warehouse's
    /// key, or empty when the line is linked to nothing.
    #[serde(default)]
    pub storage: Text,
    /// The line's id within the order.
    #[serde(default)]
    pub order_product_id: Text,
    /// The catalogue product's id; empty or "0" when the line is linked to none.
    #[serde(default)]
    pub product_id: Text,
    /// The variant's id.
    #[serde(default)]
    pub variant_id: Text,
    /// The name, as the order shows it.
    #[serde(default)]
    pub name: Text,
    /// SKU.
    #[serde(default)]
    pub sku: Text,
    /// EAN.
    #[serde(default)]
    pub ean: Text,
    /// One unit's gross price.
    pub price_brutto: Text,
    /// VAT rate in percent.
    #[serde(default)]
    pub tax_rate: Text,
    /// Quantity.
    pub quantity: Text,
}

impl OrderProduct {
    /// True when the line names a product of a catalogue.
    pub fn is_linked(&self) -> bool {
        !self.storage.as_str().is_empty() && !matches!(self.product_id.as_str(), "" | "0")
    }
}
