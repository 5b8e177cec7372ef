"""Every feature's router, mounted under /api. Adding a feature is one line here (its router a
`paperclip.feature_router.FeatureRouter`, so its routes are built once, here).

The routes are copied flat onto the application's router instead of `include_router`: since
FastAPI 0.140 an included router is matched through nested wrappers on every request, which cost
more than the rest of a simple request (measured: ~140 match calls per request with ~100 routes).
"""

from __future__ import annotations

import functools
import inspect

import orjson
from fastapi import APIRouter, FastAPI
from fastapi.datastructures import DefaultPlaceholder
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.responses import Response
from starlette.routing import Match

from paperclip.access.auth_routes import router as auth_router
from paperclip.access.routes import router as access_router
from paperclip.activity.audit import router as audit_router
from paperclip.agents.claude_login_routes import router as claude_login_router
from paperclip.agents.instructions_routes import router as agent_instructions_router
from paperclip.agents.routes import router as agents_router
from paperclip.api import input_guard
from paperclip.approvals.routes import router as approvals_router
from paperclip.appshell.routes import router as appshell_router
from paperclip.appshell.run_panels import router as run_panels_router
from paperclip.appshell.settings_routes import router as instance_settings_router
from paperclip.companies.activity_routes import router as activity_router
from paperclip.companies.routes import router as companies_router
from paperclip.costs.routes import router as costs_router
from paperclip.dashboard.routes import router as dashboard_router
from paperclip.environments.routes import router as environments_router
from paperclip.goals.routes import router as goals_router
from paperclip.health.routes import router as health_router
from paperclip.heartbeat.routes import router as heartbeat_router
from paperclip.issues.agent_context_routes import router as agent_context_router
from paperclip.issues.document_routes import router as issue_documents_router
from paperclip.issues.feedback_routes import router as issue_feedback_router
from paperclip.issues.inbox_routes import router as issue_inbox_router
from paperclip.issues.interaction_routes import router as issue_interactions_router
from paperclip.issues.plan_decomposition_routes import router as plan_decomposition_router
from paperclip.issues.routes import router as issues_router
from paperclip.issues.runner_routes import router as issue_runner_router
from paperclip.issues.tree_hold_routes import router as issue_tree_holds_router
from paperclip.metrics.routes import router as metrics_router
from paperclip.portability.routes import router as portability_router
from paperclip.projects.routes import router as projects_router
from paperclip.routines.routes import router as routines_router
from paperclip.secrets.routes import router as secrets_router
from paperclip.storage.routes import router as storage_router
from paperclip.web.live_ws import router as live_ws_router
from paperclip.web.org_image import router as org_image_router
from paperclip.wiring import install_governed

FEATURE_ROUTERS: list[APIRouter] = [
    health_router,
    heartbeat_router,  # early: the hot paths (wake-ups, run polling) match first
    companies_router,
    agents_router,
    agent_instructions_router,
    claude_login_router,
    goals_router,
    projects_router,
    activity_router,
    costs_router,
    issues_router,
    issue_documents_router,
    agent_context_router,
    issue_inbox_router,
    issue_interactions_router,
    issue_tree_holds_router,
    issue_feedback_router,
    approvals_router,
    dashboard_router,
    auth_router,
    access_router,
    secrets_router,
    metrics_router,
    storage_router,
    appshell_router,
    instance_settings_router,
    environments_router,
    issue_runner_router,
    plan_decomposition_router,
    run_panels_router,
    routines_router,
    org_image_router,
    live_ws_router,
    audit_router,
    portability_router,
]

_ROUTE_OPTIONS = [
    name
    for name in inspect.signature(APIRouter.add_api_route).parameters
    if name not in ("self", "path", "route_class_override")
]


class PrecheckedRoute(APIRoute):
    """Rejects a path by its slash count and literal prefix/suffix before the regex match.

    The router tries routes in order until one matches; with ~100 routes a request to one near the
    end paid for ~100 regex matches and their scope bookkeeping. These string checks give the same
    answer for paths that cannot match (a `{param}` never spans a slash), and defer to the full
    match otherwise.
    """

    def __init__(self, path: str, endpoint, **kwargs):
        super().__init__(path, endpoint, **kwargs)
        brace = path.find("{")
        self._prefix = path if brace < 0 else path[:brace]
        self._suffix = "" if brace < 0 else path[path.rfind("}") + 1 :]
        self._slashes = path.count("/")
        self._checkable = ":path}" not in path

    def get_route_handler(self):
        """Every API route checks its input first (paperclip.api.input_guard): NUL in the URL, integer
        query parameters past PostgreSQL's range, query parameters a GET route does not declare, JSON bodies with NUL, lone surrogates or deep nesting."""
        handler = super().get_route_handler()
        ints = input_guard.int_params(self)
        known = input_guard.known_query_names(self)

        async def checked(request):
            input_guard.check_query(request.scope, request, ints, known)
            return await handler(input_guard.CheckedRequest(request.scope, request.receive, request._send))

        return checked

    def matches(self, scope):
        if self._checkable and not scope.get("root_path"):
            path = scope["path"]
            if (
                path.count("/") != self._slashes
                or not path.startswith(self._prefix)
                or not path.endswith(self._suffix)
            ):
                return Match.NONE, {}
        return super().matches(scope)


