//! RTR in the emulator: sessions, the command lifecycle (latency, chunks, counters), offline
//! queueing, expiry, batch sessions and commands.

use crate::sim_support::Sim;
use falconry::sim::host::CommandEnv;
use serde_json::json;
use std::time::Duration;

const FLEET: &str = r#"
command_latency_ms = 150
stdout_chunk_bytes = 8
session_idle_secs = 2

[[hosts]]
hostname = "WS-1"
platform = "Windows"

[[hosts]]
hostname = "WS-2"
platform = "Windows"

[[hosts]]
hostname = "OFF-1"
platform = "Linux"
online = false
"#;

struct NoLibrary;

impl CommandEnv for NoLibrary {
    fn put_file(&self, _: &str) -> Option<Vec<u8>> {
        None
    }
    fn script(&self, _: &str) -> Option<String> {
        None
    }
}

#[tokio::test]
async fn init_answers_201_with_a_session() {
    let sim = Sim::with_scenario(FLEET).await;
    let a = sim
        .post(
            "/real-time-response/entities/sessions/v1?timeout=30",
            json!({"device_id": sim.device("WS-1"), "origin": "test", "queue_offline": false}),
        )
        .await
        .expect(201);
    let s = a.first();
    assert_eq!(s["session_id"].as_str().unwrap().len(), 36);
    assert_eq!(s["offline_queued"], false);
    assert_eq!(s["pwd"], "C:\\");
    let a = sim
        .post(
            "/real-time-response/entities/sessions/v1",
            json!({"device_id": "0000000000000000000000000000dead"}),
        )
        .await
        .expect(404);
    assert!(a.message().contains("dead"));
    let a = sim
        .post(
            "/real-time-response/entities/sessions/v1",
            json!({"origin": "x"}),
        )
        .await
        .expect(400);
    assert!(a.message().contains("`device_id`"));
}

#[tokio::test]
async fn status_is_incomplete_until_the_latency_passed_then_chunked() {
    let sim = Sim::with_scenario(FLEET).await;
    let device = sim.device("WS-1");
    let session = sim.session(&device).await;
    let a = sim.run("command", &session, "ps").await.expect(201);
    let id = a.first()["cloud_request_id"].as_str().unwrap().to_string();
    assert_eq!(a.first()["queued_command_offline"], false);
    assert_eq!(a.first()["session_id"], session.as_str());

    let path = |seq: usize| {
        format!("/real-time-response/entities/command/v1?cloud_request_id={id}&sequence_id={seq}")
    };
    let early = sim.get(&path(0)).await.expect(200);
    assert_eq!(early.first()["complete"], false);
    assert_eq!(early.first()["stdout"], "");
    tokio::time::sleep(Duration::from_millis(200)).await;

    // What the host prints for `ps`, computed on a copy of it.
    let expected = {
        let mut host = sim.handle.state().host(&device).unwrap().clone();
        let mut cwd = "C:\\".to_string();
        let out = host.execute(&mut cwd, "ps", "ps", &NoLibrary);
        out.stdout
    };
    // Every chunk but the last says `complete: false`: more output follows at the next sequence.
    let mut joined = String::new();
    for seq in 0.. {
        let a = sim.get(&path(seq)).await.expect(200);
        let r = a.first();
        assert_eq!(r["sequence_id"], seq);
        let chunk = r["stdout"].as_str().unwrap();
        assert!(!chunk.is_empty() && chunk.len() <= 8, "{chunk:?}");
        joined.push_str(chunk);
        if r["complete"] == true {
            break;
        }
    }
    let past = sim.get(&path(joined.len())).await.expect(200);
    assert_eq!(past.first()["complete"], true);
    assert_eq!(past.first()["stdout"], "");
    assert_eq!(joined, expected);
    assert!(
        joined.len() > 16,
        "`ps` output spans several chunks: {joined:?}"
    );
    assert_eq!(sim.handle.state().executions(&id), 1);

    let a = sim
        .get("/real-time-response/entities/command/v1?cloud_request_id=nope&sequence_id=0")
        .await
        .expect(404);
    assert!(a.message().contains("nope"));
}

