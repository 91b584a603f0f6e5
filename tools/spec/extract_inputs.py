#!/usr/bin/env python3
"""Cuts the upstream excerpts kept in tools/spec/inputs/ (run once; the excerpts are committed).

    python3 tools/spec/extract_inputs.py \
        --crimson-falcon /path/to/crimson-falcon.git --gofalcon /path/to/gofalcon.git \
        --falconpy-wheel crowdstrike_falconpy-1.6.6-py3-none-any.whl

The git arguments are git directories (bare clones are fine) that contain the pinned commits below; the wheel
is `pip download crowdstrike-falconpy==1.6.6 --no-deps`. Stdlib only. Every file written is either a verbatim
copy or a set of verbatim line ranges (JSON sub-objects for the swagger file); inputs/SOURCES.json records
for each one the repository, commit, upstream path, the upstream file's sha256 and how it was cut, so the cut
can be checked by running this script again and diffing.

`build_spec.py` reads only inputs/, never the upstream sources.
"""
import argparse
import hashlib
import io
import json
import pathlib
import re
import subprocess
import sys
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE))
import gosrc  # noqa: E402
from build_spec import (CRIMSON_COMMIT, GOFALCON_COMMIT, FALCONPY_VERSION, OPS, COLLECTIONS,  # noqa: E402
                        load_endpoints, refs_in)

INPUTS = HERE / "inputs"
SWAGGER_PATH = ".openapi-generator/swagger-patched.json"
JQ_PATH = "specs/transformation.jq"
# transformation.jq line ranges (1-based, inclusive) kept, each checked by the text its first line must contain.
JQ_RANGES = [
    (17, 39, "# Rename msaspec.* types to msa.* types"),
    (202, 206, "# Better operationId for alerts collection"),
    (251, 258, "# Allow expiration to be nullable"),
    (311, 610, "# fix Alerts service collection"),
]
CLASS_EXCERPT = re.compile(r"^class |^    def |^\s+operation_id=\"|^    \w+ = \w+\s*(#.*)?$")

sources = []


def sha(b):
    return hashlib.sha256(b).hexdigest()


def git_show(gitdir, commit, path):
    return subprocess.run(["git", "--git-dir", str(gitdir), "show", f"{commit}:{path}"], check=True,
                          capture_output=True).stdout


def git_ls(gitdir, commit, path):
    out = subprocess.run(["git", "--git-dir", str(gitdir), "ls-tree", "-r", "--name-only", commit, path],
                         check=True, capture_output=True, text=True).stdout
    return out.split()


def write(rel, data, **meta):
    p = INPUTS / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    b = data.encode() if isinstance(data, str) else data
    p.write_bytes(b)
    sources.append(dict(file=rel, sha256=sha(b), **meta))


def excerpt_text(repo, commit, path, upstream, ranges, what):
    """Verbatim line ranges of `upstream` (text), each introduced by a `//@ lines A-B` marker."""
    lines = upstream.split("\n")
    origin = f"github.com/{repo}@{commit}:{path}" if "/" in repo else f"{repo} ({commit}) {path}"
    out = [f"//@ excerpt of {origin}",
           f"//@ {what}; the lines after each '//@ lines A-B' marker are lines A-B of that file, verbatim"]
    for a, b in sorted(set(ranges)):
        out.append(f"//@ lines {a + 1}-{b + 1}")
        out.extend(lines[a:b + 1])
    return "\n".join(out) + "\n"


