//! obmen: an exchange server manager in the shape of Microinvest Utility Center.
//!
//! A daemon runs named exchange *servers*, each of a typed *kind*; a server moves data between a
//! Warehouse Pro database and an online shop on the rules it is given.
//!
//! The map:
//! - [`cli`]: the command-line contract (clap definitions only).
//! - [`commands`]: what each command does, between the command line and the rooms below.
//! - [`config`]: the home, server files and kind profiles: load, validate (file and field in every
//!   error), change with `--set`, save atomically with mode 0600, show with secrets masked.
//! - [`control`]: the control API over the home's socket: its protocol (every body and answer),
//!   the server and the typed client.
//! - [`daemon`]: `obmen daemon` (engine, socket, file watch, log sweep, safe stop) and the systemd unit.
//! - [`engine`]: the supervisor: one task per running server, its rules, retries, stop, status.
//! - [`kinds`]: the Kind API and the run contract; `warehouse_pro`, the Warehouse Pro core every
//!   "WarehousePro Import Export X" shares behind its `Shop` trait; one adapter per kind.
//! - [`warehouse`]: Warehouse Pro over ODBC: dialects, nomenclature, documents, schema init.
//! - [`shopiko`]: the shop: its written contract, the signed client and the simulator.
//! - [`baselinker`]: BaseLinker's public API: the client (the token's shared limit) and the
//!   simulator.
//! - [`state`]: obmen's own state in SQLite (sqlx): runs, quarantine, fingerprints, links, cursors.
//! - [`logs`]: the log files (JSON lines per server and day, retention, a cap) and their reader.
//! - [`net`]: what every HTTPS client in the process shares (the crypto provider).
//! - [`secret`]: values that never print.
//! - [`tui`]: the terminal UI, a client of the daemon (state and reducer, render).
//! - [`exit`]: exit codes and the error type at the binary's edge.
//! - [`i18n`]: the one catalogue of obmen's own words, in English, Bulgarian and Polish.
//!
//! `docs/architecture.md` says what may call what, the run contract, and how a kind is added.

pub mod alerts;
pub mod baselinker;
pub mod cli;
pub mod commands;
pub mod config;
pub mod control;
pub mod daemon;
pub mod engine;
pub mod exit;
pub mod i18n;
pub mod kinds;
pub mod logs;
pub mod net;
pub mod secret;
pub mod shopiko;
pub mod simulator;
pub mod state;
pub mod tui;
pub mod warehouse;
pub mod why;
