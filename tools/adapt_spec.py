#!/usr/bin/env python3
"""Writes the spec copy the schemathesis test runs against, and the list of its deviations.

    python3 tools/adapt_spec.py [--check] [SPEC]     (--check: fail if the committed outputs differ; default: tools/openapi-subset.json, the committed copy of the
                                            reference subset, as tools/operations.json is of its table)

reads the reference spec (swagger 2.0), adds the paths and definitions of `tools/spec/openapi-extra.json`
(the alerts, ioc, incidents and hosts operations of issue 26, built by `tools/spec/build_spec.py` from the
same public sources), and writes `tests/data/falcon-api/openapi-adapted.json` and
`tests/data/falcon-api/DEVIATIONS.md`. Every change is made here, from the tables below, and each changed
response carries `x-falconry-deviation` with its reason: where the spec is wrong or incomplete about what
the live API answers, the copy follows the live API; everything else is the reference, unchanged.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests/data/falcon-api/openapi-adapted.json"
DEVIATIONS = ROOT / "tests/data/falcon-api/DEVIATIONS.md"

ENVELOPE = {"$ref": "#/definitions/msa.ReplyMetaOnly"}

# Error bodies: the current spec says RTR errors are `domain.APIError {code, message}`; the live API sends
# the `{meta, errors}` envelope (the 2023 spec said so, and FalconPy reads `body.errors`).
API_ERROR_REASON = (
    "RTR error bodies are the `{meta, errors}` envelope on the live API (the 2023 spec's shape, read by "
    "FalconPy as `body.errors`), not the bare `domain.APIError {code, message}` the current spec names"
)

NO_CONTENT = (
    "a 204 carries no body (RFC 9110), so the `msa.ReplyMetaOnly` schema the spec gives it cannot apply; "
    "the live API sends an empty body"
)

# Status codes the live API answers that the spec leaves out, per operation: code -> reason.
BAD_INPUT = "Falcon answers invalid or missing parameters with 400 and the error envelope on every operation"
UNKNOWN_IDS = "ids that do not exist answer 404 naming them, as the other entity operations of the API document"
UNKNOWN_RTR = (
    "an RTR call naming a session, command or device that does not exist (or no longer does) answers 404, "
    "as the session and file operations of the same API document"
)
NOT_MULTIPART = (
    "a multipart operation sent another media type (or no body) answers 415, as FalconPy's upstream "
    "tests expect of the live API (`create_scripts(data={})`)"
)
DUPLICATE_FILE = (
    "a script or put-file name already taken answers 409: \"file already exists (409)\" (FalconPy's maintainer, "
    "falconpy#261); akto-api-security/akto#5965 handles the same 409 for scripts. No captured body"
)
DUPLICATE_GROUP = (
    "a host-group name already taken answers 409: CrowdStrike's Terraform provider matches \"status 409\" on create "
    "and update (terraform-provider-crowdstrike internal/host_groups/host_group_resource.go, #248). No captured body"
)
NO_HOSTS_INITIALIZED = (
    "a batch init that opens no session (unknown hosts, an unknown `existing_batch_id`) answers 404: psfalcon#80 "
    "quotes `404: no successful hosts initialized on RTR`, and elastic/kibana's CrowdStrike emulator keeps that answer"
)
ADDED_STATUS = {
    "BatchInitSessions": {"404": NO_HOSTS_INITIALIZED},
    "createHostGroups": {"409": DUPLICATE_GROUP},
    "updateHostGroups": {"409": DUPLICATE_GROUP},
    "deleteHostGroups": {"400": BAD_INPUT},
    "deleteRTResponsePolicies": {"400": BAD_INPUT},
    "CombinedDevicesByFilter": {"400": BAD_INPUT},
    "GetDeviceDetailsV2": {"400": BAD_INPUT, "404": UNKNOWN_IDS},
    "PostDeviceDetailsV2": {"400": BAD_INPUT, "404": UNKNOWN_IDS},
    "GetOnlineState.V1": {"404": UNKNOWN_IDS},
    "QueryDevicesByFilterScroll": {"400": BAD_INPUT},
    "QueryDevicesByFilter": {"400": BAD_INPUT},
    "getRTResponsePolicies": {"400": BAD_INPUT},
    "RTR-CreatePut-Files": {"409": DUPLICATE_FILE, "415": NOT_MULTIPART},
    "RTR-CreatePut-FilesV2": {"409": DUPLICATE_FILE, "415": NOT_MULTIPART},
    "RTR-CreateScripts": {"409": DUPLICATE_FILE, "415": NOT_MULTIPART},
    "RTR-CreateScriptsV2": {"409": DUPLICATE_FILE, "415": NOT_MULTIPART},
    "RTR-UpdateScripts": {"404": UNKNOWN_IDS, "409": DUPLICATE_FILE, "415": NOT_MULTIPART},
    "RTR-UpdateScriptsV2": {"404": UNKNOWN_IDS, "409": DUPLICATE_FILE, "415": NOT_MULTIPART},
    "setRTResponsePoliciesPrecedence": {"404": UNKNOWN_IDS},
    "RTR-DeleteQueuedSession": {"404": UNKNOWN_RTR},
    "RTR-DeleteSession": {"404": UNKNOWN_RTR},
    "RTR-InitSession": {"404": UNKNOWN_RTR},
    "RTR-PulseSession": {"404": UNKNOWN_RTR},
    "RTR-ExecuteCommand": {"404": UNKNOWN_RTR},
    "RTR-ExecuteActiveResponderCommand": {"404": UNKNOWN_RTR},
    "RTR-ExecuteAdminCommand": {"404": UNKNOWN_RTR},
    "RTR-CheckCommandStatus": {"400": BAD_INPUT, "404": UNKNOWN_RTR},
    "RTR-CheckActiveResponderCommandStatus": {"400": BAD_INPUT, "404": UNKNOWN_RTR},
    "RTR-CheckAdminCommandStatus": {"400": BAD_INPUT, "404": UNKNOWN_RTR},
    "BatchAdminCmd": {"404": UNKNOWN_RTR},
    "BatchCmd": {"404": UNKNOWN_RTR},
    "BatchActiveResponderCmd": {"404": UNKNOWN_RTR},
    "BatchGetCmd": {"404": UNKNOWN_RTR},
    "BatchRefreshSessions": {"404": UNKNOWN_RTR},
    # Issue 26's operations (tools/spec/openapi-extra.json).
    "QueryHiddenDevices": {"400": BAD_INPUT},
    "CombinedHiddenDevicesByFilter": {"400": BAD_INPUT},
    "UpdateDeviceTags": {"404": UNKNOWN_IDS},
    "PostEntitiesAlertsV1": {"404": UNKNOWN_IDS},
    "PostEntitiesAlertsV2": {"404": UNKNOWN_IDS},
    "PatchEntitiesAlertsV2": {"404": UNKNOWN_IDS},
    "PatchEntitiesAlertsV3": {"404": UNKNOWN_IDS},
    "indicator.get.v1": {"400": BAD_INPUT, "404": UNKNOWN_IDS},
    "indicator.update.v1": {"400": BAD_INPUT, "404": UNKNOWN_IDS},
    "indicator.delete.v1": {"400": BAD_INPUT, "404": UNKNOWN_IDS},
    "GetIncidents": {"404": UNKNOWN_IDS},
    "GetBehaviors": {"404": UNKNOWN_IDS},
    "PerformIncidentAction": {"404": UNKNOWN_IDS},
}


# What the emulator itself knowingly does differently from Falcon (not the spec copy), and why. Kept here so
# DEVIATIONS.md is one list; every fidelity point with a source has a test citing it (tests/it/sim_fidelity.rs,
# sim_rtr.rs, sim_rtr_errors.rs, rtr_real_captures.rs, tests/falconpy/test_seed_ops.py).
BEHAVIOUR = [
    ("RTR error codes and texts",
     "40006 `Command is not valid` (command the response policy disallows), 40007 `Command not found`, 40014 "
     "`Unrecognized flag found: <Flag>, value: <value>`, 40401 `Could not establish sensor comms` (offline host, not "
     "queued), 40412 `The file <name> could not be found` (`runscript -CloudFile=` of a missing script) and 50401 `Exceeded maximum timeout` are Falcon's (elastic/kibana's CrowdStrike emulator, falconpy#55, "
     "psfalcon#49/#56/#76/#79, CrowdStrike/CAST#15). Only 40014's HTTP status is captured (400, falconpy#55); the "
     "others follow the same rule (the code's first three digits). A session refused because RTR is off in the "
     "policy, a command below its endpoint's tier and a command the platform lacks keep the emulator's 403/400 and "
     "texts: no capture shows Falcon's"),
    ("RTR flag grammar",
     "flags per command come from the real Linux session catalogue (`ops::command_flags`) and are applied on every "
     "platform (the Windows catalogue was not captured); commands without a public flag list accept any flag. "
     "`ls -R` and `ls -L` are accepted and list as plain `ls`"),
    ("Linux and Mac `ls -l`",
     "plain `ls` prints names only, as two real captures show; the long layout of `ls -l` (header line, columns) "
     "is a reconstruction: no capture of it is public"),
    ("Duplicate names",
     "scripts and put-files 409 (falconpy#261), host groups 409 (CrowdStrike's Terraform provider), response policies "
     "400 (the same provider's TODO); the error texts are the emulator's: no body was captured"),
    ("Paging and id limits",
     "`GetDeviceDetailsV2` refuses more than 100 ids with the online state's text (caracara#99), as the spec's "
     "`maxItems` says; `limit=` (empty), `limit=0` and `offset=-1` are 400s in the emulator's words"),
    ("Batch timeouts",
     "`timeout`, `timeout_duration` and `host_timeout_duration` are checked against the current spec (at most 5 "
     "minutes; it said 10 until 2023-12, and psfalcon#321 shows 600 accepted live in 2023); what Falcon answers today "
     "for 601, 0 or `abc` is not public, the texts are the emulator's. A host past its time answers 50401; only "
     "scripts that sleep (`Start-Sleep`, `sleep`) take time on a host"),
    ("Scroll tokens",
     "opaque server cursors tied to their query, the same token on every page and alive 2 minutes after last use "
     "(JupiterOne's recording; the spec). A token sent with a different `filter` or `sort` is refused: no capture "
     "shows what Falcon does then"),
    ("`deleted_at`",
     "Go's zero time `0001-01-01T00:00:00Z` for a record not deleted, since the spec requires a date-time and the API "
     "is a Go service; no capture shows the value"),
    ("`last_seen`",
     "an online host's follows the emulator's clock (seconds behind); an offline host's, or one the scenario sets, "
     "stays as given"),
    ("The embedded emulator's state file",
     "changes are journaled and replayed into a fresh tenant by the next command: timestamps are the original ones, "
     "but RTR sessions come back alive (their idle time counts from the replay), a restart still pending when a "
     "command ended completes `restart_secs` into the next one, and file times that batch commands wrote on hosts "
     "are the replay's"),
]


def error_schema(path, op):
    """The shape the operation's documented errors have, else the collection's: `{meta, errors}` for RTR
    and tokens (and IOCs and incidents, whose documented errors are `msaspec.ResponseFields` and
    `msa.ReplyMetaOnly`), `msa.QueryResponse` (with `resources`) for policies, hosts and host groups."""
    for code in ("400", "404", "409"):
        documented = op["responses"].get(code, {}).get("schema")
        if documented:
            return dict(documented)
    if path.startswith(("/real-time-response/", "/oauth2/", "/iocs/", "/incidents/")):
        return dict(ENVELOPE)
    return {"$ref": "#/definitions/msa.QueryResponse"}


EXTRA = ROOT / "tools/spec/openapi-extra.json"


def merge_extra(spec):
    """Adds the extra fragment: new paths only; definitions it shares with the reference must be equal."""
    extra = json.loads(EXTRA.read_text())
    for path, item in extra["paths"].items():
        if path in spec["paths"]:
            sys.exit(f"{path} is in both the reference and {EXTRA.name}")
        spec["paths"][path] = item
    for name, schema in extra["definitions"].items():
        if spec["definitions"].setdefault(name, schema) != schema:
            sys.exit(f"definition {name} differs between the reference and {EXTRA.name}")


STALE = []


def emit(path, text):
    """Writes `text` to `path`, or with `--check` notes that the committed file differs."""
    if CHECK:
        if not path.exists() or path.read_text() != text:
            STALE.append(str(path.relative_to(ROOT)))
    else:
        path.write_text(text)


def main(source):
    spec = json.loads(Path(source).read_text())
    merge_extra(spec)
    done = []
    ops = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            ops[op["operationId"]] = (method.upper(), path, op)
            for code, response in op["responses"].items():
                if response.get("schema", {}).get("$ref") == "#/definitions/domain.APIError":
                    response["schema"] = dict(ENVELOPE)
                    response["x-falconry-deviation"] = API_ERROR_REASON
                    done.append((op["operationId"], method.upper(), path, code, "error body is the envelope"))
            no_content = op["responses"].get("204")
            if no_content and "schema" in no_content:
                del no_content["schema"]
                no_content["x-falconry-deviation"] = NO_CONTENT
                done.append((op["operationId"], method.upper(), path, "204", "schema dropped: no body"))
    for op_id, codes in ADDED_STATUS.items():
        method, path, op = ops[op_id]
        for code, reason in codes.items():
            if code in op["responses"]:
                sys.exit(f"{op_id} already documents {code}: drop it from ADDED_STATUS")
            op["responses"][code] = {
                "description": reason,
                "schema": error_schema(path, op),
                "x-falconry-deviation": reason,
            }
            done.append((op_id, method, path, code, f"{code} added: {reason}"))
    spec["info"]["x-falconry-adapted"] = (
        "A copy of the falcon-api reference subset adapted by tools/adapt_spec.py; see DEVIATIONS.md"
    )
    emit(OUT, json.dumps(spec, indent=1, sort_keys=False) + "\n")
    lines = [
        "# Deviations of `openapi-adapted.json` from the reference spec",
        "",
        "Written by `tools/adapt_spec.py` (do not edit by hand). The schemathesis test "
        "(`tests/it/sim_schemathesis.rs`) checks the emulator against the adapted copy; every change is listed "
        "here with its reason, and carries `x-falconry-deviation` in the copy.",
        "",
        f"- Error bodies: {API_ERROR_REASON}.",
        "",
        "| operation | method and path | status | change |",
        "| --- | --- | --- | --- |",
    ]
    for op_id, method, path, code, what in sorted(done):
        lines.append(f"| `{op_id}` | `{method} {path}` | {code} | {what} |")
    lines += [
        "",
        "## What the emulator knowingly does differently from Falcon",
        "",
        "Behaviour, not the spec copy: where no public source shows what Falcon does, the emulator's choice and "
        "why. Sources are cited in the code and in the tests that check each point.",
        "",
    ]
    for what, why in BEHAVIOUR:
        lines.append(f"- **{what}**: {why}.")
    emit(DEVIATIONS, "\n".join(lines) + "\n")
    print(f"{len(done)} deviations; wrote {OUT.relative_to(ROOT)} and {DEVIATIONS.relative_to(ROOT)}")


CHECK = "--check" in sys.argv[1:]

if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--check"]
    main(args[0] if args else str(ROOT / "tools/openapi-subset.json"))
    if STALE:
        sys.exit(f"out of date (run python3 tools/adapt_spec.py): {', '.join(STALE)}")
