"""Validation at the boundary: raw values in, typed records or `RecordProblem`s out.

The same readers serve every adapter: a raw record is a mapping from the wire names of docs/extend-contract.md to
values that are text (CSV, or JSON strings) or JSON values (numbers read as exact `Decimal`, booleans, objects,
arrays). A record with anything wrong is not built; every problem in it is reported at once, so it can be fixed in
one go. Nothing here raises for bad input.

Amounts (decided, documented in the contract): a decimal comma or a decimal point, never both; spaces (also
no-break spaces) may group thousands ("1 234,50"); "1,234.50" and "1.234,50" are rejected as ambiguous, and so is
a number with more than one separator ("1.234.567"). A lone comma is always the decimal separator, so "1,234" is
one and 234 thousandths, which a price then rejects for having 3 decimals.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Generic, TypeVar

from .records import (
    SWEDISH_VAT_RATES,
    Article,
    ArticleKind,
    Customer,
    CustomerType,
    EventType,
    InventoryEvent,
    InvoiceBasis,
    InvoiceRow,
    PurchaseOrder,
    PurchaseOrderRow,
    PurchaseOrderStatus,
    RecordKind,
    RecordProblem,
    Supplier,
    VatType,
)

PRICE_DECIMALS = 2
COST_DECIMALS = 4
QUANTITY_DECIMALS = 4

# Longest text Fortnox takes in the field the value ends up in (or a sane limit where Fortnox has none).
MAX_LENGTH: dict[str, int] = {
    "id": 80,
    "invoice_number": 30,
    "name": 1024,
    "address": 1024,
    "zip_code": 10,
    "city": 1024,
    "email": 1024,
    "organisation_number": 30,
    "vat_number": 30,
    "reference": 50,
    "your_order_number": 30,
    "row_description": 255,
    "article_number": 50,
    "article_description": 200,
    "unit": 10,
    "article_group": 50,
    "supplier_number": 50,
    "warehouse": 50,
    "event_reference": 100,
    "cost_centre": 20,
    "project": 20,
}

# fmt: off
EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
# fmt: on

_AMOUNT_RE = re.compile(r"^[+-]?(\d+)(?:[.,](\d+))?$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}( \d{3})+(?:[.,]\d+)?$")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_TRUE = frozenset({"true", "yes", "ja", "1", "y", "j", "x"})
_FALSE = frozenset({"false", "no", "nej", "0", "n", ""})

E = TypeVar("E", bound=StrEnum)


# -- single values -----------------------------------------------------------------------------------------------


def parse_amount(value: Any, *, max_decimals: int = PRICE_DECIMALS) -> Decimal:
    """An exact amount from text or a JSON number; raises ValueError with a message for people."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, float):
        raise ValueError(f"{value!r} is a floating-point number; send amounts as text or exact decimals")
    if isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a number")
        result = value
    elif isinstance(value, str):
        result = _amount_from_text(value)
    else:
        raise ValueError(f"{value!r} is not a number")
    decimals = _decimals(result)
    if decimals > max_decimals:
        allowed = "no decimals" if max_decimals == 0 else f"at most {max_decimals} decimals"
        raise ValueError(f"{_show(value)} has {decimals} decimals; {allowed} allowed")
    return result


