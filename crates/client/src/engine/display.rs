//! How a statement's value is shown: resources as aligned tables, maps as indented JSON, long text cut with
//! a note; `:json` shows everything raw.

use super::convert;
use comfy_table::{ContentArrangement, LineStyle, Table, TableStyle};
use rhai::Dynamic;
use serde_json::{Map, Value};

/// Text longer than this many lines is cut in the readable view.
const MAX_LINES: usize = 40;
/// A table shows at most this many columns, chosen by `PREFERRED` then by order of appearance.
const MAX_COLUMNS: usize = 6;
/// Table cells longer than this are cut.
const MAX_CELL: usize = 48;

/// A rule under the header and nothing else: rows stay one line each, easy to scan and to copy.
const COMPACT: TableStyle =
    TableStyle::new().header_separator(LineStyle::none().fill('─').junction('─'));

/// The columns responders look for first, in the order shown.
const PREFERRED: &[&str] = &[
    "device_id",
    "id",
    "hostname",
    "name",
    "pid",
    "path",
    "type",
    "size",
    "user",
    "command",
    "platform_name",
    "os_version",
    "status",
    "session_id",
    "base_command",
    "complete",
    "stdout",
    "local_ip",
    "external_ip",
    "last_seen",
    "description",
    "enabled",
];

/// Tables whose rows carry the first key show these columns, in this order: what a responder reads
/// first in them (netstat: where the connection goes, its state and the process holding it).
const TABLE_COLUMNS: &[(&str, &[&str])] = &[(
    "remote_address",
    &[
        "remote_address",
        "remote_port",
        "state",
        "pid",
        "process_name",
        "local_port",
    ],
)];

/// The text shown for `value`; empty for `()`.
pub fn render(value: &Dynamic, raw_json: bool) -> String {
    if value.is_unit() {
        return String::new();
    }
    let json = match convert::to_json(value) {
        Ok(json) => json,
        Err(e) if convert::is_too_deep(&e) => return format!("({e})\n"),
        Err(_) => {
            // Sessions and other native values: their type, without the Rust path (`Session`, not
            // `falconry::rtr::session::Session`).
            let text = value.to_string();
            let short = match text.rsplit_once("::") {
                Some((_, last)) if !text.contains(char::is_whitespace) => last.to_string(),
                _ => text,
            };
            return format!("{short}\n");
        }
    };
    if raw_json {
        return format!("{}\n", pretty(&json));
    }
    readable(&json)
}

fn readable(json: &Value) -> String {
    match json {
        Value::String(s) => format!("{}\n", cut_lines(s)),
        Value::Array(items) if is_table(items) => table(items),
        Value::Object(m) if is_answer(m) => answer(m),
        Value::Object(m)
            if m.values()
                .any(|v| v.as_array().is_some_and(|a| is_table(a))) =>
        {
            with_tables(m)
        }
        Value::Array(_) | Value::Object(_) => format!("{}\n", pretty(&cut_strings(json))),
        other => format!("{other}\n"),
    }
}

/// An operation's answer `#{ status_code, headers, body }`: the status, then its resources or body.
/// Headers are left out here; `:json` shows them.
fn answer(m: &Map<String, Value>) -> String {
    let status = m.get("status_code").cloned().unwrap_or(Value::Null);
    let body = m.get("body").cloned().unwrap_or(Value::Null);
    let mut out = format!("status {status}\n");
    if let Some(errors) = body
        .get("errors")
        .and_then(Value::as_array)
        .filter(|e| !e.is_empty())
    {
        for e in errors {
            let msg = e.get("message").and_then(Value::as_str).unwrap_or("?");
            out.push_str(&format!("error: {msg}\n"));
        }
    }
    match body.get("resources") {
        Some(Value::Array(items)) if is_table(items) => out.push_str(&table(items)),
        Some(Value::Array(items)) if items.is_empty() => out.push_str("no resources\n"),
        Some(resources) => {
            out.push_str(&format!("{}\n", pretty(&cut_strings(resources))));
        }
        None if !body.is_null() => out.push_str(&format!("{}\n", pretty(&cut_strings(&body)))),
        None => {}
    }
    out
}

