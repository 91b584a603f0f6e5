//! Keeps the client secret and bearer tokens out of everything falconry prints or writes, whatever
//! the text's source: a server may echo the request (its form body, its `Authorization` header) in an
//! error body or an answer a playbook prints.
//!
//! The client registers each secret it holds (the configured client secret, every token it is
//! given); the printers and writers (error renderer, `print`, results, the REPL, the inbox, the audit
//! log) pass their text through [`clean`].

use std::borrow::Cow;
use std::sync::RwLock;

/// Replaces a secret wherever it appears.
pub const MASK: &str = "<redacted>";

/// Each registered spelling with its searcher, built once: `memmem::find` builds one for every
/// call, and a text is cleaned for each line falconry writes (a call's audit line, a batch's 10,000
/// records), several spellings each.
static KNOWN: RwLock<Vec<Spelling>> = RwLock::new(Vec::new());

struct Spelling {
    text: String,
    finder: memchr::memmem::Finder<'static>,
}

/// Remembers `secret` (and the spellings a server would echo it in: form-encoded, JSON-escaped) for
/// the rest of the process. Values shorter than 4 characters are not worth hiding (and would mangle text).
pub fn register(secret: &str) {
    if secret.len() < 4 {
        return;
    }
    let form: String = url_form(secret);
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_matches('"').to_string();
    let mut known = KNOWN.write().unwrap_or_else(|p| p.into_inner());
    for s in [secret.to_string(), form, json] {
        if !known.iter().any(|k| k.text == s) {
            let finder = memchr::memmem::Finder::new(&s).into_owned();
            known.push(Spelling { text: s, finder });
        }
    }
    // Longest first, so a secret containing another is masked whole.
    known.sort_by_key(|s| std::cmp::Reverse(s.text.len()));
}

/// How many spellings of secrets are registered: a text cleaned before it changed may need cleaning
/// again (a memo of cleaned texts is valid while it stays the same).
pub fn generation() -> usize {
    KNOWN.read().unwrap_or_else(|p| p.into_inner()).len()
}

/// [`clean`] of a text already owned: the same string back, not a copy, when nothing is masked (a
/// 10,000-host batch's case and audit lines are tens of megabytes).
pub fn clean_owned(text: String) -> String {
    match clean(&text) {
        Cow::Owned(masked) => masked,
        Cow::Borrowed(_) => text,
    }
}

/// `text` with every registered secret and every `Bearer <token>` masked.
pub fn clean(text: &str) -> Cow<'_, str> {
    let known = KNOWN.read().unwrap_or_else(|p| p.into_inner());
    let mut out = Cow::Borrowed(text);
    for s in known.iter() {
        // memchr's searcher, not `str::contains`: a 10,000-host batch's case lines are tens of
        // megabytes, scanned once per secret.
        if s.finder.find(out.as_bytes()).is_some() {
            out = Cow::Owned(out.replace(s.text.as_str(), MASK));
        }
    }
    if let Some(masked) = mask_bearer(&out) {
        out = Cow::Owned(masked);
    }
    out
}

/// `Bearer <token>` (any case, as an `Authorization` header is echoed) with the token masked.
fn mask_bearer(text: &str) -> Option<String> {
    // Most text printed has no `bearer` at all: found without the lowercase copy of the text, by
    // jumping from one `b` to the next (SIMD) rather than comparing six bytes at every offset, which
    // was most of the scan of a 10,000-host batch answer (30 MB) the case journal writes.
    let bytes = text.as_bytes();
    if !memchr::memchr2_iter(b'b', b'B', bytes).any(|i| {
        bytes
            .get(i..i + 6)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"bearer"))
    }) {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let mut hits = lower.match_indices("bearer").peekable();
    hits.peek()?;
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (i, _) in hits {
        if i < last {
            continue;
        }
        let after = i + "bearer".len();
        let gap = text[after..]
            .bytes()
            .take_while(|b| matches!(b, b' ' | b':' | b'=' | b'"'))
            .count();
        let start = after + gap;
        let len = text[start..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || b"-_.+/=~".contains(b))
            .count();
        if gap == 0 || len < 8 {
            continue;
        }
        out.push_str(&text[last..start]);
        out.push_str(MASK);
        last = start + len;
    }
    if last == 0 {
        return None;
    }
    out.push_str(&text[last..]);
    Some(out)
}

fn url_form(s: &str) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    // `application/x-www-form-urlencoded` leaves these as they are and writes a space as `+`.
    utf8_percent_encode(s, NON_ALPHANUMERIC)
        .to_string()
        .replace("%2D", "-")
        .replace("%2E", ".")
        .replace("%5F", "_")
        .replace("%2A", "*")
        .replace("%20", "+")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_bearer_tokens_are_masked_in_any_spelling() {
        register("p@ss word/0xFEED");
        let echoed = "client_id=a&client_secret=p%40ss+word%2F0xFEED; raw p@ss word/0xFEED";
        assert_eq!(
            clean(echoed),
            "client_id=a&client_secret=<redacted>; raw <redacted>"
        );
        assert_eq!(
            clean(r#"{"authorization":"Bearer abc.def-ghi_jkl"} and bearer: zzzzzzzzzz"#),
            r#"{"authorization":"Bearer <redacted>"} and bearer: <redacted>"#
        );
        assert_eq!(clean("the bearer of news"), "the bearer of news");
    }

    #[test]
    fn bearer_is_found_after_other_bs_and_at_the_very_end() {
        assert_eq!(clean("bb BBearer abcdefgh12 b"), "bb BBearer <redacted> b");
        assert_eq!(clean("ends with bearer"), "ends with bearer");
        assert_eq!(clean("beare"), "beare");
    }

    #[test]
    fn an_owned_text_comes_back_itself_when_nothing_is_masked() {
        register("owned-secret-51c0");
        let plain = String::from("nothing to hide here");
        let at = plain.as_ptr();
        let back = clean_owned(plain);
        assert_eq!((back.as_str(), back.as_ptr()), ("nothing to hide here", at));
        assert_eq!(clean_owned("x owned-secret-51c0".into()), "x <redacted>");
    }
}
