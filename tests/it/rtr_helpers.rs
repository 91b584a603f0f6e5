//! The RTR helpers through the real binary: sessions (run, parsed output, get, keep-alive, expiry,
//! close), polling, refusals that name the policy, batch, each, pre-flight, `hosts::find`, `fs`.

use crate::rtr_support::{FIN_WS_003, Tenant, WEB_01, WS_042, WS_108, sha256};
use falconry::sim::host::fleet::{EVIL_EXE, windows_implant};

/// A policy that forbids `get` and `put` on the finance group, above the default.
const FINANCE_LOCKDOWN: &str = r#"
[[policies]]
name = "finance lockdown"
platform = "Windows"
groups = ["finance"]
settings = { GetCommand = false, PutCommand = false }
"#;

#[test]
fn a_session_runs_commands_with_parsed_output_and_closes_at_the_end() {
    let t = Tenant::new();
    let r = t
        .script(
            r#"
            let s = rtr::session(hosts::find("WS-042"));
            let ps = s.run("ps");
            let before = s.pwd();
            s.cd("C:\\Users\\bob");
            #{ ps: ps, before: before, after: s.pwd(), id: s.session_id, ls: s.run("ls").entries.map(|e| e.name) }
            "#,
            &[],
        )
        .ok()
        .json();
    let ps = &r["ps"];
    for key in [
        "stdout",
        "stderr",
        "base_command",
        "command_string",
        "device_id",
        "hostname",
        "session_id",
        "cloud_request_id",
    ] {
        assert!(ps.get(key).is_some(), "no `{key}` in {ps}");
    }
    assert_eq!(ps["complete"], true);
    assert_eq!(ps["device_id"], WS_042);
    let evil = ps["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "evil")
        .unwrap();
    assert_eq!(evil["pid"], 6612);
    assert_eq!(r["before"], "C:\\");
    assert_eq!(r["after"], "C:\\Users\\bob");
    assert!(r["ls"].as_array().unwrap().iter().any(|n| n == "AppData"));
    // `ps` is read-only: it went to the read-only endpoint, not the admin one.
    assert!(t.count("POST", "/real-time-response/entities/command/v1") >= 1);
    assert_eq!(t.count("POST", "admin-command"), 0);
    // Opened once, deleted once at the end of the run.
    assert_eq!(
        t.count("POST", "/real-time-response/entities/sessions/v1"),
        1
    );
    assert_eq!(
        t.count("DELETE", "/real-time-response/entities/sessions/v1"),
        1
    );
    t.each_command_ran_once();
}

#[test]
fn polling_backs_off_and_sees_completion_quickly() {
    let t = Tenant::with_scenario("command_latency_ms = 2000\n");
    let r = t
        .script(
            r#"let s = rtr::session(hosts::find("WS-042")); s.run("pwd").stdout"#,
            &[],
        )
        .ok()
        .json();
    assert_eq!(r, "C:\\\n");
    let polls = t.count("GET", "/real-time-response/entities/command/v1");
    // 2 s command: 50, 95, 180, 343, 651, 1000 ms waits, then done; plus one sequence check. Counted,
    // not timed: the number of polls is what backing off bounds, on any machine.
    assert!(polls <= 9, "{polls} polls");
}

#[test]
fn long_output_is_joined_from_its_chunks() {
    let t = Tenant::with_scenario("stdout_chunk_bytes = 100\n");
    let r = t
        .script(
            r#"let r = rtr::session(hosts::find("WS-042")).run("ps"); #{ len: r.stdout.len(), procs: r.processes.len() }"#,
            &[],
        )
        .ok()
        .json();
    assert!(r["len"].as_u64().unwrap() > 1000, "{r}");
    // Every process of WS-042's table, including the wrapped `Path` rows.
    assert_eq!(r["procs"], 19);
}

/// A row read cleanly has no `parse_error` (a twelfth key on every `ps` row cost a 10,000-host
/// answer a third of its memory): `"parse_error" in p` is the test, and reading the key anyway
/// says why it is missing instead of listing keys that would not.
#[test]
fn only_rows_not_understood_have_parse_error() {
    let t = Tenant::new();
    let r = t
        .script(
            r#"let ps = rtr::session(hosts::find("WS-042")).run("ps").processes;
               #{ rows: ps.len(), flagged: ps.filter(|p| "parse_error" in p).len(),
                  keys: ps.map(|p| p.keys().len()).reduce(|a, b| max(a, b), 0) }"#,
            &[],
        )
        .ok()
        .json();
    assert_eq!(r["rows"], 19, "{r}");
    assert_eq!(r["flagged"], 0, "{r}");
    // Ten fields and `raw`: one node of a Rhai map.
    assert_eq!(r["keys"], 11, "{r}");

    let read = t.script(
        r#"let p = rtr::session(hosts::find("WS-042")).run("ps").processes[0];
           if p.parse_error == () { print("read") }"#,
        &[],
    );
    assert_ne!(read.code, Some(0), "{}", read.show());
    assert!(
        read.stderr
            .contains("only a row that was not understood has `parse_error`")
            && read.stderr.contains(r#""parse_error" in p"#)
            && !read.stdout.contains("read"),
        "{}",
        read.show()
    );
}

#[test]
fn get_saves_the_file_under_a_safe_name_without_overwriting() {
    let t = Tenant::new();
    let r = t
        .script(
            &format!(
                r#"let s = rtr::session(hosts::find("WS-042"));
                   [s.get("{0}"), s.get("{0}")]"#,
                windows_implant("bob").replace('\\', "\\\\")
            ),
            &[],
        )
        .ok()
        .json();
    let (a, b) = (&r[0], &r[1]);
    assert_eq!(a["sha256"], sha256(EVIL_EXE.as_bytes()));
    assert_eq!(a["size"], EVIL_EXE.len());
    assert_eq!(a["remote_path"], windows_implant("bob"));
    assert_eq!(
        a["path"],
        t.out().join("WS-042/evil.exe").display().to_string()
    );
    assert_eq!(
        b["path"],
        t.out().join("WS-042/evil-1.exe").display().to_string()
    );
    assert_eq!(
        std::fs::read(t.out().join("WS-042/evil-1.exe")).unwrap(),
        EVIL_EXE.as_bytes()
    );
    // The 7z archives were unpacked and removed (`cases/` holds the run's case folder).
    let left: Vec<_> = std::fs::read_dir(t.out())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n != "cases")
        .collect();
    assert_eq!(left, ["WS-042"]);
}

