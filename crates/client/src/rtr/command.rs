//! Place: above `session`; below `queued` and the helpers that run commands.
//! Running one RTR command on a session: pick the endpoint by the command's tier, execute once, poll
//! until complete, join the `sequence_id` chunks and add the parsed fields.
//!
//! The endpoint follows the command's tier (read-only, active-responder, admin) rather than always
//! admin: an API client with only the read-only RTR scope can still run `ps`, and the audit trail in
//! Falcon shows the least privilege each command needed.

use super::poll;
use super::refusal;
use super::session::{Dir, Session};
use crate::helpers::caller::{self, Error, Result, str_of};
use crate::ops::OpId;
use crate::ops::commands::{self, CommandSpec, Tier};
use crate::platform::Platforms;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The execute and status operations of one tier.
pub struct Endpoint {
    pub execute: OpId,
    pub status: OpId,
    pub batch: OpId,
}

pub fn endpoint(tier: Tier) -> Endpoint {
    match tier {
        Tier::ReadOnly => Endpoint {
            execute: OpId::RtrExecuteCommand,
            status: OpId::RtrCheckCommandStatus,
            batch: OpId::BatchCmd,
        },
        Tier::ActiveResponder => Endpoint {
            execute: OpId::RtrExecuteActiveResponderCommand,
            status: OpId::RtrCheckActiveResponderCommandStatus,
            batch: OpId::BatchActiveResponderCmd,
        },
        Tier::Admin => Endpoint {
            execute: OpId::RtrExecuteAdminCommand,
            status: OpId::RtrCheckAdminCommandStatus,
            batch: OpId::BatchAdminCmd,
        },
    }
}

/// The base command and its catalogue entry, for a command about to be sent to hosts of `platforms`
/// (none when unknown): a command the catalogue does not know is an error naming it and the
/// nearest known command, and is not sent.
pub fn known(command_string: &str, platforms: Platforms) -> Result<(String, &'static CommandSpec)> {
    let (base, command) = classify(command_string)?;
    match command {
        Some(c) => Ok((base, c)),
        None => Err(Error::new(
            commands::unknown(command_string, platforms)
                .unwrap_or_else(|| format!("`{base}` is not an RTR command")),
        )),
    }
}

/// The base command and its catalogue entry, `None` for a command the catalogue does not know.
pub fn classify(command_string: &str) -> Result<(String, Option<&'static CommandSpec>)> {
    let line = command_string.trim();
    let base = commands::base_of(line).to_string();
    if base.is_empty() {
        return Err(Error::new("the RTR command is empty"));
    }
    Ok((base.clone(), commands::lookup(&base, line)))
}

/// Longest output kept: guards against an API that ignores `sequence_id` and repeats itself.
const MAX_CHUNKS: usize = 100_000;

/// Runs `command_string` on `session` and waits up to `timeout` for its output; the case (if any)
/// keeps the command with its output or error.
pub fn run(session: &Session, command_string: &str, timeout: Duration) -> Result<Value> {
    let started = std::time::SystemTime::now();
    let out = run_once(session, command_string, timeout);
    let host = session.host();
    let line = command_string.trim();
    let recorded = out.as_ref().map_err(|e| e.message.as_str());
    crate::engine::case::record_command(
        session.ctx(),
        &host.device_id,
        &host.hostname,
        line,
        started,
        recorded,
    );
    out
}

fn run_once(session: &Session, command_string: &str, timeout: Duration) -> Result<Value> {
    session.ensure_open()?;
    let ctx = session.ctx();
    let host = session.host();
    let line = command_string.trim();
    let (base, command) = known(line, Platforms::from_names([host.platform.as_str()]))?;
    let ep = endpoint(command.tier);
    let command = Some(command);
    let execute = |session_id: &str| {
        caller::send(
            ctx,
            ep.execute,
            json!({
                "base_command": base,
                "command_string": line,
                "session_id": session_id,
                "device_id": host.device_id,
                "persist": session.0.opts.queue_offline,
            }),
        )
    };
    session.touch();
    let sent = match execute(&session.id()) {
        // A 404 means Falcon no longer knows the session (expired while idle): the command was
        // refused, not run, so sending it once on a fresh session cannot run it twice.
        Err(e) if e.status() == Some(404) && !e.is_host_unreachable() => {
            let fresh = reopen(session, timeout).map_err(|e| {
                e.context(format!(
                    "`{line}` was not sent: the session on host {} expired",
                    host.label()
                ))
                .with("device_id", host.device_id.clone())
                .with("hostname", host.hostname.clone())
                .with("command", line.to_string())
            })?;
            execute(&fresh)
        }
        other => other,
    };
    let resp = sent.map_err(|e| {
        if e.is_policy_refusal() {
            refusal::explain(ctx, host, line, command, e)
        } else if e.is_guard_refusal() {
            e
        } else {
            e.context(format!("`{line}` on host {}", host.label()))
                .with("device_id", host.device_id.clone())
                .with("hostname", host.hostname.clone())
                .with("command", line.to_string())
        }
    })?;
    session.touch();
    let record = caller::first_resource(&resp, &format!("`{}`", ep.execute.op().name))?;
    let request_id = str_of(&record, "cloud_request_id").to_string();
    let mut result = json!({
        "stdout": "",
        "stderr": "",
        "complete": false,
        "base_command": base,
        "command_string": line,
        "device_id": host.device_id,
        "hostname": host.hostname,
        "session_id": session.id(),
        "cloud_request_id": request_id,
        // Plan mode answered in place of the host: nothing ran, so a playbook must not report it as done.
        "planned": crate::safety::is_plan_id(&request_id),
    });
    if record
        .get("queued_command_offline")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        // The host is offline: the command runs when it returns; waiting here would only time out.
        result["queued"] = json!(true);
        session.0.queued.record(&result);
        session.hold_for_queued();
        return Ok(result);
    }
    let timing = &session.0.timing;
    let waited = wait_output_placed(ctx, &ep, &request_id, timeout, timing.first_poll(&base));
    let waited = waited.map_err(|e| {
        e.context(format!("`{line}` on host {}", host.label()))
            .with("device_id", host.device_id.clone())
            .with("command", line.to_string())
            .with("cloud_request_id", request_id.clone())
    })?;
    timing.completed(&base, waited.seen_after);
    if base.eq_ignore_ascii_case("cd") && waited.stderr.trim().is_empty() {
        learn_dir(session, line, &waited.stdout, timeout);
    }
    result["complete"] = json!(true);
    result["stdout"] = json!(waited.stdout);
    result["stderr"] = json!(waited.stderr);
    add_parsed(&mut result, &base, &host.platform, line);
    Ok(result)
}

