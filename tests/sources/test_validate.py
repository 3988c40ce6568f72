"""Validation at the boundary: amounts, dates, identities, and problems people can act on."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from fortnox_link.sources.base import (
    Batch,
    SourceError,
    StartingPoint,
    Watermark,
    advance,
    apply_starting_point,
    number_value,
)
from fortnox_link.sources.records import EventType, RecordKind, RecordProblem
from fortnox_link.sources.validate import (
    normalize_swedish_identity,
    parse_amount,
    parse_bool,
    parse_date,
    parse_timestamp,
    parse_vat_rate,
    read_customer,
    read_inventory_event,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1234.50", "1234.50"),
        ("1234,5", "1234.5"),
        ("1\u00a0234,50", "1234.50"),  # no-break space, as Excel writes it
        ("-12,00", "-12.00"),
        ("\u221212,00", "-12.00"),  # a typographic minus
        (" 7 ", "7"),
        ("1 234 567", "1234567"),
    ],
)
def test_amounts_read_exactly(text: str, expected: str) -> None:
    value = parse_amount(text)
    assert value == Decimal(expected) and str(value) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,234.50", "ambiguous"),
        ("1.234,50", "ambiguous"),
        ("1.234.567", "more than one separator"),
        ("12 34", "spaces may only group thousands"),
        ("1,234", "has 3 decimals; at most 2 decimals allowed"),
        ("12kr", "is not a number"),
        ("1e3", "is not a number"),
        ("", "is empty"),
    ],
)
def test_doubtful_amounts_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_amount(text)


def test_json_numbers_and_decimals_limits() -> None:
    assert parse_amount(Decimal("61.1234"), max_decimals=4) == Decimal("61.1234")
    assert parse_amount(Decimal("12.500")) == Decimal("12.500")  # trailing zeros are not decimals that count
    assert parse_amount(3) == Decimal(3)
    with pytest.raises(ValueError, match="floating-point"):
        parse_amount(0.1)
    with pytest.raises(ValueError, match="not a number"):
        parse_amount(True)


def test_dates_timestamps_flags_and_vat() -> None:
    assert parse_date("2026-11-03") == date(2026, 11, 3)
    for bad, why in (("2026-02-30", "not a date in the calendar"), ("3/11/2026", "YYYY-MM-DD"),
                     ("1926-11-03", "2000-2099")):  # fmt: skip
        with pytest.raises(ValueError, match=why):
            parse_date(bad)
    assert parse_timestamp("2026-11-03T14:05:00+01:00") == datetime(2026, 11, 3, 13, 5, tzinfo=UTC)
    assert parse_timestamp("2026-11-03 14:05:00") == datetime(2026, 11, 3, 14, 5, tzinfo=UTC)
    assert parse_timestamp("2026-11-03T14:05:00Z").tzinfo is not None
    assert [parse_bool(v) for v in ("ja", "Nej", "TRUE", "0", "x")] == [True, False, True, False, True]
    assert [parse_vat_rate(v) for v in ("25", "12%", "6,0", 0)] == [25, 12, 6, 0]
    with pytest.raises(ValueError, match="30 is not a Swedish VAT rate"):
        parse_vat_rate("30")


def test_swedish_identity_numbers() -> None:
    assert normalize_swedish_identity("5560360793", private=False) == "556036-0793"
    assert normalize_swedish_identity("SE556036079301", private=False) == "556036-0793"
    assert normalize_swedish_identity("19811218-9876", private=True) == "811218-9876"
    with pytest.raises(ValueError, match="check digit is wrong"):
        normalize_swedish_identity("556036-0794", private=False)
    with pytest.raises(ValueError, match="not a Swedish organisation number"):
        normalize_swedish_identity("55603607", private=False)


def test_a_customer_with_many_mistakes_gets_them_all_reported() -> None:
    checked = read_customer(
        {
            "id": "K-1",
            "name": "  Öst  &  Väst AB ",
            "vat_type": "EU",
            "country_code": "se",
            "email": "a@",
            "currency": "kr",
        }
    )
    assert checked.record is None
    assert [(p.field, p.message) for p in checked.problems] == [
        ("vat_type", "EU (reverse charge) is for customers in another EU country, not SE"),
        ("vat_number", "is missing; an EU customer without Swedish VAT needs its VAT number"),
        ("email", '"a@" is not an e-mail address'),
        ("currency", '"KR" is not a currency code (three letters, e.g. SEK, EUR)'),
    ]
    good = read_customer({"id": "K-2", "name": "  Öst  &  Väst AB ", "vat_type": "eu", "country_code": "dk",
                          "vat_number": "dk12345678"})  # fmt: skip
    assert good.record is not None and good.record.name == "Öst & Väst AB"
    assert good.record.vat_type.fortnox_vat_type == "EUREVERSEDVAT" and good.record.vat_number == "DK12345678"


def test_inventory_event_rules_by_type() -> None:
    base = {"id": "E-1", "date": "2026-11-01", "article_number": "A-1", "quantity": "2", "unit_cost": "10,5",
            "modified_at": "2026-11-01T10:00:00Z"}  # fmt: skip
    down = read_inventory_event(dict(base, type="revaluation", unit_cost="-1,25"))
    assert down.record is not None and down.record.value() == Decimal("-2.50")
    assert read_inventory_event(dict(base, type="sale")).record.value() == Decimal("-21.00")  # type: ignore[union-attr]
    sale = read_inventory_event(dict(base, type="sale", unit_cost="-1", to_warehouse="Butik"))
    assert [p.field for p in sale.problems] == ["unit_cost", "to_warehouse"]
    assert EventType.CUSTOMER_RETURN.direction == 1 and EventType.TRANSFER.direction == 0


def test_problem_text_names_file_line_record_and_field() -> None:
    message = "30 is not a Swedish VAT rate (25, 12, 6 or 0)"
    problem = RecordProblem(RecordKind.INVOICE_BASIS, "F-1042", "vat_rate", message, file="orders-2026-11.csv", line=14)
    assert str(problem) == f'orders-2026-11.csv line 14, invoice basis F-1042, field "vat_rate": {message}'
    assert str(RecordProblem(RecordKind.FILE, None, None, "is empty", file="x.csv")) == "x.csv: is empty"
    assert str(RecordProblem(RecordKind.ARTICLE, None, "description", "is missing")) == (
        'article (no id), field "description": is missing'
    )


def test_watermarks_and_starting_points() -> None:
    t = datetime(2026, 11, 1, 10, tzinfo=UTC)
    cursor = advance(None, [(t, "B-2"), (t, "B-10"), (datetime(2026, 10, 1, tzinfo=UTC), "B-9")], "demo")
    mark = Watermark.decode(cursor, "demo")
    assert mark == Watermark(t, "B-2")  # ids compare as text
    assert advance(cursor, [], "demo") == cursor
    assert mark.precedes(t, "B-3") and not mark.precedes(t, "B-2")
    # Another order system's cursor is not a position here: read from the start.
    assert Watermark.decode(cursor, "extend-api https://extend.example") is None
    assert advance(cursor, [], "extend-api https://extend.example") is None
    with pytest.raises(SourceError, match="cannot be read"):
        Watermark.decode("not json", "demo")
    assert number_value("PO-10023") == 10023 and number_value("F-1042b") == 1042 and number_value("ABC") is None
    with pytest.raises(ValueError, match="no digits"):
        StartingPoint(from_number="START")
    batch: Batch[str] = Batch(records=("a",), cursor="c")
    assert apply_starting_point(batch, None) is batch


def test_every_adapter_fits_the_protocol(tmp_path: Path) -> None:
    from fortnox_link.sources.base import OrderSource
    from fortnox_link.sources.demo import DemoSource
    from fortnox_link.sources.extend_api import ExtendApiSource
    from fortnox_link.sources.files import FilesSource

    sources: list[OrderSource] = [  # mypy checks the fit; the names are what the settings use
        DemoSource(date(2026, 11, 3)),
        FilesSource(tmp_path),
        ExtendApiSource("http://127.0.0.1:9/api", "key"),
    ]
    assert [s.name for s in sources] == ["demo", "files", "extend-api"]
    for source in sources:
        source.close()