def crimson(gitdir, ops_2023, names):
    raw = git_show(gitdir, CRIMSON_COMMIT, SWAGGER_PATH)
    spec = json.loads(raw)
    paths = {}
    found = set()
    for p, item in spec["paths"].items():
        for m, op in item.items():
            if (m.upper(), p) in ops_2023:
                paths.setdefault(p, {})[m] = op
                found.add((m.upper(), p))
    # definitions reachable from those operations, and the 2023 text of every definition the gofalcon
    # excerpts name (operations the 2023 spec lacks still reach definitions it has)
    need, seen = sorted(refs_in(paths) | (set(names) & set(spec["definitions"]))), set()
    while need:
        d = need.pop()
        if d in seen:
            continue
        seen.add(d)
        need.extend(refs_in(spec["definitions"][d]))
    defs = {k: v for k, v in spec["definitions"].items() if k in seen}
    doc = {"x-excerpt-of": {"repo": "CrowdStrike/crimson-falcon", "commit": CRIMSON_COMMIT, "path": SWAGGER_PATH,
                            "sha256": sha(raw), "info.version": spec["info"]["version"],
                            "cut": "paths: the operations of tools/spec/build_spec.py OPS present in this spec "
                                   "(matched by method and path); definitions: every one they reach through $ref, "
                                   "plus those named by the gofalcon model excerpts, and every one those reach; "
                                   "JSON values verbatim (key order kept)"},
           "paths": paths, "definitions": defs}
    write("crimson-falcon/swagger-patched.excerpt.json", json.dumps(doc, indent=1, ensure_ascii=False) + "\n",
          repo="CrowdStrike/crimson-falcon", commit=CRIMSON_COMMIT, path=SWAGGER_PATH, upstream_sha256=sha(raw),
          kind="excerpt (JSON sub-objects)")
    return found


def falconpy(wheel):
    whl = pathlib.Path(wheel).read_bytes()
    z = zipfile.ZipFile(io.BytesIO(whl))
    meta = dict(repo="PyPI crowdstrike-falconpy " + FALCONPY_VERSION, wheel=pathlib.Path(wheel).name,
                wheel_sha256=sha(whl))
    for c in COLLECTIONS.values():
        ep = f"falconpy/_endpoint/{c['endpoint']}"
        b = z.read(ep)
        write(f"falconpy/{ep[len('falconpy/'):]}", b, path=ep, upstream_sha256=sha(b), kind="verbatim", **meta)
        cls = f"falconpy/{c['service_class']}"
        b = z.read(cls)
        lines = b.decode().split("\n")
        keep = [i for i, l in enumerate(lines) if CLASS_EXCERPT.search(l)]
        text = excerpt_text(meta["repo"], meta["wheel"], cls, b.decode(), [(i, i) for i in keep],
                            "lines naming the class, its methods, the operation each calls, and its aliases")
        write(f"falconpy/{c['service_class']}.txt", text.replace("//@", "#@"), path=cls, upstream_sha256=sha(b),
              kind="excerpt (lines matching %s)" % CLASS_EXCERPT.pattern, **meta)


