//! The server kind "WarehousePro Import Export BaseLinker": a Warehouse Pro database on one
//! side, a BaseLinker (Base.com) account on the other. An adapter over the Warehouse Pro core
//! ([`crate::kinds::warehouse_pro`]), speaking to BaseLinker with [`crate::baselinker`]'s client.
//!
//! Built so far: [`feed`], where the import stands and the next page of confirmed orders, and
//! [`order`], BaseLinker's orders read as the core's neutral orders. Not yet registered as a kind
//! (its settings, its `Shop` and its profile follow).

pub mod feed;
pub mod order;
