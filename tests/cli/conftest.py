"""Run the real `paperclipai` executable in an isolated home, without the caller's Paperclip env."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

CLI = Path(sys.executable).parent / "paperclipai"


def clean_env(home: Path, extra: dict[str, str | None] | None = None) -> dict[str, str]:
    """The process env minus anything that configures Paperclip, so a developer's shell cannot leak in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PAPERCLIP_", "BETTER_AUTH_", "HEARTBEAT_"))
        and k not in ("DATABASE_URL", "HOST", "PORT")
    }
    env.update({"PAPERCLIP_HOME": str(home), "COLUMNS": "250", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"})
    env.update(extra or {})
    return {k: v for k, v in env.items() if v is not None}  # None in `extra` removes a variable


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "cwd"
    path.mkdir()
    return path


@pytest.fixture
def cli_process(workdir: Path, paperclip_home: Path) -> Callable[..., subprocess.CompletedProcess]:
    """The installed `paperclipai` executable as a child process (stdin not a terminal)."""

    def run(
        *args: str, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(CLI), *args],
            env=clean_env(paperclip_home, env),
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(workdir: Path, paperclip_home: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """The same command line run in this process (much faster on a loaded machine); same isolation."""
    from typer.testing import CliRunner

    from paperclip.cli.main import app

    monkeypatch.chdir(workdir)

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        wanted = clean_env(paperclip_home, env)
        overrides: dict[str, str | None] = {k: None for k in os.environ if k not in wanted}
        overrides.update(wanted)
        result = CliRunner().invoke(app, list(args), env=overrides, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def instance_dir(paperclip_home: Path) -> Path:
    return paperclip_home / "instances" / "default"
