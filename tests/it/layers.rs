//! The workspace's crates are its layers: the emulator and the client each know the model and never
//! each other, so plan mode cannot lean on the emulator and the emulator cannot lean on the client.
//! Read from the manifests themselves (dev-dependencies included), so a new dependency that breaks
//! the rule fails here, naming it.

use falconry::ops::OPERATIONS;
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
        ("alloc", &[][..]),
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
    for krate in ["model", "sim", "client", "alloc"] {
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

/// Unsafe code is forbidden in every crate but `crates/alloc`, which holds the one declaration of
/// the allocator's C functions that needs it (and denies it everywhere else in itself).
#[test]
fn unsafe_code_is_forbidden_but_for_the_allocators_one_declaration() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        workspace["workspace"]["lints"]["rust"]["unsafe_code"].as_str(),
        Some("forbid")
    );
    for m in [&workspace]
        .into_iter()
        .cloned()
        .chain(["model", "sim", "client", "bench"].map(manifest))
    {
        assert_eq!(
            m["lints"]["workspace"].as_bool(),
            Some(true),
            "{}",
            m["package"]["name"]
        );
    }
    assert_eq!(
        manifest("alloc")["lints"]["rust"]["unsafe_code"].as_str(),
        Some("deny")
    );
    let lib = std::fs::read_to_string(root.join("crates/alloc/src/lib.rs")).unwrap();
    let code: Vec<&str> = lib
        .lines()
        .filter(|l| !l.trim_start().starts_with("//") && l.contains("unsafe"))
        .collect();
    assert_eq!(
        code,
        ["#[allow(unsafe_code)]", "unsafe extern \"C\" {"],
        "crates/alloc/src/lib.rs"
    );
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

/// The `.rs` files under the given folders of the repository.
fn rust_files(dirs: &[&str]) -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for d in dirs {
        walk(&root.join(d), &mut files);
    }
    files.sort();
    files
}

/// The source with comments blanked and, unless `keep_strings`, string and char literals blanked too;
/// newlines stay, so offsets give the same line numbers.
fn code_only(text: &str, keep_strings: bool) -> Vec<char> {
    let s: Vec<char> = text.chars().collect();
    let mut out = s.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for c in &mut out[from..to.min(s.len())] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let mut i = 0;
    while i < s.len() {
        let next = s.get(i + 1).copied();
        if s[i] == '/' && next == Some('/') {
            let end = (i..s.len()).find(|&j| s[j] == '\n').unwrap_or(s.len());
            blank(&mut out, i, end);
            i = end;
        } else if s[i] == '/' && next == Some('*') {
            let (mut depth, mut j) = (1, i + 2);
            while j < s.len() && depth > 0 {
                if s[j] == '/' && s.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 1;
                } else if s[j] == '*' && s.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 1;
                }
                j += 1;
            }
            blank(&mut out, i, j);
            i = j;
        } else if s[i] == 'r'
            && (next == Some('"') || next == Some('#'))
            && (i == 0 || !(s[i - 1].is_alphanumeric() || s[i - 1] == '_'))
        {
            // A raw string: `r"..."`, `r#"..."#`.
            let hashes = s[i + 1..].iter().take_while(|&&c| c == '#').count();
            let open = i + 1 + hashes;
            if s.get(open) != Some(&'"') {
                i += 1;
                continue;
            }
            let mut j = open + 1;
            while j < s.len() && !(s[j] == '"' && s[j + 1..].iter().take(hashes).all(|&c| c == '#'))
            {
                j += 1;
            }
            let end = j + 1 + hashes;
            if !keep_strings {
                blank(&mut out, open + 1, j);
            }
            i = end;
        } else if s[i] == '"' {
            let mut j = i + 1;
            while j < s.len() && s[j] != '"' {
                j += if s[j] == '\\' { 2 } else { 1 };
            }
            if !keep_strings {
                blank(&mut out, i + 1, j);
            }
            i = j + 1;
        } else if s[i] == '\'' {
            // A char literal (`'{'`, `'\n'`, `'\u{7f}'`), not a lifetime (`'a`).
            let end = if next == Some('\\') {
                (i + 2..s.len()).find(|&j| s[j] == '\'')
            } else if s.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    blank(&mut out, i + 1, end);
                    i = end + 1;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    out
}

fn line_of(code: &[char], at: usize) -> usize {
    code[..at].iter().filter(|&&c| c == '\n').count() + 1
}

/// The end (exclusive) of the bracketed group opening at `open`.
fn group_end(code: &[char], open: usize) -> usize {
    let mut depth = 0;
    for (j, &c) in code.iter().enumerate().skip(open) {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
    }
    code.len()
}

