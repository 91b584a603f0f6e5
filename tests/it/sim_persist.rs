//! The embedded emulator remembers between commands (issue 25): every command without credentials
//! in one folder sees the tenant the previous one left, through the state file beside the output
//! folder; `falconry sim reset` forgets it, `falconry sim status` shows it, and an offline host
//! comes back by schedule or by `falconry sim host NAME --online`. Each test has its own folder.

use std::path::Path;
use std::process::Command;

const WS_108: &str = "1c0e9d8b7a6f45e3a2b1c0d9e8f7a6b5";
const STATE: &str = "falconry-sim-state.jsonl";

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Out {
    fn show(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    fn ok(self) -> Out {
        assert_eq!(self.code, Some(0), "{}", self.show());
        self
    }
}

/// `falconry ARGS` in `dir`, with no credentials (the embedded emulator).
fn falconry(dir: &Path, args: &[&str]) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_falconry"));
    cmd.args(args)
        .current_dir(dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("HOME", dir);
    for k in [
        "FALCON_CLIENT_ID",
        "FALCON_CLIENT_SECRET",
        "FALCON_MEMBER_CID",
        "FALCON_CLOUD",
        "FALCON_BASE_URL",
    ] {
        cmd.env_remove(k);
    }
    let o = cmd.output().expect("run falconry");
    Out {
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn policies_file(dir: &Path) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks/policies.toml");
    let dst = dir.join("policies.toml");
    std::fs::copy(src, &dst).expect("copy the example policies");
    "policies.toml".into()
}

/// The README's invitation, in order: plan (changes, exit 2), apply, plan again (no changes, exit 0).
#[test]
fn policy_apply_then_plan_on_the_embedded_emulator_finds_nothing_left_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let file = policies_file(dir.path());
    let plan = falconry(dir.path(), &["policy", "plan", &file]);
    assert_eq!(plan.code, Some(2), "{}", plan.show());
    assert!(
        plan.stderr.contains("the embedded emulator")
            && plan.stderr.contains(&format!("state from `{STATE}`")),
        "{}",
        plan.show()
    );
    let apply = falconry(
        dir.path(),
        &["policy", "apply", &file, "--allow-destructive"],
    )
    .ok();
    assert!(
        apply.stdout.contains("Applied 6 changes"),
        "{}",
        apply.show()
    );
    let again = falconry(dir.path(), &["policy", "plan", &file]).ok();
    assert!(
        again.stdout.contains("No changes") && again.stderr.contains("(6 change(s) so far"),
        "{}",
        again.show()
    );
    let status = falconry(dir.path(), &["sim", "status"]).ok();
    assert!(
        status.stdout.contains("6 change(s) since")
            && status
                .stdout
                .contains("createRTResponsePolicies `IR - finance lockdown`"),
        "{}",
        status.show()
    );
}

/// `sim reset` forgets: the same plan shows its changes again; a second reset has nothing to forget.
#[test]
fn sim_reset_forgets_the_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let file = policies_file(dir.path());
    falconry(
        dir.path(),
        &["policy", "apply", &file, "--allow-destructive"],
    )
    .ok();
    falconry(dir.path(), &["policy", "plan", &file]).ok();
    let reset = falconry(dir.path(), &["sim", "reset"]).ok();
    assert!(reset.stderr.contains("forgot"), "{}", reset.show());
    assert!(!dir.path().join(STATE).exists());
    let plan = falconry(dir.path(), &["policy", "plan", &file]);
    assert_eq!(plan.code, Some(2), "{}", plan.show());
    assert!(plan.stdout.contains("6 changes"), "{}", plan.show());
    let status = falconry(dir.path(), &["sim", "status"]).ok();
    assert!(
        status.stdout.contains("0 change(s) since"),
        "{}",
        status.show()
    );
    std::fs::remove_file(dir.path().join(STATE)).unwrap();
    let nothing = falconry(dir.path(), &["sim", "reset"]).ok();
    assert!(
        nothing.stderr.contains("nothing to forget"),
        "{}",
        nothing.show()
    );
}

