//! `falconry shell` through a real pseudo-terminal, over three Windows hosts of the emulator: lines typed
//! as a responder types them, answers read as the terminal shows them, the hosts' state read back from
//! the emulator.

use expectrl::process::Healthcheck;
use expectrl::{ControlCode, Expect, Session};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const PROMPT: &str = "rtr[3]> ";
/// What rustyline prints when a `readline` returns (bracketed paste off).
const READLINE_DONE: &str = "\x1b[?2004l";
const CLIENT_ID: &str = "shell-test";
/// Three online Windows hosts of the default fleet.
const HOSTS: [&str; 3] = ["WS-042", "WS-017", "FIN-WS-003"];

struct Shell {
    session: expectrl::session::OsSession,
}

impl Shell {
    /// `falconry shell --host WS-042 --host WS-017 --host FIN-WS-003` on the emulator `sim`, as the
    /// tenant `secret` belongs to, its case in `dir/case`.
    fn start(dir: &Path, sim: &falconry::sim::SimHandle, secret: &str, args: &[&str]) -> Shell {
        let mut words = vec!["shell"];
        for h in HOSTS {
            words.extend(["--host", h]);
        }
        words.extend(args);
        let mut shell = Shell::spawn(dir, sim, secret, &words);
        shell.expect(PROMPT);
        shell
    }

    /// `falconry WORDS...` on the emulator, in a terminal.
    fn spawn(dir: &Path, sim: &falconry::sim::SimHandle, secret: &str, words: &[&str]) -> Shell {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_falconry"));
        cmd.args(words)
            .arg("--history")
            .arg(dir.join("history"))
            .arg("--case")
            .arg(dir.join("case"))
            .current_dir(dir)
            .env("TERM", "xterm")
            .env("HOME", dir)
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("FALCON_CLIENT_ID", CLIENT_ID)
            .env("FALCON_CLIENT_SECRET", secret)
            .env("FALCON_BASE_URL", sim.base_url());
        let mut session = Session::spawn(cmd).expect("falconry shell starts");
        // Wide enough that no typed line wraps (a wrapped line redraws with newlines inside).
        session
            .get_process_mut()
            .set_window_size(1000, 50)
            .expect("resize the terminal");
        session.set_expect_timeout(Some(Duration::from_secs(30)));
        Shell { session }
    }

    fn expect(&mut self, text: &str) -> String {
        match self.session.expect(text) {
            Ok(found) => String::from_utf8_lossy(found.before()).into_owned(),
            Err(e) => panic!("expected {text:?}: {e}"),
        }
    }

    /// Types a line and waits for the next prompt; returns everything shown in between.
    fn line(&mut self, text: &str) -> String {
        self.line_until(text, PROMPT)
    }

    /// Types a line and waits for `prompt`.
    fn line_until(&mut self, text: &str, prompt: &str) -> String {
        self.session.send_line(text).expect("send");
        self.expect(READLINE_DONE);
        self.expect(prompt).replace('\r', "")
    }

