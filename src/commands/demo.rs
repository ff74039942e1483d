//! `obmen demo [--no-tui]`: a ready demo home. A SQLite Warehouse Pro database with Cyrillic
//! goods, partners and stock (made once), a key file, a Shopiko simulator in the background with
//! orders for those goods that places a new one every 20 seconds (its data kept in the home), the
//! server "Shopiko demo" that imports every minute and exports goods and stock every five; beside
//! it a BaseLinker simulator (its token in a file of the home) and the server "BaseLinker demo"
//! on the same database; and the daemon; then the UI. An existing demo home is reused as it is.

use std::path::Path;

use anyhow::anyhow;

use super::{out, runtime};
use crate::config::{Home, Lang};
use crate::control::Client;
use crate::exit::CliError;
use crate::i18n::Msg;
use crate::warehouse::{Dialect, Warehouse};

/// The demo's Shopiko server's name.
pub const SERVER: &str = "Shopiko demo";
/// The demo's BaseLinker server's name.
pub const BL_SERVER: &str = "BaseLinker demo";
const API_ID: &str = "3267435611954348033";

fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::failed(anyhow!("{e}"))
}

/// A file the demo could not write, named.
fn unwritable(file: &Path, e: std::io::Error) -> CliError {
    failed(Msg::CannotWrite.with(crate::i18n::current(), &[("file", &file.display()), ("error", &e)]))
}

/// The simulator's process, if one the demo started still runs (`NAME.pid` in the home, a
/// process whose command line names it).
fn sim_running(home: &Path, name: &str) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(home.join(format!("{name}.pid"))).ok()?.trim().parse().ok()?;
    let cmdline = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).ok()?;
    cmdline.contains(name).then_some(pid)
}

/// The port of the demo's simulator `name` (`obmen NAME --listen ... ARGS`): the one running, or
/// one started in the background on a free port, its pid and port kept in the home
/// (`NAME.pid`, `NAME.port`) for the next demo and for `make clean-demo`.
fn background_sim(root: &Path, lang: Lang, name: &str, args: &[std::ffi::OsString], env: &[(&str, String)]) -> Result<u16, CliError> {
    let port_file = root.join(format!("{name}.port"));
    if let (Some(_), Some(port)) = (sim_running(root, name), std::fs::read_to_string(&port_file).ok().and_then(|p| p.trim().parse().ok())) {
        return Ok(port);
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(failed)?.port();
    let exe = std::env::current_exe().map_err(|e| failed(Msg::NoOwnPath.with(lang, &[("error", &e)])))?;
    let log = root.join(format!("{name}.log"));
    let mut cmd = std::process::Command::new(exe);
    cmd.args([name, "--listen", &format!("127.0.0.1:{port}")])
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).map_err(|e| unwritable(&log, e))?);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let child = cmd.spawn().map_err(|e| failed(Msg::CannotRunMore.with(lang, &[("what", &name), ("error", &e)])))?;
    let pid_file = root.join(format!("{name}.pid"));
    std::fs::write(&pid_file, child.id().to_string()).map_err(|e| unwritable(&pid_file, e))?;
    std::fs::write(&port_file, port.to_string()).map_err(|e| unwritable(&port_file, e))?;
    Ok(port)
}

/// A secret of the demo in a file of the home (0600), made once: its value.
fn demo_secret(file: &Path) -> Result<String, CliError> {
    if !file.exists() {
        let key: String = (0..20).map(|_| format!("{:02x}", fastrand::u8(..))).collect();
        crate::config::write_atomic(file, &format!("{key}\n")).map_err(|e| unwritable(file, e))?;
    }
    Ok(std::fs::read_to_string(file).map_err(failed)?.trim().to_owned())
}

/// Writes a demo server's file, checked as any server file is.
fn write_server(home: &Home, name: &str, text: &str) -> Result<std::path::PathBuf, CliError> {
    let path = home.server_path(name);
    crate::config::validate::validate_text(&path, text).map_err(CliError::config)?;
    crate::config::write_atomic(&path, text).map_err(|e| unwritable(&path, e))?;
    Ok(path)
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
    demo_secret(&key_file)?;
    let os = |v: &[&str]| v.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
    let mut args = os(&["--api-id", API_ID, "--seed-orders", "20", "--seed-products", "100", "--new-order-every-secs", "20", "--key-file"]);
    args.extend([key_file.clone().into_os_string(), "--state".into(), root.join("shop.json").into_os_string()]);
    let port = background_sim(root, lang, "shopiko-sim", &args, &[])?;
    let url = format!("http://127.0.0.1:{port}/api");
    let text = format!(
        "name = \"{SERVER}\"\nkind = \"WarehousePro Import Export Shopiko\"\ninterface = \"HTTP\"\nautostart = false\n\n\
         [database]\ndialect = \"sqlite\"\n# Relative to the home: a copied home is whole.\nconnection = \"Driver=SQLite3;Database=warehouse.db;\"\n\n\
         [rules]\nimport = \"periodic\"\nimport_every_min = 1\nexport = \"periodic\"\nexport_every_min = 5\nexport_goods = true\n\
         object = \"Централен Склад\"\nsync_nomenclature = true\n\n\
         [shopiko]\nurl = \"{url}\"\napi_id = \"{API_ID}\"\nkey_file = \"shopiko.key\"\n"
    );
    let path = write_server(home, SERVER, &text)?;
    // The BaseLinker account beside the shop: its confirmed orders (in PLN, EUR and BGN: the PLN
    // ones are set aside, the database having no PLN) into the same database, goods and stock to
    // its catalogue.
    let token_file = root.join("baselinker.token");
    let token = demo_secret(&token_file)?;
    let bl_args = os(&["--seed-orders", "20", "--seed-unconfirmed", "3"]);
    let bl_port = background_sim(root, lang, "baselinker-sim", &bl_args, &[("OBMEN_SIM_TOKEN", token)])?;
    let bl_text = format!(
        "name = \"{BL_SERVER}\"\nkind = \"WarehousePro Import Export BaseLinker\"\nautostart = false\n\n\
         [database]\ndialect = \"sqlite\"\nconnection = \"Driver=SQLite3;Database=warehouse.db;\"\n\n\
         [rules]\nimport = \"periodic\"\nimport_every_min = 1\nexport = \"periodic\"\nexport_every_min = 5\nexport_goods = true\n\
         object = \"Централен Склад\"\nallow_negative_stock = true\nimport_statuses = \"Nowe zamówienia\"\n\
         status_after_import = \"Wprowadzono do magazynu\"\nstatus_on_error = \"Błąd importu\"\ndocument_field = \"Numer dokumentu Warehouse Pro\"\n\n\
         [baselinker]\nurl = \"http://127.0.0.1:{bl_port}/connector.php\"\ntoken_file = \"baselinker.token\"\nprice_group = \"Detal EUR\"\n"
    );
    write_server(home, BL_SERVER, &bl_text)?;
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
    out(&format!(
        "{}\n",
        Msg::DemoReadyBaseLinker
            .with(lang, &[("server", &BL_SERVER), ("url", &format!("http://127.0.0.1:{bl_port}/connector.php")), ("token", &token_file.display())])
    ))?;
    if no_tui {
        return Ok(());
    }
    crate::tui::run(home, lang)
}
