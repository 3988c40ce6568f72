"""The /3 resources: routing by path template, list paging and filters, and one handler per operation.

Paths, wrappers and field names are those of Fortnox's OpenAPI document. Query parameter names are matched
case-insensitively. Lists answer `{"MetaInformation": {"@TotalResources", "@TotalPages", "@CurrentPage"},
"<Plural>": [...]}` with `limit` (default 100, at most 500), `page` (from 1) and `offset`; `lastmodified`
(`YYYY-MM-DD HH:MM`, local time, by the sandbox clock) keeps records modified at or after that minute. Text filters
are case-insensitive substring matches, like Fortnox's; several filters in one request are all applied (Fortnox
documents only one resource-specific filter per request).

Each route carries the scope a token needs and the licence (programlicens) the company needs:

| resource | scope | licence |
|---|---|---|
| companyinformation | companyinformation | - |
| me | - (any token) | - |
| invoices, customers, articles | invoice, customer, article | invoicing |
| orders | order | order |
| vouchers, voucherseries, accounts, financialyears | bookkeeping | bookkeeping |
| suppliers, supplierinvoices | supplier, supplierinvoice | bookkeeping |
| predefinedaccounts, settings/lockedperiod | settings | bookkeeping |
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from . import errors
from .company import BOOKKEEPING, INVOICING, ORDER, Company, FinancialYear, Record
from .config import SandboxConfig
from .errors import ApiError
from .fields import decimal_of, render


@dataclass
class ApiRequest:
    method: str
    path: str
    params: dict[str, str]  # names lower-cased
    body: Any
    path_params: dict[str, str]
    config: SandboxConfig


Handler = Callable[[Company, ApiRequest], tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    scope: str | None
    licence: str | None
    handler: Handler

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.template.strip("/").split("/"))

    def match(self, parts: list[str]) -> dict[str, str] | None:
        segments = self.segments
        if len(segments) != len(parts):
            return None
        found: dict[str, str] = {}
        for segment, part in zip(segments, parts, strict=True):
            if segment.startswith("{"):
                if not part:
                    return None
                found[segment[1:-1]] = part
            elif segment != part:
                return None
        return found


class Router:
    """Finds the route for a path; literal segments win over templates (`/3/vouchers/sublist/A`)."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = list(routes)

    def resolve(self, method: str, parts: list[str]) -> tuple[Route, dict[str, str]] | None:
        best: tuple[tuple[bool, ...], Route, dict[str, str]] | None = None
        for route in self.routes:
            if route.method != method:
                continue
            found = route.match(parts)
            if found is None:
                continue
            key = tuple(s.startswith("{") for s in route.segments)
            if best is None or key < best[0]:
                best = (key, route, found)
        return None if best is None else (best[1], best[2])


# -- query parameters ----------------------------------------------------------------------------------------------


def _bad_parameter(name: str, value: str) -> ApiError:
    return ApiError(400, errors.INVALID_PARAMETER, f"Ogiltig parameter i anropet. ({name}={value})")


def int_param(req: ApiRequest, name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = req.params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _bad_parameter(name, raw) from None
    if value < minimum or (maximum is not None and value > maximum):
        raise _bad_parameter(name, raw)
    return value


def date_param(req: ApiRequest, name: str) -> date | None:
    raw = req.params.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _bad_parameter(name, raw) from None


def lastmodified_param(req: ApiRequest) -> float | None:
    raw = req.params.get("lastmodified")
    if not raw:
        return None
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw.strip(), pattern).timestamp()
        except ValueError:
            continue
    raise _bad_parameter("lastmodified", raw)


def year_param(company: Company, req: ApiRequest) -> FinancialYear:
    """`financialyear` (an Id), else `financialyeardate`, else the year containing today."""
    raw = req.params.get("financialyear")
    if raw:
        year_id = int_param(req, "financialyear", 0, minimum=1)
        year = company.financial_year(year_id)
        if year is None:
            raise ApiError(400, errors.FINANCIAL_YEAR_NOT_FOUND, f"Räkenskapsåret {year_id} finns inte")
        return year
    day = date_param(req, "financialyeardate") or company.today()
    found = company.financial_year_for(day)
    if found is None:
        raise ApiError(400, errors.NO_FINANCIAL_YEAR, f"Det finns inget räkenskapsår för datumet {day}")
    return found


