//! Place: above `error`, `sources` and the helper catalogue, below the error conversion (`syntax_hint`), `check` and the REPL,
//! which call it; it knows no runtime.
//! Windows paths in `"..."` strings: `s.run("ls C:\new")` lists `C:` and a newline, since `\n` is an
//! escape. A string literal given to an RTR command that holds a control character made by an escape is
//! a problem `check` (and `run`, before anything is sent) reports, with the backtick form to use.

use super::error::{ErrorKind, Location, ScriptError};
use super::sources::Sources;
use crate::helper_catalogue::METHODS;
use rhai::{AST, ASTNode, Expr};

/// A method whose first argument the helper catalogue marks as RTR command text.
fn takes_command_text(name: &str) -> bool {
    METHODS.iter().any(|m| m.command_text && m.name == name)
}

/// The escape problems of `ast`, compiled from `source` (an id `sources` knows).
pub fn check(sources: &Sources, ast: &AST, source: &str) -> Vec<ScriptError> {
    let mut problems = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::MethodCall(call, _))) = path.last()
            && takes_command_text(&call.name)
            && let Some(Expr::StringConstant(text, pos)) = call.args.first()
            && text.chars().any(char::is_control)
            && let Some(line) = pos.line()
        {
            let column = pos.position().unwrap_or(1);
            let quoted = sources.line(source, line);
            // A backtick string may hold a real line break; only a `"..."` escape is a mistake.
            let plain = quoted
                .as_deref()
                .and_then(|l| l.chars().nth(column - 1))
                .is_none_or(|c| c == '"');
            if plain {
                let mut e = ScriptError::new(ErrorKind::Argument, message(&call.name, text));
                e.location = Some(Location {
                    file: sources.display(source),
                    line,
                    column,
                    text: quoted,
                });
                problems.push(e);
            }
        }
        true
    });
    problems
}

fn message(method: &str, text: &str) -> String {
    let typed: String = text.chars().map(escaped).collect();
    format!(
        "`.{method}(\"{typed}\")`: the string holds a control character made by an escape (`\\n`, `\\t`, ...), so the host would not get the path typed; write Windows paths in a backtick string, where `\\` is just a backslash: `.{method}(`{typed}`)`"
    )
}

/// The escape that made `c`, as it was typed.
fn escaped(c: char) -> String {
    match c {
        '\n' => "\\n".into(),
        '\t' => "\\t".into(),
        '\r' => "\\r".into(),
        '\0' => "\\0".into(),
        c if c.is_control() => format!("\\x{:02x}", c as u32),
        c => c.to_string(),
    }
}

/// The hint a syntax error about an invalid escape gets: `"C:\Users"` reads `\U` as an escape.
pub fn syntax_hint(message: &str) -> Option<&'static str> {
    message.contains("escape sequence").then_some(
        "; in a `\"...\"` string `\\` starts an escape: write Windows paths in a backtick string (`C:\\Users`) or double each backslash",
    )
}
