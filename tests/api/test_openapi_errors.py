"""/api/openapi.json documents the errors every route can answer, in the one error format, and not
FastAPI's 422 HTTPValidationError that this server never sends (issue 15). The hostile-input walk
(test_hostile_input.py) also checks that every status it sees is documented for its route."""

from __future__ import annotations

from fastapi.routing import APIRoute


async def test_every_route_documents_its_errors(app, client):
    document = (await client.get("/api/openapi.json")).json()
    assert document["components"]["schemas"]["Error"]["required"] == ["error"]
    assert "HTTPValidationError" not in str(document)
    missing = []
    routes = [
        r for r in app.routes if isinstance(r, APIRoute) and r.path.startswith("/api") and r.include_in_schema
    ]
    assert len(routes) > 100
    for route in routes:
        for method in route.methods - {"HEAD", "OPTIONS"}:
            responses = document["paths"][route.path][method.lower()]["responses"]
            wanted = {"400", "403"} | ({"401"} if route.path != "/api/health" else set())
            wanted |= {"404"} if "{" in route.path else set()
            wanted |= {"408", "413"} if method in ("POST", "PUT", "PATCH") else set()
            for code in sorted(wanted - responses.keys()):
                missing.append(f"{method} {route.path}: {code}")
            for code, response in responses.items():
                if code.startswith("4") and "content" in response:  # 416 of a file range has no body
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"
                    }
            assert any(code.startswith("2") or code.startswith("3") for code in responses), (
                method,
                route.path,
            )
    assert not missing, "\n".join(missing)


async def test_a_validation_error_is_the_documented_400(client):
    document = (await client.get("/api/openapi.json")).json()
    assert "400" in document["paths"]["/api/companies"]["post"]["responses"]
    refused = await client.post("/api/companies", json={"name": 42})
    assert refused.status_code == 400 and "error" in refused.json()
