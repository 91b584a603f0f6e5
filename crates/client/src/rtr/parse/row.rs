//! One parsed row, kept in the order the schema gives its keys until a reader asks for it: as
//! JSON (the single-host answer, the tests) or straight as a Rhai map (a batch's playbook).
//!
//! Schema keys are `&'static str`, so a row costs no key allocation; building serde_json maps
//! first and converting them took most of a 10,000-host batch's client time (issue 28's profile:
//! 4.4 G instructions to parse `ps` into JSON maps, 3.95 G to convert them).

use std::borrow::Cow;
use std::ops::Index;

use rhai::Dynamic;
use serde_json::{Map, Value};

use crate::engine::convert::from_json_owned;

/// Keys and values in insertion order; setting a key already there replaces its value in place,
/// as serde_json's ordered map does, so the JSON reading keeps the order it always had.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Row(Vec<(Cow<'static, str>, Value)>);

impl Row {
    /// A row with every key of the schema absent, and its printed text. Only a row that was not
    /// understood gets `parse_error` (`failed_row`): a Rhai map is a B-tree of 11 keys a node, and
    /// a twelfth key on every `ps` row made a 10,000-host batch's answer 462 MiB instead of 293
    /// (issue 28; `bench/run.sh` case 3 measures 11 against 12 keys).
    pub fn empty(keys: &[&'static str], raw: &str) -> Row {
        let mut fields = Vec::with_capacity(keys.len() + 2);
        fields.extend(keys.iter().map(|k| (Cow::Borrowed(*k), Value::Null)));
        fields.push((Cow::Borrowed("raw"), Value::from(raw)));
        Row(fields)
    }

    /// Sets `key`, in place when the row has it.
    pub fn insert(&mut self, key: Cow<'static, str>, value: Value) {
        match self.slot(&key) {
            Some(slot) => *slot = value,
            None => self.0.push((key, value)),
        }
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    /// A parser names a schema key with the schema's own string (one constant, one address), so
    /// the address is looked for first and text is compared only when no key has it.
    fn slot(&mut self, key: &str) -> Option<&mut Value> {
        let at = self
            .0
            .iter()
            .position(|(k, _)| std::ptr::eq(k.as_ref(), key))
            .or_else(|| self.0.iter().position(|(k, _)| k == key))?;
        Some(&mut self.0[at].1)
    }

    pub fn into_json(self) -> Map<String, Value> {
        let mut m = Map::with_capacity(self.0.len());
        for (k, v) in self.0 {
            m.insert(k.into_owned(), v);
        }
        m
    }

    /// The row as the playbook reads it; equal to `from_json_owned` of [`Row::into_json`].
    ///
    /// Filled by insert: sorting the keys first and collecting was measured slower (callgrind,
    /// 2,000-host batch: 267 M against 238 M instructions).
    pub fn into_dynamic(self) -> Dynamic {
        let mut m = rhai::Map::new();
        for (k, v) in self.0 {
            m.insert(k.as_ref().into(), from_json_owned(v));
        }
        Dynamic::from_map(m)
    }

    /// Rows of one table name their keys with the same schema strings: equal addresses answer
    /// first, and only other keys are compared by text.
    fn same_keys(&self, keys: &[Cow<'static, str>]) -> bool {
        self.0.len() == keys.len()
            && self
                .0
                .iter()
                .zip(keys)
                .all(|((k, _), key)| std::ptr::eq(k.as_ref(), key.as_ref()) || k == key)
    }
}

/// The keys rows of one table share, as an empty Rhai map to copy and the place in a row of each
/// of the map's (sorted) keys. Copying the map and filling its values in order replaces a search
/// and an insert per key: the 13 inserts of each `ps` row were a seventh of a 10,000-host batch's
/// client time (perf, issue 28).
struct Shape {
    keys: Vec<Cow<'static, str>>,
    empty: rhai::Map,
    /// For each key of `empty`, in its order, the index of that key in a row.
    order: Vec<usize>,
}

impl Shape {
    fn of(row: &Row) -> Option<Shape> {
        let keys: Vec<Cow<'static, str>> = row.0.iter().map(|(k, _)| k.clone()).collect();
        let empty: rhai::Map = keys
            .iter()
            .map(|k| (k.as_ref().into(), Dynamic::UNIT))
            .collect();
        // A key twice in a row would leave the map one entry short of the row: read the slow way.
        if empty.len() != keys.len() {
            return None;
        }
        let order = empty
            .keys()
            .map(|k| keys.iter().position(|r| r.as_ref() == k.as_str()))
            .collect::<Option<_>>()?;
        Some(Shape { keys, empty, order })
    }

    /// Each value is taken out of the row where it stands: the row has the shape's keys, in order.
    fn fill(&self, mut row: Row) -> Dynamic {
        let mut m = self.empty.clone();
        for (slot, &i) in m.values_mut().zip(&self.order) {
            *slot = from_json_owned(std::mem::take(&mut row.0[i].1));
        }
        Dynamic::from_map(m)
    }
}

/// Rows as a Rhai array; rows with the keys of the row before them are filled into a copy of its
/// shape, equal to what [`Row::into_dynamic`] builds.
///
/// The last shape is kept by the thread for the next output: a batch's hosts print the same
/// table, and building the shape again for each host was 5% of turning a 2,000-host batch's `ps`
/// into Rhai values (callgrind, 28 M of 538 M instructions).
fn rows_into_dynamic(rows: Vec<Row>) -> Dynamic {
    thread_local! {
        static LAST: std::cell::RefCell<Option<Shape>> = const { std::cell::RefCell::new(None) };
    }
    LAST.with_borrow_mut(|shape| {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            if !shape.as_ref().is_some_and(|s| row.same_keys(&s.keys)) {
                *shape = Shape::of(&row);
            }
            out.push(match &*shape {
                Some(s) => s.fill(row),
                None => row.into_dynamic(),
            });
        }
        Dynamic::from_array(out)
    })
}

static NULL: Value = Value::Null;

/// `row["key"]`: the value, or null when the row has no such key (as serde_json indexes).
impl Index<&str> for Row {
    type Output = Value;

    fn index(&self, key: &str) -> &Value {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map_or(&NULL, |(_, v)| v)
    }
}

/// A parser's reading of one output: table-shaped commands give rows, the others a JSON value.
#[derive(Debug)]
pub(crate) enum Output {
    Rows(Vec<Row>),
    Value(Value),
}

impl Output {
    pub fn into_json(self) -> Value {
        match self {
            Output::Rows(rows) => Value::Array(
                rows.into_iter()
                    .map(|r| Value::Object(r.into_json()))
                    .collect(),
            ),
            Output::Value(v) => v,
        }
    }

    pub fn into_dynamic(self) -> Dynamic {
        match self {
            Output::Rows(rows) => rows_into_dynamic(rows),
            Output::Value(v) => from_json_owned(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::convert::to_json;
    use serde_json::json;

    /// Both readings agree, keys keep their first place, extras come last.
    #[test]
    fn json_and_rhai_readings_agree() {
        let mut r = Row::empty(&["name", "pid"], "x 1");
        r.insert("extra_a".into(), json!("a"));
        r.insert("pid".into(), json!(1));
        r.insert(Cow::Owned("name".to_string()), json!("x"));
        let j = Value::Object(r.clone().into_json());
        assert_eq!(
            serde_json::to_string(&j).unwrap(),
            r#"{"name":"x","pid":1,"raw":"x 1","extra_a":"a"}"#
        );
        assert_eq!(r["pid"], json!(1));
        assert_eq!(r["missing"], Value::Null);
        assert_eq!(to_json(&r.into_dynamic()).unwrap(), j);
    }

    /// Rows filled into a copied shape read as rows converted one by one, whatever their keys.
    #[test]
    fn rows_filled_into_a_shape_equal_rows_converted_one_by_one() {
        let mut a = Row::empty(&["name", "pid"], "a 1");
        a.insert("pid".into(), json!(1));
        let mut b = Row::empty(&["name", "pid"], "b 2");
        b.insert("name".into(), json!("b"));
        let mut extra = b.clone();
        extra.insert("extra_x".into(), json!([1, { "k": null }]));
        let mut twice = Row::empty(&["name", "name"], "odd");
        twice.insert("parse_error".into(), json!("why"));
        let rows = vec![
            a.clone(),
            b.clone(),
            extra.clone(),
            a.clone(),
            twice.clone(),
            b.clone(),
        ];
        let one_by_one: Vec<Value> = rows
            .iter()
            .map(|r| to_json(&r.clone().into_dynamic()).unwrap())
            .collect();
        let filled = to_json(&Output::Rows(rows).into_dynamic()).unwrap();
        assert_eq!(filled, Value::Array(one_by_one));
    }
}
