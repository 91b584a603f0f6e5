//! Device records read moments ago, so `rtr::batch(hosts::find_all().map(|h| h.device_id))` does not
//! fetch every record twice: at 10,000 hosts the second fetch was the emulator serialising and
//! falconry parsing 10,000 records inside the batch's timed window (issue 28's profile).
//!
//! The guard reads a host's groups from its record, so a record is only reused while it cannot be
//! staler than a fresh fetch could be in practice:
//! - it is at most [`MAX_AGE`] old (a REPL that waits minutes fetches again);
//! - any state-changing request (a change, an RTR command, a session) forgets every record, before
//!   it is sent and again after its answer;
//! - a fetch that overlapped such a request does not keep its records (the generation check), since
//!   the tenant may have answered it before or after the change.
//!
//! Reads only: nothing here is journaled, so a resumed case sends the same steps either way.
//!
//! A record is kept with its id, name and platform as read when it arrived: reading them again
//! from a 10,000-host batch's cached records (three lookups in each, long after it was parsed)
//! was a third of the time the batch took to open (perf, issue 28).

use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a record is reused. Long enough for a playbook's next line, short enough that a record
/// is never older than a responder would think "just read".
pub const MAX_AGE: Duration = Duration::from_secs(5);

/// A host as its device record gives it: the fields every helper reads, and the record.
#[derive(Clone, Debug, Default)]
pub struct HostInfo {
    pub device_id: String,
    pub hostname: String,
    pub platform: String,
    /// Shared: the cache hands the same record to every lookup without copying it.
    pub record: Arc<Value>,
}

#[derive(Default)]
pub struct RecentHosts(Mutex<Inner>);

#[derive(Default)]
struct Inner {
    /// Bumped by every state-changing request; a fetch keeps its records only if it saw no bump.
    generation: u64,
    hosts: HashMap<String, (Instant, HostInfo)>,
}

impl RecentHosts {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock leaves a map that is still valid.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The generation to hand back to [`RecentHosts::remember`] for a fetch starting now.
    pub fn generation(&self) -> u64 {
        self.inner().generation
    }

    /// The hosts of `ids` read within [`MAX_AGE`], by id, and the ids still to fetch (in order).
    pub fn known(&self, ids: &[String]) -> (HashMap<String, HostInfo>, Vec<String>) {
        let inner = self.inner();
        let now = Instant::now();
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for id in ids {
            match inner.hosts.get(id) {
                Some((at, host)) if now.duration_since(*at) <= MAX_AGE => {
                    found.insert(id.clone(), host.clone());
                }
                _ => missing.push(id.clone()),
            }
        }
        (found, missing)
    }

    /// Keeps `hosts` (by device id) unless a state-changing request started since `since`.
    pub fn remember(&self, since: u64, hosts: Vec<HostInfo>) {
        let mut inner = self.inner();
        if inner.generation != since {
            return;
        }
        let now = Instant::now();
        inner
            .hosts
            .retain(|_, (at, _)| now.duration_since(*at) <= MAX_AGE);
        for host in hosts {
            if !host.device_id.is_empty() {
                inner.hosts.insert(host.device_id.clone(), (now, host));
            }
        }
    }

    /// A state-changing request is about to be sent, or has been answered.
    pub fn forget_all(&self) {
        let mut inner = self.inner();
        inner.generation += 1;
        inner.hosts.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_fetch_that_overlapped_a_change_is_not_kept() {
        let cache = RecentHosts::default();
        let rec = Arc::new(json!({ "device_id": "a", "groups": [] }));
        let host = HostInfo {
            device_id: "a".into(),
            record: rec.clone(),
            ..HostInfo::default()
        };
        let g = cache.generation();
        cache.forget_all(); // a change was sent while the fetch was in flight
        cache.remember(g, vec![host.clone()]);
        assert_eq!(cache.known(&ids(&["a"])).1, ids(&["a"]));

        let g = cache.generation();
        cache.remember(g, vec![host]);
        let (found, missing) = cache.known(&ids(&["a", "b"]));
        assert_eq!(found["a"].record, rec);
        assert_eq!(missing, ids(&["b"]));

        cache.forget_all();
        assert_eq!(cache.known(&ids(&["a"])).1, ids(&["a"]));
    }
}
