//! `summary.json`: the case at a glance — per host the commands run, errors, changes and files
//! collected; totals; how the run ended. Built from the case's own files, so it is right after a resume.

use super::folder::{
    AUDIT_FILE, COMMANDS_FILE, CaseInfo, EVENTS_FILE, EVIDENCE_FILE, JOURNAL_FILE, SUMMARY_FILE,
};
use super::lines::{now, read, read_with};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::path::Path;

/// Everything the summary and the report read, loaded once.
pub struct Loaded {
    pub commands: Vec<Value>,
    pub events: Vec<Value>,
    pub evidence: Vec<Value>,
    /// The audit entries saying what a request did (the `intent` entries written before sending are
    /// in the file, not here: each has its outcome entry).
    pub audit: Vec<Value>,
    pub journal: Vec<Value>,
}

impl Loaded {
    pub fn load(dir: &Path) -> Result<Loaded, String> {
        Ok(Loaded {
            commands: read(&dir.join(COMMANDS_FILE))?,
            events: read(&dir.join(EVENTS_FILE))?,
            evidence: read(&dir.join(EVIDENCE_FILE))?,
            audit: read(&dir.join(AUDIT_FILE))?
                .into_iter()
                .filter(|a| a["phase"] != "intent")
                .collect(),
            journal: read(&dir.join(JOURNAL_FILE))?,
        })
    }
}

/// The device ids an audit entry names.
pub fn audit_devices(entry: &Value) -> Vec<String> {
    entry
        .pointer("/targets/device_ids")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// One host's line of the summary.
#[derive(Default)]
struct HostSum {
    hostname: String,
    commands: u64,
    errors: u64,
    changes: u64,
    evidence: u64,
}

/// The hosts in the order first met, counted in place: a 10,000-host case has 10,000 commands,
/// and counting each into a JSON map (a lookup and a new value per count) was most of the summary.
#[derive(Default)]
struct Hosts {
    order: Vec<(String, HostSum)>,
    at: HashMap<String, usize>,
}

impl Hosts {
    /// The entry of host `id`, made when first met; a known hostname is kept.
    fn get(&mut self, id: &str, name: &str) -> &mut HostSum {
        let i = match self.at.get(id) {
            Some(&i) => i,
            None => {
                self.order.push((id.to_string(), HostSum::default()));
                self.at.insert(id.to_string(), self.order.len() - 1);
                self.order.len() - 1
            }
        };
        let h = &mut self.order[i].1;
        if !name.is_empty() && h.hostname != name {
            h.hostname = name.to_string();
        }
        h
    }

    fn into_json(self) -> Map<String, Value> {
        self.order
            .into_iter()
            .map(|(id, h)| {
                let v = json!({ "hostname": h.hostname, "commands": h.commands, "errors": h.errors,
                                "changes": h.changes, "evidence": h.evidence });
                (id, v)
            })
            .collect()
    }
}

/// Field `k` of `v` as text, empty when absent or not text.
fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

pub fn build(info: &CaseInfo, l: &Loaded, outcome: &Value) -> Value {
    let mut hosts = Hosts::default();
    let s = |v: &Value, k: &str| -> String { str_of(v, k).to_string() };
    for c in &l.commands {
        let h = hosts.get(str_of(c, "device_id"), str_of(c, "hostname"));
        h.commands += 1;
        if c.get("error").is_some() {
            h.errors += 1;
        }
    }
    // Collected files name their host; its device id comes from the host's commands.
    let by_name: HashMap<&str, &str> = l
        .commands
        .iter()
        .map(|c| (str_of(c, "hostname"), str_of(c, "device_id")))
        .collect();
    for e in &l.evidence {
        let id = match s(e, "device_id") {
            d if d.is_empty() => by_name
                .get(str_of(e, "host"))
                .map_or_else(|| s(e, "host"), |d| d.to_string()),
            d => d,
        };
        hosts.get(&id, str_of(e, "host")).evidence += 1;
    }
    for a in &l.audit {
        for d in audit_devices(a) {
            hosts.get(&d, "").changes += 1;
        }
    }
    for e in l.events.iter().filter(|e| e["kind"] == "host_error") {
        hosts
            .get(str_of(e, "device_id"), str_of(e, "hostname"))
            .errors += 1;
    }
    let hosts = hosts.into_json();
    let count = |kind: &str| l.events.iter().filter(|e| e["kind"] == kind).count();
    // A path need not be UTF-8 (`json!` of a `PathBuf` would panic on one that is not): shown as text.
    let path = info.playbook_path.as_ref().map(|p| p.display().to_string());
    json!({
        "playbook": { "name": info.playbook_name, "sha256": info.sha256, "path": path },
        "kind": info.kind,
        "arguments": info.arguments,
        "started": info.started,
        "finished": now(),
        "outcome": outcome,
        "totals": {
            "hosts": hosts.len(),
            "commands": l.commands.len(),
            "command_errors": l.commands.iter().filter(|c| c.get("error").is_some()).count(),
            "refused": count("refused"),
            "host_errors": count("host_error"),
            "may_have_run": count("may_have_run"),
            "recovered": count("recovered"),
            "evidence": l.evidence.len(),
            "audit_entries": l.audit.len(),
            "journaled_hosts": l.journal.iter().filter(|j| j["t"] == "host").count(),
            "resumed_commands": l.commands.iter().filter(|c| c["resumed"] == true).count(),
        },
        "hosts": hosts,
    })
}

/// The fields [`build`] reads of a `commands.jsonl` line; its outputs are skipped unread.
#[derive(Deserialize)]
struct CommandFields {
    device_id: Option<Value>,
    hostname: Option<Value>,
    error: Option<Value>,
    resumed: Option<Value>,
}

/// Of an audit entry, whether it is an intent and the devices it names.
#[derive(Deserialize)]
struct AuditFields {
    phase: Option<Value>,
    targets: Option<Value>,
}

/// Of a journal line, its kind; answers (a batch's is tens of megabytes) are skipped unread.
#[derive(Deserialize)]
struct JournalFields {
    t: Option<Value>,
}

/// Only the fields [`build`] reads: a 10,000-host case is summed up without holding its outputs,
/// and without building the values of what it does not read.
fn lean(dir: &Path) -> Result<Loaded, String> {
    Ok(Loaded {
        commands: read_with(&dir.join(COMMANDS_FILE), |c: CommandFields| {
            let mut m = Map::new();
            for (k, v) in [
                ("device_id", c.device_id),
                ("hostname", c.hostname),
                ("error", c.error),
                ("resumed", c.resumed),
            ] {
                if let Some(v) = v {
                    m.insert(k.to_string(), v);
                }
            }
            Some(Value::Object(m))
        })?,
        events: read(&dir.join(EVENTS_FILE))?,
        evidence: read(&dir.join(EVIDENCE_FILE))?,
        audit: read_with(&dir.join(AUDIT_FILE), |a: AuditFields| {
            (a.phase.as_ref().and_then(Value::as_str) != Some("intent")).then(|| {
                let ids = a.targets.as_ref().and_then(|t| t.get("device_ids"));
                json!({ "targets": { "device_ids": ids } })
            })
        })?,
        journal: read_with(&dir.join(JOURNAL_FILE), |j: JournalFields| {
            (j.t.as_ref().and_then(Value::as_str) == Some("host")).then(|| json!({ "t": "host" }))
        })?,
    })
}

pub fn write(dir: &Path, info: &CaseInfo, outcome: &Value) -> Result<(), String> {
    let summary = build(info, &lean(dir)?, outcome);
    super::files::write_json(&dir.join(SUMMARY_FILE), &summary)
}
