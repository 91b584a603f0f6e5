//! `ps` output -> `processes`: `[{name, pid, ppid, user, path, command_line, start_time, ...}]`.

use serde_json::Value;

use super::{record, table};

const ALIASES: &[(&str, &[&str])] = &[
    (
        "name",
        &["Name", "Process", "ProcessName", "Image Name", "COMM"],
    ),
    ("pid", &["Id", "PID", "ProcessId"]),
    (
        "ppid",
        &["PPID", "ParentId", "Parent PID", "ParentProcessId"],
    ),
    ("user", &["User", "UserName", "Owner"]),
    ("path", &["Path", "FilePath", "ImagePath", "Image Path"]),
    (
        "command_line",
        &["COMMAND", "CommandLine", "Command Line", "CMD", "ARGS"],
    ),
    (
        "start_time",
        &["Start Time", "STARTED", "StartTime", "STIME", "START"],
    ),
    ("working_set_kb", &["WS (kb)", "WS"]),
    ("user_time_ms", &["User Time (ms)", "User Time"]),
    ("kernel_time_ms", &["Kernel Time (ms)", "Kernel Time"]),
];

const NUMERIC: &[&str] = &[
    "pid",
    "ppid",
    "working_set_kb",
    "user_time_ms",
    "kernel_time_ms",
];

pub fn parse(stdout: &str) -> Value {
    let rows = table::fixed_width(stdout)
        .or_else(|| table::whitespace(stdout, &["USER", "UID", "PID"]))
        .unwrap_or_default();
    let procs: Vec<Value> = rows
        .iter()
        .map(|row| {
            let mut m = record(row, ALIASES, NUMERIC);
            // POSIX tables may lack a name column: take the image's base name.
            if m.get("name").is_none_or(Value::is_null) {
                let from = ["path", "command_line"]
                    .iter()
                    .find_map(|k| m.get(*k).and_then(Value::as_str))
                    .and_then(|s| s.split_whitespace().next())
                    .map(|s| s.rsplit(['/', '\\']).next().unwrap_or(s).to_string());
                if let Some(name) = from {
                    m.insert("name".into(), Value::from(name));
                }
            }
            Value::Object(m)
        })
        .filter(|p| p.get("pid").is_some_and(Value::is_u64))
        .collect();
    Value::Array(procs)
}
