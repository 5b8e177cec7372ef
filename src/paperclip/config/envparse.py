"""Strict readers for environment values: a bad value is an error naming the variable and what it accepts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from paperclip.errors import ConfigError

TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}


def env_str(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def env_bool(env: Mapping[str, str], name: str) -> bool | None:
    value = env_str(env, name)
    if value is None:
        return None
    lowered = value.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ConfigError(f"Invalid {name}={value!r}: expected true or false")


def env_int(env: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    value = env_str(env, name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"Invalid {name}={value!r}: expected an integer from {low} to {high}") from None
    if not low <= number <= high:
        raise ConfigError(f"Invalid {name}={value!r}: expected an integer from {low} to {high}")
    return number


def env_choice(env: Mapping[str, str], name: str, allowed: Iterable[str]) -> str | None:
    value = env_str(env, name)
    if value is None:
        return None
    options = list(allowed)
    if value not in options:
        raise ConfigError(f"Invalid {name}={value!r}: allowed values are {', '.join(options)}")
    return value


def env_list(env: Mapping[str, str], name: str) -> list[str] | None:
    value = env_str(env, name)
    if value is None:
        return None
    return [item.strip().lower() for item in value.split(",") if item.strip()]
