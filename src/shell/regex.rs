//! A small backtracking regular-expression matcher for the Java patterns the tools accept
//! (`--topic 'test.*'`, `--include`, `--whitelist`): literals, `.`, classes `[a-z_]` / `[^.]`,
//! escapes `\d \w \s \.`, groups `( )` / `(?: )`, alternation `|`, quantifiers `* + ?` and
//! `{m,n}`, anchors `^ $`. `matches` is a whole-string match (Java's `Matcher.matches`).
//! The work per match is bounded ([`STEPS_MAX`]): a pathological pattern fails to match instead
//! of hanging the browser.

use std::cell::Cell;

/// Backtracking steps one match may take.
pub const STEPS_MAX: u32 = 200_000;

#[derive(Clone, Debug)]
enum Node {
    Char(char),
    Any,
    Class { negated: bool, items: Vec<(char, char)> },
    Group(Vec<Vec<Node>>),
    Repeat { node: Box<Node>, min: u32, max: u32 },
    Start,
    End,
}

/// A compiled pattern.
#[derive(Clone, Debug)]
pub struct Regex {
    /// The whole pattern as one group, the sequence `matches` walks (built once, not per match).
    root: [Node; 1],
}

/// Java's `PatternSyntaxException` text is long; callers only need to know it failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegexError(pub String);

struct Parser<'a> {
    chars: &'a [char],
    at: usize,
}

