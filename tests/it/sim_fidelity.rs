//! Where the emulator answers as Falcon does, each point against the public source that shows it
//! (issue 25). The sources are named in each test and in the emulator's code; what no source shows
//! is listed in tests/data/falcon-api/DEVIATIONS.md instead.

use crate::sim_support::Sim;
use serde_json::{Value, json};

/// The spec's `GetDeviceDetailsV2`: "Supports up to a maximum 100 IDs" (`maxItems: 100`). The text is
/// the one caracara#99 quotes for the same limit on the online state:
/// `request must contain between 0 and 100 ids`.
#[tokio::test]
async fn device_details_by_get_take_at_most_100_ids() {
    let sim = Sim::start().await;
    let id = sim.device("WS-042");
    let ids = |n: usize| vec![format!("ids={id}"); n].join("&");
    let a = sim
        .get(&format!("/devices/entities/devices/v2?{}", ids(101)))
        .await
        .expect(400);
    assert_eq!(a.message(), "request must contain between 0 and 100 ids");
    sim.get(&format!("/devices/entities/devices/v2?{}", ids(100)))
        .await
        .expect(200);
    let a = sim
        .get(&format!("/devices/entities/online-state/v1?{}", ids(101)))
        .await
        .expect(400);
    assert_eq!(a.message(), "request must contain between 0 and 100 ids");
    // The POST form takes up to 5000 (spec): 101 is fine there.
    sim.post(
        "/devices/entities/devices/v2",
        json!({ "ids": vec![id.clone(); 101] }),
    )
    .await
    .expect(200);
}

/// `limit=` (empty), `limit=0` and `offset=-1` are refused, not taken as "no limit" or clamped: an
/// integer parameter that is not an integer is a 400 on every Falcon operation, and FalconPy
/// documents the host queries' `limit` as 1-5000 / 1-10000.
#[tokio::test]
async fn empty_zero_and_negative_paging_is_refused() {
    let sim = Sim::start().await;
    for q in ["limit=", "limit=0", "offset=-1"] {
        let a = sim
            .get(&format!("/devices/queries/devices/v1?{q}"))
            .await
            .expect(400);
        let param = q.split('=').next().unwrap();
        assert!(
            a.message().contains(&format!("`{param}`")),
            "{q}: {}",
            a.message()
        );
    }
    sim.get("/devices/queries/devices/v1?limit=1&offset=0")
        .await
        .expect(200);
}

/// An online host checks in all the time: `last_seen:>'now-1d'` finds every online host, as on
/// Falcon (the issue measured none of 202). The offline WS-108 keeps its last check-in.
#[tokio::test]
async fn online_hosts_were_seen_just_now() {
    let sim = Sim::start().await;
    let a = sim
        .get("/devices/queries/devices/v1?filter=last_seen:>'now-1d'")
        .await
        .expect(200);
    let found: Vec<&str> = a.resources().iter().filter_map(Value::as_str).collect();
    let ws108 = sim.device("WS-108");
    assert_eq!(found.len(), 7, "{found:?}");
    assert!(!found.contains(&ws108.as_str()));
}

