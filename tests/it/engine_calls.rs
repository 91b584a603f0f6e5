//! The engine against a recording backend: every operation is reachable by each of its names, arguments
//! are validated before anything is sent, answers and API errors reach the playbook as maps.

use falconry::api::{ApiError, Response};
use falconry::engine::{Backend, Cancel, ErrorKind, Options, Runtime, ScriptError, rhai_names};
use falconry::ops::{self, Body, Request};
use rhai::{Dynamic, Scope};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Records what would have been sent and answers with a fixed reply.
struct Recorder {
    sent: Mutex<Vec<Request>>,
    reply: fn(&Request) -> Result<Response, ApiError>,
}

impl Recorder {
    fn new(reply: fn(&Request) -> Result<Response, ApiError>) -> Arc<Recorder> {
        Arc::new(Recorder {
            sent: Mutex::new(Vec::new()),
            reply,
        })
    }

    fn sent(&self) -> Vec<Request> {
        self.sent.lock().unwrap().clone()
    }
}

impl Backend for Recorder {
    fn send(&self, req: &Request) -> Result<Response, ApiError> {
        self.sent.lock().unwrap().push(req.clone());
        (self.reply)(req)
    }

    fn download(&self, req: &Request, dest: &Path) -> Result<Response, ApiError> {
        self.sent.lock().unwrap().push(req.clone());
        std::fs::write(dest, b"bytes").unwrap();
        Ok(Response {
            status: 200,
            headers: vec![],
            body: json!({ "path": dest.display().to_string(), "bytes": 5 }),
        })
    }
}

fn ok(req: &Request) -> Result<Response, ApiError> {
    Ok(Response {
        status: req.op.success,
        headers: vec![("x-cs-traceid".into(), "trace-1".into())],
        body: json!({ "meta": { "trace_id": "trace-1" }, "resources": ["a", "b"], "errors": [] }),
    })
}

fn not_found(req: &Request) -> Result<Response, ApiError> {
    Err(ApiError::Status {
        operation: req.op.qualified_name(),
        status: 404,
        messages: vec!["policy not found".into()],
        trace_id: Some("trace-404".into()),
        body: json!({ "meta": { "trace_id": "trace-404" }, "resources": [], "errors": [{ "code": 404, "message": "policy not found" }] }),
    })
}

fn runtime(backend: Arc<Recorder>) -> Runtime {
    runtime_with(backend, Options::default())
}

fn runtime_with(backend: Arc<Recorder>, options: Options) -> Runtime {
    Runtime::new(backend, &options, Cancel::new())
}

fn eval(rt: &Runtime, script: &str) -> Result<Dynamic, ScriptError> {
    let ast = rt.compile_text("test.rhai", script)?;
    rt.eval(&mut Scope::new(), &ast)
}

/// Runs a script that must succeed; its value does not matter.
fn run_ok(rt: &Runtime, script: &str) {
    if let Err(e) = eval(rt, script) {
        panic!("{script}: {e}");
    }
}

fn json_of(v: &Dynamic) -> Value {
    falconry::engine::convert::to_json(v).unwrap()
}

#[test]
fn every_scriptable_operation_answers_to_each_of_its_names_with_zero_or_one_argument() {
    let rec = Recorder::new(ok);
    let rt = runtime(rec.clone());
    let mut names = 0;
    for op in ops::OPERATIONS
        .iter()
        .filter(|op| op.collection.scriptable())
    {
        for name in rhai_names(op) {
            for call in ["()", "(#{})"] {
                let script = format!("{}::{name}{call}", op.collection.module());
                match eval(&rt, &script) {
                    Ok(_) => assert_eq!(rec.sent().last().unwrap().op.id, op.id, "{script}"),
                    // An operation with no required argument that deletes (`ioc::indicator_delete`
                    // takes `ids` or a `filter`) reaches the guard, which refuses it unsent.
                    Err(e) if op.destructive && e.message.contains("--allow-destructive") => {
                        assert!(
                            rec.sent().last().is_none_or(|r| r.op.id != op.id),
                            "{script}"
                        );
                    }
                    // Required arguments missing: validation, not a missing function.
                    Err(e) => assert_eq!(e.kind, ErrorKind::Argument, "{script}: {e}"),
                }
            }
            names += 1;
        }
    }
    assert!(names >= 95 * 2, "only {names} names registered");
}

#[test]
fn operation_ids_that_are_not_identifiers_are_callable_by_falconpy_id() {
    let rec = Recorder::new(ok);
    let rt = runtime(rec.clone());
    run_ok(
        &rt,
        r#"real_time_response_admin::RTR_ExecuteAdminCommand(#{ base_command: "ls", command_string: "ls", session_id: "s1" })"#,
    );
    assert_eq!(rec.sent()[0].op.id, "RTR-ExecuteAdminCommand");
}

