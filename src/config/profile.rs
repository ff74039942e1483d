//! Kind profiles: one file per server kind in `profiles/`, built into the binary (each kind names
//! its own: [`crate::kinds::Kind::profile_source`]). A profile lists
//! a kind's properties with their groups, types, defaults, labels (en, bg, pl) and help; validation,
//! `server show` and the TUI's forms are all driven by it.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// A language for labels and help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Bulgarian (Utility Center's own words).
    Bg,
    /// Polish (BaseLinker's home market: its statuses and names are Polish).
    Pl,
}

/// Every language, with its code and its short name as a UI's switch shows it: a language
/// more is one row here, one variant above, and one more column of the catalogue and of the
/// profiles' labels.
const LANGUAGES: &[(Lang, &str, &str)] = &[(Lang::En, "en", "EN"), (Lang::Bg, "bg", "БГ"), (Lang::Pl, "pl", "PL")];

impl Lang {
    /// Every language, in the order a UI's switch goes through them.
    pub const ALL: &'static [Lang] = &[Lang::En, Lang::Bg, Lang::Pl];

    fn row(self) -> (Lang, &'static str, &'static str) {
        LANGUAGES.iter().copied().find(|(l, _, _)| *l == self).unwrap_or((Lang::En, "en", "EN"))
    }

    /// Its code, as `--lang`, `OBMEN_LANG` and the control API's `Accept-Language` write it.
    pub fn code(self) -> &'static str {
        self.row().1
    }

    /// Its short name, as a UI's language switch shows it (`EN`, `БГ`).
    pub fn short(self) -> &'static str {
        self.row().2
    }

    /// The language of a code or locale (`bg`, `bg-BG`, `bg_BG.UTF-8`, `BG`), if obmen speaks it.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary: String = code.trim().chars().take_while(|c| c.is_ascii_alphabetic()).collect::<String>().to_lowercase();
        LANGUAGES.iter().find(|(_, c, _)| *c == primary).map(|(l, _, _)| *l)
    }

    /// The language after this one, round the list (a UI's switch).
    pub fn next(self) -> Lang {
        let i = Lang::ALL.iter().position(|l| *l == self).unwrap_or(0);
        Lang::ALL.get(i + 1).copied().unwrap_or(Lang::En)
    }

    /// Its place in [`Lang::ALL`].
    pub fn index(self) -> usize {
        Lang::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }
}

/// A text in every language obmen speaks (each required: a profile missing one is a build-time
/// test failure, never a label shown in another language).
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    /// English.
    pub en: String,
    /// Bulgarian.
    pub bg: String,
    /// Polish.
    pub pl: String,
}

impl Labels {
    /// The text in a language.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Bg => &self.bg,
            Lang::Pl => &self.pl,
        }
    }
}

/// A property's type.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PropType {
    /// Free text.
    String,
    /// Text that is never shown (a key).
    Secret,
    /// An ODBC connection string; its password is never shown.
    Connection,
    /// An http(s) address.
    Url,
    /// A file path.
    Path,
    /// true or false.
    Bool,
    /// A whole number within min..=max.
    Integer,
    /// One of `values`.
    Enum,
    /// "HH:MM-HH:MM".
    TimeWindow,
    /// "mon-fri", "mon,wed,sat".
    Weekdays,
    /// Times of day: "06:00, 14:30".
    ClockTimes,
}

impl std::str::FromStr for PropType {
    type Err = String;
    /// A type by its name, as profiles write it.
    fn from_str(s: &str) -> Result<PropType, String> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|e| e.to_string())
    }
}

impl PropType {
    /// Its name, as profiles write it.
    pub fn id(self) -> &'static str {
        match self {
            PropType::String => "string",
            PropType::Secret => "secret",
            PropType::Connection => "connection",
            PropType::Url => "url",
            PropType::Path => "path",
            PropType::Bool => "bool",
            PropType::Integer => "integer",
            PropType::Enum => "enum",
            PropType::TimeWindow => "time_window",
            PropType::Weekdays => "weekdays",
            PropType::ClockTimes => "clock_times",
        }
    }
}

