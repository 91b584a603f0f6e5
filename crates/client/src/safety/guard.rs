//! The destructive-action guard: what counts as destructive, and who may allow it.
//!
//! Destructive operations are a column of the table (deletes, host actions, RTR commands); for RTR
//! commands the catalogue (`ops::commands`, the one list) clears the ones that are not. Either is
//! refused unless the run allows it.

use crate::ops::commands::{self, CommandSpec};
use crate::ops::{Kind, Request};
use std::fmt;
use std::sync::Arc;

/// Asked once per destructive request with a one-line description; `true` lets it through.
pub type Prompt = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Whether destructive requests may be sent.
#[derive(Clone, Default)]
pub struct Guard {
    allow_all: bool,
    prompt: Option<Prompt>,
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("allow_all", &self.allow_all)
            .field("prompt", &self.prompt.is_some())
            .finish()
    }
}

impl Guard {
    /// Refuses every destructive request (the default).
    pub fn refuse() -> Guard {
        Guard::default()
    }

    /// `--allow-destructive`: lets every destructive request through.
    pub fn allow_all() -> Guard {
        Guard {
            allow_all: true,
            prompt: None,
        }
    }

    /// Asks `prompt` (the REPL's interactive yes) for each destructive request.
    pub fn with_prompt(prompt: impl Fn(&str) -> bool + Send + Sync + 'static) -> Guard {
        Guard {
            allow_all: false,
            prompt: Some(Arc::new(prompt)),
        }
    }

    /// Asks the person at the terminal (stdin and stderr); refuses when stdin is not a terminal.
    pub fn ask_on_terminal() -> Guard {
        Guard::with_prompt(|what| {
            use std::io::{BufRead, IsTerminal, Write};
            if !std::io::stdin().is_terminal() {
                return false;
            }
            // `what` is built from shown names already; once more here, as nothing may rewrite the prompt.
            eprint!(
                "falconry: allow destructive {}? [y/N] ",
                crate::terminal::line(what)
            );
            let _ = std::io::stderr().flush();
            let mut answer = String::new();
            if std::io::stdin().lock().read_line(&mut answer).is_err() {
                return false;
            }
            matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
        })
    }

    pub fn allows_all(&self) -> bool {
        self.allow_all
    }

    /// Whether the request described by `what` may go out.
    pub fn permits(&self, what: &str) -> bool {
        self.allow_all || self.prompt.as_ref().is_some_and(|ask| ask(what))
    }

    /// How a refused user allows the request next time.
    pub fn how_to_allow(&self) -> &'static str {
        if self.prompt.is_some() {
            "answer yes when asked, or start with `--allow-destructive`"
        } else {
            "rerun with `--allow-destructive` (see what would change with `--plan` first)"
        }
    }
}

/// The RTR command a request runs, when it runs one: `(command line, catalogue entry)`, read from the
/// request as it will be sent. The entry is `None` when the catalogue does not know the command, or
/// when `base_command` and the command line name different commands (which one would run is Falcon's
/// choice, not ours): either way the request is judged destructive and state-changing.
pub fn rtr_command(req: &Request) -> Option<(String, Option<&'static CommandSpec>)> {
    if req.op.kind != Kind::Command {
        return None;
    }
    let text = |k: &str| req.arg(k).and_then(|v| v.as_str().map(str::to_string));
    // `batch_get_command` runs `get` without naming it.
    let (base, line) = match (text("base_command"), text("file_path")) {
        (Some(base), _) => {
            let line = text("command_string").unwrap_or_else(|| base.clone());
            (base, line)
        }
        (None, Some(path)) => ("get".to_string(), format!("get {path}")),
        (None, None) => return Some((String::new(), None)),
    };
    let agree = commands::base_of(&line).eq_ignore_ascii_case(base.trim());
    let entry = commands::lookup(&base, &line).filter(|_| agree);
    Some((line, entry))
}

/// Why a request is destructive, or `None` when it is not. The table says which operations are
/// (`Operation::destructive`); for RTR commands the catalogue may clear it, and only it.
pub fn destructive(req: &Request) -> Option<&'static str> {
    if !req.op.destructive {
        return None;
    }
    match req.op.kind {
        // `runscript` counts whatever the script does: falconry cannot tell a read-only script apart.
        Kind::Command => match rtr_command(req) {
            Some((_, Some(c))) if !c.destructive => None,
            Some((_, Some(_))) => Some("a destructive RTR command"),
            _ => Some(
                "an RTR command falconry's catalogue does not know, or whose `base_command` \
                 and `command_string` disagree, counts as destructive",
            ),
        },
        Kind::Delete => Some("it deletes"),
        _ => Some("it changes what the host does"),
    }
}

