//! Plan mode, the destructive-action guard, the audit log and the upload sandbox, through the real
//! binary against the emulator.

use crate::safety_support::{self, Tenant, audit_outcomes, effect_of, fleet};
use falconry::ops::Effect;
use serde_json::json;

/// Helpers every playbook here starts with: find a host, open a session, run a command and wait.
const PRELUDE: &str = r#"
fn device(name) {
    let id = hosts::query_devices_by_filter(#{ filter: `hostname:'${name}'` }).body.resources[0];
    hosts::get_device_details_v2(#{ ids: id }).body.resources[0].device_id
}
fn session(dev) {
    real_time_response::init_session(#{ device_id: dev }).body.resources[0].session_id
}
fn run_ar(sid, dev, line) {
    let base = line.split(" ")[0];
    let r = real_time_response::execute_active_responder_command(#{
        base_command: base, command_string: line, session_id: sid, device_id: dev });
    let id = r.body.resources[0].cloud_request_id;
    for i in 0..400 {
        let st = real_time_response::check_active_responder_command_status(#{ cloud_request_id: id, sequence_id: 0 });
        if st.body.resources[0].complete { return #{ id: id, status: st.body.resources[0] }; }
        sleep(0.02);
    }
    throw "command never completed";
}
"#;

fn playbook(body: &str) -> String {
    format!("{PRELUDE}\n{body}")
}

#[test]
fn plan_mode_sends_reads_records_changes_and_answers_them_in_shape() {
    let t = Tenant::new(&fleet(""));
    let out = t
        .run(&playbook(
            r#"
            let dev = device("WS-042");
            let sid = session(dev);
            let ps = run_ar(sid, dev, "ps");
            let created = response_policies::create_policies(#{ name: "contain-ws", platform_name: "Windows" });
            let pid = created.body.resources[0].id;
            let again = response_policies::get_policies(#{ ids: pid });
            let kill = run_ar(sid, dev, "kill 4242");
            response_policies::delete_policies(#{ ids: pid });
            #{ ps_id: ps.id, pid: pid, name: again.body.resources[0].name,
               kill_complete: kill.status.complete, kill_stdout: kill.status.stdout }
            "#,
        ))
        .arg("--plan")
        .arg("--json")
        .output();
    out.success();
    let v = out.json();
    let result = &v["result"];
    assert!(result["pid"].as_str().unwrap().starts_with("plan-"));
    assert_eq!(
        result["name"],
        json!("contain-ws"),
        "reads of planned ids answer with the planned record"
    );
    assert_eq!(result["kill_complete"], json!(true));
    assert_eq!(result["kill_stdout"], json!(""));

    // The read-only `ps` ran for real, exactly once; nothing else did.
    let ps_id = result["ps_id"].as_str().unwrap();
    assert!(!ps_id.starts_with("plan-"));
    assert_eq!(t.sim.state().executions(ps_id), 1);
    assert_eq!(t.sim.state().total_executions(), 1);
    // Only the session and the read-only command reached the emulator among state-changing operations.
    let received: Vec<&str> = t
        .state_changes_received()
        .iter()
        .map(|(op, _)| *op)
        .collect();
    assert_eq!(
        received,
        ["RTR-InitSession", "RTR-ExecuteActiveResponderCommand"]
    );
    assert!(t.count_received("RTR-CheckActiveResponderCommandStatus") >= 1);

    let plan = v["plan"].as_array().unwrap();
    let ops: Vec<&str> = plan
        .iter()
        .map(|s| s["operation"].as_str().unwrap())
        .collect();
    assert_eq!(
        ops,
        [
            "response_policies::create_policies",
            "real_time_response::execute_active_responder_command",
            "response_policies::delete_policies"
        ]
    );
    let dev = t.device_id("WS-042");
    assert_eq!(plan[1]["command"], json!("kill 4242"));
    assert_eq!(plan[1]["destructive"], json!(true));
    assert_eq!(plan[1]["targets"]["device_ids"], json!([dev]));
    assert_eq!(plan[1]["targets"]["hostnames"], json!(["WS-042"]));
    assert_eq!(plan[0]["destructive"], json!(false));
    assert_eq!(
        plan[0]["arguments"]["body"]["resources"][0]["name"],
        json!("contain-ws")
    );
    assert_eq!(plan[2]["targets"]["ids"], plan[0]["planned_ids"]);

    // The human plan goes to stderr.
    assert!(
        out.stderr
            .contains("plan: 3 changes (not sent), 2 destructive"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(
        "`kill 4242` via `real_time_response::execute_active_responder_command`  [destructive]"
    ));
    assert!(out.stderr.contains(&format!("hosts: WS-042 ({dev})")));
}

#[test]
fn plan_mode_answers_batch_commands_per_host_without_sending_them() {
    let t = Tenant::new(&fleet(""));
    let out = t
        .run(
            r#"
            let ids = hosts::query_devices_by_filter(#{ filter: "platform_name:'Windows'" }).body.resources;
            let b = real_time_response::batch_init_sessions(#{ host_ids: ids });
            let bid = b.body.batch_id;
            let r = real_time_response_admin::batch_admin_command(#{ batch_id: bid, base_command: "rm", command_string: "rm C:\\evil.exe" });
            let hosts = r.body.combined.resources.keys();
            hosts.sort();
            hosts
            "#,
        )
        .arg("--plan")
        .arg("--json")
        .output();
    out.success();
    let v = out.json();
    let mut expected = vec![t.device_id("WS-042"), t.device_id("WS-043")];
    expected.sort();
    assert_eq!(v["result"], json!(expected));
    assert_eq!(t.sim.state().total_executions(), 0);
    assert_eq!(t.count_received("BatchAdminCmd"), 0);
    let step = &v["plan"][0];
    assert_eq!(step["command"], json!("rm C:\\evil.exe"));
    assert_eq!(step["destructive"], json!(true));
    assert_eq!(step["targets"]["device_ids"].as_array().unwrap().len(), 2);
}

#[test]
fn plan_mode_still_prints_the_plan_and_fails_when_the_playbook_fails() {
    let t = Tenant::new(&fleet(""));
    let out = t
        .run(
            r#"
            host_group::create_host_groups(#{ name: "g1", group_type: "static" });
            throw "stop here";
        "#,
        )
        .arg("--plan")
        .output();
    out.failure();
    assert!(
        out.stderr.contains("plan: 1 change (not sent)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("`host_group::create_host_groups`"));
    assert!(out.stderr.contains("error: stop here"));
    assert_eq!(t.count_received("createHostGroups"), 0);
}

#[test]
fn destructive_commands_are_refused_naming_command_host_and_flag() {
    let t = Tenant::new(&fleet(""));
    let dev = t.device_id("WS-042");
    let out = t
        .run(&playbook(
            r#"
            let dev = device("WS-042");
            let sid = session(dev);
            run_ar(sid, dev, "kill 4242");
            "#,
        ))
        .output();
    out.failure();
    assert!(
        out.stderr.contains(&format!(
            "error: refused `kill 4242` on host WS-042 (device `{dev}`): a destructive RTR command; rerun with `--allow-destructive`"
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("playbook.rhai:"),
        "the refusal points at the call: {}",
        out.stderr
    );
    assert_eq!(t.count_received("RTR-ExecuteActiveResponderCommand"), 0);
    assert_eq!(t.sim.state().total_executions(), 0);
}

#[test]
fn every_destructive_command_of_the_catalogue_is_refused_and_read_only_ones_run() {
    let t = Tenant::new(&fleet(""));
    let out = t
        .run(&playbook(
            r#"
            let dev = device("WS-042");
            let sid = session(dev);
            let refused = [];
            for line in ["rm C:\\x", "kill 1", "shutdown", "restart", "encrypt C:\\x", "memdump 1 C:\\m",
                         "xmemdump C:\\m", "reg set HKLM\\x v", "reg delete HKLM\\x", "update install kb1",
                         "runscript -CloudFile=cleanup", "run C:\\x.exe", "put-and-run fix.exe"] {
                let base = line.split(" ")[0];
                try {
                    real_time_response_admin::execute_admin_command(#{ base_command: base, command_string: line, session_id: sid });
                } catch (e) {
                    if e.refused == true { refused.push(e.command); } else { throw e; }
                }
            }
            let ran = run_ar(sid, dev, "reg query HKLM\\Software");
            #{ refused: refused, ran: ran.id }
            "#,
        ))
        .arg("--json")
        .output();
    out.refused();
    let v = out.json();
    assert_eq!(v["refused"].as_array().unwrap().len(), 13, "{v}");
    assert_eq!(t.count_received("RTR-ExecuteAdminCommand"), 0);
    assert_eq!(t.sim.state().executions(v["ran"].as_str().unwrap()), 1);
}

#[test]
fn deletes_are_refused_then_allowed_with_the_flag() {
    let t = Tenant::new(&fleet(""));
    let text = r#"
        let p = response_policies::create_policies(#{ name: args.name, platform_name: "Windows" }).body.resources[0].id;
        response_policies::delete_policies(#{ ids: p });
        let gone = false;
        try { response_policies::get_policies(#{ ids: p }); } catch (e) { gone = e.status_code == 404; }
        gone
    "#;
    let out = t.run(text).arg("--arg").arg("name=first").output();
    out.failure();
    assert!(
        out.stderr
            .contains("error: refused `response_policies::delete_policies` of `"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("it deletes; rerun with `--allow-destructive`")
    );
    assert_eq!(t.count_received("deleteRTResponsePolicies"), 0);

    let out = t
        .run(text)
        .arg("--arg")
        .arg("name=second")
        .arg("--allow-destructive")
        .arg("--json")
        .output();
    out.success();
    assert_eq!(out.json(), json!(true));
    assert_eq!(t.count_received("deleteRTResponsePolicies"), 1);
}

#[test]
fn the_audit_log_has_one_whole_line_per_state_changing_request_sent() {
    let t = Tenant::new(&fleet(""));
    let audit = t.path("audit/run.jsonl");
    let out = t
        .run(&playbook(
            r#"
            let dev = device("WS-042");
            let sid = session(dev);
            let ps = run_ar(sid, dev, "ps");
            let kill = run_ar(sid, dev, "kill 4242");
            let p = response_policies::create_policies(#{ name: "audited", platform_name: "Windows" }).body.resources[0].id;
            response_policies::delete_policies(#{ ids: p });
            real_time_response_admin::create_scripts(#{ name: "s1.ps1", content: "Get-Process", permission_type: "private", platform: "windows", description: "d" });
            [ps.id, kill.id]
            "#,
        ))
        .arg("--allow-destructive")
        .arg("--audit")
        .arg(&audit)
        .arg("--json")
        .output();
    out.success();
    let ids = out.json();
    let lines = audit_outcomes(&audit);
    let ops: Vec<&str> = lines
        .iter()
        .map(|l| l["operation_id"].as_str().unwrap())
        .collect();
    let received: Vec<&str> = t
        .state_changes_received()
        .iter()
        .map(|(op, _)| *op)
        .collect();
    assert_eq!(
        ops, received,
        "the audit log matches what the emulator received"
    );
    assert_eq!(
        ops,
        [
            "RTR-InitSession",
            "RTR-ExecuteActiveResponderCommand",
            "RTR-ExecuteActiveResponderCommand",
            "createRTResponsePolicies",
            "deleteRTResponsePolicies",
            "RTR-CreateScripts"
        ]
    );
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(
            std::fs::read(t.path("playbook.rhai")).unwrap(),
        ))
    };
    let dev = t.device_id("WS-042");
    for l in &lines {
        assert_eq!(l["playbook"]["sha256"], json!(sha));
        assert_eq!(l["playbook"]["name"], json!("playbook.rhai"));
        assert!(l["time"].as_str().unwrap().ends_with('Z'));
        assert!(l["status"].as_u64().unwrap() < 300, "{l}");
        assert!(l["trace_id"].as_str().is_some_and(|s| !s.is_empty()), "{l}");
    }
    assert_eq!(lines[2]["command"], json!("kill 4242"));
    assert_eq!(lines[2]["targets"]["device_ids"], json!([dev]));
    assert_eq!(lines[2]["targets"]["hostnames"], json!(["WS-042"]));
    assert_eq!(lines[1]["cloud_request_id"], ids[0]);
    assert_eq!(lines[2]["cloud_request_id"], ids[1]);
    assert_eq!(
        lines[5]["arguments"]["comments_for_audit_log"],
        json!("falconry playbook playbook.rhai"),
        "the playbook's name is the default audit comment"
    );
    let text = std::fs::read_to_string(&audit).unwrap();
    assert!(
        !text.contains(&t.sim.client_secret),
        "the secret never reaches the audit log"
    );
    for l in &lines {
        assert_ne!(effect_of(l["operation_id"].as_str().unwrap()), Effect::Read);
    }
}

#[test]
fn against_a_tenant_the_audit_log_defaults_to_the_data_folder_and_appends() {
    let t = Tenant::new(&fleet(""));
    let text = r#"host_group::create_host_groups(#{ name: args.name, group_type: "static" });"#;
    t.run(text).arg("--arg").arg("name=g1").output().success();
    t.run(text).arg("--arg").arg("name=g2").output().success();
    let lines = audit_outcomes(&t.path("home/data/falconry/audit.jsonl"));
    assert_eq!(lines.len(), 2);
    assert!(
        lines
            .iter()
            .all(|l| l["operation"] == json!("host_group::create_host_groups"))
    );
}

#[test]
fn a_caught_refusal_is_a_map_like_api_errors() {
    let t = Tenant::new(&fleet(""));
    let out = t
        .run(
            r#"
            let r = "sent";
            try {
                real_time_response_admin::delete_scripts(#{ ids: "abc" });
            } catch (e) {
                r = #{ refused: e.refused, operation: e.operation, ids: e.ids, message: e.message };
            }
            r
        "#,
        )
        .arg("--json")
        .output();
    out.refused();
    let v = out.json();
    assert_eq!(v["refused"], json!(true));
    assert_eq!(
        v["operation"],
        json!("real_time_response_admin::delete_scripts")
    );
    assert_eq!(v["ids"], json!(["abc"]));
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("--allow-destructive")
    );
}

#[test]
fn uploads_come_only_from_the_playbook_folder_or_the_output_folder() {
    let t = Tenant::new(&fleet(""));
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "do not upload").unwrap();
    t.write("scripts/ok.ps1", "Get-Process");
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        t.path("scripts/link.ps1"),
    )
    .unwrap();
    let escape = format!(
        "../{}/secret.txt",
        outside.path().file_name().unwrap().to_string_lossy()
    );
    let run = |file: &str| {
        t.run(&format!(
            r#"real_time_response_admin::create_scripts(#{{ name: "x", file: "{file}", permission_type: "private", description: "d" }}); "sent""#
        ))
        .output()
    };
    let out = run(&escape);
    out.failure();
    assert!(out.stderr.contains("argument `file`"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("is outside the folders uploads may come from"),
        "{}",
        out.stderr
    );
    let out = run(&outside.path().join("secret.txt").display().to_string());
    out.failure();
    assert!(
        out.stderr
            .contains("is outside the folders uploads may come from")
    );
    #[cfg(unix)]
    {
        let out = run("scripts/link.ps1");
        out.failure();
        assert!(out.stderr.contains("(through a symlink)"), "{}", out.stderr);
    }
    assert_eq!(t.count_received("RTR-CreateScripts"), 0);
    run("scripts/ok.ps1").success();
    assert_eq!(t.count_received("RTR-CreateScripts"), 1);
}

#[test]
fn imports_cannot_leave_the_library() {
    let t = Tenant::new(&fleet(""));
    t.write("lib/ok.rhai", "fn hi() { 1 }");
    t.write("secret.rhai", "fn hi() { 2 }");
    for path in ["../secret", "/etc/passwd", "lib/../../secret"] {
        let out = t
            .run(&format!(r#"import "{path}" as m; m::hi()"#))
            .arg("--lib")
            .arg(t.path("lib"))
            .output();
        out.failure();
        assert!(
            out.stderr.contains("must be relative"),
            "{path}: {}",
            out.stderr
        );
    }
    t.run(r#"import "ok" as m; m::hi()"#)
        .arg("--lib")
        .arg(t.path("lib"))
        .output()
        .success();
}

#[test]
fn the_engine_has_no_file_or_network_functions() {
    let t = Tenant::new(&fleet(""));
    for call in [
        r#"open_file("/etc/passwd")"#,
        r#"read_file("/etc/passwd")"#,
        // `eval` runs Rhai only, with the same functions: no way out through it either.
        r#"eval("open_file(\"/etc/passwd\")")"#,
        r#"http_get("http://example.com")"#,
    ] {
        let out = t.run(call).output();
        out.failure();
        assert!(
            out.stderr.contains("function not found"),
            "{call}: {}",
            out.stderr
        );
    }
}

#[test]
fn the_repl_asks_before_each_destructive_request() {
    use crate::safety_support::{enter, repl_on_terminal};
    use expectrl::Expect;
    let t = Tenant::new(&fleet(""));
    let mut s = repl_on_terminal(&t);
    enter(
        &mut s,
        r#"let g = host_group::create_host_groups(#{ name: "doomed", group_type: "static" }).body.resources[0].id;"#,
    );
    let delete = "host_group::delete_host_groups(#{ ids: g }).status_code";
    enter(&mut s, delete);
    s.expect("allow destructive `host_group::delete_host_groups` of ")
        .unwrap();
    s.expect("? [y/N]").unwrap();
    s.send("n\r").unwrap();
    s.expect("error: refused `host_group::delete_host_groups`")
        .unwrap();
    assert_eq!(t.count_received("deleteHostGroups"), 0);
    enter(&mut s, delete);
    s.expect("? [y/N]").unwrap();
    s.send("y\r").unwrap();
    s.expect("200").unwrap();
    assert_eq!(t.count_received("deleteHostGroups"), 1);
    let lines = audit_outcomes(&t.path("home/data/falconry/audit.jsonl"));
    let last = lines.last().unwrap();
    assert_eq!(last["operation_id"], json!("deleteHostGroups"));
    assert_eq!(last["playbook"]["name"], json!("repl"));
}

#[test]
fn a_change_that_cannot_be_audited_stops_the_playbook_uncatchably() {
    let t = Tenant::new(&fleet(""));
    let out = t
        .run(
            r#"
            try {
                host_group::create_host_groups(#{ name: "unaudited", group_type: "static" });
            } catch (e) {
                print("swallowed");
            }
            host_group::create_host_groups(#{ name: "never-sent", group_type: "static" });
            "#,
        )
        .arg("--audit")
        .arg("/dev/full")
        .output();
    out.failure();
    assert!(
        out.stderr
            .contains("cannot write the audit log `/dev/full`"),
        "{}",
        out.stderr
    );
    // The intent is written before sending: a change that cannot be audited is never sent.
    assert!(
        out.stderr
            .contains("nothing was sent, the playbook stops here"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("swallowed"));
    assert_eq!(t.count_received("createHostGroups"), 0);
}

#[test]
fn a_destructive_batch_command_is_refused_naming_its_hosts() {
    let t = Tenant::new(&fleet(""));
    let out = t
        .run(
            r#"
            let ids = hosts::query_devices_by_filter(#{ filter: "platform_name:'Windows'" }).body.resources;
            let details = hosts::get_device_details_v2(#{ ids: ids });
            let bid = real_time_response::batch_init_sessions(#{ host_ids: ids }).body.batch_id;
            real_time_response_admin::batch_admin_command(#{ batch_id: bid, base_command: "runscript",
                command_string: "runscript -CloudFile=cleanup" });
            "#,
        )
        .output();
    out.failure();
    assert!(
        out.stderr
            .contains("error: refused `runscript -CloudFile=cleanup` on host WS-04"),
        "{}",
        out.stderr
    );
    for h in ["WS-042", "WS-043"] {
        assert!(
            out.stderr
                .contains(&format!("host {h} (device `{}`)", t.device_id(h)))
        );
    }
    assert_eq!(t.count_received("BatchAdminCmd"), 0);
}

#[test]
fn plan_mode_covers_the_rtr_helpers() {
    let t = Tenant::new("");
    let out = t
        .run(
            r#"
            let host = hosts::find("hostname:'WS-042'");
            let s = rtr::session(host.device_id);
            let procs = s.run("ps").processes;
            let killed = [];
            for p in procs.filter(|p| p.name == "evil") {
                killed.push(s.run(`kill ${p.pid}`).complete);
            }
            #{ processes: procs.len(), killed: killed }
            "#,
        )
        .arg("--plan")
        .arg("--json")
        .output();
    out.success();
    let v = out.json();
    assert!(v["result"]["processes"].as_u64().unwrap() > 0, "{v}");
    assert_eq!(v["result"]["killed"], json!([true]), "{v}");
    assert_eq!(t.sim.state().total_executions(), 1, "only `ps` ran");
    let plan = v["plan"].as_array().unwrap();
    assert_eq!(plan.len(), 1, "{v}");
    assert!(plan[0]["command"].as_str().unwrap().starts_with("kill "));
    assert_eq!(plan[0]["targets"]["hostnames"], json!(["WS-042"]));
}

#[test]
fn playbook_file_reads_stay_in_the_playbook_folder() {
    let t = Tenant::new(&fleet(""));
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "do not read").unwrap();
    t.write("iocs/list.txt", "evil.exe");
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), t.path("iocs/link.txt")).unwrap();
    let read = |path: &str| t.run(&format!(r#"fs::read("{path}")"#)).output();
    read("iocs/list.txt").success();
    let escape = format!(
        "../{}/secret.txt",
        outside.path().file_name().unwrap().to_string_lossy()
    );
    for (path, why) in [
        (escape.as_str(), "`..` is not allowed"),
        (
            "/etc/passwd",
            "it must be relative to the playbook's folder",
        ),
        #[cfg(unix)]
        ("iocs/link.txt", "(through a symlink)"),
    ] {
        let out = read(path);
        out.failure();
        assert!(out.stderr.contains(why), "{path}: {}", out.stderr);
        assert!(!out.stderr.contains("do not read") && !out.stdout.contains("do not read"));
    }
    // A listing skips links that lead out.
    let out = t
        .run(r#"fs::list("iocs").map(|e| e.name)"#)
        .arg("--json")
        .output();
    out.success();
    assert_eq!(out.json(), json!(["list.txt"]));
}

#[test]
fn the_repl_plans_too() {
    let t = Tenant::new(&fleet(""));
    let out = safety_support::Run::new(&t)
        .arg("repl")
        .arg("--plan")
        .arg("--history")
        .arg(t.path("history"))
        .input("host_group::create_host_groups(#{ name: \"planned\", group_type: \"static\" }).body.resources[0].id\n")
        .output();
    out.success();
    assert!(out.stdout.contains("plan-0001"), "{}", out.stdout);
    assert!(
        out.stderr.contains("plan: 1 change (not sent)"),
        "{}",
        out.stderr
    );
    assert_eq!(t.count_received("createHostGroups"), 0);
}

#[cfg(unix)]
#[test]
fn hard_linked_files_are_neither_uploaded_nor_read() {
    let t = Tenant::new(&fleet(""));
    let outside = tempfile::tempdir_in(t.dir.path().parent().unwrap()).unwrap();
    std::fs::write(outside.path().join("shadow"), "root:x:0:0").unwrap();
    t.write("scripts/ok.ps1", "Get-Process");
    std::fs::hard_link(outside.path().join("shadow"), t.path("scripts/linked.ps1")).unwrap();
    let out = t
        .run(
            r#"real_time_response_admin::create_scripts(#{ name: "x", file: "scripts/linked.ps1", permission_type: "private", description: "d" }); "sent""#,
        )
        .output();
    out.failure();
    assert!(
        out.stderr.contains("argument `file`") && out.stderr.contains("has 2 hard links"),
        "{}",
        out.stderr
    );
    assert_eq!(t.count_received("RTR-CreateScripts"), 0);

    let out = t.run(r#"fs::read("scripts/linked.ps1")"#).output();
    out.failure();
    assert!(out.stderr.contains("has 2 hard links"), "{}", out.stderr);

    let out = t
        .run(r#"fs::list("scripts").map(|e| e.name)"#)
        .arg("--json")
        .output();
    out.success();
    assert_eq!(out.json(), json!(["ok.ps1"]));
}
