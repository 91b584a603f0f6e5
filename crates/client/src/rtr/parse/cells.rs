//! Typed cells: each reader accepts exactly the text its column prints and says what it expected
//! otherwise, so a cell of the wrong type fails its row instead of becoming a wrong field.

use serde_json::Value;

pub type Cell = Result<Value, String>;

/// Empty (or `--`, as `ls` prints for directories) is absent.
fn absent(c: &str) -> bool {
    c.is_empty() || c == "--"
}

/// `60196` or `60,196` (thousands separators in groups of three), as an integer.
pub fn integer(c: &str) -> Cell {
    if absent(c) {
        return Ok(Value::Null);
    }
    // Most cells are plain digits: read without splitting or copying.
    if c.bytes().all(|b| b.is_ascii_digit()) {
        return c
            .parse::<u64>()
            .map(Value::from)
            .map_err(|_| format!("`{c}` is out of range"));
    }
    // Grouped: a first group of one to three digits, then groups of exactly three, each after a
    // comma. Checked and read in one pass: splitting into a vector and copying without the commas
    // was 6% of parsing a batch's `ps` into Rhai values (callgrind, 2,000 hosts: 609 M -> 573 M
    // instructions; Windows prints `WorkingMemory(kb)` grouped).
    let not_whole = || format!("`{c}` is not a whole number");
    let mut value = Some(0u64);
    let (mut digits, mut groups) = (0usize, 0usize);
    for b in c.bytes() {
        match b {
            b'0'..=b'9' => {
                value = value
                    .and_then(|v| v.checked_mul(10))
                    .and_then(|v| v.checked_add(u64::from(b - b'0')));
                digits += 1;
            }
            b',' if digits == 3 || (groups == 0 && (1..=3).contains(&digits)) => {
                groups += 1;
                digits = 0;
            }
            _ => return Err(not_whole()),
        }
    }
    // Not all digits (the path above), so a comma was read: the last group has three digits too.
    if digits != 3 {
        return Err(not_whole());
    }
    value
        .map(Value::from)
        .ok_or_else(|| format!("`{c}` is out of range"))
}

/// An integer that must be printed (a PID).
pub fn required_integer(c: &str) -> Cell {
    match integer(c)? {
        Value::Null => Err("missing".into()),
        v => Ok(v),
    }
}

/// `312.31` or `0`, as a number.
pub fn decimal(c: &str) -> Cell {
    if absent(c) {
        return Ok(Value::Null);
    }
    match short_decimal(c) {
        Some(v) => Ok(Value::from(v)),
        None => any_decimal(c),
    }
}

/// [`decimal`] of any text: separators, long numbers, and the refusals.
fn any_decimal(c: &str) -> Cell {
    // Most cells print no separator: read in place, not copied (one `CPU(s)` cell per process).
    let plain = if c.contains(',') {
        std::borrow::Cow::Owned(c.replace(',', ""))
    } else {
        std::borrow::Cow::Borrowed(c)
    };
    let ok = !plain.is_empty()
        && plain.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && plain.matches('.').count() <= 1
        && !plain.starts_with('.')
        && !plain.ends_with('.');
    if !ok || integer(c.split('.').next().unwrap_or_default()).is_err() {
        return Err(format!("`{c}` is not a number"));
    }
    plain
        .parse::<f64>()
        .map(Value::from)
        .map_err(|_| format!("`{c}` is not a number"))
}

