//! Which response policy governs a host, worked out from the public API as Falcon does: the enabled
//! policy of the host's platform with the highest precedence among those assigned to one of its host
//! groups, else the platform's default policy.

use crate::engine::Context;
use crate::helpers::caller::{self, Result, str_of};
use crate::helpers::hosts::HostInfo;
use crate::ops::OpId;
use crate::ops::commands::{CommandSpec, settings_needed};
use crate::platform::Platform;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Falcon names every platform's default response policy this way.
pub const DEFAULT_POLICY: &str = "platform_default";
const PAGE: usize = 5000;

#[derive(Clone, Debug)]
pub struct Policy {
    pub id: String,
    pub name: String,
    pub description: String,
    pub platform: String,
    pub enabled: bool,
    pub precedence: i64,
    pub groups: Vec<String>,
    settings: HashMap<String, bool>,
}

impl Policy {
    pub fn from_record(v: &Value) -> Policy {
        let mut settings = HashMap::new();
        // Settings come grouped by category: `[{name, settings: [{id, value: {enabled}}]}]`.
        for category in v
            .get("settings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let inner = category.get("settings").and_then(Value::as_array);
            for s in inner.into_iter().flatten().chain(
                // A flat list (`[{id, value}]`) is read the same way.
                std::iter::once(category).filter(|c| c.get("id").is_some()),
            ) {
                let enabled = s
                    .pointer("/value/enabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                settings.insert(str_of(s, "id").to_ascii_lowercase(), enabled);
            }
        }
        Policy {
            id: str_of(v, "id").to_string(),
            name: str_of(v, "name").to_string(),
            description: str_of(v, "description").to_string(),
            platform: str_of(v, "platform_name").to_string(),
            enabled: v.get("enabled").and_then(Value::as_bool).unwrap_or(false),
            precedence: v
                .get("precedence")
                .and_then(Value::as_i64)
                .unwrap_or(i64::MAX),
            groups: v
                .get("groups")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|g| match g {
                    Value::String(s) => s.clone(),
                    other => str_of(other, "id").to_string(),
                })
                .collect(),
            settings,
        }
    }

    pub fn is_default(&self) -> bool {
        self.name == DEFAULT_POLICY
    }

    pub fn allows(&self, setting: &str) -> bool {
        self.settings
            .get(&setting.to_ascii_lowercase())
            .copied()
            .unwrap_or(false)
    }

    /// Turns `setting` on or off (a projected policy: what a planned change would make of it).
    pub fn set(&mut self, setting: &str, on: bool) {
        self.settings.insert(setting.to_ascii_lowercase(), on);
    }

    /// The first setting this policy has disabled (or lacks) that `command` needs: a Falcon script
    /// needs `CustomScripts` as well as `FalconScripts`.
    pub fn refuses(&self, command: &CommandSpec) -> Option<&'static str> {
        settings_needed(command)
            .into_iter()
            .find(|s| !self.allows(s))
    }
}

/// Every response policy of the tenant, per platform, highest precedence first.
pub struct Policies {
    by_platform: HashMap<String, Vec<Policy>>,
}

impl Policies {
    pub fn load(ctx: &Context) -> Result<Policies> {
        Ok(Policies::from_list(
            load_records(ctx)?.iter().map(Policy::from_record).collect(),
        ))
    }

    /// Grouped per platform and ordered by precedence.
    pub fn from_list(all: Vec<Policy>) -> Policies {
        let mut by_platform: HashMap<String, Vec<Policy>> = HashMap::new();
        for p in all {
            by_platform
                .entry(p.platform.to_ascii_lowercase())
                .or_default()
                .push(p);
        }
        for list in by_platform.values_mut() {
            list.sort_by_key(|p| p.precedence);
        }
        Policies { by_platform }
    }

