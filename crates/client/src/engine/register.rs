//! Registers the operation table as Rhai modules: one static module per collection, every operation under
//! each name a playbook may use, all served by the one generic caller.

use super::call::{Context, call_from_rhai};
use crate::ops::{self, Collection, Operation};
use rhai::{Dynamic, Engine, FuncRegistration, Module, NativeCallContext};
use std::sync::Arc;

/// The names an operation answers to in Rhai: its PEP 8 name, its operation id and FalconPy's id, where
/// each is a Rhai identifier (`RTR-ExecuteAdminCommand` is not; `RTR_ExecuteAdminCommand` is).
pub fn rhai_names(op: &Operation) -> Vec<&'static str> {
    let mut names = vec![op.name];
    for n in [op.id, op.falconpy_id] {
        if rhai::is_valid_identifier(n) && !names.contains(&n) {
            names.push(n);
        }
    }
    names
}

/// The scriptable collections, in table order.
pub fn collections() -> impl Iterator<Item = Collection> {
    Collection::ALL.into_iter().filter(|c| c.scriptable())
}

/// Finds the operation `module::name` names, by any of its Rhai names.
pub fn resolve(module: &str, name: &str) -> Option<&'static Operation> {
    let collection = Collection::from_module(module).filter(|c| c.scriptable())?;
    ops::in_collection(collection)
        .find(|op| collection.module() == module && rhai_names(op).contains(&name))
}

/// Adds a layer's helpers to a collection's module (`hosts::find`), before it is registered.
pub type CollectionHelpers = dyn Fn(Collection, &mut Module, &Arc<Context>);

pub fn register_operations(engine: &mut Engine, ctx: &Arc<Context>, helpers: &CollectionHelpers) {
    for collection in collections() {
        let mut module = operations_module(collection, ctx);
        helpers(collection, &mut module, ctx);
        module.build_index();
        engine.register_static_module(collection.module(), module.into());
    }
}

/// The module of one collection: every operation under each of its Rhai names, with and without an
/// argument map.
fn operations_module(collection: Collection, ctx: &Arc<Context>) -> Module {
    let mut module = Module::new();
    for op in ops::in_collection(collection) {
        let doc = doc_comment(op);
        for name in rhai_names(op) {
            let c = ctx.clone();
            // Volatile: the optimiser must never call an operation while compiling.
            FuncRegistration::new(name)
                .with_volatility(true)
                .with_purity(false)
                .with_comments([doc.as_str()])
                .with_params_info(["Map"])
                .set_into_module(&mut module, move |native: NativeCallContext| {
                    call_from_rhai(&c, op, &native, Dynamic::UNIT)
                });
            let c = ctx.clone();
            FuncRegistration::new(name)
                .with_volatility(true)
                .with_purity(false)
                .with_comments([doc.as_str()])
                .with_params_info(["args: Map", "Map"])
                .set_into_module(
                    &mut module,
                    move |native: NativeCallContext, args: Dynamic| {
                        call_from_rhai(&c, op, &native, args)
                    },
                );
        }
    }
    module
}

/// What an editor shows for an operation (`falconry defs`): its summary, request and arguments.
fn doc_comment(op: &Operation) -> String {
    // Every line of a summary gets its `///`: some summaries are paragraphs.
    let mut lines: Vec<String> = op
        .summary
        .trim()
        .lines()
        .map(|l| format!("/// {l}").trim_end().to_string())
        .collect();
    lines.push("///".into());
    lines.push(format!(
        "/// `{} {}` ({})",
        op.method.as_str(),
        op.path,
        op.id
    ));
    let keys = ops::request::allowed_keys(op);
    if !keys.is_empty() {
        lines.push(format!("/// args: #{{{}}}", keys.join(", ")));
    }
    if op.changes_state() {
        lines.push("/// changes the tenant (plan mode records it instead)".into());
    }
    lines.join("\n")
}
