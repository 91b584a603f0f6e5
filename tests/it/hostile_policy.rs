//! Response policies against hostile plans and tenants (issue 23): a saved plan edited by hand is
//! refused, not applied as edited; capability grants need the same consent as removals; policy
//! names compare as Falcon compares them. Through `falconry policy` and `policies::apply` in a
//! playbook, against the emulator.

use crate::hostile_support::{against, tenant};
use falconry::sim::SimHandle;
use serde_json::Value;

const TENANT: &str = r#"
command_latency_ms = 0

[[hosts]]
hostname = "WS-1"
platform = "Windows"
groups = ["Locked"]

[[hosts]]
hostname = "WS-2"
platform = "Windows"
groups = ["Locked"]

[[policies]]
name = "Locked"
platform = "Windows"
groups = ["Locked"]
settings = { RealTimeFunctionality = true, GetCommand = true, CustomScripts = false, FalconScripts = false, PutCommand = false, ExecCommand = false, PutAndRunCommand = false, MemDumpCommand = false, XMemDumpCommand = false }
"#;

/// A change nobody minds: the description.
const REVIEWED: &str = r#"
[[policies]]
name = "Locked"
platform = "Windows"
description = "reviewed"
groups = ["Locked"]
settings = { RealTimeFunctionality = true, GetCommand = true }
"#;

/// Every capability that changes a host.
const EVERYTHING: &str = "{ RealTimeFunctionality = true, GetCommand = true, CustomScripts = true, FalconScripts = true, PutCommand = true, ExecCommand = true, PutAndRunCommand = true, MemDumpCommand = true, XMemDumpCommand = true }";

/// Whether `setting` is on in the tenant's policy `name`, in the emulator's own state.
fn setting(sim: &SimHandle, name: &str, setting: &str) -> bool {
    let out = against(sim)
        .playbook(&format!(
            r#"let p = policies::current("Windows").policies.filter(|p| p.name == "{name}")[0];
p.settings.{setting} ?? false"#
        ))
        .arg("--json")
        .run();
    out.status(0);
    out.json() == Value::Bool(true)
}

fn saved_plan(sim: &SimHandle) -> Value {
    let out = against(sim)
        .file("p.toml", REVIEWED)
        .command(&["policy", "plan", "p.toml", "--save", "plan.json"])
        .run();
    out.status(2).stderr_has("(changes sha256 ");
    serde_json::from_str(&std::fs::read_to_string(out.dir.join("plan.json")).unwrap()).unwrap()
}

fn apply_saved(sim: &SimHandle, plan: &Value, extra: &[&str]) -> crate::common::Output {
    let mut t = against(sim).file("plan.json", &plan.to_string()).command(&[
        "policy",
        "apply",
        "plan.json",
    ]);
    for a in extra {
        t = t.arg(a);
    }
    t.run()
}

#[test]
fn a_saved_plan_whose_desired_state_was_edited_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sim = tenant(dir.path(), TENANT);
    let mut plan = saved_plan(&sim);
    // The edit grants everything; the changes shown (a description) stay as they were.
    let settings = &mut plan["desired"]["policies"][0]["settings"];
    for s in [
        "CustomScripts",
        "FalconScripts",
        "PutCommand",
        "ExecCommand",
        "PutAndRunCommand",
        "MemDumpCommand",
        "XMemDumpCommand",
    ] {
        settings[s] = Value::Bool(true);
    }
    let out = apply_saved(&sim, &plan, &["--allow-destructive"]);
    out.status(1)
        .stderr_has("the saved plan shows 1 change but its desired state gives 1")
        .stderr_has("nothing was applied");
    assert!(!setting(&sim, "Locked", "PutCommand"));

    // Editing the changes as well breaks their hash.
    let mut both = plan.clone();
    both["changes"][0]["description"] = "~ update Windows policy `Locked`: everything".into();
    apply_saved(&sim, &both, &["--allow-destructive"])
        .status(1)
        .stderr_has("its changes are not the ones it was saved with");
    assert!(!setting(&sim, "Locked", "PutCommand"));

    // The plan as saved applies.
    let plan = saved_plan(&sim);
    apply_saved(&sim, &plan, &[]).status(0);
    let out = against(&sim)
        .playbook(r#"policies::current("Windows").policies.filter(|p| p.name == "Locked")[0].description"#)
        .arg("--json")
        .run();
    out.status(0);
    assert_eq!(out.json(), Value::from("reviewed"));
}

