#!/usr/bin/env python3
"""Builds tools/spec/operations-extra.json and tools/spec/openapi-extra.json from tools/spec/inputs/ (stdlib only).

    python3 tools/spec/build_spec.py [--check] [--compare ../shared/falcon-api]

The rows have the format of tools/operations.json; the spec is a self-contained swagger 2.0 fragment. Sources
and merge rules: tools/spec/README.md. `--check` writes nothing and fails when the outputs are stale;
`--compare DIR` checks the result against the reference subset in DIR (same-named definitions identical, no
operation in both). Output is deterministic: the same inputs give byte-identical files.
"""
import ast
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE))
import gosrc  # noqa: E402

CRIMSON_COMMIT = "c44c0c04ad2f3fd16f459f1041005fd30f115ea2"
GOFALCON_COMMIT = "14348e46b344a6334d20edc24a9146c9fda45e4b"
FALCONPY_VERSION = "1.6.6"

# collection -> where its upstream text lives
COLLECTIONS = {
    "alerts": {"endpoint": "_alerts.py", "service_class": "alerts.py", "gofalcon_client": "alerts"},
    "ioc": {"endpoint": "_ioc.py", "service_class": "ioc.py", "gofalcon_client": "ioc"},
    "incidents": {"endpoint": "_incidents.py", "service_class": "incidents.py", "gofalcon_client": "incidents"},
    "hosts": {"endpoint": "_hosts.py", "service_class": "hosts.py", "gofalcon_client": "hosts"},
}

# The operations, by FalconPy endpoint key, in the order they are listed (rows are then sorted by path).
OPS = [
    ("alerts", "GetQueriesAlertsV2"), ("alerts", "GetQueriesAlertsV1"),
    ("alerts", "PostEntitiesAlertsV2"), ("alerts", "PostEntitiesAlertsV1"),
    ("alerts", "PatchEntitiesAlertsV3"), ("alerts", "PatchEntitiesAlertsV2"),
    ("alerts", "PostCombinedAlertsV1"),
    ("alerts", "PostAggregatesAlertsV2"), ("alerts", "PostAggregatesAlertsV1"),
    ("ioc", "indicator_create_v1"), ("ioc", "indicator_search_v1"), ("ioc", "indicator_get_v1"),
    ("ioc", "indicator_update_v1"), ("ioc", "indicator_delete_v1"), ("ioc", "indicator_combined_v1"),
    ("ioc", "indicator_get_device_count_v1"), ("ioc", "indicator_get_devices_ran_on_v1"),
    ("ioc", "indicator_get_processes_ran_on_v1"),
    ("incidents", "QueryIncidents"), ("incidents", "GetIncidents"), ("incidents", "PerformIncidentAction"),
    ("incidents", "QueryBehaviors"), ("incidents", "GetBehaviors"),
    ("hosts", "UpdateDeviceTags"), ("hosts", "QueryHiddenDevices"), ("hosts", "CombinedHiddenDevicesByFilter"),
]


def refs_in(x):
    """Definition names referenced (`#/definitions/NAME`) anywhere in x."""
    out = set()
    if isinstance(x, dict):
        for k, v in x.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("#/definitions/"):
                out.add(v[len("#/definitions/"):])
            else:
                out |= refs_in(v)
    elif isinstance(x, list):
        for v in x:
            out |= refs_in(v)
    return out


def load_endpoints(root):
    """FalconPy `_endpoint` modules -> {key: {method, path, summary, tag, params}} (read with ast, not run)."""
    out = {}
    for c in COLLECTIONS.values():
        tree = ast.parse((root / "_endpoint" / c["endpoint"]).read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.List):
                for key, method, path, summary, tag, params in ast.literal_eval(node.value):
                    out[key] = {"method": method, "path": path, "summary": summary, "tag": tag, "params": params}
    return out


# Scopes of the operations the 2023 spec does not have: inferred from the same API's other operations
# (alerts:read/write of the v1 alert operations; ioc:read of the other /iocs reads; devices:read of the
# other host queries). Marked `x-scope-inferred` in the spec and `scope_source: inferred` in the rows.
INFERRED_SCOPES = {
    "GetQueriesAlertsV2": "alerts:read", "PostEntitiesAlertsV2": "alerts:read", "PostCombinedAlertsV1": "alerts:read",
    "PostAggregatesAlertsV2": "alerts:read", "PatchEntitiesAlertsV3": "alerts:write",
    "indicator.get.device_count.v1": "ioc:read", "indicator.get.devices_ran_on.v1": "ioc:read",
    "indicator.get.processes_ran_on.v1": "ioc:read", "CombinedHiddenDevicesByFilter": "devices:read",
}

