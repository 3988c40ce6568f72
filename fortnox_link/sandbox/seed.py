"""The sandbox's companies: `empty` and `demo`.

Everything is deterministic: the only inputs are the sandbox clock's date ("today") and `random.Random(2026)`.
Dates are placed relative to today, so the demo always has a previous and a current financial year and never the
next one (a voucher dated next year is refused: the "missing financial year" case can always be demonstrated).

Demo purchase orders
--------------------
The demo company buys from its suppliers with purchase orders PO-10001 ... PO-10100 (`demo_purchase_orders`).
They belong to the order system (Extend Backend), not to Fortnox: the demo order-system source reuses
`demo_purchase_orders(today)` so both sides agree. PO number n (10001..10100), index i = n - 10001:

* supplier: `DEMO_PO_SUPPLIERS[i % 10]` (goods suppliers 1..10), except PO-10050 which is bought in EUR from
  supplier 14 (Hammerwerk GmbH);
* order date: today - 140 days + (i * 140 // 100) days; 1-4 lines of that supplier's articles, integer quantities
  and the article's purchase price (from `random.Random(2026)`, drawn in PO order).

Supplier invoices in Fortnox for them (about 80, GivenNumber assigned in this order):

* PO-10001 ... PO-10075 are invoiced (one invoice each, invoice date = order date + 7 days, the supplier's
  invoice number `F{n}`); PO-10076 ... PO-10100 are still open (no invoice yet);
* the reference is written where a person would write it, by `i % 6`: 0 YourReference "PO-10001",
  1 OurReference "po 10002", 2 ExternalInvoiceNumber "IO10003" (typo), 3 Comments "Avser er beställning PO10004,
  levererad", 4 YourReference "Best.nr PO-10005 / Anna", 5 ExternalInvoiceNumber "PO 10006";
* exact match except: price differences `DEMO_PRICE_DIFFERENCE_POS` (first line priced 5 % higher), quantity
  differences `DEMO_QUANTITY_DIFFERENCE_POS` (first line short-delivered by a fifth, at least 1), no reference at
  all `DEMO_NO_REFERENCE_POS`;
* PO-10028 is invoiced twice (same supplier invoice number F10028: a duplicate registration);
* PO-10040 has an extra, cancelled invoice (wrong amount, makulerad) besides its correct one;
* PO-10050 is in EUR (supplier 14);
* one invoice refers to PO-10999, which does not exist;
* three cost invoices carry no purchase order at all (rent, electricity, freight).

Invoices dated more than 45 days back are booked (series D); more than 75 days back are also paid (Balance 0).
"""

from __future__ import annotations

import csv
import functools
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

from .company import Account, Company, CompanyProfile
from .config import SandboxConfig
from .fields import money

SEEDS = ("demo", "empty")

BAS_FILE = "bas-kontoplan-2025.csv"

#: Accounts a Fortnox company typically has on top of BAS (Fortnox's own defaults and common sub-accounts).
COMPANY_ACCOUNTS: tuple[tuple[int, str], ...] = (
    (4010, "Inköp material och varor"),
    (4011, "Inköp varor, gammalt konto (används inte)"),
    (4990, "Förändring av lager (Fortnox lagerkonto)"),
)

#: The account left inactive in the demo company, for tests of "Kontot 4011 är inte aktivt".
DEMO_INACTIVE_ACCOUNT = 4011

_VAT_CODES = {
    3001: "MP1",
    3002: "MP2",
    3003: "MP3",
    3004: "MF",
    2611: "UMP1",
    2621: "UMP2",
    2631: "UMP3",
    2641: "I",
    4010: "I",
}

DEMO_PO_SUPPLIERS = tuple(str(n) for n in range(1, 11))
DEMO_EUR_PO = "PO-10050"
DEMO_EUR_SUPPLIER = "14"
DEMO_PRICE_DIFFERENCE_POS = ("PO-10007", "PO-10019", "PO-10031", "PO-10043", "PO-10055", "PO-10067")
DEMO_QUANTITY_DIFFERENCE_POS = ("PO-10011", "PO-10023", "PO-10035", "PO-10047", "PO-10059")
DEMO_NO_REFERENCE_POS = ("PO-10015", "PO-10063")
DEMO_DUPLICATE_PO = "PO-10028"
DEMO_CANCELLED_PO = "PO-10040"
DEMO_UNKNOWN_PO = "PO-10999"
DEMO_INVOICED_POS = tuple(f"PO-{n}" for n in range(10001, 10076))


