//! The validated configuration: clap's raw arguments checked once, turned into domain values.

use super::arguments::{
    Arguments, CheckArgs, LimitArgs, OpsArgs, PolicyCommand, RunArgs, SafetyArgs, ScriptArgs,
    SimAction, SimArgs, Verb,
};
use super::error::Error;
use super::playbook_args::arg_map;
use super::repl::ReplConfig;
use super::watch::WatchConfig;
use crate::engine::{Level, Limits, Options};
use crate::ops::Collection;
use crate::safety::{RunFlags, Safety};
use rhai::Map;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub enum Config {
    Run(RunConfig),
    Ops(OpsConfig),
    Check(CheckConfig),
    Sim(SimConfig),
    Repl(ReplConfig),
    Shell(super::shell::ShellConfig),
    Watch(WatchConfig),
    Policy(PolicyCommand),
    Case(super::arguments::CaseCommand),
    Defs(std::path::PathBuf),
    Profile(super::arguments::ProfileCommand),
}

pub struct RunConfig {
    pub playbook: PathBuf,
    pub args: Map,
    pub case: super::case::CaseChoice,
    pub json: bool,
    /// `--format`, `--output`, `--csv-raw`: how the final value is handed on.
    pub hand_off: Option<HandOff>,
    pub options: Options,
    pub safety: RunFlags,
}

pub struct HandOff {
    pub format: crate::engine::export::Format,
    pub file: Option<PathBuf>,
    pub csv_raw: bool,
}

pub struct OpsConfig {
    pub collection: Option<Collection>,
    pub json: bool,
    /// List the playbook helpers, their methods and the built-in library instead.
    pub helpers: bool,
}

pub struct CheckConfig {
    pub playbooks: Vec<PathBuf>,
    pub options: Options,
}

pub struct SimConfig {
    pub action: Option<SimAction>,
    pub listen: SocketAddr,
    pub scenario: Option<PathBuf>,
    pub seed: Option<u64>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

impl Config {
    pub fn from_arguments(arguments: Arguments) -> Result<Config, Error> {
        super::backend::choose_profile(arguments.profile);
        Ok(match arguments.command {
            Verb::Run(a) => Config::Run(RunConfig::new(a)?),
            Verb::Ops(a) => Config::Ops(OpsConfig::new(a)?),
            Verb::Check(a) => Config::Check(CheckConfig::new(a)?),
            Verb::Sim(a) => Config::Sim(SimConfig::new(a)?),
            Verb::Repl(a) => Config::Repl(ReplConfig::new(a)?),
            Verb::Shell(a) => Config::Shell(super::shell::ShellConfig::new(a)?),
            Verb::Watch(a) => Config::Watch(WatchConfig::new(a)?),
            Verb::Policy(c) => Config::Policy(c),
            Verb::Case(c) => Config::Case(c),
            Verb::Defs { dir } => Config::Defs(dir),
            Verb::Profile(c) => Config::Profile(c),
        })
    }
}

impl RunConfig {
    fn new(a: RunArgs) -> Result<RunConfig, Error> {
        let mut args = arg_map(&a.script.args, &a.script.arg_json)?;
        let (playbook, case) = super::case::choose_for_run(
            a.playbook.as_deref(),
            &mut args,
            a.resume.as_deref(),
            &a.case,
            &a.script.out,
        )?;
        let hand_off = a.format.as_deref().map(|name| HandOff {
            // clap allows only these names.
            format: crate::engine::export::Format::parse(name)
                .unwrap_or(crate::engine::export::Format::Json),
            file: a.output.clone().map(absolute),
            csv_raw: a.csv_raw,
        });
        let to_stderr = a.json || hand_off.as_ref().is_some_and(|h| h.file.is_none());
        let options = script_options(&a.script, folder_of(&playbook), to_stderr)?;
        Ok(RunConfig {
            playbook,
            args,
            case,
            json: a.json,
            hand_off,
            options,
            safety: safety_flags(a.script.safety),
        })
    }
}

impl OpsConfig {
    fn new(a: OpsArgs) -> Result<OpsConfig, Error> {
        let collection = match a.collection {
            None => None,
            Some(name) => Some(
                Collection::from_module(&name)
                    .filter(|c| c.scriptable())
                    .ok_or_else(|| {
                        let names: Vec<String> = crate::engine::collections()
                            .map(|c| format!("`{}`", c.module()))
                            .collect();
                        Error::Usage(format!(
                            "unknown collection `{name}`; use one of {}",
                            names.join(", ")
                        ))
                    })?,
            ),
        };
        Ok(OpsConfig {
            collection,
            json: a.json,
            helpers: a.helpers,
        })
    }
}

impl CheckConfig {
    fn new(a: CheckArgs) -> Result<CheckConfig, Error> {
        let options = Options {
            lib_dir: lib_dir(a.lib)?,
            ..Options::default()
        };
        Ok(CheckConfig {
            playbooks: a.playbooks,
            options,
        })
    }
}

impl SimConfig {
    fn new(a: SimArgs) -> Result<SimConfig, Error> {
        let listen = a.listen.parse().map_err(|_| {
            Error::Usage(format!(
                "`--listen {}` is not an address like `127.0.0.1:8787`",
                a.listen
            ))
        })?;
        Ok(SimConfig {
            action: a.action,
            listen,
            scenario: a.scenario,
            seed: a.seed,
            client_id: a.client_id,
            client_secret: a.client_secret,
        })
    }
}

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

fn folder_of(playbook: &Path) -> PathBuf {
    match playbook.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
