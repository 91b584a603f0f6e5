//! The one generic caller behind every operation: Rhai map -> JSON -> validated request -> backend -> result map.

use super::backend::{Backend, ScriptAnswer};
use super::cancel::Cancel;
use super::convert::{from_json, map_to_json};
use crate::engine::case;
use crate::ops::{self, ArgError, Body, FileSource, Operation, PartContent, Request};
use crate::ops::{ApiError, Response};
use crate::safety::{Intent, Safety, Stop, Verdict};
use rhai::{Dynamic, EvalAltResult, Map, NativeCallContext, Position};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What every operation call needs; shared by all functions registered on one engine.
pub struct Context {
    pub backend: Arc<dyn Backend>,
    pub cancel: Cancel,
    /// Where downloaded files (put-file contents, extracted files) are written.
    pub out_dir: PathBuf,
    /// Relative file paths in arguments (uploads) are taken from here: the playbook's folder.
    pub base_dir: PathBuf,
    /// Plan mode, the destructive-action guard, the audit log and the upload sandbox.
    pub safety: Safety,
    /// The case this run records into and resumes from: its journal answers steps already taken.
    pub case: Option<crate::engine::case::Case>,
    /// Device records read moments ago; forgotten around every state-changing request.
    pub recent_hosts: crate::engine::recent_hosts::RecentHosts,
}

#[derive(Debug)]
pub enum CallError {
    Argument(ArgError),
    Api(ApiError),
    /// Refused, confined or not audited by `safety`.
    Safety(Stop),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Argument(e) => e.fmt(f),
            CallError::Api(e) => e.fmt(f),
            CallError::Safety(e) => e.fmt(f),
        }
    }
}

/// Validates `args` and sends the operation. Nothing is sent when validation fails.
pub fn call(
    ctx: &Context,
    op: &'static Operation,
    args: &serde_json::Map<String, Value>,
) -> Result<Response, CallError> {
    match prepare(ctx, op, args)? {
        Ready::Answered(resp) => Ok(resp),
        Ready::Send(sending) => {
            let result = send(ctx, &sending.req);
            finish(ctx, sending, result)
        }
    }
}

/// [`call`] for a playbook: the answer as the playbook's value, or `None` when the playbook drops
/// the value unread ([`super::unread`]). When nothing but the playbook reads a successful answer (no
/// journal step, and [`Safety::reads_answer`] says no), the backend reads its JSON straight into
/// Rhai values, or only checks it when it is unread; the safety layer still learns the hostnames it
/// names.
fn call_for_script(
    ctx: &Context,
    op: &'static Operation,
    args: &serde_json::Map<String, Value>,
    unread: bool,
) -> Result<Option<ScriptAnswer>, CallError> {
    let sending = match prepare(ctx, op, args)? {
        Ready::Answered(resp) => return Ok(Some(resp.into())),
        Ready::Send(sending) => sending,
    };
    let req = &sending.req;
    let result = if sending.step.is_none() && !req.op.binary && !ctx.safety.reads_answer(req) {
        let sent = if unread {
            ctx.backend.send_unread(req).map(|body| {
                ctx.safety.after_unread(req, body.as_ref());
                None
            })
        } else {
            ctx.backend.send_for_script(req).map(|answer| {
                ctx.safety.after_script(req, &answer.body);
                Some(answer)
            })
        };
        match sent {
            Ok(answer) => return Ok(answer),
            Err(e) => Err(e),
        }
    } else {
        send(ctx, req)
    };
    finish(ctx, sending, result).map(|resp| (!unread).then(|| resp.into()))
}

/// A request that validation, the safety gate and the case's journal let through.
struct Sending {
    req: Request,
    intent: Intent,
    /// The journal's step, when the journal keeps this request's answer.
    step: Option<case::Step>,
}

enum Ready {
    Send(Sending),
    /// Plan mode or the journal answered: nothing is sent.
    Answered(Response),
}

