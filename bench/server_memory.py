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


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) summed over the server's processes: forked workers share pages, which RSS counts
    once per process and PSS divides among them (so the PSS sum is what the server really takes)."""
    tree = server_tree(pid)
    return (
        sum(_field_kib(p, "VmRSS:", "status") for p in tree),
        sum(_field_kib(p, "Pss:", "smaps_rollup") for p in tree),
    )


def describe(pid: int) -> str:
    """`PSS 123.4 MiB (RSS 234.5 MiB) in N processes: parent a, b, c MiB`"""
    tree = server_tree(pid)
    pss = [_field_kib(p, "Pss:", "smaps_rollup") / 1024 for p in tree]
    rss = sum(_field_kib(p, "VmRSS:", "status") for p in tree) / 1024
    each = ", ".join(f"{value:.1f}" for value in pss)
    return f"PSS {sum(pss):.1f} MiB (RSS {rss:.1f} MiB) in {len(tree)} processes: {each} MiB"