#[test]
fn a_refused_command_names_the_host_the_policy_and_the_setting() {
    let t = Tenant::with_scenario(FINANCE_LOCKDOWN);
    let r = t
        .script(
            r#"let s = rtr::session(hosts::find("WS-042"));
               let thrown = #{};
               try { s.get("C:\\Windows\\win.ini"); } catch (e) { thrown = e; }
               thrown"#,
            &[],
        )
        .ok()
        .json();
    assert_eq!(r["policy_name"], "finance lockdown");
    assert_eq!(r["setting"], "GetCommand");
    assert_eq!(r["hostname"], "WS-042");
    // Falcon's answer underneath: HTTP 400 with RTR's 40006 `Command is not valid` (CrowdStrike/CAST#15).
    assert_eq!(r["status_code"], 400);
    assert_eq!(r["errors"][0]["code"], 40006, "{r}");
    let msg = r["message"].as_str().unwrap();
    assert!(
        msg.contains("WS-042") && msg.contains("finance lockdown") && msg.contains("GetCommand"),
        "{msg}"
    );
}

#[test]
fn keepalive_pulses_an_idle_session_so_it_does_not_expire() {
    let t = Tenant::with_scenario("session_idle_secs = 2\n");
    let r = t
        .script(
            r#"let s = rtr::session(hosts::find("WS-042"), #{ keepalive: 0.5 });
               let before = s.session_id;
               sleep(3.5);
               s.run("pwd");
               [before, s.session_id]"#,
            &[],
        )
        .ok()
        .json();
    assert_eq!(r[0], r[1], "the session was not kept alive");
    assert!(t.count("POST", "refresh-session") >= 3);
}

