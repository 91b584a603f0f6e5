//! Runs CrowdStrike's FalconPy against the emulator (tests/falconpy/test_seed_ops.py), when the
//! project's `.venv` has it (`.ci/run` installs it; locally the test says how and skips).

use falconry::sim::{self, Scenario, SimConfig, State};
use std::path::Path;
use std::process::Command;

const FLEET: &str = r#"
command_latency_ms = 50

[[hosts]]
hostname = "FALCONPY-WIN"
platform = "Windows"

[[hosts]]
hostname = "FALCONPY-LNX"
platform = "Linux"
"#;

#[test]
fn falconpy_drives_all_seed_operations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = crate::common::required_tool(
        &[root.join(".venv/bin/python")],
        "python3 -m venv .venv && .venv/bin/pip install crowdstrike-falconpy==1.6.6",
    );
    let config = SimConfig::default();
    let scenario = Scenario::parse(FLEET).unwrap();
    let state = State::new(
        scenario,
        3,
        config.client_id.clone(),
        config.client_secret.clone(),
    )
    .unwrap();
    let handle = sim::start_with_state(&config, state).unwrap();
    let out = Command::new(&python)
        .arg(root.join("tests/falconpy/test_seed_ops.py"))
        .env("FALCONRY_SIM_URL", handle.base_url())
        .env("FALCONRY_SIM_CLIENT_ID", &handle.client_id)
        .env("FALCONRY_SIM_CLIENT_SECRET", &handle.client_secret)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "FalconPy test failed\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("3 passed"), "{stdout}");

    // FalconPy really exercised every seed operation.
    let state = handle.state();
    let seen: std::collections::HashSet<&str> =
        state.request_log().iter().filter_map(|e| e.op).collect();
    let missing: Vec<&str> = falconry::ops::OPERATIONS
        .iter()
        .filter(|op| {
            matches!(
                op.collection,
                falconry::ops::Collection::ResponsePolicies
                    | falconry::ops::Collection::RealTimeResponseAdmin
            )
        })
        .map(|op| op.id)
        .filter(|id| !seen.contains(id))
        .collect();
    assert!(missing.is_empty(), "FalconPy never called {missing:?}");
    assert!(seen.contains("RTR-InitSession"));
}

/// Issue 26: FalconPy's Alerts, IOC and Incidents classes (and the Hosts additions) on the built-in
/// fleet, whose compromised hosts raise the alerts.
#[test]
fn falconpy_drives_alerts_ioc_incidents_and_the_hosts_additions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = crate::common::required_tool(
        &[root.join(".venv/bin/python")],
        "python3 -m venv .venv && .venv/bin/pip install crowdstrike-falconpy==1.6.6",
    );
    let config = SimConfig::default();
    let state = State::new(
        Scenario::parse("command_latency_ms = 50").unwrap(),
        3,
        config.client_id.clone(),
        config.client_secret.clone(),
    )
    .unwrap();
    let handle = sim::start_with_state(&config, state).unwrap();
    let out = Command::new(&python)
        .arg(root.join("tests/falconpy/test_detections.py"))
        .env("FALCONRY_SIM_URL", handle.base_url())
        .env("FALCONRY_SIM_CLIENT_ID", &handle.client_id)
        .env("FALCONRY_SIM_CLIENT_SECRET", &handle.client_secret)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "FalconPy test failed\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("4 passed"), "{stdout}");

    // Every operation of the three collections was called, and the new Hosts ones.
    let state = handle.state();
    let seen: std::collections::HashSet<&str> =
        state.request_log().iter().filter_map(|e| e.op).collect();
    use falconry::ops::{Collection, OpId};
    let hosts_additions = [
        OpId::UpdateDeviceTags,
        OpId::QueryHiddenDevices,
        OpId::CombinedHiddenDevicesByFilter,
    ];
    let missing: Vec<&str> = falconry::ops::OPERATIONS
        .iter()
        .filter(|op| {
            matches!(
                op.collection,
                Collection::Alerts | Collection::Ioc | Collection::Incidents
            ) || hosts_additions.contains(&op.key)
        })
        .map(|op| op.id)
        .filter(|id| !seen.contains(id))
        .collect();
    assert!(missing.is_empty(), "FalconPy never called {missing:?}");
}
