"""Each wire shape of issues/wire.py has two renderers made from one field table: Python (shapes.py)
and SQL (the list, the detail view, checkout…). The same database rows rendered both ways must be
equal — and equal to what the routes answer, whose JSON PostgreSQL builds."""

from __future__ import annotations

from paperclip.issues.recovery import action_to_wire
from paperclip.issues.shapes import comment_to_wire, issue_to_wire, label_to_wire
from paperclip.issues.wire import (
    BLOCKER_SUMMARY,
    COMMENT,
    ISSUE,
    LABEL,
    LABEL_JSON,
    RECOVERY_ACTION,
    action_json,
    issue_json,
    issue_row_json,
)

AWKWARD = 'Ünïcode ✓ "quoted" \\ back\nslash \t tab'


async def _rows(api, client, db) -> tuple[str, list[str]]:
    """A company whose issues cover the edge values: nulls and set values of every nullable field,
    timestamps with microseconds (and 999.999 ms), labels, text that JSON must escape."""
    cid = (await api.company())["id"]
    agent = await api.agent(cid)
    project = await api.project(cid)
    labels = [
        (await client.post(f"/api/companies/{cid}/labels", json={"name": name, "color": "#123456"})).json()
        for name in ("ui", "bug")
    ]
    parent = await api.issue(cid, title="Parent")
    child = await api.issue(
        cid,
        title=AWKWARD,
        description=AWKWARD,
        parentId=parent["id"],
        projectId=project["id"],
        assigneeAgentId=agent["id"],
        labelIds=[label["id"] for label in labels],
    )
    db.sql(
        "UPDATE issues SET started_at = '2026-01-02 03:04:05.678901+02', completed_at = '2026-01-02 23:59:59.999999Z',"
        " billing_code = 'B-1', origin_kind = 'manual', origin_id = 'x', request_depth = 2,"
        " execution_agent_name_key = 'worker', execution_locked_at = now() WHERE id = %s",
        child["id"],
    )
    await client.post(f"/api/issues/{child['id']}/comments", json={"body": AWKWARD})
    db.sql(
        "INSERT INTO issue_comments (company_id, issue_id, author_agent_id, body, created_at, updated_at)"
        " VALUES (%s, %s, %s, 'from the agent', '2026-03-04 05:06:07.000001Z', now())",
        cid,
        child["id"],
        agent["id"],
    )
    return cid, [parent["id"], child["id"]]


def _labels_of(db, issue_id: str) -> list[dict]:
    return db.sql(
        "SELECT l.* FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = %s"
        " ORDER BY l.name, l.id",
        issue_id,
    )


async def test_issue_label_and_comment_render_alike_in_python_and_sql(api, client, db):
    cid, issue_ids = await _rows(api, client, db)
    for issue_id in issue_ids:
        row = db.one("SELECT * FROM issues WHERE id = %s", issue_id)
        python = issue_to_wire(row, [label_to_wire(label) for label in _labels_of(db, issue_id)])
        by_sql = db.one(
            f"SELECT {issue_json('i')} AS object, {issue_row_json('i')} AS row FROM issues i WHERE i.id = %s",
            issue_id,
        )
        assert by_sql["object"] == python
        assert by_sql["row"] == python
        assert list(by_sql["row"]) == list(python)  # the same order of fields

    labels = db.sql("SELECT l.*, " + LABEL_JSON + " AS wire FROM labels l WHERE l.company_id = %s", cid)
    assert len(labels) == 2
    for label in labels:
        assert label["wire"] == label_to_wire(label)

    comments = db.sql(
        "SELECT c.*, " + COMMENT.sql_object("c") + " AS wire FROM issue_comments c WHERE c.company_id = %s",
        cid,
    )
    assert {c["author_agent_id"] is None for c in comments} == {True, False}  # a user's and an agent's
    for comment in comments:
        assert comment["wire"] == comment_to_wire(comment)

    blocker_summary_to_wire = BLOCKER_SUMMARY.python()  # diagnostics.py's renderer
    summaries = db.sql(
        "SELECT b.*, " + BLOCKER_SUMMARY.sql_object("b") + " AS wire FROM issues b WHERE b.company_id = %s",
        cid,
    )
    assert len(summaries) == 2
    for summary in summaries:
        assert summary["wire"] == blocker_summary_to_wire(summary)

    db.sql(
        "INSERT INTO issue_recovery_actions (company_id, source_issue_id, kind, cause, fingerprint, evidence,"
        " next_action, owner_user_id, timeout_at, wake_policy, created_at, updated_at)"
        " VALUES (%s, %s, 'k', 'c', 'f', '{\"runId\": null, \"n\": [1, 2.5]}', %s, 'board-user',"
        " '2026-05-06 07:08:09.123456Z', '{}', now(), now())",
        cid,
        issue_ids[1],
        AWKWARD,
    )
    actions = db.sql(
        "SELECT ra.*, "
        + action_json("ra")
        + " AS wire FROM issue_recovery_actions ra WHERE ra.company_id = %s",
        cid,
    )
    assert len(actions) == 1 and actions[0]["wire"] == action_to_wire(actions[0])


