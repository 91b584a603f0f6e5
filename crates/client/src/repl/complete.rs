//! Tab completion, all from data: module and operation names and argument keys from the operation table,
//! session methods, REPL commands, and the variables and imports of the live scope.

use super::balance;
use crate::engine::{collections, resolve, rhai_names, stdlib};
use crate::helpers::{FUNCTIONS, METHODS};
use crate::ops::{self, request::allowed_keys};

/// What the scope holds after the last statement, for completion.
#[derive(Clone, Debug, Default)]
pub struct Known {
    pub vars: Vec<Var>,
    /// Modules imported so far, by alias, with their functions
    /// (`import "falcon/util" as util;` gives `util` and `chunks`, `resources`, ...).
    pub imports: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Debug)]
pub struct Var {
    pub name: String,
    pub type_name: String,
    /// For a map, its keys.
    pub keys: Vec<String>,
}

/// A completion: what is listed, and what replaces the word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub display: String,
    pub replacement: String,
}

/// Global functions worth offering next to variables and modules.
const GLOBALS: &[&str] = &["help", "print", "debug", "sleep", "log::"];

const KEYWORDS: &[&str] = &[
    "let", "const", "fn", "if", "else", "for", "in", "while", "loop", "break", "continue",
    "return", "throw", "try", "catch", "import", "as", "true", "false", "switch",
];

/// Completes the word that ends at `pos`; returns where it starts and the candidates.
pub fn complete(line: &str, pos: usize, known: &Known) -> (usize, Vec<Candidate>) {
    let before = &line[..pos];
    if before.trim_start().starts_with(':') {
        return command(before);
    }
    let start = word_start(before);
    let word = &before[start..];
    if let Some(quote) = open_string(before) {
        return in_string(before, quote);
    }
    if let Some(keys) = map_keys(before, start) {
        return (start, filter(keys, word));
    }
    if let Some((receiver, prefix)) = word.rsplit_once('.') {
        let at = start + receiver.len() + 1;
        let names = methods(receiver, known);
        return (at, filter(names, prefix));
    }
    if let Some((module, prefix)) = word.rsplit_once("::") {
        let mut out = Vec::new();
        if let Some(c) = ops::Collection::from_module(module).filter(|c| c.scriptable()) {
            for op in ops::in_collection(c) {
                for name in rhai_names(op) {
                    if name.starts_with(prefix) {
                        out.push(pair(name, &format!("{module}::{name}")));
                    }
                }
            }
        }
        // The playbook helpers (`rtr::session`, `hosts::find`, `fs::read`, ...) from their own table.
        for name in FUNCTIONS
            .iter()
            .filter(|h| h.owner == module)
            .map(|h| h.name)
        {
            if name.starts_with(prefix) {
                out.push(pair(name, &format!("{module}::{name}")));
            }
        }
        if let Some((_, functions)) = known.imports.iter().find(|(a, _)| a == module) {
            for f in functions {
                if f.starts_with(prefix) {
                    out.push(pair(f, &format!("{module}::{f}")));
                }
            }
        } else if module == "log" {
            for level in ["debug", "info", "warn", "error"] {
                if level.starts_with(prefix) {
                    out.push(pair(level, &format!("log::{level}")));
                }
            }
        }
        order(&mut out);
        return (start, out);
    }
    let mut names: Vec<String> = collections().map(|c| format!("{}::", c.module())).collect();
    names.extend(FUNCTIONS.iter().map(|h| format!("{}::", h.owner)));
    names.extend(known.vars.iter().map(|v| v.name.clone()));
    names.extend(known.imports.iter().map(|(alias, _)| format!("{alias}::")));
    names.extend(GLOBALS.iter().map(|g| g.to_string()));
    names.extend(crate::helpers::GLOBALS.iter().map(|h| h.name.to_string()));
    names.extend(KEYWORDS.iter().map(|k| k.to_string()));
    (start, filter(names, word))
}

