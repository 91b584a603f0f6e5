//! Where the REPL keeps its history, and which lines never go there (anything holding a secret or a token).

use std::path::PathBuf;

/// `$XDG_DATA_HOME/falconry/history`, else `~/.local/share/falconry/history`.
pub fn default_path() -> Option<PathBuf> {
    Some(crate::safety::data_dir()?.join("history"))
}

/// Decides whether a line may be written to the history file.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// `secrets` are the configured client secrets; empty ones are ignored.
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Redactor {
        Redactor {
            secrets: secrets.into_iter().filter(|s| s.len() >= 4).collect(),
        }
    }

    /// False for a line that holds a configured secret, names a client secret, or carries a token.
    /// The secret is looked for in the text and in the string values the line's literals evaluate
    /// to, joined: `"a\x2Db"` and `"sec" + "ret"` hold it as surely as the plain spelling.
    pub fn allows(&self, line: &str) -> bool {
        if !self.secrets.is_empty() {
            let values = literal_values(line);
            if self
                .secrets
                .iter()
                .any(|s| line.contains(s.as_str()) || values.contains(s.as_str()))
            {
                return false;
            }
        }
        let lower = line.to_ascii_lowercase();
        !(lower.contains("client_secret") || bearer_token(&lower) || jwt(line))
    }
}

/// The values of the line's string and character literals (escapes evaluated), joined in order.
fn literal_values(line: &str) -> String {
    use rhai::Token;
    let engine = rhai::Engine::new_raw();
    let input = [line];
    let (tokens, _) = engine.lex(&input);
    let mut out = String::new();
    for (token, _) in tokens {
        match token {
            Token::StringConstant(s) | Token::InterpolatedString(s) => out.push_str(&s),
            Token::CharConstant(c) => out.push(c),
            // The iterator goes on answering `EOF` at the end.
            Token::EOF | Token::LexError(_) => break,
            _ => {}
        }
    }
    out
}

/// `bearer <token>`, as pasted from an `Authorization` header.
fn bearer_token(lower: &str) -> bool {
    lower.match_indices("bearer").any(|(i, _)| {
        let rest = lower[i + "bearer".len()..].trim_start_matches([' ', ':', '=', '"']);
        rest.chars().take_while(|c| token_char(*c)).count() >= 16
    })
}

/// Three base64url segments starting with `eyJ` (a JSON header): what Falcon's OAuth2 tokens look like.
fn jwt(line: &str) -> bool {
    line.match_indices("eyJ").any(|(i, _)| {
        let token: String = line[i..]
            .chars()
            .take_while(|c| token_char(*c) || *c == '.')
            .collect();
        let parts: Vec<&str> = token.split('.').collect();
        parts.len() >= 3 && parts.iter().take(2).all(|p| p.len() >= 8)
    })
}

fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/' | '=')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_tokens_stay_out() {
        let r = Redactor::new(["s3cr3tValue0123456789".to_string()]);
        assert!(r.allows("let h = hosts::query_devices_by_filter(#{ limit: 5 });"));
        assert!(!r.allows(r#"let x = "s3cr3tValue0123456789";"#));
        assert!(!r.allows(r#"let h = #{ Authorization: "Bearer abcdefghijklmnopqrstuvwxyz" };"#));
        assert!(!r.allows(r#"let t = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig";"#));
        assert!(!r.allows(r#"let c = #{ client_secret: "x" };"#));
        // Escaped or split, the value is the secret.
        assert!(!r.allows(r#"let x = "s3cr3t\x56alue0123456789";"#));
        assert!(!r.allows(r#"let x = "s3cr3t" + "Value0123" + `456789`;"#));
    }

    #[test]
    fn host_ids_are_not_tokens() {
        let r = Redactor::new([]);
        assert!(r.allows(r#"s.run("ls", #{ id: "4f9c2a7e1b3d4e5f8a9b0c1d2e3f4a5b" })"#));
    }
}