/// Opens a fresh session in place of an expired one and takes it back to the directory the old one
/// was in, so the command that follows runs where the playbook put it. Logged, since the session id
/// changes under the playbook.
fn reopen(session: &Session, timeout: Duration) -> Result<String> {
    let host = session.host();
    let dir = session.dir();
    if let Dir::Unknown(cd) = &dir {
        return Err(Error::new(format!(
            "its working directory (after `{cd}`) is not known, so a new session cannot be put back there"
        )));
    }
    let old = session.id();
    let fresh = session.reopen()?;
    let Dir::Known(path) = dir else {
        eprintln!(
            "falconry: the RTR session on host {} expired ({old}); reopened as {fresh}",
            host.label()
        );
        return Ok(fresh);
    };
    let line = format!("cd {}", quote_path(&path));
    let ep = endpoint(Tier::ReadOnly);
    let restored = caller::send(
        session.ctx(),
        ep.execute,
        json!({
            "base_command": "cd",
            "command_string": line,
            "session_id": fresh,
            "device_id": host.device_id,
            "persist": false,
        }),
    )
    .and_then(|r| caller::first_resource(&r, &format!("`{}`", ep.execute.op().name)))
    .and_then(|record| {
        let id = str_of(&record, "cloud_request_id").to_string();
        wait_output(session.ctx(), &ep, &id, timeout)
    });
    match restored {
        Ok((_, stderr)) if stderr.trim().is_empty() => {
            eprintln!(
                "falconry: the RTR session on host {} expired ({old}); reopened as {fresh} and returned to `{path}`",
                host.label()
            );
            Ok(fresh)
        }
        Ok((_, stderr)) => Err(Error::new(format!(
            "a new session could not return to `{path}`: {}",
            stderr.trim()
        ))),
        Err(e) => Err(e.context(format!("a new session could not return to `{path}`"))),
    }
}

/// After a successful `cd`: where the session now is. The host prints the new directory; when it
/// does not (or prints something that is not an absolute path), `pwd` asks. A directory that cannot
/// be learned is remembered as unknown, so a reopen refuses rather than runs elsewhere.
fn learn_dir(session: &Session, line: &str, stdout: &str, timeout: Duration) {
    let printed = stdout.trim();
    if is_absolute(printed) {
        session.set_dir(Dir::Known(printed.to_string()));
        return;
    }
    let asked = run(session, "pwd", timeout)
        .ok()
        .and_then(|r| r["stdout"].as_str().map(|s| s.trim().to_string()))
        .filter(|p| is_absolute(p));
    session.set_dir(match asked {
        Some(p) => Dir::Known(p),
        None => Dir::Unknown(line.to_string()),
    });
}

/// One line holding an absolute Windows (`C:\...`, `\\server\...`) or POSIX path.
pub(crate) fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    !path.contains('\n')
        && (path.starts_with('/')
            || path.starts_with("\\\\")
            || (b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\'))
}

/// A path as an RTR argument: quoted when it has spaces.
pub fn quote_path(path: &str) -> String {
    if path.contains(char::is_whitespace) && !path.starts_with('"') {
        format!("\"{path}\"")
    } else {
        path.to_string()
    }
}

/// Polls the status of `request_id` until complete, then joins its output chunks.
pub fn wait_output(
    ctx: &crate::engine::Context,
    ep: &Endpoint,
    request_id: &str,
    timeout: Duration,
) -> Result<(String, String)> {
    wait_output_placed(ctx, ep, request_id, timeout, None).map(|w| (w.stdout, w.stderr))
}

/// A command's whole output, and when it was first seen complete.
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    /// From the start of the wait to sending the status request that found the output: an upper
    /// bound on the command's run time, which places the next first poll.
    pub seen_after: Duration,
}

