//! Place: below every verb's config (`config.rs`, `repl.rs`, `watch.rs`, `policy.rs`): the engine options,
//! limits and safety flags that `run`, `check`, `repl` and `watch` read from their shared arguments.

use super::arguments::{LimitArgs, SafetyArgs, ScriptArgs};
use super::error::Error;
use crate::engine::{Level, Limits, Options};
use crate::safety::{RunFlags, Safety};
use std::path::PathBuf;

/// `--plan`, `--allow-destructive` and `--audit`, for `run`, `repl` and `watch` alike.
/// The engine options `run`, `repl` and `watch` share, from their common arguments. The safety layer is
/// built by each command once it knows whether it talks to a real tenant.
pub(super) fn script_options(
    a: &ScriptArgs,
    base_dir: PathBuf,
    print_to_stderr: bool,
) -> Result<Options, Error> {
    Ok(Options {
        limits: limits(&a.limits)?,
        lib_dir: lib_dir(a.lib.clone())?,
        out_dir: absolute(a.out.clone()),
        base_dir: absolute(base_dir),
        print_to_stderr,
        raw_print: a.raw,
        log_level: if a.verbose { Level::Debug } else { Level::Info },
        safety: Safety::default(),
        case: None,
    })
}

/// `p` made absolute against the current directory.
pub(super) fn absolute(p: PathBuf) -> PathBuf {
    if p.is_relative() {
        std::env::current_dir().map(|d| d.join(&p)).unwrap_or(p)
    } else {
        p
    }
}

pub fn safety_flags(a: SafetyArgs) -> RunFlags {
    RunFlags {
        plan: a.plan,
        allow_destructive: a.allow_destructive,
        audit: a.audit,
        case_audit: None,
    }
}

pub(super) fn limits(a: &LimitArgs) -> Result<Limits, Error> {
    let mut l = Limits::default();
    if let Some(t) = &a.timeout {
        l.timeout = humantime::parse_duration(t).map_err(|e| {
            Error::Usage(format!(
                "`--timeout {t}` is not a duration like `90s`, `10m` or `2h`: {e}"
            ))
        })?;
        if l.timeout.is_zero() {
            return Err(Error::Usage("`--timeout` must be more than zero".into()));
        }
    }
    let positive = |flag: &str, n: usize| {
        if n == 0 {
            Err(Error::Usage(format!("`{flag}` must be at least 1")))
        } else {
            Ok(n)
        }
    };
    if let Some(n) = a.max_operations {
        if n == 0 {
            return Err(Error::Usage("`--max-operations` must be at least 1".into()));
        }
        l.max_operations = n;
    }
    if let Some(n) = a.max_call_depth {
        l.max_call_depth = positive("--max-call-depth", n)?;
    }
    if let Some(n) = a.max_expr_depth {
        l.max_expr_depth = positive("--max-expr-depth", n)?;
    }
    if let Some(n) = a.max_string_size {
        l.max_string_size = positive("--max-string-size", n)?;
    }
    if let Some(n) = a.max_array_size {
        l.max_array_size = positive("--max-array-size", n)?;
    }
    if let Some(n) = a.max_map_size {
        l.max_map_size = positive("--max-map-size", n)?;
    }
    if let Some(text) = &a.max_memory {
        l.max_memory = match crate::engine::memory::parse_size(text) {
            Some(n) if n >= 1 << 20 => n,
            _ => {
                return Err(Error::Usage(format!(
                    "`--max-memory {text}` is not a size of at least 1 MiB like `512MiB` or `4GiB`"
                )));
            }
        };
    }
    Ok(l)
}

pub(super) fn lib_dir(dir: Option<PathBuf>) -> Result<Option<PathBuf>, Error> {
    match dir {
        Some(d) if !d.is_dir() => Err(Error::Usage(format!(
            "`--lib {}` is not a folder",
            d.display()
        ))),
        d => Ok(d),
    }
}
