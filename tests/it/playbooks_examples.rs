//! The example playbooks of `playbooks/`, run through the real binary against the emulator's
//! built-in scenario, with their JSON reports and the emulator's state after them checked.

use crate::rtr_support::{FIN_WS_003, Tenant, WEB_01, WS_042, WS_108, sha256};
use falconry::sim::host::fleet::{EVIL_EXE, KWORKERD, LINUX_MINER, windows_implant};
use serde_json::Value;

fn strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|x| x.as_str().unwrap_or_default().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn triage_finds_and_collects_the_implant_without_changing_the_host() {
    let t = Tenant::new();
    let run = t.playbook("triage.rhai", &[]);
    let report = run.ok().json();
    assert_eq!(report["host"]["hostname"], "WS-042");
    let suspicious = report["suspicious"].as_array().unwrap();
    assert_eq!(suspicious.len(), 1, "{}", run.show());
    let evil = &suspicious[0];
    // Windows `ps` prints `Get-Process` names, without `.exe` (the real captures show `conhost`).
    assert_eq!(evil["name"], "evil");
    assert_eq!(evil["pid"], 6612);
    assert_eq!(evil["path"], windows_implant("bob"));
    assert_eq!(evil["sha256"], sha256(EVIL_EXE.as_bytes()));
    assert_eq!(evil["connections"][0], "185.220.101.47:443");
    assert_eq!(
        report["persistence"][0]["where"],
        "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\WindowsUpdateHelper"
    );
    assert_eq!(report["persistence"][0]["runs"], windows_implant("bob"));
    let local = std::path::PathBuf::from(evil["collected"].as_str().unwrap());
    assert!(local.starts_with(t.out().join("WS-042")), "{local:?}");
    assert_eq!(std::fs::read(&local).unwrap(), EVIL_EXE.as_bytes());
    // Read-only: the implant still runs and its file is still there.
    assert!(t.runs(WS_042, "evil.exe"));
    assert!(t.has_file(WS_042, &windows_implant("bob")));
    assert!(run.stderr.contains("Triage of WS-042") || run.stdout.contains("Triage of WS-042"));
    t.each_command_ran_once();
}

#[test]
fn triage_of_the_linux_host_finds_the_miner_and_its_cron_entry() {
    let t = Tenant::new();
    let report = t
        .playbook("triage.rhai", &["--arg", "host=web-01"])
        .ok()
        .json();
    assert_eq!(report["host"]["device_id"], WEB_01);
    let s = &report["suspicious"][0];
    assert_eq!(s["name"], "kworkerd");
    assert_eq!(s["path"], LINUX_MINER);
    assert_eq!(s["sha256"], sha256(KWORKERD.as_bytes()));
    assert_eq!(report["persistence"][0]["where"], "/etc/cron.d/kworkerd");
}

