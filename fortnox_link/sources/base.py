"""The boundary between Fortnox Link and the order system: the `OrderSource` protocol and what it hands over.

A source hands records over in a `Batch`: the good records, the `RecordProblem`s of the bad ones, and a new
cursor. The caller handles the records, then calls `batch.commit()` (a file source moves its files out of the inbox
only then) and stores `batch.cursor`; the next call passes that cursor as `since`. A run that dies before commit
gets the same records again next time, so everything downstream is idempotent by source id.

Each connection has a `StartingPoint`: records before it (by date, or by their number) are left out, with their
problems, so switching a connection on never pushes years of history into Fortnox.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeAlias, TypeVar

from .records import (
    Article,
    InventoryEvent,
    InvoiceBasis,
    MatchStatus,
    PurchaseOrder,
    RecordProblem,
    Supplier,
)
from .validate import Checked, parse_timestamp

Cursor: TypeAlias = str
"""Opaque to the caller: store it after commit and pass it back as `since`. Each adapter documents its shape."""

R = TypeVar("R")


class SourceError(Exception):
    """The order system could not be read or written; the message is for people and never holds a secret."""


class SourceAuthError(SourceError):
    """The order system refused the credentials."""


class SourceUnavailableError(SourceError):
    """The order system did not answer (or answered with server errors) after the retries."""


class SourceNotFoundError(SourceError):
    """Write-back for a record the order system does not know."""


@dataclass
class Batch(Generic[R]):
    """Records handed over together. `commit()` acknowledges them; it is safe to call more than once."""

    records: tuple[R, ...]
    problems: tuple[RecordProblem, ...] = ()
    cursor: Cursor | None = None
    notes: tuple[str, ...] = ()  # things worth telling that are not problems (duplicates, files ignored, ...)
    skipped_before_start: int = 0
    on_commit: Callable[[], None] | None = field(default=None, repr=False, compare=False)
    committed: bool = field(default=False, compare=False)

    def commit(self) -> None:
        if self.committed:
            return
        if self.on_commit is not None:
            self.on_commit()
        self.committed = True

    def __len__(self) -> int:
        return len(self.records)


# -- starting points ---------------------------------------------------------------------------------------------

_TRAILING_NUMBER = re.compile(r"(\d+)\D*$")


def number_value(number: str) -> int | None:
    """The last run of digits in a document number: "PO-10023" -> 10023, "F-1042" -> 1042, "ABC" -> None."""
    found = _TRAILING_NUMBER.search(number)
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class StartingPoint:
    """Where one connection starts. A record is left out when it is dated before `from_date` or its number is
    below `from_number` (compared by the last run of digits: "PO-10050" starts at 10050). Either may be None."""

    from_date: date | None = None
    from_number: str | None = None

    def __post_init__(self) -> None:
        if self.from_number is not None and number_value(self.from_number) is None:
            raise ValueError(f'the starting number "{self.from_number}" has no digits to compare by')

    def admits(self, record_date: date | None, record_number: str | None) -> bool:
        if self.from_date is not None and record_date is not None and record_date < self.from_date:
            return False
        if self.from_number is not None and record_number is not None:
            value = number_value(record_number)
            limit = number_value(self.from_number)
            if value is not None and limit is not None and value < limit:
                return False
        return True


@dataclass(frozen=True)
class StartingPoints:
    """One starting point per connection; None means from the beginning."""

    invoicing: StartingPoint | None = None
    purchase_matching: StartingPoint | None = None
    inventory: StartingPoint | None = None


def date_and_number(record: object) -> tuple[date | None, str | None]:
    if isinstance(record, InvoiceBasis):
        return record.invoice_date, record.number
    if isinstance(record, PurchaseOrder):
        return record.order_date, record.order_number
    if isinstance(record, InventoryEvent):
        return record.event_date, record.event_id
    if isinstance(record, RecordProblem):
        return record.record_date, record.record_number
    return None, None


def apply_starting_point(batch: Batch[R], start: StartingPoint | None) -> Batch[R]:
    """The batch without the records (and the problems of records) before the starting point.

    The cursor and the commit stay as they were: records left out are passed for good, not fetched again.
    """
    if start is None:
        return batch
    kept = tuple(r for r in batch.records if start.admits(*date_and_number(r)))
    problems = tuple(p for p in batch.problems if start.admits(*date_and_number(p)))
    skipped = len(batch.records) - len(kept) + len(batch.problems) - len(problems)
    return replace(batch, records=kept, problems=problems, skipped_before_start=batch.skipped_before_start + skipped)


def source_id_of(record: object) -> str:
    for name in ("source_id", "article_number", "supplier_number"):
        value = getattr(record, name, None)
        if isinstance(value, str):
            return value
    raise TypeError(f"{type(record).__name__} has no source id")


def gather(results: Iterable[Checked[R]]) -> tuple[tuple[R, ...], tuple[RecordProblem, ...]]:
    """Good records (the last one wins when an id comes twice) and all problems, in order."""
    records: dict[str, R] = {}
    problems: list[RecordProblem] = []
    for result in results:
        if result.record is not None:
            key = source_id_of(result.record)
            records.pop(key, None)
            records[key] = result.record
        problems.extend(result.problems)
    return tuple(records.values()), tuple(problems)


# -- watermark cursors -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Watermark:
    """The last record seen, in (modified_at, id) order: the next read continues strictly after it.

    A cursor also names its origin (the adapter, and for the REST adapter its address), so a cursor stored for one
    order system is never taken as a position in another: switching from the demo to the real system starts from
    the beginning (and the starting point) instead of skipping the real records older than the demo's last one.
    """

    modified_at: datetime
    last_id: str

    def encode(self, origin: str) -> Cursor:
        data = {"origin": origin, "modified_at": self.modified_at.isoformat(), "id": self.last_id}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @staticmethod
    def decode(cursor: Cursor | None, origin: str) -> Watermark | None:
        """The position in `cursor`; None when there is none or it belongs to another origin."""
        if cursor is None or cursor == "":
            return None
        try:
            data: Any = json.loads(cursor)
            if not isinstance(data, dict) or data.get("origin") != origin:
                return None
            return Watermark(parse_timestamp(str(data["modified_at"])), str(data["id"]))
        except (ValueError, KeyError, TypeError):
            raise SourceError(f"the stored position in the order system ({cursor[:80]!r}) cannot be read") from None

    def precedes(self, modified_at: datetime, record_id: str) -> bool:
        """True when the record (modified_at, record_id) comes after this watermark: it is new."""
        return (modified_at, record_id) > (self.modified_at, self.last_id)


def foreign_cursor_note(cursor: Cursor | None, origin: str) -> tuple[str, ...]:
    """A note when a stored cursor is not this origin's (and so was not used)."""
    if cursor and Watermark.decode(cursor, origin) is None:
        return (f"the stored position is not one of {origin}'s; reading from the start (and the starting point)",)
    return ()


