//! Bounded memory: what the tenant forgets, and when. A long `falconry sim` must not grow without
//! limit, so expired sessions go, commands are kept for `command_retention_secs` after they finish
//! (queued ones as long, from when they were sent), batches go with their last session, batch gets
//! with their last command, and past the scenario's `max_commands` the oldest finished ones go first.

use super::rtr_records::{CommandRecord, Progress};
use super::state::State;
use std::time::{Duration, Instant};

/// Pruning walks every command; once a second is plenty.
const EVERY: Duration = Duration::from_secs(1);

/// How many of each kept thing the tenant holds (tests and `falconry sim` diagnostics read it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retained {
    pub sessions: usize,
    pub commands: usize,
    pub batches: usize,
    pub batch_gets: usize,
}

impl State {
    pub fn retained(&self) -> Retained {
        Retained {
            sessions: self.sessions.len(),
            commands: self.commands.len(),
            batches: self.batches.len(),
            batch_gets: self.batch_gets.len(),
        }
    }

    /// Forgets what has expired; cheap between runs (at most once a second).
    pub(crate) fn prune(&mut self) {
        let now = Instant::now();
        if self
            .pruned_at
            .is_some_and(|at| now.duration_since(at) < EVERY)
        {
            return;
        }
        self.pruned_at = Some(now);
        self.prune_at(now);
    }

    /// [`State::prune`] without the once-a-second throttle.
    pub(crate) fn prune_at(&mut self, now: Instant) {
        let idle = Duration::from_secs(self.scenario.session_idle_secs);
        self.sessions.retain(|_, s| !s.expired(idle));
        let keep = Duration::from_secs(self.scenario.command_retention_secs);
        let kept_until = |c: &CommandRecord| match &c.progress {
            Progress::Done { at, .. } => *at + keep,
            Progress::Queued | Progress::Canceled => c.submitted + keep,
        };
        self.commands.retain(|_, c| kept_until(c) > now);
        let cap = self.scenario.max_commands;
        if self.commands.len() > cap {
            let mut finished: Vec<(Instant, String)> = self
                .commands
                .values()
                .filter(|c| !matches!(c.progress, Progress::Queued))
                .map(|c| (kept_until(c), c.id.clone()))
                .collect();
            finished.sort_unstable();
            let excess = self.commands.len() - cap;
            for (_, id) in finished.into_iter().take(excess) {
                self.commands.remove(&id);
            }
        }
        let commands = &self.commands;
        self.queue.retain(|id| commands.contains_key(id));
        self.executions.retain(|id, _| commands.contains_key(id));
        for session in self.sessions.values_mut() {
            session.commands.retain(|id| commands.contains_key(id));
        }
        let sessions = &self.sessions;
        self.batches
            .retain(|_, b| b.sessions.iter().any(|(_, s)| sessions.contains_key(s)));
        self.batch_gets
            .retain(|_, g| g.tasks.iter().any(|(_, _, c)| commands.contains_key(c)));
    }
}
