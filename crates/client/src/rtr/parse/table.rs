//! Tables as RTR prints them. Windows commands print PowerShell `Format-Table` text: a header, a
//! dashed underline as wide as each header *word* (not the data), text cells left-aligned under
//! their header, numbers right-aligned and often wider than their dashes, one space between
//! columns, and a long last cell wrapped onto continuation lines indented to its column. POSIX
//! tools print whitespace-separated columns under a header.
//!
//! The reader fails closed: a line it cannot place cell by cell is returned with the reason, never
//! with cells guessed from its neighbours.
//!
//! Lines and cells of ASCII text are borrowed from it: copying every cell of a 2,000-host batch's
//! `ps` (seven per process, four of them numbers read straight into values) was 7% of turning it
//! into Rhai values (callgrind).

use std::borrow::Cow;

/// How a column's cells sit in it: text starts under the header's first letter, numbers end
/// under its last one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A column as the header and its underline give it: the header text and the span of its dashes
/// (character positions, end exclusive).
#[derive(Clone, Debug)]
pub struct Column {
    pub header: String,
    pub start: usize,
    pub end: usize,
    pub align: Align,
}

/// One printed row: its line (with continuation lines, joined by `\n`) and either one trimmed
/// cell per column or why it could not be placed.
#[derive(Clone, Debug)]
pub struct Line<'a> {
    pub raw: Cow<'a, str>,
    pub cells: Result<Vec<Cow<'a, str>>, String>,
}

impl Line<'_> {
    fn into_owned(self) -> Line<'static> {
        let own = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
        Line {
            raw: own(self.raw),
            cells: self.cells.map(|cells| cells.into_iter().map(own).collect()),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Table<'a> {
    pub columns: Vec<Column>,
    pub rows: Vec<Line<'a>>,
}

/// One printed position of a line: a byte when the whole text is ASCII (a line is then a slice of
/// the text itself), else a `char`. Columns are counted in characters either way. Widening every
/// line of a 10,000-host batch's `ps` to `char`s (33 MB of text, four times over) was a quarter of
/// reading its tables.
trait Glyph: Copy + Eq {
    const SPACE: Self;
    const DASH: Self;
    fn is_whitespace(self) -> bool;
    /// The text of glyphs `from..to` of a line whose text is `text`, borrowed where it already is
    /// text.
    fn text<'a>(line: &'a [Self], text: &'a str, from: usize, to: usize) -> Cow<'a, str>;
    /// Where the text of `cell` starts and ends (inclusive), without the whitespace around it;
    /// `None` for a blank cell.
    fn trimmed(cell: &[Self]) -> Option<(usize, usize)> {
        let start = cell.iter().position(|c| !c.is_whitespace())?;
        let end = cell.iter().rposition(|c| !c.is_whitespace())?;
        Some((start, end))
    }
}

impl Glyph for u8 {
    const SPACE: u8 = b' ';
    const DASH: u8 = b'-';
    fn is_whitespace(self) -> bool {
        self.is_ascii_whitespace() || self == 0x0b
    }
    /// A slice of the line's own text: it is ASCII, so byte `i` is glyph `i` and every cut is on
    /// a character boundary. Pushing each byte as a `char` was 5% of parsing a batch's `ps` into
    /// Rhai values (callgrind, 2,000 hosts, instructions under `parsed_rhai`: 655 M before, 621 M
    /// after); checking each cell again with `from_utf8` was 17.5 M of a 2,000-host batch's 2,019
    /// M. `from_utf8_lossy` stays only as the answer to a cut ASCII cannot cause.
    fn text<'a>(line: &'a [u8], text: &'a str, from: usize, to: usize) -> Cow<'a, str> {
        text.get(from..to)
            .map_or_else(|| String::from_utf8_lossy(&line[from..to]), Cow::Borrowed)
    }

