//! `s.kill(p)`: kills a process read from `ps` only while its PID still belongs to the same image.
//! PIDs are reused; a playbook that read `ps` a minute ago must not kill whatever holds that PID
//! now. Right before the kill, `ps` runs again and the row of that PID must carry the same identity
//! (name, path, user, start time, command line: every one the platform's `ps` prints); any
//! difference, named in the refusal, means nothing is killed.

use super::command;
use super::session::Session;
use crate::helpers::caller::{Error, Result};
use serde_json::Value;
use std::time::Duration;

/// Whether two names or paths are the same image: Windows compares them without case.
fn same(a: &str, b: &str, windows: bool) -> bool {
    if windows {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// What makes a process itself, beyond its PID. Linux and Mac `ps` have no path: there the user,
/// start time and command line tell a reused PID apart.
const IDENTITY: [&str; 5] = ["name", "path", "user", "start_time", "command_line"];

/// Each identity field both readings give and disagree on, worded for the refusal.
fn differences(was: &Value, now: &Value, windows: bool) -> Vec<String> {
    let text = |v: &Value, k: &str| match v.get(k) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    let q = |s: &str| format!("`{}`", crate::terminal::name(s));
    IDENTITY
        .iter()
        .filter_map(|k| {
            let (a, b) = (text(was, k)?, text(now, k)?);
            // Windows compares image names and paths without case, as its file system does.
            let fold = windows && matches!(*k, "name" | "path");
            if same(&a, &b, fold) {
                return None;
            }
            Some(match *k {
                "name" => format!("now belongs to {}, not {}", q(&b), q(&a)),
                "path" => format!("now runs {}, not {}", q(&b), q(&a)),
                other => format!("has {other} {}, not {}", q(&b), q(&a)),
            })
        })
        .collect()
}

pub fn kill(s: &Session, p: &Value, timeout: Duration) -> Result<Value> {
    let host = s.host();
    let refuse = |why: String| {
        Error::new(format!("kill refused on host {}: {why}", host.label()))
            .with("device_id", host.device_id.clone())
            .with("hostname", host.hostname.clone())
            .with("pid", p.get("pid").cloned().unwrap_or(Value::Null))
            .with("name", p.get("name").cloned().unwrap_or(Value::Null))
    };
    if let Some(why) = p.get("parse_error").and_then(Value::as_str) {
        return Err(refuse(format!(
            "the process row was not understood ({why})"
        )));
    }
    let (Some(pid), Some(name)) = (
        p.get("pid").and_then(Value::as_u64),
        p.get("name").and_then(Value::as_str),
    ) else {
        return Err(refuse(
            "`kill` takes a process from `ps` (a map with an integer `pid` and a `name`)".into(),
        ));
    };
    let windows = host.platform.eq_ignore_ascii_case("windows");
    let now = command::run(s, "ps", timeout)?;
    if now.get("queued").and_then(Value::as_bool).unwrap_or(false) {
        return Err(refuse(
            "the host is offline, so the PID cannot be checked".into(),
        ));
    }
    let rows = now["processes"].as_array().cloned().unwrap_or_default();
    let Some(current) = rows.iter().find(|q| q["pid"].as_u64() == Some(pid)) else {
        let unread = rows.iter().filter(|q| !q["parse_error"].is_null()).count();
        return Err(refuse(if unread > 0 {
            format!(
                "PID {pid} ({name}) is not among the rows `ps` printed that could be read ({unread} could not); not killed"
            )
        } else {
            format!("PID {pid} ({name}) is no longer running")
        }));
    };
    let differ = differences(p, current, windows);
    if !differ.is_empty() {
        return Err(refuse(format!(
            "PID {pid} {}; not killed",
            differ.join(", ")
        )));
    }
    let line = format!("kill {pid}");
    let r = command::run(s, &line, timeout)?;
    let stderr = r["stderr"].as_str().unwrap_or_default();
    if !stderr.trim().is_empty() {
        return Err(failed(s, &line, stderr));
    }
    Ok(r)
}

/// The error of a command the host answered on stderr.
pub(crate) fn failed(s: &Session, line: &str, stderr: &str) -> Error {
    let host = s.host();
    Error::new(format!(
        "`{line}` on host {}: {}",
        host.label(),
        stderr.trim()
    ))
    .with("device_id", host.device_id.clone())
    .with("hostname", host.hostname.clone())
    .with("stderr", stderr.to_string())
}
