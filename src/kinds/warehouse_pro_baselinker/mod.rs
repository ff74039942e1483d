//! The server kind "WarehousePro Import Export BaseLinker": a Warehouse Pro database on one
//! side, a BaseLinker (Base.com) account on the other. An adapter over the Warehouse Pro core
//! ([`crate::kinds::warehouse_pro`]), speaking to BaseLinker with [`crate::baselinker`]'s client.
//!
//! Built so far: [`feed`], where the import stands and the next page of confirmed orders;
//! [`order`], BaseLinker's orders read as the core's neutral orders; [`shop`], the account as the
//! core's `Shop` over ids already resolved ([`shop::Account`]). Not yet registered as a kind: its
//! settings (names resolved to those ids), its profile and its `Kind` entry follow.

pub mod feed;
pub mod order;
pub mod shop;

#[cfg(test)]
mod exchange_tests;
#[cfg(test)]
mod testing;
