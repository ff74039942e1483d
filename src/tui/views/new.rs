//! A new server: its name and kind asked for first ([`NewView`]), then its kind's form
//! ([`Draft`]) with the defaults filled in, which the daemon checks after each change; Tab goes
//! to what is still required or refused; saved when nothing is.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::edit::EditView;
use super::widgets::{dialog, grid, popup};
use crate::config::Lang;
use crate::i18n::Msg;
use crate::tui::state::{Effect, Prop};

/// A new server's name and kind, asked for first.
#[derive(Debug, Clone, PartialEq)]
pub struct NewView {
    /// The name typed.
    pub name: String,
    /// The kinds the daemon knows: (kind, label).
    pub kinds: Vec<(String, String)>,
    /// The kind picked.
    pub kind: usize,
    /// True while the kind list has the keys (else the name does).
    pub on_kind: bool,
    /// Why the name cannot be used.
    pub error: Option<String>,
}

/// A new server's form: its kind's properties with the defaults and what was typed, held here
/// until it is saved; the daemon checks it after each change (a dry run) and says what is still
/// required and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// What was typed, by key, as `--set` takes it.
    pub set: std::collections::BTreeMap<String, String>,
    /// The form as the daemon last checked it.
    pub props: Vec<Prop>,
    /// The selected property.
    pub selected: usize,
    /// True when the daemon found nothing missing or wrong.
    pub valid: bool,
    /// Problems not on one property (field: message).
    pub problems: Vec<String>,
    /// True while asking whether to throw the form away.
    pub asking_discard: bool,
}

impl Draft {
    /// The effect that has the daemon check the form as it stands.
    pub fn check(&self) -> Effect {
        Effect::CheckDraft { name: self.name.clone(), kind: self.kind.clone(), set: self.set.clone() }
    }
}

/// What a key in the name-and-kind box asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Named {
    /// Nothing yet.
    Nothing,
    /// Back to the main screen.
    Back,
    /// The form of a new server of this name and kind.
    Form(Box<Draft>),
}

impl NewView {
    /// The empty box (the kinds come from the daemon).
    pub fn new() -> NewView {
        NewView { name: String::new(), kinds: Vec::new(), kind: 0, on_kind: false, error: None }
    }

    /// A key: types the name, picks the kind, or goes on to the form with a name that is free
    /// (`taken` says which are not).
    pub fn key(&mut self, k: KeyEvent, lang: Lang, taken: impl Fn(&str) -> bool) -> Named {
        match k.code {
            KeyCode::Esc => return Named::Back,
            KeyCode::Tab | KeyCode::BackTab => self.on_kind = !self.on_kind,
            KeyCode::Up if self.on_kind => self.kind = self.kind.saturating_sub(1),
            KeyCode::Down if self.on_kind => self.kind = (self.kind + 1).min(self.kinds.len().saturating_sub(1)),
            KeyCode::Down => self.on_kind = true,
            KeyCode::Up => self.on_kind = false,
            KeyCode::Backspace if !self.on_kind => {
                self.name.pop();
                self.error = None;
            }
            KeyCode::Char(c) if !self.on_kind => {
                self.name.push(c);
                self.error = None;
            }
            KeyCode::Enter => {
                let name = self.name.trim().to_owned();
                let Some((kind, _)) = self.kinds.get(self.kind).cloned() else { return Named::Nothing };
                self.error = match crate::i18n::speaking(lang, || crate::config::check_name(&name)) {
                    Err(m) => Some(m),
                    Ok(()) if taken(&name) => Some(Msg::TuiNameTaken.with(lang, &[("server", &name)])),
                    Ok(()) => None,
                };
                if self.error.is_some() {
                    return Named::Nothing;
                }
                return Named::Form(Box::new(Draft {
                    name,
                    kind,
                    set: Default::default(),
                    props: Vec::new(),
                    selected: 0,
                    valid: false,
                    problems: Vec::new(),
                    asking_discard: false,
                }));
            }
            _ => {}
        }
        Named::Nothing
    }
}

impl Default for NewView {
    fn default() -> Self {
        NewView::new()
    }
}

/// What a key in the form asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Drafted {
    /// Nothing more.
    Nothing,
    /// Throw the form away.
    Discard,
    /// Say this in the status line.
    Say(String),
    /// Carry these out (make the server).
    Effects(Vec<Effect>),
    /// Edit the selected property.
    Edit(Box<EditView>),
}