#[tokio::test]
async fn offline_hosts_refuse_or_queue_and_run_once_back() {
    let sim = Sim::with_scenario(FLEET).await;
    let device = sim.device("OFF-1");
    let a = sim
        .post(
            "/real-time-response/entities/sessions/v1",
            json!({"device_id": device, "queue_offline": false}),
        )
        .await
        .expect(404);
    assert_eq!(a.body["errors"][0]["code"], 40401, "{}", a.body);
    assert_eq!(a.message(), "Could not establish sensor comms");
    let a = sim
        .post(
            "/real-time-response/entities/sessions/v1",
            json!({"device_id": device, "queue_offline": true}),
        )
        .await
        .expect(201);
    assert_eq!(a.first()["offline_queued"], true);
    let session = a.first()["session_id"].as_str().unwrap().to_string();
    let a = sim.run("command", &session, "ls /tmp").await.expect(201);
    assert_eq!(a.first()["queued_command_offline"], true);
    let id = a.first()["cloud_request_id"].as_str().unwrap().to_string();

    let q = sim
        .post(
            "/real-time-response/entities/queued-sessions/GET/v1",
            json!({"ids": [session]}),
        )
        .await
        .expect(200);
    assert_eq!(q.first()["aid"], device.as_str());
    assert_eq!(q.first()["Commands"][0]["status"], "PENDING");
    assert_eq!(q.first()["Commands"][0]["cloud_request_id"], id.as_str());
    let status = sim
        .get(&format!(
            "/real-time-response/entities/command/v1?cloud_request_id={id}&sequence_id=0"
        ))
        .await
        .expect(200);
    assert_eq!(status.first()["complete"], false);
    assert_eq!(sim.handle.state().executions(&id), 0);

    // A second queued command, cancelled before the host returns, never runs.
    let b = sim.run("command", &session, "pwd").await.expect(201);
    let cancel = b.first()["cloud_request_id"].as_str().unwrap().to_string();
    let d = sim
        .delete(&format!(
            "/real-time-response/entities/queued-sessions/command/v1?session_id={session}&cloud_request_id={cancel}"
        ))
        .await
        .expect(204);
    assert_eq!(
        d.header("content-type").as_deref(),
        Some("application/json")
    );

    assert!(sim.handle.state().set_online(&device, true));
    sim.wait("command", &id).await;
    assert_eq!(sim.handle.state().executions(&id), 1);
    assert_eq!(sim.handle.state().executions(&cancel), 0);
    let q = sim
        .post(
            "/real-time-response/entities/queued-sessions/GET/v1",
            json!({"ids": [session]}),
        )
        .await
        .expect(200);
    assert_eq!(q.first()["Commands"][0]["status"], "FINISHED");
    assert_eq!(q.first()["Commands"][1]["status"], "CANCELED");
}

#[tokio::test]
async fn commands_to_an_offline_host_fail_without_persist() {
    let sim = Sim::with_scenario(FLEET).await;
    let device = sim.device("WS-2");
    let session = sim.session(&device).await;
    sim.handle.state().set_online(&device, false);
    // psfalcon#76: 40401 `Could not establish sensor comms`; the HTTP status is the code's first
    // three digits, as 40014 answers HTTP 400 in falconpy#55.
    let a = sim.run("command", &session, "ls").await.expect(404);
    assert_eq!(a.body["errors"][0]["code"], 40401, "{}", a.body);
    assert_eq!(a.message(), "Could not establish sensor comms");
    let a = sim
        .post(
            "/real-time-response/entities/command/v1",
            json!({"base_command": "ls", "command_string": "ls", "session_id": session, "persist": true}),
        )
        .await
        .expect(201);
    assert_eq!(a.first()["queued_command_offline"], true);
}

