//! `falconry run` through the real binary: errors with positions, argument validation, `--arg`, `--json`, limits.

use crate::common::Test;
use std::time::Duration;

#[test]
fn a_syntax_error_shows_file_line_and_column() {
    Test::new()
        .playbook("let x = 1;\nlet y = (x + ;\n")
        .emulator()
        .run()
        .status(1)
        .stderr_is(
            "error: unexpected ';'\n --> playbook.rhai:2:14\n  |\n2 | let y = (x + ;\n  |              ^\n",
        );
}

#[test]
fn a_runtime_error_points_at_its_line() {
    Test::new()
        .playbook("let a = [1, 2];\nprint(a[5]);\n")
        .emulator()
        .run()
        .status(1)
        .stderr_has("error: array index 5 out of bounds")
        .stderr_has(" --> playbook.rhai:2:")
        .stderr_has("2 | print(a[5]);");
}

#[test]
fn an_unknown_argument_key_names_the_operation_the_key_and_what_is_allowed() {
    Test::new()
        .playbook("let r = response_policies::query_policies(#{ limt: 10 });\n")
        .emulator()
        .run()
        .status(1)
        .stderr_is(concat!(
            "error: `response_policies::query_policies`: argument `limt` is not accepted (did you mean `limit`?); allowed: `filter`, `offset`, `limit`, `sort`, `parameters`\n",
            " --> playbook.rhai:1:28\n",
            "  |\n",
            "1 | let r = response_policies::query_policies(#{ limt: 10 });\n",
            "  |                            ^\n",
        ))
        .no_secret()
        .nothing_sent();
}

#[test]
fn a_wrong_type_is_refused_before_sending() {
    Test::new()
        .playbook("hosts::query_devices_by_filter(#{ limit: \"ten\" });\n")
        .emulator()
        .run()
        .status(1)
        .stderr_has("error: `hosts::query_devices_by_filter`: argument `limit` must be a integer, got a string")
        .stderr_lacks("could not be sent")
        .nothing_sent();
}

#[test]
fn an_out_of_range_limit_is_refused_before_sending() {
    Test::new()
        .playbook("response_policies::query_combined_policies(#{ limit: 9000 });\n")
        .emulator()
        .run()
        .status(1)
        .stderr_has("argument `limit` must be between 1 and 5000, got 9000")
        .stderr_lacks("could not be sent")
        .nothing_sent();
}

/// The spec's schema gives `QueryDevicesByFilter`'s `limit` no maximum; its text (FalconPy's
/// `[1-5000]`, the table's `documented_range`) does, and the real API and the emulator refuse beyond it.
#[test]
fn a_limit_beyond_the_documented_range_is_refused_before_sending() {
    Test::new()
        .playbook("hosts::query_devices_by_filter(#{ limit: 5001 });\n")
        .emulator()
        .run()
        .status(1)
        .stderr_has("error: `hosts::query_devices_by_filter`: argument `limit` must be between 1 and 5000, got 5001")
        .stderr_lacks("could not be sent")
        .nothing_sent();
    Test::new()
        .playbook("print(hosts::query_devices_by_filter(#{ limit: 5000 }).len());\n")
        .emulator()
        .run()
        .status(0);
}

#[test]
fn a_value_outside_an_enum_lists_the_allowed_values() {
    Test::new()
        .playbook("response_policies::perform_policies_action(#{ action_name: \"explode\", ids: \"p1\" });\n")
        .emulator()
        .run()
        .status(1)
        .stderr_has("error: `response_policies::perform_policies_action`: argument `action_name` must be one of `add-host-group`, `add-rule-group`, `disable`, `enable`, `remove-host-group`, `remove-rule-group`, got \"explode\"")
        .stderr_lacks("could not be sent")
        .nothing_sent();
}

#[test]
fn transport_failures_say_what_failed_and_never_show_the_secret() {
    Test::new()
        .playbook("hosts::query_devices_by_filter(#{ limit: 1 });\n")
        .unreachable_tenant()
        .run()
        .status(1)
        .stderr_has("could not be sent")
        .stderr_has("--> playbook.rhai:1:8")
        .no_secret();
}

