//! Stopping a running playbook: one flag shared by the evaluator (`on_progress`), blocking native calls
//! and the HTTP client, set by a time limit or by the user (Ctrl-C). Work that stops part-way (a fan-out)
//! hands what it had gathered to the flag, so the REPL can keep it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Why a run was stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    Timeout(Duration),
    Interrupted,
}

impl Reason {
    pub fn message(&self) -> String {
        match self {
            Reason::Timeout(d) => format!(
                "the playbook ran longer than the time limit of {} (raise it with `--timeout`)",
                humantime::format_duration(*d)
            ),
            Reason::Interrupted => "the playbook was interrupted".to_string(),
        }
    }

    /// The value a stopped script terminates with: `#{ reason: "timeout" | "interrupted", message }`.
    pub fn token(&self) -> rhai::Dynamic {
        let mut m = rhai::Map::new();
        let reason = match self {
            Reason::Timeout(_) => "timeout",
            Reason::Interrupted => "interrupted",
        };
        m.insert("reason".into(), reason.into());
        m.insert("message".into(), self.message().into());
        m.into()
    }
}

#[derive(Clone, Default)]
pub struct Cancel {
    flag: Arc<AtomicBool>,
    reason: Arc<Mutex<Option<Reason>>>,
    /// Bumped by `reset`, so a time limit armed for an earlier run never stops a later one.
    epoch: Arc<AtomicU64>,
    gathered: Arc<Mutex<Option<Gathered>>>,
}

/// What a fan-out had when it was stopped: its answer as far as it got (the shape of its full answer)
/// and how many of its hosts had answered.
#[derive(Clone)]
pub struct Gathered {
    pub value: rhai::Dynamic,
    pub answered: usize,
    pub total: usize,
}

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// The raw flag, for the HTTP client and other blocking code.
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.flag.clone()
    }

    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    pub fn reason(&self) -> Option<Reason> {
        self.reason.lock().ok().and_then(|r| r.clone())
    }

    /// The termination token for the current stop (interrupted when no reason was recorded).
    pub fn token(&self) -> rhai::Dynamic {
        self.reason().unwrap_or(Reason::Interrupted).token()
    }

    /// Stops the current run; the first reason given wins.
    pub fn trip(&self, reason: Reason) {
        if let Ok(mut r) = self.reason.lock() {
            r.get_or_insert(reason);
        }
        self.flag.store(true, Ordering::SeqCst);
    }

    /// A stopped fan-out's partial answer; the last one handed over wins (an outer fan-out finishes
    /// after the inner ones its hosts ran).
    pub fn hand_over(&self, gathered: Gathered) {
        if let Ok(mut g) = self.gathered.lock() {
            *g = Some(gathered);
        }
    }

    /// Takes what the stopped run handed over, if anything.
    pub fn take_gathered(&self) -> Option<Gathered> {
        self.gathered.lock().ok().and_then(|mut g| g.take())
    }

    /// Clears the flag before the next run (REPL statement, watch run).
    pub fn reset(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut r) = self.reason.lock() {
            *r = None;
        }
        if let Ok(mut g) = self.gathered.lock() {
            *g = None;
        }
        self.flag.store(false, Ordering::SeqCst);
    }

    /// Trips the flag after `limit` unless `reset` is called first.
    pub fn arm_timeout(&self, limit: Duration) {
        let me = self.clone();
        let epoch = self.epoch.load(Ordering::SeqCst);
        std::thread::Builder::new()
            .name("falconry-timeout".into())
            .spawn(move || {
                std::thread::sleep(limit);
                if me.epoch.load(Ordering::SeqCst) == epoch {
                    me.trip(Reason::Timeout(limit));
                }
            })
            .ok();
    }

    /// Sleeps up to `d`, waking early when the run is stopped. Returns false when stopped.
    pub fn sleep(&self, d: Duration) -> bool {
        let step = Duration::from_millis(20);
        // `sleep(1e30)` asks for more than the clock holds: a year is as good as forever here.
        let now = std::time::Instant::now();
        let end = now
            .checked_add(d)
            .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600));
        loop {
            if self.is_set() {
                return false;
            }
            let now = std::time::Instant::now();
            if now >= end {
                return true;
            }
            std::thread::sleep(step.min(end - now));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_trips_and_reset_disarms() {
        let c = Cancel::new();
        c.arm_timeout(Duration::from_millis(10));
        assert!(!c.sleep(Duration::from_secs(5)));
        assert_eq!(c.reason(), Some(Reason::Timeout(Duration::from_millis(10))));
        c.reset();
        c.arm_timeout(Duration::from_millis(30));
        c.reset();
        assert!(c.sleep(Duration::from_millis(80)));
    }
}
