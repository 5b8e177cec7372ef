#!/usr/bin/env python3
"""Compare two measure.py recordings (the original's web app against the original, and against
ours): per endpoint the original's status, ours, and how many pages call it; per page whether the
company rendered and its console errors. Writes markdown to stdout.

    scripts/dev/original-ui/report.py original.json ours.json > scripts/dev/original-ui/endpoints.md
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict


def load(path: str) -> dict:
    with open(path) as fh:
        return json.load(fh)


def by_endpoint(rec: dict) -> dict[str, dict]:
    out: dict[str, dict] = defaultdict(lambda: {"pages": set(), "statuses": set()})
    for page in rec["pages"]:
        for q in page["requests"]:
            out[q["endpoint"]]["pages"].add(
                page["page"].split("/", 2)[-1] if page["page"].count("/") > 1 else page["page"]
            )
            out[q["endpoint"]]["statuses"].add(q["status"])
    return out


def fmt(statuses: set[int]) -> str:
    return "/".join(str(s) for s in sorted(statuses)) if statuses else "—"


def main() -> int:
    orig, ours = load(sys.argv[1]), load(sys.argv[2])
    eo, eu = by_endpoint(orig), by_endpoint(ours)
    rows = []
    for ep in sorted(set(eo) | set(eu)):
        o, u = eo.get(ep), eu.get(ep)
        ok_o = o is not None and all(200 <= s < 400 for s in o["statuses"])
        ok_u = u is not None and all(200 <= s < 400 for s in u["statuses"])
        npages = len((o or u)["pages"])
        state = (
            "ok"
            if ok_u
            else ("MISSING" if u and 404 in u["statuses"] else ("not called" if u is None else "FAILS"))
        )
        if not ok_o and o is not None:
            state += " (fails on the original too)"
        rows.append(
            (
                state.startswith("ok"),
                -npages,
                ep,
                fmt(o["statuses"]) if o else "—",
                fmt(u["statuses"]) if u else "—",
                npages,
                state,
            )
        )
    rows.sort()
    n_bad = sum(1 for r in rows if not r[0] and "not called" not in r[6])
    print("# The original's web app against our API\n")
    r_o = sum(p["rendersCompany"] for p in orig["pages"])
    r_u = sum(p["rendersCompany"] for p in ours["pages"])
    print(
        f"Pages rendering the company: original {r_o}/{len(orig['pages'])}, ours {r_u}/{len(ours['pages'])}.  "
    )
    print(f"Distinct endpoints called: original {len(eo)}, ours {len(eu)}; failing against ours: {n_bad}.\n")
    print("| endpoint | original | ours | pages | state |\n|---|---|---|---|---|")
    for _ok, _n, ep, so, su, npages, state in rows:
        print(f"| `{ep}` | {so} | {su} | {npages} | {state} |")
    print("\n## Pages (ours)\n\n| page | company shown | console errors |\n|---|---|---|")
    for page in ours["pages"]:
        errs = "; ".join(e.replace("|", "\\|")[:120] for e in page["consoleErrors"][:3])
        print(
            f"| `{page['page']}` | {'yes' if page['rendersCompany'] else 'NO'} | {len(page['consoleErrors'])} {errs} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
