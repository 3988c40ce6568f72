"""`fortnox-link`: the headless command line, for servers, Task Scheduler/cron, and the Quick start demo.

Exit codes a scheduler can act on (also in docs/cli.md):
0 all went well · 1 unexpected error · 2 usage error · 3 something needs attention (a check failed, a sync had
exceptions) · 4 not connected or the authorization expired (run `connect`) · 5 Fortnox or the order system could
not be reached · 6 no usable keyring (secrets cannot be stored safely).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import webbrowser
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from . import __version__

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_ATTENTION = 3
EXIT_NOT_CONNECTED = 4
EXIT_UNREACHABLE = 5
EXIT_NO_KEYRING = 6

CONNECTIONS = ("invoicing", "matching", "inventory")

Out = Callable[[str], None]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fortnox-link",
        description="Connects Extend Backend (orders, purchasing, stock) to Fortnox (accounting).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail to stderr")
    parser.add_argument("--profile", metavar="NAME", help="the company profile (default: the default profile)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="run against the embedded Fortnox sandbox and the sample company")
    demo.add_argument("--headless", action="store_true", help="no window: run and print what was done")

    from .sandbox.cli import add_arguments as add_sandbox_arguments

    sandbox = sub.add_parser("sandbox", help="start the local Fortnox sandbox and print its environment")
    add_sandbox_arguments(sandbox)

    connect = sub.add_parser("connect", help="authorize Fortnox Link for a company (opens the browser)")
    connect.add_argument(
        "--code",
        help="finish with an authorization code you already have (no browser); write --code=CODE if it starts with -",
    )
    connect.add_argument("--redirect-uri", help="the redirect URI the code was issued for, if any")
    connect.add_argument("--port", type=int, default=53682, help="loopback port that catches the redirect")
    connect.add_argument("--no-browser", action="store_true", help="print the address instead of opening it")
    connect.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the browser")

    check = sub.add_parser("check", help="licences, voucher series, rounding account, financial year")
    check.add_argument("--json", action="store_true", help="machine-readable output")

    sync = sub.add_parser("sync", help="run the connections now")
    sync.add_argument("connection", nargs="?", default="all", choices=(*CONNECTIONS, "all"))
    sync.add_argument("--dry-run", action="store_true", help="show what would be sent, send nothing")
    sync.add_argument("--json", action="store_true", help="machine-readable output")

    status = sub.add_parser("status", help="connection health, last runs, open exceptions")
    status.add_argument("--json", action="store_true", help="machine-readable output")

    exceptions = sub.add_parser("exceptions", help="what waits for review")
    exceptions.add_argument("--json", action="store_true", help="machine-readable output")
    exceptions.add_argument("--connection", choices=CONNECTIONS)
    exceptions.add_argument("--all", action="store_true", help="include resolved and ignored ones")

    config = sub.add_parser("config", help="show or change settings (everything the wizard sets)")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = config_sub.add_parser("show", help="list every setting with its value")
    show.add_argument("--json", action="store_true")
    setter = config_sub.add_parser("set", help="set KEY to VALUE (secrets go to the keyring)")
    setter.add_argument("key")
    setter.add_argument("value", nargs="?", help="omit for a secret to type it without echo")
    unset = config_sub.add_parser("unset", help="remove a setting")
    unset.add_argument("key")

    profiles = sub.add_parser("profiles", help="list, add, remove companies; choose the default")
    profiles_sub = profiles.add_subparsers(dest="profiles_command", metavar="ACTION", required=True)
    profiles_sub.add_parser("list")
    create = profiles_sub.add_parser("create")
    create.add_argument("name")
    delete = profiles_sub.add_parser("delete")
    delete.add_argument("name")
    default = profiles_sub.add_parser("default")
    default.add_argument("name")
    return parser


def main(argv: Sequence[str] | None = None, out: Out = print) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .logs import setup_logging

    try:
        setup_logging(
            logging.DEBUG if args.verbose else logging.INFO,
            stderr_level=logging.INFO if args.verbose else logging.WARNING,
        )
    except OSError as exc:  # an unwritable log folder must not stop the work
        print(f"warning: no log file: {exc}", file=sys.stderr)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return _dispatch(args, out)
    except KeyboardInterrupt:
        out("Avbrutet. (Interrupted.)")
        return EXIT_ERROR
    except Exception as exc:  # a clear message and a code a scheduler can act on, never a traceback
        code, text = classify(exc)
        logging.getLogger(__name__).error("%s failed: %s", args.command, text, exc_info=code == EXIT_ERROR)
        print(f"fortnox-link {args.command}: {text}", file=sys.stderr)
        return code


def classify(exc: BaseException) -> tuple[int, str]:
    from .company import ConfigurationError, NotConnectedError
    from .fortnox import AuthError, FortnoxConnectionError, InvalidGrantError
    from .profiles import ProfileError
    from .secrets import SecretStoreUnavailable
    from .settings import SettingError
    from .sources.base import SourceError, SourceUnavailableError

    if isinstance(exc, SecretStoreUnavailable):
        return EXIT_NO_KEYRING, str(exc)
    if isinstance(exc, NotConnectedError):
        return EXIT_NOT_CONNECTED, str(exc)
    if isinstance(exc, InvalidGrantError | AuthError):
        return EXIT_NOT_CONNECTED, (
            f"Fortnox godtar inte behörigheten längre: kör 'fortnox-link connect' igen. "
            f"(The authorization is no longer accepted: run 'fortnox-link connect' again.) [{exc}]"
        )
    if isinstance(exc, FortnoxConnectionError | SourceUnavailableError):
        return EXIT_UNREACHABLE, str(exc)
    if isinstance(exc, SettingError | ProfileError | ConfigurationError | SourceError):
        return EXIT_USAGE if isinstance(exc, SettingError | ProfileError) else EXIT_ATTENTION, str(exc)
    return EXIT_ERROR, f"{type(exc).__name__}: {exc}"


def _dispatch(args: argparse.Namespace, out: Out) -> int:
    if args.command == "demo":
        from .demo import run_headless_demo

        return run_headless_demo(out)
    if args.command == "sandbox":
        from .sandbox.cli import run as run_sandbox

        return int(run_sandbox(args))
    if args.command == "profiles":
        return _profiles(args, out)
    company = _open_company(args.profile, create=args.command in ("connect", "config"))
    try:
        handler = {
            "connect": _connect,
            "check": _check,
            "sync": _sync,
            "status": _status,
            "exceptions": _exceptions,
            "config": _config,
        }[args.command]
        return handler(company, args, out)
    finally:
        company.close()


def _open_company(name: str | None, *, create: bool) -> Any:
    from .company import Company
    from .profiles import ProfileError, create_profile, default_profile, get_profile, list_profiles

    if name is None:
        profile = default_profile()
        if profile is None:
            if not create:
                raise ProfileError(
                    "Det finns ingen profil ännu: kör 'fortnox-link connect'. "
                    "(No profile yet: run 'fortnox-link connect'.)"
                )
            profile = create_profile("default", make_default=True)
    else:
        known = {p.name for p in list_profiles()}
        if name not in known:
            if not create:
                raise ProfileError(f"okänd profil (unknown profile): {name}")
            profile = create_profile(name, make_default=not known)
        else:
            profile = get_profile(name)
    return Company.open(profile)


# -- connect ------------------------------------------------------------------------------------------------------


def _connect(company: Any, args: argparse.Namespace, out: Out) -> int:
    from .fortnox import OAuthClient
    from .fortnox.loopback import LoopbackReceiver

    oauth = company.oauth()
    if args.code:
        tokens = oauth.exchange_code(args.code, redirect_uri=args.redirect_uri)
    else:
        state = OAuthClient.new_state()
        with LoopbackReceiver(state, port=args.port) as receiver:
            url = oauth.authorize_url(state=state, redirect_uri=receiver.redirect_uri)
            out("Logga in i Fortnox och godkänn Fortnox Link. (Sign in to Fortnox and approve Fortnox Link.)")
            out(url)
            if not args.no_browser:
                webbrowser.open(url)
            code = receiver.wait(args.timeout)
            if code is None:
                out(
                    "Inget svar från webbläsaren. Kör 'fortnox-link connect --code KOD' med koden från Fortnox. "
                    "(No answer from the browser: run connect --code CODE with the code Fortnox shows.)"
                )
                return EXIT_NOT_CONNECTED
            tokens = oauth.exchange_code(code, redirect_uri=receiver.redirect_uri)
    company.save_authorization(tokens)
    info = company.fortnox().company_information()
    company.store.set_setting("company.name", info.name)
    company.store.set_setting("company.organisation_number", info.organisation_number)
    out(f"Ansluten till (connected to): {info.name}, org.nr {info.organisation_number}")
    return EXIT_OK


# -- check --------------------------------------------------------------------------------------------------------


def _check(company: Any, args: argparse.Namespace, out: Out) -> int:
    from .checks import run_checks

    checks = run_checks(
        company.fortnox(),
        today=date.today(),
        voucher_series=company.store.get_setting_str("bookkeeping.voucher_series"),
        rounding_account=company.store.get_setting_int("bookkeeping.rounding_account"),
    )
    if args.json:
        out(json.dumps([c.as_dict() for c in checks], ensure_ascii=False, indent=2))
    else:
        for c in checks:
            out(f"{'OK ' if c.ok else 'FEL'}  {c.name}: {c.found}")
            if not c.ok and c.fix:
                out(f"     → {c.fix}")
    return EXIT_OK if all(c.ok for c in checks) else EXIT_ATTENTION


# -- sync ---------------------------------------------------------------------------------------------------------


def _sync(company: Any, args: argparse.Namespace, out: Out) -> int:
    from .sync.registry import available_connections

    available = available_connections()
    wanted = CONNECTIONS if args.connection == "all" else (args.connection,)
    results: dict[str, Any] = {}
    worst = EXIT_OK
    for name in wanted:
        enabled = bool(company.store.get_setting_bool(f"{name}.enabled"))
        if name not in available:
            results[name] = {"status": "not_available", "message": "not in this version yet"}
            if args.connection != "all":
                worst = max(worst, EXIT_ATTENTION)
            continue
        if not enabled and args.connection == "all":
            results[name] = {"status": "off"}
            continue
        report = available[name](company, trigger="cli", dry_run=args.dry_run)
        results[name] = report
        if report.get("status") not in ("ok",):
            worst = max(worst, EXIT_ATTENTION)
    if args.json:
        out(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    else:
        for name, report in results.items():
            out(f"{name}: {report.get('status')} {report.get('message', '')}".rstrip())
    return worst


# -- status and exceptions ----------------------------------------------------------------------------------------


def _status(company: Any, args: argparse.Namespace, out: Out) -> int:
    store = company.store
    tokens = company.tokens.load()
    runs: dict[str, dict[str, Any]] = {}
    for name in CONNECTIONS:
        last = store.last_run(name)
        ok = store.last_run(name, status="ok")
        runs[name] = {
            "enabled": bool(store.get_setting_bool(f"{name}.enabled")),
            "last_run": {"status": last.status, "started_at": str(last.started_at)} if last else None,
            "last_success": str(ok.finished_at) if ok else None,
        }
    data: dict[str, Any] = {
        "profile": company.profile.name,
        "company": store.get_setting_str("company.name"),
        "connected": tokens is not None or store.get_setting_int("fortnox.tenant_id") is not None,
        "token_expires_at": tokens.expires_at if tokens else None,
        "connections": runs,
        "open_exceptions": store.open_exception_counts(),
        "interrupted_runs": [r.id for r in store.interrupted_runs()],
        "open_intents": len(store.open_intents()),
    }
    if args.json:
        out(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        out(f"Profil: {data['profile']}  Företag: {data['company'] or '-'}")
        out(f"Ansluten till Fortnox (connected): {'ja' if data['connected'] else 'nej - kör connect'}")
        for name, r in runs.items():
            last = r["last_run"]
            out(
                f"  {name:<10} {'på' if r['enabled'] else 'av'}  senaste körning: "
                f"{last['status'] + ' ' + last['started_at'] if last else '-'}"
            )
        out(f"Öppna avvikelser (open exceptions): {sum(data['open_exceptions'].values())}")
        if data["interrupted_runs"] or data["open_intents"]:
            out(
                f"Avbrutna körningar: {len(data['interrupted_runs'])}, ofullbordade anrop: {data['open_intents']} "
                "(resolved automatically on the next sync)"
            )
    return EXIT_OK if data["connected"] else EXIT_NOT_CONNECTED


def _exceptions(company: Any, args: argparse.Namespace, out: Out) -> int:
    store = company.store
    items = store.exceptions(args.connection) if args.all else store.open_exceptions(args.connection)
    if args.json:
        out(
            json.dumps(
                [
                    {
                        "id": e.id,
                        "connection": e.connection,
                        "kind": e.kind,
                        "source_id": e.source_id,
                        "field": e.field,
                        "message": e.message,
                        "status": e.status,
                        "created_at": str(e.created_at),
                    }
                    for e in items
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        if not items:
            out("Inga avvikelser att granska. (Nothing to review.)")
        for e in items:
            where = f"{e.source_id or '-'}" + (f" / {e.field}" if e.field else "")
            out(f"#{e.id} [{e.connection}] {where}: {e.message}")
    return EXIT_ATTENTION if any(e.status == "open" for e in items) else EXIT_OK


# -- config and profiles ------------------------------------------------------------------------------------------


def _config(company: Any, args: argparse.Namespace, out: Out) -> int:
    from getpass import getpass

    from .settings import SPECS, parse, spec_for

    store = company.store
    if args.config_command == "show":
        rows: dict[str, Any] = {}
        for spec in SPECS:
            if spec.secret:
                present = company.secrets is not None and company.secrets.get(spec.secret_key or "") is not None
                rows[spec.key] = "(i nyckelringen / in keyring)" if present else None
            else:
                rows[spec.key] = store.get_setting(spec.key, spec.default)
        if args.json:
            out(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        else:
            for spec in SPECS:
                value = rows[spec.key]
                shown = "-" if value is None else json.dumps(value, ensure_ascii=False, default=str)
                out(f"{spec.key:<34} {shown:<28} {spec.help}")
        return EXIT_OK
    spec = spec_for(args.key)
    if args.config_command == "unset":
        if spec.secret:
            company.secrets.delete(spec.secret_key)
        else:
            store.delete_setting(spec.key)
        out(f"{spec.key} borttagen (removed)")
        return EXIT_OK
    raw = args.value
    if raw is None:
        if not spec.secret:
            out(f"{spec.key}: ett värde behövs (a value is needed)")
            return EXIT_USAGE
        raw = getpass(f"{spec.key}: ")
    value = parse(spec.key, raw)
    if spec.secret:
        company.secrets.set(spec.secret_key, value)
        out(f"{spec.key} sparad i nyckelringen (saved in the keyring)")
    else:
        store.set_setting(spec.key, value)
        out(f"{spec.key} = {json.dumps(value, ensure_ascii=False, default=str)}")
    return EXIT_OK


def _profiles(args: argparse.Namespace, out: Out) -> int:
    from .profiles import create_profile, default_profile, delete_profile, list_profiles, set_default_profile

    if args.profiles_command == "list":
        current = default_profile()
        for p in list_profiles():
            out(f"{'*' if current and p.name == current.name else ' '} {p.name}")
        return EXIT_OK
    if args.profiles_command == "create":
        out(f"skapad (created): {create_profile(args.name).name}")
    elif args.profiles_command == "delete":
        delete_profile(args.name)
        out(f"borttagen (deleted): {args.name}")
    else:
        out(f"standard (default): {set_default_profile(args.name).name}")
    return EXIT_OK
