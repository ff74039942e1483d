//! Warehouse Pro over ODBC: the one room that knows Warehouse Pro's tables.
//!
//! - [`dialect`]: what differs between Access, MySQL, MSSQL and SQLite in SQL text.
//! - [`schema`]: the 3.07 schema as data (DDL, text limits, seed rows).
//! - [`db`]: a connection, statements, rows, transactions and errors.
//! - [`objects`], [`goods`], [`partners`]: finding and creating nomenclature.
//! - [`document`]: numbering (Acct + nextacct), lines, store moves and payments in one transaction.
//! - [`init`], [`demo`]: `obmen warehouse init` and its deterministic demo data.
//!
//! Nothing here knows about shops, servers or the TUI.

pub mod db;
pub mod demo;
pub mod dialect;
pub mod document;
pub mod goods;
pub mod init;
pub mod objects;
pub mod partners;
pub mod schema;

pub use db::{Params, Warehouse, WarehouseError};
pub use dialect::{Dialect, Table};
pub use document::{NewDocument, NewLine, Numbering, OperType, Paid, WrittenDocument};
pub use goods::{Good, GoodStock, NewGood};
pub use objects::Object;
pub use partners::{Partner, PartnerKind};

/// ID 1 in goods, partners, objects and users is Warehouse Pro's reserved service record.
pub const SERVICE_ID: i32 = 1;
