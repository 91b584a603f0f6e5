//! Schemathesis (a property-based API fuzzer, from PyPI in the project's `.venv`) against `falconry
//! sim` over every operation of the spec copy in `tests/data/falcon-api/openapi-adapted.json`: no
//! server errors, only documented status codes and media types, answers that match their schemas, and
//! no field the spec does not have (`tests/schemathesis/hooks.py`). Zero failures allowed.
//!
//! Where the spec is wrong or incomplete about the live API the copy is adapted by
//! `tools/adapt_spec.py`, which lists each change and its reason in `DEVIATIONS.md`.
//!
//! Without schemathesis in `.venv` the tests fail, saying how to install it (`.ci/run` does).
//! `FALCONRY_SCHEMATHESIS_EXAMPLES` and `FALCONRY_SCHEMATHESIS_SEED` widen
//! or replay a run.

use crate::served::Served;
use crate::sim_support::{Answer, Sim};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Cases per operation and phase: about 35 s for the 97 operations in one run on the 2-core CI
/// machine; 20 to 25 s as the two halves below, side by side.
const EXAMPLES: &str = "30";
/// A fixed seed keeps CI reproducible; set `FALCONRY_SCHEMATHESIS_SEED` to explore further.
const SEED: &str = "20261130";

const SCENARIO: &str = r#"
command_latency_ms = 0
# Thousands of requests a minute: the fuzzer must meet the emulator, not its rate limit.
rate_limit_per_minute = 0

[[hosts]]
hostname = "FUZZ-WIN"
platform = "Windows"
groups = ["fuzz"]

[[hosts]]
hostname = "FUZZ-LNX"
platform = "Linux"

[[host_groups]]
name = "fuzz-dynamic"
group_type = "dynamic"
assignment_rule = "platform_name:'Linux'"
"#;

/// A program of the project's `.venv`; the test fails, saying how to install it, where it is missing.
fn venv(program: &str) -> PathBuf {
    let tool = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".venv/bin")
        .join(program);
    crate::common::required_tool(&[tool], ".venv/bin/pip install schemathesis==4.32.5")
}

/// The RTR paths, fuzzed apart from the rest: the two halves run as two tests on their own
/// emulators, side by side. As one run the fuzzer was the suite's last test by 26 s, alone on a
/// core while the other tests had finished.
const RTR_PATHS: &str = "^/real-time-response/";

#[test]
fn schemathesis_finds_nothing_on_any_rtr_operation() {
    fuzz(&["--include-path-regex", RTR_PATHS], 43);
}

#[test]
fn schemathesis_finds_nothing_on_any_other_operation() {
    fuzz(&["--exclude-path-regex", RTR_PATHS], 54);
}

/// Schemathesis over the operations `select` picks (`operations` of them), on a fresh emulator.
fn fuzz(select: &[&str], operations: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tool = venv("schemathesis");
    let sim = Served::start(SCENARIO);
    let token = sim.token();
    let spec = root.join("tests/data/falcon-api/openapi-adapted.json");
    let report = tempfile::tempdir().expect("a report folder");
    let examples = std::env::var("FALCONRY_SCHEMATHESIS_EXAMPLES").unwrap_or(EXAMPLES.into());
    let seed = std::env::var("FALCONRY_SCHEMATHESIS_SEED").unwrap_or(SEED.into());
    let started = Instant::now();
    let out = Command::new(&tool)
        .arg("run")
        .arg(&spec)
        .args(select)
        .args(["--url", &format!("http://{}", sim.addr)])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_schema_conformance,no_undocumented_fields",
        ])
        .args(["--max-examples", &examples, "--seed", &seed])
        .args([
            "--workers",
            "1",
            "--no-color",
            "--generation-database",
            "none",
        ])
        .arg("--report-dir")
        .arg(report.path())
        .env(
            "SCHEMATHESIS_HOOKS",
            root.join("tests/schemathesis/hooks.py"),
        )
        .env("FALCONRY_SPEC", &spec)
        .current_dir(report.path())
        .output()
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!(
        "schemathesis {select:?}: {} cases per operation, seed {seed}, {:.1?}",
        examples,
        started.elapsed()
    );
    assert!(
        out.status.success(),
        "schemathesis found failures\n{stdout}\n{stderr}"
    );
    // Every operation of the spec copy is in one half or the other: 43 + 54 = 97.
    assert!(
        stdout.contains(&format!("Tested: {operations}")),
        "{stdout}"
    );
}

