"""The real client against the real sandbox over loopback HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests

from fortnox_link.demo import Connection, authorize_in_sandbox, connect_to_sandbox
from fortnox_link.fortnox import (
    AuthError,
    ClientCredentialsTokens,
    Fortnox,
    FortnoxClient,
    FortnoxConnectionError,
    FortnoxSettings,
    InvalidClientError,
    InvalidGrantError,
    Licence,
    NotFoundError,
    OAuthClient,
    OutcomeUnknownError,
    ProbeResult,
    RateLimitedError,
    RefreshingTokens,
    RetryPolicy,
    SlidingWindowLimiter,
    TokenSet,
    ValidationError,
)
from fortnox_link.sandbox import Sandbox

from ..conftest import FAST_RETRY


class Clock:
    """A clock tests move by hand, shared by sandbox and client so expiry needs no sleeping."""

    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def settings_for(sb: Sandbox) -> FortnoxSettings:
    return FortnoxSettings(
        api_url=sb.api_url, oauth_url=sb.oauth_url, client_id=sb.client_id, client_secret=sb.client_secret
    )


class RecordingSession(requests.Session):
    """A real requests session that remembers which bearer token each API request carried."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens_used: list[str] = []
        self._lock = threading.Lock()

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        auth = (kwargs.get("headers") or {}).get("Authorization", "")
        if auth.startswith("Bearer "):
            with self._lock:
                self.tokens_used.append(auth.removeprefix("Bearer "))
        return super().request(method, url, *args, **kwargs)


# -- OAuth ----------------------------------------------------------------------------------------------------


def test_authorization_code_flow_gives_a_working_token_pair(sandbox: Sandbox) -> None:
    oauth = OAuthClient(settings_for(sandbox))
    tokens = authorize_in_sandbox(oauth)
    assert tokens.access_token and tokens.refresh_token
    assert "bookkeeping" in tokens.scope.split()
    assert "access_token" not in repr(tokens) and tokens.access_token not in repr(tokens)


def test_authorize_url_asks_for_offline_access_and_all_scopes(sandbox: Sandbox) -> None:
    url = OAuthClient(settings_for(sandbox)).authorize_url(state="abc", redirect_uri="http://127.0.0.1:1/cb")
    assert url.startswith(sandbox.oauth_url + "/auth?")
    assert "access_type=offline" in url and "response_type=code" in url and "state=abc" in url
    assert "scope=companyinformation+profile+invoice" in url


def test_code_is_single_use(sandbox: Sandbox) -> None:
    oauth = OAuthClient(settings_for(sandbox))
    code = sandbox.issue_code()
    oauth.exchange_code(code)
    with pytest.raises(InvalidGrantError):
        oauth.exchange_code(code)


def test_reused_refresh_token_fails_as_on_fortnox(sandbox: Sandbox) -> None:
    oauth = OAuthClient(settings_for(sandbox))
    first = oauth.exchange_code(sandbox.issue_code())
    assert first.refresh_token
    second = oauth.refresh(first.refresh_token)
    assert second.refresh_token and second.refresh_token != first.refresh_token
    with pytest.raises(InvalidGrantError) as err:
        oauth.refresh(first.refresh_token)
    assert err.value.error == "invalid_grant"
    assert "invalid refresh token" in err.value.message.lower()
    assert first.refresh_token not in str(err.value)
    oauth.refresh(second.refresh_token)  # the rotated one still works exactly once


def test_wrong_client_secret_is_refused(sandbox: Sandbox) -> None:
    bad = FortnoxSettings(
        api_url=sandbox.api_url, oauth_url=sandbox.oauth_url, client_id=sandbox.client_id, client_secret="wrong"
    )
    with pytest.raises(InvalidClientError):
        OAuthClient(bad).exchange_code(sandbox.issue_code())


def test_concurrent_refresh_from_8_threads_performs_one_refresh(sandbox_factory: Callable[..., Sandbox]) -> None:
    clock = Clock()
    sb = sandbox_factory(clock=clock, access_token_lifetime=3600)
    settings = settings_for(sb)
    oauth = OAuthClient(settings, clock=clock)
    persisted: list[TokenSet] = []
    session = RecordingSession()
    used_before_persist: list[str] = []

    def persist(new: TokenSet) -> None:
        # The new pair is handed over before any request may use it.
        if new.access_token in session.tokens_used:
            used_before_persist.append(new.access_token)
        persisted.append(new)

    tokens = RefreshingTokens(oauth, oauth.exchange_code(sb.issue_code()), persist, clock=clock)
    client = FortnoxClient(settings, tokens, session=session, retry=FAST_RETRY)
    fx = Fortnox(client)
    refreshes_before = sb.stats.refresh_count
    clock.now += 3600  # every thread now finds the token expired
    barrier = threading.Barrier(8)
    names: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        barrier.wait()
        try:
            names.append(fx.company_information().name)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(names) == 8
    assert tokens.refresh_count == 1
    assert sb.stats.refresh_count - refreshes_before == 1
    assert len(persisted) == 1 and not used_before_persist
    assert set(session.tokens_used) == {persisted[0].access_token}


