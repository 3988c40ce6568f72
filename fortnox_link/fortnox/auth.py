"""OAuth 2 for Fortnox: authorize URL, code exchange, rotating refresh tokens, client credentials.

Fortnox refresh tokens are single use: every refresh returns a new pair and kills the old refresh token, and a
reused one locks the integration out until the user authorizes again. So:

* refreshing is serialized: one lock per token set, and a thread that waited for it re-checks whether another
  thread already refreshed before refreshing itself (8 threads hitting an expired token cause one refresh);
* the new pair is handed to the `persist` callback *before* any request may use it;
* refresh happens proactively `refresh_margin` seconds before expiry, and a 401 leads to at most one refresh.
"""

from __future__ import annotations

import base64
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

import requests

from .config import FortnoxSettings
from .errors import FortnoxConnectionError, InvalidClientError, InvalidGrantError, OAuthError

log = logging.getLogger(__name__)

Clock = Callable[[], float]


@dataclass(frozen=True)
class TokenSet:
    """An access token, its expiry (epoch seconds) and, for the code flow, the refresh token."""

    access_token: str = field(repr=False)
    expires_at: float
    refresh_token: str | None = field(default=None, repr=False)
    scope: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "scope": self.scope,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TokenSet:
        return cls(
            access_token=str(data["access_token"]),
            refresh_token=data.get("refresh_token"),
            expires_at=float(data["expires_at"]),
            scope=str(data.get("scope") or ""),
        )


class OAuthClient:
    """Talks to Fortnox's `/oauth-v1/auth` and `/oauth-v1/token`."""

    def __init__(
        self,
        settings: FortnoxSettings,
        *,
        session: requests.Session | None = None,
        timeout: float = 30.0,
        clock: Clock = time.time,
    ) -> None:
        if not settings.client_id or not settings.client_secret:
            raise OAuthError(
                "Klient-id och klienthemlighet för Fortnox saknas (client id and secret are not configured)"
            )
        self.settings = settings
        self._session = session or requests.Session()
        self._timeout = timeout
        self._clock = clock

    @staticmethod
    def new_state() -> str:
        return secrets.token_urlsafe(24)

    def authorize_url(
        self,
        *,
        state: str,
        scopes: Iterable[str] | None = None,
        redirect_uri: str | None = None,
        service_account: bool = False,
    ) -> str:
        params = {
            "client_id": self.settings.client_id or "",
            "response_type": "code",
            "state": state,
            "scope": " ".join(scopes if scopes is not None else self.settings.scopes),
            "access_type": "offline",
        }
        if redirect_uri:
            params["redirect_uri"] = redirect_uri
        if service_account:
            params["account_type"] = "service"
        return f"{self.settings.oauth_url}/auth?{urlencode(params)}"

    def exchange_code(self, code: str, *, redirect_uri: str | None = None) -> TokenSet:
        form = {"grant_type": "authorization_code", "code": code.strip()}
        if redirect_uri:
            form["redirect_uri"] = redirect_uri
        return self._token_request(form)

    def refresh(self, refresh_token: str) -> TokenSet:
        return self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def client_credentials(self, tenant_id: str | int) -> TokenSet:
        return self._token_request({"grant_type": "client_credentials"}, headers={"TenantId": str(tenant_id)})

    def _token_request(self, form: dict[str, str], headers: dict[str, str] | None = None) -> TokenSet:
        basic = f"{self.settings.client_id}:{self.settings.client_secret}".encode()
        all_headers = {
            "Authorization": "Basic " + base64.b64encode(basic).decode("ascii"),
            "Accept": "application/json",
            **(headers or {}),
        }
        url = f"{self.settings.oauth_url}/token"
        grant = form["grant_type"]
        try:
            response = self._session.post(url, data=form, headers=all_headers, timeout=self._timeout)
        except requests.RequestException as exc:
            raise FortnoxConnectionError(
                f"Kunde inte nå Fortnox inloggning ({type(exc).__name__})", method="POST", path="/oauth-v1/token"
            ) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200:
            error = str(body.get("error") or "") if isinstance(body, dict) else ""
            description = str(body.get("error_description") or "") if isinstance(body, dict) else ""
            text = description or error or f"HTTP {response.status_code}"
            log.warning("OAuth %s grant refused: %s %s", grant, response.status_code, error or "-")
            if error == "invalid_grant":
                raise InvalidGrantError(text, error=error, status=response.status_code)
            if error == "invalid_client" or response.status_code == 401:
                raise InvalidClientError(text, error=error, status=response.status_code)
            raise OAuthError(text, error=error, status=response.status_code)
        try:
            return TokenSet(
                access_token=str(body["access_token"]),
                refresh_token=body.get("refresh_token"),
                expires_at=self._clock() + float(body.get("expires_in", 3600)),
                scope=str(body.get("scope") or ""),
            )
        except (KeyError, TypeError, ValueError):
            raise OAuthError("Fortnox svarade utan giltig åtkomsttoken", status=response.status_code) from None


