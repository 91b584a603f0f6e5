//! The audit log: one JSON line per state-changing request sent, appended and written before the
//! playbook moves on. Whole lines only, even with many hosts in flight: one lock, one `write_all`
//! per line, and the file opened for appending (so other falconry processes interleave by line too).

use super::arguments::arguments;
use super::guard::rtr_command;
use super::playbook::Playbook;
use super::targets::Targets;
use crate::ops::Request;
use crate::ops::{ApiError, Response};
use serde_json::{Map, Value, json};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<File>,
    /// A second file every line also goes to (the case's `audit.jsonl`).
    copy: Option<Mutex<File>>,
    /// The log is the case's own `audit.jsonl` (no `--audit` against the emulator).
    in_case: bool,
}

impl AuditLog {
    /// Opens (creating it and its folder) the audit file for appending.
    pub fn open(path: &Path) -> Result<AuditLog, String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                format!(
                    "cannot create the audit log folder `{}`: {e}",
                    dir.display()
                )
            })?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open the audit log `{}`: {e}", path.display()))?;
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            copy: None,
            in_case: false,
        })
    }

    /// The case's `audit.jsonl` as the log, opened as every case file is (no link, one name).
    pub fn open_in_case(path: &Path) -> Result<AuditLog, String> {
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Mutex::new(case_file(path)?),
            copy: None,
            in_case: true,
        })
    }

    /// Every line also goes to `copy` (the case's `audit.jsonl`, when given), opened for appending too.
    pub fn with_copy(mut self, copy: Option<&Path>) -> Result<AuditLog, String> {
        if let Some(c) = copy {
            self.copy = Some(Mutex::new(case_file(c)?));
        }
        Ok(self)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry as one line.
    pub fn append(&self, entry: &Value) -> Result<(), String> {
        self.write(entry, true)
    }

    /// Appends a line to the audit log only, not to the case's copy (a sealed case must not change);
    /// nothing when the log is the case's own.
    pub fn append_outside_case(&self, entry: &Value) -> Result<(), String> {
        if self.in_case {
            return Ok(());
        }
        self.write(entry, false)
    }

    fn write(&self, entry: &Value, to_case: bool) -> Result<(), String> {
        let line = serde_json::to_string(entry)
            .map_err(|e| format!("cannot encode an audit entry: {e}"))?;
        let mut line = crate::ops::redact::clean_owned(line).into_bytes();
        line.push(b'\n');
        let mut file = self
            .file
            .lock()
            .map_err(|_| "the audit log is unusable after a crash in another thread".to_string())?;
        file.write_all(&line)
            .and_then(|()| file.flush())
            .map_err(|e| format!("cannot write the audit log `{}`: {e}", self.path.display()))?;
        if let Some(copy) = self.copy.as_ref().filter(|_| to_case) {
            let mut c = copy.lock().unwrap_or_else(|p| p.into_inner());
            c.write_all(&line)
                .map_err(|e| format!("cannot write the case's copy of the audit log: {e}"))?;
        }
        Ok(())
    }
}

fn case_file(path: &Path) -> Result<File, String> {
    crate::engine::case::files::open_append(path)
        .map_err(|e| format!("cannot open the audit log `{}`: {e}", path.display()))
}

/// The fields every line starts with: when, and which playbook.
fn stamped(playbook: Option<&Playbook>) -> Map<String, Value> {
    let mut e = Map::new();
    e.insert("time".into(), json!(crate::time::now_stamp()));
    if let Some(p) = playbook {
        e.insert(
            "playbook".into(),
            json!({
                "name": p.name,
                "path": p.path.as_ref().map(|p| p.display().to_string()),
                "sha256": p.sha256,
            }),
        );
    }
    e
}

/// The line that anchors a closed case (`"phase": "case"`): its folder and its manifest's sha256.
pub fn case_sealed(dir: &Path, manifest_sha256: &str, playbook: Option<&Playbook>) -> Value {
    let mut e = stamped(playbook);
    e.insert("phase".into(), json!("case"));
    e.insert("case".into(), json!(dir.display().to_string()));
    e.insert("manifest_sha256".into(), json!(manifest_sha256));
    Value::Object(e)
}

/// The line written before a state-changing request is sent (`"phase": "intent"`): what is about to be
/// sent, to whom, by which playbook. Its outcome line repeats its `id`; an intent without an outcome is
/// a request that may have run (falconry was killed, or the answer never came).
pub fn intent(req: &Request, targets: Targets, playbook: Option<&Playbook>, id: u64) -> Value {
    let mut e = request_fields(req, targets, playbook, Some(id), "intent");
    e.insert("pid".into(), json!(pid()));
    Value::Object(e)
}

