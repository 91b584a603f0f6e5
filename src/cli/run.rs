//! `falconry run`: one playbook, on its own thread, against the selected backend.

use super::backend;
use super::config::{HandOff, RunConfig};
use super::error::Error;
use crate::engine::export::export;
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
        case,
        json,
        hand_off,
        mut options,
        mut safety,
    } = cfg;
    let case = super::case::open_for_run(&case, &playbook, &args)?;
    // The case keeps its own copy of the run's audit entries.
    safety.case_audit = case.as_ref().map(|c| c.audit_path());
    let safety = safety
        .build(Playbook::from_file(&playbook), emulator.is_none())
        .map_err(Error::Usage)?;
    if safety.is_planning() {
        eprintln!("falconry: plan mode: reads are sent, changes are recorded and not sent");
    }
    options.safety = safety.clone();
    options.case = case.clone();
    let started = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ran = started.clone();
    let outcome = on_script_thread(move || {
        let runtime = crate::helpers::runtime(backend, &options, cancel);
        let ast = runtime.prepare_file(&playbook).map_err(not_run)?;
        ran.store(true, std::sync::atomic::Ordering::SeqCst);
        crate::engine::strict::unknown_args(&ast, &args).map_err(Error::Usage)?;
        let (value, scope) = runtime.run_ast_keeping_scope(&ast, args);
        let value = value?;
        let shown = convert::shown(&value);
        crate::engine::leave::leave_to_exit(scope, value);
        Ok::<_, Error>(shown)
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
    let sealed = case
        .as_ref()
        .and_then(|c| close_case(c, &safety, &outcome, refused.as_ref().map(|r| r.0)));
    // The manifest's hash closes what the run says (a playbook that never started has no case to
    // speak of): kept elsewhere, it shows any later change to the folder.
    let sealed = sealed.filter(|_| started.load(std::sync::atomic::Ordering::SeqCst));
    // An error is printed by the caller: the line goes after it.
    let seal = |e: Error| match &sealed {
        Some(line) => Error::Then(Box::new(e), line.clone()),
        None => e,
    };
    let value = match (outcome, refused) {
        (Ok(v), None) => v,
        (Err(e), None) => return Err(seal(e)),
        (Err(e), Some((n, summary))) => {
            eprint!("{}", super::render(&e));
            eprint!("{summary}");
            return Err(seal(Error::Refused(n)));
        }
        (Ok(v), Some((n, summary))) => {
            print_result(json, hand_off.as_ref(), &safety, v).map_err(seal)?;
            eprint!("{summary}");
            return Err(seal(Error::Refused(n)));
        }
    };
    print_result(json, hand_off.as_ref(), &safety, value).map_err(seal)?;
    if let Some(line) = &sealed {
        eprintln!("{line}");
    }
    Ok(())
}

/// With `--json`, the playbook's final value (and the plan, in plan mode) on stdout; with
/// `--format`, the value in that format on stdout or in `--output`.
fn print_result(
    json: bool,
    hand_off: Option<&HandOff>,
    safety: &Safety,
    value: serde_json::Value,
) -> Result<(), Error> {
    if let Some(h) = hand_off {
        return hand_on(h, &value);
    }
    if json {
        let value = match (safety.plan_json(), safety.plan_refusals()) {
            (Some(plan), Some(refused)) => {
                serde_json::json!({ "result": value, "plan": plan, "refused": refused })
            }
            _ => value,
        };
        let text = serde_json::to_string_pretty(&value)
            .map_err(|e| Error::Io(format!("cannot write the result as JSON: {e}")))?;
        println!("{}", crate::ops::redact::clean(&text));
    }
    Ok(())
}

/// The final value in `--format`, written to `--output` or stdout. A table on a terminal fits its
/// width; in a file or a pipe it is as wide as its cells.
fn hand_on(h: &HandOff, value: &serde_json::Value) -> Result<(), Error> {
    use std::io::IsTerminal;
    let width = (h.file.is_none() && std::io::stdout().is_terminal())
        .then(crate::engine::display::terminal_width);
    let out = export(value, h.format, width, h.csv_raw).map_err(Error::Usage)?;
    let text = crate::ops::redact::clean(&out.text);
    if out.neutralised > 0 {
        eprintln!(
            "falconry: {} CSV cell{} starting with =, +, - or @ written with a leading ' so a spreadsheet does not run {} as a formula (`--csv-raw` writes them as they are)",
            out.neutralised,
            if out.neutralised == 1 { "" } else { "s" },
            if out.neutralised == 1 { "it" } else { "them" },
        );
    }
    match &h.file {
        Some(path) => std::fs::write(path, text.as_bytes())
            .map_err(|e| Error::Io(format!("cannot write `{}`: {e}", path.display()))),
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| Error::Io(format!("cannot write the result: {e}")))
        }
    }
}

/// Writes the case's summary and manifest, however the run ended, and audits the manifest's hash;
/// returns the line that tells it.
fn close_case(
    case: &crate::engine::case::Case,
    safety: &Safety,
    outcome: &Result<serde_json::Value, Error>,
    refused: Option<usize>,
) -> Option<String> {
    let how = match (outcome, refused) {
        (Ok(v), Some(n)) => serde_json::json!({ "status": "refused", "refused": n, "result": v }),
        (Ok(v), None) => serde_json::json!({ "status": "ok", "result": v }),
        (Err(e), _) => serde_json::json!({
            "status": if e.exit_code() == 130 { "interrupted" } else { "error" },
            "error": super::render(e).trim_end(),
        }),
    };
    let shown = crate::terminal::line(&case.dir().to_string_lossy()).into_owned();
    match case.close(&how) {
        Ok(sha256) => {
            if let Err(e) = safety.audit_case_sealed(case.dir(), &sha256) {
                eprintln!("falconry: {e}");
            }
            Some(format!(
                "falconry: case `{shown}` closed; manifest sha256 {sha256}"
            ))
        }
        Err(e) => {
            eprintln!("falconry: case `{shown}`: {}", crate::terminal::line(&e));
            None
        }
    }
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
