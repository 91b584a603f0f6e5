//! Hosts: device queries (paged and scroll), details, online state and actions (containment, hiding).

use super::query::{Page, require_known, select, select_from};
use crate::envelope::{Fail, Outcome, Reply};
use crate::host::clock;
use crate::input::Input;
use crate::scroll;
use crate::state::State;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn visible(state: &State) -> Vec<usize> {
    (0..state.hosts.len())
        .filter(|&i| !state.hosts[i].hidden)
        .collect()
}

pub fn query(state: &mut State, input: &Input) -> Outcome {
    id_page(state, input, visible(state))
}

/// A page of device ids among `hosts`, filtered, sorted and paged.
fn id_page(state: &State, input: &Input, hosts: Vec<usize>) -> Outcome {
    let page = select(input, hosts, |&i| state.device_record(i), 100)?;
    let ids = page
        .items
        .iter()
        .map(|&i| json!(state.hosts[i].host.device_id))
        .collect();
    Ok(Reply::resources(200, ids).paged(json!(page.offset), page.limit, page.total))
}

/// One page of `hosts` (the visible or the hidden ones): a new query from the start, or the next page of the query an
/// `offset` token opened (`scroll`). A token names its query: a different `filter` or `sort` beside
/// it is refused rather than paged as if it were the token's (no capture shows Falcon's answer to
/// that; DEVIATIONS.md). Returns the page and the token to send for the next one.
fn scroll_page(
    state: &mut State,
    input: &Input,
    hosts: Vec<usize>,
) -> Result<(Page<usize>, String), Fail> {
    let filter = input.query("filter").unwrap_or("").trim().to_string();
    let sort = input.query("sort").unwrap_or("").trim().to_string();
    let now = Instant::now();
    state.scrolls.retain(|_, s| s.expires > now);
    let (token, start, limit) = match input.query("offset").map(str::trim) {
        None | Some("") => (None, 0, None),
        Some(token) => {
            let s = state.scrolls.get(token).ok_or_else(|| {
                Fail::bad(format!(
                    "invalid scroll `offset` `{token}`: unknown or expired (a scroll `offset` lives {}s after its last use)",
                    scroll::LIFETIME.as_secs()
                ))
            })?;
            if (!filter.is_empty() && filter != s.filter) || (!sort.is_empty() && sort != s.sort) {
                return Err(Fail::bad(
                    "the scroll `offset` belongs to another query: send it with its own `filter` and `sort`, or alone",
                ));
            }
            (Some(token.to_string()), s.next, s.limit.clone())
        }
    };
    let (filter, sort) = match &token {
        Some(t) => (
            state.scrolls[t].filter.clone(),
            state.scrolls[t].sort.clone(),
        ),
        None => (filter, sort),
    };
    let mut pairs: Vec<(String, String)> = vec![
        ("filter".into(), filter.clone()),
        ("sort".into(), sort.clone()),
    ];
    let limit = input.query("limit").map(String::from).or(limit);
    if let Some(l) = &limit {
        pairs.push(("limit".into(), l.clone()));
    }
    let query = Input {
        query: pairs,
        ..Input::default()
    };
    let page = select_from(&query, hosts, |&i| state.device_record(i), 100, start)?;
    let next = page.offset + page.items.len();
    let token = token.unwrap_or_else(|| scroll::token(&state.ids.uuid()));
    state.scrolls.insert(
        token.clone(),
        scroll::Scroll {
            filter,
            sort,
            limit,
            next,
            expires: now + scroll::LIFETIME,
        },
    );
    Ok((page, token))
}

fn scroll_reply(resources: Vec<Value>, token: &str, limit: usize, total: usize) -> Reply {
    // `deviceapi.DevicePagingV2`: the token's expiry sits inside `pagination`, in nanoseconds.
    Reply::resources(200, resources).meta(
        "pagination",
        json!({ "offset": token, "limit": limit, "total": total, "expires_at": scroll::expires_at() as u64 }),
    )
}

