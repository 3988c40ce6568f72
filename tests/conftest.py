"""Shared fixtures: the real Fortnox sandbox over loopback HTTP, the real client, contract checking.

Every exchange with the sandbox during a test is checked against Fortnox's OpenAPI document (requests the client
sends and responses the sandbox gives); a test fails at teardown if any did not validate.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

# Qt must never try to open a display in tests (CI has none; without this Qt aborts the whole run).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _name in ("FORTNOX_API_URL", "FORTNOX_OAUTH_URL", "FORTNOX_CLIENT_ID", "FORTNOX_CLIENT_SECRET"):
    os.environ.pop(_name, None)

from fortnox_link.demo import Connection, connect_to_sandbox  # noqa: E402
from fortnox_link.fortnox import RetryPolicy  # noqa: E402
from fortnox_link.sandbox import Sandbox, SandboxConfig  # noqa: E402

from .contract import ContractRecorder, OpenApiContract, load_contract  # noqa: E402
from .keyring_memory import MemoryKeyring  # noqa: E402

FAST_RETRY = RetryPolicy(max_attempts=4, backoff_base=0.01, backoff_max=0.05)


@pytest.fixture(autouse=True)
def _app_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test out of the real user folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("FORTNOX_LINK_HOME", str(home))
    return home


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An in-memory keyring for the test (the app never has one: on a real machine it is the OS keyring)."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def contract() -> OpenApiContract | None:
    return load_contract()


@pytest.fixture
def sandbox_factory(contract: OpenApiContract | None) -> Iterator[Callable[..., Sandbox]]:
    started: list[tuple[Sandbox, ContractRecorder | None]] = []

    def make(seed: str = "demo", *, check_contract: bool = True, check_requests: bool = True, **config: Any) -> Sandbox:
        config.setdefault("rate_limit", None)
        sb = Sandbox(seed=seed, config=SandboxConfig(**config))
        recorder = None
        if contract is not None and check_contract:
            recorder = ContractRecorder(contract, check_requests=check_requests)
            sb.observers.append(recorder)
        sb.start()
        started.append((sb, recorder))
        return sb

    yield make
    problems: list[str] = []
    for sb, recorder in started:
        sb.stop()
        if recorder is not None:
            problems.extend(recorder.violations)
    assert not problems, "exchanges that break Fortnox's OpenAPI contract:\n" + "\n".join(problems[:20])


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    return sandbox_factory()


@pytest.fixture
def connection(sandbox: Sandbox) -> Connection:
    conn = connect_to_sandbox(sandbox)
    conn.client.retry = FAST_RETRY
    conn.client.timeout = (2.0, 5.0)
    return conn
