//! The shell's own commands that feed the tools: `echo`, `printf`, `seq`, and `sleep` on the
//! simulated clock. They follow bash's builtins and GNU coreutils in output and error wording.

use std::fmt::Write as _;

use super::{Chunk, Outcome};

/// `seq` refuses to print more lines than this (a learner typing `seq 1000000000`).
pub const SEQ_LINES_MAX: u64 = 100_000;
/// `printf` output limit, so that a format reused over many arguments stays bounded.
pub const PRINTF_BYTES_MAX: usize = 1024 * 1024;

/// `echo [-neE] args...` as bash's builtin.
pub fn echo(args: &[String]) -> Outcome {
    let mut newline = true;
    let mut escapes = false;
    let mut index = 0;
    while let Some(arg) = args.get(index) {
        let flags = arg.strip_prefix('-').filter(|f| !f.is_empty() && f.chars().all(|c| "neE".contains(c)));
        let Some(flags) = flags else { break };
        for c in flags.chars() {
            match c {
                'n' => newline = false,
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        index += 1;
    }
    let mut text = String::new();
    for (i, arg) in args[index..].iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        if escapes {
            let (expanded, stop) = backslash_escapes(arg, true);
            text.push_str(&expanded);
            if stop {
                return Outcome::stdout(text);
            }
        } else {
            text.push_str(arg);
        }
    }
    if newline {
        text.push('\n');
    }
    Outcome::stdout(text)
}

/// Expands `\n`, `\t`, `\\`, `\0NNN`/`\NNN`, `\xHH`, ...; returns whether `\c` stopped output.
fn backslash_escapes(s: &str, echo_octal: bool) -> (String, bool) {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '\\' || i + 1 >= chars.len() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let e = chars[i + 1];
        i += 2;
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            'e' | 'E' => out.push('\x1b'),
            '\\' => out.push('\\'),
            'c' => return (out, true),
            'x' => {
                let mut value = 0u32;
                let mut n = 0;
                while n < 2 && i < chars.len() && chars[i].is_ascii_hexdigit() {
                    value = value * 16 + chars[i].to_digit(16).unwrap_or(0);
                    i += 1;
                    n += 1;
                }
                if n == 0 {
                    out.push_str("\\x");
                } else {
                    out.push(char::from_u32(value).unwrap_or('?'));
                }
            }
            '0'..='7' => {
                // echo: \0NNN (up to three digits after the 0); printf %b: \0NNN too; printf
                // format: \NNN.
                let mut value = 0u32;
                let mut n = 0;
                let mut j = i - 1;
                if echo_octal && e == '0' {
                    j = i;
                }
                while n < 3 && j < chars.len() && ('0'..='7').contains(&chars[j]) {
                    value = value * 8 + chars[j].to_digit(8).unwrap_or(0);
                    j += 1;
                    n += 1;
                }
                if echo_octal && e != '0' {
                    out.push('\\');
                    out.push(e);
                    continue;
                }
                i = j;
                out.push(char::from_u32(value & 0xff).unwrap_or('?'));
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    (out, false)
}

/// `printf FORMAT [ARGS...]` as bash's builtin: `%s %d %i %u %x %o %c %b %f %%`, flags and widths;
/// the format is reused while arguments remain (like coreutils).
pub fn printf(args: &[String]) -> Outcome {
    let Some(format) = args.first() else {
        return Outcome::stderr("bash: printf: usage: printf [-v var] format [arguments]\n", 2);
    };
    let format = format.clone();
    let mut rest: &[String] = &args[1..];
    let mut out = String::new();
    let mut errors = Vec::new();
    let mut status = 0;
    loop {
        let consumed_before = rest.len();
        let (stop, bad) = printf_once(&format, &mut rest, &mut out, &mut errors);
        if bad {
            status = 1;
        }
        if stop || rest.is_empty() || rest.len() == consumed_before || out.len() > PRINTF_BYTES_MAX {
            break;
        }
    }
    let mut chunks = vec![Chunk::out(out)];
    chunks.retain(|c| !c.text.is_empty());
    chunks.extend(errors);
    Outcome { chunks, status }
}

/// One pass over the format; returns (stopped by `\c`, had an invalid number).
fn printf_once(format: &str, rest: &mut &[String], out: &mut String, errors: &mut Vec<Chunk>) -> (bool, bool) {
    let chars: Vec<char> = format.chars().collect();
    let mut bad = false;
    let mut i = 0;
    let next_arg = |rest: &mut &[String]| -> Option<String> {
        let (first, tail) = rest.split_first()?;
        *rest = tail;
        Some(first.clone())
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let end = (i + 2).min(chars.len());
            // Take a whole escape (octal/hex need more characters).
            let mut j = end;
            if i + 1 < chars.len() && matches!(chars[i + 1], '0'..='7' | 'x') {
                j = (i + 5).min(chars.len());
            }
            let piece: String = chars[i..j].iter().collect();
            let (expanded, stop) = backslash_escapes_counted(&piece);
            out.push_str(&expanded.0);
            if stop {
                return (true, bad);
            }
            i += expanded.1;
            continue;
        }
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'%') {
            out.push('%');
            i += 2;
            continue;
        }
        // %[flags][width][.precision]conv
        let mut j = i + 1;
        let mut flags = String::new();
        while j < chars.len() && "-+ #0".contains(chars[j]) {
            flags.push(chars[j]);
            j += 1;
        }
        let mut width = String::new();
        while j < chars.len() && chars[j].is_ascii_digit() {
            width.push(chars[j]);
            j += 1;
        }
        let mut precision: Option<String> = None;
        if chars.get(j) == Some(&'.') {
            j += 1;
            let mut p = String::new();
            while j < chars.len() && chars[j].is_ascii_digit() {
                p.push(chars[j]);
                j += 1;
            }
            precision = Some(p);
        }
        let Some(&conv) = chars.get(j) else {
            errors.push(Chunk::err("bash: printf: `%': missing format character\n"));
            return (true, true);
        };
        i = j + 1;
        let width: usize = width.parse().unwrap_or(0).min(4096);
        let left = flags.contains('-');
        let zero = flags.contains('0') && !left;
        let arg = next_arg(rest);
        let field = match conv {
            's' => {
                let mut s = arg.unwrap_or_default();
                if let Some(p) = precision.as_ref().and_then(|p| p.parse::<usize>().ok()) {
                    s = s.chars().take(p).collect();
                }
                s
            }
            'b' => {
                let (s, stop) = backslash_escapes(&arg.unwrap_or_default(), true);
                if stop {
                    out.push_str(&s);
                    return (true, bad);
                }
                s
            }
            'c' => arg.unwrap_or_default().chars().next().map(String::from).unwrap_or_default(),
            'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                let text = arg.unwrap_or_else(|| "0".into());
                let value = match parse_int(&text) {
                    Some(v) => v,
                    None => {
                        errors.push(Chunk::err(format!("bash: printf: {text}: invalid number\n")));
                        bad = true;
                        0
                    }
                };
                let digits = match conv {
                    'x' => format!("{:x}", value),
                    'X' => format!("{:X}", value),
                    'o' => format!("{:o}", value),
                    _ => {
                        if flags.contains('+') && value >= 0 {
                            format!("+{value}")
                        } else {
                            value.to_string()
                        }
                    }
                };
                if zero && digits.len() < width {
                    let (sign, body) = if digits.starts_with(['-', '+']) { digits.split_at(1) } else { ("", digits.as_str()) };
                    format!("{sign}{}{body}", "0".repeat(width - digits.len()))
                } else {
                    digits
                }
            }
            'f' | 'e' | 'g' => {
                let text = arg.unwrap_or_else(|| "0".into());
                let value: f64 = match text.parse::<f64>() {
                    Ok(v) => v,
                    Err(_) => {
                        errors.push(Chunk::err(format!("bash: printf: {text}: invalid number\n")));
                        bad = true;
                        0.0
                    }
                };
                let p = precision.as_ref().and_then(|p| p.parse::<usize>().ok()).unwrap_or(6).min(64);
                format!("{value:.p$}")
            }
            other => {
                errors.push(Chunk::err(format!("bash: printf: `{other}': invalid format character\n")));
                return (true, true);
            }
        };
        let pad = width.saturating_sub(field.chars().count());
        if left {
            out.push_str(&field);
            out.push_str(&" ".repeat(pad));
        } else {
            out.push_str(&" ".repeat(pad));
            out.push_str(&field);
        }
    }
    (false, bad)
}

