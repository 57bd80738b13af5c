//! The sandbox shell in a terminal: the same shell the browser runs, reading commands from stdin.
//!
//! `sandbox-shell [--brokers N] [--seed S]` (defaults: 3 brokers, seed 1). A prompt is shown only
//! on a terminal; here-document continuation lines are read like any other line; stdout and
//! stderr are the streams the real tools use. End of input is Ctrl-D for a foreground tool.
//!
//! `sandbox-shell lessons` lists the lessons; `sandbox-shell lessons --verify [ID...]` replays
//! every lesson's solutions on a fresh sandbox and checks each step's goal (unmet before its
//! solution, met after) and that each step's near misses leave it unmet: one line per lesson,
//! then `N passed, M failed (S steps, W wrong paths refused)`; exit status 1 on failure.
//! `sandbox-shell lessons --check ID STEP < path` runs a path (the "show solution" listing's
//! format, see `lessons::parse_path`) from the start of step STEP and ends with `met: ...` or
//! `unmet: <why>`.
use std::io::{BufRead, IsTerminal, Write};

use kafka_sandbox::shell::{Chunk, Mode, Shell, Stream};

fn usage(message: &str) -> ! {
    eprintln!("sandbox-shell: {message}\nusage: sandbox-shell [--brokers N] [--seed S]\n       sandbox-shell lessons [--verify [ID...] | --check ID STEP < path]");
    std::process::exit(2)
}

/// `sandbox-shell lessons [--verify [ID...] | --check ID STEP]`.
fn lessons(args: &[String]) -> ! {
    use kafka_sandbox::lessons::LESSONS;
    match args.first().map(String::as_str) {
        None => {
            for l in LESSONS {
                let kind = if l.challenge { " (challenge)" } else { "" };
                println!("{}\t{}{}\t{} steps", l.id, l.title, kind, l.steps.len());
            }
            std::process::exit(0)
        }
        Some("--verify") => verify(&args[1..]),
        Some("--check") => check(&args[1..]),
        Some(other) => usage(&format!("lessons: unknown argument '{other}' (try --verify or --check)")),
    }
}

/// Replays every chosen lesson's solutions and near misses (`-v` first: says why each near miss
/// was refused).
fn verify(ids: &[String]) -> ! {
    use kafka_sandbox::lessons::{self, Verdict, LESSONS};
    let verbose = ids.first().is_some_and(|a| a == "-v");
    let ids = if verbose { &ids[1..] } else { ids };
    let mut chosen = Vec::new();
    for id in ids {
        match lessons::lesson(id) {
            Some(l) => chosen.push(l),
            None => usage(&format!("no lesson '{id}'")),
        }
    }
    if chosen.is_empty() {
        chosen = LESSONS.iter().collect();
    }
    let (mut passed, mut failed, mut steps, mut refused) = (0, 0, 0, 0);
    for l in chosen {
        let mut tell = |step: usize, what: &str, why: &str| {
            if verbose {
                println!("  {} step {step}: refused \"{what}\": {why}", l.id);
            }
        };
        match lessons::run::verify_lesson_with(l, &mut tell) {
            Verdict::Passed { steps: s, refused: r } => {
                passed += 1;
                steps += s;
                refused += r;
                println!("ok {} ({s} steps, {r} wrong paths refused)", l.id);
            }
            Verdict::Failed { step, why } => {
                failed += 1;
                println!("FAILED {}: step {step}: {why}", l.id);
            }
        }
        let _ = std::io::stdout().flush();
    }
    println!("{passed} passed, {failed} failed ({steps} steps, {refused} wrong paths refused)");
    std::process::exit(if failed == 0 { 0 } else { 1 })
}

/// Input `--check` reads at most (a path is a few dozen lines).
const CHECK_INPUT_BYTES_MAX: u64 = 1 << 20;

/// `lessons --check ID STEP`: runs the path on stdin from the step's start; prints what each
/// terminal showed, then `met: ...` or `unmet: ...`.
fn check(args: &[String]) -> ! {
    use kafka_sandbox::lessons::{self, run::WRONG_WATCH_MS};
    use std::io::Read;
    let [id, step] = args else { usage("lessons --check needs a lesson id and a step number (from 1)") };
    let Some(lesson) = lessons::lesson(id) else { usage(&format!("no lesson '{id}'")) };
    let step = match step.parse::<usize>() {
        Ok(n) if (1..=lesson.steps.len()).contains(&n) => n - 1,
        _ => usage(&format!("lesson '{id}' has steps 1 to {}, not '{step}'", lesson.steps.len())),
    };
    let mut text = String::new();
    if std::io::stdin().take(CHECK_INPUT_BYTES_MAX + 1).read_to_string(&mut text).is_err() || text.len() as u64 > CHECK_INPUT_BYTES_MAX {
        usage("lessons --check: the path on stdin must be UTF-8 text of at most 1 MiB");
    }
    // The path's lines live as long as the process (the lesson runner keeps `'static` inputs).
    let text: &'static str = Box::leak(text.into_boxed_str());
    let inputs = match lessons::parse_path(text) {
        Ok(inputs) => inputs,
        Err(why) => usage(&format!("lessons --check: {why}")),
    };
    let (result, run) = lessons::check_path(lesson, step, &inputs, WRONG_WATCH_MS);
    for term in run.history().terminals() {
        let shown = run.history().output_since_step(term);
        if !shown.is_empty() {
            println!("--- terminal {term} ---");
            print!("{shown}");
            if !shown.ends_with('\n') {
                println!();
            }
        }
    }
    match result {
        Ok(()) => {
            println!("met: {}", lesson.steps[step].goal_text);
            std::process::exit(0)
        }
        Err(why) => {
            println!("unmet: {why}");
            std::process::exit(1)
        }
    }
}

fn main() {
    let all: Vec<String> = std::env::args().skip(1).collect();
    if all.first().map(String::as_str) == Some("lessons") {
        lessons(&all[1..]);
    }
    let mut brokers: u32 = 3;
    let mut seed: u64 = 1;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = |v: Option<String>| v.unwrap_or_else(|| usage(&format!("{arg} needs a value")));
        match arg.as_str() {
            "--brokers" => brokers = value(args.next()).parse().unwrap_or_else(|_| usage("--brokers takes a number")),
            "--seed" => seed = value(args.next()).parse().unwrap_or_else(|_| usage("--seed takes a number")),
            "-h" | "--help" => usage("runs the Kafka sandbox's shell on stdin"),
            other => usage(&format!("unknown argument '{other}'")),
        }
    }
    let mut shell = Shell::new(brokers, seed);
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    shell.set_interactive(interactive);
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    let emit = |chunks: Vec<Chunk>, out: &mut std::io::Stdout, err: &mut std::io::Stderr| {
        for chunk in chunks {
            let _ = match chunk.stream {
                Stream::Out => out.write_all(chunk.text.as_bytes()),
                Stream::Err => err.write_all(chunk.text.as_bytes()),
            };
        }
        let _ = out.flush();
    };
    loop {
        if interactive {
            let _ = write!(out, "{}", shell.prompt());
            let _ = out.flush();
        }
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => {
                let chunks = shell.eof();
                emit(chunks, &mut out, &mut err);
                if shell.mode() == Mode::Command {
                    break;
                }
                continue;
            }
            Ok(_) => {}
        }
        let chunks = shell.run(line.trim_end_matches(['\n', '\r']));
        emit(chunks, &mut out, &mut err);
        let background = shell.take_background_output();
        emit(background, &mut out, &mut err);
    }
}
