//! The one catalogue of the words obmen's own commands say, in English, Bulgarian (Utility
//! Center's words where it has them: `../shared/glossary-bg.md`) and Polish (BaseLinker's home
//! market). The command line, the daemon and the TUI use it; kinds label their settings in their
//! profiles, in the same languages.
//!
//! Written by hand rather than with fluent or rust-i18n: each message is a variant of [`Msg`],
//! so a missing or misspelt key is a compile error, the languages sit side by side in one place
//! (a column each, in the order of [`Lang::ALL`]), and nothing is loaded at run time by a binary
//! that runs unattended for months. The arguments are named (`{server}`) and filled by
//! [`Msg::with`]; a test holds every message to having every language's text and the same
//! arguments in each.

use crate::config::profile::Lang;

/// The language of this process, set once at its start ([`set_current`]): messages made deep in
/// the library (a validation error, say) are worded in it without every caller passing it down.
static CURRENT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Sets the process's language (the binary does, from [`resolve`]).
pub fn set_current(lang: Lang) {
    CURRENT.store(lang.index() as u8, std::sync::atomic::Ordering::Relaxed);
}

tokio::task_local! {
    /// The language of the caller whose request this task answers ([`asked`]).
    static ASKED: Lang;
}

/// Runs `f` with [`current`] answering `lang` in this task and what it awaits: the daemon
/// answers each control request in its caller's language.
pub async fn asked<F: std::future::Future>(lang: Lang, f: F) -> F::Output {
    ASKED.scope(lang, f).await
}

thread_local! {
    /// The language of the work this thread does now, over the process's ([`speaking`]).
    static SPEAKING: std::cell::Cell<Option<Lang>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with [`current`] answering `lang` on this thread: the daemon words a validation for
/// the UI that asked in that UI's language. `f` must not await (it is synchronous).
pub fn speaking<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Lang>);
    impl Drop for Restore {
        fn drop(&mut self) {
            SPEAKING.with(|s| s.set(self.0));
        }
    }
    let _restore = Restore(SPEAKING.with(|s| s.replace(Some(lang))));
    f()
}

/// The language to word a message in: the work's ([`speaking`]), else the caller's whose
/// request this task answers ([`asked`]), else the process's, English until [`set_current`]
/// says otherwise. This is the one way code finds the language; the ways a person chooses it
/// all end here: `--lang`, `OBMEN_LANG` or the locale for the command line ([`resolve`]), and a
/// UI's `Accept-Language` for the daemon.
pub fn current() -> Lang {
    if let Some(l) = SPEAKING.with(std::cell::Cell::get) {
        return l;
    }
    if let Ok(l) = ASKED.try_with(|l| *l) {
        return l;
    }
    Lang::ALL.get(usize::from(CURRENT.load(std::sync::atomic::Ordering::Relaxed))).copied().unwrap_or_default()
}

/// The language to speak: `--lang` (or `OBMEN_LANG`, which clap reads into it), else the
/// locale's `LC_ALL`, `LC_MESSAGES` or `LANG` (`bg_BG.UTF-8` is Bulgarian), else English.
pub fn resolve(lang: Option<Lang>) -> Lang {
    if let Some(l) = lang {
        return l;
    }
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(v) = std::env::var(var) {
            if v.is_empty() {
                continue;
            }
            return Lang::from_code(&v).unwrap_or_default();
        }
    }
    Lang::En
}

macro_rules! catalogue {
    ($($key:ident => $en:literal $(, $other:literal)*;)*) => {
        /// A message of obmen's own.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg {
            $(
                #[doc = $en]
                $key,
            )*
        }

        impl Msg {
            /// Every message, for the catalogue's own tests.
            pub const ALL: &'static [Msg] = &[$(Msg::$key,)*];

            /// The message's texts, one a language in the order of [`Lang::ALL`] (English first).
            fn texts(self) -> &'static [&'static str] {
                match self {
                    $(
                        Msg::$key => &[$en $(, $other)*],
                    )*
                }
            }

            /// The text in a language, arguments unfilled; English where the catalogue has no
            /// column for the language yet.
            pub fn text(self, lang: Lang) -> &'static str {
                let texts = self.texts();
                texts.get(lang.index()).or(texts.first()).copied().unwrap_or("")
            }
        }
    };
}

impl Msg {
    /// The text in a language with its arguments filled: `{name}` takes the value given for
    /// `name`.
    pub fn with(self, lang: Lang, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut text = self.text(lang).to_owned();
        let values: Vec<(&str, String)> = args.iter().map(|(name, value)| (*name, value.to_string())).collect();
        for (name, value) in &values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        labelled(&plural_forms(&text, lang, &values), lang)
    }

    /// A setting's type as a user writes it (`whole number 1..600`).
    pub fn type_word(prop: &crate::config::profile::Property, lang: Lang) -> String {
        use crate::config::profile::PropType;
        let word = match prop.ty {
            PropType::String => Msg::TypeText,
            PropType::Secret => Msg::TypeSecret,
            PropType::Connection => Msg::TypeConnection,
            PropType::Url => Msg::TypeUrl,
            PropType::Path => Msg::TypePath,
            PropType::Bool => Msg::TypeBool,
            PropType::Integer => Msg::TypeInteger,
            PropType::Enum => Msg::TypeChoice,
            PropType::TimeWindow => Msg::TypeWindow,
            PropType::Weekdays => Msg::TypeWeekdays,
            PropType::ClockTimes => Msg::TypeClockTimes,
        }
        .get(lang);
        match (prop.ty, prop.min, prop.max) {
            (PropType::Integer, Some(a), Some(b)) => format!("{word} {a}..{b}"),
            (PropType::Integer, Some(a), None) => format!("{word} ≥ {a}"),
            _ => word.to_owned(),
        }
    }

    /// A run phase's name (as the API writes it: `import`, `export`, `nomenclature`) in a language.
    pub fn phase_word(phase: &str, lang: Lang) -> String {
        match phase {
            "import" => Msg::JobImport.get(lang).to_owned(),
            "export" => Msg::JobExport.get(lang).to_owned(),
            "nomenclature" => Msg::PhaseNomenclature.get(lang).to_owned(),
            other => other.to_owned(),
        }
    }

    /// The text in a language, for messages without arguments.
    pub fn get(self, lang: Lang) -> &'static str {
        self.text(lang)
    }

    /// A run's outcome as a person reads it (`успешен`, `partly done`).
    pub fn outcome_word(outcome: crate::state::Outcome, lang: Lang) -> &'static str {
        use crate::state::Outcome;
        match outcome {
            Outcome::Ok => Msg::OutcomeOk,
            Outcome::Partial => Msg::OutcomePartial,
            Outcome::Failed => Msg::OutcomeFailed,
            Outcome::Stopped => Msg::OutcomeStopped,
            Outcome::Interrupted => Msg::OutcomeInterrupted,
            Outcome::Running => Msg::OutcomeRunning,
        }
        .get(lang)
    }

    /// A log line's level as a person reads it (`инфо`, `внимание`, `грешка`).
    pub fn level_word(level: crate::logs::Level, lang: Lang) -> &'static str {
        use crate::logs::Level;
        match level {
            Level::Debug => Msg::LevelDebug,
            Level::Info => Msg::LevelInfo,
            Level::Warn => Msg::LevelWarn,
            Level::Error => Msg::LevelError,
        }
        .get(lang)
    }

    /// A level's word padded to the width of the language's longest, for a column of log lines.
    pub fn level_column(level: crate::logs::Level, lang: Lang) -> String {
        use crate::logs::Level;
        let width = [Level::Info, Level::Warn, Level::Error].map(|l| Msg::level_word(l, lang).chars().count()).into_iter().max().unwrap_or(5);
        format!("{:<width$}", Msg::level_word(level, lang))
    }

    /// What a call to the shop was doing, as a person reads it, by the name the client gives
    /// the call (`products`: `reading the shop's products`); a name it does not know as it is.
    pub fn shop_call(call: &str, lang: Lang) -> String {
        let m = match call {
            "ping" => Msg::CallPing,
            "products" => Msg::CallProducts,
            "customers" => Msg::CallCustomers,
            "orders" => Msg::CallOrders,
            "acknowledge" | "acknowledgements" => Msg::CallAcknowledge,
            "stock batch" => Msg::CallStock,
            other => return other.to_owned(),
        };
        m.get(lang).to_owned()
    }
}

/// A number with `places` decimals as the language writes it: `53.1` in English, `53,1` in
/// Bulgarian and Polish.
pub fn decimal(x: f64, places: usize, lang: Lang) -> String {
    let text = format!("{x:.places$}");
    match lang {
        Lang::En => text,
        _ => text.replace('.', ","),
    }
}

/// A moment in this machine's time as the language writes it, to the second, with its offset:
/// `2026-12-06 10:05:00 +02:00` in English, `06.12.2026 10:05:00 +02:00` in Bulgarian and Polish.
pub fn datetime(t: chrono::DateTime<chrono::Utc>, lang: Lang) -> String {
    let format = match lang {
        Lang::En => "%Y-%m-%d %H:%M:%S %:z",
        _ => "%d.%m.%Y %H:%M:%S %:z",
    };
    t.with_timezone(&chrono::Local).format(format).to_string()
}

/// What a failed network call met, in the language: the deepest cause of `e` (the system's
/// words, `Connection refused (os error 111)`) as the catalogue says it where it is a failure
/// the catalogue knows (refused, no such name, cut, unreachable), else as the system said it.
pub fn net_error(e: &(dyn std::error::Error + 'static), lang: Lang) -> String {
    let mut last = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    let lower = last.to_lowercase();
    let known = [
        (&["connection refused"][..], Msg::NetRefused),
        (&["failed to lookup address", "dns error", "name or service not known", "no such host", "nodename nor servname"][..], Msg::NetNoName),
        (&["connection reset", "broken pipe", "connection closed", "connection aborted"][..], Msg::NetCut),
        (&["network is unreachable", "no route to host", "host is unreachable"][..], Msg::NetUnreachable),
    ];
    match known.iter().find(|(words, _)| words.iter().any(|w| lower.contains(w))) {
        Some((_, m)) => m.get(lang).to_owned(),
        None => last,
    }
}

/// A length of time in seconds, one decimal, with the language's unit (`53.1 s`, `53,1 с`).
pub fn seconds(secs: f64, lang: Lang) -> String {
    Msg::Seconds.with(lang, &[("secs", &decimal(secs, 1, lang))])
}

/// A name in the language's quotes: “Object” in English, „Обект“ in Bulgarian and Polish.
pub fn quoted(text: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("“{text}”"),
        _ => format!("„{text}“"),
    }
}

/// Names settings by their labels: a setting's dotted key inside a sentence (`check
/// shopiko.url`) becomes its label in quotes (`check “Shop address”`, `проверете „Адрес на
/// магазина“`). A key the user writes as it is stays a key: one in quotes or backticks, given
/// a value (`--set rules.object=...`), or naming the field a message is about (`rules.object:
/// ...`, as a configuration error starts).
fn labelled(text: &str, lang: Lang) -> String {
    let is_key_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut prev: Option<char> = None;
    while let Some(start) = rest.find(|c: char| c.is_ascii_lowercase()) {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        prev = before.chars().last().or(prev);
        let len = from.find(|c: char| !is_key_char(c)).unwrap_or(from.len());
        // A sentence's full stop after a key is not part of it.
        let len = from.get(..len).map_or(len, |w| w.trim_end_matches('.').len());
        let (word, after) = from.split_at(len);
        let next = after.chars().next();
        let written = |c: Option<char>| matches!(c, Some('\'' | '`' | '=' | '"' | '-' | '/' | '\\') | Some('A'..='Z'));
        let label = (word.contains('.') && !written(prev) && !written(next) && next != Some(':') && !prev.is_some_and(|c| c.is_alphanumeric()))
            .then(|| crate::config::profile::key_label(word, lang))
            .flatten();
        match label {
            Some(label) => out.push_str(&quoted(label, lang)),
            None => out.push_str(word),
        }
        prev = word.chars().last();
        rest = after;
    }
    out.push_str(rest);
    out
}

/// How many forms a language's words take after a count (CLDR's cardinal categories that whole
/// numbers meet): English and Bulgarian one and other, Polish one, few and many.
pub fn plural_form_count(lang: Lang) -> usize {
    match lang {
        Lang::Pl => 3,
        _ => 2,
    }
}

/// Which of a language's forms a count takes: its CLDR category (intl_pluralrules), in the order
/// the catalogue writes the forms (`one|other`; Polish `one|few|many`, a fraction taking many).
pub fn plural_form(lang: Lang, n: &str) -> usize {
    use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
    // Each language's rules made once, not at every message that says a count.
    static RULES: std::sync::OnceLock<Vec<Option<PluralRules>>> = std::sync::OnceLock::new();
    let rules = RULES.get_or_init(|| {
        Lang::ALL
            .iter()
            .map(|l| l.code().parse::<unic_langid::LanguageIdentifier>().ok().and_then(|id| PluralRules::create(id, PluralRuleType::CARDINAL).ok()))
            .collect()
    });
    let Some(rules) = rules.get(lang.index()).and_then(Option::as_ref) else { return 1 };
    match (rules.select(n), lang) {
        (Ok(PluralCategory::ONE), _) => 0,
        (Ok(PluralCategory::FEW), Lang::Pl) => 1,
        (_, Lang::Pl) => 2,
        _ => 1,
    }
}

