//! Warehouse Pro's fixed IDs and words that obmen writes with, named once (beside
//! [`super::OperType`], [`super::GoodFlags`] and [`super::PaymentType`]): a database made by
//! Warehouse Pro has these rows from its first start (`warehouse::schema`'s seed rows too).

/// The user documents are booked as (users.ID 1, the first operator).
pub const FIRST_USER: i32 = 1;
/// The root group of goods and partners (GroupID 1).
pub const ROOT_GROUP: i32 = 1;
/// The first VAT group, the one a good without a known rate falls back to.
pub const FIRST_VAT_GROUP: i32 = 1;
/// Partners' and objects' price group "retail" (PriceGroup 1; 0 is wholesale, 2..9 groups 1..8).
pub const RETAIL_PRICE_GROUP: i32 = 1;
/// The measure of a good sold by the piece.
pub const MEASURE_PIECE: &str = "бр.";
