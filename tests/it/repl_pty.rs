//! The REPL through a real pseudo-terminal: the built binary, the embedded emulator, keys as a user types them.

use expectrl::process::Healthcheck;
use expectrl::{ControlCode, Expect, Session};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const PROMPT: &str = "falconry> ";
/// What rustyline prints when a `readline` returns (bracketed paste off).
const READLINE_DONE: &str = "\x1b[?2004l";

pub(crate) struct Repl {
    session: expectrl::session::OsSession,
}

impl Repl {
    /// Starts `falconry repl` in `dir` with its history in `dir/history`, on the embedded emulator.
    fn start(dir: &Path) -> Repl {
        Repl::start_with(dir, &[])
    }

    /// Starts it with extra environment (credentials of a tenant).
    fn start_with(dir: &Path, env: &[(&str, &str)]) -> Repl {
        Repl::spawn(dir, &[], env)
    }

    /// Starts it with extra arguments after `repl` and extra environment.
    pub(crate) fn spawn(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Repl {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_falconry"));
        cmd.arg("repl")
            .args(args)
            .arg("--history")
            .arg(history(dir))
            .current_dir(dir)
            .env("TERM", "xterm")
            .env("HOME", dir)
            .env("XDG_DATA_HOME", dir.join("data"))
            .env_remove("FALCON_CLIENT_ID")
            .env_remove("FALCON_CLIENT_SECRET");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut session = Session::spawn(cmd).expect("falconry repl starts");
        // Wide enough that no typed line wraps (a wrapped line redraws with newlines inside).
        session
            .get_process_mut()
            .set_window_size(1000, 50)
            .expect("resize the terminal");
        session.set_expect_timeout(Some(Duration::from_secs(30)));
        let mut repl = Repl { session };
        repl.expect(PROMPT);
        repl
    }

    /// Starts it against a running emulator, as the tenant `secret` belongs to, with extra arguments.
    pub(crate) fn start_on(
        dir: &Path,
        sim: &falconry::sim::SimHandle,
        secret: &str,
        args: &[&str],
    ) -> Repl {
        let url = sim.base_url();
        Repl::spawn(
            dir,
            args,
            &[
                ("FALCON_CLIENT_ID", CLIENT_ID),
                ("FALCON_CLIENT_SECRET", secret),
                ("FALCON_BASE_URL", &url),
            ],
        )
    }

    fn expect(&mut self, text: &str) -> String {
        match self.session.expect(text) {
            Ok(found) => String::from_utf8_lossy(found.before()).into_owned(),
            Err(e) => panic!("expected {text:?}: {e}"),
        }
    }

    /// Types a line and waits for the next prompt; returns everything shown in between.
    /// The editor redraws the prompt while a line is typed; the new prompt comes after the line's newline.
    pub(crate) fn line(&mut self, text: &str) -> String {
        self.session.send_line(text).expect("send");
        self.accepted()
    }

    /// Waits for rustyline to hand the current input over, then for the next prompt. The end of a
    /// `readline` is marked by bracketed paste being switched off (`ESC[?2004l`); a bare newline is
    /// not enough, since a long input that wraps is redrawn, prompt included, before it is accepted.
    fn accepted(&mut self) -> String {
        self.expect(READLINE_DONE);
        self.expect(PROMPT)
    }

    fn send(&mut self, text: &str) {
        self.session.send(text).expect("send");
    }

    fn control(&mut self, code: ControlCode) {
        self.session.send(code).expect("send");
    }

    /// Ctrl-D at an empty prompt, then waits for the process to end.
    pub(crate) fn quit(mut self) {
        self.control(ControlCode::EndOfTransmission);
        if let Err(e) = self.session.expect(expectrl::Eof) {
            panic!("the repl did not exit on Ctrl-D: {e}");
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.session.is_alive().unwrap_or(false) {
            assert!(Instant::now() < deadline, "the repl did not exit on Ctrl-D");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

const CLIENT_ID: &str = "repl-test";

/// An emulator tenant of a test's own.
pub(crate) fn tenant(secret: &str) -> falconry::sim::SimConfig {
    falconry::sim::SimConfig {
        client_id: CLIENT_ID.into(),
        client_secret: secret.into(),
        ..falconry::sim::SimConfig::default()
    }
}

/// How many requests for the operation `op` the emulator has answered.
fn requests(sim: &falconry::sim::SimHandle, op: &str) -> usize {
    sim.state()
        .request_log()
        .iter()
        .filter(|e| e.op == Some(op))
        .count()
}

/// An emulator tenant whose RTR commands take `latency_ms` to complete.
fn slow_tenant(secret: &str, latency_ms: u64) -> falconry::sim::SimHandle {
    let config = tenant(secret);
    let mut state = falconry::sim::load_state(&config).unwrap();
    state.scenario.command_latency_ms = latency_ms;
    falconry::sim::start_with_state(&config, state).unwrap()
}

fn history(dir: &Path) -> PathBuf {
    dir.join("history")
}

#[test]
fn a_statement_prints_its_value_and_variables_persist() {
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start(dir.path());
    repl.line("let x = 6 * 7;");
    let shown = repl.line("x + 1000");
    assert!(shown.contains("1042"), "{shown}");
    let shown = repl.line("hosts::query_devices_by_filter(#{ limit: 2 })");
    assert!(shown.contains("status 200"), "{shown}");
    let shown = repl.line("undefined_thing + 1");
    assert!(
        shown.contains("variable not found: undefined_thing"),
        "{shown}"
    );
    assert!(shown.contains("<repl 4>:1:1"), "{shown}");
    let shown = repl.line("x");
    assert!(shown.contains("42"), "the scope survives an error: {shown}");

    let shown = repl.line("help()");
    assert!(shown.contains("real_time_response_admin"), "{shown}");
    let shown = repl.line("help(\"real_time_response_admin::execute_admin_command\")");
    assert!(
        shown.contains("POST /real-time-response/entities/admin-command/v1"),
        "{shown}"
    );
    assert!(shown.contains("base_command: string"), "{shown}");
    // The parsed RTR schemas are documented in `help("rtr")`, every key with its platforms.
    let shown = repl.line("help(\"rtr\")");
    assert!(shown.contains("ps -> r.processes"), "{shown}");
    assert!(shown.contains("working_memory_kb"), "{shown}");
    assert!(shown.contains("state_printed"), "{shown}");
    // ... after the command catalogue an unknown command's error points to.
    assert!(
        shown.contains("netstat ") && shown.contains("policy: CustomScripts"),
        "{shown}"
    );

    // Resources print as a table; `:json` switches to the raw answer, headers included.
    let shown = repl.line(
        "hosts::get_device_details(#{ ids: hosts::query_devices_by_filter().body.resources })",
    );
    assert!(
        shown.contains("hostname") && shown.contains("platform_name"),
        "{shown}"
    );
    repl.line(":json");
    let shown = repl.line("hosts::query_devices_by_filter(#{ limit: 1 })");
    assert!(shown.contains("\"headers\""), "{shown}");
    repl.quit();
}

#[test]
fn tab_completes_an_operation_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start(dir.path());
    repl.send("real_time_response_admin::exe\t");
    repl.expect("real_time_response_admin::execute_admin_command");
    // The completed name is a real function: calling it without arguments reaches validation.
    let shown = repl.line("(#{ session_id: \"s\" })");
    assert!(
        shown.contains("real_time_response_admin::execute_admin_command"),
        "{shown}"
    );
    assert!(shown.contains("base_command"), "{shown}");

    // An import made on one line serves the next, and its functions complete.
    repl.line("import \"falcon/util\" as util;");
    repl.send("util::chu\t");
    repl.expect("util::chunks");
    let shown = repl.line("([1, 2, 3, 4, 5], 2).len() * 1000");
    assert!(shown.contains("3000"), "{shown}");
    repl.quit();
}

#[test]
fn a_block_continues_until_its_braces_close() {
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start(dir.path());
    repl.session.send_line("for i in [1, 2, 3] {").unwrap();
    repl.session
        .send_line("    print(`item ${i * 100}`);")
        .unwrap();
    repl.session.send_line("}").unwrap();
    // Each new line redraws the prompt; wait for the last item instead.
    let shown = repl.expect("item 300");
    repl.expect(PROMPT);
    for n in ["item 100", "item 200"] {
        assert!(shown.contains(n), "{shown}");
    }
    repl.quit();
}

#[test]
fn ctrl_c_stops_a_slow_statement_and_keeps_the_scope() {
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start(dir.path());
    repl.line("let keep = 7;");
    repl.session.send_line("sleep(30); keep = 0;").unwrap();
    repl.expect("\n");
    std::thread::sleep(Duration::from_millis(700));
    let started = Instant::now();
    repl.control(ControlCode::EndOfText);
    let shown = repl.expect(PROMPT);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "Ctrl-C took {:?}",
        started.elapsed()
    );
    assert!(shown.contains("interrupted"), "{shown}");
    let shown = repl.line("keep * 6");
    assert!(
        shown.contains("42"),
        "the rest of the statement did not run: {shown}"
    );

    // At the prompt, Ctrl-C clears the line instead.
    repl.send("this is not rhai");
    repl.expect("rhai");
    repl.control(ControlCode::EndOfText);
    // Typing resumes at the fresh prompt, as a user would.
    repl.expect(PROMPT);
    repl.session.send_line("keep + 100").unwrap();
    let shown = repl.expect("107");
    assert!(
        !shown.contains("error"),
        "the cleared line did not run: {shown}"
    );
    repl.expect(PROMPT);
    repl.quit();
}

#[test]
fn history_survives_a_restart_and_never_holds_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start(dir.path());
    repl.line("let marker = \"history-check-1\";");
    // The embedded emulator's secret is this session's configured secret.
    repl.line("let leaked = \"falconry-sim-secret\";");
    repl.line("let header = \"Bearer abcdefghijklmnopqrstuvwxyz0123\";");
    repl.quit();

    let saved = std::fs::read_to_string(history(dir.path())).unwrap();
    assert!(saved.contains("history-check-1"), "{saved}");
    assert!(!saved.contains("falconry-sim-secret"), "{saved}");
    assert!(!saved.contains("Bearer"), "{saved}");

    let mut repl = Repl::start(dir.path());
    // Ctrl-R finds the line typed in the first run.
    repl.send("\x12");
    repl.send("history-check");
    repl.expect("let marker = \"history-check-1\";");
    repl.send("\r");
    repl.accepted();
    let shown = repl.line("marker");
    assert!(shown.contains("history-check-1"), "{shown}");
    repl.quit();
}

#[test]
fn save_writes_the_successful_statements_and_load_runs_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start(dir.path());
    repl.line("let total = 0;");
    repl.line("for n in 1..=4 { total += n; }");
    // Multi-line input redraws the prompt; wait for the error itself.
    repl.session.send_line("broken(").unwrap();
    repl.session.send_line(")").unwrap();
    repl.expect("function not found: broken");
    repl.expect(PROMPT);
    let shown = repl.line(":save saved.rhai");
    assert!(shown.contains("saved 2 statements"), "{shown}");
    repl.quit();
    let saved = std::fs::read_to_string(dir.path().join("saved.rhai")).unwrap();
    assert!(
        saved.contains("let total = 0;\nfor n in 1..=4 { total += n; }\n"),
        "{saved}"
    );
    assert!(!saved.contains("broken"), "{saved}");

    let mut repl = Repl::start(dir.path());
    repl.line(":load saved.rhai");
    let shown = repl.line("total * 100");
    assert!(shown.contains("1000"), "{shown}");
    let shown = repl.line(":sim");
    assert!(shown.contains("embedded emulator"), "{shown}");
    repl.quit();
}

#[test]
fn ctrl_c_stops_polling_a_slow_command_which_is_never_sent_again() {
    const SECRET: &str = "repl-test-secret-0xBADC0DE";
    // Commands take a minute to complete: polling would go on and on.
    let sim = slow_tenant(SECRET, 60_000);
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start_on(dir.path(), &sim, SECRET, &[]);
    repl.line(
        "let host = hosts::query_devices_by_filter(#{ filter: \"hostname:'web-01'\" }).body.resources[0];",
    );
    repl.line(
        "let s = real_time_response::init_session(#{ device_id: host }).body.resources[0].session_id;",
    );
    repl.line(
        "let id = real_time_response::execute_command(#{ base_command: \"ls\", command_string: \"ls /etc\", session_id: s }).body.resources[0].cloud_request_id;",
    );
    repl.session
        .send_line(
            "let polls = 0; loop { polls += 1; let st = real_time_response::check_command_status(#{ cloud_request_id: id, sequence_id: 0 }); if st.body.resources[0].complete { break; } sleep(0.2); }",
        )
        .unwrap();
    repl.expect("\n");
    let polls = |sim: &falconry::sim::SimHandle| requests(sim, "RTR-CheckCommandStatus");
    let deadline = Instant::now() + Duration::from_secs(20);
    while polls(&sim) < 3 {
        assert!(Instant::now() < deadline, "no polling seen");
        std::thread::sleep(Duration::from_millis(50));
    }
    repl.control(ControlCode::EndOfText);
    let shown = repl.expect(PROMPT);
    assert!(shown.contains("interrupted"), "{shown}");
    let after = polls(&sim);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(polls(&sim), after, "polling went on after Ctrl-C");

    // The scope is intact: the session and the poll count are still there.
    let shown = repl.line("polls >= 3 && s.len() > 10");
    assert!(shown.contains("true"), "{shown}");
    repl.line(&format!("let pasted = \"{SECRET}\";"));
    repl.quit();
    let executed = requests(&sim, "RTR-ExecuteCommand");
    assert_eq!(executed, 1, "the command was sent once");
    let saved = std::fs::read_to_string(history(dir.path())).unwrap();
    assert!(saved.contains("polls"), "{saved}");
    assert!(!saved.contains(SECRET), "{saved}");
}

#[test]
fn ctrl_d_closes_the_sessions_the_scope_holds() {
    let config = tenant("repl-test-secret-0xFEED");
    let sim = falconry::sim::start(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start_on(dir.path(), &sim, "repl-test-secret-0xFEED", &[]);
    repl.line("let s = rtr::session(hosts::find(\"web-01\"));");
    let shown = repl.line("s.pwd()");
    assert!(shown.contains('/'), "{shown}");
    let closed = |sim: &falconry::sim::SimHandle| requests(sim, "RTR-DeleteSession");
    assert_eq!(closed(&sim), 0);
    repl.quit();
    assert_eq!(closed(&sim), 1, "the session was closed on the way out");
}

#[test]
fn helpers_answer_help_and_a_windows_path_escape_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start(dir.path());
    let shown = repl.line("help(\"rtr::session\")");
    assert!(shown.contains("queue_offline (false)"), "{shown}");
    let shown = repl.line("help(\"Session\")");
    assert!(
        shown.contains("s.kill(process)") && shown.contains("s.cd(path)"),
        "{shown}"
    );
    let shown = repl.line("help(\"falcon/hunt\")");
    assert!(shown.contains("process(device_ids, pattern)"), "{shown}");
    repl.line("let s = rtr::session(hosts::find(\"WS-042\"));");
    let shown = repl.line("s.run(\"ls C:\\new\")");
    assert!(shown.contains("backtick string"), "{shown}");
    let shown = repl.line("s.run(`ls C:\\Windows`).stderr");
    assert!(!shown.contains("error"), "{shown}");
    repl.quit();
}

#[test]
fn the_repl_collects_a_command_queued_for_an_offline_host_once_it_returns() {
    let config = tenant("repl-test-secret-0xQUEUE");
    let sim = falconry::sim::start(config).unwrap();
    let device = sim.state().device_id_of("WS-108").expect("WS-108");
    assert!(!sim.state().host(&device).is_some_and(|h| h.online));
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start_on(dir.path(), &sim, "repl-test-secret-0xQUEUE", &[]);
    repl.line("let s = rtr::session(hosts::find(\"WS-108\"), #{ queue_offline: true });");
    let shown = repl.line("s.run(\"ps\").queued");
    assert!(shown.contains("true"), "{shown}");
    let shown = repl.line("rtr::queued().pending.map(|p| p.hostname + \" \" + p.status)");
    assert!(shown.contains("WS-108 PENDING"), "{shown}");
    assert!(sim.state().set_online(&device, true));
    let shown = repl.line("let q = rtr::queued(); [q.done.len(), q.pending.len(), q.done[0].hostname, q.done[0].processes.len() > 0]");
    let flat: String = shown.split_whitespace().collect();
    assert!(flat.contains("1,0,\"WS-108\",true"), "{shown}");
    repl.quit();
}

#[test]
fn tab_lists_the_candidates_snake_case_names_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start(dir.path());
    // Many candidates: the first Tab has nothing to add, the second lists them all.
    repl.send("real_time_response::\t\t");
    let listed = repl.expect("RTR_ListQueuedSessions");
    let list = listed
        .rsplit("real_time_response::")
        .next()
        .unwrap_or_default();
    assert!(list.contains("list_queued_sessions"), "{listed}");
    let first = list
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .find(|w| !w.is_empty())
        .unwrap_or_default();
    assert!(
        !first.is_empty() && !first.chars().any(|c| c.is_ascii_uppercase()),
        "the list does not start with a snake_case name (`{first}`): {listed}"
    );
    // The list is followed by the line as it was, still being edited: Enter evaluates it (an error).
    repl.expect(PROMPT);
    repl.expect("real_time_response::");
    repl.line("");
    repl.quit();
}

