//! A re-implementation of the parts of jopt-simple 5.0.4 that Kafka's tools rely on.
//!
//! Kafka's command-line tools all build their parser through `CommandDefaultOptions`, which calls
//! `new OptionParser(false)`: abbreviations of long options are therefore NOT accepted (`--bootstrap`
//! is "not a recognized option"). What jopt-simple does accept, and we mirror:
//!
//! - `--name value`, `--name=value` (split at the first `=`), and the same with a single dash
//!   (`-name value`) because a single-dash token is first looked up as a whole option name;
//! - a single-dash token that is not an option name is read as a cluster of one-letter options, and
//!   the first unknown letter is reported (`x is not a recognized option`);
//! - a required argument takes the next token whatever it looks like (`--topic --list` makes
//!   `--list` the topic); an optional argument takes the next token only if it does not look like
//!   an option;
//! - `--` ends the options; everything else is a non-option argument (Kafka tools ignore them);
//! - repeating an option is fine for the parser; asking for ONE value of a repeated option fails
//!   later with `Found multiple arguments for option X, but you asked for only one`.
//!
//! The help table is rendered like jopt-simple's `BuiltinHelpFormatter` (80 columns, 2-space
//! separator, options sorted by name, wrapped descriptions indented by 2).

use std::collections::BTreeMap;

/// The value type an option converts its argument to (shown in the help table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    String,
    Integer,
    Long,
    Double,
}

/// Whether an option takes an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    None,
    Required { described: &'static str, ty: Ty },
    Optional { described: &'static str, ty: Ty },
}

/// One option of a tool, with the description and default the real tool declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptSpec {
    pub name: &'static str,
    pub desc: &'static str,
    pub arg: Arg,
    pub default: Option<&'static str>,
    /// jopt-simple's own `.required()`: checked at parse time ("Missing required option(s) [x]").
    pub required: bool,
}

/// One option as a record of an option [`Table`]'s text: `opt!(name, description)` for a flag,
/// `opt!(name, description, Required("described", Integer))` (or `Optional`) for an option with
/// an argument, then `, default = "value"` and `, required` where they apply. Fields are separated
/// by U+001F and records end with U+001E.
macro_rules! opt {
    ($name:literal, $desc:literal) => {
        concat!($name, "\u{1f}", $desc, "\u{1f}None\u{1f}\u{1f}String\u{1f}\u{1f}\u{1e}")
    };
    ($name:literal, $desc:literal, $kind:ident($described:literal, $ty:ident) $(, default = $default:literal)?, required) => {
        concat!(
            $name, "\u{1f}", $desc, "\u{1f}", stringify!($kind), "\u{1f}", $described, "\u{1f}", stringify!($ty),
            "\u{1f}", $("=", $default,)? "\u{1f}required\u{1e}"
        )
    };
    ($name:literal, $desc:literal, $kind:ident($described:literal, $ty:ident) $(, default = $default:literal)?) => {
        concat!(
            $name, "\u{1f}", $desc, "\u{1f}", stringify!($kind), "\u{1f}", $described, "\u{1f}", stringify!($ty),
            "\u{1f}", $("=", $default,)? "\u{1f}\u{1e}"
        )
    };
}
pub(crate) use opt;

