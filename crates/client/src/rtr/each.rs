//! `rtr::each(device_ids, |s| { ... }, #{concurrency, ...})`: the closure runs once per host on a
//! session of its own, on a bounded pool of threads. The answer maps each device id to the closure's
//! value, or to `#{error, device_id, hostname}` when that host failed: one failure stops no other host.
//! Request pacing is the HTTP client's (it follows the rate-limit headers), shared by all workers.
//!
//! The closure runs on several threads at once: it should return what it found rather than change
//! variables it captured (Rhai reports a data race when two hosts write the same captured value).
//!
//! Stopped part-way (Ctrl-C, the time limit), it starts no further host, sends nothing again, and hands
//! the answer as far as it got to the cancel flag (the REPL keeps it): the hosts that answered with
//! their values, the others as failures saying whether they were interrupted or never started.

use super::keepalive::Registry;
use super::session::{Session, SessionOptions};
use crate::engine::Context;
use crate::engine::Gathered;
use crate::helpers::hosts::{self, HostInfo};
use crate::helpers::progress::Progress;
use rhai::{Dynamic, EvalAltResult, FnPtr, Map, NativeCallContext};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub const DEFAULT_CONCURRENCY: usize = 8;
pub const MAX_CONCURRENCY: usize = 64;
/// Worker threads evaluate script code: give them the script thread's headroom for deep calls.
const WORKER_STACK: usize = 64 * 1024 * 1024;

pub fn each(
    native: &NativeCallContext,
    ctx: &Arc<Context>,
    registry: &Arc<Registry>,
    ids: &[String],
    f: &FnPtr,
    concurrency: usize,
    opts: &SessionOptions,
) -> std::result::Result<Map, Box<EvalAltResult>> {
    let pos = native.call_position();
    let known = hosts::lookup(ctx, ids).map_err(|e| e.into_rhai(pos))?;
    let slots: Vec<Mutex<Option<Dynamic>>> = ids.iter().map(|_| Mutex::new(None)).collect();
    // Hosts a worker took: one without a value in its slot was interrupted, not left unstarted.
    let began: Vec<AtomicBool> = ids.iter().map(|_| AtomicBool::new(false)).collect();
    let next = AtomicUsize::new(0);
    let progress = Progress::new("rtr::each", ids.len());
    let stopped: Mutex<Option<Box<EvalAltResult>>> = Mutex::new(None);
    let workers = concurrency.clamp(1, MAX_CONCURRENCY).min(ids.len().max(1));
    // With a case: hosts finished in an earlier run of it are not done again.
    let journal = crate::engine::case::Fanout::begin(ctx);
    std::thread::scope(|scope| {
        for n in 0..workers {
            let work = || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= ids.len() || ctx.cancel.is_set() {
                    return;
                }
                began[i].store(true, Ordering::SeqCst);
                let id = &ids[i];
                if let Some(done) = journal.as_ref().and_then(|j| j.done(id)) {
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(done);
                    }
                    progress.done(id, true);
                    continue;
                }
                let _scope = journal.as_ref().map(|j| j.enter(id));
                let (value, ok, host_label) = match known.get(id) {
                    None => (
                        failure(id, "", &format!("device `{id}` not found")),
                        false,
                        id.clone(),
                    ),
                    Some(host) => match one_host(native, ctx, registry, host, f, opts) {
                        Ok(v) => (v, true, host.hostname.clone()),
                        Err(Stop::Host(message)) => (
                            failure(id, &host.hostname, &message),
                            false,
                            host.hostname.clone(),
                        ),
                        Err(Stop::Run(e)) => {
                            if let Ok(mut s) = stopped.lock() {
                                s.get_or_insert(e);
                            }
                            return;
                        }
                    },
                };
                if let Some(j) = &journal {
                    let journaled = if ok {
                        j.finish(id, &value)
                    } else {
                        j.failed(id, &host_label, &message_of_failure(&value));
                        Ok(())
                    };
                    if let Err(e) = journaled {
                        // Without its journal line a resumed run would do the host again: stop here.
                        if let Ok(mut s) = stopped.lock() {
                            s.get_or_insert(
                                crate::helpers::caller::Error::new(format!(
                                    "the case journal cannot be written: {e}"
                                ))
                                .into_rhai(pos),
                            );
                        }
                        return;
                    }
                }
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = Some(value);
                }
                progress.done(&host_label, ok);
            };
            let spawned = std::thread::Builder::new()
                .name(format!("falconry-each-{n}"))
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, work);
            if spawned.is_err() && n == 0 {
                // No thread at all: do the work here rather than not at all.
                work();
            }
        }
    });
    progress.finish();
    let stop = stopped.into_inner().ok().flatten();
    if ctx.cancel.is_set() {
        let (value, answered) = answer(ids, &known, slots, &began);
        ctx.cancel.hand_over(Gathered {
            value: Dynamic::from_map(value),
            answered,
            total: ids.len(),
        });
        return Err(stop.unwrap_or_else(|| crate::helpers::caller::stopped(ctx).into_rhai(pos)));
    }
    if let Some(e) = stop {
        return Err(e);
    }
    Ok(answer(ids, &known, slots, &began).0)
}

