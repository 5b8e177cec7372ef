from costs.conftest import Gov, gov  # noqa: F401