    /// Format-Table pads every cell with spaces to its column's width (a `Path` cell of `ps` is
    /// mostly padding): the trailing spaces are passed over eight at a time. Trimming byte by byte
    /// was 50 M instructions of a 2,000-host batch's `ps` (callgrind), 275 per cell.
    fn trimmed(cell: &[u8]) -> Option<(usize, usize)> {
        const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
        let mut end = cell.len();
        while let Some(word) = end
            .checked_sub(8)
            .and_then(|at| <[u8; 8]>::try_from(&cell[at..end]).ok())
        {
            if u64::from_ne_bytes(word) != SPACES {
                break;
            }
            end -= 8;
        }
        let last = cell[..end].iter().rposition(|c| !c.is_whitespace())?;
        let first = cell.iter().position(|c| !c.is_whitespace())?;
        Some((first, last))
    }
}

impl Glyph for char {
    const SPACE: char = ' ';
    const DASH: char = '-';
    fn is_whitespace(self) -> bool {
        char::is_whitespace(self)
    }
    fn text<'a>(line: &'a [char], _text: &'a str, from: usize, to: usize) -> Cow<'a, str> {
        Cow::Owned(line[from..to].iter().collect())
    }
}

fn is_underline<G: Glyph>(line: &[G]) -> bool {
    line.contains(&G::DASH) && line.iter().all(|&c| c == G::DASH || c == G::SPACE)
}

fn blank<G: Glyph>(line: &[G]) -> bool {
    line.iter().all(|c| c.is_whitespace())
}

/// Whether position `i` of a line is a space (or past its end).
fn space_at<G: Glyph>(line: &[G], i: usize) -> bool {
    line.get(i).is_none_or(|c| *c == G::SPACE)
}

/// Glyphs `from..to` of a line (whose text is `text`) as trimmed text.
fn slice<'a, G: Glyph>(line: &'a [G], text: &'a str, from: usize, to: usize) -> Cow<'a, str> {
    let from = from.min(line.len());
    let to = to.min(line.len()).max(from);
    // Trimmed before it is collected: one allocation per cell, not two.
    match G::trimmed(&line[from..to]) {
        Some((s, e)) => G::text(line, text, from + s, from + e + 1),
        None => Cow::Borrowed(""),
    }
}

/// Spans of the dash groups of an underline.
fn dash_spans<G: Glyph>(underline: &[G]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, &c) in underline
        .iter()
        .chain(std::iter::once(&G::SPACE))
        .enumerate()
    {
        match (c == G::DASH, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    spans
}

/// The header words over the dash spans, when the header lines up with them: each word exactly
/// over its dashes, nothing printed between the spans.
fn headers_over<G: Glyph>(
    header: &[G],
    text: &str,
    spans: &[(usize, usize)],
) -> Option<Vec<String>> {
    let mut words = Vec::with_capacity(spans.len());
    let mut prev = 0;
    for &(s, e) in spans {
        if !(prev..s).all(|i| space_at(header, i)) {
            return None;
        }
        if e > header.len() {
            return None;
        }
        let word = G::text(header, text, s, e);
        if word.trim() != word || word.is_empty() {
            return None;
        }
        words.push(word.into_owned());
        prev = e;
    }
    (prev..header.len())
        .all(|i| space_at(header, i))
        .then_some(words)
}

/// Alignment of a column no schema knows, from its cells: right when every row's text between
/// the column's dashes and the next column's ends exactly where the dashes end.
fn inferred_align<G: Glyph>(rows: &[&[G]], s: usize, e: usize, next: Option<usize>) -> Align {
    let right = rows.iter().all(|r| {
        let to = next.unwrap_or(r.len()).min(r.len());
        match (s..to).rev().find(|&i| !space_at(r, i)) {
            None => true,
            Some(last) => last + 1 == e,
        }
    });
    if right { Align::Right } else { Align::Left }
}

/// Reads the first `Format-Table` block of `text`. `align` gives the alignment of the columns a
/// schema knows (by header); others are inferred. `None` when there is no underlined header.
pub fn format_table(text: &str, align: impl Fn(&str) -> Option<Align>) -> Option<Table<'_>> {
    let texts: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    if text.is_ascii() {
        let lines: Vec<&[u8]> = texts.iter().map(|l| l.as_bytes()).collect();
        return table_of(&texts, &lines, align);
    }
    // Cells of `char`s are built, not borrowed: the table outlives the widened lines.
    let chars: Vec<Vec<char>> = texts.iter().map(|l| l.chars().collect()).collect();
    let lines: Vec<&[char]> = chars.iter().map(Vec::as_slice).collect();
    let t = table_of(&texts, &lines, align)?;
    Some(Table {
        columns: t.columns,
        rows: t.rows.into_iter().map(Line::into_owned).collect(),
    })
}

