//! The benchmark script still works: `bench/run.sh --smoke` builds the harness, runs every case at
//! a tiny size and writes a report with every case and a verdict line for each target. Figures are
//! not asserted: performance targets live in BENCHMARKS.md, never in timed tests.

use std::path::Path;
use std::process::Command;

#[test]
fn smoke_run_writes_a_report_with_every_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The test's own target folder, so the nested build reuses what `cargo test` just compiled.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder holds `tmp`")
        .to_path_buf();
    let scratch = tempfile::tempdir().unwrap();
    let report = scratch.path().join("BENCHMARKS.md");
    // The harness is built by a nested cargo (without this test's CARGO_* variables, so nothing
    // above it is rebuilt); falconry is the binary `cargo test` built, so nothing relinks it while
    // other tests start it.
    let mut bash = Command::new("bash");
    let out = crate::common::without_test_cargo_env(&mut bash)
        .arg(root.join("bench/run.sh"))
        .args(["--smoke", "--out"])
        .arg(&report)
        .current_dir(root)
        .env("CARGO", env!("CARGO"))
        .env("CARGO_TARGET_DIR", &target)
        .env("FALCONRY_BIN", env!("CARGO_BIN_EXE_falconry"))
        .output()
        .expect("bash runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "bench/run.sh --smoke failed:\n{stderr}"
    );
    let text = std::fs::read_to_string(&report).expect("the report is written");
    for heading in [
        "## Machine",
        "## Summary",
        "## 1. Start-up",
        "## 2. Per-call overhead",
        "## 3. Fan-out",
        "## 4. Polling",
        "## 5. Memory",
        "## 6. Rate limit",
        "## 8. Case cost",
        "## Emulator",
    ] {
        assert!(text.contains(heading), "no `{heading}` in:\n{text}");
    }
    assert!(text.contains("| cores (nproc) |"), "{text}");
    assert!(text.contains("load average"), "{text}");
    // Whether falconry was linked in the order of `src/call-graph.txt` (here a test build, which
    // `build.rs` leaves in the compiler's order, so few or none of its names are found).
    assert!(
        text.contains("| falconry's link order (`build.rs`")
            && text.contains("functions `call-graph.txt` names are in the binary"),
        "{text}"
    );
    // What a fresh page costs here: the figure the large batch's reason is read against.
    assert!(
        text.contains("| a fresh 4 KiB page of memory (first write, `bench fresh-pages 256`"),
        "{text}"
    );
    // Every target line carries a verdict, and no case failed.
    let targets: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("- target "))
        .collect();
    assert!(targets.len() >= 10, "{targets:?}");
    for line in &targets {
        assert!(
            line.contains("**met**")
                || line.contains("**not met**")
                || line.contains("**not run**"),
            "{line}"
        );
    }
    assert!(!text.contains("The case failed"), "{text}");
    // Start-up and per-call overhead never depend on optional tools: they always measure.
    assert!(
        text.contains("| `falconry run` empty playbook (tenant credentials) |"),
        "{text}"
    );
    // Per call, each client is pinned on one core with the emulator and on a core of its own
    // (`taskset`, two cores or more), or left unpinned where that cannot be done.
    let per_call = |client: &str| {
        ["", ", one core", ", two cores"]
            .iter()
            .filter(|place| text.contains(&format!("| {client}{place}: time per call |")))
            .count()
    };
    for client in ["falconry playbook", "raw reqwest loop"] {
        assert!(matches!(per_call(client), 1 | 2), "{client}:\n{text}");
    }
    // Beside each client's time, the emulator's CPU while it ran, where the kernel keeps each
    // thread's CPU time; on one core, the note that splits the difference between the two.
    let cpu_kept = std::fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse::<u64>().ok())
        .is_some_and(|ns| ns > 0);
    if cpu_kept {
        assert!(
            text.contains("| raw reqwest loop") && text.contains(": the emulator's CPU per call |"),
            "{text}"
        );
        if per_call("raw reqwest loop") == 2 {
            assert!(
                text.contains("On one core a call is the client's work and then the emulator's"),
                "{text}"
            );
        }
    }
    // The answers-kept variant sits beside the dropped one, and its ratio is in the verdict.
    assert!(per_call("falconry playbook, answers kept") >= 1, "{text}");
    assert!(text.contains("with each answer kept"), "{text}");
    // Beside the batch's per-host figure (from two medians), the same run by run: its spread.
    assert!(
        text.contains(": falconry's time per host, run by run |"),
        "{text}"
    );
    // What the process rows' twelfth key costs, beside the large answer it is read against.
    assert!(
        text.contains("maps of 12 keys in one array: building them")
            && text.contains("maps of 11 keys in one array: building them"),
        "{text}"
    );
}
