//! Showing a server: its properties by group, labelled in a language, with secrets masked; as
//! text for people and as JSON for scripts. Nothing here ever prints a secret.

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
    let mut out = Vec::new();
    for prop in &server.profile.properties {
        let (value, is_default) = match server.get(&prop.key) {
            Some(v) => (v.clone(), false),
            None => match &prop.default {
                Some(d) => (d.clone(), true),
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
            (_, toml::Value::String(s)) => (s.clone(), json!(s)),
            (_, toml::Value::Integer(i)) => (i.to_string(), json!(i)),
            (_, other) => (other.to_string(), json!(other.to_string())),
        };
        out.push(Shown { prop, display, json, is_default });
    }
    out
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
            let default = if s.is_default { match lang { Lang::En => "  (default)", Lang::Bg => "  (по подразбиране)" } } else { "" };
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
