//! What each command does: the thin layer between the command line and the library's rooms.
//! Output for people goes to stdout, problems to stderr; the exit code follows [`crate::exit`].

mod alerts;
mod audit;
mod check;
mod daemon;
mod demo;
mod kinds;
mod run;
mod server;
mod sim;
mod table;
mod warehouse;

use std::io::Write;

use crate::cli::{Cli, Command};
use crate::config::Home;
use crate::exit::CliError;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let home = Home::resolve(cli.home.clone()).map_err(CliError::failed)?;
    let lang = crate::i18n::resolve(cli.lang);
    crate::i18n::set_current(lang);
    let Some(command) = cli.command else { return crate::tui::run(&home, lang) };
    match command {
        Command::Server(cmd) => server::run(&home, lang, cmd),
        Command::Warehouse(cmd) => warehouse::run(cmd),
        Command::Check { name, json } => check::run(&home, lang, &name, json),
        Command::Why { name, order, json } => audit::why(&home, lang, &name, &order, json),
        Command::Audit { action: crate::cli::AuditAction::Provenance { name, since, json } } => audit::provenance(&home, lang, &name, since.as_deref(), json),
        Command::Alerts { action: crate::cli::AlertsAction::Test { json } } => alerts::test(&home, lang, json),
        Command::ShopikoSim(args) => sim::run(args),
        Command::BaselinkerSim(args) => sim::baselinker(args),
        Command::Run { name, import, export, dry_run, full, json } => run::run(&home, lang, &name, import, export, dry_run, full, json),
        Command::Quarantine { name, action } => run::quarantine(&home, lang, &name, action),
        Command::Kinds { action } => kinds::run(lang, action),
        Command::Repair { name, apply, json } => run::repair(&home, &name, apply, json),
        Command::Daemon => daemon::daemon(&home, lang),
        Command::Demo { no_tui } => demo::run(&home, lang, no_tui),
        Command::Start { name } => daemon::start_stop(&home, lang, &name, true),
        Command::Stop { name } => daemon::start_stop(&home, lang, &name, false),
        Command::Runs { name, limit, json } => daemon::runs(&home, lang, &name, limit, json),
        Command::Log(args) => daemon::log(&home, lang, args),
        Command::Service { action } => daemon::service(&home, lang, action),
    }
}

/// Writes to stdout; a closed pipe (`obmen server list | head -1`) is not an error.
pub(crate) fn out(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::failed(e)),
    }
}

/// A tokio runtime for a command that talks to the network.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| CliError::failed(anyhow::anyhow!("cannot start the async runtime: {e}")))
}