/// A tool's options as one text of [`opt!`] records, read when a command runs. As a slice of
/// `OptSpec` structs, each of the ~150 options cost ~40 bytes of pointers and lengths, which
/// compress poorly, in the browser bundle; the text costs its separators.
#[derive(Clone, Copy, Debug)]
pub struct Table(pub &'static str);

impl Table {
    pub fn iter(self) -> impl Iterator<Item = OptSpec> {
        self.0.split_terminator('\u{1e}').map(OptSpec::decode)
    }
}

impl OptSpec {
    /// One `opt!` record. The tables are constants of this crate, so a malformed record is a bug
    /// (the tests read every table); it decodes to empty fields rather than panicking.
    fn decode(record: &'static str) -> OptSpec {
        let mut fields = record.split('\u{1f}');
        let mut next = || fields.next().unwrap_or("");
        let (name, desc, kind, described, ty, default, required) = (next(), next(), next(), next(), next(), next(), next());
        let ty = match ty {
            "Integer" => Ty::Integer,
            "Long" => Ty::Long,
            "Double" => Ty::Double,
            _ => Ty::String,
        };
        let arg = match kind {
            "Required" => Arg::Required { described, ty },
            "Optional" => Arg::Optional { described, ty },
            _ => Arg::None,
        };
        OptSpec { name, desc, arg, default: default.strip_prefix('='), required: required == "required" }
    }
}

/// `help` and `version`, which `CommandDefaultOptions` adds to every Kafka tool.
pub const DEFAULT_OPTS: Table = Table(concat!(opt!("help", "Print usage information."), opt!("version", "Display Kafka version.")));

/// A parse failure, with jopt-simple's exact message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptError(pub String);

/// The options found on a command line, in order.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// Option name -> the arguments given to it, one entry per occurrence (`None` for flags and
    /// optional arguments left out).
    found: BTreeMap<&'static str, Vec<Option<String>>>,
    pub non_options: Vec<String>,
    /// Number of arguments the command line had (some tools print usage when it is zero).
    pub arg_count: usize,
}

impl Parsed {
    pub fn has(&self, name: &str) -> bool {
        self.found.contains_key(name)
    }

    /// How many of `names` were given (one copy for the tools' "exactly one action" checks).
    #[inline(never)]
    pub fn count(&self, names: &[&str]) -> usize {
        names.iter().filter(|n| self.has(n)).count()
    }

    /// The single value of an option (`options.valueOf`), failing like jopt-simple when repeated.
    pub fn value(&self, name: &'static str) -> Result<Option<String>, OptError> {
        match self.found.get(name) {
            None => Ok(None),
            Some(values) => {
                let given: Vec<&String> = values.iter().flatten().collect();
                match given.len() {
                    0 => Ok(None),
                    1 => Ok(Some(given[0].clone())),
                    _ => Err(OptError(format!(
                        "Found multiple arguments for option {name}, but you asked for only one"
                    ))),
                }
            }
        }
    }

    /// Every value of a repeatable option (`options.valuesOf`).
    pub fn values(&self, name: &str) -> Vec<String> {
        self.found.get(name).map(|v| v.iter().flatten().cloned().collect()).unwrap_or_default()
    }

    /// The value converted to an integer type as jopt-simple's `ofType(Integer.class)` would.
    pub fn int(&self, name: &'static str) -> Result<Option<i32>, OptError> {
        self.number(name, |s| s.parse::<i32>().ok())
    }

    /// The value converted as `ofType(Long.class)`.
    pub fn long(&self, name: &'static str) -> Result<Option<i64>, OptError> {
        self.number(name, |s| s.parse::<i64>().ok())
    }

    fn number<T>(&self, name: &'static str, conv: impl Fn(&str) -> Option<T>) -> Result<Option<T>, OptError> {
        match self.value(name)? {
            None => Ok(None),
            Some(text) => match conv(java_number_text(&text)) {
                Some(n) => Ok(Some(n)),
                None => Err(OptError(format!("Cannot parse argument '{text}' of option {name}"))),
            },
        }
    }
}

/// Java's `Integer.valueOf` accepts a leading `+`; Rust's parser does too, but not surrounding
/// spaces, which Java rejects as well. Kept as a hook so both agree on what is a number.
fn java_number_text(text: &str) -> &str {
    text
}

/// Looks an option up by exact name (Kafka's parsers do not allow abbreviations).
fn lookup(specs: &[Table], name: &str) -> Option<OptSpec> {
    specs.iter().flat_map(|s| s.iter()).find(|o| o.name == name)
}

