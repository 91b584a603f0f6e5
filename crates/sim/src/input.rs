//! What a request carried, decoded once: query pairs, a JSON body, form fields and uploaded files,
//! and the table-driven validation every operation gets before its handler runs.

use super::envelope::Fail;
use super::fql::Sort;
use crate::ops::{BodyShape, Location, Operation, Type, Wrap};
use serde_json::Value;

#[derive(Debug, Default)]
pub struct Input {
    pub query: Vec<(String, String)>,
    pub json: Option<Value>,
    /// Text fields of a urlencoded or multipart body, in order (`platform` may repeat).
    pub form: Vec<(String, String)>,
    pub files: Vec<Upload>,
    /// The raw `Authorization` header (revoke checks basic credentials).
    pub authorization: Option<String>,
}

#[derive(Debug)]
pub struct Upload {
    pub field: String,
    pub filename: String,
    pub bytes: bytes::Bytes,
    /// Hashed while reading the request, so big uploads never hash under the state lock.
    pub sha256: String,
}

/// Decodes `application/x-www-form-urlencoded` pairs (query strings included): `+` is a space, a
/// pair without `=` has an empty value, invalid UTF-8 is replaced (the WHATWG rules, by `url`'s own
/// parser).
pub fn parse_pairs(raw: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect()
}

impl Input {
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The time each host of a batch call has (`timeouts::host_timeout`).
    pub fn host_timeout(&self) -> Result<std::time::Duration, Fail> {
        super::timeouts::host_timeout(|name| self.query(name))
    }

    /// Every value of a repeatable parameter; `ids=a,b` and `ids=a&ids=b` both mean two ids.
    pub fn query_list(&self, name: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
            .collect()
    }

    pub fn required_query(&self, name: &str) -> Result<&str, Fail> {
        match self.query(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(Fail::bad(format!(
                "missing required query parameter `{name}`"
            ))),
        }
    }