/// Fills a text's plural choices: `{count:server|servers}` becomes the form the value of the
/// argument `count` takes in `lang` ([`plural_form`]). A choice whose argument is not given, or
/// is no number, keeps its last form.
fn plural_forms(text: &str, lang: Lang, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let choice = after.get(1..).and_then(|inner| {
            let close = inner.find('}')?;
            let (name, forms) = inner.get(..close)?.split_once(':')?;
            (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some((name, forms, close))
        });
        match choice {
            Some((name, forms, close)) => {
                let forms: Vec<&str> = forms.split('|').collect();
                let i = values.iter().find(|(n, _)| *n == name).map_or(forms.len().saturating_sub(1), |(_, v)| plural_form(lang, v.trim()));
                out.push_str(forms.get(i).or(forms.last()).copied().unwrap_or(""));
                rest = after.get(close + 2..).unwrap_or("");
            }
            None => {
                out.push('{');
                rest = after.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

catalogue! {
    // Tables and headers.
    Name => "NAME", "ИМЕ", "NAZWA";
    Kind => "KIND", "ТИП", "RODZAJ";
    Autostart => "AUTOSTART", "АВТОСТАРТ", "AUTOSTART";
    Config => "CONFIG", "НАСТРОЙКИ", "KONFIGURACJA";
    WhatItDoes => "WHAT IT DOES", "КАКВО ПРАВИ", "CO ROBI";
    Yes => "yes", "да", "tak";
    YesValue => "Yes", "Да", "Tak";
    NoValue => "No", "Не", "Nie";
    No => "no", "не", "nie";
    Ok => "ok", "наред", "ok";
    Invalid => "invalid ({count} {count:problem|problems}: obmen server validate {server})", "невалиден ({count} {count:проблем|проблема}: obmen server validate {server})", "nieprawidłowy ({count} {count:problem|problemy|problemów}: obmen server validate {server})";
    NoServers => "No servers in {dir}. Make one with: obmen server new NAME --kind \"{kind}\" --set key=value ...", "Няма сървъри в {dir}. Създайте с: obmen server new ИМЕ --kind \"{kind}\" --set ключ=стойност ...", "Brak serwerów w {dir}. Utwórz serwer: obmen server new NAME --kind \"{kind}\" --set key=value ...";
    KindsHint => "Every setting of a kind: obmen kinds show KIND", "Всички настройки на даден тип: obmen kinds show ТИП", "Wszystkie ustawienia rodzaju: obmen kinds show KIND";
    Required => "required", "задължително", "wymagane";
    Type => "type", "тип", "typ";
    Default => "default", "по подразбиране", "domyślnie";
    Choices => "choices", "избор", "wybór";
    ExactlyOneOf => "Exactly one of", "Точно едно от", "Dokładnie jedno z";
    TypeText => "text", "текст", "tekst";
    TypeSecret => "secret text", "таен текст", "tekst tajny";
    TypeConnection => "ODBC connection string", "ODBC низ за връзка", "ciąg połączenia ODBC";
    TypeUrl => "https address", "https адрес", "adres https";
    TypePath => "file path", "път до файл", "ścieżka pliku";
    TypeBool => "true/false", "да/не", "tak/nie (true/false)";
    TypeInteger => "whole number", "цяло число", "liczba całkowita";
    TypeChoice => "choice", "избор", "wybór";
    TypeWindow => "HH:MM-HH:MM", "ЧЧ:ММ-ЧЧ:ММ", "GG:MM-GG:MM";
    TypeClockTimes => "times of day (HH:MM, HH:MM)", "часове (ЧЧ:ММ, ЧЧ:ММ)", "godziny (GG:MM, GG:MM)";
    TypeWeekdays => "weekdays (mon-fri)", "дни от седмицата (пон-пет)", "dni tygodnia (mon-fri)";
    NotAKind => "'{kind}' is not a kind obmen knows: {known} (obmen kinds lists them)", "'{kind}' не е тип, който obmen познава: {known} (obmen kinds ги изброява)", "'{kind}' nie jest rodzajem znanym obmen: {known} (obmen kinds je wymienia)";
    // Runs.
    RunHeader => "Server '{server}': run from {start} to {end}: {outcome}.", "Сървър '{server}': обмен от {start} до {end}: {outcome}.", "Serwer '{server}': wymiana od {start} do {end}: {outcome}.";
    DryRunHeader => "Server '{server}': dry run from {start} to {end}: {outcome}.", "Сървър '{server}': проба (без запис) от {start} до {end}: {outcome}.", "Serwer '{server}': wymiana próbna od {start} do {end}: {outcome}.";
    OutcomeOk => "ok", "успешен", "ok";
    OutcomePartial => "partly done", "частично изпълнен", "wykonano częściowo";
    OutcomeFailed => "failed", "неуспешен", "nieudana";
    OutcomeStopped => "stopped", "спрян", "zatrzymana";
    OutcomeInterrupted => "interrupted", "прекъснат", "przerwana";
    OutcomeRunning => "running", "тече", "trwa";
    ProgressNomenclature => "linking goods and partners", "свързване на стоки и партньори", "łączenie towarów i kontrahentów";
    ProgressImport => "importing orders", "внасяне на поръчки", "import zamówień";
    ProgressExport => "exporting to the shop", "изпращане към магазина", "eksport do sklepu";
    ProgressQuarantine => ", {count} in the quarantine", ", в карантина {count}", ", w kwarantannie {count}";
    ProgressRetries => ", {count} {count:retry|retries}", ", {count} {count:нов опит|нови опита}", ", {count} {count:ponowienie|ponowienia|ponowień}";
    ProgressStarted => "server '{server}': started", "сървър '{server}': започна", "serwer '{server}': rozpoczęto";
    ProgressOrders => "{phase}: {done} {done:order|orders}{tail}", "{phase}: {done} {done:поръчка|поръчки}{tail}", "{phase}: {done} {done:zamówienie|zamówienia|zamówień}{tail}";
    ProgressRetrying => "{phase}: retrying {what} ({error}){tail}", "{phase}: нов опит за {what} ({error}){tail}", "{phase}: ponawiam {what} ({error}){tail}";
    LevelDebug => "debug", "подробно", "debug";
    LevelInfo => "info", "инфо", "info";
    LevelWarn => "warn", "внимание", "uwaga";
    LevelError => "error", "грешка", "błąd";
    Seconds => "{secs} s", "{secs} с", "{secs} s";
    NetRefused => "the connection was refused (nothing answers at that address and port)", "връзката е отказана (нищо не отговаря на този адрес и порт)", "połączenie odrzucone (nic nie odpowiada pod tym adresem i portem)";
    NetNoName => "the name of the address is not found (DNS)", "името в адреса не е намерено (DNS)", "nie znaleziono nazwy z adresu (DNS)";
    NetCut => "the connection was cut", "връзката беше прекъсната", "połączenie zostało przerwane";
    NetUnreachable => "the network does not reach that address", "мрежата не достига този адрес", "sieć nie sięga tego adresu";
    CallPing => "the shop's connection check", "проверката на връзката с магазина", "sprawdzenie połączenia ze sklepem";
    CallProducts => "reading the shop's products", "четенето на стоките от магазина", "odczyt produktów ze sklepu";
    CallCustomers => "reading the shop's customers", "четенето на клиентите от магазина", "odczyt klientów ze sklepu";
    CallOrders => "reading the shop's orders", "четенето на поръчките от магазина", "odczyt zamówień ze sklepu";
    CallAcknowledge => "confirming orders to the shop", "потвърждаването на поръчките към магазина", "potwierdzanie zamówień w sklepie";
    CallStock => "sending stock levels to the shop", "изпращането на наличностите към магазина", "wysyłanie stanów do sklepu";
    Retries => "Retries: {count} {count:call|calls} to the shop or the database {count:was|were} tried again.", "Повторения: {count} {count:обръщение|обръщения} към магазина или базата данни {count:беше опитано|бяха опитани} отново.", "Ponowienia: ponowiono {count} {count:wywołanie|wywołania|wywołań} sklepu lub bazy danych.";
    RunError => "Error: {message}", "Грешка: {message}", "Błąd: {message}";
    Retrying => "obmen: retrying {what}: {error}", "obmen: нов опит за {what}: {error}", "obmen: ponawiam {what}: {error}";
    Transient => " (it should pass by itself once the database or the shop answers again)", " (би трябвало да мине от само себе си, щом базата данни или магазинът отговорят отново)", " (powinno minąć samo, gdy baza danych lub sklep znów odpowie)";
    RunFailed => "the run of server '{server}' failed: {errors}", "обменът на сървър '{server}' е неуспешен: {errors}", "wymiana serwera '{server}' nie powiodła się: {errors}";
    RunStopped => "the run of server '{server}' was stopped; the next run goes on from where it stopped", "обменът на сървър '{server}' беше спрян; следващият продължава оттам, докъдето е стигнал", "wymiana serwera '{server}' została zatrzymana; następna wymiana podejmie ją od miejsca zatrzymania";
    PartlySetAside => "{count} {count:order was|orders were} put in the quarantine (`obmen quarantine {server}` {count:shows it|lists them})", "{count} {count:поръчка е поставена|поръчки са поставени} в карантина (`obmen quarantine {server}` {count:я показва|ги изброява})", "{count} {count:zamówienie trafiło|zamówienia trafiły|zamówień trafiło} do kwarantanny (`obmen quarantine {server}` {count:je pokazuje|je wymienia|je wymienia})";
    PartlyNotConfirmed => "{count} {count:order is|orders are} imported but not yet confirmed to the shop (obmen tells it on the next run)", "{count} {count:поръчка е внесена|поръчки са внесени}, но магазинът още не е уведомен (obmen ще го уведоми при следващия обмен)", "zaimportowano {count} {count:zamówienie|zamówienia|zamówień}, ale jeszcze nie potwierdzono w sklepie (obmen zrobi to przy następnej wymianie)";
    PartlyRefused => "the shop refused {count} exported {count:record|records} (listed above)", "магазинът отказа {count} {count:изпратен запис|изпратени записа} (изброени по-горе)", "sklep odrzucił {count} {count:wyeksportowany rekord|wyeksportowane rekordy|wyeksportowanych rekordów} (wymienione powyżej)";
    PartlyServer => "server '{server}': {parts}", "сървър '{server}': {parts}", "serwer '{server}': {parts}";
    // A run's report (the WarehousePro Import Export Shopiko kind).
    ExportLine => "Export: {products} {products:product|products} sent ({products_same} unchanged), {stock} {stock:stock level|stock levels} sent ({stock_same} unchanged), {customers} {customers:customer|customers} sent ({customers_same} unchanged).", "Експорт: {products:изпратена|изпратени} {products} {products:стока|стоки} ({products_same} без промяна), {stock} {stock:количество|количества} ({stock_same} без промяна), {customers} {customers:клиент|клиента} ({customers_same} без промяна).", "Eksport: wysłano {products} {products:produkt|produkty|produktów} ({products_same} bez zmian), {stock} {stock:stan magazynowy|stany magazynowe|stanów magazynowych} ({stock_same} bez zmian), {customers} {customers:klienta|klientów|klientów} ({customers_same} bez zmian).";
    ExportDryLine => "Export (nothing sent): {products} {products:product|products} would be sent ({products_same} unchanged), {stock} {stock:stock level|stock levels} would be sent ({stock_same} unchanged), {customers} {customers:customer|customers} would be sent ({customers_same} unchanged).", "Експорт (нищо не е изпратено): {products:би се изпратила|биха се изпратили} {products} {products:стока|стоки} ({products_same} без промяна), {stock} {stock:количество|количества} ({stock_same} без промяна), {customers} {customers:клиент|клиента} ({customers_same} без промяна).", "Eksport (nic nie wysłano): zostałoby wysłanych {products} {products:produkt|produkty|produktów} ({products_same} bez zmian), {stock} {stock:stan magazynowy|stany magazynowe|stanów magazynowych} ({stock_same} bez zmian), {customers} {customers:klient|klientów|klientów} ({customers_same} bez zmian).";
    ExportPricesLine => "Prices alone: {prices} sent.", "Само цени: изпратени {prices}.", "Same ceny: wysłano {prices}.";
    ExportPricesDryLine => "Prices alone: {prices} would be sent.", "Само цени: биха се изпратили {prices}.", "Same ceny: zostałoby wysłanych {prices}.";
    ShopTakesNoPrices => "the shop takes no prices apart from their products", "магазинът не приема цени отделно от стоките", "sklep nie przyjmuje cen osobno od produktów";
    RefusedByShop => "  Refused by the shop: {item}", "  Отказано от магазина: {item}", "  Odrzucone przez sklep: {item}";
    NotExported => "  Not exported: {item}", "  Не е изпратено: {item}", "  Nie wyeksportowano: {item}";
    NomenclatureLine => "Nomenclature: {goods_linked} {goods_linked:good|goods} linked, {goods_made} made, {goods_unmatched} not matched; {partners_linked} {partners_linked:partner|partners} linked, {partners_made} made, {partners_unmatched} not matched.", "Номенклатура: {goods_linked} {goods_linked:стока свързана|стоки свързани}, {goods_made} {goods_made:създадена|създадени}, {goods_unmatched} без съответствие; {partners_linked} {partners_linked:партньор свързан|партньора свързани}, {partners_made} {partners_made:създаден|създадени}, {partners_unmatched} без съответствие.", "Nomenklatura: {goods_linked} {goods_linked:towar powiązano|towary powiązano|towarów powiązano}, {goods_made} utworzono, {goods_unmatched} bez dopasowania; {partners_linked} {partners_linked:kontrahenta powiązano|kontrahentów powiązano|kontrahentów powiązano}, {partners_made} utworzono, {partners_unmatched} bez dopasowania.";
    NomenclatureDryLine => "Nomenclature: {goods_linked} {goods_linked:good|goods} would be linked, {goods_made} would be made, {goods_unmatched} not matched; {partners_linked} {partners_linked:partner|partners} would be linked, {partners_made} would be made, {partners_unmatched} not matched.", "Номенклатура: {goods_linked} {goods_linked:стока би се свързала|стоки биха се свързали}, {goods_made} {goods_made:би се създала|биха се създали}, {goods_unmatched} без съответствие; {partners_linked} {partners_linked:партньор би се свързал|партньора биха се свързали}, {partners_made} {partners_made:би се създал|биха се създали}, {partners_unmatched} без съответствие.", "Nomenklatura: {goods_linked} {goods_linked:towar zostałby powiązany|towary zostałyby powiązane|towarów zostałoby powiązanych}, {goods_made} utworzonych, {goods_unmatched} bez dopasowania; {partners_linked} {partners_linked:kontrahent zostałby powiązany|kontrahentów zostałoby powiązanych|kontrahentów zostałoby powiązanych}, {partners_made} utworzonych, {partners_unmatched} bez dopasowania.";
    GoodsLinked => "Goods linked", "Свързани стоки", "Powiązane towary";
    GoodsMadeList => "Goods made", "Създадени стоки", "Utworzone towary";
    GoodsUnmatched => "Goods not matched", "Стоки без съответствие", "Towary bez dopasowania";
    PartnersLinked => "Partners linked", "Свързани партньори", "Powiązani kontrahenci";
    PartnersMadeList => "Partners made", "Създадени партньори", "Utworzeni kontrahenci";
    PartnersUnmatched => "Partners not matched", "Партньори без съответствие", "Kontrahenci bez dopasowania";
    AndMore => "... and {count} more (--json lists all)", "... и още {count} (--json ги изброява всички)", "... i {count} więcej (--json wymienia wszystkie)";
    ImportLine => "Import: {imported} {imported:order|orders} imported, {already} already imported, {set_aside} put in the quarantine, {acknowledged} acknowledged in the shop.", "Импорт: {imported:внесена|внесени} {imported} {imported:поръчка|поръчки}, {already} вече {already:внесена|внесени}, в карантина {set_aside}, {acknowledged} {acknowledged:потвърдена|потвърдени} в магазина.", "Import: {imported} {imported:zamówienie zaimportowano|zamówienia zaimportowano|zamówień zaimportowano}, {already} już wcześniej, {set_aside} do kwarantanny, {acknowledged} potwierdzono w sklepie.";
    ImportDryLine => "Import (nothing written): {imported} {imported:order|orders} would be imported, {already} already {already:is|are}, {set_aside} would be put in the quarantine.", "Импорт (нищо не е записано): {imported:би се внесла|биха се внесли} {imported} {imported:поръчка|поръчки}, {already} вече {already:е внесена|са внесени}, в карантина биха останали {set_aside}.", "Import (nic nie zapisano): {imported} {imported:zamówienie zostałoby zaimportowane|zamówienia zostałyby zaimportowane|zamówień zostałoby zaimportowanych}, {already} już jest, {set_aside} trafiłoby do kwarantanny.";
    ImportedOrder => "  {order} -> document {document} ({total})", "  {order} -> документ {document} ({total})", "  {order} -> dokument {document} ({total})";
    GoodsMade => "Goods made in Warehouse Pro: {list}", "Създадени стоки в Склад Pro: {list}", "Towary utworzone w Warehouse Pro: {list}";
    GoodsToMake => "Goods to be made in Warehouse Pro: {list}", "Стоки, които биха се създали в Склад Pro: {list}", "Towary do utworzenia w Warehouse Pro: {list}";
    PartnersMade => "Partners made in Warehouse Pro: {list}", "Създадени партньори в Склад Pro: {list}", "Kontrahenci utworzeni w Warehouse Pro: {list}";
    PartnersToMake => "Partners to be made in Warehouse Pro: {list}", "Партньори, които биха се създали в Склад Pro: {list}", "Kontrahenci do utworzenia w Warehouse Pro: {list}";
    SetAside => "In the quarantine {order}: {reason}", "В карантина {order}: {reason}", "W kwarantannie {order}: {reason}";
    LeftAlone => "Left alone {item}", "Оставена без промяна {item}", "Pominięto {item}";
    Note => "Note: {note}", "Бележка: {note}", "Uwaga: {note}";
    PagesOneByOne => "Pages written one order at a time, because an order failed while its page was written together: {count}", "Страници, записани поръчка по поръчка, защото поръчка се провали при общия запис на страницата: {count}", "Strony zapisane zamówienie po zamówieniu, bo zamówienie nie powiodło się przy wspólnym zapisie strony: {count}";
    NotConfirmedHeader => "{count} {count:order is|orders are} imported but not yet confirmed to the shop; obmen will tell it on the next run:", "{count} {count:поръчка е внесена|поръчки са внесени}, но магазинът още не е уведомен; obmen ще го уведоми при следващия обмен:", "zaimportowano {count} {count:zamówienie|zamówienia|zamówień}, ale jeszcze nie potwierdzono w sklepie; obmen zrobi to przy następnej wymianie:";
    // Why an order is set aside (the reasons are kept in the language of the run that set it aside).
    NotANumber => "{what} '{text}' is not a number", "{what} '{text}' не е число", "{what} '{text}' nie jest liczbą";
    OrderNoKey => "the order has no {what}: ask the shop to correct it", "поръчката няма {what}: помолете магазина да я поправи", "zamówienie nie ma {what}: poproś sklep o poprawkę";
    OrderKeyTooLong => "the order's {what} is longer than {max} {max:character|characters} or holds control characters: ask the shop to correct it", "{what} на поръчката е по-дълъг от {max} {max:знак|знака} или съдържа управляващи знаци: помолете магазина да я поправи", "{what} zamówienia jest dłuższy niż {max} {max:znak|znaki|znaków} lub zawiera znaki sterujące: poproś sklep o poprawkę";
    KeyId => "id", "идентификатор", "identyfikator";
    KeyNumber => "number", "номер", "numer";
    AboveLargestAmount => "{what} {value} is above the largest amount a shop order may carry ({max}, rules.max_amount): check the order in the shop", "{what} {value} е над най-голямата сума, която поръчка може да носи ({max}, rules.max_amount): проверете поръчката в магазина", "{what} {value} przekracza największą kwotę, jaką może mieć zamówienie ze sklepu ({max}, rules.max_amount): sprawdź zamówienie w sklepie";
    NotRfc3339 => "the order's date '{date}' is not an RFC 3339 time", "датата на поръчката '{date}' не е време по RFC 3339", "data zamówienia '{date}' nie jest czasem RFC 3339";
    NoLines => "the order has no lines", "поръчката няма редове", "zamówienie nie ma pozycji";
    TooManyLines => "the order has {count} {count:line|lines}, more than the {max} a shop order may carry: check the order in the shop", "поръчката има {count} {count:ред|реда}, повече от {max}, колкото поръчка може да носи: проверете поръчката в магазина", "zamówienie ma {count} {count:pozycję|pozycje|pozycji}, więcej niż {max} dozwolonych dla zamówienia ze sklepu: sprawdź zamówienie w sklepie";
    LineQuantity => "line {n}: the quantity", "ред {n}: количеството", "pozycja {n}: ilość";
    LinePrice => "line {n}: the price", "ред {n}: цената", "pozycja {n}: cena";
    LineTotal => "line {n}: the line's total", "ред {n}: сумата на реда", "pozycja {n}: wartość pozycji";
    LineDiscount => "line {n}: the discount", "ред {n}: отстъпката", "pozycja {n}: rabat";
    LineVat => "line {n}: the VAT rate", "ред {n}: ставката на ДДС", "pozycja {n}: stawka VAT";
    BelowZero => "{what} {value} is below zero", "{what} {value} е под нула", "{what} {value} jest poniżej zera";
    QuantityAboveLargest => "line {n}: the quantity {qty} is above the largest a shop order may carry ({max}, rules.max_quantity): check the order in the shop", "ред {n}: количеството {qty} е над най-голямото, което поръчка може да носи ({max}, rules.max_quantity): проверете поръчката в магазина", "pozycja {n}: ilość {qty} przekracza największą, jaką może mieć zamówienie ze sklepu ({max}, rules.max_quantity): sprawdź zamówienie w sklepie";
    DiscountNotPercent => "line {n}: the discount {discount}% is not between 0 and 100", "ред {n}: отстъпката {discount}% не е между 0 и 100", "pozycja {n}: rabat {discount}% nie mieści się między 0 a 100";
    AllLinesZero => "every line has quantity 0", "всички редове са с количество 0", "każda pozycja ma ilość 0";
    TheDiscount => "the discount {code}", "отстъпката {code}", "rabat {code}";
    DiscountBelowZero => "the discount {code} of {amount} is below zero", "отстъпката {code} от {amount} е под нула", "rabat {code} w wysokości {amount} jest poniżej zera";
    ShippingPrice => "the shipping price", "цената на доставката", "cena dostawy";
    ShippingVat => "the shipping VAT rate", "ставката на ДДС на доставката", "stawka VAT dostawy";
    OrderTotal => "the order's total", "общата сума на поръчката", "suma zamówienia";
    TotalBelowZero => "the order's total {total} is below zero (its discounts are worth more than its goods): check the order in the shop", "общата сума на поръчката {total} е под нула (отстъпките ѝ струват повече от стоките): проверете поръчката в магазина", "suma zamówienia {total} jest poniżej zera (rabaty są warte więcej niż towary): sprawdź zamówienie w sklepie";
    AmountPaid => "the amount paid", "платената сума", "zapłacona kwota";
    Overpaid => "the shop says {paid} was paid on an order whose total is {total}: check the payment in the shop", "магазинът съобщава, че по поръчка на обща стойност {total} са платени {paid}: проверете плащането в магазина", "sklep podaje, że zapłacono {paid} za zamówienie o sumie {total}: sprawdź płatność w sklepie";
    CurrencyBadRate => "the order is in {code}, whose rate in the Warehouse Pro database is {rate}: set its rate in Warehouse Pro, then retry", "поръчката е в {code}, чийто курс в базата данни на Склад Pro е {rate}: задайте курса в Склад Pro и опитайте отново", "zamówienie jest w {code}, której kurs w bazie Warehouse Pro wynosi {rate}: ustaw kurs w Warehouse Pro, potem ponów";
    CurrencyCodeSetting => "'{code}' is no currency code: write the shop's currency as its three capital letters, e.g. EUR", "'{code}' не е код на валута: напишете валутата на магазина с трите ѝ главни букви, напр. EUR", "'{code}' nie jest kodem waluty: wpisz walutę sklepu trzema wielkimi literami, np. EUR";
    PriceCurrencyMissing => "the shop's prices are in {code}, but the Warehouse Pro database keeps its prices in {base} and has no currency {code} to convert them with: no price was sent. Add {code} with its rate in Warehouse Pro (or correct the shop's currency in the server's settings)", "цените в магазина са в {code}, но базата данни на Склад Pro води цените си в {base} и няма валута {code}, с която да ги преобразува: не е изпратена нито една цена. Добавете {code} с курса ѝ в Склад Pro (или поправете валутата на магазина в настройките на сървъра)", "ceny sklepu są w {code}, ale baza Warehouse Pro trzyma ceny w {base} i nie ma waluty {code}, by je przeliczyć: nie wysłano żadnej ceny. Dodaj {code} z kursem w Warehouse Pro (lub popraw walutę sklepu w ustawieniach serwera)";
    PriceCurrencyBadRate => "the shop's prices are in {code}, whose rate in the Warehouse Pro database is {rate}: no price was sent. Set its rate in Warehouse Pro", "цените в магазина са в {code}, чийто курс в базата данни на Склад Pro е {rate}: не е изпратена нито една цена. Задайте курса в Склад Pro", "ceny sklepu są w {code}, której kurs w bazie Warehouse Pro wynosi {rate}: nie wysłano żadnej ceny. Ustaw kurs w Warehouse Pro";
    CurrencyMissing => "the order is in {code}, but the Warehouse Pro database keeps its amounts in {base} and has no currency {code}: add it with its rate in Warehouse Pro, then retry", "поръчката е в {code}, но базата данни на Склад Pro води сумите си в {base} и няма валута {code}: добавете я с курса ѝ в Склад Pro и опитайте отново", "zamówienie jest w {code}, ale baza Warehouse Pro trzyma kwoty w {base} i nie ma waluty {code}: dodaj ją z kursem w Warehouse Pro, potem ponów";
    NoCurrencyCode => "the order's currency '{code}' is no currency code: ask the shop to correct it", "валутата на поръчката '{code}' не е код на валута: помолете магазина да я поправи", "waluta zamówienia '{code}' nie jest kodem waluty: poproś sklep o poprawkę";
    TotalMismatch => "the lines add up to {lines} with VAT, but the shop's total is {total}: check the order's prices in the shop", "редовете дават {lines} с ДДС, а общата сума от магазина е {total}: проверете цените на поръчката в магазина", "pozycje dają razem {lines} z VAT, ale suma w sklepie to {total}: sprawdź ceny zamówienia w sklepie";
    NotEnoughStock => "not enough stock of good {good} at '{object}': {available} available, {wanted} wanted. Deliver the goods first, or allow negative stock for this server (rules.allow_negative_stock)", "няма достатъчна наличност от стока {good} в '{object}': налични {available}, нужни {wanted}. Първо заприходете стоката или разрешете отрицателни наличности за сървъра (rules.allow_negative_stock)", "za mało towaru {good} w '{object}': dostępne {available}, potrzebne {wanted}. Najpierw przyjmij towar albo zezwól temu serwerowi na ujemne stany (rules.allow_negative_stock)";
    UnlinkedLineUnknown => "the product '{name}' (EAN '{ean}') is not linked to the shop's catalogue and has no SKU, and no good in Warehouse Pro has its EAN or its name. Make the good in Warehouse Pro with that barcode, or link the line to a catalogue product in the shop, then `obmen quarantine {server} retry ID`", "продуктът '{name}' (EAN '{ean}') не е свързан с каталога на магазина и няма SKU, а в Склад Pro няма стока с неговия баркод или име. Създайте стоката в Склад Pro с този баркод или свържете реда с продукт от каталога в магазина, след това `obmen quarantine {server} retry ID`", "produkt '{name}' (EAN '{ean}') nie jest powiązany z katalogiem sklepu i nie ma SKU, a żaden towar w Warehouse Pro nie ma jego EAN ani nazwy. Utwórz towar w Warehouse Pro z tym kodem kreskowym albo powiąż pozycję z produktem katalogu w sklepie, potem `obmen quarantine {server} retry ID`";
    UnknownSku => "unknown product SKU '{sku}' ({name}): no good in Warehouse Pro matches it by {key} and nomenclature sync is off. Make the good in Warehouse Pro, or turn rules.sync_nomenclature on, then `obmen quarantine {server} retry ID`", "непознат артикул '{sku}' ({name}): няма стока в Склад Pro, която да съвпада по {key}, а синхронизацията на номенклатура е изключена. Създайте стоката в Склад Pro или включете rules.sync_nomenclature, след това `obmen quarantine {server} retry ID`", "nieznane SKU produktu '{sku}' ({name}): żaden towar w Warehouse Pro nie pasuje według {key}, a synchronizacja nomenklatury jest wyłączona. Utwórz towar w Warehouse Pro albo włącz rules.sync_nomenclature, potem `obmen quarantine {server} retry ID`";
    SkuMatchesMany => "product SKU '{sku}' matches {count} {count:good|goods} in Warehouse Pro ({codes}): keep one, or link them by another key", "артикул '{sku}' съвпада с {count} {count:стока|стоки} в Склад Pro ({codes}): оставете една или ги свържете по друг ключ", "SKU produktu '{sku}' pasuje do {count} {count:towaru|towarów|towarów} w Warehouse Pro ({codes}): zostaw jeden albo powiąż je innym kluczem";
    // How a customer is matched to a partner.
    KeyEmail => "e-mail", "имейл", "e-mail";
    KeyVatNumber => "VAT number", "ДДС номер", "numer VAT";
    KeyCompanyNumber => "company number", "ЕИК", "numer firmy";
    PartnersShareKey => "{count} {count:partner has|partners have} the {what} {key} ({partners}): keep one in Warehouse Pro, then retry", "{count} {count:партньор има|партньора имат} {what} {key} ({partners}): оставете един в Склад Pro и опитайте отново", "{count} {count:kontrahent ma|kontrahentów ma|kontrahentów ma} {what} {key} ({partners}): zostaw jednego w Warehouse Pro, potem ponów";
    VatAndNumberDisagree => "the VAT number {vat} is partner {a}'s, but the company number {number} is partner {b}'s: no key is stronger; correct them in Warehouse Pro, then retry", "ДДС номерът {vat} е на партньор {a}, а ЕИК {number} е на партньор {b}: нито един ключ не е по-силен; поправете ги в Склад Pro и опитайте отново", "numer VAT {vat} należy do kontrahenta {a}, a numer firmy {number} do kontrahenta {b}: żaden klucz nie jest silniejszy; popraw je w Warehouse Pro, potem ponów";
    EmailElsewhere => "the e-mail {email} is partner {weak}'s, but the {key} is partner {strong}'s: booked to {strong} (the {key} is the stronger key)", "имейлът {email} е на партньор {weak}, а {key} е на партньор {strong}: осчетоводено към {strong} ({key} е по-силният ключ)", "e-mail {email} należy do kontrahenta {weak}, ale {key} do kontrahenta {strong}: zaksięgowano na {strong} ({key} jest silniejszym kluczem)";
    EmailNumbersDiffer => "the e-mail {email} is partner {partner}'s, whose VAT or company number differs from the customer's: a new partner is made (the VAT number is the stronger key)", "имейлът {email} е на партньор {partner}, чийто ДДС номер или ЕИК се различава от този на клиента: създава се нов партньор (ДДС номерът е по-силният ключ)", "e-mail {email} należy do kontrahenta {partner}, którego numer VAT lub numer firmy różni się od klienta: utworzono nowego kontrahenta (numer VAT jest silniejszym kluczem)";
    // The quarantine.
    NothingSetAside => "No orders of server '{server}' are in the quarantine.", "Няма поръчки на сървър '{server}' в карантина.", "Żadne zamówienie serwera '{server}' nie jest w kwarantannie.";
    Tried => "tried {count} {count:time|times}, last {when}", "опитана {count} {count:път|пъти}, последно {when}", "próbowano {count} {count:raz|razy|razy}, ostatnio {when}";
    Dropped => "Order {order} of server '{server}' is removed from the quarantine: it will not be imported (`obmen quarantine {server} list --all` still shows it).", "Поръчка {order} на сървър '{server}' е премахната от карантината: няма да бъде внесена (`obmen quarantine {server} list --all` все още я показва).", "Zamówienie {order} serwera '{server}' usunięto z kwarantanny: nie zostanie zaimportowane (`obmen quarantine {server} list --all` nadal je pokazuje).";
    NoSuchSetAside => "server '{server}' has no order '{order}' in the quarantine (by list id or order number): `obmen quarantine {server}` lists them", "сървър '{server}' няма поръчка '{order}' в карантина (по номер в списъка или номер на поръчка): `obmen quarantine {server}` ги изброява", "serwer '{server}' nie ma zamówienia '{order}' w kwarantannie (według numeru na liście lub numeru zamówienia): `obmen quarantine {server}` je wymienia";
    StillSetAside => "order {order} is still in the quarantine", "поръчка {order} все още е в карантина", "zamówienie {order} jest nadal w kwarantannie";
    // Checks (the WarehousePro Import Export Shopiko kind).
    CheckDatabase => "Warehouse Pro database ({dialect})", "База данни на Склад Pro ({dialect})", "Baza danych Warehouse Pro ({dialect})";
    CheckConnected => "connected", "свързана", "połączono";
    CheckConnectedBut => "connected, but {limit}", "свързана, но {limit}", "połączono, ale {limit}";
    CheckTables => "Warehouse Pro tables", "Таблици на Склад Pro", "tabele Warehouse Pro";
    CheckAllThere => "all there", "всички са налице", "wszystkie są";
    CheckNotWarehousePro => "this is not a Warehouse Pro database: it has no table {tables}. Check database.connection", "това не е база данни на Склад Pro: няма таблица {tables}. Проверете database.connection", "to nie jest baza danych Warehouse Pro: nie ma tabeli {tables}. Sprawdź database.connection";
    CheckObject => "object '{object}'", "обект '{object}'", "obiekt '{object}'";
    CheckObjectFound => "found: '{name}' (code {code}, ID {id})", "намерен: '{name}' (код {code}, ID {id})", "znaleziono: '{name}' (kod {code}, ID {id})";
    CheckNoObject => "no object has this name or code; the database has {names}: set rules.object to one of them", "няма обект с това име или код; в базата данни има {names}: задайте rules.object на един от тях", "żaden obiekt nie ma tej nazwy ani kodu; baza ma {names}: ustaw rules.object na jeden z nich";
    CheckNotChecked => "not checked: {why}", "не е проверено: {why}", "nie sprawdzono: {why}";
    CheckNoDatabase => "no database", "няма база данни", "brak bazy danych";
    CheckNoConnection => "no database connection", "няма връзка с базата данни", "brak połączenia z bazą danych";
    CheckForeign => "not a Warehouse Pro database", "не е база данни на Склад Pro", "to nie jest baza Warehouse Pro";
    CheckBaseCurrency => "base currency", "основна валута", "waluta bazowa";
    CheckCurrencyFound => "{code} (currencies ID {id})", "{code} (ID във валутите {id})", "{code} (currencies ID {id})";
    CheckStockMode => "stock mode", "начин на водене на склада", "sposób rozliczania magazynu";
    CheckShopAt => "shop at {url}", "магазин на {url}", "sklep pod {url}";
    BlCheckToken => "BaseLinker token", "токен за BaseLinker", "token BaseLinker";
    BlCheckAccepted => "accepted (catalogue '{catalogue}')", "приет (каталог '{catalogue}')", "przyjęty (katalog '{catalogue}')";
    BlCheckSettings => "BaseLinker catalogue, warehouse, price group, statuses and field", "каталог, склад, ценова група, статуси и поле в BaseLinker", "katalog, magazyn, grupa cenowa, statusy i pole w BaseLinker";
    BlCheckSettingsFound => "catalogue '{catalogue}', warehouse {warehouse}, price group {price_group} ({currency}); the statuses and field found", "каталог '{catalogue}', склад {warehouse}, ценова група {price_group} ({currency}); статусите и полето са намерени", "katalog '{catalogue}', magazyn {warehouse}, grupa cenowa {price_group} ({currency}); statusy i pole znalezione";
    BlCheckTokenFirst => "the token is not accepted", "токенът не е приет", "token nie został przyjęty";
    BlNotInAccount => "the BaseLinker account has no {what} '{value}': pick one of {names}", "в акаунта в BaseLinker няма {what} '{value}': изберете от {names}", "konto BaseLinker nie ma {what} '{value}': wybierz jedno z {names}";
    BlNoCatalogue => "the BaseLinker account has no catalogue: make one in BaseLinker (Products > Catalogs), then run again", "акаунтът в BaseLinker няма каталог: създайте каталог в BaseLinker (Продукти > Каталози) и стартирайте отново", "konto BaseLinker nie ma katalogu: utwórz go w BaseLinker (Produkty > Katalogi), potem uruchom ponownie";
    BlWhatCatalogue => "catalogue", "каталог", "katalogu";
    BlWhatWarehouse => "warehouse in the catalogue", "склад в каталога", "magazynu w katalogu";
    BlWhatPriceGroup => "price group in the catalogue", "ценова група в каталога", "grupy cenowej w katalogu";
    BlWhatStatus => "order status", "статус на поръчка", "statusu zamówienia";
    BlWhatField => "order extra field", "допълнително поле на поръчка", "pola dodatkowego zamówienia";
    BlNotAnOrderId => "'{id}' is no BaseLinker order id (BaseLinker's are numbers)", "'{id}' не е номер на поръчка в BaseLinker (там те са числа)", "'{id}' nie jest identyfikatorem zamówienia BaseLinker (w BaseLinker są to liczby)";
    CheckReachable => "reachable", "отговаря", "osiągalny";
    CheckShopKey => "shop key", "ключ за магазина", "klucz sklepu";
    CheckAccepted => "accepted by '{shop}' (API ID {api_id})", "приет от '{shop}' (API идентификатор {api_id})", "przyjęty przez '{shop}' (API ID {api_id})";
    CheckNotShopiko => "it answers, but not as a Shopiko exchange API: {error}. Check shopiko.url", "отговаря, но не като API за обмен на Shopiko: {error}. Проверете shopiko.url", "odpowiada, ale nie jak API wymiany Shopiko: {error}. Sprawdź shopiko.url";
    CheckShopUnreachable => "the shop cannot be reached", "магазинът не отговаря", "nie można połączyć się ze sklepem";
    CheckNotAShop => "the address is no Shopiko exchange API", "адресът не е API за обмен на Shopiko", "adres nie jest API wymiany Shopiko";
    CheckFailedItself => "the check itself failed: {error}", "самата проверка не успя: {error}", "samo sprawdzenie nie powiodło się: {error}";
    // Checks.
    ChecksFailed => "{failed} of {total} {total:check|checks} of server '{server}' failed", "{failed} от {total} {total:проверка|проверки} на сървър '{server}' {failed:е неуспешна|са неуспешни}", "{failed} z {total} {total:sprawdzenia|sprawdzeń|sprawdzeń} serwera '{server}' {failed:nie powiodło|nie powiodły|nie powiodło} się";
    // Server files.
    Missing => "missing: {help}", "липсва: {help}", "brak: {help}";
    MissingKind => "missing: say which kind of server this is, e.g. kind = \"{kind}\"", "липсва: посочете типа на сървъра, напр. kind = \"{kind}\"", "brak: podaj rodzaj serwera, np. kind = \"{kind}\"";
    MustBeText => "must be text in quotes, not {found}", "трябва да е текст в кавички, а не {found}", "musi być tekstem w cudzysłowie, nie {found}";
    MustBeBool => "must be true or false (without quotes), not {found}", "трябва да е true или false (без кавички), а не {found}", "musi być true lub false (bez cudzysłowu), nie {found}";
    MustBeNumber => "must be a whole number (without quotes), not {found}", "трябва да е цяло число (без кавички), а не {found}", "musi być liczbą całkowitą (bez cudzysłowu), nie {found}";
    MustBeSection => "must be a section ([{key}]), not {found}", "трябва да е раздел ([{key}]), а не {found}", "musi być sekcją ([{key}]), nie {found}";
    OutOfRange => "{n} is out of range: use {min} to {max}", "{n} е извън допустимото: от {min} до {max}", "{n} jest poza zakresem: użyj od {min} do {max}";
    NotAChoice => "'{value}' is not one of the choices: {choices}", "'{value}' не е сред възможностите: {choices}", "'{value}' nie jest jedną z możliwości: {choices}";
    NotAChoiceWrite => "'{value}' is not one of the choices: {choices}; write '{canonical}' for it (obmen server edit NAME --set does)", "'{value}' не е сред възможностите: {choices}; запишете '{canonical}' (obmen server edit ИМЕ --set го прави)", "'{value}' nie jest jedną z możliwości: {choices}; wpisz zamiast tego '{canonical}' (obmen server edit NAME --set robi to sam)";
    UnknownKeyDidYouMean => "unknown key: did you mean '{key}'?", "непознат ключ: може би '{key}'?", "nieznany klucz: czy chodziło o '{key}'?";
    UnknownSection => "unknown section '[{section}]'", "непознат раздел '[{section}]'", "nieznana sekcja '[{section}]'";
    UnknownKey => "unknown key: remove it (see `obmen kinds show KIND` for the keys this kind has)", "непознат ключ: премахнете го (`obmen kinds show ТИП` изброява ключовете на типа)", "nieznany klucz: usuń go (klucze tego rodzaju: `obmen kinds show KIND`)";
    ExactlyOneMissing => "missing: set exactly one of {names}", "липсва: задайте точно едно от {names}", "brak: ustaw dokładnie jedno z {names}";
    OnlyOneOf => "set only one of {names}, not {present}", "задайте само едно от {names}, а не {present}", "ustaw tylko jedno z {names}, nie {present}";
    NotTheFileName => "'{name}' is not the file's name '{stem}': a server's file is servers/NAME.toml; rename the file or the server", "'{name}' не е името на файла '{stem}': файлът на сървъра е servers/ИМЕ.toml; преименувайте файла или сървъра", "'{name}' to nie nazwa pliku '{stem}': plik serwera to servers/NAME.toml; zmień nazwę pliku albo serwera";
    NotAKnownKind => "'{kind}' is not a kind obmen knows: use one of {known}", "'{kind}' не е тип, който obmen познава: използвайте един от {known}", "'{kind}' nie jest rodzajem znanym obmen: użyj jednego z {known}";
    WriteKindAs => "write the kind as \"{kind}\"", "запишете типа като \"{kind}\"", "wpisz rodzaj jako \"{kind}\"";
    TooLong => "is {n} {n:character|characters} long: at most {max}", "е дълъг {n} {n:знак|знака}: най-много {max}", "ma {n} {n:znak|znaki|znaków}: najwyżej {max}";
    HoldsNul => "holds a NUL character: take it out", "съдържа знак NUL: премахнете го", "zawiera znak NUL: usuń go";
    IsEmpty => "is empty", "е празно", "jest puste";
    NoFileAt => "no file at {path}: create it or fix the path (relative paths start at obmen's home)", "няма файл {path}: създайте го или поправете пътя (относителните пътища започват от домашната папка на obmen)", "brak pliku {path}: utwórz go albo popraw ścieżkę (ścieżki względne zaczynają się w katalogu domowym obmen)";
    // Server commands.
    MadeServer => "Made server '{server}' ({kind}) in {file}.", "Създаден е сървър '{server}' ({kind}) в {file}.", "Utworzono serwer '{server}' ({kind}) w {file}.";
    SavedServer => "Saved server '{server}' ({file}).", "Сървър '{server}' е записан ({file}).", "Zapisano serwer '{server}' ({file}).";
    NoChanges => "No changes.", "Няма промени.", "Bez zmian.";
    DeletedServer => "Deleted server '{server}'. A copy of its file is kept in {file}.", "Сървър '{server}' е изтрит. Копие на файла му е запазено в {file}.", "Usunięto serwer '{server}'. Kopia jego pliku jest w {file}.";
    ServerExists => "a server named '{server}' already exists ({file}): change it with `obmen server edit {server}`", "вече има сървър '{server}' ({file}): променете го с `obmen server edit {server}`", "serwer o nazwie '{server}' już istnieje ({file}): zmień go przez `obmen server edit {server}`";
    NotSavedNew => "the new server '{server}' was not saved; give the missing settings with --set key=value (`obmen kinds show {kind}` lists every setting)", "новият сървър '{server}' не е записан; задайте липсващите настройки с --set ключ=стойност (`obmen kinds show {kind}` изброява всички)", "nowego serwera '{server}' nie zapisano; podaj brakujące ustawienia przez --set key=value (`obmen kinds show {kind}` wymienia wszystkie)";
    NotChanged => "server '{server}' was not changed", "сървър '{server}' не е променен", "serwer '{server}' nie został zmieniony";
    NoEditor => "no editor: set EDITOR (or VISUAL), install nano, or change settings with --set key=value", "няма редактор: задайте EDITOR (или VISUAL), инсталирайте nano или променяйте с --set ключ=стойност", "brak edytora: ustaw EDITOR (lub VISUAL), zainstaluj nano albo zmieniaj ustawienia przez --set key=value";
    EditorEnded => "the editor ({editor}) ended with {status}; nothing was saved", "редакторът ({editor}) завърши с {status}; нищо не е записано", "edytor ({editor}) zakończył się z {status}; nic nie zapisano";
    EditorMissing => "cannot run the editor '{editor}': {error}; set EDITOR to one that is installed", "редакторът '{editor}' не може да се стартира: {error}; задайте EDITOR на инсталиран редактор", "nie można uruchomić edytora '{editor}': {error}; ustaw EDITOR na zainstalowany edytor";
    EditKept => "nothing was saved; your edit is kept in {copy} (0600): fix it, then copy it over {file}", "нищо не е записано; редакцията ви е запазена в {copy} (0600): поправете я и я копирайте върху {file}", "nic nie zapisano; twoja edycja jest w {copy} (0600): popraw ją, potem skopiuj na {file}";
    InvalidServers => "{invalid} of {total} {total:server|servers} {invalid:is|are} invalid", "{invalid} от {total} {total:сървър|сървъра} {invalid:е невалиден|са невалидни}", "{invalid} z {total} {total:serwera|serwerów|serwerów} {invalid:jest nieprawidłowy|są nieprawidłowe|jest nieprawidłowych}";
    NothingToRepair => "Server '{server}': nothing to repair.", "Сървър '{server}': няма нищо за поправяне.", "Serwer '{server}': nie ma czego naprawiać.";
    FullNeedsExport => "--full resends the export: pass it with --export (server '{server}' does not export by its rules)", "--full изпраща експорта наново: подайте го с --export (сървър '{server}' не експортира по правилата си)", "--full wysyła eksport ponownie: podaj go z --export (serwer '{server}' według swoich reguł nie eksportuje)";
    // The Warehouse Pro database.
    WhConnectionLost => "the database stopped answering or the connection to it was lost ({message}; SQLSTATE {state}, while {context}): whatever was being written is rolled back whole, and obmen tries again by itself; if this goes on, check that the database server runs and can be reached from this machine", "базата данни спря да отговаря или връзката с нея прекъсна ({message}; SQLSTATE {state}, при {context}): каквото се записваше, се отменя изцяло, а obmen опитва отново сам; ако това продължи, проверете дали сървърът на базата данни работи и е достъпен от тази машина", "baza danych przestała odpowiadać lub połączenie zostało utracone ({message}; SQLSTATE {state}, podczas {context}): wszystko, co było zapisywane, wycofano w całości, a obmen ponawia samo; jeśli to trwa, sprawdź, czy serwer bazy działa i jest osiągalny z tego komputera";
    WhConnect => "cannot connect to the {dialect} database ({connection}): {message}. Check the connection string, that the ODBC driver it names is installed (odbcinst -q -d), and that the database server is running", "няма връзка с базата данни {dialect} ({connection}): {message}. Проверете низа за връзка, дали посоченият ODBC драйвер е инсталиран (odbcinst -q -d) и дали сървърът на базата данни работи", "nie można połączyć się z bazą {dialect} ({connection}): {message}. Sprawdź ciąg połączenia, czy wskazany sterownik ODBC jest zainstalowany (odbcinst -q -d) i czy serwer bazy działa";
    WhReadOnly => "the {dialect} database is read-only on this platform: {reason}", "базата данни {dialect} е само за четене на тази платформа: {reason}", "baza {dialect} jest na tej platformie tylko do odczytu: {reason}";
    WhMakingLockWait => "waited {secs} s for the lock another writer on this database holds while it makes partners or goods (another obmen, or a second server): tried again", "изчака {secs} с ключа, който друг записващ в тази база държи, докато създава партньори или стоки (друг obmen или втори сървър): опитва се отново", "czekano {secs} s na blokadę, którą inny zapisujący w tej bazie trzyma, tworząc kontrahentów lub towary (inny obmen lub drugi serwer): ponowiono";
    WhTextTooLong => "{what} is {actual} {actual:character|characters} long, but {table}.{column} holds at most {max}: shorten it where it comes from", "{what} е дълъг {actual} {actual:знак|знака}, а {table}.{column} побира най-много {max}: скъсете го там, откъдето идва", "{what} ma {actual} {actual:znak|znaki|znaków}, a {table}.{column} mieści najwyżej {max}: skróć to u źródła";
    WhNotEnoughStock => "not enough stock of good {good} at object {object}: {available} available, {wanted} wanted. Deliver the goods first, or allow negative stock for this server", "няма достатъчна наличност от стока {good} в обект {object}: налични {available}, нужни {wanted}. Първо заприходете стоката или разрешете отрицателни наличности за сървъра", "za mało towaru {good} w obiekcie {object}: dostępne {available}, potrzebne {wanted}. Najpierw przyjmij towar albo zezwól temu serwerowi na ujemne stany";
    WhAlreadyInitialised => "the database already has a goods table: `obmen warehouse init` only prepares an empty database and never touches one that holds data", "базата данни вече има таблица goods: `obmen warehouse init` подготвя само празна база данни и не пипа база с данни", "baza ma już tabelę towarów: `obmen warehouse init` przygotowuje tylko pustą bazę i nigdy nie rusza bazy z danymi";
    // The shop.
    ShopUnreachable => "cannot reach the shop at {url}: {detail}. Check shopiko.url, this computer's network, and that the shop is up", "магазинът на {url} не отговаря: {detail}. Проверете shopiko.url, мрежата на този компютър и дали магазинът работи", "nie można połączyć się ze sklepem pod {url}: {detail}. Sprawdź shopiko.url, sieć tego komputera i czy sklep działa";
    ShopTls => "a secure connection to {url} failed: {detail}. Check that shopiko.url is the shop's https address; obmen does not accept certificates it cannot verify", "защитената връзка с {url} не успя: {detail}. Проверете дали shopiko.url е https адресът на магазина; obmen не приема сертификати, които не може да провери", "bezpieczne połączenie z {url} nie powiodło się: {detail}. Sprawdź, czy shopiko.url to adres https sklepu; obmen nie przyjmuje certyfikatów, których nie może zweryfikować";
    ShopTimeout => "the shop at {url} did not answer within {secs} s", "магазинът на {url} не отговори в рамките на {secs} с", "sklep pod {url} nie odpowiedział w ciągu {secs} s";
    ShopUnauthorized => "the shop refused the request ({code}): {message}. Check shopiko.api_id and the key (shopiko.key, shopiko.key_file or shopiko.key_env) against the shop's \"Microinvest Синхронизация\" add-on", "магазинът отказа заявката ({code}): {message}. Проверете shopiko.api_id и ключа (shopiko.key, shopiko.key_file или shopiko.key_env) спрямо добавката \"Microinvest Синхронизация\" на магазина", "sklep odrzucił żądanie ({code}): {message}. Sprawdź shopiko.api_id i klucz (shopiko.key, shopiko.key_file lub shopiko.key_env) z dodatkiem sklepu \"Microinvest Синхронизация\"";
    ShopClockAhead => "the shop refused the request because this computer's clock is {secs} s ahead of the shop's (at most {max} s are allowed). Set the clock right, e.g. with NTP", "магазинът отказа заявката, защото часовникът на този компютър е {secs} с напред спрямо магазина (допустими са най-много {max} с). Сверете часовника, напр. с NTP", "sklep odrzucił żądanie, bo zegar tego komputera spieszy się o {secs} s względem sklepu (dozwolone najwyżej {max} s). Ustaw zegar, np. przez NTP";
    ShopClockBehind => "the shop refused the request because this computer's clock is {secs} s behind the shop's (at most {max} s are allowed). Set the clock right, e.g. with NTP", "магазинът отказа заявката, защото часовникът на този компютър е {secs} с назад спрямо магазина (допустими са най-много {max} с). Сверете часовника, напр. с NTP", "sklep odrzucił żądanie, bo zegar tego komputera spóźnia się o {secs} s względem sklepu (dozwolone najwyżej {max} s). Ustaw zegar, np. przez NTP";
    ShopRateLimited => "the shop asks to wait {secs} s before the next request (rate limit)", "магазинът иска {secs} с изчакване преди следващата заявка (ограничение на честотата)", "sklep prosi o odczekanie {secs} s przed następnym żądaniem (limit zapytań)";
    ShopRejected => "the shop refused the request ({status}, {code}): {message}", "магазинът отказа заявката ({status}, {code}): {message}", "sklep odrzucił żądanie ({status}, {code}): {message}";
    ShopServer => "the shop failed to answer ({status}): {message}", "магазинът не успя да отговори ({status}): {message}", "sklep nie zdołał odpowiedzieć ({status}): {message}";
    ShopDecode => "the shop's answer to {what} cannot be read: {detail}", "отговорът на магазина на {what} не може да се прочете: {detail}", "nie można odczytać odpowiedzi sklepu na {what}: {detail}";
    ShopGaveUp => "gave up on {what} after {attempts} {attempts:attempt|attempts} in {secs} s; the last one: {last}", "{what}: без успех след {attempts} {attempts:опит|опита} за {secs} с; последният: {last}", "{what}: bez powodzenia po {attempts} {attempts:próbie|próbach|próbach} w {secs} s; ostatnia: {last}";
    // obmen's state database.
    StateDatabase => "obmen's state database {path}: {reason}", "базата данни на obmen {path}: {reason}", "baza stanu obmen {path}: {reason}";
    StateNoFolder => "The folder {dir} does not exist and cannot be made: make it, or set --home (OBMEN_HOME) to a folder obmen may write", "Папката {dir} не съществува и не може да се създаде: създайте я или задайте --home (OBMEN_HOME) на папка, в която obmen може да пише", "Folder {dir} nie istnieje i nie można go utworzyć: utwórz go albo ustaw --home (OBMEN_HOME) na folder, do którego obmen może pisać";
    StateFolderNotWritable => "The folder {dir} cannot be written ({why}), and SQLite keeps state.db's -wal and -shm files in it. {fix}", "В папката {dir} не може да се пише ({why}), а SQLite държи в нея файловете -wal и -shm на state.db. {fix}", "Do folderu {dir} nie można pisać ({why}), a SQLite trzyma w nim pliki -wal i -shm bazy state.db. {fix}";
    StateFilesNotWritable => "{files} cannot be written ({why}). {fix}", "В {files} не може да се пише ({why}). {fix}", "Do {files} nie można pisać ({why}). {fix}";
    PermissionDenied => "permission denied", "няма права", "brak uprawnień";
    ReadOnlyFilesystem => "the file system is read-only", "файловата система е само за четене", "system plików jest tylko do odczytu";
    StateOtherOwner => "It belongs to another user (uid {owner}): run `sudo chown $(id -un) {paths}` as the user obmen runs as (uid {me}), or run obmen as its owner; obmen picks the change up on its next run", "Принадлежи на друг потребител (uid {owner}): изпълнете `sudo chown $(id -un) {paths}` като потребителя, с който работи obmen (uid {me}), или стартирайте obmen като собственика; obmen ще отчете промяната при следващия обмен", "Należy do innego użytkownika (uid {owner}): uruchom `sudo chown $(id -un) {paths}` jako użytkownik, na którym działa obmen (uid {me}), albo uruchamiaj obmen jako właściciel; obmen uwzględni zmianę przy następnej wymianie";
    StateRunChmod => "Run `chmod {mode} {paths}`; obmen picks the change up on its next run", "Изпълнете `chmod {mode} {paths}`; obmen ще отчете промяната при следващия обмен", "Uruchom `chmod {mode} {paths}`; obmen uwzględni zmianę przy następnej wymianie";
    // Stock modes.
    ModeAverage => "average price", "средна цена", "cena średnia";
    ModeLastPurchase => "last purchase price", "последна доставна цена", "ostatnia cena zakupu";
    ModeQuickAverage => "quick average price", "бърза средна цена", "szybka cena średnia";
    ModeFifo => "lots, FIFO", "партиди, FIFO", "partie, FIFO";
    ModeLifo => "lots, LIFO", "партиди, LIFO", "partie, LIFO";
    ModeFefo => "lots, FEFO", "партиди, FEFO", "partie, FEFO";
    ModeChoice => "lots, chosen (taken FIFO)", "партиди, по избор (взимат се по FIFO)", "partie, wybierane (pobierane FIFO)";
    // Settings that need more than a type.
    NotAWindow => "'{value}' is not a time window: write HH:MM-HH:MM, e.g. 08:00-20:00 or 00:00-24:00", "'{value}' не е часови интервал: пишете ЧЧ:ММ-ЧЧ:ММ, напр. 08:00-20:00 или 00:00-24:00", "'{value}' nie jest przedziałem czasu: wpisz GG:MM-GG:MM, np. 08:00-20:00 lub 00:00-24:00";
    NotClockTimes => "'{value}' is not a time of day: write HH:MM, several with commas, e.g. 06:00, 14:30", "'{value}' не е час: пишете ЧЧ:ММ, няколко със запетаи, напр. 06:00, 14:30", "'{value}' nie jest godziną: wpisz GG:MM, kilka po przecinku, np. 06:00, 14:30";
    NoClockTimes => "is 'at' but {key} holds no time: write the times, e.g. {key} = \"06:00, 14:30\"", "е 'at', но {key} не съдържа час: напишете часовете, напр. {key} = \"06:00, 14:30\"", "ma wartość 'at', ale {key} nie zawiera godziny: wpisz godziny, np. {key} = \"06:00, 14:30\"";
    EmptyWindow => "'{value}' is an empty time window: the start and the end are the same", "'{value}' е празен интервал: началото и краят съвпадат", "'{value}' to pusty przedział czasu: początek i koniec są takie same";
    NotAWeekday => "'{value}' is not a weekday: use mon, tue, wed, thu, fri, sat, sun (or пон, вто, сря, чет, пет, съб, нед)", "'{value}' не е ден от седмицата: пишете пон, вто, сря, чет, пет, съб, нед (или mon, tue, wed, thu, fri, sat, sun)", "'{value}' nie jest dniem tygodnia: użyj mon, tue, wed, thu, fri, sat, sun (lub пон, вто, сря, чет, пет, съб, нед)";
    EmptyWeekdayEntry => "'{value}' has an empty entry: write e.g. mon-fri or mon,wed,fri", "'{value}' има празен елемент: пишете напр. пон-пет или пон,сря,пет", "'{value}' ma pusty element: wpisz np. mon-fri lub mon,wed,fri";
    WeekdaysBackwards => "'{value}' runs backwards: write the earlier day first (e.g. sat-sun)", "'{value}' е наобратно: първо пишете по-ранния ден (напр. съб-нед)", "'{value}' idzie wstecz: wpisz najpierw wcześniejszy dzień (np. sat-sun)";
    KeyEnvNotText => "the environment variable {var} is not text", "променливата на средата {var} не е текст", "zmienna środowiskowa {var} nie jest tekstem";
    KeyEnvUnset => "the environment variable {var} is not set, or is empty: set it where obmen runs", "променливата на средата {var} не е зададена или е празна: задайте я там, където работи obmen", "zmienna środowiskowa {var} nie jest ustawiona lub jest pusta: ustaw ją tam, gdzie działa obmen";
    KeyFileOpen => "{file} may be read by other users (mode {mode}): run `chmod 600 {file}`", "{file} може да се чете от други потребители (права {mode}): изпълнете `chmod 600 {file}`", "{file} mogą czytać inni użytkownicy (tryb {mode}): uruchom `chmod 600 {file}`";
    KeyFileUnreadable => "cannot read {file}: {error}", "{file} не може да се прочете: {error}", "nie można odczytać {file}: {error}";
    KeyFileNotText => "{file} is not a text file: put the key on its first line", "{file} не е текстов файл: поставете ключа на първия му ред", "{file} nie jest plikiem tekstowym: wpisz klucz w pierwszym wierszu";
    TokenFileNotText => "{file} is not a text file: put the token on its first line", "{file} не е текстов файл: поставете токена на първия му ред", "{file} nie jest plikiem tekstowym: wpisz token w pierwszym wierszu";
    KeyFileEmpty => "{file} is empty: put the key on its first line", "{file} е празен: поставете ключа на първия му ред", "{file} jest pusty: wpisz klucz w pierwszym wierszu";
    TokenFileEmpty => "{file} is empty: put the token on its first line", "{file} е празен: поставете токена на първия му ред", "{file} jest pusty: wpisz token w pierwszym wierszu";
    ApiIdNotHeader => "holds characters an HTTP header cannot carry (spaces, Cyrillic, control characters): paste the API ID exactly as the shop's add-on shows it", "съдържа знаци, които HTTP заглавка не може да носи (интервали, кирилица, управляващи знаци): поставете API идентификатора точно както го показва добавката на магазина", "zawiera znaki, których nie może nieść nagłówek HTTP (spacje, cyrylica, znaki sterujące): wklej API ID dokładnie tak, jak pokazuje je dodatek sklepu";
    SetNeedsKeyValue => "--set takes key=value, not '{arg}'", "--set приема ключ=стойност, а не '{arg}'", "--set przyjmuje key=value, nie '{arg}'";
    SetNoKey => "--set '{arg}' has no key", "--set '{arg}' няма ключ", "--set '{arg}' nie ma klucza";
    UnknownKeyHint => "unknown key{hint}", "непознат ключ{hint}", "nieznany klucz{hint}";
    DidYouMean => ": did you mean '{key}'?", ": може би '{key}'?", ": czy chodziło o '{key}'?";
    NotBoolWord => "'{value}' is not true or false (yes/no, да/не, tak/nie also do)", "'{value}' не е true или false (стават и да/не, yes/no, tak/nie)", "'{value}' nie jest true ani false (yes/no, да/не, tak/nie też działają)";
    NotWholeNumber => "'{value}' is not a whole number", "'{value}' не е цяло число", "'{value}' nie jest liczbą całkowitą";
    NameEmpty => "the name is empty", "името е празно", "nazwa jest pusta";
    NameTooLong => "'{name}' is longer than 64 characters", "'{name}' е по-дълго от 64 знака", "'{name}' jest dłuższa niż 64 znaki";
    NameEdges => "'{name}' starts with '.' or has spaces around it", "'{name}' започва с '.' или има интервали в краищата", "'{name}' zaczyna się od '.' lub ma spacje na brzegach";
    NameBadChar => "'{name}' has the character '{c}': use letters, digits, spaces, '-', '_' and '.'", "'{name}' съдържа знака '{c}': използвайте букви, цифри, интервали, '-', '_' и '.'", "'{name}' zawiera znak '{c}': używaj liter, cyfr, spacji, '-', '_' i '.'";
    // Developer tools.
    InitMade => "Made a Warehouse Pro {version} database ({dialect}) at {connection}: {tables} {tables:table|tables}, {goods} {goods:good|goods}, {partners} {partners:partner|partners}, {objects} {objects:object|objects}, {stock} {stock:stock row|stock rows}.", "Създадена е база данни на Склад Pro {version} ({dialect}) на {connection}: {tables} {tables:таблица|таблици}, {goods} {goods:стока|стоки}, {partners} {partners:партньор|партньора}, {objects} {objects:обект|обекта}, {stock} {stock:ред|реда} наличности.", "Utworzono bazę Warehouse Pro {version} ({dialect}) pod {connection}: {tables} {tables:tabela|tabele|tabel}, {goods} {goods:towar|towary|towarów}, {partners} {partners:kontrahent|kontrahentów|kontrahentów}, {objects} {objects:obiekt|obiekty|obiektów}, {stock} {stock:wiersz|wiersze|wierszy} stanów.";
    InitNoDialect => "cannot tell the database type from the connection string: pass --dialect access|mysql|mssql|sqlite", "типът на базата данни не личи от низа за връзка: подайте --dialect access|mysql|mssql|sqlite", "nie można rozpoznać rodzaju bazy z ciągu połączenia: podaj --dialect access|mysql|mssql|sqlite";
    SimBanner => "Shopiko simulator on http://{addr} (API ID {api_id}): {orders} {orders:order|orders}, {products} {products:product|products}, {customers} {customers:customer|customers}{kept}.\nStats: GET http://{addr}/_sim/stats; more orders: POST http://{addr}/_sim/orders?count=N. Ctrl-C stops it.", "Симулатор на Shopiko на http://{addr} (API идентификатор {api_id}): {orders} {orders:поръчка|поръчки}, {products} {products:стока|стоки}, {customers} {customers:клиент|клиента}{kept}.\nСтатистика: GET http://{addr}/_sim/stats; още поръчки: POST http://{addr}/_sim/orders?count=N. Ctrl-C го спира.", "Symulator Shopiko pod http://{addr} (API ID {api_id}): {orders} {orders:zamówienie|zamówienia|zamówień}, {products} {products:produkt|produkty|produktów}, {customers} {customers:klient|klientów|klientów}{kept}.\nStatystyki: GET http://{addr}/_sim/stats; więcej zamówień: POST http://{addr}/_sim/orders?count=N. Ctrl-C zatrzymuje.";
    SimKept => ", kept in {file}", ", пазени в {file}", ", zapisany w {file}";
    // Connection strings and addresses.
    ConnNul => "holds a NUL character: write the connection string as plain text", "съдържа знак NUL: пишете низа за връзка като обикновен текст", "zawiera znak NUL: wpisz ciąg połączenia jako zwykły tekst";
    ConnNotPair => "'{text}' is not an attribute=value pair: write e.g. Driver=...;Database=...", "'{text}' не е двойка атрибут=стойност: пишете напр. Driver=...;Database=...", "'{text}' nie jest parą atrybut=wartość: wpisz np. Driver=...;Database=...";
    ConnBadName => "'{key}' is not an attribute name", "'{key}' не е име на атрибут", "'{key}' nie jest nazwą atrybutu";
    ConnBraceOpen => "the value of {key} opens a brace that never closes: close it with '}' (write '}}' for a '}' inside)", "стойността на {key} отваря скоба, която не се затваря: затворете я с '}' (пишете '}}' за '}' вътре)", "wartość {key} otwiera nawias klamrowy, który się nie zamyka: zamknij go '}' (wpisz '}}' dla '}' w środku)";
    ConnAfterBrace => "the value of {key} goes on after its closing brace: put ';' after it", "стойността на {key} продължава след затварящата скоба: поставете ';' след нея", "wartość {key} ciągnie się za nawiasem zamykającym: postaw po nim ';'";
    ConnStrayBrace => "the value of {key} holds a brace: put the whole value in braces, e.g. {key}={...}", "стойността на {key} съдържа скоба: оградете цялата стойност в скоби, напр. {key}={...}", "wartość {key} zawiera nawias klamrowy: ujmij całą wartość w nawiasy, np. {key}={...}";
    ConnNoDriver => "names no Driver and no DSN: write Driver={...};... or DSN=NAME", "не посочва нито Driver, нито DSN: пишете Driver={...};... или DSN=ИМЕ", "nie podaje ani Driver, ani DSN: wpisz Driver={...};... lub DSN=NAME";
    ConnTwoDrivers => "names {named} (more than one of Driver, DSN and FILEDSN): keep one, the driver manager would take the last", "посочва {named} (повече от едно от Driver, DSN и FILEDSN): оставете едно, мениджърът на драйвери би взел последното", "podaje {named} (więcej niż jedno z Driver, DSN i FILEDSN): zostaw jedno, menedżer sterowników wziąłby ostatnie";
    ConnEmpty => "is empty: write an ODBC connection string, e.g. Driver={MariaDB Unicode};Server=...;Database=...;Uid=...;Pwd=... or DSN=NAME", "е празно: пишете ODBC низ за връзка, напр. Driver={MariaDB Unicode};Server=...;Database=...;Uid=...;Pwd=... или DSN=ИМЕ", "jest pusty: wpisz ciąg połączenia ODBC, np. Driver={MariaDB Unicode};Server=...;Database=...;Uid=...;Pwd=... lub DSN=NAME";
    ConnNotOdbc => "is not an ODBC connection string: write attribute=value pairs separated by ';', e.g. DSN=NAME or Driver=...;Database=...", "не е ODBC низ за връзка: пишете двойки атрибут=стойност, разделени с ';', напр. DSN=ИМЕ или Driver=...;Database=...", "nie jest ciągiem połączenia ODBC: wpisz pary atrybut=wartość rozdzielone ';', np. DSN=NAME lub Driver=...;Database=...";
    UrlBad => "'{url}' is not an address: write https://host/path", "'{url}' не е адрес: пишете https://хост/път", "'{url}' nie jest adresem: wpisz https://host/ścieżka";
    UrlCredentials => "holds a user name or password: take them out (the shop is reached by the API ID and key alone)", "съдържа потребителско име или парола: премахнете ги (магазинът се достига само с API идентификатора и ключа)", "zawiera nazwę użytkownika lub hasło: usuń je (sklep jest osiągany tylko przez API ID i klucz)";
    UrlPlain => "'{url}' is not encrypted: write https://; http:// is only for a simulator on this machine (127.0.0.1, localhost)", "'{url}' не е криптиран: пишете https://; http:// е само за симулатор на този компютър (127.0.0.1, localhost)", "'{url}' nie jest szyfrowany: wpisz https://; http:// jest tylko dla symulatora na tym komputerze (127.0.0.1, localhost)";
    // Errors at the binary's edge.
    ErrorPrefix => "obmen: error: ", "obmen: грешка: ", "obmen: błąd: ";
    CannotRead => "cannot read {file}: {error}; check that it is there and that obmen may read it", "{file} не може да се прочете: {error}; проверете, че съществува и obmen има право да го чете", "nie można odczytać {file}: {error}; sprawdź, czy plik istnieje i czy obmen może go czytać";
    CannotWrite => "cannot write {file}: {error}; check that its folder exists and that obmen may write there", "в {file} не може да се пише: {error}; проверете, че папката съществува и obmen има право да пише в нея", "nie można zapisać {file}: {error}; sprawdź, czy jego folder istnieje i czy obmen może w nim pisać";
    CannotMake => "cannot make {file}: {error}; check that obmen may write to the folder it is in", "{file} не може да се създаде: {error}; проверете, че obmen има право да пише в папката", "nie można utworzyć {file}: {error}; sprawdź, czy obmen może pisać w jego folderze";
    CannotRemove => "cannot remove {file}: {error}; remove it by hand", "{file} не може да се премахне: {error}; премахнете го ръчно", "nie można usunąć {file}: {error}; usuń go ręcznie";
    CannotListen => "cannot listen on {socket}: {error}; check that the home can be written", "не може да се слуша на {socket}: {error}; проверете, че в папката може да се пише", "nie można nasłuchiwać na {socket}: {error}; sprawdź, czy można pisać w katalogu domowym";
    CannotRunMore => "cannot start {what}: {error}", "{what} не може да се стартира: {error}", "nie można uruchomić {what}: {error}";
    NotALevel => "'{value}' is not a log level: write debug, info, warn or error", "'{value}' не е ниво на дневника: пишете debug, info, warn или error", "'{value}' nie jest poziomem logu: wpisz debug, info, warn lub error";
    NoUserHome => "no home folder is known for this user: set HOME", "за този потребител не е известна домашна папка: задайте HOME", "nie wiadomo, gdzie jest katalog domowy tego użytkownika: ustaw HOME";
    NoOwnPath => "cannot tell where this obmen is ({error}): run it by its full path", "не може да се определи къде е този obmen ({error}): стартирайте го с пълния му път", "nie można ustalić, gdzie jest ten obmen ({error}): uruchom go pełną ścieżką";
    ApiBadSetBody => "the body must be {\"set\": {\"key\": \"value\"}}", "тялото трябва да е {\"set\": {\"key\": \"value\"}}", "treść musi mieć postać {\"set\": {\"key\": \"value\"}}";
    ApiBadNewBody => "the body must be {\"name\": \"...\", \"kind\": \"...\", \"set\": {\"key\": \"value\"}, \"dry_run\": false}", "тялото трябва да е {\"name\": \"...\", \"kind\": \"...\", \"set\": {\"key\": \"value\"}, \"dry_run\": false}", "treść musi mieć postać {\"name\": \"...\", \"kind\": \"...\", \"set\": {\"key\": \"value\"}, \"dry_run\": false}";
    ApiNotAnEntry => "'{id}' is not the id of an order in the quarantine: `obmen quarantine {server}` lists them", "'{id}' не е номер на поръчка в карантина: `obmen quarantine {server}` ги показва", "'{id}' nie jest identyfikatorem zamówienia w kwarantannie: `obmen quarantine {server}` je wymienia";
    ApiUnknownKind => "'{kind}' is not a kind obmen knows: fix the file's kind by hand (`obmen kinds` lists them)", "'{kind}' не е тип, който obmen познава: поправете типа във файла ръчно (`obmen kinds` ги показва)", "'{kind}' nie jest rodzajem znanym obmen: popraw rodzaj w pliku ręcznie (`obmen kinds` je wymienia)";
    ApiNoSuchPath => "{method} {path} is not part of obmen's control API {version}", "{method} {path} не е част от контролния интерфейс на obmen {version}", "{method} {path} nie należy do API sterowania obmen {version}";
    DaemonRefusedRequest => "the daemon refused the request", "демонът отказа заявката", "demon odrzucił żądanie";
    DaemonAnswerUnexpected => "the daemon's answer is not what this obmen expects ({error}): is the daemon an older or newer obmen? Restart it", "отговорът на демона не е какъвто този obmen очаква ({error}): по-стар или по-нов obmen ли е демонът? Рестартирайте го", "odpowiedź demona nie jest tym, czego oczekuje ten obmen ({error}): czy demon to starszy lub nowszy obmen? Uruchom go ponownie";
    NoNamedPipe => "the control channel is built only for Unix here; a Windows named pipe has not been built or tried", "контролният канал е направен само за Unix; именуван канал за Windows не е правен и изпробван", "kanał sterowania jest tu zbudowany tylko dla Uniksa; nazwany potok Windows nie został zbudowany ani wypróbowany";
    LogNotWritten => "obmen: cannot write the log in {dir}: {error}; the exchange goes on", "obmen: дневникът в {dir} не може да се запише: {error}; обменът продължава", "obmen: nie można zapisać logu w {dir}: {error}; wymiana trwa dalej";
    PhaseNomenclature => "nomenclature", "номенклатура", "nomenklatura";
    TuiSaved => "The settings of '{server}' were saved; the daemon applies them to it alone.", "Настройките на '{server}' са записани; демонът ги прилага само към него.", "Ustawienia '{server}' zapisano; demon stosuje je tylko do niego.";
    TuiEditKeys => "Enter: save   Esc: cancel   (choices: ↑↓)", "Enter: запис   Esc: отказ   (избор: ↑↓)", "Enter: zapisz   Esc: anuluj   (wybór: ↑↓)";
    TuiEditKeysMany => "Space: pick or drop   Enter: save the picked   Esc: cancel   (↑↓ move)", "Интервал: избор или отказ   Enter: запис на избраните   Esc: отказ   (↑↓ движение)", "Spacja: zaznacz lub odznacz   Enter: zapisz zaznaczone   Esc: anuluj   (↑↓ ruch)";
    TuiTesting => "Testing the connections...", "Проверка на връзките...", "Sprawdzanie połączeń...";
    TuiChecksTitle => "Tests of {server} (any key: back)", "Проверки на {server} (клавиш: назад)", "Testy {server} (dowolny klawisz: wstecz)";
    ActDelete => "Delete", "Изтриване", "Usuń";
    TuiAskDelete => "Delete server '{server}'? It is stopped first; a copy of its file is kept in servers/deleted/.\nEnter/y: yes   any other key: no", "Да се изтрие ли сървър '{server}'? Първо се спира; копие на файла му остава в servers/deleted/.\nEnter/y: да   друг клавиш: не", "Usunąć serwer '{server}'? Najpierw zostanie zatrzymany; kopia jego pliku zostanie w servers/deleted/.\nEnter/y: tak   inny klawisz: nie";
    DemoReadyBaseLinker => "Beside it, the server '{server}' takes the orders of a BaseLinker account simulated at {url} (its token in {token}) into the same database.", "До него сървърът '{server}' внася в същата база данни поръчките на акаунт в BaseLinker, симулиран на {url} (токенът му е в {token}).", "Obok niego serwer '{server}' przenosi do tej samej bazy zamówienia konta BaseLinker symulowanego pod {url} (jego token w {token}).";
    DemoReady => "The demo is ready in {home}:\n  Warehouse Pro database (SQLite): {db}\n  Shopiko simulator: {url} (a new order every 20 s)\n  server '{server}': {file}\n  shop key (0600): {key}\n  the daemon runs; in the UI press s to start the server, l for its log.\n  (`obmen --home {home}` opens the UI again.)", "Демото е готово в {home}:\n  база данни на Склад Pro (SQLite): {db}\n  симулатор на Shopiko: {url} (нова поръчка на всеки 20 с)\n  сървър '{server}': {file}\n  ключ на магазина (0600): {key}\n  демонът работи; в интерфейса натиснете s за старт на сървъра, l за лога му.\n  (`obmen --home {home}` отваря интерфейса отново.)", "Demo jest gotowe w {home}:\n  baza Warehouse Pro (SQLite): {db}\n  symulator Shopiko: {url} (nowe zamówienie co 20 s)\n  serwer '{server}': {file}\n  klucz sklepu (0600): {key}\n  demon działa; w interfejsie naciśnij s, by uruchomić serwer, l, by zobaczyć jego log.\n  (`obmen --home {home}` otwiera interfejs ponownie.)";
    ActQuarantine => "Quarantine", "Карантина", "Kwarantanna";
    TuiQuarantineTitle => "Quarantine of {server}", "Карантина на {server}", "Kwarantanna {server}";
    TuiQuarantineKeys => "↑↓ select  Enter/R retry  D remove (never import)  w why  Esc back", "↑↓ избор  Enter/R нов опит  D премахване (без внасяне)  w защо  Esc назад", "↑↓ wybór  Enter/R ponów  D usuń (bez importu)  w dlaczego  Esc wstecz";
    TuiAskRetry => "Import order {order} again now?\nEnter/y: yes   any other key: no", "Да се внесе ли поръчка {order} отново сега?\nEnter/y: да   друг клавиш: не", "Zaimportować teraz ponownie zamówienie {order}?\nEnter/y: tak   inny klawisz: nie";
    TuiAskDrop => "Never import order {order}? It stays listed with its reason.\nEnter/y: yes   any other key: no", "Поръчка {order} да не се внася никога? Остава в списъка с причината.\nEnter/y: да   друг клавиш: не", "Nigdy nie importować zamówienia {order}? Zostaje na liście z powodem.\nEnter/y: tak   inny klawisz: nie";
    TuiRetried => "The order was imported.", "Поръчката е внесена.", "Zamówienie zaimportowano.";
    TuiStillSetAside => "The order is still in the quarantine: its reason is in the list.", "Поръчката остава в карантина: причината е в списъка.", "Zamówienie jest nadal w kwarantannie: powód jest na liście.";
    ActLog => "Log", "Лог", "Log";
    ActRuns => "Runs", "Обмени", "Wymiany";
    TuiNotFound => "'{text}' is not in the lines loaded", "'{text}' го няма в заредените редове", "'{text}' nie ma we wczytanych wierszach";
    TuiLogTitle => "Log of {server}", "Лог на {server}", "Log {server}";
    TuiLogKeys => "↑↓ PgUp PgDn g/G scroll  / search  n next  e level  Esc back", "↑↓ PgUp PgDn g/G превъртане  / търсене  n следващо  e ниво  Esc назад", "↑↓ PgUp PgDn g/G przewijanie  / szukaj  n następne  e poziom  Esc wstecz";
    TuiLogFollowing => "following", "следи", "na bieżąco";
    TuiLogLevel => "level ≥ {level}", "ниво ≥ {level}", "poziom ≥ {level}";
    TuiLogRun => "run {run}", "обмен {run}", "wymiana {run}";
    TuiRunsTitle => "Runs of {server}", "Обмени на {server}", "Wymiany {server}";
    TuiRunsKeys => "↑↓ select  Enter its log lines  w why an order  Esc back", "↑↓ избор  Enter редовете му в лога  w защо поръчка  Esc назад", "↑↓ wybór  Enter jej wiersze logu  w dlaczego zamówienie  Esc wstecz";
    TuiNoRuns => "No runs yet.", "Още няма обмени.", "Jeszcze nie było wymian.";
    ActStart => "Start", "Старт", "Start";
    ActNew => "New", "Нов", "Nowy";
    ActEdit => "Edit", "Редакция", "Edycja";
    TuiNewTitle => "New server", "Нов сървър", "Nowy serwer";
    TuiNewName => "Name", "Име", "Nazwa";
    TuiNewKind => "Kind", "Тип", "Rodzaj";
    TuiNewKeys => "Tab: name/kind   ↑↓: kind   Enter: on to its settings   Esc: cancel", "Tab: име/тип   ↑↓: тип   Enter: към настройките   Esc: отказ", "Tab: nazwa/rodzaj   ↑↓: rodzaj   Enter: do ustawień   Esc: anuluj";
    TuiNameTaken => "a server named '{server}' already exists: pick another name", "вече има сървър '{server}': изберете друго име", "serwer o nazwie '{server}' już istnieje: wybierz inną nazwę";
    TuiDraftTitleShort => "New server {server}", "Нов сървър {server}", "Nowy serwer {server}";
    TuiDraftTitle => "New server {server} ({kind})", "Нов сървър {server} ({kind})", "Nowy serwer {server} ({kind})";
    TuiDraftKeys => "↑↓ select  Tab next required  Enter edit  Ctrl-S/F2/w save  Esc cancel", "↑↓ избор  Tab следващо задължително  Enter редакция  Ctrl-S/F2/w запис  Esc отказ", "↑↓ wybór  Tab następne wymagane  Enter edycja  Ctrl-S/F2/w zapisz  Esc anuluj";
    TuiRequired => "required", "задължително", "wymagane";
    TuiNotYet => "Not saved yet: still to fill in or fix: {what}", "Още не е записан: остава да се попълни или поправи: {what}", "Jeszcze nie zapisano: do uzupełnienia lub poprawy: {what}";
    TuiKindFixed => "A server's kind is chosen when it is made: press Esc and make a new one.", "Типът на сървъра се избира при създаването му: натиснете Esc и създайте нов.", "Rodzaj serwera wybiera się przy jego tworzeniu: naciśnij Esc i utwórz nowy.";
    TuiMade => "Server '{server}' was made; press s to start it.", "Сървър '{server}' е създаден; натиснете s за старт.", "Utworzono serwer '{server}'; naciśnij s, by go uruchomić.";
    TuiAskDiscard => "Throw away the new server's settings?\nEnter/y: yes   any other key: no", "Да се откажат ли настройките на новия сървър?\nEnter/y: да   друг клавиш: не", "Odrzucić ustawienia nowego serwera?\nEnter/y: tak   inny klawisz: nie";
    TuiReady => "ready to save", "готов за запис", "gotowe do zapisu";
    ActStop => "Stop", "Стоп", "Stop";
    ActTest => "Test", "Тест", "Test";
    ActHide => "Hide", "Скриване", "Ukryj";
    ActHelp => "Help", "Помощ", "Pomoc";
    ActQuit => "Quit", "Изход", "Wyjście";
    TuiServers => "Servers", "Сървъри", "Serwery";
    TuiConnected => "daemon", "демон", "demon";
    TuiNotConnected => "no daemon", "няма демон", "brak demona";
    TuiCounts => "{running} running, {failed} failed, {total} {total:server|servers}", "работят {running}, с грешка {failed}, сървъри {total}", "{running} {running:działa|działają|działa}, {failed} z błędem, {total} {total:serwer|serwery|serwerów}";
    TuiNoServers => "No servers yet. Press n to make one (or `obmen server new NAME --kind KIND`).", "Още няма сървъри. Натиснете n, за да създадете (или `obmen server new ИМЕ --kind ТИП`).", "Brak serwerów. Naciśnij n, by utworzyć serwer (lub `obmen server new NAME --kind KIND`).";
    TuiWaitingForDaemon => "Connecting to the daemon...", "Свързване с демона...", "Łączenie z demonem...";
    TuiQuitAsk => "{count} {count:server is|servers are} running.\nEnter: leave them running in the daemon (as Hide does)\ns: stop them, then quit\nany other key: go back", "Работят сървъри: {count}.\nEnter: оставете ги да работят в демона (като Скриване)\ns: спрете ги и излезте\nдруг клавиш: назад", "{count:Działa|Działają|Działa} {count} {count:serwer|serwery|serwerów}.\nEnter: zostaw je działające w demonie (jak Ukryj)\ns: zatrzymaj je, potem wyjdź\ninny klawisz: wróć";
    TuiHelpText => "s/F5 start   x/F6 stop   t/F9 test the connections\nn/F3 new server   e/Enter/F4 edit a property   d/Del delete\nl/F7 log   r/F8 runs   u quarantine (orders not imported)   w why an order is not in Warehouse Pro\n↑↓ select a server   Tab/PgDn, PgUp select a property\nh/F10 hide: the window goes, the servers keep running\nL switch the language   q quit   ? this help\nA Bulgarian keyboard works as it is: the same keys (BDS; phonetic: [tui] keyboard in obmen.toml)\nany key: back", "s/F5 старт   x/F6 стоп   t/F9 тест на връзките\nn/F3 нов сървър   e/Enter/F4 редакция на настройка   d/Del изтриване\nl/F7 лог   r/F8 обмени   u карантина (невнесени поръчки)   w защо поръчка не е в Склад Pro\n↑↓ избор на сървър   Tab/PgDn, PgUp избор на настройка\nh/F10 скриване: прозорецът изчезва, сървърите продължават\nL смяна на езика   q изход   ? тази помощ\nС българска клавиатура работят същите клавиши (БДС; фонетична: [tui] keyboard в obmen.toml)\nдруг клавиш: назад", "s/F5 start   x/F6 stop   t/F9 test połączeń\nn/F3 nowy serwer   e/Enter/F4 edycja właściwości   d/Del usuń\nl/F7 log   r/F8 wymiany   u kwarantanna (niezaimportowane zamówienia)   w dlaczego zamówienia nie ma w Warehouse Pro\n↑↓ wybór serwera   Tab/PgDn, PgUp wybór właściwości\nh/F10 ukryj: okno znika, serwery działają dalej\nL zmiana języka   q wyjście   ? ta pomoc\nZ bułgarską klawiaturą działają te same klawisze (BDS; fonetyczna: [tui] keyboard w obmen.toml)\ndowolny klawisz: wstecz";
    TuiOneOfList => "one of {names}", "едно от {names}", "jedno z {names}";
    TuiOneOf => "one of these", "едно от тези", "jedno z tych";
    TuiRestartingDaemon => "Starting the daemon again…", "Демонът се стартира отново…", "Ponowne uruchamianie demona…";
    TuiLostEnter => "{why}: Enter starts the daemon again", "{why}: Enter стартира демона отново", "{why}: Enter uruchamia demona ponownie";
    TuiStartingDaemon => "No daemon ran for this home: one was started in the background.", "За тази папка не работеше демон: стартиран е във фонов режим.", "Dla tego katalogu nie działał żaden demon: uruchomiono go w tle.";
    RunLostDaemon => "the daemon stopped answering before the run of server '{server}' ended: `obmen runs {server}` shows how it ended", "демонът спря да отговаря преди края на обмена на сървър '{server}': `obmen runs {server}` показва как е завършил", "demon przestał odpowiadać przed końcem wymiany serwera '{server}': `obmen runs {server}` pokazuje, jak się skończyła";
    CliStarted => "Server '{server}' started in the daemon: {state}.", "Сървър '{server}' е стартиран в демона: {state}.", "Serwer '{server}' uruchomiony w demonie: {state}.";
    CliAlreadyRunning => "Server '{server}' was already running in the daemon: {state}.", "Сървър '{server}' вече работи в демона: {state}.", "Serwer '{server}' już działał w demonie: {state}.";
    CliStopped => "Server '{server}' stopped.", "Сървър '{server}' е спрян.", "Serwer '{server}' zatrzymany.";
    CliStopLate => "server '{server}' had not stopped within the daemon's deadline: its run ends after the page in hand; `obmen server list` shows when", "сървър '{server}' не спря в срока на демона: обменът му ще приключи след текущата страница; `obmen server list` показва кога", "serwer '{server}' nie zatrzymał się w terminie demona: jego wymiana skończy się po bieżącej stronie; `obmen server list` pokaże kiedy";
    StateStopped => "stopped", "спрян", "zatrzymany";
    StateWaiting => "waiting", "изчаква", "czeka";
    StateRunning => "running", "обменя", "działa";
    StateFailed => "failed", "грешка", "błąd";
    StateNoDaemon => "no daemon", "няма демон", "brak demona";
    DetailWaitingUntil => "next: {time}", "следващ: {time}", "następna: {time}";
    DetailWaitingNothing => "no run planned", "няма планиран обмен", "brak zaplanowanej wymiany";
    DetailRunningOf => "{phase} {done}/{total}", "{phase} {done}/{total}", "{phase} {done}/{total}";
    DetailRunning => "{phase} {done}", "{phase} {done}", "{phase} {done}";
    DetailStarting => "starting", "започва", "uruchamianie";
    StateRetrying => "retrying", "нов опит", "ponawia";
    DetailRetrying => "again at {time} (try {attempt}): {reason}", "отново в {time} (опит {attempt}): {reason}", "ponownie o {time} (próba {attempt}): {reason}";
    DetailRetryingAt => "again at {time}: {reason}", "отново в {time}: {reason}", "ponownie o {time}: {reason}";
    NoRuns => "Server '{server}' has no runs recorded yet.", "Сървър '{server}' още няма записани обмени.", "Serwer '{server}' nie ma jeszcze zapisanych wymian.";
    ColRun => "RUN", "ОБМЕН", "WYMIANA";
    ColStarted => "STARTED", "НАЧАЛО", "POCZĄTEK";
    ColTook => "TOOK", "ВРЕМЕ", "CZAS";
    ColOutcome => "OUTCOME", "РЕЗУЛТАТ", "WYNIK";
    ColImported => "IMPORTED", "ВНЕСЕНИ", "ZAIMPORT.";
    ColSetAside => "QUARANTINE", "КАРАНТИНА", "KWARANTANNA";
    ColExported => "EXPORTED", "ИЗПРАТЕНИ", "WYEKSPORT.";
    ColRetries => "RETRIES", "НОВИ ОПИТИ", "PONOWIENIA";
    ColError => "ERROR", "ГРЕШКА", "BŁĄD";
    ColState => "STATE", "СЪСТОЯНИЕ", "STAN";
    ColDetail => "DETAIL", "ПОДРОБНОСТИ", "SZCZEGÓŁY";
    ColLastRun => "LAST RUN", "ПОСЛЕДЕН ОБМЕН", "OSTATNIA WYMIANA";
    NotADuration => "'{value}' is not a duration ({error}): write e.g. 10m, 2h, 3d", "'{value}' не е продължителност ({error}): пишете напр. 10m, 2h, 3d", "'{value}' nie jest okresem czasu ({error}): wpisz np. 10m, 2h, 3d";
    NoLogLines => "No log lines of '{server}' match (the logs are in {dir}).", "Няма редове в дневника на '{server}' по тези условия (дневниците са в {dir}).", "Żaden wiersz logu '{server}' nie pasuje (logi są w {dir}).";
    ServiceNotInstalled => "No unit is installed at {file}.", "Няма инсталирана услуга в {file}.", "W {file} nie zainstalowano żadnej jednostki.";
    ServiceCommandFailed => "`{command}` failed: {said}", "`{command}` не успя: {said}", "`{command}` nie powiodło się: {said}";
    ServiceDone => "Service {action}: {file}.", "Услуга ({action}): {file}.", "Usługa {action}: {file}.";
    RunViaDaemon => "Server '{server}' runs in the daemon: it was asked to run now.", "Сървър '{server}' работи в демона: поискан е обмен сега.", "Serwer '{server}' działa w demonie: poproszono go o wymianę teraz.";
    DaemonAlreadyRuns => "a daemon already runs for {home} (its daemon.lock is held): `obmen server list` talks to it", "за {home} вече работи демон (daemon.lock е зает): `obmen server list` говори с него", "demon dla {home} już działa (jego daemon.lock jest zajęty): `obmen server list` z nim rozmawia";
    DaemonListening => "obmen daemon: home {home}, {count} {count:server|servers}, {started} started; listening on {socket}", "obmen демон: папка {home}, сървъри {count}, стартирани {started}; слуша на {socket}", "demon obmen: katalog {home}, {count} {count:serwer|serwery|serwerów}, {started} {started:uruchomiony|uruchomione|uruchomionych}; nasłuchuje na {socket}";
    DaemonStopped => "obmen daemon: stopped; servers stopped: {stopped}", "obmen демон: спрян; спрени сървъри: {stopped}", "demon obmen: zatrzymany; zatrzymane serwery: {stopped}";
    DaemonLate => "obmen daemon: these servers had not ended within {secs} s and were left to the database to roll back: {late}", "obmen демон: тези сървъри не приключиха за {secs} с и базата данни ще отмени незаписаното: {late}", "demon obmen: te serwery nie skończyły w ciągu {secs} s i ich wycofanie pozostawiono bazie danych: {late}";
    LogSettingsChanged => "The settings of server '{server}' changed.", "Настройките на сървър '{server}' са променени.", "Ustawienia serwera '{server}' zmieniły się.";
    LogInvalidFile => "The file of server '{server}' is invalid; the server keeps its last good settings: {errors}", "Файлът на сървър '{server}' е невалиден; сървърът запазва последните си валидни настройки: {errors}", "Plik serwera '{server}' jest nieprawidłowy; serwer zachowuje ostatnie dobre ustawienia: {errors}";
    LogServerRemoved => "Server '{server}' was deleted: stopped and removed.", "Сървър '{server}' е изтрит: спрян и премахнат.", "Serwer '{server}' usunięto: zatrzymany i usunięty.";
    LogRunsInterrupted => "{count} {count:run|runs} left unfinished by a process that died {count:is|are} marked interrupted.", "{count} {count:обмен, оставен незавършен от спрял процес, е отбелязан като прекъснат|обмена, оставени незавършени от спрял процес, са отбелязани като прекъснати}.", "Wymiany, których nie dokończył proces, który padł, oznaczono jako przerwane: {count}.";
    LogHeartbeatFailed => "The heartbeat ping ({why}) was not taken: {error}; the next one is tried as usual. Check the [alerts] heartbeat address in obmen.toml and that this machine reaches it", "Сигналът за живот ({why}) не беше приет: {error}; следващият ще бъде изпратен както обикновено. Проверете адреса [alerts] heartbeat в obmen.toml и дали тази машина го достига", "Sygnał życia ({why}) nie został przyjęty: {error}; następny zostanie wysłany jak zwykle. Sprawdź adres [alerts] heartbeat w obmen.toml i czy ta maszyna go osiąga";
    PasswordEmpty => "the password is empty", "паролата е празна", "hasło jest puste";
    PasswordControlChars => "the password holds control characters: write it exactly as the mail provider gave it", "паролата съдържа управляващи знаци: запишете я точно както я е дал доставчикът на пощата", "hasło zawiera znaki sterujące: wpisz je dokładnie tak, jak podał je dostawca poczty";
    PasswordFileNotText => "{file} is not a text file: put the password on its first line", "{file} не е текстов файл: поставете паролата на първия му ред", "{file} nie jest plikiem tekstowym: wpisz hasło w pierwszym wierszu";
    PasswordFileEmpty => "{file} is empty: put the password on its first line", "{file} е празен: поставете паролата на първия му ред", "{file} jest pusty: wpisz hasło w pierwszym wierszu";
    AlertBadAddress => "'{address}' is not an e-mail address: write name@example.bg, or Name <name@example.bg>", "'{address}' не е имейл адрес: пишете name@example.bg или Име <name@example.bg>", "'{address}' nie jest adresem e-mail: wpisz name@example.pl albo Nazwa <name@example.pl>";
    AlertSmtpBad => "'{url}' is not a mail server's address: write smtp://host:587 (STARTTLS) or smtps://host:465 (TLS)", "'{url}' не е адрес на пощенски сървър: пишете smtp://хост:587 (STARTTLS) или smtps://хост:465 (TLS)", "'{url}' nie jest adresem serwera poczty: wpisz smtp://host:587 (STARTTLS) albo smtps://host:465 (TLS)";
    AlertSmtpCredentials => "the address holds a user or password: write them in smtp_user and smtp_password_file (or smtp_password_env) instead", "адресът съдържа потребител или парола: запишете ги в smtp_user и smtp_password_file (или smtp_password_env)", "adres zawiera użytkownika lub hasło: wpisz je w smtp_user i smtp_password_file (albo smtp_password_env)";
    AlertBadLanguage => "'{code}' is not a language obmen speaks: write en, bg or pl", "'{code}' не е език, който obmen говори: пишете en, bg или pl", "'{code}' nie jest językiem, którym mówi obmen: wpisz en, bg albo pl";
    AlertBadTime => "'{time}' is not a time of day: write HH:MM, e.g. 08:00", "'{time}' не е час от деня: пишете ЧЧ:ММ, напр. 08:00", "'{time}' nie jest godziną: wpisz GG:MM, np. 08:00";
    AlertPasswordTwice => "the password is set twice: keep smtp_password_file or smtp_password_env, not both", "паролата е зададена два пъти: оставете smtp_password_file или smtp_password_env, не двете", "hasło ustawiono dwa razy: zostaw smtp_password_file albo smtp_password_env, nie oba";
    AlertUserAndPassword => "a mail server login needs both smtp_user and a password (smtp_password_file or smtp_password_env); set both, or neither", "влизането в пощенския сървър изисква и smtp_user, и парола (smtp_password_file или smtp_password_env); задайте и двете или нито едно", "logowanie do serwera poczty wymaga smtp_user i hasła (smtp_password_file albo smtp_password_env); ustaw oba albo żadne";
    AlertNeedsFrom => "e-mail needs a sender: write from = \"obmen <obmen@example.bg>\"", "имейлите изискват подател: пишете from = \"obmen <obmen@example.bg>\"", "e-mail wymaga nadawcy: wpisz from = \"obmen <obmen@example.pl>\"";
    AlertNeedsSmtp => "this is for e-mail, which needs a mail server: write smtp = \"smtp://host:587\" under [alerts]", "това е за имейли, а те изискват пощенски сървър: пишете smtp = \"smtp://хост:587\" под [alerts]", "to dotyczy e-maili, które wymagają serwera poczty: wpisz smtp = \"smtp://host:587\" w [alerts]";
    AlertSubjectFailed => "obmen: server '{server}' failed", "obmen: сървър '{server}' спря с грешка", "obmen: serwer '{server}' zawiódł";
    AlertSubjectSilent => "obmen: server '{server}' has not run when it should have", "obmen: сървър '{server}' не е направил обмен, когато трябваше", "obmen: serwer '{server}' nie wykonał wymiany, gdy powinien";
    AlertSubjectQuarantine => "obmen: orders of server '{server}' were put in the quarantine", "obmen: поръчки на сървър '{server}' са поставени в карантина", "obmen: zamówienia serwera '{server}' trafiły do kwarantanny";
    AlertSubjectUnacknowledged => "obmen: the shop of server '{server}' does not take the imports' acknowledgements", "obmen: магазинът на сървър '{server}' не приема потвържденията за импорта", "obmen: sklep serwera '{server}' nie przyjmuje potwierdzeń importu";
    AlertSubjectFailedCleared => "obmen: server '{server}' works again", "obmen: сървър '{server}' работи отново", "obmen: serwer '{server}' znów działa";
    AlertSubjectSilentCleared => "obmen: server '{server}' runs on time again", "obmen: сървър '{server}' отново прави обмен навреме", "obmen: serwer '{server}' znów wykonuje wymiany na czas";
    AlertSubjectQuarantineCleared => "obmen: no order of server '{server}' is in the quarantine any more", "obmen: няма повече поръчки на сървър '{server}' в карантина", "obmen: żadne zamówienie serwera '{server}' nie jest już w kwarantannie";
    AlertSubjectUnacknowledgedCleared => "obmen: the shop of server '{server}' takes the acknowledgements again", "obmen: магазинът на сървър '{server}' отново приема потвържденията", "obmen: sklep serwera '{server}' znów przyjmuje potwierdzenia";
    AlertSubjectReminder => "Still: {subject}", "Все още: {subject}", "Nadal: {subject}";
    AlertSubjectTest => "obmen: a test message from {host}", "obmen: пробно съобщение от {host}", "obmen: wiadomość testowa z {host}";
    AlertSubjectDigest => "obmen: the day's report, {date}", "obmen: дневен отчет, {date}", "obmen: raport dnia, {date}";
    AlertBodyServer => "Server: {server} ({kind})", "Сървър: {server} ({kind})", "Serwer: {server} ({kind})";
    AlertBodyState => "State: {state}", "Състояние: {state}", "Stan: {state}";
    AlertBodyReason => "What happened: {reason}", "Какво се случи: {reason}", "Co się stało: {reason}";
    AlertBodyRun => "Run: {run}", "Обмен №: {run}", "Wymiana nr: {run}";
    AlertBodySince => "Since: {since}", "От: {since}", "Od: {since}";
    AlertBodyTime => "Time: {time}", "Време: {time}", "Czas: {time}";
    AlertBodyTodo => "What to do: {todo}", "Какво да направите: {todo}", "Co zrobić: {todo}";
    AlertBodyMachine => "Sent by obmen on {host}.", "Изпратено от obmen на {host}.", "Wysłane przez obmen z {host}.";
    AlertTodoFailed => "the reason above says what to fix; where the fault may pass by itself (the database or the shop out of reach) the server tries again on its own, and you get one message when it works again. `obmen log {server}` shows the details.", "причината по-горе казва какво да оправите; когато грешката може да отмине сама (базата данни или магазинът са недостъпни), сървърът опитва отново сам и ще получите едно съобщение, когато заработи. `obmen log {server}` показва подробностите.", "powyższy powód mówi, co naprawić; gdy błąd może minąć sam (baza danych lub sklep nieosiągalne), serwer próbuje ponownie sam i dostaniesz jedną wiadomość, gdy znów zadziała. `obmen log {server}` pokazuje szczegóły.";
    AlertTodoSilent => "check that the machine and the obmen daemon run and reach the database and the shop; `obmen server list` shows what the server does now, and `obmen log {server}` whether a run hangs.", "проверете дали машината и демонът на obmen работят и достигат базата данни и магазина; `obmen server list` показва какво прави сървърът сега, а `obmen log {server}` дали обмен е блокирал.", "sprawdź, czy maszyna i demon obmen działają i sięgają bazy danych i sklepu; `obmen server list` pokazuje, co serwer robi teraz, a `obmen log {server}`, czy wymiana się zawiesiła.";
    AlertTodoQuarantine => "see why with `obmen quarantine {server}`, fix each reason in Warehouse Pro or the shop (a good's code, a partner), and the orders are imported on the next run; `obmen quarantine {server} retry ORDER` tries one now.", "вижте причините с `obmen quarantine {server}`, оправете всяка в Склад Pro или в магазина (код на стока, партньор) и поръчките ще бъдат импортирани при следващия обмен; `obmen quarantine {server} retry ПОРЪЧКА` опитва една веднага.", "zobacz powody przez `obmen quarantine {server}`, popraw każdy w Warehouse Pro lub w sklepie (kod towaru, kontrahent), a zamówienia zostaną zaimportowane przy następnej wymianie; `obmen quarantine {server} retry ZAMÓWIENIE` próbuje jedno od razu.";
    AlertTodoUnacknowledged => "the orders are in Warehouse Pro and will not be booked twice; the shop keeps giving them because it does not take obmen's word that they were imported. Check the shop's add-on and that its API user may change order statuses; obmen tells the shop again on each run.", "поръчките са в Склад Pro и няма да бъдат записани два пъти; магазинът продължава да ги дава, защото не приема потвърждението на obmen, че са импортирани. Проверете добавката на магазина и дали нейният API потребител може да променя статуси на поръчки; obmen уведомява магазина отново при всеки обмен.", "zamówienia są w Warehouse Pro i nie zostaną zaksięgowane dwa razy; sklep wciąż je podaje, bo nie przyjmuje potwierdzenia obmen, że zostały zaimportowane. Sprawdź dodatek sklepu i czy jego użytkownik API może zmieniać statusy zamówień; obmen powiadamia sklep ponownie przy każdej wymianie.";
    AlertTodoCleared => "nothing; this closes the earlier message.", "нищо; това закрива предишното съобщение.", "nic; to zamyka wcześniejszą wiadomość.";
    AlertReasonSilent => "a run was due at {due} and has not started", "обмен трябваше да започне в {due} и не е започнал", "wymiana miała się zacząć o {due} i się nie zaczęła";
    AlertReasonSilentRunning => "the run started at {since} has not ended, and the next was due at {due}", "обменът, започнал в {since}, не е приключил, а следващият трябваше да започне в {due}", "wymiana rozpoczęta o {since} się nie skończyła, a następna miała się zacząć o {due}";
    AlertReasonQuarantine => "orders waiting in the quarantine: {count} (before: {before})", "поръчки, чакащи в карантина: {count} (преди: {before})", "zamówienia czekające w kwarantannie: {count} (wcześniej: {before})";
    AlertReasonUnacknowledged => "imports in a row in which the shop did not take some acknowledgements: {runs}; orders not acknowledged in the last one: {count}", "последователни импорти, в които магазинът не прие някои потвърждения: {runs}; непотвърдени поръчки в последния: {count}", "importy z rzędu, w których sklep nie przyjął części potwierdzeń: {runs}; niepotwierdzone zamówienia w ostatnim: {count}";
    AlertReasonCleared => "cleared at {time}", "отстранено в {time}", "usunięte o {time}";
    AlertTestBody => "This is a test message from obmen on {host}. Alerts of this machine's exchange servers reach you here.", "Това е пробно съобщение от obmen на {host}. Известията за сървърите за обмен на тази машина ще идват тук.", "To jest wiadomość testowa z obmen na {host}. Powiadomienia o serwerach wymiany tej maszyny będą przychodzić tutaj.";
    AlertDigestIntro => "obmen on {host}, the last 24 hours:", "obmen на {host}, последните 24 часа:", "obmen na {host}, ostatnie 24 godziny:";
    AlertDigestLine => "{server} ({state}): runs {runs}, failed {failed}; orders imported {imported}, put in the quarantine {set_aside}; records exported {exported}; in the quarantine now {quarantined}; open problems: {problems}", "{server} ({state}): обмени {runs}, с грешка {failed}; импортирани поръчки {imported}, поставени в карантина {set_aside}; експортирани записи {exported}; в карантина сега {quarantined}; открити проблеми: {problems}", "{server} ({state}): wymiany {runs}, nieudane {failed}; zamówienia zaimportowane {imported}, do kwarantanny {set_aside}; wyeksportowane rekordy {exported}; teraz w kwarantannie {quarantined}; otwarte problemy: {problems}";
    AlertDigestNoProblem => "none", "няма", "brak";
    ProblemFailed => "failed", "грешка", "błąd";
    ProblemSilent => "late", "закъснение", "opóźnienie";
    ProblemQuarantine => "orders in the quarantine", "поръчки в карантина", "zamówienia w kwarantannie";
    ProblemUnacknowledged => "acknowledgements not taken", "неприети потвърждения", "nieprzyjęte potwierdzenia";
    AlertChannelEmail => "E-mail to {to}", "Имейл до {to}", "E-mail do {to}";
    AlertChannelWebhook => "Webhook", "Уебхук", "Webhook";
    AlertChannelHeartbeat => "Heartbeat", "Сигнал за живот", "Sygnał życia";
    AlertsTestSent => "sent", "изпратено", "wysłano";
    AlertsTestPinged => "pinged", "сигналът е приет", "sygnał przyjęty";
    AlertsNoChannel => "no alert channel is set in {file}: add smtp, from and to, or webhook, under [alerts]", "в {file} няма зададен канал за известия: добавете smtp, from и to или webhook под [alerts]", "w {file} nie ustawiono kanału powiadomień: dodaj smtp, from i to albo webhook w [alerts]";
    AlertsTestFailed => "{failed} of {total} alert {total:channel|channels} did not take the test message", "{failed} от {total} {total:канал|канала} за известия не {failed:прие|приеха} пробното съобщение", "{failed} z {total} {total:kanału|kanałów|kanałów} powiadomień nie {failed:przyjął|przyjęły|przyjęło} wiadomości testowej";
    LogAlertSent => "Alert sent by {channel}: {subject}", "Известие изпратено чрез {channel}: {subject}", "Powiadomienie wysłane przez {channel}: {subject}";
    LogAlertFailed => "An alert was not taken by {channel}: {error}; it is tried again at {next}. Check [alerts] in obmen.toml, or run `obmen alerts test`", "Известие не беше прието от {channel}: {error}; ще бъде опитано отново в {next}. Проверете [alerts] в obmen.toml или изпълнете `obmen alerts test`", "Powiadomienie nie zostało przyjęte przez {channel}: {error}; zostanie ponowione o {next}. Sprawdź [alerts] w obmen.toml albo uruchom `obmen alerts test`";
    LogAlertGivenUp => "An alert was given up after {tries} {tries:try|tries} over a day, not taken by {channel}: {error}. Its subject: {subject}", "Известие е изоставено след {tries} {tries:опит|опита} за едно денонощие, неприето от {channel}: {error}. Темата му: {subject}", "Powiadomienie porzucono po {tries} {tries:próbie|próbach|próbach} w ciągu doby, nieprzyjęte przez {channel}: {error}. Jego temat: {subject}";
    AlertSmtpError => "the mail server said: {error}", "пощенският сървър отговори: {error}", "serwer poczty odpowiedział: {error}";
    AlertSmtpUnreachable => "the mail server could not be reached ({error})", "пощенският сървър не може да бъде достигнат ({error})", "nie można połączyć się z serwerem poczty ({error})";
    AlertWebhookStatus => "the webhook answered {status}", "уебхукът отговори {status}", "webhook odpowiedział {status}";
    WhyImported => "Order {order} is in Warehouse Pro: document {document}, written {time} by run {run}.", "Поръчка {order} е в Склад Pro: документ {document}, записан {time} от обмен {run}.", "Zamówienie {order} jest w Warehouse Pro: dokument {document}, zapisany {time} przez wymianę {run}.";
    WhyImportedElsewhere => "Order {order} is in Warehouse Pro: document {document} (its import log), written by another obmen or before obmen kept payloads.", "Поръчка {order} е в Склад Pro: документ {document} (според дневника на импорта), записан от друг obmen или преди obmen да пази получените поръчки.", "Zamówienie {order} jest w Warehouse Pro: dokument {document} (według dziennika importu), zapisany przez inny obmen albo zanim obmen zachowywał otrzymane zamówienia.";
    WhyShopTold => "The shop was told it is imported.", "Магазинът е уведомен, че е импортирана.", "Sklep został powiadomiony, że je zaimportowano.";
    WhyShopNotTold => "The shop has not taken the acknowledgement yet; obmen tells it again on each run.", "Магазинът още не е приел потвърждението; obmen го уведомява отново при всеки обмен.", "Sklep nie przyjął jeszcze potwierdzenia; obmen powiadamia go ponownie przy każdej wymianie.";
    WhyReceived => "Received from the shop by run {run} at {time}; SHA-256 {sha}.", "Получена от магазина при обмен {run} в {time}; SHA-256 {sha}.", "Otrzymane ze sklepu przez wymianę {run} o {time}; SHA-256 {sha}.";
    WhyChanged => "The shop sent it again changed; every copy is kept.", "Магазинът я изпрати отново променена; всяко копие е запазено.", "Sklep przysłał je ponownie zmienione; każda kopia jest zachowana.";
    WhySetAside => "Order {order} is in the quarantine, tried {attempts} {attempts:time|times} (first {first}, last {last}): {reason}", "Поръчка {order} е в карантина, опитана {attempts} {attempts:път|пъти} (първо {first}, последно {last}): {reason}", "Zamówienie {order} jest w kwarantannie, próbowane {attempts} {attempts:raz|razy|razy} (pierwszy raz {first}, ostatni {last}): {reason}";
    WhySetAsideTodo => "What to do: fix the reason above in Warehouse Pro or the shop; it is tried again on each run, or now with `obmen quarantine {server} retry {order}`.", "Какво да направите: оправете причината по-горе в Склад Pro или в магазина; опитва се отново при всеки обмен или веднага с `obmen quarantine {server} retry {order}`.", "Co zrobić: popraw powyższy powód w Warehouse Pro lub w sklepie; jest ponawiane przy każdej wymianie albo od razu przez `obmen quarantine {server} retry {order}`.";
    WhyDropped => "Order {order} was dropped from the quarantine by an operator: it will not be imported. Its reason was: {reason}", "Поръчка {order} е премахната от карантината от оператор: няма да бъде импортирана. Причината беше: {reason}", "Zamówienie {order} zostało usunięte z kwarantanny przez operatora: nie zostanie zaimportowane. Powód był: {reason}";
    WhyNotWritten => "Order {order} was received but its document is not written: the run stopped or failed before its page was saved. It is tried on the next run.", "Поръчка {order} е получена, но документът ѝ не е записан: обменът спря или пропадна преди страницата да бъде записана. Ще бъде опитана при следващия обмен.", "Zamówienie {order} otrzymano, ale jego dokument nie jest zapisany: wymiana zatrzymała się lub nie powiodła przed zapisaniem strony. Zostanie ponowione przy następnej wymianie.";
    WhyNotSeen => "The shop has not given order {order} to server '{server}'.", "Магазинът не е дал поръчка {order} на сървър '{server}'.", "Sklep nie przekazał zamówienia {order} serwerowi '{server}'.";
    WhyLastImport => "The last import read the shop at {time} (run {run}, {outcome}); the shop's cursor stands at {cursor}.", "Последният импорт чете магазина в {time} (обмен {run}, {outcome}); курсорът на магазина е на {cursor}.", "Ostatni import czytał sklep o {time} (wymiana {run}, {outcome}); kursor sklepu stoi na {cursor}.";
    WhyNoImport => "No import of this server has run yet.", "Още не е правен импорт от този сървър.", "Ten serwer nie wykonał jeszcze importu.";
    WhyLikely => "Likely: the order is not confirmed yet (or not in the status the server imports); it was placed before this server's first import; or the server's rules leave it out. What to do: check the order's status in the shop; once the shop gives it, the next run imports it.", "Вероятно: поръчката още не е потвърдена (или не е в статуса, който сървърът импортира); направена е преди първия импорт на сървъра; или правилата на сървъра я изключват. Какво да направите: проверете статуса на поръчката в магазина; щом магазинът я даде, следващият обмен ще я импортира.", "Prawdopodobnie: zamówienie nie jest jeszcze potwierdzone (albo nie ma statusu, który serwer importuje); złożono je przed pierwszym importem serwera; albo reguły serwera je pomijają. Co zrobić: sprawdź status zamówienia w sklepie; gdy sklep je przekaże, następna wymiana je zaimportuje.";
    WhyLogUnreadable => "The Warehouse Pro database could not be read to confirm it ({error}).", "Базата данни на Склад Pro не може да бъде прочетена за потвърждение ({error}).", "Nie można odczytać bazy Warehouse Pro, by to potwierdzić ({error}).";
    AuditAltered => "order {order} (document {document}): the payload kept no longer hashes to its SHA-256: it was changed after obmen kept it", "поръчка {order} (документ {document}): запазеното съдържание вече не отговаря на своя SHA-256: променено е след като obmen го е запазил", "zamówienie {order} (dokument {document}): zachowana treść nie daje już swojego SHA-256: zmieniono ją po zachowaniu przez obmen";
    AuditMissing => "order {order} (document {document}) is in the import log, but obmen kept no payload of it", "поръчка {order} (документ {document}) е в дневника на импорта, но obmen не е запазил съдържанието ѝ", "zamówienie {order} (dokument {document}) jest w dzienniku importu, ale obmen nie zachował jego treści";
    AuditOk => "Provenance of server '{server}': {orders} {orders:order|orders} in the import log, {kept} {kept:payload|payloads} kept, every one whole.", "Произход на сървър '{server}': {orders} {orders:поръчка|поръчки} в дневника на импорта, {kept} {kept:запазено съдържание|запазени съдържания}, всички непроменени.", "Pochodzenie serwera '{server}': {orders} {orders:zamówienie|zamówienia|zamówień} w dzienniku importu, {kept} {kept:zachowana treść|zachowane treści|zachowanych treści}, wszystkie nienaruszone.";
    AuditFailed => "Provenance of server '{server}': {problems} {problems:problem|problems} among {orders} {orders:order|orders} in the import log and {kept} {kept:payload|payloads} kept", "Произход на сървър '{server}': {problems} {problems:проблем|проблема} сред {orders} {orders:поръчка|поръчки} в дневника на импорта и {kept} {kept:запазено съдържание|запазени съдържания}", "Pochodzenie serwera '{server}': {problems} {problems:problem|problemy|problemów} wśród {orders} {orders:zamówienia|zamówień|zamówień} w dzienniku importu i {kept} {kept:zachowanej treści|zachowanych treści|zachowanych treści}";
    AuditBadSince => "'{since}' is not a date: write YYYY-MM-DD", "'{since}' не е дата: пишете ГГГГ-ММ-ДД", "'{since}' nie jest datą: wpisz RRRR-MM-DD";
    LogProvenanceSwept => "Orders kept as received whose documents are older than {years} {years:year|years} were deleted: {count}.", "Изтрити са пазени поръчки, чиито документи са по-стари от {years} {years:година|години}: {count}.", "Usunięto zachowane zamówienia, których dokumenty są starsze niż {years} {years:rok|lata|lat}: {count}.";
    MetricsListenBad => "'{at}' is not an address to listen on: write 127.0.0.1:9464 (or a port alone, on this machine)", "'{at}' не е адрес за слушане: пишете 127.0.0.1:9464 (или само порт, на този компютър)", "'{at}' nie jest adresem do nasłuchu: wpisz 127.0.0.1:9464 (albo sam port, na tym komputerze)";
    MetricsCannotListen => "cannot serve /metrics on {at}: {error}: choose another metrics_listen in obmen.toml", "/metrics не може да се обслужва на {at}: {error}: изберете друг metrics_listen в obmen.toml", "nie można udostępnić /metrics na {at}: {error}: wybierz inny metrics_listen w obmen.toml";
    TuiWhyTitle => "Why: an order of {server}", "Защо: поръчка на {server}", "Dlaczego: zamówienie {server}";
    TuiWhyPrompt => "Order number: ", "Номер на поръчка: ", "Numer zamówienia: ";
    TuiWhyKeys => "Enter look it up  Esc back", "Enter търсене  Esc назад", "Enter szukaj  Esc wstecz";
    TuiWhyLooking => "Looking up order {order}…", "Търсене на поръчка {order}…", "Szukanie zamówienia {order}…";
    TuiWhyAnswerKeys => "w another order  any other key: back", "w друга поръчка  друг клавиш: назад", "w inne zamówienie  inny klawisz: wstecz";
    WhyShopToldAt => "The shop was told it is imported, at {time}.", "Магазинът е уведомен, че е импортирана, в {time}.", "Sklep został powiadomiony, że je zaimportowano, o {time}.";
    WhyPartner => "Partner: {partner} (code {code}).", "Партньор: {partner} (код {code}).", "Kontrahent: {partner} (kod {code}).";
    WhyGoods => "Goods: {goods}.", "Стоки: {goods}.", "Towary: {goods}.";
    WhyReceivedAt => "Received from the shop by run {run} at {time}, read at the shop's cursor {cursor}; SHA-256 {sha}.", "Получена от магазина при обмен {run} в {time}, прочетена от курсор {cursor} на магазина; SHA-256 {sha}.", "Otrzymane ze sklepu przez wymianę {run} o {time}, odczytane od kursora sklepu {cursor}; SHA-256 {sha}.";
    KeyboardBad => "'{value}' is not a keyboard layout obmen knows: write bds (Windows' Bulgarian) or phonetic", "'{value}' не е клавиатурна подредба, която obmen познава: пишете bds (българска БДС на Windows) или phonetic (фонетична)", "'{value}' nie jest układem klawiatury znanym obmen: wpisz bds (bułgarski Windows) albo phonetic (fonetyczny)";
    NetTimeout => "timeout", "изтекло време за отговор", "przekroczony czas";
    NetNoConnection => "no connection", "няма връзка", "brak połączenia";
    NetNoAnswer => "no answer", "няма отговор", "brak odpowiedzi";
    LogDaemonStarted => "Daemon started (pid {pid}) with {servers} {servers:server|servers}; started: {started}.", "Демонът е стартиран (pid {pid}) със сървъри {servers}; стартирани: {started}.", "Demon uruchomiony (pid {pid}) z {servers} {servers:serwerem|serwerami|serwerami}; uruchomione: {started}.";
    LogDaemonStopping => "Daemon stopping: each run stops after its page in hand (at most {secs} s).", "Демонът спира: всеки обмен спира след текущата страница (най-много {secs} с).", "Demon się zatrzymuje: każda wymiana kończy się po bieżącej stronie (najwyżej {secs} s).";
    LogDaemonStopped => "Daemon stopped. Servers stopped: {stopped}. Not ended in time: {late}.", "Демонът е спрян. Спрени сървъри: {stopped}. Неприключили навреме: {late}.", "Demon zatrzymany. Zatrzymane serwery: {stopped}. Niezakończone na czas: {late}.";
    NoDaemon => "no obmen daemon is running for this home (nothing answers on {socket}): start one with `obmen daemon`, or install it with `obmen service install --user`", "за тази папка не работи демон на obmen (никой не отговаря на {socket}): стартирайте го с `obmen daemon` или го инсталирайте с `obmen service install --user`", "dla tego katalogu nie działa żaden demon obmen (nic nie odpowiada na {socket}): uruchom go przez `obmen daemon` albo zainstaluj przez `obmen service install --user`";
    DaemonRefusedSocket => "the daemon's socket {socket} refused this user ({error}): it answers only the user that runs the daemon", "сокетът на демона {socket} отказа на този потребител ({error}): той отговаря само на потребителя, който стартира демона", "gniazdo demona {socket} odrzuciło tego użytkownika ({error}): odpowiada tylko użytkownikowi, który uruchomił demona";
    DaemonOwnerOnly => "this daemon answers only its own user (uid {owner}), not uid {uid}", "този демон отговаря само на своя потребител (uid {owner}), не на uid {uid}", "ten demon odpowiada tylko swojemu użytkownikowi (uid {owner}), nie uid {uid}";
    EngineNotRunning => "server '{server}' is not running in the daemon: start it with `obmen start {server}`", "сървър '{server}' не работи в демона: стартирайте го с `obmen start {server}`", "serwer '{server}' nie działa w demonie: uruchom go przez `obmen start {server}`";
    EngineNoServer => "the daemon has no server '{server}': `obmen server list` shows the servers", "демонът няма сървър '{server}': `obmen server list` показва сървърите", "demon nie ma serwera '{server}': `obmen server list` pokazuje serwery";
    EngineBusy => "server '{server}' is in a run now: it was not started again (runs of one server never overlap)", "сървър '{server}' в момента обменя: не е стартиран повторно (обмените на един сървър не се застъпват)", "serwer '{server}' jest właśnie w trakcie wymiany: nie uruchomiono go ponownie (wymiany jednego serwera nigdy się nie nakładają)";
    LogServerStarted => "Server '{server}' started.", "Сървър '{server}' е стартиран.", "Serwer '{server}' uruchomiony.";
    LogServerStopped => "Server '{server}' stopped.", "Сървър '{server}' е спрян.", "Serwer '{server}' zatrzymany.";
    LogReloaded => "Server '{server}' restarted with its changed settings.", "Сървър '{server}' е рестартиран с променените настройки.", "Serwer '{server}' uruchomiony ponownie ze zmienionymi ustawieniami.";
    LogRunNowSkipped => "A request to run now was skipped: a run is going on.", "Заявка за обмен сега е пропусната: в момента тече обмен.", "Pominięto prośbę o wymianę teraz: trwa wymiana.";
    LogTicksSkipped => "The run took {minutes} min, longer than its period of {every} min: the starts that fell during it were skipped.", "Обменът продължи {minutes} мин., повече от периода от {every} мин.: пропуснати са стартовете по време на него.", "Wymiana trwała {minutes} min, dłużej niż jej okres {every} min: starty przypadające w tym czasie pominięto.";
    LogRunDied => "the run ended unexpectedly inside obmen: the server is stopped; start it again, and report this if it repeats", "обменът спря неочаквано в obmen: сървърът е спрян; стартирайте го отново и съобщете, ако се повтори", "wymiana skończyła się nieoczekiwanie wewnątrz obmen: serwer jest zatrzymany; uruchom go ponownie i zgłoś to, jeśli się powtórzy";
    LogRetryAt => "It will be tried again in {secs} s (failure {n} in a row).", "Нов опит след {secs} с (неуспех {n} подред).", "Nastąpi ponowna próba za {secs} s (błąd {n} z rzędu).";
    LogNeedsOperator => "Server '{server}' stopped: {reason}. Correct this, then start it again.", "Сървър '{server}' е спрян: {reason}. Поправете това и го стартирайте отново.", "Serwer '{server}' zatrzymany: {reason}. Popraw to, potem uruchom go ponownie.";
    JobBoth => "import and export", "импорт и експорт", "import i eksport";
    JobImport => "import", "импорт", "import";
    JobExport => "export", "експорт", "eksport";
    LogRunStarted => "Run started: {job}.", "Обменът започна: {job}.", "Wymiana rozpoczęta: {job}.";
    LogPhase => "Phase: {phase}.", "Етап: {phase}.", "Etap: {phase}.";
    LogOrderImported => "Order {order} imported as document {document}.", "Поръчка {order} е внесена като документ {document}.", "Zamówienie {order} zaimportowano jako dokument {document}.";
    LogOrderSetAside => "Order {order} put in the quarantine: {reason}", "Поръчка {order} е поставена в карантина: {reason}", "Zamówienie {order} trafiło do kwarantanny: {reason}";
    LogRetry => "Retrying {what}: {error}", "Нов опит за {what}: {error}", "Ponawiam {what}: {error}";
    LogRunEnded => "Run ended {outcome}: {imported} {imported:order|orders} imported, {set_aside} put in quarantine, {exported} {exported:record|records} exported, {retries} {retries:retry|retries}, in {secs} s.", "Обменът завърши ({outcome}): {imported:внесена|внесени} {imported} {imported:поръчка|поръчки}, в карантина {set_aside}, {exported:изпратен|изпратени} {exported} {exported:запис|записа}, {retries} {retries:нов опит|нови опита}, за {secs} с.", "Wymiana zakończona {outcome}: {imported} {imported:zamówienie zaimportowano|zamówienia zaimportowano|zamówień zaimportowano}, {set_aside} w kwarantannie, {exported} {exported:rekord wyeksportowano|rekordy wyeksportowano|rekordów wyeksportowano}, {retries} {retries:ponowienie|ponowienia|ponowień}, w {secs} s.";
    ByDefault => "default", "по подразбиране", "domyślnie";
    NoAccountChoices => "server '{server}' reads no list '{source}' from its account", "сървър '{server}' не чете списък '{source}' от акаунта си", "serwer '{server}' nie czyta ze swojego konta listy '{source}'";
    NoChoicesFrom => "the setting '{key}' of server '{server}' takes no choices from its account", "настройката '{key}' на сървър '{server}' не взема избор от акаунта", "ustawienie '{key}' serwera '{server}' nie bierze wyboru ze swojego konta";
    AckBudgetSpent => "not sent: telling the shop took all of this run's {secs} s for it (the shop refused or was slow); it is told next run", "не е изпратено: уведомяването на магазина зае всичките {secs} с на този обмен за него (магазинът отказваше или бавеше); ще бъде уведомен при следващия обмен", "nie wysłano: powiadamianie sklepu zajęło cały czas tej wymiany na to, {secs} s (sklep odrzucał lub zwlekał); zostanie powiadomiony przy następnej wymianie";
    AckNoAnswer => "the shop's answer to the batch says nothing of order {order}; it is told again next run", "отговорът на магазина за пакета не казва нищо за поръчка {order}; ще бъде уведомен отново при следващия обмен", "odpowiedź sklepu na pakiet nie mówi nic o zamówieniu {order}; zostanie powiadomiony ponownie przy następnej wymianie";
    AckNeither => "the shop's answer to the batch neither takes nor refuses order {order}; it is told again next run", "отговорът на магазина за пакета нито приема, нито отказва поръчка {order}; ще бъде уведомен отново при следващия обмен", "odpowiedź sklepu na pakiet ani nie przyjmuje, ani nie odrzuca zamówienia {order}; zostanie powiadomiony ponownie przy następnej wymianie";
    WorkStoppedUnexpectedly => "{what} stopped unexpectedly ({error}): this is a bug in obmen, please report it", "{what} спря неочаквано ({error}): това е грешка в obmen, моля, съобщете за нея", "{what} zatrzymało się nieoczekiwanie ({error}): to błąd w obmen, prosimy go zgłosić";
    WhatShopCall => "a call to the shop", "заявка към магазина", "wywołanie sklepu";
    WhatReadingQuantities => "reading the quantities", "четенето на наличностите", "odczyt stanów";
    WhatReadingSnapshot => "reading the last export's snapshot", "четенето на снимката от последния износ", "odczyt migawki ostatniego eksportu";
    WhatReadingGoods => "reading the goods", "четенето на стоките", "odczyt towarów";
    AckStopped => "the run was stopped before the shop answered", "обменът беше спрян, преди магазинът да отговори", "wymianę zatrzymano, zanim sklep odpowiedział";
    AckNotNoted => "the shop was told, but noting it failed: {error}", "магазинът е уведомен, но отбелязването не успя: {error}", "sklep został powiadomiony, ale zapisanie tego się nie powiodło: {error}";
    PlanPartnerFound => "partner '{name}' (ID {id})", "партньор '{name}' (ID {id})", "kontrahent '{name}' (ID {id})";
    PlanPartnerNew => "a new partner '{name}'", "нов партньор '{name}'", "nowy kontrahent '{name}'";
    PlanSale => "sale", "продажба", "sprzedaż";
    PlanSalesOrder => "sales order", "поръчка", "zamówienie od klienta";
    PlanHeader => "{order}: a {kind} at '{object}' to {who}, total {total}:", "{order}: {kind} в '{object}' към {who}, общо {total}:", "{order}: {kind} w '{object}' dla {who}, razem {total}:";
    PlanNewGood => " (new good)", " (нова стока)", " (nowy towar)";
    PlanStock => ", stock -{qty}", ", наличност -{qty}", ", stan -{qty}";
    PlanLine => "{qty} x {code}{new} at {price} with VAT, discount {discount}%{stock}", "{qty} x {code}{new} по {price} с ДДС, отстъпка {discount}%{stock}", "{qty} x {code}{new} po {price} z VAT, rabat {discount}%{stock}";
    PlanShipping => "shipping, {method}: {price}", "доставка, {method}: {price}", "dostawa, {method}: {price}";
    PartnerNoKey => "partner '{name}' (ID {id}) has no code and no e-mail to be known by in the shop", "партньор '{name}' (ID {id}) няма код и имейл, по които магазинът да го познае", "kontrahent '{name}' (ID {id}) nie ma kodu ani e-maila, po którym sklep by go rozpoznał";
    RefusedProduct => "product {key}: {reason}", "стока {key}: {reason}", "produkt {key}: {reason}";
    RefusedCustomer => "customer {key}: {reason}", "клиент {key}: {reason}", "klient {key}: {reason}";
    RefusedPrice => "price of {key}: {reason}", "цена на {key}: {reason}", "cena {key}: {reason}";
    RefusedStock => "stock of {key}: {reason}", "наличност на {key}: {reason}", "stan {key}: {reason}";
    ShopHasNoProduct => "the shop has no such product", "магазинът няма такава стока", "sklep nie ma takiego produktu";
    RepairPartnerRoles => "{count} {count:partner|partners} obmen made from shop customers {count:has|have} partners.Type other than {role} (an earlier obmen wrote persons as 1, which Warehouse Pro reads as supplier): set them to {role} (rules.partner_role)", "{count} {count:партньор, създаден|партньора, създадени} от obmen от клиенти на магазина, {count:има|имат} partners.Type, различен от {role} (по-стар obmen е записвал лицата като 1, което Склад Pro чете като доставчик): задаване на {role} (rules.partner_role)", "{count} {count:kontrahent, którego|kontrahentów, których|kontrahentów, których} obmen utworzył z klientów sklepu, ma partners.Type inny niż {role} (wcześniejszy obmen zapisywał osoby jako 1, co Warehouse Pro czyta jako dostawcę): ustaw im {role} (rules.partner_role)";
    RepairPartnerChange => "partner {code} '{name}' (ID {id}): {was} -> {role}", "партньор {code} '{name}' (ID {id}): {was} -> {role}", "kontrahent {code} '{name}' (ID {id}): {was} -> {role}";
    RepairDied => "the repair stopped unexpectedly: {error}", "поправката спря неочаквано: {error}", "naprawa zatrzymała się nieoczekiwanie: {error}";
    NoDatabaseFile => "the database file {file} does not exist: check database.connection", "файлът на базата данни {file} не съществува: проверете database.connection", "plik bazy danych {file} nie istnieje: sprawdź database.connection";
    ListingStuck => "the shop's {name} listing does not move on (cursor {cursor} again, or none): its paging would never end", "списъкът {name} на магазина не продължава (отново курсор {cursor} или никакъв): страниците му никога няма да свършат", "lista {name} sklepu nie posuwa się dalej (znowu kursor {cursor} lub żaden): jej stronicowanie nigdy by się nie skończyło";
    GoodCodeDiffers => "{sku} {name}: a good with code {sku} exists, but its {key} differs; link them by making them agree", "{sku} {name}: има стока с код {sku}, но {key} ѝ е различен; свържете ги, като ги уеднаквите", "{sku} {name}: towar o kodzie {sku} istnieje, ale jego {key} się różni; powiąż je, uzgadniając te dane";
    GoodNoMatch => "{sku} {name}: no good matches it by {key}; make it in Warehouse Pro or turn rules.sync_nomenclature on", "{sku} {name}: никоя стока не съвпада по {key}; създайте я в Склад Pro или включете rules.sync_nomenclature", "{sku} {name}: żaden towar nie pasuje według {key}; utwórz go w Warehouse Pro albo włącz rules.sync_nomenclature";
    GoodManyMatch => "{sku} {name}: {count} {count:good matches|goods match} it by {key} ({codes}); keep one", "{sku} {name}: {count} {count:стока съвпада|стоки съвпадат} по {key} ({codes}); оставете една", "{sku} {name}: {count} {count:towar pasuje|towary pasują|towarów pasuje} według {key} ({codes}); zostaw jeden";
    PartnerNoMatch => "{who} ({key}): no partner matches by {by}; make it in Warehouse Pro or turn rules.sync_nomenclature on", "{who} ({key}): никой партньор не съвпада по {by}; създайте го в Склад Pro или включете rules.sync_nomenclature", "{who} ({key}): żaden kontrahent nie pasuje według {by}; utwórz go w Warehouse Pro albo włącz rules.sync_nomenclature";
    PartnerManyMatch => "{who} ({key}): {count} {count:partner matches|partners match}; keep one", "{who} ({key}): {count} {count:партньор съвпада|партньора съвпадат}; оставете един", "{who} ({key}): pasuje {count} {count:kontrahent|kontrahentów|kontrahentów}; zostaw jednego";
    ByEmail => "e-mail", "имейл", "e-mail";
    ByVatNumber => "VAT number", "ДДС номер", "numer VAT";
    VatNotPercent => "the VAT rate '{rate}' is not a percent", "ставката на ДДС '{rate}' не е процент", "stawka VAT '{rate}' nie jest procentem";
    PriceNotNumber => "the price '{price}' is not a number", "цената '{price}' не е число", "cena '{price}' nie jest liczbą";
    CursorNoNext => "the shop says there are more orders after cursor {cursor} but gives no new cursor; paging would never end", "магазинът казва, че след курсор {cursor} има още поръчки, но не дава нов курсор; страниците никога няма да свършат", "sklep podaje, że po kursorze {cursor} są kolejne zamówienia, ale nie daje nowego kursora; stronicowanie nigdy by się nie skończyło";
    CursorCircle => "the shop's order cursor came back to '{cursor}', which this run has read already: its paging goes round in a circle. Orders read so far are imported; tell the shop's support", "курсорът на поръчките на магазина се върна на '{cursor}', който този обмен вече е прочел: страниците му вървят в кръг. Прочетените поръчки са внесени; съобщете на поддръжката на магазина", "kursor zamówień sklepu wrócił do '{cursor}', który ta wymiana już czytała: stronicowanie kręci się w kółko. Dotąd odczytane zamówienia są importowane; powiadom pomoc techniczną sklepu";
    AckedElsewhere => "{order}: already acknowledged in the shop as document {document}, not by this server", "{order}: вече е потвърдена в магазина като документ {document}, не от този сървър", "{order}: już potwierdzone w sklepie jako dokument {document}, nie przez ten serwer";
    StoredOrderUnreadable => "the stored order cannot be read: {error}", "запазената поръчка не може да се прочете: {error}", "nie można odczytać zapisanego zamówienia: {error}";
    NotWarehouseProDatabase => "this is not a Warehouse Pro database: it has no table {tables}", "това не е база данни на Склад Pro: няма таблица {tables}", "to nie jest baza danych Warehouse Pro: nie ma tabeli {tables}";
    NoSuchObject => "'{object}' is no object in the Warehouse Pro database: `obmen check {server}` lists the objects there", "'{object}' не е обект в базата данни на Склад Pro: `obmen check {server}` изброява обектите там", "'{object}' nie jest obiektem w bazie Warehouse Pro: `obmen check {server}` wymienia tamtejsze obiekty";
    RunDied => "the run stopped unexpectedly: {error}", "обменът спря неочаквано: {error}", "wymiana zatrzymała się nieoczekiwanie: {error}";
    RunNotRecorded => "the run cannot be recorded in obmen's state, so it was not started: {error}", "обменът не може да се запише в състоянието на obmen, затова не е започнат: {error}", "nie można zapisać wymiany w stanie obmen, więc jej nie rozpoczęto: {error}";
    RunEndNotRecorded => "the run's end could not be recorded: {error}", "краят на обмена не можа да се запише: {error}", "nie udało się zapisać końca wymiany: {error}";
    ProductListGone => "the shop's product list was read but is not there", "списъкът със стоки на магазина е прочетен, но го няма", "lista produktów sklepu została odczytana, ale jej nie ma";
    SnapshotNotWritten => "the export's snapshot could not be written: {error}", "снимката на експорта не можа да се запише: {error}", "nie udało się zapisać migawki eksportu: {error}";
    OrderUndecodable => "the shop sent this order in a shape obmen cannot read ({error}); it is kept as it came. Ask the shop to correct it; a corrected order it sends again is imported by itself", "магазинът изпрати тази поръчка във вид, който obmen не може да прочете ({error}); пазена е както е дошла. Помолете магазина да я поправи; поправената поръчка, изпратена отново, се внася сама", "sklep wysłał to zamówienie w postaci, której obmen nie umie odczytać ({error}); zachowano je tak, jak przyszło. Poproś sklep o poprawkę; poprawione zamówienie wysłane ponownie zaimportuje się samo";
    KeyEmpty => "the key is empty", "ключът е празен", "klucz jest pusty";
    TokenEmpty => "the token is empty", "токенът е празен", "token jest pusty";
    KeyControlChars => "the key holds control characters: paste the key exactly as the shop's add-on shows it", "ключът съдържа управляващи знаци: поставете ключа точно както го показва добавката на магазина", "klucz zawiera znaki sterujące: wklej klucz dokładnie tak, jak pokazuje go dodatek sklepu";
    TokenControlChars => "the token holds control characters: paste the token exactly as BaseLinker shows it", "токенът съдържа управляващи знаци: поставете токена точно както го показва BaseLinker", "token zawiera znaki sterujące: wklej token dokładnie tak, jak pokazuje go BaseLinker";
    DialectDisagrees => "is {dialect}, but the connection names a {guessed} driver: make them agree", "е {dialect}, но връзката посочва драйвер за {guessed}: уеднаквете ги", "ma wartość {dialect}, ale połączenie wskazuje sterownik {guessed}: uzgodnij je";
    BlUnreachable => "BaseLinker at {url} cannot be reached: {detail}. Check the network and baselinker.url; obmen tries again", "BaseLinker на {url} не може да бъде достигнат: {detail}. Проверете мрежата и baselinker.url; obmen опитва отново", "BaseLinker pod {url} jest nieosiągalny: {detail}. Sprawdź sieć i baselinker.url; obmen ponawia";
    BlTimeout => "BaseLinker at {url} did not answer in {secs} s; obmen tries again", "BaseLinker на {url} не отговори за {secs} с; obmen опитва отново", "BaseLinker pod {url} nie odpowiedział w ciągu {secs} s; obmen ponawia";
    BlServer => "BaseLinker failed (HTTP {status}); obmen tries again", "BaseLinker се провали (HTTP {status}); obmen опитва отново", "BaseLinker zawiódł (HTTP {status}); obmen ponawia";
    BlBadToken => "BaseLinker refused the token ({code}: {message}): make a new token in BaseLinker (My account > API) and set it as baselinker.token", "BaseLinker отказа токена ({code}: {message}): създайте нов токен в BaseLinker (Моят акаунт > API) и го задайте в baselinker.token", "BaseLinker odrzucił token ({code}: {message}): utwórz nowy token w BaseLinker (Moje konto > API) i ustaw go jako baselinker.token";
    BlBlocked => "BaseLinker blocked the token for exceeding its limit of requests until {until} ({message}); obmen waits and goes on", "BaseLinker блокира токена заради надвишен лимит на заявките до {until} ({message}); obmen изчаква и продължава", "BaseLinker zablokował token za przekroczenie limitu zapytań do {until} ({message}); obmen czeka i kontynuuje";
    BlRefused => "BaseLinker refused {method} ({code}: {message})", "BaseLinker отказа {method} ({code}: {message})", "BaseLinker odrzucił {method} ({code}: {message})";
    BlDecode => "BaseLinker's answer to {method} is not what its documentation says: {detail}", "Отговорът на BaseLinker на {method} не е такъв, какъвто казва документацията му: {detail}", "odpowiedź BaseLinker na {method} nie jest taka, jak mówi jego dokumentacja: {detail}";
    BlGaveUp => "BaseLinker's {method} did not go through after {attempts} {attempts:try|tries}: {last}", "{method} на BaseLinker не мина след {attempts} {attempts:опит|опита}: {last}", "{method} BaseLinker nie przeszło po {attempts} {attempts:próbie|próbach|próbach}: {last}";
    BlSimBanner => "BaseLinker simulator at http://{addr}/connector.php: {orders} {orders:order|orders}, {confirmed} of them confirmed; counters at http://{addr}/_sim/stats", "Симулатор на BaseLinker на http://{addr}/connector.php: {orders} {orders:поръчка|поръчки}, от тях потвърдени {confirmed}; броячи на http://{addr}/_sim/stats", "Symulator BaseLinker pod http://{addr}/connector.php: {orders} {orders:zamówienie|zamówienia|zamówień}, z nich {confirmed} potwierdzonych; liczniki pod http://{addr}/_sim/stats";
    SnapshotUnreadable => "The last export's snapshot cannot be read; every good is read again.", "Снимката от последния експорт не може да се прочете; всички стоки се четат отново.", "Nie można odczytać migawki ostatniego eksportu; wszystkie towary są czytane ponownie.";
    PageCapReached => "This run read {pages} {pages:page|pages} of orders, as many as one run may; the next run goes on from where it stopped.", "Този обмен прочете {pages} {pages:страница|страници} поръчки, колкото един обмен може; следващият продължава оттам, докъдето е стигнал.", "Ta wymiana odczytała {pages} {pages:stronę|strony|stron} zamówień, tyle, ile może jedna wymiana; następna podejmie od miejsca zatrzymania.";
    RepairOffer => "{count} {count:partner|partners} obmen made from shop customers {count:is|are} not marked {role} in Warehouse Pro (an earlier obmen wrote persons as suppliers): `obmen repair {server}` shows them, `obmen repair {server} --apply` corrects them", "{count} {count:партньор, създаден|партньора, създадени} от obmen от клиенти на магазина, не {count:е отбелязан|са отбелязани} като {role} в Склад Pro (по-стар obmen е записвал лицата като доставчици): `obmen repair {server}` ги показва, `obmen repair {server} --apply` ги поправя", "{count} {count:kontrahent, którego|kontrahentów, których|kontrahentów, których} obmen utworzył z klientów sklepu, nie jest {count:oznaczony|oznaczonych|oznaczonych} w Warehouse Pro jako {role} (wcześniejszy obmen zapisywał osoby jako dostawców): `obmen repair {server}` ich pokazuje, `obmen repair {server} --apply` je poprawia";
    ShopNotToldSetAside => "Order {order} is in the quarantine, but the shop could not be told: {error}", "Поръчка {order} е в карантината, но магазинът не можа да бъде уведомен: {error}", "Zamówienie {order} jest w kwarantannie, ale nie udało się powiadomić sklepu: {error}";
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The `{name}` arguments of a text, sorted.
    pub(crate) fn arguments(text: &str) -> Vec<String> {
        let mut out: Vec<String> =
            text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name.split(':').next().unwrap_or(name).to_owned())).collect();
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn every_message_has_every_language_with_the_same_arguments() {
        for m in Msg::ALL {
            assert_eq!(m.texts().len(), Lang::ALL.len(), "{m:?}: a text for every language, in the order of Lang::ALL");
            let en = m.text(Lang::En);
            for lang in Lang::ALL {
                let text = m.text(*lang);
                assert!(!text.trim().is_empty(), "{m:?} in {lang:?}");
                assert_eq!(arguments(en), arguments(text), "{m:?}: {en} / {text}");
            }
        }
        assert_eq!(Msg::Tried.with(Lang::Pl, &[("count", &3), ("when", &"dziś")]), "próbowano 3 razy, ostatnio dziś");
        assert_eq!(Msg::Tried.with(Lang::Bg, &[("count", &3), ("when", &"днес")]), "опитана 3 пъти, последно днес");
    }

    /// The plural choices of a text: each argument's name and its forms.
    fn choices(text: &str) -> Vec<(String, Vec<String>)> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| {
                let (inner, _) = rest.split_once('}')?;
                let (name, forms) = inner.split_once(':')?;
                let ident = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                ident.then(|| (name.to_owned(), forms.split('|').map(str::to_owned).collect()))
            })
            .collect()
    }

    /// Every message that takes a count has, in every language, as many forms as its CLDR rules
    /// (English and Bulgarian two, Polish three), and says each of 0, 1, 2, 5, 21, 22 and 25 with
    /// a form filled in; the forms are the right ones.
    #[test]
    fn every_count_takes_its_languages_plural_form() {
        let mut with_choices = 0;
        for m in Msg::ALL {
            for lang in Lang::ALL {
                let text = m.text(*lang);
                let found = choices(text);
                for (name, forms) in &found {
                    assert_eq!(forms.len(), plural_form_count(*lang), "{m:?} in {lang:?}: {{{name}:...}} has {} forms", forms.len());
                }
                if found.is_empty() {
                    continue;
                }
                with_choices += 1;
                let names = arguments(m.text(Lang::En));
                for n in [0, 1, 2, 5, 21, 22, 25] {
                    let args: Vec<(&str, &dyn std::fmt::Display)> = names.iter().map(|a| (a.as_str(), &n as &dyn std::fmt::Display)).collect();
                    let said = m.with(*lang, &args);
                    assert!(choices(&said).is_empty() && !said.contains(&format!("{{{}", found[0].0)), "{m:?} in {lang:?} for {n}: {said}");
                }
            }
        }
        assert!(with_choices >= 30, "{with_choices}");
        for (lang, n, form) in [(Lang::En, 1, 0), (Lang::En, 0, 1), (Lang::En, 21, 1), (Lang::Bg, 1, 0), (Lang::Bg, 21, 1), (Lang::Bg, 2, 1)] {
            assert_eq!(plural_form(lang, &n.to_string()), form, "{lang:?} {n}");
        }
        for (n, form) in [(0, 2), (1, 0), (2, 1), (4, 1), (5, 2), (12, 2), (21, 2), (22, 1), (25, 2), (112, 2), (122, 1)] {
            assert_eq!(plural_form(Lang::Pl, &n.to_string()), form, "pl {n}");
        }
        let counts = |lang, running: u64, total: u64| Msg::TuiCounts.with(lang, &[("running", &running), ("failed", &0), ("total", &total)]);
        assert_eq!(counts(Lang::En, 1, 1), "1 running, 0 failed, 1 server");
        assert_eq!(counts(Lang::En, 2, 2), "2 running, 0 failed, 2 servers");
        assert_eq!(counts(Lang::Pl, 1, 1), "1 działa, 0 z błędem, 1 serwer");
        assert_eq!(counts(Lang::Pl, 2, 22), "2 działają, 0 z błędem, 22 serwery");
        assert_eq!(counts(Lang::Pl, 5, 25), "5 działa, 0 z błędem, 25 serwerów");
        assert_eq!(Msg::Tried.with(Lang::Bg, &[("count", &1), ("when", &"днес")]), "опитана 1 път, последно днес");
        assert_eq!(Msg::Tried.with(Lang::En, &[("count", &1), ("when", &"today")]), "tried 1 time, last today");
        assert_eq!(Msg::TuiQuitAsk.with(Lang::En, &[("count", &1)]).lines().next(), Some("1 server is running."));
        // A brace that is no choice is left as it is.
        assert!(Msg::ConnStrayBrace.with(Lang::En, &[("key", &"Pwd")]).contains("Pwd={...}"));
    }

    /// The words of a text a person reads as words: what is not a command (in backticks), a
    /// quoted value, an argument, a key, a path, an address or a flag (a token holding `.`, `/`,
    /// `_`, `=`, `:` or `\\` between letters, or starting with `-`); plural choices give their forms.
    // Every index is where `find` met an ASCII delimiter: a character boundary.
    #[allow(clippy::string_slice)]
    pub(crate) fn prose_words(text: &str) -> Vec<String> {
        let mut t = String::new();
        let mut skip: Option<char> = None;
        for c in text.chars() {
            match (skip, c) {
                (Some(close), c) if c == close => skip = None,
                (Some(_), _) => {}
                (None, '`') => skip = Some('`'),
                (None, c) => t.push(c),
            }
        }
        // Every form of each plural choice.
        let mut expanded = String::new();
        let mut rest = t.as_str();
        while let Some(open) = rest.find('{') {
            expanded.push_str(&rest[..open]);
            let inner = rest[open + 1..].find('}').map(|c| &rest[open + 1..open + 1 + c]);
            match inner.and_then(|i| i.split_once(':').map(|(_, forms)| (i.len(), forms))) {
                Some((len, forms)) => {
                    expanded.push_str(&forms.replace('|', " "));
                    rest = &rest[open + len + 2..];
                }
                None => {
                    expanded.push('{');
                    rest = &rest[open + 1..];
                }
            }
        }
        expanded.push_str(rest);
        let t = expanded;
        // The arguments' places: what fills them is not the text's own.
        let mut rest = t.as_str();
        let mut bare = String::new();
        while let Some(open) = rest.find('{') {
            bare.push_str(&rest[..open]);
            match rest[open + 1..].find('}') {
                Some(close) if rest[open + 1..open + 1 + close].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => rest = &rest[open + close + 2..],
                _ => {
                    bare.push('{');
                    rest = &rest[open + 1..];
                }
            }
        }
        bare.push_str(rest);
        let t = bare;
        let mut words = Vec::new();
        for raw in t.split_whitespace() {
            let token = raw.trim_matches(|c: char| !c.is_alphanumeric());
            let technical = raw.trim_start_matches('(').starts_with('-')
                || raw.char_indices().any(|(i, c)| {
                    matches!(c, '.' | '/' | '_' | '=' | ':' | '\\' | '{' | '}' | '[' | ']' | '@')
                        && raw[i + c.len_utf8()..].chars().next().is_some_and(char::is_alphanumeric)
                });
            let quoted = raw.trim_start_matches('(').starts_with('\'') && raw.trim_end_matches(|c: char| ",.;:)".contains(c)).ends_with('\'');
            if technical || quoted {
                continue;
            }
            words.extend(token.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).map(str::to_owned));
        }
        words
    }

    /// English words a Bulgarian (or Polish) text may hold: proper names (products, protocols,
    /// formats), the keys of a keyboard, and the words of obmen.toml and of the control API's
    /// bodies a user writes as they are. A word here is one a translator would keep.
    pub(crate) const KEPT_WORDS: &[&str] = &[
        // Names of products, companies, standards and formats.
        "obmen",
        "Warehouse",
        "Pro",
        "Microinvest",
        "Shopiko",
        "BaseLinker",
        "API",
        "ID",
        "ODBC",
        "SQL",
        "SQLite",
        "MariaDB",
        "MySQL",
        "MSSQL",
        "Access",
        "access",
        "mysql",
        "mssql",
        "sqlite",
        "HTTP",
        "HTTPS",
        "http",
        "https",
        "URL",
        "JSON",
        "json",
        "SMTP",
        "STARTTLS",
        "TLS",
        "NTP",
        "SHA",
        "RFC",
        "EUR",
        "EAN",
        "SKU",
        "DSN",
        "FILEDSN",
        "Driver",
        "Database",
        "Server",
        "Uid",
        "Pwd",
        "Unicode",
        "SQLSTATE",
        "odbcinst",
        "NUL",
        "DNS",
        "FIFO",
        "LIFO",
        "FEFO",
        "Windows",
        "Unix",
        "HOME",
        "EDITOR",
        "VISUAL",
        "nano",
        "localhost",
        "uid",
        "pid",
        "GET",
        "POST",
        "UTF",
        // The kinds' names, as Utility Center writes them (`WarehousePro Import Export Shopiko`).
        "WarehousePro",
        "Import",
        "Export",
        // Keys of the keyboard.
        "Enter",
        "Esc",
        "Tab",
        "Ctrl",
        "PgUp",
        "PgDn",
        "Del",
        "Space",
        "F",
        // obmen.toml's own words, a user writes as they are: [alerts] and [tui] keys and their values.
        "alerts",
        "smtp",
        "from",
        "to",
        "webhook",
        "heartbeat",
        "tui",
        "keyboard",
        "bds",
        "phonetic",
        "en",
        "bg",
        "pl",
        "true",
        "false",
        "debug",
        "info",
        "warn",
        "error",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "at",
        // Fields of the control API's bodies, and the words of obmen's commands.
        "set",
        "key",
        "value",
        "name",
        "kind",
        "kinds",
        "server",
        "validate",
        "new",
        "show",
        "edit",
        "goods",
    ];

    /// No Bulgarian text says a word of the English catalogue that a translator would not
    /// keep ([`KEPT_WORDS`]); one-letter words are keys (`s`, `x`).
    #[test]
    fn bulgarian_texts_hold_no_english_words() {
        let english: std::collections::BTreeSet<String> = Msg::ALL.iter().flat_map(|m| prose_words(m.text(Lang::En))).map(|w| w.to_lowercase()).collect();
        let mut found = Vec::new();
        for m in Msg::ALL {
            for w in prose_words(m.text(Lang::Bg)) {
                if w.chars().count() > 1 && english.contains(&w.to_lowercase()) && !KEPT_WORDS.contains(&w.as_str()) {
                    found.push(format!("{m:?}: {w}"));
                }
            }
        }
        assert!(found.is_empty(), "English words in Bulgarian texts: {found:#?}");
        // The check sees what it is for: an English word in a Bulgarian sentence, not in a command.
        assert_eq!(
            prose_words("Етап: nomenclature, `obmen quarantine` shopiko.url 'x' --full {n} {n:time|times}"),
            ["nomenclature", "time", "times"].map(String::from)
        );
    }

    /// A count's word takes its plural form: no English text writes `{n} orders` (a count, then
    /// a plural noun, perhaps after a word) without a choice, as `1 orders` would say.
    #[test]
    // Every index is where `find` met an ASCII delimiter: a character boundary.
    #[allow(clippy::string_slice)]
    fn no_count_is_followed_by_a_fixed_plural() {
        // Words after a count that end in s but are no plural nouns.
        const NOT_NOUNS: &[&str] = &["is", "was", "has", "does", "holds", "opens", "goes", "exists", "differs", "its", "as", "this", "gives", "s"];
        let mut found = Vec::new();
        for m in Msg::ALL {
            let text = m.text(Lang::En);
            for (i, _) in text.match_indices('{') {
                let Some(close) = text[i..].find('}') else { continue };
                let name = &text[i + 1..i + close];
                if name.contains(':') || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    continue;
                }
                let after: Vec<&str> = text[i + close + 1..].split(' ').skip(1).take(2).collect();
                let plural = |w: &str| {
                    let w = w.trim_end_matches(|c: char| !c.is_ascii_alphabetic());
                    w.len() > 2 && w.ends_with('s') && w.chars().all(|c| c.is_ascii_lowercase()) && !NOT_NOUNS.contains(&w)
                };
                let word = |w: &&str| w.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && !NOT_NOUNS.contains(w);
                if text[i + close + 1..].starts_with(' ') && after.first().is_some_and(|w| word(w) && (plural(w) || after.get(1).is_some_and(|w2| plural(w2))))
                {
                    found.push(format!("{m:?}: {}", &text[i..(i + close + 1 + after.join(" ").len() + 1).min(text.len())]));
                }
            }
        }
        assert!(found.is_empty(), "counts without their plural forms: {found:#?}");
    }

    /// A setting's key in a sentence is its label, in quotes of the language; a key the user
    /// writes (quoted, in backticks, given a value) stays a key; numbers take the language's
    /// decimal sign.
    #[test]
    fn keys_in_sentences_are_labels_and_numbers_are_the_languages() {
        assert_eq!(labelled("check shopiko.url and rules.object.", Lang::En), "check “Shop API address” and “Object”.");
        assert!(labelled("проверете shopiko.url", Lang::Bg).starts_with("проверете „"));
        for kept in [
            "did you mean 'rules.import'?",
            "--set rules.object=Магазин",
            "`rules.object`",
            "Shop.toml",
            "/srv/shop.key",
            "partners.Type",
            "rules.nothing",
            "Shop.toml: rules.object: no such object",
        ] {
            assert_eq!(labelled(kept, Lang::Bg), kept);
        }
        assert_eq!(decimal(53.14, 1, Lang::En), "53.1");
        assert_eq!(decimal(53.14, 1, Lang::Bg), "53,1");
        assert_eq!(seconds(2.0, Lang::Bg), "2,0 с");
        assert_eq!(seconds(2.0, Lang::En), "2.0 s");
    }

    /// A language is found from its code or a locale, the switch goes round every language,
    /// and a task answering a caller speaks the caller's language without touching the process's.
    #[test]
    fn languages_by_code_round_the_switch_and_per_caller() {
        assert_eq!(Lang::from_code("bg_BG.UTF-8"), Some(Lang::Bg));
        assert_eq!(Lang::from_code("bg-BG,bg;q=0.9"), Some(Lang::Bg));
        assert_eq!(Lang::from_code("EN"), Some(Lang::En));
        assert_eq!(Lang::from_code("xx"), None);
        for l in Lang::ALL {
            assert_eq!(Lang::from_code(l.code()), Some(*l));
            assert!(!l.short().is_empty());
        }
        let mut seen = vec![Lang::En];
        while seen.last().copied().map(Lang::next) != Some(Lang::En) {
            seen.push(seen.last().copied().unwrap_or_default().next());
        }
        assert_eq!(seen, Lang::ALL);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let before = current();
        let (asked_bg, asked_en) = rt.block_on(async {
            (asked(Lang::Bg, async { Msg::Yes.get(current()).to_owned() }).await, asked(Lang::En, async { Msg::Yes.get(current()).to_owned() }).await)
        });
        assert_eq!((asked_bg.as_str(), asked_en.as_str()), ("да", "yes"));
        assert_eq!(current(), before);
    }

    #[test]
    fn the_language_comes_from_the_flag_then_the_locale() {
        assert_eq!(resolve(Some(Lang::Bg)), Lang::Bg);
        // The locale is the process's: only the flag's precedence is tested without touching it.
        assert_eq!(resolve(Some(Lang::En)), Lang::En);
    }
}
