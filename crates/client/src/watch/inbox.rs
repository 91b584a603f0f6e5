//! The inbox's folders and files: a playbook is claimed into `running/` (with a marker saying when, and
//! its `NAME.args.json` sidecar if any) before it runs, and leaves for `done/` or `failed/` with a JSON
//! result beside it.
//!
//! The marker in `running/` is the one record of how a run ended: before the result is written, the
//! marker names it; the result is written whole (temporary file, fsync, rename), then the playbook moves.
//! At start, a playbook still in `running/` whose marker names a whole result is filed with it; any other
//! is reported as interrupted, never run again, and a partial result is removed.

use super::lock::Lock;
use super::runner::Report;
use crate::engine::{ErrorKind, ScriptError};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub struct Inbox {
    pub dir: PathBuf,
    /// One watcher per inbox.
    _lock: Lock,
}

/// How a run ended, as the result file and the folder say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Done,
    Failed,
    Interrupted,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Interrupted => "interrupted",
        }
    }

    fn folder(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Failed | Status::Interrupted => "failed",
        }
    }
}

impl Inbox {
    pub fn open(dir: &Path) -> Result<Inbox, String> {
        for sub in ["running", "done", "failed"] {
            let d = dir.join(sub);
            std::fs::create_dir_all(&d)
                .map_err(|e| format!("cannot create `{}`: {e}", d.display()))?;
        }
        let lock = Lock::take(dir)?;
        Ok(Inbox {
            dir: dir.to_path_buf(),
            _lock: lock,
        })
    }

    /// Playbooks waiting in the inbox, oldest name first.
    pub fn waiting(&self) -> Vec<PathBuf> {
        playbooks_in(&self.dir)
    }

