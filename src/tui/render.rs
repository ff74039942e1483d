//! Drawing the state: a toolbar of actions with their keys, the servers on the left (state as a
//! symbol, a word and a colour), the selected server's properties on the right in its kind's
//! groups with the selected property's help, and a status bar. Every word from the catalogue.

use chrono::Local;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row as TableRow, Table, Wrap};
use ratatui::Frame;

use super::state::{App, Mode, TOOLBAR};
use crate::config::Lang;
use crate::control::protocol::ServerState;
use crate::control::status::{detail, when, when_text};
use crate::i18n::Msg;

/// A state's symbol, word and colour: readable without colour too.
pub fn state_look(state: &str, lang: Lang) -> (&'static str, String, Color) {
    let (symbol, word, colour) = match state {
        "waiting" => ("◷", Msg::StateWaiting, Color::Green),
        "running" => ("▶", Msg::StateRunning, Color::Cyan),
        "failed" => ("✗", Msg::StateFailed, Color::Red),
        _ => ("■", Msg::StateStopped, Color::DarkGray),
    };
    (symbol, word.get(lang).to_owned(), colour)
}

/// The toolbar's items as shown in a width: "s Start " each, and where they do not all fit, the
/// last ones as their key alone ("? "), so that every action keeps its place on the line.
pub fn toolbar_items(lang: Lang, width: u16) -> Vec<(char, String)> {
    let full: Vec<(char, String)> = TOOLBAR.iter().map(|(k, m)| (*k, m.get(lang).to_owned())).collect();
    let w = |label: &str| unicode_width::UnicodeWidthStr::width(label) as u16 + 3;
    let mut total: u16 = full.iter().map(|(_, l)| w(l)).sum();
    let mut items = full;
    for i in (0..items.len()).rev() {
        if total <= width {
            break;
        }
        total -= w(&items[i].1) - 2;
        items[i].1.clear();
    }
    items
}

/// Where the toolbar's actions are on its line in a width: (start column, width) of each, for
/// mouse clicks.
pub fn toolbar_spans(lang: Lang, width: u16) -> Vec<(u16, u16)> {
    let mut x = 0u16;
    toolbar_items(lang, width)
        .iter()
        .map(|(_, label)| {
            let w = if label.is_empty() { 2 } else { unicode_width::UnicodeWidthStr::width(label.as_str()) as u16 + 3 };
            let span = (x, w);
            x += w;
            span
        })
        .collect()
}

/// A gauge `width` cells wide for `done` of `total`: filled cells, then empty ones (readable
/// without colour too).
pub fn gauge(done: u64, total: u64, width: u16) -> Vec<Span<'static>> {
    let filled = (done.min(total) * u64::from(width)).checked_div(total).unwrap_or(0) as usize;
    let empty = usize::from(width) - filled;
    vec![Span::styled("█".repeat(filled), Style::new().fg(Color::Cyan)), Span::styled("░".repeat(empty), Style::new().fg(Color::DarkGray))]
}