/// Plain `digits[.digits]` of at most 15 digits, read exactly: the digits as an integer below
/// 2^53 divided by a power of ten no larger than 10^15, both exact as `f64`, and one IEEE division
/// rounds correctly, so the result is the `f64` nearest the text, as `str::parse` gives (Clinger's
/// fast path). Anything else is read the general way. One `CPU(s)` cell per process: the general
/// way was 850 instructions per cell (callgrind, a 2,000-host batch's `ps`).
fn short_decimal(c: &str) -> Option<f64> {
    let (whole, fraction) = c.split_once('.').unwrap_or((c, ""));
    let digits = whole.len() + fraction.len();
    if whole.is_empty() || (c.len() > whole.len() && fraction.is_empty()) || digits > 15 {
        return None;
    }
    let mut n: u64 = 0;
    for b in whole.bytes().chain(fraction.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    const POWERS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    // Both exact: n < 10^15 < 2^53, and 10^k for k <= 15.
    Some(n as f64 / POWERS[fraction.len()])
}

/// `4/8/2025 12:14:21 PM`, as Windows tables print local times; kept as printed.
///
/// Read in one pass over the bytes, field by field: splitting at spaces, slashes and colons and
/// parsing each part was 835 instructions per cell (callgrind, a 2,000-host batch's `ps`; every
/// process has a start time). The reading it replaced is the tests' reference.
pub fn windows_time(c: &str) -> Cell {
    if absent(c) {
        return Ok(Value::Null);
    }
    let mut at = 0;
    let b = c.as_bytes();
    let ok = field(b, &mut at, 1..=2, 1..=12, b'/')
        && field(b, &mut at, 1..=2, 1..=31, b'/')
        && field(b, &mut at, 4..=4, 1601..=9999, b' ')
        && field(b, &mut at, 1..=2, 1..=12, b':')
        && field(b, &mut at, 2..=2, 0..=59, b':')
        && field(b, &mut at, 2..=2, 0..=59, b' ')
        && matches!(&b[at..], b"AM" | b"PM");
    if ok {
        Ok(Value::from(c))
    } else {
        Err(format!("`{c}` is not a time like `4/8/2025 12:14:21 PM`"))
    }
}

/// Reads at `at` a number of `width` ASCII digits within `range`, then the byte `then`; moves `at`
/// past both.
fn field(
    b: &[u8],
    at: &mut usize,
    width: std::ops::RangeInclusive<usize>,
    range: std::ops::RangeInclusive<u32>,
    then: u8,
) -> bool {
    let start = *at;
    let mut n = 0u32;
    while let Some(d) = b.get(*at).filter(|d| d.is_ascii_digit()) {
        if *at - start == *width.end() {
            return false;
        }
        n = n * 10 + u32::from(d - b'0');
        *at += 1;
    }
    if !width.contains(&(*at - start)) || !range.contains(&n) {
        return false;
    }
    if b.get(*at) != Some(&then) {
        return false;
    }
    *at += 1;
    true
}

/// Any non-empty text.
pub fn required_text(c: &str) -> Cell {
    if c.is_empty() {
        Err("missing".into())
    } else {
        Ok(Value::from(c))
    }
}

/// Text, absent when empty.
pub fn text(c: &str) -> Cell {
    Ok(if c.is_empty() {
        Value::Null
    } else {
        Value::from(c)
    })
}

/// `TCP` or `UDP` (any case, `tcp6`/`udp6` too), upper-cased without the family suffix.
pub fn proto(c: &str) -> Cell {
    let upper = c.to_ascii_uppercase();
    let base = upper.trim_end_matches(['4', '6']);
    match base {
        "TCP" | "UDP" => Ok(Value::from(base)),
        _ => Err(format!("`{c}` is not TCP or UDP")),
    }
}

/// Splits `ip:port`, `[v6]:port`, `:::49689` (`::` port 49689), `fe80::1%2:60660` or `*:*` at the
/// last colon; a port of `*` is absent.
pub fn endpoint(c: &str) -> Result<(Value, Value), String> {
    let bad = || format!("`{c}` is not an address:port");
    let (addr, port) = match c.strip_prefix('[') {
        Some(rest) => rest.split_once("]:").ok_or_else(bad)?,
        None => c.rsplit_once(':').ok_or_else(bad)?,
    };
    if addr.is_empty() || addr.contains(char::is_whitespace) {
        return Err(bad());
    }
    let port = match port {
        "*" => Value::Null,
        p if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            Value::from(p.parse::<u16>().map_err(|_| bad())?)
        }
        _ => return Err(bad()),
    };
    Ok((Value::from(addr), port))
}

/// TCP states as Windows (`Listen`, `TimeWait`, ...), `netstat -ano` (`LISTENING`) and Linux
/// (`LISTEN`, `SYN_RECV`) print them, and the one upper-case name each gets.
const STATES: &[(&[&str], &str)] = &[
    (&["LISTEN", "LISTENING"], "LISTEN"),
    (&["ESTABLISHED"], "ESTABLISHED"),
    (&["SYNSENT", "SYN_SENT"], "SYN_SENT"),
    (&["SYNRECEIVED", "SYN_RECEIVED", "SYN_RECV"], "SYN_RECEIVED"),
    (&["FINWAIT1", "FIN_WAIT1", "FIN_WAIT_1"], "FIN_WAIT1"),
    (&["FINWAIT2", "FIN_WAIT2", "FIN_WAIT_2"], "FIN_WAIT2"),
    (&["CLOSEWAIT", "CLOSE_WAIT"], "CLOSE_WAIT"),
    (&["CLOSING"], "CLOSING"),
    (&["LASTACK", "LAST_ACK"], "LAST_ACK"),
    (&["TIMEWAIT", "TIME_WAIT"], "TIME_WAIT"),
    (&["DELETETCB", "DELETE_TCB"], "DELETE_TCB"),
    (&["CLOSED", "CLOSE"], "CLOSED"),
    (&["BOUND"], "BOUND"),
];

