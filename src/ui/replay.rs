//! The progress bar of a long replay (a share link, a saved session, an import, an undo) and
//! what drives it: one slice per timer task ([`Action::ReplaySlice`], a wall-clock budget
//! each), so the page draws and the Cancel button answers between slices.

use gloo::timers::callback::Timeout;
use yew::prelude::*;

use super::state::{send, Action, AppState};

/// Schedules the next slice after each render while a replay goes on.
#[hook]
pub fn use_replay_driver(state: &UseReducerHandle<AppState>) {
    let dispatcher = state.dispatcher();
    let pending = state.replay.is_some();
    use_effect_with((state.revision, pending), move |(_, pending)| {
        // A zero-delay timer, not a loop: the browser paints and handles input first.
        let timer = pending.then(|| Timeout::new(0, move || dispatcher.dispatch(Action::ReplaySlice)));
        move || drop(timer)
    });
}

/// The bar with its count and a Cancel button; nothing when no replay goes on.
pub fn replay_bar(state: &AppState, dispatcher: &UseReducerDispatcher<AppState>) -> Html {
    let Some((done, total)) = state.replay_progress() else { return html! {} };
    html! {
        <div ~className="replay" role="status" aria-live="polite">
            <label for="replay-progress">{ format!("Replaying the session: {done} of {total} actions") }</label>
            <progress id="replay-progress" max={total.to_string()} value={done.to_string()}></progress>
            <button class="replay-cancel" onclick={send(dispatcher, Action::CancelReplay)}
                title="Stop replaying: keep the session shown before it">{ "Cancel" }</button>
        </div>
    }
}
