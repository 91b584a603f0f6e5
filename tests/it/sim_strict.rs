//! The emulator refuses what Falcon refuses: wrong media types (415), and answers with Falcon's
//! status and a message naming what is wrong.

use crate::sim_support::{self, Sim, answer, form};
use reqwest::Method;
use serde_json::json;

/// Sends `body` with the given content type (or none) as the test's token holder.
async fn send_as(
    sim: &Sim,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> sim_support::Answer {
    let mut req = sim
        .http
        .request(method, sim.url(path))
        .bearer_auth(&sim.token)
        .body(body.to_string());
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    answer(req.send().await.unwrap()).await
}

#[tokio::test]
async fn multipart_operations_take_only_multipart() {
    let sim = Sim::start().await;
    let fields = form(&[
        ("name", "x.ps1"),
        ("description", "d"),
        ("permission_type", "private"),
        ("content", "whoami"),
    ]);
    for path in [
        "/real-time-response/entities/scripts/v1",
        "/real-time-response/entities/scripts/v2",
        "/real-time-response/entities/put-files/v1",
        "/real-time-response/entities/put-files/v2",
    ] {
        let a = send_as(
            &sim,
            Method::POST,
            path,
            Some("application/x-www-form-urlencoded"),
            &fields,
        )
        .await;
        assert_eq!(a.status, 415, "{path}: {}", a.body);
        assert!(
            a.message().contains("multipart/form-data"),
            "{}",
            a.message()
        );
        let a = send_as(&sim, Method::POST, path, Some("application/json"), "{}").await;
        assert_eq!(a.status, 415, "{path}: {}", a.body);
        let a = send_as(&sim, Method::POST, path, None, "").await;
        assert_eq!(a.status, 415, "{path}: {}", a.body);
    }
    let a = send_as(
        &sim,
        Method::PATCH,
        "/real-time-response/entities/scripts/v1",
        Some("application/x-www-form-urlencoded"),
        "id=1",
    )
    .await;
    assert_eq!(a.status, 415, "{}", a.body);
    assert!(
        sim.get("/real-time-response/queries/scripts/v1")
            .await
            .expect(200)
            .resources()
            .is_empty()
    );
}

#[tokio::test]
async fn json_operations_take_only_json() {
    let sim = Sim::start().await;
    let body = json!({ "resources": [{ "name": "p", "platform_name": "Windows" }] }).to_string();
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let a = send_as(
            &sim,
            Method::POST,
            "/policy/entities/response/v1",
            ct,
            &body,
        )
        .await;
        assert_eq!(a.status, 415, "{ct:?}: {}", a.body);
        assert!(a.message().contains("application/json"), "{}", a.message());
    }
    send_as(
        &sim,
        Method::POST,
        "/policy/entities/response/v1",
        Some("application/json; charset=utf-8"),
        &body,
    )
    .await
    .expect(201);
    // A call without a body needs no content type.
    sim.get("/policy/queries/response/v1").await.expect(200);
}

#[tokio::test]
async fn unknown_filter_and_sort_fields_are_400s_naming_them() {
    let sim = Sim::start().await;
    let a = sim
        .get("/devices/queries/devices/v1?filter=hostnme:'WS-042'")
        .await
        .expect(400);
    assert!(
        a.message().contains("unknown field `hostnme`"),
        "{}",
        a.message()
    );
    let a = sim
        .get("/devices/queries/devices/v1?sort=hostnme.asc")
        .await
        .expect(400);
    assert!(a.message().contains("`hostnme`"), "{}", a.message());
    // The spec's own names work, nested ones included.
    let a = sim
        .get("/devices/queries/devices/v1?filter=device_policies.remote_response.policy_id:*'*'&sort=device_policies.remote_response.policy_id.asc")
        .await
        .expect(200);
    assert!(!a.resources().is_empty());
    // An operation with a sort enum takes only those fields.
    let a = sim
        .get("/devices/queries/host-groups/v1?sort=description.asc")
        .await
        .expect(400);
    assert!(
        a.message().contains("cannot sort by `description`"),
        "{}",
        a.message()
    );
    sim.get("/devices/queries/host-groups/v1?sort=name|desc")
        .await
        .expect(200);
    let a = sim
        .get("/policy/queries/response/v1?filter=nmae:'x'")
        .await
        .expect(400);
    assert!(a.message().contains("`nmae`"), "{}", a.message());
}

#[tokio::test]
async fn limits_above_the_maximum_are_400s() {
    let sim = Sim::start().await;
    for path in [
        "/devices/queries/devices/v1?limit=1133186637415",
        "/devices/queries/devices/v1?limit=5001",
        "/devices/queries/devices-scroll/v1?limit=10001",
        "/real-time-response/queries/scripts/v1?limit=1133186637415",
        "/policy/queries/response/v1?limit=5001",
    ] {
        let a = sim.get(path).await.expect(400);
        assert!(a.message().contains("`limit`"), "{path}: {}", a.message());
    }
    sim.get("/devices/queries/devices/v1?limit=5000")
        .await
        .expect(200);
}

#[tokio::test]
async fn body_fields_of_the_wrong_type_are_400s_naming_them() {
    let sim = Sim::start().await;
    let cases = [
        (
            "/policy/entities/response/v1",
            json!({"resources": [{"name": "p", "platform_name": "Windows", "clone_id": [1]}]}),
            "`resources[].clone_id` must be a string",
        ),
        (
            "/devices/entities/devices-actions/v2?action_name=contain",
            json!({"ids": "abc"}),
            "`ids` must be an array of strings",
        ),
        (
            "/real-time-response/entities/sessions/v1",
            json!({"device_id": 5}),
            "`device_id` must be a string",
        ),
        (
            "/policy/entities/response/v1",
            json!({"resources": {"name": "p"}}),
            "`resources` must be an array",
        ),
    ];
    for (path, body, needle) in cases {
        let a = sim.post(path, body).await.expect(400);
        assert!(a.message().contains(needle), "{path}: {}", a.message());
    }
    assert_eq!(
        sim.get("/policy/queries/response/v1")
            .await
            .expect(200)
            .resources()
            .len(),
        3,
        "nothing was created"
    );
}

#[tokio::test]
async fn containing_a_contained_host_and_lifting_a_normal_one_are_409s() {
    let sim = Sim::with_scenario(
        "command_latency_ms = 0\n[[hosts]]\nhostname = \"C-1\"\nplatform = \"Windows\"\n",
    )
    .await;
    let id = sim.device("C-1");
    let act = |action: &str| format!("/devices/entities/devices-actions/v2?action_name={action}");
    let a = sim
        .post(&act("lift_containment"), json!({"ids": [id]}))
        .await
        .expect(409);
    assert!(a.message().contains("normal"), "{}", a.message());
    sim.post(&act("contain"), json!({"ids": [id]}))
        .await
        .expect(202);
    let a = sim
        .post(&act("contain"), json!({"ids": [id]}))
        .await
        .expect(409);
    assert!(a.message().contains(&id), "{}", a.message());
    sim.post(&act("lift_containment"), json!({"ids": [id]}))
        .await
        .expect(202);
    let a = sim
        .post(&act("lift_containment"), json!({"ids": [id]}))
        .await
        .expect(409);
    assert!(
        a.message().contains("normal") || a.message().contains("lift_containment_pending"),
        "{}",
        a.message()
    );
    // Hiding is idempotent.
    sim.post(&act("hide_host"), json!({"ids": [id]}))
        .await
        .expect(202);
    sim.post(&act("hide_host"), json!({"ids": [id]}))
        .await
        .expect(202);
}