/// Device id -> the host's value, or (stopped part-way) a failure naming the host: interrupted (it had
/// started, so a command it sent may have run there) or never started. With how many hosts answered.
fn answer(
    ids: &[String],
    known: &HashMap<String, HostInfo>,
    slots: Vec<Mutex<Option<Dynamic>>>,
    began: &[AtomicBool],
) -> (Map, usize) {
    let mut out = Map::new();
    let mut answered = 0;
    for ((id, slot), began) in ids.iter().zip(slots).zip(began) {
        let hostname = known.get(id).map_or("", |h| h.hostname.as_str());
        let value = slot.into_inner().ok().flatten();
        answered += usize::from(value.is_some());
        let value = value.unwrap_or_else(|| {
            // Only a stopped fan-out leaves a slot empty.
            let why = if began.load(Ordering::SeqCst) {
                "interrupted before it answered: a command it sent may have run on the host; nothing was sent again"
            } else {
                "not run: the fan-out was stopped before this host started"
            };
            failure(id, hostname, why)
        });
        out.insert(id.as_str().into(), value);
    }
    (out, answered)
}

enum Stop {
    /// This host failed; the others carry on.
    Host(String),
    /// The run was stopped (time limit, Ctrl-C): every worker stops.
    Run(Box<EvalAltResult>),
}

fn one_host(
    native: &NativeCallContext,
    ctx: &Arc<Context>,
    registry: &Arc<Registry>,
    host: &HostInfo,
    f: &FnPtr,
    opts: &SessionOptions,
) -> std::result::Result<Dynamic, Stop> {
    let session = Session::open(ctx, registry, host.clone(), opts.clone()).map_err(|e| {
        if e.is_cancelled() {
            Stop::Run(e.into_rhai(native.call_position()))
        } else {
            Stop::Host(e.message)
        }
    })?;
    let result = f.call_within_context::<Dynamic>(native, (Dynamic::from(session.clone()),));
    // Closed here, not whenever the last clone goes: the worker's next host needs the slot.
    session.close();
    match result {
        Ok(v) => Ok(v),
        Err(e) => match *e {
            EvalAltResult::ErrorTerminated(..) => Err(Stop::Run(e)),
            ref other => Err(Stop::Host(message_of(other))),
        },
    }
}

/// The text of a script error: the thrown map's `message`, or the error itself.
fn message_of(e: &EvalAltResult) -> String {
    match e {
        EvalAltResult::ErrorRuntime(v, _) => match v.read_lock::<Map>() {
            Some(m) => m
                .get("message")
                .map(ToString::to_string)
                .unwrap_or_else(|| v.to_string()),
            None => v.to_string(),
        },
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => message_of(inner),
        other => other.to_string(),
    }
}

/// The `error` text of a [`failure`] value.
fn message_of_failure(v: &Dynamic) -> String {
    v.read_lock::<Map>()
        .and_then(|m| m.get("error").map(ToString::to_string))
        .unwrap_or_default()
}

fn failure(device_id: &str, hostname: &str, message: &str) -> Dynamic {
    let mut m = Map::new();
    m.insert("error".into(), Dynamic::from(message.to_string()));
    m.insert("device_id".into(), Dynamic::from(device_id.to_string()));
    m.insert("hostname".into(), Dynamic::from(hostname.to_string()));
    Dynamic::from_map(m)
}
