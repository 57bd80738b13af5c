//! The browser side of persistence: localStorage autosave, the share-link fragment, file export
//! and import. Parsing and validation are in [`super::codec`]; this module only moves strings.
//!
//! Load order at start-up: `?reset` (the panic panel's "start over" link) sets the saved session
//! aside; a `#s=...` share link replaces the session (the fragment is then removed, so a reload
//! keeps the learner's changes); otherwise the autosave is restored. A saved session that cannot
//! be read is kept aside under [`KEY_UNREADABLE`] and the learner starts fresh with a message.
//!
//! Nothing the learner saved is overwritten without a check: a session set aside goes to a free
//! place among [`KEPT_KEYS`] ([`keep_aside`]), and a link or an import that would replace a
//! session which cannot be kept is not opened. Long sessions are replayed a slice at a time
//! ([`super::session::Replay`]): `initial_session` runs the first slice and hands back the rest.

use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use super::codec::{self, SavedSession, SAVED_JSON_BYTES_MAX};
use super::session::{Replay, ReplayJob, ReplayPurpose, Session};
use super::state::{Notice, Theme, BROKERS_DEFAULT, SEED_DEFAULT};

pub const KEY_SESSION: &str = "kafka-sandbox.session";
pub const KEY_UNREADABLE: &str = "kafka-sandbox.session.unreadable";
pub const KEY_PREVIOUS: &str = "kafka-sandbox.session.previous";
/// Where sessions set aside are kept, first free first: a second share link or import keeps the
/// learner's session in the next place instead of overwriting the first.
pub const KEPT_KEYS: [&str; 3] = [KEY_PREVIOUS, "kafka-sandbox.session.previous.2", "kafka-sandbox.session.previous.3"];
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

/// Autosaves the session (called after every change); false when the write failed.
pub fn save(saved: &SavedSession) -> bool {
    set(KEY_SESSION, &codec::encode(saved))
}

/// Keeps `json` (a session about to be replaced) in the first free place of [`KEPT_KEYS`], or
/// finds it already kept there. Ok(key) when it is safely stored; Err(why not) otherwise, and
/// then the caller must not replace it.
pub fn keep_aside(json: &str) -> Result<&'static str, String> {
    if local_storage().is_none() {
        return Err("this browser's storage is not available".to_string());
    }
    if let Some(key) = KEPT_KEYS.iter().find(|key| get(key).as_deref() == Some(json)) {
        return Ok(key);
    }
    let Some(key) = KEPT_KEYS.iter().find(|key| get(key).is_none()) else {
        return Err(format!("the {} places for sessions set aside ({}...) are all taken", KEPT_KEYS.len(), KEY_PREVIOUS));
    };
    // Read back: a write that "succeeded" into a full or evicting storage must hold the text.
    if set(key, json) && get(key).as_deref() == Some(json) {
        Ok(key)
    } else {
        remove(key);
        Err("this browser's storage is full".to_string())
    }
}

/// Keeps the autosaved session aside before something replaces it. Ok(None) when there is
/// nothing worth keeping (no session, or one with no action), Ok(Some(key)) when kept.
pub fn keep_own_session() -> Result<Option<&'static str>, String> {
    match get(KEY_SESSION) {
        Some(own) if !is_empty_session(&own) => keep_aside(&own).map(Some),
        _ => Ok(None),
    }
}

