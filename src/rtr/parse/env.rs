//! `env` output -> `env`: a map of variable name to value, from the Windows `Name Value`
//! table or POSIX `NAME=value` lines.

use serde_json::{Map, Value};

use super::table;

pub fn parse(stdout: &str) -> Value {
    let mut m = Map::new();
    if let Some(rows) = table::fixed_width(stdout) {
        for row in rows {
            let mut cells = row.into_iter().map(|(_, v)| v);
            if let (Some(k), Some(v)) = (cells.next(), cells.next())
                && !k.is_empty()
            {
                m.insert(k, Value::from(v));
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
