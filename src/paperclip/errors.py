"""One error type for the whole application: a status, a message and optional details.

Services raise these; the API turns them into `{"error": ..., "details": ...}` bodies and the CLI
prints the message and exits non-zero.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status_code = 400

    def __init__(self, message: str, details: Any = None, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        if status_code is not None:
            self.status_code = status_code


class BadRequest(AppError):
    status_code = 400


class Unauthorized(AppError):
    status_code = 401


class Forbidden(AppError):
    status_code = 403


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    status_code = 409


class Unprocessable(AppError):
    status_code = 422


class ConfigError(AppError):
    """A setting is missing or invalid; the message names the setting to fix."""

    status_code = 500


class StartupError(AppError):
    """The server refuses to start; the message is one line naming what to fix."""

    status_code = 500
