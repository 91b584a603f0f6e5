//! Client processes: how each is started against the emulator, timed, and (optionally) measured
//! for peak resident memory with `/usr/bin/time -v`.

use crate::emulator::Emulator;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GNU_TIME: &str = "/usr/bin/time";

/// One finished client process.
pub struct Finished {
    pub wall: Duration,
    pub stdout: String,
    /// Peak resident set size in KiB, when measured.
    pub peak_rss_kib: Option<u64>,
    /// User plus system CPU seconds of the whole process, when measured with the peak.
    pub cpu_secs: Option<f64>,
    /// Minor page faults (a fresh page of memory touched), when measured with the peak.
    pub minor_faults: Option<u64>,
}

impl Finished {
    /// The JSON a `falconry run --json` (or a helper script) printed.
    pub fn json(&self) -> Result<serde_json::Value, String> {
        serde_json::from_str(&self.stdout)
            .map_err(|e| format!("client output is not JSON ({e}): {}", self.stdout))
    }
}

/// The `secs` a playbook or helper timed itself and printed in its JSON answer.
pub fn secs(out: &serde_json::Value) -> Result<f64, String> {
    out["secs"]
        .as_f64()
        .ok_or_else(|| format!("no `secs` in the client's answer: {out}"))
}

/// Whether peak memory can be measured here.
pub fn can_measure_memory() -> bool {
    Path::new(GNU_TIME).exists()
}

/// A command with a clean Falcon environment: credentials of `sim` when given (a tenant run),
/// none otherwise (`falconry run` then starts its embedded emulator). Runs in `work`, where
/// `falconry-out/` and the audit log land.
pub fn command(program: &Path, args: &[&str], sim: Option<&Emulator>, work: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(work);
    for var in [
        "FALCON_CLIENT_ID",
        "FALCON_CLIENT_SECRET",
        "FALCON_BASE_URL",
        "FALCON_CLOUD",
        "FALCON_MEMBER_CID",
    ] {
        cmd.env_remove(var);
    }
    // The audit log of a tenant run goes to the scratch folder, not the user's data folder.
    cmd.env("XDG_DATA_HOME", work.join("data"));
    if let Some(sim) = sim {
        cmd.env("FALCON_CLIENT_ID", sim.client_id())
            .env("FALCON_CLIENT_SECRET", sim.client_secret())
            .env("FALCON_BASE_URL", sim.url());
    }
    cmd
}

/// Runs `cmd` to completion; a failure (non-zero exit) is an error carrying its stderr.
pub fn run(cmd: &Command, measure_memory: bool) -> Result<Finished, String> {
    let rss_file = measure_memory
        .then(|| std::env::temp_dir().join(format!("bench-rss-{}", std::process::id())));
    let mut actual = match &rss_file {
        Some(file) if can_measure_memory() => {
            let args: [&std::ffi::OsStr; 3] = ["-v".as_ref(), "-o".as_ref(), file.as_os_str()];
            wrapped(Path::new(GNU_TIME), &args, cmd)
        }
        _ => {
            let mut same = Command::new(cmd.get_program());
            same.args(cmd.get_args());
            copy_setup(cmd, &mut same);
            same
        }
    };
    actual
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let out = actual.output().map_err(|e| {
        format!(
            "cannot start `{}`: {e}",
            cmd.get_program().to_string_lossy()
        )
    })?;
    let wall = started.elapsed();
    if !out.status.success() {
        return Err(format!(
            "`{}` failed ({}): {}",
            show(cmd),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let report = rss_file.as_ref().and_then(|f| {
        let text = std::fs::read_to_string(f).ok();
        let _ = std::fs::remove_file(f);
        text
    });
    let field = |name: &str| -> Option<&str> {
        report
            .as_deref()?
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(str::trim)
    };
    let peak_rss_kib = field("Maximum resident set size (kbytes):").and_then(|v| v.parse().ok());
    let cpu_secs = field("User time (seconds):")
        .zip(field("System time (seconds):"))
        .and_then(|(u, s)| Some(u.parse::<f64>().ok()? + s.parse::<f64>().ok()?));
    let minor_faults =
        field("Minor (reclaiming a frame) page faults:").and_then(|v| v.parse().ok());
    Ok(Finished {
        wall,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        peak_rss_kib,
        cpu_secs,
        minor_faults,
    })
}

/// `cmd` run under `program args...` (a profiler, a timer), with its folder and environment.
pub fn wrapped<A: AsRef<std::ffi::OsStr>>(program: &Path, args: &[A], cmd: &Command) -> Command {
    let mut outer = Command::new(program);
    outer.args(args).arg(cmd.get_program()).args(cmd.get_args());
    copy_setup(cmd, &mut outer);
    outer
}

fn copy_setup(from: &Command, to: &mut Command) {
    if let Some(dir) = from.get_current_dir() {
        to.current_dir(dir);
    }
    for (k, v) in from.get_envs() {
        match v {
            Some(v) => to.env(k, v),
            None => to.env_remove(k),
        };
    }
}

/// The command as a reader would type it: program and arguments, Falcon variables named, never
/// their values (the secret is the emulator's public default, but habits matter).
pub fn show(cmd: &Command) -> String {
    show_wrapped(cmd, "")
}

/// As [`show`], with `wrapper` (e.g. `/usr/bin/time -v`) between the variables and the program.
pub fn show_wrapped(cmd: &Command, wrapper: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    if cmd
        .get_envs()
        .any(|(k, v)| k == "FALCON_BASE_URL" && v.is_some())
    {
        words.push("FALCON_BASE_URL=$SIM FALCON_CLIENT_ID=… FALCON_CLIENT_SECRET=…".into());
    }
    if !wrapper.is_empty() {
        words.push(wrapper.into());
    }
    words.push(short(Path::new(cmd.get_program())));
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        words.push(if a.starts_with("http://127.0.0.1:") {
            "$SIM".into()
        } else if a.contains('/') {
            short(Path::new(a.as_ref()))
        } else {
            a.into_owned()
        });
    }
    words.join(" ")
}

/// Paths inside the repository are shown relative to it (the report is read from there).
fn short(path: &Path) -> String {
    let root = std::env::current_dir().unwrap_or_default();
    path.strip_prefix(&root)
        .map(PathBuf::from)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}
