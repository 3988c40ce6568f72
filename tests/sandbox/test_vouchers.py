"""Vouchers: the bookkeeping rules Fortnox enforces on POST /3/vouchers, and numbering per series and year.

The demo company at the fixed clock (2026-06-15): financial years 2025 (Id 1) and 2026 (Id 2), no 2027, the
period is locked up to 2026-03-31, series A has four vouchers in 2026, B is not open for manual posting, 4011 is
inactive.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fortnox_link.sandbox import Sandbox

from .conftest import Api


def voucher(
    day: str = "2026-06-10", series: str = "A", rows: list[dict[str, Any]] | None = None, year: int = 2, **extra: Any
) -> Any:
    """A voucher body; `Year` is the financial year Id the spec requires (it must equal `?financialyear=`)."""
    body = {
        "Year": year,
        "VoucherSeries": series,
        "TransactionDate": day,
        "Description": "Inköp kontorsmaterial",
        "VoucherRows": rows
        or [
            {"Account": 6110, "Debit": Decimal("250.00"), "TransactionInformation": "Pennor och pärmar"},
            {"Account": 2641, "Debit": Decimal("62.50")},
            {"Account": 1930, "Credit": Decimal("312.50")},
        ],
        **extra,
    }
    return {"Voucher": body}


def test_balanced_voucher_is_created_with_the_next_number_in_its_series(api: Api) -> None:
    next_number = api.get("/3/voucherseries/A", financialyear=2).body["VoucherSeries"]["NextVoucherNumber"]
    created = api.post("/3/vouchers", voucher(), financialyear=2)
    assert created.status == 201
    v = created.body["Voucher"]
    assert (v["VoucherSeries"], v["VoucherNumber"], v["Year"]) == ("A", next_number, 2)
    assert [r["Account"] for r in v["VoucherRows"]] == [6110, 2641, 1930]
    assert v["VoucherRows"][0]["Description"] == "Kontorsmateriel"

    second = api.post("/3/vouchers", voucher(), financialyear=2).body["Voucher"]
    assert second["VoucherNumber"] == next_number + 1
    assert api.get("/3/voucherseries/A", financialyear=2).body["VoucherSeries"]["NextVoucherNumber"] == next_number + 2

    fetched = api.get(f"/3/vouchers/A/{next_number}", financialyear=2).body["Voucher"]
    assert fetched["VoucherRows"][2]["Credit"] == Decimal("312.50")
    assert fetched["VoucherRows"][0]["TransactionInformation"] == "Pennor och pärmar"


def test_numbering_is_per_series_and_per_financial_year(demo: Sandbox, api: Api) -> None:
    demo.company.set_locked_period(None)
    in_l = api.post("/3/vouchers", voucher(series="L"), financialyear=2).body["Voucher"]
    assert in_l["VoucherNumber"] == 1
    last_year = api.post("/3/vouchers", voucher(day="2025-11-03", year=1), financialyear=1).body["Voucher"]
    assert (last_year["VoucherNumber"], last_year["Year"]) == (1, 1)
    assert api.post("/3/vouchers", voucher(series="L"), financialyear=2).body["Voucher"]["VoucherNumber"] == 2


def test_vouchers_list_by_series_and_date(api: Api) -> None:
    api.post("/3/vouchers", voucher(day="2026-06-01"), financialyear=2)
    api.post("/3/vouchers", voucher(day="2026-06-12", series="L"), financialyear=2)
    in_june = api.get("/3/vouchers", financialyear=2, fromdate="2026-06-01", todate="2026-06-30").body
    assert {(v["VoucherSeries"], v["TransactionDate"]) for v in in_june["Vouchers"]} >= {
        ("A", "2026-06-01"),
        ("L", "2026-06-12"),
    }
    assert all("VoucherRows" not in v for v in in_june["Vouchers"])
    only_l = api.get("/3/vouchers/sublist/L", financialyear=2).body
    assert [v["VoucherSeries"] for v in only_l["Vouchers"]] == ["L"]
    assert only_l["MetaInformation"]["@TotalResources"] == 1


def assert_refused(api: Api, body: Any, code: int, text: str, **params: Any) -> None:
    count_before = api.get("/3/vouchers", financialyear=2).body["MetaInformation"]["@TotalResources"]
    answer = api.post("/3/vouchers", body, **params)
    assert (answer.status, answer.error_code) == (400, code), answer.body
    assert text in answer.message
    assert api.get("/3/vouchers", financialyear=2).body["MetaInformation"]["@TotalResources"] == count_before


def test_unbalanced_voucher_is_refused(api: Api) -> None:
    rows = [{"Account": 6110, "Debit": Decimal("100.00")}, {"Account": 1930, "Credit": Decimal("90.00")}]
    assert_refused(api, voucher(rows=rows), 2099001, "Verifikationen är inte balanserad", financialyear=2)


def test_row_with_both_debit_and_credit_is_refused(api: Api) -> None:
    rows = [
        {"Account": 6110, "Debit": Decimal("100.00"), "Credit": Decimal("100.00")},
        {"Account": 1930, "Credit": Decimal("0.00"), "Debit": Decimal("0.00")},
    ]
    assert_refused(api, voucher(rows=rows), 2099024, "antingen debet eller kredit", financialyear=2)


def test_inactive_account_is_refused_until_activated(demo: Sandbox, api: Api) -> None:
    rows = [{"Account": 4011, "Debit": Decimal("100.00")}, {"Account": 1930, "Credit": Decimal("100.00")}]
    assert_refused(api, voucher(rows=rows), 2099005, "Kontot 4011 är inte aktivt", financialyear=2)
    demo.company.set_account_active(2, 4011, True)
    assert api.post("/3/vouchers", voucher(rows=rows), financialyear=2).status == 201


def test_unknown_account_is_refused(api: Api) -> None:
    rows = [{"Account": 9999, "Debit": Decimal("100.00")}, {"Account": 1930, "Credit": Decimal("100.00")}]
    assert_refused(api, voucher(rows=rows), 2000423, "9999", financialyear=2)


def test_series_without_manual_posting_is_refused(api: Api) -> None:
    assert_refused(api, voucher(series="B"), 2099002, "Verifikationsserien B tillåter inte manuell kontering")


def test_date_without_financial_year_is_refused_until_the_year_is_created(demo: Sandbox, api: Api) -> None:
    assert_refused(api, voucher(day="2027-01-05"), 2099003, "Det finns inget räkenskapsår för datumet 2027-01-05")
    assert api.get("/3/financialyears", Date="2027-01-05").body["FinancialYears"] == []
    year = demo.company.add_financial_year("2027-01-01", "2027-12-31")
    created = api.post("/3/vouchers", voucher(day="2027-01-05", year=year.id), financialyear=year.id)
    assert (created.status, created.body["Voucher"]["VoucherNumber"]) == (201, 1)


def test_date_outside_the_given_financial_year_is_refused(api: Api) -> None:
    assert_refused(api, voucher(day="2026-06-10", year=1), 2099016, "utanför räkenskapsåret", financialyear=1)


def test_year_must_match_financialyear(api: Api) -> None:
    assert_refused(api, voucher(year=1), 2099017, "stämmer inte", financialyear=2)


def test_locked_period_is_refused(demo: Sandbox, api: Api) -> None:
    assert demo.company.locked_period_end is not None
    assert api.get("/3/settings/lockedperiod").body == {"LockedPeriod": {"EndDate": "2026-03-31"}}
    assert_refused(api, voucher(day="2026-03-31"), 2099004, "Perioden är låst", financialyear=2)
    assert api.post("/3/vouchers", voucher(day="2026-04-01"), financialyear=2).status == 201


def test_missing_description_and_rows_are_refused(make_sandbox: Callable[..., Sandbox]) -> None:
    # These bodies break the spec on purpose (Description minLength 1, VoucherRows minItems 2).
    api = Api(make_sandbox("demo", check_requests=False))
    assert_refused(api, voucher(Description=""), 2099011, "Description", financialyear=2)
    rows = [{"Account": 1930, "Debit": Decimal("1.00")}]
    assert_refused(api, voucher(rows=rows), 2099024, "minst två rader", financialyear=2)
