//! Validation of a server file against its kind's profile. Every problem is collected (not only
//! the first), and each names the file and the field: unknown keys (with a "did you mean"),
//! wrong types, values out of range or not among the choices, missing required fields, and the
//! rules between fields.

use std::path::Path;

use super::profile::{self, PropType, Property};
use super::schedule::{TimeWindow, Weekdays};
use super::{check_name, lookup, ConfigError, ConfigErrors, ServerFile};

/// Parses and validates the text of a server file.
pub fn validate_text(path: &Path, text: &str) -> Result<ServerFile, ConfigErrors> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        let msg = e.message().trim().to_owned();
        ConfigError::file(path, format!("line {line}, column {col}: this is not valid TOML: {msg}"))
    })?;
    validate_table(path, table)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.chars().rev().take_while(|c| *c != '\n').count() + 1;
    (line, col)
}

/// Validates a parsed server file.
pub fn validate_table(path: &Path, table: toml::Table) -> Result<ServerFile, ConfigErrors> {
    let mut errors = Vec::new();
    let err = |field: &str, msg: String| ConfigError::field(path, field, msg);

    let kind = match table.get("kind") {
        None => return Err(err("kind", format!("missing: say which kind of server this is, e.g. kind = \"{}\"", profile::kind_names()[0])).into()),
        Some(toml::Value::String(k)) => k.clone(),
        Some(other) => return Err(err("kind", format!("must be text, not {}", type_name(other))).into()),
    };
    let Some(profile) = profile::find(&kind) else {
        let known = profile::kind_names().iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ");
        return Err(err("kind", format!("'{kind}' is not a kind obmen knows: use one of {known}")).into());
    };
    if kind != profile.kind {
        errors.push(err("kind", format!("write the kind as \"{}\"", profile.kind)));
    }

    // Unknown keys, and sections that are not tables.
    let mut leaves = Vec::new();
    collect_leaves(&table, "", &mut leaves);
    for (key, value) in &leaves {
        if profile.property(key).is_none() {
            let section = key.split('.').next().unwrap_or("");
            let is_section = profile.properties.iter().any(|p| p.key.starts_with(&format!("{key}.")));
            let msg = if is_section {
                format!("must be a section ([{key}]), not {}", type_name(value))
            } else {
                match profile.suggest(key) {
                    Some(s) => format!("unknown key: did you mean '{s}'?"),
                    None if !section.is_empty() && section != key && !profile.properties.iter().any(|p| p.key.starts_with(&format!("{section}."))) => {
                        format!("unknown section '[{section}]'")
                    }
                    None => "unknown key: remove it (see `obmen server show` for the keys this kind has)".into(),
                }
            };
            errors.push(err(key, msg));
        }
    }

    for prop in &profile.properties {
        match lookup(&table, &prop.key) {
            None if prop.required => errors.push(err(&prop.key, format!("missing: {}", prop.help.en))),
            None => {}
            Some(value) => {
                if let Err(msg) = check_value(path, prop, value) {
                    errors.push(err(&prop.key, msg));
                }
            }
        }
    }

    for set in &profile.exactly_one {
        let present: Vec<&String> = set.iter().filter(|k| lookup(&table, k).is_some()).collect();
        let names = set.join(", ");
        match present.len() {
            1 => {}
            0 => errors.push(err(&set[0], format!("missing: set exactly one of {names}"))),
            _ => errors.push(err(present[1], format!("set only one of {names}, not {}", present.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" and ")))),
        }
    }

    // The name is the file's name.
    let name = table.get("name").and_then(|v| v.as_str()).unwrap_or("").to_owned();
    if !name.is_empty() {
        if let Err(msg) = check_name(&name) {
            errors.push(err("name", msg));
        } else if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
            if stem != name {
                errors.push(err("name", format!("'{name}' is not the file's name '{stem}': a server's file is servers/NAME.toml; rename the file or the server")));
            }
        }
    }

    // The kind's own checks, and whether the file fits its typed settings.
    errors.extend(crate::kinds::validate(&profile.id, path, &table));

    if errors.is_empty() {
        let autostart = lookup(&table, "autostart").and_then(|v| v.as_bool()).unwrap_or(false);
        Ok(ServerFile { path: path.to_owned(), name, profile, autostart, table })
    } else {
        Err(ConfigErrors(errors))
    }
}

fn collect_leaves<'a>(table: &'a toml::Table, prefix: &str, out: &mut Vec<(String, &'a toml::Value)>) {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            toml::Value::Table(t) if prefix.is_empty() => collect_leaves(t, &key, out),
            _ => out.push((key, v)),
        }
    }
}

/// What kind of TOML value this is, in words.
pub fn type_name(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "text",
        toml::Value::Integer(_) => "a whole number",
        toml::Value::Float(_) => "a decimal number",
        toml::Value::Boolean(_) => "true/false",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a section",
    }
}

/// Checks one value against its property; the error says what to write instead.
pub fn check_value(file: &Path, prop: &Property, value: &toml::Value) -> Result<(), String> {
    let text = || -> Result<&str, String> {
        value.as_str().ok_or_else(|| format!("must be text in quotes, not {}", type_name(value)))
    };
    match prop.ty {
        PropType::String | PropType::Secret => {
            let s = text()?;
            if s.trim().is_empty() && (prop.required || prop.ty == PropType::Secret) {
                return Err("is empty".into());
            }
        }
        PropType::Connection => {
            let s = text()?;
            if s.trim().is_empty() {
                return Err("is empty: write an ODBC connection string, e.g. Driver={MariaDB Unicode};Server=...;Database=...;Uid=...;Pwd=... or DSN=NAME".into());
            }
            if !s.contains('=') {
                return Err("is not an ODBC connection string: write attribute=value pairs separated by ';', e.g. DSN=NAME or Driver=...;Database=...".into());
            }
        }
        PropType::Url => {
            let s = text()?;
            let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
            match rest {
                Some(r) if !r.is_empty() && !r.starts_with('/') && !s.contains(char::is_whitespace) => {}
                _ => return Err(format!("'{s}' is not an address: write https://host/path")),
            }
        }
        PropType::Path => {
            let s = text()?;
            if s.trim().is_empty() {
                return Err("is empty".into());
            }
            let p = Path::new(s);
            let full = if p.is_relative() { file.parent().unwrap_or(Path::new(".")).join(p) } else { p.to_owned() };
            if !full.is_file() {
                return Err(format!("no file at {}: create it or fix the path (relative paths start at the server file's folder)", full.display()));
            }
        }
        PropType::Bool => {
            if !value.is_bool() {
                return Err(format!("must be true or false (without quotes), not {}", type_name(value)));
            }
        }
        PropType::Integer => {
            let n = value.as_integer().ok_or_else(|| format!("must be a whole number (without quotes), not {}", type_name(value)))?;
            let (min, max) = (prop.min.unwrap_or(i64::MIN), prop.max.unwrap_or(i64::MAX));
            if n < min || n > max {
                return Err(format!("{n} is out of range: use {min} to {max}"));
            }
        }
        PropType::Enum => {
            let s = text()?;
            if !prop.values.iter().any(|v| v.value == s) {
                let choices = prop.values.iter().map(|v| v.value.as_str()).collect::<Vec<_>>().join(", ");
                return Err(format!("'{s}' is not one of the choices: {choices}"));
            }
        }
        PropType::TimeWindow => {
            text()?.parse::<TimeWindow>()?;
        }
        PropType::Weekdays => {
            text()?.parse::<Weekdays>()?;
        }
    }
    Ok(())
}
