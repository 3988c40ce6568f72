"""Typed records that cross the boundary between the order system (Extend Backend) and Fortnox Link.

Every record is a frozen dataclass built only by `validate.py` (or by hand in code that already has clean data):
money is `Decimal`, dates are `date`, timestamps are timezone-aware `datetime`, strings are trimmed and `None`
stands for "not given". The wire names (JSON keys, CSV columns) are the attribute names unless noted in
docs/extend-contract.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

SWEDISH_VAT_RATES: tuple[int, ...] = (25, 12, 6, 0)
TWO_PLACES = Decimal("0.01")


class RecordKind(StrEnum):
    """What a record is; the value is the wire name, `label` the words a shop owner reads."""

    INVOICE_BASIS = "invoice_basis"
    CUSTOMER = "customer"
    ARTICLE = "article"
    SUPPLIER = "supplier"
    PURCHASE_ORDER = "purchase_order"
    INVENTORY_EVENT = "inventory_event"
    FILE = "file"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class CustomerType(StrEnum):
    COMPANY = "company"
    PRIVATE = "private"


class VatType(StrEnum):
    """How VAT is charged to the customer; `fortnox_vat_type` is the matching Fortnox `VATType`."""

    SE = "SE"  # Swedish VAT charged
    EU = "EU"  # EU business customer with a VAT number: reverse charge
    EXPORT = "EXPORT"  # outside the EU: no Swedish VAT

    @property
    def fortnox_vat_type(self) -> str:
        return {"SE": "SEVAT", "EU": "EUREVERSEDVAT", "EXPORT": "EXPORT"}[self.value]


class ArticleKind(StrEnum):
    STOCK = "stock"  # stock goods: Fortnox StockGoods = true, Type = STOCK
    SERVICE = "service"  # Fortnox Type = SERVICE


class PurchaseOrderStatus(StrEnum):
    OPEN = "open"  # sent to the supplier, nothing received yet
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"  # everything received
    CLOSED = "closed"  # finished in the order system (may have been short-delivered)
    CANCELLED = "cancelled"


class EventType(StrEnum):
    """Stock movements. `direction`: +1 stock in, -1 stock out, 0 neither (value change or move)."""

    GOODS_RECEIPT = "goods_receipt"
    SALE = "sale"
    CUSTOMER_RETURN = "customer_return"
    RETURN_TO_SUPPLIER = "return_to_supplier"
    COUNT_GAIN = "count_gain"
    COUNT_LOSS = "count_loss"
    SCRAP = "scrap"
    INTERNAL_USE = "internal_use"
    REVALUATION = "revaluation"
    TRANSFER = "transfer"

    @property
    def direction(self) -> int:
        if self in (EventType.GOODS_RECEIPT, EventType.CUSTOMER_RETURN, EventType.COUNT_GAIN):
            return 1
        if self in (EventType.REVALUATION, EventType.TRANSFER):
            return 0
        return -1


class MatchStatus(StrEnum):
    """The outcome of matching a purchase order against the supplier invoices in Fortnox."""

    MATCHED = "matched"  # a supplier invoice agrees on articles, quantities and prices
    PRICE_DIFFERENCE = "price_difference"
    QUANTITY_DIFFERENCE = "quantity_difference"
    AMOUNT_DIFFERENCE = "amount_difference"  # totals differ but no single row explains it
    NOT_INVOICED = "not_invoiced"  # no supplier invoice refers to the order yet
    SUPPLIER_MISMATCH = "supplier_mismatch"  # an invoice names the order but comes from another supplier
    NEEDS_REVIEW = "needs_review"  # anything else a person has to look at


# -- master data ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Customer:
    source_id: str
    name: str
    customer_type: CustomerType = CustomerType.COMPANY
    organisation_number: str | None = None  # Swedish: normalized NNNNNN-NNNN; foreign: as given
    address1: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country_code: str = "SE"  # ISO 3166-1 alpha-2
    email: str | None = None
    invoice_email: str | None = None
    vat_type: VatType = VatType.SE
    vat_number: str | None = None  # required for VatType.EU
    currency: str = "SEK"
    payment_terms_days: int | None = None


@dataclass(frozen=True)
class Article:
    article_number: str
    description: str
    vat_rate: int = 25
    unit: str | None = None
    sales_price: Decimal | None = None  # excl. VAT, at most 2 decimals
    purchase_price: Decimal | None = None  # excl. VAT, at most 4 decimals
    kind: ArticleKind = ArticleKind.STOCK
    article_group: str | None = None

    @property
    def is_stock_goods(self) -> bool:
        return self.kind is ArticleKind.STOCK


@dataclass(frozen=True)
class Supplier:
    supplier_number: str
    name: str
    organisation_number: str | None = None
    currency: str = "SEK"


# -- invoicing ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceRow:
    description: str | None  # None: take the article's description
    quantity: Decimal
    unit_price: Decimal  # excl. VAT unless the basis has prices_include_vat
    vat_rate: int
    article_number: str | None = None  # None: a free-text row
    discount_percent: Decimal = Decimal(0)
    unit: str | None = None

    def net_amount(self) -> Decimal:
        """quantity x price less the discount, rounded to öre (the same price basis as `unit_price`)."""
        gross = self.quantity * self.unit_price
        return (gross * (Decimal(100) - self.discount_percent) / Decimal(100)).quantize(TWO_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class InvoiceBasis:
    source_id: str  # the order system's own id; unique and never reused (Fortnox: ExternalInvoiceReference1)
    number: str  # the number people see, e.g. "F-1042"
    customer: Customer
    invoice_date: date
    rows: tuple[InvoiceRow, ...]
    modified_at: datetime
    due_date: date | None = None  # either a due date or payment terms (or neither: the customer's terms)
    payment_terms_days: int | None = None
    currency: str = "SEK"
    your_reference: str | None = None
    our_reference: str | None = None
    your_order_number: str | None = None
    prices_include_vat: bool = False
    is_credit: bool = False  # a credit note: every row quantity is negative
    total_incl_vat: Decimal | None = None  # the order system's own total, for the check after creation

    def expected_total_incl_vat(self) -> Decimal:
        """Row sums plus VAT as the order system should have computed it (per VAT rate, rounded to öre).

        Indicative: Fortnox may round the invoice total to whole kronor (öresavrundning).
        """
        per_rate: dict[int, Decimal] = {}
        for row in self.rows:
            per_rate[row.vat_rate] = per_rate.get(row.vat_rate, Decimal(0)) + row.net_amount()
        total = Decimal(0)
        for rate, amount in per_rate.items():
            if self.prices_include_vat:
                total += amount
            else:
                total += amount + (amount * Decimal(rate) / Decimal(100)).quantize(TWO_PLACES, ROUND_HALF_UP)
        return total


# -- purchase matching -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurchaseOrderRow:
    article_number: str
    ordered_quantity: Decimal
    unit_price: Decimal  # excl. VAT, at most 4 decimals
    received_quantity: Decimal = Decimal(0)
    description: str | None = None

    def ordered_amount(self) -> Decimal:
        return (self.ordered_quantity * self.unit_price).quantize(TWO_PLACES, ROUND_HALF_UP)

    def received_amount(self) -> Decimal:
        return (self.received_quantity * self.unit_price).quantize(TWO_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class PurchaseOrder:
    order_number: str  # e.g. "PO-10023"; also the id; the supplier writes it in the invoice's reference
    supplier_number: str
    order_date: date
    rows: tuple[PurchaseOrderRow, ...]
    modified_at: datetime
    status: PurchaseOrderStatus = PurchaseOrderStatus.OPEN
    currency: str = "SEK"

    @property
    def source_id(self) -> str:
        return self.order_number

    def total_excl_vat(self, *, received: bool = False) -> Decimal:
        return sum((row.received_amount() if received else row.ordered_amount() for row in self.rows), Decimal(0))


# -- inventory ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InventoryEvent:
    event_id: str
    event_type: EventType
    event_date: date
    article_number: str
    quantity: Decimal  # always > 0; the type gives the direction
    unit_cost: Decimal  # per unit, at most 4 decimals; for revaluation the change per unit (may be negative)
    modified_at: datetime
    article_group: str | None = None
    warehouse: str | None = None
    to_warehouse: str | None = None  # transfers only
    reference: str | None = None  # e.g. the order, delivery or count it came from
    cost_centre: str | None = None
    project: str | None = None
    cancelled: bool = False  # the order system withdrew the event: reverse it if it was booked

    @property
    def source_id(self) -> str:
        return self.event_id

    def value(self) -> Decimal:
        """The signed stock value change in kronor (transfers: the value moved), rounded to öre."""
        amount = (self.quantity * self.unit_cost).quantize(TWO_PLACES, ROUND_HALF_UP)
        return -amount if self.event_type.direction < 0 else amount


# -- write-back --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceNumberWriteBack:
    basis_id: str
    invoice_number: str  # Fortnox DocumentNumber
    written_at: datetime


@dataclass(frozen=True)
class MatchStatusWriteBack:
    purchase_order_id: str
    status: MatchStatus
    detail: str
    written_at: datetime


# -- problems ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordProblem:
    """One thing wrong with one record, said so that the person who can fix it finds it.

    `row` is the 1-based row of an invoice basis or purchase order when the place is not already a file line.
    `record_date` / `record_number` are what could be read of the record, so that problems of records before a
    connection's starting point can be left out like the records themselves.
    """

    record_kind: RecordKind | str
    record_id: str | None
    field: str | None
    message: str
    file: str | None = None
    line: int | None = None
    row: int | None = None
    record_date: date | None = dataclass_field(default=None, compare=False)
    record_number: str | None = dataclass_field(default=None, compare=False)

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(f"{self.file} line {self.line}" if self.line is not None else self.file)
        kind = self.record_kind.label if isinstance(self.record_kind, RecordKind) else str(self.record_kind)
        if self.record_kind != RecordKind.FILE:
            parts.append(f"{kind} {self.record_id}" if self.record_id else f"{kind} (no id)")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f'field "{self.field}"')
        return (", ".join(parts) + ": " if parts else "") + self.message