@functools.cache
def bas_accounts() -> tuple[tuple[int, str], ...]:
    """The BAS 2025 chart shipped with the package (number, name)."""
    text = resources.files("fortnox_link.sandbox").joinpath("data", BAS_FILE).read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return tuple((int(r["account"]), r["name"]) for r in rows)


def chart(*, inactive: tuple[int, ...] = ()) -> list[Account]:
    accounts = [Account(n, name, vat_code=_VAT_CODES.get(n, "")) for n, name in (*bas_accounts(), *COMPANY_ACCOUNTS)]
    for a in accounts:
        a.active = a.number not in inactive
    return accounts


def apply_seed(name: str, company: Company, config: SandboxConfig) -> None:
    seeds: dict[str, Callable[[Company, SandboxConfig], None]] = {"empty": seed_empty, "demo": seed_demo}
    if name not in seeds:
        raise ValueError(f"unknown seed {name!r}: choose one of {', '.join(SEEDS)}")
    seeds[name](company, config)


def _standard_series(company: Company) -> None:
    company.add_voucher_series("A", "Bokföringsorder", manual=True)
    company.add_voucher_series("B", "Kundfakturor", manual=False)
    company.add_voucher_series("C", "Kundinbetalningar", manual=False)
    company.add_voucher_series("D", "Leverantörsfakturor", manual=False)
    company.add_voucher_series("E", "Leverantörsutbetalningar", manual=False)


def seed_empty(company: Company, config: SandboxConfig) -> None:
    """A company with one financial year (this calendar year), the BAS chart, standard series, no customers."""
    today = company.today()
    company.profile = CompanyProfile(
        name="Tomma Bolaget AB",
        organisation_number="559012-3458",
        database_number=config.tenant_id,
        address="Tomtebogatan 3",
        zip_code="113 38",
        city="Stockholm",
    )
    year = company.add_financial_year(date(today.year, 1, 1), date(today.year, 12, 31))
    company.load_chart(year.id, chart())
    _standard_series(company)


# -- demo data ---------------------------------------------------------------------------------------------------

