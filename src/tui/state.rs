//! The TUI's state and its reducer: every key and every word from the daemon is an [`Action`];
//! [`App::update`] changes the state and says what to do ([`Effect`]), which the loop carries
//! out against the daemon. No terminal and no I/O here, so every action is tested as a plain
//! function.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::profile::PropType;
use crate::config::Lang;
use crate::control::protocol::{Check, EngineEvent, FormProperty, QuarantineEntry, RunEvent, RunRecord, ServerEntry, ServerState};

/// One server as the list shows it: its status and counters, as the daemon gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub ServerEntry);

impl Row {
    /// Its name.
    pub fn name(&self) -> &str {
        &self.0.status.name
    }
    /// Its state's word (`stopped`, `waiting`, `running`, `failed`).
    pub fn state(&self) -> &'static str {
        self.0.status.state.word()
    }
    /// Its state.
    pub fn server_state(&self) -> &ServerState {
        &self.0.status.state
    }
}

/// One property of the selected server, as the grid shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Prop {
    /// Its group's label (shown once, above its first property).
    pub group: String,
    /// Its label.
    pub label: String,
    /// Its value, as shown (secrets masked).
    pub value: String,
    /// Its help line.
    pub help: String,
    /// Its key (`rules.import`).
    pub key: String,
    /// Its type.
    pub ty: PropType,
    /// Its value as the file holds it (empty for secrets, never shown back).
    pub raw: String,
    /// For choices: each value and its label.
    pub choices: Vec<(String, String)>,
    /// For numbers: the bounds.
    pub min: Option<i64>,
    /// For numbers: the bounds.
    pub max: Option<i64>,
    /// It must be set.
    pub required: bool,
    /// It must be set and is not yet (a new server's form).
    pub missing: bool,
    /// What validation found wrong with it.
    pub error: Option<String>,
}

impl Prop {
    /// True when its value must never be shown.
    pub fn secret(&self) -> bool {
        matches!(self.ty, PropType::Secret | PropType::Connection)
    }

    /// A property of a form the daemon sent, in its group; a yes/no one offers both words.
    pub fn of(group: &str, p: &FormProperty, lang: Lang) -> Prop {
        let choices = match p.ty {
            PropType::Bool => {
                vec![("true".into(), crate::i18n::Msg::Yes.get(lang).to_owned()), ("false".into(), crate::i18n::Msg::No.get(lang).to_owned())]
            }
            _ => p.choices.iter().map(|c| (c.value.clone(), c.label.clone())).collect(),
        };
        Prop {
            group: group.to_owned(),
            label: p.label.clone(),
            value: p.value.clone(),
            help: p.help.clone(),
            key: p.key.clone(),
            ty: p.ty,
            raw: p.raw_text(),
            choices,
            min: p.min,
            max: p.max,
            required: p.required,
            missing: p.missing,
            error: p.error.clone(),
        }
    }

    /// Every property of a form's groups, in order.
    pub fn all(groups: &[crate::control::protocol::FormGroup], lang: Lang) -> Vec<Prop> {
        groups.iter().flat_map(|g| g.properties.iter().map(move |p| Prop::of(&g.label, p, lang))).collect()
    }
}

/// A property being changed.
#[derive(Debug, Clone, PartialEq)]
pub struct EditView {
    /// Whose.
    pub server: String,
    /// Which property (its index in the grid).
    pub prop: usize,
    /// The text typed.
    pub input: String,
    /// For choices: the one picked.
    pub choice: usize,
    /// Why the value cannot be saved, as typed or as the daemon said.
    pub error: Option<String>,
    /// A property of the new server's form ([`App::draft`]), not of a saved server.
    pub draft: bool,
}

impl EditView {
    /// The editor on property `prop` of a server's grid (or of the new server's form): the value
    /// as the file holds it, or empty for a secret (never shown back); the current choice picked.
    fn open(server: String, prop: usize, p: &Prop, draft: bool) -> EditView {
        let input = if p.secret() { String::new() } else { p.raw.clone() };
        let choice = p.choices.iter().position(|(v, _)| *v == p.raw).unwrap_or(0);
        EditView { server, prop, input, choice, error: None, draft }
    }
}

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
    fn check(&self) -> Effect {
        Effect::CheckDraft { name: self.name.clone(), kind: self.kind.clone(), set: self.set.clone() }
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
}

impl LogView {
    fn new(server: String, run: Option<i64>) -> LogView {
        LogView { server, lines: Vec::new(), offset: 0, search: String::new(), typing: false, level: None, run, asked: LogView::LOAD }
    }

    /// The lines loaded when the view opens (more are read from the end as they come).
    pub const LOAD: usize = 2000;

