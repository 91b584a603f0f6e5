//! The emulator answers hostile input instead of dying or hoarding: filters nested thousands deep
//! (in a query and in a dynamic group's rule), multi-byte characters, bodies sent without a token,
//! bodies over the limit, and connections that never finish their headers. Driven through the
//! binary: `falconry run` on the embedded emulator, and `falconry sim` over raw TCP.

use crate::common::Test;
use crate::served::Served;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Builds `depth` parentheses around a comparison, in Rhai (the playbook makes the filter).
fn deep_filter_rhai(depth: usize) -> String {
    format!(
        r#"let f = ""; for i in 0..{depth} {{ f += "("; }} f += "hostname:'x'"; for i in 0..{depth} {{ f += ")"; }}"#
    )
}

#[test]
fn a_filter_nested_5000_deep_is_a_400_and_the_embedded_emulator_lives_on() {
    let playbook = format!(
        r#"{}
let r = ();
try {{ hosts::query_devices_by_filter(#{{ filter: f }}); r = "accepted"; }}
catch (e) {{ r = `${{e.status_code}} ${{e.errors[0].message}}`; }}
print(r);
print(hosts::query_devices_by_filter(#{{ limit: 1 }}).status_code);"#,
        deep_filter_rhai(5000)
    );
    let out = Test::new().playbook(&playbook).run();
    out.status(0)
        .stdout_has("400 invalid filter")
        .stdout_has("deeper than 64 levels")
        .stdout_has("\n200\n");
}

#[test]
fn a_dynamic_group_rule_nested_5000_deep_is_a_400() {
    let playbook = format!(
        r#"{}
let r = ();
try {{
  host_group::create_host_groups(#{{ name: "deep", group_type: "dynamic", assignment_rule: f }});
  r = "accepted";
}} catch (e) {{ r = `${{e.status_code}} ${{e.errors[0].message}}`; }}
print(r);
print(host_group::query_host_groups().status_code);"#,
        deep_filter_rhai(5000)
    );
    Test::new()
        .playbook(&playbook)
        .run()
        .status(0)
        .stdout_has("400 `assignment_rule`: invalid filter")
        .stdout_has("deeper than 64 levels")
        .stdout_has("\n200\n");
}

#[test]
fn a_multi_byte_character_in_a_filter_gets_an_answer() {
    Test::new()
        .playbook(
            r#"print(hosts::query_devices_by_filter(#{ filter: "last_seen:>'now€'" }).status_code);
print(hosts::query_devices_by_filter(#{ filter: "last_seen:>'now-€'" }).status_code);"#,
        )
        .run()
        .status(0)
        .stdout_is("200\n200\n");
}

const UPLOAD_HEAD: &str = "POST /real-time-response/entities/put-files/v1 HTTP/1.1\r\nHost: x\r\n";

#[test]
fn a_body_without_a_token_is_refused_before_it_is_read() {
    let sim = Served::start("");
    // 250 MB announced, none sent: the answer must come from the headers alone.
    let (_s, status) = sim.status_after_head(&format!(
        "{UPLOAD_HEAD}Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 262144000\r\n\r\n"
    ));
    assert!(status.starts_with("HTTP/1.1 401"), "{status}");
}

#[test]
fn a_body_over_the_limit_answers_413() {
    let sim = Served::start("body_limit_bytes = 1000\n");
    let token = sim.token();
    let (_s, status) = sim.status_after_head(&format!(
        "{UPLOAD_HEAD}Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 262144000\r\n\r\n"
    ));
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    // Chunked, with no length announced: refused once it passes the limit.
    let mut s = sim.connect();
    write!(
        s,
        "POST /policy/entities/response/v1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .unwrap();
    for _ in 0..4 {
        let chunk = "x".repeat(500);
        let _ = write!(s, "{:x}\r\n{chunk}\r\n", chunk.len());
    }
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).expect("an answer");
    assert!(line.starts_with("HTTP/1.1 413"), "{line}");
}

/// Reads until the server ends the connection (true) or the 20 s read timeout passes (false).
fn closed_by_server(mut s: TcpStream) -> bool {
    let mut buf = [0u8; 256];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) => {
                return !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                );
            }
        }
    }
}

#[test]
fn connections_that_never_finish_their_headers_are_closed() {
    let sim = Served::start("idle_timeout_secs = 1\n");
    let mut slow: Vec<TcpStream> = (0..50).map(|_| sim.connect()).collect();
    for s in &mut slow {
        s.write_all(b"GET /devices/queries/devices/v1 HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .unwrap();
    }
    let idle = sim.connect();
    let started = Instant::now();
    for s in slow.into_iter().chain([idle]) {
        assert!(closed_by_server(s), "the connection stayed open");
    }
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "closed only after {:?}",
        started.elapsed()
    );
}

/// Polls a command's status (sequence 0) once; the status code says whether it is still known.
async fn status_of(sim: &crate::sim_support::Sim, id: &str) -> u16 {
    sim.get(&format!(
        "/real-time-response/entities/command/v1?cloud_request_id={id}&sequence_id=0"
    ))
    .await
    .status
}

#[tokio::test]
async fn commands_sessions_and_batches_are_forgotten_when_they_expire() {
    let sim = crate::sim_support::Sim::with_scenario(
        "command_latency_ms = 0\nsession_idle_secs = 1\ncommand_retention_secs = 1\n\
         [[hosts]]\nhostname = \"R-1\"\nplatform = \"Linux\"\n",
    )
    .await;
    let host = sim.device("R-1");
    let session = sim.session(&host).await;
    let ran = sim.run("command", &session, "pwd").await.expect(201);
    let id = ran.first()["cloud_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    sim.wait("command", &id).await;
    let batch = sim
        .post(
            "/real-time-response/combined/batch-init-session/v1",
            serde_json::json!({ "host_ids": [host] }),
        )
        .await
        .expect(201);
    let batch_id = batch.body["batch_id"].as_str().unwrap().to_string();
    sim.post(
        "/real-time-response/combined/batch-command/v1",
        serde_json::json!({ "base_command": "pwd", "command_string": "pwd", "batch_id": batch_id }),
    )
    .await
    .expect(201);
    let before = sim.handle.state().retained();
    assert_eq!((before.sessions, before.batches), (2, 1), "{before:?}");
    assert_eq!(before.commands, 2, "{before:?}");

    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(status_of(&sim, &id).await, 404);
    let after = sim.handle.state().retained();
    assert_eq!(
        after,
        falconry::sim::Retained {
            sessions: 0,
            commands: 0,
            batches: 0,
            batch_gets: 0
        }
    );
}

#[tokio::test]
async fn past_the_command_cap_the_oldest_finished_commands_go_first() {
    let sim = crate::sim_support::Sim::with_scenario(
        "command_latency_ms = 0\nmax_commands = 5\n[[hosts]]\nhostname = \"R-2\"\nplatform = \"Linux\"\n",
    )
    .await;
    let session = sim.session(&sim.device("R-2")).await;
    let mut ids = Vec::new();
    for _ in 0..8 {
        let ran = sim.run("command", &session, "pwd").await.expect(201);
        ids.push(
            ran.first()["cloud_request_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // Pruning runs at most once a second, on a request.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(status_of(&sim, &ids[7]).await, 200);
    assert_eq!(sim.handle.state().retained().commands, 5);
    assert_eq!(status_of(&sim, &ids[0]).await, 404);
    assert_eq!(status_of(&sim, &ids[3]).await, 200);
}
