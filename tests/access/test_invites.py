"""Bootstrap invite, company invites, join requests, members and roles, end to end over HTTP."""

from __future__ import annotations

import asyncio
import uuid

import psycopg

from paperclip.access.invites import create_bootstrap_invite
from paperclip.clock import utcnow


async def _admin_with_company(live):
    http, user = await live.sign_up(name="Owner")
    await live.make_admin(user["id"])
    company = (await http.post("/api/companies", json={"name": "Acme"})).json()
    return http, user, company


async def test_bootstrap_invite_makes_the_first_admin(live):
    async with live.app.state.sessions() as s, s.begin():
        token, _ = await create_bootstrap_invite(s, utcnow())
    anonymous = live.client()
    health = (await anonymous.get("/api/health")).json()
    assert health["bootstrapStatus"] == "bootstrap_pending" and health["bootstrapInviteActive"] is True
    summary = (await anonymous.get(f"/api/invites/{token}")).json()
    assert summary["inviteType"] == "bootstrap_ceo" and summary["inviteUrl"].endswith(f"/invite/{token}")
    r = await anonymous.post(f"/api/invites/{token}/accept", json={"requestType": "human"})
    assert r.status_code == 401 and r.json() == {
        "error": "Authenticated user required for bootstrap acceptance"
    }
    http, user = await live.sign_up()
    r = await http.post(f"/api/invites/{token}/accept", json={"requestType": "human"})
    assert r.status_code == 202 and r.json()["bootstrapAccepted"] is True and r.json()["userId"] == user["id"]
    assert (await anonymous.get("/api/health")).json()["bootstrapStatus"] == "ready"
    r = await http.post(f"/api/invites/{token}/accept", json={"requestType": "human"})
    assert r.status_code == 404
    assert (await http.post("/api/companies", json={"name": "First"})).status_code == 201


async def test_disabled_sign_up_still_admits_the_invited_first_admin(live_factory):
    live = await live_factory({"PAPERCLIP_AUTH_DISABLE_SIGN_UP": "true"})
    async with live.app.state.sessions() as s, s.begin():
        token, _ = await create_bootstrap_invite(s, utcnow())
    http = live.client()
    body = {"email": "first@example.com", "password": "long-enough-1", "name": "First"}
    assert (await http.post("/api/auth/sign-up/email", json=body)).status_code == 400
    r = await http.post("/api/auth/sign-up/email", json={**body, "inviteToken": token})
    assert r.status_code == 200, r.text
    assert (await http.post(f"/api/invites/{token}/accept", json={"requestType": "human"})).status_code == 202


async def test_company_invite_viewer_is_read_only_and_invite_is_single_use(live):
    owner, _, company = await _admin_with_company(live)
    cid = company["id"]
    r = await owner.post(
        f"/api/companies/{cid}/invites", json={"allowedJoinTypes": "human", "humanRole": "viewer"}
    )
    assert r.status_code == 201, r.text
    invite = r.json()
    token = invite["token"]
    assert token.startswith("pcp_invite_") and "tokenHash" not in invite
    listed = (await owner.get(f"/api/companies/{cid}/invites")).json()["invites"]
    assert [i["id"] for i in listed] == [invite["id"]] and token not in str(listed)

    viewer, vuser = await live.sign_up(name="Viewer")
    assert (await viewer.get(f"/api/companies/{cid}")).status_code == 403
    r = await viewer.post(f"/api/invites/{token}/accept", json={"requestType": "human"})
    assert r.status_code == 202 and r.json()["status"] == "approved"
    assert (await viewer.get(f"/api/companies/{cid}")).status_code == 200
    assert (await viewer.get(f"/api/companies/{cid}/issues")).status_code == 200
    r = await viewer.post(f"/api/companies/{cid}/issues", json={"title": "nope"})
    assert r.status_code == 403 and r.json() == {"error": "Viewer access is read-only"}
    assert (await viewer.post(f"/api/companies/{cid}/invites", json={})).status_code == 403
    # one use: somebody else holding the link gets nothing
    late, _ = await live.sign_up()
    r = await late.post(f"/api/invites/{token}/accept", json={"requestType": "human"})
    assert r.status_code == 409
    assert (await late.get(f"/api/companies/{cid}")).status_code == 403

    members = (await owner.get(f"/api/companies/{cid}/members")).json()
    mine = {m["principalId"]: m for m in members["members"]}
    assert mine[vuser["id"]]["membershipRole"] == "viewer"
    r = await owner.patch(
        f"/api/companies/{cid}/members/{mine[vuser['id']]['id']}", json={"membershipRole": "operator"}
    )
    assert r.status_code == 200 and r.json()["membershipRole"] == "operator"
    assert (await viewer.post(f"/api/companies/{cid}/issues", json={"title": "now I can"})).status_code == 201
    r = await owner.post(f"/api/companies/{cid}/members/{mine[vuser['id']]['id']}/archive")
    assert r.status_code == 200 and r.json()["status"] == "archived"
    assert (await viewer.get(f"/api/companies/{cid}")).status_code == 403


