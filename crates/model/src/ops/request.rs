//! Turns a playbook's argument map into a validated, transport-neutral request, before anything is sent.
//!
//! The keys a caller may use are the operation's declared parameters, its body's convenience keys
//! (FalconPy's keyword names), `body` (sent verbatim) and `parameters` (raw query parameters).

use super::model::*;
use serde_json::{Map, Value};
use std::fmt;
use std::path::PathBuf;

/// A request ready for any transport: the client sends it, plan mode records it.
#[derive(Debug, Clone)]
pub struct Request {
    pub op: &'static Operation,
    /// Query pairs in order; `multi` arrays appear once per element.
    pub query: Vec<(String, String)>,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub enum Body {
    Empty,
    Json(Value),
    Form(Vec<(String, String)>),
    Multipart(Vec<Part>),
}

#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub content: PartContent,
}

#[derive(Debug, Clone)]
pub enum PartContent {
    Text(String),
    File {
        filename: String,
        source: FileSource,
    },
}

#[derive(Debug, Clone)]
pub enum FileSource {
    Bytes(Vec<u8>),
    /// Read (streamed) by the transport; the engine checks the path is allowed first.
    Path(PathBuf),
}

/// A bad argument: names the operation, the key and what is allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct ArgError {
    pub operation: String,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => write!(f, "`{}`: argument `{key}` {}", self.operation, self.message),
            None => write!(f, "`{}`: {}", self.operation, self.message),
        }
    }
}

impl std::error::Error for ArgError {}

