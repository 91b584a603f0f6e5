//! CONTRIBUTING.md's recipes, followed: a copy of the workspace gets a dummy operation, RTR command
//! and parser through the documented steps, then `cargo check` runs until it passes, each error
//! filled with the dummy arm its recipe describes. The places the compiler pointed at must be exactly
//! the places the guide says `cargo build` fails in, read from the guide itself (the backticked paths
//! of a step that says "`cargo build` fails"), so the guide cannot name a place the build does not
//! point at, nor leave one out.
//!
//! Cost: `cargo check` only (no code generation), into the workspace's own target folder, so the
//! registry dependencies `cargo clippy` or `cargo check` already checked there are reused (`.ci/run`
//! runs clippy first), and the copy, in `<target>/recipes/`, is rechecked incrementally from one run to
//! the next. A crate whose dependency fails is not checked, so the build points at the model's places
//! first, then the emulator's and the client's: three rounds.
//! The parser recipe names no place the build points at (a unit test ties `PARSERS` to
//! `parse_command`), so for it the check is that its steps build and nothing points at them. The
//! playbook-helper recipe is not followed: its places are named by tests, not by the compiler, and
//! running them would compile the client's tests in the copy; nor are the named tests run, for the
//! same cost.

use super::contributing::{code_spans, root};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// One documented edit, done mechanically on the copy.
enum Step {
    /// Adds `value` (JSON) at `pointer` in `file`: appended to an array, merged into an object. A new
    /// generator input with a checked format is one more of these.
    Json {
        file: &'static str,
        pointer: &'static str,
        value: &'static str,
    },
    /// Inserts `text` after `anchor`, which must occur once in `file`.
    InsertAfter {
        file: &'static str,
        anchor: &'static str,
        text: &'static str,
    },
    /// A new file of the recipe's own.
    Create {
        file: &'static str,
        text: &'static str,
    },
    /// A command the recipe runs in the workspace (the generator).
    Run(&'static [&'static str]),
}

struct Recipe {
    /// The guide's section heading, without `## `.
    heading: &'static str,
    /// The dummy's name as the compiler prints it (`Cmd::RecipeCommand`): an error naming it, or in a
    /// file the recipe created, is this recipe's.
    marker: &'static str,
    steps: &'static [Step],
    /// Each place the recipe says the build points at, and the body of the dummy arm that fills it.
    arms: &'static [(&'static str, &'static str)],
}

const HANDLERS: &str = "crates/sim/src/handlers/mod.rs";
const FLAGS: &str = "crates/model/src/ops/command_flags.rs";
const HOST_COMMANDS: &str = "crates/sim/src/host/commands/mod.rs";
const PARSE: &str = "crates/client/src/rtr/parse/mod.rs";
const SCHEMA: &str = "crates/client/src/rtr/parse/schema.rs";
const PARSER: &str = "crates/client/src/rtr/parse/recipe_parsed.rs";

