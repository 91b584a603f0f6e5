//! `falconry shell`: the REPL started at its RTR shell, on the hosts the command line names.

use super::arguments::ShellArgs;
use super::error::Error;
use super::repl::ReplConfig;
use crate::shell::{Spec, Start};

pub struct ShellConfig {
    pub repl: ReplConfig,
    pub start: Start,
}

impl ShellConfig {
    pub fn new(a: ShellArgs) -> Result<ShellConfig, Error> {
        let mut targets: Vec<Spec> = Vec::new();
        for name in a.hosts {
            let name = name.trim().to_string();
            // A name goes into an FQL string: a quote would end it.
            if name.is_empty() || name.contains(['\'', '"', '\\']) {
                return Err(Error::Usage(format!(
                    "`--host {name}`: a hostname, without quotes or backslashes (use `--filter` for FQL)"
                )));
            }
            targets.push(Spec::Name(name));
        }
        targets.extend(a.filters.into_iter().map(Spec::Filter));
        for g in a.groups {
            if g.trim().is_empty() || g.contains(['\'', '"', '\\']) {
                return Err(Error::Usage(format!(
                    "`--group {g}`: a host group's name, without quotes or backslashes"
                )));
            }
            targets.push(Spec::Group(g));
        }
        if targets.is_empty() {
            return Err(Error::Usage(
                "`falconry shell` needs targets: `--host NAME`, `--filter FQL` or `--group NAME` (each repeatable)"
                    .into(),
            ));
        }
        Ok(ShellConfig {
            repl: ReplConfig::new(a.repl)?,
            start: Start {
                targets,
                queue_offline: a.queue_offline,
            },
        })
    }
}