    /// The most lines the view asks for (the API's own limit).
    pub const MOST: usize = 100_000;

    fn load(&self) -> Effect {
        Effect::LoadLog { server: self.server.clone(), level: self.level, run: self.run, n: self.asked }
    }

    /// At the first line loaded, with older ones perhaps still in the files: asks for more.
    fn older(&mut self) -> Vec<Effect> {
        let at_top = self.offset + 1 >= self.lines.len();
        if at_top && self.lines.len() >= self.asked && self.asked < LogView::MOST {
            self.asked = (self.asked * 2).min(LogView::MOST);
            return vec![self.load()];
        }
        Vec::new()
    }
}

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

/// What the screen shows on top of the main screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// The main screen.
    Main,
    /// Quit: leave the servers running (Enter, the default) or stop them first (s).
    ConfirmQuit,
    /// Delete the named server? (Enter or y: yes.)
    ConfirmDelete(String),
    /// A server's connection tests: running (None), or each passed or failed with its reason.
    Checks(String, Option<Vec<Check>>),
    /// The keys.
    Help,
    /// A server's log.
    Log(Box<LogView>),
    /// A server's runs.
    Runs(Box<RunsView>),
    /// A server's orders set aside.
    Quarantine(Box<QuarantineView>),
    /// A property being changed.
    Edit(Box<EditView>),
    /// A new server: its name and kind.
    New(Box<NewView>),
    /// A new server's form ([`App::draft`]).
    Draft,
}

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A key.
    Key(KeyEvent),
    /// A click on the toolbar's n-th action, or the list's n-th row.
    ClickToolbar(usize),
    /// A click on a row of the list.
    ClickRow(usize),
    /// The daemon answered: every server's status.
    Connected(Vec<ServerEntry>),
    /// The daemon cannot be reached (why).
    Lost(String),
    /// An event from the daemon's stream.
    Event(EngineEvent),
    /// A server's properties, in the current language.
    Properties(String, Vec<Prop>),
    /// A message to show in the status line (an answer or an error).
    Say(String),
    /// A server's log lines, oldest first.
    LogLines(String, Vec<crate::logs::Line>),
    /// A server's runs, newest first.
    Runs(String, Vec<RunRecord>),
    /// A server's orders set aside.
    Quarantined(String, Vec<QuarantineEntry>),
    /// A server's connection tests, done.
    Checks(String, Vec<Check>),
    /// A change was saved.
    Saved(String),
    /// A change was refused, with the reason.
    Refused(String),
    /// The kinds a server can be: (kind, label).
    Kinds(Vec<(String, String)>),
    /// A new server's form as the daemon checked it: its properties, whether it can be saved,
    /// and the problems not on one property.
    DraftChecked {
        /// Whose.
        name: String,
        /// The form.
        props: Vec<Prop>,
        /// Nothing missing or wrong.
        valid: bool,
        /// Problems not on one property.
        problems: Vec<String>,
    },
    /// A new server was made.
    Created(String),
    /// A left click at a column and line of a screen this wide.
    Click(u16, u16, u16),
    /// Draw again (the terminal was resized).
    Redraw,
}

/// What the loop must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Start a server in the daemon.
    Start(String),
    /// Stop it.
    Stop(String),
    /// Delete a server (its file is kept in servers/deleted/).
    Delete(String),
    /// Save one setting of a server.
    Save {
        /// Whose.
        server: String,
        /// Which.
        key: String,
        /// The new value, as `--set` takes it.
        value: String,
    },
    /// Load a server's properties in a language.
    LoadProperties(String, Lang),
    /// Load the kinds a server can be.
    LoadKinds,
    /// Check a new server's form (a dry run).
    CheckDraft {
        /// Its name.
        name: String,
        /// Its kind.
        kind: String,
        /// What was typed.
        set: std::collections::BTreeMap<String, String>,
    },
    /// Make the new server.
    Create {
        /// Its name.
        name: String,
        /// Its kind.
        kind: String,
        /// What was typed.
        set: std::collections::BTreeMap<String, String>,
    },
    /// Run a server's connection checks.
    Test(String),
    /// Read a server's log from its end.
    LoadLog {
        /// Whose.
        server: String,
        /// At least this level.
        level: Option<crate::logs::Level>,
        /// Of this run.
        run: Option<i64>,
        /// The newest this many.
        n: usize,
    },
    /// Read a server's runs.
    LoadRuns(String),
    /// Read a server's quarantine.
    LoadQuarantine(String),
    /// Import one order set aside again (server, entry id), then read the quarantine again.
    Retry(String, i64),
    /// Drop one (server, entry id), then read the quarantine again.
    Drop(String, i64),
    /// Leave; with `stop`, stop the running servers first.
    Quit {
        /// Stop them.
        stop: bool,
    },
}

