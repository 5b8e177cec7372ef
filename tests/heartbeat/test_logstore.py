"""The local run log store opens a run's file on its first output only."""

from __future__ import annotations

import json
import uuid

from paperclip.heartbeat.logstore import LocalFileRunLogStore


def test_a_run_without_output_leaves_no_file_and_reads_empty(tmp_path):
    store = LocalFileRunLogStore(tmp_path / "logs")
    ids = [str(uuid.uuid4()) for _ in range(3)]
    handle = store.begin(*ids)
    store.finalize(handle)
    assert handle.bytes == 0 and not (tmp_path / "logs").exists()
    assert store.read(handle.ref).content == ""


def test_first_output_creates_the_file_and_later_runs_reuse_the_directory(tmp_path):
    store = LocalFileRunLogStore(tmp_path / "logs")
    company, agent = str(uuid.uuid4()), str(uuid.uuid4())
    for run in (str(uuid.uuid4()), str(uuid.uuid4())):
        handle = store.begin(company, agent, run)
        store.append(handle, "stdout", "hello\n")
        store.append(handle, "stderr", "oops\n")
        store.finalize(handle)
        lines = [json.loads(line) for line in store.read(handle.ref).content.splitlines()]
        assert [(line["stream"], line["chunk"], line["seq"]) for line in lines] == [
            ("stdout", "hello\n", 1),
            ("stderr", "oops\n", 2),
        ]
        assert handle.bytes == len(store.read(handle.ref).content.encode())
