//! Bad input: malformed playbooks, wrong arguments, runaway scripts, malformed scenario files and
//! malformed API answers. Each ends in a clear error through the real binary: no panic, no hang.
//! Plus a bounded property test feeding random input to the request builder and the RTR parsers.

use crate::safety_support::{self, Run, Tenant, fleet};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn corpus(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/bad")
        .join(kind)
}

/// Every bad playbook, the flags it runs with and what its error must say.
const PLAYBOOKS: &[(&str, &[&str], &str)] = &[
    ("syntax_missing_expr.rhai", &[], "error: unexpected ';'"),
    ("syntax_unclosed.rhai", &[], "error: expecting ')'"),
    (
        "syntax_unterminated_string.rhai",
        &[],
        "error: open string is not terminated",
    ),
    ("not_utf8.rhai", &[], "stream did not contain valid UTF-8"),
    (
        "deep_nesting.rhai",
        &[],
        "error: expression exceeds maximum complexity",
    ),
    (
        "arg_wrong_type.rhai",
        &[],
        "argument `limit` must be a integer, got a string",
    ),
    (
        "arg_out_of_range.rhai",
        &[],
        "argument `limit` must be between 1 and 5000, got 999999",
    ),
    (
        "arg_too_many_items.rhai",
        &[],
        "`hosts::get_device_details_v2`: argument `ids` takes at most 100 items per request, got 101; split the list",
    ),
    (
        "arg_too_many_body_items.rhai",
        &[],
        "`real_time_response::batch_init_sessions`: argument `host_ids` takes at most 10000 items per request, got 10001; split the list",
    ),
    (
        "arg_unknown_key.rhai",
        &[],
        "argument `fliter` is not accepted (did you mean `filter`?); allowed:",
    ),
    (
        "arg_not_a_map.rhai",
        &[],
        "takes one map of named arguments",
    ),
    (
        "arg_not_in_enum.rhai",
        &[],
        "argument `action_name` must be one of `add-host-group`",
    ),
    (
        "arg_wrong_array_items.rhai",
        &[],
        "argument `ids` must be a string or array of strings",
    ),
    (
        "unknown_operation.rhai",
        &[],
        "error: unknown operation `hosts::no_such_operation`; `falconry ops hosts` lists them",
    ),
    (
        "huge_string.rhai",
        &["--max-string-size", "1000000"],
        "raise the limit with `--max-string-size`",
    ),
    (
        "huge_memory.rhai",
        &["--max-memory", "256MiB"],
        "over its limit of 256 MiB; raise the limit with `--max-memory`",
    ),
    (
        "huge_array.rhai",
        &["--max-array-size", "10000"],
        "raise the limit with `--max-array-size`",
    ),
    (
        "huge_argument.rhai",
        &[],
        "`hosts::query_devices_by_filter` could not be sent",
    ),
    (
        "deep_recursion.rhai",
        &[],
        "nested too deeply (infinite recursion?); raise the limit with `--max-call-depth`",
    ),
    (
        "infinite_loop.rhai",
        &["--timeout", "2s"],
        "ran longer than the time limit of 2s",
    ),
    (
        "import_traversal.rhai",
        &[],
        "must be relative, like `falcon/util`, without `..`",
    ),
    (
        "throw_map_without_message.rhai",
        &[],
        "error: #{\"no\": \"message\"}",
    ),
];

/// Every bad scenario and what `falconry sim` must say about it.
const SCENARIOS: &[(&str, &str)] = &[
    ("invalid_toml.toml", "TOML parse error at line 1"),
    ("unknown_key.toml", "no_such_key"),
    ("wrong_type.toml", "command_latency_ms = \"slow\""),
    ("fault_wrong_type.toml", "error_500 = \"often\""),
    ("host_without_name.toml", "hostname"),
    ("unknown_platform.toml", "Amiga"),
    ("negative_count.toml", "count = -5"),
    (
        "unknown_policy_setting.toml",
        "unknown setting `NoSuchSetting`",
    ),
    (
        "huge_fleet.toml",
        "`fleet.count` is 100000000; at most 1000000 hosts are simulated",
    ),
    ("not_utf8.toml", "stream did not contain valid UTF-8"),
];

