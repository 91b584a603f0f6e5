//! `falconry ops`: every scriptable operation, from the table, as text and JSON.

use crate::common::Test;

#[test]
fn lists_all_95_scriptable_operations_as_json() {
    let out = Test::new().command(&["ops", "--json"]).run();
    out.status(0);
    let ops = out.json();
    let ops = ops.as_array().expect("an array");
    assert_eq!(ops.len(), 95);
    assert!(ops.iter().all(|o| o["module"] != "oauth2"));
    let exec = ops
        .iter()
        .find(|o| o["id"] == "RTR-ExecuteAdminCommand")
        .expect("execute_admin_command");
    assert_eq!(exec["name"], "execute_admin_command");
    assert_eq!(exec["method"], "POST");
    assert_eq!(
        exec["path"],
        "/real-time-response/entities/admin-command/v1"
    );
    assert_eq!(
        exec["names"],
        serde_json::json!(["execute_admin_command", "RTR_ExecuteAdminCommand"])
    );
    let keys: Vec<&str> = exec["body"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "base_command",
            "command_string",
            "session_id",
            "device_id",
            "id",
            "persist"
        ]
    );
    let query = ops
        .iter()
        .find(|o| o["id"] == "queryRTResponsePolicies")
        .unwrap();
    let limit = query["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["min"], 1);
    assert_eq!(limit["max"], 5000);
    assert_eq!(limit["in"], "query");
}

#[test]
fn lists_every_operation_as_text_with_parameters() {
    Test::new()
        .command(&["ops"])
        .run()
        .status(0)
        .stdout_has("response_policies (10 operations)\n")
        .stdout_has("real_time_response_admin (20 operations)\n")
        .stdout_has("  response_policies::query_policies  GET /policy/queries/response/v1\n")
        .stdout_has("    limit: integer (query)  range 1..5000\n")
        .stdout_has("    action_name: string (query, required)  one of: add-host-group, add-rule-group, disable, enable, remove-host-group, remove-rule-group\n")
        .stdout_has("    also: RTR_ExecuteAdminCommand\n")
        .stdout_has("    base_command: string (body field, required)\n")
        .stdout_has("    runs a command on hosts\n")
        .stdout_has("    changes tenant state\n")
        .stdout_has("\n95 operations\n");
}

#[test]
fn one_collection_by_module_or_reference_name() {
    for name in ["response_policies", "response-policies"] {
        let out = Test::new().command(&["ops", name, "--json"]).run();
        out.status(0);
        assert_eq!(out.json().as_array().unwrap().len(), 10);
    }
    Test::new()
        .command(&["ops", "oauth2"])
        .run()
        .status(2)
        .stderr_has("error: unknown collection `oauth2`; use one of `response_policies`");
}
