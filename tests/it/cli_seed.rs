//! The seed playbook (tests/playbooks/seed_ops.rhai) through the real binary against the emulator: all
//! 30 seed operations (10 Response Policies, 20 RTR Admin) succeed and their effects are checked by
//! the playbook itself (a created policy is found, a deleted one answers 404, a put file reaches the host).

use crate::common::Test;
use falconry::ops::{self, Collection};
use std::collections::HashSet;

#[test]
fn every_seed_operation_runs_from_a_playbook_with_its_effect_checked() {
    let playbook = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/playbooks/seed_ops.rhai"
    ))
    .expect("the seed playbook");
    let out = Test::new()
        .playbook(&playbook)
        .arg("--json")
        // The playbook deletes what it created.
        .arg("--allow-destructive")
        .emulator()
        .run();
    out.status(0).no_secret();

    let seed: Vec<&str> = ops::in_collection(Collection::ResponsePolicies)
        .chain(ops::in_collection(Collection::RealTimeResponseAdmin))
        .map(|op| op.id)
        .collect();
    assert_eq!(seed.len(), 30);

    // The playbook reports each operation it exercised once its checks passed.
    let reported: HashSet<String> = out
        .json()
        .as_array()
        .expect("an array of operation names")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let names: HashSet<String> = seed
        .iter()
        .map(|id| ops::by_id(id).unwrap().name.to_string())
        .collect();
    assert_eq!(reported, names);

    // And the emulator saw each of them answered with success.
    let succeeded: HashSet<&str> = out
        .operations()
        .into_iter()
        .filter(|(_, status)| (200..300).contains(status))
        .map(|(op, _)| op)
        .collect();
    let missing: Vec<&&str> = seed.iter().filter(|id| !succeeded.contains(**id)).collect();
    assert!(
        missing.is_empty(),
        "never answered with success: {missing:?}"
    );
}
