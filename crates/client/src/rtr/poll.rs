//! Waiting for RTR work to finish: an adaptive backoff that answers short commands fast and long ones
//! with few polls, and a wait loop that honours the run's cancel flag and a deadline.
//!
//! The delays grow from 50 ms by 1.9x to a 1 s ceiling (50, 95, 180, 343, 652, 1000, ...): a 5 s
//! command is seen complete after 9 polls, about 0.3 s after it finished; a 200 ms one after 4.

use crate::engine::Context;
use crate::helpers::caller::{Error, Result};
use std::time::{Duration, Instant};

const FIRST: Duration = Duration::from_millis(50);
const CEILING: Duration = Duration::from_secs(1);
const GROWTH: f64 = 1.9;

/// The delays between polls.
#[derive(Clone, Debug)]
pub struct Backoff {
    /// A first delay placed by what similar commands took; the schedule follows it.
    placed: Option<Duration>,
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            placed: None,
            next: FIRST,
        }
    }
}

impl Backoff {
    /// Waits `first` before the first poll, then follows the usual schedule from its start: a
    /// command that missed the expected time is usually about to finish.
    pub fn after(first: Duration) -> Backoff {
        Backoff {
            placed: Some(first),
            ..Backoff::default()
        }
    }
}

impl Iterator for Backoff {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        if let Some(d) = self.placed.take() {
            return Some(d);
        }
        let d = self.next;
        self.next = self.next.mul_f64(GROWTH).min(CEILING);
        Some(d)
    }
}

/// Calls `check` after each backoff delay until it returns a value, the deadline passes (then
/// `on_timeout` builds the error) or the run is stopped. `check` is only ever a status poll.
pub fn wait<T>(
    ctx: &Context,
    timeout: Duration,
    check: impl FnMut() -> Result<Option<T>>,
    on_timeout: impl FnOnce() -> Error,
) -> Result<T> {
    wait_with(ctx, timeout, Backoff::default(), check, on_timeout)
}

/// [`wait`] on a given schedule.
pub fn wait_with<T>(
    ctx: &Context,
    timeout: Duration,
    schedule: Backoff,
    mut check: impl FnMut() -> Result<Option<T>>,
    on_timeout: impl FnOnce() -> Error,
) -> Result<T> {
    // Options are capped at parse time; saturate anyway rather than panic on a far deadline.
    let now = Instant::now();
    let deadline = now
        .checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600));
    for delay in schedule {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        if !ctx.cancel.sleep(delay.min(deadline - now)) {
            return Err(crate::helpers::caller::stopped(ctx));
        }
        if let Some(v) = check()? {
            return Ok(v);
        }
    }
    Err(on_timeout())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schedule the module comment promises: few polls for a 5 s command, little lag.
    #[test]
    fn five_second_command_takes_under_ten_polls() {
        let mut t = Duration::ZERO;
        let mut polls = 0;
        for d in Backoff::default() {
            t += d;
            polls += 1;
            if t >= Duration::from_secs(5) {
                break;
            }
        }
        assert!(polls < 10, "{polls} polls");
        assert!(
            t - Duration::from_secs(5) < Duration::from_millis(500),
            "{t:?}"
        );
        let first: Vec<u128> = Backoff::default().take(6).map(|d| d.as_millis()).collect();
        assert_eq!(first, vec![50, 95, 180, 342, 651, 1000]);
    }

    #[test]
    fn a_placed_first_poll_is_followed_by_the_usual_schedule() {
        let placed: Vec<u128> = Backoff::after(Duration::from_millis(320))
            .take(4)
            .map(|d| d.as_millis())
            .collect();
        assert_eq!(placed, vec![320, 50, 95, 180]);
    }
}
