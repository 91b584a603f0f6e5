//! `falconry ops`: every scriptable operation with its parameters, read from the operation table.

use super::arguments::OpsArgs;
use super::error::Error;
use crate::engine::{collections, rhai_names};
use crate::ops::Collection;
use crate::ops::{self, Effect, Location, Operation, Param, Type};
use serde_json::{Value, json};
use std::fmt::Write;

pub struct OpsConfig {
    pub collection: Option<Collection>,
    pub json: bool,
    /// List the playbook helpers, their methods and the built-in library instead.
    pub helpers: bool,
}

impl OpsConfig {
    pub(super) fn new(a: OpsArgs) -> Result<OpsConfig, Error> {
        let collection = match a.collection {
            None => None,
            Some(name) => Some(
                Collection::from_module(&name)
                    .filter(|c| c.scriptable())
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "unknown collection `{name}`; use one of {}",
                            falconry_model::text::ticked(
                                crate::engine::collections().map(|c| c.module())
                            )
                        ))
                    })?,
            ),
        };
        Ok(OpsConfig {
            collection,
            json: a.json,
            helpers: a.helpers,
        })
    }
}

pub fn ops(cfg: OpsConfig) -> Result<(), Error> {
    if cfg.helpers {
        print!("{}", helpers_text());
        return Ok(());
    }
    let selected: Vec<&'static Operation> = collections()
        .filter(|c| cfg.collection.is_none_or(|only| only == *c))
        .flat_map(ops::in_collection)
        .collect();
    if cfg.json {
        let rows: Vec<Value> = selected.iter().map(|op| describe_json(op)).collect();
        let text = serde_json::to_string_pretty(&rows)
            .map_err(|e| Error::Io(format!("cannot write JSON: {e}")))?;
        println!("{text}");
    } else {
        let mut out = String::new();
        let mut current = None;
        for op in &selected {
            if current != Some(op.collection) {
                current = Some(op.collection);
                let n = ops::in_collection(op.collection).count();
                let _ = writeln!(out, "{} ({n} operations)\n", op.collection.module());
            }
            out.push_str(&describe_text(op));
        }
        let _ = writeln!(out, "{} operations", selected.len());
        print!("{out}");
    }
    Ok(())
}

pub(super) fn describe_text(op: &Operation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "  {}  {} {}", op.qualified_name(), op.method, op.path);
    let aliases: Vec<&str> = rhai_names(op).into_iter().skip(1).collect();
    if !aliases.is_empty() {
        let _ = writeln!(out, "    also: {}", aliases.join(", "));
    }
    let effect = match op.effect {
        Effect::Read => None,
        Effect::Session => Some("opens, refreshes or closes RTR sessions"),
        Effect::Change => Some("changes tenant state"),
        Effect::Command => Some("runs a command on hosts"),
    };
    if let Some(effect) = effect {
        let _ = writeln!(out, "    {effect}");
    }
    if !op.summary.is_empty() {
        let _ = writeln!(out, "    {}", op.summary);
    }
    for p in op.params {
        let _ = writeln!(out, "    {}", param_line(p));
    }
    if let Some(shape) = op.body {
        for f in shape.fields {
            let mut line = format!(
                "{}: {} (body field{})",
                f.name,
                f.ty.describe(),
                if f.required { ", required" } else { "" }
            );
            if !f.allowed.is_empty() {
                let _ = write!(line, "  one of: {}", f.allowed.join(", "));
            }
            let _ = writeln!(out, "    {line}");
        }
        for a in shape.action_parameters {
            let _ = writeln!(out, "    {a}: string (action parameter)");
        }
    }
    out.push('\n');
    out
}

fn param_line(p: &Param) -> String {
    let ty = match (p.location, p.ty) {
        (Location::Body, Type::Object) => "map, sent verbatim as the body",
        (Location::Body, Type::Array) => "array, sent verbatim as the body",
        _ => p.ty.describe(),
    };
    let mut line = format!(
        "{}: {ty} ({}{})",
        p.name,
        p.location.as_str(),
        if p.required { ", required" } else { "" }
    );
    match p.range() {
        (Some(lo), Some(hi)) => {
            let _ = write!(line, "  range {lo}..{hi}");
        }
        (Some(lo), None) => {
            let _ = write!(line, "  at least {lo}");
        }
        (None, Some(hi)) => {
            let _ = write!(line, "  at most {hi}");
        }
        (None, None) => {}
    }
    if let Some(n) = p.max_items {
        let _ = write!(line, "  at most {n} items");
    }
    if !p.allowed.is_empty() {
        let _ = write!(line, "  one of: {}", p.allowed.join(", "));
    }
    if let Some(d) = p.default {
        let _ = write!(line, "  default {d}");
    }
    line
}

fn describe_json(op: &Operation) -> Value {
    let params: Vec<Value> = op
        .params
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "in": p.location.as_str(),
                "type": p.ty.describe(),
                "required": p.required,
                "enum": p.allowed,
                "min": p.range().0,
                "max": p.range().1,
                "max_items": p.max_items,
                "default": p.default,
            })
        })
        .collect();
    let body = op.body.map(|shape| {
        json!({
            "schema": shape.schema,
            "keys": shape.fields.iter().map(|f| json!({
                "name": f.name,
                "type": f.ty.describe(),
                "required": f.required,
                "enum": f.allowed,
            })).collect::<Vec<_>>(),
            "action_parameters": shape.action_parameters,
        })
    });
    json!({
        "module": op.collection.module(),
        "name": op.name,
        "id": op.id,
        "falconpy_id": op.falconpy_id,
        "names": rhai_names(op),
        "method": op.method.as_str(),
        "path": op.path,
        "changes_state": op.changes_state(),
        "summary": op.summary,
        "parameters": params,
        "body": body,
        "accepted_keys": ops::request::allowed_keys(op),
    })
}

/// `falconry ops --helpers`: every helper and method with its signature line, then each library module
/// with its functions.
fn helpers_text() -> String {
    let mut out =
        String::from("helpers and methods (`help(\"NAME\")` in the REPL shows the rest):\n");
    for h in crate::helpers::FUNCTIONS
        .iter()
        .chain(crate::helpers::METHODS)
        .chain(crate::helpers::GLOBALS)
    {
        out.push_str(&format!("  {}\n", h.signature()));
    }
    for (path, _) in crate::engine::stdlib::STDLIB {
        out.push_str(&format!("\nimport \"{path}\"\n"));
        out.push_str(&crate::helpers::help::help(path).unwrap_or_default());
    }
    out
}
