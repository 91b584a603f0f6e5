//! RTR sessions: init (queued for offline hosts with `queue_offline`), pulse, delete, list,
//! aggregate, and the queued-command views.

use super::query::{require_known, select};
use crate::envelope::{Fail, Outcome, Reply};
use crate::fql;
use crate::input::Input;
use crate::rtr_records::{NOT_DELETED, Progress};
use crate::stamp::{API_USER, now_stamp};
use crate::state::State;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn host_of(state: &State, device_id: &str) -> Result<usize, Fail> {
    state
        .host_index
        .get(device_id)
        .copied()
        .ok_or_else(|| Fail::not_found(format!("device `{device_id}` not found")))
}

fn init_record(state: &State, session_id: &str) -> Value {
    let s = &state.sessions[session_id];
    let existing = state
        .sessions
        .values()
        .filter(|o| o.device_id == s.device_id && o.id != s.id)
        .count();
    json!({
        "session_id": s.id,
        "device_id": s.device_id,
        "platform": state.hosts[s.host].host.platform.name(),
        "offline_queued": s.offline_queued,
        "pwd": s.cwd,
        "scripts": [],
        "created_at": s.created_at,
        "existing_aid_sessions": existing,
        "previous_commands": [],
    })
}

pub fn init(state: &mut State, input: &Input) -> Outcome {
    let device_id = input.body_str("device_id")?.to_string();
    let origin = input.body_opt_str("origin").unwrap_or("").to_string();
    let id = state.open_rtr_session(&device_id, &origin, input.body_bool("queue_offline"))?;
    Ok(Reply::resources(201, vec![init_record(state, &id)]))
}

pub fn pulse(state: &mut State, input: &Input) -> Outcome {
    let device_id = input.body_str("device_id")?.to_string();
    host_of(state, &device_id)?;
    let idle = Duration::from_secs(state.scenario.session_idle_secs);
    let stamp = now_stamp();
    let mut refreshed = Vec::new();
    for s in state.sessions.values_mut() {
        if s.device_id == device_id && !s.expired(idle) {
            s.last_used = Instant::now();
            s.updated_at = stamp.clone();
            refreshed.push(s.id.clone());
        }
    }
    let Some(latest) = refreshed
        .iter()
        .max_by_key(|id| state.sessions[*id].created_at.clone())
    else {
        return Err(Fail::not_found(format!(
            "no live session on device `{device_id}` to refresh"
        )));
    };
    Ok(Reply::resources(201, vec![init_record(state, latest)]))
}

pub fn delete(state: &mut State, input: &Input) -> Outcome {
    let id = input.required_query("session_id")?.to_string();
    state.live_session(&id)?;
    state.sessions.remove(&id);
    Ok(Reply::empty())
}

fn live_ids(state: &mut State) -> Vec<String> {
    let idle = Duration::from_secs(state.scenario.session_idle_secs);
    state.sessions.retain(|_, s| !s.expired(idle));
    let mut ids: Vec<(String, String)> = state
        .sessions
        .values()
        .map(|s| (s.created_at.clone(), s.id.clone()))
        .collect();
    ids.sort();
    ids.into_iter().map(|(_, id)| id).collect()
}

pub fn list_all(state: &mut State, input: &Input) -> Outcome {
    let ids = live_ids(state);
    let page = select(input, ids, |id| state.sessions[id].record(state), 100)?;
    Ok(
        Reply::resources(200, page.items.into_iter().map(Value::String).collect()).paged(
            json!(page.offset),
            page.limit,
            page.total,
        ),
    )
}

pub fn list(state: &mut State, input: &Input) -> Outcome {
    let ids = input.body_ids("ids")?;
    live_ids(state);
    require_known("session", &ids, |id| state.sessions.contains_key(id))?;
    let records = ids
        .iter()
        .map(|id| state.sessions[id].record(state))
        .collect();
    Ok(Reply::resources(200, records))
}

