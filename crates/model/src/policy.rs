//! Response policies: settings, precedence per platform, and which policy governs a host.

use crate::ops::commands::{POLICY_SETTINGS, setting_platforms};
use crate::platform::Platform;
use serde_json::{Map, Value, json};

pub const DEFAULT_NAME: &str = "platform_default";

#[derive(Debug, Clone)]
pub struct Policy {
    pub id: String,
    pub name: String,
    pub description: String,
    pub platform: Platform,
    pub enabled: bool,
    /// Parallel to [`POLICY_SETTINGS`].
    pub settings: Vec<bool>,
    /// Host group ids.
    pub groups: Vec<String>,
    pub is_default: bool,
    pub created_by: String,
    pub created_timestamp: String,
    pub modified_by: String,
    pub modified_timestamp: String,
}

/// What a fresh policy allows: everything but the memory dumps (the console's defaults are
/// stricter; a permissive tenant lets the example playbooks run unchanged).
pub fn default_settings() -> Vec<bool> {
    POLICY_SETTINGS
        .iter()
        .map(|s| !s.contains("MemDump"))
        .collect()
}

pub fn setting_index(id: &str) -> Option<usize> {
    POLICY_SETTINGS
        .iter()
        .position(|s| s.eq_ignore_ascii_case(id))
}

/// The categories settings answer in, in order, with their settings in the order the API lists
/// them (CrowdStrike's Caracara response-policy templates; `FalconScripts` joins the scripts).
const CATEGORIES: &[(&str, &[&str])] = &[
    ("Enable/Disable", &["RealTimeFunctionality"]),
    ("Custom scripts", &["CustomScripts", "FalconScripts"]),
    (
        "High risk commands",
        &[
            "GetCommand",
            "PutCommand",
            "MemDumpCommand",
            "XMemDumpCommand",
            "ExecCommand",
            "PutAndRunCommand",
        ],
    ),
];

/// The console's label and description of each setting.
fn describe(id: &str) -> (&'static str, &'static str) {
    match id {
        "RealTimeFunctionality" => (
            "Real Time Response",
            "Lets users with a Real Time Responder role connect to hosts; every RTR command needs it",
        ),
        "CustomScripts" => (
            "Custom Scripts",
            "Lets RTR Active Responders and Administrators run custom scripts",
        ),
        "FalconScripts" => (
            "Falcon Scripts",
            "Lets RTR Administrators run Falcon scripts (Windows); needs Custom Scripts",
        ),
        "GetCommand" => (
            "get",
            "Extract files from a host through the CrowdStrike cloud",
        ),
        "PutCommand" => ("put", "Send files to a host through the CrowdStrike cloud"),
        "MemDumpCommand" => ("memdump", "Dump the memory of a process on a host"),
        "XMemDumpCommand" => ("xmemdump", "Dump the complete memory of a host"),
        "ExecCommand" => ("run", "Run any executable on a host"),
        "PutAndRunCommand" => (
            "put-and-run",
            "Send a file to a host and run it in one command",
        ),
        _ => ("", ""),
    }
}

/// Whether policies of the platform have the setting (`FalconScripts` is Windows only).
pub fn setting_applies(setting: &str, platform: Platform) -> bool {
    setting_platforms(setting).contains(platform)
}

pub fn platform_index(p: Platform) -> usize {
    p.index()
}

pub fn parse_platform(name: &str) -> Option<Platform> {
    Platform::parse(name)
}

impl Policy {
    /// Whether the setting is enabled; a setting the platform's policies lack is never enabled.
    pub fn allows(&self, setting: &str) -> bool {
        setting_applies(setting, self.platform)
            && setting_index(setting).is_some_and(|i| self.settings[i])
    }

    /// `remote_response.PolicyV1`; `groups` are the rendered host group records. Precedence is not
    /// a field of the record (the spec has none): clients read it from `sort=precedence.asc`.
    pub fn record(&self, cid: &str, groups: Vec<Value>) -> Value {
        // Built by moving each part into its map: `json!` would serialise an interpolated `Value`
        // into a deep copy, and this record is most of the cost of a `get_policies` answer.
        let settings: Vec<Value> = CATEGORIES
            .iter()
            .map(|(category, ids)| {
                let list: Vec<Value> = ids
                    .iter()
                    .filter(|id| setting_applies(id, self.platform))
                    .map(|id| {
                        let (name, description) = describe(id);
                        json!({
                            "id": id, "name": name, "type": "toggle", "description": description,
                            "value": { "enabled": self.allows(id) },
                        })
                    })
                    .collect();
                let mut c = Map::with_capacity(2);
                c.insert("name".into(), Value::from(*category));
                c.insert("settings".into(), Value::Array(list));
                Value::Object(c)
            })
            .collect();
        let mut r = Map::with_capacity(12);
        r.insert("id".into(), Value::from(self.id.as_str()));
        r.insert("cid".into(), Value::from(cid));
        r.insert("name".into(), Value::from(self.name.as_str()));
        r.insert("description".into(), Value::from(self.description.as_str()));
        r.insert("platform_name".into(), Value::from(self.platform.name()));
        r.insert("enabled".into(), Value::from(self.enabled));
        r.insert("groups".into(), Value::Array(groups));
        r.insert("settings".into(), Value::Array(settings));
        r.insert("created_by".into(), Value::from(self.created_by.as_str()));
        r.insert(
            "created_timestamp".into(),
            Value::from(self.created_timestamp.as_str()),
        );
        r.insert("modified_by".into(), Value::from(self.modified_by.as_str()));
        r.insert(
            "modified_timestamp".into(),
            Value::from(self.modified_timestamp.as_str()),
        );
        Value::Object(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_one_category_and_a_label() {
        let listed: Vec<&str> = CATEGORIES
            .iter()
            .flat_map(|(_, ids)| ids.iter().copied())
            .collect();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        let mut all = POLICY_SETTINGS.to_vec();
        all.sort_unstable();
        assert_eq!(sorted, all);
        assert!(listed.iter().all(|id| !describe(id).0.is_empty()));
        assert!(setting_applies("FalconScripts", Platform::Windows));
        assert!(!setting_applies("FalconScripts", Platform::Linux));
    }
}
