"""A PostgreSQL left running by a crashed server is adopted by the next start and stopped by its clean
stop (issue 15: it used to stay running after the clean stop); one still used by a live process
stays that process's."""

from __future__ import annotations

import subprocess
import sys

from paperclip.db.embedded import is_live_postmaster

from .test_embedded_postgres import wait_until


def test_a_crashed_servers_postgres_is_stopped_by_the_clean_stop_of_the_next(embedded):
    pg = embedded()
    # Another process starts the cluster and dies without stopping it, as a server killed with -9 does.
    code = (
        "import os, sys\nfrom pathlib import Path\nfrom paperclip.db.embedded import EmbeddedPostgres\n"
        f"EmbeddedPostgres(Path({str(pg.requested_data_dir)!r}), {pg.port}).start()\nos._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=180)
    pid, _ = pg.running_pid()

    pg.start()
    assert pg.adopted and pg.started_here and not pg.initialised_here
    assert pg.running_pid() == (pid, pg.port)
    pg.stop()
    wait_until(lambda: not is_live_postmaster(pid))
    assert not pg.running_pid()
