//! Calendar formatting of Unix seconds without a time-zone database: hosts report UTC.

/// Unix seconds of the built-in scenario's "now" (2026-11-20T09:00:00Z), so outputs are stable.
pub const BASE_TIME: i64 = 1_795_165_200;

/// (year, month, day, hour, minute, second) of Unix seconds, UTC.
pub fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// `2026-11-20T09:00:00Z`, as the API's JSON timestamps.
pub fn rfc3339(secs: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
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
        .duration_since(std::time::UNIX_EPOCH)
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
    }
}
