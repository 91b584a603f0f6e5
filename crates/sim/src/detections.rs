//! What the sensor saw and what the analyst decided: alerts raised by the scenario's compromises,
//! the incidents that group a host's alerts, custom IOCs, and every change made to them with its
//! comment. IOCs feed back into the fleet: a `prevent` sha256 IOC stops that image on the hosts it
//! applies to ([`State::apply_iocs`]).

use super::detection_records::{Alert, Change, Incident, change};
use super::host::compromise::{Detection, detections};
use super::host::{HostSpec, Platform};
use super::stamp::now_stamp;
use super::state::State;
use serde_json::{Value, json};

impl State {
    /// Raises the alerts of the scenario's compromises (one incident per host that has any).
    pub(crate) fn raise_alerts(&mut self, specs: &[HostSpec]) {
        let stamp = now_stamp();
        for (i, spec) in specs.iter().enumerate() {
            let found = detections(spec);
            if found.is_empty() {
                continue;
            }
            let aid = self.hosts[i].host.device_id.clone();
            let cid = self.scenario.cid.clone();
            let incident = self.detections.incidents.len();
            let mut alerts = Vec::new();
            for detection in found {
                let n = self.ids.next_u64() % 1_000_000_000_000;
                let id = format!("ind:{aid}:{n}-{}-{}", pattern_id(&detection), detection.pid);
                alerts.push(self.detections.alerts.len());
                self.detections.alerts.push(Alert {
                    composite_id: format!("{cid}:{id}"),
                    id,
                    host: i,
                    sha256: super::host::digest::sha256_hex(&detection.image),
                    md5: super::host::digest::md5_hex(&detection.image),
                    detection,
                    created: stamp.clone(),
                    updated: stamp.clone(),
                    status: "new".into(),
                    tags: Vec::new(),
                    show_in_ui: true,
                    assigned_to_name: String::new(),
                    assigned_to_uuid: String::new(),
                    incident,
                    changes: Vec::new(),
                });
            }
            let hostname = self.hosts[i].host.hostname.clone();
            self.detections.incidents.push(Incident {
                incident_id: format!("inc:{aid}:{}", self.ids.hex32()),
                host: i,
                alerts,
                created: stamp.clone(),
                modified: stamp.clone(),
                status: 20,
                name: format!("Incident on {hostname}"),
                description: String::new(),
                tags: Vec::new(),
                assigned_to: String::new(),
                assigned_to_name: String::new(),
                changes: Vec::new(),
            });
        }
    }

    /// `detects.Alert`: every field the spec requires, empty where nothing applies.
    pub(crate) fn alert_record(&self, a: usize) -> Value {
        let alert = &self.detections.alerts[a];
        let d = &alert.detection;
        let host = &self.hosts[alert.host].host;
        let [tactic, tactic_id, technique, technique_id] = d.mitre;
        let platform = host.platform.name();
        let mut record = json!({
            "agent_id": host.device_id,
            "aggregate_id": format!("aggind:{}:{}", host.device_id, alert.incident),
            "aggregation_rule_id": "",
            "aggregation_rule_name": "",
            "assigned_to_name": alert.assigned_to_name,
            "assigned_to_uid": alert.assigned_to_name,
            "assigned_to_uuid": alert.assigned_to_uuid,
            "cid": self.scenario.cid,
            "cms_rule_id": "",
            "cms_rule_instance_id": "",
            "cms_rule_instance_version": "",
            "cmdline": d.command_line,
            "composite_id": alert.composite_id,
            "confidence": 80,
            "crawled_timestamp": alert.created,
            "created_timestamp": alert.created,
            "data_domains": ["Endpoint"],
            "description": d.description,
            "device": {
                "device_id": host.device_id,
                "hostname": host.hostname,
                "platform_name": platform,
                "os_version": host.os_version,
                "local_ip": host.local_ip,
                "external_ip": host.external_ip,
                "mac_address": host.mac_address,
                "agent_version": host.agent_version,
                "cid": self.scenario.cid,
                "tags": host.tags,
            },
            "display_name": format!("{}: {}", d.mitre[2], d.name),
            "email_sent": false,
            "external": false,
            "falcon_host_link": format!("https://falcon.crowdstrike.com/activity-v2/detections/{}", alert.composite_id),
            "filename": d.name,
            "filepath": d.path,
        });
        // Two halves: one `json!` of every field exceeds the macro's recursion limit.
        let rest = json!({
            "id": alert.id,
            "is_aggregated": false,
            "is_falcon_platform_ioa": false,
            "linked_behavioral_detections": [],
            "linked_case_ids": [],
            "local_process_id": d.pid.to_string(),
            "md5": alert.md5,
            "mitre_attack": [{
                "tactic": tactic, "tactic_id": tactic_id,
                "technique": technique, "technique_id": technique_id,
                "pattern_id": pattern_id(d),
            }],
            "name": technique.replace(' ', ""),
            "objective": "Falcon Detection Method",
            "origin_cid": self.scenario.cid,
            "parent_process_id": d.ppid.to_string(),
            "pattern_disposition": 0,
            "pattern_disposition_description": "Detection, standard detection.",
            "pattern_id": pattern_id(d),
            "platform": platform,
            "process_id": d.pid.to_string(),
            "product": "epp",
            "resolution": "",
            "scenario": "suspicious_activity",
            "seconds_to_resolved": 0,
            "seconds_to_triaged": 0,
            "severity": 70,
            "severity_name": "High",
            "sha256": alert.sha256,
            "show_in_ui": alert.show_in_ui,
            "source_products": ["Falcon Insight"],
            "source_vendors": ["CrowdStrike"],
            "status": alert.status,
            "tactic": tactic,
            "tactic_id": tactic_id,
            "tags": alert.tags,
            "technique": technique,
            "technique_id": technique_id,
            "timestamp": alert.created,
            "type": "ldt",
            "updated_timestamp": alert.updated,
            "user_name": d.user,
        });
        if let (Value::Object(a), Value::Object(b)) = (&mut record, rest) {
            a.extend(b);
        }
        record
    }

