//! A small fluent helper that runs the real `falconry` binary in a temporary folder.
//!
//! `Test::new().playbook("...").arg("--json").run().status(0).stdout_has("...")`

#![allow(dead_code)] // each test binary uses a different part of the helper

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const PLAYBOOK: &str = "playbook.rhai";
/// A client secret no output may ever contain.
pub const SECRET: &str = "s3cr3t-never-printed-0xC0FFEE";

pub struct Test {
    dir: tempfile::TempDir,
    command: Vec<String>,
    args: Vec<String>,
    env: Vec<(String, String)>,
    limit: Duration,
    emulator: Option<falconry::sim::SimHandle>,
    interrupt_after: Option<Duration>,
}

impl Default for Test {
    fn default() -> Test {
        Test::new()
    }
}

impl Test {
    pub fn new() -> Test {
        Test {
            dir: tempfile::tempdir().expect("a temporary folder"),
            command: Vec::new(),
            args: Vec::new(),
            env: Vec::new(),
            limit: Duration::from_secs(120),
            emulator: None,
            interrupt_after: None,
        }
    }

    /// Writes `playbook.rhai` and makes the command `run playbook.rhai` (unless one was given).
    pub fn playbook(self, text: &str) -> Test {
        let t = self.file(PLAYBOOK, text);
        if t.command.is_empty() {
            t.command(&["run", PLAYBOOK])
        } else {
            t
        }
    }

    /// Writes a file relative to the test folder.
    pub fn file(self, name: &str, text: &str) -> Test {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::write(path, text).expect("write file");
        self
    }

    /// The subcommand and its first arguments, e.g. `["check", "a.rhai"]`.
    pub fn command(mut self, words: &[&str]) -> Test {
        self.command = words.iter().map(|w| w.to_string()).collect();
        self
    }

    /// One more command-line argument.
    pub fn arg(mut self, a: &str) -> Test {
        self.args.push(a.to_string());
        self
    }

    pub fn env(mut self, k: &str, v: &str) -> Test {
        self.env.push((k.to_string(), v.to_string()));
        self
    }

    /// Credentials for a tenant that does not exist (a closed loopback port), with a secret to look for:
    /// anything that reaches the network fails with a connection error.
    pub fn unreachable_tenant(self) -> Test {
        self.env("FALCON_CLIENT_ID", "falconry-test")
            .env("FALCON_CLIENT_SECRET", SECRET)
            .env("FALCON_BASE_URL", "http://127.0.0.1:9")
    }

    /// Sends SIGINT (Ctrl-C) to falconry once this long after it starts.
    pub fn interrupt_after(mut self, d: Duration) -> Test {
        self.interrupt_after = Some(d);
        self
    }

    /// Runs against an emulator started by the test (so the test can read what it received), reached
    /// over loopback by the real client with credentials from the environment, as a tenant would be.
    pub fn emulator(mut self) -> Test {
        let sim = falconry::sim::start(falconry::sim::SimConfig {
            client_id: "falconry-test".into(),
            client_secret: SECRET.into(),
            ..falconry::sim::SimConfig::default()
        })
        .expect("start the emulator");
        let url = sim.base_url();
        self.emulator = Some(sim);
        self.env("FALCON_CLIENT_ID", "falconry-test")
            .env("FALCON_CLIENT_SECRET", SECRET)
            .env("FALCON_BASE_URL", &url)
    }

    /// Runs against an emulator the test keeps (one tenant for several runs), reached over loopback
    /// with credentials from the environment, as `.emulator()` does.
    pub fn tenant(self, sim: &falconry::sim::SimHandle) -> Test {
        self.env("FALCON_CLIENT_ID", &sim.client_id)
            .env("FALCON_CLIENT_SECRET", &sim.client_secret)
            .env("FALCON_BASE_URL", &sim.base_url())
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn run(mut self) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_falconry"));
        cmd.args(&self.command)
            .args(&self.args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for k in [
            "FALCON_CLIENT_ID",
            "FALCON_CLIENT_SECRET",
            "FALCON_MEMBER_CID",
            "FALCON_CLOUD",
            "FALCON_BASE_URL",
        ] {
            cmd.env_remove(k);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start falconry");
        // Read both pipes on threads so a chatty child never blocks.
        let mut out = child.stdout.take().expect("stdout");
        let mut err = child.stderr.take().expect("stderr");
        let out = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = out.read_to_string(&mut s);
            s
        });
        let err = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        let started = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break s;
            }
            if self.interrupt_after.is_some_and(|d| started.elapsed() >= d) {
                let _ = Command::new("kill")
                    .args(["-INT", &child.id().to_string()])
                    .status();
                self.interrupt_after = None;
            }
            if started.elapsed() > self.limit {
                let _ = child.kill();
                panic!("falconry did not finish within {:?}", self.limit);
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        Output {
            stdout: out.join().expect("stdout reader"),
            stderr: err.join().expect("stderr reader"),
            code: status.code(),
            elapsed: started.elapsed(),
            dir: self.dir.path().to_path_buf(),
            emulator: self.emulator,
            _keep: self.dir,
        }
    }
}

pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
    pub elapsed: Duration,
    pub dir: PathBuf,
    emulator: Option<falconry::sim::SimHandle>,
    _keep: tempfile::TempDir,
}

impl Output {
    fn show(&self) -> String {
        format!(
            "exit code {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    pub fn status(&self, code: i32) -> &Output {
        assert_eq!(self.code, Some(code), "{}", self.show());
        self
    }

    pub fn stdout_has(&self, s: &str) -> &Output {
        assert!(
            self.stdout.contains(s),
            "stdout lacks {s:?}\n{}",
            self.show()
        );
        self
    }

    pub fn stderr_has(&self, s: &str) -> &Output {
        assert!(
            self.stderr.contains(s),
            "stderr lacks {s:?}\n{}",
            self.show()
        );
        self
    }

    pub fn stdout_is(&self, s: &str) -> &Output {
        assert_eq!(self.stdout, s, "{}", self.show());
        self
    }

    pub fn stderr_is(&self, s: &str) -> &Output {
        assert_eq!(self.stderr, s, "{}", self.show());
        self
    }

    pub fn stdout_lacks(&self, s: &str) -> &Output {
        assert!(
            !self.stdout.contains(s),
            "stdout has {s:?}\n{}",
            self.show()
        );
        self
    }

    pub fn stderr_lacks(&self, s: &str) -> &Output {
        assert!(
            !self.stderr.contains(s),
            "stderr has {s:?}\n{}",
            self.show()
        );
        self
    }

    /// Neither stream shows the test secret.
    /// Neither the client secret nor any bearer token the emulator issued shows in the output
    /// or in any file the run left in its folder (downloads, audit log, results).
    pub fn no_secret(&self) -> &Output {
        let mut needles = vec![SECRET.to_string()];
        if let Some(sim) = &self.emulator {
            needles.extend(sim.state().issued_tokens());
        }
        let files = walk(&self.dir);
        for n in &needles {
            self.stdout_lacks(n).stderr_lacks(n);
            for f in &files {
                let bytes = std::fs::read(f).unwrap_or_default();
                assert!(
                    !String::from_utf8_lossy(&bytes).contains(n.as_str()),
                    "a secret is in {}",
                    f.display()
                );
            }
        }
        self
    }

    pub fn finished_within(&self, d: Duration) -> &Output {
        assert!(self.elapsed < d, "took {:?}\n{}", self.elapsed, self.show());
        self
    }

    /// `METHOD path` of every request the test's emulator received (token requests included).
    pub fn requests(&self) -> Vec<String> {
        let sim = self
            .emulator
            .as_ref()
            .expect("a test started with `.emulator()`");
        sim.state()
            .request_log()
            .iter()
            .map(|e| format!("{} {}", e.method, e.path))
            .collect()
    }

    /// (operation id, status) of every request the emulator routed to an operation.
    pub fn operations(&self) -> Vec<(&'static str, u16)> {
        let sim = self
            .emulator
            .as_ref()
            .expect("a test started with `.emulator()`");
        sim.state()
            .request_log()
            .iter()
            .filter_map(|e| e.op.map(|op| (op, e.status)))
            .collect()
    }

    /// The emulator received nothing at all: not even a token request.
    pub fn nothing_sent(&self) -> &Output {
        let sent = self.requests();
        assert!(sent.is_empty(), "sent {sent:?}\n{}", self.show());
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{}", self.show()))
    }
}

/// Every file below `dir` (none when it does not exist).
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            files.extend(walk(&p));
        } else {
            files.push(p);
        }
    }
    files
}

/// A program a test cannot run without (FalconPy's python, schemathesis, chromium): its path, or a
/// failure that says how to install it. Never a skip that reports "ok": a test that did not run
/// must not pass. `.ci/run` installs all of them.
pub fn required_tool(candidates: &[PathBuf], install: &str) -> PathBuf {
    match candidates.iter().find(|p| p.exists()) {
        Some(p) => p.clone(),
        None => panic!(
            "this test needs {} and it is not installed: {install} (`.ci/run` installs every tool \
             the tests need, then runs them)",
            candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

/// For a command that runs a nested cargo inside a test: removes what `cargo test` set for this
/// test. Build scripts that watch one of these (ring's watches `CARGO_MANIFEST_DIR` and
/// `CARGO_PKG_NAME`) would run again in a shared target folder, and the next build would redo
/// everything above them.
pub fn without_test_cargo_env(cmd: &mut Command) -> &mut Command {
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "OUT_DIR",
            ]
            .contains(&name.as_ref())
        {
            cmd.env_remove(name.as_ref());
        }
    }
    cmd
}
