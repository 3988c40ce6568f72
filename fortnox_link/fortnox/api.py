"""Typed helpers for the Fortnox resources the three connections and the set-up checks use.

Thin on purpose: each helper is one request (or one paged walk) through `FortnoxClient.request`, returning either a
small dataclass for reference data (company, financial years, accounts, voucher series) or the document as Fortnox
sent it (a dict with Decimal amounts) for invoices, customers, articles, suppliers, supplier invoices and vouchers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any
from urllib.parse import quote

from .client import FortnoxClient, format_lastmodified
from .errors import (
    AuthError,
    FortnoxError,
    IntegrationLicenceMissingError,
    LicenceMissingError,
    NotFoundError,
    OAuthError,
    ScopeMissingError,
)

Document = dict[str, Any]


def to_decimal(value: Any) -> Decimal:
    """Amounts arrive as numbers or, for some resources (supplier invoices), as strings: both become Decimal."""
    if isinstance(value, Decimal):
        return value
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, float):
        raise TypeError("amounts are never floats")
    try:
        return Decimal(str(value).replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None


def _seg(value: str | int) -> str:
    return quote(str(value), safe="")


@dataclass(frozen=True)
class CompanyInfo:
    name: str
    organisation_number: str
    database_number: int | None
    address: str = ""
    zip_code: str = ""
    city: str = ""
    country_code: str = ""


@dataclass(frozen=True)
class FinancialYear:
    id: int
    from_date: date
    to_date: date
    accounting_method: str = ""

    def contains(self, day: date) -> bool:
        return self.from_date <= day <= self.to_date


@dataclass(frozen=True)
class Account:
    number: int
    description: str
    active: bool
    year: int | None = None
    vat_code: str = ""
    cost_center_settings: str = ""
    project_settings: str = ""


@dataclass(frozen=True)
class VoucherSeries:
    code: str
    description: str
    manual: bool
    year: int | None = None
    next_voucher_number: int | None = None


class Licence(Enum):
    """The Fortnox programme licences the connections need, with their Swedish names."""

    INTEGRATION = "Integration"
    BOOKKEEPING = "Bokföring"
    INVOICING = "Fakturering"
    ORDER = "Order & Offert"


class ProbeResult(Enum):
    OK = "ok"
    MISSING = "missing"  # the company lacks the licence (2001101 / 2001103)
    NO_SCOPE = "no_scope"  # the authorization or the user lacks the right (2000663)
    ERROR = "error"  # anything else (network, auth): say it, but do not claim the licence is missing


@dataclass(frozen=True)
class LicenceStatus:
    licence: Licence
    result: ProbeResult
    message: str = ""
    code: int | None = None

    @property
    def ok(self) -> bool:
        return self.result is ProbeResult.OK


class Fortnox:
    """Resource helpers over one company's `FortnoxClient`."""

    def __init__(self, client: FortnoxClient) -> None:
        self.client = client

    # -- company and user --------------------------------------------------------------------------------------

    def company_information(self) -> CompanyInfo:
        info = self.client.get("/3/companyinformation")["CompanyInformation"]
        db = info.get("DatabaseNumber")
        return CompanyInfo(
            name=str(info.get("CompanyName") or ""),
            organisation_number=str(info.get("OrganizationNumber") or ""),
            database_number=int(db) if db not in (None, "") else None,
            address=str(info.get("Address") or ""),
            zip_code=str(info.get("ZipCode") or ""),
            city=str(info.get("City") or ""),
            country_code=str(info.get("CountryCode") or ""),
        )

    def me(self) -> Document:
        return dict(self.client.get("/3/me")["MeInformation"])

    # -- bookkeeping reference data ----------------------------------------------------------------------------

    def financial_years(self) -> list[FinancialYear]:
        return [_financial_year(fy) for fy in self.client.iter_pages("/3/financialyears", "FinancialYears")]

    def financial_year_for(self, day: date) -> FinancialYear | None:
        """The financial year containing `day`, or None when the company has not created it."""
        answer = self.client.get("/3/financialyears", {"Date": day.isoformat()})
        years = [_financial_year(fy) for fy in answer.get("FinancialYears") or []]
        return next((fy for fy in years if fy.contains(day)), None)

    def accounts(self, financial_year_id: int | None = None) -> list[Account]:
        params = {"financialyear": financial_year_id} if financial_year_id is not None else None
        return [_account(a) for a in self.client.iter_pages("/3/accounts", "Accounts", params)]

    def account(self, number: int, financial_year_id: int | None = None) -> Account | None:
        params = {"financialyear": financial_year_id} if financial_year_id is not None else None
        try:
            return _account(self.client.get(f"/3/accounts/{int(number)}", params)["Account"])
        except NotFoundError:
            return None

    def predefined_account(self, name: str) -> int | None:
        try:
            answer = self.client.get(f"/3/predefinedaccounts/{_seg(name)}")
        except NotFoundError:
            return None
        number = answer["PreDefinedAccount"].get("Account")
        return int(number) if number not in (None, "", 0) else None

    def rounding_account(self) -> int | None:
        """The company's öres- och kronutjämning account (predefined ROUNDOFF, normally 3740)."""
        return self.predefined_account("ROUNDOFF")

    def locked_period_end(self) -> date | None:
        answer = self.client.get("/3/settings/lockedperiod")
        end = (answer.get("LockedPeriod") or {}).get("EndDate")
        return date.fromisoformat(end) if end else None

    def voucher_series(self, financial_year_id: int | None = None) -> list[VoucherSeries]:
        params = {"financialyear": financial_year_id} if financial_year_id is not None else None
        answer = self.client.get("/3/voucherseries", params)
        return [_voucher_series(s) for s in answer.get("VoucherSeriesCollection") or []]

    # -- vouchers ---------------------------------------------------------------------------------------------

    def create_voucher(self, voucher: Document, financial_year_id: int) -> Document:
        body = {**voucher, "Year": financial_year_id}
        answer = self.client.post("/3/vouchers", {"Voucher": body}, params={"financialyear": financial_year_id})
        return dict(answer["Voucher"])

    def vouchers_in_series(
        self,
        series: str,
        financial_year_id: int,
        *,
        from_date: date | None = None,
        to_date: date | None = None,
    ) -> Iterator[Document]:
        params: dict[str, Any] = {"financialyear": financial_year_id}
        if from_date:
            params["fromdate"] = from_date.isoformat()
        if to_date:
            params["todate"] = to_date.isoformat()
        yield from self.client.iter_pages(f"/3/vouchers/sublist/{_seg(series)}", "Vouchers", params)

    def voucher(self, series: str, number: int, financial_year_id: int) -> Document:
        answer = self.client.get(f"/3/vouchers/{_seg(series)}/{int(number)}", {"financialyear": financial_year_id})
        return dict(answer["Voucher"])

    # -- customers, articles, suppliers -----------------------------------------------------------------------

    def customers(self, *, modified_since: datetime | None = None) -> Iterator[Document]:
        yield from self.client.iter_pages("/3/customers", "Customers", _lastmodified(modified_since))

    def customer(self, number: str) -> Document | None:
        return self._get_or_none(f"/3/customers/{_seg(number)}", "Customer")

    def customers_by_organisation_number(self, organisation_number: str) -> list[Document]:
        """Customers whose organisation number equals the given one, whatever its shape (556677-8899 etc.)."""
        wanted = normalize_organisation_number(organisation_number)
        if not wanted:
            return []
        found = self.client.iter_pages("/3/customers", "Customers", {"organisationnumber": organisation_number})
        return [c for c in found if normalize_organisation_number(str(c.get("OrganisationNumber") or "")) == wanted]

    def create_customer(self, customer: Document) -> Document:
        return dict(self.client.post("/3/customers", {"Customer": customer})["Customer"])

    def articles(self, *, modified_since: datetime | None = None) -> Iterator[Document]:
        yield from self.client.iter_pages("/3/articles", "Articles", _lastmodified(modified_since))

    def article(self, number: str) -> Document | None:
        return self._get_or_none(f"/3/articles/{_seg(number)}", "Article")

    def create_article(self, article: Document) -> Document:
        return dict(self.client.post("/3/articles", {"Article": article})["Article"])

    def suppliers(self) -> Iterator[Document]:
        yield from self.client.iter_pages("/3/suppliers", "Suppliers")

    def supplier(self, number: str) -> Document | None:
        return self._get_or_none(f"/3/suppliers/{_seg(number)}", "Supplier")

    def create_supplier(self, supplier: Document) -> Document:
        return dict(self.client.post("/3/suppliers", {"Supplier": supplier})["Supplier"])

    # -- invoices -----------------------------------------------------------------------------------------------

    def create_invoice(self, invoice: Document) -> Document:
        return dict(self.client.post("/3/invoices", {"Invoice": invoice})["Invoice"])

    def invoice(self, document_number: str) -> Document | None:
        return self._get_or_none(f"/3/invoices/{_seg(document_number)}", "Invoice")

    def invoices(self, *, modified_since: datetime | None = None, filter: str | None = None) -> Iterator[Document]:
        params = _lastmodified(modified_since)
        if filter:
            params["filter"] = filter
        yield from self.client.iter_pages("/3/invoices", "Invoices", params)

    def invoices_by_external_reference(self, reference: str) -> list[Document]:
        """Invoices whose ExternalInvoiceReference1 equals `reference` exactly (Fortnox's filter is a substring)."""
        found = self.client.iter_pages("/3/invoices", "Invoices", {"externalinvoicereference1": reference})
        return [i for i in found if str(i.get("ExternalInvoiceReference1") or "") == reference]

    def bookkeep_invoice(self, document_number: str) -> Document:
        return dict(self.client.put(f"/3/invoices/{_seg(document_number)}/bookkeep")["Invoice"])

    def send_invoice(self, document_number: str, how: str) -> Document:
        """Distribute an invoice: `email`, `eprint` (Fortnox prints and posts), `einvoice`, or `externalprint`."""
        n = _seg(document_number)
        if how in ("email", "eprint", "einvoice"):
            return dict(self.client.get(f"/3/invoices/{n}/{how}")["Invoice"])
        if how == "externalprint":
            return dict(self.client.put(f"/3/invoices/{n}/externalprint")["Invoice"])
        raise ValueError(f"unknown way to send an invoice: {how}")

    # -- supplier invoices ----------------------------------------------------------------------------------

    def supplier_invoices(
        self, *, modified_since: datetime | None = None, filter: str | None = None
    ) -> Iterator[Document]:
        params = _lastmodified(modified_since)
        if filter:
            params["filter"] = filter
        yield from self.client.iter_pages("/3/supplierinvoices", "SupplierInvoices", params)

    def supplier_invoice(self, given_number: str) -> Document | None:
        return self._get_or_none(f"/3/supplierinvoices/{_seg(given_number)}", "SupplierInvoice")

    def approve_supplier_invoice(self, given_number: str, what: str) -> Document:
        """`what` is `bookkeep` (approval for bookkeeping) or `payment` (approval for payment)."""
        if what not in ("bookkeep", "payment"):
            raise ValueError(f"unknown approval: {what}")
        path = f"/3/supplierinvoices/{_seg(given_number)}/approval{what}"
        return dict(self.client.put(path)["SupplierInvoice"])

    # -- licences -----------------------------------------------------------------------------------------------

    def probe_licences(self, today: date | None = None) -> dict[Licence, LicenceStatus]:
        """Check each licence with one cheap read (Fortnox has no endpoint that lists them)."""
        today = today or date.today()
        probes: dict[Licence, Callable[[], Any]] = {
            Licence.INTEGRATION: lambda: self.client.get("/3/companyinformation"),
            Licence.BOOKKEEPING: lambda: self.client.get("/3/financialyears", {"Date": today.isoformat()}),
            Licence.INVOICING: lambda: self.client.get("/3/invoices", {"limit": 1}),
            Licence.ORDER: lambda: self.client.get("/3/orders", {"limit": 1}),
        }
        results: dict[Licence, LicenceStatus] = {}
        for licence, probe in probes.items():
            try:
                probe()
                results[licence] = LicenceStatus(licence, ProbeResult.OK)
            except (LicenceMissingError, IntegrationLicenceMissingError) as exc:
                results[licence] = LicenceStatus(licence, ProbeResult.MISSING, exc.message, exc.code)
            except ScopeMissingError as exc:
                results[licence] = LicenceStatus(licence, ProbeResult.NO_SCOPE, exc.message, exc.code)
            except (AuthError, OAuthError):
                raise  # a dead authorization is not a licence question: the user must connect again
            except FortnoxError as exc:
                results[licence] = LicenceStatus(licence, ProbeResult.ERROR, exc.message, exc.code)
            if licence is Licence.INTEGRATION and not results[licence].ok:
                # Without the integration licence nothing else can be probed meaningfully.
                for other in probes:
                    if other is not Licence.INTEGRATION:
                        results[other] = LicenceStatus(other, results[licence].result, results[licence].message)
                break
        return results

    # -- internals ----------------------------------------------------------------------------------------------

    def _get_or_none(self, path: str, key: str) -> Document | None:
        try:
            return dict(self.client.get(path)[key])
        except NotFoundError:
            return None


