"""Client CLI start-up: wall time of `paperclipai issue list --json` (agents call it many times per
heartbeat), ours and optionally the original's, against a running server.

    .venv/bin/python bench/cli_bench.py --api-base http://127.0.0.1:3100 [--runs 20] [--original PATH/TO/dist/index.js]

Creates a company with a few issues when --company-id is not given. Prints p50/p95 per CLI.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request


def _post(base: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _time(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
        samples.append((time.perf_counter() - start) * 1000)
        if result.returncode != 0:
            raise SystemExit(f"{cmd}: exit {result.returncode}: {result.stderr.decode()[-500:]}")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--api-base", default="http://127.0.0.1:3100")
    parser.add_argument("--company-id")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--original", help="path to the original CLI's dist/index.js (run with node)")
    args = parser.parse_args()
    company = args.company_id
    if not company:
        company = _post(args.api_base, "/api/companies", {"name": f"CLI bench {int(time.time())}"})["id"]
        for n in range(20):
            _post(args.api_base, f"/api/companies/{company}/issues", {"title": f"Bench issue {n}"})
    env = {**os.environ, "PAPERCLIP_API_URL": args.api_base, "PAPERCLIP_COMPANY_ID": company}
    ours = [os.path.join(os.path.dirname(sys.executable), "paperclipai"), "issue", "list", "--json"]
    clis = {"ours (paperclipai issue list --json)": ours}
    if args.original:
        clis["original (node dist/index.js issue list --json)"] = [
            "node",
            args.original,
            "issue",
            "list",
            "--json",
            "-C",
            company,
            "--api-base",
            args.api_base,
        ]
    for name, cmd in clis.items():
        _time(cmd, env, 2)  # warm the page cache
        samples = sorted(_time(cmd, env, args.runs))
        p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
        print(f"{name}: p50 {statistics.median(samples):.0f} ms, p95 {p95:.0f} ms over {args.runs} runs")


if __name__ == "__main__":
    main()
