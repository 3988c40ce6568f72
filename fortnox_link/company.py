"""One company at work: its profile, store, secrets, Fortnox connection and order system.

The CLI, the scheduler and (later) the GUI all go through a `Company`; the GUI stays thin over it. Tokens are
kept by a `TokenKeeper`: the keyring for real profiles, memory for the demo (whose sandbox lives only as long as the
process, so its throwaway tokens are never written anywhere).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .fortnox import (
    ClientCredentialsTokens,
    Fortnox,
    FortnoxClient,
    FortnoxSettings,
    OAuthClient,
    RefreshingTokens,
    TokenProvider,
    TokenSet,
)
from .profiles import Profile
from .secrets import FORTNOX_CLIENT_SECRET, SecretStore
from .settings import BY_KEY
from .sources.base import OrderSource, StartingPoint, StartingPoints
from .store import Store


class NotConnectedError(Exception):
    """No authorization is stored for this profile: the user must connect to Fortnox first."""


class ConfigurationError(Exception):
    """A setting needed for the job is missing or unusable; the message names it."""


class TokenKeeper(Protocol):
    def load(self) -> TokenSet | None: ...

    def save(self, tokens: TokenSet) -> None: ...

    def clear(self) -> None: ...


class KeyringTokens:
    """The token pair in the OS keyring (the only place real tokens are ever stored)."""

    def __init__(self, secrets: SecretStore) -> None:
        self._secrets = secrets

    def load(self) -> TokenSet | None:
        raw = self._secrets.get_fortnox_tokens()
        return TokenSet.from_dict(raw) if raw else None

    def save(self, tokens: TokenSet) -> None:
        self._secrets.set_fortnox_tokens(tokens.to_dict())

    def clear(self) -> None:
        self._secrets.delete("fortnox_tokens")


class MemoryTokens:
    """Tokens that live only in this process (demo mode)."""

    def __init__(self) -> None:
        self._tokens: TokenSet | None = None

    def load(self) -> TokenSet | None:
        return self._tokens

    def save(self, tokens: TokenSet) -> None:
        self._tokens = tokens

    def clear(self) -> None:
        self._tokens = None


@dataclass
class Company:
    profile: Profile
    store: Store
    tokens: TokenKeeper
    secrets: SecretStore | None = None
    demo: bool = False
    fortnox_defaults: dict[str, str] = field(default_factory=dict)  # demo: the embedded sandbox's addresses
    source_override: OrderSource | None = None
    _fortnox: Fortnox | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def open(cls, profile: Profile) -> Company:
        secrets = profile.secrets()
        return cls(profile=profile, store=profile.open_store(), tokens=KeyringTokens(secrets), secrets=secrets)

    # -- settings ----------------------------------------------------------------------------------------------

    def setting(self, key: str) -> Any:
        spec = BY_KEY[key]
        if spec.secret:
            raise KeyError(f"{key} is a secret: read it through the keyring")
        return self.store.get_setting(key, spec.default)

    def starting_point(self, connection: str) -> StartingPoint | None:
        start_date = self.store.get_setting_date(f"{connection}.start_date")
        start_number = self.store.get_setting_str(f"{connection}.start_number")
        if start_date is None and start_number is None:
            return None
        return StartingPoint(from_date=start_date, from_number=start_number)

    def starting_points(self) -> StartingPoints:
        return StartingPoints(
            invoicing=self.starting_point("invoicing"),
            purchase_matching=self.starting_point("matching"),
            inventory=self.starting_point("inventory"),
        )

    def fortnox_settings(self) -> FortnoxSettings:
        defaults = self.fortnox_defaults
        secret = self.secrets.get(FORTNOX_CLIENT_SECRET) if self.secrets else None
        api_url = defaults.get("api_url") or self.store.get_setting_str("fortnox.api_url")
        oauth_url = defaults.get("oauth_url") or self.store.get_setting_str("fortnox.oauth_url")
        client_id = defaults.get("client_id") or self.store.get_setting_str("fortnox.client_id")
        client_secret = defaults.get("client_secret") or secret
        if self.demo:  # the embedded sandbox; the environment does not redirect a demo
            return FortnoxSettings(
                api_url=api_url or "", oauth_url=oauth_url or "", client_id=client_id, client_secret=client_secret
            )
        return FortnoxSettings.from_env(
            api_url=api_url, oauth_url=oauth_url, client_id=client_id, client_secret=client_secret
        )

    # -- Fortnox -------------------------------------------------------------------------------------------------

    def oauth(self) -> OAuthClient:
        return OAuthClient(self.fortnox_settings())

    def token_provider(self) -> TokenProvider:
        stored = self.tokens.load()
        tenant = self.store.get_setting_int("fortnox.tenant_id")
        if stored is None and tenant is not None:
            return ClientCredentialsTokens(self.oauth(), tenant)
        if stored is None:
            raise NotConnectedError(
                f"Profilen {self.profile.name} är inte ansluten till Fortnox: kör 'fortnox-link connect'. "
                f"(Profile {self.profile.name} is not connected to Fortnox: run 'fortnox-link connect'.)"
            )
        return RefreshingTokens(self.oauth(), stored, self.tokens.save)

    def fortnox(self) -> Fortnox:
        with self._lock:
            if self._fortnox is None:
                settings = self.fortnox_settings()
                self._fortnox = Fortnox(FortnoxClient(settings, self.token_provider()))
            return self._fortnox

    def save_authorization(self, tokens: TokenSet) -> None:
        self.tokens.save(tokens)
        with self._lock:
            self._fortnox = None

    def forget_authorization(self) -> None:
        self.tokens.clear()
        with self._lock:
            self._fortnox = None

    # -- the order system ----------------------------------------------------------------------------------------

    def source(self) -> OrderSource:
        if self.source_override is not None:
            return self.source_override
        kind = self.store.get_setting_str("source.kind")
        if kind is None:
            raise ConfigurationError(
                "Inget ordersystem är valt (source.kind). / No order system is chosen: "
                "fortnox-link config set source.kind demo|files|extend-api"
            )
        if kind == "files":
            folder = self.store.get_setting_str("source.folder")
            if not folder:
                raise ConfigurationError("source.folder is not set: the inbox folder where the exports land")
            from .sources.files import FilesSource

            return FilesSource(Path(folder), starting_points=self.starting_points())
        if kind == "extend-api":
            url = self.store.get_setting_str("source.url")
            key = self.secrets.get("extend_api_key") if self.secrets else None
            if not url or not key:
                raise ConfigurationError("source.url and source.api_key must both be set for the Extend API")
            from .sources.extend_api import ExtendApiSource

            return ExtendApiSource(url, key, starting_points=self.starting_points())
        from .sources.demo import DemoSource

        return DemoSource(starting_points=self.starting_points())

    def close(self) -> None:
        self.store.close()
