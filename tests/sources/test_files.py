"""The files source over real folders: exports in, done/ and rejected/ out, write-back CSV in the outbox."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from fortnox_link.sources.base import SourceError, StartingPoint, StartingPoints
from fortnox_link.sources.files import LEDGER_NAME, FilesSource
from fortnox_link.sources.records import EventType, MatchStatus

from .helpers import Clock, write_export

INVOICE_HEADER = (
    "id;number;invoice_date;due_date;currency;your_reference;modified_at;"
    "customer_id;customer_name;customer_organisation_number;customer_city;"
    "article_number;description;quantity;unit_price;vat_rate;discount_percent\n"
)
INVOICES_CSV = INVOICE_HEADER + (
    "B-1;F-1001;2026-11-01;2026-12-01;SEK;Åsa Öberg;2026-11-01T09:00:00+01:00;"
    "K-1;Åkesson & Ödman AB;556036-0793;Göteborg;ART-1;Kaffe, mörkrost;2;1 234,50;12;\n"
    "B-1;F-1001;2026-11-01;2026-12-01;SEK;Åsa Öberg;2026-11-01T09:00:00+01:00;"
    "K-1;Åkesson & Ödman AB;556036-0793;Göteborg;ART-2;Frakt;1;99,5;25;10\n"
    "B-2;F-1002;2026-11-01;;SEK;;2026-11-01T09:05:00+01:00;"
    "K-2;Bäckström Café;;Malmö;ART-1;Kaffe;3;115,00;12;\n"
    "B-3;F-1003;2026-11-01;;SEK;;2026-11-01T09:10:00+01:00;"
    "K-3;Östra Bageriet;;Umeå;ART-1;Kaffe;1;115,00;30;\n"
)
INVOICES_JSON = """{
  "invoice_bases": [
    {
      "id": "B-4", "number": "F-1004", "invoice_date": "2026-11-02", "modified_at": "2026-11-02T08:00:00Z",
      "customer": {"id": "K-4", "name": "Åre Fjällstuga", "city": "Åre"},
      "rows": [{"article_number": "ART-1", "quantity": 2, "unit_price": 115.00, "vat_rate": 12}]
    },
    {
      "id": "B-5", "number": "F-1005", "invoice_date": "2026-11-02", "modified_at": "2026-11-02T08:01:00Z",
      "customer": {"id": "K-5", "name": ""},
      "rows": [{"article_number": "ART-1", "quantity": 1, "unit_price": "115,00", "vat_rate": 12}]
    },
    {
      "id": "B-6", "number": "F-1006", "invoice_date": "2026-11-02", "modified_at": "2026-11-02T08:02:00Z",
      "customer": {"id": "K-6", "name": "Ölands Gårdsbutik"},
      "rows": [{"description": "Presentkort", "quantity": "1", "unit_price": "500", "vat_rate": "0"}]
    }
  ]
}
"""
PURCHASE_ORDERS_CSV = (
    "order_number,supplier_number,order_date,status,article_number,ordered_quantity,received_quantity,unit_price\n"
    "PO-10001,S-1,2026-10-20,received,ART-1,100,100,61.5\n"
    "PO-10001,S-1,2026-10-20,received,ART-2,10,10,12.25\n"
    "PO-10002,S-1,2026-10-21,open,ART-1,-5,0,61.5\n"
)
EVENTS_CSV = (
    "id;type;date;article_number;quantity;unit_cost;warehouse;to_warehouse;reference\n"
    "E-1;goods_receipt;2026-10-25;ART-1;100;61,50;Huvudlager;;PO-10001\n"
    "E-2;transfer;2026-10-26;ART-1;10;61,50;Huvudlager;Butik Södermalm;\n"
    "E-3;shrinkage;2026-10-27;ART-1;1;61,50;Huvudlager;;\n"
)


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_a_mixed_folder_lets_every_good_record_through_and_rejects_every_bad_one(inbox: Path, clock: Clock) -> None:
    write_export(inbox / "invoice_bases-2026-11-01.csv", INVOICES_CSV, "utf-8")
    write_export(inbox / "invoice_bases-2026-11-02.json", INVOICES_JSON, "utf-8")
    write_export(inbox / "invoice_bases-broken.json", '{"invoice_bases": [ {"id": "B-9",, } ]}')
    write_export(inbox / "purchase_orders-1.csv", PURCHASE_ORDERS_CSV)
    write_export(inbox / "inventory_events-1.csv", EVENTS_CSV, "cp1252")
    write_export(inbox / "invoice_bases-2026-11-03.xlsx", "not read")
    write_export(inbox / "readme.txt", "unrelated")
    source = FilesSource(inbox, now=clock)

    bases = source.invoice_bases()
    assert sorted(b.source_id for b in bases.records) == ["B-1", "B-2", "B-4", "B-6"]
    b1 = next(b for b in bases.records if b.source_id == "B-1")
    assert b1.customer.name == "Åkesson & Ödman AB" and b1.your_reference == "Åsa Öberg"
    assert [r.unit_price for r in b1.rows] == [Decimal("1234.50"), Decimal("99.5")]
    assert b1.rows[1].discount_percent == Decimal(10) and b1.rows[0].description == "Kaffe, mörkrost"
    messages = [str(p) for p in bases.problems]
    assert (
        'invoice_bases-2026-11-01.csv line 5, invoice basis B-3, field "vat_rate": '
        "30 is not a Swedish VAT rate (25, 12, 6 or 0)" in messages
    )
    assert 'invoice_bases-2026-11-02.json line 8, invoice basis B-5, field "customer.name": is missing' in messages
    assert any(m.startswith("invoice_bases-broken.json line 1: is not valid JSON") for m in messages)
    assert any("invoice_bases-2026-11-03.xlsx is not read" in n for n in bases.notes)

    orders = source.purchase_orders()
    assert [o.order_number for o in orders.records] == ["PO-10001"]
    assert orders.records[0].total_excl_vat() == Decimal("6272.50")
    assert [str(p) for p in orders.problems] == [
        'purchase_orders-1.csv line 4, purchase order PO-10002, field "ordered_quantity": -5 is not above 0'
    ]

    events = source.inventory_events()
    assert [(e.event_id, e.event_type) for e in events.records] == [
        ("E-1", EventType.GOODS_RECEIPT),
        ("E-2", EventType.TRANSFER),
    ]
    assert events.records[1].to_warehouse == "Butik Södermalm"  # Windows-1252 read right
    assert [str(p) for p in events.problems] == [
        'inventory_events-1.csv line 4, inventory event E-3, field "type": "shrinkage" is not one of: '
        "goods_receipt, sale, customer_return, return_to_supplier, count_gain, count_loss, scrap, internal_use, "
        "revaluation, transfer"
    ]

    # Nothing moves before the batches are acknowledged.
    assert len(_names(inbox) - {"readme.txt", "invoice_bases-2026-11-03.xlsx"}) == 5
    for batch in (bases, orders, events):
        batch.commit()

    assert _names(inbox) == {"readme.txt", "invoice_bases-2026-11-03.xlsx", "done", "rejected", LEDGER_NAME}
    assert _names(inbox / "done") == {
        "invoice_bases-2026-11-01.csv",
        "invoice_bases-2026-11-02.json",
        "purchase_orders-1.csv",
        "inventory_events-1.csv",
    }
    rejected = inbox / "rejected"
    assert "invoice_bases-broken.json" in _names(rejected)  # unreadable: the whole file
    # The bad rows only, in the same format with the header kept; the report next to them.
    bad_csv = (rejected / "invoice_bases-2026-11-01.csv").read_text(encoding="utf-8")
    assert bad_csv.splitlines() == [INVOICE_HEADER.strip(), INVOICES_CSV.splitlines()[-1]]
    report = (rejected / "invoice_bases-2026-11-01.csv.errors.txt").read_text(encoding="utf-8-sig")
    assert 'invoice_bases-2026-11-01.csv line 5, invoice basis B-3, field "vat_rate"' in report
    bad_json = json.loads((rejected / "invoice_bases-2026-11-02.json").read_text(encoding="utf-8"))
    assert [b["id"] for b in bad_json["invoice_bases"]] == ["B-5"]
    assert (rejected / "inventory_events-1.csv").read_bytes().decode("cp1252").splitlines()[1].startswith("E-3;")
    assert "invoice_bases-broken.json line 1" in (rejected / "invoice_bases-broken.json.errors.txt").read_text(
        encoding="utf-8-sig"
    )
    assert not source.invoice_bases().records  # the inbox is empty of exports now


def test_a_file_dropped_again_is_not_processed_twice(inbox: Path, clock: Clock) -> None:
    original = write_export(inbox / "invoice_bases-1.csv", INVOICES_CSV)
    data = original.read_bytes()
    source = FilesSource(inbox, now=clock)
    first = source.invoice_bases()
    assert len(first.records) == 2
    first.commit()

    (inbox / "invoice_bases-1.csv").write_bytes(data)  # the same export again
    (inbox / "invoice_bases-copy.csv").write_bytes(data)  # and under another name
    again = FilesSource(inbox, now=clock).invoice_bases()
    assert again.records == () and again.problems == ()
    assert len(again.notes) == 2 and all("identical to a file already handled" in n for n in again.notes)
    again.commit()

    assert {"invoice_bases-1.csv", "invoice_bases-1-2.csv", "invoice_bases-copy.csv"} <= _names(inbox / "done")
    assert (inbox / "done" / "invoice_bases-1-2.csv.duplicate.txt").exists()
    ledger = json.loads((inbox / LEDGER_NAME).read_text(encoding="utf-8"))
    assert len(ledger["files"]) == 1 and ledger["files"][0]["records"] == 2 and ledger["files"][0]["rejected"] == 1


def test_a_changed_file_with_the_same_name_is_processed(inbox: Path, clock: Clock) -> None:
    write_export(inbox / "invoice_bases.csv", INVOICE_HEADER + INVOICES_CSV.splitlines(keepends=True)[3])
    source = FilesSource(inbox, now=clock)
    first = source.invoice_bases()
    assert [b.source_id for b in first.records] == ["B-2"]
    first.commit()
    changed = INVOICES_CSV.splitlines(keepends=True)[3].replace(";3;115,00;", ";4;115,00;")
    write_export(inbox / "invoice_bases.csv", INVOICE_HEADER + changed)
    second = source.invoice_bases()
    assert [(b.source_id, b.rows[0].quantity) for b in second.records] == [("B-2", Decimal(4))]
    second.commit()
    assert _names(inbox / "done") == {"invoice_bases.csv", "invoice_bases-2.csv"}


def test_files_stay_in_the_inbox_until_the_batch_is_committed(inbox: Path, clock: Clock) -> None:
    write_export(inbox / "invoice_bases-1.csv", INVOICES_CSV)
    crashed = FilesSource(inbox, now=clock).invoice_bases()
    assert len(crashed.records) == 2
    # The run dies here: no commit. The next run gets the same records again (idempotent downstream by id).
    rerun = FilesSource(inbox, now=clock).invoice_bases()
    assert [b.source_id for b in rerun.records] == [b.source_id for b in crashed.records]
    assert (inbox / "invoice_bases-1.csv").exists() and not (inbox / "done").exists()
    rerun.commit()
    rerun.commit()  # twice is harmless
    assert _names(inbox / "done") == {"invoice_bases-1.csv"}


def test_a_stored_cursor_keeps_records_from_coming_twice_when_the_move_did_not_happen(
    inbox: Path, clock: Clock
) -> None:
    write_export(inbox / "invoice_bases-1.csv", INVOICES_CSV)
    batch = FilesSource(inbox, now=clock).invoice_bases()
    cursor = batch.cursor  # stored by the caller, then the run died before commit moved the file
    assert cursor is not None and "invoice_bases-1.csv" in cursor
    next_run = FilesSource(inbox, now=clock).invoice_bases(since=cursor)
    assert next_run.records == () and "identical" in next_run.notes[0]
    next_run.commit()
    assert _names(inbox / "done") == {"invoice_bases-1.csv", "invoice_bases-1.csv.duplicate.txt"}
    # Another source's cursor (the demo was used before) is no obstacle: the ledger still holds.
    write_export(inbox / "invoice_bases-1.csv", INVOICES_CSV)
    foreign = FilesSource(inbox).invoice_bases(since='{"origin": "demo", "modified_at": "2026-11-01", "id": "x"}')
    assert foreign.records == () and "identical" in foreign.notes[0]


def test_a_file_changed_between_reading_and_commit_is_left_for_the_next_run(inbox: Path, clock: Clock) -> None:
    path = write_export(inbox / "invoice_bases-1.csv", INVOICE_HEADER)
    batch = FilesSource(inbox, now=clock).invoice_bases()
    write_export(path, INVOICES_CSV)  # the order system was still writing it
    batch.commit()
    assert path.exists() and not (inbox / "done").exists()
    assert len(FilesSource(inbox, now=clock).invoice_bases().records) == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_swedish_letters_read_right_in_every_accepted_encoding(inbox: Path, encoding: str) -> None:
    write_export(
        inbox / "suppliers.csv",
        "supplier_number;name;organisation_number;currency\n"
        "S-1;Öresunds Kafferosteri AB;556036-0793;SEK\n"
        "S-2;Ångström & Bäckman HB;;EUR\n",
        encoding,
    )
    batch = FilesSource(inbox).suppliers()
    assert [(s.supplier_number, s.name, s.currency) for s in batch.records] == [
        ("S-1", "Öresunds Kafferosteri AB", "SEK"),
        ("S-2", "Ångström & Bäckman HB", "EUR"),
    ]
    assert batch.problems == ()


def test_a_rejected_part_is_written_back_in_the_encoding_it_came_in(inbox: Path) -> None:
    write_export(
        inbox / "articles.csv",
        "sep=;\narticle_number;description;vat_rate;sales_price\nA-1;Kaffe Göteborg;12;89,00\nA-2;Te Örebro;13;45\n",
        "cp1252",
    )
    batch = FilesSource(inbox).articles(["A-1", "A-2"])
    assert [a.description for a in batch.records] == ["Kaffe Göteborg"]
    assert [str(p) for p in batch.problems] == [
        'articles.csv line 4, article A-2, field "vat_rate": 13 is not a Swedish VAT rate (25, 12, 6 or 0)'
    ]
    batch.commit()
    raw = (inbox / "rejected" / "articles.csv").read_bytes()
    assert raw.decode("cp1252").splitlines() == [
        "article_number;description;vat_rate;sales_price",
        "A-2;Te Örebro;13;45",
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [('"1 234,50"', "1234.50"), ("1234.50", "1234.50"), ('"1234,5"', "1234.5"), ("1234", "1234")],
)
def test_comma_and_point_decimals_in_a_comma_separated_file(inbox: Path, cell: str, expected: str) -> None:
    write_export(inbox / "articles.csv", f"article_number,description,vat_rate,sales_price\nA-1,Kaffe,12,{cell}\n")
    batch = FilesSource(inbox).articles(["A-1"])
    assert batch.records[0].sales_price == Decimal(expected)


def test_an_ambiguous_amount_is_rejected_with_file_line_and_field(inbox: Path) -> None:
    write_export(inbox / "articles.csv", 'article_number,description,vat_rate,sales_price\nA-1,Kaffe,12,"1,234.50"\n')
    batch = FilesSource(inbox).articles(["A-1"])
    assert batch.records == ()
    assert str(batch.problems[0]) == (
        'articles.csv line 2, article A-1, field "sales_price": "1,234.50" is ambiguous: use one decimal separator '
        "(comma or point) and no thousands separator"
    )


def test_an_unknown_column_rejects_the_file_and_says_which(inbox: Path) -> None:
    write_export(inbox / "suppliers-1.csv", "supplier_number;name;currancy\nS-1;Bryggeriet;SEK\n")
    batch = FilesSource(inbox).suppliers()
    assert batch.records == ()
    assert str(batch.problems[0]).startswith("suppliers-1.csv line 1: unknown column(s) currancy; known columns are")
    batch.commit()
    assert _names(inbox / "rejected") == {"suppliers-1.csv", "suppliers-1.csv.errors.txt"}


def test_lines_of_one_invoice_basis_must_agree(inbox: Path) -> None:
    lines = INVOICES_CSV.splitlines(keepends=True)
    write_export(inbox / "invoice_bases.csv", INVOICE_HEADER + lines[1] + lines[2].replace("2026-12-01", "2026-12-24"))
    batch = FilesSource(inbox).invoice_bases()
    assert batch.records == ()
    assert str(batch.problems[0]) == (
        'invoice_bases.csv line 3, invoice basis B-1, field "due_date": "2026-12-24" differs from "2026-12-01" on '
        "line 2 of the same invoice basis"
    )


def test_articles_and_suppliers_stay_known_after_their_files_moved_to_done(inbox: Path) -> None:
    write_export(inbox / "articles-1.json", '[{"article_number": "A-1", "description": "Kaffe", "vat_rate": 12,'
                 ' "sales_price": "89,00", "purchase_price": 51.1234, "kind": "stock"}]')  # fmt: skip
    first = FilesSource(inbox).articles(["A-1"])
    assert first.records[0].purchase_price == Decimal("51.1234")
    first.commit()
    assert not (inbox / "articles-1.json").exists()
    later = FilesSource(inbox).articles(["A-1", "A-9"])
    assert [(a.article_number, a.sales_price) for a in later.records] == [("A-1", Decimal("89.00"))]
    assert [p.record_id for p in later.problems] == ["A-9"]


def test_write_back_lands_in_the_outbox_as_excel_friendly_csv(inbox: Path, clock: Clock) -> None:
    with FilesSource(inbox, now=clock) as source:
        source.write_invoice_number("B-1", "1042")
        clock.tick()
        source.write_invoice_number("B-2", "1043")
        source.write_match_status("PO-10001", MatchStatus.MATCHED, "")
        source.write_match_status("PO-10002", MatchStatus.PRICE_DIFFERENCE, "ART-1: 61,50 ordered; 63,00 invoiced")
    outbox = inbox / "outbox"
    assert _names(outbox) == {"invoice_numbers-20261103T130501Z.csv", "match_status-20261103T130501Z.csv"}
    numbers = (outbox / "invoice_numbers-20261103T130501Z.csv").read_bytes()
    assert numbers.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    assert numbers[3:].decode("utf-8").split("\r\n") == [
        "basis_id;invoice_number;written_at",
        "B-1;1042;2026-11-03T13:05:00+00:00",
        "B-2;1043;2026-11-03T13:05:01+00:00",
        "",
    ]
    status = (outbox / "match_status-20261103T130501Z.csv").read_text(encoding="utf-8-sig").splitlines()
    assert status[0] == "purchase_order;status;detail;written_at"
    assert status[1] == "PO-10001;matched;;2026-11-03T13:05:01+00:00"
    assert status[2] == 'PO-10002;price_difference;"ART-1: 61,50 ordered; 63,00 invoiced";2026-11-03T13:05:01+00:00'


def test_write_back_of_a_run_that_died_is_published_by_the_next_one(inbox: Path, clock: Clock) -> None:
    source = FilesSource(inbox, now=clock)
    source.write_invoice_number("B-1", "1042")
    # No close(): the run died. Nothing half-written is visible to the order system...
    assert not any(p.name.startswith("invoice_numbers") for p in (inbox / "outbox").iterdir())
    clock.tick(60)
    FilesSource(inbox, now=clock)  # ...and the next run publishes what was written.
    published = [p for p in (inbox / "outbox").iterdir() if not p.name.startswith(".")]
    assert [p.name for p in published] == ["invoice_numbers-20261103T130600Z.csv"]
    assert "B-1;1042;" in published[0].read_text(encoding="utf-8-sig")


def test_records_before_the_starting_point_are_left_out_not_rejected(inbox: Path) -> None:
    write_export(inbox / "invoice_bases.csv", INVOICES_CSV)
    start = StartingPoints(invoicing=StartingPoint(from_number="F-1003"))
    batch = FilesSource(inbox, starting_points=start).invoice_bases()
    assert batch.records == ()  # F-1001 and F-1002 are before the start
    assert [p.record_id for p in batch.problems] == ["B-3"]  # F-1003 is after it, and bad
    assert batch.skipped_before_start == 2
    by_date = StartingPoints(invoicing=StartingPoint(from_date=date(2026, 11, 2)))
    assert FilesSource(inbox, starting_points=by_date).invoice_bases().skipped_before_start == 3


def test_test_connection_counts_waiting_files(inbox: Path) -> None:
    write_export(inbox / "invoice_bases-1.csv", INVOICES_CSV)
    write_export(inbox / "purchase_orders-1.csv", PURCHASE_ORDERS_CSV)
    assert FilesSource(inbox).test_connection().endswith("files waiting: 1 invoice bases, 1 purchase orders")
    with pytest.raises(SourceError, match="does not exist"):
        FilesSource(inbox / "missing")


def test_json_records_report_their_own_line_and_row(inbox: Path) -> None:
    text = INVOICES_JSON.replace('"unit_price": "500"', '"unit_price": "5OO"')
    write_export(inbox / "invoice_bases.json", text)
    batch = FilesSource(inbox).invoice_bases()
    assert str(batch.problems[-1]) == (
        'invoice_bases.json line 13, invoice basis B-6, row 1, field "unit_price": "5OO" is not a number'
    )


def test_a_rejected_file_dropped_again_unchanged_goes_back_to_rejected(inbox: Path, clock: Clock) -> None:
    bad = "supplier_number;name\nS-1;\n"
    write_export(inbox / "suppliers.csv", bad)
    first = FilesSource(inbox, now=clock).suppliers()
    assert [p.field for p in first.problems] == ["name"]
    first.commit()
    assert _names(inbox / "rejected") == {"suppliers.csv", "suppliers.csv.errors.txt"}
    write_export(inbox / "suppliers.csv", bad)  # the same bytes, not fixed
    again = FilesSource(inbox, now=clock).suppliers()
    assert again.problems == () and "identical to a file rejected on 2026-11-03" in again.notes[0]
    again.commit()
    assert "suppliers-2.csv" in _names(inbox / "rejected") and not (inbox / "done").exists()
    write_export(inbox / "suppliers.csv", "supplier_number;name\nS-1;Sågverket i Ånge AB\n")  # fixed
    fixed = FilesSource(inbox, now=clock).suppliers()
    assert [s.name for s in fixed.records] == ["Sågverket i Ånge AB"]
