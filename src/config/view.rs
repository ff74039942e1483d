//! Showing a server: its properties by group, labelled in a language, with secrets masked; as
//! text for people and as JSON for scripts. Nothing here ever prints a secret.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::edit::bool_word;
use super::profile::{Lang, PropType, Property};
use super::ServerFile;
use crate::secret::{mask_connection_string, MASK};

/// A property's value as shown: masked if secret, enum values by their label, defaults marked.
pub struct Shown {
    /// The property.
    pub prop: &'static Property,
    /// The value as shown.
    pub display: String,
    /// The value for JSON (masked where secret).
    pub json: Value,
    /// True when the file does not set it and the default applies.
    pub is_default: bool,
}

/// Every property of the server in profile order, with values as shown. Unset optional properties
/// without a default are left out.
pub fn shown(server: &ServerFile, lang: Lang) -> Vec<Shown> {
    shown_in(server.profile, &server.table, lang, false).into_iter().filter_map(|(_, s)| s).collect()
}

/// Every property of a profile in its order, with the value a table (valid or not) gives it
/// or its default, as shown; with `all`, the unset ones without a default too (as `None`), for
/// a new server whose form is still being filled in.
pub fn shown_in(profile: &'static super::profile::Profile, table: &toml::Table, lang: Lang, all: bool) -> Vec<(&'static Property, Option<Shown>)> {
    let mut out = Vec::new();
    for prop in &profile.properties {
        let (value, is_default) = match super::lookup(table, &prop.key) {
            Some(v) => (v.clone(), false),
            None => match &prop.default {
                Some(d) => (d.clone(), true),
                None if all => {
                    out.push((prop, None));
                    continue;
                }
                None => continue,
            },
        };
        let (display, json) = match (prop.ty, &value) {
            (PropType::Secret, _) => (MASK.to_owned(), json!(MASK)),
            (PropType::Connection, toml::Value::String(s)) => {
                let m = mask_connection_string(s);
                (m.clone(), json!(m))
            }
            (PropType::Bool, toml::Value::Boolean(b)) => (bool_word(*b, lang).to_owned(), json!(b)),
            (PropType::Enum, toml::Value::String(s)) => (prop.value_label(s, lang), json!(s)),
            (PropType::Weekdays, toml::Value::String(s)) => (s.parse::<super::schedule::Weekdays>().map_or_else(|_| s.clone(), |w| w.words(lang)), json!(s)),
            (_, toml::Value::String(s)) => (s.clone(), json!(s)),
            (_, toml::Value::Integer(i)) => (i.to_string(), json!(i)),
            (_, other) => (other.to_string(), json!(other.to_string())),
        };
        out.push((prop, Some(Shown { prop, display, json, is_default })));
    }
    out
}

/// A group of a server's settings as a UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormGroup {
    /// The group's id in its profile.
    pub id: String,
    /// Its label in the language asked for.
    pub label: String,
    /// Its properties, in the profile's order.
    pub properties: Vec<FormProperty>,
}

/// One setting as a UI shows and edits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormProperty {
    /// Its dotted key (`rules.import`).
    pub key: String,
    /// Its label.
    pub label: String,
    /// The value as shown (secrets masked; enum values by their label).
    pub value: String,
    /// True when the default applies (or the file says the default).
    pub default: bool,
    /// Must be set.
    pub required: bool,
    /// Required (or one of a set of which one is required) and not set.
    pub missing: bool,
    /// What validation found wrong with it.
    pub error: Option<String>,
    /// Never shown as it is.
    pub secret: bool,
    /// Its type as a person reads it (`whole number 1..600`).
    #[serde(rename = "type")]
    pub type_words: String,
    /// Its type.
    pub ty: PropType,
    /// The value as the file holds it (null for a secret or an unset one).
    pub raw: Value,
    /// For whole numbers: the smallest allowed.
    pub min: Option<i64>,
    /// For whole numbers: the largest allowed.
    pub max: Option<i64>,
    /// For choices: each value with its label.
    pub choices: Vec<Choice>,
    /// Where its choices are read from the account, through the server (`order_statuses`):
    /// a UI asks `GET /v1/servers/NAME/choices/KEY` for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices_from: Option<String>,
    /// Several of its choices may be picked, written separated by commas.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multiple: bool,
    /// What it means and what to put there.
    pub help: String,
    /// Where it is one of a set of which exactly one is set (a key given itself, in a file or
    /// in the environment): the labels of the set's settings, in order. Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub one_of: Vec<String>,
}

