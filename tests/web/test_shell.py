from __future__ import annotations

from tests.web.conftest import csrf_of


async def test_root_without_companies_redirects_to_onboarding(client):
    response = await client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/onboarding"


async def test_pages_carry_security_headers(client):
    response = await client.get("/onboarding")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


async def test_api_keeps_json_errors(client):
    response = await client.get("/api/nope")
    assert response.status_code == 404
    assert response.json() == {"error": "API route not found"}


async def test_onboarding_creates_company_agent_and_task(client):
    token = await csrf_of(client, "/onboarding")
    response = await client.post(
        "/onboarding",
        data={
            "_csrf": token,
            "companyName": "Acme Robotics",
            "budget": "25",
            "agentName": "CEO",
            "role": "ceo",
            "adapterType": "process",
            "command": "python3 -c 'print(1)'",
            "taskTitle": "Write the plan",
            "taskDescription": "Plan it",
        },
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/ACM/issues/ACM-1")
    companies = (await client.get("/api/companies")).json()
    assert companies[0]["budgetMonthlyCents"] == 2500
    agents = (await client.get(f"/api/companies/{companies[0]['id']}/agents")).json()
    assert agents[0]["adapterConfig"]["command"] == "python3"
    assert agents[0]["adapterConfig"]["args"] == ["-c", "print(1)"]


async def test_post_without_csrf_token_is_refused(client):
    await csrf_of(client, "/onboarding")
    response = await client.post("/companies", data={"name": "Evil"}, headers={"X-Fragment": "1"})
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert (await client.get("/api/companies")).json() == []


async def test_post_from_another_origin_is_refused(client):
    token = await csrf_of(client, "/onboarding")
    response = await client.post(
        "/companies", data={"name": "Evil", "_csrf": token}, headers={"Origin": "http://evil.example"}
    )
    assert response.status_code == 403


async def test_fragment_error_is_html_next_to_the_control(client):
    token = await csrf_of(client, "/onboarding")
    response = await client.post("/companies", data={"name": "", "_csrf": token}, headers={"X-Fragment": "1"})
    assert response.status_code == 400
    assert response.text.startswith('<p class="form-error" role="alert">name')


async def test_static_files_are_content_hashed(client):
    page = (await client.get("/onboarding")).text
    import re

    url = re.search(r'src="(/static/js/app\.js\?v=[0-9a-f]{12})"', page).group(1)
    response = await client.get(url)
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    again = await client.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert (await client.get("/static/%2e%2e/%2e%2e/__init__.py")).status_code == 404
    assert (await client.get("/pyproject.toml")).status_code == 404
