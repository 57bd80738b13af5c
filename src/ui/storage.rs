//! The browser side of persistence: localStorage autosave, the share-link fragment, file export
//! and import. Parsing and validation are in [`super::codec`]; this module only moves strings.
//!
//! Load order at start-up: `?reset` (the panic panel's "start over" link) sets the saved session
//! aside; a `#s=...` share link replaces the session (the fragment is then removed, so a reload
//! keeps the learner's changes); otherwise the autosave is restored. A saved session that cannot
//! be read is kept aside under [`KEY_UNREADABLE`] and the learner starts fresh with a message.

use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use super::codec::{self, SavedSession, SAVED_JSON_BYTES_MAX};
use super::session::Session;
use super::state::{Notice, Theme, BROKERS_DEFAULT, SEED_DEFAULT};

pub const KEY_SESSION: &str = "kafka-sandbox.session";
pub const KEY_UNREADABLE: &str = "kafka-sandbox.session.unreadable";
pub const KEY_PREVIOUS: &str = "kafka-sandbox.session.previous";
pub const KEY_THEME: &str = "kafka-sandbox.theme";

fn local_storage() -> Option<web_sys::Storage> {
    // Storage can be missing or refused (privacy modes): persistence then silently does nothing.
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn get(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

/// Stores `value`; false when storage is unavailable or full.
pub fn set(key: &str, value: &str) -> bool {
    local_storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

pub fn remove(key: &str) {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(key);
    }
}

/// Autosaves the session (called after every change).
pub fn save(saved: &SavedSession) -> bool {
    set(KEY_SESSION, &codec::encode(saved))
}

pub fn load_theme() -> Theme {
    get(KEY_THEME).map_or(Theme::System, |name| Theme::from_name(&name))
}

/// Applies the theme to the page (`data-theme` on <html>; "system" removes it) and remembers it.
pub fn apply_theme(theme: Theme) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = match theme {
            Theme::System => root.remove_attribute("data-theme"),
            other => root.set_attribute("data-theme", other.name()),
        };
    }
    set(KEY_THEME, theme.name());
}

/// Replaces the address without reloading: drops the fragment and the query.
fn strip_address() {
    let Some(window) = web_sys::window() else { return };
    let Ok(path) = window.location().pathname() else { return };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
    }
}

/// The session to start with, and a message about how it was found.
pub fn initial_session() -> (Session, Option<Notice>) {
    let location = web_sys::window().map(|w| w.location());
    let search = location.as_ref().and_then(|l| l.search().ok()).unwrap_or_default();
    let hash = location.as_ref().and_then(|l| l.hash().ok()).unwrap_or_default();
    let mut notices: Vec<Notice> = Vec::new();

    if search.trim_start_matches('?').split('&').any(|p| p == "reset") {
        if let Some(old) = get(KEY_SESSION) {
            set(KEY_PREVIOUS, &old);
        }
        remove(KEY_SESSION);
        strip_address();
        return (
            Session::new(SEED_DEFAULT, BROKERS_DEFAULT),
            Some(Notice::info(format!("Started a fresh session (the previous one is kept as {KEY_PREVIOUS} in this browser's storage)."))),
        );
    }

    if let Some(shared) = codec::parse_share_fragment(&hash) {
        strip_address();
        match shared.and_then(|saved| Session::restore(&saved)) {
            Ok(session) => {
                let n = session.transcript().len();
                let mut text = format!("Opened a shared session: seed {}, {} brokers, {n} actions replayed.", session.seed(), session.brokers());
                // The shared session replaces the autosave: keep the learner's own work aside.
                if let Some(own) = get(KEY_SESSION) {
                    set(KEY_PREVIOUS, &own);
                    text.push_str(&format!(" Your own session is kept as {KEY_PREVIOUS} in this browser's storage."));
                }
                return (session, Some(Notice::info(text)));
            }
            Err(e) => notices.push(Notice::error(format!("This share link could not be opened: {e}. Nothing from it was run."))),
        }
    }

    let session = match get(KEY_SESSION) {
        None => Session::new(SEED_DEFAULT, BROKERS_DEFAULT),
        Some(json) => match codec::decode(&json, SAVED_JSON_BYTES_MAX).and_then(|saved| Session::restore(&saved)) {
            Ok(session) => session,
            Err(e) => {
                set(KEY_UNREADABLE, &json);
                remove(KEY_SESSION);
                notices.push(Notice::error(format!(
                    "Your saved session could not be restored: {e}. You start with a fresh session; the old one is kept as {KEY_UNREADABLE} in this browser's storage."
                )));
                Session::new(SEED_DEFAULT, BROKERS_DEFAULT)
            }
        },
    };
    let notice = match notices.len() {
        0 => None,
        _ => Some(Notice::error(notices.into_iter().map(|n| n.text).collect::<Vec<_>>().join(" "))),
    };
    (session, notice)
}

/// The page address with a share fragment, or None when the session is too large to share.
pub fn share_url(saved: &SavedSession) -> Option<String> {
    let fragment = codec::share_fragment(saved)?;
    let location = web_sys::window()?.location();
    let base = format!("{}{}", location.origin().ok()?, location.pathname().ok()?);
    Some(format!("{base}{fragment}"))
}

/// An object URL for `text` as a downloadable file.
pub fn blob_url(text: &str, mime: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// Offers `text` as a file download named `filename`.
pub fn download(filename: &str, text: &str) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return false };
    let Some(url) = blob_url(text, "application/json") else { return false };
    let Ok(anchor) = document.create_element("a") else { return false };
    let Ok(anchor) = anchor.dyn_into::<web_sys::HtmlAnchorElement>() else { return false };
    anchor.set_href(&url);
    anchor.set_download(filename);
    anchor.click();
    // Revoked later: some browsers read the URL after click() returns.
    let revoke = Closure::once(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.as_ref().unchecked_ref(), 10_000);
    }
    revoke.forget();
    true
}

pub fn export_filename(saved: &SavedSession) -> String {
    format!("kafka-sandbox-seed{}-{}actions.json", saved.seed, saved.transcript.len())
}

/// Reads the first file chosen in `input` as text and hands it to `done` (Err: why not).
pub fn read_chosen_file(input: &web_sys::HtmlInputElement, done: impl FnOnce(Result<String, String>) + 'static) {
    let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
    if file.size() > SAVED_JSON_BYTES_MAX as f64 {
        done(Err(format!("the file is too large ({} bytes, at most {SAVED_JSON_BYTES_MAX})", file.size())));
        return;
    }
    let Ok(reader) = web_sys::FileReader::new() else {
        done(Err("this browser cannot read files".to_string()));
        return;
    };
    let reader_in_callback = reader.clone();
    let onloadend = Closure::once(move || {
        match reader_in_callback.result().ok().and_then(|v| v.as_string()) {
            Some(text) => done(Ok(text)),
            None => done(Err("the file could not be read as text".to_string())),
        }
    });
    reader.set_onloadend(Some(onloadend.as_ref().unchecked_ref()));
    onloadend.forget();
    let _ = reader.read_as_text(&file);
}
