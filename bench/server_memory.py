"""Memory of a running `paperclipai run`: its process and the worker processes it forked (the HTTP
workers and the background process), PostgreSQL excluded. Read from /proc (Linux)."""

from __future__ import annotations

from pathlib import Path


def server_tree(pid: int) -> list[int]:
    """The server process and its worker processes, PostgreSQL (and agent processes' postgres
    clients) excluded."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            if "postgres" in Path(f"/proc/{current}/cmdline").read_bytes().decode(errors="replace"):
                continue
            tree.append(current)
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(child) for child in children)
    return tree


def _field_kib(pid: int, field: str, path: str) -> int:
    for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for pid {pid}")


def _pss_rss_kib(pid: int) -> tuple[int, int] | None:
    try:
        return _field_kib(pid, "Pss:", "smaps_rollup"), _field_kib(pid, "VmRSS:", "status")
    except OSError:  # gone meanwhile (a short-lived helper process)
        return None


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) summed over the server's processes: forked workers share pages, which RSS counts
    once per process and PSS divides among them (so the PSS sum is what the server really takes)."""
    found = [m for m in map(_pss_rss_kib, server_tree(pid)) if m is not None]
    return sum(rss for _, rss in found), sum(pss for pss, _ in found)


def describe(pid: int) -> str:
    """`PSS 123.4 MiB (RSS 234.5 MiB) in N processes: a, b, c MiB` (the server process first)."""
    found = [m for m in map(_pss_rss_kib, server_tree(pid)) if m is not None]
    rss = sum(rss for _, rss in found) / 1024
    each = ", ".join(f"{pss / 1024:.1f}" for pss, _ in found)
    return f"PSS {sum(pss for pss, _ in found) / 1024:.1f} MiB (RSS {rss:.1f} MiB) in {len(found)} processes: {each} MiB"
