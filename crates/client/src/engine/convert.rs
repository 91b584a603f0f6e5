//! Conversions between Rhai values and JSON, in one place: arguments go out as JSON, answers come back as maps.

use rhai::{Array, Dynamic, Map};
use serde_json::Value;

/// Values nested deeper than this are not converted (results, `--json`, the REPL, inbox results,
/// arguments): real data is a handful of levels deep, and a value nested thousands deep made every
/// printer use gigabytes.
pub const MAX_DEPTH: usize = 64;

/// Converts a Rhai value into JSON, or says which value cannot travel.
pub fn to_json(value: &Dynamic) -> Result<Value, String> {
    to_json_at(value, 0)
}

/// A value as shown or saved: its JSON, or (for a value that has none) a short description, never
/// Rhai's own rendering of a deep collection.
pub fn shown(value: &Dynamic) -> Value {
    match to_json(value) {
        Ok(v) => v,
        Err(e) if is_too_deep(&e) => Value::String(format!("({e})")),
        Err(_) => Value::String(value.to_string()),
    }
}

const TOO_DEEP: &str = "the value is nested more than";

/// Whether a conversion failed only because the value is nested too deep to show.
pub fn is_too_deep(error: &str) -> bool {
    error.starts_with(TOO_DEEP)
}

fn to_json_at(value: &Dynamic, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("{TOO_DEEP} {MAX_DEPTH} levels deep"));
    }
    if value.is_unit() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Ok(i) = value.as_int() {
        return Ok(Value::from(i));
    }
    if let Ok(f) = value.as_float() {
        return serde_json::Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| format!("the number {f} cannot be sent as JSON"));
    }
    if let Ok(c) = value.as_char() {
        return Ok(Value::String(c.to_string()));
    }
    if value.is_string() {
        return Ok(Value::String(
            value.clone().into_string().unwrap_or_default(),
        ));
    }
    // Read in place: cloning each level of a nested value copies everything below it again.
    if let Some(array) = value.read_lock::<Array>() {
        return array
            .iter()
            .map(|v| to_json_at(v, depth + 1))
            .collect::<Result<_, _>>()
            .map(Value::Array);
    }
    if let Some(map) = value.read_lock::<Map>() {
        return map_at(&map, depth + 1).map(Value::Object);
    }
    if value.is_blob() {
        let blob = value.clone().into_blob().unwrap_or_default();
        return Ok(Value::Array(blob.into_iter().map(Value::from).collect()));
    }
    Err(format!(
        "a value of type `{}` cannot be sent",
        value.type_name()
    ))
}

/// Converts a Rhai map into a JSON object.
pub fn map_to_json(map: &Map) -> Result<serde_json::Map<String, Value>, String> {
    map_at(map, 1)
}

fn map_at(map: &Map, depth: usize) -> Result<serde_json::Map<String, Value>, String> {
    map.iter()
        .map(|(k, v)| {
            to_json_at(v, depth)
                .map(|v| (k.to_string(), v))
                .map_err(|e| format!("`{k}`: {e}"))
        })
        .collect()
}

/// Converts JSON into a Rhai value; integers stay integers, other numbers become floats.
pub fn from_json(value: &Value) -> Dynamic {
    match value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Dynamic::from_int(i),
            None => Dynamic::from_float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Dynamic::from(s.clone()),
        Value::Array(items) => Dynamic::from_array(items.iter().map(from_json).collect()),
        Value::Object(fields) => Dynamic::from_map(
            fields
                .iter()
                .map(|(k, v)| (k.as_str().into(), from_json(v)))
                .collect(),
        ),
    }
}

/// [`from_json`] for a value the caller gives up: strings and keys move instead of being copied
/// (every operation's answer goes through here, so it is on the per-call path).
///
/// Maps are filled key by key: collecting into a `BTreeMap` first gathers the pairs in a vector,
/// sorts them and builds the tree in bulk, which for the handful of keys of a JSON object cost
/// more than the inserts (issue 28's profile: a third of the conversion).
pub fn from_json_owned(value: Value) -> Dynamic {
    match value {
        Value::String(s) => Dynamic::from(s),
        Value::Array(items) => {
            let mut array = Array::with_capacity(items.len());
            for item in items {
                array.push(from_json_owned(item));
            }
            Dynamic::from_array(array)
        }
        Value::Object(fields) => {
            let mut map = Map::new();
            for (k, v) in fields {
                map.insert(k.into(), from_json_owned(v));
            }
            Dynamic::from_map(map)
        }
        other => from_json(&other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_keeps_types() {
        let v = json!({ "a": 1, "b": [true, "x", 2.5, null], "c": { "d": -7 } });
        assert_eq!(to_json(&from_json(&v)).unwrap(), v);
        assert_eq!(to_json(&from_json_owned(v.clone())).unwrap(), v);
    }

    #[test]
    fn shared_values_captured_by_closures_convert_too() {
        let v = from_json(&json!({ "limit": 5, "ids": ["a"] })).into_shared();
        assert_eq!(to_json(&v).unwrap(), json!({ "ids": ["a"], "limit": 5 }));
        assert_eq!(
            to_json(&Dynamic::from_int(7).into_shared()).unwrap(),
            json!(7)
        );
    }

    #[test]
    fn function_pointers_cannot_travel() {
        let f = Dynamic::from(rhai::FnPtr::new("f").unwrap());
        assert!(to_json(&f).unwrap_err().contains("cannot be sent"));
    }
}
