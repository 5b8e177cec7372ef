"""What an API route answers on success, declared beside the route for the OpenAPI document only.

    @router.get("/agents/{agent_id}")
    @returns("AgentDetail")
    async def get_agent(...): ...

A model is named by a string, a type expression resolved in the route's feature's `responses`
module (`"list[IssueRow]"` in issues/routes.py means paperclip.issues.responses.IssueRow), or
`"paperclip.<feature>.responses:Name"` for another feature's: the models (a few hundred pydantic
classes, ~1 ms each to create) are imported only when the document is built, never at start-up.

Routes return plain dicts/lists (written by orjson, paperclip.api.router) or ready `Response`s
(JSON built by PostgreSQL): a FastAPI `response_model` would validate and re-serialise every answer
and build a validator per route at start-up. `returns` only records the model on the endpoint; the
document's generator (paperclip.api.openapi) reads it when /api/openapi.json is first asked for, at
the route's own status code (its decorator's `status_code`, else 200). Nothing here runs per request.

Wire models subclass `Wire`: every field the answer always carries is required (nullable when it can
be null), in the wire's camelCase. tests/api/test_openapi_responses.py holds every route to having a
declaration and validates real answers against the document with unknown fields refused, so a field
added to a `*_to_wire` function or its SQL twin without its model fails there.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

ATTRIBUTE = "__paperclip_returns__"
JSON = "application/json"


class Wire(BaseModel):
    """A wire shape, for documentation: never instantiated on the request path (defer_build keeps
    class creation cheap; the schema is built when the document is)."""

    model_config = ConfigDict(defer_build=True)


@dataclass(frozen=True)
class Returns:
    # "module:type expression" (see above), resolved when the document is built; None: no body; or an
    # object defined here (Ok, Null, ErrorAnswer)
    model: Any
    status: int | None  # None: the route's status_code, else 200
    media: str
    description: str | None


def returns(
    model: Any = None, *, status: int | None = None, media: str = JSON, description: str | None = None
):
    """Declares one success answer of the decorated endpoint; stack it for routes with several
    (`@returns(A)` + `@returns(B, status=202)`). `model=None` with the default media: no body (204);
    with another media type: a body of that type (`returns(media="text/plain")`)."""

    def mark(endpoint):
        ref = model
        if isinstance(model, str) and ":" not in model:
            ref = f"{endpoint.__module__.rpartition('.')[0]}.responses:{model}"
        declared = list(getattr(endpoint, ATTRIBUTE, ()))
        declared.append(Returns(ref, status, media, description))
        setattr(endpoint, ATTRIBUTE, tuple(declared))
        return endpoint

    return mark


def declared(endpoint) -> tuple[Returns, ...]:
    return getattr(endpoint, ATTRIBUTE, ())


def resolve(model: Any) -> Any:
    """The type a declaration names ("module:expression" evaluated in that module, like an annotation)."""
    if isinstance(model, str):
        module, _, expression = model.partition(":")
        namespace = {"Any": Any, **globals(), **vars(importlib.import_module(module))}
        return eval(expression, namespace)  # noqa: S307 - our own source's type expressions
    return model


def status_of(entry: Returns, route_status: int | None) -> int:
    return entry.status or route_status or 200


# A JSON `null` answer (`returns(None)` means no body at all).
Null = type(None)


class ErrorAnswer:
    """`returns(ErrorAnswer, status=501)`: a route-specific error status in the one error format
    (the `Error` schema of paperclip.api.openapi; the usual 4xx are added by rule there)."""


# -- building blocks shared by many wire models ---------------------------------------------------


class Ok(Wire):
    ok: bool