/// One allowed value of an enum property.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The value as written in the file.
    pub value: String,
    /// What it is called.
    pub label: Labels,
}

/// One property of a kind.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Property {
    /// The dotted key, e.g. "rules.import".
    pub key: String,
    /// The group it is shown in.
    pub group: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: PropType,
    /// Must be set in every file (required properties have no default).
    #[serde(default)]
    pub required: bool,
    /// The value a new server gets.
    pub default: Option<toml::Value>,
    /// For enums: the allowed values.
    #[serde(default)]
    pub values: Vec<EnumValue>,
    /// For integers: the smallest allowed.
    pub min: Option<i64>,
    /// For integers: the largest allowed.
    pub max: Option<i64>,
    /// The capability of its kind it needs to apply (`customers`); left out of kinds without it.
    #[serde(default, skip_serializing)]
    pub needs: Option<String>,
    /// Where its choices come from when the account holds them (read through the server by
    /// [`crate::kinds::Server::choices`]; the UI's pick list asks for them), e.g.
    /// `order_statuses`: a value is then picked by name, never typed as a number.
    pub choices_from: Option<String>,
    /// With choices: several may be picked, written separated by commas (the statuses whose
    /// orders are imported, say); none picked is the empty text.
    #[serde(default)]
    pub multiple: bool,
    /// What it is called.
    pub label: Labels,
    /// What it means and what to put there.
    pub help: Labels,
}

impl Property {
    /// True when the value must never be shown as it is.
    pub fn is_secret(&self) -> bool {
        matches!(self.ty, PropType::Secret | PropType::Connection)
    }

    /// The label of an enum value, or the value itself.
    pub fn value_label(&self, value: &str, lang: Lang) -> String {
        self.values.iter().find(|v| v.value == value).map(|v| v.label.get(lang).to_owned()).unwrap_or_else(|| value.to_owned())
    }
}

/// A group of properties, shown together.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Its id, which properties name.
    pub id: String,
    /// What it is called, e.g. "3.0 Exchange rules".
    pub label: Labels,
}

/// A server kind's profile.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// A short id, e.g. "warehouse_pro_shopiko".
    pub id: String,
    /// The kind's name as written in server files.
    pub kind: String,
    /// What it is called.
    pub label: Labels,
    /// What it does.
    pub help: Labels,
    /// Sets of keys of which exactly one must be set.
    #[serde(default)]
    pub exactly_one: Vec<Vec<String>>,
    /// What the kind's shop can do beyond orders, goods and stock (`customers`): properties
    /// that need what it cannot are not in its profile.
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Groups, in display order.
    pub groups: Vec<Group>,
    /// Properties, in display order.
    pub properties: Vec<Property>,
}

impl Profile {
    /// The property with this dotted key.
    pub fn property(&self, key: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.key == key)
    }

    /// The property keys closest to a mistyped one (for "did you mean").
    pub fn suggest(&self, key: &str) -> Option<&str> {
        self.properties.iter().map(|p| (strsim_distance(&p.key, key), p.key.as_str())).filter(|(d, _)| *d <= 3).min_by_key(|(d, _)| *d).map(|(_, k)| k)
    }
}

/// Levenshtein distance, for suggestions (the lists are short; no crate needed).
fn strsim_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A profile as its file holds it: a kind's (with its id, name, label and help, the fragments it
/// includes and its shop's capabilities), or a fragment of profiles that several kinds share
/// (groups and properties only, e.g. `warehouse_pro`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct ProfileFile {
    id: String,
    kind: String,
    label: Labels,
    help: Labels,
    include: Vec<String>,
    capabilities: Vec<String>,
    exactly_one: Vec<Vec<String>>,
    groups: Vec<Group>,
    properties: Vec<Property>,
}

