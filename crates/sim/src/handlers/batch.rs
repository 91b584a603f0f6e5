//! Batch RTR: one batch id maps to sessions on many hosts; batch commands answer per host, keyed
//! by device id inside `combined.resources`, with the output inline (the real call waits for it).

use crate::envelope::{Fail, Outcome, Reply};
use crate::input::{Input, string_list};
use crate::ops::OpId;
use crate::ops::commands::Tier;
use crate::rtr_records::{Batch, BatchGet, Progress};
use crate::state::State;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::time::Duration;

fn entry(aid: &str, session_id: &str, task_id: &str, base_command: &str) -> Value {
    json!({
        "aid": aid, "session_id": session_id, "task_id": task_id, "base_command": base_command,
        "complete": false, "stdout": "", "stderr": "", "errors": [], "offline_queued": false,
        "query_time": 0.0, "sequence_id": 0,
    })
}

/// A host's entry for a command the cloud refused, shaped as elastic/kibana's CrowdStrike emulator
/// kept real ones (`batch_rtr_command_route.ts`: 40006, 40007, 50007): no session id, not complete,
/// empty output, the error in the entry's own `errors`.
fn with_error(mut v: Value, fail: &Fail) -> Value {
    v["session_id"] = json!("");
    v["complete"] = json!(false);
    v["errors"] = json!([{ "code": fail.code(), "message": fail.message }]);
    v
}

pub fn init(state: &mut State, input: &Input) -> Outcome {
    let host_ids = input.body_ids("host_ids")?;
    // The cap the operation table gives (Falcon's documented 10,000).
    if let Some(max) = OpId::BatchInitSessions.op().body_max_items("host_ids")
        && host_ids.len() > max
    {
        return Err(Fail::bad(format!("at most {max} `host_ids` per batch")));
    }
    let queue_offline = input.body_bool("queue_offline");
    let batch_id = match input
        .body_opt_str("existing_batch_id")
        .filter(|s| !s.is_empty())
    {
        Some(existing) => {
            if !state.batches.contains_key(existing) {
                return Err(Fail::not_found(format!("batch `{existing}` not found")));
            }
            existing.to_string()
        }
        None => state.ids.uuid(),
    };
    let mut resources = Map::new();
    let mut opened = Vec::new();
    for aid in &host_ids {
        let v = match state.open_rtr_session(aid, "batch", queue_offline) {
            Ok(session_id) => {
                let mut v = entry(aid, &session_id, "", "");
                v["complete"] = json!(true);
                v["offline_queued"] = json!(state.sessions[&session_id].offline_queued);
                opened.push((aid.clone(), session_id));
                v
            }
            Err(fail) => with_error(entry(aid, "", "", ""), &fail),
        };
        resources.insert(aid.clone(), v);
    }
    let batch = state
        .batches
        .entry(batch_id.clone())
        .or_insert_with(|| Batch {
            sessions: Vec::new(),
        });
    // A host named again moves to the end with its newest session (its last mention counts); one
    // pass over the batch, as it may hold 10,000 hosts.
    let last: HashMap<&str, usize> = opened
        .iter()
        .enumerate()
        .map(|(i, (aid, _))| (aid.as_str(), i))
        .collect();
    batch
        .sessions
        .retain(|(a, _)| !last.contains_key(a.as_str()));
    let kept: Vec<(String, String)> = opened
        .iter()
        .enumerate()
        .filter(|(i, (aid, _))| last[aid.as_str()] == *i)
        .map(|(_, pair)| pair.clone())
        .collect();
    batch.sessions.extend(kept);
    let mut top = Map::new();
    top.insert("batch_id".into(), json!(batch_id));
    top.insert("resources".into(), Value::Object(resources));
    Ok(Reply::with_top(201, top))
}

