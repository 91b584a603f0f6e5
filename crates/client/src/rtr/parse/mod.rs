//! Parsers from RTR command output (the real text format) to structured values, so playbooks
//! branch on fields (`r.processes`, `r.entries`, ...) rather than on regexes.
//!
//! Every parser takes any text and never panics. Each parsed command has one fixed schema: every
//! key on every row (`()` where the host did not print it), plus `raw` (the printed line). A row
//! that cannot be read with confidence keeps only `raw` and gets `parse_error` (the reason), and
//! the result's `warnings` say how many rows were not understood. `schema.rs` lists the keys.

mod accounts;
mod cells;
mod connections;
mod env;
mod hashes;
mod interfaces;
mod listing;
mod processes;
mod registry;
mod row;
pub mod schema;
pub mod table;

use crate::ops::commands::{self, Cmd};
use crate::platform::Platform;
use rhai::Dynamic;
use serde_json::Value;

pub(crate) use row::{Output, Row};
use table::{Align, Table};

/// The structured reading of one command's output.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The result key playbooks read it from (`processes`, `entries`, ...).
    pub field: &'static str,
    pub value: Value,
    /// One sentence per problem: rows not understood, a table that could not be found.
    pub warnings: Vec<String>,
}

/// One command's parser, as every reader of the parsers sees it: the key playbooks read the result
/// from, and the platforms whose layout a real public capture backs (`tests/data/rtr/real/`, with
/// its source in `SOURCES.md`). The fuzz target, the bad-input test, `help("parse")` and the README's
/// list of what is backed by real output all read this table.
#[derive(Debug)]
pub struct Parser {
    pub command: Cmd,
    pub field: &'static str,
    pub real_capture: &'static [Platform],
}

/// Every command with a parser, in the catalogue's order.
pub const PARSERS: &[Parser] = &[
    Parser {
        command: Cmd::Ls,
        field: "entries",
        real_capture: &[Platform::Windows, Platform::Linux],
    },
    Parser {
        command: Cmd::Env,
        field: "env",
        real_capture: &[],
    },
    Parser {
        command: Cmd::Filehash,
        field: "hashes",
        real_capture: &[],
    },
    Parser {
        command: Cmd::Ipconfig,
        field: "interfaces",
        real_capture: &[],
    },
    Parser {
        command: Cmd::Netstat,
        field: "connections",
        real_capture: &[Platform::Windows],
    },
    Parser {
        command: Cmd::Ps,
        field: "processes",
        real_capture: &[Platform::Windows],
    },
    Parser {
        command: Cmd::RegQuery,
        field: "registry",
        real_capture: &[],
    },
    Parser {
        command: Cmd::Users,
        field: "users",
        real_capture: &[],
    },
    Parser {
        command: Cmd::Ifconfig,
        field: "interfaces",
        real_capture: &[],
    },
];

/// The parser of `command`, if it has one.
pub fn parser(command: Cmd) -> Option<&'static Parser> {
    PARSERS.iter().find(|p| p.command == command)
}

/// The catalogue name of every parsed command (`reg query` whole), for tests and fuzzing.
pub fn parsed_command_names() -> impl Iterator<Item = &'static str> {
    PARSERS.iter().map(|p| p.command.command().name)
}

/// Parses the stdout of `base_command` into the field playbooks read it from:
/// `ps` -> `processes`, `ls` -> `entries`, `netstat` -> `connections`, `filehash` -> `hashes`,
/// `users` -> `users`, `reg query` -> `registry`, `ipconfig`/`ifconfig` -> `interfaces`,
/// `env` -> `env`. `platform` (`Windows`, `Linux`, `Mac`) picks the format; without it the
/// Windows table is tried first. Commands without structured output give `None`.
pub fn parse(base_command: &str, platform: Option<&str>, stdout: &str) -> Option<Parsed> {
    // `reg query` arrives whole (the caller passes the catalogue name), so the name is its own line.
    let command = commands::lookup(base_command, base_command.trim())?;
    parse_command(command.key, platform, stdout)
}

