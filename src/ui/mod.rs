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
pub mod ghosts;
pub mod groups;
pub mod input;
pub mod layout;
pub mod look;
pub mod logview;
pub mod monitor;
pub mod lesson_model;
pub mod panic;
pub mod sandbox;
pub mod rereads;
pub mod session;
pub mod snapshot;
pub mod state;
pub mod storage;
pub mod topiclogs;
pub mod transcript;
pub mod watch;

mod cluster;
mod header;
mod replay;
pub mod lesson;
mod strips;
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
    use_scrolling(state.view.scroll_to.clone(), look_at);
    let session = state.session.borrow();
    let active = session.active();
    let dispatcher = state.dispatcher();
    let watch = state.watch.borrow();
    let log_view = state.view.selected.as_ref().and_then(|(topic, partition)| {
        logview::build(session.cluster(), topic, *partition, state.view.window_end).map(|v| {
            // Which groups committed (and read) how far on this partition: the record detail says.
            let offsets = watch.groups().on_partition(topic, *partition);
            let committed = offsets.iter().filter_map(|(g, c, _)| Some((g.to_string(), (*c)?))).collect();
            Rc::new(logview::with_group_offsets(v, committed))
        })
    });
    // The brokers panel's layout, kept while the snapshot and the filter stay the same.
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
    let topic_logs = {
        let snapshot = watch.snapshot();
        let wanted = wanted_topics(&state.view, look_at);
        topiclogs::topic_in_view(&snapshot, &wanted)
            .and_then(|t| topiclogs::build(session.cluster(), &snapshot, &t, &watch.groups(), watch.ghosts(), watch.rereads()))
            .map(Rc::new)
    };
    let losses: Rc<Vec<monitor::Loss>> = Rc::new(watch.monitor().losses().cloned().collect());
    let ghosts = Rc::new(watch.ghosts().by_partition());
    let welcome = (!state.view.welcomed && session.timeline().1 == 0 && at_home()).then(|| welcome_card(&dispatcher));
    let two_terminals = session.terminals().len() > 1;
    let shown: Vec<&session::Terminal> = if two_terminals {
        // The active terminal and the one opened just before or after it, side by side.
        let ts = session.terminals();
        let i = ts.iter().position(|t| t.id == active).unwrap_or(0);
        let other = if i + 1 < ts.len() { i + 1 } else { i - 1 };
        let (a, b) = (i.min(other), i.max(other));
        vec![&ts[a], &ts[b]]
    } else {
        session.terminal(active).into_iter().collect()
    };
    let terminals = shown.into_iter().map(|t| html! {
        <terminal::Terminal key={t.id} id={t.id} active={t.id == active} lines={t.lines.clone()} prompt={AttrValue::Static(t.prompt)}
            mode={t.mode} history={t.history.clone()} session={terminal::Shared(state.session.clone())} dispatch={dispatcher.clone()} />
    });
    let (done, all) = session.timeline();
    let main_style = format!("--terminal-share: {}%", state.view.terminal_share);
    html! {
        <div class="app">
            <a class="skip-link" href="#command-input">{ "Skip to the terminal" }</a>
            { header::header(&header::HeaderProps { now_ms: session.now_ms(), seed: session.cluster().seed(),
                brokers: u32::try_from(session.cluster().broker_ids().len()).unwrap_or(0),
                playing: state.playing, speed: state.speed, can_undo: session.can_undo(), can_redo: session.can_redo(),
                timeline: (done, all), theme: state.theme, dispatch: dispatcher.clone(), session: state.session.clone() }) }
            if let Some(notice) = state.notice.as_ref().filter(|n| !stale_lesson_notice(n)) {
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
            { for welcome }
            <main class="app-main" style={main_style}>
                { cluster::cluster_area(&cluster::ClusterProps { snapshot: watch.snapshot(), laid, log: watch.log(), flows: watch.flows(),
                    alarm: watch.monitor().alarm().cloned(), losses, view: state::ViewState { look_at, ..state.view.clone() }, log_view, groups: watch.groups(),
                    topic_logs, ghosts, dispatch: dispatcher.clone() }) }
                { splitter(state.view.terminal_share, &dispatcher) }
                <div class="lessons-region" role="region" aria-label="Lessons">{ lesson_panel }</div>
                <section ~className={class_names(&["terminals", when(two_terminals, "split")])} aria-label="Terminal">
                    { terminal::terminal_tabs(&session.terminals().iter().map(|t| t.id).collect::<Vec<_>>(), active, &dispatcher) }
                    <div class="terminal-panes">{ for terminals }</div>
                </section>
            </main>
        </div>
    }
}

/// The topics the logs panel should draw, best first: the learner's pick, what the lesson step
/// points at, the selected partition's.
fn wanted_topics<'a>(view: &'a state::ViewState, look_at: &'static [crate::lessons::LookAt]) -> Vec<&'a str> {
    let mut wanted: Vec<&str> = view.filter.topic.as_deref().into_iter().collect();
    for l in look_at {
        match l {
            crate::lessons::LookAt::Topic(t) | crate::lessons::LookAt::Partition(t, _) => wanted.push(t),
            _ => {}
        }
    }
    wanted.extend(view.selected.as_ref().map(|(t, _)| &**t));
    wanted
}

/// A lesson's "opened on a fresh cluster" banner once the learner left that lesson.
fn stale_lesson_notice(notice: &state::Notice) -> bool {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    notice.kind == NoticeKind::Info && notice.text.starts_with("Lesson \u{201c}") && !hash.starts_with("#/lesson/")
}

