//! Every screen of the TUI drawn as a user meets it, in English and Bulgarian, at 80x24 and
//! 120x40: snapshots of each, and a check that no Bulgarian screen says a word of the English
//! catalogue (proper names, keys and paths apart). The scenes are made of what the daemon
//! sends: the real profile's form and validation, the catalogue's messages in the language.

use chrono::{Duration, Local, TimeZone};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::state::{Action, App, Prop};
use crate::config::Lang;
use crate::control::protocol::{ServerEntry, ServerState};
use crate::engine::Retrying;
use crate::i18n::Msg;
use crate::logs::{Level, Line as LogLine};

const KIND: &str = "WarehousePro Import Export Shopiko";

use crate::tui::fixtures::screen;

fn press(a: &mut App, c: KeyCode) {
    a.update(Action::Key(KeyEvent::new(c, KeyModifiers::NONE)));
}

fn typed(a: &mut App, text: &str) {
    for c in text.chars() {
        press(a, KeyCode::Char(c));
    }
}

/// The servers' names: a user's own, in the language they work in.
fn names(lang: Lang) -> [&'static str; 5] {
    match lang {
        Lang::Bg => ["Архив", "Пловдив", "Магазин", "София", "Варна"],
        _ => ["Archive", "Plovdiv", "Shop", "Sofia", "Varna"],
    }
}

/// A moment today at `h:m`, in this machine's zone (the screens are the same in any).
fn today(h: u32, m: u32) -> chrono::DateTime<Local> {
    let now = Local::now();
    Local.with_ymd_and_hms(chrono::Datelike::year(&now), chrono::Datelike::month(&now), chrono::Datelike::day(&now), h, m, 0).unwrap()
}

/// The main screen: a server of every state, one retrying a call of its run, one whose run
/// failed and is tried again by itself, one that needs an operator; the first one's real form.
fn main_screen(lang: Lang) -> App {
    let [archive, plovdiv, shop, sofia, varna] = names(lang);
    let url = "https://shop.example.bg/api";
    let shop_down = Msg::ShopUnreachable.with(lang, &[("url", &url), ("detail", &Msg::NetRefused.get(lang))]);
    let db_down = Msg::WhConnect.with(lang, &[("dialect", &"mysql"), ("connection", &"Driver={MariaDB};Server=10.0.0.5"), ("message", &"[HY000] 2002")]);
    let entry = |name: &str, state: ServerState| {
        let mut e: ServerEntry =
            crate::tui::fixtures::entry(json!({ "name": name, "kind": KIND, "state": "stopped", "counters": { "runs": 12, "imported": 40 } }));
        e.status.state = state;
        e
    };
    let retrying = Retrying { what: Msg::shop_call("orders", lang), error: shop_down, attempt: 3, next_at: Some(today(23, 59)) };
    let job = crate::kinds::Job { import: true, export: false, ..Default::default() };
    let mut a = App::new(lang);
    a.update(Action::Connected(vec![
        entry(archive, ServerState::Stopped),
        entry(plovdiv, ServerState::Failed { reason: db_down.clone(), retry_at: Some(today(23, 58)), attempt: 2 }),
        entry(shop, ServerState::Running { job, run_id: Some(7), phase: Some(crate::kinds::Phase::Import), done: 0, total: None, retrying: Some(retrying) }),
        entry(sofia, ServerState::Waiting { next: Some(today(23, 55)), job: Some(job) }),
        entry(varna, ServerState::Failed { reason: Msg::LogNeedsOperator.with(lang, &[("server", &varna), ("reason", &db_down)]), retry_at: None, attempt: 0 }),
    ]));
    a.update(Action::Properties(
        archive.into(),
        form(
            lang,
            archive,
            &[
                ("database.dialect", "sqlite"),
                ("database.connection", "Driver=SQLite3;Database=warehouse.db"),
                ("rules.weekdays", "mon-fri"),
                ("rules.object", "Централен склад"),
            ],
        )
        .0,
    ));
    a
}

