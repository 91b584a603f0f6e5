//! One run of one playbook on a script thread of its own, with what it printed kept for the inbox's result.

use crate::engine::case::{Case, CaseInfo, claim_default_dir};
use crate::engine::{Backend, Cancel, ErrorKind, Options, ScriptError, convert};
use crate::safety::Playbook;
use rhai::Map;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

pub struct Report {
    pub playbook: PathBuf,
    pub start: SystemTime,
    pub end: SystemTime,
    /// What `print` and `debug` wrote, one line each.
    pub output: String,
    pub result: Result<Value, ScriptError>,
    /// The run's case folder, when it has one.
    pub case: Option<PathBuf>,
}

/// What a run needs; cloned into each run's thread.
#[derive(Clone)]
pub struct Runner {
    pub backend: Arc<dyn Backend>,
    pub options: Options,
    pub cancel: Cancel,
    pub args: Map,
    /// Each run writes a case under `<this>/cases/`, as `run` does (`None`: `--no-case`).
    pub cases: Option<PathBuf>,
}

impl Runner {
    /// Starts a run of `playbook` with `extra` arguments over the command line's (an inbox's
    /// `NAME.args.json`, or why it could not be read); `done` is called with its report on the run's thread.
    pub fn start(
        &self,
        playbook: PathBuf,
        extra: Result<Option<serde_json::Map<String, Value>>, String>,
        done: impl FnOnce(Report) + Send + 'static,
    ) {
        let me = self.clone();
        std::thread::Builder::new()
            .name("falconry-script".into())
            .stack_size(256 * 1024 * 1024)
            .spawn(move || {
                let start = SystemTime::now();
                let path = playbook.clone();
                // A bug that panics inside one playbook's run must not wedge the watcher: the run is
                // filed as failed with the panic's message, and watching goes on.
                let report = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    me.run(playbook, extra)
                }))
                .unwrap_or_else(|panic| {
                    let why = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "unknown cause".into());
                    Report {
                        playbook: path,
                        start,
                        end: SystemTime::now(),
                        output: String::new(),
                        case: None,
                        result: Err(ScriptError::new(
                            ErrorKind::Runtime,
                            format!(
                                "falconry failed inside this run (a bug, please report it): {why}; \
                                 requests it sent may have run"
                            ),
                        )),
                    }
                });
                done(report)
            })
            .expect("cannot start the script thread");
    }

    fn run(
        &self,
        playbook: PathBuf,
        extra: Result<Option<serde_json::Map<String, Value>>, String>,
    ) -> Report {
        let start = SystemTime::now();
        let mut args = self.args.clone();
        match extra {
            Ok(extra) => {
                for (k, v) in extra.into_iter().flatten() {
                    args.insert(k.into(), convert::from_json(&v));
                }
            }
            Err(message) => {
                return Report {
                    playbook,
                    start,
                    end: SystemTime::now(),
                    output: String::new(),
                    result: Err(ScriptError::new(ErrorKind::Argument, message)),
                    case: None,
                };
            }
        }
        let failed = |playbook: PathBuf, message: String| Report {
            playbook,
            start,
            end: SystemTime::now(),
            output: String::new(),
            result: Err(ScriptError::new(ErrorKind::Runtime, message)),
            case: None,
        };
        let case = match self.open_case(&playbook, &args) {
            Ok(c) => c,
            Err(message) => return failed(playbook, message),
        };
        let output = Arc::new(Mutex::new(String::new()));
        // Each run is planned and audited under its own playbook's name, into its own case.
        let mut options = self.options.clone();
        let case_audit = case.as_ref().map(Case::audit_path);
        options.safety = match options
            .safety
            .for_playbook(Playbook::from_file(&playbook), case_audit.as_deref())
        {
            Ok(s) => s,
            Err(message) => return failed(playbook, message),
        };
        options.case = case.clone();
        // A fresh engine per run: modules imported from `--lib` are read again after an edit.
        let mut runtime =
            crate::helpers::runtime(self.backend.clone(), &options, self.cancel.clone());
        let out = output.clone();
        let transcript = case.clone();
        let raw = options.raw_print;
        runtime.engine_mut().on_print(move |s| {
            use std::io::IsTerminal;
            let s = crate::ops::redact::clean(s);
            if !raw && std::io::stdout().is_terminal() {
                println!("{}", crate::terminal::text(&s));
            } else {
                println!("{s}");
            }
            if let Some(c) = &transcript {
                c.transcript().print(&s);
            }
            if let Ok(mut o) = out.lock() {
                o.push_str(&s);
                o.push('\n');
            }
        });
        let out = output.clone();
        runtime.engine_mut().on_debug(move |s, _, pos| {
            let line = match pos.line() {
                Some(l) => format!("[line {l}] {s}"),
                None => s.to_string(),
            };
            eprintln!(
                "{}",
                crate::terminal::text(&crate::ops::redact::clean(&line))
            );
            if let Ok(mut o) = out.lock() {
                o.push_str(&line);
                o.push('\n');
            }
        });
        let result = runtime
            .run_file(&playbook, args)
            .map(|v| convert::shown(&v));
        if let Some(plan) = options.safety.render_plan() {
            eprint!("{plan}");
        }
        if let Some(c) = &case {
            close_case(c, &result, options.safety.outcome().refused.len());
        }
        let output = output.lock().map(|o| o.clone()).unwrap_or_default();
        Report {
            playbook,
            start,
            end: SystemTime::now(),
            output,
            result,
            case: case.map(|c| c.dir().to_path_buf()),
        }
    }

    /// A new case for this run of `playbook`, as `run` makes one: `<out>/cases/<time>-<name>`.
    fn open_case(&self, playbook: &std::path::Path, args: &Map) -> Result<Option<Case>, String> {
        let Some(out) = &self.cases else {
            return Ok(None);
        };
        let text = std::fs::read(playbook)
            .map_err(|e| format!("cannot read `{}`: {e}", playbook.display()))?;
        let p = Playbook::from_file(playbook);
        let dir = claim_default_dir(out, &p.name)?;
        let arguments =
            convert::to_json(&rhai::Dynamic::from_map(args.clone())).unwrap_or(Value::Null);
        let info = CaseInfo::new("run", &p.name, p.path.clone(), p.sha256.clone(), arguments);
        let case = Case::create(&dir, info, Some(&text))?;
        case.transcript()
            .event("start", serde_json::json!({ "resumed": false }));
        Ok(Some(case))
    }
}

/// Writes the case's summary and manifest, as `run` does at its end.
fn close_case(case: &Case, result: &Result<Value, ScriptError>, refused: usize) {
    let how = match result {
        Ok(v) if refused > 0 => {
            serde_json::json!({ "status": "refused", "refused": refused, "result": v })
        }
        Ok(v) => serde_json::json!({ "status": "ok", "result": v }),
        Err(e) => serde_json::json!({
            "status": if e.kind == ErrorKind::Interrupted { "interrupted" } else { "error" },
            "error": crate::engine::render_script_error(e).trim_end(),
        }),
    };
    if let Err(e) = case.close(&how) {
        eprintln!("falconry: case `{}`: {e}", case.dir().display());
    }
}
