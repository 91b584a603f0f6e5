//! The parsers against real RTR output (`tests/data/rtr/real/`, sources in its `SOURCES.md`). The
//! expected fields were written by reading each capture, not by running the parser.

use falconry::rtr::parse::{Parsed, parse};
use serde_json::{Value, json};
use std::path::Path;

fn capture(name: &str) -> String {
    let path = format!("{}/tests/data/rtr/real/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parsed(command: &str, file: &str) -> Parsed {
    parse(command, Some("Windows"), &capture(file)).unwrap()
}

/// Checks the listed keys of each row, and that every row has the whole schema.
fn check(rows: &Value, keys: &[&str], expected: &[Value]) {
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), expected.len(), "{rows:#?}");
    for (row, want) in rows.iter().zip(expected) {
        for k in keys {
            assert!(row.get(*k).is_some(), "key {k} missing in {row:#}");
        }
        assert!(row["parse_error"].is_null(), "{row:#}");
        for (k, v) in want.as_object().unwrap() {
            assert_eq!(&row[k], v, "{k} of {}", row["raw"]);
        }
    }
}

#[test]
fn windows_ps_reads_every_row_of_the_phantom_capture() {
    let p = parsed("ps", "windows_ps_phantom.txt");
    assert_eq!(p.field, "processes");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let row = |name: &str, pid: u64, start: &str, wm: u64, cpu: f64, handles: u64, path: Value| {
        json!({"name": name, "pid": pid, "start_time": start, "working_memory_kb": wm,
               "cpu_seconds": cpu, "handle_count": handles, "path": path,
               "ppid": null, "user": null, "command_line": null})
    };
    let conhost = json!("C:\\Windows\\system32\\conhost.exe");
    let vm3d = json!("C:\\Windows\\system32\\vm3dservice.exe");
    check(
        &p.value,
        falconry::rtr::parse::schema::PROCESS_KEYS,
        &[
            row(
                "conhost",
                2216,
                "4/8/2025 12:14:21 PM",
                5612,
                0.05,
                93,
                conhost.clone(),
            ),
            row(
                "conhost",
                4192,
                "4/8/2025 12:14:21 PM",
                5620,
                0.03,
                93,
                conhost,
            ),
            row(
                "CSFalconService",
                488,
                "3/27/2025 9:05:13 AM",
                60196,
                312.31,
                671,
                Value::Null,
            ),
            row(
                "csrss",
                672,
                "3/11/2025 4:21:37 AM",
                4476,
                667.27,
                500,
                Value::Null,
            ),
            row(
                "powershell",
                3768,
                "4/8/2025 12:14:21 PM",
                60892,
                0.66,
                511,
                json!("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"),
            ),
            row(
                "VGAuthService",
                2412,
                "3/11/2025 4:21:42 AM",
                10920,
                0.05,
                149,
                json!("C:\\Program Files\\VMware\\VMware Tools\\VMware VGAuth\\VGAuthService.exe"),
            ),
            row(
                "vm3dservice",
                2440,
                "3/11/2025 4:21:42 AM",
                6096,
                0.02,
                123,
                vm3d.clone(),
            ),
            row(
                "vm3dservice",
                2568,
                "3/11/2025 4:21:42 AM",
                6564,
                0.03,
                110,
                vm3d.clone(),
            ),
            row(
                "vm3dservice",
                4248,
                "3/11/2025 4:25:31 AM",
                6564,
                0.08,
                111,
                vm3d,
            ),
        ],
    );
}

#[test]
fn windows_ps_with_a_damaged_header_reads_nothing_and_says_so() {
    let p = parsed("ps", "windows_ps_cssession_damaged_header.txt");
    let rows = p.value.as_array().unwrap();
    // Every printed line after the dashes: 8 rows, 8 wrapped continuations, the author's marker.
    assert_eq!(rows.len(), 17);
    for r in rows {
        assert!(r["parse_error"].is_string(), "{r:#}");
        assert!(r["pid"].is_null() && r["name"].is_null(), "{r:#}");
        assert!(r["raw"].is_string());
    }
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(p.warnings[0].starts_with("17 of 17 rows of `ps` output were not understood"));
}