#[test]
fn a_parsed_result_shows_its_table_once_and_netstat_shows_where_connections_go() {
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start(dir.path());
    repl.line("let s = rtr::session(hosts::find(\"WS-042\"));");
    let shown = repl.line("s.run(\"netstat\")");
    let header = shown
        .lines()
        .find(|l| l.contains("remote_address"))
        .unwrap_or_else(|| panic!("no connections table: {shown}"));
    let cols: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        cols,
        [
            "remote_address",
            "remote_port",
            "state",
            "pid",
            "process_name",
            "local_port"
        ],
        "{shown}"
    );
    assert!(
        shown.contains("lines, parsed below (`.stdout` shows them)"),
        "the raw text is repeated: {shown}"
    );
    assert!(!shown.contains("stdout:\n"), "{shown}");
    // The raw text on request.
    let raw = repl.line("s.run(\"netstat\").stdout");
    assert!(
        raw.lines().count() > 3 && !raw.contains("parsed below"),
        "{raw}"
    );
    repl.quit();
}

/// `n` online hosts of the emulator's fleet.
fn online(sim: &falconry::sim::SimHandle, n: usize) -> Vec<String> {
    let st = sim.state();
    let ids: Vec<String> = st
        .device_ids()
        .into_iter()
        .filter(|id| st.host(id).is_some_and(|h| h.online))
        .take(n)
        .collect();
    assert_eq!(ids.len(), n, "the default fleet has {n} online hosts");
    ids
}

