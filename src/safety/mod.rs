//! Safety around every operation call: plan mode, the destructive-action guard, the audit log and the
//! upload sandbox. The engine's one generic caller asks [`Safety::before`] whether to send a request and
//! tells [`Safety::after`] what came back; nothing else in the engine knows about any of this.

mod arguments;
mod audit;
mod guard;
mod plan;
mod sandbox;
mod synthetic;
mod targets;

pub use arguments::arguments;
pub use audit::{AuditLog, default_audit_path};
pub use guard::{Guard, Prompt, Refusal, destructive, refusal_map, rtr_command};
pub use plan::{Plan, Step};
pub use sandbox::confine;
pub use synthetic::is_plan_id;
pub use targets::{Memory, Targets};

use crate::api::{ApiError, Response};
use crate::ops::{Body, Effect, Part, PartContent, Request};
use plan::PlannedCommand;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// The playbook a run serves, as the audit log and `comments_for_audit_log` name it.
#[derive(Clone, Debug, PartialEq)]
pub struct Playbook {
    pub name: String,
    pub path: Option<PathBuf>,
    pub sha256: Option<String>,
}

impl Playbook {
    /// Names and hashes the playbook file (the hash is left out when it cannot be read).
    pub fn from_file(path: &Path) -> Playbook {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let sha256 = std::fs::read(&path)
            .ok()
            .map(|b| hex::encode(Sha256::digest(&b)));
        Playbook {
            name,
            path: Some(path),
            sha256,
        }
    }

    /// A playbook with no file (the REPL).
    pub fn named(name: &str) -> Playbook {
        Playbook {
            name: name.to_string(),
            path: None,
            sha256: None,
        }
    }
}

/// How a run is kept safe.
#[derive(Debug, Default)]
pub struct Settings {
    pub guard: Guard,
    /// Plan mode: state-changing requests are recorded and answered, not sent.
    pub plan: bool,
    pub audit: Option<AuditLog>,
    pub playbook: Option<Playbook>,
}

/// What to do with a request.
#[derive(Debug)]
pub enum Verdict {
    Send,
    /// Plan mode: do not send; this is the answer.
    Answer(Response),
}

/// Why a call stops here.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// A destructive request the run does not allow.
    Refused(Refusal),
    /// An upload from outside the allowed folders: the argument and why.
    Sandbox { key: String, message: String },
    /// The request was sent, but could not be written to the audit log.
    Audit(String),
}

impl Stop {
    /// The token a run ends with when it must not go on, shaped like the engine's own
    /// (`#{ reason, message }`).
    pub fn termination(&self) -> rhai::Dynamic {
        let mut m = rhai::Map::new();
        m.insert("reason".into(), "audit".into());
        m.insert("message".into(), self.to_string().into());
        m.into()
    }
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Refused(r) => r.fmt(f),
            Stop::Sandbox { key, message } => write!(f, "argument `{key}`: {message}"),
            Stop::Audit(m) => write!(f, "{m}; the request was sent, the playbook stops here"),
        }
    }
}

/// Shared by every operation of one engine (and every host of a fan-out); cheap to clone.
#[derive(Clone, Default)]
pub struct Safety(Arc<Inner>);

#[derive(Default)]
struct Inner {
    guard: Guard,
    plan: Option<Mutex<Plan>>,
    /// Shared by every playbook of a `watch`: one file, one lock.
    audit: Option<Arc<AuditLog>>,
    playbook: Option<Playbook>,
    /// Locked before `plan` whenever both are needed.
    memory: Mutex<Memory>,
}

impl fmt::Debug for Safety {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Safety")
            .field("guard", &self.0.guard)
            .field("plan", &self.0.plan.is_some())
            .field("audit", &self.0.audit.as_deref().map(AuditLog::path))
            .field("playbook", &self.0.playbook)
            .finish()
    }
}