/// Draws the whole screen.
pub fn draw(f: &mut Frame, app: &App) {
    let lang = app.lang;
    let [top, body, bottom] = Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)]).areas(f.area());
    // The toolbar.
    let mut spans = Vec::new();
    for (k, label) in toolbar_items(lang, top.width) {
        spans.push(Span::styled(k.to_string(), Style::new().fg(Color::Black).bg(Color::Gray).add_modifier(Modifier::BOLD)));
        spans.push(Span::raw(if label.is_empty() { " ".to_owned() } else { format!(" {label} ") }));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), top);

    match &app.mode {
        Mode::Log(v) => log_view(f, v, lang, body),
        Mode::Runs(v) => runs_view(f, v, lang, body),
        Mode::Quarantine(v) => quarantine_view(f, v, lang, body),
        _ => {
            // A new server's form takes the wider side: its labels and help are the point.
            let form = app.draft.is_some() && (matches!(app.mode, Mode::Draft) || matches!(&app.mode, Mode::Edit(v) if v.draft));
            let split = if form { [Constraint::Percentage(35), Constraint::Percentage(65)] } else { [Constraint::Percentage(55), Constraint::Percentage(45)] };
            let [left, right] = Layout::horizontal(split).areas(body);
            servers(f, app, left);
            match &app.draft {
                Some(d) if matches!(app.mode, Mode::Draft) || matches!(&app.mode, Mode::Edit(v) if v.draft) => {
                    let title = Msg::TuiDraftTitle.with(lang, &[("server", &d.name), ("kind", &d.kind)]);
                    let keys = if d.valid {
                        format!("✓ {}   {}", Msg::TuiReady.get(lang), Msg::TuiDraftKeys.get(lang))
                    } else {
                        Msg::TuiDraftKeys.get(lang).to_owned()
                    };
                    grid(f, lang, title, &d.props, d.selected, Some(keys), right);
                }
                _ => grid(f, lang, app.props_of.clone().unwrap_or_default(), &app.props, app.prop_selected, None, right),
            }
        }
    }

    // The status bar.
    let daemon = if app.connected {
        Span::styled(format!(" ● {} ", Msg::TuiConnected.get(lang)), Style::new().fg(Color::Green))
    } else {
        Span::styled(format!(" ○ {} ", Msg::TuiNotConnected.get(lang)), Style::new().fg(Color::Red))
    };
    let counts = Msg::TuiCounts.with(lang, &[("running", &app.running()), ("failed", &app.failed()), ("total", &app.rows.len())]);
    let lang_word = lang.short();
    let message = app.message.clone().or_else(|| app.lost.clone()).unwrap_or_default();
    let line = Line::from(vec![daemon, Span::raw(format!("│ {counts} │ {lang_word} │ ")), Span::styled(message, Style::new().fg(Color::Yellow))]);
    f.render_widget(Paragraph::new(line), bottom);

    match app.mode {
        Mode::Main | Mode::Log(_) | Mode::Runs(_) => {}
        Mode::Draft => {
            if app.draft.as_ref().is_some_and(|d| d.asking_discard) {
                popup(f, Msg::ActNew.get(lang), Msg::TuiAskDiscard.get(lang));
            }
        }
        Mode::New(ref v) => new_popup(f, v, lang),
        Mode::Quarantine(ref v) => {
            let order = v.entries.get(v.selected).map(|e| e.order_number.as_str()).unwrap_or("");
            match v.asking {
                Some(super::state::QuarantineAsk::Retry) => popup(f, Msg::ActQuarantine.get(lang), &Msg::TuiAskRetry.with(lang, &[("order", &order)])),
                Some(super::state::QuarantineAsk::Drop) => popup(f, Msg::ActQuarantine.get(lang), &Msg::TuiAskDrop.with(lang, &[("order", &order)])),
                None => {}
            }
        }
        Mode::ConfirmQuit => popup(f, Msg::ActQuit.get(lang), &Msg::TuiQuitAsk.with(lang, &[("count", &app.running())])),
        Mode::Edit(ref v) => edit_popup(f, app, v),
        Mode::Checks(ref name, ref checks) => checks_popup(f, name, checks.as_deref(), lang),
        Mode::ConfirmDelete(ref name) => popup(f, Msg::ActDelete.get(lang), &Msg::TuiAskDelete.with(lang, &[("server", name)])),
        Mode::Help => popup(f, Msg::ActHelp.get(lang), Msg::TuiHelpText.get(lang)),
    }
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
            let last = when(c.and_then(|c| c.last_success.max(c.last_failure)).as_ref()).unwrap_or_default();
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
    let state_w = ["waiting", "running", "failed", "stopped"]
        .iter()
        .map(|s| unicode_width::UnicodeWidthStr::width(state_look(s, lang).1.as_str()) as u16 + 2)
        .max()
        .unwrap_or(10);
    let mut widths = vec![Constraint::Fill(2), Constraint::Length(state_w), Constraint::Fill(3)];
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

