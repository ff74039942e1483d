//! The `obmen` binary: parses the command line, sets up the log on stderr, and runs the command.
//! Errors are printed with their chain of causes; the exit code follows `obmen::exit`.

use std::process::ExitCode;

use clap::Parser;
use obmen::cli::Cli;
use obmen::config::ConfigErrors;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A run's own account (what it imported, set aside, and why it failed) is its summary on
    // stdout and one error line: the kinds' log lines, meant for the daemon's log files, would
    // say it all again on stderr, so they show only with -v.
    let level = match cli.verbose {
        0 => "warn,obmen::kinds=off",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("OBMEN_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    // Colour only on a terminal, and never with NO_COLOR: log files and pipes get plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).with_ansi(colour).init();

    let lang = obmen::i18n::resolve(cli.lang);
    obmen::i18n::set_current(lang);
    match obmen::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A configuration error lists every problem, one line each, after its context.
            let mut context: Vec<String> = Vec::new();
            let mut problems: Option<&ConfigErrors> = None;
            for cause in e.error.chain() {
                if let Some(list) = cause.downcast_ref::<ConfigErrors>() {
                    problems = Some(list);
                    break;
                }
                context.push(cause.to_string());
            }
            if !context.is_empty() {
                eprintln!("{}{}", obmen::i18n::Msg::ErrorPrefix.get(lang), context.join(": "));
            }
            if let Some(list) = problems {
                for p in &list.0 {
                    eprintln!("obmen: {p}");
                }
            }
            e.exit_code()
        }
    }
}
