"""`paperclipai company export|import` as real subprocesses against a live server (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from porto_helpers import SECRET_VALUE, normalized, seed

pytestmark = pytest.mark.timeout(300)


def run(*args: str, env: dict[str, str], ok: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "paperclip", *args], env=env, capture_output=True, text=True, timeout=120
    )
    if ok:
        assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture
def env(tmp_path: Path, live_server: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("PAPERCLIP_")}
    out.update({"PAPERCLIP_HOME": str(tmp_path / "client-home"), "PAPERCLIP_API_URL": live_server})
    return out


def snapshot(base: str, company_id: str) -> dict:
    with httpx.Client(base_url=base) as http:

        def get(path):
            return http.get(f"/api/companies/{company_id}{path}").json()

        return normalized(
            get(""), get("/agents"), get("/projects"), get("/issues"), get("/goals"), get("/routines")
        )


async def test_cli_round_trip_dry_run_and_secret_inputs(api, env, tmp_path, live_server):
    seeded = await seed(api)
    cid = seeded["company"]["id"]
    out = tmp_path / "pkg"
    run("company", "export", cid, "--out", str(out), "--include", "company,agents,projects,tasks", env=env)
    assert (out / "COMPANY.md").is_file() and (out / ".paperclip.yaml").is_file()
    assert (out / "agents" / "ceo-bot" / "AGENTS.md").is_file()
    text = "".join(p.read_text() for p in out.rglob("*") if p.is_file())
    assert SECRET_VALUE not in text and cid not in text

    # a second export into the non-empty folder needs --force; with it, the bytes are the same
    refused = run("company", "export", cid, "--out", str(out), env=env, ok=False)
    assert refused.returncode == 2 and "--force" in refused.stderr
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    run(
        "company",
        "export",
        cid,
        "--out",
        str(out),
        "--include",
        "company,agents,projects,tasks",
        "--force",
        env=env,
    )
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before

    companies_before = httpx.get(f"{live_server}/api/companies").json()
    dry = run("company", "import", str(out), "--dry-run", env=env, ok=False)
    assert dry.returncode == 1, dry.stdout + dry.stderr  # the required secret is missing: refused
    assert (
        "create ceo-bot -> Ceo Bot" in dry.stdout and "create website-revamp -> Website Revamp" in dry.stdout
    )
    assert "Missing required secret input OPENAI_API_KEY for agent ceo-bot" in dry.stdout
    assert httpx.get(f"{live_server}/api/companies").json() == companies_before  # the dry run wrote nothing

    refused = run("company", "import", str(out), "--yes", env=env, ok=False)
    assert refused.returncode == 1 and "OPENAI_API_KEY" in refused.stderr
    assert httpx.get(f"{live_server}/api/companies").json() == companies_before

    secrets = tmp_path / "secrets.env"
    secrets.write_text("OPENAI_API_KEY=sk-imported\n")
    done = run(
        "company",
        "import",
        str(out),
        "--yes",
        "--json",
        "--secrets-file",
        str(secrets),
        "--new-company-name",
        "Acme Copy",
        env=env,
    )
    result = json.loads(done.stdout)
    new_id = result["company"]["id"]
    copy, original = snapshot(live_server, new_id), snapshot(live_server, cid)
    assert copy["company"]["name"] == "Acme Copy"
    copy["company"]["name"] = original["company"]["name"]
    assert copy == original

    # the same package again into the copy: rename keeps both, skip touches nothing
    renamed = run(
        "company",
        "import",
        str(out),
        "--target",
        "existing",
        "-C",
        new_id,
        "--dry-run",
        "--secrets-file",
        str(secrets),
        env=env,
    )
    assert "create ceo-bot -> Ceo Bot 2 (Existing slug matched; rename strategy.)" in renamed.stdout
    skipped = run(
        "company",
        "import",
        str(out),
        "--target",
        "existing",
        "-C",
        new_id,
        "--collision",
        "skip",
        "--include",
        "agents,projects",
        "--yes",
        "--json",
        env=env,
    )
    assert {a["action"] for a in json.loads(skipped.stdout)["agents"]} == {"skipped"}
    assert snapshot(live_server, new_id)["agents"] == copy["agents"]


def test_cli_refuses_a_symlink_out_of_the_package(env, tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "agents" / "evil").mkdir(parents=True)
    (pkg / "COMPANY.md").write_text('---\nname: "Evil"\n---\n')
    secret = tmp_path / "outside.txt"
    secret.write_text("do not read me")
    (pkg / "agents" / "evil" / "AGENTS.md").symlink_to(secret)
    proc = run("company", "import", str(pkg), "--dry-run", env=env, ok=False)
    assert proc.returncode == 2
    assert "agents/evil/AGENTS.md" in proc.stderr and "outside the package folder" in proc.stderr