/// Parses the stdout of one catalogue command; exhaustive, so a new command must say whether it has
/// a parser (and a parser must be in [`PARSERS`]: `every_parser_is_registered` checks it).
pub fn parse_command(command: Cmd, platform: Option<&str>, stdout: &str) -> Option<Parsed> {
    let r = read_command(command, platform, stdout)?;
    Some(Parsed {
        field: r.field,
        value: r.value.into_json(),
        warnings: r.warnings,
    })
}

/// [`parse_command`] for a playbook: the field's value straight as Rhai values, the same a
/// playbook gets from the JSON reading, without building the JSON.
pub fn parse_command_rhai(
    command: Cmd,
    platform: Option<&str>,
    stdout: &str,
) -> Option<(&'static str, Dynamic, Vec<String>)> {
    let r = read_command(command, platform, stdout)?;
    Some((r.field, r.value.into_dynamic(), r.warnings))
}

/// A parser's reading before it is given out as JSON or as Rhai values.
struct Reading {
    field: &'static str,
    value: Output,
    warnings: Vec<String>,
}

fn read_command(command: Cmd, platform: Option<&str>, stdout: &str) -> Option<Reading> {
    let windows = match platform {
        Some(p) if !p.is_empty() => Some(Platform::parse(p) == Some(Platform::Windows)),
        _ => None,
    };
    let mut warnings = Vec::new();
    let value = match command {
        Cmd::Ps => processes::parse(stdout, windows, &mut warnings),
        Cmd::Ls => listing::parse(stdout, windows, &mut warnings),
        Cmd::Netstat => connections::parse(stdout, windows, &mut warnings),
        Cmd::Filehash => Output::Value(hashes::parse(stdout, &mut warnings)),
        Cmd::Users => Output::Value(accounts::parse(stdout, &mut warnings)),
        Cmd::RegQuery => Output::Value(registry::parse(stdout, &mut warnings)),
        Cmd::Ipconfig | Cmd::Ifconfig => Output::Value(interfaces::parse(stdout, &mut warnings)),
        Cmd::Env => Output::Value(env::parse(stdout, &mut warnings)),
        // Output read as text (`stdout`) only.
        Cmd::Cat
        | Cmd::Cd
        | Cmd::Clear
        | Cmd::Eventlog
        | Cmd::Getsid
        | Cmd::Help
        | Cmd::History
        | Cmd::Mount
        | Cmd::Pwd
        | Cmd::Cp
        | Cmd::Encrypt
        | Cmd::Get
        | Cmd::Kill
        | Cmd::Map
        | Cmd::Memdump
        | Cmd::Mkdir
        | Cmd::Mv
        | Cmd::RegDelete
        | Cmd::RegLoad
        | Cmd::RegSet
        | Cmd::RegUnload
        | Cmd::Restart
        | Cmd::Rm
        | Cmd::Runscript
        | Cmd::Shutdown
        | Cmd::Tar
        | Cmd::Unmap
        | Cmd::UpdateHistory
        | Cmd::UpdateInstall
        | Cmd::UpdateList
        | Cmd::UpdateQuery
        | Cmd::Xmemdump
        | Cmd::Zip
        | Cmd::Falconscript
        | Cmd::Put
        | Cmd::PutAndRun
        | Cmd::Run => return None,
    };
    let field = parser(command)?.field;
    Some(Reading {
        field,
        value,
        warnings,
    })
}

/// A column a schema knows: its header (or the start of it, for headers that carry the UTC
/// offset), how it aligns, and how its cell fills the row.
pub(crate) struct Known {
    pub header: &'static str,
    pub prefix: bool,
    pub align: Align,
    pub fill: fn(&str, &mut Row) -> Result<(), String>,
}

/// `Name`, the first column of `ps` and `ls` alike.
pub(crate) const NAME: Known = Known {
    header: "Name",
    prefix: false,
    align: Align::Left,
    fill: |c, m| put(m, "name", cells::required_text(c)),
};

