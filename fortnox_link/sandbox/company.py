"""One Fortnox company: its state and the bookkeeping rules Fortnox enforces on it.

Records (customers, articles, suppliers, invoices, supplier invoices, orders, vouchers) are plain dicts keyed by
Fortnox's field names, holding internal values: `Decimal` for every amount, `str` for texts and ISO dates, `int`,
`bool`, nested dicts/lists. Keys starting with `_` are internal (`_modified`, the last-modified time by the
sandbox clock) and never sent. `fields.render` turns a record into what Fortnox would send.

Every public method takes the company lock (re-entrant), so tests can shape a running sandbox directly:
`sb.company.add_customer({...})`, `add_financial_year(...)`, `set_account_active(year_id, 4011, False)`,
`licences.discard("invoicing")`, `set_locked_period(date)`.

Rules and their error codes are listed in `errors.py`. Bookkeeping an invoice posts to series B: debit the
receivable (predefined CUSTCLAIM, 1510) with Total, credit each sales account with its net, credit output VAT per
rate (OUTVAT_MP1/2/3: 2611/2621/2631), credit freight (3520) and fees (3540), and put the rounding on ROUNDOFF
(3740). A supplier invoice posts its rows to series D.
"""

from __future__ import annotations

import copy
import functools
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Concatenate, ParamSpec, TypeVar

from . import errors, fields
from .config import Clock
from .errors import ApiError
from .fields import decimal_of, money
from .pricing import VAT_RATES, apply_totals, compute_totals, ocr_for, quantity_text, round_kronor

Record = dict[str, Any]

INTEGRATION = "integration"
BOOKKEEPING = "bookkeeping"
INVOICING = "invoicing"
ORDER = "order"
ALL_LICENCES = frozenset({INTEGRATION, BOOKKEEPING, INVOICING, ORDER})

#: Exchange rates (SEK per unit) used when a document in another currency gives none. Fixed, not market data.
DEFAULT_CURRENCY_RATES: dict[str, Decimal] = {
    "SEK": Decimal("1"),
    "EUR": Decimal("11.20"),
    "USD": Decimal("10.40"),
    "NOK": Decimal("0.98"),
    "DKK": Decimal("1.50"),
    "GBP": Decimal("13.10"),
}

#: Predefined accounts of a BAS company (names as a real company's /3/predefinedaccounts lists them; PURCHASE is
#: the sandbox's own name for the default cost account of a supplier invoice registered without rows).
DEFAULT_PREDEFINED_ACCOUNTS: dict[str, int] = {
    "CUSTCLAIM": 1510,
    "SUPDEBT": 2440,
    "OUTVAT_MP1": 2611,
    "OUTVAT_MP2": 2621,
    "OUTVAT_MP3": 2631,
    "INVAT": 2641,
    "SALES": 3001,
    "FREIGHT": 3520,
    "ADMFEE": 3540,
    "ROUNDOFF": 3740,
    "CURRENCYWIN": 3960,
    "CURRENCYLOSS": 7960,
    "CASH": 1910,
    "CASHBYCARD": 1930,
    "PURCHASE": 4010,
}

_OUTVAT_BY_RATE = {25: "OUTVAT_MP1", 12: "OUTVAT_MP2", 6: "OUTVAT_MP3"}
_SALES_ACCOUNT_BY_RATE = {25: 3001, 12: 3002, 6: 3003, 0: 3004}
_REVERSED_VAT_TYPES = {"EUREVERSEDVAT": 3108, "EXPORT": 3105, "SEREVERSEDVAT": 3231}
_FORBIDDEN_IN_NUMBERS = re.compile(r"[/\\?#%\x00-\x1f\x7f]")
_SYSTEM_ROW_CODES = frozenset({"TOT", "VAT", "ROV"})

P = ParamSpec("P")
R = TypeVar("R")