INPUTS = HERE / "inputs"
OUT_OPS = HERE / "operations-extra.json"
OUT_SPEC = HERE / "openapi-extra.json"
GOF = "gofalcon@" + GOFALCON_COMMIT[:12]
PROV_2023 = "spec 2023-05-30 (crimson-falcon@%s), unchanged in %s" % (CRIMSON_COMMIT[:7], GOF)
PROV_UPDATED = "spec 2023-05-30, updated from %s/FalconPy %s: " % (GOF, FALCONPY_VERSION)
PROV_NEW = "reconstructed: %s (spec 2026-07-21) + FalconPy %s" % (GOF, FALCONPY_VERSION)
METHOD_ORDER = ["get", "put", "post", "delete", "options", "head", "patch"]
# Definition fields that are hints to code generators, not part of the wire contract.
HINTS = ("x-nullable", "x-omitempty", "x-go-type", "x-isnullable")


def ws(s):
    return " ".join((s or "").split())


def excerpt(path):
    """An excerpt file's text with its `//@` / `#@` marker lines blanked (line count unchanged)."""
    return "\n".join("" if l.startswith(("//@", "#@")) else l for l in path.read_text().split("\n"))


def strip_hints(x):
    if isinstance(x, dict):
        return {k: strip_hints(v) for k, v in x.items() if k not in HINTS}
    if isinstance(x, list):
        return [strip_hints(v) for v in x]
    return x


# ---------------------------------------------------------------------------------------------------------
# FalconPy: service-class method names

def load_methods(root):
    """{operation key: PEP 8 method}, and {operation key: [aliases]} from the service-class excerpts."""
    method, aliases = {}, {}
    for c in COLLECTIONS.values():
        cur = None
        names = {}
        for l in excerpt(root / (c["service_class"] + ".txt")).split("\n"):
            m = re.match(r"^    def (\w+)\(", l)
            if m:
                cur = m.group(1)
                continue
            m = re.match(r'^\s+operation_id="([^"]+)"', l)
            if m and cur:
                names.setdefault(cur, m.group(1))
                continue
            m = re.match(r"^    (\w+) = (\w+)\s*(#.*)?$", l)
            if m:
                aliases.setdefault(m.group(2), []).append(m.group(1))
        for fn, key in names.items():
            if key in method and not method[key].endswith("_legacy"):
                raise SystemExit(f"two methods call {key}: {method[key]}, {fn}")
            method[key] = fn
    al = {key: sorted(set(aliases.get(fn, []))) for key, fn in method.items()}
    return method, al


# ---------------------------------------------------------------------------------------------------------
# gofalcon: client operations and models

