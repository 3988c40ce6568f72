"""Every setting the wizard makes, with its type, default and meaning, so the CLI can set the same things.

Values live in the profile's store (non-secret) or, for the three secret keys, in the keyring. `parse()` turns
the text a person types (`fortnox-link config set invoicing.start_date 2026-12-01`) into the typed value and says
clearly what is wrong with bad input.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .secrets import EXTEND_API_KEY, FORTNOX_CLIENT_SECRET


class SettingError(ValueError):
    """A setting name or value that cannot be used; the message says which and why."""


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "ja", "on", "sant"):
        return True
    if lowered in ("0", "false", "no", "nej", "off", "falskt"):
        return False
    raise SettingError(f'"{text}" is not yes/no (use true or false)')


def _int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise SettingError(f'"{text}" is not a whole number') from None


def _decimal(text: str) -> str:
    try:
        value = Decimal(text.strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise SettingError(f'"{text}" is not an amount (e.g. 0.50 or 0,50)') from None
    if not value.is_finite() or value < 0:
        raise SettingError(f'"{text}" must be zero or more')
    return str(value)


def _date(text: str) -> str:
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise SettingError(f'"{text}" is not a date (YYYY-MM-DD)') from None


def _account(text: str) -> int:
    number = _int(text)
    if not 1000 <= number <= 9999:
        raise SettingError(f'"{text}" is not a four-digit account number')
    return number


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in options:
            raise SettingError(f'"{text}" is not one of: {", ".join(options)}')
        return value

    return parse


def _text(text: str) -> str:
    value = text.strip()
    if not value:
        raise SettingError("the value is empty")
    return value


def _url(text: str) -> str:
    value = _text(text).rstrip("/")
    if not value.startswith(("https://", "http://127.0.0.1", "http://localhost", "http://[::1]")):
        raise SettingError(f'"{text}" must be an https:// address (plain http only for this computer)')
    return value


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise SettingError(f"not valid JSON: {exc}") from None


@dataclass(frozen=True)
class SettingSpec:
    key: str
    help: str
    parse: Callable[[str], Any]
    default: Any = None
    secret: bool = False  # stored in the keyring under `secret_key`, never in the store
    secret_key: str | None = None


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("fortnox.api_url", "Fortnox API address", _url, "https://api.fortnox.se"),
    SettingSpec("fortnox.oauth_url", "Fortnox sign-in address", _url, "https://apps.fortnox.se/oauth-v1"),
    SettingSpec("fortnox.client_id", "the integration's client id", _text),
    SettingSpec(
        "fortnox.client_secret", "the integration's client secret", _text, secret=True, secret_key=FORTNOX_CLIENT_SECRET
    ),
    SettingSpec("fortnox.tenant_id", "service account: the company's database number (TenantId)", _int),
    SettingSpec("bookkeeping.voucher_series", "voucher series for inventory vouchers (manual posting)", _text),
    SettingSpec("bookkeeping.rounding_account", "öres- och kronutjämning account", _account),
    SettingSpec("source.kind", "the order system: demo, files or extend-api", _choice("demo", "files", "extend-api")),
    SettingSpec("source.folder", "files: the inbox folder where exports land", _text),
    SettingSpec("source.url", "extend-api: the order system's API address", _url),
    SettingSpec("source.api_key", "extend-api: the API key", _text, secret=True, secret_key=EXTEND_API_KEY),
    SettingSpec("invoicing.enabled", "invoicing connection on", _bool, False),
    SettingSpec("invoicing.start_date", "invoicing: ignore invoice bases dated before", _date),
    SettingSpec("invoicing.start_number", "invoicing: ignore invoice bases numbered below", _text),
    SettingSpec("invoicing.bookkeep", "invoicing: bookkeep each invoice after creating it", _bool, False),
    SettingSpec(
        "invoicing.distribution",
        "invoicing: send by email, eprint, einvoice, or none",
        _choice("none", "email", "eprint", "einvoice"),
        "none",
    ),
    SettingSpec("matching.enabled", "purchase matching connection on", _bool, False),
    SettingSpec("matching.start_date", "matching: ignore purchase orders dated before", _date),
    SettingSpec("matching.start_number", "matching: ignore purchase orders numbered below", _text),
    SettingSpec("matching.row_price_tolerance", "matching: allowed price difference per row (kr)", _decimal, "0.50"),
    SettingSpec("matching.total_tolerance", "matching: allowed difference in total (kr)", _decimal, "1.00"),
    SettingSpec("matching.total_tolerance_percent", "matching: allowed difference in total (%)", _decimal, "0.5"),
    SettingSpec("matching.quantity_tolerance", "matching: allowed quantity difference", _decimal, "0"),
    SettingSpec("matching.date_window_days", "matching: days around the order date to look", _int, 60),
    SettingSpec("matching.not_invoiced_after_days", "matching: report orders without invoice after", _int, 30),
    SettingSpec(
        "matching.approve",
        "matching: approve matched invoices: none, bookkeep, payment",
        _choice("none", "bookkeep", "payment"),
        "none",
    ),
    SettingSpec("inventory.enabled", "inventory bookkeeping connection on", _bool, False),
    SettingSpec("inventory.start_date", "inventory: ignore events dated before", _date),
    SettingSpec(
        "inventory.grouping", "inventory: one voucher per day, event or run", _choice("day", "event", "run"), "day"
    ),
    SettingSpec("inventory.rules", "inventory: account rules (JSON list)", _json),
)

BY_KEY: dict[str, SettingSpec] = {spec.key: spec for spec in SPECS}


def spec_for(key: str) -> SettingSpec:
    try:
        return BY_KEY[key]
    except KeyError:
        close = [k for k in BY_KEY if k.split(".")[-1] == key.split(".")[-1] or k.startswith(key.split(".")[0] + ".")]
        hint = f" Did you mean: {', '.join(close[:4])}?" if close else ""
        raise SettingError(f'unknown setting "{key}".{hint} (fortnox-link config show lists them all)') from None


def parse(key: str, text: str) -> Any:
    spec = spec_for(key)
    try:
        return spec.parse(text)
    except SettingError as exc:
        raise SettingError(f"{key}: {exc}") from None
