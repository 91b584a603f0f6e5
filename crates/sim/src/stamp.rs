//! Who and when a change is recorded as: the API client's user, and the emulator's clock (while a
//! journal is replayed, the time of the event replayed, so a replay writes the timestamps it did).

use std::cell::Cell;
use std::time::SystemTime;

/// The user the emulator's API client acts as (shown in `created_by`, `modified_by`).
pub const API_USER: &str = "api-client@falconry.local";

thread_local! {
    /// While replaying: the time of the event being replayed.
    static REPLAY_CLOCK: Cell<Option<SystemTime>> = const { Cell::new(None) };
}

/// `2026-12-04T15:51:02.123Z`: now, or while replaying the time of the event replayed.
pub fn now_stamp() -> String {
    match REPLAY_CLOCK.with(Cell::get) {
        Some(t) => humantime::format_rfc3339_millis(t).to_string(),
        None => falconry_model::time::now_stamp(),
    }
}

/// Sets the replayed time (`None`: the wall clock again).
pub(crate) fn set_replay_clock(at: Option<SystemTime>) {
    REPLAY_CLOCK.with(|c| c.set(at));
}

/// Runs `f` with the clock set to `at`, so the timestamps it writes are those of that moment.
pub fn with_clock<T>(at: SystemTime, f: impl FnOnce() -> T) -> T {
    set_replay_clock(Some(at));
    let out = f();
    set_replay_clock(None);
    out
}