def number_key(value: Any) -> tuple[int, int, str]:
    text = str(value if value is not None else "")
    return (0, int(text), "") if text.isdigit() else (1, 0, text.lower())


Predicate = Callable[[Record, str], bool]


def substring(field: str) -> Predicate:
    return lambda record, value: value.lower() in str(record.get(field) or "").lower()


def organisation_number(field: str) -> Predicate:
    """Substring match, and also on the digits alone: 5566778899 finds 556677-8899 (unconfirmed for Fortnox)."""

    def check(record: Record, value: str) -> bool:
        stored = str(record.get(field) or "")
        digits = "".join(ch for ch in value if ch.isdigit())
        return value.lower() in stored.lower() or (
            bool(digits) and digits in "".join(ch for ch in stored if ch.isdigit())
        )

    return check


def boolean(field: str) -> Predicate:
    return lambda record, value: str(bool(record.get(field))).lower() == value.lower()


def date_from(field: str) -> Predicate:
    return lambda record, value: str(record.get(field) or "") >= value


def date_to(field: str) -> Predicate:
    return lambda record, value: str(record.get(field) or "9999") <= value


@dataclass(frozen=True)
class ListSpec:
    plural: str
    schema: str
    filters: Mapping[str, Predicate]
    filter_values: Mapping[str, Callable[[Record, date], bool]]
    sorts: Mapping[str, Callable[[Record], Any]]
    default_sort: Callable[[Record], Any]
    augment: Callable[[Record], Record] | None = None


def list_response(req: ApiRequest, records: Iterable[Record], spec: ListSpec, today: date) -> tuple[int, Any]:
    items = list(records)
    since = lastmodified_param(req)
    if since is not None:
        items = [r for r in items if float(r.get("_modified", 0.0)) >= since]
    for name, predicate in spec.filters.items():
        value = req.params.get(name)
        if value is None or value == "":
            continue
        if name in ("fromdate", "todate"):
            date_param(req, name)
        items = [r for r in items if predicate(r, value)]
    wanted = req.params.get("filter")
    if wanted:
        check = spec.filter_values.get(wanted.lower())
        if check is None:
            raise _bad_parameter("filter", wanted)
        items = [r for r in items if check(r, today)]
    sort_by = req.params.get("sortby")
    key = spec.default_sort
    if sort_by:
        chosen = spec.sorts.get(sort_by.lower())
        if chosen is None:
            raise _bad_parameter("sortby", sort_by)
        key = chosen
    order = (req.params.get("sortorder") or "ascending").lower()
    if order not in ("ascending", "descending"):
        raise _bad_parameter("sortorder", order)
    items.sort(key=key, reverse=order == "descending")
    page_items, meta = paginate(req, items)
    rows = [render(spec.schema, spec.augment(r) if spec.augment else r) for r in page_items]
    return 200, {"MetaInformation": meta, spec.plural: rows}


def paginate(req: ApiRequest, items: list[Any]) -> tuple[list[Any], dict[str, int]]:
    limit = int_param(req, "limit", req.config.default_page_size, minimum=1, maximum=req.config.max_page_size)
    page = int_param(req, "page", 1, minimum=1)
    offset = int_param(req, "offset", 0)
    remaining = items[offset:]
    total = len(items)
    pages = max(1, math.ceil(len(remaining) / limit))
    start = (page - 1) * limit
    meta = {"@TotalResources": total, "@TotalPages": pages, "@CurrentPage": page}
    return remaining[start : start + limit], meta


def payload(req: ApiRequest, wrapper: str) -> Mapping[str, Any]:
    body = req.body
    if not isinstance(body, Mapping) or not body:
        raise ApiError(400, errors.BAD_BODY, "Ingen eller felaktig typ av data.")
    for key in body:
        if key != wrapper:
            raise ApiError(400, errors.UNKNOWN_FIELD, f"Felaktigt fältnamn ({key})")
    inner = body[wrapper]
    if not isinstance(inner, Mapping):
        raise ApiError(400, errors.BAD_BODY, f"Ingen eller felaktig typ av data. ({wrapper})")
    return inner


def _get(records: Mapping[str, Record], key: str, code: int, message: str) -> Record:
    record = records.get(key)
    if record is None:
        raise ApiError(404, code, message)
    return record


