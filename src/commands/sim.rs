//! `obmen shopiko-sim` and `obmen baselinker-sim`: a shop's simulator in the foreground until
//! Ctrl-C or SIGTERM.

use std::time::Duration;

use anyhow::anyhow;

use super::{out, runtime};
use crate::cli::SimArgs;
use crate::exit::CliError;
use crate::secret::Secret;
use crate::shopiko::sim::{Faults, Sim, SimConfig};

pub(super) fn run(args: SimArgs) -> Result<(), CliError> {
    let faults: Faults = args.faults.parse().map_err(|e: String| CliError::usage(anyhow!("--faults: {e}")))?;
    let key = match (&args.key, &args.key_file) {
        (Some(k), _) => k.trim().to_owned(),
        (None, Some(f)) => std::fs::read_to_string(f)
            .map_err(|e| CliError::usage(anyhow!("--key-file {}: {e}", f.display())))?
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned(),
        (None, None) => String::new(),
    };
    if key.is_empty() {
        return Err(CliError::usage(anyhow!("the key is empty: give --key-file FILE (or --key, or OBMEN_SIM_KEY)")));
    }
    let config = SimConfig {
        api_id: args.api_id.clone(),
        key: Secret::new(key),
        seed_orders: args.seed_orders,
        seed_products: args.seed_products,
        faults,
        state_file: args.state.clone(),
        timeout_delay: Duration::from_millis(args.timeout_delay_ms),
        seed: args.seed,
        clock_offset_secs: args.clock_offset_secs,
        ack_batch: !args.no_ack_batch,
        ..SimConfig::new("", "")
    };
    let rt = runtime()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.listen).await.map_err(|e| CliError::failed(anyhow!("cannot listen on {}: {e}", args.listen)))?;
        let addr = listener.local_addr().map_err(CliError::failed)?;
        let sim = Sim::new(config).map_err(|e| CliError::failed(anyhow!("cannot start the simulator: {e}")))?;
        let stats = sim.stats();
        let lang = crate::i18n::current();
        let kept = args.state.as_ref().map(|p| crate::i18n::Msg::SimKept.with(lang, &[("file", &p.display())])).unwrap_or_default();
        let banner = crate::i18n::Msg::SimBanner.with(
            lang,
            &[
                ("addr", &addr),
                ("api_id", &args.api_id),
                ("orders", &stats.orders_total),
                ("products", &stats.products),
                ("customers", &stats.customers),
                ("kept", &kept),
            ],
        );
        out(&format!("{banner}\n"))?;
        if args.new_order_every_secs > 0 {
            let (sim, every) = (sim.clone(), Duration::from_secs(args.new_order_every_secs));
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    sim.add_orders(1);
                }
            });
        }
        sim.serve(listener, shutdown_signal()).await.map_err(CliError::failed)
    })
}

/// `obmen baselinker-sim`.
pub(super) fn baselinker(args: crate::cli::BaseLinkerSimArgs) -> Result<(), CliError> {
    use crate::baselinker::sim::{Sim as BlSim, SimConfig as BlConfig};
    let mut server_errors = 0.0;
    for part in args.faults.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some(("5xx", v)) => {
                server_errors = v
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| (0.0..=1.0).contains(v))
                    .ok_or_else(|| CliError::usage(anyhow!("--faults: 5xx={v} is not a share from 0 to 1")))?
            }
            _ => return Err(CliError::usage(anyhow!("--faults: '{part}': the BaseLinker simulator knows 5xx=SHARE"))),
        }
    }
    if args.token.trim().is_empty() {
        return Err(CliError::usage(anyhow!("the token is empty: give --token (or OBMEN_SIM_TOKEN)")));
    }
    let config = BlConfig {
        token: args.token.trim().to_owned(),
        seed_orders: args.seed_orders,
        seed_unconfirmed: args.seed_unconfirmed,
        requests_per_minute: (args.requests_per_minute > 0).then_some(args.requests_per_minute),
        block: Duration::from_secs(args.block_secs),
        server_errors,
        journal: !args.no_journal,
        ..BlConfig::new("")
    };
    let rt = runtime()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.listen).await.map_err(|e| CliError::failed(anyhow!("cannot listen on {}: {e}", args.listen)))?;
        let addr = listener.local_addr().map_err(CliError::failed)?;
        let sim = BlSim::new(config);
        let stats = sim.stats();
        let banner = crate::i18n::Msg::BlSimBanner.with(crate::i18n::current(), &[("addr", &addr), ("orders", &stats.orders), ("confirmed", &stats.confirmed)]);
        out(&format!("{banner}\n"))?;
        sim.serve(listener, shutdown_signal()).await.map_err(CliError::failed)
    })
}

/// Ctrl-C, or SIGTERM on Unix.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
