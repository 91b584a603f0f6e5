//! The HTTP face of the emulator: one handler for every request routes by the operation table,
//! checks the token, the rate limit and injected faults, validates what the table declares,
//! dispatches to the operation's handler and wraps the answer in Falcon's envelope and headers.
//!
//! Served by hyper directly (`connection.rs`): a router would only ever call this one handler.

use super::envelope::{Fail, Payload, Reply};
use super::handlers;
use super::host::archive::pack_7z_spoiled;
use super::input::{Input, Upload, parse_pairs};
use super::library::sha256_hex;
use super::state::{LogEntry, State};
use crate::ops::{self, Collection, Consumes};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

pub struct App {
    state: Mutex<State>,
}

impl App {
    pub fn new(state: State) -> App {
        App {
            state: Mutex::new(state),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking handler must not take the whole emulator down with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub type Request = hyper::Request<Incoming>;
/// An answer's body: whole bytes, nothing, or (fault injection) a stream that fails.
pub type Body = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;
pub type Response = hyper::Response<Body>;

/// Answers one request.
pub async fn serve(app: Arc<App>, req: Request) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let op = ops::by_route(&method, &path);
    // Route, token and media type are judged from the headers: a body is read only for a request
    // that may be answered, and never beyond the limit.
    let (gate, limit, idle) = {
        let state = app.lock();
        let gate = op.map_or(Ok(()), |op| admit(&state, op, req.headers()));
        let limit = state.scenario.body_limit_bytes;
        let idle = std::time::Duration::from_secs(state.scenario.idle_timeout_secs);
        (gate, limit, idle)
    };
    let input = match (op, gate) {
        (None, _) => Ok(Input::default()),
        (Some(_), Err(fail)) => Err(fail),
        (Some(_), Ok(())) => match tokio::time::timeout(idle, read_input(req, limit)).await {
            Ok(input) => input,
            Err(_) => Err(Fail::new(
                408,
                format!("the request body did not arrive within {}s", idle.as_secs()),
            )),
        },
    };
    let (reply, trace_id, limit, remaining, hold) = {
        let mut state = app.lock();
        let trace_id = state.ids.uuid();
        let (reply, remaining) = answer(&mut state, op, input, &method, &path);
        state.record(LogEntry {
            method,
            path,
            op: op.map(|o| o.id),
            status: reply.status,
        });
        (
            reply,
            trace_id,
            state.scenario.rate_limit_per_minute,
            remaining,
            state.hold_until.take(),
        )
    };
    if let Some(at) = hold {
        tokio::time::sleep_until(at.into()).await;
    }
    let reply = pack_archive(reply).await;
    render(reply, started, &trace_id, limit, remaining)
}

/// 7z packing is CPU work on possibly large files: off the async workers and outside the lock.
async fn pack_archive(reply: Reply) -> Reply {
    let Payload::Archive { name, bytes, fault } = reply.body else {
        return reply;
    };
    let packed = tokio::task::spawn_blocking(move || pack_7z_spoiled(&name, &bytes, fault)).await;
    match packed {
        Ok(packed) if !packed.is_empty() => Reply {
            body: Payload::Bytes {
                content_type: "application/x-7z-compressed",
                bytes: packed.into(),
            },
            ..reply
        },
        _ => Fail::new(500, "cannot pack the extracted file").into_reply(),
    }
}

/// Decides the answer; also returns the rate-limit budget left.
fn answer(
    state: &mut State,
    op: Option<&'static ops::Operation>,
    input: Result<Input, Fail>,
    method: &str,
    path: &str,
) -> (Reply, u32) {
    let Some(op) = op else {
        let reply = Fail::not_found(format!("no operation at `{method} {path}`")).into_reply();
        return (reply, state.scenario.rate_limit_per_minute);
    };
    let input = match input {
        Ok(input) => input,
        Err(fail) => {
            let reply = with_error_resources(op, fail.into_reply());
            return (reply, state.scenario.rate_limit_per_minute);
        }
    };
    let is_auth = op.collection == Collection::OAuth2;
    let remaining = match state.take_rate() {
        Ok(remaining) => remaining,
        Err(retry_at) => {
            let reply = Fail::new(429, "API rate limit exceeded")
                .into_reply()
                .header("X-Ratelimit-Retryafter", retry_at.to_string());
            return (reply, 0);
        }
    };
    if !is_auth && let Some(reply) = fault(state) {
        return (reply, remaining);
    }
    state.tick();
    let journaled = state.before_request(op);
    let reply = input
        .validate(op)
        .and_then(|()| handlers::handler(op.key)(state, &input))
        .unwrap_or_else(Fail::into_reply);
    if journaled && reply.status < 400 {
        state.after_request(op, &input);
    }
    (with_error_resources(op, reply), remaining)
}

/// Error answers carry `resources: []` where the operation's documented error shape has it
/// (`Operation::error_resources`, from the spec's 400 schema).
fn with_error_resources(op: &ops::Operation, mut reply: Reply) -> Reply {
    let bare = !op.error_resources;
    if reply.status >= 400
        && !bare
        && let Payload::Envelope { top, .. } = &mut reply.body
        && top.contains_key("errors")
    {
        top.entry("resources").or_insert_with(|| json!([]));
    }
    reply
}

/// Injected failures, as the scenario's `[faults]` asks.
fn fault(state: &mut State) -> Option<Reply> {
    state.api_requests += 1;
    let f = state.scenario.faults.clone();
    let n = state.api_requests;
    if f.storm_length > 0 && n > f.storm_after && n <= f.storm_after + f.storm_length {
        let retry = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() + 1);
        return Some(
            Fail::new(429, "API rate limit exceeded")
                .into_reply()
                .header("X-Ratelimit-Retryafter", retry.to_string()),
        );
    }
    if f.error_500 > 0.0 || f.error_503 > 0.0 || f.drop > 0.0 {
        let roll = state.ids.fraction();
        if roll < f.error_500 {
            return Some(Fail::new(500, "internal server error").into_reply());
        }
        if roll < f.error_500 + f.error_503 {
            return Some(Fail::new(503, "service unavailable").into_reply());
        }
        if roll < f.error_500 + f.error_503 + f.drop {
            return Some(Reply {
                status: 200,
                body: Payload::Dropped,
                headers: Vec::new(),
            });
        }
    }
    None
}

/// What can be judged before reading a body: the bearer token (401), the media type the
/// operation consumes (415) and the announced body size (413).
fn admit(state: &State, op: &ops::Operation, headers: &HeaderMap) -> Result<(), Fail> {
    if op.collection != Collection::OAuth2 {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            });
        if !token.is_some_and(|t| state.token_valid(t.trim())) {
            return Err(Fail::new(401, "access denied, invalid bearer token"));
        }
    }
    media_type(op, headers)?;
    let limit = state.scenario.body_limit_bytes;
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    Ok(())
}

