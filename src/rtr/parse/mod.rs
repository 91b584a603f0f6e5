//! Parsers from RTR command output (the real text format) to structured values, so playbooks
//! branch on fields (`r.processes`, `r.entries`, ...) rather than on regexes.
//!
//! Every parser takes any text: garbage gives an empty result, never a panic.

mod accounts;
mod connections;
mod env;
mod hashes;
mod interfaces;
mod listing;
mod processes;
mod registry;
pub mod table;

use serde_json::{Map, Value};

/// Parses the stdout of `base_command` into the field playbooks read it from:
/// `ps` -> `processes`, `ls` -> `entries`, `netstat` -> `connections`, `filehash` -> `hashes`,
/// `users` -> `users`, `reg query` -> `registry`, `ipconfig`/`ifconfig` -> `interfaces`,
/// `env` -> `env`. `platform` (`Windows`, `Linux`, `Mac`) breaks ties between formats.
/// Commands without structured output give `None`.
pub fn parse(
    base_command: &str,
    platform: Option<&str>,
    stdout: &str,
) -> Option<(&'static str, Value)> {
    let base = base_command.trim().to_ascii_lowercase();
    let windows = platform.is_some_and(|p| p.eq_ignore_ascii_case("windows"));
    Some(match base.as_str() {
        "ps" => ("processes", processes::parse(stdout)),
        "ls" | "dir" => ("entries", listing::parse(stdout, windows)),
        "netstat" => ("connections", connections::parse(stdout)),
        "filehash" => ("hashes", hashes::parse(stdout)),
        "users" => ("users", accounts::parse(stdout)),
        "reg query" | "reg" => ("registry", registry::parse(stdout)),
        "ipconfig" | "ifconfig" => ("interfaces", interfaces::parse(stdout)),
        "env" => ("env", env::parse(stdout)),
        _ => return None,
    })
}

/// A cell as JSON: integers for integer-looking text, null for `--` or empty, else a string.
fn scalar(cell: &str) -> Value {
    let c = cell.trim();
    if c.is_empty() || c == "--" || c == "-" {
        return Value::Null;
    }
    match c.parse::<u64>() {
        Ok(n) => Value::from(n),
        Err(_) => Value::from(c),
    }
}

/// Builds an object from table cells: headers found in `aliases` get the canonical field name,
/// others their snake-cased header. Fields in `numeric` become integers when they parse.
fn record(row: &table::Row, aliases: &[(&str, &[&str])], numeric: &[&str]) -> Map<String, Value> {
    let mut m = Map::new();
    for (header, cell) in row {
        let snake = table::snake(header);
        // An exact header (units included) wins over one equal once units are dropped, so
        // `Size (MB)` and `Size (bytes)` stay apart.
        let key = aliases
            .iter()
            .find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(header.trim())))
            .or_else(|| {
                aliases
                    .iter()
                    .find(|(_, names)| names.iter().any(|n| table::snake(n) == snake))
            })
            .map_or(snake, |(field, _)| field.to_string());
        if key.is_empty() || m.contains_key(&key) {
            continue;
        }
        let value = if numeric.contains(&key.as_str()) {
            scalar(cell)
        } else if cell.trim().is_empty() {
            Value::Null
        } else {
            Value::from(cell.trim())
        };
        m.insert(key, value);
    }
    m
}

#[cfg(test)]
mod tests;
