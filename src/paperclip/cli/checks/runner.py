"""The doctor's order of checks, its repairs, and the report (reference §12.2)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from paperclip.cli.checks import (
    config_file,
    database,
    deployment,
    jwt_secret,
    log_dir,
    secrets_key,
    server_port,
    storage,
)
from paperclip.cli.checks.base import CheckResult
from paperclip.config import Settings
from paperclip.errors import ConfigError

SETTINGS_CHECKS: list[Callable[[Settings], CheckResult]] = [
    deployment.check,
    jwt_secret.check,
    secrets_key.check,
    storage.check,
    database.check,
    log_dir.check,
    server_port.check,
]


@dataclass
class Report:
    results: list[CheckResult] = field(default_factory=list)
    settings: Settings | None = None

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> int:
        return self.count("fail")

    def summary(self) -> dict[str, int]:
        return {"passed": self.count("pass"), "warnings": self.count("warn"), "failed": self.failed}

    def to_json(self) -> dict:
        return {"checks": [r.to_json() for r in self.results], "summary": self.summary()}


def run_checks(
    config_path: Path,
    env: Mapping[str, str],
    load: Callable[[], Settings],
    *,
    repair: bool = False,
    confirm: Callable[[CheckResult], bool] = lambda result: True,
    probe_storage: bool = True,
) -> Report:
    """Run every check; with `repair`, apply each offered fix the caller confirms.

    A repair changes files the settings are built from (.env, key file), and one fix can settle an
    earlier check too (a generated PAPERCLIP_AGENT_JWT_SECRET also satisfies the authenticated-mode
    secret rule), so after any repair the settings are rebuilt and every check runs again.
    """
    report = Report()
    first = config_file.check(config_path, env)
    report.results.append(first)
    if first.stop:
        return report
    try:
        settings = load()
    except ConfigError as exc:
        report.results.append(
            CheckResult(
                "Settings", "fail", exc.message, "Fix the environment variable or config value named above"
            )
        )
        return report
    checks = [
        functools.partial(storage.check, probe=probe_storage) if c is storage.check else c
        for c in SETTINGS_CHECKS
    ]
    results = [check(settings) for check in checks]
    repaired: dict[str, str] = {}
    if repair:
        for result in results:
            if result.status == "pass" or result.repair is None or not confirm(result):
                continue
            try:
                repaired[result.name] = result.repair()
            except OSError as exc:
                result.hint = f"Repair failed: {exc}"
        if repaired:
            settings = load()
            results = [check(settings) for check in checks]
            for result in results:
                result.repaired = repaired.get(result.name)
    report.results.extend(results)
    report.settings = settings
    return report
