"""The one error type of the client: whether retrying can help is data, not a string match."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class FetchError(Exception):
    """A request that did not yield a usable body; ``permanent`` decides retry or give up."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        status: int | None = None,
        retry_after: float | None = None,
        blocked: bool = False,
        url: str = "",
    ):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after
        self.blocked = blocked
        self.url = url

    def __str__(self) -> str:
        return self.message


class UnsafeURLError(FetchError, ValidationError):
    """A URL we refuse to fetch; also a ValidationError so model and form validation can raise it."""

    def __init__(self, message: str, *, url: str = ""):
        ValidationError.__init__(self, message, code="unsafe_url")
        self.message = message
        self.permanent = True
        self.status = None
        self.retry_after = None
        self.blocked = False
        self.url = url

    def __str__(self) -> str:
        return self.message
