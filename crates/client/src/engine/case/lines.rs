//! Appending JSON lines to a case file: whole lines, one lock, one `write_all` each; `sync` when a
//! line must survive a crash of the machine before the run moves on (the journal).

use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct Lines {
    path: PathBuf,
    /// The file and how many lines were written to it.
    file: Mutex<(File, u64)>,
    /// A second handle to the same file and how many lines are synced: a sync runs outside the
    /// write lock and covers every line written before it started, so the workers of a fan-out
    /// waiting for their lines share one sync instead of taking turns (one sync per host made a
    /// 10,000-host `rtr::each` several times slower with the case folder).
    synced: Mutex<(File, u64)>,
}

impl Lines {
    pub fn open(path: &Path) -> Result<Lines, String> {
        // `--resume` appends to what the folder holds: never through a link or a second name.
        let file = super::files::open_append(path)
            .map_err(|e| format!("cannot open `{}`: {e}", path.display()))?;
        let syncer = file
            .try_clone()
            .map_err(|e| format!("cannot open `{}`: {e}", path.display()))?;
        Ok(Lines {
            path: path.to_path_buf(),
            file: Mutex::new((file, 0)),
            synced: Mutex::new((syncer, 0)),
        })
    }

    /// Appends one line; with `sync`, returns once it is on disk.
    pub fn append<T: serde::Serialize + ?Sized>(
        &self,
        value: &T,
        sync: bool,
    ) -> Result<(), String> {
        let line = self.line(value)?;
        self.write(&line, 1, sync)
    }

    /// Appends many lines in one write (unsynced): a batch's 10,000 records are one system call,
    /// not 10,000.
    pub fn append_all(&self, values: &[Value]) -> Result<(), String> {
        let mut all = Vec::new();
        for v in values {
            all.extend_from_slice(&self.line(v)?);
        }
        self.write(&all, values.len() as u64, false)
    }

    /// One line's bytes, newline included.
    fn line<T: serde::Serialize + ?Sized>(&self, value: &T) -> Result<Vec<u8>, String> {
        let text = serde_json::to_string(value)
            .map_err(|e| format!("cannot encode a line of `{}`: {e}", self.path.display()))?;
        // Whatever a line holds, no registered secret or bearer token reaches the case. A line
        // with none is written as it is, not copied (a batch answer is tens of megabytes).
        let masked = match crate::ops::redact::clean(&text) {
            std::borrow::Cow::Owned(m) => Some(m),
            std::borrow::Cow::Borrowed(_) => None,
        };
        let mut line = masked.unwrap_or(text).into_bytes();
        line.push(b'\n');
        Ok(line)
    }

    /// Writes `bytes` (`lines` whole lines) under the lock; with `sync`, returns once on disk.
    fn write(&self, bytes: &[u8], lines: u64, sync: bool) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("cannot write `{}`: {e}", self.path.display());
        let mine = {
            let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
            file.0.write_all(bytes).map_err(fail)?;
            file.1 += lines;
            file.1
        };
        if !sync {
            return Ok(());
        }
        let mut synced = self.synced.lock().unwrap_or_else(|p| p.into_inner());
        if synced.1 >= mine {
            return Ok(());
        }
        // Every line written by now is covered by this sync.
        let written = self.file.lock().unwrap_or_else(|p| p.into_inner()).1;
        synced.0.sync_data().map_err(fail)?;
        synced.1 = written;
        Ok(())
    }
}

/// Every whole line of a JSON Lines file; a torn last line (the process died while writing it) is
/// left out, any other bad line is an error.
pub fn read(path: &Path) -> Result<Vec<Value>, String> {
    read_with::<Value, Value>(path, Some)
}

/// As [`read`], each line read as `T` and kept as `keep` says. The file is read line by line, never
/// held whole: closing a 10,000-host case read its 40 MB audit copy into one string, the peak of
/// the run's memory. A `T` naming only the fields wanted skips the rest without building them.
pub fn read_with<T: DeserializeOwned, U>(
    path: &Path,
    mut keep: impl FnMut(T) -> Option<U>,
) -> Result<Vec<U>, String> {
    let file = match super::files::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
    };
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let mut line = String::new();
    let mut out = Vec::new();
    for n in 1.. {
        line.clear();
        let got = reader
            .read_line(&mut line)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        if got == 0 {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(&line) {
            Ok(v) => out.extend(keep(v)),
            // Only the last line can lack its newline: torn by a process that died writing it.
            Err(_) if !line.ends_with('\n') => {}
            Err(e) => {
                return Err(format!("`{}` line {n} is not JSON: {e}", path.display()));
            }
        }
    }
    Ok(out)
}

/// Cuts a torn last line off, so lines appended after it start on a line of their own.
pub fn repair(path: &Path) -> Result<(), String> {
    let bytes = match super::files::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot repair `{}`: {e}", path.display())),
    };
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(());
    }
    let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let file = super::files::open_append(path)
        .map_err(|e| format!("cannot repair `{}`: {e}", path.display()))?;
    file.set_len(keep as u64)
        .and_then(|()| file.sync_data())
        .map_err(|e| format!("cannot repair `{}`: {e}", path.display()))
}

/// The current time as RFC 3339 with milliseconds, as every case line carries it.
pub fn now() -> String {
    crate::time::now_stamp()
}

pub fn stamp(t: std::time::SystemTime) -> String {
    crate::time::stamp(t)
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
