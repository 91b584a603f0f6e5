//! CONTRIBUTING.md's recipes name files, symbols and tests; each must exist, so the guide cannot
//! drift from the code unnoticed (it was wrong in four places once). Checked here:
//! - every repository path it names (`crates/...`, `tools/...`, `tests/...`) exists;
//! - every "`SYMBOL` in `FILE`" names a symbol that FILE holds;
//! - every test it names (`a::b::test_name`) is a test function somewhere in the workspace, and every
//!   `group::` is a module of `tests/it/` or a module playbooks see.

use std::path::{Path, PathBuf};

pub(crate) fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The text between each pair of backticks.
pub(crate) fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path.ends_with("target") && !path.ends_with(".venv") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_file_symbol_and_test_the_guide_names_exists() {
    let guide = std::fs::read_to_string(root().join("CONTRIBUTING.md")).unwrap();
    let mut sources = Vec::new();
    for dir in ["crates", "src", "tests", "fuzz"] {
        rust_files(&root().join(dir), &mut sources);
    }
    let code: String = sources
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let mut wrong = Vec::new();

    for span in code_spans(&guide) {
        let is_path = [
            "crates/",
            "tools/",
            "tests/",
            "fuzz/",
            "stdlib/",
            "playbooks/",
            "src/",
        ]
        .iter()
        .any(|p| span.starts_with(p))
            && !span.contains(' ')
            && !span.contains("NAME");
        if is_path && !root().join(span.trim_end_matches('/')).exists() {
            wrong.push(format!("path `{span}` does not exist"));
        }
        // A test: a path of identifiers whose last part is a function name.
        let parts: Vec<&str> = span.split("::").collect();
        let ident =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if parts.len() >= 2 && parts.iter().all(|p| ident(p)) && span.contains("tests::") {
            let name = parts.last().unwrap();
            if !code.contains(&format!("fn {name}(")) {
                wrong.push(format!("test `{span}`: no `fn {name}(` in the workspace"));
            }
        }
        // `name::`: a test group (a module of tests/it) or a playbook module registered in Rhai.
        if parts.len() == 2 && parts[1].is_empty() && ident(parts[0]) {
            let group = root().join(format!("tests/it/{}.rs", parts[0]));
            let module = [
                format!("register_static_module(\"{}\"", parts[0]),
                format!("function(\"{}\"", parts[0]),
            ];
            if !group.exists() && !module.iter().any(|m| code.contains(m.as_str())) {
                wrong.push(format!(
                    "`{span}` is neither a test group ({}) nor a playbook module",
                    group.display()
                ));
            }
        }
    }

    // "`SYMBOL` in `FILE`": the file holds the symbol.
    let spans: Vec<&str> = guide.split('`').collect();
    for i in (1..spans.len().saturating_sub(2)).step_by(2) {
        let (symbol, between, file) = (spans[i], spans[i + 1], spans[i + 2]);
        if between == " in " && root().join(file).is_file() {
            let text = std::fs::read_to_string(root().join(file)).unwrap();
            let bare = symbol.trim_end_matches('!').trim_end_matches("()");
            if !text.contains(bare) {
                wrong.push(format!("`{symbol}` is not in `{file}`"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "CONTRIBUTING.md is out of date:\n{}",
        wrong.join("\n")
    );
}
