//! The case folder through the real binary: what a run and a REPL session leave, `case verify`,
//! `case report` in a real headless browser, and `--resume` after kills at random points.

use crate::common::{self, SECRET, Test};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every host: `ps`, a file collected, and a kill the guard refuses (caught: the host goes on).
const TRIAGE: &str = r#"
let ids = hosts::query_devices_by_filter(#{ limit: 5 }).body.resources;
print(`triage of ${ids.len()} hosts for ${args.who}`);
rtr::each(ids, |s| {
    let p = s.run("ps");
    let f = s.get(if s.host.platform_name == "Windows" { "C:\\Windows\\System32\\drivers\\etc\\hosts" } else { "/etc/hosts" });
    let refused = false;
    try { s.run("kill 4242"); } catch (e) { refused = true; }
    #{ ps: p.stdout.len(), sha256: f.sha256, refused: refused }
}, #{ concurrency: 2 })
"#;

fn falconry(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_falconry"))
        .args(args)
        .current_dir(dir)
        .env_remove("FALCON_CLIENT_ID")
        .env_remove("FALCON_CLIENT_SECRET")
        .env_remove("FALCON_BASE_URL")
        .output()
        .expect("run falconry")
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
}

fn sha256_of(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).expect("read")))
}

/// A text of a command record: inline, or from its line in `blobs.jsonl`.
fn text(case: &Path, v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => {
            let sha = other["blob"].as_str().unwrap();
            let line = lines(&case.join("blobs.jsonl"))
                .into_iter()
                .find(|l| l["sha256"] == sha)
                .expect("the blob a record names");
            line["text"].as_str().unwrap().to_string()
        }
    }
}

fn triage_case() -> (common::Output, PathBuf) {
    let out = Test::new()
        .playbook(TRIAGE)
        .emulator()
        .arg("--json")
        .arg("--case")
        .arg("case")
        .arg("--arg")
        .arg("who=ir-team")
        .run();
    // The refused kills (caught by the playbook) fail the run with the guard's exit code; the value
    // is still printed.
    out.status(3).stderr_has("refused");
    let case = out.dir.join("case");
    (out, case)
}

