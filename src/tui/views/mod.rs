//! The TUI's views, as gitui has its components: each owns its state, its keys and its
//! drawing. The app ([`super::state::App`]) holds what every view shares (the servers, the
//! selection, the language, the status line), routes each key and each answer of the daemon to
//! the view on screen, and carries out what a view's key asks for ([`Outcome`]). Nothing here
//! does I/O: keys become effects that the loop carries out against the daemon.

pub mod edit;
pub mod log;
pub mod new;
pub mod quarantine;
pub mod runs;
pub mod why;
pub mod widgets;

use super::state::{Effect, Mode};

/// Where a view's key leaves the screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Nav {
    /// The view stays.
    Stay,
    /// Back to the main screen.
    Main,
    /// Another view.
    Open(Mode),
}

/// What a view's key asks of the app: effects to carry out, where to go, what to say.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// What the loop must do.
    pub effects: Vec<Effect>,
    /// Where the screen goes.
    pub nav: Nav,
    /// A message for the status line.
    pub say: Option<String>,
}

impl Outcome {
    /// Nothing to do; the view stays.
    pub fn stay() -> Outcome {
        Outcome { effects: Vec::new(), nav: Nav::Stay, say: None }
    }

    /// These effects; the view stays.
    pub fn effects(effects: Vec<Effect>) -> Outcome {
        Outcome { effects, nav: Nav::Stay, say: None }
    }

    /// Back to the main screen.
    pub fn main() -> Outcome {
        Outcome { effects: Vec::new(), nav: Nav::Main, say: None }
    }

    /// Another view, with these effects.
    pub fn open(mode: Mode, effects: Vec<Effect>) -> Outcome {
        Outcome { effects, nav: Nav::Open(mode), say: None }
    }

    /// A message for the status line; the view stays.
    pub fn say(text: String) -> Outcome {
        Outcome { effects: Vec::new(), nav: Nav::Stay, say: Some(text) }
    }
}
