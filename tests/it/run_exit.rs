//! What a finished `falconry run` leaves behind: the sessions its values still hold are closed,
//! wherever they sit (a variable, a map, an array), and plain data is left to the process's exit.

use crate::rtr_support::Tenant;

#[test]
fn sessions_a_finished_playbook_still_holds_are_closed_wherever_they_sit() {
    let t = Tenant::new();
    let r = t.script(
        r#"
let found = hosts::find_all("platform_name:'Windows'");
let held = rtr::session(found[0]);
let nested = #{ inside: [rtr::session(found[1])], n: 1 };
let data = rtr::batch(found.map(|h| h.device_id)).run("ps");
#{ hosts: data.results.len(), pwd: held.pwd() }
"#,
        &[],
    );
    let v = r.ok().json();
    assert!(v["hosts"].as_i64().unwrap() > 1, "{}", r.show());
    assert!(
        !v["pwd"].as_str().unwrap_or_default().is_empty(),
        "{}",
        r.show()
    );
    let state = t.state();
    let count = |op: &str| {
        state
            .request_log()
            .iter()
            .filter(|e| e.op == Some(op))
            .count()
    };
    assert_eq!(count("RTR-InitSession"), 2, "{}", r.show());
    assert_eq!(
        count("RTR-DeleteSession"),
        2,
        "both sessions closed on the way out"
    );
}
