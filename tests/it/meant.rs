//! Issue 24, "what the responder meant": each trap that let falconry do something other than what the
//! playbook said, run through the real binary against the emulator.

use crate::rtr_support::{FIN_WS_003, Tenant, WS_042};

/// A rollout that names only `GetCommand` leaves every other capability off, as a policy file and
/// `policies::apply` do, says what it applied, and the members refuse what it left out.
#[test]
fn a_rollout_turns_off_every_setting_it_does_not_name() {
    let t = Tenant::new();
    let run = t.script(
        r#"
        import "falcon/policy" as policy;
        let r = policy::rollout(#{ name: "IR lock", platform: "Windows", group: "finance",
                                   settings: #{ RealTimeFunctionality: true, GetCommand: true } });
        let check = rtr::preflight(r.members, "runscript -Raw=```Get-Date```");
        #{ settings: r.settings, members: r.members,
           refused: check.refused.map(|x| x.setting), ready: check.ready.len() }
        "#,
        &[],
    );
    let v = run.ok().json();
    let settings = &v["settings"];
    for off in [
        "CustomScripts",
        "ExecCommand",
        "PutCommand",
        "PutAndRunCommand",
        "FalconScripts",
        "MemDumpCommand",
        "XMemDumpCommand",
    ] {
        assert_eq!(settings[off], false, "{off}: {}", run.show());
    }
    assert_eq!(settings["GetCommand"], true);
    assert_eq!(settings["RealTimeFunctionality"], true);
    assert!(
        v["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == FIN_WS_003 || m == WS_042)
    );
    assert_eq!(v["ready"], 0, "{}", run.show());
    assert!(
        v["refused"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s == "CustomScripts")
    );
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains(
            "policy::rollout: `IR lock` (Windows) settings on: RealTimeFunctionality, GetCommand; \
             off: CustomScripts, PutCommand, ExecCommand, FalconScripts, MemDumpCommand, XMemDumpCommand, PutAndRunCommand"
        ),
        "{}",
        run.show()
    );
    // In the emulator's own state too: runscript is refused on a member.
    let state = t.state();
    let name = state.effective_policy_name(FIN_WS_003);
    assert_eq!(name.as_deref(), Some("IR lock"));
}

/// The issue's exact call: `settings: #{ GetCommand: true }` leaves even RTR off (a setting left out is
/// off, everywhere), so nothing the spec did not name runs.
#[test]
fn a_rollout_naming_one_setting_leaves_rtr_itself_off() {
    let t = Tenant::new();
    let v = t
        .script(
            r#"
            import "falcon/policy" as policy;
            let r = policy::rollout(#{ name: "IR lock", platform: "Windows", group: "finance",
                                       settings: #{ GetCommand: true } });
            r.settings
            "#,
            &[],
        )
        .ok()
        .json();
    assert_eq!(v["RealTimeFunctionality"], false);
    assert_eq!(v["CustomScripts"], false);
    assert_eq!(v["GetCommand"], true);
}

/// A typo in an RTR command is an error naming it and the nearest command of the host's platform,
/// never advice to allow destructive commands, and nothing reaches the host.
#[test]
fn a_typo_in_an_rtr_command_names_the_nearest_command_and_is_not_sent() {
    let t = Tenant::new();
    let run = t.script(
        r#"
        let s = rtr::session(hosts::find("WS-042"));
        let single = "";
        try { s.run("netstst -nao"); } catch (e) { single = e.message; }
        let b = rtr::batch([hosts::find("web-01")]);
        let batch = "";
        try { b.run("ifconfg"); } catch (e) { batch = e.message; }
        #{ single: single, batch: batch }
        "#,
        &[],
    );
    let v = run.ok().json();
    let single = v["single"].as_str().unwrap();
    assert!(
        single.contains(
            "`netstst` is not an RTR command; did you mean `netstat`? (not sent; the commands for \
             Windows hosts and what each needs: help(\"rtr\"))"
        ),
        "{}",
        run.show()
    );
    let batch = v["batch"].as_str().unwrap();
    assert!(
        batch.contains("did you mean `ifconfig`? (not sent; the commands for Linux hosts"),
        "{}",
        run.show()
    );
    for m in [single, batch, &run.stderr] {
        assert!(!m.contains("allow-destructive"), "{}", run.show());
    }
    assert_eq!(t.count("POST", "/real-time-response/entities/command"), 0);
    assert_eq!(
        t.count(
            "POST",
            "/real-time-response/entities/active-responder-command"
        ),
        0
    );
    assert_eq!(
        t.count("POST", "/real-time-response/entities/admin-command"),
        0
    );
    for batch in [
        "batch-command",
        "batch-active-responder-command",
        "batch-admin-command",
    ] {
        assert_eq!(t.count("POST", batch), 0);
    }
}

/// The refusals a real run ends with, as its summary lists them.
fn refusals(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("  - refused "))
        .map(|l| format!("refused {l}"))
        .collect()
}

