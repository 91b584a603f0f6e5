//! What the tenant keeps of detections: alerts, the incidents that group them, custom IOCs, and every
//! change made to them (the records; `detections` raises, renders and applies them).

use super::host::compromise::Detection;
use super::stamp::{API_USER, now_stamp};
use serde_json::Value;

#[derive(Default)]
pub struct Detections {
    pub alerts: Vec<Alert>,
    pub incidents: Vec<Incident>,
    /// `api.IndicatorV1` records, as created and updated (validated on the way in).
    pub indicators: Vec<Value>,
}

/// One alert (`detects.Alert`): the detection, where it happened and its triage state.
pub struct Alert {
    pub composite_id: String,
    pub id: String,
    /// Index into `State::hosts`.
    pub host: usize,
    pub detection: Detection,
    pub sha256: String,
    pub md5: String,
    pub created: String,
    pub updated: String,
    pub status: String,
    pub tags: Vec<String>,
    pub show_in_ui: bool,
    pub assigned_to_name: String,
    pub assigned_to_uuid: String,
    pub incident: usize,
    /// Every change, in order: the action parameter's name and value (status, comment, tag...).
    pub changes: Vec<Change>,
}

/// One recorded change of an alert or an incident.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub timestamp: String,
    pub user: String,
    pub name: String,
    pub value: String,
}

/// One incident (`domain.Incident`): the alerts of one host.
pub struct Incident {
    pub incident_id: String,
    pub host: usize,
    pub alerts: Vec<usize>,
    pub created: String,
    pub modified: String,
    /// 20 New, 25 Reopened, 30 In Progress, 40 Closed.
    pub status: i64,
    pub name: String,
    pub description: String,
    pub tags: Vec<String>,
    pub assigned_to: String,
    pub assigned_to_name: String,
    pub changes: Vec<Change>,
}

/// The alert `status` an incident status stands for (`update_detects`).
pub fn alert_status_of(incident_status: i64) -> &'static str {
    match incident_status {
        25 => "reopened",
        30 => "in_progress",
        40 => "closed",
        _ => "new",
    }
}

/// A change made now by the API client.
pub fn change(name: &str, value: &str) -> Change {
    Change {
        timestamp: now_stamp(),
        user: API_USER.into(),
        name: name.into(),
        value: value.into(),
    }
}
