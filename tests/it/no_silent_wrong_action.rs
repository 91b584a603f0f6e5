//! Issue 12: what a responder types either does what they meant or fails loudly. Each test runs the
//! real binary against the emulator and reproduces a mistake that used to pass silently.

use crate::rtr_support::Tenant;

/// One Windows host with a file of the same name in the default directory and in `C:\Windows\Temp`;
/// sessions expire after one idle second.
const TWO_NOTES: &str = r#"
session_idle_secs = 1
[[hosts]]
hostname = "WS-NOTES"
platform = "Windows"
files = [
  { path = 'C:\notes.txt', content = "keep me" },
  { path = 'C:\Windows\Temp\notes.txt', content = "remove me" },
]
"#;

const TEMP_NOTES: &str = r"C:\Windows\Temp\notes.txt";
const ROOT_NOTES: &str = r"C:\notes.txt";

fn device(t: &Tenant) -> String {
    let state = t.state();
    state
        .device_ids()
        .into_iter()
        .next()
        .expect("the scenario's host")
}

#[test]
fn a_reopened_session_returns_to_its_directory_before_the_command_runs() {
    let t = Tenant::with_scenario(TWO_NOTES);
    let id = device(&t);
    let r = t.script(
        r#"let s = rtr::session(hosts::find("WS-NOTES"), #{ keepalive: 600 });
           s.cd(`C:\Windows\Temp`);
           let before = s.session_id;
           sleep(1.5);
           s.run("rm notes.txt");
           [before, s.session_id, s.pwd()]"#,
        &["--allow-destructive"],
    );
    let v = r.ok().json();
    assert_ne!(
        v[0], v[1],
        "the session did not expire: the test proves nothing"
    );
    assert_eq!(v[2], r"C:\Windows\Temp");
    assert!(
        !t.has_file(&id, TEMP_NOTES),
        "the file in Temp is still there"
    );
    assert!(t.has_file(&id, ROOT_NOTES), "the wrong file was removed");
    assert!(r.stderr.contains("reopened") && r.stderr.contains(r"returned to `C:\Windows\Temp`"));
}

#[test]
fn each_host_of_a_fan_out_keeps_its_directory_across_a_reopen() {
    let t = Tenant::with_scenario(TWO_NOTES);
    let id = device(&t);
    t.script(
        &format!(
            r#"rtr::each(["{id}"], |s| {{
                   s.cd(`C:\Windows\Temp`);
                   sleep(1.5);
                   s.run("rm notes.txt").stderr
               }}, #{{ keepalive: 600 }})"#
        ),
        &["--allow-destructive"],
    )
    .ok();
    assert!(!t.has_file(&id, TEMP_NOTES));
    assert!(t.has_file(&id, ROOT_NOTES), "the wrong file was removed");
}

