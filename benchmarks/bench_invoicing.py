"""Invoicing at Fortnox's default rate limit: API calls per invoice in steady state, wall time against the floor,
and what a rerun with nothing new costs.

The demo order system's invoice bases (about 140 per demo month) are replicated to 500 with fresh ids and sent to
a sandbox enforcing 25 requests / 5 s. Customers and articles are linked by a first warm-up run over the original
bases, so the measured run is the steady state: one POST per invoice and nothing else.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

from fortnox_link.sandbox import Sandbox, SandboxConfig
from fortnox_link.sources.base import Batch
from fortnox_link.sources.demo import DemoSource
from fortnox_link.sources.records import InvoiceBasis

NAME = "invoicing_steady_state"
DESCRIPTION = "500 invoices at 25 req/5 s after customers/articles are linked: calls per invoice, wall/floor, rerun"


class Replicated(DemoSource):
    """The demo order system with its good invoice bases copied to `count`, each copy a new basis."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.round = 0

    def invoice_bases(self, since: str | None = None) -> Batch[InvoiceBasis]:
        base = super().invoice_bases(None)
        if self.round == 0:
            return base
        good = [b for b in base.records if b.customer.vat_type.value == "SE"]
        stamp = datetime(2026, 1, 1, tzinfo=UTC)
        copies = [
            dataclasses.replace(good[i % len(good)], source_id=f"BENCH-{self.round}-{i}", modified_at=stamp)
            for i in range(self.count)
        ]
        return Batch(tuple(copies))

    def write_invoice_number(self, basis_id: str, fortnox_document_number: str) -> None:
        if not basis_id.startswith("BENCH-"):
            super().write_invoice_number(basis_id, fortnox_document_number)


def run(quick: bool) -> list[dict[str, Any]]:
    count = 60 if quick else 500
    os.environ["FORTNOX_LINK_HOME"] = tempfile.mkdtemp(prefix="fl-bench-")
    from fortnox_link.demo import open_demo_company
    from fortnox_link.sync.invoicing import run_invoicing

    with Sandbox(seed="demo", config=SandboxConfig(rate_limit=(25, 5.0))) as sb:
        company = open_demo_company(sb)
        source = Replicated(count)
        company.source_override = source
        client = company.fortnox().client
        run_invoicing(company)  # warm-up: creates the missing customers and articles, links everything
        source.round = 1
        calls_before, posts_before = client.stats.requests, client.stats.by_method.get("POST", 0)
        started = time.perf_counter()
        report = run_invoicing(company)
        wall = time.perf_counter() - started
        calls = client.stats.requests - calls_before
        posts = client.stats.by_method.get("POST", 0) - posts_before
        rerun_before = client.stats.requests
        run_invoicing(company)  # nothing new: everything linked
        rerun_calls = client.stats.requests - rerun_before
        answers_429 = sb.stats.status_counts.get(429, 0)
        company.close()
    created = report["counts"]["invoices_created"]
    floor = calls * 0.2
    detail = {
        "invoices_created": created,
        "api_calls": calls,
        "posts": posts,
        "wall_seconds": round(wall, 2),
        "floor_seconds": round(floor, 2),
        "answers_429": answers_429,
        "quick": quick,
    }
    return [
        {
            "name": NAME + ".calls_per_invoice",
            "value": round(calls / created, 3),
            "unit": "API calls per invoice",
            "goal": "1.0 (no actions)",
            "detail": detail,
        },
        {
            "name": NAME + ".wall_vs_floor",
            "value": round(wall / floor, 3),
            "unit": "ratio",
            "goal": "<= 1.05, zero 429",
            "detail": detail,
        },
        {"name": NAME + ".rerun_calls", "value": rerun_calls, "unit": "API calls", "goal": "a few", "detail": detail},
    ]
