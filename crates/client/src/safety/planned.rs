//! Plan mode's view of the tenant: the objects planned creates would make, shaped as the API would
//! answer for them, and the ones planned deletes would remove. Reads sent for real are answered with
//! this view merged in, so a playbook that creates something and reads it back runs its real logic.

use crate::fql;
use crate::ops::{Answer, ObjectKind, Request};
use crate::platform::Platform;
use crate::policy::{Policy, default_settings, setting_index};
use serde_json::{Map, Value, json};

/// A created record as the API would answer it: what was sent, with the fields the API adds.
pub fn shape(kind: ObjectKind, id: &str, mut sent: Map<String, Value>) -> Value {
    let stamp = crate::time::now_stamp();
    sent.insert("id".into(), json!(id));
    if kind == ObjectKind::Policy
        && let Some(record) = policy_record(id, &sent, &stamp)
    {
        return record;
    }
    for (k, v) in [
        ("created_by", json!("falconry-plan")),
        ("created_timestamp", json!(stamp)),
        ("modified_by", json!("falconry-plan")),
        ("modified_timestamp", json!(stamp)),
    ] {
        sent.entry(k).or_insert(v);
    }
    match kind {
        ObjectKind::HostGroup => {
            for k in ["description", "assignment_rule"] {
                sent.entry(k).or_insert(json!(""));
            }
        }
        ObjectKind::Script | ObjectKind::PutFile => {
            sent.entry("description").or_insert(json!(""));
            // Falcon's records carry the content's digest and size: a playbook comparing its
            // local files with the library (`sync_scripts`) reads them from planned ones too.
            if let Some(Value::String(content)) = sent.get("content").cloned() {
                use sha2::{Digest, Sha256};
                sent.entry("sha256")
                    .or_insert(json!(hex::encode(Sha256::digest(content.as_bytes()))));
                sent.entry("size").or_insert(json!(content.len()));
            }
            if let Some(Value::String(file)) = sent.get("file").cloned() {
                sent.entry("name").or_insert(json!(file));
                sent.remove("file");
            }
        }
        ObjectKind::Policy => {}
    }
    Value::Object(sent)
}

/// A planned response policy as `get_policies` answers: settings in their categories, no groups yet.
fn policy_record(id: &str, sent: &Map<String, Value>, stamp: &str) -> Option<Value> {
    let text = |k: &str| {
        sent.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let platform = Platform::parse(&text("platform_name"))?;
    let mut settings = default_settings();
    for item in sent
        .get("settings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let i = item
            .get("id")
            .and_then(Value::as_str)
            .and_then(setting_index);
        let value = item.get("value");
        let enabled = value
            .and_then(|v| v.get("enabled"))
            .or(value)
            .and_then(Value::as_bool);
        if let (Some(i), Some(enabled)) = (i, enabled) {
            settings[i] = enabled;
        }
    }
    let policy = Policy {
        id: id.to_string(),
        name: text("name"),
        description: text("description"),
        platform,
        enabled: false,
        settings,
        groups: Vec::new(),
        is_default: false,
        created_by: "falconry-plan".into(),
        created_timestamp: stamp.to_string(),
        modified_by: "falconry-plan".into(),
        modified_timestamp: stamp.to_string(),
    };
    Some(policy.record("", Vec::new()))
}

/// Merges the planned view into the answer of a read sent for real: planned creates that match the
/// read's filter are added, planned deletes are taken out.
pub fn merge(
    req: &Request,
    body: &mut Value,
    created: &[(ObjectKind, String, Value)],
    deleted: &[String],
) {
    let Some(resources) = body.get_mut("resources").and_then(Value::as_array_mut) else {
        return;
    };
    let id_of = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        other => other.get("id").and_then(Value::as_str).map(str::to_string),
    };
    resources.retain(|r| id_of(r).is_none_or(|id| !deleted.contains(&id)));
    let Some(kind) = req.op.lists else {
        return;
    };
    let filter = req
        .arg("filter")
        .and_then(|f| f.as_str().map(str::to_string))
        .filter(|f| !f.trim().is_empty());
    let filter = match filter.map(|f| fql::parse(&f)) {
        Some(Ok(f)) => Some(f),
        // A filter the emulator's FQL cannot read: planned objects are not guessed into the answer.
        Some(Err(_)) => return,
        None => None,
    };
    let mut added = 0;
    for (k, id, record) in created {
        if *k != kind || deleted.contains(id) || filter.as_ref().is_some_and(|f| !f.matches(record))
        {
            continue;
        }
        resources.push(match req.op.answer {
            Answer::Ids => json!(id),
            // The generator lets a listing answer only ids or records.
            Answer::Records | Answer::Other => record.clone(),
        });
        added += 1;
    }
    if added > 0
        && let Some(total) = body.pointer_mut("/meta/pagination/total")
        && let Some(n) = total.as_u64()
    {
        *total = json!(n + added);
    }
}
