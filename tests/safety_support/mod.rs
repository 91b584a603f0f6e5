//! Test support shared by the safety, fault and bad-input tests: an emulator per test, and the real
//! `falconry` binary run against it through a small builder, never hanging (a deadline kills it).

#![allow(dead_code)]

use falconry::ops::{self, Effect};
use falconry::sim::{self, SimConfig, SimHandle};
use serde_json::Value;
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A scenario with named hosts, a fast command latency and no rate limit unless `extra` sets one.
pub fn scenario(hosts: &[(&str, &str, bool)], extra: &str) -> String {
    let mut s = String::new();
    if !extra.contains("command_latency_ms") {
        s.push_str("command_latency_ms = 50\n");
    }
    s.push_str(extra);
    s.push('\n');
    for (hostname, platform, online) in hosts {
        s.push_str(&format!(
            "[[hosts]]\nhostname = \"{hostname}\"\nplatform = \"{platform}\"\nonline = {online}\n"
        ));
    }
    s
}

/// Two Windows hosts and a Linux one, all online.
pub fn fleet(extra: &str) -> String {
    scenario(
        &[
            ("WS-042", "Windows", true),
            ("WS-043", "Windows", true),
            ("LX-007", "Linux", true),
        ],
        extra,
    )
}

/// An emulator and a scratch folder (playbooks, audit log, `HOME`) for one test.
pub struct Tenant {
    pub sim: SimHandle,
    pub dir: tempfile::TempDir,
}

impl Tenant {
    pub fn new(scenario_toml: &str) -> Tenant {
        let config = SimConfig::default();
        let scenario = sim::Scenario::parse(scenario_toml).expect("scenario parses");
        let state = sim::State::new(
            scenario,
            7,
            config.client_id.clone(),
            config.client_secret.clone(),
        )
        .expect("state builds");
        Tenant {
            sim: sim::start_with_state(&config, state).expect("emulator starts"),
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }

    pub fn device_id(&self, hostname: &str) -> String {
        self.sim
            .state()
            .device_id_of(hostname)
            .unwrap_or_else(|| panic!("{hostname} is in the scenario"))
    }

    /// `falconry run` of `text` (saved as `playbook.rhai` in the scratch folder).
    pub fn run(&self, text: &str) -> Run {
        let p = self.write("playbook.rhai", text);
        let mut r = Run::new(self);
        r.args.push("run".into());
        r.args.push(p.into());
        r
    }

    /// The emulator's log entries for operations that change state, in order, as operation ids.
    pub fn state_changes_received(&self) -> Vec<(&'static str, u16)> {
        self.sim
            .state()
            .request_log()
            .iter()
            .filter_map(|e| {
                let op = ops::by_id(e.op?)?;
                (op.changes_state() && op.collection != ops::Collection::OAuth2)
                    .then_some((op.id, e.status))
            })
            .collect()
    }

    pub fn count_received(&self, op_id: &str) -> usize {
        self.sim
            .state()
            .request_log()
            .iter()
            .filter(|e| e.op == Some(op_id))
            .count()
    }
}

/// Reads a JSON Lines file; every line must be whole JSON.
pub fn json_lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad audit line {l:?}: {e}")))
        .collect()
}

/// The audit log's outcome lines (one per state-changing request sent), checking on the way that each
/// follows an intent line with its id (written before the request went out).
#[track_caller]
pub fn audit_outcomes(path: &Path) -> Vec<Value> {
    let mut intents = std::collections::HashSet::new();
    let mut outcomes = Vec::new();
    for line in json_lines(path) {
        match line["phase"].as_str() {
            Some("intent") => {
                intents.insert(
                    line["id"]
                        .as_str()
                        .expect("an intent has an id")
                        .to_string(),
                );
            }
            Some("outcome") => {
                let id = line["id"].as_str().expect("an outcome has an id");
                assert!(
                    intents.contains(id),
                    "outcome without an intent before it: {line}"
                );
                outcomes.push(line);
            }
            // The anchor of a closed case (its manifest's hash), not a request.
            Some("case") => {}
            _ => panic!("an audit line without a phase: {line}"),
        }
    }
    outcomes
}

pub fn effect_of(op_id: &str) -> Effect {
    ops::by_id(op_id).expect("known operation").effect
}

pub struct Run {
    pub args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    deadline: Duration,
    input: Option<String>,
}

#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub fn success(&self) -> &Outcome {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    /// The playbook ran to its end, but a destructive step was refused: exit code 3 and the summary.
    #[track_caller]
    pub fn refused(&self) -> &Outcome {
        assert_eq!(
            self.code, 3,
            "expected a refused step\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.contains("changes already made"),
            "{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn failure(&self) -> &Outcome {
        assert_ne!(
            self.code, 0,
            "expected failure\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert!(
            !self.stderr.contains("panicked"),
            "falconry panicked:\n{}",
            self.stderr
        );
        self
    }
}

impl Run {
    pub fn new(tenant: &Tenant) -> Run {
        let home = tenant.path("home");
        Run {
            args: Vec::new(),
            env: vec![
                ("FALCON_BASE_URL".into(), tenant.sim.base_url().into()),
                (
                    "FALCON_CLIENT_ID".into(),
                    tenant.sim.client_id.clone().into(),
                ),
                (
                    "FALCON_CLIENT_SECRET".into(),
                    tenant.sim.client_secret.clone().into(),
                ),
                ("HOME".into(), home.clone().into()),
                ("XDG_DATA_HOME".into(), home.join("data").into()),
            ],
            deadline: Duration::from_secs(90),
            input: None,
        }
    }

