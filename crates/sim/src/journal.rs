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
//! - time: timestamps written while replaying are those of the event (`now_stamp`);
//! - events that are not requests (a host coming back online on schedule, after a restart, or by
//!   `falconry sim host NAME --online`) are journaled as events of their own.
//!
//! The file is one JSON object per line: a header (format, seed, when the tenant was created), then
//! the events. It is locked (`File::try_lock`) for as long as a command uses it, so two commands in
//! one folder never interleave their changes.

use super::ids::IdGen;
use super::input::{Input, Upload};
use super::state::State;
use crate::ops::{self, Collection, Effect, Operation};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cell::Cell;
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
    field: String,
    filename: String,
    base64: String,
}

impl Event {
    pub fn at(&self) -> SystemTime {
        let ms = match self {
            Event::Request { at_ms, .. } | Event::Online { at_ms, .. } => *at_ms,
        };
        UNIX_EPOCH + Duration::from_millis(ms)
    }

    /// One line for `falconry sim status` (names from the tenant are the caller's to make safe).
    pub fn describe(&self, state: &State) -> String {
        match self {
            Event::Request {
                op, json, query, ..
            } => {
                let what = ops::by_id(op).map_or("", |o| o.summary);
                let action = query
                    .iter()
                    .find(|(k, _)| k == "action_name")
                    .map(|(_, v)| format!(" `{v}`"))
                    .unwrap_or_default();
                let command = json
                    .as_ref()
                    .and_then(|j| j.get("command_string"))
                    .and_then(Value::as_str)
                    .map(|c| format!(" `{c}`"))
                    .unwrap_or_default();
                let name = json
                    .as_ref()
                    .and_then(|j| j.pointer("/resources/0/name"))
                    .and_then(Value::as_str)
                    .map(|n| format!(" `{n}`"))
                    .unwrap_or_default();
                format!("{op}{action}{name}{command}: {what}")
            }
            Event::Online {
                device_id,
                online,
                why,
                ..
            } => {
                let name = state
                    .host(device_id)
                    .map_or(device_id.as_str(), |h| h.hostname.as_str());
                let to = if *online { "online" } else { "offline" };
                format!("host `{name}` {to} ({why})")
            }
        }
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

    fn append(&mut self, event: Event) {
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

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

thread_local! {
    /// While replaying: the time of the event being replayed.
    static REPLAY_CLOCK: Cell<Option<SystemTime>> = const { Cell::new(None) };
}

/// `2026-12-04T15:51:02.123Z`: now, or while replaying the time of the event replayed.
pub fn now_stamp() -> String {
    match REPLAY_CLOCK.with(Cell::get) {
        Some(t) => humantime::format_rfc3339_millis(t).to_string(),
        None => falconry_model::time::now_stamp(),
    }
}

/// What the tenant keeps about its own memory.
pub struct Memory {
    pub(crate) journal: Option<Journal>,
    seed: u64,
    replaying: bool,
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
    fn keeps(&self, op: &Operation) -> bool {
        self.journal.is_some() && op.collection != Collection::OAuth2 && op.effect != Effect::Read
    }

    /// The generator for the next event (see the module's comment).
    fn next_ids(&self) -> IdGen {
        let n = self.journal.as_ref().map_or(0, |j| j.events.len()) as u64;
        IdGen::new(self.seed ^ (n + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }
}

impl State {
    /// Before a request: reseeds the ids when the request will be journaled.
    pub(crate) fn before_request(&mut self, op: &Operation) -> bool {
        let keep = self.memory.keeps(op);
        if keep {
            self.ids = self.memory.next_ids();
        }
        keep
    }

    /// After a request that succeeded: journals it.
    pub(crate) fn after_request(&mut self, op: &Operation, input: &Input) {
        let files = input
            .files
            .iter()
            .map(|f| FileRecord {
                field: f.field.clone(),
                filename: f.filename.clone(),
                base64: base64::engine::general_purpose::STANDARD.encode(&f.bytes),
            })
            .collect();
        let event = Event::Request {
            at_ms: millis(SystemTime::now()),
            op: op.id.to_string(),
            query: input.query.clone(),
            json: input.json.clone(),
            form: input.form.clone(),
            files,
        };
        if let Some(j) = &mut self.memory.journal {
            j.append(event);
        }
    }

    /// A host changes state outside a request: journaled (ids reseeded, since running its queued
    /// commands draws some).
    pub(crate) fn host_event(&mut self, i: usize, online: bool, why: &str) {
        let device_id = self.hosts[i].host.device_id.clone();
        if online {
            self.memory.returned.insert(device_id.clone());
        }
        if self.memory.journal.is_some() && !self.memory.replaying {
            self.ids = self.memory.next_ids();
        }
        self.hosts[i].host.online = online;
        if online {
            self.run_queued(i);
        }
        if !self.memory.replaying
            && let Some(j) = &mut self.memory.journal
        {
            j.append(Event::Online {
                at_ms: millis(SystemTime::now()),
                device_id,
                online,
                why: why.to_string(),
            });
        }
    }

    /// Offline hosts whose scheduled return has come (live only: a replay repeats the journaled
    /// returns instead).
    pub(crate) fn scheduled_returns(&mut self) {
        if self.memory.replaying {
            return;
        }
        let now = SystemTime::now();
        let due: Vec<usize> = (0..self.hosts.len())
            .filter(|&i| {
                let h = &self.hosts[i].host;
                !h.online
                    && !self.memory.returned.contains(&h.device_id)
                    && h.back_online_after_secs
                        .is_some_and(|s| self.memory.epoch + Duration::from_secs(s) <= now)
            })
            .collect();
        for i in due {
            self.host_event(i, true, "schedule");
        }
    }

    /// When an offline host comes back by the scenario's schedule, if it does and has not yet.
    pub fn back_online_at(&self, device_id: &str) -> Option<SystemTime> {
        let h = self.host(device_id)?;
        if h.online || self.memory.returned.contains(device_id) {
            return None;
        }
        h.back_online_after_secs
            .map(|s| self.memory.epoch + Duration::from_secs(s))
    }

    /// The open state file, for `falconry sim status`.
    pub fn journal(&self) -> Option<&Journal> {
        self.memory.journal.as_ref()
    }

    /// Replays a journal into this (fresh) tenant and keeps journaling into it. Returns how many
    /// events could not be replayed (a journal from an older emulator may hold some).
    pub fn attach(&mut self, journal: Journal) -> usize {
        let events = journal.events.clone();
        self.memory.epoch = journal.created;
        self.memory.journal = Some(journal);
        self.memory.replaying = true;
        let mut failed = 0;
        for (n, event) in events.iter().enumerate() {
            self.ids =
                IdGen::new(self.memory.seed ^ (n as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            REPLAY_CLOCK.with(|c| c.set(Some(event.at())));
            if !self.replay(event) {
                failed += 1;
            }
            self.hold_until = None;
            self.dispatched = None;
        }
        REPLAY_CLOCK.with(|c| c.set(None));
        self.memory.replaying = false;
        // Returns that came due while no command was running.
        self.scheduled_returns();
        failed
    }

    fn replay(&mut self, event: &Event) -> bool {
        match event {
            Event::Request {
                op,
                query,
                json,
                form,
                files,
                ..
            } => {
                let Some(op) = ops::by_id(op) else {
                    return false;
                };
                let mut uploads = Vec::new();
                for f in files {
                    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&f.base64)
                    else {
                        return false;
                    };
                    uploads.push(Upload {
                        field: f.field.clone(),
                        filename: f.filename.clone(),
                        sha256: super::library::sha256_hex(&bytes),
                        bytes: bytes.into(),
                    });
                }
                let input = Input {
                    query: query.clone(),
                    json: json.clone(),
                    form: form.clone(),
                    files: uploads,
                    authorization: None,
                };
                input
                    .validate(op)
                    .and_then(|()| super::handlers::handler(op.key)(self, &input))
                    .is_ok_and(|r| r.status < 400)
            }
            Event::Online {
                device_id,
                online,
                why,
                ..
            } => match self.host_index.get(device_id) {
                Some(&i) => {
                    self.host_event(i, *online, why);
                    true
                }
                None => false,
            },
        }
    }
}

/// Builds the tenant with the clock set to when it was first created, so its own timestamps stay
/// those of the first command.
pub fn with_clock<T>(at: SystemTime, f: impl FnOnce() -> T) -> T {
    REPLAY_CLOCK.with(|c| c.set(Some(at)));
    let out = f();
    REPLAY_CLOCK.with(|c| c.set(None));
    out
}
