//! `blobs.jsonl`: the case's long outputs, one JSON line each (`sha256`, `size`, `text`), appended
//! once and found again by an index of where each line starts.
//!
//! One file, not a file per output: a real fleet's `ps` differs on every host (pids, start times),
//! so a 10,000-host batch wrote 10,000 files, each created, written and renamed while the playbook
//! waited, then opened and hashed again for the manifest. Measured with the emulator's hosts
//! booting to the second (`bench/playbooks/fanout_batch.rhai`, 10,000 hosts, 5,644 distinct
//! outputs): the batch took 1.25–2.58 s with the case against 0.98–1.13 s without it. Lines are
//! written a megabyte at a time, and the case has one file for `case verify` to hash.
//!
//! Cases written before the pack keep their outputs as `blobs/<sha256>`: those are still read.

use super::folder::{BLOBS_DIR, PACK_FILE};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct Pack {
    path: PathBuf,
    /// Where a case written before the pack kept its outputs, one file each; `None` when the case
    /// has no such folder (not looked for again per text).
    loose: Option<PathBuf>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// sha256 -> the last line naming it: a line appended again, after one a crash or an edit left
    /// with other bytes, is the one read.
    index: HashMap<String, Place>,
    /// The pack read up to here (whole lines only).
    scanned: u64,
    reader: Option<File>,
    /// Open for appending once this run stored something; the file's length.
    writer: Option<(File, u64)>,
    /// Lines appended, not yet written: they follow the file's length.
    pending: Vec<u8>,
}

/// Where a line starts and how long it is, and whether its text is known to match its name: this
/// run wrote it, or read it back and checked it.
#[derive(Clone, Copy)]
struct Place {
    at: u64,
    len: usize,
    whole: bool,
}

const PENDING_MAX: usize = 1 << 20;

impl Drop for Pack {
    fn drop(&mut self) {
        let st = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some((file, _)) = st.writer.as_mut() {
            let _ = file.write_all(&st.pending);
        }
    }
}

#[derive(Serialize)]
struct Line<'a> {
    sha256: &'a str,
    size: usize,
    text: &'a str,
}

#[derive(Deserialize)]
struct Head {
    sha256: String,
}

#[derive(Deserialize)]
struct Whole {
    sha256: String,
    text: String,
}

