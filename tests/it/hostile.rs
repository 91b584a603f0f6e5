//! falconry against hostile or broken servers: answers that name local paths, redirects that would carry
//! the secret away, endless and slow answers, error bodies echoing credentials. Small test peers
//! (`tests/hostile_support`) drive the real binary through `FALCON_BASE_URL`.

use crate::hostile_support::{Reply, Seen, peer, proxy};
use crate::rtr_support::Tenant;
use falconry::ops::OpId;
use falconry::sim::host::fleet::windows_implant;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A secret no output may ever contain.
const SECRET: &str = "hostile-tests-secret-0xC0FFEE";

/// `falconry run` of `text` against `url` with credentials in the environment, `--out` inside `dir`.
pub(crate) fn run_against(
    url: &str,
    secret: &str,
    dir: &Path,
    text: &str,
    extra: &[&str],
) -> Output {
    let path = dir.join("test.rhai");
    std::fs::write(&path, text).unwrap();
    Command::new(env!("CARGO_BIN_EXE_falconry"))
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(dir.join("out"))
        .args(extra)
        .current_dir(dir)
        .env_remove("FALCON_MEMBER_CID")
        .env_remove("FALCON_CLOUD")
        .env("FALCON_CLIENT_ID", "rtr-tests")
        .env("FALCON_CLIENT_SECRET", secret)
        .env("FALCON_BASE_URL", url)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("HOME", dir)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn printed(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_sha256_from_the_server_never_names_a_local_path() {
    let t = Tenant::new();
    let list_files = OpId::RtrListFilesV2.op().path;
    let contents = OpId::RtrGetExtractedFileContents.op().path;
    // The answer claims the extracted file's sha256 is `../victim`: `out/../victim.7z` is outside the
    // output folder.
    let p = proxy(&t.sim.base_url(), move |req: &Seen, reply| {
        if req.path() == contents {
            return Reply::Full {
                status: 200,
                headers: vec![("content-type".into(), "application/octet-stream".into())],
                body: b"not the file".to_vec(),
            };
        }
        let Reply::Full {
            status,
            headers,
            body,
        } = reply
        else {
            return reply;
        };
        let body = if req.path() == list_files {
            let mut v: Value = serde_json::from_slice(&body).unwrap();
            for f in v["resources"].as_array_mut().into_iter().flatten() {
                f["sha256"] = "../victim".into();
            }
            serde_json::to_vec(&v).unwrap()
        } else {
            body
        };
        Reply::Full {
            status,
            headers,
            body,
        }
    });
    let victim = t.dir.path().join("victim.7z");
    std::fs::write(&victim, "evidence outside the output folder").unwrap();
    let text = format!(
        r#"rtr::session(hosts::find("WS-042")).get("{}")"#,
        windows_implant("bob").replace('\\', "\\\\")
    );
    let o = run_against(&p.url, crate::rtr_support::SECRET, t.dir.path(), &text, &[]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("Falcon answered \"../victim\" as the sha256 of")
            && err.contains("which is not 64 hex digits"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "evidence outside the output folder",
        "the file outside the output folder is untouched"
    );
    assert!(
        !p.requests().iter().any(|r| r.path() == contents),
        "nothing is downloaded under a name that is not a sha256"
    );
}

/// Runs `falconry run` like [`run_against`] but gives up (failing the test) after `limit`: a hang is a bug.
fn run_within(url: &str, dir: &Path, text: &str, env: &[(&str, &str)], limit: Duration) -> Output {
    let path = dir.join("test.rhai");
    std::fs::write(&path, text).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_falconry"));
    cmd.arg("run")
        .arg(&path)
        .current_dir(dir)
        .env_remove("FALCON_MEMBER_CID")
        .env_remove("FALCON_CLOUD")
        .env("FALCON_CLIENT_ID", "hostile-tests")
        .env("FALCON_CLIENT_SECRET", SECRET)
        .env("FALCON_BASE_URL", url)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("HOME", dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!("falconry ran past {limit:?}:\n{}", printed(&o));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

const READ: &str = "hosts::query_devices_by_filter(#{ limit: 1 })";

#[test]
fn the_token_request_follows_no_redirect_and_the_secret_stays_home() {
    let elsewhere = peer(|_| Reply::token());
    let to = format!("{}/oauth2/token", elsewhere.url);
    let p = peer(move |_| Reply::redirect(307, &to));
    let dir = tempfile::tempdir().unwrap();
    let o = run_within(&p.url, dir.path(), READ, &[], Duration::from_secs(30));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("error: `oauth2::token` failed with HTTP 307"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "redirect to `{}/oauth2/token`; falconry follows no redirects",
            elsewhere.url
        )),
        "{err}"
    );
    assert!(
        elsewhere.requests().is_empty(),
        "nothing reached the other host"
    );
    assert!(!printed(&o).contains(SECRET));
}

#[test]
fn an_api_call_follows_no_redirect_and_the_token_stays_home() {
    let elsewhere = peer(|_| Reply::json(200, r#"{"resources":[]}"#));
    let to = format!("{}/devices/queries/devices/v1", elsewhere.url);
    let p = peer(move |req| {
        if req.path() == "/oauth2/token" {
            Reply::token()
        } else {
            Reply::redirect(302, &to)
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let o = run_within(&p.url, dir.path(), READ, &[], Duration::from_secs(30));
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("`hosts::query_devices_by_filter` failed with HTTP 302"),
        "{}",
        stderr(&o)
    );
    assert!(elsewhere.requests().is_empty());
}

#[test]
fn an_endless_answer_is_cut_at_the_cap_with_a_clear_error() {
    let p = peer(|req| {
        if req.path() == "/oauth2/token" {
            Reply::token()
        } else {
            Reply::Endless
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let o = run_within(
        &p.url,
        dir.path(),
        READ,
        &[("FALCONRY_MAX_ANSWER_BYTES", "2000000")],
        Duration::from_secs(60),
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("the answer is larger than 2000000 bytes and was not read"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_silent_server_gives_up_within_the_call_time_and_a_stalled_read_never_may_have_run() {
    let p = peer(|req| {
        if req.path() == "/oauth2/token" {
            Reply::token()
        } else if req.path() == "/devices/queries/devices/v1" {
            Reply::Silence(Duration::from_secs(120))
        } else {
            Reply::Stall(Duration::from_secs(120))
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let env = [("FALCONRY_CALL_TIMEOUT", "3")];
    let started = Instant::now();
    let o = run_within(&p.url, dir.path(), READ, &env, Duration::from_secs(40));
    assert!(!o.status.success());
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(stderr(&o).contains("timed out"), "{}", stderr(&o));

    let o = run_within(
        &p.url,
        dir.path(),
        r#"hosts::get_device_details_v2(#{ ids: ["abc"] })"#,
        &env,
        Duration::from_secs(40),
    );
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        !err.contains("may have run"),
        "a read never may have run: {err}"
    );
    assert!(err.contains("`hosts::get_device_details_v2`"), "{err}");
}

#[test]
fn bad_credentials_name_the_token_request_and_echoed_secrets_are_redacted() {
    // The token endpoint echoes the form it received (client id and secret) in its error.
    let p = peer(|req| {
        if req.path() == "/oauth2/token" {
            let echo = serde_json::json!({ "errors": [{ "code": 403, "message": format!("access denied for {}", req.text()) }] });
            Reply::json(403, &echo.to_string())
        } else {
            Reply::json(500, "{}")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let o = run_within(&p.url, dir.path(), READ, &[], Duration::from_secs(30));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("error: `oauth2::token` failed with HTTP 403"),
        "{err}"
    );
    assert!(
        err.contains("check `FALCON_CLIENT_ID` and `FALCON_CLIENT_SECRET`"),
        "{err}"
    );
    assert!(err.contains("client_secret=<redacted>"), "{err}");
    assert!(!printed(&o).contains(SECRET), "{}", printed(&o));
}

#[test]
fn a_bearer_token_echoed_in_an_error_or_an_answer_is_never_printed() {
    let p = peer(|req| {
        let auth = req
            .headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        match req.path() {
            "/oauth2/token" => Reply::token(),
            // An error answer that is not even JSON, echoing the header.
            "/devices/queries/devices/v1" => Reply::Full {
                status: 400,
                headers: vec![],
                body: format!("bad request; you sent authorization: {auth}").into_bytes(),
            },
            _ => Reply::json(
                200,
                &serde_json::json!({ "resources": [{ "echo": auth }] }).to_string(),
            ),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let o = run_within(&p.url, dir.path(), READ, &[], Duration::from_secs(30));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("Bearer <redacted>"), "{}", stderr(&o));
    let o = run_within(
        &p.url,
        dir.path(),
        r#"let r = hosts::get_device_details_v2(#{ ids: ["abc"] }); print(r.body); log::info(r.body); r.body"#,
        &[],
        Duration::from_secs(30),
    );
    assert!(o.status.success(), "{}", printed(&o));
    assert!(printed(&o).contains("Bearer <redacted>"), "{}", printed(&o));
    assert!(
        !printed(&o).contains("peer-bearer-token-0xBEEF"),
        "{}",
        printed(&o)
    );
}

#[test]
fn a_command_in_flight_when_falconry_is_killed_is_in_the_audit_log() {
    use crate::safety_support::{self, audit_outcomes, json_lines};
    let t = safety_support::Tenant::new(&safety_support::fleet(""));
    let exec = OpId::RtrExecuteActiveResponderCommand.op().path;
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    // The emulator runs the command; its answer is held back, as a slow network would.
    let p = proxy(&t.sim.base_url(), move |req: &Seen, reply| {
        if req.path() == exec {
            let _ = tx.lock().unwrap().send(());
            std::thread::sleep(Duration::from_secs(60));
        }
        reply
    });
    let audit = t.path("audit.jsonl");
    let playbook = t.write(
        "mkdir.rhai",
        r#"
        let id = hosts::query_devices_by_filter(#{ filter: "hostname:'WS-042'" }).body.resources[0];
        let sid = real_time_response::init_session(#{ device_id: id }).body.resources[0].session_id;
        real_time_response::execute_active_responder_command(#{
            base_command: "mkdir", command_string: "mkdir C:\\evidence", session_id: sid });
        "#,
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_falconry"))
        .arg("run")
        .arg(&playbook)
        .arg("--audit")
        .arg(&audit)
        .env_remove("FALCON_MEMBER_CID")
        .env_remove("FALCON_CLOUD")
        .env("FALCON_CLIENT_ID", &t.sim.client_id)
        .env("FALCON_CLIENT_SECRET", &t.sim.client_secret)
        .env("FALCON_BASE_URL", &p.url)
        .env("HOME", t.path("home"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the command reached the server");
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    assert_eq!(t.count_received("RTR-ExecuteActiveResponderCommand"), 1);
    let lines = json_lines(&audit);
    let intent = lines
        .iter()
        .find(|l| l["operation_id"] == "RTR-ExecuteActiveResponderCommand")
        .expect("the command in flight is in the audit log");
    assert_eq!(intent["phase"], "intent", "{intent}");
    assert_eq!(intent["command"], "mkdir C:\\evidence");
    assert!(
        !audit_outcomes(&audit)
            .iter()
            .any(|l| l["operation_id"] == "RTR-ExecuteActiveResponderCommand"),
        "no outcome: the answer never came"
    );
}

/// A change whose answer cannot be read may have run: a 5xx can come after the work, and a 2xx that is
/// not JSON says it ran. Neither may be reported as "could not be sent" (a resume would send it again).
#[test]
fn a_change_answered_5xx_with_a_cut_body_or_2xx_not_json_may_have_run() {
    const CHANGE: &str =
        r#"response_policies::create_policies(#{ name: "IR", platform_name: "Windows" })"#;
    for reply in [0, 1] {
        let p = peer(move |req| {
            if req.path() == "/oauth2/token" {
                Reply::token()
            } else if reply == 0 {
                Reply::Cut(500)
            } else {
                Reply::Full {
                    status: 201,
                    headers: vec![("content-type".into(), "text/html".into())],
                    body: b"<html>created</html>".to_vec(),
                }
            }
        });
        let dir = tempfile::tempdir().unwrap();
        let o = run_within(&p.url, dir.path(), CHANGE, &[], Duration::from_secs(60));
        let err = stderr(&o);
        assert!(!o.status.success());
        assert!(err.contains("may have run"), "reply {reply}: {err}");
        let sent = p
            .requests()
            .iter()
            .filter(|r| r.path() != "/oauth2/token")
            .count();
        assert_eq!(sent, 1, "reply {reply}: a change is never sent twice");
    }
}