/// The page shows the lesson list (no lesson, no free sandbox chosen yet).
fn at_home() -> bool {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    matches!(hash.as_str(), "" | "#" | "#/")
}

fn go(route: &crate::lessons::Route) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(&crate::lessons::format_link(route));
    }
}

/// The first thirty seconds: what this is, lesson 1 in one click, or the free sandbox.
fn welcome_card(d: &UseReducerDispatcher<AppState>) -> Html {
    let first = crate::lessons::LESSONS.first();
    let pick = |route: crate::lessons::Route| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| {
            go(&route);
            d.dispatch(Action::Welcomed);
        })
    };
    html! {
        <section class="welcome" role="dialog" aria-labelledby="welcome-title">
            <h2 id="welcome-title">{ "Welcome: a whole Kafka cluster in your browser" }</h2>
            <p>{ "Three Kafka 3.9 brokers run here, simulated: type the real tools' commands in the terminal and watch every partition's log, its replicas, consumer groups and lost records drawn live. Nothing to install; break it as much as you like." }</p>
            <div class="welcome-actions">
                if let Some(l) = first {
                    <button class="welcome-start primary" onclick={pick(crate::lessons::Route::Lesson { id: l.id, step: 0 })}>
                        { format!("Start lesson 1: {}", l.title) }
                    </button>
                }
                <button class="welcome-sandbox" onclick={pick(crate::lessons::Route::Sandbox)}>{ "Free sandbox" }</button>
                <button class="welcome-close" aria-label="Close the welcome" onclick={state::send(d, Action::Welcomed)}>{ "×" }</button>
            </div>
        </section>
    }
}

/// The resizable split between the cluster view and the terminal: drag it, or focus it and use
/// the arrow keys. Its value is the terminal's share of the height.
fn splitter(share: u8, d: &UseReducerDispatcher<AppState>) -> Html {
    let on_key = {
        let d = d.clone();
        Callback::from(move |e: KeyboardEvent| {
            let delta: i16 = match e.key().as_str() {
                "ArrowUp" => 5,
                "ArrowDown" => -5,
                _ => return,
            };
            e.prevent_default();
            d.dispatch(Action::SetTerminalShare(state::clamp_share(i16::from(share) + delta)));
        })
    };
    let on_down = Callback::from(|e: PointerEvent| {
        use wasm_bindgen::JsCast;
        if let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            let _ = el.set_pointer_capture(e.pointer_id());
        }
    });
    let on_move = {
        let d = d.clone();
        Callback::from(move |e: PointerEvent| {
            use wasm_bindgen::JsCast;
            if e.buttons() & 1 == 0 {
                return;
            }
            let Some(main) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|el| el.parent_element()) else { return };
            // Read through JS (web-sys's DomRect is not among the features this crate builds).
            let Some(rect) = js_call(&main, "getBoundingClientRect", &wasm_bindgen::JsValue::UNDEFINED) else { return };
            let number = |name: &str| js_sys::Reflect::get(&rect, &name.into()).ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
            let (bottom, height) = (number("bottom"), number("height"));
            if height <= 0.0 {
                return;
            }
            let below = (bottom - f64::from(e.client_y())) * 100.0 / height;
            d.dispatch(Action::SetTerminalShare(state::clamp_share(below.round() as i16)));
        })
    };
    html! {
        <div class="splitter" role="separator" aria-orientation="horizontal" aria-label="Resize the terminal"
            aria-valuemin={state::SHARE_MIN.to_string()} aria-valuemax={state::SHARE_MAX.to_string()} aria-valuenow={share.to_string()}
            tabindex="0" onkeydown={on_key} onpointerdown={on_down} onpointermove={on_move}></div>
    }
}

/// Scrolls to what was asked for ([`state::ViewState::scroll_to`]), and to the first thing a
/// newly opened lesson step says to look at.
#[hook]
fn use_scrolling(scroll_to: Option<(String, u64)>, look_at: &'static [crate::lessons::LookAt]) {
    use_effect_with((scroll_to, look_at.as_ptr() as usize), move |(target, _)| {
        let doc = web_sys::window().and_then(|w| w.document());
        let el = match target {
            Some((id, _)) => doc.and_then(|d| d.get_element_by_id(id)),
            None => {
                let (boxes, _) = look::selectors(look_at, &[], false);
                doc.and_then(|d| boxes.iter().find_map(|sel| d.query_selector(sel).ok().flatten()))
            }
        };
        if let Some(el) = el {
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &"block".into(), &"nearest".into());
            let _ = js_sys::Reflect::set(&options, &"behavior".into(), &"smooth".into());
            js_call(&el, "scrollIntoView", &options);
            // The target flashes, so the eye finds it after the scroll.
            if let Ok(classes) = js_sys::Reflect::get(&el, &"classList".into()) {
                js_call(&classes, "remove", &"flash".into());
                js_call(&el, "getBoundingClientRect", &wasm_bindgen::JsValue::UNDEFINED); // restarts the animation
                js_call(&classes, "add", &"flash".into());
            }
        }
    });
}

/// `target.method(arg)` through JS, for the few DOM calls whose web-sys types this crate does not
/// build.
fn js_call(target: &wasm_bindgen::JsValue, method: &str, arg: &wasm_bindgen::JsValue) -> Option<wasm_bindgen::JsValue> {
    let f = js_sys::Reflect::get(target, &method.into()).ok()?;
    let f: &js_sys::Function = wasm_bindgen::JsCast::dyn_ref(&f)?;
    f.call1(target, arg).ok()
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