    /// `domain.Incident`.
    pub(crate) fn incident_record(&self, n: usize) -> Value {
        let inc = &self.detections.incidents[n];
        let host = self.device_record(inc.host);
        let alerts: Vec<&Alert> = inc
            .alerts
            .iter()
            .map(|&a| &self.detections.alerts[a])
            .collect();
        let mut tactics: Vec<&str> = alerts.iter().map(|a| a.detection.mitre[0]).collect();
        tactics.dedup();
        let mut techniques: Vec<&str> = alerts.iter().map(|a| a.detection.mitre[2]).collect();
        techniques.dedup();
        let mut users: Vec<&str> = alerts.iter().map(|a| a.detection.user.as_str()).collect();
        users.dedup();
        json!({
            "cid": self.scenario.cid,
            "incident_id": inc.incident_id,
            "incident_type": 1,
            "created": inc.created,
            "start": inc.created,
            "end": inc.modified,
            "modified_timestamp": inc.modified,
            "fine_score": 70,
            "host_ids": [self.hosts[inc.host].host.device_id],
            "hosts": [host],
            "lm_host_ids": [],
            "lm_hosts_capped": false,
            "lmra_host_ids": [],
            "lmra_hosts_capped": false,
            "lm_types": [],
            "email_state": "",
            "events_histogram": [],
            "name": inc.name,
            "description": inc.description,
            "state": if inc.status == 40 { "closed" } else { "open" },
            "status": inc.status,
            "tags": inc.tags,
            "tactics": tactics,
            "techniques": techniques,
            "objectives": ["Falcon Detection Method"],
            "users": users,
            "assigned_to": inc.assigned_to,
            "assigned_to_name": inc.assigned_to_name,
        })
    }

    /// `domain.Behavior`: one per alert of an incident; its id is the alert's `id`.
    pub(crate) fn behavior_record(&self, a: usize) -> Value {
        let alert = &self.detections.alerts[a];
        let d = &alert.detection;
        let inc = &self.detections.incidents[alert.incident];
        let [tactic, tactic_id, technique, technique_id] = d.mitre;
        json!({
            "aid": self.hosts[alert.host].host.device_id,
            "alert_ids": [alert.composite_id],
            "behavior_id": alert.id,
            "cid": self.scenario.cid,
            "cmdline": d.command_line,
            "filepath": d.path,
            "sha256": alert.sha256,
            "display_name": format!("{technique}: {}", d.name),
            "incident_id": inc.incident_id,
            "incident_ids": [inc.incident_id],
            "objective": "Falcon Detection Method",
            "pattern_id": pattern_id(d),
            "pattern_disposition": 0,
            "tactic": tactic,
            "tactic_id": tactic_id,
            "technique": technique,
            "technique_id": technique_id,
            "template_instance_id": 0,
            "timestamp": alert.created,
            "user_name": d.user,
        })
    }

