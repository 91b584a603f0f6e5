//! Applies a plan through the operations a playbook calls (so plan mode, the guard, the audit log
//! and rate limiting see every request), after checking the tenant is still what it was planned on.

use super::change::{Action, Change};
use super::error::{Error, Result};
use super::plan::PolicyPlan;
use super::source::Source;
use super::tenant::{Tenant, what_changed};
use crate::engine::Context;
use crate::helpers::caller::{self, str_of};
use crate::ops::OpId;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Re-reads the tenant, refuses if it is not the one `plan.tenant` (a [`Tenant::snapshot`]) describes,
/// then sends the plan's changes in order. Returns the plan that was applied.
pub fn apply(ctx: &Context, plan: &PolicyPlan, source: &Source) -> Result<PolicyPlan> {
    let tenant = Tenant::load(ctx)?;
    if let Some(what) = what_changed(&plan.tenant, &tenant.snapshot()) {
        return Err(Error::Stale(format!(
            "the tenant changed since the plan was made ({what}); nothing was applied: plan again"
        )));
    }
    let fresh = PolicyPlan::make(plan.desired.clone(), &tenant, source)?;
    // A saved plan is applied as it was shown, or not at all.
    plan.matches_approved(&fresh)?;
    if let Some(what) = fresh.destructive()
        && !ctx.safety.permits(&format!("policy changes: {what}"))
    {
        return Err(Error::Refused(format!(
            "refused: {what}; rerun with `--allow-destructive` (see what would change with `falconry policy plan` first)"
        )));
    }
    let mut created: HashMap<(&str, String), String> = HashMap::new();
    let total = fresh.changes.len();
    for (done, c) in fresh.changes.iter().enumerate() {
        // A failure midway leaves the earlier changes in place: say how far it got.
        send(ctx, c, &tenant, &mut created).map_err(|e| match e {
            Error::Api(e) => Error::Api(e.context(format!(
                "change {} of {total} failed ({done} applied before it)",
                done + 1
            ))),
            other => other,
        })?;
    }
    Ok(fresh)
}

fn send(
    ctx: &Context,
    c: &Change,
    tenant: &Tenant,
    created: &mut HashMap<(&'static str, String), String>,
) -> Result<()> {
    let id = || -> Result<String> {
        c.policy_id
            .clone()
            .or_else(|| created.get(&(c.platform, c.policy.clone())).cloned())
            .ok_or_else(|| Error::input(format!("no id for {} policy `{}`", c.platform, c.policy)))
    };
    let op = |key: OpId, args: Value| -> Result<Value> {
        let resp = caller::send(ctx, key, args).map_err(|e| Error::Api(e.context(c.describe())))?;
        Ok(caller::resources(&resp)
            .into_iter()
            .next()
            .unwrap_or(Value::Null))
    };
    match &c.action {
        Action::Create {
            description,
            settings,
        } => {
            let r = op(
                OpId::CreateRTResponsePolicies,
                json!({
                    "name": c.policy,
                    "platform_name": c.platform,
                    "description": description,
                    "settings": settings_list(settings.iter().map(|(s, b)| (*s, *b))),
                }),
            )?;
            created.insert((c.platform, c.policy.clone()), str_of(&r, "id").to_string());
        }
        Action::Update {
            settings,
            description,
        } => {
            let mut args = json!({
                "id": id()?,
                "settings": settings_list(settings.iter().map(|(s, _, b)| (*s, *b))),
            });
            if let Some((_, d)) = description {
                args["description"] = json!(d);
            }
            op(OpId::UpdateRTResponsePolicies, args)?;
        }
        Action::Enable | Action::Disable => {
            op(
                OpId::PerformRTResponsePoliciesAction,
                json!({ "action_name": c.action.kind(), "ids": [id()?] }),
            )?;
        }
        Action::AddHostGroup { group_id, .. } | Action::RemoveHostGroup { group_id, .. } => {
            op(
                OpId::PerformRTResponsePoliciesAction,
                json!({ "action_name": c.action.kind(), "ids": [id()?], "group_id": group_id }),
            )?;
        }
        Action::Precedence { to, .. } => {
            let ids_by_key: HashMap<String, &str> = tenant
                .ordered(c.platform)
                .into_iter()
                .map(|p| (super::names::key(&p.name), p.id.as_str()))
                .collect();
            let ids = to
                .iter()
                .map(|name| {
                    ids_by_key
                        .get(&super::names::key(name))
                        .map(|id| id.to_string())
                        .or_else(|| created.get(&(c.platform, name.clone())).cloned())
                        .ok_or_else(|| {
                            Error::input(format!("no id for {} policy `{name}`", c.platform))
                        })
                })
                .collect::<Result<Vec<_>>>()?;
            op(
                OpId::SetRTResponsePoliciesPrecedence,
                json!({ "ids": ids, "platform_name": c.platform }),
            )?;
        }
        Action::Delete => {
            op(OpId::DeleteRTResponsePolicies, json!({ "ids": [id()?] }))?;
        }
    }
    Ok(())
}

/// The API's settings list: `[{id, value: {enabled}}]`.
fn settings_list(settings: impl Iterator<Item = (&'static str, bool)>) -> Value {
    settings
        .map(|(s, on)| json!({ "id": s, "value": { "enabled": on } }))
        .collect()
}
