//! The HTTP client against the emulator over loopback: token reuse and refresh, rate limits,
//! injected faults, and the rule that a state-changing request is never sent twice.

use falconry::api::{ApiError, BlockingClient, ClientConfig, Secret};
use falconry::ops::{self, Request};
use falconry::sim::{self, SimConfig, SimHandle};
use serde_json::{Map, Value, json};

fn emulator(scenario: &str) -> SimHandle {
    let config = SimConfig::default();
    let scenario = sim::scenario::Scenario::parse(scenario).expect("scenario parses");
    let state = sim::state::State::new(
        scenario,
        7,
        config.client_id.clone(),
        config.client_secret.clone(),
    )
    .expect("state builds");
    sim::start_with_state(&config, state).expect("emulator starts")
}

fn client(sim: &SimHandle) -> BlockingClient {
    let mut cfg = ClientConfig::new(
        sim.base_url(),
        sim.client_id.clone(),
        Secret::new(sim.client_secret.clone()),
    );
    cfg.max_backoff = std::time::Duration::from_millis(200);
    cfg.max_attempts = 8;
    BlockingClient::new(cfg).expect("client builds")
}

fn request(module: &str, name: &str, args: Value) -> Request {
    let op = ops::find(module, name).unwrap_or_else(|| panic!("{module}::{name} is in the table"));
    let Value::Object(map) = args else {
        panic!("args must be an object")
    };
    ops::build(op, &map).expect("arguments are valid")
}

fn count(sim: &SimHandle, path: &str) -> usize {
    sim.state()
        .request_log()
        .iter()
        .filter(|e| e.path == path)
        .count()
}

fn first_device(sim: &SimHandle) -> String {
    sim.state().device_ids()[0].clone()
}

#[test]
fn one_token_serves_many_requests() {
    let sim = emulator("");
    let c = client(&sim);
    for _ in 0..20 {
        let r = c
            .send(&request("response_policies", "query_policies", json!({})))
            .unwrap();
        assert_eq!(r.status, 200);
    }
    assert_eq!(count(&sim, "/oauth2/token"), 1);
}

#[test]
fn an_expired_token_is_refreshed_once_and_the_request_succeeds() {
    let sim = emulator("");
    let c = client(&sim);
    c.send(&request("response_policies", "query_policies", json!({})))
        .unwrap();
    sim.state().expire_tokens();
    let r = c
        .send(&request("response_policies", "query_policies", json!({})))
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(count(&sim, "/oauth2/token"), 2);
    let statuses: Vec<u16> = sim
        .state()
        .request_log()
        .iter()
        .filter(|e| e.path == "/policy/queries/response/v1")
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses, vec![200, 401, 200]);
}

#[test]
fn a_bad_secret_is_reported_without_the_secret() {
    let sim = emulator("");
    let cfg = ClientConfig::new(
        sim.base_url(),
        sim.client_id.clone(),
        Secret::new("s3cr3t-never-shown"),
    );
    let c = BlockingClient::new(cfg).unwrap();
    let err = c
        .send(&request("response_policies", "query_policies", json!({})))
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        matches!(
            err,
            ApiError::Status {
                status: 401 | 403,
                ..
            }
        ),
        "{text}"
    );
    assert!(!text.contains("s3cr3t-never-shown"), "{text}");
    assert!(text.contains("FALCON_CLIENT_SECRET"), "{text}");
}