/// `["a", "b"]`: strings as a Rhai array literal.
pub(crate) fn rhai_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

/// The line `N of TOTAL hosts answered before WHEN; their results are in `partial``: N.
fn kept(shown: &str, when: &str, total: usize) -> usize {
    let tail = format!(" of {total} hosts answered before {when}; their results are in `partial`");
    let line = shown
        .lines()
        .find(|l| l.contains(&tail))
        .unwrap_or_else(|| panic!("no line saying where the results are: {shown}"));
    let count = line[..line.find(&tail).unwrap()]
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap_or_default();
    count.parse().unwrap_or_else(|_| panic!("no count: {line}"))
}

/// A responder's view of `partial` (`:json` prints it): device id -> entry.
fn json_of(shown: &str) -> serde_json::Map<String, serde_json::Value> {
    let text = shown.replace('\r', "");
    let start = text.find('{').unwrap_or_else(|| panic!("no JSON: {shown}"));
    let end = text
        .rfind('}')
        .unwrap_or_else(|| panic!("no JSON: {shown}"));
    match serde_json::from_str(&text[start..=end]) {
        Ok(serde_json::Value::Object(m)) => m,
        other => panic!("not a JSON object ({other:?}): {shown}"),
    }
}

#[test]
fn ctrl_c_during_each_keeps_the_answered_hosts_results_in_partial() {
    // Each `ps` takes two seconds: with two hosts at a time, Ctrl-C lands while the second pair runs.
    let sim = slow_tenant("repl-test-secret-0xEACH", 2_000);
    let ids = online(&sim, 6);
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start_on(dir.path(), &sim, "repl-test-secret-0xEACH", &[]);
    repl.line(&format!("let ids = {};", rhai_list(&ids)));
    repl.session
        .send_line(
            "let found = rtr::each(ids, |s| s.run(\"ps\").processes.map(|p| p.pid), #{ concurrency: 2 });",
        )
        .unwrap();
    repl.expect("\n");
    // The progress bar counts the first answers; then Ctrl-C, while the next hosts' commands run.
    if let Err(e) = repl.session.expect(expectrl::Regex("[12]/6 hosts")) {
        panic!("no host answered: {e}");
    }
    std::thread::sleep(Duration::from_millis(300));
    repl.control(ControlCode::EndOfText);
    let shown = repl.expect(PROMPT);
    assert!(shown.contains("interrupted; the scope is kept"), "{shown}");
    let answered = kept(&shown, "Ctrl-C", 6);
    assert!((1..6).contains(&answered), "{shown}");
    let sent_at_ctrl_c = requests(&sim, "RTR-ExecuteCommand");

    repl.line(":json");
    let partial = json_of(&repl.line("partial"));
    let mut keys: Vec<&String> = partial.keys().collect();
    keys.sort();
    let mut expected: Vec<&String> = ids.iter().collect();
    expected.sort();
    assert_eq!(keys, expected, "every host has its entry");
    let st = sim.state();
    let ran = st.executions_by_host("ps");
    let (mut results, mut interrupted, mut not_run) = (0, 0, 0);
    for (id, entry) in &partial {
        let host = st.host(id).unwrap();
        match entry.get("error").and_then(|e| e.as_str()) {
            None => {
                // An answered host: exactly the pids its `ps` listed, parsed.
                results += 1;
                let pids: Vec<u64> = host
                    .processes
                    .all()
                    .iter()
                    .map(|p| u64::from(p.pid))
                    .collect();
                let got: Vec<u64> = entry
                    .as_array()
                    .unwrap_or_else(|| panic!("{id}: {entry}"))
                    .iter()
                    .map(|v| v.as_u64().unwrap())
                    .collect();
                assert_eq!(got, pids, "{id}");
                assert_eq!(ran.get(id), Some(&1), "{id} ran `ps` once");
            }
            Some(error) => {
                assert_eq!(entry["hostname"], host.hostname.as_str(), "{entry}");
                assert_eq!(entry["device_id"], id.as_str(), "{entry}");
                if error.starts_with("interrupted") {
                    interrupted += 1;
                    assert!(ran.get(id).copied().unwrap_or(0) <= 1, "{id} sent again");
                } else {
                    assert!(error.starts_with("not run"), "{entry}");
                    not_run += 1;
                    assert_eq!(ran.get(id), None, "{id} was not started");
                }
            }
        }
    }
    drop(st);
    assert_eq!(results, answered, "{partial:?}");
    assert!(
        not_run >= 1,
        "Ctrl-C came before the last hosts: {partial:?}"
    );
    assert_eq!(results + interrupted + not_run, 6);

    // Nothing more is sent once the statement stopped, even after the interrupted commands finished.
    std::thread::sleep(Duration::from_millis(2_500));
    let sent = requests(&sim, "RTR-ExecuteCommand");
    assert_eq!(sent, sent_at_ctrl_c, "commands were sent after Ctrl-C");

    // The REPL goes on: `partial` is an ordinary variable, `found` was never assigned.
    repl.line(":json");
    let shown = repl.line("partial.values().filter(|v| type_of(v) == \"array\").len()");
    assert!(shown.contains(&answered.to_string()), "{shown}");
    // README's way to pick the hosts that never started.
    let shown = repl.line(
        "partial.keys().filter(|id| \"error\" in partial[id] && partial[id].error.starts_with(\"not run\")).len()",
    );
    assert!(shown.contains(&not_run.to_string()), "{shown}");
    let shown = repl.line("found");
    assert!(shown.contains("variable not found: found"), "{shown}");
    // Where to look is in the fan-out's own help too.
    let shown = repl.line("help(\"rtr::each\")");
    assert!(shown.contains("kept in `partial`"), "{shown}");
    repl.quit();
}