pub fn refresh(state: &mut State, input: &Input) -> Outcome {
    let batch_id = input.body_str("batch_id")?.to_string();
    let remove = input
        .body()?
        .get("hosts_to_remove")
        .and_then(string_list)
        .unwrap_or_default();
    let batch = state
        .batches
        .get_mut(&batch_id)
        .ok_or_else(|| Fail::not_found(format!("batch `{batch_id}` not found")))?;
    batch.sessions.retain(|(aid, _)| !remove.contains(aid));
    let members = batch.sessions.clone();
    let mut resources = Map::new();
    for (aid, session_id) in members {
        // `domain.MultiPulseSensorResponse`: only `aid`, `session_id` and `errors`.
        let errors = match state.live_session(&session_id) {
            Ok(_) => Vec::new(),
            Err(fail) => vec![json!({ "code": fail.status, "message": fail.message })],
        };
        // Built by moving the parts in: `json!` would copy each interpolated value, once per host
        // of a batch of up to 10,000.
        let mut v = Map::with_capacity(3);
        v.insert("aid".into(), Value::String(aid.clone()));
        v.insert("session_id".into(), Value::String(session_id));
        v.insert("errors".into(), Value::Array(errors));
        resources.insert(aid, Value::Object(v));
    }
    let mut top = Map::new();
    top.insert("resources".into(), Value::Object(resources));
    Ok(Reply::with_top(201, top))
}

/// The batch's (device id, session id) pairs, narrowed to `optional_hosts` when given.
fn targets(state: &State, input: &Input) -> Result<Vec<(String, String)>, Fail> {
    let batch_id = input.body_str("batch_id")?;
    let batch = state
        .batches
        .get(batch_id)
        .ok_or_else(|| Fail::not_found(format!("batch `{batch_id}` not found")))?;
    let only = input
        .body()?
        .get("optional_hosts")
        .and_then(string_list)
        .unwrap_or_default();
    Ok(batch
        .sessions
        .iter()
        .filter(|(aid, _)| only.is_empty() || only.contains(aid))
        .cloned()
        .collect())
}

/// Whether the cloud lets one batch host run the command: its session id, or its entry with why not.
fn admit(
    state: &mut State,
    endpoint: Tier,
    aid: &str,
    session_id: &str,
    base: &str,
    line: &str,
    persist: bool,
) -> Result<(), Value> {
    let blank = || entry(aid, session_id, "", base);
    let session = match state.live_session(session_id) {
        Ok(s) => s,
        Err(fail) => return Err(with_error(blank(), &fail)),
    };
    let (host, queued_session) = (session.host, session.offline_queued);
    if let Err(fail) = state.check_command(host, endpoint, base, line) {
        return Err(with_error(blank(), &fail));
    }
    if !state.hosts[host].host.online && !persist && !queued_session {
        // psfalcon#76: "an API error that is produced when you attempt to use Real-time Response
        // with a host that isn't responding"; psfalcon#79 shows it as one host's `errors`.
        let fail = Fail::rtr(40401, "Could not establish sensor comms");
        return Err(with_error(blank(), &fail));
    }
    Ok(())
}