/// A destructive request that was not sent. Names the command, the host and how to allow it.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub operation: String,
    /// The RTR command line, when the request runs one.
    pub command: Option<String>,
    /// Device ids the request targets.
    pub device_ids: Vec<String>,
    /// Hosts as shown to the user: `WS-042 (device `abc`)`, or the device id alone.
    pub hosts: Vec<String>,
    /// Other ids the request names (policies, scripts, files).
    pub ids: Vec<String>,
    pub reason: String,
    pub how_to_allow: &'static str,
    /// `--allow-destructive` lets it through; a typo of a known command it does not.
    pub allowable: bool,
}

/// Why a command line is refused whatever the flags: it is not in the catalogue but a known command is
/// one typo away (`netstst`), so it was almost surely not meant. `None` for a command the catalogue
/// knows, or one unlike any (a command Falcon added since, which the guard judges as destructive).
pub fn typo(line: &str) -> Option<String> {
    commands::unknown(line, crate::platform::Platforms::NONE).filter(|m| m.contains("did you mean"))
}

/// How a typo is put right: never by allowing it.
pub const FIX_TYPO: &str = "fix the command; no flag sends it";

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.command {
            Some(line) => write!(f, "refused `{}`", crate::terminal::line(line))?,
            None => write!(f, "refused `{}`", self.operation)?,
        }
        if !self.hosts.is_empty() {
            write!(f, " on {}", list(&self.hosts))?;
        }
        if !self.ids.is_empty() {
            let ids: Vec<String> = self
                .ids
                .iter()
                .map(|i| format!("`{}`", crate::terminal::name(i)))
                .collect();
            write!(f, " of {}", list(&ids))?;
        }
        write!(f, ": {}; {}", self.reason, self.how_to_allow)
    }
}

/// At most a handful of items, then a count: a batch may target thousands of hosts.
fn list(items: &[String]) -> String {
    const SHOWN: usize = 5;
    if items.len() <= SHOWN {
        items.join(", ")
    } else {
        format!(
            "{} and {} more",
            items[..SHOWN].join(", "),
            items.len() - SHOWN
        )
    }
}

/// The value a refusal throws, so a playbook can `catch` it like an API error:
/// `#{ operation, message, refused: true, command, device_ids, hosts, ids }`.
pub fn refusal_map(r: &Refusal) -> rhai::Dynamic {
    use rhai::Dynamic;
    let strings =
        |v: &[String]| Dynamic::from_array(v.iter().cloned().map(Dynamic::from).collect());
    let mut m = rhai::Map::new();
    m.insert("operation".into(), Dynamic::from(r.operation.clone()));
    m.insert("message".into(), Dynamic::from(r.to_string()));
    m.insert("refused".into(), Dynamic::TRUE);
    m.insert(
        "command".into(),
        r.command.clone().map_or(Dynamic::UNIT, Dynamic::from),
    );
    m.insert("device_ids".into(), strings(&r.device_ids));
    m.insert("hosts".into(), strings(&r.hosts));
    m.insert("ids".into(), strings(&r.ids));
    Dynamic::from_map(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{self, OPERATIONS, commands::COMMANDS};
    use serde_json::{Value, json};

    fn request(module: &str, name: &str, args: Value) -> Request {
        let Value::Object(args) = args else {
            unreachable!("args are a map")
        };
        ops::build(ops::find(module, name).unwrap(), &args).unwrap()
    }

    #[test]
    fn the_table_column_decides_and_a_command_naming_nothing_counts_as_destructive() {
        for op in OPERATIONS {
            let req = Request {
                op,
                query: Vec::new(),
                body: crate::ops::Body::Empty,
            };
            // An empty command request names no command: unknown, so destructive too.
            assert_eq!(destructive(&req).is_some(), op.destructive, "{}", op.id);
        }
    }

    #[test]
    fn every_command_the_catalogue_calls_destructive_is_destructive_on_every_endpoint() {
        for c in COMMANDS {
            let line = format!("{} x", c.name);
            let base = c.name.split(' ').next().unwrap();
            let req = request(
                "real_time_response_admin",
                "execute_admin_command",
                json!({ "base_command": base, "command_string": line, "session_id": "s" }),
            );
            assert_eq!(destructive(&req).is_some(), c.destructive, "{}", c.name);
            let batch = request(
                "real_time_response_admin",
                "batch_admin_command",
                json!({ "base_command": base, "command_string": line, "batch_id": "b" }),
            );
            assert_eq!(destructive(&batch).is_some(), c.destructive, "{}", c.name);
        }
    }

    #[test]
    fn the_prompt_decides_and_names_what_it_asks_about() {
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = asked.clone();
        let g = Guard::with_prompt(move |what| {
            seen.lock().unwrap().push(what.to_string());
            what.contains("yes")
        });
        assert!(g.permits("`kill 1` on yes"));
        assert!(!g.permits("`rm x`"));
        assert_eq!(asked.lock().unwrap().len(), 2);
        assert!(!Guard::refuse().permits("anything"));
        assert!(Guard::allow_all().permits("anything"));
    }
}
