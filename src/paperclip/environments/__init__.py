"""Execution environments: where agent runs execute (the original's /api/environments routes)."""
