"""Stored instance settings, environments and sidebar orders through HTTP against the real
PostgreSQL: the original's shapes and messages, strict bodies (unknown keys, wrong types, nulls:
400 naming the field, nothing written), activity in every company, read back by the GETs."""

from __future__ import annotations

import uuid


async def test_general_settings_are_stored_merged_and_logged(client, api):
    first, second = await api.company("One"), await api.company("Two")
    before = (await client.get("/api/instance/settings")).json()
    assert set(before) == {"id", "defaultEnvironmentId", "general", "experimental", "createdAt", "updatedAt"}
    r = await client.patch("/api/instance/settings/general", json={"backupRetention": {"dailyDays": 14}})
    assert r.status_code == 200, r.text
    assert r.json()["backupRetention"] == {"dailyDays": 14, "weeklyWeeks": 4, "monthlyMonths": 1}
    r = await client.patch(
        "/api/instance/settings/general", json={"keyboardShortcuts": True, "executionMode": "any"}
    )
    general = r.json()
    assert general["keyboardShortcuts"] is True and general["executionMode"] == "any"
    assert general["backupRetention"]["dailyDays"] == 14  # earlier change kept
    assert (await client.get("/api/instance/settings/general")).json() == general
    assert (await client.get("/api/instance/settings")).json()["general"] == general
    for company in (first, second):  # the original writes an instance change into every company
        entry = (await client.get(f"/api/companies/{company['id']}/activity")).json()[0]
        assert entry["action"] == "instance.settings.general_updated"
        assert entry["entityType"] == "instance_settings" and entry["entityId"] == before["id"]
        assert entry["details"] == {"general": general, "changedKeys": ["executionMode", "keyboardShortcuts"]}


