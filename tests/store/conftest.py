"""Fixtures for the state layer: a real SQLite file per test, an in-memory keyring, a controllable clock."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from fortnox_link.store import Store, open_store

from .clock import FakeClock


@pytest.fixture(autouse=True)
def _store_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test of this folder out of the real user folders (also without the top-level conftest)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("FORTNOX_LINK_HOME", str(home))
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "profile" / "fortnox-link.db"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(db_path: Path, clock: FakeClock) -> Iterator[Store]:
    s = open_store(db_path, clock=clock)
    yield s
    s.close()


@pytest.fixture
def restore_root_logging() -> Iterator[logging.Logger]:
    """Put the root logger's handlers and level back after a test that calls setup_logging()."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    level = root.level
    try:
        yield root
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)
