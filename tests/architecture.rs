//! Architecture rule: the engine's modules form layers. Each module (a file under `src/engine`,
//! named by its path: `group::state` is `src/engine/group/state.rs`) may import only the modules
//! its row of ARCHITECTURE.md's table "Engine modules" allows, and the import graph has no cycle.
//! The bug this guards: twelve engine modules imported each other in one cycle (issue 21), so no
//! part could be read, tested or changed without all the others.
//!
//! Imports are the paths the code names: `super::x`, `super::super::x`, `crate::engine::x`,
//! `self::x` and a child module's name (`state::X`). Test code (`#[cfg(test)]` items and
//! `tests.rs` files) and comments are not imports. A call to a method another file defines on
//! the same type names no path, so it is no edge here: the table's "Owns" column and the
//! issue's remaining items (handlers that are still methods on `Cluster`) say where those are.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The module path of a file under `src/engine` (`None` for the root `mod.rs` and test files).
fn module_of(rel: &Path) -> Option<String> {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let file = parts.pop()?;
    let stem = file.strip_suffix(".rs")?;
    if stem == "tests" {
        return None;
    }
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    (!parts.is_empty()).then(|| parts.join("::"))
}

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

/// The source without comments and without `#[cfg(test)]` items (a `mod x;` line, or a block
/// up to its closing brace at the same indentation).
fn code_of(source: &str) -> String {
    let mut out = String::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]" {
            let indent = line.len() - line.trim_start().len();
            let item = lines.next().unwrap_or("");
            if item.trim_end().ends_with('{') {
                let close = format!("{}}}", " ".repeat(indent));
                for l in lines.by_ref() {
                    if l.trim_end() == close {
                        break;
                    }
                }
            }
            continue;
        }
        let code = line.find("//").map_or(line, |i| &line[..i]);
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// Identifier-or-`*`/`{` segments of the path that starts at `at` in `code`.
fn path_at(code: &str, at: usize) -> Vec<&str> {
    let rest = &code[at..];
    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
    rest[..end].split("::").filter(|s| !s.is_empty()).collect()
}

/// The longest known module that `segments` (a path from `base`) names, or `base` itself.
fn resolve(modules: &BTreeSet<String>, base: &[&str], segments: &[&str]) -> String {
    let mut best = base.join("::");
    let mut path: Vec<&str> = base.to_vec();
    for s in segments {
        path.push(s);
        let name = path.join("::");
        if modules.contains(&name) {
            best = name;
        } else {
            break;
        }
    }
    if best.is_empty() {
        "(engine root)".to_string()
    } else {
        best
    }
}

/// Every `prefix` occurrence in `code` not preceded by an identifier character or `::`.
fn starts_of<'a>(code: &'a str, prefix: &'a str) -> impl Iterator<Item = usize> + 'a {
    code.match_indices(prefix).map(|(i, _)| i).filter(move |&i| {
        let before = &code[..i];
        !(before.ends_with("::") || before.ends_with(|c: char| c.is_alphanumeric() || c == '_'))
    })
}

/// The modules `module`'s code imports.
fn imports_of(modules: &BTreeSet<String>, module: &str, code: &str) -> BTreeSet<String> {
    let own: Vec<&str> = module.split("::").collect();
    // The module `super` names: the parent of this module.
    let parent = &own[..own.len() - 1];
    let mut found = BTreeSet::new();
    for at in starts_of(code, "crate::engine::") {
        found.insert(resolve(modules, &[], &path_at(code, at + "crate::engine::".len())));
    }
    for at in starts_of(code, "super::") {
        let mut segments = path_at(code, at);
        let mut base = parent.to_vec();
        segments.remove(0);
        while segments.first() == Some(&"super") {
            segments.remove(0);
            base.pop();
        }
        // `super::*` and `super::{a, b}` leave no segment: they name the parent module itself.
        found.insert(resolve(modules, &base, &segments));
    }
    // `self::child::` and a bare child module name (`state::X`, `use state::*`).
    let children: Vec<&String> = modules.iter().filter(|m| m.strip_prefix(module).and_then(|r| r.strip_prefix("::")).is_some_and(|r| !r.contains("::"))).collect();
    for child in children {
        let name = child.rsplit("::").next().expect("a child has a name");
        let bare = format!("{name}::");
        if starts_of(code, &bare).next().is_some() || code.contains(&format!("self::{bare}")) {
            found.insert(child.clone());
        }
    }
    found.remove(module);
    found
}

