//! Appending JSON lines to a case file: whole lines, one lock, one `write_all` each; `sync` when a
//! line must survive a crash of the machine before the run moves on (the journal).

use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

pub struct Lines {
    path: PathBuf,
    file: Mutex<File>,
    /// A second handle to the same file: a sync runs outside the write lock.
    syncer: File,
    progress: Mutex<Progress>,
    /// Signalled when a sync ends: every waiter its lines covered returns at once.
    synced: Condvar,
}

/// Group commit: a sync covers every line written before it started, so the workers of a fan-out
/// waiting for their lines share one. Waiters sleep on the condition variable, not on a lock held
/// through the sync: when the waiters queued behind that lock, a worker whose line the last sync had
/// covered only learned it after the next sync (and the next, the lock being unfair), so each
/// intent line of a 64-worker `rtr::each` waited for several syncs.
#[derive(Default)]
struct Progress {
    /// Lines written (under the file's lock, after their bytes).
    written: u64,
    /// Lines known to be on disk.
    synced: u64,
    /// A sync is running: a waiter whose line it may not cover waits for it and then starts the next.
    syncing: bool,
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
            file: Mutex::new(file),
            syncer,
            progress: Mutex::new(Progress::default()),
            synced: Condvar::new(),
        })
    }

    /// Appends one line; with `sync`, returns once it is on disk.
    pub fn append<T: serde::Serialize + ?Sized>(
        &self,
        value: &T,
        sync: bool,
    ) -> Result<(), String> {
        let line = self.encode(value)?;
        self.write(&line, 1, sync)
    }

    /// One line's bytes, newline included; [`Lines::write`] writes it (what it names can be written
    /// in between).
    pub fn encode<T: serde::Serialize + ?Sized>(&self, value: &T) -> Result<Vec<u8>, String> {
        let text = serde_json::to_string(value)
            .map_err(|e| format!("cannot encode a line of `{}`: {e}", self.path.display()))?;
        // Whatever a line holds, no registered secret or bearer token reaches the case.
        let mut line = crate::ops::redact::clean_owned(text).into_bytes();
        line.push(b'\n');
        Ok(line)
    }

    /// Writes `bytes` (`lines` whole lines) under the lock; with `sync`, returns once on disk.
    pub fn write(&self, bytes: &[u8], lines: u64, sync: bool) -> Result<(), String> {
        let mine = {
            let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
            file.write_all(bytes).map_err(|e| self.fail(e))?;
            // Counted while the file is still locked: `written` never counts bytes not yet written.
            let mut progress = self.progress();
            progress.written += lines;
            progress.written
        };
        if sync { self.sync_to(mine) } else { Ok(()) }
    }

    /// Returns once every line written so far is on disk.
    pub fn sync(&self) -> Result<(), String> {
        let written = self.progress().written;
        self.sync_to(written)
    }

    /// Returns once the first `line` lines are on disk, syncing or waiting for the sync under way.
    fn sync_to(&self, line: u64) -> Result<(), String> {
        let mut progress = self.progress();
        while progress.synced < line {
            if progress.syncing {
                progress = self
                    .synced
                    .wait(progress)
                    .unwrap_or_else(|p| p.into_inner());
                continue;
            }
            progress.syncing = true;
            let covers = progress.written;
            drop(progress);
            let done = self.syncer.sync_data();
            progress = self.progress();
            progress.syncing = false;
            if done.is_ok() {
                progress.synced = progress.synced.max(covers);
            }
            self.synced.notify_all();
            done.map_err(|e| self.fail(e))?;
        }
        Ok(())
    }

    fn progress(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fail(&self, e: std::io::Error) -> String {
        format!("cannot write `{}`: {e}", self.path.display())
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
    fn writers_syncing_at_once_all_return_with_their_lines_synced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let lines = Lines::open(&path).unwrap();
        std::thread::scope(|s| {
            for t in 0..8 {
                let lines = &lines;
                s.spawn(move || {
                    for n in 0..50 {
                        lines
                            .append(&json!({ "t": t, "n": n }), n % 2 == 0)
                            .unwrap();
                    }
                });
            }
        });
        lines.sync().unwrap();
        let p = lines.progress();
        assert_eq!((p.written, p.synced, p.syncing), (400, 400, false));
        drop(p);
        let read = read(&path).unwrap();
        assert_eq!(read.len(), 400);
        for t in 0..8 {
            // Each writer's lines whole and in its order.
            let mine: Vec<u64> = read
                .iter()
                .filter(|v| v["t"] == t)
                .filter_map(|v| v["n"].as_u64())
                .collect();
            assert_eq!(mine, (0..50).collect::<Vec<u64>>());
        }
    }

    #[test]
    fn a_bad_line_before_the_last_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        std::fs::write(&path, "{\"a\":\n{\"b\":2}\n").unwrap();
        assert!(read(&path).unwrap_err().contains("line 1"));
    }
}
