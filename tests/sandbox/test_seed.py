"""The demo and empty companies: deterministic, fast, and shaped for the cases the app must handle."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from decimal import Decimal

from fortnox_link.fortnox.api import to_decimal
from fortnox_link.sandbox import Company, FakeClock, Sandbox, SandboxConfig
from fortnox_link.sandbox import seed as seeds
from fortnox_link.sandbox.fields import render

from .conftest import FIXED_NOW

TODAY = date(2026, 6, 15)


def demo_company() -> Company:
    clock = FakeClock(FIXED_NOW)
    company = Company(clock=clock)
    seeds.seed_demo(company, SandboxConfig(clock=clock))
    return company


def test_demo_is_deterministic() -> None:
    first, second = demo_company(), demo_company()
    for attribute in ("customers", "articles", "suppliers", "supplier_invoices", "invoices", "orders", "vouchers"):
        assert getattr(first, attribute) == getattr(second, attribute), attribute
    assert seeds.demo_purchase_orders(TODAY) == seeds.demo_purchase_orders(TODAY)


def test_seeding_is_fast() -> None:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        Sandbox(seed="demo", config=SandboxConfig(clock=FakeClock(FIXED_NOW)))
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.2


def test_demo_company_shape() -> None:
    company = demo_company()
    assert company.info["CompanyName"] == "Demobolaget Bygg & Järn AB"
    assert company.info["OrganizationNumber"] == "556677-8899"
    assert (len(company.customers), len(company.articles), len(company.suppliers)) == (40, 60, 15)
    assert any(ch in "".join(c["Name"] for c in company.customers.values()) for ch in "åäöÅÄÖ")
    assert [(fy.from_date, fy.to_date) for fy in company.financial_years.values()] == [
        (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 12, 31)),
    ]
    assert company.financial_year_for(date(2027, 1, 5)) is None
    assert company.locked_period_end == date(2026, 3, 31)
    assert company.licences == {"integration", "bookkeeping", "invoicing", "order"}
    assert company.predefined_accounts["ROUNDOFF"] == 3740
    manual = {code: s.manual for code, s in company.voucher_series.items()}
    assert (manual["A"], manual["B"], manual["L"]) == (True, False, True)
    assert company.voucher_series["A"].description == "Bokföringsorder"
    for year_id in company.financial_years:
        chart = company.accounts[year_id]
        for number in (1460, 1510, 1910, 1930, 2440, 2611, 2621, 2631, 2641, 2995, 3001, 3002, 3003, 3004, 3740,
                       4010, 4990, 4960, 5460, 6991):  # fmt: skip
            assert chart[number].active, number
        assert not chart[seeds.DEMO_INACTIVE_ACCOUNT].active
    assert not company.articles[seeds.DEMO_INACTIVE_ARTICLE]["Active"]


def test_demo_supplier_invoices_carry_purchase_order_references() -> None:
    company = demo_company()
    invoices = list(company.supplier_invoices.values())
    assert 75 <= len(invoices) <= 85

    def text(record: dict[str, object]) -> str:
        fields = ("YourReference", "OurReference", "ExternalInvoiceNumber", "Comments")
        return " ".join(str(record.get(f) or "") for f in fields)

    texts = [text(i) for i in invoices]
    assert any("PO-10001" in t for t in texts)
    assert any("po 10002" in t for t in texts)
    assert any("IO10003" in t for t in texts)
    assert any(seeds.DEMO_UNKNOWN_PO in t for t in texts)
    for po in seeds.DEMO_NO_REFERENCE_POS:
        assert not any(po.removeprefix("PO-") in t for t in texts)
    live = [i for i in invoices if not i["Cancelled"]]
    assert Counter(i["InvoiceNumber"] for i in live)["F10028"] == 2
    assert len([i for i in invoices if i["Cancelled"]]) == 1
    assert [i["Currency"] for i in invoices if i["Currency"] != "SEK"] == ["EUR"]
    for invoice in invoices:
        rows = invoice["SupplierInvoiceRows"]
        assert sum(r["Debit"] for r in rows) == sum(r["Credit"] for r in rows), invoice["GivenNumber"]
        assert to_decimal(render("SupplierInvoice", invoice)["Total"]) == invoice["Total"]
    assert any(i["Booked"] for i in invoices) and any(not i["Booked"] for i in invoices)


def test_demo_purchase_orders_match_their_invoices() -> None:
    company = demo_company()
    orders = {po.number: po for po in seeds.demo_purchase_orders(TODAY)}
    assert list(orders) == [f"PO-{n}" for n in range(10001, 10101)]
    by_reference = {i["YourReference"]: i for i in company.supplier_invoices.values() if i.get("YourReference")}
    invoice = by_reference["PO-10001"]
    po = orders["PO-10001"]
    assert invoice["SupplierNumber"] == po.supplier_number
    lines = [
        (r["ArticleNumber"], r["Quantity"], r["Price"]) for r in invoice["SupplierInvoiceRows"] if "ArticleNumber" in r
    ]
    assert lines == [(line.article_number, line.quantity, line.unit_price) for line in po.lines]
    assert orders[seeds.DEMO_EUR_PO].currency == "EUR"


def test_empty_company() -> None:
    clock = FakeClock(FIXED_NOW)
    sandbox = Sandbox(seed="empty", config=SandboxConfig(clock=clock))
    company = sandbox.company
    assert [(fy.from_date, fy.to_date) for fy in company.financial_years.values()] == [
        (date(2026, 1, 1), date(2026, 12, 31))
    ]
    chart = company.accounts[1]
    assert len(chart) >= len(seeds.bas_accounts()) == 1223
    assert all(a.active for a in chart.values())
    assert company.voucher_series["A"].manual
    assert not company.customers and not company.invoices and not company.supplier_invoices
    assert company.info["DatabaseNumber"] == sandbox.config.tenant_id


def test_tests_can_shape_the_company() -> None:
    company = demo_company()
    company.add_customer({"Name": "Direktkund AB", "CustomerNumber": "K-1"})
    assert company.customers["K-1"]["Name"] == "Direktkund AB"
    year = company.add_financial_year("2027-01-01", "2027-12-31")
    assert company.accounts[year.id][3740].description == "Öres- och kronutjämning"
    company.set_account_active(year.id, 4011, True)
    assert company.accounts[year.id][4011].active and not company.accounts[1][4011].active
    company.set_locked_period("2026-05-31")
    assert company.locked_period_end == date(2026, 5, 31)
    company.set_locked_period(None)
    assert company.locked_period_end is None
    assert company.add_article({"Description": "Ny artikel", "SalesPrice": Decimal("1")})["ArticleNumber"] == "1061"
