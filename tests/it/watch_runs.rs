//! `falconry watch` as a user runs it: the built binary on the embedded emulator, files written, renamed and
//! deleted in a temporary folder, runs counted from what it prints.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Longer than the debounce (300 ms) plus a run: when nothing more has happened by then, nothing will.
const SETTLE: Duration = Duration::from_millis(1500);

struct Watch {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Watch {
    fn start(dir: &Path, args: &[&str]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_falconry"))
            .arg("watch")
            .args(args)
            .current_dir(dir)
            .env_remove("FALCON_CLIENT_ID")
            .env_remove("FALCON_CLIENT_SECRET")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("falconry watch starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line);
                }
            });
        }
        let w = Watch { child, lines };
        w.wait_for(|l| l.iter().any(|l| l.starts_with("watching")));
        w
    }

    fn output(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    fn count(&self, text: &str) -> usize {
        self.output().iter().filter(|l| l.contains(text)).count()
    }

    fn wait_for(&self, done: impl Fn(&[String]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done(&self.output()) {
            assert!(
                Instant::now() < deadline,
                "timed out; output so far:\n{}",
                self.output().join("\n")
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Waits until `text` has been printed `n` times, then a while longer to see that it is not printed again.
    fn exactly(&self, text: &str, n: usize) {
        self.wait_for(|l| l.iter().filter(|l| l.contains(text)).count() >= n);
        std::thread::sleep(SETTLE);
        assert_eq!(
            self.count(text),
            n,
            "`{text}` printed {} times, not {n}:\n{}",
            self.count(text),
            self.output().join("\n")
        );
    }

    /// Ctrl-C, as a terminal sends it; watch must stop cleanly.
    fn stop(mut self) -> Vec<String> {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "watch exited with {status}");
                break;
            }
            assert!(Instant::now() < deadline, "watch did not stop on Ctrl-C");
            std::thread::sleep(Duration::from_millis(25));
        }
        std::thread::sleep(Duration::from_millis(100));
        self.output()
    }
}

/// Writes `text` the way editors that save atomically do: a temporary file renamed over the playbook.
fn save_atomically(path: &Path, text: &str) {
    let tmp = path.with_extension("rhai.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn runs(w: &Watch) -> usize {
    w.count(": run at")
}

#[test]
fn each_save_runs_the_playbook_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("triage.rhai");
    std::fs::write(&p, "print(`start ${args.tag}`);").unwrap();
    let w = Watch::start(dir.path(), &["triage.rhai", "--arg", "tag=ir-42"]);
    std::thread::sleep(SETTLE);
    assert_eq!(runs(&w), 0, "starting to watch runs nothing");

    // A plain write; `--arg` reaches the run.
    std::fs::write(&p, "print(`one ${args.tag}`);").unwrap();
    w.exactly("one ir-42", 1);

    // An atomic save (temporary file, rename over).
    save_atomically(&p, "print(`two ${args.tag}`);");
    w.exactly("two ir-42", 1);

    // Several writes of one save, back to back (no sleep: a gap the test picks would be a
    // wall-clock bound that a loaded machine can stretch past the debounce).
    std::fs::write(&p, "print(`thr").unwrap();
    std::fs::write(&p, "print(`three ${args.tag}`);").unwrap();
    w.exactly("three ir-42", 1);
    assert_eq!(runs(&w), 3);

    // Deleting the playbook runs nothing; saving it again does.
    std::fs::remove_file(&p).unwrap();
    std::thread::sleep(SETTLE);
    assert_eq!(runs(&w), 3);
    save_atomically(&p, "print(`four ${args.tag}`);");
    w.exactly("four ir-42", 1);
    w.stop();
}

#[test]
fn a_compile_error_shows_its_position_and_watching_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("broken.rhai");
    std::fs::write(&p, "print(1);").unwrap();
    let w = Watch::start(dir.path(), &["broken.rhai"]);
    std::fs::write(&p, "let x = ;\n").unwrap();
    w.wait_for(|l| l.iter().any(|l| l.contains("broken.rhai: failed")));
    let out = w.output().join("\n");
    assert!(out.contains("broken.rhai:1:9"), "{out}");
    assert!(out.contains("let x = ;"), "{out}");
    std::fs::write(&p, "print(`fixed`);").unwrap();
    w.exactly("fixed", 1);
    w.stop();
}

