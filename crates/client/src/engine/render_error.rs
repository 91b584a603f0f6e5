//! The one script-error renderer: `error: message`, then where (`--> file:line:col`, the line, a caret) and
//! notes. Here, below the CLI, the REPL and watch mode, so all of them print errors the same way.

use super::error::{ErrorKind, Location, ScriptError};
use std::fmt::Write;

pub fn render_script_error(e: &ScriptError) -> String {
    // An error body may echo the request: never print the secret or a token it carried. Messages
    // quote servers, hosts and files: their control characters are shown, never obeyed.
    let text = render_unredacted(e);
    crate::terminal::text(&crate::ops::redact::clean(&text)).into_owned()
}

fn render_unredacted(e: &ScriptError) -> String {
    let mut out = String::new();
    let headline = match (&e.kind, &e.api) {
        (ErrorKind::Api, Some(api)) => match api.status {
            Some(status) => format!("`{}` failed with HTTP {status}", api.operation),
            None => e.message.clone(),
        },
        _ => e.message.clone(),
    };
    let _ = writeln!(out, "error: {headline}");
    if let Some(loc) = &e.location {
        out.push_str(&snippet(loc));
    }
    // Notes line up with the snippet's gutter.
    let pad = " ".repeat(e.location.as_ref().map_or(1, |l| l.line.to_string().len()));
    if let Some(api) = &e.api {
        for m in &api.messages {
            let _ = writeln!(out, "{pad} = falcon: {}", crate::terminal::line(m));
        }
        if let Some(t) = &api.trace_id {
            let _ = writeln!(out, "{pad} = trace id: {t}");
        }
    }
    for (function, loc) in &e.trace {
        let _ = writeln!(out, "{pad} = in `{function}`, called at {loc}");
    }
    out
}

/// ` --> file:line:col`, the source line and a caret under the column.
fn snippet(loc: &Location) -> String {
    let mut out = String::new();
    let gutter = " ".repeat(loc.line.to_string().len());
    let _ = writeln!(out, "{gutter}--> {loc}");
    if let Some(text) = &loc.text {
        let _ = writeln!(out, "{gutter} |");
        let _ = writeln!(out, "{} | {}", loc.line, text.replace('\t', " "));
        let caret_at = text.chars().take(loc.column.saturating_sub(1)).count();
        let _ = writeln!(out, "{gutter} | {}^", " ".repeat(caret_at));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_sits_under_the_column() {
        let mut e = ScriptError::new(ErrorKind::Runtime, "variable not found: x");
        e.location = Some(Location {
            file: "p.rhai".into(),
            line: 3,
            column: 5,
            text: Some("let y = x;".into()),
        });
        assert_eq!(
            render_script_error(&e),
            "error: variable not found: x\n --> p.rhai:3:5\n  |\n3 | let y = x;\n  |     ^\n"
        );
    }
}