/// A server's properties as a grid in its kind's groups: label and value, a required one still
/// unset marked, one validation refused marked with the reason in the help box; the selected
/// one's help below. `keys` is a line of keys above the help (a new server's form).
fn grid(f: &mut Frame, lang: Lang, title: String, props: &[super::state::Prop], selected: usize, keys: Option<String>, area: Rect) {
    let block = Block::new().borders(Borders::ALL).title(title);
    if props.is_empty() {
        f.render_widget(Paragraph::new(keys.unwrap_or_default()).block(block), area);
        return;
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    let help_h = if keys.is_some() { 5 } else { 3 };
    let [rows_area, help] = Layout::vertical([Constraint::Min(1), Constraint::Length(help_h)]).areas(inner);
    let label_w = props.iter().map(|p| unicode_width::UnicodeWidthStr::width(p.label.as_str())).max().unwrap_or(10).min(usize::from(rows_area.width / 2));
    let mut lines: Vec<Line> = Vec::new();
    let mut last_group = String::new();
    let mut selected_line = 0usize;
    for (i, p) in props.iter().enumerate() {
        if p.group != last_group {
            last_group = p.group.clone();
            lines.push(Line::from(Span::styled(p.group.clone(), Style::new().add_modifier(Modifier::BOLD))));
        }
        if i == selected {
            selected_line = lines.len();
        }
        let style = if i == selected { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
        // Padded by display width: Cyrillic labels line up with Latin ones.
        let pad = label_w.saturating_sub(unicode_width::UnicodeWidthStr::width(p.label.as_str()));
        let mark = if p.error.is_some() {
            Span::styled("✗", Style::new().fg(Color::Red).add_modifier(Modifier::BOLD))
        } else if p.missing {
            Span::styled("*", Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD))
        } else {
            Span::raw(" ")
        };
        let value = if p.missing && p.value.is_empty() {
            Span::styled(format!("‹{}›", Msg::TuiRequired.get(lang)), Style::new().fg(Color::Yellow))
        } else if p.error.is_some() {
            Span::styled(p.value.clone(), Style::new().fg(Color::Red))
        } else {
            Span::raw(p.value.clone())
        };
        lines.push(Line::from(vec![mark, Span::raw(" "), Span::styled(format!("{}{} ", p.label, " ".repeat(pad)), style), value]));
    }
    // Scrolled so the selected property is in view.
    let height = usize::from(rows_area.height);
    let skip = selected_line.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
    f.render_widget(Paragraph::new(lines), rows_area);
    let mut help_lines = Vec::new();
    if let Some(k) = keys {
        help_lines.push(Line::from(Span::styled(k, Style::new().fg(Color::Cyan))));
    }
    if let Some(p) = props.get(selected) {
        if let Some(e) = &p.error {
            help_lines.push(Line::from(Span::styled(format!("✗ {e}"), Style::new().fg(Color::Red))));
        }
        help_lines.push(Line::from(Span::styled(p.help.clone(), Style::new().fg(Color::Gray))));
    }
    f.render_widget(Paragraph::new(help_lines).wrap(Wrap { trim: true }).block(Block::new().borders(Borders::TOP).title(Msg::ActHelp.get(lang))), help);
}

/// A new server's name (typed) and kind (picked from the daemon's).
fn new_popup(f: &mut Frame, v: &super::state::NewView, lang: Lang) {
    let focus = |on: bool| if on { Style::new().add_modifier(Modifier::BOLD).fg(Color::Cyan) } else { Style::new() };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{}: ", Msg::TuiNewName.get(lang)), focus(!v.on_kind)),
        Span::styled(format!("{}{}", v.name, if v.on_kind { "" } else { "▏" }), Style::new().add_modifier(Modifier::BOLD)),
    ])];
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(format!("{}:", Msg::TuiNewKind.get(lang)), focus(v.on_kind))));
    for (i, (kind, label)) in v.kinds.iter().enumerate() {
        let style = if i == v.kind { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
        lines.push(Line::from(Span::styled(format!("  {label} ({kind})  "), style)));
    }
    lines.push(Line::from(""));
    match &v.error {
        Some(e) => lines.push(Line::from(Span::styled(format!("✗ {e}"), Style::new().fg(Color::Red)))),
        None => lines.push(Line::from(Span::styled(Msg::TuiNewKeys.get(lang), Style::new().fg(Color::DarkGray)))),
    }
    let area = f.area();
    let w = area.width.saturating_sub(6).min(90);
    let h = (lines.len() as u16 + 4).min(area.height.saturating_sub(2));
    dialog(f, Msg::TuiNewTitle.get(lang).to_owned(), lines, w, h);
}

