"""Exactly-once creation in Fortnox, for objects Fortnox gives no idempotency key for.

The protocol, the same for customers, articles, invoices and vouchers:

1. A link (source id -> Fortnox number) already stored: the object exists; no call.
2. An intent left open by an earlier run (crash, or "outcome unknown"): look the object up in Fortnox by what
   identifies it (ExternalInvoiceReference1, organisation number, article number, the marker in a voucher's
   description). Found: store the link and close the intent. Not found: close the intent as not created.
3. Record a new intent (committed to disk), POST, record the outcome. If the answer never came, look it up once
   right away; if still not found the intent stays "unknown" and the next run resolves it by step 2 before
   anything is posted again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..fortnox import FortnoxError, OutcomeUnknownError

Document = dict[str, Any]


class IntentLog(Protocol):
    """What exactly-once creation needs from the store."""

    def get_link(self, kind: str, source_id: str) -> str | None: ...

    def save_link(self, kind: str, source_id: str, fortnox_id: str, fingerprint: str) -> None: ...

    def open_intent(self, kind: str, source_id: str) -> int | None: ...

    def begin_intent(self, kind: str, source_id: str, fingerprint: str, run_id: int | None) -> int: ...

    def complete_intent(self, intent_id: int, fortnox_id: str, summary: str) -> None: ...

    def fail_intent(self, intent_id: int, error: str) -> None: ...

    def mark_unknown(self, intent_id: int, error: str) -> None: ...


@dataclass(frozen=True)
class Created:
    fortnox_id: str
    created: bool  # False when it existed already (linked earlier, or found after an unknown outcome)
    document: Document | None = None


def ensure_created(
    log: IntentLog,
    *,
    kind: str,
    source_id: str,
    fingerprint: str,
    run_id: int | None,
    create: Callable[[], Document],
    lookup: Callable[[], Document | None],
    id_of: Callable[[Document], str],
) -> Created:
    linked = log.get_link(kind, source_id)
    if linked is not None:
        return Created(linked, created=False)

    pending = log.open_intent(kind, source_id)
    if pending is not None:
        found = lookup()
        if found is not None:
            fortnox_id = id_of(found)
            log.save_link(kind, source_id, fortnox_id, fingerprint)
            log.complete_intent(pending, fortnox_id, "found in Fortnox after an interrupted run")
            return Created(fortnox_id, created=False, document=found)
        log.fail_intent(pending, "not created: not found in Fortnox after an interrupted run")

    intent = log.begin_intent(kind, source_id, fingerprint, run_id)
    try:
        document = create()
    except OutcomeUnknownError as exc:
        found = lookup()
        if found is not None:
            fortnox_id = id_of(found)
            log.save_link(kind, source_id, fortnox_id, fingerprint)
            log.complete_intent(intent, fortnox_id, "created; the answer was lost and the object found")
            return Created(fortnox_id, created=True, document=found)
        log.mark_unknown(intent, exc.message)
        raise
    except FortnoxError as exc:
        log.fail_intent(intent, exc.message)
        raise
    fortnox_id = id_of(document)
    log.save_link(kind, source_id, fortnox_id, fingerprint)
    log.complete_intent(intent, fortnox_id, "created")
    return Created(fortnox_id, created=True, document=document)
