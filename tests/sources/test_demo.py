"""The demo source: deterministic, fits the sandbox's demo company, and shows its deliberate mistakes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from fortnox_link.sandbox import seed
from fortnox_link.sandbox.company import Company
from fortnox_link.sandbox.config import SandboxConfig
from fortnox_link.sandbox.extend_emulator import ExtendEmulator
from fortnox_link.sources.base import SourceNotFoundError, StartingPoint, StartingPoints
from fortnox_link.sources.demo import (
    DEMO_BAD_RECORDS,
    DEMO_CREDIT_BASES,
    DEMO_NEW_ARTICLES,
    DEMO_TOTAL_MISMATCH_BASIS,
    DemoSource,
)
from fortnox_link.sources.extend_api import ExtendApiSource
from fortnox_link.sources.records import EventType, MatchStatus, PurchaseOrderStatus, RecordKind

TODAY = date(2026, 11, 3)


@pytest.fixture(scope="module")
def demo() -> DemoSource:
    return DemoSource(TODAY)


@pytest.fixture(scope="module")
def fortnox_company() -> Company:
    """The sandbox's demo company as the seed makes it for the same day."""
    moment = datetime.combine(TODAY, time(12)).timestamp()
    company = Company(clock=lambda: moment)
    seed.seed_demo(company, SandboxConfig(clock=lambda: moment, rate_limit=None))
    return company


def test_the_demo_is_deterministic_and_follows_today(demo: DemoSource) -> None:
    again = DemoSource(TODAY)
    assert again.data == demo.data
    assert again.invoice_bases() == demo.invoice_bases()
    later = DemoSource(TODAY + timedelta(days=10))
    assert [b["id"] for b in later.data.invoice_bases] == [b["id"] for b in demo.data.invoice_bases]
    first, moved = demo.data.invoice_bases[-1], later.data.invoice_bases[-1]
    assert date.fromisoformat(moved["invoice_date"]) - date.fromisoformat(first["invoice_date"]) == timedelta(days=10)


def test_sizes_and_swedish_names(demo: DemoSource) -> None:
    bases, orders, events = demo.invoice_bases(), demo.purchase_orders(), demo.inventory_events()
    assert len(bases.records) + len(bases.problems) == 150
    assert sorted(o.order_number for o in orders.records) == [f"PO-{n}" for n in range(10001, 10101)]
    assert len(events.records) > 400
    assert {e.event_type for e in events.records} == set(EventType)
    assert sum(e.cancelled for e in events.records) == 2
    names = {b.customer.name for b in bases.records}
    assert {"Åkesson Bygg AB", "Älvdalens Stugbyggare AB", "Köpenhamns Tømrerfirma ApS"} <= names
    credits = [b for b in bases.records if b.is_credit]
    assert sorted(b.source_id for b in credits) == sorted(DEMO_CREDIT_BASES)
    assert all(r.quantity < 0 for b in credits for r in b.rows)
    private = [b for b in bases.records if b.customer.customer_type.value == "private" and "-7" in b.source_id]
    assert private and all(b.prices_include_vat for b in private)
    assert max(e.event_date for e in events.records) <= TODAY


def test_every_deliberate_mistake_is_reported_and_nothing_else(demo: DemoSource) -> None:
    batches: dict[RecordKind, Any] = {
        RecordKind.INVOICE_BASIS: demo.invoice_bases(),
        RecordKind.PURCHASE_ORDER: demo.purchase_orders(),
        RecordKind.INVENTORY_EVENT: demo.inventory_events(),
        RecordKind.SUPPLIER: demo.suppliers(),
        RecordKind.ARTICLE: demo.articles(a["article_number"] for a in demo.data.articles),
    }
    reported = {(p.record_kind, p.record_id, p.field) for b in batches.values() for p in b.problems}
    assert reported == set(DEMO_BAD_RECORDS)
    for kind, record_id, _ in DEMO_BAD_RECORDS:
        ids = {getattr(r, "source_id", None) or getattr(r, "article_number", None) or r.supplier_number
               for r in batches[kind].records}  # fmt: skip
        assert record_id not in ids
    one = next(p for p in batches[RecordKind.INVOICE_BASIS].problems if p.record_id == "EB-ORDER-7012")
    assert (
        str(one)
        == 'invoice basis EB-ORDER-7012, row 1, field "vat_rate": 30 is not a Swedish VAT rate (25, 12, 6 or 0)'
    )


