//! Answers from many hosts, shown per host group: a batch's `#{results, errors, no_answer, queued,
//! hostnames}` and an `rtr::each` answer of RTR results. Hosts whose output is the same are one
//! block under a header naming them all; errors and hosts that did not answer follow, one line each.

use crate::terminal;
use serde_json::{Map, Value};

/// What names a host's result, shown once in its group's header instead of in each body.
pub const IDENTITY: &[&str] = &[
    "device_id",
    "hostname",
    "session_id",
    "cloud_request_id",
    "command_string",
    "base_command",
];

/// A batch answer: `b.run(..)` / `b.get(..)`.
pub fn is_batch(m: &Map<String, Value>) -> bool {
    m.get("results").is_some_and(Value::is_object)
        && m.contains_key("errors")
        && m.contains_key("no_answer")
}

/// A map of device id -> RTR result (`rtr::each(hosts, |s| s.run(..))`).
pub fn is_per_host(m: &Map<String, Value>) -> bool {
    !m.is_empty() && m.values().all(is_rtr_result)
}

fn is_rtr_result(v: &Value) -> bool {
    v.get("base_command").is_some() && (v.get("stdout").is_some() || v.get("sha256").is_some())
}

/// A batch answer, per host group.
pub fn batch(m: &Map<String, Value>, body: impl Fn(&Value) -> String) -> String {
    let hostnames = m.get("hostnames").and_then(Value::as_object);
    let name = |id: &str, result: Option<&Value>| -> String {
        let from_result = result
            .and_then(|r| r.get("hostname"))
            .and_then(Value::as_str);
        let from_map = hostnames.and_then(|h| h.get(id)).and_then(Value::as_str);
        match from_result.or(from_map) {
            Some(h) if !h.is_empty() => terminal::line(h).into_owned(),
            _ => terminal::line(id).into_owned(),
        }
    };
    let mut hosts: Vec<(String, &Value)> = Vec::new();
    for key in ["results", "queued"] {
        for (id, r) in m.get(key).and_then(Value::as_object).into_iter().flatten() {
            hosts.push((name(id, Some(r)), r));
        }
    }
    let mut out = groups(&hosts, &body);
    if let Some(errors) = m.get("errors").and_then(Value::as_object) {
        for (id, e) in errors {
            let msg = e
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| e.as_str().map(str::to_string))
                .unwrap_or_else(|| e.to_string());
            out.push_str(&format!(
                "error on {}: {}\n",
                name(id, None),
                terminal::line(&msg)
            ));
        }
    }
    if let Some(ids) = m
        .get("no_answer")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
    {
        let names: Vec<String> = ids
            .iter()
            .map(|i| name(i.as_str().unwrap_or_default(), None))
            .collect();
        out.push_str(&format!("no answer: {}\n", names.join(", ")));
    }
    if out.is_empty() {
        out.push_str("no hosts\n");
    }
    out
}

/// An `rtr::each` answer of RTR results, per host group.
pub fn per_host(m: &Map<String, Value>, body: impl Fn(&Value) -> String) -> String {
    let hosts: Vec<(String, &Value)> = m
        .iter()
        .map(|(id, r)| {
            let name = r
                .get("hostname")
                .and_then(Value::as_str)
                .filter(|h| !h.is_empty())
                .unwrap_or(id);
            (terminal::line(name).into_owned(), r)
        })
        .collect();
    groups(&hosts, &body)
}

/// One block per distinct body, in order of first appearance, under the names of its hosts.
fn groups(hosts: &[(String, &Value)], body: &impl Fn(&Value) -> String) -> String {
    let blocks = by_body(
        hosts
            .iter()
            .map(|(name, result)| (name.as_str(), body(result))),
    );
    let mut out = String::new();
    for (names, text) in blocks {
        let count = if names.len() > 1 {
            format!(" ({} hosts)", names.len())
        } else {
            String::new()
        };
        out.push_str(&format!("── {}{count}\n", names.join(", ")));
        out.push_str(&text);
    }
    out
}

/// Items with the same body, together: each distinct body once, in order of first appearance, with
/// the names of the items that gave it (the REPL's batch view and the shell both show hosts so).
pub fn by_body<N>(items: impl IntoIterator<Item = (N, String)>) -> Vec<(Vec<N>, String)> {
    let mut blocks: Vec<(Vec<N>, String)> = Vec::new();
    for (name, body) in items {
        match blocks.iter_mut().find(|(_, b)| *b == body) {
            Some((names, _)) => names.push(name),
            None => blocks.push((vec![name], body)),
        }
    }
    blocks
}
