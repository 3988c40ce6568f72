"""Row types of the store, and the JSON and fingerprint rules shared by every table.

JSON stored by the store never contains a float: money and quantities are `Decimal`, written as the string of the
Decimal (``"1234.50"``) so no reader can turn them into binary floating point. They come back as strings; the
typed helpers (`Store.get_setting_decimal`, ...) turn them back where the type is known.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _to_json_compatible(value: Any, *, canonical: bool) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        raise TypeError("a float cannot be stored: use Decimal for money and quantities")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite amount: {value}")
        return format(value.normalize(), "f") if canonical else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys must be strings, not {type(key).__name__}")
            out[key] = _to_json_compatible(item, canonical=canonical)
        return out
    if isinstance(value, list | tuple):
        return [_to_json_compatible(item, canonical=canonical) for item in value]
    raise TypeError(f"cannot store a {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    """JSON text for a column: Decimal as its string, dates ISO, floats refused."""
    return json.dumps(_to_json_compatible(value, canonical=False), ensure_ascii=False, sort_keys=True)


def loads(text: str | None) -> Any:
    if text is None or text == "":
        return None
    return json.loads(text)


def fingerprint(document: Any) -> str:
    """A stable hash of what is (or was) sent: key order and Decimal spelling (1.50 vs 1.5) do not change it."""
    canonical = json.dumps(
        _to_json_compatible(document, canonical=True), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class SyncRun:
    id: int
    connection: str
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    kind: str
    source_id: str
    fortnox_id: str
    fingerprint: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Cursor:
    name: str
    value: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Intent:
    id: int
    run_id: int | None
    kind: str
    source_id: str
    payload_fingerprint: str
    created_at: datetime
    state: str
    fortnox_id: str | None
    resolved_at: datetime | None
    error: str | None
    answer_summary: str | None

    @property
    def is_open(self) -> bool:
        return self.state in ("pending", "unknown")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    run_id: int | None
    method: str
    path: str
    kind: str | None
    source_id: str | None
    status: int | None
    fortnox_id: str | None
    summary: str | None


@dataclass(frozen=True, slots=True)
class ExceptionItem:
    """A record waiting for review ("undantag")."""

    id: int
    connection: str
    kind: str
    source_id: str
    field: str | None
    message: str
    details: dict[str, Any]
    status: str
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    resolution: str | None


@dataclass(frozen=True, slots=True)
class MatchResult:
    id: int
    purchase_order_id: str | None
    supplier_invoice_id: str | None
    outcome: str
    reason: str | None
    differences: dict[str, Any]
    documents_fingerprint: str
    computed_at: datetime


@dataclass(frozen=True, slots=True)
class MatchDecision:
    id: int
    action: str
    purchase_order_id: str | None
    supplier_invoice_id: str | None
    reason: str | None
    decided_at: datetime
    documents_fingerprint: str
