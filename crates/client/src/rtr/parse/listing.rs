//! `ls` output -> `entries` (keys in `schema::ENTRY_KEYS`).
//!
//! Windows prints `Directory listing for C:\ -`, then fixed-width columns `Name, Type, Size
//! (bytes), Size (MB), Last Modified (UTC±N), Created (UTC±N)` with `<Directory>` and `--` for
//! directories (real capture under `tests/data/rtr/real/`). Linux and Mac print names only, one a
//! line, for `ls` (two real captures from elastic/kibana: `tests/data/rtr/real/linux_ls_kibana*.txt`),
//! and long lines for `ls -l` (the Linux session catalogue's "List in long format."; no real capture,
//! so that layout is a reconstruction). A name-only row fills `name` (and `path` when the listing
//! names its directory) and nothing else: the output holds nothing else.

use serde_json::Value;

use super::cells;
use super::schema::ENTRY_KEYS;
use super::table::{self, Align};
use super::{
    Known, NAME, Output, Row, align_of, failed_row, put, rows_of, warn_failed, warn_unread,
};

fn kind(c: &str, m: &mut Row) -> Result<(), String> {
    if c == "<Directory>" {
        m.insert("type".into(), Value::from("directory"));
    } else if c.is_empty() || c.starts_with('.') {
        m.insert("type".into(), Value::from("file"));
        m.insert("extension".into(), cells::text(c)?);
    } else {
        return Err(format!("`{c}` is neither `<Directory>` nor an extension"));
    }
    Ok(())
}

const WINDOWS: &[Known] = &[
    NAME,
    Known {
        header: "Type",
        prefix: false,
        align: Align::Left,
        fill: kind,
    },
    Known {
        header: "Size (bytes)",
        prefix: false,
        align: Align::Left,
        fill: |c, m| put(m, "size", cells::integer(c)),
    },
    Known {
        header: "Size (MB)",
        prefix: false,
        align: Align::Left,
        fill: |c, m| put(m, "size_mb", cells::decimal(c)),
    },
    Known {
        header: "Last Modified",
        prefix: true,
        align: Align::Left,
        fill: |c, m| put(m, "modified", cells::windows_time(c)),
    },
    Known {
        header: "Created",
        prefix: true,
        align: Align::Left,
        fill: |c, m| put(m, "created", cells::windows_time(c)),
    },
];

/// The directory named by the `Directory listing for X -` line.
fn listed_dir(stdout: &str) -> Option<String> {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Directory listing for "))?;
    let dir = line.trim_end();
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

pub fn parse(stdout: &str, windows: Option<bool>, warnings: &mut Vec<String>) -> Output {
    let dir = listed_dir(stdout);
    let rows = if windows != Some(false)
        && let Some(t) = table::format_table(stdout, align_of(WINDOWS))
    {
        let mut rows = rows_of(&t, ENTRY_KEYS, WINDOWS, &["Name", "Type"]);
        for r in &mut rows {
            if let Some(name) = r["name"].as_str() {
                let path = join(&dir, name, true);
                r.insert("path".into(), path);
            }
        }
        rows
    } else if windows != Some(true) {
        let lines: Vec<&str> = stdout
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with("Directory listing for "))
            .collect();
        let long = lines.iter().any(|l| posix_line(l, &dir).is_ok());
        // Names only, when the platform is known not to be Windows and no line is a long one: with
        // the platform unknown, any text would read as names, so that reading is refused.
        let names_only = !long && windows == Some(false);
        lines
            .iter()
            .filter(|l| !(long && l.starts_with("total ")))
            .map(|l| match posix_line(l, &dir) {
                Ok(m) => m,
                Err(_) if names_only => name_line(l, &dir),
                Err(why) => failed_row(ENTRY_KEYS, l, &why),
            })
            .collect()
    } else {
        Vec::new()
    };
    if rows.is_empty() && dir.is_none() {
        warn_unread("ls", stdout, warnings);
    }
    warn_failed("ls", &rows, warnings);
    Output::Rows(rows)
}

/// A line of plain Linux/Mac `ls`: the whole line is the name (names may hold spaces); the type,
/// size and times are not printed, so they stay `()`.
fn name_line(line: &str, dir: &Option<String>) -> Row {
    let name = line.trim_end_matches('\r');
    let mut m = Row::empty(ENTRY_KEYS, line);
    m.insert("name".into(), Value::from(name));
    m.insert("path".into(), join(dir, name, false));
    m
}

/// `drwxr-xr-x   2 root     root         4096 Nov 20 09:00 name`
fn posix_line(line: &str, dir: &Option<String>) -> Result<Row, String> {
    let mode = line.split_whitespace().next().unwrap_or_default();
    let first = mode.chars().next().unwrap_or(' ');
    if mode.chars().count() < 10 || !"-dlcbps".contains(first) {
        return Err("not an `ls -l` line".into());
    }
    let mut rest = line.trim_start();
    let mut fields = Vec::new();
    for _ in 0..8 {
        rest = rest.trim_start();
        let end = rest
            .find(char::is_whitespace)
            .ok_or("fewer than nine fields")?;
        fields.push(&rest[..end]);
        rest = &rest[end..];
    }
    // One separating space: a name may itself start with spaces.
    let name_part = rest
        .strip_prefix(' ')
        .unwrap_or(rest)
        .trim_end_matches('\r');
    if name_part.is_empty() {
        return Err("no name".into());
    }
    let (name, target) = match name_part.split_once(" -> ") {
        Some((n, t)) if first == 'l' => (n, Some(t)),
        _ => (name_part, None),
    };
    let mut m = Row::empty(ENTRY_KEYS, line);
    m.insert("name".into(), Value::from(name));
    let kind = match first {
        'd' => "directory",
        'l' => "symlink",
        _ => "file",
    };
    m.insert("type".into(), Value::from(kind));
    put(&mut m, "size", cells::integer(fields[4]))?;
    m.insert(
        "modified".into(),
        Value::from(format!("{} {} {}", fields[5], fields[6], fields[7])),
    );
    m.insert("mode".into(), Value::from(mode));
    m.insert("owner".into(), Value::from(fields[2]));
    m.insert("group".into(), Value::from(fields[3]));
    m.insert("target".into(), target.map_or(Value::Null, Value::from));
    m.insert("path".into(), join(dir, name, false));
    Ok(m)
}