pub fn query_scroll(state: &mut State, input: &Input) -> Outcome {
    let hosts = visible(state);
    let (page, token) = scroll_page(state, input, hosts)?;
    let ids = page
        .items
        .iter()
        .map(|&i| json!(state.hosts[i].host.device_id))
        .collect();
    Ok(scroll_reply(ids, &token, page.limit, page.total))
}

pub fn combined(state: &mut State, input: &Input) -> Outcome {
    let hosts = visible(state);
    combined_of(state, input, hosts)
}

fn combined_of(state: &mut State, input: &Input, hosts: Vec<usize>) -> Outcome {
    let (page, token) = scroll_page(state, input, hosts)?;
    let fields = input.query_list("fields");
    let records = page
        .items
        .iter()
        .map(|&i| {
            let record = state.device_record(i);
            if fields.is_empty() {
                return record;
            }
            let mut picked = serde_json::Map::new();
            for f in &fields {
                if let Some(v) = record.get(f) {
                    picked.insert(f.clone(), v.clone());
                }
            }
            // `fields=` narrows the record but never drops what `deviceapi.DeviceSwagger` requires.
            for required in ["cid", "device_id"] {
                picked.insert(required.into(), record[required].clone());
            }
            Value::Object(picked)
        })
        .collect();
    Ok(scroll_reply(records, &token, page.limit, page.total))
}

fn indices(state: &State, ids: &[String]) -> Result<Vec<usize>, Fail> {
    require_known("device", ids, |id| state.host_index.contains_key(id))?;
    Ok(ids.iter().map(|id| state.host_index[id]).collect())
}

fn details(state: &State, ids: &[String]) -> Outcome {
    if ids.len() > 5000 {
        return Err(Fail::bad("at most 5000 `ids` per request"));
    }
    let found = indices(state, ids)?;
    Ok(Reply::resources(
        200,
        found.iter().map(|&i| state.device_record(i)).collect(),
    ))
}

/// At most 100 ids: the spec's `maxItems: 100` (the POST form takes 5000), which the operation table
/// carries and `Input::validate` enforces, in the words of `at_most_100`'s captures.
pub fn details_get(state: &mut State, input: &Input) -> Outcome {
    details(state, &input.required_list("ids")?)
}

/// caracara#99 quotes the online-state answer for more than 100 ids (Falcon-Toolkit#77 too):
/// `{"errors":[{"code":400,"message":"request must contain between 0 and 100 ids"}]}`. The spec gives
/// this operation no `maxItems`, so the table cannot say it: the captures do.
fn at_most_100(ids: &[String]) -> Result<(), Fail> {
    crate::input::at_most_ids(ids.len(), 100)
}

pub fn details_post(state: &mut State, input: &Input) -> Outcome {
    details(state, &input.body_ids("ids")?)
}

pub fn online_state(state: &mut State, input: &Input) -> Outcome {
    let ids = input.required_list("ids")?;
    at_most_100(&ids)?;
    let found = indices(state, &ids)?;
    let resources = found
        .iter()
        .map(|&i| {
            let h = &state.hosts[i];
            json!({
                "id": h.host.device_id,
                "cid": state.scenario.cid,
                "state": if h.host.online { "online" } else { "offline" },
                "last_seen": clock::rfc3339(h.host.seen()),
            })
        })
        .collect();
    Ok(Reply::resources(200, resources))
}

