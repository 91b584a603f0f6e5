//! The REPL's own `:` commands, declared once: `:help` prints this list, Tab completes its names,
//! and `Console::command` looks every typed name up here first (a name missing here is not a command).

/// One `:` command: its name, the other names it answers to, its argument and what it does.
pub struct ReplCommand {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub arg: &'static str,
    pub help: &'static str,
}

pub const COMMANDS: &[ReplCommand] = &[
    ReplCommand {
        name: "json",
        aliases: &[],
        arg: "",
        help: "switch between readable results and raw JSON",
    },
    ReplCommand {
        name: "load",
        aliases: &[],
        arg: "FILE",
        help: "run a playbook in the current scope",
    },
    ReplCommand {
        name: "save",
        aliases: &[],
        arg: "FILE",
        help: "write this session's successful statements as a playbook, each once, where it first\n\
               succeeded; a repeat that may write a variable (let, const, `=`, `+=`, `list.push(x)`,\n\
               `s.cd(..)`) is written every time, so the playbook computes what the session did",
    },
    ReplCommand {
        name: "shell",
        aliases: &[],
        arg: "TARGET",
        help: "an RTR shell: each line one command for every target (a host name or FQL); `:shell`\n\
               alone goes back to the last one, `:rhai` comes back here",
    },
    ReplCommand {
        name: "sim",
        aliases: &["connect"],
        arg: "",
        help: "show the backend in use (also `:connect`)",
    },
    ReplCommand {
        name: "help",
        aliases: &["h"],
        arg: "",
        help: "this list; `help()` lists collections and helpers",
    },
    ReplCommand {
        name: "quit",
        aliases: &["q", "exit"],
        arg: "",
        help: "leave (also Ctrl-D); open RTR sessions are closed",
    },
];

/// The command a typed name (without the colon) stands for.
pub fn lookup(typed: &str) -> Option<&'static ReplCommand> {
    COMMANDS
        .iter()
        .find(|c| c.name == typed || c.aliases.contains(&typed))
}

/// What `:help` prints: every command with its argument and help, then the keys.
pub fn help_text() -> String {
    let mut out = String::from("commands:\n");
    for c in COMMANDS {
        let head = format!(":{} {}", c.name, c.arg);
        let mut lines = c.help.lines();
        out.push_str(&format!(
            "  {head:<13} {}\n",
            lines.next().unwrap_or_default()
        ));
        for l in lines {
            out.push_str(&format!("  {:<13} {}\n", "", l.trim_start()));
        }
    }
    out.push_str(KEYS);
    out
}

const KEYS: &str = "\
keys: Tab completes, Ctrl-R searches history, Ctrl-C stops a running statement or clears the line
Ctrl-C during `rtr::each` keeps the hosts that answered: the variable `partial` holds the answer as far as
  it got (device id -> value; the other hosts as #{error, device_id, hostname}, `error` saying
  `interrupted` (a command may have run there) or `not run`)
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_and_alias_finds_its_command_and_help_lists_each() {
        let help = help_text();
        for c in COMMANDS {
            assert_eq!(lookup(c.name).unwrap().name, c.name);
            for a in c.aliases {
                assert_eq!(lookup(a).unwrap().name, c.name);
            }
            assert!(help.contains(&format!(":{}", c.name)), "{}", c.name);
        }
        assert!(lookup("nope").is_none());
    }
}
