//! A setting being changed: typed (checked as it is typed, by the parsers the files are read
//! with; a secret masked and never shown back) or picked from its choices.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::widgets::dialog;
use crate::config::profile::PropType;
use crate::config::Lang;
use crate::i18n::Msg;
use crate::tui::state::Prop;

/// A property being changed.
#[derive(Debug, Clone, PartialEq)]
pub struct EditView {
    /// Whose.
    pub server: String,
    /// Which property (its index in the grid).
    pub prop: usize,
    /// The text typed.
    pub input: String,
    /// For choices: the one under the cursor (picked, for a single choice).
    pub choice: usize,
    /// For several choices: those picked, by their place in the list.
    pub picked: Vec<usize>,
    /// Why the value cannot be saved, as typed or as the daemon said.
    pub error: Option<String>,
    /// A property of the new server's form ([`crate::tui::state::App::draft`]), not of a saved server.
    pub draft: bool,
}

impl EditView {
    /// The editor on property `prop` of a server's grid (or of the new server's form): the value
    /// as the file holds it (weekdays as the grid shows them, in the user's language: both are
    /// read back), or empty for a secret (never shown back); the current choice picked.
    pub fn open(server: String, prop: usize, p: &Prop, draft: bool) -> EditView {
        let input = match p.ty {
            _ if p.secret() => String::new(),
            crate::config::profile::PropType::Weekdays if !p.value.is_empty() => p.value.clone(),
            _ => p.raw.clone(),
        };
        let mut v = EditView { server, prop, input, choice: 0, picked: Vec::new(), error: None, draft };
        v.pick_from_file(p);
        v
    }

    /// Picks what the file holds: a choice named by its value or its label (any case; a file
    /// may name an account's status by name or id), several separated by commas.
    pub fn pick_from_file(&mut self, p: &Prop) {
        let names = |text: &str| -> Option<usize> {
            let text = text.trim().to_lowercase();
            p.choices.iter().position(|(v, l)| v.to_lowercase() == text || l.trim().to_lowercase() == text)
        };
        if p.multiple {
            self.picked = p.raw.split(',').filter_map(names).collect();
            self.picked.sort_unstable();
            self.picked.dedup();
            self.choice = self.picked.first().copied().unwrap_or(0);
        } else {
            self.choice = names(&p.raw).unwrap_or(0);
        }
    }
}

/// What a key in the editor asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Edited {
    /// Nothing yet.
    Nothing,
    /// Back, unchanged.
    Back,
    /// Save this value of a saved server's setting.
    Save {
        /// Whose.
        server: String,
        /// Which.
        key: String,
        /// As `--set` takes it.
        value: String,
    },
    /// Take this value into the new server's form (`cleared`: take the setting out).
    Draft {
        /// Which.
        key: String,
        /// The value.
        value: String,
        /// Taken back to its default.
        cleared: bool,
    },
}

impl EditView {
    /// A key: types, picks, or gives the value (checked) or up.
    pub fn key(&mut self, k: KeyEvent, p: &Prop, lang: Lang) -> Edited {
        let choices = !p.choices.is_empty();
        match k.code {
            KeyCode::Esc => return Edited::Back,
            KeyCode::Up if choices => self.choice = self.choice.checked_sub(1).unwrap_or(p.choices.len() - 1),
            KeyCode::Char(' ') if choices && p.multiple => match self.picked.iter().position(|i| *i == self.choice) {
                Some(at) => {
                    self.picked.remove(at);
                }
                None => {
                    self.picked.push(self.choice);
                    self.picked.sort_unstable();
                }
            },
            KeyCode::Down | KeyCode::Char(' ') if choices => self.choice = (self.choice + 1) % p.choices.len(),
            KeyCode::Enter => {
                let value = if choices && p.multiple {
                    // In the list's order; none picked: the empty text.
                    self.picked.iter().filter_map(|i| p.choices.get(*i).map(|(v, _)| v.as_str())).collect::<Vec<_>>().join(", ")
                } else if choices {
                    p.choices.get(self.choice).map(|(v, _)| v.clone()).unwrap_or_default()
                } else {
                    self.input.clone()
                };
                // In a new server's form an empty value takes the setting back to its default.
                let cleared = self.draft && value.is_empty() && !choices;
                if !choices && !cleared {
                    self.error = check_typed(p, &value, lang);
                }
                if self.error.is_some() && !cleared {
                    return Edited::Nothing;
                }
                if !self.draft {
                    return Edited::Save { server: self.server.clone(), key: p.key.clone(), value };
                }
                return Edited::Draft { key: p.key.clone(), value, cleared };
            }
            KeyCode::Backspace if !choices => {
                self.input.pop();
                self.error = check_typed(p, &self.input, lang);
            }
            KeyCode::Char(c) if !choices => {
                self.input.push(c);
                self.error = check_typed(p, &self.input, lang);
            }
            _ => {}
        }
        Edited::Nothing
    }
}

/// Checks a value as it is typed, by the same parsers the server files are read with.
pub fn check_typed(p: &Prop, text: &str, lang: Lang) -> Option<String> {
    use crate::config::schedule::{ClockTimes, TimeWindow, Weekdays};
    match p.ty {
        PropType::Integer => match text.trim().parse::<i64>() {
            Err(_) => Some(crate::i18n::Msg::NotWholeNumber.with(lang, &[("value", &text)])),
            Ok(n) if p.min.is_some_and(|m| n < m) || p.max.is_some_and(|m| n > m) => {
                Some(crate::i18n::Msg::OutOfRange.with(lang, &[("n", &n), ("min", &p.min.unwrap_or(i64::MIN)), ("max", &p.max.unwrap_or(i64::MAX))]))
            }
            Ok(_) => None,
        },
        PropType::TimeWindow => text.parse::<TimeWindow>().err(),
        PropType::Weekdays => text.parse::<Weekdays>().err(),
        PropType::ClockTimes => text.parse::<ClockTimes>().err(),
        _ => None,
    }
}

/// A property being changed: a pick list for choices, else the text (masked for secrets), the
/// help, and why the value cannot be saved.
pub fn draw(f: &mut Frame, v: &EditView, p: &Prop, lang: Lang) {
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(p.help.clone(), Style::new().fg(Color::Gray))), Line::from("")];
    if p.choices.is_empty() {
        let shown = if p.secret() { "•".repeat(v.input.chars().count()) } else { v.input.clone() };
        lines.push(Line::from(vec![Span::raw("> "), Span::styled(format!("{shown}▏"), Style::new().add_modifier(Modifier::BOLD))]));
    } else {
        for (i, (_, label)) in p.choices.iter().enumerate() {
            let style = if i == v.choice { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
            let mark = match (p.multiple, v.picked.contains(&i)) {
                (false, _) => "",
                (true, true) => "[x] ",
                (true, false) => "[ ] ",
            };
            lines.push(Line::from(Span::styled(format!("  {mark}{label}  "), style)));
        }
    }
    lines.push(Line::from(""));
    match &v.error {
        Some(e) => lines.push(Line::from(Span::styled(format!("✗ {e}"), Style::new().fg(Color::Red)))),
        None => {
            let keys = if p.multiple && !p.choices.is_empty() { Msg::TuiEditKeysMany } else { Msg::TuiEditKeys };
            lines.push(Line::from(Span::styled(keys.get(lang), Style::new().fg(Color::DarkGray))));
        }
    }
    let area = f.area();
    let w = area.width.saturating_sub(6).min(90);
    let h = (lines.len() as u16 + 6).min(area.height.saturating_sub(2));
    dialog(f, format!("{} · {}", v.server, p.label), lines, w, h);
}
