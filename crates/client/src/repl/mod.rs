//! `falconry repl`: statements typed one at a time against a persistent scope, with history, completion,
//! readable results and Ctrl-C that stops the running statement, not the session.

mod balance;
pub mod commands;
pub mod complete;
pub(crate) mod console;
mod helper;
pub mod history;
mod repeat;
pub(crate) mod worker;

use crate::engine::{Reason, Runtime};
use console::Console;
use helper::ReplHelper;
use history::Redactor;
use rhai::Map;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use worker::Worker;

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
    /// The session's case: every statement goes to its transcript with what it showed.
    pub case: Option<crate::engine::case::Case>,
    /// `falconry shell`: start at the RTR shell on these targets (`:rhai` comes here).
    pub shell: Option<crate::shell::Start>,
}

const PROMPT: &str = "falconry> ";
const MORE: &str = "      ..> ";

/// Runs the REPL until Ctrl-D or `:quit`.
pub fn run(runtime: Runtime, mut settings: Settings) -> Result<(), String> {
    let start_shell = settings.shell.take();
    let known = Arc::new(Mutex::new(complete::Known::default()));
    let config = Config::builder()
        .auto_add_history(false)
        // Tab completes the common prefix, then lists every candidate (not cycling through them unseen).
        .completion_type(CompletionType::List)
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
        crate::engine::interrupt::on_ctrl_c(move || {
            if running.load(Ordering::SeqCst) {
                cancel.trip(Reason::Interrupted);
            }
        })?;
    }

    let banner = format!(
        "falconry repl on {}\n`help()` lists operations and helpers, `:help` the commands, Ctrl-D leaves",
        settings.backend
    );
    let mut console = Console {
        worker,
        running,
        known,
        settings,
        raw_json: false,
        transcript: Vec::new(),
        count: 0,
    };
    // The RTR shell's targets and history of commands, kept while at the Rhai prompt.
    let mut shell = None;
    if let Some(start) = start_shell
        && crate::shell::enter(&mut console, &mut shell, "", Some(start))
            == crate::shell::Leave::Quit
    {
        console.worker.finish();
        return Ok(());
    }
    println!("{banner}");
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
                console.remember(&mut editor, &input);
                if let Some(arg) = crate::shell::switch(&input) {
                    match crate::shell::enter(&mut console, &mut shell, arg, None) {
                        crate::shell::Leave::Quit => break,
                        crate::shell::Leave::Rhai => continue,
                    }
                }
                if !console.handle(&input) {
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
    console.worker.finish();
    Ok(())
}
