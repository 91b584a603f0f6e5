//! What a request targets (hosts, sessions, batches, object ids), using what earlier answers said:
//! a session or a batch names its hosts only when it is opened.

use crate::ops::Response;
use crate::ops::{Collection, Opens, Request};
use crate::terminal;
use rhai::{Array, Dynamic, ImmutableString, Map};
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Hostnames remembered at most; beyond it, refusals and plans show device ids alone.
const HOSTNAMES_CAP: usize = 200_000;

/// The targets of one request, as the plan, the audit log and refusals show them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Targets {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_ids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    /// Ids of other objects: policies, host groups, scripts, put-files, extracted files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_id: Option<String>,
}

impl Targets {
    /// `WS-042 (device `abc`)` where the hostname is known, else the device id.
    pub fn hosts(&self, memory: &Memory) -> Vec<String> {
        self.device_ids
            .iter()
            .map(|d| match memory.hostnames.get(d) {
                Some(h) => format!(
                    "host {} (device `{}`)",
                    terminal::name(h),
                    terminal::name(d)
                ),
                None => format!("device `{}`", terminal::name(d)),
            })
            .collect()
    }
}

/// Keyed by ids Falcon assigns (device, session, batch), never by text a host chose: foldhash, not
/// SipHash. Hashing was a sixth of the safety layer's instructions on a 2,000-host batch (issue 28,
/// callgrind).
type ById<V> = HashMap<String, V, foldhash::fast::RandomState>;

/// Sessions, batches and hostnames seen in answers so far.
#[derive(Debug, Default, PartialEq)]
pub struct Memory {
    /// Session id -> device id.
    sessions: ById<String>,
    /// Batch id -> (device id, session id), in the order the batch listed them.
    batches: ById<Vec<(String, String)>>,
    /// Device id -> hostname.
    hostnames: ById<String>,
}

impl Memory {
    pub fn targets(&self, req: &Request) -> Targets {
        let mut t = Targets::default();
        let ids: Vec<String> = ["ids", "id", "composite_ids"]
            .iter()
            .flat_map(|k| req.arg(k).map(|v| strings(&v)).unwrap_or_default())
            .collect();
        if req.op.collection == Collection::Hosts {
            t.device_ids.extend(ids);
        } else {
            t.ids.extend(ids);
        }
        for key in ["device_id", "host_ids", "device_ids"] {
            if let Some(v) = req.arg(key) {
                t.device_ids.extend(strings(&v));
            }
        }
        let text = |k: &str| {
            req.arg(k)
                .and_then(|v| v.as_str().map(str::to_string))
                .filter(|s| !s.is_empty())
        };
        t.session_id = text("session_id");
        if let Some(s) = &t.session_id
            && t.device_ids.is_empty()
            && let Some(d) = self.sessions.get(s)
        {
            t.device_ids.push(d.clone());
        }
        t.batch_id = text("batch_id");
        if let Some(b) = &t.batch_id {
            let only = req
                .arg("optional_hosts")
                .map(|v| strings(&v))
                .unwrap_or_default();
            if !only.is_empty() {
                t.device_ids.extend(only);
            } else if let Some(members) = self.batches.get(b) {
                t.device_ids.extend(members.iter().map(|(d, _)| d.clone()));
            }
        }
        t.device_ids.dedup();
        t.hostnames = t
            .device_ids
            .iter()
            .filter_map(|d| self.hostnames.get(d).cloned())
            .collect();
        t
    }

    /// Learns sessions, batches and hostnames from a successful answer.
    pub fn learn(&mut self, req: &Request, resp: &Response) {
        let body = &resp.body;
        match req.op.opens {
            Some(Opens::Session) => {
                let device = req
                    .arg("device_id")
                    .and_then(|v| v.as_str().map(str::to_string));
                let session = body
                    .pointer("/resources/0/session_id")
                    .and_then(Value::as_str);
                if let (Some(d), Some(s)) = (device, session) {
                    self.sessions.insert(s.to_string(), d);
                }
            }
            Some(Opens::Batch) => {
                let batch = body.get("batch_id").and_then(Value::as_str);
                let hosts = body.get("resources").and_then(Value::as_object);
                if let (Some(b), Some(hosts)) = (batch, hosts) {
                    let joined: Vec<(String, String)> = hosts
                        .iter()
                        .filter_map(|(aid, entry)| {
                            let s = entry
                                .get("session_id")
                                .and_then(Value::as_str)
                                .filter(|s| !s.is_empty())?;
                            Some((aid.clone(), s.to_string()))
                        })
                        .collect();
                    for (aid, s) in &joined {
                        self.sessions.insert(s.clone(), aid.clone());
                    }
                    // A host that joins again moves to the end with its new session; one pass,
                    // as a batch may hold 10,000 hosts.
                    let again: HashSet<&str, foldhash::fast::RandomState> =
                        joined.iter().map(|(d, _)| d.as_str()).collect();
                    let members = self.batches.entry(b.to_string()).or_default();
                    members.retain(|(d, _)| !again.contains(d.as_str()));
                    members.extend(joined);
                }
            }
            None => {}
        }
        self.learn_hostnames(body);
    }

