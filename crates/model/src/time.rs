//! Timestamps as Falcon writes them: RFC 3339, UTC, milliseconds. The one place the model, the client
//! and the CLI turn a time into text.

use std::time::SystemTime;

/// `t` as Falcon writes it: RFC 3339, UTC, milliseconds.
pub fn stamp(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// The current time, as [`stamp`] writes it.
pub fn now_stamp() -> String {
    stamp(SystemTime::now())
}

/// `t` to the second (RFC 3339, UTC): for folder names and lines a person reads.
pub fn stamp_seconds(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}
