//! The async client: sends validated requests with auth, rate limits and safe retries.
//!
//! Retry rules, in one place: a 429 or a refused connection never reached the API, so any request
//! may go again; a 401 is answered by one token refresh; 5xx, timeouts and lost answers are retried
//! only for reads, because a write or an RTR command may already have run.

use super::answer::{
    Cut, describe, header_pairs, location, parse_body, read_capped, redirect_error,
};
use super::auth::{self, Token};
use super::config::ClientConfig;
use super::ratelimit::{RateLimiter, retry_after};
use super::{ApiError, Response};
use crate::ops::{Body, FileSource, PartContent, Request};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::sync::{Mutex, RwLock};

/// The tenant's base URL as configured, and parsed once when it is only a scheme, host and port.
struct Base {
    text: String,
    parsed: Option<reqwest::Url>,
}

impl Base {
    fn new(text: String) -> Base {
        let parsed = reqwest::Url::parse(&text)
            .ok()
            .filter(|u| u.path() == "/" && !text.ends_with('/'))
            .filter(|u| u.query().is_none() && u.fragment().is_none());
        Base { text, parsed }
    }

    /// The URL of `path` with the query `qs`: the parsed base with its path and query set, which
    /// is what parsing the text `base + path + ? + qs` gives. Parsing that whole text again was
    /// an eighth of a call's instructions (callgrind, `bench/playbooks/get_policies.rhai`). `None`
    /// for a base with more than a scheme, host and port: [`Base::text_of`] is sent as it is.
    fn join(&self, path: &str, qs: &str) -> Option<reqwest::Url> {
        let mut url = self.parsed.clone()?;
        url.set_path(path);
        url.set_query(Some(qs).filter(|q| !q.is_empty()));
        Some(url)
    }

    fn text_of(&self, path: &str, qs: &str) -> String {
        let mut url = format!("{}{path}", self.text);
        if !qs.is_empty() {
            url.push('?');
            url.push_str(qs);
        }
        url
    }
}

pub struct Client {
    http: reqwest::Client,
    cfg: ClientConfig,
    base_url: RwLock<Base>,
    token: Mutex<Option<Token>>,
    limiter: RateLimiter,
    cancel: Arc<AtomicBool>,
    /// Requests sent (attempts included), for benchmarks and tests.
    sent: AtomicU64,
}

/// Where an answer's body goes.
enum Sink<'a> {
    Text,
    File(&'a Path),
}

/// A 2xx answer as `exchange` hands it over: its text for the caller to read, or the file it was saved to.
enum Got {
    Text {
        status: u16,
        headers: Vec<(String, String)>,
        text: String,
    },
    Saved(Response),
}

/// A 2xx answer whose JSON body was read by the caller's own reader ([`Client::send_as`]).
pub struct Parsed<T> {
    pub status: u16,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: T,
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Result<Client, ApiError> {
        super::tls::install();
        let http = reqwest::Client::builder()
            .user_agent(concat!("falconry/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            // A redirect would carry the bearer token (or, for the token request, the secret) wherever
            // the server points; Falcon never redirects API calls. See `redirect_error`.
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| {
                ApiError::Config(format!("cannot build the HTTP client: {}", describe(&e)))
            })?;
        Ok(Client {
            http,
            base_url: RwLock::new(Base::new(cfg.base_url.clone())),
            cfg,
            token: Mutex::new(None),
            limiter: RateLimiter::default(),
            cancel: Arc::new(AtomicBool::new(false)),
            sent: AtomicU64::new(0),
        })
    }

    /// The flag that stops waits and retries (Ctrl-C, time limits); shared with the script engine.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    pub fn set_cancel_flag(&mut self, flag: Arc<AtomicBool>) {
        self.cancel = flag;
    }

    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    pub async fn base_url(&self) -> String {
        self.base_url.read().await.text.clone()
    }

