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
        // From the text, not a copied `String`: a long one would be copied twice on its way to Rhai.
        Value::String(s) => Dynamic::from(rhai::ImmutableString::from(s.as_str())),
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

/// Reads JSON text straight into a Rhai value: the same value as [`from_json_owned`] of
/// `serde_json::from_str::<Value>(text)`, and an error for the same texts (one parser reads both),
/// without building the `Value` first (every answer a playbook reads goes through here).
///
/// Not Rhai's own `Deserialize for Dynamic`: it rebuilds every map and array once more through
/// `From<BTreeMap>` / `From<Vec>` (a third of its cost on issue 28's per-call profile).
pub fn from_json_text(text: &str) -> serde_json::Result<Dynamic> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde::de::Deserializer::deserialize_any(&mut de, JsonValue)?;
    de.end()?;
    Ok(value)
}

/// One JSON value as a Rhai value: `null` is `()`, integers that fit `i64` are integers and every
/// other number a float (as `from_json` reads `Number::as_i64`), objects are maps.
struct JsonValue;

impl<'de> serde::de::Visitor<'de> for JsonValue {
    type Value = Dynamic;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Dynamic, E> {
        Ok(Dynamic::UNIT)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Dynamic, E> {
        Ok(Dynamic::from_bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Dynamic, E> {
        Ok(Dynamic::from_int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Dynamic, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => Dynamic::from_int(i),
            // `Number::as_f64` of a `u64`.
            Err(_) => Dynamic::from_float(v as f64),
        })
    }

    fn visit_f64<E>(self, v: f64) -> Result<Dynamic, E> {
        Ok(Dynamic::from_float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Dynamic, E> {
        Ok(Dynamic::from(rhai::ImmutableString::from(v)))
    }

    fn visit_string<E>(self, v: String) -> Result<Dynamic, E> {
        Ok(Dynamic::from(v))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Dynamic, A::Error> {
        let mut array = Array::new();
        while let Some(item) = seq.next_element_seed(JsonValue)? {
            array.push(item);
        }
        Ok(Dynamic::from_array(array))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut fields: A) -> Result<Dynamic, A::Error> {
        let mut map = Map::new();
        // A repeated key keeps its last value, as `serde_json::Map` does.
        while let Some(key) = fields.next_key_seed(JsonKey)? {
            map.insert(key.as_ref().into(), fields.next_value_seed(JsonValue)?);
        }
        Ok(Dynamic::from_map(map))
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for JsonValue {
    type Value = Dynamic;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Dynamic, D::Error> {
        d.deserialize_any(self)
    }
}

/// An object's key, borrowed from the text where it can be: a map key is made from it without a
/// `String` in between (short keys stay inline).
struct JsonKey;

impl<'de> serde::de::Visitor<'de> for JsonKey {
    type Value = std::borrow::Cow<'de, str>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.to_string().into())
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for JsonKey {
    type Value = std::borrow::Cow<'de, str>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
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

    /// `from_json_text` against the path it replaces, `from_json_owned(serde_json::from_str(text))`:
    /// the same value (Debug shows types: `1` is not `1.0`) or an error for the same texts.
    #[track_caller]
    fn same_as_value_path(text: &str) {
        let old = serde_json::from_str::<Value>(text).map(from_json_owned);
        let new = from_json_text(text);
        match (old, new) {
            (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{text}"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("{text}: {a:?} vs {b:?}"),
        }
    }

    #[test]
    fn reading_text_gives_what_converting_its_json_gave() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        for text in [
            "{}",
            "[]",
            "null",
            "true",
            "false",
            "0",
            "-0",
            "-0.0",
            "0.0",
            "1.0",
            "1e2",
            "1E-2",
            "1.5e-3",
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "1e400",
            "-1e400",
            "2.2250738585072014e-308",
            "0.1",
            "123456789012345678901234567890",
            r#""\u00e9\ud83d\ude00 \" \\ \n \t""#,
            r#""\ud800""#,
            r#"{"a":1,"a":"x"}"#,
            r#"{"b":1,"a":[1,2.5,null,{"c":{}}]}"#,
            r#"{"k\"ey":"v\\n","":""}"#,
            r#"{"a_key_longer_than_twenty_three_bytes":"and a value longer than that too, by far"}"#,
            " \n {\"a\" : [ 1 , 2 ] } \n",
            "{} x",
            "{\"a\":}",
            "[1,]",
            "\u{feff}{}",
            "",
            "   ",
            "{\"a\":1}{}",
            "01",
            "1.",
            "-",
            "\"\u{1}\"",
            "nul",
            "[\"a\" \"b\"]",
        ] {
            same_as_value_path(text);
        }
        // serde_json's recursion limit: the same depth is read, and the same depth refused.
        for n in [100, 127, 128, 129, 200] {
            same_as_value_path(&deep(n));
        }
        let answer = serde_json::json!({
            "meta": { "query_time": 0.000032508, "powered_by": "falconry-sim", "trace_id": "t" },
            "resources": [{ "device_id": "d1", "hostname": "WS-042", "settings": [
                { "id": "RealTimeFunctionality", "value": { "enabled": true } }], "groups": [] }],
            "errors": []
        });
        same_as_value_path(&answer.to_string());
        same_as_value_path(&serde_json::to_string_pretty(&answer).unwrap());
    }

    /// Random JSON texts, nested and with every kind of number and string, read both ways.
    #[test]
    fn random_json_reads_the_same_both_ways() {
        use rand::{RngExt, SeedableRng};
        fn value(rng: &mut rand::rngs::SmallRng, depth: usize) -> Value {
            let pick = if depth > 4 {
                rng.random_range(0..6)
            } else {
                rng.random_range(0..8)
            };
            match pick {
                0 => Value::Null,
                1 => Value::Bool(rng.random()),
                2 => Value::from(rng.random::<i64>()),
                3 => Value::from(rng.random::<u64>()),
                4 => serde_json::Number::from_f64(
                    rng.random::<f64>() * 10f64.powi(rng.random_range(-300..300)),
                )
                .map_or(Value::Null, Value::Number),
                5 => Value::String(
                    (0..rng.random_range(0..40))
                        .map(|_| char::from_u32(rng.random_range(0..0x11000)).unwrap_or('\u{fffd}'))
                        .collect(),
                ),
                6 => Value::Array(
                    (0..rng.random_range(0..6))
                        .map(|_| value(rng, depth + 1))
                        .collect(),
                ),
                _ => Value::Object(
                    (0..rng.random_range(0..6))
                        .map(|i| {
                            (
                                format!("k{}{}", i % 3, "x".repeat(rng.random_range(0..30))),
                                value(rng, depth + 1),
                            )
                        })
                        .collect(),
                ),
            }
        }
        let mut rng = rand::rngs::SmallRng::seed_from_u64(28);
        for _ in 0..2000 {
            let v = value(&mut rng, 0);
            same_as_value_path(&v.to_string());
            same_as_value_path(&serde_json::to_string_pretty(&v).unwrap());
        }
        // Duplicate keys, written by hand: the last one wins both ways.
        for _ in 0..200 {
            let (a, b) = (value(&mut rng, 3), value(&mut rng, 3));
            same_as_value_path(&format!(r#"{{"k":{a},"j":1,"k":{b}}}"#));
        }
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
