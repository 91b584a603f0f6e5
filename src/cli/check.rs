//! `falconry check`: compile playbooks, report every problem with its position, run nothing.

use super::config::CheckConfig;
use super::error::Error;
use crate::engine::render_script_error;
use crate::engine::{Cancel, Offline, check::check_file};
use std::sync::Arc;

pub fn check(cfg: CheckConfig) -> Result<(), Error> {
    let runtime = crate::helpers::runtime(Arc::new(Offline), &cfg.options, Cancel::new());
    let mut found = 0;
    for path in &cfg.playbooks {
        let problems = check_file(&runtime, path);
        for p in &problems {
            eprint!("{}", render_script_error(p));
        }
        if problems.is_empty() {
            println!("{}: ok", path.display());
        }
        found += problems.len();
    }
    if found == 0 {
        Ok(())
    } else {
        Err(Error::Findings(found))
    }
}
