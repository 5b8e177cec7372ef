from auth.conftest import live, live_factory  # noqa: F401
