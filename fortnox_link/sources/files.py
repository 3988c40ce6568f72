"""The `files` source: an inbox folder where the order system drops CSV or JSON exports.

    inbox/
      invoice_bases*.csv|json  purchase_orders*  inventory_events*  articles*  suppliers*   <- exports land here
      done/        files whose records were handed over (and identical files dropped again)
      rejected/    whole files that could not be read, and the bad records of the others, each with
                   <file>.errors.txt naming file, line and field
      outbox/      write-back for the order system: invoice_numbers-<time>.csv, match_status-<time>.csv
      .fortnox-link-ledger.json    every file handed over, by sha256 of its bytes
      .fortnox-link-catalogue.json the latest articles and suppliers seen (their files move to done/ too)

A batch's files move only when the caller commits it; a run that dies before leaves them in the inbox. A file whose
bytes were handed over before (ledger, or the cursor) goes to done/ with a note instead of being read again.

Encodings: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 (what Swedish Excel writes for
"CSV (semikolonavgränsad)"). Bytes that are valid UTF-8 are read as UTF-8. CSV separator: the one of ; , or tab
that the header line uses most (or an Excel "sep=;" first line). See docs/extend-contract.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from .base import (
    Batch,
    Cursor,
    SourceError,
    StartingPoint,
    StartingPoints,
    date_and_number,
    gather,
)
from .records import (
    Article,
    InventoryEvent,
    InvoiceBasis,
    InvoiceNumberWriteBack,
    MatchStatus,
    MatchStatusWriteBack,
    PurchaseOrder,
    RecordKind,
    RecordProblem,
    Supplier,
)
from .validate import READERS, Checked, Place

log = logging.getLogger(__name__)

LEDGER_NAME = ".fortnox-link-ledger.json"
CATALOGUE_NAME = ".fortnox-link-catalogue.json"
EXTENSIONS = (".csv", ".json")
_JSON_SPACE = " \t\n\r"

# File-name prefix (case-insensitive) and JSON key per record kind.
PREFIX: dict[RecordKind, str] = {
    RecordKind.INVOICE_BASIS: "invoice_bases",
    RecordKind.PURCHASE_ORDER: "purchase_orders",
    RecordKind.INVENTORY_EVENT: "inventory_events",
    RecordKind.ARTICLE: "articles",
    RecordKind.SUPPLIER: "suppliers",
}

CUSTOMER_FIELDS = (
    "id", "name", "type", "organisation_number", "address1", "address2", "zip_code", "city", "country_code",
    "email", "invoice_email", "vat_type", "vat_number", "currency", "payment_terms_days",
)  # fmt: skip


@dataclass(frozen=True)
class CsvLayout:
    """The CSV columns of one record kind. Documents with rows take one line per row, the document's own
    columns repeated on each line and grouped by `group_by`; nested objects are flattened with a prefix."""

    columns: tuple[str, ...]  # the document's own columns
    required: tuple[str, ...]
    row_columns: tuple[str, ...] = ()
    group_by: str | None = None
    nested: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # "customer" -> its fields

    def all_columns(self) -> tuple[str, ...]:
        flat = [f"{name}_{sub}" for name, subs in self.nested.items() for sub in subs]
        return self.columns + tuple(flat) + self.row_columns


CSV_LAYOUTS: dict[RecordKind, CsvLayout] = {
    RecordKind.INVOICE_BASIS: CsvLayout(
        columns=(
            "id", "number", "invoice_date", "due_date", "payment_terms_days", "currency", "your_reference",
            "our_reference", "your_order_number", "prices_include_vat", "is_credit", "total_incl_vat", "modified_at",
        ),
        nested={"customer": CUSTOMER_FIELDS},
        row_columns=("article_number", "description", "quantity", "unit_price", "vat_rate", "discount_percent", "unit"),
        required=("id", "number", "invoice_date", "customer_id", "customer_name", "quantity", "unit_price", "vat_rate"),
        group_by="id",
    ),
    RecordKind.PURCHASE_ORDER: CsvLayout(
        columns=("order_number", "supplier_number", "order_date", "currency", "status", "modified_at"),
        row_columns=("article_number", "description", "ordered_quantity", "received_quantity", "unit_price"),
        required=("order_number", "supplier_number", "order_date", "article_number", "ordered_quantity", "unit_price"),
        group_by="order_number",
    ),
    RecordKind.INVENTORY_EVENT: CsvLayout(
        columns=(
            "id", "type", "date", "article_number", "article_group", "quantity", "unit_cost", "warehouse",
            "to_warehouse", "reference", "cost_centre", "project", "modified_at", "cancelled",
        ),
        required=("id", "type", "date", "article_number", "quantity", "unit_cost"),
    ),
    RecordKind.ARTICLE: CsvLayout(
        columns=(
            "article_number", "description", "vat_rate", "unit", "sales_price", "purchase_price", "kind",
            "article_group",
        ),
        required=("article_number", "description"),
    ),
    RecordKind.SUPPLIER: CsvLayout(
        columns=("supplier_number", "name", "organisation_number", "currency"),
        required=("supplier_number", "name"),
    ),
}  # fmt: skip


# -- reading bytes -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-8-sig", "utf-16" or "cp1252": what a rejected part is written back in


def decode_export(data: bytes) -> Decoded:
    """Text of an export: BOM first, then strict UTF-8, then Windows-1252. Raises ValueError when neither fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        return Decoded(data[3:].decode("utf-8"), "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Decoded(data.decode("utf-16"), "utf-16")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"is neither UTF-8 nor Windows-1252 text (byte 0x{data[error.start]:02x} at position {error.start})"
        ) from None


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise ValueError("the first line has no column separator (; , or tab)")
    return best


