//! One run of one playbook on a script thread of its own, with what it printed kept for the inbox's result.

use crate::engine::{Backend, Cancel, Options, ScriptError, convert};
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
}

/// What a run needs; cloned into each run's thread.
#[derive(Clone)]
pub struct Runner {
    pub backend: Arc<dyn Backend>,
    pub options: Options,
    pub cancel: Cancel,
    pub args: Map,
}

impl Runner {
    /// Starts a run of `playbook`; `done` is called with its report on the run's thread.
    pub fn start(&self, playbook: PathBuf, done: impl FnOnce(Report) + Send + 'static) {
        let me = self.clone();
        std::thread::Builder::new()
            .name("falconry-script".into())
            .stack_size(256 * 1024 * 1024)
            .spawn(move || done(me.run(playbook)))
            .expect("cannot start the script thread");
    }

    fn run(&self, playbook: PathBuf) -> Report {
        let start = SystemTime::now();
        let output = Arc::new(Mutex::new(String::new()));
        // Each run is planned and audited under its own playbook's name.
        let mut options = self.options.clone();
        options.safety = options.safety.for_playbook(Playbook::from_file(&playbook));
        // A fresh engine per run: modules imported from `--lib` are read again after an edit.
        let mut runtime = crate::rtr::runtime(self.backend.clone(), &options, self.cancel.clone());
        let out = output.clone();
        runtime.engine_mut().on_print(move |s| {
            println!("{s}");
            if let Ok(mut o) = out.lock() {
                o.push_str(s);
                o.push('\n');
            }
        });
        let out = output.clone();
        runtime.engine_mut().on_debug(move |s, _, pos| {
            let line = match pos.line() {
                Some(l) => format!("[line {l}] {s}"),
                None => s.to_string(),
            };
            eprintln!("{line}");
            if let Ok(mut o) = out.lock() {
                o.push_str(&line);
                o.push('\n');
            }
        });
        let result = runtime
            .run_file(&playbook, self.args.clone())
            .map(|v| convert::to_json(&v).unwrap_or_else(|_| Value::String(v.to_string())));
        if let Some(plan) = options.safety.render_plan() {
            eprint!("{plan}");
        }
        let output = output.lock().map(|o| o.clone()).unwrap_or_default();
        Report {
            playbook,
            start,
            end: SystemTime::now(),
            output,
            result,
        }
    }
}