#[test]
fn a_change_during_a_run_queues_one_more_run_never_two_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("slow.rhai");
    std::fs::write(&p, "print(0);").unwrap();
    let w = Watch::start(dir.path(), &[dir.path().to_str().unwrap()]);
    std::fs::write(&p, "print(`begin`); sleep(2); print(`end`);").unwrap();
    w.wait_for(|l| l.iter().any(|l| l == "begin"));
    // Three saves while it runs.
    for n in 1..=3 {
        save_atomically(&p, &format!("print(`again {n}`);"));
        std::thread::sleep(Duration::from_millis(150));
    }
    w.exactly("again 3", 1);
    let out = w.output();
    assert_eq!(runs(&w), 2, "{}", out.join("\n"));
    // The second run started only after the first ended.
    let end = out.iter().position(|l| l == "end").unwrap();
    let second = out.iter().rposition(|l| l.contains(": run at")).unwrap();
    assert!(end < second, "{}", out.join("\n"));
    assert_eq!(w.count("again 1") + w.count("again 2"), 0);
    w.stop();
}

#[test]
fn a_folder_runs_each_saved_playbook_and_ignores_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let w = Watch::start(dir.path(), &["."]);
    std::fs::write(dir.path().join("a.rhai"), "print(`from a`);").unwrap();
    save_atomically(&dir.path().join("b.rhai"), "print(`from b`);");
    std::fs::write(dir.path().join("notes.txt"), "print(`not a playbook`);").unwrap();
    std::fs::write(dir.path().join(".a.rhai.swp"), "x").unwrap();
    w.exactly("from a", 1);
    w.exactly("from b", 1);
    assert_eq!(runs(&w), 2);
    let out = w.stop();
    assert!(out.iter().any(|l| l == "stopping"), "{}", out.join("\n"));
}

fn result(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn inbox_runs_each_dropped_playbook_once_and_files_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path();
    // Waiting before watch starts: run at start.
    std::fs::write(inbox.join("early.rhai"), "print(`early ${args.ticket}`); 7").unwrap();
    let w = Watch::start(inbox, &["--inbox", ".", "--arg", "ticket=c-1"]);
    w.exactly("early.rhai: moved to done/early.rhai", 1);

    save_atomically(
        &inbox.join("contain.rhai"),
        "print(`hosts ${args.ticket}`);",
    );
    std::fs::write(inbox.join("bad.rhai"), "throw \"no such host\";").unwrap();
    w.exactly("contain.rhai: moved to done/contain.rhai", 1);
    w.exactly("bad.rhai: moved to failed/bad.rhai", 1);
    // The same name dropped again is a new playbook: it runs, and its files do not overwrite the first.
    save_atomically(&inbox.join("contain.rhai"), "print(`again`);");
    w.exactly("contain.rhai: moved to done/contain-2.rhai", 1);
    w.stop();

    let early = result(&inbox.join("done/early.result.json"));
    assert_eq!(early["status"], "done");
    assert_eq!(early["playbook"], "early.rhai");
    assert_eq!(early["output"], "early c-1\n");
    assert_eq!(early["value"], 7);
    assert!(early["error"].is_null());
    assert!(early["start"].as_str().unwrap() <= early["end"].as_str().unwrap());

    let bad = result(&inbox.join("failed/bad.result.json"));
    assert_eq!(bad["status"], "failed");
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no such host"),
        "{bad}"
    );

    assert_eq!(
        result(&inbox.join("done/contain-2.result.json"))["output"],
        "again\n"
    );
    assert!(inbox.join("done/contain.rhai").is_file());
    let left: Vec<_> = std::fs::read_dir(inbox.join("running")).unwrap().collect();
    assert!(left.is_empty(), "running/ is empty after a clean stop");
    assert!(!inbox.join("early.rhai").exists());
}

