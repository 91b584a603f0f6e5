//! What RTR commands have taken in this run, so the first status poll of the next one is placed
//! where most of its kind had completed instead of climbing the backoff from 50 ms.
//!
//! Every host of an `rtr::each` fan-out runs the same command: once a few have answered, the time
//! they needed says when the others will be done. One poll at that time replaces the three or four
//! the backoff needs to reach it, which is most of the requests a fan-out sends (and what a rate
//! limit charges). Waiting is bounded by the run's `timeout` either way; a command that is slower
//! than its kind costs one more poll, then follows the usual backoff.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

/// Completion times kept per command: enough for a stable percentile, recent enough to follow a
/// fleet whose latency changes.
const WINDOW: usize = 32;
/// The first poll goes where this share of the recent commands of the same kind had completed.
const PERCENTILE: f64 = 0.8;
/// Never wait longer than this before a first poll, whatever the history says: a few very slow
/// commands must not make every later one wait as long.
const LONGEST_FIRST: Duration = Duration::from_secs(10);

#[derive(Default)]
pub struct Timing {
    seen: Mutex<HashMap<String, VecDeque<Duration>>>,
}

impl Timing {
    /// Where to place the first poll of a `base` command, once one of its kind has completed.
    pub fn first_poll(&self, base: &str) -> Option<Duration> {
        let seen = self.seen.lock().ok()?;
        let times = seen.get(&base.to_ascii_lowercase())?;
        let mut sorted: Vec<Duration> = times.iter().copied().collect();
        sorted.sort_unstable();
        let at = ((sorted.len() - 1) as f64 * PERCENTILE).round() as usize;
        Some((*sorted.get(at)?).min(LONGEST_FIRST))
    }

    /// Notes that a `base` command was seen complete `took` after it was sent: an upper bound on
    /// its run time (the poll before may have been just too early).
    pub fn completed(&self, base: &str, took: Duration) {
        if let Ok(mut seen) = self.seen.lock() {
            let times = seen.entry(base.to_ascii_lowercase()).or_default();
            if times.len() == WINDOW {
                times.pop_front();
            }
            times.push_back(took);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn nothing_is_placed_before_a_command_of_the_kind_completed() {
        let t = Timing::default();
        assert_eq!(t.first_poll("ps"), None);
        t.completed("ps", ms(325));
        assert_eq!(t.first_poll("ps"), Some(ms(325)));
        assert_eq!(t.first_poll("PS"), Some(ms(325)), "commands are case-blind");
        assert_eq!(
            t.first_poll("ls"),
            None,
            "each kind of command has its own history"
        );
    }

    #[test]
    fn the_first_poll_follows_most_commands_not_the_slowest() {
        let t = Timing::default();
        for n in 0..9 {
            t.completed("ps", ms(300 + n));
        }
        t.completed("ps", Duration::from_secs(60));
        assert_eq!(t.first_poll("ps"), Some(ms(307)));
        t.completed("ls", Duration::from_secs(600));
        assert_eq!(t.first_poll("ls"), Some(LONGEST_FIRST));
    }

    #[test]
    fn old_times_leave_the_window() {
        let t = Timing::default();
        for _ in 0..WINDOW {
            t.completed("ps", ms(2000));
        }
        for _ in 0..WINDOW {
            t.completed("ps", ms(100));
        }
        assert_eq!(t.first_poll("ps"), Some(ms(100)));
    }
}