class Gofalcon:
    def __init__(self, root):
        self.models = {}      # Go type -> (swagger name, doc, body lines, file)
        for p in sorted((root / "falcon/models").glob("*.txt")):
            for name, _, _, doc, body in gosrc.decls(excerpt(p)):
                self.models[name] = (gosrc.model_name(doc), doc, body, p.name)
        self.ops = {}         # (METHOD, path) -> info
        for p in sorted((root / "falcon/client").glob("*/*_client.go.txt")):
            text = excerpt(p)
            for m in re.finditer(r"/\*\n(.*?)\n\*/\nfunc \(a \*Client\) (\w+)\(params \*(\w+)Params.*?"
                                 r'ID:\s+"([^"]+)",\s+Method:\s+"(\w+)",\s+PathPattern:\s+"([^"]+)",\s+'
                                 r"ProducesMediaTypes: \[\]string\{(.*?)\},\s+ConsumesMediaTypes: \[\]string\{(.*?)\},",
                                 text, re.S):
                doc, fn, prefix, oid, meth, path, prod, cons = m.groups()
                snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", prefix).lower()
                d = p.parent
                self.ops[(meth, path)] = {
                    "id": oid, "doc": doc.strip(), "produces": json.loads("[" + prod + "]"),
                    "consumes": json.loads("[" + cons + "]"),
                    "params": self._params(excerpt(d / f"{snake}_parameters.go.txt"), prefix),
                    "responses": self._responses(excerpt(d / f"{snake}_responses.go.txt"), prefix)}

    @staticmethod
    def _params(text, prefix):
        """{Go field: {type, description}}: go-swagger prints `/* Name.`, a blank line, the description (its
        first line indented by the template), then annotation lines such as `Default: 100`, `Format: int64`."""
        (decl,) = [d for d in gosrc.decls(text) if d[0] == prefix + "Params"]
        out = {}
        for f in gosrc.struct_fields(decl[4]):
            if f["go"] in ("timeout", "Context", "HTTPClient"):
                continue
            c = list(f["comment"][1:])          # after the `Name.` title
            while c and gosrc.ANNOTATION.match(c[-1].strip()) or (c and c[-1].strip().startswith("Default: ")):
                c.pop()
            while c and not c[-1].strip():
                c.pop()
            while c and not c[0].strip():
                c.pop(0)
            if c:
                c[0] = c[0].strip()
            out[f["go"]] = {"type": f["type"], "description": "\n".join(l.rstrip() for l in c) or None}
        return out

    @staticmethod
    def _responses(text, prefix):
        headers = dict(re.findall(r'hdr(\w+) := response\.GetHeader\("([^"]+)"\)', text))
        out = {}
        for name, _, _, doc, body in gosrc.decls(text):
            m = re.match(r"^%s(\w+) describes a response with status code (\d+)" % prefix, doc[0].strip()) if doc else None
            if not m:
                continue
            code = m.group(2)
            desc = "\n".join(doc[2:]).strip() if len(doc) > 2 else ""
            hs, payload = {}, None
            for f in gosrc.struct_fields(body):
                if f["go"] == "Payload":
                    payload = f["type"]
                else:
                    hs[headers[f["go"]]] = {"type": {"string": "string", "int64": "integer"}[f["type"]],
                                            "description": ws(" ".join(f["comment"]))}
            out[code] = {"description": desc, "headers": hs, "payload": payload}
        return out

    # -- models -> swagger schemas

    def is_inline(self, goname):
        sw = self.models[goname][0]
        return sw == goname

    def ref_or_inline(self, goname):
        if goname not in self.models:
            raise SystemExit(f"gofalcon model {goname} not in the excerpts")
        if self.is_inline(goname):
            return self.schema(goname)
        return {"$ref": "#/definitions/" + self.models[goname][0]}

    def type_schema(self, t):
        t = t.replace("models.", "")
        kind, inner = gosrc.split_type(t)
        if kind == "array":
            return {"type": "array", "items": self.type_schema(inner)}
        if kind == "map":
            return {"type": "object", "additionalProperties": self.type_schema(inner)}
        if kind == "ptr":
            return self.type_schema(inner)
        if t in gosrc.SCALARS:
            return dict(gosrc.SCALARS[t])
        return self.ref_or_inline(t)

    def description(self, goname):
        sw, doc, _, _ = self.models[goname]
        lines = []
        for l in doc:
            if l.startswith("swagger:model"):
                break
            lines.append(l)
        while lines and not lines[-1]:
            lines.pop()
        text = "\n".join(lines)
        if text.startswith(goname + " "):
            text = text[len(goname) + 1:]
        return None if gosrc.squash(text) == gosrc.squash(sw) else text

    def schema(self, goname):
        """The swagger schema of a Go model type (a definition, or an inline schema)."""
        sw, doc, body, _ = self.models[goname]
        head = re.match(r"^type \w+ (.*)$", body[0]).group(1).strip()
        out = {}
        desc = self.description(goname)
        if not head.endswith("{"):
            out.update(self.type_schema(head))
            if desc:
                out["description"] = desc
            return out
        props, required, extra = {}, [], False
        for f in gosrc.struct_fields(body):
            if f["embedded"]:
                raise SystemExit(f"{goname}: embedded field {f['go']} (allOf) not supported")
            if f["json"] == "-":
                extra = True          # additionalProperties: true
                continue
            dl, ann = gosrc.field_comment(f["comment"])
            s = self.type_schema(f["type"])
            if "Format" in ann and "$ref" not in s:
                s["format"] = ann["Format"]
            if "Enum" in ann:
                (s["items"] if s.get("type") == "array" else s)["enum"] = gosrc.parse_enum(ann["Enum"])
            for k, sk in (("Maximum", "maximum"), ("Minimum", "minimum"), ("Max Length", "maxLength"),
                          ("Min Length", "minLength"), ("Max Items", "maxItems"), ("Min Items", "minItems")):
                if k in ann:
                    s[sk] = int(ann[k]) if re.match(r"^-?\d+$", ann[k]) else float(ann[k])
            if "Pattern" in ann:
                s["pattern"] = ann["Pattern"]
            d = "\n".join(dl)
            if gosrc.squash(d) != gosrc.squash(f["json"]) and d:
                target = s["$ref"].split("/")[-1] if "$ref" in s else None
                tgo = next((k for k, v in self.models.items() if v[0] == target), None)
                if tgo is None or ws(d) != ws(self.description(tgo)):
                    s = {"description": d, **s}      # the spec's own order: description first
            if ann.get("Required") == "true":
                required.append(f["json"])
            props[f["json"]] = s
        if desc:
            out["description"] = desc
        if required:
            out["required"] = sorted(required)
        out["properties"] = dict(sorted(props.items()))
        if self.is_inline(goname):
            out = {"type": "object", **out}
        if extra:
            out["additionalProperties"] = True
        return out

    def definition_names(self):
        return {v[0]: k for k, v in self.models.items() if v[0] != k}


