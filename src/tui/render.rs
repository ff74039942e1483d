//! Drawing the state: a toolbar of actions with their keys, the servers on the left (state as a
//! symbol, a word and a colour), the selected server's properties on the right in its kind's
//! groups with the selected property's help, and a status bar. Every word from the catalogue.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row as TableRow, Table, Wrap};
use ratatui::Frame;

use super::state::{App, Mode};
use super::toolbar::{toolbar_height, toolbar_lines};
use super::views::widgets::{gauge, grid, popup, state_look};
use super::views::{edit, log, new, quarantine, runs, why, widgets};
use crate::control::protocol::ServerState;
use crate::control::status::{detail, when};
use crate::i18n::Msg;

/// Draws the whole screen.
pub fn draw(f: &mut Frame, app: &App) {
    let lang = app.lang;
    let toolbar_h = toolbar_height(lang, f.area().width);
    // The status bar: as many lines as its message needs (up to three), never cut.
    let status = widgets::wrap(status_line(app), usize::from(f.area().width), 1);
    let status_h = status.len().clamp(1, 3) as u16;
    let [top, body, bottom] = Layout::vertical([Constraint::Length(toolbar_h), Constraint::Min(3), Constraint::Length(status_h)]).areas(f.area());
    // The toolbar.
    let lines: Vec<Line> = toolbar_lines(lang, top.width)
        .into_iter()
        .map(|items| {
            let mut spans = Vec::new();
            for (k, label) in items {
                spans.push(Span::styled(k.to_string(), Style::new().fg(Color::Black).bg(Color::Gray).add_modifier(Modifier::BOLD)));
                spans.push(Span::raw(if label.is_empty() { " ".to_owned() } else { format!(" {label} ") }));
            }
            Line::from(spans)
        })
        .collect();
    f.render_widget(Paragraph::new(lines), top);

    match &app.mode {
        Mode::Log(v) => log::draw(f, v, lang, body),
        Mode::Runs(v) => runs::draw(f, v, lang, body),
        Mode::Quarantine(v) => quarantine::draw(f, v, lang, body),
        _ => {
            // A new server's form takes the wider side: its labels and help are the point.
            let form = app.draft.is_some() && (matches!(app.mode, Mode::Draft) || matches!(&app.mode, Mode::Edit(v) if v.draft));
            // Narrow, the list and the settings share the width.
            let list = if body.width < 100 { 50 } else { 55 };
            let split = if form {
                [Constraint::Percentage(35), Constraint::Percentage(65)]
            } else {
                [Constraint::Percentage(list), Constraint::Percentage(100 - list)]
            };
            let [left, right] = Layout::horizontal(split).areas(body);
            servers(f, app, left);
            match &app.draft {
                Some(d) if matches!(app.mode, Mode::Draft) || matches!(&app.mode, Mode::Edit(v) if v.draft) => new::draw_form(f, d, lang, right),
                _ => {
                    // A server that failed or waits to try again: its whole reason above its
                    // settings, wrapped (the list has room for its start only).
                    let problem = app.rows.get(app.selected).filter(|r| matches!(r.state(), "failed" | "retrying")).map(|r| {
                        let (symbol, word, colour) = state_look(r.state(), lang);
                        (format!("{symbol} {word}: {}", detail(Some(r.server_state()), lang, usize::MAX)), colour)
                    });
                    let right = match problem {
                        Some((text, colour)) => {
                            let lines = widgets::wrap(Line::from(text), usize::from(right.width.saturating_sub(2)), 0);
                            let h = (lines.len() as u16 + 2).min(right.height.saturating_sub(7).max(3));
                            let [top, rest] = Layout::vertical([Constraint::Length(h), Constraint::Min(3)]).areas(right);
                            f.render_widget(Paragraph::new(lines).style(Style::new().fg(colour)).block(Block::new().borders(Borders::ALL)), top);
                            rest
                        }
                        None => right,
                    };
                    grid(f, lang, app.props_of.clone().unwrap_or_default(), &app.props, app.prop_selected, None, right)
                }
            }
        }
    }

    f.render_widget(Paragraph::new(status), bottom);

    match app.mode {
        Mode::Main | Mode::Log(_) | Mode::Runs(_) => {}
        Mode::Draft => {
            if let Some(d) = &app.draft {
                new::draw_question(f, d, lang);
            }
        }
        Mode::New(ref v) => new::draw_name(f, v, lang),
        Mode::Quarantine(ref v) => quarantine::draw_question(f, v, lang),
        Mode::Why(ref v) => why::draw(f, v, lang),
        Mode::ConfirmQuit => popup(f, Msg::ActQuit.get(lang), &Msg::TuiQuitAsk.with(lang, &[("count", &app.active())])),
        Mode::Edit(ref v) => {
            if let Some(p) = app.edit_props(v.draft).get(v.prop) {
                edit::draw(f, v, p, lang);
            }
        }
        Mode::Checks(ref name, ref checks) => widgets::checks(f, name, checks.as_deref(), lang),
        Mode::ConfirmDelete(ref name) => popup(f, Msg::ActDelete.get(lang), &Msg::TuiAskDelete.with(lang, &[("server", name)])),
        Mode::Help => popup(f, Msg::ActHelp.get(lang), Msg::TuiHelpText.get(lang)),
    }
}

