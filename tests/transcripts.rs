//! Transcript tests: every `tests/transcripts/*.txt` is replayed against a fresh shell and its
//! output compared byte for byte.
//!
//! Format:
//! - first line `# brokers: N, seed: S` (both optional; defaults 3 and 1);
//! - `$ <command>`: a line typed at the prompt (`Shell::run`);
//! - `> <text>`: a further input line (here-document body, open quote, or the stdin of a foreground
//!   tool such as an interactive producer); `^D` is Ctrl-D (`Shell::eof`), `^C` Ctrl-C;
//! - every other line until the next input is expected output, stdout as is, stderr prefixed
//!   with `! `; a line that does not end in a newline ends in `\c`;
//! - lines starting with `# ` (or `#` alone) are comments; an output line that starts with `#`,
//!   `$ `, `> `, `! `, `^` or `\` is written with a leading `\`.
//!
//! `UPDATE_TRANSCRIPTS=1 cargo test --test transcripts` rewrites the expectations from the actual
//! output; the test never does that by itself.

use kafka_sandbox::shell::{Chunk, Shell, Stream};

/// Renders chunks as the transcript shows them.
fn render(chunks: &[Chunk]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut current_stream: Option<Stream> = None;
    let flush = |lines: &mut Vec<String>, text: &str, stream: Option<Stream>, complete: bool| {
        let mut line = match stream {
            Some(Stream::Err) => format!("! {text}"),
            _ => escape(text),
        };
        if !complete {
            line.push_str("\\c");
        }
        lines.push(line);
    };
    for chunk in chunks {
        for piece in chunk.text.split_inclusive('\n') {
            if current_stream.is_some_and(|s| s != chunk.stream) && !current.is_empty() {
                flush(&mut lines, &current, current_stream, false);
                current.clear();
            }
            current_stream = Some(chunk.stream);
            if let Some(body) = piece.strip_suffix('\n') {
                current.push_str(body);
                flush(&mut lines, &current, current_stream, true);
                current.clear();
            } else {
                current.push_str(piece);
            }
        }
    }
    if !current.is_empty() {
        flush(&mut lines, &current, current_stream, false);
    }
    lines
}

fn escape(text: &str) -> String {
    if text.starts_with('#') || text.starts_with("$ ") || text.starts_with("> ") || text.starts_with("! ")
        || text.starts_with('^') || text.starts_with('\\') || text == "$" || text == ">"
    {
        format!("\\{text}")
    } else {
        text.to_string()
    }
}

enum Input {
    Line(String),
    Eof,
    Interrupt,
}

struct Step {
    input: Input,
    shown: String,
    line_number: usize,
    expected: Vec<String>,
}

fn is_comment(line: &str) -> bool {
    line == "#" || line.starts_with("# ")
}

fn parse_file(text: &str) -> (u32, u64, Vec<String>, Vec<Step>) {
    let mut brokers = 3;
    let mut seed = 1;
    let mut header = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if index == 0 && line.starts_with("# brokers:") || line.starts_with("# seed:") && steps.is_empty() {
            for part in line.trim_start_matches("# ").split(',') {
                if let Some((k, v)) = part.split_once(':') {
                    match k.trim() {
                        "brokers" => brokers = v.trim().parse().expect("brokers"),
                        "seed" => seed = v.trim().parse().expect("seed"),
                        _ => {}
                    }
                }
            }
            header.push(line.to_string());
            continue;
        }
        let input = if let Some(cmd) = line.strip_prefix("$ ").or(if line == "$" { Some("") } else { None }) {
            Some(Input::Line(cmd.to_string()))
        } else if let Some(more) = line.strip_prefix("> ").or(if line == ">" { Some("") } else { None }) {
            Some(Input::Line(more.to_string()))
        } else if line == "^D" {
            Some(Input::Eof)
        } else if line == "^C" {
            Some(Input::Interrupt)
        } else {
            None
        };
        match input {
            Some(input) => steps.push(Step { input, shown: line.to_string(), line_number: index + 1, expected: Vec::new() }),
            None if is_comment(line) => {
                if steps.is_empty() {
                    header.push(line.to_string());
                } else {
                    // Comments between steps are kept in the expected block's position.
                    steps.last_mut().expect("step").expected.push(format!("\u{0}{line}"));
                }
            }
            None => match steps.last_mut() {
                Some(step) => step.expected.push(line.to_string()),
                None => header.push(line.to_string()),
            },
        }
    }
    (brokers, seed, header, steps)
}

#[test]
fn transcripts_match() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let update = std::env::var("UPDATE_TRANSCRIPTS").is_ok_and(|v| v == "1");
    let mut paths: Vec<_> = std::fs::read_dir(&dir).expect("tests/transcripts").flatten().map(|e| e.path()).collect();
    paths.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    paths.sort();
    // `TRANSCRIPT=<name>` replays only `tests/transcripts/<name>.txt` (while iterating).
    if let Ok(only) = std::env::var("TRANSCRIPT") {
        paths.retain(|p| p.file_stem().is_some_and(|s| s == only.as_str()));
    }
    assert!(!paths.is_empty(), "no transcripts found");
    let mut failures = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).expect("read transcript");
        let (brokers, seed, header, steps) = parse_file(&text);
        let mut shell = Shell::new(brokers, seed);
        let mut rewritten = header.clone();
        for step in &steps {
            let chunks = match &step.input {
                Input::Line(l) => shell.run(l),
                Input::Eof => shell.eof(),
                Input::Interrupt => shell.interrupt(),
            };
            let actual = render(&chunks);
            let expected: Vec<String> = step.expected.iter().filter(|l| !l.starts_with('\u{0}')).cloned().collect();
            rewritten.push(step.shown.clone());
            rewritten.extend(actual.iter().cloned());
            rewritten.extend(step.expected.iter().filter_map(|l| l.strip_prefix('\u{0}')).map(String::from));
            if actual != expected {
                let mut diff = format!("{}:{}: {}\n", path.display(), step.line_number, step.shown);
                for line in &expected {
                    if !actual.contains(line) {
                        diff.push_str(&format!("-{line}\n"));
                    }
                }
                for line in &actual {
                    if !expected.contains(line) {
                        diff.push_str(&format!("+{line}\n"));
                    }
                }
                diff.push_str("--- expected\n");
                for line in &expected {
                    diff.push_str(&format!(" {line}\n"));
                }
                diff.push_str("--- actual\n");
                for line in &actual {
                    diff.push_str(&format!(" {line}\n"));
                }
                failures.push(diff);
            }
        }
        if update {
            let mut out = rewritten.join("\n");
            out.push('\n');
            std::fs::write(path, out).expect("rewrite transcript");
        }
    }
    if !failures.is_empty() && !update {
        panic!("{} transcript step(s) differ:\n\n{}", failures.len(), failures.join("\n"));
    }
}
