//! Client configuration: credentials and cloud, read once from the environment.

use std::fmt;
use std::time::Duration;

/// A value that must never be printed: the client secret or a bearer token.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Also registers the value with [`super::redact`], so nothing printed ever shows it.
    pub fn new(value: impl Into<String>) -> Secret {
        let value = value.into();
        super::redact::register(&value);
        Secret(value)
    }

    /// The only way to read the value: named so every use is easy to audit.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Falcon clouds and their API base URLs (FalconPy's `BaseURL`).
pub const CLOUDS: &[(&str, &str)] = &[
    ("us-1", "https://api.crowdstrike.com"),
    ("us-2", "https://api.us-2.crowdstrike.com"),
    ("us-3", "https://api.us-3.crowdstrike.com"),
    ("eu-1", "https://api.eu-1.crowdstrike.com"),
    ("us-gov-1", "https://api.laggar.gcw.crowdstrike.com"),
    ("us-gov-2", "https://api.us-gov-2.crowdstrike.mil"),
];

/// The base URL of a cloud name as FalconPy and the console spell it (`eu-1`, `US-GOV-1`; case does
/// not matter). A near miss (`eu1`) is not guessed at: the tenant's data is in one region only.
pub fn cloud_url(name: &str) -> Option<&'static str> {
    CLOUDS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
        .map(|(_, url)| *url)
}

/// Why `FALCON_CLOUD={name}` is refused: the clouds, and the one meant when it is a near miss.
/// Where requests go, from a base URL or a cloud name (the base URL wins; no cloud, or `auto`, is the
/// first cloud, following the region the token answer names), with whether the region is followed
/// and where the choice came from, for messages (`url_from`, `cloud_from`: `FALCON_BASE_URL`, a
/// profile...). The environment and profiles both resolve through here.
pub fn endpoint(
    base_url: Option<String>,
    cloud: Option<&str>,
    url_from: &str,
    cloud_from: &str,
) -> Result<(String, bool, String), String> {
    match (base_url, cloud) {
        (Some(url), _) => Ok((url, false, url_from.to_string())),
        (None, None) | (None, Some("auto")) => Ok((
            CLOUDS[0].1.to_string(),
            true,
            format!(
                "cloud `{}` (the default; {cloud_from} names another)",
                CLOUDS[0].0
            ),
        )),
        (None, Some(name)) => match cloud_url(name) {
            Some(url) => Ok((
                url.to_string(),
                false,
                format!("cloud `{}` ({cloud_from})", name.trim()),
            )),
            None => Err(unknown_cloud(name)),
        },
    }
}

fn unknown_cloud(name: &str) -> String {
    let names: Vec<&str> = CLOUDS.iter().map(|(n, _)| *n).collect();
    let lower = name.trim().to_ascii_lowercase();
    // `eu1`, `us_2`: the same letters without or with another separator.
    let norm = |s: &str| s.replace(['-', '_', ' '], "");
    let near = names
        .iter()
        .find(|n| norm(n) == norm(&lower))
        .copied()
        .or_else(|| crate::ops::suggest::closest(&lower, &names))
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    format!(
        "`FALCON_CLOUD={name}` is not a Falcon cloud{near} (the clouds: {}, or `auto`)",
        crate::text::ticked(&names)
    )
}

#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub base_url: String,
    /// Follow the `X-Cs-Region` header of the token answer (FALCON_CLOUD=auto).
    pub auto_region: bool,
    /// Where the base URL came from, for errors: ``cloud `eu-1` (`FALCON_CLOUD`)``.
    pub origin: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub member_cid: Option<String>,
    /// Per-request timeout (operations with a server-side `timeout` get it added).
    pub timeout: Duration,
    /// Attempts for retryable failures (429 always; 5xx and lost answers only for reads).
    pub max_attempts: u32,
    /// Longest single wait for a rate limit or backoff.
    pub max_backoff: Duration,
    /// The largest answer body read into memory (downloads stream to disk and are not capped).
    pub max_answer_bytes: u64,
    /// The longest one call may take, all attempts and waits included (a server-side `timeout` is added).
    pub max_call_time: Duration,
}

impl ClientConfig {
    pub fn new(
        base_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Secret,
    ) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            auto_region: false,
            origin: "the configured base URL".to_string(),
            client_id: client_id.into(),
            client_secret,
            member_cid: None,
            timeout: Duration::from_secs(60),
            max_attempts: 6,
            max_backoff: Duration::from_secs(30),
            // Real answers (5,000 device records, a long script listing) stay far below this.
            max_answer_bytes: 256 << 20,
            max_call_time: Duration::from_secs(180),
        }
    }

    /// `FALCONRY_MAX_ANSWER_BYTES` and `FALCONRY_CALL_TIMEOUT`, whatever gave the credentials (the
    /// environment or a profile).
    pub fn apply_env_limits(&mut self) -> Result<(), String> {
        let number = |k: &str| -> Result<Option<u64>, String> {
            std::env::var(k)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or(format!("`{k}={v}` must be a positive whole number"))
                })
                .transpose()
        };
        if let Some(n) = number("FALCONRY_MAX_ANSWER_BYTES")? {
            self.max_answer_bytes = n;
        }
        if let Some(n) = number("FALCONRY_CALL_TIMEOUT")? {
            self.max_call_time = Duration::from_secs(n);
        }
        Ok(())
    }

    /// Reads `FALCON_CLIENT_ID`, `FALCON_CLIENT_SECRET`, `FALCON_MEMBER_CID`, `FALCON_CLOUD`, `FALCON_BASE_URL`.
    /// `Ok(None)` when no credentials are configured (the caller may start the emulator).
    pub fn from_env() -> Result<Option<ClientConfig>, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let (id, secret) = match (var("FALCON_CLIENT_ID"), var("FALCON_CLIENT_SECRET")) {
            (None, None) => return Ok(None),
            (Some(id), Some(secret)) => (id, Secret::new(secret)),
            (Some(_), None) => {
                return Err("`FALCON_CLIENT_ID` is set but `FALCON_CLIENT_SECRET` is not".into());
            }
            (None, Some(_)) => {
                return Err("`FALCON_CLIENT_SECRET` is set but `FALCON_CLIENT_ID` is not".into());
            }
        };
        let (base_url, auto_region, origin) = endpoint(
            var("FALCON_BASE_URL"),
            var("FALCON_CLOUD").as_deref(),
            "`FALCON_BASE_URL`",
            "`FALCON_CLOUD`",
        )?;
        let mut cfg = ClientConfig::new(base_url, id, secret);
        cfg.origin = origin;
        cfg.auto_region = auto_region;
        cfg.member_cid = var("FALCON_MEMBER_CID");
        cfg.apply_env_limits()?;
        Ok(Some(cfg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_format() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s} {s:?}"), "<redacted> <redacted>");
    }

    #[test]
    fn cloud_names_in_any_spelling() {
        assert_eq!(
            cloud_url("US-GOV-1"),
            Some("https://api.laggar.gcw.crowdstrike.com")
        );
        assert_eq!(cloud_url("eu-1"), Some("https://api.eu-1.crowdstrike.com"));
        assert_eq!(cloud_url("eu1"), None);
        assert_eq!(cloud_url("mars-1"), None);
        assert!(unknown_cloud("eu1").contains("did you mean `eu-1`?"));
        assert!(unknown_cloud("us_gov1").contains("did you mean `us-gov-1`?"));
        assert!(!unknown_cloud("mars").contains("did you mean"));
    }
}