/// Reads a kind's profile: its fragments' groups and properties first, in their order, then the
/// kind's own; a group or property the kind declares again (same id or key) replaces the
/// fragment's in its place; a property that needs a capability the kind does not list is left
/// out (with it, from the sets of which exactly one is required).
pub fn load(text: &str, fragment: impl Fn(&str) -> Option<&'static str>) -> Result<Profile, String> {
    let file: ProfileFile = toml::from_str(text).map_err(|e| e.to_string())?;
    if file.id.is_empty() || file.kind.is_empty() {
        return Err("it names no kind (id and kind are required)".into());
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut properties: Vec<Property> = Vec::new();
    let mut exactly_one = Vec::new();
    for name in &file.include {
        let source = fragment(name).ok_or_else(|| format!("it includes '{name}', which is no fragment obmen has"))?;
        let f: ProfileFile = toml::from_str(source).map_err(|e| format!("its fragment '{name}': {e}"))?;
        if !f.id.is_empty() || !f.include.is_empty() {
            return Err(format!("its fragment '{name}' is a kind's profile, not a fragment"));
        }
        groups.extend(f.groups);
        properties.extend(f.properties);
        exactly_one.extend(f.exactly_one);
    }
    for g in file.groups {
        match groups.iter_mut().find(|x| x.id == g.id) {
            Some(x) => *x = g,
            None => groups.push(g),
        }
    }
    for p in file.properties {
        match properties.iter_mut().find(|x| x.key == p.key) {
            Some(x) => *x = p,
            None => properties.push(p),
        }
    }
    exactly_one.extend(file.exactly_one);
    let (kept, left_out): (Vec<Property>, Vec<Property>) = properties.into_iter().partition(|p| p.needs.as_ref().is_none_or(|n| file.capabilities.contains(n)));
    for set in &mut exactly_one {
        set.retain(|k| !left_out.iter().any(|p| &p.key == k));
    }
    exactly_one.retain(|set| !set.is_empty());
    Ok(Profile { id: file.id, kind: file.kind, label: file.label, help: file.help, exactly_one, capabilities: file.capabilities, groups, properties: kept })
}

/// Every built-in profile. A broken built-in profile is a bug in obmen, caught by its tests.
// The profiles are compiled in, and a test reads every one: a broken one never ships.
#[allow(clippy::panic)]
pub fn profiles() -> &'static [Profile] {
    PROFILES.get_or_init(|| {
        LOADING.with(|l| l.set(true));
        let all = crate::kinds::Kind::ALL
            .iter()
            .map(|k| k.profile_source())
            .map(|(file, text)| load(text, crate::kinds::fragment_source).unwrap_or_else(|e| panic!("built-in profile {file} is broken: {e}")))
            .collect();
        LOADING.with(|l| l.set(false));
        all
    })
}

static PROFILES: OnceLock<Vec<Profile>> = OnceLock::new();

thread_local! {
    /// True while this thread reads the built-in profiles: a message worded meanwhile (a broken
    /// profile's error) names keys as they are, not by labels it would need the profiles for.
    static LOADING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The label of a setting, by its dotted key, in a language (`rules.max_amount` is „Най-голяма
/// сума на поръчка“): the first built-in profile that has the key says it. None for a key no
/// profile has, and while the profiles are being read.
pub fn key_label(key: &str, lang: Lang) -> Option<&'static str> {
    if LOADING.with(std::cell::Cell::get) {
        return None;
    }
    profiles().iter().flat_map(|p| p.properties.iter()).find(|p| p.key == key).map(|p| p.label.get(lang))
}

/// The profile of a kind, by its name or id, without case.
pub fn find(kind: &str) -> Option<&'static Profile> {
    let wanted = normalise(kind);
    profiles().iter().find(|p| normalise(&p.kind) == wanted || normalise(&p.id) == wanted)
}