#[test]
fn inbox_reports_a_playbook_cut_off_by_a_stop_as_interrupted_without_running_it() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path();
    // What a killed falconry leaves behind: the playbook claimed into running/, with its marker.
    std::fs::create_dir_all(inbox.join("running")).unwrap();
    std::fs::write(
        inbox.join("running/isolate.rhai"),
        "print(`must not run again`);",
    )
    .unwrap();
    std::fs::write(
        inbox.join("running/isolate.rhai.running.json"),
        r#"{"playbook":"isolate.rhai","start":"2026-11-22T08:00:00.000Z","pid":1}"#,
    )
    .unwrap();
    // A marker whose playbook was already filed (a stop just after filing it): nothing to report.
    std::fs::write(
        inbox.join("running/filed.rhai.running.json"),
        r#"{"playbook":"filed.rhai"}"#,
    )
    .unwrap();
    let w = Watch::start(inbox, &["--inbox", "."]);
    w.wait_for(|l| l.iter().any(|l| l.contains("isolate.rhai: interrupted")));

    // Ctrl-C during a run: the run stops and is filed as interrupted too.
    std::fs::write(inbox.join("long.rhai"), "print(`long`); sleep(60);").unwrap();
    w.wait_for(|l| l.iter().any(|l| l == "long"));
    let out = w.stop();
    assert_eq!(
        out.iter()
            .filter(|l| l.contains("must not run again"))
            .count(),
        0
    );

    let isolate = result(&inbox.join("failed/isolate.result.json"));
    assert_eq!(isolate["status"], "interrupted");
    assert_eq!(isolate["start"], "2026-11-22T08:00:00.000Z");
    assert!(inbox.join("failed/isolate.rhai").is_file());
    let long = result(&inbox.join("failed/long.result.json"));
    assert_eq!(long["status"], "interrupted");
    assert_eq!(long["output"], "long\n");
    assert!(inbox.join("failed/long.rhai").is_file());
    let left: Vec<_> = std::fs::read_dir(inbox.join("running")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(!inbox.join("failed/filed.result.json").exists());
}

/// `falconry watch --inbox .` started in `dir` and left to end on its own (a refusal), with its output.
/// It names a tenant (never contacted): without one it would start the embedded emulator, whose state
/// file in this folder the first watcher holds, and be refused for that before reaching the inbox.
fn watch_once(dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_falconry"))
        .args(["watch", "--inbox", "."])
        .current_dir(dir)
        .env("FALCON_CLIENT_ID", "watch-test")
        .env("FALCON_CLIENT_SECRET", "watch-test-secret")
        .env("FALCON_BASE_URL", "http://127.0.0.1:9")
        .output()
        .unwrap()
}

#[test]
fn a_second_watcher_on_one_inbox_is_refused_and_a_lock_file_left_behind_does_not_close_it() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path();
    let w = Watch::start(inbox, &["--inbox", "."]);
    let second = watch_once(inbox);
    assert!(!second.status.success());
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(
        err.contains(&format!(
            "is already watched by falconry (pid {}); one watcher per inbox",
            w.child.id()
        )),
        "{err}"
    );
    // The first watcher still owns its inbox: a playbook dropped now runs once, filed by it.
    std::fs::write(inbox.join("one.rhai"), "1").unwrap();
    w.exactly("one.rhai: moved to done/one.rhai", 1);
    w.stop();

    // The lock is the operating system's, released with the process: a lock file left by a
    // process that is gone (its pid written in it) does not keep the inbox closed.
    std::fs::write(inbox.join(".falconry-watch.lock"), "999999999").unwrap();
    let w = Watch::start(inbox, &["--inbox", "."]);
    std::fs::write(inbox.join("two.rhai"), "2").unwrap();
    w.exactly("two.rhai: moved to done/two.rhai", 1);
    w.stop();
}

#[test]
fn an_out_of_range_option_fails_its_playbook_and_the_inbox_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path();
    let w = Watch::start(inbox, &["--inbox", "."]);
    std::fs::write(
        inbox.join("huge.rhai"),
        r#"rtr::session(hosts::find("WS-042")).run("ls", #{ timeout: 9223372036854775807 })"#,
    )
    .unwrap();
    w.exactly("huge.rhai: moved to failed/huge.rhai", 1);
    std::fs::write(inbox.join("sleepy.rhai"), "sleep(1e300); 1").unwrap();
    std::fs::write(inbox.join("next.rhai"), "`next ran`").unwrap();
    w.wait_for(|l| l.iter().any(|l| l.contains("sleepy.rhai: run at")));
    std::thread::sleep(Duration::from_millis(500));
    // One Ctrl-C stops the sleeping run and the watcher (no second press needed).
    let out = w.stop();
    assert!(
        !out.iter().any(|l| l.contains("panicked")),
        "{}",
        out.join("\n")
    );
    let huge = result(&inbox.join("failed/huge.result.json"));
    assert!(
        huge["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`timeout` must be at most 86400s"),
        "{huge}"
    );
    assert_eq!(
        result(&inbox.join("failed/sleepy.result.json"))["status"],
        "interrupted"
    );
}

