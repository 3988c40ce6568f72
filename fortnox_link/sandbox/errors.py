"""Errors the sandbox answers, in Fortnox's shape: `{"ErrorInformation": {"error": 1, "message": ..., "code": ...}}`.

Real Fortnox writes the keys in lower case; the OpenAPI schema (`fortnox_ErrorInformationWrap`) capitalises them
but requires none, so both validate. Messages are Swedish, as Fortnox's are.

Codes documented by Fortnox (fortnox-api.md and Fortnox's public error page):

| code    | HTTP | when (in the sandbox) |
|---------|------|------------------------------------------------------------------------------------------|
| 1000003 | 500  | unexpected failure inside the sandbox ("System exception"); also injected 5xx faults |
| 2000106 | 400  | a text field got something that is not text |
| 2000108 | 400  | a numeric field got something that is not a number |
| 2000134 | 400  | a boolean field got something that is not a boolean |
| 2000310 | 401  | access token unknown or expired ("Ogiltig inloggning") |
| 2000311 | 401  | no `Authorization: Bearer` header at all |
| 2000359 | 400  | control characters in a text, or `/ \\ ? # %` in a customer/article/supplier/document number |
| 2000423 | 400/404 | account not found (voucher/invoice/supplier-invoice rows, `GET /3/accounts/{n}`) |
| 2000204 | 400  | invoice/order for a customer number that does not exist |
| 2000433 | 404  | `GET/PUT /3/customers/{n}` for a customer that does not exist |
| 2000428 | 404  | `GET/PUT /3/articles/{n}` for an article that does not exist |
| 2000588 | 400  | invalid query parameter (limit > 500, bad page, bad date, unknown sortby/filter value) |
| 2000637 | 400  | customer number already used |
| 2000663 | 400  | the access token lacks the scope of the resource |
| 2000755 | 400  | supplier invoice rows do not balance |
| 2001101 | 400  | the company has no licence for the resource's module |
| 2001103 | 400  | the company has no integration (API) licence: every /3 call |
| 2001302 | 400  | invoice/order row with an article number that does not exist |
| 2001304 | 400/404 | predefined account name unknown; invoice row `AccountNumber` not in the chart |
| 2001392 | 400  | empty body, or body/wrapper of the wrong type |
| 2001399 | 400  | unknown field, or an unknown top-level wrapper, in a body |
| 2002115 | 400  | body is not JSON |

Codes the documentation leaves open. **Sandbox-chosen, unconfirmed**: kept in their own block (2099xxx) so they
are never mistaken for real Fortnox codes. Map the real ones when they are seen.

| code    | HTTP | message (example) |
|---------|------|------------------------------------------------------------------------------------------|
| 2099001 | 400  | Verifikationen är inte balanserad (debet 100.00, kredit 90.00) |
| 2099002 | 400  | Verifikationsserien B tillåter inte manuell kontering |
| 2099003 | 400  | Det finns inget räkenskapsår för datumet 2027-01-05 |
| 2099004 | 400  | Perioden är låst. Datumet 2025-03-01 ligger i en låst period (till och med 2025-03-31) |
| 2099005 | 400  | Kontot 4011 är inte aktivt |
| 2099006 | 400  | Artikelnummer 100 används redan |
| 2099007 | 400  | Dokumentnummer 17 används redan |
| 2099008 | 400  | Leverantörsnummer 5 används redan |
| 2099009 | 400  | Ogiltigt värde för fältet VAT: 7 (enumeration, range, date, VAT rate, discount) |
| 2099010 | 400  | Fältet Description får innehålla högst 255 tecken |
| 2099011 | 400  | Fältet Name måste fyllas i (a required field is missing) |
| 2099012 | 400  | Fakturan är bokförd och kan inte ändras eller makuleras |
| 2099013 | 400  | Fakturan är makulerad |
| 2099014 | 400  | Kunden saknar e-postadress för fakturor (e-post kan inte skickas) |
| 2099015 | 400/404 | Verifikationsserien X finns inte |
| 2099016 | 400  | Transaktionsdatumet 2025-06-01 ligger utanför räkenskapsåret 2026-01-01 - 2026-12-31 |
| 2099017 | 400  | Angivet räkenskapsår (Year 3) stämmer inte med financialyear 2 |
| 2099018 | 400/404 | Räkenskapsåret 9 finns inte |
| 2099019 | 400/404 | Leverantören 77 hittades inte |
| 2099020 | 404  | Kan inte hitta fakturan/verifikationen/ordern; also an unknown path |
| 2099021 | 429  | Too many requests (rate limit; Fortnox's own text is English) |
| 2099022 | 400  | Fakturan är redan bokförd |
| 2099023 | 400  | Fakturan är redan krediterad |
| 2099024 | 400  | Varje verifikationsrad måste ha antingen debet eller kredit (row-level voucher errors) |
"""

from __future__ import annotations

from typing import Any

SYSTEM_EXCEPTION = 1000003
NOT_ALPHANUMERIC = 2000106
NOT_NUMERIC = 2000108
NOT_BOOLEAN = 2000134
INVALID_LOGIN = 2000310
MISSING_CREDENTIALS = 2000311
ILLEGAL_CHARACTERS = 2000359
ACCOUNT_NOT_FOUND = 2000423
CUSTOMER_NOT_FOUND_FOR_DOCUMENT = 2000204
CUSTOMER_NOT_FOUND = 2000433
ARTICLE_NOT_FOUND = 2000428
INVALID_PARAMETER = 2000588
CUSTOMER_NUMBER_USED = 2000637
SCOPE_MISSING = 2000663
SUPPLIER_INVOICE_NOT_BALANCED = 2000755
LICENCE_MISSING = 2001101
INTEGRATION_LICENCE_MISSING = 2001103
ARTICLE_NOT_FOUND_FOR_ROW = 2001302
PREDEFINED_ACCOUNT_NOT_FOUND = 2001304
BAD_BODY = 2001392
UNKNOWN_FIELD = 2001399
JSON_SYNTAX = 2002115

# Sandbox-chosen, unconfirmed (see the table above).
VOUCHER_NOT_BALANCED = 2099001
SERIES_NOT_MANUAL = 2099002
NO_FINANCIAL_YEAR = 2099003
PERIOD_LOCKED = 2099004
ACCOUNT_INACTIVE = 2099005
ARTICLE_NUMBER_USED = 2099006
DOCUMENT_NUMBER_USED = 2099007
SUPPLIER_NUMBER_USED = 2099008
INVALID_VALUE = 2099009
TOO_LONG = 2099010
REQUIRED_FIELD = 2099011
DOCUMENT_BOOKED = 2099012
DOCUMENT_CANCELLED = 2099013
NO_EMAIL_ADDRESS = 2099014
SERIES_NOT_FOUND = 2099015
DATE_OUTSIDE_YEAR = 2099016
YEAR_MISMATCH = 2099017
FINANCIAL_YEAR_NOT_FOUND = 2099018
SUPPLIER_NOT_FOUND = 2099019
NOT_FOUND = 2099020
RATE_LIMITED = 2099021
ALREADY_BOOKED = 2099022
ALREADY_CREDITED = 2099023
VOUCHER_ROW_INVALID = 2099024

SANDBOX_CHOSEN_CODES = frozenset(range(2099001, 2099025))


def error_body(code: int, message: str) -> dict[str, Any]:
    return {"ErrorInformation": {"error": 1, "message": message, "code": code}}


class ApiError(Exception):
    """An error answer of the /3 API: HTTP status plus Fortnox's ErrorInformation."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message)