/// A name as compared: lowercase, without spaces, '_' or '-' ("Warehouse Pro Import Export
/// Shopiko", as Microinvest's guide spells it, is "WarehousePro Import Export Shopiko").
pub fn normalise(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace() && *c != '_' && *c != '-' && *c != '\'').flat_map(char::to_lowercase).collect()
}

/// The kinds obmen knows, for error messages.
pub fn kind_names() -> Vec<&'static str> {
    profiles().iter().map(|p| p.kind.as_str()).collect()
}

/// The configuration reference, `docs/configuration.md`: every kind's every setting, made from
/// the profiles (a test holds the file to it; `OBMEN_UPDATE_DOCS=1 cargo test --lib` rewrites it).
pub fn reference() -> String {
    let mut t = String::from(
        "# Configuration reference\n\nMade from the kind profiles in `profiles/` (do not edit: \
         `OBMEN_UPDATE_DOCS=1 cargo test --lib reference` makes it again). A server is one file, \
         `servers/NAME.toml` in obmen's home; `obmen kinds show KIND` prints the same in English or \
         Bulgarian (`--lang bg`). Paths are relative to the home. Choices may be given to `--set` \
         by their value or their label in either language; files hold the value.\n",
    );
    for p in profiles() {
        t.push_str(&format!("\n## {} (`{}`)\n\n{}\n\n{}\n", p.kind, p.id, p.help.en, p.help.bg));
        for group in &p.groups {
            t.push_str(&format!("\n### {} / {}\n\n", group.label.en, group.label.bg));
            for prop in p.properties.iter().filter(|prop| prop.group == group.id) {
                let mut facts = vec![crate::i18n::Msg::type_word(prop, Lang::En)];
                if prop.required {
                    facts.push("required".into());
                }
                if let Some(d) = &prop.default {
                    facts.push(format!(
                        "default `{}`",
                        match d {
                            toml::Value::String(s) => s.clone(),
                            v => v.to_string(),
                        }
                    ));
                }
                t.push_str(&format!("- `{}` ({}): {} / {}. {}", prop.key, facts.join(", "), prop.label.en, prop.label.bg, prop.help.en));
                if !prop.values.is_empty() {
                    let choices: Vec<String> = prop.values.iter().map(|v| format!("`{}` ({} / {})", v.value, v.label.en, v.label.bg)).collect();
                    t.push_str(&format!(" Choices: {}.", choices.join(", ")));
                }
                t.push('\n');
            }
        }
        for set in &p.exactly_one {
            t.push_str(&format!("\nExactly one of: {}.\n", set.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")));
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_reference_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md");
        let want = reference();
        if std::env::var_os("OBMEN_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(have == want, "docs/configuration.md is out of date: run OBMEN_UPDATE_DOCS=1 cargo test --lib reference");
    }

    /// A kind's profile is its fragments' groups and properties, then its own; one it declares
    /// again replaces the fragment's in its place; a fragment obmen lacks is an error.
    #[test]
    fn a_profile_includes_its_fragments_and_may_word_their_properties_its_own_way() {
        // One property as a profile writes it, with what else it carries.
        let prop = |key: &str, group: &str, more: &str| {
            format!("{{ key = \"{key}\", group = \"{group}\", type = \"string\", label = {{ en = \"{key}\", bg = \"{key}\", pl = \"{key}\" }}, help = {{ en = \"{key}\", bg = \"{key}\", pl = \"{key}\" }}{more} }}")
        };
        let fragment: &'static str = Box::leak(
            format!(
                "groups = [{{ id = \"general\", label = {{ en = \"1.0 General\", bg = \"1.0.Общи\", pl = \"1.0.Общи\" }} }}]\nproperties = [{}, {}]\n",
                prop("a", "general", ""),
                prop("b", "general", ", default = \"the shop\"")
            )
            .into_boxed_str(),
        );
        let kind = format!(
            "id = \"k\"\nkind = \"K\"\nlabel = {{ en = \"K\", bg = \"К\", pl = \"К\" }}\nhelp = {{ en = \"k\", bg = \"к\", pl = \"к\" }}\ninclude = [\"shared\"]\n\
             groups = [{{ id = \"shop\", label = {{ en = \"4.0 Shop\", bg = \"4.0.Магазин\", pl = \"4.0.Магазин\" }} }}]\nproperties = [{}, {}]\n",
            prop("c", "shop", ""),
            prop("b", "general", ", default = \"Shopiko\"")
        );
        let kind = kind.as_str();
        let p = load(kind, |name| (name == "shared").then_some(fragment)).unwrap();
        assert_eq!(p.groups.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(), ["general", "shop"]);
        assert_eq!(p.properties.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(p.property("b").unwrap().default, Some(toml::Value::String("Shopiko".into())));
        let e = load(kind, |_| None).unwrap_err();
        assert!(e.contains("'shared'"), "{e}");
        // A property that needs what the kind's shop cannot do is not in its profile.
        let needy = fragment.replace("key = \"a\", group = \"general\",", "key = \"a\", group = \"general\", needs = \"customers\",");
        assert_ne!(needy, fragment);
        let without = load(kind, |_| Some(needy.as_str()).map(|s| &*Box::leak(s.to_owned().into_boxed_str()))).unwrap();
        assert_eq!(without.properties.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(), ["b", "c"]);
        let with = load(&kind.replace("include = [\"shared\"]", "include = [\"shared\"]\ncapabilities = [\"customers\"]"), |_| {
            Some(&*Box::leak(needy.clone().into_boxed_str()))
        })
        .unwrap();
        assert_eq!(with.properties.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        // The built-in fragments are whole on their own.
        assert!(crate::kinds::fragment_source("warehouse_pro").is_some_and(|f| toml::from_str::<ProfileFile>(f).is_ok_and(|f| f.id.is_empty())));
    }

    #[test]
    fn built_in_profiles_are_consistent() {
        for p in profiles() {
            for prop in &p.properties {
                assert!(p.groups.iter().any(|g| g.id == prop.group), "{}: unknown group {}", prop.key, prop.group);
                assert!(!(prop.required && prop.default.is_some()), "{}: required with a default", prop.key);
                for lang in Lang::ALL {
                    assert!(!prop.label.get(*lang).trim().is_empty(), "{}: label in {lang:?}", prop.key);
                    assert!(!prop.help.get(*lang).trim().is_empty(), "{}: help in {lang:?}", prop.key);
                    for v in &prop.values {
                        assert!(!v.label.get(*lang).trim().is_empty(), "{} = {}: label in {lang:?}", prop.key, v.value);
                    }
                }
                if prop.ty == PropType::Enum {
                    assert!(!prop.values.is_empty(), "{}: enum without values", prop.key);
                }
            }
            for lang in Lang::ALL {
                assert!(!p.label.get(*lang).trim().is_empty() && !p.help.get(*lang).trim().is_empty(), "{}: the kind's label and help in {lang:?}", p.id);
                for g in &p.groups {
                    assert!(!g.label.get(*lang).trim().is_empty(), "{}: group {} in {lang:?}", p.id, g.id);
                }
            }
            for set in &p.exactly_one {
                for key in set {
                    assert!(p.property(key).is_some(), "exactly_one names unknown {key}");
                }
            }
        }
        assert!(find("warehousepro import export shopiko").is_some());
        assert!(find("warehouse_pro_shopiko").is_some());
    }

    #[test]
    fn suggestions() {
        let p = find("warehouse_pro_shopiko").unwrap();
        assert_eq!(p.suggest("rules.imprt"), Some("rules.import"));
        assert_eq!(p.suggest("zzzzzzzzzz"), None);
    }
}