#[test]
fn hunt_ioc_finds_ws_042_by_process_connection_and_hash_and_reports_the_offline_host() {
    let t = Tenant::new();
    let run = t.playbook("hunt_ioc.rhai", &[]);
    let report = run.ok().json();
    let compromised = report["compromised"].as_array().unwrap();
    assert_eq!(compromised.len(), 1, "{}", run.show());
    assert_eq!(compromised[0]["hostname"], "WS-042");
    let kinds: Vec<&str> = compromised[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["indicator"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["process", "connection", "sha256"]);
    assert_eq!(strings(&report["no_answer"]), [WS_108]);
    assert_eq!(report["clean"].as_array().unwrap().len(), 3);
    // One batch session for the whole hunt.
    assert_eq!(t.count("POST", "batch-init-session"), 1);
    t.each_command_ran_once();
}

#[test]
fn kill_and_quarantine_stops_before_changing_anything_unless_allowed() {
    let t = Tenant::new();
    let report = t.playbook("kill_and_quarantine.rhai", &[]).refused().json();
    assert!(
        report["refused"]
            .as_str()
            .unwrap()
            .contains("--allow-destructive")
    );
    assert_eq!(report["verified"], false);
    assert!(t.runs(WS_042, "evil.exe"));
    assert!(t.has_file(WS_042, &windows_implant("bob")));
}

#[test]
fn kill_and_quarantine_kills_collects_removes_and_verifies() {
    let t = Tenant::new();
    let report = t
        .playbook("kill_and_quarantine.rhai", &["--allow-destructive"])
        .ok()
        .json();
    assert_eq!(report["verified"], true);
    assert_eq!(report["killed"][0]["pid"], 6612);
    assert_eq!(
        report["collected"][0]["sha256"],
        sha256(EVIL_EXE.as_bytes())
    );
    assert_eq!(report["collected"][0]["verified"], true);
    assert_eq!(report["removed"][0], windows_implant("bob"));
    assert_eq!(
        report["autostarts_removed"][0],
        "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\WindowsUpdateHelper"
    );
    assert_eq!(report["autostarts_left"], serde_json::json!([]));
    // The emulator agrees: no process, no file; every command ran once.
    assert!(!t.runs(WS_042, "evil.exe"));
    assert!(!t.has_file(WS_042, &windows_implant("bob")));
    t.each_command_ran_once();
    // And a later `ps` no longer shows it.
    let later = t
        .script(
            r#"let s = rtr::session(hosts::find("WS-042")); s.run("ps").processes.filter(|p| p.name == "evil").len()"#,
            &[],
        )
        .ok()
        .json();
    assert_eq!(later, 0);
}

#[test]
fn kill_and_quarantine_on_linux_can_contain_the_host_too() {
    let t = Tenant::new();
    let report = t
        .playbook(
            "kill_and_quarantine.rhai",
            &[
                "--arg",
                "host=web-01",
                "--arg",
                "process=kworkerd",
                "--arg",
                "contain=true",
                "--allow-destructive",
            ],
        )
        .ok()
        .json();
    assert_eq!(report["verified"], true);
    assert_eq!(report["contained"], true);
    assert!(!t.runs(WEB_01, "kworkerd"));
    assert!(!t.has_file(WEB_01, LINUX_MINER));
    assert!(!t.has_file(WEB_01, "/etc/cron.d/kworkerd"));
    assert_eq!(report["autostarts_removed"][0], "/etc/cron.d/kworkerd");
}

#[test]
fn policy_rollout_governs_exactly_the_group_and_is_idempotent() {
    let t = Tenant::new();
    let first = t.playbook("policy_rollout.rhai", &[]).ok().json();
    assert_eq!(first["created"], true);
    assert_eq!(first["enabled"], true);
    assert_eq!(first["precedence"], 1);
    assert_eq!(first["members_ok"], true);
    assert_eq!(strings(&first["members"]), {
        let mut v = vec![WS_042.to_string(), FIN_WS_003.to_string()];
        v.sort();
        v
    });
    assert_eq!(strings(&first["enforced_on"]), ["FIN-WS-003", "WS-042"]);
    // The emulator applies it.
    assert_eq!(
        t.state().effective_policy_name(WS_042).as_deref(),
        Some("IR - finance lockdown")
    );
    assert_eq!(
        t.state().effective_policy_name(WS_108).as_deref(),
        Some("platform_default")
    );
    let again = t.playbook("policy_rollout.rhai", &[]).ok().json();
    assert_eq!(again["created"], false);
    assert_eq!(again["policy_id"], first["policy_id"]);
    assert_eq!(again["members_ok"], true);
}

#[test]
fn sync_scripts_creates_updates_and_deletes_only_its_own() {
    let t = Tenant::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let work = t.dir.path().join("pb");
    std::fs::create_dir_all(work.join("scripts")).unwrap();
    std::fs::copy(
        root.join("sync_scripts.rhai"),
        work.join("sync_scripts.rhai"),
    )
    .unwrap();
    for e in std::fs::read_dir(root.join("scripts")).unwrap().flatten() {
        std::fs::copy(e.path(), work.join("scripts").join(e.file_name())).unwrap();
    }
    let playbook = work.join("sync_scripts.rhai");
    let first = t.run(&playbook, &[]).ok().json();
    assert_eq!(
        strings(&first["created"]),
        [
            "collect_autoruns.ps1",
            "list_cron.sh",
            "network_snapshot.ps1"
        ]
    );
    assert_eq!(first["in_step"], true);

    // Someone else's script with a local name is left alone.
    t.script(
        r#"real_time_response_admin::create_scripts(#{ name: "theirs.ps1", content: "Write-Output 1",
              platform: ["windows"], permission_type: "private", description: "hand made" });"#,
        &[],
    )
    .ok();
    std::fs::write(work.join("scripts/theirs.ps1"), "Write-Output 2").unwrap();
    std::fs::write(
        work.join("scripts/network_snapshot.ps1"),
        "Write-Output changed",
    )
    .unwrap();
    std::fs::remove_file(work.join("scripts/list_cron.sh")).unwrap();
    let cautious = t.run(&playbook, &[]).refused().json();
    assert_eq!(strings(&cautious["updated"]), ["network_snapshot.ps1"]);
    assert_eq!(strings(&cautious["stale"]), ["list_cron.sh"]);
    assert!(cautious["deleted"].as_array().unwrap().is_empty());
    // The refused delete fails the run; the summary names it and the update already made.
    let second = t.run(&playbook, &["--allow-destructive"]).ok().json();
    assert_eq!(strings(&second["updated"]), [] as [&str; 0]);
    assert_eq!(strings(&second["deleted"]), ["list_cron.sh"]);
    assert_eq!(
        strings(&second["unchanged"]),
        ["collect_autoruns.ps1", "network_snapshot.ps1"]
    );
    assert_eq!(strings(&second["skipped"]), ["theirs.ps1"]);
    assert!(second["created"].as_array().unwrap().is_empty());

    // The library holds the new content.
    let content = t
        .script(
            r#"let ids = real_time_response_admin::list_scripts(#{ filter: "name:'network_snapshot.ps1'" }).body.resources;
               real_time_response_admin::get_scripts(#{ ids: ids }).body.resources[0].content"#,
            &[],
        )
        .ok()
        .json();
    assert_eq!(content, "Write-Output changed");
    let third = t.run(&playbook, &[]).ok().json();
    assert_eq!(third["unchanged"].as_array().unwrap().len(), 2);
}

