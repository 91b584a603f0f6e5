//! Place: above `error` and the names layer (`suggest`), below `runtime`, which enables it.
//! Strict property access: reading a key a map does not have is an error naming the key (a typo like
//! `p.nmae` must not read as `()` and compare unequal), and reading a missing `args.KEY` names the
//! arguments the run was given. Optional keys are read with `m.get("key")` (which gives `()`) or
//! tested with `"key" in m`; `args.get_str/get_int/get_bool(key, default)` read optional arguments.

use super::error::{ErrorKind, ScriptError};
use super::suggest::{closest, did_you_mean};
use rhai::{AST, ASTNode, Dynamic, Engine, EvalAltResult, Expr, Map, NativeCallContext};
use std::collections::BTreeSet;

type RhaiResult<T> = std::result::Result<T, Box<EvalAltResult>>;

pub fn enable(engine: &mut Engine) {
    engine.set_fail_on_invalid_map_property(true);
    engine.register_fn("get_str", get_str);
    engine.register_fn("get_int", get_int);
    engine.register_fn("get_bool", get_bool);
}

/// When the missing key was read from `args`: says which arguments the run has, and the closest one.
pub fn explain_args(e: &mut ScriptError, args: &Map) {
    if e.kind != ErrorKind::Runtime || !e.message.starts_with("property `") {
        return;
    }
    let Some(loc) = &e.location else {
        return;
    };
    let Some(text) = &loc.text else {
        return;
    };
    let at = loc.column.saturating_sub(1);
    let (Some(before), Some(after)) = (text.get(..at), text.get(at..)) else {
        return;
    };
    if !before.trim_end().ends_with("args.") && !before.trim_end().ends_with("args?.") {
        return;
    }
    let key: String = after
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let given: Vec<&str> = args.keys().map(|k| k.as_str()).collect();
    let mut message =
        format!("the playbook reads `args.{key}`, but `--arg {key}=...` was not given");
    message.push_str(&if given.is_empty() {
        "; no arguments were given".to_string()
    } else {
        format!("; given: {}", given.join(", "))
    });
    if let Some(near) = closest(&key, &given) {
        message.push_str(&format!(" (did you mean `{near}`?)"));
    }
    message.push_str(&format!(
        "; an optional argument is read with `args.get(\"{key}\")` or `args.get_str(\"{key}\", default)`"
    ));
    e.message = message;
}

/// Keys listed in a missing-property message at most.
const KEYS_SHOWN: usize = 24;

/// When the missing key was read from a variable the scope still holds (`p.nmae`, typed in the REPL
/// or read at a playbook's top level): the nearest key and the keys the map has.
pub fn explain_property(e: &mut ScriptError, scope: &rhai::Scope) {
    if e.kind != ErrorKind::Runtime || !e.message.starts_with("property `") {
        return;
    }
    let Some(text) = e.location.as_ref().and_then(|l| {
        let at = l.column.saturating_sub(1);
        l.text
            .as_ref()
            .and_then(|t| Some((t.get(..at)?, t.get(at..)?)))
    }) else {
        return;
    };
    let (before, after) = text;
    let Some(receiver) = before.trim_end().strip_suffix('.') else {
        return;
    };
    let receiver = receiver.trim_end();
    let var: String = receiver
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    // Only a plain variable (`p.x`), not a field or a call's result (`a.b.x`, `f().x`).
    let plain = receiver[..receiver.len() - var.len()]
        .chars()
        .next_back()
        .is_none_or(|c| !matches!(c, '.' | ']' | ')' | ':'));
    if var.is_empty() || var == "args" || !plain {
        return;
    }
    let Some(keys) = scope.get(&var).and_then(|v| {
        v.read_lock::<Map>()
            .map(|m| m.keys().map(|k| k.to_string()).collect::<Vec<_>>())
    }) else {
        return;
    };
    let key: String = after
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    // The map's keys would not say why it lacks a key answers carry only sometimes: `missing` does.
    if crate::helper_catalogue::sometimes(&key).is_some() {
        return;
    }
    let names: Vec<&str> = keys.iter().map(String::as_str).collect();
    let shown: Vec<String> = names
        .iter()
        .take(KEYS_SHOWN)
        .map(|k| crate::terminal::line(k).into_owned())
        .collect();
    let more = if names.len() > KEYS_SHOWN {
        ", …"
    } else {
        ""
    };
    e.message = format!(
        "property `{key}` not found: `{var}` has no such key{}; it has {}{more} (read a key that may be missing with `.get(\"{key}\")`)",
        did_you_mean(&key, &names),
        if shown.is_empty() {
            "no keys".to_string()
        } else {
            shown.join(", ")
        }
    );
}

fn wrong(ctx: &NativeCallContext, key: &str, value: &Dynamic, want: &str) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(
        format!("`{key}` is `{value}`, not {want}").into(),
        ctx.call_position(),
    ))
}

