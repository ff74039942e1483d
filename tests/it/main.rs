//! obmen's integration tests, as one test binary: real MariaDB and SQLite through ODBC, a real
//! Access file through MDBTools, and the `obmen` binary itself.

// Tests say what failed by unwrapping and panicking; only obmen itself may not.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::string_slice)]

#[macro_use]
mod support;

mod alerts;
mod baselinker;
mod compat;
mod config;
mod control_api;
mod crash;
mod daemon;
mod exchange;
mod harness;
mod hostile;
mod reliability;
mod run;
mod shopiko;
mod tui;
mod warehouse;
