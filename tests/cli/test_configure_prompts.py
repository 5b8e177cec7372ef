"""The interactive sections of `configure`, answered by a scripted stand-in for questionary."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperclip.cli import configure_prompts
from paperclip.cli.configure import SECTIONS, load_for_update, prompt_section
from paperclip.config.store import read_config, write_config


class _Answer:
    def __init__(self, value):
        self.value = value

    def unsafe_ask(self):
        return self.value


class ScriptedQuestions:
    """Answers by label prefix; anything unscripted takes the offered default (like pressing Enter)."""

    def __init__(self, script: dict[str, object]):
        self.script = script
        self.asked: list[str] = []

    def _answer(self, label: str, default):
        self.asked.append(label)
        for prefix, value in self.script.items():
            if label.startswith(prefix):
                return value
        return default

    def text(self, label, default="", validate=None):
        value = self._answer(label, default)
        if validate is not None:
            assert validate(value) is True, (label, value, validate(value))
        return _Answer(value)

    def select(self, label, choices, default=None):
        value = self._answer(label, default)
        assert value in choices
        return _Answer(value)

    def confirm(self, label, default=False):
        return _Answer(self._answer(label, default))

    def password(self, label):
        return _Answer(self._answer(label, ""))


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "config.json"
    write_config(path, {"server": {"deploymentMode": "local_trusted"}}, "onboard")
    return path


def answer(monkeypatch, script: dict[str, object]) -> ScriptedQuestions:
    questions = ScriptedQuestions(script)
    monkeypatch.setattr(configure_prompts, "_q", lambda: questions)
    return questions


@pytest.mark.parametrize("section", SECTIONS)
def test_accepting_every_default_keeps_a_valid_config(monkeypatch, config_path: Path, section: str):
    questions = answer(monkeypatch, {"LLM provider": "claude"})
    data = load_for_update(config_path)
    prompt_section(data, section)
    write_config(config_path, data, "configure")
    assert read_config(config_path) is not None and questions.asked


def test_server_section_to_authenticated_public(monkeypatch, config_path: Path):
    answer(
        monkeypatch,
        {
            "Deployment mode": "authenticated",
            "Exposure": "public",
            "Bind": "lan",
            "Public base URL": "https://pc.example.com/",
            "Allowed hostnames": "B.example, a.example",
            "Port": "3300",
        },
    )
    data = load_for_update(config_path)
    prompt_section(data, "server")
    config = write_config(config_path, data, "configure")
    assert (config.server.deploymentMode, config.server.exposure, config.server.host, config.server.port) == (
        "authenticated",
        "public",
        "0.0.0.0",
        3300,
    )
    assert config.server.allowedHostnames == ["a.example", "b.example"]
    assert (config.auth.baseUrlMode, config.auth.publicBaseUrl) == ("explicit", "https://pc.example.com")


def test_storage_section_to_s3(monkeypatch, config_path: Path):
    answer(
        monkeypatch,
        {
            "Storage provider": "s3",
            "S3 bucket": "files",
            "S3 endpoint": "http://127.0.0.1:9000",
            "Force path-style": True,
        },
    )
    data = load_for_update(config_path)
    prompt_section(data, "storage")
    s3 = write_config(config_path, data, "configure").storage.s3
    assert (s3.bucket, s3.endpoint, s3.forcePathStyle) == ("files", "http://127.0.0.1:9000", True)
