"""Issue lists cut descriptions to 1,200 characters with descriptionTruncated after description, as
the original's list answers do (the compact view cuts without the flag; the detail keeps them whole)."""

from __future__ import annotations


async def test_list_answers_cut_long_descriptions(client, api):
    company = await api.company("Paperclip Labs")
    cid = company["id"]
    long = await api.issue(cid, title="Long", description="x" * 1300, status="todo")
    await api.issue(cid, title="Exact", description="é" * 1200, status="todo")
    empty = await api.issue(cid, title="Empty", status="todo")
    assert len(long["description"]) == 1300  # the create answer is whole

    def by_title(rows):
        return {row["title"]: row for row in rows}

    for params in ({}, {"status": "todo,backlog"}, {"q": "xxx"}, {"includeBlockedBy": "true"}):
        rows = by_title((await client.get(f"/api/companies/{cid}/issues", params=params)).json())
        keys = list(rows["Long"])
        assert keys[keys.index("description") + 1] == "descriptionTruncated", params
        assert (rows["Long"]["description"], rows["Long"]["descriptionTruncated"]) == ("x" * 1200, True)
        if "Exact" in rows:
            assert (rows["Exact"]["description"], rows["Exact"]["descriptionTruncated"]) == (
                "é" * 1200,
                False,
            )
        if "Empty" in rows:
            assert (rows["Empty"]["description"], rows["Empty"]["descriptionTruncated"]) == (None, False)

    compact = by_title((await client.get(f"/api/companies/{cid}/issues", params={"view": "compact"})).json())
    assert compact["Long"]["description"] == "x" * 1200 and "descriptionTruncated" not in compact["Long"]

    detail = (await client.get(f"/api/issues/{long['id']}")).json()
    assert detail["description"] == "x" * 1300 and "descriptionTruncated" not in detail
    assert empty["description"] is None

    # the agent's view of a user's inbox is a list too
    agent = await api.agent(cid, "Reader")
    token = await api.agent_key(agent["id"])
    inbox = by_title(
        (
            await client.get(
                "/api/agents/me/inbox/mine",
                params={"userId": "local-board"},
                headers={"Authorization": f"Bearer {token}"},
            )
        ).json()
    )
    assert (inbox["Long"]["description"], inbox["Long"]["descriptionTruncated"]) == ("x" * 1200, True)