# ---------------------------------------------------------------------------------------------------------
# comparing 2023 text with the 2026 shapes

def shape(s):
    """A schema without its prose and generator hints, with the formats go-swagger cannot tell apart merged."""
    if isinstance(s, list):
        return [shape(v) for v in s]
    if not isinstance(s, dict):
        return s
    out = {}
    for k, v in s.items():
        if k in ("description", "title", "example") or k in HINTS:
            continue
        if k == "properties":
            out[k] = {pk: shape(pv) for pk, pv in v.items()}
        elif k == "required":
            out[k] = sorted(v)
        else:
            out[k] = shape(v)
    t = out.get("type")
    if t == "array":              # bounds that do not apply to arrays (go-swagger drops them)
        out.pop("minimum", None)
        out.pop("maximum", None)
    if t == "integer" and out.get("format") in (None, "integer", "int64"):
        out["format"] = "int64"
    if t == "number" and out.get("format") in (None, "double"):
        out["format"] = "double"
    if t == "object" and not out.get("properties") and "additionalProperties" not in out:
        out.pop("type")
        out.pop("properties", None)
    if out.get("required") == []:
        out.pop("required")
    if out.get("properties") == {}:
        out.pop("properties")
    return out


def prose_equal(a, b):
    """Descriptions equal the way go-swagger would print them (whitespace normalised)."""
    return ws(a) == ws(b)


def merge_definition(name, old, new):
    """(schema, provenance): 2023 text where the 2026 shape and prose agree, the 2026 text where not."""
    old = strip_hints(old)
    if shape(old) == shape(new) and _prose_same(old, new):
        return old, None
    notes = []
    out = {k: v for k, v in old.items() if k not in ("properties", "required", "description")}
    if "description" in new or "description" in old:
        if "description" in new and not prose_equal(old.get("description"), new.get("description")):
            out["description"] = new["description"]
            notes.append("~description")
        elif "description" in old:
            out["description"] = old["description"]
    op, np_ = old.get("properties", {}), new.get("properties", {})
    props = {}
    for k in sorted(set(op) | set(np_)):
        if k not in np_:
            notes.append("-" + k)
            continue
        if k not in op:
            notes.append("+" + k)
            props[k] = np_[k]
        elif shape(op[k]) == shape(np_[k]) and _prose_same(op[k], np_[k]):
            props[k] = op[k]
        else:
            notes.append("~" + k)
            props[k] = np_[k]
    if sorted(old.get("required", [])) != sorted(new.get("required", [])):
        notes.append("required")
    if new.get("required"):
        out["required"] = new["required"]
    if props or "properties" in old:
        out["properties"] = props
    for k in ("additionalProperties", "type", "items"):
        if k in new:
            out[k] = new[k]
        else:
            out.pop(k, None)
    order = ["type", "description", "required", "properties", "items", "additionalProperties"]
    out = {k: out[k] for k in sorted(out, key=lambda k: order.index(k) if k in order else len(order))}
    notes.sort(key=lambda n: (not n.startswith("-"), n == "required"))   # stable: removals first, as the reference
    return out, "spec-2023 + gofalcon delta: " + " ".join(notes)


