//! How the helpers reach Falcon: operations by name through the engine's generic caller (so plan mode,
//! the guard and the audit log see every request), and the one error type the helpers throw.

use crate::engine::{CallError, Context, api_error_map, call};
use crate::ops::OpId;
use crate::ops::{ApiError, Response};
use crate::safety::{Stop, refusal_map};
use rhai::{Dynamic, EvalAltResult, Map, Position};
use serde_json::Value;

/// A failed helper call: a message with the context the helper adds (host, command, policy), what the
/// layer below threw (the API error map, the guard's refusal), and extra fields playbooks branch on.
#[derive(Debug)]
pub struct Error {
    pub message: String,
    /// The HTTP status and Falcon's `errors[].message` of the API failure underneath, if any.
    status: Option<u16>,
    api_messages: Vec<String>,
    /// Falcon's `errors[].code` values: RTR answers its own codes (40006, 40401, ...).
    api_codes: Vec<i64>,
    /// The map the layer below throws (`api_error_map`, `refusal_map`), extended by this error.
    thrown: Option<Map>,
    fields: Vec<(&'static str, Value)>,
    /// Set when the run must stop (time limit, Ctrl-C, audit failure): the termination value.
    terminate: Option<Dynamic>,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            status: None,
            api_messages: Vec::new(),
            api_codes: Vec::new(),
            thrown: None,
            fields: Vec::new(),
            terminate: None,
        }
    }

    /// The run was stopped: not something a `catch` should swallow.
    pub fn is_cancelled(&self) -> bool {
        self.terminate.is_some()
    }

    /// The destructive-action guard refused the request (its message already names command and host).
    pub fn is_guard_refusal(&self) -> bool {
        self.status.is_none()
            && self
                .thrown
                .as_ref()
                .and_then(|m| m.get("refused"))
                .is_some_and(|v| v.as_bool().unwrap_or(false))
    }

    /// The HTTP status of the API failure underneath, if any.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// Whether Falcon refused an RTR command or session because of the response policy: HTTP 403,
    /// or RTR's 40006 `Command is not valid` (CrowdStrike/CAST#15: the command is disabled in the
    /// response policy).
    pub fn is_policy_refusal(&self) -> bool {
        self.status == Some(403) || self.api_codes.contains(&40006)
    }

    /// Whether Falcon could not reach the host: RTR's 40401 `Could not establish sensor comms`
    /// (psfalcon#76: the host is offline and the command was not queued).
    pub fn is_host_unreachable(&self) -> bool {
        self.api_codes.contains(&40401)
    }

    /// The API's own error messages (`errors[].message`), if any.
    pub fn api_messages(&self) -> Vec<String> {
        self.api_messages.clone()
    }

    /// Adds a field to the thrown map (`device_id`, `policy_name`, ...).
    pub fn with(mut self, key: &'static str, value: impl Into<Value>) -> Error {
        self.fields.retain(|(k, _)| *k != key);
        self.fields.push((key, value.into()));
        self
    }

    pub fn with_message(mut self, message: String) -> Error {
        self.message = message;
        self
    }

    /// Puts what the caller was doing in front of the message.
    pub fn context(mut self, what: impl std::fmt::Display) -> Error {
        self.message = format!("{what}: {}", self.message);
        self
    }

    /// What a playbook catches: the map of the layer below (`status_code`, `errors`, `trace_id`, ...
    /// or the guard's `refused`, `command`, `hosts`), with this message and the extra fields.
    pub fn to_map(&self) -> Map {
        let mut m = self.thrown.clone().unwrap_or_default();
        m.insert("message".into(), Dynamic::from(self.message.clone()));
        for (k, v) in &self.fields {
            m.insert((*k).into(), crate::engine::convert::from_json(v));
        }
        m
    }

    /// The message and the extra fields as JSON (for per-host errors inside a result map).
    pub fn to_json(&self) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        m.insert("message".into(), Value::String(self.message.clone()));
        if let Some(status) = self.status {
            m.insert("status_code".into(), Value::from(status));
        }
        for (k, v) in &self.fields {
            m.insert((*k).to_string(), v.clone());
        }
        m
    }

    pub fn into_rhai(self, pos: Position) -> Box<EvalAltResult> {
        if let Some(token) = self.terminate {
            return Box::new(EvalAltResult::ErrorTerminated(token, pos));
        }
        Box::new(EvalAltResult::ErrorRuntime(
            Dynamic::from_map(self.to_map()),
            pos,
        ))
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Sends one operation with `args` (a JSON object) through the generic caller.
pub fn send(ctx: &Context, key: OpId, args: Value) -> Result<Response> {
    let op = key.op();
    if ctx.cancel.is_set() {
        return Err(stopped(ctx));
    }
    let args = match args {
        Value::Object(m) => m,
        Value::Null => serde_json::Map::new(),
        other => return Err(Error::new(format!("arguments must be a map, got {other}"))),
    };
    match call(ctx, op, &args) {
        Ok(resp) => Ok(resp),
        Err(CallError::Argument(e)) => Err(Error::new(e.to_string())),
        Err(CallError::Api(ApiError::Cancelled { .. })) => Err(stopped(ctx)),
        Err(CallError::Api(e)) => {
            let (status, api_messages, api_codes) = match &e {
                ApiError::Status {
                    status,
                    messages,
                    body,
                    ..
                } => (Some(*status), messages.clone(), error_codes(body)),
                _ => (None, Vec::new(), Vec::new()),
            };
            Err(Error {
                status,
                api_messages,
                api_codes,
                thrown: api_error_map(op, &e).try_cast::<Map>(),
                ..Error::new(e.to_string())
            })
        }
        Err(CallError::Safety(Stop::Refused(r))) => Err(Error {
            thrown: refusal_map(&r).try_cast::<Map>(),
            ..Error::new(r.to_string())
        }),
        Err(CallError::Safety(e @ Stop::Sandbox { .. })) => Err(Error::new(e.to_string())),
        // The request could not be audited (before or after it went out): the playbook must not go on.
        Err(CallError::Safety(e @ (Stop::Audit(_) | Stop::AuditBefore(_)))) => Err(Error {
            terminate: Some(Dynamic::from(e.to_string())),
            ..Error::new(e.to_string())
        }),
    }
}

/// The `errors[].code` values of an answer's body.
fn error_codes(body: &Value) -> Vec<i64> {
    body.get("errors")
        .and_then(Value::as_array)
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e.get("code").and_then(Value::as_i64))
                .collect()
        })
        .unwrap_or_default()
}

