//! How a statement's value is shown: resources as aligned tables, maps as indented JSON, long text cut with
//! a note; `:json` shows everything raw.

use super::{convert, grouped};
use crate::terminal;
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
/// ps: what runs, from where, since when and how big; never `raw` unless a row failed to parse.
/// The flag: show only the columns some row has a value in (Windows and Linux `ps` fill different
/// keys); netstat keeps its columns even when empty, so a missing process name reads as missing.
const TABLE_COLUMNS: &[(&str, &[&str], bool)] = &[
    (
        "remote_address",
        &[
            "remote_address",
            "remote_port",
            "state",
            "pid",
            "process_name",
            "local_port",
        ],
        false,
    ),
    (
        "start_time",
        &[
            "pid",
            "name",
            "path",
            "start_time",
            "working_memory_kb",
            "user",
            "command_line",
        ],
        true,
    ),
];

/// Below this a terminal's reported width is not believed (a pty nobody sized says 0).
const MIN_WIDTH: u16 = 40;
/// The width used when the terminal says nothing useful.
const FALLBACK_WIDTH: u16 = 100;
/// A nested list in a cell shows at most this many of its items.
const LIST_ITEMS: usize = 3;

/// The terminal's width: `COLUMNS` when set, else what the terminal reports, else 100 columns (a pty
/// without a size reports 0, which would give every column one character).
pub fn terminal_width() -> u16 {
    let sane = |w: &u16| *w >= MIN_WIDTH;
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(sane)
        .or_else(|| Table::new().width().filter(sane))
        .unwrap_or(FALLBACK_WIDTH)
}

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
    readable_with_width(&json, Some(terminal_width()))
}

/// The readable view of `json`, tables no wider than `width` (`None`: no limit, for a file).
pub fn readable_with_width(json: &Value, width: Option<u16>) -> String {
    View { width }.readable(json)
}

/// Rows as a table the way the REPL shows them: `columns` in that order, or chosen as the REPL
/// chooses them when empty. What the playbook function `table(rows, columns)` returns.
pub fn rows_table(items: &[Value], columns: &[String], width: Option<u16>) -> String {
    let view = View { width };
    if columns.is_empty() {
        view.table(items)
    } else {
        view.table_of(items, columns)
    }
}

/// How wide tables may be.
#[derive(Clone, Copy)]
struct View {
    width: Option<u16>,
}

impl View {
    fn readable(self, json: &Value) -> String {
        match json {
            Value::String(s) => format!("{}\n", terminal::text(&cut_lines(s))),
            Value::Array(items) if is_table(items) => self.table(items),
            Value::Object(m) if is_answer(m) => self.answer(m),
            Value::Object(m) if grouped::is_batch(m) => grouped::batch(m, |v| self.body(v)),
            Value::Object(m) if grouped::is_per_host(m) => grouped::per_host(m, |v| self.body(v)),
            Value::Object(m) if !m.is_empty() && m.values().all(Value::is_object) => self.keyed(m),
            Value::Object(m)
                if m.values()
                    .any(|v| v.as_array().is_some_and(|a| is_table(a))) =>
            {
                self.with_tables(m)
            }
            Value::Array(_) | Value::Object(_) => format!("{}\n", pretty(&cut_strings(json))),
            other => format!("{other}\n"),
        }
    }

    /// One host's part of a grouped answer: an RTR result without what the header already says.
    fn body(self, v: &Value) -> String {
        match v {
            Value::Object(m) => {
                let mut m = m.clone();
                for k in grouped::IDENTITY {
                    m.remove(*k);
                }
                if m.get("stderr")
                    .is_some_and(|s| s.as_str().is_some_and(str::is_empty))
                {
                    m.remove("stderr");
                }
                if m.get("planned").is_some_and(|p| p == &Value::Bool(false)) {
                    m.remove("planned");
                }
                if m.get("warnings")
                    .is_some_and(|w| w.as_array().is_some_and(Vec::is_empty))
                {
                    m.remove("warnings");
                }
                if m.values()
                    .any(|v| v.as_array().is_some_and(|a| is_table(a)))
                {
                    self.with_tables(&m)
                } else {
                    record(&m)
                }
            }
            other => self.readable(other),
        }
    }