/// Runs one command on every batch host that may run it (side by side, as Falcon does); per host,
/// in the batch's order, its entry (errors included) and its task id when it ran or queued.
fn run_all(
    state: &mut State,
    endpoint: Tier,
    targets: &[(String, String)],
    base: &str,
    line: &str,
    persist: bool,
    host_timeout: Duration,
) -> Vec<(Value, Option<String>)> {
    let admitted: Vec<Result<(), Value>> = targets
        .iter()
        .map(|(aid, session_id)| admit(state, endpoint, aid, session_id, base, line, persist))
        .collect();
    let commands: Vec<(&str, &str, &str)> = targets
        .iter()
        .zip(&admitted)
        .filter(|(_, a)| a.is_ok())
        .map(|((_, session_id), _)| (session_id.as_str(), base, line))
        .collect();
    let dispatched = std::time::Instant::now();
    let deadline = dispatched + host_timeout;
    state.dispatched = Some(dispatched);
    let mut submitted = state.submit_all(&commands).into_iter();
    state.dispatched = None;
    targets
        .iter()
        .zip(admitted)
        .map(|((aid, session_id), admitted)| {
            if let Err(refused) = admitted {
                return (refused, None);
            }
            let Some((task_id, queued)) = submitted.next() else {
                return (entry(aid, session_id, "", base), None);
            };
            let mut v = entry(aid, session_id, &task_id, base);
            v["offline_queued"] = json!(queued);
            if let Some(cmd) = state.commands.get(&task_id)
                && let Progress::Done { at, .. } = &cmd.progress
                && *at > deadline
            {
                // Not done within the host's time: the call answers at the deadline with 50401
                // `Exceeded maximum timeout` (psfalcon#56: "the devices not completing the script
                // within the designated timeout window"); the host still finishes the command.
                state.hold_until = Some(state.hold_until.map_or(deadline, |h| h.max(deadline)));
                let fail = Fail::rtr(50401, "Exceeded maximum timeout");
                let mut v = with_error(v, &fail);
                v["session_id"] = json!(session_id);
                v["task_id"] = json!(task_id);
                return (v, Some(task_id));
            }
            if let Some(cmd) = state.commands.get(&task_id)
                && let Progress::Done { stdout, stderr, at } = &cmd.progress
            {
                // The host answers after the scenario's latency: the batch call waits for it.
                state.hold_until = Some(state.hold_until.map_or(*at, |h| h.max(*at)));
                v["complete"] = json!(true);
                v["stdout"] = json!(stdout);
                v["stderr"] = json!(stderr);
            }
            (v, Some(task_id))
        })
        .collect()
}

fn command(state: &mut State, input: &Input, endpoint: Tier) -> Outcome {
    let base = input.body_str("base_command")?.to_string();
    let line = input.body_str("command_string")?.to_string();
    let persist = input.body_bool("persist_all");
    let targets = targets(state, input)?;
    let host_timeout = input.host_timeout()?;
    let answers = run_all(
        state,
        endpoint,
        &targets,
        &base,
        &line,
        persist,
        host_timeout,
    );
    let mut resources = Map::new();
    for ((aid, _), (v, _)) in targets.into_iter().zip(answers) {
        resources.insert(aid, v);
    }
    let mut top = Map::new();
    top.insert("combined".into(), json!({ "resources": resources }));
    Ok(Reply::with_top(201, top))
}

pub fn read_only(state: &mut State, input: &Input) -> Outcome {
    command(state, input, Tier::ReadOnly)
}

pub fn active_responder(state: &mut State, input: &Input) -> Outcome {
    command(state, input, Tier::ActiveResponder)
}

pub fn admin(state: &mut State, input: &Input) -> Outcome {
    command(state, input, Tier::Admin)
}

pub fn get(state: &mut State, input: &Input) -> Outcome {
    let file_path = input.body_str("file_path")?.to_string();
    let targets = targets(state, input)?;
    let line = format!("get {file_path}");
    let host_timeout = input.host_timeout()?;
    let answers = run_all(
        state,
        Tier::ActiveResponder,
        &targets,
        "get",
        &line,
        false,
        host_timeout,
    );
    let mut resources = Map::new();
    let mut tasks = Vec::new();
    for ((aid, session_id), (v, task)) in targets.into_iter().zip(answers) {
        if let Some(task) = task {
            tasks.push((aid.clone(), session_id, task));
        }
        resources.insert(aid, v);
    }
    let req_id = state.ids.uuid();
    state.batch_gets.insert(req_id.clone(), BatchGet { tasks });
    let mut top = Map::new();
    top.insert("batch_get_cmd_req_id".into(), json!(req_id));
    top.insert("combined".into(), json!({ "resources": resources }));
    Ok(Reply::with_top(201, top))
}