/// [`format_table`] of `texts`, each line also as its glyphs.
fn table_of<'a, G: Glyph>(
    texts: &[&'a str],
    lines: &[&'a [G]],
    align: impl Fn(&str) -> Option<Align>,
) -> Option<Table<'a>> {
    let at = lines.iter().position(|l| is_underline(l))?;
    let spans = dash_spans(lines[at]);
    // Each data line with its text, which becomes the row's `raw` without being rebuilt.
    let (data, data_raw): (Vec<&[G]>, Vec<&'a str>) = lines[at + 1..]
        .iter()
        .zip(&texts[at + 1..])
        .filter(|(l, _)| !blank(l))
        .map(|(l, t)| (l, *t))
        .unzip();
    let headers = at
        .checked_sub(1)
        .and_then(|h| headers_over(lines[h], texts[h], &spans));
    let Some(headers) = headers else {
        let columns = spans
            .iter()
            .map(|&(start, end)| Column {
                header: String::new(),
                start,
                end,
                align: Align::Left,
            })
            .collect();
        let rows = data_raw
            .iter()
            .map(|raw| Line {
                raw: Cow::Borrowed(*raw),
                cells: Err("the header does not line up with its dashed underline".into()),
            })
            .collect();
        return Some(Table { columns, rows });
    };
    let columns: Vec<Column> = headers
        .into_iter()
        .zip(spans.iter().enumerate())
        .map(|(header, (i, &(start, end)))| {
            let next = spans.get(i + 1).map(|n| n.0);
            let align = align(&header).unwrap_or_else(|| inferred_align(&data, start, end, next));
            Column {
                header,
                start,
                end,
                align,
            }
        })
        .collect();
    let last = columns.last()?;
    // A continuation line prints nothing before the last column, and its text starts exactly
    // where that column does.
    let continues = |l: &[G]| {
        columns.len() > 1
            && last.align == Align::Left
            && l.iter().position(|c| *c != G::SPACE) == Some(last.start)
    };
    let primary: Vec<&[G]> = data.iter().copied().filter(|l| !continues(l)).collect();
    let bounds = boundaries(&columns, &primary);
    // The last column's printed width: its padding when lines keep it, else its longest text.
    let widest_last = data
        .iter()
        .map(|l| l.len().saturating_sub(last.start))
        .max()
        .unwrap_or(0);
    // Each row with the length of its last cell's last printed piece.
    let mut rows: Vec<(Line, usize)> = Vec::new();
    for (l, text) in data.into_iter().zip(data_raw) {
        let raw = Cow::Borrowed(text);
        if continues(l) {
            let more = slice(l, text, last.start, l.len());
            match rows.last_mut() {
                Some((row, piece)) => {
                    let joined = row.raw.to_mut();
                    joined.push('\n');
                    joined.push_str(&raw);
                    if let Ok(cells) = &mut row.cells
                        && let Err(why) = join_wrapped(cells, *piece, &more, widest_last)
                    {
                        row.cells = Err(why);
                    }
                    *piece = more.chars().count();
                }
                None => rows.push((
                    Line {
                        raw,
                        cells: Err("a continuation line with no row before it".into()),
                    },
                    0,
                )),
            }
            continue;
        }
        let cells = cells_of(l, text, &columns, &bounds);
        // A line that cannot be placed may be a continuation that lost its indent: the row
        // before it, if its last cell could have wrapped, may be missing the rest of that cell,
        // so it is not trusted either.
        if cells.is_err()
            && let Some((prev, _)) = rows.last_mut()
            && prev
                .cells
                .as_ref()
                .is_ok_and(|c| c.last().is_some_and(|last| !last.is_empty()))
        {
            prev.cells = Err("followed by a line that could not be placed".into());
        }
        let piece = cells
            .as_ref()
            .ok()
            .and_then(|c| c.last())
            .map_or(0, |c| c.chars().count());
        rows.push((Line { raw, cells }, piece));
    }
    // Without `-Wrap`, Format-Table cuts a cell that does not fit and ends it with `...`: such a
    // cell is not the value.
    let rows = rows
        .into_iter()
        .map(|(mut row, piece)| {
            if let Ok(cells) = &row.cells
                && cells
                    .last()
                    .is_some_and(|c| c.ends_with("...") || c.ends_with('…'))
                && piece + 1 >= widest_last
            {
                row.cells = Err("a cell cut short with `...`".into());
            }
            row
        })
        .collect();
    Some(Table { columns, rows })
}

/// Appends a wrapped piece to the last cell, with the space the wrap dropped. Format-Table wraps
/// at a space unless one word is wider than the column; a piece that fills the column may have
/// been cut inside a word, so that row is not guessed.
fn join_wrapped(
    cells: &mut [Cow<'_, str>],
    piece: usize,
    more: &str,
    widest: usize,
) -> Result<(), String> {
    let Some(cell) = cells.last_mut() else {
        return Err("a continuation line with no column to continue".into());
    };
    if cell.is_empty() {
        return Err("a continuation line under an empty cell".into());
    }
    if piece >= widest {
        return Err(
            "a wrapped cell that fills its column: cannot tell whether the wrap fell at a space"
                .into(),
        );
    }
    let cell = cell.to_mut();
    cell.push(' ');
    cell.push_str(more);
    Ok(())
}

/// Where each column's cells end and the next one's begin, per adjacent pair: fixed by the
/// dashes except between a text column and a number column after it, where the gap is the
/// rightmost position blank in most rows.
fn boundaries<G: Glyph>(columns: &[Column], rows: &[&[G]]) -> Vec<(usize, usize)> {
    columns
        .windows(2)
        .map(|pair| {
            let (a, b) = (&pair[0], &pair[1]);
            match (a.align, b.align) {
                (Align::Left, Align::Left) => (b.start - 1, b.start),
                (Align::Right, Align::Right) => (a.end, a.end + 1),
                (Align::Right, Align::Left) => (a.end, b.start),
                (Align::Left, Align::Right) => {
                    let blank_in = |g: usize| rows.iter().filter(|r| space_at(r, g)).count();
                    let most = (a.end..b.start).map(blank_in).max().unwrap_or(0);
                    let g = (a.end..b.start)
                        .rev()
                        .find(|&g| blank_in(g) == most)
                        .unwrap_or(a.end);
                    (g, g + 1)
                }
            }
        })
        .collect()
}

fn cells_of<'a, G: Glyph>(
    l: &'a [G],
    text: &'a str,
    columns: &[Column],
    bounds: &[(usize, usize)],
) -> Result<Vec<Cow<'a, str>>, String> {
    let mut cells = Vec::with_capacity(columns.len());
    for (i, c) in columns.iter().enumerate() {
        let from = if i == 0 { 0 } else { bounds[i - 1].1 };
        let to = bounds.get(i).map_or(l.len().max(from), |b| b.0);
        if let Some(&(gap_from, gap_to)) = bounds.get(i)
            && !(gap_from..gap_to).all(|g| space_at(l, g))
        {
            return Err(format!(
                "a cell runs across the boundary between `{}` and `{}`",
                c.header,
                columns[i + 1].header
            ));
        }
        let cell = slice(l, text, from, to);
        if !cell.is_empty() {
            let placed = match c.align {
                Align::Left => (from..c.start).all(|p| space_at(l, p)) && !space_at(l, c.start),
                Align::Right => {
                    !space_at(l, c.end - 1) && (c.end..to.max(c.end)).all(|p| space_at(l, p))
                }
            };
            if !placed {
                return Err(format!(
                    "the `{}` cell is not aligned with its column",
                    c.header
                ));
            }
        }
        cells.push(cell);
    }
    Ok(cells)
}

