//! Response policies: query, get, create (with `clone_id`), update, delete, enable/disable,
//! host group assignment, precedence per platform, and members (hosts the policy governs).

use super::query::{host_page, indices_of, resource_id, select};
use crate::envelope::{Fail, Outcome, Reply};
use crate::host::Platform;
use crate::input::Input;
use crate::policy::{
    DEFAULT_NAME, Policy, default_settings, parse_platform, platform_index, setting_applies,
    setting_index,
};
use crate::stamp::{API_USER, now_stamp};
use crate::state::State;
use falconry_model::text::ticked;
use serde_json::{Value, json};

fn all(state: &State) -> Vec<usize> {
    (0..state.policies.len()).collect()
}

pub fn query(state: &mut State, input: &Input) -> Outcome {
    let page = select(input, all(state), |&i| state.policy_query_record(i), 100)?;
    let ids = page
        .items
        .iter()
        .map(|&i| json!(state.policies[i].id))
        .collect();
    Ok(Reply::resources(200, ids).paged(json!(page.offset), page.limit, page.total))
}

pub fn query_combined(state: &mut State, input: &Input) -> Outcome {
    let page = select(input, all(state), |&i| state.policy_query_record(i), 100)?;
    let records = page.items.iter().map(|&i| state.policy_record(i)).collect();
    Ok(Reply::resources(200, records).paged(json!(page.offset), page.limit, page.total))
}

fn index_of(state: &State, id: &str) -> Option<usize> {
    state.policies.iter().position(|p| p.id == id)
}

/// Indices of the given policy ids, or 404 naming the unknown ones.
fn indices(state: &State, ids: &[String]) -> Result<Vec<usize>, Fail> {
    indices_of("response policy", ids, |id| index_of(state, id))
}

pub fn get(state: &mut State, input: &Input) -> Outcome {
    let ids = input.required_list("ids")?;
    let found = indices(state, &ids)?;
    let records = found.iter().map(|&i| state.policy_record(i)).collect();
    Ok(Reply::resources(200, records))
}

/// Applies `settings: [{id, value: {enabled}}]` to a policy of `platform`.
fn apply_settings(settings: &mut [bool], platform: Platform, list: &Value) -> Result<(), Fail> {
    let Some(items) = list.as_array() else {
        return Err(Fail::bad(
            "body field `settings` must be an array of `{id, value}`",
        ));
    };
    for item in items {
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| Fail::bad("each setting needs an `id`"))?;
        let i = setting_index(id)
            .ok_or_else(|| Fail::bad(format!("unknown response policy setting `{id}`")))?;
        if !setting_applies(id, platform) {
            return Err(Fail::bad(format!(
                "setting `{id}` does not exist in {} response policies",
                platform.name()
            )));
        }
        let value = item.get("value");
        let enabled = value
            .and_then(|v| v.get("enabled"))
            .or(value)
            .and_then(Value::as_bool)
            .ok_or_else(|| {
                Fail::bad(format!(
                    "setting `{id}` needs `value: {{\"enabled\": true|false}}`"
                ))
            })?;
        settings[i] = enabled;
    }
    Ok(())
}