_CUSTOMERS: tuple[tuple[str, str, str, str, str], ...] = (
    # name, address, zip, city, kind (C company, P private, B housing cooperative, E EU, X export)
    ("Åkesson Bygg AB", "Industrigatan 4", "591 35", "Motala", "C"),
    ("Björklunds Snickeri AB", "Hyvelvägen 12", "722 14", "Västerås", "C"),
    ("Öhmans Måleri & Fasad AB", "Penselgränd 2", "412 63", "Göteborg", "C"),
    ("Ängsbackens Fastigheter AB", "Ängsvägen 30", "436 39", "Askim", "C"),
    ("Söderqvist Rör & Värme AB", "Rörläggarvägen 8", "118 53", "Stockholm", "C"),
    ("Härnösands Takläggare AB", "Takstolsgatan 1", "871 31", "Härnösand", "C"),
    ("Nyström Entreprenad AB", "Grusvägen 17", "931 36", "Skellefteå", "C"),
    ("Lindqvist & Söner Bygg AB", "Murargatan 5", "602 22", "Norrköping", "C"),
    ("Västkustens Golvläggning AB", "Parkettvägen 9", "302 41", "Halmstad", "C"),
    ("Norrlands Trähus AB", "Timmervägen 22", "891 33", "Örnsköldsvik", "C"),
    ("Göteborgs Fasadrenovering AB", "Kvartersgatan 14", "415 05", "Göteborg", "C"),
    ("Malmö Markarbeten AB", "Schaktvägen 3", "212 35", "Malmö", "C"),
    ("Uppsala Kakel & Klinker AB", "Fogvägen 6", "754 50", "Uppsala", "C"),
    ("Ekströms Elinstallationer AB", "Kabelgatan 11", "582 73", "Linköping", "C"),
    ("Fjällstugan Bygg & Förvaltning AB", "Fjällvägen 1", "837 52", "Åre", "C"),
    ("Brf Solrosen", "Solrosgatan 10", "554 48", "Jönköping", "B"),
    ("Brf Kvarnbäcken", "Kvarnbäcksvägen 2", "167 55", "Bromma", "B"),
    ("Sölvesborgs Kommunfastigheter AB", "Rådhustorget 1", "294 80", "Sölvesborg", "C"),
    ("Ljungbergs Kök & Interiör AB", "Snickarvägen 7", "352 46", "Växjö", "C"),
    ("Dalarnas Byggtjänst AB", "Falugatan 19", "791 71", "Falun", "C"),
    ("Gotlands Kalkstensrenovering AB", "Strandvägen 4", "621 56", "Visby", "C"),
    ("Hälsinge Timmerhus AB", "Gårdsvägen 2", "824 43", "Hudiksvall", "C"),
    ("Kalmar Sjöbodar & Bryggor AB", "Hamngatan 13", "392 31", "Kalmar", "C"),
    ("Östgöta Plåtslageri AB", "Plåtslagargatan 4", "587 58", "Linköping", "C"),
    ("Mälardalens Fönsterbyten AB", "Karmvägen 8", "632 20", "Eskilstuna", "C"),
    ("Skånes Stenläggning AB", "Gatstensvägen 3", "262 71", "Ängelholm", "C"),
    ("Värmlands Isolering AB", "Lösullsvägen 5", "653 41", "Karlstad", "C"),
    ("Jämtlands Fjärrvärme Service AB", "Värmevägen 1", "831 48", "Östersund", "C"),
    ("Sundsvalls Trapp & Räcke AB", "Steggatan 6", "852 38", "Sundsvall", "C"),
    ("Anna Öberg", "Björkstigen 3", "191 45", "Sollentuna", "P"),
    ("Lars Ängström", "Ekbacken 12", "461 30", "Trollhättan", "P"),
    ("Märta Sjöström", "Lönnvägen 8", "263 33", "Höganäs", "P"),
    ("Per-Åke Fält", "Granvägen 21", "907 40", "Umeå", "P"),
    ("Göran Hörnqvist", "Tallstigen 5", "541 42", "Skövde", "P"),
    ("Sofie Ålund", "Aspvägen 14", "703 62", "Örebro", "P"),
    ("Brf Tegelbruket", "Tegelbruksvägen 20", "252 28", "Helsingborg", "B"),
    ("Köpenhamns Tømrerfirma ApS", "Vesterbrogade 101", "1620", "København V", "E"),
    ("Holzbau Lübeck GmbH", "Hafenstraße 12", "23552", "Lübeck", "E"),
    ("Oslo Hyttebygg AS", "Karl Johans gate 5", "0154", "Oslo", "X"),
    ("Trelleborgs Hamnbyggare AB", "Kajvägen 9", "231 42", "Trelleborg", "C"),
)

