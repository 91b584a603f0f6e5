//! A plan: the ordered changes, their RTR impact per host, and the tenant state it was made against
//! (a saved plan is refused once the tenant differs from it).

use super::change::{Action, Change};
use super::desired::Desired;
use super::diff::diff;
use super::error::{Error, Result};
use super::impact::{HostImpact, impact};
use super::source::Source;
use super::tenant::Tenant;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Marks a saved plan file, and its version.
pub const SAVED_FORMAT: &str = "falconry-policy-plan/1";

pub struct PolicyPlan {
    pub changes: Vec<Change>,
    pub impact: Vec<HostImpact>,
    pub desired: Desired,
    /// [`Tenant::snapshot`] of the tenant the plan was made against.
    pub tenant: Value,
    /// A saved plan's changes as it showed them (`Change::to_json`): the authority. Applying re-plans
    /// `desired` against the tenant and refuses unless it gives exactly these changes.
    pub approved: Option<Vec<Value>>,
    /// What a person should look at before applying: names that only look like another's.
    pub warnings: Vec<String>,
}

impl PolicyPlan {
    pub fn make(desired: Desired, tenant: &Tenant, source: &Source) -> Result<PolicyPlan> {
        let changes = diff(&desired, tenant, source)?;
        let impact = impact(tenant, &changes);
        let warnings = look_alike_warnings(&desired, tenant, &changes);
        Ok(PolicyPlan {
            changes,
            impact,
            desired,
            tenant: tenant.snapshot(),
            approved: None,
            warnings,
        })
    }

    /// A plan saved by `policy plan --save` (or returned by `policies::plan`): its desired state, the
    /// tenant it was made against and the changes it showed, whose hash must still match.
    pub fn saved(value: &Value, name: &str) -> Result<PolicyPlan> {
        let (desired, tenant) = PolicyPlan::read_saved(value, name)?;
        let changes = value
            .get("changes")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                Error::input(format!("{name} lacks the changes it showed (`changes`)"))
            })?;
        let recorded = value.get(CHANGES_HASH).and_then(Value::as_str);
        let actual = changes_sha256(changes);
        if recorded != Some(actual.as_str()) {
            return Err(Error::Stale(format!(
                "{name}: its changes are not the ones it was saved with (`{CHANGES_HASH}` {}, the \
                 changes hash to {actual}); nothing was applied: plan again",
                recorded.map_or("missing".to_string(), crate::terminal::name)
            )));
        }
        Ok(PolicyPlan {
            changes: Vec::new(),
            impact: Vec::new(),
            desired,
            tenant,
            approved: Some(changes.clone()),
            warnings: Vec::new(),
        })
    }

    /// Refuses a re-plan that differs from the saved plan's changes, naming the first difference.
    pub fn matches_approved(&self, fresh: &PolicyPlan) -> Result<()> {
        let Some(approved) = &self.approved else {
            return Ok(());
        };
        let now: Vec<Value> = fresh.changes.iter().map(Change::to_json).collect();
        if &now == approved {
            return Ok(());
        }
        let shown = |v: Option<&Value>| {
            v.and_then(|c| c.get("description"))
                .and_then(Value::as_str)
                .map_or("nothing".to_string(), |d| {
                    format!("`{}`", crate::terminal::line(d))
                })
        };
        let at = now
            .iter()
            .zip(approved)
            .position(|(a, b)| a != b)
            .unwrap_or(now.len().min(approved.len()));
        Err(Error::Stale(format!(
            "the saved plan shows {} change{} but its desired state gives {} against the tenant now \
             (change {}: the plan shows {}, the tenant needs {}); nothing was applied: plan again",
            approved.len(),
            plural(approved.len()),
            now.len(),
            at + 1,
            shown(approved.get(at)),
            shown(now.get(at)),
        )))
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// What needs `--allow-destructive`: deletions, hosts losing capabilities, and hosts gaining one
    /// that changes a host (`put`, `run`, `runscript`, `memdump`...: the catalogue's `changes_host`).
    pub fn destructive(&self) -> Option<String> {
        let deletes: Vec<String> = self
            .changes
            .iter()
            .filter(|c| c.action == Action::Delete)
            .map(|c| format!("`{}`", name(&c.policy)))
            .collect();
        let losing = self.impact.iter().filter(|h| !h.lose.is_empty()).count();
        let mut granted: Vec<&str> = self
            .impact
            .iter()
            .flat_map(|h| h.gain.iter().map(String::as_str))
            .filter(|c| grants_power(c))
            .collect();
        granted.sort_unstable();
        granted.dedup();
        let gaining = self
            .impact
            .iter()
            .filter(|h| h.gain.iter().any(|c| grants_power(c)))
            .count();
        let mut parts = Vec::new();
        if !deletes.is_empty() {
            parts.push(format!("deletes {}", deletes.join(", ")));
        }
        if losing > 0 {
            parts.push(format!(
                "removes RTR capabilities from {losing} host{}",
                plural(losing)
            ));
        }
        if gaining > 0 {
            parts.push(format!(
                "grants {} to {gaining} host{}",
                ticks(&granted.iter().map(|c| c.to_string()).collect::<Vec<_>>()),
                plural(gaining)
            ));
        }
        (!parts.is_empty()).then(|| format!("the plan {}", parts.join(" and ")))
    }

    pub fn to_json(&self) -> Value {
        let changes: Vec<Value> = self.changes.iter().map(Change::to_json).collect();
        json!({
            "format": SAVED_FORMAT,
            "changed": !self.is_empty(),
            "warnings": self.warnings,
            CHANGES_HASH: changes_sha256(&changes),
            "changes": changes,
            "impact": self.impact.iter().map(HostImpact::to_json).collect::<Vec<_>>(),
            "desired": self.desired.to_value(),
            "tenant": self.tenant,
        })
    }

    /// The desired state and tenant snapshot of a saved plan (`to_json`'s output).
    pub fn read_saved(value: &Value, name: &str) -> Result<(Desired, Value)> {
        if value.get("format").and_then(Value::as_str) != Some(SAVED_FORMAT) {
            return Err(Error::input(format!(
                "{name} is not a plan saved by `falconry policy plan --save` (format `{SAVED_FORMAT}`)"
            )));
        }
        let source = Source::map(name);
        let desired = Desired::from_value(value.get("desired").unwrap_or(&Value::Null), &source)?;
        let tenant = value
            .get("tenant")
            .filter(|t| t.get("policies").is_some_and(Value::is_array))
            .cloned()
            .ok_or_else(|| {
                Error::input(format!(
                    "{name} lacks the tenant state the plan was made against (`tenant.policies`)"
                ))
            })?;
        Ok((desired, tenant))
    }

    /// For a person: the changes in order, then the impact per platform.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.is_empty() {
            out.push_str("No changes: the tenant's response policies match the file.\n");
            return out;
        }
        for w in &self.warnings {
            let _ = writeln!(out, "warning: {w}");
        }
        let n = self.changes.len();
        let _ = writeln!(out, "{n} change{}:", plural(n));
        for c in &self.changes {
            let _ = writeln!(out, "  {}", crate::terminal::line(&c.describe()));
        }
        out.push_str("\nRTR impact:\n");
        if self.impact.is_empty() {
            out.push_str("  no host gains or loses a capability or changes policy\n");
            return out;
        }
        // Hosts grouped per platform by what they lose and gain.
        let mut groups: BTreeMap<Outcome, Vec<&HostImpact>> = BTreeMap::new();
        for h in &self.impact {
            groups
                .entry((
                    h.platform.clone(),
                    h.groups.clone(),
                    h.lose.clone(),
                    h.gain.clone(),
                ))
                .or_default()
                .push(h);
        }
        for ((platform, via, lose, gain), hosts) in &groups {
            let count = hosts.len();
            // "1 host loses", "2 hosts lose".
            let s = if count == 1 { "s" } else { "" };
            let mut what = Vec::new();
            if !lose.is_empty() {
                what.push(format!("lose{s} {}", ticks(lose)));
            }
            if !gain.is_empty() {
                what.push(format!("gain{s} {}", ticks(gain)));
            }
            if what.is_empty() {
                what.push(format!("change{s} policy, same capabilities"));
            }
            let within = if via.is_empty() {
                String::new()
            } else {
                format!(" in {}", ticks(via))
            };
            let _ = writeln!(
                out,
                "  {platform}: {count} host{}{within} {}",
                plural(count),
                what.join("; ")
            );
            const SHOWN: usize = 10;
            for h in hosts.iter().take(SHOWN) {
                let _ = writeln!(
                    out,
                    "    {} ({}): `{}` -> `{}`",
                    name(&h.hostname),
                    name(&h.device_id),
                    name(&h.policy_before),
                    name(&h.policy_after)
                );
            }
            if count > SHOWN {
                let _ = writeln!(out, "    ... and {} more", count - SHOWN);
            }
        }
        out
    }
}

