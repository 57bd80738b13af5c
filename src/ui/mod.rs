//! The browser UI: yew components over the shell (and soon the engine).
//!
//! This is the only module that touches the DOM. The pure logic lives in plain modules with unit
//! tests: [`transcript`] (the session as recorded actions), [`codec`] (saved sessions, share
//! links, validation), [`session`] (replaying actions into terminals: undo, redo, restore),
//! [`input`] (history and completion), [`clock`] (speed and time text), and for the cluster
//! views [`snapshot`] (the engine's state copied out, and diffs), [`groups`] (consumer groups,
//! lag and its history), [`layout`] (broker columns,
//! tiles or heat map), [`logview`] (one partition's log), [`monitor`] (invariants and lost
//! acknowledged records) and [`watch`] (fed once per action: event log, flows, monitor). [`sandbox`] is the one
//! adapter around the shell, so the move to one engine-backed cluster shared by every terminal
//! stays local. [`state`] is the yew reducer; [`storage`] and [`panic`] talk to the browser; the
//! rest are small components.
//!
//! Every learner action that changes the simulation becomes a [`transcript::Entry`], so the
//! session is a transcript: it autosaves, exports, shares and undoes by replay.

pub mod clock;
pub mod codec;
pub mod groups;
pub mod input;
pub mod layout;
pub mod look;
pub mod logview;
pub mod monitor;
pub mod lesson_model;
pub mod panic;
pub mod sandbox;
pub mod session;
pub mod snapshot;
pub mod state;
pub mod storage;
pub mod transcript;
pub mod watch;

mod cluster;
mod header;
mod replay;
pub mod lesson;
mod terminal;

use std::rc::Rc;

use gloo::timers::callback::Interval;
use yew::prelude::*;

pub use state::{Action, AppState};
use state::NoticeKind;

