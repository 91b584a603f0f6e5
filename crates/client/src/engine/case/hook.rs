//! What the engine and the RTR helpers call: each hook does nothing without a case, and nothing in
//! them decides what is sent except the journal (a journaled step is answered, not sent again).

use super::Case;
use super::blobs::Text;
use super::journal::{self, Scoped};
use super::lines::{now, stamp};
use crate::engine::{Context, convert};
use crate::ops::{self, Effect, Request};
use crate::ops::{ApiError, Response};
use rhai::Dynamic;
use serde_json::{Value, json};
use std::time::SystemTime;

/// What the generic caller does with a state-changing request.
pub enum Before {
    /// Send it; with a case, its intent is journaled and its answer goes to [`after_send`].
    Send(Option<Step>),
    /// Answered from the journal (or known lost): do not send.
    Answer(Result<Response, ApiError>),
}

pub struct Step {
    case: Case,
    key: String,
}

fn journaled(req: &Request) -> bool {
    matches!(req.op.effect, Effect::Command | Effect::Change)
}

/// Called by the generic caller after the guard allowed `req` and before it is sent.
/// `Err` is a journal that cannot be written: the request is not sent.
pub fn before_send(
    ctx: &Context,
    args: &serde_json::Map<String, Value>,
    req: &Request,
) -> Result<Before, String> {
    let Some(case) = &ctx.case else {
        return Ok(Before::Send(None));
    };
    if !journaled(req) {
        return Ok(Before::Send(None));
    }
    let journal = &case.0.journal;
    let key = journal.step_key(req.op.id, args);
    if let Some(answer) = journal.answer(&key) {
        journal::set_replayed(true);
        return Ok(Before::Answer(match case.0.blobs.internalize(answer) {
            Ok(answer) => decode(req, &answer),
            Err(why) => Err(unreadable(case, req, &why)),
        }));
    }
    if let Some(intent) = journal.intent(&key) {
        match find_lost(ctx, case, &intent) {
            Lost::Ran(resp) => {
                journal.write_answer(&key, &Ok(resp.clone()), &case.0.blobs)?;
                journal::set_replayed(true);
                case.event(
                    "recovered",
                    json!({ "operation": req.op.qualified_name(), "command": intent["command_string"], "device_id": intent["device_id"],
                            "message": "sent before the run stopped, found in the session's log: not sent again" }),
                );
                return Ok(Before::Answer(Ok(resp)));
            }
            Lost::NotRun => {}
            Lost::Unknown(why) => {
                let message = format!(
                    "may have run: it was sent at {} before the run stopped and its answer was lost ({why}); it is not sent again",
                    intent["time"].as_str().unwrap_or("?")
                );
                case.event(
                    "may_have_run",
                    json!({ "operation": req.op.qualified_name(), "command": intent["command_string"], "device_id": intent["device_id"], "message": message }),
                );
                return Ok(Before::Answer(Err(ApiError::Unknown {
                    operation: req.op.qualified_name(),
                    message,
                })));
            }
        }
    }
    let arg = |k: &str| args.get(k).cloned().unwrap_or(Value::Null);
    journal.write_intent(
        &key,
        json!({ "operation": req.op.qualified_name(), "session_id": arg("session_id"), "batch_id": arg("batch_id"),
                "device_id": arg("device_id"), "command_string": arg("command_string") }),
    )?;
    Ok(Before::Send(Some(Step {
        case: case.clone(),
        key,
    })))
}

/// Journals the answer of a step sent. A request the client says never left (a refused connection,
/// cancelled while waiting for its turn) is marked unsent. An answer lost on the way stays
/// unjournaled: a resumed run must find out whether it ran.
pub fn after_send(step: Option<Step>, result: &Result<Response, ApiError>) -> Result<(), String> {
    let Some(step) = step else {
        return Ok(());
    };
    journal::set_replayed(false);
    match result {
        Ok(_) | Err(ApiError::Status { .. }) => {
            let case = &step.case.0;
            case.journal.write_answer(&step.key, result, &case.blobs)
        }
        // For a request that must not be sent twice the client reports these only when it did not
        // send it (it never retries such a request once sent).
        Err(ApiError::Transport { .. } | ApiError::Cancelled { .. } | ApiError::Config(_)) => {
            step.case.0.journal.write_unsent(&step.key)
        }
        Err(ApiError::Unknown { .. }) => Ok(()),
    }
}

