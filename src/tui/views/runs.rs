//! A server's run history: each run's start, time, outcome and counts, and its first error;
//! Enter opens that run's log lines.

use chrono::Local;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row as TableRow, Table};
use ratatui::Frame;

use super::log::LogView;
use super::Outcome;
use crate::config::Lang;
use crate::control::protocol::RunRecord;
use crate::i18n::Msg;
use crate::tui::state::{Effect, Mode};

/// A server's run history, as the runs view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunsView {
    /// Whose.
    pub server: String,
    /// The runs, newest first.
    pub runs: Vec<RunRecord>,
    /// The selected one.
    pub selected: usize,
}

impl RunsView {
    /// The runs of `server`, to be read.
    pub fn open(server: String) -> (RunsView, Effect) {
        (RunsView { server: server.clone(), runs: Vec::new(), selected: 0 }, Effect::LoadRuns(server))
    }

    /// The runs the daemon read.
    pub fn loaded(&mut self, runs: Vec<RunRecord>) {
        self.runs = runs;
        self.selected = self.selected.min(self.runs.len().saturating_sub(1));
    }

    /// A key: moves, opens a run's log lines, or leaves.
    pub fn key(&mut self, k: KeyEvent) -> Outcome {
        match k.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('r') => return Outcome::main(),
            KeyCode::Char('w') => return Outcome::open(crate::tui::state::Mode::Why(Box::new(super::why::WhyView::prompt(self.server.clone()))), Vec::new()),
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => self.selected = (self.selected + 1).min(self.runs.len().saturating_sub(1)),
            KeyCode::Enter => {
                // That run's log lines.
                let run = self.runs.get(self.selected).map(|r| r.id);
                let view = LogView::new(self.server.clone(), run);
                let fx = vec![view.load()];
                return Outcome::open(Mode::Log(Box::new(view)), fx);
            }
            _ => {}
        }
        Outcome::stay()
    }
}

/// The view, drawn in `area`: every column as wide as its header or its widest value, so that
/// no header is cut; the error column where there is room for it, and the selected run's error
/// below the table, whole.
pub fn draw(f: &mut Frame, v: &RunsView, lang: Lang, area: Rect) {
    let block = Block::new().borders(Borders::ALL).title(Msg::TuiRunsTitle.with(lang, &[("server", &v.server)]));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [table, keys] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    f.render_widget(Paragraph::new(Msg::TuiRunsKeys.get(lang)).style(Style::new().fg(Color::Gray)), keys);
    if v.runs.is_empty() {
        f.render_widget(Paragraph::new(Msg::TuiNoRuns.get(lang)), table);
        return;
    }
    let day = match lang {
        Lang::En => "%b %d %H:%M:%S",
        _ => "%d.%m %H:%M:%S",
    };
    let rows: Vec<(Vec<String>, crate::state::Outcome, String)> = v
        .runs
        .iter()
        .map(|r| {
            // The summary as stored: read by the one reading every obmen's runs have.
            let s = crate::kinds::RunSummary::from_stored(&r.summary).ok();
            let n = |f: fn(&crate::kinds::Counts) -> u64| s.as_ref().map(|s| f(&s.counts)).unwrap_or(0).to_string();
            let took = r.ended_at.map(|b| crate::i18n::seconds((b - r.started_at).num_milliseconds() as f64 / 1000.0, lang)).unwrap_or_default();
            let cells = vec![
                r.id.to_string(),
                r.started_at.with_timezone(&Local).format(day).to_string(),
                took,
                Msg::outcome_word(r.outcome, lang).to_owned(),
                n(|c| c.imported),
                n(|c| c.set_aside),
                n(|c| c.exported),
            ];
            let error = s.as_ref().and_then(|s| s.errors.first()).map(|e| e.message.clone()).unwrap_or_default();
            (cells, r.outcome, error)
        })
        .collect();
    let heads =
        [Msg::ColRun, Msg::ColStarted, Msg::ColTook, Msg::ColOutcome, Msg::ColImported, Msg::ColSetAside, Msg::ColExported].map(|m| m.get(lang).to_owned());
    let width = |t: &str| unicode_width::UnicodeWidthStr::width(t) as u16;
    let widths: Vec<u16> = (0..heads.len()).map(|i| rows.iter().map(|(c, _, _)| width(&c[i])).chain([width(&heads[i])]).max().unwrap_or(1)).collect();
    let used: u16 = widths.iter().sum::<u16>() + widths.len() as u16;
    // The error's column where it has room for a sentence's start; else below, whole.
    let room = table.width.saturating_sub(used);
    let beside = room >= 24;
    let selected_error = rows.get(v.selected).map(|(_, _, e)| e.clone()).unwrap_or_default();
    // The selected run's error whole below the table (the column, where there is one, cuts it).
    let (table, below) = if selected_error.is_empty() {
        (table, None)
    } else {
        let error = Line::from(Span::styled(selected_error, Style::new().fg(Color::Red)));
        let lines = super::widgets::wrap(error, usize::from(table.width), 0);
        let h = (lines.len() as u16 + 1).min(table.height / 2);
        let [t, b] = Layout::vertical([Constraint::Min(1), Constraint::Length(h)]).areas(table);
        (t, Some((b, lines)))
    };
    let table_rows: Vec<TableRow> = rows
        .iter()
        .enumerate()
        .map(|(i, (cells, outcome, error))| {
            let colour = match outcome {
                crate::state::Outcome::Ok => Color::Green,
                crate::state::Outcome::Partial => Color::Yellow,
                crate::state::Outcome::Failed | crate::state::Outcome::Interrupted => Color::Red,
                _ => Color::Reset,
            };
            let style = if i == v.selected { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
            let mut line: Vec<Line> = cells
                .iter()
                .enumerate()
                .map(|(j, c)| if j == 3 { Line::from(Span::styled(c.clone(), Style::new().fg(colour))) } else { Line::from(c.clone()) })
                .collect();
            if beside {
                line.push(Line::from(error.clone()));
            }
            TableRow::new(line).style(style)
        })
        .collect();
    let mut head = heads.to_vec();
    let mut constraints: Vec<Constraint> = widths.iter().map(|w| Constraint::Length(*w)).collect();
    if beside {
        head.push(Msg::ColError.get(lang).to_owned());
        constraints.push(Constraint::Fill(1));
    }
    let header = TableRow::new(head).style(Style::new().add_modifier(Modifier::BOLD));
    let skip = v.selected.saturating_sub(usize::from(table.height).saturating_sub(2));
    let table_rows: Vec<TableRow> = table_rows.into_iter().skip(skip).collect();
    f.render_widget(Table::new(table_rows, constraints).header(header), table);
    if let Some((area, lines)) = below {
        let mut text = vec![Line::from(Span::styled(Msg::ColError.get(lang).to_owned(), Style::new().add_modifier(Modifier::BOLD)))];
        text.extend(lines);
        f.render_widget(Paragraph::new(text), area);
    }
}
