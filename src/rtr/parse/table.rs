//! Text tables as RTR prints them: fixed-width columns under a dashed underline (Windows and
//! PowerShell style), or whitespace-separated columns under a header (POSIX tool style).

/// One row: (header, cell) pairs in column order.
pub type Row = Vec<(String, String)>;

/// Whether a line is a dashed underline (`----  ---- ...`).
fn is_underline(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.contains('-') && t.chars().all(|c| c == '-' || c == ' ')
}

/// Parses the first fixed-width table found: the header is the line above the first
/// underline, column starts are where dash groups start, and the last column takes the rest
/// of the line. Rows end at the first blank line.
pub fn fixed_width(text: &str) -> Option<Vec<Row>> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| is_underline(l))?;
    let header: Vec<char> = lines.get(at.checked_sub(1)?)?.chars().collect();
    let underline: Vec<char> = lines[at].chars().collect();
    let mut starts = Vec::new();
    for (i, c) in underline.iter().enumerate() {
        if *c == '-' && (i == 0 || underline[i - 1] == ' ') {
            starts.push(i);
        }
    }
    let cell = |chars: &[char], i: usize| -> String {
        let from = starts[i].min(chars.len());
        let to = starts
            .get(i + 1)
            .map_or(chars.len(), |&e| e.min(chars.len()));
        chars[from..to.max(from)]
            .iter()
            .collect::<String>()
            .trim()
            .to_string()
    };
    let headers: Vec<String> = (0..starts.len()).map(|i| cell(&header, i)).collect();
    let mut rows = Vec::new();
    for line in &lines[at + 1..] {
        if line.trim().is_empty() {
            break;
        }
        let chars: Vec<char> = line.chars().collect();
        rows.push(
            headers
                .iter()
                .enumerate()
                .map(|(i, h)| (h.clone(), cell(&chars, i)))
                .collect(),
        );
    }
    Some(rows)
}

/// Parses a whitespace-separated table whose header line starts with one of `first_headers`.
/// Each row is split into as many fields as there are headers, the last taking the rest; a
/// date followed by a time (and `AM`/`PM`) counts as one cell.
pub fn whitespace(text: &str, first_headers: &[&str]) -> Option<Vec<Row>> {
    let mut lines = text.lines().skip_while(|l| {
        let first = l.split_whitespace().next().unwrap_or_default();
        !first_headers.iter().any(|h| h.eq_ignore_ascii_case(first))
    });
    let header = lines.next()?;
    let headers = split_headers(header);
    let mut rows = Vec::new();
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        let mut rest = line.trim_start();
        let mut row = Vec::with_capacity(headers.len());
        for (i, h) in headers.iter().enumerate() {
            if i + 1 == headers.len() {
                row.push((h.clone(), rest.trim().to_string()));
                break;
            }
            let mut ahead = rest.split_whitespace();
            let words = match (ahead.next(), ahead.next(), ahead.next()) {
                (Some(d), Some(t), ampm) if looks_like_date(d) && looks_like_time(t) => {
                    if ampm.is_some_and(|w| {
                        w.eq_ignore_ascii_case("AM") || w.eq_ignore_ascii_case("PM")
                    }) {
                        3
                    } else {
                        2
                    }
                }
                _ => 1,
            };
            let (cell, after) = take_words(rest, words);
            row.push((h.clone(), cell.to_string()));
            rest = after;
        }
        rows.push(row);
    }
    Some(rows)
}

/// `2026-11-20` or `11/20/2026`.
fn looks_like_date(w: &str) -> bool {
    let parts: Vec<&str> = w.split(['-', '/']).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// `09:00`, `09:00:00` or `9:00:00.123`.
fn looks_like_time(w: &str) -> bool {
    let parts: Vec<&str> = w.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Header words, keeping known two-word headers (`Local Address`, `Start Time`,
/// `PID/Program name`, ...) together.
fn split_headers(header: &str) -> Vec<String> {
    const PAIRS: &[(&str, &str)] = &[
        ("Local", "Address"),
        ("Foreign", "Address"),
        ("Remote", "Address"),
        ("PID/Program", "name"),
        ("Start", "Time"),
        ("Command", "Line"),
        ("Last", "Logon"),
        ("Image", "Name"),
        ("Parent", "PID"),
    ];
    let mut out: Vec<String> = Vec::new();
    for w in header.split_whitespace() {
        let glue = out.last().is_some_and(|p| {
            PAIRS
                .iter()
                .any(|(a, b)| p.eq_ignore_ascii_case(a) && w.eq_ignore_ascii_case(b))
        });
        match out.last_mut() {
            Some(last) if glue => {
                last.push(' ');
                last.push_str(w);
            }
            _ => out.push(w.to_string()),
        }
    }
    out
}

/// The first `n` whitespace-separated words of `s` and the remainder.
fn take_words(s: &str, n: usize) -> (&str, &str) {
    let s = s.trim_start();
    let mut end = 0;
    let mut taken = 0;
    let mut in_word = false;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if in_word {
                taken += 1;
                in_word = false;
                end = i;
                if taken == n {
                    return (&s[..end], &s[end..]);
                }
            }
        } else {
            in_word = true;
        }
    }
    let _ = end;
    (s, "")
}

/// `Last Modified (UTC+0)` -> `last_modified`: lower snake case without units.
pub fn snake(header: &str) -> String {
    let base = header.split('(').next().unwrap_or(header).trim();
    let mut out = String::new();
    for c in base.chars() {
        if c.is_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_columns_follow_the_underline() {
        let t = "Name   Type\n----   ----\na b    <Directory>\nc\n\nignored\n";
        let rows = fixed_width(t).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][0], ("Name".into(), "a b".into()));
        assert_eq!(rows[0][1], ("Type".into(), "<Directory>".into()));
        assert_eq!(rows[1][1], ("Type".into(), String::new()));
    }

    #[test]
    fn whitespace_rows_keep_the_rest_in_the_last_column() {
        let t = "USER PID STARTED COMMAND\nroot 1 2026-11-20 09:00:00 /sbin/init splash\n";
        let rows = whitespace(t, &["USER"]).unwrap();
        assert_eq!(rows[0][2].1, "2026-11-20 09:00:00");
        assert_eq!(rows[0][3].1, "/sbin/init splash");
        let t = "PID  User  Start Time  Command Line\n42  root  11/20/2026 9:00:00 AM  /bin/x -y\n";
        let rows = whitespace(t, &["PID"]).unwrap();
        assert_eq!(
            rows[0][2],
            ("Start Time".into(), "11/20/2026 9:00:00 AM".into())
        );
        assert_eq!(rows[0][3], ("Command Line".into(), "/bin/x -y".into()));
        assert_eq!(snake("Last Modified (UTC+0)"), "last_modified");
        assert_eq!(snake("PID/Program name"), "pid_program_name");
    }
}