/// The same words, but for the ids the plan made up for objects it did not create (`plan-0001`):
/// the real run names the id the create returned.
fn same_refusal(planned: &str, real: &str) -> bool {
    let (p, r): (Vec<&str>, Vec<&str>) = (
        planned.split_whitespace().collect(),
        real.split_whitespace().collect(),
    );
    p.len() == r.len()
        && p.iter()
            .zip(&r)
            .all(|(p, r)| p == r || (p.starts_with("`plan-") && r.starts_with('`')))
}

/// `--plan` and the real run come from the same decision: for each example playbook, every step
/// the real run refuses is in the plan, in the same words, and a plan that lists none runs through.
#[test]
fn the_plan_names_every_refusal_of_the_real_run_for_each_example_playbook() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".rhai"))
        .collect();
    names.sort();
    assert!(names.len() >= 5, "{names:?}");
    let mut refused_somewhere = false;
    for name in &names {
        let plan = Tenant::new().playbook(name, &["--plan"]);
        let planned: Vec<String> = match plan.json()["refused"].as_array() {
            Some(list) => list
                .iter()
                .map(|r| r.as_str().unwrap().to_string())
                .collect(),
            None => panic!("{name}: no `refused` in the plan\n{}", plan.show()),
        };
        // The human plan lists the same lines the real run's summary would.
        assert_eq!(refusals(&plan.stderr), planned, "{name}\n{}", plan.show());
        let real = Tenant::new().playbook(name, &[]);
        let refused = refusals(&real.stderr);
        for r in &refused {
            assert!(
                planned.iter().any(|p| same_refusal(p, r)),
                "{name}: the real run refused\n  {r}\nwhich the plan did not list: {planned:#?}\n{}",
                real.show()
            );
        }
        assert_eq!(
            planned.is_empty(),
            refused.is_empty(),
            "{name}: plan {planned:#?}\n{}",
            real.show()
        );
        if !refused.is_empty() {
            if refused.len() < planned.len() {
                // The real run stopped at its first refusal: the plan's first.
                assert!(
                    same_refusal(&planned[0], &refused[0]),
                    "{name}: {planned:#?} {refused:#?}"
                );
            } else {
                // It ran through: the plan's refusals are the real run's, one for one, though not in
                // order: `rtr::each` runs its hosts at once, so which host is refused first is the
                // scheduler's choice (the plan walks them in turn).
                let mut unmatched: Vec<&String> = refused.iter().collect();
                for p in &planned {
                    let Some(i) = unmatched.iter().position(|r| same_refusal(p, r)) else {
                        panic!(
                            "{name}: the plan lists\n  {p}\nwhich the real run did not refuse: {refused:#?}"
                        );
                    };
                    unmatched.swap_remove(i);
                }
            }
            assert_eq!(real.code, Some(3), "{name}\n{}", real.show());
            refused_somewhere = true;
        }
    }
    assert!(
        refused_somewhere,
        "no example playbook is refused without the flag"
    );
}