def _locked(method: Callable[Concatenate[Company, P], R]) -> Callable[Concatenate[Company, P], R]:
    def wrapper(self: Company, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.lock:
            return method(self, *args, **kwargs)

    functools.update_wrapper(wrapper, method)
    return wrapper


def as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


@dataclass
class FinancialYear:
    id: int
    from_date: date
    to_date: date
    accounting_method: str = "ACCRUAL"
    account_chart_type: str = "BAS 2025"

    def contains(self, day: date) -> bool:
        return self.from_date <= day <= self.to_date

    def as_record(self) -> Record:
        return {
            "Id": self.id,
            "FromDate": self.from_date.isoformat(),
            "ToDate": self.to_date.isoformat(),
            "AccountingMethod": self.accounting_method,
            "AccountChartType": self.account_chart_type,
        }


@dataclass
class Account:
    number: int
    description: str
    active: bool = True
    sru: int | None = None
    vat_code: str = ""
    cost_center_settings: str = "ALLOWED"
    project_settings: str = "ALLOWED"
    modified: float = 0.0

    def as_record(self, year_id: int) -> Record:
        return {
            "Number": self.number,
            "Description": self.description,
            "Active": self.active,
            "Year": year_id,
            "SRU": self.sru,
            "VATCode": self.vat_code,
            "CostCenterSettings": self.cost_center_settings,
            "ProjectSettings": self.project_settings,
            "TransactionInformationSettings": "ALLOWED",
            "QuantitySettings": "ALLOWED",
            "BalanceBroughtForward": Decimal("0.00"),
            "BalanceCarriedForward": Decimal("0.00"),
            "_modified": self.modified,
        }


@dataclass
class VoucherSeriesDef:
    code: str
    description: str
    manual: bool = True
    modified: float = 0.0


@dataclass
class CompanyProfile:
    """What /3/companyinformation and /3/me tell."""

    name: str = "Sandlådan AB"
    organisation_number: str = "559999-0006"
    database_number: int = 0
    address: str = "Storgatan 1"
    zip_code: str = "111 22"
    city: str = "Stockholm"
    country_code: str = "SE"
    user_name: str = "Sandra Sandlåda"
    user_email: str = "sandra@example.se"
    user_id: str = "sandbox-user-1"
    locale: str = "sv_SE"
    sys_admin: bool = True


@dataclass(eq=False)
class Company:
    clock: Clock
    profile: CompanyProfile = field(default_factory=CompanyProfile)
    licences: set[str] = field(default_factory=lambda: set(ALL_LICENCES))
    financial_years: dict[int, FinancialYear] = field(default_factory=dict)
    #: Chart of accounts per financial year id.
    accounts: dict[int, dict[int, Account]] = field(default_factory=dict)
    voucher_series: dict[str, VoucherSeriesDef] = field(default_factory=dict)
    #: Vouchers keyed by (financial year id, series, number).
    vouchers: dict[tuple[int, str, int], Record] = field(default_factory=dict)
    predefined_accounts: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PREDEFINED_ACCOUNTS))
    locked_period_end: date | None = None
    customers: dict[str, Record] = field(default_factory=dict)
    articles: dict[str, Record] = field(default_factory=dict)
    suppliers: dict[str, Record] = field(default_factory=dict)
    invoices: dict[str, Record] = field(default_factory=dict)
    supplier_invoices: dict[str, Record] = field(default_factory=dict)
    orders: dict[str, Record] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    locked_period_modified: float = 0.0

    @property
    def info(self) -> Record:
        """What `GET /3/companyinformation` answers (CompanyName, OrganizationNumber, DatabaseNumber, ...)."""
        p = self.profile
        return {
            "CompanyName": p.name,
            "OrganizationNumber": p.organisation_number,
            "DatabaseNumber": p.database_number,
            "Address": p.address,
            "ZipCode": p.zip_code,
            "City": p.city,
            "CountryCode": p.country_code,
            "VisitAddress": p.address,
            "VisitZipCode": p.zip_code,
            "VisitCity": p.city,
            "VisitCountryCode": p.country_code,
        }

    # -- time ----------------------------------------------------------------------------------------------------

    def now(self) -> float:
        return self.clock()

    def today(self) -> date:
        return datetime.fromtimestamp(self.clock()).date()

    def touch(self, record: Record) -> Record:
        record["_modified"] = self.clock()
        return record

    # -- financial years and chart of accounts -----------------------------------------------------------------

    @_locked
    def add_financial_year(
        self,
        from_date: date | str,
        to_date: date | str,
        *,
        copy_accounts_from: int | None = None,
        accounting_method: str = "ACCRUAL",
    ) -> FinancialYear:
        """Create a financial year; its chart is copied from `copy_accounts_from` or the latest year."""
        start, end = as_date(from_date), as_date(to_date)
        if end < start:
            raise ValueError("a financial year cannot end before it starts")
        for other in self.financial_years.values():
            if other.from_date <= end and start <= other.to_date:
                raise ValueError(f"financial year {start} - {end} overlaps year {other.id}")
        year_id = max(self.financial_years, default=0) + 1
        year = FinancialYear(year_id, start, end, accounting_method)
        source = copy_accounts_from if copy_accounts_from is not None else max(self.financial_years, default=None)
        self.financial_years[year_id] = year
        now = self.clock()
        chart: dict[int, Account] = {}
        for number, account in (self.accounts.get(source, {}) if source is not None else {}).items():
            chart[number] = copy.copy(account)
            chart[number].modified = now
        self.accounts[year_id] = chart
        return year

    @_locked
    def remove_financial_year(self, year_id: int) -> None:
        self.financial_years.pop(year_id, None)
        self.accounts.pop(year_id, None)

    def financial_year(self, year_id: int) -> FinancialYear | None:
        return self.financial_years.get(year_id)

    @_locked
    def financial_year_for(self, day: date | str) -> FinancialYear | None:
        wanted = as_date(day)
        return next((fy for fy in self.financial_years.values() if fy.contains(wanted)), None)

    def current_financial_year(self) -> FinancialYear | None:
        return self.financial_year_for(self.today())

    @_locked
    def add_account(
        self,
        year_id: int | None,
        number: int,
        description: str,
        *,
        active: bool = True,
        sru: int | None = None,
        vat_code: str = "",
    ) -> None:
        """Add (or replace) an account in one financial year, or in every year when `year_id` is None."""
        years = list(self.financial_years) if year_id is None else [year_id]
        for y in years:
            self.accounts.setdefault(y, {})[number] = Account(
                number, description, active, sru, vat_code, modified=self.clock()
            )

    @_locked
    def load_chart(self, year_id: int, entries: Iterable[Account]) -> None:
        chart = self.accounts.setdefault(year_id, {})
        for account in entries:
            chart[account.number] = copy.copy(account)

    @_locked
    def set_account_active(self, year_id: int | None, number: int, active: bool) -> None:
        years = list(self.financial_years) if year_id is None else [year_id]
        for y in years:
            account = self.accounts.get(y, {}).get(number)
            if account is None:
                raise KeyError(f"account {number} does not exist in financial year {y}")
            account.active = active
            account.modified = self.clock()

    def account(self, year_id: int, number: int) -> Account | None:
        return self.accounts.get(year_id, {}).get(number)

    @_locked
    def add_voucher_series(self, code: str, description: str, *, manual: bool = True) -> VoucherSeriesDef:
        series = VoucherSeriesDef(code, description, manual, self.clock())
        self.voucher_series[code] = series
        return series

    @_locked
    def set_locked_period(self, end: date | str | None) -> None:
        self.locked_period_end = as_date(end) if end else None
        self.locked_period_modified = self.clock()

    @_locked
    def next_voucher_number(self, series: str, year_id: int) -> int:
        used = [n for (y, s, n) in self.vouchers if y == year_id and s == series]
        return max(used, default=0) + 1

    # -- vouchers ------------------------------------------------------------------------------------------------

    @_locked
    def create_voucher(
        self,
        data: Mapping[str, Any],
        financial_year_id: int | None = None,
        *,
        manual: bool = True,
        reference_type: str = "MANUAL",
        reference_number: str | None = None,
        check_locked_period: bool = True,
    ) -> Record:
        """Post a voucher as `POST /3/vouchers?financialyear=` does; `manual=False` is for Fortnox's own postings."""
        v = fields.parse("Voucher", data)
        code = _required(v, "VoucherSeries")
        day_text = _required(v, "TransactionDate")
        description = str(v.get("Description") or "").strip()
        if not description:
            raise ApiError(400, errors.REQUIRED_FIELD, "Fältet Description (verifikationstext) måste fyllas i")
        day = date.fromisoformat(day_text)
        year: FinancialYear | None = None
        if financial_year_id is not None:
            year = self.financial_years.get(financial_year_id)
            if year is None:
                raise ApiError(400, errors.FINANCIAL_YEAR_NOT_FOUND, f"Räkenskapsåret {financial_year_id} finns inte")
        year_of_day = self.financial_year_for(day)
        if year_of_day is None:
            raise ApiError(400, errors.NO_FINANCIAL_YEAR, f"Det finns inget räkenskapsår för datumet {day}")
        if year is None:
            year = year_of_day
        elif not year.contains(day):
            raise ApiError(
                400,
                errors.DATE_OUTSIDE_YEAR,
                f"Transaktionsdatumet {day} ligger utanför räkenskapsåret {year.from_date} - {year.to_date}",
            )
        if "Year" in v and v["Year"] != year.id:
            raise ApiError(
                400,
                errors.YEAR_MISMATCH,
                f"Angivet räkenskapsår (Year {v['Year']}) stämmer inte med financialyear {year.id}",
            )
        series = self.voucher_series.get(code)
        if series is None:
            raise ApiError(400, errors.SERIES_NOT_FOUND, f"Verifikationsserien {code} finns inte")
        if manual and not series.manual:
            raise ApiError(400, errors.SERIES_NOT_MANUAL, f"Verifikationsserien {code} tillåter inte manuell kontering")
        if check_locked_period and self.locked_period_end is not None and day <= self.locked_period_end:
            raise ApiError(
                400,
                errors.PERIOD_LOCKED,
                f"Perioden är låst. Datumet {day} ligger i en låst period (till och med {self.locked_period_end})",
            )
        rows_in = [r for r in v.get("VoucherRows") or [] if not r.get("Removed")]
        if len(rows_in) < 2:
            raise ApiError(400, errors.VOUCHER_ROW_INVALID, "En verifikation måste ha minst två rader")
        rows: list[Record] = []
        debit_sum = credit_sum = Decimal("0.00")
        for index, row in enumerate(rows_in, start=1):
            if "Account" not in row:
                raise ApiError(400, errors.REQUIRED_FIELD, f"Konto saknas på verifikationsrad {index}")
            account = self._posting_account(year, int(row["Account"]))
            debit = money(row.get("Debit") or 0)
            credit = money(row.get("Credit") or 0)
            if debit < 0 or credit < 0:
                raise ApiError(
                    400, errors.VOUCHER_ROW_INVALID, f"Negativt belopp på verifikationsrad {index}: byt sida i stället"
                )
            if (debit == 0) == (credit == 0):
                raise ApiError(
                    400,
                    errors.VOUCHER_ROW_INVALID,
                    f"Varje verifikationsrad måste ha antingen debet eller kredit (rad {index})",
                )
            debit_sum += debit
            credit_sum += credit
            out: Record = {
                "Account": account.number,
                "Debit": debit,
                "Credit": credit,
                "Description": account.description,
                "Removed": False,
            }
            for key in ("TransactionInformation", "CostCenter", "Project", "Quantity"):
                if key in row:
                    out[key] = row[key]
            rows.append(out)
        if debit_sum != credit_sum or debit_sum <= 0:
            raise ApiError(
                400,
                errors.VOUCHER_NOT_BALANCED,
                f"Verifikationen är inte balanserad (debet {debit_sum}, kredit {credit_sum})",
            )
        number = self.next_voucher_number(code, year.id)
        voucher: Record = {
            "VoucherSeries": code,
            "VoucherNumber": number,
            "Year": year.id,
            "Description": description,
            "TransactionDate": day.isoformat(),
            "ReferenceType": reference_type,
            "ApprovalState": 0,
            "VoucherRows": rows,
        }
        if reference_number is not None:
            voucher["ReferenceNumber"] = reference_number
        for key in ("Comments", "CostCenter", "Project"):
            if key in v:
                voucher[key] = v[key]
        self.touch(voucher)
        self.vouchers[(year.id, code, number)] = voucher
        return voucher

    def _posting_account(self, year: FinancialYear, number: int) -> Account:
        account = self.account(year.id, number)
        if account is None:
            raise ApiError(400, errors.ACCOUNT_NOT_FOUND, f"Kan inte hitta kontot {number}")
        if not account.active:
            raise ApiError(400, errors.ACCOUNT_INACTIVE, f"Kontot {number} är inte aktivt")
        return account

    def _post(
        self,
        day: date,
        series: str,
        description: str,
        amounts: list[tuple[int, Decimal]],
        *,
        reference_type: str,
        reference_number: str,
    ) -> Record:
        """Post Fortnox's own voucher: amounts are signed (+ debit, - credit), zero lines left out."""
        merged: dict[int, Decimal] = {}
        for account, amount in amounts:
            merged[account] = merged.get(account, Decimal("0.00")) + amount
        rows = [
            {"Account": a, "Debit": amt if amt > 0 else Decimal("0.00"), "Credit": -amt if amt < 0 else Decimal("0.00")}
            for a, amt in merged.items()
            if amt != 0
        ]
        year = self.financial_year_for(day)
        if year is None:
            raise ApiError(400, errors.NO_FINANCIAL_YEAR, f"Det finns inget räkenskapsår för datumet {day}")
        return self.create_voucher(
            {
                "VoucherSeries": series,
                "TransactionDate": day.isoformat(),
                "Description": description[:200],
                "VoucherRows": rows,
            },
            year.id,
            manual=False,
            reference_type=reference_type,
            reference_number=reference_number,
        )

    def predefined(self, name: str) -> int:
        number = self.predefined_accounts.get(name)
        if number is None:
            raise ApiError(400, errors.PREDEFINED_ACCOUNT_NOT_FOUND, f"Kunde inte hitta konto ({name})")
        return number

    # -- customers, articles, suppliers --------------------------------------------------------------------------

    @_locked
    def add_customer(self, data: Mapping[str, Any]) -> Record:
        c = fields.parse("Customer", data)
        if not str(c.get("Name") or "").strip():
            raise ApiError(400, errors.REQUIRED_FIELD, "Fältet Name (kundnamn) måste fyllas i")
        number = c.get("CustomerNumber") or _next_number(self.customers)
        _check_number("CustomerNumber", number)
        if number in self.customers:
            raise ApiError(400, errors.CUSTOMER_NUMBER_USED, f"Kundnummer {number} används redan.")
        record: Record = {
            "Active": True,
            "Type": "COMPANY",
            "Currency": "SEK",
            "CountryCode": "SE",
            "Country": "Sverige",
            "VATType": "SEVAT",
            "TermsOfPayment": "30",
            "ShowPriceVATIncluded": False,
            **c,
            "CustomerNumber": number,
        }
        self.customers[number] = self.touch(record)
        return record

    @_locked
    def update_customer(self, number: str, data: Mapping[str, Any]) -> Record:
        record = self.customers.get(number)
        if record is None:
            raise ApiError(404, errors.CUSTOMER_NOT_FOUND, f"Kan inte hitta kunden {number}")
        c = fields.parse("Customer", data)
        if "Name" in c and not str(c["Name"]).strip():
            raise ApiError(400, errors.REQUIRED_FIELD, "Fältet Name (kundnamn) måste fyllas i")
        c.pop("CustomerNumber", None)
        record.update(c)
        return self.touch(record)

    @_locked
    def add_article(self, data: Mapping[str, Any]) -> Record:
        a = fields.parse("Article", data)
        if not str(a.get("Description") or "").strip():
            raise ApiError(400, errors.REQUIRED_FIELD, "Fältet Description (benämning) måste fyllas i")
        number = a.get("ArticleNumber") or _next_number(self.articles)
        _check_number("ArticleNumber", number)
        if number in self.articles:
            raise ApiError(400, errors.ARTICLE_NUMBER_USED, f"Artikelnummer {number} används redan")
        _check_vat_rate(a.get("VAT"))
        record: Record = {
            "Active": True,
            "Type": "STOCK",
            "Unit": "st",
            "VAT": Decimal(25),
            "SalesPrice": Decimal("0.00"),
            "PurchasePrice": Decimal("0.00"),
            "StockGoods": False,
            "QuantityInStock": Decimal(0),
            "ReservedQuantity": Decimal(0),
            "DisposableQuantity": Decimal(0),
            "StockValue": Decimal("0.00"),
            "Housework": False,
            "WebshopArticle": False,
            "Expired": False,
            **a,
            "ArticleNumber": number,
        }
        self.articles[number] = self.touch(record)
        return record

    @_locked
    def update_article(self, number: str, data: Mapping[str, Any]) -> Record:
        record = self.articles.get(number)
        if record is None:
            raise ApiError(404, errors.ARTICLE_NOT_FOUND, f"Kan inte hitta artikeln {number}")
        a = fields.parse("Article", data)
        if "Description" in a and not str(a["Description"]).strip():
            raise ApiError(400, errors.REQUIRED_FIELD, "Fältet Description (benämning) måste fyllas i")
        _check_vat_rate(a.get("VAT"))
        a.pop("ArticleNumber", None)
        record.update(a)
        return self.touch(record)

    @_locked
    def add_supplier(self, data: Mapping[str, Any]) -> Record:
        s = fields.parse("Supplier", data)
        if not str(s.get("Name") or "").strip():
            raise ApiError(400, errors.REQUIRED_FIELD, "Fältet Name (leverantörsnamn) måste fyllas i")
        number = s.get("SupplierNumber") or _next_number(self.suppliers)
        _check_number("SupplierNumber", number)
        if number in self.suppliers:
            raise ApiError(400, errors.SUPPLIER_NUMBER_USED, f"Leverantörsnummer {number} används redan")
        record: Record = {
            "Active": True,
            "Currency": "SEK",
            "CountryCode": "SE",
            "Country": "Sverige",
            "TermsOfPayment": "30",
            "DisablePaymentFile": False,
            **s,
            "SupplierNumber": number,
        }
        self.suppliers[number] = self.touch(record)
        return record

    @_locked
    def update_supplier(self, number: str, data: Mapping[str, Any]) -> Record:
        record = self.suppliers.get(number)
        if record is None:
            raise ApiError(404, errors.SUPPLIER_NOT_FOUND, f"Leverantören {number} hittades inte")
        s = fields.parse("Supplier", data)
        if "Name" in s and not str(s["Name"]).strip():
            raise ApiError(400, errors.REQUIRED_FIELD, "Fältet Name (leverantörsnamn) måste fyllas i")
        s.pop("SupplierNumber", None)
        record.update(s)
        return self.touch(record)

    # -- invoices ------------------------------------------------------------------------------------------------

    @_locked
    def add_invoice(self, data: Mapping[str, Any]) -> Record:
        """Create an invoice as `POST /3/invoices` does (validation, defaults from the customer, totals)."""
        inv = fields.parse("InvoicePayload", data)
        customer = self._customer_for_document(inv.get("CustomerNumber"))
        number = inv.get("DocumentNumber") or _next_number(self.invoices)
        _check_number("DocumentNumber", number)
        if number in self.invoices:
            raise ApiError(400, errors.DOCUMENT_NUMBER_USED, f"Dokumentnummer {number} används redan")
        record: Record = {
            "InvoiceType": "INVOICE",
            "Language": "SV",
            "VATIncluded": False,
            "AccountingMethod": "ACCRUAL",
            "Booked": False,
            "Cancelled": False,
            "Sent": False,
            "Credit": "false",
            "NotCompleted": False,
            "EUQuarterlyReport": False,
            "HouseWork": False,
            "Reminders": 0,
            **_customer_defaults(customer),
            **inv,
            "DocumentNumber": number,
        }
        self._complete_sales_document(record, customer, date_key="InvoiceDate", rows_key="InvoiceRows")
        record.setdefault("OCR", ocr_for(number))
        record["Balance"] = record["Total"]
        self.invoices[number] = self.touch(record)
        return record

    @_locked
    def update_invoice(self, number: str, data: Mapping[str, Any]) -> Record:
        record = self._invoice(number)
        if record["Booked"]:
            raise ApiError(400, errors.DOCUMENT_BOOKED, f"Faktura {number} är bokförd och kan inte ändras")
        if record["Cancelled"]:
            raise ApiError(400, errors.DOCUMENT_CANCELLED, f"Faktura {number} är makulerad")
        inv = fields.parse("InvoicePayload", data)
        inv.pop("DocumentNumber", None)
        customer = self._customer_for_document(inv.get("CustomerNumber", record["CustomerNumber"]))
        if inv.get("CustomerNumber", record["CustomerNumber"]) != record["CustomerNumber"]:
            record.update(_customer_defaults(customer))
        record.update(inv)
        self._complete_sales_document(record, customer, date_key="InvoiceDate", rows_key="InvoiceRows")
        record["Balance"] = record["Total"]
        return self.touch(record)

    @_locked
    def bookkeep_invoice(self, number: str) -> Record:
        record = self._invoice(number)
        if record["Cancelled"]:
            raise ApiError(400, errors.DOCUMENT_CANCELLED, f"Faktura {number} är makulerad")
        if record["Booked"]:
            raise ApiError(400, errors.ALREADY_BOOKED, f"Faktura {number} är redan bokförd")
        day = date.fromisoformat(record["InvoiceDate"])
        rate = _rate(record)
        totals = record["_totals"]
        amounts: list[tuple[int, Decimal]] = []
        for account, net in totals["net_by_account"].items():
            amounts.append((account, -money(net * rate)))
        for vat_rate, vat in totals["vat_by_rate"].items():
            amounts.append((self.predefined(_OUTVAT_BY_RATE[vat_rate]), -money(vat * rate)))
        if record.get("Freight"):
            amounts.append((self.predefined("FREIGHT"), -money(record["Freight"] * rate)))
        if record.get("AdministrationFee"):
            amounts.append((self.predefined("ADMFEE"), -money(record["AdministrationFee"] * rate)))
        receivable = money(record["Total"] * rate)
        amounts.append((self.predefined("CUSTCLAIM"), receivable))
        residual = sum((a for _, a in amounts), Decimal("0.00"))
        if residual:
            amounts.append((self.predefined("ROUNDOFF"), -residual))
        voucher = self._post(
            day,
            "B",
            f"Kundfaktura {number}, {record.get('CustomerName', '')}".strip(", "),
            amounts,
            reference_type="INVOICE",
            reference_number=number,
        )
        record.update(
            Booked=True,
            VoucherSeries=voucher["VoucherSeries"],
            VoucherNumber=voucher["VoucherNumber"],
            VoucherYear=voucher["Year"],
        )
        return self.touch(record)

    @_locked
    def cancel_invoice(self, number: str) -> Record:
        record = self._invoice(number)
        if record["Booked"]:
            raise ApiError(
                400, errors.DOCUMENT_BOOKED, f"Faktura {number} är bokförd och kan inte makuleras: kreditera den"
            )
        if record["Cancelled"]:
            raise ApiError(400, errors.DOCUMENT_CANCELLED, f"Faktura {number} är redan makulerad")
        record.update(Cancelled=True, Balance=Decimal("0.00"))
        return self.touch(record)

    @_locked
    def credit_invoice(self, number: str) -> Record:
        """Create a credit invoice for `number`; returns the original, now pointing at its credit invoice."""
        record = self._invoice(number)
        if record["Cancelled"]:
            raise ApiError(400, errors.DOCUMENT_CANCELLED, f"Faktura {number} är makulerad")
        if record.get("Credit") == "true":
            raise ApiError(400, errors.ALREADY_CREDITED, f"Faktura {number} är en kreditfaktura")
        if record.get("CreditInvoiceReference"):
            raise ApiError(400, errors.ALREADY_CREDITED, f"Faktura {number} är redan krediterad")
        payload = {k: v for k, v in record.items() if k in fields.SCHEMAS["InvoicePayload"] and k != "DocumentNumber"}
        rows = []
        for row in record.get("InvoiceRows", []):
            r = {k: v for k, v in row.items() if k in fields.SCHEMAS["InvoicePayload_InvoiceRow"]}
            r["DeliveredQuantity"] = quantity_text(-decimal_of(row.get("DeliveredQuantity")))
            if r.get("DiscountType") == "AMOUNT" and "Discount" in r:
                r["Discount"] = -decimal_of(r["Discount"])
            rows.append(r)
        payload.update(InvoiceRows=rows, InvoiceDate=self.today().isoformat(), CreditInvoiceReference=number)
        for key in ("Freight", "AdministrationFee"):
            amount = decimal_of(record.get(key))
            payload[key] = -amount if amount else Decimal("0.00")
        payload.pop("DueDate", None)
        payload.pop("OCR", None)
        credit = self.add_invoice(payload)
        credit["Credit"] = "true"
        record["CreditInvoiceReference"] = credit["DocumentNumber"]
        return self.touch(record)

    @_locked
    def send_invoice(self, number: str, how: str) -> Record:
        """`email`, `eprint`, `einvoice` or `externalprint`: marks the invoice as sent."""
        record = self._invoice(number)
        if record["Cancelled"]:
            raise ApiError(400, errors.DOCUMENT_CANCELLED, f"Faktura {number} är makulerad och kan inte skickas")
        if how == "email":
            customer = self.customers.get(record["CustomerNumber"], {})
            to = (record.get("EmailInformation") or {}).get("EmailAddressTo") or customer.get("EmailInvoice")
            if not to:
                raise ApiError(
                    400,
                    errors.NO_EMAIL_ADDRESS,
                    f"Kunden {record['CustomerNumber']} saknar e-postadress för fakturor (EmailInvoice)",
                )
        elif how not in ("eprint", "einvoice", "externalprint"):
            raise ValueError(f"unknown way to send an invoice: {how}")
        record["Sent"] = True
        return self.touch(record)

    def _invoice(self, number: str) -> Record:
        record = self.invoices.get(number)
        if record is None:
            raise ApiError(404, errors.NOT_FOUND, f"Kan inte hitta fakturan {number}")
        return record

    def _customer_for_document(self, number: Any) -> Record:
        if not number:
            raise ApiError(400, errors.REQUIRED_FIELD, "Fältet CustomerNumber (kundnummer) måste fyllas i")
        customer = self.customers.get(str(number))
        if customer is None:
            raise ApiError(400, errors.CUSTOMER_NOT_FOUND_FOR_DOCUMENT, f"Kunden med kundnummer {number} hittades inte")
        return customer

    def _chart_year(self, day: date) -> FinancialYear | None:
        """The year whose chart a document row is checked against: the document's, else the latest."""
        return self.financial_year_for(day) or (
            self.financial_years[max(self.financial_years)] if self.financial_years else None
        )

    def _complete_sales_document(self, record: Record, customer: Record, *, date_key: str, rows_key: str) -> None:
        """Fill dates, currency and resolved rows of an invoice or order, and compute its totals."""
        record.setdefault(date_key, self.today().isoformat())
        day = date.fromisoformat(record[date_key])
        if date_key == "InvoiceDate" and "DueDate" not in record:
            record["DueDate"] = (day + timedelta(days=_terms_days(record.get("TermsOfPayment")))).isoformat()
        currency = str(record.get("Currency") or "SEK").upper()
        record["Currency"] = currency
        record.setdefault("CurrencyRate", DEFAULT_CURRENCY_RATES.get(currency, Decimal(1)))
        record.setdefault("CurrencyUnit", 1)
        year = self._chart_year(day)
        quantity_key = "DeliveredQuantity" if rows_key == "InvoiceRows" else "OrderedQuantity"
        rows = record.get(rows_key) or []
        for index, row in enumerate(rows, start=1):
            self._resolve_sales_row(row, customer, year, record.get("VATIncluded", False), quantity_key)
            row["RowId"] = index
        totals = compute_totals(
            rows,
            vat_included=bool(record.get("VATIncluded")),
            currency=currency,
            freight=decimal_of(record.get("Freight")),
            administration_fee=decimal_of(record.get("AdministrationFee")),
            quantity_key=quantity_key,
        )
        record[rows_key] = rows
        apply_totals(record, totals)
        record["_totals"] = {"net_by_account": totals.net_by_account, "vat_by_rate": totals.vat_by_rate}

    def _resolve_sales_row(
        self, row: Record, customer: Record, year: FinancialYear | None, vat_included: bool, quantity_key: str
    ) -> None:
        article: Record | None = None
        if row.get("ArticleNumber"):
            article = self.articles.get(str(row["ArticleNumber"]))
            if article is None:
                raise ApiError(
                    400, errors.ARTICLE_NOT_FOUND_FOR_ROW, f"Kunde inte hitta artikel ({row['ArticleNumber']})"
                )
        if article is not None:
            row.setdefault("Description", article.get("Description", ""))
            row.setdefault("Unit", article.get("Unit"))
            if "VAT" not in row:
                row["VAT"] = int(decimal_of(article.get("VAT"), Decimal(25)))
            if "Price" not in row:
                price = decimal_of(article.get("SalesPrice"))
                if vat_included:
                    price = money(price * (100 + int(row["VAT"])) / 100)
                row["Price"] = price
        if len(str(row.get("Description") or "")) > 255:
            raise ApiError(400, errors.TOO_LONG, "Fältet Description (radtext) får innehålla högst 255 tecken")
        reversed_account = _REVERSED_VAT_TYPES.get(str(customer.get("VATType") or ""))
        vat = 0 if reversed_account else int(decimal_of(row.get("VAT"), Decimal(25)))
        _check_vat_rate(vat)
        row["VAT"] = vat
        for key in ("DeliveredQuantity", "OrderedQuantity"):
            if key in row:
                row[key] = _quantity(key, row[key])
        if quantity_key == "OrderedQuantity":
            row.setdefault("OrderedQuantity", row.get("DeliveredQuantity", "0.00"))
            row.setdefault("DeliveredQuantity", row["OrderedQuantity"])
        else:
            row.setdefault("DeliveredQuantity", "0.00")
        row.setdefault("Price", Decimal("0.00"))
        row["Price"] = decimal_of(row["Price"])
        row.setdefault("DiscountType", "PERCENT")
        discount = decimal_of(row.get("Discount"))
        if row["DiscountType"] == "PERCENT" and not Decimal(0) <= discount <= Decimal(100):
            raise ApiError(400, errors.INVALID_VALUE, f"Ogiltigt värde för fältet Discount: {discount}")
        row["Discount"] = discount
        if "AccountNumber" not in row:
            sales_account = article.get("SalesAccount") if article is not None and not reversed_account else None
            row["AccountNumber"] = int(sales_account or reversed_account or _SALES_ACCOUNT_BY_RATE[vat])
        if year is not None and self.account(year.id, int(row["AccountNumber"])) is None:
            raise ApiError(400, errors.PREDEFINED_ACCOUNT_NOT_FOUND, f"Kunde inte hitta konto ({row['AccountNumber']})")

    # -- supplier invoices ---------------------------------------------------------------------------------------

    @_locked
    def add_supplier_invoice(self, data: Mapping[str, Any]) -> Record:
        """Register a supplier invoice as `POST /3/supplierinvoices` does; rows get Fortnox's TOT/VAT/ROV rows."""
        si = fields.parse("SupplierInvoice", data)
        supplier_number = si.get("SupplierNumber")
        if not supplier_number:
            raise ApiError(400, errors.REQUIRED_FIELD, "Fältet SupplierNumber (leverantörsnummer) måste fyllas i")
        supplier = self.suppliers.get(str(supplier_number))
        if supplier is None:
            raise ApiError(400, errors.SUPPLIER_NOT_FOUND, f"Leverantören {supplier_number} hittades inte")
        given = _next_number(self.supplier_invoices)
        si.pop("GivenNumber", None)
        record: Record = {
            "SupplierName": supplier.get("Name", ""),
            "Currency": supplier.get("Currency", "SEK"),
            "VATType": "NORMAL",
            "AccountingMethod": "ACCRUAL",
            "Booked": False,
            "Cancelled": False,
            "PaymentPending": False,
            "DisablePaymentFile": False,
            "Vouchers": [],
            **si,
            "GivenNumber": given,
        }
        record.setdefault("InvoiceDate", self.today().isoformat())
        day = date.fromisoformat(record["InvoiceDate"])
        record.setdefault("DueDate", (day + timedelta(days=_terms_days(supplier.get("TermsOfPayment")))).isoformat())
        currency = str(record["Currency"]).upper()
        record["Currency"] = currency
        rate = DEFAULT_CURRENCY_RATES.get(currency, Decimal(1))
        if record.get("CurrencyRate") not in (None, ""):
            rate = fields.to_number("CurrencyRate", record["CurrencyRate"])
        record["CurrencyRate"] = rate
        record.setdefault("CurrencyUnit", Decimal(1))
        rate = rate / decimal_of(record["CurrencyUnit"], Decimal(1))
        self._complete_supplier_invoice(record, supplier, day, rate)
        record["Balance"] = record["Total"]
        record["Credit"] = record["Total"] < 0
        self.supplier_invoices[given] = self.touch(record)
        return record

    def _complete_supplier_invoice(self, record: Record, supplier: Record, day: date, rate: Decimal) -> None:
        year = self._chart_year(day)
        foreign = record["Currency"] != "SEK"
        cost_rows = [r for r in record.get("SupplierInvoiceRows") or [] if r.get("Code") not in _SYSTEM_ROW_CODES]
        for key in ("Total", "VAT", "RoundOffValue"):
            if key in record:
                record[key] = money(fields.to_number(key, record[key]))
        vat_given = "VAT" in record
        vat = record.get("VAT", Decimal("0.00"))
        round_off = record.get("RoundOffValue", Decimal("0.00"))
        if not cost_rows and "Total" in record:
            vat_given = True
            total_given = record["Total"]
            cost_account = int(supplier.get("PreDefinedAccount") or self.predefined("PURCHASE"))
            cost_rows = [{"Account": cost_account, "Total": total_given - vat - round_off}]
        cost_sum = Decimal("0.00")
        rows: list[Record] = []
        for index, row in enumerate(cost_rows, start=1):
            if "Account" not in row:
                raise ApiError(400, errors.REQUIRED_FIELD, f"Konto saknas på leverantörsfakturarad {index}")
            account = self._row_account(year, int(row["Account"]))
            if "Total" not in row:
                row["Total"] = money(Decimal(row.get("Quantity", 1)) * decimal_of(row.get("Price")))
            total = money(decimal_of(row["Total"]))
            row["Total"] = total
            if "Debit" not in row and "Credit" not in row:
                sek = money(total * rate)
                row["Debit"] = sek if sek > 0 else Decimal("0.00")
                row["Credit"] = -sek if sek < 0 else Decimal("0.00")
                if foreign:
                    row["DebitCurrency"] = total if total > 0 else Decimal("0.00")
                    row["CreditCurrency"] = -total if total < 0 else Decimal("0.00")
            row.setdefault("Debit", Decimal("0.00"))
            row.setdefault("Credit", Decimal("0.00"))
            row["Debit"], row["Credit"] = money(row["Debit"]), money(row["Credit"])
            if account is not None:
                row.setdefault("AccountDescription", account.description)
            cost_sum += total
            rows.append(row)
        if not vat_given:
            vat = money(cost_sum * 25 / 100) if (not foreign and record.get("VATType") == "NORMAL") else Decimal(0)
        if "Total" in record:
            total = record["Total"]
            if "RoundOffValue" not in record and not foreign and abs(total - cost_sum - vat) < 1:
                round_off = total - cost_sum - vat
        else:
            gross = cost_sum + vat
            if "RoundOffValue" in record or foreign:
                total = gross + round_off
            else:
                total = round_kronor(gross)
                round_off = total - gross
        record.update(Total=money(total), VAT=money(vat), RoundOffValue=money(round_off))
        if vat:
            rows.append(self._system_row("INVAT", money(vat * rate), "VAT", year))
        if round_off:
            rows.append(self._system_row("ROUNDOFF", money(round_off * rate), "ROV", year))
        rows.append(self._system_row("SUPDEBT", -money(total * rate), "TOT", year))
        debit = sum((r["Debit"] for r in rows), Decimal("0.00"))
        credit = sum((r["Credit"] for r in rows), Decimal("0.00"))
        if debit != credit:
            if not foreign:
                raise ApiError(
                    400,
                    errors.SUPPLIER_INVOICE_NOT_BALANCED,
                    f"Leverantörsfakturan balanserar inte (debet {debit}, kredit {credit})",
                )
            rows.insert(-1, self._system_row("ROUNDOFF", credit - debit, "ROV", year))
        record["SupplierInvoiceRows"] = rows

    def _row_account(self, year: FinancialYear | None, number: int) -> Account | None:
        if year is None:
            return None
        account = self.account(year.id, number)
        if account is None:
            raise ApiError(400, errors.ACCOUNT_NOT_FOUND, f"Kan inte hitta kontot {number}")
        return account

    def _system_row(self, predefined: str, signed_sek: Decimal, code: str, year: FinancialYear | None) -> Record:
        number = self.predefined(predefined)
        account = self.account(year.id, number) if year is not None else None
        row: Record = {
            "Account": number,
            "Code": code,
            "Debit": signed_sek if signed_sek > 0 else Decimal("0.00"),
            "Credit": -signed_sek if signed_sek < 0 else Decimal("0.00"),
        }
        if account is not None:
            row["AccountDescription"] = account.description
        return row

    def _supplier_invoice(self, given: str) -> Record:
        record = self.supplier_invoices.get(given)
        if record is None:
            raise ApiError(404, errors.NOT_FOUND, f"Kan inte hitta leverantörsfakturan {given}")
        return record

    @_locked
    def bookkeep_supplier_invoice(self, given: str) -> Record:
        record = self._supplier_invoice(given)
        if record["Cancelled"]:
            raise ApiError(400, errors.DOCUMENT_CANCELLED, f"Leverantörsfaktura {given} är makulerad")
        if record["Booked"]:
            raise ApiError(400, errors.ALREADY_BOOKED, f"Leverantörsfaktura {given} är redan bokförd")
        amounts = [(int(r["Account"]), r["Debit"] - r["Credit"]) for r in record["SupplierInvoiceRows"]]
        voucher = self._post(
            date.fromisoformat(record["InvoiceDate"]),
            "D",
            f"Leverantörsfaktura {given}, {record.get('SupplierName', '')}".strip(", "),
            amounts,
            reference_type="SUPPLIERINVOICE",
            reference_number=given,
        )
        record.update(
            Booked=True,
            VoucherSeries=voucher["VoucherSeries"],
            VoucherNumber=voucher["VoucherNumber"],
            VoucherYear=voucher["Year"],
        )
        record["Vouchers"] = [
            *record.get("Vouchers", []),
            {
                "Number": voucher["VoucherNumber"],
                "Series": voucher["VoucherSeries"],
                "Year": voucher["Year"],
                "ReferenceType": "SUPPLIERINVOICE",
            },
        ]
        return self.touch(record)

    @_locked
    def approve_supplier_invoice(self, given: str, what: str) -> Record:
        """`bookkeep` (attest for bookkeeping) or `payment` (approve for payment)."""
        record = self._supplier_invoice(given)
        if record["Cancelled"]:
            raise ApiError(400, errors.DOCUMENT_CANCELLED, f"Leverantörsfaktura {given} är makulerad")
        if what == "bookkeep":
            record["_approved_bookkeep"] = True
        elif what == "payment":
            record["_approved_payment"] = True
        else:
            raise ValueError(f"unknown approval: {what}")
        return self.touch(record)

    @_locked
    def cancel_supplier_invoice(self, given: str) -> Record:
        record = self._supplier_invoice(given)
        if record["Booked"]:
            raise ApiError(400, errors.DOCUMENT_BOOKED, f"Leverantörsfaktura {given} är bokförd och kan inte makuleras")
        if record["Cancelled"]:
            raise ApiError(400, errors.DOCUMENT_CANCELLED, f"Leverantörsfaktura {given} är redan makulerad")
        record.update(Cancelled=True, Balance=Decimal("0.00"))
        return self.touch(record)

    # -- orders --------------------------------------------------------------------------------------------------

    @_locked
    def add_order(self, data: Mapping[str, Any]) -> Record:
        o = fields.parse("Order", data)
        customer = self._customer_for_document(o.get("CustomerNumber"))
        number = o.get("DocumentNumber") or _next_number(self.orders)
        _check_number("DocumentNumber", number)
        if number in self.orders:
            raise ApiError(400, errors.DOCUMENT_NUMBER_USED, f"Dokumentnummer {number} används redan")
        record: Record = {
            "OrderType": "Order",
            "Language": "SV",
            "VATIncluded": False,
            "Cancelled": False,
            "Sent": False,
            "NotCompleted": False,
            "CopyRemarks": False,
            "HouseWork": False,
            **_customer_defaults(customer),
            **o,
            "DocumentNumber": number,
        }
        self._complete_sales_document(record, customer, date_key="OrderDate", rows_key="OrderRows")
        self.orders[number] = self.touch(record)
        return record


