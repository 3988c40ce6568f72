"""Purchase matching: results per (purchase order, supplier invoice) pair, and the user's decisions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fortnox_link.store import Store, fingerprint


def test_results_are_one_per_pair_and_replaced_on_recompute(store: Store) -> None:
    fp = fingerprint({"po": "PO-1", "si": "SI-1", "total": Decimal("100.00")})
    first = store.record_match_result(
        "PO-1",
        "SI-1",
        "difference",
        documents_fingerprint=fp,
        reason="Pris skiljer",
        differences={"rows": [{"article": "A1", "order_price": Decimal("10.00"), "invoice_price": Decimal("10.50")}]},
    )
    assert first.differences["rows"][0]["invoice_price"] == "10.50"
    second = store.record_match_result("PO-1", "SI-1", "matched", documents_fingerprint=fp)
    assert second.id == first.id and second.outcome == "matched" and second.differences == {}
    assert store.db["match_results"].count == 1


def test_one_sided_results(store: Store) -> None:
    no_invoice = store.record_match_result("PO-2", None, "no_invoice", documents_fingerprint="f1")
    unmatched = store.record_match_result(None, "SI-9", "unmatched", documents_fingerprint="f2")
    again = store.record_match_result("PO-2", None, "no_invoice", documents_fingerprint="f3")
    assert again.id == no_invoice.id
    found = store.match_result(None, "SI-9")
    assert found is not None and found.id == unmatched.id
    assert store.match_result("PO-2", "SI-9") is None
    with pytest.raises(ValueError):
        store.record_match_result(None, None, "x", documents_fingerprint="f")


def test_querying_and_clearing_results(store: Store) -> None:
    store.record_match_result("PO-1", "SI-1", "matched", documents_fingerprint="f")
    store.record_match_result("PO-1", "SI-2", "partial", documents_fingerprint="f")
    store.record_match_result("PO-2", "SI-3", "matched", documents_fingerprint="f")
    store.record_match_result(None, "SI-4", "unmatched", documents_fingerprint="f")
    assert [(r.purchase_order_id, r.supplier_invoice_id) for r in store.match_results(purchase_order_id="PO-1")] == [
        ("PO-1", "SI-1"),
        ("PO-1", "SI-2"),
    ]
    assert len(store.match_results(outcome="matched")) == 2
    assert [r.supplier_invoice_id for r in store.match_results(supplier_invoice_id="SI-4")] == ["SI-4"]
    assert store.clear_match_results(purchase_order_id="PO-1") == 2
    assert store.clear_match_results(supplier_invoice_id="SI-4") == 1
    assert [r.purchase_order_id for r in store.match_results()] == ["PO-2"]


def test_an_accepted_match_stays_accepted_until_the_documents_change(store: Store) -> None:
    fp_then = fingerprint({"po": {"total": Decimal("500.00")}, "si": {"total": Decimal("510.00")}})
    decision = store.record_decision(
        "accept", "PO-1", "SI-1", documents_fingerprint=fp_then, reason="Frakt 10 kr godkänd"
    )
    assert decision.action == "accept" and decision.reason == "Frakt 10 kr godkänd"
    assert store.is_accepted("PO-1", "SI-1", fp_then)
    current = store.current_decision("PO-1", "SI-1", fp_then)
    assert current is not None and current.id == decision.id

    fp_now = fingerprint({"po": {"total": Decimal("500.00")}, "si": {"total": Decimal("610.00")}})
    assert not store.is_accepted("PO-1", "SI-1", fp_now)
    assert store.current_decision("PO-1", "SI-1", fp_now) is None
    assert len(store.decisions(purchase_order_id="PO-1")) == 1  # the history is kept


def test_the_latest_decision_is_in_force(store: Store) -> None:
    store.record_decision("link", "PO-1", "SI-1", documents_fingerprint="f1")
    store.record_decision("unlink", "PO-1", "SI-1", documents_fingerprint="f1", reason="Fel order")
    current = store.current_decision("PO-1", "SI-1", "f2")  # link/unlink do not depend on the documents
    assert current is not None and current.action == "unlink"
    ignored = store.record_decision("ignore", None, "SI-9", documents_fingerprint="f", reason="Hyra")
    only_invoice = store.current_decision(None, "SI-9", "anything")
    assert only_invoice is not None and only_invoice.id == ignored.id
    assert store.current_decision("PO-1", "SI-9", "f") is None
    assert [d.action for d in store.decisions(purchase_order_id="PO-1", supplier_invoice_id="SI-1")] == [
        "unlink",
        "link",
    ]
    with pytest.raises(ValueError, match="decision"):
        store.record_decision("approve", "PO-1", "SI-1", documents_fingerprint="f")
