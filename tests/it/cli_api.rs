//! Playbooks against the emulator over loopback, through the real binary and the real client:
//! effects on state, API errors (caught and uncaught), downloads, the embedded default.

use crate::common::Test;

#[test]
fn a_created_policy_is_found_by_query_and_gone_after_delete() {
    let out = Test::new()
        .playbook(
            r#"
let created = response_policies::create_policies(#{ name: "ir-lockdown", platform_name: "Windows",
    description: "from a test", settings: [#{ id: "GetCommand", value: #{ enabled: true } }] });
let id = created.body.resources[0].id;
let found = response_policies::query_policies(#{ filter: "name:'ir-lockdown'" }).body.resources;
response_policies::delete_policies(#{ ids: id });
let status = 200;
try { response_policies::get_policies(#{ ids: [id] }); } catch (e) { status = e.status_code; }
#{ created: created.status_code, found: id in found, after_delete: status }
"#,
        )
        .arg("--json")
        .arg("--allow-destructive")
        .emulator()
        .run();
    out.status(0);
    assert_eq!(
        out.json(),
        serde_json::json!({ "after_delete": 404, "created": 201, "found": true })
    );
    let sent = out.requests();
    assert!(
        sent.contains(&"POST /policy/entities/response/v1".to_string()),
        "{sent:?}"
    );
    assert!(
        sent.contains(&"DELETE /policy/entities/response/v1".to_string()),
        "{sent:?}"
    );
}

#[test]
fn an_uncaught_api_error_shows_operation_status_messages_and_trace_id() {
    let out = Test::new()
        .playbook("let x = 1;\nresponse_policies::get_policies(#{ ids: \"no-such-policy\" });\n")
        .emulator()
        .run();
    out.status(1)
        .stderr_has("error: `response_policies::get_policies` failed with HTTP 404\n --> playbook.rhai:2:20\n  |\n2 | response_policies::get_policies(#{ ids: \"no-such-policy\" });\n  |                    ^\n")
        .stderr_has("  = falcon: response policy not found: `no-such-policy`\n")
        .stderr_has("  = trace id: ")
        .no_secret();
}

#[test]
fn a_caught_api_error_is_a_map() {
    Test::new()
        .playbook(
            r#"
let seen = ();
try { response_policies::get_policies(#{ ids: "nope" }); }
catch (e) { seen = #{ status: e.status_code, op: e.operation, has_trace: e.trace_id != (), first: e.errors[0].message }; }
seen
"#,
        )
        .arg("--json")
        .emulator()
        .run()
        .status(0)
        .stdout_has("\"status\": 404")
        .stdout_has("\"op\": \"response_policies::get_policies\"")
        .stdout_has("\"has_trace\": true")
        .stdout_has("\"first\": \"response policy not found: `nope`\"");
}

#[test]
fn file_contents_are_downloaded_into_the_output_folder() {
    let out = Test::new()
        .playbook(
            r#"
real_time_response_admin::create_put_files(#{ file: #{ filename: "tool.txt", content: "tool bytes" },
    name: "tool.txt", description: "a tool" });
let id = real_time_response_admin::list_put_files(#{ filter: "name:'tool.txt'" }).body.resources[0];
real_time_response_admin::get_put_file_contents(#{ id: id }).body
"#,
        )
        .arg("--json")
        .arg("--out")
        .arg("downloads")
        .emulator()
        .run();
    out.status(0);
    let body = out.json();
    let path = std::path::PathBuf::from(body["path"].as_str().unwrap());
    assert!(
        path.starts_with(out.dir.join("downloads")),
        "{}",
        path.display()
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "tool bytes");
    assert_eq!(body["bytes"], 10);
}

#[test]
fn uploads_by_path_are_read_from_the_playbook_folder() {
    Test::new()
        .file("tools/collect.ps1", "Get-Process")
        .playbook(
            r#"
real_time_response_admin::create_put_files(#{ file: "tools/collect.ps1", name: "collect.ps1", description: "d" });
let id = real_time_response_admin::list_put_files(#{ filter: "name:'collect.ps1'" }).body.resources[0];
real_time_response_admin::get_put_files(#{ ids: id }).body.resources[0].size
"#,
        )
        .arg("--json")
        .emulator()
        .run()
        .status(0)
        .stdout_is("11\n");
}

#[test]
fn without_credentials_run_uses_the_embedded_emulator_and_says_so() {
    Test::new()
        .playbook("hosts::query_devices_by_filter(#{ limit: 10 }).status_code")
        .arg("--json")
        .run()
        .status(0)
        .stdout_is("200\n")
        .stderr_has("using the embedded emulator at http://127.0.0.1:");
}

#[test]
fn operations_answer_to_operation_ids_too() {
    Test::new()
        .playbook("[hosts::QueryDevicesByFilter(#{ limit: 1 }).status_code, response_policies::queryRTResponsePolicies().status_code]")
        .arg("--json")
        .emulator()
        .run()
        .status(0)
        .stdout_is("[\n  200,\n  200\n]\n");
}

#[test]
fn uploads_from_outside_the_playbook_folder_are_refused_before_sending() {
    let cases = [
        (
            "../outside.txt",
            "is outside the folders uploads may come from",
        ),
        ("tools/link.txt", "(through a symlink)"),
        ("tools/missing.txt", "cannot read"),
        ("ABSOLUTE", "is outside the folders uploads may come from"),
    ];
    for (file, expected) in cases {
        let t = Test::new()
            .file("outside.txt", "not for upload")
            .file("pb/tools/ok.txt", "fine");
        // A link inside the playbook's folder that points out of it.
        std::os::unix::fs::symlink("../../outside.txt", t.path().join("pb/tools/link.txt"))
            .unwrap();
        let file = if file == "ABSOLUTE" {
            t.path().join("outside.txt").display().to_string()
        } else {
            file.to_string()
        };
        t.file(
            "pb/p.rhai",
            &format!("real_time_response_admin::create_put_files(#{{ file: {file:?}, name: \"x\", description: \"d\" }});"),
        )
        .command(&["run", "pb/p.rhai"])
        .emulator()
        .run()
        .status(1)
        .stderr_has("error: `real_time_response_admin::create_put_files`: argument `file` ")
        .stderr_has(expected)
        .nothing_sent();
    }
}

#[test]
fn wrong_credentials_fail_clearly_and_the_secret_never_shows() {
    let out = Test::new()
        .playbook("hosts::query_devices_by_filter(#{ limit: 1 });\n")
        .emulator()
        .env("FALCON_CLIENT_SECRET", "wrong-secret-0xBADC0DE")
        .run();
    out.status(1).stderr_has("error: ").no_secret();
    assert!(
        !out.stderr.contains("wrong-secret-0xBADC0DE"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("wrong-secret-0xBADC0DE"));
}
