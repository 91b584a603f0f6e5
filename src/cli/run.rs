//! `falconry run`: one playbook, on its own thread, against the selected backend.

use super::backend;
use super::config::RunConfig;
use super::error::Error;
use crate::engine::render_script_error;
use crate::engine::{Cancel, ScriptError, convert, on_script_thread};
use crate::safety::{Playbook, Safety};

pub fn run(cfg: RunConfig) -> Result<(), Error> {
    let cancel = Cancel::new();
    super::interrupt::stop_on_ctrl_c(cancel.clone());
    let backend::Selected { backend, emulator } = backend::select(&cancel)?;
    let RunConfig {
        playbook,
        args,
        json,
        mut options,
        safety,
    } = cfg;
    let safety = safety
        .build(Playbook::from_file(&playbook), emulator.is_none())
        .map_err(Error::Usage)?;
    if safety.is_planning() {
        eprintln!("falconry: plan mode: reads are sent, changes are recorded and not sent");
    }
    options.safety = safety.clone();
    let outcome = on_script_thread(move || {
        let runtime = crate::rtr::runtime(backend, &options, cancel);
        let ast = runtime.prepare_file(&playbook).map_err(not_run)?;
        crate::engine::strict::unknown_args(&ast, &args).map_err(Error::Usage)?;
        let value = runtime.run_ast(&ast, args)?;
        Ok::<_, Error>(convert::shown(&value))
    });
    // The emulator (if any) stops only after the playbook is done with it.
    drop(emulator);
    // The plan so far is shown even when the playbook failed: it says what it was about to do.
    if let Some(plan) = safety.render_plan() {
        eprint!("{plan}");
    }
    // A refused destructive step fails the run, whether the playbook caught the refusal or not: the
    // summary says what was held back and what had already changed.
    let refused = {
        let o = safety.outcome();
        (!o.refused.is_empty()).then(|| (o.refused.len(), o.render()))
    };
    let value = match (outcome, refused) {
        (Ok(v), None) => v,
        (Err(e), None) => return Err(e),
        (Err(e), Some((n, summary))) => {
            eprint!("{}", super::render(&e));
            eprint!("{summary}");
            return Err(Error::Refused(n));
        }
        (Ok(v), Some((n, summary))) => {
            print_result(json, &safety, v)?;
            eprint!("{summary}");
            return Err(Error::Refused(n));
        }
    };
    print_result(json, &safety, value)
}

/// With `--json`, the playbook's final value (and the plan, in plan mode) on stdout.
fn print_result(json: bool, safety: &Safety, value: serde_json::Value) -> Result<(), Error> {
    if json {
        let value = match safety.plan_json() {
            Some(plan) => serde_json::json!({ "result": value, "plan": plan }),
            None => value,
        };
        let text = serde_json::to_string_pretty(&value)
            .map_err(|e| Error::Io(format!("cannot write the result as JSON: {e}")))?;
        println!("{}", crate::api::redact::clean(&text));
    }
    Ok(())
}

/// One problem is the error; several are printed here and summed up.
fn not_run(mut problems: Vec<ScriptError>) -> Error {
    if problems.len() == 1 {
        return Error::Script(problems.remove(0));
    }
    for p in &problems {
        eprint!("{}", render_script_error(p));
    }
    Error::NotRun(problems.len())
}