/// A server's form as the daemon sends it: the real profile's groups, labels and help in the
/// language, the values `set` gives, and what validation (in the language) finds wrong.
fn form(lang: Lang, name: &str, set: &[(&str, &str)]) -> (Vec<Prop>, bool) {
    let profile = crate::config::profile::find(KIND).unwrap();
    let changes: Vec<crate::config::edit::Change> = set.iter().map(|(k, v)| crate::config::edit::Change::Set((*k).into(), (*v).into())).collect();
    crate::i18n::speaking(lang, || {
        let text = crate::config::edit::new_server_text(profile, name, &changes).unwrap();
        let table: toml::Table = toml::from_str(&text).unwrap();
        let path = std::path::PathBuf::from(format!("/srv/obmen/servers/{name}.toml"));
        let errors: Vec<(String, String)> = match crate::config::validate::validate_table(&path, table.clone()) {
            Ok(_) => Vec::new(),
            Err(e) => e.0.into_iter().map(|c| (c.field.unwrap_or_default(), c.message)).collect(),
        };
        let groups = crate::config::view::grid(profile, &table, lang, true, &errors);
        (Prop::all(&groups, lang), errors.is_empty())
    })
}

/// A log of a run as the daemon writes it, `n` orders long, the run's summary last.
fn run_log(lang: Lang, server: &str, n: i64) -> Vec<LogLine> {
    let at = today(9, 0).fixed_offset();
    let line =
        |i: i64, level: Level, msg: String| LogLine { ts: at + Duration::seconds(i), level, server: Some(server.into()), run: Some(7), event: "x".into(), msg };
    let mut lines = vec![
        line(0, Level::Info, Msg::LogRunStarted.with(lang, &[("job", &Msg::JobBoth.get(lang))])),
        line(0, Level::Info, Msg::LogPhase.with(lang, &[("phase", &Msg::phase_word("import", lang))])),
    ];
    for i in 0..n {
        lines.push(line(
            i + 1,
            Level::Info,
            Msg::LogOrderImported.with(lang, &[("order", &format!("SH-{}", 100 + i)), ("document", &format!("{:010}", 4000 + i))]),
        ));
    }
    let reason = Msg::UnknownSku.with(lang, &[("sku", &"X-404"), ("name", &"Чаша"), ("key", &"код"), ("server", &server)]);
    lines.push(line(n + 1, Level::Warn, Msg::LogOrderSetAside.with(lang, &[("order", &"SH-999"), ("reason", &reason)])));
    let error = Msg::ShopTimeout.with(lang, &[("url", &"https://shop.example.bg/api"), ("secs", &30)]);
    lines.push(line(n + 2, Level::Warn, Msg::LogRetry.with(lang, &[("what", &Msg::shop_call("stock batch", lang)), ("error", &error)])));
    lines.push(line(n + 3, Level::Info, Msg::LogPhase.with(lang, &[("phase", &Msg::phase_word("export", lang))])));
    let ended = Msg::LogRunEnded.with(
        lang,
        &[
            ("outcome", &Msg::outcome_word(crate::state::Outcome::Partial, lang)),
            ("imported", &n),
            ("set_aside", &1),
            ("exported", &120),
            ("retries", &1),
            ("secs", &crate::i18n::decimal(12.4, 1, lang)),
        ],
    );
    lines.push(line(n + 4, Level::Info, ended));
    lines
}

/// The log view of the first server at the end, following.
fn log_screen(lang: Lang, n: i64) -> App {
    let mut a = main_screen(lang);
    let server = names(lang)[0];
    press(&mut a, KeyCode::Char('l'));
    a.update(Action::LogLines(server.into(), run_log(lang, server, n)));
    a
}

/// The runs view: a run of every outcome, one with an error.
fn runs_screen(lang: Lang) -> App {
    let mut a = main_screen(lang);
    press(&mut a, KeyCode::Char('r'));
    let error = Msg::WhConnect.with(lang, &[("dialect", &"mysql"), ("connection", &"Server=10.0.0.5"), ("message", &"[HY000] 2002")]);
    a.update(Action::Runs(
        names(lang)[0].into(),
        crate::tui::fixtures::runs(vec![
            json!({ "id": 14, "outcome": "failed", "summary": { "counts": {}, "errors": [{ "message": error }] } }),
            json!({ "id": 13, "outcome": "partial", "summary": { "counts": { "imported": 7, "set_aside": 1, "exported": 120 } } }),
            json!({ "id": 12, "outcome": "interrupted", "summary": { "counts": { "imported": 2 } } }),
            json!({ "id": 11, "outcome": "stopped", "summary": { "counts": {} } }),
            json!({ "id": 10, "outcome": "ok", "summary": { "counts": { "imported": 40, "exported": 1250 } } }),
        ]),
    ));
    a
}

