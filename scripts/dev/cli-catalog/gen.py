import json
import re
import sys
from urllib.parse import parse_qsl, urlsplit

UUIDS = [
    "11111111-1111-1111-1111-111111111111",
    "22222222-2222-2222-2222-222222222222",
    "44444444-4444-4444-4444-444444444444",
]
CO = "33333333-3333-3333-3333-333333333333"
GLOBAL = {
    "--config",
    "--data-dir",
    "--context",
    "--profile",
    "--api-base",
    "--api-key",
    "--run-id",
    "--json",
    "--help",
}


def camel(flag):
    h, *r = flag.lstrip("-").split("-")
    return h + "".join(p[:1].upper() + p[1:] for p in r)


specs = []
seen = {}
for f in sys.argv[1:]:
    for l in open(f):
        d = json.loads(l)
        seen[(d["group"], d["cmd"])] = d
specs = list(seen.values())
groups = {}
anomalies = []
for s in specs:
    reqs = s["reqs"]
    if s["err"] == ["timeout"]:
        anomalies.append((s["group"], s["cmd"], "timeout"))
        continue
    if not reqs:
        anomalies.append((s["group"], s["cmd"], "no request", s["err"]))
        continue
    mutations = [q for q in reqs if q["m"] != "GET"]
    r = mutations[0] if mutations else reqs[-1]
    if len(reqs) > 1:
        anomalies.append((s["group"], s["cmd"], "multi", [(q["m"], q["p"]) for q in reqs]))
    u = urlsplit(r["p"])
    path = u.path
    for i, p in enumerate(s["positionals"][:3]):
        path = path.replace(UUIDS[i], "{" + re.sub(r"\W", "_", p) + "}")
    path = path.replace(CO, "{companyId}")
    q = dict(parse_qsl(u.query))
    try:
        body = json.loads(r["b"]) if r["b"] else None
    except ValueError:
        body = None
    opts = []
    for o in s["opts"]:
        if o["long"] in GLOBAL:
            continue
        name = o["long"][2:]
        kind = "str"
        v = (o["val"] or "").lower()
        if o["val"] is None:
            kind = "bool"
        elif "json" in v:
            kind = "json"
        elif v in ("n", "number", "cents", "limit", "count") or v.endswith("cents") or "int" in v:
            kind = "int"
        elif "csv" in v:
            kind = "csv"
        elif "path" in v or "file" in name:
            kind = "file"
        elif v.endswith("..."):
            kind = "list"
        elif "null" in v:
            kind = "nullable"
        to, key = None, None
        marker = f"V_{name}"
        if o["long"] == "--company-id":
            if "{companyId}" in path:
                continue
            if q.get("companyId") == CO:
                to, key = "query", "companyId"
            elif isinstance(body, dict) and body.get("companyId") == CO:
                to, key = "body", "companyId"
            else:
                continue
        if to is None:
            for k, val in q.items():
                if (
                    marker in val
                    or f"C_{name}_a" in val
                    or (kind in ("int",) and k == camel(o["long"]))
                    or (kind == "bool" and k == camel(o["long"]))
                    or (kind == "nullable" and k == camel(o["long"]))
                ):
                    to, key = "query", k
                    break
        if to is None and isinstance(body, dict):
            if kind == "json" and body.get("probe") == name:
                to = "payload"
            else:
                for k, val in body.items():
                    sval = json.dumps(val)
                    if (
                        marker in sval
                        or f"C_{name}_a" in sval
                        or "FILEBODY" in sval
                        and kind == "file"
                        or (kind in ("int", "bool", "nullable") and k == camel(o["long"]))
                    ):
                        to, key = "body", k
                        break
        if to is None and camel(o["long"]) in q:
            to, key = "query", camel(o["long"])
        if to is None and isinstance(body, dict) and camel(o["long"]) in body:
            to, key = "body", camel(o["long"])
        if to is None:
            to = "local"
            anomalies.append((s["group"], s["cmd"], f"opt {o['long']} unplaced", r["p"], r["b"][:120]))
        if key == camel(o["long"]):
            key = None
        opts.append(
            dict(
                flag=o["long"],
                kind=kind,
                to=to,
                key=key,
                short=o["short"] if o["short"] and o["short"] != "-C" else None,
            )
        )
    groups.setdefault(s["group"], []).append(
        dict(
            name=s["cmd"],
            method=r["m"],
            path=path,
            args=[re.sub(r"\W", "_", p) for p in s["positionals"]],
            opts=opts,
        )
    )
sys.path.insert(0, "/tmp/cliref")
from manual import MANUAL

for (g, name), m in MANUAL.items():
    names = [c["name"] for c in groups.get(g, [])]
    if name not in names:
        groups.setdefault(g, []).append(dict(name=name, **m))
json.dump({"groups": groups, "anomalies": anomalies}, open("/tmp/cliref/catalog.json", "w"), indent=1)
for a in anomalies:
    print(a)
