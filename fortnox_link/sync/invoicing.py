"""Connection 1, invoicing: invoice bases from the order system become Fortnox invoices, exactly once.

For each ready invoice basis: make sure the customer exists (linked number, else organisation number, else create
from the order system's data), make sure every article exists (linked, else by its number, else create), then
create the invoice with `ExternalInvoiceReference1` = the basis' source id, so Fortnox itself can answer "does this
invoice exist?". Creation goes through `ensure_created` (intent before the POST, lookup after an unknown outcome).
One bad invoice becomes a review exception with Fortnox's message; the run goes on.

Calls are frugal: what was linked in earlier runs costs nothing; Fortnox's invoices, customers and articles are
indexed with one list call per 500 only when something is not linked yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..fortnox import Fortnox, FortnoxError, OutcomeUnknownError, normalize_organisation_number
from ..sources.base import OrderSource
from ..sources.records import TWO_PLACES, Article, Customer, CustomerType, InvoiceBasis, VatType
from ..store import Store, fingerprint
from .once import Document, ensure_created
from .progress import CancelToken, Progress, ProgressCallback, ignore_progress

log = logging.getLogger(__name__)

CONNECTION = "invoicing"
CURSOR = "invoicing.invoice_bases"
ROUNDING_TOLERANCE = Decimal("1.00")  # Fortnox rounds SEK invoices to whole kronor: under 1 kr is rounding
FREE_ROW_ACCOUNTS = {25: 3001, 12: 3002, 6: 3003, 0: 3004}  # rows without an article: BAS sales accounts


def customer_payload(c: Customer) -> Document:
    doc: Document = {
        "Name": c.name,
        "Type": "PRIVATE" if c.customer_type is CustomerType.PRIVATE else "COMPANY",
        "VATType": c.vat_type.fortnox_vat_type,
        "Currency": c.currency,
        "CountryCode": c.country_code,
    }
    optional = {
        "OrganisationNumber": c.organisation_number,
        "Address1": c.address1,
        "Address2": c.address2,
        "ZipCode": c.zip_code,
        "City": c.city,
        "Email": c.email,
        "EmailInvoice": c.invoice_email or c.email,
        "VATNumber": c.vat_number,
        "TermsOfPayment": str(c.payment_terms_days) if c.payment_terms_days is not None else None,
    }
    doc.update({k: v for k, v in optional.items() if v})
    return doc


def article_payload(a: Article) -> Document:
    doc: Document = {
        "ArticleNumber": a.article_number,
        "Description": a.description[:200],
        "VAT": Decimal(a.vat_rate),
        "Type": "STOCK" if a.is_stock_goods else "SERVICE",
        "StockGoods": a.is_stock_goods,
    }
    if a.unit:
        doc["Unit"] = a.unit
    if a.sales_price is not None:
        doc["SalesPrice"] = a.sales_price
    if a.purchase_price is not None:
        doc["PurchasePrice"] = a.purchase_price
    return doc


def _name_key(name: str, zip_code: str) -> tuple[str, str]:
    return (" ".join(name.split()).casefold(), zip_code.replace(" ", ""))


def charges_swedish_vat(b: InvoiceBasis) -> bool:
    """EU reverse charge and export invoices carry no Swedish VAT."""
    return b.customer.vat_type is VatType.SE


def invoice_payload(b: InvoiceBasis, customer_number: str) -> Document:
    rows: list[Document] = []
    swedish_vat = charges_swedish_vat(b)
    for row in b.rows:
        r: Document = {
            "DeliveredQuantity": format(row.quantity, "f"),
            "Price": row.unit_price,
            "VAT": row.vat_rate if swedish_vat else 0,
        }
        if row.article_number:
            r["ArticleNumber"] = row.article_number
        else:
            r["AccountNumber"] = FREE_ROW_ACCOUNTS.get(row.vat_rate, 3001)
        if row.description:
            r["Description"] = row.description[:255]
        if row.discount_percent:
            r["Discount"] = row.discount_percent
            r["DiscountType"] = "PERCENT"
        if row.unit:
            r["Unit"] = row.unit
        rows.append(r)
    doc: Document = {
        "CustomerNumber": customer_number,
        "InvoiceDate": b.invoice_date.isoformat(),
        "Currency": b.currency,
        "VATIncluded": b.prices_include_vat,  # always explicit: it changes what Price means
        "ExternalInvoiceReference1": b.source_id[:80],
        "ExternalInvoiceReference2": b.number[:80],
        "InvoiceRows": rows,
    }
    optional = {
        "DueDate": b.due_date.isoformat() if b.due_date else None,
        "TermsOfPayment": str(b.payment_terms_days) if b.payment_terms_days is not None else None,
        "YourReference": (b.your_reference or "")[:50] or None,
        "OurReference": (b.our_reference or "")[:50] or None,
        "YourOrderNumber": (b.your_order_number or "")[:75] or None,
    }
    doc.update({k: v for k, v in optional.items() if v})
    return doc


@dataclass
class InvoicingReport:
    status: str = "ok"
    total: int = 0
    invoices_created: int = 0
    already_in_fortnox: int = 0
    customers_created: int = 0
    articles_created: int = 0
    exceptions: int = 0
    skipped_before_start: int = 0
    failed: int = 0  # refused by Fortnox or outcome unknown: these come again next run
    messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        counts = {k: v for k, v in self.__dict__.items() if isinstance(v, int)}
        text = (
            f"{self.invoices_created} fakturor skapade (invoices created), {self.already_in_fortnox} fanns redan, "
            f"{self.customers_created} kunder och {self.articles_created} artiklar skapade, "
            f"{self.exceptions} avvikelser"
        )
        return {"status": self.status, "message": text, "counts": counts}


class InvoicingSync:
    def __init__(
        self,
        store: Store,
        fortnox: Fortnox,
        source: OrderSource,
        *,
        bookkeep: bool = False,
        distribution: str = "none",
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> None:
        self.store = store
        self.fortnox = fortnox
        self.source = source
        self.bookkeep = bookkeep
        self.distribution = distribution
        self.progress = progress
        self.cancel = cancel or CancelToken()
        self._invoices_by_ref: dict[str, str] | None = None
        self._customers_by_orgnr: dict[str, str] | None = None
        self._customers_by_name: dict[tuple[str, str], str] = {}
        self._articles: set[str] | None = None

    # -- lazy indexes of what Fortnox has (one list call per 500, only when something is not linked) ----------

    def _invoice_index(self) -> dict[str, str]:
        if self._invoices_by_ref is None:
            self._invoices_by_ref = {
                str(i["ExternalInvoiceReference1"]): str(i["DocumentNumber"])
                for i in self.fortnox.invoices()
                if i.get("ExternalInvoiceReference1") and not i.get("Cancelled")
            }
        return self._invoices_by_ref

    def _customer_index(self) -> dict[str, str]:
        if self._customers_by_orgnr is None:
            self._customers_by_orgnr = {}
            for c in self.fortnox.customers():
                orgnr = normalize_organisation_number(str(c.get("OrganisationNumber") or ""))
                if orgnr:
                    self._customers_by_orgnr.setdefault(orgnr, str(c["CustomerNumber"]))
                key = _name_key(str(c.get("Name") or ""), str(c.get("ZipCode") or ""))
                self._customers_by_name.setdefault(key, str(c["CustomerNumber"]))
        return self._customers_by_orgnr

    def _article_index(self) -> set[str]:
        if self._articles is None:
            self._articles = {str(a["ArticleNumber"]) for a in self.fortnox.articles()}
        return self._articles

    # -- the run ----------------------------------------------------------------------------------------------

    def run(self, run_id: int | None) -> InvoicingReport:
        report = InvoicingReport()
        batch = self.source.invoice_bases(self.store.get_cursor(CURSOR))
        report.skipped_before_start = batch.skipped_before_start
        for problem in batch.problems:
            report.exceptions += 1
            self.store.report_exception(
                CONNECTION, "validation", problem.record_id or "-", str(problem), field=problem.field
            )
        bases = list(batch.records)
        report.total = len(bases)
        for done, basis in enumerate(bases):
            self.cancel.check()
            self.progress(Progress(CONNECTION, done, len(bases), f"Faktura {done + 1} av {len(bases)}: {basis.number}"))
            try:
                if self._one(basis, run_id, report):
                    self.store.resolve_exceptions_for(CONNECTION, basis.source_id)
                else:
                    report.exceptions += 1
            except FortnoxError as exc:
                report.exceptions += 1
                report.failed += 1
                kind = "outcome_unknown" if isinstance(exc, OutcomeUnknownError) else "fortnox_refused"
                self.store.report_exception(
                    CONNECTION,
                    kind,
                    basis.source_id,
                    f"Fakturaunderlag {basis.number}: {exc.message}",
                    details={"code": exc.code, "status": exc.status, "path": exc.path},
                )
        self.progress(Progress(CONNECTION, len(bases), len(bases), "Klart"))
        if report.failed == 0:
            batch.commit()
            if batch.cursor is not None:
                self.store.set_cursor(CURSOR, batch.cursor)
        else:
            # Keep the cursor where it was: the records that failed come again next run (those that went through
            # cost no call then, being linked), so nothing is lost when the fix is made in Fortnox.
            report.status = "partial"
        if report.exceptions and report.status == "ok":
            report.status = "partial"
        return report

    def _one(self, basis: InvoiceBasis, run_id: int | None, report: InvoicingReport) -> bool:
        """Handle one basis; False when it went through but left something for review."""
        if self.store.get_link("invoice", basis.source_id) is not None:
            return True
        # An invoice may exist in Fortnox without a link (made before this profile existed, or by another install).
        existing = self._invoice_index().get(basis.source_id)
        if existing is not None:
            self.store.save_link("invoice", basis.source_id, existing, fingerprint(invoice_payload(basis, "")))
            report.already_in_fortnox += 1
            self.source.write_invoice_number(basis.source_id, existing)
            return True
        customer_number = self._customer(basis.customer, run_id, report)
        for number in dict.fromkeys(r.article_number for r in basis.rows if r.article_number):
            self._article(number, run_id, report)
        payload = invoice_payload(basis, customer_number)
        ref = basis.source_id

        def lookup() -> Document | None:
            found = self.fortnox.invoices_by_external_reference(ref[:80])
            return found[0] if found else None

        created = ensure_created(
            self.store,
            kind="invoice",
            source_id=ref,
            fingerprint=fingerprint(payload),
            run_id=run_id,
            create=lambda: self.fortnox.create_invoice(payload),
            lookup=lookup,
            id_of=lambda d: str(d["DocumentNumber"]),
        )
        if created.created:
            report.invoices_created += 1
        else:
            report.already_in_fortnox += 1
        document = created.document
        clean = True
        if created.created and document is not None:
            clean = self._check_total(basis, document)
            if self.bookkeep:
                self.fortnox.bookkeep_invoice(created.fortnox_id)
            if self.distribution != "none":
                self.fortnox.send_invoice(created.fortnox_id, self.distribution)
        self.source.write_invoice_number(basis.source_id, created.fortnox_id)
        return clean

    def _check_total(self, basis: InvoiceBasis, document: Document) -> bool:
        if charges_swedish_vat(basis):
            expected = basis.total_incl_vat if basis.total_incl_vat is not None else basis.expected_total_incl_vat()
        else:  # no Swedish VAT: the rows' net amounts are the total
            expected = sum((row.net_amount() for row in basis.rows), Decimal(0)).quantize(TWO_PLACES)
        total = Decimal(str(document.get("Total", "0")))
        if abs(total - expected) >= ROUNDING_TOLERANCE:
            self.store.report_exception(
                CONNECTION,
                "total_mismatch",
                basis.source_id,
                f"Fakturaunderlag {basis.number}: Fortnox räknade {total} kr, ordersystemet {expected} kr "
                f"(faktura {document.get('DocumentNumber')}); skillnaden är mer än avrundning",
                field="total_incl_vat",
                details={"fortnox_total": str(total), "source_total": str(expected)},
            )
            return False
        return True

    def _customer(self, c: Customer, run_id: int | None, report: InvoicingReport) -> str:
        linked = self.store.get_link("customer", c.source_id)
        if linked is not None:
            return linked
        orgnr = normalize_organisation_number(c.organisation_number or "")
        payload = customer_payload(c)
        index = self._customer_index()
        # By organisation number; a customer without one (private persons, foreign companies) by name and zip code.
        number = index.get(orgnr) if orgnr else self._customers_by_name.get(_name_key(c.name, c.zip_code or ""))
        if number is not None:
            self.store.save_link("customer", c.source_id, number, fingerprint(payload))
            return number

        def lookup() -> Document | None:
            if orgnr:
                found = self.fortnox.customers_by_organisation_number(orgnr)
                return found[0] if found else None
            key = _name_key(c.name, c.zip_code or "")
            return next(
                (
                    x
                    for x in self.fortnox.customers()
                    if _name_key(str(x.get("Name") or ""), str(x.get("ZipCode") or "")) == key
                ),
                None,
            )

        created = ensure_created(
            self.store,
            kind="customer",
            source_id=c.source_id,
            fingerprint=fingerprint(payload),
            run_id=run_id,
            create=lambda: self.fortnox.create_customer(payload),
            lookup=lookup,
            id_of=lambda d: str(d["CustomerNumber"]),
        )
        if created.created:
            report.customers_created += 1
        if orgnr:
            index[orgnr] = created.fortnox_id
        else:
            self._customers_by_name[_name_key(c.name, c.zip_code or "")] = created.fortnox_id
        return created.fortnox_id

    def _article(self, number: str, run_id: int | None, report: InvoicingReport) -> None:
        if self.store.get_link("article", number) is not None:
            return
        if number in self._article_index():
            self.store.save_link("article", number, number, "sha256:existing")
            return
        batch = self.source.articles([number])
        if not batch.records:
            why = "; ".join(str(p) for p in batch.problems) or "okänd i ordersystemet (unknown in the order system)"
            raise FortnoxError(f"Artikel {number} saknas i Fortnox och kan inte skapas: {why}")
        payload = article_payload(batch.records[0])
        created = ensure_created(
            self.store,
            kind="article",
            source_id=number,
            fingerprint=fingerprint(payload),
            run_id=run_id,
            create=lambda: self.fortnox.create_article(payload),
            lookup=lambda: self.fortnox.article(number),
            id_of=lambda d: str(d["ArticleNumber"]),
        )
        if created.created:
            report.articles_created += 1
        self._article_index().add(number)


def run_invoicing(
    company: Any,
    *,
    trigger: str = "manual",
    dry_run: bool = False,
    progress: Callable[[Progress], None] = ignore_progress,
) -> dict[str, Any]:
    """Run the invoicing connection for a Company (CLI, scheduler, demo)."""
    if dry_run:
        return {"status": "not_available", "message": "dry run of invoicing is not in this version yet"}
    store: Store = company.store
    run_id = store.start_run(CONNECTION, trigger)
    try:
        sync = InvoicingSync(
            store,
            company.fortnox(),
            company.source(),
            bookkeep=bool(store.get_setting_bool("invoicing.bookkeep")),
            distribution=store.get_setting_str("invoicing.distribution") or "none",
            progress=progress,
        )
        report = sync.run(run_id)
    except BaseException as exc:
        store.finish_run(run_id, "failed", message=str(exc)[:500])
        raise
    result = report.as_dict()
    store.finish_run(
        run_id,
        report.status if report.status in ("ok", "partial") else "failed",
        counts=result["counts"],
        message=result["message"],
    )
    return result
