//! OAuth2 client credentials: one token shared by all requests, refreshed before it expires.

use super::config::{ClientConfig, Secret, cloud_url};
use super::{ApiError, Response};
use std::time::{Duration, Instant};

pub(super) struct Token {
    pub value: Secret,
    /// `Bearer <token>` as the header every request carries: checked and built once per token, not
    /// once per request, and marked sensitive (never shown by a debug print of a request).
    pub header: reqwest::header::HeaderValue,
    pub renew_at: Instant,
}

/// What a token answer tells the client beyond the token.
pub(super) struct Grant {
    pub token: Token,
    /// The base URL of the cloud named by `X-Cs-Region`, when it names a known one.
    pub region_url: Option<&'static str>,
}

/// Renews at 3/4 of the lifetime, but never later than 2 minutes before expiry (FalconPy's window).
fn renew_after(expires_in: u64) -> Duration {
    let life = Duration::from_secs(expires_in);
    let early = (life / 4).min(Duration::from_secs(120));
    life.saturating_sub(early)
}

pub(super) async fn fetch(
    http: &reqwest::Client,
    base_url: &str,
    cfg: &ClientConfig,
) -> Result<Grant, ApiError> {
    let op = crate::ops::by_id("oauth2AccessToken").expect("the table has the token operation");
    let operation = "oauth2::token".to_string();
    let mut form = vec![
        ("client_id", cfg.client_id.as_str()),
        ("client_secret", cfg.client_secret.expose()),
    ];
    if let Some(cid) = &cfg.member_cid {
        form.push(("member_cid", cid.as_str()));
    }
    let answer = http
        .post(format!("{base_url}{}", op.path))
        .header("accept", "application/json")
        .form(&form)
        .timeout(cfg.timeout)
        .send()
        .await
        .map_err(|e| ApiError::Transport {
            operation: operation.clone(),
            message: format!(
                "{}{}",
                super::answer::describe(&e),
                super::answer::location(&e, cfg)
            ),
        })?;
    let status = answer.status().as_u16();
    let headers = super::answer::header_pairs(answer.headers());
    if (300..400).contains(&status) {
        // Never followed: the form carries the client secret.
        return Err(super::answer::redirect_error(operation, status, &headers));
    }
    let text = super::answer::read_capped(answer, cfg.max_answer_bytes)
        .await
        .map_err(|cut| ApiError::Transport {
            operation: operation.clone(),
            message: cut.to_string(),
        })?;
    let body = super::answer::parse_body(status, &text);
    let response = Response {
        status,
        headers,
        body,
    };
    if !(200..300).contains(&status) {
        let mut messages = response.error_messages();
        if status == 401 || status == 403 {
            messages.push("check `FALCON_CLIENT_ID` and `FALCON_CLIENT_SECRET`".into());
        }
        return Err(ApiError::Status {
            operation,
            status,
            messages,
            trace_id: response.trace_id(),
            body: response.body,
        });
    }
    let token = response
        .body
        .get("access_token")
        .and_then(|v| v.as_str())
        .ok_or_else(|| ApiError::Transport {
            operation: operation.clone(),
            message: "the token answer has no `access_token`".into(),
        })?;
    let expires_in = response
        .body
        .get("expires_in")
        .and_then(|v| v.as_u64())
        .unwrap_or(1799)
        // A value from the network: a huge lifetime must not overflow the clock.
        .min(24 * 3600);
    // A token that cannot go in a header is refused here, without saying what it was.
    let mut header =
        reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            ApiError::Transport {
                operation: operation.clone(),
                message:
                    "the token answer's `access_token` cannot be sent in an `Authorization` header"
                        .into(),
            }
        })?;
    header.set_sensitive(true);
    Ok(Grant {
        token: Token {
            value: Secret::new(token),
            header,
            renew_at: Instant::now() + renew_after(expires_in),
        },
        region_url: response.header("x-cs-region").and_then(cloud_url),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renews_before_expiry() {
        assert_eq!(renew_after(1799), Duration::from_secs(1679));
        assert_eq!(renew_after(60), Duration::from_secs(45));
        assert_eq!(renew_after(0), Duration::ZERO);
    }
}
