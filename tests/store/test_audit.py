"""The audit of writes to Fortnox: what was sent where and what Fortnox answered; never a token."""

from __future__ import annotations

import pytest

from fortnox_link.secrets import registry
from fortnox_link.store import Store

from .clock import FakeClock


def test_record_and_read_audit_entries(store: Store) -> None:
    run_id = store.start_run("invoicing", "manual")
    a = store.record_audit(
        "post",
        "/3/invoices",
        201,
        run_id=run_id,
        kind="invoice",
        source_id="B-1",
        fortnox_id="4501",
        summary="Faktura 4501",
    )
    b = store.record_audit(
        "POST",
        "/3/invoices",
        400,
        run_id=run_id,
        kind="invoice",
        source_id="B-2",
        summary="2000433: Kunden finns inte",
    )
    c = store.record_audit("PUT", "/3/invoices/4501/bookkeep", None, kind="invoice", source_id="B-1")
    entries = store.audit_entries()
    assert [e.id for e in entries] == [c, b, a]
    first = entries[-1]
    assert (first.method, first.path, first.status, first.fortnox_id, first.summary) == (
        "POST",
        "/3/invoices",
        201,
        "4501",
        "Faktura 4501",
    )
    assert entries[0].status is None  # no answer came
    assert [e.id for e in store.audit_entries(run_id=run_id)] == [b, a]
    assert [e.id for e in store.audit_entries(kind="invoice", source_id="B-1")] == [c, a]
    assert [e.id for e in store.audit_entries(limit=1)] == [c]


def test_tokens_never_reach_the_audit_table(store: Store) -> None:
    registry.register("access-token-0123456789abcdef")
    store.record_audit(
        "POST",
        "/3/vouchers?access_token=access-token-0123456789abcdef",
        401,
        summary='{"access_token": "eyJhbGciOi.JIUzI1", "message": "Ogiltig token"} Authorization: Bearer xyz.123',
    )
    raw = "\n".join(str(v) for row in store.db.query("SELECT * FROM audit") for v in row.values())
    for secret in ("access-token-0123456789abcdef", "eyJhbGciOi.JIUzI1", "xyz.123"):
        assert secret not in raw
    assert "Ogiltig token" in raw
    assert "***" in raw


def test_pruning_removes_only_old_audit_entries(store: Store, clock: FakeClock) -> None:
    run_id = store.start_run("inventory", "schedule")
    intent_id = store.begin_intent("voucher", "E-1", "f", run_id)
    store.complete_intent(intent_id, "A-1", "Verifikation A-1")
    store.save_link("voucher", "E-1", "A-1", "f")
    store.record_audit("POST", "/3/vouchers", 201, run_id=run_id, summary="old")
    clock.advance(days=40)
    store.record_audit("POST", "/3/vouchers", 201, run_id=run_id, summary="recent")
    clock.advance(days=50)

    assert store.prune_audit(older_than_days=60) == 1
    assert [e.summary for e in store.audit_entries()] == ["recent"]
    # intents and links are kept forever
    assert store.get_intent(intent_id) is not None
    assert store.get_link("voucher", "E-1") == "A-1"
    assert store.prune_audit(older_than_days=60) == 0
    with pytest.raises(ValueError):
        store.prune_audit(older_than_days=-1)
