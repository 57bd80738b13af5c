//! Command-line editing that needs no DOM: history navigation (Up/Down) and tab completion.

/// Where Up/Down stand in a terminal's history. The line being typed before the first Up is kept
/// as a draft and comes back after the last Down, as in bash.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryCursor {
    /// Index into the history of the entry shown; None while editing a new line.
    position: Option<usize>,
    draft: String,
}

impl HistoryCursor {
    /// Up: the previous history entry to show, or None to leave the line as it is.
    pub fn up(&mut self, history: &[String], current: &str) -> Option<String> {
        let position = match self.position {
            None if history.is_empty() => return None,
            None => {
                self.draft = current.to_string();
                history.len() - 1
            }
            Some(0) => return None,
            // The history can shrink under the cursor (undo): stay within it.
            Some(p) => p.min(history.len()).checked_sub(1)?,
        };
        self.position = Some(position);
        history.get(position).cloned()
    }

    /// Down: the next entry, or the draft after the newest one; None when not browsing.
    pub fn down(&mut self, history: &[String]) -> Option<String> {
        let position = self.position?;
        if position + 1 < history.len() {
            self.position = Some(position + 1);
            history.get(position + 1).cloned()
        } else {
            self.position = None;
            Some(std::mem::take(&mut self.draft))
        }
    }

    /// Forgets the browsing position (after a line is submitted or edited).
    pub fn reset(&mut self) {
        self.position = None;
        self.draft.clear();
    }
}

/// Candidates shown under the command line at most (the rest is counted).
pub const CANDIDATES_SHOWN_MAX: usize = 60;

/// The result of pressing Tab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// The line with its last word completed as far as the candidates agree.
    pub line: String,
    /// Candidates to show (empty when the completion was unique or there was none).
    pub candidates: Vec<String>,
}

/// Completes the last word of `line` from the shell's `candidates` for it: a unique candidate is
/// taken whole with a space after it; several extend the word to their longest common prefix
/// and are listed.
pub fn complete(line: &str, candidates: &[String]) -> Completion {
    let word_start = line.rfind(char::is_whitespace).map_or(0, |i| i + line[i..].chars().next().map_or(1, char::len_utf8));
    let (head, partial) = line.split_at(word_start);
    match candidates {
        [] => Completion { line: line.to_string(), candidates: Vec::new() },
        [only] => Completion { line: format!("{head}{only} "), candidates: Vec::new() },
        many => {
            let mut prefix: &str = &many[0];
            for c in &many[1..] {
                let common = prefix.char_indices().zip(c.chars()).take_while(|((_, a), b)| a == b).last();
                let end = common.map_or(0, |((i, a), _)| i + a.len_utf8());
                prefix = &prefix[..end];
            }
            // Never shorten what was typed (candidates always extend it, but be safe).
            let word = if prefix.len() >= partial.len() { prefix } else { partial };
            Completion { line: format!("{head}{word}"), candidates: many.to_vec() }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[wasm_bindgen_test]
    fn up_and_down_walk_the_history_and_restore_the_draft() {
        let history = strings(&["one", "two", "three"]);
        let mut c = HistoryCursor::default();
        assert_eq!(c.down(&history), None, "Down before Up does nothing");
        assert_eq!(c.up(&history, "dra").as_deref(), Some("three"));
        assert_eq!(c.up(&history, "three").as_deref(), Some("two"));
        assert_eq!(c.up(&history, "two").as_deref(), Some("one"));
        assert_eq!(c.up(&history, "one"), None, "stays at the oldest");
        assert_eq!(c.down(&history).as_deref(), Some("two"));
        assert_eq!(c.down(&history).as_deref(), Some("three"));
        assert_eq!(c.down(&history).as_deref(), Some("dra"));
        assert_eq!(c.down(&history), None);
        assert_eq!(HistoryCursor::default().up(&[], "x"), None);
    }

    #[wasm_bindgen_test]
    fn a_history_that_shrank_under_the_cursor_is_handled() {
        let mut c = HistoryCursor::default();
        let long = strings(&["a", "b", "c", "d"]);
        assert_eq!(c.up(&long, "").as_deref(), Some("d"));
        let short = strings(&["a"]);
        assert_eq!(c.up(&short, "").as_deref(), Some("a"));
        assert_eq!(c.down(&short).as_deref(), Some(""));
    }

    #[wasm_bindgen_test]
    fn a_unique_candidate_completes_the_word_with_a_space() {
        let done = complete("kafka-top", &strings(&["kafka-topics"]));
        assert_eq!(done, Completion { line: "kafka-topics ".into(), candidates: vec![] });
        let done = complete("kafka-topics --boot", &strings(&["--bootstrap-server"]));
        assert_eq!(done.line, "kafka-topics --bootstrap-server ");
    }

    #[wasm_bindgen_test]
    fn several_candidates_extend_to_their_common_prefix_and_are_listed() {
        let cands = strings(&["kafka-console-consumer", "kafka-console-producer"]);
        let done = complete("kafka-c", &cands);
        assert_eq!(done.line, "kafka-console-");
        assert_eq!(done.candidates, cands);
        let done = complete("sim ", &strings(&["advance", "crash"]));
        assert_eq!(done.line, "sim ");
        assert_eq!(complete("zzz", &[]).line, "zzz");
    }
}