#[test]
fn an_expired_session_is_reopened_and_the_command_runs_once() {
    let t = Tenant::with_scenario("session_idle_secs = 1\n");
    let r = t
        .script(
            r#"let s = rtr::session(hosts::find("WS-042"), #{ keepalive: 600 });
               let before = s.session_id;
               sleep(1.5);
               let out = s.run("pwd").stdout;
               [before, s.session_id, out]"#,
            &[],
        )
        .ok()
        .json();
    assert_ne!(r[0], r[1]);
    assert_eq!(r[2], "C:\\\n");
    t.each_command_ran_once();
    assert_eq!(t.state().total_executions(), 1);
}

#[test]
fn batch_runs_everywhere_and_lists_who_did_not_answer() {
    let t = Tenant::with_scenario(FINANCE_LOCKDOWN);
    let r = t
        .script(
            r#"let ids = hosts::find_all().map(|h| h.device_id);
               let b = rtr::batch(ids, #{ host_timeout: 10 });
               #{ ps: b.run("ps"), get: b.get("C:\\Users\\bob\\AppData\\Local\\Temp\\evil.exe") }"#,
            &[],
        )
        .ok()
        .json();
    let ps = &r["ps"];
    assert_eq!(ps["results"].as_object().unwrap().len(), 7);
    assert_eq!(ps["no_answer"], serde_json::json!([WS_108]));
    assert!(
        ps["results"][WEB_01]["processes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "kworkerd")
    );
    let get = &r["get"];
    // WS-042 and FIN-WS-003 refuse `get` (their policy), the Linux and Mac hosts cannot find it.
    assert_eq!(get["errors"][WS_042]["setting"], "GetCommand");
    assert_eq!(get["errors"][FIN_WS_003]["policy_name"], "finance lockdown");
    assert!(get["results"].as_object().unwrap().is_empty(), "{get}");
    assert_eq!(t.count("POST", "batch-init-session"), 1);
}

/// Falcon opens at most 10,000 hosts per batch: more is refused with the way to split, before the
/// host lookup or anything else is sent.
#[test]
fn a_batch_of_more_hosts_than_falcon_takes_is_refused_before_anything_is_sent() {
    let t = Tenant::new();
    let before = t.requests();
    let run = t.script(
        r#"let ids = []; for i in 0..10001 { ids.push(`id-${i}`); } rtr::batch(ids)"#,
        &[],
    );
    assert_eq!(run.code, Some(1), "{}", run.show());
    assert!(
        run.stderr.contains(
            "`rtr::batch`: 10001 device ids, but Falcon opens at most 10000 hosts per batch"
        ),
        "{}",
        run.show()
    );
    // The token may have been fetched; no API operation was.
    assert_eq!(t.count("POST", "/devices/"), 0);
    assert_eq!(t.count("POST", "batch-init-session"), 0);
    assert!(t.requests() - before <= 1, "{}", t.requests() - before);
}

#[test]
fn batch_get_brings_back_the_file_from_every_host_that_has_it() {
    let t = Tenant::new();
    let r = t
        .script(
            &format!(
                r#"rtr::batch(["{WS_042}", "{WEB_01}"]).get("{}")"#,
                windows_implant("bob").replace('\\', "\\\\")
            ),
            &[],
        )
        .ok()
        .json();
    assert_eq!(r["results"][WS_042]["sha256"], sha256(EVIL_EXE.as_bytes()));
    assert!(r["errors"][WEB_01]["message"].as_str().is_some(), "{r}");
}

#[test]
fn each_runs_in_parallel_and_one_failure_stops_no_other_host() {
    let t = Tenant::with_scenario("command_latency_ms = 600\n");
    let script = |concurrency: usize| {
        format!(
            r#"rtr::each(hosts::find_all().map(|h| h.device_id), |s| {{
                   if s.hostname == "web-02" {{ throw "boom on web-02"; }}
                   s.run("pwd").stdout
               }}, #{{ concurrency: {concurrency} }})"#
        )
    };
    // Counted, not timed: with eight at a time, several hosts open their sessions before the first
    // poll of any command's output; one at a time, exactly one does (the next opens only after
    // its predecessor's command completed).
    let opened_before_first_poll = |skip: usize| {
        t.count_before(
            skip,
            ("POST", "/real-time-response/entities/sessions/v1"),
            ("GET", "/real-time-response/entities/command/v1"),
        )
    };
    let r = t.script(&script(8), &[]).ok().json();
    let parallel = opened_before_first_poll(0);
    assert_eq!(r[WS_042], "C:\\\n");
    assert_eq!(r[WEB_01], "/\n");
    assert!(
        r[WS_108]["error"].as_str().unwrap().contains("offline"),
        "{r}"
    );
    let web02 = r
        .as_object()
        .unwrap()
        .values()
        .find(|v| v["hostname"] == "web-02")
        .unwrap();
    assert!(web02["error"].as_str().unwrap().contains("boom on web-02"));
    let before_serial = t.requests();
    t.script(&script(1), &[]).ok();
    let serial = opened_before_first_poll(before_serial);
    assert_eq!(
        serial, 1,
        "one at a time: one session open before the first poll"
    );
    assert!(
        parallel >= 2,
        "eight at a time: {parallel} sessions open before the first poll"
    );
    // Every session opened was closed.
    assert_eq!(
        t.count("POST", "/real-time-response/entities/sessions/v1") - 2,
        t.count("DELETE", "/real-time-response/entities/sessions/v1")
    );
}

