"""Schemathesis hooks for the emulator run (`SCHEMATHESIS_HOOKS=tests/schemathesis/hooks.py`).

`no_undocumented_fields`: every field of every JSON answer must be one the spec's response schema
names. Swagger lets objects carry extra properties, so `response_schema_conformance` alone lets an
emulator drift from Falcon's field names (`device_policies.response` instead of `remote_response`).
The spec is read from `FALCONRY_SPEC` (the adapted copy the run uses).
"""

import json
import os

import schemathesis

_SPEC = None


def spec():
    global _SPEC
    if _SPEC is None:
        with open(os.environ["FALCONRY_SPEC"], encoding="utf-8") as f:
            _SPEC = json.load(f)
    return _SPEC


def resolve(schema):
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 50:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec()["definitions"][name]
        seen += 1
    return schema


def undocumented(value, schema, where, out):
    schema = resolve(schema)
    if not isinstance(schema, dict) or len(out) > 20:
        return
    if isinstance(value, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        if props is None:
            if isinstance(extra, dict):
                for key, item in value.items():
                    undocumented(item, extra, f"{where}.{key}", out)
            return
        for key, item in value.items():
            if key in props:
                undocumented(item, props[key], f"{where}.{key}", out)
            elif isinstance(extra, dict):
                undocumented(item, extra, f"{where}.{key}", out)
            elif extra is not True:
                out.append(f"{where}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value[:50]):
            undocumented(item, schema["items"], f"{where}[{i}]", out)


@schemathesis.check
def no_undocumented_fields(ctx, response, case):
    """Fields the spec does not have are drift from Falcon's answers."""
    if not response.content or "json" not in response.headers.get("content-type", [""])[0]:
        return
    operation = spec()["paths"].get(case.operation.path, {}).get(case.operation.method.lower())
    if operation is None:
        return
    documented = operation["responses"].get(str(response.status_code))
    if not documented or "schema" not in documented:
        return
    out = []
    undocumented(response.json(), documented["schema"], "$", out)
    if out:
        raise AssertionError(f"fields the spec does not have: {', '.join(out[:20])}")
