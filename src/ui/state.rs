//! The UI's state and its reducer. Pure logic: no DOM access here.
use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::shell::{Shell, Stream};

/// One rendered line of terminal output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermLine {
    pub stream: Stream,
    pub text: String,
}

/// Upper bound on lines kept in the terminal scrollback: old lines are dropped first.
pub const SCROLLBACK_LINES_MAX: usize = 5_000;

pub struct AppState {
    shell: Rc<RefCell<Shell>>,
    pub lines: Rc<Vec<TermLine>>,
    pub prompt: AttrValue,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            shell: Rc::new(RefCell::new(Shell::new(3, 1))),
            lines: Rc::new(Vec::new()),
            prompt: AttrValue::from("$ "),
        }
    }
}

pub enum Action {
    /// Run one command line in the terminal.
    Run(String),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Run(line) => {
                let mut lines = (*self.lines).clone();
                lines.push(TermLine { stream: Stream::Out, text: format!("{}{}", self.prompt, line) });
                let chunks = self.shell.borrow_mut().run(&line);
                for chunk in chunks {
                    for text in chunk.text.lines() {
                        lines.push(TermLine { stream: chunk.stream, text: text.to_string() });
                    }
                }
                if lines.len() > SCROLLBACK_LINES_MAX {
                    let excess = lines.len() - SCROLLBACK_LINES_MAX;
                    lines.drain(..excess);
                }
                Rc::new(AppState { shell: self.shell.clone(), lines: Rc::new(lines), prompt: self.prompt.clone() })
            }
        }
    }
}
