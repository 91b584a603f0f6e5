//! Where a desired state came from, so errors can point at it: a TOML file (every key's span, so
//! `file:line:col`) or a map a playbook built (the key's path).

use super::error::Error;
use crate::engine::Location;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

pub struct Source {
    /// The file name as shown, or what the map was given to.
    name: String,
    text: Option<String>,
    /// Path (`policies[1].settings.GetCommand`) -> byte range of its key (or array item) in `text`.
    spans: HashMap<String, Range<usize>>,
}

impl Source {
    /// A map from a playbook: errors name the key's path.
    pub fn map(name: &str) -> Source {
        Source {
            name: name.to_string(),
            text: None,
            spans: HashMap::new(),
        }
    }

    /// Parses TOML into the same tree a map would be, remembering where each key is.
    pub fn toml(name: &str, text: &str) -> Result<(Value, Source), Error> {
        let mut source = Source {
            name: name.to_string(),
            text: Some(text.to_string()),
            spans: HashMap::new(),
        };
        let table = DeTable::parse(text).map_err(|e| Error::Input {
            message: format!("not valid TOML: {}", e.message().trim_end()),
            location: e.span().map(|s| source.location_at(s.start)),
        })?;
        let value = source.table(table.get_ref(), "");
        Ok((value, source))
    }

    fn table(&mut self, table: &DeTable<'_>, path: &str) -> Value {
        let mut out = Map::new();
        for (key, value) in table {
            let key_path = join(path, key.get_ref());
            self.spans.insert(key_path.clone(), key.span());
            out.insert(
                key.get_ref().to_string(),
                self.value(value.get_ref(), &key_path),
            );
        }
        Value::Object(out)
    }

    fn value(&mut self, value: &DeValue<'_>, path: &str) -> Value {
        match value {
            DeValue::String(s) => Value::String(s.to_string()),
            DeValue::Boolean(b) => Value::Bool(*b),
            DeValue::Table(t) => self.table(t, path),
            DeValue::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let item_path = format!("{path}[{i}]");
                        self.spans.insert(item_path.clone(), item.span());
                        self.value(item.get_ref(), &item_path)
                    })
                    .collect(),
            ),
            // Numbers and dates are never valid here: kept so the validator can say what it got.
            DeValue::Integer(i) => i.as_str().parse::<i64>().map_or(Value::Null, Value::from),
            DeValue::Float(f) => f.as_str().parse::<f64>().map_or(Value::Null, Value::from),
            DeValue::Datetime(_) => Value::Null,
        }
    }

    /// An input error at `path`: `file:line:col` for a file, the path for a map.
    pub fn error(&self, path: &str, message: impl Into<String>) -> Error {
        let message = message.into();
        let span = self.spans.get(path).or_else(|| {
            // An absent key: point at the table that lacks it.
            let parent = path.rsplit_once(['.', '[']).map_or("", |(p, _)| p);
            self.spans.get(parent)
        });
        match (&self.text, span) {
            (Some(_), Some(span)) => Error::Input {
                message,
                location: Some(self.location_at(span.start)),
            },
            _ if path.is_empty() => Error::Input {
                message: format!("{}: {message}", self.name),
                location: None,
            },
            _ => Error::Input {
                message: format!("{}: `{path}`: {message}", self.name),
                location: None,
            },
        }
    }

    fn location_at(&self, offset: usize) -> Location {
        let text = self.text.as_deref().unwrap_or("");
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line_text = text[line_start..].lines().next().unwrap_or("");
        Location {
            file: self.name.clone(),
            line,
            column: before[line_start..].chars().count() + 1,
            text: Some(line_text.to_string()),
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}
