//! The resume journal (`journal.jsonl`): before a state-changing request goes out its intent is
//! written and synced, after it its answer; after a host of a fan-out finishes, its value. A resumed
//! run reads it back: answered steps return their recorded answer instead of being sent, finished
//! hosts return their recorded value without opening a session.
//!
//! A step is named by where it happens (the scope: the run, or one host of one fan-out), what it is
//! (operation and arguments, without the session or batch id, which change when a run resumes) and how
//! many times the same step came before in that scope. A playbook that runs the same way names its
//! steps the same way on every run.

use super::blobs::{Blobs, External, Namer};
use super::folder::JOURNAL_FILE;
use super::lines::{Lines, now, read, repair};
use crate::ops::{ApiError, Response};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;

pub struct Journal {
    lines: Lines,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// `fanout \n device id` -> the host's value (long texts as blob references).
    hosts: HashMap<String, Value>,
    answers: HashMap<String, Value>,
    /// Steps sent (or about to be) whose answer was never written: the run stopped in between.
    intents: HashMap<String, Value>,
    /// Cloud request ids of answered steps: a session log entry with one of these is not a lost step.
    request_ids: HashSet<String>,
    counters: HashMap<String, u32>,
}

impl Journal {
    pub fn open(dir: &Path) -> Result<Journal, String> {
        let path = dir.join(JOURNAL_FILE);
        repair(&path)?;
        let mut state = State::default();
        for line in read(&path)? {
            let key = line["key"].as_str().unwrap_or_default().to_string();
            match line["t"].as_str() {
                Some("host") => {
                    let id = format!(
                        "{}\n{}",
                        line["fanout"].as_str().unwrap_or_default(),
                        line["device_id"].as_str().unwrap_or_default()
                    );
                    state.hosts.insert(id, line["value"].clone());
                }
                Some("intent") => {
                    state.intents.insert(key, line);
                }
                Some("unsent") => {
                    state.intents.remove(&key);
                }
                Some("answer") => {
                    state.intents.remove(&key);
                    collect_request_ids(&line["body"], &mut state.request_ids);
                    state.answers.insert(key, line);
                }
                _ => {}
            }
        }
        Ok(Journal {
            lines: Lines::open(&path)?,
            state: Mutex::new(state),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many times `base` came before in this run (0 the first time).
    pub fn occurrence(&self, base: &str) -> u32 {
        let mut s = self.state();
        let n = s.counters.entry(base.to_string()).or_insert(0);
        let this = *n;
        *n += 1;
        this
    }

    /// The key of the next step `op` with `args` in the current scope.
    pub fn step_key(&self, op: &str, args: &serde_json::Map<String, Value>) -> String {
        let stable: serde_json::Map<String, Value> = args
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "session_id" | "batch_id"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let base = format!("{}|{op}|{}", scope(), Value::Object(stable));
        let hash = hex::encode(&Sha256::digest(base.as_bytes())[..12]);
        let n = self.occurrence(&hash);
        format!("{hash}#{n}")
    }

    // Each step key comes once per run, so what an earlier run journaled is handed out once and
    // forgotten, and what this run writes is not kept in memory at all: a 10,000-host fan-out holds
    // no answers.

    /// The answer an earlier run journaled for `key`.
    pub fn answer(&self, key: &str) -> Option<Value> {
        self.state().answers.remove(key)
    }

    /// The intent an earlier run journaled for `key` without an answer.
    pub fn intent(&self, key: &str) -> Option<Value> {
        self.state().intents.remove(key)
    }

    pub fn is_answered_request(&self, cloud_request_id: &str) -> bool {
        self.state().request_ids.contains(cloud_request_id)
    }

    /// Written and synced before the request goes out.
    pub fn write_intent(&self, key: &str, mut fields: Value) -> Result<(), String> {
        fields["t"] = json!("intent");
        fields["key"] = json!(key);
        fields["time"] = json!(now());
        fields["scope"] = json!(scope());
        self.lines.append(&fields, true)
    }

    /// Written, not synced: the next synced line (the next intent, from any worker, or the case's
    /// close) takes it to disk, and a sync covers every line written before it. A machine crash
    /// before that loses the answer of a step whose intent is on disk: a resumed run treats it as
    /// a step interrupted in flight, looks the command up in its session's log (found, it is not
    /// sent again; absent from a log Falcon showed, it did not run) or, without a log, reports it
    /// as may-have-run without sending it. Nothing that may have run is sent again. Synced, the
    /// answers were half the syncs of a 10,000-host `rtr::each`, each awaited by its worker. The
    /// body is written from where it is, never copied, its long texts as blobs: a batch answer
    /// held 30 MB of outputs at 10,000 hosts, most of them the same few texts.
    pub fn write_answer(
        &self,
        key: &str,
        result: &Result<Response, ApiError>,
        blobs: &Blobs,
    ) -> Result<(), String> {
        let empty = Value::Null;
        let body = match result {
            Ok(r) => &r.body,
            Err(_) => &empty,
        };
        let namer = blobs.namer(body);
        let line = AnswerLine {
            t: "answer",
            key,
            time: now(),
            answer: Answer::of(result, &namer),
        };
        let bytes = self.lines.encode(&line)?;
        // The outputs the line names reach the file before it.
        blobs.flush()?;
        self.lines.write(&bytes, 1, false)?;
        if let Ok(r) = result {
            collect_request_ids(&r.body, &mut self.state().request_ids);
        }
        Ok(())
    }

    /// The request of an intent never left (the client says so: refused connection, cancelled while
    /// waiting for its turn): a resumed run sends it. Not synced, as an answer: lost in a crash, the
    /// intent is looked up as one whose answer was lost, which sends nothing that may have run.
    pub fn write_unsent(&self, key: &str) -> Result<(), String> {
        self.lines
            .append(&json!({ "t": "unsent", "key": key, "time": now() }), false)?;
        self.state().intents.remove(key);
        Ok(())
    }

    /// Takes every line written so far to disk (the answers and hosts not synced on their own).
    pub fn sync(&self) -> Result<(), String> {
        self.lines.sync()
    }

    /// The value an earlier run journaled for this host of this fan-out.
    pub fn host(&self, fanout: &str, device_id: &str) -> Option<Value> {
        self.state().hosts.remove(&format!("{fanout}\n{device_id}"))
    }

    /// Written, not synced: the next synced line (the next intent, from any worker) takes it to
    /// disk. A machine crash before that loses only the note that the host is done; a resumed run
    /// does the host again with its steps answered from the journal, so nothing is sent twice. A
    /// sync here was one of three per host a worker waited for in a 10,000-host `rtr::each`.
    pub fn write_host(&self, fanout: &str, device_id: &str, value: Value) -> Result<(), String> {
        let line = json!({ "t": "host", "time": now(), "fanout": fanout, "device_id": device_id, "value": value });
        self.lines.append(&line, false)
    }
}

/// A journaled answer: `{t, key, time}` and `{status, body, headers}`, `{error}` or `{lost}`.
#[derive(Serialize)]
struct AnswerLine<'a> {
    t: &'static str,
    key: &'a str,
    time: String,
    #[serde(flatten)]
    answer: Answer<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Answer<'a> {
    Ok {
        status: u16,
        /// Read back through [`Blobs::internalize`].
        body: WithoutMeta<'a>,
        /// Of the headers only the trace id matters later; the rest would only grow the journal.
        headers: Vec<&'a (String, String)>,
    },
    Error {
        error: ErrorAnswer<'a>,
    },
    Lost {
        lost: String,
    },
}

#[derive(Serialize)]
struct ErrorAnswer<'a> {
    status: u16,
    messages: &'a [String],
    trace_id: &'a Option<String>,
    body: &'a Value,
}

impl<'a> Answer<'a> {
    fn of(result: &'a Result<Response, ApiError>, blobs: &'a Namer<'a>) -> Answer<'a> {
        match result {
            Ok(r) => Answer::Ok {
                status: r.status,
                body: WithoutMeta(&r.body, blobs),
                headers: r
                    .headers
                    .iter()
                    .filter(|(k, _)| k == "x-cs-traceid")
                    .collect(),
            },
            Err(ApiError::Status {
                status,
                messages,
                trace_id,
                body,
                ..
            }) => Answer::Error {
                error: ErrorAnswer {
                    status: *status,
                    messages,
                    trace_id,
                    body,
                },
            },
            Err(e) => Answer::Lost {
                lost: e.to_string(),
            },
        }
    }
}

/// An answer's body without `meta` (query time, trace id again): nothing a replay reads.
struct WithoutMeta<'a>(&'a Value, &'a Namer<'a>);

impl Serialize for WithoutMeta<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Value::Object(fields) = self.0 else {
            return External(self.0, self.1).serialize(s);
        };
        let mut map = s.serialize_map(None)?;
        for (k, v) in fields.iter().filter(|(k, _)| *k != "meta") {
            map.serialize_entry(k, &External(v, self.1))?;
        }
        map.end()
    }
}

