#!/usr/bin/env python3
"""Writes src/ops/table.rs from tests/data/operations.json (a copy of the reference) plus the
facts the reference does not carry: FalconPy's convenience keys, and each operation's effect.

Run once when the reference changes; the table test then checks the result row by row.
"""
import json, pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
ref = json.loads((ROOT / "tests/data/operations.json").read_text())["operations"]

COLL = {"response-policies": "ResponsePolicies", "real-time-response-admin": "RealTimeResponseAdmin",
        "real-time-response": "RealTimeResponse", "hosts": "Hosts", "host-group": "HostGroup", "oauth2": "OAuth2"}

# Operations whose success answer is file bytes (`produces` in openapi-subset.json: 7z or octet-stream).
BINARY = {"RTR-GetPutFileContents", "RTR-GetExtractedFileContents"}
# Read-only POSTs (queries dressed as POST).
READ_POSTS = {"RTR-AggregateSessions", "RTR-ListQueuedSessions", "RTR-ListSessions", "PostDeviceDetailsV2"}
SESSION = {"RTR-InitSession", "RTR-PulseSession", "RTR-DeleteSession", "BatchInitSessions", "BatchRefreshSessions",
           "oauth2AccessToken", "oauth2RevokeToken"}
COMMAND = {"RTR-ExecuteAdminCommand", "RTR-ExecuteActiveResponderCommand", "RTR-ExecuteCommand", "BatchAdminCmd",
           "BatchActiveResponderCmd", "BatchCmd", "BatchGetCmd"}

# Refused unless the run allows destructive requests: deletes, host actions (containment, hiding, detection
# suppression all change what a host does), and RTR commands, which the command catalogue may clear (a command
# it does not know stays destructive).
DESTRUCTIVE = {"deleteRTResponsePolicies", "RTR-DeletePut-Files", "RTR-DeleteScripts", "RTR-DeleteFile",
               "RTR-DeleteFileV2", "RTR-DeleteQueuedSession", "deleteHostGroups", "PerformActionV2"} | COMMAND

S, I, B, SA, ANY = "String", "Integer", "Boolean", "StringArray", "Any"
def f(name, ty, required=False, allowed=()):
    return (name, ty, required, tuple(allowed))

CMD = [f("base_command", S, True), f("command_string", S, True), f("session_id", S, True), f("device_id", S),
       f("id", I), f("persist", B)]
BATCH_CMD = [f("base_command", S, True), f("batch_id", S, True), f("command_string", S, True),
             f("optional_hosts", SA), f("persist_all", B)]
INIT = [f("device_id", S, True), f("origin", S), f("queue_offline", B)]
IDS = [f("ids", SA, True)]
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
    "RTR-AggregateSessions": ("List", [f("field", S), f("filter", S), f("name", S), f("q", S), f("size", I),
                               f("sort", S), f("type", S), f("interval", S), f("min_doc_count", I), f("missing", S),
                               f("time_zone", S), f("date_ranges", ANY), f("ranges", ANY), f("sub_aggregates", ANY)], []),
    "PerformActionV2": ("Object", IDS, []),
    "PostDeviceDetailsV2": ("Object", IDS, []),
    "performGroupAction": ("Object", IDS, ["filter"]),
    "createHostGroups": ("Resources", [f("name", S, True), f("group_type", S, True, ("static", "dynamic", "staticByID")),
                          f("description", S), f("assignment_rule", S)], []),
    "updateHostGroups": ("Resources", [f("id", S, True), f("name", S), f("description", S), f("assignment_rule", S)], []),
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

def opt(v):
    return "None" if v is None else f"Some({v})"

out = ["// @generated by tools/gen_ops_table.py from tests/data/operations.json: edit the script, not this file.",
       "//! The operation table: every Falcon operation falconry knows, as data.", "",
       "use super::model::*;", "", "pub const OPERATIONS: &[Operation] = &["]
for o in ref:
    oid = o["operation_id"]
    if o["method"] == "GET" or oid in READ_POSTS:
        effect = "Read"
    elif oid in SESSION:
        effect = "Session"
    elif oid in COMMAND:
        effect = "Command"
    else:
        effect = "Change"
    consumes = "Multipart" if "multipart/form-data" in o["consumes"] else (
        "Form" if "application/x-www-form-urlencoded" in o["consumes"] else "Json")
    success = min(int(c) for c in o["responses"] if c.startswith("2"))
    params = []
    for p in o["params"]:
        allowed = p.get("enum") or (HOST_ACTIONS if (oid == "PerformActionV2" and p["name"] == "action_name") else [])
        default = p.get("default")
        params.append(
            "Param { name: %s, location: Location::%s, ty: Type::%s, required: %s, allowed: %s, min: %s, max: %s, "
            "default: %s, multi: %s }" % (
                rs(p["name"]), {"query": "Query", "body": "Body", "formData": "FormData"}[p["in"]], ty_of(p),
                "true" if p.get("required") else "false", strs(allowed), opt(p.get("min")), opt(p.get("max")),
                opt(rs(default if isinstance(default, str) else json.dumps(default)) if default is not None else None),
                "true" if p.get("collection_format") == "multi" else "false"))
    body = "None"
    if oid in BODIES:
        wrap, fields, aps = BODIES[oid]
        fs = ", ".join("Field { name: %s, ty: Type::%s, required: %s, allowed: %s }" % (
            rs(n), t, "true" if r else "false", strs(a)) for (n, t, r, a) in fields)
        body = "Some(&BodyShape { schema: %s, wrap: Wrap::%s, fields: &[%s], action_parameters: %s })" % (
            rs(o["body_schema_ref"] or ""), wrap, fs, strs(aps))
    elif any(p["in"] == "body" for p in o["params"]):
        raise SystemExit(f"{oid}: body operation without a body shape")
    out.append("    Operation {")
    out.append(f"        collection: Collection::{COLL[o['collection']]},")
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
    out.append(f"        effect: Effect::{effect},")
    out.append(f"        destructive: {'true' if oid in DESTRUCTIVE else 'false'},")
    out.append(f"        summary: {rs((o.get('summary') or '').strip())},")
    out.append("    },")
out.append("];")
(ROOT / "src/ops/table.rs").write_text("\n".join(out) + "\n")
print(f"wrote {len(ref)} operations")
