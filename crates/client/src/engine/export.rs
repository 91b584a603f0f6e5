//! A playbook's final value written for hand-off (`falconry run --format table|csv|json|jsonl`):
//! rows as `rows` sees them, CSV quoted as RFC 4180 says (by the `csv` crate), JSON Lines one row
//! a line.
//!
//! CSV cells come from hosts and the tenant. A spreadsheet runs a cell that starts with `=`, `+`,
//! `-` or `@` (and a tab or a CR before them) as a formula, so a process name of
//! `=cmd|' /C calc'!A0` would run on the analyst's machine when the file is opened. As OWASP
//! advises, such a text cell is written with a leading `'`, which spreadsheets show and never run;
//! numbers (JSON numbers, never text) are left alone. `--csv-raw` writes every cell exactly.

use super::display;
use super::rows::{self, Rows};
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Jsonl,
}

impl Format {
    pub const NAMES: &[&str] = &["table", "csv", "json", "jsonl"];

    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "table" => Some(Format::Table),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// What was written, and how many CSV cells were given a leading `'`.
pub struct Exported {
    pub text: String,
    pub neutralised: usize,
}

/// `value` in `format`. `width`: the table's width (`None`: no limit, for a file). `raw_csv`: no
/// formula neutralising.
pub fn export(
    value: &Value,
    format: Format,
    width: Option<u16>,
    raw_csv: bool,
) -> Result<Exported, String> {
    let plain = |text| Exported {
        text,
        neutralised: 0,
    };
    match format {
        Format::Json => serde_json::to_string_pretty(value)
            .map(|t| plain(t + "\n"))
            .map_err(|e| format!("cannot write the value as JSON: {e}")),
        Format::Jsonl => Ok(plain(jsonl(value))),
        Format::Table => Ok(plain(display::readable_with_width(value, width))),
        Format::Csv => match rows::rows(value) {
            Some(r) => csv(&r, raw_csv),
            None => Err(format!(
                "`--format csv` needs rows: an array of maps or a map of maps; the playbook's value is {}",
                kind(value)
            )),
        },
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "()",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array holding something other than maps",
        Value::Object(_) => "a map whose values are not all maps",
    }
}

/// One compact JSON value a line: each row (a map of maps' rows carry their key), each item of
/// any other array, or the value itself.
fn jsonl(value: &Value) -> String {
    let lines: Vec<Value> = match (rows::rows(value), value) {
        (Some(r), Value::Object(_)) => r
            .rows
            .into_iter()
            .map(|cells| Value::Object(r.columns.iter().cloned().zip(cells).collect()))
            .collect(),
        (_, Value::Array(items)) => items.clone(),
        (_, other) => vec![other.clone()],
    };
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn csv(r: &Rows, raw: bool) -> Result<Exported, String> {
    let mut neutralised = 0;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let fail = |e: csv::Error| format!("cannot write CSV: {e}");
    w.write_record(&r.columns).map_err(fail)?;
    for row in &r.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|v| {
                let text = rows::text(v);
                if !raw && v.is_string() && formula(&text) {
                    neutralised += 1;
                    format!("'{text}")
                } else {
                    text
                }
            })
            .collect();
        w.write_record(&cells).map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| format!("cannot write CSV: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| format!("cannot write CSV: {e}"))?;
    Ok(Exported { text, neutralised })
}

/// Whether a spreadsheet would read `cell` as a formula.
fn formula(cell: &str) -> bool {
    cell.trim_start_matches(['\t', '\r'])
        .starts_with(['=', '+', '-', '@'])
        || cell.starts_with(['\t', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_quotes_commas_quotes_and_newlines_and_reads_back_the_same() {
        let v = json!([{ "name": "a, \"b\"\nc", "n": 3 }, { "name": "plain", "n": null }]);
        let out = export(&v, Format::Csv, None, false).unwrap();
        assert_eq!(out.text, "name,n\r\n\"a, \"\"b\"\"\nc\",3\r\nplain,\r\n");
        let mut r = csv::Reader::from_reader(out.text.as_bytes());
        let got: Vec<Vec<String>> = r
            .records()
            .map(|rec| rec.unwrap().iter().map(String::from).collect())
            .collect();
        assert_eq!(got, [vec!["a, \"b\"\nc", "3"], vec!["plain", ""]]);
    }

    #[test]
    fn formula_cells_get_a_quote_unless_raw() {
        let v = json!([{ "p": "=cmd|' /C calc'!A0", "n": -1, "q": "-x" }]);
        let out = export(&v, Format::Csv, None, false).unwrap();
        assert_eq!(out.neutralised, 2);
        assert!(out.text.contains("'=cmd") && out.text.contains(",-1,'-x"));
        let raw = export(&v, Format::Csv, None, true).unwrap();
        assert_eq!(raw.neutralised, 0);
        assert!(raw.text.contains("=cmd"));
    }

    #[test]
    fn jsonl_writes_a_row_a_line_and_csv_refuses_a_string() {
        let v = json!({ "d1": { "x": 1 }, "d2": { "x": 2 } });
        assert_eq!(
            export(&v, Format::Jsonl, None, false).unwrap().text,
            "{\"key\":\"d1\",\"x\":1}\n{\"key\":\"d2\",\"x\":2}\n"
        );
        let e = export(&json!("s"), Format::Csv, None, false).err().unwrap();
        assert!(e.contains("a string"), "{e}");
    }
}