/// The quarantine view with two orders, the second selected, its removal asked.
fn quarantine_screen(lang: Lang, asking: bool) -> App {
    let mut a = main_screen(lang);
    let server = names(lang)[0];
    press(&mut a, KeyCode::Char('u'));
    let unknown = Msg::UnknownSku.with(lang, &[("sku", &"X-404"), ("name", &"Чаша"), ("key", &"код"), ("server", &server)]);
    let stock = Msg::NotEnoughStock.with(lang, &[("good", &"1002"), ("object", &"Централен склад"), ("available", &"0"), ("wanted", &"2")]);
    a.update(Action::Quarantined(
        server.into(),
        crate::tui::fixtures::quarantine(vec![
            json!({ "id": 4, "order_number": "SH-100026", "attempts": 2, "last_seen": today(8, 5).to_rfc3339(), "reason": unknown }),
            json!({ "id": 5, "order_number": "SH-100031", "attempts": 1, "last_seen": today(8, 5).to_rfc3339(), "reason": stock }),
        ]),
    ));
    press(&mut a, KeyCode::Down);
    if asking {
        press(&mut a, KeyCode::Char('D'));
    }
    a
}

/// A new server's form: its name and kind asked, then the form as the daemon checked it, with
/// what is still required (the key one of three ways) and a value it refused.
fn new_form_screen(lang: Lang) -> App {
    let mut a = main_screen(lang);
    press(&mut a, KeyCode::Char('n'));
    a.update(Action::Kinds(vec![(KIND.into(), "Warehouse Pro ↔ Shopiko".into())]));
    let name = if lang == Lang::Bg { "Бургас" } else { "Burgas" };
    typed(&mut a, name);
    press(&mut a, KeyCode::Enter);
    let (props, valid) = form(lang, name, &[("rules.import_every_min", "0")]);
    a.update(Action::DraftChecked { name: name.into(), props, valid, problems: Vec::new() });
    // The key, one of three ways to give it: the set in view.
    if let Some(d) = a.draft.as_mut() {
        d.selected = d.props.iter().position(|p| p.key == "shopiko.key").unwrap_or(0) + 2;
    }
    a
}

/// The main screen with the retrying server selected, its reason whole beside the list.
fn retrying_screen(lang: Lang) -> App {
    let mut a = main_screen(lang);
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Down);
    let name = names(lang)[2];
    a.update(Action::Properties(
        name.into(),
        form(
            lang,
            name,
            &[("database.dialect", "sqlite"), ("database.connection", "Driver=SQLite3;Database=warehouse.db"), ("rules.object", "Централен склад")],
        )
        .0,
    ));
    a
}

/// Why: an order in the quarantine, its journey.
fn why_screen(lang: Lang) -> App {
    let mut a = quarantine_screen(lang, false);
    press(&mut a, KeyCode::Char('w'));
    let server = names(lang)[0];
    let reason = Msg::UnknownSku.with(lang, &[("sku", &"X-404"), ("name", &"Чаша"), ("key", &"код"), ("server", &server)]);
    let when = crate::i18n::datetime(today(8, 5).with_timezone(&chrono::Utc), lang);
    a.update(Action::Why {
        server: server.into(),
        order: "SH-100031".into(),
        answer: Ok(vec![
            Msg::WhySetAside.with(lang, &[("order", &"SH-100031"), ("attempts", &2), ("first", &when), ("last", &when), ("reason", &reason)]),
            Msg::WhySetAsideTodo.with(lang, &[("server", &server), ("order", &"SH-100031")]),
            Msg::WhyReceived.with(lang, &[("run", &12), ("time", &when), ("sha", &"3f1c0e4a9b")]),
        ]),
    });
    a
}

