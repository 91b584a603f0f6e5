//! `falconry policy export|plan|apply`: response policies as code, against the tenant the
//! environment names or the embedded emulator (as `run` chooses).

use super::arguments::PolicyCommand;
use super::backend;
use super::error::Error;
use super::script_options::safety_flags;
use crate::engine::{Cancel, Context};
use crate::policies::{self, Desired, PolicyPlan, Source, Tenant};
use crate::safety::{Playbook, Safety};
use serde_json::Value;
use std::path::Path;

pub fn policy(command: PolicyCommand) -> Result<(), Error> {
    let cancel = Cancel::new();
    super::interrupt::stop_on_ctrl_c(cancel.clone());
    match command {
        PolicyCommand::Export { platform } => {
            let backend::Selected { backend, emulator } = backend::select(&cancel)?;
            let ctx = context(backend, cancel, Safety::default());
            let tenant = Tenant::load_policies(&ctx).map_err(Error::Policy)?;
            print!(
                "{}",
                policies::export(&tenant, platform.as_deref()).map_err(Error::Policy)?
            );
            drop(emulator);
            Ok(())
        }
        PolicyCommand::Plan { file, json, save } => {
            let (desired, source) = read_file(&file)?;
            let backend::Selected { backend, emulator } = backend::select(&cancel)?;
            let ctx = context(backend, cancel, Safety::default());
            let tenant = Tenant::load(&ctx).map_err(Error::Policy)?;
            let plan = PolicyPlan::make(desired, &tenant, &source).map_err(Error::Policy)?;
            drop(emulator);
            if let Some(path) = save {
                let saved = plan.to_json();
                write_json(&path, &saved)?;
                // The hash a reviewer approves: `policy apply` applies exactly these changes or none.
                eprintln!(
                    "falconry: plan saved to {} (changes sha256 {})",
                    crate::terminal::line(&path.to_string_lossy()),
                    saved[policies::CHANGES_HASH].as_str().unwrap_or_default()
                );
            }
            if json {
                print_json(&plan.to_json())?;
            } else {
                print!("{}", plan.render());
            }
            if plan.is_empty() {
                Ok(())
            } else {
                Err(Error::Changes)
            }
        }
        PolicyCommand::Apply { file, json, safety } => {
            let saved = file.extension().is_some_and(|e| e == "json");
            let backend::Selected { backend, emulator } = backend::select(&cancel)?;
            let flags = safety_flags(safety);
            let safety = flags
                .build(
                    Playbook::named(&format!("policy apply {}", file.display())),
                    emulator.is_none(),
                )
                .map_err(|e| Error::Policy(policies::Error::input(e)))?;
            if safety.is_planning() {
                eprintln!("falconry: plan mode: reads are sent, changes are recorded and not sent");
            }
            let ctx = context(backend, cancel, safety.clone());
            let (plan, source) = if saved {
                let text = read(&file)?;
                let value: Value = serde_json::from_str(&text).map_err(|e| {
                    Error::Policy(policies::Error::input(format!(
                        "{} is not JSON: {e}",
                        file.display()
                    )))
                })?;
                let name = file.display().to_string();
                let plan = PolicyPlan::saved(&value, &name).map_err(Error::Policy)?;
                (plan, Source::map(&name))
            } else {
                let (desired, source) = read_file(&file)?;
                let tenant = Tenant::load(&ctx).map_err(Error::Policy)?;
                let plan = PolicyPlan::make(desired, &tenant, &source).map_err(Error::Policy)?;
                if !json {
                    print!("{}", plan.render());
                }
                if plan.is_empty() {
                    return if json {
                        print_json(&plan.to_json())
                    } else {
                        Ok(())
                    };
                }
                (plan, source)
            };
            let result = policies::apply(&ctx, &plan, &source);
            drop(emulator);
            if let Some(steps) = safety.render_plan() {
                eprint!("{steps}");
            }
            let applied = result.map_err(Error::Policy)?;
            if json {
                print_json(&applied.to_json())?;
            } else {
                if saved {
                    print!("{}", applied.render());
                }
                let n = applied.changes.len();
                let verb = if safety.is_planning() {
                    "Planned"
                } else {
                    "Applied"
                };
                println!("\n{verb} {n} change{}.", if n == 1 { "" } else { "s" });
            }
            Ok(())
        }
    }
}

fn context(
    backend: std::sync::Arc<dyn crate::engine::Backend>,
    cancel: Cancel,
    safety: Safety,
) -> Context {
    let here = std::env::current_dir().unwrap_or_default();
    Context {
        backend,
        cancel,
        out_dir: here.clone(),
        base_dir: here,
        safety,
        case: None,
        recent_hosts: Default::default(),
    }
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::Io(format!("cannot read {}: {e}", path.display())))
}

/// A policy file, validated before anything is sent.
fn read_file(path: &Path) -> Result<(Desired, Source), Error> {
    let text = read(path)?;
    let name = path.display().to_string();
    let (value, source) = Source::toml(&name, &text).map_err(Error::Policy)?;
    let desired = Desired::from_value(&value, &source).map_err(Error::Policy)?;
    Ok((desired, source))
}

fn print_json(v: &Value) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(v)
        .map_err(|e| Error::Io(format!("cannot write the plan as JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

fn write_json(path: &Path, v: &Value) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(v)
        .map_err(|e| Error::Io(format!("cannot write the plan as JSON: {e}")))?;
    std::fs::write(path, text + "\n")
        .map_err(|e| Error::Io(format!("cannot write {}: {e}", path.display())))
}