/// Scroll tokens as JupiterOne/graph-crowdstrike's recording of the real API shows them: opaque
/// (base64 of an Elasticsearch scroll id), the same token on every page, enough alone to page the
/// query that opened it, `expires_at` in epoch nanoseconds. Not a position one can make up; not
/// good for another query.
#[tokio::test]
async fn scroll_tokens_are_opaque_and_belong_to_their_query() {
    let sim = Sim::start().await;
    let first = sim
        .get("/devices/queries/devices-scroll/v1?limit=2&filter=platform_name:'Windows'")
        .await
        .expect(200);
    let p = &first.body["meta"]["pagination"];
    let token = p["offset"].as_str().unwrap().to_string();
    assert_eq!(p["total"], 5, "{p}");
    assert!(
        token.parse::<u64>().is_err() && !token.contains("scroll-"),
        "{token}"
    );
    assert!(
        p["expires_at"].as_u64().unwrap() > 1_000_000_000_000_000_000,
        "{p}"
    );
    let mut seen: Vec<Value> = first.resources().clone();
    let enc = |t: &str| {
        t.replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    };
    for _ in 0..2 {
        let next = sim
            .get(&format!(
                "/devices/queries/devices-scroll/v1?offset={}",
                enc(&token)
            ))
            .await
            .expect(200);
        assert_eq!(next.body["meta"]["pagination"]["offset"], token.as_str());
        seen.extend(next.resources().iter().cloned());
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
    let windows = sim
        .get("/devices/queries/devices/v1?filter=platform_name:'Windows'")
        .await
        .expect(200);
    let mut want = windows.resources().clone();
    want.sort_by_key(|v| v.to_string());
    seen.sort_by_key(|v| v.to_string());
    assert_eq!(seen, want);
    let other = sim
        .get(&format!(
            "/devices/queries/devices-scroll/v1?offset={}&filter=platform_name:'Linux'",
            enc(&token)
        ))
        .await
        .expect(400);
    assert!(
        other.message().contains("another query"),
        "{}",
        other.message()
    );
    sim.get("/devices/queries/devices-scroll/v1?offset=scroll-2")
        .await
        .expect(400);
}

/// Square brackets mean an exact match, case included: PSFalcon's wiki ("Filtering Results": "Using
/// square brackets will restrict results to exact matches (including case)"); falcon-mcp's FQL guide
/// says the same. Quotes alone stay case-insensitive.
#[tokio::test]
async fn fql_square_brackets_match_exactly_with_case() {
    let sim = Sim::start().await;
    let count = |a: crate::sim_support::Answer| a.resources().len();
    let q = |f: &str| format!("/devices/queries/devices/v1?filter={f}");
    assert_eq!(
        count(sim.get(&q("hostname:['ws-042']")).await.expect(200)),
        0
    );
    assert_eq!(
        count(sim.get(&q("hostname:['WS-042']")).await.expect(200)),
        1
    );
    assert_eq!(count(sim.get(&q("hostname:'ws-042'")).await.expect(200)), 1);
}

/// `deleted_at` is required and a date-time in `domain.Session`, `domain.QueuedSessionJob`,
/// `domain.QueuedSessionCommand`, `model.File` and `domain.FileV2` (the spec): never `null`.
#[tokio::test]
async fn deleted_at_is_a_date_time_not_null() {
    let sim = Sim::start().await;
    let session = sim.session(&sim.device("WS-042")).await;
    let a = sim
        .post(
            "/real-time-response/entities/sessions/GET/v1",
            json!({ "ids": [session] }),
        )
        .await
        .expect(200);
    // Not deleted: Go's zero time, as a Go service prints an unset `time.Time` (no capture shows it).
    assert_eq!(
        a.first()["deleted_at"],
        "0001-01-01T00:00:00Z",
        "{}",
        a.body
    );
}

/// Duplicate names: a host group's is 409 on create and rename (CrowdStrike's Terraform provider,
/// `internal/host_groups/host_group_resource.go`, matches "status 409"); a response policy's is 400
/// (the same provider: "TODO: Remove this detail when the API is fixed to return 409 for duplicate
/// names"). Scripts and put-files: tests/falconpy/test_seed_ops.py and sim_library (falconpy#261).
#[tokio::test]
async fn duplicate_group_names_are_409_and_policy_names_400() {
    let sim = Sim::start().await;
    let group = |name: &str| json!({"resources": [{"name": name, "group_type": "static"}]});
    let a = sim
        .post("/devices/entities/host-groups/v1", group("IR hold"))
        .await
        .expect(201);
    let id = a.first()["id"].as_str().unwrap().to_string();
    let a = sim
        .post("/devices/entities/host-groups/v1", group("ir HOLD"))
        .await
        .expect(409);
    assert_eq!(a.body["errors"][0]["code"], 409, "{}", a.body);
    let a = sim
        .post("/devices/entities/host-groups/v1", group("second"))
        .await
        .expect(201);
    let second = a.first()["id"].as_str().unwrap().to_string();
    sim.patch(
        "/devices/entities/host-groups/v1",
        json!({"resources": [{"id": second, "name": "IR hold"}]}),
    )
    .await
    .expect(409);
    sim.patch(
        "/devices/entities/host-groups/v1",
        json!({"resources": [{"id": id, "name": "IR hold", "description": "same name, itself"}]}),
    )
    .await
    .expect(200);
    let policy = json!({"resources": [{"name": "IR", "platform_name": "Windows"}]});
    sim.post("/policy/entities/response/v1", policy.clone())
        .await
        .expect(201);
    let a = sim
        .post("/policy/entities/response/v1", policy)
        .await
        .expect(400);
    assert!(a.message().contains("already exists"), "{}", a.message());
}

/// Batch time limits as the spec states them ("Maximum is 5 minutes"; `timeout_duration` in Go
/// duration syntax; `host_timeout_duration` "cannot be greater than the overall request timeout"),
/// and simulated: a script that sleeps 10 s under a 1 ms limit does not complete; its host answers
/// 50401 `Exceeded maximum timeout` (psfalcon#56). What Falcon answers to 601 today is not public:
/// the spec's limit is used (DEVIATIONS.md).
#[tokio::test]
async fn batch_timeouts_are_checked_and_a_slow_script_does_not_complete() {
    let sim = Sim::start().await;
    let ws = sim.device("WS-017");
    let a = sim
        .post(
            "/real-time-response/combined/batch-init-session/v1",
            json!({ "host_ids": [ws] }),
        )
        .await
        .expect(201);
    let batch_id = a.body["batch_id"].as_str().unwrap().to_string();
    let body = |line: &str| json!({"base_command": line.split(' ').next().unwrap(), "command_string": line, "batch_id": batch_id});
    for q in [
        "timeout=601",
        "timeout=301",
        "timeout=0",
        "timeout=abc",
        "timeout_duration=6m",
        "timeout_duration=abc",
        "timeout_duration=0s",
        "timeout=10&host_timeout_duration=20s",
    ] {
        sim.post(
            &format!("/real-time-response/combined/batch-command/v1?{q}"),
            body("pwd"),
        )
        .await
        .expect(400);
    }
    sim.post(
        "/real-time-response/combined/batch-command/v1?timeout=300",
        body("pwd"),
    )
    .await
    .expect(201);
    let slow = "runscript -Raw=```Start-Sleep -Seconds 10```";
    let a = sim
        .post(
            "/real-time-response/combined/batch-admin-command/v1?timeout_duration=1ms",
            body(slow),
        )
        .await
        .expect(201);
    let entry = &a.body["combined"]["resources"][&ws];
    assert_eq!(entry["complete"], false, "{entry}");
    assert_eq!(entry["errors"][0]["code"], 50401, "{entry}");
    assert_eq!(entry["errors"][0]["message"], "Exceeded maximum timeout");
}
