//! Response policies in the emulator: CRUD, precedence rules, members, and enforcement on RTR.

use crate::sim_support::Sim;
use serde_json::{Value, json};

const FLEET: &str = r#"
command_latency_ms = 0

[[hosts]]
hostname = "WS-1"
platform = "Windows"
groups = ["Workstations"]

[[hosts]]
hostname = "SRV-1"
platform = "Windows"
groups = ["Servers"]

[[hosts]]
hostname = "LNX-1"
platform = "Linux"
groups = ["Servers"]

[[policies]]
name = "Locked servers"
platform = "Windows"
groups = ["Servers"]
settings = { GetCommand = false }
"#;

async fn policy_named(sim: &Sim, name: &str) -> Value {
    let a = sim
        .get(&format!(
            "/policy/combined/response/v1?filter=name:'{name}'"
        ))
        .await
        .expect(200);
    assert_eq!(a.resources().len(), 1, "{}", a.body);
    a.first().clone()
}

async fn group_id(sim: &Sim, name: &str) -> String {
    let a = sim
        .get(&format!(
            "/devices/queries/host-groups/v1?filter=name:'{name}'"
        ))
        .await
        .expect(200);
    a.first().as_str().unwrap().to_string()
}

fn setting(policy: &Value, id: &str) -> bool {
    policy["settings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["settings"].as_array().unwrap())
        .find(|s| s["id"] == id)
        .map(|s| s["value"]["enabled"].as_bool().unwrap())
        .unwrap()
}

#[tokio::test]
async fn defaults_exist_per_platform_and_cannot_be_deleted() {
    let sim = Sim::start().await;
    let a = sim
        .get("/policy/combined/response/v1?filter=name:'platform_default'&sort=platform_name.asc")
        .await
        .expect(200);
    let platforms: Vec<&str> = a
        .resources()
        .iter()
        .map(|p| p["platform_name"].as_str().unwrap())
        .collect();
    assert_eq!(platforms, ["Linux", "Mac", "Windows"]);
    let id = a.first()["id"].as_str().unwrap();
    let d = sim
        .delete(&format!("/policy/entities/response/v1?ids={id}"))
        .await
        .expect(400);
    assert!(d.message().contains("cannot be deleted"), "{}", d.message());
}

#[tokio::test]
async fn create_clone_update_enable_and_delete() {
    let sim = Sim::with_scenario(FLEET).await;
    let locked = policy_named(&sim, "Locked servers").await;
    let a = sim
        .post(
            "/policy/entities/response/v1",
            json!({"resources": [{
                "name": "Clone", "platform_name": "Windows", "description": "copy",
                "clone_id": locked["id"],
                "settings": [{"id": "PutCommand", "value": {"enabled": false}}],
            }]}),
        )
        .await
        .expect(201);
    let clone = a.first().clone();
    assert_eq!(clone["enabled"], false, "new policies start disabled");
    assert!(
        !setting(&clone, "GetCommand"),
        "cloned from `Locked servers`"
    );
    assert!(!setting(&clone, "PutCommand"));
    assert!(setting(&clone, "RealTimeFunctionality"));
    assert_eq!(clone["created_by"], clone["modified_by"]);
    assert!(clone["created_timestamp"].as_str().unwrap().ends_with('Z'));

    sim.post(
        "/policy/entities/response/v1",
        json!({"resources": [{"name": "Clone", "platform_name": "Windows"}]}),
    )
    .await
    .expect(400);

    let id = clone["id"].as_str().unwrap();
    let u = sim
        .patch(
            "/policy/entities/response/v1",
            json!({"resources": [{"id": id, "name": "Clone 2",
                "settings": [{"id": "GetCommand", "value": {"enabled": true}}]}]}),
        )
        .await
        .expect(200);
    assert_eq!(u.first()["name"], "Clone 2");
    assert!(setting(u.first(), "GetCommand"));

    let e = sim
        .post(
            "/policy/entities/response-actions/v1?action_name=enable",
            json!({"ids": [id]}),
        )
        .await
        .expect(200);
    assert_eq!(e.first()["enabled"], true);

    let g = sim
        .get(&format!("/policy/entities/response/v1?ids={id}"))
        .await
        .expect(200);
    assert_eq!(g.first()["name"], "Clone 2");

    sim.delete(&format!("/policy/entities/response/v1?ids={id}"))
        .await
        .expect(200);
    sim.get(&format!("/policy/entities/response/v1?ids={id}"))
        .await
        .expect(404);
}

#[tokio::test]
async fn precedence_must_list_every_non_default_policy_of_the_platform() {
    let sim = Sim::with_scenario(FLEET).await;
    let locked = policy_named(&sim, "Locked servers").await["id"].clone();
    let second = sim
        .post(
            "/policy/entities/response/v1",
            json!({"resources": [{"name": "Second", "platform_name": "Windows"}]}),
        )
        .await
        .expect(201)
        .first()["id"]
        .clone();
    let a = sim
        .post(
            "/policy/entities/response-precedence/v1",
            json!({"ids": [second], "platform_name": "Windows"}),
        )
        .await
        .expect(400);
    assert!(a.message().contains("missing"), "{}", a.message());
    assert!(a.message().contains(locked.as_str().unwrap()));
    let a = sim
        .post(
            "/policy/entities/response-precedence/v1",
            json!({"ids": [second, locked], "platform_name": "Windows"}),
        )
        .await
        .expect(200);
    assert_eq!(a.resources(), &vec![second.clone(), locked.clone()]);
    // Precedence is no field of the record; sorting and filtering by it are.
    assert!(
        policy_named(&sim, "Second")
            .await
            .get("precedence")
            .is_none()
    );
    let order = sim
        .get("/policy/queries/response/v1?filter=platform_name:'Windows'&sort=precedence.asc")
        .await
        .expect(200);
    assert_eq!(order.resources()[..2], [json!(second), json!(locked)]);
    let first = sim
        .get("/policy/queries/response/v1?filter=precedence:1+platform_name:'Windows'")
        .await
        .expect(200);
    assert_eq!(first.resources(), &vec![json!(second)]);
    let a = sim
        .post(
            "/policy/entities/response-precedence/v1",
            json!({"ids": [second, locked], "platform_name": "Linux"}),
        )
        .await
        .expect(400);
    assert!(a.message().contains("not Linux"), "{}", a.message());
}

#[tokio::test]
async fn members_follow_groups_and_the_effective_policy() {
    let sim = Sim::with_scenario(FLEET).await;
    let locked = policy_named(&sim, "Locked servers").await;
    let id = locked["id"].as_str().unwrap();
    let a = sim
        .get(&format!("/policy/queries/response-members/v1?id={id}"))
        .await
        .expect(200);
    assert_eq!(a.resources(), &vec![json!(sim.device("SRV-1"))]);
    let c = sim
        .get(&format!("/policy/combined/response-members/v1?id={id}"))
        .await
        .expect(200);
    assert_eq!(c.first()["hostname"], "SRV-1");

    // Assign Workstations too: WS-1 is now governed by it.
    let ws = group_id(&sim, "Workstations").await;
    sim.post(
        "/policy/entities/response-actions/v1?action_name=add-host-group",
        json!({"ids": [id], "action_parameters": [{"name": "group_id", "value": ws}]}),
    )
    .await
    .expect(200);
    let a = sim
        .get(&format!(
            "/policy/queries/response-members/v1?id={id}&sort=hostname.asc"
        ))
        .await
        .expect(200);
    assert_eq!(a.body["meta"]["pagination"]["total"], 2);
    sim.post(
        "/policy/entities/response-actions/v1?action_name=remove-host-group",
        json!({"ids": [id], "action_parameters": [{"name": "group_id", "value": ws}]}),
    )
    .await
    .expect(200);
    let a = sim
        .get(&format!("/policy/queries/response-members/v1?id={id}"))
        .await
        .expect(200);
    assert_eq!(a.body["meta"]["pagination"]["total"], 1);
}

#[tokio::test]
async fn policy_settings_decide_which_commands_a_host_accepts() {
    let sim = Sim::with_scenario(FLEET).await;
    let srv = sim.session(&sim.device("SRV-1")).await;
    let a = sim
        .run(
            "active-responder-command",
            &srv,
            "get C:\\Windows\\notepad.exe",
        )
        .await
        .expect(400);
    // Falcon's own code and text for a command the response policy disallows: 40006 `Command is
    // not valid` (elastic/kibana's CrowdStrike emulator; CrowdStrike/CAST#15). It names no policy.
    assert_rtr_error(&a, 40006, "Command is not valid");
    assert_eq!(sim.handle.state().total_executions(), 0);

    // The same command on a host under the default policy runs.
    let ws = sim.session(&sim.device("WS-1")).await;
    sim.run(
        "active-responder-command",
        &ws,
        "get C:\\Windows\\notepad.exe",
    )
    .await
    .expect(201);

    // Disabling the policy hands SRV-1 back to the default, from the next command on.
    let locked = policy_named(&sim, "Locked servers").await;
    sim.post(
        "/policy/entities/response-actions/v1?action_name=disable",
        json!({"ids": [locked["id"]]}),
    )
    .await
    .expect(200);
    sim.run(
        "active-responder-command",
        &srv,
        "get C:\\Windows\\notepad.exe",
    )
    .await
    .expect(201);

    // Turning RTR off in the default policy refuses everything, sessions included.
    let default = sim
        .get("/policy/combined/response/v1?filter=name:'platform_default'+platform_name:'Windows'")
        .await
        .expect(200)
        .first()["id"]
        .clone();
    sim.patch(
        "/policy/entities/response/v1",
        json!({"resources": [{"id": default,
            "settings": [{"id": "RealTimeFunctionality", "value": {"enabled": false}}]}]}),
    )
    .await
    .expect(200);
    let a = sim.run("command", &ws, "ls").await.expect(400);
    assert_rtr_error(&a, 40006, "Command is not valid");
    let a = sim
        .post(
            "/real-time-response/entities/sessions/v1",
            json!({"device_id": sim.device("WS-1")}),
        )
        .await
        .expect(403);
    assert!(a.message().contains("platform_default"), "{}", a.message());
}

#[tokio::test]
async fn endpoint_tier_and_platform_are_checked() {
    let sim = Sim::with_scenario(FLEET).await;
    let ws = sim.session(&sim.device("WS-1")).await;
    let a = sim.run("command", &ws, "rm C:\\x.txt").await.expect(400);
    assert!(a.message().contains("active-responder"), "{}", a.message());
    let a = sim
        .run("active-responder-command", &ws, "put tool.exe")
        .await
        .expect(400);
    assert!(a.message().contains("admin"), "{}", a.message());
    // An unknown base command: 40007 `Command not found` (elastic/kibana's CrowdStrike emulator).
    let a = sim.run("command", &ws, "frobnicate").await.expect(400);
    assert_rtr_error(&a, 40007, "Command not found");
    let lnx = sim.session(&sim.device("LNX-1")).await;
    let a = sim.run("command", &lnx, "ipconfig").await.expect(400);
    assert!(
        a.message().contains("not supported on Linux"),
        "{}",
        a.message()
    );
    sim.run("command", &lnx, "ifconfig").await.expect(201);
}

#[tokio::test]
async fn falcon_scripts_are_a_windows_setting_that_needs_custom_scripts() {
    let sim = Sim::with_scenario(FLEET).await;
    let categories = |p: &Value| -> Vec<(String, Vec<String>)> {
        p["settings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let ids = c["settings"].as_array().unwrap().iter();
                (
                    c["name"].as_str().unwrap().to_string(),
                    ids.map(|s| s["id"].as_str().unwrap().to_string()).collect(),
                )
            })
            .collect()
    };
    let windows = sim
        .get("/policy/combined/response/v1?filter=name:'platform_default'+platform_name:'Windows'")
        .await
        .expect(200)
        .first()
        .clone();
    assert_eq!(
        categories(&windows),
        [
            (
                "Enable/Disable".into(),
                vec!["RealTimeFunctionality".to_string()]
            ),
            (
                "Custom scripts".into(),
                vec!["CustomScripts".into(), "FalconScripts".into()]
            ),
            (
                "High risk commands".into(),
                [
                    "GetCommand",
                    "PutCommand",
                    "MemDumpCommand",
                    "XMemDumpCommand",
                    "ExecCommand",
                    "PutAndRunCommand"
                ]
                .map(String::from)
                .to_vec()
            ),
        ]
    );
    let linux = sim
        .get("/policy/combined/response/v1?filter=name:'platform_default'+platform_name:'Linux'")
        .await
        .expect(200)
        .first()
        .clone();
    assert_eq!(categories(&linux)[1].1, ["CustomScripts"]);
    let a = sim
        .post(
            "/policy/entities/response/v1",
            json!({"resources": [{"name": "lnx", "platform_name": "Linux",
                "settings": [{"id": "FalconScripts", "value": {"enabled": true}}]}]}),
        )
        .await
        .expect(400);
    assert!(
        a.message().contains("`FalconScripts`") && a.message().contains("Linux"),
        "{}",
        a.message()
    );

    // A Falcon script runs when both script settings allow it...
    let ws = sim.session(&sim.device("WS-1")).await;
    let line = "falconscript -Name=CollectProcessTree";
    let id = sim
        .run("admin-command", &ws, line)
        .await
        .expect(201)
        .first()["cloud_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let status = sim.wait("admin-command", &id).await;
    assert_eq!(status["stderr"], "", "{status}");
    let a = sim
        .run("admin-command", &ws, "falconscript -Name=NoSuchScript")
        .await
        .expect(201);
    let status = sim
        .wait(
            "admin-command",
            a.first()["cloud_request_id"].as_str().unwrap(),
        )
        .await;
    assert!(
        status["stderr"].as_str().unwrap().contains("NoSuchScript"),
        "{status}"
    );
    // ...not below the admin tier...
    let a = sim
        .run("active-responder-command", &ws, line)
        .await
        .expect(400);
    assert!(a.message().contains("admin"), "{}", a.message());
    // ...and is refused (40006) when the setting is off: FalconScripts, or CustomScripts under it.
    for off in ["FalconScripts", "CustomScripts"] {
        sim.patch(
            "/policy/entities/response/v1",
            json!({"resources": [{"id": windows["id"], "settings": [
                {"id": "FalconScripts", "value": {"enabled": off != "FalconScripts"}},
                {"id": "CustomScripts", "value": {"enabled": off != "CustomScripts"}}]}]}),
        )
        .await
        .expect(200);
        let a = sim.run("admin-command", &ws, line).await.expect(400);
        assert_rtr_error(&a, 40006, "Command is not valid");
    }
}

/// An RTR error as Falcon answers it: its own code in `errors[].code`, its own text.
fn assert_rtr_error(a: &crate::sim_support::Answer, code: u32, message: &str) {
    assert_eq!(a.body["errors"][0]["code"], code, "body: {}", a.body);
    assert_eq!(a.message(), message, "body: {}", a.body);
}