# -- company, user, settings ---------------------------------------------------------------------------------------


def get_company_information(company: Company, req: ApiRequest) -> tuple[int, Any]:
    return 200, {"CompanyInformation": render("CompanyInfo", company.info)}


def get_me(company: Company, req: ApiRequest) -> tuple[int, Any]:
    p = company.profile
    me = {"Id": p.user_id, "Name": p.user_name, "Email": p.user_email, "Locale": p.locale, "SysAdmin": p.sys_admin}
    return 200, {"MeInformation": render("Me", me)}


def get_locked_period(company: Company, req: ApiRequest) -> tuple[int, Any]:
    end = company.locked_period_end
    return 200, {"LockedPeriod": render("LockedPeriod", {"EndDate": end.isoformat() if end else None})}


def list_predefined_accounts(company: Company, req: ApiRequest) -> tuple[int, Any]:
    items = [
        render("PredefinedAccount", {"Name": name, "Account": number})
        for name, number in sorted(company.predefined_accounts.items())
    ]
    return 200, {"PreDefinedAccounts": items}


def get_predefined_account(company: Company, req: ApiRequest) -> tuple[int, Any]:
    name = req.path_params["name"].upper()
    number = company.predefined_accounts.get(name)
    if number is None:
        raise ApiError(404, errors.PREDEFINED_ACCOUNT_NOT_FOUND, f"Kunde inte hitta konto ({name})")
    return 200, {"PreDefinedAccount": render("PredefinedAccount", {"Name": name, "Account": number})}


# -- financial years, accounts, voucher series, vouchers -----------------------------------------------------------


def list_financial_years(company: Company, req: ApiRequest) -> tuple[int, Any]:
    years = sorted(company.financial_years.values(), key=lambda fy: fy.from_date)
    day = date_param(req, "date")
    if day is not None:
        years = [fy for fy in years if fy.contains(day)]
    page, meta = paginate(req, years)
    return 200, {"MetaInformation": meta, "FinancialYears": [render("FinancialYear", fy.as_record()) for fy in page]}


def get_financial_year(company: Company, req: ApiRequest) -> tuple[int, Any]:
    raw = req.path_params["Id"]
    year = company.financial_year(int(raw)) if raw.isdigit() else None
    if year is None:
        raise ApiError(404, errors.FINANCIAL_YEAR_NOT_FOUND, f"Räkenskapsåret {raw} finns inte")
    return 200, {"FinancialYear": render("FinancialYear", year.as_record())}


_ACCOUNTS = ListSpec(
    plural="Accounts",
    schema="AccountListItem",
    filters={"sru": lambda r, v: str(r.get("SRU") or "") == v},
    filter_values={},
    sorts={"number": lambda r: r["Number"]},
    default_sort=lambda r: r["Number"],
)


def list_accounts(company: Company, req: ApiRequest) -> tuple[int, Any]:
    year = year_param(company, req)
    records = [a.as_record(year.id) for a in company.accounts.get(year.id, {}).values()]
    return list_response(req, records, _ACCOUNTS, company.today())


def get_account(company: Company, req: ApiRequest) -> tuple[int, Any]:
    year = year_param(company, req)
    raw = req.path_params["Number"]
    account = company.account(year.id, int(raw)) if raw.isdigit() else None
    if account is None:
        raise ApiError(404, errors.ACCOUNT_NOT_FOUND, f"Kan inte hitta kontot {raw}")
    return 200, {"Account": render("AccountSingleItem", account.as_record(year.id))}


def _series_record(company: Company, code: str, year: FinancialYear | None, *, with_next: bool) -> Record:
    series = company.voucher_series[code]
    record: Record = {"Code": series.code, "Description": series.description, "Manual": series.manual}
    if year is not None:
        record["Year"] = year.id
        if with_next:
            record["NextVoucherNumber"] = company.next_voucher_number(code, year.id)
    return record


def _optional_year(company: Company, req: ApiRequest) -> FinancialYear | None:
    if req.params.get("financialyear") or req.params.get("financialyeardate"):
        return year_param(company, req)
    return company.current_financial_year()