    /// Recomputes, for every host, the sha256 images the `prevent` IOCs forbid there: an IOC applies
    /// when it is global or names one of the host's groups, and its platforms (if any) include the host's.
    pub(crate) fn apply_iocs(&mut self) {
        let rules: Vec<(String, bool, Vec<String>, Vec<String>)> = self
            .detections
            .indicators
            .iter()
            .filter(|r| {
                r["type"] == "sha256"
                    && matches!(r["action"].as_str(), Some("prevent" | "prevent_no_ui"))
            })
            .map(|r| {
                let list = |k: &str| -> Vec<String> {
                    r[k].as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str())
                                .map(str::to_ascii_lowercase)
                                .collect()
                        })
                        .unwrap_or_default()
                };
                (
                    r["value"].as_str().unwrap_or_default().to_ascii_lowercase(),
                    r["applied_globally"] == true,
                    list("host_groups"),
                    list("platforms"),
                )
            })
            .collect();
        for i in 0..self.hosts.len() {
            let platform = platform_word(self.hosts[i].host.platform);
            let groups: Vec<String> = if rules.iter().any(|r| !r.1) {
                self.host_groups(i)
                    .into_iter()
                    .map(str::to_string)
                    .collect()
            } else {
                Vec::new()
            };
            let prevented = rules
                .iter()
                .filter(|(_, global, host_groups, platforms)| {
                    (platforms.is_empty() || platforms.iter().any(|p| p == platform))
                        && (*global || host_groups.iter().any(|g| groups.contains(g)))
                })
                .map(|r| r.0.clone())
                .collect();
            self.hosts[i].host.prevented = prevented;
        }
    }

    /// The changes recorded on an alert (by composite id or id): name and value, oldest first.
    pub fn alert_changes(&self, id: &str) -> Option<Vec<Change>> {
        self.detections
            .alerts
            .iter()
            .find(|a| a.composite_id == id || a.id == id)
            .map(|a| a.changes.clone())
    }

    /// The composite ids of every alert, in the order they were raised.
    pub fn alert_ids(&self) -> Vec<String> {
        self.detections
            .alerts
            .iter()
            .map(|a| a.composite_id.clone())
            .collect()
    }

    /// Applies validated action parameters to alerts; tag removals go before additions (the v3 summary).
    pub(crate) fn apply_alert_actions(&mut self, alerts: &[usize], params: &[(String, String)]) {
        let stamp = now_stamp();
        let mut ordered: Vec<&(String, String)> = params
            .iter()
            .filter(|(n, _)| n.starts_with("remove_tag"))
            .collect();
        ordered.extend(params.iter().filter(|(n, _)| !n.starts_with("remove_tag")));
        for &a in alerts {
            let alert = &mut self.detections.alerts[a];
            for (name, value) in &ordered {
                match name.as_str() {
                    "update_status" => alert.status = value.clone(),
                    "show_in_ui" => alert.show_in_ui = value == "true",
                    "add_tag" if !alert.tags.contains(value) => alert.tags.push(value.clone()),
                    "remove_tag" => alert.tags.retain(|t| t != value),
                    "remove_tags_by_prefix" => {
                        alert.tags.retain(|t| !t.starts_with(value.as_str()))
                    }
                    "assign_to_name" | "assign_to_user_id" => {
                        alert.assigned_to_name = value.clone()
                    }
                    "assign_to_uuid" => alert.assigned_to_uuid = value.clone(),
                    "unassign" => {
                        alert.assigned_to_name.clear();
                        alert.assigned_to_uuid.clear();
                    }
                    _ => {}
                }
                alert.changes.push(change(name, value));
            }
            alert.updated = stamp.clone();
        }
    }
}

/// IOC platform names are lower-case (`windows`, `mac`, `linux`).
fn platform_word(p: Platform) -> &'static str {
    match p {
        Platform::Windows => "windows",
        Platform::Mac => "mac",
        Platform::Linux => "linux",
    }
}

/// A stable pattern id per technique (Falcon's are integers naming the detection logic).
fn pattern_id(d: &Detection) -> u32 {
    match d.mitre[3] {
        "T1071" => 10_197,
        "T1496" => 50_102,
        _ => 30_014,
    }
}
