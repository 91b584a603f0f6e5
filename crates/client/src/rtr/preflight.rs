//! `rtr::preflight(device_ids, command)`: before anything runs, which hosts would take the command,
//! which would refuse it (and because of which response policy and setting), and which are offline.
//! Only read operations of the public API, so it tells the truth about a real tenant too.

use super::command::known;
use crate::engine::Context;
use crate::helpers::caller::{self, Result, str_of};
use crate::helpers::hosts;
use crate::ops::OpId;
use crate::policies::{Policies, unsupported_on};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// `get_online_state` takes up to 100 ids per request.
const ONLINE_PAGE: usize = 100;

/// `#{command, ready, refused, offline, unknown, hostnames}`; `ready`, `offline` and `unknown` are
/// device ids, `refused` entries are `#{device_id, hostname, policy_id, policy_name, setting, reason}`.
pub fn preflight(ctx: &Context, ids: &[String], command_string: &str) -> Result<Value> {
    let (_, command) = known(command_string, crate::platform::Platforms::NONE)
        .map_err(|e| e.context("`rtr::preflight`".to_string()))?;
    let found = hosts::lookup(ctx, ids)?;
    let known: Vec<String> = ids
        .iter()
        .filter(|id| found.contains_key(*id))
        .cloned()
        .collect();
    let online = online_states(ctx, &known)?;
    let policies = Policies::load(ctx)?;
    let (mut ready, mut offline, mut unknown, mut refused) = (vec![], vec![], vec![], vec![]);
    let mut hostnames = Map::new();
    for id in ids {
        let Some(host) = found.get(id) else {
            unknown.push(id.clone());
            continue;
        };
        hostnames.insert(id.clone(), json!(host.hostname));
        let refusal = if unsupported_on(command, host) {
            Some((
                None,
                None,
                format!("`{}` is not available on {}", command.name, host.platform),
            ))
        } else {
            match policies.effective(host) {
                None => Some((
                    None,
                    None,
                    format!("no response policy for platform `{}`", host.platform),
                )),
                Some(p) => p.refuses(command).map(|setting| {
                    (
                        Some(p),
                        Some(setting),
                        format!(
                            "response policy `{}` has setting `{setting}` disabled",
                            p.name
                        ),
                    )
                }),
            }
        };
        if let Some((policy, setting, reason)) = refusal {
            refused.push(json!({
                "device_id": id,
                "hostname": host.hostname,
                "policy_id": policy.map(|p| p.id.clone()),
                "policy_name": policy.map(|p| p.name.clone()),
                "setting": setting,
                "reason": reason,
            }));
        } else if online.get(id).map(String::as_str) == Some("online") {
            ready.push(id.clone());
        } else {
            offline.push(id.clone());
        }
    }
    Ok(json!({
        "command": command_string.trim(),
        "ready": ready,
        "refused": refused,
        "offline": offline,
        "unknown": unknown,
        "hostnames": hostnames,
    }))
}

/// Device id -> `online`, `offline` or `unknown`.
fn online_states(ctx: &Context, ids: &[String]) -> Result<HashMap<String, String>> {
    let mut states = HashMap::new();
    for chunk in ids.chunks(ONLINE_PAGE) {
        let resp = caller::send(ctx, OpId::GetOnlineStateV1, json!({ "ids": chunk }))?;
        for r in caller::resources(&resp) {
            states.insert(
                str_of(&r, "id").to_string(),
                str_of(&r, "state").to_string(),
            );
        }
    }
    Ok(states)
}
