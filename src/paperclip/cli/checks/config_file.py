"""Check 1, Config file: found and valid; without it the other checks have nothing to check."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from paperclip.cli.checks.base import CheckResult
from paperclip.config.store import read_config
from paperclip.errors import ConfigError

NAME = "Config file"


def check(config_path: Path, env: Mapping[str, str]) -> CheckResult:
    try:
        config = read_config(config_path)
    except ConfigError as exc:
        return CheckResult(
            NAME,
            "fail",
            exc.message,
            "Fix the file, or move it away and run `paperclipai onboard`",
            stop=True,
        )
    if config is not None:
        return CheckResult(NAME, "pass", f"Valid config at {config_path}")
    if env.get("PAPERCLIP_DEPLOYMENT_MODE", "").strip():
        # Containers are often configured by environment variables alone; that is a choice, not an error.
        return CheckResult(
            NAME,
            "warn",
            f"No config file at {config_path}; using environment variables and defaults",
            "Run `paperclipai onboard` to write one",
        )
    return CheckResult(
        NAME, "fail", f"Config file not found at {config_path}", "Run `paperclipai onboard`", stop=True
    )
