"""Errors of the sign-in endpoints, in the wire shape Better Auth clients read.

The body carries our usual `error` plus Better Auth's `code` and `message`, so the original's
board UI and scripts (which read `message`/`code`) work unchanged.
"""

from __future__ import annotations

from paperclip.errors import AppError


class AuthError(AppError):
    def __init__(self, status_code: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message, status_code=status_code)
        self.code = code
        self.headers = headers

    @property
    def wire_body(self) -> dict[str, str]:
        return {"error": self.message, "code": self.code, "message": self.message}


def invalid_credentials() -> AuthError:
    return AuthError(401, "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password")


def sign_up_disabled() -> AuthError:
    return AuthError(400, "EMAIL_PASSWORD_SIGN_UP_DISABLED", "Email and password sign up is not enabled")


def too_many_attempts(retry_after: int) -> AuthError:
    return AuthError(
        429,
        "TOO_MANY_REQUESTS",
        "Too many requests. Please try again later.",
        headers={"Retry-After": str(retry_after)},
    )