#[test]
fn preflight_says_who_would_refuse_and_why_before_anything_runs() {
    let t = Tenant::with_scenario(FINANCE_LOCKDOWN);
    let r = t
        .script(
            r#"rtr::preflight(hosts::find_all().map(|h| h.device_id) + ["ffffffffffffffffffffffffffffffff"], "put fix.ps1")"#,
            &[],
        )
        .ok()
        .json();
    let refused = r["refused"].as_array().unwrap();
    let mut names: Vec<&str> = refused
        .iter()
        .map(|x| x["hostname"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["FIN-WS-003", "WS-042"]);
    assert!(
        refused
            .iter()
            .all(|x| x["policy_name"] == "finance lockdown" && x["setting"] == "PutCommand")
    );
    assert_eq!(r["offline"], serde_json::json!([WS_108]));
    assert_eq!(
        r["unknown"],
        serde_json::json!(["ffffffffffffffffffffffffffffffff"])
    );
    assert_eq!(r["ready"].as_array().unwrap().len(), 5);
    // Nothing ran: no session, no command.
    assert_eq!(t.count("POST", "/real-time-response/"), 0);
    // A platform that lacks the command refuses it too.
    let ipconfig = t
        .script(&format!(r#"rtr::preflight(["{WEB_01}"], "ipconfig")"#), &[])
        .ok()
        .json();
    assert!(
        ipconfig["refused"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("not available on Linux")
    );
}

#[test]
fn hosts_find_wants_exactly_one_and_find_all_pages() {
    let t = Tenant::new();
    let r = t
        .script(
            r#"fn failure(f) { let m = ""; try { f.call(); } catch (e) { m = e.message; } m }
               let none = failure(|| hosts::find("nope-404"));
               let many = failure(|| hosts::find("platform_name:'Windows'"));
               #{ none: none, many: many, all: hosts::find_all().len(), win: hosts::find_all("platform_name:'Windows'").len(),
                  ops_still_there: hosts::query_devices_by_filter(#{ limit: 1 }).body.resources.len() }"#,
            &[],
        )
        .ok()
        .json();
    assert!(
        r["none"]
            .as_str()
            .unwrap()
            .contains("filter `hostname:'nope-404'` matched 0 hosts"),
        "{r}"
    );
    assert!(
        r["many"].as_str().unwrap().contains("matched 5 hosts"),
        "{r}"
    );
    assert_eq!(r["all"], 8);
    assert_eq!(r["win"], 5);
    assert_eq!(r["ops_still_there"], 1);
}

#[test]
fn fs_reads_only_inside_the_playbook_folder() {
    let t = Tenant::new();
    std::fs::create_dir_all(t.dir.path().join("lists")).unwrap();
    std::fs::write(t.dir.path().join("lists/iocs.txt"), "evil.exe\n").unwrap();
    let r = t
        .script(
            r#"fn failure(f) { let m = ""; try { f.call(); } catch (e) { m = e.message; } m }
               #{ list: fs::list("lists").map(|f| f.path), text: fs::read("lists/iocs.txt"),
                  up: failure(|| fs::read("../x")), abs: failure(|| fs::read("/etc/passwd")) }"#,
            &[],
        )
        .ok()
        .json();
    assert_eq!(r["list"], serde_json::json!(["lists/iocs.txt"]));
    assert_eq!(r["text"], "evil.exe\n");
    assert!(r["up"].as_str().unwrap().contains("`..` is not allowed"));
    assert!(r["abs"].as_str().unwrap().contains("relative"));
}

#[test]
fn helper_options_are_validated_before_anything_is_sent() {
    let t = Tenant::new();
    let r = t
        .script(
            &format!(r#"let m = ""; try {{ rtr::session("{WS_042}", #{{ time_out: 5 }}); }} catch (e) {{ m = e.message; }} m"#),
            &[],
        )
        .ok()
        .json();
    assert!(
        r.as_str().unwrap().contains("unknown option `time_out`"),
        "{r}"
    );
    assert_eq!(t.count("POST", "/real-time-response/"), 0);
}

#[test]
fn an_offline_host_refuses_a_session_unless_commands_may_queue() {
    let t = Tenant::new();
    let r = t
        .script(
            &format!(
                r#"let refused = "";
                   try {{ rtr::session("{WS_108}"); }} catch (e) {{ refused = e.message; }}
                   let s = rtr::session("{WS_108}", #{{ queue_offline: true }});
                   #{{ refused: refused, queued: s.run("ps") }}"#
            ),
            &[],
        )
        .ok()
        .json();
    let refused = r["refused"].as_str().unwrap();
    assert!(
        refused.contains("WS-108") && refused.contains("offline"),
        "{refused}"
    );
    assert_eq!(r["queued"]["queued"], true);
    assert_eq!(r["queued"]["complete"], false);
    // Queued, not run: nothing executed yet, and it was sent once.
    assert_eq!(t.state().total_executions(), 0);
    assert_eq!(
        t.count("POST", "/real-time-response/entities/command/v1"),
        1
    );
}

#[test]
fn kill_checks_right_before_that_the_pid_still_runs_the_same_image() {
    let t = Tenant::new();
    let r = t
        .script(
            r#"let s = rtr::session(hosts::find("WS-042"));
               let evil = s.run("ps").processes.filter(|p| p.name == "evil")[0];
               fn refusal(s, p) { try { s.kill(p); return "killed"; } catch (e) { return e.message; } }
               let out = #{
                   other_name: refusal(s, #{ pid: evil.pid, name: "notepad" }),
                   other_path: refusal(s, #{ pid: evil.pid, name: "evil", path: "C:\\Temp\\evil.exe" }),
                   unread: refusal(s, #{ pid: evil.pid, name: "evil", parse_error: "not aligned", raw: "x" }),
                   not_a_process: refusal(s, #{ name: "evil" }),
               };
               out.killed = s.kill(evil).stdout;
               out.again = refusal(s, evil);
               out"#,
            &["--allow-destructive"],
        )
        .ok()
        .json();
    let says = |key: &str, what: &str| {
        let m = r[key].as_str().unwrap_or_else(|| panic!("{key}: {r}"));
        assert!(
            m.contains("kill refused on host `WS-042`") && m.contains(what),
            "{key}: {m}"
        );
    };
    says(
        "other_name",
        "PID 6612 now belongs to `evil`, not `notepad`; not killed",
    );
    says(
        "other_path",
        "now runs `C:\\Users\\bob\\AppData\\Local\\Temp\\evil.exe`, not `C:\\Temp\\evil.exe`",
    );
    says("unread", "was not understood (not aligned)");
    says("not_a_process", "a map with an integer `pid` and a `name`");
    assert!(r["killed"].as_str().unwrap().contains("6612"), "{r}");
    says("again", "PID 6612 (evil) is no longer running");
    // Exactly one kill reached the host: the refused ones were never sent.
    assert!(!t.runs(WS_042, "evil.exe"));
    let state = t.state();
    let history = &state.host(WS_042).unwrap().history;
    assert_eq!(
        history.iter().filter(|c| c.starts_with("kill")).count(),
        1,
        "{history:?}"
    );
}

#[test]
fn preflight_names_falcon_scripts_and_custom_scripts_for_a_falcon_script() {
    let t = Tenant::with_scenario(
        r#"
[[hosts]]
hostname = "WS-FS"
platform = "Windows"

[[hosts]]
hostname = "WS-CS"
platform = "Windows"
groups = ["no-custom"]

[[policies]]
name = "platform_default"
platform = "Windows"
settings = { FalconScripts = false }

[[policies]]
name = "no custom scripts"
platform = "Windows"
groups = ["no-custom"]
settings = { CustomScripts = false, FalconScripts = true }
"#,
    );
    let r = t
        .script(
            r#"let p = rtr::preflight(hosts::find_all().map(|h| h.device_id), "falconscript -Name=CollectProcessTree");
            p.refused.map(|r| `${r.hostname} ${r.setting}`)"#,
            &[],
        )
        .ok()
        .json();
    let mut refused: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    refused.sort_unstable();
    assert_eq!(refused, ["WS-CS CustomScripts", "WS-FS FalconScripts"]);
}

#[test]
fn a_large_batch_parses_every_hosts_output_by_its_own_platform() {
    // Enough hosts that the batch shares the parsing out among threads.
    let t = Tenant::with_scenario(
        "[fleet]\ncount = 300\nhostname_pattern = \"B-{n:03}\"\nplatforms = { windows = 0.5, linux = 0.3, mac = 0.2 }\noffline_fraction = 0.0\n",
    );
    let r = t
        .script(
            r#"let hosts = hosts::find_all();
               let b = rtr::batch(hosts.map(|h| h.device_id));
               #{ ps: b.run("ps"), platforms: hosts.map(|h| [h.device_id, h.platform_name]) }"#,
            &[],
        )
        .ok()
        .json();
    let results = r["ps"]["results"].as_object().unwrap();
    let platforms = r["platforms"].as_array().unwrap();
    assert_eq!(results.len(), 300);
    for pair in platforms {
        let (id, platform) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        let result = &results[id];
        let stdout = result["stdout"].as_str().unwrap();
        let parsed = falconry::rtr::parse::parse("ps", Some(platform), stdout).unwrap();
        assert_eq!(result["processes"], parsed.value, "{id} ({platform})");
        assert_eq!(result["warnings"], serde_json::json!(parsed.warnings));
        assert_eq!(r["ps"]["hostnames"][id], result["hostname"]);
    }
}

/// A batch keeps only a slim record of each host (`HostInfo::slim`): its groups must still be there
/// to name the group's response policy when Falcon refuses a host.
#[test]
fn a_batch_refusal_names_the_policy_of_the_hosts_group() {
    let t = Tenant::with_scenario(
        r#"
[[hosts]]
hostname = "WS-OPEN"
platform = "Windows"

[[hosts]]
hostname = "WS-LOCKED"
platform = "Windows"
groups = ["no-get"]

[[policies]]
name = "no get"
platform = "Windows"
groups = ["no-get"]
settings = { GetCommand = false }
"#,
    );
    let r = t
        .script(
            r#"let hosts = hosts::find_all();
               let b = rtr::batch(hosts.map(|h| h.device_id));
               let out = b.get(`C:\Windows\System32\drivers\etc\hosts`);
               #{ errors: out.errors, hosts: hosts.map(|h| [h.hostname, h.device_id]) }"#,
            &[],
        )
        .ok()
        .json();
    let id_of = |name: &str| {
        r["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p[0] == name)
            .map(|p| p[1].as_str().unwrap().to_string())
            .unwrap()
    };
    let locked = &r["errors"][id_of("WS-LOCKED")];
    assert_eq!(locked["policy_name"], "no get", "{r}");
    assert_eq!(locked["setting"], "GetCommand", "{r}");
    assert!(r["errors"].get(id_of("WS-OPEN")).is_none(), "{r}");
}