/// The start of the identifier-ish word (letters, digits, `_`, `::`, `.`) that ends `before`.
fn word_start(before: &str) -> usize {
    before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '_' | ':' | '.'))
        .last()
        .map_or(before.len(), |(i, _)| i)
}

fn command(before: &str) -> (usize, Vec<Candidate>) {
    let text = before.trim_start();
    let start = before.len() - text.len();
    if text.contains(' ') {
        return (before.len(), Vec::new());
    }
    let names = super::commands::COMMANDS
        .iter()
        .flat_map(|c| std::iter::once(c.name).chain(c.aliases.iter().copied()))
        .map(|n| format!(":{n}"));
    (start, filter(names, text))
}

/// The quote that opens a string still open at the end of `before`.
fn open_string(before: &str) -> Option<usize> {
    let b = balance::scan(before);
    if !b.unterminated {
        return None;
    }
    before.rfind('"')
}

/// Inside `help("` offers operation names; inside `import "` the built-in modules.
fn in_string(before: &str, quote: usize) -> (usize, Vec<Candidate>) {
    let prefix = &before[quote + 1..];
    let head = before[..quote].trim_end();
    let names: Vec<String> = if head.ends_with("import") {
        stdlib::STDLIB.iter().map(|(p, _)| p.to_string()).collect()
    } else if head.ends_with("help(") {
        collections()
            .flat_map(ops::in_collection)
            .map(|op| op.qualified_name())
            .chain(collections().map(|c| c.module().to_string()))
            .collect()
    } else {
        Vec::new()
    };
    (quote + 1, filter(names, prefix))
}

/// Inside `module::operation(#{ ...` at a key position: that operation's accepted keys not yet given.
fn map_keys(before: &str, word_start: usize) -> Option<Vec<String>> {
    let open = balance::scan(before).open;
    let &(brace, at) = open.last()?;
    if brace != '{' || at == 0 || before.as_bytes()[at - 1] != b'#' {
        return None;
    }
    let inside = &before[at + 1..word_start];
    if !matches!(inside.trim_end().chars().last(), None | Some(',' | '{')) {
        return None;
    }
    let call = before[..at - 1].trim_end().strip_suffix('(')?.trim_end();
    let name_at = word_start_of(call);
    let (module, name) = call[name_at..].rsplit_once("::")?;
    let op = resolve(module, name)?;
    let given: Vec<&str> = inside
        .split(',')
        .filter_map(|kv| kv.split_once(':').map(|(k, _)| k.trim()))
        .collect();
    Some(
        allowed_keys(op)
            .into_iter()
            .filter(|k| !given.contains(k))
            .map(|k| k.to_string())
            .collect(),
    )
}

fn word_start_of(s: &str) -> usize {
    s.char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '_' | ':'))
        .last()
        .map_or(s.len(), |(i, _)| i)
}

/// Methods for `receiver.`: a map's keys, a batch's methods, or (the usual case) a session's.
fn methods(receiver: &str, known: &Known) -> Vec<String> {
    let of = |ty: &str| {
        METHODS
            .iter()
            .filter(|h| h.owner == ty)
            .map(|h| h.name.to_string())
            .collect()
    };
    match known.vars.iter().rev().find(|v| v.name == receiver) {
        Some(v) if !v.keys.is_empty() => v.keys.clone(),
        Some(v) if v.type_name.contains("Batch") => of("Batch"),
        _ => of("Session"),
    }
}

fn filter(names: impl IntoIterator<Item = String>, prefix: &str) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = names
        .into_iter()
        .filter(|n| n.starts_with(prefix))
        .map(|n| pair(&n, &n))
        .collect();
    order(&mut out);
    out
}