/// The cloud request id(s) an answer's body carries (one command, or every host of a batch).
fn collect_request_ids(body: &Value, into: &mut HashSet<String>) {
    if let Some(id) = body
        .pointer("/resources/0/cloud_request_id")
        .and_then(Value::as_str)
    {
        into.insert(id.to_string());
    }
    if let Some(hosts) = body
        .pointer("/combined/resources")
        .and_then(Value::as_object)
    {
        for h in hosts.values() {
            if let Some(id) = h.get("task_id").and_then(Value::as_str) {
                into.insert(id.to_string());
            }
        }
    }
}

thread_local! {
    static SCOPE: RefCell<String> = const { RefCell::new(String::new()) };
    static REPLAYED: RefCell<bool> = const { RefCell::new(false) };
}

/// Where this thread's steps happen: empty for the run itself, `each#0/<device id>` on a host.
pub fn scope() -> String {
    SCOPE.with(|s| s.borrow().clone())
}

/// Sets this thread's scope until the guard is dropped.
pub struct Scoped(String);

pub fn enter(scope: String) -> Scoped {
    Scoped(SCOPE.with(|s| std::mem::replace(&mut *s.borrow_mut(), scope)))
}

impl Drop for Scoped {
    fn drop(&mut self) {
        let prev = std::mem::take(&mut self.0);
        SCOPE.with(|s| *s.borrow_mut() = prev);
    }
}

