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

from .company import Company, MemoryTokens
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
from .sync.progress import Progress

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


def open_demo_company(sandbox: Sandbox, *, today: date | None = None) -> Company:
    """The demo profile: a real store under the app folder, the embedded sandbox, the demo order system.

    Its tokens live in memory only: the sandbox dies with the process, and nothing secret is written anywhere.
    """
    from .profiles import create_profile, delete_profile, list_profiles
    from .sources.demo import DemoSource

    # The embedded sandbox starts afresh every time, so the demo profile does too: links to a sandbox that is
    # gone would only mislead.
    if any(p.name == DEMO_PROFILE for p in list_profiles()):
        delete_profile(DEMO_PROFILE, forget_secrets=False)
    profile = create_profile(DEMO_PROFILE)
    company = Company(
        profile=profile,
        store=profile.open_store(),
        tokens=MemoryTokens(),
        demo=True,
        fortnox_defaults={
            "api_url": sandbox.api_url,
            "oauth_url": sandbox.oauth_url,
            "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret,
        },
        source_override=DemoSource(today),
    )
    store = company.store
    for key, value in DEMO_SETTINGS.items():
        if not store.has_setting(key):
            store.set_setting(key, value)
    company.save_authorization(authorize_in_sandbox(company.oauth()))
    info = company.fortnox().company_information()
    store.set_setting("company.name", info.name)
    store.set_setting("company.organisation_number", info.organisation_number)
    return company


DEMO_PROFILE = "demo"
DEMO_SETTINGS: dict[str, object] = {
    "source.kind": "demo",
    "bookkeeping.voucher_series": "L",
    "bookkeeping.rounding_account": 3740,
    "invoicing.enabled": True,
    "matching.enabled": True,
    "inventory.enabled": True,
}


def run_headless_demo(print_line: Callable[[str], None] = print, *, today: date | None = None) -> int:
    """Start the sandbox with the demo company, connect as a user would, check the set-up, read the order
    system and run every connection this version has. Prints what it did; returns an exit code."""
    from .checks import run_checks
    from .sync.registry import available_connections

    today = today or date.today()
    with Sandbox(seed="demo") as sandbox:
        print_line(f"Fortnox-sandlåda / Fortnox sandbox: {sandbox.api_url} (demoföretag, inget konto behövs)")
        company = open_demo_company(sandbox, today=today)
        try:
            fx = company.fortnox()
            print_line(
                f"Ansluten till / connected to: {company.store.get_setting_str('company.name')} "
                f"(org.nr {company.store.get_setting_str('company.organisation_number')}), profil '{DEMO_PROFILE}'"
            )
            print_line("Kontroller / checks:")
            checks = run_checks(
                fx,
                today=today,
                voucher_series=company.store.get_setting_str("bookkeeping.voucher_series"),
                rounding_account=company.store.get_setting_int("bookkeeping.rounding_account"),
            )
            for check in checks:
                print_line(f"  {'OK ' if check.ok else 'FEL'}  {check.name}: {check.found}")
            source = company.source()
            print_line(f"Ordersystem / order system: {source.test_connection()}")
            for label, batch in (
                ("fakturaunderlag / invoice bases", source.invoice_bases()),
                ("inköpsorder / purchase orders", source.purchase_orders()),
                ("lagerhändelser / inventory events", source.inventory_events()),
            ):
                print_line(f"  {label}: {len(batch.records)} ok, {len(batch.problems)} med fel / with problems")
                for problem in batch.problems[:3]:
                    print_line(f"      - {problem}")
            connections = available_connections()
            for name in ("invoicing", "matching", "inventory"):
                if name in connections:

                    def show(p: Progress) -> None:
                        if p.total and (p.done % 25 == 0 or p.done == p.total):
                            print_line(f"  … {p.done}/{p.total} ({p.message})")

                    report = connections[name](company, trigger="manual", dry_run=False, progress=show)
                    print_line(f"Koppling / connection {name}: {report.get('status')} {report.get('message', '')}")
                else:
                    print_line(f"Koppling / connection {name}: finns inte i denna version än (not built yet)")
            client = fx.client
            print_line(f"API-anrop / API calls: {client.stats.requests}, svar 429: {client.stats.throttled}")
            print_line(f"Data: {company.profile.folder}")
        finally:
            company.close()
    return 0
