//! One REPL session's state and what it does with a complete input: evaluate it on the worker and show
//! the result, or carry out a `:` command (`:load`, `:save`, `:json`, ...).

use super::helper::ReplHelper;
use super::worker::{Job, Kept, PARTIAL, Worker};
use super::{Settings, complete};
use crate::engine::ErrorKind;
use crate::engine::display;
use crate::engine::render_script_error;
use rustyline::Editor;
use rustyline::history::FileHistory;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub struct Console {
    pub worker: Worker,
    pub running: Arc<AtomicBool>,
    pub known: Arc<Mutex<complete::Known>>,
    pub settings: Settings,
    pub raw_json: bool,
    /// The statements that succeeded, for `:save`.
    pub transcript: Vec<String>,
    pub count: usize,
}

impl Console {
    /// Adds `input` to the history (unless it holds a secret) and writes the history file at once, so a
    /// killed terminal loses nothing.
    pub fn remember(&self, editor: &mut Editor<ReplHelper, FileHistory>, input: &str) {
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
    pub fn handle(&mut self, input: &str) -> bool {
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
        if let Some(may_write) = self.eval(job)
            && !trimmed.starts_with("help(")
        {
            // Once each: a repeat that only reads (Up+Enter on `procs`, `s.run("ps")`) adds nothing to
            // what the playbook computes; one that may write a variable (`total += 1`) does.
            let statement = as_statement(trimmed);
            if may_write || !self.transcript.contains(&statement) {
                self.transcript.push(statement);
            }
        }
        true
    }

    fn command(&mut self, name: &str, arg: &str) -> bool {
        let Some(command) = super::commands::lookup(name) else {
            eprintln!("error: unknown command `:{name}`; `:help` lists the commands");
            return true;
        };
        match command.name {
            "quit" => return false,
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
            "sim" => println!("connected to {}", self.settings.backend),
            "help" => print!("{}", super::commands::help_text()),
            "load" if !arg.is_empty() => self.load(Path::new(arg)),
            "save" if !arg.is_empty() => self.save(Path::new(arg)),
            "load" | "save" => {
                eprintln!("error: `:{name}` needs a file, e.g. `:{name} triage.rhai`")
            }
            // `:shell` is taken by the loop before it reaches here (repl/mod.rs).
            other => eprintln!("error: `:{other}` cannot be used here"),
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
        if self.eval(job).is_some() {
            self.transcript.push(format!(
                "// loaded from {}\n{}",
                path.display(),
                text.trim_end()
            ));
        }
    }

    fn save(&self, path: &Path) {
        // The history's filter: a statement holding a secret or a token is never written to a file.
        let kept: Vec<&String> = self
            .transcript
            .iter()
            .filter(|s| self.settings.redactor.allows(s))
            .collect();
        let withheld = self.transcript.len() - kept.len();
        if withheld > 0 {
            eprintln!(
                "warning: {withheld} statement{} holding a secret or a token left out of `{}`",
                if withheld == 1 { "" } else { "s" },
                path.display()
            );
        }
        let mut text = format!(
            "// saved by `falconry repl`: the {} successful statement{} of a session\n",
            kept.len(),
            if kept.len() == 1 { "" } else { "s" }
        );
        for s in kept.iter().copied() {
            text.push_str(s);
            text.push('\n');
        }
        match std::fs::write(path, text) {
            Ok(()) => println!(
                "saved {} statement{} to {}",
                kept.len(),
                if kept.len() == 1 { "" } else { "s" },
                path.display()
            ),
            Err(e) => eprintln!("error: cannot write `{}`: {e}", path.display()),
        }
    }

    /// Runs `job` on the worker, with Ctrl-C armed; prints the value or the error. When it succeeded:
    /// whether running it again may write a variable.
    fn eval(&mut self, job: Job) -> Option<bool> {
        self.running.store(true, Ordering::SeqCst);
        let statement = withheld(&self.settings.redactor, &job.text);
        let outcome = self.worker.eval(job);
        self.running.store(false, Ordering::SeqCst);
        if let Ok(mut k) = self.known.lock() {
            *k = outcome.known;
        }
        match outcome.result {
            Ok(value) => {
                let shown = crate::ops::redact::clean_owned(display::render(&value, self.raw_json));
                if let Some(c) = &self.settings.case {
                    c.transcript()
                        .statement(&statement, Ok(&withheld(&self.settings.redactor, &shown)));
                }
                // Strings outside table cells (a record's text, `:json`) reach the terminal here.
                print!("{}", crate::terminal::text(&shown));
                Some(outcome.may_write)
            }
            Err(mut e) => {
                if e.kind == ErrorKind::Interrupted {
                    e.message = "interrupted; the scope is kept".into();
                }
                let mut shown = render_script_error(&e);
                if let Some(k) = &outcome.kept {
                    shown.push_str(&kept_line(k, &e.kind));
                }
                if let Some(c) = &self.settings.case {
                    c.transcript()
                        .statement(&statement, Err(&withheld(&self.settings.redactor, &shown)));
                }
                eprint!("{shown}");
                None
            }
        }
    }
}

/// Where a stopped fan-out's results went: `3 of 8 hosts answered before Ctrl-C; their results are in
/// `partial``, and what the other hosts' entries say.
fn kept_line(k: &Kept, kind: &ErrorKind) -> String {
    let when = match kind {
        ErrorKind::Timeout => "the time limit",
        _ => "Ctrl-C",
    };
    let mut line = format!(
        "{} of {} host{} answered before {when}; their results are in `{PARTIAL}`",
        k.answered,
        k.total,
        if k.total == 1 { "" } else { "s" },
    );
    if k.answered < k.total {
        line.push_str(" (the others as `error`: interrupted or not run)");
    }
    if k.replaced {
        line.push_str(&format!("; the earlier value of `{PARTIAL}` is replaced"));
    }
    line.push('\n');
    line
}

/// Text for the case's transcript: a line holding a secret or token is withheld, as from the history.
fn withheld(redactor: &super::history::Redactor, text: &str) -> String {
    if text.lines().all(|l| redactor.allows(l)) {
        text.to_string()
    } else {
        "[withheld: holds a secret or a token]".to_string()
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