# description, unit, sales price, purchase price, VAT, type
_ARTICLES: tuple[tuple[str, str, str, str, int, str], ...] = (
    ("Träskruv förzinkad 4,0x40, 200 st", "fp", "149.00", "62.00", 25, "STOCK"),
    ("Träskruv förzinkad 5,0x60, 100 st", "fp", "169.00", "71.50", 25, "STOCK"),
    ("Fasadskruv rostfri 4,2x55, 250 st", "fp", "489.00", "214.00", 25, "STOCK"),
    ("Trallskruv A4 4,8x50, 500 st", "fp", "895.00", "402.00", 25, "STOCK"),
    ("Spik varmförzinkad 75 mm, 5 kg", "fp", "329.00", "141.00", 25, "STOCK"),
    ("Konstruktionsvirke C24 45x95, löpmeter", "m", "32.50", "18.20", 25, "STOCK"),
    ("Konstruktionsvirke C24 45x145, löpmeter", "m", "46.90", "26.40", 25, "STOCK"),
    ("Tryckimpregnerat trall 28x120, löpmeter", "m", "24.90", "13.10", 25, "STOCK"),
    ("Råspont gran 22x95, löpmeter", "m", "19.50", "10.30", 25, "STOCK"),
    ("Läkt 25x48, löpmeter", "m", "8.90", "4.35", 25, "STOCK"),
    ("Gipsskiva 13x1200x2500", "st", "119.00", "63.00", 25, "STOCK"),
    ("Våtrumsgips 13x900x2400", "st", "249.00", "131.00", 25, "STOCK"),
    ("OSB-skiva 12x1220x2440", "st", "289.00", "152.00", 25, "STOCK"),
    ("Plywood björk 18x1220x2440", "st", "1195.00", "689.00", 25, "STOCK"),
    ("Mineralull 95 mm, 5,4 m²", "pkt", "379.00", "201.00", 25, "STOCK"),
    ("Mineralull 145 mm, 3,6 m²", "pkt", "399.00", "212.00", 25, "STOCK"),
    ("Cellplast EPS 100 mm, 3 m²", "pkt", "289.00", "148.00", 25, "STOCK"),
    ("Ångspärr PE-folie 0,2 mm, 50 m²", "rle", "429.00", "219.00", 25, "STOCK"),
    ("Vindskyddsduk 1,5x50 m", "rle", "899.00", "468.00", 25, "STOCK"),
    ("Takpapp YEP 2500, 10 m²", "rle", "689.00", "355.00", 25, "STOCK"),
    ("Betongtakpanna svart", "st", "14.90", "7.80", 25, "STOCK"),
    ("Plåtränna galvad 125 mm, 3 m", "st", "349.00", "178.00", 25, "STOCK"),
    ("Stuprör galvat 87 mm, 3 m", "st", "289.00", "149.00", 25, "STOCK"),
    ("Fönsterbänk marmor vit 1200 mm", "st", "1290.00", "705.00", 25, "STOCK"),
    ("Innerdörr slät vit 9x21", "st", "1695.00", "952.00", 25, "STOCK"),
    ("Dörrhandtag rostfritt, par", "par", "429.00", "198.00", 25, "STOCK"),
    ("Gångjärn 100 mm förzinkat, 2 st", "fp", "89.00", "38.50", 25, "STOCK"),
    ("Väggfärg helmatt vit 10 l", "st", "1095.00", "598.00", 25, "STOCK"),
    ("Takfärg vit 10 l", "st", "895.00", "486.00", 25, "STOCK"),
    ("Träolja för trall 3 l", "st", "359.00", "184.00", 25, "STOCK"),
    ("Grundfärg utomhus vit 3 l", "st", "449.00", "231.00", 25, "STOCK"),
    ("Fogmassa våtrum vit 300 ml", "st", "129.00", "58.00", 25, "STOCK"),
    ("Kakelfix 15 kg", "säck", "329.00", "169.00", 25, "STOCK"),
    ("Flexfog grå 5 kg", "säck", "219.00", "108.00", 25, "STOCK"),
    ("Tätskiktsmatta 1x10 m", "rle", "1490.00", "812.00", 25, "STOCK"),
    ("Golvbrunn med klämring", "st", "895.00", "472.00", 25, "STOCK"),
    ("PEX-rör 16 mm, 50 m", "rle", "795.00", "412.00", 25, "STOCK"),
    ("Kopparrör 15 mm, 3 m", "st", "329.00", "176.00", 25, "STOCK"),
    ("Avloppsrör PP 110 mm, 2 m", "st", "249.00", "121.00", 25, "STOCK"),
    ("Elkabel EKK 3G1,5, 50 m", "rle", "649.00", "338.00", 25, "STOCK"),
    ("Vägguttag jordat dubbelt, vit", "st", "119.00", "54.00", 25, "STOCK"),
    ("Strömbrytare trappkoppling, vit", "st", "139.00", "63.00", 25, "STOCK"),
    ("LED-armatur badrum IP44", "st", "549.00", "271.00", 25, "STOCK"),
    ("Betong B30, 25 kg", "säck", "89.00", "41.00", 25, "STOCK"),
    ("Murbruk M2,5, 25 kg", "säck", "99.00", "47.00", 25, "STOCK"),
    ("Leca-block 250 mm", "st", "64.90", "33.10", 25, "STOCK"),
    ("Armeringsnät 5150, 2,25x5 m", "st", "429.00", "228.00", 25, "STOCK"),
    ("Kantsten granit, löpmeter", "m", "349.00", "192.00", 25, "STOCK"),
    ("Marksten grå 21x14x5, m²", "m²", "229.00", "118.00", 25, "STOCK"),
    ("Bärlager 0-32, ton", "ton", "395.00", "210.00", 25, "STOCK"),
    ("Skruvdragare 18 V med två batterier", "st", "2495.00", "1380.00", 25, "STOCK"),
    ("Kapsåg 216 mm", "st", "3990.00", "2310.00", 25, "STOCK"),
    ("Vattenpass aluminium 120 cm", "st", "449.00", "212.00", 25, "STOCK"),
    ("Skyddshandskar nitril, 10 par", "fp", "129.00", "52.00", 25, "STOCK"),
    ("Hörselskydd med bygel", "st", "299.00", "139.00", 25, "STOCK"),
    ("Montage, timpris", "h", "595.00", "0.00", 25, "SERVICE"),
    ("Transport med kranbil, per körning", "st", "1850.00", "0.00", 25, "SERVICE"),
    ("Fikabröd till byggmöte (livsmedel)", "st", "45.00", "24.00", 12, "STOCK"),
    ("Byggregler i praktiken (bok)", "st", "395.00", "230.00", 6, "STOCK"),
    ("Utgående sortiment: Träskruv svart 3,5x35", "fp", "99.00", "41.00", 25, "STOCK"),
)
DEMO_INACTIVE_ARTICLE = "1060"