#[test]
fn a_directory_that_cannot_be_restored_stops_the_command() {
    let t = Tenant::with_scenario(TWO_NOTES);
    let id = device(&t);
    // The directory disappears while the session is idle: the new session cannot go back there, and
    // `rm` must not run in the default directory instead.
    let r = t.script(
        r#"let s = rtr::session(hosts::find("WS-NOTES"), #{ keepalive: 600 });
           s.cd(`C:\Windows\Temp`);
           let other = rtr::session(hosts::find("WS-NOTES"), #{ keepalive: 600 });
           let gone = other.run(`rm C:\Windows\Temp -Force`);
           if gone.stderr != "" { throw gone.stderr; }
           sleep(1.5);
           s.run("rm notes.txt")"#,
        &["--allow-destructive"],
    );
    assert_ne!(r.code, Some(0), "{}", r.show());
    assert!(
        r.stderr.contains("was not sent")
            && r.stderr.contains(r"could not return to `C:\Windows\Temp`"),
        "{}",
        r.show()
    );
    assert!(t.has_file(&id, ROOT_NOTES), "the wrong file was removed");
}

#[test]
fn a_misspelled_property_is_an_error_naming_it_not_an_empty_hunt() {
    let t = Tenant::new();
    let r = t.script(
        r#"let s = rtr::session(hosts::find("WS-042"));
           let hits = s.run("ps").processes.filter(|p| p.nmae == "evil.exe");
           if hits.is_empty() { "nothing found" } else { "found" }"#,
        &[],
    );
    assert_eq!(r.code, Some(1), "{}", r.show());
    assert!(
        r.stderr.contains("property `nmae` not found"),
        "{}",
        r.show()
    );
    assert!(!r.stdout.contains("nothing found"));
    // The explicit forms read an optional key as `()`.
    let v = t
        .script(
            r#"let m = #{ a: 1 };
               m.b = 2;
               [m.get("missing"), "missing" in m, m.get("missing") ?? "default", m.b]"#,
            &[],
        )
        .ok()
        .json();
    assert_eq!(v, serde_json::json!([null, false, "default", 2]));
}

#[test]
fn a_misspelled_argument_is_named_before_anything_is_sent() {
    let t = Tenant::new();
    let r = t.playbook("triage.rhai", &["--arg", "hots=WS-042"]);
    assert_eq!(r.code, Some(2), "{}", r.show());
    assert!(
        r.stderr.contains("`--arg hots`") && r.stderr.contains("did you mean `host`?"),
        "{}",
        r.show()
    );
    assert_eq!(t.count("POST", "/"), 0, "a request was sent");
    // A required argument that was not given is named, with the ones that were.
    let r = t.script(
        r#"let h = hosts::find(args.host); h"#,
        &["--arg", "hots=WS-042", "--arg", "note=x"],
    );
    assert_eq!(r.code, Some(2), "{}", r.show());
    let r = t.script(
        r#"let n = args.note; hosts::find(args.host)"#,
        &["--arg", "note=x"],
    );
    assert_eq!(r.code, Some(1), "{}", r.show());
    assert!(
        r.stderr
            .contains("reads `args.host`, but `--arg host=...` was not given; given: note"),
        "{}",
        r.show()
    );
}

#[test]
fn arg_values_stay_what_was_typed_unless_a_type_is_asked_for() {
    let t = Tenant::new();
    let v = t
        .script(
            r#"[args.host, type_of(args.host), args.get_int("count", 0), args.get_bool("contain", false), args.ids]"#,
            &["--arg", "host=0042", "--arg", "count=7", "--arg", "contain=true", "--arg-json", r#"ids=["a", 1]"#],
        )
        .ok()
        .json();
    assert_eq!(v, serde_json::json!(["0042", "string", 7, true, ["a", 1]]));
    let r = t.script(r#"args.get_int("count", 0)"#, &["--arg", "count=seven"]);
    assert!(
        r.stderr.contains("`count` is `seven`, not an integer"),
        "{}",
        r.show()
    );
}

#[test]
fn a_refused_step_fails_the_run_and_says_what_was_already_changed() {
    let t = Tenant::new();
    let r = t.playbook("remediate.rhai", &[]);
    r.refused();
    assert!(r.stderr.contains("- refused `put-and-run"), "{}", r.show());
    // The put-file upload went through before the refusal: the summary names it.
    assert!(
        r.stderr.contains(
            "`real_time_response_admin::create_put_files` `falconry-remediate-WS-042.ps1`"
        ),
        "{}",
        r.show()
    );
    let r = t.playbook("kill_and_quarantine.rhai", &[]);
    r.refused();
    assert!(r.stderr.contains("- refused `kill"), "{}", r.show());
    assert!(
        r.stderr.contains("changes already made: none"),
        "{}",
        r.show()
    );
    // Allowed, the same playbook exits 0.
    t.playbook("kill_and_quarantine.rhai", &["--allow-destructive"])
        .ok();
}

#[test]
fn a_windows_path_in_a_plain_string_is_caught_before_anything_runs() {
    let t = Tenant::new();
    // `\U` is not an escape: the syntax error says what to write instead.
    let r = t.script(
        r#"let s = rtr::session(hosts::find("WS-042")); s.run("ls C:\Users")"#,
        &[],
    );
    assert_eq!(r.code, Some(1), "{}", r.show());
    assert!(
        r.stderr.contains("escape sequence") && r.stderr.contains("backtick string"),
        "{}",
        r.show()
    );
    // `\n` is an escape: `run` refuses the playbook before anything is sent, naming the backtick form.
    let r = t.script(
        r#"let s = rtr::session(hosts::find("WS-042")); s.run("ls C:\new")"#,
        &[],
    );
    assert_eq!(r.code, Some(1), "{}", r.show());
    assert!(r.stderr.contains(r#"`.run("ls C:\new")`"#), "{}", r.show());
    assert!(r.stderr.contains("`.run(`ls C:\\new`)`"), "{}", r.show());
    assert_eq!(t.count("POST", "/"), 0, "a request was sent");
    assert_eq!(t.state().total_executions(), 0);
    // `falconry check` reports it too, with its position; the backtick form passes.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.rhai");
    std::fs::write(&bad, "let s = rtr::session(\"x\");\ns.cd(\"C:\\temp\");\n").unwrap();
    let good = dir.path().join("good.rhai");
    std::fs::write(
        &good,
        "let s = rtr::session(\"x\");\ns.cd(`C:\\temp`);\ns.run(`ls C:\\new`);\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_falconry"))
        .arg("check")
        .arg(&bad)
        .arg(&good)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.rhai:2:6"), "{stderr}");
    assert!(stderr.contains(r#"`.cd("C:\temp")`"#), "{stderr}");
    assert!(!stderr.contains("good.rhai"), "{stderr}");
    assert_eq!(out.status.code(), Some(1));
}

/// Creates a group and a policy, then reads both back the ways a playbook would: by id, by a filtered
/// query of ids, by a combined query, and through the policy's settings.
const READ_BACK: &str = r#"
let g = host_group::create_host_groups(#{ name: "ir-readback", group_type: "static", description: "made by a test" }).body.resources[0];
let p = response_policies::create_policies(#{ name: "ir-readback", platform_name: "Windows",
    settings: [#{ id: "PutCommand", value: #{ enabled: false } }] }).body.resources[0];
let got = response_policies::get_policies(#{ ids: p.id }).body.resources[0];
let put = [];
for c in got.settings { for s in c.settings { if s.id == "PutCommand" { put.push(s.value.enabled); } } }
let ids = host_group::query_host_groups(#{ filter: "name:'ir-readback'" }).body.resources;
let combined = host_group::query_combined_host_groups(#{ filter: "name:'ir-readback'" }).body.resources;
let other = host_group::query_combined_host_groups(#{ filter: "name:'someone-else'" }).body.resources;
let listed = response_policies::query_policies(#{ filter: "name:'ir-readback'" }).body.resources;
host_group::delete_host_groups(#{ ids: g.id });
let after_delete = host_group::query_host_groups(#{ filter: "name:'ir-readback'" }).body.resources;
#{
    group_found: ids == [g.id],
    combined: combined.map(|x| [x.name, x.group_type, x.description]),
    other: other.len(),
    policy_found: listed == [p.id],
    policy_enabled: got.enabled,
    put_command: put,
    after_delete: after_delete.len(),
}
"#;

#[test]
fn plan_mode_reads_see_what_the_plan_created_as_the_api_would_answer() {
    let expected = serde_json::json!({
        "group_found": true,
        "combined": [["ir-readback", "static", "made by a test"]],
        "other": 0,
        "policy_found": true,
        "policy_enabled": false,
        "put_command": [false],
        "after_delete": 0,
    });
    // For real (the emulator), then planned against a fresh tenant: the same answers.
    let real = Tenant::new();
    let v = real.script(READ_BACK, &["--allow-destructive"]).ok().json();
    assert_eq!(v, expected);
    let t = Tenant::new();
    let r = t.script(READ_BACK, &["--plan"]);
    let v = r.ok().json();
    assert_eq!(v["result"], expected, "{}", r.show());
    let plan = v["plan"].as_array().unwrap();
    assert_eq!(plan.len(), 3, "{}", r.show());
    assert!(t.state().request_log().iter().all(|e| {
        e.method == "GET"
            || e.op
                .is_some_and(|o| !o.contains("create") && !o.contains("delete"))
    }));
}

#[test]
fn planned_commands_are_not_reported_as_done() {
    let t = Tenant::new();
    let r = t.playbook("kill_and_quarantine.rhai", &["--plan"]);
    let v = r.ok().json();
    assert!(
        r.stdout.contains("would kill") || r.stderr.contains("would kill evil (pid 6612)"),
        "{}",
        r.show()
    );
    assert!(
        !r.stderr.contains("  killed ") && r.stderr.contains("Plan only: nothing was changed"),
        "{}",
        r.show()
    );
    assert_eq!(v["result"]["killed"][0]["planned"], true);
    assert!(t.runs(rtr_support_ws_042(), "evil.exe"));
}

fn rtr_support_ws_042() -> &'static str {
    crate::rtr_support::WS_042
}

#[test]
fn misspelled_names_get_a_did_you_mean_and_the_valid_values() {
    let t = Tenant::new();
    let r = t.script(
        r#"response_policies::create_policies(#{ name: "x", platform_name: "Windows",
               settings: [#{ id: "RunCommand", value: #{ enabled: false } }] })"#,
        &[],
    );
    assert_eq!(r.code, Some(1), "{}", r.show());
    assert!(
        r.stderr
            .contains("unknown response policy setting `RunCommand` (did you mean `PutCommand`?)"),
        "{}",
        r.show()
    );
    for s in [
        "RealTimeFunctionality",
        "CustomScripts",
        "GetCommand",
        "PutCommand",
        "ExecCommand",
        "FalconScripts",
        "MemDumpCommand",
        "XMemDumpCommand",
        "PutAndRunCommand",
    ] {
        assert!(r.stderr.contains(s), "{s}: {}", r.show());
    }
    assert_eq!(
        t.count("POST", "/policy/entities/response"),
        0,
        "the policy was sent"
    );
    let r = t.script(r#"hosts::query_devices_by_fliter(#{ limit: 1 })"#, &[]);
    assert!(
        r.stderr.contains("did you mean `query_devices_by_filter`?"),
        "{}",
        r.show()
    );
    let r = t.script(r#"hosts::query_devices_by_filter(#{ limt: 1 })"#, &[]);
    assert!(
        r.stderr
            .contains("argument `limt` is not accepted (did you mean `limit`?)"),
        "{}",
        r.show()
    );
}

#[test]
fn helpers_and_the_library_answer_help() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_falconry"))
        .args(["ops", "--helpers"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    for want in [
        "rtr::session(device, #{queue_offline, timeout, keepalive}) -> Session",
        "s.run(command)",
        "import \"falcon/hunt\"",
        "process(device_ids, pattern)",
    ] {
        assert!(text.contains(want), "{want}:\n{text}");
    }
}

#[test]
fn a_batch_reports_queued_hosts_as_queued_and_names_every_host() {
    use crate::rtr_support::{WS_042, WS_108};
    let t = Tenant::new();
    let v = t
        .script(
            &format!(
                r#"let b = rtr::batch(["{WS_042}", "{WS_108}"], #{{ queue_offline: true }});
                   b.run("ps")"#
            ),
            &[],
        )
        .ok()
        .json();
    assert_eq!(v["no_answer"], serde_json::json!([]), "{v}");
    assert_eq!(v["queued"][WS_108]["queued"], true, "{v}");
    assert_eq!(v["queued"][WS_108]["hostname"], "WS-108", "{v}");
    assert!(v["results"][WS_042]["complete"] == true, "{v}");
    assert_eq!(v["hostnames"][WS_108], "WS-108");
    assert_eq!(v["hostnames"][WS_042], "WS-042");
    // Without queueing, the offline host is `no_answer`, and its name is still known.
    let v = t
        .script(
            &format!(r#"rtr::batch(["{WS_042}", "{WS_108}"]).run("ps")"#),
            &[],
        )
        .ok()
        .json();
    assert_eq!(v["no_answer"], serde_json::json!([WS_108]), "{v}");
    assert_eq!(v["hostnames"][WS_108], "WS-108", "{v}");
}

/// A command queued for an offline host is collected once the host comes back: `rtr::queued()` lists
/// it as pending (with its hostname) while the host is away, then answers its parsed result.
#[test]
fn a_command_queued_for_an_offline_host_is_collected_when_it_returns() {
    use crate::rtr_support::WS_108;
    let t = Tenant::new();
    assert!(
        !t.state().host(WS_108).is_some_and(|h| h.online),
        "WS-108 starts offline"
    );
    let r = std::thread::scope(|scope| {
        let script = scope.spawn(|| {
            t.script(
                &format!(
                    r#"let s = rtr::session("{WS_108}", #{{ queue_offline: true }});
                       let sent = s.run("ps");
                       let first = rtr::queued();
                       let now = first;
                       for i in 0..240 {{
                           if now.pending.is_empty() {{ break; }}
                           sleep(0.25);
                           now = rtr::queued();
                       }}
                       #{{ sent: sent, first: first, last: now }}"#
                ),
                &[],
            )
        });
        // The host returns only once the playbook has queued `ps` and asked about it.
        let started = std::time::Instant::now();
        while t.count("POST", "queued-sessions") == 0 && !script.is_finished() {
            assert!(
                started.elapsed().as_secs() < 120,
                "the playbook never asked"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert!(t.state().set_online(WS_108, true));
        script.join().expect("the playbook thread")
    });
    let v = r.ok().json();
    assert_eq!(v["sent"]["queued"], true, "{v}");
    let pending = &v["first"]["pending"][0];
    assert_eq!(pending["hostname"], "WS-108", "{v}");
    assert_eq!(pending["status"], "PENDING", "{v}");
    assert_eq!(v["first"]["done"], serde_json::json!([]), "{v}");
    let done = &v["last"]["done"][0];
    assert_eq!(done["hostname"], "WS-108", "{v}");
    assert_eq!(done["device_id"], WS_108, "{v}");
    assert_eq!(done["complete"], true, "{v}");
    assert_eq!(
        done["cloud_request_id"], v["sent"]["cloud_request_id"],
        "{v}"
    );
    assert!(
        done["processes"].as_array().is_some_and(|p| !p.is_empty()),
        "the result is parsed as `s.run` parses it: {v}"
    );
    assert_eq!(v["last"]["hostnames"][WS_108], "WS-108", "{v}");
}

/// A later run collects what an earlier run queued from the results it saved, batch answers included;
/// something that is not a queued result is refused before anything is sent.
#[test]
fn a_later_run_collects_the_queued_results_an_earlier_run_saved() {
    use crate::rtr_support::{WS_042, WS_108};
    let t = Tenant::new();
    let saved = t
        .script(
            &format!(
                r#"let b = rtr::batch(["{WS_042}", "{WS_108}"], #{{ queue_offline: true }});
                   b.run("ps")"#
            ),
            &[],
        )
        .ok()
        .json();
    assert_eq!(saved["queued"][WS_108]["queued"], true, "{saved}");
    let arg = format!("answer={saved}");
    let still = t
        .script("rtr::queued(args.answer)", &["--arg-json", &arg])
        .ok()
        .json();
    assert_eq!(still["done"], serde_json::json!([]), "{still}");
    assert_eq!(still["pending"][0]["hostname"], "WS-108", "{still}");
    assert!(t.state().set_online(WS_108, true));
    let v = t
        .script("rtr::queued(args.answer)", &["--arg-json", &arg])
        .ok()
        .json();
    assert_eq!(v["pending"], serde_json::json!([]), "{v}");
    assert_eq!(v["done"][0]["hostname"], "WS-108", "{v}");
    assert!(
        v["done"][0]["processes"]
            .as_array()
            .is_some_and(|p| !p.is_empty()),
        "{v}"
    );
    let before = t.count("POST", "queued-sessions");
    let r = t.script(r#"rtr::queued([#{ device_id: "x" }])"#, &[]);
    assert_ne!(r.code, Some(0), "{}", r.show());
    assert!(
        r.stderr.contains("`session_id`") && r.stderr.contains("`cloud_request_id`"),
        "{}",
        r.show()
    );
    assert_eq!(
        t.count("POST", "queued-sessions"),
        before,
        "nothing was sent"
    );
}
