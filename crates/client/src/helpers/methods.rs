//! The methods of the `Session` and `Batch` values: `s.run(cmd)`, `s.get(path)`, `s.put(name)`,
//! `s.runscript(name, args)`, `s.put_and_run(name)`, `s.cd(path)`, `s.pwd()`, `s.kill(p)`, `b.run(cmd)`,
//! `b.get(path)`.

use super::caller::{Error, Result, to_rhai};
use super::options::Options;
use crate::engine::convert::from_json;
use crate::helper_catalogue::{COMMAND_OPTIONS, method};
use crate::rtr::batch::Batch;
use crate::rtr::command;
use crate::rtr::file;
use crate::rtr::session::Session;
use rhai::{Dynamic, Engine, NativeCallContext};
use serde_json::Value;
use std::time::Duration;

/// `#{timeout}` of one command, defaulting to the session's.
fn command_timeout(s: &Session, opts: &Dynamic, function: &'static str) -> Result<Duration> {
    Options::parse(opts, function, COMMAND_OPTIONS)?.secs(
        "timeout",
        s.0.opts.timeout,
        Duration::from_millis(1),
    )
}

use command::quote_path as quoted;

fn session_get(s: &Session, path: &str, timeout: Duration) -> Result<Value> {
    let line = format!("get {}", quoted(path));
    let r = command::run(s, &line, timeout)?;
    let host = s.host();
    if r.get("queued").and_then(Value::as_bool).unwrap_or(false) {
        return Err(Error::new(format!(
            "`{line}` was queued: host {} is offline, the file can be fetched once it returns",
            host.label()
        ))
        .with("cloud_request_id", r["cloud_request_id"].clone()));
    }
    let stderr = r["stderr"].as_str().unwrap_or_default();
    if !stderr.is_empty() {
        return Err(crate::rtr::kill::failed(s, &line, stderr));
    }
    let request_id = r["cloud_request_id"].as_str().unwrap_or_default();
    let extracted = file::wait_listed(s.ctx(), &s.id(), request_id, path, timeout)
        .map_err(|e| e.context(format!("host {}", host.label())))?;
    let folder = if host.hostname.is_empty() {
        &host.device_id
    } else {
        &host.hostname
    };
    let mut v = file::fetch(s.ctx(), folder, &extracted)?;
    v["device_id"] = Value::String(host.device_id.clone());
    v["hostname"] = Value::String(host.hostname.clone());
    v["cloud_request_id"] = Value::String(request_id.to_string());
    Ok(v)
}

fn runscript_line(name: &str, args: &str) -> String {
    let mut line = format!("runscript -CloudFile=\"{name}\"");
    if !args.is_empty() {
        if args.contains('"') {
            line.push_str(&format!(" -CommandLine=```{args}```"));
        } else {
            line.push_str(&format!(" -CommandLine=\"{args}\""));
        }
    }
    line
}

/// `runscript -Raw=```text````: the script goes between RTR's triple backticks as it is, so a playbook
/// writes it in a Rhai backtick string (no escapes: `C:\Users` stays one backslash) or reads it from a
/// file (`fs::read("fix.ps1")`). Text that itself holds ```` ``` ```` would end the block early.
fn runscript_raw_line(text: &str) -> Result<String> {
    if text.contains("```") {
        return Err(Error::new(
            "`s.runscript_raw`: the script holds ```, which would end RTR's -Raw=```...``` block early; \
             put the script in the library and use s.runscript(name)",
        ));
    }
    if text.trim().is_empty() {
        return Err(Error::new("`s.runscript_raw`: the script is empty"));
    }
    Ok(format!("runscript -Raw=```{text}```"))
}