_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS


def _json_default(value):
    return jsonable_encoder(value)


def serialised_by_orjson(endpoint, status_code: int | None):
    """The endpoint, answering its dict/list results as orjson bytes.

    FastAPI passes a returned dict through `jsonable_encoder` (a Python walk over every value) and
    then `json.dumps`; for a list of agents or runs that was a fifth of the request. orjson writes
    the same JSON (ISO datetimes as `isoformat()`, UUIDs as strings, compact, UTF-8) and hands
    anything it does not know to `jsonable_encoder`; a value it cannot write at all (an integer
    beyond 64 bits) takes FastAPI's path. `endpoint_with_orjson.plain[0]` is cleared for a route
    whose result FastAPI must see itself (a response model to validate, another response class):
    known only once the route is built, and the route is built only once.
    """
    plain = [True]

    @functools.wraps(endpoint)  # FastAPI reads the wrapped signature for parameters and dependencies
    async def endpoint_with_orjson(*args, **kwargs):
        result = await endpoint(*args, **kwargs)
        if plain[0] and isinstance(result, (dict, list)):
            try:
                body = orjson.dumps(result, default=_json_default, option=_ORJSON_OPTIONS)
            except (orjson.JSONEncodeError, TypeError):
                return JSONResponse(jsonable_encoder(result), status_code=status_code or 200)
            return Response(body, status_code=status_code or 200, media_type="application/json")
        return result

    endpoint_with_orjson.plain = plain  # type: ignore[attr-defined]
    return endpoint_with_orjson


def _plain_json_route(route: APIRoute) -> bool:
    response_class = route.response_class
    if isinstance(response_class, DefaultPlaceholder):
        response_class = response_class.value
    return route.response_model is None and response_class is JSONResponse


def _tags(router: APIRouter, tags) -> list:
    return list(dict.fromkeys([*(router.tags or []), *(tags or [])]))


def _add_route(app: FastAPI, path: str, endpoint, options: dict) -> None:
    """One API route, built once as a PrecheckedRoute; coroutine endpoints answer through orjson
    unless the built route turns out to need FastAPI's own serialisation."""
    wrapped = (
        serialised_by_orjson(endpoint, options.get("status_code"))
        if inspect.iscoroutinefunction(endpoint)
        else None
    )
    app.router.add_api_route(path, wrapped or endpoint, route_class_override=PrecheckedRoute, **options)
    route = app.router.routes[-1]
    if wrapped is not None and isinstance(route, APIRoute) and not _plain_json_route(route):
        wrapped.plain[0] = False


def mount_api(app: FastAPI, prefix: str = "/api") -> None:
    install_governed()  # budgets pause/resume scopes through their features (paperclip/wiring.py)
    for router in FEATURE_ROUTERS:
        # A FeatureRouter's declarations (paperclip.feature_router): built here for the first time.
        for path, endpoint, declared in getattr(router, "declared", ()):
            options = dict(declared)
            options["tags"] = _tags(router, options.get("tags"))
            _add_route(app, prefix + path, endpoint, options)
        for route in router.routes:
            if isinstance(route, APIWebSocketRoute):
                # a websocket route authenticates in its handshake itself (the input guard is for HTTP)
                app.router.add_api_websocket_route(prefix + route.path, route.endpoint, name=route.name)
                continue
            if not isinstance(route, APIRoute):
                raise TypeError(f"unsupported route type {type(route).__name__} in {router}")
            # A plain APIRouter's route, already built once at import: copied with its options.
            options = {name: getattr(route, name) for name in _ROUTE_OPTIONS if hasattr(route, name)}
            options["tags"] = _tags(router, route.tags)
            options["dependencies"] = [*(router.dependencies or []), *(route.dependencies or [])]
            options.pop("endpoint", None)
            _add_route(app, prefix + route.path, route.endpoint, options)
