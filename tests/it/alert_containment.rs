//! From an alert to containment (issue 26): the emulator's alert for WS-042's implant, the
//! `alert_to_containment.rhai` playbook in plan mode and for real, its effects read back through the
//! API, and a `prevent` IOC stopping the image from starting again.

use crate::rtr_support::{Tenant, WS_042, sha256};
use falconry::sim::host::fleet::{EVIL_EXE, windows_implant};

/// Reads back, through the API, everything the playbook should have changed.
const READ_BACK: &str = r#"
let sha = args.get_str("sha256", "");
let host = hosts::get_device_details(#{ ids: ["4d2c8e1f0a9b47c3b6e5d4c3b2a19f80"] }).body.resources[0];
let s = rtr::session(host);
let evil = (s.run("ps").get("processes") ?? []).filter(|p| p.name == "evil");
let iocs = ioc::indicator_combined(#{ filter: `type:'sha256'+value:'${sha}'` }).body.resources;
let policy_id = host.device_policies.remote_response.policy_id;
let policy = response_policies::get_policies(#{ ids: [policy_id] }).body.resources[0];
let ids = alerts::query_alerts_v2(#{ filter: "device.hostname:'WS-042'" }).body.resources;
let found = alerts::get_alerts_v2(#{ composite_ids: ids }).body.resources;
#{
    status: host.status, evil: evil.len(),
    iocs: iocs.map(|i| #{ action: i.action, applied_globally: i.applied_globally }),
    policy: policy.name, settings: policy.settings,
    alerts: found.map(|a| #{ id: a.composite_id, status: a.status }),
}
"#;

#[test]
fn the_alert_names_the_host_process_command_line_and_hash() {
    let t = Tenant::new();
    let r = t
        .script(
            r#"
            import "falcon/alerts" as alert;
            let found = alert::find("device.hostname:'WS-042'");
            #{ found: found, hosts: alert::hosts(found), hashes: alert::hashes(found),
               incidents: incidents::get_incidents(#{ ids: incidents::query_incidents().body.resources }).body.resources }
            "#,
            &[],
        )
        .ok()
        .json();
    let a = &r["found"][0];
    assert_eq!(r["found"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(a["device"]["device_id"], WS_042);
    assert_eq!(a["device"]["hostname"], "WS-042");
    assert_eq!(a["filename"], "evil.exe");
    assert_eq!(a["filepath"], windows_implant("bob"));
    assert_eq!(
        a["cmdline"],
        format!("\"{}\" -k netsvc", windows_implant("bob"))
    );
    assert_eq!(a["process_id"], "6612");
    assert_eq!(a["sha256"], sha256(EVIL_EXE.as_bytes()));
    assert_eq!(a["status"], "new");
    assert_eq!(r["hosts"], serde_json::json!([WS_042]));
    assert_eq!(
        r["hashes"],
        serde_json::json!([sha256(EVIL_EXE.as_bytes())])
    );
    // web-01's miner raised its own; each compromised host has one incident grouping its alerts.
    let incidents = r["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 2, "{r}");
    let ws = incidents
        .iter()
        .find(|i| i["host_ids"][0] == WS_042)
        .expect("an incident for WS-042");
    assert_eq!(ws["status"], 20);
    assert_eq!(ws["state"], "open");
}

#[test]
fn plan_mode_lists_every_step_and_changes_nothing() {
    let t = Tenant::new();
    let run = t.playbook("alert_to_containment.rhai", &["--plan"]);
    run.ok();
    let all = format!("{}{}", run.stdout, run.stderr);
    let steps = [
        "1. `hosts::perform_action`",
        "`kill 6612`",
        "`ioc::indicator_create`",
        "`response_policies::create_policies`",
        "`response_policies::perform_policies_action`",
        "`response_policies::set_policies_precedence`",
        "`alerts::update_alerts_v3`",
    ];
    for step in steps {
        assert!(all.contains(step), "missing {step}\n{}", run.show());
    }
    assert!(all.contains("\"action\":\"prevent\""), "{}", run.show());
    assert!(all.contains("\"value\":\"closed\""), "{}", run.show());
    // Nothing changed: the implant runs, the host is free, the alert is new, no IOC exists.
    assert!(t.runs(WS_042, "evil.exe"));
    let state = t.state();
    let id = &state.alert_ids()[0];
    assert!(state.alert_changes(id).unwrap().is_empty());
    // The plan names the alert the update would close.
    assert!(all.contains(&format!("ids: {id}")), "{}", run.show());
    drop(state);
    let after = t
        .script(
            READ_BACK,
            &["--arg", &format!("sha256={}", sha256(EVIL_EXE.as_bytes()))],
        )
        .ok()
        .json();
    assert_eq!(after["status"], "normal");
    assert_eq!(after["iocs"], serde_json::json!([]));
    assert_eq!(after["alerts"][0]["status"], "new");
}

#[test]
fn the_playbook_contains_kills_blocks_tightens_and_closes_with_the_comment() {
    let t = Tenant::new();
    let comment = "IR-1234: contained and blocked";
    let run = t.playbook(
        "alert_to_containment.rhai",
        &[
            "--allow-destructive",
            "--arg",
            &format!("comment={comment}"),
        ],
    );
    let report = run.ok().json();
    assert_eq!(report["contained"], true, "{}", run.show());
    let sha = sha256(EVIL_EXE.as_bytes());
    assert_eq!(report["collected"]["sha256"], sha);

    let after = t
        .script(READ_BACK, &["--arg", &format!("sha256={sha}")])
        .ok()
        .json();
    assert_eq!(after["status"], "contained", "{after}");
    assert_eq!(after["evil"], 0, "{after}");
    assert_eq!(
        after["iocs"],
        serde_json::json!([{ "action": "prevent", "applied_globally": true }])
    );
    assert_eq!(after["policy"], "IR hold - workstations");
    let setting = |id: &str| {
        after["settings"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["settings"].as_array().cloned().unwrap_or_default())
            .find(|s| s["id"] == id)
            .map(|s| s["value"]["enabled"].clone())
    };
    assert_eq!(setting("PutCommand"), Some(serde_json::json!(false)));
    assert_eq!(setting("CustomScripts"), Some(serde_json::json!(false)));
    assert_eq!(setting("GetCommand"), Some(serde_json::json!(true)));
    assert_eq!(after["alerts"][0]["status"], "closed");

    // The comment travelled with the status change (the alert record has no comment field; the
    // emulator keeps the change log).
    let state = t.state();
    let changes = state.alert_changes(&state.alert_ids()[0]).unwrap();
    let named: Vec<(&str, &str)> = changes
        .iter()
        .map(|c| (c.name.as_str(), c.value.as_str()))
        .collect();
    assert!(named.contains(&("append_comment", comment)), "{named:?}");
    assert!(named.contains(&("update_status", "closed")), "{named:?}");
    drop(state);
    t.each_command_ran_once();
}

#[test]
fn a_prevent_ioc_stops_the_image_from_starting_again_and_a_reboot_does_not_restart_it() {
    let t = Tenant::new();
    let sha = sha256(EVIL_EXE.as_bytes());
    let path = windows_implant("bob");
    let script = format!(
        r#"
        let before = ioc::devices_count(#{{ type: "sha256", value: "{sha}" }}).body.resources[0].device_count;
        ioc::indicator_create(#{{ type: "sha256", value: "{sha}", action: "prevent", platforms: ["windows"],
                                  applied_globally: true, comment: "test" }});
        let found = ioc::indicator_search(#{{ filter: "action:'prevent'" }}).body.resources;
        let s = rtr::session(hosts::find("hostname:'WS-042'"));
        let started = s.run(`run "{path}"`);
        #{{ before: before, found: found.len(), stderr: started.stderr }}
        "#,
        path = path.replace('\\', "\\\\")
    );
    let r = t.script(&script, &["--allow-destructive"]).ok().json();
    assert_eq!(r["before"], 1);
    assert_eq!(r["found"], 1);
    assert!(
        r["stderr"].as_str().unwrap().contains("blocked by Falcon"),
        "{r}"
    );
    // The Run key still points at the implant: after a kill and a reboot, it stays down.
    let mut state = t.state();
    let host = state.host_mut(WS_042).unwrap();
    host.processes.remove(6612);
    host.reboot(host.boot_time + 3600);
    assert!(host.processes.by_name("evil.exe").is_none());
}

#[test]
fn bad_alert_updates_and_iocs_are_refused_naming_the_value() {
    let t = Tenant::new();
    let r = t
        .script(
            r#"
            let ids = alerts::query_alerts_v2().body.resources;
            let out = #{};
            try { alerts::update_alerts_v3(#{ composite_ids: ids, update_status: "done" }); }
            catch (e) { out.status = e.message; }
            try { ioc::indicator_create(#{ type: "sha256", value: "abc", action: "prevent", applied_globally: true }); }
            catch (e) { out.value = e.message; }
            out
            "#,
            &["--allow-destructive"],
        )
        .ok()
        .json();
    assert!(
        r["status"]
            .as_str()
            .unwrap()
            .contains("`update_status` value `done`"),
        "{r}"
    );
    assert!(
        r["value"].as_str().unwrap().contains("not a valid sha256"),
        "{r}"
    );
}