    /// Sends a request and returns the JSON answer; a non-2xx answer is an `ApiError::Status`.
    pub async fn send(&self, req: &Request) -> Result<Response, ApiError> {
        let got = self.exchange(req, Sink::Text).await?;
        json_answer(req, got, |text| serde_json::from_str(text).ok()).map(Response::from)
    }

    /// [`Client::send`], with the 2xx answer's JSON read by `read` (`None`: not JSON) instead of
    /// into a `serde_json::Value`; an empty body is read as `{}`. Error answers are as `send`'s.
    pub async fn send_as<T>(
        &self,
        req: &Request,
        read: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Parsed<T>, ApiError> {
        let got = self.exchange(req, Sink::Text).await?;
        json_answer(req, got, read)
    }

    /// Sends a request whose 2xx answer is binary and streams it to `dest` (never held in memory).
    pub async fn download(&self, req: &Request, dest: &Path) -> Result<Response, ApiError> {
        match self.exchange(req, Sink::File(dest)).await? {
            Got::Saved(response) => Ok(response),
            text => json_answer(req, text, |t| serde_json::from_str(t).ok()).map(Response::from),
        }
    }

    /// Revokes the current token (best effort, at the end of a run).
    pub async fn revoke(&self) {
        let Some(token) = self.token.lock().await.take() else {
            return;
        };
        let Some(op) = crate::ops::by_id("oauth2RevokeToken") else {
            return;
        };
        let url = format!("{}{}", self.base_url().await, op.path);
        let _ = self
            .http
            .post(url)
            .basic_auth(&self.cfg.client_id, Some(self.cfg.client_secret.expose()))
            .form(&[("token", token.value.expose())])
            .timeout(Duration::from_secs(5))
            .send()
            .await;
    }

    async fn bearer(&self, force: bool) -> Result<reqwest::header::HeaderValue, ApiError> {
        let mut slot = self.token.lock().await;
        let fresh = slot
            .as_ref()
            .is_some_and(|t| t.renew_at > std::time::Instant::now());
        if force || !fresh {
            let base = self.base_url().await;
            self.sent.fetch_add(1, Ordering::Relaxed);
            let grant = auth::fetch(&self.http, &base, &self.cfg).await?;
            if let Some(url) = grant
                .region_url
                .filter(|u| self.cfg.auto_region && *u != base)
            {
                *self.base_url.write().await = Base::new(url.to_string());
            }
            *slot = Some(grant.token);
        }
        Ok(slot
            .as_ref()
            .map(|t| t.header.clone())
            .unwrap_or_else(|| reqwest::header::HeaderValue::from_static("Bearer ")))
    }

    /// Sends `req` (retries, token, rate limit) until it has a 2xx answer or an error; an error answer's
    /// body is read here, a 2xx one's by the caller.
    async fn exchange(&self, req: &Request, sink: Sink<'_>) -> Result<Got, ApiError> {
        // Named only when something goes wrong: an answer that is fine needs no name.
        let operation = || req.op.qualified_name();
        let started = Instant::now();
        // The whole call, every attempt and wait included, ends by then.
        let deadline = started + self.cfg.max_call_time + server_wait(req);
        let mut refreshed = false;
        let mut attempt = 0u32;
        // 429s never reached the API: they get their own, larger budget than failures.
        let mut throttled = 0u32;
        loop {
            attempt += 1;
            self.wait(self.limiter.delay(), req.op).await?;
            let turn = self.limiter.turn().await;
            if turn.is_some() {
                // A 429 may have paused everyone while this request queued for its turn.
                self.wait(self.limiter.pause_left(), req.op).await?;
            }
            let bearer = self.bearer(false).await?;
            let left = deadline.saturating_duration_since(Instant::now());
            let built =
                self.build(req, bearer, left)
                    .await
                    .map_err(|message| ApiError::Transport {
                        operation: operation(),
                        message,
                    })?;
            self.sent.fetch_add(1, Ordering::Relaxed);
            let answer = match built.send().await {
                Ok(a) => a,
                Err(e) => {
                    // A refused connection never reached the API: safe to send again, whatever the operation.
                    // A request that cannot even be built (an over-long URL) fails the same way every time.
                    let safe = !e.is_builder() && (e.is_connect() || req.op.retry_safe());
                    let pause = backoff(attempt, self.cfg.max_backoff);
                    if safe && attempt < self.cfg.max_attempts && fits(deadline, pause) {
                        self.wait(pause, req.op).await?;
                        continue;
                    }
                    let message = gave_up(
                        format!("{}{}", describe(&e), location(&e, &self.cfg)),
                        started,
                        attempt,
                    );
                    return Err(if e.is_connect() || req.op.retry_safe() {
                        ApiError::Transport {
                            operation: operation(),
                            message,
                        }
                    } else {
                        ApiError::Unknown {
                            operation: operation(),
                            message,
                        }
                    });
                }
            };
            let status = answer.status().as_u16();
            let headers = header_pairs(answer.headers());
            let num = |name: &str| {
                headers
                    .iter()
                    .find(|(k, _)| k == name)
                    .and_then(|(_, v)| v.trim().parse::<u64>().ok())
            };
            self.limiter
                .observe(num("x-ratelimit-limit"), num("x-ratelimit-remaining"));

            if status == 401 && !refreshed {
                // The API refused the token before doing anything: refresh once and go again.
                refreshed = true;
                self.bearer(true).await?;
                continue;
            }
            if status == 429 && throttled < THROTTLED_ATTEMPTS {
                // Worked out only for a 429: a 2xx, the usual answer, needs no wait.
                let wait = headers
                    .iter()
                    .find(|(k, _)| k == "x-ratelimit-retryafter")
                    .and_then(|(_, v)| retry_after(v))
                    .unwrap_or_else(|| backoff(attempt, self.cfg.max_backoff))
                    .min(self.cfg.max_backoff);
                if fits(deadline, wait) {
                    throttled += 1;
                    attempt -= 1;
                    self.limiter.pause(wait);
                    continue;
                }
            }
            let pause = backoff(attempt, self.cfg.max_backoff);
            if status >= 500
                && req.op.retry_safe()
                && attempt < self.cfg.max_attempts
                && fits(deadline, pause)
            {
                self.wait(pause, req.op).await?;
                continue;
            }
            if (300..400).contains(&status) {
                return Err(redirect_error(operation(), status, &headers));
            }

            let success = (200..300).contains(&status);
            if let (true, Sink::File(dest)) = (success, &sink) {
                return match stream_to_file(answer, dest).await {
                    Ok(bytes) => Ok(Got::Saved(Response {
                        status,
                        headers,
                        body: json!({ "path": dest.display().to_string(), "bytes": bytes }),
                    })),
                    Err(message) => Err(ApiError::Transport {
                        operation: operation(),
                        message,
                    }),
                };
            }
            let text = match read_capped(answer, self.cfg.max_answer_bytes).await {
                Ok(t) => t,
                Err(Cut::Lost(_))
                    if req.op.retry_safe()
                        && attempt < self.cfg.max_attempts
                        && fits(deadline, pause) =>
                {
                    self.wait(pause, req.op).await?;
                    continue;
                }
                // A write or a command answered 2xx or 5xx may have run (a 5xx can come after the work);
                // a 4xx was refused, and a read never "may have run".
                Err(cut) if !req.op.retry_safe() && !(400..500).contains(&status) => {
                    return Err(ApiError::Unknown {
                        operation: operation(),
                        message: cut.to_string(),
                    });
                }
                Err(cut) => {
                    return Err(ApiError::Transport {
                        operation: operation(),
                        message: gave_up(cut.to_string(), started, attempt),
                    });
                }
            };
            if success {
                return Ok(Got::Text {
                    status,
                    headers,
                    text,
                });
            }
            let response = Response {
                status,
                headers,
                body: parse_body(status, &text),
            };
            return Err(ApiError::Status {
                operation: operation(),
                status,
                messages: response.error_messages(),
                trace_id: response.trace_id(),
                body: response.body,
            });
        }
    }

    async fn build(
        &self,
        req: &Request,
        bearer: reqwest::header::HeaderValue,
        left: Duration,
    ) -> Result<reqwest::RequestBuilder, String> {
        let op = req.op;
        let qs = req.query_string();
        let method = reqwest::Method::from_bytes(op.method.as_str().as_bytes())
            .map_err(|e| e.to_string())?;
        let base = self.base_url.read().await;
        let b = match base.join(op.path, &qs) {
            Some(url) => self.http.request(method, url),
            None => self.http.request(method, base.text_of(op.path, &qs)),
        };
        drop(base);
        let mut b = b
            .header(reqwest::header::AUTHORIZATION, bearer)
            .header(
                reqwest::header::ACCEPT,
                reqwest::header::HeaderValue::from_static("application/json"),
            )
            .timeout((self.cfg.timeout + server_wait(req)).min(left));
        b = match &req.body {
            Body::Empty => b,
            Body::Json(v) => b.json(v),
            Body::Form(fields) => b.form(fields),
            Body::Multipart(parts) => {
                let mut form = reqwest::multipart::Form::new();
                for p in parts {
                    form = match &p.content {
                        PartContent::Text(t) => form.text(p.name.clone(), t.clone()),
                        PartContent::File { filename, source } => {
                            let part = match source {
                                FileSource::Bytes(bytes) => {
                                    reqwest::multipart::Part::bytes(bytes.clone())
                                }
                                FileSource::Path(path) => {
                                    let file = tokio::fs::File::open(path).await.map_err(|e| {
                                        format!("cannot read `{}`: {e}", path.display())
                                    })?;
                                    let len = file.metadata().await.map(|m| m.len()).ok();
                                    let stream = tokio_util::io::ReaderStream::new(file);
                                    let body = reqwest::Body::wrap_stream(stream);
                                    match len {
                                        Some(n) => {
                                            reqwest::multipart::Part::stream_with_length(body, n)
                                        }
                                        None => reqwest::multipart::Part::stream(body),
                                    }
                                }
                            };
                            form.part(
                                p.name.clone(),
                                part.file_name(filename.clone())
                                    .mime_str("application/octet-stream")
                                    .map_err(|e| e.to_string())?,
                            )
                        }
                    };
                }
                b.multipart(form)
            }
        };
        Ok(b)
    }

    /// Sleeps, waking early (with an error) when the run is cancelled.
    async fn wait(&self, d: Duration, op: &crate::ops::Operation) -> Result<(), ApiError> {
        let step = Duration::from_millis(50);
        let mut left = d;
        loop {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(ApiError::Cancelled {
                    operation: op.qualified_name(),
                });
            }
            if left.is_zero() {
                return Ok(());
            }
            let s = left.min(step);
            tokio::time::sleep(s).await;
            left -= s;
        }
    }
}