def list_voucher_series(company: Company, req: ApiRequest) -> tuple[int, Any]:
    year = _optional_year(company, req)
    codes = sorted(company.voucher_series)
    page, meta = paginate(req, codes)
    items = [render("VoucherSeriesListItem", _series_record(company, c, year, with_next=False)) for c in page]
    return 200, {"MetaInformation": meta, "VoucherSeriesCollection": items}


def get_voucher_series(company: Company, req: ApiRequest) -> tuple[int, Any]:
    code = req.path_params["Code"]
    if code not in company.voucher_series:
        raise ApiError(404, errors.SERIES_NOT_FOUND, f"Verifikationsserien {code} finns inte")
    year = _optional_year(company, req)
    return 200, {"VoucherSeries": render("VoucherSeries", _series_record(company, code, year, with_next=True))}


_VOUCHERS = ListSpec(
    plural="Vouchers",
    schema="VoucherListItem",
    filters={"fromdate": date_from("TransactionDate"), "todate": date_to("TransactionDate")},
    filter_values={},
    sorts={},
    default_sort=lambda r: (r["VoucherSeries"], r["VoucherNumber"]),
)


def list_vouchers(company: Company, req: ApiRequest) -> tuple[int, Any]:
    year = year_param(company, req)
    series = req.path_params.get("VoucherSeries")
    records = [v for (y, s, _n), v in company.vouchers.items() if y == year.id and (series is None or s == series)]
    return list_response(req, records, _VOUCHERS, company.today())


def get_voucher(company: Company, req: ApiRequest) -> tuple[int, Any]:
    year = year_param(company, req)
    series, raw = req.path_params["VoucherSeries"], req.path_params["VoucherNumber"]
    voucher = company.vouchers.get((year.id, series, int(raw))) if raw.isdigit() else None
    if voucher is None:
        raise ApiError(404, errors.NOT_FOUND, f"Kan inte hitta verifikationen {series}{raw} i räkenskapsår {year.id}")
    return 200, {"Voucher": render("Voucher", voucher)}


def create_voucher(company: Company, req: ApiRequest) -> tuple[int, Any]:
    data = payload(req, "Voucher")
    year_id: int | None = None
    if req.params.get("financialyear"):
        year_id = int_param(req, "financialyear", 0, minimum=1)
    voucher = company.create_voucher(data, year_id)
    return 201, {"Voucher": render("Voucher", voucher)}


# -- customers, articles, suppliers --------------------------------------------------------------------------------


def _active_filters() -> dict[str, Callable[[Record, date], bool]]:
    return {"active": lambda r, _t: bool(r.get("Active", True)), "inactive": lambda r, _t: not r.get("Active", True)}


_CUSTOMERS = ListSpec(
    plural="Customers",
    schema="CustomerListItem",
    filters={
        name: substring(field)
        for name, field in {
            "customernumber": "CustomerNumber",
            "name": "Name",
            "zipcode": "ZipCode",
            "city": "City",
            "email": "Email",
            "phone": "Phone1",
            "gln": "GLN",
            "glndelivery": "GLNDelivery",
        }.items()
    }
    | {"organisationnumber": organisation_number("OrganisationNumber")},
    filter_values=_active_filters(),
    sorts={"customernumber": lambda r: number_key(r["CustomerNumber"]), "name": lambda r: str(r["Name"]).lower()},
    default_sort=lambda r: number_key(r["CustomerNumber"]),
    augment=lambda r: {**r, "Phone": r.get("Phone1")},
)


def list_customers(company: Company, req: ApiRequest) -> tuple[int, Any]:
    return list_response(req, company.customers.values(), _CUSTOMERS, company.today())


def get_customer(company: Company, req: ApiRequest) -> tuple[int, Any]:
    n = req.path_params["CustomerNumber"]
    record = _get(company.customers, n, errors.CUSTOMER_NOT_FOUND, f"Kan inte hitta kunden {n}")
    return 200, {"Customer": render("Customer", record)}


def create_customer(company: Company, req: ApiRequest) -> tuple[int, Any]:
    return 201, {"Customer": render("Customer", company.add_customer(payload(req, "Customer")))}


def update_customer(company: Company, req: ApiRequest) -> tuple[int, Any]:
    record = company.update_customer(req.path_params["CustomerNumber"], payload(req, "Customer"))
    return 200, {"Customer": render("Customer", record)}