/// Queue in one run, collect in a later one: `ps` queued for the offline WS-108 is pending while it
/// stays offline, and done (with its processes) in a run after `sim host WS-108 --online`.
#[test]
fn a_command_queued_in_one_run_is_collected_in_a_later_run_after_the_host_returns() {
    let dir = tempfile::tempdir().unwrap();
    let queue = format!(
        r#"let b = rtr::batch(["{WS_108}"], #{{ queue_offline: true }});
           b.run("ps")"#
    );
    std::fs::write(dir.path().join("queue.rhai"), queue).unwrap();
    std::fs::write(dir.path().join("collect.rhai"), "rtr::queued(args.answer)").unwrap();
    let saved = falconry(dir.path(), &["run", "queue.rhai", "--json"]).ok();
    let saved: serde_json::Value = serde_json::from_str(&saved.stdout).expect("json");
    assert_eq!(saved["queued"][WS_108]["queued"], true, "{saved}");
    let arg = format!("answer={saved}");
    let collect = || {
        let o = falconry(
            dir.path(),
            &["run", "collect.rhai", "--json", "--arg-json", &arg],
        )
        .ok();
        serde_json::from_str::<serde_json::Value>(&o.stdout).expect("json")
    };
    let still = collect();
    assert_eq!(still["pending"][0]["hostname"], "WS-108", "{still}");
    let status = falconry(dir.path(), &["sim", "status"]).ok();
    assert!(
        status.stdout.contains("WS-108 (back online at"),
        "{}",
        status.show()
    );
    let back = falconry(dir.path(), &["sim", "host", "WS-108", "--online"]).ok();
    assert!(back.stderr.contains("online"), "{}", back.show());
    let done = collect();
    assert_eq!(done["pending"], serde_json::json!([]), "{done}");
    assert_eq!(done["done"][0]["hostname"], "WS-108", "{done}");
    assert!(
        done["done"][0]["processes"]
            .as_array()
            .is_some_and(|p| !p.is_empty()),
        "{done}"
    );
    let status = falconry(dir.path(), &["sim", "status"]).ok();
    assert!(
        status.stdout.contains("host `WS-108` online (manual)")
            && !status.stdout.contains("Offline hosts"),
        "{}",
        status.show()
    );
}

/// The schedule: WS-108 comes back 30 minutes after the tenant was created. A state file created
/// an hour ago (its header's time moved back) finds the host online and the queued command run.
#[test]
fn an_offline_host_comes_back_on_the_scenarios_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let queue = format!(
        r#"let b = rtr::batch(["{WS_108}"], #{{ queue_offline: true }});
           b.run("ps")"#
    );
    std::fs::write(dir.path().join("queue.rhai"), queue).unwrap();
    let saved = falconry(dir.path(), &["run", "queue.rhai", "--json"]).ok();
    let saved: serde_json::Value = serde_json::from_str(&saved.stdout).expect("json");
    assert_eq!(saved["queued"][WS_108]["queued"], true, "{saved}");
    let path = dir.path().join(STATE);
    let text = std::fs::read_to_string(&path).unwrap();
    let (header, rest) = text.split_once('\n').unwrap();
    let mut header: serde_json::Value = serde_json::from_str(header).unwrap();
    let created = header["created_ms"].as_u64().unwrap();
    header["created_ms"] = serde_json::json!(created - 3_600_000);
    std::fs::write(&path, format!("{header}\n{rest}")).unwrap();
    let status = falconry(dir.path(), &["sim", "status"]).ok();
    assert!(
        status.stdout.contains("host `WS-108` online (schedule)"),
        "{}",
        status.show()
    );
    std::fs::write(dir.path().join("collect.rhai"), "rtr::queued(args.answer)").unwrap();
    let arg = format!("answer={saved}");
    let done = falconry(
        dir.path(),
        &["run", "collect.rhai", "--json", "--arg-json", &arg],
    )
    .ok();
    let done: serde_json::Value = serde_json::from_str(&done.stdout).expect("json");
    assert_eq!(done["done"][0]["hostname"], "WS-108", "{done}");
}

/// One command at a time per folder: a state file locked by a running command is refused, naming
/// the file, and nothing is changed.
#[test]
fn a_second_command_in_the_same_folder_waits_its_turn() {
    let dir = tempfile::tempdir().unwrap();
    falconry(dir.path(), &["sim", "status"]).ok();
    // The emulator library opens (and locks) the same file, as a running command would.
    let path = dir.path().join(STATE);
    let (_held, _) =
        falconry::sim::open_persistent(&falconry::sim::SimConfig::default(), &path).unwrap();
    let busy = falconry(dir.path(), &["sim", "status"]);
    assert_eq!(busy.code, Some(1), "{}", busy.show());
    assert!(
        busy.stderr
            .contains("is in use by another falconry command"),
        "{}",
        busy.show()
    );
    let reset = falconry(dir.path(), &["sim", "reset"]);
    assert_ne!(reset.code, Some(0), "{}", reset.show());
    assert!(path.exists());
}

/// A damaged state file is refused with the way out, not silently replaced.
#[test]
fn a_damaged_state_file_is_refused_with_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(STATE), "not json\n").unwrap();
    std::fs::write(dir.path().join("one.rhai"), "1").unwrap();
    let o = falconry(dir.path(), &["run", "one.rhai"]);
    assert_ne!(o.code, Some(0), "{}", o.show());
    assert!(
        o.stderr.contains("is damaged") && o.stderr.contains("falconry sim reset"),
        "{}",
        o.show()
    );
}
