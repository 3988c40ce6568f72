"""Links (source record -> Fortnox object) and stream cursors."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from fortnox_link.store import Store, fingerprint

from .clock import FakeClock


def test_save_and_update_a_link(store: Store, clock: FakeClock) -> None:
    assert store.get_link("customer", "C-1") is None
    store.save_link("customer", "C-1", "1001", "sha256:one")
    clock.advance(hours=1)
    store.save_link("customer", "C-1", "1001", "sha256:two")
    link = store.link("customer", "C-1")
    assert link is not None
    assert link.fortnox_id == "1001" and link.fingerprint == "sha256:two"
    assert (link.updated_at - link.created_at).total_seconds() == 3600
    assert store.db["links"].count == 1


def test_links_are_per_kind_and_found_by_fortnox_id(store: Store) -> None:
    store.save_link("customer", "X-1", "42", "f")
    store.save_link("article", "X-1", "ART-9", "f")
    store.save_link("invoice", "B-1", "4501", "f")
    store.save_link("invoice", "B-2", "4502", "f")
    assert store.get_link("customer", "X-1") == "42"
    assert store.get_link("article", "X-1") == "ART-9"
    assert [link.source_id for link in store.links_to("invoice", "4502")] == ["B-2"]
    assert store.links_to("customer", "4502") == []
    assert [link.source_id for link in store.links("invoice")] == ["B-1", "B-2"]
    assert store.delete_link("invoice", "B-1") is True
    assert store.get_link("invoice", "B-1") is None


def test_the_fortnox_id_lookup_uses_the_index(store: Store) -> None:
    plan = store.db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM links WHERE kind = ? AND fortnox_id = ?", ("invoice", "1")
    ).fetchall()
    assert any("links_kind_fortnox_id" in str(step) for step in plan)


def test_unknown_link_kinds_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="link kind"):
        store.save_link("order", "1", "2", "f")
    with pytest.raises(sqlite3.IntegrityError):  # and the table itself refuses them too
        store.db.execute(
            "INSERT INTO links VALUES ('order', '1', '2', 'f', '2025-01-01T00:00:00+00:00', "
            "'2025-01-01T00:00:00+00:00')"
        )


def test_fingerprints_ignore_key_order_and_decimal_spelling_but_see_changes() -> None:
    a = {"Customer": "1", "Rows": [{"Price": Decimal("100.00"), "Qty": Decimal("2")}]}
    b = {"Rows": [{"Qty": Decimal("2.0"), "Price": Decimal("100")}], "Customer": "1"}
    c = {"Customer": "1", "Rows": [{"Price": Decimal("100.01"), "Qty": Decimal("2")}]}
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint(c)
    assert fingerprint(a).startswith("sha256:")
    with pytest.raises(TypeError):
        fingerprint({"Price": 100.0})


def test_cursors(store: Store, clock: FakeClock) -> None:
    assert store.get_cursor("invoice_bases") is None
    store.set_cursor("invoice_bases", "2025-03-01T10:00:00Z|B-10")
    clock.advance(minutes=5)
    store.set_cursor("invoice_bases", "2025-03-01T11:00:00Z|B-12")
    cursor = store.cursor("invoice_bases")
    assert cursor is not None and cursor.value == "2025-03-01T11:00:00Z|B-12"
    assert cursor.updated_at == clock.now
    assert store.delete_cursor("invoice_bases") is True
    assert store.get_cursor("invoice_bases") is None


def test_records_and_their_cursor_are_stored_together_or_not_at_all(store: Store) -> None:
    store.set_cursor("stock_events", "100")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.transaction():
        store.save_link("voucher", "E-101", "A-5", "f")
        store.set_cursor("stock_events", "101")
        raise Boom()
    assert store.get_link("voucher", "E-101") is None
    assert store.get_cursor("stock_events") == "100"

    with store.transaction():
        store.save_link("voucher", "E-101", "A-5", "f")
        store.set_cursor("stock_events", "101")
    assert store.get_link("voucher", "E-101") == "A-5"
    assert store.get_cursor("stock_events") == "101"


def test_nested_transactions_roll_back_only_the_inner_part(store: Store) -> None:
    with store.transaction():
        store.set_cursor("a", "1")
        with pytest.raises(KeyError), store.transaction():
            store.set_cursor("b", "1")
            raise KeyError("inner")
        store.set_cursor("c", "1")
    assert store.get_cursor("a") == "1"
    assert store.get_cursor("b") is None
    assert store.get_cursor("c") == "1"
