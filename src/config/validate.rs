//! Validation of a server file against its kind's profile. Every problem is collected (not only
//! the first), and each names the file and the field: unknown keys (with a "did you mean"),
//! wrong types, values out of range or not among the choices, missing required fields, and the
//! rules between fields.

use std::path::Path;

use super::profile::{self, PropType, Property};
use super::schedule::{TimeWindow, Weekdays};
use super::{check_name, lookup, ConfigError, ConfigErrors, ServerFile};
use crate::i18n::{current, Msg};

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
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = text.get(..end).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let col = before.chars().rev().take_while(|c| *c != '\n').count() + 1;
    (line, col)
}

/// Validates a parsed server file.
pub fn validate_table(path: &Path, table: toml::Table) -> Result<ServerFile, ConfigErrors> {
    let mut errors = Vec::new();
    let err = |field: &str, msg: String| ConfigError::field(path, field, msg);
    let lang = crate::i18n::current();

    let kind = match table.get("kind") {
        None => return Err(err("kind", Msg::MissingKind.with(lang, &[("kind", &profile::kind_names().first().copied().unwrap_or_default())])).into()),
        Some(toml::Value::String(k)) => k.clone(),
        Some(other) => return Err(err("kind", Msg::MustBeText.with(lang, &[("found", &type_name(other))])).into()),
    };
    let Some(profile) = profile::find(&kind) else {
        let known = profile::kind_names().iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ");
        return Err(err("kind", Msg::NotAKnownKind.with(lang, &[("kind", &kind), ("known", &known)])).into());
    };
    if kind != profile.kind {
        errors.push(err("kind", Msg::WriteKindAs.with(lang, &[("kind", &profile.kind)])));
    }

    // Unknown keys, and sections that are not tables.
    let mut leaves = Vec::new();
    collect_leaves(&table, "", &mut leaves);
    for (key, value) in &leaves {
        if profile.property(key).is_none() {
            let section = key.split('.').next().unwrap_or("");
            let is_section = profile.properties.iter().any(|p| p.key.starts_with(&format!("{key}.")));
            let msg = if is_section {
                Msg::MustBeSection.with(lang, &[("key", key), ("found", &type_name(value))])
            } else {
                match profile.suggest(key) {
                    Some(s) => Msg::UnknownKeyDidYouMean.with(lang, &[("key", &s)]),
                    None if !section.is_empty() && section != key && !profile.properties.iter().any(|p| p.key.starts_with(&format!("{section}."))) => {
                        Msg::UnknownSection.with(lang, &[("section", &section)])
                    }
                    None => Msg::UnknownKey.get(lang).to_owned(),
                }
            };
            errors.push(err(key, msg));
        }
    }

    for prop in &profile.properties {
        match lookup(&table, &prop.key) {
            None if prop.required => errors.push(err(&prop.key, Msg::Missing.with(lang, &[("help", &prop.help.get(lang))]))),
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
            0 => errors.push(err(&set[0], Msg::ExactlyOneMissing.with(lang, &[("names", &names)]))),
            _ => {
                let given = present.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" and ");
                errors.push(err(present[1], Msg::OnlyOneOf.with(lang, &[("names", &names), ("present", &given)])))
            }
        }
    }

    // The name is the file's name.
    let name = table.get("name").and_then(|v| v.as_str()).unwrap_or("").to_owned();
    if !name.is_empty() {
        if let Err(msg) = check_name(&name) {
            errors.push(err("name", msg));
        } else if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
            if stem != name {
                errors.push(err("name", Msg::NotTheFileName.with(lang, &[("name", &name), ("stem", &stem)])));
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

/// The longest text any setting may hold, in characters.
pub const MAX_TEXT_CHARS: usize = 2048;

/// The attribute=value pairs of an ODBC connection string, as the driver manager reads them:
/// `;` separates pairs, a value in braces may hold `;` and `}}` stands for `}`. Refused: a NUL,
/// braces that do not close, a pair without `=`, and more than one of DRIVER, DSN and FILEDSN
/// (unixODBC takes a later one over the first and loads whatever library it names).
pub fn parse_connection(s: &str) -> Result<Vec<(String, String)>, String> {
    if s.contains('\0') {
        return Err(Msg::ConnNul.get(current()).to_owned());
    }
    let mut pairs = Vec::new();
    let mut rest = s;
    while !rest.trim().is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            return Err(Msg::ConnNotPair.with(current(), &[("text", &rest.trim())]));
        };
        let key = key.trim();
        if key.is_empty() || key.contains(['{', '}', ';']) {
            return Err(Msg::ConnBadName.with(current(), &[("key", &key)]));
        }
        let (value, next) = if let Some(inner) = after.trim_start().strip_prefix('{') {
            // Up to the brace that closes it; '}}' inside stands for '}'.
            let mut value = String::new();
            let mut chars = inner.char_indices().peekable();
            let mut tail = None;
            while let Some((i, c)) = chars.next() {
                if c == '}' {
                    if matches!(chars.peek(), Some((_, '}'))) {
                        value.push('}');
                        chars.next();
                        continue;
                    }
                    tail = inner.get(i + c.len_utf8()..);
                    break;
                }
                value.push(c);
            }
            let Some(tail) = tail else {
                return Err(Msg::ConnBraceOpen.with(current(), &[("key", &key)]));
            };
            let tail = match tail.trim_start().strip_prefix(';') {
                Some(t) => t,
                None if tail.trim().is_empty() => "",
                None => return Err(Msg::ConnAfterBrace.with(current(), &[("key", &key)])),
            };
            (value, tail)
        } else {
            let (value, next) = after.split_once(';').unwrap_or((after, ""));
            if value.contains(['{', '}']) {
                return Err(Msg::ConnStrayBrace.with(current(), &[("key", &key)]));
            }
            (value.trim().to_owned(), next)
        };
        pairs.push((key.to_owned(), value));
        rest = next;
    }
    let named: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).filter(|k| ["driver", "dsn", "filedsn"].contains(&k.to_lowercase().as_str())).collect();
    match named.len() {
        0 => Err(Msg::ConnNoDriver.get(current()).to_owned()),
        1 => Ok(pairs),
        _ => Err(Msg::ConnTwoDrivers.with(current(), &[("named", &named.join(" and "))])),
    }
}