const RECIPES: &[Recipe] = &[
    Recipe {
        heading: "Add a Falcon API operation",
        marker: "RecipeOperationV1",
        steps: &[
            Step::Json {
                file: "tools/operations.json",
                pointer: "/operations",
                value: r#"{"collection": "hosts", "operation_id": "RecipeOperationV1",
                    "falconpy_id": "RecipeOperationV1", "falconpy_name": "recipe_operation",
                    "method": "GET", "path": "/recipe/queries/operation/v1",
                    "consumes": ["application/json"], "params": [], "body_schema_ref": null,
                    "responses": {"200": "msa.QueryResponse", "403": "msa.ErrorsOnly"},
                    "scope": "devices:read", "auth": "Bearer token", "scope_source": "inferred",
                    "in_2023_spec": false, "summary": "A dummy operation"}"#,
            },
            Step::Run(&["python3", "tools/gen_ops_table.py"]),
        ],
        arms: &[(HANDLERS, "hosts::query")],
    },
    Recipe {
        heading: "Add an RTR command to the emulator",
        marker: "RecipeCommand",
        steps: &[Step::InsertAfter {
            file: "crates/model/src/ops/commands.rs",
            anchor: "catalogue! {\n",
            text: "    RecipeCommand = \"recipecommand\", ReadOnly, ALL, None, false, false;\n",
        }],
        arms: &[
            (FLAGS, "(false, &[])"),
            (HOST_COMMANDS, "ok(String::new())"),
            // The parser recipe gives the command its parser.
            (PARSE, "recipe_parsed::parse(stdout, &mut warnings)"),
        ],
    },
    Recipe {
        heading: "Add a parser for a command's output",
        marker: "recipe_parsed",
        steps: &[
            Step::Create {
                file: PARSER,
                text: "//! A dummy parser: each line a row that was not understood.\n\n\
                       use super::{Output, Row};\n\n\
                       pub fn parse(stdout: &str, warnings: &mut Vec<String>) -> Output {\n    \
                           let keys = super::schema::RECIPE_KEYS;\n    \
                           let rows: Vec<Row> = stdout\n        .lines()\n        \
                           .map(|l| super::failed_row(keys, l, \"dummy\"))\n        .collect();\n    \
                           super::warn_failed(\"recipecommand\", &rows, warnings);\n    \
                           Output::Rows(rows)\n}\n",
            },
            Step::InsertAfter {
                file: PARSE,
                anchor: "mod processes;\n",
                text: "mod recipe_parsed;\n",
            },
            Step::InsertAfter {
                file: SCHEMA,
                anchor: "pub const DOCS: &[(&str, &str, &[KeyDoc])] = &[\n",
                text: "    (\"recipe_parsed\", \"recipecommand\", &[(\"line\", \"all: the line\")]),\n",
            },
            Step::InsertAfter {
                file: SCHEMA,
                anchor: "pub type KeyDoc = (&'static str, &'static str);\n",
                text: "\npub const RECIPE_KEYS: &[&str] = &[\"line\"];\n",
            },
            Step::InsertAfter {
                file: PARSE,
                anchor: "pub const PARSERS: &[Parser] = &[\n",
                text: "    Parser { command: Cmd::RecipeCommand, field: \"recipe_parsed\", real_capture: &[] },\n",
            },
        ],
        arms: &[],
    },
];

/// Sources only: no build output, history, virtualenv, or what runs leave in the folder they start
/// in (cases, the embedded emulator's state), which other tests may be writing meanwhile.
const SKIPPED: &[&str] = &[
    "target",
    ".git",
    ".venv",
    "falconry-out",
    "falconry-sim-state.jsonl",
];

fn copy_sources(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    // Listed, then gone before it is read: a file or folder another test was writing aside.
    let gone = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
    let entries = match std::fs::read_dir(from) {
        Ok(entries) => entries,
        Err(e) if gone(&e) => return,
        Err(e) => panic!("cannot list `{}`: {e}", from.display()),
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if SKIPPED.iter().any(|s| name == *s) {
            continue;
        }
        let ty = match entry.file_type() {
            Ok(ty) => ty,
            Err(e) if gone(&e) => continue,
            Err(e) => panic!("cannot read `{}`: {e}", entry.path().display()),
        };
        if ty.is_dir() {
            copy_sources(&entry.path(), &to.join(&name));
        } else if ty.is_file() {
            match std::fs::copy(entry.path(), to.join(&name)) {
                Ok(_) => {}
                Err(e) if gone(&e) => {}
                Err(e) => panic!("cannot copy `{}`: {e}", entry.path().display()),
            }
        }
    }
}

