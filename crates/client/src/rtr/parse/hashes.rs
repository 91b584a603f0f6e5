//! `filehash` output -> `hashes`: `[{path, md5, sha256}]` (and `sha1` when printed).

use serde_json::{Map, Value};

/// No real capture shows `filehash` output: a line that is neither a digest nor the path before
/// one is counted in `warnings` (fail closed) rather than read as a path.
pub fn parse(stdout: &str, warnings: &mut Vec<String>) -> Value {
    let mut out: Vec<Map<String, Value>> = Vec::new();
    for line in stdout.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let digest = t.split_once(':').and_then(|(k, v)| {
            let k = k.trim().to_ascii_lowercase();
            let v = v.trim();
            let known = matches!(k.as_str(), "md5" | "sha1" | "sha256");
            (known && v.chars().all(|c| c.is_ascii_hexdigit()) && !v.is_empty())
                .then(|| (k, v.to_ascii_lowercase()))
        });
        match digest {
            Some((k, v)) => {
                if out.is_empty() {
                    out.push(Map::new());
                }
                if let Some(last) = out.last_mut() {
                    last.insert(k, Value::from(v));
                }
            }
            None => {
                let path = t.strip_prefix("Path:").map_or(t, str::trim);
                let mut m = Map::new();
                m.insert("path".into(), Value::from(path));
                out.push(m);
            }
        }
    }
    let unread = out
        .iter()
        .filter(|m| !(m.contains_key("md5") || m.contains_key("sha256")))
        .count();
    super::warn_unread_lines("filehash", unread, warnings);
    Value::Array(
        out.into_iter()
            .filter(|m| m.contains_key("md5") || m.contains_key("sha256"))
            .map(|mut m| {
                for k in ["path", "md5", "sha256"] {
                    m.entry(k).or_insert(Value::Null);
                }
                Value::Object(m)
            })
            .collect(),
    )
}
