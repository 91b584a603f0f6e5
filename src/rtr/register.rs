//! The Rhai face of the helpers: the `rtr` and `fs` modules, `hosts::find`/`find_all` beside the
//! generated `hosts` operations, and the `Session` and `Batch` types with their methods.
//! Every function is volatile: the optimiser must never run one while compiling.

use super::api::{Error, Result};
use super::batch::{Batch, BatchOptions};
use super::command;
use super::each::{self, DEFAULT_CONCURRENCY, MAX_CONCURRENCY};
use super::file;
use super::hosts;
use super::keepalive::Registry;
use super::options::{Options, device_ids};
use super::preflight;
use super::session::{self, Session, SessionOptions};
use crate::engine::convert::from_json;
use crate::engine::{Context, call_from_rhai, collections, rhai_names};
use crate::ops::{self, Collection};
use rhai::{
    Dynamic, Engine, EvalAltResult, FnPtr, FuncRegistration, Map, Module, NativeCallContext,
};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

type RhaiResult = std::result::Result<Dynamic, Box<EvalAltResult>>;

/// The helper functions by module, with their arities: for `falconry check`, REPL completion and docs.
pub const FUNCTIONS: &[(&str, &str, &[usize])] = &[
    ("hosts", "find", &[1]),
    ("hosts", "find_all", &[0, 1]),
    ("rtr", "session", &[1, 2]),
    ("rtr", "batch", &[1, 2]),
    ("rtr", "each", &[2, 3]),
    ("rtr", "preflight", &[2]),
    ("fs", "list", &[0, 1]),
    ("fs", "read", &[1]),
];

/// Methods of the `Session` and `Batch` values (name, arities), for the same readers.
pub const METHODS: &[(&str, &str, &[usize])] = &[
    ("Session", "run", &[1, 2]),
    ("Session", "get", &[1, 2]),
    ("Session", "put", &[1]),
    ("Session", "runscript", &[1, 2]),
    ("Session", "put_and_run", &[1]),
    ("Session", "cd", &[1]),
    ("Session", "pwd", &[0]),
    ("Session", "close", &[0]),
    ("Batch", "run", &[1]),
    ("Batch", "get", &[1]),
];


pub fn register(engine: &mut Engine, ctx: &Arc<Context>) {
    let registry = Arc::new(Registry::default());
    register_hosts(engine, ctx);
    register_rtr(engine, ctx, &registry);
    register_session(engine);
    register_batch(engine);
    register_fs(engine, ctx);
}

fn volatile(name: &str) -> FuncRegistration {
    FuncRegistration::new(name.to_string())
        .with_volatility(true)
        .with_purity(false)
}

fn to_rhai<T: Into<Value>>(native: &NativeCallContext, r: Result<T>) -> RhaiResult {
    r.map(|v| from_json(&v.into()))
        .map_err(|e| e.into_rhai(native.call_position()))
}

/// `hosts`: the generated operations (served by the generic caller, as in every other module) plus
/// `find` and `find_all`. Rhai keeps one module per name, so the overlay re-registers the operations.
fn register_hosts(engine: &mut Engine, ctx: &Arc<Context>) {
    let mut module = Module::new();
    if collections().any(|c| c == Collection::Hosts) {
        for op in ops::in_collection(Collection::Hosts) {
            for name in rhai_names(op) {
                let c = ctx.clone();
                volatile(name).set_into_module(&mut module, move |native: NativeCallContext| {
                    call_from_rhai(&c, op, &native, Dynamic::UNIT)
                });
                let c = ctx.clone();
                volatile(name).set_into_module(
                    &mut module,
                    move |native: NativeCallContext, args: Dynamic| {
                        call_from_rhai(&c, op, &native, args)
                    },
                );
            }
        }
    }
    let c = ctx.clone();
    volatile("find").set_into_module(&mut module, move |native: NativeCallContext, fql: &str| {
        to_rhai(&native, hosts::find(&c, fql))
    });
    let c = ctx.clone();
    volatile("find_all")
        .set_into_module(&mut module, move |native: NativeCallContext, fql: &str| {
            to_rhai(&native, hosts::find_all(&c, fql))
        });
    let c = ctx.clone();
    volatile("find_all").set_into_module(&mut module, move |native: NativeCallContext| {
        to_rhai(&native, hosts::find_all(&c, ""))
    });
    module.build_index();
    engine.register_static_module("hosts", module.into());
}

