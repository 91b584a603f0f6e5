//! Fixed-width text tables as RTR prints them: a header row, a dashed underline, padded columns.

/// Renders rows under headers; every column but the last is padded to its widest cell plus
/// `gap` spaces. `min` gives per-column minimum widths (0 for none).
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
}
