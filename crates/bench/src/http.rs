//! Plain HTTP against the emulator, without falconry's client: the token, the raw loop of case 2
//! (what the per-call overhead is measured against) and the built-in load generator.

use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const POLICIES: &str = "/policy/entities/response/v1";
const POLICY_IDS: &str = "/policy/queries/response/v1";

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))
}

/// The same keep-alive client the falconry client builds (reqwest, pooled connections).
fn client() -> Result<reqwest::Client, String> {
    falconry_client::api::tls::install();
    reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .map_err(|e| format!("cannot build a client: {e}"))
}

async fn json(r: reqwest::RequestBuilder) -> Result<Value, String> {
    let r = r.send().await.map_err(|e| format!("request failed: {e}"))?;
    let status = r.status();
    let body: Value = r.json().await.map_err(|e| format!("bad answer: {e}"))?;
    if !status.is_success() {
        return Err(format!("the emulator answered {status}: {body}"));
    }
    Ok(body)
}

async fn token(
    http: &reqwest::Client,
    url: &str,
    id: &str,
    secret: &str,
) -> Result<String, String> {
    let body = json(
        http.post(format!("{url}/oauth2/token"))
            .form(&[("client_id", id), ("client_secret", secret)]),
    )
    .await?;
    body["access_token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| "no `access_token` in the token answer".into())
}

/// A bearer token and the id of one response policy: what both loads below ask for.
pub fn token_and_policy(url: &str, id: &str, secret: &str) -> Result<(String, String), String> {
    runtime()?.block_on(async {
        let http = client()?;
        let token = token(&http, url, id, secret).await?;
        let ids = json(
            http.get(format!("{url}{POLICY_IDS}?limit=1"))
                .bearer_auth(&token),
        )
        .await?;
        let id = ids["resources"][0]
            .as_str()
            .ok_or("no response policy to ask for")?
            .to_string();
        Ok((token, id))
    })
}

/// The emulator's side of `rtr::batch` of `ps`: batch init and batch command over plain HTTP, each
/// answer read whole but not parsed. What `rtr::batch` takes beyond this is the client's.
#[derive(Clone, Copy, Debug)]
pub struct RawBatch {
    /// Seconds from the start to the batch init's answer read whole.
    pub init: f64,
    /// Seconds from the start to the batch command's answer read whole.
    pub total: f64,
}

pub fn raw_batch(url: &str, id: &str, secret: &str, hosts: &[String]) -> Result<RawBatch, String> {
    runtime()?.block_on(async {
        let http = client()?;
        let token = token(&http, url, id, secret).await?;
        let started = Instant::now();
        let init = body(
            http.post(format!(
                "{url}/real-time-response/combined/batch-init-session/v1?timeout=120"
            ))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "host_ids": hosts, "queue_offline": false })),
        )
        .await?;
        let opened = started.elapsed().as_secs_f64();
        let batch: Value = serde_json::from_slice(&init).map_err(|e| format!("bad answer: {e}"))?;
        let batch_id = batch["batch_id"]
            .as_str()
            .ok_or("no `batch_id` in the answer")?;
        body(
            http.post(format!(
                "{url}/real-time-response/combined/batch-command/v1?timeout=120"
            ))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                    "batch_id": batch_id, "base_command": "ps", "command_string": "ps" })),
        )
        .await?;
        Ok(RawBatch {
            init: opened,
            total: started.elapsed().as_secs_f64(),
        })
    })
}

/// `bench raw-batch URL`: [`raw_batch`] over every host the emulator at URL lists (credentials in
/// `FALCON_CLIENT_ID` / `FALCON_CLIENT_SECRET`); prints `{"hosts": N, "init_secs": I, "secs": S}`.
/// For timing case 3's plain-HTTP side against an emulator in another process (`falconry sim`).
pub fn raw_batch_main(args: &[String]) -> Result<(), String> {
    let [url] = args else {
        return Err("usage: bench raw-batch URL".into());
    };
    let var = |k: &str| std::env::var(k).map_err(|_| format!("`{k}` is not set"));
    let (id, secret) = (var("FALCON_CLIENT_ID")?, var("FALCON_CLIENT_SECRET")?);
    let hosts = runtime()?.block_on(async {
        let http = client()?;
        let token = token(&http, url, &id, &secret).await?;
        const PAGE: usize = 5000;
        let mut hosts = Vec::new();
        // Paged by offset until a short page: a server that answers every offset with a full page
        // is stopped by the total it states, not followed forever.
        loop {
            let page = json(
                http.get(format!(
                    "{url}/devices/queries/devices/v1?limit={PAGE}&offset={}",
                    hosts.len()
                ))
                .bearer_auth(&token),
            )
            .await?;
            let ids = page["resources"].as_array().cloned().unwrap_or_default();
            hosts.extend(ids.iter().filter_map(|v| v.as_str().map(String::from)));
            let total = page["meta"]["pagination"]["total"].as_u64().unwrap_or(0);
            if ids.len() < PAGE || hosts.len() as u64 >= total {
                break;
            }
        }
        Ok::<Vec<String>, String>(hosts)
    })?;
    let raw = raw_batch(url, &id, &secret, &hosts)?;
    println!(
        "{}",
        serde_json::json!({ "hosts": hosts.len(), "init_secs": raw.init, "secs": raw.total })
    );
    Ok(())
}

