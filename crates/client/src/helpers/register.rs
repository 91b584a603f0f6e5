//! The Rhai face of the helpers: the `rtr` and `fs` modules and `hosts::find`/`find_all` beside the
//! generated `hosts` operations (the `Session` and `Batch` methods are in `methods`).
//! Every function is declared in `helper_catalogue` and registered through it (volatile: the optimiser must
//! never run one while compiling).

use super::caller::{Error, Result, to_rhai, to_rhai_with};
use super::hosts;
use super::options::{Options, device_ids};
use crate::engine::Context;
use crate::helper_catalogue::{EACH_OPTIONS, function};
use crate::ops::Collection;
use crate::rtr::batch::{Batch, BatchOptions};
use crate::rtr::each::{self, DEFAULT_CONCURRENCY, MAX_CONCURRENCY};
use crate::rtr::keepalive::Registry;
use crate::rtr::preflight;
use crate::rtr::queued;
use crate::rtr::session::{Session, SessionOptions};
use rhai::{Dynamic, Engine, EvalAltResult, FnPtr, Map, Module, NativeCallContext};
use std::sync::Arc;

type RhaiResult = std::result::Result<Dynamic, Box<EvalAltResult>>;

pub fn register(engine: &mut Engine, ctx: &Arc<Context>) {
    let registry = Arc::new(Registry::default());
    register_rtr(engine, ctx, &registry);
    super::methods::register_session(engine);
    super::methods::register_batch(engine);
    register_fs(engine, ctx);
    crate::policies::register(engine, ctx);
    crate::engine::register_text(engine);
}

/// What the helpers add to a collection's module: `hosts::find` and `hosts::find_all`, beside the
/// generated `hosts` operations (served by the generic caller, as in every other module).
pub(crate) fn collection_helpers(collection: Collection, module: &mut Module, ctx: &Arc<Context>) {
    if collection != Collection::Hosts {
        return;
    }
    let c = ctx.clone();
    function("hosts", "find")
        .set_into_module(module, move |native: NativeCallContext, fql: &str| {
            to_rhai(&native, hosts::find(&c, fql))
        });
    let c = ctx.clone();
    function("hosts", "find_all").set_into_module(
        module,
        move |native: NativeCallContext, fql: &str| {
            to_rhai_with(&native, hosts::find_all(&c, fql), records)
        },
    );
    let c = ctx.clone();
    function("hosts", "find_all").set_into_module(module, move |native: NativeCallContext| {
        to_rhai_with(&native, hosts::find_all(&c, ""), records)
    });
}

/// The hosts' device records as the playbook reads them, converted from the records the
/// recent-hosts cache shares, not from copies.
fn records(hosts: Vec<hosts::HostInfo>) -> Dynamic {
    Dynamic::from_array(
        hosts
            .iter()
            .map(|h| crate::engine::convert::from_json(&h.record))
            .collect(),
    )
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
    // Each helper is one closure taking every argument; the shorter arities pass unit options.
    let (c, r) = (ctx.clone(), registry.clone());
    let session = move |native: NativeCallContext, device: Dynamic, opts: Dynamic| {
        open_session(&c, &r, &device, &opts)
            .map(Dynamic::from)
            .map_err(|e| e.into_rhai(native.call_position()))
    };
    let s = session.clone();
    function("rtr", "session").set_into_module(
        &mut module,
        move |native: NativeCallContext, device: Dynamic| s(native, device, Dynamic::UNIT),
    );
    function("rtr", "session").set_into_module(&mut module, session);
    let (c, r) = (ctx.clone(), registry.clone());
    let batch = move |native: NativeCallContext, ids: Dynamic, opts: Dynamic| {
        device_ids(&ids, "rtr::batch")
            .and_then(|ids| Ok((ids, BatchOptions::parse(&opts)?)))
            .and_then(|(ids, opts)| Batch::open(&c, &r, &ids, opts))
            .map(Dynamic::from)
            .map_err(|e| e.into_rhai(native.call_position()))
    };
    let b = batch.clone();
    function("rtr", "batch").set_into_module(
        &mut module,
        move |native: NativeCallContext, ids: Dynamic| b(native, ids, Dynamic::UNIT),
    );
    function("rtr", "batch").set_into_module(&mut module, batch);
    let (c, r) = (ctx.clone(), registry.clone());
    let each =
        move |native: NativeCallContext, ids: Dynamic, f: FnPtr, opts: Dynamic| -> RhaiResult {
            let pos = native.call_position();
            let parsed = device_ids(&ids, "rtr::each").and_then(|ids| {
                let o = Options::parse(&opts, "rtr::each", EACH_OPTIONS)?;
                let concurrency =
                    o.count("concurrency", DEFAULT_CONCURRENCY, 1..=MAX_CONCURRENCY)?;
                // The session options are the same keys without `concurrency`.
                let mut rest = opts
                    .read_lock::<Map>()
                    .map(|m| m.clone())
                    .unwrap_or_default();
                rest.remove("concurrency");
                let session_opts = SessionOptions::parse(&Dynamic::from_map(rest), "rtr::each")?;
                Ok((ids, concurrency, session_opts))
            });
            let (ids, concurrency, session_opts) = parsed.map_err(|e| e.into_rhai(pos))?;
            each::each(&native, &c, &r, &ids, &f, concurrency, &session_opts).map(Dynamic::from_map)
        };
    let e = each.clone();
    function("rtr", "each").set_into_module(
        &mut module,
        move |native: NativeCallContext, ids: Dynamic, g: FnPtr| e(native, ids, g, Dynamic::UNIT),
    );
    function("rtr", "each").set_into_module(&mut module, each);
    let c = ctx.clone();
    function("rtr", "preflight").set_into_module(
        &mut module,
        move |native: NativeCallContext, ids: Dynamic, command: &str| {
            let r = device_ids(&ids, "rtr::preflight")
                .and_then(|ids| preflight::preflight(&c, &ids, command));
            to_rhai(&native, r)
        },
    );
    let (c, r) = (ctx.clone(), registry.clone());
    let queued = move |native: NativeCallContext, items: Option<&Dynamic>, opts: &Dynamic| {
        to_rhai(&native, queued::collect(&c, &r.queued, items, opts))
    };
    let q = queued.clone();
    function("rtr", "queued").set_into_module(&mut module, move |native: NativeCallContext| {
        q(native, None, &Dynamic::UNIT)
    });
    let q = queued.clone();
    function("rtr", "queued").set_into_module(
        &mut module,
        move |native: NativeCallContext, items: Dynamic| q(native, Some(&items), &Dynamic::UNIT),
    );
    function("rtr", "queued").set_into_module(
        &mut module,
        move |native: NativeCallContext, items: Dynamic, opts: Dynamic| {
            queued(native, Some(&items), &opts)
        },
    );
    module.build_index();
    engine.register_static_module("rtr", module.into());
}

