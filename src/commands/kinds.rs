//! `obmen kinds`: the kinds of server obmen knows, and every setting of one, from its profile.

use anyhow::anyhow;
use serde_json::json;

use super::{out, table};
use crate::cli::KindsAction;
use crate::config::profile::{self, Lang, Property};
use crate::exit::CliError;
use crate::i18n::Msg;

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
    let headers = ["ID", Msg::Kind.get(lang), Msg::WhatItDoes.get(lang)];
    out(&format!("{}\n{}\n", table::render(&headers, &rows), Msg::KindsHint.get(lang)))
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
        let known = format!("\"{}\"", profile::kind_names().join("\", \""));
        return Err(CliError::usage(anyhow!("{}", Msg::NotAKind.with(lang, &[("kind", &kind), ("known", &known)]))));
    };
    if as_json {
        let props: Vec<_> = p
            .properties
            .iter()
            .map(|prop| {
                json!({
                    "key": prop.key,
                    "group": prop.group,
                    "type": Msg::type_word(prop, Lang::En),
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
            let required = if prop.required { format!("  ({})", Msg::Required.get(lang)) } else { String::new() };
            text.push_str(&format!("  {}  {}{required}\n", prop.key, prop.label.get(lang)));
            text.push_str(&format!("      {}: {}", Msg::Type.get(lang), Msg::type_word(prop, lang)));
            let default = default_text(prop);
            if !default.is_empty() {
                text.push_str(&format!("; {}: {default}", Msg::Default.get(lang)));
            }
            text.push('\n');
            if !prop.values.is_empty() {
                let choices: Vec<String> = prop.values.iter().map(|v| format!("{} ({})", v.value, v.label.get(lang))).collect();
                text.push_str(&format!("      {}: {}\n", Msg::Choices.get(lang), choices.join(", ")));
            }
            text.push_str(&format!("      {}\n", prop.help.get(lang)));
        }
    }
    for set in &p.exactly_one {
        text.push_str(&format!("\n{}: {}\n", Msg::ExactlyOneOf.get(lang), set.join(", ")));
    }
    out(&text)
}
