//! The operation table against the reference (tools/operations.json), row by row, and the table's
//! own consistency: unique names, routes, parameter locations, body shapes.

use falconry::engine::rhai_names;
use falconry::ops::{self, Collection, Consumes, Location, OPERATIONS, Operation, Type};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Enums the table adds where the reference gives none, with the reason.
/// FalconPy's `perform_action` documents these action names; the spec leaves the field open.
const EXTRA_ENUMS: &[(&str, &str)] = &[("PerformActionV2", "action_name")];

/// The reference rows: `tools/operations.json`, then the issue-26 rows of `tools/spec/operations-extra.json`
/// (generated from committed upstream excerpts by `tools/spec/build_spec.py`).
fn reference() -> Vec<Value> {
    ["tools/operations.json", "tools/spec/operations-extra.json"]
        .iter()
        .flat_map(|name| {
            let path = format!("{}/{name}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).expect(name);
            let doc: Value = serde_json::from_str(&text).expect("valid JSON");
            doc["operations"]
                .as_array()
                .expect("an operations array")
                .clone()
        })
        .collect()
}

fn type_name(t: Type) -> &'static str {
    match t {
        Type::String => "string",
        Type::Integer => "integer",
        Type::Boolean => "boolean",
        Type::StringArray => "array<string>",
        Type::Object => "object",
        Type::Array => "array",
        Type::File => "file",
        Type::Any => "any",
    }
}

/// Every difference between one table row and its reference row, as readable lines.
fn differences(op: &Operation, r: &Value) -> Vec<String> {
    let mut d = Vec::new();
    let mut same = |what: &str, ours: String, theirs: String| {
        if ours != theirs {
            d.push(format!(
                "{}: {what}: table {ours:?}, reference {theirs:?}",
                op.id
            ));
        }
    };
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    same(
        "collection",
        op.collection.reference_name().into(),
        s(&r["collection"]),
    );
    same("falconpy id", op.falconpy_id.into(), s(&r["falconpy_id"]));
    same("falconpy name", op.name.into(), s(&r["falconpy_name"]));
    same("method", op.method.as_str().into(), s(&r["method"]));
    same("path", op.path.into(), s(&r["path"]));
    let params = r["params"].as_array().cloned().unwrap_or_default();
    same(
        "parameter names",
        op.params
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(","),
        params
            .iter()
            .map(|p| s(&p["name"]))
            .collect::<Vec<_>>()
            .join(","),
    );
    for (p, rp) in op.params.iter().zip(&params) {
        let name = p.name;
        same(
            &format!("`{name}` location"),
            p.location.as_str().into(),
            s(&rp["in"]),
        );
        same(
            &format!("`{name}` type"),
            type_name(p.ty).into(),
            s(&rp["type"]),
        );
        same(
            &format!("`{name}` required"),
            p.required.to_string(),
            rp["required"].as_bool().unwrap_or(false).to_string(),
        );
        let theirs: Vec<String> = rp["enum"]
            .as_array()
            .map(|a| a.iter().map(s).collect())
            .unwrap_or_default();
        let ours: Vec<String> = p.allowed.iter().map(|a| a.to_string()).collect();
        if !(theirs.is_empty() && EXTRA_ENUMS.contains(&(op.id, name))) {
            same(&format!("`{name}` enum"), ours.join("|"), theirs.join("|"));
        }
        same(
            &format!("`{name}` min"),
            format!("{:?}", p.min),
            format!("{:?}", rp["min"].as_i64()),
        );
        same(
            &format!("`{name}` max"),
            format!("{:?}", p.max),
            format!("{:?}", rp["max"].as_i64()),
        );
        let default = match &rp["default"] {
            Value::Null => None,
            Value::String(v) => Some(v.clone()),
            other => Some(other.to_string()),
        };
        same(
            &format!("`{name}` default"),
            format!("{:?}", p.default),
            format!("{default:?}"),
        );
        same(
            &format!("`{name}` collection format multi"),
            p.multi.to_string(),
            (rp["collection_format"].as_str() == Some("multi")).to_string(),
        );
    }
    d
}

