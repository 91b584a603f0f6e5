//! Place: above `keepalive` and the ledger; below `command`, `batch` and `queued`, which use sessions.
//! `rtr::session(device_id, #{queue_offline, timeout, keepalive})`: one RTR session on one host,
//! opened at once, kept alive by pulses, reopened if Falcon expired it, closed when dropped.

use super::keepalive::{Alive, LastUsed, Registry};
use super::refusal;
use super::timing::Timing;
use crate::engine::Context;
use crate::helpers::caller::{self, Error, Result, str_of};
use crate::helpers::hosts::HostInfo;
use crate::helpers::options::Options;
use crate::ops::OpId;
use rhai::Dynamic;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Falcon closes a session after 10 minutes idle; pulse well before.
pub const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(240);
/// How long one command may take before `run` gives up waiting (the command is not re-sent).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

pub const OPTION_KEYS: &[crate::helper_catalogue::Opt] = crate::helper_catalogue::SESSION_OPTIONS;

#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// Open the session (and queue commands) even when the host is offline.
    pub queue_offline: bool,
    /// Default wait per command.
    pub timeout: Duration,
    pub keepalive: Duration,
}

impl Default for SessionOptions {
    fn default() -> SessionOptions {
        SessionOptions {
            queue_offline: false,
            timeout: DEFAULT_TIMEOUT,
            keepalive: DEFAULT_KEEPALIVE,
        }
    }
}

impl SessionOptions {
    pub fn parse(value: &Dynamic, function: &'static str) -> Result<SessionOptions> {
        let o = Options::parse(value, function, OPTION_KEYS)?;
        let d = SessionOptions::default();
        Ok(SessionOptions {
            queue_offline: o.bool("queue_offline", d.queue_offline)?,
            timeout: o.secs("timeout", d.timeout, Duration::from_millis(1))?,
            keepalive: o.secs("keepalive", d.keepalive, Duration::from_millis(100))?,
        })
    }
}

pub struct Inner {
    pub ctx: Arc<Context>,
    pub host: HostInfo,
    pub opts: SessionOptions,
    /// What this run's commands took, to place first polls (shared by every session).
    pub timing: Arc<Timing>,
    /// Where a command queued for the offline host is noted, for `rtr::queued()`.
    pub queued: Arc<super::ledger::Ledger>,
    id: Mutex<String>,
    /// Where `cd` left the session: a reopened session starts in the default directory, so the next
    /// command must first be taken back here.
    dir: Mutex<Dir>,
    last_used: LastUsed,
    closed: AtomicBool,
    /// A command was queued for the offline host: deleting the session would drop it, so the session
    /// is left for Falcon to keep (as a batch's are) and a later run collects it (`rtr::queued`).
    holds_queued: AtomicBool,
}

/// The working directory of a session, as far as falconry knows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Dir {
    /// No `cd` yet: a fresh session starts in the same place.
    Default,
    /// The absolute directory the last `cd` reported.
    Known(String),
    /// A `cd` ran but where it went could not be learned: a reopened session cannot be put back.
    Unknown(String),
}

/// The Rhai `Session` value; clones share one session, closed when the last one is dropped.
#[derive(Clone)]
pub struct Session(pub Arc<Inner>);

impl Session {
    /// Opens a session on a host whose record is already known.
    pub fn open(
        ctx: &Arc<Context>,
        registry: &Arc<Registry>,
        host: HostInfo,
        opts: SessionOptions,
    ) -> Result<Session> {
        let id = init(ctx, &host, opts.queue_offline)?;
        let inner = Arc::new(Inner {
            ctx: ctx.clone(),
            host,
            opts,
            timing: registry.timing.clone(),
            queued: registry.queued.clone(),
            id: Mutex::new(id),
            dir: Mutex::new(Dir::Default),
            last_used: LastUsed::now(),
            closed: AtomicBool::new(false),
            holds_queued: AtomicBool::new(false),
        });
        let weak: std::sync::Weak<dyn Alive> = Arc::downgrade(&inner) as _;
        registry.add(weak);
        Ok(Session(inner))
    }

    pub fn ctx(&self) -> &Context {
        &self.0.ctx
    }