#[tokio::test]
async fn sessions_expire_when_idle_and_pulse_keeps_them() {
    let sim = Sim::with_scenario(FLEET).await;
    let device = sim.device("WS-1");
    let session = sim.session(&device).await;
    let other = sim.session(&sim.device("WS-2")).await;
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(800)).await;
        sim.post(
            "/real-time-response/entities/refresh-session/v1",
            json!({"device_id": device, "origin": "test", "queue_offline": false}),
        )
        .await
        .expect(201);
    }
    sim.run("command", &session, "pwd").await.expect(201);
    let a = sim.run("command", &other, "pwd").await.expect(404);
    assert!(a.message().contains("expired"), "{}", a.message());
}

#[tokio::test]
async fn sessions_list_aggregate_and_delete() {
    let sim = Sim::with_scenario(FLEET).await;
    let s1 = sim.session(&sim.device("WS-1")).await;
    let s2 = sim.session(&sim.device("WS-2")).await;
    sim.run("command", &s1, "pwd").await.expect(201);
    let a = sim
        .get("/real-time-response/queries/sessions/v1")
        .await
        .expect(200);
    assert_eq!(a.body["meta"]["pagination"]["total"], 2);
    let a = sim
        .get("/real-time-response/queries/sessions/v1?filter=hostname:'WS-2'")
        .await
        .expect(200);
    assert_eq!(a.resources(), &vec![json!(s2)]);
    let l = sim
        .post(
            "/real-time-response/entities/sessions/GET/v1",
            json!({"ids": [s1]}),
        )
        .await
        .expect(200);
    assert_eq!(l.first()["hostname"], "WS-1");
    assert_eq!(l.first()["logs"][0]["base_command"], "pwd");
    let g = sim
        .post(
            "/real-time-response/aggregates/sessions/GET/v1",
            json!([{"field": "hostname", "name": "by_host", "type": "terms"}]),
        )
        .await
        .expect(200);
    assert_eq!(g.first()["name"], "by_host");
    assert_eq!(g.first()["buckets"].as_array().unwrap().len(), 2);
    let d = sim
        .delete(&format!(
            "/real-time-response/entities/sessions/v1?session_id={s1}"
        ))
        .await
        .expect(204);
    assert!(d.bytes.is_empty());
    sim.delete(&format!(
        "/real-time-response/entities/sessions/v1?session_id={s1}"
    ))
    .await
    .expect(404);
    let a = sim
        .get("/real-time-response/queries/sessions/v1")
        .await
        .expect(200);
    assert_eq!(a.body["meta"]["pagination"]["total"], 1);
}