impl Known {
    fn matches(&self, header: &str) -> bool {
        if self.prefix {
            header.starts_with(self.header)
        } else {
            header == self.header
        }
    }
}

/// A row that could not be read: every field absent, the line kept, and the reason under
/// `parse_error`, the one key only such a row has.
pub(crate) fn failed_row(keys: &[&'static str], raw: &str, why: &str) -> Row {
    let mut m = Row::empty(keys, raw);
    m.insert("parse_error".into(), Value::from(why));
    m
}

/// The rows of a Format-Table block under a schema: known columns fill their keys through their
/// readers, unknown columns are kept under their normalised header (never under a schema key),
/// and a row with any cell of the wrong type, or missing a `required` column, fails whole.
pub(crate) fn rows_of(
    table: &Table,
    keys: &[&'static str],
    known: &[Known],
    required: &[&str],
) -> Vec<Row> {
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|r| !table.columns.iter().any(|c| c.header == *r))
        .collect();
    // Which reader fills each column: decided once per table, not once per cell.
    let readers: Vec<Option<&Known>> = table
        .columns
        .iter()
        .map(|c| known.iter().find(|k| k.matches(&c.header)))
        .collect();
    table
        .rows
        .iter()
        .map(|line| {
            let cells = match (&line.cells, missing.first()) {
                (Err(why), _) => return failed_row(keys, &line.raw, why),
                (Ok(_), Some(col)) => {
                    return failed_row(
                        keys,
                        &line.raw,
                        &format!("the table has no `{col}` column"),
                    );
                }
                (Ok(cells), None) => cells,
            };
            let mut m = Row::empty(keys, &line.raw);
            for ((column, reader), cell) in table.columns.iter().zip(&readers).zip(cells) {
                match reader {
                    Some(k) => {
                        if let Err(why) = (k.fill)(cell, &mut m) {
                            return failed_row(
                                keys,
                                &line.raw,
                                &format!("`{}` column: {why}", column.header),
                            );
                        }
                    }
                    None => {
                        let mut key = table::key_of(&column.header);
                        if key.is_empty() || keys.contains(&key.as_str()) || m.contains_key(&key) {
                            key = format!("extra_{key}");
                        }
                        m.insert(key.into(), cells::text(cell).unwrap_or(Value::Null));
                    }
                }
            }
            m
        })
        .collect()
}

/// The alignment a schema gives a header, for the table reader.
pub(crate) fn align_of(known: &[Known]) -> impl Fn(&str) -> Option<Align> + '_ {
    move |h| known.iter().find(|k| k.matches(h)).map(|k| k.align)
}

