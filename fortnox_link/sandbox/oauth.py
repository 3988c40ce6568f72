"""Fortnox's OAuth 2 endpoints (`/oauth-v1/auth`, `/oauth-v1/token`) for the sandbox's one registered app.

* Authorization codes live `code_lifetime` seconds, are single use and bound to the client, the scopes and the
  redirect_uri given at /auth (the token request must repeat that redirect_uri exactly).
* Access tokens are opaque (`secrets.token_urlsafe`) and live `access_token_lifetime` seconds.
* Refresh tokens rotate: each refresh returns a new access token and a new refresh token, and the old refresh
  token is dead at once; using it again answers `invalid_grant` / "Invalid refresh token".
* `client_credentials` with the header `TenantId: <DatabaseNumber>` gives an access token with all the client's
  scopes and no refresh token.

All expiry uses the sandbox clock (`SandboxConfig.clock`).
"""

from __future__ import annotations

import base64
import binascii
import html
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from .config import SandboxConfig
from .messages import Response


@dataclass(frozen=True)
class AccessToken:
    token: str
    client_id: str
    scopes: frozenset[str]
    expires_at: float
    grant: str  # authorization_code, refresh_token, client_credentials


@dataclass(frozen=True)
class _Code:
    client_id: str
    scopes: frozenset[str]
    redirect_uri: str | None
    expires_at: float


@dataclass(frozen=True)
class _Refresh:
    client_id: str
    scopes: frozenset[str]
    expires_at: float


def _oauth_error(status: int, error: str, description: str) -> Response:
    return Response.json(status, {"error": error, "error_description": description}, {"Cache-Control": "no-store"})


