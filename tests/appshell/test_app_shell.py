"""The app-shell reads the original's board client makes on every page, through HTTP against the real
PostgreSQL: shapes as the original answers them, company access checked, counts from real rows."""

from __future__ import annotations


async def test_adapters_list_our_adapter_types_in_the_originals_shape(client):
    r = await client.get("/api/adapters")
    assert r.status_code == 200
    by_type = {a["type"]: a for a in r.json()}
    assert {"process", "http", "claude_local", "codex_local"} <= set(by_type)
    process = by_type["process"]
    assert process["source"] == "builtin" and process["loaded"] is True and process["disabled"] is False
    assert process["capabilities"]["supportsLocalAgentJwt"] is True
    assert by_type["claude_local"]["capabilities"]["supportsSkills"] is False  # no skill sync in our adapters
    assert set(process) == {
        "type",
        "label",
        "source",
        "modelsCount",
        "loaded",
        "disabled",
        "capabilities",
        "overridePaused",
    }


async def test_instance_settings_and_empty_shell_answers(client):
    general = (await client.get("/api/instance/settings/general")).json()
    assert general["backupRetention"] == {"dailyDays": 7, "weeklyWeeks": 4, "monthlyMonths": 1}
    experimental = (await client.get("/api/instance/settings/experimental")).json()
    assert experimental["enableStreamlinedUi"] is True and experimental["enableEnvironments"] is False
    both = (await client.get("/api/instance/settings")).json()
    assert both["general"] == general and both["experimental"] == experimental
    assert (await client.get("/api/plugins")).json() == []
    assert (await client.get("/api/plugins/ui-contributions")).json() == []
    r = await client.get("/api/announcements/current")
    assert r.status_code == 200 and r.json() is None
    assert (await client.get("/api/sidebar-preferences/me")).json() == {"orderedIds": [], "updatedAt": None}


async def test_sidebar_badges_count_pending_approvals_failed_runs_and_join_requests(client, api, db):
    company = await api.company("Paperclip Labs")
    cid = company["id"]
    agent = await api.agent(cid, "Ann")
    assert (await client.get(f"/api/companies/{cid}/sidebar-badges")).json() == {
        "inbox": 0,
        "approvals": 0,
        "failedRuns": 0,
        "joinRequests": 0,
    }
    r = await client.post(
        f"/api/companies/{cid}/approvals", json={"type": "approve_ceo_strategy", "payload": {}}
    )
    assert r.status_code == 201, r.text
    db.sql(
        """INSERT INTO heartbeat_runs (id, company_id, agent_id, invocation_source, status)
               VALUES (gen_random_uuid(), %s, %s, 'on_demand', 'failed')""",
        cid,
        agent["id"],
    )
    badges = (await client.get(f"/api/companies/{cid}/sidebar-badges")).json()
    assert badges == {"inbox": 0, "approvals": 1, "failedRuns": 1, "joinRequests": 0}


async def test_company_scoped_shell_routes_refuse_another_companys_agent(client, api):
    mine = await api.company("Mine")
    theirs = await api.company("Theirs")
    agent = await api.agent(mine["id"], "Ann")
    headers = await api.agent_auth(agent["id"])
    for path in (
        "sidebar-badges",
        "user-directory",
        "sidebar-preferences/me",
        "resource-memberships/me",
        "inbox-dismissals",
    ):
        r = await client.get(f"/api/companies/{theirs['id']}/{path}", headers=headers)
        assert r.status_code == 403, (path, r.text)
    r = await client.get("/api/adapters", headers=headers)
    assert r.status_code == 403 and r.json()["error"] == "Board access required"


async def test_user_directory_lists_the_companys_members(client, api):
    company = await api.company("Paperclip Labs")
    users = (await client.get(f"/api/companies/{company['id']}/user-directory")).json()["users"]
    assert [u["principalId"] for u in users] == ["local-board"]
    assert users[0]["status"] == "active" and users[0]["user"]["id"] == "local-board"
    r = await client.get("/api/companies/not-a-uuid/user-directory")
    assert r.status_code == 404


async def test_skills_reads_say_there_is_no_library_and_no_sync(client, api):
    company = await api.company("Paperclip Labs")
    cid = company["id"]
    agent = await api.agent(cid, "Ann")
    assert (await client.get(f"/api/companies/{cid}/skills")).json() == []
    assert (await client.get("/api/skills/catalog")).json() == []
    r = await client.get(f"/api/companies/{cid}/folders")
    assert r.status_code == 400 and r.json()["error"] == "Folder kind query parameter is required"
    assert (await client.get(f"/api/companies/{cid}/folders?kind=skill")).json() == {
        "kind": "skill",
        "folders": [],
        "allCount": 0,
        "unfiledCount": 0,
    }
    skills = (await client.get(f"/api/agents/{agent['id']}/skills")).json()
    assert (
        skills["adapterType"] == "process"
        and skills["supported"] is False
        and skills["mode"] == "unsupported"
    )
    r = await client.get("/api/agents/00000000-0000-0000-0000-000000000000/skills")
    assert r.status_code == 404 and r.json()["error"] == "Agent not found"
    other = await api.company("Other")
    headers = await api.agent_auth((await api.agent(other["id"], "Ann"))["id"])
    assert (await client.get(f"/api/agents/{agent['id']}/skills", headers=headers)).status_code == 403
    assert (await client.get(f"/api/companies/{cid}/skills", headers=headers)).status_code == 403
