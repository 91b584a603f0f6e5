//! `:save FILE`: the shell session as a Rhai playbook. Each successful command is written as the
//! statement that ran it (`shell.run("...")`), after the batch it ran on, so `falconry run FILE` sends
//! the same commands to the same hosts, in the same order, and ends with the same answer.

use crate::repl::history::Redactor;
use std::path::Path;

/// Writes `statements` to `path`; a statement holding a secret or a token is left out (and counted).
pub fn save(path: &Path, statements: &[String], redactor: &Redactor) -> Result<String, String> {
    let kept: Vec<&String> = statements
        .iter()
        .filter(|s| s.lines().all(|l| redactor.allows(l)))
        .collect();
    let withheld = statements.len() - kept.len();
    let commands = kept.iter().filter(|s| !s.contains("rtr::batch(")).count();
    let mut text = format!(
        "// saved by `falconry shell`: {commands} command{} as typed, on the hosts they ran on\n\
         // replay: falconry run {} (a destructive command also needs --allow-destructive)\n",
        if commands == 1 { "" } else { "s" },
        path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned()
        ),
    );
    for s in &kept {
        text.push_str(s);
        text.push('\n');
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    let mut said = format!(
        "saved {commands} command{} to {}",
        if commands == 1 { "" } else { "s" },
        path.display()
    );
    if withheld > 0 {
        said.push_str(&format!(
            " ({withheld} holding a secret or a token left out)"
        ));
    }
    Ok(said)
}
