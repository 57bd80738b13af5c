//! A panic must never leave a blank page. The panel is static, drawn with plain DOM calls (no
//! yew: the app's state may be what broke), and offers to export the autosaved transcript and to
//! start over. Its controls are plain links, so they work without calling back into the
//! WebAssembly instance after the panic has trapped.
//!
//! The panic hook below draws it, with the panic's own message, in every build (the release
//! bundle, `make serve` and the browser tests alike).

use std::sync::atomic::{AtomicBool, Ordering};

use super::storage;

static PANEL_SHOWN: AtomicBool = AtomicBool::new(false);
pub const PANEL_ID: &str = "panic-panel";

/// Installs the hook (once, at start-up), through yew so that yew's renderer does not replace it
/// with its own console hook.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&format!("kafka-sandbox panicked: {message}").into());
        show_panel(&message);
    }));
}

/// Draws the error panel (at most once per page). Public for the browser tests.
pub fn show_panel(message: &str) {
    if PANEL_SHOWN.swap(true, Ordering::SeqCst) {
        return;
    }
    // Any failure here is ignored: there is nothing better to fall back to.
    let _ = try_show_panel(message);
}

fn try_show_panel(message: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let body = document.body()?;
    let element = |tag: &str, text: Option<&str>| -> Option<web_sys::Element> {
        let e = document.create_element(tag).ok()?;
        if let Some(text) = text {
            e.set_text_content(Some(text)); // text only, never markup
        }
        Some(e)
    };
    let panel = element("div", None)?;
    panel.set_id(PANEL_ID);
    panel.set_attribute("role", "alertdialog").ok()?;
    panel.set_attribute("aria-labelledby", "panic-title").ok()?;
    let title = element("h2", Some("Something went wrong in the sandbox"))?;
    title.set_id("panic-title");
    panel.append_child(&title).ok()?;
    let explanation = element(
        "p",
        Some("This is a bug in the sandbox, not in your commands. Your session was saved after your last action: export it (and attach it to a bug report), reload to continue, or start over."),
    )?;
    panel.append_child(&explanation).ok()?;
    let details = element("pre", Some(message))?;
    details.set_class_name("panic-message");
    panel.append_child(&details).ok()?;
    let actions = element("p", None)?;
    actions.set_class_name("panic-actions");
    if let Some(json) = storage::get(storage::KEY_SESSION) {
        if let Some(url) = storage::blob_url(&json, "application/json") {
            let export = element("a", Some("Export the transcript"))?;
            export.set_attribute("href", &url).ok()?;
            export.set_attribute("download", "kafka-sandbox-session.json").ok()?;
            actions.append_child(&export).ok()?;
        }
    }
    let reload = element("a", Some("Reload (keeps the session)"))?;
    reload.set_attribute("href", "./").ok()?;
    actions.append_child(&reload).ok()?;
    let reset = element("a", Some("Reset: start a fresh session"))?;
    reset.set_attribute("href", "./?reset").ok()?;
    actions.append_child(&reset).ok()?;
    panel.append_child(&actions).ok()?;
    body.append_child(&panel).ok()?;
    Some(())
}
