#!/usr/bin/env python3
"""Writes crates/model/src/ops/table.rs from tools/operations.json (a copy of the reference) and
tools/spec/operations-extra.json (the alerts, ioc, incidents and hosts rows built by tools/spec/build_spec.py,
issue 26), plus the facts they do not carry: FalconPy's convenience keys, each operation's kind and effect,
the tenant objects plan mode keeps (tools/spec/facts.json), and the parameter ranges FalconPy's committed
endpoint files document where the spec gives none (tools/spec/inputs/falconpy/_endpoint/).
Every operation id named below or in facts.json must be a row of the input: a stale name fails the run, never
drops silently.

Usage: tools/gen_ops_table.py [OUT]   (default: crates/model/src/ops/table.rs; the output is formatted with rustfmt)
       tools/gen_ops_table.py --check (fails if the committed table.rs or op_id.rs differs from the output)
Run when the reference changes; `tests/it/table.rs` runs `--check`, so the script and the table cannot drift
apart.
"""
import ast, json, pathlib, re, subprocess, sys, tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
INPUTS = ["tools/operations.json", "tools/spec/operations-extra.json"]
ref = [o for name in INPUTS for o in json.loads((ROOT / name).read_text())["operations"]]
COMMITTED = ROOT / "crates/model/src/ops/table.rs"
CHECK = sys.argv[1:] == ["--check"]
TMP = tempfile.TemporaryDirectory() if CHECK else None
OUT = pathlib.Path(TMP.name) / "table.rs" if CHECK else (pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else COMMITTED)
FACTS_FILE = "tools/spec/facts.json"
FACTS = json.loads((ROOT / FACTS_FILE).read_text())

COLL = {"response-policies": "ResponsePolicies", "real-time-response-admin": "RealTimeResponseAdmin",
        "real-time-response": "RealTimeResponse", "hosts": "Hosts", "host-group": "HostGroup", "oauth2": "OAuth2",
        "alerts": "Alerts", "ioc": "Ioc", "incidents": "Incidents"}

# Operations whose success answer is file bytes (`produces` in openapi-subset.json: 7z or octet-stream).
BINARY = {"RTR-GetPutFileContents", "RTR-GetExtractedFileContents"}
# Read-only POSTs (queries dressed as POST).
READ_POSTS = {"RTR-AggregateSessions", "RTR-ListQueuedSessions", "RTR-ListSessions", "PostDeviceDetailsV2",
              "PostEntitiesAlertsV1", "PostEntitiesAlertsV2", "PostCombinedAlertsV1", "PostAggregatesAlertsV1",
              "PostAggregatesAlertsV2", "GetIncidents", "GetBehaviors"}
# Creates that answer 200 (every other create is a POST answering 201, see `kind_of`).
CREATES = {"RTR-CreatePut-Files", "RTR-CreatePut-FilesV2", "RTR-CreateScripts", "RTR-CreateScriptsV2"}
SESSION = {"RTR-InitSession", "RTR-PulseSession", "RTR-DeleteSession", "BatchInitSessions", "BatchRefreshSessions",
           "oauth2AccessToken", "oauth2RevokeToken"}
COMMAND = {"RTR-ExecuteAdminCommand", "RTR-ExecuteActiveResponderCommand", "RTR-ExecuteCommand", "BatchAdminCmd",
           "BatchActiveResponderCmd", "BatchCmd", "BatchGetCmd"}

# tests/it/table.rs checks these are `Platform`'s names (crates/model/src/platform.rs).
# Host actions that change what a host does (containment, hiding, detection suppression): destructive like
# deletes and RTR commands (see `destructive` below).
# An IOC's `action` (prevent, detect) decides what every host it applies to may run, so creating or
# changing one is such an action too.
HOST_ACTIONS_OPS = {"PerformActionV2", "indicator.create.v1", "indicator.update.v1"}

