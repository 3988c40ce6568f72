"""Client throughput at Fortnox's default rate limit, against the sandbox enforcing that same limit.

A paged read of 2,000 customers and the creation of 300 invoices, on one token. Fortnox allows 25 requests per
5 seconds, so no client can do better than about `calls × 0.2 s`; the goal is to come within 5 % of that floor
(ratio <= 1.05) with zero 429 answers.
"""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from typing import Any

from fortnox_link.demo import connect_to_sandbox
from fortnox_link.sandbox import Sandbox, SandboxConfig

NAME = "client_rate_limited_throughput"
DESCRIPTION = "paged read of 2,000 customers + 300 invoices created at 25 req/5 s; wall time / (calls x 0.2 s)"


def run(quick: bool) -> list[dict[str, Any]]:
    customers, invoices = (600, 40) if quick else (2000, 300)
    with Sandbox(seed="empty", config=SandboxConfig(rate_limit=(25, 5.0))) as sb:
        for i in range(customers):
            sb.company.add_customer({"Name": f"Kund {i:05d} Åström AB", "OrganisationNumber": f"5590{i:06d}"})
        sb.company.add_article({"ArticleNumber": "B-1", "Description": "Bänkskiva ek", "VAT": Decimal("25")})
        conn = connect_to_sandbox(sb)
        calls_before = conn.client.stats.requests
        started = time.perf_counter()
        read = sum(1 for _ in conn.fortnox.customers())
        today = date.today().isoformat()
        for i in range(invoices):
            conn.fortnox.create_invoice(
                {
                    "CustomerNumber": str(1 + i % customers),
                    "InvoiceDate": today,
                    "ExternalInvoiceReference1": f"bench:{i}",
                    "InvoiceRows": [{"ArticleNumber": "B-1", "DeliveredQuantity": "2", "Price": Decimal("1499.50")}],
                }
            )
        wall = time.perf_counter() - started
        calls = conn.client.stats.requests - calls_before
        server_429 = sb.stats.status_counts.get(429, 0)
    floor = calls * 0.2
    return [
        {
            "name": NAME,
            "value": round(wall / floor, 3),
            "unit": "ratio wall/floor",
            "goal": "<= 1.05, zero 429",
            "detail": {
                "customers_read": read,
                "invoices_created": invoices,
                "api_calls": calls,
                "wall_seconds": round(wall, 2),
                "floor_seconds": round(floor, 2),
                "answers_429": server_429,
                "client_throttled": conn.client.stats.throttled,
                "quick": quick,
            },
        }
    ]