impl Request {
    /// The query string, percent-encoded, without the leading `?`.
    pub fn query_string(&self) -> String {
        use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
        let enc = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
        self.query
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The names the body carries at its top level (JSON object keys, form fields, multipart parts).
    pub fn body_names(&self) -> Vec<&str> {
        match &self.body {
            Body::Json(Value::Object(m)) => m.keys().map(String::as_str).collect(),
            Body::Form(fields) => fields.iter().map(|(k, _)| k.as_str()).collect(),
            Body::Multipart(parts) => parts.iter().map(|p| p.name.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    /// The value of one argument exactly as it will be sent, wherever it travels (query, JSON body
    /// field, form field or multipart part). This is the one reading of a request that the guard,
    /// plan mode and the audit log share; [`build`] refuses a request where a name could be read two
    /// ways (a query key that repeats a body field, or a single-valued query key given twice).
    pub fn arg(&self, name: &str) -> Option<Value> {
        let query: Vec<&String> = self
            .query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v)
            .collect();
        if !query.is_empty() {
            return Some(if query.len() == 1 {
                Value::String(query[0].clone())
            } else {
                Value::Array(
                    query
                        .into_iter()
                        .map(|v| Value::String(v.clone()))
                        .collect(),
                )
            });
        }
        match &self.body {
            Body::Json(Value::Object(m)) => m.get(name).cloned(),
            Body::Form(fields) => fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| Value::String(v.clone())),
            Body::Multipart(parts) => {
                parts
                    .iter()
                    .find(|p| p.name == name)
                    .map(|p| match &p.content {
                        PartContent::Text(t) => Value::String(t.clone()),
                        PartContent::File { filename, .. } => Value::String(filename.clone()),
                    })
            }
            _ => None,
        }
    }
}

/// Every key a caller may pass to `op`, for error messages, completion and help.
pub fn allowed_keys(op: &Operation) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = Vec::new();
    for p in op.params {
        keys.push(p.name);
    }
    if let Some(shape) = op.body {
        keys.extend(shape.fields.iter().map(|f| f.name));
        keys.extend(shape.action_parameters.iter().copied());
    }
    if op.consumes == Consumes::Json && !op.params.iter().any(|p| p.name == "parameters") {
        keys.push("parameters");
    }
    let mut seen = std::collections::HashSet::new();
    keys.retain(|k| seen.insert(*k));
    keys
}

/// Whether `key` is one of [`allowed_keys`], without building the list.
fn accepts(op: &Operation, key: &str) -> bool {
    op.params.iter().any(|p| p.name == key)
        || op.body.is_some_and(|shape| {
            shape.fields.iter().any(|f| f.name == key) || shape.action_parameters.contains(&key)
        })
        || (key == "parameters" && op.consumes == Consumes::Json)
}

/// Validates `args` against `op` and builds the request. Nothing is sent.
pub fn build(op: &'static Operation, args: &Map<String, Value>) -> Result<Request, ArgError> {
    let err = |key: Option<&str>, message: String| ArgError {
        operation: op.qualified_name(),
        key: key.map(str::to_string),
        message,
    };
    for key in args.keys() {
        if !accepts(op, key) {
            // The list is built only for the message: checking a key needs no list (per-call path).
            let allowed = allowed_keys(op);
            return Err(err(
                Some(key),
                format!(
                    "is not accepted{}; allowed: {}",
                    super::suggest::did_you_mean(key, &allowed),
                    crate::text::ticked(&allowed)
                ),
            ));
        }
    }

    let mut query = Vec::new();
    let mut form: Vec<(String, String)> = Vec::new();
    let mut parts: Vec<Part> = Vec::new();
    let mut body: Option<Value> = None;

    for p in op.params {
        let value = match args.get(p.name) {
            Some(Value::Null) | None => None,
            Some(v) => Some(v),
        };
        match p.location {
            Location::Body => {
                if let Some(v) = value {
                    check_type(p.ty, v).map_err(|m| err(Some(p.name), m))?;
                    body = Some(v.clone());
                }
            }
            Location::Query | Location::FormData => {
                let Some(v) = value else {
                    if p.required
                        && !(p.location == Location::FormData
                            && p.ty == Type::File
                            && args.contains_key("content"))
                    {
                        return Err(err(
                            Some(p.name),
                            format!("is required ({})", p.ty.describe()),
                        ));
                    }
                    continue;
                };
                check_param(p, v).map_err(|m| err(Some(p.name), m))?;
                if p.ty == Type::File {
                    parts.push(Part {
                        name: p.name.into(),
                        content: file_content(v).map_err(|m| err(Some(p.name), m))?,
                    });
                    continue;
                }
                let values = scalar_strings(v);
                let target = match (p.location, op.consumes) {
                    (Location::Query, _) => &mut query,
                    (_, Consumes::Form) => &mut form,
                    _ => {
                        for s in values {
                            parts.push(Part {
                                name: p.name.into(),
                                content: PartContent::Text(s),
                            });
                        }
                        continue;
                    }
                };
                if p.multi || values.len() == 1 {
                    target.extend(values.into_iter().map(|s| (p.name.to_string(), s)));
                } else {
                    target.push((p.name.to_string(), values.join(",")));
                }
            }
        }
    }

    if let Some(Value::Object(raw)) = args.get("parameters") {
        for (k, v) in raw {
            for s in scalar_strings(v) {
                query.push((k.clone(), s));
            }
        }
    } else if let Some(v) = args.get("parameters").filter(|v| !v.is_null()) {
        return Err(err(
            Some("parameters"),
            format!("must be a map of query parameters, got {}", type_name(v)),
        ));
    }

    if let (Some(b), Some(shape)) = (args.get("body"), op.body)
        && !b.is_null()
        && let Some(f) = shape
            .fields
            .iter()
            .map(|f| f.name)
            .chain(shape.action_parameters.iter().copied())
            .find(|k| args.get(*k).is_some_and(|v| !v.is_null()) && op.param(k).is_none())
    {
        return Err(err(
            Some(f),
            "cannot be combined with `body`, which is sent as given (this key would be dropped); \
             put it inside `body`"
                .into(),
        ));
    }

    let body = match (op.consumes, op.body) {
        (Consumes::Multipart, _) => Body::Multipart(parts),
        (Consumes::Form, _) => Body::Form(form),
        (Consumes::Json, Some(shape)) => Body::Json(match body {
            Some(b) => b,
            None => build_body(shape, args).map_err(|(k, m)| err(Some(k), m))?,
        }),
        (Consumes::Json, None) => Body::Empty,
    };
    let req = Request { op, query, body };
    one_reading(&req).map_err(|m| err(Some("parameters"), m))?;
    if let Some(m) = super::policy_settings::check(&req) {
        return Err(err(Some("settings"), m));
    }
    Ok(req)
}

/// Refuses a request whose names could be read two ways: Falcon would act on one copy while the guard,
/// plan mode and the audit log judged the other. Only `parameters` (raw query pairs) can cause this.
fn one_reading(req: &Request) -> Result<(), String> {
    let mut body_names = req.body_names();
    if let Some(shape) = req.op.body {
        body_names.extend(shape.fields.iter().map(|f| f.name));
    }
    for (i, (k, _)) in req.query.iter().enumerate() {
        if body_names.contains(&k.as_str()) {
            return Err(format!(
                "repeats `{k}`, which travels in the request body; say it once, in the body"
            ));
        }
        let multi = req.op.param(k).is_some_and(|p| p.multi);
        if !multi && req.query[..i].iter().any(|(seen, _)| seen == k) {
            return Err(format!(
                "gives the query parameter `{k}` more than once; it takes one value"
            ));
        }
    }
    Ok(())
}

/// Builds the JSON body from convenience keys as FalconPy does.
fn build_body(
    shape: &BodyShape,
    args: &Map<String, Value>,
) -> Result<Value, (&'static str, String)> {
    let mut obj = Map::new();
    for f in shape.fields {
        match args.get(f.name) {
            Some(Value::Null) | None => {
                if f.required {
                    return Err((
                        f.name,
                        format!(
                            "is required ({}), or pass the whole `body`",
                            f.ty.describe()
                        ),
                    ));
                }
            }
            Some(v) => {
                check_type(f.ty, v).map_err(|m| (f.name, m))?;
                check_allowed(f.allowed, v).map_err(|m| (f.name, m))?;
                check_max_items(f.max_items, v).map_err(|m| (f.name, m))?;
                let v = if f.ty == Type::StringArray && v.is_string() {
                    Value::Array(vec![v.clone()])
                } else {
                    v.clone()
                };
                obj.insert(f.name.to_string(), v);
            }
        }
    }
    let mut action_parameters = Vec::new();
    for name in shape.action_parameters {
        if let Some(v) = args.get(*name).filter(|v| !v.is_null()) {
            check_type(Type::String, v).map_err(|m| (*name, m))?;
            action_parameters.push(serde_json::json!({ "name": name, "value": v }));
        }
    }
    if !action_parameters.is_empty() {
        obj.insert("action_parameters".into(), Value::Array(action_parameters));
    }
    Ok(match shape.wrap {
        Wrap::Object => Value::Object(obj),
        Wrap::Resources => serde_json::json!({ "resources": [obj] }),
        Wrap::List => Value::Array(vec![Value::Object(obj)]),
        Wrap::Indicators => {
            let mut outer = Map::new();
            if let Some(comment) = obj.remove("comment") {
                outer.insert("comment".into(), comment);
            }
            outer.insert("indicators".into(), Value::Array(vec![Value::Object(obj)]));
            Value::Object(outer)
        }
    })
}

/// A list longer than the API takes is refused before anything is sent.
fn check_max_items(max: Option<usize>, v: &Value) -> Result<(), String> {
    if let (Some(max), Some(list)) = (max, v.as_array())
        && list.len() > max
    {
        return Err(format!(
            "takes at most {max} items per request, got {}; split the list",
            list.len()
        ));
    }
    Ok(())
}

fn check_param(p: &Param, v: &Value) -> Result<(), String> {
    check_type(p.ty, v)?;
    check_allowed(p.allowed, v)?;
    check_max_items(p.max_items, v)?;
    if let Some(n) = v.as_i64() {
        // The documented range too: the real API refuses a `limit` beyond it.
        match p.range() {
            (Some(lo), Some(hi)) if n < lo || n > hi => {
                return Err(format!("must be between {lo} and {hi}, got {n}"));
            }
            (Some(lo), None) if n < lo => return Err(format!("must be at least {lo}, got {n}")),
            (None, Some(hi)) if n > hi => return Err(format!("must be at most {hi}, got {n}")),
            _ => {}
        }
    }
    Ok(())
}

fn check_allowed(allowed: &[&str], v: &Value) -> Result<(), String> {
    if allowed.is_empty() {
        return Ok(());
    }
    for s in scalar_strings(v) {
        if !allowed.contains(&s.as_str()) {
            return Err(format!(
                "must be one of {}, got {}",
                crate::text::ticked(allowed),
                Value::String(s)
            ));
        }
    }
    Ok(())
}

fn check_type(ty: Type, v: &Value) -> Result<(), String> {
    let ok = match ty {
        Type::String => v.is_string(),
        Type::Integer => v.is_i64() || v.is_u64(),
        Type::Boolean => v.is_boolean(),
        Type::StringArray => {
            v.is_string() || v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
        }
        Type::Object => v.is_object(),
        Type::Array => v.is_array(),
        Type::File => v.is_string() || v.get("content").is_some(),
        Type::Any => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("must be a {}, got {}", ty.describe(), type_name(v)))
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "()",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a decimal number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a map",
    }
}

