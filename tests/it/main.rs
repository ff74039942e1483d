//! obmen's integration tests, as one test binary: real MariaDB and SQLite through ODBC, a real
//! Access file through MDBTools, and the `obmen` binary itself.

#[macro_use]
mod support;

mod config;
mod crash;
mod exchange;
mod hostile;
mod run;
mod shopiko;
mod warehouse;
