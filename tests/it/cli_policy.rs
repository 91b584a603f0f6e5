//! `falconry policy export|plan|apply` through the real binary against the emulator: the file format
//! and its errors, the ordered plan, the RTR impact per host (checked against the emulator's own
//! policy resolution and against RTR commands refused or allowed), apply, drift and exit codes.

use crate::common::Test;
use falconry::sim::{self, Scenario, SimConfig, SimHandle, State};
use serde_json::Value;

const FLEET: &str = r#"
command_latency_ms = 0

[[hosts]]
hostname = "WS-1"
platform = "Windows"
groups = ["Workstations"]

[[hosts]]
hostname = "FIN-1"
platform = "Windows"
groups = ["Workstations", "Finance"]

[[hosts]]
hostname = "SRV-1"
platform = "Windows"
groups = ["Servers"]

[[hosts]]
hostname = "LNX-1"
platform = "Linux"
groups = ["Servers"]

[[policies]]
name = "Servers locked"
platform = "Windows"
groups = ["Servers"]
settings = { PutCommand = false, PutAndRunCommand = false, ExecCommand = false }

[[policies]]
name = "Workstations"
platform = "Windows"
groups = ["Workstations", "Finance"]
settings = { GetCommand = false, MemDumpCommand = true }

[[policies]]
name = "Linux servers"
platform = "Linux"
groups = ["Servers"]
settings = { CustomScripts = false }
"#;

/// A new policy first, a changed setting (`Servers locked` loses `get`), a moved precedence and a
/// removed host group (`Finance` leaves `Workstations`). Linux is not named: left alone.
const DESIRED: &str = r#"
[[policies]]
name = "Finance lockdown"
platform = "Windows"
description = "IR: finance hosts"
groups = ["Finance"]
settings = { RealTimeFunctionality = true, GetCommand = true }

[[policies]]
name = "Workstations"
platform = "Windows"
groups = ["Workstations"]
settings = { RealTimeFunctionality = true, CustomScripts = true, PutCommand = true, ExecCommand = true, FalconScripts = true, PutAndRunCommand = true, MemDumpCommand = true }

[[policies]]
name = "Servers locked"
platform = "Windows"
groups = ["Servers"]
settings = { RealTimeFunctionality = true, CustomScripts = true, FalconScripts = true }
"#;

const EXPECTED_CHANGES: &str = "\
6 changes:
  + create Windows policy `Finance lockdown`: settings on: RealTimeFunctionality, GetCommand; description \"IR: finance hosts\"
  ~ update Windows policy `Servers locked`: GetCommand on -> off
  ~ enable Windows policy `Finance lockdown`
  + add host group `Finance` to Windows policy `Finance lockdown`
  - remove host group `Finance` from Windows policy `Workstations`
  ~ precedence of Windows policies: `Servers locked`, `Workstations` -> `Finance lockdown`, `Workstations`, `Servers locked`
";

fn tenant() -> SimHandle {
    let config = SimConfig::default();
    let state = State::new(
        Scenario::parse(FLEET).expect("scenario parses"),
        7,
        config.client_id.clone(),
        config.client_secret.clone(),
    )
    .expect("scenario loads");
    sim::start_with_state(&config, state).expect("emulator starts")
}

fn falconry(sim: &SimHandle) -> Test {
    Test::new().tenant(sim)
}

fn export(sim: &SimHandle) -> String {
    let out = falconry(sim).command(&["policy", "export"]).run();
    out.status(0);
    out.stdout.clone()
}

fn effective(sim: &SimHandle, hostname: &str) -> String {
    let state = sim.state();
    let id = state.device_id_of(hostname).expect("host");
    state.effective_policy_name(&id).expect("policy")
}

/// Which of `ls` and `get` each Windows host accepts, by running them over RTR.
const PROBE: &str = r#"
let out = #{};
for name in ["WS-1", "FIN-1", "SRV-1"] {
    let s = rtr::session(hosts::find(name));
    let r = #{};
    for line in ["ls", "get C:\\Windows\\notepad.exe"] {
        let verdict = "allowed";
        try { s.run(line); } catch (e) {
            // Falcon refuses a command the policy disallows with RTR's 40006 (CrowdStrike/CAST#15).
            if e.errors[0].code != 40006 { throw e; }
            verdict = "refused";
        }
        r[line.split(" ")[0]] = verdict;
    }
    s.close();
    out[name] = r;
}
out
"#;

