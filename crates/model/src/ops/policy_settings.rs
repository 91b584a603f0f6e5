//! Response-policy settings in a create or update body are checked before sending: a misspelled
//! setting (`RunCommand`) is named with the nine settings that exist and the nearest one, instead of
//! reaching Falcon as an opaque 400.

use super::commands::POLICY_SETTINGS;
use super::{Body, Collection, Request};
use serde_json::Value;

/// The first unknown setting id in the body, as an error message; `None` when every id is known.
pub fn check(req: &Request) -> Option<String> {
    // The operations whose body shape carries a policy's `settings` (create and update).
    let carries_settings = req.op.collection == Collection::ResponsePolicies
        && req
            .op
            .body
            .is_some_and(|b| b.fields.iter().any(|f| f.name == "settings"));
    if !carries_settings {
        return None;
    }
    let Body::Json(body) = &req.body else {
        return None;
    };
    let records = body.get("resources").and_then(Value::as_array)?;
    for setting in records
        .iter()
        .filter_map(|r| r.get("settings").and_then(Value::as_array))
        .flatten()
    {
        let Some(id) = setting.get("id").and_then(Value::as_str) else {
            continue;
        };
        if !POLICY_SETTINGS.contains(&id) {
            let near = super::suggest::did_you_mean(id, POLICY_SETTINGS);
            return Some(format!(
                "unknown response policy setting `{id}`{near}; the settings are {}",
                POLICY_SETTINGS.join(", ")
            ));
        }
    }
    None
}