pub fn register_session(engine: &mut Engine) {
    engine.register_type_with_name::<Session>("Session");
    let run = |native: NativeCallContext, s: &mut Session, cmd: &str, opts: Dynamic| {
        let r = command_timeout(s, &opts, "run").and_then(|t| command::run(s, cmd, t));
        to_rhai(&native, r)
    };
    method("Session", "run").register_into_engine(engine, run);
    method("Session", "run").register_into_engine(
        engine,
        move |native: NativeCallContext, s: &mut Session, cmd: &str| {
            run(native, s, cmd, Dynamic::UNIT)
        },
    );
    let get = |native: NativeCallContext, s: &mut Session, path: &str, opts: Dynamic| {
        let r = command_timeout(s, &opts, "get").and_then(|t| session_get(s, path, t));
        to_rhai(&native, r)
    };
    method("Session", "get").register_into_engine(engine, get);
    method("Session", "get").register_into_engine(
        engine,
        move |native: NativeCallContext, s: &mut Session, path: &str| {
            get(native, s, path, Dynamic::UNIT)
        },
    );
    method("Session", "put").register_into_engine(
        engine,
        |native: NativeCallContext, s: &mut Session, name: &str| {
            let t = s.0.opts.timeout;
            to_rhai(
                &native,
                command::run(s, &format!("put {}", quoted(name)), t),
            )
        },
    );
    method("Session", "put_and_run").register_into_engine(
        engine,
        |native: NativeCallContext, s: &mut Session, name: &str| {
            let t = s.0.opts.timeout;
            to_rhai(
                &native,
                command::run(s, &format!("put-and-run {}", quoted(name)), t),
            )
        },
    );
    method("Session", "runscript").register_into_engine(
        engine,
        |native: NativeCallContext, s: &mut Session, name: &str, args: &str| {
            let t = s.0.opts.timeout;
            to_rhai(&native, command::run(s, &runscript_line(name, args), t))
        },
    );
    method("Session", "runscript").register_into_engine(
        engine,
        |native: NativeCallContext, s: &mut Session, name: &str| {
            let t = s.0.opts.timeout;
            to_rhai(&native, command::run(s, &runscript_line(name, ""), t))
        },
    );
    let raw = |native: NativeCallContext, s: &mut Session, text: &str, opts: Dynamic| {
        let r = command_timeout(s, &opts, "runscript_raw")
            .and_then(|t| command::run(s, &runscript_raw_line(text)?, t));
        to_rhai(&native, r)
    };
    method("Session", "runscript_raw").register_into_engine(engine, raw);
    method("Session", "runscript_raw").register_into_engine(
        engine,
        move |native: NativeCallContext, s: &mut Session, text: &str| {
            raw(native, s, text, Dynamic::UNIT)
        },
    );
    method("Session", "cd").register_into_engine(
        engine,
        |native: NativeCallContext, s: &mut Session, path: &str| {
            let t = s.0.opts.timeout;
            to_rhai(&native, command::run(s, &format!("cd {}", quoted(path)), t))
        },
    );
    method("Session", "pwd").register_into_engine(
        engine,
        |native: NativeCallContext, s: &mut Session| {
            let t = s.0.opts.timeout;
            let r = command::run(s, "pwd", t).map(|v| {
                Value::String(v["stdout"].as_str().unwrap_or_default().trim().to_string())
            });
            to_rhai(&native, r)
        },
    );
    method("Session", "kill").register_into_engine(
        engine,
        |native: NativeCallContext, s: &mut Session, p: rhai::Map| {
            let t = s.0.opts.timeout;
            let r = crate::engine::convert::map_to_json(&p)
                .map_err(Error::new)
                .and_then(|m| crate::rtr::kill::kill(s, &Value::Object(m), t));
            to_rhai(&native, r)
        },
    );
    method("Session", "close").register_into_engine(engine, |s: &mut Session| s.close());
    engine.register_get("device_id", |s: &mut Session| s.host().device_id.clone());
    engine.register_get("hostname", |s: &mut Session| s.host().hostname.clone());
    engine.register_get("platform", |s: &mut Session| s.host().platform.clone());
    engine.register_get("session_id", |s: &mut Session| s.id());
    engine.register_get("host", |s: &mut Session| from_json(&s.host().record));
    engine.register_fn("to_string", |s: &mut Session| {
        format!("Session({}, {})", s.host().hostname, s.id())
    });
    engine.register_fn("to_debug", |s: &mut Session| {
        format!("Session({}, {})", s.host().hostname, s.id())
    });
}

pub fn register_batch(engine: &mut Engine) {
    engine.register_type_with_name::<Batch>("Batch");
    method("Batch", "run").register_into_engine(
        engine,
        |native: NativeCallContext, b: &mut Batch, cmd: &str| {
            b.run(cmd).map_err(|e| e.into_rhai(native.call_position()))
        },
    );
    method("Batch", "get").register_into_engine(
        engine,
        |native: NativeCallContext, b: &mut Batch, path: &str| to_rhai(&native, b.get(path)),
    );
    engine.register_get("batch_id", |b: &mut Batch| b.0.batch_id.clone());
    engine.register_get("device_ids", |b: &mut Batch| -> rhai::Array {
        b.0.hosts
            .iter()
            .map(|h| Dynamic::from(h.device_id.clone()))
            .collect()
    });
    engine.register_get("sessions", |b: &mut Batch| from_json(&b.sessions()));
    engine.register_get("failed", |b: &mut Batch| {
        from_json(&Value::Object(b.0.failed.clone()))
    });
    engine.register_fn("to_string", |b: &mut Batch| {
        format!("Batch({}, {} hosts)", b.0.batch_id, b.0.hosts.len())
    });
    engine.register_fn("to_debug", |b: &mut Batch| {
        format!("Batch({}, {} hosts)", b.0.batch_id, b.0.hosts.len())
    });
}