impl Pack {
    pub fn new(case: &Path) -> Pack {
        Pack {
            path: case.join(PACK_FILE),
            loose: Some(case.join(BLOBS_DIR)).filter(|d| d.is_dir()),
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The line that stores `text` (already masked) under `sha`; made apart from [`Pack::append`]
    /// so a batch's outputs are encoded on every core.
    pub fn encode(sha: &str, text: &str) -> Result<Vec<u8>, String> {
        let line = serde_json::to_string(&Line {
            sha256: sha,
            size: text.len(),
            text,
        })
        .map_err(|e| e.to_string())?;
        // As every case line: a secret that only the JSON spelling of the text shows (a newline
        // escaped as `\n`) is masked too, and the line then reads as withheld, not as the text.
        let mut line = crate::ops::redact::clean_owned(line).into_bytes();
        line.push(b'\n');
        Ok(line)
    }

    /// Makes sure the pack holds `sha`'s text whole: a line this run wrote or checked, an older
    /// case's blob file, or else `line()` ([`Pack::encode`]d for `sha`) appended. Unsynced: see
    /// `Blobs::store` for why a lost line only costs a resumed run a host done again. Lines wait in
    /// memory until [`Pack::flush`] (or a megabyte of them): a write per output was half of what
    /// storing a 10,000-host batch's outputs cost. Whatever names a blob is written after a flush,
    /// so a process killed in between loses no line that anything names.
    pub fn keep(
        &self,
        sha: &str,
        line: impl FnOnce() -> Result<Vec<u8>, String>,
    ) -> Result<(), String> {
        let mut st = self.state();
        if self.holds_whole(&st, sha)
            || self.in_pack(&mut st, sha).is_ok_and(|t| t.is_some())
            || (self.loose.is_some() && self.in_loose_file(sha).is_ok())
        {
            return Ok(());
        }
        let line = line()?;
        if st.writer.is_none() {
            // A line torn by a process that died writing it is cut off first, so this one starts
            // a line of its own.
            super::lines::repair(&self.path)?;
            let fail = |e: std::io::Error| format!("cannot write `{}`: {e}", self.path.display());
            let file = super::files::open_append(&self.path).map_err(fail)?;
            let len = file.metadata().map_err(fail)?.len();
            st.writer = Some((file, len));
        }
        let Some((_, len)) = st.writer.as_mut() else {
            unreachable!("opened above")
        };
        let at = *len + st.pending.len() as u64;
        // Lines before this one that the index has not read yet are read on the next miss; when
        // it had read them all, this one needs no reading either.
        if st.scanned == at {
            st.scanned = at + line.len() as u64;
        }
        let place = Place {
            at,
            len: line.len(),
            whole: true,
        };
        st.index.insert(sha.to_string(), place);
        st.pending.extend_from_slice(&line);
        if st.pending.len() >= PENDING_MAX {
            self.write_pending(&mut st)?;
        }
        Ok(())
    }

    /// Whether this run wrote `sha`'s line or checked it (no reading): the outputs of a batch
    /// encoded ahead skip the ones already kept.
    pub fn holds(&self, sha: &str) -> bool {
        self.holds_whole(&self.state(), sha)
    }

    fn holds_whole(&self, st: &State, sha: &str) -> bool {
        st.index.get(sha).is_some_and(|p| p.whole)
    }

    /// Writes the lines appended so far to the file (not synced).
    pub fn flush(&self) -> Result<(), String> {
        self.write_pending(&mut self.state())
    }

    fn write_pending(&self, st: &mut State) -> Result<(), String> {
        if st.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut st.pending);
        let Some((file, len)) = st.writer.as_mut() else {
            unreachable!("lines pend only once the pack is open")
        };
        let written = file.write_all(&pending);
        // After a failed write (a full disk) the file may hold part of the lines: later lines are
        // placed from its real length, and a line that was lost or cut reads as missing (a line
        // read where another was meant names another hash and is refused).
        *len = match &written {
            Ok(()) => *len + pending.len() as u64,
            Err(_) => file.metadata().map_or(*len, |m| m.len()),
        };
        written.map_err(|e| format!("cannot write `{}`: {e}", self.path.display()))
    }

    /// The text stored as `sha`, checked against its name: from the pack, else from the file an
    /// older case kept it in.
    pub fn read(&self, sha: &str) -> Result<String, String> {
        if !crate::engine::hashing::is_sha256(sha) {
            return Err(format!("`{sha}` is not a blob name"));
        }
        let found = self.in_pack(&mut self.state(), sha)?;
        match found {
            Some(text) => Ok(text),
            None => self.in_loose_file(sha),
        }
    }

    /// `sha`'s text from its line, checked; `None` when the pack has no line for it.
    fn in_pack(&self, st: &mut State, sha: &str) -> Result<Option<String>, String> {
        let fail = |e: std::io::Error| format!("cannot read `{}`: {e}", self.path.display());
        // Only this run appends: once the index has read up to where it writes, a miss is a miss,
        // and nothing is written for it (a write per stored text was what the lines wait to save).
        let end = st
            .writer
            .as_ref()
            .map(|(_, len)| *len + st.pending.len() as u64);
        if !st.index.contains_key(sha) && end != Some(st.scanned) {
            self.write_pending(st)?;
            self.scan(st)?;
        }
        let Some(&Place { at, len, .. }) = st.index.get(sha) else {
            return Ok(None);
        };
        self.write_pending(st)?;
        let mut bytes = vec![0; len];
        let reader = self.reader(st)?;
        reader
            .seek(SeekFrom::Start(at))
            .and_then(|_| std::io::Read::read_exact(reader, &mut bytes))
            .map_err(fail)?;
        let line: Whole = serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "`{}` at byte {at} is not a blob line: {e}",
                self.path.display()
            )
        })?;
        if line.sha256 != sha {
            return Err(format!(
                "`{}` at byte {at} names another blob: changed since it was written",
                self.path.display()
            ));
        }
        let text = checked(sha, line.text)?;
        if let Some(place) = st.index.get_mut(sha) {
            place.whole = true;
        }
        Ok(Some(text))
    }

    fn reader<'s>(&self, st: &'s mut State) -> Result<&'s mut File, String> {
        if st.reader.is_none() {
            st.reader = Some(
                super::files::open(&self.path)
                    .map_err(|e| format!("cannot read `{}`: {e}", self.path.display()))?,
            );
        }
        Ok(st.reader.as_mut().expect("opened above"))
    }

    /// Indexes the whole lines after `scanned`; a torn last line is left for the next look.
    fn scan(&self, st: &mut State) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("cannot read `{}`: {e}", self.path.display());
        let from = st.scanned;
        let reader = match self.reader(st) {
            Ok(r) => r,
            Err(_) if !self.path.exists() && !self.path.is_symlink() => return Ok(()),
            Err(e) => return Err(e),
        };
        reader.seek(SeekFrom::Start(from)).map_err(fail)?;
        let mut lines = BufReader::with_capacity(256 * 1024, reader);
        let mut at = from;
        let mut line = Vec::new();
        let mut found = Vec::new();
        loop {
            line.clear();
            let n = lines.read_until(b'\n', &mut line).map_err(fail)?;
            if n == 0 || !line.ends_with(b"\n") {
                break;
            }
            // A line that is not a blob's is skipped: its blob reads as missing, as a lost one.
            if let Ok(head) = serde_json::from_slice::<Head>(&line) {
                let place = Place {
                    at,
                    len: n,
                    whole: false,
                };
                found.push((head.sha256, place));
            }
            at += n as u64;
        }
        for (sha, place) in found {
            // A line this run appended later for the same name stays the one read.
            let last = st.index.entry(sha).or_insert(place);
            if last.at < place.at {
                *last = place;
            }
        }
        st.scanned = at;
        Ok(())
    }

    fn in_loose_file(&self, sha: &str) -> Result<String, String> {
        let Some(loose) = &self.loose else {
            return Err(format!("blob `{sha}` is not in `{}`", self.path.display()));
        };
        let text = super::files::read_to_string(&loose.join(sha))
            .map_err(|e| format!("cannot read blob `{sha}`: {e}"))?;
        checked(sha, text)
    }
}

