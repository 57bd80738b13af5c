//! A lesson step's "what to look at", as a style sheet: the UI outlines those things while the
//! step is open.
//!
//! The highlight is CSS, not props: the lesson panel puts the step's [`LookAt`]s in the view
//! state, and [`css`] turns them into selectors over what the views already render (a broker
//! column's `aria-label`, a replica tile's `aria-label` prefix `<topic>-<partition>:`, a heat-map
//! cell's position in its column, a group card's `data-group`, a terminal tab's id, the event
//! log's panel). So the broker columns, whose props compare by value, are not rendered again when
//! a step changes, and a step costs one small `<style>` element. The sheet carries its own
//! declarations, so it works without the page's style sheet (and in the browser tests).
//!
//! Lesson data is static and topic names are `[a-zA-Z0-9._-]`, but every name is still escaped as
//! a CSS string, so nothing a lesson says can leave its selector.
//!
//! Pure (no DOM).

use std::fmt::Write;

use crate::lessons::LookAt;

/// The outline colour (amber: reads on both themes, distinct from the roles' colours).
pub const COLOUR: &str = "#f59e0b";

/// `s` as a double-quoted CSS string.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            // Control characters (and newlines) as hex escapes, followed by the space that ends one.
            c if c.is_control() => {
                let _ = write!(out, "\\{:x} ", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The selectors of everything `look_at` names. `rows`: the brokers panel's visible partitions in
/// row order; `heat`: it shows a heat map (cells) rather than tiles.
pub fn selectors(look_at: &[LookAt], rows: &[(std::rc::Rc<str>, i32)], heat: bool) -> (Vec<String>, Vec<String>) {
    // (outlined boxes, heat-map cells): cells get a thinner mark.
    let (mut boxes, mut cells) = (Vec::new(), Vec::new());
    let tile = |topic: &str, p: i32| format!(".tile[aria-label^={}]", quoted(&format!("{topic}-{p}:")));
    for l in look_at {
        match *l {
            LookAt::Broker(b) => boxes.push(format!(".broker[aria-label={}]", quoted(&format!("Broker {b}")))),
            LookAt::Terminal(t) => boxes.push(format!("#tab-{t}")),
            LookAt::Group(g) => match g.strip_suffix('*') {
                Some(prefix) => boxes.push(format!(".group-card[data-group^={}]", quoted(prefix))),
                None => boxes.push(format!(".group-card[data-group={}]", quoted(g))),
            },
            LookAt::Events => boxes.push(".panel.events".to_string()),
            LookAt::Partition(topic, p) => {
                if heat {
                    if let Some(r) = rows.iter().position(|(t, q)| &**t == topic && *q == p) {
                        cells.push(format!(".heat .c:nth-child({})", r + 1));
                    }
                } else {
                    boxes.push(tile(topic, p));
                }
            }
            LookAt::Topic(topic) => {
                let first = rows.iter().position(|(t, _)| &**t == topic);
                let count = rows.iter().filter(|(t, _)| &**t == topic).count();
                match (first, heat) {
                    (None, _) => {}
                    // Rows are by topic then partition: a topic's rows are contiguous.
                    (Some(first), true) => {
                        debug_assert!(rows[first..first + count].iter().all(|(t, _)| &**t == topic), "a topic's rows are contiguous");
                        cells.push(format!(".heat .c:nth-child(n+{}):nth-child(-n+{})", first + 1, first + count));
                    }
                    (Some(_), false) => boxes.extend(rows.iter().filter(|(t, _)| &**t == topic).map(|(t, p)| tile(t, *p))),
                }
            }
        }
    }
    (boxes, cells)
}

/// The style sheet highlighting `look_at` (empty when there is nothing to look at).
pub fn css(look_at: &[LookAt], rows: &[(std::rc::Rc<str>, i32)], heat: bool) -> String {
    let (boxes, cells) = selectors(look_at, rows, heat);
    let mut out = String::new();
    if !boxes.is_empty() {
        let _ = write!(
            out,
            "{} {{ outline: 3px solid {COLOUR} !important; outline-offset: 2px; box-shadow: 0 0 0 6px rgba(245, 158, 11, .25); }}\n",
            boxes.join(", ")
        );
    }
    if !cells.is_empty() {
        let _ = write!(out, "{} {{ outline: 2px solid {COLOUR} !important; outline-offset: 0; position: relative; z-index: 1; }}\n", cells.join(", "));
    }
    out
}

/// The words the lesson panel uses for one thing to look at.
pub fn describe(l: &LookAt) -> String {
    match l {
        LookAt::Topic(t) => format!("topic {t}"),
        LookAt::Partition(t, p) => format!("partition {t}-{p}"),
        LookAt::Broker(b) => format!("Broker {b}"),
        LookAt::Group(g) => format!("group {g}"),
        LookAt::Terminal(t) => format!("Terminal {t}"),
        LookAt::Events => "the event log (What just happened)".to_string(),
    }
}
