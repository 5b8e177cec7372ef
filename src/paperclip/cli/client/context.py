"""CLI context profiles in `<data dir>/context.json` (the original's file layout, version 2)."""

from __future__ import annotations

import json
import os
from pathlib import Path

EMPTY = {"version": 2, "currentProfile": "default", "profiles": {"default": {}}}


def context_path(explicit: str | None, data_dir: str | None, env: dict[str, str]) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    home = data_dir or env.get("PAPERCLIP_HOME") or str(Path.home() / ".paperclip")
    return Path(home).expanduser() / "context.json"


def load(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return json.loads(json.dumps(EMPTY))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"error: cannot read the context file {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("profiles"), dict):
        raise SystemExit(f"error: {path} is not a Paperclip context file (expected a 'profiles' object)")
    data.setdefault("version", 2)
    data.setdefault("currentProfile", "default")
    return data


def save(path: Path, data: dict) -> None:
    """Written whole to a temp file and renamed: a crash never leaves half a file; 0600 (it may name key variables)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)


def active_profile(data: dict, name: str | None) -> tuple[str, dict]:
    profile_name = name or data.get("currentProfile") or "default"
    return profile_name, dict(data["profiles"].get(profile_name) or {})