fn is_answer(m: &Map<String, Value>) -> bool {
    m.contains_key("status_code") && m.contains_key("body") && m.contains_key("headers")
}

/// A non-empty array whose items are all maps.
fn is_table(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(Value::is_object)
}

fn table(items: &[Value]) -> String {
    if let [Value::Object(only)] = items
        && only
            .values()
            .any(|v| v.as_str().is_some_and(|s| s.contains('\n')))
    {
        return record(only);
    }
    let columns = columns(items);
    let mut t = Table::new();
    t.load_style(COMPACT)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(columns.iter().map(String::as_str));
    for item in items {
        t.add_row(columns.iter().map(|c| cell(item.get(c))));
    }
    let mut out = format!("{t}\n");
    let total = items
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|m| m.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let more = total.saturating_sub(columns.len());
    out.push_str(&format!(
        "{} row{}",
        items.len(),
        if items.len() == 1 { "" } else { "s" }
    ));
    if more > 0 {
        out.push_str(&format!(
            ", {more} more column{} (`:json` shows all)",
            if more == 1 { "" } else { "s" }
        ));
    }
    out.push('\n');
    out
}

/// A map holding arrays of resources (an RTR result with its parsed `entries`): its plain fields one per
/// line, then each array as a table.
fn with_tables(m: &Map<String, Value>) -> String {
    let (tables, plain): (Vec<_>, Vec<_>) = m
        .iter()
        .partition(|(_, v)| v.as_array().is_some_and(|a| is_table(a)));
    let mut plain: Map<String, Value> = plain
        .into_iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // An RTR result parsed into a table: the table says it, so the raw text is only counted here.
    if let Some(Value::String(raw)) = plain.get("stdout")
        && raw.contains('\n')
    {
        let note = format!(
            "{} lines, parsed below (`.stdout` shows them)",
            raw.lines().count()
        );
        plain.insert("stdout".into(), Value::String(note));
    }
    let mut out = record(&plain);
    for (k, v) in tables {
        out.push_str(&format!("{k}:\n"));
        out.push_str(&table(v.as_array().map(Vec::as_slice).unwrap_or_default()));
    }
    out
}

/// One resource holding multi-line text (an RTR command's `stdout`): one field per line, text as it was.
fn record(m: &Map<String, Value>) -> String {
    let width = m.keys().map(|k| k.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (k, v) in m {
        match v {
            Value::String(s) if s.contains('\n') => {
                out.push_str(&format!("{k}:\n"));
                for line in cut_lines(s).lines() {
                    out.push_str(&format!("  {line}\n"));
                }
            }
            other => out.push_str(&format!("{k:<width$}  {}\n", cell(Some(other)))),
        }
    }
    out
}

/// The preferred columns present in any row, then others by first appearance, up to `MAX_COLUMNS`.
/// `device_id` and `id` are both kept only when they differ somewhere.
fn columns(items: &[Value]) -> Vec<String> {
    let present = |k: &str| items.iter().any(|i| i.get(k).is_some_and(|v| !v.is_null()));
    if let Some((_, cols)) = TABLE_COLUMNS.iter().find(|(key, _)| present(key)) {
        return cols.iter().map(|c| c.to_string()).collect();
    }
    let mut cols: Vec<String> = PREFERRED
        .iter()
        .filter(|k| present(k))
        .map(|k| k.to_string())
        .collect();
    if cols.iter().any(|c| c == "device_id")
        && items.iter().all(|i| i.get("id") == i.get("device_id"))
    {
        cols.retain(|c| c != "id");
    }
    for item in items {
        for (k, v) in item.as_object().into_iter().flatten() {
            if cols.len() >= MAX_COLUMNS {
                break;
            }
            if !cols.contains(k) && !v.is_object() && !v.is_array() && !v.is_null() {
                cols.push(k.clone());
            }
        }
    }
    cols.truncate(MAX_COLUMNS);
    cols
}

fn cell(v: Option<&Value>) -> String {
    let text = match v {
        None | Some(Value::Null) => String::new(),
        // A cell holds a host's or tenant's text: its control characters are shown, not obeyed.
        Some(Value::String(s)) => {
            crate::terminal::line(s.lines().next().unwrap_or_default()).into_owned()
        }
        Some(other) => other.to_string(),
    };
    if text.chars().count() > MAX_CELL {
        let cut: String = text.chars().take(MAX_CELL - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Cuts every long string inside `json` (RTR `stdout` can be megabytes).
fn cut_strings(json: &Value) -> Value {
    match json {
        Value::String(s) => Value::String(cut_lines(s)),
        Value::Array(a) => Value::Array(a.iter().map(cut_strings).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), cut_strings(v))).collect())
        }
        other => other.clone(),
    }
}