#[test]
fn a_run_keeps_its_whole_case_and_verify_notices_any_edit() {
    let (out, case) = triage_case();
    let result = out.json();
    let hosts = result.as_object().unwrap();
    assert_eq!(hosts.len(), 5, "{result}");

    // The playbook as run, its hash and arguments.
    let info = json_file(&case.join("case.json"));
    let playbook = out.dir.join("playbook.rhai");
    assert_eq!(info["playbook"]["sha256"], sha256_of(&playbook));
    assert_eq!(info["arguments"], serde_json::json!({ "who": "ir-team" }));
    assert_eq!(
        std::fs::read(case.join("playbook/playbook.rhai")).unwrap(),
        std::fs::read(&playbook).unwrap()
    );

    // Every RTR command of every host, with output, times, session and cloud request id.
    let commands = lines(&case.join("commands.jsonl"));
    for (id, value) in hosts {
        let ps: Vec<&Value> = commands
            .iter()
            .filter(|c| c["device_id"] == id.as_str() && c["command"] == "ps")
            .collect();
        assert_eq!(ps.len(), 1, "{id}: {commands:?}");
        let ps = ps[0];
        assert_eq!(
            text(&case, &ps["stdout"]).len() as i64,
            value["ps"].as_i64().unwrap()
        );
        for k in [
            "session_id",
            "cloud_request_id",
            "time_sent",
            "time_done",
            "hostname",
        ] {
            assert!(ps[k].as_str().is_some_and(|s| !s.is_empty()), "{k} in {ps}");
        }
        assert!(
            commands.iter().any(|c| c["device_id"] == id.as_str()
                && c["command"].as_str().unwrap().starts_with("get "))
        );
        assert_eq!(value["refused"], true);
    }

    // The refusals, the audit entries of the run, the transcript.
    let events = lines(&case.join("events.jsonl"));
    assert_eq!(
        events.iter().filter(|e| e["kind"] == "refused").count(),
        5,
        "{events:#?}"
    );
    let audit = lines(&case.join("audit.jsonl"));
    assert!(audit.iter().any(|a| a["command"] == "ps"), "{audit:?}");
    assert!(
        audit
            .iter()
            .all(|a| a["playbook"]["sha256"] == info["playbook"]["sha256"])
    );
    let transcript = lines(&case.join("transcript.jsonl"));
    assert!(
        transcript
            .iter()
            .any(|t| t["kind"] == "print" && t["text"] == "triage of 5 hosts for ir-team")
    );

    // Collected files: path on host, sha256, size, time, host, and the bytes in the case.
    let evidence = lines(&case.join("evidence.jsonl"));
    assert_eq!(evidence.len(), 5);
    for e in &evidence {
        let sha = e["sha256"].as_str().unwrap();
        let stored = case.join(e["file"].as_str().unwrap());
        assert_eq!(sha256_of(&stored), sha);
        assert_eq!(
            std::fs::metadata(&stored).unwrap().len(),
            e["size"].as_u64().unwrap()
        );
        assert!(e["remote_path"].as_str().unwrap().ends_with("hosts"));
        assert!(e["time"].is_string() && e["host"].is_string());
        assert!(hosts.values().any(|v| v["sha256"] == sha));
    }

    assert!(
        evidence
            .iter()
            .all(|e| hosts.contains_key(e["device_id"].as_str().unwrap()))
    );
    let summary = json_file(&case.join("summary.json"));
    assert_eq!(summary["totals"]["hosts"], 5);
    assert_eq!(summary["totals"]["refused"], 5);
    assert_eq!(summary["totals"]["evidence"], 5);
    assert_eq!(summary["outcome"]["status"], "refused");
    assert_eq!(summary["outcome"]["refused"], 5);

    // The manifest covers every file; verify passes, then names each kind of change.
    let manifest = json_file(&case.join("manifest.json"));
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    for f in [
        "case.json",
        "commands.jsonl",
        "audit.jsonl",
        "summary.json",
        "journal.jsonl",
    ] {
        assert!(listed.contains(&f), "{f} not in {listed:?}");
    }
    let verify = |dir: &Path| falconry(dir, &["case", "verify", "case"]);
    let ok = verify(&out.dir);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    assert!(String::from_utf8_lossy(&ok.stdout).contains("intact"));

    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(case.join("commands.jsonl"))
        .unwrap();
    f.write_all(b"{}\n").unwrap();
    std::fs::remove_file(case.join(evidence[0]["file"].as_str().unwrap())).unwrap();
    std::fs::write(case.join("note.txt"), "added later").unwrap();
    let bad = verify(&out.dir);
    assert_eq!(bad.status.code(), Some(1), "{bad:?}");
    let said = String::from_utf8_lossy(&bad.stdout);
    assert!(said.contains("changed: commands.jsonl"), "{said}");
    assert!(
        said.contains(&format!(
            "missing: {}",
            evidence[0]["file"].as_str().unwrap()
        )),
        "{said}"
    );
    assert!(said.contains("added: note.txt"), "{said}");
    out.no_secret();
}

