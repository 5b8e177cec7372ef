"""The original's remaining access routes, over HTTP against a live authenticated server:
members/:id/role-and-grants, admin/users/:id/company-access, POST /api/bootstrap/claim, and the
invite's onboarding (JSON and text) and logo."""

from __future__ import annotations

import asyncio

import psycopg

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 40


async def _owner_and_member(live, role="operator"):
    owner, owner_user = await live.sign_up(name="Owner")
    await live.make_admin(owner_user["id"])
    cid = (await owner.post("/api/companies", json={"name": "Acme"})).json()["id"]
    member, member_user = await live.sign_up(name="Member")
    await live.add_member(cid, member_user["id"], role)
    members = (await owner.get(f"/api/companies/{cid}/members")).json()["members"]
    mid = next(m["id"] for m in members if m["principalId"] == member_user["id"])
    return owner, owner_user, member, member_user, cid, mid


async def test_role_and_grants(live):
    owner, owner_user, member, member_user, cid, mid = await _owner_and_member(live)
    path = f"/api/companies/{cid}/members/{mid}/role-and-grants"
    r = await owner.patch(
        path, json={"membershipRole": "viewer", "grants": [{"permissionKey": "agents:create"}]}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (
        body["membershipRole"] == "viewer"
        and body["status"] == "active"
        and body["user"]["id"] == member_user["id"]
    )
    [grant] = body["grants"]
    assert grant["permissionKey"] == "agents:create" and grant["scope"] is None
    assert grant["grantedByUserId"] == owner_user["id"] and grant["principalId"] == member_user["id"]
    # status alone keeps the grants; sending grants replaces them
    r = await owner.patch(path, json={"status": "suspended"})
    assert r.json()["status"] == "suspended" and [g["permissionKey"] for g in r.json()["grants"]] == [
        "agents:create"
    ]
    r = await owner.patch(path, json={"membershipRole": "admin", "status": "active", "grants": []})
    assert r.json()["membershipRole"] == "admin" and r.json()["grants"] == []

    bad = [
        ({}, "membershipRole or status is required"),
        ({"grants": [{"permissionKey": "tasks:assign"}]}, None),
        ({"membershipRole": "member"}, None),
        ({"membershipRole": "boss"}, None),
        (
            {
                "membershipRole": "operator",
                "grants": [{"permissionKey": "tasks:assign"}, {"permissionKey": "bogus"}],
            },
            None,
        ),
    ]
    for payload, message in bad:
        r = await owner.patch(path, json=payload)
        assert r.status_code == 400 and r.json()["error"] == "Validation error", (payload, r.text)
        if message:
            assert r.json()["details"][0]["message"] == message
    r = await owner.patch(path, json={"membershipRole": "operator", "grants": [{"permissionKey": "bogus"}]})
    assert r.json()["details"][0]["path"] == ["grants", 0, "permissionKey"]
    assert (await owner.get(f"/api/companies/{cid}/members")).json()["members"][1][
        "membershipRole"
    ] == "admin"

    # the last owner cannot be demoted; a member without the permission cannot change anyone
    owner_mid = next(
        m["id"]
        for m in (await owner.get(f"/api/companies/{cid}/members")).json()["members"]
        if m["principalId"] == owner_user["id"]
    )
    await live.add_member(cid, owner_user["id"], "owner")
    r = await owner.patch(
        f"/api/companies/{cid}/members/{owner_mid}/role-and-grants", json={"membershipRole": "viewer"}
    )
    assert r.status_code == 409
    third, _ = await live.sign_up(name="Third")
    r = await third.patch(path, json={"membershipRole": "viewer"})
    assert r.status_code == 403
    r = await owner.patch(
        f"/api/companies/{cid}/members/00000000-0000-0000-0000-000000000000/role-and-grants",
        json={"membershipRole": "viewer"},
    )
    assert r.status_code == 404
    activity = (await owner.get(f"/api/companies/{cid}/activity")).json()
    updates = [a for a in activity if a["action"] == "company_member.access_updated"]
    assert updates[0]["details"] == {"status": "active", "grantCount": 0, "membershipRole": "admin"}
    assert updates[0]["entityType"] == "company_membership" and updates[0]["entityId"] == mid


async def test_admin_company_access(live):
    owner, owner_user, member, member_user, cid, mid = await _owner_and_member(live)
    other = (await owner.post("/api/companies", json={"name": "Beta"})).json()["id"]
    path = f"/api/admin/users/{member_user['id']}/company-access"
    got = (await owner.get(path)).json()
    assert got["user"] == {
        "id": member_user["id"],
        "email": member_user["email"],
        "name": "Member",
        "image": None,
        "isInstanceAdmin": False,
    }
    assert [
        (a["companyId"], a["companyName"], a["membershipRole"], a["status"], a["companyStatus"])
        for a in got["companyAccess"]
    ] == [(cid, "Acme", "operator", "active", "active")]

    r = await owner.put(path, json={"companyIds": [cid, other]})
    assert r.status_code == 200, r.text
    assert {(a["companyName"], a["membershipRole"], a["status"]) for a in r.json()["companyAccess"]} == {
        ("Acme", "operator", "active"),
        ("Beta", "operator", "active"),
    }
    assert (await member.get(f"/api/companies/{other}")).status_code == 200
    r = await owner.put(path, json={"companyIds": [other]})
    assert {(a["companyName"], a["status"]) for a in r.json()["companyAccess"]} == {
        ("Acme", "archived"),
        ("Beta", "active"),
    }
    assert (await member.get(f"/api/companies/{cid}")).status_code == 403
    r = await owner.put(path, json={"companyIds": [cid, other]})  # back again: the membership is reactivated
    assert {(a["companyName"], a["status"]) for a in r.json()["companyAccess"]} == {
        ("Acme", "active"),
        ("Beta", "active"),
    }

    await owner.patch(f"/api/companies/{cid}/members/{mid}/role-and-grants", json={"membershipRole": "admin"})
    r = await owner.put(path, json={"companyIds": [other]})
    assert r.status_code == 409 and r.json() == {
        "error": "Owners and admins cannot be removed from company access"
    }
    r = await owner.put(f"/api/admin/users/{owner_user['id']}/company-access", json={"companyIds": []})
    assert r.status_code == 409 and r.json() == {"error": "You cannot remove yourself"}
    assert (await owner.put(path, json={"companyIds": "x"})).status_code == 400
    assert (
        await owner.put(path, json={"companyIds": ["00000000-0000-0000-0000-000000000000"]})
    ).status_code == 404
    assert (await owner.get("/api/admin/users/nobody/company-access")).json() == {
        "user": None,
        "companyAccess": [],
    }
    assert (
        await owner.put("/api/admin/users/nobody/company-access", json={"companyIds": []})
    ).status_code == 404
    # instance admins only
    assert (await member.get(path)).status_code == 403
    assert (await member.put(path, json={"companyIds": [cid]})).status_code == 403


async def test_bootstrap_claim_makes_the_first_signed_in_user_admin_once(live, database_url):
    anonymous = live.client()
    r = await anonymous.post("/api/bootstrap/claim", json={})
    assert r.status_code == 401
    first, first_user = await live.sign_up()
    second, _ = await live.sign_up()
    # two at once: exactly one becomes the admin
    answers = await asyncio.gather(
        first.post("/api/bootstrap/claim", json={}), second.post("/api/bootstrap/claim", json={})
    )
    assert sorted(r.status_code for r in answers) == [200, 409]
    winner = next(r for r in answers if r.status_code == 200).json()
    assert winner["claimed"] is True
    loser = next(r for r in answers if r.status_code == 409).json()
    assert loser == {"error": "Someone else has already claimed this instance"}
    with psycopg.connect(database_url) as conn:
        admins = [
            r[0]
            for r in conn.execute("SELECT user_id FROM instance_user_roles WHERE role = 'instance_admin'")
        ]
    assert admins == [winner["userId"]]
    assert (await anonymous.get("/api/health")).json()["bootstrapStatus"] == "ready"
    assert first_user


async def test_bootstrap_claim_is_refused_on_public_deployments(live_factory):
    live = await live_factory(
        {"PAPERCLIP_DEPLOYMENT_EXPOSURE": "public", "PAPERCLIP_PUBLIC_URL": "http://127.0.0.1:1"}
    )
    http, _ = await live.sign_up()
    r = await http.post("/api/bootstrap/claim", json={})
    assert r.status_code == 403 and "bootstrap invite" in r.json()["error"]


async def test_invite_onboarding_text_and_logo(live):
    owner, _, member, _, cid, _ = await _owner_and_member(live)
    invite = (
        await owner.post(
            f"/api/companies/{cid}/invites",
            json={"allowedJoinTypes": "both", "agentMessage": "Welcome, agents"},
        )
    ).json()
    token = invite["token"]
    anonymous = live.client()
    summary = (await anonymous.get(f"/api/invites/{token}")).json()
    assert summary["companyLogoUrl"] is None and summary["joinRequestStatus"] is None
    assert summary["onboardingPath"] == f"/api/invites/{token}/onboarding"
    assert summary["onboardingTextUrl"] == f"{live.base_url}/api/invites/{token}/onboarding.txt"
    r = await anonymous.get(f"/api/invites/{token}/logo")
    assert r.status_code == 404 and r.json() == {"error": "Invite logo not found"}

    data = (await anonymous.get(f"/api/invites/{token}/onboarding")).json()
    assert data["invite"]["companyName"] == "Acme" and data["invite"]["inviteMessage"] == "Welcome, agents"
    onboarding = data["onboarding"]
    assert onboarding["registrationEndpoint"] == {
        "method": "POST",
        "path": f"/api/invites/{token}/accept",
        "url": f"{live.base_url}/api/invites/{token}/accept",
    }
    assert onboarding["claimEndpointTemplate"]["path"] == "/api/join-requests/{requestId}/claim-api-key"
    assert onboarding["connectivity"]["deploymentMode"] == "authenticated"
    assert onboarding["connectivity"]["connectionCandidates"][0] == live.base_url
    assert onboarding["connectivity"]["diagnostics"][0]["level"] == "warn"  # a loopback base URL
    assert onboarding["textInstructions"]["contentType"] == "text/plain"

    r = await anonymous.get(f"/api/invites/{token}/onboarding.txt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert f"POST {live.base_url}/api/invites/{token}/accept" in r.text and "Welcome, agents" in r.text
    assert "claim-api-key" in r.text

    logo = await owner.post(f"/api/companies/{cid}/logo", files={"file": ("logo.png", PNG, "image/png")})
    assert logo.status_code == 201, logo.text
    await owner.patch(f"/api/companies/{cid}", json={"logoAssetId": logo.json()["assetId"]})
    assert (await anonymous.get(f"/api/invites/{token}")).json()[
        "companyLogoUrl"
    ] == f"/api/invites/{token}/logo"
    r = await anonymous.get(f"/api/invites/{token}/logo")
    assert r.status_code == 200 and r.content == PNG and r.headers["content-type"] == "image/png"
    assert r.headers["x-content-type-options"] == "nosniff"

    # the text's first step works: an agent join request (the invite is then used up)
    r = await anonymous.post(
        f"/api/invites/{token}/accept",
        json={"requestType": "agent", "agentName": "Bot", "adapterType": "process"},
    )
    assert r.status_code == 202, r.text
    # a used or revoked invite shows nothing any more
    await owner.post(f"/api/invites/{invite['id']}/revoke")
    for suffix in ("", "/onboarding", "/onboarding.txt", "/logo"):
        r = await anonymous.get(f"/api/invites/{token}{suffix}")
        assert r.status_code == 404 and r.json() == {"error": "Invite not found"}, suffix
    assert (await anonymous.get("/api/invites/pcp_invite_bogus/onboarding")).status_code == 404


async def test_members_need_grants_to_create_agents_and_assign_tasks(live):
    owner, _, member, member_user, cid, mid = await _owner_and_member(live, role="operator")
    agent = (
        await owner.post(
            f"/api/companies/{cid}/agents",
            json={
                "name": "Worker",
                "adapterType": "process",
                "adapterConfig": {"command": "true"},
                "runtimeConfig": {"heartbeat": {"enabled": False}},
            },
        )
    ).json()
    denied_create = {
        "error": "Missing permission: agents:create.",
        "details": {"reason": "deny_missing_grant"},
    }
    denied_assign = {
        "error": "Missing permission: tasks:assign.",
        "details": {"reason": "deny_missing_grant"},
    }
    new_agent = {"name": "Mine", "adapterType": "process", "adapterConfig": {"command": "true"}}

    r = await member.post(f"/api/companies/{cid}/agents", json=new_agent)
    assert (r.status_code, r.json()) == (403, denied_create)
    r = await member.post(f"/api/companies/{cid}/agent-hires", json=new_agent)
    assert (r.status_code, r.json()) == (403, denied_create)
    r = await member.post(f"/api/companies/{cid}/issues", json={"title": "t", "assigneeAgentId": agent["id"]})
    assert (r.status_code, r.json()) == (403, denied_assign)
    # work that assigns nobody else is fine: an unassigned issue, taking it oneself
    r = await member.post(f"/api/companies/{cid}/issues", json={"title": "mine", "status": "backlog"})
    assert r.status_code == 201, r.text
    issue = r.json()
    r = await member.patch(f"/api/issues/{issue['id']}", json={"assigneeUserId": member_user["id"]})
    assert r.status_code == 200, r.text
    r = await member.patch(f"/api/issues/{issue['id']}", json={"assigneeAgentId": agent["id"]})
    assert (r.status_code, r.json()) == (403, denied_assign)
    names = [a["name"] for a in (await owner.get(f"/api/companies/{cid}/agents")).json()]
    assert names == ["Worker"]

    # granted: both work
    await owner.patch(
        f"/api/companies/{cid}/members/{mid}/role-and-grants",
        json={
            "membershipRole": "operator",
            "grants": [{"permissionKey": "agents:create"}, {"permissionKey": "tasks:assign"}],
        },
    )
    r = await member.post(f"/api/companies/{cid}/agents", json=new_agent)
    assert r.status_code == 201, r.text
    r = await member.patch(
        f"/api/issues/{issue['id']}", json={"assigneeAgentId": agent["id"], "status": "backlog"}
    )
    assert r.status_code == 200 and r.json()["assigneeAgentId"] == agent["id"]
    r = await member.post(
        f"/api/companies/{cid}/issues",
        json={"title": "t2", "assigneeAgentId": agent["id"], "status": "backlog"},
    )
    assert r.status_code == 201

    # an admin needs no grant; taking the grant away refuses again
    await owner.patch(
        f"/api/companies/{cid}/members/{mid}/role-and-grants", json={"membershipRole": "admin", "grants": []}
    )
    assert (
        await member.post(f"/api/companies/{cid}/agents", json={**new_agent, "name": "Admin's"})
    ).status_code == 201
    await owner.patch(
        f"/api/companies/{cid}/members/{mid}/role-and-grants", json={"membershipRole": "operator"}
    )
    r = await member.post(f"/api/companies/{cid}/agents", json={**new_agent, "name": "Again"})
    assert r.status_code == 403


async def test_people_joining_by_invite_get_its_grants(live):
    owner, _, _, _, cid, _ = await _owner_and_member(live)
    default = (
        await owner.post(
            f"/api/companies/{cid}/invites", json={"allowedJoinTypes": "human", "humanRole": "operator"}
        )
    ).json()
    custom = (
        await owner.post(
            f"/api/companies/{cid}/invites",
            json={
                "allowedJoinTypes": "human",
                "humanRole": "operator",
                "defaultsPayload": {
                    "human": {"grants": [{"permissionKey": "agents:create"}, {"permissionKey": "bogus"}]}
                },
            },
        )
    ).json()
    viewer = (
        await owner.post(
            f"/api/companies/{cid}/invites", json={"allowedJoinTypes": "human", "humanRole": "viewer"}
        )
    ).json()
    joined = {}
    for name, invite in (("default", default), ("custom", custom), ("viewer", viewer)):
        http, user = await live.sign_up(name=name)
        assert (
            await http.post(f"/api/invites/{invite['token']}/accept", json={"requestType": "human"})
        ).status_code == 202
        joined[user["id"]] = name
    members = (await owner.get(f"/api/companies/{cid}/members")).json()["members"]
    grants = {
        joined[m["principalId"]]: [g["permissionKey"] for g in m["grants"]]
        for m in members
        if m["principalId"] in joined
    }
    assert grants == {"default": ["tasks:assign"], "custom": ["agents:create"], "viewer": []}