def _amount_from_text(text: str) -> Decimal:
    cleaned = text.translate(_SPACES).strip()
    if not cleaned:
        raise ValueError("is empty")
    if "," in cleaned and "." in cleaned:
        raise ValueError(
            f'"{text.strip()}" is ambiguous: use one decimal separator (comma or point) and no thousands separator'
        )
    if " " in cleaned:
        if not _GROUPED_RE.match(cleaned):
            raise ValueError(f'"{text.strip()}" is not a number (spaces may only group thousands, as in 1 234,50)')
        cleaned = cleaned.replace(" ", "")
    if cleaned.count(",") + cleaned.count(".") > 1:
        raise ValueError(f'"{text.strip()}" is not a number (more than one separator)')
    if not _AMOUNT_RE.match(cleaned):
        raise ValueError(f'"{text.strip()}" is not a number')
    try:
        return Decimal(cleaned.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern above already guarantees a literal
        raise ValueError(f'"{text.strip()}" is not a number') from None


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _show(value: Any) -> str:
    return f'"{value.strip()}"' if isinstance(value, str) else str(value)


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date (write it as YYYY-MM-DD)")
    text = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f'"{text}" is not a date (write it as YYYY-MM-DD, e.g. 2026-11-03)')
    try:
        result = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f'"{text}" is not a date in the calendar') from None
    if not 2000 <= result.year <= 2099:
        raise ValueError(f'"{text}" is outside the years 2000-2099')
    return result


def parse_timestamp(value: Any) -> datetime:
    """ISO 8601 date and time; without an offset it is read as UTC. A bare date is midnight UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a timestamp (write it as 2026-11-03T14:05:00+01:00)")
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.combine(parse_date(text), time(0), tzinfo=UTC)
    try:
        result = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        raise ValueError(f'"{text}" is not a timestamp (write it as 2026-11-03T14:05:00+01:00)') from None
    return result if result.tzinfo else result.replace(tzinfo=UTC)


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ValueError(f"{_show(value)} is not yes/no (write true or false)")


def parse_int(value: Any, *, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a whole number")
    if isinstance(value, int):
        result = value
    else:
        try:
            amount = parse_amount(value, max_decimals=0)
        except ValueError:
            raise ValueError(f"{_show(value)} is not a whole number") from None
        result = int(amount)
    if not low <= result <= high:
        raise ValueError(f"{result} is outside {low}-{high}")
    return result


def parse_vat_rate(value: Any) -> int:
    text = value.strip().rstrip("%").strip() if isinstance(value, str) else value
    try:
        amount = parse_amount(text, max_decimals=2)
    except ValueError:
        raise ValueError(f"{_show(value)} is not a VAT rate (25, 12, 6 or 0)") from None
    if amount != amount.to_integral_value() or int(amount) not in SWEDISH_VAT_RATES:
        raise ValueError(f"{_show(value).strip(chr(34))} is not a Swedish VAT rate (25, 12, 6 or 0)")
    return int(amount)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def normalize_swedish_identity(value: str, *, private: bool) -> str:
    """A Swedish organisation or personal identity number as NNNNNN-NNNN; raises ValueError when it is not one."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if value.strip().upper().startswith("SE") and len(digits) == 12 and digits.endswith("01"):
        digits = digits[:10]  # a VAT number given where the organisation number belongs
    if len(digits) == 12 and (private or digits.startswith("16")):
        digits = digits[2:]
    what = "personal identity number" if private else "organisation number"
    if len(digits) != 10 or not re.fullmatch(r"[\d\s+-]+", value.strip().upper().removeprefix("SE")):
        raise ValueError(f'"{value.strip()}" is not a Swedish {what} (NNNNNN-NNNN)')
    if not luhn_ok(digits):
        raise ValueError(f'"{value.strip()}" is not a valid Swedish {what}: the check digit is wrong')
    return f"{digits[:6]}-{digits[6:]}"


# -- where a record came from ------------------------------------------------------------------------------------

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Place:
    """Where a raw record was read, to say so in problems.

    flat: the record came as CSV lines: nested names are joined with "_" ("customer_name"), row fields are bare
    column names and each row has its own line (`row_lines`). Otherwise (JSON, API, demo) nested names are
    dotted ("customer.name") and rows are counted from 1.
    """

    file: str | None = None
    line: int | None = None
    row_lines: Sequence[int] = ()
    flat: bool = False
    default_modified_at: datetime | None = None

    def locate(self, path: FieldPath) -> tuple[str, int | None, int | None]:
        """(field name as the integrator wrote it, line, row)."""
        line, row = self.line, None
        names: list[str] = []
        i = 0
        while i < len(path):
            part = path[i]
            if part == "rows" and i + 1 < len(path) and isinstance(path[i + 1], int):
                index = int(path[i + 1])
                if self.flat and index < len(self.row_lines):
                    line = self.row_lines[index]
                else:
                    row = index + 1
                i += 2
                continue
            names.append(str(part))
            i += 1
        return ("_" if self.flat else ".").join(names), line, row


