//! Desired against actual, by name: the ordered list of changes that makes the tenant match.

use super::Policy;
use super::change::{Action, Change};
use super::desired::{self, Desired};
use super::error::Result;
use super::names::key;
use super::source::Source;
use super::tenant::Tenant;
use super::{SETTINGS, applies};
use std::collections::{HashMap, HashSet};

pub fn diff(desired: &Desired, tenant: &Tenant, source: &Source) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    let known: Vec<&str> = tenant.groups.iter().map(|(_, n)| n.as_str()).collect();
    for platform in &desired.platforms {
        let name = platform.name;
        let actual = tenant.ordered(name);
        // By name as Falcon compares them, looked up once each: planning stays linear in the
        // number of policies (200,000 of them, or a file as long).
        let by_key: HashMap<String, &Policy> = actual.iter().map(|p| (key(&p.name), *p)).collect();
        let wanted_keys: HashSet<String> = platform.policies.iter().map(|w| key(&w.name)).collect();
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
            let Some(&have) = by_key.get(&key(&want.name)) else {
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
        let listed = |p: &Policy| wanted_keys.contains(&key(&p.name));
        // Precedence: the managed policies take the places they hold now (new ones at the end, where
        // Falcon puts them), in the file's order; the others keep their places. Names are the
        // tenant's spelling wherever the tenant has the policy.
        let spelled = |n: &str| {
            by_key
                .get(&key(n))
                .map_or_else(|| n.to_string(), |p| p.name.clone())
        };
        let mut from: Vec<String> = actual.iter().map(|p| p.name.clone()).collect();
        from.extend(
            platform
                .policies
                .iter()
                .filter(|w| !by_key.contains_key(&key(&w.name)))
                .map(|w| w.name.clone()),
        );
        let mut wanted = platform.policies.iter().map(|w| spelled(&w.name));
        let to: Vec<String> = from
            .iter()
            .map(|n| {
                if wanted_keys.contains(&key(n)) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(id: &str, name: &str, precedence: i64, groups: &[&str]) -> Policy {
        Policy::from_record(&json!({
            "id": id, "name": name, "platform_name": "Windows", "enabled": true,
            "precedence": precedence, "groups": groups.iter().map(|g| json!({ "id": g })).collect::<Vec<_>>(),
            "settings": [{ "id": "RealTimeFunctionality", "value": { "enabled": true } }],
        }))
    }

    fn tenant() -> Tenant {
        Tenant {
            policies: vec![
                policy("a", "A", 1, &["g1"]),
                policy("u", "Unmanaged", 2, &[]),
                policy("b", "B", 3, &["g2"]),
                policy("d", super::super::DEFAULT_POLICY, 4, &[]),
            ],
            groups: vec![("g1".into(), "one".into()), ("g2".into(), "two".into())],
            hosts: Vec::new(),
        }
    }

    fn plan(file: &str) -> Vec<Change> {
        let (value, source) = Source::toml("p.toml", file).unwrap();
        let desired = Desired::from_value(&value, &source).unwrap();
        diff(&desired, &tenant(), &source).unwrap()
    }

    const ON: &str = "settings = { RealTimeFunctionality = true }\n";

    #[test]
    fn managed_policies_swap_places_and_unlisted_ones_keep_theirs() {
        let file = format!(
            "[[policies]]\nname = \"B\"\nplatform = \"Windows\"\ngroups = [\"two\"]\n{ON}\
             [[policies]]\nname = \"A\"\nplatform = \"Windows\"\ngroups = [\"one\"]\n{ON}"
        );
        let changes = plan(&file);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(
            changes[0].action,
            Action::Precedence {
                from: vec!["A".into(), "Unmanaged".into(), "B".into()],
                to: vec!["B".into(), "Unmanaged".into(), "A".into()],
            }
        );
    }

    #[test]
    fn a_new_policy_goes_where_the_file_puts_it_and_exclusive_deletes_the_rest() {
        let file = format!(
            "[platforms.Windows]\nexclusive = true\n\
             [[policies]]\nname = \"New\"\nplatform = \"Windows\"\nenabled = false\n{ON}\
             [[policies]]\nname = \"A\"\nplatform = \"Windows\"\ngroups = [\"one\"]\n{ON}\
             [[policies]]\nname = \"B\"\nplatform = \"Windows\"\ngroups = [\"two\"]\n{ON}"
        );
        let kinds: Vec<(&str, String)> = plan(&file)
            .iter()
            .map(|c| (c.action.kind(), c.policy.clone()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("create", "New".to_string()),
                ("precedence", String::new()),
                ("delete", "Unmanaged".to_string()),
            ]
        );
        let changes = plan(&file);
        assert_eq!(
            changes[1].action,
            Action::Precedence {
                from: vec!["A".into(), "Unmanaged".into(), "B".into()],
                to: vec!["New".into(), "Unmanaged".into(), "A".into(), "B".into()],
            }
        );
    }
}
