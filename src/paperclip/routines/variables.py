"""Routine variables: `{{name}}` placeholders in the title and description, their definitions (type,
default, required) and the interpolation into the issue a run creates."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from paperclip.errors import Unprocessable

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")
MAX_VALUE_CHARS = 10_000


def placeholders(*texts: str | None) -> list[str]:
    """Names in order of first appearance."""
    seen: dict[str, None] = {}
    for text in texts:
        for match in PLACEHOLDER.finditer(text or ""):
            seen.setdefault(match.group(1), None)
    return list(seen)


def _definition(name: str, given: dict[str, Any] | None) -> dict[str, Any]:
    given = given or {}
    options = given.get("options") or []
    return {
        "name": name,
        "type": given.get("type") or "text",
        "label": given.get("label"),
        "options": [str(o) for o in options],
        "required": bool(given.get("required", True)),
        "defaultValue": given.get("defaultValue"),
    }


def definitions(
    title: str | None, description: str | None, given: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """One definition per placeholder of the text (as the original does: definitions of names the text
    does not use are dropped, placeholders without one get a required text variable)."""
    by_name = {d.get("name"): d for d in (given or []) if isinstance(d, dict)}
    return [_definition(name, by_name.get(name)) for name in placeholders(title, description)]


def missing_defaults(defs: list[dict[str, Any]]) -> list[str]:
    return [d["name"] for d in defs if d.get("required") and d.get("defaultValue") in (None, "")]


def resolve(defs: list[dict[str, Any]], supplied: dict[str, Any] | None) -> tuple[dict[str, str], list[str]]:
    """The values of a run (supplied over defaults) and the names of required variables left without one."""
    supplied = supplied or {}
    values: dict[str, str] = {}
    missing: list[str] = []
    for d in defs:
        name = d["name"]
        value = supplied.get(name, d.get("defaultValue"))
        if value is None or value == "":
            if d.get("required", True):
                missing.append(name)
            value = ""
        values[name] = value if isinstance(value, str) else json.dumps(value)
        if len(values[name]) > MAX_VALUE_CHARS:
            raise Unprocessable(
                f"Routine variable {name} is longer than {MAX_VALUE_CHARS} characters",
                details={"field": f"variables.{name}"},
            )
    return values, missing


def interpolate(text: str | None, values: dict[str, str]) -> str | None:
    if text is None:
        return None
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def fingerprint(values: dict[str, str]) -> str:
    """Identifies what a run asks for: runs with the same values coalesce into one open issue."""
    return hashlib.sha256(json.dumps(values, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