/// Parses a whitespace-separated table whose header line starts with one of `first_headers`.
/// Each row is split into as many fields as there are headers, the last taking the rest; a
/// date followed by a time counts as one cell. `None` when no such header is found.
pub fn whitespace<'a>(
    text: &'a str,
    first_headers: &[&str],
) -> Option<(Vec<String>, Vec<Line<'a>>)> {
    let mut lines = text.lines().skip_while(|l| {
        let first = l.split_whitespace().next().unwrap_or_default();
        !first_headers.iter().any(|h| h.eq_ignore_ascii_case(first))
    });
    let headers = split_headers(lines.next()?);
    let mut rows = Vec::new();
    let mut words = Vec::new();
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        let row = cells_by_words(line, headers.len(), &mut words);
        let cells = if row.len() == headers.len() && row.iter().all(|c| !c.is_empty()) {
            Ok(row)
        } else {
            Err(format!(
                "{} cells under {} headers",
                row.iter().filter(|c| !c.is_empty()).count(),
                headers.len()
            ))
        };
        rows.push(Line {
            raw: Cow::Borrowed(line.trim_end_matches('\r')),
            cells,
        });
    }
    Some((headers, rows))
}

/// The cells of one row under `headers` headers, each the next word (a date and a time after it
/// together), the last one the rest of the line; `""` for each header past the line's words.
///
/// The words' spans are found in one pass (`words` is reused from line to line), whitespace as
/// `char::is_whitespace` says. Splitting each cell's words off the rest of the line again read
/// every byte of a POSIX `ps` three or four times: reading the `ps` of a 2,000-host batch's 578
/// Linux and Mac hosts (`processes::posix`, callgrind) took 49.7 M instructions before, 26.0 M now.
fn cells_by_words<'a>(
    line: &'a str,
    headers: usize,
    words: &mut Vec<(usize, usize)>,
) -> Vec<Cow<'a, str>> {
    words.clear();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                words.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, line.len()));
    }
    let mut row = Vec::with_capacity(headers);
    let mut w = 0;
    for i in 0..headers {
        let Some(&(start, end)) = words.get(w) else {
            row.push(Cow::Borrowed(""));
            continue;
        };
        if i + 1 == headers {
            row.push(Cow::Borrowed(&line[start..words[words.len() - 1].1]));
            break;
        }
        let end = match words.get(w + 1) {
            Some(&(s, e)) if looks_like_date(&line[start..end]) && looks_like_time(&line[s..e]) => {
                w += 1;
                e
            }
            _ => end,
        };
        w += 1;
        row.push(Cow::Borrowed(&line[start..end]));
    }
    row
}

