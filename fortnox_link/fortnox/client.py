"""The Fortnox API client: one `request()` where auth, rate limit, retries and error mapping happen.

* Every request waits for the sliding-window limiter (25 per 5 s by default), so a long sync runs at the limit
  without being answered 429; if a 429 still comes, it backs off and retries.
* GET and PUT are retried with exponential backoff on 429, 5xx, connection errors and timeouts.
* A POST that may have reached Fortnox (timeout, dropped connection, 5xx) is never repeated: it raises
  `OutcomeUnknownError` and the caller looks the object up before posting again. A POST that provably never left
  (connection refused, connect timeout) is retried like any other request.
* A 401 causes at most one token refresh and one retry.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
import urllib3.exceptions

from . import jsoncodec
from .auth import TokenProvider
from .config import FortnoxSettings
from .errors import (
    FortnoxConnectionError,
    FortnoxError,
    OutcomeUnknownError,
    RateLimitedError,
    ServerError,
    error_from_response,
)
from .ratelimit import SlidingWindowLimiter

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 500
USER_AGENT = "FortnoxLink/0.1 (+requests)"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 16.0

    def delay(self, attempt: int) -> float:
        return float(min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1))))


@dataclass
class ClientStats:
    """What the client did: for benchmarks, the activity log and tests."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0  # 429 answers received
    server_errors: int = 0
    outcome_unknown: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    by_status: dict[int, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, method: str) -> None:
        with self._lock:
            self.requests += 1
            self.by_method[method] = self.by_method.get(method, 0) + 1

    def answered(self, status: int) -> None:
        with self._lock:
            self.by_status[status] = self.by_status.get(status, 0) + 1

    def add(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)


def format_lastmodified(moment: datetime) -> str:
    """Fortnox's `lastmodified` parameter: local time with minute resolution."""
    return moment.strftime("%Y-%m-%d %H:%M")


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request provably did not reach the server (so even a POST may be repeated)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason: Any = exc.args[0] if exc.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError)


class FortnoxClient:
    def __init__(
        self,
        settings: FortnoxSettings,
        tokens: TokenProvider,
        *,
        limiter: SlidingWindowLimiter | None = None,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (5.0, 30.0),
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self.limiter = limiter if limiter is not None else SlidingWindowLimiter(25, 5.0)
        self.session = session or requests.Session()
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self.stats = ClientStats()

    # -- the one place where requests are sent -------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send one API request and return the parsed JSON answer (numbers with fractions as Decimal)."""
        method = method.upper()
        url = self.settings.api_url + path
        body = jsoncodec.dump_bytes(json) if json is not None else None
        clean_params = {k: str(v) for k, v in (params or {}).items() if v is not None}
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            token = self.tokens.access_token()
            headers = {
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            }
            if body is not None:
                headers["Content-Type"] = "application/json; charset=utf-8"
            slot = self.limiter.acquire()
            started = time.monotonic()
            try:
                self.stats.count(method)
                response = self.session.request(
                    method, url, params=clean_params, data=body, headers=headers, timeout=self.timeout
                )
            except requests.RequestException as exc:
                slot.done()
                kind = type(exc).__name__
                if method == "POST" and not _never_sent(exc):
                    self.stats.add("outcome_unknown")
                    log.warning("POST %s: no answer (%s); outcome unknown", path, kind)
                    raise OutcomeUnknownError(
                        f"Svaret från Fortnox uteblev ({kind}); det är okänt om posten skapades",
                        method=method,
                        path=path,
                    ) from None
                if attempt < self.retry.max_attempts:
                    self._backoff(attempt, f"{method} {path}: {kind}")
                    continue
                raise FortnoxConnectionError(
                    f"Kunde inte nå Fortnox ({kind}) efter {attempt} försök", method=method, path=path
                ) from None
            slot.done()
            status = response.status_code
            self.stats.answered(status)
            log.debug("%s %s -> %s in %.0f ms", method, path, status, (time.monotonic() - started) * 1000)

            if status == 401 and not refreshed:
                refreshed = True
                self.tokens.handle_unauthorized(token)
                continue
            if status == 429:
                self.stats.add("throttled")
                if attempt < self.retry.max_attempts:
                    self._backoff(attempt, f"{method} {path}: 429", response.headers.get("Retry-After"))
                    continue
                raise self._error(response, method, path, RateLimitedError)
            if status >= 500:
                self.stats.add("server_errors")
                if method == "POST":
                    self.stats.add("outcome_unknown")
                    err = self._error(response, method, path, ServerError)
                    raise OutcomeUnknownError(
                        f"Fortnox svarade {status} på skapandet; det är okänt om posten skapades ({err.message})",
                        status=status,
                        code=err.code,
                        method=method,
                        path=path,
                    )
                if attempt < self.retry.max_attempts:
                    self._backoff(attempt, f"{method} {path}: {status}")
                    continue
                raise self._error(response, method, path, ServerError)
            if status >= 400:
                raise self._error(response, method, path, None)
            if status == 204 or not response.content:
                return None
            try:
                return jsoncodec.loads(response.content)
            except ValueError:
                raise FortnoxError(
                    "Fortnox svarade med något som inte är JSON", status=status, method=method, path=path
                ) from None

    def _backoff(self, attempt: int, why: str, retry_after: str | None = None) -> None:
        delay = self.retry.delay(attempt)
        if retry_after:
            with contextlib.suppress(ValueError):
                delay = max(delay, min(float(retry_after), self.retry.backoff_max))
        self.stats.add("retries")
        log.info("retrying after %.2f s (%s)", delay, why)
        self._sleep(delay)

    @staticmethod
    def _error(response: requests.Response, method: str, path: str, cls: type[FortnoxError] | None) -> FortnoxError:
        try:
            body = jsoncodec.loads(response.content) if response.content else None
        except ValueError:
            body = None
        err = error_from_response(response.status_code, body, method=method, path=path)
        if cls is not None and not isinstance(err, cls):
            return cls(err.message, status=err.status, code=err.code, method=method, path=path)
        return err

    # -- conveniences --------------------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, json: Any, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("POST", path, params=params, json=json)

    def put(self, path: str, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("PUT", path, params=params, json=json)

    def iter_pages(
        self,
        path: str,
        list_key: str,
        params: Mapping[str, Any] | None = None,
        *,
        limit: int = MAX_PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """Yield every item of a list resource, walking `MetaInformation` pages of `limit` (max 500)."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be 1..{MAX_PAGE_SIZE}")
        page = 1
        while True:
            answer = self.get(path, {**(params or {}), "limit": limit, "page": page})
            items = answer.get(list_key) or [] if isinstance(answer, dict) else []
            yield from items
            meta = answer.get("MetaInformation") or {} if isinstance(answer, dict) else {}
            total_pages = int(meta.get("@TotalPages") or 1)
            if page >= total_pages or not items:
                return
            page += 1
