"""Fault injection: 5xx, dropped connections, latency, commit-then-timeout; and a prompt stop()."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests

from fortnox_link.sandbox import Sandbox

from .conftest import Api


def test_injected_5xx_once_then_normal(demo: Sandbox, api: Api) -> None:
    demo.faults.add("error", method="GET", path="/3/customers", status=503, times=1)
    first = api.get("/3/customers/1")
    assert (first.status, first.error_code) == (503, 1000003)
    assert api.get("/3/customers/1").status == 200
    assert api.get("/3/articles").status == 200  # other paths were never affected
    assert demo.stats.status_counts[503] == 1
    assert demo.stats.by_operation[("GET", "/3/customers/{CustomerNumber}")] == 2
    assert demo.faults.fired["error"] == 1


def test_injected_error_does_not_process_the_request(demo: Sandbox, api: Api) -> None:
    demo.faults.add("error", method="POST", path="/3/customers", status=500, times=1)
    before = len(demo.company.customers)
    assert api.post("/3/customers", {"Customer": {"Name": "Felkund AB"}}).status == 500
    assert len(demo.company.customers) == before


def test_rate_based_faults_are_reproducible(make_sandbox: Callable[..., Sandbox]) -> None:
    patterns = []
    for _ in range(2):
        sb = make_sandbox("empty")
        sb.faults.add("error", path="/3/me", status=502, rate=0.5, seed=11)
        api = Api(sb)
        patterns.append([api.get("/3/me").status for _ in range(16)])
    assert patterns[0] == patterns[1]
    assert set(patterns[0]) == {200, 502}


def test_dropped_connection(demo: Sandbox, api: Api) -> None:
    demo.faults.add("drop", method="GET", path="/3/companyinformation", times=1)
    with pytest.raises(requests.ConnectionError):
        api.get("/3/companyinformation")
    assert api.get("/3/companyinformation").status == 200
    assert demo.stats.dropped == 1


def test_latency(demo: Sandbox, api: Api) -> None:
    demo.faults.add("latency", path="/3/me", delay=0.25, times=1)
    started = time.monotonic()
    assert api.get("/3/me").status == 200
    assert time.monotonic() - started >= 0.25


def test_commit_then_timeout_creates_the_invoice_although_the_client_timed_out(demo: Sandbox, api: Api) -> None:
    demo.faults.add("commit_then_timeout", method="POST", path="/3/invoices", times=1, delay=2.0)
    body = {"Invoice": {"CustomerNumber": "1", "ExternalInvoiceReference1": "EB-TIMEOUT-1"}}
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        api.request("POST", "/3/invoices", body=body, timeout=0.3)
    assert time.monotonic() - started < 1.5
    found = api.get("/3/invoices", externalinvoicereference1="EB-TIMEOUT-1").body["Invoices"]
    assert len(found) == 1
    assert any(i.get("ExternalInvoiceReference1") == "EB-TIMEOUT-1" for i in demo.company.invoices.values())


def test_commit_then_drop(demo: Sandbox, api: Api) -> None:
    demo.faults.add("commit_then_timeout", method="POST", path="/3/customers", times=1, drop=True)
    before = len(demo.company.customers)
    with pytest.raises(requests.ConnectionError):
        api.post("/3/customers", {"Customer": {"Name": "Tyst Kund AB"}})
    assert len(demo.company.customers) == before + 1


def test_fault_rules_match_method_and_path_prefix_and_clear(demo: Sandbox, api: Api) -> None:
    rule = demo.faults.add("error", method="PUT", path="/3/invoices", status=500)
    assert api.get("/3/invoices/1").status == 200  # method differs
    assert api.put("/3/invoicepayments/1").status == 404  # /3/invoices is no prefix of it: not faulted
    assert api.put("/3/invoices/2/externalprint").status == 500
    assert rule.fired == 1
    demo.faults.clear()
    assert api.put("/3/invoices/2/externalprint").status == 200


def test_stop_is_prompt_with_a_delayed_answer_and_idle_connections(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox("empty", check_contract=False)
    api = Api(sb)
    assert api.get("/3/me").status == 200  # leaves an idle keep-alive connection in the pool
    sb.faults.add("commit_then_timeout", method="POST", path="/3/customers", delay=30.0)
    with pytest.raises(requests.Timeout):
        api.request("POST", "/3/customers", body={"Customer": {"Name": "Väntar AB"}}, timeout=0.2)
    url = sb.api_url + "/3/me"
    started = time.monotonic()
    sb.stop()
    assert time.monotonic() - started < 1.0
    with pytest.raises(requests.ConnectionError):
        api.session.get(url, headers={"Authorization": f"Bearer {api.token}"}, timeout=2)
