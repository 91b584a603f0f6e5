//! `falconry check`: compiles without running; finds syntax errors, unknown modules, operations and keys.

use crate::common::Test;

#[test]
fn a_good_playbook_passes() {
    Test::new()
        .file(
            "good.rhai",
            "import \"falcon/util\" as u;\nlet r = response_policies::query_policies(#{ limit: 10 });\nreal_time_response_admin::RTR_ExecuteAdminCommand(#{ base_command: \"ls\", command_string: \"ls\", session_id: \"s\" });\nlog::info(u::chunks([1], 1));\n",
        )
        .command(&["check", "good.rhai"])
        .run()
        .status(0)
        .stdout_is("good.rhai: ok\n")
        .stderr_is("");
}

#[test]
fn unknown_operations_modules_and_keys_are_reported_with_positions() {
    Test::new()
        .file(
            "bad.rhai",
            concat!(
                "let a = hosts::query_devices(#{});\n",
                "fn f() {\n",
                "    response_policies::query_policies(#{ limt: 1 })\n",
                "}\n",
                "let c = rtr::init_session(#{});\n",
                "log::trace(\"x\");\n",
                "nosuch::thing();\n",
            ),
        )
        .command(&["check", "bad.rhai"])
        .run()
        .status(1)
        .stderr_has("error: unknown operation `hosts::query_devices`; `falconry ops hosts` lists them\n --> bad.rhai:1:16\n")
        .stderr_has("error: `response_policies::query_policies`: argument `limt` is not accepted (did you mean `limit`?); allowed: `filter`, `offset`, `limit`, `sort`, `parameters`\n --> bad.rhai:3:24\n")
        .stderr_has("error: module `rtr` has no function `init_session`; it has `batch`, `each`, `preflight`, `queued`, `session`\n --> bad.rhai:5:14\n")
        .stderr_has("error: module `log` has no function `trace`; it has `debug`, `error`, `info`, `warn`\n --> bad.rhai:6:6\n")
        .stderr_has("error: unknown module `nosuch`; known modules: ")
        .stderr_has("error: 5 problems found\n");
}

#[test]
fn syntax_errors_are_reported_with_positions_and_nothing_runs() {
    Test::new()
        .file("one.rhai", "let x = ;\n")
        .file(
            "two.rhai",
            "print(\"ran\");\nhosts::query_devices_by_filter(#{});\n",
        )
        .command(&["check", "one.rhai", "two.rhai"])
        // A tenant is configured, yet nothing reaches it: check never runs a statement.
        .emulator()
        .run()
        .status(1)
        .stderr_has("error: unexpected ';'\n --> one.rhai:1:9\n")
        .stdout_is("two.rhai: ok\n")
        .stderr_lacks("ran")
        .nothing_sent();
}

#[test]
fn calls_into_imported_modules_are_checked_against_their_functions() {
    Test::new()
        .file("lib/team/util.rhai", "fn double(x) { x * 2 }\nprivate fn secret() { 1 }")
        .file(
            "p.rhai",
            "import \"team/util\" as t;\nimport \"team/missing\" as m;\nt::double(1);\nt::triple(1);\nt::double(1, 2);\nt::secret();\n",
        )
        .command(&["check", "p.rhai", "--lib", "lib"])
        .run()
        .status(1)
        .stderr_has("error: no module `team/missing` in `lib` or the built-in library; built-in modules: `falcon/alerts`, `falcon/collect`, `falcon/contain`, `falcon/hosts`, `falcon/hunt`, `falcon/policy`, `falcon/scripts`, `falcon/util`\n")
        .stderr_has("--> p.rhai:2:1")
        .stderr_has("error: module `t` has no function `triple`; it has `double`\n --> p.rhai:4:4\n")
        .stderr_has("error: `t::double` takes 1 argument(s), not 2\n")
        .stderr_has("error: module `t` has no function `secret`; it has `double`\n")
        .stderr_has("error: 4 problems found\n");
}

#[test]
fn every_shipped_playbook_checks_clean() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests/playbooks", "playbooks", "examples"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "rhai") {
                files.push(e.path().display().to_string());
            }
        }
    }
    assert!(!files.is_empty(), "no playbooks found");
    let mut words = vec!["check"];
    words.extend(files.iter().map(String::as_str));
    Test::new().command(&words).run().status(0).stderr_is("");
}

#[test]
fn imports_with_computed_paths_are_not_guessed_at() {
    Test::new()
        .file(
            "p.rhai",
            "let name = \"falcon/\" + \"util\";\nimport name as u;\nu::anything(1, 2, 3);\n",
        )
        .command(&["check", "p.rhai"])
        .run()
        .status(0)
        .stdout_is("p.rhai: ok\n");
}