class _Reader:
    """Reads fields of one raw record, collecting every problem."""

    def __init__(self, kind: RecordKind, raw: Mapping[str, Any], place: Place, prefix: FieldPath = ()) -> None:
        self.kind = kind
        self.raw = raw
        self.place = place
        self.prefix = prefix
        self.record_id: str | None = None
        self.record_date: date | None = None
        self.record_number: str | None = None
        self.problems: list[RecordProblem] = []

    def child(self, raw: Mapping[str, Any], *path: str | int) -> _Reader:
        sub = _Reader(self.kind, raw, self.place, self.prefix + path)
        sub.problems = self.problems  # shared
        sub.record_id = self.record_id
        sub.record_date = self.record_date
        sub.record_number = self.record_number
        return sub

    def problem(self, name: str | None, message: str) -> None:
        field_name, line, row = self.place.locate(self.prefix + ((name,) if name else ()))
        self.problems.append(
            RecordProblem(
                record_kind=self.kind,
                record_id=self.record_id,
                field=field_name or None,
                message=message,
                file=self.place.file,
                line=line,
                row=row,
                record_date=self.record_date,
                record_number=self.record_number,
            )
        )

    def given(self, name: str) -> Any:
        value = self.raw.get(name)
        if isinstance(value, str):
            value = value.strip()
        return None if value == "" else value

    def text(self, name: str, *, required: bool = False, limit: str | None = None, upper: bool = False) -> str | None:
        value = self.given(name)
        if value is None:
            if required:
                self.problem(name, "is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            self.problem(name, f"{value!r} is not text")
            return None
        text = " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()
        if upper:
            text = text.upper()
        if limit is not None and len(text) > MAX_LENGTH[limit]:
            self.problem(name, f"is {len(text)} characters long; Fortnox takes at most {MAX_LENGTH[limit]}")
            return None
        return text

    def parsed(self, name: str, parse: Callable[[Any], Any], *, required: bool = False) -> Any:
        value = self.given(name)
        if value is None:
            if required:
                self.problem(name, "is missing")
            return None
        try:
            return parse(value)
        except ValueError as error:
            self.problem(name, str(error))
            return None

    def amount(self, name: str, *, decimals: int, required: bool = False) -> Decimal | None:
        result: Decimal | None = self.parsed(name, lambda v: parse_amount(v, max_decimals=decimals), required=required)
        return result

    def day(self, name: str, *, required: bool = False) -> date | None:
        result: date | None = self.parsed(name, parse_date, required=required)
        return result

    def moment(self, name: str) -> datetime | None:
        if self.given(name) is None and self.place.default_modified_at is not None:
            return self.place.default_modified_at
        result: datetime | None = self.parsed(name, parse_timestamp, required=True)
        return result

    def flag(self, name: str, default: bool = False) -> bool:
        result = self.parsed(name, parse_bool)
        return default if result is None else bool(result)

    def integer(self, name: str, *, low: int, high: int) -> int | None:
        result: int | None = self.parsed(name, lambda v: parse_int(v, low=low, high=high))
        return result

    def vat_rate(self, name: str, *, required: bool = True) -> int | None:
        result: int | None = self.parsed(name, parse_vat_rate, required=required)
        return result

    def choice(self, name: str, enum: type[E], default: E | None = None) -> E | None:
        value = self.given(name)
        if value is None:
            if default is None:
                self.problem(name, "is missing")
            return default
        text = str(value).strip().lower().replace(" ", "_").replace("-", "_")
        for member in enum:
            if member.value.lower() == text:
                return member
        allowed = ", ".join(m.value for m in enum)
        self.problem(name, f'"{value}" is not one of: {allowed}')
        return None

    def currency(self, name: str) -> str | None:
        text = self.text(name, upper=True)
        if text is None:
            return "SEK"
        if not _CURRENCY_RE.match(text):
            self.problem(name, f'"{text}" is not a currency code (three letters, e.g. SEK, EUR)')
            return None
        return text

    def email(self, name: str) -> str | None:
        text = self.text(name, limit="email")
        if text is not None and not _EMAIL_RE.match(text):
            self.problem(name, f'"{text}" is not an e-mail address')
            return None
        return text

    def rows(self, name: str = "rows") -> list[Mapping[str, Any]]:
        value = self.raw.get(name)
        if value is None or value == []:
            self.problem(name, "has no rows; at least one is needed")
            return []
        if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
            self.problem(name, "is not a list of rows")
            return []
        return value


R = TypeVar("R")


@dataclass(frozen=True)
class Checked(Generic[R]):
    """The outcome of reading one raw record: the record, or why not."""

    record: R | None
    problems: tuple[RecordProblem, ...]

    @property
    def ok(self) -> bool:
        return self.record is not None and not self.problems


def _done(reader: _Reader, build: Callable[[], R]) -> Checked[R]:
    if reader.problems:
        return Checked(None, tuple(reader.problems))
    return Checked(build(), ())


# -- records -----------------------------------------------------------------------------------------------------


def _customer_fields(r: _Reader) -> Callable[[], Customer] | None:
    source_id = r.text("id", required=True, limit="id")
    name = r.text("name", required=True, limit="name")
    customer_type = r.choice("type", CustomerType, CustomerType.COMPANY)
    country = r.text("country_code", upper=True) or "SE"
    if not _COUNTRY_RE.match(country):
        r.problem("country_code", f'"{country}" is not a country code (two letters, e.g. SE, NO, DE)')
    vat_type = r.choice("vat_type", VatType, VatType.SE)
    vat_number = r.text("vat_number", limit="vat_number", upper=True)
    identity = r.text("organisation_number", limit="organisation_number")
    if identity is not None and country == "SE" and customer_type is not None:
        try:
            identity = normalize_swedish_identity(identity, private=customer_type is CustomerType.PRIVATE)
        except ValueError as error:
            r.problem("organisation_number", str(error))
    if vat_type is VatType.EU:
        if country == "SE" or country not in EU_COUNTRIES:
            r.problem("vat_type", f"EU (reverse charge) is for customers in another EU country, not {country}")
        if vat_number is None:
            r.problem("vat_number", "is missing; an EU customer without Swedish VAT needs its VAT number")
        if customer_type is CustomerType.PRIVATE:
            r.problem("vat_type", "EU (reverse charge) is only for companies; private persons pay Swedish VAT (SE)")
    elif vat_type is VatType.EXPORT and country in EU_COUNTRIES:
        r.problem("vat_type", f"EXPORT is for customers outside the EU, and {country} is in the EU")
    address1 = r.text("address1", limit="address")
    address2 = r.text("address2", limit="address")
    zip_code = r.text("zip_code", limit="zip_code")
    city = r.text("city", limit="city")
    email = r.email("email")
    invoice_email = r.email("invoice_email")
    currency = r.currency("currency")
    terms = r.integer("payment_terms_days", low=0, high=365)
    if r.problems:
        return None
    assert source_id and name and customer_type and vat_type and currency
    return lambda: Customer(
        source_id=source_id,
        name=name,
        customer_type=customer_type,
        organisation_number=identity,
        address1=address1,
        address2=address2,
        zip_code=zip_code,
        city=city,
        country_code=country,
        email=email,
        invoice_email=invoice_email,
        vat_type=vat_type,
        vat_number=vat_number,
        currency=currency,
        payment_terms_days=terms,
    )


def read_customer(raw: Mapping[str, Any], place: Place | None = None) -> Checked[Customer]:
    r = _Reader(RecordKind.CUSTOMER, raw, place or Place())
    r.record_id = r.text("id")
    build = _customer_fields(r)
    return _done(r, build) if build else Checked(None, tuple(r.problems))


def read_article(raw: Mapping[str, Any], place: Place | None = None) -> Checked[Article]:
    r = _Reader(RecordKind.ARTICLE, raw, place or Place())
    number = r.record_id = _article_number(r, "article_number", required=True)
    description = r.text("description", required=True, limit="article_description")
    vat_rate = r.vat_rate("vat_rate")
    unit = r.text("unit", limit="unit")
    sales_price = r.amount("sales_price", decimals=PRICE_DECIMALS)
    purchase_price = r.amount("purchase_price", decimals=COST_DECIMALS)
    for name, price in (("sales_price", sales_price), ("purchase_price", purchase_price)):
        if price is not None and price < 0:
            r.problem(name, f"{price} is negative")
    kind = r.choice("kind", ArticleKind, ArticleKind.STOCK)
    group = r.text("article_group", limit="article_group")
    return _done(
        r,
        lambda: Article(
            article_number=str(number),
            description=str(description),
            vat_rate=int(vat_rate or 0),
            unit=unit,
            sales_price=sales_price,
            purchase_price=purchase_price,
            kind=kind or ArticleKind.STOCK,
            article_group=group,
        ),
    )


def _article_number(r: _Reader, name: str, *, required: bool) -> str | None:
    number = r.text(name, required=required, limit="article_number")
    if number is not None and any(ch.isspace() for ch in number):
        r.problem(name, f'"{number}" contains spaces; Fortnox article numbers cannot')
        return None
    return number


def read_supplier(raw: Mapping[str, Any], place: Place | None = None) -> Checked[Supplier]:
    r = _Reader(RecordKind.SUPPLIER, raw, place or Place())
    number = r.record_id = r.text("supplier_number", required=True, limit="supplier_number")
    name = r.text("name", required=True, limit="name")
    identity = r.text("organisation_number", limit="organisation_number")
    currency = r.currency("currency")
    return _done(
        r,
        lambda: Supplier(
            supplier_number=str(number), name=str(name), organisation_number=identity, currency=currency or "SEK"
        ),
    )


def read_invoice_basis(raw: Mapping[str, Any], place: Place | None = None) -> Checked[InvoiceBasis]:
    r = _Reader(RecordKind.INVOICE_BASIS, raw, place or Place())
    source_id = r.record_id = r.text("id", required=True, limit="id")
    number = r.record_number = r.text("number", required=True, limit="invoice_number")
    invoice_date = r.record_date = r.day("invoice_date", required=True)
    due_date = r.day("due_date")
    if due_date and invoice_date and due_date < invoice_date:
        r.problem("due_date", f"{due_date} is before the invoice date {invoice_date}")
    terms = r.integer("payment_terms_days", low=0, high=365)
    currency = r.currency("currency")
    your_reference = r.text("your_reference", limit="reference")
    our_reference = r.text("our_reference", limit="reference")
    your_order_number = r.text("your_order_number", limit="your_order_number")
    prices_include_vat = r.flag("prices_include_vat")
    is_credit = r.flag("is_credit")
    total = r.amount("total_incl_vat", decimals=PRICE_DECIMALS)
    if total is not None and is_credit and total > 0:
        r.problem("total_incl_vat", f"{total} is positive on a credit note")
    if total is not None and not is_credit and total < 0:
        r.problem("total_incl_vat", f"{total} is negative; a credit note needs is_credit = true")
    modified_at = r.moment("modified_at")

    customer_raw = raw.get("customer")
    build_customer: Callable[[], Customer] | None = None
    if not isinstance(customer_raw, Mapping) or not customer_raw:
        r.problem("customer", "is missing")
    else:
        build_customer = _customer_fields(r.child(customer_raw, "customer"))

    rows: list[InvoiceRow] = []
    for index, row_raw in enumerate(r.rows()):
        row = _invoice_row(r.child(row_raw, "rows", index), is_credit=is_credit)
        if row is not None:
            rows.append(row)
    if r.problems or build_customer is None:
        return Checked(None, tuple(r.problems))
    customer = build_customer()
    assert source_id and number and invoice_date and modified_at and currency
    return Checked(
        InvoiceBasis(
            source_id=source_id,
            number=number,
            customer=customer,
            invoice_date=invoice_date,
            rows=tuple(rows),
            modified_at=modified_at,
            due_date=due_date,
            payment_terms_days=terms,
            currency=currency,
            your_reference=your_reference,
            our_reference=our_reference,
            your_order_number=your_order_number,
            prices_include_vat=prices_include_vat,
            is_credit=is_credit,
            total_incl_vat=total,
        ),
        (),
    )


def _invoice_row(r: _Reader, *, is_credit: bool) -> InvoiceRow | None:
    before = len(r.problems)
    article_number = _article_number(r, "article_number", required=False)
    description = r.text("description", limit="row_description")
    if description is None and article_number is None:
        r.problem("description", "is missing (a row without an article number needs a description)")
    quantity = r.amount("quantity", decimals=QUANTITY_DECIMALS, required=True)
    if quantity is not None:
        if quantity == 0:
            r.problem("quantity", "is 0")
        elif quantity < 0 and not is_credit:
            r.problem("quantity", f"{quantity} is negative; only a credit note (is_credit = true) has negative rows")
        elif quantity > 0 and is_credit:
            r.problem("quantity", f"{quantity} is positive on a credit note; credit rows are negative")
    unit_price = r.amount("unit_price", decimals=PRICE_DECIMALS, required=True)
    if unit_price is not None and unit_price < 0:
        r.problem("unit_price", f"{unit_price} is negative; give a discount with discount_percent")
    vat_rate = r.vat_rate("vat_rate")
    discount = r.amount("discount_percent", decimals=2)
    if discount is not None and not 0 <= discount <= 100:
        r.problem("discount_percent", f"{discount} is outside 0-100")
    unit = r.text("unit", limit="unit")
    if len(r.problems) > before:
        return None
    assert quantity is not None and unit_price is not None and vat_rate is not None
    return InvoiceRow(
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        vat_rate=vat_rate,
        article_number=article_number,
        discount_percent=discount if discount is not None else Decimal(0),
        unit=unit,
    )


def read_purchase_order(raw: Mapping[str, Any], place: Place | None = None) -> Checked[PurchaseOrder]:
    r = _Reader(RecordKind.PURCHASE_ORDER, raw, place or Place())
    number = r.record_id = r.record_number = r.text("order_number", required=True, limit="id")
    supplier_number = r.text("supplier_number", required=True, limit="supplier_number")
    order_date = r.record_date = r.day("order_date", required=True)
    currency = r.currency("currency")
    status = r.choice("status", PurchaseOrderStatus, PurchaseOrderStatus.OPEN)
    modified_at = r.moment("modified_at")
    rows: list[PurchaseOrderRow] = []
    for index, row_raw in enumerate(r.rows()):
        row = _purchase_row(r.child(row_raw, "rows", index))
        if row is not None:
            rows.append(row)
    if r.problems:
        return Checked(None, tuple(r.problems))
    assert number and supplier_number and order_date and currency and status and modified_at
    return Checked(
        PurchaseOrder(
            order_number=number,
            supplier_number=supplier_number,
            order_date=order_date,
            rows=tuple(rows),
            modified_at=modified_at,
            status=status,
            currency=currency,
        ),
        (),
    )


def _purchase_row(r: _Reader) -> PurchaseOrderRow | None:
    before = len(r.problems)
    article_number = _article_number(r, "article_number", required=True)
    description = r.text("description", limit="row_description")
    ordered = r.amount("ordered_quantity", decimals=QUANTITY_DECIMALS, required=True)
    if ordered is not None and ordered <= 0:
        r.problem("ordered_quantity", f"{ordered} is not above 0")
    received = r.amount("received_quantity", decimals=QUANTITY_DECIMALS)
    if received is not None and received < 0:
        r.problem("received_quantity", f"{received} is negative")
    unit_price = r.amount("unit_price", decimals=COST_DECIMALS, required=True)
    if unit_price is not None and unit_price < 0:
        r.problem("unit_price", f"{unit_price} is negative")
    if len(r.problems) > before:
        return None
    assert article_number and ordered is not None and unit_price is not None
    return PurchaseOrderRow(
        article_number=article_number,
        ordered_quantity=ordered,
        unit_price=unit_price,
        received_quantity=received if received is not None else Decimal(0),
        description=description,
    )


def read_inventory_event(raw: Mapping[str, Any], place: Place | None = None) -> Checked[InventoryEvent]:
    r = _Reader(RecordKind.INVENTORY_EVENT, raw, place or Place())
    event_id = r.record_id = r.text("id", required=True, limit="id")
    event_type = r.choice("type", EventType)
    event_date = r.record_date = r.day("date", required=True)
    article_number = _article_number(r, "article_number", required=True)
    group = r.text("article_group", limit="article_group")
    quantity = r.amount("quantity", decimals=QUANTITY_DECIMALS, required=True)
    if quantity is not None and quantity <= 0:
        r.problem("quantity", f"{quantity} is not above 0; the type ({event_type or 'missing'}) gives the direction")
    unit_cost = r.amount("unit_cost", decimals=COST_DECIMALS, required=True)
    if unit_cost is not None:
        if event_type is EventType.REVALUATION and unit_cost == 0:
            r.problem("unit_cost", "is 0; a revaluation gives the change in value per unit")
        elif event_type is not EventType.REVALUATION and unit_cost < 0:
            r.problem("unit_cost", f"{unit_cost} is negative; only a revaluation may lower the value per unit")
    warehouse = r.text("warehouse", limit="warehouse")
    to_warehouse = r.text("to_warehouse", limit="warehouse")
    if event_type is EventType.TRANSFER:
        if warehouse is None:
            r.problem("warehouse", "is missing; a transfer needs the warehouse it leaves")
        if to_warehouse is None:
            r.problem("to_warehouse", "is missing; a transfer needs the warehouse it goes to")
        elif warehouse is not None and to_warehouse == warehouse:
            r.problem("to_warehouse", f'is the same warehouse as "warehouse" ({warehouse})')
    elif to_warehouse is not None and event_type is not None:
        r.problem("to_warehouse", f"is only for transfers, not for {event_type.value}")
    reference = r.text("reference", limit="event_reference")
    cost_centre = r.text("cost_centre", limit="cost_centre")
    project = r.text("project", limit="project")
    modified_at = r.moment("modified_at")
    cancelled = r.flag("cancelled")
    if r.problems:
        return Checked(None, tuple(r.problems))
    assert event_id and event_type and event_date and article_number and modified_at
    assert quantity is not None and unit_cost is not None
    return Checked(
        InventoryEvent(
            event_id=event_id,
            event_type=event_type,
            event_date=event_date,
            article_number=article_number,
            quantity=quantity,
            unit_cost=unit_cost,
            modified_at=modified_at,
            article_group=group,
            warehouse=warehouse,
            to_warehouse=to_warehouse,
            reference=reference,
            cost_centre=cost_centre,
            project=project,
            cancelled=cancelled,
        ),
        (),
    )


READERS: dict[RecordKind, Callable[[Mapping[str, Any], Place | None], Checked[Any]]] = {
    RecordKind.INVOICE_BASIS: read_invoice_basis,
    RecordKind.ARTICLE: read_article,
    RecordKind.SUPPLIER: read_supplier,
    RecordKind.PURCHASE_ORDER: read_purchase_order,
    RecordKind.INVENTORY_EVENT: read_inventory_event,
    RecordKind.CUSTOMER: read_customer,
}