def gofalcon(gitdir, wanted):
    """wanted: {(METHOD, path)}. Writes client/model excerpts; returns the swagger names of the models kept."""
    C = GOFALCON_COMMIT
    repo = "CrowdStrike/gofalcon"
    model_files = {}
    for p in git_ls(gitdir, C, "falcon/models/"):
        if p.endswith(".go"):
            model_files[p] = None
    # index: Go type name -> model file (lazy: read all model files once)
    type_file = {}
    texts = {}
    for p in model_files:
        t = git_show(gitdir, C, p).decode()
        texts[p] = t
        for m in re.finditer(r"^type (\w+) ", t, re.M):
            type_file[m.group(1)] = p
    roots = set()
    found = set()
    for coll in sorted({c["gofalcon_client"] for c in COLLECTIONS.values()}):
        cp = f"falcon/client/{coll}/{coll}_client.go"
        raw = git_show(gitdir, C, cp)
        text = raw.decode()
        lines = text.split("\n")
        ranges, prefixes = [], []
        for i, l in enumerate(lines):
            m = re.match(r"^func \(a \*Client\) (\w+)\(params \*(\w+)Params", l)
            if not m:
                continue
            j = i
            while not lines[j].strip().startswith("ConsumesMediaTypes:"):
                j += 1
            block = "\n".join(lines[i:j + 1])
            meth = re.search(r'Method:\s+"(\w+)"', block).group(1)
            path = re.search(r'PathPattern:\s+"([^"]+)"', block).group(1)
            if (meth, path) not in wanted:
                continue
            found.add((meth, path))
            k = i
            while not lines[k - 1].startswith("/*"):
                k -= 1
            ranges.append((k - 1, j))
            prefixes.append(m.group(2))
        write(f"gofalcon/{cp}.txt", excerpt_text(repo, C, cp, text, ranges,
                                                 "doc comment, signature and ClientOperation head of each kept operation"),
              repo=repo, commit=C, path=cp, upstream_sha256=sha(raw), kind="excerpt (line ranges)")
        for pre in prefixes:
            snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", pre).lower()
            for suffix in ("parameters", "responses"):
                fp = f"falcon/client/{coll}/{snake}_{suffix}.go"
                raw = git_show(gitdir, C, fp)
                text = raw.decode()
                ds = gosrc.decls(text)
                if suffix == "parameters":
                    keep = [d for d in ds if d[0] == pre + "Params"]
                    what = "the parameter struct"
                else:
                    keep = [d for d in ds if d[0].startswith(pre) and d[0] != pre + "Reader"]
                    what = "the response structs (status code, description, headers, payload) and the header names read"
                ranges = [(d[1], d[2]) for d in keep]
                tl = text.split("\n")
                ranges += [(i, i) for i, l in enumerate(tl) if "response.GetHeader(" in l]
                for d in keep:
                    roots.update(t for t in gosrc.referenced_types(d[4]) if t in type_file)
                write(f"gofalcon/{fp}.txt", excerpt_text(repo, C, fp, text, ranges, what),
                      repo=repo, commit=C, path=fp, upstream_sha256=sha(raw), kind="excerpt (line ranges)")
    missing = wanted - found
    if missing:
        raise SystemExit(f"gofalcon: operations not found: {sorted(missing)}")
    # model closure
    need, seen = sorted(roots), set()
    while need:
        t = need.pop()
        if t in seen:
            continue
        seen.add(t)
        d = next(d for d in gosrc.decls(texts[type_file[t]]) if d[0] == t)
        need.extend(x for x in gosrc.referenced_types(d[4]) if x in type_file)
    by_file = {}
    for t in seen:
        by_file.setdefault(type_file[t], []).append(t)
    for fp, types in sorted(by_file.items()):
        text = texts[fp]
        ds = [d for d in gosrc.decls(text) if d[0] in types]
        write(f"gofalcon/{fp}.txt", excerpt_text(repo, C, fp, text, [(d[1], d[2]) for d in ds],
                                                 "type declarations with their doc comments"),
              repo=repo, commit=C, path=fp, upstream_sha256=sha(texts[fp].encode()), kind="excerpt (line ranges)")
    names = set()
    for t in seen:
        d = next(d for d in gosrc.decls(texts[type_file[t]]) if d[0] == t)
        names.add(gosrc.model_name(d[3]))
    raw = git_show(gitdir, C, JQ_PATH)
    text = raw.decode()
    tl = text.split("\n")
    for a, b, marker in JQ_RANGES:
        if marker not in tl[a - 1]:
            raise SystemExit(f"{JQ_PATH}:{a}: expected {marker!r}, found {tl[a - 1]!r}")
    write(f"gofalcon/{JQ_PATH}.txt",
          excerpt_text(repo, C, JQ_PATH, text, [(a - 1, b - 1) for a, b, _ in JQ_RANGES],
                       "the SDK patches that touch the kept operations and definitions").replace("//@", "#@"),
          repo=repo, commit=C, path=JQ_PATH, upstream_sha256=sha(raw), kind="excerpt (line ranges)")
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crimson-falcon", default="/work/.mirror/CrowdStrike+crimson-falcon/repo")
    ap.add_argument("--gofalcon", default="/work/.mirror/CrowdStrike+gofalcon/repo")
    ap.add_argument("--falconpy-wheel", default="/tmp/fpwheel/crowdstrike_falconpy-1.6.6-py3-none-any.whl")
    a = ap.parse_args()
    if INPUTS.exists():
        for p in sorted(INPUTS.rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()
    falconpy(a.falconpy_wheel)
    eps = load_endpoints(INPUTS / "falconpy")
    wanted = {(eps[fid]["method"], eps[fid]["path"]) for _, fid in OPS}
    names = gofalcon(a.gofalcon, wanted)
    found = crimson(a.crimson_falcon, wanted, names)
    sources.sort(key=lambda s: s["file"])
    (INPUTS / "SOURCES.json").write_text(json.dumps({"files": sources}, indent=1, sort_keys=True) + "\n")
    total = sum((INPUTS / s["file"]).stat().st_size for s in sources)
    print(f"{len(sources)} input files, {total} bytes; {len(found)} of {len(wanted)} operations in the 2023 spec")


if __name__ == "__main__":
    main()