/// The toolbar's actions, in order, with their keys.
pub const TOOLBAR: &[(char, crate::i18n::Msg)] = &[
    ('s', crate::i18n::Msg::ActStart),
    ('x', crate::i18n::Msg::ActStop),
    ('n', crate::i18n::Msg::ActNew),
    ('e', crate::i18n::Msg::ActEdit),
    ('t', crate::i18n::Msg::ActTest),
    ('l', crate::i18n::Msg::ActLog),
    ('r', crate::i18n::Msg::ActRuns),
    ('u', crate::i18n::Msg::ActQuarantine),
    ('d', crate::i18n::Msg::ActDelete),
    ('h', crate::i18n::Msg::ActHide),
    ('?', crate::i18n::Msg::ActHelp),
    ('q', crate::i18n::Msg::ActQuit),
];

/// The TUI's state.
#[derive(Debug, Clone, PartialEq)]
pub struct App {
    /// The language of every word.
    pub lang: Lang,
    /// The servers, by name.
    pub rows: Vec<Row>,
    /// The selected row.
    pub selected: usize,
    /// The selected server's properties (empty until loaded).
    pub props: Vec<Prop>,
    /// Whose properties they are.
    pub props_of: Option<String>,
    /// The selected property.
    pub prop_selected: usize,
    /// True while the daemon answers.
    pub connected: bool,
    /// Why it does not, when it does not.
    pub lost: Option<String>,
    /// The status line's message.
    pub message: Option<String>,
    /// What is shown.
    pub mode: Mode,
    /// True once the loop should end.
    pub done: bool,
    /// A new server's form, while it is filled in.
    pub draft: Option<Box<Draft>>,
    /// A server just made, to select once the daemon lists it.
    pub select_when_listed: Option<String>,
}

impl App {
    /// A new state, not yet connected.
    pub fn new(lang: Lang) -> App {
        App {
            lang,
            rows: Vec::new(),
            selected: 0,
            props: Vec::new(),
            props_of: None,
            prop_selected: 0,
            connected: false,
            lost: None,
            message: None,
            mode: Mode::Main,
            done: false,
            draft: None,
            select_when_listed: None,
        }
    }

    /// The selected server's name.
    pub fn selected_name(&self) -> Option<String> {
        self.rows.get(self.selected).map(|r| r.name().to_owned())
    }

    /// How many servers are running (waiting or in a run).
    pub fn running(&self) -> usize {
        self.rows.iter().filter(|r| matches!(r.state(), "waiting" | "running")).count()
    }

    /// How many failed.
    pub fn failed(&self) -> usize {
        self.rows.iter().filter(|r| r.state() == "failed").count()
    }

    /// The properties the editor works on: the new server's form, or the selected server's.
    pub fn edit_props(&self, draft: bool) -> &[Prop] {
        match (&self.draft, draft) {
            (Some(d), true) => &d.props,
            _ => &self.props,
        }
    }

    /// The properties to load when the selection moved to another server.
    fn follow_selection(&mut self) -> Vec<Effect> {
        if let Some(name) = &self.select_when_listed {
            if let Some(i) = self.rows.iter().position(|r| r.name() == name) {
                self.selected = i;
                self.select_when_listed = None;
            }
        }
        let name = self.selected_name();
        if name.is_some() && name != self.props_of {
            self.props.clear();
            self.prop_selected = 0;
            self.props_of = name.clone();
            return name.map(|n| vec![Effect::LoadProperties(n, self.lang)]).unwrap_or_default();
        }
        Vec::new()
    }

