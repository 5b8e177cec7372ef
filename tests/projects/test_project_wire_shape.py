"""The project's wire shape (projects/wire.py) has two renderers made from one field table: Python
(`schemas.project_to_wire`, the project routes) and SQL (the project embedded in the issue detail,
`DETAIL_PROJECT`). The same rows rendered both ways must be equal, and equal to what the routes answer."""

from __future__ import annotations

from types import SimpleNamespace

from paperclip.projects.schemas import project_to_wire
from paperclip.projects.wire import DETAIL_PROJECT, PROJECT

AWKWARD = 'Ünïcode ✓ "quoted" \\ back\nslash \t tab'


def _goals(db, project_id) -> list[tuple]:
    return [
        (r["id"], r["title"])
        for r in db.sql(
            "SELECT g.id, g.title FROM project_goals pg JOIN goals g ON g.id = pg.goal_id"
            " WHERE pg.project_id = %s ORDER BY pg.created_at, g.title, g.id",
            project_id,
        )
    ]


async def test_a_project_renders_alike_in_python_sql_and_the_issue_detail(api, client, db):
    cid = (await api.company())["id"]
    agent = await api.agent(cid)
    goals = [(await api.goal(cid, title=title))["id"] for title in ("B goal", "A goal")]
    await api.project(cid, name="Plain")
    full = await api.project(
        cid,
        name=AWKWARD,
        description=AWKWARD,
        leadAgentId=agent["id"],
        targetDate="2026-02-03",
        color="#123456",
        goalIds=goals,
    )
    db.sql(
        "UPDATE projects SET paused_at = '2026-01-02 23:59:59.999999Z', pause_reason = 'budget', icon = 'rocket'"
        " WHERE id = %s",
        full["id"],
    )
    rows = db.sql(
        "SELECT p.*, "
        + PROJECT.sql_object("p")
        + " AS wire, "
        + DETAIL_PROJECT.sql_object("p")
        + " AS detail"
        " FROM projects p WHERE p.company_id = %s",
        cid,
    )
    assert len(rows) == 2 and {len(r["wire"]["goals"]) for r in rows} == {0, 2}
    for row in rows:
        wire, detail = row.pop("wire"), row.pop("detail")
        python = project_to_wire(SimpleNamespace(**row), _goals(db, row["id"]))
        assert row["env"] is None  # env is redacted in Python: equal to the stored column only when null
        assert wire == python and list(wire) == list(python)
        assert detail == {f.name: python[f.name] for f in DETAIL_PROJECT.fields}
        assert list(detail) == [f.name for f in DETAIL_PROJECT.fields]
        assert (await client.get(f"/api/projects/{row['id']}")).json() == python
    issue = await api.issue(cid, title="In a project", projectId=full["id"])
    answer = (await client.get(f"/api/issues/{issue['id']}")).json()["project"]
    route = (await client.get(f"/api/projects/{full['id']}")).json()
    assert answer == {f.name: route[f.name] for f in DETAIL_PROJECT.fields}


def test_every_field_has_both_renderers_in_the_same_order():
    names = [f.name for f in PROJECT.fields]
    assert len(set(names)) == len(names)
    assert [n for n, _sql in PROJECT.sql_fields("x")] == names
    row = SimpleNamespace(**{f.column: None for f in PROJECT.fields if f.column})
    row.id = row.company_id = "00000000-0000-4000-8000-000000000000"
    assert list(project_to_wire(row, [])) == names
