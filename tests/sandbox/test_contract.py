"""Every operation the sandbox implements answers what Fortnox's OpenAPI document declares, and the checker bites."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from fortnox_link.sandbox import Sandbox

from ..contract import ContractRecorder, OpenApiContract, load_contract, load_contract_or_skip
from .conftest import Api


@pytest.fixture
def contract() -> OpenApiContract:
    return load_contract_or_skip()


def exercise_every_operation(api: Api) -> None:
    """One valid call of every route the sandbox serves (plus a few refusals), in an order that makes sense."""
    get, post, put = api.get, api.post, api.put
    year = {"financialyear": 2}
    for path, params in (
        ("/3/companyinformation", {}),
        ("/3/me", {}),
        ("/3/settings/lockedperiod", {}),
        ("/3/predefinedaccounts", {}),
        ("/3/predefinedaccounts/ROUNDOFF", {}),
        ("/3/financialyears/1", {}),
        ("/3/accounts/1930", year),
        ("/3/voucherseries", {}),
        ("/3/voucherseries/A", year),
        ("/3/vouchers/A/1", year),
        ("/3/vouchers/sublist/A", year),
        ("/3/customers/1", {}),
        ("/3/articles/1001", {}),
        ("/3/suppliers/1", {}),
        ("/3/invoices/1", {}),
        ("/3/supplierinvoices/1", {}),
        ("/3/orders/1", {}),
    ):
        assert get(path, **params).status == 200, path
    assert get("/3/financialyears", Date="2026-02-01").status == 200
    assert get("/3/accounts", financialyear=2, limit=50).status == 200
    assert get("/3/vouchers", financialyear=2, fromdate="2026-01-01").status == 200
    assert get("/3/customers", name="AB", sortby="name").status == 200
    assert get("/3/articles", filter="active").status == 200
    assert get("/3/suppliers").status == 200
    assert get("/3/invoices", filter="unbooked", lastmodified="2026-01-01 00:00").status == 200
    assert get("/3/supplierinvoices", filter="unpaid").status == 200
    assert get("/3/orders", limit=1).status == 200

    def voucher(credit: Decimal) -> dict[str, Any]:
        rows = [{"Account": 6570, "Debit": Decimal("50.00")}, {"Account": 1930, "Credit": credit}]
        return {
            "Voucher": {
                "VoucherSeries": "A",
                "TransactionDate": "2026-06-01",
                "Description": "Bankavgift",
                "Year": 2,
                "VoucherRows": rows,
            }
        }

    assert post("/3/vouchers", voucher(Decimal("50.00")), financialyear=2).status == 201
    customer = post("/3/customers", {"Customer": {"Name": "Kontraktskund AB", "EmailInvoice": "a@b.example"}})
    number = customer.body["Customer"]["CustomerNumber"]
    assert put(f"/3/customers/{number}", {"Customer": {"Name": "Kontraktskund AB", "City": "Luleå"}}).status == 200
    assert post("/3/articles", {"Article": {"Description": "Kontraktsartikel", "SalesPrice": 10}}).status == 201
    assert put("/3/articles/1001", {"Article": {"Description": "Träskruv 4,0x40", "Unit": "fp"}}).status == 200
    assert post("/3/suppliers", {"Supplier": {"Name": "Kontraktsleverantör AB"}}).status == 201
    assert put("/3/suppliers/1", {"Supplier": {"Name": "Norrvirke Trävaror AB", "City": "Timrå"}}).status == 200

    invoice_body = {
        "Invoice": {
            "CustomerNumber": number,
            "InvoiceDate": "2026-06-10",
            "ExternalInvoiceReference1": "EB-CONTRACT-1",
            "InvoiceRows": [
                {"ArticleNumber": "1001", "DeliveredQuantity": "3"},
                {"Description": "Montage", "DeliveredQuantity": "1.5", "Price": Decimal("595.00"), "VAT": 25},
            ],
        }
    }
    invoices = [post("/3/invoices", invoice_body).body["Invoice"]["DocumentNumber"] for _ in range(2)]
    first, second = invoices
    assert put(f"/3/invoices/{first}", {"Invoice": {"CustomerNumber": number, "Remarks": "Tack!"}}).status == 200
    for how in ("email", "eprint", "einvoice"):
        assert get(f"/3/invoices/{first}/{how}").status == 200
    assert put(f"/3/invoices/{first}/externalprint").status == 200
    assert put(f"/3/invoices/{first}/bookkeep").status == 200
    assert put(f"/3/invoices/{first}/credit").status == 200
    assert put(f"/3/invoices/{second}/cancel").status == 200

    supplier_invoice = {
        "SupplierInvoice": {
            "SupplierNumber": "2",
            "InvoiceNumber": "K-1",
            "InvoiceDate": "2026-06-05",
            "OurReference": "PO-10002",
            "SupplierInvoiceRows": [
                {"Account": 4010, "ArticleNumber": "1002", "Quantity": 4, "Price": Decimal("71.50")}
            ],
        }
    }
    given = [post("/3/supplierinvoices", supplier_invoice).body["SupplierInvoice"]["GivenNumber"] for _ in range(2)]
    for action in ("approvalbookkeep", "approvalpayment", "bookkeep"):
        assert put(f"/3/supplierinvoices/{given[0]}/{action}").status == 200
    assert put(f"/3/supplierinvoices/{given[1]}/cancel").status == 200
    order = {"Order": {"CustomerNumber": "1", "OrderRows": [{"ArticleNumber": "1002", "OrderedQuantity": "2"}]}}
    assert post("/3/orders", order).status == 201

    # Refusals are answers too: their ErrorInformation must validate.
    assert get("/3/invoices/999999").status == 404
    assert post("/3/vouchers", voucher(Decimal("40.00")), financialyear=2).status == 400


def test_every_operation_honours_the_contract(make_sandbox: Callable[..., Sandbox], contract: OpenApiContract) -> None:
    sb = make_sandbox("demo", check_contract=False)
    recorder = ContractRecorder(contract)
    sb.observers.append(recorder)
    exercise_every_operation(Api(sb))

    assert recorder.violations == []
    implemented = {(route.method, route.template) for route in sb.router.routes}
    assert recorder.operations == implemented, "not exercised: " + str(implemented - recorder.operations)
    # ...and every route is an operation of the document, under the same template.
    for method, template in implemented:
        concrete = template.replace("{", "x").replace("}", "")
        operation = contract.find_operation(method, concrete)
        assert operation is not None and operation.template == template, (method, template)
    assert recorder.checked >= len(implemented)


def test_check_response_catches_invalid_bodies(contract: OpenApiContract) -> None:
    valid = {"Invoice": {"CustomerNumber": "1", "InvoiceRows": [{"DeliveredQuantity": "3.00"}], "Total": 375}}
    assert contract.check_response("GET", "/3/invoices/1", 200, valid) == []

    wrong_quantity = {"Invoice": {"CustomerNumber": "1", "InvoiceRows": [{"DeliveredQuantity": Decimal("3")}]}}
    assert any("DeliveredQuantity" in p for p in contract.check_response("GET", "/3/invoices/1", 200, wrong_quantity))

    number_total = {"SupplierInvoice": {"SupplierNumber": "1", "Total": Decimal("100.00")}}
    assert contract.check_response("GET", "/3/supplierinvoices/1", 200, number_total)

    bad_date = {"Invoices": [{"InvoiceDate": "2026-13-01"}]}
    assert any("date" in p for p in contract.check_response("GET", "/3/invoices", 200, bad_date))

    missing_required = {"Voucher": {"VoucherSeries": "A"}}
    problems = contract.check_response("POST", "/3/vouchers", 201, missing_required)
    assert any("'Year' is a required property" in p for p in problems)

    float_integer = {"Accounts": [{"Number": Decimal("1930.0"), "Description": "Bank"}]}
    assert contract.check_response("GET", "/3/accounts", 200, float_integer)

    string_count = {"MetaInformation": {"@TotalResources": "12"}, "Invoices": []}
    assert contract.check_response("GET", "/3/invoices", 200, string_count) == []  # MetaInformation is undeclared
    assert contract.check_response("GET", "/3/invoices", 200, {"Invoices": "none"})

    error = {"ErrorInformation": {"error": 1, "message": "Kan inte hitta kontot.", "code": 2000423}}
    assert contract.check_response("GET", "/3/accounts/1", 404, error) == []
    assert contract.check_response("GET", "/3/teleporters", 200, {}) != []


def test_check_request(contract: OpenApiContract) -> None:
    assert contract.check_request("GET", "/3/invoices", {"limit": "1", "externalinvoicereference1": "x"}, None) == []
    assert contract.check_request("GET", "/3/financialyears", {"date": "2026-01-01"}, None) == []
    assert contract.check_request("GET", "/3/financialyears", {"Date": "2026-02-30"}, None)
    assert contract.check_request("GET", "/3/invoices", {"shoesize": "44"}, None)
    assert contract.check_request("GET", "/3/invoices", {"filter": "all"}, None)
    assert contract.check_request("GET", "/3/vouchers", {"financialyear": "two"}, None)
    assert contract.check_request("POST", "/3/customers", None, {"Customer": {"Name": 5}})
    assert contract.check_request("GET", "/3/vouchers/sublist/A", {"financialyear": "1"}, None) == []
    operation = contract.find_operation("GET", "/3/vouchers/sublist/A")
    assert operation is not None and operation.template == "/3/vouchers/sublist/{VoucherSeries}"


def test_missing_document_skips_with_a_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FORTNOX_OPENAPI", str(tmp_path / "absent.json"))
    assert load_contract() is None
    with pytest.raises(pytest.skip.Exception, match="FORTNOX_OPENAPI"):
        load_contract_or_skip()
