//! Response policies: settings, precedence per platform, and which policy governs a host.

use super::host::Platform;
use crate::ops::commands::POLICY_SETTINGS;
use serde_json::{Value, json};

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

/// The console's label and category for each setting.
fn describe(id: &str) -> (&'static str, &'static str) {
    match id {
        "RealTimeFunctionality" => ("Real Time Functionality", "Real Time Response"),
        "CustomScripts" => ("Custom Scripts", "Custom Scripts"),
        "GetCommand" => ("get", "High Risk Commands"),
        "PutCommand" => ("put", "High Risk Commands"),
        "ExecCommand" => ("run", "High Risk Commands"),
        "PutAndRunCommand" => ("put-and-run", "High Risk Commands"),
        "MemDumpCommand" => ("memdump", "High Risk Commands"),
        "XMemDumpCommand" => ("xmemdump", "High Risk Commands"),
        _ => ("", "Other"),
    }
}

pub fn platform_index(p: Platform) -> usize {
    match p {
        Platform::Windows => 0,
        Platform::Linux => 1,
        Platform::Mac => 2,
    }
}

pub fn parse_platform(name: &str) -> Option<Platform> {
    match name.to_ascii_lowercase().as_str() {
        "windows" => Some(Platform::Windows),
        "linux" => Some(Platform::Linux),
        "mac" => Some(Platform::Mac),
        _ => None,
    }
}

impl Policy {
    pub fn allows(&self, setting: &str) -> bool {
        setting_index(setting).is_some_and(|i| self.settings[i])
    }

    /// `remote_response.PolicyV1`; `groups` are the rendered host group records.
    pub fn record(&self, cid: &str, groups: Vec<Value>, precedence: usize) -> Value {
        let mut categories: Vec<(&str, Vec<Value>)> = Vec::new();
        for (id, on) in POLICY_SETTINGS.iter().zip(&self.settings) {
            let (name, category) = describe(id);
            let setting = json!({
                "id": id, "name": name, "type": "toggle", "description": "",
                "value": { "enabled": on },
            });
            match categories.iter_mut().find(|(c, _)| *c == category) {
                Some((_, list)) => list.push(setting),
                None => categories.push((category, vec![setting])),
            }
        }
        let settings: Vec<Value> = categories
            .into_iter()
            .map(|(name, settings)| json!({ "name": name, "settings": settings }))
            .collect();
        json!({
            "id": self.id,
            "cid": cid,
            "name": self.name,
            "description": self.description,
            "platform_name": self.platform.name(),
            "enabled": self.enabled,
            "groups": groups,
            "settings": settings,
            "precedence": precedence,
            "created_by": self.created_by,
            "created_timestamp": self.created_timestamp,
            "modified_by": self.modified_by,
            "modified_timestamp": self.modified_timestamp,
        })
    }
}
