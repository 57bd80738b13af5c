//! Architecture invariant: the engine is pure. It may not use a web crate, the wall clock, the OS's
//! randomness, printing or unordered collections, because replays (undo, share links, tests) must
//! give byte-identical results natively and in wasm. This test reads the engine's source and fails
//! on any of those words.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

/// Words that must not appear in `src/engine` code, and why.
const FORBIDDEN: &[(&str, &str)] = &[
    ("yew", "web crate"),
    ("web_sys", "web crate"),
    ("js_sys", "web crate"),
    ("gloo", "web crate"),
    ("wasm_bindgen", "web crate"),
    ("Instant::now", "wall clock"),
    ("SystemTime", "wall clock"),
    ("thread_rng", "OS randomness"),
    ("getrandom", "OS randomness"),
    ("rand::", "an RNG crate: use the engine's own seeded RNG"),
    ("HashMap", "unordered map: iteration order must be deterministic"),
    ("HashSet", "unordered set: iteration order must be deterministic"),
    ("println!", "printing: the engine returns data, it never prints"),
    ("eprintln!", "printing"),
    ("std::fs", "I/O"),
    ("std::io", "I/O"),
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/engine is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Strips `//` comments so that prose may mention the forbidden words.
fn code_of(line: &str) -> &str {
    match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    }
}

fn violations_in(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let code = code_of(line);
        for (word, why) in FORBIDDEN {
            if code.contains(word) {
                found.push(format!("line {}: `{word}` ({why}): {}", n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn engine_uses_no_web_crate_clock_os_randomness_or_unordered_map() {
    let mut files = Vec::new();
    rust_files(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src/engine")), &mut files);
    assert!(!files.is_empty(), "src/engine has no Rust files");
    let mut report = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("readable source");
        for v in violations_in(&source) {
            report.push(format!("{}: {v}", file.display()));
        }
    }
    assert!(report.is_empty(), "src/engine must stay pure:\n{}", report.join("\n"));
}

#[test]
fn purity_check_catches_a_web_import_and_a_hash_map() {
    // Guards the guard: a checker that finds nothing would pass vacuously.
    let bad = "use web_sys::Element;\nlet m: std::collections::HashMap<u8, u8> = Default::default();\n// HashMap in a comment is fine\n";
    let v = violations_in(bad);
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(v[0].contains("web_sys") && v[1].contains("HashMap"));
}