class OAuthServer:
    def __init__(self, config: SandboxConfig, *, on_refresh: Callable[[], None] | None = None) -> None:
        self.config = config
        self._on_refresh = on_refresh
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, AccessToken] = {}
        self._refresh: dict[str, _Refresh] = {}

    # -- direct use (tests, demo) ----------------------------------------------------------------------------

    def issue_code(self, scopes: Iterable[str] | None = None, redirect_uri: str | None = None) -> str:
        wanted = frozenset(scopes) if scopes is not None else frozenset(self.config.client_scopes)
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(
                self.config.client_id, wanted, redirect_uri, self.config.clock() + self.config.code_lifetime
            )
        return code

    def issue_tokens(self, scopes: Iterable[str] | None = None) -> dict[str, str | int]:
        """An access + refresh token pair as if the code flow had run (no HTTP)."""
        wanted = frozenset(scopes) if scopes is not None else frozenset(self.config.client_scopes)
        with self._lock:
            return self._grant_locked(self.config.client_id, wanted, "authorization_code", with_refresh=True)

    def access_token(self, token: str) -> AccessToken | None:
        """The live access token, or None when unknown or expired."""
        with self._lock:
            found = self._access.get(token)
            if found is None:
                return None
            if found.expires_at <= self.config.clock():
                del self._access[token]
                return None
            return found

    def revoke_all(self) -> None:
        with self._lock:
            self._access.clear()
            self._refresh.clear()

    # -- /oauth-v1/auth ------------------------------------------------------------------------------------------

    def authorize(self, query: Mapping[str, str]) -> Response:
        client_id = query.get("client_id", "")
        if client_id != self.config.client_id:
            return Response.html(400, _page("Okänd klient", "Unknown client", f"client_id: {client_id or '(saknas)'}"))
        redirect_uri = query.get("redirect_uri") or None
        if redirect_uri is not None and urlsplit(redirect_uri).scheme not in ("http", "https"):
            return Response.html(400, _page("Ogiltig redirect_uri", "Invalid redirect_uri", redirect_uri))
        state = query.get("state", "")
        if query.get("response_type") != "code":
            return self._refuse(redirect_uri, state, "unsupported_response_type", "response_type must be code")
        scopes = frozenset(query.get("scope", "").split())
        unknown = sorted(scopes - set(self.config.client_scopes))
        if not scopes or unknown:
            return self._refuse(redirect_uri, state, "invalid_scope", f"Invalid scope: {' '.join(unknown) or '-'}")
        decision = query.get("decision")
        if not self.config.auto_approve and decision is None:
            return Response.html(200, _consent_page(query, scopes))
        if decision == "deny":
            return self._refuse(redirect_uri, state, "access_denied", "The user denied the request")
        code = self.issue_code(scopes, redirect_uri)
        if redirect_uri is not None:
            separator = "&" if urlsplit(redirect_uri).query else "?"
            return Response.redirect(f"{redirect_uri}{separator}{urlencode({'code': code, 'state': state})}")
        return Response.html(200, _code_page(code, scopes, max(1, self.config.code_lifetime // 60)))

    def _refuse(self, redirect_uri: str | None, state: str, error: str, description: str) -> Response:
        if redirect_uri is None:
            return Response.html(400, _page("Auktoriseringen misslyckades", "Authorization failed", description))
        separator = "&" if urlsplit(redirect_uri).query else "?"
        query = urlencode({"error": error, "error_description": description, "state": state})
        return Response.redirect(f"{redirect_uri}{separator}{query}")

    # -- /oauth-v1/token -----------------------------------------------------------------------------------------

    def token(self, headers: Mapping[str, str], form: Mapping[str, str]) -> Response:
        client_id = self._authenticate(headers.get("Authorization", ""))
        if client_id is None:
            return _oauth_error(401, "invalid_client", "Invalid client credentials")
        grant = form.get("grant_type", "")
        now = self.config.clock()
        with self._lock:
            if grant == "authorization_code":
                code = self._codes.pop(form.get("code", "").strip(), None)
                if code is None or code.expires_at <= now or code.client_id != client_id:
                    return _oauth_error(400, "invalid_grant", "Invalid authorization code")
                if code.redirect_uri is not None and form.get("redirect_uri") != code.redirect_uri:
                    return _oauth_error(400, "invalid_grant", "Invalid authorization code")
                return Response.json(200, self._grant_locked(client_id, code.scopes, grant, with_refresh=True))
            if grant == "refresh_token":
                old = self._refresh.pop(form.get("refresh_token", "").strip(), None)
                if old is None or old.expires_at <= now or old.client_id != client_id:
                    return _oauth_error(400, "invalid_grant", "Invalid refresh token")
                answer = self._grant_locked(client_id, old.scopes, grant, with_refresh=True)
            elif grant == "client_credentials":
                tenant = headers.get("TenantId", "").strip()
                if tenant != str(self.config.tenant_id):
                    return _oauth_error(400, "invalid_grant", "Invalid tenant")
                scopes = frozenset(self.config.client_scopes)
                return Response.json(200, self._grant_locked(client_id, scopes, grant, with_refresh=False))
            else:
                return _oauth_error(400, "unsupported_grant_type", f"Unsupported grant_type: {grant or '(none)'}")
        if self._on_refresh is not None:
            self._on_refresh()
        return Response.json(200, answer)

    def _authenticate(self, header: str) -> str | None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, _, secret = decoded.partition(":")
        if client_id == self.config.client_id and secrets.compare_digest(secret, self.config.client_secret):
            return client_id
        return None

    def _grant_locked(
        self, client_id: str, scopes: frozenset[str], grant: str, *, with_refresh: bool
    ) -> dict[str, str | int]:
        now = self.config.clock()
        token = secrets.token_urlsafe(32)
        self._access[token] = AccessToken(token, client_id, scopes, now + self.config.access_token_lifetime, grant)
        answer: dict[str, str | int] = {
            "access_token": token,
            "scope": " ".join(sorted(scopes)),
            "expires_in": int(self.config.access_token_lifetime),
            "token_type": "bearer",
        }
        if with_refresh:
            refresh = secrets.token_urlsafe(32)
            self._refresh[refresh] = _Refresh(client_id, scopes, now + self.config.refresh_token_lifetime)
            answer["refresh_token"] = refresh
        return answer


# -- pages -------------------------------------------------------------------------------------------------------

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d2b36}"
    "code{display:block;font-size:1.1rem;padding:.8rem;background:#eef3f7;border-radius:.4rem;"
    "word-break:break-all;user-select:all}.en{color:#5b6b78}button{font-size:1rem;padding:.5rem 1.2rem;"
    "margin-right:.6rem}"
)


def _page(title_sv: str, title_en: str, body_html: str) -> str:
    return (
        '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
        f"<title>{html.escape(title_sv)} - Fortnox sandlåda</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title_sv)}</h1><p class=en>{html.escape(title_en)}</p>"
        f"<p>{body_html if body_html.startswith('<') else html.escape(body_html)}</p>"
        "<p class=en>Fortnox sandlåda (local sandbox), inte Fortnox.</p></body></html>"
    )


def _code_page(code: str, scopes: frozenset[str], minutes: int) -> str:
    body = (
        f"<p>Kopiera koden och klistra in den i Fortnox Link. Koden gäller i {minutes} minuter och kan bara "
        f"användas en gång.</p><p class=en>Copy this code and paste it into Fortnox Link. It is valid for "
        f"{minutes} minutes and can be used once.</p><code id=code>{html.escape(code)}</code>"
        f"<p class=en>Behörigheter / scopes: {html.escape(' '.join(sorted(scopes)))}</p>"
    )
    return _page("Integrationen är godkänd", "The integration is authorized", body)


def _consent_page(query: Mapping[str, str], scopes: frozenset[str]) -> str:
    hidden = "".join(
        f'<input type=hidden name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in query.items()
        if k != "decision"
    )
    body = (
        f"<p>Fortnox Link vill få åtkomst till: {html.escape(', '.join(sorted(scopes)))}.</p>"
        "<p class=en>Fortnox Link asks for access to the scopes above.</p>"
        f'<form method=get action="auth">{hidden}'
        "<button name=decision value=approve>Godkänn (Approve)</button>"
        "<button name=decision value=deny>Neka (Deny)</button></form>"
    )
    return _page("Godkänn integration", "Approve integration", body)