#[test]
fn a_batch_command_is_kept_per_host() {
    let out = Test::new()
        .playbook(
            r#"
let ids = hosts::query_devices_by_filter(#{ limit: 3 }).body.resources;
let b = rtr::batch(ids);
b.run("ps").results.keys()
"#,
        )
        .emulator()
        .arg("--json")
        .arg("--case")
        .arg("case")
        .run();
    out.status(0);
    let ids = out.json();
    let commands = lines(&out.dir.join("case/commands.jsonl"));
    for id in ids.as_array().unwrap() {
        let c: Vec<&Value> = commands.iter().filter(|c| c["device_id"] == *id).collect();
        assert_eq!(c.len(), 1, "{commands:?}");
        assert_eq!(c[0]["command"], "ps");
        assert!(!text(&out.dir.join("case"), &c[0]["stdout"]).is_empty());
        assert!(
            c[0]["cloud_request_id"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        );
    }
    // The batch command's answer is journaled: a resumed run would not send it again.
    let journal = lines(&out.dir.join("case/journal.jsonl"));
    assert!(
        journal
            .iter()
            .any(|j| j["t"] == "answer" && j.pointer("/body/combined/resources").is_some())
    );
    out.no_secret();
}

/// A batch command queued for an offline host was sent: the case keeps it, as queued; without
/// queueing the same host gave no answer, and its line still names it.
#[test]
fn a_batch_keeps_its_queued_hosts_and_names_the_hosts_without_an_answer() {
    use crate::rtr_support::{WS_042, WS_108};
    let out = Test::new()
        .playbook(&format!(
            r#"
let ids = ["{WS_042}", "{WS_108}"];
rtr::batch(ids, #{{ queue_offline: true }}).run("ps");
rtr::batch(ids).run("ps");
"#
        ))
        .emulator()
        .arg("--case")
        .arg("case")
        .run();
    out.status(0);
    let commands = lines(&out.dir.join("case/commands.jsonl"));
    let offline: Vec<&Value> = commands
        .iter()
        .filter(|c| c["device_id"] == WS_108)
        .collect();
    assert_eq!(offline.len(), 2, "{commands:?}");
    assert_eq!(offline[0]["queued"], true, "{commands:?}");
    assert_eq!(offline[0]["hostname"], "WS-108", "{commands:?}");
    assert_eq!(offline[1]["error"], "no answer", "{commands:?}");
    assert_eq!(offline[1]["hostname"], "WS-108", "{commands:?}");
    assert_eq!(
        commands.iter().filter(|c| c["device_id"] == WS_042).count(),
        2,
        "{commands:?}"
    );
    out.no_secret();
}

#[test]
fn a_failing_run_leaves_a_case_without_secrets() {
    // The run fails after RTR commands, with debug logging: no file of the case holds a secret.
    let out = Test::new()
        .playbook(
            r#"
let ids = hosts::query_devices_by_filter(#{ limit: 2 }).body.resources;
rtr::each(ids, |s| s.run("ps"));
print(hosts::query_devices_by_filter(#{ limit: 1 }));
response_policies::get_policies(#{ ids: "nope" });
"#,
        )
        .emulator()
        .arg("--verbose")
        .run();
    assert_eq!(out.code, Some(1));
    let cases = out.dir.join("falconry-out").join("cases");
    let case = std::fs::read_dir(&cases)
        .expect("the default case folder")
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert!(
        case.file_name()
            .unwrap()
            .to_string_lossy()
            .ends_with("-playbook")
    );
    let summary = json_file(&case.join("summary.json"));
    assert_eq!(summary["outcome"]["status"], "error");
    assert_eq!(lines(&case.join("commands.jsonl")).len(), 2);
    out.no_secret();
}

#[test]
fn a_repl_session_keeps_every_statement_with_its_output() {
    let sim = falconry::sim::start(falconry::sim::SimConfig {
        client_id: "falconry-test".into(),
        client_secret: SECRET.into(),
        ..falconry::sim::SimConfig::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_falconry"))
        .args(["repl", "--case", "rc", "--history"])
        .arg(dir.path().join("history"))
        .current_dir(dir.path())
        .env("FALCON_CLIENT_ID", "falconry-test")
        .env("FALCON_CLIENT_SECRET", SECRET)
        .env("FALCON_BASE_URL", sim.base_url())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let typed = format!(
        "let n = hosts::query_devices_by_filter(#{{ limit: 3 }}).body.resources.len();\nn * 10\nprint(\"seen\")\n1/0\nlet oops = \"{SECRET}\";\n"
    );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(typed.as_bytes())
        .unwrap();
    let done = child.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(0), "{done:?}");
    let case = dir.path().join("rc");
    let t = lines(&case.join("transcript.jsonl"));
    let statements: Vec<&Value> = t.iter().filter(|l| l["kind"] == "statement").collect();
    assert_eq!(statements.len(), 5, "{t:?}");
    assert_eq!(statements[1]["text"], "n * 10");
    assert_eq!(statements[1]["output"], "30\n");
    assert!(
        statements[3]["error"]
            .as_str()
            .unwrap()
            .contains("division by zero")
    );
    assert!(
        t.iter()
            .any(|l| l["kind"] == "print" && l["text"] == "seen")
    );
    assert!(
        statements
            .iter()
            .all(|s| s["time"].as_str().unwrap().ends_with('Z'))
    );
    let info = json_file(&case.join("case.json"));
    assert_eq!(info["kind"], "repl");
    let v = falconry(dir.path(), &["case", "verify", "rc"]);
    assert_eq!(v.status.code(), Some(0), "{v:?}");
    let mut needles = vec![SECRET.to_string()];
    needles.extend(sim.state().issued_tokens());
    for entry in walk(&case) {
        let bytes = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        for n in &needles {
            assert!(
                !bytes.contains(n.as_str()),
                "a secret is in {}",
                entry.display()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Debian's chromium, which `.ci/run` installs; the test fails, saying so, where it is missing.
fn chromium() -> PathBuf {
    crate::common::required_tool(
        &[
            PathBuf::from("/usr/bin/chromium"),
            PathBuf::from("/usr/bin/chromium-browser"),
        ],
        "apt-get install chromium",
    )
}

#[test]
fn the_report_renders_in_a_headless_browser_without_console_errors() {
    let browser = chromium();
    let (out, case) = triage_case();
    let made = falconry(&out.dir, &["case", "report", "case"]);
    assert_eq!(made.status.code(), Some(0), "{made:?}");
    let html_path = out.dir.join("case.html");
    let html = std::fs::read_to_string(&html_path).unwrap();
    // Self-contained: no script, nothing fetched.
    assert!(!html.contains("<script"), "the report has a script");
    for attr in ["src=", "href=\"http", "url("] {
        assert!(
            !html.contains(attr),
            "the report refers outside itself: {attr}"
        );
    }
    let profile = tempfile::tempdir().unwrap();
    let rendered = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", html_path.display()))
        .output()
        .expect("start chromium");
    let dom = String::from_utf8_lossy(&rendered.stdout);
    let log = String::from_utf8_lossy(&rendered.stderr);
    assert_eq!(rendered.status.code(), Some(0), "{log}");
    // Chromium logs each console message (errors, CSP refusals) as `...:CONSOLE(...)`.
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert!(
        dom.contains("Timeline")
            && dom.contains("Evidence (5)")
            && dom.contains("Refused steps (5)"),
        "{dom}"
    );
    let result = out.json();
    for id in result.as_object().unwrap().keys() {
        assert!(dom.contains(id.as_str()), "host {id} not shown");
    }
    for e in lines(&case.join("evidence.jsonl")) {
        let sha = e["sha256"].as_str().unwrap();
        assert!(
            dom.contains(&format!("<code class=\"sha256\">{sha}</code>")),
            "hash {sha} not shown"
        );
        assert!(dom.contains(e["host"].as_str().unwrap()));
    }
    for c in lines(&case.join("commands.jsonl")) {
        assert!(
            dom.contains(c["cloud_request_id"].as_str().unwrap_or("")),
            "{c}"
        );
    }
    assert!(dom.contains("<code>ps</code>") && dom.contains("<code>kill 4242</code>"));
    assert!(dom.contains("intact: "), "the report checks the manifest");
}

/// A small generated fleet whose commands take a while, so kills land mid-fan-out.
const FLEET: &str = r#"
command_latency_ms = 150
rate_limit_per_minute = 100000
[fleet]
count = 12
hostname_pattern = "rs-{n:03}"
platforms = { windows = 0.5, linux = 0.5 }
offline_fraction = 0.0
compromised_fraction = 0.0
"#;

const FAN_OUT: &str = r#"
let ids = hosts::query_devices_by_filter(#{ limit: 100, filter: "hostname:'rs-*'" }).body.resources;
rtr::each(ids, |s| s.run(args.cmd).cloud_request_id, #{ concurrency: 3 })
"#;

/// A deterministic source of kill points; the seed is printed so a failure can be replayed.
struct Points(u64);

impl Points {
    fn next_ms(&mut self, max: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % max
    }
}

fn start_fan_out(dir: &Path, sim: &falconry::sim::SimHandle, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_falconry"))
        .arg("run")
        .args(args)
        .arg("--json")
        .current_dir(dir)
        .env("FALCON_CLIENT_ID", "falconry-test")
        .env("FALCON_CLIENT_SECRET", SECRET)
        .env("FALCON_BASE_URL", sim.base_url())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start falconry")
}

fn sim_with_fleet(dir: &Path) -> falconry::sim::SimHandle {
    let scenario = dir.join("fleet.toml");
    std::fs::write(&scenario, FLEET).unwrap();
    falconry::sim::start(falconry::sim::SimConfig {
        scenario: Some(scenario),
        client_id: "falconry-test".into(),
        client_secret: SECRET.into(),
        ..falconry::sim::SimConfig::default()
    })
    .unwrap()
}

/// Resumes `case` until the run finishes; returns its JSON result.
fn resume_to_the_end(dir: &Path, sim: &falconry::sim::SimHandle, case: &str) -> Value {
    let mut failures = Vec::new();
    for _ in 0..3 {
        let out = start_fan_out(dir, sim, &["--resume", case])
            .wait_with_output()
            .unwrap();
        if out.status.code() == Some(0) {
            return serde_json::from_slice(&out.stdout).expect("the result as JSON");
        }
        failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    panic!("`--resume {case}` did not finish: {failures:#?}");
}

#[test]
fn a_fan_out_killed_at_20_random_points_runs_each_host_exactly_once_after_resume() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fan.rhai"), FAN_OUT).unwrap();
    // Started here, not by the run: its state (what ran where) outlives every killed process.
    let sim = sim_with_fleet(dir.path());
    let fleet: Vec<String> = {
        let state = sim.state();
        state.device_ids().into_iter().collect()
    };
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("kill points seed: {seed}");
    let mut points = Points(seed);
    for k in 0..20 {
        let cmd = format!("ls case-kill-{k}");
        let case = format!("case-{k}");
        let arg = format!("cmd={cmd}");
        let mut child = start_fan_out(
            dir.path(),
            &sim,
            &["fan.rhai", "--case", &case, "--arg", &arg],
        );
        let wait = Duration::from_millis(points.next_ms(2500));
        let started = Instant::now();
        while started.elapsed() < wait && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(5));
        }
        // Most kills are `kill -9`; every fourth is Ctrl-C.
        if k % 4 == 3 {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
        } else {
            let _ = child.kill();
        }
        let first = child.wait_with_output().unwrap();
        println!(
            "kill point {k}: {wait:?}, first run ended with {:?}",
            first.status.code()
        );
        if !dir.path().join(&case).join("case.json").exists() {
            // Stopped before its case was written, so before sending any command: run it anew.
            assert!(sim.state().executions_by_host(&cmd).is_empty());
            let again = start_fan_out(
                dir.path(),
                &sim,
                &["fan.rhai", "--case", &case, "--arg", &arg],
            );
            assert_eq!(again.wait_with_output().unwrap().status.code(), Some(0));
        }
        let result = resume_to_the_end(dir.path(), &sim, &case);
        let counts = sim.state().executions_by_host(&cmd);
        for id in &fleet {
            assert_eq!(
                counts.get(id).copied().unwrap_or(0),
                1,
                "kill point {k} ({wait:?}, seed {seed}): `{cmd}` ran {:?} times on {id}; result {result}",
                counts.get(id)
            );
            assert!(
                result[id].is_string(),
                "kill point {k}: host {id} answered {}",
                result[id]
            );
        }
        assert_eq!(counts.len(), fleet.len());
    }
}

const BATCH_PS: &str = r#"
let ids = hosts::query_devices_by_filter(#{ limit: 100, filter: "hostname:'rs-*'" }).body.resources;
let r = rtr::batch(ids).run("ps");
ids.map(|id| r.results[id].stdout)
"#;

/// A batch's answer is journaled with its long outputs as blobs (30 MB of them at 10,000 hosts
/// were a third of the case's cost); a resumed run reads them back whole and sends nothing. A blob
/// changed since is not made up and the command is not sent again: it is reported as may-have-run.
#[test]
fn a_batch_answer_is_journaled_with_its_long_outputs_as_blobs_and_replayed_whole() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("batch.rhai"), BATCH_PS).unwrap();
    let sim = sim_with_fleet(dir.path());
    let first = start_fan_out(dir.path(), &sim, &["batch.rhai", "--case", "c"])
        .wait_with_output()
        .unwrap();
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let outputs: Value = serde_json::from_slice(&first.stdout).unwrap();
    let long = outputs
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o.as_str().is_some_and(|o| o.len() > 2048))
        .count();
    assert!(long > 0, "no output long enough for a blob: {outputs}");
    let journal = dir.path().join("c/journal.jsonl");
    let answer = lines(&journal)
        .into_iter()
        .find(|j| j["t"] == "answer" && j.pointer("/body/combined/resources").is_some())
        .expect("the batch answer journaled");
    let stdouts: Vec<&Value> = answer["body"]["combined"]["resources"]
        .as_object()
        .unwrap()
        .values()
        .map(|h| &h["stdout"])
        .collect();
    let blobs: Vec<&str> = stdouts
        .iter()
        .filter_map(|s| s["$falconry_blob"].as_str())
        .collect();
    assert_eq!(blobs.len(), long, "{answer}");
    assert!(
        stdouts
            .iter()
            .all(|s| s.as_str().is_none_or(|s| s.len() <= 2048))
    );

    let again = resume_to_the_end(dir.path(), &sim, "c");
    assert_eq!(again, outputs, "the outputs read back from the journal");
    let ran = sim.state().executions_by_host("ps");
    assert!(ran.len() == 12 && ran.values().all(|n| *n == 1), "{ran:?}");

    // The line of the first blob edited: its name kept, other bytes under it.
    let pack = dir.path().join("c/blobs.jsonl");
    let edited: Vec<String> = lines(&pack)
        .into_iter()
        .map(|mut l| {
            if l["sha256"] == blobs[0] {
                l["text"] = json!("other bytes");
            }
            l.to_string() + "\n"
        })
        .collect();
    std::fs::write(&pack, edited.concat()).unwrap();
    let damaged = start_fan_out(dir.path(), &sim, &["--resume", "c"])
        .wait_with_output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&damaged.stderr);
    assert_ne!(damaged.status.code(), Some(0));
    assert!(
        stderr.contains("may have run") && stderr.contains("holds other bytes"),
        "{stderr}"
    );
    let ran = sim.state().executions_by_host("ps");
    assert!(ran.values().all(|n| *n == 1), "not sent again: {ran:?}");
    let events = lines(&dir.path().join("c/events.jsonl"));
    assert!(
        events.iter().any(|e| e["kind"] == "may_have_run"
            && e["message"]
                .as_str()
                .is_some_and(|m| m.contains("holds other bytes"))),
        "{events:?}"
    );
}

/// The journal's lines for `device`'s command: (intent key, answered cloud request id).
fn answered(entries: &[Value]) -> Vec<(String, String, String)> {
    let finished: Vec<&str> = entries
        .iter()
        .filter(|e| e["t"] == "host")
        .filter_map(|e| e["device_id"].as_str())
        .collect();
    entries
        .iter()
        .filter(|e| {
            e["t"] == "intent" && !finished.contains(&e["device_id"].as_str().unwrap_or(""))
        })
        .filter_map(|i| {
            let a = entries
                .iter()
                .find(|a| a["t"] == "answer" && a["key"] == i["key"])?;
            let id = a.pointer("/body/resources/0/cloud_request_id")?.as_str()?;
            Some((
                i["key"].as_str()?.to_string(),
                i["device_id"].as_str()?.to_string(),
                id.to_string(),
            ))
        })
        .collect()
}

/// Kills a fan-out with `kill -9` once a host's command was answered but the host is not finished,
/// then drops that answer from the journal: the run died after sending the command and before its
/// answer was written. Returns (folder, emulator, device, cloud request id of the lost answer).
fn lose_an_answer() -> (tempfile::TempDir, falconry::sim::SimHandle, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fan.rhai"), FAN_OUT).unwrap();
    let sim = sim_with_fleet(dir.path());
    for attempt in 0..20 {
        let case = format!("c{attempt}");
        let journal = dir.path().join(&case).join("journal.jsonl");
        let mut child = start_fan_out(
            dir.path(),
            &sim,
            &["fan.rhai", "--case", &case, "--arg", "cmd=ls lost"],
        );
        while child.try_wait().unwrap().is_none() && answered(&lines_lenient(&journal)).is_empty() {
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = child.kill();
        let _ = child.wait();
        let entries = lines_lenient(&journal);
        let Some((key, device, id)) = answered(&entries).into_iter().next() else {
            continue;
        };
        let kept: String = entries
            .iter()
            .filter(|e| !(e["t"] == "answer" && e["key"] == key.as_str()))
            .map(|e| format!("{e}\n"))
            .collect();
        std::fs::write(&journal, kept).unwrap();
        // The fan-out resumes under this name.
        std::fs::rename(dir.path().join(&case), dir.path().join("c")).unwrap();
        return (dir, sim, device, id);
    }
    panic!("no kill landed between a command's answer and its host's end");
}

/// The whole lines of a journal being written (a torn last line is left out).
fn lines_lenient(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn a_command_sent_but_not_journaled_is_found_in_its_session_log_and_not_sent_again() {
    let (dir, sim, device, lost) = lose_an_answer();
    assert_eq!(
        sim.state().executions_by_host("ls lost").get(&device),
        Some(&1)
    );
    let result = resume_to_the_end(dir.path(), &sim, "c");
    assert_eq!(
        result[&device],
        Value::from(lost.clone()),
        "the command found, not sent again"
    );
    let counts = sim.state().executions_by_host("ls lost");
    assert_eq!(counts.len(), 12, "{counts:?}");
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    let events = lines(&dir.path().join("c/events.jsonl"));
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "recovered" && e["device_id"] == device.as_str()),
        "{events:?}"
    );
    let commands = lines(&dir.path().join("c/commands.jsonl"));
    assert!(
        commands
            .iter()
            .any(|c| c["cloud_request_id"] == lost.as_str() && c["resumed"] == true)
    );
}

#[test]
fn a_command_whose_fate_cannot_be_known_is_reported_as_may_have_run_not_sent_again() {
    let (dir, sim, device, _) = lose_an_answer();
    // Falcon no longer knows the session the command was sent on: its log cannot be read.
    let journal = dir.path().join("c/journal.jsonl");
    let edited: String = lines(&journal)
        .into_iter()
        .map(|mut e| {
            if e["t"] == "intent" && e["device_id"] == device.as_str() {
                e["session_id"] = Value::from("00000000-0000-4000-8000-000000000000");
            }
            format!("{e}\n")
        })
        .collect();
    std::fs::write(&journal, edited).unwrap();
    let result = resume_to_the_end(dir.path(), &sim, "c");
    let error = result[&device]["error"].as_str().unwrap_or_default();
    assert!(error.contains("may have run"), "{result}");
    let counts = sim.state().executions_by_host("ls lost");
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    let summary = json_file(&dir.path().join("c/summary.json"));
    assert_eq!(summary["totals"]["may_have_run"], 1);
}

#[test]
fn resume_refuses_a_changed_playbook_or_other_arguments() {
    let (dir, sim, _, _) = lose_an_answer();
    let other = start_fan_out(
        dir.path(),
        &sim,
        &["--resume", "c", "--arg", "cmd=ls other"],
    )
    .wait_with_output()
    .unwrap();
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("the arguments differ"));
    std::fs::write(
        dir.path().join("fan.rhai"),
        format!("{FAN_OUT}\n// edited\n"),
    )
    .unwrap();
    let changed = start_fan_out(dir.path(), &sim, &["--resume", "c"])
        .wait_with_output()
        .unwrap();
    assert_eq!(changed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&changed.stderr).contains("has changed"));
    assert_eq!(sim.state().executions_by_host("ls other").len(), 0);
}