#[test]
fn the_table_agrees_with_the_reference_row_by_row() {
    let reference = reference();
    let by_id: HashMap<String, &Value> = reference
        .iter()
        .map(|r| (r["operation_id"].as_str().unwrap().to_string(), r))
        .collect();
    let mut diffs = Vec::new();
    for op in OPERATIONS {
        match by_id.get(op.id) {
            Some(r) => diffs.extend(differences(op, r)),
            None => diffs.push(format!("{}: not in the reference", op.id)),
        }
    }
    let ours: HashSet<&str> = OPERATIONS.iter().map(|op| op.id).collect();
    for id in by_id.keys() {
        if !ours.contains(id.as_str()) {
            diffs.push(format!("{id}: in the reference but not in the table"));
        }
    }
    assert_eq!(OPERATIONS.len(), reference.len());
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn the_table_keeps_the_reference_order() {
    let ids: Vec<&str> = OPERATIONS.iter().map(|op| op.id).collect();
    let reference = reference();
    let theirs: Vec<&str> = reference
        .iter()
        .map(|r| r["operation_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, theirs);
}

#[test]
fn ninety_five_operations_are_scriptable() {
    assert_eq!(
        OPERATIONS
            .iter()
            .filter(|op| op.collection.scriptable())
            .count(),
        95
    );
    assert!(
        OPERATIONS
            .iter()
            .filter(|op| !op.collection.scriptable())
            .all(|op| op.collection == Collection::OAuth2)
    );
}

#[test]
fn names_are_unique_within_each_module() {
    let mut seen: HashMap<(&str, &str), &str> = HashMap::new();
    for op in OPERATIONS {
        for name in rhai_names(op) {
            if let Some(other) = seen.insert((op.collection.module(), name), op.id) {
                panic!(
                    "`{}::{name}` names both {other} and {}",
                    op.collection.module(),
                    op.id
                );
            }
        }
    }
}

#[test]
fn every_name_finds_its_own_operation() {
    for op in OPERATIONS.iter().filter(|op| op.collection.scriptable()) {
        for name in rhai_names(op) {
            assert_eq!(
                ops::find(op.collection.module(), name).map(|o| o.id),
                Some(op.id),
                "{name}"
            );
        }
        assert_eq!(ops::by_id(op.id).map(|o| o.path), Some(op.path));
    }
}

#[test]
fn every_route_maps_back_to_its_own_operation() {
    for op in OPERATIONS {
        let found = ops::by_route(op.method.as_str(), op.path).map(|o| o.id);
        assert_eq!(found, Some(op.id), "{} {}", op.method, op.path);
    }
}

#[test]
fn every_parameter_travels_where_the_operation_can_carry_it() {
    for op in OPERATIONS {
        for p in op.params {
            let ok = match p.location {
                Location::Query => true,
                Location::Body => {
                    op.consumes == Consumes::Json && matches!(p.ty, Type::Object | Type::Array)
                }
                Location::FormData => matches!(op.consumes, Consumes::Multipart | Consumes::Form),
            };
            assert!(
                ok,
                "{}: `{}` ({}) cannot travel in a {:?} request",
                op.id,
                p.name,
                p.location.as_str(),
                op.consumes
            );
            assert!(!p.name.is_empty(), "{}: a parameter without a name", op.id);
        }
    }
}

#[test]
fn every_body_operation_has_a_body_shape_and_only_those() {
    for op in OPERATIONS {
        let takes_body = op.params.iter().any(|p| p.location == Location::Body);
        assert_eq!(takes_body, op.body.is_some(), "{}", op.id);
        if let Some(shape) = op.body {
            assert!(
                !shape.schema.is_empty(),
                "{}: body shape without a schema",
                op.id
            );
            let mut keys = HashSet::new();
            for f in shape.fields {
                assert!(
                    keys.insert(f.name),
                    "{}: body key `{}` twice",
                    op.id,
                    f.name
                );
            }
        }
    }
}

#[test]
fn ranges_and_enums_are_sane() {
    for op in OPERATIONS {
        for p in op.params {
            if let (Some(lo), Some(hi)) = (p.min, p.max) {
                assert!(lo <= hi, "{}: `{}` range {lo}..{hi}", op.id, p.name);
            }
            if p.min.is_some() || p.max.is_some() {
                assert_eq!(
                    p.ty,
                    Type::Integer,
                    "{}: `{}` has a range but is not an integer",
                    op.id,
                    p.name
                );
            }
            let unique: HashSet<_> = p.allowed.iter().collect();
            assert_eq!(
                unique.len(),
                p.allowed.len(),
                "{}: `{}` enum repeats a value",
                op.id,
                p.name
            );
        }
    }
}

#[test]
fn every_op_id_names_its_own_row() {
    assert_eq!(falconry::ops::OpId::ALL.len(), OPERATIONS.len());
    for (i, op) in OPERATIONS.iter().enumerate() {
        assert_eq!(op.key as usize, i, "{} is out of order", op.id);
        assert_eq!(op.key.op().id, op.id);
    }
}

/// The committed table is exactly what the generator writes from its input: a hand edit of
/// `crates/model/src/ops/table.rs`, or a generator change not run, fails here.
#[test]
fn the_committed_table_is_the_generators_output() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::process::Command::new("python3")
        .arg(format!("{root}/tools/gen_ops_table.py"))
        .arg("--check")
        .output()
        .expect("python3 runs the generator");
    assert!(
        out.status.success(),
        "tools/gen_ops_table.py --check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The other generated files are their scripts' output from committed inputs only: the spec rows
/// and fragment of the new collections (`tools/spec/build_spec.py`, from `tools/spec/inputs/`) and
/// the schemathesis spec copy with its deviations list (`tools/adapt_spec.py`, from
/// `tools/openapi-subset.json`, the committed copy of the reference subset).
#[test]
fn the_generated_spec_files_are_their_scripts_output() {
    let root = env!("CARGO_MANIFEST_DIR");
    for script in ["tools/spec/build_spec.py", "tools/adapt_spec.py"] {
        let out = std::process::Command::new("python3")
            .arg(format!("{root}/{script}"))
            .arg("--check")
            .output()
            .expect("python3 runs the script");
        assert!(
            out.status.success(),
            "{script} --check: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The generator writes the policy bodies' `platform_name` values (its `PLATFORMS`); they are the
/// model's platforms exactly, so a platform is spelled one way in the table and in `Platform`.
#[test]
fn platform_name_fields_allow_exactly_the_models_platforms() {
    use falconry::platform::Platform;
    let mut ours: Vec<&str> = Platform::ALL.iter().map(|p| p.name()).collect();
    ours.sort();
    let mut seen = 0;
    for op in OPERATIONS {
        for f in op.body.iter().flat_map(|b| b.fields) {
            if f.name == "platform_name" {
                let mut allowed = f.allowed.to_vec();
                allowed.sort();
                assert_eq!(allowed, ours, "{}: `platform_name`", op.id);
                seen += 1;
            }
        }
    }
    assert!(
        seen >= 2,
        "the policy create and precedence bodies name a platform"
    );
}