/// Everything before sending: validation, the safety gate, the journal.
fn prepare(
    ctx: &Context,
    op: &'static Operation,
    args: &serde_json::Map<String, Value>,
) -> Result<Ready, CallError> {
    let mut req = ops::build(op, args).map_err(CallError::Argument)?;
    anchor_file_paths(&mut req, &ctx.base_dir);
    if req.op.changes_state() {
        ctx.recent_hosts.forget_all();
    }
    // The one safety hook: plan mode may answer instead of sending, the guard may refuse.
    let verdict = ctx
        .safety
        .before(&mut req, &ctx.base_dir, &ctx.out_dir)
        .map_err(|stop| {
            case::record_refusal(ctx, &stop);
            CallError::Safety(stop)
        })?;
    let intent = match verdict {
        Verdict::Answer(resp) => return Ok(Ready::Answered(resp)),
        Verdict::Send(intent) => intent,
    };
    // The case's journal: a step taken before the run was interrupted is answered, not sent again.
    let step = match case::before_send(ctx, args, &req) {
        Ok(case::Before::Answer(answer)) => {
            return answer.map(Ready::Answered).map_err(CallError::Api);
        }
        Ok(case::Before::Send(step)) => step,
        Err(message) => {
            return Err(CallError::Api(ApiError::Transport {
                operation: req.op.qualified_name(),
                message: format!("not sent: the case journal cannot be written: {message}"),
            }));
        }
    };
    Ok(Ready::Send(Sending { req, intent, step }))
}

/// Everything after sending: the safety layer learns and audits, the journal keeps the answer.
fn finish(
    ctx: &Context,
    sending: Sending,
    mut result: Result<Response, ApiError>,
) -> Result<Response, CallError> {
    let Sending { req, intent, step } = sending;
    if req.op.changes_state() {
        ctx.recent_hosts.forget_all();
    }
    ctx.safety
        .after(&req, intent, &result)
        .map_err(CallError::Safety)?;
    case::after_send(step, &result)
        .map_err(|e| CallError::Safety(Stop::Audit(format!("cannot journal the answer: {e}"))))?;
    ctx.safety.planned_view(&req, &mut result);
    result.map_err(CallError::Api)
}

fn send(ctx: &Context, req: &Request) -> Result<Response, ApiError> {
    if req.op.binary {
        let dest = ctx.out_dir.join(download_name(req));
        std::fs::create_dir_all(&ctx.out_dir).map_err(|e| ApiError::Transport {
            operation: req.op.qualified_name(),
            message: format!("cannot create `{}`: {e}", ctx.out_dir.display()),
        })?;
        ctx.backend.download(req, &dest)
    } else {
        ctx.backend.send(req)
    }
}

/// The Rhai face of [`call`]: `args` is the playbook's map (unit when called with no arguments).
pub fn call_from_rhai(
    ctx: &Context,
    op: &'static Operation,
    native: &NativeCallContext,
    args: Dynamic,
) -> Result<Dynamic, Box<EvalAltResult>> {
    let pos = native.call_position();
    let json = if args.is_unit() {
        serde_json::Map::new()
    } else {
        // Read in place: a copy of the map would be one more allocation per key on every call.
        let Some(converted) = args.read_lock::<Map>().map(|m| map_to_json(&m)) else {
            return Err(argument_error(
                op,
                None,
                format!(
                    "takes one map of named arguments, e.g. `{}(#{{ ... }})`, got {}",
                    op.qualified_name(),
                    args.type_name()
                ),
                pos,
            ));
        };
        converted.map_err(|m| argument_error(op, None, m, pos))?
    };
    if ctx.cancel.is_set() {
        return Err(terminated(&ctx.cancel, pos));
    }
    match call_for_script(ctx, op, &json, super::unread::is_unread(native)) {
        Ok(Some(answer)) => Ok(result_map(answer)),
        Ok(None) => Ok(Dynamic::UNIT),
        Err(CallError::Argument(e)) => Err(argument_error(op, e.key.as_deref(), e.message, pos)),
        Err(CallError::Api(ApiError::Cancelled { .. })) => Err(terminated(&ctx.cancel, pos)),
        Err(CallError::Api(e)) => Err(Box::new(EvalAltResult::ErrorRuntime(
            api_error_map(op, &e),
            pos,
        ))),
        Err(CallError::Safety(Stop::Sandbox { key, message })) => {
            Err(argument_error(op, Some(&key), message, pos))
        }
        Err(CallError::Safety(Stop::Refused(r))) => Err(Box::new(EvalAltResult::ErrorRuntime(
            crate::safety::refusal_map(&r),
            pos,
        ))),
        // Unaudited changes must not go on: not catchable.
        Err(CallError::Safety(e @ (Stop::Audit(_) | Stop::AuditBefore(_)))) => Err(Box::new(
            EvalAltResult::ErrorTerminated(e.termination(), pos),
        )),
    }
}

