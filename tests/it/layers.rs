//! The workspace's crates are its layers: the emulator and the client each know the model and never
//! each other, so plan mode cannot lean on the emulator and the emulator cannot lean on the client.
//! Read from the manifests themselves (dev-dependencies included), so a new dependency that breaks
//! the rule fails here, naming it.

use std::path::Path;

fn manifest(krate: &str) -> toml::Table {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("crates/{krate}/Cargo.toml"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .parse()
        .unwrap()
}

/// Every `falconry-*` crate the manifest names, in any dependency table.
fn falconry_deps(m: &toml::Table) -> Vec<String> {
    ["dependencies", "dev-dependencies", "build-dependencies"]
        .iter()
        .filter_map(|t| m.get(*t).and_then(|v| v.as_table()))
        .flat_map(|t| t.keys())
        .filter(|k| k.starts_with("falconry"))
        .cloned()
        .collect()
}

#[test]
fn the_emulator_and_the_client_know_the_model_and_never_each_other() {
    for (krate, allowed) in [
        ("model", &[][..]),
        ("sim", &["falconry-model"][..]),
        ("client", &["falconry-model"][..]),
    ] {
        let deps = falconry_deps(&manifest(krate));
        let wrong: Vec<&String> = deps
            .iter()
            .filter(|d| !allowed.contains(&d.as_str()))
            .collect();
        assert!(
            wrong.is_empty(),
            "crates/{krate} depends on {wrong:?}; it may know only {allowed:?} (see src/lib.rs)"
        );
    }
}

#[test]
fn every_crate_says_its_purpose_in_its_first_line() {
    for krate in ["model", "sim", "client"] {
        let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("crates/{krate}/src/lib.rs"));
        let first = std::fs::read_to_string(&lib).unwrap();
        let first = first.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("//! "),
            "{}: first line {first:?}",
            lib.display()
        );
    }
}

/// What an operation does is decided by the table (`kind`, `answer`, `effect`), never by its name:
/// `ops/model.rs`'s own rule. A name-prefix decision anywhere in the code or the generator fails here.
#[test]
fn no_decision_is_made_by_an_operation_names_prefix() {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs" || x == "py") {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for d in ["crates", "src", "tools"] {
        walk(&root.join(d), &mut files);
    }
    let prefixes = [
        "create_", "update_", "delete_", "perform_", "get_", "query_", "set_",
    ];
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for p in prefixes {
            for call in ["starts_with(\"", "startswith(\""] {
                if text.contains(&format!("{call}{p}\"")) {
                    found.push(format!("{}: {call}{p}\"", f.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "decisions by name prefix: {found:#?}");
}
