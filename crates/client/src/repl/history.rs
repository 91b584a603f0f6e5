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
    pub fn allows(&self, line: &str) -> bool {
        if self.secrets.iter().any(|s| line.contains(s.as_str())) {
            return false;
        }
        let lower = line.to_ascii_lowercase();
        !(lower.contains("client_secret") || bearer_token(&lower) || jwt(line))
    }
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
    }

    #[test]
    fn host_ids_are_not_tokens() {
        let r = Redactor::new([]);
        assert!(r.allows(r#"s.run("ls", #{ id: "4f9c2a7e1b3d4e5f8a9b0c1d2e3f4a5b" })"#));
    }
}
