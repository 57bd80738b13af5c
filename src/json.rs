//! A small JSON reader and writer for the documents the browser keeps: saved sessions, exports,
//! share links and lesson progress.
//!
//! Why not serde + serde_json: their generic code, copied for every type, was ~55 KB of the wasm
//! bundle for four small document shapes. Here [`parse`] turns text into a [`Value`] tree once and
//! each document type reads the fields it knows from it; writing is done by hand with [`push_str`]
//! (JSON string escaping exactly as serde_json does it, so documents are byte-identical to the
//! ones written before).
//!
//! Input is untrusted (a share link is written by whoever sent it): the parser is strict RFC 8259
//! (no comments, no trailing commas, no leading zeros, no lone surrogates, no raw control
//! characters in strings), bounded ([`INPUT_BYTES_MAX`], [`DEPTH_MAX`]) and never panics. Every
//! failure is an [`Error`] that says what was wrong and where, for the learner.
//!
//! Numbers are kept as written (validated against the grammar) and read with [`Value::as_u64`] or
//! [`Value::as_i64`]: the documents hold only integers, and not parsing floats keeps float
//! parsing code out of the bundle.

use std::fmt::Write as _;

/// The largest document [`parse`] reads. Callers check their own, smaller limits first
/// (`ui::codec::SAVED_JSON_BYTES_MAX` is this size).
pub const INPUT_BYTES_MAX: usize = 1024 * 1024;
/// Arrays and objects nested deeper than this are refused (our documents nest 3 deep): the parser
/// recurses, so this bounds its stack.
pub const DEPTH_MAX: usize = 32;

/// A parsed JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number exactly as written (it matches JSON's number grammar).
    Number(String),
    String(String),
    Array(Vec<Value>),
    /// Members in document order, duplicate keys included: readers decide (see [`fields`]).
    Object(Vec<(String, Value)>),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A non-negative integer written without fraction or exponent, if it fits in a u64.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            // The grammar allows no `+` and no leading zeros; digits only excludes `-`, `.`, `e`.
            Value::Number(n) if n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok(),
            _ => None,
        }
    }

    /// An integer written without fraction or exponent, if it fits in an i64.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) if n.bytes().skip(usize::from(n.starts_with('-'))).all(|b| b.is_ascii_digit()) => n.parse().ok(),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// What kind of value this is, for error messages (never the value itself: it may be huge).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// Appends the value as compact JSON (numbers as they were written).
    pub fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(n),
            Value::String(s) => push_str(out, s),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Value::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_str(out, key);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

/// Why a text is not JSON: what was wrong, and where (1-based line, and column in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub what: &'static str,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at line {} column {}", self.what, self.line, self.column)
    }
}

