//! `obmen server list|show|new|edit|delete|validate`.

use std::path::Path;

use anyhow::anyhow;
use serde_json::json;

use super::out;
use crate::cli::{Changes, ServerCommand};
use crate::config::edit::{self, Change};
use crate::config::{check_name, profile, validate, view, write_atomic, ConfigError, ConfigErrors, Home, Lang, ServerFile};
use crate::exit::CliError;

pub(super) fn run(home: &Home, lang: Lang, cmd: ServerCommand) -> Result<(), CliError> {
    match cmd {
        ServerCommand::List { json } => list(home, json),
        ServerCommand::Show { name, json } => {
            let server = load(home, &name)?;
            if json {
                out(&format!("{}\n", serde_json::to_string_pretty(&view::render_json(&server)).map_err(CliError::failed)?))
            } else {
                out(&view::render_text(&server, lang))
            }
        }
        ServerCommand::New { name, kind, changes } => new(home, &name, &kind, &changes),
        ServerCommand::Edit { name, changes } => edit(home, &name, &changes),
        ServerCommand::Delete { name } => delete(home, &name),
        ServerCommand::Validate { name } => validate_servers(home, name.as_deref()),
    }
}

/// Loads a server by name: a missing one is a failure (exit 1), an invalid one a configuration
/// error (exit 78).
pub(super) fn load(home: &Home, name: &str) -> Result<ServerFile, CliError> {
    let path = home.server_path(name);
    if !path.exists() {
        return Err(no_such_server(home, name));
    }
    ServerFile::load(&path).map_err(CliError::config)
}

fn no_such_server(home: &Home, name: &str) -> CliError {
    CliError::failed(anyhow!(
        "there is no server named '{name}' in {}: `obmen server list` shows the servers there",
        home.servers_dir().display()
    ))
}

fn list(home: &Home, as_json: bool) -> Result<(), CliError> {
    let names = home.server_names().map_err(|e| CliError::failed(anyhow!("cannot read {}: {e}", home.servers_dir().display())))?;
    let rows: Vec<(String, Result<ServerFile, ConfigErrors>)> =
        names.into_iter().map(|n| { let r = ServerFile::load(&home.server_path(&n)); (n, r) }).collect();
    if as_json {
        let items: Vec<_> = rows
            .iter()
            .map(|(name, r)| match r {
                Ok(s) => json!({ "name": name, "kind": s.profile.kind, "autostart": s.autostart, "file": s.path, "valid": true }),
                Err(e) => json!({ "name": name, "file": home.server_path(name), "valid": false, "errors": e.0.iter().map(|x| x.to_string()).collect::<Vec<_>>() }),
            })
            .collect();
        return out(&format!("{}\n", serde_json::to_string_pretty(&items).map_err(CliError::failed)?));
    }
    if rows.is_empty() {
        return out(&format!(
            "No servers in {}. Make one with: obmen server new NAME --kind \"{}\" --set key=value ...\n",
            home.servers_dir().display(),
            profile::kind_names()[0]
        ));
    }
    let width = rows.iter().map(|(n, _)| n.chars().count()).max().unwrap_or(4).max(4);
    let mut text = format!("{:width$}  {:36}  {:9}  {}\n", "NAME", "KIND", "AUTOSTART", "CONFIG");
    for (name, r) in &rows {
        let pad = width - name.chars().count() + name.len();
        match r {
            Ok(s) => text.push_str(&format!("{name:pad$}  {:36}  {:9}  ok\n", s.profile.kind, if s.autostart { "yes" } else { "no" })),
            Err(e) => text.push_str(&format!(
                "{name:pad$}  {:36}  {:9}  invalid ({} problem{}: obmen server validate {name})\n",
                "?",
                "?",
                e.0.len(),
                if e.0.len() == 1 { "" } else { "s" }
            )),
        }
    }
    out(&text)
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
    let path = home.server_path(name);
    check_name(name).map_err(|m| CliError::config(ConfigErrors::from(ConfigError::field(&path, "name", m))))?;
    let Some(profile) = profile::find(kind) else {
        let known = profile::kind_names().iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ");
        return Err(CliError::config(ConfigErrors::from(ConfigError::field(&path, "kind", format!("'{kind}' is not a kind obmen knows: use one of {known}")))));
    };
    if path.exists() {
        return Err(CliError::failed(anyhow!("a server named '{name}' already exists ({}): change it with `obmen server edit {name}`", path.display())));
    }
    let changes = changes_of(changes)?;
    let text = edit::new_server_text(profile, name, &changes)
        .map_err(|e| field_errors(&path, e))
        .and_then(|text| validate::validate_text(&path, &text).map(|_| text).map_err(CliError::config))
        .map_err(|mut e| {
        e.error = e.error.context(format!("the new server '{name}' was not saved; give the missing settings with --set key=value"));
        e
    })?;
    home.ensure().map_err(|e| CliError::failed(anyhow!("cannot make {}: {e}", home.root.display())))?;
    write_atomic(&path, &text).map_err(|e| CliError::failed(anyhow!("cannot write {}: {e}", path.display())))?;
    out(&format!("Made server '{name}' ({}) in {}.\n", profile.kind, path.display()))
}