/// `#{ status_code, headers, body }`, as FalconPy returns it.
pub fn result_map(answer: impl Into<ScriptAnswer>) -> Dynamic {
    let answer = answer.into();
    let mut m = Map::new();
    m.insert(
        "status_code".into(),
        Dynamic::from_int(i64::from(answer.status)),
    );
    m.insert(
        "headers".into(),
        Dynamic::from_map(
            answer
                .headers
                .into_iter()
                .map(|(k, v)| (k.into(), Dynamic::from(v)))
                .collect(),
        ),
    );
    m.insert("body".into(), answer.body);
    Dynamic::from_map(m)
}

/// The value a failed call throws: `#{ status_code, errors, operation, trace_id, message, body }`.
pub fn api_error_map(op: &Operation, e: &ApiError) -> Dynamic {
    let mut m = Map::new();
    let (status, errors, trace_id, body) = match e {
        ApiError::Status {
            status,
            trace_id,
            body,
            messages,
            ..
        } => {
            let mut errors = body
                .get("errors")
                .map(from_json)
                .and_then(|v| v.try_cast::<rhai::Array>())
                .unwrap_or_default();
            // What falconry adds (a hint at the credentials, a refused redirect) is shown like Falcon's own.
            let known: Vec<String> = errors
                .iter()
                .filter_map(|e| {
                    e.read_lock::<Map>()
                        .and_then(|m| m.get("message").map(|m| m.to_string()))
                })
                .collect();
            for m in messages.iter().filter(|m| !known.contains(m)) {
                let mut extra = Map::new();
                extra.insert("message".into(), Dynamic::from(m.clone()));
                errors.push(Dynamic::from_map(extra));
            }
            (
                Dynamic::from_int(i64::from(*status)),
                Dynamic::from_array(errors),
                trace_id.clone().map(Dynamic::from).unwrap_or(Dynamic::UNIT),
                from_json(body),
            )
        }
        _ => (
            Dynamic::UNIT,
            Dynamic::from_array(vec![]),
            Dynamic::UNIT,
            Dynamic::UNIT,
        ),
    };
    m.insert("status_code".into(), status);
    m.insert("errors".into(), errors);
    let operation = e
        .operation()
        .map_or_else(|| op.qualified_name(), str::to_string);
    m.insert("operation".into(), Dynamic::from(operation));
    m.insert("trace_id".into(), trace_id);
    m.insert("message".into(), Dynamic::from(e.to_string()));
    m.insert("body".into(), body);
    Dynamic::from_map(m)
}

/// A bad argument, thrown as `#{ operation, key, message }` so playbooks can catch it like any error.
fn argument_error(
    op: &Operation,
    key: Option<&str>,
    message: String,
    pos: Position,
) -> Box<EvalAltResult> {
    let text = ArgError {
        operation: op.qualified_name(),
        key: key.map(str::to_string),
        message,
    }
    .to_string();
    let mut m = Map::new();
    m.insert("operation".into(), Dynamic::from(op.qualified_name()));
    m.insert(
        "key".into(),
        key.map(|k| Dynamic::from(k.to_string()))
            .unwrap_or(Dynamic::UNIT),
    );
    m.insert("message".into(), Dynamic::from(text));
    Box::new(EvalAltResult::ErrorRuntime(Dynamic::from_map(m), pos))
}

/// Stops the script: a time limit or Ctrl-C is not something a `catch` should swallow.
pub fn terminated(cancel: &Cancel, pos: Position) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorTerminated(cancel.token(), pos))
}

/// Uploads named by a relative path come from the playbook's folder, not from wherever falconry was
/// started. Where uploads may come from at all is `safety`'s sandbox, checked next.
fn anchor_file_paths(req: &mut Request, base: &Path) {
    if let Body::Multipart(parts) = &mut req.body {
        for part in parts {
            if let PartContent::File {
                source: FileSource::Path(p),
                ..
            } = &mut part.content
                && p.is_relative()
            {
                *p = base.join(&*p);
            }
        }
    }
}

/// A file name for a download, made only of safe characters: extracted files are 7z archives named by hash.
fn download_name(req: &Request) -> String {
    let arg = |k: &str| req.arg(k).and_then(|v| v.as_str().map(str::to_string));
    let name = match (arg("sha256"), arg("id")) {
        (Some(sha), _) => format!("{sha}.7z"),
        (None, Some(id)) => id,
        (None, None) => req.op.name.to_string(),
    };
    safe_component(&name, req.op.name)
}

/// One path component of safe characters only: no separators, no `..`, never hidden.
pub fn safe_component(name: &str, fallback: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    let trimmed = safe.trim_start_matches('.');
    if trimmed.is_empty() || trimmed.chars().all(|c| c == '_') {
        fallback.to_string()
    } else if trimmed.len() != safe.len() {
        format!("_{trimmed}")
    } else {
        safe
    }
}
