//! Place: the engine's names layer, below `strict`, `check` and the error conversion; it imports no
//! error type. Every did-you-mean the engine says comes from here (the model's edit distance).
//!
//! Did-you-mean for a function Rhai did not find (`hosts::query_devics_by_filter`, `s.rnu("ps")`),
//! from the operation table and the helper catalogue: what `falconry check` says before a run, said
//! by the REPL and a run too.

use super::register::{collections, rhai_names};
use crate::helper_catalogue::{FUNCTIONS, GLOBALS, METHODS};
use crate::ops;
pub use crate::ops::suggest::{closest, did_you_mean};

/// Functions every playbook has beside the catalogue's.
const BUILT_IN: &[&str] = &["help", "print", "debug", "sleep"];

/// The message of a read of a missing key (`strict` access makes it an error).
pub fn missing(property: &str) -> String {
    if let Some(k) = crate::helper_catalogue::sometimes(property) {
        return format!("property `{property}` not found: {}; {}", k.absent, k.test);
    }
    format!(
        "property `{property}` not found: the map has no such key (read a key that may be missing with `.get(\"{property}\")`, or test it with `\"{property}\" in map`)"
    )
}

/// ` (did you mean `x`?)` for Rhai's not-found `signature` (`name (type, type)`), or nothing.
pub fn function(signature: &str) -> String {
    let path = signature.split('(').next().unwrap_or_default().trim();
    let (module, name) = match path.rsplit_once("::") {
        Some((m, n)) => (Some(m), n),
        None => (None, path),
    };
    let mut names: Vec<String> = Vec::new();
    match module {
        Some(module) => {
            let known_module = collections().any(|c| c.module() == module)
                || FUNCTIONS.iter().any(|h| h.owner == module);
            if !known_module {
                let mut modules: Vec<&str> = collections().map(|c| c.module()).collect();
                modules.extend(FUNCTIONS.iter().map(|h| h.owner));
                return match closest(module, &modules) {
                    Some(m) => format!(" (did you mean `{m}::{name}`?)"),
                    None => String::new(),
                };
            }
            if let Some(c) = ops::Collection::from_module(module).filter(|c| c.scriptable()) {
                for op in ops::in_collection(c) {
                    names.extend(rhai_names(op).into_iter().map(str::to_string));
                }
            }
            names.extend(
                FUNCTIONS
                    .iter()
                    .filter(|h| h.owner == module)
                    .map(|h| h.name.to_string()),
            );
        }
        None => {
            names.extend(METHODS.iter().chain(GLOBALS).map(|h| h.name.to_string()));
            names.extend(BUILT_IN.iter().map(|n| n.to_string()));
        }
    }
    // The name exists: the arguments are what is wrong, and a suggestion of itself helps nobody.
    if names.iter().any(|n| n == name) {
        return String::new();
    }
    let candidates: Vec<&str> = names.iter().map(String::as_str).collect();
    match (module, did_you_mean(name, &candidates)) {
        (_, s) if s.is_empty() => s,
        (Some(m), _) => closest(name, &candidates)
            .map(|n| format!(" (did you mean `{m}::{n}`?)"))
            .unwrap_or_default(),
        (None, s) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::function;

    #[test]
    fn a_mistyped_operation_helper_or_method_gets_its_nearest_name() {
        assert_eq!(
            function("hosts::query_devics_by_filter ()"),
            " (did you mean `hosts::query_devices_by_filter`?)"
        );
        assert_eq!(
            function("hots::find (&str)"),
            " (did you mean `hosts::find`?)"
        );
        assert_eq!(function("rnu (Session, &str)"), " (did you mean `run`?)");
        assert_eq!(
            function("pad_lef (&str, i64)"),
            " (did you mean `pad_left`?)"
        );
        assert_eq!(function("table (i64)"), "");
        assert_eq!(function("zzzzzzzz ()"), "");
    }
}
