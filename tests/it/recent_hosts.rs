//! Device records read moments ago are reused by the next lookup (`rtr::batch` over
//! `hosts::find_all()` reads each record once), and forgotten by any state-changing request.

use crate::rtr_support::Tenant;

/// `find_all`, then `between`, then a batch over what it found; the result says whether every
/// answer carries the name `find_all` gave its host. Returns how many detail reads were sent.
fn batch_after_find_all(between: &str, extra: &[&str]) -> usize {
    let t = Tenant::new();
    let playbook = format!(
        r#"
let found = hosts::find_all("platform_name:'Windows'");
let ids = found.map(|h| h.device_id);
let names = #{{}};
for h in found {{ names[h.device_id] = h.hostname; }}
{between}
let out = rtr::batch(ids).run("pwd");
#{{ answered: out.results.len(), named: out.results.values().all(|r| names[r.device_id] == r.hostname) }}
"#
    );
    let r = t.script(&playbook, extra);
    let v = r.ok().json();
    assert!(v["answered"].as_i64().unwrap() > 1, "{}", r.show());
    assert_eq!(v["named"], true, "{}", r.show());
    let state = t.state();
    let log = state.request_log();
    log.iter()
        .filter(|e| e.op == Some("PostDeviceDetailsV2"))
        .count()
}

#[test]
fn a_batch_over_find_all_reads_each_record_once() {
    assert_eq!(batch_after_find_all("", &[]), 1);
}

#[test]
fn a_change_between_the_lookups_makes_the_batch_read_the_records_again() {
    let change = r#"host_group::create_host_groups(#{ name: "ir-fresh", group_type: "static" });"#;
    assert_eq!(batch_after_find_all(change, &["--allow-destructive"]), 2);
}