fn register_fs(engine: &mut Engine, ctx: &Arc<Context>) {
    let mut module = Module::new();
    let base = ctx.base_dir.clone();
    let list = move |native: NativeCallContext, dir: &str| {
        super::fs::list(&base, dir)
            .map(Dynamic::from_array)
            .map_err(|e| e.into_rhai(native.call_position()))
    };
    let l = list.clone();
    function("fs", "list")
        .set_into_module(&mut module, move |native: NativeCallContext| l(native, "."));
    function("fs", "list").set_into_module(&mut module, list);
    let base = ctx.base_dir.clone();
    function("fs", "read").set_into_module(
        &mut module,
        move |native: NativeCallContext, path: &str| {
            super::fs::read(&base, path)
                .map(Dynamic::from)
                .map_err(|e| e.into_rhai(native.call_position()))
        },
    );
    module.build_index();
    engine.register_static_module("fs", module.into());
}

/// The catalogue's promise, checked where the helpers are registered.
#[cfg(test)]
mod catalogue_tests {
    use crate::engine::{Offline, Options};
    use crate::helper_catalogue::FUNCTIONS;
    use std::sync::Arc;

    /// Every declared function exists at every declared arity: some combination of argument types
    /// (a string, a function pointer, unit) reaches it; it may then fail, but never with "function not
    /// found". The backend is offline, so nothing is sent.
    #[test]
    fn every_declared_function_is_registered_at_every_arity() {
        let runtime = crate::helpers::runtime(
            Arc::new(Offline),
            &Options::default(),
            crate::engine::Cancel::new(),
        );
        const VALUES: [&str; 3] = ["\"\"", "Fn(\"f\")", "()"];
        for h in FUNCTIONS {
            let (module, name) = (h.owner, h.name);
            for &n in h.arities {
                let found = (0..VALUES.len().pow(n as u32)).any(|mut combo| {
                    let args: Vec<&str> = (0..n)
                        .map(|_| {
                            let v = VALUES[combo % VALUES.len()];
                            combo /= VALUES.len();
                            v
                        })
                        .collect();
                    let script = format!("fn f(x) {{ x }} {module}::{name}({})", args.join(", "));
                    match runtime.engine().eval::<rhai::Dynamic>(&script) {
                        Ok(_) => true,
                        Err(e) => !matches!(*e, rhai::EvalAltResult::ErrorFunctionNotFound(..)),
                    }
                });
                assert!(
                    found,
                    "`{module}::{name}` is declared with {n} arguments but not registered so"
                );
            }
        }
    }
}