/// Gives the copy's crates a version of their own. Cargo names a workspace crate's artifacts by its
/// path inside the workspace and its version, so a copy of the same version would overwrite the
/// workspace's own in the shared target folder (and make the next build start over); registry
/// dependencies keep their names, which is what lets the copy reuse them.
fn mark_version(ws: &Path) {
    let read = |dir: &Path| -> toml::Table {
        let path = dir.join("Cargo.toml");
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (a member named by a glob?)", path.display()))
            .parse()
            .unwrap()
    };
    let mut dirs = vec![ws.to_path_buf()];
    for member in read(ws)["workspace"]["members"].as_array().unwrap() {
        let member = member.as_str().unwrap().trim_start_matches("./");
        if member != "." {
            dirs.push(ws.join(member));
        }
    }
    let suffix = |v: Option<&mut toml::Value>| {
        if let Some(toml::Value::String(v)) = v {
            v.push_str("-recipes");
        }
    };
    for dir in dirs {
        let mut manifest = read(&dir);
        suffix(
            manifest
                .get_mut("workspace")
                .and_then(|w| w.get_mut("package"))
                .and_then(|p| p.get_mut("version")),
        );
        suffix(
            manifest
                .get_mut("package")
                .and_then(|p| p.get_mut("version")),
        );
        std::fs::write(dir.join("Cargo.toml"), toml::to_string(&manifest).unwrap()).unwrap();
    }
}