    pub fn required_list(&self, name: &str) -> Result<Vec<String>, Fail> {
        let list = self.query_list(name);
        if list.is_empty() {
            return Err(Fail::bad(format!(
                "missing required query parameter `{name}`"
            )));
        }
        Ok(list)
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, Fail> {
        match self.query(name) {
            None | Some("") => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                Fail::bad(format!(
                    "query parameter `{name}` must be an integer, got `{v}`"
                ))
            }),
        }
    }

    pub fn body(&self) -> Result<&Value, Fail> {
        self.json
            .as_ref()
            .ok_or_else(|| Fail::bad("missing JSON request body"))
    }

    /// A required string field of the JSON body.
    pub fn body_str(&self, field: &str) -> Result<&str, Fail> {
        match self.body()?.get(field) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                Err(Fail::bad(format!("missing required body field `{field}`")))
            }
            Some(_) => Err(Fail::bad(format!("body field `{field}` must be a string"))),
        }
    }

    pub fn body_opt_str(&self, field: &str) -> Option<&str> {
        self.json.as_ref()?.get(field)?.as_str()
    }

    pub fn body_bool(&self, field: &str) -> bool {
        self.json
            .as_ref()
            .and_then(|b| b.get(field))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// A required array of strings in the JSON body (`ids`, `host_ids`).
    pub fn body_ids(&self, field: &str) -> Result<Vec<String>, Fail> {
        let missing = || Fail::bad(format!("missing required body field `{field}`"));
        let list = self.body()?.get(field).ok_or_else(missing)?;
        let ids = string_list(list).ok_or_else(|| {
            Fail::bad(format!("body field `{field}` must be an array of strings"))
        })?;
        if ids.is_empty() {
            return Err(missing());
        }
        Ok(ids)
    }

    /// `resources: [...]` of a create/update body.
    pub fn body_resources(&self) -> Result<&Vec<Value>, Fail> {
        match self.body()?.get("resources") {
            Some(Value::Array(items)) if !items.is_empty() => Ok(items),
            _ => Err(Fail::bad("missing required body field `resources`")),
        }
    }

    /// `action_parameters: [{name, value}]`: the value of the named one.
    pub fn action_parameter(&self, name: &str) -> Option<&str> {
        self.json
            .as_ref()?
            .get("action_parameters")?
            .as_array()?
            .iter()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))?
            .get("value")?
            .as_str()
    }

    pub fn form(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn form_all(&self, name: &str) -> Vec<&str> {
        self.form
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn file(&self, field: &str) -> Option<&Upload> {
        self.files.iter().find(|f| f.field == field)
    }

    /// Checks what the operation table declares: required parameters, integer ranges, enums.
    pub fn validate(&self, op: &Operation) -> Result<(), Fail> {
        for p in op.params {
            match p.location {
                Location::Query => {
                    let values: Vec<&str> = self
                        .query
                        .iter()
                        .filter(|(k, _)| k == p.name)
                        .map(|(_, v)| v.as_str())
                        .collect();
                    // `limit=` (present, empty) is not "no limit": an integer that is not there is
                    // refused, as any value that is not an integer (issue 25).
                    if p.ty == Type::Integer
                        && !values.is_empty()
                        && values.iter().all(|v| v.is_empty())
                    {
                        return Err(Fail::bad(format!(
                            "query parameter `{}` must be an integer, got ``",
                            p.name
                        )));
                    }
                    if values.iter().all(|v| v.is_empty()) {
                        if p.required {
                            return Err(Fail::bad(format!(
                                "missing required query parameter `{}`",
                                p.name
                            )));
                        }
                        continue;
                    }
                    // The spec's `maxItems` (only `ids` of device details by GET has one).
                    if let Some(max) = p.max_items {
                        at_most_ids(values.len(), max)?;
                    }
                    if p.ty == Type::Integer {
                        let n = self.int(p.name)?.unwrap_or(0);
                        // The schema's range, else the one its text documents (the host queries'
                        // `limit` 1-5000 or 1-10000); every other paging answer carries `limit` as
                        // an int32 (`msa.Paging`).
                        let (min, max) = p.range();
                        let max =
                            max.or_else(|| (p.name == "limit").then_some(i64::from(i32::MAX)));
                        // `limit` is at least 1 and `offset` at least 0 where nothing documents a
                        // minimum: an offset counts from 0. Refused, not clamped.
                        let min = min.or(match p.name {
                            "limit" => Some(1),
                            "offset" => Some(0),
                            _ => None,
                        });
                        if min.is_some_and(|min| n < min) || max.is_some_and(|max| n > max) {
                            return Err(Fail::bad(format!(
                                "query parameter `{}` is {n}, allowed range is {}..={}",
                                p.name,
                                min.map_or("".into(), |m| m.to_string()),
                                max.map_or("".into(), |m| m.to_string()),
                            )));
                        }
                    }
                    if p.name == "sort" && !p.allowed.is_empty() {
                        for v in &values {
                            sort_allowed(v, p.allowed)?;
                        }
                    }
                    // `sort` also takes `field|asc`, which the spec's enum leaves out (checked above).
                    if !p.allowed.is_empty() && p.name != "sort" {
                        for v in values.iter().flat_map(|v| v.split(',')) {
                            if !p.allowed.contains(&v) {
                                return Err(Fail::bad(format!(
                                    "query parameter `{}` must be one of {}, got `{v}`",
                                    p.name,
                                    p.allowed.join(", ")
                                )));
                            }
                        }
                    }
                }
                Location::Body => {
                    if p.required && self.json.is_none() {
                        return Err(Fail::bad("missing JSON request body"));
                    }
                    if let (Some(shape), Some(body)) = (op.body, &self.json) {
                        body_types(shape, body)?;
                    }
                }
                Location::FormData => {
                    let present = if p.ty == Type::File {
                        self.file(p.name).is_some()
                    } else {
                        self.form(p.name).is_some_and(|v| !v.is_empty())
                    };
                    if p.required && !present {
                        return Err(Fail::bad(format!(
                            "missing required form field `{}`",
                            p.name
                        )));
                    }
                }
            }
        }
        // The batch calls' time limits (`timeouts`): the spec's maximum and syntax, checked once here.
        if op.params.iter().any(|p| {
            matches!(
                p.name,
                "timeout" | "timeout_duration" | "host_timeout_duration"
            )
        }) {
            self.host_timeout()?;
        }
        Ok(())
    }
}

/// A `sort` the operation's enum allows: `field`, `field.asc`, `field|desc`, ... where the enum lists
/// the field or the field with that direction.
fn sort_allowed(value: &str, allowed: &[&str]) -> Result<(), Fail> {
    let sort = Sort::parse(value).map_err(Fail::bad)?;
    let dir = if sort.descending { "desc" } else { "asc" };
    let with_dir = format!("{}.{dir}", sort.field);
    if allowed.iter().any(|a| *a == sort.field || *a == with_dir) {
        return Ok(());
    }
    let mut fields: Vec<&str> = allowed
        .iter()
        .map(|a| a.trim_end_matches(".asc").trim_end_matches(".desc"))
        .collect();
    fields.dedup();
    Err(Fail::bad(format!(
        "cannot sort by `{}`: `sort` takes one of {}",
        sort.field,
        fields.join(", ")
    )))
}

/// The declared body fields have their declared JSON types (Falcon's decoder refuses `clone_id: [1]`);
/// `null` stands for absent, as Go decodes it.
fn body_types(shape: &BodyShape, body: &Value) -> Result<(), Fail> {
    let wrong = |what: &str| Fail::bad(format!("request body must be {what} (`{}`)", shape.schema));
    let items: Vec<&Value> = match shape.wrap {
        Wrap::Object => vec![body],
        Wrap::List => body
            .as_array()
            .ok_or_else(|| wrong("an array"))?
            .iter()
            .collect(),
        Wrap::Resources | Wrap::Indicators => {
            let key = shape.wrap.items_key().unwrap_or_default();
            match body.get(key) {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items.iter().collect(),
                Some(_) => return Err(Fail::bad(format!("body field `{key}` must be an array"))),
            }
        }
    };
    let prefix = match shape.wrap.items_key() {
        Some(key) => format!("{key}[]."),
        None => String::new(),
    };
    for item in items {
        let Some(map) = item.as_object() else {
            return Err(wrong("an object of fields"));
        };
        for field in shape.fields {
            let Some(value) = map.get(field.name).filter(|v| !v.is_null()) else {
                continue;
            };
            let ok = match field.ty {
                Type::String => value.is_string(),
                Type::Integer => value.as_i64().is_some(),
                Type::Boolean => value.is_boolean(),
                Type::StringArray => value
                    .as_array()
                    .is_some_and(|a| a.iter().all(Value::is_string)),
                Type::Object => value.is_object(),
                Type::Array => value.is_array(),
                Type::File | Type::Any => true,
            };
            if !ok {
                return Err(Fail::bad(format!(
                    "body field `{prefix}{}` must be {}, got `{value}`",
                    field.name,
                    wire_type(field.ty)
                )));
            }
        }
        if let Some(params) = map.get("action_parameters").filter(|v| !v.is_null()) {
            let ok = params.as_array().is_some_and(|a| {
                a.iter().all(|p| {
                    // FalconPy passes a caller's `show_in_ui=True` through as a JSON boolean.
                    p.get("name").is_some_and(Value::is_string)
                        && p.get("value")
                            .is_none_or(|v| v.is_string() || v.is_boolean())
                })
            });
            if !ok {
                return Err(Fail::bad(
                    "body field `action_parameters` must be an array of `{\"name\": string, \"value\": string}`",
                ));
            }
        }
    }
    Ok(())
}

fn wire_type(ty: Type) -> &'static str {
    match ty {
        Type::String => "a string",
        Type::Integer => "an integer",
        Type::Boolean => "a boolean",
        Type::StringArray => "an array of strings",
        Type::Object => "an object",
        Type::Array => "an array",
        Type::File | Type::Any => "any value",
    }
}

/// A JSON string or array of strings as a list (a lone string is one id).
pub fn string_list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items.iter().map(|v| v.as_str().map(String::from)).collect(),
        _ => None,
    }
}

/// Falcon's answer to more ids than an operation takes (caracara#99 quotes it for the online state).
pub fn at_most_ids(count: usize, max: usize) -> Result<(), Fail> {
    if count > max {
        return Err(Fail::bad(format!(
            "request must contain between 0 and {max} ids"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_decode_plus_and_percent() {
        let pairs =
            parse_pairs("filter=hostname%3A%27a%27%2Bplatform_name%3A%27Linux%27&ids=a,b&x=1+2");
        assert_eq!(pairs[0].1, "hostname:'a'+platform_name:'Linux'");
        assert_eq!(pairs[2].1, "1 2");
        let input = Input {
            query: pairs,
            ..Default::default()
        };
        assert_eq!(input.query_list("ids"), ["a", "b"]);
    }
}