/// Modules a parent declares under `#[cfg(test)]` (`#[cfg(test)] mod liveness_tests;`).
fn test_only_modules(files: &[std::path::PathBuf], root: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for f in files {
        let Some(parent) = module_of(f.strip_prefix(root).expect("under src/engine")) else { continue };
        let source = std::fs::read_to_string(f).expect("readable source");
        let lines: Vec<&str> = source.lines().map(str::trim).collect();
        for pair in lines.windows(2).filter(|w| w[0] == "#[cfg(test)]") {
            if let Some(name) = pair[1].strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
                out.insert(format!("{parent}::{name}"));
            }
        }
    }
    out
}

fn engine_graph() -> Graph {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src/engine"));
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let named: Vec<(String, String)> = files
        .iter()
        .filter_map(|f| {
            let rel = f.strip_prefix(root).expect("under src/engine");
            let module = module_of(rel)?;
            let source = std::fs::read_to_string(f).expect("readable source");
            Some((module, code_of(&source)))
        })
        .collect();
    let test_only = test_only_modules(&files, root);
    let named: Vec<(String, String)> = named.into_iter().filter(|(m, _)| !test_only.contains(m)).collect();
    let modules: BTreeSet<String> = named.iter().map(|(m, _)| m.clone()).collect();
    named.iter().map(|(m, code)| (m.clone(), imports_of(&modules, m, code))).collect()
}

/// The rows of ARCHITECTURE.md's engine module table: module -> modules it may import.
fn allowed_table(doc: &str) -> BTreeMap<String, BTreeSet<String>> {
    let section = doc.split("### Engine modules").nth(1).expect("ARCHITECTURE.md has a section \"### Engine modules\"");
    let section = section.split("\n#").next().unwrap_or(section);
    let mut rows = BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let ticked = |cell: &str| -> Vec<String> { cell.split('`').skip(1).step_by(2).map(str::to_string).collect() };
        let deps = cells.get(3).copied().unwrap_or("");
        for module in ticked(cells[1]) {
            rows.insert(module, ticked(deps).into_iter().collect());
        }
    }
    rows
}