#[tokio::test]
async fn batch_sessions_answer_per_host_by_device_id() {
    let sim = Sim::with_scenario(FLEET).await;
    let (w1, w2, off) = (sim.device("WS-1"), sim.device("WS-2"), sim.device("OFF-1"));
    let a = sim
        .post(
            "/real-time-response/combined/batch-init-session/v1",
            json!({"host_ids": [w1, w2, off], "queue_offline": false}),
        )
        .await
        .expect(201);
    let batch_id = a.body["batch_id"].as_str().unwrap().to_string();
    let r = &a.body["resources"];
    assert!(r[&w1]["session_id"].as_str().unwrap().len() == 36);
    // psfalcon#76/#79: an offline host without queueing answers RTR's 40401 in its own entry.
    assert_eq!(r[&off]["errors"][0]["code"], 40401);
    assert_eq!(
        r[&off]["errors"][0]["message"],
        "Could not establish sensor comms"
    );

    let a = sim
        .post(
            "/real-time-response/combined/batch-command/v1",
            json!({"base_command": "pwd", "command_string": "pwd", "batch_id": batch_id}),
        )
        .await
        .expect(201);
    let res = &a.body["combined"]["resources"];
    assert_eq!(res.as_object().unwrap().len(), 2);
    assert_eq!(res[&w1]["complete"], true);
    assert_eq!(res[&w1]["aid"], w1.as_str());
    let task = res[&w2]["task_id"].as_str().unwrap();
    assert_eq!(sim.handle.state().executions(task), 1);

    let a = sim
        .post(
            "/real-time-response/combined/batch-active-responder-command/v1",
            json!({"base_command": "pwd", "command_string": "pwd", "batch_id": batch_id,
                   "optional_hosts": [w2]}),
        )
        .await
        .expect(201);
    assert_eq!(
        a.body["combined"]["resources"].as_object().unwrap().len(),
        1
    );

    let a = sim
        .post(
            "/real-time-response/combined/batch-admin-command/v1",
            json!({"base_command": "frob", "command_string": "frob", "batch_id": batch_id}),
        )
        .await
        .expect(201);
    // elastic/kibana's CrowdStrike emulator (batch_rtr_command_route.ts): an unknown command is
    // 40007 `Command not found` in the host's entry of a 201 answer, `complete: false`.
    let entry = &a.body["combined"]["resources"][&w1];
    assert_eq!(entry["errors"][0]["code"], 40007, "{entry}");
    assert_eq!(
        entry["errors"][0]["message"], "Command not found",
        "{entry}"
    );
    assert_eq!(entry["complete"], false, "{entry}");

    let a = sim
        .post(
            "/real-time-response/combined/batch-refresh-session/v1",
            json!({"batch_id": batch_id, "hosts_to_remove": [w2]}),
        )
        .await
        .expect(201);
    assert_eq!(a.body["resources"].as_object().unwrap().len(), 1);
    assert_eq!(sim.handle.state().total_executions(), 3);

    sim.post(
        "/real-time-response/combined/batch-command/v1",
        json!({"base_command": "pwd", "command_string": "pwd", "batch_id": "nope"}),
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn batch_get_and_status() {
    let sim = Sim::with_scenario(FLEET).await;
    let w1 = sim.device("WS-1");
    let a = sim
        .post(
            "/real-time-response/combined/batch-init-session/v1",
            json!({"host_ids": [w1]}),
        )
        .await
        .expect(201);
    let batch_id = a.body["batch_id"].as_str().unwrap().to_string();
    let status = |req: String| {
        let sim = &sim;
        async move {
            sim.get(&format!(
                "/real-time-response/combined/batch-get-command/v1?batch_get_cmd_req_id={req}"
            ))
            .await
            .expect(200)
        }
    };
    let get = |path: &'static str| {
        let (sim, batch_id) = (&sim, batch_id.clone());
        async move {
            sim.post(
                "/real-time-response/combined/batch-get-command/v1",
                json!({"batch_id": batch_id, "file_path": path}),
            )
            .await
            .expect(201)
        }
    };
    let a = get("C:\\Windows\\notepad.exe").await;
    let req = a.body["batch_get_cmd_req_id"].as_str().unwrap().to_string();
    assert!(a.body["combined"]["resources"][&w1]["task_id"].is_string());
    let s = status(req).await;
    // A `model.File` once the file is there.
    let file = &s.body["resources"][&w1];
    assert_eq!(
        file["session_id"],
        a.body["combined"]["resources"][&w1]["session_id"]
    );
    assert_eq!(file["sha256"].as_str().unwrap().len(), 64, "{file}");
    // A host whose `get` found nothing lists no file (Falcon returns finished files only).
    let a = get("C:\\no\\such.file").await;
    let s = status(a.body["batch_get_cmd_req_id"].as_str().unwrap().to_string()).await;
    assert!(s.body["resources"].get(&w1).is_none(), "{}", s.body);
}

const FILES: &str = r#"
command_latency_ms = 0

[[hosts]]
hostname = "WS-1"
platform = "Windows"
files = [{ path = 'C:\Users\Public\evil.dll', content_base64 = "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAA==" }]

[[put_files]]
name = "fix.ps1"
content = "Write-Output fixed"

[[scripts]]
name = "Triage"
content = "Get-Process"
"#;

#[tokio::test]
async fn get_delivers_the_file_as_a_7z_with_password_infected() {
    let sim = Sim::with_scenario(FILES).await;
    let session = sim.session(&sim.device("WS-1")).await;
    let a = sim
        .run(
            "active-responder-command",
            &session,
            "get C:\\Users\\Public\\evil.dll",
        )
        .await
        .expect(201);
    let id = a.first()["cloud_request_id"].as_str().unwrap().to_string();
    let status = sim.wait("active-responder-command", &id).await;
    assert_eq!(status["stderr"], "", "{status}");

    let list = sim
        .get(&format!(
            "/real-time-response/entities/file/v2?session_id={session}"
        ))
        .await
        .expect(200);
    let file = list.first().clone();
    assert_eq!(file["cloud_request_id"], id.as_str());
    assert!(
        file["name"].as_str().unwrap().ends_with("evil.dll"),
        "{file}"
    );
    let expected = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAA==",
    )
    .unwrap();
    assert_eq!(file["size"], expected.len());
    let sha = file["sha256"].as_str().unwrap();
    let v1 = sim
        .get(&format!(
            "/real-time-response/entities/file/v1?session_id={session}"
        ))
        .await
        .expect(200);
    assert!(v1.first()["id"].is_u64());

    let c = sim
        .get(&format!(
            "/real-time-response/entities/extracted-file-contents/v1?session_id={session}&sha256={sha}&filename=evil.dll"
        ))
        .await
        .expect(200);
    assert_eq!(
        c.header("content-type").as_deref(),
        Some("application/x-7z-compressed")
    );
    assert_eq!(&c.bytes[..6], b"7z\xbc\xaf\x27\x1c");
    let unpacked = falconry::sim::host::archive::unpack_7z(&c.bytes, "infected").unwrap();
    assert_eq!(unpacked[0].0, "evil.dll");
    assert_eq!(unpacked[0].1, expected);

    sim.delete(&format!(
        "/real-time-response/entities/file/v2?session_id={session}&ids={}",
        file["id"].as_str().unwrap()
    ))
    .await
    .expect(204);
    let list = sim
        .get(&format!(
            "/real-time-response/entities/file/v2?session_id={session}"
        ))
        .await
        .expect(200);
    assert!(list.resources().is_empty());
}