fn word_at(code: &[char], at: usize, word: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    let ident = |c: &char| c.is_alphanumeric() || *c == '_';
    code.get(at..at + w.len()) == Some(&w[..])
        && (at == 0 || !ident(&code[at - 1]))
        && !code.get(at + w.len()).is_some_and(ident)
}

/// Where the arm patterns of the `match` body `code[open..end]` (`open` at its `{`) stand.
fn arm_patterns(code: &[char], open: usize, end: usize) -> Vec<std::ops::Range<usize>> {
    let mut arms = Vec::new();
    let mut i = open + 1;
    let close = end - 1;
    let skip_space = |mut i: usize| {
        while i < close && code[i].is_whitespace() {
            i += 1;
        }
        i
    };
    loop {
        i = skip_space(i);
        if i >= close {
            return arms;
        }
        // The pattern (and guard) runs to the first `=>` outside brackets.
        let start = i;
        while i < close && !(code[i] == '=' && code[i + 1] == '>') {
            i = if "([{".contains(code[i]) {
                group_end(code, i)
            } else {
                i + 1
            };
        }
        arms.push(start..i.min(close));
        i = skip_space(i + 2);
        // The arm's expression runs to a `,` outside brackets, or ends with a block-like
        // expression's `}` that nothing continues (`else`, `.method()`, `?`, an operator).
        while i < close {
            if code[i] == ',' {
                i += 1;
                break;
            }
            if "([{".contains(code[i]) {
                let was_brace = code[i] == '{';
                i = group_end(code, i);
                let after = skip_space(i);
                let continued = after < close
                    && (".?+-*/%&|^<>=!,".contains(code[after]) || word_at(code, after, "else"));
                if was_brace && !continued {
                    break;
                }
            } else {
                i += 1;
            }
        }
    }
}

/// Offsets of the `match` bodies' `{` and the `matches!(..)` groups' `(` in the code.
fn matches_in(code: &[char]) -> Vec<(usize, bool)> {
    let mut found = Vec::new();
    for at in 0..code.len() {
        if word_at(code, at, "match") {
            // The body is the first `{` after the scrutinee (no struct literal may stand there).
            let mut j = at + 5;
            while j < code.len() && code[j] != '{' && code[j] != ';' {
                j = if "([".contains(code[j]) {
                    group_end(code, j)
                } else {
                    j + 1
                };
            }
            if j < code.len() && code[j] == '{' {
                found.push((j, true));
            }
        } else if word_at(code, at, "matches") && code.get(at + 7) == Some(&'!') {
            let open = (at + 8..code.len()).find(|&j| !code[j].is_whitespace());
            if let Some(open) = open.filter(|&o| code[o] == '(') {
                found.push((open, false));
            }
        }
    }
    found
}

/// Code compiled only for tests: `#[cfg(test)]` modules and files of test modules (`tests.rs`).
/// Their lists are expected values, which a test writes out on purpose.
fn test_only_ranges(code: &[char], path: &Path) -> Vec<(usize, usize)> {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return vec![(0, code.len())];
    }
    let text: String = code.iter().collect();
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(k) = text[from..].find("#[cfg(test)]") {
        let at = from + k;
        let chars_at = text[..at].chars().count();
        let open = (chars_at..code.len()).find(|&j| code[j] == '{' || code[j] == ';');
        if let Some(open) = open.filter(|&o| code[o] == '{') {
            ranges.push((chars_at, group_end(code, open)));
        }
        from = at + 1;
    }
    ranges
}

/// The lines of the `match`es on `OpId` (or on an operation's id or names as strings,
/// `"QueryDevicesByFilter"`, `"query_devices_by_filter"`) with
/// a catch-all arm, and of the `matches!` naming `OpId`s. `source` is the text, `code` its
/// `code_only` (same offsets).
fn op_id_lists(source: &str) -> Vec<usize> {
    let text: Vec<char> = source.chars().collect();
    let code = code_only(source, false);
    let names_an_operation = |pattern: &str| {
        pattern.contains("OpId::")
            || OPERATIONS.iter().any(|op| {
                [op.id, op.falconpy_id, op.name]
                    .iter()
                    .any(|name| pattern.contains(&format!("\"{name}\"")))
            })
    };
    let mut lines = Vec::new();
    for (open, is_match) in matches_in(&code) {
        let end = group_end(&code, open);
        let listed = if is_match {
            let arms: Vec<String> = arm_patterns(&code, open, end)
                .into_iter()
                .map(|r| text[r].iter().collect())
                .collect();
            // `_`, or a binding (`other`) that catches the rest as well.
            let catch_all = arms.iter().any(|p| {
                let p = p.trim();
                !p.is_empty() && p.chars().all(|c| c.is_lowercase() || c == '_')
            });
            catch_all && arms.iter().any(|p| names_an_operation(p))
        } else {
            // `matches!(value, PATTERN)`: the pattern follows the first top-level comma.
            let mut j = open + 1;
            while j < end - 1 && code[j] != ',' {
                j = if "([{".contains(code[j]) {
                    group_end(&code, j)
                } else {
                    j + 1
                };
            }
            names_an_operation(&text[j..end].iter().collect::<String>())
        };
        if listed {
            lines.push(line_of(&code, open));
        }
    }
    lines
}

