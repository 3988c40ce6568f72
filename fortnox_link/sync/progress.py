"""Progress and cancellation shared by every connection (the GUI listens; the engine never touches widgets)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """One step of a run: `done` of `total` items (total None while unknown) and what is being done now."""

    connection: str
    done: int
    total: int | None
    message: str


ProgressCallback = Callable[[Progress], None]


def ignore_progress(_: Progress) -> None:
    return None


class Cancelled(Exception):
    """Raised at an item boundary after cancellation was requested; nothing half-done is left behind."""


class CancelToken:
    """Set from any thread; the engine checks it between items, never in the middle of one."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()
