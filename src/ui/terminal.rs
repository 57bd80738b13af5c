//! A terminal: scrollback and a labelled command-line input.
use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::state::TermLine;
use crate::shell::Stream;

#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    pub lines: Rc<Vec<TermLine>>,
    pub prompt: AttrValue,
    pub on_command: Callback<String>,
}

#[function_component(Terminal)]
pub fn terminal(props: &TerminalProps) -> Html {
    let input = use_node_ref();
    let onkeydown = {
        let input = input.clone();
        let on_command = props.on_command.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                if let Some(el) = input.cast::<HtmlInputElement>() {
                    let line = el.value();
                    el.set_value("");
                    on_command.emit(line);
                }
            }
        })
    };
    html! {
        <section class="terminal" aria-label="Terminal">
            <pre class="scrollback" role="log" aria-live="polite">
                { for props.lines.iter().map(|l| html! {
                    // Text nodes only: message content is never interpreted as HTML.
                    <div class={classes!("line", (l.stream == Stream::Err).then_some("stderr"))}>{ l.text.clone() }</div>
                }) }
            </pre>
            <div class="command-line">
                <label for="command-input" class="prompt">{ props.prompt.clone() }</label>
                <input id="command-input" ref={input} type="text" aria-label="Command"
                    autocomplete="off" spellcheck="false" autofocus=true {onkeydown} />
            </div>
        </section>
    }
}