/// Modules on a cycle (strongly connected components of more than one module), each sorted.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    // Reachability by depth-first search from each module: the graph has ~50 modules.
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(m) = stack.pop() {
            for d in graph.get(&m).into_iter().flatten() {
                if seen.insert(d.clone()) {
                    stack.push(d.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> = graph.keys().map(|m| (m, reach(m))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for (m, r) in &reaches {
        if !r.contains(*m) || out.iter().any(|c| c.contains(m)) {
            continue;
        }
        let component: Vec<String> = reaches.iter().filter(|(o, ro)| r.contains(**o) && ro.contains(*m)).map(|(o, _)| (*o).clone()).collect();
        out.push(component);
    }
    out
}

fn violations(graph: &Graph, table: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut out = Vec::new();
    for (module, deps) in graph {
        let Some(allowed) = table.get(module) else {
            out.push(format!("`{module}` has no row in ARCHITECTURE.md's engine module table"));
            continue;
        };
        for d in deps.difference(allowed) {
            out.push(format!("`{module}` imports `{d}`, which its row does not allow"));
        }
    }
    for row in table.keys().filter(|m| !graph.contains_key(*m)) {
        out.push(format!("ARCHITECTURE.md's table names `{row}`, which is no module of src/engine"));
    }
    out
}

fn architecture_md() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ARCHITECTURE.md")).expect("ARCHITECTURE.md is readable")
}

/// The top-level module a module belongs to (`group` for `group::state`).
fn family(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

/// Cycles that cross a top-level module's boundary. The files of one directory module (`assignor`
/// and `assignor::sticky`, `group` and `group::coordinator`) may name each other: they are one
/// module split for size. A cycle through any other module is the bug.
fn cycles_across_modules(graph: &Graph) -> Vec<Vec<String>> {
    cycles(graph).into_iter().filter(|c| c.iter().any(|m| family(m) != family(&c[0]))).collect()
}

#[test]
fn engine_module_import_cycle_is_gone() {
    let graph = engine_graph();
    assert!(graph.len() > 20, "found only {} engine modules", graph.len());
    let found = cycles_across_modules(&graph);
    assert!(found.is_empty(), "engine modules import each other in a cycle: {found:?}\nthe graph: {graph:#?}");
}

#[test]
fn engine_modules_import_only_what_their_layer_allows() {
    let graph = engine_graph();
    let report = violations(&graph, &allowed_table(&architecture_md()));
    assert!(report.is_empty(), "engine dependency rules (ARCHITECTURE.md, \"Engine modules\") broken:\n{}", report.join("\n"));
}

/// Prints the measured graph (`cargo test --test architecture -- --ignored --nocapture`).
#[test]
#[ignore]
fn print_engine_import_graph() {
    for (m, deps) in engine_graph() {
        println!("{m} -> {}", deps.into_iter().collect::<Vec<_>>().join(" "));
    }
}

// Guards of the guard: a parser that saw no import or a cycle finder that found none would pass
// vacuously.

fn modules(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn import_parser_sees_every_path_form_and_skips_tests_and_comments() {
    let known = modules(&["cluster", "log", "group", "group::state", "group::records", "ids", "error", "rng"]);
    let code = code_of(
        "use crate::engine::cluster::{Ev, Tp};\nuse super::records::{self, RecordKey};\nuse crate::engine::ids::Tp;\nlet x = super::super::log::Batch::new();\n\
         pub(crate) use state::*;\n// use super::super::error::KafkaError;\n#[cfg(test)]\nmod tests {\n    use crate::engine::rng::Rng;\n}\n",
    );
    let found = imports_of(&known, "group::admin", &code);
    assert_eq!(found, modules(&["cluster", "group::records", "ids", "log"]), "from group::admin");
    let top = imports_of(&known, "group", "use super::cluster::{BrokerId, Cluster};\npub(crate) use state::*;\nuse super::*;\n");
    assert_eq!(top, modules(&["(engine root)", "cluster", "group::state"]), "from group/mod.rs");
    let sibling = imports_of(&known, "group::records", "use super::*;\nuse super::state::Group;\n");
    assert_eq!(sibling, modules(&["group", "group::state"]), "from group/records.rs");
}

#[test]
fn cycle_finder_and_rule_check_catch_a_back_edge() {
    let mut graph: Graph = BTreeMap::new();
    graph.insert("ids".into(), modules(&[]));
    graph.insert("msg".into(), modules(&["ids"]));
    graph.insert("cluster".into(), modules(&["msg", "ids"]));
    assert!(cycles(&graph).is_empty());
    graph.insert("msg".into(), modules(&["ids", "cluster"]));
    assert_eq!(cycles_across_modules(&graph), vec![vec!["cluster".to_string(), "msg".to_string()]]);
    let mut split: Graph = BTreeMap::new();
    split.insert("assignor".into(), modules(&["assignor::range"]));
    split.insert("assignor::range".into(), modules(&["assignor"]));
    assert_eq!(cycles(&split).len(), 1);
    assert!(cycles_across_modules(&split).is_empty(), "a directory module's files may name each other");
    let table = allowed_table("x\n### Engine modules\n| Module | Owns | May depend on |\n|---|---|---|\n| `ids` | ids | — |\n| `msg` | messages | `ids` |\n| `cluster` | the loop | `msg`, `ids` |\n");
    assert_eq!(violations(&graph, &table), vec!["`msg` imports `cluster`, which its row does not allow".to_string()]);
}