/// A step answered before the run stopped whose journaled answer cannot be read back whole (an
/// output's blob is missing or holds other bytes: a crash before the disk had it, or an edit). It
/// ran, so it is not sent again; what it printed is not known, so it is not made up either.
fn unreadable(case: &Case, req: &Request, why: &str) -> ApiError {
    let message = format!(
        "may have run: it was answered before the run stopped, but its journaled answer cannot be read back ({why}); it is not sent again"
    );
    case.event(
        "may_have_run",
        json!({ "operation": req.op.qualified_name(), "device_id": scope_device(), "message": message }),
    );
    ApiError::Unknown {
        operation: req.op.qualified_name(),
        message,
    }
}

enum Lost {
    Ran(Response),
    NotRun,
    Unknown(String),
}

/// A step whose intent was journaled but not its answer. A command sent on an RTR session shows in
/// that session's log once Falcon took it: found there, it ran (its output is read by its cloud
/// request id); absent from a log Falcon did show, it did not run. Anything else cannot be known.
fn find_lost(ctx: &Context, case: &Case, intent: &Value) -> Lost {
    let (Some(session), Some(line)) = (
        intent["session_id"].as_str(),
        intent["command_string"].as_str(),
    ) else {
        return Lost::Unknown("Falcon keeps no log to look it up in".into());
    };
    let Some(op) = ops::find("real_time_response", "list_sessions") else {
        return Lost::Unknown("no `list_sessions` operation".into());
    };
    let mut args = serde_json::Map::new();
    args.insert("ids".into(), json!([session]));
    let resp = match crate::engine::call(ctx, op, &args) {
        Ok(r) => r,
        Err(e) => {
            return Lost::Unknown(format!(
                "the log of session `{session}` cannot be read: {e}"
            ));
        }
    };
    let Some(logs) = resp
        .body
        .pointer("/resources/0/logs")
        .and_then(Value::as_array)
    else {
        return Lost::Unknown(format!("Falcon showed no log for session `{session}`"));
    };
    let found = logs.iter().find(|l| {
        l["command_string"].as_str() == Some(line)
            && l["cloud_request_id"]
                .as_str()
                .is_some_and(|id| !case.0.journal.is_answered_request(id))
    });
    match found {
        None => Lost::NotRun,
        Some(l) => Lost::Ran(Response {
            status: 201,
            headers: Vec::new(),
            body: json!({
                "meta": {},
                "errors": [],
                "resources": [{
                    "session_id": session,
                    "cloud_request_id": l["cloud_request_id"],
                    "queued_command_offline": false,
                }],
            }),
        }),
    }
}

