//! Custom IOCs (`indicator.*.v1`): create, search (FQL), read, update, delete, and where an
//! indicator was seen (device count, devices and processes it ran on). Every change re-applies the
//! `prevent` IOCs to the fleet.

use super::query::select_from;
use crate::envelope::{Fail, Outcome, Reply};
use crate::input::Input;
use crate::stamp::{API_USER, now_stamp};
use crate::state::State;
use serde_json::{Map, Value, json};

const TYPES: &[&str] = &["sha256", "md5", "domain", "ipv4", "ipv6"];
const ACTIONS: &[&str] = &["no_action", "allow", "prevent_no_ui", "prevent", "detect"];
const SEVERITIES: &[&str] = &["informational", "low", "medium", "high", "critical"];
const PLATFORMS: &[&str] = &["windows", "mac", "linux", "ios", "android"];

/// The fields a caller may set on an indicator.
const SETTABLE: &[&str] = &[
    "type",
    "value",
    "action",
    "severity",
    "platforms",
    "applied_globally",
    "host_groups",
    "tags",
    "description",
    "source",
    "expiration",
    "mobile_action",
    "metadata",
];

fn bad_value(field: &str, value: &Value, allowed: &[&str]) -> Fail {
    Fail::bad(format!(
        "indicator `{field}` {value} is not valid: expected one of {}",
        allowed.join(", ")
    ))
}

/// Checks one indicator's fields (after an update merged them): types, vocabularies, value format.
fn check(record: &Map<String, Value>) -> Result<(), Fail> {
    let text = |k: &str| record.get(k).and_then(Value::as_str).unwrap_or_default();
    let ty = text("type");
    if !TYPES.contains(&ty) {
        return Err(bad_value("type", &json!(ty), TYPES));
    }
    let value = text("value");
    let hex = |n: usize| value.len() == n && value.bytes().all(|b| b.is_ascii_hexdigit());
    let ok = match ty {
        "sha256" => hex(64),
        "md5" => hex(32),
        "domain" => (1..=200).contains(&value.len()) && !value.contains(char::is_whitespace),
        "ipv4" => value.parse::<std::net::Ipv4Addr>().is_ok(),
        _ => value.parse::<std::net::Ipv6Addr>().is_ok(),
    };
    if !ok {
        return Err(Fail::bad(format!(
            "indicator value `{value}` is not a valid {ty}"
        )));
    }
    for (field, allowed) in [("action", ACTIONS), ("severity", SEVERITIES)] {
        match record.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.is_empty() && field == "severity" => {}
            Some(v @ Value::String(s)) if !allowed.contains(&s.to_lowercase().as_str()) => {
                return Err(bad_value(field, v, allowed));
            }
            Some(Value::String(_)) => {}
            Some(v) => return Err(bad_value(field, v, allowed)),
        }
    }
    for p in record
        .get("platforms")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if !p
            .as_str()
            .is_some_and(|s| PLATFORMS.contains(&s.to_lowercase().as_str()))
        {
            return Err(bad_value("platforms", p, PLATFORMS));
        }
    }
    let global = record.get("applied_globally") == Some(&Value::Bool(true));
    let groups = record
        .get("host_groups")
        .and_then(Value::as_array)
        .is_some_and(|g| !g.is_empty());
    if !global && !groups {
        return Err(Fail::bad(
            "indicator must be `applied_globally` or name `host_groups`",
        ));
    }
    Ok(())
}

/// The ids of the given indicators' host groups must exist.
fn check_groups(state: &State, record: &Map<String, Value>) -> Result<(), Fail> {
    let ids: Vec<String> = record
        .get("host_groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    super::query::require_known("host group", &ids, |id| {
        state.groups.iter().any(|g| g.id == id)
    })
}

fn items(input: &Input) -> Result<Vec<Map<String, Value>>, Fail> {
    let missing = || Fail::bad("missing required body field `indicators`");
    let list = input
        .body()?
        .get("indicators")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
        .ok_or_else(missing)?;
    list.iter()
        .map(|v| {
            v.as_object()
                .cloned()
                .ok_or_else(|| Fail::bad("body field `indicators[]` must hold objects"))
        })
        .collect()
}

fn settable(from: &Map<String, Value>, into: &mut Map<String, Value>) {
    for k in SETTABLE {
        if let Some(v) = from.get(*k).filter(|v| !v.is_null()) {
            let v = match (*k, v) {
                ("type" | "action" | "severity", Value::String(s)) => json!(s.to_lowercase()),
                ("value", Value::String(s))
                    if from
                        .get("type")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t == "sha256" || t == "md5") =>
                {
                    json!(s.to_lowercase())
                }
                _ => v.clone(),
            };
            into.insert((*k).to_string(), v);
        }
    }
}

