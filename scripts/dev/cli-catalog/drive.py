import json
import os
import re
import subprocess
import sys

O = "/tmp/orig-auth/node_modules/paperclipai/dist/index.js"
REC = os.environ["REC"]
open("/tmp/cliref/bodyfile.md", "w").write("FILEBODY")
out = open(os.environ["OUT"], "w")
UUIDS = [
    "11111111-1111-1111-1111-111111111111",
    "22222222-2222-2222-2222-222222222222",
    "44444444-4444-4444-4444-444444444444",
]
for g in sys.argv[1:]:
    text = open(f"/tmp/cliref/{g}.sub").read()
    gname = os.environ.get("GROUP_OVERRIDE")
    for block in text.split("=== ")[1:]:
        head, *lines = block.splitlines()
        grp, cmd = head.split(" ", 1)
        usage = next((l for l in lines if l.startswith("Usage:")), "")
        positionals = re.findall(r"<([^>]+)>", usage.split("[options]")[-1])
        desc = next((l.strip() for l in lines[1:] if l.strip() and not l.startswith("Usage")), "")
        opts = []
        for l in lines:
            m = re.match(r"\s+(?:(-\w), )?(--[\w-]+)(?: <([^>]+)>| \[([^\]]+)\])?\s*(.*)", l)
            if m and m.group(2) not in ("--json", "--help"):
                opts.append(
                    {
                        "short": m.group(1),
                        "long": m.group(2),
                        "val": m.group(3) or m.group(4),
                        "help": m.group(5),
                    }
                )
        argv = ["node", O, grp] + cmd.split()
        for i, p in enumerate(positionals):
            argv.append(UUIDS[i] if i < 3 else f"POS{i}")
        for o in opts:
            v = o["val"]
            if o["long"] in ("--company-id",):
                argv += [o["long"], "33333333-3333-3333-3333-333333333333"]
                continue
            if v is None:
                argv.append(o["long"])
                continue
            name = o["long"][2:]
            lv = v.lower()
            if "json" in lv:
                val = json.dumps({"probe": name})
            elif lv in ("n", "number", "cents", "limit", "count") or lv.endswith("cents") or "int" in lv:
                val = "7"
            elif "csv" in lv:
                val = f"C_{name}_a,C_{name}_b"
            elif "iso" in lv or "date" in lv:
                val = "2026-01-02T03:04:05.000Z"
            elif "path" in lv or "file" in name:
                val = "/tmp/cliref/bodyfile.md"
            elif lv.endswith("..."):
                val = f"V_{name}"
            else:
                val = f"V_{name}"
            argv += [o["long"], val]
        argv += [
            "--api-base",
            "http://127.0.0.1:" + os.environ["RPORT"],
            "--api-key",
            "KEY",
            "--run-id",
            "RUNID",
            "--json",
        ]
        open(REC, "w").close()
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=90, cwd="/tmp/cliref")
            err = (r.stderr or "").strip().splitlines()[-1:] if r.returncode else []
        except subprocess.TimeoutExpired:
            err = ["timeout"]
        reqs = [json.loads(l) for l in open(REC)]
        out.write(
            json.dumps(
                {
                    "group": grp,
                    "cmd": cmd,
                    "desc": desc,
                    "positionals": positionals,
                    "opts": opts,
                    "reqs": reqs,
                    "err": err,
                }
            )
            + "\n"
        )
        out.flush()