/// `terms` aggregations over session fields (`{field, name, type, filter, size}`).
pub fn aggregate(state: &mut State, input: &Input) -> Outcome {
    let specs = input
        .body()?
        .as_array()
        .ok_or_else(|| Fail::bad("the body must be an array of aggregate queries"))?
        .clone();
    let records: Vec<Value> = live_ids(state)
        .iter()
        .map(|id| state.sessions[id].record(state))
        .collect();
    let mut results = Vec::new();
    for spec in &specs {
        let text = |k: &str| spec.get(k).and_then(Value::as_str).unwrap_or("");
        let field = text("field");
        if field.is_empty() {
            return Err(Fail::bad("missing required body field `field`"));
        }
        let kind = if text("type").is_empty() {
            "terms"
        } else {
            text("type")
        };
        if kind != "terms" {
            return Err(Fail::bad(format!(
                "aggregate type `{kind}` is not supported by the emulator (only `terms`)"
            )));
        }
        let filter = match text("filter") {
            "" => None,
            f => Some(fql::parse(f).map_err(Fail::bad)?),
        };
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for r in records
            .iter()
            .filter(|r| filter.as_ref().is_none_or(|f| f.matches(r)))
        {
            if let Some(v) = r.get(field) {
                let key = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                *counts.entry(key).or_default() += 1;
            }
        }
        let mut buckets: Vec<(String, usize)> = counts.into_iter().collect();
        buckets.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if let Some(size) = spec.get("size").and_then(Value::as_u64).filter(|s| *s > 0) {
            buckets.truncate(size as usize);
        }
        results.push(json!({
            "name": if text("name").is_empty() { field } else { text("name") },
            "buckets": buckets.iter().map(|(k, n)| json!({ "label": k, "count": n })).collect::<Vec<_>>(),
            "doc_count_error_upper_bound": 0,
            "sum_other_doc_count": 0,
        }));
    }
    Ok(Reply::resources(200, results))
}

/// `domain.QueuedSessionJob` for each session that queued commands for an offline host.
pub fn list_queued(state: &mut State, input: &Input) -> Outcome {
    let ids = input.body_ids("ids")?;
    live_ids(state);
    require_known("session", &ids, |id| state.sessions.contains_key(id))?;
    let jobs = ids
        .iter()
        .map(|id| {
            let s = &state.sessions[id];
            let commands: Vec<Value> = s
                .commands
                .iter()
                .filter_map(|c| state.commands.get(c))
                .map(|c| {
                    let status = match c.progress {
                        Progress::Queued => "PENDING",
                        Progress::Done { .. } => "FINISHED",
                        Progress::Canceled => "CANCELED",
                    };
                    json!({
                        "cloud_request_id": c.id, "base_command": c.base_command,
                        "command_string": c.command_string, "status": status,
                        "status_text": "", "created_at": c.created_at,
                        "updated_at": c.created_at, "deleted_at": NOT_DELETED,
                    })
                })
                .collect();
            let pending = commands.iter().any(|c| c["status"] == "PENDING");
            json!({
                "id": s.id, "aid": s.device_id,
                "status": if pending { "PENDING" } else { "FINISHED" },
                "created_at": s.created_at, "updated_at": s.updated_at, "deleted_at": NOT_DELETED,
                "user_id": API_USER, "user_uuid": "5c1b6f4e-0000-4000-8000-00000000a11e",
                "Commands": commands,
            })
        })
        .collect();
    Ok(Reply::resources(200, jobs))
}

/// Cancels a queued command before the host comes back.
pub fn delete_queued(state: &mut State, input: &Input) -> Outcome {
    let session_id = input.required_query("session_id")?.to_string();
    let cloud_request_id = input.required_query("cloud_request_id")?.to_string();
    state.live_session(&session_id)?;
    let cmd = state
        .commands
        .get_mut(&cloud_request_id)
        .filter(|c| c.session_id == session_id)
        .ok_or_else(|| {
            Fail::not_found(format!(
                "cloud request `{cloud_request_id}` not found in session `{session_id}`"
            ))
        })?;
    if !matches!(cmd.progress, Progress::Queued) {
        return Err(Fail::bad(format!(
            "command `{cloud_request_id}` is not queued (it already ran)"
        )));
    }
    cmd.progress = Progress::Canceled;
    state.queue.retain(|id| id != &cloud_request_id);
    Ok(Reply::empty())
}
