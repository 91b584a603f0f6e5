//! The fixed schemas of the parsed commands: the keys every row carries (`()` where the host did
//! not print them), which platform fills each, and where that rests on a real capture. Read by the
//! parsers, `help()` and `playbooks/README.md`.

/// `ps` -> `processes`.
pub const PROCESS_KEYS: &[&str] = &[
    "name",
    "pid",
    "ppid",
    "user",
    "start_time",
    "working_memory_kb",
    "cpu_seconds",
    "handle_count",
    "path",
    "command_line",
];

/// `netstat` -> `connections`.
pub const CONNECTION_KEYS: &[&str] = &[
    "proto",
    "local_address",
    "local_port",
    "remote_address",
    "remote_port",
    "state",
    "state_printed",
    "pid",
    "process_name",
    "process_path",
    "process_start_time",
];

/// `ls` -> `entries`.
pub const ENTRY_KEYS: &[&str] = &[
    "name",
    "type",
    "extension",
    "size",
    "size_mb",
    "modified",
    "created",
    "path",
    "mode",
    "owner",
    "group",
    "target",
];

/// A key of a schema and what it holds, on which platforms.
pub type KeyDoc = (&'static str, &'static str);

/// Per parsed command: the result field, the command, and each key with the platforms that fill
/// it and what it holds. Every row also has `raw` (the printed line or lines); a row that was not
/// understood also has `parse_error`.
pub const DOCS: &[(&str, &str, &[KeyDoc])] = &[
    (
        "processes",
        "ps",
        &[
            (
                "name",
                "Windows, Linux, Mac: process name as printed (Windows prints it without `.exe`)",
            ),
            ("pid", "all: integer"),
            ("ppid", "Linux, Mac: integer; Windows does not print it"),
            ("user", "Linux, Mac; Windows does not print it"),
            (
                "start_time",
                "all: as printed, host local time (Windows `4/8/2025 12:14:21 PM`, the header names the UTC offset)",
            ),
            ("working_memory_kb", "Windows: integer (`60,196` -> 60196)"),
            ("cpu_seconds", "Windows: number"),
            ("handle_count", "Windows: integer"),
            (
                "path",
                "Windows: image path, wrapped lines joined; () for protected processes",
            ),
            ("command_line", "Linux, Mac"),
        ],
    ),
    (
        "connections",
        "netstat",
        &[
            ("proto", "all: `TCP` or `UDP`"),
            (
                "local_address",
                "all: address without the port (`::`, `fe80::1%2`, `10.1.19.4`)",
            ),
            ("local_port", "all: integer"),
            ("remote_address", "all: address, `*` when none"),
            ("remote_port", "all: integer, () for `*`"),
            (
                "state",
                "all: canonical upper case (`LISTEN`, `ESTABLISHED`, `TIME_WAIT`, `BOUND`, ...); Windows prints `Listen` for UDP endpoints; () when none printed",
            ),
            (
                "state_printed",
                "all: the state as printed (`Listen`, `Established`, `LISTEN`)",
            ),
            ("pid", "all: integer owning process id"),
            (
                "process_name",
                "Linux, Mac: program name from `PID/Program name`",
            ),
            (
                "process_path",
                "Windows: owning process image path; () when not printed (PID 4, protected)",
            ),
            ("process_start_time", "Windows: as printed, host local time"),
        ],
    ),
    (
        "entries",
        "ls",
        &[
            ("name", "all"),
            ("type", "all: `directory`, `file` or `symlink`"),
            ("extension", "Windows: the `Type` column of files (`.exe`)"),
            (
                "size",
                "all: bytes, integer; () for directories on Windows (`--`)",
            ),
            ("size_mb", "Windows: number; () for directories"),
            ("modified", "all: as printed, host local time on Windows"),
            ("created", "Windows: as printed"),
            ("path", "all: the listed directory joined with the name"),
            ("mode", "Linux, Mac: `-rwxr-xr-x`"),
            ("owner", "Linux, Mac"),
            ("group", "Linux, Mac"),
            ("target", "Linux, Mac: a symlink's target"),
        ],
    ),
];

/// The schema section of `help()`: one line per command, then its keys.
pub fn help_text() -> String {
    let mut out = String::from(
        "Parsed RTR output (every row has every key, () where not printed, plus `raw`; a row not \
         understood has only `raw` and `parse_error`: test `\"parse_error\" in row`; check \
         `r.warnings`):\n",
    );
    for (field, command, keys) in DOCS {
        out.push_str(&format!("  {command} -> r.{field}\n"));
        for (key, what) in *keys {
            out.push_str(&format!("    {key:<20} {what}\n"));
        }
    }
    out
}

/// Keys holding whole numbers.
const INTEGERS: &[&str] = &[
    "pid",
    "ppid",
    "working_memory_kb",
    "handle_count",
    "local_port",
    "remote_port",
    "size",
];

/// Keys holding numbers with decimals.
const DECIMALS: &[&str] = &["cpu_seconds", "size_mb"];

/// The keys of a table-shaped field, `None` for the others.
pub fn keys_of(field: &str) -> Option<&'static [&'static str]> {
    match field {
        "processes" => Some(PROCESS_KEYS),
        "connections" => Some(CONNECTION_KEYS),
        "entries" => Some(ENTRY_KEYS),
        _ => None,
    }
}

/// Checks a parse result against its schema: every key on every row with its type (or `()`), a
/// row that failed holds nothing but `raw` and `parse_error` (text), a row that did not fail has
/// no `parse_error`, and failed rows are warned about.
/// The fuzz target and the random tests hold every parse to this.
pub fn check(parsed: &super::Parsed) -> Result<(), String> {
    let Some(keys) = keys_of(parsed.field) else {
        return match &parsed.value {
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => Ok(()),
            v => Err(format!(
                "`{}` is neither a list nor a map: {v}",
                parsed.field
            )),
        };
    };
    let rows = parsed
        .value
        .as_array()
        .ok_or_else(|| format!("`{}` is not a list", parsed.field))?;
    let mut failed = 0;
    for row in rows {
        let m = row.as_object().ok_or("a row is not a map")?;
        if !m.get("raw").is_some_and(serde_json::Value::is_string) {
            return Err(format!("no `raw` in {row}"));
        }
        let error = m.get("parse_error");
        if error.is_some_and(|e| !e.is_string()) {
            return Err(format!("`parse_error` is not text in {row}"));
        }
        let failed_row = error.is_some();
        for k in keys {
            let v = m.get(*k).ok_or_else(|| format!("no `{k}` in {row}"))?;
            if failed_row && !v.is_null() {
                return Err(format!("a failed row keeps `{k}` in {row}"));
            }
            let typed = if INTEGERS.contains(k) {
                v.is_u64()
            } else if DECIMALS.contains(k) {
                v.is_number()
            } else {
                v.is_string()
            };
            if !v.is_null() && !typed {
                return Err(format!("`{k}` has the wrong type in {row}"));
            }
        }
        failed += usize::from(failed_row);
    }
    if failed > 0 && parsed.warnings.is_empty() {
        return Err(format!("{failed} failed rows and no warning"));
    }
    Ok(())
}
