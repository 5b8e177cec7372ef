"""Company settings (form, status) and instance settings (general, heartbeats, adapters)."""

from __future__ import annotations

from tests.web.conftest import csrf_of


async def test_company_settings_form_updates_the_company(client, company):
    page = await client.get("/ACM/company/settings")
    assert page.status_code == 200 and 'value="ACM"' in page.text and 'id="members"' in page.text
    token = await csrf_of(client, "/ACM/company/settings")
    response = await client.post(
        "/ACM/company/settings",
        data={
            "_csrf": token,
            "name": "Acme Two",
            "description": "We build",
            "brandColor": "#112233",
            "budget": "99.50",
            "requireBoardApprovalForNewAgents": "on",
        },
    )
    assert response.status_code == 303, response.text
    stored = (await client.get(f"/api/companies/{company['id']}")).json()
    assert stored["name"] == "Acme Two" and stored["budgetMonthlyCents"] == 9950
    assert stored["requireBoardApprovalForNewAgents"] is True and stored["brandColor"] == "#112233"
    assert stored["issuePrefix"] == "ACM"
    actions = [e["action"] for e in (await client.get(f"/api/companies/{company['id']}/activity")).json()]
    assert "company.updated" in actions
    bad = await client.post(
        "/ACM/company/settings", headers={"X-Fragment": "1"}, data={"_csrf": token, "name": "", "budget": "1"}
    )
    assert bad.status_code == 400


async def test_pause_resume_company_and_csrf(client, company):
    token = await csrf_of(client, "/ACM/company/settings")
    assert (await client.post("/ACM/company/status", data={"status": "paused"})).status_code == 403
    response = await client.post("/ACM/company/status", data={"_csrf": token, "status": "paused"})
    assert response.status_code == 303
    assert (await client.get(f"/api/companies/{company['id']}")).json()["status"] == "paused"
    assert "Resume company" in (await client.get("/ACM/company/settings")).text
    await client.post("/ACM/company/status", data={"_csrf": token, "status": "active"})
    assert (await client.get(f"/api/companies/{company['id']}")).json()["status"] == "active"


async def test_instance_settings_pages(client, company, agent):
    assert (await client.get("/instance/settings")).headers["location"] == "/instance/settings/general"
    general = await client.get("/instance/settings/general")
    assert general.status_code == 200 and "local_trusted" in general.text
    assert 'href="/ACM/dashboard"' in general.text  # the sidebar of the remembered company stays
    assert "test-jwt-secret" not in general.text
    beats = await client.get("/instance/settings/heartbeats")
    assert beats.status_code == 200 and "Ada" in beats.text and 'href="/ACM/agents/ada"' in beats.text
    adapters = await client.get("/instance/settings/adapters")
    assert adapters.status_code == 200 and "claude_local" in adapters.text and "process" in adapters.text
    assert (await client.get("/instance/settings/nope")).status_code == 404


async def test_secrets_are_created_and_rotated_without_showing_values(client, company):
    token = await csrf_of(client, "/ACM/company/settings")
    response = await client.post(
        "/ACM/company/secrets",
        data={"_csrf": token, "name": "GITHUB_TOKEN", "value": "ghp_supersecret", "description": "CI"},
    )
    assert response.status_code == 303, response.text
    secrets = (await client.get(f"/api/companies/{company['id']}/secrets")).json()
    assert [s["name"] for s in secrets] == ["GITHUB_TOKEN"] and secrets[0]["latestVersion"] == 1
    page = await client.get("/ACM/company/settings")
    assert "GITHUB_TOKEN" in page.text and "ghp_supersecret" not in page.text
    rotated = await client.post(
        f"/ACM/company/secrets/{secrets[0]['id']}/rotate", data={"_csrf": token, "value": "v2"}
    )
    assert rotated.status_code == 303
    assert (await client.get(f"/api/companies/{company['id']}/secrets")).json()[0]["latestVersion"] == 2
    empty = await client.post(
        "/ACM/company/secrets", data={"_csrf": token, "name": "X"}, headers={"X-Fragment": "1"}
    )
    assert empty.status_code == 400
    activity = [e["action"] for e in (await client.get(f"/api/companies/{company['id']}/activity")).json()]
    assert {"secret.created", "secret.rotated"} <= set(activity)


async def test_members_and_invites(client, company):
    page = await client.get("/ACM/company/settings")
    assert "local@paperclip.local" in page.text and 'name="membershipRole"' in page.text
    assert "Create invite link" in page.text
    token = await csrf_of(client, "/ACM/company/settings")
    created = await client.post("/ACM/company/invites", data={"_csrf": token, "humanRole": "viewer"})
    assert created.status_code == 200
    assert "shown only this once" in created.text and "/invite/" in created.text
    invites = (await client.get(f"/api/companies/{company['id']}/invites")).json()["invites"]
    assert len(invites) == 1 and invites[0]["humanRole"] == "viewer" and invites[0]["state"] == "active"
    again = await client.get("/ACM/company/settings")
    assert "/invite/" not in again.text and f"/ACM/company/invites/{invites[0]['id']}/revoke" in again.text
    revoked = await client.post(f"/ACM/company/invites/{invites[0]['id']}/revoke", data={"_csrf": token})
    assert revoked.status_code == 303
    assert (await client.get(f"/api/companies/{company['id']}/invites")).json()["invites"][0][
        "state"
    ] == "revoked"
    bad = await client.post(
        "/ACM/company/invites", data={"_csrf": token, "humanRole": "emperor"}, headers={"X-Fragment": "1"}
    )
    assert bad.status_code == 400


async def test_the_last_owner_cannot_be_demoted_from_the_members_form(client, company):
    members = (await client.get(f"/api/companies/{company['id']}/members")).json()["members"]
    token = await csrf_of(client, "/ACM/company/settings")
    response = await client.post(
        f"/ACM/company/members/{members[0]['id']}",
        headers={"X-Fragment": "1"},
        data={"_csrf": token, "membershipRole": "viewer"},
    )
    assert response.status_code in (409, 422), response.text
    after = (await client.get(f"/api/companies/{company['id']}/members")).json()["members"]
    assert after[0]["membershipRole"] == "owner"
