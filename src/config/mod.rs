//! Server files and kind profiles: where they live (the home), loading and validating them
//! against their kind's profile (every error names the file and the field), changing them with
//! `--set`, saving them atomically with mode 0600, and showing them with secrets masked.

pub mod edit;
pub mod profile;
pub mod schedule;
pub mod secrets;
pub mod validate;
pub mod view;

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::i18n::{current, Msg};

pub use profile::{Lang, Profile};

/// One problem with a configuration: the file, the field (a dotted key) where there is one, and
/// what is wrong with what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// The dotted key, e.g. "rules.import".
    pub field: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
}

impl ConfigError {
    /// A problem with a field of a file.
    pub fn field(file: &Path, field: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError { file: file.to_owned(), field: Some(field.into()), message: message.into() }
    }
    /// A problem with a whole file.
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        ConfigError { file: file.to_owned(), field: None, message: message.into() }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}: {field}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// All the problems found in a configuration (validation goes on past the first).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl From<ConfigError> for ConfigErrors {
    fn from(e: ConfigError) -> Self {
        ConfigErrors(vec![e])
    }
}

/// obmen's home: `servers/*.toml`, `state.db`, `logs/` and `obmen.sock`.
#[derive(Debug, Clone, PartialEq)]
pub struct Home {
    /// The folder.
    pub root: PathBuf,
}

impl Home {
    /// `--home`, else `OBMEN_HOME` (clap reads both), else the platform's data folder.
    pub fn resolve(explicit: Option<PathBuf>) -> std::io::Result<Home> {
        let root = match explicit {
            Some(p) => p,
            None => directories::ProjectDirs::from("", "", "obmen")
                .map(|d| d.data_dir().to_owned())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no home folder is known for this user: pass --home DIR or set OBMEN_HOME"))?,
        };
        Ok(Home { root })
    }

    /// Where server files live.
    pub fn servers_dir(&self) -> PathBuf {
        self.root.join("servers")
    }

    /// Where deleted server files are kept, in case one was deleted by mistake.
    pub fn deleted_dir(&self) -> PathBuf {
        self.servers_dir().join("deleted")
    }

    /// Where `server edit` keeps the copy being edited (outside `servers/`, so that a copy left
    /// behind is never taken for a server).
    pub fn edits_dir(&self) -> PathBuf {
        self.root.join("edits")
    }

    /// The file of the server with this name.
    pub fn server_path(&self, name: &str) -> PathBuf {
        self.servers_dir().join(format!("{name}.toml"))
    }

    /// obmen's own state database.
    pub fn state_db(&self) -> PathBuf {
        self.root.join("state.db")
    }

