"""The board UI: server-rendered pages from the domain services (see web/README.md)."""
