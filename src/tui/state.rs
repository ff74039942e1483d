//! The TUI's state and its reducer: every key and every word from the daemon is an [`Action`];
//! [`App::update`] changes the state and says what to do ([`Effect`]), which the loop carries
//! out against the daemon. The app holds what every view shares and routes to the view on
//! screen ([`super::views`]: each owns its state, keys and drawing). No terminal and no I/O
//! here, so every action is tested as a plain function.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use super::toolbar::TOOLBAR;
use super::views::edit::Edited;
pub use super::views::edit::{check_typed, EditView};
pub use super::views::log::{LogView, PAGE};
pub use super::views::new::{Draft, NewView};
use super::views::new::{Drafted, Named};
pub use super::views::quarantine::{QuarantineAsk, QuarantineView};
pub use super::views::runs::RunsView;
use super::views::{Nav, Outcome};
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
        // Waiting to try again is shown as its own state, whether a call of the run or the run
        // itself failed.
        if self.0.status.state.is_retrying() {
            return "retrying";
        }
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
    /// Where its choices are read from the server's account (`order_statuses`), when they are
    /// not in the profile: the editor asks the daemon for them.
    pub choices_from: Option<String>,
    /// Several choices may be picked (Space picks or drops one), saved separated by commas.
    pub multiple: bool,
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
    /// The labels of the set it is one of, exactly one of which is set (empty: none).
    pub one_of: Vec<String>,
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
            choices_from: p.choices_from.clone(),
            multiple: p.multiple,
            min: p.min,
            max: p.max,
            required: p.required,
            missing: p.missing,
            error: p.error.clone(),
            one_of: p.one_of.clone(),
        }
    }

    /// Every property of a form's groups, in order.
    pub fn all(groups: &[crate::control::protocol::FormGroup], lang: Lang) -> Vec<Prop> {
        groups.iter().flat_map(|g| g.properties.iter().map(move |p| Prop::of(&g.label, p, lang))).collect()
    }
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
    /// Why an order is, or is not, in Warehouse Pro.
    Why(Box<super::views::why::WhyView>),
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
    /// An order's journey, as the daemon told it, or why it could not.
    Why {
        /// Whose.
        server: String,
        /// Which order, as asked.
        order: String,
        /// A sentence a line, or the error.
        answer: Result<Vec<String>, String>,
    },
    /// The choices of a server's setting, read from its account: (value, label).
    Choices {
        /// Whose.
        server: String,
        /// Which setting.
        key: String,
        /// Each value and its label.
        choices: Vec<(String, String)>,
    },
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
    /// Start the daemon again: it was lost, and the user pressed Enter.
    StartDaemon,
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
    /// Read the choices of a server's setting from its account.
    LoadChoices {
        /// Whose.
        server: String,
        /// Which setting.
        key: String,
    },
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
    /// Ask the daemon why an order (server, order number) is or is not in Warehouse Pro.
    Why(String, String),
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
    /// The Bulgarian layout a Cyrillic letter's key is read in.
    pub keyboard: super::keyboard::Keyboard,
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
            keyboard: super::keyboard::Keyboard::default(),
        }
    }

    /// True while text is being typed (a name, a value, a search, an order number): its
    /// letters are taken as they come.
    fn typing(&self) -> bool {
        match &self.mode {
            Mode::Edit(_) | Mode::New(_) => true,
            Mode::Why(v) => v.asked.is_none(),
            Mode::Log(v) => v.typing,
            _ => false,
        }
    }

    /// A key as the TUI reads it: a Cyrillic letter (a Bulgarian layout switched on) as the
    /// letter of its key, except while text is typed, and except "д" (да, yes) where a question
    /// is asked.
    fn physical(&self, k: KeyEvent) -> KeyEvent {
        let KeyCode::Char(c) = k.code else { return k };
        let asking =
            matches!(self.mode, Mode::ConfirmDelete(_) | Mode::ConfirmQuit | Mode::Draft) || matches!(&self.mode, Mode::Quarantine(v) if v.asking.is_some());
        if self.typing() || (asking && matches!(c, 'д' | 'Д')) {
            return k;
        }
        KeyEvent::new(KeyCode::Char(self.keyboard.latin(c)), k.modifiers)
    }

    /// The selected server's name.
    pub fn selected_name(&self) -> Option<String> {
        self.rows.get(self.selected).map(|r| r.name().to_owned())
    }

    /// How many servers are running well (waiting or in a run).
    pub fn running(&self) -> usize {
        self.rows.iter().filter(|r| matches!(r.state(), "waiting" | "running")).count()
    }

    /// How many servers run in the daemon, well or retrying: what quitting with s stops.
    pub fn active(&self) -> usize {
        self.rows.iter().filter(|r| matches!(r.state(), "waiting" | "running" | "retrying")).count()
    }

    /// How many failed: stopped for an operator, or waiting to try again.
    pub fn failed(&self) -> usize {
        self.rows.iter().filter(|r| matches!(r.state(), "failed" | "retrying")).count()
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
                // Back from a lost daemon: what was said about it is over.
                if self.lost.is_some() {
                    self.message = None;
                }
                self.connected = true;
                self.lost = None;
                self.follow_selection()
            }
            Action::Lost(why) => {
                // The daemon's loss, and the key that starts it again, over whatever was said.
                if self.connected {
                    self.message = None;
                }
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
                        v.loaded(lines);
                    }
                }
                Vec::new()
            }
            Action::Choices { server, key, choices } => {
                if self.props_of.as_deref() == Some(server.as_str()) {
                    if let Some(p) = self.props.iter_mut().find(|p| p.key == key) {
                        p.choices = choices;
                        // The editor open on it picks the value (or values) the file holds.
                        if let Mode::Edit(v) = &mut self.mode {
                            if !v.draft && self.props.get(v.prop).is_some_and(|q| q.key == key) {
                                v.pick_from_file(&self.props[v.prop]);
                            }
                        }
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
                    if valid && !d.valid {
                        // What "not saved yet" said is no longer so.
                        self.message = None;
                    }
                    d.checked(props, valid, problems);
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
                        v.loaded(entries);
                    }
                }
                Vec::new()
            }
            Action::Why { server, order, answer } => {
                if let Mode::Why(v) = &mut self.mode {
                    if v.server == server {
                        v.answered(&order, answer);
                    }
                }
                Vec::new()
            }
            Action::Runs(server, runs) => {
                if let Mode::Runs(v) = &mut self.mode {
                    if v.server == server {
                        v.loaded(runs);
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
                let toolbar = super::toolbar::toolbar_height(self.lang, width);
                if line < toolbar {
                    let spans = super::toolbar::toolbar_spans(self.lang, width);
                    return match spans.iter().position(|(y, x, w)| *y == line && column >= *x && column < x + w) {
                        Some(i) => self.update(Action::ClickToolbar(i)),
                        None => Vec::new(),
                    };
                }
                // The list: below the toolbar, its border and its header.
                match usize::from(line).checked_sub(usize::from(toolbar) + 2) {
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
            Action::Key(k) => {
                let k = self.physical(k);
                self.key(k)
            }
        }
    }

    fn event(&mut self, e: &EngineEvent) {
        match e {
            EngineEvent::Log { line } => {
                if let Mode::Log(v) = &mut self.mode {
                    v.push(line);
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
            Mode::Log(ref mut v) => {
                let out = v.key(k, self.lang);
                return self.follow(out);
            }
            Mode::Runs(ref mut v) => {
                let out = v.key(k);
                return self.follow(out);
            }
            Mode::Quarantine(ref mut v) => {
                let out = v.key(k);
                return self.follow(out);
            }
            Mode::Why(ref mut v) => {
                let out = v.key(k);
                return self.follow(out);
            }
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
                    self.follow(Outcome::open(Mode::Log(Box::new(v)), fx))
                }
                None => Vec::new(),
            },
            // The daemon is gone: Enter starts it again, instead of a command to type.
            KeyCode::Enter if !self.connected && self.lost.is_some() => {
                self.message = Some(crate::i18n::Msg::TuiRestartingDaemon.get(self.lang).to_owned());
                vec![Effect::StartDaemon]
            }
            KeyCode::Char('e') | KeyCode::Enter | KeyCode::F(4) => {
                let (Some(server), Some(p)) = (name, self.props.get(self.prop_selected)) else { return Vec::new() };
                // Choices the account holds are read through the server, then picked by name.
                let fx = match &p.choices_from {
                    Some(_) if p.choices.is_empty() => vec![Effect::LoadChoices { server: server.clone(), key: p.key.clone() }],
                    _ => Vec::new(),
                };
                self.mode = Mode::Edit(Box::new(EditView::open(server, self.prop_selected, p, false)));
                fx
            }
            KeyCode::Char('n') | KeyCode::F(3) | KeyCode::Insert => {
                // A form left unsaved (Esc asked) is gone; a new one starts.
                self.mode = Mode::New(Box::default());
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
                    let (v, fx) = QuarantineView::open(n);
                    self.follow(Outcome::open(Mode::Quarantine(Box::new(v)), vec![fx]))
                }
                None => Vec::new(),
            },
            KeyCode::Char('w') => match name {
                Some(n) => {
                    self.mode = Mode::Why(Box::new(super::views::why::WhyView::prompt(n)));
                    Vec::new()
                }
                None => Vec::new(),
            },
            KeyCode::Char('r') | KeyCode::F(8) => match name {
                Some(n) => {
                    let (v, fx) = RunsView::open(n);
                    self.follow(Outcome::open(Mode::Runs(Box::new(v)), vec![fx]))
                }
                None => Vec::new(),
            },
            KeyCode::Char('h') | KeyCode::F(10) => {
                // Скриване: the window goes, the servers stay in the daemon.
                self.done = true;
                vec![Effect::Quit { stop: false }]
            }
            // Esc on the main screen leaves nothing: it only clears what the status bar says.
            KeyCode::Esc => {
                self.message = None;
                Vec::new()
            }
            KeyCode::Char('q') => {
                if self.active() == 0 {
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

impl App {
    /// Carries out what a view's key asked for: where the screen goes, what the status line
    /// says; the effects for the loop.
    fn follow(&mut self, out: Outcome) -> Vec<Effect> {
        match out.nav {
            Nav::Stay => {}
            Nav::Main => self.mode = Mode::Main,
            Nav::Open(mode) => self.mode = mode,
        }
        if out.say.is_some() {
            self.message = out.say;
        }
        out.effects
    }

    /// A key in the editor: the value saved, taken into the new server's form, or given up.
    fn edit_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let lang = self.lang;
        let Mode::Edit(v) = &self.mode else { return Vec::new() };
        let back = if v.draft { Mode::Draft } else { Mode::Main };
        let Some(p) = self.edit_props(v.draft).get(v.prop).cloned() else {
            self.mode = back;
            return Vec::new();
        };
        let Mode::Edit(v) = &mut self.mode else { return Vec::new() };
        match v.key(k, &p, lang) {
            Edited::Nothing => Vec::new(),
            Edited::Back => {
                self.mode = back;
                Vec::new()
            }
            Edited::Save { server, key, value } => vec![Effect::Save { server, key, value }],
            Edited::Draft { key, value, cleared } => {
                let Some(d) = self.draft.as_mut() else { return Vec::new() };
                if let Some(said) = d.set(&key, value, cleared, lang) {
                    self.message = Some(said);
                }
                self.mode = Mode::Draft;
                vec![d.check()]
            }
        }
    }

    /// A key in the new server's name-and-kind box.
    fn new_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let lang = self.lang;
        let Mode::New(v) = &mut self.mode else { return Vec::new() };
        let rows = &self.rows;
        match v.key(k, lang, |name| rows.iter().any(|r| r.name() == name)) {
            Named::Nothing => Vec::new(),
            Named::Back => {
                self.mode = Mode::Main;
                Vec::new()
            }
            Named::Form(d) => {
                let fx = vec![d.check()];
                self.draft = Some(d);
                self.mode = Mode::Draft;
                fx
            }
        }
    }

    /// A key in the new server's form.
    fn draft_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let lang = self.lang;
        let Some(d) = self.draft.as_mut() else {
            self.mode = Mode::Main;
            return Vec::new();
        };
        match d.key(k, lang) {
            Drafted::Nothing => Vec::new(),
            Drafted::Discard => {
                self.draft = None;
                self.mode = Mode::Main;
                Vec::new()
            }
            Drafted::Say(text) => {
                self.message = Some(text);
                Vec::new()
            }
            Drafted::Effects(fx) => fx,
            Drafted::Edit(v) => {
                self.mode = Mode::Edit(v);
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