    /// Applies an action; returns what to do.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Connected(list) => {
                let keep = self.selected_name();
                self.rows = list.into_iter().map(Row).collect();
                self.rows.sort_by(|a, b| a.name().cmp(b.name()));
                self.selected = keep.and_then(|k| self.rows.iter().position(|r| r.name() == k)).unwrap_or(0).min(self.rows.len().saturating_sub(1));
                self.connected = true;
                self.lost = None;
                self.follow_selection()
            }
            Action::Lost(why) => {
                self.connected = false;
                self.lost = Some(why);
                Vec::new()
            }
            Action::Event(e) => {
                self.event(&e);
                self.follow_selection()
            }
            Action::Properties(name, props) => {
                if self.props_of.as_deref() == Some(name.as_str()) {
                    self.props = props;
                    self.prop_selected = self.prop_selected.min(self.props.len().saturating_sub(1));
                }
                Vec::new()
            }
            Action::Say(m) => {
                self.message = Some(m);
                Vec::new()
            }
            Action::LogLines(server, lines) => {
                if let Mode::Log(v) = &mut self.mode {
                    if v.server == server {
                        v.lines = lines;
                        v.offset = v.offset.min(v.lines.len().saturating_sub(1));
                    }
                }
                Vec::new()
            }
            Action::Saved(server) => {
                if matches!(&self.mode, Mode::Edit(v) if v.server == server) {
                    self.mode = Mode::Main;
                }
                self.message = Some(crate::i18n::Msg::TuiSaved.with(self.lang, &[("server", &server)]));
                // Read again; the grid stays as it is until the new one comes, so the keys pressed
                // meanwhile move in it (the same setting stays selected).
                if self.props_of.as_deref() == Some(server.as_str()) {
                    return vec![Effect::LoadProperties(server, self.lang)];
                }
                Vec::new()
            }
            Action::Refused(why) => {
                match &mut self.mode {
                    Mode::Edit(v) => v.error = Some(why),
                    _ => self.message = Some(why),
                }
                Vec::new()
            }
            Action::Kinds(kinds) => {
                if let Mode::New(v) = &mut self.mode {
                    v.kinds = kinds;
                    v.kind = v.kind.min(v.kinds.len().saturating_sub(1));
                }
                Vec::new()
            }
            Action::DraftChecked { name, props, valid, problems } => {
                if let Some(d) = self.draft.as_mut().filter(|d| d.name == name) {
                    d.props = props;
                    if valid && !d.valid {
                        // What "not saved yet" said is no longer so.
                        self.message = None;
                    }
                    d.valid = valid;
                    d.problems = problems;
                    d.selected = d.selected.min(d.props.len().saturating_sub(1));
                }
                Vec::new()
            }
            Action::Created(name) => {
                self.message = Some(crate::i18n::Msg::TuiMade.with(self.lang, &[("server", &name)]));
                self.draft = None;
                if matches!(self.mode, Mode::Draft | Mode::Edit(_)) {
                    self.mode = Mode::Main;
                }
                self.select_when_listed = Some(name);
                self.follow_selection()
            }
            Action::Checks(server, checks) => {
                if let Mode::Checks(name, slot) = &mut self.mode {
                    if *name == server {
                        *slot = Some(checks);
                    }
                }
                Vec::new()
            }
            Action::Quarantined(server, entries) => {
                if let Mode::Quarantine(v) = &mut self.mode {
                    if v.server == server {
                        v.entries = entries;
                        v.selected = v.selected.min(v.entries.len().saturating_sub(1));
                    }
                }
                Vec::new()
            }
            Action::Runs(server, runs) => {
                if let Mode::Runs(v) = &mut self.mode {
                    if v.server == server {
                        v.runs = runs;
                        v.selected = v.selected.min(v.runs.len().saturating_sub(1));
                    }
                }
                Vec::new()
            }
            Action::ClickToolbar(i) => match TOOLBAR.get(i) {
                Some((c, _)) => self.key(KeyEvent::new(KeyCode::Char(*c), KeyModifiers::NONE)),
                None => Vec::new(),
            },
            Action::Redraw => Vec::new(),
            Action::Click(column, line, width) => {
                if line == 0 {
                    let spans = super::render::toolbar_spans(self.lang, width);
                    return match spans.iter().position(|(x, w)| column >= *x && column < x + w) {
                        Some(i) => self.update(Action::ClickToolbar(i)),
                        None => Vec::new(),
                    };
                }
                // The list: below the toolbar, its border and its header.
                match usize::from(line).checked_sub(3) {
                    Some(i) => self.update(Action::ClickRow(i)),
                    None => Vec::new(),
                }
            }
            Action::ClickRow(i) => {
                if i < self.rows.len() {
                    self.selected = i;
                }
                self.follow_selection()
            }
            Action::Key(k) => self.key(k),
        }
    }

    fn event(&mut self, e: &EngineEvent) {
        match e {
            EngineEvent::Log { line } => {
                let Mode::Log(v) = &mut self.mode else { return };
                let passes =
                    line.server.as_deref() == Some(v.server.as_str()) && v.level.is_none_or(|l| line.level >= l) && v.run.is_none_or(|r| line.run == Some(r));
                if passes {
                    v.lines.push(line.clone());
                    // Scrolled up: the view stays on the same lines.
                    if v.offset > 0 {
                        v.offset += 1;
                    }
                    // Followed for days, the view keeps what it asked for and a little more.
                    if v.lines.len() > v.asked + 2 * LogView::LOAD {
                        let extra = v.lines.len() - v.asked;
                        v.lines.drain(..extra);
                        v.offset = v.offset.min(v.lines.len().saturating_sub(1));
                    }
                }
            }
            EngineEvent::Removed { server } => {
                self.rows.retain(|r| r.name() != server);
                self.selected = self.selected.min(self.rows.len().saturating_sub(1));
                if self.rows.is_empty() {
                    self.props.clear();
                    self.props_of = None;
                }
            }
            EngineEvent::Status { status } => match self.rows.iter_mut().find(|r| r.name() == status.name) {
                // Counters are not in a status event: kept from the last list.
                Some(row) => row.0.status = status.clone(),
                None => {
                    self.rows.push(Row(ServerEntry { status: status.clone(), counters: None }));
                    self.rows.sort_by(|a, b| a.name().cmp(b.name()));
                }
            },
            EngineEvent::Run { server, event, .. } => {
                // A finished run's counts are added to the row's counters, so the list stays true
                // without asking the daemon again.
                let (RunEvent::Finished { summary } | RunEvent::Failed { summary, .. }) = event.as_ref() else { return };
                if let Some(row) = self.rows.iter_mut().find(|r| r.name() == *server) {
                    let c = row.0.counters.get_or_insert_with(Default::default);
                    c.runs += 1;
                    c.imported += summary.counts.imported;
                    c.set_aside += summary.counts.set_aside;
                    match summary.error() {
                        Some(e) => {
                            c.last_failure = Some(summary.ended_at);
                            c.last_failure_reason = Some(e.message.clone());
                        }
                        None => c.last_success = Some(summary.ended_at),
                    }
                }
            }
        }
    }

    fn key(&mut self, k: KeyEvent) -> Vec<Effect> {
        if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
            self.mode = Mode::ConfirmQuit;
            return Vec::new();
        }
        match self.mode {
            Mode::ConfirmQuit => {
                return match k.code {
                    KeyCode::Enter | KeyCode::Char('k') | KeyCode::Char('y') => {
                        self.done = true;
                        vec![Effect::Quit { stop: false }]
                    }
                    KeyCode::Char('s') => {
                        self.done = true;
                        vec![Effect::Quit { stop: true }]
                    }
                    _ => {
                        self.mode = Mode::Main;
                        Vec::new()
                    }
                };
            }
            Mode::Help | Mode::Checks(..) => {
                self.mode = Mode::Main;
                return Vec::new();
            }
            Mode::ConfirmDelete(ref name) => {
                let name = name.clone();
                self.mode = Mode::Main;
                return match k.code {
                    KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('д') => {
                        self.props_of = None;
                        vec![Effect::Delete(name)]
                    }
                    _ => Vec::new(),
                };
            }
            Mode::Log(_) => return self.log_key(k),
            Mode::Runs(_) => return self.runs_key(k),
            Mode::Quarantine(_) => return self.quarantine_key(k),
            Mode::Edit(_) => return self.edit_key(k),
            Mode::New(_) => return self.new_key(k),
            Mode::Draft => return self.draft_key(k),
            Mode::Main => {}
        }
        let name = self.selected_name();
        match k.code {
            KeyCode::Down | KeyCode::Char('j') => {
                if self.selected + 1 < self.rows.len() {
                    self.selected += 1;
                }
                self.follow_selection()
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.selected = self.selected.saturating_sub(1);
                self.follow_selection()
            }
            KeyCode::Home => {
                self.selected = 0;
                self.follow_selection()
            }
            KeyCode::End => {
                self.selected = self.rows.len().saturating_sub(1);
                self.follow_selection()
            }
            KeyCode::PageDown | KeyCode::Tab => {
                if self.prop_selected + 1 < self.props.len() {
                    self.prop_selected += 1;
                }
                Vec::new()
            }
            KeyCode::PageUp | KeyCode::BackTab => {
                self.prop_selected = self.prop_selected.saturating_sub(1);
                Vec::new()
            }
            KeyCode::Char('s') | KeyCode::F(5) => name.map(Effect::Start).into_iter().collect(),
            KeyCode::Char('x') | KeyCode::F(6) => name.map(Effect::Stop).into_iter().collect(),
            KeyCode::Char('t') | KeyCode::F(9) => match name {
                Some(n) => {
                    self.mode = Mode::Checks(n.clone(), None);
                    vec![Effect::Test(n)]
                }
                None => Vec::new(),
            },
            KeyCode::Char('l') | KeyCode::F(7) => match name {
                Some(n) => {
                    let v = LogView::new(n, None);
                    let fx = vec![v.load()];
                    self.mode = Mode::Log(Box::new(v));
                    fx
                }
                None => Vec::new(),
            },
            KeyCode::Char('e') | KeyCode::Enter | KeyCode::F(4) => {
                let (Some(server), Some(p)) = (name, self.props.get(self.prop_selected)) else { return Vec::new() };
                self.mode = Mode::Edit(Box::new(EditView::open(server, self.prop_selected, p, false)));
                Vec::new()
            }
            KeyCode::Char('n') | KeyCode::F(3) | KeyCode::Insert => {
                // A form left unsaved (Esc asked) is gone; a new one starts.
                self.mode = Mode::New(Box::new(NewView { name: String::new(), kinds: Vec::new(), kind: 0, on_kind: false, error: None }));
                vec![Effect::LoadKinds]
            }
            KeyCode::Char('d') | KeyCode::Delete => {
                if let Some(n) = name {
                    self.mode = Mode::ConfirmDelete(n);
                }
                Vec::new()
            }
            KeyCode::Char('u') => match name {
                Some(n) => {
                    self.mode = Mode::Quarantine(Box::new(QuarantineView { server: n.clone(), entries: Vec::new(), selected: 0, asking: None }));
                    vec![Effect::LoadQuarantine(n)]
                }
                None => Vec::new(),
            },
            KeyCode::Char('r') | KeyCode::F(8) => match name {
                Some(n) => {
                    self.mode = Mode::Runs(Box::new(RunsView { server: n.clone(), runs: Vec::new(), selected: 0 }));
                    vec![Effect::LoadRuns(n)]
                }
                None => Vec::new(),
            },
            KeyCode::Char('h') | KeyCode::F(10) => {
                // Скриване: the window goes, the servers stay in the daemon.
                self.done = true;
                vec![Effect::Quit { stop: false }]
            }
            KeyCode::Char('q') | KeyCode::Esc => {
                if self.running() == 0 {
                    self.done = true;
                    return vec![Effect::Quit { stop: false }];
                }
                self.mode = Mode::ConfirmQuit;
                Vec::new()
            }
            KeyCode::Char('?') | KeyCode::F(1) => {
                self.mode = Mode::Help;
                Vec::new()
            }
            KeyCode::Char('L') => {
                self.lang = self.lang.next();
                // The grid's words come from the daemon in the new language.
                self.props_of = None;
                self.follow_selection()
            }
            _ => Vec::new(),
        }
    }
}