fn files_in(kind: &str) -> BTreeSet<String> {
    std::fs::read_dir(corpus(kind))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn the_tables_cover_every_file_of_the_corpus() {
    let listed: BTreeSet<String> = PLAYBOOKS.iter().map(|(f, _, _)| f.to_string()).collect();
    assert_eq!(listed, files_in("playbooks"));
    let listed: BTreeSet<String> = SCENARIOS.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(listed, files_in("scenarios"));
}

#[test]
fn every_bad_playbook_ends_in_a_clear_error() {
    let t = Tenant::new(&fleet(""));
    let mut runs = Vec::new();
    for (file, flags, expected) in PLAYBOOKS {
        let mut run = Run::new(&t)
            .arg("run")
            .arg(corpus("playbooks").join(file))
            .deadline(Duration::from_secs(120));
        for f in *flags {
            run = run.arg(f);
        }
        // The slow ones (retries, time limits) overlap.
        runs.push((file, expected, std::thread::spawn(move || run.output())));
    }
    for (file, expected, running) in runs {
        let out = running.join().unwrap();
        out.failure();
        assert!(out.stderr.starts_with("error: "), "{file}: {}", out.stderr);
        assert!(
            out.stderr.contains(expected),
            "{file}: expected {expected:?} in\n{}",
            out.stderr
        );
        assert!(out.stdout.is_empty(), "{file}: {}", out.stdout);
    }
    // None of them sent a state-changing request.
    assert!(t.state_changes_received().is_empty());
}

#[test]
fn every_bad_scenario_is_refused_before_serving() {
    for (file, expected) in SCENARIOS {
        let out = Run::bare(&["sim", "--listen", "127.0.0.1:0", "--scenario"])
            .arg(corpus("scenarios").join(file))
            .deadline(Duration::from_secs(20))
            .output();
        out.failure();
        assert!(out.stderr.starts_with("error: "), "{file}: {}", out.stderr);
        assert!(
            out.stderr.contains(expected),
            "{file}: expected {expected:?} in\n{}",
            out.stderr
        );
    }
}

#[test]
fn a_missing_playbook_and_bad_flags_are_usage_errors() {
    let out = Run::bare(&["run", "/nonexistent/p.rhai"]).output();
    out.failure();
    assert!(
        out.stderr.contains("cannot read `/nonexistent/p.rhai`"),
        "{}",
        out.stderr
    );
    let out = Run::bare(&["run", "x.rhai", "--timeout", "soon"]).output();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("`--timeout soon` is not a duration"));
    let out = Run::bare(&["run", "x.rhai", "--max-call-depth", "0"]).output();
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = Run::bare(&["run", "x.rhai", "--audit", "/proc/falconry/audit.jsonl"])
        .env("FALCON_BASE_URL", "http://127.0.0.1:9")
        .env("FALCON_CLIENT_ID", "id")
        .env("FALCON_CLIENT_SECRET", "not-printed")
        .output();
    out.failure();
    assert!(
        out.stderr.contains("cannot create the audit log folder"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("not-printed"));
}

// ---- malformed API answers, from a tiny HTTP peer that answers the token properly and then misbehaves ----

/// How the peer answers API calls (the token endpoint always works).
#[derive(Clone, Copy)]
enum Answer {
    InvalidJson,
    MissingEnvelope,
    Html,
    Truncated,
    ServerErrorHtml,
    NotHttp,
}

struct Peer {
    url: String,
    /// Paths of the API calls received (not the token).
    calls: Arc<Mutex<Vec<String>>>,
}

fn peer(answer: Answer) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let seen = seen.clone();
            std::thread::spawn(move || serve(stream, answer, &seen));
        }
    });
    Peer { url, calls }
}

