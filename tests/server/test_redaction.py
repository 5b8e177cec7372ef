"""What the logs and activity details never contain (deploy §6.4, §8)."""

from __future__ import annotations

from paperclip.redaction import REDACTED, redact, redact_headers, redact_query, redact_text


def test_secret_keys_are_masked_at_any_depth():
    value = {
        "name": "ok",
        "password": "p",
        "nested": {"apiKey": "k", "list": [{"accessToken": "t"}]},
        "DATABASE_URL": "postgres://u:p@h/db",
        "empty_secret": "",
    }
    assert redact(value) == {
        "name": "ok",
        "password": REDACTED,
        "nested": {"apiKey": REDACTED, "list": [{"accessToken": REDACTED}]},
        "DATABASE_URL": REDACTED,
        "empty_secret": "",
    }


def test_env_bindings_keep_secret_refs_and_mask_plain_values():
    env = {
        "OPENAI_API_KEY": {"type": "secret_ref", "secretId": "s1", "version": "latest"},
        "GITHUB_TOKEN": {"type": "plain", "value": "ghp_x"},
    }
    assert redact(env) == {
        "OPENAI_API_KEY": {"type": "secret_ref", "secretId": "s1", "version": "latest"},
        "GITHUB_TOKEN": {"type": "plain", "value": REDACTED},
    }


def test_token_shaped_strings_are_masked_in_text():
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJlc2ln"
    text = f"token {jwt} and pcp_abcdefghijklmnop1234 and Authorization: Bearer abc.def-123456 via postgres://u:hunter2@h/db"
    out = redact_text(text)
    assert jwt not in out and "pcp_abcdefghijklmnop1234" not in out and "abc.def-123456" not in out
    assert "hunter2" not in out and "postgres://u:***@h/db" in out


def test_command_line_flags_lose_their_values():
    args = ["claude", "--api-key", "sk-1", "--token=tok-2", "--model", "opus", "-p", "hello"]
    assert redact(args) == [
        "claude",
        "--api-key",
        REDACTED,
        f"--token={REDACTED}",
        "--model",
        "opus",
        "-p",
        "hello",
    ]


def test_query_and_headers():
    url = redact_query("/api/x?token=a&access_token=b&api_key=c&page=2&code=d")
    assert url == f"/api/x?token={REDACTED}&access_token={REDACTED}&api_key={REDACTED}&page=2&code={REDACTED}"
    headers = redact_headers(
        {"Authorization": "Bearer x", "Cookie": "s=1", "X-Api-Key": "k", "Accept": "a/b"}
    )
    assert headers == {"Authorization": REDACTED, "Cookie": REDACTED, "X-Api-Key": REDACTED, "Accept": "a/b"}