def test_purchase_orders_match_the_supplier_invoices_in_the_sandbox(demo: DemoSource, fortnox_company: Company) -> None:
    orders = {o.order_number: o for o in demo.purchase_orders().records}
    referenced: dict[str, list[dict[str, Any]]] = {}
    for invoice in fortnox_company.supplier_invoices.values():
        if invoice.get("Cancelled"):
            continue
        text = " ".join(str(invoice.get(k) or "") for k in ("YourReference", "OurReference",
                                                             "ExternalInvoiceNumber", "Comments"))  # fmt: skip
        found = re.search(r"(?:PO|IO)[\s-]?(\d{5})", text, re.IGNORECASE)
        if found:
            referenced.setdefault(f"PO-{found.group(1)}", []).append(invoice)
    assert set(referenced) - set(orders) == {seed.DEMO_UNKNOWN_PO}
    not_invoiced = set(orders) - set(referenced)
    assert not_invoiced == {f"PO-{n}" for n in range(10076, 10101)} | set(seed.DEMO_NO_REFERENCE_POS)
    exact = 0
    for number, invoices in referenced.items():
        if number not in orders:
            continue
        order = orders[number]
        invoice = invoices[0]
        assert invoice["SupplierNumber"] == order.supplier_number and invoice.get("Currency", "SEK") == order.currency
        billed = {(r["ArticleNumber"], Decimal(str(r["Quantity"])), Decimal(str(r["Price"])))
                  for r in invoice["SupplierInvoiceRows"] if r.get("ArticleNumber")}  # fmt: skip
        ordered = {(r.article_number, r.ordered_quantity, r.unit_price) for r in order.rows}
        if billed == ordered:
            exact += 1
        else:
            assert number in seed.DEMO_PRICE_DIFFERENCE_POS + seed.DEMO_QUANTITY_DIFFERENCE_POS
    assert exact == 75 - 2 - len(seed.DEMO_PRICE_DIFFERENCE_POS) - len(seed.DEMO_QUANTITY_DIFFERENCE_POS)
    assert all(orders[n].status is PurchaseOrderStatus.OPEN for n in ("PO-10095", "PO-10100"))


def test_customers_articles_and_suppliers_are_the_sandbox_ones(demo: DemoSource, fortnox_company: Company) -> None:
    bases = demo.invoice_bases().records
    fortnox_org = {c.get("OrganisationNumber") for c in fortnox_company.customers.values()}
    fortnox_names = {c["Name"] for c in fortnox_company.customers.values()}
    known = [b.customer for b in bases if b.customer.source_id.startswith("C1")]
    assert known and all(c.name in fortnox_names for c in known)
    assert all(c.organisation_number in fortnox_org for c in known if c.organisation_number)
    new = {b.customer.name for b in bases} - fortnox_names
    assert new == {"Älvdalens Stugbyggare AB", "Tranås Fönsterrenovering HB", "Brf Björkhagen 3", "Åsa Lövgren",
                   "Örjan Bäckström", "Sjöbergs Måleri i Säffle AB"}  # fmt: skip
    used = {r.article_number for b in bases for r in b.rows}
    missing = used - set(fortnox_company.articles)
    assert missing == {a[0] for a in DEMO_NEW_ARTICLES} | {"2099"}
    assert seed.DEMO_INACTIVE_ARTICLE in used
    fetched = demo.articles(sorted(n for n in missing if n))
    assert sorted(a.article_number for a in fetched.records) == ["2001", "2002", "2003"]
    assert [p.record_id for p in fetched.problems] == ["2099"]
    assert {s.supplier_number for s in demo.suppliers().records} == set(fortnox_company.suppliers)
    history = [b for b in bases if b.source_id.startswith("EB-ORDER-5")]
    by_reference = {i.get("ExternalInvoiceReference1"): i for i in fortnox_company.invoices.values()}
    assert len(history) == 10
    for basis in history:
        invoice = by_reference[basis.source_id]
        assert [(r.article_number, r.quantity) for r in basis.rows] == [
            (r["ArticleNumber"], Decimal(r["DeliveredQuantity"])) for r in invoice["InvoiceRows"]
        ]
        assert abs(basis.expected_total_incl_vat() - invoice["Total"]) < 1  # Fortnox rounds to whole kronor