#[test]
#[rustfmt::skip]
fn windows_netstat_reads_states_addresses_and_owning_processes() {
    let p = parsed("netstat", "windows_netstat_phantom.txt");
    assert_eq!(p.field, "connections");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    #[allow(clippy::too_many_arguments)]
    fn row(
        proto: &str,
        local: &str,
        lport: u64,
        remote: &str,
        rport: Value,
        state: &str,
        printed: &str,
        pid: u64,
        path: Value,
        start: &str,
    ) -> Value {
        json!({"proto": proto, "local_address": local, "local_port": lport,
               "remote_address": remote, "remote_port": rport, "state": state,
               "state_printed": printed, "pid": pid, "process_path": path,
               "process_start_time": start, "process_name": null})
    }
    let lsass = json!("C:\\Windows\\system32\\lsass.exe");
    let svc = json!("C:\\Windows\\system32\\svchost.exe");
    let svc_up = json!("C:\\Windows\\System32\\svchost.exe");
    let spool = json!("C:\\Windows\\System32\\spoolsv.exe");
    let none = Value::Null;
    let z = json!(0);
    let star = Value::Null;
    check(
        &p.value,
        falconry::rtr::parse::schema::CONNECTION_KEYS,
        &[
            row("TCP", "::", 49689, "::", z.clone(), "LISTEN", "Listen", 920, lsass.clone(), "10/25/2024 10:28:22 AM"),
            row("TCP", "::", 49675, "::", z.clone(), "LISTEN", "Listen", 2060, svc.clone(), "10/25/2024 10:28:13 AM"),
            row("TCP", "::", 49669, "::", z.clone(), "LISTEN", "Listen", 2164, spool.clone(), "10/25/2024 10:28:13 AM"),
            row("TCP", "::", 49666, "::", z.clone(), "LISTEN", "Listen", 1056, svc.clone(), "10/25/2024 10:28:13 AM"),
            row("TCP", "::", 49665, "::", z.clone(), "LISTEN", "Listen", 1116, svc_up.clone(), "10/25/2024 10:28:12 AM"),
            row("TCP", "::", 49664, "::", z.clone(), "LISTEN", "Listen", 768, none.clone(), "10/25/2024 10:28:12 AM"),
            row("TCP", "::", 3389, "::", z.clone(), "LISTEN", "Listen", 1048, svc_up.clone(), "10/25/2024 10:28:13 AM"),
            row("TCP", "::", 445, "::", z.clone(), "LISTEN", "Listen", 4, none.clone(), "10/25/2024 10:28:13 AM"),
            row("TCP", "::", 135, "::", z.clone(), "LISTEN", "Listen", 352, svc.clone(), "10/25/2024 10:28:12 AM"),
            row("TCP", "0.0.0.0", 58808, "0.0.0.0", z.clone(), "BOUND", "Bound", 1056, svc.clone(), "11/23/2024 9:31:16 PM"),
            row("TCP", "10.1.19.4", 59929, "54.241.197.58", json!(443), "ESTABLISHED", "Established", 4, none.clone(), "2/24/2025 2:34:34 PM"),
            row("TCP", "10.1.19.4", 58808, "13.64.180.106", json!(443), "ESTABLISHED", "Established", 1056, svc.clone(), "11/23/2024 9:31:16 PM"),
            row("TCP", "0.0.0.0", 49689, "0.0.0.0", z.clone(), "LISTEN", "Listen", 920, lsass, "10/25/2024 10:28:22 AM"),
            row("TCP", "0.0.0.0", 49679, "0.0.0.0", z.clone(), "LISTEN", "Listen", 904, none, "10/25/2024 10:28:13 AM"),
            row("TCP", "0.0.0.0", 49675, "0.0.0.0", z.clone(), "LISTEN", "Listen", 2060, svc.clone(), "10/25/2024 10:28:13 AM"),
            row("TCP", "0.0.0.0", 49669, "0.0.0.0", z, "LISTEN", "Listen", 2164, spool, "10/25/2024 10:28:13 AM"),
            row("UDP", "::1", 60661, "*", star.clone(), "LISTEN", "Listen", 5472, svc.clone(), "10/26/2024 9:03:09 AM"),
            row("UDP", "fe80::9c8b:6e28:cc9:6e2e%2", 60660, "*", star.clone(), "LISTEN", "Listen", 5472, svc, "10/26/2024 9:03:09 AM"),
            row("UDP", "::", 5355, "*", star.clone(), "LISTEN", "Listen", 1488, svc_up.clone(), "2/25/2025 6:52:43 AM"),
            row("UDP", "::", 5353, "*", star, "LISTEN", "Listen", 1488, svc_up, "2/25/2025 6:52:43 AM"),
        ],
    );
}

