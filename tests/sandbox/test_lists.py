"""Lists (paging, lastmodified, filters, sorting), customers/articles/suppliers, and malformed requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import requests

from fortnox_link.sandbox import FakeClock, Sandbox

from .conftest import Api


def test_paging_over_1234_customers(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox("empty")
    for i in range(1, 1235):
        sb.company.add_customer({"Name": f"Kund {i} Åström"})
    api = Api(sb)
    seen: list[str] = []
    metas = []
    for page in (1, 2, 3):
        body = api.get("/3/customers", limit=500, page=page).body
        metas.append(body["MetaInformation"])
        seen += [c["CustomerNumber"] for c in body["Customers"]]
    assert metas == [{"@TotalResources": 1234, "@TotalPages": 3, "@CurrentPage": p} for p in (1, 2, 3)]
    assert seen == [str(i) for i in range(1, 1235)]
    assert len(api.get("/3/customers", limit=500, page=4).body["Customers"]) == 0
    default = api.get("/3/customers").body
    assert (len(default["Customers"]), default["MetaInformation"]["@TotalPages"]) == (100, 13)
    offset = api.get("/3/customers", limit=10, offset=5).body["Customers"]
    assert offset[0]["CustomerNumber"] == "6"


def test_bad_list_parameters_are_refused(make_sandbox: Callable[..., Sandbox]) -> None:
    api = Api(make_sandbox("demo", check_requests=False))
    for params in ({"limit": "501"}, {"limit": "0"}, {"page": "0"}, {"lastmodified": "igår"}, {"filter": "alla"}):
        answer = api.request("GET", "/3/invoices", params)
        assert (answer.status, answer.error_code) == (400, 2000588), params
    assert api.request("GET", "/3/customers", {"sortby": "shoesize"}).error_code == 2000588


def test_lastmodified_uses_the_sandbox_clock(make_sandbox: Callable[..., Sandbox], clock: FakeClock) -> None:
    sb = make_sandbox("empty")
    api = Api(sb)
    api.post("/3/customers", {"Customer": {"Name": "Före AB"}})
    clock.advance(120)
    since = datetime.fromtimestamp(clock()).strftime("%Y-%m-%d %H:%M")
    api.post("/3/customers", {"Customer": {"Name": "Efter AB"}})
    names = [c["Name"] for c in api.get("/3/customers", lastmodified=since).body["Customers"]]
    assert names == ["Efter AB"]
    clock.advance(60)
    api.put("/3/customers/1", {"Customer": {"Name": "Före AB", "City": "Övertorneå"}})
    names = [c["Name"] for c in api.get("/3/customers", lastmodified=since).body["Customers"]]
    assert names == ["Före AB", "Efter AB"]


def test_query_parameter_names_are_case_insensitive(api: Api) -> None:
    body = api.get("/3/customers", Limit=5, CustomerNumber="1").body
    assert body["MetaInformation"]["@TotalResources"] == len([n for n in api.sandbox.company.customers if "1" in n])
    assert len(body["Customers"]) == 5


def test_customer_filters_and_sorting(api: Api) -> None:
    org = api.sandbox.company.customers["1"]["OrganisationNumber"]
    digits = org.replace("-", "")
    assert [c["CustomerNumber"] for c in api.get("/3/customers", organisationnumber=digits).body["Customers"]] == ["1"]
    names = [c["Name"] for c in api.get("/3/customers", name="ström").body["Customers"]]
    assert names and all("ström" in n.lower() for n in names)
    ordered = [c["Name"] for c in api.get("/3/customers", sortby="name", sortorder="descending").body["Customers"]]
    assert ordered == sorted(ordered, key=str.lower, reverse=True)


def test_customers_create_update_and_duplicates(api: Api) -> None:
    created = api.post(
        "/3/customers", {"Customer": {"Name": "Ny Kund i Mölndal AB", "OrganisationNumber": "5561234567"}}
    )
    assert created.status == 201
    number = created.body["Customer"]["CustomerNumber"]
    assert number == "41"
    duplicate = api.post("/3/customers", {"Customer": {"CustomerNumber": number, "Name": "Dubblett AB"}})
    assert (duplicate.status, duplicate.error_code) == (400, 2000637)
    # The spec's Customer schema requires Name in a PUT body too, so it is sent again.
    update = {"Customer": {"Name": "Ny Kund i Mölndal AB", "Email": "info@molndal.example"}}
    updated = api.put(f"/3/customers/{number}", update).body["Customer"]
    assert (updated["Name"], updated["Email"]) == ("Ny Kund i Mölndal AB", "info@molndal.example")
    missing = api.get("/3/customers/9999")
    assert (missing.status, missing.error_code) == (404, 2000433)


def test_articles_create_and_duplicates(api: Api) -> None:
    created = api.post("/3/articles", {"Article": {"Description": "Hammare 600 g", "SalesPrice": Decimal("249.00")}})
    assert created.status == 201
    article = created.body["Article"]
    assert (article["ArticleNumber"], article["SalesPrice"], article["VAT"]) == ("1061", Decimal("249.00"), 25)
    listed = api.get("/3/articles", articlenumber="1061").body["Articles"][0]
    assert listed["SalesPrice"] == "249.00"  # strings in the list, as the spec types them
    duplicate = api.post("/3/articles", {"Article": {"ArticleNumber": "1061", "Description": "Igen"}})
    assert (duplicate.status, duplicate.error_code) == (400, 2099006)
    assert api.get("/3/articles/NOPE").error_code == 2000428
    update = {"Article": {"Description": "Hammare 600 g", "Unit": "st"}}
    assert api.put("/3/articles/1061", update).body["Article"]["Unit"] == "st"


def test_suppliers(api: Api) -> None:
    created = api.post("/3/suppliers", {"Supplier": {"Name": "Nya Sågverket AB"}}).body["Supplier"]
    assert created["SupplierNumber"] == "16"
    assert api.get("/3/suppliers/16").body["Supplier"]["Name"] == "Nya Sågverket AB"
    update = {"Supplier": {"Name": "Nya Sågverket AB", "City": "Härnösand"}}
    assert api.put("/3/suppliers/16", update).body["Supplier"]["City"] == "Härnösand"
    assert api.get("/3/suppliers").body["MetaInformation"]["@TotalResources"] == 16


def test_financial_years_and_accounts(api: Api) -> None:
    years = api.get("/3/financialyears").body["FinancialYears"]
    assert [(y["Id"], y["FromDate"], y["ToDate"]) for y in years] == [
        (1, "2025-01-01", "2025-12-31"),
        (2, "2026-01-01", "2026-12-31"),
    ]
    assert [y["Id"] for y in api.get("/3/financialyears", Date="2025-07-01").body["FinancialYears"]] == [1]
    assert api.get("/3/financialyears/2").body["FinancialYear"]["FromDate"] == "2026-01-01"
    assert api.get("/3/financialyears/9").status == 404

    accounts = api.get("/3/accounts", limit=500).body
    assert accounts["MetaInformation"]["@TotalResources"] > 1200
    assert {a["Year"] for a in accounts["Accounts"]} == {2}
    inactive = api.get("/3/accounts/4011", financialyear=1).body["Account"]
    assert (inactive["Active"], inactive["Year"]) == (False, 1)
    assert api.get("/3/accounts/3740").body["Account"]["Description"] == "Öres- och kronutjämning"
    assert api.get("/3/accounts/9999").error_code == 2000423
    assert api.get("/3/predefinedaccounts/ROUNDOFF").body == {
        "PreDefinedAccount": {"Account": 3740, "Name": "ROUNDOFF"}
    }
    assert api.get("/3/predefinedaccounts/NOSUCH").error_code == 2001304
    series = {s["Code"]: s["Manual"] for s in api.get("/3/voucherseries").body["VoucherSeriesCollection"]}
    assert series["A"] is True and series["B"] is False and series["L"] is True


def test_supplier_invoices_list_and_documents(api: Api) -> None:
    listed = api.get("/3/supplierinvoices", limit=500).body
    assert listed["MetaInformation"]["@TotalResources"] == 81
    first = listed["SupplierInvoices"][0]
    assert isinstance(first["Total"], str) and "SupplierInvoiceRows" not in first
    cancelled = api.get("/3/supplierinvoices", filter="cancelled").body["SupplierInvoices"]
    assert len(cancelled) == 1 and cancelled[0]["Cancel"] is True
    unbooked = api.get("/3/supplierinvoices", filter="unbooked").body["SupplierInvoices"]
    assert unbooked and all(not s["Booked"] for s in unbooked)
    eur = [s for s in listed["SupplierInvoices"] if s["Currency"] == "EUR"]
    assert len(eur) == 1

    document = api.get(f"/3/supplierinvoices/{unbooked[0]['GivenNumber']}").body["SupplierInvoice"]
    rows = document["SupplierInvoiceRows"]
    assert sum(r["Debit"] for r in rows) == sum(r["Credit"] for r in rows)
    assert {r.get("Code") for r in rows} >= {"TOT"}
    assert all(isinstance(r.get("Quantity", 0), int) for r in rows)


def test_supplier_invoice_create_and_actions(api: Api) -> None:
    body = {
        "SupplierInvoice": {
            "SupplierNumber": "3",
            "InvoiceNumber": "X-77",
            "InvoiceDate": "2026-06-10",
            "YourReference": "PO-12345",
            "SupplierInvoiceRows": [{"Account": 4010, "ArticleNumber": "1003", "Quantity": 10, "Price": 214}],
        }
    }
    created = api.post("/3/supplierinvoices", body).body["SupplierInvoice"]
    assert (created["Total"], created["VAT"], created["RoundOffValue"]) == ("2675.00", "535.00", "0.00")
    given = created["GivenNumber"]
    assert api.put(f"/3/supplierinvoices/{given}/approvalbookkeep").status == 200
    assert api.put(f"/3/supplierinvoices/{given}/approvalpayment").status == 200
    booked = api.put(f"/3/supplierinvoices/{given}/bookkeep").body["SupplierInvoice"]
    assert booked["Booked"] is True and booked["VoucherSeries"] == "D"
    refused = api.put(f"/3/supplierinvoices/{given}/cancel")
    assert (refused.status, refused.error_code) == (400, 2099012)
    missing = api.post("/3/supplierinvoices", {"SupplierInvoice": {"SupplierNumber": "99"}})
    assert (missing.status, missing.error_code) == (400, 2099019)


def test_orders(api: Api) -> None:
    assert api.get("/3/orders", limit=1).body["MetaInformation"]["@TotalResources"] == 5
    created = api.post(
        "/3/orders",
        {"Order": {"CustomerNumber": "2", "OrderRows": [{"ArticleNumber": "1001", "OrderedQuantity": "2"}]}},
    ).body["Order"]
    assert (created["DocumentNumber"], created["Total"]) == ("6", Decimal("373.00"))
    assert api.get("/3/orders/6").body["Order"]["OrderRows"][0]["DeliveredQuantity"] == "2.00"


def test_malformed_bodies(make_sandbox: Callable[..., Sandbox]) -> None:
    api = Api(make_sandbox("demo", check_requests=False))
    cases = [
        (b"{not json", 2002115),
        (b"", 2001392),
        (b'{"Kund": {"Name": "X"}}', 2001399),
        (b'{"Customer": {"Name": "X", "Shoesize": 44}}', 2001399),
        (b'{"Customer": "X"}', 2001392),
        (b'{"Customer": {"Name": "X", "Active": "kanske"}}', 2000134),
        (b'{"Customer": {"Name": "X", "CustomerNumber": "a/b"}}', 2000359),
        (b'{"Customer": {"Name": ""}}', 2099011),
    ]
    for raw, code in cases:
        answer = api.request("POST", "/3/customers", raw=raw)
        assert (answer.status, answer.error_code) == (400, code), raw


def test_unknown_path_is_404(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox("empty", check_contract=False)  # not an operation of the spec, on purpose
    answer = Api(sb).get("/3/teleporters")
    assert (answer.status, answer.error_code) == (404, 2099020)
    assert requests.get(sb.api_url + "/elsewhere", timeout=5).status_code == 404