#[test]
fn a_429_storm_is_waited_out_and_a_command_still_runs_once() {
    let sim = emulator("[faults]\nstorm_after = 1\nstorm_length = 4\n");
    let c = client(&sim);
    let device = first_device(&sim);
    let init = c
        .send(&request(
            "real_time_response",
            "init_session",
            json!({ "device_id": device }),
        ))
        .unwrap();
    let session = init.body["resources"][0]["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let exec = c
        .send(&request(
            "real_time_response_admin",
            "execute_admin_command",
            json!({ "base_command": "ls", "command_string": "ls", "session_id": session }),
        ))
        .unwrap();
    let id = exec.body["resources"][0]["cloud_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(sim.state().executions(&id), 1);
    let throttled = sim
        .state()
        .request_log()
        .iter()
        .filter(|e| e.status == 429)
        .count();
    assert_eq!(throttled, 4, "the storm happened");
}

#[test]
fn reads_ride_out_server_errors() {
    let sim = emulator("[faults]\nerror_500 = 0.3\nerror_503 = 0.2\n");
    let c = client(&sim);
    for _ in 0..15 {
        let r = c
            .send(&request(
                "hosts",
                "query_devices_by_filter",
                json!({ "limit": 5 }),
            ))
            .unwrap();
        assert_eq!(r.status, 200);
    }
    let failed = sim
        .state()
        .request_log()
        .iter()
        .filter(|e| e.status >= 500)
        .count();
    assert!(failed > 0, "faults were injected");
}

#[test]
fn a_write_that_fails_is_not_sent_again() {
    let sim = emulator("[faults]\nerror_500 = 1.0\n");
    let c = client(&sim);
    let err = c
        .send(&request(
            "response_policies",
            "create_policies",
            json!({ "name": "once", "platform_name": "Linux" }),
        ))
        .unwrap_err();
    assert!(matches!(err, ApiError::Status { status: 500, .. }), "{err}");
    assert_eq!(count(&sim, "/policy/entities/response/v1"), 1);
}

#[test]
fn a_command_whose_answer_is_lost_is_not_sent_again() {
    let sim = emulator("");
    let c = client(&sim);
    let device = first_device(&sim);
    let init = c
        .send(&request(
            "real_time_response",
            "init_session",
            json!({ "device_id": device }),
        ))
        .unwrap();
    let session = init.body["resources"][0]["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    sim.state().scenario.faults.drop = 1.0;
    let err = c
        .send(&request(
            "real_time_response_admin",
            "execute_admin_command",
            json!({ "base_command": "ls", "command_string": "ls", "session_id": session }),
        ))
        .unwrap_err();
    assert!(matches!(err, ApiError::Unknown { .. }), "{err}");
    assert!(err.to_string().contains("not re-sent"), "{err}");
    assert_eq!(
        count(&sim, "/real-time-response/entities/admin-command/v1"),
        1
    );
    assert!(sim.state().total_executions() <= 1);
}

#[test]
fn uploads_and_downloads_keep_every_byte() {
    let sim = emulator("");
    let c = client(&sim);
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("tool.bin");
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&src, &bytes).unwrap();
    let r = c
        .send(&request(
            "real_time_response_admin",
            "create_put_files",
            json!({ "file": src.display().to_string(), "description": "bytes", "name": "tool.bin" }),
        ))
        .unwrap();
    assert_eq!(r.status, 200);
    let list = c
        .send(&request(
            "real_time_response_admin",
            "list_put_files",
            json!({ "filter": "name:'tool.bin'" }),
        ))
        .unwrap();
    let id = list.body["resources"][0].as_str().unwrap().to_string();
    let dest = dir.path().join("back.bin");
    let mut args = Map::new();
    args.insert("id".into(), Value::String(id));
    let op = ops::find("real_time_response_admin", "get_put_file_contents").unwrap();
    c.download(&ops::build(op, &args).unwrap(), &dest).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);
}

#[test]
fn a_batch_command_answers_once_its_hosts_have() {
    let sim = emulator("command_latency_ms = 400\n");
    let c = client(&sim);
    let ids = sim.state().device_ids();
    let online: Vec<String> = ids
        .into_iter()
        .filter(|d| sim.state().host(d).is_some_and(|h| h.online))
        .take(3)
        .collect();
    let init = c
        .send(&request(
            "real_time_response",
            "batch_init_sessions",
            json!({ "host_ids": online }),
        ))
        .unwrap();
    let batch_id = init.body["batch_id"].as_str().unwrap().to_string();
    let started = std::time::Instant::now();
    let r = c
        .send(&request(
            "real_time_response",
            "batch_command",
            json!({ "batch_id": batch_id, "base_command": "pwd", "command_string": "pwd" }),
        ))
        .unwrap();
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(400),
        "answered before the hosts could"
    );
    for d in &online {
        assert_eq!(
            r.body["combined"]["resources"][d]["complete"],
            json!(true),
            "{d}: {}",
            r.body
        );
    }
}

/// A token answer whose token cannot go in a header (a line break inside, as a broken proxy or a
/// hostile endpoint might send) is refused before any API request, and the error does not show it.
#[test]
fn a_token_that_cannot_go_in_a_header_is_refused_without_being_shown() {
    let sim = emulator("[faults]\nunsendable_token = true\n");
    let c = client(&sim);
    let err = c
        .send(&request("response_policies", "query_policies", json!({})))
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(
        shown.contains("cannot be sent in an `Authorization` header"),
        "{shown}"
    );
    let tokens = sim.state().issued_tokens();
    assert!(!tokens.is_empty(), "the emulator issued no token");
    for token in &tokens {
        assert!(token.contains("\r\n"), "the fault is not on: {token:?}");
        for part in token.split("\r\n") {
            assert!(!shown.contains(part), "the error shows the token: {shown}");
        }
    }
    assert_eq!(count(&sim, "/policy/queries/response/v1"), 0);
}
