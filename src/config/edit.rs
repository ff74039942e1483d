//! Making and changing server files: a new server from its kind's defaults, and `--set key=value`
//! / `--unset key` on an existing file. Edits keep the file's comments and layout (toml_edit);
//! values are typed by the profile, so `--set autostart=yes` writes `true`.

use toml_edit::{value, DocumentMut, Item, Table};

use crate::i18n::{current, Msg};

use super::profile::{Lang, Profile, PropType};

/// A `--set key=value` or `--unset key` change, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Set a key.
    Set(String, String),
    /// Remove a key.
    Unset(String),
}

/// Parses `key=value`.
pub fn parse_set(arg: &str) -> Result<(String, String), String> {
    let (k, v) = arg.split_once('=').ok_or_else(|| Msg::SetNeedsKeyValue.with(current(), &[("arg", &arg)]))?;
    let k = k.trim();
    if k.is_empty() {
        return Err(Msg::SetNoKey.with(current(), &[("arg", &arg)]));
    }
    Ok((k.to_owned(), v.to_owned()))
}

/// The text of a new server file: every property in the profile's order, with the value the
/// changes give it, else its default; each with its label as a comment. The result still has to
/// be validated.
pub fn new_server_text(profile: &Profile, name: &str, changes: &[Change]) -> Result<String, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let mut given: Vec<(&str, Option<Item>)> = Vec::new();
    for change in changes {
        match check_change(profile, change) {
            Err(e) => errors.push(e),
            Ok(None) => given.push((change_key(change), None)),
            Ok(Some(item)) => given.push((change_key(change), Some(item))),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut doc = DocumentMut::new();
    for prop in &profile.properties {
        let item = match prop.key.as_str() {
            "name" => Some(value(name)),
            "kind" => Some(value(profile.kind.as_str())),
            key => match given.iter().rev().find(|(k, _)| *k == key) {
                Some((_, item)) => item.clone(),
                None => prop.default.as_ref().and_then(to_edit_value),
            },
        };
        let Some(mut item) = item else { continue };
        if let Some(v) = item.as_value_mut() {
            v.decor_mut().set_suffix(format!("  # {} / {}", prop.label.en, prop.label.bg));
        }
        insert(&mut doc, &prop.key, item);
    }
    Ok(doc.to_string())
}

fn change_key(change: &Change) -> &str {
    match change {
        Change::Set(k, _) | Change::Unset(k) => k.as_str(),
    }
}

/// Checks a change against the profile: the typed value to set, or `None` to remove.
fn check_change(profile: &Profile, change: &Change) -> Result<Option<Item>, (String, String)> {
    let key = change_key(change);
    let prop = profile.property(key).ok_or_else(|| {
        let hint = profile.suggest(key).map(|s| Msg::DidYouMean.with(current(), &[("key", &s)])).unwrap_or_default();
        (key.to_owned(), Msg::UnknownKeyHint.with(current(), &[("hint", &hint)]))
    })?;
    if matches!(key, "kind" | "name") {
        let what = if key == "kind" {
            "a server's kind cannot change: make a new server"
        } else {
            "the name is the file's name: make a new server with the new name and delete the old one"
        };
        return Err((key.to_owned(), what.to_owned()));
    }
    match change {
        Change::Unset(_) => Ok(None),
        Change::Set(_, raw) => typed(prop, raw).map(Some).map_err(|m| (key.to_owned(), m)),
    }
}

fn to_edit_value(v: &toml::Value) -> Option<Item> {
    Some(match v {
        toml::Value::String(s) => value(s.as_str()),
        toml::Value::Integer(i) => value(*i),
        toml::Value::Boolean(b) => value(*b),
        toml::Value::Float(f) => value(*f),
        _ => return None,
    })
}

fn insert(doc: &mut DocumentMut, key: &str, item: Item) {
    match key.split_once('.') {
        None => {
            doc.insert(key, item);
        }
        Some((section, leaf)) => {
            let table = doc.entry(section).or_insert_with(|| Item::Table(Table::new()));
            if let Some(t) = table.as_table_mut() {
                t.insert(leaf, item);
            }
        }
    }
}

/// Applies changes to a server file's text, keeping its comments and layout. Values are typed by
/// the property; unknown keys, values that cannot be converted and changes to `kind` or `name` are
/// all reported, each with its key. The result still has to be validated.
pub fn apply(profile: &Profile, text: &str, changes: &[Change]) -> Result<String, Vec<(String, String)>> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| vec![("(file)".to_owned(), e.message().to_owned())])?;
    let mut errors = Vec::new();
    for change in changes {
        let key = change_key(change);
        match check_change(profile, change) {
            Err(e) => errors.push(e),
            Ok(None) => remove(&mut doc, key),
            Ok(Some(mut item)) => {
                // Keep the comment after the old value.
                let suffix = get(&doc, key).and_then(|i| i.as_value()).and_then(|v| v.decor().suffix()).and_then(|s| s.as_str()).map(str::to_owned);
                if let (Some(s), Some(v)) = (suffix, item.as_value_mut()) {
                    v.decor_mut().set_suffix(s);
                }
                insert(&mut doc, key, item);
            }
        }
    }
    if errors.is_empty() {
        Ok(doc.to_string())
    } else {
        Err(errors)
    }
}

