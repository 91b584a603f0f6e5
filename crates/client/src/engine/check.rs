//! Place: the top of the engine's script layer: above `runtime`, `escapes`, the names layer (`suggest`)
//! and `error`. It gives [`Runtime`] the methods that check before they run.
//! `falconry check`: compiles a playbook without running it and finds calls that cannot work:
//! unknown modules and functions, wrong arity, and argument keys an operation does not accept.
//!
//! The known modules are read from the engine itself, so modules registered later (playbook
//! helpers) are checked like the operation modules, and imports are compiled, never evaluated.

use super::error::{ErrorKind, Location, ScriptError};
use super::register::resolve;
use super::runtime::Runtime;
use super::suggest::did_you_mean;
use crate::ops::request::allowed_keys;
use crate::text::ticked;
use rhai::{AST, ASTNode, Dynamic, Expr, FnAccess, FnCallExpr, Map, Position, Stmt};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Every problem found in one playbook; empty when it is fine.
pub fn check_file(runtime: &Runtime, path: &Path) -> Vec<ScriptError> {
    match runtime.compile_file(path) {
        Ok(ast) => check_ast(runtime, &ast),
        Err(e) => vec![e],
    }
}

impl Runtime {
    /// Compiles a playbook and checks its calls (modules, operations, argument keys): when anything is
    /// wrong, nothing runs, so a typo near the end cannot strike after changes were already made.
    pub fn prepare_file(&self, path: &Path) -> Result<AST, Vec<ScriptError>> {
        let ast = self.compile_file(path).map_err(|e| vec![e])?;
        let problems = check_ast(self, &ast);
        if problems.is_empty() {
            Ok(ast)
        } else {
            Err(problems)
        }
    }

    /// Prepares and runs a playbook file (watch mode); when the check finds several problems, the
    /// first is the error.
    pub fn run_file(&self, path: &Path, args: Map) -> Result<Dynamic, ScriptError> {
        let ast = self
            .prepare_file(path)
            .map_err(|mut problems| problems.remove(0))?;
        self.run_ast(&ast, args)
    }
}

/// What a module offers: function name -> accepted arities.
type Exports = HashMap<String, Vec<usize>>;

/// What an import alias stands for.
enum Import {
    Known(Exports),
    /// The path is computed at run time, or the import itself is broken (reported once, there).
    Unknown,
}

pub fn check_ast(runtime: &Runtime, ast: &AST) -> Vec<ScriptError> {
    let source = ast.source().unwrap_or_default().to_string();
    let statics = static_modules(runtime);
    let mut problems = Vec::new();
    let mut imports: HashMap<String, Import> = HashMap::new();
    let mut calls: Vec<Call> = Vec::new();

    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Stmt(Stmt::Import(x, pos))) => {
                let (expr, alias) = &**x;
                let literal = expr
                    .get_literal_value(None)
                    .and_then(|v| v.into_string().ok());
                let import = match literal.map(|p| imported_exports(runtime, &p)) {
                    Some(Ok(exports)) => Import::Known(exports),
                    Some(Err(m)) => {
                        problems.push(at(m, *pos, &source, runtime));
                        Import::Unknown
                    }
                    None => Import::Unknown,
                };
                if !alias.name.is_empty() {
                    imports.insert(alias.name.to_string(), import);
                }
            }
            Some(ASTNode::Stmt(Stmt::FnCall(x, pos)))
            | Some(ASTNode::Expr(Expr::FnCall(x, pos)))
                if !x.namespace.is_empty() =>
            {
                calls.push(Call::of(x, *pos));
            }
            _ => {}
        }
        true
    });

    // `global::NAME` reads the script's own constants; it is not a module.
    for call in calls.iter().filter(|c| c.module != "global") {
        let module = call.module.as_str();
        let problem = match (imports.get(module), statics.get(module)) {
            (Some(Import::Known(exports)), _) => check_call(call, exports),
            (Some(Import::Unknown), _) => None,
            (None, Some(exports)) if is_collection(module) => check_operation(call, exports),
            (None, Some(exports)) => check_call(call, exports),
            (None, None) => {
                let message = format!(
                    "unknown module `{module}`; known modules: {}",
                    ticked(statics.keys())
                );
                problems.push(at(message, call.module_pos, &source, runtime));
                None
            }
        };
        if let Some(message) = problem {
            problems.push(at(message, call.pos, &source, runtime));
        }
    }
    problems.extend(super::escapes::check(runtime.sources(), ast, &source));
    problems
}

