//! The lesson side panel. A placeholder until `src/lessons` provides lessons; it already shows how
//! a lesson's commands are clickable: a click runs the command in the active terminal, through
//! the transcript like a typed line.
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LessonProps {
    /// Runs a command line in the active terminal.
    pub on_run: Callback<String>,
}

/// Commands offered until the lessons arrive.
const STARTER_COMMANDS: [&str; 3] = ["help", "sim status", "kafka-topics --bootstrap-server localhost:9092 --list"];

#[function_component(LessonPanel)]
pub fn lesson_panel(props: &LessonProps) -> Html {
    html! {
        <aside class="lesson" aria-labelledby="lesson-title">
            <h2 id="lesson-title">{ "Lesson" }</h2>
            <p class="placeholder">{ "Lessons appear here. Try a command (it runs in the active terminal):" }</p>
            <ul class="lesson-commands">
                { for STARTER_COMMANDS.iter().map(|command| {
                    let on_run = props.on_run.clone();
                    let line = command.to_string();
                    html! {
                        <li><button class="run-command" title="Run in the active terminal"
                            onclick={Callback::from(move |_| on_run.emit(line.clone()))}>
                            <code>{ *command }</code>
                        </button></li>
                    }
                }) }
            </ul>
        </aside>
    }
}