/// A scalar or array value as the strings that travel on the wire.
fn scalar_strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().flat_map(scalar_strings).collect(),
        Value::String(s) => vec![s.clone()],
        Value::Null => vec![],
        other => vec![other.to_string()],
    }
}

fn file_content(v: &Value) -> Result<PartContent, String> {
    if let Some(path) = v.as_str() {
        let filename = std::path::Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| format!("`{path}` names no file"))?;
        return Ok(PartContent::File {
            filename,
            source: FileSource::Path(PathBuf::from(path)),
        });
    }
    let content = v
        .get("content")
        .and_then(Value::as_str)
        .ok_or("`content` must be a string")?;
    let filename = v
        .get("filename")
        .and_then(Value::as_str)
        .unwrap_or("file")
        .to_string();
    Ok(PartContent::File {
        filename,
        source: FileSource::Bytes(content.as_bytes().to_vec()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_is_allowed_keys_without_the_list() {
        for op in super::super::table::OPERATIONS {
            for key in allowed_keys(op) {
                assert!(accepts(op, key), "{} refuses `{key}`", op.id);
            }
            for key in ["", "nope", "Ids", "body", "parameters"] {
                assert_eq!(
                    accepts(op, key),
                    allowed_keys(op).contains(&key),
                    "{} `{key}`",
                    op.id
                );
            }
        }
    }
}
