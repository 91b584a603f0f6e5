//! Alerts: queries (v1, v2 and combined), reads by id, aggregates and triage updates (status,
//! comments, tags, assignment, visibility), each change recorded with its comment.

use super::query::select;
use crate::envelope::{Fail, Outcome, Reply};
use crate::input::Input;
use crate::state::State;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

const STATUSES: &[&str] = &["new", "in_progress", "reopened", "closed"];

/// The alerts a request may see: `include_hidden` (default true) keeps those hidden from the UI.
fn visible(state: &State, input: &Input) -> Vec<usize> {
    let hidden_too = input.query("include_hidden") != Some("false");
    (0..state.detections.alerts.len())
        .filter(|&a| hidden_too || state.detections.alerts[a].show_in_ui)
        .collect()
}

/// Newest first unless a `sort` says otherwise (Falcon's default `created_timestamp|desc`).
fn query_page(state: &State, input: &Input) -> Result<super::query::Page<usize>, Fail> {
    let mut items = visible(state, input);
    items.reverse();
    if let Some(q) = input.query("q").filter(|q| !q.trim().is_empty()) {
        let q = q.to_lowercase();
        items.retain(|&a| {
            state
                .alert_record(a)
                .to_string()
                .to_lowercase()
                .contains(&q)
        });
    }
    select(input, items, |&a| state.alert_record(a), 100)
}

pub fn query(state: &mut State, input: &Input) -> Outcome {
    let page = query_page(state, input)?;
    let ids = page
        .items
        .iter()
        .map(|&a| json!(state.detections.alerts[a].composite_id))
        .collect();
    Ok(Reply::resources(200, ids).paged(json!(page.offset), page.limit, page.total))
}

fn find(state: &State, id: &str) -> Option<usize> {
    state
        .detections
        .alerts
        .iter()
        .position(|a| a.composite_id == id || a.id == id)
}

fn indices(state: &State, ids: &[String]) -> Result<Vec<usize>, Fail> {
    super::query::indices_of("alert", ids, |id| find(state, id))
}

fn get(state: &State, input: &Input, field: &str) -> Outcome {
    let ids = input.body_ids(field)?;
    let hidden_too = input.query("include_hidden") != Some("false");
    let records = indices(state, &ids)?
        .into_iter()
        .filter(|&a| hidden_too || state.detections.alerts[a].show_in_ui)
        .map(|a| state.alert_record(a))
        .collect();
    Ok(Reply::resources(200, records))
}

pub fn get_v1(state: &mut State, input: &Input) -> Outcome {
    get(state, input, "ids")
}

pub fn get_v2(state: &mut State, input: &Input) -> Outcome {
    get(state, input, "composite_ids")
}

/// `POST /alerts/combined/alerts/v1`: the query's filter, sort and limit travel in the body, and the
/// next page is named by an `after` token.
pub fn combined(state: &mut State, input: &Input) -> Outcome {
    let body = input.body()?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let limit = match body.get("limit") {
        None | Some(Value::Null) => 100,
        Some(v) => match v.as_i64() {
            Some(n) if (1..=1000).contains(&n) => n,
            _ => return Err(Fail::bad("`limit` must be an integer between 1 and 1000")),
        },
    };
    let offset = match text("after").filter(|a| !a.is_empty()) {
        None => 0,
        Some(token) => token
            .strip_prefix("after-")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| Fail::bad(format!("invalid `after` token `{token}`")))?,
    };
    let mut query = vec![("limit".to_string(), limit.to_string())];
    for k in ["filter", "sort"] {
        if let Some(v) = text(k) {
            query.push((k.into(), v));
        }
    }
    let as_query = Input {
        query,
        ..Default::default()
    };
    let mut items = visible(state, input);
    items.reverse();
    let page =
        super::query::select_from(&as_query, items, |&a| state.alert_record(a), 100, offset)?;
    let next = page.offset + page.items.len();
    let after = if next < page.total {
        format!("after-{next}")
    } else {
        String::new()
    };
    let records = page.items.iter().map(|&a| state.alert_record(a)).collect();
    Ok(Reply::resources(200, records).meta(
        "pagination",
        json!({ "after": after, "limit": page.limit, "total": page.total }),
    ))
}