fn too_large(limit: usize) -> Fail {
    Fail::new(
        413,
        format!("request body larger than the {limit} bytes accepted"),
    )
}

/// Multipart operations take only `multipart/form-data`; the token calls only form-urlencoded
/// fields; JSON operations only `application/json` when a body is sent. Anything else is 415, as
/// Falcon answers (FalconPy's own tests expect it for `create_scripts(data={})`).
fn media_type(op: &ops::Operation, headers: &HeaderMap) -> Result<(), Fail> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0");
    let (wanted, ok) = match op.consumes {
        Consumes::Multipart => ("multipart/form-data", essence == "multipart/form-data"),
        Consumes::Form => (
            "application/x-www-form-urlencoded",
            essence == "application/x-www-form-urlencoded" || (!has_body && essence.is_empty()),
        ),
        Consumes::Json => (
            "application/json",
            essence == "application/json" || (!has_body && !essence.starts_with("multipart/")),
        ),
    };
    if ok {
        return Ok(());
    }
    let got = if essence.is_empty() {
        "no `Content-Type`".to_string()
    } else {
        format!("`{essence}`")
    };
    Err(Fail::new(
        415,
        format!("`{}` takes `{wanted}`, got {got}", op.id),
    ))
}

/// Reads the body, refusing it (413) once it grows past `limit`.
async fn read_body(mut body: Incoming, limit: usize) -> Result<Bytes, Fail> {
    let mut bytes = bytes::BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| Fail::bad(format!("cannot read request body: {e}")))?;
        let Ok(chunk) = frame.into_data() else {
            continue; // trailers
        };
        if bytes.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.freeze())
}