#[test]
fn inbox_recovery_keeps_one_record_per_playbook() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path();
    for sub in ["running", "done", "failed"] {
        std::fs::create_dir_all(inbox.join(sub)).unwrap();
    }
    // Killed after the result was written whole, before the playbook moved: the result stands.
    std::fs::write(inbox.join("running/whole.rhai"), "1").unwrap();
    std::fs::write(
        inbox.join("running/whole.rhai.running.json"),
        r#"{"playbook":"whole.rhai","start":"2026-11-22T08:00:00.000Z","result":"done/whole.result.json","dest":"done/whole.rhai"}"#,
    )
    .unwrap();
    std::fs::write(
        inbox.join("done/whole.result.json"),
        r#"{"playbook":"whole.rhai","status":"done","value":1}"#,
    )
    .unwrap();
    // Killed while writing a large result: the torn file is not a record, the run was interrupted.
    std::fs::write(inbox.join("running/torn.rhai"), "2").unwrap();
    std::fs::write(
        inbox.join("running/torn.rhai.running.json"),
        r#"{"playbook":"torn.rhai","start":"2026-11-22T08:00:00.000Z","result":"done/torn.result.json","dest":"done/torn.rhai"}"#,
    )
    .unwrap();
    std::fs::write(
        inbox.join("done/torn.result.json"),
        r#"{"playbook":"torn.rhai","status":"done","value":"xxxxxxx"#,
    )
    .unwrap();
    let w = Watch::start(inbox, &["--inbox", "."]);
    w.stop();
    assert_eq!(
        result(&inbox.join("done/whole.result.json"))["status"],
        "done"
    );
    assert!(inbox.join("done/whole.rhai").is_file());
    assert!(!inbox.join("failed/whole.result.json").exists());
    assert!(!inbox.join("done/torn.result.json").exists());
    assert!(!inbox.join("done/torn.rhai").exists());
    assert_eq!(
        result(&inbox.join("failed/torn.result.json"))["status"],
        "interrupted"
    );
    let left: Vec<_> = std::fs::read_dir(inbox.join("running")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn inbox_playbooks_take_sidecar_arguments_read_their_folder_and_report_structured_errors() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path();
    std::fs::write(inbox.join("iocs.txt"), "evil.exe\n").unwrap();
    std::fs::write(
        inbox.join("hunt.args.json"),
        r#"{"host": "WS-042", "limit": 3}"#,
    )
    .unwrap();
    std::fs::write(
        inbox.join("hunt.rhai"),
        r#"let iocs = fs::read("iocs.txt"); iocs.trim(); `${args.host} ${args.limit + 1} ${iocs}`"#,
    )
    .unwrap();
    std::fs::write(inbox.join("broken.args.json"), "[1, 2]").unwrap();
    std::fs::write(inbox.join("broken.rhai"), "1").unwrap();
    std::fs::write(
        inbox.join("api.rhai"),
        "let x = 1;\nresponse_policies::get_policies(#{ ids: \"nope\" });\n",
    )
    .unwrap();
    let w = Watch::start(inbox, &["--inbox", "."]);
    w.exactly("hunt.rhai: moved to done/hunt.rhai", 1);
    w.exactly("broken.rhai: moved to failed/broken.rhai", 1);
    w.exactly("api.rhai: moved to failed/api.rhai", 1);
    w.stop();

    let hunt = result(&inbox.join("done/hunt.result.json"));
    assert_eq!(hunt["value"], "WS-042 4 evil.exe", "{hunt}");
    assert!(inbox.join("done/hunt.args.json").is_file());

    let broken = result(&inbox.join("failed/broken.result.json"));
    assert!(
        broken["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`broken.args.json` must hold a JSON object of arguments"),
        "{broken}"
    );

    let api = result(&inbox.join("failed/api.result.json"));
    let e = &api["error"];
    let final_place = inbox
        .canonicalize()
        .unwrap()
        .join("failed/api.rhai")
        .display()
        .to_string();
    assert_eq!(e["operation"], "response_policies::get_policies", "{api}");
    assert_eq!(e["status_code"], 404, "{api}");
    assert!(e["trace_id"].is_string(), "{api}");
    assert_eq!(e["line"], 2, "{api}");
    assert_eq!(e["file"], final_place.as_str(), "{api}");
    assert!(
        e["message"].as_str().unwrap().contains(&final_place),
        "{api}"
    );
    assert!(
        !e["message"].as_str().unwrap().contains("running/"),
        "{api}"
    );
}

