"""YAML as the original writes it (so its reader and ours both take it, and git diffs stay small), and
front matter: `---` / YAML mapping / `---` / markdown body.

Writing: two-space indents, every string double-quoted (JSON escapes are valid YAML), list items of
mappings as a bare `-` line followed by the mapping. Reading: PyYAML's safe loader; a timestamp the
loader turns into a datetime is given back as the ISO text it was written as.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import yaml

# libyaml's C loader when PyYAML was built with it (about 10x faster on a 5,000-task package); same results
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BARE_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


class YamlError(ValueError):
    """Text that is not the YAML (or the front matter) a package needs; the message says where."""


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def _key(key: str) -> str:
    return (
        key
        if _BARE_KEY.match(key) and key not in ("null", "true", "false", "yes", "no", "on", "off")
        else json.dumps(key, ensure_ascii=False)
    )


def _lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict) and item or isinstance(item, list) and item:
                out.append(f"{pad}{_key(str(key))}:")
                out.extend(_lines(item, indent + 2))
            else:
                out.append(f"{pad}{_key(str(key))}: {_inline(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list) and item:
                out.append(f"{pad}-")
                out.extend(_lines(item, indent + 2))
            else:
                out.append(f"{pad}- {_inline(item)}")
    return out


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def dump(mapping: dict[str, Any]) -> str:
    return "\n".join(_lines(mapping, 0)) + "\n" if mapping else "{}\n"


def _plain(value: Any) -> Any:
    """Dates and timestamps back to the text they were written as."""
    if isinstance(value, dt.datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


_FLAT_LINE = re.compile(r'^([A-Za-z0-9_][A-Za-z0-9_.-]*): ("(?:[^"\\]|\\.)*"|true|false|null|-?\d+)$')


def _flat(text: str) -> dict[str, Any] | None:
    """The common case written by `dump` (and the original): one `key: scalar` per line, strings JSON-quoted.
    Read without the YAML machinery (5,000 task files a package); None sends anything else to YAML."""
    out: dict[str, Any] = {}
    for line in text.split("\n"):
        if not line:
            continue
        match = _FLAT_LINE.match(line)
        if match is None or match.group(1) in out:
            return None
        try:
            out[match.group(1)] = json.loads(match.group(2))
        except ValueError:
            return None
    return out


def load(text: str, where: str) -> dict[str, Any]:
    """A YAML mapping (empty text: {}); YamlError naming `where` and the line otherwise."""
    flat = _flat(text)
    if flat is not None:
        return flat
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlError(f"Invalid YAML in {where}{line}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise YamlError(f"Invalid YAML in {where}: expected a mapping of fields, got {type(data).__name__}")
    return _plain(data)


def render_markdown(front: dict[str, Any], body: str) -> str:
    body = body.strip("\n")
    return f"---\n{dump(front)}---\n\n{body}\n" if body else f"---\n{dump(front)}---\n\n"


def parse_markdown(text: str, where: str) -> tuple[dict[str, Any], str]:
    """(front matter, body). A file without front matter is all body."""
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        return {}, text.strip("\n")
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text.strip("\n")
    for n, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            front = load("\n".join(lines[1:n]), f"the front matter of {where}")
            return front, "\n".join(lines[n + 1 :]).strip("\n")
    raise YamlError(f"Invalid front matter in {where}: the opening --- has no closing ---")