/// One log line as the view shows it, with the search highlighted.
fn log_line<'a>(l: &'a crate::logs::Line, search: &str) -> Line<'a> {
    let colour = match l.level {
        crate::logs::Level::Error => Color::Red,
        crate::logs::Level::Warn => Color::Yellow,
        _ => Color::Reset,
    };
    let head = format!("{} {:<5} {}", l.ts.with_timezone(&Local).format("%H:%M:%S"), l.level.as_str(), l.run.map(|r| format!("#{r} ")).unwrap_or_default());
    let mut spans = vec![Span::styled(head, Style::new().fg(Color::DarkGray))];
    let msg = l.msg.as_str();
    if search.is_empty() {
        spans.push(Span::styled(msg, Style::new().fg(colour)));
        return Line::from(spans);
    }
    // Matches found case-insensitively, by characters (Cyrillic is two bytes a letter).
    let lower: Vec<char> = msg.chars().flat_map(char::to_lowercase).collect();
    let needle: Vec<char> = search.chars().flat_map(char::to_lowercase).collect();
    let chars: Vec<char> = msg.chars().collect();
    if lower.len() != chars.len() {
        spans.push(Span::styled(msg, Style::new().fg(colour)));
        return Line::from(spans);
    }
    let mut i = 0;
    let mut plain = String::new();
    while i < chars.len() {
        if !needle.is_empty() && lower.get(i..i + needle.len()) == Some(needle.as_slice()) {
            if !plain.is_empty() {
                spans.push(Span::styled(std::mem::take(&mut plain), Style::new().fg(colour)));
            }
            spans.push(Span::styled(chars[i..i + needle.len()].iter().collect::<String>(), Style::new().fg(Color::Black).bg(Color::Yellow)));
            i += needle.len();
        } else {
            plain.push(chars[i]);
            i += 1;
        }
    }
    if !plain.is_empty() {
        spans.push(Span::styled(plain, Style::new().fg(colour)));
    }
    Line::from(spans)
}

fn log_view(f: &mut Frame, v: &super::state::LogView, lang: Lang, area: Rect) {
    let mut title = Msg::TuiLogTitle.with(lang, &[("server", &v.server)]);
    if let Some(l) = v.level {
        title.push_str(&format!(" · {}", Msg::TuiLogLevel.with(lang, &[("level", &l.as_str())])));
    }
    if let Some(r) = v.run {
        title.push_str(&format!(" · {}", Msg::TuiLogRun.with(lang, &[("run", &r)])));
    }
    if v.offset == 0 {
        title.push_str(&format!(" · {}", Msg::TuiLogFollowing.get(lang)));
    }
    let block = Block::new().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [text, keys] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let height = usize::from(text.height);
    let end = v.lines.len().saturating_sub(v.offset);
    let start = end.saturating_sub(height);
    let lines: Vec<Line> = v.lines.get(start..end).unwrap_or_default().iter().map(|l| log_line(l, &v.search)).collect();
    f.render_widget(Paragraph::new(lines), text);
    let bottom = if v.typing { format!("/{}▏", v.search) } else { Msg::TuiLogKeys.get(lang).to_owned() };
    f.render_widget(Paragraph::new(bottom).style(Style::new().fg(Color::Gray)), keys);
}