/// Aggregates: `terms` (count per value of a field, `size` buckets) and `count` over the alerts
/// an optional `filter` selects; other types answer 400 naming what is supported.
pub fn aggregate(state: &mut State, input: &Input) -> Outcome {
    let specs = input
        .body()?
        .as_array()
        .ok_or_else(|| Fail::bad("request body must be an array of aggregation requests"))?;
    let mut out = Vec::new();
    for spec in specs {
        let text = |k: &str| spec.get(k).and_then(Value::as_str).unwrap_or_default();
        let mut query = Vec::new();
        if !text("filter").is_empty() {
            query.push(("filter".to_string(), text("filter").to_string()));
        }
        let as_query = Input {
            query,
            ..Default::default()
        };
        let items = visible(state, input);
        let n = items.len().max(1);
        let page = super::query::select(&as_query, items, |&a| state.alert_record(a), n)?;
        let field = text("field");
        let name = if text("name").is_empty() {
            field
        } else {
            text("name")
        };
        let buckets = match text("type") {
            "terms" => {
                if field.is_empty() {
                    return Err(Fail::bad("a `terms` aggregation needs a `field`"));
                }
                let mut counts: BTreeMap<String, usize> = BTreeMap::new();
                for &a in &page.items {
                    let record = state.alert_record(a);
                    for v in values_at(&record, field) {
                        *counts.entry(v).or_default() += 1;
                    }
                }
                let size = spec.get("size").and_then(Value::as_u64).unwrap_or(10) as usize;
                let mut sorted: Vec<(String, usize)> = counts.into_iter().collect();
                sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                sorted
                    .into_iter()
                    .take(size.max(1))
                    .map(|(label, count)| json!({ "label": label, "count": count }))
                    .collect::<Vec<_>>()
            }
            "count" => vec![json!({ "label": name, "count": page.total })],
            other => {
                return Err(Fail::bad(format!(
                    "unsupported aggregation type `{other}`: the emulator answers `terms` and `count`"
                )));
            }
        };
        out.push(json!({ "name": name, "buckets": buckets, "sum_other_doc_count": 0 }));
    }
    Ok(Reply::resources(200, out))
}

/// The scalar values at a dotted path (arrays flattened).
fn values_at(record: &Value, path: &str) -> Vec<String> {
    let mut current = vec![record];
    for key in path.split('.') {
        current = current
            .into_iter()
            .flat_map(|v| match v {
                Value::Array(items) => items.iter().filter_map(|i| i.get(key)).collect::<Vec<_>>(),
                other => other.get(key).into_iter().collect(),
            })
            .collect();
    }
    current
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().map(scalar).collect(),
            other => vec![scalar(other)],
        })
        .collect()
}

fn scalar(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// One action parameter, validated: its name and its value as text.
fn actions(input: &Input) -> Result<Vec<(String, String)>, Fail> {
    let Some(params) = input.body()?.get("action_parameters") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for p in params.as_array().into_iter().flatten() {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let value = match p.get("value") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(b)) => b.to_string(),
            None | Some(Value::Null) => String::new(),
            Some(other) => other.to_string(),
        };
        match name {
            "update_status" if !STATUSES.contains(&value.as_str()) => {
                return Err(Fail::bad(format!(
                    "invalid `update_status` value `{value}`: expected one of {}",
                    STATUSES.join(", ")
                )));
            }
            "show_in_ui" if value != "true" && value != "false" => {
                return Err(Fail::bad(format!(
                    "invalid `show_in_ui` value `{value}`: expected true or false"
                )));
            }
            "update_status"
            | "show_in_ui"
            | "append_comment"
            | "add_tag"
            | "remove_tag"
            | "remove_tags_by_prefix"
            | "assign_to_name"
            | "assign_to_uuid"
            | "assign_to_user_id"
            | "unassign"
            | "new_behavior_processed" => {}
            other => {
                return Err(Fail::bad(format!(
                    "unknown action parameter `{other}`: expected update_status, append_comment, add_tag, remove_tag, remove_tags_by_prefix, assign_to_name, assign_to_uuid, assign_to_user_id, unassign, show_in_ui, new_behavior_processed"
                )));
            }
        }
        out.push((name.to_string(), value));
    }
    Ok(out)
}

fn update(state: &mut State, input: &Input, field: &str) -> Outcome {
    let ids = input.body_ids(field)?;
    let params = actions(input)?;
    if params.is_empty() {
        return Err(Fail::bad("missing required body field `action_parameters`"));
    }
    let found = indices(state, &ids)?;
    if input.query("include_hidden") == Some("false")
        && let Some(&a) = found
            .iter()
            .find(|&&a| !state.detections.alerts[a].show_in_ui)
    {
        return Err(Fail::not_found(format!(
            "alert not found: `{}` is hidden and `include_hidden` is false",
            state.detections.alerts[a].composite_id
        )));
    }
    state.apply_alert_actions(&found, &params);
    // `detectsapi.ResponseFields`: meta and errors only; the count goes in `meta.writes`.
    Ok(Reply::with_top(200, Map::new()).writes(found.len()))
}

pub fn update_v2(state: &mut State, input: &Input) -> Outcome {
    update(state, input, "ids")
}

pub fn update_v3(state: &mut State, input: &Input) -> Outcome {
    update(state, input, "composite_ids")
}
