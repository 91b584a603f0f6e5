//! The one rule for text that reaches a responder's terminal from outside falconry.
//!
//! Host names, process names, file names, command output and tenant object names are written by
//! whoever controls the host or the tenant. A terminal obeys control characters: `\e[2K\r` erases
//! the line it is on (and with it a `[y/N]` prompt's warning), `\e]8;;URL\e\\` makes a hyperlink,
//! `\e[2J` clears the screen, U+202E reverses what follows. So every such string is passed through
//! [`line`] (one line: a name, a cell, a prompt) or [`text`] (multi-line output) before it is
//! printed, and every control character comes out visible as `\u{1b}`-style text. Only where the
//! bytes are the point (`--raw`, or output to a pipe) does a caller skip this.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not reach a terminal as itself, in any context.
fn hostile(c: char) -> bool {
    c.is_control() // C0 (including ESC, CR, BS), DEL and C1 (U+0080..=U+009F, CSI among them)
        || matches!(c,
            // Bidirectional overrides and isolates: they reorder what is displayed.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
            // Line and paragraph separators: some terminals start a new line.
            | '\u{2028}' | '\u{2029}'
        )
}

fn escape(c: char, out: &mut String) {
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// One line of hostile text: every control character visible, newlines and tabs too.
pub fn line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hostile) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hostile(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Multi-line hostile text (command output): newlines and tabs kept, a `\r` before `\n` (Windows
/// line ends) kept as a line end, every other control character visible.
pub fn text(s: &str) -> Cow<'_, str> {
    let keep =
        |c: char, next: Option<char>| c == '\n' || c == '\t' || (c == '\r' && next == Some('\n'));
    let mut chars = s.chars().peekable();
    let mut clean = true;
    while let Some(c) = chars.next() {
        if hostile(c) && !keep(c, chars.peek().copied()) {
            clean = false;
            break;
        }
    }
    if clean {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if hostile(c) && !keep(c, chars.peek().copied()) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The longest name (host, process, policy) shown whole in a message, prompt or plan line.
pub const NAME_MAX: usize = 120;

/// A hostile name as a message shows it: made visible and cut at [`NAME_MAX`] characters.
pub fn name(s: &str) -> String {
    short(s, NAME_MAX)
}

/// At most `max` characters of a hostile line, made visible, with how much was cut: for names in
/// messages, where a 200 MB name must not be printed whole.
pub fn short(s: &str, max: usize) -> String {
    let mut cut = s.char_indices();
    match cut.nth(max) {
        None => line(s).into_owned(),
        Some((at, _)) => format!("{}… ({} more bytes)", line(&s[..at]), s.len() - at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible_text() {
        assert_eq!(
            line("term\x1b[2K\r\x1b[32mWS-SAFE\x1b[0m"),
            "term\\u{1b}[2K\\u{d}\\u{1b}[32mWS-SAFE\\u{1b}[0m"
        );
        assert_eq!(line("a\u{9b}31m"), "a\\u{9b}31m");
        assert_eq!(line("evil\u{202e}exe.txt"), "evil\\u{202e}exe.txt");
        assert_eq!(line("two\nlines"), "two\\u{a}lines");
        assert!(matches!(line("WS-042 C:\\Windows"), Cow::Borrowed(_)));
    }

    #[test]
    fn output_keeps_its_lines_and_loses_its_escapes() {
        assert_eq!(text("a\r\nb\tc\n"), "a\r\nb\tc\n");
        assert_eq!(text("a\rb"), "a\\u{d}b");
        assert_eq!(
            text("x\x1b]8;;javascript:alert(1)\x1b\\y"),
            "x\\u{1b}]8;;javascript:alert(1)\\u{1b}\\y"
        );
    }

    #[test]
    fn long_names_are_cut_and_say_so() {
        let long = "a".repeat(1000);
        let s = short(&long, 10);
        assert_eq!(s, "aaaaaaaaaa… (990 more bytes)");
        assert_eq!(short("\x1b", 10), "\\u{1b}");
    }
}
