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

/// `4/8/2025 12:14:21 PM`, as Windows tables print local times; kept as printed.
pub fn windows_time(c: &str) -> Cell {
    if absent(c) {
        return Ok(Value::Null);
    }
    let num = |s: &str, lo: u32, hi: u32, width: std::ops::RangeInclusive<usize>| {
        width.contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_digit())
            && s.parse::<u32>().is_ok_and(|n| (lo..=hi).contains(&n))
    };
    let ok = match three(c, b' ') {
        Some([date, time, ampm]) => {
            three(date, b'/').is_some_and(|d| {
                num(d[0], 1, 12, 1..=2) && num(d[1], 1, 31, 1..=2) && num(d[2], 1601, 9999, 4..=4)
            }) && three(time, b':').is_some_and(|t| {
                num(t[0], 1, 12, 1..=2) && num(t[1], 0, 59, 2..=2) && num(t[2], 0, 59, 2..=2)
            }) && (ampm == "AM" || ampm == "PM")
        }
        None => false,
    };
    if ok {
        Ok(Value::from(c))
    } else {
        Err(format!("`{c}` is not a time like `4/8/2025 12:14:21 PM`"))
    }
}

/// The three parts of `s` split at the ASCII `sep`, when there are exactly three; read without
/// collecting (every process of every host of a batch has a start time). Found as a byte, not
/// through `str::split`'s char searcher (parsing a 2,000-host batch's `ps` into Rhai values: 621 M
/// -> 609 M instructions, callgrind). An ASCII byte is never part of a longer UTF-8 sequence, so
/// each cut is on a character boundary.
fn three(s: &str, sep: u8) -> Option<[&str; 3]> {
    debug_assert!(sep.is_ascii());
    let mut cuts = s
        .bytes()
        .enumerate()
        .filter(|&(_, b)| b == sep)
        .map(|(i, _)| i);
    let (a, b) = (cuts.next()?, cuts.next()?);
    cuts.next()
        .is_none()
        .then(|| [&s[..a], &s[a + 1..b], &s[b + 1..]])
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
        let mut texts = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..7 {
            last = last
                .iter()
                .flat_map(|t| alphabet.iter().map(move |a| format!("{t}{a}")))
                .collect();
            texts.extend(last.iter().cloned());
        }
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
