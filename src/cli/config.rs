//! Place: the top of the CLI's wiring below `mod.rs`: it reads every verb's config from the verb's own
//! file (each verb file knows only `script_options.rs` and the layers below), so nothing imports it back
//! but the verbs that take `RunConfig`/`CheckConfig`.
//! The validated configuration: clap's raw arguments checked once, turned into domain values.

use super::arguments::{Arguments, CheckArgs, PolicyCommand, RunArgs, Verb};
use super::error::Error;
use super::ops_list::OpsConfig;
use super::playbook_args::arg_map;
use super::repl::ReplConfig;
use super::script_options::{absolute, lib_dir, safety_flags, script_options};
use super::sim::SimConfig;
use super::watch::WatchConfig;
use crate::engine::Options;
use crate::safety::RunFlags;
use rhai::Map;
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

pub struct CheckConfig {
    pub playbooks: Vec<PathBuf>,
    pub options: Options,
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

fn folder_of(playbook: &Path) -> PathBuf {
    match playbook.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