/// Expands the one escape at the start of `piece` (format-string rules: `\NNN` octal); returns
/// (text, characters consumed) and whether it was `\c`.
fn backslash_escapes_counted(piece: &str) -> ((String, usize), bool) {
    let chars: Vec<char> = piece.chars().collect();
    if chars.len() < 2 {
        return (("\\".into(), 1), false);
    }
    match chars[1] {
        '0'..='7' => {
            let mut value = 0u32;
            let mut n = 0;
            while n < 3 && 1 + n < chars.len() && ('0'..='7').contains(&chars[1 + n]) {
                value = value * 8 + chars[1 + n].to_digit(8).unwrap_or(0);
                n += 1;
            }
            ((char::from_u32(value & 0xff).unwrap_or('?').to_string(), 1 + n), false)
        }
        'x' => {
            let mut value = 0u32;
            let mut n = 0;
            while n < 2 && 2 + n < chars.len() && chars[2 + n].is_ascii_hexdigit() {
                value = value * 16 + chars[2 + n].to_digit(16).unwrap_or(0);
                n += 1;
            }
            if n == 0 {
                (("\\x".into(), 2), false)
            } else {
                ((char::from_u32(value).unwrap_or('?').to_string(), 2 + n), false)
            }
        }
        'c' => ((String::new(), 2), true),
        _ => {
            let two: String = chars[..2].iter().collect();
            let (s, _) = backslash_escapes(&two, false);
            ((s, 2), false)
        }
    }
}