/// The canonical state of a printed one; absent when nothing is printed (UDP on POSIX).
pub fn state(c: &str) -> Cell {
    if c.is_empty() {
        return Ok(Value::Null);
    }
    let upper = c.to_ascii_uppercase();
    STATES
        .iter()
        .find(|(names, _)| names.contains(&upper.as_str()))
        .map(|(_, canonical)| Value::from(*canonical))
        .ok_or_else(|| format!("`{c}` is not a known connection state"))
}

#[cfg(test)]
mod tests {
    use super::super::texts_over;
    use super::*;

    #[test]
    fn numbers_accept_only_what_the_columns_print() {
        assert_eq!(integer("60,196").unwrap(), 60196);
        assert_eq!(integer("1,234,567").unwrap(), 1_234_567);
        assert_eq!(integer("--").unwrap(), Value::Null);
        for bad in [
            "6,0196",
            "12a",
            "-1",
            ",123",
            "1.5",
            "99999999999999999999999",
        ] {
            assert!(integer(bad).is_err(), "{bad}");
        }
        assert_eq!(decimal("312.31").unwrap(), 312.31);
        assert!(decimal("3.1.2").is_err() && decimal(".5").is_err());
    }

    /// The one-pass reading of grouped integers accepts, reads and refuses exactly what splitting
    /// at the commas did (the reading it replaced, kept here as the reference), with the same
    /// message: every text of up to seven characters over digits, commas and one other character,
    /// and the edges of the range.
    #[test]
    fn grouped_integers_read_as_splitting_them_did() {
        fn reference(c: &str) -> Cell {
            if absent(c) {
                return Ok(Value::Null);
            }
            let groups: Vec<&str> = c.split(',').collect();
            let grouped = groups.len() > 1
                && (1..=3).contains(&groups[0].len())
                && groups[1..].iter().all(|g| g.len() == 3);
            let digits = groups
                .iter()
                .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
            if !digits || (groups.len() > 1 && !grouped) {
                return Err(format!("`{c}` is not a whole number"));
            }
            c.replace(',', "")
                .parse::<u64>()
                .map(Value::from)
                .map_err(|_| format!("`{c}` is out of range"))
        }
        let alphabet = ['0', '7', ',', 'x'];
        let mut texts = texts_over(&alphabet, 7);
        texts.extend(
            [
                "18,446,744,073,709,551,615",
                "18,446,744,073,709,551,616",
                "18446744073709551616",
                "999,999,999,999,999,999,999,999",
                "1,234,5678",
                "٣,123",
            ]
            .map(String::from),
        );
        for t in &texts {
            assert_eq!(integer(t), reference(t), "{t:?}");
        }
    }

    /// The short reading of plain decimals reads exactly what the general one reads, to the bit,
    /// and leaves it everything else: every text of up to seven characters over digits, the point,
    /// a comma and another character, and the longest texts it takes.
    #[test]
    fn short_decimals_read_as_the_general_reading_does() {
        let mut texts = texts_over(&['0', '1', '9', '.', ',', 'x'], 7);
        texts.extend(
            [
                "999999999999999",
                "99999999999999.9",
                "0.000000000000001",
                "9007199254740993",
                "1.000000000000001",
                "312.31",
                "0.1",
                "123456789.012345",
            ]
            .map(String::from),
        );
        let mut short = 0;
        for t in &texts {
            let general = any_decimal(t);
            if let Some(v) = short_decimal(t) {
                short += 1;
                let read = general.clone().unwrap_or_else(|e| panic!("{t}: {e}"));
                assert_eq!(read.as_f64().map(f64::to_bits), Some(v.to_bits()), "{t}");
            }
            assert_eq!(
                decimal(t),
                if absent(t) { Ok(Value::Null) } else { general },
                "{t}"
            );
        }
        assert!(short > 1000, "only {short} texts read the short way");
    }

