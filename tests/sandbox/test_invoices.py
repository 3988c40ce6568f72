"""Customer invoices: Fortnox's arithmetic (VAT per rate, öresavrundning), validation, actions and bookkeeping."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest

from fortnox_link.sandbox import Sandbox

from .conftest import Api


@pytest.fixture
def shop(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    sb = make_sandbox("empty")
    company = sb.company
    company.add_customer({"CustomerNumber": "10", "Name": "Ölands Snickeri AB", "EmailInvoice": "f@oland.example"})
    company.add_customer({"CustomerNumber": "11", "Name": "Åsa Privat", "Type": "PRIVATE"})
    company.add_article({"ArticleNumber": "100", "Description": "Skruv", "SalesPrice": D("99.90"), "VAT": 25})
    company.add_article({"ArticleNumber": "200", "Description": "Fikabröd", "SalesPrice": D("45.00"), "VAT": 12})
    company.add_article({"ArticleNumber": "300", "Description": "Handbok", "SalesPrice": D("395.00"), "VAT": 6})
    return sb


def create(api: Api, rows: list[dict[str, Any]], customer: str = "10", **fields: Any) -> dict[str, Any]:
    answer = api.post("/3/invoices", {"Invoice": {"CustomerNumber": customer, "InvoiceRows": rows, **fields}})
    assert answer.status == 201, answer.body
    invoice: dict[str, Any] = answer.body["Invoice"]
    return invoice


def totals(invoice: dict[str, Any]) -> tuple[D, D, D, D, D]:
    return invoice["Net"], invoice["TotalVAT"], invoice["Gross"], invoice["Total"], invoice["RoundOff"]


def test_25_percent_with_rounding_to_whole_kronor(shop: Sandbox) -> None:
    invoice = create(Api(shop), [{"ArticleNumber": "100", "DeliveredQuantity": "3"}])
    assert totals(invoice) == (D("299.70"), D("74.93"), D("374.63"), D("375.00"), D("0.37"))
    row = invoice["InvoiceRows"][0]
    assert (row["Description"], row["Price"], row["VAT"], row["AccountNumber"]) == ("Skruv", D("99.90"), 25, 3001)
    assert row["DeliveredQuantity"] == "3.00"  # a string, as the spec types it
    assert invoice["Balance"] == invoice["Total"] == D("375.00")
    assert (invoice["Booked"], invoice["Cancelled"], invoice["Sent"]) == (False, False, False)
    assert invoice["CustomerName"] == "Ölands Snickeri AB"
    assert invoice["Currency"] == "SEK"
    assert invoice["InvoiceDate"] == "2026-06-15"
    assert invoice["DueDate"] == "2026-07-15"
    assert invoice["OCR"] == "18"  # document number 1 + Luhn check digit


def test_12_and_6_percent_and_half_krona_rounds_up(shop: Sandbox) -> None:
    invoice = create(
        Api(shop),
        [{"ArticleNumber": "200", "DeliveredQuantity": "2"}, {"ArticleNumber": "300", "DeliveredQuantity": "1"}],
    )
    assert totals(invoice) == (D("485.00"), D("34.50"), D("519.50"), D("520.00"), D("0.50"))
    assert [r["AccountNumber"] for r in invoice["InvoiceRows"]] == [3002, 3003]


def test_rounding_down_gives_negative_round_off(shop: Sandbox) -> None:
    invoice = create(Api(shop), [{"Description": "Arbete", "DeliveredQuantity": "1", "Price": D("100.15")}])
    assert totals(invoice) == (D("100.15"), D("25.04"), D("125.19"), D("125.00"), D("-0.19"))


def test_vat_included_prices(shop: Sandbox) -> None:
    invoice = create(
        Api(shop),
        [
            {"Description": "Montage", "DeliveredQuantity": "2", "Price": D("125.00"), "VAT": 25},
            {"Description": "Fika", "DeliveredQuantity": "1", "Price": D("56.00"), "VAT": 12},
        ],
        VATIncluded=True,
    )
    assert totals(invoice) == (D("250.00"), D("56.00"), D("306.00"), D("306.00"), D("0.00"))
    assert invoice["InvoiceRows"][0]["PriceExcludingVAT"] == D("100.00")


def test_percent_and_amount_discounts(shop: Sandbox) -> None:
    invoice = create(
        Api(shop),
        [
            {"Description": "Virke", "DeliveredQuantity": "4", "Price": D("250.00"), "Discount": D("10")},
            {
                "Description": "Frakt",
                "DeliveredQuantity": "2",
                "Price": D("100.00"),
                "Discount": D("50"),
                "DiscountType": "AMOUNT",
            },
        ],
    )
    assert [r["Total"] for r in invoice["InvoiceRows"]] == [D("900.00"), D("150.00")]
    assert totals(invoice) == (D("1050.00"), D("262.50"), D("1312.50"), D("1313.00"), D("0.50"))


def test_missing_customer_article_and_too_long_text_are_refused(shop: Sandbox) -> None:
    api = Api(shop)
    before = len(shop.company.invoices)
    answer = api.post("/3/invoices", {"Invoice": {"CustomerNumber": "99", "InvoiceRows": []}})
    assert (answer.status, answer.error_code) == (400, 2000204)
    answer = api.post("/3/invoices", {"Invoice": {"CustomerNumber": "10", "InvoiceRows": [{"ArticleNumber": "NOPE"}]}})
    assert (answer.status, answer.error_code) == (400, 2001302)
    answer = api.post("/3/invoices", {"Invoice": {"CustomerNumber": "10", "InvoiceRows": [{"Description": "x" * 256}]}})
    assert (answer.status, answer.error_code) == (400, 2099010)
    answer = api.post("/3/invoices", {"Invoice": {"CustomerNumber": "10", "InvoiceRows": [{"VAT": 7}]}})
    assert (answer.status, answer.error_code) == (400, 2099009)
    assert len(shop.company.invoices) == before


def test_document_numbers_are_sequential_and_unique(shop: Sandbox) -> None:
    api = Api(shop)
    numbers = [create(api, [])["DocumentNumber"] for _ in range(3)]
    assert numbers == ["1", "2", "3"]
    taken = api.post("/3/invoices", {"Invoice": {"CustomerNumber": "10", "DocumentNumber": "2"}})
    assert (taken.status, taken.error_code) == (400, 2099007)
    assert create(api, [], DocumentNumber="500")["DocumentNumber"] == "500"


def test_find_by_external_invoice_reference_is_a_substring_filter(shop: Sandbox) -> None:
    api = Api(shop)
    create(api, [], ExternalInvoiceReference1="EB-1001")
    create(api, [], ExternalInvoiceReference1="EB-10011")
    create(api, [], ExternalInvoiceReference1="EB-2000")
    found = api.get("/3/invoices", externalinvoicereference1="EB-1001").body
    assert [i["ExternalInvoiceReference1"] for i in found["Invoices"]] == ["EB-1001", "EB-10011"]
    assert found["MetaInformation"]["@TotalResources"] == 2
    assert all("InvoiceRows" not in i for i in found["Invoices"])


def test_bookkeep_posts_the_invoice_in_series_b(shop: Sandbox) -> None:
    api = Api(shop)
    number = create(api, [{"ArticleNumber": "100", "DeliveredQuantity": "3"}])["DocumentNumber"]
    booked = api.put(f"/3/invoices/{number}/bookkeep").body["Invoice"]
    assert booked["Booked"] is True
    assert (booked["VoucherSeries"], booked["VoucherNumber"], booked["VoucherYear"]) == ("B", 1, 1)
    voucher = api.get("/3/vouchers/B/1", financialyear=1).body["Voucher"]
    assert voucher["ReferenceType"] == "INVOICE"
    lines = {(r["Account"], r["Debit"], r["Credit"]) for r in voucher["VoucherRows"]}
    assert lines == {
        (1510, D("375.00"), D("0.00")),
        (3001, D("0.00"), D("299.70")),
        (2611, D("0.00"), D("74.93")),
        (3740, D("0.00"), D("0.37")),
    }
    again = api.put(f"/3/invoices/{number}/bookkeep")
    assert (again.status, again.error_code) == (400, 2099022)
    change = api.put(f"/3/invoices/{number}", {"Invoice": {"CustomerNumber": "10", "Remarks": "Ändrad"}})
    assert (change.status, change.error_code) == (400, 2099012)
    cancel = api.put(f"/3/invoices/{number}/cancel")
    assert (cancel.status, cancel.error_code) == (400, 2099012)


def test_update_recomputes_while_unbooked(shop: Sandbox) -> None:
    api = Api(shop)
    number = create(api, [{"ArticleNumber": "100", "DeliveredQuantity": "3"}])["DocumentNumber"]
    body = {"Invoice": {"CustomerNumber": "10", "InvoiceRows": [{"ArticleNumber": "100", "DeliveredQuantity": "1"}]}}
    updated = api.put(f"/3/invoices/{number}", body).body["Invoice"]
    assert totals(updated) == (D("99.90"), D("24.98"), D("124.88"), D("125.00"), D("0.12"))


def test_cancel_and_filters(shop: Sandbox) -> None:
    api = Api(shop)
    first = create(api, [{"ArticleNumber": "100", "DeliveredQuantity": "1"}])["DocumentNumber"]
    second = create(api, [{"ArticleNumber": "100", "DeliveredQuantity": "1"}])["DocumentNumber"]
    cancelled = api.put(f"/3/invoices/{first}/cancel").body["Invoice"]
    assert cancelled["Cancelled"] is True
    assert [i["DocumentNumber"] for i in api.get("/3/invoices", filter="cancelled").body["Invoices"]] == [first]
    assert [i["DocumentNumber"] for i in api.get("/3/invoices", filter="unbooked").body["Invoices"]] == [second]
    assert [i["DocumentNumber"] for i in api.get("/3/invoices", filter="unpaid").body["Invoices"]] == [second]


def test_credit_invoice(shop: Sandbox) -> None:
    api = Api(shop)
    number = create(api, [{"ArticleNumber": "100", "DeliveredQuantity": "3"}])["DocumentNumber"]
    original = api.put(f"/3/invoices/{number}/credit").body["Invoice"]
    credit = api.get(f"/3/invoices/{original['CreditInvoiceReference']}").body["Invoice"]
    assert credit["CreditInvoiceReference"] == number
    assert credit["Credit"] == "true"
    assert totals(credit) == (D("-299.70"), D("-74.93"), D("-374.63"), D("-375.00"), D("-0.37"))
    again = api.put(f"/3/invoices/{number}/credit")
    assert (again.status, again.error_code) == (400, 2099023)


def test_sending(shop: Sandbox) -> None:
    api = Api(shop)
    with_email = create(api, [])["DocumentNumber"]
    without_email = create(api, [], customer="11")["DocumentNumber"]
    assert api.get(f"/3/invoices/{with_email}/email").body["Invoice"]["Sent"] is True
    refused = api.get(f"/3/invoices/{without_email}/email")
    assert (refused.status, refused.error_code) == (400, 2099014)
    assert "e-postadress" in refused.message
    assert api.put(f"/3/invoices/{without_email}/externalprint").body["Invoice"]["Sent"] is True
    for how in ("eprint", "einvoice"):
        assert api.get(f"/3/invoices/{create(api, [])['DocumentNumber']}/{how}").body["Invoice"]["Sent"] is True
    assert api.get("/3/invoices/999").status == 404


def test_bookkeeping_needs_an_open_financial_year(shop: Sandbox) -> None:
    api = Api(shop)
    next_year = create(api, [{"ArticleNumber": "100", "DeliveredQuantity": "1"}], InvoiceDate="2027-01-04")
    refused = api.put(f"/3/invoices/{next_year['DocumentNumber']}/bookkeep")
    assert (refused.status, refused.error_code) == (400, 2099003)
    shop.company.set_locked_period("2026-05-31")
    locked = create(api, [{"ArticleNumber": "100", "DeliveredQuantity": "1"}], InvoiceDate="2026-05-20")
    refused = api.put(f"/3/invoices/{locked['DocumentNumber']}/bookkeep")
    assert (refused.status, refused.error_code) == (400, 2099004)
    assert api.get(f"/3/invoices/{locked['DocumentNumber']}").body["Invoice"]["Booked"] is False