async def test_the_routes_sql_answers_are_the_python_rendering(api, client, db):
    """The list page (row_to_json, PostgreSQL), the detail view (json_build_object) and the
    Python renderer agree on every issue field."""
    cid, issue_ids = await _rows(api, client, db)
    listed = {i["id"]: i for i in (await client.get(f"/api/companies/{cid}/issues")).json()}
    for issue_id in issue_ids:
        row = db.one("SELECT * FROM issues WHERE id = %s", issue_id)
        python = issue_to_wire(row, [label_to_wire(label) for label in _labels_of(db, issue_id)])
        in_list = dict(listed[issue_id])
        assert in_list.pop("descriptionTruncated") is False
        assert in_list == python
        detail = (await client.get(f"/api/issues/{issue_id}")).json()
        assert {name: detail[name] for name in python} == python
    comments = (await client.get(f"/api/issues/{issue_ids[1]}/comments")).json()
    rows = {str(r["id"]): r for r in db.sql("SELECT * FROM issue_comments WHERE issue_id = %s", issue_ids[1])}
    assert [c["id"] for c in comments] and all(c == comment_to_wire(rows[c["id"]]) for c in comments)


def test_every_field_has_both_renderers_in_the_same_order():
    shapes = [(ISSUE, issue_to_wire), (LABEL, label_to_wire), (COMMENT, comment_to_wire)]
    shapes += [(BLOCKER_SUMMARY, BLOCKER_SUMMARY.python()), (RECOVERY_ACTION, action_to_wire)]
    for shape, render in shapes:
        names = [f.name for f in shape.fields]
        assert len(set(names)) == len(names), shape.name
        assert [n for n, _sql in shape.sql_fields("x")] == names
        row = {f.column: None for f in shape.fields if f.column} | {"author_agent_id": None}
        assert list(render(row)) == names


async def test_the_detail_view_renders_alike_in_python_and_sql(api, client, db, factory):
    """detail_to_wire (Python over the detail row: PATCH answers, the agent context) and the detail
    view built by PostgreSQL (GET /issues/{id}) are the same object."""
    import json

    from paperclip.issues.detail import detail_to_wire, load_detail, load_detail_json

    cid, (parent_id, child_id) = await _rows(api, client, db)
    goal = await api.goal(cid)
    blocker = await api.issue(cid, title="Blocker")
    r = await client.patch(
        f"/api/issues/{child_id}", json={"blockedByIssueIds": [blocker["id"]], "goalId": goal["id"]}
    )
    assert r.status_code == 200, r.text
    r = await client.put(
        f"/api/issues/{child_id}/documents/plan", json={"format": "markdown", "body": AWKWARD}
    )
    assert r.status_code in (200, 201), r.text
    # the child has an active recovery action (activeRecoveryAction, executionBlocker); the blocker a
    # settled one (executionBlocker only)
    for issue_id, status, outcome in ((child_id, "active", None), (blocker["id"], "resolved", "blocked")):
        db.sql(
            "INSERT INTO issue_recovery_actions (company_id, source_issue_id, kind, status, cause, fingerprint,"
            " evidence, next_action, wake_policy, outcome, last_attempt_at, created_at, updated_at)"
            " VALUES (%s, %s, 'active_run_watchdog', %s, 'legacy_execution_requires_reconciliation', %s,"
            ' \'{"runId": null, "attempt": 1}\', %s, \'{"a": [1]}\', %s,'
            " '2026-01-02 03:04:05.678901+02', now(), now())",
            cid,
            issue_id,
            status,
            f"fp-{issue_id}",
            AWKWARD,
            outcome,
        )
    for ref in (child_id, parent_id, blocker["id"]):
        async with factory.sessions() as session:
            python = await detail_to_wire(session, await load_detail(session, ref))
            _company, by_sql = await load_detail_json(session, ref)
        assert json.loads(by_sql) == python
        assert list(json.loads(by_sql)) == list(python)
        assert (python["activeRecoveryAction"] is not None) == (ref == child_id)
        assert (python["executionBlocker"] is not None) == (ref != parent_id)
    detail = (await client.get(f"/api/issues/{child_id}")).json()  # the OpenAPI model accepts it
    assert detail["activeRecoveryAction"]["nextAction"] == AWKWARD
    assert detail["executionBlocker"]["nextAction"] == AWKWARD