/// The status bar's line: the daemon, the counts, the language, and what was last said (a lost
/// daemon with the key that starts it again).
fn status_line(app: &App) -> Line<'static> {
    let lang = app.lang;
    let daemon = if app.connected {
        Span::styled(format!(" ● {} ", Msg::TuiConnected.get(lang)), Style::new().fg(Color::Green))
    } else {
        Span::styled(format!(" ○ {} ", Msg::TuiNotConnected.get(lang)), Style::new().fg(Color::Red))
    };
    let counts = Msg::TuiCounts.with(lang, &[("running", &app.running()), ("failed", &app.failed()), ("total", &app.rows.len())]);
    let lang_word = lang.short();
    let message = app.message.clone().or_else(|| app.lost.as_ref().map(|why| Msg::TuiLostEnter.with(lang, &[("why", why)]))).unwrap_or_default();
    Line::from(vec![daemon, Span::raw(format!("│ {counts} │ {lang_word} │ ")), Span::styled(message, Style::new().fg(Color::Yellow))])
}

fn servers(f: &mut Frame, app: &App, area: Rect) {
    let lang = app.lang;
    let rows: Vec<TableRow> = app
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (symbol, word, colour) = state_look(r.state(), lang);
            let c = r.0.counters.as_ref();
            let last = when(c.and_then(|c| c.last_success.max(c.last_failure)).as_ref(), lang).unwrap_or_default();
            let style = if i == app.selected { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
            // The whole reason: the table cuts it to its column.
            let mut detail_line = Line::from(detail(Some(r.server_state()), lang, usize::MAX));
            // A run whose total is known: a gauge before its words.
            if let ServerState::Running { done, total: Some(total), .. } = *r.server_state() {
                let mut spans = gauge(done, total, 8);
                spans.push(Span::raw(" "));
                spans.extend(detail_line.spans);
                detail_line = Line::from(spans);
            }
            let mut cells = vec![Line::from(r.name().to_owned()), Line::from(Span::styled(format!("{symbol} {word}"), Style::new().fg(colour))), detail_line];
            if area.width >= 70 {
                cells.push(Line::from(last));
            }
            TableRow::new(cells).style(style)
        })
        .collect();
    // The last run's column only where there is room for it (80 columns have none).
    let wide = area.width >= 70;
    let mut heads = vec![Msg::Name, Msg::ColState, Msg::ColDetail];
    if wide {
        heads.push(Msg::ColLastRun);
    }
    let header = TableRow::new(heads.into_iter().map(|m| m.get(lang).to_owned())).style(Style::new().add_modifier(Modifier::BOLD));
    let state_w = ["waiting", "running", "failed", "retrying", "stopped"]
        .iter()
        .map(|s| unicode_width::UnicodeWidthStr::width(state_look(s, lang).1.as_str()) as u16 + 2)
        .max()
        .unwrap_or(10);
    // The names as wide as the longest, but never so wide that the details (a retry's time, the
    // next run's) lose their start: those come first in a detail, and keep DETAIL_MIN cells.
    const DETAIL_MIN: u16 = 18;
    let inner = area.width.saturating_sub(2);
    let last_w = if wide { 12 } else { 0 };
    let name_w = app.rows.iter().map(|r| unicode_width::UnicodeWidthStr::width(r.name()) as u16).max().unwrap_or(4).max(4);
    let name_w = name_w.min(inner.saturating_sub(state_w + DETAIL_MIN + last_w + 2).max(6));
    let mut widths = vec![Constraint::Length(name_w), Constraint::Length(state_w), Constraint::Fill(1)];
    if wide {
        widths.push(Constraint::Length(11));
    }
    let title = Msg::TuiServers.get(lang);
    if app.rows.is_empty() {
        let text = if app.connected { Msg::TuiNoServers.get(lang) } else { Msg::TuiWaitingForDaemon.get(lang) };
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).block(Block::new().borders(Borders::ALL).title(title)), area);
        return;
    }
    f.render_widget(Table::new(rows, widths).header(header).block(Block::new().borders(Borders::ALL).title(title)), area);
}

