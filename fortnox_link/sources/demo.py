"""The `demo` source: the order system of the sandbox's demo company, Demobolaget Bygg & Järn AB.

It fits the sandbox's `demo` seed (fortnox_link/sandbox/seed.py), which it reads rather than copies: the customers,
articles and suppliers are those the seed puts in Fortnox (the order system is where they came from), and the
purchase orders are the seed's own `demo_purchase_orders(today)`, PO-10001 ... PO-10100, which the supplier
invoices in the sandbox refer to. So most purchase orders match an invoice, and the seed's deliberate cases show:
price and quantity differences, no invoice yet, no reference, a duplicate registration, an EUR order.

On top of that, the order system has what Fortnox does not have yet and what is wrong in it:

* about 150 invoice bases over the last 12 weeks: ten that the seed's Fortnox already invoiced (their
  ExternalInvoiceReference1 EB-ORDER-5001 ...: linked, never doubled), credit notes, private customers with prices
  incl. VAT, EU and export customers, six customers and three articles Fortnox lacks, one row with an article that
  is inactive in Fortnox, one basis whose own total disagrees with its rows;
* a few hundred inventory events (goods receipts of the purchase orders, sales of the invoice bases, returns,
  counts, scrap, internal use, a revaluation, transfers, two cancelled);
* deliberately bad records in every kind (`DEMO_BAD_RECORDS`), reported as problems and never handed over.

Everything is deterministic: the only inputs are `today` and fixed `random.Random` seeds; nothing reads the clock
while generating. Write-back stays in memory (`invoice_numbers`, `match_statuses`).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..sandbox import seed
from ..sandbox.company import Company
from ..sandbox.config import SandboxConfig
from .base import (
    Batch,
    Cursor,
    SourceNotFoundError,
    StartingPoint,
    StartingPoints,
    Watermark,
    advance,
    apply_starting_point,
    foreign_cursor_note,
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
from .validate import READERS, Place, luhn_ok, parse_timestamp, read_invoice_basis

Raw = dict[str, Any]
CENT = Decimal("0.01")
EUR_RATE = Decimal("11.20")  # the rate the seed uses for the EUR purchase order
MAIN_WAREHOUSE = "Huvudlager Karlstad"
SHOP_WAREHOUSE = "Butik Kristinehamn"

#: Invoice bases that the seed's Fortnox company invoiced already (ExternalInvoiceReference1).
HISTORY_PREFIX = "EB-ORDER-5"
#: New articles (not in Fortnox) and the one that is wrong in the order system.
DEMO_NEW_ARTICLES: tuple[tuple[str, str, str, str, str, int], ...] = (
    ("2001", "Bygglim PU D4 750 ml", "st", "189.00", "92.50", 25),
    ("2002", "Skyddsglasögon klara", "st", "79.00", "31.20", 25),
    ("2003", "Tätningslist EPDM 10 m", "rle", "149.00", "68.75", 25),
)
DEMO_BAD_ARTICLE = "2099"
DEMO_TOTAL_MISMATCH_BASIS = "EB-ORDER-7020"
DEMO_INACTIVE_ARTICLE_BASIS = "EB-ORDER-7044"
DEMO_CREDIT_BASES = ("EB-ORDER-7030", "EB-ORDER-7070", "EB-ORDER-7110")

#: Every deliberately wrong record: (kind, record id, field the problem names).
DEMO_BAD_RECORDS: tuple[tuple[RecordKind, str, str], ...] = (
    (RecordKind.INVOICE_BASIS, "EB-ORDER-7012", "vat_rate"),
    (RecordKind.INVOICE_BASIS, "EB-ORDER-7025", "customer.name"),
    (RecordKind.INVOICE_BASIS, "EB-ORDER-7038", "quantity"),
    (RecordKind.INVOICE_BASIS, "EB-ORDER-7051", "invoice_date"),
    (RecordKind.INVOICE_BASIS, "EB-ORDER-7064", "unit_price"),
    (RecordKind.INVOICE_BASIS, "EB-ORDER-7077", "customer.organisation_number"),
    (RecordKind.INVOICE_BASIS, "EB-ORDER-7090", "due_date"),
    (RecordKind.INVOICE_BASIS, "EB-ORDER-7103", "currency"),
    (RecordKind.INVOICE_BASIS, "EB-ORDER-7116", "rows"),
    (RecordKind.PURCHASE_ORDER, "PO-10101", "ordered_quantity"),
    (RecordKind.PURCHASE_ORDER, "PO-10102", "supplier_number"),
    (RecordKind.PURCHASE_ORDER, "PO-10103", "unit_price"),
    (RecordKind.ARTICLE, DEMO_BAD_ARTICLE, "vat_rate"),
    (RecordKind.SUPPLIER, "99", "name"),
    (RecordKind.INVENTORY_EVENT, "LH-900001", "type"),
    (RecordKind.INVENTORY_EVENT, "LH-900002", "quantity"),
    (RecordKind.INVENTORY_EVENT, "LH-900003", "to_warehouse"),
    (RecordKind.INVENTORY_EVENT, "LH-900004", "unit_cost"),
    (RecordKind.INVENTORY_EVENT, "LH-900005", "article_number"),
    (RecordKind.INVENTORY_EVENT, "LH-900006", "date"),
)

# Customers the order system has and Fortnox does not (yet): name, org number (without check digit), city, kind.
_NEW_CUSTOMERS: tuple[tuple[str, str, str, str], ...] = (
    ("Älvdalens Stugbyggare AB", "556812-345", "Älvdalen", "C"),
    ("Tranås Fönsterrenovering HB", "969701-234", "Tranås", "C"),
    ("Brf Björkhagen 3", "769634-120", "Karlstad", "C"),
    ("Åsa Lövgren", "", "Kristinehamn", "P"),
    ("Örjan Bäckström", "", "Arvika", "P"),
    ("Sjöbergs Måleri i Säffle AB", "559287-456", "Säffle", "C"),
)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _stamp(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _with_check_digit(nine: str) -> str:
    digits = nine.replace("-", "")
    for check in range(10):
        if luhn_ok(digits + str(check)):
            return f"{digits[:6]}-{digits[6:]}{check}"
    raise AssertionError("unreachable")  # pragma: no cover


def _group(description: str, kind: str) -> str:
    text = description.lower()
    groups = (
        ("Tjänster", ("timpris", "transport")),
        ("Infästning", ("skruv", "spik", "gångjärn")),
        ("Virke", ("virke", "trall", "råspont", "läkt")),
        ("Skivor", ("skiva", "gips", "plywood")),
        ("Isolering", ("mineralull", "cellplast", "spärr", "vindskydd")),
        ("Tak och plåt", ("takpapp", "takpanna", "ränna", "stuprör")),
        ("Färg", ("färg", "olja")),
        ("Våtrum", ("fog", "kakel", "tätskikt", "golvbrunn")),
        ("VVS", ("rör",)),
        ("El", ("kabel", "uttag", "strömbrytare", "armatur")),
        ("Mark och betong", ("betong", "murbruk", "leca", "armering", "sten", "bärlager")),
        ("Verktyg", ("skruvdragare", "såg", "vattenpass", "handskar", "hörselskydd", "glasögon")),
    )
    if kind == "SERVICE":
        return "Tjänster"
    for name, words in groups:
        if any(word in text for word in words):
            return name
    return "Övrigt"


@dataclass(frozen=True)
class _Catalogue:
    """The demo company as the sandbox seed makes it, read from a seeded sandbox company."""

    customers: list[Raw]  # order-system customers (wire shape), existing ones first
    articles: list[Raw]
    suppliers: list[Raw]
    history: list[Raw]  # invoice bases already invoiced in the seed's Fortnox
    purchase_orders: list[seed.PurchaseOrder]


def _seeded_company(today: date) -> Company:
    moment = datetime.combine(today, time(12)).timestamp()
    company = Company(clock=lambda: moment)
    seed.seed_demo(company, SandboxConfig(clock=lambda: moment, rate_limit=None))
    return company


def _catalogue(today: date) -> _Catalogue:
    company = _seeded_company(today)
    customers: list[Raw] = []
    for number, c in sorted(company.customers.items(), key=lambda item: int(item[0])):
        vat_type = {"SEVAT": "SE", "EUREVERSEDVAT": "EU", "EXPORT": "EXPORT"}.get(str(c.get("VATType")), "SE")
        customers.append(
            {
                "id": f"C{10000 + int(number)}",
                "name": c["Name"],
                "type": "private" if c.get("Type") == "PRIVATE" else "company",
                "organisation_number": c.get("OrganisationNumber") or "",
                "address1": c.get("Address1") or "",
                "zip_code": c.get("ZipCode") or "",
                "city": c.get("City") or "",
                "country_code": c.get("CountryCode") or "SE",
                "email": c.get("Email") or "",
                "invoice_email": c.get("EmailInvoice") or "",
                "vat_type": vat_type,
                "vat_number": c.get("VATNumber") or "",
                "currency": c.get("Currency") or "SEK",
                "payment_terms_days": str(c.get("TermsOfPayment") or "30"),
            }
        )
    for index, (name, org, city, kind) in enumerate(_NEW_CUSTOMERS, start=1):
        customers.append(
            {
                "id": f"C{20000 + index}",
                "name": name,
                "type": "private" if kind == "P" else "company",
                "organisation_number": _with_check_digit(org) if org else "",
                "address1": f"Storgatan {index * 3}",
                "zip_code": f"6{index}1 0{index}",
                "city": city,
                "country_code": "SE",
                "email": f"kund{index}@exempel.se",
                "vat_type": "SE",
                "currency": "SEK",
                "payment_terms_days": "30" if kind == "C" else "10",
            }
        )

    articles: list[Raw] = []
    for number, a in sorted(company.articles.items()):
        kind = str(a.get("Type") or "STOCK")
        articles.append(
            {
                "article_number": number,
                "description": a["Description"],
                "unit": a.get("Unit") or "",
                "vat_rate": int(a.get("VAT") or 25),
                "sales_price": a.get("SalesPrice"),
                "purchase_price": a.get("PurchasePrice"),
                "kind": "service" if kind == "SERVICE" else "stock",
                "article_group": _group(a["Description"], kind),
            }
        )
    for number, description, unit, sales, purchase, vat in DEMO_NEW_ARTICLES:
        articles.append(
            {
                "article_number": number,
                "description": description,
                "unit": unit,
                "vat_rate": vat,
                "sales_price": Decimal(sales),
                "purchase_price": Decimal(purchase),
                "kind": "stock",
                "article_group": _group(description, "STOCK"),
            }
        )

    suppliers = [
        {
            "supplier_number": number,
            "name": s["Name"],
            "organisation_number": s.get("OrganisationNumber") or "",
            "currency": s.get("Currency") or "SEK",
        }
        for number, s in sorted(company.suppliers.items(), key=lambda item: int(item[0]))
    ]

    by_customer = {c["id"]: c for c in customers}
    history: list[Raw] = []
    for invoice in company.invoices.values():
        reference = str(invoice.get("ExternalInvoiceReference1") or "")
        if not reference.startswith(HISTORY_PREFIX) or invoice.get("Cancelled"):
            continue
        customer = by_customer[f"C{10000 + int(invoice['CustomerNumber'])}"]
        day = date.fromisoformat(invoice["InvoiceDate"])
        history.append(
            {
                "id": reference,
                "number": "FU-" + reference.removeprefix("EB-ORDER-"),
                "invoice_date": day.isoformat(),
                "due_date": invoice.get("DueDate") or "",
                "currency": invoice.get("Currency") or "SEK",
                "your_order_number": invoice.get("YourOrderNumber") or "",
                "our_reference": "Birgitta Järnström",
                "modified_at": _stamp(day, 9),
                "customer": dict(customer),
                "rows": [
                    {
                        "article_number": row["ArticleNumber"],
                        "description": row.get("Description") or "",
                        "quantity": str(row["DeliveredQuantity"]),
                        "unit_price": row["Price"],
                        "vat_rate": int(row.get("VAT") or 25),
                        "discount_percent": row.get("Discount") or Decimal(0),
                        "unit": row.get("Unit") or "",
                    }
                    for row in invoice.get("InvoiceRows", [])
                    if row.get("ArticleNumber")
                ],
            }
        )
        history[-1]["total_incl_vat"] = _total(history[-1])
    return _Catalogue(customers, articles, suppliers, history, seed.demo_purchase_orders(today))


# -- generation -------------------------------------------------------------------------------------------------


def _total(raw: Raw) -> Decimal:
    checked = read_invoice_basis(raw)
    assert checked.record is not None, checked.problems
    return checked.record.expected_total_incl_vat()


def _invoice_bases(today: date, cat: _Catalogue) -> list[Raw]:
    rng = random.Random(7411)
    articles = {a["article_number"]: a for a in cat.articles}
    sellable = [
        n for n, a in articles.items() if n != seed.DEMO_INACTIVE_ARTICLE and not n.startswith("20") and n != "1056"
    ]
    existing = [c for c in cat.customers if c["id"].startswith("C1")]
    new = [c for c in cat.customers if c["id"].startswith("C2")]
    bases: list[Raw] = []
    for i in range(140):
        number = 7001 + i
        basis_id = f"EB-ORDER-{number}"
        day = today - timedelta(days=84 - i * 84 // 140)
        customer = new[(i // 20) % len(new)] if i % 20 == 7 else existing[rng.randrange(len(existing))]
        private = customer["type"] == "private"
        rows: list[Raw] = []
        for _ in range(rng.choice((1, 1, 2, 2, 2, 3))):
            article = articles[rng.choice(sellable)]
            quantity = Decimal(rng.randint(1, 24))
            if article["unit"] == "m" and rng.random() < 0.3:
                quantity += Decimal("0.5")
            price = article["sales_price"]
            if private:
                price = _money(price * (100 + article["vat_rate"]) / 100)
            row: Raw = {
                "article_number": article["article_number"],
                "description": article["description"],
                "quantity": quantity,
                "unit_price": price,
                "vat_rate": article["vat_rate"],
                "unit": article["unit"],
            }
            if rng.random() < 0.12:
                row["discount_percent"] = rng.choice((Decimal(5), Decimal(10)))
            rows.append(row)
        if i % 17 == 4:
            rows.append(
                {
                    "article_number": "1056",
                    "description": "Montage, timpris",
                    "quantity": Decimal(rng.randint(2, 8)),
                    "unit_price": _money(Decimal(595) * Decimal("1.25")) if private else Decimal("595.00"),
                    "vat_rate": 25,
                    "unit": "h",
                }
            )
        if i in (15, 60, 105):
            new_article = articles[DEMO_NEW_ARTICLES[(i // 45) % 3][0]]
            rows.append(
                {
                    "article_number": new_article["article_number"],
                    "description": new_article["description"],
                    "quantity": Decimal(3),
                    "unit_price": new_article["sales_price"],
                    "vat_rate": 25,
                }
            )
        if i == 80:
            rows.append({"article_number": DEMO_BAD_ARTICLE, "description": "Specialbeställd dörrstopp",
                         "quantity": Decimal(2), "unit_price": Decimal("59.00"), "vat_rate": 25})  # fmt: skip
        raw: Raw = {
            "id": basis_id,
            "number": f"FU-{number}",
            "invoice_date": day.isoformat(),
            "payment_terms_days": customer.get("payment_terms_days") or "30",
            "currency": customer.get("currency") or "SEK",
            "your_reference": "" if private else rng.choice(("Inköp", "Projektledare", "Lars på plats", "")),
            "our_reference": rng.choice(("Birgitta Järnström", "Olle Ståhl", "Märit Öst")),
            "your_order_number": f"KO-{3000 + i}" if not private and rng.random() < 0.6 else "",
            "prices_include_vat": private,
            "modified_at": _stamp(day, 8 + i % 9, (i * 7) % 60),
            "customer": dict(customer),
            "rows": rows,
        }
        if basis_id == DEMO_INACTIVE_ARTICLE_BASIS:
            article = articles[seed.DEMO_INACTIVE_ARTICLE]
            rows[0] = {"article_number": article["article_number"], "description": article["description"],
                       "quantity": Decimal(10), "unit_price": article["sales_price"], "vat_rate": 25}  # fmt: skip
        if basis_id in DEMO_CREDIT_BASES:
            raw["is_credit"] = True
            raw["rows"] = [dict(r, quantity=-r["quantity"]) for r in rows[:1]]
            raw["your_reference"] = "Retur"
        raw["total_incl_vat"] = _total(raw)
        if basis_id == DEMO_TOTAL_MISMATCH_BASIS:
            raw["total_incl_vat"] += Decimal("100.00")
        bases.append(raw)
    return [*cat.history, *_break_invoice_bases(bases, today)]


def _break_invoice_bases(bases: list[Raw], today: date) -> list[Raw]:
    by_id = {b["id"]: b for b in bases}

    def edit(basis_id: str, change: Callable[[Raw], None]) -> None:
        change(by_id[basis_id])
        by_id[basis_id].pop("total_incl_vat", None)

    edit("EB-ORDER-7012", lambda b: b["rows"][0].update(vat_rate=30))
    edit("EB-ORDER-7025", lambda b: b.update(customer=dict(b["customer"], name="")))
    edit("EB-ORDER-7038", lambda b: b["rows"][0].update(quantity=-b["rows"][0]["quantity"]))
    edit("EB-ORDER-7051", lambda b: b.update(invoice_date=f"{today.year}-02-30"))
    edit("EB-ORDER-7064", lambda b: b["rows"][0].update(unit_price="1,234.50"))
    edit("EB-ORDER-7077", lambda b: b.update(customer=dict(b["customer"], type="company",
                                                           organisation_number="556677-8890")))  # fmt: skip
    edit("EB-ORDER-7090", lambda b: b.update(due_date=(date.fromisoformat(b["invoice_date"]) - timedelta(days=3))
                                             .isoformat()))  # fmt: skip
    edit("EB-ORDER-7103", lambda b: b.update(currency="KRONOR"))
    edit("EB-ORDER-7116", lambda b: b.update(rows=[]))
    return bases


def _purchase_orders(today: date, cat: _Catalogue) -> list[Raw]:
    orders: list[Raw] = []
    for po in cat.purchase_orders:
        n = int(po.number.removeprefix("PO-"))
        received_day = min(po.order_date + timedelta(days=5), today)
        rows = []
        for index, line in enumerate(po.lines):
            if n <= 10090:
                received = line.quantity
            elif n <= 10094:
                received = line.quantity // 2 if index == 0 else 0
            else:
                received = 0
            rows.append(
                {
                    "article_number": line.article_number,
                    "description": line.description,
                    "ordered_quantity": line.quantity,
                    "received_quantity": received,
                    "unit_price": line.unit_price,
                }
            )
        status = "received" if n <= 10090 else ("partly_received" if n <= 10094 else "open")
        orders.append(
            {
                "order_number": po.number,
                "supplier_number": po.supplier_number,
                "order_date": po.order_date.isoformat(),
                "currency": po.currency,
                "status": status,
                "modified_at": _stamp(received_day if status != "open" else po.order_date, 10, n % 60),
                "rows": rows,
            }
        )
    last = cat.purchase_orders[-1]
    template = {"order_date": last.order_date.isoformat(), "currency": "SEK", "status": "open",
                "modified_at": _stamp(last.order_date, 11)}  # fmt: skip
    row = {"article_number": "1001", "description": "Träskruv", "ordered_quantity": 10, "unit_price": "62,00"}
    orders += [
        dict(template, order_number="PO-10101", supplier_number="1", rows=[dict(row, ordered_quantity=-10)]),
        dict(template, order_number="PO-10102", supplier_number="", rows=[row]),
        dict(template, order_number="PO-10103", supplier_number="2", rows=[dict(row, unit_price="62,123456")]),
    ]
    return orders


def _inventory_events(today: date, cat: _Catalogue, bases: list[Raw], orders: list[Raw]) -> list[Raw]:
    rng = random.Random(9157)
    articles = {a["article_number"]: a for a in cat.articles}
    stock = [n for n, a in articles.items() if a["kind"] == "stock" and n in articles and not n.startswith("20")]
    events: list[tuple[date, int, Raw]] = []

    def add(day: date, kind: str, article: str, quantity: Decimal, unit_cost: Decimal, **extra: Any) -> None:
        raw: Raw = {
            "type": kind,
            "date": day.isoformat(),
            "article_number": article,
            "article_group": articles[article]["article_group"],
            "quantity": quantity,
            "unit_cost": unit_cost,
            "warehouse": extra.pop("warehouse", MAIN_WAREHOUSE),
        }
        raw.update(extra)
        events.append((day, len(events), raw))

    for po in orders:
        if po["order_number"] > "PO-10100" or po["status"] == "open":
            continue
        day = date.fromisoformat(po["modified_at"][:10])
        for row in po["rows"]:
            if row["received_quantity"]:
                cost = row["unit_price"] * (EUR_RATE if po["currency"] == "EUR" else 1)
                add(day, "goods_receipt", row["article_number"], Decimal(row["received_quantity"]),
                    cost.quantize(Decimal("0.0001")), reference=po["order_number"])  # fmt: skip
    for basis in bases:
        if "total_incl_vat" not in basis or basis["id"].startswith(HISTORY_PREFIX):
            continue  # the bad ones never became sales; the history is before the events start
        day = date.fromisoformat(basis["invoice_date"])
        private = basis["customer"]["type"] == "private"
        for row in basis["rows"]:
            article = articles.get(row["article_number"])
            if article is None or article["kind"] != "stock" or row["article_number"] == DEMO_BAD_ARTICLE:
                continue
            kind = "customer_return" if basis.get("is_credit") else "sale"
            add(day, kind, row["article_number"], abs(Decimal(row["quantity"])), article["purchase_price"],
                reference=basis["number"], warehouse=SHOP_WAREHOUSE if private else MAIN_WAREHOUSE)  # fmt: skip

    start = today - timedelta(days=120)
    for k in range(4):  # a stock count at the end of each of the last months
        count_day = (today.replace(day=1) - timedelta(days=1 + 30 * k)).replace(day=28)
        if count_day < start:
            continue
        for article in rng.sample(stock, 4):
            kind = rng.choice(("count_gain", "count_loss", "count_loss"))
            add(count_day, kind, article, Decimal(rng.randint(1, 3)), articles[article]["purchase_price"],
                reference=f"Inventering {count_day:%Y-%m}")  # fmt: skip
    for k in range(4):
        article = rng.choice(stock)
        add(start + timedelta(days=17 + 25 * k), "scrap", article, Decimal(rng.randint(1, 2)),
            articles[article]["purchase_price"], reference="Skadat vid leverans")  # fmt: skip
    for k in range(3):
        article = rng.choice(stock)
        add(start + timedelta(days=30 + 27 * k), "internal_use", article, Decimal(1),
            articles[article]["purchase_price"], reference="Eget bruk i verkstaden")  # fmt: skip
    for k, po_number in enumerate(("PO-10012", "PO-10033", "PO-10061")):
        po = next(o for o in orders if o["order_number"] == po_number)
        row = po["rows"][0]
        add(date.fromisoformat(po["modified_at"][:10]) + timedelta(days=3), "return_to_supplier",
            row["article_number"], Decimal(1 + k), Decimal(row["unit_price"]), reference=po_number)  # fmt: skip
    for k in range(8):
        article = rng.choice(stock)
        add(
            start + timedelta(days=12 + 13 * k),
            "transfer",
            article,
            Decimal(rng.randint(2, 10)),
            articles[article]["purchase_price"],
            to_warehouse=SHOP_WAREHOUSE,
            reference=f"Påfyllning butik {k + 1}",
        )
    old = seed.DEMO_INACTIVE_ARTICLE
    add(today - timedelta(days=20), "revaluation", old, Decimal(40), Decimal("-15.5000"),
        reference="Nedskrivning utgående sortiment")  # fmt: skip
    add(today - timedelta(days=50), "revaluation", "1021", Decimal(300), Decimal("-0.4000"),
        reference="Nytt inköpspris betongtakpanna")  # fmt: skip

    events.sort(key=lambda item: (item[0], item[1]))
    result: list[Raw] = []
    for number, (day, _, raw) in enumerate(events, start=100001):
        raw = {"id": f"LH-{number}", **raw, "modified_at": _stamp(day, 17, number % 60)}
        result.append(raw)
    for index in (len(result) // 3, 2 * len(result) // 3):  # withdrawn in the order system afterwards
        if result[index]["type"] in ("sale", "goods_receipt"):
            index += 1
        result[index]["cancelled"] = True
        result[index]["modified_at"] = _stamp(min(date.fromisoformat(result[index]["date"]) + timedelta(days=2),
                                                  today), 18)  # fmt: skip
    day = today - timedelta(days=3)
    bad = {"date": day.isoformat(), "article_number": "1001", "quantity": Decimal(5), "unit_cost": Decimal("62.00"),
           "warehouse": MAIN_WAREHOUSE, "modified_at": _stamp(day, 19)}  # fmt: skip
    result += [
        dict(bad, id="LH-900001", type="shrinkage"),
        dict(bad, id="LH-900002", type="sale", quantity=Decimal(-5)),
        dict(bad, id="LH-900003", type="transfer"),
        dict(bad, id="LH-900004", type="scrap", unit_cost="61,123456"),
        dict(bad, id="LH-900005", type="sale", article_number=""),
        dict(bad, id="LH-900006", type="sale", date=f"{today.year}-13-01"),
    ]
    return result


@dataclass(frozen=True)
class DemoData:
    """The demo order system's records in the contract's JSON shape (what the emulator serves)."""

    invoice_bases: list[Raw]
    purchase_orders: list[Raw]
    inventory_events: list[Raw]
    articles: list[Raw]
    suppliers: list[Raw]

    def of(self, kind: RecordKind) -> list[Raw]:
        return {
            RecordKind.INVOICE_BASIS: self.invoice_bases,
            RecordKind.PURCHASE_ORDER: self.purchase_orders,
            RecordKind.INVENTORY_EVENT: self.inventory_events,
            RecordKind.ARTICLE: self.articles,
            RecordKind.SUPPLIER: self.suppliers,
        }[kind]


def generate(today: date) -> DemoData:
    cat = _catalogue(today)
    bases = _invoice_bases(today, cat)
    orders = _purchase_orders(today, cat)
    events = _inventory_events(today, cat, bases, orders)
    articles = [
        *cat.articles,
        {
            "article_number": DEMO_BAD_ARTICLE,
            "description": "Dörrstopp, specialbeställd",
            "vat_rate": 30,
            "sales_price": Decimal("59.00"),
            "kind": "stock",
        },
    ]
    suppliers = [*cat.suppliers, {"supplier_number": "99", "name": "", "currency": "SEK"}]
    return DemoData(bases, orders, events, articles, suppliers)


# -- the source --------------------------------------------------------------------------------------------------

_ID_FIELD = {
    RecordKind.INVOICE_BASIS: "id",
    RecordKind.PURCHASE_ORDER: "order_number",
    RecordKind.INVENTORY_EVENT: "id",
    RecordKind.ARTICLE: "article_number",
    RecordKind.SUPPLIER: "supplier_number",
}


class DemoSource:
    """The built-in sample order system (see the module docstring)."""

    name = "demo"

    def __init__(
        self,
        today: date | None = None,
        *,
        starting_points: StartingPoints | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.today = today or date.today()
        self.starting_points = starting_points or StartingPoints()
        self._now = now or (lambda: datetime.now(UTC))
        self.data = generate(self.today)
        self.written_invoice_numbers: list[InvoiceNumberWriteBack] = []
        self.written_match_statuses: list[MatchStatusWriteBack] = []

    # -- for the emulator, tests and the UI -------------------------------------------------------------------------

    def raw_records(self, kind: RecordKind) -> list[dict[str, Any]]:
        return copy.deepcopy(self.data.of(kind))

    @property
    def invoice_numbers(self) -> dict[str, str]:
        """basis id -> the Fortnox invoice number written back last."""
        return {w.basis_id: w.invoice_number for w in self.written_invoice_numbers}

    @property
    def match_statuses(self) -> dict[str, tuple[MatchStatus, str]]:
        """purchase order -> (status, detail) written back last."""
        return {w.purchase_order_id: (w.status, w.detail) for w in self.written_match_statuses}

    # -- OrderSource ------------------------------------------------------------------------------------------------

    def test_connection(self) -> str:
        return (
            f"Demo order system for Demobolaget Bygg & Järn AB: {len(self.data.invoice_bases)} invoice bases, "
            f"{len(self.data.purchase_orders)} purchase orders, {len(self.data.inventory_events)} inventory events"
        )

    def invoice_bases(self, since: Cursor | None = None) -> Batch[InvoiceBasis]:
        return self._changes(RecordKind.INVOICE_BASIS, since, self.starting_points.invoicing)

    def purchase_orders(self, since: Cursor | None = None) -> Batch[PurchaseOrder]:
        return self._changes(RecordKind.PURCHASE_ORDER, since, self.starting_points.purchase_matching)

    def inventory_events(self, since: Cursor | None = None) -> Batch[InventoryEvent]:
        return self._changes(RecordKind.INVENTORY_EVENT, since, self.starting_points.inventory)

    def articles(self, numbers: Iterable[str]) -> Batch[Article]:
        wanted = list(dict.fromkeys(n.strip() for n in numbers))
        raws = [r for r in self.data.articles if r["article_number"] in wanted]
        records, problems = gather(READERS[RecordKind.ARTICLE](r, Place()) for r in raws)
        known = {r["article_number"] for r in raws}
        missing = tuple(
            RecordProblem(RecordKind.ARTICLE, n, "article_number", "is not known to the order system")
            for n in wanted
            if n not in known
        )
        return Batch(records=records, problems=problems + missing)

    def suppliers(self) -> Batch[Supplier]:
        records, problems = gather(READERS[RecordKind.SUPPLIER](r, Place()) for r in self.data.suppliers)
        return Batch(records=records, problems=problems)

    def write_invoice_number(self, basis_id: str, fortnox_document_number: str) -> None:
        if not any(b["id"] == basis_id for b in self.data.invoice_bases):
            raise SourceNotFoundError(f"the demo order system has no invoice basis {basis_id}")
        self.written_invoice_numbers.append(InvoiceNumberWriteBack(basis_id, fortnox_document_number, self._now()))

    def write_match_status(self, purchase_order_id: str, status: MatchStatus, detail: str = "") -> None:
        if not any(o["order_number"] == purchase_order_id for o in self.data.purchase_orders):
            raise SourceNotFoundError(f"the demo order system has no purchase order {purchase_order_id}")
        self.written_match_statuses.append(
            MatchStatusWriteBack(purchase_order_id, MatchStatus(status), detail, self._now())
        )

    def close(self) -> None:
        pass

    def _changes(self, kind: RecordKind, since: Cursor | None, start: StartingPoint | None) -> Batch[Any]:
        mark = Watermark.decode(since, self.name)
        id_field = _ID_FIELD[kind]
        fresh: list[tuple[datetime, str, Raw]] = []
        for raw in self.data.of(kind):
            moment, record_id = parse_timestamp(raw["modified_at"]), str(raw.get(id_field) or "")
            if mark is None or mark.precedes(moment, record_id):
                fresh.append((moment, record_id, raw))
        fresh.sort(key=lambda item: (item[0], item[1]))
        records, problems = gather(READERS[kind](raw, Place()) for _, _, raw in fresh)
        cursor = advance(since, [(moment, record_id) for moment, record_id, _ in fresh], self.name)
        notes = foreign_cursor_note(since, self.name)
        return apply_starting_point(Batch(records=records, problems=problems, cursor=cursor, notes=notes), start)
