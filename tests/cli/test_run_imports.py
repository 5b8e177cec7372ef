"""`paperclipai run` loads only what serving needs: the CLI's other commands keep their HTTP client
(httpx, ~0.1 s of the warm start on this machine) out of the start-up path (issue 13's 2 s start)."""

from __future__ import annotations

import subprocess
import sys


def test_the_cli_and_the_server_never_import_httpx():
    code = (
        "import sys, paperclip.cli.main, paperclip.server.runtime, paperclip.api.router\n"
        "print(sorted(m for m in sys.modules if m == 'httpx' or m.startswith('httpx.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