fn probe(sim: &SimHandle) -> Value {
    let out = falconry(sim).playbook(PROBE).arg("--json").run();
    out.status(0);
    out.json()
}

#[test]
fn export_then_plan_shows_no_change() {
    let sim = tenant();
    let file = export(&sim);
    assert!(file.contains("name = \"Servers locked\""), "{file}");
    assert!(
        file.contains("groups = [\"Workstations\", \"Finance\"]"),
        "{file}"
    );
    falconry(&sim)
        .file("p.toml", &file)
        .command(&["policy", "plan", "p.toml"])
        .run()
        .status(0)
        .stdout_is("No changes: the tenant's response policies match the file.\n");
    let json = falconry(&sim)
        .file("p.toml", &file)
        .command(&["policy", "plan", "p.toml", "--json"])
        .run();
    json.status(0);
    assert_eq!(json.json()["changed"], false);
    assert_eq!(json.json()["changes"], serde_json::json!([]));
    // One platform only: the others are not named, so not managed.
    let windows = falconry(&sim)
        .command(&["policy", "export", "--platform", "windows"])
        .run();
    windows.status(0).stdout_lacks("Linux");
    falconry(&sim)
        .file("w.toml", &windows.stdout)
        .command(&["policy", "plan", "w.toml"])
        .run()
        .status(0);
}

#[test]
fn plan_lists_ordered_changes_and_the_impact_per_host_and_apply_makes_it_so() {
    let sim = tenant();
    let before_rtr = probe(&sim);
    assert_eq!(before_rtr["FIN-1"]["get"], "refused");
    assert_eq!(before_rtr["SRV-1"]["get"], "allowed");
    let plan = falconry(&sim)
        .file("p.toml", DESIRED)
        .command(&["policy", "plan", "p.toml"])
        .run();
    plan.status(2);
    assert!(plan.stdout.starts_with(EXPECTED_CHANGES), "{}", plan.stdout);
    plan.stdout_has(
        "  Windows: 1 host in `Servers` loses `get`\n    SRV-1 (",
    )
    .stdout_has("  Windows: 1 host in `Finance` loses `falconscript`, `memdump`, `put`, `put-and-run`, `run`, `runscript`; gains `get`\n    FIN-1 (")
    .stdout_has("): `Workstations` -> `Finance lockdown`")
    .stdout_lacks("WS-1")
    .stdout_lacks("LNX-1");

    let json = falconry(&sim)
        .file("p.toml", DESIRED)
        .command(&["policy", "plan", "p.toml", "--json"])
        .run();
    json.status(2);
    let json = json.json();
    let actions: Vec<&str> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "update",
            "enable",
            "add-host-group",
            "remove-host-group",
            "precedence"
        ]
    );
    let impact = json["impact"].as_array().unwrap().clone();
    assert_eq!(impact.len(), 2, "{impact:?}");
    let fin = impact.iter().find(|h| h["hostname"] == "FIN-1").unwrap();
    assert_eq!(fin["host_groups"], serde_json::json!(["Finance"]));

    // The plan's "before" is the emulator's own resolution.
    for h in &impact {
        let host = h["hostname"].as_str().unwrap();
        assert_eq!(effective(&sim, host), h["policy_before"], "{host}");
    }
    let untouched: Vec<(String, String)> = ["WS-1", "LNX-1"]
        .iter()
        .map(|h| (h.to_string(), effective(&sim, h)))
        .collect();

    let applied = falconry(&sim)
        .file("p.toml", DESIRED)
        .command(&["policy", "apply", "p.toml", "--allow-destructive"])
        .run();
    applied.status(0).stdout_has("Applied 6 changes.");

    // ... and its "after" is what the emulator resolves once applied.
    for h in &impact {
        let host = h["hostname"].as_str().unwrap();
        assert_eq!(effective(&sim, host), h["policy_after"], "{host}");
    }
    for (host, policy) in &untouched {
        assert_eq!(&effective(&sim, host), policy, "{host}");
    }
    // RTR agrees: each host that gained `get` now runs it, each that lost it is refused, the others
    // are as they were.
    let after_rtr = probe(&sim);
    for host in ["WS-1", "FIN-1", "SRV-1"] {
        let h = impact.iter().find(|h| h["hostname"] == host);
        let has =
            |list: &str| h.is_some_and(|h| h[list].as_array().unwrap().iter().any(|c| c == "get"));
        let expected = if has("gain") {
            "allowed"
        } else if has("lose") {
            "refused"
        } else {
            before_rtr[host]["get"].as_str().unwrap()
        };
        assert_eq!(after_rtr[host]["get"], expected, "{host}");
        assert_eq!(after_rtr[host]["ls"], "allowed", "{host}");
    }

    // Applied: a fresh plan shows no change, and the new file is what export now writes.
    falconry(&sim)
        .file("p.toml", DESIRED)
        .command(&["policy", "plan", "p.toml"])
        .run()
        .status(0);
    let exported = export(&sim);
    let order: Vec<usize> = [
        "\"Finance lockdown\"",
        "\"Workstations\"",
        "\"Servers locked\"",
    ]
    .iter()
    .map(|n| exported.find(&format!("name = {n}")).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{exported}");
    assert!(exported.contains("name = \"Linux servers\""), "{exported}");
}