def _normalize_column(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lstrip("\ufeff").strip().lower())


# -- one record read from a file ---------------------------------------------------------------------------------


@dataclass
class _Unit:
    checked: Checked[Any]
    line: int
    csv_lines: list[list[str]] = field(default_factory=list)  # the CSV lines of the record, as cells
    json_text: str = ""  # the JSON text of the record, as it was in the file


@dataclass
class _FileRead:
    path: Path
    sha256: str
    kind: RecordKind
    units: list[_Unit] = field(default_factory=list)
    file_problem: RecordProblem | None = None
    encoding: str = "utf-8"
    delimiter: str = ";"
    header: list[str] = field(default_factory=list)
    json_key: str = ""

    @property
    def name(self) -> str:
        return self.path.name


def _file_problem(name: str, message: str, line: int | None = None) -> RecordProblem:
    return RecordProblem(RecordKind.FILE, None, None, message, file=name, line=line)


def read_export(path: Path, kind: RecordKind, data: bytes | None = None) -> _FileRead:
    """Read and validate one export file. Never raises for bad content: it is in the problems."""
    data = path.read_bytes() if data is None else data
    result = _FileRead(path=path, sha256=hashlib.sha256(data).hexdigest(), kind=kind)
    try:
        decoded = decode_export(data)
    except ValueError as error:
        result.file_problem = _file_problem(path.name, str(error))
        return result
    result.encoding = decoded.encoding
    modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC) if path.exists() else datetime.now(UTC)
    if path.suffix.lower() == ".json":
        _read_json(result, decoded.text, modified)
    else:
        _read_csv(result, decoded.text, modified)
    return result


