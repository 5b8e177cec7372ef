"""The published OpenAPI document (/api/openapi.json) tells the truth about answers and errors.

Success answers: each route declares its own with `paperclip.api.responses.returns` (a model for
the document only; routes stay unvalidated dicts written by orjson), placed at its real status code.

FastAPI documents a 422 `HTTPValidationError` on every route with input, which this server never
sends (invalid input is a 400 in the one error format, `paperclip.api.errors`), and none of the
errors it does send. Here every API operation gets the error statuses it can answer, each with the
`Error` schema (`{"error": str, "details"?: any}`), so clients generated from the document handle
them:

- 400 everywhere (the input guard and validation), 401 wherever an actor is resolved, 403 everywhere
  (the hostname guard, company access, CSRF, read-only viewers);
- 404 for routes with path parameters; 408 and 413 for routes that read a body;
- 409 and 422 (business-rule refusals) for writes; 429 for the throttled sign-in routes.

Rules by route shape rather than a list: a new route is documented without edits, and
tests/api/test_openapi_errors.py holds every route to it (and checks the hostile-input walk only
ever sees documented statuses).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from paperclip.api import responses as declared_responses

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "What went wrong, for people"},
        "details": {"description": "Structured detail: the invalid fields of a 400, limits, ids"},
    },
}
DESCRIPTIONS = {
    400: "Invalid input (validation, NUL bytes, lone surrogates, numbers out of range)",
    401: "No valid credentials (authenticated mode), or credentials that match nothing",
    403: "Not allowed: hostname, company access, origin of a cookie-authenticated write, read-only viewer",
    404: "Not found, or not visible to this actor",
    408: "The request body did not arrive in time (PAPERCLIP_REQUEST_BODY_TIMEOUT_SEC)",
    409: "Conflicts with the current state (already checked out, stale revision, already decided)",
    413: "Request body too large",
    422: "Understood but refused by a rule (a secret that cannot be decrypted, a strict-mode binding)",
    429: "Too many attempts; retry after the Retry-After header's seconds",
}
NO_ACTOR = {"/api/health"}
THROTTLED = ("/api/auth/sign-in", "/api/auth/sign-up")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def error_statuses(route: APIRoute, method: str) -> list[int]:
    codes = [400, 403]
    if route.path not in NO_ACTOR:
        codes.append(401)
    if "{" in route.path:
        codes.append(404)
    if method in ("POST", "PUT", "PATCH"):
        codes += [408, 413]
    if method in WRITES:
        codes += [409, 422]
    if method == "POST" and route.path.startswith(THROTTLED):
        codes.append(429)
    return sorted(codes)


def _api_routes(app: FastAPI) -> list[APIRoute]:
    return [r for r in app.routes if isinstance(r, APIRoute) and r.include_in_schema]


def _success_schemas(app: FastAPI, components: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    """The JSON schema of every model named by a `returns` declaration, generated together so shared
    models become one component each (`#/components/schemas/<Model>`)."""
    models = {
        entry.model
        for route in _api_routes(app)
        for entry in declared_responses.declared(route.endpoint)
        if entry.model is not None and entry.model is not declared_responses.ErrorAnswer
    }
    mode: JsonSchemaMode = "serialization"  # what the server writes (not what it would accept)
    keyed = [(model, mode, TypeAdapter(declared_responses.resolve(model))) for model in models]
    schemas, definitions = TypeAdapter.json_schemas(keyed, ref_template="#/components/schemas/{model}")
    for name, definition in definitions.get("$defs", {}).items():
        if name in components and components[name] != definition:
            raise RuntimeError(f"two different OpenAPI schemas named {name!r}: rename one wire model")
        components[name] = definition
    return {model: schemas[(model, mode)] for model in models}


def _success(responses: dict[str, Any], route: APIRoute, schemas: dict[Any, dict[str, Any]]) -> None:
    """The route's declared success answers replace FastAPI's guess (an empty schema at 200)."""
    entries = declared_responses.declared(route.endpoint)
    if not entries:
        return
    for code in [code for code in responses if code.startswith("2")]:
        del responses[code]  # FastAPI's guess: the decorator's status with an empty schema
    for entry in entries:
        code = str(declared_responses.status_of(entry, route.status_code))
        answer: dict[str, Any] = {
            "description": entry.description or ("No content" if code == "204" else "OK")
        }
        if entry.model is declared_responses.ErrorAnswer:
            answer["content"] = {entry.media: {"schema": {"$ref": "#/components/schemas/Error"}}}
        elif entry.model is not None:
            answer["content"] = {entry.media: {"schema": schemas[entry.model]}}
        elif entry.media != declared_responses.JSON:
            binary = not entry.media.startswith("text/") and entry.media != "image/svg+xml"
            schema = {"type": "string", "format": "binary"} if binary else {"type": "string"}
            answer["content"] = {entry.media: {"schema": schema}}
        responses[code] = answer


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    successes = _success_schemas(app, components)
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = schema["paths"].get(route.path, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation["responses"]
            _success(responses, route, successes)
            if "HTTPValidationError" in str(responses.get("422", "")):
                del responses["422"]  # never sent: invalid input is a 400
            for code in error_statuses(route, method):
                responses.setdefault(str(code), {"description": DESCRIPTIONS[code], "content": error_ref})
    if "HTTPValidationError" not in str(schema["paths"]):
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
    return schema