/// A poisoned lock still holds usable data: a panicking fan-out thread must not stop the audit.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Safety {
    pub fn new(settings: Settings) -> Safety {
        Safety(Arc::new(Inner {
            guard: settings.guard,
            plan: settings.plan.then(|| Mutex::new(Plan::default())),
            audit: settings.audit.map(Arc::new),
            playbook: settings.playbook,
            memory: Mutex::new(Memory::default()),
        }))
    }

    pub fn is_planning(&self) -> bool {
        self.0.plan.is_some()
    }

    pub fn audit_path(&self) -> Option<&Path> {
        self.0.audit.as_deref().map(AuditLog::path)
    }

    /// The same guard and audit log for another playbook, with a plan and memory of its own (`watch`
    /// runs many playbooks, each planned and audited under its own name).
    pub fn for_playbook(&self, playbook: Playbook) -> Safety {
        Safety(Arc::new(Inner {
            guard: self.0.guard.clone(),
            plan: self.0.plan.as_ref().map(|_| Mutex::new(Plan::default())),
            audit: self.0.audit.clone(),
            playbook: Some(playbook),
            memory: Mutex::new(Memory::default()),
        }))
    }

    /// The changes recorded so far (plan mode only).
    pub fn plan_steps(&self) -> Option<Vec<Step>> {
        self.0.plan.as_ref().map(|p| lock(p).steps().to_vec())
    }

    /// The plan, as a person reads it (plan mode only).
    pub fn render_plan(&self) -> Option<String> {
        self.0.plan.as_ref().map(|p| lock(p).render())
    }

    /// The plan as JSON: one object per change, in order (plan mode only).
    pub fn plan_json(&self) -> Option<Value> {
        self.0.plan.as_ref().map(|p| lock(p).to_json())
    }

    /// Decides what happens to a validated request. `base_dir` and `out_dir` are where uploads may come from.
    pub fn before(
        &self,
        req: &mut Request,
        base_dir: &Path,
        out_dir: &Path,
    ) -> Result<Verdict, Stop> {
        sandbox::check_uploads(req, &[base_dir, out_dir])
            .map_err(|(key, message)| Stop::Sandbox { key, message })?;
        self.name_in_audit_comment(req);
        if let Some(plan) = &self.0.plan
            && let Some(answer) = answer_planned_read(req, &lock(plan))
        {
            return Ok(Verdict::Answer(answer));
        }
        if !req.op.changes_state() || req.op.effect == Effect::Session {
            return Ok(Verdict::Send);
        }
        let command = rtr_command(req);
        // A command missing from the catalogue is assumed to change the host: plan mode keeps it back.
        let changes = !matches!(&command, Some((_, Some(c))) if !c.changes_host);
        let reason = destructive(req);
        let memory = lock(&self.0.memory);
        let targets = memory.targets(req);
        if let Some(plan) = &self.0.plan
            && changes
        {
            let batch_hosts = targets
                .batch_id
                .as_deref()
                .map(|b| {
                    memory
                        .batch_sessions(b)
                        .iter()
                        .filter(|(d, _)| targets.device_ids.contains(d))
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            drop(memory);
            let answer = plan_step(
                &mut lock(plan),
                req,
                targets,
                command,
                reason.is_some(),
                &batch_hosts,
            );
            return Ok(Verdict::Answer(answer));
        }
        let Some(reason) = reason else {
            return Ok(Verdict::Send);
        };
        let hosts = targets.hosts(&memory);
        // The prompt may wait for a person: other hosts of a fan-out must not wait on the lock meanwhile.
        drop(memory);
        let line = command.map(|(l, _)| l).filter(|l| !l.is_empty());
        let what = match &line {
            Some(l) => format!("`{l}`"),
            None => format!("`{}`", req.op.qualified_name()),
        };
        let on = if hosts.is_empty() {
            String::new()
        } else {
            format!(" on {}", hosts.join(", "))
        };
        let of = if targets.ids.is_empty() {
            String::new()
        } else {
            format!(" of {}", targets.ids.join(", "))
        };
        if self.0.guard.permits(&format!("{what}{on}{of}")) {
            return Ok(Verdict::Send);
        }
        Err(Stop::Refused(Refusal {
            operation: req.op.qualified_name(),
            command: line,
            device_ids: targets.device_ids,
            hosts,
            ids: targets.ids,
            reason,
            how_to_allow: self.0.guard.how_to_allow(),
        }))
    }

    /// Learns from the answer and, for a state-changing request, writes the audit line before returning.
    pub fn after(&self, req: &Request, result: &Result<Response, ApiError>) -> Result<(), Stop> {
        let targets = {
            let mut memory = lock(&self.0.memory);
            if let Ok(resp) = result {
                memory.learn(req, resp);
            }
            memory.targets(req)
        };
        let Some(audit) = &self.0.audit else {
            return Ok(());
        };
        if !req.op.changes_state() || matches!(result, Err(ApiError::Config(_))) {
            return Ok(());
        }
        audit
            .append(&self.audit_entry(req, targets, result))
            .map_err(Stop::Audit)
    }

    fn audit_entry(
        &self,
        req: &Request,
        targets: Targets,
        result: &Result<Response, ApiError>,
    ) -> Value {
        let mut e = Map::new();
        e.insert(
            "time".into(),
            json!(humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()),
        );
        if let Some(p) = &self.0.playbook {
            e.insert(
                "playbook".into(),
                json!({
                    "name": p.name,
                    "path": p.path.as_ref().map(|p| p.display().to_string()),
                    "sha256": p.sha256,
                }),
            );
        }
        e.insert("operation".into(), json!(req.op.qualified_name()));
        e.insert("operation_id".into(), json!(req.op.id));
        e.insert("method".into(), json!(req.op.method.as_str()));
        e.insert("path".into(), json!(req.op.path));
        if let Some((line, _)) = rtr_command(req).filter(|(l, _)| !l.is_empty()) {
            e.insert("command".into(), json!(line));
        }
        e.insert("arguments".into(), arguments(req));
        e.insert(
            "targets".into(),
            serde_json::to_value(targets).unwrap_or(Value::Null),
        );
        match result {
            Ok(resp) => {
                e.insert("status".into(), json!(resp.status));
                e.insert("trace_id".into(), json!(resp.trace_id()));
                if let Some(id) = cloud_request_id(&resp.body) {
                    e.insert("cloud_request_id".into(), id);
                }
            }
            Err(err) => {
                let (status, trace) = match err {
                    ApiError::Status {
                        status, trace_id, ..
                    } => (json!(status), json!(trace_id)),
                    _ => (Value::Null, Value::Null),
                };
                e.insert("status".into(), status);
                e.insert("trace_id".into(), trace);
                e.insert("error".into(), json!(err.to_string()));
            }
        }
        Value::Object(e)
    }

    /// Operations that take `comments_for_audit_log` get the playbook's name when the caller gave none.
    fn name_in_audit_comment(&self, req: &mut Request) {
        const KEY: &str = "comments_for_audit_log";
        if req.op.param(KEY).is_none() || req.arg(KEY).is_some() {
            return;
        }
        let name = self
            .0
            .playbook
            .as_ref()
            .map_or("falconry", |p| p.name.as_str());
        let comment = format!("falconry playbook {name}");
        match &mut req.body {
            Body::Multipart(parts) => parts.push(Part {
                name: KEY.into(),
                content: PartContent::Text(comment),
            }),
            Body::Form(fields) => fields.push((KEY.into(), comment)),
            _ => {}
        }
    }
}

/// The RTR cloud request id(s) an answer carries: one id, or device id -> task id for a batch.
fn cloud_request_id(body: &Value) -> Option<Value> {
    if let Some(id) = body.pointer("/resources/0/cloud_request_id") {
        return Some(id.clone());
    }
    if let Some(id) = body.get("batch_get_cmd_req_id") {
        return Some(id.clone());
    }
    let hosts = body.pointer("/combined/resources")?.as_object()?;
    Some(Value::Object(
        hosts
            .iter()
            .map(|(aid, v)| {
                (
                    aid.clone(),
                    v.get("task_id").cloned().unwrap_or(Value::Null),
                )
            })
            .collect(),
    ))
}

/// Plan mode: reads that name only made-up ids, and status checks of planned commands, are answered here.
fn answer_planned_read(req: &Request, plan: &Plan) -> Option<Response> {
    if req.op.effect != Effect::Read {
        return None;
    }
    if let Some(id) = req
        .arg("cloud_request_id")
        .and_then(|v| v.as_str().map(str::to_string))
    {
        if !is_plan_id(&id) {
            return None;
        }
        let (session, base) = plan
            .command(&id)
            .map(|c| (c.session_id.clone(), c.base_command.clone()))
            .unwrap_or_default();
        return Some(synthetic::command_status(req, &session, &base));
    }
    let ids: Vec<String> = ["ids", "id"]
        .iter()
        .flat_map(|k| req.arg(k).map(|v| targets::strings(&v)).unwrap_or_default())
        .collect();
    if ids.is_empty() || !ids.iter().all(|i| is_plan_id(i)) {
        return None;
    }
    let records = ids.iter().filter_map(|i| plan.record(i).cloned()).collect();
    Some(synthetic::read_of_planned(req, records))
}

/// Plan mode: records the change and makes up its answer.
fn plan_step(
    plan: &mut Plan,
    req: &Request,
    targets: Targets,
    command: Option<(String, Option<&'static crate::ops::commands::Command>)>,
    destructive: bool,
    batch_hosts: &[(String, String)],
) -> Response {
    let line = command.as_ref().map(|(l, _)| l.clone());
    let mut planned_ids = Vec::new();
    let answer = if req.op.effect == Effect::Command {
        let base = line
            .as_deref()
            .map(|l| crate::ops::commands::base_of(l).to_string())
            .unwrap_or_default();
        if targets.batch_id.is_some() {
            synthetic::batch_command(req, &base, batch_hosts, &mut || {
                let id = plan.new_id();
                planned_ids.push(id.clone());
                id
            })
        } else {
            let id = plan.new_id();
            plan.remember_command(
                id.clone(),
                PlannedCommand {
                    session_id: targets.session_id.clone().unwrap_or_default(),
                    base_command: base,
                },
            );
            planned_ids.push(id.clone());
            synthetic::command(req, &id)
        }
    } else {
        let answer = synthetic::change(req, &targets, &mut || plan.new_id());
        if req.op.name.starts_with("create_") {
            for r in answer
                .body
                .get("resources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(id) = r.get("id").and_then(Value::as_str) {
                    planned_ids.push(id.to_string());
                    plan.remember_record(id.to_string(), r.clone());
                }
            }
        }
        answer
    };
    plan.push(Step {
        step: 0,
        operation: req.op.qualified_name(),
        operation_id: req.op.id,
        effect: if req.op.effect == Effect::Command {
            "command"
        } else {
            "change"
        },
        destructive,
        command: line.filter(|l| !l.is_empty()),
        targets,
        arguments: arguments(req),
        planned_ids,
    });
    answer
}

/// The flags of `falconry run` (and later `watch`, `repl`) that shape a run's safety.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunFlags {
    pub plan: bool,
    pub allow_destructive: bool,
    /// `--audit FILE`.
    pub audit: Option<PathBuf>,
}

