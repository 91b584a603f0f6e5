//! The case's records: `commands.jsonl` (every RTR command on every host), `events.jsonl`
//! (refusals, failed hosts, lost answers) and `evidence.jsonl` with the collected files in `files/`.

use super::blobs::Blobs;
use super::folder::{COMMANDS_FILE, EVENTS_FILE, EVIDENCE_FILE, FILES_DIR};
use super::lines::Lines;
use crate::engine::hashing;
use serde_json::Value;
use std::fs::File;
use std::path::Path;

pub struct Records {
    commands: Lines,
    events: Lines,
    evidence: Lines,
}

impl Records {
    pub fn open(dir: &Path) -> Result<Records, String> {
        for f in [COMMANDS_FILE, EVENTS_FILE, EVIDENCE_FILE] {
            super::lines::repair(&dir.join(f))?;
        }
        Ok(Records {
            commands: Lines::open(&dir.join(COMMANDS_FILE))?,
            events: Lines::open(&dir.join(EVENTS_FILE))?,
            evidence: Lines::open(&dir.join(EVIDENCE_FILE))?,
        })
    }

    // A record that cannot be written must not stop the response: it is said once, on stderr.
    fn warn(r: Result<(), String>) {
        if let Err(e) = r {
            eprintln!("falconry: case: {e}");
        }
    }

    /// A command's record, after the outputs it names (in `blobs`).
    pub fn command<T: serde::Serialize>(&self, blobs: &Blobs, v: &T) {
        Self::warn(blobs.flush());
        Self::warn(self.commands.append(v, false));
    }

    /// One command's record line, encoded apart (on any thread) for [`Records::commands_encoded`].
    pub fn encode_command<T: serde::Serialize>(&self, v: &T) -> Result<Vec<u8>, String> {
        self.commands.encode(v)
    }

    /// Lines from [`Records::encode_command`], in one write after the outputs they name. Lines that
    /// could not be encoded are said once (the first reason, and how many), the others written.
    pub fn commands_encoded(&self, blobs: &Blobs, lines: Vec<Result<Vec<u8>, String>>) {
        Self::warn(blobs.flush());
        let mut all = Vec::with_capacity(lines.iter().flatten().map(Vec::len).sum());
        let (mut count, mut failed) = (0, Vec::new());
        for line in lines {
            match line {
                Ok(line) => {
                    all.extend_from_slice(&line);
                    count += 1;
                }
                Err(e) => failed.push(e),
            }
        }
        if let Some(first) = failed.first() {
            Self::warn(Err(format!(
                "{first} ({} records not written)",
                failed.len()
            )));
        }
        Self::warn(self.commands.write(&all, count, false));
    }

    pub fn event(&self, v: &Value) {
        Self::warn(self.events.append(v, false));
    }

    pub fn evidence(&self, v: &Value) {
        Self::warn(self.evidence.append(v, false));
    }
}

/// Copies `local` to `files/<sha256>` (once: the same file from many hosts is kept once), checking
/// the copy's hash. Returns the path inside the case. The copy streams through a fixed buffer and is
/// named only once its hash matched: a file of any size, and no half-written or different file
/// under the name of its sha256.
pub fn store_file(case: &Path, local: &Path, sha256: &str) -> Result<String, String> {
    if !hashing::is_sha256(sha256) {
        return Err(format!("`{sha256}` is not a sha256"));
    }
    let rel = format!("{FILES_DIR}/{sha256}");
    let dest = case.join(&rel);
    if dest.exists() {
        return Ok(rel);
    }
    let dir = case.join(FILES_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let source =
        File::open(local).map_err(|e| format!("cannot read `{}`: {e}", local.display()))?;
    let tmp = dir.join(format!(".{sha256}.part"));
    let copied = super::files::create(&tmp)
        .and_then(|f| hashing::copy(source, f))
        .map_err(|e| {
            format!(
                "cannot copy `{}` to `{}`: {e}",
                local.display(),
                tmp.display()
            )
        })
        .and_then(|(got, _)| {
            if got.eq_ignore_ascii_case(sha256) {
                Ok(())
            } else {
                Err(format!(
                    "`{}` hashes to {got}, not {sha256}",
                    local.display()
                ))
            }
        })
        .and_then(|()| {
            std::fs::rename(&tmp, &dest)
                .map_err(|e| format!("cannot write `{}`: {e}", dest.display()))
        });
    if copied.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    copied.map(|()| rel)
}