pub fn create(state: &mut State, input: &Input) -> Outcome {
    let resources = input.body_resources()?.clone();
    let mut created = Vec::new();
    for r in &resources {
        let name = r.get("name").and_then(Value::as_str).unwrap_or("");
        if name.is_empty() {
            return Err(Fail::bad("missing required body field `resources[].name`"));
        }
        let platform_name = r
            .get("platform_name")
            .and_then(Value::as_str)
            .ok_or_else(|| Fail::bad("missing required body field `resources[].platform_name`"))?;
        let platform = parse_platform(platform_name).ok_or_else(|| {
            Fail::bad(format!(
                "`platform_name` must be one of Windows, Mac, Linux, got `{platform_name}`"
            ))
        })?;
        if state
            .policies
            .iter()
            .any(|p| p.platform == platform && p.name.eq_ignore_ascii_case(name))
        {
            return Err(Fail::new(
                // 400, unlike host groups (409): CrowdStrike's Terraform provider says so in
                // `internal/response_policy/response_policy_resource.go` ("TODO: Remove this detail
                // when the API is fixed to return 409 for duplicate names", commit 22a2e46, #266),
                // and explains a 400 on create as "This could be due to a duplicate name".
                400,
                format!(
                    "a {} response policy named `{name}` already exists",
                    platform.name()
                ),
            ));
        }
        let mut settings = default_settings();
        if let Some(clone_id) = r
            .get("clone_id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            let source = index_of(state, clone_id).ok_or_else(|| {
                Fail::not_found(format!(
                    "`clone_id`: response policy `{clone_id}` not found"
                ))
            })?;
            if state.policies[source].platform != platform {
                return Err(Fail::bad(format!(
                    "`clone_id` `{clone_id}` is a {} policy, not {}",
                    state.policies[source].platform.name(),
                    platform.name()
                )));
            }
            settings = state.policies[source].settings.clone();
        }
        if let Some(list) = r.get("settings") {
            apply_settings(&mut settings, platform, list)?;
        }
        let stamp = now_stamp();
        let id = state.ids.hex32();
        state.precedence[platform_index(platform)].push(id.clone());
        state.policies.push(Policy {
            id,
            name: name.to_string(),
            description: r
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            platform,
            // New policies start disabled, as in the console.
            enabled: false,
            settings,
            groups: Vec::new(),
            is_default: false,
            created_by: API_USER.into(),
            created_timestamp: stamp.clone(),
            modified_by: API_USER.into(),
            modified_timestamp: stamp,
        });
        created.push(state.policies.len() - 1);
    }
    let records = created.iter().map(|&i| state.policy_record(i)).collect();
    Ok(Reply::resources(201, records).writes(created.len()))
}

pub fn update(state: &mut State, input: &Input) -> Outcome {
    let resources = input.body_resources()?.clone();
    let mut updated = Vec::new();
    for r in &resources {
        let id = resource_id(r)?;
        let i = index_of(state, id)
            .ok_or_else(|| Fail::not_found(format!("response policy `{id}` not found")))?;
        let mut settings = state.policies[i].settings.clone();
        if let Some(list) = r.get("settings") {
            apply_settings(&mut settings, state.policies[i].platform, list)?;
        }
        let name = r
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty());
        if state.policies[i].is_default && name.is_some_and(|n| n != DEFAULT_NAME) {
            return Err(Fail::bad("the platform default policy cannot be renamed"));
        }
        let p = &mut state.policies[i];
        p.settings = settings;
        if let Some(name) = name {
            p.name = name.to_string();
        }
        if let Some(d) = r.get("description").and_then(Value::as_str) {
            p.description = d.to_string();
        }
        p.modified_by = API_USER.into();
        p.modified_timestamp = now_stamp();
        updated.push(i);
    }
    let records = updated.iter().map(|&i| state.policy_record(i)).collect();
    Ok(Reply::resources(200, records).writes(updated.len()))
}

pub fn delete(state: &mut State, input: &Input) -> Outcome {
    let ids = input.required_list("ids")?;
    let found = indices(state, &ids)?;
    if let Some(&i) = found.iter().find(|&&i| state.policies[i].is_default) {
        return Err(Fail::bad(format!(
            "the {} platform default policy `{}` cannot be deleted",
            state.policies[i].platform.name(),
            state.policies[i].id
        )));
    }
    for id in &ids {
        for order in &mut state.precedence {
            order.retain(|p| p != id);
        }
    }
    state.policies.retain(|p| !ids.contains(&p.id));
    Ok(Reply::resources(200, Vec::new()).writes(ids.len()))
}

