//! Safety around every operation call: plan mode, the destructive-action guard, the audit log and the
//! upload sandbox. The engine's one generic caller asks [`Safety::before`] whether to send a request and
//! tells [`Safety::after`] what came back; nothing else in the engine knows about any of this.

mod arguments;
mod audit;
mod flags;
mod guard;
mod outcome;
mod plan;
mod planned;
mod playbook;
pub mod sandbox;
mod synthetic;
mod targets;

pub use arguments::arguments;
pub use audit::{AuditLog, data_dir, default_audit_path};
pub use flags::RunFlags;
pub use guard::{Guard, Prompt, Refusal, destructive, refusal_map, rtr_command};
pub use outcome::Outcome;
pub use plan::{Plan, Step};
pub use playbook::Playbook;
pub use sandbox::confine;
pub use synthetic::is_plan_id;
pub use targets::{Memory, Targets};

use crate::ops::{ApiError, Response};
use crate::ops::{Body, Effect, Part, PartContent, Request};
use crate::terminal;
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
    /// Send it, then tell [`Safety::after`] with this intent (the audit log's entry written before sending).
    Send(Intent),
    /// Plan mode: do not send; this is the answer.
    Answer(Response),
}

/// The audit log's record that a state-changing request is about to be sent: its id, repeated by the
/// outcome entry. `None` for requests the audit log does not record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Intent(Option<u64>);

