//! The RTR impact of a plan: each host's effective policy before and after (resolved as Falcon does,
//! by `policies`), and which RTR capabilities it gains or loses.

use super::change::{Action, Change};
use super::names::key;
use super::tenant::Tenant;
use super::{Policies, Policy, unsupported_on};
use crate::helpers::hosts::HostInfo;
use crate::ops::commands::{COMMANDS, RTR_SETTING};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};

/// What `RealTimeFunctionality` gives: connecting, and every command no other setting gates.
const RTR_CAPABILITY: &str = "rtr";

#[derive(Clone, Debug, PartialEq)]
pub struct HostImpact {
    pub device_id: String,
    pub hostname: String,
    pub platform: String,
    pub policy_before: String,
    pub policy_after: String,
    pub lose: Vec<String>,
    pub gain: Vec<String>,
    /// The host's groups through which its policy applies (the new one's, or the old one's when the
    /// host falls back to the default), by name: why the change reaches this host.
    pub groups: Vec<String>,
}

impl HostImpact {
    pub fn to_json(&self) -> Value {
        json!({
            "device_id": self.device_id,
            "hostname": self.hostname,
            "platform": self.platform,
            "policy_before": self.policy_before,
            "policy_after": self.policy_after,
            "lose": self.lose,
            "gain": self.gain,
            "host_groups": self.groups,
        })
    }
}

/// The policies as they will be once `changes` are applied (new policies get a stand-in id).
/// Policies are found through an index by (platform, name as Falcon compares it): linear in the
/// number of changes and policies, as a plan of 200,000 must be.
pub fn project(tenant: &Tenant, changes: &[Change]) -> Vec<Policy> {
    let mut policies: Vec<Option<Policy>> = tenant.policies.iter().cloned().map(Some).collect();
    let at = |platform: &str, name: &str| (platform.to_ascii_lowercase(), key(name));
    let mut index: HashMap<(String, String), usize> = policies
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.as_ref().map(|p| (at(&p.platform, &p.name), i)))
        .collect();
    for c in changes {
        let here = at(c.platform, &c.policy);
        match &c.action {
            Action::Create {
                description,
                settings,
            } => {
                let mut p = Policy::from_record(&json!({
                    "id": format!("(new) {}", c.policy),
                    "name": c.policy,
                    "description": description,
                    "platform_name": c.platform,
                    "enabled": false,
                    "precedence": i64::MAX - 1,
                }));
                for (s, on) in settings {
                    p.set(s, *on);
                }
                policies.push(Some(p));
                index.insert(here, policies.len() - 1);
            }
            Action::Precedence { to, .. } => {
                for (rank, name) in to.iter().enumerate() {
                    let found = index.get(&at(c.platform, name)).copied();
                    if let Some(p) = found.and_then(|i| policies[i].as_mut())
                        && !p.is_default()
                    {
                        p.precedence = rank as i64 + 1;
                    }
                }
            }
            Action::Delete => {
                if let Some(i) = index.remove(&here) {
                    policies[i] = None;
                }
            }
            action => {
                let Some(p) = index.get(&here).copied().and_then(|i| policies[i].as_mut()) else {
                    continue;
                };
                match action {
                    Action::Update { settings, .. } => {
                        for (s, _, on) in settings {
                            p.set(s, *on);
                        }
                    }
                    Action::Enable => p.enabled = true,
                    Action::Disable => p.enabled = false,
                    Action::AddHostGroup { group_id, .. } => p.groups.push(group_id.clone()),
                    Action::RemoveHostGroup { group_id, .. } => p.groups.retain(|g| g != group_id),
                    _ => {}
                }
            }
        }
    }
    policies.into_iter().flatten().collect()
}

/// Every host whose effective policy or capabilities change, in the tenant's host order.
pub fn impact(tenant: &Tenant, changes: &[Change]) -> Vec<HostImpact> {
    let before = Policies::from_list(tenant.policies.clone());
    let after = Policies::from_list(project(tenant, changes));
    let mut out = Vec::new();
    for host in &tenant.hosts {
        let (pb, pa) = (before.effective(host), after.effective(host));
        let (cb, ca) = (capabilities(host, pb), capabilities(host, pa));
        let name = |p: Option<&Policy>| p.map_or_else(|| "(none)".to_string(), |p| p.name.clone());
        let (nb, na) = (name(pb), name(pa));
        if cb == ca && nb == na {
            continue;
        }
        let through = pa
            .filter(|p| !p.is_default())
            .or(pb.filter(|p| !p.is_default()));
        let groups = host_groups(host)
            .into_iter()
            .filter(|g| through.is_some_and(|p| p.groups.iter().any(|pg| pg == g)))
            .map(|g| tenant.group_name(g).unwrap_or(g).to_string())
            .collect();
        out.push(HostImpact {
            groups,
            device_id: host.device_id.clone(),
            hostname: host.hostname.clone(),
            platform: host.platform.clone(),
            policy_before: nb,
            policy_after: na,
            lose: cb.difference(&ca).cloned().collect(),
            gain: ca.difference(&cb).cloned().collect(),
        });
    }
    out
}

/// The ids of the host groups a host record names.
fn host_groups(host: &HostInfo) -> Vec<&str> {
    host.record
        .get("groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// What RTR lets a responder do on `host` under `policy`: `rtr` (connect, and the commands no setting
/// gates) and each command a setting gates that the platform has and the policy does not refuse.
pub fn capabilities(host: &HostInfo, policy: Option<&Policy>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(p) = policy.filter(|p| p.allows(RTR_SETTING)) else {
        return out;
    };
    out.insert(RTR_CAPABILITY.to_string());
    out.extend(
        COMMANDS
            .iter()
            .filter(|c| c.setting.is_some() && !unsupported_on(c, host) && p.refuses(c).is_none())
            .map(|c| c.name.to_string()),
    );
    out
}