async def test_two_concurrent_accepts_make_one_membership(live, database_url):
    owner, _, company = await _admin_with_company(live)
    token = (
        await owner.post(f"/api/companies/{company['id']}/invites", json={"allowedJoinTypes": "human"})
    ).json()["token"]
    a, _ = await live.sign_up()
    b, _ = await live.sign_up()
    results = await asyncio.gather(
        *(c.post(f"/api/invites/{token}/accept", json={"requestType": "human"}) for c in (a, b, a))
    )
    assert sorted(r.status_code for r in results) == [202, 409, 409], [r.text for r in results]
    with psycopg.connect(database_url) as conn:
        count = conn.execute(
            "SELECT count(*) FROM company_memberships WHERE company_id = %s AND principal_id <> %s",
            (company["id"], (await owner.get("/api/auth/get-session")).json()["user"]["id"]),
        ).fetchone()[0]
    assert count == 1


async def test_agent_join_yields_its_api_key_once(live):
    owner, _, company = await _admin_with_company(live)
    cid = company["id"]
    token = (await owner.post(f"/api/companies/{cid}/invites", json={"allowedJoinTypes": "agent"})).json()[
        "token"
    ]
    agent_side = live.client()
    r = await agent_side.post(f"/api/invites/{token}/accept", json={"requestType": "human"})
    assert r.status_code == 400
    r = await agent_side.post(
        f"/api/invites/{token}/accept",
        json={"requestType": "agent", "agentName": "Helper", "adapterType": "process"},
    )
    assert r.status_code == 202, r.text
    join = r.json()
    secret = join["claimSecret"]
    assert secret.startswith("pcp_claim_") and join["status"] == "pending_approval"
    claim = f"/api/join-requests/{join['id']}/claim-api-key"
    r = await agent_side.post(claim, json={"claimSecret": secret})
    assert r.status_code == 409 and r.json() == {"error": "Join request must be approved before key claim"}
    pending = (
        await owner.get(f"/api/companies/{cid}/join-requests", params={"status": "pending_approval"})
    ).json()
    assert [p["id"] for p in pending] == [join["id"]] and secret not in str(pending)
    r = await owner.post(f"/api/companies/{cid}/join-requests/{join['id']}/approve")
    assert r.status_code == 200 and r.json()["createdAgentId"]
    assert (await agent_side.post(claim, json={"claimSecret": "pcp_claim_" + "0" * 48})).status_code == 404
    r = await agent_side.post(claim, json={"claimSecret": secret})
    assert r.status_code == 201 and r.json()["token"].startswith("pcp_")
    key = r.json()["token"]
    me = await live.client(headers={"authorization": f"Bearer {key}"}).get("/api/agents/me")
    assert me.status_code == 200 and me.json()["name"] == "Helper"
    assert (await agent_side.post(claim, json={"claimSecret": secret})).status_code == 409


async def test_revoked_and_unknown_invites(live):
    owner, _, company = await _admin_with_company(live)
    invite = (await owner.post(f"/api/companies/{company['id']}/invites", json={})).json()
    r = await owner.post(f"/api/invites/{invite['id']}/revoke")
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    http, _ = await live.sign_up()
    assert (
        await http.post(f"/api/invites/{invite['token']}/accept", json={"requestType": "human"})
    ).status_code == 404
    assert (await http.get(f"/api/invites/{invite['token']}")).status_code == 404
    assert (await http.get("/api/invites/pcp_invite_nope")).status_code == 404
    assert (await http.post(f"/api/invites/{uuid.uuid4()}/revoke")).status_code == 404


async def test_instance_admin_routes(live):
    admin, admin_user = await live.sign_up()
    await live.make_admin(admin_user["id"])
    other, other_user = await live.sign_up()
    assert (await other.get("/api/admin/users")).status_code == 403
    users = (await admin.get("/api/admin/users")).json()
    assert {u["id"] for u in users} >= {admin_user["id"], other_user["id"]}
    assert "password" not in str(users).lower()
    r = await admin.post(f"/api/admin/users/{other_user['id']}/promote-instance-admin")
    assert r.status_code == 200
    assert (await other.get("/api/admin/users")).status_code == 200
    assert (await admin.post(f"/api/admin/users/{other_user['id']}/demote-instance-admin")).status_code == 200
    assert (await other.get("/api/admin/users")).status_code == 403
    r = await admin.post(f"/api/admin/users/{admin_user['id']}/demote-instance-admin")
    assert r.status_code == 409


async def test_a_users_invite_grant_lets_an_operator_invite(live):
    owner, _, company = await _admin_with_company(live)
    cid = company["id"]
    operator, op_user = await live.sign_up()
    await live.add_member(cid, op_user["id"], "operator")
    assert (await operator.post(f"/api/companies/{cid}/invites", json={})).status_code == 403
    members = (await owner.get(f"/api/companies/{cid}/members")).json()["members"]
    member_id = next(m["id"] for m in members if m["principalId"] == op_user["id"])
    r = await owner.patch(
        f"/api/companies/{cid}/members/{member_id}/permissions",
        json={"grants": [{"permissionKey": "users:invite"}]},
    )
    assert r.status_code == 200 and [g["permissionKey"] for g in r.json()["grants"]] == ["users:invite"]
    assert (await operator.post(f"/api/companies/{cid}/invites", json={})).status_code == 201
    bad = await owner.patch(
        f"/api/companies/{cid}/members/{member_id}/permissions",
        json={"grants": [{"permissionKey": "everything"}]},
    )
    assert bad.status_code == 400
    assert (
        await operator.patch(f"/api/companies/{cid}/members/{member_id}/permissions", json={"grants": []})
    ).status_code == 403