def _read_csv(result: _FileRead, text: str, modified: datetime) -> None:
    name, layout = result.name, CSV_LAYOUTS[result.kind]
    lines = text.splitlines(keepends=True)
    skip = 0
    delimiter: str | None = None
    while skip < len(lines) and not lines[skip].strip():
        skip += 1
    if skip < len(lines) and lines[skip].strip().lower().startswith("sep=") and len(lines[skip].strip()) == 5:
        delimiter = lines[skip].strip()[4]
        skip += 1
    if skip >= len(lines):
        return  # an empty export: nothing to hand over
    try:
        delimiter = delimiter or sniff_delimiter(lines[skip])
    except ValueError as error:
        result.file_problem = _file_problem(name, str(error), skip + 1)
        return
    result.delimiter = delimiter
    reader = csv.reader(io.StringIO("".join(lines[skip:]), newline=""), delimiter=delimiter)
    previous_end = skip
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            start, previous_end = previous_end + 1, skip + reader.line_num
            rows.append((start, cells))
    except csv.Error as error:
        result.file_problem = _file_problem(name, f"is not valid CSV: {error}", previous_end + 1)
        return
    if not rows:
        return
    header_line, header = rows[0]
    result.header = header
    columns = [_normalize_column(c) for c in header]
    known = set(layout.all_columns())
    unknown = [c for c in columns if c and c not in known and not c.startswith("x_")]
    missing = [c for c in layout.required if c not in columns]
    doubled = sorted({c for c in columns if c and columns.count(c) > 1})
    message = ""
    if unknown:
        message = f"unknown column(s) {', '.join(unknown)}; known columns are: {', '.join(layout.all_columns())}"
    elif missing:
        message = f"missing column(s) {', '.join(missing)}"
    elif doubled:
        message = f"column(s) {', '.join(doubled)} appear more than once"
    if message:
        result.file_problem = _file_problem(name, message, header_line)
        return

    groups: dict[str, list[tuple[int, dict[str, str], list[str]]]] = {}
    order: list[str] = []
    for line, cells in rows[1:]:
        if not any(cell.strip() for cell in cells):
            continue  # blank line, or only separators as Excel writes them
        values = {col: (cells[i] if i < len(cells) else "") for i, col in enumerate(columns) if col}
        if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
            key = f"\0line{line}"
            extra = RecordProblem(
                result.kind,
                values.get(layout.group_by or _id_column(result.kind)) or None,
                None,
                f"has {len(cells)} values but the header has {len(columns)} columns "
                f"(a {delimiter!r} inside a value needs quotes)",
                file=name,
                line=line,
            )
            result.units.append(_Unit(Checked(None, (extra,)), line, [cells]))
            continue
        key = values.get(layout.group_by or "", "").strip() if layout.group_by else f"\0line{line}"
        if not key:
            key = f"\0line{line}"
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((line, values, cells))

    for key in order:
        members = groups[key]
        raw, conflicts = _assemble(layout, members, result.kind)
        place = Place(file=name, line=members[0][0], row_lines=[m[0] for m in members], flat=True,
                      default_modified_at=modified)  # fmt: skip
        checked = READERS[result.kind](raw, place)
        if conflicts:
            checked = Checked(None, tuple(conflicts) + checked.problems)
        result.units.append(_Unit(checked, members[0][0], [m[2] for m in members]))


def _id_column(kind: RecordKind) -> str:
    return {RecordKind.ARTICLE: "article_number", RecordKind.SUPPLIER: "supplier_number"}.get(kind, "id")


def _assemble(
    layout: CsvLayout, members: Sequence[tuple[int, dict[str, str], list[str]]], kind: RecordKind
) -> tuple[dict[str, Any], list[RecordProblem]]:
    """One raw record (nested, as in JSON) from the CSV lines of one document."""
    first_line, first, _ = members[0]
    raw: dict[str, Any] = {c: first.get(c, "") for c in layout.columns}
    for name, subs in layout.nested.items():
        raw[name] = {sub: first.get(f"{name}_{sub}", "") for sub in subs}
    conflicts: list[RecordProblem] = []
    shared = layout.columns + tuple(f"{n}_{s}" for n, subs in layout.nested.items() for s in subs)
    for line, values, _ in members[1:]:
        for column in shared:
            if values.get(column, "").strip() != first.get(column, "").strip() and values.get(column, "").strip():
                conflicts.append(
                    RecordProblem(
                        kind,
                        first.get(layout.group_by or "", "") or None,
                        column,
                        f'"{values[column].strip()}" differs from "{first.get(column, "").strip()}" on line '
                        f"{first_line} of the same {kind.label}",
                        file=None,
                        line=line,
                    )
                )
    if layout.row_columns:
        raw["rows"] = [{c: values.get(c, "") for c in layout.row_columns} for _, values, _ in members]
    return raw, conflicts


