//! The lesson side panel: the lesson list with progress bars, the free sandbox, and a lesson's
//! current step (narrative, clickable commands, what to look at, the goal with its tick or the
//! missing condition, hints, "show solution", reset step / reset lesson, next step).
//!
//! Routing is the address fragment (`#/lesson/<id>/step/<n>`, `#/sandbox`, `#/`), parsed and
//! validated by [`crate::lessons::parse_link`]. Opening a lesson at a step replaces the session
//! with the one [`lesson_model::saved_at_step`] builds (through the reducer's `Load`, so it is an
//! ordinary transcript); a reload on the same link keeps the autosaved session instead
//! ([`lesson_model::KEY_POSITION`]). Clicked commands run through the reducer like typed lines;
//! "show solution" only fills the terminal's input. Goals are checked on every render, which
//! follows every action (the panel is a hook of the app, [`use_lesson_panel`]), from its own
//! [`LessonTracker`]. Everything the lessons say is rendered as text.
use super::{class_names, when};
use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use wasm_bindgen::JsValue;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::lesson_model::{self, LessonTracker, KEY_POSITION, KEY_PROGRESS};
use super::session::Session;
use super::state::{Action as AppAction, AppState};
use super::storage;
use super::transcript::{Entry, TermId, TERMINALS_OPEN_MAX};
use crate::lessons::{self, format_link, parse_link, Action, Lesson, LookAt, Progress, Route, LESSONS};

fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Puts `route` in the address (a history entry, so Back works) without a `hashchange`.
fn push_route(route: &Route) {
    let link = format_link(route);
    if current_hash() == link {
        return;
    }
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&link));
    }
}

fn load_progress() -> Progress {
    let mut progress = storage::get(KEY_PROGRESS).and_then(|json| Progress::from_json(&json)).unwrap_or_default();
    progress.sanitize();
    progress
}

fn save_progress(progress: &Progress) {
    storage::set(KEY_PROGRESS, &progress.to_json());
}

/// The terminal a lesson's terminal `term` runs in: opened (with the ones before it) if it does
/// not exist yet; the active one if it was closed.
fn resolve_terminal(session: &Rc<RefCell<Session>>, dispatch: &UseReducerDispatcher<AppState>, term: TermId) -> TermId {
    let (open, next, active) = {
        let s = session.borrow();
        (s.terminal(term).is_some(), s.next_terminal(), s.active())
    };
    let target = if open {
        term
    } else if term >= next && (term as usize) <= TERMINALS_OPEN_MAX {
        for t in next..=term {
            dispatch.dispatch(AppAction::Act(Entry::Open { term: t }));
        }
        term
    } else {
        active
    };
    dispatch.dispatch(AppAction::SelectTerminal(target));
    target
}

/// Runs `line` in the lesson's terminal `term`, recorded like a typed line.
fn run_line(session: &Rc<RefCell<Session>>, dispatch: &UseReducerDispatcher<AppState>, term: TermId, line: &str) {
    let target = resolve_terminal(session, dispatch, term);
    dispatch.dispatch(AppAction::Run { term: target, line: line.to_string() });
}

/// Fills the terminal's input with `line` without running it.
fn fill_line(session: &Rc<RefCell<Session>>, dispatch: &UseReducerDispatcher<AppState>, term: TermId, line: &str) {
    resolve_terminal(session, dispatch, term);
    let line = line.to_string();
    // After the terminal switch has rendered.
    Timeout::new(30, move || {
        use wasm_bindgen::JsCast;
        let input = gloo::utils::document().get_element_by_id("command-input").and_then(|e| e.dyn_into::<HtmlInputElement>().ok());
        if let Some(input) = input {
            input.set_value(&line);
            let _ = input.focus();
        }
    })
    .forget();
}

/// Text with `code` spans, as text nodes.
fn rich(text: &str) -> Html {
    html! {
        { for lesson_model::code_spans(text).into_iter().map(|(s, code)| if code { html! { <code>{ s.to_string() }</code> } } else { html! { { s.to_string() } } }) }
    }
}


