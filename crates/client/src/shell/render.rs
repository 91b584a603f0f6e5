//! How one command's answer from every target is shown: a block per host under a header naming it,
//! hosts with the same output collapsed into one block that lists them, and parsed output (`ps`, `ls`,
//! `netstat`, ...) as a table whose columns are chosen per command.
//!
//! Everything a host or the tenant wrote goes through [`crate::terminal`]: names and cells through
//! `line`, command output through `text`.

use super::targets::Host;
use crate::terminal;
use comfy_table::{ContentArrangement, LineStyle, Table, TableStyle};
use serde_json::{Map, Value};

/// A rule under the header and nothing else, as the REPL's tables: rows stay one line each.
pub(super) const COMPACT: TableStyle =
    TableStyle::new().header_separator(LineStyle::none().fill('─').junction('─'));

/// Longest cell shown, in characters: a 4 KB command line must not push the other columns away.
const MAX_CELL: usize = 60;

/// A column: its header and the keys that fill it, the first present one per row (Windows and POSIX
/// `ps` name the same idea differently).
type Column = (&'static str, &'static [&'static str]);

/// The columns a responder reads first in each parsed field; `raw` is never one of them (a row that
/// failed to parse is listed under the table as printed).
const COLUMNS: &[(&str, &[Column])] = &[
    (
        "processes",
        &[
            ("pid", &["pid"]),
            ("name", &["name"]),
            ("path", &["path", "command_line"]),
            ("start time", &["start_time"]),
            ("memory", &["working_memory_kb"]),
        ],
    ),
    (
        "entries",
        &[
            ("name", &["name"]),
            ("type", &["type"]),
            ("size", &["size"]),
            ("modified", &["modified"]),
            ("mode", &["mode"]),
            ("owner", &["owner"]),
        ],
    ),
    (
        "connections",
        &[
            ("proto", &["proto"]),
            ("local", &["local_address"]),
            ("port", &["local_port"]),
            ("remote", &["remote_address"]),
            ("port", &["remote_port"]),
            ("state", &["state"]),
            ("pid", &["pid"]),
            ("process", &["process_name"]),
        ],
    ),
];

/// The parsed fields the parsers add (`rtr::parse`); the ones without chosen columns show their first
/// keys.
const PARSED: &[&str] = &[
    "processes",
    "entries",
    "connections",
    "hashes",
    "users",
    "registry",
    "interfaces",
    "env",
];

/// The whole answer of one batch command (`#{results, errors, no_answer, queued}`), host by host in
/// the targets' order.
pub fn outcome(answer: &Value, hosts: &[Host]) -> String {
    let empty = Map::new();
    let part = |k: &str| answer.get(k).and_then(Value::as_object).unwrap_or(&empty);
    let (results, errors, queued) = (part("results"), part("errors"), part("queued"));
    let no_answer: Vec<&str> = answer
        .get("no_answer")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let blocks = hosts.iter().map(|h| {
        let id = h.device_id.as_str();
        let body = if let Some(r) = results.get(id) {
            host_result(r)
        } else if let Some(e) = errors.get(id) {
            let message = e.get("message").and_then(Value::as_str).unwrap_or("failed");
            format!("error: {}\n", terminal::text(message))
        } else if queued.contains_key(id) {
            "queued: the host is offline; the command runs when it returns (`:queued` collects it)\n"
                .to_string()
        } else if no_answer.contains(&id) {
            "no answer: offline, or slower than the time limit\n".to_string()
        } else {
            "not in the batch\n".to_string()
        };
        (h.label(), body)
    });
    grouped(blocks)
}

/// Blocks with the same body become one, under a header listing their hosts (first-seen order).
pub fn grouped(blocks: impl Iterator<Item = (String, String)>) -> String {
    let mut out = String::new();
    for (names, body) in crate::engine::grouped::by_body(blocks) {
        let header = if names.len() == 1 {
            names[0].clone()
        } else {
            format!("{} ({} hosts, same output)", names.join(", "), names.len())
        };
        out.push_str(&format!("── {header} ──\n"));
        out.push_str(&body);
        if !body.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// One host's result: a downloaded file, a parsed table, or the output as printed; then stderr.
pub fn host_result(r: &Value) -> String {
    let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default();
    let mut out = String::new();
    if r.get("planned").and_then(Value::as_bool) == Some(true) {
        out.push_str("planned, not sent (`--plan`)\n");
        return out;
    }
    if !s("sha256").is_empty() && !s("path").is_empty() {
        // `get`: what was collected and where it is (the case keeps a copy, per host).
        out.push_str(&format!(
            "saved {} ({} bytes, sha256 {}) to {}\n",
            terminal::line(s("remote_path")),
            r.get("size").and_then(Value::as_u64).unwrap_or(0),
            terminal::line(s("sha256")),
            terminal::line(s("path")),
        ));
        return out;
    }
    match PARSED
        .iter()
        .find_map(|f| r.get(*f).and_then(Value::as_array).map(|rows| (*f, rows)))
    {
        Some((field, rows)) => out.push_str(&parsed(field, rows)),
        None => out.push_str(&terminal::text(s("stdout"))),
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for w in r
        .get("warnings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        out.push_str(&format!("warning: {}\n", terminal::line(w)));
    }
    let stderr = s("stderr").trim_end();
    if !stderr.is_empty() {
        out.push_str(&format!("stderr: {}\n", terminal::text(stderr)));
    }
    if out.is_empty() {
        out.push_str("(no output)\n");
    }
    out
}

/// Parsed rows as a table of the command's chosen columns; columns no row fills are left out, and
/// rows the parser did not understand are listed as printed.
fn parsed(field: &str, rows: &[Value]) -> String {
    let (good, failed): (Vec<&Value>, Vec<&Value>) = rows
        .iter()
        .partition(|r| r.get("parse_error").is_none_or(Value::is_null));
    let columns: Vec<(String, Vec<String>)> = match COLUMNS.iter().find(|(f, _)| *f == field) {
        Some((_, chosen)) => chosen
            .iter()
            .map(|(h, keys)| (h.to_string(), keys.iter().map(|k| k.to_string()).collect()))
            .collect(),
        None => first_keys(&good),
    };
    let columns: Vec<(String, Vec<String>)> = columns
        .into_iter()
        .filter(|(_, keys)| good.iter().any(|r| pick(r, keys).is_some()))
        .collect();
    let mut out = String::new();
    if !good.is_empty() && !columns.is_empty() {
        let mut t = Table::new();
        t.load_style(COMPACT)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(columns.iter().map(|(h, _)| h.as_str()));
        for r in &good {
            t.add_row(columns.iter().map(|(h, keys)| cell(h, pick(r, keys))));
        }
        out.push_str(&format!("{t}\n"));
    }
    out.push_str(&format!("{} {field}\n", good.len(),));
    for r in failed {
        let raw = r.get("raw").and_then(Value::as_str).unwrap_or_default();
        out.push_str(&format!(
            "not understood, as printed: {}\n",
            terminal::line(raw)
        ));
    }
    out
}

/// The first keys of the rows (at most six), for parsed fields without chosen columns.
fn first_keys(rows: &[&Value]) -> Vec<(String, Vec<String>)> {
    let mut keys: Vec<String> = Vec::new();
    for k in rows
        .iter()
        .filter_map(|r| r.as_object())
        .flat_map(|m| m.keys())
    {
        if k != "raw" && k != "parse_error" && !keys.contains(k) && keys.len() < 6 {
            keys.push(k.clone());
        }
    }
    keys.into_iter().map(|k| (k.clone(), vec![k])).collect()
}

fn pick<'a>(row: &'a Value, keys: &[String]) -> Option<&'a Value> {
    keys.iter()
        .filter_map(|k| row.get(k.as_str()))
        .find(|v| !v.is_null() && v.as_str() != Some(""))
}

fn cell(header: &str, v: Option<&Value>) -> String {
    let text = match v {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if header == "memory" => format!("{} KB", thousands(n)),
        Some(other) => other.to_string(),
    };
    let shown: String = text.chars().take(MAX_CELL).collect();
    let mut out = terminal::line(&shown).into_owned();
    if shown.len() < text.len() {
        out.push('…');
    }
    out
}

fn thousands(n: &serde_json::Number) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) && c.is_ascii_digit() {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn host(id: &str, name: &str) -> Host {
        Host {
            device_id: id.into(),
            hostname: name.into(),
            platform: "Windows".into(),
            cwd: None,
        }
    }

    #[test]
    fn same_output_is_one_block_and_a_failed_row_shows_as_printed() {
        let answer = json!({
            "results": {
                "a": { "stdout": "x\n", "stderr": "" },
                "b": { "stdout": "x\n", "stderr": "" },
                "c": { "stdout": "", "processes": [
                    { "pid": 4, "name": "System", "path": null, "start_time": "1/1", "working_memory_kb": 60196, "raw": "4 System" },
                    { "raw": "garbled \u{1b}[2J", "parse_error": "cells" }
                ]}
            },
            "errors": {}, "no_answer": ["d"], "queued": {}
        });
        let hosts = [
            host("a", "WS-1"),
            host("b", "WS-2"),
            host("c", "WS-3"),
            host("d", "WS-4"),
        ];
        let shown = outcome(&answer, &hosts);
        assert!(
            shown.contains("── WS-1, WS-2 (2 hosts, same output) ──\nx\n"),
            "{shown}"
        );
        assert!(shown.contains("── WS-3 ──"), "{shown}");
        let header = shown.lines().find(|l| l.contains("pid")).unwrap();
        assert_eq!(
            header.split_whitespace().collect::<Vec<_>>(),
            ["pid", "name", "start", "time", "memory"],
            "the empty path column is left out: {shown}"
        );
        assert!(shown.contains("60,196 KB"), "{shown}");
        assert!(!shown.contains("raw"), "{shown}");
        assert!(
            shown.contains("not understood, as printed: garbled \\u{1b}[2J"),
            "{shown}"
        );
        assert!(shown.contains("── WS-4 ──\nno answer"), "{shown}");
    }
}
