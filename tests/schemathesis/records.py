"""Checks emulator answers against the spec's response schemas: required fields, JSON types, enums and
no field the schema does not name (swagger allows extra properties; Falcon's answers have none we miss).

    records.py SPEC ANSWERS.jsonl

Each line of ANSWERS is `{"method", "path", "status", "body"}` for one answer (the path without its
query). Prints every problem and exits 1 if there is any; `hooks.py` uses `problems()` for schemathesis.
"""

import json
import sys

TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def resolve(spec, schema):
    for _ in range(50):
        if not (isinstance(schema, dict) and "$ref" in schema):
            break
        schema = spec["definitions"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def walk(spec, value, schema, where, out, types=True):
    """Appends to `out` what is wrong with `value` under `schema` (`types=False`: only unknown fields)."""
    schema = resolve(spec, schema)
    if not isinstance(schema, dict) or len(out) > 50:
        return
    kind = schema.get("type")
    if types and kind in TYPES and value is not None and not TYPES[kind](value):
        out.append(f"{where}: {json.dumps(value)[:60]} is not {kind}")
        return
    if types and "enum" in schema and value not in schema["enum"]:
        out.append(f"{where}: {json.dumps(value)[:60]} is not one of {schema['enum']}")
    if isinstance(value, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        if types:
            for name in schema.get("required", []):
                if name not in value:
                    out.append(f"{where}.{name}: required, missing")
        for key, item in value.items():
            if props is not None and key in props:
                walk(spec, item, props[key], f"{where}.{key}", out, types)
            elif isinstance(extra, dict):
                walk(spec, item, extra, f"{where}.{key}", out, types)
            elif props is not None and extra is not True:
                out.append(f"{where}.{key}: a field the spec does not have")
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value[:100]):
            walk(spec, item, schema["items"], f"{where}[{i}]", out, types)


def problems(spec, method, path, status, body, types=True):
    """What is wrong with one answer; an undocumented status is a problem of its own."""
    operation = spec["paths"].get(path, {}).get(method.lower())
    if operation is None:
        return [f"{method} {path}: no such operation"]
    documented = operation["responses"].get(str(status))
    if documented is None:
        return [f"{method} {path}: status {status} is not documented"]
    if "schema" not in documented or body is None:
        return []
    out = []
    walk(spec, body, documented["schema"], "$", out, types)
    return [f"{method} {path} {status} {p}" for p in out]


def main(spec_path, answers_path):
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    found, seen = [], set()
    with open(answers_path, encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            seen.add((a["method"], a["path"]))
            found += problems(spec, a["method"], a["path"], a["status"], a["body"])
    for p in found:
        print(p)
    print(f"{len(seen)} operations, {len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
