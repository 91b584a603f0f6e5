//! Device records read moments ago are reused by the next lookup (`rtr::batch` over
//! `hosts::find_all()` reads each record once), and forgotten by any state-changing request.

use crate::rtr_support::Tenant;

fn detail_requests(t: &Tenant) -> usize {
    t.state()
        .request_log()
        .iter()
        .filter(|e| e.op == Some("PostDeviceDetailsV2"))
        .count()
}

#[test]
fn a_batch_over_find_all_reads_each_record_once() {
    let t = Tenant::new();
    let r = t.script(
        r#"
let found = hosts::find_all("platform_name:'Windows'");
let ids = found.map(|h| h.device_id);
let names = #{};
for h in found { names[h.device_id] = h.hostname; }
let b = rtr::batch(ids);
let out = b.run("pwd");
let named = out.results.values().all(|r| names[r.device_id] == r.hostname);
#{ hosts: ids.len(), answered: out.results.len(), named: named }
"#,
        &[],
    );
    let v = r.ok().json();
    assert!(v["answered"].as_i64().unwrap() > 1, "{}", r.show());
    assert_eq!(v["named"], true, "{}", r.show());
    assert_eq!(detail_requests(&t), 1, "{}", r.show());
}

#[test]
fn a_change_between_the_lookups_makes_the_batch_read_the_records_again() {
    let t = Tenant::new();
    let r = t.script(
        r#"
let found = hosts::find_all("platform_name:'Windows'");
let ids = found.map(|h| h.device_id);
let names = #{};
for h in found { names[h.device_id] = h.hostname; }
host_group::create_host_groups(#{ name: "ir-fresh", group_type: "static" });
let b = rtr::batch(ids);
let out = b.run("pwd");
let named = out.results.values().all(|r| names[r.device_id] == r.hostname);
#{ hosts: ids.len(), answered: out.results.len(), named: named }
"#,
        &["--allow-destructive"],
    );
    let v = r.ok().json();
    assert!(v["answered"].as_i64().unwrap() > 1, "{}", r.show());
    assert_eq!(v["named"], true, "{}", r.show());
    assert_eq!(detail_requests(&t), 2, "{}", r.show());
}