pub fn create(state: &mut State, input: &Input) -> Outcome {
    let given = items(input)?;
    let stamp = now_stamp();
    let mut created = Vec::new();
    for item in &given {
        let mut record = Map::new();
        for (k, v) in [
            ("action", json!("no_action")),
            ("severity", json!("")),
            ("platforms", json!([])),
            ("applied_globally", json!(false)),
            ("host_groups", json!([])),
            ("tags", json!([])),
            ("description", json!("")),
            ("source", json!("")),
            ("mobile_action", json!("")),
        ] {
            record.insert(k.into(), v);
        }
        settable(item, &mut record);
        check(&record)?;
        check_groups(state, &record)?;
        let (ty, value) = (record["type"].clone(), record["value"].clone());
        let duplicate = state
            .detections
            .indicators
            .iter()
            .chain(created.iter())
            .any(|r| r["type"] == ty && r["value"] == value);
        if duplicate {
            return Err(Fail::bad(format!(
                "Duplicate type: {ty} and value: {value} combination."
            )));
        }
        let id = format!("{}{}", state.ids.hex32(), state.ids.hex32());
        record.insert("id".into(), json!(id));
        for (k, v) in [
            ("created_on", json!(stamp)),
            ("created_by", json!(API_USER)),
            ("modified_on", json!(stamp)),
            ("modified_by", json!(API_USER)),
            ("deleted", json!(false)),
            ("expired", json!(false)),
            ("from_parent", json!(false)),
        ] {
            record.insert(k.into(), v);
        }
        created.push(Value::Object(record));
    }
    state.detections.indicators.extend(created.iter().cloned());
    state.apply_iocs();
    Ok(Reply::resources(201, created))
}

fn position(state: &State, id: &str) -> Option<usize> {
    state
        .detections
        .indicators
        .iter()
        .position(|r| r["id"] == id)
}

pub fn update(state: &mut State, input: &Input) -> Outcome {
    let given = items(input)?;
    let stamp = now_stamp();
    let mut changed = Vec::new();
    let mut updated: Vec<(usize, Value)> = Vec::new();
    for item in &given {
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| Fail::bad("missing required body field `indicators[].id`"))?;
        let i = position(state, id)
            .ok_or_else(|| Fail::not_found(format!("indicator not found: `{id}`")))?;
        let Value::Object(mut record) = state.detections.indicators[i].clone() else {
            continue;
        };
        settable(item, &mut record);
        check(&record)?;
        check_groups(state, &record)?;
        record.insert("modified_on".into(), json!(stamp));
        record.insert("modified_by".into(), json!(API_USER));
        updated.push((i, Value::Object(record)));
    }
    for (i, record) in updated {
        state.detections.indicators[i] = record.clone();
        changed.push(record);
    }
    state.apply_iocs();
    Ok(Reply::resources(200, changed))
}

pub fn get(state: &mut State, input: &Input) -> Outcome {
    let ids = input.required_list("ids")?;
    let found = super::query::indices_of("indicator", &ids, |id| position(state, id))?;
    Ok(Reply::resources(
        200,
        found
            .iter()
            .map(|&i| state.detections.indicators[i].clone())
            .collect(),
    ))
}

/// `offset` or `after` (mutually exclusive), FQL `filter`, `sort`; `meta.pagination` is
/// `api.IndicatorsQueryPaging {after, limit, offset, total}`.
fn page(state: &State, input: &Input) -> Result<(super::query::Page<usize>, String), Fail> {
    let after = input.query("after").filter(|a| !a.is_empty());
    if after.is_some() && input.query("offset").is_some() {
        return Err(Fail::bad("`offset` and `after` cannot be combined"));
    }
    let offset = match after {
        Some(token) => token
            .strip_prefix("after-")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| Fail::bad(format!("invalid `after` token `{token}`")))?,
        None => input.int("offset")?.unwrap_or(0).max(0) as usize,
    };
    let all = (0..state.detections.indicators.len()).collect();
    let page = select_from(
        input,
        all,
        |&i| state.detections.indicators[i].clone(),
        100,
        offset,
    )?;
    let next = page.offset + page.items.len();
    let token = if next < page.total {
        format!("after-{next}")
    } else {
        String::new()
    };
    Ok((page, token))
}

fn paged(reply: Reply, page: &super::query::Page<usize>, after: String) -> Reply {
    reply.meta(
        "pagination",
        json!({ "offset": page.offset, "limit": page.limit, "total": page.total, "after": after }),
    )
}