#[test]
fn capability_removals_and_deletions_need_allow_destructive() {
    let sim = tenant();
    // Owning Linux without listing `Linux servers` deletes it.
    let file = "[platforms.Linux]\nexclusive = true\n";
    let plan = falconry(&sim)
        .file("p.toml", file)
        .command(&["policy", "plan", "p.toml"])
        .run();
    plan.status(2)
        .stdout_has("  - delete Linux policy `Linux servers`\n")
        .stdout_has("  Linux: 1 host in `Servers` gains `runscript`\n    LNX-1 (");
    falconry(&sim)
        .file("p.toml", file)
        .command(&["policy", "apply", "p.toml"])
        .run()
        .status(3)
        .stderr_has("refused: the plan deletes `Linux servers`")
        .stderr_has("--allow-destructive");
    assert_eq!(effective(&sim, "LNX-1"), "Linux servers");

    // Taking `get` away from SRV-1 needs it too; `--plan` records the changes and sends none.
    let tighter = export(&sim).replacen("GetCommand = true", "GetCommand = false", 1);
    falconry(&sim)
        .file("p.toml", &tighter)
        .command(&["policy", "apply", "p.toml"])
        .run()
        .status(3)
        .stderr_has("removes RTR capabilities from 1 host");
    let planned = falconry(&sim)
        .file("p.toml", &tighter)
        .command(&["policy", "apply", "p.toml", "--plan"])
        .run();
    planned
        .status(0)
        .stderr_has("response_policies::update_policies")
        .stdout_has("Planned 1 change.");
    assert_eq!(probe(&sim)["SRV-1"]["get"], "allowed");

    let audited = falconry(&sim)
        .file("p.toml", file)
        .command(&[
            "policy",
            "apply",
            "p.toml",
            "--allow-destructive",
            "--audit",
            "audit.jsonl",
        ])
        .run();
    audited.status(0);
    let log = std::fs::read_to_string(audited.dir.join("audit.jsonl")).expect("audit log");
    assert!(log.contains("delete_policies"), "{log}");
    assert_eq!(effective(&sim, "LNX-1"), "platform_default");
}

