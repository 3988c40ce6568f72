"""Fixtures for the order-system side: inbox folders with real files, and the Extend emulator on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fortnox_link.sandbox.extend_emulator import ExtendEmulator

from .helpers import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 3, 13, 5, 0, tzinfo=UTC))


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


@pytest.fixture
def emulator_factory() -> Iterator[type[ExtendEmulator]]:
    started: list[ExtendEmulator] = []

    class Tracked(ExtendEmulator):
        def start(self) -> ExtendEmulator:
            started.append(self)
            return super().start()

    yield Tracked
    for emulator in started:
        emulator.stop()