/// Sorts candidates for the list Tab shows: snake_case names (what a playbook should use) first, then
/// the operation ids (`RTR_ListQueuedSessions`), each group alphabetically; duplicates dropped.
fn order(out: &mut Vec<Candidate>) {
    let id_like = |c: &Candidate| c.display.chars().any(|ch| ch.is_ascii_uppercase());
    out.sort_by(|a, b| (id_like(a), &a.display).cmp(&(id_like(b), &b.display)));
    out.dedup();
}

fn pair(display: &str, replacement: &str) -> Candidate {
    Candidate {
        display: display.to_string(),
        replacement: replacement.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replacements(line: &str, known: &Known) -> (usize, Vec<String>) {
        let (at, c) = complete(line, line.len(), known);
        (at, c.into_iter().map(|c| c.replacement).collect())
    }

    #[test]
    fn operation_names_complete_within_their_module() {
        let (at, names) = replacements("let r = real_time_response_admin::exe", &Known::default());
        assert_eq!(at, 8);
        assert_eq!(names, ["real_time_response_admin::execute_admin_command"]);
    }

    #[test]
    fn snake_case_names_come_before_operation_ids() {
        let (_, names) = replacements("real_time_response::", &Known::default());
        let first_id = names
            .iter()
            .position(|n| n.chars().any(|c| c.is_ascii_uppercase()))
            .expect("the operation ids are offered too");
        assert!(first_id > 0, "{names:?}");
        assert!(
            names[first_id..]
                .iter()
                .all(|n| n.chars().any(|c| c.is_ascii_uppercase())),
            "a snake_case name after an operation id: {names:?}"
        );
        assert!(names.contains(&"real_time_response::list_queued_sessions".to_string()));
    }

    #[test]
    fn module_names_and_variables_complete_at_the_start() {
        let known = Known {
            vars: vec![Var {
                name: "hosts_seen".into(),
                type_name: "array".into(),
                keys: vec![],
            }],
            imports: vec![],
        };
        let (_, names) = replacements("ho", &known);
        assert_eq!(names, ["host_group::", "hosts::", "hosts_seen"]);
    }

    #[test]
    fn argument_keys_complete_inside_the_map_literal() {
        let (_, names) = replacements(
            "hosts::query_devices_by_filter(#{ filter: \"x\", li",
            &Known::default(),
        );
        assert_eq!(names, ["limit"]);
        let (_, names) = replacements(
            "real_time_response_admin::execute_admin_command(#{ ",
            &Known::default(),
        );
        assert!(names.contains(&"base_command".to_string()));
        assert!(names.contains(&"command_string".to_string()));
    }

    #[test]
    fn imported_modules_complete_their_functions() {
        let known = Known {
            vars: vec![],
            imports: vec![("util".into(), vec!["chunks".into(), "resources".into()])],
        };
        assert_eq!(replacements("ut", &known).1, ["util::"]);
        assert_eq!(replacements("util::ch", &known).1, ["util::chunks"]);
    }

    #[test]
    fn helpers_complete_beside_operations() {
        let (_, names) = replacements("rtr::se", &Known::default());
        assert_eq!(names, ["rtr::session"]);
        let (_, names) = replacements("hosts::fin", &Known::default());
        assert_eq!(names, ["hosts::find", "hosts::find_all"]);
        let known = Known {
            vars: vec![Var {
                name: "b".into(),
                type_name: "Batch".into(),
                keys: vec![],
            }],
            imports: vec![],
        };
        assert_eq!(replacements("b.", &known).1, ["get", "run"]);
    }

    #[test]
    fn methods_after_a_dot() {
        let (at, names) = replacements("s.pu", &Known::default());
        assert_eq!(at, 2);
        assert_eq!(names, ["put", "put_and_run"]);
    }

    #[test]
    fn help_strings_and_commands() {
        let (_, names) = replacements("help(\"hosts::query_devices_by_f", &Known::default());
        assert!(names.contains(&"hosts::query_devices_by_filter".to_string()));
        let (_, names) = replacements(":lo", &Known::default());
        assert_eq!(names, [":load"]);
    }
}
