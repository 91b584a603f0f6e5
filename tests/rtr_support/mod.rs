//! A tenant for the RTR and playbook tests: an emulator that outlives several runs of the real
//! `falconry` binary, so a test can run a playbook, look at the emulator's state, and run again.

#![allow(dead_code)] // each test binary uses a different part of the helper

use falconry::sim::{SimConfig, SimHandle, State};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::MutexGuard;

pub const SECRET: &str = "rtr-tests-secret-never-printed";

/// Device ids of the built-in fleet.
pub const WS_042: &str = "4d2c8e1f0a9b47c3b6e5d4c3b2a19f80";
pub const WEB_01: &str = "9a7f3c2e1d0b4a5f8e6d7c4b3a2f1e07";
pub const WS_108: &str = "1c0e9d8b7a6f45e3a2b1c0d9e8f7a6b5";
pub const FIN_WS_003: &str = "5e1d2c3b4a5f46e7b8c9d0e1f2a3b403";

pub struct Tenant {
    pub sim: SimHandle,
    /// The working folder of every run (`--out` goes to `out/` inside it).
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
}

impl Run {
    pub fn ok(&self) -> &Run {
        assert_eq!(self.code, Some(0), "{}", self.show());
        assert!(!self.stdout.contains(SECRET) && !self.stderr.contains(SECRET));
        self
    }

    /// The playbook ran to its end, but a destructive step was refused: exit code 3 and the summary.
    #[track_caller]
    pub fn refused(&self) -> &Run {
        assert_eq!(self.code, Some(3), "{}", self.show());
        assert!(
            self.stderr.contains("changes already made"),
            "{}",
            self.show()
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        let start = self.stdout.find("\n{").map_or(0, |i| i + 1);
        let text = if self.stdout.starts_with('{') {
            &self.stdout[..]
        } else {
            &self.stdout[start..]
        };
        serde_json::from_str(text).unwrap_or_else(|e| panic!("no JSON ({e})\n{}", self.show()))
    }

    pub fn show(&self) -> String {
        format!(
            "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Tenant {
    /// The built-in scenario (the fleet with WS-042 and web-01 compromised).
    pub fn new() -> Tenant {
        Tenant::with_scenario("")
    }

    /// A scenario in TOML (`command_latency_ms = 500` ...); the built-in fleet unless it lists hosts.
    pub fn with_scenario(toml: &str) -> Tenant {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let scenario = dir.path().join("scenario.toml");
        std::fs::write(&scenario, toml).expect("write the scenario");
        let sim = falconry::sim::start(SimConfig {
            scenario: Some(scenario),
            client_id: "rtr-tests".into(),
            client_secret: SECRET.into(),
            ..SimConfig::default()
        })
        .expect("start the emulator");
        Tenant { sim, dir }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.sim.state()
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// Runs a shipped playbook (`playbooks/NAME`) with `--json` and the extra arguments.
    pub fn playbook(&self, name: &str, extra: &[&str]) -> Run {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("playbooks")
            .join(name);
        self.run(&path, extra)
    }

    /// Writes `text` as a playbook in the working folder and runs it with `--json`.
    pub fn script(&self, text: &str, extra: &[&str]) -> Run {
        let path = self.dir.path().join("test.rhai");
        std::fs::write(&path, text).expect("write the playbook");
        self.run(&path, extra)
    }

    pub fn run(&self, playbook: &Path, extra: &[&str]) -> Run {
        let out = self.out();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_falconry"));
        cmd.arg("run")
            .arg(playbook)
            .arg("--json")
            .arg("--out")
            .arg(&out)
            .args(extra)
            .current_dir(self.dir.path())
            .env_remove("FALCON_MEMBER_CID")
            .env_remove("FALCON_CLOUD")
            .env("FALCON_CLIENT_ID", "rtr-tests")
            .env("FALCON_CLIENT_SECRET", SECRET)
            .env("FALCON_BASE_URL", self.sim.base_url())
            // An audit log inside the test folder, never the user's.
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("HOME", self.dir.path());
        let o = cmd.output().expect("run falconry");
        Run {
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            code: o.status.code(),
        }
    }

    /// Whether a process with this name runs on the host, in the emulator's own state.
    pub fn runs(&self, device_id: &str, name: &str) -> bool {
        self.state()
            .host(device_id)
            .is_some_and(|h| h.processes.by_name(name).is_some())
    }

    /// Whether the file exists on the host, in the emulator's own state.
    pub fn has_file(&self, device_id: &str, path: &str) -> bool {
        self.state()
            .host(device_id)
            .is_some_and(|h| h.fs.get(path).is_some())
    }

    /// Requests whose path contains `fragment`.
    pub fn count(&self, method: &str, fragment: &str) -> usize {
        self.state()
            .request_log()
            .iter()
            .filter(|e| e.method == method && e.path.contains(fragment))
            .count()
    }

    /// How many `method` requests whose path holds `fragment` the emulator received from the
    /// `skip`-th request on, before the first request that matches `until` (method, fragment).
    pub fn count_before(
        &self,
        skip: usize,
        (method, fragment): (&str, &str),
        until: (&str, &str),
    ) -> usize {
        self.state()
            .request_log()
            .iter()
            .skip(skip)
            .take_while(|e| !(e.method == until.0 && e.path.contains(until.1)))
            .filter(|e| e.method == method && e.path.contains(fragment))
            .count()
    }

    /// How many requests the emulator has received so far.
    pub fn requests(&self) -> usize {
        self.state().request_log().len()
    }

    /// No RTR command ran twice.
    pub fn each_command_ran_once(&self) {
        let state = self.state();
        for (id, n) in state.execution_counts() {
            assert_eq!(*n, 1, "cloud request `{id}` ran {n} times");
        }
    }
}

/// The SHA256 of some bytes, in hex.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
