//! Text tables as RTR prints them: PowerShell `Format-Table -AutoSize` (Windows `ps`, `netstat`),
//! the fixed-width `ls` listing, and the simpler padded tables of the reconstructed commands.
//! The first two follow real captures (`tests/data/rtr/real/SOURCES.md`).

/// How a Format-Table column aligns: text to the left, numbers (and `State`) to the right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// The width RTR's PowerShell host formats to: lines are 150 characters, the last column padded
/// to the edge and wrapped when longer.
pub const LINE_WIDTH: usize = 150;

fn pad(s: &str, width: usize, align: Align) -> String {
    let n = s.chars().count();
    let fill = " ".repeat(width.saturating_sub(n));
    match align {
        Align::Left => format!("{s}{fill}"),
        Align::Right => format!("{fill}{s}"),
    }
}

/// Splits `text` into lines of at most `width` characters at spaces (the space dropped), cutting
/// a word only when it alone is wider than `width`, as Format-Table wraps a cell.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        let cur_len = cur.chars().count();
        if cur_len > 0 && cur_len + 1 + word.len() <= width {
            cur.push(' ');
            cur.extend(word.iter());
            continue;
        }
        if cur_len > 0 {
            lines.push(std::mem::take(&mut cur));
        }
        while word.len() > width {
            lines.push(word.drain(..width).collect());
        }
        cur = word.into_iter().collect();
    }
    lines.push(cur);
    lines
}

/// `Format-Table -AutoSize`: each column as wide as its widest cell or header, one space between
/// columns, headers aligned like their cells and underlined with dashes as wide as the header
/// word; the last column padded to `LINE_WIDTH` at most, longer cells wrapped onto lines
/// indented to it. Starts with a blank line, as PowerShell's table output does; no rows print
/// nothing at all, as `Format-Table` of an empty collection does.
pub fn format_table(columns: &[(&str, Align)], rows: &[Vec<String>]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let n = columns.len();
    let mut widths: Vec<usize> = columns.iter().map(|(h, _)| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(n) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let last_start: usize = widths[..n - 1].iter().map(|w| w + 1).sum();
    widths[n - 1] = widths[n - 1].min(
        LINE_WIDTH
            .saturating_sub(last_start)
            .max(columns[n - 1].0.len()),
    );
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(&pad(cell, widths[i], columns[i].1));
        }
        s.push('\n');
        s
    };
    let mut out = String::from("\n");
    out.push_str(&line(
        &columns
            .iter()
            .map(|(h, _)| h.to_string())
            .collect::<Vec<_>>(),
    ));
    out.push_str(&line(
        &columns
            .iter()
            .map(|(h, _)| "-".repeat(h.chars().count()))
            .collect::<Vec<_>>(),
    ));
    for row in rows {
        let mut cells = row.clone();
        cells.resize(n, String::new());
        let pieces = wrap(&cells[n - 1], widths[n - 1]);
        cells[n - 1] = pieces[0].clone();
        out.push_str(&line(&cells));
        for piece in &pieces[1..] {
            out.push_str(&" ".repeat(last_start));
            out.push_str(&pad(piece, widths[n - 1], Align::Left));
            out.push('\n');
        }
    }
    out.push('\n');
    out
}

/// `1234567` -> `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Columns of fixed widths, each cell left-aligned, padded to its width and followed by one
/// space (a longer cell pushes the rest of its line right), as the Windows `ls` listing prints.
pub fn fixed_columns(widths: &[usize], headers: &[&str], rows: &[Vec<String>]) -> String {
    let line = |cells: &mut dyn Iterator<Item = String>| -> String {
        cells
            .zip(widths)
            .map(|(c, w)| format!("{} ", pad(&c, *w, Align::Left)))
            .collect()
    };
    let mut lines = vec![
        line(&mut headers.iter().map(|h| h.to_string())),
        line(&mut headers.iter().map(|h| "-".repeat(h.chars().count()))),
    ];
    for row in rows {
        lines.push(line(&mut row.iter().cloned()));
    }
    lines.join("\n")
}

/// Renders rows under headers; every column but the last is padded to its widest cell plus
/// `gap` spaces. `min` gives per-column minimum widths (0 for none). The layout of commands for
/// which no real capture was found.
pub fn table(headers: &[&str], rows: &[Vec<String>], min: &[usize], gap: usize) -> String {
    let n = headers.len();
    let mut widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| h.chars().count().max(min.get(i).copied().unwrap_or(0)))
        .collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(n) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = String>| {
        let mut s = String::new();
        for (i, cell) in cells.enumerate() {
            if i + 1 < n {
                let pad = widths[i] + gap - cell.chars().count();
                s.push_str(&cell);
                s.extend(std::iter::repeat_n(' ', pad));
            } else {
                s.push_str(&cell);
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(&mut headers.iter().map(|h| h.to_string()));
    line(&mut headers.iter().map(|h| "-".repeat(h.chars().count())));
    for row in rows {
        line(&mut row.iter().cloned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_padded_and_underlined() {
        let t = table(
            &["Name", "PID"],
            &[vec!["a.exe".into(), "4".into()]],
            &[0, 0],
            2,
        );
        assert_eq!(t, "Name   PID\n----   ---\na.exe  4\n");
    }

    #[test]
    fn format_table_right_aligns_numbers_and_wraps_the_last_cell() {
        let t = format_table(
            &[
                ("Name", Align::Left),
                ("Id", Align::Right),
                ("Path", Align::Left),
            ],
            &[vec!["svchost".into(), "1188".into(), "C:\\a b".into()]],
        );
        assert!(
            t.starts_with("\nName      Id Path  \n----      -- ----  \n"),
            "{t:?}"
        );
        assert!(t.contains("\nsvchost 1188 C:\\a b"), "{t}");
        assert_eq!(
            wrap("C:\\Program Files\\x y.exe", 12),
            ["C:\\Program", "Files\\x", "y.exe"]
        );
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(thousands(60196), "60,196");
        assert_eq!(thousands(612), "612");
    }
}
