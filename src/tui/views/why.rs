//! "Why is order N not in Warehouse Pro?": a prompt for the order's number (or the order selected
//! in the quarantine), then its journey as the daemon tells it ([`crate::why`]).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::widgets::dialog;
use super::Outcome;
use crate::config::Lang;
use crate::i18n::Msg;
use crate::tui::state::{Effect, Mode};

/// The view: the number being typed, or the order asked about and its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct WhyView {
    /// Whose order.
    pub server: String,
    /// What is typed.
    pub input: String,
    /// The order asked about, once asked.
    pub asked: Option<String>,
    /// The journey, a sentence a line, or why it could not be told; None while the daemon looks.
    pub answer: Option<Result<Vec<String>, String>>,
}

impl WhyView {
    /// The prompt for an order of `server`.
    pub fn prompt(server: String) -> WhyView {
        WhyView { server, input: String::new(), asked: None, answer: None }
    }

    /// Asks at once about `order` (the quarantine's selected one).
    pub fn asking(server: String, order: String) -> Outcome {
        let v = WhyView { server: server.clone(), input: order.clone(), asked: Some(order.clone()), answer: None };
        Outcome::open(Mode::Why(Box::new(v)), vec![Effect::Why(server, order)])
    }

    /// The daemon's answer.
    pub fn answered(&mut self, order: &str, answer: Result<Vec<String>, String>) {
        if self.asked.as_deref() == Some(order) {
            self.answer = Some(answer);
        }
    }

    /// A key: typing, asking, another order, or back.
    pub fn key(&mut self, k: KeyEvent) -> Outcome {
        if self.asked.is_some() {
            return match k.code {
                KeyCode::Char('w') | KeyCode::Char('/') => {
                    *self = WhyView::prompt(self.server.clone());
                    Outcome::stay()
                }
                _ => Outcome::main(),
            };
        }
        match k.code {
            KeyCode::Esc => return Outcome::main(),
            KeyCode::Enter => {
                let order = self.input.trim().to_owned();
                if order.is_empty() {
                    return Outcome::stay();
                }
                self.asked = Some(order.clone());
                return Outcome::effects(vec![Effect::Why(self.server.clone(), order)]);
            }
            KeyCode::Backspace => {
                self.input.pop();
            }
            KeyCode::Char(c) if !c.is_control() && self.input.chars().count() < 64 => self.input.push(c),
            _ => {}
        }
        Outcome::stay()
    }
}

/// The view, over the main screen.
pub fn draw(f: &mut Frame, v: &WhyView, lang: Lang) {
    let area = f.area();
    let w = area.width.saturating_sub(6).min(110);
    let title = Msg::TuiWhyTitle.with(lang, &[("server", &v.server)]);
    let keys = |m: Msg| Line::from(Span::styled(m.get(lang).to_owned(), Style::new().fg(Color::Gray)));
    let mut lines = Vec::new();
    match (&v.asked, &v.answer) {
        (None, _) => {
            lines.push(Line::from(format!("{}{}▏", Msg::TuiWhyPrompt.get(lang), v.input)));
            lines.push(Line::from(""));
            lines.push(keys(Msg::TuiWhyKeys));
        }
        (Some(order), None) => {
            lines.push(Line::from(Msg::TuiWhyLooking.with(lang, &[("order", order)])));
        }
        (Some(_), Some(Ok(text))) => {
            lines.extend(text.iter().map(|l| Line::from(l.clone())));
            lines.push(Line::from(""));
            lines.push(keys(Msg::TuiWhyAnswerKeys));
        }
        (Some(_), Some(Err(e))) => {
            lines.push(Line::from(Span::styled(e.clone(), Style::new().fg(Color::Red))));
            lines.push(Line::from(""));
            lines.push(keys(Msg::TuiWhyAnswerKeys));
        }
    }
    // Each sentence may wrap: room for about two lines each.
    let inner = usize::from(w.saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let h = (rows as u16 + 2).min(area.height.saturating_sub(2));
    dialog(f, title, lines, w, h);
}