#[test]
fn windows_ls_reads_directories_with_their_dashes_and_dates() {
    let p = parsed("ls", "windows_ls_demisto.txt");
    assert_eq!(p.field, "entries");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    check(
        &p.value,
        falconry::rtr::parse::schema::ENTRY_KEYS,
        &[
            json!({"name": "$Recycle.Bin", "type": "directory", "extension": null, "size": null,
                   "size_mb": null, "modified": "11/27/2018 10:54:44 AM",
                   "created": "9/15/2017 3:33:40 AM", "path": "C:\\$Recycle.Bin", "mode": null}),
            json!({"name": "ITAYDI", "type": "directory", "extension": null, "size": null,
                   "size_mb": null, "modified": "11/19/2018 1:31:42 PM",
                   "created": "11/19/2018 1:31:42 PM", "path": "C:\\ITAYDI", "owner": null}),
        ],
    );
}

/// Damage to a real capture: every way of breaking a row yields `parse_error` and a warning, and
/// the rows left intact still read exactly as before.
#[test]
fn damaged_real_rows_fail_alone_and_never_give_a_wrong_value() {
    let text = capture("windows_ps_phantom.txt");
    let lines: Vec<&str> = text.lines().collect();
    // Shift the csrss row one column left: its PID would otherwise read as another number.
    let shifted = lines[5].replacen("csrss ", "csrss", 1);
    // A PID cell that is not a number.
    let letters = lines[2].replace("2216", "22x6");
    let mut damaged = lines.clone();
    damaged[5] = &shifted;
    damaged[2] = &letters;
    let p = parse("ps", Some("Windows"), &damaged.join("\n")).unwrap();
    let rows = p.value.as_array().unwrap();
    assert_eq!(rows.len(), 9);
    assert!(rows[0]["parse_error"].is_string(), "{:#}", rows[0]);
    assert!(rows[3]["parse_error"].is_string(), "{:#}", rows[3]);
    assert!(rows[0]["pid"].is_null() && rows[3]["pid"].is_null());
    assert_eq!(rows[1]["pid"], 4192);
    assert_eq!(rows[2]["name"], "CSFalconService");
    assert!(p.warnings[0].starts_with("2 of 9 rows"), "{:?}", p.warnings);
}

/// Moving cells by changing only the padding (a space inserted into or removed from a run of
/// spaces) never yields a row with a value the capture does not hold: every row still read is one
/// of the capture's rows, field for field. Deterministic: every single-space edit is tried.
#[test]
fn padding_damage_never_yields_a_row_the_capture_does_not_hold() {
    for (command, file) in [
        ("ps", "windows_ps_phantom.txt"),
        ("netstat", "windows_netstat_phantom.txt"),
        ("ls", "windows_ls_demisto.txt"),
    ] {
        let text = capture(file);
        let original = parsed(command, file).value;
        let strip = |row: &Value| {
            let mut row = row.clone();
            let o = row.as_object_mut().unwrap();
            o.remove("raw");
            row
        };
        let known: Vec<Value> = original.as_array().unwrap().iter().map(strip).collect();
        let chars: Vec<char> = text.chars().collect();
        let mut edits = 0;
        for i in 0..chars.len() {
            let in_run =
                chars[i] == ' ' && (i > 0 && chars[i - 1] == ' ' || chars.get(i + 1) == Some(&' '));
            if !in_run {
                continue;
            }
            for insert in [false, true] {
                let mut damaged = chars.clone();
                if insert {
                    damaged.insert(i, ' ');
                } else {
                    damaged.remove(i);
                }
                let damaged: String = damaged.into_iter().collect();
                let p = parse(command, Some("Windows"), &damaged).unwrap();
                falconry::rtr::parse::schema::check(&p).unwrap();
                for row in p.value.as_array().unwrap() {
                    if row["parse_error"].is_null() {
                        assert!(
                            known.contains(&strip(row)),
                            "{command}: an edit at {i} gave a row the capture does not hold: {row:#}"
                        );
                    }
                }
                edits += 1;
            }
        }
        assert!(edits > 100, "{command}: {edits}");
    }
}

