//! Place: above the ledger and `timing`; below `session` and `batch`, which register with it.
//! Keeping RTR sessions alive while a playbook runs, and closing what is left when it ends.
//!
//! Falcon drops a session after 10 minutes without a command or a pulse. One background thread per
//! engine pulses every open session that has been idle longer than its `keepalive`; when the engine
//! (and with it the registry) is dropped at the end of the run, the sessions still open are closed.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// Something that needs pulses: a single-host session or a batch.
pub trait Alive: Send + Sync {
    /// Time since the last command or pulse.
    fn idle(&self) -> Duration;
    /// How idle it may get before a pulse.
    fn keepalive(&self) -> Duration;
    /// Refreshes it; failures are logged by the implementation, never thrown at the playbook.
    fn pulse(&self);
    fn close(&self);
}

/// When a session or batch was last used (a command or a pulse): what `Alive::idle` measures.
pub struct LastUsed(Mutex<Instant>);

impl LastUsed {
    pub fn now() -> LastUsed {
        LastUsed(Mutex::new(Instant::now()))
    }

    pub fn touch(&self) {
        if let Ok(mut t) = self.0.lock() {
            *t = Instant::now();
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.0.lock().map(|t| t.elapsed()).unwrap_or_default()
    }
}

#[derive(Default)]
pub struct Registry {
    live: Mutex<Vec<Weak<dyn Alive>>>,
    keeper: Mutex<bool>,
    /// The run's command timings: the registry is the one per-engine value every session sees.
    pub timing: Arc<super::timing::Timing>,
    /// The run's commands queued for offline hosts, for `rtr::queued()`.
    pub queued: Arc<super::ledger::Ledger>,
}

/// How often the keeper looks at the sessions.
const TICK: Duration = Duration::from_millis(250);

impl Registry {
    pub fn add(self: &Arc<Self>, item: Weak<dyn Alive>) {
        if let Ok(mut live) = self.live.lock() {
            live.retain(|w| w.strong_count() > 0);
            live.push(item);
        }
        self.start_keeper();
    }

    fn start_keeper(self: &Arc<Self>) {
        let Ok(mut started) = self.keeper.lock() else {
            return;
        };
        if *started {
            return;
        }
        *started = true;
        let registry = Arc::downgrade(self);
        let spawned = std::thread::Builder::new()
            .name("falconry-keepalive".into())
            .spawn(move || keep(registry));
        if spawned.is_err() {
            *started = false;
        }
    }

    fn items(&self) -> Vec<Arc<dyn Alive>> {
        self.live
            .lock()
            .map(|l| l.iter().filter_map(Weak::upgrade).collect())
            .unwrap_or_default()
    }
}

fn keep(registry: Weak<Registry>) {
    loop {
        std::thread::sleep(TICK);
        let Some(r) = registry.upgrade() else {
            return;
        };
        let due: Vec<Arc<dyn Alive>> = r
            .items()
            .into_iter()
            .filter(|i| i.idle() >= i.keepalive())
            .collect();
        // Never hold the registry while sending: the end of the run must be able to drop it.
        drop(r);
        for item in due {
            item.pulse();
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        for item in self.items() {
            item.close();
        }
    }
}
