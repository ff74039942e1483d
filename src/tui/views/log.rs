//! A server's log: the newest lines read from the end of its files, followed as they come,
//! scrolled, searched and filtered by level; scrolling above the first line loaded asks for
//! twice as many.

use chrono::Local;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::Outcome;
use crate::config::Lang;
use crate::i18n::Msg;
use crate::tui::state::Effect;

/// How many lines a page of the log view scrolls.
pub const PAGE: usize = 20;

/// A server's log, as the log view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogView {
    /// Whose.
    pub server: String,
    /// The lines, oldest first (the newest at the bottom).
    pub lines: Vec<crate::logs::Line>,
    /// How many lines up from the bottom the view is scrolled (0: at the end, following).
    pub offset: usize,
    /// The text searched for (highlighted), if any.
    pub search: String,
    /// True while the search is being typed.
    pub typing: bool,
    /// Only lines of this level or above.
    pub level: Option<crate::logs::Level>,
    /// Only the lines of this run.
    pub run: Option<i64>,
    /// How many of the newest lines were asked for: scrolling above the first of them asks for
    /// twice as many (read from the end again, never the whole file).
    pub asked: usize,
    /// How many lines the last drawing showed at once: the view scrolls up only as far as puts
    /// the first line loaded at the top of a full panel, never past it into blank rows.
    pub page: std::cell::Cell<usize>,
}

impl LogView {
    /// The view of a server's log (of one run's lines where `run` is given).
    pub fn new(server: String, run: Option<i64>) -> LogView {
        LogView {
            server,
            lines: Vec::new(),
            offset: 0,
            search: String::new(),
            typing: false,
            level: None,
            run,
            asked: LogView::LOAD,
            page: std::cell::Cell::new(1),
        }
    }

    /// The lines loaded when the view opens (more are read from the end as they come).
    pub const LOAD: usize = 2000;

    /// The most lines the view asks for (the API's own limit).
    pub const MOST: usize = 100_000;

    /// The effect that reads the lines the view asks for.
    pub fn load(&self) -> Effect {
        Effect::LoadLog { server: self.server.clone(), level: self.level, run: self.run, n: self.asked }
    }

    /// The furthest up the view scrolls: the first line loaded at the top of a full panel.
    pub fn top(&self) -> usize {
        self.lines.len().saturating_sub(self.page.get().max(1))
    }

    /// At the first line loaded, with older ones perhaps still in the files: asks for more.
    fn older(&mut self) -> Vec<Effect> {
        let at_top = self.offset >= self.top();
        if at_top && self.lines.len() >= self.asked && self.asked < LogView::MOST {
            self.asked = (self.asked * 2).min(LogView::MOST);
            return vec![self.load()];
        }
        Vec::new()
    }
}

impl LogView {
    /// A line the daemon just wrote: kept where it is this view's (server, level, run).
    pub fn push(&mut self, line: &crate::logs::Line) {
        let passes =
            line.server.as_deref() == Some(self.server.as_str()) && self.level.is_none_or(|l| line.level >= l) && self.run.is_none_or(|r| line.run == Some(r));
        if !passes {
            return;
        }
        self.lines.push(line.clone());
        // Scrolled up: the view stays on the same lines.
        if self.offset > 0 {
            self.offset += 1;
        }
        // Followed for days, the view keeps what it asked for and a little more.
        if self.lines.len() > self.asked + 2 * LogView::LOAD {
            let extra = self.lines.len() - self.asked;
            self.lines.drain(..extra);
            self.offset = self.offset.min(self.top());
        }
    }

    /// The lines the daemon read for this view.
    pub fn loaded(&mut self, lines: Vec<crate::logs::Line>) {
        self.lines = lines;
        self.offset = self.offset.min(self.top());
    }

