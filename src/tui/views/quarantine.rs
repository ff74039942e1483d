//! A server's orders set aside: each with its reason and tries; one is imported again now (R or
//! Enter) or dropped (D), each only after a confirmation; w tells the selected order's journey.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::widgets::popup;
use super::Outcome;
use crate::config::Lang;
use crate::control::protocol::QuarantineEntry;
use crate::control::status::when_text;
use crate::i18n::Msg;
use crate::tui::state::Effect;

/// What a confirmation asks for in the quarantine view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuarantineAsk {
    /// Import the selected order again now.
    Retry,
    /// Never import it.
    Drop,
}

/// A server's orders set aside, as the quarantine view shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarantineView {
    /// Whose.
    pub server: String,
    /// The entries.
    pub entries: Vec<QuarantineEntry>,
    /// The selected one.
    pub selected: usize,
    /// A question being asked.
    pub asking: Option<QuarantineAsk>,
}

impl QuarantineView {
    /// The quarantine of `server`, to be read.
    pub fn open(server: String) -> (QuarantineView, Effect) {
        (QuarantineView { server: server.clone(), entries: Vec::new(), selected: 0, asking: None }, Effect::LoadQuarantine(server))
    }

    /// The entries the daemon read.
    pub fn loaded(&mut self, entries: Vec<QuarantineEntry>) {
        self.entries = entries;
        self.selected = self.selected.min(self.entries.len().saturating_sub(1));
    }

    /// A key: moves, asks, confirms, or leaves.
    pub fn key(&mut self, k: KeyEvent) -> Outcome {
        let id = self.entries.get(self.selected).map(|e| e.id);
        if let Some(ask) = self.asking.take() {
            // Confirmed with Enter or y; anything else cancels.
            return match (k.code, id) {
                (KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('д'), Some(id)) => Outcome::effects(match ask {
                    QuarantineAsk::Retry => vec![Effect::Retry(self.server.clone(), id)],
                    QuarantineAsk::Drop => vec![Effect::Drop(self.server.clone(), id)],
                }),
                _ => Outcome::stay(),
            };
        }
        match k.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('u') => return Outcome::main(),
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => self.selected = (self.selected + 1).min(self.entries.len().saturating_sub(1)),
            KeyCode::Enter | KeyCode::Char('R') if id.is_some() => self.asking = Some(QuarantineAsk::Retry),
            KeyCode::Char('D') | KeyCode::Delete if id.is_some() => self.asking = Some(QuarantineAsk::Drop),
            KeyCode::Char('w') => {
                if let Some(e) = self.entries.get(self.selected) {
                    return super::why::WhyView::asking(self.server.clone(), e.order_number.clone());
                }
            }
            _ => {}
        }
        Outcome::stay()
    }
}

/// The view, drawn in `area`.
pub fn draw(f: &mut Frame, v: &QuarantineView, lang: Lang, area: Rect) {
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
        let tried = Msg::Tried.with(lang, &[("count", &e.attempts), ("when", &when_text(&e.last_seen, lang).unwrap_or_default())]);
        lines.push(Line::from(vec![
            Span::styled(format!("{:>4}  {}", e.id, e.order_number), style.add_modifier(Modifier::BOLD)),
            Span::raw(format!("  {tried}")),
        ]));
        // The reason wrapped under the order, between words, each row indented alike.
        let reason = Line::from(Span::styled(format!("      {}", e.reason), Style::new().fg(Color::Yellow)));
        let rows = super::widgets::wrap(reason, usize::from(list.width), 6);
        if i == v.selected {
            // The selected order with its whole reason in view.
            selected_line += rows.len();
        }
        lines.extend(rows);
    }
    let skip = selected_line.saturating_sub(usize::from(list.height).saturating_sub(1));
    f.render_widget(Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()), list);
}

/// The question being asked over the view, if one is.
pub fn draw_question(f: &mut Frame, v: &QuarantineView, lang: Lang) {
    let order = v.entries.get(v.selected).map(|e| e.order_number.as_str()).unwrap_or("");
    match v.asking {
        Some(QuarantineAsk::Retry) => popup(f, Msg::ActQuarantine.get(lang), &Msg::TuiAskRetry.with(lang, &[("order", &order)])),
        Some(QuarantineAsk::Drop) => popup(f, Msg::ActQuarantine.get(lang), &Msg::TuiAskDrop.with(lang, &[("order", &order)])),
        None => {}
    }
}