pub fn perform_action(state: &mut State, input: &Input) -> Outcome {
    let action = input.required_query("action_name")?.to_string();
    let ids = input.body_ids("ids")?;
    let found = indices(state, &ids)?;
    match action.as_str() {
        "enable" | "disable" => {
            let enable = action == "enable";
            if !enable && let Some(&i) = found.iter().find(|&&i| state.policies[i].is_default) {
                return Err(Fail::bad(format!(
                    "the {} platform default policy cannot be disabled",
                    state.policies[i].platform.name()
                )));
            }
            for &i in &found {
                state.policies[i].enabled = enable;
            }
        }
        "add-host-group" | "remove-host-group" => {
            let group_id = input.action_parameter("group_id").ok_or_else(|| {
                Fail::bad(format!(
                    "`{action}` needs `action_parameters: [{{\"name\": \"group_id\", \"value\": ...}}]`"
                ))
            })?;
            if !state.groups.iter().any(|g| g.id == group_id) {
                return Err(Fail::not_found(format!(
                    "host group `{group_id}` not found"
                )));
            }
            for &i in &found {
                if state.policies[i].is_default {
                    return Err(Fail::bad(
                        "host groups cannot be assigned to the platform default policy",
                    ));
                }
                let groups = &mut state.policies[i].groups;
                if action == "add-host-group" {
                    if !groups.iter().any(|g| g == group_id) {
                        groups.push(group_id.to_string());
                    }
                } else {
                    groups.retain(|g| g != group_id);
                }
            }
        }
        "add-rule-group" | "remove-rule-group" => {
            return Err(Fail::bad(format!(
                "`{action}` does not apply to response policies (they have no rule groups)"
            )));
        }
        other => {
            return Err(Fail::bad(format!(
                "unknown `action_name` `{other}`: expected enable, disable, add-host-group, remove-host-group"
            )));
        }
    }
    let stamp = now_stamp();
    for &i in &found {
        state.policies[i].modified_timestamp = stamp.clone();
        state.policies[i].modified_by = API_USER.into();
    }
    let records = found.iter().map(|&i| state.policy_record(i)).collect();
    Ok(Reply::resources(200, records).writes(found.len()))
}

/// Every non-default policy of the platform must be listed, each once.
pub fn set_precedence(state: &mut State, input: &Input) -> Outcome {
    let ids = input.body_ids("ids")?;
    let platform_name = input.body_str("platform_name")?;
    let platform = parse_platform(platform_name).ok_or_else(|| {
        Fail::bad(format!(
            "`platform_name` must be one of Windows, Mac, Linux, got `{platform_name}`"
        ))
    })?;
    let found = indices(state, &ids)?;
    for &i in &found {
        let p = &state.policies[i];
        if p.platform != platform {
            return Err(Fail::bad(format!(
                "policy `{}` is a {} policy, not {}",
                p.id,
                p.platform.name(),
                platform.name()
            )));
        }
        if p.is_default {
            return Err(Fail::bad(format!(
                "the platform default policy `{}` always comes last and cannot be listed",
                p.id
            )));
        }
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = ids.iter().find(|id| !seen.insert(id.as_str())) {
        return Err(Fail::bad(format!("policy `{dup}` is listed twice")));
    }
    let missing: Vec<&str> = state
        .policies
        .iter()
        .filter(|p| p.platform == platform && !p.is_default && !ids.contains(&p.id))
        .map(|p| p.id.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(Fail::bad(format!(
            "precedence must list every non-default {} policy; missing {}",
            platform.name(),
            ticked(&missing)
        )));
    }
    state.precedence[platform_index(platform)] = ids.clone();
    Ok(Reply::resources(
        200,
        ids.into_iter().map(Value::String).collect(),
    ))
}

/// Hosts the policy governs (their effective policy); `id` is required.
fn members(state: &State, input: &Input) -> Result<Vec<usize>, Fail> {
    let id = input.required_query("id")?;
    let pi = index_of(state, id)
        .ok_or_else(|| Fail::not_found(format!("response policy `{id}` not found")))?;
    let platform = state.policies[pi].platform;
    Ok((0..state.hosts.len())
        .filter(|&h| state.hosts[h].host.platform == platform && state.effective_policy(h) == pi)
        .collect())
}

pub fn query_members(state: &mut State, input: &Input) -> Outcome {
    let hosts = members(state, input)?;
    host_page(state, input, hosts, false)
}

pub fn query_combined_members(state: &mut State, input: &Input) -> Outcome {
    let hosts = members(state, input)?;
    host_page(state, input, hosts, true)
}