/// Parses one JSON value filling the whole of `text` (whitespace around it allowed).
pub fn parse(text: &str) -> Result<Value, Error> {
    let mut parser = Parser { text, pos: 0 };
    if text.len() > INPUT_BYTES_MAX {
        return Err(parser.error("document too large"));
    }
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos != text.len() {
        return Err(parser.error("trailing characters"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    /// Byte offset of the next unread byte; always on a char boundary between tokens.
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, what: &'static str) -> Error {
        let before = self.text.get(..self.pos).unwrap_or(self.text);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = 1 + before.bytes().filter(|b| *b == b'\n').count();
        let column = 1 + before.get(line_start..).map_or(0, |l| l.chars().count());
        Error { what, line, column }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Consumes `byte` (after whitespace) if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_whitespace();
        let next = self.peek() == Some(byte);
        self.pos += usize::from(next);
        next
    }

    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        debug_assert!(depth <= DEPTH_MAX);
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'[' | b'{') if depth == DEPTH_MAX => Err(self.error("nesting too deep")),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.eat(b']') {
                        return Ok(Value::Array(items));
                    }
                    self.separator("EOF while parsing an array", "expected `,` or `]`")?;
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut members = Vec::new();
                if self.eat(b'}') {
                    return Ok(Value::Object(members));
                }
                loop {
                    self.skip_whitespace();
                    if self.peek() != Some(b'"') {
                        return Err(self.error(if self.peek().is_none() { "EOF while parsing an object" } else { "key must be a string" }));
                    }
                    let key = self.string()?;
                    if !self.eat(b':') {
                        return Err(self.error(if self.peek().is_none() { "EOF while parsing an object" } else { "expected `:`" }));
                    }
                    members.push((key, self.value(depth + 1)?));
                    if self.eat(b'}') {
                        return Ok(Value::Object(members));
                    }
                    self.separator("EOF while parsing an object", "expected `,` or `}`")?;
                }
            }
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected value")),
        }
    }

    /// Consumes the `,` between two items (whitespace already skipped by `eat`).
    fn separator(&mut self, eof: &'static str, other: &'static str) -> Result<(), Error> {
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(())
            }
            None => Err(self.error(eof)),
            Some(_) => Err(self.error(other)),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, Error> {
        if self.text.as_bytes().get(self.pos..).is_some_and(|rest| rest.starts_with(word.as_bytes())) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected value"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<Value, Error> {
        let start = self.pos;
        self.pos += usize::from(self.peek() == Some(b'-'));
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        // Every byte consumed is ASCII, so both ends are char boundaries.
        let text = self.text.get(start..self.pos).ok_or_else(|| self.error("invalid number"))?;
        Ok(Value::Number(text.to_string()))
    }

    /// A string, the opening `"` next.
    fn string(&mut self) -> Result<String, Error> {
        debug_assert_eq!(self.peek(), Some(b'"'));
        self.pos += 1;
        let mut out = String::new();
        let mut run_start = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.error("EOF while parsing a string")),
                Some(byte @ (b'"' | b'\\')) => {
                    // Runs end at ASCII bytes only, so the slice is on char boundaries.
                    out.push_str(self.text.get(run_start..self.pos).ok_or_else(|| self.error("invalid string"))?);
                    self.pos += 1;
                    if byte == b'"' {
                        return Ok(out);
                    }
                    out.push(self.escape()?);
                    run_start = self.pos;
                }
                Some(0..=0x1f) => return Err(self.error("control character in a string")),
                Some(_) => self.pos += 1,
            }
        }
    }

    /// The character of an escape, the `\` consumed.
    fn escape(&mut self) -> Result<char, Error> {
        let byte = self.peek().ok_or_else(|| self.error("EOF while parsing a string"))?;
        self.pos += 1;
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                let code = match first {
                    0xd800..=0xdbff => {
                        // A leading surrogate must be followed by an escaped trailing one.
                        if !self.text.as_bytes().get(self.pos..).is_some_and(|rest| rest.starts_with(b"\\u")) {
                            return Err(self.error("lone leading surrogate in hex escape"));
                        }
                        self.pos += 2;
                        let second = self.hex4()?;
                        if !(0xdc00..=0xdfff).contains(&second) {
                            return Err(self.error("lone leading surrogate in hex escape"));
                        }
                        0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
                    }
                    0xdc00..=0xdfff => return Err(self.error("lone trailing surrogate in hex escape")),
                    _ => first,
                };
                char::from_u32(code).ok_or_else(|| self.error("invalid unicode code point"))?
            }
            _ => {
                self.pos -= 1;
                return Err(self.error("invalid escape"));
            }
        })
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| char::from(b).to_digit(16));
            let Some(digit) = digit else {
                return Err(self.error(if self.peek().is_none() { "EOF while parsing a string" } else { "invalid hex escape" }));
            };
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }
}

/// Appends `s` as a JSON string: quoted, with `"`, `\` and control characters escaped the way
/// serde_json escapes them (`\n`-style where JSON has one, else `\u00XX` in lowercase hex);
/// everything else, non-ASCII included, as is.
pub fn push_str(out: &mut String, s: &str) {
    out.push('"');
    let mut run_start = 0;
    for (i, c) in s.char_indices() {
        let short = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            c if c < ' ' => "",
            _ => continue,
        };
        out.push_str(s.get(run_start..i).unwrap_or_default());
        if short.is_empty() {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push_str(short);
        }
        run_start = i + 1; // every escaped char is one byte
    }
    out.push_str(s.get(run_start..).unwrap_or_default());
    out.push('"');
}

/// Appends an unsigned integer.
pub fn push_u64(out: &mut String, n: u64) {
    let _ = write!(out, "{n}");
}

/// The members of object `value` named in `keys`, in the order of `keys`. Refuses a value that is
/// not an object, a key given twice and (unless `unknown_ok`) a key not in `keys`, as serde's
/// derived readers do.
pub fn fields<'v, const N: usize>(value: &'v Value, keys: [&str; N], unknown_ok: bool) -> Result<[Option<&'v Value>; N], String> {
    let Value::Object(members) = value else {
        return Err(format!("expected an object, found {}", value.kind()));
    };
    let mut found = [None; N];
    for (key, member) in members {
        match keys.iter().position(|k| k == key) {
            Some(i) if found[i].is_some() => return Err(format!("duplicate field `{}`", excerpt(key))),
            Some(i) => found[i] = Some(member),
            None if unknown_ok => {}
            None => return Err(format!("unknown field `{}`", excerpt(key))),
        }
    }
    Ok(found)
}

/// A required field, present.
pub fn required<'v>(field: Option<&'v Value>, key: &str) -> Result<&'v Value, String> {
    field.ok_or_else(|| format!("missing field `{key}`"))
}

