//! The native `sandbox-shell` binary runs the same shell as the browser: same answers, no prompt
//! when stdin is not a terminal.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::process::{Command, Stdio};

fn run_sandbox_shell(input: &str) -> (String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sandbox-shell"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sandbox-shell starts");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    let out = child.wait_with_output().expect("sandbox-shell exits");
    (String::from_utf8(out.stdout).expect("utf-8"), String::from_utf8(out.stderr).expect("utf-8"))
}

#[test]
fn sandbox_shell_answers_help_like_the_browser_shell() {
    let (stdout, _) = run_sandbox_shell("help\n");
    let mut shell = kafka_sandbox::shell::Shell::new(3, 1);
    let expected: String = shell.run("help").into_iter().map(|c| c.text).collect();
    assert_eq!(stdout, expected);
    assert!(stdout.contains("kafka-topics"));
}

#[test]
fn sandbox_shell_reports_unknown_commands_on_stderr() {
    let (stdout, stderr) = run_sandbox_shell("kafak-topics --list\n");
    assert_eq!(stdout, "");
    assert!(stderr.starts_with("kafak-topics: command not found"), "{stderr}");
}
