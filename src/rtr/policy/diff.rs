//! Desired against actual, by name: the ordered list of changes that makes the tenant match.

use super::Policy;
use super::change::{Action, Change};
use super::desired::{self, Desired};
use super::error::Result;
use super::source::Source;
use super::tenant::Tenant;
use super::{SETTINGS, applies};

pub fn diff(desired: &Desired, tenant: &Tenant, source: &Source) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    let known: Vec<&str> = tenant.groups.iter().map(|(_, n)| n.as_str()).collect();
    for platform in &desired.platforms {
        let name = platform.name;
        let actual = tenant.ordered(name);
        if let (Some(settings), Some(default)) = (&platform.default, tenant.default_of(name)) {
            let settings = setting_changes(default, settings, name);
            if !settings.is_empty() {
                changes.push(change(
                    name,
                    default,
                    Action::Update {
                        settings,
                        description: None,
                    },
                ));
            }
        }
        for want in &platform.policies {
            let mut group_ids = Vec::new();
            for (group, path) in &want.groups {
                let id = tenant
                    .group_id(group)
                    .ok_or_else(|| desired::unknown_group(source, path, group, &known))?;
                group_ids.push((id.to_string(), group.clone()));
            }
            let found = actual
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(&want.name));
            let Some(have) = found else {
                let new = |action| Change {
                    platform: name,
                    policy: want.name.clone(),
                    policy_id: None,
                    action,
                };
                changes.push(new(Action::Create {
                    description: want.description.clone(),
                    settings: SETTINGS
                        .iter()
                        .copied()
                        .zip(want.settings.iter().copied())
                        .collect(),
                }));
                // New policies start disabled.
                if want.enabled {
                    changes.push(new(Action::Enable));
                }
                for (group_id, group) in group_ids {
                    changes.push(new(Action::AddHostGroup { group_id, group }));
                }
                continue;
            };
            let settings = setting_changes(have, &want.settings, name);
            let description = (have.description != want.description)
                .then(|| (have.description.clone(), want.description.clone()));
            if !settings.is_empty() || description.is_some() {
                changes.push(change(
                    name,
                    have,
                    Action::Update {
                        settings,
                        description,
                    },
                ));
            }
            if have.enabled != want.enabled {
                let action = if want.enabled {
                    Action::Enable
                } else {
                    Action::Disable
                };
                changes.push(change(name, have, action));
            }
            for (group_id, group) in &group_ids {
                if !have.groups.contains(group_id) {
                    changes.push(change(
                        name,
                        have,
                        Action::AddHostGroup {
                            group_id: group_id.clone(),
                            group: group.clone(),
                        },
                    ));
                }
            }
            for group_id in &have.groups {
                if !group_ids.iter().any(|(id, _)| id == group_id) {
                    let group = tenant.group_name(group_id).unwrap_or(group_id).to_string();
                    changes.push(change(
                        name,
                        have,
                        Action::RemoveHostGroup {
                            group_id: group_id.clone(),
                            group,
                        },
                    ));
                }
            }
        }
        let listed = |p: &Policy| {
            platform
                .policies
                .iter()
                .any(|w| w.name.eq_ignore_ascii_case(&p.name))
        };
        // Precedence: the managed policies take the places they hold now (new ones at the end, where
        // Falcon puts them), in the file's order; the others keep their places.
        let mut from: Vec<String> = actual.iter().map(|p| p.name.clone()).collect();
        from.extend(
            platform
                .policies
                .iter()
                .filter(|w| !actual.iter().any(|p| p.name.eq_ignore_ascii_case(&w.name)))
                .map(|w| w.name.clone()),
        );
        let mut wanted = platform.policies.iter().map(|w| w.name.clone());
        let to: Vec<String> = from
            .iter()
            .map(|n| {
                if platform
                    .policies
                    .iter()
                    .any(|w| w.name.eq_ignore_ascii_case(n))
                {
                    wanted.next().unwrap_or_else(|| n.clone())
                } else {
                    n.clone()
                }
            })
            .collect();
        let current: Vec<String> = actual.iter().map(|p| p.name.clone()).collect();
        if to != from {
            changes.push(Change {
                platform: name,
                policy: String::new(),
                policy_id: None,
                action: Action::Precedence { from: current, to },
            });
        }
        if platform.exclusive {
            for p in actual.iter().filter(|p| !listed(p)) {
                changes.push(change(name, p, Action::Delete));
            }
        }
    }
    // Stable: within a kind, platform and file order stay.
    changes.sort_by_key(|c| c.action.rank());
    Ok(changes)
}

fn change(platform: &'static str, p: &Policy, action: Action) -> Change {
    Change {
        platform,
        policy: p.name.clone(),
        policy_id: Some(p.id.clone()),
        action,
    }
}

/// (setting, now, then) for each setting that differs.
fn setting_changes(
    have: &Policy,
    want: &[bool],
    platform: &str,
) -> Vec<(&'static str, bool, bool)> {
    SETTINGS
        .iter()
        .zip(want)
        .filter(|(s, w)| applies(s, platform) && have.allows(s) != **w)
        .map(|(s, w)| (*s, have.allows(s), *w))
        .collect()
}
