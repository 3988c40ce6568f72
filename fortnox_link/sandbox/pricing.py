"""Invoice and order arithmetic the way Fortnox does it for Swedish kronor, in Decimal throughout.

Per row (quantity `q`, price `p`, discount `d`):

* amount = q x p x (1 - d/100) for `DiscountType` PERCENT (the default), or q x p - d for AMOUNT; rounded to öre;
* without `VATIncluded` the amount is the row's net; with `VATIncluded` the price includes VAT and the row's net
  is amount x 100 / (100 + VAT%), rounded to öre (the VAT is the remainder, so net + VAT = amount exactly).

Per document:

* `Net` = sum of row nets; VAT is computed per VAT rate on the sum of that rate's nets and rounded to öre
  (so the booking has one exact amount per VAT account); `TotalVAT` = sum of those, plus the VAT on freight and
  administration fee (both carry 25 %);
* `Gross` = Net + Freight + AdministrationFee + TotalVAT;
* for SEK, `Total` = Gross rounded to whole kronor (ROUND_HALF_UP, so -10.50 becomes -11) and
  `RoundOff` = Total - Gross; other currencies are not rounded (`RoundOff` 0).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .fields import decimal_of, money

HUNDRED = Decimal(100)
FREIGHT_VAT_RATE = 25
VAT_RATES = (25, 12, 6, 0)


@dataclass
class DocumentTotals:
    net: Decimal = Decimal("0.00")
    total_vat: Decimal = Decimal("0.00")
    gross: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")
    round_off: Decimal = Decimal("0.00")
    freight: Decimal = Decimal("0.00")
    freight_vat: Decimal = Decimal("0.00")
    administration_fee: Decimal = Decimal("0.00")
    administration_fee_vat: Decimal = Decimal("0.00")
    #: Net amount per sales account (for the booking).
    net_by_account: dict[int, Decimal] = field(default_factory=dict)
    #: VAT per rate (25, 12, 6), freight and fee VAT included in 25.
    vat_by_rate: dict[int, Decimal] = field(default_factory=dict)


def round_kronor(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))


def row_amounts(
    row: MutableMapping[str, Any], *, vat_included: bool, quantity_key: str = "DeliveredQuantity"
) -> tuple[Decimal, Decimal]:
    """Fill the row's computed fields and return (net, amount incl. VAT if `vat_included` else net)."""
    quantity = decimal_of(row.get(quantity_key))
    price = decimal_of(row.get("Price"))
    discount = decimal_of(row.get("Discount"))
    vat = int(row.get("VAT") or 0)
    gross = quantity * price
    if row.get("DiscountType", "PERCENT") == "AMOUNT":
        amount = money(gross - discount)
    else:
        amount = money(gross * (HUNDRED - discount) / HUNDRED)
    if vat_included:
        net = money(amount * HUNDRED / (HUNDRED + vat))
        row["PriceExcludingVAT"] = money(price * HUNDRED / (HUNDRED + vat))
    else:
        net = amount
        row["PriceExcludingVAT"] = money(price)
    row["Total"] = amount
    row["TotalExcludingVAT"] = net
    return net, amount


def compute_totals(
    rows: list[MutableMapping[str, Any]],
    *,
    vat_included: bool,
    currency: str,
    freight: Decimal = Decimal(0),
    administration_fee: Decimal = Decimal(0),
    quantity_key: str = "DeliveredQuantity",
) -> DocumentTotals:
    """Compute the document totals; rows must already carry their resolved `VAT` and `AccountNumber`."""
    nets_by_rate: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    incl_by_rate: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    by_account: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for row in rows:
        net, amount = row_amounts(row, vat_included=vat_included, quantity_key=quantity_key)
        rate = int(row.get("VAT") or 0)
        nets_by_rate[rate] += net
        incl_by_rate[rate] += amount
        account = row.get("AccountNumber")
        if account is not None and net:
            by_account[int(account)] += net
    vat_by_rate: dict[int, Decimal] = {}
    for rate, net_sum in nets_by_rate.items():
        if rate == 0:
            continue
        vat = incl_by_rate[rate] - net_sum if vat_included else money(net_sum * rate / HUNDRED)
        if vat:
            vat_by_rate[rate] = vat
    totals = DocumentTotals()
    totals.freight = money(freight)
    totals.administration_fee = money(administration_fee)
    totals.freight_vat = money(totals.freight * FREIGHT_VAT_RATE / HUNDRED)
    totals.administration_fee_vat = money(totals.administration_fee * FREIGHT_VAT_RATE / HUNDRED)
    extra_vat = totals.freight_vat + totals.administration_fee_vat
    if extra_vat:
        vat_by_rate[FREIGHT_VAT_RATE] = vat_by_rate.get(FREIGHT_VAT_RATE, Decimal("0.00")) + extra_vat
    totals.net = money(sum(nets_by_rate.values(), Decimal(0)))
    totals.total_vat = money(sum(vat_by_rate.values(), Decimal(0)))
    totals.gross = totals.net + totals.freight + totals.administration_fee + totals.total_vat
    if currency.upper() == "SEK":
        totals.total = round_kronor(totals.gross)
    else:
        totals.total = totals.gross
    totals.round_off = totals.total - totals.gross
    totals.net_by_account = dict(by_account)
    totals.vat_by_rate = vat_by_rate
    return totals


def apply_totals(document: MutableMapping[str, Any], totals: DocumentTotals) -> None:
    document["Net"] = totals.net
    document["TotalVAT"] = totals.total_vat
    document["Gross"] = totals.gross
    document["Total"] = totals.total
    document["RoundOff"] = totals.round_off
    document["TotalToPay"] = totals.total
    document["Freight"] = totals.freight
    document["FreightVAT"] = totals.freight_vat
    document["AdministrationFee"] = totals.administration_fee
    document["AdministrationFeeVAT"] = totals.administration_fee_vat


def luhn_check_digit(digits: str) -> int:
    """The Luhn (modulus 10) check digit for `digits`, as used by OCR numbers and organisation numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10


def ocr_for(document_number: str) -> str:
    digits = "".join(ch for ch in document_number if ch.isdigit()) or "0"
    return digits + str(luhn_check_digit(digits))


def quantity_text(value: Any) -> str:
    """Quantities travel as strings on invoice rows; keep two decimals like Fortnox ("2.00")."""
    return format(money(decimal_of(value)), "f")


def sum_amounts(values: Mapping[Any, Decimal]) -> Decimal:
    return money(sum(values.values(), Decimal(0)))
