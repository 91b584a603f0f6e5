//! `rtr::batch(device_ids, #{host_timeout, timeout, queue_offline, keepalive})`: one batch session over
//! many hosts. `b.run(cmd)` and `b.get(path)` answer `#{results, errors, no_answer, queued, hostnames}`:
//! - `results`: device id -> the result a session's `run` (or `get`) gives, parsed fields included;
//! - `errors`: device id -> `#{message, ...}` for hosts that refused or failed the command;
//! - `no_answer`: device ids that did not answer in time (offline or slow);
//! - `queued` (`run`): device id -> the result of a command queued for an offline host (`queue_offline`);
//! - `hostnames`: device id -> hostname, for every host the lists name.

use super::command::{self, endpoint, known, parsed_rhai};
use super::file::{self, Extracted};
use super::keepalive::{Alive, LastUsed, Registry};
use super::refusal;
use crate::engine::Context;
use crate::engine::convert::from_json_owned;
use crate::engine::parallel::{self, threads_for};
use crate::helpers::caller::{self, Error, Result, str_of};
use crate::helpers::hosts::{self, HostInfo};
use crate::helpers::options::Options;
use crate::ops::OpId;
use crate::policies::Policies;
use rhai::Dynamic;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const OPTION_KEYS: &[crate::helper_catalogue::Opt] = crate::helper_catalogue::BATCH_OPTIONS;

#[derive(Clone, Debug)]
pub struct BatchOptions {
    /// How long Falcon waits for each host before answering without it.
    pub host_timeout: Duration,
    /// How long a batch call (and the polls after it) may take in all.
    pub timeout: Duration,
    pub queue_offline: bool,
    pub keepalive: Duration,
}

impl BatchOptions {
    pub fn parse(value: &Dynamic) -> Result<BatchOptions> {
        let o = Options::parse(value, "rtr::batch", OPTION_KEYS)?;
        let timeout = o.secs("timeout", Duration::from_secs(60), Duration::from_secs(1))?;
        let host_timeout = o.secs(
            "host_timeout",
            timeout
                .saturating_sub(Duration::from_secs(2))
                .max(Duration::from_secs(1)),
            Duration::from_secs(1),
        )?;
        Ok(BatchOptions {
            host_timeout,
            timeout,
            queue_offline: o.bool("queue_offline", false)?,
            keepalive: o.secs(
                "keepalive",
                super::session::DEFAULT_KEEPALIVE,
                Duration::from_millis(100),
            )?,
        })
    }

    /// The timing arguments every batch operation takes.
    fn timing(&self) -> Value {
        json!({
            "timeout": self.timeout.as_secs().max(1),
            "host_timeout_duration": format!("{}s", self.host_timeout.as_secs().max(1)),
        })
    }
}

pub struct BatchInner {
    ctx: Arc<Context>,
    pub batch_id: String,
    /// Hosts with a session in the batch, in the order given ([`HostInfo::slim`]).
    pub hosts: Vec<HostInfo>,
    /// Device id -> session id.
    sessions: BTreeMap<String, String>,
    /// Hosts that could not join, with why.
    pub failed: Map<String, Value>,
    /// Of those, the ones that did not answer (offline, timed out) rather than refused or unknown.
    unreachable: Vec<String>,
    opts: BatchOptions,
    last_used: LastUsed,
    /// Where commands queued for offline hosts are noted, for `rtr::queued()`.
    queued: Arc<super::ledger::Ledger>,
}

#[derive(Clone)]
pub struct Batch(pub Arc<BatchInner>);

/// `#{results, errors, no_answer, queued, hostnames}`, being filled in.
#[derive(Default)]
struct Outcome {
    results: Map<String, Value>,
    errors: Map<String, Value>,
    no_answer: Vec<String>,
    /// Offline hosts that queued the command (`queue_offline`): it runs when they return.
    queued: Map<String, Value>,
    /// The hostname of every device id the lists name, so no list is ids only.
    hostnames: Map<String, Value>,
}

impl Outcome {
    fn into_value(self) -> Value {
        // Moved in: `json!` would serialise every host's parsed output into a copy.
        let mut m = Map::new();
        m.insert("results".into(), Value::Object(self.results));
        m.insert("errors".into(), Value::Object(self.errors));
        m.insert(
            "no_answer".into(),
            Value::Array(self.no_answer.into_iter().map(Value::String).collect()),
        );
        m.insert("queued".into(), Value::Object(self.queued));
        m.insert("hostnames".into(), Value::Object(self.hostnames));
        Value::Object(m)
    }
}

