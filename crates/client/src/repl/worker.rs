//! The thread that owns the engine and the persistent scope: statements arrive one at a time, variables,
//! functions and imports carry over, and an error leaves everything defined so far in place.
//!
//! Statements run here, not on the terminal's thread, so Ctrl-C can reach the cancel flag while one runs.
//! What a stopped `rtr::each` had gathered goes into the scope as [`PARTIAL`].

use super::complete::{Known, Var};
use crate::engine::{Cancel, ErrorKind, Gathered, Runtime, ScriptError};
use rhai::{AST, Dynamic, Map, Scope};
use rhai::{Expr, FnAccess, Module, Stmt};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;

/// One piece of source to evaluate: a typed statement or a loaded playbook.
pub struct Job {
    /// How errors name it (`<repl 3>`, or the playbook's path).
    pub name: String,
    pub text: String,
}

/// The variable that holds a stopped fan-out's partial answer (documented in `:help` and the README).
pub const PARTIAL: &str = "partial";

pub struct Outcome {
    pub result: Result<Dynamic, ScriptError>,
    pub known: Known,
    /// A fan-out stopped part-way: what it had gathered is now in [`PARTIAL`].
    pub kept: Option<Kept>,
    /// Running the input again may write a variable (see `repeat`): `:save` keeps every success of it.
    pub may_write: bool,
}

/// What a stopped statement left in [`PARTIAL`].
pub struct Kept {
    pub answered: usize,
    pub total: usize,
    /// `partial` held something else before (that value is gone).
    pub replaced: bool,
}

pub struct Worker {
    jobs: Option<Sender<Job>>,
    outcomes: Receiver<Outcome>,
    thread: Option<JoinHandle<()>>,
    cancel: Cancel,
}

impl Worker {
    /// Starts the thread; `args` is the `args` map statements see; `timeout` limits each statement.
    pub fn start(runtime: Runtime, args: Map, timeout: Duration) -> Worker {
        let cancel = runtime.cancel().clone();
        let (jobs, job_rx) = channel::<Job>();
        let (out_tx, outcomes) = channel();
        let thread = std::thread::Builder::new()
            .name("falconry-repl".into())
            // As deep as `run`'s script thread: the call-depth limit, not the stack, should stop recursion.
            .stack_size(256 * 1024 * 1024)
            .spawn(move || {
                let mut state = State::new(runtime, args, timeout);
                for job in job_rx {
                    let (result, kept, may_write) = state.eval(&job);
                    let outcome = Outcome {
                        result,
                        known: state.known(),
                        kept,
                        may_write,
                    };
                    if out_tx.send(outcome).is_err() {
                        break;
                    }
                }
                // Dropping the scope here closes whatever sessions it still holds.
                drop(state);
            })
            .expect("cannot start the repl thread");
        Worker {
            jobs: Some(jobs),
            outcomes,
            thread: Some(thread),
            cancel,
        }
    }

    pub fn cancel(&self) -> &Cancel {
        &self.cancel
    }

    /// Evaluates `job` and waits for its outcome.
    pub fn eval(&self, job: Job) -> Outcome {
        let sent = self.jobs.as_ref().is_some_and(|j| j.send(job).is_ok());
        match sent.then(|| self.outcomes.recv().ok()).flatten() {
            Some(o) => o,
            None => Outcome {
                result: Err(ScriptError::new(
                    ErrorKind::Runtime,
                    "the evaluation thread stopped",
                )),
                known: Known::default(),
                kept: None,
                may_write: true,
            },
        }
    }

