//! `falconry repl`: statements typed one at a time against a persistent scope, with history, completion,
//! readable results and Ctrl-C that stops the running statement, not the session.

mod balance;
pub mod complete;
pub mod display;
mod helper;
pub mod history;
pub mod interrupt;
mod worker;

use crate::cli::render_script_error;
use crate::engine::{ErrorKind, Reason, Runtime};
use helper::ReplHelper;
use history::Redactor;
use rhai::Map;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Config, Editor};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use worker::{Job, Worker};

/// Everything the REPL needs besides the runtime.
pub struct Settings {
    /// `None`: no history file (no data directory known).
    pub history: Option<PathBuf>,
    pub redactor: Redactor,
    /// Shown by `:sim` / `:connect` and in the banner, e.g. `the embedded emulator at http://...`.
    pub backend: String,
    /// The `args` map statements (and loaded playbooks) see.
    pub args: Map,
    /// The time limit of each statement.
    pub timeout: Duration,
}

const PROMPT: &str = "falconry> ";
const MORE: &str = "      ..> ";

const COMMANDS_HELP: &str = "\
commands:
  :json         switch between readable results and raw JSON
  :load FILE    run a playbook in the current scope
  :save FILE    write this session's successful statements as a playbook
  :sim          show the backend in use (also `:connect`)
  :help         this list; `help()` lists collections and helpers
  :quit         leave (also Ctrl-D); open RTR sessions are closed
keys: Tab completes, Ctrl-R searches history, Ctrl-C stops a running statement or clears the line
";

