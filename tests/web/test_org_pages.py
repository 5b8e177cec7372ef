"""The org chart page: the reporting tree as SVG with status, links and an empty state."""

from __future__ import annotations


async def test_org_chart_draws_the_tree_with_status(client, company):
    cid = company["id"]
    ceo = (
        await client.post(f"/api/companies/{cid}/agents", json={"name": "Chief <Boss>", "role": "ceo"})
    ).json()
    await client.post(f"/api/companies/{cid}/agents", json={"name": "Eng One", "reportsTo": ceo["id"]})
    await client.post(f"/api/agents/{ceo['id']}/pause")
    page = await client.get("/ACM/org")
    assert page.status_code == 200
    assert "<svg" in page.text and 'class="org-chart"' in page.text
    assert "Chief &lt;Boss&gt;" in page.text and "<Boss>" not in page.text
    assert 'href="/ACM/agents/chief-boss"' in page.text and 'href="/ACM/agents/eng-one"' in page.text
    assert "status-paused" in page.text
    assert page.text.count('class="org-link"') == 1  # one reporting line
    fragment = await client.get("/ACM/org", headers={"X-Fragment": "1"})
    assert fragment.text.lstrip().startswith("<section") and "<html" not in fragment.text


async def test_org_chart_empty_state(client, company):
    page = await client.get("/ACM/org")
    assert page.status_code == 200 and "No agents yet" in page.text


def test_org_layout_places_children_below_parents():
    from paperclip.web.svg import org_chart

    tree = [
        {
            "id": "a",
            "name": "A",
            "status": "idle",
            "reports": [
                {"id": "b", "name": "B", "status": "error", "reports": []},
                {"id": "c", "name": "C", "status": "running", "reports": []},
            ],
        }
    ]
    svg = str(org_chart(tree, lambda n: f"/x/{n['id']}"))
    assert svg.count("<rect") == 3 and svg.count('class="org-link"') == 2
    assert 'data-agent-id="b"' in svg and "status-error" in svg