/// Parses `args` against the tool's options (and the default `help`/`version`).
pub fn parse(specs: &[Table], args: &[String]) -> Result<Parsed, OptError> {
    let mut parsed = Parsed { arg_count: args.len(), ..Parsed::default() };
    let mut index = 0;
    let mut options_ended = false;
    while index < args.len() {
        let token = &args[index];
        index += 1;
        if options_ended || token == "-" || !token.starts_with('-') {
            parsed.non_options.push(token.clone());
            continue;
        }
        if token == "--" {
            options_ended = true;
            continue;
        }
        let long = token.starts_with("--");
        let body = if long { &token[2..] } else { &token[1..] };
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let spec = match lookup(specs, name) {
            Some(spec) => spec,
            None if long => return Err(OptError(format!("{name} is not a recognized option"))),
            None => return Err(short_cluster_error(specs, body)),
        };
        let value = match spec.arg {
            Arg::None => None,
            Arg::Required { .. } => match inline {
                Some(v) => Some(v),
                None if index < args.len() => {
                    index += 1;
                    Some(args[index - 1].clone())
                }
                None => return Err(OptError(format!("Option {} requires an argument", spec.name))),
            },
            Arg::Optional { .. } => match inline {
                Some(v) => Some(v),
                None if index < args.len() && !looks_like_option(&args[index]) => {
                    index += 1;
                    Some(args[index - 1].clone())
                }
                None => None,
            },
        };
        parsed.found.entry(spec.name).or_default().push(value);
    }
    let missing: Vec<&str> = specs
        .iter()
        .flat_map(|s| s.iter())
        .filter(|o| o.required && !parsed.has(o.name))
        .map(|o| o.name)
        .collect();
    if !missing.is_empty() {
        return Err(OptError(format!("Missing required option(s) [{}]", missing.join(", "))));
    }
    Ok(parsed)
}

fn looks_like_option(token: &str) -> bool {
    token.starts_with('-') && token != "-" && token != "--"
}

/// jopt-simple reads `-abc` as a cluster of one-letter options; Kafka's tools declare none, so the
/// first letter is the one reported.
fn short_cluster_error(specs: &[Table], body: &str) -> OptError {
    let body = body.split_once('=').map(|(n, _)| n).unwrap_or(body);
    for c in body.chars() {
        if lookup(specs, &c.to_string()).is_none() {
            return OptError(format!("{c} is not a recognized option"));
        }
    }
    OptError(format!("{body} is not a recognized option"))
}

/// The full option table, as `parser.printHelpOn` prints it.
pub fn help_table(specs: &[Table]) -> String {
    let mut all: Vec<OptSpec> = specs.iter().flat_map(|s| s.iter()).collect();
    all.sort_by(|a, b| a.name.cmp(b.name));
    all.dedup_by(|a, b| a.name == b.name);
    let any_required = all.iter().any(|o| o.required);
    let mut rows: Vec<(String, String)> = Vec::new();
    if any_required {
        rows.push(("Option (* = required)".into(), "Description".into()));
        rows.push(("---------------------".into(), "-----------".into()));
    } else {
        rows.push(("Option".into(), "Description".into()));
        rows.push(("------".into(), "-----------".into()));
    }
    for o in &all {
        let mut left = String::new();
        if o.required {
            left.push_str("* ");
        }
        left.push_str(if o.name.chars().count() > 1 { "--" } else { "-" });
        left.push_str(o.name);
        let (open, close, described, ty) = match o.arg {
            Arg::None => ('\0', '\0', "", Ty::String),
            Arg::Required { described, ty } => ('<', '>', described, ty),
            Arg::Optional { described, ty } => ('[', ']', described, ty),
        };
        if open != '\0' {
            left.push(' ');
            left.push(open);
            left.push_str(match ty {
                Ty::String => "String",
                Ty::Integer => "Integer",
                Ty::Long => "Long",
                Ty::Double => "Double",
            });
            if !described.is_empty() {
                left.push_str(": ");
                left.push_str(described);
            }
            left.push(close);
        }
        let right = match o.default {
            None => o.desc.to_string(),
            Some(d) => format!("{} (default: {})", o.desc, d).trim().to_string(),
        };
        rows.push((left, right));
    }
    render_rows(&rows, 80, 2)
}

