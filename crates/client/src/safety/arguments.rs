//! A request's arguments as the plan and the audit log show them: query, body and form fields in one
//! map, uploads by name and hash, anything that looks like a credential masked.

use crate::ops::{Body, FileSource, PartContent, Request};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// Keys whose values are never written anywhere (requests carry no credentials; this is the belt to
/// that pair of braces).
const SECRET_WORDS: &[&str] = &["secret", "token", "password", "authorization"];

pub fn arguments(req: &Request) -> Value {
    let mut m = Map::new();
    for (k, v) in &req.query {
        add(&mut m, k, Value::String(v.clone()));
    }
    match &req.body {
        Body::Empty => {}
        Body::Json(v) => {
            m.insert("body".into(), v.clone());
        }
        Body::Form(fields) => {
            for (k, v) in fields {
                add(&mut m, k, Value::String(v.clone()));
            }
        }
        Body::Multipart(parts) => {
            for p in parts {
                let v = match &p.content {
                    PartContent::Text(t) => Value::String(t.clone()),
                    PartContent::File { filename, source } => match source {
                        FileSource::Bytes(b) => json!({
                            "filename": filename,
                            "size": b.len(),
                            "sha256": hex::encode(Sha256::digest(b)),
                        }),
                        FileSource::Path(p) => json!({
                            "filename": filename,
                            "path": p.display().to_string(),
                        }),
                    },
                };
                add(&mut m, &p.name, v);
            }
        }
    }
    let mut v = Value::Object(m);
    mask(&mut v);
    v
}

/// Repeated keys (`ids=a&ids=b`) become one array.
fn add(m: &mut Map<String, Value>, key: &str, value: Value) {
    match m.get_mut(key) {
        None => {
            m.insert(key.to_string(), value);
        }
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => *existing = Value::Array(vec![existing.take(), value]),
    }
}

fn mask(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, item) in m.iter_mut() {
                let key = k.to_ascii_lowercase();
                if SECRET_WORDS.iter().any(|w| key.contains(w)) {
                    *item = Value::String("(hidden)".into());
                } else {
                    mask(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops;

    #[test]
    fn repeated_query_keys_become_an_array_and_secrets_are_hidden() {
        let op = ops::find("hosts", "get_device_details_v2").unwrap();
        let req = Request {
            op,
            query: vec![("ids".into(), "a".into()), ("ids".into(), "b".into())],
            body: Body::Json(json!({ "client_secret": "s3cr3t", "nested": { "Token": "t" } })),
        };
        let v = arguments(&req);
        assert_eq!(v["ids"], json!(["a", "b"]));
        assert_eq!(v["body"]["client_secret"], json!("(hidden)"));
        assert_eq!(v["body"]["nested"]["Token"], json!("(hidden)"));
    }
}