fn cut_lines(s: &str) -> String {
    let lines = s.lines().count();
    if lines <= MAX_LINES {
        return s.to_string();
    }
    let kept: Vec<&str> = s.lines().take(MAX_LINES).collect();
    format!(
        "{}\n… {} more lines (`:json` shows all)",
        kept.join("\n"),
        lines - MAX_LINES
    )
}

fn pretty(json: &Value) -> String {
    serde_json::to_string_pretty(json).unwrap_or_else(|_| json.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::convert::from_json;
    use serde_json::json;

    #[test]
    fn resources_become_a_table_with_useful_columns() {
        let v = from_json(&json!([
            { "device_id": "a1", "hostname": "web-1", "platform_name": "Linux", "agent_version": "7.1",
              "policies": [] },
            { "device_id": "b2", "hostname": "db-1", "platform_name": "Windows", "agent_version": "7.2" }
        ]));
        let text = render(&v, false);
        let header = text.lines().find(|l| l.contains("device_id")).unwrap();
        assert!(header.contains("hostname") && header.contains("platform_name"));
        assert!(header.find("device_id") < header.find("hostname"));
        assert!(text.contains("web-1") && text.contains("Windows"));
        assert!(text.contains("2 rows"));
    }

    #[test]
    fn answers_show_status_and_resources() {
        let v = from_json(&json!({
            "status_code": 200, "headers": { "x-cs-traceid": "t" },
            "body": { "errors": [], "resources": ["id1", "id2"] }
        }));
        assert_eq!(
            render(&v, false),
            "status 200\n[\n  \"id1\",\n  \"id2\"\n]\n"
        );
        assert!(render(&v, true).contains("x-cs-traceid"));
    }

    #[test]
    fn long_text_is_cut_with_a_note() {
        let long: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let text = render(&Dynamic::from(long.clone()), false);
        assert!(text.contains("line 39") && !text.contains("line 40"));
        assert!(text.contains("60 more lines"));
        assert!(render(&Dynamic::from(long), true).contains("line 99"));
    }

    #[test]
    fn one_resource_with_text_shows_the_text_as_it_is() {
        let v = from_json(&json!([
            { "base_command": "ls", "complete": true, "stdout": "a.txt\nb.txt\n" }
        ]));
        assert_eq!(
            render(&v, false),
            "base_command  ls\ncomplete      true\nstdout:\n  a.txt\n  b.txt\n"
        );
    }

    #[test]
    fn a_result_with_parsed_entries_shows_them_as_a_table() {
        let v = from_json(&json!({
            "base_command": "ls", "complete": true,
            "entries": [ { "name": "cron.d", "type": "directory" }, { "name": "hosts", "type": "file" } ]
        }));
        let text = render(&v, false);
        assert!(
            text.starts_with("base_command  ls\ncomplete      true\nentries:\n"),
            "{text}"
        );
        assert!(text.contains("cron.d") && text.contains("2 rows"), "{text}");
    }

    #[test]
    fn unit_prints_nothing() {
        assert_eq!(render(&Dynamic::UNIT, false), "");
    }
}
