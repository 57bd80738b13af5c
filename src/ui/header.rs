//! The header: title, the simulated clock with its controls, the seed, session controls
//! (undo, redo, reset, export, import, share) and the theme toggle.
use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::clock;
use super::codec;
use super::state::{send, Action, AppState, Notice, Theme};
use super::session::Session;
use super::storage;

/// What the header shows.
pub struct HeaderProps {
    pub now_ms: u64,
    pub seed: u64,
    pub brokers: u32,
    pub playing: bool,
    pub speed: u32,
    pub can_undo: bool,
    pub can_redo: bool,
    /// (actions done, actions in all): the timeline slider.
    pub timeline: (usize, usize),
    pub theme: Theme,
    pub dispatch: UseReducerDispatcher<AppState>,
    /// The session, saved for export and share when clicked.
    pub session: Rc<RefCell<Session>>,
}

/// A plain function, not a component: its callbacks are new on every render of the app, so
/// as a component it rendered every time anyway (and a component costs about 2 KB of wasm).
pub fn header(props: &HeaderProps) -> Html {
    let d = props.dispatch.clone();
    let on_speed = super::cluster::on_value::<InputEvent>(&d, super::cluster::ValueTarget::Speed);
    // Export and Share: one closure type for both (each distinct closure is its own code).
    let export_or_share = |share: bool| {
        let (d, session) = (d.clone(), props.session.clone());
        Callback::from(move |_: MouseEvent| {
            let saved = session.borrow().saved();
            if !share {
                if !storage::download(&storage::export_filename(&saved), &codec::encode(&saved)) {
                    d.dispatch(Action::SetNotice(Some(Notice::error("The download could not be started."))));
                }
                return;
            }
            match storage::share_url(&saved) {
                Some(url) => d.dispatch(Action::ShowShare(Some(url.into()))),
                None => d.dispatch(Action::SetNotice(Some(Notice::error(format!(
                    "This session is too long for a share link (more than {} KiB): export it as a file instead.",
                    codec::SHARE_JSON_BYTES_MAX / 1024
                ))))),
            }
        })
    };
    let on_export = export_or_share(false);
    let on_share = export_or_share(true);
    let on_import = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
            let d = d.clone();
            storage::read_chosen_file(&input, move |result| {
                let loaded = result.map_err(|e| e.to_string()).and_then(|text| {
                    codec::decode(&text, codec::SAVED_JSON_BYTES_MAX).map_err(|e| e.to_string())
                });
                match loaded {
                    // The import replaces the session: keep the learner's own work aside first.
                    Ok(saved) => match storage::keep_own_session() {
                        Ok(kept) => {
                            let n = saved.transcript.len();
                            let kept = kept.map(|key| format!(" Your own session is kept as {key} in this browser's storage.")).unwrap_or_default();
                            d.dispatch(Action::Load(Box::new(saved), format!("Imported a session: {n} actions replayed.{kept}")))
                        }
                        Err(why) => d.dispatch(Action::SetNotice(Some(Notice::error(format!(
                            "That file was not imported: your own session could not be kept aside ({why}). Export your session to keep it first."
                        ))))),
                    },
                    Err(e) => d.dispatch(Action::SetNotice(Some(Notice::error(format!("That file could not be imported: {e}."))))),
                }
            });
            input.set_value(""); // choosing the same file again fires `change` again
        })
    };
    // (label, handler, disabled, title): one loop, not one element per button in the code.
    let buttons: [(&str, Callback<MouseEvent>, bool, &str); 4] = [
        ("Undo", send(&d, Action::Undo), !props.can_undo, "Undo the last action (replays the session without it)"),
        ("Redo", send(&d, Action::Redo), !props.can_redo, "Redo the last undone action"),
        ("Reset", send(&d, Action::Reset), false, "Start over from the same seed"),
        ("Export", on_export, false, "Download this session as a JSON file"),
    ];
    let speed_text = clock::format_speed(props.speed);
    let step_ms = clock::step_sim_ms(props.speed);
    html! {
        <header class="app-header">
            <h1>{ "Kafka sandbox" }</h1>
            <div class="clock" role="group" aria-label="Simulated time">
                <span class="clock-time" role="timer" aria-label="Simulated clock" title="Simulated time since the cluster started">
                    { clock::format_clock(props.now_ms) }
                </span>
                <button class="play" aria-pressed={props.playing.to_string()} onclick={send(&d, Action::SetPlaying(!props.playing))}
                    title={if props.playing { "Pause simulated time" } else { "Let simulated time run" }}>
                    { if props.playing { "Pause" } else { "▶ Play" } }
                </button>
                <button class="step" onclick={send(&d, Action::Step)} title={format!("Advance simulated time by {}", clock::format_duration(step_ms))}
                    aria-label={format!("Step: advance {}", clock::format_duration(step_ms))}>{ format!("Step +{}", clock::format_duration(step_ms)) }</button>
                <label class="speed">
                    <span>{ "Speed" }</span>
                    <input type="range" min="0" max={clock::SPEED_POSITION_MAX.to_string()} step="1"
                        value={props.speed.to_string()} aria-valuetext={speed_text.clone()} oninput={on_speed} />
                    <output class="speed-value">{ speed_text }</output>
                </label>
            </div>
            { timeline(props.timeline, &d) }
            <div class="session" role="group" aria-label="Session">
                <span class="seed" title="The seed this simulation runs from: same seed, same commands, same results">
                    { format!("seed {} · {}", props.seed, super::topiclogs::plural(props.brokers as usize, "broker")) }
                </span>
                { for buttons.map(|(label, onclick, disabled, title)| html! { <button {onclick} disabled={disabled} {title}>{ label }</button> }) }
                <label class="button import" title="Load a session from a JSON file">
                    { "Import" }
                    <input type="file" accept=".json,application/json" class="visually-hidden" aria-label="Import a session file" onchange={on_import} />
                </label>
                <button onclick={on_share} title="A link that replays this session">{ "Share" }</button>
                <button class="theme" onclick={send(&d, Action::SetTheme(props.theme.next()))} aria-label={format!("Theme: {} (change)", props.theme.name())}>
                    { format!("Theme: {}", props.theme.name()) }
                </button>
            </div>
        </header>
    }
}

/// The timeline: a slider over the session's actions. Moving it replays the session from its
/// seed up to that action (the later ones are kept to come back to); a new action there branches
/// off. Changes on release (`change`), so dragging does not replay at every pixel.
fn timeline((done, all): (usize, usize), d: &UseReducerDispatcher<AppState>) -> Html {
    let on_change = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let value = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()).and_then(|i| i.value().parse::<usize>().ok());
            if let Some(at) = value {
                d.dispatch(Action::Seek(at));
            }
        })
    };
    let earlier = done < all;
    html! {
        <div ~className={if earlier { "timeline earlier" } else { "timeline" }} role="group" aria-label="Timeline">
            <label>
                <span>{ "Timeline" }</span>
                <input type="range" min="0" max={all.to_string()} step="1" value={done.to_string()} disabled={all == 0}
                    aria-label={format!("Timeline of the session's actions: at action {done} of {all}")}
                    aria-valuetext={format!("after action {done} of {all}")} onchange={on_change} />
            </label>
            <output class="timeline-at">{ format!("{done}/{all}") }</output>
            if earlier {
                <button class="timeline-now" onclick={send(d, Action::Seek(all))} title="Replay every action again: back to the latest moment">{ "Back to now" }</button>
                <span class="timeline-note" role="status">{ "An earlier moment: look around, or type a command to branch from here (the later actions are then dropped)." }</span>
            }
        </div>
    }
}