def _prose_same(a, b):
    """Prose of two schemas with the same shape: a description missing in the 2026 model keeps the 2023 one
    only where go-swagger could not have printed it (a property that is a $ref)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if "$ref" not in a and not prose_equal(a.get("description"), b.get("description")):
            return False
        for k in ("properties",):
            if k in a and k in b:
                if not all(_prose_same(a[k][p], b[k][p]) for p in a[k] if p in b[k]):
                    return False
        for k in ("items", "additionalProperties"):
            if isinstance(a.get(k), dict) and isinstance(b.get(k), dict) and not _prose_same(a[k], b[k]):
                return False
    return True


# ---------------------------------------------------------------------------------------------------------
# transformation.jq: what gofalcon changed in the spec before generating

def load_jq(path):
    text = excerpt(path)
    renames = {(m.group(2).upper(), m.group(1)): m.group(3)
               for m in re.finditer(r'\.paths\."([^"]+)"\.(\w+)\.operationId = "([^"]+)"', text)}
    def_renames = dict(re.findall(r'\.definitions\."([^"]+)" = \.definitions\."([^"]+)"', text))
    added = {}
    for m in re.finditer(r'\.definitions\."([^"]+)"\.properties \+= (\{)', text):
        depth, i = 0, m.start(2)
        for j in range(i, len(text)):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                break
        added[m.group(1)] = sorted(json.loads(text[i:j + 1]))
    nullable = sorted(set(re.findall(r'\.definitions\."([^"]+)"\.properties\.(\w+) \+= \{"x-nullable": true\}', text)))
    return {"op_renames": renames, "def_renames": def_renames, "added_properties": added, "nullable": nullable}


# ---------------------------------------------------------------------------------------------------------
# operations

PARAM_ORDER = ["type", "items", "collectionFormat", "enum", "default", "maximum", "minimum", "maxLength",
               "minLength", "maxItems", "minItems", "pattern", "description", "name", "in", "required", "schema"]


def said_by_gofalcon(text, gdoc):
    """Whether go-swagger's client doc comment (`Name verb-ised summary`, alphanumerics only) prints `text`:
    go-swagger rewrites the first word as a verb ("Search" -> "searches", "Deprecated:" -> "deprecateds",
    "DEPRECATED:" -> "ds e p r e c a t e d"), so that word is matched loosely and the rest exactly."""
    if text is None:
        return False
    printed = gosrc.squash(gdoc.split("\n")[0].split(" ", 1)[1] if " " in gdoc else "")
    words = re.findall(r"[A-Za-z0-9]+", text)
    if not words:
        return not printed
    tail = "".join(words[1:]).lower()
    if not printed.endswith(tail):
        return False
    head = printed[:len(printed) - len(tail)]
    return head[:1] == words[0][:1].lower() and len(head) <= len(words[0]) + 2


# FalconPy prefixes the summaries of operations it no longer supports; the spec does not say it.
FALCONPY_PREFIXES = ("DECOMMISSIONED: ",)


def summary_of(old, fp, gdoc, notes):
    """The 2023 summary while the 2026 spec (as go-swagger printed it) still says the same; else FalconPy's."""
    if said_by_gofalcon(old, gdoc):
        return old
    cands = [fp] + [fp[len(x):] for x in FALCONPY_PREFIXES if fp.startswith(x)]
    for c in cands:
        if said_by_gofalcon(c, gdoc):
            if old is not None:
                notes.append("summary:falconpy" + ("" if c == fp else "(without its %r prefix)" % fp[:len(fp) - len(c)]))
            return c
    notes.append("summary:falconpy(unverified)")
    return fp


def body_schema(gop, gf):
    t = gop["params"]["Body"]["type"]
    return gf.type_schema(t)


def response_schema(payload, gf):
    return gf.type_schema(payload) if payload else None


