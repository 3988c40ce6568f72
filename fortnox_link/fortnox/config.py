"""Where Fortnox is and which app we are: configurable, and overridable from the environment.

When `FORTNOX_API_URL`, `FORTNOX_OAUTH_URL`, `FORTNOX_CLIENT_ID` or `FORTNOX_CLIENT_SECRET` are set (the
sandbox prints them), they win, so every command can be pointed at the sandbox or a Fortnox test company
without editing files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

DEFAULT_API_URL = "https://api.fortnox.se"
DEFAULT_OAUTH_URL = "https://apps.fortnox.se/oauth-v1"

#: Every scope the three connections and the set-up checks need.
DEFAULT_SCOPES: tuple[str, ...] = (
    "companyinformation",
    "profile",
    "invoice",
    "customer",
    "article",
    "supplierinvoice",
    "supplier",
    "bookkeeping",
    "settings",
    "order",
)

ENV_API_URL = "FORTNOX_API_URL"
ENV_OAUTH_URL = "FORTNOX_OAUTH_URL"
ENV_CLIENT_ID = "FORTNOX_CLIENT_ID"
ENV_CLIENT_SECRET = "FORTNOX_CLIENT_SECRET"  # noqa: S105 - the name of a variable, not a secret


@dataclass(frozen=True)
class FortnoxSettings:
    api_url: str = DEFAULT_API_URL
    oauth_url: str = DEFAULT_OAUTH_URL
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    scopes: tuple[str, ...] = DEFAULT_SCOPES

    def __post_init__(self) -> None:
        object.__setattr__(self, "api_url", self.api_url.rstrip("/"))
        object.__setattr__(self, "oauth_url", self.oauth_url.rstrip("/"))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **defaults: str | None) -> FortnoxSettings:
        """Settings from `defaults` (e.g. a profile's saved values), overridden by the environment."""
        env = os.environ if env is None else env
        base = cls(**{k: v for k, v in defaults.items() if v is not None})  # type: ignore[arg-type]
        return replace(
            base,
            api_url=env.get(ENV_API_URL) or base.api_url,
            oauth_url=env.get(ENV_OAUTH_URL) or base.oauth_url,
            client_id=env.get(ENV_CLIENT_ID) or base.client_id,
            client_secret=env.get(ENV_CLIENT_SECRET) or base.client_secret,
        )
