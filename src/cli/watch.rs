//! `falconry watch`: validates the arguments, picks the backend like `run` and starts watching.

use super::arguments::WatchArgs;
use super::backend;
use super::error::Error;
use super::playbook_args::arg_map;
use super::script_options::{absolute, safety_flags, script_options};
use crate::engine::{Cancel, Options};
use crate::safety::{Playbook, RunFlags};
use crate::watch::{self, Runner, Target};
use rhai::Map;

pub struct WatchConfig {
    pub target: Target,
    /// Where each run's case goes (`OUT`), `None` with `--no-case`.
    pub cases: Option<std::path::PathBuf>,
    pub args: Map,
    pub options: Options,
    pub safety: RunFlags,
}

impl WatchConfig {
    pub fn new(a: WatchArgs) -> Result<WatchConfig, Error> {
        let path = absolute(a.path);
        let target = if a.inbox {
            if !path.is_dir() {
                return Err(Error::Usage(format!(
                    "`--inbox {}` is not a folder",
                    path.display()
                )));
            }
            Target::Inbox(path.clone())
        } else if path.is_dir() {
            Target::Folder(path.clone())
        } else if path.is_file() {
            Target::File(path.clone())
        } else {
            return Err(Error::Usage(format!(
                "`{}` is not a playbook file or folder",
                path.display()
            )));
        };
        // Relative paths in playbooks (uploads) are taken from the watched folder.
        let base_dir = match &target {
            Target::File(f) => f.parent().map(|p| p.to_path_buf()).unwrap_or(path.clone()),
            _ => path.clone(),
        };
        let options = script_options(&a.script, base_dir, false)?;
        Ok(WatchConfig {
            target,
            cases: (!a.no_case).then(|| options.out_dir.clone()),
            args: arg_map(&a.script.args, &a.script.arg_json)?,
            options,
            safety: safety_flags(a.script.safety),
        })
    }
}

pub fn watch(cfg: WatchConfig) -> Result<(), Error> {
    let cancel = Cancel::new();
    let selected = backend::select(&cancel)?;
    let mut options = cfg.options;
    // Each run gets its own plan and playbook name from this (see `Runner`).
    options.safety = cfg
        .safety
        .build(Playbook::named("watch"), selected.emulator.is_none())
        .map_err(Error::Usage)?;
    let runner = Runner {
        backend: selected.backend.clone(),
        options,
        cancel,
        args: cfg.args,
        cases: cfg.cases,
    };
    watch::run(cfg.target, runner).map_err(Error::Backend)?;
    drop(selected);
    Ok(())
}