fn class_escape(c: char) -> Option<Vec<(char, char)>> {
    match c {
        'd' => Some(vec![('0', '9')]),
        'w' => Some(vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')]),
        's' => Some(vec![(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r'), ('\x0b', '\x0c')]),
        _ => None,
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn alternatives(&mut self, depth: u32) -> Result<Vec<Vec<Node>>, RegexError> {
        if depth > 32 {
            return Err(RegexError("nesting too deep".into()));
        }
        let mut alternatives = vec![Vec::new()];
        while let Some(c) = self.peek() {
            match c {
                ')' => break,
                '|' => {
                    self.at += 1;
                    alternatives.push(Vec::new());
                }
                _ => {
                    let atom = self.atom(depth)?;
                    let atom = self.quantified(atom)?;
                    alternatives.last_mut().expect("one at least").push(atom);
                }
            }
        }
        Ok(alternatives)
    }

    fn atom(&mut self, depth: u32) -> Result<Node, RegexError> {
        let c = self.peek().ok_or_else(|| RegexError("unexpected end".into()))?;
        self.at += 1;
        Ok(match c {
            '.' => Node::Any,
            '^' => Node::Start,
            '$' => Node::End,
            '(' => {
                if self.chars.get(self.at..self.at + 2) == Some(&['?', ':']) {
                    self.at += 2;
                }
                let inner = self.alternatives(depth + 1)?;
                if self.peek() != Some(')') {
                    return Err(RegexError("Unclosed group".into()));
                }
                self.at += 1;
                Node::Group(inner)
            }
            '[' => self.class()?,
            '\\' => {
                let e = self.peek().ok_or_else(|| RegexError("Unexpected internal error".into()))?;
                self.at += 1;
                match class_escape(e) {
                    Some(items) => Node::Class { negated: false, items },
                    None => match e {
                        'D' | 'W' | 'S' => Node::Class {
                            negated: true,
                            items: class_escape(e.to_ascii_lowercase()).expect("d w s"),
                        },
                        't' => Node::Char('\t'),
                        'n' => Node::Char('\n'),
                        c if c.is_ascii_alphanumeric() => return Err(RegexError(format!("Illegal/unsupported escape sequence \\{c}"))),
                        c => Node::Char(c),
                    },
                }
            }
            '*' | '+' | '?' | '{' => return Err(RegexError(format!("Dangling meta character '{c}'"))),
            c => Node::Char(c),
        })
    }

    fn class(&mut self) -> Result<Node, RegexError> {
        let mut negated = false;
        if self.peek() == Some('^') {
            negated = true;
            self.at += 1;
        }
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let c = self.peek().ok_or_else(|| RegexError("Unclosed character class".into()))?;
            self.at += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            let low = if c == '\\' {
                let e = self.peek().ok_or_else(|| RegexError("Unclosed character class".into()))?;
                self.at += 1;
                if let Some(more) = class_escape(e) {
                    items.extend(more);
                    continue;
                }
                e
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|n| *n != ']') {
                self.at += 1;
                let high = self.peek().ok_or_else(|| RegexError("Unclosed character class".into()))?;
                self.at += 1;
                if high < low {
                    return Err(RegexError("Illegal character range".into()));
                }
                items.push((low, high));
            } else {
                items.push((low, low));
            }
        }
        Ok(Node::Class { negated, items })
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect::<String>().parse().ok()
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, RegexError> {
        let (min, max) = match self.peek() {
            Some('*') => (0, u32::MAX),
            Some('+') => (1, u32::MAX),
            Some('?') => (0, 1),
            Some('{') => {
                let save = self.at;
                self.at += 1;
                let min = self.number();
                let max = if self.peek() == Some(',') {
                    self.at += 1;
                    if self.peek() == Some('}') {
                        Some(u32::MAX)
                    } else {
                        self.number()
                    }
                } else {
                    min
                };
                match (min, max, self.peek()) {
                    (Some(a), Some(b), Some('}')) if a <= b => {
                        self.at += 1;
                        return Ok(Node::Repeat { node: Box::new(atom), min: a, max: b });
                    }
                    _ => {
                        self.at = save;
                        return Err(RegexError("Illegal repetition".into()));
                    }
                }
            }
            _ => return Ok(atom),
        };
        self.at += 1;
        // Lazy / possessive suffixes behave like greedy for a whole-string match.
        if matches!(self.peek(), Some('?') | Some('+')) {
            self.at += 1;
        }
        Ok(Node::Repeat { node: Box::new(atom), min, max })
    }
}

impl Regex {
    pub fn new(pattern: &str) -> Result<Regex, RegexError> {
        let chars: Vec<char> = pattern.chars().take(1000).collect();
        let mut parser = Parser { chars: &chars, at: 0 };
        let alternatives = parser.alternatives(0)?;
        if parser.at != chars.len() {
            return Err(RegexError("Unmatched closing ')'".into()));
        }
        Ok(Regex { root: [Node::Group(alternatives)] })
    }

    /// True if the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let steps = Cell::new(0);
        match_seq(&self.root, &chars, 0, &steps, &mut |at| at == chars.len())
    }
}

fn tick(steps: &Cell<u32>) -> bool {
    steps.set(steps.get().saturating_add(1));
    steps.get() <= STEPS_MAX
}

fn match_seq(nodes: &[Node], text: &[char], at: usize, steps: &Cell<u32>, k: &mut dyn FnMut(usize) -> bool) -> bool {
    if !tick(steps) {
        return false;
    }
    let Some((first, rest)) = nodes.split_first() else { return k(at) };
    match first {
        Node::Char(c) => text.get(at) == Some(c) && match_seq(rest, text, at + 1, steps, k),
        Node::Any => text.get(at).is_some_and(|c| *c != '\n') && match_seq(rest, text, at + 1, steps, k),
        Node::Class { negated, items } => {
            text.get(at).is_some_and(|c| items.iter().any(|(lo, hi)| lo <= c && c <= hi) != *negated)
                && match_seq(rest, text, at + 1, steps, k)
        }
        Node::Start => at == 0 && match_seq(rest, text, at, steps, k),
        Node::End => at == text.len() && match_seq(rest, text, at, steps, k),
        Node::Group(alternatives) => alternatives
            .iter()
            .any(|alternative| match_seq(alternative, text, at, steps, &mut |next| match_seq(rest, text, next, steps, k))),
        Node::Repeat { node, min, max } => match_repeat(node, *min, *max, 0, rest, text, at, steps, k),
    }
}

#[allow(clippy::too_many_arguments)]
fn match_repeat(
    node: &Node,
    min: u32,
    max: u32,
    count: u32,
    rest: &[Node],
    text: &[char],
    at: usize,
    steps: &Cell<u32>,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    if !tick(steps) {
        return false;
    }
    // Greedy: one more repetition first (only if it consumes input), then the rest.
    if count < max {
        let one = std::slice::from_ref(node);
        let more = match_seq(one, text, at, steps, &mut |next| {
            next > at && match_repeat(node, min, max, count + 1, rest, text, next, steps, k)
        });
        if more {
            return true;
        }
    }
    count >= min && match_seq(rest, text, at, steps, k)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    fn m(p: &str, t: &str) -> bool {
        Regex::new(p).expect("valid").matches(t)
    }

    #[test]
    fn java_whole_string_matches() {
        assert!(m("test", "test"));
        assert!(!m("test", "test2"));
        assert!(m("test.*", "test2"));
        assert!(m("test|quick.*", "quickstart-events"));
        assert!(m("t[a-z]+\\d{1,2}", "topic12"));
        assert!(!m("t[a-z]+\\d{1,2}", "topic123"));
        assert!(m("(?:a|b)+c", "ababc"));
        assert!(m("[^_].*", "orders"));
        assert!(!m("[^_].*", "__consumer_offsets"));
        assert!(m("__.*", "__consumer_offsets"));
        assert!(m("a.b", "a.b") && m("a\\.b", "a.b") && !m("a\\.b", "axb"));
    }

    #[test]
    fn bad_patterns_are_errors_and_pathological_ones_stay_bounded() {
        assert!(Regex::new("*a").is_err());
        assert!(Regex::new("(a").is_err());
        assert!(Regex::new("[a").is_err());
        let evil = Regex::new("(a*)*b").expect("valid");
        assert!(!evil.matches(&"a".repeat(40)));
    }
}
