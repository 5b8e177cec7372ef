"""Secrets: cost of masking run output by value and of resolving a local_encrypted secret.

    .venv/bin/python bench/secrets_bench.py

Prints figures; not a test. Masking runs on every chunk a run writes, so its throughput bounds
how fast an agent's output can be stored; resolution runs once per secret_ref per run.
"""

from __future__ import annotations

import os
import random
import string
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from paperclip.config import load_settings  # noqa: E402
from paperclip.heartbeat.env import Masker  # noqa: E402
from paperclip.secrets.master_key import load_master_key  # noqa: E402
from paperclip.secrets.providers.local_encrypted import decrypt, encrypt  # noqa: E402


def masking(n_secrets: int, total_bytes: int, chunk: int) -> float:
    rng = random.Random(1)
    secrets = [
        "sk-" + "".join(rng.choices(string.ascii_letters + string.digits, k=40)) for _ in range(n_secrets)
    ]
    words = [
        *("".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(500)),
        *secrets,
    ]
    text = " ".join(
        rng.choice(words) if rng.random() > 0.002 else rng.choice(secrets) for _ in range(total_bytes // 6)
    )
    text = text[:total_bytes]
    stream = Masker(secrets).stream()
    start = time.perf_counter()
    for i in range(0, len(text), chunk):
        stream.feed(text[i : i + chunk])
    stream.flush()
    return len(text) / (time.perf_counter() - start) / 1e6


def resolution(n: int) -> float:
    home = Path(tempfile.mkdtemp())
    settings = load_settings({"PAPERCLIP_HOME": str(home)}, cwd=home)
    key = load_master_key(settings).key
    material = encrypt(key, "sk-" + "x" * 48)
    start = time.perf_counter()
    for _ in range(n):
        decrypt(load_master_key(settings, create=False).key, material)
    return (time.perf_counter() - start) / n * 1e6


if __name__ == "__main__":
    print(f"cpu count {os.cpu_count()}")
    for n_secrets in (1, 10, 50):
        for chunk in (512, 4096, 65536):
            print(
                f"masking: {n_secrets:>2} secrets, {chunk:>5}-char chunks: {masking(n_secrets, 8_000_000, chunk):7.1f} MB/s"
            )
    print(
        f"resolving one local_encrypted secret (key file read + AES-256-GCM decrypt): {resolution(2000):.0f} µs"
    )
