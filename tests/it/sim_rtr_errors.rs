//! RTR's own error codes and texts, as the client shows them to a playbook: the emulator answers
//! them as Falcon does (40006, 40007, 40014, 40401; sources in `ops::command_flags`, the emulator's
//! `session.rs` and tests/data/falcon-api/DEVIATIONS.md), and the helpers still say which host,
//! which command and what to do.

use crate::rtr_support::{Tenant, WS_042, WS_108};

/// falconpy#55: `Unrecognized flag found: <Flag>, value: <value>` (40014, HTTP 400). The thrown
/// error keeps Falcon's text and code and names the host and the command.
#[test]
fn an_unknown_flag_reaches_the_playbook_with_falcons_text_and_the_host() {
    let t = Tenant::new();
    let r = t
        .script(
            &format!(
                r#"let s = rtr::session("{WS_042}");
                   let thrown = #{{}};
                   try {{ s.run("ls -Bogus=1"); }} catch (e) {{ thrown = e; }}
                   thrown"#
            ),
            &[],
        )
        .ok()
        .json();
    let msg = r["message"].as_str().unwrap();
    assert!(
        msg.contains("Unrecognized flag found: Bogus, value: 1")
            && msg.contains("WS-042")
            && msg.contains("ls -Bogus=1"),
        "{r}"
    );
    assert_eq!(r["status_code"], 400, "{r}");
    assert_eq!(r["errors"][0]["code"], 40014, "{r}");
    assert_eq!(t.state().total_executions(), 0);
}

/// psfalcon#76: an offline host without queueing answers 40401 `Could not establish sensor comms`;
/// the helper says the host is offline and how to queue, and keeps Falcon's text.
#[test]
fn an_offline_host_is_named_offline_with_the_way_to_queue() {
    let t = Tenant::new();
    let r = t
        .script(
            &format!(
                r#"let thrown = #{{}};
                   try {{ rtr::session("{WS_108}"); }} catch (e) {{ thrown = e; }}
                   thrown"#
            ),
            &[],
        )
        .ok()
        .json();
    let msg = r["message"].as_str().unwrap();
    assert!(
        msg.contains("WS-108")
            && msg.contains("offline")
            && msg.contains("queue_offline")
            && msg.contains("Could not establish sensor comms"),
        "{r}"
    );
    assert_eq!(r["errors"][0]["code"], 40401, "{r}");
}

/// A batch: the offline host is among those that did not answer, not an error; an unknown command
/// (40007 `Command not found`) is each host's error with Falcon's text.
#[test]
fn a_batch_shows_rtr_codes_per_host() {
    let t = Tenant::new();
    let r = t
        .script(
            &format!(
                r#"let b = rtr::batch(["{WS_042}", "{WS_108}"]);
                   #{{ ls: b.run("ls -Bogus=1") }}"#
            ),
            &[],
        )
        .ok()
        .json();
    assert_eq!(r["ls"]["no_answer"], serde_json::json!([WS_108]), "{r}");
    let err = r["ls"]["errors"][WS_042]["message"].as_str().unwrap();
    assert!(
        err.contains("Unrecognized flag found: Bogus, value: 1") && err.contains("WS-042"),
        "{r}"
    );
}
