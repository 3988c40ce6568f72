"""The set-up checks: what must be right in Fortnox before the connections can run, and what to click if not.

Used by `fortnox-link check` and by the wizard. Each check says ok or not, what it found, and for a problem the
place in Fortnox to fix it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from .fortnox import Fortnox, FortnoxError, Licence, ProbeResult

LICENCE_FIX = (
    "Lägg till licensen i Fortnox: 'Företagsnamn' > 'Administrera användare' > lägg till licenser. "
    "(Add the licence in Fortnox: company name > Manage users > add licences.)"
)
SERIES_FIX = (
    "Tillåt manuell kontering: Inställningar > Bokföring > Verifikationsserier, kryssa i 'Manuell kontering'. "
    "(Allow manual posting: Settings > Bookkeeping > Voucher series, tick 'Manual posting'.)"
)
YEAR_FIX = (
    "Skapa räkenskapsåret i Fortnox: Inställningar > Bokföring > Räkenskapsår. "
    "(Create the financial year in Fortnox: Settings > Bookkeeping > Financial years.)"
)
ROUNDING_FIX = (
    "Välj ett aktivt konto för öres- och kronutjämning (normalt 3740): fortnox-link config set "
    "bookkeeping.rounding_account 3740, eller i Fortnox under Inställningar > Bokföring > Fördefinierade konton."
)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    found: str
    fix: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_checks(
    fortnox: Fortnox,
    *,
    today: date,
    voucher_series: str | None,
    rounding_account: int | None,
    needed_licences: tuple[Licence, ...] = tuple(Licence),
) -> list[Check]:
    checks: list[Check] = []
    licences = fortnox.probe_licences(today)
    for licence, status in licences.items():
        needed = licence in needed_licences
        if status.ok:
            checks.append(Check(f"licence: {licence.value}", True, "ok"))
        elif status.result is ProbeResult.NO_SCOPE:
            checks.append(
                Check(
                    f"licence: {licence.value}",
                    not needed,
                    f"ingen behörighet (no permission): {status.message}",
                    "Anslut igen med en användare som har behörigheten. (Connect again as a user with that right.)",
                )
            )
        else:
            checks.append(Check(f"licence: {licence.value}", not needed, status.message or "missing", LICENCE_FIX))
    if not licences[Licence.INTEGRATION].ok or not licences[Licence.BOOKKEEPING].ok:
        return checks

    try:
        year = fortnox.financial_year_for(today)
    except FortnoxError as exc:
        checks.append(Check("financial year", False, exc.message, YEAR_FIX))
        return checks
    if year is None:
        checks.append(Check("financial year", False, f"inget räkenskapsår för {today.isoformat()}", YEAR_FIX))
    else:
        checks.append(Check("financial year", True, f"{year.from_date} – {year.to_date}"))

    series = {s.code: s for s in fortnox.voucher_series(year.id if year else None)}
    if voucher_series is None:
        manual = [s.code for s in series.values() if s.manual]
        checks.append(
            Check(
                "voucher series",
                False,
                f"ingen vald (none chosen); med manuell kontering: {', '.join(manual) or 'inga'}",
                "fortnox-link config set bookkeeping.voucher_series <kod>",
            )
        )
    elif voucher_series not in series:
        checks.append(Check("voucher series", False, f"serien {voucher_series} finns inte i Fortnox", SERIES_FIX))
    elif not series[voucher_series].manual:
        checks.append(
            Check("voucher series", False, f"serien {voucher_series} tillåter inte manuell kontering", SERIES_FIX)
        )
    else:
        checks.append(Check("voucher series", True, f"{voucher_series} {series[voucher_series].description}"))

    account_number = rounding_account or fortnox.rounding_account()
    if account_number is None:
        checks.append(Check("rounding account", False, "inget konto valt och inget fördefinierat", ROUNDING_FIX))
    else:
        account = fortnox.account(account_number, year.id if year else None)
        if account is None:
            checks.append(Check("rounding account", False, f"konto {account_number} finns inte", ROUNDING_FIX))
        elif not account.active:
            checks.append(Check("rounding account", False, f"konto {account_number} är inte aktivt", ROUNDING_FIX))
        else:
            source = "vald" if rounding_account else "fördefinierat ROUNDOFF"
            checks.append(Check("rounding account", True, f"{account.number} {account.description} ({source})"))
    return checks