    /// Ends the thread, dropping the scope (and the RTR sessions it holds).
    pub fn finish(mut self) {
        self.jobs.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct State {
    runtime: Runtime,
    scope: Scope<'static>,
    /// Top-level imports and functions of earlier statements, run again (cheaply: modules are cached)
    /// before each new statement so they stay in effect.
    carried: AST,
    imports: Vec<(String, Vec<String>)>,
    timeout: Duration,
}

impl State {
    fn new(runtime: Runtime, args: Map, timeout: Duration) -> State {
        let mut scope = Scope::new();
        scope.push("args", args);
        State {
            runtime,
            scope,
            carried: AST::empty(),
            imports: Vec::new(),
            timeout,
        }
    }

    /// Evaluates `job`; a stopped fan-out's partial answer is kept in the scope.
    fn eval(&mut self, job: &Job) -> (Result<Dynamic, ScriptError>, Option<Kept>, bool) {
        let (result, gathered, may_write) = self.eval_job(job);
        let kept = gathered.filter(|_| result.is_err()).map(|g| self.keep(g));
        (result, kept, may_write)
    }

    /// Puts a stopped fan-out's partial answer in [`PARTIAL`].
    fn keep(&mut self, g: Gathered) -> Kept {
        let replaced = self.scope.contains(PARTIAL);
        // A `const partial` cannot be written: the new variable shadows it.
        if self.scope.is_constant(PARTIAL) == Some(true) {
            self.scope.push(PARTIAL, g.value);
        } else {
            self.scope.set_or_push(PARTIAL, g.value);
        }
        Kept {
            answered: g.answered,
            total: g.total,
            replaced,
        }
    }

    /// The result, what a stopped fan-out gathered, and whether the input may write a variable.
    fn eval_job(&mut self, job: &Job) -> (Result<Dynamic, ScriptError>, Option<Gathered>, bool) {
        let cancel = self.runtime.cancel().clone();
        cancel.reset();
        let ast = match self.runtime.compile_text(&job.name, &job.text) {
            Ok(ast) => ast,
            Err(e) => return (Err(e), None, true),
        };
        // Judged before it runs: `s` is a session now, whatever the statement makes of it.
        let engine = self.runtime.engine();
        let is_session = |name: &str| {
            self.scope
                .get(name)
                .is_some_and(|v| matches!(engine.map_type_name(v.type_name()), "Session" | "Batch"))
        };
        let may_write = super::repeat::may_write(&ast, &is_session);
        // `s.run("ls C:\new")` would run on a path with a newline in it: refused before it is sent.
        if let Some(problem) =
            crate::engine::escapes::check(self.runtime.sources(), &ast, &job.name)
                .into_iter()
                .next()
        {
            return (Err(problem), None, may_write);
        }
        let combined = self.carried.merge(&ast);
        cancel.arm_timeout(self.timeout);
        let result = self.runtime.eval(&mut self.scope, &combined);
        let gathered = cancel.take_gathered();
        cancel.reset();
        // Functions stay even when a later statement of the input failed; imports only when all went well,
        // or a failing import would fail every later statement.
        self.carried = self.carried.merge(&ast.clone_functions_only());
        if result.is_ok() {
            let imports: Vec<Stmt> = ast
                .statements()
                .iter()
                .filter(|s| matches!(s, Stmt::Import(..)))
                .cloned()
                .collect();
            for s in &imports {
                if let Stmt::Import(x, _) = s {
                    let alias = x.1.name.to_string();
                    if !alias.is_empty() {
                        let functions = match &x.0 {
                            Expr::StringConstant(path, _) => self.functions_of(path),
                            _ => Vec::new(),
                        };
                        self.imports.retain(|(a, _)| *a != alias);
                        self.imports.push((alias, functions));
                    }
                }
            }
            if !imports.is_empty() {
                self.carried = self.carried.merge(&AST::new(imports, Module::new()));
            }
        }
        (result, gathered, may_write)
    }

    /// The public functions of the module `path` names, for completing `alias::`.
    fn functions_of(&self, path: &str) -> Vec<String> {
        let Ok(found) = self.runtime.find_module(path) else {
            return Vec::new();
        };
        let Ok(ast) = self.runtime.engine().compile(&found.text) else {
            return Vec::new();
        };
        let mut names: Vec<String> = ast
            .iter_functions()
            .filter(|f| f.access == FnAccess::Public)
            .map(|f| f.name.to_string())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    fn known(&self) -> Known {
        let vars = self
            .scope
            .iter_raw()
            .map(|(name, _, value)| Var {
                name: name.to_string(),
                type_name: value.type_name().to_string(),
                keys: value
                    .read_lock::<Map>()
                    .map(|m| m.keys().map(|k| k.to_string()).collect())
                    .unwrap_or_default(),
            })
            .collect();
        Known {
            vars,
            imports: self.imports.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Offline, Options};
    use std::sync::Arc;

    fn worker() -> Worker {
        let runtime =
            crate::helpers::runtime(Arc::new(Offline), &Options::default(), Cancel::new());
        Worker::start(runtime, Map::new(), Duration::from_secs(60))
    }

    fn eval(w: &Worker, text: &str) -> Result<String, String> {
        let outcome = w.eval(Job {
            name: "<test>".into(),
            text: text.into(),
        });
        outcome.result.map(|v| v.to_string()).map_err(|e| e.message)
    }

    #[test]
    fn variables_functions_and_imports_carry_over() {
        let w = worker();
        eval(&w, "let x = 40;").unwrap();
        eval(&w, "fn twice(n) { n * 2 }").unwrap();
        eval(&w, "import \"falcon/util\" as util;").unwrap();
        assert_eq!(
            eval(&w, "twice(x) + util::chunks([1, 2, 3], 2).len()"),
            Ok("82".into())
        );
        w.finish();
    }

    #[test]
    fn an_error_keeps_the_scope_and_a_failed_import_is_not_carried() {
        let w = worker();
        eval(&w, "let kept = 1;").unwrap();
        assert!(eval(&w, "kept = 2; nope()").is_err());
        assert!(eval(&w, "import \"no/such\" as gone;").is_err());
        assert_eq!(eval(&w, "kept"), Ok("2".into()));
        w.finish();
    }

    #[test]
    fn known_lists_variables_with_map_keys_and_imports() {
        let w = worker();
        eval(&w, "import \"falcon/util\" as util;").unwrap();
        let outcome = w.eval(Job {
            name: "<test>".into(),
            text: "let host = #{ hostname: \"web-01\", platform_name: \"Linux\" };".into(),
        });
        let host = outcome
            .known
            .vars
            .iter()
            .find(|v| v.name == "host")
            .unwrap();
        assert_eq!(host.keys, ["hostname", "platform_name"]);
        let (alias, functions) = &outcome.known.imports[0];
        assert_eq!(alias, "util");
        assert!(functions.contains(&"chunks".to_string()));
        w.finish();
    }
}