/// Per host, the extracted file (`model.File`) once the `get` finished.
pub fn get_status(state: &mut State, input: &Input) -> Outcome {
    let req_id = input.required_query("batch_get_cmd_req_id")?;
    let tasks = state
        .batch_gets
        .get(req_id)
        .ok_or_else(|| Fail::not_found(format!("batch get request `{req_id}` not found")))?
        .tasks
        .clone();
    let idle = Duration::from_secs(state.scenario.session_idle_secs);
    let mut resources = Map::new();
    for (aid, session_id, task_id) in tasks {
        let file = state
            .sessions
            .get(&session_id)
            .filter(|s| !s.expired(idle))
            .and_then(|s| {
                s.files
                    .iter()
                    .find(|f| f.cloud_request_id == task_id && !f.deleted)
            });
        // `model.File` once the file is there; a host still working is not listed, as Falcon
        // "returns successful files when they are finished processing".
        if let Some(f) = file {
            resources.insert(aid, f.record(&session_id, false));
        }
    }
    let mut top = Map::new();
    top.insert("resources".into(), Value::Object(resources));
    Ok(Reply::with_top(200, top))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    fn state() -> State {
        let scenario = Scenario::parse("command_latency_ms = 300\n").unwrap();
        State::new(scenario, 7, "id".into(), "secret".into()).unwrap()
    }

    fn body(v: Value) -> Input {
        Input {
            json: Some(v),
            ..Input::default()
        }
    }

    fn online(state: &State, n: usize) -> Vec<String> {
        state
            .hosts
            .iter()
            .filter(|h| h.host.online)
            .take(n)
            .map(|h| h.host.device_id.clone())
            .collect()
    }

    fn batch_id(reply: &Reply) -> String {
        let crate::envelope::Payload::Envelope { top, .. } = &reply.body else {
            panic!("not an envelope");
        };
        top["batch_id"].as_str().unwrap().to_string()
    }

    #[test]
    fn a_host_named_again_moves_to_the_end_with_its_newest_session() {
        let mut state = state();
        let ids = online(&state, 3);
        let (a, b, c) = (&ids[0], &ids[1], &ids[2]);
        let first = init(&mut state, &body(json!({ "host_ids": [a, b, c] }))).unwrap();
        let id = batch_id(&first);
        let old_b = state.batches[&id].sessions[1].1.clone();
        init(
            &mut state,
            &body(json!({ "host_ids": [b, a, b], "existing_batch_id": id })),
        )
        .unwrap();
        let members: Vec<&str> = state.batches[&id]
            .sessions
            .iter()
            .map(|(d, _)| d.as_str())
            .collect();
        // `c` stays where it was; `a` and `b` follow in the order of their last mention.
        assert_eq!(members, [c.as_str(), a.as_str(), b.as_str()]);
        let new_b = &state.batches[&id].sessions[2].1;
        assert_ne!(new_b, &old_b);
        assert_eq!(state.sessions[new_b].device_id, *b);
    }

    #[test]
    fn every_host_of_a_batch_command_answers_one_latency_after_the_call() {
        let mut state = state();
        let ids = online(&state, 3);
        let id = batch_id(&init(&mut state, &body(json!({ "host_ids": ids }))).unwrap());
        let before = std::time::Instant::now();
        read_only(
            &mut state,
            &body(json!({ "batch_id": id, "base_command": "ps", "command_string": "ps" })),
        )
        .unwrap();
        let done: Vec<std::time::Instant> = state
            .commands
            .values()
            .filter_map(|c| match c.progress {
                Progress::Done { at, .. } => Some(at),
                _ => None,
            })
            .collect();
        assert_eq!(done.len(), ids.len());
        // Falcon sends the command to every host at once: however long the emulator took to
        // get to the last host, all answer at the same moment.
        assert!(done.iter().all(|at| *at == done[0]));
        assert!(done[0] >= before + Duration::from_millis(300));
        assert_eq!(state.hold_until, Some(done[0]));
        assert!(state.dispatched.is_none());
    }
}