/// True when the host of an address is this machine (127.0.0.0/8, ::1, localhost).
pub(crate) fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks a shop address: https, or http only on this machine; no user or password in it.
pub fn check_url(s: &str) -> Result<(), String> {
    let bad = || Msg::UrlBad.with(current(), &[("url", &s)]);
    if s.contains(char::is_whitespace) {
        return Err(bad());
    }
    let url = reqwest::Url::parse(s).map_err(|_| bad())?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Msg::UrlCredentials.get(current()).to_owned());
    }
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(bad)?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err(Msg::UrlPlain.with(current(), &[("url", &s)])),
        _ => Err(bad()),
    }
}

/// Checks one value against its property; the error says what to write instead.
pub fn check_value(file: &Path, prop: &Property, value: &toml::Value) -> Result<(), String> {
    let lang = crate::i18n::current();
    let text = || -> Result<&str, String> {
        let s = value.as_str().ok_or_else(|| Msg::MustBeText.with(lang, &[("found", &type_name(value))]))?;
        if s.contains('\0') {
            return Err(Msg::HoldsNul.get(lang).to_owned());
        }
        let n = s.chars().count();
        if n > MAX_TEXT_CHARS {
            return Err(Msg::TooLong.with(lang, &[("n", &n), ("max", &MAX_TEXT_CHARS)]));
        }
        Ok(s)
    };
    match prop.ty {
        PropType::String | PropType::Secret => {
            let s = text()?;
            if s.trim().is_empty() && (prop.required || prop.ty == PropType::Secret) {
                return Err(Msg::IsEmpty.get(lang).to_owned());
            }
        }
        PropType::Connection => {
            let s = text()?;
            if s.trim().is_empty() {
                return Err(Msg::ConnEmpty.get(lang).to_owned());
            }
            if !s.contains('=') {
                return Err(Msg::ConnNotOdbc.get(lang).to_owned());
            }
            parse_connection(s)?;
        }
        PropType::Url => check_url(text()?)?,
        PropType::Path => {
            let s = text()?;
            if s.trim().is_empty() {
                return Err(Msg::IsEmpty.get(lang).to_owned());
            }
            let full = super::relative_to(file, s);
            if !full.is_file() {
                return Err(Msg::NoFileAt.with(lang, &[("path", &full.display())]));
            }
        }
        PropType::Bool => {
            if !value.is_bool() {
                return Err(Msg::MustBeBool.with(lang, &[("found", &type_name(value))]));
            }
        }
        PropType::Integer => {
            let n = value.as_integer().ok_or_else(|| Msg::MustBeNumber.with(lang, &[("found", &type_name(value))]))?;
            let (min, max) = (prop.min.unwrap_or(i64::MIN), prop.max.unwrap_or(i64::MAX));
            if n < min || n > max {
                return Err(Msg::OutOfRange.with(lang, &[("n", &n), ("min", &min), ("max", &max)]));
            }
        }
        PropType::Enum => {
            let s = text()?;
            if !prop.values.iter().any(|v| v.value == s) {
                let choices = prop.values.iter().map(|v| v.value.as_str()).collect::<Vec<_>>().join(", ");
                // A label ('Не стартирай') is understood by --set, but a file holds the value.
                return Err(match super::edit::enum_value(prop, s) {
                    Some(v) => Msg::NotAChoiceWrite.with(lang, &[("value", &s), ("choices", &choices), ("canonical", &v)]),
                    None => Msg::NotAChoice.with(lang, &[("value", &s), ("choices", &choices)]),
                });
            }
        }
        PropType::TimeWindow => {
            text()?.parse::<TimeWindow>()?;
        }
        PropType::Weekdays => {
            text()?.parse::<Weekdays>()?;
        }
        PropType::ClockTimes => {
            text()?.parse::<super::schedule::ClockTimes>()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings_are_read_as_the_driver_manager_reads_them() {
        let pairs = parse_connection("Driver={MariaDB Unicode};Server=127.0.0.1;Pwd={a;b}}c};").unwrap();
        assert_eq!(pairs[0], ("Driver".into(), "MariaDB Unicode".into()));
        assert_eq!(pairs[2], ("Pwd".into(), "a;b}c".into()));
        assert!(parse_connection("DSN=shop").is_ok());
        for (bad, why) in [
            ("Driver=x;Driver=/tmp/evil.so;", "more than one"),
            ("DSN=a;Driver=b", "more than one"),
            ("Server=h;Database=d", "no Driver and no DSN"),
            ("Driver={MariaDB Unicode;Server=h", "never closes"),
            ("Driver=x;Pwd=a}b", "holds a brace"),
            ("Driver=x;Pwd={a}b;", "goes on after"),
            ("Driver=x;\0", "NUL"),
            ("Driver=x;oops", "not an attribute=value pair"),
        ] {
            let e = parse_connection(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn shop_addresses_are_https_but_on_this_machine() {
        assert!(check_url("https://shop.example.bg/api").is_ok());
        assert!(check_url("http://127.0.0.1:8080/api").is_ok());
        assert!(check_url("http://localhost/api").is_ok());
        assert!(check_url("http://[::1]:9/api").is_ok());
        assert!(check_url("http://shop.example.bg/api").unwrap_err().contains("not encrypted"));
        assert!(check_url("https://user:secret@shop.example.bg/api").unwrap_err().contains("user name or password"));
        assert!(check_url("https://user@shop.example.bg/").unwrap_err().contains("user name or password"));
        assert!(check_url("ftp://shop.example.bg/").is_err());
        assert!(check_url("shop.example.bg").is_err());
        assert!(check_url("https:// shop").is_err());
    }

    /// A valid server file to take apart.
    const VALID: &str = r#"name = "Shop"
kind = "WarehousePro Import Export Shopiko"
[database]
dialect = "mysql"
connection = "Driver={MariaDB Unicode};Server=127.0.0.1;Database=wh;Uid=wh;Pwd=x"
[rules]
import = "on_start"
object = "Централен Склад"
hours = "08:00-20:00"
weekdays = "mon-fri"
[shopiko]
url = "https://shop.example.bg/api"
api_id = "3267435611954348033"
key = "a-shop-key"
"#;

    /// TOML's basic string with these characters, escaped so that any text goes in.
    fn toml_string(v: &str) -> String {
        toml::Value::String(v.to_owned()).to_string()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        /// Any text at all as a server file: validated or refused naming the file, never a panic.
        #[test]
        fn any_text_is_validated_or_refused_without_panic(text in proptest::prelude::any::<String>()) {
            if let Err(e) = validate_text(Path::new("servers/Shop.toml"), &text) {
                proptest::prop_assert!(e.to_string().contains("servers/Shop.toml"));
            }
        }

        /// Any text (Cyrillic, emoji, control characters, long runs) as the value of any key of
        /// a valid file: validated or refused naming the file and that field.
        #[test]
        fn any_value_of_any_key_is_validated_or_refused_with_the_field(
            line in 0usize..14,
            value in proptest::prelude::prop_oneof![
                proptest::prelude::any::<String>(),
                "[а-яА-Я0-9 ,:-]{0,40}",
                "\\PC{0,200}",
            ],
        ) {
            let lines: Vec<&str> = VALID.lines().collect();
            let Some((key, _)) = lines.get(line).and_then(|l| l.split_once(" = ")) else { return Ok(()) };
            let text: String = lines.iter().enumerate().map(|(i, l)| if i == line { format!("{key} = {}\n", toml_string(&value)) } else { format!("{l}\n") }).collect();
            if let Err(e) = validate_text(Path::new("servers/Shop.toml"), &text) {
                let said = e.to_string();
                proptest::prop_assert!(said.contains("servers/Shop.toml"), "{}", said);
                proptest::prop_assert!(said.contains(key) || key == "name" || key == "kind", "{}: {}", key, said);
            }
        }
    }

    #[test]
    fn a_megabyte_value_is_refused_with_its_field() {
        let big = "я".repeat(1 << 19);
        let text = VALID.replace("\"Централен Склад\"", &toml_string(&big));
        let e = validate_text(Path::new("servers/Shop.toml"), &text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("servers/Shop.toml") && e.contains("rules.object"), "{}", e.chars().take(300).collect::<String>());
        assert!(validate_text(Path::new("servers/Shop.toml"), VALID).is_ok());
    }
}
