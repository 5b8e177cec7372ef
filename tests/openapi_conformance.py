"""Every answer the tests' in-process client receives is checked against /api/openapi.json (issue 15).

tests/conftest.py's `client` hooks `Conformance.check` onto every response: a 2xx answer of an API
route that declares its success answers (paperclip.api.responses.returns) must have a declared status
and media type, and a JSON body valid against the declared schema — with unknown properties refused
(the document itself leaves objects open so old clients survive new fields; the check closes every
object that lists its properties, so a field the server sends must be in the model). So the
mutations and reads of every suite that uses `client` keep the document true, not only the tests
written for it. Routes without a declaration fail tests/api/test_openapi_responses.py instead.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.routing import Match

from paperclip.api.responses import declared

DOC_URI = "urn:paperclip-openapi"
_CACHE: dict[tuple, Conformance] = {}


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def closed(node: Any) -> Any:
    """The schema with every object that lists its properties refusing others."""
    if isinstance(node, dict):
        out = {k: closed(v) for k, v in node.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [closed(v) for v in node]
    return node


class Conformance:
    def __init__(self, app: FastAPI) -> None:
        self.document = app.openapi()
        self.strict = closed(copy.deepcopy(self.document))
        self.registry = Registry().with_resource(DOC_URI, Resource(self.strict, DRAFT202012))
        self.routes = [r for r in app.routes if isinstance(r, APIRoute) and r.path.startswith("/api")]
        self._validators: dict[tuple[str, str, str, str], Draft202012Validator] = {}
        self.checked: set[tuple[str, str]] = set()  # (METHOD, route path) whose answer was validated

    @classmethod
    def of(cls, app: FastAPI) -> Conformance:
        key = tuple(
            (r.path, tuple(sorted(r.methods or ())), r.name) for r in app.routes if isinstance(r, APIRoute)
        )
        if key not in _CACHE:
            _CACHE[key] = cls(app)
        return _CACHE[key]

    def route_of(self, method: str, path: str) -> APIRoute | None:
        scope = {"type": "http", "path": path, "method": method, "root_path": ""}
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return route
        return None

    def validator(self, path: str, method: str, code: str, media: str) -> Draft202012Validator:
        key = (path, method, code, media)
        if key not in self._validators:
            ref = _pointer("paths", path, method, "responses", code, "content", media, "schema")
            self._validators[key] = Draft202012Validator(
                {"$ref": f"{DOC_URI}#/{ref}"},
                registry=self.registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,  # uuid, date-time, date
            )
        return self._validators[key]

    def problems(
        self, method: str, path: str, status: int, content_type: str, body: bytes | None
    ) -> list[str]:
        """What is wrong with this answer according to the document ([] when it conforms); the body
        is None when it was not read (only JSON is)."""
        if not 200 <= status < 300:
            return []
        route = self.route_of(method, path)
        if route is None or not declared(route.endpoint):
            return []
        operation = self.document["paths"][route.path][method.lower()]
        where = f"{method} {route.path} -> {status}"
        answer = operation["responses"].get(str(status))
        if answer is None:
            return [f"{where}: status not declared (declared: {sorted(operation['responses'])})"]
        content = answer.get("content") or {}
        if not content:
            return [f"{where}: declared without a body, answered {len(body)} bytes"] if body else []
        media = (content_type or "").split(";")[0].strip()
        if media not in content and "*/*" not in content:
            return [f"{where}: answered {media!r}, declared {sorted(content)}"]
        if media != "application/json" or body is None:
            return []
        self.checked.add((method, route.path))
        errors = sorted(
            self.validator(route.path, method.lower(), str(status), media).iter_errors(json.loads(body)),
            key=lambda e: str(list(e.absolute_path)),
        )
        return [
            f"{where}: at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}"
            for e in errors[:5]
        ]

    async def check(self, response: httpx.Response) -> None:
        """An httpx response hook: fails the request's test when the answer contradicts the document."""
        if response.headers.get("content-type", "").startswith("application/json"):
            await response.aread()  # never for event streams or downloads, which a test may stream
        found = self.problems(
            response.request.method,
            response.request.url.path,
            response.status_code,
            response.headers.get("content-type", ""),
            response.content if response.is_stream_consumed else None,
        )
        if found:
            raise AssertionError("answer does not match /api/openapi.json:\n" + "\n".join(found))
