//! Resource use under hostile answers and tenants (issue 23, break 9): an endless answer is cut at
//! the cap with the process's peak memory within 1.2 times the cap; a policy name of megabytes is
//! cut in what is printed. Through the binary against a hostile peer and the emulator.

use crate::hostile_support::{Reply, peer};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The most resident memory the process has had (`VmHWM`), in bytes, while it was alive to ask.
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[test]
fn an_endless_answer_is_cut_at_the_cap_within_its_memory() {
    let cap: u64 = 128 << 20;
    let p = peer(|req| {
        if req.path() == "/oauth2/token" {
            Reply::token()
        } else {
            Reply::Endless
        }
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("read.rhai"),
        "hosts::query_devices_by_filter(#{ limit: 1 })",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_falconry"))
        .args(["run", "read.rhai", "--no-case"])
        .current_dir(dir.path())
        .env("FALCON_CLIENT_ID", "limits")
        .env("FALCON_CLIENT_SECRET", "limits-secret")
        .env("FALCON_BASE_URL", &p.url)
        .env("FALCONRY_MAX_ANSWER_BYTES", cap.to_string())
        .env("XDG_DATA_HOME", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Asked until the process is gone; the high-water mark only rises, so the last answer is the
    // peak but for the last few milliseconds (after the cut, when nothing more is read).
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        if let Some(p) = peak_rss(child.id()) {
            peak = peak.max(p);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "the answer is larger than {cap} bytes and was not read"
        )),
        "{err}"
    );
    assert!(peak > 0, "the process was seen");
    let limit = cap + cap / 5;
    assert!(
        peak <= limit,
        "peak resident memory {} MiB, more than 1.2 times the {} MiB cap",
        peak >> 20,
        cap >> 20
    );
}

#[test]
fn a_policy_name_of_a_megabyte_is_cut_where_it_is_printed() {
    use crate::hostile_support::{against, tenant};
    let long = "N".repeat(1 << 20);
    let dir = tempfile::tempdir().unwrap();
    let sim = tenant(
        dir.path(),
        &format!(
            "command_latency_ms = 0\n\n[[policies]]\nname = \"{long}\"\nplatform = \"Windows\"\nsettings = {{ PutCommand = false }}\n"
        ),
    );
    let owned = "[platforms.Windows]\nexclusive = true\n";
    let plan = against(&sim)
        .file("p.toml", owned)
        .command(&["policy", "plan", "p.toml"])
        .run();
    let cut = format!("{}… ({} more bytes)", "N".repeat(120), (1 << 20) - 120);
    plan.status(2)
        .stdout_has(&format!("  - delete Windows policy `{cut}`\n"));
    assert!(
        plan.stdout.len() < 10_000,
        "{} bytes printed",
        plan.stdout.len()
    );
    let apply = against(&sim)
        .file("p.toml", owned)
        .command(&["policy", "apply", "p.toml"])
        .run();
    apply.status(3).stderr_has(&cut);
    assert!(
        apply.stderr.len() < 10_000,
        "{} bytes printed",
        apply.stderr.len()
    );
}