    /// A key: scrolls, searches, filters, or leaves.
    pub fn key(&mut self, k: KeyEvent, lang: Lang) -> Outcome {
        let last = self.top();
        if self.typing {
            match k.code {
                KeyCode::Enter => {
                    self.typing = false;
                    return self.next_match(lang);
                }
                KeyCode::Esc => {
                    self.typing = false;
                    self.search.clear();
                }
                KeyCode::Backspace => {
                    self.search.pop();
                }
                KeyCode::Char(c) => self.search.push(c),
                _ => {}
            }
            return Outcome::stay();
        }
        match k.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('l') => return Outcome::main(),
            KeyCode::Up | KeyCode::Char('k') => {
                let fx = if self.offset == last { self.older() } else { Vec::new() };
                self.offset = (self.offset + 1).min(last);
                return Outcome::effects(fx);
            }
            KeyCode::Down | KeyCode::Char('j') => self.offset = self.offset.saturating_sub(1),
            KeyCode::PageUp | KeyCode::Home | KeyCode::Char('g') => {
                let fx = if self.offset == last { self.older() } else { Vec::new() };
                self.offset = if k.code == KeyCode::PageUp { (self.offset + PAGE).min(last) } else { last };
                return Outcome::effects(fx);
            }
            KeyCode::PageDown | KeyCode::Char(' ') => self.offset = self.offset.saturating_sub(PAGE),
            KeyCode::End | KeyCode::Char('G') => self.offset = 0,
            KeyCode::Char('/') => {
                self.typing = true;
                self.search.clear();
            }
            KeyCode::Char('n') => return self.next_match(lang),
            KeyCode::Char('e') => {
                // All, then warnings and errors, then errors only.
                use crate::logs::Level;
                self.level = match self.level {
                    None => Some(Level::Warn),
                    Some(Level::Warn) => Some(Level::Error),
                    _ => None,
                };
                self.offset = 0;
                return Outcome::effects(vec![self.load()]);
            }
            _ => {}
        }
        Outcome::stay()
    }

    /// Scrolls up to the next line above the view's bottom that holds the search.
    fn next_match(&mut self, lang: Lang) -> Outcome {
        if self.search.is_empty() {
            return Outcome::stay();
        }
        let needle = self.search.to_lowercase();
        let n = self.lines.len();
        let bottom = n.saturating_sub(1 + self.offset);
        let found = (0..bottom).rev().chain((bottom..n).rev()).find(|i| self.lines.get(*i).is_some_and(|l| l.msg.to_lowercase().contains(&needle)));
        match found {
            Some(i) => {
                // The hit at the bottom, or, near the top, on the first screenful.
                self.offset = (n - 1 - i).min(self.top());
                Outcome::stay()
            }
            None => Outcome::say(Msg::TuiNotFound.with(lang, &[("text", &self.search)])),
        }
    }
}

/// The width of a line's head: its time, level and run (`09:00:00 внимание #12 `).
const HEAD_WIDTH: usize = 22;

/// One log line as the view shows it, with the search highlighted.
fn log_line<'a>(l: &'a crate::logs::Line, search: &str, lang: Lang) -> Line<'a> {
    let colour = match l.level {
        crate::logs::Level::Error => Color::Red,
        crate::logs::Level::Warn => Color::Yellow,
        _ => Color::Reset,
    };
    let head = format!(
        "{} {} {}",
        l.ts.with_timezone(&Local).format("%H:%M:%S"),
        crate::i18n::Msg::level_column(l.level, lang),
        l.run.map(|r| format!("#{r} ")).unwrap_or_default()
    );
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

/// The view, drawn in `area`.
pub fn draw(f: &mut Frame, v: &LogView, lang: Lang, area: Rect) {
    let mut title = Msg::TuiLogTitle.with(lang, &[("server", &v.server)]);
    if let Some(l) = v.level {
        title.push_str(&format!(" · {}", Msg::TuiLogLevel.with(lang, &[("level", &Msg::level_word(l, lang))])));
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
    let height = usize::from(text.height).max(1);
    let width = usize::from(text.width);
    // Each line wrapped to the panel's width (a run's summary keeps its counts), its further rows
    // under its text, not under its time.
    let rows_of = |l: &crate::logs::Line| super::widgets::wrap(log_line(l, &v.search, lang), width, HEAD_WIDTH.min(width / 2));
    let end = v.lines.len().saturating_sub(v.offset.min(v.top()));
    // Up from the bottom line as many lines as fill the panel; where the first line loaded is
    // reached first, the panel is filled down from it instead, never leaving blank rows.
    let mut shown: Vec<Vec<Line>> = Vec::new();
    let mut used = 0;
    let mut i = end;
    while i > 0 && used < height {
        i -= 1;
        let rows = rows_of(&v.lines[i]);
        used += rows.len();
        shown.push(rows);
    }
    shown.reverse();
    let from_top = i == 0 && used <= height;
    if from_top {
        let mut j = end;
        while j < v.lines.len() && used < height {
            let rows = rows_of(&v.lines[j]);
            used += rows.len();
            shown.push(rows);
            j += 1;
        }
    }
    v.page.set(shown.len().max(1));
    let mut lines: Vec<Line> = shown.into_iter().flatten().collect();
    // Filled up from the bottom line, the top line's first rows give way; filled down from
    // the first line, the last line's last rows.
    if !from_top && lines.len() > height {
        lines.drain(..lines.len() - height);
    }
    lines.truncate(height);
    f.render_widget(Paragraph::new(lines), text);
    let bottom = if v.typing { format!("/{}▏", v.search) } else { Msg::TuiLogKeys.get(lang).to_owned() };
    f.render_widget(Paragraph::new(bottom).style(Style::new().fg(Color::Gray)), keys);
}