fn get<'a>(doc: &'a DocumentMut, key: &str) -> Option<&'a Item> {
    match key.split_once('.') {
        None => doc.get(key),
        Some((s, leaf)) => doc.get(s)?.as_table()?.get(leaf),
    }
}

fn remove(doc: &mut DocumentMut, key: &str) {
    match key.split_once('.') {
        None => {
            doc.remove(key);
        }
        Some((s, leaf)) => {
            if let Some(t) = doc.get_mut(s).and_then(|i| i.as_table_mut()) {
                t.remove(leaf);
            }
        }
    }
}

/// Converts a command-line value to the property's TOML type, in the one form files hold: a
/// choice may be given by its value or its label in either language (`Не стартирай`, `Don't
/// start`, `NEVER`), weekdays in Bulgarian (`пон-пет`); each is written as the file's own value.
fn typed(prop: &super::profile::Property, raw: &str) -> Result<Item, String> {
    match prop.ty {
        PropType::Bool => parse_bool(raw).map(value).ok_or_else(|| Msg::NotBoolWord.with(current(), &[("value", &raw)])),
        PropType::Integer => raw.trim().parse::<i64>().map(value).map_err(|_| Msg::NotWholeNumber.with(current(), &[("value", &raw)])),
        PropType::Enum => Ok(value(enum_value(prop, raw).unwrap_or(raw))),
        PropType::Weekdays => Ok(value(raw.parse::<super::schedule::Weekdays>().map(|w| w.to_string()).unwrap_or_else(|_| raw.to_owned()))),
        PropType::TimeWindow => Ok(value(raw.parse::<super::schedule::TimeWindow>().map(|w| w.to_string()).unwrap_or_else(|_| raw.to_owned()))),
        PropType::ClockTimes => Ok(value(raw.parse::<super::schedule::ClockTimes>().map(|w| w.to_string()).unwrap_or_else(|_| raw.to_owned()))),
        _ => Ok(value(raw)),
    }
}

/// The choice a text names: its value or its label in any language, any case or spacing.
pub fn enum_value<'p>(prop: &'p super::profile::Property, raw: &str) -> Option<&'p str> {
    let wanted = super::profile::normalise(raw);
    prop.values
        .iter()
        .find(|v| {
            [v.value.as_str(), v.label.en.as_str(), v.label.bg.as_str(), v.label.pl.as_str()].iter().any(|name| super::profile::normalise(name) == wanted)
        })
        .map(|v| v.value.as_str())
}

/// Reads yes/no in English, Bulgarian and Polish.
pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "on" | "да" | "tak" => Some(true),
        "false" | "no" | "n" | "0" | "off" | "не" | "nie" => Some(false),
        _ => None,
    }
}

/// "Yes"/"No" in a language, as a setting's value is shown.
pub fn bool_word(b: bool, lang: Lang) -> &'static str {
    (if b { crate::i18n::Msg::YesValue } else { crate::i18n::Msg::NoValue }).get(lang)
}