fn edit(home: &Home, name: &str, changes: &Changes) -> Result<(), CliError> {
    let path = home.server_path(name);
    let original = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(no_such_server(home, name)),
        Err(e) => return Err(CliError::failed(anyhow!("cannot read {}: {e}", path.display()))),
    };
    let changes = changes_of(changes)?;
    let text = if changes.is_empty() {
        edit_in_editor(&path, &original)?
    } else {
        // The kind decides what the keys mean: read it from the file, even if the file is invalid.
        let kind = toml::from_str::<toml::Table>(&original)
            .ok()
            .and_then(|t| t.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
            .unwrap_or_default();
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
        return out("No changes.\n");
    }
    write_atomic(&path, &text).map_err(|e| CliError::failed(anyhow!("cannot write {}: {e}", path.display())))?;
    out(&format!("Saved server '{name}' ({}).\n", path.display()))
}

/// Opens a copy of the file in $VISUAL or $EDITOR; saves it only if it is valid.
fn edit_in_editor(path: &Path, original: &str) -> Result<String, CliError> {
    let editor = std::env::var("VISUAL").or_else(|_| std::env::var("EDITOR")).map_err(|_| {
        CliError::usage(anyhow!("no editor: set EDITOR, or change settings with --set key=value"))
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let copy = dir.join(format!(".{}.edit.toml", path.file_stem().and_then(|s| s.to_str()).unwrap_or("server")));
    write_atomic(&copy, original).map_err(|e| CliError::failed(anyhow!("cannot write {}: {e}", copy.display())))?;
    let mut parts = editor.split_whitespace();
    let program = parts.next().unwrap_or("vi");
    let status = std::process::Command::new(program).args(parts).arg(&copy).status();
    let edited = std::fs::read_to_string(&copy);
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => return Err(CliError::failed(anyhow!("the editor ({editor}) ended with {s}; nothing was saved"))),
        Err(e) => return Err(CliError::failed(anyhow!("cannot run the editor '{editor}': {e}"))),
    }
    let edited = edited.map_err(|e| CliError::failed(anyhow!("cannot read back {}: {e}", copy.display())))?;
    match validate::validate_text(path, &edited) {
        Ok(_) => {
            let _ = std::fs::remove_file(&copy);
            Ok(edited)
        }
        Err(errors) => Err(CliError::config(anyhow::Error::new(errors).context(format!(
            "nothing was saved; your edit is kept in {} (0600): fix it, then copy it over {}",
            copy.display(),
            path.display()
        )))),
    }
}

fn delete(home: &Home, name: &str) -> Result<(), CliError> {
    let path = home.server_path(name);
    if !path.exists() {
        return Err(no_such_server(home, name));
    }
    let keep = home.deleted_dir().join(format!("{name}.{}.toml", chrono::Local::now().format("%Y%m%d-%H%M%S")));
    std::fs::create_dir_all(home.deleted_dir())
        .and_then(|()| crate::config::set_mode(&home.deleted_dir(), 0o700))
        .and_then(|()| std::fs::rename(&path, &keep))
        .map_err(|e| CliError::failed(anyhow!("cannot delete {}: {e}", path.display())))?;
    out(&format!("Deleted server '{name}'. A copy of its file is kept in {}.\n", keep.display()))
}

fn validate_servers(home: &Home, name: Option<&str>) -> Result<(), CliError> {
    let names = match name {
        Some(n) => {
            if !home.server_path(n).exists() {
                return Err(no_such_server(home, n));
            }
            vec![n.to_owned()]
        }
        None => home.server_names().map_err(|e| CliError::failed(anyhow!("cannot read {}: {e}", home.servers_dir().display())))?,
    };
    let mut invalid = Vec::new();
    let mut text = String::new();
    for n in &names {
        match ServerFile::load(&home.server_path(n)) {
            Ok(s) => text.push_str(&format!("ok       {n} ({})\n", s.path.display())),
            Err(e) => {
                text.push_str(&format!("invalid  {n}\n"));
                invalid.push(e);
            }
        }
    }
    if names.is_empty() {
        text.push_str(&format!("No servers in {}.\n", home.servers_dir().display()));
    }
    out(&text)?;
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(CliError::config(ConfigErrors(invalid.into_iter().flat_map(|e| e.0).collect())))
    }
}
