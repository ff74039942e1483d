//! `obmen server list|show|new|edit|delete|validate|choices`.

use std::path::Path;

use anyhow::anyhow;
use serde_json::json;

use crate::control::protocol::{Counters, ServerEntry, ServerState};

use super::out;
use crate::cli::{Changes, ServerCommand};
use crate::config::edit::{self, Change};
use crate::config::{check_name, profile, validate, view, write_atomic, ConfigError, ConfigErrors, Home, Lang, ServerFile};
use crate::exit::CliError;
use crate::i18n::Msg;

pub(super) fn run(home: &Home, lang: Lang, cmd: ServerCommand) -> Result<(), CliError> {
    match cmd {
        ServerCommand::List { json } => list(home, lang, json),
        ServerCommand::Show { name, json } => {
            let server = load(home, &name)?;
            if json {
                out(&format!("{}\n", serde_json::to_string_pretty(&view::render_json(&server)).map_err(CliError::failed)?))
            } else {
                out(&view::render_text(&server, lang))
            }
        }
        // A daemon that runs for the home applies the change to that server alone at once.
        ServerCommand::New { name, kind, changes } => new(home, &name, &kind, &changes).inspect(|()| tell_daemon(home)),
        ServerCommand::Edit { name, changes } => edit(home, &name, &changes).inspect(|()| tell_daemon(home)),
        ServerCommand::Delete { name } => delete(home, &name).inspect(|()| tell_daemon(home)),
        ServerCommand::Validate { name, json } => validate_servers(home, name.as_deref(), json),
        ServerCommand::Choices { name, key, json } => choices(home, &name, &key, json),
    }
}

/// The choices of a setting that the server's account holds, read through the server as a UI
/// reads them: each value as the file writes it, and its name.
fn choices(home: &Home, name: &str, key: &str, json: bool) -> Result<(), CliError> {
    let file = load(home, name)?;
    let Some(source) = file.profile.property(key).and_then(|p| p.choices_from.clone()) else {
        return Err(CliError::usage(anyhow!("{}", Msg::NoChoicesFrom.with(crate::i18n::current(), &[("key", &key), ("server", &name)]))));
    };
    let server = crate::kinds::Server::load(&file).map_err(CliError::config)?;
    let found = super::runtime()?.block_on(server.choices(&source)).map_err(|e| match e {
        crate::kinds::RunError::Config(errors) => CliError::config(errors),
        other => CliError::failed(anyhow!("{other}")),
    })?;
    if json {
        return out(&format!("{}\n", serde_json::to_string_pretty(&found).map_err(CliError::failed)?));
    }
    let width = found.iter().map(|c| c.value.chars().count()).max().unwrap_or(0);
    out(&found.iter().map(|c| format!("{:width$}  {}\n", c.value, c.label)).collect::<String>())
}

/// Loads a server by name: a missing one is a failure (exit 1), an invalid one a configuration
/// error (exit 78).
pub(super) fn load(home: &Home, name: &str) -> Result<ServerFile, CliError> {
    let path = home.server_path(name);
    if !present(&path) {
        return Err(no_such_server(home, name));
    }
    ServerFile::load(&path).map_err(CliError::config)
}

/// True when a server's file is there: a file, or a link whose file is gone, which is a server
/// file that cannot be read (exit 78, naming it and the link), not a server that is not there.
fn present(path: &std::path::Path) -> bool {
    path.exists() || path.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink())
}

fn no_such_server(home: &Home, name: &str) -> CliError {
    CliError::failed(anyhow!("there is no server named '{name}' in {}: `obmen server list` shows the servers there", home.servers_dir().display()))
}

/// What the daemon says of each server (None without a daemon), and each server's counters
/// from the state database (where it exists).
fn live(home: &Home, names: &[String]) -> (Option<Vec<ServerEntry>>, Vec<Option<Counters>>) {
    let Ok(rt) = super::runtime() else { return (None, Vec::new()) };
    rt.block_on(async {
        let client = crate::control::Client::new(&home.socket());
        let statuses = if home.socket().exists() { client.servers().await.ok() } else { None };
        // The daemon's answer holds the counters of the servers it holds: state.db is read only
        // for the others (no daemon, or a file it could not load).
        let from_daemon = |n: &str| statuses.as_ref()?.iter().find(|s| s.status.name == n).and_then(|s| s.counters.clone());
        let mut counters: Vec<Option<Counters>> = names.iter().map(|n| from_daemon(n)).collect();
        if counters.iter().any(Option::is_none) && home.state_db().exists() {
            if let Ok(state) = crate::state::State::open(&home.state_db()).await {
                for (n, c) in names.iter().zip(counters.iter_mut()).filter(|(_, c)| c.is_none()) {
                    *c = state.counters(n).await.ok();
                }
            }
        }
        (statuses, counters)
    })
}