fn serve(mut stream: TcpStream, answer: Answer, seen: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let path = first.split_whitespace().nth(1).unwrap_or("").to_string();
    let reply = |status: &str, content_type: &str, body: &str| {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let text = if path.starts_with("/oauth2/token") {
        reply(
            "201 Created",
            "application/json",
            r#"{"access_token":"peer-token","expires_in":1800,"token_type":"bearer"}"#,
        )
    } else {
        seen.lock().unwrap().push(path);
        match answer {
            Answer::InvalidJson => reply("200 OK", "application/json", r#"{"meta": {"#),
            Answer::MissingEnvelope => reply("200 OK", "application/json", "{}"),
            Answer::Html => reply("200 OK", "text/html", "<html><body>maintenance</body></html>"),
            Answer::ServerErrorHtml => reply("500 Internal Server Error", "text/html", "<h1>oops</h1>"),
            Answer::Truncated => "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\nconnection: close\r\n\r\n{\"meta\":".to_string(),
            Answer::NotHttp => "SSH-2.0-OpenSSH_9.6\r\n".to_string(),
        }
    };
    let _ = stream.write_all(text.as_bytes());
    let _ = stream.flush();
}

fn against(peer: &Peer, playbook: &str) -> safety_support::Outcome {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.rhai");
    std::fs::write(&p, playbook).unwrap();
    Run::bare(&["run"])
        .arg(&p)
        .arg("--audit")
        .arg(dir.path().join("audit.jsonl"))
        .env("FALCON_BASE_URL", &peer.url)
        .env("FALCON_CLIENT_ID", "id")
        .env("FALCON_CLIENT_SECRET", "peer-secret")
        .deadline(Duration::from_secs(120))
        .output()
}

const READ: &str = "hosts::query_devices_by_filter(#{}).body.resources.len()";
const WRITE: &str = r#"host_group::create_host_groups(#{ name: "g", group_type: "static" })"#;

#[track_caller]
fn clear(out: &safety_support::Outcome, expected: &str) {
    out.failure();
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert!(
        out.stderr.contains(expected),
        "expected {expected:?} in\n{}",
        out.stderr
    );
    assert!(!out.stderr.contains("peer-secret") && !out.stderr.contains("peer-token"));
}

#[test]
fn invalid_json_is_an_error_naming_the_operation() {
    let p = peer(Answer::InvalidJson);
    clear(
        &against(&p, READ),
        "`hosts::query_devices_by_filter` could not be sent: the answer (HTTP 200) is not JSON",
    );
}

#[test]
fn a_missing_envelope_is_caught_where_the_playbook_reads_it() {
    let p = peer(Answer::MissingEnvelope);
    clear(&against(&p, READ), "p.rhai:1:");
}

#[test]
fn a_wrong_content_type_is_an_error() {
    let p = peer(Answer::Html);
    clear(&against(&p, READ), "is not JSON: \"<html>");
}

#[test]
fn a_truncated_answer_to_a_change_is_reported_lost_and_never_resent() {
    let p = peer(Answer::Truncated);
    clear(&against(&p, WRITE), "may have run but its answer was lost");
    assert_eq!(p.calls.lock().unwrap().len(), 1, "a change is sent once");
    let p = peer(Answer::Truncated);
    clear(&against(&p, READ), "`hosts::query_devices_by_filter`");
}

#[test]
fn a_server_error_page_is_reported_with_its_status_and_a_change_is_not_resent() {
    let p = peer(Answer::ServerErrorHtml);
    clear(
        &against(&p, WRITE),
        "`host_group::create_host_groups` failed with HTTP 500",
    );
    assert_eq!(p.calls.lock().unwrap().len(), 1);
}

#[test]
fn a_peer_that_does_not_speak_http_is_an_error() {
    let p = peer(Answer::NotHttp);
    clear(&against(&p, WRITE), "`host_group::create_host_groups`");
    assert_eq!(p.calls.lock().unwrap().len(), 1);
}
