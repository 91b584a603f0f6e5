//! Timestamps as Falcon writes them: RFC 3339, UTC, milliseconds.

use std::time::SystemTime;

pub fn now_stamp() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}