impl Batch {
    pub fn open(
        ctx: &Arc<Context>,
        registry: &Arc<Registry>,
        ids: &[String],
        opts: BatchOptions,
    ) -> Result<Batch> {
        // Falcon's cap on `batch_init_sessions`' `host_ids` (the operation table's). Refused before
        // the host lookup, so nothing is sent: splitting is the playbook's choice, not a guess here.
        if let Some(max) = OpId::BatchInitSessions.op().body_max_items("host_ids")
            && ids.len() > max
        {
            return Err(Error::new(format!(
                "`rtr::batch`: {} device ids, but Falcon opens at most {max} hosts per batch; open \
                 one batch per {max} (`import \"falcon/util\" as u; for part in u::chunks(ids, \
                 {max}) {{ ... }}`)",
                ids.len()
            )));
        }
        let mut known = hosts::lookup(ctx, ids)?;
        let mut failed = Map::new();
        let mut order = Vec::new();
        for id in ids {
            match known.remove(id) {
                Some(h) => order.push(h),
                None => {
                    failed.insert(
                        id.clone(),
                        json!({ "message": format!("device `{id}` not found") }),
                    );
                }
            }
        }
        if order.is_empty() {
            return Err(Error::new(format!(
                "`rtr::batch`: none of the {} device ids is a known host",
                ids.len()
            )));
        }
        let host_ids: Vec<&str> = order.iter().map(|h| h.device_id.as_str()).collect();
        let mut args = opts.timing();
        args["host_ids"] = json!(host_ids);
        args["queue_offline"] = json!(opts.queue_offline);
        let mut resp = caller::send(ctx, OpId::BatchInitSessions, args)
            .map_err(|e| e.context("`rtr::batch` cannot open the batch"))?;
        let batch_id = resp
            .body
            .get("batch_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if batch_id.is_empty() {
            return Err(Error::new(
                "`batch_init_sessions` answered without a `batch_id`",
            ));
        }
        let mut entries = match resp.body.get_mut("resources").map(Value::take) {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let mut sessions = BTreeMap::new();
        let mut hosts = Vec::new();
        // The full records, freed while the playbook goes on (see `HostInfo::slim`).
        let mut records = Vec::with_capacity(order.len());
        let mut refused = Vec::new();
        let mut unreachable = Vec::new();
        for h in order {
            let entry = entries.remove(&h.device_id).unwrap_or(Value::Null);
            let session_id = str_of(&entry, "session_id").to_string();
            match first_error(&entry) {
                Some((code, message)) => {
                    match code {
                        c if is_policy_refusal(c) => refused.push((h.clone(), message.clone())),
                        404 => {}
                        _ => unreachable.push(h.device_id.clone()),
                    }
                    failed.insert(
                        h.device_id.clone(),
                        json!({ "message": format!("host {}: {message}", h.label()), "hostname": h.hostname }),
                    );
                }
                None if session_id.is_empty() => {
                    unreachable.push(h.device_id.clone());
                    failed.insert(
                        h.device_id.clone(),
                        json!({ "message": format!("host {} did not answer the session request", h.label()), "hostname": h.hostname }),
                    );
                }
                None => {
                    sessions.insert(h.device_id.clone(), session_id);
                    hosts.push(h.slim());
                }
            }
            records.push(h.record);
        }
        let items = records.len() + known.len();
        crate::engine::parallel::drop_aside((records, known), items);
        explain_refusals(ctx, &mut failed, refused, "init_session", None);
        let inner = Arc::new(BatchInner {
            ctx: ctx.clone(),
            batch_id,
            hosts,
            sessions,
            failed,
            unreachable,
            opts,
            last_used: LastUsed::now(),
            queued: registry.queued.clone(),
        });
        let weak: std::sync::Weak<dyn Alive> = Arc::downgrade(&inner) as _;
        registry.add(weak);
        Ok(Batch(inner))
    }

    /// The outcome of a command before any host answered: hosts that never joined the batch are
    /// already `no_answer` (offline) or `errors` (refused, unknown).
    fn outcome(&self) -> Outcome {
        let mut out = Outcome::default();
        for h in &self.0.hosts {
            out.hostnames.insert(h.device_id.clone(), json!(h.hostname));
        }
        for (id, why) in &self.0.failed {
            if let Some(name) = why.get("hostname").filter(|n| n.is_string()) {
                out.hostnames.insert(id.clone(), name.clone());
            }
            if self.0.unreachable.contains(id) {
                out.no_answer.push(id.clone());
            } else {
                out.errors.insert(id.clone(), why.clone());
            }
        }
        out
    }

    fn touch(&self) {
        self.0.last_used.touch();
    }

    /// Runs `command_string` on every host of the batch.
    pub fn run(&self, command_string: &str) -> Result<Dynamic> {
        let ctx = &*self.0.ctx;
        let line = command_string.trim();
        let platforms = crate::platform::Platforms::from_names(
            self.0.hosts.iter().map(|h| h.platform.as_str()),
        );
        let (base, command) = known(line, platforms)?;
        let ep = endpoint(command.tier);
        let started = std::time::SystemTime::now();
        let mut args = self.0.opts.timing();
        args["base_command"] = json!(base);
        args["command_string"] = json!(line);
        args["batch_id"] = json!(self.0.batch_id);
        args["persist_all"] = json!(self.0.opts.queue_offline);
        self.touch();
        let mut resp = caller::send(ctx, ep.batch, args)
            .map_err(|e| e.context(format!("`{line}` on batch `{}`", self.0.batch_id)))?;
        self.touch();
        // Taken, not cloned: at 10,000 hosts the answer is tens of megabytes of output.
        let mut entries = match resp
            .body
            .pointer_mut("/combined/resources")
            .map(Value::take)
        {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let mut out = self.outcome();
        let mut pending: Vec<(&HostInfo, String, Value)> = Vec::new();
        let mut refused = Vec::new();
        for h in &self.0.hosts {
            let Some(mut entry) = entries.remove(&h.device_id) else {
                out.no_answer.push(h.device_id.clone());
                continue;
            };
            let task = str_of(&entry, "task_id").to_string();
            let complete = entry
                .get("complete")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            // Built by hand: `json!` serialises each value, which copies every host's output.
            let mut result = Map::with_capacity(10);
            let mut put = |k: &str, v: Value| result.insert(k.to_string(), v);
            put("stdout", Value::String(take_str(&mut entry, "stdout")));
            put("stderr", Value::String(take_str(&mut entry, "stderr")));
            put("complete", Value::Bool(complete));
            put("base_command", Value::from(base.as_str()));
            put("command_string", Value::from(line));
            put("device_id", Value::from(h.device_id.as_str()));
            put("hostname", Value::from(h.hostname.as_str()));
            put("session_id", Value::from(str_of(&entry, "session_id")));
            put("cloud_request_id", Value::String(task.clone()));
            put("planned", Value::Bool(crate::safety::is_plan_id(&task)));
            let mut result = Value::Object(result);
            if let Some((code, message)) = first_error(&entry) {
                if is_policy_refusal(code) {
                    refused.push((h.clone(), message.clone()));
                }
                out.errors.insert(
                    h.device_id.clone(),
                    json!({ "message": format!("`{line}` on host {}: {message}", h.label()), "hostname": h.hostname, "command": line }),
                );
            } else if complete {
                out.results.insert(h.device_id.clone(), result);
            } else if entry
                .get("offline_queued")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                && !task.is_empty()
            {
                // Queued for an offline host, not lost: it runs when the host returns.
                result["queued"] = json!(true);
                self.0.queued.record(&result);
                out.queued.insert(h.device_id.clone(), result);
            } else if task.is_empty() {
                out.no_answer.push(h.device_id.clone());
            } else {
                pending.push((h, task, result));
            }
        }
        explain_refusals(ctx, &mut out.errors, refused, line, Some(command));
        // Hosts still running when the batch call returned: poll their tasks until the batch timeout.
        for (h, task, mut result) in pending {
            match command::wait_output(ctx, &ep, &task, self.0.opts.timeout) {
                Ok((stdout, stderr)) => {
                    result["complete"] = json!(true);
                    result["stdout"] = json!(stdout);
                    result["stderr"] = json!(stderr);
                    out.results.insert(h.device_id.clone(), result);
                }
                Err(e) if e.is_cancelled() => return Err(e),
                Err(_) => out.no_answer.push(h.device_id.clone()),
            }
        }
        let outcome = out.into_value();
        crate::engine::case::record_batch(ctx, line, started, &outcome);
        // Parsed after the case took the output: each host is parsed and turned into Rhai values
        // in one go, so no host's parsed rows wait in memory as JSON for the others.
        let platforms: HashMap<&str, &str> = self
            .0
            .hosts
            .iter()
            .map(|h| (h.device_id.as_str(), h.platform.as_str()))
            .collect();
        let parse = |id: &str, result: Value| {
            parsed_rhai(
                result,
                &base,
                platforms.get(id).copied().unwrap_or(""),
                line,
            )
        };
        Ok(into_dynamic(outcome, &parse))
    }

    /// Retrieves `path` from every host of the batch into the output directory.
    pub fn get(&self, path: &str) -> Result<Value> {
        let ctx = &*self.0.ctx;
        let mut args = self.0.opts.timing();
        args["batch_id"] = json!(self.0.batch_id);
        args["file_path"] = json!(path);
        self.touch();
        let resp = caller::send(ctx, OpId::BatchGetCmd, args)
            .map_err(|e| e.context(format!("`get {path}` on batch `{}`", self.0.batch_id)))?;
        let req_id = str_of(&resp.body, "batch_get_cmd_req_id").to_string();
        // Read in place: at 10,000 hosts a copy of the answer is megabytes for nothing.
        let entries = resp
            .body
            .pointer("/combined/resources")
            .unwrap_or(&Value::Null);
        let mut out = self.outcome();
        let mut waiting: Vec<&HostInfo> = Vec::new();
        let mut refused = Vec::new();
        for h in &self.0.hosts {
            match entries.get(&h.device_id) {
                None => out.no_answer.push(h.device_id.clone()),
                Some(entry) => match first_error(entry) {
                    Some((code, message)) => {
                        if is_policy_refusal(code) {
                            refused.push((h.clone(), message.clone()));
                        }
                        out.errors.insert(
                            h.device_id.clone(),
                            json!({ "message": format!("`get {path}` on host {}: {message}", h.label()), "hostname": h.hostname }),
                        );
                    }
                    None if !str_of(entry, "stderr").is_empty() => {
                        out.errors.insert(
                            h.device_id.clone(),
                            json!({ "message": format!("`get {path}` on host {}: {}", h.label(), str_of(entry, "stderr")), "hostname": h.hostname }),
                        );
                    }
                    None => waiting.push(h),
                },
            }
        }
        let get_command = crate::ops::commands::lookup("get", "get");
        explain_refusals(
            ctx,
            &mut out.errors,
            refused,
            &format!("get {path}"),
            get_command,
        );
        // Wait until every host that took the command lists its file (or the timeout passes).
        let deadline = Instant::now() + self.0.opts.timeout;
        let mut files: BTreeMap<String, Extracted> = BTreeMap::new();
        let waited = super::poll::wait(
            ctx,
            self.0.opts.timeout,
            || {
                let resp = caller::send(
                    ctx,
                    OpId::BatchGetCmdStatus,
                    json!({ "batch_get_cmd_req_id": req_id, "timeout": 30 }),
                )?;
                let entries = resp.body.get("resources").unwrap_or(&Value::Null);
                for h in &waiting {
                    if let Some(e) = entries.get(&h.device_id) {
                        let sha = str_of(e, "sha256");
                        if !sha.is_empty() {
                            files.insert(
                                h.device_id.clone(),
                                Extracted {
                                    session_id: str_of(e, "session_id").to_string(),
                                    sha256: sha.to_ascii_lowercase(),
                                    remote_path: match str_of(e, "name") {
                                        "" => path.to_string(),
                                        n => n.to_string(),
                                    },
                                },
                            );
                        }
                    }
                }
                Ok((files.len() == waiting.len() || Instant::now() >= deadline).then_some(()))
            },
            || Error::new("timed out"),
        );
        if let Err(e) = waited
            && e.is_cancelled()
        {
            return Err(e);
        }
        for h in waiting {
            match files.get(&h.device_id) {
                None => out.no_answer.push(h.device_id.clone()),
                Some(f) => match file::fetch(ctx, &h.hostname, f) {
                    Ok(mut v) => {
                        v["device_id"] = json!(h.device_id);
                        v["hostname"] = json!(h.hostname);
                        out.results.insert(h.device_id.clone(), v);
                    }
                    Err(e) if e.is_cancelled() => return Err(e),
                    Err(e) => {
                        out.errors.insert(
                            h.device_id.clone(),
                            json!({ "message": e.message, "hostname": h.hostname }),
                        );
                    }
                },
            }
        }
        Ok(out.into_value())
    }

    /// Device id -> session id, for the raw operations.
    pub fn sessions(&self) -> Value {
        json!(self.0.sessions)
    }
}

/// A batch outcome as the playbook gets it, `parse` adding each result's parsed fields. Each host's
/// result is parsed and becomes Rhai values on every core: at 10,000 hosts that is millions of
/// maps and strings (every process of every host), which one thread took longer to build than the
/// command's latency.
fn into_dynamic(outcome: Value, parse: &(dyn Fn(&str, Value) -> Dynamic + Sync)) -> Dynamic {
    let Value::Object(fields) = outcome else {
        return from_json_owned(outcome);
    };
    let skip = |_: &str, v: Value| from_json_owned(v);
    let mut m = rhai::Map::new();
    for (k, v) in fields {
        let each: &(dyn Fn(&str, Value) -> Dynamic + Sync) =
            if k == "results" { parse } else { &skip };
        let v = match v {
            Value::Object(per_host) => Dynamic::from_map(convert_apart(per_host, each)),
            other => from_json_owned(other),
        };
        m.insert(k.into(), v);
    }
    Dynamic::from_map(m)
}

/// `each` of every entry of `map`, shared out among threads.
fn convert_apart(
    map: Map<String, Value>,
    each: &(dyn Fn(&str, Value) -> Dynamic + Sync),
) -> rhai::Map {
    let threads = threads_for(map.len());
    let entries: Vec<(String, Value)> = map.into_iter().collect();
    parallel::map(entries, threads, |(k, v)| {
        let v = each(&k, v);
        (k, v)
    })
    .into_iter()
    .map(|(k, v)| (k.into(), v))
    .collect()
}

/// Moves a string field out of `v` ("" when absent or not a string).
fn take_str(v: &mut Value, key: &str) -> String {
    match v.get_mut(key).map(Value::take) {
        Some(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A per-host error the response policy caused: 403, or RTR's 40006 `Command is not valid`
/// (CrowdStrike/CAST#15).
fn is_policy_refusal(code: i64) -> bool {
    code == 403 || code == 40006
}

/// The first `errors[]` entry of a per-host batch entry: (code, message).
fn first_error(entry: &Value) -> Option<(i64, String)> {
    let e = entry.get("errors")?.as_array()?.first()?;
    Some((
        e.get("code").and_then(Value::as_i64).unwrap_or(0),
        str_of(e, "message").to_string(),
    ))
}

/// Replaces the error of each refused host by one naming its response policy and setting.
fn explain_refusals(
    ctx: &Context,
    errors: &mut Map<String, Value>,
    refused: Vec<(HostInfo, String)>,
    what: &str,
    command: Option<&'static crate::ops::commands::CommandSpec>,
) {
    if refused.is_empty() {
        return;
    }
    // One policy load explains every host.
    let Ok(policies) = Policies::load(ctx) else {
        return;
    };
    for (h, message) in refused {
        let e = refusal::explain_with(&policies, &h, what, command, Error::new(message));
        errors.insert(h.device_id.clone(), Value::Object(e.to_json()));
    }
}

impl Alive for BatchInner {
    fn idle(&self) -> Duration {
        self.last_used.elapsed()
    }

    fn keepalive(&self) -> Duration {
        self.opts.keepalive
    }

    fn pulse(&self) {
        self.last_used.touch();
        let mut args = self.opts.timing();
        args["batch_id"] = json!(self.batch_id);
        if let Err(e) = caller::send(&self.ctx, OpId::BatchRefreshSessions, args)
            && !e.is_cancelled()
        {
            // The error may carry a server's echo of the request.
            let e = crate::ops::redact::clean_owned(e.to_string());
            eprintln!(
                "falconry: keep-alive for batch `{}` failed: {e}",
                self.batch_id
            );
        }
    }

    /// Batch sessions are left to expire: Falcon has no batch delete, and one request per host at
    /// the end of a run over thousands of hosts would cost more than it saves.
    fn close(&self) {}
}
