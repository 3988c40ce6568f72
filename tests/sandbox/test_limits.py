"""Rate limit per access token, and licence/scope answers (2001103, 2001101, 2000663)."""

from __future__ import annotations

from collections.abc import Callable

from fortnox_link.sandbox import FakeClock, Sandbox

from .conftest import Api


def test_rate_limit_answers_429_and_a_refused_request_has_no_effect(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox("demo", rate_limit=(5, 60.0))
    api = Api(sb)
    customers_before = len(sb.company.customers)
    for _ in range(5):
        assert api.get("/3/me").status == 200
    refused = api.post("/3/customers", {"Customer": {"Name": "För många anrop AB"}})
    assert refused.status == 429
    assert refused.error_code == 2099021
    assert refused.message == "Too many requests"
    assert len(sb.company.customers) == customers_before
    assert sb.stats.status_counts[429] == 1
    # The window is per access token: another token is not affected.
    assert Api(sb).get("/3/me").status == 200


def test_rate_limit_window_slides(make_sandbox: Callable[..., Sandbox], clock: FakeClock) -> None:
    sb = make_sandbox("empty", rate_limit=(3, 5.0), rate_limit_clock=clock, access_token_lifetime=10**6)
    api = Api(sb)
    assert [api.get("/3/me").status for _ in range(4)] == [200, 200, 200, 429]
    clock.advance(4.9)
    assert api.get("/3/me").status == 429
    clock.advance(0.2)
    assert [api.get("/3/me").status for _ in range(4)] == [200, 200, 200, 429]


def test_rate_limit_can_be_switched_off(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox("empty", rate_limit=None)
    api = Api(sb)
    assert {api.get("/3/me").status for _ in range(40)} == {200}
    assert sb.stats.status_counts[429] == 0


def test_without_integration_licence_every_call_answers_2001103(demo: Sandbox, api: Api) -> None:
    demo.company.licences.discard("integration")
    for path in ("/3/companyinformation", "/3/me", "/3/invoices", "/3/financialyears"):
        answer = api.get(path)
        assert (answer.status, answer.error_code) == (400, 2001103), path
    assert api.get("/3/companyinformation").message == "Api-licens saknas."


def test_missing_module_licence_answers_2001101_for_that_module_only(demo: Sandbox, api: Api) -> None:
    demo.company.licences.discard("invoicing")
    for path in ("/3/invoices", "/3/customers", "/3/articles"):
        assert api.get(path).error_code == 2001101, path
    assert api.get("/3/vouchers").status == 200
    assert api.get("/3/orders").status == 200

    demo.company.licences.discard("order")
    assert api.get("/3/orders", limit=1).error_code == 2001101
    demo.company.licences.discard("bookkeeping")
    for path in ("/3/financialyears", "/3/supplierinvoices", "/3/predefinedaccounts/ROUNDOFF"):
        assert api.get(path).error_code == 2001101, path
    assert api.get("/3/companyinformation").status == 200


def test_token_without_the_scope_answers_2000663(demo: Sandbox) -> None:
    api = Api(demo, scopes=["companyinformation", "bookkeeping"])
    assert api.get("/3/financialyears").status == 200
    for path in ("/3/invoices", "/3/customers", "/3/articles", "/3/supplierinvoices", "/3/orders"):
        answer = api.get(path)
        assert (answer.status, answer.error_code) == (400, 2000663), path