pub fn search(state: &mut State, input: &Input) -> Outcome {
    let (page, after) = page(state, input)?;
    let ids = page
        .items
        .iter()
        .map(|&i| state.detections.indicators[i]["id"].clone())
        .collect();
    Ok(paged(Reply::resources(200, ids), &page, after))
}

pub fn combined(state: &mut State, input: &Input) -> Outcome {
    let (page, after) = page(state, input)?;
    let records = page
        .items
        .iter()
        .map(|&i| state.detections.indicators[i].clone())
        .collect();
    Ok(paged(Reply::resources(200, records), &page, after))
}

/// Deletes by `filter` (which wins) or `ids`; answers the deleted ids.
pub fn delete(state: &mut State, input: &Input) -> Outcome {
    let doomed: Vec<usize> = match input.query("filter").filter(|f| !f.trim().is_empty()) {
        Some(_) => {
            let all = (0..state.detections.indicators.len()).collect();
            let n = state.detections.indicators.len().max(1);
            let as_query = Input {
                query: vec![
                    (
                        "filter".into(),
                        input.query("filter").unwrap_or_default().into(),
                    ),
                    ("limit".into(), n.to_string()),
                ],
                ..Default::default()
            };
            select_from(
                &as_query,
                all,
                |&i| state.detections.indicators[i].clone(),
                n,
                0,
            )?
            .items
        }
        None => {
            let ids = input.query_list("ids");
            if ids.is_empty() {
                return Err(Fail::bad(
                    "give `ids` or a `filter` of the indicators to delete",
                ));
            }
            super::query::indices_of("indicator", &ids, |id| position(state, id))?
        }
    };
    let ids: Vec<Value> = doomed
        .iter()
        .map(|&i| state.detections.indicators[i]["id"].clone())
        .collect();
    let mut i = 0;
    state.detections.indicators.retain(|_| {
        i += 1;
        !doomed.contains(&(i - 1))
    });
    state.apply_iocs();
    Ok(Reply::resources(200, ids))
}

/// The alerts whose observable matches an indicator `type`/`value`.
fn sightings(state: &State, input: &Input) -> Result<Vec<usize>, Fail> {
    let ty = input.required_query("type")?;
    let value = input.required_query("value")?.to_lowercase();
    if !TYPES.contains(&ty) {
        return Err(bad_value("type", &json!(ty), TYPES));
    }
    Ok((0..state.detections.alerts.len())
        .filter(|&a| {
            let alert = &state.detections.alerts[a];
            match ty {
                "sha256" => alert.sha256 == value,
                "md5" => alert.md5 == value,
                _ => false,
            }
        })
        .collect())
}

fn hosts_of(state: &State, alerts: &[usize]) -> Vec<String> {
    let mut ids: Vec<String> = alerts
        .iter()
        .map(|&a| {
            state.hosts[state.detections.alerts[a].host]
                .host
                .device_id
                .clone()
        })
        .collect();
    ids.dedup();
    ids
}

pub fn devices_count(state: &mut State, input: &Input) -> Outcome {
    let seen = sightings(state, input)?;
    let count = hosts_of(state, &seen).len();
    if count == 0 {
        return Err(Fail::not_found(format!(
            "No results found for {} - {}",
            input.query("type").unwrap_or_default(),
            input.query("value").unwrap_or_default()
        )));
    }
    Ok(Reply::resources(
        200,
        vec![json!({
            "device_count": count,
            "limit_exceeded": false,
            "type": input.query("type"),
            "value": input.query("value"),
        })],
    ))
}

pub fn devices_ran_on(state: &mut State, input: &Input) -> Outcome {
    let seen = sightings(state, input)?;
    let ids: Vec<Value> = hosts_of(state, &seen)
        .into_iter()
        .map(Value::String)
        .collect();
    let total = ids.len();
    Ok(Reply::resources(200, ids).meta(
        "pagination",
        json!({ "offset": "", "limit": total.max(1), "total": total }),
    ))
}

pub fn processes_ran_on(state: &mut State, input: &Input) -> Outcome {
    let device = input.required_query("device_id")?.to_string();
    let seen = sightings(state, input)?;
    let ids: Vec<Value> = seen
        .iter()
        .map(|&a| &state.detections.alerts[a])
        .filter(|alert| state.hosts[alert.host].host.device_id == device)
        .map(|alert| json!(format!("pid:{device}:{}", alert.detection.pid)))
        .collect();
    let total = ids.len();
    Ok(Reply::resources(200, ids).meta(
        "pagination",
        json!({ "offset": "", "limit": total.max(1), "total": total }),
    ))
}
