"""The goal's wire shape (goals/wire.py) has two renderers made from one field table: Python
(`schemas.goal_to_wire`, the goal routes) and SQL (the goal embedded in the issue detail). The same rows
rendered both ways must be equal, and equal to what the routes answer."""

from __future__ import annotations

from types import SimpleNamespace

from paperclip.goals.schemas import goal_to_wire
from paperclip.goals.wire import GOAL

AWKWARD = 'Ünïcode ✓ "quoted" \\ back\nslash \t tab'


async def test_a_goal_renders_alike_in_python_sql_and_the_issue_detail(api, client, db):
    cid = (await api.company())["id"]
    agent = await api.agent(cid)
    parent = await api.goal(cid, title="Parent")
    child = await api.goal(
        cid, title=AWKWARD, description=AWKWARD, parentId=parent["id"], ownerAgentId=agent["id"]
    )
    db.sql("UPDATE goals SET created_at = '2026-01-02 23:59:59.999999Z' WHERE id = %s", child["id"])
    rows = db.sql(
        "SELECT g.*, " + GOAL.sql_object("g") + " AS wire FROM goals g WHERE g.company_id = %s", cid
    )
    assert len(rows) == 2
    for row in rows:
        wire = row.pop("wire")
        python = goal_to_wire(SimpleNamespace(**row))  # the renderer reads columns as attributes (ORM rows)
        assert wire == python and list(wire) == list(python)
        assert (await client.get(f"/api/goals/{row['id']}")).json() == python
    issue = await api.issue(cid, title="With a goal", goalId=child["id"])
    detail = (await client.get(f"/api/issues/{issue['id']}")).json()
    assert detail["goal"] == (await client.get(f"/api/goals/{child['id']}")).json()


def test_every_field_has_both_renderers_in_the_same_order():
    names = [f.name for f in GOAL.fields]
    assert len(set(names)) == len(names)
    assert [n for n, _sql in GOAL.sql_fields("x")] == names
    row = SimpleNamespace(**{f.column: None for f in GOAL.fields if f.column})
    row.id = row.company_id = "00000000-0000-4000-8000-000000000000"
    assert list(goal_to_wire(row)) == names