/// A saved session without a single action: nothing of the learner's to keep.
fn is_empty_session(json: &str) -> bool {
    codec::decode(json, SAVED_JSON_BYTES_MAX).is_ok_and(|saved| saved.transcript.is_empty())
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

/// The wall-clock budget of one replay slice: the page draws, and its Cancel button answers,
/// between slices.
pub const REPLAY_SLICE_MS: f64 = 40.0;

/// A budget for [`Replay::step`]: true once `budget_ms` of wall-clock time have passed.
pub fn out_of_time_after(budget_ms: f64) -> impl FnMut() -> bool {
    let start = js_sys::Date::now();
    move || js_sys::Date::now() - start >= budget_ms
}

/// The session to start with, a message about how it was found, and the rest of its replay
/// when one slice did not finish it (the session is then a fresh placeholder until it does).
pub fn initial_session() -> (Session, Option<Notice>, Option<ReplayJob>) {
    let location = web_sys::window().map(|w| w.location());
    let search = location.as_ref().and_then(|l| l.search().ok()).unwrap_or_default();
    let hash = location.as_ref().and_then(|l| l.hash().ok()).unwrap_or_default();
    let mut notices: Vec<String> = Vec::new();

    if search.trim_start_matches('?').split('&').any(|p| p == "reset") {
        strip_address();
        match keep_own_session() {
            Ok(kept) => {
                remove(KEY_SESSION);
                let text = match kept {
                    Some(key) => format!("Started a fresh session (the previous one is kept as {key} in this browser's storage)."),
                    None => "Started a fresh session.".to_string(),
                };
                return (Session::new(SEED_DEFAULT, BROKERS_DEFAULT), Some(Notice::info(text)), None);
            }
            Err(why) => notices.push(format!("Your session could not be set aside ({why}), so it was not reset.")),
        }
    }

    if let Some(shared) = codec::parse_share_fragment(&hash) {
        strip_address();
        match shared.and_then(|saved| Ok((Replay::restore(&saved)?, saved))) {
            Ok((replay, saved)) => match keep_own_session() {
                Ok(kept) => {
                    let n = saved.transcript.len();
                    let mut text = format!("Opened a shared session: seed {}, {} brokers, {n} actions replayed.", saved.seed, saved.brokers);
                    if let Some(key) = kept {
                        text.push_str(&format!(" Your own session is kept as {key} in this browser's storage."));
                    }
                    let job = ReplayJob { replay, purpose: ReplayPurpose::Load { message: text } };
                    return start_replay(&saved, job, notices);
                }
                Err(why) => notices.push(format!(
                    "This share link was not opened: your own session could not be kept aside ({why}). Export your session to keep it, then open the link again."
                )),
            },
            Err(e) => notices.push(format!("This share link could not be opened: {e}. Nothing from it was run.")),
        }
    }

    let Some(json) = get(KEY_SESSION) else { return (Session::new(SEED_DEFAULT, BROKERS_DEFAULT), joined(notices), None) };
    match codec::decode(&json, SAVED_JSON_BYTES_MAX).and_then(|saved| Ok((Replay::restore(&saved)?, saved))) {
        Ok((replay, saved)) => start_replay(&saved, ReplayJob { replay, purpose: ReplayPurpose::Autosave }, notices),
        Err(e) => {
            let kept = match set(KEY_UNREADABLE, &json) {
                true => format!("the old one is kept as {KEY_UNREADABLE} in this browser's storage"),
                false => "the old one could not be kept (this browser's storage is full)".to_string(),
            };
            notices.push(format!("Your saved session could not be restored: {e}. You start with a fresh session; {kept}."));
            (Session::new(SEED_DEFAULT, BROKERS_DEFAULT), joined(notices), None)
        }
    }
}

/// Runs the first slice of `job`: the session when it is done, else a fresh placeholder and
/// the job for the page to go on with.
fn start_replay(saved: &SavedSession, mut job: ReplayJob, notices: Vec<String>) -> (Session, Option<Notice>, Option<ReplayJob>) {
    let notice = joined(notices);
    match job.replay.step(&mut out_of_time_after(REPLAY_SLICE_MS)) {
        Ok(true) => {
            let (session, done) = job.finish();
            (session, done.map(Notice::info).or(notice), None)
        }
        Ok(false) => (Session::new(saved.seed, saved.brokers), notice, Some(job)),
        Err(e) => {
            let text = format!("That session could not be replayed: {e}.");
            (Session::new(SEED_DEFAULT, BROKERS_DEFAULT), Some(Notice::error(text)), None)
        }
    }
}

/// One error notice for the messages gathered at start-up, if any.
fn joined(notices: Vec<String>) -> Option<Notice> {
    (!notices.is_empty()).then(|| Notice::error(notices.join(" ")))
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

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn clear_kept() {
        for key in KEPT_KEYS {
            remove(key);
        }
    }

    /// Issue 19: a second share link overwrote the session the first one had set aside.
    #[wasm_bindgen_test]
    fn a_second_session_set_aside_does_not_overwrite_the_first() {
        clear_kept();
        assert_eq!(keep_aside("one"), Ok(KEY_PREVIOUS));
        assert_eq!(keep_aside("two"), Ok(KEPT_KEYS[1]));
        assert_eq!(keep_aside("one"), Ok(KEY_PREVIOUS), "already kept: not kept twice");
        assert_eq!(keep_aside("three"), Ok(KEPT_KEYS[2]));
        let refused = keep_aside("four").expect_err("no free place");
        assert!(refused.contains("all taken"), "{refused}");
        assert_eq!(KEPT_KEYS.map(get), [Some("one".to_string()), Some("two".to_string()), Some("three".to_string())]);
        clear_kept();
    }

    /// Issue 19: a failed write was not noticed. Larger than any browser's localStorage quota.
    #[wasm_bindgen_test]
    fn a_write_the_storage_refuses_is_reported_and_leaves_nothing_behind() {
        clear_kept();
        let huge = "x".repeat(12 * 1024 * 1024);
        let refused = keep_aside(&huge).expect_err("over the quota");
        assert!(refused.contains("full"), "{refused}");
        assert_eq!(KEPT_KEYS.map(get), [None, None, None]);
    }
}