def build_op(key, ep, old, gop, gf, jq):
    """One swagger operation: (operation, provenance, raw operation id)."""
    notes = []
    renamed = jq["op_renames"].get((ep["method"], ep["path"]))
    raw_id = old["operationId"] if old else (key if renamed else gop["id"])
    if re.sub(r"[.\-]", "_", raw_id) != key:
        raise SystemExit(f"{key}: operation id {raw_id} does not match FalconPy's key")
    # parameters: FalconPy's (the current spec's) objects; the 2023 text where it says the same
    oldp = {p["name"]: p for p in (old or {}).get("parameters", [])}
    gparams = {gosrc.squash(k): v for k, v in gop["params"].items()}
    params = []
    for p in ep["params"]:
        p = dict(p)
        o = oldp.get(p["name"])
        g = gparams.get(gosrc.squash(p["name"]))
        if g is None:
            raise SystemExit(f"{key}: parameter {p['name']} not in gofalcon's client")
        # prose: go-swagger prints the spec's text (markdown kept); FalconPy rewrites it (drops backticks and
        # list marks, replaces paths by operation ids), so it is used only where gofalcon has none
        if g["description"]:
            p["description"] = g["description"]
        if p["in"] == "body":
            p["schema"] = body_schema(gop, gf)
        p = {k: p[k] for k in sorted(p, key=lambda k: PARAM_ORDER.index(k) if k in PARAM_ORDER else 99)}
        if p.get("required") is False:
            p.pop("required")
        if o is not None:
            oc = {k: v for k, v in o.items() if k != "description"}
            pc = {k: v for k, v in p.items() if k != "description"}
            if "schema" in oc:
                oc["schema"], pc["schema"] = shape(oc["schema"]), shape(pc["schema"])
            same_desc = prose_equal(o.get("description"), p.get("description"))
            if oc == pc and same_desc:
                params.append(o)
                continue
            if oc != pc:
                what = "schema" if oc.get("schema") != pc.get("schema") else "attrs"
                notes.append(f"param:{p['name']}:{what}:" + ("gofalcon" if what == "schema" else "falconpy"))
            if not same_desc:
                notes.append(f"param:{p['name']}:description:" + ("gofalcon" if g["description"] else "falconpy"))
        elif old is not None:
            notes.append(f"param:{p['name']}:new:falconpy")
        params.append(p)
    for n in oldp:
        if n not in {p["name"] for p in ep["params"]}:
            notes.append(f"param:{n}:removed")
    # responses: the codes and payloads gofalcon reads; the 2023 text where it names the same payload
    responses = {}
    for code in sorted(gop["responses"], key=int):
        g = gop["responses"][code]
        schema = response_schema(g["payload"], gf)
        o = (old or {}).get("responses", {}).get(code)
        if o is not None and shape(o.get("schema")) == shape(schema):
            responses[code] = o
            continue
        r = {"description": g["description"]}
        if schema is not None:
            r["schema"] = schema
        r["headers"] = g["headers"]
        responses[code] = r
        if old is not None:
            notes.append(f"response:{code}:gofalcon")
    for code in (old or {}).get("responses", {}):
        if code not in gop["responses"]:
            notes.append(f"response:{code}:removed")
    op = {}
    if old and "security" in old:
        op["security"] = old["security"]
    else:
        op["security"] = [{"oauth2": [INFERRED_SCOPES[raw_id]]}]
        op["x-scope-inferred"] = True
    consumes = gop["consumes"]
    produces = gop["produces"]
    has_body = any(p["in"] in ("body", "formData") for p in params)
    if old is not None:
        if "consumes" in old or has_body:
            if old.get("consumes", ["application/json"]) != consumes:
                notes.append("consumes:gofalcon")
            op["consumes"] = consumes if old.get("consumes") != consumes else old["consumes"]
        if old.get("produces") != produces:
            notes.append("produces:gofalcon")
        op["produces"] = produces
        op["tags"] = old["tags"]
    else:
        op["consumes"] = consumes
        op["produces"] = produces
        op["tags"] = [ep["tag"]]
    op["summary"] = summary_of(old["summary"] if old else None, ep["summary"], gop["doc"], notes)
    if old and "description" in old:
        op["description"] = old["description"]
    op["operationId"] = raw_id
    op["parameters"] = params
    op["responses"] = responses
    if old is None:
        prov = PROV_NEW
        if renamed:
            prov += f"; gofalcon names it {renamed} (transformation.jq)"
        if notes:
            prov += "; " + ", ".join(notes)
    elif notes:
        prov = PROV_UPDATED + ", ".join(notes)
    else:
        prov = PROV_2023
    op["x-falcon-provenance"] = prov
    return op, raw_id


def row_type(schema):
    if schema is None:
        return None
    if "$ref" in schema:
        return schema["$ref"].split("/")[-1]
    if schema.get("type") == "array":
        return "array<%s>" % row_type(schema["items"])
    return schema.get("type") or "object"


def param_row(p):
    r = {"name": p["name"], "in": p["in"]}
    if p["in"] == "body":
        r["type"] = "array" if p["schema"].get("type") == "array" else "object"
    elif p.get("type") == "array":
        r["type"] = "array<%s>" % p["items"]["type"]
    else:
        r["type"] = p["type"]
    r["required"] = bool(p.get("required"))
    for k, rk in (("enum", "enum"), ("minimum", "min"), ("maximum", "max"), ("minLength", "min_length"),
                  ("maxLength", "max_length"), ("default", "default"), ("collectionFormat", "collection_format")):
        if k in p:
            r[rk] = p[k]
    return r


def make_row(coll, key, method_name, path, method, op, in_2023):
    body = next((p for p in op["parameters"] if p["in"] == "body"), None)
    return {
        "collection": coll, "operation_id": op["operationId"], "falconpy_id": key, "falconpy_name": method_name,
        "method": method, "path": path, "consumes": op.get("consumes", ["application/json"]),
        "params": [param_row(p) for p in op["parameters"]],
        "body_schema_ref": row_type(body["schema"]) if body else None,
        "responses": {c: row_type(r.get("schema")) for c, r in op["responses"].items()},
        "scope": op["security"][0]["oauth2"][0], "auth": "Bearer token",
        "scope_source": "inferred" if op.get("x-scope-inferred") else "spec-2023",
        "in_2023_spec": in_2023, "summary": op["summary"],
    }


