"""Fixtures for the sandbox's own tests: a started sandbox on a free loopback port, a fake clock, and `Api`,
a thin `requests` wrapper holding an access token.

Every sandbox made with `make_sandbox` has a `ContractRecorder` attached when Fortnox's OpenAPI document is
available; a test fails at teardown if any response (and, unless `check_requests=False`, any request it sent)
broke the contract.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import requests

from fortnox_link.fortnox import jsoncodec
from fortnox_link.sandbox import FakeClock, Sandbox

#: A fixed moment (local time) so dates, financial years and the locked period are the same on every run:
#: demo years 2025 (Id 1) and 2026 (Id 2), no 2027, locked period ends 2026-03-31.
FIXED_NOW = datetime(2026, 6, 15, 12, 0).timestamp()


@dataclass
class Answer:
    status: int
    body: Any
    headers: Any

    @property
    def error_code(self) -> int | None:
        info = (self.body or {}).get("ErrorInformation") if isinstance(self.body, dict) else None
        return int(info["code"]) if info else None

    @property
    def message(self) -> str:
        info = (self.body or {}).get("ErrorInformation") if isinstance(self.body, dict) else None
        return str(info["message"]) if info else ""


class Api:
    """Requests against the sandbox's /3 API with one access token (real HTTP, keep-alive session)."""

    def __init__(self, sandbox: Sandbox, scopes: list[str] | None = None, token: str | None = None) -> None:
        self.sandbox = sandbox
        self.session = requests.Session()
        self.token = token or str(sandbox.issue_tokens(scopes)["access_token"])

    def request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: Any = None,
        *,
        raw: bytes | None = None,
        timeout: float = 5.0,
    ) -> Answer:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = raw
        if body is not None:
            data = jsoncodec.dump_bytes(body)
        if data is not None:
            headers["Content-Type"] = "application/json"
        response = self.session.request(
            method, self.sandbox.api_url + path, params=params, data=data, headers=headers, timeout=timeout
        )
        parsed = jsoncodec.loads(response.content) if response.content else None
        return Answer(response.status_code, parsed, response.headers)

    def get(self, path: str, **params: Any) -> Answer:
        return self.request("GET", path, params or None)

    def post(self, path: str, body: Any, **params: Any) -> Answer:
        return self.request("POST", path, params or None, body)

    def put(self, path: str, body: Any = None, **params: Any) -> Answer:
        return self.request("PUT", path, params or None, body)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(FIXED_NOW)


@pytest.fixture
def make_sandbox(clock: FakeClock, sandbox_factory: Callable[..., Sandbox]) -> Callable[..., Sandbox]:
    """The shared contract-checked factory (tests/conftest.py), on this folder's fixed clock by default."""

    def make(seed: str = "demo", **config: Any) -> Sandbox:
        config.setdefault("clock", clock)
        return sandbox_factory(seed, **config)

    return make


@pytest.fixture
def demo(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox("demo")


@pytest.fixture
def api(demo: Sandbox) -> Api:
    return Api(demo)
