//! What the tenant keeps of RTR: sessions, the files `get` leaves behind, commands and their
//! progress, and batches (the records; `session` runs the commands and answers for them).

use serde_json::{Value, json};
use std::time::Instant;

/// `deleted_at` of a record that was not deleted. The spec requires a date-time in every record
/// that has it (`domain.Session`, `domain.QueuedSessionJob`, `domain.QueuedSessionCommand`,
/// `model.File`, `domain.FileV2`), so it is never `null`; the API is a Go service (`powered_by:
/// empower-api`), whose unset `time.Time` prints as the zero time. No capture shows the value
/// (tests/data/falcon-api/DEVIATIONS.md).
pub const NOT_DELETED: &str = "0001-01-01T00:00:00Z";

pub struct Session {
    pub id: String,
    pub device_id: String,
    pub host: usize,
    pub origin: String,
    pub offline_queued: bool,
    pub cwd: String,
    pub created_at: String,
    pub updated_at: String,
    pub last_used: Instant,
    /// Cloud request ids, oldest first.
    pub commands: Vec<String>,
    pub files: Vec<FileEntry>,
}

pub struct FileEntry {
    pub id: u64,
    pub uuid: String,
    pub cloud_request_id: String,
    pub name: String,
    pub sha256: String,
    pub bytes: bytes::Bytes,
    pub created_at: String,
    pub deleted: bool,
}

pub enum Progress {
    /// Waiting for an offline host.
    Queued,
    Done {
        at: Instant,
        stdout: String,
        stderr: String,
    },
    Canceled,
}

pub struct CommandRecord {
    pub id: String,
    /// When it was sent (a queued command expires from then).
    pub submitted: Instant,
    pub session_id: String,
    pub host: usize,
    pub base_command: String,
    pub command_string: String,
    pub created_at: String,
    pub progress: Progress,
}

pub struct Batch {
    /// Device id -> session id, in the order hosts were added.
    pub sessions: Vec<(String, String)>,
}

pub struct BatchGet {
    /// Device id -> (session id, cloud request id).
    pub tasks: Vec<(String, String, String)>,
}

impl FileEntry {
    /// `model.File` (v1, integer id) or `domain.FileV2` (v2, string id with progress fields).
    pub fn record(&self, session_id: &str, v2: bool) -> Value {
        let mut v = json!({
            "id": self.id,
            "cloud_request_id": self.cloud_request_id,
            "name": self.name,
            "session_id": session_id,
            "sha256": self.sha256,
            "size": self.bytes.len(),
            "created_at": self.created_at,
            "updated_at": self.created_at,
            "deleted_at": NOT_DELETED,
        });
        if v2 {
            v["id"] = json!(self.uuid);
            v["complete"] = json!(true);
            v["progress"] = json!(1.0);
            v["stage"] = json!("complete");
            v["status"] = json!("complete");
            v["error_message"] = json!("");
        }
        v
    }
}