# ---------------------------------------------------------------------------------------------------------

def verify_inputs():
    """Every input file is the one inputs/SOURCES.json records (sha256), and no other file is read."""
    import hashlib
    listed = json.loads((INPUTS / "SOURCES.json").read_text())["files"]
    for f in listed:
        got = hashlib.sha256((INPUTS / f["file"]).read_bytes()).hexdigest()
        if got != f["sha256"]:
            raise SystemExit(f"inputs/{f['file']}: sha256 {got} differs from inputs/SOURCES.json")
    present = {str(p.relative_to(INPUTS)) for p in INPUTS.rglob("*") if p.is_file()} - {"SOURCES.json"}
    extra = present - {f["file"] for f in listed}
    if extra:
        raise SystemExit(f"inputs/ holds files SOURCES.json does not list: {sorted(extra)}")


def build():
    verify_inputs()
    eps = load_endpoints(INPUTS / "falconpy")
    method_names, aliases = load_methods(INPUTS / "falconpy")
    old = json.loads((INPUTS / "crimson-falcon/swagger-patched.excerpt.json").read_text())
    gf = Gofalcon(INPUTS / "gofalcon")
    jq = load_jq(INPUTS / "gofalcon/specs/transformation.jq.txt")
    old_ops = {(m.upper(), p): op for p, item in old["paths"].items() for m, op in item.items()}

    paths, rows = {}, []
    for coll, key in OPS:
        ep = eps[key]
        mp = (ep["method"], ep["path"])
        o = old_ops.get(mp)
        op, raw_id = build_op(key, ep, o, gf.ops[mp], gf, jq)
        paths.setdefault(ep["path"], {})[ep["method"].lower()] = op
        rows.append(make_row(coll, key, method_names[key], ep["path"], ep["method"], op, o is not None))

    # definitions: everything the operations reach
    gdefs = gf.definition_names()
    defs = {}
    need = sorted(refs_in(paths))
    while need:
        name = need.pop()
        if name in defs:
            continue
        o = old["definitions"].get(name)
        g = gf.schema(gdefs[name]) if name in gdefs else None
        if o is not None and g is not None:
            d, prov = merge_definition(name, o, g)
            if prov:
                d = dict(d, **{"x-falcon-provenance": prov})
        elif g is not None:
            d = dict(g, **{"x-falcon-provenance": "reconstructed"})
        else:
            d = dict(strip_hints(o), **{"x-falcon-provenance": "spec-2023 (no gofalcon model)"})
        added = jq["added_properties"].get(name)
        if added:
            d["x-falcon-sdk-added"] = sorted(set(added) & set(d.get("properties", {})))
        defs[name] = d
        need.extend(sorted(refs_in(d) - set(defs)))

    mrank = {m: i for i, m in enumerate(METHOD_ORDER)}
    paths = {p: {m: paths[p][m] for m in sorted(paths[p], key=mrank.get)} for p in sorted(paths)}
    spec = {
        "swagger": "2.0",
        "info": {
            "title": "CrowdStrike API Specification (subset: alerts, ioc, incidents, hosts additions)",
            "version": "2023-05-30T23:10:32Z",
            "x-falcon-subset": {
                "collections": sorted({c for c, _ in OPS}),
                "base_spec": "github.com/CrowdStrike/crimson-falcon@%s .openapi-generator/swagger-patched.json "
                             "(info.version %s)" % (CRIMSON_COMMIT, old["x-excerpt-of"]["info.version"]),
                "current_delta_from": "github.com/CrowdStrike/gofalcon@%s (generated from the 2026-07-21 spec) "
                                      "and FalconPy %s _endpoint modules" % (GOFALCON_COMMIT, FALCONPY_VERSION),
                "provenance_key": "x-falcon-provenance on operations/definitions; x-scope-inferred where the "
                                  "scope is not in any available spec; x-falcon-sdk-added: properties gofalcon's "
                                  "transformation.jq adds (not in the raw spec)",
                "generated_by": "tools/spec/build_spec.py from tools/spec/inputs/",
                "gofalcon_renames": {
                    "operations": {oid: jq["op_renames"][(m, p)] for (m, p, oid) in sorted(
                        (op_m.upper(), p, op["operationId"]) for p, item in paths.items()
                        for op_m, op in item.items()) if (m, p) in jq["op_renames"]},
                    "definitions": {new: raw for new, raw in sorted(jq["def_renames"].items()) if new in defs},
                },
            },
        },
        "host": "api.crowdstrike.com", "schemes": ["https"],
        "consumes": ["application/json"], "produces": ["application/json"],
        "securityDefinitions": {"oauth2": {"type": "oauth2", "flow": "application",
                                           "tokenUrl": "https://api.crowdstrike.com/oauth2/token", "scopes": {}}},
        "tags": [{"name": t} for t in sorted({op["tags"][0] for item in paths.values() for op in item.values()})],
        "paths": paths,
        "definitions": dict(sorted(defs.items())),
    }
    scopes = sorted({s for item in paths.values() for op in item.values() for s in op["security"][0]["oauth2"]})
    spec["securityDefinitions"]["oauth2"]["scopes"] = {s: "Grants %s access on %s resources" % (
        s.split(":")[1], s.split(":")[0]) for s in scopes}

    coll_order = [c for c in COLLECTIONS]
    rows.sort(key=lambda r: (coll_order.index(r["collection"]), r["path"], mrank[r["method"].lower()]))
    return spec, rows, aliases


