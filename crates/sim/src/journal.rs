//! The embedded emulator's memory between commands: every change made to the tenant is appended to
//! a state file and replayed into a fresh tenant by the next command, so `policy apply` then
//! `policy plan`, or queue-then-collect, can be rehearsed across runs.
//!
//! Why a journal of requests, not a snapshot of the state: the tenant's hosts (file systems,
//! processes, registries) are built lazily and are large; the requests that changed them are few
//! and small, and replaying them through the same handlers cannot disagree with what a handler
//! does. Three rules keep a replay identical to the run it repeats:
//! - ids: before each journaled event the id generator is reseeded from the seed and the event's
//!   number, so the ids an event draws do not depend on reads (trace ids, tokens) around it;
//! - time: timestamps written while replaying are those of the event (`stamp::now_stamp`);
//! - events that are not requests (a host coming back online on schedule, after a restart, or by
//!   `falconry sim host NAME --online`) are journaled as events of their own.
//!
//! The file is one JSON object per line: a header (format, seed, when the tenant was created), then
//! the events. It is locked (`File::try_lock`) for as long as a command uses it, so two commands in
//! one folder never interleave their changes.

use super::ids::IdGen;
use crate::ops::{Collection, Effect, Operation};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The state file's name, in the working directory (beside the `falconry-out` output folder).
pub const STATE_FILE: &str = "falconry-sim-state.jsonl";

/// The journal format; a file of another format is refused with the way out (`sim reset`).
const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Header {
    falconry_sim_state: u32,
    seed: u64,
    /// Milliseconds since the epoch.
    created_ms: u64,
}

/// One change to the tenant.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A request that succeeded (the token is never kept: only what the handler reads).
    Request {
        at_ms: u64,
        op: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        query: Vec<(String, String)>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        json: Option<Value>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        form: Vec<(String, String)>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<FileRecord>,
    },
    /// A host came online or went offline outside any request.
    Online {
        at_ms: u64,
        device_id: String,
        online: bool,
        /// `schedule`, `restart` or `manual`.
        why: String,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileRecord {
    pub(crate) field: String,
    pub(crate) filename: String,
    pub(crate) base64: String,
}

impl Event {
    pub fn at(&self) -> SystemTime {
        let ms = match self {
            Event::Request { at_ms, .. } | Event::Online { at_ms, .. } => *at_ms,
        };
        UNIX_EPOCH + Duration::from_millis(ms)
    }
}

/// An open, locked state file.
pub struct Journal {
    path: PathBuf,
    file: File,
    created: SystemTime,
    events: Vec<Event>,
    /// The first write error, reported once: a change the file missed is lost at the next start.
    failed: bool,
}

impl Journal {
    /// Opens (creating it when missing) and locks the state file, and reads its events.
    pub fn open(path: &Path, seed: u64) -> Result<Journal, String> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| format!("cannot open the emulator state `{}`: {e}", path.display()))?;
        lock(&file, path)?;
        let mut lines = BufReader::new(&file).lines();
        let now = SystemTime::now();
        let mut journal = Journal {
            path: path.to_path_buf(),
            file: file.try_clone().map_err(|e| e.to_string())?,
            created: now,
            events: Vec::new(),
            failed: false,
        };
        let bad = |n: usize, e: &dyn std::fmt::Display| {
            format!(
                "the emulator state `{}` is damaged (line {n}: {e}); `falconry sim reset` starts over",
                path.display()
            )
        };
        match lines.next() {
            None => {
                let header = Header {
                    falconry_sim_state: FORMAT,
                    seed,
                    created_ms: millis(now),
                };
                journal.write(&serde_json::to_string(&header).map_err(|e| e.to_string())?)?;
            }
            Some(line) => {
                let line = line.map_err(|e| bad(1, &e))?;
                let header: Header = serde_json::from_str(&line).map_err(|e| bad(1, &e))?;
                if header.falconry_sim_state != FORMAT || header.seed != seed {
                    return Err(format!(
                        "the emulator state `{}` was written by another falconry version or seed; `falconry sim reset` starts over",
                        path.display()
                    ));
                }
                journal.created = UNIX_EPOCH + Duration::from_millis(header.created_ms);
                for (n, line) in lines.enumerate() {
                    let line = line.map_err(|e| bad(n + 2, &e))?;
                    if line.trim().is_empty() {
                        continue;
                    }
                    journal
                        .events
                        .push(serde_json::from_str(&line).map_err(|e| bad(n + 2, &e))?);
                }
            }
        }
        Ok(journal)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn created(&self) -> SystemTime {
        self.created
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }

    fn write(&mut self, line: &str) -> Result<(), String> {
        writeln!(self.file, "{line}")
            .and_then(|()| self.file.flush())
            .map_err(|e| {
                format!(
                    "cannot write the emulator state `{}`: {e}",
                    self.path.display()
                )
            })
    }

    pub(crate) fn append(&mut self, event: Event) {
        let line = serde_json::to_string(&event).unwrap_or_default();
        if let Err(e) = self.write(&line)
            && !self.failed
        {
            self.failed = true;
            eprintln!("falconry sim: {e}; later commands will not see this change");
        }
        self.events.push(event);
    }
}

/// Removes the state file, unless another command holds it.
pub fn reset(path: &Path) -> Result<bool, String> {
    let Ok(file) = File::open(path) else {
        return Ok(false);
    };
    lock(&file, path)?;
    std::fs::remove_file(path)
        .map_err(|e| format!("cannot remove the emulator state `{}`: {e}", path.display()))?;
    Ok(true)
}

fn lock(file: &File, path: &Path) -> Result<(), String> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "the emulator state `{}` is in use by another falconry command in this folder; wait for it to finish",
            path.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(format!(
            "cannot lock the emulator state `{}`: {e}",
            path.display()
        )),
    }
}

pub(crate) fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// What the tenant keeps about its own memory.
pub struct Memory {
    pub(crate) journal: Option<Journal>,
    pub(crate) seed: u64,
    pub(crate) replaying: bool,
    /// When the tenant was created: offline hosts' schedules count from it.
    pub(crate) epoch: SystemTime,
    /// Hosts whose scheduled return happened (or that something else brought back first).
    pub(crate) returned: std::collections::HashSet<String>,
}

impl Memory {
    pub fn new(seed: u64) -> Memory {
        Memory {
            journal: None,
            seed,
            replaying: false,
            epoch: SystemTime::now(),
            returned: Default::default(),
        }
    }

    pub fn replaying(&self) -> bool {
        self.replaying
    }

    /// Whether a request to `op` is journaled: everything but reads and tokens.
    pub(crate) fn keeps(&self, op: &Operation) -> bool {
        self.journal.is_some() && op.collection != Collection::OAuth2 && op.effect != Effect::Read
    }

    /// The generator for the next event (see the module's comment).
    pub(crate) fn next_ids(&self) -> IdGen {
        let n = self.journal.as_ref().map_or(0, |j| j.events.len()) as u64;
        IdGen::new(self.seed ^ (n + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }
}
