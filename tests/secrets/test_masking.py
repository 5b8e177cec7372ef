"""Masking by value, chunk by chunk (heartbeat.env.Masker / StreamMask)."""

from __future__ import annotations

import random

from paperclip.heartbeat.env import Masker
from paperclip.secrets.run_env import resolve_config_env

R = "***REDACTED***"


def _feed_all(masker: Masker, chunks: list[str]) -> str:
    stream = masker.stream()
    return "".join(stream.feed(c) for c in chunks) + stream.flush()


def test_a_secret_split_across_chunks_is_masked():
    masker = Masker(["ghp_ABCDEFGH12345678"])
    assert _feed_all(masker, ["token=ghp_ABC", "DEFGH1234", "5678 done\n"]) == f"token={R} done\n"
    # every split point of every position
    text = "before ghp_ABCDEFGH12345678 middle ghp_ABCDEFGH12345678 after"
    for cut in range(len(text) + 1):
        assert _feed_all(masker, [text[:cut], text[cut:]]) == f"before {R} middle {R} after"


def test_random_chunking_never_leaks_and_keeps_other_text():
    secrets = ["hunter2!", "sk-ant-XYZ0123456789", "abcd"]
    masker = Masker(secrets)
    rng = random.Random(7)
    text = "".join(
        rng.choice(["x ", "hunter", "2!", "sk-ant-", "XYZ0123456789", "ab", "cd", "a", "\n"])
        for _ in range(400)
    )
    expected = masker.text(text)
    for _ in range(50):
        cuts = sorted(rng.sample(range(len(text)), 25))
        chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        assert _feed_all(masker, chunks) == expected


def test_a_held_back_prefix_that_is_not_a_secret_is_released():
    masker = Masker(["secret-value-123"])
    stream = masker.stream()
    assert stream.feed("the sec") == "the "
    assert stream.feed("ond line\n") == "second line\n"
    assert stream.feed("tail secret-val") == "tail "
    assert stream.flush() == "secret-val"


async def test_what_is_masked_by_value():
    async def resolve(binding):
        return {"a": "abcd", "b": "xy"}[binding["secretId"]]

    env = {
        "REF": {"type": "secret_ref", "secretId": "a"},
        "TINY_REF": {"type": "secret_ref", "secretId": "b"},
        "DB_PASS": "pw12",
        "ANTHROPIC_KEY": {"type": "plain", "value": "k123"},
        "GITHUB_PAT": "ghp1",
        "WORKDIR": "/srv/agent/work",
        "MODE": "prod",
        "FLAG": "true",
        "COUNT": "12345678",
        "LONG_FLAG": "false",
    }
    values, masked = await resolve_config_env(env, resolve)
    assert values["REF"] == "abcd" and values["DB_PASS"] == "pw12"
    # references and credential-like names from 4 characters; other plain values from 8; never literals
    assert masked == {"abcd", "pw12", "k123", "ghp1", "/srv/agent/work"}


def test_long_secrets_split_anywhere_are_masked():
    pem = "-----BEGIN KEY-----" + "Q" * 300 + "-----END KEY-----"
    masker = Masker([pem, "short-secret"])
    text = f"a {pem} b short-secret c"
    for cut in range(0, len(text), 7):
        assert _feed_all(masker, [text[:cut], text[cut:]]) == f"a {R} b {R} c"