/// A misspelled cloud is refused before anything is sent, with the one meant; a network error names
/// the URL and where it came from.
#[test]
fn a_wrong_cloud_is_refused_and_network_errors_name_the_url() {
    use crate::common::Test;
    let out = Test::new()
        .playbook("hosts::query_devices_by_filter()")
        .env("FALCON_CLIENT_ID", "id")
        .env("FALCON_CLIENT_SECRET", crate::common::SECRET)
        .env("FALCON_CLOUD", "eu1")
        .run();
    out.status(1).stderr_has(
        "`FALCON_CLOUD=eu1` is not a Falcon cloud; did you mean `eu-1`? (the clouds: `us-1`, `us-2`, \
         `us-3`, `eu-1`, `us-gov-1`, `us-gov-2`, or `auto`)",
    );
    out.no_secret();
    let out = Test::new()
        .playbook("hosts::query_devices_by_filter()")
        .unreachable_tenant()
        .run();
    out.stderr_has("connection failed")
        .stderr_has("(`http://127.0.0.1:9/oauth2/token`, `FALCON_BASE_URL`)")
        .no_secret();
}

/// A command queued on one session (`queue_offline`) is collected by a later run from the result the
/// first run saved, exactly as a batch's: the run leaves the session for Falcon to keep.
#[test]
fn a_later_run_collects_what_a_single_session_queued() {
    use crate::rtr_support::WS_108;
    let t = Tenant::new();
    let saved = t
        .script(
            &format!(
                r#"let s = rtr::session("{WS_108}", #{{ queue_offline: true }});
                   s.run("ps")"#
            ),
            &[],
        )
        .ok()
        .json();
    assert_eq!(saved["queued"], true, "{saved}");
    assert!(t.state().set_online(WS_108, true));
    let arg = format!("answer={saved}");
    let run = t.script("rtr::queued([args.answer])", &["--arg-json", &arg]);
    let v = run.ok().json();
    assert_eq!(v["pending"], serde_json::json!([]), "{v}");
    assert_eq!(v["done"][0]["hostname"], "WS-108", "{v}");
    assert_eq!(
        v["done"][0]["cloud_request_id"], saved["cloud_request_id"],
        "{v}"
    );
    assert!(
        v["done"][0]["processes"]
            .as_array()
            .is_some_and(|p| !p.is_empty()),
        "{v}"
    );
}

/// RTR's triple backticks inside Rhai: `s.runscript_raw` takes the script as written in a backtick
/// string (one backslash in a Windows path) and sends it between RTR's triple backticks.
#[test]
fn runscript_raw_sends_a_backtick_string_as_written() {
    use falconry::sim::host::fleet::windows_implant;
    let t = Tenant::new();
    let implant = windows_implant("bob");
    let run = t.script(
        &format!(
            "let s = rtr::session(hosts::find(\"WS-042\"));\n\
             let r = s.runscript_raw(`Write-Output C:\\Users\\Public\n\
             Write-Output {implant}`);\n\
             let bad = \"\";\n\
             try {{ s.runscript_raw(\"Write-Output ```x```\"); }} catch (e) {{ bad = e.message; }}\n\
             #{{ line: r.command_string, stdout: r.stdout, bad: bad }}"
        ),
        &["--allow-destructive"],
    );
    let v = run.ok().json();
    assert_eq!(
        v["line"],
        format!("runscript -Raw=```Write-Output C:\\Users\\Public\nWrite-Output {implant}```"),
        "{}",
        run.show()
    );
    // The host ran it as one script, each backslash as written.
    assert_eq!(v["stdout"], format!("C:\\Users\\Public\n{implant}\n"));
    assert!(
        v["bad"]
            .as_str()
            .unwrap()
            .contains("the script holds ```, which would end RTR's -Raw=```...``` block early"),
        "{}",
        run.show()
    );
}