fn apply(ws: &Path, step: &Step) {
    match step {
        Step::Json {
            file,
            pointer,
            value,
        } => {
            let path = ws.join(file);
            let mut doc: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let value: Value = serde_json::from_str(value).unwrap();
            match (doc.pointer_mut(pointer), value) {
                (Some(Value::Array(items)), value) => items.push(value),
                (Some(Value::Object(map)), Value::Object(add)) => map.extend(add),
                _ => panic!("{file} has no array or object at `{pointer}`: update this step"),
            }
            std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        }
        Step::InsertAfter { file, anchor, text } => {
            let path = ws.join(file);
            let source = std::fs::read_to_string(&path).unwrap();
            assert_eq!(
                source.matches(anchor).count(),
                1,
                "{file} must hold `{anchor}` once for this step: update the step"
            );
            let at = source.find(anchor).unwrap() + anchor.len();
            std::fs::write(&path, format!("{}{text}{}", &source[..at], &source[at..])).unwrap();
        }
        Step::Create { file, text } => std::fs::write(ws.join(file), text).unwrap(),
        Step::Run(argv) => {
            let out = Command::new(argv[0])
                .args(&argv[1..])
                .current_dir(ws)
                .output()
                .unwrap_or_else(|e| panic!("{} runs: {e}", argv[0]));
            assert!(
                out.status.success(),
                "`{}` failed in the copy:\n{}{}",
                argv.join(" "),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// rustc's error code for a non-exhaustive match, whose help suggests the missing arm.
const NON_EXHAUSTIVE_MATCH: &str = "E0004";

/// One error of `cargo check`: where it points, what it says, and the compiler's suggested match
/// arm for a non-exhaustive match (`byte range, replacement` with the replacement cut after its
/// last `=> `: rustc ends the arm with a placeholder body, which the recipe's body replaces).
struct BuildError {
    file: String,
    line: u64,
    message: String,
    arm: Option<(usize, usize, String)>,
}

fn cargo_check(ws: &Path, target: &Path) -> Vec<BuildError> {
    let mut cargo = Command::new(env!("CARGO"));
    crate::common::without_test_cargo_env(&mut cargo);
    let out = cargo
        .args([
            "check",
            "--workspace",
            "--all-targets",
            "--keep-going",
            "--message-format=json",
            "--target-dir",
        ])
        .arg(target)
        .current_dir(ws)
        .output()
        .expect("cargo runs");
    let mut errors: Vec<BuildError> = Vec::new();
    let mut finished = false;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        finished |= msg["reason"] == "build-finished";
        let m = &msg["message"];
        if msg["reason"] != "compiler-message" || m["level"] != "error" {
            continue;
        }
        let spans = m["spans"].as_array().into_iter().flatten();
        let Some(primary) = spans.clone().find(|s| s["is_primary"] == true) else {
            continue; // "aborting due to N previous errors"
        };
        let file = primary["file_name"].as_str().unwrap().to_string();
        let line = primary["line_start"].as_u64().unwrap();
        let message = m["message"].as_str().unwrap().to_string();
        // Only a non-exhaustive match's help suggests an arm.
        let children = if m["code"]["code"] == NON_EXHAUSTIVE_MATCH {
            m["children"].as_array()
        } else {
            None
        };
        let arm = children
            .into_iter()
            .flatten()
            .flat_map(|c| c["spans"].as_array().into_iter().flatten())
            .find_map(|s| {
                let text = s["suggested_replacement"].as_str()?;
                // The arm ends with rustc's placeholder body after its last `=> `; the caller puts
                // the recipe's body there, in the copy of the workspace.
                let (head, _placeholder) = text.rsplit_once("=> ")?;
                (s["file_name"] == file.as_str()).then(|| {
                    let at = |k: &str| s[k].as_u64().unwrap() as usize;
                    (at("byte_start"), at("byte_end"), format!("{head}=> "))
                })
            });
        // A crate's lib and its test build report the same error, and may name the type by other
        // paths: the test build's suggested arm can say `commands::Cmd::X` where only `Cmd` is in
        // scope. Which comes first varies with the build order, so keep the shortest suggestion.
        let arm_len =
            |a: &Option<(usize, usize, String)>| a.as_ref().map_or(usize::MAX, |a| a.2.len());
        if let Some(seen) = errors.iter_mut().find(|e| e.file == file && e.line == line) {
            if arm_len(&arm) < arm_len(&seen.arm) {
                seen.arm = arm;
            }
            continue;
        }
        errors.push(BuildError {
            file,
            line,
            message,
            arm,
        });
    }
    assert!(
        finished,
        "cargo check did not run in the copy:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    errors
}

/// The places a recipe says the build points at: the workspace paths of its steps that say
/// "`cargo build` fails".
fn named_places(guide: &str, heading: &str) -> BTreeSet<String> {
    let section = guide
        .split("\n## ")
        .find(|s| s.starts_with(heading) && s[heading.len()..].starts_with('\n'))
        .unwrap_or_else(|| panic!("CONTRIBUTING.md has no section `## {heading}`"));
    // A step is a list item and the lines indented under it.
    let mut steps: Vec<String> = Vec::new();
    for line in section.lines().skip(1) {
        let item = line.starts_with("- ")
            || line
                .split_once(". ")
                .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty());
        match steps.last_mut() {
            Some(step) if !item => step.push_str(&format!("\n{line}")),
            _ => steps.push(line.to_string()),
        }
    }
    steps
        .iter()
        .filter(|s| s.contains("`cargo build` fails"))
        .flat_map(|s| {
            code_spans(s)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        // Workspace paths, not the bare file names of a step's examples (`policies.rs`).
        .filter(|p| p.ends_with(".rs") && p.contains('/'))
        .collect()
}

/// The recipe an error belongs to: it names the recipe's dummy, or is in a file the recipe wrote.
fn owner(e: &BuildError) -> Option<usize> {
    RECIPES.iter().position(|r| {
        e.message.contains(&format!("::{}`", r.marker))
            || r.steps
                .iter()
                .any(|s| matches!(s, Step::Create { file, .. } if *file == e.file))
    })
}

/// Inserts the dummy arms, per file, from the end so earlier byte offsets stay valid.
fn fill(ws: &Path, arms: BTreeMap<String, Vec<(usize, usize, String)>>) {
    for (file, mut edits) in arms {
        let path = ws.join(&file);
        let mut source = std::fs::read(&path).unwrap();
        edits.sort();
        edits.dedup();
        for (from, to, text) in edits.into_iter().rev() {
            source.splice(from..to, text.into_bytes());
        }
        std::fs::write(&path, source).unwrap();
    }
}

/// The workspace's target folder (it holds the tests' `tmp`).
fn target() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder holds `tmp`")
}

#[test]
fn the_build_points_at_exactly_the_places_each_recipe_names() {
    let guide = std::fs::read_to_string(root().join("CONTRIBUTING.md")).unwrap();
    let named: Vec<BTreeSet<String>> = RECIPES
        .iter()
        .map(|r| named_places(&guide, r.heading))
        .collect();

    // The copy stays where it was between runs, so its incremental checks stay valid.
    let scratch = target().join("recipes");
    std::fs::create_dir_all(&scratch).unwrap();
    // One run at a time uses the copy and its build folder.
    let lock = std::fs::File::create(scratch.join("lock")).unwrap();
    lock.lock().unwrap();
    let ws = scratch.join("workspace");
    if ws.exists() {
        std::fs::remove_dir_all(&ws).unwrap();
    }
    copy_sources(root(), &ws);
    mark_version(&ws);
    for recipe in RECIPES {
        for step in recipe.steps {
            apply(&ws, step);
        }
    }

    // Where the build pointed, per recipe: file -> the first error there.
    let mut pointed: Vec<BTreeMap<String, String>> = vec![BTreeMap::new(); RECIPES.len()];
    let mut unexplained = Vec::new();
    let mut no_arm = Vec::new();
    let mut last = Vec::new();
    // The model's places, then the emulator's and the client's, then a check that passes; one spare.
    for _round in 0..4 {
        last = cargo_check(&ws, target());
        let mut fills: BTreeMap<String, Vec<(usize, usize, String)>> = BTreeMap::new();
        for e in &last {
            let Some(i) = owner(e) else {
                unexplained.push(format!("{}:{}: {}", e.file, e.line, e.message));
                continue;
            };
            pointed[i]
                .entry(e.file.clone())
                .or_insert_with(|| format!("{}:{}: {}", e.file, e.line, e.message));
            let body = RECIPES[i].arms.iter().find(|(f, _)| *f == e.file);
            match (body, &e.arm) {
                (Some((_, body)), Some((from, to, text))) => fills
                    .entry(e.file.clone())
                    .or_default()
                    .push((*from, *to, format!("{text}{body}"))),
                (Some(_), None) => no_arm.push(format!(
                    "\"{}\": the compiler suggests no match arm at `{}:{}` ({}): fill it in a step",
                    RECIPES[i].heading, e.file, e.line, e.message
                )),
                _ if named[i].contains(&e.file) => no_arm.push(format!(
                    "\"{}\": no dummy arm fills `{}:{}` ({}): give the recipe's `arms` one",
                    RECIPES[i].heading, e.file, e.line, e.message
                )),
                _ => {}
            }
        }
        if last.is_empty() || fills.is_empty() {
            break;
        }
        fill(&ws, fills);
    }

    let mut wrong = Vec::new();
    for ((recipe, named), pointed) in RECIPES.iter().zip(&named).zip(&pointed) {
        for (file, error) in pointed {
            if !named.contains(file) {
                wrong.push(format!(
                    "\"{}\": the build points at `{file}`, which the guide does not name ({error})",
                    recipe.heading
                ));
            }
        }
        for file in named.difference(&pointed.keys().cloned().collect()) {
            wrong.push(format!(
                "\"{}\": the guide names `{file}`, which the build does not point at",
                recipe.heading
            ));
        }
    }
    for e in unexplained {
        wrong.push(format!("an error no recipe's dummy explains: {e}"));
    }
    wrong.extend(no_arm);
    assert!(
        wrong.is_empty(),
        "CONTRIBUTING.md's recipes and the build disagree:\n{}",
        wrong.join("\n")
    );
    let left: Vec<String> = last
        .iter()
        .map(|e| format!("{}:{}: {}", e.file, e.line, e.message))
        .collect();
    assert!(
        left.is_empty(),
        "with every place the guide names filled, `cargo check` still fails in the copy ({}):\n{}",
        ws.display(),
        left.join("\n")
    );
}
