//! `falconry shell` and `:shell` in the REPL: every typed line is one RTR command, exactly as typed,
//! sent to all the targets as one batch; the answers are shown host by host.
//!
//! The shell writes Rhai and runs it on the REPL's worker (`shell.run("ls C:\\Windows")` on the batch
//! `shell`): the guard, plan mode, the case and Ctrl-C are those of every statement, `:rhai` finds the
//! batch in the scope, and `:save` writes the statements that ran.

mod complete;
mod line;
mod render;
mod save;
mod targets;

pub use targets::Spec;

use crate::engine::{ErrorKind, ScriptError, convert, render_script_error};
use crate::ops::commands;
use crate::platform::Platforms;
use crate::repl::console::Console;
use crate::repl::worker::Job;
use crate::terminal;
use complete::ShellHelper;
use line::{BATCH, literal};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use targets::Host;

const HELP: &str = "\
every line is one RTR command, typed as on one host (`ls C:\\Windows`, `cd ..`, `ps`,
`runscript -Raw=```Get-Process```), sent to all the targets at once; `get PATH` saves each host's file in
the case. Output is shown per host; hosts with the same output share one block.
commands:
  :hosts        the targets, online or not, and where `cd` left each
  :add TARGET   add hosts: a host name, or an FQL filter (`platform_name:'Windows'`)
  :drop TARGET  drop hosts, named the same way
  :queued       collect the output of commands queued for offline hosts (`--queue-offline`)
  :save FILE    write the session as a playbook that `falconry run FILE` replays
  :rhai         back to the Rhai prompt; the batch is the variable `shell` there
  :help         this list
  :quit         leave (also Ctrl-D)
keys: Tab completes commands and their flags, Ctrl-R searches history, Ctrl-C stops waiting for a command
(what was shown stays; nothing is sent again) or clears the line
";

/// What `falconry shell` starts with.
pub struct Start {
    pub targets: Vec<Spec>,
    pub queue_offline: bool,
}

/// Why the shell's loop ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Leave {
    Quit,
    Rhai,
}

/// The shell's state; kept while the REPL is back at Rhai, so `:shell` returns to the same targets.
pub struct Shell {
    hosts: Vec<Host>,
    queue_offline: bool,
    /// The statements that ran, for `:save`.
    transcript: Vec<String>,
    platforms: Arc<Mutex<Platforms>>,
}

/// `:shell` or `:shell TARGET` typed at the Rhai prompt: the argument.
pub fn switch(input: &str) -> Option<&str> {
    let rest = input.trim().strip_prefix(":shell")?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then(|| rest.trim())
}

/// Enters the shell from the REPL: `:shell` goes back to the one kept in `slot`, `:shell TARGET` opens
/// one on new targets; `start` is `falconry shell`'s command line.
pub fn enter(
    console: &mut Console,
    slot: &mut Option<Shell>,
    arg: &str,
    start: Option<Start>,
) -> Leave {
    let fresh = match start {
        Some(s) => Some(s),
        None if !arg.is_empty() => Some(Start {
            targets: vec![Spec::from_arg(arg)],
            queue_offline: false,
        }),
        None => None,
    };
    if let Some(start) = fresh {
        let mut shell = Shell {
            hosts: Vec::new(),
            queue_offline: start.queue_offline,
            transcript: Vec::new(),
            platforms: Arc::new(Mutex::new(Platforms::NONE)),
        };
        let mut found = Vec::new();
        for spec in &start.targets {
            match shell.resolve(console, spec) {
                Ok(hosts) => found.extend(hosts),
                Err(e) => eprint!("{e}"),
            }
        }
        shell.retarget(console, found);
        *slot = Some(shell);
    }
    match slot {
        Some(shell) => shell.run(console),
        None => {
            eprintln!("error: `:shell TARGET` names the hosts: a host name or an FQL filter");
            Leave::Rhai
        }
    }
}

impl Shell {
    fn run(&mut self, console: &mut Console) -> Leave {
        let config = Config::builder()
            .auto_add_history(false)
            .completion_type(CompletionType::List)
            .history_ignore_dups(true)
            .map(|b| b.build());
        let editor = config.map_err(|e| e.to_string()).and_then(|c| {
            Editor::<ShellHelper, FileHistory>::with_config(c).map_err(|e| e.to_string())
        });
        let mut editor = match editor {
            Ok(e) => e,
            Err(e) => {
                eprintln!("error: cannot start the line editor: {e}");
                return Leave::Rhai;
            }
        };
        editor.set_helper(Some(ShellHelper {
            platforms: self.platforms.clone(),
        }));
        let history = console.settings.history.as_deref().map(history_path);
        if let Some(path) = history.as_deref().filter(|p| p.exists())
            && let Err(e) = editor.load_history(path)
        {
            eprintln!("warning: cannot read the history `{}`: {e}", path.display());
        }
        println!(
            "falconry shell on {}: each line is one RTR command for all of them; `:help` lists the shell's commands, `:rhai` goes to Rhai, Ctrl-D leaves",
            count(self.hosts.len())
        );
        loop {
            let prompt = format!("rtr[{}]> ", self.hosts.len());
            match editor.readline(&prompt) {
                Ok(typed) => {
                    let typed = typed.trim();
                    if typed.is_empty() {
                        continue;
                    }
                    remember(&mut editor, history.as_deref(), console, typed);
                    if let Some(command) = typed.strip_prefix(':') {
                        let (name, arg) = command
                            .split_once(char::is_whitespace)
                            .map_or((command, ""), |(n, a)| (n, a.trim()));
                        if let Some(leave) = self.command(console, name, arg) {
                            return leave;
                        }
                    } else {
                        self.send(console, typed);
                    }
                }
                Err(ReadlineError::Interrupted) => {}
                Err(ReadlineError::Eof) => return Leave::Quit,
                Err(e) => {
                    eprintln!("error: cannot read input: {e}");
                    return Leave::Quit;
                }
            }
        }
    }

    fn command(&mut self, console: &mut Console, name: &str, arg: &str) -> Option<Leave> {
        match name {
            "q" | "quit" | "exit" => return Some(Leave::Quit),
            "rhai" => return Some(Leave::Rhai),
            "help" | "h" => print!("{HELP}"),
            "hosts" => self.show_hosts(console),
            "queued" => self.queued(console),
            "add" | "drop" if arg.is_empty() => {
                eprintln!(
                    "error: `:{name}` needs a host name or an FQL filter, e.g. `:{name} WS-042`"
                )
            }
            "add" => match self.resolve(console, &Spec::from_arg(arg)) {
                Ok(found) => {
                    let mut hosts = self.hosts.clone();
                    for h in found {
                        if !hosts.iter().any(|k| k.device_id == h.device_id) {
                            hosts.push(h);
                        }
                    }
                    self.retarget(console, hosts);
                }
                Err(e) => eprint!("{e}"),
            },
            "drop" => {
                let gone: Vec<String> = match Spec::from_arg(arg) {
                    Spec::Name(n) => self
                        .hosts
                        .iter()
                        .filter(|h| h.hostname.eq_ignore_ascii_case(&n) || h.device_id == n)
                        .map(|h| h.device_id.clone())
                        .collect(),
                    spec => match self.resolve(console, &spec) {
                        Ok(found) => found.into_iter().map(|h| h.device_id).collect(),
                        Err(e) => {
                            eprint!("{e}");
                            return None;
                        }
                    },
                };
                if gone.is_empty() {
                    eprintln!(
                        "error: no target is `{}`; `:hosts` lists them",
                        terminal::short(arg, 80)
                    );
                    return None;
                }
                let hosts = self
                    .hosts
                    .iter()
                    .filter(|h| !gone.contains(&h.device_id))
                    .cloned()
                    .collect();
                self.retarget(console, hosts);
            }
            "save" if arg.is_empty() => {
                eprintln!("error: `:save` needs a file, e.g. `:save triage.rhai`")
            }
            "save" => {
                match save::save(Path::new(arg), &self.transcript, &console.settings.redactor) {
                    Ok(said) => println!("{said}"),
                    Err(e) => eprintln!("error: {e}"),
                }
            }
            other => eprintln!(
                "error: unknown command `:{}`; `:help` lists the commands (a line without `:` is an RTR command)",
                terminal::short(other, 40)
            ),
        }
        None
    }

    /// Sends one typed RTR command to every target and shows the answers.
    fn send(&mut self, console: &mut Console, typed: &str) {
        if self.hosts.is_empty() {
            eprintln!("error: no targets; `:add NAME` or `:add FQL` adds hosts");
            return;
        }
        let line = match line::parse(typed) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: {e}");
                return;
            }
        };
        // A command the catalogue does not know is refused by the batch itself, before anything is
        // sent, with the nearest command for the targets' platforms (`rtr::command::known`).
        match eval(console, "<shell>", &line.statement) {
            Ok(answer) => {
                let shown = render::outcome(&answer, &self.hosts);
                if matches!(
                    line.spec.map(|c| c.key),
                    Some(commands::Cmd::Cd | commands::Cmd::Pwd)
                ) {
                    self.learn_dirs(&answer);
                }
                record(console, &line.text, Ok(&shown));
                print!("{shown}");
                self.ran(console, line.statement);
            }
            Err(e) => {
                let shown = match e.kind {
                    ErrorKind::Interrupted => format!(
                        "interrupted: stopped waiting for `{}`; it may have run on hosts that had not answered, and is not sent again\n",
                        terminal::line(&line.text)
                    ),
                    _ => render_script_error(&e),
                };
                record(console, &line.text, Err(&shown));
                eprint!("{shown}");
            }
        }
    }

    /// A statement that ran: kept for `:save`, and for the REPL's `:save` too (the batch is in its scope).
    fn ran(&mut self, console: &mut Console, statement: String) {
        console.transcript.push(statement.clone());
        self.transcript.push(statement);
    }

    /// Where each host's session is, from a `cd` or `pwd` that printed an absolute path.
    fn learn_dirs(&mut self, answer: &Value) {
        for h in &mut self.hosts {
            let Some(r) = answer.pointer(&format!("/results/{}", pointer_key(&h.device_id))) else {
                continue;
            };
            let out = r
                .get("stdout")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim();
            let err = r
                .get("stderr")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim();
            if err.is_empty() && crate::rtr::is_absolute(out) {
                h.cwd = Some(out.to_string());
            }
        }
    }

    /// The hosts `spec` names now.
    fn resolve(&self, console: &mut Console, spec: &Spec) -> Result<Vec<Host>, String> {
        let found = eval(console, "<shell targets>", &spec.expression())
            .map_err(|e| render_script_error(&e))?;
        let hosts: Vec<Host> = found
            .as_array()
            .map(|a| a.iter().filter_map(Host::from_json).collect())
            .unwrap_or_default();
        if hosts.is_empty() {
            return Err(format!("error: no host matches {}\n", spec.describe()));
        }
        Ok(hosts)
    }

    /// Opens the batch over `hosts` (a new one each time the targets change), and takes the hosts
    /// back to where `cd` had left them when they all were in one place.
    fn retarget(&mut self, console: &mut Console, hosts: Vec<Host>) {
        let before: Vec<Option<String>> = self.hosts.iter().map(|h| h.cwd.clone()).collect();
        self.hosts = hosts;
        if let Ok(mut p) = self.platforms.lock() {
            *p = Platforms::from_names(self.hosts.iter().map(|h| h.platform.as_str()));
        }
        if self.hosts.is_empty() {
            println!("no targets; `:add NAME` or `:add FQL` adds hosts");
            return;
        }
        let statement = targets::open_statement(&self.hosts, self.queue_offline);
        if let Err(e) = eval(console, "<shell>", &statement) {
            eprint!("{}", render_script_error(&e));
            self.hosts.clear();
            return;
        }
        self.ran(console, statement);
        if let Ok(Value::Object(failed)) = eval(console, "<shell>", &format!("{BATCH}.failed")) {
            for h in &self.hosts {
                if let Some(why) = failed.get(&h.device_id) {
                    let message = why
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("failed");
                    eprintln!("{}: {}", h.label(), terminal::line(message));
                }
            }
        }
        let mut dirs: Vec<&String> = before.iter().flatten().collect();
        dirs.dedup();
        match dirs.as_slice() {
            [] => {}
            [dir] if before.iter().all(Option::is_some) => {
                let dir = (*dir).clone();
                let cd = if dir.contains(char::is_whitespace) {
                    format!("cd \"{dir}\"")
                } else {
                    format!("cd {dir}")
                };
                let statement = format!("{BATCH}.run({});", literal(&cd));
                match eval(console, "<shell>", &statement) {
                    Ok(answer) => {
                        self.learn_dirs(&answer);
                        println!("the batch was reopened; back in `{}`", terminal::line(&dir));
                        self.ran(console, statement);
                    }
                    Err(e) => eprint!("{}", render_script_error(&e)),
                }
            }
            _ => {
                println!("the batch was reopened: each host starts again in its default directory")
            }
        }
    }

    /// `:hosts`: each target with its platform, online state and working directory.
    fn show_hosts(&mut self, console: &mut Console) {
        if self.hosts.is_empty() {
            println!("no targets; `:add NAME` or `:add FQL` adds hosts");
            return;
        }
        let ids: Vec<String> = self.hosts.iter().map(|h| literal(&h.device_id)).collect();
        let states = eval(
            console,
            "<shell hosts>",
            &format!(
                "hosts::get_online_state(#{{ ids: [{}] }}).body.resources",
                ids.join(", ")
            ),
        )
        .unwrap_or(Value::Null);
        // Where the sessions are, once: a read-only `pwd`, shown to nobody but `:hosts`.
        if self.hosts.iter().any(|h| h.cwd.is_none())
            && let Ok(answer) = eval(console, "<shell hosts>", &format!("{BATCH}.run(\"pwd\")"))
        {
            self.learn_dirs(&answer);
        }
        let state_of = |id: &str| {
            states
                .as_array()
                .into_iter()
                .flatten()
                .find(|s| s.get("id").and_then(Value::as_str) == Some(id))
                .and_then(|s| s.get("state").and_then(Value::as_str))
                .unwrap_or("unknown")
                .to_string()
        };
        let mut t = comfy_table::Table::new();
        t.load_style(render::COMPACT)
            .set_header(["host", "platform", "state", "directory"]);
        for h in &self.hosts {
            t.add_row([
                h.label(),
                terminal::line(&h.platform).into_owned(),
                terminal::line(&state_of(&h.device_id)).into_owned(),
                h.cwd
                    .as_deref()
                    .map_or_else(|| "?".to_string(), |d| terminal::line(d).into_owned()),
            ]);
        }
        println!("{t}");
    }

    /// `:queued`: the output of commands queued for offline hosts, for those that have run since.
    fn queued(&mut self, console: &mut Console) {
        let q = match eval(console, "<shell queued>", "rtr::queued()") {
            Ok(q) => q,
            Err(e) => {
                eprint!("{}", render_script_error(&e));
                return;
            }
        };
        let list = |k: &str| {
            q.get(k)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let (done, pending) = (list("done"), list("pending"));
        if done.is_empty() && pending.is_empty() {
            println!("nothing queued");
            return;
        }
        let name = |r: &Value| {
            let n = r
                .get("hostname")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let id = r
                .get("device_id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            terminal::line(if n.is_empty() { id } else { n }).into_owned()
        };
        let command = |r: &Value| {
            terminal::line(
                r.get("command_string")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            )
            .into_owned()
        };
        let blocks = done
            .iter()
            .map(|r| {
                (
                    format!("{} `{}`", name(r), command(r)),
                    render::host_result(r),
                )
            })
            .chain(pending.iter().map(|r| {
                (
                    format!("{} `{}`", name(r), command(r)),
                    "still queued: the host has not run it yet\n".to_string(),
                )
            }));
        print!("{}", render::grouped(blocks));
    }
}

/// Runs `text` on the REPL's worker with Ctrl-C armed; the value as JSON.
fn eval(console: &mut Console, name: &str, text: &str) -> Result<Value, ScriptError> {
    console.running.store(true, Ordering::SeqCst);
    let outcome = console.worker.eval(Job {
        name: name.to_string(),
        text: text.to_string(),
    });
    console.running.store(false, Ordering::SeqCst);
    outcome
        .result
        .map(|v| convert::to_json(&v).unwrap_or(Value::Null))
}

/// The shell's history file: next to the REPL's, so Up at the shell prompt brings back RTR commands,
/// not Rhai.
fn history_path(repl: &Path) -> PathBuf {
    let mut name = repl.file_name().unwrap_or_default().to_os_string();
    name.push(".shell");
    repl.with_file_name(name)
}

/// Adds `typed` to the history, unless it holds a secret or a token, and writes the file at once.
fn remember(
    editor: &mut Editor<ShellHelper, FileHistory>,
    path: Option<&Path>,
    console: &Console,
    typed: &str,
) {
    if !console.settings.redactor.allows(typed) {
        return;
    }
    let _ = editor.add_history_entry(typed);
    if let Some(path) = path {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        match editor.save_history(path) {
            Ok(()) => {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
            }
            Err(e) => eprintln!(
                "warning: cannot write the history `{}`: {e}",
                path.display()
            ),
        }
    }
}

/// The line and what it showed, in the case's transcript (withheld when it holds a secret).
fn record(console: &Console, typed: &str, shown: Result<&str, &str>) {
    let Some(case) = &console.settings.case else {
        return;
    };
    let redactor = &console.settings.redactor;
    let safe = |t: &str| {
        if t.lines().all(|l| redactor.allows(l)) {
            t.to_string()
        } else {
            "[withheld: holds a secret or a token]".to_string()
        }
    };
    let text = safe(typed);
    match shown {
        Ok(s) => case.transcript().statement(&text, Ok(&safe(s))),
        Err(s) => case.transcript().statement(&text, Err(&safe(s))),
    }
}

/// A device id as one JSON pointer step.
fn pointer_key(id: &str) -> String {
    id.replace('~', "~0").replace('/', "~1")
}

fn count(n: usize) -> String {
    format!("{n} host{}", if n == 1 { "" } else { "s" })
}
