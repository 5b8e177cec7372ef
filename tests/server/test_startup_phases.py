"""Start-up phases (PAPERCLIP_STARTUP_TRACE, read by bench/startup_bench.py): the server process
builds the application once, before it forks; its HTTP worker serves that app and the background
process starts its heartbeat runtime, neither building an app of its own."""

from __future__ import annotations

from pathlib import Path

from .conftest import free_port


def test_the_app_is_built_once_by_the_server_process_before_its_workers_start(
    start, onboard, database_url: str, tmp_path: Path
):
    onboard("local_trusted")
    port, trace = free_port(), tmp_path / "trace.txt"
    server = start(
        "run", env={"PORT": str(port), "DATABASE_URL": database_url, "PAPERCLIP_STARTUP_TRACE": str(trace)}
    )
    assert server.wait_healthy(port).status_code == 200
    assert server.terminate(timeout=12) == 0
    marks = [line.split(" ", 3) for line in trace.read_text().splitlines()]
    by_phase = {phase: (float(at), int(pid)) for at, pid, _cpu, phase in marks}
    parent = server.proc.pid
    for phase in ("cli", "preflight", "app imported", "app built", "database ready", "listening"):
        assert by_phase[phase][1] == parent, phase
    assert [phase for _at, _pid, _cpu, phase in marks].count("app built") == 1
    workers = {by_phase["http started"][1], by_phase["background started"][1]}
    assert parent not in workers and len(workers) == 2
    assert by_phase["app built"][0] <= by_phase["listening"][0] <= by_phase["http started"][0]
