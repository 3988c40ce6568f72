"""Demo mode: the embedded Fortnox sandbox with its demo company, connected as a real user would connect.

The authorization goes through the sandbox's real OAuth endpoints: the authorize URL is opened (the sandbox
approves at once, as a signed-in user clicking "Godkänn" would), the code is caught from the redirect and
exchanged for tokens over HTTP, exactly like the production flow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qs, urlsplit

import requests

from .fortnox import (
    Fortnox,
    FortnoxClient,
    FortnoxSettings,
    OAuthClient,
    RefreshingTokens,
    SlidingWindowLimiter,
    TokenSet,
)
from .sandbox import Sandbox

DEMO_REDIRECT_URI = "http://127.0.0.1:53682/fortnox-link/callback"


def authorize_in_sandbox(
    oauth: OAuthClient, *, redirect_uri: str = DEMO_REDIRECT_URI, session: requests.Session | None = None
) -> TokenSet:
    """Run the authorization-code flow against a sandbox that auto-approves, and return the tokens."""
    state = OAuthClient.new_state()
    url = oauth.authorize_url(state=state, redirect_uri=redirect_uri)
    answer = (session or requests).get(url, allow_redirects=False, timeout=10)
    location = answer.headers.get("Location", "")
    if answer.status_code not in (301, 302, 303) or not location:
        raise RuntimeError(f"the sandbox did not redirect with a code (HTTP {answer.status_code})")
    query = parse_qs(urlsplit(location).query)
    if query.get("state") != [state]:
        raise RuntimeError("the state in the redirect does not match: refusing the code")
    return oauth.exchange_code(query["code"][0], redirect_uri=redirect_uri)


@dataclass
class Connection:
    """A connected company: settings, token holder, client and resource helpers."""

    settings: FortnoxSettings
    tokens: RefreshingTokens
    client: FortnoxClient
    fortnox: Fortnox


def connect_to_sandbox(
    sandbox: Sandbox,
    *,
    persist: Callable[[TokenSet], None] | None = None,
    limiter: SlidingWindowLimiter | None = None,
) -> Connection:
    settings = FortnoxSettings(
        api_url=sandbox.api_url,
        oauth_url=sandbox.oauth_url,
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
    )
    oauth = OAuthClient(settings)
    tokens = RefreshingTokens(oauth, authorize_in_sandbox(oauth), persist)
    client = FortnoxClient(settings, tokens, limiter=limiter)
    return Connection(settings, tokens, client, Fortnox(client))


def run_headless_demo(print_line: Callable[[str], None] = print, *, today: date | None = None) -> int:
    """Start the sandbox with the demo company, connect, run the set-up checks and print what was found."""
    today = today or date.today()
    with Sandbox(seed="demo") as sandbox:
        print_line(f"Fortnox sandbox running at {sandbox.api_url} (demo company, no account needed)")
        conn = connect_to_sandbox(sandbox)
        fx = conn.fortnox
        company = fx.company_information()
        print_line(f"Connected to: {company.name} (org. nr {company.organisation_number})")

        print_line("Licences (programlicenser):")
        for status in fx.probe_licences(today).values():
            mark = "ok" if status.ok else f"MISSING: {status.message}"
            print_line(f"  {status.licence.value:<16} {mark}")

        year = fx.financial_year_for(today)
        if year is None:
            print_line(f"Financial year (räkenskapsår) for {today}: missing - create it in Fortnox")
        else:
            print_line(f"Financial year (räkenskapsår): {year.from_date} - {year.to_date} (id {year.id})")

        print_line("Voucher series (verifikationsserier):")
        for series in fx.voucher_series():
            usable = "manual posting allowed" if series.manual else "no manual posting: not usable"
            print_line(f"  {series.code:<4} {series.description:<28} {usable}")

        rounding = fx.rounding_account()
        accounts = fx.accounts(year.id if year else None)
        names = {a.number: a.description for a in accounts}
        print_line(f"Rounding account (öres- och kronutjämning): {rounding} {names.get(rounding or 0, '')}".rstrip())
        print_line(f"Chart of accounts: {len(accounts)} accounts, {sum(a.active for a in accounts)} active")
        customers = sum(1 for _ in fx.customers())
        articles = sum(1 for _ in fx.articles())
        supplier_invoices = sum(1 for _ in fx.supplier_invoices())
        print_line(f"Company data: {customers} customers, {articles} articles, {supplier_invoices} supplier invoices")
        stats = conn.client.stats
        print_line(f"API calls: {stats.requests}, answered 429: {stats.throttled}")
        print_line("The connections (invoicing, purchase matching, inventory) are not built yet.")
    return 0