fn decode(req: &Request, answer: &Value) -> Result<Response, ApiError> {
    if let Some(e) = answer.get("error") {
        return Err(ApiError::Status {
            operation: req.op.qualified_name(),
            status: e["status"].as_u64().unwrap_or(0) as u16,
            messages: e["messages"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|m| m.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            trace_id: e["trace_id"].as_str().map(str::to_string),
            body: e["body"].clone(),
        });
    }
    Ok(Response {
        status: answer["status"].as_u64().unwrap_or(200) as u16,
        headers: serde_json::from_value(answer["headers"].clone()).unwrap_or_default(),
        body: answer["body"].clone(),
    })
}

/// One `rtr::each` call's share of the journal: hosts done are not done again.
pub struct Fanout {
    case: Case,
    key: String,
}

impl Fanout {
    /// Names the fan-out by its place in the run (its scope and how many fan-outs came before there).
    pub fn begin(ctx: &Context) -> Option<Fanout> {
        let case = ctx.case.clone()?;
        let scope = journal::scope();
        let n = case.0.journal.occurrence(&format!("{scope}/each"));
        Some(Fanout {
            case,
            key: format!("{scope}/each#{n}"),
        })
    }

    /// The value a host returned in an earlier run of this case.
    pub fn done(&self, device_id: &str) -> Option<Dynamic> {
        let v = self.case.0.journal.host(&self.key, device_id)?;
        let v = self.case.0.blobs.internalize(v).ok()?;
        Some(convert::from_json_owned(v))
    }

    /// Steps on this thread belong to `device_id` until the guard goes.
    pub fn enter(&self, device_id: &str) -> Scoped {
        journal::enter(format!("{}/{device_id}", self.key))
    }

    /// Journals a host as done, with its value, before the worker takes the next host.
    pub fn finish(&self, device_id: &str, value: &Dynamic) -> Result<(), String> {
        let v = convert::to_json(value).unwrap_or_else(|_| json!(value.to_string()));
        let v = self.case.0.blobs.externalize(&v)?;
        // The outputs the line names reach the file before it.
        self.case.0.blobs.flush()?;
        self.case.0.journal.write_host(&self.key, device_id, v)
    }

    /// A host that failed: kept for the report, not journaled (a resumed run tries it again, its
    /// journaled steps answered from the journal).
    pub fn failed(&self, device_id: &str, hostname: &str, message: &str) {
        self.case.event(
            "host_error",
            json!({ "device_id": device_id, "hostname": hostname, "message": message }),
        );
    }
}

impl Case {
    pub(super) fn event(&self, kind: &str, mut fields: Value) {
        fields["time"] = json!(now());
        fields["kind"] = json!(kind);
        self.0.records.event(&fields);
    }
}

/// One RTR command on one host, with its output or why it failed.
pub fn record_command(
    ctx: &Context,
    device_id: &str,
    hostname: &str,
    line: &str,
    started: SystemTime,
    result: Result<&Value, &str>,
) {
    let Some(case) = &ctx.case else {
        return;
    };
    let resumed = journal::take_replayed();
    record(case, device_id, hostname, line, started, result, resumed);
}

fn record(
    case: &Case,
    device_id: &str,
    hostname: &str,
    line: &str,
    started: SystemTime,
    result: Result<&Value, &str>,
    resumed: bool,
) {
    let (sent, done) = (stamp(started), now());
    let r = command_record(
        case,
        device_id,
        hostname.to_string(),
        line,
        (&sent, &done),
        result,
        resumed,
    );
    case.0.records.command(&case.0.blobs, &r);
}

/// What a record says of a field an answer does not have.
static NULL: Value = Value::Null;

/// The `commands.jsonl` line of one command on one host, written from where its parts are: a
/// batch writes 10,000 of them, and building each as a JSON map first (key lookups, copies) was a
/// third of what recording a 10,000-host batch cost.
#[derive(serde::Serialize)]
struct CommandRecord<'a> {
    time_sent: &'a str,
    time_done: &'a str,
    device_id: &'a str,
    hostname: String,
    command: &'a str,
    #[serde(flatten)]
    outcome: Outcome<'a>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    resumed: bool,
}

#[derive(serde::Serialize)]
#[serde(untagged)]
enum Outcome<'a> {
    Ran {
        session_id: &'a Value,
        cloud_request_id: &'a Value,
        base_command: &'a Value,
        complete: &'a Value,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        queued: bool,
        stdout: Text<'a>,
        stderr: Text<'a>,
    },
    Failed {
        error: &'a str,
    },
}

/// The `commands.jsonl` line of one command on one host; `times` is (sent, done).
fn command_record<'a>(
    case: &Case,
    device_id: &'a str,
    hostname: String,
    line: &'a str,
    times: (&'a str, &'a str),
    result: Result<&'a Value, &'a str>,
    resumed: bool,
) -> CommandRecord<'a> {
    let blobs = &case.0.blobs;
    let outcome = match result {
        Ok(v) => {
            let field = |k: &str| v.get(k).unwrap_or(&NULL);
            Outcome::Ran {
                session_id: field("session_id"),
                cloud_request_id: field("cloud_request_id"),
                base_command: field("base_command"),
                complete: field("complete"),
                queued: v.get("queued").is_some(),
                stdout: blobs.text(v["stdout"].as_str().unwrap_or_default()),
                stderr: blobs.text(v["stderr"].as_str().unwrap_or_default()),
            }
        }
        Err(error) => Outcome::Failed { error },
    };
    CommandRecord {
        time_sent: times.0,
        time_done: times.1,
        device_id,
        hostname,
        command: line,
        outcome,
        resumed,
    }
}

