"""Schemathesis hooks for the emulator run (`SCHEMATHESIS_HOOKS=tests/schemathesis/hooks.py`).

`no_undocumented_fields`: every field of every JSON answer must be one the spec's response schema
names. Swagger lets objects carry extra properties, so `response_schema_conformance` alone lets an
emulator drift from Falcon's field names (`device_policies.response` instead of `remote_response`).
The spec is read from `FALCONRY_SPEC` (the adapted copy the run uses).
"""

import json
import os
import sys

import schemathesis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from records import problems  # noqa: E402  (beside this file; hooks load by path)

_SPEC = None


def spec():
    global _SPEC
    if _SPEC is None:
        with open(os.environ["FALCONRY_SPEC"], encoding="utf-8") as f:
            _SPEC = json.load(f)
    return _SPEC


@schemathesis.check
def no_undocumented_fields(ctx, response, case):
    """Fields the spec does not have are drift from Falcon's answers (types are the schema check's)."""
    if not response.content or "json" not in response.headers.get("content-type", [""])[0]:
        return
    if case.operation.method.lower() not in spec()["paths"].get(case.operation.path, {}):
        return
    if str(response.status_code) not in spec()["paths"][case.operation.path][case.operation.method.lower()]["responses"]:
        return
    found = problems(spec(), case.operation.method, case.operation.path, response.status_code,
                     response.json(), types=False)
    if found:
        raise AssertionError("; ".join(found[:20]))
