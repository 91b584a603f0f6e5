//! Place: above `command` and the ledger (`ledger.rs`), which sessions and batches fill.
//! Commands queued for offline hosts (`queue_offline`): `rtr::queued()`,
//! which asks Falcon which have run (RTR-ListQueuedSessions) and fetches each finished one's output
//! (the check-command-status operation of its tier), parsed as `s.run` parses it.
//!
//! The ledger lives as long as the runtime, so the REPL sees every command it queued; a later run
//! passes the queued results it saved (`rtr::queued(saved)`), since Falcon keeps them for days.

use super::command::{add_parsed, classify, endpoint, wait_output};
use super::ledger::{Ledger, pick};
use crate::engine::Context;
use crate::engine::convert::to_json;
use crate::helpers::caller::{self, Error, Result, str_of};
use crate::helpers::hosts;
use crate::helpers::options::Options;
use crate::ops::OpId;
use crate::ops::commands::Tier;
use rhai::Dynamic;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

pub const OPTION_KEYS: &[crate::helper_catalogue::Opt] = crate::helper_catalogue::QUEUED_OPTIONS;

/// The queued commands named by `items`: a list of queued results (`s.run` answers, or the values of
/// a batch's `queued`), one such result, or a batch answer (its `queued` map). Each must carry a
/// `session_id` and a `cloud_request_id`, or the call is refused before anything is sent.
fn named(items: &Dynamic) -> Result<Vec<Value>> {
    let value = to_json(items).map_err(|e| Error::new(format!("`rtr::queued`: {e}")))?;
    let list = match value {
        Value::Array(a) => a,
        Value::Object(m) if m.get("queued").is_some_and(Value::is_object) => m["queued"]
            .as_object()
            .into_iter()
            .flat_map(|q| q.values().cloned())
            .collect(),
        v @ Value::Object(_) => vec![v],
        other => {
            return Err(Error::new(format!(
                "`rtr::queued` takes queued results (a list, one result, or a batch answer), got {}",
                kind(&other)
            )));
        }
    };
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let missing: Vec<&str> = ["session_id", "cloud_request_id"]
                .into_iter()
                .filter(|k| str_of(item, k).is_empty())
                .collect();
            if !item.is_object() || !missing.is_empty() {
                return Err(Error::new(format!(
                    "`rtr::queued`: item {i} is not a queued result: it needs `session_id` and `cloud_request_id` \
                     (what `s.run` answers with `queued: true`), missing {}",
                    crate::text::ticked(&missing)
                )));
            }
            Ok(pick(item))
        })
        .collect()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "()",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

