"""OAuth like Fortnox: code flow, single-use and expiring codes, rotating refresh tokens, client credentials."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from fortnox_link.sandbox import ALL_SCOPES, FakeClock, Sandbox

from .conftest import Api

REDIRECT = "http://127.0.0.1:53682/callback"


def authorize(sb: Sandbox, **params: str) -> requests.Response:
    query = {
        "client_id": sb.client_id,
        "response_type": "code",
        "state": "s-123",
        "scope": "companyinformation invoice bookkeeping",
        "access_type": "offline",
        **params,
    }
    return requests.get(sb.oauth_url + "/auth", params=query, allow_redirects=False, timeout=5)


def token(sb: Sandbox, form: dict[str, str], *, auth: tuple[str, str] | None = None, **headers: str) -> Any:
    answer = requests.post(
        sb.oauth_url + "/token",
        data=form,
        auth=auth or (sb.client_id, sb.client_secret),
        headers=headers,
        timeout=5,
    )
    return answer.status_code, answer.json()


def test_code_flow_redirects_with_code_and_state_and_the_code_buys_working_tokens(demo: Sandbox) -> None:
    answer = authorize(demo, redirect_uri=REDIRECT)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["s-123"]

    status, body = token(demo, {"grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": REDIRECT})
    assert status == 200
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert set(body["scope"].split()) == {"companyinformation", "invoice", "bookkeeping"}
    assert body["access_token"] and body["refresh_token"]

    api = Api(demo, token=body["access_token"])
    assert api.get("/3/companyinformation").body["CompanyInformation"]["CompanyName"] == "Demobolaget Bygg & Järn AB"
    # The scopes granted are the scopes asked for: customers were not asked for.
    refused = api.get("/3/customers")
    assert (refused.status, refused.error_code) == (400, 2000663)


def test_code_is_single_use(demo: Sandbox) -> None:
    code = demo.issue_code()
    assert token(demo, {"grant_type": "authorization_code", "code": code})[0] == 200
    status, body = token(demo, {"grant_type": "authorization_code", "code": code})
    assert status == 400
    assert body == {"error": "invalid_grant", "error_description": "Invalid authorization code"}


def test_code_expires_after_its_lifetime(demo: Sandbox, clock: FakeClock) -> None:
    code = demo.issue_code()
    clock.advance(601)
    status, body = token(demo, {"grant_type": "authorization_code", "code": code})
    assert (status, body["error"]) == (400, "invalid_grant")


def test_code_is_bound_to_its_redirect_uri(demo: Sandbox) -> None:
    code = demo.issue_code(redirect_uri=REDIRECT)
    status, body = token(demo, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT + "x"})
    assert (status, body["error"]) == (400, "invalid_grant")
    # The failed attempt consumed it: a code is tried once.
    status, _ = token(demo, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})
    assert status == 400


def test_without_redirect_uri_the_code_is_shown_for_copy_paste(demo: Sandbox) -> None:
    answer = authorize(demo)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    text = answer.content.decode("utf-8")
    assert "Kopiera koden" in text and "Copy this code" in text
    code = text.split("<code id=code>")[1].split("</code>")[0]
    assert token(demo, {"grant_type": "authorization_code", "code": code})[0] == 200


def test_unknown_client_and_unknown_scope_are_refused(demo: Sandbox) -> None:
    assert authorize(demo, client_id="someone-else").status_code == 400
    answer = authorize(demo, scope="invoice teleportation", redirect_uri=REDIRECT)
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["error"] == ["invalid_scope"]


def test_without_auto_approve_the_user_decides(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox("empty", auto_approve=False)
    page = authorize(sb, redirect_uri=REDIRECT)
    assert page.status_code == 200 and "Godkänn" in page.text
    approved = authorize(sb, redirect_uri=REDIRECT, decision="approve")
    assert "code" in parse_qs(urlsplit(approved.headers["Location"]).query)
    denied = authorize(sb, redirect_uri=REDIRECT, decision="deny")
    assert parse_qs(urlsplit(denied.headers["Location"]).query)["error"] == ["access_denied"]


def test_refresh_rotates_and_the_old_refresh_token_is_dead(demo: Sandbox) -> None:
    _, first = token(demo, {"grant_type": "authorization_code", "code": demo.issue_code()})
    status, second = token(demo, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert status == 200
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert demo.stats.refresh_count == 1

    status, reused = token(demo, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert status == 400
    assert reused == {"error": "invalid_grant", "error_description": "Invalid refresh token"}
    assert demo.stats.refresh_count == 1

    status, third = token(demo, {"grant_type": "refresh_token", "refresh_token": second["refresh_token"]})
    assert status == 200
    assert Api(demo, token=third["access_token"]).get("/3/me").status == 200


def test_refresh_token_expires(demo: Sandbox, clock: FakeClock) -> None:
    pair = demo.issue_tokens()
    clock.advance(45 * 86400 + 1)
    status, body = token(demo, {"grant_type": "refresh_token", "refresh_token": str(pair["refresh_token"])})
    assert (status, body["error"]) == (400, "invalid_grant")


def test_client_credentials_with_tenant_gives_an_access_token_only(demo: Sandbox) -> None:
    tenant = str(demo.company.info["DatabaseNumber"])
    status, body = token(demo, {"grant_type": "client_credentials"}, TenantId=tenant)
    assert status == 200
    assert "refresh_token" not in body
    assert set(body["scope"].split()) == set(ALL_SCOPES)
    assert Api(demo, token=body["access_token"]).get("/3/invoices", limit=1).status == 200

    status, body = token(demo, {"grant_type": "client_credentials"}, TenantId="1")
    assert (status, body["error"]) == (400, "invalid_grant")


def test_bad_client_credentials_are_401_invalid_client(demo: Sandbox) -> None:
    form = {"grant_type": "authorization_code", "code": demo.issue_code()}
    status, body = token(demo, form, auth=(demo.client_id, "wrong-secret"))
    assert (status, body["error"]) == (401, "invalid_client")
    answer = requests.post(demo.oauth_url + "/token", data=form, timeout=5)
    assert answer.status_code == 401
    # Nothing was consumed by the refused attempts.
    assert token(demo, form)[0] == 200


def test_unknown_grant_type(demo: Sandbox) -> None:
    status, body = token(demo, {"grant_type": "password"})
    assert (status, body["error"]) == (400, "unsupported_grant_type")


def test_api_needs_a_live_bearer_token(demo: Sandbox, clock: FakeClock) -> None:
    api = Api(demo)
    assert api.get("/3/companyinformation").status == 200
    clock.advance(3601)
    expired = api.get("/3/companyinformation")
    assert (expired.status, expired.error_code) == (401, 2000310)

    missing = requests.get(demo.api_url + "/3/companyinformation", timeout=5)
    assert missing.status_code == 401
    assert missing.json()["ErrorInformation"]["code"] == 2000311

    unknown = Api(demo, token="not-a-token").get("/3/me")
    assert (unknown.status, unknown.error_code) == (401, 2000310)
    assert demo.stats.status_counts[401] == 3


def test_me_accepts_any_token_and_scopes_guard_the_rest(demo: Sandbox) -> None:
    api = Api(demo, scopes=["invoice"])
    assert api.get("/3/me").status == 200
    assert api.get("/3/invoices").status == 200
    refused = api.get("/3/vouchers")
    assert (refused.status, refused.error_code) == (400, 2000663)
    refused = api.get("/3/settings/lockedperiod")
    assert (refused.status, refused.error_code) == (400, 2000663)
