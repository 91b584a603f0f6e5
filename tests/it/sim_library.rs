//! The RTR library in the emulator: custom scripts and put-files over multipart, exact bytes
//! back, and the read-only Falcon script catalogue.

use crate::sim_support::Sim;
use reqwest::Method;
use reqwest::multipart::{Form, Part};

const SCRIPTS: &str = "/real-time-response/entities/scripts/v1";

#[tokio::test]
async fn custom_scripts_round_trip() {
    let sim = Sim::start().await;
    let form = Form::new()
        .text("name", "collect.ps1")
        .text("description", "collects things")
        .text("permission_type", "group")
        .text("platform", "windows")
        .text("content", "Get-Process");
    let a = sim.multipart(Method::POST, SCRIPTS, form).await.expect(200);
    assert_eq!(a.body["meta"]["writes"]["resources_affected"], 1);
    let ids = sim
        .get("/real-time-response/queries/scripts/v1")
        .await
        .expect(200);
    let id = ids.first().as_str().unwrap().to_string();
    let s = sim.get(&format!("{SCRIPTS}?ids={id}")).await.expect(200);
    let script = s.first();
    assert_eq!(script["name"], "collect.ps1");
    assert_eq!(script["content"], "Get-Process");
    assert_eq!(script["size"], 11);
    assert_eq!(script["permission_type"], "group");
    assert_eq!(script["platform"], serde_json::json!(["windows"]));
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"Get-Process"));
    assert_eq!(script["sha256"], digest.as_str());
    assert!(script["created_by"].is_string() && script["modified_timestamp"].is_string());

    let dup = Form::new()
        .text("name", "collect.ps1")
        .text("description", "again")
        .text("permission_type", "private")
        .text("content", "x");
    // A taken name answers 409: "file already exists (409)", FalconPy's maintainer in falconpy#261.
    let a = sim.multipart(Method::POST, SCRIPTS, dup).await.expect(409);
    assert!(a.message().contains("already exists"), "{}", a.message());
    let bad = Form::new()
        .text("name", "other.ps1")
        .text("description", "d")
        .text("content", "x");
    let a = sim.multipart(Method::POST, SCRIPTS, bad).await.expect(400);
    assert!(a.message().contains("`permission_type`"), "{}", a.message());

    let update = Form::new().text("id", id.clone()).part(
        "file",
        Part::bytes(b"Get-Service".to_vec()).file_name("collect.ps1"),
    );
    let u = sim
        .multipart(
            Method::PATCH,
            "/real-time-response/entities/scripts/v2",
            update,
        )
        .await
        .expect(202);
    assert_eq!(u.first()["content"], "Get-Service");
    assert_eq!(u.first()["size"], 11);

    sim.delete(&format!("{SCRIPTS}?ids={id}")).await.expect(200);
    sim.get(&format!("{SCRIPTS}?ids={id}")).await.expect(404);
}

#[tokio::test]
async fn put_files_give_back_the_exact_bytes() {
    let sim = Sim::start().await;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let form = Form::new()
        .text("description", "a tool")
        .text("comments_for_audit_log", "for IR-42")
        .part("file", Part::bytes(bytes.clone()).file_name("tool.exe"));
    let a = sim
        .multipart(
            Method::POST,
            "/real-time-response/entities/put-files/v2",
            form,
        )
        .await
        .expect(200);
    let record = a.first();
    assert_eq!(record["name"], "tool.exe");
    assert_eq!(record["size"], 70_000);
    let id = record["id"].as_str().unwrap().to_string();
    let c = sim
        .get(&format!(
            "/real-time-response/entities/put-file-contents/v1?id={id}"
        ))
        .await
        .expect(200);
    assert_eq!(c.bytes, bytes);
    let g = sim
        .get(&format!(
            "/real-time-response/entities/put-files/v1?ids={id}"
        ))
        .await
        .expect(200);
    assert_eq!(g.first()["comments_for_audit_log"], "for IR-42");
    let l = sim
        .get("/real-time-response/queries/put-files/v1?filter=name:'tool*'")
        .await
        .expect(200);
    assert_eq!(l.resources().len(), 1);
    let missing = Form::new().text("description", "no file");
    let a = sim
        .multipart(
            Method::POST,
            "/real-time-response/entities/put-files/v1",
            missing,
        )
        .await
        .expect(400);
    assert!(a.message().contains("`file`"), "{}", a.message());
    sim.delete(&format!(
        "/real-time-response/entities/put-files/v1?ids={id}"
    ))
    .await
    .expect(200);
}

#[tokio::test]
async fn falcon_scripts_are_listed_and_readable() {
    let sim = Sim::start().await;
    let l = sim
        .get("/real-time-response/queries/falcon-scripts/v1")
        .await
        .expect(200);
    assert!(!l.resources().is_empty());
    let id = l.first().as_str().unwrap().to_string();
    let g = sim
        .get(&format!(
            "/real-time-response/entities/falcon-scripts/v1?ids={id}"
        ))
        .await
        .expect(200);
    assert!(g.first()["content"].as_str().unwrap().len() > 5);
    sim.get("/real-time-response/entities/falcon-scripts/v1?ids=nope")
        .await
        .expect(404);
}

/// A multipart boundary is read as sent: it is case-sensitive, and a browser's carries capitals
/// (`----WebKitFormBoundary…`), where reqwest's and requests' are lowercase hex.
#[tokio::test]
async fn a_boundary_with_capitals_is_read_as_sent() {
    let sim = Sim::start().await;
    let boundary = "----WebKitFormBoundaryAbC7MA4YWxkTrZu0gW";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\na tool\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"tool.exe\"\r\n\
         Content-Type: application/octet-stream\r\n\r\nMZ-bytes\r\n--{boundary}--\r\n"
    );
    let r = sim
        .http
        .post(sim.url("/real-time-response/entities/put-files/v2"))
        .bearer_auth(&sim.token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let a = crate::sim_support::answer(r).await.expect(200);
    assert_eq!(a.first()["name"], "tool.exe");
    assert_eq!(a.first()["size"], 8);
}