fn last_run(c: Option<&Counters>) -> String {
    let shown = |t: &chrono::DateTime<chrono::Utc>| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string();
    match (c.and_then(|c| c.last_success.as_ref()), c.and_then(|c| c.last_failure.as_ref())) {
        (Some(s), Some(f)) if f > s => format!("{} ✗", shown(f)),
        (Some(s), _) => format!("{} ✓", shown(s)),
        (None, Some(f)) => format!("{} ✗", shown(f)),
        (None, None) => "-".into(),
    }
}

fn list(home: &Home, lang: Lang, as_json: bool) -> Result<(), CliError> {
    let names = home.server_names().map_err(|e| CliError::failed(anyhow!("cannot read {}: {e}", home.servers_dir().display())))?;
    let rows: Vec<(String, Result<ServerFile, ConfigErrors>)> = names
        .iter()
        .map(|n| {
            let r = ServerFile::load(&home.server_path(n));
            (n.clone(), r)
        })
        .collect();
    let (statuses, mut counters) = live(home, &names);
    counters.resize(rows.len(), None);
    // None: no daemon answers; a server the daemon does not hold is stopped.
    let state_of = |name: &str| -> Option<ServerState> {
        let list = statuses.as_ref()?;
        Some(list.iter().find(|s| s.status.name == name).map(|s| s.status.state.clone()).unwrap_or(ServerState::Stopped))
    };
    if as_json {
        let items: Vec<_> = rows
            .iter()
            .zip(&counters)
            .map(|((name, r), c)| {
                let status = match &statuses {
                    None => json!({ "state": "no_daemon" }),
                    Some(list) => match list.iter().find(|s| s.status.name == *name) {
                        Some(s) => {
                            let mut v = serde_json::to_value(&s.status).unwrap_or_default();
                            if let Some(m) = v.as_object_mut() {
                                for k in ["name", "kind", "autostart"] {
                                    m.remove(k);
                                }
                            }
                            v
                        }
                        None => json!({ "state": "stopped" }),
                    },
                };
                let c = serde_json::to_value(c).unwrap_or_default();
                match r {
                    Ok(s) => json!({ "name": name, "kind": s.profile.kind, "autostart": s.autostart, "file": s.path, "valid": true, "status": status, "counters": c }),
                    Err(e) => json!({ "name": name, "file": home.server_path(name), "valid": false, "errors": e.0.iter().map(|x| x.to_string()).collect::<Vec<_>>(), "status": status, "counters": c }),
                }
            })
            .collect();
        return out(&format!("{}\n", serde_json::to_string_pretty(&items).map_err(CliError::failed)?));
    }
    if rows.is_empty() {
        let kind = profile::kind_names().first().copied().unwrap_or_default();
        return out(&format!("{}\n", Msg::NoServers.with(lang, &[("dir", &home.servers_dir().display()), ("kind", &kind)])));
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .zip(&counters)
        .map(|((name, r), c)| {
            let status = state_of(name);
            let state = crate::control::status::state_word(status.as_ref(), lang);
            let detail = crate::control::status::detail(status.as_ref(), lang, 60);
            let imported = c.as_ref().map(|c| c.imported.to_string()).unwrap_or_else(|| "-".into());
            let c = c.as_ref();
            match r {
                Ok(s) => vec![
                    name.clone(),
                    s.profile.kind.to_owned(),
                    if s.autostart { Msg::Yes } else { Msg::No }.get(lang).to_owned(),
                    Msg::Ok.get(lang).to_owned(),
                    state,
                    detail,
                    last_run(c),
                    imported,
                ],
                Err(e) => vec![
                    name.clone(),
                    "?".to_owned(),
                    "?".to_owned(),
                    Msg::Invalid.with(lang, &[("count", &e.0.len()), ("server", name)]),
                    state,
                    detail,
                    last_run(c),
                    imported,
                ],
            }
        })
        .collect();
    let headers = [Msg::Name, Msg::Kind, Msg::Autostart, Msg::Config, Msg::ColState, Msg::ColDetail, Msg::ColLastRun, Msg::ColImported].map(|m| m.get(lang));
    out(&super::table::render(&headers, &cells))
}

/// Tells a daemon that runs for this home that server files changed (nothing without one).
pub(super) fn tell_daemon(home: &Home) {
    if !home.socket().exists() {
        return;
    }
    if let Ok(rt) = super::runtime() {
        let _ = rt.block_on(crate::control::Client::new(&home.socket()).reload());
    }
}

fn changes_of(c: &Changes) -> Result<Vec<Change>, CliError> {
    let mut changes = Vec::new();
    for s in &c.set {
        let (k, v) = edit::parse_set(s).map_err(|m| CliError::usage(anyhow!(m)))?;
        changes.push(Change::Set(k, v));
    }
    changes.extend(c.unset.iter().map(|k| Change::Unset(k.trim().to_owned())));
    Ok(changes)
}

/// Change errors (each with its key) as configuration errors of the file.
fn field_errors(path: &Path, errors: Vec<(String, String)>) -> CliError {
    CliError::config(ConfigErrors(errors.into_iter().map(|(field, msg)| ConfigError::field(path, field, msg)).collect()))
}

fn new(home: &Home, name: &str, kind: &str, changes: &Changes) -> Result<(), CliError> {
    let lang = crate::i18n::current();
    let path = home.server_path(name);
    check_name(name).map_err(|m| CliError::config(ConfigErrors::from(ConfigError::field(&path, "name", m))))?;
    let Some(profile) = profile::find(kind) else {
        let known = profile::kind_names().iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ");
        return Err(CliError::config(ConfigErrors::from(ConfigError::field(
            &path,
            "kind",
            format!("'{kind}' is not a kind obmen knows: use one of {known} (`obmen kinds` lists them)"),
        ))));
    };
    if path.exists() {
        return Err(CliError::failed(anyhow!("{}", Msg::ServerExists.with(lang, &[("server", &name), ("file", &path.display())]))));
    }
    let changes = changes_of(changes)?;
    let text = edit::new_server_text(profile, name, &changes)
        .map_err(|e| field_errors(&path, e))
        .and_then(|text| validate::validate_text(&path, &text).map(|_| text).map_err(CliError::config))
        .map_err(|mut e| {
            e.error = e.error.context(Msg::NotSavedNew.with(lang, &[("server", &name), ("kind", &profile.id)]));
            e
        })?;
    home.ensure().map_err(|e| CliError::failed(anyhow!("cannot make {}: {e}", home.root.display())))?;
    write_atomic(&path, &text).map_err(|e| CliError::failed(anyhow!("cannot write {}: {e}", path.display())))?;
    out(&format!("{}\n", Msg::MadeServer.with(lang, &[("server", &name), ("kind", &profile.kind), ("file", &path.display())])))
}

fn edit(home: &Home, name: &str, changes: &Changes) -> Result<(), CliError> {
    let lang = crate::i18n::current();
    let path = home.server_path(name);
    let original = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && present(&path) => {
            return Err(load(home, name).err().unwrap_or_else(|| no_such_server(home, name)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(no_such_server(home, name)),
        Err(e) => return Err(CliError::failed(anyhow!("cannot read {}: {e}", path.display()))),
    };
    let changes = changes_of(changes)?;
    let text = if changes.is_empty() {
        edit_in_editor(home, &path, &original)?
    } else {
        // The kind decides what the keys mean: read it from the file, even if the file is invalid.
        let kind = toml::from_str::<toml::Table>(&original).ok().and_then(|t| t.get("kind").and_then(|k| k.as_str()).map(str::to_owned)).unwrap_or_default();
        let profile = profile::find(&kind).ok_or_else(|| {
            CliError::config(ConfigErrors::from(ConfigError::field(&path, "kind", format!("'{kind}' is not a kind obmen knows; fix the file by hand"))))
        })?;
        edit::apply(profile, &original, &changes)
            .map_err(|e| field_errors(&path, e))
            .and_then(|text| validate::validate_text(&path, &text).map(|_| text).map_err(CliError::config))
            .map_err(|mut e| {
                e.error = e.error.context(format!("server '{name}' was not changed"));
                e
            })?
    };
    if text == original {
        return out(&format!("{}\n", Msg::NoChanges.get(lang)));
    }
    write_atomic(&path, &text).map_err(|e| CliError::failed(anyhow!("cannot write {}: {e}", path.display())))?;
    out(&format!("{}\n", Msg::SavedServer.with(lang, &[("server", &name), ("file", &path.display())])))
}

/// Opens a copy of the file in $VISUAL or $EDITOR (run by the shell, so that `code --wait` or a
/// quoted path works), else in the first of nano, vi (notepad on Windows) that is installed; saves
/// it only if it is valid. An editor that fails leaves nothing behind; an invalid edit is kept
/// (0600, in the home's `edits/`, never among the servers) for the user to fix.
fn edit_in_editor(home: &Home, path: &Path, original: &str) -> Result<String, CliError> {
    let editor = chosen_editor().ok_or_else(|| CliError::usage(anyhow!("{}", Msg::NoEditor.get(crate::i18n::current()))))?;
    let dir = home.edits_dir();
    std::fs::create_dir_all(&dir)
        .and_then(|()| crate::config::set_mode(&dir, 0o700))
        .map_err(|e| CliError::failed(anyhow!("cannot make {}: {e}", dir.display())))?;
    let copy = dir.join(format!("{}.toml", path.file_stem().and_then(|s| s.to_str()).unwrap_or("server")));
    write_atomic(&copy, original).map_err(|e| CliError::failed(anyhow!("cannot write {}: {e}", copy.display())))?;
    let status = editor_command(&editor, &copy).status();
    let failed = |e: anyhow::Error| {
        let _ = std::fs::remove_file(&copy);
        Err(CliError::failed(e))
    };
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => return failed(anyhow!("{}", Msg::EditorEnded.with(crate::i18n::current(), &[("editor", &editor), ("status", &s)]))),
        Err(e) => return failed(anyhow!("{}", Msg::EditorMissing.with(crate::i18n::current(), &[("editor", &editor), ("error", &e)]))),
    }
    let edited = match std::fs::read_to_string(&copy) {
        Ok(t) => t,
        Err(e) => return failed(anyhow!("cannot read back {}: {e}; nothing was saved", copy.display())),
    };
    match validate::validate_text(path, &edited) {
        Ok(_) => {
            let _ = std::fs::remove_file(&copy);
            Ok(edited)
        }
        Err(errors) => Err(CliError::config(
            anyhow::Error::new(errors).context(Msg::EditKept.with(crate::i18n::current(), &[("copy", &copy.display()), ("file", &path.display())])),
        )),
    }
}

/// The editor to run: $VISUAL, then $EDITOR, then the first fallback found on PATH.
fn chosen_editor() -> Option<String> {
    for var in ["VISUAL", "EDITOR"] {
        if let Ok(v) = std::env::var(var) {
            if !v.trim().is_empty() {
                return Some(v);
            }
        }
    }
    let fallbacks: &[&str] = if cfg!(windows) { &["notepad"] } else { &["nano", "vi"] };
    let path = std::env::var_os("PATH")?;
    fallbacks.iter().find(|f| std::env::split_paths(&path).any(|dir| dir.join(f).is_file() || dir.join(format!("{f}.exe")).is_file())).map(|f| (*f).to_owned())
}

/// The editor run on a file as git runs it: through the shell, the file as its last argument.
fn editor_command(editor: &str, file: &Path) -> std::process::Command {
    if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.arg("/C").arg(format!("{editor} \"{}\"", file.display()));
        c
    } else {
        let mut c = std::process::Command::new("sh");
        c.arg("-c").arg(format!("{editor} \"$@\"")).arg(editor).arg(file);
        c
    }
}

fn delete(home: &Home, name: &str) -> Result<(), CliError> {
    let lang = crate::i18n::current();
    let path = home.server_path(name);
    if !present(&path) {
        return Err(no_such_server(home, name));
    }
    let keep = home.delete_server(name).map_err(|e| CliError::failed(anyhow!("cannot delete {}: {e}", path.display())))?;
    out(&format!("{}\n", Msg::DeletedServer.with(lang, &[("server", &name), ("file", &keep.display())])))
}

fn validate_servers(home: &Home, name: Option<&str>, as_json: bool) -> Result<(), CliError> {
    let lang = crate::i18n::current();
    let names = match name {
        Some(n) => {
            if !present(&home.server_path(n)) {
                return Err(no_such_server(home, n));
            }
            vec![n.to_owned()]
        }
        None => home.server_names().map_err(|e| CliError::failed(anyhow!("cannot read {}: {e}", home.servers_dir().display())))?,
    };
    let mut invalid = Vec::new();
    let mut text = String::new();
    let mut items = Vec::new();
    for n in &names {
        match ServerFile::load(&home.server_path(n)) {
            Ok(s) => {
                text.push_str(&format!("ok       {n} ({})\n", s.path.display()));
                items.push(json!({ "name": n, "file": s.path, "valid": true, "errors": [] }));
            }
            Err(e) => {
                text.push_str(&format!("invalid  {n}\n"));
                let errors: Vec<_> = e.0.iter().map(|x| json!({ "file": x.file, "field": x.field, "message": x.message })).collect();
                items.push(json!({ "name": n, "file": home.server_path(n), "valid": false, "errors": errors }));
                invalid.push(e);
            }
        }
    }
    if names.is_empty() {
        text.push_str(&format!("No servers in {}.\n", home.servers_dir().display()));
    }
    if as_json {
        out(&format!("{}\n", serde_json::to_string_pretty(&items).map_err(CliError::failed)?))?;
        // The errors are in the JSON: the exit code says the rest.
        return if invalid.is_empty() {
            Ok(())
        } else {
            Err(CliError::config(anyhow!("{}", Msg::InvalidServers.with(lang, &[("invalid", &invalid.len()), ("total", &names.len())]))))
        };
    }
    out(&text)?;
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(CliError::config(ConfigErrors(invalid.into_iter().flat_map(|e| e.0).collect())))
    }
}
