//! The playbook face: `policies::current()` (what `policy export` writes, as a map; `export` is a Rhai
//! keyword), `policies::plan(desired)` and `policies::apply(desired
//! or plan)`, on the same desired-state map a policy file holds (`#{ platforms, policies }`).

use super::error::Error;
use super::export::desired_of;
use super::plan::{PolicyPlan, SAVED_FORMAT};
use super::source::Source;
use super::tenant::Tenant;
use super::{Desired, apply};
use crate::engine::Context;
use crate::engine::convert::{from_json, to_json};
use crate::helper_catalogue::function;
use rhai::{Dynamic, Engine, EvalAltResult, Map, Module, NativeCallContext, Position};
use serde_json::Value;
use std::sync::Arc;

type RhaiResult = std::result::Result<Dynamic, Box<EvalAltResult>>;

/// How errors name a map a playbook passed.
const MAP_NAME: &str = "the desired-state map";

pub fn register(engine: &mut Engine, ctx: &Arc<Context>) {
    let mut module = Module::new();
    let c = ctx.clone();
    function("policies", "current").set_into_module(
        &mut module,
        move |native: NativeCallContext| {
            run(&native, || {
                let tenant = Tenant::load_policies(&c)?;
                Ok(desired_of(&tenant, None)?.to_value())
            })
        },
    );
    let c = ctx.clone();
    function("policies", "current").set_into_module(
        &mut module,
        move |native: NativeCallContext, platform: &str| {
            run(&native, || {
                let tenant = Tenant::load_policies(&c)?;
                Ok(desired_of(&tenant, Some(platform))?.to_value())
            })
        },
    );
    let c = ctx.clone();
    function("policies", "plan").set_into_module(
        &mut module,
        move |native: NativeCallContext, desired: Dynamic| {
            run(&native, || {
                let (desired, source) = read(&desired)?;
                let tenant = Tenant::load(&c)?;
                Ok(PolicyPlan::make(desired, &tenant, &source)?.to_json())
            })
        },
    );
    let c = ctx.clone();
    function("policies", "apply").set_into_module(
        &mut module,
        move |native: NativeCallContext, desired: Dynamic| {
            run(&native, || {
                let value = json_of(&desired)?;
                let source = Source::map(MAP_NAME);
                // A plan from `policies::plan` is applied only to the tenant it was made against.
                let plan = if value.get("format").and_then(Value::as_str) == Some(SAVED_FORMAT) {
                    PolicyPlan::saved(&value, "the plan")?
                } else {
                    let desired = Desired::from_value(&value, &source)?;
                    let tenant = Tenant::load(&c)?;
                    PolicyPlan::make(desired, &tenant, &source)?
                };
                let mut applied = apply(&c, &plan, &source)?.to_json();
                applied["applied"] = Value::Bool(true);
                Ok(applied)
            })
        },
    );
    function("policies", "settings").set_into_module(
        &mut module,
        |native: NativeCallContext, platform: &str| -> RhaiResult {
            let known = super::PLATFORMS
                .iter()
                .find(|p| p.eq_ignore_ascii_case(platform))
                .ok_or_else(|| {
                    thrown(
                        Error::input(format!(
                            "unknown platform `{platform}`: the platforms are {}{}",
                            super::PLATFORMS.join(", "),
                            super::hint(platform, super::PLATFORMS)
                        )),
                        native.call_position(),
                    )
                })?;
            Ok(super::SETTINGS
                .iter()
                .filter(|s| super::applies(s, known))
                .map(|s| Dynamic::from(s.to_string()))
                .collect::<rhai::Array>()
                .into())
        },
    );
    module.build_index();
    engine.register_static_module("policies", module.into());
}

fn json_of(value: &Dynamic) -> Result<Value, Error> {
    to_json(value).map_err(|e| Error::input(format!("{MAP_NAME}: {e}")))
}

fn read(value: &Dynamic) -> Result<(Desired, Source), Error> {
    let source = Source::map(MAP_NAME);
    let desired = Desired::from_value(&json_of(value)?, &source)?;
    Ok((desired, source))
}

/// Runs `f` and turns its error into what a playbook catches (API errors keep their map).
fn run(native: &NativeCallContext, f: impl FnOnce() -> Result<Value, Error>) -> RhaiResult {
    f().map(|v| from_json(&v))
        .map_err(|e| thrown(e, native.call_position()))
}

fn thrown(e: Error, pos: Position) -> Box<EvalAltResult> {
    if let Error::Api(api) = e {
        return api.into_rhai(pos);
    }
    let mut m = Map::new();
    m.insert("message".into(), Dynamic::from(e.to_string()));
    let kind = match &e {
        Error::Stale(_) => "stale",
        Error::Refused(_) => "refused",
        _ => "input",
    };
    m.insert("reason".into(), Dynamic::from(kind));
    if let Error::Refused(_) = e {
        m.insert("refused".into(), Dynamic::from(true));
    }
    Box::new(EvalAltResult::ErrorRuntime(Dynamic::from_map(m), pos))
}