def advance(cursor: Cursor | None, seen: Sequence[tuple[datetime, str]], origin: str) -> Cursor | None:
    """The watermark after the records seen (good and bad alike), or the old cursor if none were."""
    current = Watermark.decode(cursor, origin)
    if not seen:
        return cursor if current is not None else None
    modified_at, last_id = max(seen)
    if current is not None and not current.precedes(modified_at, last_id):
        return cursor
    return Watermark(modified_at, last_id).encode(origin)


# -- the protocol ------------------------------------------------------------------------------------------------


class OrderSource(Protocol):
    """What Fortnox Link needs from the order system. All three adapters (demo, files, extend-api) fit it."""

    name: str

    def test_connection(self) -> str:
        """A line for people saying what was reached; raises SourceError when it cannot be."""
        ...

    def invoice_bases(self, since: Cursor | None = None) -> Batch[InvoiceBasis]: ...

    def articles(self, numbers: Iterable[str]) -> Batch[Article]:
        """The articles with these numbers; a number the order system does not know is a problem in the batch."""
        ...

    def suppliers(self) -> Batch[Supplier]: ...

    def purchase_orders(self, since: Cursor | None = None) -> Batch[PurchaseOrder]: ...

    def inventory_events(self, since: Cursor | None = None) -> Batch[InventoryEvent]: ...

    def write_invoice_number(self, basis_id: str, fortnox_document_number: str) -> None:
        """Tell the order system which Fortnox invoice an invoice basis became. Writing it again is harmless."""
        ...

    def write_match_status(self, purchase_order_id: str, status: MatchStatus, detail: str = "") -> None:
        """Tell the order system how a purchase order matched. The latest status written is the one that counts."""
        ...

    def close(self) -> None:
        """Finish write-back and release what the source holds. Safe to call more than once."""
        ...
