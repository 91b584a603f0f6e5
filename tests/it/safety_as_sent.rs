//! The guard, plan mode and the audit log judge a request exactly as it will be sent: a query key that
//! repeats a body field is refused before anything is sent, a command whose `base_command` and
//! `command_string` disagree counts as destructive, and what is destructive is decided from data
//! (commands the catalogue does not know, host actions). Through the real binary against the emulator.

use crate::safety_support::{Tenant, audit_outcomes, fleet};
use serde_json::json;

const PRELUDE: &str = r#"
fn device(name) {
    let id = hosts::query_devices_by_filter(#{ filter: `hostname:'${name}'` }).body.resources[0];
    hosts::get_device_details_v2(#{ ids: id }).body.resources[0].device_id
}
fn session(dev) {
    real_time_response::init_session(#{ device_id: dev }).body.resources[0].session_id
}
let dev = device("WS-042");
let sid = session(dev);
"#;

fn playbook(body: &str) -> String {
    format!("{PRELUDE}\n{body}")
}

/// The `rm` travels in the body; a raw query `base_command: "ls"` used to be what the guard read.
const QUERY_REPEATS_BODY: &str = r#"
real_time_response::execute_active_responder_command(#{
    base_command: "rm", command_string: "rm C:\\x\\kworkerd", session_id: sid,
    parameters: #{ base_command: "ls", command_string: "ls" } });
"#;

#[track_caller]
fn assert_nothing_ran(t: &Tenant) {
    assert_eq!(t.count_received("RTR-ExecuteActiveResponderCommand"), 0);
    assert_eq!(t.count_received("BatchAdminCmd"), 0);
    assert_eq!(t.sim.state().total_executions(), 0);
}

#[test]
fn a_query_key_repeating_a_body_field_is_refused_before_sending() {
    let t = Tenant::new(&fleet(""));
    let out = t.run(&playbook(QUERY_REPEATS_BODY)).output();
    out.failure();
    assert!(
        out.stderr.contains(
            "`real_time_response::execute_active_responder_command`: argument `parameters` repeats `base_command`, which travels in the request body"
        ),
        "{}",
        out.stderr
    );
    assert_nothing_ran(&t);

    // `--allow-destructive` does not make an ambiguous request acceptable either.
    let out = t
        .run(&playbook(QUERY_REPEATS_BODY))
        .arg("--allow-destructive")
        .output();
    out.failure();
    assert_nothing_ran(&t);
}

#[test]
fn plan_mode_neither_sends_an_ambiguous_command_nor_reports_nothing_sent() {
    let t = Tenant::new(&fleet(""));
    let out = t.run(&playbook(QUERY_REPEATS_BODY)).arg("--plan").output();
    out.failure();
    assert!(
        out.stderr
            .contains("argument `parameters` repeats `base_command`")
    );
    assert_nothing_ran(&t);
}

#[test]
fn a_verbatim_body_with_raw_query_pairs_is_refused_too() {
    let t = Tenant::new(&fleet(""));
    let out = t
        .run(&playbook(
            r#"
            real_time_response::execute_active_responder_command(#{
                body: #{ base_command: "rm", command_string: "rm C:\\x", session_id: sid },
                parameters: #{ base_command: "ls" } });
            "#,
        ))
        .output();
    out.failure();
    assert!(
        out.stderr
            .contains("argument `parameters` repeats `base_command`"),
        "{}",
        out.stderr
    );
    assert_nothing_ran(&t);

    // Convenience keys beside a verbatim body would be dropped: refused, naming the key.
    let out = t
        .run(&playbook(
            r#"
            real_time_response::execute_active_responder_command(#{
                body: #{ base_command: "ls", command_string: "ls", session_id: sid },
                base_command: "rm" });
            "#,
        ))
        .output();
    out.failure();
    assert!(
        out.stderr
            .contains("argument `base_command` cannot be combined with `body`"),
        "{}",
        out.stderr
    );
    assert_nothing_ran(&t);
}

#[test]
fn a_batch_command_with_a_repeated_query_key_is_refused() {
    let t = Tenant::new(&fleet(""));
    let out = t
        .run(&playbook(
            r#"
            let bid = real_time_response::batch_init_sessions(#{ host_ids: [dev] }).body.batch_id;
            real_time_response_admin::batch_admin_command(#{ batch_id: bid, base_command: "rm",
                command_string: "rm C:\\x", parameters: #{ base_command: "ls", command_string: "ls" } });
            "#,
        ))
        .arg("--plan")
        .output();
    out.failure();
    assert!(
        out.stderr.contains(
            "`real_time_response_admin::batch_admin_command`: argument `parameters` repeats `base_command`"
        ),
        "{}",
        out.stderr
    );
    assert_nothing_ran(&t);
}

#[test]
fn a_single_valued_query_parameter_given_twice_is_refused() {
    let t = Tenant::new(&fleet(""));
    let out = t
        .run(&playbook(
            r#"hosts::perform_action(#{ action_name: "lift_containment", ids: [dev],
                parameters: #{ action_name: "contain" } });"#,
        ))
        .arg("--allow-destructive")
        .output();
    out.failure();
    assert!(
        out.stderr.contains(
            "argument `parameters` gives the query parameter `action_name` more than once"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(t.count_received("PerformActionV2"), 0);
}

#[test]
fn a_command_whose_base_and_line_disagree_is_destructive_and_audited_as_sent() {
    let t = Tenant::new(&fleet(""));
    let text = playbook(
        r#"
        real_time_response::execute_active_responder_command(#{
            base_command: "ls", command_string: "rm C:\\x", session_id: sid });
        "#,
    );
    let out = t.run(&text).output();
    out.failure();
    assert!(
        out.stderr
            .contains("error: refused `rm C:\\x` on host WS-042"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("`base_command` and `command_string` disagree")
    );
    assert_nothing_ran(&t);

    // Plan mode records it as a change instead of sending it.
    let out = t.run(&text).arg("--plan").output();
    out.success();
    assert!(
        out.stderr.contains(
            "`rm C:\\x` via `real_time_response::execute_active_responder_command`  [destructive]"
        ),
        "{}",
        out.stderr
    );
    assert_nothing_ran(&t);

    // Allowed, the audit line holds what was sent: the command line and the body as is.
    let audit = t.path("audit.jsonl");
    let _ = t
        .run(&text)
        .arg("--allow-destructive")
        .arg("--audit")
        .arg(&audit)
        .output();
    let lines = audit_outcomes(&audit);
    let cmd = lines
        .iter()
        .find(|l| l["operation_id"] == json!("RTR-ExecuteActiveResponderCommand"))
        .expect("the command is audited");
    assert_eq!(cmd["command"], json!("rm C:\\x"));
    assert_eq!(cmd["arguments"]["body"]["base_command"], json!("ls"));
}

#[test]
fn a_command_the_catalogue_does_not_know_is_destructive_and_planned() {
    let t = Tenant::new(&fleet(""));
    let text = playbook(
        r#"
        real_time_response_admin::execute_admin_command(#{
            base_command: "futurecmd", command_string: "futurecmd -Raw=```x```", session_id: sid });
        "#,
    );
    let out = t.run(&text).output();
    out.failure();
    assert!(
        out.stderr
            .contains("error: refused `futurecmd -Raw=```x```` on host WS-042"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("catalogue does not know"));
    assert_eq!(t.count_received("RTR-ExecuteAdminCommand"), 0);

    let out = t.run(&text).arg("--plan").output();
    out.success();
    assert!(
        out.stderr
            .contains("plan: 1 change (not sent), 1 destructive"),
        "{}",
        out.stderr
    );
    assert_eq!(t.count_received("RTR-ExecuteAdminCommand"), 0);
}

#[test]
fn host_actions_are_gated_and_planned() {
    let t = Tenant::new(&fleet(""));
    for action in ["contain", "hide_host"] {
        let text = playbook(&format!(
            r#"hosts::perform_action(#{{ action_name: "{action}", ids: [dev] }});"#
        ));
        let out = t.run(&text).output();
        out.failure();
        assert!(
            out.stderr.contains(&format!(
                "error: refused `hosts::perform_action` on host WS-042 (device `{}`): it changes what the host does",
                t.device_id("WS-042")
            )),
            "{}",
            out.stderr
        );
        let out = t.run(&text).arg("--plan").output();
        out.success();
        assert!(
            out.stderr
                .contains("`hosts::perform_action`  [destructive]"),
            "{}",
            out.stderr
        );
    }
    assert_eq!(t.count_received("PerformActionV2"), 0);
    let out = t
        .run(&playbook(
            r#"hosts::perform_action(#{ action_name: "contain", ids: [dev] }).status_code"#,
        ))
        .arg("--allow-destructive")
        .output();
    out.success();
    assert_eq!(t.count_received("PerformActionV2"), 1);
}

#[test]
fn the_repl_asks_about_the_command_as_sent() {
    use crate::safety_support::{enter, repl_on_terminal};
    use expectrl::Expect;
    let t = Tenant::new(&fleet(""));
    let mut s = repl_on_terminal(&t);
    enter(
        &mut s,
        r#"let dev = hosts::get_device_details_v2(#{ ids: hosts::query_devices_by_filter(#{ filter: "hostname:'WS-042'" }).body.resources[0] }).body.resources[0].device_id; "dev" + "-ready""#,
    );
    s.expect("dev-ready").unwrap();
    enter(
        &mut s,
        "let sid = real_time_response::init_session(#{ device_id: dev }).body.resources[0].session_id; \"sid\" + \"-ready\"",
    );
    s.expect("sid-ready").unwrap();
    // The query pair used to be what the confirmation read: now the request is refused unasked.
    enter(
        &mut s,
        r#"real_time_response::execute_active_responder_command(#{ base_command: "rm", command_string: "rm C:\\x", session_id: sid, parameters: #{ base_command: "ls" } })"#,
    );
    s.expect("argument `parameters` repeats `base_command`")
        .unwrap();
    // A disagreeing base command is asked about, naming the command line that is sent.
    enter(
        &mut s,
        r#"real_time_response::execute_active_responder_command(#{ base_command: "ls", command_string: "rm C:\\x", session_id: sid })"#,
    );
    s.expect("allow destructive `rm C:\\x` on host WS-042")
        .unwrap();
    s.expect("? [y/N]").unwrap();
    s.send("n\r").unwrap();
    s.expect("error: refused `rm C:\\x`").unwrap();
    assert_nothing_ran(&t);
}
