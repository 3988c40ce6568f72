"""The Fortnox API client: OAuth, rate limit, retries, typed errors and resource helpers."""

from .api import Fortnox, Licence, LicenceStatus, ProbeResult, normalize_organisation_number, to_decimal
from .auth import ClientCredentialsTokens, OAuthClient, RefreshingTokens, StaticToken, TokenProvider, TokenSet
from .client import ClientStats, FortnoxClient, RetryPolicy, format_lastmodified
from .config import DEFAULT_SCOPES, FortnoxSettings
from .errors import (
    AuthError,
    FortnoxConnectionError,
    FortnoxError,
    IntegrationLicenceMissingError,
    InvalidClientError,
    InvalidGrantError,
    LicenceMissingError,
    NotFoundError,
    OAuthError,
    OutcomeUnknownError,
    RateLimitedError,
    ScopeMissingError,
    ServerError,
    ValidationError,
)
from .ratelimit import SlidingWindowLimiter

__all__ = [
    "DEFAULT_SCOPES",
    "AuthError",
    "ClientCredentialsTokens",
    "ClientStats",
    "Fortnox",
    "FortnoxClient",
    "FortnoxConnectionError",
    "FortnoxError",
    "FortnoxSettings",
    "IntegrationLicenceMissingError",
    "InvalidClientError",
    "InvalidGrantError",
    "Licence",
    "LicenceMissingError",
    "LicenceStatus",
    "NotFoundError",
    "OAuthClient",
    "OAuthError",
    "OutcomeUnknownError",
    "ProbeResult",
    "RateLimitedError",
    "RefreshingTokens",
    "RetryPolicy",
    "ScopeMissingError",
    "ServerError",
    "SlidingWindowLimiter",
    "StaticToken",
    "TokenProvider",
    "TokenSet",
    "ValidationError",
    "format_lastmodified",
    "normalize_organisation_number",
    "to_decimal",
]