/// A 2xx answer's body read by `read` (an empty body as `{}`); one that is not JSON is an error.
/// A saved download is read as what it says: `{ path, bytes }`.
fn json_answer<T>(
    req: &Request,
    got: Got,
    read: impl FnOnce(&str) -> Option<T>,
) -> Result<Parsed<T>, ApiError> {
    let (status, headers, text) = match got {
        Got::Text {
            status,
            headers,
            text,
        } => (status, headers, text),
        Got::Saved(r) => (r.status, r.headers, r.body.to_string()),
    };
    let body = if text.trim().is_empty() {
        read("{}")
    } else {
        read(&text)
    };
    match body {
        Some(body) => Ok(Parsed {
            status,
            headers,
            body,
        }),
        None => Err(not_json(req, status, &text)),
    }
}

/// A 2xx answer that is not JSON. Answered 2xx, a write or a command did run, whatever the body says.
fn not_json(req: &Request, status: u16, text: &str) -> ApiError {
    let operation = req.op.qualified_name();
    let snippet: String = text.chars().take(80).collect();
    let message = format!("the answer (HTTP {status}) is not JSON: {snippet:?}");
    if req.op.retry_safe() {
        ApiError::Transport { operation, message }
    } else {
        ApiError::Unknown { operation, message }
    }
}