/// `rtr::queued()` / `rtr::queued(items)` / `rtr::queued(items, #{timeout})`.
pub fn collect(
    ctx: &Context,
    ledger: &Ledger,
    items: Option<&Dynamic>,
    opts: &Dynamic,
) -> Result<Value> {
    let o = Options::parse(opts, "rtr::queued", OPTION_KEYS)?;
    let timeout = o.secs("timeout", Duration::from_secs(30), Duration::from_secs(1))?;
    let wanted = match items {
        Some(items) => named(items)?,
        None => ledger.all(),
    };
    let mut out = json!({ "done": [], "pending": [], "canceled": [], "hostnames": {} });
    if wanted.is_empty() {
        return Ok(out);
    }
    let sessions: Vec<String> = wanted
        .iter()
        .map(|w| str_of(w, "session_id").to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let resp = caller::send(ctx, OpId::RtrListQueuedSessions, json!({ "ids": sessions }))
        .map_err(|e| e.context("listing the queued sessions"))?;
    // cloud request id -> what Falcon says of it.
    let mut status: HashMap<String, Listed> = HashMap::new();
    for job in caller::resources(&resp) {
        let session = str_of(&job, "id").to_string();
        let aid = str_of(&job, "aid").to_string();
        for c in job
            .get("Commands")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let id = str_of(c, "cloud_request_id").to_string();
            status.insert(
                id,
                Listed {
                    session: session.clone(),
                    aid: aid.clone(),
                    command_string: str_of(c, "command_string").to_string(),
                    state: str_of(c, "status").to_string(),
                },
            );
        }
    }
    let ids: Vec<String> = wanted
        .iter()
        .map(|w| str_of(w, "device_id").to_string())
        .filter(|d| !d.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let known = if ids.is_empty() {
        HashMap::new()
    } else {
        hosts::lookup(ctx, &ids)?
    };
    for mut w in wanted {
        let request = str_of(&w, "cloud_request_id").to_string();
        // The item is what a playbook (or a file it read) says; Falcon's listing is what ran where.
        if let Some(listed) = status.get(&request) {
            agrees(&mut w, listed, &request)?;
        }
        let device = str_of(&w, "device_id").to_string();
        let host = known.get(&device);
        if let Some(h) = host {
            w["hostname"] = json!(h.hostname);
        }
        out["hostnames"][&device] = w["hostname"].clone();
        let label = format!(
            "`{}` on host {}",
            str_of(&w, "command_string"),
            str_of(&w, "hostname")
        );
        let Some(Listed { session, state, .. }) = status.get(&request) else {
            return Err(Error::new(format!(
                "{label}: Falcon does not list queued command `{request}` in session `{}` (expired, or not a queued command)",
                str_of(&w, "session_id")
            )));
        };
        if session != str_of(&w, "session_id") {
            return Err(Error::new(format!(
                "{label}: queued command `{request}` belongs to session `{session}`, not `{}`",
                str_of(&w, "session_id")
            )));
        }
        w["status"] = json!(state);
        match state.as_str() {
            "FINISHED" => {
                let line = str_of(&w, "command_string").to_string();
                let (base, command) = classify(&line)?;
                let ep = endpoint(command.map_or(Tier::Admin, |c| c.tier));
                let (stdout, stderr) = wait_output(ctx, &ep, &request, timeout)
                    .map_err(|e| e.context(label.clone()))?;
                w["base_command"] = json!(base);
                w["complete"] = json!(true);
                w["stdout"] = json!(stdout);
                w["stderr"] = json!(stderr);
                w["planned"] = json!(crate::safety::is_plan_id(&request));
                let platform = host.map_or("", |h| h.platform.as_str());
                add_parsed(&mut w, &base, platform, &line);
                push(&mut out["done"], w);
            }
            "PENDING" => push(&mut out["pending"], w),
            "CANCELED" => push(&mut out["canceled"], w),
            other => {
                return Err(Error::new(format!(
                    "{label}: Falcon reports queued command `{request}` as `{other}`, which falconry does not know"
                )));
            }
        }
    }
    Ok(out)
}

/// One command of Falcon's queued-session listing.
struct Listed {
    session: String,
    /// The host the session is on.
    aid: String,
    command_string: String,
    state: String,
}

/// Refuses an item whose host or command differs from what Falcon lists for its request, naming
/// both; fills them in where the item left them out. An output would otherwise be reported as
/// another host's, or parsed as another command's.
fn agrees(w: &mut Value, listed: &Listed, request: &str) -> Result<()> {
    use crate::terminal::name;
    let (device, line) = (str_of(w, "device_id"), str_of(w, "command_string"));
    if listed.aid.is_empty() {
        return Err(Error::new(format!(
            "`rtr::queued`: Falcon's answer does not say which host queued command `{}` is for \
             (no `aid` on session `{}`); refused",
            name(request),
            name(&listed.session)
        )));
    }
    if !device.is_empty() && device != listed.aid {
        return Err(Error::new(format!(
            "`rtr::queued`: queued command `{}` names device `{}`, but Falcon lists its session `{}` \
             on device `{}`; refused",
            name(request),
            name(device),
            name(&listed.session),
            name(&listed.aid)
        )));
    }
    if !line.is_empty() && line != listed.command_string {
        return Err(Error::new(format!(
            "`rtr::queued`: queued command `{}` names the command `{}`, but Falcon lists it as `{}`; refused",
            name(request),
            name(line),
            name(&listed.command_string)
        )));
    }
    w["device_id"] = json!(listed.aid);
    w["command_string"] = json!(listed.command_string);
    Ok(())
}

fn push(list: &mut Value, item: Value) {
    if let Value::Array(a) = list {
        a.push(item);
    }
}
