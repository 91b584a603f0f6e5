//! Text for playbooks to print: `table(rows)` / `table(rows, columns)` render rows as the REPL shows
//! them, and padding that counts characters (not bytes), so columns line up in hand-written reports.
//! Declared in `helper_catalogue::GLOBALS` (help, completion, definition files).

use super::convert;
use super::display;
use crate::helper_catalogue::global;
use rhai::{Array, Dynamic, Engine, EvalAltResult, NativeCallContext, Position};

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

pub fn register(engine: &mut Engine) {
    global("table").register_into_engine(engine, |native: NativeCallContext, rows: Dynamic| {
        table(&native, &rows, &[])
    });
    global("table").register_into_engine(
        engine,
        |native: NativeCallContext, rows: Dynamic, columns: Array| {
            let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
            table(&native, &rows, &columns)
        },
    );
    global("pad_left")
        .register_into_engine(engine, |s: &str, width: i64| pad(s, width, ' ', Side::Left));
    global("pad_left").register_into_engine(engine, |s: &str, width: i64, fill: char| {
        pad(s, width, fill, Side::Left)
    });
    global("pad_right").register_into_engine(engine, |s: &str, width: i64| {
        pad(s, width, ' ', Side::Right)
    });
    global("pad_right").register_into_engine(engine, |s: &str, width: i64, fill: char| {
        pad(s, width, fill, Side::Right)
    });
    global("center")
        .register_into_engine(engine, |s: &str, width: i64| pad(s, width, ' ', Side::Both));
    global("truncate_text").register_into_engine(engine, |s: &str, width: i64| cut(s, width));
}

/// `rows` (an array of maps, or a map of maps keyed by its keys) as the REPL's table, as wide as
/// the terminal (100 columns when there is none).
fn table(native: &NativeCallContext, rows: &Dynamic, columns: &[String]) -> Result<String> {
    let json = convert::to_json(rows).map_err(|e| error(native.call_position(), e))?;
    let items: Vec<serde_json::Value> = match super::rows::rows(&json) {
        Some(r) => r
            .rows
            .into_iter()
            .map(|cells| serde_json::Value::Object(r.columns.iter().cloned().zip(cells).collect()))
            .collect(),
        None => {
            return Err(error(
                native.call_position(),
                format!(
                    "`table` takes an array of maps or a map of maps, got {}",
                    rows.type_name()
                ),
            ));
        }
    };
    if items.is_empty() {
        return Ok("no rows\n".into());
    }
    Ok(display::rows_table(
        &items,
        columns,
        Some(display::terminal_width()),
    ))
}

fn error(pos: Position, message: String) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(message.into(), pos))
}

#[derive(Clone, Copy)]
enum Side {
    Left,
    Right,
    Both,
}

/// `s` padded with `fill` to `width` characters; a longer `s` is returned as it is.
fn pad(s: &str, width: i64, fill: char, side: Side) -> String {
    let len = s.chars().count();
    let want = usize::try_from(width).unwrap_or(0);
    if len >= want {
        return s.to_string();
    }
    let missing = want - len;
    let (left, right) = match side {
        Side::Left => (missing, 0),
        Side::Right => (0, missing),
        Side::Both => (missing / 2, missing - missing / 2),
    };
    let fill = |n| std::iter::repeat_n(fill, n).collect::<String>();
    format!("{}{s}{}", fill(left), fill(right))
}

/// At most `width` characters of `s`, the last one `…` when cut.
fn cut(s: &str, width: i64) -> String {
    let want = usize::try_from(width).unwrap_or(0);
    if s.chars().count() <= want {
        return s.to_string();
    }
    if want == 0 {
        return String::new();
    }
    let kept: String = s.chars().take(want - 1).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_counts_characters() {
        assert_eq!(pad("é1", 4, ' ', Side::Left), "  é1");
        assert_eq!(pad("ab", 5, '.', Side::Right), "ab...");
        assert_eq!(pad("ab", 5, '-', Side::Both), "-ab--");
        assert_eq!(pad("long", 2, ' ', Side::Left), "long");
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
    }
}
