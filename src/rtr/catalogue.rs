//! Every playbook helper, declared once: the `rtr`, `fs` and `hosts` functions and the `Session` and
//! `Batch` methods, with their arities. Registration goes through [`function`] and [`method`], which refuse
//! an undeclared name, and a test calls every declared function at every arity; `falconry check`, REPL
//! completion and `help()` read the same lists.

use rhai::FuncRegistration;

/// The helper functions by module, with their arities: for `falconry check`, REPL completion and docs.
pub const FUNCTIONS: &[(&str, &str, &[usize])] = &[
    ("hosts", "find", &[1]),
    ("hosts", "find_all", &[0, 1]),
    ("rtr", "session", &[1, 2]),
    ("rtr", "batch", &[1, 2]),
    ("rtr", "each", &[2, 3]),
    ("rtr", "preflight", &[2]),
    ("fs", "list", &[0, 1]),
    ("fs", "read", &[1]),
    ("policies", "current", &[0, 1]),
    ("policies", "plan", &[1]),
    ("policies", "apply", &[1]),
];

/// Methods of the `Session` and `Batch` values (name, arities), for the same readers.
pub const METHODS: &[(&str, &str, &[usize])] = &[
    ("Session", "run", &[1, 2]),
    ("Session", "get", &[1, 2]),
    ("Session", "put", &[1]),
    ("Session", "runscript", &[1, 2]),
    ("Session", "put_and_run", &[1]),
    ("Session", "cd", &[1]),
    ("Session", "pwd", &[0]),
    ("Session", "kill", &[1]),
    ("Session", "close", &[0]),
    ("Batch", "run", &[1]),
    ("Batch", "get", &[1]),
];

/// The registration of a declared module function (volatile: never run while compiling).
pub(super) fn function(module: &str, name: &str) -> FuncRegistration {
    declared(FUNCTIONS, module, name)
}

/// The registration of a declared method of `Session` or `Batch`.
pub(super) fn method(ty: &str, name: &str) -> FuncRegistration {
    declared(METHODS, ty, name)
}

fn declared(list: &[(&str, &str, &[usize])], owner: &str, name: &str) -> FuncRegistration {
    // A programming error, caught by every test that builds a runtime: the lists above are what
    // completion, `check` and `help()` show, so nothing may be registered beside them.
    assert!(
        list.iter().any(|(o, n, _)| *o == owner && *n == name),
        "`{owner}::{name}` is registered but not declared in rtr::catalogue"
    );
    FuncRegistration::new(name.to_string())
        .with_volatility(true)
        .with_purity(false)
}

#[cfg(test)]
mod tests {
    use super::FUNCTIONS;
    use crate::engine::{Offline, Options};
    use std::sync::Arc;

    /// Every declared function exists at every declared arity: some combination of argument types
    /// (a string, a function pointer, unit) reaches it; it may then fail, but never with "function not
    /// found". The backend is offline, so nothing is sent.
    #[test]
    fn every_declared_function_is_registered_at_every_arity() {
        let runtime = crate::rtr::runtime(
            Arc::new(Offline),
            &Options::default(),
            crate::engine::Cancel::new(),
        );
        const VALUES: [&str; 3] = ["\"\"", "Fn(\"f\")", "()"];
        for (module, name, arities) in FUNCTIONS {
            for &n in *arities {
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
