//! Browser tests: mount the real app in headless Chromium and read the DOM.
//! Run by `make test` through `wasm-pack test --headless --chrome`.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn next_frame() {
    yew::platform::time::sleep(std::time::Duration::from_millis(20)).await;
}

fn mount() -> web_sys::Element {
    let document = gloo::utils::document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    kafka_sandbox::ui::mount(root.clone());
    root
}

fn type_command(root: &web_sys::Element, line: &str) {
    let input: web_sys::HtmlInputElement =
        root.query_selector("#command-input").unwrap().expect("the command input").dyn_into().unwrap();
    input.set_value(line);
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    input.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn app_shows_header_cluster_and_terminal() {
    let root = mount();
    next_frame().await;
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("Kafka sandbox"), "header missing: {text}");
    assert!(root.query_selector("[aria-label=Cluster]").unwrap().is_some());
    assert!(root.query_selector("[aria-label=Command]").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn typing_help_shows_the_shells_help() {
    let root = mount();
    next_frame().await;
    type_command(&root, "help");
    next_frame().await;
    let scrollback = root.query_selector(".scrollback").unwrap().unwrap().text_content().unwrap();
    assert!(scrollback.contains("$ help"), "the command is echoed: {scrollback}");
    assert!(scrollback.contains("kafka-console-consumer"), "help text shown: {scrollback}");
}
