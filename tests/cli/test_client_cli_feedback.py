"""`paperclipai feedback report|export` as real processes against a live server of ours: the original's
terminal report and its export folder plus zip (votes/, traces/, full-traces/<trace>/bundle.json and
the bundle's files, index.json), with the original's flags."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import httpx
import pytest
from server.conftest import free_port, start  # noqa: F401
from test_client_cli import cli, cli_json, client_env, server_url  # noqa: F401

pytestmark = pytest.mark.timeout(300)


def test_feedback_report_and_export(client_env, tmp_path: Path):  # noqa: F811
    env = client_env
    api = env["PAPERCLIP_API_URL"]
    company = cli_json("company", "create", "--payload-json", json.dumps({"name": "Vote Co"}), env=env)
    env = {**env, "PAPERCLIP_COMPANY_ID": company["id"]}
    agent = cli_json(
        "agent",
        "create",
        "--payload-json",
        json.dumps(
            {
                "name": "Writer",
                "adapterType": "process",
                "adapterConfig": {"command": "true"},
                "runtimeConfig": {"heartbeat": {"enabled": False}},
            }
        ),
        env=env,
    )
    key = httpx.post(f"{api}/api/agents/{agent['id']}/keys", json={"name": "k"}).json()["token"]
    issue = cli_json("issue", "create", "--title", "Voted on", "--status", "todo", env=env)

    empty = cli("feedback", "report", env=env).stdout
    assert "Paperclip Feedback Report" in empty and "[!!] No feedback traces found." in empty

    comment = httpx.post(
        f"{api}/api/issues/{issue['id']}/comments",
        json={"body": "the agent wrote this"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert comment.status_code == 201, comment.text
    vote = httpx.post(
        f"{api}/api/issues/{issue['id']}/feedback-votes",
        json={
            "targetType": "issue_comment",
            "targetId": comment.json()["id"],
            "vote": "down",
            "reason": "meh",
        },
    )
    assert vote.status_code == 201, vote.text
    (trace,) = cli_json("company", "feedback:list", env=env)

    text = cli("feedback", "report", "--payloads", env=env).stdout
    lines = text.splitlines()
    assert lines[1:2] == ["Paperclip Feedback Report"] and lines[4:6] == [
        f"Server:  {api}",
        f"Company: {company['id']}",
    ]
    for line in (
        "  0  thumbs up",
        "  1  thumbs down",
        "  1  downvotes with a reason",
        "  1  total traces",
        "  local_only 1",
        f"  v {issue['identifier']} Voted on",
        "    Target: Comment",
        "    Excerpt: the agent wrote this",
        "    Reason: meh",
        f"  {issue['identifier']} ({trace['id'][:8]})",
        "Report complete. 1 trace(s) displayed.",
    ):
        assert line in lines, line
    assert f"    Trace: {trace['id'][:8]}  Status: local_only  Date: {trace['createdAt'][:10]}" in text
    report = cli_json("feedback", "report", "--vote", "down", env=env)
    assert report["summary"] == {
        "total": 1,
        "thumbsUp": 0,
        "thumbsDown": 1,
        "withReason": 1,
        "statuses": {"local_only": 1},
    }
    assert report["traces"][0]["payloadSnapshot"]["vote"]["reason"] == "meh"
    assert cli_json("feedback", "report", "--vote", "up", env=env)["traces"] == []

    out = tmp_path / "exp"
    done = cli_json("feedback", "export", "--out", str(out), env=env)
    name = f"{issue['identifier']}-{trace['id'][:8]}"
    assert (done["outputDir"], done["zipPath"]) == (str(out), f"{out}.zip")
    assert done["summary"]["uniqueIssues"] == 1 and done["summary"]["issues"] == [issue["identifier"]]
    index = json.loads((out / "index.json").read_text())
    vote_name = f"{issue['identifier']}-{vote.json()['id'][:8]}.json"
    assert index["files"] == {
        "votes": [vote_name],
        "traces": [f"{name}.json"],
        "fullTraces": [name],
        "zip": "exp.zip",
    }
    assert (index["serverUrl"], index["companyId"]) == (api, company["id"])
    voted = json.loads((out / "votes" / vote_name).read_text())
    assert (voted["voteId"], voted["traceId"], voted["reason"], voted["vote"]) == (
        vote.json()["id"],
        trace["id"],
        "meh",
        "down",
    )
    assert json.loads((out / "traces" / f"{name}.json").read_text())["payloadSnapshot"] is not None
    bundle = json.loads((out / "full-traces" / name / "bundle.json").read_text())
    assert bundle["traceId"] == trace["id"]
    for item in bundle["files"]:
        assert (out / "full-traces" / name / item["path"]).read_text() == item["contents"]
    with zipfile.ZipFile(f"{out}.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names) and f"exp/full-traces/{name}/bundle.json" in names
        assert {"exp/index.json", f"exp/votes/{vote_name}", f"exp/traces/{name}.json"} <= set(names)
        assert json.loads(archive.read("exp/index.json")) == index

    printed = cli("feedback", "export", "--out", str(tmp_path / "again"), env=env).stdout
    for line in (
        "Paperclip Feedback Export",
        f"Output:  {tmp_path / 'again'}",
        f"Archive: {tmp_path / 'again'}.zip",
        "  1  with reason",
        f"  {tmp_path / 'again' / 'votes'} (1 files)",
        f"  {tmp_path / 'again' / 'full-traces'} (1 bundles)",
    ):
        assert line in printed.splitlines(), line
