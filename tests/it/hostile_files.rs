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

/// `falconry ARGS...` in `dir`, on the embedded emulator.
fn falconry(dir: &std::path::Path, args: &[&OsStr]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_falconry"))
        .args(args)
        .current_dir(dir)
        .env_remove("FALCON_CLIENT_ID")
        .env_remove("FALCON_CLIENT_SECRET")
        .env_remove("FALCON_BASE_URL")
        .output()
        .unwrap()
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

#[test]
fn a_secret_given_as_an_argument_is_redacted_in_every_case_file_and_the_report() {
    use crate::common::SECRET;
    // The client secret as an `--arg`, and again as JSON spelled with an escape: the value is what
    // counts, not how it was typed.
    let escaped = format!(
        "j=\"{}\"",
        SECRET.replace('-', "\\u002d").replace('s', "\\u0073")
    );
    let out = Test::new()
        .playbook("print(`${args.k} ${args.j}`); #{ k: args.k, j: args.j }")
        .emulator()
        .arg("--arg")
        .arg(&format!("k={SECRET}"))
        .arg("--arg-json")
        .arg(&escaped)
        .arg("--audit")
        .arg("audit.jsonl")
        .arg("--json")
        .run();
    out.status(0).stderr_has("<redacted> <redacted>");
    let case = std::fs::read_dir(out.dir.join("falconry-out/cases"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .unwrap();
    let report = falconry(&out.dir, &[os("case"), os("report"), case.as_os_str()]);
    assert_eq!(report.status.code(), Some(0), "{report:?}");
    for f in ["case.json", "summary.json"] {
        let text = std::fs::read_to_string(case.join(f)).unwrap();
        assert!(text.contains("<redacted>"), "{f}: {text}");
    }
    // Every file the run and the report wrote, the HTML included.
    out.no_secret();
}

/// `case report` of `case` to `dir/r.html`, which must succeed; the HTML.
fn report(dir: &std::path::Path, case: &std::path::Path) -> String {
    let html = dir.join("r.html");
    let args = [
        os("case"),
        os("report"),
        case.as_os_str(),
        os("--out"),
        html.as_os_str(),
    ];
    let out = falconry(dir, &args);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    std::fs::read_to_string(&html).unwrap()
}

/// A run whose case has a blob (a long command output), for tampering with.
fn a_case_with_a_blob(dir: &std::path::Path) -> PathBuf {
    std::fs::write(
        dir.join("p.rhai"),
        r#"let s = rtr::session(hosts::find("WS-042")); s.run("ps").stdout.len()"#,
    )
    .unwrap();
    let run = falconry(
        dir,
        &[
            os("run"),
            os("p.rhai"),
            os("--out"),
            os("out"),
            os("--audit"),
            os("audit.jsonl"),
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let err = String::from_utf8_lossy(&run.stderr);
    let case = case_of(dir);
    // The manifest's hash is said at the end and written to the audit log (not the case's copy,
    // which the manifest covers), for anchoring the case elsewhere.
    let manifest = std::fs::read(case.join("manifest.json")).unwrap();
    let sha = crate::rtr_support::sha256(&manifest);
    assert!(
        err.contains(&format!("closed; manifest sha256 {sha}")),
        "{err}"
    );
    let audit = std::fs::read_to_string(dir.join("audit.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(last["phase"], "case", "{last}");
    assert_eq!(last["manifest_sha256"], sha.as_str(), "{last}");
    let verify = falconry(dir, &[os("case"), os("verify"), case.as_os_str()]);
    assert_eq!(verify.status.code(), Some(0), "{verify:?}");
    case
}

#[test]
fn a_blob_replaced_by_a_link_is_never_read_into_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let case = a_case_with_a_blob(dir.path());
    let blob = case.join("blobs.jsonl");
    assert!(blob.is_file(), "the case has a long output");
    let secret = dir.path().join("outside.txt");
    std::fs::write(&secret, "root:x:0:0:outside-the-case\n").unwrap();
    std::fs::remove_file(&blob).unwrap();
    std::os::unix::fs::symlink(&secret, &blob).unwrap();
    let text = report(dir.path(), &case);
    assert!(!text.contains("outside-the-case"), "the link was followed");
    assert!(
        text.contains("is a symbolic link"),
        "the report says what it withheld"
    );
    let verify = falconry(dir.path(), &[os("case"), os("verify"), case.as_os_str()]);
    assert_eq!(verify.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&verify.stderr).contains("symbolic link"));
}

/// The folder the report writes long outputs to, planted as a link elsewhere: nothing is written
/// there and the page links no output.
#[test]
fn a_link_planted_as_the_reports_outputs_folder_is_not_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let case = a_case_with_a_blob(dir.path());
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("r-outputs")).unwrap();
    let text = report(dir.path(), &case);
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    assert!(!text.contains("r-outputs/"), "a link to the planted folder");
    // Written to a folder of its own, the same page links the output it wrote.
    std::fs::remove_file(dir.path().join("r-outputs")).unwrap();
    let text = report(dir.path(), &case);
    assert!(text.contains("href=\"r-outputs/"), "{text}");
    assert_eq!(
        std::fs::read_dir(dir.path().join("r-outputs"))
            .unwrap()
            .count(),
        1
    );
}

#[test]
fn a_fifo_in_the_case_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let case = a_case_with_a_blob(dir.path());
    let fifo = case.join("summary.json");
    std::fs::remove_file(&fifo).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let out = falconry(dir.path(), &[os("case"), os("verify"), case.as_os_str()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("is not a regular file"), "{err}");
    // The report is written (it returned) and says the case could not be verified.
    let text = report(dir.path(), &case);
    assert!(
        text.contains("is not a regular file"),
        "the report names the FIFO"
    );
}

#[test]
fn resume_never_appends_through_a_link_or_a_second_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.rhai"),
        "hosts::find(\"WS-042\"); throw \"stop\";",
    )
    .unwrap();
    let run = falconry(
        dir.path(),
        &[os("run"), os("p.rhai"), os("--out"), os("out")],
    );
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    let case = case_of(dir.path());
    let outside = dir.path().join("elsewhere.jsonl");
    std::fs::write(&outside, "").unwrap();
    let resume = |why: &str| {
        let out = falconry(dir.path(), &[os("run"), os("--resume"), case.as_os_str()]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(why), "{err}");
        assert_eq!(
            std::fs::read(&outside).unwrap(),
            b"",
            "nothing written outside"
        );
    };
    // A hard link: the case's events file is also a file outside it.
    std::fs::remove_file(case.join("events.jsonl")).unwrap();
    std::fs::hard_link(&outside, case.join("events.jsonl")).unwrap();
    resume("has 2 names (a hard link)");
    std::fs::remove_file(case.join("events.jsonl")).unwrap();
    std::fs::write(case.join("events.jsonl"), "").unwrap();
    // A symbolic link.
    std::fs::remove_file(case.join("journal.jsonl")).unwrap();
    std::os::unix::fs::symlink(&outside, case.join("journal.jsonl")).unwrap();
    resume("is a symbolic link");
}