/// Every answer a test run collected, for `tests/schemathesis/records.py`.
struct Recorder {
    sim: Sim,
    answers: Vec<Value>,
}

impl Recorder {
    fn keep(&mut self, method: &Method, path: &str, a: Answer) -> Answer {
        let bare = path.split('?').next().unwrap_or(path);
        let binary = a
            .header("content-type")
            .is_some_and(|t| !t.contains("json"));
        self.answers.push(json!({
            "method": method.as_str(), "path": bare, "status": a.status,
            "body": if binary || a.bytes.is_empty() { Value::Null } else { a.body.clone() },
        }));
        a
    }

    async fn call(&mut self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let a = self.sim.send(method.clone(), path, body).await;
        self.keep(&method, path, a)
    }

    async fn form(&mut self, method: Method, path: &str, form: Form) -> Answer {
        let a = self.sim.multipart(method.clone(), path, form).await;
        self.keep(&method, path, a)
    }
}

fn id_of(a: &Answer, key: &str) -> String {
    a.first()[key].as_str().unwrap_or_default().to_string()
}

/// Every kind of record the emulator emits, from real calls with real ids (the fuzzer mostly meets
/// 404s for random ids), checked against the spec copy's schemas: required fields, types, enums, and
/// no field the spec does not have.
#[tokio::test]
async fn every_record_the_emulator_emits_matches_the_spec() {
    let python = venv("python");
    use Method as M;
    let sim = Sim::with_scenario(&format!(
        "{SCENARIO}\n[[hosts]]\nhostname = \"FUZZ-WIN2\"\nplatform = \"Windows\"\n"
    ))
    .await;
    let win = sim.device("FUZZ-WIN");
    let mut r = Recorder {
        sim,
        answers: Vec::new(),
    };

    // Host groups and hosts.
    let g = r
        .call(
            M::POST,
            "/devices/entities/host-groups/v1",
            Some(json!({"resources": [
        {"name": "records", "group_type": "static", "description": "d"}]})),
        )
        .await
        .expect(201);
    let gid = id_of(&g, "id");
    for path in [
        "/devices/queries/host-groups/v1",
        "/devices/combined/host-groups/v1",
    ] {
        r.call(M::GET, path, None).await.expect(200);
    }
    r.call(
        M::GET,
        &format!("/devices/entities/host-groups/v1?ids={gid}"),
        None,
    )
    .await
    .expect(200);
    r.call(
        M::PATCH,
        "/devices/entities/host-groups/v1",
        Some(json!({"resources": [{"id": gid, "description": "e"}]})),
    )
    .await
    .expect(200);
    r.call(M::POST, "/devices/entities/host-group-actions/v1?action_name=add-hosts", Some(json!({
        "ids": [gid], "action_parameters": [{"name": "filter", "value": format!("device_id:['{win}']")}]}))).await.expect(200);
    r.call(
        M::GET,
        &format!("/devices/queries/host-group-members/v1?id={gid}"),
        None,
    )
    .await
    .expect(200);
    r.call(
        M::GET,
        &format!("/devices/combined/host-group-members/v1?id={gid}"),
        None,
    )
    .await
    .expect(200);
    for path in [
        "/devices/queries/devices/v1",
        "/devices/queries/devices-scroll/v1?limit=1",
        "/devices/combined/devices/v1",
    ] {
        r.call(M::GET, path, None).await.expect(200);
    }
    r.call(
        M::GET,
        &format!("/devices/entities/devices/v2?ids={win}"),
        None,
    )
    .await
    .expect(200);
    r.call(
        M::POST,
        "/devices/entities/devices/v2",
        Some(json!({"ids": [win]})),
    )
    .await
    .expect(200);
    r.call(
        M::GET,
        &format!("/devices/entities/online-state/v1?ids={win}"),
        None,
    )
    .await
    .expect(200);

    // Response policies.
    let p = r.call(M::POST, "/policy/entities/response/v1", Some(json!({"resources": [
        {"name": "records", "platform_name": "Windows", "settings": [{"id": "GetCommand", "value": {"enabled": true}}]}]}))).await.expect(201);
    let pid = id_of(&p, "id");
    for path in [
        "/policy/queries/response/v1",
        "/policy/combined/response/v1",
    ] {
        r.call(M::GET, path, None).await.expect(200);
    }
    r.call(
        M::GET,
        &format!("/policy/entities/response/v1?ids={pid}"),
        None,
    )
    .await
    .expect(200);
    r.call(
        M::PATCH,
        "/policy/entities/response/v1",
        Some(json!({"resources": [{"id": pid, "description": "e"}]})),
    )
    .await
    .expect(200);
    r.call(
        M::POST,
        "/policy/entities/response-actions/v1?action_name=add-host-group",
        Some(json!({
        "ids": [pid], "action_parameters": [{"name": "group_id", "value": gid}]})),
    )
    .await
    .expect(200);
    r.call(
        M::POST,
        "/policy/entities/response-actions/v1?action_name=enable",
        Some(json!({"ids": [pid]})),
    )
    .await
    .expect(200);
    r.call(
        M::POST,
        "/policy/entities/response-precedence/v1",
        Some(json!({"ids": [pid], "platform_name": "Windows"})),
    )
    .await
    .expect(200);
    r.call(
        M::GET,
        &format!("/policy/queries/response-members/v1?id={pid}"),
        None,
    )
    .await
    .expect(200);
    r.call(
        M::GET,
        &format!("/policy/combined/response-members/v1?id={pid}"),
        None,
    )
    .await
    .expect(200);

    // The library.
    let script = Form::new()
        .text("name", "rec.ps1")
        .text("description", "d")
        .text("permission_type", "private")
        .text("content", "whoami");
    r.form(M::POST, "/real-time-response/entities/scripts/v1", script)
        .await
        .expect(200);
    let script2 = Form::new()
        .text("name", "rec2.ps1")
        .text("description", "d")
        .text("permission_type", "public")
        .text("content", "hostname");
    let s2 = r
        .form(M::POST, "/real-time-response/entities/scripts/v2", script2)
        .await
        .expect(200);
    let sid2 = id_of(&s2, "id");
    let ids = r
        .call(M::GET, "/real-time-response/queries/scripts/v1", None)
        .await
        .expect(200);
    let sids: Vec<String> = ids
        .resources()
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    r.call(
        M::GET,
        &format!("/real-time-response/entities/scripts/v1?ids={}", sids[0]),
        None,
    )
    .await
    .expect(200);
    r.call(
        M::GET,
        &format!("/real-time-response/entities/scripts/v2?ids={sid2}"),
        None,
    )
    .await
    .expect(200);
    r.form(
        M::PATCH,
        "/real-time-response/entities/scripts/v1",
        Form::new()
            .text("id", sids[0].clone())
            .text("description", "e"),
    )
    .await
    .expect(200);
    r.form(
        M::PATCH,
        "/real-time-response/entities/scripts/v2",
        Form::new()
            .text("id", sid2.clone())
            .text("content", "whoami"),
    )
    .await
    .expect(202);
    let file = || Part::bytes(b"MZ\x90\x00".to_vec()).file_name("tool.exe");
    r.form(
        M::POST,
        "/real-time-response/entities/put-files/v1",
        Form::new()
            .part("file", file())
            .text("description", "d")
            .text("name", "tool.exe"),
    )
    .await
    .expect(200);
    let pf2 = r
        .form(
            M::POST,
            "/real-time-response/entities/put-files/v2",
            Form::new()
                .part("file", file())
                .text("description", "d")
                .text("name", "tool2.exe"),
        )
        .await
        .expect(200);
    let pf2 = id_of(&pf2, "id");
    let pfs = r
        .call(M::GET, "/real-time-response/queries/put-files/v1", None)
        .await
        .expect(200);
    let pf1 = pfs.resources()[0].as_str().unwrap().to_string();
    r.call(
        M::GET,
        &format!("/real-time-response/entities/put-files/v1?ids={pf1}"),
        None,
    )
    .await
    .expect(200);
    r.call(
        M::GET,
        &format!("/real-time-response/entities/put-files/v2?ids={pf2}"),
        None,
    )
    .await
    .expect(200);
    r.call(
        M::GET,
        &format!("/real-time-response/entities/put-file-contents/v1?id={pf1}"),
        None,
    )
    .await
    .expect(200);
    let fs = r
        .call(
            M::GET,
            "/real-time-response/queries/falcon-scripts/v1",
            None,
        )
        .await
        .expect(200);
    let fs = fs.resources()[0].as_str().unwrap().to_string();
    r.call(
        M::GET,
        &format!("/real-time-response/entities/falcon-scripts/v1?ids={fs}"),
        None,
    )
    .await
    .expect(200);

    // Sessions, commands, files.
    let s = r
        .call(
            M::POST,
            "/real-time-response/entities/sessions/v1",
            Some(json!({"device_id": win, "origin": "records", "queue_offline": false})),
        )
        .await
        .expect(201);
    let session = id_of(&s, "session_id");
    r.call(
        M::POST,
        "/real-time-response/entities/refresh-session/v1",
        Some(json!({"device_id": win})),
    )
    .await
    .expect(201);
    r.call(M::GET, "/real-time-response/queries/sessions/v1", None)
        .await
        .expect(200);
    for (endpoint, line) in [
        ("command", "ls C:\\Windows"),
        ("active-responder-command", "get C:\\Windows\\notepad.exe"),
        ("admin-command", "put tool.exe"),
    ] {
        let base = line.split_whitespace().next().unwrap();
        let path = format!("/real-time-response/entities/{endpoint}/v1");
        let ran = r.call(M::POST, &path, Some(json!({"base_command": base, "command_string": line, "session_id": session, "device_id": win, "id": 0, "persist": false}))).await.expect(201);
        let cloud = id_of(&ran, "cloud_request_id");
        r.sim.wait(endpoint, &cloud).await;
        r.call(
            M::GET,
            &format!("{path}?cloud_request_id={cloud}&sequence_id=0"),
            None,
        )
        .await
        .expect(200);
    }
    r.call(
        M::POST,
        "/real-time-response/entities/sessions/GET/v1",
        Some(json!({"ids": [session]})),
    )
    .await
    .expect(200);
    r.call(
        M::POST,
        "/real-time-response/entities/queued-sessions/GET/v1",
        Some(json!({"ids": [session]})),
    )
    .await
    .expect(200);
    r.call(
        M::POST,
        "/real-time-response/aggregates/sessions/GET/v1",
        Some(json!([{"field": "device_id", "name": "by_host", "type": "terms"}])),
    )
    .await
    .expect(200);
    r.call(
        M::GET,
        &format!("/real-time-response/entities/file/v1?session_id={session}"),
        None,
    )
    .await
    .expect(200);
    let files = r
        .call(
            M::GET,
            &format!("/real-time-response/entities/file/v2?session_id={session}"),
            None,
        )
        .await
        .expect(200);
    let sha = id_of(&files, "sha256");
    r.call(M::GET, &format!("/real-time-response/entities/extracted-file-contents/v1?session_id={session}&sha256={sha}"), None).await.expect(200);

    // Batches.
    let b = r
        .call(
            M::POST,
            "/real-time-response/combined/batch-init-session/v1",
            Some(json!({"host_ids": [win]})),
        )
        .await
        .expect(201);
    let batch = b.body["batch_id"].as_str().unwrap().to_string();
    r.call(
        M::POST,
        "/real-time-response/combined/batch-refresh-session/v1",
        Some(json!({"batch_id": batch})),
    )
    .await
    .expect(201);
    for (endpoint, line) in [
        ("batch-command", "pwd"),
        ("batch-active-responder-command", "mkdir C:\\rec"),
        ("batch-admin-command", "put tool.exe"),
    ] {
        let base = line.split_whitespace().next().unwrap();
        r.call(
            M::POST,
            &format!("/real-time-response/combined/{endpoint}/v1"),
            Some(json!({"base_command": base, "command_string": line, "batch_id": batch})),
        )
        .await
        .expect(201);
    }
    let got = r
        .call(
            M::POST,
            "/real-time-response/combined/batch-get-command/v1",
            Some(json!({"batch_id": batch, "file_path": "C:\\Windows\\notepad.exe"})),
        )
        .await
        .expect(201);
    let req = got.body["batch_get_cmd_req_id"]
        .as_str()
        .unwrap()
        .to_string();
    r.call(
        M::GET,
        &format!("/real-time-response/combined/batch-get-command/v1?batch_get_cmd_req_id={req}"),
        None,
    )
    .await
    .expect(200);

    // Hosts change state; deletions last.
    r.call(
        M::POST,
        "/devices/entities/devices-actions/v2?action_name=contain",
        Some(json!({"ids": [win]})),
    )
    .await
    .expect(202);
    r.call(
        M::DELETE,
        &format!(
            "/real-time-response/entities/file/v2?session_id={session}&ids={}",
            id_of(&files, "id")
        ),
        None,
    )
    .await
    .expect(204);
    r.call(
        M::DELETE,
        &format!("/real-time-response/entities/sessions/v1?session_id={session}"),
        None,
    )
    .await
    .expect(204);
    r.call(
        M::DELETE,
        &format!("/real-time-response/entities/scripts/v1?ids={sid2}"),
        None,
    )
    .await
    .expect(200);
    r.call(
        M::DELETE,
        &format!("/real-time-response/entities/put-files/v1?ids={pf2}"),
        None,
    )
    .await
    .expect(200);
    r.call(
        M::POST,
        "/policy/entities/response-actions/v1?action_name=disable",
        Some(json!({"ids": [pid]})),
    )
    .await
    .expect(200);
    r.call(
        M::DELETE,
        &format!("/policy/entities/response/v1?ids={pid}"),
        None,
    )
    .await
    .expect(200);
    r.call(
        M::DELETE,
        &format!("/devices/entities/host-groups/v1?ids={gid}"),
        None,
    )
    .await
    .expect(200);
    // And some errors, in their shapes.
    r.call(M::GET, "/policy/entities/response/v1?ids=nope", None)
        .await
        .expect(404);
    r.call(
        M::GET,
        "/real-time-response/entities/scripts/v1?ids=nope",
        None,
    )
    .await
    .expect(404);

    let dir = tempfile::tempdir().expect("a folder");
    let answers = dir.path().join("answers.jsonl");
    let lines: Vec<String> = r.answers.iter().map(Value::to_string).collect();
    std::fs::write(&answers, lines.join("\n") + "\n").expect("write the answers");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(python)
        .arg(root.join("tests/schemathesis/records.py"))
        .arg(root.join("tests/data/falcon-api/openapi-adapted.json"))
        .arg(&answers)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("0 problems"), "{stdout}");
}
