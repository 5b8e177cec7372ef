from __future__ import annotations


async def test_dashboard_renders_counts_charts_and_activity(client, company, agent):
    prefix = company["issuePrefix"]
    created = await client.post(
        f"/api/companies/{company['id']}/issues",
        json={"title": "Fix <script>alert(1)</script> login", "assigneeAgentId": agent["id"]},
    )
    assert created.status_code == 201
    response = await client.get(f"/{prefix}/dashboard")
    assert response.status_code == 200, response.text
    html = response.text
    assert "Runs live now" in html and "Run success rate" in html
    assert html.count('<svg class="chart"') >= 4
    assert "Ada" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    fragment = await client.get(f"/{prefix}/dashboard", headers={"X-Fragment": "1"})
    assert fragment.text.lstrip().startswith('<div id="dashboard"')
    assert "<html" not in fragment.text


async def test_unknown_company_prefix_is_a_404_page(client, company):
    response = await client.get("/NOPE/dashboard")
    assert response.status_code == 404
    assert "Company not found" in response.text and "<html" in response.text


async def test_root_redirects_to_the_selected_company(client, company):
    response = await client.get("/")
    assert response.headers["location"] == f"/{company['issuePrefix']}/dashboard"
    assert (await client.get("/issues")).headers["location"] == f"/{company['issuePrefix']}/issues"