/// Plain Linux `ls` prints names only (elastic/kibana's CrowdStrike emulator, copied from a real
/// Ubuntu 24.04 tenant host: `linux_ls_kibana.txt`, the batch answer, no final newline;
/// `linux_ls_kibana_details.txt`, the command-details answer, with one). Every line is a name and
/// only `name` is filled: the output holds no type, size, time or directory.
#[test]
fn linux_ls_reads_the_names_of_both_kibana_captures() {
    for (file, first, last, count) in [
        ("linux_ls_kibana.txt", "bin", "var", 23),
        ("linux_ls_kibana_details.txt", "archive", "var", 26),
    ] {
        let p = parse("ls", Some("Linux"), &capture(file)).unwrap();
        assert_eq!(p.field, "entries");
        assert!(p.warnings.is_empty(), "{file}: {:?}", p.warnings);
        let rows = p.value.as_array().unwrap();
        assert_eq!(rows.len(), count, "{file}");
        assert_eq!(rows[0]["name"], first, "{file}");
        assert_eq!(rows[count - 1]["name"], last, "{file}");
        for row in rows {
            assert!(row["parse_error"].is_null(), "{row:#}");
            assert_eq!(row["raw"], row["name"], "{row:#}");
            for key in ["type", "size", "modified", "path", "mode", "owner"] {
                assert!(row[key].is_null(), "{key} guessed in {row:#}");
            }
        }
    }
    let p = parse("ls", Some("Linux"), &capture("linux_ls_kibana_details.txt")).unwrap();
    let names: Vec<&str> = p
        .value
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    for name in ["lost+found", "stuff.exe", "test.sh", "testPush.exe"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    // The same text with no platform is not read as names: any text would pass for names (fail closed).
    let unknown = parse("ls", None, &capture("linux_ls_kibana.txt")).unwrap();
    assert!(
        unknown
            .value
            .as_array()
            .unwrap()
            .iter()
            .all(|r| !r["parse_error"].is_null()),
        "{:#}",
        unknown.value
    );
    assert!(!unknown.warnings.is_empty());
}

/// Outputs with no real capture (SOURCES.md's "not found" list: `env`, `filehash`, `reg query`, and
/// more) are read in the layout of the underlying tool; a line that does not fit is not guessed at:
/// it is left out and the result's warnings say so (fail closed).
#[test]
fn outputs_without_a_real_capture_fail_closed_on_lines_they_cannot_place() {
    let env = parse(
        "env",
        Some("Linux"),
        "PATH=/usr/bin\nthis is not a variable\nHOME=/root\n",
    )
    .unwrap();
    assert_eq!(env.value, json!({"PATH": "/usr/bin", "HOME": "/root"}));
    assert_eq!(env.warnings.len(), 1, "{:?}", env.warnings);
    assert!(
        env.warnings[0].contains("1 line(s) of `env`"),
        "{:?}",
        env.warnings
    );

    let hash = parse(
        "filehash",
        Some("Windows"),
        "C:\\x.exe\nMD5: 0123456789abcdef0123456789abcdef\nsomething else entirely\n",
    )
    .unwrap();
    assert_eq!(hash.value.as_array().unwrap().len(), 1, "{:#}", hash.value);
    assert_eq!(hash.warnings.len(), 1, "{:?}", hash.warnings);

    let reg = parse(
        "reg query",
        Some("Windows"),
        "HKEY_LOCAL_MACHINE\\Software\\X\n    Name    REG_SZ    data\n    garbled line\n",
    )
    .unwrap();
    assert_eq!(reg.value["values"].as_array().unwrap().len(), 1);
    assert_eq!(reg.warnings.len(), 1, "{:?}", reg.warnings);

    // No interface header found: a warning, not "this host has no interfaces".
    let ifc = parse("ifconfig", Some("Linux"), "1: lo    inet 127.0.0.1/8\n").unwrap();
    assert_eq!(ifc.value, json!([]));
    assert_eq!(ifc.warnings.len(), 1, "{:?}", ifc.warnings);
}

/// The parser registry's `real_capture` is a checked fact: a platform is listed exactly when a real
/// capture of that command's output on it is kept in `tests/data/rtr/real/` (named
/// `PLATFORM_COMMAND_SOURCE.txt`, its source in `SOURCES.md`).
#[test]
fn the_parser_registry_names_exactly_the_real_captures_kept() {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rtr/real");
    let files: Vec<String> = std::fs::read_dir(&real)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt") && !n.contains("_stderr_"))
        .collect();
    let sources = std::fs::read_to_string(real.join("SOURCES.md")).unwrap();
    for parser in falconry::rtr::parse::PARSERS {
        let command = parser.command.command().name.replace(' ', "_");
        for platform in falconry::platform::Platform::ALL {
            let prefix = format!("{}_{command}_", platform.name().to_lowercase());
            let kept: Vec<&String> = files.iter().filter(|f| f.starts_with(&prefix)).collect();
            assert_eq!(
                parser.real_capture.contains(&platform),
                !kept.is_empty(),
                "{} on {}: registry says {:?}, captures kept: {kept:?}",
                parser.command.command().name,
                platform.name(),
                parser.real_capture
            );
            for f in kept {
                assert!(
                    sources.contains(f.as_str()),
                    "{f} has no entry in SOURCES.md"
                );
            }
        }
    }
}