/// Every host's part of one batch command (`#{results, errors, no_answer, queued, hostnames}`).
/// One request answered every host, so whether the journal answered it holds for each of them (asked
/// per host, only the first host was marked resumed). A command queued for an offline host was sent
/// and is kept as queued; a host without an answer keeps the name the batch knows it by.
pub fn record_batch(ctx: &Context, line: &str, started: SystemTime, outcome: &Value) {
    let Some(case) = &ctx.case else {
        return;
    };
    let resumed = journal::take_replayed();
    let host = |id: &str, v: &Value| {
        v["hostname"]
            .as_str()
            .or_else(|| outcome["hostnames"][id].as_str())
            .unwrap_or_default()
            .to_string()
    };
    // One request answered every host: one sent time, one done time. The records are encoded on
    // every core (each output masked, and stored as a blob when long), a few thousand at a time,
    // and each few thousand written in one system call: encoding them in turn was a serial 40 ms of
    // a 10,000-host batch while the playbook waited.
    const ROUND: usize = 4096;
    let (sent, done) = (stamp(started), now());
    let ran = ["results", "queued"]
        .into_iter()
        .flat_map(|key| outcome[key].as_object().into_iter().flatten())
        .map(|(id, v)| (id.as_str(), v, Ok(v)));
    let failed = outcome["errors"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(id, v)| {
            (
                id.as_str(),
                v,
                Err(v["message"].as_str().unwrap_or("failed")),
            )
        });
    let unanswered = outcome["no_answer"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|id| (id, &NULL, Err("no answer")));
    let all: Vec<(&str, &Value, Result<&Value, &str>)> =
        ran.chain(failed).chain(unanswered).collect();
    let encode = |(id, v, result): (&str, &Value, Result<&Value, &str>)| {
        let record = command_record(case, id, host(id, v), line, (&sent, &done), result, resumed);
        case.0.records.encode_command(&record)
    };
    for round in all.chunks(ROUND) {
        let threads = crate::engine::parallel::threads_for(round.len());
        let lines = crate::engine::parallel::map(round.to_vec(), threads, encode);
        case.0.records.commands_encoded(&case.0.blobs, lines);
    }
    case.0.blobs.forget();
}

/// A file collected from a host (`#{path, sha256, size, remote_path}`): copied into the case once.
pub fn record_evidence(ctx: &Context, hostname: &str, file: &Value) {
    let Some(case) = &ctx.case else {
        return;
    };
    let sha = file["sha256"].as_str().unwrap_or_default();
    let local = file["path"].as_str().unwrap_or_default();
    let stored = super::records::store_file(case.dir(), std::path::Path::new(local), sha);
    let mut e = json!({
        "time": now(),
        "host": hostname,
        "device_id": file.get("device_id").cloned().unwrap_or_else(scope_device),
        "remote_path": file["remote_path"],
        "sha256": sha,
        "size": file["size"],
        "saved_to": local,
    });
    match stored {
        Ok(rel) => e["file"] = json!(rel),
        Err(why) => e["error"] = json!(why),
    }
    case.0.records.evidence(&e);
}

/// The device id of the fan-out host this thread works on (`.../each#0/<device id>`), if any.
fn scope_device() -> Value {
    let scope = journal::scope();
    match scope.rsplit_once('/') {
        Some((parent, id)) if parent.contains("each#") && !id.is_empty() => json!(id),
        _ => Value::Null,
    }
}

/// A request the guard refused.
pub fn record_refusal(ctx: &Context, stop: &crate::safety::Stop) {
    let (Some(case), crate::safety::Stop::Refused(r)) = (&ctx.case, stop) else {
        return;
    };
    case.event(
        "refused",
        json!({
            "operation": r.operation,
            "command": r.command,
            "device_ids": r.device_ids,
            "hosts": r.hosts,
            "message": stop.to_string(),
        }),
    );
}
