//! The browser UI: yew components over the shell and the engine.
//!
//! This is the only module that touches the DOM. State lives in a reducer ([`state::AppState`]);
//! components render it and dispatch actions. Every learner action goes through the shell, so the
//! session stays a replayable transcript.

mod state;
mod terminal;

use yew::prelude::*;

pub use state::{Action, AppState};

/// The whole page: header, cluster area and terminal.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    let on_command = {
        let state = state.clone();
        Callback::from(move |line: String| state.dispatch(Action::Run(line)))
    };
    html! {
        <div class="app">
            <header class="app-header">
                <h1>{ "Kafka sandbox" }</h1>
                <span class="subtitle">{ "a simulated Kafka 3.9 cluster (KRaft), running in this tab" }</span>
            </header>
            <main class="app-main">
                <section class="cluster" aria-label="Cluster">
                    <p class="placeholder">{ "The cluster view appears here." }</p>
                </section>
                <terminal::Terminal lines={state.lines.clone()} prompt={state.prompt.clone()} {on_command} />
            </main>
        </div>
    }
}

/// Mounts the app into `root`.
pub fn mount(root: web_sys::Element) -> AppHandle<App> {
    yew::Renderer::<App>::with_root(root).render()
}

/// Entry point of the web app: mounts into `<body>`.
pub fn start() {
    yew::Renderer::<App>::new().render();
}
