//! Whether a statement typed again may change what a saved playbook computes, read from its Rhai AST:
//! `:save` writes a statement once, at its first success, unless it may write a variable.
//!
//! Fail closed: anything that might change a variable counts as a write, so a repeat is dropped only
//! when it surely reads. Writes are `let`/`const`, assignments and compound assignments (`total += 1`),
//! calls that see the caller's scope (`f!(..)`), and calls that may change the variable they are called on
//! (`list.push(x)`, `push(list, x)`, `s.cd("..")`: Rhai passes that variable by reference) unless the
//! method is one Rhai documents as leaving its object alone ([`READS`]) or runs an RTR command that the
//! command catalogue says changes neither the host nor the session (`s.run("ps")`). Closures and
//! functions in the statement are looked at the same way.

use crate::ops::commands::{self, Cmd};
use rhai::{AST, ASTNode, Expr, FnCallExpr, Stmt};

/// Rhai functions (and falconry's map readers) that never change their first argument.
const READS: &[&str] = &[
    "all",
    "chars",
    "contains",
    "debug",
    "ends_with",
    "extract",
    "filter",
    "find",
    "find_map",
    "get",
    "get_bool",
    "get_int",
    "index_of",
    "is_empty",
    "keys",
    "len",
    "map",
    "max",
    "min",
    "print",
    "reduce",
    "reduce_rev",
    "some",
    "split",
    "starts_with",
    "sub_string",
    "to_debug",
    "to_float",
    "to_int",
    "to_json",
    "to_lower",
    "to_string",
    "to_upper",
    "type_of",
    "values",
    "zip",
];

/// True when running `ast` may write a variable. `is_session` says whether a variable of the REPL's
/// scope holds an RTR `Session` or `Batch`, whose `run` of a command that changes nothing is a read.
pub fn may_write(ast: &AST, is_session: &dyn Fn(&str) -> bool) -> bool {
    // A function sees no variable of its caller but the ones a closure captured: those arrive as its
    // first parameters, shared with the caller. Everything else in it (parameters, `let`) is its own.
    let mut captured: Vec<String> = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Stmt(Stmt::Share(names))) = path.last() {
            captured.extend(names.iter().map(|(ident, _)| ident.name.to_string()));
        }
        true
    });
    let top = Judge {
        captured: None,
        is_session,
    };
    if top.writes(&ast.clone_statements_only()) {
        return true;
    }
    let inner = Judge {
        captured: Some(&captured),
        is_session,
    };
    ast.iter_functions().any(|f| {
        let (name, arity) = (f.name, f.params.len());
        inner.writes(&ast.clone_functions_only_filtered(|_, _, _, n, a| n == name && a == arity))
    })
}

/// Judges the statements of the top level or of functions and closures.
struct Judge<'a> {
    /// In a function: the variables captured from the caller. `None`: the top level, where every
    /// variable is the REPL's.
    captured: Option<&'a [String]>,
    is_session: &'a dyn Fn(&str) -> bool,
}

impl Judge<'_> {
    fn writes(&self, ast: &AST) -> bool {
        let mut writes = false;
        ast.walk(&mut |path: &[ASTNode]| {
            writes |= match path.last() {
                Some(ASTNode::Stmt(s)) => match s {
                    // In a function, `let` makes a variable of its own.
                    Stmt::Var(..) => self.captured.is_none(),
                    Stmt::Assignment(x) => self.outer(root_of(&x.1.lhs)),
                    // A call standing alone is a statement of its own kind.
                    Stmt::FnCall(call, _) => self.call_writes(call),
                    _ => false,
                },
                Some(ASTNode::Expr(e)) => self.expr_writes(e),
                _ => false,
            };
            !writes
        });
        writes
    }

    /// Whether `e` (a chain's root) may be a variable of the REPL's scope.
    fn outer(&self, e: &Expr) -> bool {
        match (e, self.captured) {
            (Expr::Variable(..) | Expr::ThisPtr(..), None) => true,
            (Expr::Variable(v, ..), Some(captured)) => captured.iter().any(|c| c == v.1.as_str()),
            (Expr::ThisPtr(..), Some(_)) => true,
            // An assignment's target is a variable, a property or an index of one: anything else is
            // not understood, so it counts.
            _ => true,
        }
    }

    fn expr_writes(&self, e: &Expr) -> bool {
        match e {
            Expr::FnCall(call, _) => self.call_writes(call),
            Expr::Dot(..) | Expr::Index(..) => {
                let root = root_of(e);
                // A chain on a temporary value (`hosts::find(x).get("y")`) changes no variable.
                if !matches!(root, Expr::Variable(..) | Expr::ThisPtr(..)) || !self.outer(root) {
                    return false;
                }
                let on_session = match root {
                    Expr::Variable(v, ..) => self.captured.is_none() && (self.is_session)(&v.1),
                    _ => false,
                };
                let mut methods = Vec::new();
                methods_of(e, &mut methods);
                methods.into_iter().any(|m| !reads(m, on_session))
            }
            _ => false,
        }
    }

    /// `f(x, ..)`: Rhai passes a variable `x` by reference, so `push(list, 1)` changes `list`; a call with
    /// the caller's scope (`f!(..)`) may change anything. Module functions (`hosts::find(x)`) take copies.
    fn call_writes(&self, call: &FnCallExpr) -> bool {
        let on_variable = call
            .args
            .first()
            .is_some_and(|a| matches!(a, Expr::Variable(..) | Expr::ThisPtr(..)) && self.outer(a));
        call.capture_parent_scope
            || (on_variable
                && call.op_token.is_none()
                && call.namespace.is_empty()
                && !READS.contains(&call.name.as_str()))
    }
}