S, I, B, SA, ANY = "String", "Integer", "Boolean", "StringArray", "Any"
def f(name, ty, required=False, allowed=()):
    return (name, ty, required, tuple(allowed))

CMD = [f("base_command", S, True), f("command_string", S, True), f("session_id", S, True), f("device_id", S),
       f("id", I), f("persist", B)]
BATCH_CMD = [f("base_command", S, True), f("batch_id", S, True), f("command_string", S, True),
             f("optional_hosts", SA), f("persist_all", B)]
INIT = [f("device_id", S, True), f("origin", S), f("queue_offline", B)]
IDS = [f("ids", SA, True)]
AGGREGATE = [f("field", S), f("filter", S), f("name", S), f("q", S), f("size", I), f("sort", S), f("type", S),
             f("interval", S), f("min_doc_count", I), f("missing", S), f("time_zone", S), f("date_ranges", ANY),
             f("ranges", ANY), f("sub_aggregates", ANY)]
# The alert update actions: the v2/v3 body text lists them; FalconPy adds `new_behavior_processed`.
ALERT_ACTIONS = ["assign_to_uuid", "assign_to_user_id", "assign_to_name", "unassign", "add_tag", "remove_tag",
                 "remove_tags_by_prefix", "append_comment", "update_status", "show_in_ui", "new_behavior_processed"]
# `domain.EntityActionRequest`'s action names as FalconPy's perform_incident_action sends them.
INCIDENT_ACTIONS = ["add_tag", "delete_tag", "update_name", "update_description", "update_assigned_to_v2",
                    "unassign", "update_status", "add_comment"]
# `api.IndicatorCreateReqV1` / `api.IndicatorUpdateReqV1`: one indicator; `comment` is the request's.
INDICATOR = [f("type", S, False, ("sha256", "md5", "domain", "ipv4", "ipv6")), f("value", S), f("action", S),
             f("severity", S), f("platforms", SA), f("applied_globally", B), f("host_groups", SA), f("tags", SA),
             f("description", S), f("source", S), f("expiration", S), f("mobile_action", S), f("metadata", ANY),
             f("comment", S)]
def required(fields, *names):
    return [(n, t, r or n in names, a) for (n, t, r, a) in fields]