/// One choice of a setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// As the file writes it.
    pub value: String,
    /// As a person reads it.
    pub label: String,
}

impl FormProperty {
    /// The raw value as text, as an editor starts from (empty where unset or secret).
    pub fn raw_text(&self) -> String {
        match &self.raw {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }
}

/// A server's settings as a UI shows them: the kind's groups in order, each property with its
/// label, the value as shown (secrets masked, never their value), whether it is the default,
/// whether it is required and still missing, the problem validation found with it, and its help
/// line, in a language. `all` lists unset properties without a default too (a new server's form);
/// `errors` are validation's (field, message) pairs.
pub fn grid(profile: &'static super::profile::Profile, table: &toml::Table, lang: Lang, all: bool, errors: &[(String, String)]) -> Vec<FormGroup> {
    let shown = shown_in(profile, table, lang, all);
    // Of a set of which exactly one must be set, none is: each is still missing.
    let unset_sets: Vec<&String> = profile.exactly_one.iter().filter(|set| set.iter().all(|k| super::lookup(table, k).is_none())).flatten().collect();
    profile
        .groups
        .iter()
        .map(|g| {
            let properties = shown
                .iter()
                .filter(|(p, _)| p.group == g.id)
                .map(|(p, s)| FormProperty {
                    key: p.key.clone(),
                    label: p.label.get(lang).to_owned(),
                    value: s.as_ref().map(|s| s.display.clone()).unwrap_or_default(),
                    // The default applies, or is what the file says (a new server's file writes
                    // every default out).
                    default: s.as_ref().is_some_and(|s| s.is_default) || (p.default.is_some() && super::lookup(table, &p.key) == p.default.as_ref()),
                    required: p.required,
                    missing: s.is_none() && (p.required || unset_sets.contains(&&p.key)),
                    error: errors.iter().find(|(f, _)| *f == p.key).map(|(_, m)| m.clone()),
                    secret: p.is_secret(),
                    type_words: crate::i18n::Msg::type_word(p, lang),
                    ty: p.ty,
                    raw: match s {
                        Some(s) if !p.is_secret() => s.json.clone(),
                        _ => Value::Null,
                    },
                    min: p.min,
                    max: p.max,
                    choices: p.values.iter().map(|v| Choice { value: v.value.clone(), label: v.label.get(lang).to_owned() }).collect(),
                    choices_from: p.choices_from.clone(),
                    multiple: p.multiple,
                    help: p.help.get(lang).to_owned(),
                    one_of: profile
                        .exactly_one
                        .iter()
                        .find(|set| set.contains(&p.key))
                        .map(|set| set.iter().filter_map(|k| profile.properties.iter().find(|q| q.key == *k)).map(|q| q.label.get(lang).to_owned()).collect())
                        .unwrap_or_default(),
                })
                .collect();
            FormGroup { id: g.id.clone(), label: g.label.get(lang).to_owned(), properties }
        })
        .collect()
}

/// The server as text: groups with their labels, then `label  value` lines.
pub fn render_text(server: &ServerFile, lang: Lang) -> String {
    let items = shown(server, lang);
    let width = items.iter().map(|s| s.prop.label.get(lang).chars().count()).max().unwrap_or(10);
    let mut out = String::new();
    for group in &server.profile.groups {
        let in_group: Vec<&Shown> = items.iter().filter(|s| s.prop.group == group.id).collect();
        if in_group.is_empty() {
            continue;
        }
        out.push_str(&format!("▼ {}\n", group.label.get(lang)));
        for s in in_group {
            let label = s.prop.label.get(lang);
            let pad = width - label.chars().count();
            let default = if s.is_default { format!("  ({})", crate::i18n::Msg::ByDefault.get(lang)) } else { String::new() };
            out.push_str(&format!("  {label}{}  {}{default}\n", " ".repeat(pad), s.display));
        }
    }
    out.push_str(&format!("\n{}\n", server.path.display()));
    out
}

/// The server as JSON: name, kind, file and every value by dotted key (secrets masked).
pub fn render_json(server: &ServerFile) -> Value {
    let mut settings = serde_json::Map::new();
    for s in shown(server, Lang::En) {
        settings.insert(s.prop.key.clone(), s.json);
    }
    json!({
        "name": server.name,
        "kind": server.profile.kind,
        "file": server.path,
        "autostart": server.autostart,
        "settings": settings,
    })
}