def test_proactive_refresh_shortly_before_expiry(sandbox_factory: Callable[..., Sandbox]) -> None:
    clock = Clock()
    sb = sandbox_factory(clock=clock)
    oauth = OAuthClient(settings_for(sb), clock=clock)
    tokens = RefreshingTokens(oauth, oauth.exchange_code(sb.issue_code()), refresh_margin=120, clock=clock)
    client = FortnoxClient(settings_for(sb), tokens, retry=FAST_RETRY)
    client.get("/3/companyinformation")
    assert tokens.refresh_count == 0
    clock.now += 3600 - 60  # inside the margin: refreshed before the request, no 401 seen
    client.get("/3/companyinformation")
    assert tokens.refresh_count == 1
    assert 401 not in client.stats.by_status


def test_401_triggers_one_refresh_and_one_retry(sandbox_factory: Callable[..., Sandbox]) -> None:
    server_clock = Clock()
    sb = sandbox_factory(clock=server_clock)
    oauth = OAuthClient(settings_for(sb))
    tokens = RefreshingTokens(oauth, oauth.exchange_code(sb.issue_code()))
    client = FortnoxClient(settings_for(sb), tokens, retry=FAST_RETRY)
    server_clock.now += 4000  # the server says the token expired; the client does not know yet
    assert client.get("/3/companyinformation")["CompanyInformation"]["CompanyName"]
    assert tokens.refresh_count == 1
    assert client.stats.by_status == {401: 1, 200: 1}