/// Marks that this thread's last state-changing step was answered from the journal.
pub fn set_replayed(v: bool) {
    REPLAYED.with(|r| *r.borrow_mut() = v);
}

/// Whether this thread's last state-changing step was answered from the journal (and forgets it).
pub fn take_replayed() -> bool {
    REPLAYED.with(|r| std::mem::take(&mut *r.borrow_mut()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(cmd: &str, session: &str) -> serde_json::Map<String, Value> {
        json!({ "command_string": cmd, "session_id": session, "device_id": "d1" })
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn a_step_keeps_its_name_across_runs_whatever_its_session() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(dir.path()).unwrap();
        let blobs = Blobs::new(dir.path());
        let first = {
            let _s = enter("/each#0/d1".into());
            let k = j.step_key("RTR-ExecuteCommand", &args("ps", "s1"));
            j.write_intent(&k, json!({})).unwrap();
            j.write_answer(
                &k,
                &Ok(Response {
                    status: 201,
                    headers: Vec::new(),
                    body: json!({ "meta": { "trace_id": "t" }, "resources": [{ "cloud_request_id": "r1" }] }),
                }),
                &blobs,
            )
            .unwrap();
            // The same command again in the same scope is another step.
            let again = j.step_key("RTR-ExecuteCommand", &args("ps", "s1"));
            j.write_intent(&again, json!({})).unwrap();
            assert_ne!(k, again);
            k
        };
        let resumed = Journal::open(dir.path()).unwrap();
        let _s = enter("/each#0/d1".into());
        let k = resumed.step_key("RTR-ExecuteCommand", &args("ps", "s2"));
        assert_eq!(k, first);
        assert!(resumed.answer(&k).is_some());
        assert!(resumed.is_answered_request("r1"));
        let second = resumed.step_key("RTR-ExecuteCommand", &args("ps", "s2"));
        assert!(resumed.answer(&second).is_none());
        assert!(resumed.intent(&second).is_some(), "sent, answer lost");
        resumed.write_unsent(&second).unwrap();
        assert!(Journal::open(dir.path()).unwrap().intent(&second).is_none());
    }

    #[test]
    fn the_same_step_on_another_host_is_another_step() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(dir.path()).unwrap();
        let a = {
            let _s = enter("/each#0/d1".into());
            j.step_key("RTR-ExecuteCommand", &args("ps", "s1"))
        };
        let b = {
            let _s = enter("/each#0/d2".into());
            j.step_key("RTR-ExecuteCommand", &args("ps", "s1"))
        };
        assert_ne!(a, b);
        assert_eq!(scope(), "");
    }
}