#[test]
fn remediate_runs_only_on_affected_hosts_and_leaves_them_clean() {
    let t = Tenant::new();
    let refused = t.playbook("remediate.rhai", &[]).refused().json();
    assert_eq!(refused["clean"], 0);
    assert!(t.runs(WS_042, "evil.exe"));

    let t = Tenant::new();
    let report = t
        .playbook("remediate.rhai", &["--allow-destructive"])
        .ok()
        .json();
    assert_eq!(report["clean"], 2);
    let mut affected: Vec<&String> = report["affected"].as_object().unwrap().keys().collect();
    affected.sort();
    assert_eq!(affected, [&WS_042.to_string(), &WEB_01.to_string()]);
    assert!(!t.runs(WS_042, "evil.exe") && !t.runs(WEB_01, "kworkerd"));
    assert!(!t.has_file(WS_042, &windows_implant("bob")) && !t.has_file(WEB_01, LINUX_MINER));
    // Put-and-run went to the two affected hosts only.
    assert_eq!(t.count("POST", "admin-command"), 2);
    t.each_command_ran_once();
}

#[test]
fn the_seed_operations_playbook_runs_green_through_the_binary() {
    let t = Tenant::new();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/playbooks/seed_ops.rhai");
    let run = t.run(&path, &["--allow-destructive"]);
    run.ok();
}

#[test]
fn every_example_runs_unchanged_on_the_embedded_emulator() {
    // No credentials: `falconry run` starts the embedded emulator with the default scenario.
    for name in ["triage.rhai", "hunt_ioc.rhai", "policy_rollout.rhai"] {
        let dir = tempfile::tempdir().unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("playbooks")
            .join(name);
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_falconry"))
            .arg("run")
            .arg(&path)
            .current_dir(dir.path())
            .env_remove("FALCON_CLIENT_ID")
            .env_remove("FALCON_CLIENT_SECRET")
            .env_remove("FALCON_BASE_URL")
            .env("XDG_DATA_HOME", dir.path())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(String::from_utf8_lossy(&o.stderr).contains("embedded emulator"));
    }
}

#[test]
fn the_readme_starts_with_the_triage_playbook() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let first_run = readme.lines().find(|l| l.contains(" run ")).unwrap();
    assert!(first_run.contains("playbooks/triage.rhai"), "{first_run}");
}

#[test]
fn kill_and_quarantine_in_plan_mode_reads_for_real_and_changes_nothing() {
    let t = Tenant::new();
    let run = t.playbook("kill_and_quarantine.rhai", &["--plan"]);
    run.ok();
    assert!(
        run.stderr.contains("`kill 6612`") || run.stdout.contains("`kill 6612`"),
        "{}",
        run.show()
    );
    assert!(t.runs(WS_042, "evil.exe"));
    assert!(t.has_file(WS_042, &windows_implant("bob")));
    // Only read-only commands and the `get` reached the host.
    assert_eq!(t.count("POST", "active-responder-command"), 1);
}
