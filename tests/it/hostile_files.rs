//! Hostile files and paths (issue 23, breaks 5 and 7): a playbook whose path is not UTF-8 runs and
//! leaves a whole case; a case whose files were replaced by links, hard links or FIFOs is refused
//! (never followed, never blocked on). Through the binary on the embedded emulator.

use crate::common::Test;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// The one case folder a run left under `out/cases`.
fn case_of(dir: &std::path::Path) -> PathBuf {
    let cases: Vec<PathBuf> = std::fs::read_dir(dir.join("out/cases"))
        .expect("a case folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(cases.len(), 1, "{cases:?}");
    cases[0].clone()
}

#[test]
fn a_playbook_path_that_is_not_utf8_runs_and_leaves_a_whole_case() {
    let t = Test::new();
    let name = OsStr::from_bytes(b"triage\xff.rhai");
    std::fs::write(t.path().join(name), "print(\"ran\"); 42").unwrap();
    let dir = t.path().to_path_buf();
    let out = t
        .command(&["run"])
        .arg(&String::from_utf8_lossy(name.as_bytes()))
        .run();
    // The lossy name is not the file: a clear error, no panic.
    out.status(1).stderr_has("cannot read");
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);

    let run = std::process::Command::new(env!("CARGO_BIN_EXE_falconry"))
        .arg("run")
        .arg(name)
        .args(["--out", "out"])
        .current_dir(&dir)
        .env_remove("FALCON_CLIENT_ID")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{err}");
    assert!(String::from_utf8_lossy(&run.stdout).contains("ran"));
    let case = case_of(&dir);
    for f in ["summary.json", "manifest.json", "case.json"] {
        assert!(case.join(f).is_file(), "{f} is missing");
    }
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_falconry"))
        .args(["case", "verify"])
        .arg(&case)
        .output()
        .unwrap();
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
}
