"""GET /companies/:id/recovery-observability through HTTP, in the original's shape (recorded side by
side): 8 empty Monday weeks for a quiet company; a run that failed holding an in-progress issue counts
as one run and one board-owned recovery action of its week, over the 2% threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from factories import bearer
from test_recovery_actions import _held_then_failed

pytestmark = pytest.mark.usefixtures("app_with_runner")


async def test_recovery_observability(client, api, factory, tmp_path):
    quiet = await api.company("Quiet")
    r = await client.get(f"/api/companies/{quiet['id']}/recovery-observability")
    assert r.status_code == 200, r.text
    body = r.json()
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    assert body["window"] == {"weeks": 8, "since": (monday - timedelta(weeks=7)).isoformat()}
    assert [w["weekStart"] for w in body["weekly"]][-1] == monday.isoformat()
    assert all(w["runs"] == 0 and w["ratePercent"] == 0 for w in body["weekly"])
    assert body["alert"]["breached"] is False and body["alert"]["breachedWeeks"] == []
    assert (body["byCause"], body["perCauseRouting"], body["thresholdPercent"]) == ([], [], 2)
    assert body["handoff"]["boardOwned"] == 0 and body["handoff"]["handedBackRatio"] is None

    held = await _held_then_failed(client, api, factory, tmp_path)
    cid = held["company"]["id"]
    body = (await client.get(f"/api/companies/{cid}/recovery-observability")).json()
    latest = body["alert"]["latestWeek"]
    assert latest["recoveryActions"] == 1 and latest["runs"] >= 1
    assert latest["ratePercent"] == round(100 / latest["runs"], 2)
    assert body["alert"]["latestWeekBreached"] and body["alert"]["breachedWeeks"] == [latest]
    assert [(c["count"], c["activeCount"]) for c in body["byCause"]] == [(1, 1)]
    assert [(p["total"], p["active"]) for p in body["perCauseRouting"]] == [(1, 1)]
    assert body["handoff"]["boardOwned"] == 1

    r = await client.get(f"/api/companies/{quiet['id']}/recovery-observability", headers=bearer(held["key"]))
    assert r.status_code == 403