/// Runs the REPL until Ctrl-D or `:quit`.
pub fn run(runtime: Runtime, settings: Settings) -> Result<(), String> {
    let known = Arc::new(Mutex::new(complete::Known::default()));
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_dups(true)
        .map_err(|e| e.to_string())?
        .max_history_size(5000)
        .map_err(|e| e.to_string())?
        .build();
    let mut editor: Editor<ReplHelper, FileHistory> =
        Editor::with_config(config).map_err(|e| format!("cannot start the line editor: {e}"))?;
    editor.set_helper(Some(ReplHelper {
        known: known.clone(),
    }));
    if let Some(path) = &settings.history
        && path.exists()
    {
        editor
            .load_history(path)
            .map_err(|e| format!("cannot read the history `{}`: {e}", path.display()))?;
    }

    let worker = Worker::start(runtime, settings.args.clone(), settings.timeout);
    let running = Arc::new(AtomicBool::new(false));
    {
        let running = running.clone();
        let cancel = worker.cancel().clone();
        interrupt::on_ctrl_c(move || {
            if running.load(Ordering::SeqCst) {
                cancel.trip(Reason::Interrupted);
            }
        })?;
    }

    println!(
        "falconry repl on {}\n`help()` lists operations and helpers, `:help` the commands, Ctrl-D leaves",
        settings.backend
    );
    let mut session = Session {
        worker,
        running,
        known,
        settings,
        raw_json: false,
        transcript: Vec::new(),
        count: 0,
    };
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { PROMPT } else { MORE };
        match editor.readline(prompt) {
            Ok(line) => {
                // Without a terminal the editor hands over single lines; join them here instead.
                if !pending.is_empty() {
                    pending.push('\n');
                }
                pending.push_str(&line);
                if !pending.trim_start().starts_with(':') && balance::scan(&pending).incomplete() {
                    continue;
                }
                let input = std::mem::take(&mut pending);
                if input.trim().is_empty() {
                    continue;
                }
                session.remember(&mut editor, &input);
                if !session.handle(&input) {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => {
                pending.clear();
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(format!("cannot read input: {e}")),
        }
    }
    session.worker.finish();
    Ok(())
}

struct Session {
    worker: Worker,
    running: Arc<AtomicBool>,
    known: Arc<Mutex<complete::Known>>,
    settings: Settings,
    raw_json: bool,
    /// The statements that succeeded, for `:save`.
    transcript: Vec<String>,
    count: usize,
}

impl Session {
    /// Adds `input` to the history (unless it holds a secret) and writes the history file at once, so a
    /// killed terminal loses nothing.
    fn remember(&self, editor: &mut Editor<ReplHelper, FileHistory>, input: &str) {
        if !self.settings.redactor.allows(input) {
            return;
        }
        let _ = editor.add_history_entry(input);
        if let Some(path) = &self.settings.history {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            match editor.save_history(path) {
                Ok(()) => private(path),
                Err(e) => eprintln!(
                    "warning: cannot write the history `{}`: {e}",
                    path.display()
                ),
            }
        }
    }

    /// Handles one complete input; false ends the session.
    fn handle(&mut self, input: &str) -> bool {
        let trimmed = input.trim();
        if let Some(command) = trimmed.strip_prefix(':') {
            let (name, arg) = command
                .split_once(char::is_whitespace)
                .map_or((command, ""), |(n, a)| (n, a.trim()));
            return self.command(name, arg);
        }
        self.count += 1;
        let job = Job {
            name: format!("<repl {}>", self.count),
            text: input.to_string(),
        };
        if self.eval(job) && !trimmed.starts_with("help(") {
            self.transcript.push(as_statement(trimmed));
        }
        true
    }

    fn command(&mut self, name: &str, arg: &str) -> bool {
        match name {
            "q" | "quit" | "exit" => return false,
            "json" => {
                self.raw_json = !self.raw_json;
                println!(
                    "results now print as {}",
                    if self.raw_json {
                        "raw JSON"
                    } else {
                        "tables and indented JSON"
                    }
                );
            }
            "sim" | "connect" => println!("connected to {}", self.settings.backend),
            "help" | "h" => print!("{COMMANDS_HELP}"),
            "load" if !arg.is_empty() => self.load(Path::new(arg)),
            "save" if !arg.is_empty() => self.save(Path::new(arg)),
            "load" | "save" => {
                eprintln!("error: `:{name}` needs a file, e.g. `:{name} triage.rhai`")
            }
            other => eprintln!("error: unknown command `:{other}`; `:help` lists the commands"),
        }
        true
    }

    fn load(&mut self, path: &Path) {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                return;
            }
        };
        let job = Job {
            name: path.display().to_string(),
            text: text.clone(),
        };
        if self.eval(job) {
            self.transcript.push(format!(
                "// loaded from {}\n{}",
                path.display(),
                text.trim_end()
            ));
        }
    }

    fn save(&self, path: &Path) {
        let mut text = format!(
            "// saved by `falconry repl`: the {} successful statement{} of a session\n",
            self.transcript.len(),
            if self.transcript.len() == 1 { "" } else { "s" }
        );
        for s in &self.transcript {
            text.push_str(s);
            text.push('\n');
        }
        match std::fs::write(path, text) {
            Ok(()) => println!(
                "saved {} statement{} to {}",
                self.transcript.len(),
                if self.transcript.len() == 1 { "" } else { "s" },
                path.display()
            ),
            Err(e) => eprintln!("error: cannot write `{}`: {e}", path.display()),
        }
    }

    /// Runs `job` on the worker, with Ctrl-C armed; prints the value or the error. True when it succeeded.
    fn eval(&mut self, job: Job) -> bool {
        self.running.store(true, Ordering::SeqCst);
        let outcome = self.worker.eval(job);
        self.running.store(false, Ordering::SeqCst);
        if let Ok(mut k) = self.known.lock() {
            *k = outcome.known;
        }
        match outcome.result {
            Ok(value) => {
                print!("{}", display::render(&value, self.raw_json));
                true
            }
            Err(mut e) => {
                if e.kind == ErrorKind::Interrupted {
                    e.message = "interrupted; the scope is kept".into();
                }
                eprint!("{}", render_script_error(&e));
                false
            }
        }
    }
}

/// A statement as it goes into a saved playbook: a bare expression gets its `;`.
fn as_statement(s: &str) -> String {
    if s.ends_with(';') || s.ends_with('}') {
        s.to_string()
    } else {
        format!("{s};")
    }
}

/// The history holds what responders typed during an incident: only they may read it.
fn private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}