/// The error for a stopped run, with the reason (time limit or Ctrl-C).
pub fn stopped(ctx: &Context) -> Error {
    let token = ctx.cancel.token();
    Error {
        terminate: Some(token),
        ..Error::new(
            ctx.cancel
                .reason()
                .map(|r| r.message())
                .unwrap_or_else(|| "the playbook was interrupted".into()),
        )
    }
}

/// The `resources` array of an answer (empty when absent).
pub fn resources(resp: &Response) -> Vec<Value> {
    match resp.body.get("resources") {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    }
}

/// The `resources` array of an answer, moved out of it (empty when absent).
pub fn take_resources(resp: &mut Response) -> Vec<Value> {
    match resp.body.get_mut("resources").map(Value::take) {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    }
}

/// The first resource of an answer, or an error naming the operation.
pub fn first_resource(resp: &Response, what: &str) -> Result<Value> {
    resources(resp)
        .into_iter()
        .next()
        .ok_or_else(|| Error::new(format!("{what} answered without a resource")))
}

/// A string field of a JSON object ("" when absent).
pub fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The total a paged answer reports, if any.
pub fn total_of(resp: &Response) -> Option<u64> {
    resp.body
        .pointer("/meta/pagination/total")
        .and_then(Value::as_u64)
}

/// A helper's answer as Rhai sees it: the value converted, or the error thrown at the call's position.
pub(crate) fn to_rhai<T: Into<Value>>(
    native: &rhai::NativeCallContext,
    r: Result<T>,
) -> std::result::Result<Dynamic, Box<EvalAltResult>> {
    to_rhai_with(native, r, |v| {
        crate::engine::convert::from_json_owned(v.into())
    })
}

/// [`to_rhai`] for an answer that is not JSON to give up, converted by `convert`.
pub(crate) fn to_rhai_with<T>(
    native: &rhai::NativeCallContext,
    r: Result<T>,
    convert: impl FnOnce(T) -> Dynamic,
) -> std::result::Result<Dynamic, Box<EvalAltResult>> {
    r.map(convert)
        .map_err(|e| e.into_rhai(native.call_position()))
}