/// The check itself finds what it must and only that: a green run is not a blind one.
#[test]
fn the_hand_list_check_tells_a_list_from_an_exhaustive_match() {
    let lists = op_id_lists;
    // Plan mode's former `created`: arms with blocks, alternatives, then `_`.
    let hand = "fn f(op: OpId) -> Option<K> {\n    match op {\n        OpId::A => Some(K::P),\n        \
                OpId::B | OpId::C => { let x = '{'; Some(K::Q) }\n        _ => None,\n    }\n}\n";
    assert_eq!(lists(hand), [2]);
    assert_eq!(lists("let b = matches!(op.key, OpId::A | OpId::B);"), [1]);
    assert_eq!(
        lists("match key {\n Some(OpId::A) if x => 1,\n other => 2 }"),
        [1]
    );
    assert_eq!(
        lists("match op { OpId::A => if c { 1 } else { 2 } other => 3 }"),
        [1]
    );
    // A match whose arm *returns* an `OpId` (`Tier` -> endpoint), an exhaustive match on `OpId`,
    // a catch-all on something else, and `OpId`s in comments and strings: no list.
    assert!(lists("match t { T::A => OpId::X, T::B => OpId::Y }").is_empty());
    assert!(lists("match t { T::A => if c { OpId::X } else { OpId::Y } _ => OpId::Z }").is_empty());
    assert!(lists("match n { 1 => \"OpId::A\", _ => \"x\" } // OpId::B => _ =>").is_empty());
    assert!(lists("match n { T::A => f(OpId::A), _ => g() }").is_empty());
    // The emulator's former `limit_max`, by operation id string.
    assert_eq!(
        lists("match op_id {\n \"QueryDevicesByFilter\" => 5000,\n _ => 1 }"),
        [1]
    );
    assert!(lists("match name { \"limit\" => 1, _ => 0 }").is_empty());
}