#[test]
fn args_stay_the_strings_typed_and_arg_json_gives_typed_values() {
    Test::new()
        .playbook(
            "[args.host, args.id, args.count + 1, args.force == true, args.note, args.ids, args.get_int(\"id\", 0)]",
        )
        .arg("--arg")
        .arg("host=WS-042")
        .arg("--arg")
        .arg("id=0042")
        .arg("--arg-json")
        .arg("count=41")
        .arg("--arg-json")
        .arg("force=true")
        .arg("--arg=note=a=b")
        .arg("--arg-json")
        .arg(r#"ids=["a","b"]"#)
        .arg("--json")
        .emulator()
        .run()
        .status(0)
        .stdout_is(
            "[\n  \"WS-042\",\n  \"0042\",\n  42,\n  true,\n  \"a=b\",\n  [\n    \"a\",\n    \"b\"\n  ],\n  42\n]\n",
        );
    Test::new()
        .playbook("args.n")
        .arg("--arg-json")
        .arg("n=WS-042")
        .run()
        .status(2)
        .stderr_has("`--arg-json n=WS-042`: the value is not JSON");
}

#[test]
fn malformed_args_are_usage_errors() {
    Test::new()
        .playbook("1")
        .arg("--arg")
        .arg("novalue")
        .run()
        .status(2)
        .stderr_is("error: `--arg novalue` needs the form `key=value`\n");
    Test::new()
        .playbook("1")
        .arg("--arg")
        .arg("a=1")
        .arg("--arg")
        .arg("a=2")
        .run()
        .status(2)
        .stderr_is("error: `--arg a=2`: the key `a` is given twice\n");
}

#[test]
fn json_mode_keeps_stdout_for_the_final_value() {
    Test::new()
        .playbook("print(\"progress\");\nlog::info(\"working\");\n#{ hosts: [\"a\", \"b\"], count: 2, ok: true }")
        .arg("--json")
        .emulator()
        .run()
        .status(0)
        .stdout_is("{\n  \"count\": 2,\n  \"hosts\": [\n    \"a\",\n    \"b\"\n  ],\n  \"ok\": true\n}\n")
        .stderr_has("progress\n")
        .stderr_has("INFO  working");
}

#[test]
fn without_json_print_goes_to_stdout_and_the_value_is_not_printed() {
    Test::new()
        .playbook("print(\"hello\");\n42")
        .emulator()
        .run()
        .status(0)
        .stdout_is("hello\n");
}

#[test]
fn an_infinite_loop_stops_at_the_time_limit() {
    Test::new()
        .playbook("let n = 0;\nloop { n += 1; }\n")
        .arg("--timeout")
        .arg("1s")
        .emulator()
        .run()
        .status(1)
        .stderr_has(
            "error: the playbook ran longer than the time limit of 1s (raise it with `--timeout`)",
        )
        .stderr_has("--> playbook.rhai:2:")
        .finished_within(Duration::from_secs(20));
}

#[test]
fn sleeping_past_the_time_limit_stops_too() {
    Test::new()
        .playbook("sleep(600);\n")
        .arg("--timeout")
        .arg("500ms")
        .emulator()
        .run()
        .status(1)
        .stderr_has("time limit of 500ms")
        .finished_within(Duration::from_secs(20));
}

#[test]
fn deep_recursion_is_a_clear_error() {
    Test::new()
        .playbook("fn down(n) { down(n + 1) }\ndown(0);\n")
        .emulator()
        .run()
        .status(1)
        .stderr_has("error: function calls are nested too deeply (infinite recursion?); raise the limit with `--max-call-depth`")
        .stderr_has("--> playbook.rhai:2:1");
}

#[test]
fn limits_can_be_raised_or_lowered() {
    Test::new()
        .playbook("let n = 0;\nfor i in 0..1000 { n += i; }\nn")
        .arg("--max-operations")
        .arg("100")
        .emulator()
        .run()
        .status(1)
        .stderr_has(
            "error: the playbook ran too many operations; raise the limit with `--max-operations`",
        );
    Test::new()
        .playbook("fn down(n) { if n == 0 { 0 } else { down(n - 1) } }\ndown(100)")
        .arg("--max-call-depth")
        .arg("200")
        .arg("--json")
        .emulator()
        .run()
        .status(0)
        .stdout_is("0\n");
    Test::new()
        .playbook("1")
        .arg("--timeout")
        .arg("soon")
        .run()
        .status(2)
        .stderr_has("error: `--timeout soon` is not a duration like `90s`, `10m` or `2h`");
}

#[test]
fn huge_strings_hit_the_size_limit() {
    Test::new()
        .playbook("let s = \"x\";\nloop { s += s; }\n")
        .arg("--max-string-size")
        .arg("1000000")
        .emulator()
        .run()
        .status(1)
        .stderr_has(
            "error: length of string is too large; raise the limit with `--max-string-size`",
        );
}

#[test]
fn uncaught_throws_show_their_value_and_position() {
    Test::new()
        .playbook("let x = 1;\nif x == 1 { throw \"host WS-042 is not contained\"; }\n")
        .emulator()
        .run()
        .status(1)
        .stderr_has("error: host WS-042 is not contained\n --> playbook.rhai:2:13\n");
}

#[test]
fn imports_resolve_from_lib_then_the_builtin_library() {
    Test::new()
        .file("lib/team/util.rhai", "fn double(x) { x * 2 }")
        .playbook("import \"team/util\" as t;\nimport \"falcon/util\" as u;\n[t::double(21), u::chunks([1, 2, 3], 2)]")
        .arg("--lib")
        .arg("lib")
        .arg("--json")
        .emulator()
        .run()
        .status(0)
        .stdout_is("[\n  42,\n  [\n    [\n      1,\n      2\n    ],\n    [\n      3\n    ]\n  ]\n]\n");
}

#[test]
fn a_missing_playbook_is_a_clear_error() {
    Test::new()
        .command(&["run", "nope.rhai"])
        .emulator()
        .run()
        .status(1)
        .stderr_has("error: cannot read `nope.rhai`");
}

#[test]
fn ctrl_c_stops_the_playbook_cleanly() {
    Test::new()
        .playbook("log::info(\"started\");\nsleep(600);\n")
        .interrupt_after(Duration::from_millis(1500))
        .emulator()
        .run()
        .status(130)
        .stderr_has("falconry: interrupted; stopping the playbook")
        .stderr_has("error: the playbook was interrupted\n --> playbook.rhai:2:1\n")
        .finished_within(Duration::from_secs(20));
}

#[test]
fn help_shows_the_real_default_limits() {
    let l = falconry::engine::Limits::default();
    let out = Test::new().command(&["run", "--help"]).run();
    out.status(0)
        .stdout_has(&format!(
            "[default: {}]",
            humantime::format_duration(l.timeout)
        ))
        .stdout_has(&format!("[default: {}]", l.max_operations))
        .stdout_has(&format!("[default: {}]", l.max_call_depth))
        .stdout_has("Longest string, in bytes; when set")
        .stdout_has("[default: a quarter of physical memory, or 4GiB]");
    // Rhai's data limits are off unless asked for (crates/client/src/engine/memory.rs says why).
    assert_eq!(
        (l.max_string_size, l.max_array_size, l.max_map_size),
        (0, 0, 0)
    );
    assert!(l.max_memory >= 256 << 20);
}

/// A statement that outgrows `--max-memory` is stopped; the REPL stays usable, and a statement
/// that adds little runs even while the session holds much (it can drop values).
#[test]
fn the_memory_limit_stops_a_statement_and_the_repl_goes_on() {
    let t = crate::safety_support::Tenant::new("");
    let repl = crate::safety_support::Run::new(&t)
        .arg("repl")
        .arg("--max-memory")
        .arg("128MiB")
        .arg("--history")
        .arg(t.path("history"))
        .input("let s = \"x\"; loop { s += s; }\ns.len() > 1024 * 1024\ns = ();\n\"went on\"\n")
        .output();
    repl.success();
    assert!(
        repl.stderr
            .contains("over its limit of 128 MiB; raise the limit with `--max-memory`"),
        "{}",
        repl.stderr
    );
    assert!(repl.stdout.contains("true"), "{}", repl.stdout);
    assert!(repl.stdout.contains("went on"), "{}", repl.stdout);
    assert_eq!(
        repl.stderr.matches("--max-memory").count(),
        1,
        "{}",
        repl.stderr
    );
}

#[test]
fn a_memory_limit_must_be_a_size() {
    for bad in ["lots", "1.5GiB", "12"] {
        Test::new()
            .playbook("1")
            .arg("--max-memory")
            .arg(bad)
            .run()
            .status(2)
            .stderr_has(&format!(
                "error: `--max-memory {bad}` is not a size of at least 1 MiB like `512MiB` or `4GiB`"
            ));
    }
}

#[test]
fn big_arrays_hit_their_limit() {
    Test::new()
        .playbook("let a = [];\nloop { a.push(1); }\n")
        .arg("--max-array-size")
        .arg("1000")
        .emulator()
        .run()
        .status(1)
        .stderr_has(
            "error: size of array/BLOB is too large; raise the limit with `--max-array-size`",
        );
}

#[test]
fn a_typo_late_in_a_playbook_stops_it_before_anything_is_sent() {
    Test::new()
        .playbook(concat!(
            "response_policies::create_policies(#{ name: \"p\", platform_name: \"Windows\" });\n",
            "real_time_response_admin::execute_admin_comand(#{ base_command: \"ls\" });\n",
            "hosts::perform_action(#{ action_name: \"contain\", idz: [\"x\"] });\n",
        ))
        .emulator()
        .run()
        .status(1)
        .stderr_has("error: unknown operation `real_time_response_admin::execute_admin_comand` (did you mean `execute_admin_command`?); `falconry ops real_time_response_admin` lists them\n --> playbook.rhai:2:27\n")
        .stderr_has("error: `hosts::perform_action`: argument `idz` is not accepted")
        .stderr_has("error: 2 problems found; the playbook was not run\n")
        .nothing_sent();
}

#[test]
fn a_deeply_nested_value_is_shown_within_limits() {
    const DEEP: &str = "let x = []; for i in 0..3000 { x = [x]; } x";
    let out = Test::new().playbook(DEEP).arg("--json").run();
    out.status(0)
        .stdout_has("(the value is nested more than 64 levels deep)");
    assert!(out.stdout.len() < 1000, "{} bytes", out.stdout.len());

    // The REPL shows it the same way.
    let t = crate::safety_support::Tenant::new("");
    let repl = crate::safety_support::Run::new(&t)
        .arg("repl")
        .arg("--history")
        .arg(t.path("history"))
        .input(&format!("{DEEP}\n"))
        .output();
    repl.success();
    assert!(
        repl.stdout
            .contains("(the value is nested more than 64 levels deep)"),
        "{}",
        repl.stdout
    );
    assert!(repl.stdout.len() < 2000, "{} bytes", repl.stdout.len());
}

/// The README's first command is `cargo run ... -- run PLAYBOOK`: in a workspace whose default members
/// have more than one binary, plain `cargo run` at the root picks one only through `default-run`.
/// Read from `cargo metadata` (nothing is built: a `cargo run` here would relink the binary that the
/// other tests are running).
#[test]
fn cargo_run_at_the_root_runs_falconry() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let first = readme
        .lines()
        .find(|l| l.starts_with("cargo run"))
        .expect("the README opens with a `cargo run` command");
    assert!(first.contains("-- run playbooks/"), "{first}");
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let defaults = meta["workspace_default_members"].as_array().unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let bins: Vec<&str> = packages
        .iter()
        .filter(|p| defaults.contains(&p["id"]))
        .flat_map(|p| p["targets"].as_array().unwrap())
        .filter(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "bin"))
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let root_package = packages.iter().find(|p| p["name"] == "falconry").unwrap();
    assert!(
        bins == ["falconry"] || root_package["default_run"] == "falconry",
        "`cargo run` at the root could not choose among {bins:?}: set `default-run = \"falconry\"`"
    );
}
