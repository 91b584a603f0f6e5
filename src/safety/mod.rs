//! Safety around every operation call: plan mode, the destructive-action guard, the audit log and the
//! upload sandbox. The engine's one generic caller asks [`Safety::before`] whether to send a request and
//! tells [`Safety::after`] what came back; nothing else in the engine knows about any of this.

mod arguments;
mod audit;
mod flags;
mod guard;
mod plan;
mod playbook;
pub mod sandbox;
mod synthetic;
mod targets;

pub use arguments::arguments;
pub use audit::{AuditLog, data_dir, default_audit_path};
pub use flags::RunFlags;
pub use guard::{Guard, Prompt, Refusal, destructive, refusal_map, rtr_command};
pub use plan::{Plan, Step};
pub use playbook::Playbook;
pub use sandbox::confine;
pub use synthetic::is_plan_id;
pub use targets::{Memory, Targets};

use crate::ops::{ApiError, Response};
use crate::ops::{Body, Effect, Part, PartContent, Request};
use serde_json::Value;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

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

    /// Whether a destructive change described by `what` may go ahead: always in plan mode (nothing is
    /// sent), else as the guard decides (`--allow-destructive`, the REPL's question).
    pub fn permits(&self, what: &str) -> bool {
        self.is_planning() || self.0.guard.permits(what)
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
            && let Some(answer) = plan::answer_read(req, &lock(plan))
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
            let answer = plan::record_step(
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
            .append(&audit::entry(
                req,
                targets,
                result,
                self.0.playbook.as_ref(),
            ))
            .map_err(Stop::Audit)
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
