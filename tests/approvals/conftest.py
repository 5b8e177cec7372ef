from costs.conftest import Gov, gov, live_server  # noqa: F401