_ARTICLES = ListSpec(
    plural="Articles",
    schema="ArticleListItem",
    filters={
        name: substring(field)
        for name, field in {
            "articlenumber": "ArticleNumber",
            "description": "Description",
            "ean": "EAN",
            "suppliernumber": "SupplierNumber",
            "manufacturer": "Manufacturer",
            "manufacturerarticlenumber": "ManufacturerArticleNumber",
        }.items()
    }
    | {"webshop": boolean("WebshopArticle")},
    filter_values=_active_filters(),
    sorts={
        "articlenumber": lambda r: number_key(r["ArticleNumber"]),
        "quantityinstock": lambda r: decimal_of(r.get("QuantityInStock")),
        "reservedquantity": lambda r: decimal_of(r.get("ReservedQuantity")),
        "stockvalue": lambda r: decimal_of(r.get("StockValue")),
    },
    default_sort=lambda r: number_key(r["ArticleNumber"]),
)


def list_articles(company: Company, req: ApiRequest) -> tuple[int, Any]:
    return list_response(req, company.articles.values(), _ARTICLES, company.today())


def get_article(company: Company, req: ApiRequest) -> tuple[int, Any]:
    n = req.path_params["ArticleNumber"]
    record = _get(company.articles, n, errors.ARTICLE_NOT_FOUND, f"Kan inte hitta artikeln {n}")
    return 200, {"Article": render("Article", record)}


def create_article(company: Company, req: ApiRequest) -> tuple[int, Any]:
    return 201, {"Article": render("Article", company.add_article(payload(req, "Article")))}


def update_article(company: Company, req: ApiRequest) -> tuple[int, Any]:
    record = company.update_article(req.path_params["ArticleNumber"], payload(req, "Article"))
    return 200, {"Article": render("Article", record)}


_SUPPLIERS = ListSpec(
    plural="Suppliers",
    schema="SupplierListItem",
    filters={
        name: substring(field)
        for name, field in {
            "suppliernumber": "SupplierNumber",
            "name": "Name",
        }.items()
    }
    | {"organisationnumber": organisation_number("OrganisationNumber")},
    filter_values=_active_filters(),
    sorts={"suppliernumber": lambda r: number_key(r["SupplierNumber"]), "name": lambda r: str(r["Name"]).lower()},
    default_sort=lambda r: number_key(r["SupplierNumber"]),
    augment=lambda r: {**r, "Phone": r.get("Phone1")},
)


def list_suppliers(company: Company, req: ApiRequest) -> tuple[int, Any]:
    return list_response(req, company.suppliers.values(), _SUPPLIERS, company.today())


def get_supplier(company: Company, req: ApiRequest) -> tuple[int, Any]:
    n = req.path_params["SupplierNumber"]
    record = _get(company.suppliers, n, errors.SUPPLIER_NOT_FOUND, f"Leverantören {n} hittades inte")
    return 200, {"Supplier": render("Supplier", record)}


def create_supplier(company: Company, req: ApiRequest) -> tuple[int, Any]:
    return 201, {"Supplier": render("Supplier", company.add_supplier(payload(req, "Supplier")))}


def update_supplier(company: Company, req: ApiRequest) -> tuple[int, Any]:
    record = company.update_supplier(req.path_params["SupplierNumber"], payload(req, "Supplier"))
    return 200, {"Supplier": render("Supplier", record)}


# -- invoices -------------------------------------------------------------------------------------------------------


def _unpaid(r: Record) -> bool:
    return not r.get("Cancelled") and decimal_of(r.get("Balance")) != 0


def _overdue(r: Record, today: date) -> bool:
    return _unpaid(r) and str(r.get("DueDate") or "9999") < today.isoformat()


_DOCUMENT_FILTERS: dict[str, Callable[[Record, date], bool]] = {
    "cancelled": lambda r, _t: bool(r.get("Cancelled")),
    "fullypaid": lambda r, _t: not r.get("Cancelled") and decimal_of(r.get("Balance")) == 0,
    "unpaid": lambda r, _t: _unpaid(r),
    "unpaidoverdue": _overdue,
    "unbooked": lambda r, _t: not r.get("Booked") and not r.get("Cancelled"),
}