    /// Ctrl-D at an empty prompt, then waits for the process to end.
    fn quit(mut self) {
        self.session.send(ControlCode::EndOfTransmission).unwrap();
        if let Err(e) = self.session.expect(expectrl::Eof) {
            panic!("the shell did not exit on Ctrl-D: {e}");
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.session.is_alive().unwrap_or(false) {
            assert!(
                Instant::now() < deadline,
                "the shell did not exit on Ctrl-D"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn tenant(secret: &str, latency_ms: u64) -> falconry::sim::SimHandle {
    let config = falconry::sim::SimConfig {
        client_id: CLIENT_ID.into(),
        client_secret: secret.into(),
        ..falconry::sim::SimConfig::default()
    };
    let mut state = falconry::sim::load_state(&config).unwrap();
    state.scenario.command_latency_ms = latency_ms;
    falconry::sim::start_with_state(&config, state).unwrap()
}

/// The hosts each block of `shown` is under: the header's names, per block, with the block's text.
fn blocks(shown: &str) -> Vec<(Vec<String>, String)> {
    let mut out: Vec<(Vec<String>, String)> = Vec::new();
    for line in shown.lines() {
        if let Some(header) = line.strip_prefix("── ").and_then(|l| l.strip_suffix(" ──")) {
            let names = header.split(" (").next().unwrap_or_default();
            out.push((
                names.split(", ").map(str::to_string).collect(),
                String::new(),
            ));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

/// The block `host`'s answer is in.
fn block_of(shown: &str, host: &str) -> String {
    blocks(shown)
        .into_iter()
        .find(|(names, _)| names.iter().any(|n| n == host))
        .unwrap_or_else(|| panic!("no block for {host}: {shown}"))
        .1
}

fn device(sim: &falconry::sim::SimHandle, host: &str) -> String {
    sim.state()
        .device_id_of(host)
        .expect("a host of the default fleet")
}

/// The cells of the first column of a parsed table (the header says how wide it is; a name may hold
/// spaces).
fn names(block: &str) -> Vec<String> {
    let mut lines = block.lines();
    let header = lines.next().unwrap_or_default();
    let first = header.len() - header.trim_start().len();
    let width = header[first..]
        .find(char::is_whitespace)
        .map(|w| first + w)
        .and_then(|end| {
            header[end..]
                .find(|c: char| !c.is_whitespace())
                .map(|s| end + s)
        })
        .unwrap_or(header.len());
    lines
        .skip(1)
        .take_while(|l| l.starts_with(' '))
        .map(|l| l.get(..width).unwrap_or(l).trim().to_string())
        .collect()
}

#[test]
fn a_windows_path_typed_as_is_lists_each_host_and_cd_follows_each_hosts_directory() {
    let sim = tenant("shell-test-secret-0xLS", 200);
    let dir = tempfile::tempdir().unwrap();
    let mut shell = Shell::start(dir.path(), &sim, "shell-test-secret-0xLS", &[]);

    // Typed as on one host: the backslashes reach every host as they are.
    let shown = shell.line(r"ls C:\Windows");
    let listed: Vec<String> = blocks(&shown).into_iter().flat_map(|(n, _)| n).collect();
    assert_eq!(listed.len(), 3, "{shown}");
    for h in HOSTS {
        assert!(listed.iter().any(|n| n == h), "{h} has no header: {shown}");
        let block = block_of(&shown, h);
        assert!(
            names(&block).contains(&"System32".to_string()),
            "{h}: {shown}"
        );
    }
    let ran = sim.state().executions_by_host(r"ls C:\Windows");
    for h in HOSTS {
        assert_eq!(ran.get(&device(&sim, h)), Some(&1), "{h} ran it once");
    }

    // Only WS-042 has bob's profile: it goes there, the others stay where they were.
    let shown = shell.line(r"cd C:\Users\bob");
    assert!(
        block_of(&shown, "WS-042").contains(r"C:\Users\bob"),
        "{shown}"
    );
    assert!(
        block_of(&shown, "WS-017").contains("does not exist"),
        "{shown}"
    );
    let shown = shell.line("ls");
    let bob = names(&block_of(&shown, "WS-042"));
    assert!(bob.contains(&"Documents".to_string()), "{shown}");
    for h in ["WS-017", "FIN-WS-003"] {
        let root = names(&block_of(&shown, h));
        assert!(root.contains(&"Windows".to_string()), "{h}: {shown}");
    }
    // `:hosts` says where each one is.
    let shown = shell.line(":hosts");
    let row = |h: &str| {
        shown
            .lines()
            .find(|l| l.split_whitespace().next() == Some(h))
            .unwrap_or_else(|| panic!("no row for {h}: {shown}"))
            .trim_end()
            .to_string()
    };
    assert!(
        row("WS-042").contains("online") && row("WS-042").ends_with(r"C:\Users\bob"),
        "{shown}"
    );
    assert!(row("WS-017").ends_with(r"C:\"), "{shown}");

    // The session replays: `falconry run` sends the same commands to the same hosts, ending the same.
    let shown = shell.line(":save session.rhai");
    assert!(
        shown.contains("saved 3 commands to session.rhai"),
        "{shown}"
    );
    shell.quit();
    let saved = std::fs::read_to_string(dir.path().join("session.rhai")).unwrap();
    assert!(saved.contains(r#"shell.run("ls C:\\Windows");"#), "{saved}");
    assert!(
        saved.contains(r#"shell.run("cd C:\\Users\\bob");"#),
        "{saved}"
    );
    let out = crate::common::Test::new()
        .playbook(&saved)
        .arg("--json")
        .tenant(&sim)
        .run();
    out.status(0);
    let replayed = out.json();
    for h in HOSTS {
        let entries: Vec<String> = replayed["results"][device(&sim, h)]["entries"]
            .as_array()
            .unwrap_or_else(|| panic!("{h}: {replayed}"))
            .iter()
            .map(|e| e["name"].as_str().unwrap_or_default().to_string())
            .collect();
        let expected = if h == "WS-042" {
            &bob
        } else {
            &names(&block_of(&shown_last(&dir), h))
        };
        assert_eq!(&entries, expected, "{h}");
    }
}

/// The last `ls` the shell showed, as the case's transcript kept it.
fn shown_last(dir: &tempfile::TempDir) -> String {
    let text = std::fs::read_to_string(dir.path().join("case").join("transcript.jsonl")).unwrap();
    text.lines()
        .rev()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["kind"] == "statement" && v["text"] == "ls")
        .and_then(|v| v["output"].as_str().map(str::to_string))
        .expect("the case kept `ls` with its output")
}

#[test]
fn ps_shows_the_chosen_columns_never_raw() {
    let sim = tenant("shell-test-secret-0xPS", 200);
    let dir = tempfile::tempdir().unwrap();
    let mut shell = Shell::start(dir.path(), &sim, "shell-test-secret-0xPS", &[]);
    let shown = shell.line("ps");
    for h in HOSTS {
        let block = block_of(&shown, h);
        let header: Vec<&str> = block
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        assert_eq!(
            header,
            ["pid", "name", "path", "start", "time", "memory"],
            "{shown}"
        );
        assert!(!block.contains("raw"), "{shown}");
        // Every process the host runs is a row.
        let id = device(&sim, h);
        let st = sim.state();
        let pids: Vec<String> = st
            .host(&id)
            .unwrap()
            .processes
            .all()
            .iter()
            .map(|p| p.pid.to_string())
            .collect();
        drop(st);
        assert_eq!(names(&block), pids, "{h}: {shown}");
    }
    shell.quit();
}

#[test]
fn a_destructive_command_asks_once_naming_the_hosts_and_runs_only_after_yes() {
    let sim = tenant("shell-test-secret-0xRM", 200);
    let dir = tempfile::tempdir().unwrap();
    let mut shell = Shell::start(dir.path(), &sim, "shell-test-secret-0xRM", &[]);
    let rm = r"rm C:\Windows\notepad.exe";
    let ran = |sim: &falconry::sim::SimHandle| sim.state().executions_by_host(rm);

    // No: refused, nothing sent.
    shell.session.send_line(rm).unwrap();
    let asked = shell.expect("? [y/N] ");
    for h in HOSTS {
        assert!(
            asked.contains(&format!("host {h} ")),
            "{h} not named: {asked}"
        );
    }
    assert!(ran(&sim).is_empty(), "it ran before the answer");
    shell.session.send_line("n").unwrap();
    let shown = shell.expect(PROMPT);
    assert!(shown.contains("refused"), "{shown}");
    assert!(ran(&sim).is_empty(), "it ran after `n`");

    // Yes: asked once for all three hosts, then it runs on each of them once.
    shell.session.send_line(rm).unwrap();
    let asked = shell.expect("? [y/N] ");
    assert_eq!(asked.matches("allow destructive").count(), 1, "{asked}");
    assert!(ran(&sim).is_empty(), "it ran before the answer");
    shell.session.send_line("y").unwrap();
    let shown = shell.expect(PROMPT).replace('\r', "");
    assert!(!shown.contains("allow destructive"), "asked again: {shown}");
    let ran = ran(&sim);
    for h in HOSTS {
        assert_eq!(ran.get(&device(&sim, h)), Some(&1), "{h}: {shown}");
    }
    let shown = shell.line(r"ls C:\Windows");
    for h in HOSTS {
        assert!(
            !names(&block_of(&shown, h)).contains(&"notepad.exe".to_string()),
            "{shown}"
        );
    }
    shell.quit();
}

#[test]
fn ctrl_c_while_the_answer_is_on_its_way_keeps_it_and_sends_nothing_again() {
    // Every command takes three seconds: Ctrl-C lands while the batch answer for `ps` is on its way.
    let sim = tenant("shell-test-secret-0xINT", 3_000);
    let dir = tempfile::tempdir().unwrap();
    let mut shell = Shell::start(dir.path(), &sim, "shell-test-secret-0xINT", &[]);
    let listed = shell.line(r"ls C:\Windows");
    assert_eq!(
        blocks(&listed).iter().map(|(n, _)| n.len()).sum::<usize>(),
        3,
        "{listed}"
    );

    let batches = |sim: &falconry::sim::SimHandle| {
        sim.state()
            .request_log()
            .iter()
            .filter(|e| e.op == Some("BatchCmd"))
            .count()
    };
    shell.session.send_line("ps").unwrap();
    shell.expect(READLINE_DONE);
    let deadline = Instant::now() + Duration::from_secs(20);
    while batches(&sim) < 2 {
        assert!(Instant::now() < deadline, "`ps` was not sent");
        std::thread::sleep(Duration::from_millis(20));
    }
    shell.session.send(ControlCode::EndOfText).unwrap();
    // The request may have run `ps` everywhere: its answer is waited for and shown, not dropped.
    let shown = shell.expect(PROMPT).replace('\r', "");
    for h in HOSTS {
        assert!(
            names(&block_of(&shown, h)).contains(&"4".to_string()),
            "{h}: {shown}"
        );
    }
    assert_eq!(batches(&sim), 2, "sent again");
    let ran = sim.state().executions_by_host("ps");
    for h in HOSTS {
        assert_eq!(ran.get(&device(&sim, h)), Some(&1), "{h}");
    }
    // The shell goes on where it was, the case holding both answers.
    let shown = shell.line(":hosts");
    for h in HOSTS {
        assert!(shown.contains(h), "{shown}");
    }
    let text = std::fs::read_to_string(dir.path().join("case").join("transcript.jsonl")).unwrap();
    assert!(
        text.contains("System32") && text.contains("CSFalconService"),
        "{text}"
    );
    shell.quit();
}

#[test]
fn tab_completes_commands_and_flags_and_history_keeps_no_secret() {
    const SECRET: &str = "shell-test-secret-0xTAB";
    let sim = tenant(SECRET, 200);
    let dir = tempfile::tempdir().unwrap();
    let mut shell = Shell::start(dir.path(), &sim, SECRET, &[]);
    shell.session.send("netst\t").unwrap();
    shell.expect("netstat");
    let shown = shell.line("");
    assert!(block_of(&shown, "WS-042").contains("remote"), "{shown}");
    shell.session.send("runscript -Cl\t").unwrap();
    shell.expect("-CloudFile=");
    shell.session.send(ControlCode::EndOfText).unwrap();
    shell.expect(PROMPT);
    shell.line(&format!("cat C:\\{SECRET}"));
    shell.quit();
    let history = std::fs::read_to_string(history_of(dir.path())).unwrap();
    assert!(history.contains("netstat"), "{history}");
    assert!(!history.contains(SECRET), "{history}");
}

fn history_of(dir: &Path) -> PathBuf {
    dir.join("history.shell")
}

#[test]
fn the_repl_switches_to_the_shell_and_back_keeping_targets_and_directories() {
    const SECRET: &str = "shell-test-secret-0xSWITCH";
    const RHAI: &str = "falconry> ";
    let sim = tenant(SECRET, 200);
    let dir = tempfile::tempdir().unwrap();
    let mut repl = Shell::spawn(dir.path(), &sim, SECRET, &["repl"]);
    repl.expect(RHAI);
    repl.line_until(":shell WS-042", "rtr[1]> ");
    let shown = repl.line_until(r"cd C:\Users\bob", "rtr[1]> ");
    assert!(
        block_of(&shown, "WS-042").contains(r"C:\Users\bob"),
        "{shown}"
    );
    repl.line_until(":add WS-017", "rtr[2]> ");
    // The batch is in the Rhai scope as `shell`; its hosts are where `cd` left them.
    repl.line_until(":rhai", RHAI);
    let shown = repl.line_until(
        "shell.run(\"pwd\").results.values().map(|r| r.stdout)",
        RHAI,
    );
    assert!(shown.contains(r"C:\\Users\\bob"), "{shown}");
    let shown = repl.line_until(":shell", "rtr[2]> ");
    assert!(shown.contains("falconry shell on 2 hosts"), "{shown}");
    let shown = repl.line_until(":hosts", "rtr[2]> ");
    assert!(shown.contains("WS-017"), "{shown}");
    repl.line_until(":drop WS-017", "rtr[1]> ");
    repl.quit();
}

#[test]
fn get_saves_each_hosts_file_in_the_case_and_queued_commands_are_collected() {
    const SECRET: &str = "shell-test-secret-0xGET";
    let sim = tenant(SECRET, 200);
    let dir = tempfile::tempdir().unwrap();
    let mut shell = Shell::start(dir.path(), &sim, SECRET, &[]);
    let shown = shell.line(r"get C:\Windows\notepad.exe");
    for h in HOSTS {
        assert!(
            block_of(&shown, h).contains("saved C:\\Windows\\notepad.exe"),
            "{shown}"
        );
        assert!(
            dir.path()
                .join("falconry-out")
                .join(h)
                .join("notepad.exe")
                .is_file(),
            "{h}"
        );
    }
    shell.quit();
    let evidence = std::fs::read_to_string(dir.path().join("case").join("evidence.jsonl")).unwrap();
    for h in HOSTS {
        assert!(
            evidence.contains(&format!("\"host\":\"{h}\"")),
            "{h}: {evidence}"
        );
    }

    // An offline host queues the command; `:queued` shows its output once it has run.
    let offline = device(&sim, "WS-108");
    let dir = tempfile::tempdir().unwrap();
    let mut shell = Shell::spawn(
        dir.path(),
        &sim,
        SECRET,
        &[
            "shell",
            "--host",
            "WS-042",
            "--host",
            "WS-108",
            "--queue-offline",
        ],
    );
    shell.expect("rtr[2]> ");
    let shown = shell.line_until("ps", "rtr[2]> ");
    assert!(block_of(&shown, "WS-108").contains("queued"), "{shown}");
    assert!(sim.state().set_online(&offline, true));
    let shown = shell.line_until(":queued", "rtr[2]> ");
    let block = block_of(&shown, "WS-108 `ps`");
    assert!(names(&block).contains(&"4".to_string()), "{shown}");
    shell.quit();
}

#[test]
fn a_group_names_its_hosts_and_no_target_is_refused_before_anything_is_sent() {
    const SECRET: &str = "shell-test-secret-0xGROUP";
    let sim = tenant(SECRET, 200);
    let dir = tempfile::tempdir().unwrap();
    let mut shell = Shell::spawn(dir.path(), &sim, SECRET, &["shell", "--group", "Servers"]);
    shell.expect("rtr[3]> ");
    let shown = shell.line_until(":hosts", "rtr[3]> ");
    for h in ["SRV-DC01", "web-01", "web-02"] {
        assert!(shown.contains(h), "{shown}");
    }
    shell.quit();

    let before = sim.state().request_log().len();
    crate::common::Test::new()
        .command(&["shell"])
        .tenant(&sim)
        .run()
        .status(2)
        .stderr_has(
            "`falconry shell` needs targets: `--host NAME`, `--filter FQL` or `--group NAME`",
        );
    assert_eq!(
        sim.state().request_log().len(),
        before,
        "a request was sent"
    );
}

#[test]
fn plan_mode_shows_what_would_run_and_sends_no_change() {
    const SECRET: &str = "shell-test-secret-0xPLAN";
    let sim = tenant(SECRET, 200);
    let dir = tempfile::tempdir().unwrap();
    let mut shell = Shell::start(dir.path(), &sim, SECRET, &["--plan"]);
    let rm = r"rm C:\Windows\notepad.exe";
    // Planned, not asked about: nothing is sent, so there is nothing to allow.
    let shown = shell.line(rm);
    assert!(!shown.contains("allow destructive"), "{shown}");
    assert!(
        block_of(&shown, "WS-042").contains("planned, not sent"),
        "{shown}"
    );
    // Reads still run.
    let shown = shell.line(r"ls C:\Windows");
    assert!(names(&block_of(&shown, "WS-042")).contains(&"notepad.exe".to_string()));
    shell.session.send(ControlCode::EndOfTransmission).unwrap();
    // The plan is printed on the way out.
    let plan = shell.expect("would create").replace('\r', "");
    assert!(plan.contains(&format!("`{rm}` via")), "{plan}");
    for h in HOSTS {
        assert!(plan.contains(h), "{plan}");
    }
    assert!(sim.state().executions_by_host(rm).is_empty());
}
