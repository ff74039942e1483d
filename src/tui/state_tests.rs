//! The app's reducer, driven by actions as the loop would, without a terminal.

use super::*;
use serde_json::json;

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Action {
    Action::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn app() -> App {
    let mut a = App::new(Lang::En);
    let fx = a.update(Action::Connected(crate::tui::fixtures::entries(vec![
        json!({ "name": "Shop", "state": "waiting", "counters": { "runs": 3, "imported": 40 } }),
        json!({ "name": "Archive", "state": "stopped", "counters": { "runs": 0 } }),
    ])));
    assert_eq!(fx, [Effect::LoadProperties("Archive".into(), Lang::En)], "sorted: Archive first");
    a
}

#[test]
fn moving_the_selection_loads_the_next_servers_properties_once() {
    let mut a = app();
    assert_eq!(a.update(code(KeyCode::Down)), [Effect::LoadProperties("Shop".into(), Lang::En)]);
    assert_eq!(a.update(code(KeyCode::Down)), [], "the last row stays selected");
    assert_eq!(a.update(key('k')), [Effect::LoadProperties("Archive".into(), Lang::En)]);
    // Properties for a server no longer selected are dropped.
    a.update(Action::Properties("Shop".into(), vec![prop("k", "string", "v", &[])]));
    assert!(a.props.is_empty());
    assert_eq!(a.update(Action::ClickRow(1)), [Effect::LoadProperties("Shop".into(), Lang::En)]);
}

#[test]
fn start_stop_and_test_act_on_the_selected_server() {
    let mut a = app();
    assert_eq!(a.update(key('s')), [Effect::Start("Archive".into())]);
    assert_eq!(a.update(code(KeyCode::F(6))), [Effect::Stop("Archive".into())]);
    assert_eq!(a.update(key('t')), [Effect::Test("Archive".into())]);
    assert_eq!(a.mode, Mode::Checks("Archive".into(), None), "shown as running");
    a.update(Action::Checks("Archive".into(), crate::tui::fixtures::checks(vec![json!({ "what": "db", "ok": true })])));
    assert!(matches!(&a.mode, Mode::Checks(_, Some(c)) if c.len() == 1));
    a.update(key('z'));
    assert_eq!(a.mode, Mode::Main);
    assert_eq!(a.update(Action::ClickToolbar(0)), [Effect::Start("Archive".into())]);
    // A click on the toolbar's second action ("x Stop", after "s Start ").
    assert_eq!(a.update(Action::Click(9, 0, 120)), [Effect::Stop("Archive".into())]);
    assert_eq!(a.update(Action::Click(2, 4, 120)), [Effect::LoadProperties("Shop".into(), Lang::En)], "the list's second row");
    let mut empty = App::new(Lang::En);
    assert_eq!(empty.update(key('s')), [], "nothing selected, nothing done");
}

#[test]
fn status_events_change_the_row_and_keep_its_counters() {
    let mut a = app();
    a.update(Action::Event(crate::tui::fixtures::event(
        json!({ "type": "status", "status": { "name": "Shop", "state": "running", "phase": "import", "done": 5 } }),
    )));
    let shop = &a.rows[1];
    assert_eq!(shop.state(), "running");
    assert_eq!(shop.0.counters.as_ref().map(|c| c.imported), Some(40));
    a.update(Action::Event(crate::tui::fixtures::event(json!({ "type": "run", "server": "Shop", "event": { "event": "finished", "summary": { "counts": { "imported": 7, "set_aside": 1 }, "outcome": "partial", "ended_at": "2026-12-01T10:00:00Z" } } }))));
    assert_eq!(a.rows[1].0.counters.as_ref().map(|c| c.imported), Some(47));
    assert_eq!(a.rows[1].0.counters.as_ref().map(|c| c.runs), Some(4));
    // A server the list did not have appears, in order.
    a.update(Action::Event(crate::tui::fixtures::event(json!({ "type": "status", "status": { "name": "Beta", "state": "stopped" } }))));
    assert_eq!(a.rows.iter().map(Row::name).collect::<Vec<_>>(), ["Archive", "Beta", "Shop"]);
    // A deleted one goes; the selection moves to a server still there, with its properties.
    a.update(code(KeyCode::End));
    let fx = a.update(Action::Event(crate::tui::fixtures::event(json!({ "type": "removed", "server": "Shop" }))));
    assert_eq!(a.rows.iter().map(Row::name).collect::<Vec<_>>(), ["Archive", "Beta"]);
    assert_eq!(fx, [Effect::LoadProperties("Beta".into(), Lang::En)]);
}

#[test]
fn quit_asks_while_servers_run_and_hide_leaves_them() {
    let mut a = app();
    assert_eq!(a.update(key('q')), []);
    assert_eq!(a.mode, Mode::ConfirmQuit);
    assert_eq!(a.update(key('n')), [], "any other key goes back");
    assert_eq!(a.mode, Mode::Main);
    a.update(key('q'));
    assert_eq!(a.update(code(KeyCode::Enter)), [Effect::Quit { stop: false }], "keep running is the default");
    assert!(a.done);
    let mut a = app();
    a.update(key('q'));
    assert_eq!(a.update(key('s')), [Effect::Quit { stop: true }]);
    let mut a = app();
    assert_eq!(a.update(key('h')), [Effect::Quit { stop: false }]);
    assert!(a.done);
    // Nothing running: q leaves at once.
    let mut a = App::new(Lang::En);
    a.update(Action::Connected(crate::tui::fixtures::entries(vec![json!({ "name": "A", "state": "stopped" })])));
    assert_eq!(a.update(key('q')), [Effect::Quit { stop: false }]);
}

#[test]
fn a_lost_daemon_is_shown_and_a_returning_one_restores_the_list_and_selection() {
    let mut a = app();
    a.update(code(KeyCode::Down));
    a.update(Action::Lost("no daemon".into()));
    assert!(!a.connected);
    assert_eq!(a.lost.as_deref(), Some("no daemon"));
    assert_eq!(a.rows.len(), 2, "the last known list stays shown");
    let fx = a.update(Action::Connected(crate::tui::fixtures::entries(vec![
        json!({ "name": "Shop", "state": "waiting" }),
        json!({ "name": "Archive", "state": "stopped" }),
    ])));
    assert!(a.connected && a.lost.is_none());
    assert_eq!(a.selected_name().as_deref(), Some("Shop"), "the selection follows the server, not the row number");
    assert_eq!(fx, [], "its properties are loaded already");
}

/// A lost daemon is a key press away: Enter starts it again (it edits a property only while
/// one answers), and the status bar says so.
#[test]
fn enter_starts_a_lost_daemon_again() {
    let mut a = app();
    a.message = Some("No daemon ran for this home: one was started in the background.".into());
    a.update(Action::Lost("no daemon".into()));
    assert_eq!(a.message, None, "the loss is said over what was said before");
    assert_eq!(a.update(code(KeyCode::Enter)), [Effect::StartDaemon]);
    assert!(a.message.is_some(), "starting it again is said");
    assert_eq!(a.mode, Mode::Main, "no editor opens on a daemon that is not there");
    a.update(Action::Connected(crate::tui::fixtures::entries(vec![json!({ "name": "Archive", "state": "stopped" })])));
    a.props = vec![prop("rules.import_every_min", "integer", "15", &[])];
    assert!(matches!(a.update(code(KeyCode::Enter)).as_slice(), []) && matches!(a.mode, Mode::Edit(_)), "with a daemon, Enter edits again");
}

/// Esc on the main screen leaves nothing and asks nothing: the keys after it act as ever.
#[test]
fn esc_on_the_main_screen_does_nothing() {
    let mut a = app();
    a.message = Some("saved".into());
    assert_eq!(a.update(code(KeyCode::Esc)), []);
    assert_eq!((a.mode.clone(), a.done), (Mode::Main, false));
    assert_eq!(a.message, None, "it clears what the status bar said");
    assert_eq!(a.update(key('s')), [Effect::Start("Archive".into())], "no dialog took the next key");
}

fn line(msg: &str, level: crate::logs::Level, run: Option<i64>) -> crate::logs::Line {
    crate::logs::Line::now(level, Some("Archive"), run, "test", msg)
}

#[test]
fn the_log_view_loads_follows_scrolls_searches_and_filters() {
    use crate::logs::Level;
    let mut a = app();
    assert_eq!(a.update(key('l')), [Effect::LoadLog { server: "Archive".into(), level: None, run: None, n: LogView::LOAD }]);
    let lines: Vec<_> = (0..50).map(|i| line(&format!("line {i}"), if i % 10 == 0 { Level::Error } else { Level::Info }, Some(i / 10))).collect();
    a.update(Action::LogLines("Archive".into(), lines));
    let view = |a: &App| match &a.mode {
        Mode::Log(v) => (**v).clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(view(&a).lines.len(), 50);
    // New lines of this server arrive and are followed; another server's are not shown.
    a.update(Action::Event(crate::tui::fixtures::event(json!({ "type": "log", "line": line("line 50", Level::Info, None) }))));
    a.update(Action::Event(crate::tui::fixtures::event(
        json!({ "type": "log", "line": crate::logs::Line::now(Level::Info, Some("Shop"), None, "x", "other") }),
    )));
    assert_eq!(view(&a).lines.len(), 51);
    assert_eq!(view(&a).offset, 0);
    // Scrolled up, the view stays on its lines when more come.
    a.update(code(KeyCode::PageUp));
    assert_eq!(view(&a).offset, PAGE);
    a.update(Action::Event(crate::tui::fixtures::event(json!({ "type": "log", "line": line("line 51", Level::Info, None) }))));
    assert_eq!(view(&a).offset, PAGE + 1);
    a.update(code(KeyCode::End));
    assert_eq!(view(&a).offset, 0);
    a.update(code(KeyCode::Home));
    assert_eq!(view(&a).offset, 51, "the first line");
    // Search: typed after '/', Enter finds the nearest match above the bottom.
    a.update(code(KeyCode::End));
    for c in "/line 3".chars() {
        a.update(key(c));
    }
    a.update(code(KeyCode::Enter));
    let v = view(&a);
    assert_eq!(v.search, "line 3");
    assert_eq!(v.lines[v.lines.len() - 1 - v.offset].msg, "line 39");
    a.update(key('n'));
    let v = view(&a);
    assert_eq!(v.lines[v.lines.len() - 1 - v.offset].msg, "line 38");
    for c in "/nothing".chars() {
        a.update(key(c));
    }
    a.update(code(KeyCode::Enter));
    assert!(a.message.as_deref().is_some_and(|m| m.contains("nothing")));
    // e: the level filter, reloaded from the daemon.
    assert_eq!(a.update(key('e')), [Effect::LoadLog { server: "Archive".into(), level: Some(Level::Warn), run: None, n: LogView::LOAD }]);
    assert_eq!(a.update(key('e')), [Effect::LoadLog { server: "Archive".into(), level: Some(Level::Error), run: None, n: LogView::LOAD }]);
    assert_eq!(a.update(key('e')), [Effect::LoadLog { server: "Archive".into(), level: None, run: None, n: LogView::LOAD }]);
    a.update(code(KeyCode::Esc));
    assert_eq!(a.mode, Mode::Main);
}

#[test]
fn scrolling_above_the_lines_loaded_asks_for_older_ones_and_keeps_the_place() {
    let mut a = app();
    a.update(key('l'));
    let batch = |from: usize, to: usize| (from..to).map(|i| line(&format!("line {i}"), crate::logs::Level::Info, None)).collect::<Vec<_>>();
    a.update(Action::LogLines("Archive".into(), batch(3000, 5000)));
    assert_eq!(a.update(key('g')), [], "first at the first line loaded");
    let more = Effect::LoadLog { server: "Archive".into(), level: None, run: None, n: 2 * LogView::LOAD };
    assert_eq!(a.update(code(KeyCode::Up)), [more], "above it: older lines asked for");
    // The older lines come before the same ones; the view stays on the line it showed.
    a.update(Action::LogLines("Archive".into(), batch(1000, 5000)));
    let Mode::Log(v) = &a.mode else { panic!() };
    assert_eq!(v.lines[v.lines.len() - 1 - v.offset].msg, "line 3000");
    // All the file has: asking again gets no more, so nothing more is asked.
    a.update(key('g'));
    assert_eq!(a.update(code(KeyCode::PageUp)), [Effect::LoadLog { server: "Archive".into(), level: None, run: None, n: 4 * LogView::LOAD }]);
    a.update(Action::LogLines("Archive".into(), batch(0, 5000)));
    a.update(key('g'));
    assert_eq!(a.update(code(KeyCode::Up)), [], "the file's first line");
    // Followed, the view keeps what it asked for and not much more.
    a.update(code(KeyCode::End));
    for i in 0..(3 * LogView::LOAD) {
        a.update(Action::Event(crate::tui::fixtures::event(json!({ "type": "log", "line": line(&format!("new {i}"), crate::logs::Level::Info, None) }))));
    }
    let Mode::Log(v) = &a.mode else { panic!() };
    assert!(v.lines.len() <= v.asked + 2 * LogView::LOAD, "{}", v.lines.len());
    assert_eq!(v.lines.last().map(|l| l.msg.as_str()), Some(format!("new {}", 3 * LogView::LOAD - 1).as_str()));
}

#[test]
fn the_runs_view_opens_a_runs_log_lines() {
    let mut a = app();
    assert_eq!(a.update(key('r')), [Effect::LoadRuns("Archive".into())]);
    a.update(Action::Runs("Archive".into(), crate::tui::fixtures::runs(vec![json!({ "id": 9, "outcome": "ok" }), json!({ "id": 8, "outcome": "failed" })])));
    a.update(code(KeyCode::Down));
    assert_eq!(a.update(code(KeyCode::Enter)), [Effect::LoadLog { server: "Archive".into(), level: None, run: Some(8), n: LogView::LOAD }]);
    assert!(matches!(&a.mode, Mode::Log(v) if v.run == Some(8)));
}

#[test]
fn the_quarantine_view_retries_and_drops_only_after_a_confirmation() {
    let mut a = app();
    assert_eq!(a.update(key('u')), [Effect::LoadQuarantine("Archive".into())]);
    assert_eq!(a.update(key('R')), [], "nothing to retry yet");
    a.update(Action::Quarantined(
        "Archive".into(),
        crate::tui::fixtures::quarantine(vec![json!({ "id": 3, "order_number": "SH-1" }), json!({ "id": 5, "order_number": "SH-2" })]),
    ));
    a.update(code(KeyCode::Down));
    assert_eq!(a.update(code(KeyCode::Enter)), [], "asks first");
    assert!(matches!(&a.mode, Mode::Quarantine(v) if v.asking == Some(QuarantineAsk::Retry)));
    assert_eq!(a.update(key('n')), [], "cancelled");
    assert!(matches!(&a.mode, Mode::Quarantine(v) if v.asking.is_none()));
    a.update(key('R'));
    assert_eq!(a.update(key('y')), [Effect::Retry("Archive".into(), 5)]);
    a.update(key('D'));
    assert_eq!(a.update(code(KeyCode::Enter)), [Effect::Drop("Archive".into(), 5)]);
    a.update(code(KeyCode::Esc));
    assert_eq!(a.mode, Mode::Main);
}

/// w: on the main screen a prompt for the number (typed, Backspace, Enter asks the daemon); on
/// the quarantine view the selected order at once; the answer shows until a key; w asks again;
/// an answer for another order than the one asked is not shown.
#[test]
fn why_asks_for_an_order_and_shows_the_daemons_answer() {
    let mut a = app();
    assert_eq!(a.update(key('w')), []);
    assert!(matches!(&a.mode, Mode::Why(v) if v.server == "Archive" && v.asked.is_none()));
    assert_eq!(a.update(code(KeyCode::Enter)), [], "nothing typed: nothing asked");
    for c in "SH-12x".chars() {
        a.update(key(c));
    }
    a.update(code(KeyCode::Backspace));
    assert_eq!(a.update(code(KeyCode::Enter)), [Effect::Why("Archive".into(), "SH-12".into())]);
    a.update(Action::Why { server: "Archive".into(), order: "SH-99".into(), answer: Ok(vec!["other".into()]) });
    assert!(matches!(&a.mode, Mode::Why(v) if v.answer.is_none()), "not the order asked");
    a.update(Action::Why { server: "Archive".into(), order: "SH-12".into(), answer: Ok(vec!["Order SH-12 is in Warehouse Pro".into()]) });
    assert!(matches!(&a.mode, Mode::Why(v) if v.answer == Some(Ok(vec!["Order SH-12 is in Warehouse Pro".into()]))));
    assert_eq!(a.update(key('w')), [], "another order: the prompt again");
    assert!(matches!(&a.mode, Mode::Why(v) if v.asked.is_none() && v.input.is_empty()));
    a.update(code(KeyCode::Esc));
    assert_eq!(a.mode, Mode::Main);

    a.update(key('u'));
    a.update(Action::Quarantined("Archive".into(), crate::tui::fixtures::quarantine(vec![json!({ "id": 3, "order_number": "SH-1" })])));
    assert_eq!(a.update(key('w')), [Effect::Why("Archive".into(), "SH-1".into())]);
    a.update(Action::Why { server: "Archive".into(), order: "SH-1".into(), answer: Err("no daemon".into()) });
    assert!(matches!(&a.mode, Mode::Why(v) if v.answer == Some(Err("no daemon".into()))));
    a.update(key('x'));
    assert_eq!(a.mode, Mode::Main, "any other key: back");
}

/// With a Bulgarian layout on, the letter keys send Cyrillic: the command keys are read by their
/// key (BDS by default, phonetic as set), text being typed is taken as it comes, and "д" still
/// says yes to a question.
#[test]
fn cyrillic_letters_are_the_commands_of_their_keys() {
    let mut a = app();
    assert_eq!(a.update(key('я')), [Effect::Start("Archive".into())], "BDS: the key of s sends я");
    assert_eq!(a.update(key('й')), [Effect::Stop("Archive".into())], "BDS: the key of x sends й");
    a.update(key('в'));
    assert!(matches!(a.mode, Mode::Log(_)), "BDS: the key of l sends в");
    a.update(code(KeyCode::Esc));
    a.update(key('а'));
    assert_eq!(a.mode, Mode::ConfirmDelete("Archive".into()), "BDS: the key of d sends а");
    assert_eq!(a.update(key('д')), [Effect::Delete("Archive".into())], "д: да");
    let mut a = app();
    a.update(key('у'));
    for c in "Ябълка".chars() {
        a.update(key(c));
    }
    assert!(matches!(&a.mode, Mode::Why(v) if v.input == "Ябълка"), "typed text is taken as it comes");
    a.update(code(KeyCode::Esc));
    a.keyboard = crate::tui::keyboard::Keyboard::Phonetic;
    assert_eq!(a.update(key('с')), [Effect::Start("Archive".into())], "phonetic: the key of s sends с");
    assert_eq!(a.update(key('ь')), [Effect::Stop("Archive".into())], "phonetic: the key of x sends ь");
    assert_eq!(a.update(key('я')), [], "phonetic я is q");
    assert_eq!(a.mode, Mode::ConfirmQuit, "q with a server running asks");
}

fn prop(key: &str, ty: &str, raw: &str, choices: &[(&str, &str)]) -> Prop {
    Prop {
        group: "g".into(),
        label: key.into(),
        value: raw.into(),
        help: String::new(),
        key: key.into(),
        ty: ty.parse().unwrap(),
        raw: raw.into(),
        choices: choices.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect(),
        choices_from: None,
        multiple: false,
        min: Some(1),
        max: Some(10_080),
        required: false,
        missing: false,
        error: None,
        one_of: Vec::new(),
    }
}

#[test]
fn edit_checks_as_typed_picks_from_lists_and_never_shows_a_secret() {
    let mut a = app();
    let props = vec![
        prop("rules.import", "enum", "on_start", &[("never", "Don't start"), ("on_start", "On server start"), ("periodic", "Periodic")]),
        prop("rules.import_every_min", "integer", "15", &[]),
        prop("rules.hours", "time_window", "00:00-24:00", &[]),
        prop("shopiko.key", "secret", "", &[]),
    ];
    a.update(Action::Properties("Archive".into(), props.clone()));
    // A choice: the current one picked; Down moves; Enter saves its value.
    a.update(key('e'));
    assert!(matches!(&a.mode, Mode::Edit(v) if v.choice == 1));
    a.update(code(KeyCode::Down));
    assert_eq!(a.update(code(KeyCode::Enter)), [Effect::Save { server: "Archive".into(), key: "rules.import".into(), value: "periodic".into() }]);
    assert_eq!(a.update(Action::Saved("Archive".into())), [Effect::LoadProperties("Archive".into(), Lang::En)]);
    assert_eq!(a.mode, Mode::Main);
    // Until the grid comes back, it stays, and keys move in it.
    assert_eq!(a.props.len(), 4);
    a.update(code(KeyCode::Tab));
    assert_eq!(a.prop_selected, 1);
    a.prop_selected = 0;
    // Saved: the grid is read again from the daemon. A number, checked as typed: 0 is out of
    // range and is not saved.
    a.update(Action::Properties("Archive".into(), props));
    a.prop_selected = 1;
    a.update(code(KeyCode::Enter));
    a.update(code(KeyCode::Backspace));
    a.update(code(KeyCode::Backspace));
    a.update(key('0'));
    assert!(matches!(&a.mode, Mode::Edit(v) if v.error.as_deref().is_some_and(|e| e.contains("1"))));
    assert_eq!(a.update(code(KeyCode::Enter)), [], "refused before saving");
    a.update(code(KeyCode::Backspace));
    for c in "30".chars() {
        a.update(key(c));
    }
    assert_eq!(a.update(code(KeyCode::Enter)), [Effect::Save { server: "Archive".into(), key: "rules.import_every_min".into(), value: "30".into() }]);
    // The daemon's refusal is shown in the editor.
    a.update(Action::Refused("rules.import_every_min: too many".into()));
    assert!(matches!(&a.mode, Mode::Edit(v) if v.error.as_deref() == Some("rules.import_every_min: too many")));
    a.update(code(KeyCode::Esc));
    // A time window with a typo.
    a.prop_selected = 2;
    a.update(key('e'));
    a.update(code(KeyCode::Backspace));
    assert!(matches!(&a.mode, Mode::Edit(v) if v.error.is_some()));
    a.update(code(KeyCode::Esc));
    // A secret starts empty: what the file holds is never shown back.
    a.prop_selected = 3;
    a.update(key('e'));
    assert!(matches!(&a.mode, Mode::Edit(v) if v.input.is_empty()));
}

fn form(missing: &[&str]) -> Vec<Prop> {
    let mut name = prop("name", "string", "Shop2", &[]);
    name.required = true;
    let mut object = prop("rules.object", "string", "", &[]);
    object.required = true;
    object.missing = missing.contains(&"rules.object");
    let mut key = prop("shopiko.key", "secret", "", &[]);
    key.missing = missing.contains(&"shopiko.key");
    vec![name, prop("rules.import", "enum", "on_start", &[("never", "Don't start"), ("on_start", "On server start")]), object, key]
}

#[test]
fn new_asks_a_name_and_kind_then_fills_a_form_the_daemon_checks_and_saves_it() {
    let mut a = app();
    assert_eq!(a.update(key('n')), [Effect::LoadKinds]);
    a.update(Action::Kinds(vec![("WarehousePro Import Export Shopiko".into(), "Warehouse Pro ↔ Shopiko".into())]));
    // A name already taken, or one that cannot be a file's, is refused before going on.
    for c in "Shop".chars() {
        a.update(key(c));
    }
    assert_eq!(a.update(code(KeyCode::Enter)), []);
    assert!(matches!(&a.mode, Mode::New(v) if v.error.as_deref().is_some_and(|e| e.contains("Shop"))), "{:?}", a.mode);
    for c in "/x".chars() {
        a.update(key(c));
    }
    assert_eq!(a.update(code(KeyCode::Enter)), []);
    assert!(matches!(&a.mode, Mode::New(v) if v.error.is_some()));
    a.update(code(KeyCode::Backspace));
    a.update(code(KeyCode::Backspace));
    a.update(key('2'));
    a.update(code(KeyCode::Tab));
    a.update(code(KeyCode::Down));
    let kind = "WarehousePro Import Export Shopiko".to_owned();
    let check = |set: &[(&str, &str)]| Effect::CheckDraft {
        name: "Shop2".into(),
        kind: kind.clone(),
        set: set.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
    };
    assert_eq!(a.update(code(KeyCode::Enter)), [check(&[])], "the daemon checks the empty form");
    assert_eq!(a.mode, Mode::Draft);
    a.update(Action::DraftChecked { name: "Shop2".into(), props: form(&["rules.object", "shopiko.key"]), valid: false, problems: Vec::new() });
    // Not ready: saving says what is still required, and nothing is sent.
    assert_eq!(a.update(key('w')), []);
    assert!(a.message.as_deref().is_some_and(|m| m.contains("“Object”") && m.contains("“Key”")), "{:?}", a.message);
    // The selection moves in the form, not the list; Tab goes to the next property still
    // required, round the form; an edit goes into the form, checked again.
    a.update(code(KeyCode::Tab));
    assert_eq!(a.draft.as_ref().map(|d| d.selected), Some(2));
    a.update(code(KeyCode::Tab));
    assert_eq!(a.draft.as_ref().map(|d| d.selected), Some(3));
    a.update(code(KeyCode::Tab));
    assert_eq!(a.draft.as_ref().map(|d| d.selected), Some(2), "round");
    a.update(code(KeyCode::BackTab));
    assert_eq!(a.draft.as_ref().map(|d| d.selected), Some(3));
    a.update(code(KeyCode::Up));
    assert_eq!(a.update(code(KeyCode::Enter)), []);
    assert!(matches!(&a.mode, Mode::Edit(v) if v.draft && v.prop == 2));
    for c in "Магазин".chars() {
        a.update(key(c));
    }
    assert_eq!(a.update(code(KeyCode::Enter)), [check(&[("rules.object", "Магазин")])]);
    assert_eq!(a.mode, Mode::Draft);
    a.update(Action::DraftChecked { name: "Shop2".into(), props: form(&["shopiko.key"]), valid: false, problems: Vec::new() });
    // A secret: typed masked, kept in the form only; Esc in its editor goes back to the form.
    a.update(code(KeyCode::Tab));
    a.update(key('e'));
    a.update(code(KeyCode::Esc));
    assert_eq!(a.mode, Mode::Draft);
    a.update(code(KeyCode::Enter));
    for c in "s3cret".chars() {
        a.update(key(c));
    }
    assert_eq!(a.update(code(KeyCode::Enter)), [check(&[("rules.object", "Магазин"), ("shopiko.key", "s3cret")])]);
    // An empty value takes a setting back out of the form.
    a.update(code(KeyCode::Enter));
    assert_eq!(a.update(code(KeyCode::Enter)), [check(&[("rules.object", "Магазин")])]);
    a.update(code(KeyCode::Enter));
    for c in "s3cret".chars() {
        a.update(key(c));
    }
    a.update(code(KeyCode::Enter));
    a.update(Action::DraftChecked { name: "Shop2".into(), props: form(&[]), valid: true, problems: Vec::new() });
    // The list's other events leave the form alone.
    a.update(Action::Event(crate::tui::fixtures::event(json!({ "type": "status", "status": { "name": "Shop", "state": "running" } }))));
    assert_eq!(a.mode, Mode::Draft);
    assert_eq!(
        a.update(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL).into_action()),
        [Effect::Create {
            name: "Shop2".into(),
            kind: kind.clone(),
            set: [("rules.object", "Магазин"), ("shopiko.key", "s3cret")].iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        }]
    );
    // Made: the form goes; the new server is selected when the daemon lists it.
    assert_eq!(a.update(Action::Created("Shop2".into())), []);
    assert!(a.draft.is_none() && a.mode == Mode::Main);
    let fx = a.update(Action::Event(crate::tui::fixtures::event(json!({ "type": "status", "status": { "name": "Shop2", "state": "stopped" } }))));
    assert_eq!(a.selected_name().as_deref(), Some("Shop2"));
    assert_eq!(fx, [Effect::LoadProperties("Shop2".into(), Lang::En)]);
}

#[test]
fn a_form_with_changes_asks_before_it_is_thrown_away() {
    let mut a = app();
    a.update(key('n'));
    a.update(Action::Kinds(vec![("K".into(), "K".into())]));
    a.update(key('z'));
    a.update(code(KeyCode::Enter));
    a.update(Action::DraftChecked { name: "z".into(), props: form(&["rules.object"]), valid: false, problems: Vec::new() });
    a.update(code(KeyCode::Down));
    a.update(code(KeyCode::Enter));
    a.update(code(KeyCode::Down));
    assert_eq!(
        a.update(code(KeyCode::Enter)),
        [Effect::CheckDraft { name: "z".into(), kind: "K".into(), set: [("rules.import".to_owned(), "never".to_owned())].into() }]
    );
    a.update(code(KeyCode::Esc));
    assert!(a.draft.as_ref().is_some_and(|d| d.asking_discard));
    a.update(key('n'));
    assert_eq!(a.mode, Mode::Draft, "kept");
    a.update(code(KeyCode::Esc));
    a.update(key('y'));
    assert!(a.draft.is_none() && a.mode == Mode::Main);
    // An untouched form goes at once.
    a.update(key('n'));
    a.update(Action::Kinds(vec![("K".into(), "K".into())]));
    a.update(key('z'));
    a.update(code(KeyCode::Enter));
    a.update(code(KeyCode::Esc));
    assert!(a.draft.is_none() && a.mode == Mode::Main);
}

trait IntoAction {
    fn into_action(self) -> Action;
}

impl IntoAction for KeyEvent {
    fn into_action(self) -> Action {
        Action::Key(self)
    }
}

#[test]
fn delete_asks_first_and_names_the_server() {
    let mut a = app();
    assert_eq!(a.update(key('d')), []);
    assert_eq!(a.mode, Mode::ConfirmDelete("Archive".into()));
    assert_eq!(a.update(key('n')), [], "no");
    assert_eq!(a.mode, Mode::Main);
    a.update(key('d'));
    assert_eq!(a.update(code(KeyCode::Enter)), [Effect::Delete("Archive".into())]);
}

#[test]
fn the_language_switches_at_run_time_and_reloads_the_grid() {
    let mut a = app();
    assert_eq!(a.update(key('L')), [Effect::LoadProperties("Archive".into(), Lang::Bg)]);
    assert_eq!(a.lang, Lang::Bg);
    // Round the three: Bulgarian, Polish, English again.
    assert_eq!(a.update(key('L')), [Effect::LoadProperties("Archive".into(), Lang::Pl)]);
    assert_eq!(a.lang, Lang::Pl);
    assert_eq!(a.update(key('L')), [Effect::LoadProperties("Archive".into(), Lang::En)]);
    assert_eq!(a.lang, Lang::En);
    assert_eq!(a.update(key('?')), []);
    assert_eq!(a.mode, Mode::Help);
    a.update(key('z'));
    assert_eq!(a.mode, Mode::Main);
}

/// A setting whose choices the account holds (an order status, say): opening its editor asks
/// the daemon for them, and the value is then picked by name, the file's own picked first.
#[test]
fn choices_the_account_holds_are_read_then_picked_by_name() {
    let mut a = app();
    let mut status = prop("rules.status_after_import", "string", "7", &[]);
    status.choices_from = Some("order_statuses".into());
    a.update(Action::Properties("Archive".into(), vec![status]));
    assert_eq!(a.update(key('e')), [Effect::LoadChoices { server: "Archive".into(), key: "rules.status_after_import".into() }]);
    a.update(Action::Choices {
        server: "Archive".into(),
        key: "rules.status_after_import".into(),
        choices: vec![("5".into(), "Нова".into()), ("7".into(), "Внесена в склада".into())],
    });
    assert!(matches!(&a.mode, Mode::Edit(v) if v.choice == 1), "the file's value picked: {:?}", a.mode);
    a.update(code(KeyCode::Up));
    assert_eq!(
        a.update(code(KeyCode::Enter)),
        [Effect::Save { server: "Archive".into(), key: "rules.status_after_import".into(), value: "5".into() }],
        "picked by its name, saved as its value"
    );
    // Read once: the editor opened again has them.
    a.update(code(KeyCode::Esc));
    a.mode = Mode::Main;
    assert_eq!(a.update(key('e')), [], "{:?}", a.props);
}

/// A setting that takes several of the account's choices (the statuses whose orders are
/// imported): the file's own are picked, by id or by name; Space picks or drops the one under
/// the cursor; Enter saves the picked values in the list's order, separated by commas; none
/// picked saves the empty text.
#[test]
fn several_choices_are_picked_with_space_and_saved_together() {
    let mut a = app();
    let mut statuses = prop("rules.import_statuses", "string", "1003, nowe zamówienia", &[]);
    statuses.choices_from = Some("order_statuses".into());
    statuses.multiple = true;
    a.update(Action::Properties("Archive".into(), vec![statuses]));
    assert_eq!(a.update(key('e')), [Effect::LoadChoices { server: "Archive".into(), key: "rules.import_statuses".into() }]);
    a.update(Action::Choices {
        server: "Archive".into(),
        key: "rules.import_statuses".into(),
        choices: vec![("1001".into(), "Nowe zamówienia".into()), ("1002".into(), "Wprowadzono".into()), ("1003".into(), "Błąd importu".into())],
    });
    assert!(matches!(&a.mode, Mode::Edit(v) if v.picked == [0, 2] && v.choice == 0), "the file's two, by name and by id: {:?}", a.mode);
    // Drop the first, pick the second.
    a.update(key(' '));
    a.update(code(KeyCode::Down));
    a.update(key(' '));
    assert!(matches!(&a.mode, Mode::Edit(v) if v.picked == [1, 2] && v.choice == 1), "{:?}", a.mode);
    assert_eq!(a.update(code(KeyCode::Enter)), [Effect::Save { server: "Archive".into(), key: "rules.import_statuses".into(), value: "1002, 1003".into() }]);
    // Opened again on a file with none: Space on each picked one drops it; Enter saves nothing picked.
    a.mode = Mode::Main;
    a.props[0].raw = "1002".into();
    a.update(key('e'));
    assert!(matches!(&a.mode, Mode::Edit(v) if v.picked == [1] && v.choice == 1), "{:?}", a.mode);
    a.update(key(' '));
    assert_eq!(a.update(code(KeyCode::Enter)), [Effect::Save { server: "Archive".into(), key: "rules.import_statuses".into(), value: String::new() }]);
}
