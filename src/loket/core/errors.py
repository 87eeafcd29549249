"""Domain errors shared across apps; the edges turn them into problem+json or form messages."""

from __future__ import annotations

import re


class LoketError(Exception):
    """Base of our own errors. `status` is the HTTP status the API edge uses."""

    status = 400
    title = "Bad request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        field_errors: list[dict[str, str]] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        # Every bad field ([{field, message}], the first is `field`/`message`) when one
        # check finds several, so a client can fix them all at once.
        self.field_errors = field_errors
        # snake_case like the codes given explicitly: `ValidationError` -> `validation_error`
        self.code = code or re.sub(r"(?<!^)(?=[A-Z])", "_", self.__class__.__name__).lower()

    def each_error(self) -> list[dict[str, str]]:
        """Every bad field as [{field, message}]: the listed ones, else this one."""
        return self.field_errors or [{"field": self.field or "", "message": self.message}]


class ValidationError(LoketError):
    status = 422
    title = "Invalid input"

    @classmethod
    def of_all(cls, problems: list[ValidationError]) -> ValidationError:
        """One error answering for several checks, each of whose bad fields is listed
        (in the order given); its own field, message and code are the first one's."""
        entries = [entry for problem in problems for entry in problem.each_error()]
        first = problems[0]
        return cls(first.message, field=first.field, code=first.code, field_errors=entries)


class NotFound(LoketError):
    status = 404
    title = "Not found"


class AuthorityError(LoketError):
    """The actor does not hold the authority the act needs."""

    status = 403
    title = "Not authorised"


class ConflictError(LoketError):
    """The act lost a race or the object is no longer in the state the act needs."""

    status = 409
    title = "Conflict"


class RateLimited(LoketError):
    """Too many failed attempts (e.g. wrong access codes); try again later."""

    status = 429
    title = "Too many attempts"


class MalformedRequest(LoketError):
    """The request cannot be read at all (e.g. a body that is not JSON)."""

    status = 400
    title = "Malformed request"


class UnsupportedMediaType(LoketError):
    """The body comes in a format the endpoint does not take."""

    status = 415
    title = "Unsupported media type"
