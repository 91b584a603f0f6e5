//! Plan mode's answers: what a state-changing operation would have answered, in the right shape, so a
//! playbook's logic carries on while nothing is sent. Ids made up here start with `plan-`.

use super::targets::Targets;
use crate::ops::Response;
use crate::ops::{Body, PartContent, Request};
use serde_json::{Map, Value, json};

pub const ID_PREFIX: &str = "plan-";

pub fn is_plan_id(id: &str) -> bool {
    id.starts_with(ID_PREFIX)
}

/// The envelope every answer shares; `top` adds or replaces top-level keys.
pub fn envelope(status: u16, resources: Value, top: Map<String, Value>) -> Response {
    let mut body = Map::new();
    body.insert(
        "meta".into(),
        json!({ "query_time": 0.0, "powered_by": "falconry-plan", "trace_id": "plan" }),
    );
    body.insert("resources".into(), resources);
    body.insert("errors".into(), json!([]));
    body.extend(top);
    Response {
        status,
        headers: Vec::new(),
        body: Value::Object(body),
    }
}

/// A tenant change (create, update, delete, action, precedence). `new_id` makes an id per created
/// object; the records it returns are the ones the answer holds (kept for later reads of those ids).
pub fn change(req: &Request, targets: &Targets, new_id: &mut dyn FnMut() -> String) -> Response {
    let records: Vec<Value> = if req.op.kind == crate::ops::Kind::Create {
        given_records(req)
            .into_iter()
            .map(|mut r| {
                r.insert("id".into(), Value::String(new_id()));
                Value::Object(r)
            })
            .collect()
    } else if req.op.kind == crate::ops::Kind::Update {
        given_records(req).into_iter().map(Value::Object).collect()
    } else if req.op.kind == crate::ops::Kind::Action
        && req.op.answer == crate::ops::Answer::Records
    {
        targets
            .ids
            .iter()
            .chain(&targets.device_ids)
            .map(|id| json!({ "id": id }))
            .collect()
    } else {
        Vec::new()
    };
    envelope(req.op.success, Value::Array(records), Map::new())
}

/// The objects a create or update sends: `resources` of a JSON body, the body itself, or the form
/// fields of an upload.
fn given_records(req: &Request) -> Vec<Map<String, Value>> {
    match &req.body {
        Body::Json(Value::Object(m)) => match req
            .op
            .body
            .and_then(|b| b.wrap.items_key())
            .and_then(|key| m.get(key))
            .and_then(Value::as_array)
        {
            Some(items) => items
                .iter()
                .filter_map(|i| i.as_object().cloned())
                .collect(),
            None => vec![m.clone()],
        },
        Body::Json(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_object().cloned())
            .collect(),
        Body::Multipart(parts) => {
            let mut m = Map::new();
            for p in parts {
                let v = match &p.content {
                    PartContent::Text(t) => t.clone(),
                    PartContent::File { filename, .. } => filename.clone(),
                };
                m.insert(p.name.clone(), Value::String(v));
            }
            if let Some(id) = req.arg("id") {
                m.insert("id".into(), id);
            }
            vec![m]
        }
        _ => Vec::new(),
    }
}

/// A single-host RTR command: accepted, with a cloud request id the status check will know.
pub fn command(req: &Request, cloud_request_id: &str) -> Response {
    let session = req.arg("session_id").unwrap_or(Value::Null);
    envelope(
        req.op.success,
        json!([{
            "cloud_request_id": cloud_request_id,
            "session_id": session,
            "queued_command_offline": false,
        }]),
        Map::new(),
    )
}

/// A batch RTR command: one complete entry per host of the batch, with empty output.
pub fn batch_command(
    req: &Request,
    base_command: &str,
    hosts: &[(String, String)],
    new_id: &mut dyn FnMut() -> String,
) -> Response {
    let mut per_host = Map::new();
    for (aid, session) in hosts {
        per_host.insert(
            aid.clone(),
            json!({
                "aid": aid, "session_id": session, "task_id": new_id(), "base_command": base_command,
                "complete": true, "stdout": "", "stderr": "", "errors": [], "offline_queued": false,
                "query_time": 0.0, "sequence_id": 0,
            }),
        );
    }
    let mut top = Map::new();
    top.insert(
        "combined".into(),
        json!({ "resources": Value::Object(per_host) }),
    );
    let mut resp = envelope(req.op.success, Value::Null, top);
    if let Value::Object(m) = &mut resp.body {
        m.remove("resources");
    }
    resp
}

/// The status of a planned command: complete, nothing printed.
pub fn command_status(req: &Request, session_id: &str, base_command: &str) -> Response {
    let id = req.arg("cloud_request_id").unwrap_or(Value::Null);
    let sequence = req
        .arg("sequence_id")
        .and_then(|v| v.as_str().and_then(|s| s.parse::<i64>().ok()))
        .unwrap_or(0);
    envelope(
        200,
        json!([{
            "session_id": session_id, "task_id": id, "base_command": base_command,
            "sequence_id": sequence, "complete": true, "stdout": "", "stderr": "",
        }]),
        Map::new(),
    )
}

/// A read naming only objects the plan made up: their records (where the operation answers records),
/// or nothing.
pub fn read_of_planned(req: &Request, records: Vec<Value>) -> Response {
    let resources = if req.op.answer == crate::ops::Answer::Records {
        records
    } else {
        Vec::new()
    };
    envelope(200, Value::Array(resources), Map::new())
}