/// Reads a table-shaped output: the Windows Format-Table under `known` unless the platform is
/// known not to be Windows, else the POSIX layout `posix` reads; warns about what it could not read.
pub(crate) fn read_table(
    command: &str,
    stdout: &str,
    windows: Option<bool>,
    schema: (&[&'static str], &[Known], &[&str]),
    posix: impl Fn(&str) -> Option<Vec<Row>>,
    warnings: &mut Vec<String>,
) -> Output {
    let (keys, known, required) = schema;
    let rows = if windows != Some(false)
        && let Some(t) = table::format_table(stdout, align_of(known))
    {
        rows_of(&t, keys, known, required)
    } else if windows != Some(true)
        && let Some(rows) = posix(stdout)
    {
        rows
    } else {
        warn_unread(command, stdout, warnings);
        Vec::new()
    };
    warn_failed(command, &rows, warnings);
    Output::Rows(rows)
}

/// Adds the warning for rows not understood, naming the command.
pub(crate) fn warn_failed(command: &str, rows: &[Row], warnings: &mut Vec<String>) {
    let failed = rows.iter().filter(|r| !r["parse_error"].is_null()).count();
    if failed > 0 {
        warnings.push(format!(
            "{failed} of {} rows of `{command}` output were not understood; they keep only `raw` and `parse_error`",
            rows.len()
        ));
    }
}

/// Adds the warning for lines a parser without a real capture of its layout could not place.
pub(crate) fn warn_unread_lines(command: &str, unread: usize, warnings: &mut Vec<String>) {
    if unread > 0 {
        warnings.push(format!(
            "{unread} line(s) of `{command}` output were not understood and were left out (no real capture of this output is known, so nothing is guessed)"
        ));
    }
}

/// Adds the warning for output that has text but no table the parser knows.
pub(crate) fn warn_unread(command: &str, stdout: &str, warnings: &mut Vec<String>) {
    if !stdout.trim().is_empty() {
        warnings.push(format!(
            "the `{command}` output has no table header this parser knows; nothing was read from it"
        ));
    }
}

/// Sets `key` from a cell reader.
pub(crate) fn put(m: &mut Row, key: &'static str, v: cells::Cell) -> Result<(), String> {
    set(m, key, v?);
    Ok(())
}

/// Sets `key` in place when the row has it already (every schema key has).
pub(crate) fn set(m: &mut Row, key: &'static str, v: Value) {
    m.insert(key.into(), v);
}

/// Every text of up to `len` characters over `alphabet`: the inputs of the tests that check a fast
/// reading against the reading it replaced.
#[cfg(test)]
fn texts_over(alphabet: &[char], len: usize) -> Vec<String> {
    let mut texts = vec![String::new()];
    let mut last = vec![String::new()];
    for _ in 0..len {
        last = last
            .iter()
            .flat_map(|t| alphabet.iter().map(move |a| format!("{t}{a}")))
            .collect();
        texts.extend(last.iter().cloned());
    }
    texts
}

#[cfg(test)]
mod registry_tests {
    use super::*;

    /// A command parses (even empty output) exactly when it is in the registry, under its field.
    #[test]
    fn every_parser_is_registered() {
        for spec in commands::COMMANDS {
            let parsed = parse_command(spec.key, Some("Windows"), "");
            assert_eq!(
                parsed.as_ref().map(|p| p.field),
                parser(spec.key).map(|p| p.field),
                "{}",
                spec.name
            );
        }
    }
}

#[cfg(test)]
mod reading_tests {
    use super::*;
    use crate::engine::convert::to_json;

    const REAL: &[(&str, &str)] = &[
        (
            "ps",
            include_str!("../../../../../tests/data/rtr/real/windows_ps_phantom.txt"),
        ),
        (
            "ls",
            include_str!("../../../../../tests/data/rtr/real/windows_ls_demisto.txt"),
        ),
        (
            "ls",
            include_str!("../../../../../tests/data/rtr/real/linux_ls_kibana.txt"),
        ),
        (
            "netstat",
            include_str!("../../../../../tests/data/rtr/real/windows_netstat_phantom.txt"),
        ),
        (
            "ps",
            "USER PID PPID STIME CMD\nroot 1 0 09:00 /sbin/init splash\nroot x 0 09:00 bad\n",
        ),
        (
            "ls",
            "drwxr-xr-x 2 root root 4096 Nov 20 09:00 etc\nlrwxrwxrwx 1 root root 7 Nov 20 09:00 bin -> usr/bin\n",
        ),
        (
            "netstat",
            "Proto Recv-Q Send-Q Local Address Foreign Address State PID/Program name\ntcp 0 0 0.0.0.0:22 0.0.0.0:* LISTEN 812/sshd\nudp 0 0 0.0.0.0:68 0.0.0.0:* -\n",
        ),
        ("users", "x"),
    ];

    /// A batch's playbook gets the same value as the JSON reading would give it.
    #[test]
    fn rhai_reading_equals_the_json_reading() {
        for (name, stdout) in REAL {
            let command = commands::lookup(name, name).unwrap().key;
            for platform in [None, Some("Windows"), Some("Linux")] {
                let json = parse_command(command, platform, stdout).unwrap();
                let (field, value, warnings) =
                    parse_command_rhai(command, platform, stdout).unwrap();
                assert_eq!(field, json.field);
                assert_eq!(warnings, json.warnings);
                assert_eq!(to_json(&value).unwrap(), json.value, "{name} {platform:?}");
            }
        }
    }
}