    /// Learns the hostnames an answer names: `device_id` and `hostname` of each of its `resources`.
    pub fn learn_hostnames(&mut self, body: &Value) {
        let Some(items) = body.get("resources").and_then(Value::as_array) else {
            return;
        };
        for item in items {
            if let (Some(d), Some(h)) = (
                item.get("device_id").and_then(Value::as_str),
                item.get("hostname").and_then(Value::as_str),
            ) {
                self.learn_hostname(d, h);
            }
        }
    }

    /// [`Memory::learn_hostnames`] from an answer read straight into the playbook's value: the same
    /// keys, read the same way (strings only; `serde_json`'s `as_str` is `Some` for strings only).
    pub fn learn_hostnames_script(&mut self, body: &Dynamic) {
        let Some(body) = body.read_lock::<Map>() else {
            return;
        };
        let Some(items) = body.get("resources").and_then(|r| r.read_lock::<Array>()) else {
            return;
        };
        let text = |item: &Map, key: &str| {
            item.get(key)
                .and_then(|v| v.read_lock::<ImmutableString>().map(|s| s.clone()))
        };
        for item in items.iter() {
            let Some(item) = item.read_lock::<Map>() else {
                continue;
            };
            if let (Some(d), Some(h)) = (text(&item, "device_id"), text(&item, "hostname")) {
                self.learn_hostname(&d, &h);
            }
        }
    }

    fn learn_hostname(&mut self, device_id: &str, hostname: &str) {
        if self.hostnames.len() < HOSTNAMES_CAP || self.hostnames.contains_key(device_id) {
            self.hostnames
                .insert(device_id.to_string(), hostname.to_string());
        }
    }

    /// The device ids and sessions of a batch, for plan mode's per-host answers.
    pub fn batch_sessions(&self, batch_id: &str) -> &[(String, String)] {
        self.batches.get(batch_id).map_or(&[], Vec::as_slice)
    }
}

/// A string or an array of strings as a list; anything else is empty.
pub fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) if !s.is_empty() => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A playbook's call reads its answer straight into Rhai values when only hostnames are to be
    /// learnt from it (`Safety::reads_answer`): both readings must learn the same, whatever the shape.
    #[test]
    fn hostnames_are_learnt_alike_from_json_and_from_the_playbooks_value() {
        let bodies = [
            json!({ "resources": [{ "device_id": "d1", "hostname": "WS-042" }, { "device_id": "d2", "hostname": "FIN-3" }] }),
            json!({ "resources": [{ "device_id": "d1", "hostname": "second" }, { "device_id": "d1", "hostname": "third" }] }),
            json!({ "resources": [{ "device_id": "d1" }, { "hostname": "h" }, "d1", null, 7, [], {}] }),
            json!({ "resources": [{ "device_id": 1, "hostname": "h" }, { "device_id": "d3", "hostname": null }] }),
            json!({ "resources": [{ "device_id": "", "hostname": "" }, { "device_id": "d4", "hostname": ["h"] }] }),
            json!({ "resources": { "d1": { "device_id": "d1", "hostname": "h" } } }),
            json!({ "resources": "d1" }),
            json!({ "meta": {}, "errors": [] }),
            json!([{ "device_id": "d1", "hostname": "h" }]),
            json!({}),
        ];
        for body in bodies {
            let (mut from_json, mut from_script) = (Memory::default(), Memory::default());
            from_json.learn_hostnames(&body);
            from_script
                .learn_hostnames_script(&crate::engine::convert::from_json_owned(body.clone()));
            assert_eq!(from_json, from_script, "{body}");
        }
    }
}
