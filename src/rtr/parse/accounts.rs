//! `users` output -> `users`: `[{name, sid | uid, admin, last_logon, profile_path}]`.

use serde_json::{Map, Value};

use super::{record, table};

const ALIASES: &[(&str, &[&str])] = &[
    ("name", &["UserName", "Name", "User", "Account"]),
    ("sid", &["Sid", "SID"]),
    ("uid", &["UID"]),
    ("admin", &["Admin", "IsAdmin"]),
    ("last_logon", &["LastLogon", "Last Logon"]),
    ("profile_path", &["ProfilePath", "Home", "HomeDirectory"]),
];

pub fn parse(stdout: &str) -> Value {
    if let Some(rows) = table::fixed_width(stdout) {
        let users = rows
            .iter()
            .map(|row| {
                let mut m = record(row, ALIASES, &["uid"]);
                normalize(&mut m);
                Value::Object(m)
            })
            .filter(|u| u.get("name").is_some_and(Value::is_string))
            .collect();
        return Value::Array(users);
    }
    // `Key: value` blocks separated by blank lines.
    let mut users = Vec::new();
    let mut cur: table::Row = Vec::new();
    for line in stdout.lines().chain(std::iter::once("")) {
        match line.split_once(':') {
            Some((k, v)) if !line.trim().is_empty() => {
                cur.push((k.trim().to_string(), v.trim().to_string()))
            }
            _ => {
                if !cur.is_empty() {
                    let mut m = record(&cur, ALIASES, &["uid"]);
                    normalize(&mut m);
                    if m.get("name").is_some_and(Value::is_string) {
                        users.push(Value::Object(m));
                    }
                    cur.clear();
                }
            }
        }
    }
    Value::Array(users)
}

fn normalize(m: &mut Map<String, Value>) {
    if let Some(a) = m.get("admin").and_then(Value::as_str) {
        let b = matches!(a.to_ascii_lowercase().as_str(), "true" | "yes" | "1");
        m.insert("admin".into(), Value::from(b));
    }
    if m.get("last_logon").and_then(Value::as_str) == Some("Never") {
        m.insert("last_logon".into(), Value::Null);
    }
}