/// Why a call stops here.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// A destructive request the run does not allow.
    Refused(Refusal),
    /// An upload from outside the allowed folders: the argument and why.
    Sandbox { key: String, message: String },
    /// The request was sent, but could not be written to the audit log.
    Audit(String),
    /// The request's intent could not be written to the audit log: nothing was sent.
    AuditBefore(String),
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
            Stop::AuditBefore(m) => write!(f, "{m}; nothing was sent, the playbook stops here"),
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
    /// The case's own copy of this playbook's entries (a `watch` run's case; `run` tees through `audit`).
    case_audit: Option<AuditLog>,
    playbook: Option<Playbook>,
    /// Locked before `plan` whenever both are needed.
    memory: Mutex<Memory>,
    /// Refusals and changes made, for the summary a run with a refusal ends with.
    outcome: Mutex<Outcome>,
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
            case_audit: None,
            playbook: settings.playbook,
            memory: Mutex::new(Memory::default()),
            outcome: Mutex::new(Outcome::default()),
        }))
    }

    pub fn is_planning(&self) -> bool {
        self.0.plan.is_some()
    }

    /// Whether a destructive change described by `what` may go ahead: always in plan mode (nothing is
    /// sent), else as the guard decides (`--allow-destructive`, the REPL's question).
    /// A refusal counts in the run's outcome as the guard's own do.
    /// In plan mode the plan notes it in the words the real run's refusal would use, so `--plan`
    /// names every step the real run would refuse.
    pub fn permits(&self, what: &str) -> bool {
        if let Some(plan) = &self.0.plan {
            lock(plan).would_refuse(format!("refused {what}"));
            return true;
        }
        let allowed = self.0.guard.permits(what);
        if !allowed {
            lock(&self.0.outcome)
                .refused
                .push(format!("refused {what}"));
        }
        allowed
    }

    pub fn audit_path(&self) -> Option<&Path> {
        self.0.audit.as_deref().map(AuditLog::path)
    }

    /// The same guard and audit log for another playbook, with a plan and memory of its own (`watch`
    /// runs many playbooks, each planned and audited under its own name); `case_audit` is the run's
    /// case's copy of its entries.
    pub fn for_playbook(
        &self,
        playbook: Playbook,
        case_audit: Option<&Path>,
    ) -> Result<Safety, String> {
        Ok(Safety(Arc::new(Inner {
            guard: self.0.guard.clone(),
            plan: self.0.plan.as_ref().map(|_| Mutex::new(Plan::default())),
            audit: self.0.audit.clone(),
            case_audit: case_audit.map(AuditLog::open).transpose()?,
            playbook: Some(playbook),
            memory: Mutex::new(Memory::default()),
            outcome: Mutex::new(Outcome::default()),
        })))
    }

    /// Appends an audit entry to the audit log and the case's copy (those there are).
    fn audit_append(&self, entry: &Value) -> Result<(), String> {
        for log in self
            .0
            .audit
            .as_deref()
            .into_iter()
            .chain(&self.0.case_audit)
        {
            log.append(entry)?;
        }
        Ok(())
    }

    fn audits(&self) -> bool {
        self.0.audit.is_some() || self.0.case_audit.is_some()
    }

    /// The changes recorded so far (plan mode only).
    pub fn plan_steps(&self) -> Option<Vec<Step>> {
        self.0.plan.as_ref().map(|p| lock(p).steps().to_vec())
    }

    /// Writes a closed case's manifest hash to the audit log (not the case's copy), when there is one.
    pub fn audit_case_sealed(&self, dir: &Path, manifest_sha256: &str) -> Result<(), String> {
        match &self.0.audit {
            Some(audit) => audit.append_outside_case(&audit::case_sealed(
                dir,
                manifest_sha256,
                self.0.playbook.as_ref(),
            )),
            None => Ok(()),
        }
    }

    /// The plan, as a person reads it (plan mode only).
    pub fn render_plan(&self) -> Option<String> {
        self.0.plan.as_ref().map(|p| lock(p).render())
    }

    /// The plan as JSON: one object per change, in order (plan mode only).
    pub fn plan_json(&self) -> Option<Value> {
        self.0.plan.as_ref().map(|p| lock(p).to_json())
    }

    /// Plan mode: every refusal the real run would end with, in its words and order.
    pub fn plan_refusals(&self) -> Option<Vec<String>> {
        self.0.plan.as_ref().map(|p| lock(p).refusals().to_vec())
    }

    /// Decides what happens to a validated request. `base_dir` and `out_dir` are where uploads may come
    /// from. A state-changing request that is to be sent is first written to the audit log as an intent,
    /// so a run killed while it is in flight still shows what may have run.
    pub fn before(
        &self,
        req: &mut Request,
        base_dir: &Path,
        out_dir: &Path,
    ) -> Result<Verdict, Stop> {
        match self.decide(req, base_dir, out_dir)? {
            Verdict::Send(_) => Ok(Verdict::Send(self.intend(req)?)),
            answer => Ok(answer),
        }
    }

    /// Writes the intent entry of a state-changing request about to be sent.
    fn intend(&self, req: &Request) -> Result<Intent, Stop> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        if !self.audits() || !req.op.changes_state() {
            return Ok(Intent(None));
        }
        let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let targets = lock(&self.0.memory).targets(req);
        self.audit_append(&audit::intent(req, targets, self.0.playbook.as_ref(), id))
            .map_err(Stop::AuditBefore)?;
        Ok(Intent(Some(id)))
    }

    fn decide(&self, req: &mut Request, base_dir: &Path, out_dir: &Path) -> Result<Verdict, Stop> {
        sandbox::check_uploads(req, &[base_dir, out_dir])
            .map_err(|(key, message)| Stop::Sandbox { key, message })?;
        self.name_in_audit_comment(req);
        if let Some(plan) = &self.0.plan
            && let Some(answer) = plan::answer_read(req, &lock(plan))
        {
            return Ok(Verdict::Answer(answer));
        }
        if !req.op.changes_state() || req.op.effect == Effect::Session {
            return Ok(Verdict::Send(Intent::default()));
        }
        let command = rtr_command(req);
        // A command missing from the catalogue is assumed to change the host: plan mode keeps it back.
        let changes = !matches!(&command, Some((_, Some(c))) if !c.changes_host);
        let reason = destructive(req);
        let memory = lock(&self.0.memory);
        let targets = memory.targets(req);
        let line = command
            .as_ref()
            .map(|(l, _)| l.clone())
            .filter(|l| !l.is_empty());
        // The one decision plan mode and the real run share: the refusal, worded once. A typo of a
        // known command is refused as such, and no flag lets it through.
        let typo = match &command {
            Some((l, None)) => guard::typo(l),
            _ => None,
        };
        let refusal = reason.map(|reason| Refusal {
            operation: req.op.qualified_name(),
            command: line.clone(),
            device_ids: targets.device_ids.clone(),
            hosts: targets.hosts(&memory),
            ids: targets.ids.clone(),
            allowable: typo.is_none(),
            how_to_allow: if typo.is_some() {
                guard::FIX_TYPO
            } else {
                self.0.guard.how_to_allow()
            },
            reason: typo.unwrap_or_else(|| reason.to_string()),
        });
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
            let mut plan = lock(plan);
            let answer = plan::record_step(
                &mut plan,
                req,
                targets,
                command,
                refusal.is_some(),
                &batch_hosts,
            );
            if let Some(r) = refusal {
                plan.would_refuse(r.to_string());
            }
            return Ok(Verdict::Answer(answer));
        }
        let Some(refusal) = refusal else {
            return Ok(Verdict::Send(Intent::default()));
        };
        // The prompt may wait for a person: other hosts of a fan-out must not wait on the lock meanwhile.
        drop(memory);
        if refusal.allowable
            && self.0.guard.permits(&describe(
                req,
                line.as_deref(),
                &refusal.hosts,
                &refusal.ids,
            ))
        {
            return Ok(Verdict::Send(Intent::default()));
        }
        lock(&self.0.outcome).refused.push(refusal.to_string());
        Err(Stop::Refused(refusal))
    }

    /// What the run was refused and what it changed (see [`Outcome`]).
    pub fn outcome(&self) -> MutexGuard<'_, Outcome> {
        lock(&self.0.outcome)
    }

    /// Plan mode: a read sent for real sees the planned state (planned creates added where the read's
    /// filter matches them, planned deletes taken out).
    pub fn planned_view(&self, req: &Request, result: &mut Result<Response, ApiError>) {
        if let (Some(plan), Ok(resp)) = (&self.0.plan, result)
            && req.op.effect == Effect::Read
        {
            lock(plan).merge_into(req, &mut resp.body);
        }
    }

    /// Whether [`Safety::after`] or [`Safety::planned_view`] read more of a successful answer to `req`
    /// than the hostnames it names. When they do not, [`Safety::after_script`] takes the answer as
    /// the playbook's value instead (no `serde_json::Value` is built for it); `after` itself takes
    /// the same branch on the same test, so the two cannot drift apart.
    pub fn reads_answer(&self, req: &Request) -> bool {
        // Plan mode merges planned objects into reads; a state-changing request is noted and audited
        // with its answer; an answer that opens a session or a batch names its hosts.
        self.is_planning() || req.op.changes_state() || req.op.opens.is_some()
    }

    /// [`Safety::after`] for a successful answer to a request [`Safety::reads_answer`] says no to,
    /// read straight into the playbook's value: the hostnames it names are all there is to learn.
    pub fn after_script(&self, req: &Request, body: &rhai::Dynamic) {
        debug_assert!(!self.reads_answer(req), "{}", req.op.qualified_name());
        lock(&self.0.memory).learn_hostnames_script(body);
    }

    /// [`Safety::after_script`] for an answer nobody reads: `body` when it may name hosts.
    pub fn after_unread(&self, req: &Request, body: Option<&Value>) {
        debug_assert!(!self.reads_answer(req), "{}", req.op.qualified_name());
        if let Some(body) = body {
            lock(&self.0.memory).learn_hostnames(body);
        }
    }

    /// Learns from the answer and, for a state-changing request, writes the audit line (the outcome of
    /// `intent`) before returning.
    pub fn after(
        &self,
        req: &Request,
        intent: Intent,
        result: &Result<Response, ApiError>,
    ) -> Result<(), Stop> {
        if !self.reads_answer(req) {
            // A read is neither a change to note nor an audit entry: its targets are not needed
            // (working them out was a dozen small allocations on every call).
            if let Ok(resp) = result {
                lock(&self.0.memory).learn_hostnames(&resp.body);
            }
            return Ok(());
        }
        let targets = {
            let mut memory = lock(&self.0.memory);
            if let Ok(resp) = result {
                memory.learn(req, resp);
            }
            if !req.op.changes_state() {
                return Ok(());
            }
            let targets = memory.targets(req);
            if result.is_ok() && !self.is_planning() {
                self.note_change(req, &targets, &memory);
            }
            targets
        };
        if !self.audits() || !req.op.changes_state() || matches!(result, Err(ApiError::Config(_))) {
            return Ok(());
        }
        self.audit_append(&audit::entry(
            req,
            targets,
            result,
            self.0.playbook.as_ref(),
            intent.0,
        ))
        .map_err(Stop::Audit)
    }

    /// Remembers a change that was made (a tenant change, or an RTR command that changes a host).
    fn note_change(&self, req: &Request, targets: &Targets, memory: &Memory) {
        if !req.op.changes_state() || req.op.effect == Effect::Session {
            return;
        }
        let command = rtr_command(req);
        if matches!(&command, Some((_, Some(c))) if !c.changes_host) {
            return;
        }
        let line = command.map(|(l, _)| l).filter(|l| !l.is_empty());
        let hosts = targets.hosts(memory);
        lock(&self.0.outcome)
            .changed
            .push(describe(req, line.as_deref(), &hosts, &targets.ids));
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

/// A request as the guard's prompt and the run's summary name it: the command or operation, its hosts
/// and the ids it acts on.
fn describe(req: &Request, line: Option<&str>, hosts: &[String], ids: &[String]) -> String {
    // Hosts come shown (`Targets::hosts`); the command line and ids may be a host's or the tenant's.
    let what = match line {
        Some(l) => format!("`{}`", terminal::line(l)),
        None => format!("`{}`", req.op.qualified_name()),
    };
    let on = if hosts.is_empty() {
        String::new()
    } else {
        format!(" on {}", hosts.join(", "))
    };
    let of = if ids.is_empty() {
        String::new()
    } else {
        let ids: Vec<String> = ids.iter().map(|i| terminal::name(i)).collect();
        format!(" of {}", ids.join(", "))
    };
    // A create names what it creates.
    let named = match req.arg("name").or_else(|| req.arg("file")) {
        Some(serde_json::Value::String(n)) if ids.is_empty() => {
            format!(" `{}`", terminal::name(&n))
        }
        _ => String::new(),
    };
    format!("{what}{named}{on}{of}")
}
