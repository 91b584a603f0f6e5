//! Answers nobody reads (issue 28): a call whose value the playbook drops has its answer checked,
//! not turned into Rhai values. Which calls count is decided from the compiled playbook, and a
//! playbook must not be able to tell: every value it reads is the one it read before, errors still
//! stop it, and the safety layer still learns the hostnames such an answer names.

use crate::safety_support::{Tenant, fleet};
use falconry::api::{ApiError, Response};
use falconry::engine::{Backend, Cancel, Options, Runtime};
use falconry::ops::Request;
use rhai::Scope;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Answers every request and notes, by its `ids`, whether it was sent for an unread answer.
#[derive(Default)]
struct Noting {
    read: Mutex<Vec<String>>,
    unread: Mutex<Vec<String>>,
}

fn ids_of(req: &Request) -> String {
    req.query
        .iter()
        .find(|(k, _)| k == "ids")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn answer(req: &Request) -> Response {
    Response {
        status: 200,
        headers: vec![],
        body: json!({ "meta": {}, "resources": [{ "id": ids_of(req), "description": "longer than ten" }], "errors": [] }),
    }
}

impl Backend for Noting {
    fn send(&self, req: &Request) -> Result<Response, ApiError> {
        self.read.lock().unwrap().push(ids_of(req));
        Ok(answer(req))
    }

    fn send_unread(&self, req: &Request) -> Result<Option<Value>, ApiError> {
        self.unread.lock().unwrap().push(ids_of(req));
        Ok(None)
    }

    fn download(&self, req: &Request, _dest: &Path) -> Result<Response, ApiError> {
        self.send(req)
    }
}

/// Runs `script` and gives its value as JSON, with the `ids` sent read and unread, each sorted.
fn run(script: &str) -> (Value, Vec<String>, Vec<String>) {
    run_with(script, &Options::default())
}

fn run_with(script: &str, options: &Options) -> (Value, Vec<String>, Vec<String>) {
    let noting = Arc::new(Noting::default());
    let rt = Runtime::new(noting.clone(), options, Cancel::new());
    let ast = rt.compile_text("unread.rhai", script).unwrap();
    let value = rt.eval(&mut Scope::new(), &ast).unwrap();
    let sorted = |m: &Mutex<Vec<String>>| {
        let mut v = m.lock().unwrap().clone();
        v.sort();
        v
    };
    (
        falconry::engine::convert::to_json(&value).unwrap(),
        sorted(&noting.read),
        sorted(&noting.unread),
    )
}

#[test]
fn only_calls_whose_value_rhai_drops_go_unread() {
    let (value, read, unread) = run(r#"
        fn top_of_a_body() { response_policies::get_policies(#{ ids: "fn-top" }); 1 }
        fn last_of_a_body() { response_policies::get_policies(#{ ids: "fn-last" }) }
        fn in_a_loop() { for i in 0..1 { response_policies::get_policies(#{ ids: "fn-loop" }); } }
        let kept = response_policies::get_policies(#{ ids: "let" });
        response_policies::get_policies(#{ ids: "statement" });
        for i in 0..1 { response_policies::get_policies(#{ ids: "for" }) }
        let n = 0;
        while n < 1 { n += 1; response_policies::get_policies(#{ ids: "while" }) }
        do { n -= 1; response_policies::get_policies(#{ ids: "do" }) } while n > 0;
        { response_policies::get_policies(#{ ids: "block-first" }); response_policies::get_policies(#{ ids: "block-last" }) }
        if n == 0 { response_policies::get_policies(#{ ids: "if" }) } else { 0 }
        let v = if n == 0 { response_policies::get_policies(#{ ids: "if-value" }) } else { 0 };
        let s = switch n { 0 => response_policies::get_policies(#{ ids: "switch" }), _ => 0 };
        try { response_policies::get_policies(#{ ids: "try" }); } catch { }
        let c = [1].map(|x| response_policies::get_policies(#{ ids: "closure" }));
        let b = { response_policies::get_policies(#{ ids: "block-value" }) };
        let t = top_of_a_body();
        let l = last_of_a_body();
        in_a_loop();
        response_policies::get_policies(#{ ids: "the-answer" }).body.resources[0].id;
        #{ kept: kept.body.resources[0].id, v: v.body.resources[0].id, s: s.body.resources[0].id,
           c: c[0].body.resources[0].id, b: b.body.resources[0].id, t: t, l: l.body.resources[0].id,
           last: response_policies::get_policies(#{ ids: "last" }).body.resources[0].id }
        "#);
    assert_eq!(
        value,
        json!({ "kept": "let", "v": "if-value", "s": "switch", "c": "closure", "b": "block-value",
                "t": 1, "l": "fn-last", "last": "last" })
    );
    assert_eq!(
        unread,
        [
            "block-first",
            "block-last",
            "do",
            "fn-loop",
            "for",
            "if",
            "statement",
            "while"
        ]
    );
    // A method call on the answer reads it; a statement at the top of a function body is kept, as
    // nothing says whether it is the body's last.
    assert_eq!(
        read,
        [
            "block-value",
            "closure",
            "fn-last",
            "fn-top",
            "if-value",
            "last",
            "let",
            "switch",
            "the-answer",
            "try"
        ]
    );
}

#[test]
fn a_playbook_that_evaluates_text_reads_every_answer() {
    // `eval`'s text has positions of its own under the playbook's name: they could be a dropped
    // call's, so nothing goes unread.
    let (value, read, unread) = run(r#"
        response_policies::get_policies(#{ ids: "statement" });
        let r = eval(`response_policies::get_policies(#{ ids: "evaluated" })`);
        r.body.resources[0].id
        "#);
    assert_eq!(value, json!("evaluated"));
    assert_eq!(read, ["evaluated", "statement"]);
    assert!(unread.is_empty(), "{unread:?}");
}

#[test]
fn with_a_size_limit_on_values_every_answer_is_read() {
    // Rhai measures a call's value against `--max-string-size` and the like: too large an answer
    // is an error even when the playbook drops it.
    let noting = Arc::new(Noting::default());
    let mut options = Options::default();
    options.limits.max_string_size = 10;
    let rt = Runtime::new(noting.clone(), &options, Cancel::new());
    let ast = rt
        .compile_text(
            "unread.rhai",
            r#"response_policies::get_policies(#{ ids: "p1" }); 1"#,
        )
        .unwrap();
    let e = rt.eval(&mut Scope::new(), &ast).unwrap_err();
    assert!(
        e.message.contains("too long") || e.message.contains("too large"),
        "{e}"
    );
    assert_eq!(*noting.read.lock().unwrap(), ["p1"]);
    assert!(noting.unread.lock().unwrap().is_empty());
}

#[test]
fn a_function_carried_from_an_earlier_repl_line_keeps_its_value_at_a_dropped_position() {
    // The REPL evaluates each line merged with the functions of the lines before it, all under
    // one name: here the carried function's call and the new line's dropped call both stand at
    // line 1, column 10, and a position where any call keeps its value is never unread.
    let noting = Arc::new(Noting::default());
    let rt = Runtime::new(noting.clone(), &Options::default(), Cancel::new());
    let earlier = rt
        .compile_text(
            "repl",
            r#"fn f() { response_policies::get_policies(#{ ids: "carried" }) }"#,
        )
        .unwrap();
    let line = rt
        .compile_text(
            "repl",
            "         response_policies::get_policies(#{ ids: \"line\" }); f().body.resources[0].id",
        )
        .unwrap();
    let value = rt
        .eval(
            &mut Scope::new(),
            &earlier.clone_functions_only().merge(&line),
        )
        .unwrap();
    assert_eq!(value.into_string().unwrap(), "carried");
    assert!(noting.unread.lock().unwrap().is_empty());
    // The same line alone drops its first answer unread.
    rt.eval(&mut Scope::new(), &line).unwrap_err();
    assert_eq!(*noting.unread.lock().unwrap(), ["line"]);
}

#[test]
fn a_module_call_at_the_position_of_a_dropped_call_keeps_its_value() {
    // The module's call and the playbook's dropped call both stand at line 1, column 10: positions
    // are the playbook's own only under its source.
    let lib = tempfile::tempdir().unwrap();
    std::fs::write(
        lib.path().join("m.rhai"),
        r#"fn f() { response_policies::get_policies(#{ ids: "module" }) }"#,
    )
    .unwrap();
    let options = Options {
        lib_dir: Some(lib.path().to_path_buf()),
        ..Options::default()
    };
    let (value, read, unread) = run_with(
        "         response_policies::get_policies(#{ ids: \"dropped\" });\n\
         import \"m\" as m; m::f().body.resources[0].id",
        &options,
    );
    assert_eq!(value, json!("module"));
    assert_eq!(read, ["module"]);
    assert_eq!(unread, ["dropped"]);
}

#[test]
fn an_unread_answer_that_is_an_api_error_still_stops_the_playbook() {
    let t = Tenant::new(&fleet(""));
    let out = t
        .run(
            r#"
            response_policies::get_policies(#{ ids: "0000000000000000000000000000dead" });
            "not reached"
            "#,
        )
        .output();
    out.failure();
    assert!(
        out.stderr.contains("response_policies::get_policies") && out.stderr.contains("404"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("not reached"), "{}", out.stdout);
}

#[test]
fn the_hostnames_of_an_unread_device_answer_still_reach_the_plan() {
    let t = Tenant::new(&fleet(""));
    let dev = t.device_id("WS-042");
    let out = t
        .run(&format!(
            r#"
            hosts::get_device_details_v2(#{{ ids: "{dev}" }});
            hosts::perform_action(#{{ action_name: "contain", ids: "{dev}" }});
            "#
        ))
        .arg("--plan")
        .arg("--json")
        .output();
    out.success();
    let plan = &out.json()["plan"];
    assert_eq!(plan[0]["operation"], json!("hosts::perform_action"));
    assert_eq!(plan[0]["targets"]["hostnames"], json!(["WS-042"]), "{plan}");
}
