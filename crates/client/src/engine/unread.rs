//! Place: beside `call`, which asks it; `runtime` tells it which playbook is running. It knows no HTTP.
//!
//! Answers nobody reads. `response_policies::update_policies(...);` as a statement of its own throws
//! its value away: a playbook cannot tell whether that value was ever built, so the answer of such a
//! call is checked as JSON (a broken answer is still an error) but not turned into Rhai values.
//! Issue 28 allows this ("lazy conversion ... if a playbook cannot tell"); building and dropping the
//! values of a `get_policies` answer was 13 of the 22 us falconry adds to a call (one core, 3,000
//! calls).
//!
//! Only calls whose value Rhai certainly drops count: a call statement that is not the last of its
//! block, or that is in the body of a loop, or the last of a block or `if` whose own value is
//! dropped. Anything else (the playbook's last statement, a statement at the top of a function's
//! body, a `switch` arm, a `try`) keeps its value. A position where any other call stands is never
//! one (the REPL merges the functions of earlier lines, whose positions may repeat). A playbook
//! that calls `eval`, whose text has positions of its own under the same source, has none, and
//! neither has a run with a per-value size limit (`--max-string-size` ...), where an answer too
//! large is an error even when dropped. Operations are reached only by name (`Fn` refuses a
//! qualified name), so no function pointer can call one at a dropped call's position.

use rhai::{AST, ASTNode, Expr, NativeCallContext, Position, Stmt};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashSet;

type Positions = HashSet<Position, foldhash::fast::RandomState>;

/// The positions, in one compiled playbook, of the calls whose value is dropped.
#[derive(Debug, Default)]
pub struct Unread {
    source: Option<String>,
    at: Positions,
}

impl Unread {
    pub fn of(ast: &AST) -> Unread {
        let mut dropped = Positions::default();
        let mut kept = Positions::default();
        let mut evaluates = false;
        let main = ast.statements();
        ast.walk(&mut |path: &[ASTNode]| {
            match path.last() {
                Some(ASTNode::Stmt(Stmt::FnCall(call, pos))) => {
                    evaluates |= call.name == "eval";
                    // A call the parser gave no position could share it with any other.
                    if value_dropped(path, main) && !pos.is_none() {
                        dropped.insert(*pos);
                    } else {
                        kept.insert(*pos);
                    }
                }
                Some(ASTNode::Expr(Expr::FnCall(call, pos))) => {
                    evaluates |= call.name == "eval";
                    kept.insert(*pos);
                }
                Some(ASTNode::Expr(Expr::MethodCall(call, pos))) => {
                    evaluates |= call.name == "eval";
                    kept.insert(*pos);
                }
                _ => {}
            }
            true
        });
        if evaluates {
            dropped.clear();
        }
        dropped.retain(|p| !kept.contains(p));
        Unread {
            source: ast.source().map(str::to_string),
            at: dropped,
        }
    }
}

/// Whether the statement at the end of `path` has its value dropped by Rhai. `main` is the
/// playbook's own statements; those of a function body are taken as kept, since nothing says which
/// of them is its body's last (rhai does not name the type that holds a function's body).
fn value_dropped(path: &[ASTNode], main: &[Stmt]) -> bool {
    let Some((ASTNode::Stmt(stmt), parents)) = path.split_last() else {
        return false;
    };
    let is_last_of = |block: &[Stmt]| block.last().is_some_and(|l| std::ptr::eq(l, *stmt));
    match parents.last() {
        // A statement of the playbook, but not its last, whose value is the playbook's.
        None => main.as_ptr_range().contains(&std::ptr::from_ref(*stmt)) && !is_last_of(main),
        // A loop's value is `()` or a `break`'s: its body's values are dropped.
        Some(ASTNode::Stmt(Stmt::For(..) | Stmt::While(..) | Stmt::Do(..))) => true,
        Some(ASTNode::Stmt(Stmt::Block(block))) => {
            !is_last_of(block.statements()) || value_dropped(parents, main)
        }
        Some(ASTNode::Stmt(Stmt::If(flow, _))) => {
            (!is_last_of(flow.body.statements()) && !is_last_of(flow.branch.statements()))
                || value_dropped(parents, main)
        }
        _ => false,
    }
}

thread_local! {
    /// The playbook this script thread runs (scripts run on threads of their own).
    static RUNNING: RefCell<Option<Unread>> = const { RefCell::new(None) };
}

/// Makes `unread` the running playbook's until the guard is dropped, when the one before comes back.
pub fn running(unread: Unread) -> Running {
    Running(RUNNING.replace(Some(unread)))
}

pub struct Running(Option<Unread>);

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.set(self.0.take());
    }
}

/// Whether the call `native` is making has its value dropped. On any other thread (a worker of
/// `parallel`), or for code of another source (a module), no.
pub fn is_unread(native: &NativeCallContext) -> bool {
    RUNNING.with_borrow(|running| {
        running.as_ref().is_some_and(|u| {
            !u.at.is_empty()
                && native.call_source() == u.source.as_deref()
                && u.at.contains(&native.call_position())
        })
    })
}

/// An answer body nobody reads, checked as JSON: `None` when it is not JSON (the caller's error, as
/// for an answer that is read), `Some(None)` when it cannot name a host, and the parsed body when it
/// may (the safety layer learns the hostnames of device records from it). Text without the word
/// `hostname` names none, unless an escape could spell it.
pub fn check_json(text: &str) -> Option<Option<Value>> {
    if text.contains("hostname") || text.contains('\\') {
        serde_json::from_str::<Value>(text).ok().map(Some)
    } else {
        serde_json::from_str::<serde::de::IgnoredAny>(text)
            .ok()
            .map(|_| None)
    }
}

#[cfg(test)]
mod tests {
    use super::check_json;
    use serde_json::json;

    #[test]
    fn an_unread_answer_is_still_checked_as_json() {
        assert_eq!(
            check_json(r#"{"resources": [1, "a"], "errors": []}"#),
            Some(None)
        );
        assert_eq!(check_json(r#"{"resources": ["#), None);
        assert_eq!(check_json("not json"), None);
    }

    #[test]
    fn an_answer_that_may_name_a_host_is_parsed_for_the_safety_layer() {
        let body = json!({ "resources": [{ "device_id": "d1", "hostname": "WS-1" }] });
        assert_eq!(check_json(&body.to_string()), Some(Some(body)));
        // `hostname` spelt with an escape is the same key to a JSON reader.
        let escaped = r#"{"resources": [{"device_id": "d1", "host\u006eame": "WS-1"}]}"#;
        assert_eq!(
            check_json(escaped),
            Some(Some(
                json!({ "resources": [{ "device_id": "d1", "hostname": "WS-1" }] })
            ))
        );
    }
}
