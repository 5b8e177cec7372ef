"""The activity entry's wire shape (activity/wire.py) has two renderers made from one field table:
Python (`service.to_wire`, over ORM rows) and SQL (the dashboard's recentActivity). The same rows
rendered both ways must be equal."""

from __future__ import annotations

from types import SimpleNamespace

from paperclip.activity.service import to_wire
from paperclip.activity.wire import ACTIVITY_ENTRY

AWKWARD = 'Ünïcode ✓ "quoted" \\ back\nslash \t tab'


async def test_an_activity_entry_renders_alike_in_python_and_sql(api, db):
    cid = (await api.company())["id"]
    agent = await api.agent(cid)
    await api.issue(cid, title=AWKWARD)  # an entry written by the API (a user's, no agent, no run)
    db.sql(
        "INSERT INTO activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, agent_id,"
        " details, created_at) VALUES (%s, 'agent', %s, 'x.done', 'issue', %s, %s,"
        ' \'{"runId": null, "n": [1, 2.5], "t": "\u00fc"}\', \'2026-01-02 23:59:59.999999Z\')',
        cid,
        agent["id"],
        AWKWARD,
        agent["id"],
    )
    rows = db.sql(
        "SELECT al.*, "
        + ACTIVITY_ENTRY.sql_object("al")
        + " AS wire FROM activity_log al WHERE al.company_id = %s",
        cid,
    )
    assert len(rows) >= 2 and {r["agent_id"] is None for r in rows} == {True, False}
    for row in rows:
        wire = row.pop("wire")
        python = to_wire(SimpleNamespace(**row))  # the renderer reads columns as attributes (ORM rows)
        assert wire == python and list(wire) == list(python)


def test_every_field_has_both_renderers_in_the_same_order():
    names = [f.name for f in ACTIVITY_ENTRY.fields]
    assert len(set(names)) == len(names)
    assert [n for n, _sql in ACTIVITY_ENTRY.sql_fields("x")] == names
    row = SimpleNamespace(**{f.column: None for f in ACTIVITY_ENTRY.fields if f.column})
    row.id = row.company_id = "00000000-0000-4000-8000-000000000000"
    assert list(to_wire(row)) == names