    /// Files every playbook left in `running/` by an earlier falconry: with its result when the marker
    /// names a whole one, else as interrupted. Returns their names and what happened.
    pub fn recover(&self) -> Vec<(String, &'static str)> {
        let mut names = Vec::new();
        for p in playbooks_in(&self.dir.join("running")) {
            let name = file_name(&p);
            let marker = marker_of(&p);
            let record = std::fs::read_to_string(&marker)
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .unwrap_or(Value::Null);
            let planned = |k: &str| {
                record
                    .get(k)
                    .and_then(Value::as_str)
                    .map(|r| self.dir.join(r))
            };
            if let (Some(result), Some(dest)) = (planned("result"), planned("dest")) {
                // The run ended and its result was being filed when falconry stopped.
                let whole = std::fs::read(&result)
                    .ok()
                    .is_some_and(|b| serde_json::from_slice::<Value>(&b).is_ok());
                if whole && !dest.exists() && std::fs::rename(&p, &dest).is_ok() {
                    move_sidecar(&p, &dest);
                    let _ = std::fs::remove_file(&marker);
                    names.push((name, "filed with the result it had when falconry stopped"));
                    continue;
                }
                let _ = std::fs::remove_file(&result);
                let _ = std::fs::remove_file(temporary(&result));
            }
            let start = record.get("start").cloned().unwrap_or(Value::Null);
            let message = "falconry stopped while this playbook was running; it was not run again \
                           (check the hosts it touched before dropping it into the inbox again)";
            let status = Status::Interrupted;
            let (dest, result_path) = self.place(&p, status);
            let result = json!({
                "playbook": name,
                "start": start,
                "end": Value::Null,
                "status": status.as_str(),
                "output": "",
                "error": { "message": message, "file": dest.display().to_string() },
            });
            if self.file(&p, &dest, &result_path, &result).is_ok() {
                let _ = std::fs::remove_file(&marker);
                names.push((name, "interrupted by an earlier stop; moved to failed/"));
            }
        }
        // Markers whose playbook is gone: a stop between writing the marker and claiming, or after filing.
        for entry in std::fs::read_dir(self.dir.join("running"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let path = entry.path();
            let name = file_name(&path);
            if let Some(playbook) = name.strip_suffix(".running.json")
                && !path.with_file_name(playbook).exists()
            {
                let _ = std::fs::remove_file(&path);
            }
        }
        names
    }

    /// Moves `playbook` (and its `NAME.args.json`, if any) into `running/` and marks when it started;
    /// `None` when it is gone already.
    pub fn claim(&self, playbook: &Path) -> Option<PathBuf> {
        let running = self.dir.join("running").join(playbook.file_name()?);
        // The marker first: a stop between the two leaves a marker without a playbook, which is harmless.
        let marker = marker_of(&running);
        let start = json!({ "playbook": file_name(playbook), "start": crate::time::stamp(SystemTime::now()),
                            "pid": std::process::id() });
        write_whole(&marker, start.to_string().as_bytes()).ok()?;
        // The sidecar moves before the playbook: a playbook never runs without the arguments sent with it.
        let _ = std::fs::rename(sidecar(playbook), sidecar(&running));
        match std::fs::rename(playbook, &running) {
            Ok(()) => Some(running),
            Err(_) => {
                let _ = std::fs::rename(sidecar(&running), sidecar(playbook));
                let _ = std::fs::remove_file(&marker);
                None
            }
        }
    }

    /// The arguments dropped beside a claimed playbook as `NAME.args.json` (a JSON object), if any.
    pub fn arguments(
        &self,
        running: &Path,
    ) -> Result<Option<serde_json::Map<String, Value>>, String> {
        let path = sidecar(running);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read `{}`: {e}", file_name(&path))),
        };
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(m)) => Ok(Some(m)),
            Ok(other) => Err(format!(
                "`{}` must hold a JSON object of arguments, e.g. {{\"host\": \"WS-042\"}}, not {}",
                file_name(&path),
                match other {
                    Value::Array(_) => "an array",
                    Value::String(_) => "a string",
                    _ => "a single value",
                }
            )),
            Err(e) => Err(format!("`{}` is not valid JSON: {e}", file_name(&path))),
        }
    }

    /// Why a dropped file is not run, when it is not: a name that is not UTF-8 could not be shown,
    /// logged or reported faithfully.
    pub fn unrunnable(playbook: &Path) -> Option<String> {
        let name = playbook.file_name()?;
        name.to_str().is_none().then(|| {
            format!(
                "the file name `{}` is not valid UTF-8; falconry does not run it (rename it and drop it again)",
                name.to_string_lossy()
            )
        })
    }

    /// Files a claimed playbook to `failed/` without running it, with `reason` as its error.
    pub fn refuse(&self, playbook: &Path, reason: &str) -> Result<PathBuf, String> {
        let status = Status::Failed;
        let (dest, result_path) = self.place(playbook, status);
        let now = crate::time::stamp(SystemTime::now());
        let result = json!({
            "playbook": file_name(playbook),
            "start": now,
            "end": now,
            "status": status.as_str(),
            "output": "",
            "error": { "message": reason, "file": dest.display().to_string() },
        });
        self.file(playbook, &dest, &result_path, &result)?;
        let _ = std::fs::remove_file(marker_of(playbook));
        Ok(dest)
    }

    /// Files the report of a claimed playbook; returns where it went.
    pub fn finish(&self, report: &Report) -> Result<PathBuf, String> {
        let status = match &report.result {
            Ok(_) => Status::Done,
            Err(e) if e.kind == ErrorKind::Interrupted => Status::Interrupted,
            Err(_) => Status::Failed,
        };
        let (dest, result_path) = self.place(&report.playbook, status);
        let result = json!({
            "playbook": file_name(&report.playbook),
            "start": crate::time::stamp(report.start),
            "end": crate::time::stamp(report.end),
            "status": status.as_str(),
            "output": crate::ops::redact::clean(&report.output),
            "error": report.result.as_ref().err().map(|e| error_record(e, &report.playbook, &dest)),
            "value": report.result.as_ref().ok(),
            "case": report.case.as_ref().map(|c| c.display().to_string()),
        });
        // The marker names the result before it exists: a stop from here on leaves one record.
        let marker = marker_of(&report.playbook);
        let mut record = std::fs::read_to_string(&marker)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .unwrap_or_else(|| json!({}));
        record["result"] = json!(relative(&result_path, &self.dir));
        record["dest"] = json!(relative(&dest, &self.dir));
        write_whole(&marker, record.to_string().as_bytes())
            .map_err(|e| format!("cannot write `{}`: {e}", marker.display()))?;
        self.file(&report.playbook, &dest, &result_path, &result)?;
        let _ = std::fs::remove_file(&marker);
        Ok(dest)
    }

    /// Where a playbook and its result go: names already taken (the same playbook dropped twice) get
    /// `-2`, `-3`, ...
    fn place(&self, playbook: &Path, status: Status) -> (PathBuf, PathBuf) {
        let folder = self.dir.join(status.folder());
        let stem = playbook
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("playbook");
        (1..)
            .map(|n| {
                let base = if n == 1 {
                    stem.to_string()
                } else {
                    format!("{stem}-{n}")
                };
                (
                    folder.join(format!("{base}.rhai")),
                    folder.join(format!("{base}.result.json")),
                )
            })
            .find(|(d, r)| !d.exists() && !r.exists() && !sidecar(d).exists())
            .expect("some name is free")
    }

    /// Writes the result whole beside the playbook's new place, then moves the playbook (and its
    /// arguments) there.
    fn file(
        &self,
        playbook: &Path,
        dest: &Path,
        result_path: &Path,
        result: &Value,
    ) -> Result<(), String> {
        let text = serde_json::to_string_pretty(result).unwrap_or_else(|_| result.to_string());
        let text = crate::ops::redact::clean_owned(text) + "\n";
        write_whole(result_path, text.as_bytes())
            .map_err(|e| format!("cannot write `{}`: {e}", result_path.display()))?;
        std::fs::rename(playbook, dest)
            .map_err(|e| format!("cannot move `{}`: {e}", playbook.display()))?;
        move_sidecar(playbook, dest);
        Ok(())
    }
}