#[test]
fn a_plan_edited_in_a_playbook_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sim = tenant(dir.path(), TENANT);
    let out = against(&sim)
        .playbook(
            r#"
let d = policies::current("Windows");
d.policies[0].description = "reviewed";
let plan = policies::plan(d);
plan.desired.policies[0].settings.PutCommand = true;
let r = ();
try { policies::apply(plan); r = "applied"; } catch (e) { r = `${e.reason}: ${e.message}`; }
r"#,
        )
        .arg("--json")
        .arg("--allow-destructive")
        .run();
    out.status(0);
    let said = out.json();
    assert!(
        said.as_str()
            .unwrap()
            .starts_with("stale: the saved plan shows 1 change"),
        "{said}"
    );
    assert!(!setting(&sim, "Locked", "PutCommand"));
}

#[test]
fn granting_capabilities_that_change_hosts_needs_consent() {
    let dir = tempfile::tempdir().unwrap();
    let sim = tenant(dir.path(), TENANT);
    let open = format!(
        "[[policies]]\nname = \"Locked\"\nplatform = \"Windows\"\ngroups = [\"Locked\"]\nsettings = {EVERYTHING}\n"
    );
    against(&sim)
        .file("p.toml", &open)
        .command(&["policy", "apply", "p.toml"])
        .run()
        .status(3)
        .stderr_has("refused: the plan grants `falconscript`, `memdump`, `put`, `put-and-run`, `run`, `runscript`, `xmemdump` to 2 hosts")
        .stderr_has("--allow-destructive");
    assert!(!setting(&sim, "Locked", "PutCommand"));
    against(&sim)
        .file("p.toml", &open)
        .command(&["policy", "apply", "p.toml", "--allow-destructive"])
        .run()
        .status(0);
    assert!(setting(&sim, "Locked", "PutCommand"));
}

/// The tenant's settings for `Locked`, as a file lists them.
const LOCKED_SETTINGS: &str = "{ RealTimeFunctionality = true, GetCommand = true }";

#[test]
fn policy_names_compare_as_falcon_compares_them() {
    let dir = tempfile::tempdir().unwrap();
    let sim = tenant(dir.path(), TENANT);
    // Other case and a trailing space: the same policy, nothing to change (and no near-duplicate).
    let respelled = format!(
        "[platforms.Windows]\nexclusive = true\n\n[[policies]]\nname = \"locked \"\nplatform = \"Windows\"\ngroups = [\"Locked\"]\nsettings = {LOCKED_SETTINGS}\n"
    );
    let plan = against(&sim)
        .file("p.toml", &respelled)
        .command(&["policy", "plan", "p.toml"])
        .run();
    plan.status(0).stdout_has("No changes");
    against(&sim)
        .file("p.toml", &respelled)
        .command(&["policy", "apply", "p.toml"])
        .run()
        .status(0);

    // The default policy in another spelling is the default: updated, never created.
    let default = "[[policies]]\nname = \"Platform_Default\"\nplatform = \"Windows\"\nsettings = { RealTimeFunctionality = true, GetCommand = true }\n";
    let plan = against(&sim)
        .file("p.toml", default)
        .command(&["policy", "plan", "p.toml"])
        .run();
    plan.status(2)
        .stdout_has("~ update Windows policy `platform_default`")
        .stdout_lacks("+ create");
}

#[test]
fn a_look_alike_policy_name_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let sim = tenant(dir.path(), TENANT);
    // `Lоcked` with a Cyrillic `о`: another policy, which would take the hosts of `Locked`'s group.
    let planted = format!(
        "[[policies]]\nname = \"L\u{043e}cked\"\nplatform = \"Windows\"\ngroups = [\"Locked\"]\nsettings = {EVERYTHING}\n"
    );
    let plan = against(&sim)
        .file("p.toml", &planted)
        .command(&["policy", "plan", "p.toml"])
        .run();
    plan.status(2)
        .stdout_has("warning: policy `L\u{043e}cked` looks like `Locked` but is another name")
        .stdout_has("+ create Windows policy `L\u{043e}cked`");
    let json = against(&sim)
        .file("p.toml", &planted)
        .command(&["policy", "plan", "p.toml", "--json"])
        .run();
    assert_eq!(json.json()["warnings"].as_array().map(Vec::len), Some(1));
}