fn runs_view(f: &mut Frame, v: &super::state::RunsView, lang: Lang, area: Rect) {
    let block = Block::new().borders(Borders::ALL).title(Msg::TuiRunsTitle.with(lang, &[("server", &v.server)]));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [table, keys] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    f.render_widget(Paragraph::new(Msg::TuiRunsKeys.get(lang)).style(Style::new().fg(Color::Gray)), keys);
    if v.runs.is_empty() {
        f.render_widget(Paragraph::new(Msg::TuiNoRuns.get(lang)), table);
        return;
    }
    let rows: Vec<TableRow> = v
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            // The summary as stored: read by the one reading every obmen's runs have.
            let s = crate::kinds::RunSummary::from_stored(&r.summary).ok();
            let n = |f: fn(&crate::kinds::Counts) -> u64| s.as_ref().map(|s| f(&s.counts)).unwrap_or(0).to_string();
            let took = r.ended_at.map(|b| format!("{:.1} s", (b - r.started_at).num_milliseconds() as f64 / 1000.0)).unwrap_or_default();
            let started = r.started_at.with_timezone(&Local).format("%d.%m %H:%M:%S").to_string();
            let outcome = r.outcome.as_str().to_owned();
            let colour = match r.outcome {
                crate::state::Outcome::Ok => Color::Green,
                crate::state::Outcome::Partial => Color::Yellow,
                crate::state::Outcome::Failed | crate::state::Outcome::Interrupted => Color::Red,
                _ => Color::Reset,
            };
            let style = if i == v.selected { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
            TableRow::new(vec![
                Line::from(r.id.to_string()),
                Line::from(started),
                Line::from(took),
                Line::from(Span::styled(outcome, Style::new().fg(colour))),
                Line::from(n(|c| c.imported)),
                Line::from(n(|c| c.set_aside)),
                Line::from(n(|c| c.exported)),
                Line::from(s.as_ref().and_then(|s| s.errors.first()).map(|e| e.message.clone()).unwrap_or_default()),
            ])
            .style(style)
        })
        .collect();
    let header = TableRow::new(
        [Msg::ColRun, Msg::ColStarted, Msg::ColTook, Msg::ColOutcome, Msg::ColImported, Msg::ColSetAside, Msg::ColExported, Msg::ColError]
            .map(|m| m.get(lang).to_owned()),
    )
    .style(Style::new().add_modifier(Modifier::BOLD));
    let widths = [
        Constraint::Length(6),
        Constraint::Length(15),
        Constraint::Length(8),
        Constraint::Length(12),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Length(10),
        Constraint::Fill(1),
    ];
    let skip = v.selected.saturating_sub(usize::from(table.height).saturating_sub(2));
    let rows: Vec<TableRow> = rows.into_iter().skip(skip).collect();
    f.render_widget(Table::new(rows, widths).header(header), table);
}

fn quarantine_view(f: &mut Frame, v: &super::state::QuarantineView, lang: Lang, area: Rect) {
    let block = Block::new().borders(Borders::ALL).title(Msg::TuiQuarantineTitle.with(lang, &[("server", &v.server)]));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [list, keys] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    f.render_widget(Paragraph::new(Msg::TuiQuarantineKeys.get(lang)).style(Style::new().fg(Color::Gray)), keys);
    if v.entries.is_empty() {
        f.render_widget(Paragraph::new(Msg::NothingSetAside.with(lang, &[("server", &v.server)])), list);
        return;
    }
    let mut lines = Vec::new();
    let mut selected_line = 0;
    for (i, e) in v.entries.iter().enumerate() {
        let style = if i == v.selected { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
        if i == v.selected {
            selected_line = lines.len();
        }
        let tried = Msg::Tried.with(lang, &[("count", &e.attempts), ("when", &when_text(&e.last_seen).unwrap_or_default())]);
        lines.push(Line::from(vec![
            Span::styled(format!("{:>4}  {}", e.id, e.order_number), style.add_modifier(Modifier::BOLD)),
            Span::raw(format!("  {tried}")),
        ]));
        lines.push(Line::from(Span::styled(format!("      {}", e.reason), Style::new().fg(Color::Yellow))));
    }
    let skip = selected_line.saturating_sub(usize::from(list.height).saturating_sub(2));
    f.render_widget(Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()).wrap(Wrap { trim: false }), list);
}

/// A property being changed: a pick list for choices, else the text (masked for secrets), the
/// help, and why the value cannot be saved.
fn edit_popup(f: &mut Frame, app: &App, v: &super::state::EditView) {
    let lang = app.lang;
    let Some(p) = app.edit_props(v.draft).get(v.prop) else { return };
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(p.help.clone(), Style::new().fg(Color::Gray))), Line::from("")];
    if p.choices.is_empty() {
        let shown = if p.secret() { "•".repeat(v.input.chars().count()) } else { v.input.clone() };
        lines.push(Line::from(vec![Span::raw("> "), Span::styled(format!("{shown}▏"), Style::new().add_modifier(Modifier::BOLD))]));
    } else {
        for (i, (_, label)) in p.choices.iter().enumerate() {
            let style = if i == v.choice { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
            lines.push(Line::from(Span::styled(format!("  {label}  "), style)));
        }
    }
    lines.push(Line::from(""));
    match &v.error {
        Some(e) => lines.push(Line::from(Span::styled(format!("✗ {e}"), Style::new().fg(Color::Red)))),
        None => lines.push(Line::from(Span::styled(Msg::TuiEditKeys.get(lang), Style::new().fg(Color::DarkGray)))),
    }
    let area = f.area();
    let w = area.width.saturating_sub(6).min(90);
    let h = (lines.len() as u16 + 6).min(area.height.saturating_sub(2));
    dialog(f, format!("{} · {}", v.server, p.label), lines, w, h);
}