impl From<Parsed<serde_json::Value>> for Response {
    fn from(p: Parsed<serde_json::Value>) -> Response {
        Response {
            status: p.status,
            headers: p.headers,
            body: p.body,
        }
    }
}

/// Operations that wait server-side (`timeout` seconds, batch commands) get that time on top of ours.
fn server_wait(req: &Request) -> Duration {
    let secs = req
        .query
        .iter()
        .find(|(k, _)| k == "timeout")
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .unwrap_or(if req.op.param("timeout").is_some() {
            30
        } else {
            0
        });
    Duration::from_secs(secs.min(3600))
}

/// Whether a wait of `d` still ends before the call's deadline.
fn fits(deadline: Instant, d: Duration) -> bool {
    Instant::now() + d < deadline
}

/// A failure message that says how long the call tried, once it tried more than once.
fn gave_up(message: String, started: Instant, attempts: u32) -> String {
    if attempts <= 1 {
        return message;
    }
    format!(
        "{message} (gave up after {attempts} attempts in {}s)",
        started.elapsed().as_secs()
    )
}

/// How many 429s one request waits out before giving up (each wait is the API's own retry-after).
const THROTTLED_ATTEMPTS: u32 = 30;

/// Capped exponential backoff with full jitter.
fn backoff(attempt: u32, cap: Duration) -> Duration {
    let base = Duration::from_millis(200).saturating_mul(1 << attempt.min(10));
    let max = base.min(cap);
    max.mul_f64(0.5 + rand::random::<f64>() * 0.5)
}