# `Platform::name` of each platform (crates/model/src/platform.rs): tests/it/table.rs checks they agree.
PLATFORMS = ("Windows", "Mac", "Linux")
BODIES = {
    "createRTResponsePolicies": ("Resources", [f("name", S, True), f("platform_name", S, True, PLATFORMS),
                                  f("description", S), f("clone_id", S), f("settings", ANY)], []),
    "updateRTResponsePolicies": ("Resources", [f("id", S, True), f("settings", ANY), f("name", S), f("description", S)], []),
    "performRTResponsePoliciesAction": ("Object", IDS, ["group_id", "rule_group_id"]),
    "setRTResponsePoliciesPrecedence": ("Object", [f("ids", SA, True), f("platform_name", S, True, PLATFORMS)], []),
    "RTR-ExecuteAdminCommand": ("Object", CMD, []),
    "RTR-ExecuteActiveResponderCommand": ("Object", CMD, []),
    "RTR-ExecuteCommand": ("Object", CMD, []),
    "BatchAdminCmd": ("Object", BATCH_CMD, []),
    "BatchActiveResponderCmd": ("Object", BATCH_CMD, []),
    "BatchCmd": ("Object", BATCH_CMD, []),
    "BatchGetCmd": ("Object", [f("batch_id", S, True), f("file_path", S, True), f("optional_hosts", SA)], []),
    "BatchInitSessions": ("Object", [f("host_ids", SA, True), f("existing_batch_id", S), f("queue_offline", B)], []),
    "BatchRefreshSessions": ("Object", [f("batch_id", S, True), f("hosts_to_remove", SA)], []),
    "RTR-InitSession": ("Object", INIT, []),
    "RTR-PulseSession": ("Object", INIT, []),
    "RTR-ListSessions": ("Object", IDS, []),
    "RTR-ListQueuedSessions": ("Object", IDS, []),
    "RTR-AggregateSessions": ("List", AGGREGATE, []),
    "PerformActionV2": ("Object", IDS, []),
    "PostDeviceDetailsV2": ("Object", IDS, []),
    "performGroupAction": ("Object", IDS, ["filter"]),
    "createHostGroups": ("Resources", [f("name", S, True), f("group_type", S, True, ("static", "dynamic", "staticByID")),
                          f("description", S), f("assignment_rule", S)], []),
    "updateHostGroups": ("Resources", [f("id", S, True), f("name", S), f("description", S), f("assignment_rule", S)], []),
    "PostAggregatesAlertsV1": ("List", AGGREGATE, []),
    "PostAggregatesAlertsV2": ("List", AGGREGATE, []),
    "PostCombinedAlertsV1": ("Object", [f("after", S), f("filter", S), f("limit", I), f("sort", S)], []),
    "PostEntitiesAlertsV1": ("Object", IDS, []),
    "PostEntitiesAlertsV2": ("Object", [f("composite_ids", SA, True)], []),
    "PatchEntitiesAlertsV2": ("Object", IDS, ALERT_ACTIONS),
    "PatchEntitiesAlertsV3": ("Object", [f("composite_ids", SA, True)], ALERT_ACTIONS),
    "indicator.create.v1": ("Indicators", required(INDICATOR, "type", "value"), []),
    "indicator.update.v1": ("Indicators", [f("id", S, True)] + INDICATOR, []),
    "PerformIncidentAction": ("Object", IDS, INCIDENT_ACTIONS),
    "GetIncidents": ("Object", IDS, []),
    "GetBehaviors": ("Object", IDS, []),
    "UpdateDeviceTags": ("Object", [f("action", S, True, ("add", "remove")), f("device_ids", SA, True),
                         f("tags", SA, True)], []),
}
# FalconPy's PerformActionV2 accepts these action names; the spec gives no enum.
HOST_ACTIONS = ("contain", "lift_containment", "hide_host", "unhide_host", "detection_suppress", "detection_unsuppress")

def rs(s):
    return json.dumps(s, ensure_ascii=False)

def strs(xs):
    return "&[" + ", ".join(rs(x) for x in xs) + "]"

def ty_of(p):
    t = p["type"]
    if p["in"] == "body":
        return "Array" if t == "array" else "Object"
    return {"string": S, "integer": I, "boolean": B, "file": "File"}.get(t) or (SA if t.startswith("array") else ANY)

def variant(oid):
    """The `OpId` variant for an operation id: `RTR-GetPut-FilesV2` -> `RtrGetPutFilesV2`."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]", oid) if p]
    return "".join((p.capitalize() if p.isupper() else p[0].upper() + p[1:]) for p in parts)

def kind_of(o):
    """What an operation does, finer than its effect: read, create, update, delete, action, session, command."""
    oid = o["operation_id"]
    if o["method"] == "GET" or oid in READ_POSTS:
        return "Read"
    if oid in SESSION:
        return "Session"
    if oid in COMMAND:
        return "Command"
    if o["method"] == "DELETE":
        return "Delete"
    if o["method"] == "PATCH":
        return "Update"
    # Decided by what the spec says the operation answers, never by its name: a POST that answers 201
    # Created creates (the RTR admin creates answer 200 and are listed).
    if (o["method"] == "POST" and success_of(o) == 201) or oid in CREATES:
        return "Create"
    return "Action"

def success_of(o):
    return min(int(c) for c in o["responses"] if c.startswith("2"))

# From the spec: its definitions, for what each success answer's `resources` hold; and `maxItems` per
# (operationId, parameter): the API refuses a longer list, and a long enough one cannot even be sent
# as a query string.
DEFINITIONS = {}
MAX_ITEMS = {}
for name in ["tools/openapi-subset.json", "tools/spec/openapi-extra.json"]:
    spec = json.loads((ROOT / name).read_text())
    DEFINITIONS.update(spec.get("definitions", {}))
    for item in spec.get("paths", {}).values():
        for op in item.values():
            if isinstance(op, dict):
                for q in op.get("parameters", []):
                    if "maxItems" in q:
                        MAX_ITEMS[(op["operationId"], q["name"])] = q["maxItems"]

def answer_of(o):
    """`Records` when the success answer's `resources` are objects, `Ids` when strings, else `Other`."""
    d = o["responses"].get(str(success_of(o)))
    resources = DEFINITIONS.get(d, {}).get("properties", {}).get("resources", {}) if isinstance(d, str) else {}
    items = resources.get("items", {})
    if "$ref" in items or items.get("type") == "object":
        return "Records"
    if items.get("type") == "string":
        return "Ids"
    return "Other"

