//! `obmen kinds`: the kinds of server obmen knows, and every setting of one, from its profile.

use anyhow::anyhow;
use serde_json::json;

use super::{out, table};
use crate::cli::KindsAction;
use crate::config::profile::{self, Lang, PropType, Property};
use crate::exit::CliError;

pub(super) fn run(lang: Lang, action: Option<KindsAction>) -> Result<(), CliError> {
    match action.unwrap_or(KindsAction::List { json: false }) {
        KindsAction::List { json } => list(lang, json),
        KindsAction::Show { kind, json } => show(lang, &kind, json),
    }
}

fn list(lang: Lang, as_json: bool) -> Result<(), CliError> {
    let profiles = profile::profiles();
    if as_json {
        let items: Vec<_> = profiles
            .iter()
            .map(|p| json!({ "id": p.id, "kind": p.kind, "label": { "en": p.label.en, "bg": p.label.bg }, "help": { "en": p.help.en, "bg": p.help.bg } }))
            .collect();
        return out(&format!("{}\n", serde_json::to_string_pretty(&items).map_err(CliError::failed)?));
    }
    let rows: Vec<Vec<String>> = profiles.iter().map(|p| vec![p.id.clone(), p.kind.clone(), p.help.get(lang).to_owned()]).collect();
    let headers = match lang {
        Lang::En => ["ID", "KIND", "WHAT IT DOES"],
        Lang::Bg => ["ID", "ТИП", "КАКВО ПРАВИ"],
    };
    out(&format!("{}\n{}\n", table::render(&headers, &rows), hint(lang)))
}

fn hint(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Every setting of a kind: obmen kinds show KIND",
        Lang::Bg => "Всички настройки на даден тип: obmen kinds show ТИП",
    }
}

/// A property's type as a user writes it.
fn type_word(prop: &Property) -> String {
    match prop.ty {
        PropType::String => "text".into(),
        PropType::Secret => "secret text".into(),
        PropType::Connection => "ODBC connection string".into(),
        PropType::Url => "https address".into(),
        PropType::Path => "file path".into(),
        PropType::Bool => "true/false".into(),
        PropType::Integer => match (prop.min, prop.max) {
            (Some(a), Some(b)) => format!("whole number {a}..{b}"),
            (Some(a), None) => format!("whole number ≥ {a}"),
            _ => "whole number".into(),
        },
        PropType::Enum => "choice".into(),
        PropType::TimeWindow => "HH:MM-HH:MM".into(),
        PropType::Weekdays => "weekdays (mon-fri)".into(),
    }
}

fn default_text(prop: &Property) -> String {
    match &prop.default {
        Some(toml::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    }
}

fn show(lang: Lang, kind: &str, as_json: bool) -> Result<(), CliError> {
    let Some(p) = profile::find(kind) else {
        let known = profile::kind_names().join("\", \"");
        return Err(CliError::usage(anyhow!("'{kind}' is not a kind obmen knows: \"{known}\" (obmen kinds lists them)")));
    };
    if as_json {
        let props: Vec<_> = p
            .properties
            .iter()
            .map(|prop| {
                json!({
                    "key": prop.key,
                    "group": prop.group,
                    "type": type_word(prop),
                    "required": prop.required,
                    "default": prop.default,
                    "choices": prop.values.iter().map(|v| json!({ "value": v.value, "label": { "en": v.label.en, "bg": v.label.bg } })).collect::<Vec<_>>(),
                    "min": prop.min,
                    "max": prop.max,
                    "label": { "en": prop.label.en, "bg": prop.label.bg },
                    "help": { "en": prop.help.en, "bg": prop.help.bg },
                })
            })
            .collect();
        let doc = json!({ "id": p.id, "kind": p.kind, "exactly_one": p.exactly_one, "properties": props });
        return out(&format!("{}\n", serde_json::to_string_pretty(&doc).map_err(CliError::failed)?));
    }
    let mut text = format!("{} ({}): {}\n", p.kind, p.id, p.help.get(lang));
    for group in &p.groups {
        text.push_str(&format!("\n[{}] {}\n", group.id, group.label.get(lang)));
        for prop in p.properties.iter().filter(|prop| prop.group == group.id) {
            let required = match (prop.required, lang) {
                (true, Lang::En) => "  (required)",
                (true, Lang::Bg) => "  (задължително)",
                _ => "",
            };
            text.push_str(&format!("  {}  {}{required}\n", prop.key, prop.label.get(lang)));
            text.push_str(&format!("      {}: {}", if lang == Lang::Bg { "тип" } else { "type" }, type_word(prop)));
            let default = default_text(prop);
            if !default.is_empty() {
                text.push_str(&format!("; {}: {default}", if lang == Lang::Bg { "по подразбиране" } else { "default" }));
            }
            text.push('\n');
            if !prop.values.is_empty() {
                let choices: Vec<String> = prop.values.iter().map(|v| format!("{} ({})", v.value, v.label.get(lang))).collect();
                text.push_str(&format!("      {}: {}\n", if lang == Lang::Bg { "избор" } else { "choices" }, choices.join(", ")));
            }
            text.push_str(&format!("      {}\n", prop.help.get(lang)));
        }
    }
    for set in &p.exactly_one {
        text.push_str(&format!(
            "\n{}: {}\n",
            if lang == Lang::Bg { "Точно едно от" } else { "Exactly one of" },
            set.join(", ")
        ));
    }
    out(&text)
}