#[test]
fn convenience_keys_build_the_body_falconpy_builds() {
    let rec = Recorder::new(ok);
    let rt = runtime(rec.clone());
    run_ok(
        &rt,
        r#"real_time_response_admin::execute_admin_command(#{ base_command: "put", command_string: "put x.exe",
            session_id: "s1", device_id: "d1", persist: false })"#,
    );
    let Body::Json(body) = &rec.sent()[0].body else {
        panic!("not a JSON body")
    };
    assert_eq!(
        body,
        &json!({ "base_command": "put", "command_string": "put x.exe", "device_id": "d1", "persist": false, "session_id": "s1" })
    );
}

#[test]
fn ids_accept_a_string_or_an_array() {
    let rec = Recorder::new(ok);
    let rt = runtime(rec.clone());
    run_ok(
        &rt,
        r#"response_policies::get_policies(#{ ids: "p1" }); response_policies::get_policies(#{ ids: ["p1", "p2"] })"#,
    );
    let sent = rec.sent();
    assert_eq!(sent[0].query, vec![("ids".to_string(), "p1".to_string())]);
    assert_eq!(
        sent[1].query,
        vec![
            ("ids".to_string(), "p1".to_string()),
            ("ids".to_string(), "p2".to_string())
        ]
    );
}

#[test]
fn results_are_maps_of_status_headers_and_body() {
    let rt = runtime(Recorder::new(ok));
    let v = eval(&rt, "let r = response_policies::query_policies(#{ limit: 10 }); [r.status_code, r.headers[\"x-cs-traceid\"], r.body.resources]").unwrap();
    assert_eq!(json_of(&v), json!([200, "trace-1", ["a", "b"]]));
}

#[test]
fn bad_arguments_name_operation_key_and_what_is_allowed_and_send_nothing() {
    let cases = [
        (
            "response_policies::query_policies(#{ limit: 9000 })",
            "`response_policies::query_policies`: argument `limit` must be between 1 and 5000, got 9000",
        ),
        (
            "response_policies::query_policies(#{ limt: 10 })",
            "`response_policies::query_policies`: argument `limt` is not accepted (did you mean `limit`?); allowed: `filter`, `offset`, `limit`, `sort`",
        ),
        (
            "response_policies::query_policies(#{ limit: \"ten\" })",
            "argument `limit` must be a integer, got a string",
        ),
        (
            "response_policies::perform_policies_action(#{ action_name: \"explode\", ids: \"p1\" })",
            "argument `action_name` must be one of `add-host-group`",
        ),
        (
            "response_policies::query_policies(42)",
            "takes one map of named arguments",
        ),
        (
            "response_policies::query_policies(#{ filter: || 1 })",
            "cannot be sent",
        ),
    ];
    for (script, expected) in cases {
        let rec = Recorder::new(ok);
        let rt = runtime(rec.clone());
        let e = eval(&rt, script).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Argument, "{script}: {e}");
        assert!(e.message.contains(expected), "{script}: {}", e.message);
        let loc = e.location.expect("a position");
        assert_eq!((loc.file.as_str(), loc.line), ("test.rhai", 1));
        assert!(rec.sent().is_empty(), "{script} sent a request");
    }
}

#[test]
fn argument_errors_are_catchable_maps() {
    let rt = runtime(Recorder::new(ok));
    let v = eval(
        &rt,
        "let r = (); try { response_policies::query_policies(#{ limit: 0 }) } catch (e) { r = [e.operation, e.key] } r",
    )
    .unwrap();
    assert_eq!(
        json_of(&v),
        json!(["response_policies::query_policies", "limit"])
    );
}