async fn stream_to_file(answer: reqwest::Response, dest: &Path) -> Result<u64, String> {
    use futures_util::StreamExt;
    let mut file = tokio::fs::File::create(dest)
        .await
        .map_err(|e| format!("cannot create `{}`: {e}", dest.display()))?;
    let mut stream = answer.bytes_stream();
    let mut total = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| describe(&e))?;
        total += chunk.len() as u64;
        file.write_all(&chunk)
            .await
            .map_err(|e| format!("cannot write `{}`: {e}", dest.display()))?;
    }
    file.flush().await.map_err(|e| e.to_string())?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::Base;

    /// Setting the path and query of the parsed base gives the URL parsing the whole text gave.
    #[test]
    fn a_joined_url_is_the_url_of_the_text() {
        let queries = [
            "",
            "ids=abc&ids=def",
            "filter=hostname%3A%27WS-042%27%2Bplatform_name%3A%27Windows%27&limit=5000",
            "filter=name:'a b'+x:\"q\"&sort=name|asc",
            "timeout=120&timeout_duration=2m",
            "ids=%E2%9C%93&x=%",
        ];
        let paths = [
            "/policy/entities/response/v1",
            "/real-time-response/combined/batch-command/v1",
            "/devices/queries/devices-scroll/v1",
        ];
        for base in ["http://127.0.0.1:18080", "https://api.us-2.crowdstrike.com"] {
            let b = Base::new(base.to_string());
            for path in paths {
                for qs in queries {
                    let joined = b.join(path, qs).expect("a plain base is parsed once");
                    let parsed = reqwest::Url::parse(&b.text_of(path, qs)).unwrap();
                    assert_eq!(joined.as_str(), parsed.as_str(), "{base} {path} {qs}");
                }
            }
        }
        // Anything more than scheme, host and port is sent as the text says.
        for base in [
            "http://proxy.local/falcon",
            "http://h:1/",
            "http://h:1?x=1",
            "not a url",
        ] {
            assert!(
                Base::new(base.to_string()).join("/p", "").is_none(),
                "{base}"
            );
        }
    }
}
