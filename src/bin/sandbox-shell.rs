//! The sandbox shell in a terminal: the same shell the browser runs, reading commands from stdin.
use std::io::{BufRead, IsTerminal, Write};

use kafka_sandbox::shell::{Shell, Stream};

fn main() {
    let mut shell = Shell::new(3, 1);
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    loop {
        if interactive {
            let _ = write!(out, "$ ");
            let _ = out.flush();
        }
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        for chunk in shell.run(line.trim_end_matches(['\n', '\r'])) {
            let _ = match chunk.stream {
                Stream::Out => out.write_all(chunk.text.as_bytes()),
                Stream::Err => err.write_all(chunk.text.as_bytes()),
            };
        }
        let _ = out.flush();
    }
}
