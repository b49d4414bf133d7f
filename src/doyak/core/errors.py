"""The project's one error type. Services raise subclasses with a stable ``code``."""

from __future__ import annotations


class DoyakError(Exception):
    """Base of every application error: ``code`` is stable for API clients, ``message`` is for people."""

    code = "error"
    http_status = 400

    def __init__(self, message: str = "", *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message or self.code)
        self.message = message or self.code
        if code is not None:
            self.code = code
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": str(self.message), "field": self.field}


class AccessDenied(DoyakError):
    code = "forbidden"
    http_status = 403


class NotFound(DoyakError):
    code = "not_found"
    http_status = 404


class ValidationFailed(DoyakError):
    code = "validation_error"
    http_status = 422


class Conflict(DoyakError):
    code = "conflict"
    http_status = 409
