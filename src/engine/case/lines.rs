//! Appending JSON lines to a case file: whole lines, one lock, one `write_all` each; `sync` when a
//! line must survive a crash of the machine before the run moves on (the journal).

use serde_json::Value;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct Lines {
    path: PathBuf,
    file: Mutex<File>,
}

impl Lines {
    pub fn open(path: &Path) -> Result<Lines, String> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open `{}`: {e}", path.display()))?;
        Ok(Lines {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    pub fn append(&self, value: &Value, sync: bool) -> Result<(), String> {
        let text = serde_json::to_string(value)
            .map_err(|e| format!("cannot encode a line of `{}`: {e}", self.path.display()))?;
        // Whatever a line holds, no registered secret or bearer token reaches the case.
        let mut line = crate::ops::redact::clean(&text).into_owned().into_bytes();
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.write_all(&line)
            .and_then(|()| if sync { file.sync_data() } else { Ok(()) })
            .map_err(|e| format!("cannot write `{}`: {e}", self.path.display()))
    }
}

/// Every whole line of a JSON Lines file; a torn last line (the process died while writing it) is
/// left out, any other bad line is an error.
pub fn read(path: &Path) -> Result<Vec<Value>, String> {
    read_with(path, Some)
}

/// As [`read`], keeping of each line only what `keep` returns (a large case is read line by line).
pub fn read_with(path: &Path, keep: impl Fn(Value) -> Option<Value>) -> Result<Vec<Value>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
    };
    let torn_tail = !text.is_empty() && !text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::with_capacity(lines.len());
    for (n, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(v) => out.extend(keep(v)),
            Err(_) if torn_tail && n + 1 == lines.len() => {}
            Err(e) => {
                return Err(format!(
                    "`{}` line {} is not JSON: {e}",
                    path.display(),
                    n + 1
                ));
            }
        }
    }
    Ok(out)
}

/// Cuts a torn last line off, so lines appended after it start on a line of their own.
pub fn repair(path: &Path) -> Result<(), String> {
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(());
    };
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(());
    }
    let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| format!("cannot repair `{}`: {e}", path.display()))?;
    file.set_len(keep as u64)
        .and_then(|()| file.sync_data())
        .map_err(|e| format!("cannot repair `{}`: {e}", path.display()))
}

/// The current time as RFC 3339 with milliseconds, as every case line carries it.
pub fn now() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

pub fn stamp(t: std::time::SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_torn_last_line_is_left_out_and_cut_off_before_appending() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        std::fs::write(&path, "{\"a\":1}\n{\"b\":").unwrap();
        assert_eq!(read(&path).unwrap(), vec![json!({ "a": 1 })]);
        repair(&path).unwrap();
        Lines::open(&path)
            .unwrap()
            .append(&json!({ "c": 3 }), true)
            .unwrap();
        assert_eq!(
            read(&path).unwrap(),
            vec![json!({ "a": 1 }), json!({ "c": 3 })]
        );
    }

    #[test]
    fn a_bad_line_before_the_last_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        std::fs::write(&path, "{\"a\":\n{\"b\":2}\n").unwrap();
        assert!(read(&path).unwrap_err().contains("line 1"));
    }
}