def check_refs(spec):
    missing = refs_in(spec) - set(spec["definitions"])
    if missing:
        raise SystemExit(f"unresolved refs: {sorted(missing)}")
    used = refs_in(spec["paths"])
    for d in spec["definitions"].values():
        used |= refs_in(d)
    unused = set(spec["definitions"]) - used
    if unused:
        raise SystemExit(f"unused definitions: {sorted(unused)}")


def render_rows(rows):
    head = {"openapi_extra": "openapi-extra.json (same folder; full schemas, descriptions, responses)",
            "gofalcon_commit": GOFALCON_COMMIT, "crimson_falcon_commit": CRIMSON_COMMIT,
            "falconpy_version": FALCONPY_VERSION,
            "fields": "operation_id = spec operationId; falconpy_id = key in falconpy/_endpoint (- and . become _); "
                      "falconpy_name = PEP 8 method of the FalconPy service class; scope_source = spec-2023 | inferred",
            "generated_by": "tools/spec/build_spec.py from tools/spec/inputs/ (do not edit)"}
    out = ["{", '"source": %s,' % json.dumps(head), '"count": %d,' % len(rows), '"operations": [']
    out.append(",\n".join(json.dumps(r) for r in rows))
    out += ["]", "}"]
    return "\n".join(out) + "\n"


def compare(spec, rows, reference_dir):
    """Against the reference subset (../shared/falcon-api): no operation twice, and a definition both name
    is the same schema in both (so the two files can be merged)."""
    ref = json.loads((reference_dir / "openapi-subset.json").read_text())
    ref_rows = json.loads((reference_dir / "operations.json").read_text())["operations"]
    bad = []
    for k in sorted(set(spec["definitions"]) & set(ref["definitions"])):
        a = {x: y for x, y in spec["definitions"][k].items() if x != "x-falcon-provenance"}
        b = {x: y for x, y in ref["definitions"][k].items() if x != "x-falcon-provenance"}
        if a != b:
            bad.append("definition " + k)
    seen = {(r["method"], r["path"]) for r in ref_rows} | {r["operation_id"] for r in ref_rows}
    for r in rows:
        if (r["method"], r["path"]) in seen or r["operation_id"] in seen:
            bad.append("operation " + r["operation_id"])
    shared = len(set(spec["definitions"]) & set(ref["definitions"]))
    if bad:
        raise SystemExit("differs from the reference: " + ", ".join(bad))
    print(f"consistent with {reference_dir}: {shared} shared definitions identical, no operation in both")


def main():
    args = sys.argv[1:]
    check = "--check" in args
    spec, rows, _ = build()
    check_refs(spec)
    if "--compare" in args:
        compare(spec, rows, pathlib.Path(args[args.index("--compare") + 1]))
    texts = {OUT_SPEC: json.dumps(spec, indent=1, ensure_ascii=False) + "\n", OUT_OPS: render_rows(rows)}
    if check:
        stale = [p.name for p, t in texts.items() if not p.exists() or p.read_text() != t]
        if stale:
            raise SystemExit("out of date (run tools/spec/build_spec.py): " + ", ".join(stale))
        print("up to date")
        return
    for p, t in texts.items():
        p.write_text(t)
    n_ops = sum(len(v) for v in spec["paths"].values())
    print(f"wrote {OUT_OPS.name} ({len(rows)} operations) and {OUT_SPEC.name} "
          f"({len(spec['paths'])} paths, {n_ops} operations, {len(spec['definitions'])} definitions)")


if __name__ == "__main__":
    main()
