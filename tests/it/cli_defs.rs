//! `falconry defs DIR`: the definition files name every function the engine registers, with help.

use crate::common::Test;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Every `*.d.rhai` file under `dir` (and the copied library sources), by file name.
fn files(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let name = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(name, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn definitions_name_every_registered_function_with_its_help() {
    let out = Test::new().command(&["defs", "defs"]).run();
    out.status(0)
        .stdout_has("definition and library files to defs");
    let written = files(&out.dir.join("defs"));
    let global = &written["__static__.d.rhai"];

    // What the engine `falconry run` builds has registered, as rhai lists it.
    let runtime = falconry::helpers::runtime(
        Arc::new(falconry::engine::Offline),
        &falconry::engine::Options::default(),
        falconry::engine::Cancel::new(),
    );
    let signatures = runtime.engine().gen_fn_signatures(false);
    assert!(signatures.len() > 300, "{}", signatures.len());
    for sig in &signatures {
        // Property getters and setters are written `fn get name(..)` / `fn set name(..)`.
        let path = sig
            .split('(')
            .next()
            .unwrap()
            .replace("get$", "get ")
            .replace("set$", "set ");
        let path = path.as_str();
        let (file, name) = match path.rsplit_once("::") {
            Some((module, name)) => (format!("{module}.d.rhai"), name),
            None => ("__static__.d.rhai".to_string(), path),
        };
        let text = written
            .get(&file)
            .unwrap_or_else(|| panic!("`{sig}`: no {file}"));
        // A name that is a Rhai keyword (`log::debug`) is written `op debug(..)`.
        assert!(
            text.contains(&format!("fn {name}(")) || text.contains(&format!("op {name}(")),
            "`{sig}` is registered but not in {file}"
        );
    }

    // Each helper, method and text function carries its help; each operation its summary.
    for h in falconry::helpers::FUNCTIONS {
        let first = h.help.lines().next().unwrap();
        assert!(
            written[&format!("{}.d.rhai", h.owner)].contains(first),
            "{}::{}",
            h.owner,
            h.name
        );
    }
    for h in falconry::helpers::METHODS
        .iter()
        .chain(falconry::helpers::GLOBALS)
    {
        let first = h.help.lines().next().unwrap();
        assert!(global.contains(first), "{}.{}", h.owner, h.name);
    }
    let op = falconry::ops::OPERATIONS
        .iter()
        .find(|o| o.name == "query_devices_by_filter")
        .unwrap();
    let first = op.summary.lines().next().unwrap().trim();
    assert!(written["hosts.d.rhai"].contains(&format!("/// {first}")));
    assert!(written["hosts.d.rhai"].contains("/// `GET /devices/queries/devices/v1`"));

    // The library's modules, as source an import resolves to.
    for (import, source) in falconry::engine::stdlib::STDLIB {
        assert_eq!(&written[&format!("{import}.rhai")], source, "{import}");
    }
}
