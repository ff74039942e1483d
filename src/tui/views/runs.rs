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

/// The view, drawn in `area`.
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
    let rows: Vec<TableRow> = v
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            // The summary as stored: read by the one reading every obmen's runs have.
            let s = crate::kinds::RunSummary::from_stored(&r.summary).ok();
            let n = |f: fn(&crate::kinds::Counts) -> u64| s.as_ref().map(|s| f(&s.counts)).unwrap_or(0).to_string();
            let took = r.ended_at.map(|b| crate::i18n::seconds((b - r.started_at).num_milliseconds() as f64 / 1000.0, lang)).unwrap_or_default();
            let started = r.started_at.with_timezone(&Local).format("%d.%m %H:%M:%S").to_string();
            let outcome = Msg::outcome_word(r.outcome, lang).to_owned();
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