impl Draft {
    /// A key: moves, asks before throwing changes away, edits, or saves when nothing is
    /// missing or wrong (else says what is).
    pub fn key(&mut self, k: KeyEvent, lang: Lang) -> Drafted {
        if self.asking_discard {
            self.asking_discard = false;
            return if matches!(k.code, KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('д')) { Drafted::Discard } else { Drafted::Nothing };
        }
        let save =
            matches!(k.code, KeyCode::F(2)) || (k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('s')) || k.code == KeyCode::Char('w');
        if save {
            if !self.valid {
                // A set of which one is to be set is one thing still to do, said once.
                let mut missing: Vec<String> = Vec::new();
                for p in self.props.iter().filter(|p| p.missing || p.error.is_some()) {
                    let item = if p.one_of.is_empty() || p.error.is_some() {
                        crate::i18n::quoted(&p.label, lang)
                    } else {
                        let names: Vec<String> = p.one_of.iter().map(|l| crate::i18n::quoted(l, lang)).collect();
                        Msg::TuiOneOfList.with(lang, &[("names", &names.join(", "))])
                    };
                    if !missing.contains(&item) {
                        missing.push(item);
                    }
                }
                let mut what = missing.join(", ");
                if what.is_empty() {
                    what = self.problems.join("; ");
                }
                return Drafted::Say(Msg::TuiNotYet.with(lang, &[("what", &what)]));
            }
            return Drafted::Effects(vec![Effect::Create { name: self.name.clone(), kind: self.kind.clone(), set: self.set.clone() }]);
        }
        match k.code {
            KeyCode::Esc => {
                if self.set.is_empty() {
                    return Drafted::Discard;
                }
                self.asking_discard = true;
            }
            KeyCode::Down | KeyCode::Char('j') | KeyCode::PageDown => self.selected = (self.selected + 1).min(self.props.len().saturating_sub(1)),
            KeyCode::Up | KeyCode::Char('k') | KeyCode::PageUp => self.selected = self.selected.saturating_sub(1),
            // The next (or previous) property still required or refused, round the form.
            KeyCode::Tab | KeyCode::BackTab => {
                let n = self.props.len();
                let step = |i: usize| if k.code == KeyCode::Tab { (self.selected + i) % n } else { (self.selected + n * 2 - i) % n };
                if let Some(i) = (1..=n).map(step).find(|i| self.props[*i].missing || self.props[*i].error.is_some()) {
                    self.selected = i;
                }
            }
            KeyCode::Home => self.selected = 0,
            KeyCode::End => self.selected = self.props.len().saturating_sub(1),
            KeyCode::Enter | KeyCode::Char('e') | KeyCode::F(4) => {
                let Some(p) = self.props.get(self.selected) else { return Drafted::Nothing };
                return Drafted::Edit(Box::new(EditView::open(self.name.clone(), self.selected, p, true)));
            }
            _ => {}
        }
        Drafted::Nothing
    }

    /// A value the editor gives the form: the name, a setting, or a setting taken back out
    /// (`cleared`); the kind cannot change (what to say, then). Then the daemon checks it.
    pub fn set(&mut self, key: &str, value: String, cleared: bool, lang: Lang) -> Option<String> {
        match key {
            "name" if !cleared => self.name = value,
            "name" => {}
            "kind" => return Some(Msg::TuiKindFixed.get(lang).to_owned()),
            key if cleared => {
                self.set.remove(key);
            }
            key => {
                self.set.insert(key.to_owned(), value);
            }
        }
        None
    }

    /// The form as the daemon checked it.
    pub fn checked(&mut self, props: Vec<Prop>, valid: bool, problems: Vec<String>) {
        self.props = props;
        self.valid = valid;
        self.problems = problems;
        self.selected = self.selected.min(self.props.len().saturating_sub(1));
    }
}

/// A new server's name (typed) and kind (picked from the daemon's).
pub fn draw_name(f: &mut Frame, v: &NewView, lang: Lang) {
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

/// The form, drawn in `area`: a grid with the keys above its help and whether it can be saved.
pub fn draw_form(f: &mut Frame, d: &Draft, lang: Lang, area: Rect) {
    // The kind in the title where it fits whole.
    let mut title = Msg::TuiDraftTitle.with(lang, &[("server", &d.name), ("kind", &d.kind)]);
    if unicode_width::UnicodeWidthStr::width(title.as_str()) + 2 > usize::from(area.width) {
        title = Msg::TuiDraftTitleShort.with(lang, &[("server", &d.name)]);
    }
    let keys = if d.valid { format!("✓ {}   {}", Msg::TuiReady.get(lang), Msg::TuiDraftKeys.get(lang)) } else { Msg::TuiDraftKeys.get(lang).to_owned() };
    grid(f, lang, title, &d.props, d.selected, Some(keys), area);
}

/// The question over the form, if one is asked.
pub fn draw_question(f: &mut Frame, d: &Draft, lang: Lang) {
    if d.asking_discard {
        popup(f, Msg::ActNew.get(lang), Msg::TuiAskDiscard.get(lang));
    }
}
