//! The client secret and bearer tokens never show: a playbook fails in every way we know, with
//! debug logging on, and every byte of output and every file the run wrote (its case folder
//! included: transcript, commands, journal, audit copy, summary, manifest) is searched.

use crate::common::Test;

const FAILURES: &[&str] = &[
    // An API error, uncaught.
    r#"response_policies::get_policies(#{ ids: "nope" });"#,
    // A bad argument.
    r#"response_policies::query_policies(#{ limit: 0 });"#,
    // A caught API error whose whole value is printed, then a thrown map.
    r#"try { response_policies::get_policies(#{ ids: "nope" }); } catch (e) { print(e); log::debug(`${e}`); }
       throw #{ reason: "stop" };"#,
    // A response printed whole, headers included.
    r#"let r = hosts::query_devices_by_filter(#{ limit: 1 }); print(r); log::debug(`${r}`); 1/0;"#,
    // A syntax error.
    "let x = ;",
    // A timeout mid-sleep.
    "hosts::query_devices_by_filter(#{}); sleep(5);",
    // RTR commands on every host (the case keeps each with its output, the journal its answer),
    // collected files, then a failure.
    r#"let ids = hosts::query_devices_by_filter(#{}).body.resources;
       let r = rtr::each(ids, |s| { s.run("ps"); s.run("env"); s.get("/etc/hosts") });
       print(r); throw #{ reason: "stop" };"#,
];

#[test]
fn no_failure_prints_the_secret_or_a_token() {
    for (i, text) in FAILURES.iter().enumerate() {
        for json in [false, true] {
            let mut t = Test::new()
                .playbook(text)
                .emulator()
                .arg("--timeout")
                .arg("1s")
                .arg("--verbose");
            if json {
                t = t.arg("--json");
            }
            let out = t.run();
            assert_ne!(out.code, Some(0), "failure {i} should fail");
            // Every file of the run's case folder is among those searched.
            let cases = out.dir.join("falconry-out").join("cases");
            assert_eq!(
                std::fs::read_dir(&cases).map(|d| d.count()).unwrap_or(0),
                1,
                "failure {i}: one case"
            );
            out.stderr_has("error").stderr_lacks("Usage:").no_secret();
        }
    }
}

#[test]
fn an_unreachable_tenant_error_has_no_secret() {
    Test::new()
        .playbook("hosts::query_devices_by_filter(#{});")
        .unreachable_tenant()
        .run()
        .stderr_has("hosts::query_devices_by_filter")
        .no_secret();
}

#[test]
fn the_repl_save_applies_the_history_filter() {
    use crate::safety_support::{Run, Tenant, fleet};
    let t = Tenant::new(&fleet(""));
    let secret = t.sim.client_secret.clone();
    let saved = t.path("saved.rhai");
    let out = Run::new(&t)
        .arg("repl")
        .arg("--history")
        .arg(t.path("history"))
        .input(&format!(
            "let note = \"{secret}\";\nlet n = 1;\n:save {}\n",
            saved.display()
        ))
        .output();
    out.success();
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(!text.contains(&secret), "{text}");
    assert!(text.contains("let n = 1;"), "{text}");
    assert!(
        out.stderr
            .contains("1 statement holding a secret or a token left out"),
        "{}",
        out.stderr
    );
}
