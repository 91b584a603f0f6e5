//! The tenant's response policies as a policy file: the first file is a faithful copy, so planning
//! it right away shows no change.

use super::desired::{Desired, Platform, Policy};
use super::error::{Error, Result};
use super::tenant::Tenant;
use super::{DEFAULT_POLICY, PLATFORMS, SETTINGS, applies};
use std::fmt::Write;

/// The desired state that matches the tenant (only `platform` when given).
pub fn desired_of(tenant: &Tenant, platform: Option<&str>) -> Result<Desired> {
    let mut platforms = Vec::new();
    for name in PLATFORMS.iter().copied() {
        if platform.is_some_and(|p| !p.eq_ignore_ascii_case(name)) {
            continue;
        }
        let actual = tenant.ordered(name);
        let default = tenant.default_of(name);
        if actual.is_empty() && default.is_none() {
            continue;
        }
        let mut policies = Vec::new();
        for p in actual {
            let groups = p
                .groups
                .iter()
                .map(|id| {
                    tenant.group_name(id).map(|n| (n.to_string(), String::new())).ok_or_else(|| {
                        Error::input(format!(
                            "{name} policy `{}` names host group `{id}`, which the tenant's host group list does not have",
                            p.name
                        ))
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            policies.push(Policy {
                name: p.name.clone(),
                description: p.description.clone(),
                enabled: p.enabled,
                settings: SETTINGS.iter().map(|s| p.allows(s)).collect(),
                groups,
            });
        }
        platforms.push(Platform {
            name,
            exclusive: false,
            default: default.map(|d| SETTINGS.iter().map(|s| d.allows(s)).collect()),
            policies,
        });
    }
    Ok(Desired { platforms })
}

/// The policy file for the tenant's current policies.
pub fn export(tenant: &Tenant, platform: Option<&str>) -> Result<String> {
    if let Some(p) = platform
        && !PLATFORMS.iter().any(|n| n.eq_ignore_ascii_case(p))
    {
        return Err(Error::input(format!(
            "unknown platform `{p}`: expected one of {}{}",
            PLATFORMS.join(", "),
            super::hint(p, PLATFORMS)
        )));
    }
    Ok(render(&desired_of(tenant, platform)?))
}

fn render(desired: &Desired) -> String {
    let mut out = String::from(
        "# Response policies, exported by `falconry policy export`.\n\
         # Check with `falconry policy plan FILE`, change with `falconry policy apply FILE`.\n\
         # Per platform, policies are listed in precedence order (highest first). A setting left out\n\
         # is off. `exclusive = true` deletes the platform's policies this file does not list.\n",
    );
    for p in &desired.platforms {
        let _ = write!(
            out,
            "\n[platforms.{}]\nexclusive = {}\n",
            p.name, p.exclusive
        );
    }
    for p in &desired.platforms {
        let _ = write!(out, "\n# ---- {} ", p.name);
        out.push_str(&"-".repeat(90 - p.name.len()));
        out.push('\n');
        for q in &p.policies {
            let _ = write!(
                out,
                "\n[[policies]]\nname = {}\nplatform = {}\ndescription = {}\nenabled = {}\ngroups = [{}]\n",
                quoted(&q.name),
                quoted(p.name),
                quoted(&q.description),
                q.enabled,
                q.groups
                    .iter()
                    .map(|(g, _)| quoted(g))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            settings(&mut out, &q.settings, p.name);
        }
        if let Some(d) = &p.default {
            let _ = write!(
                out,
                "\n[[policies]]\nname = {}\nplatform = {}\n",
                quoted(DEFAULT_POLICY),
                quoted(p.name)
            );
            settings(&mut out, d, p.name);
        }
    }
    out
}

fn settings(out: &mut String, on: &[bool], platform: &str) {
    out.push_str("\n[policies.settings]\n");
    for (s, b) in SETTINGS
        .iter()
        .zip(on)
        .filter(|(s, _)| applies(s, platform))
    {
        let _ = writeln!(out, "{s} = {b}");
    }
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