#[cfg(test)]
mod tests {
    use super::super::state::{Action, Prop};
    use super::*;
    use crate::config::Lang;
    use crate::tui::toolbar::{toolbar_lines, toolbar_spans, TOOLBAR};
    use chrono::Local;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    use serde_json::json;

    use crate::tui::fixtures::screen;

    fn prop(group: &str, label: &str, value: &str, help: &str, ty: &str) -> Prop {
        Prop {
            group: group.into(),
            label: label.into(),
            value: value.into(),
            help: help.into(),
            key: label.into(),
            ty: ty.parse().unwrap(),
            raw: value.into(),
            choices_from: None,
            multiple: false,
            choices: Vec::new(),
            min: Some(1),
            max: Some(10_080),
            required: false,
            missing: false,
            error: None,
            one_of: Vec::new(),
        }
    }

    fn app(lang: Lang) -> App {
        let mut a = App::new(lang);
        a.update(Action::Connected(crate::tui::fixtures::entries(vec![
            json!({ "name": "Archive", "state": "stopped", "counters": {} }),
            json!({ "name": "Plovdiv", "state": "failed", "reason": "the database is down: Can't connect to server on '127.0.0.1'", "retry_at": null, "counters": {} }),
            json!({ "name": "Shopiko", "state": "running", "phase": "import", "done": 120, "total": 400, "counters": {} }),
            json!({ "name": "Sofia", "state": "waiting", "next": null, "counters": {} }),
        ])));
        let (g1, g3) = match lang {
            Lang::En => ("1.0 General", "3.0 Exchange rules"),
            Lang::Bg => ("1.0.Общи", "3.0.Правила за обмен"),
            Lang::Pl => ("1.0 Ogólne", "3.0 Zasady wymiany"),
        };
        a.update(Action::Properties(
            "Archive".into(),
            vec![
                prop(g1, "Server name", "Archive", "The server's name.", "string"),
                prop(g1, "Autostart", "No", "Start with the daemon.", "bool"),
                prop(g3, "Import every (minutes)", "15", "Minutes between the starts of two imports.", "integer"),
                prop(g3, "Object", "Централен Склад", "The Warehouse Pro object documents go to.", "string"),
            ],
        ));
        a
    }

    #[test]
    fn the_main_screen_with_every_state_in_every_language_and_two_sizes() {
        insta::assert_snapshot!("main_en_80x24", screen(&app(Lang::En), 80, 24));
        insta::assert_snapshot!("main_bg_80x24", screen(&app(Lang::Bg), 80, 24));
        insta::assert_snapshot!("main_pl_80x24", screen(&app(Lang::Pl), 80, 24));
        insta::assert_snapshot!("main_en_200x50", screen(&app(Lang::En), 200, 50));
    }

