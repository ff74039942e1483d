//! A shop's secret (a Shopiko key, a BaseLinker token) as a server file gives it: in exactly one
//! of three fields, the secret itself (`<name>`), a file holding it on its first line
//! (`<name>_file`) or an environment variable holding it (`<name>_env`). A file others may read
//! is refused, as ssh refuses such a private key; so is a secret that is empty or holds what no
//! secret holds (control characters, bytes that are not text). Every kind reads its secret here.

use std::path::Path;

use super::{ConfigError, ConfigErrors};
use crate::i18n::{current, Msg};
use crate::secret::Secret;

/// Where a server file puts one secret: the dotted key of the field that holds it itself
/// (`shopiko.key`), and what each of the three fields holds.
#[derive(Debug, Clone, Copy)]
pub struct SecretFields<'a> {
    /// What the secret is called.
    pub noun: Noun,
    /// The field of the secret itself, e.g. `shopiko.key`; the others are it with `_file`, `_env`.
    pub key: &'a str,
    /// The secret itself.
    pub value: Option<&'a Secret>,
    /// A file holding it.
    pub file: Option<&'a str>,
    /// An environment variable holding it.
    pub env: Option<&'a str>,
}

/// What a secret is called, as its errors say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noun {
    /// A shop's key (Shopiko).
    Key,
    /// An API token (BaseLinker).
    Token,
    /// A password (the mail server's, for alerts).
    Password,
}

impl Noun {
    fn words(self) -> [Msg; 4] {
        match self {
            Noun::Key => [Msg::KeyEmpty, Msg::KeyControlChars, Msg::KeyFileNotText, Msg::KeyFileEmpty],
            Noun::Token => [Msg::TokenEmpty, Msg::TokenControlChars, Msg::TokenFileNotText, Msg::TokenFileEmpty],
            Noun::Password => [Msg::PasswordEmpty, Msg::PasswordControlChars, Msg::PasswordFileNotText, Msg::PasswordFileEmpty],
        }
    }
}

impl SecretFields<'_> {
    /// How many of the three fields are set.
    pub fn ways(&self) -> usize {
        usize::from(self.value.is_some()) + usize::from(self.file.is_some()) + usize::from(self.env.is_some())
    }

    /// True when a check of the secret can say more than the profile's own checks do: exactly one
    /// way is set, and its file (if any) exists and its value (if any) is not empty.
    pub fn worth_resolving(&self, server_file: &Path) -> bool {
        let file_missing = self.file.is_some_and(|f| !super::relative_to(server_file, f).is_file());
        let empty = self.value.is_some_and(|v| v.expose().trim().is_empty());
        self.ways() == 1 && !file_missing && !empty
    }
}

/// The secret, from whichever field holds it; each error names the server file and the field.
pub fn resolve(path: &Path, fields: SecretFields<'_>) -> Result<Secret, ConfigErrors> {
    let [empty, control, not_text, file_empty] = fields.noun.words();
    let file_field = format!("{}_file", fields.key);
    let env_field = format!("{}_env", fields.key);
    let (field, secret) = if let Some(value) = fields.value {
        (fields.key.to_owned(), value.expose().to_owned())
    } else if let Some(file) = fields.file {
        let secret = read_secret_file(path, file, not_text, file_empty).map_err(|m| ConfigErrors::from(ConfigError::field(path, &file_field, m)))?;
        (file_field, secret)
    } else {
        let var = fields.env.unwrap_or_default();
        match std::env::var_os(var) {
            Some(v) if !v.is_empty() => match v.into_string() {
                Ok(v) => (env_field, v.trim().to_owned()),
                Err(_) => return Err(ConfigError::field(path, &env_field, Msg::KeyEnvNotText.with(current(), &[("var", &var)])).into()),
            },
            _ => return Err(ConfigError::field(path, &env_field, Msg::KeyEnvUnset.with(current(), &[("var", &var)])).into()),
        }
    };
    if secret.trim().is_empty() {
        return Err(ConfigError::field(path, &field, empty.get(current())).into());
    }
    if secret.chars().any(char::is_control) {
        return Err(ConfigError::field(path, &field, control.get(current())).into());
    }
    Ok(Secret::new(secret))
}

/// The first line of a secret's file, refusing one that group or others may read.
fn read_secret_file(path: &Path, file: &str, not_text: Msg, empty: Msg) -> Result<String, String> {
    let full = super::relative_to(path, file);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(&full) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(Msg::KeyFileOpen.with(current(), &[("file", &full.display()), ("mode", &format!("{mode:03o}"))]));
            }
        }
    }
    let bytes = std::fs::read(&full).map_err(|e| Msg::KeyFileUnreadable.with(current(), &[("file", &full.display()), ("error", &e)]))?;
    let text = String::from_utf8(bytes).map_err(|_| not_text.with(current(), &[("file", &full.display())]))?;
    let secret = text.lines().next().unwrap_or("").trim().to_owned();
    if secret.is_empty() {
        return Err(empty.with(current(), &[("file", &full.display())]));
    }
    Ok(secret)
}

/// The checks of a secret the profile cannot express (its file read, and mode 0600; its
/// variable set), where [`SecretFields::worth_resolving`].
pub fn validate(path: &Path, table: &toml::Table, key: &str, noun: Noun) -> Vec<ConfigError> {
    let (section, name) = key.split_once('.').unwrap_or(("", key));
    let get = |k: &str| table.get(section).and_then(|s| s.get(k)).and_then(|v| v.as_str());
    let value = get(name).map(Secret::new);
    let (file, env) = (format!("{name}_file"), format!("{name}_env"));
    let fields = SecretFields { noun, key, value: value.as_ref(), file: get(&file), env: get(&env) };
    if !fields.worth_resolving(path) {
        return Vec::new();
    }
    resolve(path, fields).err().map(|e| e.0).unwrap_or_default()
}
