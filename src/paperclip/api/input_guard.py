"""One validation layer for what reaches PostgreSQL, applied to every API route by its route class
(`paperclip.api.router.PrecheckedRoute`), so a new route has it without asking:

- the path and the query string: no NUL (PostgreSQL text cannot hold one);
- GET routes: every query parameter is one the route declares (an unknown filter is refused by
  name rather than silently ignored, which would answer every row; `OPEN_QUERY` opts a route out);
- integer query parameters: within the bounds the route declares, else PostgreSQL's `integer` range
  (a `limit` of a thousand digits, an `afterSeq` past the column);
- JSON bodies: no NUL and no lone surrogate in any string or key (neither can be stored, nor
  written as UTF-8), nesting at most `MAX_JSON_DEPTH` deep, integers within 64 bits, no NaN or
  Infinity (jsonb refuses them).

Each violation is a 400 naming the field. Behind it, a data error PostgreSQL still raises (SQLSTATE
class 22: a value out of a column's range, say) is a 400 too (`is_data_error`), never a 500.
"""

from __future__ import annotations

import json
import math
import re
import typing
from typing import Any
from urllib.parse import unquote_plus

from starlette.exceptions import HTTPException
from starlette.requests import Request

MAX_JSON_DEPTH = 32
INT4 = (-(2**31), 2**31 - 1)
INT8 = (-(2**63), 2**63 - 1)
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


class BadInput(HTTPException):
    def __init__(self, message: str):
        super().__init__(status_code=400, detail=message)


def text_problem(value: str) -> str | None:
    found = _BAD_CHARS.search(value)
    if found is None:
        return None
    return (
        "contains a NUL character"
        if found.group() == "\x00"
        else "contains a lone surrogate (not valid UTF-8)"
    )


def json_problem(value: Any) -> str | None:
    """What makes a parsed JSON document unstorable, with where it is; None when nothing does."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "body")]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return f"{where} {problem}"
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not INT8[0] <= item <= INT8[1]:
                return f"{where} is out of range (64-bit integers only)"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"{where} is not a finite number"
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                return f"{where} is nested more than {MAX_JSON_DEPTH} levels deep"
            if isinstance(item, dict):
                for key, child in item.items():
                    problem = text_problem(key)
                    if problem:
                        return f"a key in {where} {problem}"
                    stack.append((child, depth + 1, f"{where}.{key}" if where != "body" else key))
            else:
                stack.extend((child, depth + 1, f"{where}[{i}]") for i, child in enumerate(item))
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class CheckedRequest(Request):
    """A request whose JSON body is parsed once and checked (FastAPI parses bodies through `json()`)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                value = json.loads(body, parse_constant=_reject_constant)
            except RecursionError:
                raise BadInput(f"Request body is nested more than {MAX_JSON_DEPTH} levels deep") from None
            except UnicodeDecodeError:
                raise BadInput("Request body is not valid UTF-8") from None
            except json.JSONDecodeError:
                raise
            except ValueError as exc:
                raise BadInput(f"Request body: {exc}") from None
            problem = json_problem(value)
            if problem:
                raise BadInput(f"Invalid request body: {problem}")
            self._json = value
        return self._json


def int_params(route) -> list[tuple[str, int, int]]:
    """(query name, low, high) of a route's integer query parameters: the bounds it declares, else
    PostgreSQL's `integer` range."""
    fields, pending = [], [route.dependant]
    while pending:  # the route's own parameters and those of its dependencies
        dependant = pending.pop()
        fields.extend(dependant.query_params)
        pending.extend(dependant.dependencies)
    found = []
    for field in fields:
        annotation = field.field_info.annotation
        if annotation is not int and int not in typing.get_args(annotation):
            continue
        low, high = INT4
        for meta in field.field_info.metadata:
            if isinstance(getattr(meta, "ge", None), int):
                low = max(low, meta.ge)
            if isinstance(getattr(meta, "gt", None), int):
                low = max(low, meta.gt + 1)
            if isinstance(getattr(meta, "le", None), int):
                high = min(high, meta.le)
            if isinstance(getattr(meta, "lt", None), int):
                high = min(high, meta.lt - 1)
        found.append((field.alias, low, high))
    return found


# A GET route may opt out of the known-parameter check (it reads its query string itself, or forwards it):
# `@router.get(path, openapi_extra={OPEN_QUERY: True})`.
OPEN_QUERY = "x-paperclip-open-query"


def known_query_names(route) -> frozenset[str] | None:
    """The query parameters a GET route declares (its own and its dependencies'); None when the route
    accepts any (not a GET, or marked OPEN_QUERY)."""
    if "GET" not in (route.methods or ()) or (route.openapi_extra or {}).get(OPEN_QUERY):
        return None
    names: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        names.update(field.alias for field in dependant.query_params)
        pending.extend(dependant.dependencies)
    return frozenset(names)


def _unknown_query_name(query_string: bytes, known: frozenset[str]) -> str | None:
    for pair in query_string.split(b"&"):
        if not pair:
            continue
        raw = pair.split(b"=", 1)[0]
        name = unquote_plus(raw.decode("latin-1"))
        if name not in known:
            return name
    return None


def check_query(
    scope, request: Request, ints: list[tuple[str, int, int]], known: frozenset[str] | None = None
) -> None:
    query_string = scope.get("query_string", b"")
    if "\x00" in scope.get("path", "") or b"%00" in query_string:
        raise BadInput("NUL characters are not allowed in the URL")
    if known is not None and query_string:
        # A filter we do not know would otherwise be ignored: the caller would get every row and take
        # it for the filtered answer. Refuse it by name instead.
        unknown = _unknown_query_name(query_string, known)
        if unknown is not None:
            accepted = ", ".join(sorted(known)) or "none"
            raise BadInput(f"Unknown query parameter '{unknown[:100]}' (accepted: {accepted})")
    if ints:
        params = request.query_params
        for name, low, high in ints:
            for raw in params.getlist(name):
                text = raw.strip()
                digits = text[1:] if text[:1] in "+-" else text
                # never parse a thousand digits: past 12 it is out of range anyway
                if digits.isdigit() and (len(digits) > 12 or not low <= int(text) <= high):
                    raise BadInput(f"Query parameter {name} must be an integer from {low} to {high}")


def is_data_error(exc: BaseException) -> bool:
    """A database error caused by the data sent (SQLSTATE class 22: out of range, invalid text, NUL, …)."""
    seen = 0
    while exc is not None and seen < 5:
        state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
        if isinstance(state, str) and state.startswith("22"):
            return True
        module = type(exc).__module__ or ""
        if type(exc).__name__ == "DataError" and module.startswith(("psycopg", "asyncpg")):
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__
        seen += 1
    return False
