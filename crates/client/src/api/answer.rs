//! Reading an answer and describing a transport failure, the same way for the token request
//! (`auth`) and every API call (`client`): the capped body, its headers and JSON, a refused
//! redirect, and a transport error without the URL's query.

use super::ApiError;
use serde_json::{Value, json};

/// A 3xx: falconry follows no redirects (they would carry the token, or the secret, to another host).
pub(super) fn redirect_error(
    operation: String,
    status: u16,
    headers: &[(String, String)],
) -> ApiError {
    let to = headers
        .iter()
        .find(|(k, _)| k == "location")
        .map(|(_, v)| v.split(['?', '#']).next().unwrap_or_default().to_string())
        .unwrap_or_default();
    ApiError::Status {
        operation,
        status,
        messages: vec![format!(
            "the server answered with a redirect to `{to}`; falconry follows no redirects \
             (check `FALCON_BASE_URL` or `FALCON_CLOUD`)"
        )],
        trace_id: None,
        body: json!({}),
    }
}

/// Why an answer's body could not be read.
pub(super) enum Cut {
    /// The connection failed or timed out mid-answer.
    Lost(String),
    /// The body is larger than the cap.
    TooLarge(u64),
}

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cut::Lost(m) => f.write_str(m),
            Cut::TooLarge(cap) => write!(
                f,
                "the answer is larger than {cap} bytes and was not read \
                 (`FALCONRY_MAX_ANSWER_BYTES` raises the limit)"
            ),
        }
    }
}

/// The body as text, read chunk by chunk and never more than `cap` bytes.
///
/// The chunks are kept as they came and joined once the body is whole: a growing buffer doubles
/// (and copies) its way up, so an endless answer cut at a 256 MiB cap peaked near 768 MB. Kept
/// chunks hold the body's bytes and no more, and each is freed as it is joined.
pub(super) async fn read_capped(answer: reqwest::Response, cap: u64) -> Result<String, Cut> {
    use futures_util::StreamExt;
    if answer.content_length().is_some_and(|n| n > cap) {
        return Err(Cut::TooLarge(cap));
    }
    let mut chunks = Vec::new();
    let mut total = 0u64;
    let mut stream = answer.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Cut::Lost(describe(&e)))?;
        total += chunk.len() as u64;
        if total > cap {
            return Err(Cut::TooLarge(cap));
        }
        chunks.push(chunk);
    }
    let mut body = Vec::with_capacity(usize::try_from(total).unwrap_or(usize::MAX));
    for chunk in chunks {
        body.extend_from_slice(&chunk);
    }
    // Valid UTF-8 (every JSON answer) becomes the string in place: no second copy of the body.
    Ok(String::from_utf8(body)
        .unwrap_or_else(|bad| String::from_utf8_lossy(bad.as_bytes()).into_owned()))
}

pub(super) fn header_pairs(h: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The JSON body (`{}` when empty), or the standard error shape when an error answer is not JSON (as
/// FalconPy does). A 2xx answer's body is read by the caller (`client::json_answer`).
pub(super) fn parse_body(status: u16, text: &str) -> Value {
    if text.trim().is_empty() {
        return json!({});
    }
    serde_json::from_str::<Value>(text).unwrap_or_else(|_| {
        let snippet: String = text.chars().take(200).collect();
        json!({ "meta": {}, "resources": [], "errors": [{ "code": status, "message": snippet }] })
    })
}

/// Where a request that failed in transit went: the URL (without its query, which may carry ids)
/// and the cloud or setting it came from, so a wrong cloud or a missing route is plain.
pub(super) fn location(e: &reqwest::Error, cfg: &super::ClientConfig) -> String {
    let url = e.url().map_or_else(
        || cfg.base_url.clone(),
        |u| {
            let mut u = u.clone();
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        },
    );
    format!(" (`{url}`, {})", cfg.origin)
}

/// A transport error without the URL's query (which may carry ids) and without reqwest's debug noise.
pub(super) fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "the answer was cut off"
    } else if e.is_builder() {
        "the request cannot be built"
    } else if e.is_request() {
        "the request failed"
    } else {
        "HTTP error"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    }
}
