//! `env` output -> `env`: a map of variable name to value, from the Windows `Name Value`
//! table or POSIX `NAME=value` lines (both reconstructed layouts: no real capture found).

use serde_json::{Map, Value};

use super::table;

pub fn parse(stdout: &str) -> Value {
    let mut m = Map::new();
    if let Some(t) = table::format_table(stdout, |_| None) {
        for row in &t.rows {
            if let Ok(cells) = &row.cells
                && let [k, v, ..] = cells.as_slice()
                && !k.is_empty()
            {
                m.insert(k.clone(), Value::from(v.as_str()));
            }
        }
        return Value::Object(m);
    }
    for line in stdout.lines() {
        if let Some((k, v)) = line.split_once('=')
            && !k.trim().is_empty()
            && !k.contains(char::is_whitespace)
        {
            m.insert(k.to_string(), Value::from(v));
        }
    }
    Value::Object(m)
}