def definition(o):
    d = o["responses"].get(str(success_of(o)))
    return DEFINITIONS.get(d, {}) if isinstance(d, str) else {}

def has_session_id(schema):
    ref_name = schema.get("$ref", "").rsplit("/", 1)[-1]
    return "session_id" in DEFINITIONS.get(ref_name, {}).get("properties", {})

def opens_of(o, kind):
    """What a session operation's success answer says about the sessions it opened, from its schema:
    `Batch` (a `batch_id` and `resources` keyed by device id, each with a `session_id`), `Session`
    (`resources[]` with a `session_id`, for the request's `device_id`), else None."""
    if kind != "Session":
        return None
    props = definition(o).get("properties", {})
    resources = props.get("resources", {})
    if "batch_id" in props and has_session_id(resources.get("additionalProperties", {})):
        return "Opens::Batch"
    if has_session_id(resources.get("items", {})) and any(p["name"] == "body" for p in o["params"]):
        return "Opens::Session"
    return None

def error_resources_of(o):
    """Whether the 400 answer's schema has `resources` (`None` when the spec documents no 400)."""
    d = o["responses"].get("400")
    return None if d is None else "resources" in DEFINITIONS.get(d, {}).get("properties", {})

def error_resources_by_collection():
    """The collections whose operations documenting a 400 agree on its `resources`: an operation that
    documents none answers as they do."""
    seen = {}
    for o in ref:
        v = error_resources_of(o)
        if v is not None:
            seen.setdefault(o["collection"], set()).add(v)
    return {c: vs.pop() for c, vs in seen.items() if len(vs) == 1}
ERROR_RESOURCES = error_resources_by_collection()

def error_resources(o):
    v = error_resources_of(o)
    if v is None and o["collection"] not in ERROR_RESOURCES:
        raise SystemExit(f"{o['operation_id']} documents no 400 and its collection's operations disagree on its shape")
    return ERROR_RESOURCES[o["collection"]] if v is None else v

def falconpy_ranges():
    """`(operation id, parameter) -> (lo, hi)` for integer query parameters whose description in FalconPy's
    committed endpoint files (the spec's text, `The maximum records to return. [1-5000]`) gives a range."""
    out = {}
    for path in sorted((ROOT / "tools/spec/inputs/falconpy/_endpoint").glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.Assign):
                continue
            for row in ast.literal_eval(node.value):
                for p in row[5]:
                    m = re.search(r"\[(\d+)-(\d+)\]", p.get("description", ""))
                    if m and p.get("type") == "integer" and p.get("in") == "query":
                        out[(row[0], p["name"])] = (int(m.group(1)), int(m.group(2)))
    return out
DOCUMENTED = falconpy_ranges()

EFFECT = {"Read": "Read", "Session": "Session", "Command": "Command",
          "Create": "Change", "Update": "Change", "Delete": "Change", "Action": "Change"}

def opt(v):
    return "None" if v is None else f"Some({v})"

