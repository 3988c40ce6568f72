"""Connection 1 against the real sandbox and the demo order system, over loopback HTTP, on a real store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from fortnox_link.company import Company
from fortnox_link.demo import open_demo_company
from fortnox_link.fortnox import SlidingWindowLimiter
from fortnox_link.sandbox import Sandbox
from fortnox_link.sources.demo import DemoSource
from fortnox_link.sync.invoicing import run_invoicing


def demo_company(sb: Sandbox) -> Company:
    """The demo profile, with a client limiter that does not hold the test back (the sandbox's limit is off)."""
    company = open_demo_company(sb)
    client = company.fortnox().client
    client.limiter = SlidingWindowLimiter(10_000, 1.0)
    client.timeout = (2.0, 5.0)
    return company


def _no_duplicates(sb: Sandbox) -> None:
    refs = Counter(i.get("ExternalInvoiceReference1") for i in sb.company.invoices.values())
    assert [r for r, n in refs.items() if r and n > 1] == []
    names = Counter((c["Name"], c.get("ZipCode")) for c in sb.company.customers.values())
    assert [k for k, n in names.items() if n > 1] == []


def test_demo_invoice_bases_become_invoices_once(sandbox: Sandbox) -> None:
    company = demo_company(sandbox)
    try:
        invoices_before = len(sandbox.company.invoices)
        first = run_invoicing(company)
        counts = first["counts"]
        assert counts["invoices_created"] == 130
        assert counts["already_in_fortnox"] == 10  # invoiced before the profile existed: found, not doubled
        assert counts["customers_created"] == 6 and counts["articles_created"] == 3
        assert len(sandbox.company.invoices) == invoices_before + 130
        _no_duplicates(sandbox)

        kinds = Counter(e.kind for e in company.store.open_exceptions("invoicing"))
        assert kinds == {"validation": 9, "total_mismatch": 1, "fortnox_refused": 1}

        source = company.source()
        assert isinstance(source, DemoSource)
        written = dict(source.invoice_numbers)
        assert len(written) == 140
        some_basis, number = next(iter(written.items()))
        invoice = sandbox.company.invoices[number]
        assert invoice["ExternalInvoiceReference1"] == some_basis

        # A second run creates nothing and costs almost no calls: everything is linked.
        client = company.fortnox().client
        calls = client.stats.requests
        second = run_invoicing(company)
        assert second["counts"]["invoices_created"] == 0
        assert client.stats.requests - calls <= 3
        assert len(sandbox.company.invoices) == invoices_before + 130
    finally:
        company.close()


def test_vat_and_totals_as_fortnox_computes_them(sandbox: Sandbox) -> None:
    company = demo_company(sandbox)
    try:
        run_invoicing(company)
        created = [
            i
            for i in sandbox.company.invoices.values()
            if str(i.get("ExternalInvoiceReference1", "")).startswith("EB-ORDER-7")
        ]
        assert created
        for invoice in created:
            assert invoice["Total"] == invoice["Total"].quantize(Decimal(1))  # whole kronor for SEK
            assert abs(invoice["RoundOff"]) < Decimal(1)
    finally:
        company.close()


def test_lost_answers_and_server_errors_double_nothing(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory()
    sb.faults.add("commit_then_timeout", method="POST", path="/3/invoices", times=3, drop=True)
    sb.faults.add("commit_then_timeout", method="POST", path="/3/customers", times=1, drop=True)
    sb.faults.add("error", method="POST", path="/3/articles", times=1, status=503)
    company = demo_company(sb)
    try:
        run_invoicing(company)
        run_invoicing(company)  # whatever stayed unknown is resolved by lookup first
        _no_duplicates(sb)
        refs = {i.get("ExternalInvoiceReference1") for i in sb.company.invoices.values()}
        assert sum(1 for r in refs if r and str(r).startswith("EB-ORDER-7")) == 131 - 1  # all good ones but 7081
        assert company.store.open_intents() == []
    finally:
        company.close()