class TokenProvider(Protocol):
    """What the API client needs from whoever holds the tokens."""

    def access_token(self) -> str: ...

    def handle_unauthorized(self, rejected_token: str) -> None:
        """A request with `rejected_token` got 401: make sure the next `access_token()` is a fresh one."""
        ...


class StaticToken:
    """A fixed access token (for tools and tests that already hold one). Cannot refresh."""

    def __init__(self, token: str) -> None:
        self._token = token

    def access_token(self) -> str:
        return self._token

    def handle_unauthorized(self, rejected_token: str) -> None:
        return None


class RefreshingTokens:
    """Tokens from the authorization-code flow, refreshed with rotation, serialized and persisted first."""

    def __init__(
        self,
        oauth: OAuthClient,
        tokens: TokenSet,
        persist: Callable[[TokenSet], None] | None = None,
        *,
        refresh_margin: float = 120.0,
        clock: Clock = time.time,
    ) -> None:
        self._oauth = oauth
        self._tokens = tokens
        self._persist = persist
        self._margin = refresh_margin
        self._clock = clock
        self._lock = threading.Lock()
        self.refresh_count = 0

    @property
    def tokens(self) -> TokenSet:
        with self._lock:
            return self._tokens

    def access_token(self) -> str:
        with self._lock:
            if self._tokens.expires_at - self._margin <= self._clock():
                self._refresh_locked()
            return self._tokens.access_token

    def handle_unauthorized(self, rejected_token: str) -> None:
        with self._lock:
            if self._tokens.access_token != rejected_token:
                return  # another thread refreshed while this request was under way
            self._refresh_locked()

    def refresh_now(self) -> TokenSet:
        with self._lock:
            self._refresh_locked()
            return self._tokens

    def _refresh_locked(self) -> None:
        if not self._tokens.refresh_token:
            raise InvalidGrantError("Det finns ingen förnyelsetoken: anslut till Fortnox igen", error="invalid_grant")
        new = self._oauth.refresh(self._tokens.refresh_token)
        if new.refresh_token is None:
            raise OAuthError("Fortnox gav ingen ny förnyelsetoken")
        # Keep the new pair in memory first (the old refresh token is already dead), then persist it before any
        # request may use it. A failed persist is raised to the caller: the pair is still usable in this process.
        self._tokens = new
        self.refresh_count += 1
        log.info("Fortnox access token refreshed")
        if self._persist is not None:
            self._persist(new)


class ClientCredentialsTokens:
    """Tokens for a service account (client credentials + TenantId): no refresh token, just a new grant."""

    def __init__(
        self,
        oauth: OAuthClient,
        tenant_id: str | int,
        *,
        refresh_margin: float = 120.0,
        clock: Clock = time.time,
    ) -> None:
        self._oauth = oauth
        self._tenant_id = tenant_id
        self._margin = refresh_margin
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: TokenSet | None = None
        self.grant_count = 0

    def access_token(self) -> str:
        with self._lock:
            if self._tokens is None or self._tokens.expires_at - self._margin <= self._clock():
                self._grant_locked()
            assert self._tokens is not None
            return self._tokens.access_token

    def handle_unauthorized(self, rejected_token: str) -> None:
        with self._lock:
            if self._tokens is not None and self._tokens.access_token != rejected_token:
                return
            self._grant_locked()

    def _grant_locked(self) -> None:
        self._tokens = self._oauth.client_credentials(self._tenant_id)
        self.grant_count += 1