/// A required field holding an integer from 0 to `max`.
pub fn integer_field(field: Option<&Value>, key: &str, max: u64) -> Result<u64, String> {
    let value = required(field, key)?;
    value.as_u64().filter(|n| *n <= max).ok_or_else(|| {
        let found = match value {
            Value::Number(n) => excerpt(n),
            other => other.kind().to_string(),
        };
        format!("field `{key}`: expected an integer from 0 to {max}, found {found}")
    })
}

/// A required field holding a string.
pub fn string_field(field: Option<&Value>, key: &str) -> Result<String, String> {
    let value = required(field, key)?;
    value.as_str().map(str::to_string).ok_or_else(|| format!("field `{key}`: expected a string, found {}", value.kind()))
}

/// At most 40 characters of `text` (with `...` when cut): for echoing untrusted text in messages.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}...", text.get(..cut).unwrap_or_default()),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    fn string(s: &str) -> String {
        let mut out = String::new();
        push_str(&mut out, s);
        out
    }

    fn error(text: &str) -> &'static str {
        parse(text).expect_err(text).what
    }

    #[test]
    fn values_round_trip_through_text() {
        let text = r#"{"a":[1,-2,3.5e-7,true,false,null,{}],"b":{"c":[]},"":"x"}"#;
        let value = parse(text).expect("valid");
        assert_eq!(value.to_json(), text);
        let spaced = " {\n\t\"a\" : [ 1 , 2 ] ,\r\n \"b\":{ } } ";
        assert_eq!(parse(spaced).map(|v| v.to_json()), Ok(r#"{"a":[1,2],"b":{}}"#.to_string()));
    }

    #[test]
    fn strings_escape_as_serde_json_does() {
        assert_eq!(string("plain ü 日本 🦀"), "\"plain ü 日本 🦀\"");
        assert_eq!(string("q\"b\\s/"), r#""q\"b\\s/""#);
        assert_eq!(string("\n\r\t\u{8}\u{c}"), r#""\n\r\t\b\f""#);
        assert_eq!(string("\u{0}\u{1f}\u{7f}"), "\"\\u0000\\u001f\u{7f}\"");
        assert_eq!(string("<img src=x onerror=alert(1)>"), "\"<img src=x onerror=alert(1)>\"");
        for s in ["", "a\u{0}b\"c\\d\u{1b}[31m é \u{10ffff}", "\\u0041"] {
            assert_eq!(parse(&string(s)), Ok(Value::String(s.to_string())), "{s:?}");
        }
    }

    #[test]
    fn unicode_escapes_decode_including_surrogate_pairs() {
        assert_eq!(parse(r#""\u0041\u00e9\u65E5\/""#), Ok(Value::String("Aé日/".to_string())));
        assert_eq!(parse(r#""\ud83e\udd80""#), Ok(Value::String("🦀".to_string())));
        assert_eq!(parse(r#""\uDBFF\uDFFF""#), Ok(Value::String("\u{10ffff}".to_string())));
        assert_eq!(error(r#""\ud83e""#), "lone leading surrogate in hex escape");
        assert_eq!(error(r#""\ud83ex""#), "lone leading surrogate in hex escape");
        assert_eq!(error(r#""\ud83e\u0041""#), "lone leading surrogate in hex escape");
        assert_eq!(error(r#""\udd80""#), "lone trailing surrogate in hex escape");
        assert_eq!(error(r#""\u12g4""#), "invalid hex escape");
        assert_eq!(error(r#""\u12"#), "EOF while parsing a string");
        assert_eq!(error(r#""\x""#), "invalid escape");
        assert_eq!(error("\"tab\there\""), "control character in a string");
    }

    #[test]
    fn integers_are_read_exactly_up_to_the_i64_and_u64_limits() {
        let number = |text: &str| parse(text).expect(text);
        assert_eq!(number("18446744073709551615").as_u64(), Some(u64::MAX));
        assert_eq!(number("18446744073709551616").as_u64(), None);
        assert_eq!(number("9223372036854775807").as_i64(), Some(i64::MAX));
        assert_eq!(number("-9223372036854775808").as_i64(), Some(i64::MIN));
        assert_eq!(number("9223372036854775808").as_i64(), None);
        assert_eq!(number("-9223372036854775809").as_i64(), None);
        assert_eq!(number("0").as_u64(), Some(0));
        assert_eq!(number("-0").as_i64(), Some(0));
        for not_an_integer in ["-1", "1.0", "1e3", "1E+3", "-0"] {
            assert_eq!(number(not_an_integer).as_u64(), None, "{not_an_integer}");
        }
        assert_eq!(number("1.5").as_i64(), None);
        assert_eq!(number("\"7\"").as_u64(), None, "a string is not a number");
        // Numbers are written back as they were written.
        assert_eq!(number("-12.50e+3").to_json(), "-12.50e+3");
    }

    #[test]
    fn numbers_outside_the_grammar_are_refused() {
        for bad in ["01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "-a", "NaN", "Infinity"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_without_exhausting_the_stack() {
        let at_limit = format!("{}{}", "[".repeat(DEPTH_MAX), "]".repeat(DEPTH_MAX));
        assert!(parse(&at_limit).is_ok());
        let over = format!("{}{}", "[".repeat(DEPTH_MAX + 1), "]".repeat(DEPTH_MAX + 1));
        assert_eq!(parse(&over), Err(Error { what: "nesting too deep", line: 1, column: DEPTH_MAX + 1 }));
        let objects = "{\"a\":".repeat(100_000);
        assert_eq!(error(&objects), "nesting too deep");
        assert_eq!(error(&"[".repeat(1_000_000)), "nesting too deep");
    }

    #[test]
    fn truncated_input_is_refused_with_where_it_ended() {
        assert_eq!(parse(r#"{"app":"kafka-sandbox","#), Err(Error { what: "EOF while parsing an object", line: 1, column: 24 }));
        for (text, what) in [
            ("", "EOF while parsing a value"),
            ("   ", "EOF while parsing a value"),
            ("[1,2", "EOF while parsing an array"),
            ("[1,", "EOF while parsing a value"),
            ("{\"a\"", "EOF while parsing an object"),
            ("{\"a\":", "EOF while parsing a value"),
            ("\"abc", "EOF while parsing a string"),
            ("\"abc\\", "EOF while parsing a string"),
            ("tru", "expected value"),
            ("{", "EOF while parsing an object"),
        ] {
            assert_eq!(error(text), what, "{text:?}");
        }
    }

    #[test]
    fn trailing_garbage_and_other_syntax_errors_are_refused() {
        assert_eq!(parse("{} x"), Err(Error { what: "trailing characters", line: 1, column: 4 }));
        assert_eq!(parse("[1]\n\n ]"), Err(Error { what: "trailing characters", line: 3, column: 2 }));
        for (text, what) in [
            ("[1,]", "expected value"),
            ("{\"a\":1,}", "key must be a string"),
            ("{a:1}", "key must be a string"),
            ("{\"a\" 1}", "expected `:`"),
            ("[1 2]", "expected `,` or `]`"),
            ("{\"a\":1 \"b\":2}", "expected `,` or `}`"),
            ("\u{0}garbage", "expected value"),
            ("'single'", "expected value"),
            ("// comment\n1", "expected value"),
            ("truex", "trailing characters"),
            ("1 2", "trailing characters"),
        ] {
            assert_eq!(error(text), what, "{text:?}");
        }
    }

    #[test]
    fn error_columns_count_characters_not_bytes() {
        assert_eq!(parse("[\"ü日\", x]"), Err(Error { what: "expected value", line: 1, column: 8 }));
        assert_eq!(parse("[\"ü日\", x]").map_err(|e| e.to_string()), Err("expected value at line 1 column 8".to_string()));
    }

    #[test]
    fn oversized_documents_are_refused_before_parsing() {
        let big = format!("\"{}\"", "x".repeat(INPUT_BYTES_MAX));
        assert_eq!(error(&big), "document too large");
        let fits = format!("\"{}\"", "x".repeat(INPUT_BYTES_MAX - 2));
        assert!(parse(&fits).is_ok());
    }

    #[test]
    fn fields_refuse_duplicates_and_unknown_keys_like_serde() {
        let value = parse(r#"{"b":2,"a":"x","c":null}"#).expect("valid");
        let [a, b] = fields(&value, ["a", "b"], true).expect("unknown allowed");
        assert_eq!((a.and_then(Value::as_str), b.and_then(Value::as_u64)), (Some("x"), Some(2)));
        assert_eq!(fields(&value, ["a", "b"], false), Err("unknown field `c`".to_string()));
        let twice = parse(r#"{"a":1,"a":2}"#).expect("valid JSON");
        assert_eq!(fields(&twice, ["a"], true), Err("duplicate field `a`".to_string()));
        assert_eq!(fields(&Value::Array(vec![]), ["a"], true), Err("expected an object, found an array".to_string()));
        assert_eq!(integer_field(b, "b", 1), Err("field `b`: expected an integer from 0 to 1, found 2".to_string()));
        assert_eq!(integer_field(None, "z", 1), Err("missing field `z`".to_string()));
        assert_eq!(string_field(a, "a"), Ok("x".to_string()));
        let long_key = format!("{{\"{}\":1}}", "k".repeat(1000));
        let message = fields(&parse(&long_key).expect("valid"), ["a"], false).expect_err("unknown");
        assert_eq!(message, format!("unknown field `{}...`", "k".repeat(40)));
    }
}