#[test]
fn a_tenant_changed_between_plan_and_apply_is_refused() {
    let sim = tenant();
    let planned = falconry(&sim)
        .file("p.toml", DESIRED)
        .command(&["policy", "plan", "p.toml", "--save", "plan.json"])
        .run();
    planned.status(2);
    let saved = std::fs::read_to_string(planned.dir.join("plan.json")).expect("saved plan");

    // Someone else changes a policy meanwhile.
    falconry(&sim)
        .playbook(
            r#"
            let p = response_policies::query_combined_policies(#{ filter: "name:'Workstations'" }).body.resources[0];
            response_policies::update_policies(#{ id: p.id, settings: [#{ id: "CustomScripts", value: #{ enabled: false } }] });
            "#,
        )
        .run()
        .status(0);
    falconry(&sim)
        .file("plan.json", &saved)
        .command(&["policy", "apply", "plan.json", "--allow-destructive"])
        .run()
        .status(1)
        .stderr_has("the tenant changed since the plan was made (Windows policy `Workstations` changed its settings); nothing was applied");
    let names = export(&sim);
    assert!(!names.contains("Finance lockdown"), "{names}");

    // A saved plan of an unchanged tenant applies (it now also turns `CustomScripts` back on).
    let fresh = falconry(&sim)
        .file("p.toml", DESIRED)
        .command(&["policy", "plan", "p.toml", "--save", "plan.json"])
        .run();
    fresh.status(2);
    let saved = std::fs::read_to_string(fresh.dir.join("plan.json")).expect("saved plan");
    falconry(&sim)
        .file("plan.json", &saved)
        .command(&["policy", "apply", "plan.json", "--allow-destructive"])
        .run()
        .status(0)
        .stdout_has("  ~ update Windows policy `Workstations`: CustomScripts off -> on\n")
        .stdout_has("Applied 7 changes.");
    // `--json` gives the applied plan as data; applied again, it has nothing left to do.
    let again = falconry(&sim)
        .file("p.toml", DESIRED)
        .command(&["policy", "apply", "p.toml", "--json"])
        .run();
    again.status(0);
    assert_eq!(again.json()["changed"], false);
}

#[test]
fn playbooks_plan_and_apply_a_desired_state_map() {
    let sim = tenant();
    let out = falconry(&sim)
        .playbook(
            r#"
            // Mid-incident: take file transfer away from the finance group's hosts, see the impact first.
            let desired = policies::current("Windows");
            desired.policies.insert(0, #{ name: "IR hold", platform: "Windows", groups: ["Finance"],
                settings: #{ RealTimeFunctionality: true, GetCommand: true } });
            let plan = policies::plan(desired);
            let losing = plan.impact.map(|h| h.hostname);
            // A plan is applied only to the tenant it was made against.
            let p = response_policies::query_combined_policies(#{ filter: "name:'Servers locked'" }).body.resources[0];
            response_policies::perform_policies_action(#{ action_name: "disable", ids: p.id });
            let stale = "applied";
            try { policies::apply(plan); } catch (e) { stale = e.reason; }
            response_policies::perform_policies_action(#{ action_name: "enable", ids: p.id });
            let applied = policies::apply(policies::plan(desired));
            // A bad map is refused with the path of the bad key and a suggestion.
            let bad = "";
            try { policies::plan(#{ policies: [#{ name: "x", platform: "Windows", settings: #{ GetComand: true } }] }); }
            catch (e) { bad = e.message; }
            #{ changes: plan.changes.map(|c| c.action), losing: losing, stale: stale, bad: bad,
               applied: applied.applied, again: policies::plan(desired).changed }
            "#,
        )
        .arg("--json")
        .arg("--allow-destructive")
        .run();
    out.status(0);
    let v = out.json();
    assert_eq!(
        v["changes"],
        serde_json::json!(["create", "enable", "add-host-group", "precedence"])
    );
    assert_eq!(v["losing"], serde_json::json!(["FIN-1"]));
    assert_eq!(v["stale"], "stale");
    assert_eq!(
        v["bad"],
        "the desired-state map: `policies[0].settings.GetComand`: unknown setting `GetComand`: the settings are \
         RealTimeFunctionality, CustomScripts, GetCommand, PutCommand, ExecCommand, FalconScripts, MemDumpCommand, \
         XMemDumpCommand, PutAndRunCommand; did you mean `GetCommand`?"
    );
    assert_eq!(v["applied"], true);
    assert_eq!(v["again"], false);
    assert_eq!(effective(&sim, "FIN-1"), "IR hold");
}

#[test]
fn bad_files_are_errors_with_file_line_and_a_suggestion() {
    let sim = tenant();
    let cases = [
        (
            "[[policies]]\nname = \"x\"\nplatform = \"Windows\"\nsettings = { GetComand = true }\n",
            "error: unknown setting `GetComand`",
            "did you mean `GetCommand`?",
            " --> p.toml:4:14",
        ),
        (
            "[[policies]]\nname = \"x\"\nplatfrom = \"Windows\"\n",
            "error: unknown key `platfrom`",
            "did you mean `platform`?",
            " --> p.toml:3:1",
        ),
        (
            "[platforms.Windos]\nexclusive = true\n",
            "error: unknown platform `Windos`",
            "did you mean `Windows`?",
            " --> p.toml:1:12",
        ),
        (
            "[[policies]]\nname = \"x\"\nplatform = \"Windows\"\nenabled = \"yes\"\n",
            "error: `enabled` must be true or false, got a string",
            "",
            " --> p.toml:4:1",
        ),
        (
            "[[policies]]\nname = \"x\"\nplatform = \"Windows\"\ngroups = [\"Finanse\"]\n",
            "error: no host group named `Finanse` in the tenant",
            "did you mean `Finance`?",
            " --> p.toml:4:11",
        ),
        (
            "[[policies]]\nname = \"x\"\nplatform = \"Linux\"\nsettings = { FalconScripts = false }\n",
            "error: Linux policies have no setting `FalconScripts`",
            "",
            " --> p.toml:4:14",
        ),
        (
            "[[policies]]\nname = \"x\"\n",
            "error: missing `platform`",
            "",
            " --> p.toml:1:",
        ),
        (
            "[[policies]]\nname = \"x\nplatform = 1\n",
            "error: not valid TOML",
            "",
            " --> p.toml:2:",
        ),
    ];
    for (file, message, hint, at) in cases {
        falconry(&sim)
            .file("p.toml", file)
            .command(&["policy", "plan", "p.toml"])
            .run()
            .status(1)
            .stdout_is("")
            .stderr_has(message)
            .stderr_has(hint)
            .stderr_has(at);
    }
}

#[test]
fn exit_codes_are_0_unchanged_2_changed_1_error_3_refused() {
    let sim = tenant();
    let file = export(&sim);
    let run = |args: &[&str]| {
        falconry(&sim)
            .file("p.toml", &file)
            .file("new.toml", DESIRED)
            .command(args)
            .run()
    };
    run(&["policy", "plan", "p.toml"]).status(0);
    run(&["policy", "plan", "new.toml"]).status(2);
    run(&["policy", "plan", "missing.toml"])
        .status(1)
        .stderr_has("cannot read missing.toml");
    run(&["policy", "plan"]).status(1);
    run(&["policy", "plan", "p.toml", "--no-such-flag"]).status(1);
    run(&["policy", "apply", "p.toml"]).status(0);
    run(&["policy", "apply", "new.toml"])
        .status(3)
        .stderr_has("refused: the plan removes RTR capabilities");
    run(&["policy", "export", "--platform", "Amiga"])
        .status(1)
        .stderr_has("unknown platform `Amiga`");
}

fn repo_file(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn without_credentials_plan_runs_on_the_embedded_emulator_as_the_readme_shows() {
    let out = Test::new()
        .command(&["policy", "plan", &repo_file("playbooks/policies.toml")])
        .run();
    out.status(2).stderr_has("using the embedded emulator");
    let readme = std::fs::read_to_string(repo_file("README.md")).expect("README");
    let shown = format!(
        "$ falconry policy plan playbooks/policies.toml\n{}```",
        out.stdout
    );
    assert!(readme.contains(&shown), "README does not show:\n{shown}");
}

#[test]
fn the_hold_playbook_shows_the_impact_then_applies_only_when_asked() {
    let playbook = repo_file("playbooks/policy_hold.rhai");
    let looked = Test::new()
        .command(&["run", &playbook, "--json"])
        .arg("--arg")
        .arg("host=FIN-WS-003")
        .run();
    looked.status(0);
    let v = looked.json();
    assert_eq!(v["group"], "finance");
    assert_eq!(v["applied"], false);
    let held: Vec<&str> = v["impact"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["hostname"].as_str().unwrap())
        .collect();
    assert_eq!(held, ["WS-042", "FIN-WS-003"]);
    assert_eq!(
        v["impact"][0]["lose"],
        serde_json::json!(["falconscript", "put", "put-and-run", "run", "runscript"])
    );
    // Applying takes capabilities away: refused without `--allow-destructive`, done with it.
    Test::new()
        .command(&["run", &playbook, "--arg", "apply=true"])
        .run()
        .status(3)
        .stderr_has("refused: the plan removes RTR capabilities from 2 hosts");
    let applied = Test::new()
        .command(&[
            "run",
            &playbook,
            "--json",
            "--arg",
            "apply=true",
            "--allow-destructive",
        ])
        .run();
    applied.status(0);
    assert_eq!(applied.json()["applied"], true);
}
