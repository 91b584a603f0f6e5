//! `env` output -> `env`: a map of variable name to value, from the Windows `Name Value`
//! table or POSIX `NAME=value` lines (both reconstructed layouts: no real capture found).

use serde_json::{Map, Value};

use super::table;

/// No real capture shows either layout: a line that fits neither is not guessed at, it is counted
/// in `warnings` (fail closed), so a playbook never mistakes a misread output for a missing variable.
pub fn parse(stdout: &str, warnings: &mut Vec<String>) -> Value {
    let mut m = Map::new();
    let mut unread = 0;
    if let Some(t) = table::format_table(stdout, |_| None) {
        for row in &t.rows {
            match &row.cells {
                Ok(cells) if cells.len() >= 2 && !cells[0].is_empty() => {
                    m.insert(cells[0].to_string(), Value::from(&*cells[1]));
                }
                _ => unread += 1,
            }
        }
    } else {
        for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
            match line.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() && !k.contains(char::is_whitespace) => {
                    m.insert(k.to_string(), Value::from(v));
                }
                _ => unread += 1,
            }
        }
    }
    super::warn_unread_lines("env", unread, warnings);
    Value::Object(m)
}
