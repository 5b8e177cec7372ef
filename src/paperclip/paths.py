"""Where an instance keeps its files: home dir, instance root, config lookup (reference §1, §2.1)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from paperclip.errors import ConfigError

INSTANCE_ID_RE = re.compile(r"^[A-Za-z0-9_-]+$")
DEFAULT_INSTANCE_ID = "default"


def expand(path: str | Path) -> Path:
    return Path(str(path)).expanduser()


def resolve_home(env: Mapping[str, str], data_dir: str | None = None) -> Path:
    if data_dir:
        return expand(data_dir).resolve()
    raw = env.get("PAPERCLIP_HOME", "").strip()
    return (expand(raw) if raw else Path.home() / ".paperclip").resolve()


def resolve_instance_id(env: Mapping[str, str], instance: str | None = None) -> str:
    value = instance or env.get("PAPERCLIP_INSTANCE_ID", "").strip() or DEFAULT_INSTANCE_ID
    if not INSTANCE_ID_RE.match(value):
        raise ConfigError(
            f"Invalid instance id '{value}'. Allowed characters: letters, numbers, '_' and '-'. "
            "(set by --instance/-i or PAPERCLIP_INSTANCE_ID)"
        )
    return value


@dataclass(frozen=True)
class InstancePaths:
    home: Path
    instance_id: str

    @property
    def root(self) -> Path:
        return self.home / "instances" / self.instance_id

    @property
    def default_config(self) -> Path:
        return self.root / "config.json"

    @property
    def db_dir(self) -> Path:
        return self.root / "db"

    @property
    def storage_dir(self) -> Path:
        return self.root / "data" / "storage"

    @property
    def backups_dir(self) -> Path:
        return self.root / "data" / "backups"

    @property
    def run_logs_dir(self) -> Path:
        return self.root / "data" / "run-logs"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def master_key(self) -> Path:
        return self.root / "secrets" / "master.key"


def find_config_file(
    env: Mapping[str, str], paths: InstancePaths, explicit: str | None = None, cwd: Path | None = None
) -> Path:
    """Lookup order: explicit path, PAPERCLIP_CONFIG, `.paperclip/config.json` up from cwd, instance."""
    if explicit:
        return expand(explicit).resolve()
    from_env = env.get("PAPERCLIP_CONFIG", "").strip()
    if from_env:
        return expand(from_env).resolve()
    here = (cwd or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / ".paperclip" / "config.json"
        # The home dir itself is `~/.paperclip`, whose config lives under instances/, not here.
        if candidate.is_file():
            return candidate
    return paths.default_config
