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
