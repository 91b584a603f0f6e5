//! Tab completion in the shell: RTR commands from the catalogue that run on the targets' platforms,
//! their flags, and the shell's `:` commands.

use crate::ops::command_flags;
use crate::ops::commands::{COMMANDS, Cmd, lookup};
use crate::platform::Platforms;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};
use std::sync::{Arc, Mutex};

/// The shell's own commands, as `:help` lists them.
pub const SHELL_COMMANDS: &[&str] = &[
    ":hosts", ":add", ":drop", ":queued", ":save", ":rhai", ":help", ":quit",
];

/// The flags completion offers for a command, as RTR spells them (`-Raw=`: a trailing `=` takes a
/// value), from the model's flag table (`ops::command_flags`, the emulator's grammar too).
pub fn flags(cmd: Cmd) -> Vec<String> {
    command_flags::known(cmd)
        .iter()
        .map(|f| format!("-{f}"))
        .collect()
}

/// The candidates for the word ending at `pos`: where it starts and what may replace it.
pub fn complete(line: &str, pos: usize, platforms: Platforms) -> (usize, Vec<String>) {
    let before = &line[..pos];
    let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let word = &before[start..];
    let mut found: Vec<String> = if before.trim_start().starts_with(':') {
        if start > 0 {
            return (start, Vec::new());
        }
        SHELL_COMMANDS
            .iter()
            .filter(|c| c.starts_with(word))
            .map(|c| c.to_string())
            .collect()
    } else if before[..start].trim().is_empty() {
        // The command word: every catalogue command one of the targets can run (`reg query` whole).
        COMMANDS
            .iter()
            .filter(|c| platforms.is_empty() || c.platforms.intersects(platforms))
            .filter(|c| c.name.starts_with(&word.to_ascii_lowercase()))
            .map(|c| c.name.to_string())
            .collect()
    } else if let Some(first) = sub_command_of(&before[..start]) {
        // `reg query`, `update list`: the second word of a two-word command.
        let typed = format!("{first} {}", word.to_ascii_lowercase());
        COMMANDS
            .iter()
            .filter(|c| platforms.is_empty() || c.platforms.intersects(platforms))
            .filter(|c| c.name.starts_with(&typed))
            .filter_map(|c| c.name.split_once(' ').map(|(_, sub)| sub.to_string()))
            .collect()
    } else if word.starts_with('-') {
        let base = crate::ops::commands::base_of(before);
        match lookup(base, before) {
            Some(c) => flags(c.key)
                .into_iter()
                .filter(|f| {
                    f.to_ascii_lowercase()
                        .starts_with(&word.to_ascii_lowercase())
                })
                .collect(),
            None => Vec::new(),
        }
    } else {
        Vec::new()
    };
    found.sort();
    found.dedup();
    (start, found)
}

/// `reg` or `update` when it is the only word before the one being completed.
fn sub_command_of(before: &str) -> Option<String> {
    let words: Vec<&str> = before.split_whitespace().collect();
    match words.as_slice() {
        [w] if matches!(w.to_ascii_lowercase().as_str(), "reg" | "update") => {
            Some(w.to_ascii_lowercase())
        }
        _ => None,
    }
}

/// The line editor's hooks for the shell: completion only (every line is complete as typed).
pub struct ShellHelper {
    /// The targets' platforms (none when unknown), refreshed when they change.
    pub platforms: Arc<Mutex<Platforms>>,
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let platforms = self.platforms.lock().map(|p| *p).unwrap_or_default();
        let (start, found) = complete(line, pos, platforms);
        Ok((
            start,
            found
                .into_iter()
                .map(|c| Pair {
                    display: c.clone(),
                    replacement: c,
                })
                .collect(),
        ))
    }
}

impl Validator for ShellHelper {}

impl Hinter for ShellHelper {
    type Hint = String;
}

impl Highlighter for ShellHelper {}

impl Helper for ShellHelper {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Platform;

    const WIN: Platforms = Platforms::of(&[Platform::Windows]);
    const LIN: Platforms = Platforms::of(&[Platform::Linux]);

    #[test]
    fn commands_follow_the_platforms_and_flags_follow_the_command() {
        let (_, win) = complete("if", 2, WIN);
        assert_eq!(win, ["ifconfig"; 0]);
        let (_, ipc) = complete("ip", 2, WIN);
        assert_eq!(ipc, ["ipconfig"]);
        let (_, lin) = complete("if", 2, LIN);
        assert_eq!(lin, ["ifconfig"]);
        let (_, reg) = complete("reg q", 5, WIN);
        assert_eq!(reg, ["query"]);
        let line = "runscript -C";
        let (start, f) = complete(line, line.len(), WIN);
        assert_eq!(
            (start, f.as_slice()),
            (
                10,
                &["-CloudFile=".to_string(), "-CommandLine=".to_string()][..]
            )
        );
        let (_, c) = complete(":qu", 3, WIN);
        assert_eq!(c, [":queued", ":quit"]);
    }
}