_INVOICES = ListSpec(
    plural="Invoices",
    schema="InvoiceListItem",
    filters={
        name: substring(field)
        for name, field in {
            "costcenter": "CostCenter",
            "customername": "CustomerName",
            "customernumber": "CustomerNumber",
            "documentnumber": "DocumentNumber",
            "ocr": "OCR",
            "ourreference": "OurReference",
            "yourreference": "YourReference",
            "project": "Project",
            "externalinvoicereference1": "ExternalInvoiceReference1",
            "externalinvoicereference2": "ExternalInvoiceReference2",
            "invoicetype": "InvoiceType",
            "currency": "Currency",
            "yourordernumber": "YourOrderNumber",
        }.items()
    }
    | {
        "fromdate": date_from("InvoiceDate"),
        "todate": date_to("InvoiceDate"),
        "fromfinalpaydate": date_from("FinalPayDate"),
        "tofinalpaydate": date_to("FinalPayDate"),
        "sent": boolean("Sent"),
        "notcompleted": boolean("NotCompleted"),
        "credit": lambda r, v: (r.get("Credit") == "true") == (v.lower() == "true"),
        "articlenumber": lambda r, v: any(
            v.lower() in str(row.get("ArticleNumber") or "").lower() for row in r.get("InvoiceRows", [])
        ),
        "articledescription": lambda r, v: any(
            v.lower() in str(row.get("Description") or "").lower() for row in r.get("InvoiceRows", [])
        ),
    },
    filter_values=_DOCUMENT_FILTERS,
    sorts={
        "customername": lambda r: str(r.get("CustomerName") or "").lower(),
        "customernumber": lambda r: number_key(r.get("CustomerNumber")),
        "documentnumber": lambda r: number_key(r["DocumentNumber"]),
        "invoicedate": lambda r: str(r.get("InvoiceDate") or ""),
        "ocr": lambda r: str(r.get("OCR") or ""),
        "total": lambda r: decimal_of(r.get("Total")),
    },
    default_sort=lambda r: number_key(r["DocumentNumber"]),
)


def list_invoices(company: Company, req: ApiRequest) -> tuple[int, Any]:
    return list_response(req, company.invoices.values(), _INVOICES, company.today())


def get_invoice(company: Company, req: ApiRequest) -> tuple[int, Any]:
    n = req.path_params["DocumentNumber"]
    record = _get(company.invoices, n, errors.NOT_FOUND, f"Kan inte hitta fakturan {n}")
    return 200, {"Invoice": render("Invoice", record)}


def create_invoice(company: Company, req: ApiRequest) -> tuple[int, Any]:
    return 201, {"Invoice": render("Invoice", company.add_invoice(payload(req, "Invoice")))}


def update_invoice(company: Company, req: ApiRequest) -> tuple[int, Any]:
    record = company.update_invoice(req.path_params["DocumentNumber"], payload(req, "Invoice"))
    return 200, {"Invoice": render("Invoice", record)}


def invoice_action(action: str) -> Handler:
    def handle(company: Company, req: ApiRequest) -> tuple[int, Any]:
        n = req.path_params["DocumentNumber"]
        if action == "bookkeep":
            record = company.bookkeep_invoice(n)
        elif action == "cancel":
            record = company.cancel_invoice(n)
        elif action == "credit":
            record = company.credit_invoice(n)
        else:
            record = company.send_invoice(n, action)
        return 200, {"Invoice": render("Invoice", record)}

    return handle


# -- supplier invoices ------------------------------------------------------------------------------------------


_SUPPLIER_INVOICE_FILTERS = {
    **_DOCUMENT_FILTERS,
    "pendingpayment": lambda r, _t: bool(r.get("PaymentPending")),
    "authorizepending": lambda r, _t: not r.get("Cancelled") and not r.get("_approved_payment"),
}

_SUPPLIER_INVOICES = ListSpec(
    plural="SupplierInvoices",
    schema="SupplierInvoiceListItem",
    filters={
        name: substring(field)
        for name, field in {
            "suppliernumber": "SupplierNumber",
            "suppliername": "SupplierName",
            "invoicenumber": "InvoiceNumber",
            "ocr": "OCR",
            "givennumber": "GivenNumber",
            "externalinvoicenumber": "ExternalInvoiceNumber",
        }.items()
    }
    | {"fromdate": date_from("InvoiceDate"), "todate": date_to("InvoiceDate")},
    filter_values=_SUPPLIER_INVOICE_FILTERS,
    sorts={"givennumber": lambda r: number_key(r["GivenNumber"]), "invoicedate": lambda r: str(r["InvoiceDate"])},
    default_sort=lambda r: number_key(r["GivenNumber"]),
    augment=lambda r: {**r, "Cancel": r.get("Cancelled")},
)


