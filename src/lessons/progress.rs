//! The learner's progress (which steps of which lessons are done) and deep links.
//!
//! [`Progress`] is plain data, kept by the UI in localStorage as `{"done":{"<id>":[0,1]}}`
//! ([`Progress::to_json`], [`Progress::from_json`], with serde_json). It is forgiving on load: [`Progress::sanitize`] drops lessons that no longer exist and steps beyond a lesson's end
//! (lessons change between releases; an old save must never break the app).
//!
//! Deep links are `#/lesson/<id>/step/<n>` with `n` counted from 1, as people count steps;
//! `#/lesson/<id>` opens its first step, `#/sandbox` the free sandbox, `#/` or nothing the lesson
//! list. [`parse_link`] validates the lesson id and the step number against the catalog.

use super::{lesson, LESSONS};
use std::collections::{BTreeMap, BTreeSet};

/// Steps done per lesson id (step indices counted from 0).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    pub done: BTreeMap<String, BTreeSet<usize>>,
}

impl Progress {
    pub fn new() -> Progress {
        Progress::default()
    }

    /// Records step `step` (from 0) of lesson `id` as done; false if there is no such step.
    pub fn mark_done(&mut self, id: &str, step: usize) -> bool {
        match lesson(id) {
            Some(l) if step < l.steps.len() => {
                self.done.entry(id.to_string()).or_default().insert(step);
                true
            }
            _ => false,
        }
    }

    pub fn is_done(&self, id: &str, step: usize) -> bool {
        self.done.get(id).is_some_and(|s| s.contains(&step))
    }

    /// (steps done, steps in the lesson); (0, 0) for an unknown lesson.
    pub fn lesson_progress(&self, id: &str) -> (usize, usize) {
        match lesson(id) {
            Some(l) => (self.done.get(id).map_or(0, |s| s.iter().filter(|i| **i < l.steps.len()).count()), l.steps.len()),
            None => (0, 0),
        }
    }

    pub fn lesson_complete(&self, id: &str) -> bool {
        let (done, total) = self.lesson_progress(id);
        total > 0 && done == total
    }

    /// The first step not done yet (the step to open when the learner comes back).
    pub fn resume_step(&self, id: &str) -> usize {
        let Some(l) = lesson(id) else { return 0 };
        (0..l.steps.len()).find(|i| !self.is_done(id, *i)).unwrap_or(0)
    }

    /// Forgets a lesson's progress ("reset lesson").
    pub fn reset_lesson(&mut self, id: &str) {
        self.done.remove(id);
    }

    /// Drops unknown lessons and out-of-range steps (after loading an old save).
    pub fn sanitize(&mut self) {
        self.done.retain(|id, steps| match lesson(id) {
            Some(l) => {
                steps.retain(|s| *s < l.steps.len());
                !steps.is_empty()
            }
            None => false,
        });
    }

    /// (lessons complete, lessons in the catalog).
    pub fn overall(&self) -> (usize, usize) {
        (LESSONS.iter().filter(|l| self.lesson_complete(l.id)).count(), LESSONS.len())
    }

    /// `{"done":{"<id>":[<step>,...],...}}`, lessons and steps in ascending order.
    pub fn to_json(&self) -> String {
        // A map of strings to sets of integers: serde_json cannot fail on it.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads what [`Progress::to_json`] wrote; None for anything else, or anything over
    /// [`PROGRESS_JSON_BYTES_MAX`] (the learner then starts with no progress). Unknown top-level
    /// fields are ignored; a lesson given twice keeps its last list. Call [`Progress::sanitize`] after.
    pub fn from_json(text: &str) -> Option<Progress> {
        if text.len() > PROGRESS_JSON_BYTES_MAX {
            return None;
        }
        serde_json::from_str(text).ok()
    }
}

/// The largest progress document read (a full catalog's progress is a few KB).
pub const PROGRESS_JSON_BYTES_MAX: usize = 1024 * 1024;

/// Where a deep link points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The lesson list.
    Home,
    /// The free sandbox, no lesson.
    Sandbox,
    /// A lesson at a step (counted from 0 here; links count from 1).
    Lesson { id: &'static str, step: usize },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// Not a link this app makes.
    Malformed(String),
    UnknownLesson(String),
    /// The step number is not a number from 1 to the lesson's step count.
    BadStep { id: String, step: String, steps: usize },
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::Malformed(link) => write!(f, "`{link}` is not a lesson link"),
            LinkError::UnknownLesson(id) => write!(f, "there is no lesson `{id}`"),
            LinkError::BadStep { id, step, steps } => write!(f, "lesson `{id}` has steps 1 to {steps}, not `{step}`"),
        }
    }
}

