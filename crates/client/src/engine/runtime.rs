//! Place: above `error`, its Rhai conversion and `strict`; below `check`, which adds `prepare_file` and
//! `run_file` (compile, check, then run) to this type, so the runtime knows nothing of the checker.
//! One configured Rhai engine: operations, `log`, builtins, limits, cancellation and imports wired together.
//! `run`, the REPL and watch mode all run playbooks through it.

use super::backend::Backend;
use super::builtins::register_builtins;
use super::call::Context;
use super::cancel::Cancel;
use super::error::{ErrorKind, ScriptError};
use super::limits::Limits;
use super::log::{Level, register_log};
use super::register::{CollectionHelpers, register_operations};
use super::resolver::{Found, Resolver};
use super::sources::Sources;
use crate::engine::case::Case;
use crate::ops::redact::clean;
use crate::safety::Safety;
use crate::terminal;
use rhai::{AST, Dynamic, Engine, Map, Scope};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How to build a runtime.
#[derive(Clone, Debug)]
pub struct Options {
    pub limits: Limits,
    /// A folder of playbook modules, searched before the built-in library.
    pub lib_dir: Option<PathBuf>,
    /// Where downloads are written.
    pub out_dir: PathBuf,
    /// Relative upload paths are taken from here.
    pub base_dir: PathBuf,
    /// `print` goes to stderr (with `--json`, stdout holds only the final value).
    pub print_to_stderr: bool,
    /// `--raw`: `print` writes its bytes even to a terminal (a pipe always gets them).
    pub raw_print: bool,
    pub log_level: Level,
    /// Plan mode, the destructive-action guard and the audit log (refuses destructive requests by default).
    pub safety: Safety,
    /// The case folder this run records into and resumes from, if any.
    pub case: Option<Case>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            limits: Limits::default(),
            lib_dir: None,
            out_dir: PathBuf::from("falconry-out"),
            base_dir: PathBuf::from("."),
            print_to_stderr: false,
            raw_print: false,
            log_level: Level::Info,
            safety: Safety::default(),
            case: None,
        }
    }
}

pub struct Runtime {
    engine: Engine,
    ctx: Arc<Context>,
    sources: Sources,
    /// Resident memory when the current run began (see `on_progress` above).
    memory_floor: Arc<AtomicU64>,
    limits: Limits,
    lib_dir: Option<PathBuf>,
}

impl Runtime {
    /// `cancel` is shared with the backend (the HTTP client stops waiting when it is set).
    pub fn new(backend: Arc<dyn Backend>, options: &Options, cancel: Cancel) -> Runtime {
        Runtime::with_helpers(backend, options, cancel, &|_, _, _| {})
    }