def list_supplier_invoices(company: Company, req: ApiRequest) -> tuple[int, Any]:
    return list_response(req, company.supplier_invoices.values(), _SUPPLIER_INVOICES, company.today())


def get_supplier_invoice(company: Company, req: ApiRequest) -> tuple[int, Any]:
    n = req.path_params["GivenNumber"]
    record = _get(company.supplier_invoices, n, errors.NOT_FOUND, f"Kan inte hitta leverantörsfakturan {n}")
    return 200, {"SupplierInvoice": render("SupplierInvoice", record)}


def create_supplier_invoice(company: Company, req: ApiRequest) -> tuple[int, Any]:
    record = company.add_supplier_invoice(payload(req, "SupplierInvoice"))
    return 201, {"SupplierInvoice": render("SupplierInvoice", record)}


def supplier_invoice_action(action: str) -> Handler:
    def handle(company: Company, req: ApiRequest) -> tuple[int, Any]:
        n = req.path_params["GivenNumber"]
        if action == "bookkeep":
            record = company.bookkeep_supplier_invoice(n)
        elif action == "cancel":
            record = company.cancel_supplier_invoice(n)
        else:
            record = company.approve_supplier_invoice(n, action.removeprefix("approval"))
        return 200, {"SupplierInvoice": render("SupplierInvoice", record)}

    return handle


# -- orders ---------------------------------------------------------------------------------------------------------

_ORDERS = ListSpec(
    plural="Orders",
    schema="OrderListItem",
    filters={
        name: substring(field)
        for name, field in {
            "customername": "CustomerName",
            "customernumber": "CustomerNumber",
            "documentnumber": "DocumentNumber",
            "externalinvoicereference1": "ExternalInvoiceReference1",
            "externalinvoicereference2": "ExternalInvoiceReference2",
            "ourreference": "OurReference",
            "yourreference": "YourReference",
            "costcenter": "CostCenter",
            "project": "Project",
            "ordertype": "OrderType",
        }.items()
    }
    | {
        "fromdate": date_from("OrderDate"),
        "todate": date_to("OrderDate"),
        "sent": boolean("Sent"),
        "notcompleted": boolean("NotCompleted"),
    },
    filter_values={
        "cancelled": lambda r, _t: bool(r.get("Cancelled")),
        "expired": lambda r, t: not r.get("Cancelled") and str(r.get("DeliveryDate") or "9999") < t.isoformat(),
        "invoicecreated": lambda r, _t: bool(r.get("InvoiceReference")),
        "invoicenotcreated": lambda r, _t: not r.get("InvoiceReference") and not r.get("Cancelled"),
    },
    sorts={
        "customername": lambda r: str(r.get("CustomerName") or "").lower(),
        "customernumber": lambda r: number_key(r.get("CustomerNumber")),
        "orderdate": lambda r: str(r.get("OrderDate") or ""),
        "documentnumber": lambda r: number_key(r["DocumentNumber"]),
        "total": lambda r: decimal_of(r.get("Total"), Decimal(0)),
    },
    default_sort=lambda r: number_key(r["DocumentNumber"]),
)


def list_orders(company: Company, req: ApiRequest) -> tuple[int, Any]:
    return list_response(req, company.orders.values(), _ORDERS, company.today())


def get_order(company: Company, req: ApiRequest) -> tuple[int, Any]:
    n = req.path_params["DocumentNumber"]
    record = _get(company.orders, n, errors.NOT_FOUND, f"Kan inte hitta ordern {n}")
    return 200, {"Order": render("Order", record)}


def create_order(company: Company, req: ApiRequest) -> tuple[int, Any]:
    return 201, {"Order": render("Order", company.add_order(payload(req, "Order")))}


# -- the route table -------------------------------------------------------------------------------------------------


