//! `obmen demo [--no-tui]`: a ready demo home. A SQLite Warehouse Pro database with Cyrillic
//! goods, partners and stock (made once), a key file, a Shopiko simulator in the background with
//! orders for those goods that places a new one every 20 seconds (its data kept in the home), the
//! server "Shopiko demo" that imports every minute and exports goods and stock every five, and the
//! daemon; then the UI. An existing demo home is reused as it is.

use std::path::Path;

use anyhow::anyhow;

use super::{out, runtime};
use crate::config::{Home, Lang};
use crate::control::Client;
use crate::exit::CliError;
use crate::i18n::Msg;
use crate::warehouse::{Dialect, Warehouse};

/// The demo server's name.
pub const SERVER: &str = "Shopiko demo";
const API_ID: &str = "3267435611954348033";

fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::failed(anyhow!("{e}"))
}

/// A file the demo could not write, named.
fn unwritable(file: &Path, e: std::io::Error) -> CliError {
    failed(Msg::CannotWrite.with(crate::i18n::current(), &[("file", &file.display()), ("error", &e)]))
}

/// The simulator's process, if one the demo started still runs.
fn sim_running(home: &Path) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(home.join("shopiko-sim.pid")).ok()?.trim().parse().ok()?;
    let cmdline = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).ok()?;
    cmdline.contains("shopiko-sim").then_some(pid)
}

pub(super) fn run(home: &Home, lang: Lang, no_tui: bool) -> Result<(), CliError> {
    home.ensure().map_err(|e| unwritable(&home.root, e))?;
    let root = &home.root;
    let db = root.join("warehouse.db");
    if !db.exists() {
        let mut wh = Warehouse::connect(&format!("Driver=SQLite3;Database={};", db.display()), Dialect::Sqlite).map_err(failed)?;
        wh.init(500).map_err(failed)?;
        wh.close().map_err(failed)?;
    }
    let key_file = root.join("shopiko.key");
    if !key_file.exists() {
        let key: String = (0..20).map(|_| format!("{:02x}", fastrand::u8(..))).collect();
        crate::config::write_atomic(&key_file, &format!("{key}\n")).map_err(|e| unwritable(&key_file, e))?;
    }
    // The simulator: on a port of its own, kept between demos in the home's shop.json.
    let port_file = root.join("shopiko-sim.port");
    let port: u16 = match (sim_running(root), std::fs::read_to_string(&port_file).ok().and_then(|p| p.trim().parse().ok())) {
        (Some(_), Some(port)) => port,
        _ => {
            let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(failed)?.port();
            let exe = std::env::current_exe().map_err(|e| failed(Msg::NoOwnPath.with(lang, &[("error", &e)])))?;
            let mut cmd = std::process::Command::new(exe);
            cmd.args([
                "shopiko-sim",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--api-id",
                API_ID,
                "--seed-orders",
                "20",
                "--seed-products",
                "100",
                "--new-order-every-secs",
                "20",
            ])
            .arg("--key-file")
            .arg(&key_file)
            .arg("--state")
            .arg(root.join("shop.json"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(root.join("shopiko-sim.log")).map_err(|e| unwritable(&root.join("shopiko-sim.log"), e))?);
            #[cfg(unix)]
            std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
            let child = cmd.spawn().map_err(|e| failed(Msg::CannotRunMore.with(lang, &[("what", &"shopiko-sim"), ("error", &e)])))?;
            let pid_file = root.join("shopiko-sim.pid");
            std::fs::write(&pid_file, child.id().to_string()).map_err(|e| unwritable(&pid_file, e))?;
            std::fs::write(&port_file, port.to_string()).map_err(|e| unwritable(&port_file, e))?;
            port
        }
    };
    let url = format!("http://127.0.0.1:{port}/api");
    let path = home.server_path(SERVER);
    let text = format!(
        "name = \"{SERVER}\"\nkind = \"WarehousePro Import Export Shopiko\"\ninterface = \"HTTP\"\nautostart = false\n\n\
         [database]\ndialect = \"sqlite\"\n# Relative to the home: a copied home is whole.\nconnection = \"Driver=SQLite3;Database=warehouse.db;\"\n\n\
         [rules]\nimport = \"periodic\"\nimport_every_min = 1\nexport = \"periodic\"\nexport_every_min = 5\nexport_goods = true\n\
         object = \"Централен Склад\"\nsync_nomenclature = true\n\n\
         [shopiko]\nurl = \"{url}\"\napi_id = \"{API_ID}\"\nkey_file = \"shopiko.key\"\n"
    );
    crate::config::validate::validate_text(&path, &text).map_err(CliError::config)?;
    crate::config::write_atomic(&path, &text).map_err(|e| unwritable(&path, e))?;
    let rt = runtime()?;
    let client = Client::new(&home.socket());
    rt.block_on(crate::tui::ensure_daemon(home, &client)).map_err(failed)?;
    let _ = rt.block_on(client.reload());
    drop(rt);
    out(&format!(
        "{}\n",
        Msg::DemoReady.with(
            lang,
            &[("home", &root.display()), ("db", &db.display()), ("url", &url), ("server", &SERVER), ("file", &path.display()), ("key", &key_file.display())]
        )
    ))?;
    if no_tui {
        return Ok(());
    }
    crate::tui::run(home, lang)
}