/// jopt-simple's `Rows.fitToWidth` + `render`: the option column is at most (80-2)/2 wide, the
/// description column takes the rest; every line is padded to the column widths.
fn render_rows(rows: &[(String, String)], overall: usize, separator: usize) -> String {
    let width = |s: &str| s.chars().count();
    let widest_option = rows.iter().map(|r| width(&r.0)).max().unwrap_or(0);
    let widest_desc = rows.iter().map(|r| width(&r.1)).max().unwrap_or(0);
    let option_width = ((overall - separator) / 2).min(widest_option);
    let desc_width = (overall - option_width - separator).min(widest_desc);
    let mut fitted: Vec<(String, String)> = Vec::new();
    for (left, right) in rows {
        let lefts = pieces_of(left, option_width);
        let rights = pieces_of(right, desc_width);
        for i in 0..lefts.len().max(rights.len()) {
            fitted.push((
                lefts.get(i).cloned().unwrap_or_default(),
                rights.get(i).cloned().unwrap_or_default(),
            ));
        }
    }
    // After fitting, jopt-simple recomputes the widths from the fitted pieces.
    let option_width2 = ((overall - separator) / 2).min(fitted.iter().map(|r| width(&r.0)).max().unwrap_or(0));
    let desc_width2 =
        (overall - option_width2 - separator).min(fitted.iter().map(|r| width(&r.1)).max().unwrap_or(0));
    let mut out = String::new();
    for (left, right) in &fitted {
        out.push_str(left);
        out.push_str(&" ".repeat(option_width2.saturating_sub(width(left))));
        out.push_str(&" ".repeat(separator));
        out.push_str(right);
        out.push_str(&" ".repeat(desc_width2.saturating_sub(width(right))));
        out.push('\n');
    }
    out
}

/// Splits a cell into lines of at most `width` characters at line-break opportunities, the way
/// jopt-simple's `Columns.piecesOf` does with Java's line `BreakIterator` (after spaces, and after
/// a hyphen that follows a letter or another hyphen).
fn pieces_of(raw: &str, width: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    for line in raw.trim().split('\n') {
        let mut next = String::new();
        for word in break_words(line) {
            if next.chars().count() + word.chars().count() > width {
                pieces.push(next.trim_end().to_string());
                next = format!("  {word}");
            } else {
                next.push_str(&word);
            }
        }
        if !next.is_empty() {
            pieces.push(next);
        }
    }
    pieces
}