/// How many lines a page of the log view scrolls.
pub const PAGE: usize = 20;

impl App {
    fn log_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Mode::Log(v) = &mut self.mode else { return Vec::new() };
        let last = v.lines.len().saturating_sub(1);
        if v.typing {
            match k.code {
                KeyCode::Enter => {
                    v.typing = false;
                    return self.log_next_match();
                }
                KeyCode::Esc => {
                    v.typing = false;
                    v.search.clear();
                }
                KeyCode::Backspace => {
                    v.search.pop();
                }
                KeyCode::Char(c) => v.search.push(c),
                _ => {}
            }
            return Vec::new();
        }
        match k.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('l') => self.mode = Mode::Main,
            KeyCode::Up | KeyCode::Char('k') => {
                let fx = if v.offset == last { v.older() } else { Vec::new() };
                v.offset = (v.offset + 1).min(last);
                return fx;
            }
            KeyCode::Down | KeyCode::Char('j') => v.offset = v.offset.saturating_sub(1),
            KeyCode::PageUp | KeyCode::Home | KeyCode::Char('g') => {
                let fx = if v.offset == last { v.older() } else { Vec::new() };
                v.offset = if k.code == KeyCode::PageUp { (v.offset + PAGE).min(last) } else { last };
                return fx;
            }
            KeyCode::PageDown | KeyCode::Char(' ') => v.offset = v.offset.saturating_sub(PAGE),
            KeyCode::End | KeyCode::Char('G') => v.offset = 0,
            KeyCode::Char('/') => {
                v.typing = true;
                v.search.clear();
            }
            KeyCode::Char('n') => return self.log_next_match(),
            KeyCode::Char('e') => {
                // All, then warnings and errors, then errors only.
                use crate::logs::Level;
                v.level = match v.level {
                    None => Some(Level::Warn),
                    Some(Level::Warn) => Some(Level::Error),
                    _ => None,
                };
                v.offset = 0;
                return vec![v.load()];
            }
            _ => {}
        }
        Vec::new()
    }

    /// Scrolls up to the next line above the view's bottom that holds the search.
    fn log_next_match(&mut self) -> Vec<Effect> {
        let Mode::Log(v) = &mut self.mode else { return Vec::new() };
        if v.search.is_empty() {
            return Vec::new();
        }
        let needle = v.search.to_lowercase();
        let n = v.lines.len();
        let bottom = n.saturating_sub(1 + v.offset);
        let found = (0..bottom).rev().chain((bottom..n).rev()).find(|i| v.lines.get(*i).is_some_and(|l| l.msg.to_lowercase().contains(&needle)));
        match found {
            Some(i) => v.offset = n - 1 - i,
            None => self.message = Some(crate::i18n::Msg::TuiNotFound.with(self.lang, &[("text", &v.search)])),
        }
        Vec::new()
    }

    fn edit_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let lang = self.lang;
        let Mode::Edit(v) = &self.mode else { return Vec::new() };
        let draft = v.draft;
        let back = if draft { Mode::Draft } else { Mode::Main };
        let Some(p) = self.edit_props(draft).get(v.prop).cloned() else {
            self.mode = back;
            return Vec::new();
        };
        let Mode::Edit(v) = &mut self.mode else { return Vec::new() };
        let choices = !p.choices.is_empty();
        match k.code {
            KeyCode::Esc => {
                self.mode = back;
                return Vec::new();
            }
            KeyCode::Up if choices => v.choice = v.choice.checked_sub(1).unwrap_or(p.choices.len() - 1),
            KeyCode::Down | KeyCode::Char(' ') if choices => v.choice = (v.choice + 1) % p.choices.len(),
            KeyCode::Enter => {
                let value = if choices { p.choices.get(v.choice).map(|(v, _)| v.clone()).unwrap_or_default() } else { v.input.clone() };
                // In a new server's form an empty value takes the setting back to its default.
                let cleared = draft && value.is_empty() && !choices;
                if !choices && !cleared {
                    v.error = check_typed(&p, &value, lang);
                }
                if v.error.is_some() && !cleared {
                    return Vec::new();
                }
                if !draft {
                    return vec![Effect::Save { server: v.server.clone(), key: p.key.clone(), value }];
                }
                let Some(d) = self.draft.as_mut() else { return Vec::new() };
                match p.key.as_str() {
                    "name" if !cleared => d.name = value,
                    "name" => {}
                    "kind" => {
                        self.message = Some(crate::i18n::Msg::TuiKindFixed.get(lang).to_owned());
                    }
                    key if cleared => {
                        d.set.remove(key);
                    }
                    key => {
                        d.set.insert(key.to_owned(), value);
                    }
                }
                self.mode = Mode::Draft;
                return vec![d.check()];
            }
            KeyCode::Backspace if !choices => {
                v.input.pop();
                v.error = check_typed(&p, &v.input, lang);
            }
            KeyCode::Char(c) if !choices => {
                v.input.push(c);
                v.error = check_typed(&p, &v.input, lang);
            }
            _ => {}
        }
        Vec::new()
    }

    fn new_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let lang = self.lang;
        let taken = |name: &str, rows: &[Row]| rows.iter().any(|r| r.name() == name);
        let Mode::New(v) = &mut self.mode else { return Vec::new() };
        match k.code {
            KeyCode::Esc => self.mode = Mode::Main,
            KeyCode::Tab | KeyCode::BackTab => v.on_kind = !v.on_kind,
            KeyCode::Up if v.on_kind => v.kind = v.kind.saturating_sub(1),
            KeyCode::Down if v.on_kind => v.kind = (v.kind + 1).min(v.kinds.len().saturating_sub(1)),
            KeyCode::Down => v.on_kind = true,
            KeyCode::Up => v.on_kind = false,
            KeyCode::Backspace if !v.on_kind => {
                v.name.pop();
                v.error = None;
            }
            KeyCode::Char(c) if !v.on_kind => {
                v.name.push(c);
                v.error = None;
            }
            KeyCode::Enter => {
                let name = v.name.trim().to_owned();
                let Some((kind, _)) = v.kinds.get(v.kind).cloned() else { return Vec::new() };
                v.error = match crate::i18n::speaking(lang, || crate::config::check_name(&name)) {
                    Err(m) => Some(m),
                    Ok(()) if taken(&name, &self.rows) => Some(crate::i18n::Msg::TuiNameTaken.with(lang, &[("server", &name)])),
                    Ok(()) => None,
                };
                if v.error.is_some() {
                    return Vec::new();
                }
                let d =
                    Draft { name, kind, set: Default::default(), props: Vec::new(), selected: 0, valid: false, problems: Vec::new(), asking_discard: false };
                let fx = vec![d.check()];
                self.draft = Some(Box::new(d));
                self.mode = Mode::Draft;
                return fx;
            }
            _ => {}
        }
        Vec::new()
    }

    fn draft_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let lang = self.lang;
        let Some(d) = self.draft.as_mut() else {
            self.mode = Mode::Main;
            return Vec::new();
        };
        if d.asking_discard {
            d.asking_discard = false;
            if matches!(k.code, KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('д')) {
                self.draft = None;
                self.mode = Mode::Main;
            }
            return Vec::new();
        }
        let save =
            matches!(k.code, KeyCode::F(2)) || (k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('s')) || k.code == KeyCode::Char('w');
        if save {
            if !d.valid {
                let missing: Vec<&str> = d.props.iter().filter(|p| p.missing || p.error.is_some()).map(|p| p.label.as_str()).collect();
                let mut what = missing.join(", ");
                if what.is_empty() {
                    what = d.problems.join("; ");
                }
                self.message = Some(crate::i18n::Msg::TuiNotYet.with(lang, &[("what", &what)]));
                return Vec::new();
            }
            return vec![Effect::Create { name: d.name.clone(), kind: d.kind.clone(), set: d.set.clone() }];
        }
        match k.code {
            KeyCode::Esc => {
                if d.set.is_empty() {
                    self.draft = None;
                    self.mode = Mode::Main;
                } else {
                    d.asking_discard = true;
                }
            }
            KeyCode::Down | KeyCode::Char('j') | KeyCode::PageDown => d.selected = (d.selected + 1).min(d.props.len().saturating_sub(1)),
            KeyCode::Up | KeyCode::Char('k') | KeyCode::PageUp => d.selected = d.selected.saturating_sub(1),
            // The next (or previous) property still required or refused, round the form.
            KeyCode::Tab | KeyCode::BackTab => {
                let n = d.props.len();
                let step = |i: usize| if k.code == KeyCode::Tab { (d.selected + i) % n } else { (d.selected + n * 2 - i) % n };
                if let Some(i) = (1..=n).map(step).find(|i| d.props[*i].missing || d.props[*i].error.is_some()) {
                    d.selected = i;
                }
            }
            KeyCode::Home => d.selected = 0,
            KeyCode::End => d.selected = d.props.len().saturating_sub(1),
            KeyCode::Enter | KeyCode::Char('e') | KeyCode::F(4) => {
                let Some(p) = d.props.get(d.selected) else { return Vec::new() };
                self.mode = Mode::Edit(Box::new(EditView::open(d.name.clone(), d.selected, p, true)));
            }
            _ => {}
        }
        Vec::new()
    }

    fn quarantine_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Mode::Quarantine(v) = &mut self.mode else { return Vec::new() };
        let id = v.entries.get(v.selected).map(|e| e.id);
        if let Some(ask) = v.asking.take() {
            // Confirmed with Enter or y; anything else cancels.
            return match (k.code, id) {
                (KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('д'), Some(id)) => match ask {
                    QuarantineAsk::Retry => vec![Effect::Retry(v.server.clone(), id)],
                    QuarantineAsk::Drop => vec![Effect::Drop(v.server.clone(), id)],
                },
                _ => Vec::new(),
            };
        }
        match k.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('u') => self.mode = Mode::Main,
            KeyCode::Up | KeyCode::Char('k') => v.selected = v.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => v.selected = (v.selected + 1).min(v.entries.len().saturating_sub(1)),
            KeyCode::Enter | KeyCode::Char('R') if id.is_some() => v.asking = Some(QuarantineAsk::Retry),
            KeyCode::Char('D') | KeyCode::Delete if id.is_some() => v.asking = Some(QuarantineAsk::Drop),
            _ => {}
        }
        Vec::new()
    }

    fn runs_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Mode::Runs(v) = &mut self.mode else { return Vec::new() };
        match k.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('r') => self.mode = Mode::Main,
            KeyCode::Up | KeyCode::Char('k') => v.selected = v.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => v.selected = (v.selected + 1).min(v.runs.len().saturating_sub(1)),
            KeyCode::Enter => {
                // That run's log lines.
                let run = v.runs.get(v.selected).map(|r| r.id);
                let view = LogView::new(v.server.clone(), run);
                let fx = vec![view.load()];
                self.mode = Mode::Log(Box::new(view));
                return fx;
            }
            _ => {}
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
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
        a.update(Action::Runs(
            "Archive".into(),
            crate::tui::fixtures::runs(vec![json!({ "id": 9, "outcome": "ok" }), json!({ "id": 8, "outcome": "failed" })]),
        ));
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
            min: Some(1),
            max: Some(10_080),
            required: false,
            missing: false,
            error: None,
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
        assert!(a.message.as_deref().is_some_and(|m| m.contains("rules.object") && m.contains("shopiko.key")), "{:?}", a.message);
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
        assert_eq!(a.update(key('?')), []);
        assert_eq!(a.mode, Mode::Help);
        a.update(key('z'));
        assert_eq!(a.mode, Mode::Main);
    }
}
