"""Exceptions waiting for review: deduplicated while open, resolved when the record goes through."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fortnox_link.store import StateError, Store

from .clock import FakeClock


def test_raising_the_same_open_exception_again_updates_it(store: Store, clock: FakeClock) -> None:
    first = store.report_exception(
        "invoicing",
        "validation",
        "B-1",
        "Kunden saknar organisationsnummer",
        field="customer.org_no",
        details={"customer": "C-1"},
    )
    clock.advance(minutes=10)
    again = store.report_exception(
        "invoicing",
        "validation",
        "B-1",
        "Kunden saknar fortfarande organisationsnummer",
        field="customer.org_no",
        details={"customer": "C-1", "attempt": 2},
    )
    assert again.id == first.id
    assert again.message == "Kunden saknar fortfarande organisationsnummer"
    assert again.details == {"customer": "C-1", "attempt": 2}
    assert again.created_at == first.created_at and again.updated_at > first.updated_at
    assert store.db["exceptions"].count == 1
    # a different field, kind or record is a different exception
    store.report_exception("invoicing", "validation", "B-1", "Artikel saknas", field="rows[0].article")
    store.report_exception("invoicing", "fortnox_refused", "B-1", "2000433: Kunden finns inte")
    store.report_exception(
        "invoicing", "validation", "B-2", "Kunden saknar organisationsnummer", field="customer.org_no"
    )
    assert len(store.open_exceptions("invoicing")) == 4
    assert len(store.open_exceptions("invoicing", source_id="B-1")) == 3


def test_details_keep_amounts_exact(store: Store) -> None:
    item = store.report_exception(
        "matching",
        "total_mismatch",
        "PO-5",
        "Totalen skiljer sig",
        details={"order_total": Decimal("1000.00"), "invoice_total": Decimal("1000.10")},
    )
    assert item.details == {"order_total": "1000.00", "invoice_total": "1000.10"}
    assert Decimal(item.details["invoice_total"]) - Decimal(item.details["order_total"]) == Decimal("0.10")


def test_resolve_exceptions_for_a_record_that_went_through(store: Store, clock: FakeClock) -> None:
    a = store.report_exception("invoicing", "validation", "B-1", "Fel 1", field="x")
    b = store.report_exception("invoicing", "fortnox_refused", "B-1", "Fel 2")
    other = store.report_exception("invoicing", "validation", "B-2", "Fel 3")
    elsewhere = store.report_exception("inventory", "validation", "B-1", "Fel 4")
    clock.advance(hours=1)
    assert store.resolve_exceptions_for("invoicing", "B-1") == 2
    for item_id in (a.id, b.id):
        item = store.get_exception(item_id)
        assert item is not None and item.status == "resolved" and item.resolution == "went through later"
        assert item.resolved_at == clock.now
    assert [i.id for i in store.open_exceptions()] == [other.id, elsewhere.id]
    # the problem coming back later opens a new exception; the resolved one stays as history
    again = store.report_exception("invoicing", "validation", "B-1", "Fel 1 igen", field="x")
    assert again.id not in (a.id, b.id) and again.status == "open"


def test_ignored_exceptions_stay_ignored_until_reopened(store: Store) -> None:
    item = store.report_exception("matching", "unmatched", "SI-7", "Ingen inköpsorder hittades")
    store.ignore_exception(item.id, "Faktura för hyra, ingen inköpsorder")
    repeated = store.report_exception("matching", "unmatched", "SI-7", "Ingen inköpsorder hittades (igen)")
    assert repeated.id == item.id and repeated.status == "ignored"
    assert repeated.message == "Ingen inköpsorder hittades (igen)"
    assert store.open_exceptions() == []
    assert store.open_exception_counts() == {"invoicing": 0, "matching": 0, "inventory": 0}
    store.reopen_exception(item.id)
    assert [i.id for i in store.open_exceptions("matching")] == [item.id]
    assert store.open_exception_counts()["matching"] == 1


def test_resolve_by_hand_and_state_checks(store: Store) -> None:
    item = store.report_exception("inventory", "missing_financial_year", "E-1", "Räkenskapsår 2026 saknas")
    store.resolve_exception(item.id, "Räkenskapsår skapat i Fortnox")
    with pytest.raises(StateError, match="resolved"):
        store.resolve_exception(item.id, "again")
    with pytest.raises(StateError, match="no exception"):
        store.ignore_exception(12345, "x")
    assert [i.id for i in store.exceptions(status="resolved")] == [item.id]
    with pytest.raises(ValueError, match="connection"):
        store.report_exception("payroll", "validation", "X", "x")


def test_reopening_refuses_to_make_a_duplicate(store: Store) -> None:
    old = store.report_exception("invoicing", "validation", "B-1", "Fel", field="x")
    store.resolve_exception(old.id, "fixat")
    new = store.report_exception("invoicing", "validation", "B-1", "Fel igen", field="x")
    with pytest.raises(StateError, match=f"exception {new.id} is open"):
        store.reopen_exception(old.id)
