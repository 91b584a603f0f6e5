//! `bench call-graph OUT BINARY CALLGRIND...`: the calls one binary's functions make to each
//! other, counted by callgrind over the workloads of `bench/call-graph.sh`, written as lld's
//! `--call-graph-ordering-file` (`caller callee count` a line). The root package's `build.rs` hands
//! that file to the linker, which places functions that call each other often side by side.
//!
//! Why: a call of falconry runs a few hundred functions spread over a 19 MB binary. Linked in this
//! order, a `get_policies` call took 7.6% less time on one core with the emulator (the paired
//! median of 14 alternating runs, 13 faster) and 5% less on a core of its own (12 runs, 9 faster)
//! than linked in the compiler's order: the functions of one call share pages and cache lines
//! instead of each bringing in its own. `bench/run.sh` case 2 measures the result against the raw
//! loop, whose binary keeps the compiler's order.

use std::collections::HashMap;

/// A call counted fewer times than this is not on a hot path of the workloads (they make
/// thousands of calls): left to the compiler's order.
pub const MIN_CALLS: u64 = 500;

/// Callgrind's names, compressed (`fn=(12) name` once, `fn=(12)` after) in one namespace for
/// functions and one for objects.
#[derive(Default)]
struct Names {
    functions: HashMap<String, String>,
    objects: HashMap<String, String>,
}

/// The name a `(id) name` or `(id)` field stands for, learning it on first sight.
fn name(field: &str, table: &mut HashMap<String, String>) -> Option<String> {
    let field = field.trim();
    let Some(rest) = field.strip_prefix('(') else {
        return Some(field.to_string());
    };
    let (id, name) = rest.split_once(')')?;
    let name = name.trim();
    if !name.is_empty() {
        table.insert(id.to_string(), name.to_string());
    }
    table.get(id).cloned()
}

/// Adds the calls between functions of `binary` (an object path ending in it) in one callgrind
/// output (written with `--demangle=no`, so names are the linker's) to `counts`.
pub fn add_calls(text: &str, binary: &str, counts: &mut HashMap<(String, String), u64>) {
    let mut names = Names::default();
    let in_folder = format!("/{binary}");
    let ours = |object: &Option<String>| {
        object
            .as_deref()
            .is_some_and(|o| o == binary || o.ends_with(&in_folder))
    };
    let (mut object, mut function) = (None, None);
    // What the next `calls=` line calls: its object (the caller's unless `cob=` says) and name.
    let (mut callee_object, mut callee) = (None, None);
    for line in text.lines() {
        if let Some(f) = line.strip_prefix("ob=") {
            object = name(f, &mut names.objects);
        } else if let Some(f) = line.strip_prefix("fn=") {
            function = name(f, &mut names.functions);
        } else if let Some(f) = line.strip_prefix("cob=") {
            callee_object = name(f, &mut names.objects);
        } else if let Some(f) = line.strip_prefix("cfn=") {
            callee = name(f, &mut names.functions);
        } else if let Some(f) = line.strip_prefix("calls=") {
            let count = f
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok());
            let to_object = callee_object.take().or_else(|| object.clone());
            if let (Some(count), Some(from), Some(to)) = (count, &function, callee.take())
                && ours(&object)
                && ours(&to_object)
                && is_symbol(from)
                && is_symbol(&to)
                && *from != to
            {
                *counts.entry((from.clone(), to)).or_default() += count;
            }
        }
    }
}

/// Callgrind names code it has no symbol for by its address.
fn is_symbol(name: &str) -> bool {
    !name.starts_with("0x") && !name.contains(' ')
}

/// The ordering file: the calls made at least [`MIN_CALLS`] times, most frequent first (ties by
/// name, so the same counts always give the same file).
pub fn ordering(counts: &HashMap<(String, String), u64>) -> String {
    let mut calls: Vec<_> = counts.iter().filter(|(_, n)| **n >= MIN_CALLS).collect();
    calls.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let mut out = String::new();
    for ((from, to), n) in calls {
        out.push_str(&format!("{from} {to} {n}\n"));
    }
    out
}

/// The functions an ordering file names, each once, in the order it first names them (the most
/// frequent calls' first): what the Machine table looks for in a built binary.
pub fn functions(ordering: &str) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    ordering
        .lines()
        .flat_map(|line| line.split_whitespace().take(2))
        .filter(|name| seen.insert(*name))
        .collect()
}

/// `bench call-graph OUT BINARY CALLGRIND...`
pub fn main(args: &[String]) -> Result<(), String> {
    let [out, binary, files @ ..] = args else {
        return Err("usage: bench call-graph OUT BINARY CALLGRIND...".into());
    };
    if files.is_empty() {
        return Err("no callgrind output given".into());
    }
    let mut counts = HashMap::new();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
        add_calls(&text, binary, &mut counts);
    }
    let text = ordering(&counts);
    if text.is_empty() {
        return Err(format!(
            "no call between functions of `{binary}` was made {MIN_CALLS} times"
        ));
    }
    std::fs::write(out, &text).map_err(|e| format!("{out}: {e}"))?;
    eprintln!("{out}: {} calls between functions", text.lines().count());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{add_calls, functions, ordering};
    use std::collections::HashMap;

    /// The shape callgrind 3.19 writes (names compressed, a call into libc, an address without a
    /// symbol), cut down from a profile of `falconry run`.
    const PROFILE: &str = "\
# callgrind format
version: 1
events: Ir
ob=(1) /work/target/release/falconry
fl=(1) ???
fn=(1) _ZN4main3run17h01E
0x10 5
cfn=(2) _ZN6client4send17h02E
calls=3000 0x20
0x10 90000
cob=(2) /usr/lib/x86_64-linux-gnu/libc.so.6
cfi=(2) ???
cfn=(3) memcpy
calls=3000 0x30
0x10 600
cfn=(4) 0x0000000000401000
calls=3000 0x40
0x10 3
fn=(2)
0x20 7
cfn=(5) _ZN4json5parse17h05E
calls=2999 0x50
0x20 8000
cfn=(1)
calls=2 0x10
0x20 10
ob=(2)
fn=(3)
0x30 1
";

    #[test]
    fn counts_calls_between_functions_of_the_binary_only() {
        let mut counts = HashMap::new();
        add_calls(PROFILE, "falconry", &mut counts);
        let key = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(counts.len(), 3, "{counts:?}");
        assert_eq!(
            counts[&key("_ZN4main3run17h01E", "_ZN6client4send17h02E")],
            3000
        );
        assert_eq!(
            counts[&key("_ZN6client4send17h02E", "_ZN4json5parse17h05E")],
            2999
        );
        assert_eq!(
            counts[&key("_ZN6client4send17h02E", "_ZN4main3run17h01E")],
            2
        );
        // A second profile adds to the same counts.
        add_calls(PROFILE, "falconry", &mut counts);
        assert_eq!(
            counts[&key("_ZN4main3run17h01E", "_ZN6client4send17h02E")],
            6000
        );
        let text = ordering(&counts);
        assert_eq!(
            text,
            "_ZN4main3run17h01E _ZN6client4send17h02E 6000\n\
             _ZN6client4send17h02E _ZN4json5parse17h05E 5998\n"
        );
        assert_eq!(
            functions(&text),
            [
                "_ZN4main3run17h01E",
                "_ZN6client4send17h02E",
                "_ZN4json5parse17h05E"
            ]
        );
    }

    #[test]
    fn another_binary_of_the_same_name_suffix_is_not_ours() {
        let mut counts = HashMap::new();
        add_calls(PROFILE, "conry", &mut counts);
        assert!(counts.is_empty());
    }
}