impl RunFlags {
    /// The safety of one run of `playbook`. Against a real tenant the audit log is always written (to
    /// `--audit FILE` or the default path); against the embedded emulator only when `--audit` asks.
    pub fn build(&self, playbook: Playbook, real_tenant: bool) -> Result<Safety, String> {
        self.build_with(playbook, real_tenant, Guard::refuse())
    }

    /// As [`RunFlags::build`], with `guard` deciding destructive requests unless `--allow-destructive`
    /// allows them all (the REPL asks the person at the terminal).
    pub fn build_with(
        &self,
        playbook: Playbook,
        real_tenant: bool,
        guard: Guard,
    ) -> Result<Safety, String> {
        let path = match (&self.audit, real_tenant) {
            (Some(p), _) => Some(p.clone()),
            (None, true) => Some(default_audit_path().ok_or(
                "no place for the audit log: set `HOME` or `XDG_DATA_HOME`, or pass `--audit FILE`",
            )?),
            (None, false) => None,
        };
        let audit = path.as_deref().map(AuditLog::open).transpose()?;
        Ok(Safety::new(Settings {
            guard: if self.allow_destructive {
                Guard::allow_all()
            } else {
                guard
            },
            plan: self.plan,
            audit,
            playbook: Some(playbook),
        }))
    }
}
