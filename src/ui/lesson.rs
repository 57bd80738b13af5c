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
//! follows every action (the session's revision is a prop), from the panel's own
//! [`LessonTracker`]. Everything the lessons say is rendered as text.
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

#[derive(Properties)]
pub struct LessonProps {
    pub session: Rc<RefCell<Session>>,
    /// Bumped by every action: a new value re-checks the goal.
    pub revision: u64,
    pub dispatch: UseReducerDispatcher<AppState>,
}

impl PartialEq for LessonProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session) && self.revision == other.revision && self.dispatch == other.dispatch
    }
}

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


#[function_component(LessonPanel)]
pub fn lesson_panel(props: &LessonProps) -> Html {
    let route = use_state(|| parse_link(&current_hash()).unwrap_or(Route::Home));
    let link_error = use_state(|| parse_link(&current_hash()).err().map(|e| e.to_string()));
    let tracker = use_mut_ref(LessonTracker::new);
    let progress = use_mut_ref(load_progress);
    // (the solution is shown, hints shown): one state, as they reset together (and each state
    // type instantiates yew's hook code again).
    let shown = use_state(|| (false, 0usize));
    let (solution_shown, hints_shown) = *shown;
    // What the open step says to look at: the cluster views highlight it (`super::look`).
    let look_at: &'static [LookAt] = match &*route {
        Route::Lesson { id, step } => lessons::lesson(id)
            .and_then(|l| l.steps.get((*step).min(l.steps.len().saturating_sub(1))))
            .map_or(&[], |s| s.look_at),
        _ => &[],
    };
    {
        let dispatch = props.dispatch.clone();
        use_effect_with(look_at, move |look_at| dispatch.dispatch(AppAction::SetLookAt(*look_at)));
    }

    // Opens `id` at `step`: a fresh session rebuilt to the state the step starts from.
    let open_lesson = {
        let dispatch = props.dispatch.clone();
        let route = route.clone();
        let shown = shown.clone();
        let link_error = link_error.clone();
        Callback::from(move |(lesson, step): (&'static Lesson, usize)| {
            let step = step.min(lesson.steps.len().saturating_sub(1));
            let saved = lesson_model::saved_at_step(lesson, step);
            let what = if step == 0 { "from its start".to_string() } else { format!("at step {} (earlier steps' solutions replayed)", step + 1) };
            dispatch.dispatch(AppAction::Load(Box::new(saved), format!("Lesson \u{201c}{}\u{201d} opened {what} on a fresh cluster.", lesson.title)));
            dispatch.dispatch(AppAction::SetPlaying(true));
            storage::set(KEY_POSITION, &lesson_model::position_key(lesson.id, step));
            let r = Route::Lesson { id: lesson.id, step };
            push_route(&r);
            route.set(r);
            shown.set((false, 0));
            link_error.set(None);
        })
    };
    // Goes to a route: lessons are (re)built unless the saved session already is at that step.
    let go = {
        let route = route.clone();
        let open_lesson = open_lesson.clone();
        let link_error = link_error.clone();
        Callback::from(move |(target, keep_if_saved): (Route, bool)| match target {
            Route::Lesson { id, step } => {
                let Some(lesson) = lessons::lesson(id) else { return };
                if keep_if_saved && storage::get(KEY_POSITION).as_deref() == Some(&*lesson_model::position_key(id, step)) {
                    route.set(Route::Lesson { id, step });
                    link_error.set(None);
                } else {
                    open_lesson.emit((lesson, step));
                }
            }
            other => {
                storage::remove(KEY_POSITION);
                push_route(&other);
                route.set(other);
                link_error.set(None);
            }
        })
    };
    // The deep link at load time, and links followed later (typed, pasted, Back/Forward).
    {
        let go = go.clone();
        let link_error = link_error.clone();
        use_effect_with((), move |_| {
            if let Ok(r @ Route::Lesson { .. }) = parse_link(&current_hash()) {
                go.emit((r, true));
            }
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "hashchange", move |_| {
                    let hash = current_hash();
                    if hash.starts_with("#s=") {
                        return; // a share link: storage's business, not a route
                    }
                    match parse_link(&hash) {
                        Ok(r) => go.emit((r, true)),
                        Err(e) => link_error.set(Some(e.to_string())),
                    }
                })
            });
            move || drop(listener)
        });
    }

    let error = (*link_error).clone().map(|e| html! { <p class="lesson-error" role="alert">{ format!("That lesson link does not work: {e}.") }</p> });

    match (*route).clone() {
        Route::Home => {
            let progress = progress.borrow();
            let (complete, total) = progress.overall();
            let sandbox = {
                let go = go.clone();
                Callback::from(move |_| go.emit((Route::Sandbox, false)))
            };
            html! {
                <aside class="lesson" aria-labelledby="lesson-title">
                    <h2 id="lesson-title">{ "Lessons" }</h2>
                    { for error }
                    <p class="lesson-overall">{ format!("{complete} of {total} lessons complete") }</p>
                    <ol class="lesson-list">
                        { for LESSONS.iter().map(|l| {
                            let (done, steps) = progress.lesson_progress(l.id);
                            let resume = if progress.lesson_complete(l.id) { 0 } else { progress.resume_step(l.id) };
                            let open_lesson = open_lesson.clone();
                            html! {
                                <li class={classes!("lesson-item", l.challenge.then_some("challenge"))} key={l.id}>
                                    <button class="lesson-open" data-lesson={l.id}
                                        onclick={Callback::from(move |_| open_lesson.emit((l, resume)))}>
                                        <span class="lesson-item-title">{ l.title }</span>
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
                    <button class="free-sandbox" onclick={sandbox}>{ "Free sandbox (no lesson)" }</button>
                </aside>
            }
        }
        Route::Sandbox => {
            let home = {
                let go = go.clone();
                Callback::from(move |_| go.emit((Route::Home, false)))
            };
            html! {
                <aside class="lesson" aria-labelledby="lesson-title">
                    <h2 id="lesson-title">{ "Free sandbox" }</h2>
                    { for error }
                    <p class="placeholder">{ "No lesson, no goals: the cluster is yours. Type any command in the terminal; `sim status`, `help` and the Kafka tools all work." }</p>
                    <button class="lesson-home" onclick={home}>{ "All lessons" }</button>
                </aside>
            }
        }
        Route::Lesson { id, step } => {
            let Some(lesson) = lessons::lesson(id) else { return html! {} };
            let step = step.min(lesson.steps.len() - 1);
            let s = &lesson.steps[step];
            // The goal, from the session as it is after the latest action.
            let verdict = {
                let mut session = props.session.borrow_mut();
                let mut tracker = tracker.borrow_mut();
                tracker.sync(&mut session);
                tracker.check(&session, &s.goal)
            };
            let met = verdict.is_ok();
            if met && progress.borrow_mut().mark_done(id, step) {
                save_progress(&progress.borrow());
            }
            let (done, total) = progress.borrow().lesson_progress(id);
            let last = step + 1 == lesson.steps.len();
            let session = props.session.clone();
            let dispatch = props.dispatch.clone();

            let commands = s.commands.iter().map(|c| {
                let (session, dispatch) = (session.clone(), dispatch.clone());
                let (term, line) = (c.term as TermId, c.line);
                html! {
                    <li><button class="run-command" title={format!("Run in terminal {term}")}
                        onclick={Callback::from(move |_| run_line(&session, &dispatch, term, line))}>
                        <span class="command-term" aria-label={format!("terminal {term}:")}>{ format!("T{term}") }</span>
                        <code>{ line }</code>
                    </button></li>
                }
            });
            let first_line = s.solution.iter().find_map(|a| if let Action::Line { term, text } = a { Some((*term as TermId, *text)) } else { None });
            let show_solution = {
                let (session, dispatch, shown) = (session.clone(), dispatch.clone(), shown.clone());
                Callback::from(move |_| {
                    shown.set((true, hints_shown));
                    if let Some((term, text)) = first_line {
                        fill_line(&session, &dispatch, term, text);
                    }
                })
            };
            let solution = s.solution.iter().map(|a| {
                let fill = if let Action::Line { term, text } = *a {
                    let (session, dispatch) = (session.clone(), dispatch.clone());
                    let term = term as TermId;
                    Some(html! {
                        <button class="fill-solution" title={format!("Put this line in terminal {term}'s input (not run)")}
                            onclick={Callback::from(move |_| fill_line(&session, &dispatch, term, text))}>{ "Fill" }</button>
                    })
                } else {
                    None
                };
                html! { <li><code>{ a.display() }</code>{ for fill }</li> }
            });
            let more_hint = {
                let shown = shown.clone();
                Callback::from(move |_| shown.set((solution_shown, hints_shown + 1)))
            };
            let reset_step = {
                let open_lesson = open_lesson.clone();
                Callback::from(move |_| open_lesson.emit((lesson, step)))
            };
            let reset_lesson = {
                let (open_lesson, progress) = (open_lesson.clone(), progress.clone());
                Callback::from(move |_| {
                    progress.borrow_mut().reset_lesson(id);
                    save_progress(&progress.borrow());
                    open_lesson.emit((lesson, 0));
                })
            };
            let next_step = {
                let (route, tracker, shown) = (route.clone(), tracker.clone(), shown.clone());
                Callback::from(move |_| {
                    tracker.borrow_mut().mark_step();
                    let r = Route::Lesson { id, step: step + 1 };
                    storage::set(KEY_POSITION, &lesson_model::position_key(id, step + 1));
                    push_route(&r);
                    route.set(r);
                    shown.set((false, 0));
                })
            };
            let next_lesson = LESSONS.iter().position(|l| l.id == id).and_then(|i| LESSONS.get(i + 1)).map(|next| {
                let open_lesson = open_lesson.clone();
                html! { <button class="next-lesson" onclick={Callback::from(move |_| open_lesson.emit((next, 0)))}>{ format!("Next lesson: {}", next.title) }</button> }
            });
            let home = {
                let go = go.clone();
                Callback::from(move |_| go.emit((Route::Home, false)))
            };
            html! {
                <aside class="lesson" aria-labelledby="lesson-title" data-lesson={id} data-step={(step + 1).to_string()}>
                    <nav class="lesson-nav" aria-label="Lesson navigation">
                        <button class="lesson-home" onclick={home}>{ "\u{2190} All lessons" }</button>
                        <span class="lesson-step-count">{ format!("Step {} of {}", step + 1, lesson.steps.len()) }</span>
                    </nav>
                    { for error }
                    <h2 id="lesson-title">{ lesson.title }</h2>
                    <progress class="lesson-progress" max={total.to_string()} value={done.to_string()}
                        aria-label={format!("{done} of {total} steps done")}></progress>
                    <h3 class="step-title">{ s.title }</h3>
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
                    <div class={classes!("goal", if met { "met" } else { "unmet" })} role="status" aria-live="polite">
                        <span class="goal-mark" aria-hidden="true">{ if met { "\u{2714}" } else { "\u{25cb}" } }</span>
                        <span class="goal-label">{ if met { "Goal met: " } else { "Goal: " } }</span>
                        <span class="goal-text">{ rich(&s.goal.describe()) }</span>
                        if let Err(why) = &verdict {
                            <p class="goal-missing">{ "Not yet: " }{ rich(why) }</p>
                        }
                    </div>
                    if hints_shown > 0 {
                        <ul class="hints">{ for s.hints.iter().take(hints_shown).map(|h| html! { <li>{ rich(h) }</li> }) }</ul>
                    }
                    <div class="lesson-actions">
                        if hints_shown < s.hints.len() {
                            <button class="show-hint" onclick={more_hint}>{ if hints_shown == 0 { "Hint" } else { "Another hint" } }</button>
                        }
                        <button class="show-solution" onclick={show_solution}>{ "Show solution" }</button>
                        <button class="reset-step" title="Rebuild the cluster as this step starts" onclick={reset_step}>{ "Reset step" }</button>
                        <button class="reset-lesson" title="Start the lesson over on a fresh cluster" onclick={reset_lesson}>{ "Reset lesson" }</button>
                    </div>
                    if solution_shown {
                        <div class="solution">
                            <p>{ "The solution (its first line is in the terminal's input, not run):" }</p>
                            <ol>{ for solution }</ol>
                        </div>
                    }
                    if met && !last {
                        <button class="next-step" onclick={next_step}>{ format!("Next step: {}", lesson.steps[step + 1].title) }</button>
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
    }
}
