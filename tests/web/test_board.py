from __future__ import annotations

from tests.web.conftest import csrf_of


async def test_board_shows_columns_and_a_move_persists(client, company):
    created = await client.post(
        f"/api/companies/{company['id']}/issues", json={"title": "Card me", "status": "todo"}
    )
    ident = created.json()["identifier"]
    prefix = company["issuePrefix"]
    page = await client.get(f"/{prefix}/board")
    assert page.status_code == 200
    for status in ("backlog", "todo", "in_progress", "in_review", "blocked", "done"):
        assert f'data-dropzone="{status}"' in page.text
    todo = page.text.split('data-dropzone="todo"')[1].split("</ol>")[0]
    assert f'data-card="{ident}"' in todo
    token = await csrf_of(client, f"/{prefix}/board")
    moved = await client.post(
        f"/{prefix}/issues/{ident}",
        headers={"X-Fragment": "1"},
        data={"_csrf": token, "_part": "card", "status": "done"},
    )
    assert moved.status_code == 200 and 'data-status="done"' in moved.text
    again = await client.get(f"/{prefix}/board")
    done = again.text.split('data-dropzone="done"')[1].split("</ol>")[0]
    assert f'data-card="{ident}"' in done
    assert (await client.get(f"/api/issues/{ident}")).json()["status"] == "done"


async def test_in_progress_without_assignee_is_refused_next_to_the_card(client, company):
    created = await client.post(f"/api/companies/{company['id']}/issues", json={"title": "Nobody"})
    prefix, ident = company["issuePrefix"], created.json()["identifier"]
    token = await csrf_of(client, f"/{prefix}/board")
    refused = await client.post(
        f"/{prefix}/issues/{ident}",
        headers={"X-Fragment": "1"},
        data={"_csrf": token, "_part": "card", "status": "in_progress"},
    )
    assert refused.status_code == 422
    assert 'class="form-error"' in refused.text and "assignee" in refused.text
