"""Where `paperclipai auth login` keeps board API keys: `<PAPERCLIP_HOME>/auth.json` (mode 0600), keyed by
API base. Standard library only: the client commands read it on every call and must start fast."""

from __future__ import annotations

import json
import os
from pathlib import Path


def store_path(home: Path) -> Path:
    return home / "auth.json"


def load(home: Path) -> dict:
    try:
        data = json.loads(store_path(home).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(home: Path, data: dict) -> None:
    path = store_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    os.chmod(path, 0o600)


def stored_token(api_base: str, home: Path) -> str | None:
    """The board API key `auth login` stored for this API base, if any."""
    entry = load(home).get(api_base.rstrip("/"))
    return entry.get("token") if isinstance(entry, dict) else None