async def test_bad_general_and_experimental_bodies_name_the_field(client, api):
    company = await api.company("Paperclip Labs")
    cases = [
        ("general", {"bogus": 1}, ["bogus"]),
        ("general", {"keyboardShortcuts": "x"}, ["keyboardShortcuts"]),
        ("general", {"keyboardShortcuts": None}, ["keyboardShortcuts"]),
        ("general", {"feedbackDataSharingPreference": "nope"}, ["feedbackDataSharingPreference"]),
        ("general", {"backupRetention": {"dailyDays": 5}}, ["backupRetention", "dailyDays"]),
        ("general", {"backupRetention": {"weeklyWeeks": True}}, ["backupRetention", "weeklyWeeks"]),
        ("general", {"backupRetention": {"other": 1}}, ["backupRetention", "other"]),
        ("experimental", {"enableApps": "yes"}, ["enableApps"]),
        ("experimental", {"enableAps": True}, ["enableAps"]),
        (
            "experimental",
            {"worktreeRunExecutionActivatedAt": "2020-01-01"},
            ["worktreeRunExecutionActivatedAt"],
        ),
    ]
    for section, body, field in cases:
        r = await client.patch(f"/api/instance/settings/{section}", json=body)
        assert r.status_code == 400, (body, r.text)
        assert [d["path"] for d in r.json()["details"]] == [field], r.text
    r = await client.patch("/api/instance/settings/general", json={"backupRetention": {"dailyDays": 5}})
    assert r.json()["details"][0]["message"].endswith("dailyDays must be one of: 3, 7, 14")
    r = await client.patch(
        "/api/instance/settings/general", content=b"[]", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    settings = (await client.get("/api/instance/settings")).json()
    assert (
        settings["general"]["backupRetention"]["dailyDays"] == 7
        and settings["experimental"]["enableApps"] is True
    )
    assert (await client.get(f"/api/companies/{company['id']}/activity")).json()[0][
        "action"
    ] == "company.created"


async def test_experimental_flags_and_default_environment(client, api):
    company = await api.company("Paperclip Labs")
    r = await client.patch(
        "/api/instance/settings/experimental", json={"enableIssuePlanDecompositions": True}
    )
    assert r.status_code == 200 and r.json()["enableIssuePlanDecompositions"] is True
    assert (await client.get("/api/instance/settings/experimental")).json()[
        "enableIssuePlanDecompositions"
    ] is True

    envs = (await client.get(f"/api/companies/{company['id']}/environments")).json()
    assert [(e["name"], e["driver"], e["status"], e["metadata"]) for e in envs] == [
        ("Local", "local", "active", {"defaultForInstance": True, "managedByPaperclip": True})
    ]
    local = envs[0]["id"]
    assert (await client.get("/api/instance/settings")).json()["defaultEnvironmentId"] == local
    r = await client.patch("/api/instance/settings", json={"defaultEnvironmentId": str(uuid.uuid4())})
    assert (r.status_code, r.json()["error"]) == (422, "Environment not found.")
    r = await client.patch("/api/instance/settings", json={"defaultEnvironmentId": None})
    assert r.status_code == 200 and r.json()["defaultEnvironmentId"] is None
    assert (await client.get("/api/instance/settings")).json()["defaultEnvironmentId"] is None
    r = await client.patch("/api/instance/settings", json={"defaultEnvironmentId": local})
    assert r.json()["defaultEnvironmentId"] == local
    r = await client.patch("/api/instance/settings", json={"x": 1})
    assert r.status_code == 400 and r.json()["details"][0]["path"] == ["x"]
    entry = (await client.get(f"/api/companies/{company['id']}/activity")).json()[0]
    assert entry["action"] == "instance.settings.updated"
    assert entry["details"] == {"changedKeys": ["defaultEnvironmentId"], "defaultEnvironmentId": local}

    caps = (await client.get(f"/api/companies/{company['id']}/environments/capabilities")).json()
    claude = next(a for a in caps["adapters"] if a["adapterType"] == "claude_local")
    assert claude["drivers"] == {
        "local": "supported",
        "ssh": "unsupported",
        "sandbox": "unsupported",
        "plugin": "unsupported",
    }
    assert caps["drivers"]["local"] == "supported"


async def test_agents_cannot_change_instance_settings_or_see_other_companies(client, api):
    mine, theirs = await api.company("Mine"), await api.company("Theirs")
    headers = await api.agent_auth((await api.agent(mine["id"], "Ann"))["id"])
    r = await client.patch(
        "/api/instance/settings/general", json={"keyboardShortcuts": True}, headers=headers
    )
    assert r.status_code == 403
    for path in ("environments", "environments/capabilities", "sidebar-preferences/me"):
        r = await client.get(f"/api/companies/{theirs['id']}/{path}", headers=headers)
        assert r.status_code == 403, (path, r.text)
    r = await client.put(
        f"/api/companies/{mine['id']}/sidebar-preferences/me", json={"orderedIds": []}, headers=headers
    )
    assert r.status_code == 403


async def test_sidebar_orders_are_stored_per_user_and_scope(client, api):
    one, two = await api.company("One"), await api.company("Two")
    p1, p2 = str(uuid.uuid4()), str(uuid.uuid4())
    r = await client.put(
        "/api/sidebar-preferences/me", json={"orderedIds": [two["id"], one["id"], two["id"]]}
    )
    assert r.status_code == 200 and r.json()["orderedIds"] == [two["id"], one["id"]]
    got = (await client.get("/api/sidebar-preferences/me")).json()
    assert got["orderedIds"] == [two["id"], one["id"]] and got["updatedAt"]
    r = await client.put(
        f"/api/companies/{one['id']}/sidebar-preferences/me", json={"orderedIds": [p2, p1], "x": 1}
    )
    assert r.status_code == 200
    assert (await client.get(f"/api/companies/{one['id']}/sidebar-preferences/me")).json()["orderedIds"] == [
        p2,
        p1,
    ]
    assert (await client.get(f"/api/companies/{two['id']}/sidebar-preferences/me")).json() == {
        "orderedIds": [],
        "updatedAt": None,
    }
    entry = (await client.get(f"/api/companies/{one['id']}/activity")).json()[0]
    assert entry["action"] == "sidebar_preferences.project_order_updated"
    assert entry["details"] == {"userId": "local-board", "orderedIds": [p2, p1]}
    for body, field in (
        ({"orderedIds": ["x"]}, ["orderedIds", "0"]),
        ({}, ["orderedIds"]),
        ({"orderedIds": "a"}, ["orderedIds"]),
    ):
        r = await client.put("/api/sidebar-preferences/me", json=body)
        assert r.status_code == 400 and r.json()["details"][0]["path"] == field, r.text
    r = await client.put("/api/sidebar-preferences/me", json={"orderedIds": [str(uuid.uuid4())] * 1001})
    assert r.status_code == 400 and r.json()["details"][0]["path"] == ["orderedIds"]
    assert (await client.get("/api/sidebar-preferences/me")).json()["orderedIds"] == [two["id"], one["id"]]
