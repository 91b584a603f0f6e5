//! Calendar formatting of Unix seconds without a time-zone database: hosts report UTC.

use std::time::{Duration, UNIX_EPOCH};

/// Unix seconds of the built-in scenario's "now" (2026-11-20T09:00:00Z), so outputs are stable.
pub const BASE_TIME: i64 = 1_795_165_200;

/// The last second humantime renders (9999-12-31T23:59:59Z); it renders none before 1970.
const LAST: i64 = 253_402_300_799;

/// `2026-11-20T09:00:00Z`, as the API's JSON timestamps: humantime's calendar, with times before
/// 1970 or after 9999 clamped to those bounds (no host reports one).
pub fn rfc3339(secs: i64) -> String {
    let t = UNIX_EPOCH + Duration::from_secs(secs.clamp(0, LAST) as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}

/// (year, month, day, hour, minute, second) of Unix seconds, UTC, read off [`rfc3339`]'s fixed
/// columns, so one tested calendar serves every style below.
pub fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let stamp = rfc3339(secs);
    let field = |at: usize, len: usize| stamp[at..at + len].parse::<u32>().unwrap_or(0);
    (
        i64::from(field(0, 4)),
        field(5, 2),
        field(8, 2),
        field(11, 2),
        field(14, 2),
        field(17, 2),
    )
}

/// `11/20/2026 9:00:00 AM`, as Windows RTR tables print times.
pub fn windows(secs: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(secs);
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{mo}/{d}/{y} {h12}:{mi:02}:{s:02} {ampm}")
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Nov 20 09:00`, as `ls -l` prints times.
pub fn posix(secs: i64) -> String {
    let (_, mo, d, h, mi, _) = civil(secs);
    format!("{} {d:>2} {h:02}:{mi:02}", MONTHS[mo as usize - 1])
}

/// `2026-11-20 09:00:00`, as Linux and Mac RTR tables print times.
pub fn plain(secs: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(secs);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// The current time, for changes made by commands.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(BASE_TIME, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_time_formats_in_every_style() {
        assert_eq!(rfc3339(BASE_TIME), "2026-11-20T09:00:00Z");
        assert_eq!(windows(BASE_TIME), "11/20/2026 9:00:00 AM");
        assert_eq!(windows(BASE_TIME + 5 * 3600), "11/20/2026 2:00:00 PM");
        assert_eq!(posix(BASE_TIME), "Nov 20 09:00");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(civil(951_782_400 + 86_399), (2000, 2, 29, 23, 59, 59));
        assert_eq!(plain(BASE_TIME), "2026-11-20 09:00:00");
        assert_eq!(rfc3339(-1), "1970-01-01T00:00:00Z");
    }
}
