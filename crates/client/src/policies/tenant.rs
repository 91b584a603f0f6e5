//! The tenant as the policy commands see it, read through the public API: every response policy,
//! the host groups (id and name) and the hosts (platform and groups, for the RTR impact).

use super::error::Result;
use super::{DEFAULT_POLICY, SETTINGS};
use super::{Policy, load_records};
use crate::engine::Context;
use crate::helpers::caller::{self, str_of};
use crate::helpers::hosts::{self, HostInfo};
use crate::ops::OpId;
use serde_json::{Value, json};

const GROUP_PAGE: usize = 500;

pub struct Tenant {
    /// Every platform's, highest precedence first within a platform.
    pub policies: Vec<Policy>,
    /// (id, name) of every host group.
    pub groups: Vec<(String, String)>,
    pub hosts: Vec<HostInfo>,
}

impl Tenant {
    /// Policies, host groups and hosts: what a plan needs.
    pub fn load(ctx: &Context) -> Result<Tenant> {
        let mut tenant = Tenant::load_policies(ctx)?;
        tenant.hosts = hosts::find_all(ctx, "")?;
        Ok(tenant)
    }

    /// Policies and host groups without the hosts (an export needs no impact; the host list is most
    /// of the reading on a large fleet).
    pub fn load_policies(ctx: &Context) -> Result<Tenant> {
        let mut policies: Vec<Policy> =
            load_records(ctx)?.iter().map(Policy::from_record).collect();
        policies.sort_by(|a, b| {
            (a.platform.to_ascii_lowercase(), a.precedence)
                .cmp(&(b.platform.to_ascii_lowercase(), b.precedence))
        });
        Ok(Tenant {
            policies,
            groups: load_groups(ctx)?,
            hosts: Vec::new(),
        })
    }

    /// The platform's policies, highest precedence first, the default excluded.
    pub fn ordered(&self, platform: &str) -> Vec<&Policy> {
        self.policies
            .iter()
            .filter(|p| p.platform.eq_ignore_ascii_case(platform) && !p.is_default())
            .collect()
    }

    pub fn default_of(&self, platform: &str) -> Option<&Policy> {
        self.policies
            .iter()
            .find(|p| p.platform.eq_ignore_ascii_case(platform) && p.is_default())
    }

    pub fn group_name(&self, id: &str) -> Option<&str> {
        self.groups
            .iter()
            .find(|(g, _)| g == id)
            .map(|(_, n)| n.as_str())
    }

    pub fn group_id(&self, name: &str) -> Option<&str> {
        self.groups
            .iter()
            .find(|(_, n)| n == name)
            .or_else(|| {
                self.groups
                    .iter()
                    .find(|(_, n)| n.eq_ignore_ascii_case(name))
            })
            .map(|(id, _)| id.as_str())
    }

    /// What a plan depends on, in a form that compares equal exactly when the policies and host
    /// groups are the same: kept in a saved plan, compared again before applying it.
    pub fn snapshot(&self) -> Value {
        let policies: Vec<Value> = self
            .policies
            .iter()
            .map(|p| {
                let mut groups = p.groups.clone();
                groups.sort();
                json!({
                    "id": p.id,
                    "name": p.name,
                    "platform": p.platform,
                    "description": p.description,
                    "enabled": p.enabled || p.name == DEFAULT_POLICY,
                    "precedence": p.precedence,
                    "groups": groups,
                    "settings": SETTINGS.iter().map(|s| json!([s, p.allows(s)])).collect::<Vec<_>>(),
                })
            })
            .collect();
        let mut groups: Vec<Value> = self.groups.iter().map(|(id, n)| json!([id, n])).collect();
        groups.sort_by_key(|g| g.to_string());
        json!({ "policies": policies, "host_groups": groups })
    }
}

/// (id, name) of every host group, all pages.
fn load_groups(ctx: &Context) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    loop {
        let resp = caller::send(
            ctx,
            OpId::QueryCombinedHostGroups,
            json!({ "limit": GROUP_PAGE, "offset": out.len() }),
        )?;
        let page = caller::resources(&resp);
        let total = caller::total_of(&resp).unwrap_or(0) as usize;
        let empty = page.is_empty();
        out.extend(
            page.iter()
                .map(|g| (str_of(g, "id").to_string(), str_of(g, "name").to_string())),
        );
        if empty || out.len() >= total {
            return Ok(out);
        }
    }
}

/// The first difference between two snapshots, as a person reads it (`None` when equal).
pub fn what_changed(before: &Value, now: &Value) -> Option<String> {
    if before == now {
        return None;
    }
    let list = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (a, b) = (list(before, "policies"), list(now, "policies"));
    let name = |p: &Value| format!("{} policy `{}`", str_of(p, "platform"), str_of(p, "name"));
    for p in &a {
        match b.iter().find(|q| q["id"] == p["id"]) {
            None => return Some(format!("{} was deleted", name(p))),
            Some(q) if q != p => {
                let field = [
                    "name",
                    "description",
                    "enabled",
                    "precedence",
                    "groups",
                    "settings",
                ]
                .into_iter()
                .find(|f| p[f] != q[f])
                .unwrap_or("record");
                let field = if field == "groups" {
                    "host groups"
                } else {
                    field
                };
                return Some(format!("{} changed its {field}", name(p)));
            }
            Some(_) => {}
        }
    }
    if let Some(q) = b.iter().find(|q| !a.iter().any(|p| p["id"] == q["id"])) {
        return Some(format!("{} was created", name(q)));
    }
    Some("the host groups changed".into())
}
