//! Terminal tabs and one terminal: scrollback and a labelled command line.
//!
//! Keys: Enter runs the line; Up/Down walk the history; Tab completes (with an empty line, or
//! after Escape, Tab moves focus on as usual, so the terminal is no keyboard trap); Ctrl-C
//! interrupts (unless text is selected: then it copies); Ctrl-D ends a tool's input.
use std::cell::RefCell;
use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::input::{self, HistoryCursor, CANDIDATES_SHOWN_MAX};
use super::session::{LineKind, Session, TermLine};
use super::state::{send, Action, AppState};
use super::transcript::{Entry, TermId, TERMINALS_OPEN_MAX};
use crate::shell::Mode;

/// The tab strip for the open terminals `tabs` (ids in tab order): one tab per terminal, a
/// close button on each (while more than one is open), and "+" to open another. A plain
/// function: its callbacks are new on every render of the app, so as a component it rendered
/// every time anyway (and a component costs about 2 KB of wasm).
pub fn terminal_tabs(tabs: &[TermId], active: TermId, d: &UseReducerDispatcher<AppState>) -> Html {
    let closable = tabs.len() > 1;
    html! {
        <div class="terminal-tabs">
            <div role="tablist" aria-label="Terminals" class="tablist">
                { for tabs.iter().map(|&id| {
                    let selected = id == active;
                    html! {
                        <span ~className={if selected { "tab active" } else { "tab" }} key={id}>
                            <button role="tab" id={format!("tab-{id}")} aria-selected={selected.to_string()}
                                aria-controls={format!("terminal-panel-{id}")}
                                onclick={send(d, Action::SelectTerminal(id))}>
                                { format!("Terminal {id}") }
                            </button>
                            if closable {
                                <button class="tab-close" aria-label={format!("Close terminal {id}")}
                                    title={format!("Close terminal {id}")}
                                    onclick={send(d, Action::CloseTerminal(id))}>{ "×" }</button>
                            }
                        </span>
                    }
                }) }
            </div>
            <button class="tab-open" aria-label="Open a new terminal" title="Open a new terminal"
                disabled={tabs.len() >= TERMINALS_OPEN_MAX}
                onclick={send(d, Action::OpenTerminal)}>{ "+" }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    pub id: TermId,
    /// Keyboard input and lesson commands go to this terminal.
    pub active: bool,
    pub lines: Rc<Vec<TermLine>>,
    pub prompt: AttrValue,
    pub mode: Mode,
    pub history: Rc<Vec<String>>,
    /// The session, for completion candidates (asks the shell).
    pub session: Shared<Session>,
    /// Records an action of this terminal (a line, Ctrl-C, Ctrl-D). Both compare by identity and
    /// stay the same across renders: the terminal, whose scrollback can hold thousands of lines,
    /// is not rendered again on every clock tick (and no callback hooks in the app: each hook
    /// type instantiates yew's code again).
    pub dispatch: UseReducerDispatcher<AppState>,
}

/// Shared state as a prop: equal when it is the same allocation.
pub struct Shared<T>(pub Rc<RefCell<T>>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// What the terminal keeps across renders: one mutable ref, and a re-render when the completion
/// candidates change (each state or reducer type instantiates yew's hook code again).
#[derive(Default)]
struct Keys {
    cursor: HistoryCursor,
    /// Escape was pressed: Tab moves focus on.
    tab_passes: bool,
    /// The terminal id that took the keyboard last.
    focused: Option<TermId>,
    /// Completion candidates shown under the command line.
    candidates: Vec<String>,
}

#[function_component(Terminal)]
pub fn terminal(props: &TerminalProps) -> Html {
    let input = use_node_ref();
    let scrollback = use_node_ref();
    let keys = use_mut_ref(Keys::default);
    let rerender = use_force_update();

    // One effect (each effect type instantiates yew's code again).
    {
        let (scrollback, input, keys, id, active) = (scrollback.clone(), input.clone(), keys.clone(), props.id, props.active);
        use_effect_with((props.id, props.lines.clone(), props.active), move |_| {
            // New output: scroll to the bottom.
            if let Some(el) = scrollback.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
            // A terminal that becomes the active one (tab switch, new tab) takes the keyboard;
            // one shown beside it does not.
            if !active {
                keys.borrow_mut().focused = None;
            }
            let newly_shown = active && keys.borrow().focused != Some(id);
            if newly_shown {
                keys.borrow_mut().focused = Some(id);
                if let Some(el) = input.cast::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }

    // One handler for keys and the touch buttons: `(key, ctrl, shift)`; true when it handled it
    // (the browser's default is then prevented).
    let press: Rc<dyn Fn(&str, bool, bool) -> bool> = {
        let input = input.clone();
        let keys = keys.clone();
        let rerender = rerender.clone();
        let history = props.history.clone();
        let session = props.session.clone();
        let d = props.dispatch.clone();
        let on_entry = move |entry: Entry| d.dispatch(Action::Act(entry));
        let term = props.id;
        let mode = props.mode;
        Rc::new(move |key: &str, ctrl: bool, shift: bool| -> bool {
            let Some(el) = input.cast::<HtmlInputElement>() else { return false };
            let set_candidates = |candidates: Vec<String>| {
                keys.borrow_mut().candidates = candidates;
                rerender.force_update();
            };
            if key != "Tab" {
                keys.borrow_mut().tab_passes = false;
            }
            match key {
                "Enter" => {
                    let line = el.value();
                    el.set_value("");
                    keys.borrow_mut().cursor.reset();
                    set_candidates(Vec::new());
                    on_entry(Entry::Run { term, line });
                    true
                }
                "ArrowUp" | "ArrowDown" => {
                    let line = if key == "ArrowUp" { keys.borrow_mut().cursor.up(&history, &el.value()) } else { keys.borrow_mut().cursor.down(&history) };
                    if let Some(line) = line {
                        el.set_value(&line);
                    }
                    true
                }
                "Tab" if !shift && !keys.borrow().tab_passes && !el.value().is_empty() => {
                    let line = el.value();
                    let done = input::complete(&line, &session.0.borrow().complete(term, &line));
                    el.set_value(&done.line);
                    set_candidates(done.candidates);
                    true
                }
                "Escape" => {
                    keys.borrow_mut().tab_passes = true;
                    set_candidates(Vec::new());
                    false
                }
                "c" | "C" if ctrl => {
                    // With text selected, Ctrl-C copies it.
                    let selected = matches!((el.selection_start(), el.selection_end()), (Ok(Some(a)), Ok(Some(b))) if a != b);
                    if selected {
                        return false;
                    }
                    el.set_value("");
                    keys.borrow_mut().cursor.reset();
                    set_candidates(Vec::new());
                    on_entry(Entry::Interrupt { term });
                    true
                }
                "d" | "D" if ctrl => {
                    // The browser's Ctrl-D (bookmark) is never wanted in a terminal.
                    if mode != Mode::Command && el.value().is_empty() {
                        on_entry(Entry::Eof { term });
                    }
                    true
                }
                _ => false,
            }
        })
    };
    let onkeydown = {
        let press = press.clone();
        Callback::from(move |e: KeyboardEvent| {
            let ctrl = e.ctrl_key() && !e.alt_key() && !e.meta_key();
            if press(&e.key(), ctrl, e.shift_key()) {
                e.prevent_default();
            }
        })
    };
    // Touch screens have no Ctrl or Tab key: the same keys as buttons, which give the keyboard
    // back to the command line.
    let touch_keys = [("Ctrl-C", "c", true, "Interrupt the running tool (Ctrl-C)"), ("Ctrl-D", "d", true, "End the tool's input (Ctrl-D)"),
        ("Tab", "Tab", false, "Complete the command (Tab)"), ("↑", "ArrowUp", false, "Previous command in the history"), ("↓", "ArrowDown", false, "Next command in the history")]
    .map(|(label, key, ctrl, title)| {
        let (press, input) = (press.clone(), input.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            press(key, ctrl, false);
            if let Some(el) = input.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
        html! { <button class="touch-key" type="button" aria-label={title} {title} {onclick}>{ label }</button> }
    });
    let onfocus = {
        let (d, id, active) = (props.dispatch.clone(), props.id, props.active);
        Callback::from(move |_: FocusEvent| {
            if !active {
                d.dispatch(Action::SelectTerminal(id));
            }
        })
    };

    let keys_now = keys.borrow();
    // The active terminal's line is `#command-input` (the skip link's target); another one shown
    // beside it has its own id.
    let input_id = if props.active { "command-input".to_string() } else { format!("command-input-{}", props.id) };
    let hint_id = format!("terminal-{}-hint", props.id);
    let what = match props.mode {
        Mode::Command => "Command",
        Mode::Continuation => "Command (continued)",
        Mode::ToolInput => "Input for the running tool",
        Mode::Running => "A tool is running (Ctrl-C stops it)",
    };
    html! {
        <section ~className={if props.active { "terminal active" } else { "terminal" }} id={format!("terminal-panel-{}", props.id)} role="tabpanel"
            aria-labelledby={format!("tab-{}", props.id)}>
            <div class="scrollback" ref={scrollback} role="log" aria-live="polite" aria-label={format!("Terminal {} output", props.id)} tabindex="0">
                { for props.lines.iter().map(line_view) }
            </div>
            if !keys_now.candidates.is_empty() {
                <div class="candidates" role="status" aria-label="Completions">
                    { for keys_now.candidates.iter().take(CANDIDATES_SHOWN_MAX).map(|c| html! { <span class="candidate">{ c.clone() }</span> }) }
                    if keys_now.candidates.len() > CANDIDATES_SHOWN_MAX {
                        <span class="candidate more">{ format!("... and {} more", keys_now.candidates.len() - CANDIDATES_SHOWN_MAX) }</span>
                    }
                </div>
            }
            <div class="command-line">
                <label for={input_id.clone()} class="prompt" aria-hidden="true">{ props.prompt.clone() }</label>
                <input id={input_id} ref={input} type="text" aria-label={format!("Terminal {}: {what}", props.id)}
                    aria-describedby={hint_id.clone()} autocomplete="off" autocapitalize="off"
                    spellcheck="false" autofocus={props.active} {onkeydown} {onfocus} />
            </div>
            <div class="touch-keys" role="group" aria-label={format!("Keys for terminal {}", props.id)}>{ for touch_keys }</div>
            <p id={hint_id} class="visually-hidden">
                { "Enter runs the line. Up and Down browse the history. Tab completes; press Escape first to move focus with Tab. Control C interrupts, Control D ends a tool's input." }
            </p>
        </section>
    }
}

fn line_view(line: &TermLine) -> Html {
    let class = match line.kind {
        LineKind::Input => "line input",
        LineKind::Out => "line",
        LineKind::Err => "line stderr",
        LineKind::Keyed { key_len, hue } => {
            // The key in its colour, the rest as it is: still one line of plain text to copy.
            let (key, rest) = line.text.split_at(key_len.min(line.text.len()));
            return html! { <div ~className="line keyed"><span class="term-key" style={format!("--hue: {hue}")}>{ key.to_string() }</span>{ rest.to_string() }</div> };
        }
    };
    // Text nodes only: output and typed lines are never interpreted as HTML.
    html! { <div ~className={class}>{ line.text.clone() }</div> }
}
