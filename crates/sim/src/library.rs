//! The tenant's RTR library: custom scripts, put-files and the read-only catalogue of Falcon scripts.

use super::host::CommandEnv;
use bytes::Bytes;
use serde_json::{Value, json};

/// A custom script or a put-file (the API renders both as `RemoteCommandPutFileV2`).
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub name: String,
    pub description: String,
    pub comments_for_audit_log: String,
    pub content: Bytes,
    pub sha256: String,
    /// Scripts only.
    pub platform: Vec<String>,
    pub permission_type: String,
    pub created_by: String,
    pub created_timestamp: String,
    pub modified_by: String,
    pub modified_timestamp: String,
}

/// The one digest helper (`host::digest`): the library's records and the hosts' files agree.
pub(crate) use super::host::digest::sha256_hex;

impl Item {
    pub fn set_content(&mut self, content: Bytes, sha256: String) {
        self.sha256 = sha256;
        self.content = content;
    }

    /// `file_type` is `script` or `binary`; put-file records carry no content.
    pub fn record(&self, file_type: &str) -> Value {
        let mut v = json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "comments_for_audit_log": self.comments_for_audit_log,
            "file_type": file_type,
            "sha256": self.sha256,
            "size": self.content.len(),
            "created_by": self.created_by,
            "created_by_uuid": uuid_of(&self.created_by),
            "created_timestamp": self.created_timestamp,
            "modified_by": self.modified_by,
            "modified_by_uuid": uuid_of(&self.modified_by),
            "modified_timestamp": self.modified_timestamp,
            "run_attempt_count": 0,
            "run_success_count": 0,
            "write_access": true,
        });
        if file_type == "script" {
            v["content"] = json!(String::from_utf8_lossy(&self.content));
            v["platform"] = json!(self.platform);
            v["permission_type"] = json!(self.permission_type);
        } else {
            v["permission_type"] = json!("none");
        }
        v
    }
}

/// A stable user uuid for the emulator's users (records carry both a name and a uuid).
fn uuid_of(user: &str) -> String {
    let h = sha256_hex(user.as_bytes());
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The read-only Falcon scripts: (id, name, platform, description, content).
pub const FALCON_SCRIPTS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "f1a1c0de0000000000000000000000a1",
        "CollectProcessTree",
        "windows",
        "Lists running processes with their parents",
        "Get-CimInstance Win32_Process | Select-Object ProcessId,ParentProcessId,Name",
    ),
    (
        "f1a1c0de0000000000000000000000a2",
        "CollectNetworkConnections",
        "windows",
        "Lists TCP connections with owning processes",
        "Get-NetTCPConnection | Select-Object LocalAddress,LocalPort,RemoteAddress,RemotePort,OwningProcess",
    ),
    (
        "f1a1c0de0000000000000000000000a3",
        "CollectLinuxArtifacts",
        "linux",
        "Gathers shell history, crontabs and authorized keys",
        "cat /root/.bash_history; crontab -l; cat /root/.ssh/authorized_keys",
    ),
];

pub fn falcon_script_record(entry: &(&str, &str, &str, &str, &str), with_content: bool) -> Value {
    let (id, name, platform, description, content) = *entry;
    let mut v = json!({
        "id": id, "name": name, "platform": platform, "description": description,
        "access_roles": ["falcon_console_guest"], "categories": ["collection"],
        "created_by": "CrowdStrike", "created_timestamp": "2024-01-01T00:00:00.000Z",
        "modified_by": "CrowdStrike", "modified_timestamp": "2024-01-01T00:00:00.000Z",
        "is_disruptive": false, "modifies_system": false, "revision": 1,
        "use_case": "collection", "workflow_enabled": false,
        "workflow_input_schema": "", "workflow_output_schema": "", "workflow_tags": [],
        "sha256": sha256_hex(content.as_bytes()), "size": content.len(),
    });
    if with_content {
        v["content"] = json!(content);
    }
    v
}

/// What `put` and `runscript` see of the library.
pub struct Library<'a> {
    pub scripts: &'a [Item],
    pub put_files: &'a [Item],
}

impl CommandEnv for Library<'_> {
    fn put_file(&self, name: &str) -> Option<Vec<u8>> {
        self.put_files
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.content.to_vec())
    }

    fn script(&self, name: &str) -> Option<String> {
        self.scripts
            .iter()
            .find(|s| s.name == name)
            .map(|s| String::from_utf8_lossy(&s.content).into_owned())
            .or_else(|| {
                FALCON_SCRIPTS
                    .iter()
                    .find(|f| f.1 == name)
                    .map(|f| f.4.to_string())
            })
    }
}
