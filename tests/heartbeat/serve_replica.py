"""A server replica for multi-process tests: build_app + uvicorn on DATABASE_URL and PORT.

Usage: python serve_replica.py  (env: DATABASE_URL, PORT, PAPERCLIP_HOME, …)
"""

from __future__ import annotations

import os

import uvicorn

from paperclip.config import load_settings
from paperclip.server.runtime import build_app


def main() -> None:
    settings = load_settings(dict(os.environ))
    port = int(os.environ["PORT"])
    app = build_app(settings, os.environ["DATABASE_URL"], port, role="all")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")


if __name__ == "__main__":
    main()