/// The main screen after a key.
fn main_after(lang: Lang, key: char) -> App {
    let mut a = main_screen(lang);
    press(&mut a, KeyCode::Char(key));
    a
}

/// Every screen: its name and how it is made.
type Scene = (&'static str, fn(Lang) -> App);

/// The screens snapshot in both languages and both sizes.
const SNAPSHOTS: &[Scene] = &[
    ("main", main_screen),
    ("retrying", retrying_screen),
    ("log_top", |l| {
        let mut a = log_screen(l, 60);
        press(&mut a, KeyCode::Char('g'));
        a
    }),
    ("log_middle", |l| {
        let mut a = log_screen(l, 60);
        press(&mut a, KeyCode::PageUp);
        a
    }),
    ("log_end", |l| log_screen(l, 60)),
    ("log_search", |l| {
        let mut a = log_screen(l, 60);
        typed(&mut a, "/sh-10");
        press(&mut a, KeyCode::Enter);
        a
    }),
    ("runs", runs_screen),
    ("quarantine", |l| quarantine_screen(l, false)),
    ("new_form", new_form_screen),
];

/// The other screens, checked for English words but not snapshot.
const OTHERS: &[Scene] = &[
    ("quarantine_remove", |l| quarantine_screen(l, true)),
    ("why", why_screen),
    ("help", |l| main_after(l, '?')),
    ("quit", |l| main_after(l, 'q')),
    ("delete", |l| main_after(l, 'd')),
    ("new_name", |l| {
        let mut a = main_screen(l);
        press(&mut a, KeyCode::Char('n'));
        a.update(Action::Kinds(vec![(KIND.into(), "Warehouse Pro ↔ Shopiko".into())]));
        a
    }),
    ("edit_weekdays", |l| {
        let mut a = main_screen(l);
        let i = a.props.iter().position(|p| p.key == "rules.weekdays").unwrap();
        a.prop_selected = i;
        press(&mut a, KeyCode::Enter);
        a
    }),
    ("checks", |l| {
        let mut a = main_screen(l);
        press(&mut a, KeyCode::Char('t'));
        let server = names(l)[0];
        a.update(Action::Checks(
            server.into(),
            crate::tui::fixtures::checks(vec![
                json!({ "what": Msg::CheckDatabase.with(l, &[("dialect", &"mysql")]), "ok": true, "detail": Msg::CheckConnected.get(l) }),
                json!({ "what": Msg::CheckObject.with(l, &[("object", &"Централен склад")]), "ok": true, "detail": Msg::CheckObjectFound.with(l, &[("name", &"Централен склад"), ("code", &"1"), ("id", &1)]) }),
                json!({ "what": Msg::CheckShopAt.with(l, &[("url", &"https://shop.example.bg/api")]), "ok": false, "detail": Msg::CheckShopUnreachable.get(l) }),
            ]),
        ));
        a
    }),
    ("log_every_line", |l| {
        // Every line the daemon writes into a server's log, each message filled in.
        let mut a = main_screen(l);
        let server = names(l)[0];
        press(&mut a, KeyCode::Char('l'));
        let at = today(9, 0).fixed_offset();
        let lines = Msg::ALL
            .iter()
            .filter(|m| format!("{m:?}").starts_with("Log"))
            .enumerate()
            .map(|(i, m)| LogLine {
                ts: at,
                level: [Level::Info, Level::Warn, Level::Error][i % 3],
                server: Some(server.into()),
                run: Some(7),
                event: "x".into(),
                msg: filled(*m, l),
            })
            .collect();
        a.update(Action::LogLines(server.into(), lines));
        press(&mut a, KeyCode::Char('g'));
        a
    }),
];

/// A message with every argument given a number: the words are the message's own.
fn filled(m: Msg, lang: Lang) -> String {
    let names = crate::i18n::tests::arguments(m.text(Lang::En));
    let args: Vec<(&str, &dyn std::fmt::Display)> = names.iter().map(|n| (n.as_str(), &3 as &dyn std::fmt::Display)).collect();
    m.with(lang, &args)
}

#[test]
fn every_screen_in_english_and_bulgarian_at_80x24_and_120x40() {
    for (name, make) in SNAPSHOTS {
        for lang in [Lang::En, Lang::Bg] {
            for (w, h) in [(80u16, 24u16), (120, 40)] {
                let text = screen(&make(lang), w, h);
                insta::assert_snapshot!(format!("{name}_{}_{w}x{h}", lang.code()), text);
            }
        }
    }
}

/// No Bulgarian screen says a word of the English catalogue: the words a translator keeps
/// (names, keys of the keyboard, obmen.toml's words) and keys and paths apart; and no time is
/// written with English units.
#[test]
fn no_bulgarian_screen_says_an_english_word() {
    let english: std::collections::BTreeSet<String> =
        Msg::ALL.iter().flat_map(|m| crate::i18n::tests::prose_words(m.text(Lang::En))).map(|w| w.to_lowercase()).collect();
    let mut found = Vec::new();
    for (name, make) in SNAPSHOTS.iter().chain(OTHERS) {
        for (w, h) in [(80u16, 24u16), (120, 40)] {
            let text = screen(&make(Lang::Bg), w, h);
            for word in crate::i18n::tests::prose_words(&text) {
                if word.chars().count() > 1 && english.contains(&word.to_lowercase()) && !crate::i18n::tests::KEPT_WORDS.contains(&word.as_str()) {
                    found.push(format!("{name} {w}x{h}: {word}"));
                }
            }
            let units = text.split_whitespace().collect::<Vec<_>>();
            for pair in units.windows(2) {
                if pair[0].chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',')
                    && pair[0].chars().next().is_some_and(|c| c.is_ascii_digit())
                    && pair[1].trim_end_matches([',', '.', ')', ';']) == "s"
                {
                    found.push(format!("{name} {w}x{h}: {} {}", pair[0], pair[1]));
                }
            }
        }
    }
    found.dedup();
    assert!(found.is_empty(), "English on Bulgarian screens: {found:#?}");
    // The check sees English where it is: an English screen fails it.
    let text = screen(&runs_screen(Lang::En), 120, 40);
    assert!(crate::i18n::tests::prose_words(&text)
        .iter()
        .any(|w| english.contains(&w.to_lowercase()) && !crate::i18n::tests::KEPT_WORDS.contains(&w.as_str())));
}