/// The object a chain starts from: `a` in `a.b[0].push(1)`.
fn root_of(e: &Expr) -> &Expr {
    match e {
        Expr::Dot(x, ..) | Expr::Index(x, ..) => root_of(&x.lhs),
        other => other,
    }
}

/// Every method called along a chain (the index expressions' own chains are walked on their own).
fn methods_of<'a>(e: &'a Expr, out: &mut Vec<&'a FnCallExpr>) {
    match e {
        Expr::Dot(x, ..) | Expr::Index(x, ..) => {
            methods_of(&x.lhs, out);
            methods_of(&x.rhs, out);
        }
        Expr::MethodCall(call, _) => out.push(call),
        _ => {}
    }
}

/// A method that leaves its object (and, on a session, the session and the host) as it was.
fn reads(call: &FnCallExpr, on_session: bool) -> bool {
    if on_session {
        return call.name == "run"
            && match call.args.first() {
                Some(Expr::StringConstant(line, _)) => {
                    commands::lookup(commands::base_of(line), line)
                        .is_some_and(|c| !c.changes_host && c.key != Cmd::Cd)
                }
                _ => false,
            };
    }
    READS.contains(&call.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writes(text: &str) -> bool {
        let engine = rhai::Engine::new_raw();
        let ast = engine.compile(text).unwrap();
        may_write(&ast, &|name| name == "s")
    }

    #[test]
    fn assignments_and_lets_write() {
        for text in [
            "total += 1",
            "x = x + 1",
            "let n = n + 1;",
            "const C = 1;",
            "if y { total -= 2 }",
            "for n in 1..=4 { total += n; }",
            "m.count = 3",
            "list[0] = 1",
            "ids.map(|id| { seen += 1; id })",
            "ids.map(|id| found.push(id))",
            "rtr::each(ids, |s| { hits += s.run(\"ps\").processes.len(); })",
        ] {
            assert!(writes(text), "{text}");
        }
    }

    #[test]
    fn calls_that_may_change_a_variable_write() {
        for text in [
            "list.push(1)",
            "push(list, 1)",
            "m.a.b.clear()",
            "s.cd(\"..\")",
            "s.run(\"cd /tmp\")",
            "s.run(\"kill 1234\")",
            "s.run(line)",
            "x.unknown_method()",
            "f.call(x)",
            "eval(code)",
        ] {
            assert!(writes(text), "{text}");
        }
    }

    #[test]
    fn reads_do_not_write() {
        for text in [
            "procs",
            "procs.len()",
            "procs.filter(|p| p.name == \"evil.exe\").map(|p| p.pid)",
            "s.run(\"ps\")",
            "s.run(\"ps\").processes",
            "s.run(`ls C:\\Windows`)",
            "hosts::find(name)",
            "x + 1 == total",
            "type_of(procs)",
            "fn twice(n) { n * 2 }",
            "fn bump(n) { let m = n; m += 1; n.push(m); m }",
            "rtr::each(ids, |s| { let r = s.run(\"ps\"); s.cd(\"/tmp\"); r.processes })",
            "procs.map(|p| { p.seen = true; p })",
        ] {
            assert!(!writes(text), "{text}");
        }
    }
}