/// A namespaced call, copied out of the AST.
struct Call {
    module: String,
    name: String,
    args: usize,
    /// The keys of the argument, when it is a map literal.
    keys: Option<Vec<String>>,
    /// Where the function name is (as run-time errors report it).
    pos: Position,
    /// Where the module name is.
    module_pos: Position,
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
            pos: pos.or_else(x.namespace.position()),
            module_pos: x.namespace.position().or_else(pos),
        }
    }
}

/// The modules registered on the engine (operations, `log`, helpers), in name order.
fn static_modules(runtime: &Runtime) -> BTreeMap<String, Exports> {
    let fns = runtime.engine().collect_fn_metadata(
        None,
        |info| {
            (!info.namespace.is_empty()).then(|| {
                (
                    info.namespace.to_string(),
                    info.metadata.name.to_string(),
                    info.metadata.num_params,
                )
            })
        },
        false,
    );
    let mut modules: BTreeMap<String, Exports> = BTreeMap::new();
    for (module, name, arity) in fns {
        modules
            .entry(module)
            .or_default()
            .entry(name)
            .or_default()
            .push(arity);
    }
    modules
}

fn is_collection(module: &str) -> bool {
    super::register::collections().any(|c| c.module() == module)
}

fn check_call(call: &Call, exports: &Exports) -> Option<String> {
    let (module, name) = (&call.module, &call.name);
    match exports.get(name) {
        None => {
            let mut names: Vec<&str> = exports.keys().map(String::as_str).collect();
            names.sort_unstable();
            Some(format!(
                "module `{module}` has no function `{name}`{}; it has {}",
                did_you_mean(name, &names),
                ticked(&names)
            ))
        }
        Some(arities) if !arities.contains(&call.args) => {
            let mut arities = arities.clone();
            arities.sort_unstable();
            arities.dedup();
            Some(format!(
                "`{module}::{name}` takes {} argument(s), not {}",
                arities
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" or "),
                call.args
            ))
        }
        Some(_) => None,
    }
}

fn check_operation(call: &Call, exports: &Exports) -> Option<String> {
    let (module, name) = (call.module.as_str(), call.name.as_str());
    let Some(op) = resolve(module, name).filter(|_| exports.contains_key(name)) else {
        // Helpers registered beside the operations (`hosts::find`) are plain functions.
        if exports.contains_key(name) {
            return check_call(call, exports);
        }
        let names: Vec<&str> = exports.keys().map(String::as_str).collect();
        return Some(format!(
            "unknown operation `{module}::{name}`{}; `falconry ops {module}` lists them",
            did_you_mean(name, &names)
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
                "`{}`: argument `{key}` is not accepted{}; allowed: {}",
                op.qualified_name(),
                did_you_mean(key, &allowed),
                ticked(&allowed)
            )
        })
}

/// The public functions of an imported module, from its text (compiled, not run).
fn imported_exports(runtime: &Runtime, path: &str) -> Result<Exports, String> {
    let found = runtime.find_module(path)?;
    let ast = runtime
        .engine()
        .compile(&found.text)
        .map_err(|e| format!("module `{path}` does not compile: {e}"))?;
    let mut e: Exports = HashMap::new();
    for f in ast
        .iter_functions()
        .filter(|f| f.access != FnAccess::Private)
    {
        e.entry(f.name.to_string())
            .or_default()
            .push(f.params.len());
    }
    Ok(e)
}

fn at(message: String, pos: Position, source: &str, runtime: &Runtime) -> ScriptError {
    let mut e = ScriptError::new(ErrorKind::Unknown, message);
    e.location = pos.line().map(|line| Location {
        file: runtime.sources().display(source),
        line,
        column: pos.position().unwrap_or(1),
        text: runtime.sources().line(source, line),
    });
    e
}
