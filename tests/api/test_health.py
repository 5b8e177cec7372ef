from __future__ import annotations


async def test_health_reports_local_trusted_defaults(client):
    response = await client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["deploymentMode"] == "local_trusted"
    assert body["deploymentExposure"] == "private"
    assert body["authReady"] is True
    assert body["bootstrapStatus"] == "ready"
    assert body["bootstrapInviteActive"] is False
    assert body["features"] == {"companyDeletionEnabled": True}
    # the production guide's documented shape, for monitors written from it
    assert body["deployment"] == {"mode": "local_trusted", "exposure": "private", "authReady": True}


async def test_unknown_api_route_is_json_404(client):
    response = await client.get("/api/definitely-not-a-route")
    assert response.status_code == 404
    assert response.json() == {"error": "API route not found"}