    /// A map of maps (an `rtr::each` answer of records): one row per key.
    fn keyed(self, m: &Map<String, Value>) -> String {
        let items: Vec<Value> = m
            .iter()
            .map(|(k, v)| {
                let mut row = Map::new();
                row.insert(super::rows::KEY_COLUMN.into(), Value::from(k.as_str()));
                if let Value::Object(fields) = v {
                    for (f, x) in fields {
                        row.entry(f.clone()).or_insert_with(|| x.clone());
                    }
                }
                Value::Object(row)
            })
            .collect();
        self.table(&items)
    }

    /// An operation's answer `#{ status_code, headers, body }`: the status, then its resources or
    /// body. Headers are left out here; `:json` shows them.
    fn answer(self, m: &Map<String, Value>) -> String {
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
                out.push_str(&format!("error: {}\n", terminal::line(msg)));
            }
        }
        match body.get("resources") {
            Some(Value::Array(items)) if is_table(items) => out.push_str(&self.table(items)),
            Some(Value::Array(items)) if items.is_empty() => out.push_str("no resources\n"),
            Some(resources) => {
                out.push_str(&format!("{}\n", pretty(&cut_strings(resources))));
            }
            None if !body.is_null() => out.push_str(&format!("{}\n", pretty(&cut_strings(&body)))),
            None => {}
        }
        out
    }

    fn table(self, items: &[Value]) -> String {
        if let [Value::Object(only)] = items
            && only
                .values()
                .any(|v| v.as_str().is_some_and(|s| s.contains('\n')))
        {
            return record(only);
        }
        self.table_of(items, &columns(items))
    }

    /// `items` under `columns`; the footer counts the rows and the keys not shown.
    fn table_of(self, items: &[Value], columns: &[String]) -> String {
        let mut t = Table::new();
        t.load_style(COMPACT)
            .set_header(columns.iter().map(|c| terminal::line(c).into_owned()));
        match self.width {
            Some(w) => {
                t.set_content_arrangement(ContentArrangement::Dynamic)
                    .set_width(w);
            }
            None => {
                t.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        for item in items {
            t.add_row(columns.iter().map(|c| cell(item.get(c))));
        }
        let mut out = format!("{t}\n");
        let total = items
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|m| m.keys())
            .filter(|k| !columns.contains(k))
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        out.push_str(&format!(
            "{} row{}",
            items.len(),
            if items.len() == 1 { "" } else { "s" }
        ));
        if total > 0 {
            out.push_str(&format!(
                ", {total} more column{} (`:json` shows all)",
                if total == 1 { "" } else { "s" }
            ));
        }
        out.push('\n');
        out
    }

    /// A map holding arrays of resources (an RTR result with its parsed `entries`): its plain fields
    /// one per line, then each array as a table.
    fn with_tables(self, m: &Map<String, Value>) -> String {
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
            out.push_str(&format!("{}:\n", terminal::line(k)));
            out.push_str(&self.table(v.as_array().map(Vec::as_slice).unwrap_or_default()));
        }
        out
    }
}

/// An operation's answer: the shape every generated operation returns.
fn is_answer(m: &Map<String, Value>) -> bool {
    m.contains_key("status_code") && m.contains_key("body") && m.contains_key("headers")
}

/// A non-empty array whose items are all maps.
fn is_table(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(Value::is_object)
}

/// One resource holding multi-line text (an RTR command's `stdout`): one field per line, text as it was.
fn record(m: &Map<String, Value>) -> String {
    let width = m.keys().map(|k| k.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (k, v) in m {
        let k = terminal::line(k);
        match v {
            Value::String(s) if s.contains('\n') => {
                out.push_str(&format!("{k}:\n"));
                for line in terminal::text(&cut_lines(s)).lines() {
                    out.push_str(&format!("  {line}\n"));
                }
            }
            other => out.push_str(&format!("{k:<width$}  {}\n", cell(Some(other)))),
        }
    }
    out
}

/// Whether some row failed to parse: only then are its `raw` line and `parse_error` worth a column.
fn has_failed_row(items: &[Value]) -> bool {
    items
        .iter()
        .any(|i| i.get("parse_error").is_some_and(|e| !e.is_null()))
}

/// The columns chosen for a command's own table when its rows carry the first key, else the
/// preferred columns present in any row, then others by first appearance, up to `MAX_COLUMNS`.
/// `device_id` and `id` are both kept only when they differ somewhere; `raw` and `parse_error` only
/// when a row failed to parse.
fn columns(items: &[Value]) -> Vec<String> {
    let present = |k: &str| items.iter().any(|i| i.get(k).is_some_and(|v| !v.is_null()));
    let failed = has_failed_row(items);
    let wanted = |k: &str| failed || (k != "raw" && k != "parse_error");
    if let Some((_, cols, only_present)) = TABLE_COLUMNS.iter().find(|(key, ..)| present(key)) {
        let mut cols: Vec<String> = cols
            .iter()
            .filter(|c| !only_present || present(c))
            .map(|c| c.to_string())
            .collect();
        if failed {
            cols.extend(["parse_error".to_string(), "raw".to_string()]);
        }
        return cols;
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
            if !cols.contains(k) && !v.is_null() && wanted(k) {
                cols.push(k.clone());
            }
        }
    }
    cols.truncate(MAX_COLUMNS);
    cols
}