/// The whole page: header, message banner, cluster area, lesson panel and terminals.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| {
        let (session, notice, replay) = storage::initial_session();
        AppState::with_view(session, notice, storage::load_theme(), state::ViewState::new(!prefers_reduced_motion())).with_replay(replay)
    });

    // Autosave after every change to the session; the theme on <html>, so the whole page (and
    // the panic panel) follows it. One effect (each effect type instantiates yew's hook code
    // again): every action bumps the revision, so the theme is applied again, unchanged.
    // Playing: a clock advance every tick, from an interval kept while playing (so other actions
    // do not shift it) and dropped with the app.
    let ticker = use_mut_ref(|| None::<Interval>);
    // Whether the last autosave was written: a failure is reported once, not on every action.
    let saved_ok = use_mut_ref(|| true);
    {
        let state = state.clone();
        use_effect_with((state.revision, state.theme), move |(_, theme)| {
            // While a replay goes on, the session shown is not the one being rebuilt: the
            // autosave keeps what it held.
            if state.replay.is_none() {
                let ok = storage::save(&state.session.borrow().saved());
                if std::mem::replace(&mut *saved_ok.borrow_mut(), ok) && !ok {
                    state.dispatch(Action::SetNotice(Some(state::Notice::error(
                        "Your session could not be saved in this browser's storage (it is full or not available): export it to keep it.",
                    ))));
                }
            }
            storage::apply_theme(*theme);
            let mut ticker = ticker.borrow_mut();
            if ticker.is_some() != state.playing {
                let dispatcher = state.dispatcher();
                *ticker = state.playing.then(|| Interval::new(clock::TICK_WALL_MS, move || dispatcher.dispatch(Action::Tick)));
            }
        });
    }

    replay::use_replay_driver(&state);
    let laid_memo = use_mut_ref(|| None::<(Rc<snapshot::Snapshot>, layout::Filter, Rc<cluster::Laid>)>);
    let (lesson_panel, look_at) = lesson::use_lesson_panel(&state.session, &state.dispatcher());
    let session = state.session.borrow();
    let active = session.active();
    let dispatcher = state.dispatcher();
    let terminal = session.terminal(active).map(|t| {
        html! {
            <terminal::Terminal key={t.id} id={t.id} lines={t.lines.clone()} prompt={AttrValue::Static(t.prompt)}
                mode={t.mode} history={t.history.clone()} session={terminal::Shared(state.session.clone())} dispatch={dispatcher.clone()} />
        }
    });
    let watch = state.watch.borrow();
    let log_view = state.view.selected.as_ref().and_then(|(topic, partition)| {
        logview::build(session.cluster(), topic, *partition, state.view.window_end).map(|v| {
            // Which groups committed (and read) how far on this partition: the record detail says.
            let offsets = watch.groups().on_partition(topic, *partition);
            let committed = offsets.iter().filter_map(|(g, c, _)| Some((g.to_string(), (*c)?))).collect();
            Rc::new(logview::with_group_offsets(v, committed))
        })
    });
    // The brokers panel's layout, kept while the snapshot and the filter stay the same (memoised
    // by hand in a mutable ref: a use_memo instantiates more of yew's hook code).
    let laid = {
        let snapshot = watch.snapshot();
        let mut memo = laid_memo.borrow_mut();
        match &*memo {
            Some((s, f, laid)) if *s == snapshot && *f == state.view.filter => laid.clone(),
            _ => {
                let laid = Rc::new(cluster::lay_out(&snapshot, &state.view.filter));
                *memo = Some((snapshot, state.view.filter.clone(), laid.clone()));
                laid
            }
        }
    };
    let losses: Rc<Vec<monitor::Loss>> = Rc::new(watch.monitor().losses().cloned().collect());
    html! {
        <div class="app">
            <a class="skip-link" href="#command-input">{ "Skip to the terminal" }</a>
            { header::header(&header::HeaderProps { now_ms: session.now_ms(), seed: session.cluster().seed(),
                brokers: u32::try_from(session.cluster().broker_ids().len()).unwrap_or(0),
                playing: state.playing, speed: state.speed, can_undo: session.can_undo(), can_redo: session.can_redo(),
                theme: state.theme, dispatch: dispatcher.clone(), session: state.session.clone() }) }
            if let Some(notice) = &state.notice {
                <div ~className={if notice.kind == NoticeKind::Error { "notice error" } else { "notice" }}
                    role={if notice.kind == NoticeKind::Error { "alert" } else { "status" }}>
                    <span class="notice-text">{ notice.text.clone() }</span>
                    <button class="notice-close" aria-label="Dismiss the message" onclick={state::send(&dispatcher, Action::SetNotice(None))}>{ "×" }</button>
                </div>
            }
            { replay::replay_bar(&state, &dispatcher) }
            if let Some(url) = &state.share_url {
                <div class="share" role="dialog" aria-label="Share link">
                    <label for="share-url">{ "Share link (replays this session):" }</label>
                    <input id="share-url" type="text" readonly=true value={url.clone()}
                        onfocus={Callback::from(|e: FocusEvent| {
                            use wasm_bindgen::JsCast;
                            if let Some(i) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) { i.select(); }
                        })} />
                    <button onclick={state::send(&dispatcher, Action::ShowShare(None))}>{ "Close" }</button>
                </div>
            }
            <main class="app-main">
                { cluster::cluster_area(&cluster::ClusterProps { snapshot: watch.snapshot(), laid, log: watch.log(), flows: watch.flows(),
                    alarm: watch.monitor().alarm().cloned(), losses, view: state::ViewState { look_at, ..state.view.clone() }, log_view, groups: watch.groups(),
                    dispatch: dispatcher.clone() }) }
                { lesson_panel }
                <div class="terminals">
                    { terminal::terminal_tabs(&session.terminals().iter().map(|t| t.id).collect::<Vec<_>>(), active, &dispatcher) }
                    { for terminal }
                </div>
            </main>
        </div>
    }
}

/// The learner asked the system for less motion: animations start off.
fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            let match_media = js_sys::Reflect::get(&w, &"matchMedia".into()).ok()?;
            let f: &js_sys::Function = wasm_bindgen::JsCast::dyn_ref(&match_media)?;
            let list = f.call1(&w, &"(prefers-reduced-motion: reduce)".into()).ok()?;
            js_sys::Reflect::get(&list, &"matches".into()).ok()?.as_bool()
        })
        .unwrap_or(false)
}

/// A `class` value: the parts joined by spaces, empty ones left out. Elements take it as the
/// `className` property (`~className={..}`): an expression written as `class={..}` becomes yew's
/// `Classes`, an ordered hash set built for every element on every render, and that code weighed
/// ~1.5 KB of the gzipped bundle. Both set the same `class` attribute.
pub fn class_names(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts.iter().filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

/// `name` when `on`, else nothing: a part of [`class_names`].
pub fn when(on: bool, name: &'static str) -> &'static str {
    if on { name } else { "" }
}

/// Mounts the app into `root`.
pub fn mount(root: web_sys::Element) -> AppHandle<App> {
    yew::Renderer::<App>::with_root(root).render()
}

/// Entry point of the web app: installs the panic panel, then mounts into `<body>`.
pub fn start() {
    panic::install();
    yew::Renderer::<App>::new().render();
}

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