# Body lists the API caps though the spec's schema gives no `maxItems`: the wire conventions
# (../shared/falcon-api/README.md: `domain.BatchInitSessionRequest {host_ids (max 10000), ...}`).
BODY_MAX_ITEMS = {("BatchInitSessions", "host_ids"): 10000}

OBJECT_KINDS = [k for k in FACTS["objects"] if k != "about"]
CREATED, LISTED = {}, {}
for obj in OBJECT_KINDS:
    for what, into in [("creates", CREATED), ("lists", LISTED)]:
        for oid in FACTS["objects"][obj][what]:
            if oid in into:
                raise SystemExit(f"{FACTS_FILE}: {oid} {what} both {into[oid]} and {obj}")
            into[oid] = obj

known = {o["operation_id"] for o in ref}
for what, ids in [("BINARY", BINARY), ("READ_POSTS", READ_POSTS), ("CREATES", CREATES), ("SESSION", SESSION),
                  ("COMMAND", COMMAND), ("HOST_ACTIONS_OPS", HOST_ACTIONS_OPS), ("BODIES", set(BODIES)),
                  (f"{FACTS_FILE} creates", set(CREATED)), (f"{FACTS_FILE} lists", set(LISTED))]:
    if ids - known:
        raise SystemExit(f"{what} names operations not in {' or '.join(INPUTS)}: {sorted(ids - known)}")
if len(known) != len(ref):
    raise SystemExit("an operation id appears twice in the inputs")
variants = [variant(o["operation_id"]) for o in ref]
if len(set(variants)) != len(variants):
    raise SystemExit("two operation ids map to the same OpId variant")
GENERATED = ["// @generated by tools/gen_ops_table.py from tools/operations.json, tools/spec/operations-extra.json and",
             "// tools/spec/facts.json:",
             "// edit the script, not this file."]
# `OpId` has a file of its own, below the model's types (`model.rs` names it in `Operation::key`), so
# the types and the table they describe do not import each other.
ids = GENERATED + [
       "//! `OpId`: one variant per operation of the table, in table order.", "",
       "/// One variant per operation, in table order: `OPERATIONS[id as usize].key == id` (tested).",
       "/// Code that must handle every operation matches on it exhaustively, so a new row is a compile error there.",
       "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]",
       "pub enum OpId {"]
ids += [f"    {v}," for v in variants]
ids += ["}", "", "impl OpId {", f"    pub const ALL: [OpId; {len(variants)}] = [" + ", ".join(f"OpId::{v}" for v in variants) + "];", "}"]
out = GENERATED + [
       "//! The operation table: every Falcon operation falconry knows, as data.", "",
       "use super::model::*;", "use super::op_id::OpId;", "",
       "pub const OPERATIONS: &[Operation] = &["]