#[test]
fn api_errors_are_catchable_maps() {
    let rt = runtime(Recorder::new(not_found));
    let v = eval(
        &rt,
        r#"let r = 0;
           try { response_policies::get_policies(#{ ids: "nope" }); }
           catch (e) { r = [e.status_code, e.operation, e.trace_id, e.errors[0].message] }
           r"#,
    )
    .unwrap();
    assert_eq!(
        json_of(&v),
        json!([
            404,
            "response_policies::get_policies",
            "trace-404",
            "policy not found"
        ])
    );
}

#[test]
fn uncaught_api_errors_carry_the_call_position_and_the_api_details() {
    let rt = runtime(Recorder::new(not_found));
    let e = eval(
        &rt,
        "let x = 1;\n  response_policies::get_policies(#{ ids: \"nope\" });",
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Api);
    let api = e.api.expect("api details");
    assert_eq!(api.status, Some(404));
    assert_eq!(api.messages, vec!["policy not found".to_string()]);
    assert_eq!(api.trace_id.as_deref(), Some("trace-404"));
    assert_eq!(api.operation, "response_policies::get_policies");
    assert_eq!(e.location.unwrap().line, 2);
}

#[test]
fn errors_inside_functions_keep_the_inner_position_and_the_call_trace() {
    let rt = runtime(Recorder::new(not_found));
    let e = eval(
        &rt,
        "fn lookup(id) {\n  response_policies::get_policies(#{ ids: id })\n}\nlookup(\"x\")",
    )
    .unwrap_err();
    assert_eq!(e.location.unwrap().line, 2);
    assert_eq!(e.trace.len(), 1);
    assert_eq!(e.trace[0].0, "lookup");
    assert_eq!(e.trace[0].1.line, 4);
}

#[test]
fn operations_are_never_called_while_compiling() {
    let rec = Recorder::new(ok);
    let mut rt = runtime(rec.clone());
    rt.engine_mut()
        .set_optimization_level(rhai::OptimizationLevel::Full);
    let ast = rt
        .compile_text(
            "t.rhai",
            "const L = 5; hosts::query_devices_by_filter(#{ limit: L })",
        )
        .unwrap();
    assert!(rec.sent().is_empty(), "compiling sent a request");
    assert!(rt.eval(&mut Scope::new(), &ast).is_ok());
    assert_eq!(rec.sent().len(), 1);

    // Unqualified natives with constant arguments are what the optimiser would call: `sleep` is volatile.
    let started = std::time::Instant::now();
    rt.compile_text("t.rhai", "sleep(2)").unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "compiling slept"
    );
}

#[test]
fn binary_answers_are_saved_to_the_output_folder() {
    let out = tempfile::tempdir().unwrap();
    let rec = Recorder::new(ok);
    let rt = runtime_with(
        rec.clone(),
        Options {
            out_dir: out.path().to_path_buf(),
            ..Options::default()
        },
    );
    let v = eval(
        &rt,
        r#"real_time_response_admin::get_put_file_contents(#{ id: "../etc/passwd" }).body"#,
    )
    .unwrap();
    let path = json_of(&v)["path"].as_str().unwrap().to_string();
    assert!(Path::new(&path).starts_with(out.path()), "{path}");
    assert_eq!(std::fs::read(&path).unwrap(), b"bytes");
}

#[test]
fn a_time_limit_stops_sleeps_and_loops_even_inside_catch() {
    for script in [
        "sleep(30)",
        "loop { try { sleep(30) } catch { } }",
        "loop {}",
    ] {
        let rec = Recorder::new(ok);
        let rt = runtime(rec.clone());
        let ast = rt.compile_text("t.rhai", script).unwrap();
        rt.cancel()
            .arm_timeout(std::time::Duration::from_millis(200));
        let started = std::time::Instant::now();
        let e = rt.eval(&mut Scope::new(), &ast).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Timeout, "{script}: {e}");
        assert!(e.message.contains("time limit of 200ms"), "{}", e.message);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}

#[test]
fn a_cancelled_run_sends_nothing_more() {
    let rec = Recorder::new(ok);
    let rt = runtime(rec.clone());
    rt.cancel().trip(falconry::engine::Reason::Interrupted);
    let e = eval(&rt, "hosts::query_devices_by_filter(#{})").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Interrupted);
    assert!(rec.sent().is_empty());
}

#[test]
fn limits_give_clear_errors() {
    let cases = [
        ("fn f(n) { f(n + 1) } f(0)", "--max-call-depth"),
        ("let s = \"x\"; loop { s += s; }", "--max-string-size"),
        ("let n = 0; loop { n += 1; }", "--max-operations"),
    ];
    for (script, flag) in cases {
        let mut options = Options::default();
        options.limits.max_operations = 100_000;
        options.limits.max_string_size = 1 << 20;
        let rt = runtime_with(Recorder::new(ok), options);
        let e = eval(&rt, script).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Limit(_)), "{script}: {e}");
        assert!(e.message.contains(flag), "{script}: {}", e.message);
    }
}

#[test]
fn imports_come_from_the_lib_folder_first_then_the_stdlib() {
    let lib = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(lib.path().join("team")).unwrap();
    std::fs::write(
        lib.path().join("team/policies.rhai"),
        "fn count() { response_policies::query_policies(#{}).body.resources.len() }\nfn broken() {\n  response_policies::get_policies(#{ ids: \"x\" })\n}",
    )
    .unwrap();
    let options = Options {
        lib_dir: Some(lib.path().to_path_buf()),
        ..Options::default()
    };
    let rt = runtime_with(Recorder::new(ok), options.clone());
    let v = eval(
        &rt,
        r#"import "team/policies" as p; import "falcon/util" as util; [p::count(), util::chunks([1, 2, 3], 2)]"#,
    )
    .unwrap();
    assert_eq!(json_of(&v), json!([2, [[1, 2], [3]]]));

    // An error inside a module function points into the module's own file.
    let rt = runtime_with(Recorder::new(not_found), options);
    let e = eval(&rt, "import \"team/policies\" as p;\np::broken()").unwrap_err();
    let loc = e.location.unwrap();
    assert!(loc.file.ends_with("team/policies.rhai"), "{}", loc.file);
    assert_eq!(loc.line, 3);
    assert_eq!(
        loc.text.as_deref(),
        Some("  response_policies::get_policies(#{ ids: \"x\" })")
    );
}

#[test]
fn unknown_modules_and_escaping_paths_are_refused() {
    let rt = runtime(Recorder::new(ok));
    let e = eval(&rt, r#"import "falcon/nope" as x;"#).unwrap_err();
    assert!(
        e.message.contains("no module `falcon/nope`"),
        "{}",
        e.message
    );
    let e = eval(&rt, r#"import "../secrets" as x;"#).unwrap_err();
    assert!(e.message.contains("without `..`"), "{}", e.message);
}