    /// The binary with no emulator credentials (for commands that need none).
    pub fn bare(args: &[&str]) -> Run {
        Run {
            args: args.iter().map(OsString::from).collect(),
            env: Vec::new(),
            deadline: Duration::from_secs(90),
            input: None,
        }
    }

    pub fn arg(mut self, a: impl Into<OsString>) -> Run {
        self.args.push(a.into());
        self
    }

    pub fn env(mut self, k: &str, v: impl Into<OsString>) -> Run {
        self.env.push((k.into(), v.into()));
        self
    }

    /// Text for standard input (closed after it), e.g. REPL statements.
    pub fn input(mut self, text: &str) -> Run {
        self.input = Some(text.to_string());
        self
    }

    pub fn deadline(mut self, d: Duration) -> Run {
        self.deadline = d;
        self
    }

    /// Runs to the end; a run past the deadline is killed and fails the test (a hang is a bug).
    pub fn output(mut self) -> Outcome {
        // Without credentials, its own working folder: the embedded emulator keeps its state file
        // there, never in the repository, and never shared with another test.
        let scratch = tempfile::tempdir().expect("a temporary folder");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_falconry"));
        if !self
            .env
            .iter()
            .any(|(k, _)| k.as_os_str() == "FALCON_CLIENT_ID")
        {
            cmd.current_dir(scratch.path());
        }
        cmd.args(&self.args)
            .env_remove("FALCON_CLIENT_ID")
            .env_remove("FALCON_CLIENT_SECRET")
            .env_remove("FALCON_BASE_URL")
            .env_remove("FALCON_CLOUD")
            .env_remove("FALCON_MEMBER_CID")
            .stdin(if self.input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("falconry starts");
        if let (Some(text), Some(mut stdin)) = (self.input.take(), child.stdin.take()) {
            use std::io::Write;
            std::thread::spawn(move || {
                let _ = stdin.write_all(text.as_bytes());
            });
        }
        let mut out = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = out.read_to_end(&mut s);
            s
        });
        let err_reader = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = err.read_to_end(&mut s);
            s
        });
        let started = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break s;
            }
            if started.elapsed() > self.deadline {
                let _ = child.kill();
                let _ = child.wait();
                let stderr = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
                panic!(
                    "falconry {:?} hung for more than {:?}\nstderr: {stderr}",
                    self.args, self.deadline
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        Outcome {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&reader.join().unwrap()).into_owned(),
            stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
        }
    }
}

/// The audit log against the emulator's own log: the same state-changing operations in the same order,
/// with the same status wherever an answer arrived. Answers the emulator gave before the request could
/// act (401 for an expired token, 429 for the rate limit) are retried by the client and are not changes.
#[track_caller]
pub fn assert_audit_matches(t: &Tenant, audit: &Path) -> Vec<Value> {
    let lines = audit_outcomes(audit);
    let received: Vec<(&str, u16)> = t
        .state_changes_received()
        .into_iter()
        .filter(|(_, status)| *status != 401 && *status != 429)
        .collect();
    let logged: Vec<&str> = lines
        .iter()
        .map(|l| l["operation_id"].as_str().expect("operation_id"))
        .collect();
    let got: Vec<&str> = received.iter().map(|(op, _)| *op).collect();
    assert_eq!(
        logged, got,
        "audit log and emulator disagree on what was sent"
    );
    for (line, (op, status)) in lines.iter().zip(&received) {
        if let Some(s) = line["status"].as_u64() {
            assert_eq!(s, u64::from(*status), "status of {op}: {line}");
        } else {
            assert!(
                line["error"].is_string(),
                "a line without status says why: {line}"
            );
        }
    }
    lines
}

/// No RTR command ran more than once on its host.
#[track_caller]
pub fn assert_no_command_ran_twice(t: &Tenant) {
    let state = t.sim.state();
    for (id, n) in state.execution_counts() {
        assert_eq!(*n, 1, "command `{id}` ran {n} times");
    }
}

/// `falconry repl` on a pseudo-terminal against the tenant (so it asks before destructive requests).
pub fn repl_on_terminal(t: &Tenant) -> expectrl::session::OsSession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_falconry"));
    cmd.arg("repl")
        .arg("--history")
        .arg(t.path("history"))
        .env("FALCON_BASE_URL", t.sim.base_url())
        .env("FALCON_CLIENT_ID", &t.sim.client_id)
        .env("FALCON_CLIENT_SECRET", &t.sim.client_secret)
        .env("HOME", t.path("home"))
        .env("XDG_DATA_HOME", t.path("home/data"));
    let mut s = expectrl::Session::spawn(cmd).expect("repl starts on a terminal");
    s.set_expect_timeout(Some(Duration::from_secs(30)));
    s
}

/// Types one line at the REPL's prompt. The line editor reads raw keys once its prompt is up: Enter
/// is a carriage return.
pub fn enter(s: &mut impl expectrl::Expect, line: &str) {
    s.expect("falconry> ").unwrap();
    s.send(format!("{line}\r")).unwrap();
}
