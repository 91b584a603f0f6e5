//! Running one RTR command on a session: pick the endpoint by the command's tier, execute once, poll
//! until complete, join the `sequence_id` chunks and add the parsed fields.
//!
//! The endpoint follows the command's tier (read-only, active-responder, admin) rather than always
//! admin: an API client with only the read-only RTR scope can still run `ps`, and the audit trail in
//! Falcon shows the least privilege each command needed.

use super::api::{self, Error, Result, str_of};
use super::poll;
use super::refusal;
use super::session::Session;
use crate::ops::commands::{self, Command, Tier};
use serde_json::{Value, json};
use std::time::Duration;

/// The execute and status operations of one tier.
pub struct Endpoint {
    pub module: &'static str,
    pub execute: &'static str,
    pub status: &'static str,
    pub batch: &'static str,
}

pub fn endpoint(tier: Tier) -> Endpoint {
    match tier {
        Tier::ReadOnly => Endpoint {
            module: "real_time_response",
            execute: "execute_command",
            status: "check_command_status",
            batch: "batch_command",
        },
        Tier::ActiveResponder => Endpoint {
            module: "real_time_response",
            execute: "execute_active_responder_command",
            status: "check_active_responder_command_status",
            batch: "batch_active_responder_command",
        },
        Tier::Admin => Endpoint {
            module: "real_time_response_admin",
            execute: "execute_admin_command",
            status: "check_admin_command_status",
            batch: "batch_admin_command",
        },
    }
}

/// The base command and its catalogue entry; an unknown command goes to the admin endpoint, which
/// runs everything, so Falcon itself says what is wrong with it.
pub fn classify(command_string: &str) -> Result<(String, Option<&'static Command>)> {
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
    crate::case::record_command(
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
    let (base, command) = classify(line)?;
    let ep = endpoint(command.map_or(Tier::Admin, |c| c.tier));
    let execute = |session_id: &str| {
        api::send(
            ctx,
            ep.module,
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
        Err(e) if e.status() == Some(404) => {
            let fresh = session.reopen()?;
            execute(&fresh)
        }
        other => other,
    };
    let resp = sent.map_err(|e| {
        if e.status() == Some(403) {
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
    let record = api::first_resource(&resp, &format!("`{}`", ep.execute))?;
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
    });
    if record
        .get("queued_command_offline")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        // The host is offline: the command runs when it returns; waiting here would only time out.
        result["queued"] = json!(true);
        return Ok(result);
    }
    let (stdout, stderr) = wait_output(ctx, &ep, &request_id, timeout).map_err(|e| {
        e.context(format!("`{line}` on host {}", host.label()))
            .with("device_id", host.device_id.clone())
            .with("command", line.to_string())
            .with("cloud_request_id", request_id.clone())
    })?;
    result["complete"] = json!(true);
    result["stdout"] = json!(stdout);
    result["stderr"] = json!(stderr);
    add_parsed(&mut result, &base, &host.platform, line);
    Ok(result)
}

/// Polls the status of `request_id` until complete, then joins its output chunks.
pub fn wait_output(
    ctx: &crate::engine::Context,
    ep: &Endpoint,
    request_id: &str,
    timeout: Duration,
) -> Result<(String, String)> {
    let status = |sequence: usize| {
        api::send(
            ctx,
            ep.module,
            ep.status,
            json!({ "cloud_request_id": request_id, "sequence_id": sequence }),
        )
        .and_then(|r| api::first_resource(&r, &format!("`{}`", ep.status)))
    };
    let first = poll::wait(
        ctx,
        timeout,
        || {
            let s = status(0)?;
            Ok(s.get("complete")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                .then_some(s))
        },
        || {
            Error::new(format!(
                "no answer within {} (cloud request `{request_id}`); the command was not sent again and may still complete on the host",
                humantime::format_duration(Duration::from_millis(timeout.as_millis() as u64))
            ))
            .with("timeout", true)
        },
    )?;
    let mut stdout = str_of(&first, "stdout").to_string();
    let stderr = str_of(&first, "stderr").to_string();
    // Long output is split across `sequence_id` chunks; a chunk shorter than the first, or an empty
    // one, is the last.
    let first_len = stdout.len();
    let mut last_len = first_len;
    let mut sequence = 1;
    while last_len > 0 && (sequence == 1 || last_len >= first_len) && sequence < MAX_CHUNKS {
        let chunk = status(sequence)?;
        let text = str_of(&chunk, "stdout");
        if text.is_empty() || (sequence == 1 && text == stdout) {
            break;
        }
        stdout.push_str(text);
        last_len = text.len();
        sequence += 1;
    }
    Ok((stdout, stderr))
}

/// Adds the structured field (`processes`, `entries`, ...) the parsers read from the output.
pub fn add_parsed(result: &mut Value, base: &str, platform: &str, line: &str) {
    let stdout = str_of(result, "stdout").to_string();
    let base = if base.eq_ignore_ascii_case("reg") || base.eq_ignore_ascii_case("update") {
        commands::lookup(base, line).map_or(base, |c| c.name)
    } else {
        base
    };
    if let Some((field, value)) =
        super::parse::parse(base, Some(platform).filter(|p| !p.is_empty()), &stdout)
    {
        result[field] = value;
    }
}