/// Containment goes through a pending status that settles after the command latency. Containing a
/// host that is contained (or on its way) and lifting containment from one that is not are refused
/// with 409, as the spec documents, and nothing changes; hiding and detection flags are idempotent.
pub fn perform_action(state: &mut State, input: &Input) -> Outcome {
    let action = input.required_query("action_name")?.to_string();
    let ids = input.body_ids("ids")?;
    let found = indices(state, &ids)?;
    let refused_from: &[&str] = match action.as_str() {
        "contain" => &["contained", "containment_pending"],
        "lift_containment" => &["normal", "lift_containment_pending"],
        "hide_host" | "unhide_host" | "detection_suppress" | "detection_unsuppress" => &[],
        other => {
            return Err(Fail::bad(format!(
                "unknown `action_name` `{other}`: expected contain, lift_containment, hide_host, unhide_host, detection_suppress, detection_unsuppress"
            )));
        }
    };
    let conflicts: Vec<String> = found
        .iter()
        .filter(|&&i| refused_from.contains(&state.host_status(i)))
        .map(|&i| {
            format!(
                "`{}` ({})",
                state.hosts[i].host.device_id,
                state.host_status(i)
            )
        })
        .collect();
    if !conflicts.is_empty() {
        return Err(Fail::new(
            409,
            format!(
                "`{action}` conflicts with the current state of {}",
                conflicts.join(", ")
            ),
        ));
    }
    let settle = Instant::now() + Duration::from_millis(state.scenario.command_latency_ms);
    for &i in &found {
        let entry = &mut state.hosts[i];
        match action.as_str() {
            "contain" => {
                entry.status = "containment_pending";
                entry.settles = Some((settle, "contained"));
            }
            "lift_containment" => {
                entry.status = "lift_containment_pending";
                entry.settles = Some((settle, "normal"));
            }
            "hide_host" => entry.hidden = true,
            "unhide_host" => entry.hidden = false,
            _ => {}
        }
    }
    let resources = ids
        .iter()
        .map(|id| json!({ "id": id, "path": "" }))
        .collect();
    Ok(Reply::resources(202, resources))
}

fn hidden(state: &State) -> Vec<usize> {
    (0..state.hosts.len())
        .filter(|&i| state.hosts[i].hidden)
        .collect()
}

/// `QueryHiddenDevices`: the hosts `hide_host` took out of the device queries.
pub fn query_hidden(state: &mut State, input: &Input) -> Outcome {
    id_page(state, input, hidden(state))
}

/// `CombinedHiddenDevicesByFilter`: the hidden hosts' records (`fields` narrows them), by scroll token.
pub fn combined_hidden(state: &mut State, input: &Input) -> Outcome {
    let hosts = hidden(state);
    combined_of(state, input, hosts)
}

/// Only Falcon grouping tags can be changed through the API (sensor tags are set at install).
const TAG_PREFIX: &str = "FalconGroupingTags/";

/// `UpdateDeviceTags`: adds or removes Falcon grouping tags; a tag change may move a host into or out of
/// dynamic host groups (and so change its response policy).
pub fn update_tags(state: &mut State, input: &Input) -> Outcome {
    let action = input.body_str("action")?.to_string();
    if action != "add" && action != "remove" {
        return Err(Fail::bad(format!(
            "invalid `action` `{action}`: expected add or remove"
        )));
    }
    let ids = input.body_ids("device_ids")?;
    let tags = input.body_ids("tags")?;
    if let Some(t) = tags.iter().find(|t| !t.starts_with(TAG_PREFIX)) {
        return Err(Fail::bad(format!(
            "invalid tag `{t}`: only `{TAG_PREFIX}...` tags can be changed"
        )));
    }
    let found = indices(state, &ids)?;
    let mut resources = Vec::new();
    for &i in &found {
        let host = &mut state.hosts[i].host;
        let before = host.tags.clone();
        for t in &tags {
            if action == "add" && !host.tags.contains(t) {
                host.tags.push(t.clone());
            } else if action == "remove" {
                host.tags.retain(|x| x != t);
            }
        }
        resources.push(json!({
            "device_id": host.device_id,
            "updated": host.tags != before,
            "code": 200,
        }));
    }
    // Prevent IOCs aimed at host groups follow the host into its new dynamic groups.
    state.apply_iocs();
    Ok(Reply::resources(202, resources))
}