    /// The policy that governs `host`, if the tenant has one for its platform.
    pub fn effective(&self, host: &HostInfo) -> Option<&Policy> {
        let list = self.by_platform.get(&host.platform.to_ascii_lowercase())?;
        let groups: Vec<&str> = host
            .record
            .get("groups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        list.iter()
            .find(|p| {
                !p.is_default()
                    && p.enabled
                    && p.groups.iter().any(|g| groups.contains(&g.as_str()))
            })
            .or_else(|| list.iter().find(|p| p.is_default()))
    }
}

/// Every response policy record of the tenant (all pages), highest precedence first.
pub fn load_records(ctx: &Context) -> Result<Vec<Value>> {
    let mut all = Vec::new();
    let mut offset = 0usize;
    loop {
        let resp = caller::send(
            ctx,
            OpId::QueryCombinedRTResponsePolicies,
            json!({ "limit": PAGE, "offset": offset, "sort": "precedence.asc" }),
        )?;
        let page = caller::resources(&resp);
        let total = caller::total_of(&resp).unwrap_or(0) as usize;
        offset += page.len();
        let empty = page.is_empty();
        all.extend(page);
        if empty || offset >= total {
            return Ok(all);
        }
    }
}

/// Why a host would refuse a command, before any policy: the platform does not have it.
pub fn unsupported_on(command: &CommandSpec, host: &HostInfo) -> bool {
    Platform::parse(&host.platform).is_some_and(|p| !command.platforms.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::commands::lookup;

    fn policy(
        id: &str,
        name: &str,
        precedence: i64,
        enabled: bool,
        groups: &[&str],
        get: bool,
    ) -> Value {
        json!({
            "id": id, "name": name, "platform_name": "Windows", "enabled": enabled,
            "precedence": precedence, "groups": groups.iter().map(|g| json!({ "id": g })).collect::<Vec<_>>(),
            "settings": [
                { "name": "Real Time Response", "settings": [{ "id": "RealTimeFunctionality", "value": { "enabled": true } }] },
                { "name": "High Risk Commands", "settings": [{ "id": "GetCommand", "value": { "enabled": get } }] },
            ],
        })
    }

    fn host(groups: &[&str]) -> HostInfo {
        HostInfo::from_record(json!({
            "device_id": "d1", "hostname": "WS-1", "platform_name": "Windows", "groups": groups,
        }))
    }

    fn policies(records: Vec<Value>) -> Policies {
        Policies::from_list(records.iter().map(Policy::from_record).collect())
    }

    #[test]
    fn the_highest_enabled_policy_of_a_host_group_wins_else_the_default() {
        let all = policies(vec![
            policy("default", DEFAULT_POLICY, 4, true, &[], true),
            policy("a", "servers", 1, true, &["g-servers"], true),
            policy("b", "finance off", 2, false, &["g-finance"], false),
            policy("c", "finance", 3, true, &["g-finance"], false),
        ]);
        assert_eq!(all.effective(&host(&["g-finance"])).unwrap().id, "c");
        assert_eq!(
            all.effective(&host(&["g-finance", "g-servers"]))
                .unwrap()
                .id,
            "a"
        );
        assert_eq!(all.effective(&host(&["g-other"])).unwrap().id, "default");
        let get = lookup("get", "get x").unwrap();
        assert_eq!(
            all.effective(&host(&["g-finance"])).unwrap().refuses(get),
            Some("GetCommand")
        );
        assert_eq!(all.effective(&host(&[])).unwrap().refuses(get), None);
    }

    #[test]
    fn a_falcon_script_needs_both_script_settings() {
        let record = |custom: bool, falcon: bool| {
            json!({
                "id": "p", "name": DEFAULT_POLICY, "platform_name": "Windows", "enabled": true,
                "settings": [
                    { "name": "Enable/Disable", "settings": [{ "id": "RealTimeFunctionality", "value": { "enabled": true } }] },
                    { "name": "Custom scripts", "settings": [
                        { "id": "CustomScripts", "value": { "enabled": custom } },
                        { "id": "FalconScripts", "value": { "enabled": falcon } },
                    ] },
                ],
            })
        };
        let falconscript = lookup("falconscript", "falconscript -Name=x").unwrap();
        let refuses = |c, f| Policy::from_record(&record(c, f)).refuses(falconscript);
        assert_eq!(refuses(true, true), None);
        assert_eq!(refuses(false, true), Some("CustomScripts"));
        assert_eq!(refuses(true, false), Some("FalconScripts"));
    }

    #[test]
    fn platforms_without_a_command_refuse_it() {
        let linux = HostInfo::from_record(json!({ "device_id": "d", "platform_name": "Linux" }));
        assert!(unsupported_on(
            lookup("ipconfig", "ipconfig").unwrap(),
            &linux
        ));
        assert!(!unsupported_on(lookup("ps", "ps").unwrap(), &linux));
    }
}
