//! `falconry repl`: picks the backend like `run`, adds `help()` (read from the operation table, printed as
//! `falconry ops` prints it) and hands over to the REPL.

use super::arguments::ReplArgs;
use super::backend;
use super::error::Error;
use super::ops_list::describe_text;
use super::playbook_args::arg_map;
use super::script_options::{safety_flags, script_options};
use crate::api::ClientConfig;
use crate::engine::{Cancel, Options, collections, resolve, stdlib};
use crate::ops::{self, Collection};
use crate::repl::{self, Settings, history};
use crate::safety::{Guard, Playbook, RunFlags};
use rhai::{Engine, EvalAltResult, Map};
use std::fmt::Write;
use std::path::PathBuf;

pub struct ReplConfig {
    pub history: Option<PathBuf>,
    pub case: super::arguments::CaseArgs,
    pub args: Map,
    pub options: Options,
    pub safety: RunFlags,
}

impl ReplConfig {
    pub fn new(a: ReplArgs) -> Result<ReplConfig, Error> {
        let options = script_options(&a.script, PathBuf::from("."), false)?;
        Ok(ReplConfig {
            history: a.history.or_else(history::default_path),
            case: a.case,
            args: arg_map(&a.script.args, &a.script.arg_json)?,
            options,
            safety: safety_flags(a.script.safety),
        })
    }
}

pub fn repl(cfg: ReplConfig) -> Result<(), Error> {
    session(cfg, None)
}

/// The REPL, started at the Rhai prompt or (`falconry shell`) at the RTR shell.
pub fn session(cfg: ReplConfig, shell: Option<crate::shell::Start>) -> Result<(), Error> {
    let cancel = Cancel::new();
    let selected = backend::select(&cancel)?;
    let (described, secrets) = describe_backend(&selected);
    let case = super::case::open_for_repl(&cfg.case, &cfg.options.out_dir, &cfg.args)?;
    let mut flags = cfg.safety;
    flags.case_audit = case.as_ref().map(|c| c.audit_path());
    // Destructive requests are put to the person at the terminal, one by one.
    let safety = flags
        .build_with(
            Playbook::named("repl"),
            selected.emulator.is_none(),
            Guard::ask_on_terminal(),
        )
        .map_err(Error::Usage)?;
    let mut options = cfg.options;
    options.safety = safety.clone();
    options.case = case.clone();
    let mut runtime = crate::helpers::runtime(selected.backend.clone(), &options, cancel);
    register_help(runtime.engine_mut());
    let settings = Settings {
        history: cfg.history,
        redactor: history::Redactor::new(secrets),
        backend: described,
        args: cfg.args,
        timeout: options.limits.timeout,
        case: case.clone(),
        shell,
    };
    let ended = repl::run(runtime, settings).map_err(Error::Backend);
    if let Some(case) = &case
        && let Err(e) =
            case.close(&serde_json::json!({ "status": if ended.is_ok() { "ok" } else { "error" } }))
    {
        eprintln!("falconry: case `{}`: {e}", case.dir().display());
    }
    ended?;
    if let Some(plan) = safety.render_plan() {
        eprint!("{plan}");
    }
    // The emulator (if any) stops only after the last session in the scope was closed.
    drop(selected);
    Ok(())
}

/// What `:sim` shows, and the secrets the history must never hold.
fn describe_backend(selected: &backend::Selected) -> (String, Vec<String>) {
    if let Some((described, secret)) = backend::profile_tenant() {
        return (described.clone(), vec![secret.expose().to_string()]);
    }
    match &selected.emulator {
        Some(e) => (
            format!("the embedded emulator at {}", e.base_url),
            vec![e.client_secret.clone()],
        ),
        None => match ClientConfig::from_env() {
            Ok(Some(c)) => (
                format!("{} as client `{}`", c.base_url, c.client_id),
                vec![c.client_secret.expose().to_string()],
            ),
            _ => ("the configured tenant".to_string(), Vec::new()),
        },
    }
}

/// `help()` and `help("module::operation")`; they print and return nothing.
fn register_help(engine: &mut Engine) {
    engine.register_fn("help", || print!("{}", overview()));
    engine.register_fn("help", |topic: &str| -> Result<(), Box<EvalAltResult>> {
        print!("{}", topic_help(topic)?);
        Ok(())
    });
}

fn overview() -> String {
    let mut out = String::from(
        "collections (call `module::operation(#{ key: value })`; `help(\"module\")` lists one):\n",
    );
    for c in collections() {
        let _ = writeln!(
            out,
            "  {:<28} {} operations",
            c.module(),
            ops::in_collection(c).count()
        );
    }
    let modules: Vec<&str> = stdlib::STDLIB.iter().map(|(p, _)| *p).collect();
    let _ = write!(
        out,
        "helpers:
  help(\"module::operation\")      method, path, parameters, ranges and accepted keys of one operation
  print(value), debug(value)     show a value (debug adds the line)
  sleep(seconds)                 wait; Ctrl-C or the time limit cuts it short
  table(rows, columns)           rows as a table, as the REPL shows them; also pad_left, pad_right, center, truncate_text
  log::info(msg)                 also log::debug, log::warn, log::error; to stderr with a timestamp
  import \"path\" as name;         a `--lib` module or a built-in one: {}
  try {{ ... }} catch (e) {{ ... }}   a failed call throws #{{ status_code, errors, operation, trace_id, message }}
",
        modules.join(", ")
    );
    let helpers: Vec<String> = crate::helpers::FUNCTIONS
        .iter()
        .map(|h| format!("{}::{}", h.owner, h.name))
        .collect();
    let _ = writeln!(out, "playbook helpers: {}", helpers.join(", "));
    for ty in ["Session", "Batch"] {
        let methods: Vec<&str> = crate::helpers::METHODS
            .iter()
            .filter(|h| h.owner == ty)
            .map(|h| h.name)
            .collect();
        let _ = writeln!(out, "{ty} methods: {}", methods.join(", "));
    }
    out.push_str(
        "parsed RTR output: `help(\"rtr\")` lists every key of `ps`, `netstat` and `ls` rows, per platform\n",
    );
    out.push_str("REPL commands: `:help`\n");
    out
}

fn topic_help(topic: &str) -> Result<String, Box<EvalAltResult>> {
    let topic = topic.trim();
    if topic == "rtr" {
        return Ok(format!(
            "{}\n{}",
            crate::helpers::help::commands_text(),
            crate::rtr::parse::schema::help_text()
        ));
    }
    if let Some(text) = crate::helpers::help::help(topic) {
        return Ok(text);
    }
    if let Some((module, name)) = topic.rsplit_once("::")
        && let Some(op) = resolve(module, name)
    {
        return Ok(describe_text(op));
    }
    if let Some(c) = Collection::from_module(topic).filter(|c| c.scriptable()) {
        let mut out = format!(
            "{} ({} operations)\n",
            c.module(),
            ops::in_collection(c).count()
        );
        for op in ops::in_collection(c) {
            let _ = writeln!(out, "  {:<48} {} {}", op.name, op.method, op.path);
        }
        return Ok(out);
    }
    Err(format!(
        "no operation, collection, helper or module `{topic}`; `help()` lists them, `help(\"rtr\")` the parsed RTR fields"
    )
    .into())
}