#[tokio::test]
async fn commands_change_the_host_and_use_the_library() {
    let sim = Sim::with_scenario(FILES).await;
    let session = sim.session(&sim.device("WS-1")).await;
    let out = |line: &'static str, endpoint: &'static str| {
        let sim = &sim;
        let session = session.clone();
        async move {
            let a = sim.run(endpoint, &session, line).await.expect(201);
            sim.wait(endpoint, a.first()["cloud_request_id"].as_str().unwrap())
                .await
        }
    };
    out("cd C:\\Users\\Public", "command").await;
    let put = out("put fix.ps1", "admin-command").await;
    assert_eq!(put["stderr"], "", "{put}");
    let cat = out("cat fix.ps1", "command").await;
    assert!(
        cat["stdout"]
            .as_str()
            .unwrap()
            .contains("Write-Output fixed"),
        "{cat}"
    );
    out("rm evil.dll", "active-responder-command").await;
    let ls = out("ls", "command").await;
    assert!(!ls["stdout"].as_str().unwrap().contains("evil.dll"), "{ls}");
    assert!(ls["stdout"].as_str().unwrap().contains("fix.ps1"), "{ls}");
    let run = out(
        "runscript -CloudFile=\"Triage\"",
        "active-responder-command",
    )
    .await;
    assert_eq!(run["stderr"], "", "{run}");
}

