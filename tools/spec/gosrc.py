"""Reading go-swagger generated Go source (gofalcon's `falcon/client` and `falcon/models`), stdlib only.

Used by `extract_inputs.py` (to cut the excerpts kept in `inputs/gofalcon/`) and by `build_spec.py` (to read
them back). Only the regular shapes go-swagger emits are understood: top-level `type` declarations with their
doc comments, struct fields with their comments and `json` tags, and a few marker lines (`ID:`, `Method:`,
`PathPattern:`, media types, `GetHeader("...")`).
"""
import json
import re

SCALARS = {
    "string": {"type": "string"},
    "bool": {"type": "boolean"},
    "int64": {"type": "integer", "format": "int64"},
    "int32": {"type": "integer", "format": "int32"},
    "int": {"type": "integer"},
    "uint64": {"type": "integer", "format": "uint64"},
    "uint32": {"type": "integer", "format": "uint32"},
    "float64": {"type": "number", "format": "double"},
    "float32": {"type": "number", "format": "float"},
    "interface{}": {},
    "strfmt.DateTime": {"type": "string", "format": "date-time"},
    "strfmt.Date": {"type": "string", "format": "date"},
    "strfmt.UUID": {"type": "string", "format": "uuid"},
    "strfmt.Base64": {"type": "string", "format": "byte"},
    "strfmt.Duration": {"type": "string", "format": "duration"},
    "strfmt.Email": {"type": "string", "format": "email"},
    "strfmt.URI": {"type": "string", "format": "uri"},
    "io.ReadCloser": {"type": "file"},
    "runtime.NamedReadCloser": {"type": "file"},
}

# Field comment lines go-swagger writes after the description.
ANNOTATION = re.compile(
    r"^(Required|Format|Enum|Maximum|Minimum|Exclusive Maximum|Exclusive Minimum|Max Length|Min Length|"
    r"Max Items|Min Items|Pattern|Example|Read Only|Unique|Multiple Of|Max Properties|Min Properties): ?(.*)$")


def decls(text):
    """Top-level `type` declarations: [(name, first_line_index, last_line_index, doc_lines, body_lines)].
    `first_line_index` is where the doc comment starts (0-based), `last_line_index` is inclusive."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = re.match(r"^type (\w+) (.*)$", lines[i])
        if not m:
            i += 1
            continue
        name, rest = m.group(1), m.group(2)
        end = i
        if rest.rstrip().endswith("{"):
            end = i + 1
            while lines[end] != "}":
                end += 1
        # doc comment: `//` lines or a `/* ... */` block right above
        start = i
        if i > 0 and lines[i - 1].startswith("//"):
            while start > 0 and lines[start - 1].startswith("//"):
                start -= 1
            doc = [l[2:].strip() if l.startswith("// ") or l == "//" else l[2:] for l in lines[start:i]]
        elif i > 0 and lines[i - 1] == "*/":
            while not lines[start - 1].startswith("/*"):
                start -= 1
            start -= 1
            doc = lines[start:i]
            doc[0] = doc[0][2:]
            doc = doc[:-1]
            while doc and not doc[0].strip():
                doc = doc[1:]
        else:
            doc = []
        out.append((name, start, end, doc, lines[i:end + 1]))
        i = end + 1
    return out


def squash(s):
    return re.sub(r"[^a-z0-9]", "", (s or "").lower())


def split_type(t):
    """`[]*Foo` -> ("array", "*Foo"); `map[string]Foo` -> ("map", "Foo"); `*Foo` -> ("ref", "Foo")."""
    if t.startswith("[]"):
        return "array", t[2:]
    if t.startswith("map[string]"):
        return "map", t[len("map[string]"):]
    if t.startswith("*"):
        return "ptr", t[1:]
    return "name", t


def field_comment(comment_lines):
    """Splits a field's comment into (description lines, {annotation: value}): go-swagger writes the
    annotations (`Required: true`, `Format: date-time`, ...) as the last lines of the comment."""
    i = len(comment_lines)
    while i > 0 and ANNOTATION.match(comment_lines[i - 1]):
        i -= 1
    desc = list(comment_lines[:i])
    while desc and desc[-1] == "":
        desc.pop()
    ann = dict(ANNOTATION.match(l).groups() for l in comment_lines[i:])
    return desc, ann


def struct_fields(body_lines):
    """Fields of a struct body: [{go, type, json, omitempty, comment: [...], embedded}]."""
    fields, comment = [], []
    block = None
    for l in body_lines[1:-1]:
        s = l.strip()
        if block is not None:
            # inside /* ... */: keep the text's own indentation (drop only the struct's tab)
            t = l[1:] if l.startswith("\t") else l
            if s.endswith("*/"):
                t = t.rstrip()[:-2].rstrip()
                if t.strip():
                    block.append(t)
                comment = block
                block = None
            else:
                block.append(t)
            continue
        if s.startswith("/*"):
            t = s[2:].strip()
            if t.endswith("*/"):
                comment = [t[:-2].rstrip()]
            else:
                block = [t] if t else []
            continue
        if s.startswith("//"):
            comment.append(s[3:] if s.startswith("// ") else s[2:])
            continue
        if not s:
            continue
        m = re.match(r"^(\w+)\s+(\S+)(?:\s+`(.*)`)?$", s)
        if m:
            go, ty, tag = m.groups()
            js, omit = None, False
            if tag:
                tm = re.search(r'json:"([^"]*)"', tag)
                if tm:
                    parts = tm.group(1).split(",")
                    js, omit = parts[0], "omitempty" in parts[1:]
            fields.append({"go": go, "type": ty, "json": js, "omitempty": omit, "comment": comment, "embedded": False})
        elif re.match(r"^\w+$", s):
            fields.append({"go": s, "type": s, "json": None, "omitempty": False, "comment": comment, "embedded": True})
        else:
            raise ValueError("unexpected struct line: %r" % l)
        comment = []
    return fields


def model_name(doc):
    for l in doc:
        m = re.match(r"^swagger:model (\S+)$", l.strip())
        if m:
            return m.group(1)
    return None


def referenced_types(body_lines):
    """Go type names (same package) a declaration refers to."""
    head = body_lines[0]
    m = re.match(r"^type \w+ (.*)$", head)
    rest = m.group(1).strip()
    out = []
    tys = [rest] if not rest.endswith("{") else [f["type"] for f in struct_fields(body_lines)]
    for t in tys:
        while True:
            k, t2 = split_type(t)
            if k == "name":
                break
            t = t2
        if t.startswith("models."):
            t = t[len("models."):]
        if t not in SCALARS and re.match(r"^[A-Z]\w*$", t):
            out.append(t)
    return out


def parse_enum(v):
    v = v.strip()
    try:
        x = json.loads(v)
        if isinstance(x, list):
            return x
    except ValueError:
        pass
    if v.startswith("[") and v.endswith("]"):
        return v[1:-1].split()
    raise ValueError("enum: %r" % v)