def _routes() -> list[Route]:
    book = BOOKKEEPING
    r: list[tuple[str, str, str | None, str | None, Handler]] = [
        ("GET", "/3/companyinformation", "companyinformation", None, get_company_information),
        ("GET", "/3/me", None, None, get_me),
        ("GET", "/3/settings/lockedperiod", "settings", book, get_locked_period),
        ("GET", "/3/predefinedaccounts", "settings", book, list_predefined_accounts),
        ("GET", "/3/predefinedaccounts/{name}", "settings", book, get_predefined_account),
        ("GET", "/3/financialyears", "bookkeeping", book, list_financial_years),
        ("GET", "/3/financialyears/{Id}", "bookkeeping", book, get_financial_year),
        ("GET", "/3/accounts", "bookkeeping", book, list_accounts),
        ("GET", "/3/accounts/{Number}", "bookkeeping", book, get_account),
        ("GET", "/3/voucherseries", "bookkeeping", book, list_voucher_series),
        ("GET", "/3/voucherseries/{Code}", "bookkeeping", book, get_voucher_series),
        ("GET", "/3/vouchers", "bookkeeping", book, list_vouchers),
        ("POST", "/3/vouchers", "bookkeeping", book, create_voucher),
        ("GET", "/3/vouchers/sublist/{VoucherSeries}", "bookkeeping", book, list_vouchers),
        ("GET", "/3/vouchers/{VoucherSeries}/{VoucherNumber}", "bookkeeping", book, get_voucher),
        ("GET", "/3/customers", "customer", INVOICING, list_customers),
        ("POST", "/3/customers", "customer", INVOICING, create_customer),
        ("GET", "/3/customers/{CustomerNumber}", "customer", INVOICING, get_customer),
        ("PUT", "/3/customers/{CustomerNumber}", "customer", INVOICING, update_customer),
        ("GET", "/3/articles", "article", INVOICING, list_articles),
        ("POST", "/3/articles", "article", INVOICING, create_article),
        ("GET", "/3/articles/{ArticleNumber}", "article", INVOICING, get_article),
        ("PUT", "/3/articles/{ArticleNumber}", "article", INVOICING, update_article),
        ("GET", "/3/suppliers", "supplier", book, list_suppliers),
        ("POST", "/3/suppliers", "supplier", book, create_supplier),
        ("GET", "/3/suppliers/{SupplierNumber}", "supplier", book, get_supplier),
        ("PUT", "/3/suppliers/{SupplierNumber}", "supplier", book, update_supplier),
        ("GET", "/3/invoices", "invoice", INVOICING, list_invoices),
        ("POST", "/3/invoices", "invoice", INVOICING, create_invoice),
        ("GET", "/3/invoices/{DocumentNumber}", "invoice", INVOICING, get_invoice),
        ("PUT", "/3/invoices/{DocumentNumber}", "invoice", INVOICING, update_invoice),
        ("GET", "/3/supplierinvoices", "supplierinvoice", book, list_supplier_invoices),
        ("POST", "/3/supplierinvoices", "supplierinvoice", book, create_supplier_invoice),
        ("GET", "/3/supplierinvoices/{GivenNumber}", "supplierinvoice", book, get_supplier_invoice),
        ("GET", "/3/orders", "order", ORDER, list_orders),
        ("POST", "/3/orders", "order", ORDER, create_order),
        ("GET", "/3/orders/{DocumentNumber}", "order", ORDER, get_order),
    ]
    for action in ("bookkeep", "cancel", "credit", "externalprint"):
        r.append(("PUT", f"/3/invoices/{{DocumentNumber}}/{action}", "invoice", INVOICING, invoice_action(action)))
    for action in ("email", "eprint", "einvoice"):
        r.append(("GET", f"/3/invoices/{{DocumentNumber}}/{action}", "invoice", INVOICING, invoice_action(action)))
    for action in ("approvalbookkeep", "approvalpayment", "bookkeep", "cancel"):
        r.append(
            (
                "PUT",
                f"/3/supplierinvoices/{{GivenNumber}}/{action}",
                "supplierinvoice",
                book,
                supplier_invoice_action(action),
            )
        )
    return [Route(method, template, scope, licence, handler) for method, template, scope, licence, handler in r]


def build_router() -> Router:
    return Router(_routes())
