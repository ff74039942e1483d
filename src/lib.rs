//! obmen: an exchange server manager in the shape of Microinvest Utility Center.
//!
//! A daemon runs named exchange *servers*, each of a typed *kind*; a server moves data between a
//! Warehouse Pro database and an online shop on the rules it is given.
//!
//! The map:
//! - [`cli`]: the command-line contract (clap) and what each command does.
//! - [`config`]: server files and kind profiles: load, validate, save atomically, mask secrets.
//! - [`warehouse`]: Warehouse Pro over ODBC (dialects, nomenclature, documents, schema init).
//! - [`secret`]: values that never print.
//! - [`exit`]: exit codes and the error type at the binary's edge.




pub mod secret;
pub mod warehouse;