/// This process's id, asked of the kernel once: `std::process::id` is a system call every time, and
/// a state-changing request writes it three times (90,000 calls in a 10,000-host `rtr::each`).
fn pid() -> u32 {
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *PID.get_or_init(std::process::id)
}

/// One line of the audit log (`"phase": "outcome"`): what was sent, to whom, by which playbook, and what
/// came back.
pub fn entry(
    req: &Request,
    targets: Targets,
    result: &Result<Response, ApiError>,
    playbook: Option<&Playbook>,
    id: Option<u64>,
) -> Value {
    let mut e = request_fields(req, targets, playbook, id, "outcome");
    outcome_fields(&mut e, result);
    Value::Object(e)
}

fn request_fields(
    req: &Request,
    targets: Targets,
    playbook: Option<&Playbook>,
    id: Option<u64>,
    phase: &str,
) -> Map<String, Value> {
    let mut e = stamped(playbook);
    e.insert("phase".into(), json!(phase));
    if let Some(id) = id {
        // Unique within the file's lifetime enough to pair lines: the pid tells processes apart.
        e.insert("id".into(), json!(format!("{}-{id}", pid())));
    }
    e.insert("operation".into(), json!(req.op.qualified_name()));
    e.insert("operation_id".into(), json!(req.op.id));
    e.insert("method".into(), json!(req.op.method.as_str()));
    e.insert("path".into(), json!(req.op.path));
    if let Some((line, _)) = rtr_command(req).filter(|(l, _)| !l.is_empty()) {
        e.insert("command".into(), json!(line));
    }
    e.insert("arguments".into(), arguments(req));
    e.insert(
        "targets".into(),
        serde_json::to_value(targets).unwrap_or(Value::Null),
    );
    e
}

fn outcome_fields(e: &mut Map<String, Value>, result: &Result<Response, ApiError>) {
    match result {
        Ok(resp) => {
            e.insert("status".into(), json!(resp.status));
            e.insert("trace_id".into(), json!(resp.trace_id()));
            if let Some(id) = cloud_request_id(&resp.body) {
                e.insert("cloud_request_id".into(), id);
            }
        }
        Err(err) => {
            let (status, trace) = match err {
                ApiError::Status {
                    status, trace_id, ..
                } => (json!(status), json!(trace_id)),
                _ => (Value::Null, Value::Null),
            };
            e.insert("status".into(), status);
            e.insert("trace_id".into(), trace);
            e.insert("error".into(), json!(err.to_string()));
        }
    }
}

/// The RTR cloud request id(s) an answer carries: one id, or device id -> task id for a batch.
fn cloud_request_id(body: &Value) -> Option<Value> {
    if let Some(id) = body.pointer("/resources/0/cloud_request_id") {
        return Some(id.clone());
    }
    if let Some(id) = body.get("batch_get_cmd_req_id") {
        return Some(id.clone());
    }
    let hosts = body.pointer("/combined/resources")?.as_object()?;
    Some(Value::Object(
        hosts
            .iter()
            .map(|(aid, v)| {
                (
                    aid.clone(),
                    v.get("task_id").cloned().unwrap_or(Value::Null),
                )
            })
            .collect(),
    ))
}

/// `$XDG_DATA_HOME/falconry/audit.jsonl`, else `~/.local/share/falconry/audit.jsonl`.
pub fn default_audit_path() -> Option<PathBuf> {
    Some(data_dir()?.join("audit.jsonl"))
}

/// Where falconry keeps its own files (audit log, REPL history): `$XDG_DATA_HOME/falconry` when set to an
/// absolute path, else `~/.local/share/falconry`. The one rule for both, per the XDG base directory spec.
pub fn data_dir() -> Option<PathBuf> {
    let non_empty = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let data = non_empty("XDG_DATA_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| non_empty("HOME").map(|h| h.join(".local").join("share")))?;
    Some(data.join("falconry"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Arc;

    #[test]
    fn concurrent_appends_stay_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a").join("audit.jsonl");
        let log = Arc::new(AuditLog::open(&path).unwrap());
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let log = log.clone();
                std::thread::spawn(move || {
                    for i in 0..200 {
                        let pad = "x".repeat(5000);
                        log.append(&json!({ "t": t, "i": i, "pad": pad })).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1600);
        for l in lines {
            let v: Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["pad"].as_str().unwrap().len(), 5000);
        }
    }
}