/// (platform, host groups the change reaches them through, capabilities lost, capabilities gained):
/// hosts with the same outcome are shown together.
type Outcome = (String, Vec<String>, Vec<String>, Vec<String>);

fn ticks(list: &[String]) -> String {
    crate::text::ticked(list.iter().map(|c| name(c)))
}

use crate::terminal::name;

/// A warning for each policy the plan creates or deletes whose name only looks like another policy's
/// (in the tenant or the file): a planted `Sеrvers` (Cyrillic `е`) beside `Servers`.
fn look_alike_warnings(desired: &Desired, tenant: &Tenant, changes: &[Change]) -> Vec<String> {
    let touched: std::collections::HashSet<String> = changes
        .iter()
        .filter(|c| matches!(c.action, Action::Create { .. } | Action::Delete))
        .map(|c| super::names::key(&c.policy))
        .collect();
    if touched.is_empty() {
        return Vec::new();
    }
    let names = tenant.policies.iter().map(|p| p.name.as_str()).chain(
        desired
            .platforms
            .iter()
            .flat_map(|p| p.policies.iter().map(|q| q.name.as_str())),
    );
    super::names::look_alikes(names)
        .into_iter()
        .filter(|(a, b)| {
            touched.contains(&super::names::key(a)) || touched.contains(&super::names::key(b))
        })
        .map(|(a, b)| {
            format!(
                "policy `{}` looks like `{}` but is another name (characters from another script, \
                 or invisible ones); check which one the plan creates or deletes",
                name(a),
                name(b)
            )
        })
        .collect()
}

/// The key of a saved plan's hash of its changes.
pub const CHANGES_HASH: &str = "changes_sha256";

/// The SHA-256 of the changes as JSON with every object's keys sorted: the same changes hash the
/// same after a round trip through a file or a playbook's map (which orders keys its own way).
pub fn changes_sha256(changes: &[Value]) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&m[k])))
                        .collect(),
                )
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    let text = serde_json::to_string(&sorted(&Value::Array(changes.to_vec()))).unwrap_or_default();
    crate::engine::hashing::sha256_hex(text.as_bytes())
}

/// Whether gaining the capability `c` needs the same consent as losing one: the RTR commands that
/// change a host (`put`, `put-and-run`, `run`, `runscript`, `falconscript`, `memdump`, `xmemdump`).
fn grants_power(c: &str) -> bool {
    crate::ops::commands::COMMANDS
        .iter()
        .any(|spec| spec.name == c && spec.setting.is_some() && spec.changes_host)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