    pub fn host(&self) -> &HostInfo {
        &self.0.host
    }

    pub fn id(&self) -> String {
        self.0.id.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn touch(&self) {
        self.0.last_used.touch();
    }

    pub fn ensure_open(&self) -> Result<()> {
        if self.0.closed.load(Ordering::SeqCst) {
            return Err(Error::new(format!(
                "the session on host {} is closed",
                self.0.host.label()
            ))
            .with("device_id", self.0.host.device_id.clone()));
        }
        Ok(())
    }

    pub fn dir(&self) -> Dir {
        self.0.dir.lock().map(|d| d.clone()).unwrap_or(Dir::Default)
    }

    pub fn set_dir(&self, dir: Dir) {
        if let Ok(mut d) = self.0.dir.lock() {
            *d = dir;
        }
    }

    /// Falcon expired the session (e.g. the playbook slept past the idle limit): open a new one. The
    /// caller puts it back in the working directory (`command::reopen`).
    pub fn reopen(&self) -> Result<String> {
        self.ensure_open()?;
        let id = init(&self.0.ctx, &self.0.host, self.0.opts.queue_offline)?;
        if let Ok(mut slot) = self.0.id.lock() {
            *slot = id.clone();
        }
        self.touch();
        Ok(id)
    }

    pub fn close(&self) {
        self.0.close();
    }

    /// A command of this session waits for the offline host: the session must outlive the run.
    pub fn hold_for_queued(&self) {
        self.0.holds_queued.store(true, Ordering::SeqCst);
    }
}

/// `init_session`, with a refusal explained by the host's response policy.
fn init(ctx: &Context, host: &HostInfo, queue_offline: bool) -> Result<String> {
    let resp = caller::send(ctx, OpId::RtrInitSession,
        json!({ "device_id": host.device_id, "queue_offline": queue_offline, "origin": "falconry" }),
    )
    .map_err(|e| {
        if e.is_policy_refusal() {
            refusal::explain(ctx, host, "init_session", None, e)
        } else if e.is_host_unreachable() {
            e.context(format!(
                "cannot open an RTR session on host {}: the host is offline (open it with `queue_offline: true` to queue commands until it returns)",
                host.label()
            ))
            .with("device_id", host.device_id.clone())
            .with("hostname", host.hostname.clone())
        } else {
            e.context(format!("cannot open an RTR session on host {}", host.label()))
                .with("device_id", host.device_id.clone())
                .with("hostname", host.hostname.clone())
        }
    })?;
    let record = caller::first_resource(&resp, "`init_session`")?;
    let id = str_of(&record, "session_id").to_string();
    if id.is_empty() {
        return Err(Error::new(format!(
            "`init_session` for host {} answered without a `session_id`",
            host.label()
        )));
    }
    Ok(id)
}

impl Inner {
    fn close(&self) {
        if self.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        if self.holds_queued.load(Ordering::SeqCst) {
            return;
        }
        let id = self.id.lock().map(|s| s.clone()).unwrap_or_default();
        // Best effort: the session expires on its own if this fails (or the run was interrupted).
        let _ = caller::send(
            &self.ctx,
            OpId::RtrDeleteSession,
            json!({ "session_id": id }),
        );
    }
}

impl Alive for Inner {
    fn idle(&self) -> Duration {
        self.last_used.elapsed()
    }

    fn keepalive(&self) -> Duration {
        self.opts.keepalive
    }

    fn pulse(&self) {
        if self.closed.load(Ordering::SeqCst) {
            return;
        }
        self.last_used.touch();
        let sent = caller::send(
            &self.ctx,
            OpId::RtrPulseSession,
            json!({ "device_id": self.host.device_id, "queue_offline": self.opts.queue_offline }),
        );
        if let Err(e) = sent
            && !e.is_cancelled()
        {
            // The error may carry a server's echo of the request.
            let e = crate::ops::redact::clean_owned(e.to_string());
            eprintln!(
                "falconry: keep-alive for the session on host {} failed: {e}",
                self.host.label()
            );
        }
    }

    fn close(&self) {
        Inner::close(self);
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        Inner::close(self);
    }
}