/// The segments between line-break opportunities (each keeps its trailing spaces).
fn break_words(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        current.push(c);
        let next = chars.get(i + 1).copied();
        let breaks = match (c, next) {
            (_, None) => false,
            (' ' | '\t', Some(n)) => n != ' ' && n != '\t',
            ('-', Some(n)) => {
                let prev = if i > 0 { Some(chars[i - 1]) } else { None };
                // ASCII tests: the help texts are ASCII (a test checks), and Unicode's would bring
                // its letter tables into the bundle for nothing.
                n.is_ascii_alphabetic() && prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == '-')
            }
            _ => false,
        };
        if breaks {
            words.push(std::mem::take(&mut current));
        }
        i += 1;
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    /// break_words tests letters with ASCII rules: every text it wraps must be ASCII.
    #[test]
    fn every_option_table_is_ascii_for_break_words() {
        use crate::shell::tools::specs::*;
        for table in [TOPICS, CONSOLE_PRODUCER, CONSOLE_CONSUMER, CONSUMER_GROUPS, CONFIGS, LEADER_ELECTION, GET_OFFSETS, CONSUMER_PERF] {
            for o in table.iter() {
                let described = match o.arg {
                    Arg::Required { described, .. } | Arg::Optional { described, .. } => described,
                    Arg::None => "",
                };
                for text in [o.name, o.desc, described, o.default.unwrap_or("")] {
                    assert!(text.is_ascii(), "--{}: {text:?}", o.name);
                }
            }
        }
    }
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    const SPECS: Table = Table(concat!(
        opt!("topic", "The topic.", Required("topic", String)),
        opt!("partitions", "Count.", Required("# of partitions", Integer)),
        opt!("list", "List."),
        opt!("codec", "Codec.", Optional("c", String)),
    ));

    #[test]
    fn opt_records_decode_to_their_fields() {
        let specs: Vec<OptSpec> = Table(concat!(
            opt!("a", "Flag."),
            opt!("b", "Number.", Required("n", Long), default = "5", required),
            opt!("c", "Maybe.", Optional("", Double), default = ""),
        ))
        .iter()
        .collect();
        assert_eq!(
            specs,
            [
                OptSpec { name: "a", desc: "Flag.", arg: Arg::None, default: None, required: false },
                OptSpec { name: "b", desc: "Number.", arg: Arg::Required { described: "n", ty: Ty::Long }, default: Some("5"), required: true },
                OptSpec { name: "c", desc: "Maybe.", arg: Arg::Optional { described: "", ty: Ty::Double }, default: Some(""), required: false },
            ]
        );
    }

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn abbreviations_are_rejected_like_kafka_tools() {
        let err = parse(&[SPECS], &args("--top t")).unwrap_err();
        assert_eq!(err.0, "top is not a recognized option");
    }

    #[test]
    fn equals_form_and_single_dash_long_names_work() {
        let p = parse(&[SPECS], &args("--topic=a=b -partitions 3 -list")).unwrap();
        assert_eq!(p.value("topic").unwrap().as_deref(), Some("a=b"));
        assert_eq!(p.int("partitions").unwrap(), Some(3));
        assert!(p.has("list"));
    }

    #[test]
    fn unknown_short_cluster_reports_first_letter() {
        assert_eq!(parse(&[SPECS], &args("-xyz")).unwrap_err().0, "x is not a recognized option");
    }

    #[test]
    fn required_argument_takes_next_token_even_if_dashed() {
        let p = parse(&[SPECS], &args("--topic --list")).unwrap();
        assert_eq!(p.value("topic").unwrap().as_deref(), Some("--list"));
        assert!(!p.has("list"));
        assert_eq!(parse(&[SPECS], &args("--topic")).unwrap_err().0, "Option topic requires an argument");
    }

    #[test]
    fn optional_argument_skips_options() {
        let p = parse(&[SPECS], &args("--codec --list")).unwrap();
        assert!(p.has("codec"));
        assert_eq!(p.value("codec").unwrap(), None);
    }

    #[test]
    fn repeated_single_value_and_bad_number_fail_on_access() {
        let p = parse(&[SPECS], &args("--topic a --topic b --partitions x")).unwrap();
        assert_eq!(
            p.value("topic").unwrap_err().0,
            "Found multiple arguments for option topic, but you asked for only one"
        );
        assert_eq!(p.int("partitions").unwrap_err().0, "Cannot parse argument 'x' of option partitions");
    }

    #[test]
    fn help_table_pads_and_wraps_like_jopt_simple() {
        let table = help_table(&[DEFAULT_OPTS, SPECS]);
        let lines: Vec<&str> = table.lines().collect();
        // The option column is as wide as the widest option (39) plus the 2-space separator.
        assert_eq!(lines[0].find("Description"), Some(41));
        assert!(lines[1].starts_with("------ "));
        assert!(lines.iter().any(|l| l.starts_with("--partitions <Integer: # of partitions>")));
        assert!(lines.iter().any(|l| l.starts_with("--codec [String: c]")));
    }
}
