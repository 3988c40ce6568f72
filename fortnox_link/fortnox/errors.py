"""Typed errors for everything Fortnox can answer.

Each error carries the HTTP status, Fortnox's numeric `code` and the Swedish `message` exactly as Fortnox sent it,
so the user sees what Fortnox said. Well-known codes map to classes the rest of the app can act on. No error ever
contains a token or the client secret: messages are built only from Fortnox's answer, the method and the path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class FortnoxError(Exception):
    """An error answered by Fortnox, or a failure to reach it."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.message = message
        self.status = status
        self.code = code
        self.method = method
        self.path = path
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f"{self.method} {self.path}: " if self.method and self.path else ""
        parts = [p for p in (f"HTTP {self.status}" if self.status else "", f"kod {self.code}" if self.code else "")]
        tail = ", ".join(p for p in parts if p)
        return f"{where}{self.message}" + (f" ({tail})" if tail else "")


class AuthError(FortnoxError):
    """The access token was refused (401/403, invalid login). The user may need to connect again."""


class LicenceMissingError(FortnoxError):
    """The company has no active licence for the module behind the request (2001101)."""


class IntegrationLicenceMissingError(LicenceMissingError):
    """The company has no integration/API licence at all (2001103)."""


class ScopeMissingError(FortnoxError):
    """The authorization lacks the scope, or the user lacks the right (2000663)."""


class NotFoundError(FortnoxError):
    """The object does not exist (404, or a 'not found' code)."""


class ValidationError(FortnoxError):
    """Fortnox refused the data (400 with a validation message)."""


class RateLimitedError(FortnoxError):
    """Still answered 429 after backing off and retrying."""


class ServerError(FortnoxError):
    """Fortnox answered 5xx and retrying did not help."""


class FortnoxConnectionError(FortnoxError):
    """Fortnox could not be reached (connection refused, DNS, timeouts) after retries."""


class OutcomeUnknownError(FortnoxError):
    """A create (POST) may or may not have been carried out: the answer never came.

    The caller must look the object up (for invoices by ExternalInvoiceReference1, for vouchers by the marker in
    the series) before posting again. The client never repeats such a request by itself.
    """


class OAuthError(FortnoxError):
    """The OAuth token endpoint refused a grant."""

    def __init__(self, message: str, *, error: str | None = None, status: int | None = None) -> None:
        self.error = error
        super().__init__(message, status=status)


class InvalidGrantError(OAuthError):
    """Expired, already used or unknown code or refresh token: the user must authorize again."""


class InvalidClientError(OAuthError):
    """Wrong client id or client secret."""


AUTH_CODES = frozenset({2000310, 2000311})
NOT_FOUND_CODES = frozenset({2000423, 2001304, 2000204, 2000433, 2001302, 2000428})
LICENCE_CODE = 2001101
INTEGRATION_LICENCE_CODE = 2001103
SCOPE_CODE = 2000663


def read_error_information(body: Any) -> tuple[int | None, str | None]:
    """Return (code, message) from an ErrorInformation body, reading keys case-insensitively."""
    if not isinstance(body, Mapping):
        return None, None
    info: Any = None
    for key, value in body.items():
        if isinstance(key, str) and key.lower() == "errorinformation":
            info = value
            break
    if not isinstance(info, Mapping):
        return None, None
    lowered = {str(k).lower(): v for k, v in info.items()}
    raw_code = lowered.get("code")
    code: int | None
    try:
        code = int(raw_code) if raw_code is not None else None
    except (TypeError, ValueError):
        code = None
    message = lowered.get("message")
    return code, str(message) if message is not None else None


def error_from_response(status: int, body: Any, *, method: str, path: str) -> FortnoxError:
    """Map an HTTP error answer from the API to the most meaningful error class."""
    code, message = read_error_information(body)
    text = message or _fallback_message(status)
    kwargs: dict[str, Any] = {"status": status, "code": code, "method": method, "path": path}
    if code == INTEGRATION_LICENCE_CODE:
        return IntegrationLicenceMissingError(text, **kwargs)
    if code == LICENCE_CODE:
        return LicenceMissingError(text, **kwargs)
    if code == SCOPE_CODE:
        return ScopeMissingError(text, **kwargs)
    if status in (401, 403) or code in AUTH_CODES:
        return AuthError(text, **kwargs)
    if status == 404 or code in NOT_FOUND_CODES:
        return NotFoundError(text, **kwargs)
    if status == 429:
        return RateLimitedError(text, **kwargs)
    if status >= 500:
        return ServerError(text, **kwargs)
    return ValidationError(text, **kwargs)


def _fallback_message(status: int) -> str:
    return {
        400: "Fortnox avvisade anropet",
        401: "Behörigheten har gått ut eller är ogiltig",
        403: "Åtkomst nekad",
        404: "Hittades inte",
        429: "För många anrop",
    }.get(status, "Fortnox svarade med ett fel" if status < 500 else "Fortnox har tillfälliga problem")
