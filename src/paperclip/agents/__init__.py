"""Agents: the org tree, lifecycle (pause/resume/terminate), API keys and config revisions."""