# name, org number, city, currency, country code, kind (G goods, S service/cost)
_SUPPLIERS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Norrvirke Trävaror AB", "556102-3346", "Sundsvall", "SEK", "SE", "G"),
    ("Skruv & Beslag i Gävle AB", "556203-4451", "Gävle", "SEK", "SE", "G"),
    ("Järnhandelns Grossist AB", "556304-5565", "Jönköping", "SEK", "SE", "G"),
    ("Färgcentralen Väst AB", "556405-6670", "Borås", "SEK", "SE", "G"),
    ("Rörgrossisten Öresund AB", "556506-7784", "Helsingborg", "SEK", "SE", "G"),
    ("Isoleringshuset i Mälardalen AB", "556607-8898", "Västerås", "SEK", "SE", "G"),
    ("Gipsfabriken Bålsta AB", "556708-9903", "Bålsta", "SEK", "SE", "G"),
    ("Elgrossisten Söder AB", "556809-1017", "Stockholm", "SEK", "SE", "G"),
    ("Betong & Murbruk Norr AB", "556910-2121", "Luleå", "SEK", "SE", "G"),
    ("Verktygsboden i Örebro AB", "559011-3235", "Örebro", "SEK", "SE", "G"),
    ("Lindbäcks Åkeri & Frakt AB", "559112-4349", "Uppsala", "SEK", "SE", "S"),
    ("Fastighets AB Kvarnen", "559213-5453", "Norrköping", "SEK", "SE", "S"),
    ("Mälarkraft Energi AB", "559314-6567", "Eskilstuna", "SEK", "SE", "S"),
    ("Hammerwerk Süd GmbH", "", "München", "EUR", "DE", "G"),
    ("Kontorsvaror Direkt i Sverige AB", "559415-7671", "Malmö", "SEK", "SE", "S"),
)


@dataclass(frozen=True)
class PurchaseOrderLine:
    article_number: str
    description: str
    quantity: int
    unit_price: Decimal  # in the purchase order's currency


@dataclass(frozen=True)
class PurchaseOrder:
    number: str  # "PO-10001"
    supplier_number: str
    order_date: date
    currency: str
    lines: tuple[PurchaseOrderLine, ...]

    @property
    def total(self) -> Decimal:
        return money(sum((line.unit_price * line.quantity for line in self.lines), Decimal(0)))


def _articles_of(supplier_number: str) -> list[int]:
    """Article indices (0-based) a supplier sells: goods supplier k (1..10) supplies article i with i % 10 == k-1."""
    if supplier_number == DEMO_EUR_SUPPLIER:
        return [50, 51, 52]  # tools, bought from the German supplier in EUR
    k = int(supplier_number) - 1
    return [i for i in range(55) if i % 10 == k and _ARTICLES[i][5] == "STOCK"]