/// `m.get_str(key, default)`: the value as text, or `default` when the key is missing or `()`.
fn get_str(
    ctx: NativeCallContext,
    m: &mut Map,
    key: &str,
    default: Dynamic,
) -> RhaiResult<Dynamic> {
    match m.get(key) {
        None => Ok(default),
        Some(v) if v.is_unit() => Ok(default),
        Some(v) if v.is_string() => Ok(v.clone()),
        Some(v) if v.is_int() || v.is_float() || v.is_bool() => Ok(v.to_string().into()),
        Some(v) => Err(wrong(&ctx, key, v, "text")),
    }
}

/// `m.get_int(key, default)`: an integer, or an integer written as text (`--arg count=3`).
fn get_int(ctx: NativeCallContext, m: &mut Map, key: &str, default: i64) -> RhaiResult<i64> {
    match m.get(key) {
        None => Ok(default),
        Some(v) if v.is_unit() => Ok(default),
        Some(v) if v.is_int() => Ok(v.as_int().unwrap_or(default)),
        Some(v) => v
            .clone()
            .into_string()
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .ok_or_else(|| wrong(&ctx, key, v, "an integer")),
    }
}

/// `m.get_bool(key, default)`: a boolean, or `true`/`false` written as text (`--arg contain=true`).
fn get_bool(ctx: NativeCallContext, m: &mut Map, key: &str, default: bool) -> RhaiResult<bool> {
    match m.get(key) {
        None => Ok(default),
        Some(v) if v.is_unit() => Ok(default),
        Some(v) if v.is_bool() => Ok(v.as_bool().unwrap_or(default)),
        Some(v) => match v.clone().into_string().ok().as_deref().map(str::trim) {
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            _ => Err(wrong(&ctx, key, v, "`true` or `false`")),
        },
    }
}

/// The `args` keys a playbook reads (`args.k`, `args["k"]`, `args.get("k")`, `"k" in args`), or
/// `None` when it uses `args` in a way that cannot be followed (passes it on, iterates it).
pub fn args_read(ast: &AST) -> Option<BTreeSet<String>> {
    let mut keys = BTreeSet::new();
    let mut followed = true;
    ast.walk(&mut |path: &[ASTNode]| {
        let Some(ASTNode::Expr(var @ Expr::Variable(x, ..))) = path.last() else {
            return true;
        };
        if x.1 != "args" || !x.2.is_empty() {
            return true;
        }
        let parent = path.len().checked_sub(2).and_then(|i| path.get(i));
        match parent.and_then(|p| key_of(p, var)) {
            Some(k) => {
                keys.insert(k);
            }
            None => followed = false,
        }
        true
    });
    followed.then_some(keys)
}

/// The key `parent` reads from the variable `var`.
fn key_of(parent: &ASTNode, var: &Expr) -> Option<String> {
    let ASTNode::Expr(parent) = parent else {
        return None;
    };
    match parent {
        Expr::Dot(x, ..) if std::ptr::eq(&x.lhs, var) => accessed(&x.rhs),
        Expr::Index(x, ..) if std::ptr::eq(&x.lhs, var) => string(&x.rhs),
        Expr::FnCall(f, _)
            if f.name == "contains" && f.args.len() == 2 && std::ptr::eq(&f.args[0], var) =>
        {
            string(&f.args[1])
        }
        _ => None,
    }
}

/// The key named by the right side of `args.RHS`.
fn accessed(rhs: &Expr) -> Option<String> {
    match rhs {
        Expr::Property(p, _) => Some(p.2.to_string()),
        Expr::MethodCall(f, _)
            if ["get", "get_str", "get_int", "get_bool"].contains(&f.name.as_str()) =>
        {
            f.args.first().and_then(string)
        }
        Expr::Dot(x, ..) | Expr::Index(x, ..) => accessed(&x.lhs),
        _ => None,
    }
}

fn string(e: &Expr) -> Option<String> {
    match e {
        Expr::StringConstant(s, _) => Some(s.to_string()),
        _ => None,
    }
}

/// An `--arg` the playbook never reads is a typo (`--arg hots=WS-042`): named, with what it reads.
pub fn unknown_args(ast: &AST, args: &Map) -> Result<(), String> {
    let Some(read) = args_read(ast) else {
        return Ok(());
    };
    let Some(unknown) = args.keys().find(|k| !read.contains(k.as_str())) else {
        return Ok(());
    };
    let known: Vec<&str> = read.iter().map(String::as_str).collect();
    let mut message = format!("`--arg {unknown}`: the playbook does not read `args.{unknown}`");
    message.push_str(&if known.is_empty() {
        "; it reads no arguments".to_string()
    } else {
        format!("; it reads: {}", known.join(", "))
    });
    if let Some(near) = closest(unknown, &known) {
        message.push_str(&format!(" (did you mean `{near}`?)"));
    }
    Err(message)
}
