//! The embedded library matches the files in `stdlib/`: none forgotten in the table, none stale, all compile.

use falconry::engine::stdlib::STDLIB;
use std::path::{Path, PathBuf};

fn rhai_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read stdlib").flatten() {
        let p = e.path();
        if p.is_dir() {
            rhai_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rhai") {
            out.push(p);
        }
    }
}

#[test]
fn every_stdlib_file_is_embedded_under_its_import_path() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("stdlib");
    let mut files = Vec::new();
    rhai_files(&root, &mut files);
    assert_eq!(
        files.len(),
        STDLIB.len(),
        "stdlib/ and the STDLIB table differ"
    );
    for f in files {
        let import = f
            .strip_prefix(&root)
            .unwrap()
            .with_extension("")
            .display()
            .to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        assert_eq!(
            falconry::engine::stdlib::get(&import),
            Some(text.as_str()),
            "`{import}` is not embedded as in {}",
            f.display()
        );
    }
}

#[test]
fn every_stdlib_module_compiles() {
    // With the limits playbooks run under (Rhai's own debug-build defaults are far tighter).
    let mut engine = rhai::Engine::new();
    falconry::engine::Limits::default().apply(&mut engine);
    for (path, text) in STDLIB {
        if let Err(e) = engine.compile(text) {
            panic!("stdlib `{path}` does not compile: {e}");
        }
    }
}
