"""docs/extend-contract.md says what the code does: its examples read cleanly, its column lists are complete."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from fortnox_link.sources.base import Batch
from fortnox_link.sources.files import CSV_LAYOUTS, PREFIX, FilesSource
from fortnox_link.sources.records import MatchStatus, RecordKind

from .helpers import write_export

DOC = Path(__file__).resolve().parents[2] / "docs" / "extend-contract.md"
SECTIONS = {
    "Invoice bases": RecordKind.INVOICE_BASIS,
    "Articles": RecordKind.ARTICLE,
    "Suppliers": RecordKind.SUPPLIER,
    "Purchase orders": RecordKind.PURCHASE_ORDER,
    "Inventory events": RecordKind.INVENTORY_EVENT,
}


def _examples() -> dict[RecordKind, tuple[str, str]]:
    """The first plain block (CSV) and the first json block under each "### <kind>" of section 8."""
    text = DOC.read_text(encoding="utf-8")
    found = {}
    for part in text[text.index("## 8 Examples") :].split("\n### ")[1:]:
        title = part.splitlines()[0].strip()
        blocks = re.findall(r"```(\w*)\n(.*?)```", part, re.S)
        if title in SECTIONS:
            csv_text = next(body for lang, body in blocks if lang == "")
            json_text = next(body for lang, body in blocks if lang == "json")
            found[SECTIONS[title]] = (csv_text, json_text)
    return found


@pytest.mark.parametrize("kind", list(SECTIONS.values()), ids=lambda k: k.value)
def test_every_example_in_the_contract_reads_without_problems(tmp_path: Path, kind: RecordKind) -> None:
    csv_text, json_text = _examples()[kind]
    for encoding in ("utf-8-sig", "cp1252"):
        inbox = tmp_path / encoding
        inbox.mkdir()
        write_export(inbox / f"{PREFIX[kind]}-example.csv", csv_text, encoding)
        write_export(inbox / f"{PREFIX[kind]}-example.json", json_text, "utf-8")
        source = FilesSource(inbox)
        batch: Batch[Any]
        if kind is RecordKind.ARTICLE:
            batch = source.articles(["2001", "1056"])
        elif kind is RecordKind.SUPPLIER:
            batch = source.suppliers()
        elif kind is RecordKind.INVOICE_BASIS:
            batch = source.invoice_bases()
        elif kind is RecordKind.PURCHASE_ORDER:
            batch = source.purchase_orders()
        else:
            batch = source.inventory_events()
        assert [str(p) for p in batch.problems] == []
        assert len(batch.records) >= 2


def test_the_invoice_example_totals_are_right(tmp_path: Path) -> None:
    csv_text, _ = _examples()[RecordKind.INVOICE_BASIS]
    write_export(tmp_path / "invoice_bases.csv", csv_text)
    bases = FilesSource(tmp_path).invoice_bases().records
    assert [(b.total_incl_vat, b.expected_total_incl_vat()) for b in bases] == [
        (Decimal("3353.13"), Decimal("3353.13")),
        (Decimal("1118.75"), Decimal("1118.75")),
    ]


def test_the_column_lists_and_match_statuses_are_complete() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("| kind | columns") : text.index("(A column may be present")]
    for layout in CSV_LAYOUTS.values():
        for column in layout.all_columns():
            assert f"`{column}`" in table, column
        for column in layout.required:
            assert f"**`{column}`**" in table, column
    for status in MatchStatus:
        assert f"`{status.value}`" in text
