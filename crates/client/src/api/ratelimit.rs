//! Shared pacing from Falcon's rate-limit headers, so concurrent callers slow down together
//! instead of each discovering the limit with its own 429.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Default)]
pub struct RateLimiter {
    state: Mutex<State>,
    /// Set when the window is nearly spent: requests then go one at a time, so that when it runs out
    /// one request meets the 429, not every request in flight.
    low: AtomicBool,
    probe: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    /// No request leaves before this instant (set by a 429).
    paused_until: Option<Instant>,
    /// When the window is nearly spent, requests are spaced by this much.
    spacing: Option<Duration>,
    next_slot: Option<Instant>,
}

impl RateLimiter {
    /// How long the caller must wait before sending.
    pub fn delay(&self) -> Duration {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let mut at = now;
        if let Some(p) = s.paused_until {
            if p > now {
                at = p;
            } else {
                s.paused_until = None;
            }
        }
        if let Some(spacing) = s.spacing {
            let slot = s.next_slot.map_or(at, |n| n.max(at));
            s.next_slot = Some(slot + spacing);
            at = slot;
        }
        at.saturating_duration_since(now)
    }

    /// What is left of a pause a 429 imposed (no spacing slot is taken).
    pub fn pause_left(&self) -> Duration {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.paused_until.map_or(Duration::ZERO, |p| {
            p.saturating_duration_since(Instant::now())
        })
    }

    /// When the window is nearly spent, the turn to send (held until the answer has arrived).
    pub async fn turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if self.low.load(Ordering::Relaxed) {
            Some(self.probe.lock().await)
        } else {
            None
        }
    }

    /// Learns from the headers of any answer.
    pub fn observe(&self, limit: Option<u64>, remaining: Option<u64>) {
        let (Some(limit), Some(remaining)) = (limit, remaining) else {
            return;
        };
        // More than any sane fan-out keeps in flight, so the last ones still fit when the gate closes.
        self.low
            .store(remaining <= (limit / 50).max(5), Ordering::Relaxed);
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        // Below a tenth of the window, spread what is left over a minute rather than burst into 429s.
        if limit > 0 && remaining * 10 < limit {
            s.spacing = Some(Duration::from_secs(60) / (limit as u32).max(1));
        } else {
            s.spacing = None;
            s.next_slot = None;
        }
    }

    /// A 429 pauses every caller until the API's retry-after time.
    pub fn pause(&self, wait: Duration) {
        self.low.store(true, Ordering::Relaxed);
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let until = Instant::now() + wait;
        s.paused_until = Some(s.paused_until.map_or(until, |p| p.max(until)));
    }
}

/// Reads `X-Ratelimit-Retryafter`: an epoch in milliseconds (the spec) or seconds (seen in practice),
/// or a plain number of seconds.
pub fn retry_after(value: &str) -> Option<Duration> {
    let n: f64 = value.trim().parse().ok()?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    let secs = if n > 1e12 {
        n / 1000.0 - now
    } else if n > 1e9 {
        n - now
    } else {
        n
    };
    Some(Duration::from_secs_f64(secs.max(0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_epoch_ms_epoch_s_and_seconds() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let ms = retry_after(&format!("{}", ((now + 2.0) * 1000.0) as u64)).unwrap();
        assert!(ms <= Duration::from_secs(2) && ms > Duration::from_millis(500));
        let s = retry_after(&format!("{}", (now + 3.0) as u64)).unwrap();
        assert!(s <= Duration::from_secs(3) && s > Duration::from_secs(1));
        assert_eq!(retry_after("1").unwrap(), Duration::from_secs(1));
        assert!(retry_after("soon").is_none());
    }

    #[test]
    fn pause_delays_everyone() {
        let rl = RateLimiter::default();
        assert_eq!(rl.delay(), Duration::ZERO);
        rl.pause(Duration::from_millis(200));
        assert!(rl.delay() > Duration::from_millis(100));
    }
}