def test_the_source_total_disagrees_only_where_meant_to(demo: DemoSource) -> None:
    wrong = [b.source_id for b in demo.invoice_bases().records if b.total_incl_vat != b.expected_total_incl_vat()]
    assert wrong == [DEMO_TOTAL_MISMATCH_BASIS]


def test_cursor_and_starting_points(demo: DemoSource) -> None:
    first = demo.invoice_bases()
    assert demo.invoice_bases(since=first.cursor).records == ()
    start = StartingPoints(
        invoicing=StartingPoint(from_date=TODAY - timedelta(days=30)),
        purchase_matching=StartingPoint(from_number="PO-10050"),
    )
    limited = DemoSource(TODAY, starting_points=start)
    bases = limited.invoice_bases()
    assert bases.records and min(b.invoice_date for b in bases.records) >= TODAY - timedelta(days=30)
    assert bases.skipped_before_start == 150 - len(bases.records) - len(bases.problems)
    assert {p.record_id for p in bases.problems} == {"EB-ORDER-7116", "EB-ORDER-7103", "EB-ORDER-7051"}
    orders = limited.purchase_orders()
    assert min(o.order_number for o in orders.records) == "PO-10050" and len(orders.records) == 51


def test_write_back_is_kept_in_memory(demo: DemoSource) -> None:
    source = DemoSource(TODAY)
    source.write_invoice_number("EB-ORDER-7001", "101")
    source.write_invoice_number("EB-ORDER-7001", "102")
    source.write_match_status("PO-10007", MatchStatus.PRICE_DIFFERENCE, "1007: 5 % over")
    assert source.invoice_numbers == {"EB-ORDER-7001": "102"}
    assert source.match_statuses == {"PO-10007": (MatchStatus.PRICE_DIFFERENCE, "1007: 5 % over")}
    with pytest.raises(SourceNotFoundError):
        source.write_invoice_number("EB-ORDER-1", "103")
    assert demo.invoice_numbers == {}


def test_the_emulator_serves_the_demo_exactly(
    demo: DemoSource, emulator_factory: Callable[..., ExtendEmulator]
) -> None:
    emulator = emulator_factory(api_key="demo-key", source=demo).start()
    api = ExtendApiSource(emulator.url, "demo-key", page_size=100)
    for name in ("invoice_bases", "purchase_orders", "inventory_events"):
        over_http, direct = getattr(api, name)(), getattr(demo, name)()
        assert over_http.records == direct.records, name
        assert over_http.problems == direct.problems, name
    assert sorted(api.suppliers().records, key=repr) == sorted(demo.suppliers().records, key=repr)
    api.write_match_status("PO-10076", MatchStatus.NOT_INVOICED, "Ingen leverantörsfaktura ännu")
    assert emulator.writebacks[0].body["detail"] == "Ingen leverantörsfaktura ännu"
    assert len([r for r in emulator.requests if r.path == "inventory-events"]) == 6  # 519 events, 100 a page