/// A retrying server says so, with its next try's time whole at 80 columns, and the time of a
/// server's next run is never cut.
#[test]
fn a_retrying_server_shows_its_next_try_and_the_next_runs_time_is_whole() {
    for lang in [Lang::En, Lang::Bg] {
        let text = screen(&main_screen(lang), 80, 24);
        let row = |name: &str| text.lines().find(|l| l.contains(name)).unwrap_or_default().to_owned();
        let [_, plovdiv, shop, sofia, varna] = names(lang);
        let word = Msg::StateRetrying.get(lang);
        assert!(row(shop).contains(&format!("◌ {word}")) && row(shop).contains("23:59:00"), "{lang:?}: the call retried, its next try:\n{text}");
        assert!(row(plovdiv).contains(&format!("◌ {word}")) && row(plovdiv).contains("23:58:00"), "{lang:?}: the run retried:\n{text}");
        assert!(row(sofia).contains("23:55"), "{lang:?}: the next run's time:\n{text}");
        assert!(row(varna).contains("✗"), "{lang:?}: one that needs an operator is failed, not retrying:\n{text}");
    }
}

/// A status-bar message longer than the line wraps onto more lines, whole, at 80 columns.
#[test]
fn a_long_status_message_is_shown_whole() {
    let mut a = main_screen(Lang::Bg);
    let said = Msg::TuiNotYet
        .with(Lang::Bg, &[("what", &"„Тип на базата данни“, „Връзка“, „Адрес на API на магазина“, „API Идентификатор“, едно от „Ключ“, „Файл с ключа“")]);
    a.message = Some(said.clone());
    let text = screen(&a, 80, 24);
    let bottom: String = text.lines().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(" ");
    for word in said.split_whitespace() {
        assert!(bottom.contains(word), "'{word}' of the message is not on the screen:\n{text}");
    }
}
