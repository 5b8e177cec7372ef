from __future__ import annotations

from html.parser import HTMLParser

from tests.web.conftest import csrf_of


class Elements(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


HOSTILE = (
    'Hello <script>alert("x")</script> <img src=x onerror=alert(1)> '
    '[click](javascript:alert(1)) <a href="#" onclick="evil()">a</a>\n\n```python\nprint("<b>")\n```'
)


async def test_issue_list_filters_and_paginates(api, client, company, agent):
    for n in range(55):
        await api.issue(company["id"], title=f"Task {n}", assigneeAgentId=agent["id"] if n % 2 else None)
    prefix = company["issuePrefix"]
    page = await client.get(f"/{prefix}/issues")
    assert page.status_code == 200
    assert page.text.count("data-row ") == 50 and 'rel="next"' in page.text
    second = await client.get(f"/{prefix}/issues?offset=50")
    assert second.text.count("data-row ") == 5 and 'rel="prev"' in second.text
    mine = await client.get(f"/{prefix}/issues?assignee={agent['id']}")
    assert mine.text.count("data-row ") == 27
    found = await client.get(f"/{prefix}/issues?q=Task+13", headers={"X-Fragment": "1"})
    assert found.text.count("data-row ") == 1 and "<html" not in found.text


async def test_create_issue_from_the_list_answers_the_row(client, company, agent):
    prefix = company["issuePrefix"]
    token = await csrf_of(client, f"/{prefix}/issues")
    response = await client.post(
        f"/{prefix}/issues",
        headers={"X-Fragment": "1"},
        data={
            "_csrf": token,
            "_swap": "row",
            "title": "Write <b>docs</b>",
            "assignee": agent["id"],
            "priority": "high",
        },
    )
    assert response.status_code == 200, response.text
    assert response.text.lstrip().startswith("<tr data-row")
    assert "Write &lt;b&gt;docs&lt;/b&gt;" in response.text
    assert response.headers["x-toast"] == f"Created {prefix}-1"
    issue = (await client.get(f"/api/issues/{prefix}-1")).json()
    assert issue["assigneeAgentId"] == agent["id"] and issue["status"] == "todo"


async def test_issue_page_sanitises_hostile_markdown(api, client, company):
    issue = await api.issue(company["id"], title="Fix login", description=HOSTILE)
    await client.post(f"/api/issues/{issue['id']}/comments", json={"body": HOSTILE})
    page = await client.get(f"/{company['issuePrefix']}/issues/{issue['identifier']}")
    assert page.status_code == 200
    html = page.text
    elements = Elements(html).found
    assert all(not (tag == "script" and "src" not in attrs) for tag, attrs in elements)  # only our files
    assert not [(t, a) for t, a in elements if any(k.startswith("on") for k in a)]
    assert not [a for _, a in elements if (a.get("href") or "").startswith("javascript:")]
    assert not [a for t, a in elements if t == "img" and a.get("src") == "x"]
    assert '<code class="language-python">' in html
    assert "&lt;script&gt;" in html


async def test_fields_edit_in_place_and_comment_with_mention(api, client, company, agent):
    issue = await api.issue(company["id"], title="Fix login")
    prefix, ident = company["issuePrefix"], issue["identifier"]
    token = await csrf_of(client, f"/{prefix}/issues/{ident}")
    changed = await client.post(
        f"/{prefix}/issues/{ident}",
        headers={"X-Fragment": "1"},
        data={"_csrf": token, "assignee": agent["id"]},
    )
    assert changed.status_code == 200 and changed.text.lstrip().startswith('<section class="panel fields"')
    status = await client.post(
        f"/{prefix}/issues/{ident}", headers={"X-Fragment": "1"}, data={"_csrf": token, "status": "in_review"}
    )
    assert 'value="in_review" selected' in status.text
    bad = await client.post(
        f"/{prefix}/issues/{ident}", headers={"X-Fragment": "1"}, data={"_csrf": token, "status": "nonsense"}
    )
    assert bad.status_code == 400 and 'class="form-error"' in bad.text
    comment = await client.post(
        f"/{prefix}/issues/{ident}/comments",
        headers={"X-Fragment": "1"},
        data={"_csrf": token, "body": "@Ada please look"},
    )
    assert comment.status_code == 200 and "please look" in comment.text
    wakes = (await client.get(f"/api/companies/{company['id']}/heartbeat-runs")).json()
    assert any(r["agentId"] == agent["id"] for r in wakes)


async def test_sub_issues_and_blockers_by_identifier(api, client, company):
    parent = await api.issue(company["id"], title="Parent")
    other = await api.issue(company["id"], title="Other")
    prefix = company["issuePrefix"]
    token = await csrf_of(client, f"/{prefix}/issues/{parent['identifier']}")
    child = await client.post(
        f"/{prefix}/issues/{parent['identifier']}/children",
        headers={"X-Fragment": "1"},
        data={"_csrf": token, "title": "Child"},
    )
    assert child.status_code == 200 and "Child" in child.text
    blockers = await client.post(
        f"/{prefix}/issues/{parent['identifier']}/blockers",
        headers={"X-Fragment": "1"},
        data={"_csrf": token, "blockers": other["identifier"].lower()},
    )
    assert blockers.status_code == 200, blockers.text
    assert (await client.get(f"/api/issues/{parent['id']}")).json()["blockedByIssueIds"] == [other["id"]]
    missing = await client.post(
        f"/{prefix}/issues/{parent['identifier']}/blockers",
        headers={"X-Fragment": "1"},
        data={"_csrf": token, "blockers": f"{prefix}-999"},
    )
    assert missing.status_code == 400 and f"No issue {prefix}-999" in missing.text
