"""Small helpers shared by the tests of the order-system side."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path


class Clock:
    """A clock the test moves by hand (the outbox file names and the ledger take their time from it)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: int = 1) -> None:
        self.now += timedelta(seconds=seconds)


def write_export(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write an export as the order system would: CRLF lines, in the given encoding ("utf-8-sig" adds a BOM)."""
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path
