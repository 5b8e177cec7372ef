"""Every route of the route table, given hostile values, answers 4xx — never 5xx, never a success.

Routes added later are covered without edits: the test walks `app.routes`, fills path parameters
with real ids (a company with one of everything), and sends, one at a time, a hostile value where the
route takes input: NUL and lone surrogates in every string of a JSON body (built from the route's
own body schema), in keys, deeply nested JSON, integers past 64 bits and past a column's range,
wrong types, NUL in the path and in each query parameter, integer query parameters of a hundred
digits and past PostgreSQL's integer range.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pydantic
from fastapi.routing import APIRoute
from test_company_scoping import _company_a

NUL = "a\x00b"
SURROGATE = "a\ud800b"
DEEP: Any = "x"
for _ in range(200):
    DEEP = {"d": DEEP}
SKIP = {"/api/health"}


def _resolve(schema: dict, defs: dict) -> dict:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [_resolve(s, defs) for s in schema[key] if s.get("type") != "null"]
            if options:
                return options[0]
    return schema


def _sample(schema: dict, defs: dict, depth: int = 0) -> Any:
    schema = _resolve(schema, defs)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {
            name: _sample(props[name], defs, depth + 1) for name in schema.get("required", []) if depth < 4
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    return "x" * max(1, int(schema.get("minLength", 1)))


def _body_cases(route: APIRoute) -> list[tuple[str, Any]]:
    if route.body_field is None:
        return []
    try:
        schema = pydantic.TypeAdapter(route.body_field.field_info.annotation).json_schema()
    except Exception:  # noqa: BLE001 - a body that is not a model: the generic cases still apply
        schema = {}
    defs = schema.get("$defs", {})
    root = _resolve(schema, defs)
    base = _sample(root, defs) if root else {}
    cases: list[tuple[str, Any]] = [
        ("a list instead of an object", []),
        ("a string instead of an object", "x"),
        ("deep JSON", DEEP),
        ("a NUL key", {NUL: 1}),
        ("a surrogate key", {SURROGATE: 1}),
    ]
    for name, prop in (root.get("properties") or {}).items():
        options = [_resolve(s, defs) for s in prop.get("anyOf", [prop])]
        kinds = {o.get("type") for o in options} | (
            {"object"} if not prop.get("type") and "anyOf" not in prop and "$ref" not in prop else set()
        )
        if "string" in kinds or "object" in kinds or None in kinds:
            cases += [
                (f"NUL in {name}", {**base, name: NUL}),
                (f"surrogate in {name}", {**base, name: SURROGATE}),
            ]
        if "integer" in kinds or "number" in kinds:
            cases += [
                (f"{name} past 64 bits", {**base, name: 10**30}),
                (f"{name} past int4", {**base, name: 2**31}),
            ]
        if "object" in kinds or None in kinds:
            cases += [
                (f"deep {name}", {**base, name: DEEP}),
                (f"surrogate key in {name}", {**base, name: {SURROGATE: 1}}),
                (f"NUL in a value in {name}", {**base, name: {"k": NUL}}),
            ]
        if "array" in kinds:
            cases += [(f"NUL in an item of {name}", {**base, name: [NUL]})]
    return cases


def _query_params(route: APIRoute) -> list[tuple[str, bool]]:
    params, pending = [], [route.dependant]
    while pending:
        dependant = pending.pop()
        for field in dependant.query_params:
            annotation = field.field_info.annotation
            params.append((field.alias, annotation is int or int in getattr(annotation, "__args__", ())))
        pending.extend(dependant.dependencies)
    return params


def _path(route: APIRoute, ids: dict[str, str], override: dict[str, str] | None = None) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1).split(":")[0]
        if override and name in override:
            return override[name]
        return ids.get(name) or str(uuid.uuid4())

    return re.sub(r"\{([^}]+)\}", fill, route.path)


async def test_every_route_answers_hostile_input_with_a_4xx(api, app, client):
    ids = await _company_a(api)
    document = app.openapi()
    failures: list[str] = []
    checked = 0
    for route in [r for r in app.routes if isinstance(r, APIRoute) and r.path.startswith("/api")]:
        if route.path in SKIP:
            continue
        names = re.findall(r"\{([^}:]+)", route.path)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            requests: list[tuple[str, str, dict]] = []
            for name in names:
                requests.append((f"NUL in path {name}", _path(route, ids, {name: "a%00b"}), {}))
            for name, is_int in _query_params(route):
                requests.append((f"NUL in query {name}", _path(route, ids), {"params": {name: NUL}}))
                if is_int:
                    for value in ("9" * 100, str(2**31), "-" + "9" * 30, "abc"):
                        requests.append(
                            (f"query {name}={value[:12]}", _path(route, ids), {"params": {name: value}})
                        )
            for label, body in _body_cases(route):
                requests.append(
                    (
                        label,
                        _path(route, ids),
                        {
                            "content": json.dumps(body).encode(),  # \uXXXX escapes
                            "headers": {"content-type": "application/json"},
                        },
                    )
                )
            documented = document["paths"].get(route.path, {}).get(method.lower(), {}).get("responses")
            for label, url, kwargs in requests:
                res = await client.request(method, url, **kwargs)
                checked += 1
                if not 400 <= res.status_code < 500:
                    failures.append(f"{method} {route.path} [{label}] -> {res.status_code} {res.text[:120]}")
                elif (
                    documented is not None and str(res.status_code) not in documented
                ):  # the document tells the truth
                    failures.append(
                        f"{method} {route.path} [{label}] -> {res.status_code}, not in its OpenAPI responses"
                    )
    assert checked > 200
    assert not failures, f"{len(failures)} of {checked} hostile requests were not refused:\n" + "\n".join(
        failures
    )
