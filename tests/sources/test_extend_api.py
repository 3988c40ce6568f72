"""The extend-api source over real HTTP on loopback, against the Extend emulator."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from fortnox_link.sandbox.extend_emulator import ExtendEmulator
from fortnox_link.sources.base import (
    SourceAuthError,
    SourceError,
    SourceNotFoundError,
    SourceUnavailableError,
    StartingPoint,
    StartingPoints,
)
from fortnox_link.sources.extend_api import ExtendApiSource, Retry
from fortnox_link.sources.records import MatchStatus, RecordKind

KEY = "s3cret-extend-key-1234"
EmulatorFactory = Callable[..., ExtendEmulator]


def basis(n: int, modified_at: str, **changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": f"B-{n}",
        "number": f"F-{1000 + n}",
        "invoice_date": "2026-11-02",
        "modified_at": modified_at,
        "customer": {"id": f"K-{n}", "name": f"Kund {n} Åkerö AB"},
        "rows": [{"article_number": "ART-1", "quantity": 1, "unit_price": Decimal("115.00"), "vat_rate": 12}],
    }
    raw.update(changes)
    return raw


BASES = [
    basis(1, "2026-11-01T08:00:00+00:00"),
    basis(2, "2026-11-01T09:00:00+00:00"),
    basis(3, "2026-11-01T10:00:00+00:00"),
    basis(4, "2026-11-01T10:00:00+00:00"),  # the same moment as B-3, across a page boundary below
    basis(5, "2026-11-01T10:00:00+00:00", customer={"id": "K-5", "name": ""}),
    basis(6, "2026-11-01T11:00:00+01:00", invoice_date="2026-10-15"),
    basis(7, "2026-11-02T12:00:00+00:00"),
]


def make_source(emulator: ExtendEmulator, key: str = KEY, **options: Any) -> ExtendApiSource:
    options.setdefault("retry", Retry(attempts=4, backoff=0.25))
    options.setdefault("sleep", lambda seconds: None)  # the backoff is asserted, not waited for
    options.setdefault("timeout", (2.0, 5.0))
    return ExtendApiSource(emulator.url, key, **options)


@pytest.fixture
def emulator(emulator_factory: EmulatorFactory) -> ExtendEmulator:
    return emulator_factory(api_key=KEY, records={RecordKind.INVOICE_BASIS: BASES}).start()


def test_pages_through_everything_then_asks_only_for_what_changed(emulator: ExtendEmulator) -> None:
    source = make_source(emulator, page_size=2)
    batch = source.invoice_bases()
    # B-3 to B-6 changed at the same moment (B-6 in another time zone): ordered by id, none lost between pages.
    assert [b.source_id for b in batch.records] == ["B-1", "B-2", "B-3", "B-4", "B-6", "B-7"]
    assert batch.records[0].customer.name == "Kund 1 Åkerö AB"
    assert batch.records[0].rows[0].unit_price == Decimal("115.00")
    assert [str(p) for p in batch.problems] == ['invoice basis B-5, field "customer.name": is missing']
    pages = [r for r in emulator.requests if r.path == "invoice-bases"]
    assert len(pages) == 4  # 7 records, 2 a page
    assert [(r.param("after_id"), r.param("page_size")) for r in pages] == [
        (None, "2"),
        ("B-2", "2"),
        ("B-4", "2"),
        ("B-6", "2"),
    ]
    assert pages[2].param("updated_since") == "2026-11-01T10:00:00+00:00"
    batch.commit()

    assert make_source(emulator).invoice_bases(since=batch.cursor).records == ()
    emulator.upsert(RecordKind.INVOICE_BASIS, basis(2, "2026-11-03T07:00:00+00:00", number="F-1002b"))
    changed = make_source(emulator).invoice_bases(since=batch.cursor)
    assert [(b.source_id, b.number) for b in changed.records] == [("B-2", "F-1002b")]
    assert changed.cursor is not None and changed.cursor != batch.cursor


def test_retries_server_errors_and_dropped_connections_with_growing_backoff(emulator: ExtendEmulator) -> None:
    slept: list[float] = []
    source = make_source(emulator, sleep=slept.append)
    emulator.fail_next(2, status=503)
    emulator.fail_next(1, status=None)
    assert len(source.invoice_bases().records) == 6
    assert slept == [0.25, 0.5, 1.0]
    assert len(emulator.requests) == 1  # the failed tries never reached the API (the faults answered them)


def test_gives_up_with_a_clear_error_when_the_order_system_stays_down(emulator: ExtendEmulator) -> None:
    emulator.fail_next(4, status=503)
    with pytest.raises(SourceUnavailableError, match=r"GET /invoice-bases with HTTP 503 4 times: .*try again later"):
        make_source(emulator).invoice_bases()
    emulator.fail_next(4, status=None)
    with pytest.raises(SourceUnavailableError, match="did not answer after 4 tries"):
        make_source(emulator).test_connection()


def test_a_wrong_api_key_gives_a_clear_error_without_the_key(emulator: ExtendEmulator) -> None:
    wrong = "not-the-key-987"
    with pytest.raises(SourceAuthError) as caught:
        make_source(emulator, key=wrong).invoice_bases()
    assert "refused the API key (HTTP 401: missing or wrong API key)" in str(caught.value)
    assert wrong not in str(caught.value)
    assert len(emulator.requests) == 1  # not retried
    assert "Extend Backend (emulator)" in make_source(emulator, auth_style="x-api-key").test_connection()
    with pytest.raises(SourceError, match="must start with https://"):
        ExtendApiSource("ftp://example.invalid", KEY)


def test_the_api_key_is_never_logged(emulator: ExtendEmulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    source = make_source(emulator)
    emulator.fail_next(1, status=503)
    source.invoice_bases()
    source.write_invoice_number("B-1", "1042")
    with pytest.raises(SourceAuthError):
        make_source(emulator, key="wrong-key").test_connection()
    assert "invoice-bases" in caplog.text  # something was logged...
    assert KEY not in caplog.text and "wrong-key" not in caplog.text  # ...never the key
    assert KEY not in repr(source)


def test_write_back_reaches_the_order_system(emulator: ExtendEmulator) -> None:
    source = make_source(emulator)
    emulator.fail_next(1, status=503, path_contains="invoice-number")  # a PUT is retried too: it is idempotent
    source.write_invoice_number("B-1", "1042")
    with pytest.raises(SourceNotFoundError, match="no invoice basis B-99"):
        source.write_invoice_number("B-99", "1043")
    assert [(w.kind, w.record_id, w.body) for w in emulator.writebacks] == [
        ("invoice_number", "B-1", {"invoice_number": "1042"})
    ]
    assert [w.basis_id for w in source.written_invoice_numbers] == ["B-1"]


def test_match_status_and_articles_and_suppliers(emulator_factory: EmulatorFactory) -> None:
    articles = [{"article_number": f"A-{i}", "description": f"Vara {i}", "vat_rate": 25} for i in range(70)]
    articles[3]["vat_rate"] = 30
    suppliers = [{"supplier_number": f"{i}", "name": f"Leverantör {i}"} for i in range(1, 6)]
    orders = [
        {
            "order_number": "PO-10001",
            "supplier_number": "1",
            "order_date": "2026-10-01",
            "modified_at": "2026-10-01T10:00:00Z",
            "rows": [{"article_number": "A-1", "ordered_quantity": 5, "unit_price": "10,00"}],
        }
    ]
    emulator = emulator_factory(
        api_key=KEY,
        records={RecordKind.ARTICLE: articles, RecordKind.SUPPLIER: suppliers, RecordKind.PURCHASE_ORDER: orders},
    ).start()
    source = make_source(emulator, page_size=2)
    wanted = [f"A-{i}" for i in range(60)] + ["X-1"]
    batch = source.articles(wanted)
    assert len(batch.records) == 59 and batch.records[0].description == "Vara 0"
    assert sorted(str(p) for p in batch.problems) == [
        'article A-3, field "vat_rate": 30 is not a Swedish VAT rate (25, 12, 6 or 0)',
        'article X-1, field "article_number": is not known to the order system',
    ]
    assert len([r for r in emulator.requests if r.path == "articles"]) == 2  # 50 numbers a request
    assert [s.name for s in source.suppliers().records] == [f"Leverantör {i}" for i in range(1, 6)]
    assert source.purchase_orders().records[0].rows[0].unit_price == Decimal("10.00")
    source.write_match_status("PO-10001", MatchStatus.QUANTITY_DIFFERENCE, "A-1: 5 ordered, 4 invoiced")
    assert emulator.writebacks[-1].body == {"status": "quantity_difference", "detail": "A-1: 5 ordered, 4 invoiced"}


def test_starting_point_filters_api_records_and_their_problems(emulator: ExtendEmulator) -> None:
    start = StartingPoints(invoicing=StartingPoint(from_date=date(2026, 11, 1)))
    batch = make_source(emulator, starting_points=start).invoice_bases()
    assert "B-6" not in [b.source_id for b in batch.records] and batch.skipped_before_start == 1
    by_number = make_source(emulator, starting_points=StartingPoints(invoicing=StartingPoint(from_number="F-1006")))
    later = by_number.invoice_bases()
    assert [b.source_id for b in later.records] == ["B-6", "B-7"] and later.problems == ()
    assert later.skipped_before_start == 5  # four good ones and the bad B-5


def test_a_cursor_from_another_order_system_is_not_taken_as_a_position(emulator: ExtendEmulator) -> None:
    demo_cursor = '{"origin": "demo", "modified_at": "2026-12-31T00:00:00+00:00", "id": "EB-ORDER-9999"}'
    batch = make_source(emulator).invoice_bases(since=demo_cursor)
    assert len(batch.records) == 6  # from the start, not after the demo's last record
    assert "reading from the start" in batch.notes[0]
    assert batch.cursor is not None and f'"origin":"extend-api {emulator.url}"' in batch.cursor