/// `error` of a result: what failed, where, and the API's answer, naming the playbook where it now lies.
fn error_record(e: &ScriptError, running: &Path, dest: &Path) -> Value {
    let (from, to) = (running.display().to_string(), dest.display().to_string());
    let text = crate::engine::render_script_error(e)
        .trim_end()
        .replace(&from, &to);
    let location = e.location.as_ref();
    let file = location.map(|l| {
        if l.file == from {
            to.clone()
        } else {
            l.file.clone()
        }
    });
    let api = e.api.as_ref();
    json!({
        "message": text,
        "operation": api.map(|a| a.operation.clone()),
        "status_code": api.and_then(|a| a.status),
        "trace_id": api.and_then(|a| a.trace_id.clone()),
        "file": file.unwrap_or(to),
        "line": location.map(|l| l.line),
        "column": location.map(|l| l.column),
    })
}

/// Writes `path` whole or not at all: a temporary file beside it, flushed to disk, then renamed.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = temporary(path);
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

fn temporary(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(".tmp");
    path.with_file_name(name)
}

/// `NAME.args.json` beside `NAME.rhai`.
fn sidecar(playbook: &Path) -> PathBuf {
    let stem = playbook.file_stem().unwrap_or_default().to_string_lossy();
    playbook.with_file_name(format!("{stem}.args.json"))
}

fn move_sidecar(from: &Path, to: &Path) {
    if sidecar(from).exists() {
        let _ = std::fs::rename(sidecar(from), sidecar(to));
    }
}

fn relative(p: &Path, dir: &Path) -> String {
    p.strip_prefix(dir).unwrap_or(p).display().to_string()
}

fn playbooks_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && super::events::is_playbook(p))
        .collect();
    found.sort();
    found
}

fn marker_of(running: &Path) -> PathBuf {
    let mut name = running.file_name().unwrap_or_default().to_os_string();
    name.push(".running.json");
    running.with_file_name(name)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
