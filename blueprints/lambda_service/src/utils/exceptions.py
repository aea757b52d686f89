"""Domain errors. Handlers map each one to an HTTP status code; nothing else leaks to callers."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class of every error the service reports to its callers."""

    status_code = 500
    code = "INTERNAL_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequestError(DomainError):
    """The request is well-formed JSON but cannot be processed as sent."""

    status_code = 400
    code = "BAD_REQUEST"


class InvalidSignatureError(BadRequestError):
    """A signed request (a provider webhook) whose signature is missing or does not match."""

    code = "INVALID_SIGNATURE"


class UnauthorizedError(DomainError):
    """No verified identity: the caller must sign in."""

    status_code = 401
    code = "UNAUTHORIZED"


class ForbiddenError(DomainError):
    """The caller is known but may not do this (role, or another tenant's resource)."""

    status_code = 403
    code = "FORBIDDEN"


class NotFoundError(DomainError):
    """The addressed item does not exist."""

    status_code = 404
    code = "NOT_FOUND"


class ConflictError(DomainError):
    """The item already exists, or changed since the version the client read (optimistic lock)."""

    status_code = 409
    code = "CONFLICT"


class NotImplementedYetError(DomainError):
    """Business logic the LLD describes but a generator cannot derive: implement it by hand."""

    status_code = 501
    code = "NOT_IMPLEMENTED"

    def __init__(self, method: str) -> None:
        super().__init__(f"{method} is not implemented yet")
        self.method = method


class InvalidRequestError(BadRequestError):
    """The request does not satisfy its model: ``fields`` says which fields and why."""

    code = "VALIDATION_ERROR"

    def __init__(self, message: str, fields: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.fields = fields


class PreconditionRequiredError(DomainError):
    """An update of a versioned item sent no version to check (``version`` or ``If-Match``)."""

    status_code = 428
    code = "PRECONDITION_REQUIRED"