/// The connection tests, each a green or red square with what was found or what is wrong.
fn checks_popup(f: &mut Frame, server: &str, checks: Option<&[crate::kinds::Check]>, lang: Lang) {
    let area = f.area();
    let w = area.width.saturating_sub(6).min(100);
    let lines: Vec<Line> = match checks {
        None => vec![Line::from(Msg::TuiTesting.get(lang).to_owned())],
        Some(cs) => cs
            .iter()
            .map(|c| {
                let colour = match (c.ok, c.warning) {
                    (true, true) => Color::Yellow,
                    (true, false) => Color::Green,
                    (false, _) => Color::Red,
                };
                Line::from(vec![
                    Span::styled("■ ", Style::new().fg(colour)),
                    Span::styled(format!("{}: ", c.what), Style::new().add_modifier(Modifier::BOLD)),
                    Span::raw(c.detail.clone()),
                ])
            })
            .collect(),
    };
    let h = (lines.len() as u16 * 2 + 3).min(area.height.saturating_sub(2));
    dialog(f, Msg::TuiChecksTitle.with(lang, &[("server", &server)]), lines, w, h);
}

fn popup(f: &mut Frame, title: &str, text: &str) {
    let area = f.area();
    let w = area.width.saturating_sub(8).min(64);
    let h = (text.lines().count() as u16 + 4).min(area.height.saturating_sub(2));
    dialog(f, title.to_owned(), text.lines().map(|l| Line::from(l.to_owned())).collect(), w, h);
}

/// A bordered box of `w` by `h` in the middle of the screen, over what is under it.
fn dialog(f: &mut Frame, title: String, lines: Vec<Line>, w: u16, h: u16) {
    let area = f.area();
    let rect = Rect { x: area.x + (area.width.saturating_sub(w)) / 2, y: area.y + (area.height.saturating_sub(h)) / 2, width: w, height: h };
    f.render_widget(Clear, rect);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(Block::new().borders(Borders::ALL).title(title)), rect);
}

#[cfg(test)]
mod tests {
    use super::super::state::{Action, Prop};
    use super::*;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    use serde_json::json;

    fn screen(app: &App, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| draw(f, app)).unwrap();
        let buf = t.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..h {
            let mut line = String::new();
            let mut x = 0;
            while x < w {
                let cell = &buf[(x, y)];
                line.push_str(cell.symbol());
                x += 1;
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    fn prop(group: &str, label: &str, value: &str, help: &str, ty: &str) -> Prop {
        Prop {
            group: group.into(),
            label: label.into(),
            value: value.into(),
            help: help.into(),
            key: label.into(),
            ty: ty.parse().unwrap(),
            raw: value.into(),
            choices: Vec::new(),
            min: Some(1),
            max: Some(10_080),
            required: false,
            missing: false,
            error: None,
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
    fn the_main_screen_with_every_state_in_both_languages_and_two_sizes() {
        insta::assert_snapshot!("main_en_80x24", screen(&app(Lang::En), 80, 24));
        insta::assert_snapshot!("main_bg_80x24", screen(&app(Lang::Bg), 80, 24));
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
        for lang in [Lang::En, Lang::Bg] {
            for width in [40u16, 80, 200] {
                let spans = toolbar_spans(lang, width);
                assert_eq!(spans.len(), TOOLBAR.len());
                assert_eq!(spans[0].0, 0);
                assert!(spans.windows(2).all(|w| w[1].0 == w[0].0 + w[0].1));
                let end = spans.last().map(|(x, w)| x + w).unwrap();
                assert!(end <= width || width < 40, "{lang:?} {width}: {end}");
            }
        }
        // At 200 columns every label is shown.
        assert!(toolbar_items(Lang::Bg, 200).iter().all(|(_, l)| !l.is_empty()));
        assert!(toolbar_items(Lang::Bg, 80).iter().any(|(_, l)| l.is_empty()));
    }
}