/// The case folders under `out/cases/`, sorted.
fn cases(out: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(out.join("cases"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Issue 24: each watch run and each inbox playbook writes a case, as `run` does: the playbook as run,
/// a transcript, the summary and a manifest `case verify` accepts; the inbox's result names it.
#[test]
fn each_watch_run_and_each_inbox_playbook_writes_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let p = dir.path().join("triage.rhai");
    std::fs::write(&p, "print(`first`); 1").unwrap();
    let out_arg = out.display().to_string();
    let w = Watch::start(dir.path(), &["triage.rhai", "--out", &out_arg]);
    save_atomically(&p, "print(`first`); 1");
    w.exactly("triage.rhai: ok in", 1);
    save_atomically(&p, "print(`second`); 2");
    w.exactly("triage.rhai: ok in", 2);
    w.stop();
    let found = cases(&out);
    assert_eq!(found.len(), 2, "{found:?}");
    for (case, said) in found.iter().zip(["first", "second"]) {
        let summary = result(&case.join("summary.json"));
        assert_eq!(summary["outcome"]["status"], "ok", "{summary}");
        assert!(case.join("playbook/triage.rhai").is_file());
        let transcript = std::fs::read_to_string(case.join("transcript.jsonl")).unwrap();
        assert!(transcript.contains(said), "{transcript}");
        let verify = std::process::Command::new(env!("CARGO_BIN_EXE_falconry"))
            .args(["case", "verify"])
            .arg(case)
            .output()
            .unwrap();
        assert!(verify.status.success(), "{verify:?}");
    }

    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let inbox_out = dir.path().join("inbox-out");
    let inbox_arg = inbox_out.display().to_string();
    let w = Watch::start(&inbox, &["--inbox", ".", "--out", &inbox_arg]);
    std::fs::write(inbox.join("one.rhai"), "print(`one`); 1").unwrap();
    w.exactly("one.rhai: moved to done/one.rhai", 1);
    std::fs::write(inbox.join("two.rhai"), "throw \"no such host\";").unwrap();
    w.exactly("two.rhai: moved to failed/two.rhai", 1);
    w.stop();
    let found = cases(&inbox_out);
    assert_eq!(found.len(), 2, "{found:?}");
    let one = result(&inbox.join("done/one.result.json"));
    let two = result(&inbox.join("failed/two.result.json"));
    for (r, status) in [(&one, "ok"), (&two, "error")] {
        let case = std::path::PathBuf::from(r["case"].as_str().unwrap());
        assert!(found.contains(&case), "{r} {found:?}");
        assert_eq!(
            result(&case.join("summary.json"))["outcome"]["status"],
            status
        );
    }
}

/// A file whose name is not UTF-8 (issue 23, break 5) is filed to `failed/` with the reason, not run
/// and not left behind, and the inbox goes on with the next playbook.
#[test]
fn inbox_files_a_playbook_whose_name_is_not_utf8_to_failed_with_the_reason() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path();
    let w = Watch::start(inbox, &["--inbox", "."]);
    let odd = inbox.join(std::ffi::OsStr::from_bytes(b"odd\xff.rhai"));
    std::fs::write(&odd, "print(\"ran\");").unwrap();
    std::fs::write(inbox.join("next.rhai"), "1").unwrap();
    w.exactly("is not valid UTF-8; falconry does not run it", 1);
    w.exactly("next.rhai: moved to done/next.rhai", 1);
    let out = w.stop();
    assert!(!out.iter().any(|l| l == "ran"), "{out:?}");
    assert!(!odd.exists());
    let filed = result(&inbox.join("failed/playbook.result.json"));
    assert_eq!(filed["status"], "failed");
    assert!(
        filed["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is not valid UTF-8"),
        "{filed}"
    );
    assert!(inbox.join("failed/playbook.rhai").is_file());
}
