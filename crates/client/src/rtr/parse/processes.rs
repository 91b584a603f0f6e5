//! `ps` output -> `processes` (keys in `schema::PROCESS_KEYS`).
//!
//! Windows prints a Format-Table of `Name, Id, Start Time (UTC±N), WorkingMemory(kb), CPU(s),
//! HandleCount, Path` (real captures under `tests/data/rtr/real/`); Linux and Mac a
//! whitespace-separated table (reconstructed layout).

use serde_json::Value;

use super::cells;
use super::schema::PROCESS_KEYS;
use super::table::{self, Align};
use super::{Known, NAME, Output, Row, failed_row, put, read_table};

const WINDOWS: &[Known] = &[
    NAME,
    Known {
        header: "Id",
        prefix: false,
        align: Align::Right,
        fill: |c, m| put(m, "pid", cells::required_integer(c)),
    },
    Known {
        header: "Start Time",
        prefix: true,
        align: Align::Left,
        fill: |c, m| put(m, "start_time", cells::windows_time(c)),
    },
    Known {
        header: "WorkingMemory(kb)",
        prefix: false,
        align: Align::Right,
        fill: |c, m| put(m, "working_memory_kb", cells::integer(c)),
    },
    Known {
        header: "CPU(s)",
        prefix: false,
        align: Align::Right,
        fill: |c, m| put(m, "cpu_seconds", cells::decimal(c)),
    },
    Known {
        header: "HandleCount",
        prefix: false,
        align: Align::Right,
        fill: |c, m| put(m, "handle_count", cells::integer(c)),
    },
    Known {
        header: "Path",
        prefix: false,
        align: Align::Left,
        fill: |c, m| put(m, "path", cells::text(c)),
    },
];

pub fn parse(stdout: &str, windows: Option<bool>, warnings: &mut Vec<String>) -> Output {
    let schema = (PROCESS_KEYS, WINDOWS, &["Name", "Id"][..]);
    read_table("ps", stdout, windows, schema, posix, warnings)
}

/// POSIX headers and the keys they fill.
const POSIX: &[(&[&str], &str)] = &[
    (&["USER", "UID"], "user"),
    (&["PID"], "pid"),
    (&["PPID"], "ppid"),
    (&["STARTED", "STIME", "START"], "start_time"),
    (&["NAME", "COMM"], "name"),
    (&["COMMAND", "CMD", "ARGS"], "command_line"),
];

fn posix(stdout: &str) -> Option<Vec<Row>> {
    let (headers, lines) = table::whitespace(stdout, &["USER", "UID", "PID"])?;
    if !headers.iter().any(|h| h.eq_ignore_ascii_case("PID")) {
        return None;
    }
    // The key each column fills: decided once per table, not once per cell.
    let keys: Vec<Option<&'static str>> = headers
        .iter()
        .map(|h| {
            POSIX
                .iter()
                .find(|(names, _)| names.iter().any(|n| n.eq_ignore_ascii_case(h)))
                .map(|(_, k)| *k)
        })
        .collect();
    let rows = lines
        .iter()
        .map(|line| {
            let cells = match &line.cells {
                Ok(c) => c,
                Err(why) => return failed_row(PROCESS_KEYS, &line.raw, why),
            };
            match posix_row(&headers, &keys, cells, &line.raw) {
                Ok(m) => m,
                Err(why) => failed_row(PROCESS_KEYS, &line.raw, &why),
            }
        })
        .collect();
    Some(rows)
}

fn posix_row(
    headers: &[String],
    keys: &[Option<&'static str>],
    cells: &[std::borrow::Cow<'_, str>],
    raw: &str,
) -> Result<Row, String> {
    let mut m = Row::empty(PROCESS_KEYS, raw);
    for ((h, key), c) in headers.iter().zip(keys).zip(cells) {
        let key = *key;
        let value = match key {
            Some("pid") => cells::required_integer(c),
            Some("ppid") => cells::integer(c),
            Some(_) => cells::text(c),
            None => {
                m.insert(
                    format!("extra_{}", table::key_of(h)).into(),
                    Value::from(&**c),
                );
                continue;
            }
        }
        .map_err(|why| format!("`{h}` column: {why}"))?;
        super::set(&mut m, key.unwrap_or_default(), value);
    }
    // Without a name column the name is the image's file name, from the command line.
    if m["name"].is_null()
        && let Some(first) = m["command_line"]
            .as_str()
            .and_then(|s| s.split_whitespace().next())
    {
        let name = first.rsplit('/').next().unwrap_or(first).to_string();
        m.insert("name".into(), Value::from(name));
    }
    Ok(m)
}