def normalize_organisation_number(value: str) -> str:
    """556677-8899, 5566778899, SE556677889901 and 16556677-8899 all become 5566778899."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if value.strip().upper().startswith("SE") and len(digits) == 12 and digits.endswith("01"):
        digits = digits[:10]
    if len(digits) == 12 and digits.startswith(("16", "19", "20")):
        digits = digits[2:]
    return digits


def _lastmodified(moment: datetime | None) -> dict[str, Any]:
    return {"lastmodified": format_lastmodified(moment)} if moment else {}


def _financial_year(raw: Document) -> FinancialYear:
    return FinancialYear(
        id=int(raw["Id"]),
        from_date=date.fromisoformat(str(raw["FromDate"])),
        to_date=date.fromisoformat(str(raw["ToDate"])),
        accounting_method=str(raw.get("AccountingMethod") or ""),
    )


def _account(raw: Document) -> Account:
    year = raw.get("Year")
    return Account(
        number=int(raw["Number"]),
        description=str(raw.get("Description") or ""),
        active=bool(raw.get("Active", True)),
        year=int(year) if year not in (None, "") else None,
        vat_code=str(raw.get("VATCode") or ""),
        cost_center_settings=str(raw.get("CostCenterSettings") or ""),
        project_settings=str(raw.get("ProjectSettings") or ""),
    )


def _voucher_series(raw: Document) -> VoucherSeries:
    year = raw.get("Year")
    nxt = raw.get("NextVoucherNumber")
    return VoucherSeries(
        code=str(raw["Code"]),
        description=str(raw.get("Description") or ""),
        manual=bool(raw.get("Manual", False)),
        year=int(year) if year not in (None, "") else None,
        next_voucher_number=int(nxt) if nxt not in (None, "") else None,
    )