    /// As [`Runtime::new`], with `helpers` adding functions to a collection's module before it is
    /// registered (`hosts::find` beside the `hosts` operations): Rhai keeps one module per name, so
    /// each collection's module is built once, operations and helpers together.
    pub fn with_helpers(
        backend: Arc<dyn Backend>,
        options: &Options,
        cancel: Cancel,
        helpers: &CollectionHelpers,
    ) -> Runtime {
        let sources = Sources::default();
        let ctx = Arc::new(Context {
            backend,
            cancel: cancel.clone(),
            out_dir: options.out_dir.clone(),
            base_dir: options.base_dir.clone(),
            safety: options.safety.clone(),
            case: options.case.clone(),
            recent_hosts: Default::default(),
        });
        let mut engine = Engine::new();
        options.limits.apply(&mut engine);
        super::strict::enable(&mut engine);
        let c = cancel.clone();
        let max_memory = options.limits.max_memory;
        if max_memory > 0 {
            super::memory::watch();
        }
        let memory_floor = Arc::new(AtomicU64::new(0));
        let floor = memory_floor.clone();
        engine.on_progress(move |_| {
            // Once set, the flag stays set: every later step stops too, even inside a `catch`.
            if c.is_set() {
                return Some(c.token());
            }
            // Checked at every step: a value that doubles per step must not get two steps. Only
            // memory this run added counts: a REPL already over the limit can still drop values.
            match super::memory::resident() {
                Some(held)
                    if max_memory > 0
                        && held > max_memory
                        && held > floor.load(Ordering::Relaxed) + max_memory / 8 =>
                {
                    Some(memory_token(held, max_memory))
                }
                _ => None,
            }
        });
        let case = options.case.clone();
        let to_stderr = options.print_to_stderr;
        let raw = options.raw_print;
        engine.on_print(move |s| {
            use std::io::IsTerminal;
            let s = clean(s);
            // A playbook prints host output: on a terminal its escapes are shown, not obeyed.
            if to_stderr {
                let tty = !raw && std::io::stderr().is_terminal();
                eprintln!("{}", if tty { terminal::text(&s) } else { s.clone() });
            } else {
                let tty = !raw && std::io::stdout().is_terminal();
                println!("{}", if tty { terminal::text(&s) } else { s.clone() });
            }
            if let Some(c) = &case {
                c.transcript().print(&s);
            }
        });
        engine.on_debug(|s, src, pos| {
            let s = terminal::text(&clean(s)).into_owned();
            match (src, pos.line()) {
                (Some(src), Some(line)) => eprintln!("[{src}:{line}] {s}"),
                (None, Some(line)) => eprintln!("[line {line}] {s}"),
                _ => eprintln!("{s}"),
            }
        });
        engine.set_module_resolver(Resolver::new(options.lib_dir.clone(), sources.clone()));
        register_operations(&mut engine, &ctx, helpers);
        register_log(&mut engine, options.log_level);
        register_builtins(&mut engine, &cancel);
        Runtime {
            engine,
            ctx,
            sources,
            memory_floor,
            limits: options.limits.clone(),
            lib_dir: options.lib_dir.clone(),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// For helpers (`rtr`) that register more functions on the same engine.
    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    pub fn context(&self) -> &Arc<Context> {
        &self.ctx
    }

    pub fn cancel(&self) -> &Cancel {
        &self.ctx.cancel
    }

    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// The text an import path names (a `--lib` file or a built-in module), without running it.
    pub fn find_module(&self, path: &str) -> Result<Found, String> {
        Resolver::new(self.lib_dir.clone(), self.sources.clone()).find(path)
    }

    /// Reads and compiles a playbook file. Nothing runs.
    pub fn compile_file(&self, path: &Path) -> Result<AST, ScriptError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ScriptError::new(
                ErrorKind::Io,
                format!("cannot read `{}`: {e}", path.display()),
            )
        })?;
        self.compile_text(&path.display().to_string(), &text)
    }

    /// Compiles `text`, known in errors as `name`. Nothing runs.
    pub fn compile_text(&self, name: &str, text: &str) -> Result<AST, ScriptError> {
        self.sources.add(name, name, text);
        let mut ast = self
            .engine
            .compile(text)
            .map_err(|e| ScriptError::from_parse(&e, name, &self.sources))?;
        ast.set_source(name);
        Ok(ast)
    }

    /// Evaluates a compiled script in `scope`, returning its final value.
    pub fn eval(&self, scope: &mut Scope, ast: &AST) -> Result<Dynamic, ScriptError> {
        self.memory_floor
            .store(super::memory::resident().unwrap_or(0), Ordering::Relaxed);
        let source = ast.source().unwrap_or_default().to_string();
        let unread = if self.limits.measures_values() {
            super::unread::Unread::default()
        } else {
            super::unread::Unread::of(ast)
        };
        let _running = super::unread::running(unread);
        self.engine
            .eval_ast_with_scope::<Dynamic>(scope, ast)
            .map_err(|e| {
                let mut e = ScriptError::from_eval(&e, &source, &self.sources);
                super::strict::explain_property(&mut e, scope);
                e
            })
    }

    /// Evaluates under the time limit, with a fresh cancel flag: `run` evaluates a whole playbook this
    /// way, the REPL each statement (its scope survives a timeout or Ctrl-C).
    pub fn eval_limited(&self, scope: &mut Scope, ast: &AST) -> Result<Dynamic, ScriptError> {
        self.cancel().reset();
        self.cancel().arm_timeout(self.limits.timeout);
        let result = self.eval(scope, ast);
        self.cancel().reset();
        result
    }

    /// Runs a prepared playbook with `args` (the script's `args` map) under the time limit.
    pub fn run_ast(&self, ast: &AST, args: Map) -> Result<Dynamic, ScriptError> {
        self.run_ast_keeping_scope(ast, args).0
    }

    /// As [`Runtime::run_ast`], with the scope the playbook ends with (for
    /// [`super::leave::leave_to_exit`]).
    pub fn run_ast_keeping_scope(
        &self,
        ast: &AST,
        args: Map,
    ) -> (Result<Dynamic, ScriptError>, Scope<'static>) {
        let mut scope = Scope::new();
        scope.push_constant("args", args.clone());
        let result = self.eval_limited(&mut scope, ast).map_err(|mut e| {
            super::strict::explain_args(&mut e, &args);
            e
        });
        (result, scope)
    }
}

/// Runs `f` on a thread of its own with a stack deep enough for the call-depth limit, never on a tokio
/// worker (the HTTP client blocks on its own runtime).
pub fn on_script_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .name("falconry-script".into())
        .stack_size(256 * 1024 * 1024)
        .spawn(f)
        .expect("cannot start the script thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// What ends a run over its memory limit (read back by `rhai_errors`: reason `memory`). Termination,
/// not a throw: a `catch` cannot swallow it.
fn memory_token(held: u64, max: u64) -> Dynamic {
    use super::memory::show_size;
    let mut m = rhai::Map::new();
    m.insert("reason".into(), "memory".into());
    m.insert(
        "message".into(),
        format!(
            "this run holds {} of memory, over its limit of {}",
            show_size(held),
            show_size(max)
        )
        .into(),
    );
    m.into()
}