/// bash's integer arguments: decimal, `0x` hex, leading `0` octal, `'c` character code.
fn parse_int(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Some(c) = t.strip_prefix('\'').or_else(|| t.strip_prefix('"')) {
        return Some(c.chars().next().map(|c| c as i64).unwrap_or(0));
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let value = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else if body.len() > 1 && body.starts_with('0') {
        i64::from_str_radix(&body[1..], 8).ok()?
    } else {
        body.parse::<i64>().ok()?
    };
    Some(if neg { -value } else { value })
}

/// `seq [FIRST [INCREMENT]] LAST` (integers and decimals, like coreutils).
pub fn seq(args: &[String]) -> Outcome {
    let usage = || {
        Outcome::stderr("seq: missing operand\nTry 'seq --help' for more information.\n", 1)
    };
    if args.is_empty() {
        return usage();
    }
    if args.len() > 3 {
        return Outcome::stderr(format!("seq: extra operand '{}'\nTry 'seq --help' for more information.\n", args[3]), 1);
    }
    let mut numbers = Vec::new();
    for arg in args {
        match arg.parse::<f64>() {
            Ok(v) if v.is_finite() => numbers.push(v),
            _ => {
                return Outcome::stderr(format!("seq: invalid floating point argument: '{arg}'\nTry 'seq --help' for more information.\n"), 1)
            }
        }
    }
    let (first, step, last) = match numbers.as_slice() {
        [l] => (1.0, 1.0, *l),
        [f, l] => (*f, 1.0, *l),
        [f, s, l] => (*f, *s, *l),
        _ => return usage(),
    };
    if step == 0.0 {
        return Outcome::stderr(format!("seq: invalid Zero increment value: '{}'\nTry 'seq --help' for more information.\n", args[1]), 1);
    }
    let decimals = args
        .iter()
        .take(if args.len() == 3 { 2 } else { 1 })
        .map(|a| a.split_once('.').map(|(_, d)| d.len()).unwrap_or(0))
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let mut n: u64 = 0;
    loop {
        let value = first + step * n as f64;
        if (step > 0.0 && value > last + 1e-9) || (step < 0.0 && value < last - 1e-9) {
            break;
        }
        if n >= SEQ_LINES_MAX {
            return Outcome::fail(
                vec![Chunk::out(out), Chunk::err(format!("seq: the sandbox prints at most {SEQ_LINES_MAX} lines\n"))],
                1,
            );
        }
        let _ = write!(out, "{value:.decimals$}");
        out.push('\n');
        n += 1;
    }
    let mut chunks = vec![Chunk::out(out)];
    chunks.retain(|c| !c.text.is_empty());
    Outcome::ok(chunks)
}

/// `sleep NUMBER[smhd]...`: the milliseconds to advance, or coreutils' error.
pub fn sleep_ms(args: &[String]) -> Result<u64, Outcome> {
    if args.is_empty() {
        return Err(Outcome::stderr("sleep: missing operand\nTry 'sleep --help' for more information.\n", 1));
    }
    let mut total: u64 = 0;
    for arg in args {
        match parse_duration_s(arg) {
            Ok(ms) => total = total.saturating_add(ms),
            Err(()) => {
                return Err(Outcome::stderr(format!("sleep: invalid time interval '{arg}'\nTry 'sleep --help' for more information.\n"), 1))
            }
        }
    }
    Ok(total)
}

/// `5`, `0.5`, `2s`, `3m`, `1h`, `1d` (sleep's units; seconds by default) in milliseconds.
pub fn parse_duration_s(text: &str) -> Result<u64, ()> {
    let (number, unit_ms) = match text.chars().last() {
        Some('s') => (&text[..text.len() - 1], 1000.0),
        Some('m') => (&text[..text.len() - 1], 60_000.0),
        Some('h') => (&text[..text.len() - 1], 3_600_000.0),
        Some('d') => (&text[..text.len() - 1], 86_400_000.0),
        _ => (text, 1000.0),
    };
    let value: f64 = number.parse::<f64>().map_err(|_| ())?;
    if !value.is_finite() || value < 0.0 || number.starts_with(['+', '-']) {
        return Err(());
    }
    let ms = value * unit_ms;
    // A year of simulated time is plenty; more is surely a typo.
    Ok(ms.min(365.0 * 86_400_000.0).round() as u64)
}

/// `help <builtin>`.
pub fn help(command: &str) -> Option<String> {
    let text = match command {
        "echo" => "echo: echo [-neE] [arg ...]\n    Write arguments to the standard output.\n",
        "printf" => "printf: printf format [arguments]\n    Formats and prints ARGUMENTS under control of the FORMAT (%s %d %b %x %f ...).\n",
        "seq" => "seq: seq [FIRST [INCREMENT]] LAST\n    Print numbers from FIRST to LAST, in steps of INCREMENT.\n",
        "cat" => "cat: cat [FILE]...\n    Concatenate files (or standard input) to standard output.\n",
        "sleep" => "sleep: sleep NUMBER[smhd]\n    Let simulated time pass (the sandbox's clock, not yours).\n",
        "jobs" => "jobs: jobs\n    Display status of background jobs.\n",
        "fg" => "fg: fg [job_spec]\n    Move job to the foreground.\n",
        "kill" => "kill: kill [-9] %N\n    Stop a background job; -9 (SIGKILL) kills it at once, with no shutdown hook.\n",
        "history" => "history: history\n    Display the command history list with line numbers.\n",
        "clear" => "clear: clear\n    Clear the terminal screen.\n",
        "help" => "help: help [command]\n    Display information about commands.\n",
        "true" => "true: true\n    Return a successful result.\n",
        "false" => "false: false\n    Return an unsuccessful result.\n",
        _ => return None,
    };
    Some(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use crate::browser_test as test;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn text(o: &Outcome) -> String {
        o.chunks.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn printf_reuses_format_over_arguments() {
        assert_eq!(text(&printf(&s(&["%s:%d\\n", "a", "1", "b", "2"]))), "a:1\nb:2\n");
        assert_eq!(text(&printf(&s(&["%5s|%-3d|%03d\\n", "x", "7", "5"]))), "    x|7  |005\n");
        assert_eq!(text(&printf(&s(&["%b", "a\\tb\\n"]))), "a\tb\n");
    }

    #[test]
    fn echo_flags() {
        assert_eq!(text(&echo(&s(&["-n", "a"]))), "a");
        assert_eq!(text(&echo(&s(&["-e", "a\\nb"]))), "a\nb\n");
        assert_eq!(text(&echo(&s(&["-x", "a"]))), "-x a\n");
    }

    #[test]
    fn seq_forms() {
        assert_eq!(text(&seq(&s(&["3"]))), "1\n2\n3\n");
        assert_eq!(text(&seq(&s(&["5", "-2", "1"]))), "5\n3\n1\n");
        assert_eq!(text(&seq(&s(&["0", "0.5", "1"]))), "0.0\n0.5\n1.0\n");
    }
}