async fn read_input(req: Request, limit: usize) -> Result<Input, Fail> {
    let mut input = Input {
        query: req.uri().query().map(parse_pairs).unwrap_or_default(),
        authorization: req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(String::from),
        ..Default::default()
    };
    // As sent: a multipart boundary is case-sensitive (a browser's is `----WebKitFormBoundary…`).
    let sent_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let content_type = sent_type.to_ascii_lowercase();
    let bytes = read_body(req.into_body(), limit).await?;
    if content_type.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(&sent_type)
            .map_err(|e| Fail::bad(format!("invalid multipart body: {e}")))?;
        let whole = futures_util::stream::once(async { Ok::<Bytes, std::io::Error>(bytes) });
        let mut multipart = multer::Multipart::new(whole, boundary);
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| Fail::bad(format!("invalid multipart body: {e}")))?
        {
            let name = field.name().unwrap_or("").to_string();
            let filename = field.file_name().map(String::from);
            let bytes = field
                .bytes()
                .await
                .map_err(|e| Fail::bad(format!("invalid multipart field `{name}`: {e}")))?;
            match filename {
                Some(filename) => input.files.push(Upload {
                    field: name,
                    filename,
                    sha256: sha256_hex(&bytes),
                    bytes,
                }),
                None => input
                    .form
                    .push((name, String::from_utf8_lossy(&bytes).into_owned())),
            }
        }
        return Ok(input);
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        input.form = parse_pairs(&String::from_utf8_lossy(&bytes));
    } else if !bytes.iter().all(u8::is_ascii_whitespace) {
        input.json = Some(
            serde_json::from_slice(&bytes)
                .map_err(|e| Fail::bad(format!("request body is not valid JSON: {e}")))?,
        );
    }
    Ok(input)
}

fn render(reply: Reply, started: Instant, trace_id: &str, limit: u32, remaining: u32) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (content_type, body) = match reply.body {
        Payload::Envelope { meta, top } => {
            let mut full = Map::new();
            let mut m = Map::new();
            m.insert("query_time".into(), json!(started.elapsed().as_secs_f64()));
            m.extend(meta);
            m.insert("powered_by".into(), json!("falconry-sim"));
            m.insert("trace_id".into(), json!(trace_id));
            full.insert("meta".into(), Value::Object(m));
            let has_errors = top.contains_key("errors");
            full.extend(top);
            if !has_errors {
                full.insert("errors".into(), json!([]));
            }
            let bytes = serde_json::to_vec(&Value::Object(full)).unwrap_or_default();
            ("application/json", whole(bytes.into()))
        }
        Payload::Json(value) => (
            "application/json",
            whole(serde_json::to_vec(&value).unwrap_or_default().into()),
        ),
        Payload::Bytes {
            content_type,
            bytes,
        } => (content_type, whole(bytes)),
        Payload::Empty => ("application/json", empty()),
        // Packed before rendering; never reaches here.
        Payload::Archive { .. } => ("application/json", empty()),
        Payload::Dropped => (
            "application/json",
            StreamBody::new(futures_util::stream::once(async {
                Err::<Frame<Bytes>, std::io::Error>(std::io::Error::other(
                    "connection dropped by fault injection",
                ))
            }))
            .boxed(),
        ),
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let mut put = |name: &str, value: &str| {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(n, v);
        }
    };
    put("x-cs-traceid", trace_id);
    if limit > 0 {
        put("x-ratelimit-limit", &limit.to_string());
        put("x-ratelimit-remaining", &remaining.to_string());
    }
    for (name, value) in &reply.headers {
        put(name, value);
    }
    response
}

fn whole(bytes: Bytes) -> Body {
    Full::new(bytes).map_err(|never| match never {}).boxed()
}

fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed()
}
