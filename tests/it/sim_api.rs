//! The emulator's HTTP contract: tokens, the envelope, headers, routing, rate limits and faults.

use crate::sim_support::{Sim, answer, form};
use serde_json::json;

#[tokio::test]
async fn token_answer_is_201_with_expiry_and_no_region_by_default() {
    let sim = Sim::start().await;
    let a = sim
        .token_answer("falconry-sim", "falconry-sim-secret")
        .await
        .expect(201);
    assert!(a.body["access_token"].as_str().unwrap().len() >= 32);
    assert_eq!(a.body["expires_in"], 1800);
    assert_eq!(a.body["token_type"], "bearer");
    assert_eq!(
        a.header("content-type").as_deref(),
        Some("application/json")
    );
    assert!(a.header("x-cs-region").is_none());

    let bad = sim.token_answer("falconry-sim", "wrong").await.expect(403);
    assert!(bad.message().contains("invalid client"));
    let missing = sim
        .http
        .post(sim.url("/oauth2/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("client_id", "falconry-sim")]))
        .send()
        .await
        .unwrap();
    let missing = answer(missing).await.expect(400);
    assert!(
        missing.message().contains("`client_secret`"),
        "{}",
        missing.message()
    );
}

#[tokio::test]
async fn region_is_announced_only_when_the_scenario_asks() {
    let sim = Sim::with_scenario("region = \"us-2\"").await;
    let a = sim
        .token_answer("falconry-sim", "falconry-sim-secret")
        .await
        .expect(201);
    assert_eq!(a.header("x-cs-region").as_deref(), Some("us-2"));
}

#[tokio::test]
async fn calls_without_a_valid_token_get_401_envelopes() {
    let sim = Sim::start().await;
    let r = sim
        .http
        .get(sim.url("/policy/queries/response/v1"))
        .send()
        .await
        .unwrap();
    let a = answer(r).await.expect(401);
    assert_eq!(
        a.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(a.body["errors"][0]["code"], 401);
    assert!(a.body["meta"]["trace_id"].is_string());
    assert_eq!(
        a.header("x-cs-traceid").as_deref(),
        a.body["meta"]["trace_id"].as_str()
    );
    let r = sim
        .http
        .get(sim.url("/policy/queries/response/v1"))
        .bearer_auth("nonsense")
        .send()
        .await
        .unwrap();
    answer(r).await.expect(401);
}

#[tokio::test]
async fn tokens_expire_and_can_be_revoked() {
    let mut sim = Sim::start().await;
    sim.get("/policy/queries/response/v1").await.expect(200);
    // The tokens' lifetime ends, by the emulator's clock (no sleeping through a window that a
    // loaded machine can overrun before the first request).
    sim.handle.state().expire_tokens();
    sim.get("/policy/queries/response/v1").await.expect(401);

    sim.token = sim.new_token().await;
    let r = sim
        .http
        .post(sim.url("/oauth2/revoke"))
        .basic_auth("falconry-sim", Some("falconry-sim-secret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("token", sim.token.as_str())]))
        .send()
        .await
        .unwrap();
    answer(r).await.expect(200);
    sim.get("/policy/queries/response/v1").await.expect(401);
}

#[tokio::test]
async fn envelope_has_meta_resources_errors_and_rate_headers() {
    let sim = Sim::start().await;
    let a = sim
        .get("/policy/queries/response/v1?limit=2")
        .await
        .expect(200);
    let meta = &a.body["meta"];
    assert!(meta["query_time"].is_f64());
    assert_eq!(meta["powered_by"], "falconry-sim");
    assert_eq!(meta["pagination"]["limit"], 2);
    assert_eq!(meta["pagination"]["offset"], 0);
    assert_eq!(meta["pagination"]["total"], 3);
    assert_eq!(a.resources().len(), 2);
    assert_eq!(a.body["errors"], json!([]));
    assert_eq!(a.header("x-ratelimit-limit").as_deref(), Some("6000"));
    let remaining: u32 = a.header("x-ratelimit-remaining").unwrap().parse().unwrap();
    assert!(remaining < 6000);
}

#[tokio::test]
async fn unknown_routes_answer_404_envelopes() {
    let sim = Sim::start().await;
    let a = sim.get("/no/such/thing/v1").await.expect(404);
    assert!(a.message().contains("/no/such/thing/v1"));
    assert_eq!(
        a.header("content-type").as_deref(),
        Some("application/json")
    );
}

#[tokio::test]
async fn validation_names_the_parameter() {
    let sim = Sim::start().await;
    let a = sim.get("/policy/entities/response/v1").await.expect(400);
    assert!(a.message().contains("`ids`"), "{}", a.message());
    let a = sim
        .get("/policy/queries/response/v1?limit=0")
        .await
        .expect(400);
    assert!(a.message().contains("`limit`"), "{}", a.message());
    let a = sim
        .get("/policy/queries/response/v1?filter=name")
        .await
        .expect(400);
    assert!(a.message().contains("invalid filter"), "{}", a.message());
    let a = sim
        .post(
            "/policy/entities/response/v1",
            json!({"resources": [{"platform_name": "Windows"}]}),
        )
        .await
        .expect(400);
    assert!(
        a.message().contains("`resources[].name`"),
        "{}",
        a.message()
    );
}

#[tokio::test]
async fn past_the_rate_limit_answers_429_with_retry_after() {
    let sim = Sim::with_scenario("rate_limit_per_minute = 3").await;
    // The token request counted as the first.
    let a = sim.get("/policy/queries/response/v1").await.expect(200);
    assert_eq!(a.header("x-ratelimit-remaining").as_deref(), Some("1"));
    sim.get("/policy/queries/response/v1").await.expect(200);
    let a = sim.get("/policy/queries/response/v1").await.expect(429);
    assert_eq!(a.header("x-ratelimit-remaining").as_deref(), Some("0"));
    let retry: u64 = a.header("x-ratelimit-retryafter").unwrap().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(retry > now && retry <= now + 61, "{retry} vs {now}");
}

#[tokio::test]
async fn injected_faults_hit_api_calls_but_not_tokens() {
    let sim = Sim::with_scenario("[faults]\nerror_503 = 1.0").await;
    let a = sim.get("/policy/queries/response/v1").await.expect(503);
    assert_eq!(a.body["errors"][0]["code"], 503);
    sim.new_token().await;

    let sim = Sim::with_scenario("[faults]\nstorm_after = 1\nstorm_length = 2").await;
    sim.get("/policy/queries/response/v1").await.expect(200);
    sim.get("/policy/queries/response/v1").await.expect(429);
    sim.get("/policy/queries/response/v1").await.expect(429);
    sim.get("/policy/queries/response/v1").await.expect(200);

    let sim = Sim::with_scenario("[faults]\ndrop = 1.0").await;
    let r = sim
        .http
        .get(sim.url("/policy/queries/response/v1"))
        .bearer_auth(&sim.token)
        .send()
        .await;
    let broken = match r {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(
        broken,
        "a dropped connection must surface as a transport error"
    );
}

#[tokio::test]
async fn request_log_records_operation_and_status() {
    let sim = Sim::start().await;
    sim.get("/policy/queries/response/v1").await.expect(200);
    sim.get("/nope").await.expect(404);
    let state = sim.handle.state();
    let log = state.request_log();
    let last = &log[log.len() - 2..];
    assert_eq!(last[0].op, Some("queryRTResponsePolicies"));
    assert_eq!(last[0].status, 200);
    assert_eq!(last[0].method, "GET");
    assert_eq!(last[1].op, None);
    assert_eq!(last[1].status, 404);
    assert_eq!(log[0].op, Some("oauth2AccessToken"));
    assert_eq!(log[0].status, 201);
}
