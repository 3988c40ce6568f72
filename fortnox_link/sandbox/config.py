"""Settings of a sandbox instance, and a fake clock for tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]

#: Every scope Fortnox documents for the /3 API (fortnox-api.md). The sandbox's registered app holds all of them.
ALL_SCOPES: tuple[str, ...] = (
    "companyinformation",
    "invoice",
    "customer",
    "article",
    "supplierinvoice",
    "supplier",
    "bookkeeping",
    "settings",
    "order",
    "offer",
    "payment",
    "costcenter",
    "project",
    "currency",
    "profile",
)

DEFAULT_CLIENT_ID = "sandbox-client"
DEFAULT_CLIENT_SECRET = "sandbox-secret-not-for-production"  # noqa: S105 - a fixed, public sandbox value
DEFAULT_TENANT_ID = 1847362


@dataclass
class SandboxConfig:
    """How a sandbox behaves.

    `clock` (epoch seconds) drives everything about time in the company and in OAuth: token and code expiry,
    `lastmodified`, "today" for default dates and the current financial year. Tests pass a `FakeClock` and
    advance it instead of sleeping.

    The rate limit is a sliding window per access token measured with `rate_limit_clock`, which is
    `time.monotonic` by default and deliberately *not* `clock`: a test that advances the fake clock by a day to
    expire a token should not also drain (or fill) every rate window. Pass `rate_limit_clock=clock` to tie them.
    """

    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = field(default=DEFAULT_CLIENT_SECRET, repr=False)
    client_scopes: tuple[str, ...] = ALL_SCOPES
    tenant_id: int = DEFAULT_TENANT_ID
    access_token_lifetime: int = 3600
    refresh_token_lifetime: int = 45 * 86400
    code_lifetime: int = 600
    rate_limit: tuple[int, float] | None = (25, 5.0)
    rate_limit_clock: Clock = time.monotonic
    auto_approve: bool = True
    clock: Clock = time.time
    default_page_size: int = 100
    max_page_size: int = 500


class FakeClock:
    """A settable clock: `clock()` returns the current fake epoch seconds, `advance(s)` moves it forward."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, epoch_seconds: float) -> None:
        with self._lock:
            self._now = float(epoch_seconds)