/// A cell: its first line, made safe for a terminal, a nested list as its count and first items,
/// a nested map as its keys, cut at `MAX_CELL`.
fn cell(v: Option<&Value>) -> String {
    let text = match v {
        None | Some(Value::Null) => String::new(),
        // A cell holds a host's or tenant's text: its control characters are shown, not obeyed.
        Some(Value::String(s)) => terminal::line(s.lines().next().unwrap_or_default()).into_owned(),
        Some(Value::Array(items)) => list_summary(items),
        Some(Value::Object(m)) => {
            let keys: Vec<String> = m
                .keys()
                .take(LIST_ITEMS)
                .map(|k| terminal::line(k).into_owned())
                .collect();
            let more = if m.len() > LIST_ITEMS { ", …" } else { "" };
            format!("#{{{}{more}}}", keys.join(", "))
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

/// `3: a, b, c` / `12: a, b, c, …`: how many items, and the first of them.
fn list_summary(items: &[Value]) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    let first: Vec<String> = items
        .iter()
        .take(LIST_ITEMS)
        .map(|i| match i {
            Value::String(s) => terminal::line(s).into_owned(),
            Value::Object(m) => ["hostname", "name", "id", "device_id"]
                .iter()
                .find_map(|k| m.get(*k).and_then(Value::as_str))
                .map_or_else(|| "#{…}".to_string(), |s| terminal::line(s).into_owned()),
            Value::Array(a) => format!("[{}]", a.len()),
            other => other.to_string(),
        })
        .collect();
    let more = if items.len() > LIST_ITEMS {
        ", …"
    } else {
        ""
    };
    format!("{}: {}{more}", items.len(), first.join(", "))
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

/// JSON as serde writes it: control characters in strings come out as `\u001b`, never as themselves.
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
    fn a_batch_answer_groups_hosts_with_the_same_output_and_lists_the_others() {
        let result = |host: &str, out: &str| {
            json!({ "base_command": "ls", "command_string": "ls", "hostname": host, "device_id": host,
                    "complete": true, "stderr": "", "stdout": out })
        };
        let v = from_json(&json!({
            "results": { "a": result("WS-1", "same\n"), "b": result("WS-2", "same\n"),
                         "c": result("WS-3\u{1b}[2J", "other\n") },
            "errors": { "d": { "message": "refused by policy" } },
            "no_answer": ["e"],
            "hostnames": { "d": "WS-4", "e": "WS-5" }
        }));
        assert_eq!(
            render(&v, false),
            "── WS-1, WS-2 (2 hosts)\nstdout:\n  same\ncomplete  true\n\
             ── WS-3\\u{1b}[2J\nstdout:\n  other\ncomplete  true\n\
             error on WS-4: refused by policy\nno answer: WS-5\n"
        );
    }

    #[test]
    fn ps_shows_its_columns_and_raw_only_for_a_failed_row() {
        let row = |pid: Value, err: Value| {
            let mut r = json!({ "pid": pid, "name": "svchost", "path": "C:\\x.exe",
                    "start_time": "t", "working_memory_kb": 1, "cpu_seconds": 2, "user": null,
                    "raw": "line" });
            if !err.is_null() {
                r["parse_error"] = err;
            }
            r
        };
        let ok = from_json(&json!([row(json!(4), Value::Null)]));
        let header = |text: &str| {
            text.lines()
                .next()
                .unwrap()
                .split_whitespace()
                .map(String::from)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            header(&render(&ok, false)),
            ["pid", "name", "path", "start_time", "working_memory_kb"]
        );
        let failed = from_json(&json!([
            row(json!(4), Value::Null),
            row(Value::Null, json!("bad pid"))
        ]));
        assert!(
            header(&render(&failed, false))
                .ends_with(&["parse_error".to_string(), "raw".to_string()])
        );
    }

    #[test]
    fn unit_prints_nothing() {
        assert_eq!(render(&Dynamic::UNIT, false), "");
    }
}
