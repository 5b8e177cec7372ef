"""Trigger CRUD: schedule triggers (cron + zone, next run), webhook triggers (secret shown once,
rotation), api triggers; bad cron and zones are a 422 naming the field, never a 500."""

from __future__ import annotations

import psycopg


async def test_schedule_trigger_validation_and_next_run(api, client, company):
    routine = await api.routine(company["id"], assigneeAgentId=company["agent"])
    url = f"/api/routines/{routine['id']}/triggers"
    r = await client.post(url, json={})
    assert r.status_code == 400
    r = await client.post(url, json={"kind": "schedule", "timezone": "UTC"})
    assert r.status_code == 400 and r.json()["details"][0]["path"] == ["cronExpression"]
    for cron, message in [
        ("61 * * * *", "Invalid cron expression"),
        ("hello", "exactly 5 fields"),
        ("0 0 9 * * *", "exactly 5 fields"),
        ("0 0 30 2 *", "Invalid cron expression"),
    ]:
        r = await client.post(url, json={"kind": "schedule", "cronExpression": cron, "timezone": "UTC"})
        assert r.status_code == 422 and message in r.json()["error"], (cron, r.text)
        assert r.json()["details"] == {"field": "cronExpression"}
    for zone in ["Mars/Olympus", "../../etc/passwd", "", "x" * 60]:
        r = await client.post(url, json={"kind": "schedule", "cronExpression": "0 9 * * *", "timezone": zone})
        assert r.status_code == 422 and r.json()["details"] == {"field": "timezone"}, (zone, r.text)
    r = await client.post(url, json={"kind": "schedule", "cronExpression": "0 9 * * 1-5"})
    assert r.status_code == 201, r.text
    trigger = r.json()["trigger"]
    assert trigger["timezone"] == "UTC" and trigger["nextRunAt"].endswith("T09:00:00.000Z")
    assert r.json()["secretMaterial"] is None
    r = await client.post(
        url, json={"kind": "schedule", "cronExpression": "30 2 * * *", "timezone": "America/New_York"}
    )
    ny = r.json()["trigger"]
    assert ny["nextRunAt"][11:16] in ("07:30", "06:30")  # 02:30 New York in UTC (EST / EDT)
    r = await client.patch(f"/api/routine-triggers/{ny['id']}", json={"enabled": False})
    assert r.status_code == 200 and r.json()["nextRunAt"] is None
    r = await client.patch(
        f"/api/routine-triggers/{ny['id']}", json={"enabled": True, "cronExpression": "bad"}
    )
    assert r.status_code == 422
    r = await client.patch(
        f"/api/routine-triggers/{ny['id']}", json={"enabled": True, "timezone": "Europe/Berlin"}
    )
    assert r.status_code == 200 and r.json()["nextRunAt"][11:16] in ("01:30", "00:30")
    # pausing the routine stops its schedule; resuming starts it again from now
    await client.patch(f"/api/routines/{routine['id']}", json={"status": "paused"})
    detail = (await client.get(f"/api/routines/{routine['id']}")).json()
    assert {t["nextRunAt"] for t in detail["triggers"]} == {None}
    await client.patch(f"/api/routines/{routine['id']}", json={"status": "active"})
    detail = (await client.get(f"/api/routines/{routine['id']}")).json()
    assert None not in {t["nextRunAt"] for t in detail["triggers"]}


async def test_schedule_needs_defaults_for_required_variables(api, client, company):
    routine = await api.routine(company["id"], assigneeAgentId=company["agent"], title="Report on {{topic}}")
    r = await client.post(
        f"/api/routines/{routine['id']}/triggers",
        json={"kind": "schedule", "cronExpression": "0 9 * * *", "timezone": "UTC"},
    )
    assert (
        r.status_code == 422
        and r.json()["error"] == "Scheduled routines require defaults for required variables: topic"
    )


async def test_webhook_trigger_secret_once_rotate_delete(api, client, company, database_url):
    routine = await api.routine(company["id"], assigneeAgentId=company["agent"])
    r = await client.post(
        f"/api/routines/{routine['id']}/triggers", json={"kind": "webhook", "signingMode": "hmac_sha256"}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    trigger, material = body["trigger"], body["secretMaterial"]
    assert (trigger["signingMode"], trigger["replayWindowSec"]) == ("hmac_sha256", 300) and trigger[
        "secretId"
    ]
    assert material["webhookUrl"].endswith(f"/api/routine-triggers/public/{trigger['publicId']}/fire")
    secret = material["webhookSecret"]
    assert len(secret) == 48
    # never again: not in the routine, its list, the trigger patch answer, the activity or the database in clear
    for text in [
        (await client.get(f"/api/routines/{routine['id']}")).text,
        (await client.get(f"/api/companies/{company['id']}/routines")).text,
        (await client.patch(f"/api/routine-triggers/{trigger['id']}", json={"label": "gh"})).text,
        (await client.get(f"/api/companies/{company['id']}/activity")).text,
    ]:
        assert secret not in text
    with psycopg.connect(database_url) as conn:
        dump = conn.execute("SELECT string_agg(t::text, '|') FROM company_secret_versions t").fetchone()[0]
    assert secret not in dump
    r = await client.post(
        f"/api/routines/{routine['id']}/triggers", json={"kind": "webhook", "replayWindowSec": 10}
    )
    assert r.status_code == 400
    r = await client.post(
        f"/api/routines/{routine['id']}/triggers", json={"kind": "webhook", "signingMode": "foo"}
    )
    assert r.status_code == 400
    rotated = await client.post(f"/api/routine-triggers/{trigger['id']}/rotate-secret", json={})
    assert rotated.status_code == 200 and rotated.json()["secretMaterial"]["webhookSecret"] != secret
    r = await client.post(f"/api/routines/{routine['id']}/triggers", json={"kind": "api"})
    assert r.status_code == 201 and r.json()["trigger"]["publicId"] is None
    r = await client.post(f"/api/routine-triggers/{r.json()['trigger']['id']}/rotate-secret", json={})
    assert r.status_code == 422
    assert (await client.delete(f"/api/routine-triggers/{trigger['id']}")).status_code == 204
    assert (await client.delete(f"/api/routine-triggers/{trigger['id']}")).status_code == 404
    with psycopg.connect(database_url) as conn:  # the trigger's own secret went with it
        assert (
            conn.execute(
                "SELECT count(*) FROM company_secrets WHERE id = %s", (trigger["secretId"],)
            ).fetchone()[0]
            == 0
        )
    actions = [
        a["action"]
        for a in (
            await client.get(f"/api/companies/{company['id']}/activity?entityType=routine_trigger")
        ).json()
    ]
    assert actions[0] == "routine.trigger_deleted" and "routine.trigger_secret_rotated" in actions