def test_a_second_401_is_an_auth_error_not_a_loop(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory(access_token_lifetime=0)  # every token is dead on arrival
    oauth = OAuthClient(settings_for(sb))
    tokens = RefreshingTokens(oauth, oauth.exchange_code(sb.issue_code()), refresh_margin=-(10**9))
    client = FortnoxClient(settings_for(sb), tokens, retry=FAST_RETRY)
    with pytest.raises(AuthError) as err:
        client.get("/3/companyinformation")
    assert err.value.status == 401
    assert tokens.refresh_count == 1
    assert client.stats.by_status == {401: 2}  # one retry after the refresh, then it gives up


def test_client_credentials_service_account(sandbox: Sandbox) -> None:
    settings = settings_for(sandbox)
    tenant = sandbox.company.info["DatabaseNumber"]
    tokens = ClientCredentialsTokens(OAuthClient(settings), tenant)
    fx = Fortnox(FortnoxClient(settings, tokens, retry=FAST_RETRY))
    assert fx.company_information().database_number == tenant
    assert tokens.grant_count == 1
    with pytest.raises(InvalidGrantError):
        ClientCredentialsTokens(OAuthClient(settings), 999999).access_token()


# -- retries, timeouts and the rate limit ---------------------------------------------------------------------


def test_timed_out_post_is_outcome_unknown_and_not_repeated(connection: Connection, sandbox: Sandbox) -> None:
    connection.client.timeout = (2.0, 0.3)
    sandbox.faults.add("commit_then_timeout", method="POST", path="/3/customers", times=1, delay=3.0)
    posts_before = connection.client.stats.by_method.get("POST", 0)
    with pytest.raises(OutcomeUnknownError) as err:
        connection.fortnox.create_customer({"Name": "Åkerlund & Söner AB", "OrganisationNumber": "556001-0001"})
    assert connection.client.stats.by_method["POST"] - posts_before == 1
    assert "okänt" in err.value.message
    # It was committed although the answer never came: the caller must look it up, and can.
    found = connection.fortnox.customers_by_organisation_number("5560010001")
    assert [c["Name"] for c in found] == ["Åkerlund & Söner AB"]


def test_dropped_connection_on_post_is_outcome_unknown(connection: Connection, sandbox: Sandbox) -> None:
    sandbox.faults.add("drop", method="POST", path="/3/articles", times=1)
    with pytest.raises(OutcomeUnknownError):
        connection.fortnox.create_article({"ArticleNumber": "DROP-1", "Description": "Skruv"})
    assert connection.client.stats.by_method["POST"] == 1


def test_get_is_retried_after_5xx_and_dropped_connections(connection: Connection, sandbox: Sandbox) -> None:
    sandbox.faults.add("error", method="GET", path="/3/companyinformation", times=2, status=503)
    sandbox.faults.add("drop", method="GET", path="/3/me", times=1)
    assert connection.fortnox.company_information().name
    assert connection.fortnox.me()
    assert connection.client.stats.retries == 3
    assert connection.client.stats.server_errors == 2


def test_post_answered_500_is_outcome_unknown(connection: Connection, sandbox: Sandbox) -> None:
    sandbox.faults.add("error", method="POST", path="/3/customers", times=1, status=500)
    with pytest.raises(OutcomeUnknownError) as err:
        connection.fortnox.create_customer({"Name": "Bo"})
    assert err.value.status == 500


def test_unreachable_fortnox_is_a_connection_error(sandbox: Sandbox) -> None:
    settings = FortnoxSettings(api_url="http://127.0.0.1:9", oauth_url=sandbox.oauth_url)
    client = FortnoxClient(settings, StaticTokenFor("x"), retry=RetryPolicy(2, 0.01, 0.01))
    with pytest.raises(FortnoxConnectionError):
        client.get("/3/companyinformation")
    with pytest.raises(FortnoxConnectionError):  # never sent: even a POST may be retried, and says so
        client.post("/3/customers", {"Customer": {"Name": "X"}})


def StaticTokenFor(token: str) -> Any:
    from fortnox_link.fortnox import StaticToken

    return StaticToken(token)


def test_429_backs_off_and_gives_up_with_a_typed_error(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory(rate_limit=(3, 60.0))
    conn = connect_to_sandbox(sb, limiter=SlidingWindowLimiter(100, 1.0))
    conn.client.retry = FAST_RETRY
    for _ in range(3):
        conn.client.get("/3/companyinformation")
    with pytest.raises(RateLimitedError) as err:
        conn.client.get("/3/companyinformation")
    assert err.value.status == 429
    assert conn.client.stats.throttled == FAST_RETRY.max_attempts


def test_limiter_keeps_a_busy_client_under_the_servers_limit(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory(rate_limit=(10, 0.5))
    conn = connect_to_sandbox(sb, limiter=SlidingWindowLimiter(10, 0.5, margin=0.0))
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(15):
                conn.client.get("/3/companyinformation")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert conn.client.stats.requests == 60
    assert conn.client.stats.throttled == 0
    assert sb.stats.status_counts.get(429, 0) == 0


# -- resources --------------------------------------------------------------------------------------------------


def test_paging_walks_every_page_of_500(connection: Connection, sandbox: Sandbox) -> None:
    existing = len(sandbox.company.customers)
    for i in range(1234 - existing):
        sandbox.company.add_customer({"Name": f"Kund {i} Ö", "OrganisationNumber": f"5590{i:06d}"})
    gets_before = connection.client.stats.by_method.get("GET", 0)
    customers = list(connection.fortnox.customers())
    assert len(customers) == 1234
    assert len({c["CustomerNumber"] for c in customers}) == 1234
    assert connection.client.stats.by_method["GET"] - gets_before == 3


def test_lastmodified_returns_only_recent_changes(sandbox_factory: Callable[..., Sandbox]) -> None:
    from datetime import datetime

    clock = Clock()
    sb = sandbox_factory(clock=clock)
    conn = connect_to_sandbox(sb)
    clock.now += 7200
    conn.fortnox.create_customer({"Name": "Nyinflyttad Kund AB"})
    since = datetime.fromtimestamp(clock.now - 60)
    recent = list(conn.fortnox.customers(modified_since=since))
    assert [c["Name"] for c in recent] == ["Nyinflyttad Kund AB"]


def test_licence_probe_names_what_is_missing(connection: Connection, sandbox: Sandbox) -> None:
    assert all(s.ok for s in connection.fortnox.probe_licences().values())
    sandbox.company.licences.discard("invoicing")
    sandbox.company.licences.discard("order")
    result = connection.fortnox.probe_licences()
    assert result[Licence.BOOKKEEPING].ok
    assert result[Licence.INVOICING].result is ProbeResult.MISSING
    assert result[Licence.INVOICING].code == 2001101
    assert result[Licence.ORDER].result is ProbeResult.MISSING


def test_without_integration_licence_everything_is_missing(connection: Connection, sandbox: Sandbox) -> None:
    sandbox.company.licences.discard("integration")
    result = connection.fortnox.probe_licences()
    assert {s.result for s in result.values()} == {ProbeResult.MISSING}
    assert result[Licence.INTEGRATION].code == 2001103


def test_setup_reference_data(connection: Connection) -> None:
    fx = connection.fortnox
    year = fx.financial_year_for(date.today())
    assert year is not None and year.contains(date.today())
    assert fx.financial_year_for(date(date.today().year + 5, 1, 1)) is None
    assert fx.rounding_account() == 3740
    series = {s.code: s for s in fx.voucher_series()}
    assert series["A"].manual and not series["B"].manual
    accounts = {a.number: a for a in fx.accounts(year.id)}
    assert {1460, 2440, 3740, 4990}.issubset(accounts)
    assert any(not a.active for a in accounts.values())
    assert fx.account(3740, year.id) is not None and fx.account(3740, year.id).description  # type: ignore[union-attr]
    assert fx.account(1, year.id) is None


def test_invoice_roundtrip_with_external_reference(connection: Connection, sandbox: Sandbox) -> None:
    fx = connection.fortnox
    customer = fx.create_customer({"Name": "Fältbolaget i Älmhult AB", "EmailInvoice": "faktura@example.se"})
    article = fx.create_article({"ArticleNumber": "ÖL-1", "Description": "Ölkorg", "VAT": Decimal("12")})
    invoice = fx.create_invoice(
        {
            "CustomerNumber": customer["CustomerNumber"],
            "InvoiceDate": date.today().isoformat(),
            "ExternalInvoiceReference1": "extend:IB-777",
            "InvoiceRows": [
                {"ArticleNumber": article["ArticleNumber"], "DeliveredQuantity": "3", "Price": Decimal("99.90")}
            ],
        }
    )
    assert invoice["Total"] == Decimal("336")  # 299.70 + 12 % VAT 35.96 = 335.66, rounded to whole kronor
    assert invoice["RoundOff"] == Decimal("0.34")
    found = fx.invoices_by_external_reference("extend:IB-777")
    assert [i["DocumentNumber"] for i in found] == [invoice["DocumentNumber"]]
    assert fx.invoices_by_external_reference("extend:IB-77") == []  # substring hits are filtered out
    booked = fx.bookkeep_invoice(invoice["DocumentNumber"])
    assert booked["Booked"] is True
    sent = fx.send_invoice(invoice["DocumentNumber"], "email")
    assert sent["Sent"] is True
    assert fx.invoice("999999") is None


def test_invoice_for_unknown_customer_is_refused_with_fortnoxs_message(connection: Connection) -> None:
    with pytest.raises(NotFoundError) as err:
        connection.fortnox.create_invoice({"CustomerNumber": "NOPE", "InvoiceRows": []})
    assert err.value.code in (2000204, 2000433)
    assert err.value.message  # Fortnox's Swedish text, shown as is


def test_voucher_created_and_found_in_its_series(connection: Connection) -> None:
    fx = connection.fortnox
    today = date.today()
    year = fx.financial_year_for(today)
    assert year is not None
    voucher = fx.create_voucher(
        {
            "VoucherSeries": "A",
            "TransactionDate": today.isoformat(),
            "Description": "Lagerhändelser fortnox-link:test-1",
            "VoucherRows": [
                {"Account": 1460, "Debit": Decimal("1000.50"), "Credit": Decimal("0")},
                {"Account": 4990, "Debit": Decimal("0"), "Credit": Decimal("1000.50")},
            ],
        },
        year.id,
    )
    number = voucher["VoucherNumber"]
    listed = [v for v in fx.vouchers_in_series("A", year.id, from_date=today, to_date=today)]
    assert any(v["VoucherNumber"] == number and "test-1" in v["Description"] for v in listed)
    full = fx.voucher("A", number, year.id)
    assert sum(r["Debit"] for r in full["VoucherRows"]) == Decimal("1000.50")


def test_unbalanced_voucher_is_refused(connection: Connection) -> None:
    fx = connection.fortnox
    year = fx.financial_year_for(date.today())
    assert year is not None
    with pytest.raises(ValidationError) as err:
        fx.create_voucher(
            {
                "VoucherSeries": "A",
                "TransactionDate": date.today().isoformat(),
                "Description": "obalanserad",
                "VoucherRows": [
                    {"Account": 1460, "Debit": Decimal("10"), "Credit": Decimal("0")},
                    {"Account": 4990, "Debit": Decimal("0"), "Credit": Decimal("9.99")},
                ],
            },
            year.id,
        )
    assert err.value.code is not None and err.value.status == 400


def test_supplier_invoices_list_and_single_with_rows(connection: Connection) -> None:
    fx = connection.fortnox
    listed = list(fx.supplier_invoices())
    assert listed and all("SupplierInvoiceRows" not in s for s in listed)
    single = fx.supplier_invoice(listed[0]["GivenNumber"])
    assert single is not None and single["SupplierInvoiceRows"]
    approved = fx.approve_supplier_invoice(listed[0]["GivenNumber"], "bookkeep")
    assert approved["GivenNumber"] == listed[0]["GivenNumber"]


def test_no_secret_in_errors_or_reprs(connection: Connection, sandbox: Sandbox) -> None:
    token = connection.tokens.tokens.access_token
    sandbox.company.licences.discard("invoicing")
    with pytest.raises(Exception) as err:
        connection.fortnox.create_invoice({"CustomerNumber": "1"})
    assert token not in str(err.value) and token not in repr(err.value)
    assert sandbox.client_secret not in repr(connection.settings)