/// A device id, or a device record (`hosts::find(...)`) standing for its id.
fn device_id_of(value: &Dynamic, function: &str) -> Result<String> {
    if value.is_string() {
        return Ok(value.clone().into_string().unwrap_or_default());
    }
    if let Some(m) = value.read_lock::<Map>()
        && let Some(id) = m
            .get("device_id")
            .and_then(|d| d.clone().into_string().ok())
    {
        return Ok(id);
    }
    Err(Error::new(format!(
        "`{function}` takes a device id (or a device record), got {}",
        value.type_name()
    )))
}

fn open_session(
    ctx: &Arc<Context>,
    registry: &Arc<Registry>,
    device: &Dynamic,
    opts: &Dynamic,
) -> Result<Session> {
    let id = device_id_of(device, "rtr::session")?;
    let opts = SessionOptions::parse(opts, "rtr::session")?;
    let host = hosts::details(ctx, std::slice::from_ref(&id))?
        .pop()
        .ok_or_else(|| Error::new(format!("device `{id}` not found")))?;
    Session::open(ctx, registry, host, opts)
}

fn register_rtr(engine: &mut Engine, ctx: &Arc<Context>, registry: &Arc<Registry>) {
    let mut module = Module::new();
    for arity in [1, 2] {
        let (c, r) = (ctx.clone(), registry.clone());
        let f = move |native: NativeCallContext, device: Dynamic, opts: Dynamic| {
            open_session(&c, &r, &device, &opts)
                .map(Dynamic::from)
                .map_err(|e| e.into_rhai(native.call_position()))
        };
        if arity == 1 {
            volatile("session").set_into_module(
                &mut module,
                move |native: NativeCallContext, device: Dynamic| f(native, device, Dynamic::UNIT),
            );
        } else {
            volatile("session").set_into_module(&mut module, f);
        }
        let (c, r) = (ctx.clone(), registry.clone());
        let b = move |native: NativeCallContext, ids: Dynamic, opts: Dynamic| {
            device_ids(&ids, "rtr::batch")
                .and_then(|ids| Ok((ids, BatchOptions::parse(&opts)?)))
                .and_then(|(ids, opts)| Batch::open(&c, &r, &ids, opts))
                .map(Dynamic::from)
                .map_err(|e| e.into_rhai(native.call_position()))
        };
        if arity == 1 {
            volatile("batch").set_into_module(
                &mut module,
                move |native: NativeCallContext, ids: Dynamic| b(native, ids, Dynamic::UNIT),
            );
        } else {
            volatile("batch").set_into_module(&mut module, b);
        }
    }
    for arity in [2, 3] {
        let (c, r) = (ctx.clone(), registry.clone());
        let f =
            move |native: NativeCallContext, ids: Dynamic, f: FnPtr, opts: Dynamic| -> RhaiResult {
                let pos = native.call_position();
                let parsed = device_ids(&ids, "rtr::each").and_then(|ids| {
                    let mut keys: Vec<&str> = session::OPTION_KEYS.to_vec();
                    keys.push("concurrency");
                    let o = Options::parse(&opts, "rtr::each", &keys)?;
                    let concurrency =
                        o.count("concurrency", DEFAULT_CONCURRENCY, 1..=MAX_CONCURRENCY)?;
                    // The session options are the same keys without `concurrency`.
                    let mut rest = opts
                        .read_lock::<Map>()
                        .map(|m| m.clone())
                        .unwrap_or_default();
                    rest.remove("concurrency");
                    let session_opts =
                        SessionOptions::parse(&Dynamic::from_map(rest), "rtr::each")?;
                    Ok((ids, concurrency, session_opts))
                });
                let (ids, concurrency, session_opts) = parsed.map_err(|e| e.into_rhai(pos))?;
                each::each(&native, &c, &r, &ids, &f, concurrency, &session_opts)
                    .map(Dynamic::from_map)
            };
        if arity == 2 {
            volatile("each").set_into_module(
                &mut module,
                move |native: NativeCallContext, ids: Dynamic, g: FnPtr| {
                    f(native, ids, g, Dynamic::UNIT)
                },
            );
        } else {
            volatile("each").set_into_module(&mut module, f);
        }
    }
    let c = ctx.clone();
    volatile("preflight").set_into_module(
        &mut module,
        move |native: NativeCallContext, ids: Dynamic, command: &str| {
            let r = device_ids(&ids, "rtr::preflight")
                .and_then(|ids| preflight::preflight(&c, &ids, command));
            to_rhai(&native, r)
        },
    );
    module.build_index();
    engine.register_static_module("rtr", module.into());
}

/// `#{timeout}` of one command, defaulting to the session's.
fn command_timeout(s: &Session, opts: &Dynamic, function: &'static str) -> Result<Duration> {
    Options::parse(opts, function, &["timeout"])?.secs(
        "timeout",
        s.0.opts.timeout,
        Duration::from_millis(1),
    )
}

