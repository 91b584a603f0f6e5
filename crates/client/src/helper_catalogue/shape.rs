//! The declared shape of what each playbook helper answers: the one statement `help()`, `falconry ops
//! --helpers` and the README render, and that a test holds every helper's real answer to (run on the
//! emulator), so the documentation cannot say "a list" of what is a map keyed by device id.

use serde_json::Value;
use std::fmt;

/// What a value is.
#[derive(Debug)]
pub enum Shape {
    Str,
    Int,
    Bool,
    /// `()`.
    Unit,
    /// A string that names something: `device id`, `setting id`.
    Id(&'static str),
    /// A map whose keys the API or the library defines (a device record): any map, named for the reader.
    Record(&'static str),
    /// A native value (`Session`, `Batch`), checked by its `type_of`.
    Type(&'static str),
    /// Whatever the playbook's closure returns.
    Any(&'static str),
    List(&'static Shape),
    /// A map from a key (`device_id`) to values of one shape.
    By(&'static str, &'static Shape),
    /// A map with exactly these keys (and, when `more` names them, further ones such as parsed fields).
    Map(&'static [Field], Option<&'static str>),
    /// One or the other (`string` or `()`).
    Or(&'static Shape, &'static Shape),
}

/// One key of a [`Shape::Map`].
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub shape: Shape,
    /// Present only sometimes (`queued` only on a command queued for an offline host).
    pub optional: bool,
}

/// A key that is always there.
pub const fn key(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        optional: false,
    }
}

/// A key that may be missing.
pub const fn maybe(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        optional: true,
    }
}

impl Shape {
    /// Whether `value` (as JSON; a native value as its `type_of`) has this shape; the error names the
    /// path to the first part that does not.
    pub fn check(&self, value: &Value, path: &str) -> Result<(), String> {
        let wrong = |want: &dyn fmt::Display| {
            Err(format!("`{path}` should be {want}, is {}", short(value)))
        };
        match (self, value) {
            (Shape::Str | Shape::Id(_), Value::String(_)) => Ok(()),
            (Shape::Int, Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(()),
            (Shape::Bool, Value::Bool(_)) | (Shape::Unit, Value::Null) => Ok(()),
            (Shape::Record(_), Value::Object(_)) | (Shape::Any(_), _) => Ok(()),
            (Shape::Type(name), Value::String(s)) if s == name => Ok(()),
            (Shape::List(item), Value::Array(items)) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, v)| item.check(v, &format!("{path}[{i}]"))),
            (Shape::By(_, item), Value::Object(m)) => m
                .iter()
                .try_for_each(|(k, v)| item.check(v, &format!("{path}.{k}"))),
            (Shape::Map(fields, more), Value::Object(m)) => {
                for f in *fields {
                    match m.get(f.name) {
                        Some(v) => f.shape.check(v, &format!("{path}.{}", f.name))?,
                        None if f.optional => {}
                        None => return Err(format!("`{path}` has no `{}`", f.name)),
                    }
                }
                match m.keys().find(|k| !fields.iter().any(|f| f.name == *k)) {
                    Some(extra) if more.is_none() => {
                        Err(format!("`{path}` has `{extra}`, which is not declared"))
                    }
                    _ => Ok(()),
                }
            }
            (Shape::Or(a, b), v) => a.check(v, path).or_else(|_| b.check(v, path)),
            _ => wrong(self),
        }
    }
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(80) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text,
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::Str => f.write_str("string"),
            Shape::Int => f.write_str("int"),
            Shape::Bool => f.write_str("bool"),
            Shape::Unit => f.write_str("()"),
            Shape::Id(name) | Shape::Record(name) | Shape::Type(name) | Shape::Any(name) => {
                f.write_str(name)
            }
            Shape::List(item) => write!(f, "[{item}]"),
            Shape::By(key, item) => write!(f, "#{{{key}: {item}}}"),
            Shape::Map(fields, more) => {
                f.write_str("#{")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(field.name)?;
                    if field.optional {
                        f.write_str("?")?;
                    }
                    // Plain strings, numbers and flags go by name alone: the line stays readable.
                    if !matches!(field.shape, Shape::Str | Shape::Int | Shape::Bool) {
                        write!(f, ": {}", field.shape)?;
                    }
                }
                if let Some(more) = more {
                    write!(f, ", {more}")?;
                }
                f.write_str("}")
            }
            Shape::Or(a, b) => write!(f, "{a} or {b}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ROW: Shape = Shape::Map(
        &[key("a", Shape::Int), maybe("b", Shape::List(&Shape::Str))],
        None,
    );

    #[test]
    fn a_map_has_its_keys_and_no_others() {
        assert_eq!(ROW.to_string(), "#{a, b?: [string]}");
        assert!(ROW.check(&json!({ "a": 1 }), "r").is_ok());
        assert_eq!(
            ROW.check(&json!({ "a": 1, "c": 2 }), "r").unwrap_err(),
            "`r` has `c`, which is not declared"
        );
        assert_eq!(
            ROW.check(&json!({ "a": 1, "b": [1] }), "r").unwrap_err(),
            "`r.b[0]` should be string, is 1"
        );
        let by = Shape::By("device_id", &ROW);
        assert_eq!(
            by.check(&json!([{ "a": 1 }]), "q").unwrap_err(),
            "`q` should be #{device_id: #{a, b?: [string]}}, is [{\"a\":1}]"
        );
    }
}
