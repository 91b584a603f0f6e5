//! `falconry check`: compiles a playbook without running it and finds calls that cannot work:
//! unknown modules, unknown operations, wrong arity and argument keys an operation does not accept.

use super::error::{ErrorKind, Location, ScriptError};
use super::log::Level;
use super::register::resolve;
use super::runtime::Runtime;
use crate::ops::request::allowed_keys;
use rhai::{AST, ASTNode, Expr, FnAccess, FnCallExpr, Position, Stmt};
use std::collections::HashMap;
use std::path::Path;

/// Every problem found in one playbook; empty when it is fine.
pub fn check_file(runtime: &Runtime, path: &Path) -> Vec<ScriptError> {
    match runtime.compile_file(path) {
        Ok(ast) => check_ast(runtime, &ast),
        Err(e) => vec![e],
    }
}

/// What an imported module offers: function name -> accepted arities.
type Exports = HashMap<String, Vec<usize>>;

pub fn check_ast(runtime: &Runtime, ast: &AST) -> Vec<ScriptError> {
    let source = ast.source().unwrap_or_default().to_string();
    let mut problems = Vec::new();
    let mut imports: HashMap<String, Result<Exports, String>> = HashMap::new();
    let mut calls: Vec<Call> = Vec::new();

    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Stmt(Stmt::Import(x, pos))) => {
                let (expr, alias) = &**x;
                if let Some(p) = expr
                    .get_literal_value(None)
                    .and_then(|v| v.into_string().ok())
                {
                    let exports = runtime.find_module(&p).and_then(|found| {
                        let module = runtime
                            .engine()
                            .compile(&found.text)
                            .map_err(|e| format!("module `{p}` does not compile: {e}"))?;
                        Ok(exports_of(&module))
                    });
                    if let Err(m) = &exports {
                        problems.push(at(ErrorKind::Unknown, m.clone(), *pos, &source, runtime));
                    }
                    if !alias.name.is_empty() {
                        imports.insert(alias.name.to_string(), exports);
                    }
                }
            }
            Some(ASTNode::Stmt(Stmt::FnCall(x, pos)))
            | Some(ASTNode::Expr(Expr::FnCall(x, pos)))
                if !x.namespace.is_empty() =>
            {
                calls.push(Call::of(x, x.namespace.position().or_else(*pos)));
            }
            _ => {}
        }
        true
    });

    for call in &calls {
        let (module, name) = (call.module.as_str(), call.name.as_str());
        let problem = if let Some(exports) = imports.get(module) {
            match exports {
                Ok(e) => match e.get(name) {
                    None => Some(format!("module `{module}` has no function `{name}`")),
                    Some(arities) if !arities.contains(&call.args) => Some(format!(
                        "`{module}::{name}` takes {} argument(s), not {}",
                        arities
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(" or "),
                        call.args
                    )),
                    Some(_) => None,
                },
                // Already reported at the import.
                Err(_) => None,
            }
        } else if module == "log" {
            (!Level::ALL.iter().any(|l| l.name() == name)).then(|| {
                format!("unknown function `log::{name}`; use `log::debug`, `log::info`, `log::warn` or `log::error`")
            })
        } else if let Some(problem) = crate::rtr::check_call(module, name, call.args) {
            // The playbook helpers (`rtr::*`, `fs::*`, `hosts::find`), from their own table.
            problem
        } else if super::register::collections().any(|c| c.module() == module) {
            check_operation(module, call)
        } else {
            let mut known: Vec<String> = super::register::collections()
                .map(|c| format!("`{}`", c.module()))
                .collect();
            known.push("`log`".into());
            Some(format!(
                "unknown module `{module}`; known modules: {}",
                known.join(", ")
            ))
        };
        if let Some(message) = problem {
            problems.push(at(ErrorKind::Unknown, message, call.pos, &source, runtime));
        }
    }
    problems
}

/// A namespaced call, copied out of the AST.
struct Call {
    module: String,
    name: String,
    args: usize,
    /// The keys of the argument, when it is a map literal.
    keys: Option<Vec<String>>,
    pos: Position,
}

impl Call {
    fn of(x: &FnCallExpr, pos: Position) -> Call {
        let keys = match x.args.as_slice() {
            [Expr::Map(m, _)] => Some(m.0.iter().map(|(k, _)| k.name.to_string()).collect()),
            // The optimiser folds a map of constants into one constant value.
            [Expr::DynamicConstant(d, _)] => d
                .read_lock::<rhai::Map>()
                .map(|m| m.keys().map(|k| k.to_string()).collect()),
            _ => None,
        };
        Call {
            module: x.namespace.root().to_string(),
            name: x.name.to_string(),
            args: x.args.len(),
            keys,
            pos,
        }
    }
}

fn check_operation(module: &str, call: &Call) -> Option<String> {
    let name = call.name.as_str();
    let Some(op) = resolve(module, name) else {
        return Some(format!(
            "unknown operation `{module}::{name}`; `falconry ops {module}` lists them"
        ));
    };
    if call.args > 1 {
        return Some(format!(
            "`{}` takes one map of named arguments, not {} arguments",
            op.qualified_name(),
            call.args
        ));
    }
    let allowed = allowed_keys(op);
    call.keys
        .iter()
        .flatten()
        .find(|key| !allowed.contains(&key.as_str()))
        .map(|key| {
            format!(
                "`{}`: argument `{key}` is not accepted; allowed: {}",
                op.qualified_name(),
                allowed
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

fn exports_of(ast: &AST) -> Exports {
    let mut e: Exports = HashMap::new();
    for f in ast
        .iter_functions()
        .filter(|f| f.access != FnAccess::Private)
    {
        e.entry(f.name.to_string())
            .or_default()
            .push(f.params.len());
    }
    e
}

fn at(
    kind: ErrorKind,
    message: String,
    pos: Position,
    source: &str,
    runtime: &Runtime,
) -> ScriptError {
    let mut e = ScriptError::new(kind, message);
    e.location = pos.line().map(|line| Location {
        file: runtime.sources().display(source),
        line,
        column: pos.position().unwrap_or(1),
        text: runtime.sources().line(source, line),
    });
    e
}