/// The panel's own state: one reducer (each state type instantiates yew's hook code again).
#[derive(Clone, PartialEq)]
struct Panel {
    route: Route,
    /// Why the address's lesson link does not work, if it does not.
    link_error: Option<String>,
    solution_shown: bool,
    hints_shown: usize,
}

enum PanelChange {
    /// A new route; `reset_shown` hides the solution and hints, `clear_error` the link error.
    Route { route: Route, reset_shown: bool, clear_error: bool },
    LinkError(String),
    ShowSolution,
    MoreHint,
}

impl Reducible for Panel {
    type Action = PanelChange;

    fn reduce(self: Rc<Self>, change: PanelChange) -> Rc<Self> {
        let mut next = (*self).clone();
        match change {
            PanelChange::Route { route, reset_shown, clear_error } => {
                next.route = route;
                if reset_shown {
                    next.solution_shown = false;
                    next.hints_shown = 0;
                }
                if clear_error {
                    next.link_error = None;
                }
            }
            PanelChange::LinkError(e) => next.link_error = Some(e),
            PanelChange::ShowSolution => next.solution_shown = true,
            PanelChange::MoreHint => next.hints_shown += 1,
        }
        Rc::new(next)
    }
}

/// What a control of the panel does: one callback dispatches them all (each distinct closure is
/// its own code in the wasm).
#[derive(Clone)]
enum Msg {
    /// Opens a lesson at a step: a fresh session rebuilt to the state the step starts from.
    Open(&'static Lesson, usize),
    /// Goes to a route; `true`: a lesson keeps the saved session if it already is at that step.
    Go(Route, bool),
    /// Runs a line in the lesson's terminal.
    Run(TermId, &'static str),
    /// Fills a terminal's input with a line (not run).
    Fill(TermId, &'static str),
    /// Shows the solution, its first line (if any) in the terminal's input.
    ShowSolution(Option<(TermId, &'static str)>),
    MoreHint,
    ResetLesson(&'static Lesson),
    /// From the step of a lesson (by id) to the next.
    NextStep(&'static str, usize),
}

/// What the panel keeps across renders without rendering again when it changes: one mutable ref
/// (each hook type instantiates yew's code again).
struct Kept {
    tracker: LessonTracker,
    progress: Progress,
}

/// What the handler of [`Msg`] works on (handles only: they stay valid across renders).
struct Ctx {
    session: Rc<RefCell<Session>>,
    dispatch: UseReducerDispatcher<AppState>,
    panel: UseReducerDispatcher<Panel>,
    kept: Rc<RefCell<Kept>>,
}

fn handle(c: &Ctx, msg: Msg) {
    match msg {
        Msg::Open(lesson, step) => {
            let step = step.min(lesson.steps.len().saturating_sub(1));
            let saved = lesson_model::saved_at_step(lesson, step);
            let what = if step == 0 { "from its start".to_string() } else { format!("at step {} (earlier steps' solutions replayed)", step + 1) };
            c.dispatch.dispatch(AppAction::Load(Box::new(saved), format!("Lesson \u{201c}{}\u{201d} opened {what} on a fresh cluster.", lesson.title.replace('`', "")))); 
            c.dispatch.dispatch(AppAction::SetPlaying(true));
            storage::set(KEY_POSITION, &lesson_model::position_key(lesson.id, step));
            let route = Route::Lesson { id: lesson.id, step };
            push_route(&route);
            c.panel.dispatch(PanelChange::Route { route, reset_shown: true, clear_error: true });
        }
        Msg::Go(Route::Lesson { id, step }, keep_if_saved) => {
            let Some(lesson) = lessons::lesson(id) else { return };
            if keep_if_saved && storage::get(KEY_POSITION).as_deref() == Some(&*lesson_model::position_key(id, step)) {
                c.panel.dispatch(PanelChange::Route { route: Route::Lesson { id, step }, reset_shown: false, clear_error: true });
            } else {
                handle(c, Msg::Open(lesson, step));
            }
        }
        Msg::Go(route, _) => {
            storage::remove(KEY_POSITION);
            push_route(&route);
            c.panel.dispatch(PanelChange::Route { route, reset_shown: false, clear_error: true });
        }
        Msg::Run(term, line) => run_line(&c.session, &c.dispatch, term, line),
        Msg::Fill(term, line) => fill_line(&c.session, &c.dispatch, term, line),
        Msg::ShowSolution(first_line) => {
            c.panel.dispatch(PanelChange::ShowSolution);
            if let Some((term, text)) = first_line {
                fill_line(&c.session, &c.dispatch, term, text);
            }
        }
        Msg::MoreHint => c.panel.dispatch(PanelChange::MoreHint),
        Msg::ResetLesson(lesson) => {
            c.kept.borrow_mut().progress.reset_lesson(lesson.id);
            save_progress(&c.kept.borrow().progress);
            handle(c, Msg::Open(lesson, 0));
        }
        Msg::NextStep(id, step) => {
            c.kept.borrow_mut().tracker.mark_step();
            let route = Route::Lesson { id, step: step + 1 };
            storage::set(KEY_POSITION, &lesson_model::position_key(id, step + 1));
            push_route(&route);
            c.panel.dispatch(PanelChange::Route { route, reset_shown: true, clear_error: false });
        }
    }
}

/// A button of the panel that sends `msg` (one function: each `<button>` written out in `html!`
/// is its own code in the wasm).
fn button(act: &Callback<Msg>, class: &'static str, title: Option<AttrValue>, msg: Msg, label: AttrValue) -> Html {
    html! { <button ~className={class} {title} onclick={on(act, msg)}>{ label }</button> }
}

/// A click handler that sends `msg` to the panel's one callback.
fn on(act: &Callback<Msg>, msg: Msg) -> Callback<MouseEvent> {
    let act = act.clone();
    Callback::from(move |_| act.emit(msg.clone()))
}

/// The lesson panel, as a hook the app calls on every render (each action bumps the app's
/// revision, so as a component it rendered with the app anyway, and a component costs about 2 KB
/// of wasm), and what the open step says to look at (the cluster views highlight it). Call it
/// while the session is not borrowed: checking the goal borrows it mutably.
#[hook]
pub fn use_lesson_panel(session: &Rc<RefCell<Session>>, dispatch: &UseReducerDispatcher<AppState>) -> (Html, &'static [LookAt]) {
    let panel = use_reducer(|| {
        let link = parse_link(&current_hash());
        Panel { link_error: link.as_ref().err().map(|e| e.to_string()), route: link.unwrap_or(Route::Home), solution_shown: false, hints_shown: 0 }
    });
    let kept = use_mut_ref(|| Kept { tracker: LessonTracker::new(), progress: load_progress() });
    let (solution_shown, hints_shown) = (panel.solution_shown, panel.hints_shown);
    // What the open step says to look at: the cluster views highlight it (`super::look`).
    let look_at: &'static [LookAt] = match &panel.route {
        Route::Lesson { id, step } => lessons::lesson(id)
            .and_then(|l| l.steps.get((*step).min(l.steps.len().saturating_sub(1))))
            .map_or(&[], |s| s.look_at),
        _ => &[],
    };

    let act = {
        let c = Ctx {
            session: session.clone(),
            dispatch: dispatch.clone(),
            panel: panel.dispatcher(),
            kept: kept.clone(),
        };
        Callback::from(move |msg: Msg| handle(&c, msg))
    };
    // The deep link at load time, and links followed later (typed, pasted, Back/Forward).
    {
        let act = act.clone();
        let panel = panel.dispatcher();
        use_effect_with((), move |_| {
            if let Ok(r @ Route::Lesson { .. }) = parse_link(&current_hash()) {
                act.emit(Msg::Go(r, true));
            }
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "hashchange", move |_| {
                    let hash = current_hash();
                    if hash.starts_with("#s=") {
                        return; // a share link: storage's business, not a route
                    }
                    match parse_link(&hash) {
                        Ok(r) => act.emit(Msg::Go(r, true)),
                        Err(e) => panel.dispatch(PanelChange::LinkError(e.to_string())),
                    }
                })
            });
            move || drop(listener)
        });
    }

    let error = panel.link_error.clone().map(|e| html! { <p class="lesson-error" role="alert">{ format!("That lesson link does not work: {e}.") }</p> });

    let html = match panel.route.clone() {
        Route::Home => {
            let kept = kept.borrow();
            let progress = &kept.progress;
            let (complete, total) = progress.overall();
            html! {
                <aside class="lesson" aria-labelledby="lesson-title">
                    <h2 id="lesson-title">{ "Lessons" }</h2>
                    { for error }
                    <p class="lesson-overall">{ format!("{complete} of {total} lessons complete") }</p>
                    <ol class="lesson-list">
                        { for LESSONS.iter().map(|l| {
                            let (done, steps) = progress.lesson_progress(l.id);
                            let resume = if progress.lesson_complete(l.id) { 0 } else { progress.resume_step(l.id) };
                            html! {
                                <li ~className={class_names(&["lesson-item", when(l.challenge, "challenge")])} key={l.id}>
                                    <button class="lesson-open" data-lesson={l.id}
                                        onclick={on(&act, Msg::Open(l, resume))}>
                                        <span class="lesson-item-title">{ rich(l.title) }</span>
                                    </button>
                                    <span class="lesson-summary">{ rich(l.summary) }</span>
                                    <span class="lesson-progress-row">
                                        <progress class="lesson-progress" max={steps.to_string()} value={done.to_string()}
                                            aria-label={format!("{}: {done} of {steps} steps done", l.title)}></progress>
                                        <span class="lesson-progress-text">{ format!("{done}/{steps}") }</span>
                                    </span>
                                </li>
                            }
                        }) }
                    </ol>
                    { button(&act, "free-sandbox", None, Msg::Go(Route::Sandbox, false), "Free sandbox (no lesson)".into()) }
                </aside>
            }
        }
        Route::Sandbox => {
            html! {
                <aside class="lesson" aria-labelledby="lesson-title">
                    <h2 id="lesson-title">{ "Free sandbox" }</h2>
                    { for error }
                    <p class="placeholder">{ rich("No lesson, no goals: the cluster is yours. Type any command in the terminal; `sim status`, `help` and the Kafka tools all work.") }</p>
                    { button(&act, "lesson-home", None, Msg::Go(Route::Home, false), "All lessons".into()) }
                </aside>
            }
        }
        Route::Lesson { id, step } => {
            let Some(lesson) = lessons::lesson(id) else { return (html! {}, look_at) };
            let step = step.min(lesson.steps.len() - 1);
            let s = &lesson.steps[step];
            // The goal, from the session as it is after the latest action.
            let verdict = {
                let mut session = session.borrow_mut();
                let tracker = &mut kept.borrow_mut().tracker;
                tracker.sync(&mut session);
                (tracker.check(&session, &s.goal), tracker.blocked(&session, &s.goal))
            };
            let (verdict, blocked) = verdict;
            // A failover in progress: why writes wait (countdown to fencing, a lost quorum).
            let failover = {
                let session = session.borrow();
                lessons::failover::failover_notes(kept.borrow().tracker.history(), session.shell().cluster())
            };
            let met = verdict.is_ok();
            if met && kept.borrow_mut().progress.mark_done(id, step) {
                save_progress(&kept.borrow().progress);
            }
            let (done, total) = kept.borrow().progress.lesson_progress(id);
            let last = step + 1 == lesson.steps.len();
            let commands = s.commands.iter().map(|c| {
                let (term, line) = (c.term as TermId, c.line);
                html! {
                    <li><button class="run-command" title={format!("Run in terminal {term}")}
                        onclick={on(&act, Msg::Run(term, line))}>
                        <span class="command-term" aria-label={format!("terminal {term}:")}>{ format!("T{term}") }</span>
                        <code>{ line }</code>
                    </button></li>
                }
            });
            let first_line = s.solution.iter().find_map(|a| if let Action::Line { term, text } = a { Some((*term as TermId, *text)) } else { None });
            let solution = s.solution.iter().map(|a| {
                let fill = if let Action::Line { term, text } = *a {
                    let term = term as TermId;
                    let title = format!("Put this line in terminal {term}'s input (not run)");
                    Some(button(&act, "fill-solution", Some(title.into()), Msg::Fill(term, text), "Fill".into()))
                } else {
                    None
                };
                html! { <li><code>{ a.display() }</code>{ for fill }</li> }
            });
            let next_lesson = LESSONS.iter().position(|l| l.id == id).and_then(|i| LESSONS.get(i + 1)).map(|next| {
                button(&act, "next-lesson", None, Msg::Open(next, 0), format!("Next lesson: {}", next.title).into())
            });
            html! {
                <aside class="lesson" aria-labelledby="lesson-title" data-lesson={id} data-step={(step + 1).to_string()}>
                    <nav class="lesson-nav" aria-label="Lesson navigation">
                        { button(&act, "lesson-home", None, Msg::Go(Route::Home, false), "\u{2190} All lessons".into()) }
                        <span class="lesson-step-count">{ format!("Step {} of {}", step + 1, lesson.steps.len()) }</span>
                    </nav>
                    { for error }
                    <h2 id="lesson-title">{ rich(lesson.title) }</h2>
                    <progress class="lesson-progress" max={total.to_string()} value={done.to_string()}
                        aria-label={format!("{done} of {total} steps done")}></progress>
                    <h3 class="step-title">{ rich(s.title) }</h3>
                    if step == 0 && !lesson.setup.is_empty() {
                        <details class="lesson-setup">
                            <summary>{ "This lesson starts with" }</summary>
                            <ul>{ for lesson.setup.iter().map(|a| html! { <li><code>{ a.display() }</code></li> }) }</ul>
                        </details>
                    }
                    <div class="narrative">{ for s.narrative.iter().map(|p| html! { <p>{ rich(p) }</p> }) }</div>
                    if !s.commands.is_empty() {
                        <ul class="lesson-commands" aria-label="Commands (click to run)">{ for commands }</ul>
                    }
                    if !s.look_at.is_empty() {
                        <p class="look-at">{ "Look at: " }{ s.look_at.iter().map(super::look::describe).collect::<Vec<_>>().join(", ") }</p>
                    }
                    if !failover.is_empty() {
                        <div class="failover" role="status">{ for failover.iter().map(|n| html! { <p>{ n.clone() }</p> }) }</div>
                    }
                    <div ~className={if met { "goal met" } else { "goal unmet" }} role="status" aria-live="polite">
                        <span class="goal-mark" aria-hidden="true">{ if met { "\u{2714}" } else { "\u{25cb}" } }</span>
                        <span class="goal-label">{ if met { "Goal met: " } else { "Goal: " } }</span>
                        <span class="goal-text">{ rich(s.goal_text) }</span>
                        if let Err(why) = &verdict {
                            <p class="goal-missing">{ if blocked { "Stuck: " } else { "Not yet: " } }{ rich(why) }</p>
                        }
                        if blocked {
                            { button(&act, "reset-step stuck", Some("Rebuild the cluster as this step starts".into()), Msg::Open(lesson, step), "Reset step".into()) }
                        }
                    </div>
                    if hints_shown > 0 {
                        <ul class="hints">{ for s.hints.iter().take(hints_shown).map(|h| html! { <li>{ rich(h) }</li> }) }</ul>
                    }
                    <div class="lesson-actions">
                        if hints_shown < s.hints.len() {
                            { button(&act, "show-hint", None, Msg::MoreHint, if hints_shown == 0 { "Hint".into() } else { "Another hint".into() }) }
                        }
                        { button(&act, "show-solution", None, Msg::ShowSolution(first_line), "Show solution".into()) }
                        { button(&act, "reset-step", Some("Rebuild the cluster as this step starts".into()), Msg::Open(lesson, step), "Reset step".into()) }
                        { button(&act, "reset-lesson", Some("Start the lesson over on a fresh cluster".into()), Msg::ResetLesson(lesson), "Reset lesson".into()) }
                    </div>
                    if solution_shown {
                        <div class="solution">
                            <p>{ "The solution (its first line is in the terminal's input, not run):" }</p>
                            <ol>{ for solution }</ol>
                        </div>
                    }
                    if met && !last {
                        { button(&act, "next-step", None, Msg::NextStep(id, step), format!("Next step: {}", lesson.steps[step + 1].title).into()) }
                    }
                    if met && last {
                        <div class="lesson-complete" role="status">
                            <p>{ "Lesson complete. Well done!" }</p>
                            { for next_lesson }
                        </div>
                    }
                </aside>
            }
        }
    };
    (html, look_at)
}