/// A blob is named by its hash: other bytes under that name were put there by someone else.
fn checked(sha: &str, text: String) -> Result<String, String> {
    let actual = crate::engine::hashing::sha256_hex(text.as_bytes());
    if !actual.eq_ignore_ascii_case(sha) {
        return Err(format!(
            "blob `{sha}` holds other bytes (sha256 {actual}): changed since it was written"
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(t: &str) -> String {
        crate::engine::hashing::sha256_hex(t.as_bytes())
    }

    fn put(pack: &Pack, t: &str) {
        pack.keep(&sha(t), || Pack::encode(&sha(t), t)).unwrap();
        pack.flush().unwrap();
    }

    #[test]
    fn texts_come_back_from_this_run_and_from_a_later_one() {
        let dir = tempfile::tempdir().unwrap();
        let pack = Pack::new(dir.path());
        let (a, b) = ("first\nline \"quoted\"", "second");
        put(&pack, a);
        put(&pack, b);
        assert_eq!(pack.read(&sha(b)).unwrap(), b);
        let later = Pack::new(dir.path());
        assert_eq!(later.read(&sha(a)).unwrap(), a);
        assert!(later.read(&sha("never stored")).is_err());
    }

    #[test]
    fn a_torn_last_line_is_cut_off_and_the_text_appended_again_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let text = "a text a crash tore";
        let whole = Pack::new(dir.path());
        put(&whole, "kept");
        let path = dir.path().join(PACK_FILE);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        write!(f, r#"{{"sha256":"{}","size":19,"text":"a text"#, sha(text)).unwrap();
        let resumed = Pack::new(dir.path());
        assert!(resumed.read(&sha(text)).is_err(), "half a line is no text");
        put(&resumed, text);
        assert_eq!(Pack::new(dir.path()).read(&sha(text)).unwrap(), text);
        assert_eq!(Pack::new(dir.path()).read(&sha("kept")).unwrap(), "kept");
    }

    #[test]
    fn a_line_edited_since_is_refused_and_the_last_line_for_a_name_wins() {
        let dir = tempfile::tempdir().unwrap();
        let text = "the host's own words";
        put(&Pack::new(dir.path()), text);
        let path = dir.path().join(PACK_FILE);
        let edited = std::fs::read_to_string(&path)
            .unwrap()
            .replace("own", "new");
        std::fs::write(&path, edited).unwrap();
        let err = Pack::new(dir.path()).read(&sha(text)).unwrap_err();
        assert!(err.contains("holds other bytes"), "{err}");
        let again = Pack::new(dir.path());
        put(&again, text);
        assert_eq!(Pack::new(dir.path()).read(&sha(text)).unwrap(), text);
    }

    #[test]
    fn an_older_cases_blob_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(BLOBS_DIR)).unwrap();
        std::fs::write(dir.path().join(BLOBS_DIR).join(sha("old")), "old").unwrap();
        assert_eq!(Pack::new(dir.path()).read(&sha("old")).unwrap(), "old");
        assert!(Pack::new(dir.path()).read("../../etc/passwd").is_err());
    }
}