/// A 2xx answer's bytes.
async fn body(r: reqwest::RequestBuilder) -> Result<bytes::Bytes, String> {
    let r = r.send().await.map_err(|e| format!("request failed: {e}"))?;
    let status = r.status();
    let bytes = r
        .bytes()
        .await
        .map_err(|e| format!("answer cut off: {e}"))?;
    if !status.is_success() {
        return Err(format!("the emulator answered {status}"));
    }
    Ok(bytes)
}

/// `bench raw-loop URL CALLS`: CALLS sequential `get_policies`, each answer parsed as JSON (as any
/// client must); prints `{"calls": N, "secs": S}` with the clock started after the token.
pub fn raw_loop_main(args: &[String]) -> Result<(), String> {
    let [url, calls] = args else {
        return Err("usage: bench raw-loop URL CALLS".into());
    };
    let calls: usize = calls.parse().map_err(|_| "CALLS must be a number")?;
    let var = |k: &str| std::env::var(k).map_err(|_| format!("`{k}` is not set"));
    let (token, id) = token_and_policy(
        url,
        &var("FALCON_CLIENT_ID")?,
        &var("FALCON_CLIENT_SECRET")?,
    )?;
    let secs = runtime()?.block_on(async {
        let http = client()?;
        let target = format!("{url}{POLICIES}?ids={id}");
        let started = Instant::now();
        for _ in 0..calls {
            json(http.get(&target).bearer_auth(&token)).await?;
        }
        Ok::<f64, String>(started.elapsed().as_secs_f64())
    })?;
    println!("{}", serde_json::json!({ "calls": calls, "secs": secs }));
    Ok(())
}

/// `bench loadgen URL SECS CONNECTIONS`: CONNECTIONS keep-alive loops of `get_policies` for SECS
/// seconds on one thread; prints `{"requests": N, "errors": E, "secs": S}`. Token in `BENCH_TOKEN`,
/// policy id in `BENCH_POLICY`.
pub fn loadgen_main(args: &[String]) -> Result<(), String> {
    let [url, secs, connections] = args else {
        return Err("usage: bench loadgen URL SECS CONNECTIONS".into());
    };
    let secs: u64 = secs.parse().map_err(|_| "SECS must be a number")?;
    let connections: usize = connections
        .parse()
        .map_err(|_| "CONNECTIONS must be a number")?;
    let token = std::env::var("BENCH_TOKEN").map_err(|_| "`BENCH_TOKEN` is not set")?;
    let id = std::env::var("BENCH_POLICY").map_err(|_| "`BENCH_POLICY` is not set")?;
    let target = Arc::new(format!("{url}{POLICIES}?ids={id}"));
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let elapsed = runtime()?.block_on(async {
        let http = client()?;
        let started = Instant::now();
        let deadline = started + Duration::from_secs(secs);
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let (http, target, token) = (http.clone(), target.clone(), token.clone());
            let (ok, errors) = (ok.clone(), errors.clone());
            tasks.push(tokio::spawn(async move {
                while Instant::now() < deadline {
                    let answer = http.get(target.as_str()).bearer_auth(&token).send().await;
                    let good = match answer {
                        Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if good { &ok } else { &errors }.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
        Ok::<f64, String>(started.elapsed().as_secs_f64())
    })?;
    println!(
        "{}",
        serde_json::json!({
            "requests": ok.load(Ordering::Relaxed),
            "errors": errors.load(Ordering::Relaxed),
            "secs": elapsed,
        })
    );
    Ok(())
}
