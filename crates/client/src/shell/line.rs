//! A typed shell line: one RTR command exactly as typed, turned into the Rhai statement that runs it on
//! every target (`shell.run("...")`, or `shell.get("...")` for `get`). The same statement is what
//! `:save` writes, so a saved session replays what was sent, byte for byte.

use crate::ops::commands::{self, CommandSpec};

/// The variable holding the shell's batch, in the REPL scope and in a saved playbook.
pub const BATCH: &str = "shell";

/// What a typed line will do.
pub struct Line {
    /// The command as typed, without surrounding white space.
    pub text: String,
    /// The catalogue entry; `None` for a command falconry does not know (the batch refuses it before
    /// sending, naming the nearest known command).
    pub spec: Option<&'static CommandSpec>,
    /// The Rhai statement that runs it.
    pub statement: String,
}

/// Reads a typed line. A control character (a pasted tab or escape) is refused: it would reach the host
/// as part of a path or an argument, which is never what was meant.
pub fn parse(typed: &str) -> Result<Line, String> {
    let text = typed.trim();
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(format!(
            "the command holds the control character {:?}; type it without one",
            c
        ));
    }
    let base = commands::base_of(text).to_ascii_lowercase();
    let spec = commands::lookup(&base, text);
    let statement = if base == "get" {
        // `get` downloads: the batch's `get` fetches each host's file into the case, per host.
        let path = text[3..].trim();
        let path = path
            .strip_prefix('"')
            .and_then(|p| p.strip_suffix('"'))
            .unwrap_or(path);
        if path.is_empty() {
            return Err(
                "`get` needs a path, e.g. `get C:\\Windows\\System32\\drivers\\etc\\hosts`".into(),
            );
        }
        format!("{BATCH}.get({});", literal(path))
    } else {
        format!("{BATCH}.run({});", literal(text))
    };
    Ok(Line {
        text: text.to_string(),
        spec,
        statement,
    })
}

/// `text` as a Rhai `"..."` literal: only `\` and `"` need escaping (no control characters reach here),
/// so `C:\Windows` stays a backslash, and RTR's ```` ``` ```` raw strings pass as they are.
pub fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_paths_and_raw_strings_pass_as_typed() {
        let l = parse(r"ls C:\Windows\new").unwrap();
        assert_eq!(l.statement, r#"shell.run("ls C:\\Windows\\new");"#);
        let l = parse(r#"runscript -Raw=```Write-Output "hi"```"#).unwrap();
        assert_eq!(
            l.statement,
            r#"shell.run("runscript -Raw=```Write-Output \"hi\"```");"#
        );
        // The literal reads back as the line itself.
        let engine = rhai::Engine::new();
        let back: String = engine.eval(&literal(r#"a\b"c ``` ${x}"#)).unwrap();
        assert_eq!(back, r#"a\b"c ``` ${x}"#);
    }

    #[test]
    fn get_downloads_and_control_characters_are_refused() {
        let l = parse(r#"get "C:\Program Files\x.txt""#).unwrap();
        assert_eq!(l.statement, r#"shell.get("C:\\Program Files\\x.txt");"#);
        assert!(parse("get").is_err());
        assert!(parse("ls C:\\\u{1b}[2J").is_err());
        assert_eq!(
            parse("reg query HKLM").unwrap().spec.unwrap().name,
            "reg query"
        );
    }
}