    /// The one-pass reading of Windows times accepts exactly what splitting at spaces, slashes and
    /// colons did (the reading it replaced, kept here as the reference): every text one edit (a
    /// character replaced, removed or added) away from a few times, and the edges of each field.
    #[test]
    fn windows_times_read_as_splitting_them_did() {
        fn reference(c: &str) -> bool {
            fn three(s: &str, sep: char) -> Option<[&str; 3]> {
                let parts: Vec<&str> = s.split(sep).collect();
                <[&str; 3]>::try_from(parts).ok()
            }
            let num = |s: &str, lo: u32, hi: u32, width: std::ops::RangeInclusive<usize>| {
                width.contains(&s.len())
                    && s.bytes().all(|b| b.is_ascii_digit())
                    && s.parse::<u32>().is_ok_and(|n| (lo..=hi).contains(&n))
            };
            match three(c, ' ') {
                Some([date, time, ampm]) => {
                    three(date, '/').is_some_and(|d| {
                        num(d[0], 1, 12, 1..=2)
                            && num(d[1], 1, 31, 1..=2)
                            && num(d[2], 1601, 9999, 4..=4)
                    }) && three(time, ':').is_some_and(|t| {
                        num(t[0], 1, 12, 1..=2)
                            && num(t[1], 0, 59, 2..=2)
                            && num(t[2], 0, 59, 2..=2)
                    }) && (ampm == "AM" || ampm == "PM")
                }
                None => false,
            }
        }
        let alphabet = [
            '0', '1', '2', '5', '9', '/', ':', ' ', 'A', 'P', 'M', 'x', 'é',
        ];
        let mut texts: Vec<String> = Vec::new();
        for base in [
            "4/8/2025 12:14:21 PM",
            "12/31/1601 1:00:00 AM",
            "11/17/2026 8:03:39 AM",
            "1/1/9999 9:59:59 PM",
        ] {
            let chars: Vec<char> = base.chars().collect();
            texts.push(base.to_string());
            for i in 0..=chars.len() {
                for a in alphabet {
                    let mut added = chars.clone();
                    added.insert(i, a);
                    texts.push(added.iter().collect());
                    if i < chars.len() {
                        let mut replaced = chars.clone();
                        replaced[i] = a;
                        texts.push(replaced.iter().collect());
                    }
                }
                if i < chars.len() {
                    let mut removed = chars.clone();
                    removed.remove(i);
                    texts.push(removed.iter().collect());
                }
            }
        }
        // Each field one past its edge, and widths one short or long.
        texts.extend(
            [
                "0/1/2025 1:00:00 AM 13/1/2025 1:00:00 AM 1/0/2025 1:00:00 AM",
                "1/32/2025 1:00:00 AM 1/1/1600 1:00:00 AM 1/1/10000 1:00:00 AM",
                "1/1/2025 0:00:00 AM 1/1/2025 13:00:00 AM 1/1/2025 1:60:00 AM",
                "1/1/2025 1:00:60 AM 01/01/2025 01:0:00 AM 001/1/2025 1:00:00 AM",
            ]
            .iter()
            .flat_map(|four| four.split(" AM").filter(|t| !t.is_empty()))
            .map(|t| format!("{} AM", t.trim())),
        );
        let mut accepted = 0;
        for t in &texts {
            let ok = windows_time(t).is_ok();
            assert_eq!(ok, reference(t) || absent(t), "{t:?}");
            accepted += usize::from(ok);
        }
        assert!(accepted > 20 && accepted < texts.len() / 2, "{accepted}");
    }

    #[test]
    fn times_endpoints_and_states() {
        assert!(windows_time("4/8/2025 12:14:21 PM").is_ok());
        assert!(windows_time("4/8/2025 13:14:21 PM").is_err());
        assert!(windows_time("2025-04-08 12:14:21").is_err());
        assert!(windows_time("4/8/2025 12:14:21 PM x").is_err());
        assert!(windows_time("4/8/2025/1 12:14:21 PM").is_err());
        assert!(windows_time("4/8 12:14 PM").is_err());
        // Cut at bytes: text around the separators may be anything a host prints.
        assert!(windows_time("4/8/2025 12:14:21 午後").is_err());
        assert!(windows_time("٤/8/2025 12:14:21 PM").is_err());
        assert!(windows_time("4/8/2025\u{a0}12:14:21 PM").is_err());
        assert_eq!(decimal("1,234.5").unwrap(), 1234.5);
        let e = |s| endpoint(s).unwrap();
        assert_eq!(e(":::49689"), (Value::from("::"), Value::from(49689)));
        assert_eq!(e("::1:60661"), (Value::from("::1"), Value::from(60661)));
        assert_eq!(
            e("fe80::9c8b:6e28:cc9:6e2e%2:60660"),
            (
                Value::from("fe80::9c8b:6e28:cc9:6e2e%2"),
                Value::from(60660)
            )
        );
        assert_eq!(e("*:*"), (Value::from("*"), Value::Null));
        assert_eq!(e("[::]:445"), (Value::from("::"), Value::from(445)));
        assert!(endpoint("10.0.0.1").is_err() && endpoint("a:99999").is_err());
        assert_eq!(state("TimeWait").unwrap(), "TIME_WAIT");
        assert_eq!(state("LISTENING").unwrap(), "LISTEN");
        assert!(state("Weird").is_err());
    }
}