/// `2026-11-20` or `11/20/2026`.
fn looks_like_date(w: &str) -> bool {
    parts_all(w.split(['-', '/']), |b| b.is_ascii_digit()) == Some(3)
}

/// `09:00`, `09:00:00` or `9:00:00.123`.
fn looks_like_time(w: &str) -> bool {
    parts_all(w.split(':'), |b| b.is_ascii_digit() || b == b'.')
        .is_some_and(|n| (2..=3).contains(&n))
}

/// How many parts there are when every one is non-empty and made of bytes `ok` accepts; checked
/// for every cell of a POSIX table, so nothing is collected.
fn parts_all<'a>(parts: impl Iterator<Item = &'a str>, ok: impl Fn(u8) -> bool) -> Option<usize> {
    let mut n = 0;
    for p in parts {
        if p.is_empty() || !p.bytes().all(&ok) {
            return None;
        }
        n += 1;
    }
    Some(n)
}

/// Header words, keeping known two-word headers (`Local Address`, `PID/Program name`) together.
fn split_headers(header: &str) -> Vec<String> {
    const PAIRS: &[(&str, &str)] = &[
        ("Local", "Address"),
        ("Foreign", "Address"),
        ("Remote", "Address"),
        ("PID/Program", "name"),
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

/// `Last Modified (UTC+0)` -> `last_modified_utc_0`: a header as a key, lower snake case, units
/// kept so `Size (MB)` and `Size (bytes)` stay apart.
pub fn key_of(header: &str) -> String {
    let mut out = String::new();
    for c in header.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(t: &Table) -> Vec<Vec<String>> {
        let text = |cells: &Vec<Cow<str>>| cells.iter().map(|c| c.to_string()).collect();
        t.rows
            .iter()
            .map(|r| text(r.cells.as_ref().unwrap()))
            .collect()
    }

    #[test]
    fn numbers_wider_than_their_dashes_stay_in_their_column() {
        // Written to the Format-Table rules: `Id` right-aligned, wider than its dashes.
        let t = "Name            Id Path\n----            -- ----\nsvchost       1188 C:\\x y.exe\nSystem           4\n";
        let right = |h: &str| (h == "Id").then_some(Align::Right);
        let table = format_table(t, right).unwrap();
        assert_eq!(
            cells(&table),
            vec![
                vec!["svchost".to_string(), "1188".into(), "C:\\x y.exe".into()],
                vec!["System".to_string(), "4".into(), String::new()],
            ]
        );
    }

    /// The captures (real Windows ones among them) read the same as bytes as they do as `char`s.
    #[test]
    fn ascii_tables_read_as_bytes_as_they_read_as_chars() {
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/data/rtr"
        ))];
        let mut compared = 0;
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let Some(bytes) = format_table(&text, |_| None) else {
                    continue;
                };
                if !text.is_ascii() {
                    continue;
                }
                let texts: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
                let chars: Vec<Vec<char>> = texts.iter().map(|l| l.chars().collect()).collect();
                let lines: Vec<&[char]> = chars.iter().map(Vec::as_slice).collect();
                let as_chars = table_of(&texts, &lines, |_| None).unwrap();
                assert_eq!(
                    format!("{bytes:?}"),
                    format!("{as_chars:?}"),
                    "{}",
                    path.display()
                );
                compared += 1;
            }
        }
        assert!(compared >= 5, "only {compared} tables compared");
    }

    #[test]
    fn a_table_with_other_than_ascii_is_read_by_characters() {
        let t = "Name    Path\n----    ----\nrésumé  C:\\é.exe\nb       C:\\x.exe\n";
        let table = format_table(t, |_| None).unwrap();
        assert_eq!(
            cells(&table),
            vec![
                vec!["résumé".to_string(), "C:\\é.exe".into()],
                vec!["b".to_string(), "C:\\x.exe".into()],
            ]
        );
    }

    #[test]
    fn a_header_off_its_underline_fails_every_row() {
        let t = "   Id Name\n----   --\nx      1\n";
        let table = format_table(t, |_| None).unwrap();
        assert!(table.rows.iter().all(|r| r.cells.is_err()));
    }

    #[test]
    fn wrapped_last_cells_are_joined_unless_the_wrap_may_have_cut_a_word() {
        let t = "Name Path\n---- ----\na    C:\\Program\n     Files\\x.exe\nb    C:\\abcdefghijkl\n     mn.exe\n";
        let table = format_table(t, |_| None).unwrap();
        assert_eq!(
            table.rows[0].cells.as_ref().unwrap()[1],
            "C:\\Program Files\\x.exe"
        );
        assert!(table.rows[1].cells.is_err(), "{:?}", table.rows[1]);
    }

    #[test]
    fn a_cell_cut_short_is_not_taken_for_the_value() {
        let t = "Name Path\n---- ----\na    C:\\Program Fi...\nb    C:\\x.exe\n";
        let table = format_table(t, |_| None).unwrap();
        assert!(table.rows[0].cells.is_err());
        assert_eq!(table.rows[1].cells.as_ref().unwrap()[1], "C:\\x.exe");
    }

    /// Rows split into cells by their words' spans exactly as by splitting each cell off the rest
    /// of the line (the reading it replaced, kept here as the reference): every line of up to five
    /// characters over letters, digits, date and time marks and whitespace (a vertical tab and a
    /// no-break space among it), under one to four headers, and rows of dates and times.
    #[test]
    fn rows_split_by_word_spans_as_by_splitting_off_each_cell() {
        fn reference(line: &str, headers: usize) -> Vec<Cow<'_, str>> {
            let mut rest = line.trim_start();
            let mut row = Vec::with_capacity(headers);
            for i in 0..headers {
                if i + 1 == headers {
                    row.push(Cow::Borrowed(rest.trim()));
                    break;
                }
                let mut ahead = rest.split_whitespace();
                let words = match (ahead.next(), ahead.next()) {
                    (Some(d), Some(t)) if looks_like_date(d) && looks_like_time(t) => 2,
                    _ => 1,
                };
                let (cell, after) = take_words(rest, words);
                row.push(Cow::Borrowed(cell));
                rest = after;
            }
            row
        }
        /// The first `n` whitespace-separated words of `s` and the remainder.
        fn take_words(s: &str, n: usize) -> (&str, &str) {
            let s = s.trim_start();
            let mut taken = 0;
            let mut in_word = false;
            for (i, c) in s.char_indices() {
                if c.is_whitespace() {
                    if in_word {
                        taken += 1;
                        in_word = false;
                        if taken == n {
                            return (&s[..i], &s[i..]);
                        }
                    }
                } else {
                    in_word = true;
                }
            }
            (s, "")
        }
        let alphabet = ['a', 'é', '1', '-', '/', ':', ' ', '\t', '\u{b}', '\u{a0}'];
        let mut lines = super::super::texts_over(&alphabet, 5);
        lines.extend(
            [
                "root 1 2026-11-20 09:00:00 /sbin/init splash",
                "  root   1 11/20/2026 9:00 x  y  ",
                "a 2026-11-20 09:00:00 2026-11-20 09:00",
                "a 2026-11-20",
                "rööt\u{2003}1 2026-11-20\u{a0}09:00 /usr/bin/naïve",
            ]
            .map(String::from),
        );
        let mut words = Vec::new();
        for line in &lines {
            for headers in 1..=4 {
                assert_eq!(
                    cells_by_words(line, headers, &mut words),
                    reference(line, headers),
                    "{line:?} under {headers}"
                );
            }
        }
    }

    #[test]
    fn whitespace_rows_keep_the_rest_in_the_last_column() {
        let t = "USER PID STARTED COMMAND\nroot 1 2026-11-20 09:00:00 /sbin/init splash\n";
        let (headers, rows) = whitespace(t, &["USER"]).unwrap();
        assert_eq!(headers.len(), 4);
        let cells = rows[0].cells.clone().unwrap();
        assert_eq!(cells[2], "2026-11-20 09:00:00");
        assert_eq!(cells[3], "/sbin/init splash");
        assert_eq!(key_of("Last Modified (UTC+0)"), "last_modified_utc_0");
        assert_eq!(key_of("PID/Program name"), "pid_program_name");
    }
}
