//! One planned change to the tenant's response policies, and how a person reads it.

use serde_json::{Value, json};

/// In the order a plan lists and applies them.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Create {
        description: String,
        settings: Vec<(&'static str, bool)>,
    },
    /// Settings that differ (`setting`, now, then) and a new description.
    Update {
        settings: Vec<(&'static str, bool, bool)>,
        description: Option<(String, String)>,
    },
    Enable,
    Disable,
    AddHostGroup {
        group_id: String,
        group: String,
    },
    RemoveHostGroup {
        group_id: String,
        group: String,
    },
    /// The platform's non-default policies by name, now and then (highest first).
    Precedence {
        from: Vec<String>,
        to: Vec<String>,
    },
    Delete,
}

impl Action {
    /// Where it sorts in a plan.
    pub fn rank(&self) -> u8 {
        match self {
            Action::Create { .. } => 0,
            Action::Update { .. } => 1,
            Action::Enable | Action::Disable => 2,
            Action::AddHostGroup { .. } => 3,
            Action::RemoveHostGroup { .. } => 4,
            Action::Precedence { .. } => 5,
            Action::Delete => 6,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Action::Create { .. } => "create",
            Action::Update { .. } => "update",
            Action::Enable => "enable",
            Action::Disable => "disable",
            Action::AddHostGroup { .. } => "add-host-group",
            Action::RemoveHostGroup { .. } => "remove-host-group",
            Action::Precedence { .. } => "precedence",
            Action::Delete => "delete",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub platform: &'static str,
    /// The policy's name (empty for a platform's precedence).
    pub policy: String,
    /// `None` for a policy the plan creates.
    pub policy_id: Option<String>,
    pub action: Action,
}

fn on(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

impl Change {
    /// One line: `~ update Windows policy `X`: GetCommand on -> off`.
    pub fn describe(&self) -> String {
        let p = format!(
            "{} policy `{}`",
            self.platform,
            crate::terminal::name(&self.policy)
        );
        match &self.action {
            Action::Create {
                description,
                settings,
            } => {
                let on_list: Vec<&str> = settings
                    .iter()
                    .filter(|(_, b)| *b)
                    .map(|(s, _)| *s)
                    .collect();
                let mut line = format!(
                    "+ create {p}: settings on: {}",
                    if on_list.is_empty() {
                        "none".to_string()
                    } else {
                        on_list.join(", ")
                    }
                );
                if !description.is_empty() {
                    line.push_str(&format!("; description {description:?}"));
                }
                line
            }
            Action::Update {
                settings,
                description,
            } => {
                let mut parts: Vec<String> = settings
                    .iter()
                    .map(|(s, a, b)| format!("{s} {} -> {}", on(*a), on(*b)))
                    .collect();
                if let Some((a, b)) = description {
                    parts.push(format!("description {a:?} -> {b:?}"));
                }
                format!("~ update {p}: {}", parts.join(", "))
            }
            Action::Enable => format!("~ enable {p}"),
            Action::Disable => format!("~ disable {p}"),
            Action::AddHostGroup { group, .. } => {
                format!("+ add host group `{}` to {p}", crate::terminal::name(group))
            }
            Action::RemoveHostGroup { group, .. } => {
                format!(
                    "- remove host group `{}` from {p}",
                    crate::terminal::name(group)
                )
            }
            Action::Precedence { from, to } => format!(
                "~ precedence of {} policies: {} -> {}",
                self.platform,
                names(from),
                names(to)
            ),
            Action::Delete => format!("- delete {p}"),
        }
    }

    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "action": self.action.kind(),
            "platform": self.platform,
            "policy": self.policy,
            "policy_id": self.policy_id,
            "description": self.describe(),
        });
        match &self.action {
            Action::Create { settings, .. } => {
                v["settings"] = settings
                    .iter()
                    .map(|(s, b)| (s.to_string(), json!(b)))
                    .collect();
            }
            Action::Update {
                settings,
                description,
            } => {
                v["settings"] = settings
                    .iter()
                    .map(|(s, a, b)| (s.to_string(), json!({ "from": a, "to": b })))
                    .collect();
                if let Some((a, b)) = description {
                    v["policy_description"] = json!({ "from": a, "to": b });
                }
            }
            Action::AddHostGroup { group_id, group }
            | Action::RemoveHostGroup { group_id, group } => {
                v["host_group"] = json!(group);
                v["host_group_id"] = json!(group_id);
            }
            Action::Precedence { from, to } => {
                v["from"] = json!(from);
                v["to"] = json!(to);
            }
            Action::Enable | Action::Disable | Action::Delete => {}
        }
        v
    }
}

fn names(list: &[String]) -> String {
    if list.is_empty() {
        return "(none)".into();
    }
    crate::text::ticked(list.iter().map(|n| crate::terminal::name(n)))
}