def _read_json(result: _FileRead, text: str, modified: datetime) -> None:
    name, key = result.name, PREFIX[result.kind]
    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        result.file_problem = _file_problem(
            name, f"is not valid JSON: {error.msg} (column {error.colno})", error.lineno
        )
        return
    decoder = json.JSONDecoder(parse_float=Decimal)
    start = _skip_space(text, 0)
    if isinstance(document, dict):
        found = next((k for k in (key, "items") if isinstance(document.get(k), list)), None)
        if found is None:
            result.file_problem = _file_problem(name, f'expected a list of records, or an object with "{key}": [...]')
            return
        result.json_key = found
        start = _member_value_start(text, start, found, decoder)
    elif not isinstance(document, list):
        result.file_problem = _file_problem(name, f'expected a list of records, or an object with "{key}": [...]')
        return
    line, counted = 1, 0
    for element_start, element_end, value in _array_elements(text, start, decoder):
        line += text.count("\n", counted, element_start)  # counted on from the previous record: linear time
        counted = element_start
        snippet = text[element_start:element_end]
        if not isinstance(value, dict):
            problem = RecordProblem(result.kind, None, None, "is not a JSON object", file=name, line=line)
            result.units.append(_Unit(Checked(None, (problem,)), line, json_text=snippet))
            continue
        place = Place(file=name, line=line, default_modified_at=modified)
        result.units.append(_Unit(READERS[result.kind](value, place), line, json_text=snippet))


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in _JSON_SPACE:
        index += 1
    return index


def _member_value_start(text: str, index: int, wanted: str, decoder: json.JSONDecoder) -> int:
    """Position of the value of top-level member `wanted` in the JSON object starting at `index`."""
    index += 1  # past "{"
    while True:
        index = _skip_space(text, index)
        member, index = decoder.raw_decode(text, index)
        index = _skip_space(text, index) + 1  # past ":"
        index = _skip_space(text, index)
        if member == wanted:
            return index
        _, index = decoder.raw_decode(text, index)
        index = _skip_space(text, index) + 1  # past ","


def _array_elements(text: str, index: int, decoder: json.JSONDecoder) -> Iterable[tuple[int, int, Any]]:
    index = _skip_space(text, index + 1)  # past "["
    if text[index] == "]":
        return
    while True:
        value, end = decoder.raw_decode(text, index)
        yield index, end, value
        index = _skip_space(text, end)
        if text[index] == "]":
            return
        index = _skip_space(text, index + 1)  # past ","


# -- the ledger and the catalogue --------------------------------------------------------------------------------


def _write_atomically(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding=encoding, newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _load_json_file(path: Path, what: str) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, ValueError) as error:
        raise SourceError(f"the {what} {path} cannot be read ({error}); move it away to start a new one") from None
    if not isinstance(data, dict):
        raise SourceError(f"the {what} {path} is not what Fortnox Link wrote; move it away to start a new one")
    return data


def _unique(folder: Path, name: str) -> Path:
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while target.exists():
        target = folder / f"{stem}-{n}{suffix}"
        n += 1
    return target


def _stringify(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: _stringify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify(v) for v in value]
    return value


# -- the source --------------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """What commit does with one file."""

    read: _FileRead
    outcome: str  # "done", "rejected", "partly_rejected", "duplicate"
    bad_units: list[_Unit] = field(default_factory=list)
    good_count: int = 0
    note: str = ""
    earlier_outcome: str = ""


