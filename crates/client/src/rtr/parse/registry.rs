//! `reg query` output -> `registry`: `{key, values: [{name, type, data}], subkeys: [...]}`.

use serde_json::{Map, Value};

/// No real capture shows `reg query` output: a line that is neither a key nor a `Name REG_x data`
/// value is counted in `warnings` (fail closed).
pub fn parse(stdout: &str, warnings: &mut Vec<String>) -> Value {
    let mut unread = 0;
    let mut key = Value::Null;
    let mut values = Vec::new();
    let mut subkeys = Vec::new();
    for line in stdout.lines() {
        let t = line.trim();
        if t.starts_with("HK") && !line.starts_with(char::is_whitespace) {
            if key.is_null() {
                key = Value::from(t);
            } else {
                subkeys.push(Value::from(t));
            }
            continue;
        }
        match value_line(t) {
            Some(v) => values.push(v),
            None if !t.is_empty() => unread += 1,
            None => {}
        }
    }
    super::warn_unread_lines("reg query", unread, warnings);
    let mut m = Map::new();
    m.insert("key".into(), key);
    m.insert("values".into(), Value::Array(values));
    m.insert("subkeys".into(), Value::Array(subkeys));
    Value::Object(m)
}

/// `Name    REG_SZ    data`: the type token splits the name (which may hold spaces) from the data.
fn value_line(t: &str) -> Option<Value> {
    let mut search = 0;
    while let Some(i) = t[search..].find("REG_") {
        let at = search + i;
        let before_ok = at == 0 || t[..at].ends_with(char::is_whitespace);
        let end = t[at..]
            .find(char::is_whitespace)
            .map_or(t.len(), |e| at + e);
        let kind = &t[at..end];
        if before_ok
            && kind
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        {
            let name = t[..at].trim();
            let name = if name == "(Default)" { "" } else { name };
            let mut m = Map::new();
            m.insert("name".into(), Value::from(name));
            m.insert("type".into(), Value::from(kind));
            m.insert("data".into(), Value::from(t[end..].trim()));
            return Some(Value::Object(m));
        }
        search = end.max(at + 4);
    }
    None
}
