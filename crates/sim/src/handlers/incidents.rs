//! Incidents (the alerts of one host) and their behaviors: queries, reads and actions (status,
//! name, description, tags, assignment, comments), each change recorded; `update_detects` carries a
//! status change to the incident's alerts.

use super::query::{indices_of, select};
use crate::detection_records::{alert_status_of, change};
use crate::envelope::{Fail, Outcome, Reply};
use crate::input::Input;
use crate::stamp::now_stamp;
use crate::state::State;
use serde_json::{Value, json};

pub fn query(state: &mut State, input: &Input) -> Outcome {
    let all = (0..state.detections.incidents.len()).collect();
    let page = select(input, all, |&n| state.incident_record(n), 100)?;
    let ids = page
        .items
        .iter()
        .map(|&n| json!(state.detections.incidents[n].incident_id))
        .collect();
    Ok(Reply::resources(200, ids).paged(json!(page.offset), page.limit, page.total))
}

fn find(state: &State, id: &str) -> Option<usize> {
    state
        .detections
        .incidents
        .iter()
        .position(|i| i.incident_id == id)
}

pub fn get(state: &mut State, input: &Input) -> Outcome {
    let ids = input.body_ids("ids")?;
    let found = indices_of("incident", &ids, |id| find(state, id))?;
    Ok(Reply::resources(
        200,
        found.iter().map(|&n| state.incident_record(n)).collect(),
    ))
}

/// The alerts that are behaviors of some incident (all of them: every alert belongs to one).
pub fn query_behaviors(state: &mut State, input: &Input) -> Outcome {
    let all = (0..state.detections.alerts.len()).collect();
    let page = select(input, all, |&a| state.behavior_record(a), 100)?;
    let ids = page
        .items
        .iter()
        .map(|&a| json!(state.detections.alerts[a].id))
        .collect();
    Ok(Reply::resources(200, ids).paged(json!(page.offset), page.limit, page.total))
}

pub fn get_behaviors(state: &mut State, input: &Input) -> Outcome {
    let ids = input.body_ids("ids")?;
    let found = indices_of("behavior", &ids, |id| {
        state.detections.alerts.iter().position(|a| a.id == id)
    })?;
    Ok(Reply::resources(
        200,
        found.iter().map(|&a| state.behavior_record(a)).collect(),
    ))
}

const ACTIONS: &str = "add_tag, delete_tag, update_name, update_description, update_assigned_to_v2, update_assigned_to, update_assigned_to_name, unassign, update_status, add_comment";

pub fn perform_action(state: &mut State, input: &Input) -> Outcome {
    let ids = input.body_ids("ids")?;
    if ids.len() > 5000 {
        return Err(Fail::bad("at most 5000 `ids` per request"));
    }
    let found = indices_of("incident", &ids, |id| find(state, id))?;
    let mut params = Vec::new();
    for p in input
        .body()?
        .get("action_parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let value = p.get("value").and_then(Value::as_str).unwrap_or_default();
        if !ACTIONS.split(", ").any(|a| a == name) {
            return Err(Fail::bad(format!(
                "unknown action parameter `{name}`: expected one of {ACTIONS}"
            )));
        }
        if name == "update_status" && !["20", "25", "30", "40"].contains(&value) {
            return Err(Fail::bad(format!(
                "invalid `update_status` value `{value}`: expected 20 (new), 25 (reopened), 30 (in progress) or 40 (closed)"
            )));
        }
        params.push((name.to_string(), value.to_string()));
    }
    if params.is_empty() {
        return Err(Fail::bad("missing required body field `action_parameters`"));
    }
    let update_detects = input.query("update_detects") == Some("true");
    let stamp = now_stamp();
    let mut updated = Vec::new();
    for &n in &found {
        let inc = &mut state.detections.incidents[n];
        for (name, value) in &params {
            match name.as_str() {
                "add_tag" if !inc.tags.contains(value) => inc.tags.push(value.clone()),
                "delete_tag" => inc.tags.retain(|t| t != value),
                "update_name" => inc.name = value.clone(),
                "update_description" => inc.description = value.clone(),
                "update_assigned_to_v2" | "update_assigned_to" => inc.assigned_to = value.clone(),
                "update_assigned_to_name" => inc.assigned_to_name = value.clone(),
                "unassign" => {
                    inc.assigned_to.clear();
                    inc.assigned_to_name.clear();
                }
                "update_status" => inc.status = value.parse().unwrap_or(inc.status),
                _ => {}
            }
            inc.changes.push(change(name, value));
        }
        inc.modified = stamp.clone();
        if update_detects && let Some((_, v)) = params.iter().find(|(k, _)| k == "update_status") {
            let status = alert_status_of(v.parse().unwrap_or(20)).to_string();
            let alerts = inc.alerts.clone();
            state.apply_alert_actions(&alerts, &[("update_status".into(), status)]);
            updated.extend(alerts.iter().map(|&a| json!(state.detections.alerts[a].id)));
        }
    }
    Ok(Reply::resources(
        200,
        vec![json!({ "detections_updated": updated, "detections_unchanged": [] })],
    ))
}
