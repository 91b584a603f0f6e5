//! A value seen as rows, for everything that hands results on (`falconry run --format`, `table()`):
//! an array of maps is rows, a map of maps is rows keyed by its keys. Every key becomes a column, in
//! order of first appearance; nothing is dropped, since a CSV or a report must hold what the playbook
//! computed.

use serde_json::{Map, Value};

/// The column that holds a map-of-maps' keys (a device id for an `rtr::each` answer).
pub const KEY_COLUMN: &str = "key";

pub struct Rows {
    pub columns: Vec<String>,
    /// One cell per column; a key a row lacks is `Null`.
    pub rows: Vec<Vec<Value>>,
}

/// The rows of `value`, or `None` when it is neither an array of maps nor a map of maps.
pub fn rows(value: &Value) -> Option<Rows> {
    match value {
        Value::Array(items) if items.iter().all(Value::is_object) => {
            let maps: Vec<&Map<String, Value>> =
                items.iter().filter_map(Value::as_object).collect();
            Some(of_maps(None, &maps))
        }
        Value::Object(m) if !m.is_empty() && m.values().all(Value::is_object) => {
            let keys: Vec<&str> = m.keys().map(String::as_str).collect();
            let maps: Vec<&Map<String, Value>> = m.values().filter_map(Value::as_object).collect();
            Some(of_maps(Some(&keys), &maps))
        }
        _ => None,
    }
}

/// Rows of `maps`, each led by its key when `keys` is given. The key column is `key`, or `_key`
/// (`__key`, ...) when the maps have a `key` of their own.
fn of_maps(keys: Option<&[&str]>, maps: &[&Map<String, Value>]) -> Rows {
    let mut columns: Vec<String> = Vec::new();
    for m in maps {
        for k in m.keys() {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let rows = match keys {
        None => maps
            .iter()
            .map(|m| columns.iter().map(|c| cell(m, c)).collect())
            .collect(),
        Some(keys) => {
            let mut key_column = KEY_COLUMN.to_string();
            while columns.contains(&key_column) {
                key_column.insert(0, '_');
            }
            let rows = keys
                .iter()
                .zip(maps)
                .map(|(k, m)| {
                    std::iter::once(Value::from(*k))
                        .chain(columns.iter().map(|c| cell(m, c)))
                        .collect()
                })
                .collect();
            columns.insert(0, key_column);
            rows
        }
    };
    Rows { columns, rows }
}

fn cell(m: &Map<String, Value>, column: &str) -> Value {
    m.get(column).cloned().unwrap_or(Value::Null)
}

/// A cell as text in a file: strings as they are, `()` empty, numbers and booleans as JSON writes
/// them, a nested array or map as compact JSON (so nothing is lost).
pub fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_array_of_maps_is_rows_with_every_key() {
        let r = rows(&json!([{ "a": 1 }, { "b": "x", "a": 2 }])).unwrap();
        assert_eq!(r.columns, ["a", "b"]);
        assert_eq!(
            r.rows,
            [vec![json!(1), json!(null)], vec![json!(2), json!("x")]]
        );
    }

    #[test]
    fn a_map_of_maps_is_rows_keyed_by_its_keys() {
        let r = rows(&json!({ "d1": { "key": 1 }, "d2": { "key": 2 } })).unwrap();
        assert_eq!(r.columns, ["_key", "key"]);
        assert_eq!(r.rows[1], [json!("d2"), json!(2)]);
        assert!(rows(&json!({ "a": 1 })).is_none());
        assert!(rows(&json!("text")).is_none());
    }
}
