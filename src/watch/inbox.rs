//! The inbox's folders and files: a playbook is claimed into `running/` (with a marker saying when) before it
//! runs, and leaves for `done/` or `failed/` with a JSON result beside it. A playbook found in `running/` at
//! start was cut off by a stop: it is reported as interrupted, never run again.

use super::runner::Report;
use crate::engine::{ErrorKind, ScriptError};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub struct Inbox {
    pub dir: PathBuf,
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
        Ok(Inbox {
            dir: dir.to_path_buf(),
        })
    }

    /// Playbooks waiting in the inbox, oldest name first.
    pub fn waiting(&self) -> Vec<PathBuf> {
        playbooks_in(&self.dir)
    }

    /// Reports every playbook left in `running/` by an earlier falconry as interrupted; returns their names.
    pub fn recover(&self) -> Vec<String> {
        let mut names = Vec::new();
        for p in playbooks_in(&self.dir.join("running")) {
            let name = file_name(&p);
            let marker = marker_of(&p);
            let start = std::fs::read_to_string(&marker)
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .and_then(|v| v.get("start").cloned())
                .unwrap_or(Value::Null);
            let result = json!({
                "playbook": name,
                "start": start,
                "end": Value::Null,
                "status": Status::Interrupted.as_str(),
                "output": "",
                "error": "falconry stopped while this playbook was running; it was not run again \
                          (check the hosts it touched before dropping it into the inbox again)",
            });
            if self.file(&p, Status::Interrupted, &result).is_ok() {
                let _ = std::fs::remove_file(&marker);
                names.push(name);
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

    /// Moves `playbook` into `running/` and marks when it started; `None` when it is gone already.
    pub fn claim(&self, playbook: &Path) -> Option<PathBuf> {
        let running = self.dir.join("running").join(playbook.file_name()?);
        // The marker first: a stop between the two leaves a marker without a playbook, which is harmless.
        let marker = marker_of(&running);
        let start = json!({ "playbook": file_name(playbook), "start": rfc3339(SystemTime::now()),
                            "pid": std::process::id() });
        std::fs::write(&marker, start.to_string()).ok()?;
        match std::fs::rename(playbook, &running) {
            Ok(()) => Some(running),
            Err(_) => {
                let _ = std::fs::remove_file(&marker);
                None
            }
        }
    }

    /// Files the report of a claimed playbook; returns where it went.
    pub fn finish(&self, report: &Report) -> Result<PathBuf, String> {
        let status = match &report.result {
            Ok(_) => Status::Done,
            Err(e) if e.kind == ErrorKind::Interrupted => Status::Interrupted,
            Err(_) => Status::Failed,
        };
        let result = json!({
            "playbook": file_name(&report.playbook),
            "start": rfc3339(report.start),
            "end": rfc3339(report.end),
            "status": status.as_str(),
            "output": report.output,
            "error": report.result.as_ref().err().map(error_text),
            "value": report.result.as_ref().ok(),
        });
        let dest = self.file(&report.playbook, status, &result)?;
        let _ = std::fs::remove_file(marker_of(&report.playbook));
        Ok(dest)
    }

    /// Writes the result beside the playbook's new place, then moves the playbook there. Names already taken
    /// (the same playbook dropped twice) get `-2`, `-3`, ...
    fn file(&self, playbook: &Path, status: Status, result: &Value) -> Result<PathBuf, String> {
        let folder = self.dir.join(status.folder());
        let stem = playbook
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("playbook");
        let (dest, result_path) = (1..)
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
            .find(|(d, r)| !d.exists() && !r.exists())
            .expect("some name is free");
        let text = serde_json::to_string_pretty(result).unwrap_or_else(|_| result.to_string());
        std::fs::write(&result_path, text + "\n")
            .map_err(|e| format!("cannot write `{}`: {e}", result_path.display()))?;
        std::fs::rename(playbook, &dest)
            .map_err(|e| format!("cannot move `{}`: {e}", playbook.display()))?;
        Ok(dest)
    }
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

fn error_text(e: &ScriptError) -> String {
    crate::engine::render_script_error(e).trim_end().to_string()
}

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}