    /// Per-server log files.
    pub fn logs_dir(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// The daemon's control socket.
    pub fn socket(&self) -> PathBuf {
        self.root.join("obmen.sock")
    }

    /// Creates the home's folders (mode 0700: they hold secrets).
    pub fn ensure(&self) -> std::io::Result<()> {
        for dir in [self.root.clone(), self.servers_dir(), self.logs_dir()] {
            std::fs::create_dir_all(&dir)?;
            set_mode(&dir, 0o700)?;
        }
        Ok(())
    }

    /// Deletes a server: its file is moved to `servers/deleted/NAME.YYYYMMDD-HHMMSS.toml`, kept
    /// in case it was deleted by mistake. Gives where the copy is.
    pub fn delete_server(&self, name: &str) -> std::io::Result<PathBuf> {
        let keep = self.deleted_dir().join(format!("{name}.{}.toml", chrono::Local::now().format("%Y%m%d-%H%M%S")));
        std::fs::create_dir_all(self.deleted_dir())?;
        set_mode(&self.deleted_dir(), 0o700)?;
        std::fs::rename(self.server_path(name), &keep)?;
        Ok(keep)
    }

    /// The names of the servers in the home, sorted.
    pub fn server_names(&self) -> std::io::Result<Vec<String>> {
        let dir = self.servers_dir();
        let mut names = Vec::new();
        match std::fs::read_dir(&dir) {
            Ok(entries) => {
                for entry in entries {
                    let path = entry?.path();
                    // A link whose file is gone is listed too, so that `validate` reports it.
                    let dangling = path.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) && !path.exists();
                    if (path.is_file() || dangling) && path.extension().is_some_and(|e| e == "toml") {
                        // Hidden files (an editor's or an earlier obmen's copies) are no servers.
                        if let Some(stem) = path.file_stem().and_then(|s| s.to_str()).filter(|s| !s.starts_with('.')) {
                            names.push(stem.to_owned());
                        }
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        names.sort();
        Ok(names)
    }
}

/// A path written in a server file: a relative path starts at the home the file is in (the
/// folder above `servers/`), so that a copied home is whole (`key_file = "shopiko.key"`,
/// `Database=warehouse.db`). A file outside a home's `servers/` has its own folder as the start.
pub fn relative_to(server_file: &Path, written: &str) -> PathBuf {
    let p = Path::new(written);
    if p.is_relative() {
        let dir = server_file.parent().unwrap_or(Path::new("."));
        let home = if dir.file_name().is_some_and(|n| n == "servers") { dir.parent().unwrap_or(dir) } else { dir };
        home.join(p)
    } else {
        p.to_owned()
    }
}

/// A server file that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerFile {
    /// Where it is.
    pub path: PathBuf,
    /// The server's name.
    pub name: String,
    /// Its kind's profile.
    pub profile: &'static Profile,
    /// Start with the daemon.
    pub autostart: bool,
    /// Every key as written, checked against the profile.
    pub table: toml::Table,
}

impl ServerFile {
    /// Reads and validates a server file.
    pub fn load(path: &Path) -> Result<ServerFile, ConfigErrors> {
        let bytes = std::fs::read(path).map_err(|e| {
            let dangling = e.kind() == std::io::ErrorKind::NotFound && path.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink());
            let what = match e.kind() {
                _ if dangling => format!(
                    "it is a link to {}, which does not exist: point it at the server's file, or delete the link",
                    std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_else(|_| "a file".into())
                ),
                std::io::ErrorKind::NotFound => "no such file".to_owned(),
                _ => e.to_string(),
            };
            ConfigError::file(path, format!("cannot read it: {what}"))
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = good.iter().filter(|b| **b == b'\n').count() + 1;
            ConfigError::file(path, format!("line {line}: this is not UTF-8 text: save the file as UTF-8"))
        })?;
        validate::validate_text(path, &text)
    }

    /// The value at a dotted key, where set (defaults are not filled in).
    pub fn get(&self, key: &str) -> Option<&toml::Value> {
        lookup(&self.table, key)
    }

    /// Every key as written, with the profile's default in the place of each key not written:
    /// what a kind reads its typed settings from, so that a default is its profile's (a kind may
    /// word a shared default its own way) and never a struct's.
    pub fn table_with_defaults(&self) -> toml::Table {
        let mut table = self.table.clone();
        for prop in &self.profile.properties {
            if let Some(default) = &prop.default {
                // A key under a value that is no table (validation refused such a file) is left.
                let _ = fill(&mut table, &prop.key, default);
            }
        }
        table
    }

    /// A string value, or the profile's default, or "".
    pub fn str(&self, key: &str) -> String {
        self.get(key).or_else(|| self.profile.property(key).and_then(|p| p.default.as_ref())).and_then(|v| v.as_str()).unwrap_or("").to_owned()
    }

    /// An integer value, or the profile's default, or 0.
    pub fn int(&self, key: &str) -> i64 {
        self.get(key).or_else(|| self.profile.property(key).and_then(|p| p.default.as_ref())).and_then(|v| v.as_integer()).unwrap_or(0)
    }

    /// A bool value, or the profile's default, or false.
    pub fn bool(&self, key: &str) -> bool {
        self.get(key).or_else(|| self.profile.property(key).and_then(|p| p.default.as_ref())).and_then(|v| v.as_bool()).unwrap_or(false)
    }
}

/// Sets a dotted key of a table to `value` where it is not set.
fn fill(table: &mut toml::Table, key: &str, value: &toml::Value) -> Option<()> {
    match key.split_once('.') {
        None => {
            table.entry(key.to_owned()).or_insert_with(|| value.clone());
            Some(())
        }
        Some((first, rest)) => fill(table.entry(first.to_owned()).or_insert_with(|| toml::Value::Table(toml::Table::new())).as_table_mut()?, rest, value),
    }
}

/// The value at a dotted key of a table.
pub fn lookup<'a>(table: &'a toml::Table, key: &str) -> Option<&'a toml::Value> {
    let mut parts = key.split('.');
    let first = parts.next()?;
    let mut value = table.get(first)?;
    for part in parts {
        value = value.as_table()?.get(part)?;
    }
    Some(value)
}

/// Writes a file atomically with mode 0600: a temporary file beside it, fsync, rename, fsync of
/// the folder. A crash leaves the old file or the new one, never half of either.
pub fn write_atomic(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        set_mode(&tmp, 0o600)?;
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Makes an empty file readable and writable by its owner alone, where there is none yet; an
/// existing file is left as it is.
pub fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Takes group's and others' permission bits off an existing file, leaving the owner's (Unix
/// only; elsewhere nothing).
pub fn keep_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & !0o077))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Sets a file's permission bits (Unix only; elsewhere nothing).
pub fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// True when a server name can be a file name and is shown well: letters (any script), digits,
/// spaces, '-', '_' and '.', not starting with '.' or a space, at most 64 characters.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err(Msg::NameEmpty.get(current()).to_owned());
    }
    if name.chars().count() > 64 {
        return Err(Msg::NameTooLong.with(current(), &[("name", &name)]));
    }
    if name.starts_with('.') || name.starts_with(' ') || name.ends_with(' ') {
        return Err(Msg::NameEdges.with(current(), &[("name", &name)]));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))) {
        return Err(Msg::NameBadChar.with(current(), &[("name", &name), ("c", &c)]));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name("Shopiko").is_ok());
        assert!(check_name("Магазин Пловдив-2").is_ok());
        for bad in ["", " x", ".hidden", "a/b", "a\\b", "x:y", &"n".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn atomic_write_is_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        write_atomic(&path, "a = 1\n").unwrap();
        write_atomic(&path, "a = 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 2\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left");
    }
}