def _required(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if value in (None, ""):
        raise ApiError(400, errors.REQUIRED_FIELD, f"Fältet {name} måste fyllas i")
    return str(value)


def _next_number(existing: Mapping[str, Any]) -> str:
    numbers = [int(k) for k in existing if k.isdigit()]
    return str(max(numbers, default=0) + 1)


def _check_number(name: str, value: str) -> None:
    if not value.strip() or value != value.strip() or _FORBIDDEN_IN_NUMBERS.search(value):
        raise ApiError(400, errors.ILLEGAL_CHARACTERS, f"Värdet innehåller ej tillåtna tecken. ({name})")


def _check_vat_rate(value: Any) -> None:
    if value is None:
        return
    if decimal_of(value) not in [Decimal(r) for r in VAT_RATES]:
        raise ApiError(400, errors.INVALID_VALUE, f"Ogiltig momssats: {value} (tillåtna: 25, 12, 6, 0)")


def _quantity(name: str, value: Any) -> str:
    try:
        return quantity_text(value)
    except ArithmeticError:
        raise ApiError(400, errors.NOT_NUMERIC, f"Värdet måste vara numeriskt ({name})") from None


def _terms_days(terms: Any) -> int:
    digits = "".join(ch for ch in str(terms or "") if ch.isdigit())
    return int(digits) if digits else 30


def _rate(record: Mapping[str, Any]) -> Decimal:
    return decimal_of(record.get("CurrencyRate"), Decimal(1)) / decimal_of(record.get("CurrencyUnit"), Decimal(1))


def _customer_defaults(customer: Mapping[str, Any]) -> Record:
    """What an invoice or order takes from its customer unless the body says otherwise."""
    mapping = {
        "CustomerName": "Name",
        "Address1": "Address1",
        "Address2": "Address2",
        "ZipCode": "ZipCode",
        "City": "City",
        "Country": "Country",
        "OrganisationNumber": "OrganisationNumber",
        "Phone1": "Phone1",
        "YourReference": "YourReference",
        "OurReference": "OurReference",
        "TermsOfPayment": "TermsOfPayment",
        "Currency": "Currency",
        "CustomerNumber": "CustomerNumber",
    }
    return {target: customer[source] for target, source in mapping.items() if customer.get(source) not in (None, "")}