/// A `match` on `OpId` with a catch-all arm (or a `matches!` naming `OpId`s, which is one) is a
/// list of operations kept by hand: a new operation falls into `_` silently. Such facts belong to
/// the operation table (`tools/gen_ops_table.py`, `tools/spec/facts.json`), read by field; code
/// that must handle every operation matches exhaustively (the emulator's `handler`).
#[test]
fn no_hand_list_of_operations_matches_op_ids_with_a_catch_all() {
    let generated = [
        "crates/model/src/ops/table.rs",
        "crates/model/src/ops/op_id.rs",
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for f in rust_files(&["crates", "src"]) {
        let rel = f.strip_prefix(root).unwrap().to_string_lossy().to_string();
        if generated.contains(&rel.as_str()) {
            continue;
        }
        found.extend(
            op_id_lists(&std::fs::read_to_string(&f).unwrap())
                .into_iter()
                .map(|line| format!("{rel}:{line}")),
        );
    }
    assert!(
        found.is_empty(),
        "operations listed by hand (a match on `OpId` with a catch-all): make the fact a column of \
         the operation table instead:\n{}",
        found.join("\n")
    );
}

/// The string arrays of three or more names, all of them catalogue commands, outside test-only code:
/// line and names.
fn command_lists(source: &str, path: &Path) -> Vec<(usize, Vec<String>)> {
    use falconry::ops::commands::COMMANDS;
    name_lists(source, path, &|n| COMMANDS.iter().any(|c| c.name == n))
}

/// A playbook helper's name as a playbook writes it (`rtr::batch`, `hosts::find`); methods are named
/// by their owner type (`Session::run`), as the helper catalogue declares them.
fn is_helper(name: &str) -> bool {
    use falconry_client::helper_catalogue::{FUNCTIONS, METHODS};
    name.split_once("::").is_some_and(|(owner, n)| {
        FUNCTIONS
            .iter()
            .chain(METHODS)
            .any(|h| h.owner == owner && h.name == n)
    })
}

/// The string arrays of three or more names, all of them `is_name`, outside test-only code: line and
/// names.
fn name_lists(
    source: &str,
    path: &Path,
    is_name: &dyn Fn(&str) -> bool,
) -> Vec<(usize, Vec<String>)> {
    let code = code_only(source, true);
    let tests = test_only_ranges(&code, path);
    let mut lists = Vec::new();
    for open in (0..code.len()).filter(|&i| code[i] == '[') {
        if tests.iter().any(|&(a, b)| (a..b).contains(&open)) {
            continue;
        }
        let end = group_end(&code, open);
        let inner: String = code[open + 1..end - 1].iter().collect();
        let items: Vec<&str> = inner
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let names: Vec<String> = items
            .iter()
            .filter_map(|s| Some(s.strip_prefix('"')?.strip_suffix('"')?.to_string()))
            .collect();
        if names.len() >= 3 && names.len() == items.len() && names.iter().all(|n| is_name(n)) {
            lists.push((line_of(&code, open), names));
        }
    }
    lists
}

#[test]
fn the_command_list_check_finds_a_list_and_spares_tests_and_words() {
    let at = |src: &str, file: &str| -> Vec<usize> {
        command_lists(src, Path::new(file))
            .into_iter()
            .map(|(line, _)| line)
            .collect()
    };
    let list = "fn f() {}\nconst READS: &[&str] = &[\"ls\", \"ps\", \"reg query\"];\n";
    assert_eq!(at(list, "crates/x/src/a.rs"), [2]);
    assert!(at(list, "crates/x/src/tests.rs").is_empty());
    let in_test = format!("#[cfg(test)]\nmod tests {{\n{list}}}\n");
    assert!(at(&in_test, "crates/x/src/a.rs").is_empty());
    // Two words, or a word that is no command: not a catalogue.
    assert!(at("let v = [\"get\", \"run\"];", "a.rs").is_empty());
    assert!(at("let v = [\"ls\", \"ps\", \"dir\"];", "a.rs").is_empty());
}

/// A string array of RTR command names outside the catalogue (`crates/model/src/ops/commands.rs`)
/// is a second catalogue that a new command does not reach. Test-only code is exempt: its arrays are
/// the inputs and expected values a test writes out on purpose. At least three names, all of them
/// catalogue commands, so an array of ordinary words (`"get"`, `"run"`) is not taken for one.
#[test]
fn no_hand_list_of_rtr_commands_outside_the_catalogue() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for f in rust_files(&["crates", "src"]) {
        let rel = f.strip_prefix(root).unwrap().to_string_lossy().to_string();
        if rel == "crates/model/src/ops/commands.rs" {
            continue;
        }
        found.extend(
            command_lists(&std::fs::read_to_string(&f).unwrap(), &f)
                .into_iter()
                .map(|(line, names)| format!("{rel}:{line}: {names:?}")),
        );
    }
    assert!(
        found.is_empty(),
        "RTR commands listed by hand: read `ops::commands::COMMANDS` (or add a column to it):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_helper_list_check_finds_qualified_helper_names_only() {
    let at = |src: &str| name_lists(src, Path::new("crates/x/src/a.rs"), &is_helper).len();
    assert_eq!(
        at("const H: &[&str] = &[\"rtr::batch\", \"rtr::each\", \"hosts::find\"];"),
        1
    );
    // Unqualified words, or a name no helper has: not a second catalogue.
    assert_eq!(at("let v = [\"batch\", \"each\", \"find\"];"), 0);
    assert_eq!(
        at("let v = [\"rtr::batch\", \"rtr::each\", \"rtr::nope\"];"),
        0
    );
}

/// A string array of playbook helper names outside the helper catalogue
/// (`crates/client/src/helper_catalogue/`) is a second list of helpers that a new helper does not
/// reach: `help()`, completion, `falconry check` and registration read the catalogue.
#[test]
fn no_hand_list_of_helpers_outside_the_helper_catalogue() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for f in rust_files(&["crates", "src"]) {
        let rel = f.strip_prefix(root).unwrap().to_string_lossy().to_string();
        if rel.starts_with("crates/client/src/helper_catalogue/") {
            continue;
        }
        found.extend(
            name_lists(&std::fs::read_to_string(&f).unwrap(), &f, &is_helper)
                .into_iter()
                .map(|(line, names)| format!("{rel}:{line}: {names:?}")),
        );
    }
    assert!(
        found.is_empty(),
        "playbook helpers listed by hand: read `helper_catalogue::FUNCTIONS`/`METHODS`:\n{}",
        found.join("\n")
    );
}
