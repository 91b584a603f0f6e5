//! Readable results through a real pseudo-terminal: a batch answer from several Windows hosts is one
//! table per group of hosts with the same output, never JSON; `ps` shows its chosen columns; a pty
//! nobody sized gets 100-column tables, not one character per column; a mistyped name gets a
//! did-you-mean.

use crate::repl_pty::{Repl, rhai_list, tenant};
use expectrl::Expect;
use expectrl::process::Healthcheck;
use std::process::Command;
use std::time::Duration;

/// `n` online Windows hosts of the emulator's fleet: (device id, hostname).
fn windows(sim: &falconry::sim::SimHandle, n: usize) -> Vec<(String, String)> {
    let st = sim.state();
    let hosts: Vec<(String, String)> = st
        .device_ids()
        .into_iter()
        .filter_map(|id| st.host(&id).map(|h| (id.clone(), h.clone())))
        .filter(|(_, h)| h.online && h.platform == falconry::platform::Platform::Windows)
        .map(|(id, h)| (id, h.hostname))
        .take(n)
        .collect();
    assert_eq!(
        hosts.len(),
        n,
        "the default fleet has {n} online Windows hosts"
    );
    hosts
}

#[test]
fn a_batch_answer_is_a_table_per_host_group_never_json() {
    let sim = falconry::sim::start(tenant("tables-secret")).unwrap();
    let hosts = windows(&sim, 3);
    let ids: Vec<String> = hosts.iter().map(|(id, _)| id.clone()).collect();
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start_on(dir.path(), &sim, "tables-secret", &[]);
    repl.line(&format!("let b = rtr::batch({});", rhai_list(&ids)));

    let shown = repl.line("b.run(`ls C:\\Windows`)");
    assert!(!shown.contains("\"stdout\""), "a JSON wall: {shown}");
    // Every host is named in a group header, and the listing is a table under it.
    let headers: Vec<&str> = shown.lines().filter(|l| l.starts_with("── ")).collect();
    assert!(!headers.is_empty(), "no host headers: {shown}");
    for (_, name) in &hosts {
        assert!(
            headers.iter().any(|h| h.contains(name.as_str())),
            "{name} not in a header: {shown}"
        );
    }
    let table_header = shown
        .lines()
        .find(|l| l.split_whitespace().next() == Some("name") && l.contains("type"))
        .unwrap_or_else(|| panic!("no listing table: {shown}"));
    assert!(table_header.contains("size"), "{table_header}");
    assert!(shown.contains("entries:"), "{shown}");

    let ps = repl.line("b.run(\"ps\")");
    assert!(!ps.contains("\"stdout\""), "a JSON wall: {ps}");
    let header = ps
        .lines()
        .find(|l| l.split_whitespace().next() == Some("pid"))
        .unwrap_or_else(|| panic!("no process table: {ps}"));
    let cols: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        cols,
        ["pid", "name", "path", "start_time", "working_memory_kb"],
        "{ps}"
    );
    assert!(!ps.contains(" raw"), "{ps}");
    repl.quit();
}

#[test]
fn a_table_of_hosts_summarises_a_nested_list_in_its_cell() {
    let sim = falconry::sim::start(tenant("nested-secret")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start_on(dir.path(), &sim, "nested-secret", &[]);
    let shown = repl.line(
        "hosts::find_all().map(|h| #{ host: h.hostname, tags: [\"a\", \"b\", \"c\", \"d\", \"e\"] })",
    );
    let header = shown
        .lines()
        .find(|l| l.trim_start().starts_with("host"))
        .unwrap_or_else(|| panic!("no table: {shown}"));
    assert!(header.contains("tags"), "{shown}");
    assert!(shown.contains("5: a, b, c, …"), "{shown}");
    assert!(!shown.contains("more column"), "{shown}");
    repl.quit();
}

/// `falconry run` printing `table(...)` on a pty that has no size: 100 columns, every column
/// readable on one header line.
#[test]
fn a_pty_without_a_size_gets_100_columns() {
    let sim = falconry::sim::start(tenant("width-secret")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.rhai"),
        "let rows = hosts::find_all().map(|h| #{ hostname: h.hostname, platform: h.platform_name, \
         note: \"a long note that would never fit in a narrow column, so the table must wrap it\", \
         device_id: h.device_id });\nprint(table(rows, [\"hostname\", \"platform\", \"device_id\", \"note\"]));\n",
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_falconry"));
    cmd.arg("run")
        .arg("t.rhai")
        .current_dir(dir.path())
        .env("TERM", "xterm")
        .env_remove("COLUMNS")
        .env("FALCON_CLIENT_ID", &sim.client_id)
        .env("FALCON_CLIENT_SECRET", &sim.client_secret)
        .env("FALCON_BASE_URL", sim.base_url());
    let mut session = expectrl::session::Session::spawn(cmd).unwrap();
    session
        .get_process_mut()
        .set_window_size(0, 0)
        .expect("an unsized terminal");
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    let found = session.expect(expectrl::Eof).expect("the run ends");
    // At the end of output the whole buffer is the match.
    let all = [found.before(), found.get(0).unwrap_or_default()].concat();
    let text = String::from_utf8_lossy(&all).replace('\r', "");
    while session.is_alive().unwrap_or(false) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let header = text
        .lines()
        .find(|l| l.contains("hostname"))
        .unwrap_or_else(|| panic!("no table: {text}"));
    for col in ["platform", "device_id", "note"] {
        assert!(header.contains(col), "{col} cut: {text}");
    }
    // The table's lines (the case's closing line names a path and a hash, and is not a table).
    let widest = text
        .lines()
        .filter(|l| !l.starts_with("falconry: "))
        .map(|l| l.chars().count())
        .max()
        .unwrap();
    assert!(widest <= 100 && widest > 60, "widest line {widest}: {text}");
}

/// A mistyped operation, property or host in the REPL gets its nearest name, as `falconry check`
/// does for operations.
#[test]
fn a_mistyped_name_gets_a_did_you_mean() {
    let sim = falconry::sim::start(tenant("names-secret")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start_on(dir.path(), &sim, "names-secret", &[]);
    let op = repl.line("hosts::query_devics_by_filter()");
    assert!(
        op.contains("function not found")
            && op.contains("(did you mean `hosts::query_devices_by_filter`?)"),
        "{op}"
    );
    let method = repl.line("let s = rtr::session(hosts::find(\"WS-042\")); s.rnu(\"ps\")");
    assert!(method.contains("(did you mean `run`?)"), "{method}");
    repl.line("let p = #{ name: \"evil.exe\", pid: 6612 };");
    let property = repl.line("p.nmae");
    assert!(
        property.contains("property `nmae` not found: `p` has no such key (did you mean `name`?); it has name, pid"),
        "{property}"
    );
    let host = repl.line("hosts::find(\"WS-0042\")");
    assert!(
        host.contains("matched 0 hosts") && host.contains("did you mean `WS-042`?"),
        "{host}"
    );
    repl.quit();
}
