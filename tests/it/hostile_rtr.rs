//! RTR helpers against hostile answers and hosts (issue 23, breaks 3 and 4): `rtr::queued` refuses
//! a queued result whose host or command Falcon's listing contradicts, and `s.kill` refuses a PID
//! whose second `ps` reading differs in any identity field (user, start time, command line...),
//! naming each difference. Through the binary, against the emulator and a proxy that rewrites it.

use crate::hostile::run_against;
use crate::hostile_support::{Seen, rewriting};
use crate::rtr_support::{SECRET, Tenant, WS_042, WS_108};
use falconry::ops::OpId;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Mutex;

/// Queues `ps` on the offline WS-108, saves the answer, and brings the host back.
fn queued_answer(t: &Tenant) -> Value {
    let saved = t
        .script(
            &format!(r#"rtr::batch(["{WS_108}"], #{{ queue_offline: true }}).run("ps")"#),
            &[],
        )
        .ok()
        .json();
    let saved = saved["queued"][WS_108].clone();
    assert_eq!(saved["queued"], true, "{saved}");
    assert!(t.state().set_online(WS_108, true));
    saved
}

#[test]
fn a_queued_result_naming_another_host_or_command_is_refused() {
    let t = Tenant::new();
    let saved = queued_answer(&t);
    let collect = |answer: &Value| {
        t.script(
            "rtr::queued(args.answer)",
            &["--arg-json", &format!("answer={answer}")],
        )
    };
    let mut elsewhere = saved.clone();
    elsewhere["device_id"] = WS_042.into();
    let r = collect(&elsewhere);
    assert_eq!(r.code, Some(1), "{}", r.show());
    assert!(
        r.stderr.contains(&format!(
            "names device `{WS_042}`, but Falcon lists its session"
        )) && r.stderr.contains(&format!("on device `{WS_108}`; refused")),
        "{}",
        r.show()
    );
    let mut other = saved.clone();
    other["command_string"] = "netstat".into();
    let r = collect(&other);
    assert_eq!(r.code, Some(1), "{}", r.show());
    assert!(
        r.stderr
            .contains("names the command `netstat`, but Falcon lists it as `ps`; refused"),
        "{}",
        r.show()
    );
    // As saved, it is collected.
    let v = collect(&saved).ok().json();
    assert_eq!(v["done"][0]["device_id"], WS_108, "{v}");
}

#[test]
fn a_listing_that_puts_the_session_on_another_host_is_refused() {
    let t = Tenant::new();
    let saved = queued_answer(&t);
    let listing = OpId::RtrListQueuedSessions.op().path;
    let p = rewriting(&t.sim.base_url(), move |req: &Seen, body| {
        if req.path() != listing {
            return body;
        }
        let mut v: Value = serde_json::from_slice(&body).unwrap();
        for job in v["resources"].as_array_mut().into_iter().flatten() {
            job["aid"] = WS_042.into();
        }
        serde_json::to_vec(&v).unwrap()
    });
    let dir = tempfile::tempdir().unwrap();
    let o = run_against(
        &p.url,
        SECRET,
        dir.path(),
        "rtr::queued(args.answer)",
        &["--arg-json", &format!("answer={saved}")],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("on device `{WS_042}`; refused")),
        "{err}"
    );
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("processes"),
        "no output was reported"
    );
}

const LINUX: &str = r#"
command_latency_ms = 0

[[hosts]]
hostname = "lnx-1"
platform = "Linux"
processes = [{ name = "miner", pid = 4242, user = "alice", command_line = "/tmp/miner --pool a" }]
"#;

#[test]
fn kill_refuses_a_pid_whose_user_or_command_line_changed_and_says_which() {
    let t = Tenant::with_scenario(LINUX);
    let device = t.state().device_id_of("lnx-1").unwrap();
    // The host answers every `ps` after the first with PID 4242 as another user's command line,
    // under the same name (and no path: Linux `ps` prints none).
    let seen: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
    let status = OpId::RtrCheckCommandStatus.op().path;
    let p = rewriting(&t.sim.base_url(), move |req: &Seen, body| {
        if req.path() != status {
            return body;
        }
        let mut v: Value = serde_json::from_slice(&body).unwrap();
        let Some(out) = v["resources"][0]["stdout"].as_str().map(str::to_string) else {
            return body;
        };
        if !out.contains("/tmp/miner --pool a") {
            return body;
        }
        // The query names the command (percent-encoded): one target per command.
        let mut seen = seen.lock().unwrap();
        if seen.is_empty() || seen.contains(&req.target) && seen.len() == 1 {
            seen.insert(req.target.clone());
            return body;
        }
        let forged = out
            .replace("alice ", "mally ")
            .replace("/tmp/miner --pool a", "/usr/bin/miner -d b");
        v["resources"][0]["stdout"] = forged.into();
        serde_json::to_vec(&v).unwrap()
    });
    let dir = tempfile::tempdir().unwrap();
    let o = run_against(
        &p.url,
        SECRET,
        dir.path(),
        &format!(
            r#"let s = rtr::session("{device}");
let p = s.run("ps").processes.filter(|p| p.pid == 4242)[0];
s.kill(p)"#
        ),
        &["--allow-destructive"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("PID 4242 has user `mally`, not `alice`, has command_line `/usr/bin/miner -d b`, not `/tmp/miner --pool a`; not killed"),
        "{err}"
    );
    assert!(t.runs(&device, "miner"), "the process still runs");
    let state = t.state();
    let history = &state.host(&device).unwrap().history;
    assert!(
        !history.iter().any(|c| c.starts_with("kill")),
        "{history:?}"
    );
}