/// Every helper's answer, from the emulator, matches the shape its declaration gives (and `help()`
/// and `ops --helpers` print): a helper added without a case here fails too.
#[test]
fn every_helper_answers_the_shape_it_declares() {
    let t = Tenant::new();
    std::fs::write(t.dir.path().join("fix.ps1"), "Write-Output hi").unwrap();
    let run = t.script(
        r#"
        let out = #{};
        let ws = hosts::find("WS-042");
        out["hosts::find"] = ws;
        out["hosts::find_all"] = hosts::find_all();
        real_time_response_admin::create_put_files(#{ file: #{ filename: "tool.ps1", content: "Write-Output tool" }, description: "t" });
        real_time_response_admin::create_scripts(#{ name: "hello.ps1", content: "Write-Output hello",
            permission_type: "group", platform: "windows", description: "d" });
        let s = rtr::session(ws);
        out["rtr::session"] = type_of(s);
        let b = rtr::batch([ws, hosts::find("WS-108")], #{ queue_offline: true });
        out["rtr::batch"] = type_of(b);
        out["rtr::each"] = rtr::each([ws], |s| s.pwd());
        out["rtr::preflight"] = rtr::preflight(hosts::find_all().map(|h| h.device_id), "memdump 4 x");
        out["Batch.run"] = b.run("ps");
        out["Batch.get"] = rtr::batch([ws]).get(`C:\Windows\System32\drivers\etc\hosts`);
        out["rtr::queued"] = rtr::queued();
        out["fs::list"] = fs::list();
        out["fs::read"] = fs::read("fix.ps1");
        out["policies::current"] = policies::current();
        out["policies::plan"] = policies::plan(policies::current());
        out["policies::apply"] = policies::apply(policies::current());
        out["policies::settings"] = policies::settings("Windows");
        out["Session.run"] = s.run("ls");
        out["Session.get"] = s.get(`C:\Windows\System32\drivers\etc\hosts`);
        out["Session.put"] = s.put("tool.ps1");
        out["Session.runscript"] = s.runscript("hello.ps1");
        out["Session.runscript_raw"] = s.runscript_raw("Write-Output raw");
        out["Session.put_and_run"] = s.put_and_run("tool.ps1");
        out["Session.cd"] = s.cd(`C:\Windows`);
        out["Session.pwd"] = s.pwd();
        let evil = s.run("ps").processes.filter(|p| p.name == "evil")[0];
        out["Session.kill"] = s.kill(evil);
        out["Session.close"] = s.close();
        out
        "#,
        &["--allow-destructive"],
    );
    let v = run.ok().json();
    // The answers exercise what the declarations allow: a refusal, a queued host, a parsed command.
    assert!(
        !v["rtr::preflight"]["refused"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(!v["Batch.run"]["queued"].as_object().unwrap().is_empty());
    assert!(v["Session.run"]["entries"].is_array());
    let helpers = falconry::helpers::FUNCTIONS
        .iter()
        .map(|h| (format!("{}::{}", h.owner, h.name), h))
        .chain(
            falconry::helpers::METHODS
                .iter()
                .map(|h| (format!("{}.{}", h.owner, h.name), h)),
        );
    for (name, h) in helpers {
        let answer = v
            .get(&name)
            .unwrap_or_else(|| panic!("`{name}` is not exercised by this test"));
        if let Err(e) = h.returns.check(answer, &name) {
            panic!("{e}\n  declared: {}\n  answer: {answer}", h.signature());
        }
    }
}

/// The block of README.md between the two markers.
fn readme_block(begin: &str, end: &str) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find(begin).expect("the begin marker") + begin.len();
    let stop = readme.find(end).expect("the end marker");
    readme[start..stop].to_string()
}

/// README's list of helpers is what the declarations render (`falconry ops --helpers` prints the same
/// lines): it cannot drift from what the helpers answer.
#[test]
fn the_readme_lists_each_helper_with_its_declared_answer() {
    let want: String = falconry::helpers::FUNCTIONS
        .iter()
        .chain(falconry::helpers::METHODS)
        .map(|h| format!("{}\n", h.signature()))
        .collect();
    let block = readme_block(
        "<!-- helpers: begin -->\n```text\n",
        "```\n<!-- helpers: end -->",
    );
    assert_eq!(
        block, want,
        "README.md's helper list is out of date; replace it with:\n{want}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_falconry"))
        .args(["ops", "--helpers"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for line in want.lines() {
        assert!(text.contains(&format!("  {line}\n")), "{line}\n{text}");
    }
}

/// Walking a map keyed by device id with `for` says how to walk it instead of Rhai's bare message.
#[test]
fn walking_a_batch_answer_with_for_says_how() {
    use crate::rtr_support::WS_108;
    let t = Tenant::new();
    let r = t.script(
        &format!(
            r#"let b = rtr::batch(["{WS_042}", "{WS_108}"], #{{ queue_offline: true }});
               let ps = b.run("ps");
               for q in ps.queued {{ print(q); }}"#
        ),
        &[],
    );
    assert_eq!(r.code, Some(1), "{}", r.show());
    assert!(
        r.stderr.contains(
            "it cannot walk a map (answers keyed by device id, such as `results`, `queued`"
        ),
        "{}",
        r.show()
    );
}

/// The case report: a summary first, each command once with its kind from the catalogue, every host as
/// its hostname with the device id beside it, the result pretty-printed, and a large output cut in the
/// page and linked to its full text, written beside the page, by a relative path that resolves.
#[test]
fn the_case_report_lists_each_command_once_and_links_large_outputs() {
    let t = Tenant::new();
    t.script(
        r#"
        let s = rtr::session(hosts::find("WS-042"));
        s.run("ps");
        s.run("ls");
        rtr::batch(hosts::find_all()).run("netstat");
        #{ verdict: "clean", hosts: [1, 2, 3] }
        "#,
        &[],
    )
    .ok();
    let cases: Vec<_> = std::fs::read_dir(t.out().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    let page = t.dir.path().join("report").join("case.html");
    std::fs::create_dir_all(page.parent().unwrap()).unwrap();
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_falconry"))
        .args(["case", "report"])
        .arg(case)
        .arg("--out")
        .arg(&page)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let html = std::fs::read_to_string(&page).unwrap();
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("no {s}"));
    assert!(
        at("id=\"summary\"") < at("id=\"timeline\""),
        "the summary comes first"
    );
    // Each command once, with its kind; the audit's entry for it is not a second "change" row.
    let timeline = &html[at("id=\"timeline\"")..at("id=\"refused\"")];
    assert_eq!(timeline.matches("<code>ps</code>").count(), 1, "{timeline}");
    assert!(timeline.contains("command (read-only)"));
    assert!(!timeline.contains("<td>change</td>"), "{timeline}");
    // The host column: hostname, then the device id.
    assert!(
        timeline.contains(&format!("WS-042 <code class=\"id\">{WS_042}</code>")),
        "{timeline}"
    );
    // Pretty-printed: the result is indented JSON.
    assert!(
        html.contains("\n  &quot;verdict&quot;: &quot;clean&quot;"),
        "{html}"
    );
    // `ps` output is larger than the case keeps inline: cut, and linked to the full text.
    let href_at = at("href=\"") + "href=\"".len();
    let href = &html[href_at..href_at + html[href_at..].find('"').unwrap()];
    // Written beside the page: the case folder stays as its manifest says.
    assert!(href.starts_with("case-outputs/"), "{href}");
    let full = std::fs::read_to_string(page.parent().unwrap().join(href)).unwrap();
    assert!(full.len() > 2048 && full.contains("evil"), "{}", full.len());
}

/// A typo of a known command in a raw RTR operation is refused with the command meant, even with
/// `--allow-destructive`, and the refusal does not suggest the flag.
#[test]
fn a_typo_in_a_raw_rtr_operation_is_refused_whatever_the_flags() {
    let t = Tenant::new();
    let run = t.script(
        &format!(
            r#"let sid = real_time_response::init_session(#{{ device_id: "{WS_042}" }}).body.resources[0].session_id;
               real_time_response_admin::execute_admin_command(#{{
                   base_command: "netstst", command_string: "netstst -nao", session_id: sid }});"#
        ),
        &["--allow-destructive"],
    );
    assert_eq!(run.code, Some(3), "{}", run.show());
    assert!(
        run.stderr
            .contains("`netstst` is not an RTR command; did you mean `netstat`?"),
        "{}",
        run.show()
    );
    assert!(run.stderr.contains("fix the command; no flag sends it"));
    assert!(
        !run.stderr.contains("rerun with `--allow-destructive`"),
        "{}",
        run.show()
    );
    assert_eq!(
        t.count("POST", "/real-time-response/entities/admin-command"),
        0
    );
}
