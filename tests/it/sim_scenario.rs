//! Scenario files: the documented example loads and means what it says; bad scenarios say why.

use falconry::sim::{self, Scenario, SimConfig};
use std::path::Path;

#[test]
fn the_example_scenario_loads_as_documented() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml");
    let config = SimConfig {
        scenario: Some(path),
        ..SimConfig::default()
    };
    let handle = sim::start(config).expect("example scenario starts");
    let mut state = handle.state();
    assert_eq!(state.device_ids().len(), 202);
    let db = state.device_id_of("SRV-DB-01").unwrap();
    assert_eq!(
        state.effective_policy_name(&db).as_deref(),
        Some("Servers: no uploads")
    );
    let web = state.device_id_of("web-01").unwrap();
    assert!(!state.host(&web).unwrap().online);
    assert!(state.set_online(&web, true));
    assert_eq!(state.scenario.command_latency_ms, 300);
}

#[test]
fn scenario_errors_name_the_problem() {
    let err = Scenario::parse("command_latency = 5").unwrap_err();
    assert!(err.contains("command_latency"), "{err}");
    let bad_policy = Scenario::parse(
        "[[policies]]\nname = \"x\"\nplatform = \"Windows\"\nsettings = { Teleport = true }",
    )
    .unwrap();
    let err = sim::State::new(bad_policy, 1, "a".into(), "b".into())
        .err()
        .unwrap();
    assert!(err.contains("`Teleport`"), "{err}");
    let missing = SimConfig {
        scenario: Some("/nonexistent/scenario.toml".into()),
        ..SimConfig::default()
    };
    let err = sim::start(missing).err().unwrap();
    assert!(err.contains("/nonexistent/scenario.toml"), "{err}");
}
