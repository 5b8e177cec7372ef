"""Upload and download throughput of one large file through the API, to local disk and to S3, with
the server's peak memory during each transfer (a script that prints figures, not a test).

    .venv/bin/python bench/storage_bench.py [--mb 50]

Starts `paperclipai run` (embedded PostgreSQL, one HTTP process) twice on throwaway homes: once with
local-disk storage, once with S3 storage on a moto server on 127.0.0.1. For each it uploads an
N MB attachment (multipart, streamed from a file) and downloads it again, sampling the RSS of the
server's processes (PostgreSQL excluded) every 10 ms. Streaming shows as a peak that stays near the
idle figure whatever N is; buffering would add about N MB (or several times N).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup_bench import free_port, rss_kib  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXE = str(ROOT / ".venv" / "bin" / "paperclipai")
AWS = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


class Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            try:
                self.peak = max(self.peak, rss_kib(self.pid)[0])
            except (OSError, RuntimeError):
                pass
            time.sleep(0.01)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak


def wait_healthy(url: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited during start-up")
        time.sleep(0.2)
    raise SystemExit(f"{what} did not start in 120 s")


def start_moto() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    wait_healthy(endpoint, proc, "moto server")
    return proc, endpoint


def start_server(home: Path, extra: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        **AWS,
        "PAPERCLIP_HOME": str(home),
        "PORT": str(port),
        "HEARTBEAT_SCHEDULER_ENABLED": "false",
        "PAPERCLIP_DB_BACKUP_ENABLED": "false",
        "PAPERCLIP_EMBEDDED_POSTGRES_PORT": str(free_port()),
        "PAPERCLIP_LOG_LEVEL": "warning",
        "PAPERCLIP_ATTACHMENT_MAX_BYTES": str(512 * 1024 * 1024),
        **extra,
    }
    subprocess.run([EXE, "onboard"], env=env, check=True, stdout=subprocess.DEVNULL)
    proc = subprocess.Popen([EXE, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base + "/api/health", proc, "paperclipai run")
    return proc, base


def measure(label: str, proc: subprocess.Popen, base: str, payload: Path, digest: str) -> dict:
    size_mb = payload.stat().st_size / 1e6
    with httpx.Client(base_url=base, timeout=300) as client:
        cid = client.post("/api/companies", json={"name": f"Bench {label}"}).json()["id"]
        issue = client.post(f"/api/companies/{cid}/issues", json={"title": "big file"}).json()
        time.sleep(1)
        idle = rss_kib(proc.pid)[0]
        sampler = Sampler(proc.pid)
        sampler.start()
        started = time.perf_counter()
        with open(payload, "rb") as handle:
            res = client.post(
                f"/api/companies/{cid}/issues/{issue['id']}/attachments",
                files={"file": ("big.pdf", handle, "application/pdf")},
            )
        up_seconds = time.perf_counter() - started
        up_peak = sampler.stop()
        if res.status_code != 201:
            raise SystemExit(f"{label}: upload failed: {res.status_code} {res.text}")
        att = res.json()
        assert att["sha256"] == digest, "stored bytes differ"
        before_down = rss_kib(proc.pid)[0]
        sampler = Sampler(proc.pid)
        sampler.start()
        started = time.perf_counter()
        check = hashlib.sha256()
        with client.stream("GET", att["contentPath"]) as stream:
            for chunk in stream.iter_raw(1024 * 1024):
                check.update(chunk)
        down_seconds = time.perf_counter() - started
        down_peak = sampler.stop()
        assert check.hexdigest() == digest, "downloaded bytes differ"
    return {
        "label": label,
        "mb": size_mb,
        "up": size_mb / up_seconds,
        "down": size_mb / down_seconds,
        "idle": idle / 1024,
        "up_peak": up_peak / 1024,
        "before_down": before_down / 1024,
        "down_peak": down_peak / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--only", choices=["local_disk", "s3"], help="measure one provider only")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="paperclip-storage-bench-"))
    os.chmod(work, 0o755)
    payload = work / "payload.bin"
    with open(payload, "wb") as handle:
        for _ in range(args.mb):
            handle.write(os.urandom(1024 * 1024))
    digest = hashlib.sha256(payload.read_bytes()).hexdigest()
    moto, endpoint = start_moto()
    results = []
    try:
        import boto3

        os.environ.update(AWS)
        boto3.session.Session().client("s3", region_name="us-east-1", endpoint_url=endpoint).create_bucket(
            Bucket="bench"
        )
        for label, extra in (
            ("local_disk", {}),
            (
                "s3 (moto)",
                {
                    "PAPERCLIP_STORAGE_PROVIDER": "s3",
                    "PAPERCLIP_STORAGE_S3_BUCKET": "bench",
                    "PAPERCLIP_STORAGE_S3_ENDPOINT": endpoint,
                    "PAPERCLIP_STORAGE_S3_FORCE_PATH_STYLE": "true",
                },
            ),
        ):
            if args.only and not label.startswith(args.only):
                continue
            proc, base = start_server(work / label.split()[0], extra)
            try:
                results.append(measure(label, proc, base, payload, digest))
            finally:
                proc.terminate()
                proc.wait(30)
    finally:
        moto.terminate()
        moto.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"{args.mb} MB attachment through the API (server RSS in MB, PostgreSQL excluded; load {os.getloadavg()[0]:.1f})"
    )
    print(
        f"{'storage':<12} {'upload MB/s':>12} {'download MB/s':>14} {'RSS before up':>14} {'peak up':>8} "
        f"{'RSS before down':>16} {'peak down':>10}"
    )
    for r in results:
        print(
            f"{r['label']:<12} {r['up']:>12.1f} {r['down']:>14.1f} {r['idle']:>14.0f} {r['up_peak']:>8.0f} "
            f"{r['before_down']:>16.0f} {r['down_peak']:>10.0f}"
        )


if __name__ == "__main__":
    main()