    #[test]
    fn the_quit_dialog_and_a_lost_daemon() {
        let mut a = app(Lang::En);
        a.update(Action::Key(crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char('q'), crossterm::event::KeyModifiers::NONE)));
        insta::assert_snapshot!("quit_en_80x24", screen(&a, 80, 24));
        let mut a = app(Lang::Bg);
        a.update(Action::Key(crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char('d'), crossterm::event::KeyModifiers::NONE)));
        insta::assert_snapshot!("delete_bg_80x24", screen(&a, 80, 24));
        let mut a = app(Lang::En);
        a.update(Action::Key(crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char('t'), crossterm::event::KeyModifiers::NONE)));
        a.update(Action::Checks(
            "Archive".into(),
            crate::tui::fixtures::checks(vec![
                json!({ "what": "Warehouse Pro database (sqlite)", "ok": true, "warning": false, "detail": "connected" }),
                json!({ "what": "Object 'Централен Склад'", "ok": false, "warning": false, "detail": "not found: the objects are 'Магазин'" }),
            ]),
        ));
        insta::assert_snapshot!("checks_en_80x24", screen(&a, 80, 24));
        // The grid in edit with an invalid value.
        let mut a = app(Lang::En);
        a.prop_selected = 2;
        for k in
            [crossterm::event::KeyCode::Enter, crossterm::event::KeyCode::Backspace, crossterm::event::KeyCode::Backspace, crossterm::event::KeyCode::Char('0')]
        {
            a.update(Action::Key(crossterm::event::KeyEvent::new(k, crossterm::event::KeyModifiers::NONE)));
        }
        insta::assert_snapshot!("edit_invalid_en_80x24", screen(&a, 80, 24));
        let mut a = app(Lang::Bg);
        a.update(Action::Lost("няма демон".into()));
        let s = screen(&a, 80, 24);
        assert!(s.contains("○") && s.contains("няма демон"), "{s}");
    }

    /// The log view scrolled to the top (g), the middle (a page down), the end (G) and to a search
    /// hit near the top: every row of its panel holds a line, none is left blank, and scrolling
    /// up further at the top moves nothing.
    #[test]
    fn the_log_view_at_its_top_middle_end_and_a_hit_near_the_top_has_no_blank_rows() {
        use crate::logs::{Level, Line as LogLine};
        let press = |a: &mut App, c: crossterm::event::KeyCode| a.update(Action::Key(crossterm::event::KeyEvent::new(c, crossterm::event::KeyModifiers::NONE)));
        let mut a = app(Lang::En);
        press(&mut a, crossterm::event::KeyCode::Char('l'));
        let at = chrono::TimeZone::with_ymd_and_hms(&Local, 2026, 12, 1, 9, 0, 0).unwrap().fixed_offset();
        let lines: Vec<LogLine> = (0..200)
            .map(|i| LogLine {
                ts: at + chrono::Duration::seconds(i),
                level: Level::Info,
                server: Some("Archive".into()),
                run: Some(4),
                event: "x".into(),
                msg: format!("Order SH-{} imported", 100 + i),
            })
            .collect();
        a.update(Action::LogLines("Archive".into(), lines));
        // The panel's rows: between the box's top border (under the toolbar) and the keys line.
        let toolbar = usize::from(toolbar_height(Lang::En, 80));
        let rows = |text: &str| -> Vec<String> { text.lines().skip(toolbar + 1).take(24 - toolbar - 4).map(str::to_owned).collect() };
        let full = |text: &str, what: &str| {
            for r in rows(text) {
                assert!(r.contains("SH-"), "{what}: a blank row in\n{text}");
            }
        };
        let _ = screen(&a, 80, 24);
        press(&mut a, crossterm::event::KeyCode::Char('g'));
        let top = screen(&a, 80, 24);
        full(&top, "top");
        assert!(rows(&top)[0].contains("SH-100 "), "the first line at the top:\n{top}");
        insta::assert_snapshot!("log_top_en_80x24", top);
        press(&mut a, crossterm::event::KeyCode::Up);
        press(&mut a, crossterm::event::KeyCode::PageUp);
        assert_eq!(screen(&a, 80, 24), top, "no further up than the top");
        press(&mut a, crossterm::event::KeyCode::Char(' '));
        let middle = screen(&a, 80, 24);
        full(&middle, "middle");
        assert!(!rows(&middle)[0].contains("SH-100 "), "{middle}");
        insta::assert_snapshot!("log_middle_en_80x24", middle);
        press(&mut a, crossterm::event::KeyCode::Char('G'));
        let end = screen(&a, 80, 24);
        full(&end, "end");
        assert!(rows(&end).last().unwrap().contains("SH-299 ") && end.contains("following"), "{end}");
        insta::assert_snapshot!("log_end_en_80x24", end);
        for c in "/sh-102".chars() {
            press(&mut a, crossterm::event::KeyCode::Char(c));
        }
        press(&mut a, crossterm::event::KeyCode::Enter);
        let hit = screen(&a, 80, 24);
        full(&hit, "a hit near the top");
        assert!(hit.contains("SH-102 "), "{hit}");
        insta::assert_snapshot!("log_hit_near_top_en_80x24", hit);
    }

    #[test]
    fn the_log_view_with_a_search_and_the_runs_view() {
        use crate::logs::{Level, Line as LogLine};
        let mut a = app(Lang::En);
        a.update(Action::Key(crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char('l'), crossterm::event::KeyModifiers::NONE)));
        // 09:00 in the machine's own zone, so the screen is the same in any.
        let at = chrono::TimeZone::with_ymd_and_hms(&Local, 2026, 12, 1, 9, 0, 0).unwrap().fixed_offset();
        let lines: Vec<LogLine> = (0..30)
            .map(|i| LogLine {
                ts: at + chrono::Duration::seconds(i),
                level: if i == 29 { Level::Error } else { Level::Info },
                server: Some("Archive".into()),
                run: Some(4),
                event: "x".into(),
                msg: format!("Поръчка SH-{} е внесена", 100 + i),
            })
            .collect();
        a.update(Action::LogLines("Archive".into(), lines));
        for c in "/sh-12".chars() {
            a.update(Action::Key(crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char(c), crossterm::event::KeyModifiers::NONE)));
        }
        a.update(Action::Key(crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Enter, crossterm::event::KeyModifiers::NONE)));
        insta::assert_snapshot!("log_search_en_80x24", screen(&a, 80, 24));
        // The matches are highlighted: "SH-12" on every line from SH-120 down.
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        t.draw(|f| draw(f, &a)).unwrap();
        let buf = t.backend().buffer().clone();
        let lit = (0..24).filter(|y| (0..80).any(|x| buf[(x, *y)].bg == Color::Yellow)).count();
        assert_eq!(lit, 9, "SH-120 ... SH-128 on screen");
        let mut a = app(Lang::Bg);
        a.update(Action::Key(crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char('r'), crossterm::event::KeyModifiers::NONE)));
        a.update(Action::Runs(
            "Archive".into(),
            crate::tui::fixtures::runs(vec![
                json!({ "id": 12, "outcome": "failed", "summary": { "counts": {}, "errors": [{ "message": "the database is down" }] } }),
                json!({ "id": 11, "outcome": "ok", "summary": { "counts": { "imported": 40, "exported": 120 } } }),
            ]),
        ));
        insta::assert_snapshot!("runs_bg_80x24", screen(&a, 80, 24));
        let mut a = app(Lang::En);
        a.update(Action::Key(crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char('u'), crossterm::event::KeyModifiers::NONE)));
        a.update(Action::Quarantined("Archive".into(), crate::tui::fixtures::quarantine(vec![json!({ "id": 4, "order_number": "SH-100026", "attempts": 2, "last_seen": null, "reason": "line 1: SKU 'X-404' is not a good in Warehouse Pro and nomenclature sync is off: make the good, or turn rules.sync_nomenclature on" })]),
        ));
        a.update(Action::Key(crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char('D'), crossterm::event::KeyModifiers::NONE)));
        insta::assert_snapshot!("quarantine_drop_en_80x24", screen(&a, 80, 24));
        // Why: the selected order's journey over the main screen, in Bulgarian, each sentence wrapped.
        let mut a = app(Lang::Bg);
        a.update(Action::Key(crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char('u'), crossterm::event::KeyModifiers::NONE)));
        a.update(Action::Quarantined("Archive".into(), crate::tui::fixtures::quarantine(vec![json!({ "id": 4, "order_number": "SH-100026" })])));
        a.update(Action::Key(crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char('w'), crossterm::event::KeyModifiers::NONE)));
        a.update(Action::Why {
            server: "Archive".into(),
            order: "SH-100026".into(),
            answer: Ok(vec![
                "Поръчка SH-100026 е в карантина, опитана 2 пъти (първо 2026-12-06 10:00:00 +02:00, последно 2026-12-06 10:05:00 +02:00): непознат артикул 'X-404'".into(),
                "Какво да направите: оправете причината по-горе в Склад Pro или в магазина; опитва се отново при всеки обмен или веднага с `obmen quarantine Archive retry SH-100026`.".into(),
                "Получена от магазина при обмен 12 в 2026-12-06 10:00:00 +02:00; SHA-256 3f1c0e4a9b.".into(),
            ]),
        });
        insta::assert_snapshot!("why_bg_80x24", screen(&a, 80, 24));
    }

    #[test]
    fn a_new_servers_name_and_kind_then_its_form_with_what_is_still_required_and_wrong() {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let press = |a: &mut App, c: KeyCode| {
            a.update(Action::Key(KeyEvent::new(c, KeyModifiers::NONE)));
        };
        for lang in [Lang::En, Lang::Bg] {
            let mut a = app(lang);
            press(&mut a, KeyCode::Char('n'));
            a.update(Action::Kinds(vec![("WarehousePro Import Export Shopiko".into(), "Warehouse Pro ↔ Shopiko".into())]));
            for c in "Варна".chars() {
                press(&mut a, KeyCode::Char(c));
            }
            let code = lang.code();
            insta::assert_snapshot!(format!("new_{code}_80x24"), screen(&a, 80, 24));
            press(&mut a, KeyCode::Enter);
            let (g1, g2) = match lang {
                Lang::En => ("1.0 General", "2.0 Database"),
                Lang::Bg => ("1.0.Общи", "2.0.База данни"),
                Lang::Pl => ("1.0 Ogólne", "2.0 Baza danych"),
            };
            let mut dialect = prop(g2, "Dialect", "", "Which database Warehouse Pro runs on.", "enum");
            dialect.missing = true;
            let mut timeout = prop(g2, "Login timeout (s)", "0", "Seconds to wait for the database.", "integer");
            timeout.error = Some("0 is out of range: use 1 to 300".into());
            a.update(Action::DraftChecked {
                name: "Варна".into(),
                props: vec![prop(g1, "Server name", "Варна", "The server's name.", "string"), dialect, timeout],
                valid: false,
                problems: Vec::new(),
            });
            press(&mut a, KeyCode::Down);
            press(&mut a, KeyCode::Down);
            insta::assert_snapshot!(format!("draft_{code}_80x24"), screen(&a, 80, 24));
        }
    }

    #[test]
    fn a_gauge_fills_in_proportion_and_never_past_its_width() {
        let text = |d, t| gauge(d, t, 8).iter().map(|s| s.content.to_string()).collect::<String>();
        assert_eq!(text(0, 400), "░░░░░░░░");
        assert_eq!(text(120, 400), "██░░░░░░");
        assert_eq!(text(400, 400), "████████");
        assert_eq!(text(999, 400), "████████", "more done than the total");
        assert_eq!(text(5, 0), "░░░░░░░░", "no total");
    }

    #[test]
    fn toolbar_spans_follow_the_labels_widths_and_fit_the_line() {
        for lang in Lang::ALL.iter().copied() {
            for width in [30u16, 40, 80, 120, 200] {
                let spans = toolbar_spans(lang, width);
                assert_eq!(spans.len(), TOOLBAR.len());
                assert_eq!((spans[0].0, spans[0].1), (0, 0));
                // Each after the one before on its line, or first on the next.
                assert!(spans.windows(2).all(|w| (w[1].0 == w[0].0 && w[1].1 == w[0].1 + w[0].2) || (w[1].0 == w[0].0 + 1 && w[1].1 == 0)));
                assert!(spans.iter().all(|(_, x, w)| x + w <= width || width < 30), "{lang:?} {width}: {spans:?}");
                assert!(spans.last().map(|s| s.0).unwrap() < 2, "at most two lines");
            }
            // From 80 columns every action keeps its word; at 200 on one line.
            for width in [80u16, 120, 200] {
                assert!(toolbar_lines(lang, width).iter().flatten().all(|(_, l)| !l.is_empty()), "{lang:?} {width}");
            }
            assert_eq!(toolbar_lines(lang, 200).len(), 1);
        }
        assert_eq!(toolbar_lines(Lang::Bg, 80).len(), 2, "Bulgarian's words take two lines at 80 columns");
        assert!(toolbar_lines(Lang::Bg, 30).iter().flatten().any(|(_, l)| l.is_empty()), "narrower than two lines hold: keys alone");
    }
}