class FilesSource:
    """Reads exports from an inbox folder; writes write-back CSV files to an outbox folder."""

    name = "files"

    def __init__(
        self,
        inbox: Path | str,
        *,
        outbox: Path | str | None = None,
        starting_points: StartingPoints | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.inbox = Path(inbox)
        if not self.inbox.is_dir():
            raise SourceError(f"the inbox folder {self.inbox} does not exist")
        self.done = self.inbox / "done"
        self.rejected = self.inbox / "rejected"
        self.outbox = Path(outbox) if outbox is not None else self.inbox / "outbox"
        self.starting_points = starting_points or StartingPoints()
        self._now = now or (lambda: datetime.now(UTC))
        self.written_invoice_numbers: list[InvoiceNumberWriteBack] = []
        self.written_match_statuses: list[MatchStatusWriteBack] = []
        self.published: list[Path] = []
        self._publish_leftovers()

    # -- OrderSource ----------------------------------------------------------------------------------------------

    def test_connection(self) -> str:
        probe = self.inbox / ".fortnox-link-probe"
        try:
            probe.write_text("ok", encoding="utf-8")
            probe.unlink()
        except OSError as error:
            raise SourceError(f"cannot write in the inbox folder {self.inbox}: {error.strerror}") from None
        waiting = {kind: len(self._candidates(kind)) for kind in PREFIX}
        counts = ", ".join(f"{n} {PREFIX[k].replace('_', ' ')}" for k, n in waiting.items() if n) or "none"
        return f"Inbox {self.inbox}: files waiting: {counts}"

    def invoice_bases(self, since: Cursor | None = None) -> Batch[InvoiceBasis]:
        return self._batch(RecordKind.INVOICE_BASIS, since, self.starting_points.invoicing)

    def purchase_orders(self, since: Cursor | None = None) -> Batch[PurchaseOrder]:
        return self._batch(RecordKind.PURCHASE_ORDER, since, self.starting_points.purchase_matching)

    def inventory_events(self, since: Cursor | None = None) -> Batch[InventoryEvent]:
        return self._batch(RecordKind.INVENTORY_EVENT, since, self.starting_points.inventory)

    def articles(self, numbers: Iterable[str]) -> Batch[Article]:
        wanted = list(dict.fromkeys(n.strip() for n in numbers))
        return self._master_batch(RecordKind.ARTICLE, wanted)

    def suppliers(self) -> Batch[Supplier]:
        return self._master_batch(RecordKind.SUPPLIER, None)

    def write_invoice_number(self, basis_id: str, fortnox_document_number: str) -> None:
        moment = self._now()
        self._journal("invoice_numbers", ("basis_id", "invoice_number", "written_at"),
                      (basis_id, fortnox_document_number, moment.isoformat(timespec="seconds")))  # fmt: skip
        self.written_invoice_numbers.append(InvoiceNumberWriteBack(basis_id, fortnox_document_number, moment))

    def write_match_status(self, purchase_order_id: str, status: MatchStatus, detail: str = "") -> None:
        moment = self._now()
        status = MatchStatus(status)
        self._journal("match_status", ("purchase_order", "status", "detail", "written_at"),
                      (purchase_order_id, status.value, detail, moment.isoformat(timespec="seconds")))  # fmt: skip
        self.written_match_statuses.append(MatchStatusWriteBack(purchase_order_id, status, detail, moment))

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> FilesSource:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- write-back -------------------------------------------------------------------------------------------------

    def _journal_path(self, stem: str) -> Path:
        return self.outbox / f".pending-{stem}.csv"

    def _journal(self, stem: str, header: Sequence[str], values: Sequence[str]) -> None:
        """Append one line to the write-back journal of this run, on disk at once (published by flush)."""
        self.outbox.mkdir(parents=True, exist_ok=True)
        path = self._journal_path(stem)
        fresh = not path.exists() or path.stat().st_size == 0
        with path.open("a", encoding="utf-8-sig" if fresh else "utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
            if fresh:
                writer.writerow(header)
            writer.writerow(values)
            handle.flush()
            os.fsync(handle.fileno())

    def flush(self) -> list[Path]:
        """Publish the write-back written so far as outbox/<kind>-<time>.csv files; returns the new files."""
        made: list[Path] = []
        for stem in ("invoice_numbers", "match_status"):
            path = self._journal_path(stem)
            if not path.exists():
                continue
            data = path.read_bytes()
            if not data.endswith(b"\n"):  # a line cut off by a crash while writing it: that write never returned
                data = data[: data.rfind(b"\n") + 1]
            if data.count(b"\n") <= 1:  # only the header
                path.unlink()
                continue
            stamp = self._now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            target = _unique(self.outbox, f"{stem}-{stamp}.csv")
            temporary = target.with_name(target.name + ".tmp")
            temporary.write_bytes(data)
            os.replace(temporary, target)
            path.unlink()
            made.append(target)
        self.published.extend(made)
        return made

    def _publish_leftovers(self) -> None:
        if self.outbox.is_dir():
            self.flush()

    # -- reading ----------------------------------------------------------------------------------------------------

    def _candidates(self, kind: RecordKind) -> list[Path]:
        prefix = PREFIX[kind]
        found = []
        for path in self.inbox.iterdir():
            lower = path.name.lower()
            if not path.is_file() or lower.startswith((".", "~$")) or not lower.startswith(prefix):
                continue
            if path.suffix.lower() in EXTENSIONS:
                found.append(path)
        return sorted(found, key=lambda p: p.name.lower())

    def _ignored_notes(self, kind: RecordKind) -> list[str]:
        prefix = PREFIX[kind]
        notes = []
        for path in sorted(self.inbox.iterdir()):
            lower = path.name.lower()
            if path.is_file() and lower.startswith(prefix) and path.suffix.lower() not in EXTENSIONS:
                if lower.endswith((".tmp", ".partial")):
                    continue
                notes.append(f"{path.name} is not read: only .csv and .json exports are (save Excel files as CSV)")
        return notes

    def _ledger(self) -> dict[str, Any]:
        data = _load_json_file(self.inbox / LEDGER_NAME, "ledger of processed files")
        data.setdefault("version", 1)
        data.setdefault("files", [])
        return data

    def _read_files(self, kind: RecordKind, since: Cursor | None) -> tuple[list[_FileRead], list[_Plan], list[str]]:
        ledger = self._ledger()
        known = {entry.get("sha256"): entry for entry in ledger["files"] if isinstance(entry, dict)}
        handed = _cursor_hashes(since)
        reads: list[_FileRead] = []
        duplicates: list[_Plan] = []
        notes = self._ignored_notes(kind)
        for path in self._candidates(kind):
            try:
                data = path.read_bytes()
            except OSError as error:
                notes.append(f"{path.name} cannot be read now ({error.strerror}); it is tried again next time")
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest in known or digest in handed:
                entry = known.get(digest, {})
                when = f" on {entry['handled_at'][:10]}" if entry.get("handled_at") else ""
                earlier = f" as {entry['name']}" if entry.get("name") and entry.get("name") != path.name else ""
                if entry.get("outcome") == "rejected":
                    note = (f"{path.name} is identical to a file rejected{when}{earlier}: moved to rejected/, not "
                            "read; fix the records first (see the .errors.txt there)")  # fmt: skip
                else:
                    note = (
                        f"{path.name} is identical to a file already handled{when}{earlier}: moved to done/, not read"
                    )
                read = _FileRead(path=path, sha256=digest, kind=kind)
                duplicates.append(_Plan(read, "duplicate", note=note, earlier_outcome=str(entry.get("outcome", ""))))
                notes.append(note)
                continue
            reads.append(read_export(path, kind, data))
        return reads, duplicates, notes

    def _plan(
        self, reads: list[_FileRead], start: StartingPoint | None
    ) -> tuple[list[Checked[Any]], list[RecordProblem], list[_Plan], int]:
        admitted: list[Checked[Any]] = []
        problems: list[RecordProblem] = []
        plans: list[_Plan] = []
        skipped = 0
        for read in reads:
            if read.file_problem is not None:
                problems.append(read.file_problem)
                plans.append(_Plan(read, "rejected"))
                continue
            bad: list[_Unit] = []
            good = 0
            for unit in read.units:
                subject = unit.checked.record if unit.checked.record is not None else _first(unit.checked.problems)
                if start is not None and not start.admits(*date_and_number(subject)):
                    skipped += 1
                    continue
                if unit.checked.record is not None and not unit.checked.problems:
                    admitted.append(unit.checked)
                    good += 1
                else:
                    problems.extend(_with_file(p, read.name) for p in unit.checked.problems)
                    bad.append(unit)
            outcome = "done" if not bad else ("partly_rejected" if good else "rejected")
            plans.append(_Plan(read, outcome, bad, good))
        return admitted, problems, plans, skipped

    def _batch(self, kind: RecordKind, since: Cursor | None, start: StartingPoint | None) -> Batch[Any]:
        reads, duplicates, notes = self._read_files(kind, since)
        admitted, problems, plans, skipped = self._plan(reads, start)
        records, more_problems = gather(admitted)
        plans = duplicates + plans
        handed = [p.read for p in plans]
        cursor = json.dumps({"files": [{"name": r.name, "sha256": r.sha256} for r in handed]}, ensure_ascii=False)
        return Batch(
            records=records,
            problems=tuple(problems) + more_problems,
            cursor=cursor if handed else since,
            notes=tuple(notes),
            skipped_before_start=skipped,
            on_commit=lambda: self._commit(plans),
        )

    def _master_batch(self, kind: RecordKind, wanted: list[str] | None) -> Batch[Any]:
        reads, duplicates, notes = self._read_files(kind, None)
        admitted, problems, plans, _ = self._plan(reads, None)
        fresh, _ = gather(admitted)
        catalogue = self._catalogue()
        section: dict[str, Any] = catalogue.get(PREFIX[kind], {})
        known: dict[str, Any] = {}
        for number, raw in section.items():
            checked = READERS[kind](raw, Place(file=CATALOGUE_NAME))
            if checked.record is not None:
                known[number] = checked.record
        for record in fresh:
            known[_master_key(record)] = record
        if wanted is None:
            records = tuple(known.values())
        else:
            records = tuple(known[n] for n in wanted if n in known)
            reported = {p.record_id for p in problems}
            problems.extend(
                RecordProblem(kind, n, _master_field(kind), f"is not in any {PREFIX[kind]} export in the inbox")
                for n in wanted
                if n not in known and n not in reported
            )
        raws = {_master_key(u.checked.record): _stringify(_unit_raw(u)) for r in reads for u in r.units
                if u.checked.record is not None and not u.checked.problems}  # fmt: skip

        def commit() -> None:
            if raws:
                current = self._catalogue()
                current.setdefault(PREFIX[kind], {}).update(raws)
                _write_atomically(self.inbox / CATALOGUE_NAME, json.dumps(current, ensure_ascii=False, indent=1))
            self._commit(duplicates + plans)

        return Batch(records=records, problems=tuple(problems), cursor=None, notes=tuple(notes), on_commit=commit)

    def _catalogue(self) -> dict[str, Any]:
        return _load_json_file(self.inbox / CATALOGUE_NAME, "catalogue of articles and suppliers")

    # -- commit -----------------------------------------------------------------------------------------------------

    def _commit(self, plans: list[_Plan]) -> None:
        for plan in plans:
            path = plan.read.path
            try:
                current = path.read_bytes()
            except FileNotFoundError:
                continue  # already moved (by an earlier commit of the same file, or by a person)
            if hashlib.sha256(current).hexdigest() != plan.read.sha256:
                continue  # changed since it was read: left in the inbox, read again next time
            moment = self._now()
            if plan.bad_units or plan.outcome == "rejected":
                self._write_rejection(plan, moment)
            ledger = self._ledger()
            in_ledger = any(e.get("sha256") == plan.read.sha256 for e in ledger["files"] if isinstance(e, dict))
            if plan.outcome == "duplicate" and not in_ledger:
                # known from the cursor only: the batch that handed it over never got to move it
                ledger["files"].append(
                    {
                        "sha256": plan.read.sha256,
                        "name": path.name,
                        "kind": plan.read.kind.value,
                        "handled_at": moment.isoformat(timespec="seconds"),
                        "outcome": "done",
                    }
                )
                _write_atomically(self.inbox / LEDGER_NAME, json.dumps(ledger, ensure_ascii=False, indent=1))
            if plan.outcome != "duplicate":
                ledger["files"].append(
                    {
                        "sha256": plan.read.sha256,
                        "name": path.name,
                        "kind": plan.read.kind.value,
                        "handled_at": moment.isoformat(timespec="seconds"),
                        "records": plan.good_count,
                        "rejected": len(plan.bad_units),
                        "outcome": plan.outcome,
                    }
                )
                _write_atomically(self.inbox / LEDGER_NAME, json.dumps(ledger, ensure_ascii=False, indent=1))
            rejected_before = plan.outcome == "duplicate" and plan.earlier_outcome == "rejected"
            folder = self.rejected if plan.outcome == "rejected" or rejected_before else self.done
            folder.mkdir(exist_ok=True)
            target = _unique(folder, path.name)
            try:
                os.replace(path, target)
            except OSError as error:  # e.g. open in Excel on Windows: the ledger moves it as a duplicate next time
                log.warning("%s could not be moved to %s/ (%s); it is moved next time", path.name, folder.name,
                            error.strerror)  # fmt: skip
                continue
            if plan.outcome == "duplicate":
                note = target.with_name(target.name + ".duplicate.txt")
                note.write_text(plan.note + "\n", encoding="utf-8-sig")

    def _write_rejection(self, plan: _Plan, moment: datetime) -> None:
        read = plan.read
        self.rejected.mkdir(exist_ok=True)
        whole = plan.outcome == "rejected"
        target = _unique(self.rejected, read.name)
        if not whole:
            _write_atomically(target, _rejected_content(read, plan.bad_units), encoding=read.encoding)
        problems = [read.file_problem] if read.file_problem else []
        problems += [_with_file(p, read.name) for u in plan.bad_units for p in u.checked.problems]
        what = "the file" if whole and read.file_problem else f"{len(plan.bad_units)} record(s)"
        lines = [
            f"Fortnox Link could not take {what} from {read.name} "
            f"(read {moment.astimezone().strftime('%Y-%m-%d %H:%M')}).",
            f"The records are in rejected/{target.name}. Fix them there and put the file back in the inbox; "
            + ("the other records went through." if not whole else "nothing from this file went through."),
            "",
            *(str(p) for p in problems),
            "",
        ]
        report = target.with_name(target.name + ".errors.txt")
        _write_atomically(report, "\r\n".join(lines), encoding="utf-8-sig")


def _first(problems: Sequence[RecordProblem]) -> RecordProblem | None:
    return problems[0] if problems else None


def _with_file(problem: RecordProblem, name: str) -> RecordProblem:
    if problem.file == name:
        return problem
    return RecordProblem(
        problem.record_kind, problem.record_id, problem.field, problem.message, file=name, line=problem.line,
        row=problem.row, record_date=problem.record_date, record_number=problem.record_number,
    )  # fmt: skip


def _unit_raw(unit: _Unit) -> Any:
    """The raw wire record of a good master-data unit (articles and suppliers have no rows)."""
    record = unit.checked.record
    return {k: ("" if v is None else str(getattr(v, "value", v))) for k, v in _wire_of(record).items()}


def _wire_of(record: Any) -> dict[str, Any]:
    if isinstance(record, Article):
        return {
            "article_number": record.article_number, "description": record.description, "vat_rate": record.vat_rate,
            "unit": record.unit, "sales_price": record.sales_price, "purchase_price": record.purchase_price,
            "kind": record.kind, "article_group": record.article_group,
        }  # fmt: skip
    if isinstance(record, Supplier):
        return {
            "supplier_number": record.supplier_number, "name": record.name,
            "organisation_number": record.organisation_number, "currency": record.currency,
        }  # fmt: skip
    raise TypeError(type(record).__name__)


def _master_key(record: Any) -> str:
    return str(record.article_number if isinstance(record, Article) else record.supplier_number)


def _master_field(kind: RecordKind) -> str:
    return "article_number" if kind is RecordKind.ARTICLE else "supplier_number"


def _cursor_hashes(cursor: Cursor | None) -> set[str]:
    """The files a cursor says were handed over; nothing for another source's cursor (the ledger still holds)."""
    if not cursor:
        return set()
    try:
        data = json.loads(cursor)
        return {str(item["sha256"]) for item in data["files"]}
    except (ValueError, KeyError, TypeError):
        log.info("the stored position is not an inbox's; the ledger alone says which files were handled")
        return set()


def _rejected_content(read: _FileRead, units: list[_Unit]) -> str:
    """The bad records in the same format as the file: CSV with its header and separator, or JSON."""
    if read.path.suffix.lower() == ".json":
        body = ",\n".join("  " + u.json_text for u in units)
        array = "[\n" + body + "\n]"
        return ('{"' + read.json_key + '": ' + array + "}\n") if read.json_key else array + "\n"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=read.delimiter, lineterminator="\r\n")
    writer.writerow(read.header)
    for unit in units:
        writer.writerows(unit.csv_lines)
    return out.getvalue()
