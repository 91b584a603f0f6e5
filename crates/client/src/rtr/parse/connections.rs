//! `netstat` output -> `connections` (keys in `schema::CONNECTION_KEYS`).
//!
//! Windows prints a Format-Table of `Proto, Local Address, Foreign Address, State, Owning Process
//! Id, Owning Process Name, Process Start Time (UTC±N)` with mixed-case, right-aligned states (real
//! capture under `tests/data/rtr/real/`); Linux and Mac print `netstat -tunap` columns
//! (reconstructed layout).

use super::cells;
use super::schema::CONNECTION_KEYS;
use super::table::Align;
use super::{Known, Output, Row, failed_row, put, read_table};

fn address(c: &str, m: &mut Row, addr: &'static str, port: &'static str) -> Result<(), String> {
    let (a, p) = cells::endpoint(c)?;
    m.insert(addr.into(), a);
    m.insert(port.into(), p);
    Ok(())
}

fn state(c: &str, m: &mut Row) -> Result<(), String> {
    put(m, "state", cells::state(c))?;
    put(m, "state_printed", cells::text(c))
}

const WINDOWS: &[Known] = &[
    Known {
        header: "Proto",
        prefix: false,
        align: Align::Left,
        fill: |c, m| put(m, "proto", cells::proto(c)),
    },
    Known {
        header: "Local Address",
        prefix: false,
        align: Align::Left,
        fill: |c, m| address(c, m, "local_address", "local_port"),
    },
    Known {
        header: "Foreign Address",
        prefix: false,
        align: Align::Left,
        fill: |c, m| address(c, m, "remote_address", "remote_port"),
    },
    Known {
        header: "State",
        prefix: false,
        align: Align::Right,
        fill: state,
    },
    Known {
        header: "Owning Process Id",
        prefix: false,
        align: Align::Right,
        fill: |c, m| put(m, "pid", cells::required_integer(c)),
    },
    Known {
        header: "Owning Process Name",
        prefix: false,
        align: Align::Left,
        fill: |c, m| put(m, "process_path", cells::text(c)),
    },
    Known {
        header: "Process Start Time",
        prefix: true,
        align: Align::Left,
        fill: |c, m| put(m, "process_start_time", cells::windows_time(c)),
    },
];

const REQUIRED: &[&str] = &[
    "Proto",
    "Local Address",
    "Foreign Address",
    "Owning Process Id",
];

pub fn parse(stdout: &str, windows: Option<bool>, warnings: &mut Vec<String>) -> Output {
    let schema = (CONNECTION_KEYS, WINDOWS, REQUIRED);
    read_table("netstat", stdout, windows, schema, posix, warnings)
}

/// `Proto Recv-Q Send-Q Local Address Foreign Address State PID/Program name`; UDP rows print no
/// state, so cells are read by position from both ends.
fn posix(stdout: &str) -> Option<Vec<Row>> {
    let mut lines = stdout
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("Proto"));
    let header = lines.next()?;
    if !header.contains("Local Address") || !header.contains("PID/Program") {
        return None;
    }
    let rows = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| match posix_row(l) {
            Ok(m) => m,
            Err(why) => failed_row(CONNECTION_KEYS, l, &why),
        })
        .collect();
    Some(rows)
}

fn posix_row(line: &str) -> Result<Row, String> {
    let t: Vec<&str> = line.split_whitespace().collect();
    let (state, program) = match t.len() {
        7 => (t[5], t[6]),
        6 => ("", t[5]),
        n => return Err(format!("{n} cells where 6 or 7 are printed")),
    };
    let mut m = Row::empty(CONNECTION_KEYS, line);
    put(&mut m, "proto", cells::proto(t[0]))?;
    cells::integer(t[1])
        .and(cells::integer(t[2]))
        .map_err(|why| format!("queue: {why}"))?;
    address(t[3], &mut m, "local_address", "local_port")?;
    address(t[4], &mut m, "remote_address", "remote_port")?;
    m.insert("state".into(), cells::state(state)?);
    m.insert("state_printed".into(), cells::text(state)?);
    if program != "-" {
        let (pid, name) = program
            .split_once('/')
            .ok_or_else(|| format!("`{program}` is not PID/Program"))?;
        put(&mut m, "pid", cells::required_integer(pid))?;
        put(&mut m, "process_name", cells::required_text(name))?;
    }
    Ok(m)
}
