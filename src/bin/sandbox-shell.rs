//! The sandbox shell in a terminal: the same shell the browser runs, reading commands from stdin.
//!
//! `sandbox-shell [--brokers N] [--seed S]` (defaults: 3 brokers, seed 1). A prompt is shown only
//! on a terminal; here-document continuation lines are read like any other line; stdout and
//! stderr are the streams the real tools use. End of input is Ctrl-D for a foreground tool.
//!
//! `sandbox-shell lessons` lists the lessons; `sandbox-shell lessons --verify [ID...]` replays
//! every lesson's solutions on a fresh sandbox and checks each step's goal (unmet before its
//! solution, met after): one line per lesson, then `N passed, M failed`; exit status 1 on failure.
use std::io::{BufRead, IsTerminal, Write};

use kafka_sandbox::shell::{Chunk, Mode, Shell, Stream};

fn usage(message: &str) -> ! {
    eprintln!("sandbox-shell: {message}\nusage: sandbox-shell [--brokers N] [--seed S]\n       sandbox-shell lessons [--verify [ID...]]");
    std::process::exit(2)
}

/// `sandbox-shell lessons [--verify [ID...]]`.
fn lessons(args: &[String]) -> ! {
    use kafka_sandbox::lessons::{self, Verdict, LESSONS};
    match args.first().map(String::as_str) {
        None => {
            for l in LESSONS {
                let kind = if l.challenge { " (challenge)" } else { "" };
                println!("{}\t{}{}\t{} steps", l.id, l.title, kind, l.steps.len());
            }
            std::process::exit(0)
        }
        Some("--verify") => {
            let mut chosen = Vec::new();
            for id in &args[1..] {
                match lessons::lesson(id) {
                    Some(l) => chosen.push(l),
                    None => usage(&format!("no lesson '{id}'")),
                }
            }
            if chosen.is_empty() {
                chosen = LESSONS.iter().collect();
            }
            let (mut passed, mut failed) = (0, 0);
            for l in chosen {
                match lessons::verify_lesson(l) {
                    Verdict::Passed => {
                        passed += 1;
                        println!("ok {}", l.id);
                    }
                    Verdict::Failed { step, why } => {
                        failed += 1;
                        println!("FAILED {}: step {step}: {why}", l.id);
                    }
                }
                let _ = std::io::stdout().flush();
            }
            println!("{passed} passed, {failed} failed");
            std::process::exit(if failed == 0 { 0 } else { 1 })
        }
        Some(other) => usage(&format!("lessons: unknown argument '{other}' (try --verify)")),
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