def demo_purchase_orders(today: date) -> list[PurchaseOrder]:
    """The demo company's purchase orders PO-10001 ... PO-10100 (see the module docstring)."""
    rng = random.Random(2026)
    orders: list[PurchaseOrder] = []
    start = today - timedelta(days=140)
    for i in range(100):
        number = f"PO-{10001 + i}"
        supplier = DEMO_EUR_SUPPLIER if number == DEMO_EUR_PO else DEMO_PO_SUPPLIERS[i % 10]
        candidates = _articles_of(supplier)
        count = rng.randint(1, min(4, len(candidates)))
        chosen = sorted(rng.sample(candidates, count))
        lines = []
        for index in chosen:
            description, unit, _sales, purchase, _vat, _type = _ARTICLES[index]
            price = Decimal(purchase)
            if supplier == DEMO_EUR_SUPPLIER:
                price = money(price / Decimal("11.20"))
            quantity = (
                rng.choice((5, 10, 12, 20, 24, 25, 40, 50, 60, 100, 120, 200)) if unit != "st" else rng.randint(2, 30)
            )
            lines.append(PurchaseOrderLine(str(1001 + index), description, quantity, price))
        currency = "EUR" if supplier == DEMO_EUR_SUPPLIER else "SEK"
        orders.append(PurchaseOrder(number, supplier, start + timedelta(days=i * 140 // 100), currency, tuple(lines)))
    return orders


def _reference_fields(po_number: str) -> dict[str, str]:
    n = int(po_number.removeprefix("PO-"))
    style = (n - 10001) % 6
    if style == 0:
        return {"YourReference": f"PO-{n}"}
    if style == 1:
        return {"OurReference": f"po {n}"}
    if style == 2:
        return {"ExternalInvoiceNumber": f"IO{n}"}
    if style == 3:
        return {"Comments": f"Avser er beställning PO{n}, levererad"}
    if style == 4:
        return {"YourReference": f"Best.nr PO-{n} / Anna"}
    return {"ExternalInvoiceNumber": f"PO {n}"}


def _org_number(rng: random.Random, first: str) -> str:
    from .pricing import luhn_check_digit

    digits = first + "".join(str(rng.randint(0, 9)) for _ in range(9 - len(first)))
    digits += str(luhn_check_digit(digits))
    return f"{digits[:6]}-{digits[6:]}"


def _last_day_of_month(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def seed_demo(company: Company, config: SandboxConfig) -> None:
    """Demobolaget Bygg & Järn AB: two financial years, BAS chart, customers, articles, suppliers, documents."""
    rng = random.Random(2026)
    today = company.today()
    company.profile = CompanyProfile(
        name="Demobolaget Bygg & Järn AB",
        organisation_number="556677-8899",
        database_number=config.tenant_id,
        address="Järnvägsgatan 12",
        zip_code="652 25",
        city="Karlstad",
        user_name="Birgitta Järnström",
        user_email="birgitta@demobolaget.example",
    )
    previous = company.add_financial_year(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    company.load_chart(previous.id, chart(inactive=(DEMO_INACTIVE_ACCOUNT,)))
    current = company.add_financial_year(date(today.year, 1, 1), date(today.year, 12, 31))
    _standard_series(company)
    company.add_voucher_series("L", "Lagerhändelser", manual=True)
    company.add_voucher_series("M", "Momsredovisning", manual=True)

    _seed_customers(company, rng)
    _seed_articles(company)
    _seed_suppliers(company)
    _seed_manual_vouchers(company, current.from_date, today)
    _seed_invoices(company, rng, today)
    _seed_supplier_invoices(company, today)
    _seed_orders(company, today)

    month = today.month - 3
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    company.set_locked_period(_last_day_of_month(year, month))


def _seed_customers(company: Company, rng: random.Random) -> None:
    for index, (name, address, zip_code, city, kind) in enumerate(_CUSTOMERS, start=1):
        slug = "".join(ch for ch in name.lower().split(" ")[0] if ch.isalpha())
        data: dict[str, Any] = {"Name": name, "Address1": address, "ZipCode": zip_code, "City": city}
        if kind in ("C", "B"):
            data["OrganisationNumber"] = _org_number(rng, "55" if kind == "C" else "769")
            data["Type"] = "COMPANY"
            data["Email"] = f"info@{slug}.example"
            if index % 7 != 3:  # a few companies have no e-mail invoicing address
                data["EmailInvoice"] = f"faktura@{slug}.example"
            data["YourReference"] = "Inköpsavdelningen"
        elif kind == "P":
            data["Type"] = "PRIVATE"
            data["Email"] = f"{slug}{index}@privat.example"
            data["EmailInvoice"] = data["Email"]
        else:
            data["Type"] = "COMPANY"
            data["CountryCode"] = "DK" if "ApS" in name else ("DE" if "GmbH" in name else "NO")
            data["Country"] = {"DK": "Danmark", "DE": "Tyskland", "NO": "Norge"}[data["CountryCode"]]
            data["Currency"] = "SEK"
            data["VATType"] = "EUREVERSEDVAT" if kind == "E" else "EXPORT"
            if kind == "E":
                data["VATNumber"] = f"{data['CountryCode']}{rng.randint(10_000_000, 99_999_999)}"
            data["EmailInvoice"] = f"invoice@{slug}.example"
        if index in (12, 27):
            data["TermsOfPayment"] = "10"
        company.add_customer(data)


def _seed_articles(company: Company) -> None:
    for index, (description, unit, sales, purchase, vat, kind) in enumerate(_ARTICLES):
        number = str(1001 + index)
        data: dict[str, Any] = {
            "ArticleNumber": number,
            "Description": description,
            "Unit": unit,
            "SalesPrice": Decimal(sales),
            "PurchasePrice": Decimal(purchase),
            "VAT": vat,
            "Type": kind,
            "StockGoods": kind == "STOCK",
            "EAN": f"73{index:011d}"[:13],
        }
        if kind == "STOCK":
            data["QuantityInStock"] = Decimal((index * 37) % 250)
            data["SupplierNumber"] = str(index % 10 + 1) if index < 50 else ""
        if number == DEMO_INACTIVE_ARTICLE:
            data["Active"] = False
        company.add_article({k: v for k, v in data.items() if v != ""})


def _seed_suppliers(company: Company) -> None:
    for name, org, city, currency, country, kind in _SUPPLIERS:
        data: dict[str, Any] = {
            "Name": name,
            "City": city,
            "Currency": currency,
            "CountryCode": country,
            "OurCustomerNumber": "D-4471",
            "Email": "order@" + "".join(ch for ch in name.lower().split(" ")[0] if ch.isalpha()) + ".example",
        }
        if org:
            data["OrganisationNumber"] = org
            data["BG"] = f"{org[2:6]}-{org[7:11]}"
        if kind == "G":
            data["PreDefinedAccount"] = "4010"
        company.add_supplier(data)


def _seed_manual_vouchers(company: Company, year_start: date, today: date) -> None:
    entries = (
        ("Bankavgifter", 6570, Decimal("125.00")),
        ("Kontorsmaterial, kontant", 6110, Decimal("348.00")),
        ("Mobiltelefoni", 6212, Decimal("599.00")),
        ("Förbrukningsmaterial verkstad", 5460, Decimal("1245.50")),
    )
    for index, (text, account, amount) in enumerate(entries):
        day = max(year_start, today - timedelta(days=60 - index * 12))
        company.create_voucher(
            {
                "VoucherSeries": "A",
                "TransactionDate": day.isoformat(),
                "Description": text,
                "VoucherRows": [
                    {"Account": account, "Debit": amount},
                    {"Account": 1930, "Credit": amount},
                ],
            },
            check_locked_period=False,
        )


def _seed_invoices(company: Company, rng: random.Random, today: date) -> None:
    customers = sorted(company.customers, key=int)
    for index in range(14):
        customer = customers[(index * 7) % len(customers)]
        rows = []
        for _ in range(rng.randint(1, 4)):
            article = str(1001 + rng.randrange(58))
            rows.append({"ArticleNumber": article, "DeliveredQuantity": str(rng.randint(1, 20))})
        invoice_date = today - timedelta(days=70 - index * 5)
        data: dict[str, Any] = {
            "CustomerNumber": customer,
            "InvoiceDate": invoice_date.isoformat(),
            "InvoiceRows": rows,
            "YourOrderNumber": f"KO-{2400 + index}",
        }
        if index % 3 != 2:
            data["ExternalInvoiceReference1"] = f"EB-ORDER-{5001 + index}"
        invoice = company.add_invoice(data)
        number = invoice["DocumentNumber"]
        if index == 5:
            company.cancel_invoice(number)
        elif invoice_date < today - timedelta(days=30):
            company.bookkeep_invoice(number)
            company.send_invoice(number, "externalprint")


def _supplier_invoice_data(
    po: PurchaseOrder, *, invoice_number: str, price_factor: Decimal = Decimal(1), short: bool = False
) -> dict[str, Any]:
    rows = []
    for index, line in enumerate(po.lines):
        quantity = line.quantity
        price = line.unit_price
        if index == 0 and short:
            quantity -= max(1, quantity // 5)
        if index == 0:
            price = money(price * price_factor)
        rows.append(
            {
                "Account": 4010,
                "ArticleNumber": line.article_number,
                "ItemDescription": line.description,
                "Quantity": quantity,
                "Price": price,
            }
        )
    invoice_date = po.order_date + timedelta(days=7)
    return {
        "SupplierNumber": po.supplier_number,
        "InvoiceNumber": invoice_number,
        "InvoiceDate": invoice_date.isoformat(),
        "Currency": po.currency,
        "SupplierInvoiceRows": rows,
        "OCR": f"{int(invoice_number.removeprefix('F')) * 10 + 7}",
    }


def _seed_supplier_invoices(company: Company, today: date) -> None:
    orders = {po.number: po for po in demo_purchase_orders(today)}
    registered: list[str] = []

    def register(data: dict[str, Any]) -> None:
        registered.append(company.add_supplier_invoice(data)["GivenNumber"])

    for number in DEMO_INVOICED_POS:
        po = orders[number]
        n = int(number.removeprefix("PO-"))
        data = _supplier_invoice_data(
            po,
            invoice_number=f"F{n}",
            price_factor=Decimal("1.05") if number in DEMO_PRICE_DIFFERENCE_POS else Decimal(1),
            short=number in DEMO_QUANTITY_DIFFERENCE_POS,
        )
        if number not in DEMO_NO_REFERENCE_POS:
            data.update(_reference_fields(number))
        if number == DEMO_EUR_PO:
            data.update(VATType="EUINTERNAL", VAT=Decimal(0), CurrencyRate="11.20")
        if number == DEMO_CANCELLED_PO:
            wrong = dict(data, InvoiceNumber=f"F{n}", Comments=f"Felregistrerad, se ny faktura. PO-{n}")
            wrong["SupplierInvoiceRows"] = [
                dict(r, Quantity=int(r["Quantity"]) * 10) for r in data["SupplierInvoiceRows"]
            ]
            given = company.add_supplier_invoice(wrong)["GivenNumber"]
            company.cancel_supplier_invoice(given)
        register(data)
        if number == DEMO_DUPLICATE_PO:
            register(dict(data))
    unknown = _supplier_invoice_data(orders["PO-10002"], invoice_number="F19999")
    unknown["YourReference"] = DEMO_UNKNOWN_PO
    register(unknown)
    month_start = today.replace(day=1)
    for supplier, account, text, amount in (
        ("12", 5010, "Lokalhyra", Decimal("18500.00")),
        ("13", 5020, "El för belysning", Decimal("2315.00")),
        ("11", 5710, "Frakter, fjärrtransport", Decimal("3640.00")),
    ):
        register(
            {
                "SupplierNumber": supplier,
                "InvoiceNumber": f"K{month_start:%y%m}{supplier}",
                "InvoiceDate": (month_start - timedelta(days=int(supplier))).isoformat(),
                "SupplierInvoiceRows": [{"Account": account, "ItemDescription": text, "Quantity": 1, "Price": amount}],
            }
        )
    for given in registered:
        record = company.supplier_invoices[given]
        day = date.fromisoformat(record["InvoiceDate"])
        if day < today - timedelta(days=45):
            company.bookkeep_supplier_invoice(given)
        if day < today - timedelta(days=75):
            record["Balance"] = Decimal("0.00")
            record["FinalPayDate"] = (day + timedelta(days=30)).isoformat()


def _seed_orders(company: Company, today: date) -> None:
    for index in range(5):
        company.add_order(
            {
                "CustomerNumber": str(1 + index * 3),
                "OrderDate": (today - timedelta(days=10 - index)).isoformat(),
                "OrderRows": [
                    {"ArticleNumber": str(1001 + index * 4), "OrderedQuantity": str(5 + index)},
                    {"ArticleNumber": "1056", "OrderedQuantity": "2"},
                ],
                "ExternalInvoiceReference1": f"EB-ORDER-{6001 + index}",
            }
        )
