//! Whether typed input is finished: braces, brackets and parens closed, strings and comments ended.
//!
//! A tiny Rhai-aware scan, so a `{` inside a string or a comment does not keep the prompt open.

/// What the scan found at the end of the input.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Balance {
    /// Openers still waiting for their closer, innermost last (`(`, `[`, `{`; `#{` counts as `{`).
    pub open: Vec<(char, usize)>,
    /// The input ends inside a string or a block comment.
    pub unterminated: bool,
}

impl Balance {
    /// More lines are needed before the input can be evaluated.
    pub fn incomplete(&self) -> bool {
        !self.open.is_empty() || self.unterminated
    }
}

/// Scans `text`; each opener is kept with its byte offset so completion can find the enclosing map literal.
pub fn scan(text: &str) -> Balance {
    let bytes = text.as_bytes();
    let mut open = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => match block_comment_end(bytes, i) {
                Some(end) => i = end,
                None => {
                    return Balance {
                        open,
                        unterminated: true,
                    };
                }
            },
            q @ (b'"' | b'`' | b'\'') => match string_end(bytes, i, q) {
                Some(end) => i = end,
                None => {
                    return Balance {
                        open,
                        unterminated: true,
                    };
                }
            },
            c @ (b'(' | b'[' | b'{') => open.push((char::from(c), i)),
            c @ (b')' | b']' | b'}') => {
                let wanted = match c {
                    b')' => '(',
                    b']' => '[',
                    _ => '{',
                };
                // A stray closer is Rhai's to report; the scan just stops expecting it.
                if open.last().is_some_and(|(o, _)| *o == wanted) {
                    open.pop();
                }
            }
            _ => {}
        }
        i += 1;
    }
    Balance {
        open,
        unterminated: false,
    }
}

/// The index of the closing `/` of a (nested) block comment starting at `start`.
fn block_comment_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0;
    let mut i = start;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    None
}

/// The index of the closing quote of a string starting at `start`. Backtick strings may span lines.
fn string_end(bytes: &[u8], start: usize, quote: u8) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote != b'`' => i += 2,
            b'\n' if quote != b'`' => return None,
            c if c == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_blocks_ask_for_more() {
        assert!(scan("for x in [1, 2] {").incomplete());
        assert!(scan("hosts::query_devices_by_filter(#{").incomplete());
        assert!(!scan("let x = #{ a: [1, (2)] };").incomplete());
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        assert!(!scan(r#"print("{ [ (");"#).incomplete());
        assert!(!scan("let a = 1; // {").incomplete());
        assert!(!scan("/* { /* } */ */ 1").incomplete());
        assert!(!scan(r#"let s = "a \" {";"#).incomplete());
    }

    #[test]
    fn unterminated_strings_and_comments_ask_for_more() {
        assert!(scan("let s = `line one").incomplete());
        assert!(scan("/* still").incomplete());
    }

    #[test]
    fn stray_closers_are_left_to_the_parser() {
        assert!(!scan("1 }").incomplete());
    }

    #[test]
    fn openers_keep_their_offsets() {
        assert_eq!(scan("f(#{ a").open, vec![('(', 1), ('{', 3)]);
    }
}