#[tokio::test]
async fn a_restarted_host_goes_offline_and_returns_to_run_queued_commands() {
    let sim = Sim::with_scenario("command_latency_ms = 0\nrestart_secs = 1\n[[hosts]]\nhostname = \"WS-1\"\nplatform = \"Windows\"\n").await;
    let device = sim.device("WS-1");
    let session = sim.session(&device).await;
    sim.run("active-responder-command", &session, "restart -Confirm")
        .await
        .expect(201);
    let o = sim
        .get(&format!("/devices/entities/online-state/v1?ids={device}"))
        .await
        .expect(200);
    assert_eq!(o.first()["state"], "offline");
    let a = sim
        .post(
            "/real-time-response/entities/command/v1",
            json!({"base_command": "pwd", "command_string": "pwd", "session_id": session, "persist": true}),
        )
        .await
        .expect(201);
    assert_eq!(a.first()["queued_command_offline"], true);
    let id = a.first()["cloud_request_id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let status = sim.wait("command", &id).await;
    assert_eq!(status["complete"], true);
    assert_eq!(sim.handle.state().executions(&id), 1);
    let o = sim
        .get(&format!("/devices/entities/online-state/v1?ids={device}"))
        .await
        .expect(200);
    assert_eq!(o.first()["state"], "online");
}

/// The cloud checks each flag against the command's grammar (`ops::command_flags`, from the real
/// Linux session catalogue kept by elastic/kibana) before the host sees the command: an unknown flag
/// answers RTR's 40014 `Unrecognized flag found: <Flag>, value: <value>` with HTTP 400, the answer
/// quoted whole in falconpy#55 (`Unrecognized flag found: Raw, value: gci /`). In a batch it is the
/// host's own error. Nothing runs.
#[tokio::test]
async fn an_unknown_flag_is_refused_with_40014_and_nothing_runs() {
    let sim = Sim::with_scenario(FLEET).await;
    let ws = sim.session(&sim.device("WS-2")).await;
    let a = sim.run("command", &ws, "ls -Bogus=1").await.expect(400);
    assert_eq!(a.body["errors"][0]["code"], 40014, "{}", a.body);
    assert_eq!(a.message(), "Unrecognized flag found: Bogus, value: 1");
    let a = sim.run("command", &ws, "ps -x").await.expect(400);
    assert_eq!(a.message(), "Unrecognized flag found: x, value: ");
    assert_eq!(sim.handle.state().total_executions(), 0);
    // The catalogue's own flags pass; one-letter flags are case-sensitive (`-l` and `-L` both exist).
    sim.run("command", &ws, "ls -l C:\\").await.expect(201);
    sim.run("command", &ws, "ls -t -L C:\\").await.expect(201);
    sim.run("command", &ws, "cat -n C:\\Windows\\win.ini")
        .await
        .expect(201);

    let w2 = sim.device("WS-2");
    let a = sim
        .post(
            "/real-time-response/combined/batch-init-session/v1",
            json!({"host_ids": [w2]}),
        )
        .await
        .expect(201);
    let batch_id = a.body["batch_id"].as_str().unwrap().to_string();
    let a = sim
        .post(
            "/real-time-response/combined/batch-command/v1",
            json!({"base_command": "ls", "command_string": "ls -Bogus=1", "batch_id": batch_id}),
        )
        .await
        .expect(201);
    let entry = &a.body["combined"]["resources"][&w2];
    assert_eq!(entry["errors"][0]["code"], 40014, "{entry}");
    assert_eq!(
        entry["errors"][0]["message"],
        "Unrecognized flag found: Bogus, value: 1"
    );
}

/// `runscript -CloudFile=` naming a script the cloud does not have: 40412 `The file <name> could not
/// be found` (elastic/kibana's CrowdStrike emulator keeps that answer, `rtr_admin_route.ts`); the
/// host never sees the command.
#[tokio::test]
async fn a_missing_cloud_script_is_40412() {
    let sim = Sim::with_scenario(FLEET).await;
    let ws = sim.session(&sim.device("WS-2")).await;
    let a = sim
        .run("admin-command", &ws, "runscript -CloudFile=test1")
        .await
        .expect(404);
    assert_eq!(a.body["errors"][0]["code"], 40412, "{}", a.body);
    assert_eq!(a.message(), "The file test1 could not be found");
    assert_eq!(sim.handle.state().total_executions(), 0);
}
