//! The tenant's side of its journal (`journal`): each change journaled as it happens, hosts coming
//! back on schedule, and a journal replayed into a fresh tenant through the same handlers.

use super::envelope::Outcome;
use super::ids::IdGen;
use super::input::{Input, Upload};
use super::journal::{Event, FileRecord, Journal, millis};
use super::stamp::set_replay_clock;
use super::state::State;
use crate::ops::{self, OpId, Operation};
use base64::Engine;
use serde_json::Value;
use std::time::{Duration, SystemTime};

/// A handler of one operation (`handlers::Handler`).
pub type Handler = fn(&mut State, &Input) -> Outcome;

// Here, not in `journal`, as it reads the tenant (a host's name) and the journal sits below it.
impl Event {
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
    /// events could not be replayed (a journal from an older emulator may hold some). `handler` is
    /// the handlers' routing (`handlers::handler`), passed down so the tenant does not reach up.
    pub fn attach(&mut self, journal: Journal, handler: fn(OpId) -> Handler) -> usize {
        let events = journal.events().to_vec();
        self.memory.epoch = journal.created();
        self.memory.journal = Some(journal);
        self.memory.replaying = true;
        let mut failed = 0;
        for (n, event) in events.iter().enumerate() {
            self.ids =
                IdGen::new(self.memory.seed ^ (n as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            set_replay_clock(Some(event.at()));
            if !self.replay(event, handler) {
                failed += 1;
            }
            self.hold_until = None;
            self.dispatched = None;
        }
        set_replay_clock(None);
        self.memory.replaying = false;
        // Returns that came due while no command was running.
        self.scheduled_returns();
        failed
    }

    fn replay(&mut self, event: &Event, handler: fn(OpId) -> Handler) -> bool {
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
                    .and_then(|()| handler(op.key)(self, &input))
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