/// A complete answer at least this long also reads the next `sequence_id`: should a Falcon mark
/// every chunk complete (not what its SDK's maintainers describe), long output would otherwise be
/// cut at the first chunk. Shorter answers cost no extra request.
const LONG_ANSWER: usize = 16 * 1024;

/// [`wait_output`] with the first poll placed at `first_poll` (when known).
///
/// Falcon splits long output across `sequence_id`s; FalconPy's maintainers describe how to tell
/// (falconpy#992): a finished command's chunk that answers `complete: false` has more at the next
/// `sequence_id`. So `complete: true` on sequence 0 is the whole answer, and the minimum of one
/// status request per command is all a short answer costs.
pub fn wait_output_placed(
    ctx: &crate::engine::Context,
    ep: &Endpoint,
    request_id: &str,
    timeout: Duration,
    first_poll: Option<Duration>,
) -> Result<Output> {
    let started = Instant::now();
    let status = |sequence: usize| {
        caller::send(
            ctx,
            ep.status,
            json!({ "cloud_request_id": request_id, "sequence_id": sequence }),
        )
        .and_then(|r| caller::first_resource(&r, &format!("`{}`", ep.status.op().name)))
    };
    let complete = |s: &Value| s.get("complete").and_then(Value::as_bool).unwrap_or(false);
    let no_answer = || {
        Error::new(format!(
            "no answer within {} (cloud request `{request_id}`); the command was not sent again and may still complete on the host",
            humantime::format_duration(Duration::from_millis(timeout.as_millis() as u64))
        ))
        .with("timeout", true)
    };
    // A chunk is there once it is complete or holds output; before, the command is still running.
    let ready = |s: Value| (complete(&s) || !str_of(&s, "stdout").is_empty()).then_some(s);
    let mut seen_after = Duration::ZERO;
    let schedule = first_poll.map_or_else(poll::Backoff::default, poll::Backoff::after);
    let first = poll::wait_with(
        ctx,
        timeout,
        schedule,
        || {
            seen_after = started.elapsed();
            Ok(ready(status(0)?))
        },
        no_answer,
    )?;
    let mut stdout = str_of(&first, "stdout").to_string();
    let stderr = str_of(&first, "stderr").to_string();
    let first_len = stdout.len();
    let (mut last, mut more) = (first_len, !complete(&first));
    let mut sequence = 1;
    // Past a long complete answer, read on while chunks come back as long as the first.
    while (more || (first_len >= LONG_ANSWER && last >= first_len)) && sequence < MAX_CHUNKS {
        let chunk = if more {
            let left = timeout.saturating_sub(started.elapsed());
            poll::wait(ctx, left, || Ok(ready(status(sequence)?)), no_answer)?
        } else {
            match status(sequence) {
                Ok(chunk) => chunk,
                // Only a guard: an API that does not know the sequence has nothing more.
                Err(e) if !e.is_cancelled() => break,
                Err(e) => return Err(e),
            }
        };
        let text = str_of(&chunk, "stdout");
        if text.is_empty() || (!more && sequence == 1 && text == stdout) {
            break;
        }
        stdout.push_str(text);
        last = text.len();
        more = !complete(&chunk);
        sequence += 1;
    }
    Ok(Output {
        stdout,
        stderr,
        seen_after,
    })
}

/// Adds the structured field (`processes`, `entries`, ...) the parsers read from the output, and
/// `warnings` naming rows they could not read.
pub fn add_parsed(result: &mut Value, base: &str, platform: &str, line: &str) {
    let Some(command) = commands::lookup(base, line) else {
        return;
    };
    // Read in place: a batch parses thousands of outputs, each worth no copy.
    let parsed = super::parse::parse_command(
        command.key,
        Some(platform).filter(|p| !p.is_empty()),
        str_of(result, "stdout"),
    );
    if let Some(parsed) = parsed {
        result[parsed.field] = parsed.value;
        result["warnings"] = parsed.warnings.into();
    }
}

/// [`add_parsed`] and `from_json_owned` in one, for a playbook's value: the parsed field is built
/// as Rhai values directly, never as JSON first (a batch parses thousands of outputs).
pub fn parsed_rhai(result: Value, base: &str, platform: &str, line: &str) -> rhai::Dynamic {
    let parsed = commands::lookup(base, line).and_then(|command| {
        super::parse::parse_command_rhai(
            command.key,
            Some(platform).filter(|p| !p.is_empty()),
            str_of(&result, "stdout"),
        )
    });
    let mut value = crate::engine::convert::from_json_owned(result);
    if let Some((field, parsed, warnings)) = parsed
        && let Some(mut map) = value.write_lock::<rhai::Map>()
    {
        map.insert(field.into(), parsed);
        let warnings = warnings.into_iter().map(rhai::Dynamic::from).collect();
        map.insert("warnings".into(), rhai::Dynamic::from_array(warnings));
    }
    value
}