/// Link lengths accepted (a hash is typed or pasted by people; anything longer is not ours).
pub const LINK_CHARS_MAX: usize = 200;

/// Parses a location hash (`#/lesson/<id>/step/<n>`, with or without the `#`).
pub fn parse_link(hash: &str) -> Result<Route, LinkError> {
    if hash.len() > LINK_CHARS_MAX {
        return Err(LinkError::Malformed(hash.chars().take(40).collect::<String>() + "…"));
    }
    let path = hash.strip_prefix('#').unwrap_or(hash);
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = path.strip_suffix('/').unwrap_or(path);
    let parts: Vec<&str> = if path.is_empty() { Vec::new() } else { path.split('/').collect() };
    match parts.as_slice() {
        [] => Ok(Route::Home),
        ["sandbox"] => Ok(Route::Sandbox),
        ["lesson", id] | ["lesson", id, "step", _] => {
            let l = lesson(id).ok_or_else(|| LinkError::UnknownLesson(id.to_string()))?;
            let step = match parts.get(3) {
                None => 0,
                Some(n) => {
                    let bad = || LinkError::BadStep { id: id.to_string(), step: n.to_string(), steps: l.steps.len() };
                    // Digits only: no signs, spaces or `+1`.
                    if n.is_empty() || n.len() > 4 || !n.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(bad());
                    }
                    let k: usize = n.parse().map_err(|_| bad())?;
                    if k == 0 || k > l.steps.len() {
                        return Err(bad());
                    }
                    k - 1
                }
            };
            Ok(Route::Lesson { id: l.id, step })
        }
        _ => Err(LinkError::Malformed(hash.to_string())),
    }
}

/// The deep link of a route (`step` counted from 0 in, from 1 in the link).
pub fn format_link(route: &Route) -> String {
    match route {
        Route::Home => "#/".to_string(),
        Route::Sandbox => "#/sandbox".to_string(),
        Route::Lesson { id, step } => format!("#/lesson/{id}/step/{}", step + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    #[test]
    fn progress_json_is_the_format_saved_before() {
        let mut progress = Progress::new();
        assert_eq!(progress.to_json(), r#"{"done":{}}"#);
        for (id, step) in [("log-not-queue", 2), ("first-topic", 1), ("log-not-queue", 0), ("log-not-queue", 1), ("first-topic", 0)] {
            assert!(progress.mark_done(id, step), "{id} {step}");
        }
        // Lessons sorted by id, steps ascending: what serde wrote for BTreeMap<String, BTreeSet<usize>>.
        let json = progress.to_json();
        assert_eq!(json, r#"{"done":{"first-topic":[0,1],"log-not-queue":[0,1,2]}}"#);
        assert_eq!(Progress::from_json(&json), Some(progress));
    }

    #[test]
    fn saved_progress_loads_forgivingly_and_refuses_what_it_cannot_read() {
        let loaded = Progress::from_json(r#" {"done":{"first-topic":[1,0,1],"gone-lesson":[0]},"extra":true} "#).expect("readable");
        assert_eq!(loaded.to_json(), r#"{"done":{"first-topic":[0,1],"gone-lesson":[0]}}"#);
        let mut sanitized = loaded;
        sanitized.sanitize();
        assert_eq!(sanitized.to_json(), r#"{"done":{"first-topic":[0,1]}}"#);
        let twice = Progress::from_json(r#"{"done":{"first-topic":[0],"first-topic":[1]}}"#).expect("readable");
        assert_eq!(twice.to_json(), r#"{"done":{"first-topic":[1]}}"#, "the last list wins, as with serde's maps");
        let oversized = format!(r#"{{"done":{{}},"pad":"{}"}}"#, "x".repeat(PROGRESS_JSON_BYTES_MAX));
        assert_eq!(Progress::from_json(&oversized), None, "refused before parsing");
        for unreadable in ["", "null", "[]", "{}", r#"{"done":[]}"#, r#"{"done":{"a":[-1]}}"#, r#"{"done":{"a":[1.5]}}"#, r#"{"done":{"a":"0"}}"#, r#"{"done":{},"done":{}}"#, r#"{"done":{"#] {
            assert_eq!(Progress::from_json(unreadable), None, "{unreadable}");
        }
    }
}