for o in ref:
    oid = o["operation_id"]
    kind = kind_of(o)
    effect = EFFECT[kind]
    consumes = "Multipart" if "multipart/form-data" in o["consumes"] else (
        "Form" if "application/x-www-form-urlencoded" in o["consumes"] else "Json")
    success = success_of(o)
    params = []
    for p in o["params"]:
        allowed = p.get("enum") or (HOST_ACTIONS if (oid == "PerformActionV2" and p["name"] == "action_name") else [])
        default = p.get("default")
        # FalconPy's documented range is kept apart from the spec's, and only where the spec gives none:
        # `min`/`max` stay the reference's exactly.
        documented = DOCUMENTED.get((oid, p["name"])) if p.get("min") is None and p.get("max") is None else None
        params.append(
            "Param { name: %s, location: Location::%s, ty: Type::%s, required: %s, allowed: %s, min: %s, max: %s, "
            "default: %s, multi: %s, documented_range: %s, max_items: %s }" % (
                rs(p["name"]), {"query": "Query", "body": "Body", "formData": "FormData"}[p["in"]], ty_of(p),
                "true" if p.get("required") else "false", strs(allowed), opt(p.get("min")), opt(p.get("max")),
                opt(rs(default if isinstance(default, str) else json.dumps(default)) if default is not None else None),
                "true" if p.get("collection_format") == "multi" else "false",
                opt("(%d, %d)" % documented if documented else None),
                opt(MAX_ITEMS.get((oid, p["name"])))))
    body = "None"
    if oid in BODIES:
        wrap, fields, aps = BODIES[oid]
        fs = ", ".join("Field { name: %s, ty: Type::%s, required: %s, allowed: %s, max_items: %s }" % (
            rs(n), t, "true" if r else "false", strs(a), opt(BODY_MAX_ITEMS.get((oid, n))))
            for (n, t, r, a) in fields)
        body = "Some(&BodyShape { schema: %s, wrap: Wrap::%s, fields: &[%s], action_parameters: %s })" % (
            rs(o["body_schema_ref"] or ""), wrap, fs, strs(aps))
    elif any(p["in"] == "body" for p in o["params"]):
        raise SystemExit(f"{oid}: body operation without a body shape")
    out.append("    Operation {")
    out.append(f"        collection: Collection::{COLL[o['collection']]},")
    out.append(f"        key: OpId::{variant(oid)},")
    out.append(f"        id: {rs(oid)},")
    out.append(f"        falconpy_id: {rs(o['falconpy_id'])},")
    out.append(f"        name: {rs(o['falconpy_name'])},")
    out.append(f"        method: Method::{o['method'].capitalize()},")
    out.append(f"        path: {rs(o['path'])},")
    out.append(f"        consumes: Consumes::{consumes},")
    out.append("        params: &[" + ", ".join(params) + "],")
    out.append(f"        body: {body},")
    out.append(f"        success: {success},")
    out.append(f"        binary: {'true' if oid in BINARY else 'false'},")
    out.append(f"        kind: Kind::{kind},")
    out.append(f"        answer: Answer::{answer_of(o)},")
    out.append(f"        effect: Effect::{effect},")
    if oid in CREATED and kind != "Create":
        raise SystemExit(f"{FACTS_FILE}: {oid} creates {CREATED[oid]} but its kind is {kind}")
    if oid in LISTED and (kind != "Read" or answer_of(o) == "Other"):
        raise SystemExit(f"{FACTS_FILE}: {oid} lists {LISTED[oid]} but is a {kind} answering {answer_of(o)}")
    out.append(f"        creates: {opt(CREATED.get(oid) and 'ObjectKind::' + CREATED[oid])},")
    out.append(f"        lists: {opt(LISTED.get(oid) and 'ObjectKind::' + LISTED[oid])},")
    out.append(f"        opens: {opt(opens_of(o, kind))},")
    out.append(f"        error_resources: {'true' if error_resources(o) else 'false'},")
    # Refused unless the run allows destructive requests; for commands the RTR catalogue may clear it
    # (a command it does not know stays destructive).
    destructive = kind in ("Delete", "Command") or oid in HOST_ACTIONS_OPS
    out.append(f"        destructive: {'true' if destructive else 'false'},")
    out.append(f"        summary: {rs((o.get('summary') or '').strip())},")
    out.append("    },")
out.append("];")
OUT.write_text("\n".join(out) + "\n")
IDS = OUT.with_name("op_id.rs")
IDS.write_text("\n".join(ids) + "\n")
# The committed files are rustfmt's layout of this output; formatting here keeps `cargo fmt --check` and the
# regeneration test in agreement.
subprocess.run(["rustfmt", "--edition", "2024", str(OUT), str(IDS)], check=True)
if CHECK:
    stale = [f.name for f in (OUT, IDS) if f.read_text() != (COMMITTED.parent / f.name).read_text()]
    if stale:
        raise SystemExit(f"crates/model/src/ops/{' and '.join(stale)} differ from the output: run `python3 tools/gen_ops_table.py`")
    print(f"{len(ref)} operations: the committed table is the output")
else:
    print(f"wrote {len(ref)} operations")
