//! `users` output -> `users`: `[{name, sid, uid, admin, last_logon, profile_path}]`, every key on
//! every entry. No real capture of `users` has been found: the layouts read here (a Windows table,
//! `Key: value` blocks elsewhere) are reconstructions.

use serde_json::{Map, Value};

use super::table;

const KEYS: &[&str] = &["name", "sid", "uid", "admin", "last_logon", "profile_path"];

const ALIASES: &[(&str, &[&str])] = &[
    ("name", &["UserName", "Name", "User", "Account"]),
    ("sid", &["Sid", "SID"]),
    ("uid", &["UID"]),
    ("admin", &["Admin", "IsAdmin"]),
    ("last_logon", &["LastLogon", "Last Logon"]),
    ("profile_path", &["ProfilePath", "Home", "HomeDirectory"]),
];

/// The entry for (header, cell) pairs; `None` without a name.
fn record(pairs: &[(String, String)]) -> Option<Value> {
    let mut m = Map::new();
    for k in KEYS {
        m.insert((*k).to_string(), Value::Null);
    }
    for (header, cell) in pairs {
        // `LastLogon (UTC-5)` is `LastLogon`.
        let h = header.split(" (").next().unwrap_or(header).trim();
        let Some((key, _)) = ALIASES
            .iter()
            .find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(h)))
        else {
            continue;
        };
        let cell = cell.trim();
        let value = match *key {
            _ if cell.is_empty() => Value::Null,
            "uid" => match cell.parse::<u64>() {
                Ok(n) => Value::from(n),
                Err(_) => return None,
            },
            "admin" => Value::from(matches!(
                cell.to_ascii_lowercase().as_str(),
                "true" | "yes" | "1"
            )),
            "last_logon" if cell == "Never" => Value::Null,
            _ => Value::from(cell),
        };
        m.insert((*key).to_string(), value);
    }
    m.get("name")
        .is_some_and(Value::is_string)
        .then_some(Value::Object(m))
}

pub fn parse(stdout: &str, warnings: &mut Vec<String>) -> Value {
    if let Some(t) = table::format_table(stdout, |_| None) {
        let unread = t.rows.iter().filter(|r| r.cells.is_err()).count();
        if unread > 0 {
            warnings.push(format!(
                "{unread} of {} rows of `users` output were not understood and are left out",
                t.rows.len()
            ));
        }
        let users = t
            .rows
            .iter()
            .filter_map(|r| r.cells.as_ref().ok())
            .filter_map(|cells| {
                let pairs: Vec<(String, String)> = t
                    .columns
                    .iter()
                    .map(|c| c.header.clone())
                    .zip(cells.iter().map(|c| c.to_string()))
                    .collect();
                record(&pairs)
            })
            .collect();
        return Value::Array(users);
    }
    // `Key: value` blocks separated by blank lines.
    let mut users = Vec::new();
    let mut cur: Vec<(String, String)> = Vec::new();
    for line in stdout.lines().chain(std::iter::once("")) {
        match line.split_once(':') {
            Some((k, v)) if !line.trim().is_empty() => {
                cur.push((k.trim().to_string(), v.trim().to_string()))
            }
            _ => {
                if !cur.is_empty() {
                    users.extend(record(&cur));
                    cur.clear();
                }
            }
        }
    }
    Value::Array(users)
}
