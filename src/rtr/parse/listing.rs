//! `ls` output -> `entries`: `[{name, type, size, modified, created, path, ...}]`
//! (`type` is `directory` or `file`).

use serde_json::{Map, Value};

use super::{record, scalar, table};

const ALIASES: &[(&str, &[&str])] = &[
    ("name", &["Name"]),
    ("kind", &["Type"]),
    ("size", &["Size (bytes)", "Size", "Length"]),
    ("size_mb", &["Size (MB)"]),
    ("modified", &["Last Modified", "LastWriteTime", "Modified"]),
    ("created", &["Created", "CreationTime"]),
];

/// The directory named by the `Directory listing for X -` header.
fn listed_dir(stdout: &str) -> Option<String> {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("Directory listing for "))?;
    let dir = line["Directory listing for ".len()..].trim_end();
    Some(dir.strip_suffix(" -").unwrap_or(dir).trim_end().to_string())
}

fn join(dir: &Option<String>, name: &str, windows: bool) -> Value {
    match dir {
        Some(d) => {
            let sep = if windows || d.contains('\\') {
                '\\'
            } else {
                '/'
            };
            if d.ends_with(sep) {
                Value::from(format!("{d}{name}"))
            } else {
                Value::from(format!("{d}{sep}{name}"))
            }
        }
        None => Value::Null,
    }
}

pub fn parse(stdout: &str, windows: bool) -> Value {
    let dir = listed_dir(stdout);
    if let Some(rows) = table::fixed_width(stdout) {
        let entries = rows
            .iter()
            .filter_map(|row| {
                let mut m = record(row, ALIASES, &["size"]);
                let name = m.get("name")?.as_str()?.to_string();
                let kind = m.remove("kind").unwrap_or(Value::Null);
                let is_dir = kind
                    .as_str()
                    .is_some_and(|k| k.eq_ignore_ascii_case("<Directory>"));
                m.insert(
                    "type".into(),
                    Value::from(if is_dir { "directory" } else { "file" }),
                );
                if !is_dir && let Some(ext) = kind.as_str().filter(|k| k.starts_with('.')) {
                    m.insert("extension".into(), Value::from(ext));
                }
                m.insert("path".into(), join(&dir, &name, true));
                Some(Value::Object(m))
            })
            .collect();
        return Value::Array(entries);
    }
    let entries = stdout
        .lines()
        .filter_map(|l| posix_line(l, &dir, windows))
        .collect();
    Value::Array(entries)
}

/// `drwxr-xr-x   2 root     root         4096 Nov 20 09:00 name`
fn posix_line(line: &str, dir: &Option<String>, windows: bool) -> Option<Value> {
    let mode = line.split_whitespace().next()?;
    let first = mode.chars().next()?;
    if mode.chars().count() < 10 || !"-dlcbps".contains(first) {
        return None;
    }
    let mut rest = line.trim_start();
    let mut fields = Vec::new();
    for _ in 0..8 {
        rest = rest.trim_start();
        let end = rest.find(char::is_whitespace)?;
        fields.push(&rest[..end]);
        rest = &rest[end..];
    }
    let name_part = rest.trim();
    if name_part.is_empty() {
        return None;
    }
    let (name, target) = match name_part.split_once(" -> ") {
        Some((n, t)) if first == 'l' => (n, Some(t)),
        _ => (name_part, None),
    };
    let mut m = Map::new();
    m.insert("name".into(), Value::from(name));
    let kind = match first {
        'd' => "directory",
        'l' => "symlink",
        _ => "file",
    };
    m.insert("type".into(), Value::from(kind));
    m.insert("size".into(), scalar(fields[4]));
    m.insert(
        "modified".into(),
        Value::from(format!("{} {} {}", fields[5], fields[6], fields[7])),
    );
    m.insert("mode".into(), Value::from(mode));
    m.insert("owner".into(), Value::from(fields[2]));
    m.insert("group".into(), Value::from(fields[3]));
    if let Some(t) = target {
        m.insert("target".into(), Value::from(t));
    }
    m.insert("path".into(), join(dir, name, windows));
    Some(Value::Object(m))
}