#[test]
fn save_writes_each_statement_once_but_every_write_and_the_playbook_computes_the_same() {
    let sim = falconry::sim::start(tenant("repl-test-secret-0xSAVE")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start_on(dir.path(), &sim, "repl-test-secret-0xSAVE", &[]);
    repl.line("let s = rtr::session(hosts::find(\"web-01\"));");
    repl.line("let total = 0;");
    repl.line("let procs = s.run(\"ps\").processes;");
    repl.line("procs.len()");
    repl.line("s.run(\"ps\")");
    // Up+Enter to look again: the same statements, read-only, are saved once.
    repl.send("\x1b[A\x1b[A");
    repl.expect("procs.len()");
    repl.send("\r");
    repl.accepted();
    repl.line("total += 1;");
    repl.line("s.run(\"ps\")");
    // A repeated write is saved every time: the playbook must count to 2 as the session did.
    repl.line("total += 1;");
    let shown = repl.line("nope(total)");
    assert!(shown.contains("function not found"), "{shown}");
    let shown = repl.line("total");
    assert!(shown.contains('2'), "{shown}");
    repl.line("total");
    repl.line("procs.len()");
    let shown = repl.line(":save saved.rhai");
    assert!(shown.contains("saved 8 statements"), "{shown}");
    repl.quit();

    let saved = std::fs::read_to_string(dir.path().join("saved.rhai")).unwrap();
    assert_eq!(
        saved,
        concat!(
            "// saved by `falconry repl`: the 8 successful statements of a session\n",
            "let s = rtr::session(hosts::find(\"web-01\"));\n",
            "let total = 0;\n",
            "let procs = s.run(\"ps\").processes;\n",
            "procs.len();\n",
            "s.run(\"ps\");\n",
            "total += 1;\n",
            "total += 1;\n",
            "total;\n",
        )
    );
    // A valid playbook that ends where the session did.
    crate::common::Test::new()
        .playbook(&saved)
        .arg("--json")
        .tenant(&sim)
        .run()
        .status(0)
        .stdout_is("2\n");
}

#[test]
fn the_time_limit_stopping_each_keeps_the_answered_hosts_too() {
    // One host at a time, 700 ms each: the two-second limit stops the fan-out part-way.
    let sim = slow_tenant("repl-test-secret-0xLIMIT", 700);
    let ids = online(&sim, 5);
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Repl::start_on(
        dir.path(),
        &sim,
        "repl-test-secret-0xLIMIT",
        &["--timeout", "2s"],
    );
    repl.line(&format!("let ids = {};", rhai_list(&ids)));
    let shown = repl.line("rtr::each(ids, |s| s.run(\"ps\").processes.len(), #{ concurrency: 1 })");
    assert!(shown.contains("time limit"), "{shown}");
    kept(&shown, "the time limit", 5);
    // Every host has its entry; the last one never started.
    let shown = repl.line(&format!("[partial.len(), partial[\"{}\"].error]", ids[4]));
    assert!(shown.contains('5') && shown.contains("not run"), "{shown}");
    repl.quit();
}
