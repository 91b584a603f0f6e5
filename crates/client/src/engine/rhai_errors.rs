//! Place: above the names layer (`suggest`) and `escapes`, below `runtime`, which calls it.
//! Rhai's parse and evaluation errors read as our [`ScriptError`]: where it happened, through which
//! calls, and a hint (did-you-mean, the backtick form of a Windows path) when one is known.

use super::error::{ApiFailure, ErrorKind, Location, ScriptError};
use super::escapes::syntax_hint;
use super::limits::{LimitKind, Limits};
use super::sources::Sources;
use super::suggest::{function, missing};
use rhai::{Dynamic, EvalAltResult, Map, ParseError};

impl ScriptError {
    /// A syntax error in the script `source` (an id known to `sources`).
    pub fn from_parse(err: &ParseError, source: &str, sources: &Sources) -> ScriptError {
        let mut message = lowercase_first(&err.err_type().to_string());
        if let Some(hint) = syntax_hint(&message) {
            message.push_str(hint);
        }
        let mut e = ScriptError::new(ErrorKind::Syntax, message);
        e.location = locate(err.position(), source, sources);
        e
    }

    /// Converts an evaluation error of the script `source`, following it into the functions and modules it came from.
    pub fn from_eval(err: &EvalAltResult, source: &str, sources: &Sources) -> ScriptError {
        let mut frames = Vec::new();
        let mut current = source.to_string();
        let mut err = err;
        loop {
            match err {
                EvalAltResult::ErrorInFunctionCall(name, src, inner, pos) => {
                    if let Some(loc) = locate(*pos, &current, sources) {
                        frames.push((name.clone(), loc));
                    }
                    if !src.is_empty() {
                        current = src.clone();
                    }
                    err = inner;
                }
                EvalAltResult::ErrorInModule(path, inner, pos) => {
                    if let Some(loc) = locate(*pos, &current, sources) {
                        frames.push((format!("import \"{path}\""), loc));
                    }
                    current = path.clone();
                    err = inner;
                }
                _ => break,
            }
        }
        frames.reverse();
        let mut e = match err {
            EvalAltResult::ErrorParsing(p, _) => {
                ScriptError::new(ErrorKind::Syntax, lowercase_first(&p.to_string()))
            }
            EvalAltResult::ErrorRuntime(value, _) => thrown(value),
            EvalAltResult::ErrorTerminated(token, _) => {
                let field = |k: &str| {
                    token
                        .read_lock::<Map>()
                        .and_then(|m| m.get(k).map(|v| v.to_string()))
                };
                let message = field("message").unwrap_or_else(|| "the playbook was stopped".into());
                match field("reason").as_deref() {
                    Some("timeout") => ScriptError::new(ErrorKind::Timeout, message),
                    Some("memory") => limit(LimitKind::Memory, &message),
                    _ => ScriptError::new(ErrorKind::Interrupted, message),
                }
            }
            EvalAltResult::ErrorTooManyOperations(_) => limit(
                LimitKind::Operations,
                "the playbook ran too many operations",
            ),
            EvalAltResult::ErrorStackOverflow(_) => limit(
                LimitKind::CallDepth,
                "function calls are nested too deeply (infinite recursion?)",
            ),
            EvalAltResult::ErrorDataTooLarge(what, _) => {
                // Rhai names the value: "Length of string", "Size of array", "Size of object map".
                let kind = if what.contains("string") {
                    LimitKind::StringSize
                } else if what.contains("array") {
                    LimitKind::ArraySize
                } else {
                    LimitKind::MapSize
                };
                limit(kind, &format!("{} is too large", lowercase_first(what)))
            }
            EvalAltResult::ErrorFunctionNotFound(signature, _) => ScriptError::new(
                ErrorKind::Runtime,
                format!("function not found: {signature}{}", function(signature)),
            ),
            EvalAltResult::ErrorPropertyNotFound(property, _) => {
                ScriptError::new(ErrorKind::Runtime, missing(property))
            }
            // `for q in b.run(..).queued`: answers keyed by device id are maps, which `for` cannot walk.
            // Rhai does not say which type it met: name the usual case.
            EvalAltResult::ErrorFor(_) => ScriptError::new(
                ErrorKind::Runtime,
                "`for` walks arrays, strings and ranges; it cannot walk a map (answers keyed by device \
                 id, such as `results`, `queued` and `errors`, are maps): use \
                 `for id in m.keys() { let v = m[id]; ... }` or `m.values()`",
            ),
            other => {
                // Rhai appends the position; ours is shown by the renderer.
                let text = other.to_string();
                let text = text
                    .rsplit_once(" (line ")
                    .map_or(text.as_str(), |(m, _)| m);
                ScriptError::new(ErrorKind::Runtime, lowercase_first(text))
            }
        };
        e.location = locate(err.position(), &current, sources);
        e.trace = frames;
        e
    }
}

fn limit(kind: LimitKind, what: &str) -> ScriptError {
    ScriptError::new(
        ErrorKind::Limit(kind),
        format!("{what}; raise the limit with `{}`", Limits::flag_for(kind)),
    )
}

/// A value thrown by `throw` or by an operation: API failure maps and argument errors keep their data.
fn thrown(value: &Dynamic) -> ScriptError {
    let Some(map) = value.read_lock::<Map>().map(|m| m.clone()) else {
        let text = value.to_string();
        let text = if text.is_empty() {
            "the playbook threw an error".to_string()
        } else {
            text
        };
        return ScriptError::new(ErrorKind::Runtime, text);
    };
    let get = |k: &str| map.get(k).filter(|v| !v.is_unit()).map(|v| v.to_string());
    let message = get("message").unwrap_or_else(|| value.to_string());
    match (get("operation"), map.contains_key("status_code")) {
        (Some(operation), true) => {
            let status = map
                .get("status_code")
                .and_then(|v| v.as_int().ok())
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| *s > 0);
            let messages = map
                .get("errors")
                .and_then(|v| v.clone().try_cast::<rhai::Array>())
                .unwrap_or_default()
                .iter()
                .filter_map(|e| {
                    e.read_lock::<Map>()
                        .and_then(|m| m.get("message").map(|m| m.to_string()))
                })
                .collect();
            let mut e = ScriptError::new(ErrorKind::Api, message);
            e.api = Some(ApiFailure {
                operation,
                status,
                messages,
                trace_id: get("trace_id"),
            });
            e
        }
        (Some(_), false) if map.contains_key("key") => {
            ScriptError::new(ErrorKind::Argument, message)
        }
        _ => ScriptError::new(ErrorKind::Runtime, message),
    }
}

fn locate(pos: rhai::Position, source: &str, sources: &Sources) -> Option<Location> {
    let line = pos.line()?;
    Some(Location {
        file: sources.display(source),
        line,
        column: pos.position().unwrap_or(1),
        text: sources.line(source, line),
    })
}

/// Rhai's messages start with a capital; ours don't.
fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