/// Quotes a path with spaces the way RTR expects.
fn quoted(path: &str) -> String {
    if path.contains(char::is_whitespace) && !path.starts_with('"') {
        format!("\"{path}\"")
    } else {
        path.to_string()
    }
}

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
        return Err(Error::new(format!(
            "`{line}` on host {}: {}",
            host.label(),
            stderr.trim()
        ))
        .with("device_id", host.device_id.clone())
        .with("hostname", host.hostname.clone())
        .with("stderr", stderr.to_string()));
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

fn register_session(engine: &mut Engine) {
    engine.register_type_with_name::<Session>("Session");
    let run = |native: NativeCallContext, s: &mut Session, cmd: &str, opts: Dynamic| {
        let r = command_timeout(s, &opts, "run").and_then(|t| command::run(s, cmd, t));
        to_rhai(&native, r)
    };
    volatile("run").register_into_engine(engine, run);
    volatile("run").register_into_engine(
        engine,
        move |native: NativeCallContext, s: &mut Session, cmd: &str| {
            run(native, s, cmd, Dynamic::UNIT)
        },
    );
    let get = |native: NativeCallContext, s: &mut Session, path: &str, opts: Dynamic| {
        let r = command_timeout(s, &opts, "get").and_then(|t| session_get(s, path, t));
        to_rhai(&native, r)
    };
    volatile("get").register_into_engine(engine, get);
    volatile("get").register_into_engine(
        engine,
        move |native: NativeCallContext, s: &mut Session, path: &str| {
            get(native, s, path, Dynamic::UNIT)
        },
    );
    volatile("put").register_into_engine(
        engine,
        |native: NativeCallContext, s: &mut Session, name: &str| {
            let t = s.0.opts.timeout;
            to_rhai(
                &native,
                command::run(s, &format!("put {}", quoted(name)), t),
            )
        },
    );
    volatile("put_and_run").register_into_engine(
        engine,
        |native: NativeCallContext, s: &mut Session, name: &str| {
            let t = s.0.opts.timeout;
            to_rhai(
                &native,
                command::run(s, &format!("put-and-run {}", quoted(name)), t),
            )
        },
    );
    volatile("runscript").register_into_engine(
        engine,
        |native: NativeCallContext, s: &mut Session, name: &str, args: &str| {
            let t = s.0.opts.timeout;
            to_rhai(&native, command::run(s, &runscript_line(name, args), t))
        },
    );
    volatile("runscript").register_into_engine(
        engine,
        |native: NativeCallContext, s: &mut Session, name: &str| {
            let t = s.0.opts.timeout;
            to_rhai(&native, command::run(s, &runscript_line(name, ""), t))
        },
    );
    volatile("cd").register_into_engine(
        engine,
        |native: NativeCallContext, s: &mut Session, path: &str| {
            let t = s.0.opts.timeout;
            to_rhai(&native, command::run(s, &format!("cd {}", quoted(path)), t))
        },
    );
    volatile("pwd").register_into_engine(engine, |native: NativeCallContext, s: &mut Session| {
        let t = s.0.opts.timeout;
        let r = command::run(s, "pwd", t)
            .map(|v| Value::String(v["stdout"].as_str().unwrap_or_default().trim().to_string()));
        to_rhai(&native, r)
    });
    volatile("close").register_into_engine(engine, |s: &mut Session| s.close());
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

fn register_batch(engine: &mut Engine) {
    engine.register_type_with_name::<Batch>("Batch");
    volatile("run").register_into_engine(
        engine,
        |native: NativeCallContext, b: &mut Batch, cmd: &str| to_rhai(&native, b.run(cmd)),
    );
    volatile("get").register_into_engine(
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

fn register_fs(engine: &mut Engine, ctx: &Arc<Context>) {
    let mut module = Module::new();
    let base = ctx.base_dir.clone();
    volatile("list").set_into_module(&mut module, move |native: NativeCallContext, dir: &str| {
        super::fs::list(&base, dir)
            .map(Dynamic::from_array)
            .map_err(|e| e.into_rhai(native.call_position()))
    });
    let base = ctx.base_dir.clone();
    volatile("list").set_into_module(&mut module, move |native: NativeCallContext| {
        super::fs::list(&base, ".")
            .map(Dynamic::from_array)
            .map_err(|e| e.into_rhai(native.call_position()))
    });
    let base = ctx.base_dir.clone();
    volatile("read").set_into_module(&mut module, move |native: NativeCallContext, path: &str| {
        super::fs::read(&base, path)
            .map(Dynamic::from)
            .map_err(|e| e.into_rhai(native.call_position()))
    });
    module.build_index();
    engine.register_static_module("fs", module.into());
}
