"""The headless CLI, run in-process through `main()` against the real sandbox and a real profile on disk."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from fortnox_link import cli
from fortnox_link.sandbox import Sandbox

from .keyring_memory import MemoryKeyring


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def pointed_at(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """Point every command at the sandbox the way a user would: the four environment variables it prints."""
    for line in sandbox.env_lines():
        name, value = line.split("=", 1)
        monkeypatch.setenv(name, value)
    return sandbox


def run(*argv: str) -> tuple[int, str]:
    lines: list[str] = []
    code = cli.main(list(argv), out=lines.append)
    return code, "\n".join(lines)


def test_headless_demo_runs_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run("demo", "--headless")
    assert code == cli.EXIT_OK
    assert "Demobolaget Bygg & Järn AB" in text
    assert "OK   voucher series: L" in text
    assert "invoice bases" in text and "with problems" in text
    assert "svar 429: 0" in text


def test_connect_check_status_config_and_no_secret_left_on_disk(
    pointed_at: Sandbox, memory_keyring: MemoryKeyring, _app_home: Path
) -> None:
    code, text = run("-v", "connect", f"--code={pointed_at.issue_code()}")  # -v: debug logging of every request
    assert code == cli.EXIT_OK, text
    assert "Demobolaget Bygg & Järn AB" in text

    assert run("config", "set", "bookkeeping.voucher_series", "L")[0] == cli.EXIT_OK
    assert run("config", "set", "source.api_key", "extend-key-7f3a9c1e55")[0] == cli.EXIT_OK
    assert run("config", "set", "source.kind", "demo")[0] == cli.EXIT_OK

    code, text = run("-v", "check", "--json")
    assert code == cli.EXIT_OK, text
    checks = json.loads(text)
    assert {c["name"] for c in checks} >= {"voucher series", "rounding account", "financial year"}
    assert all(c["ok"] for c in checks)

    code, text = run("status", "--json")
    assert code == cli.EXIT_OK
    status = json.loads(text)
    assert status["connected"] is True and status["company"] == "Demobolaget Bygg & Järn AB"

    code, text = run("config", "show", "--json")
    shown = json.loads(text)
    assert shown["bookkeeping.voucher_series"] == "L"
    assert shown["source.api_key"] == "(i nyckelringen / in keyring)"

    # The secrets are in the keyring, and nowhere else: not in the database, the logs or any config file.
    stored = memory_keyring.passwords
    tokens = json.loads(stored[("fortnox-link", "default/fortnox_tokens")])
    secrets = [tokens["access_token"], tokens["refresh_token"], "extend-key-7f3a9c1e55", pointed_at.client_secret]
    files = [p for p in _app_home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in files) and any(p.suffix == ".log" for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"a secret was written to {path.name}"


def test_check_names_what_to_fix_and_exits_3(pointed_at: Sandbox, memory_keyring: MemoryKeyring) -> None:
    assert run("connect", f"--code={pointed_at.issue_code()}")[0] == cli.EXIT_OK
    assert run("config", "set", "bookkeeping.voucher_series", "B")[0] == cli.EXIT_OK
    pointed_at.company.licences.discard("order")
    code, text = run("check")
    assert code == cli.EXIT_ATTENTION
    assert "serien B tillåter inte manuell kontering" in text
    assert "Verifikationsserier" in text  # where to click in Fortnox
    assert "Administrera användare" in text


def test_bad_setting_value_names_the_setting(memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("config", "set", "bookkeeping.rounding_account", "37400")
    assert code == cli.EXIT_USAGE
    assert "bookkeeping.rounding_account" in capsys.readouterr().err
    code, _ = run("config", "set", "bookkeeping.roundingaccount", "3740")
    assert code == cli.EXIT_USAGE
    assert "unknown setting" in capsys.readouterr().err


def test_two_companies_side_by_side(pointed_at: Sandbox, memory_keyring: MemoryKeyring) -> None:
    assert run("--profile", "bygg", "connect", f"--code={pointed_at.issue_code()}")[0] == cli.EXIT_OK
    assert run("--profile", "järn", "config", "set", "bookkeeping.voucher_series", "A")[0] == cli.EXIT_OK
    assert run("--profile", "bygg", "config", "set", "bookkeeping.voucher_series", "L")[0] == cli.EXIT_OK
    assert json.loads(run("--profile", "järn", "config", "show", "--json")[1])["bookkeeping.voucher_series"] == "A"
    assert json.loads(run("--profile", "bygg", "config", "show", "--json")[1])["bookkeeping.voucher_series"] == "L"
    code, _ = run("--profile", "järn", "status")
    assert code == cli.EXIT_NOT_CONNECTED  # the second company has its own (absent) authorization
    _, listing = run("profiles", "list")
    assert "bygg" in listing and "järn" in listing


def test_no_keyring_backend_fails_clearly(
    pointed_at: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        code, _ = run("connect", f"--code={pointed_at.issue_code()}")
    finally:
        keyring.set_keyring(previous)
    assert code == cli.EXIT_NO_KEYRING
    assert "PYTHON_KEYRING_BACKEND" in capsys.readouterr().err


def test_status_without_any_profile_says_to_connect(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("status")
    assert code == cli.EXIT_USAGE
    assert "connect" in capsys.readouterr().err


def test_sync_reports_connections_not_in_this_version(pointed_at: Sandbox, memory_keyring: MemoryKeyring) -> None:
    assert run("connect", f"--code={pointed_at.issue_code()}")[0] == cli.EXIT_OK
    code, text = run("sync", "matching", "--json")
    assert code == cli.EXIT_ATTENTION
    assert json.loads(text)["matching"]["status"] == "not_available"


def test_expired_authorization_exits_4(pointed_at: Sandbox, memory_keyring: MemoryKeyring) -> None:
    assert run("connect", f"--code={pointed_at.issue_code()}")[0] == cli.EXIT_OK
    stored = json.loads(memory_keyring.passwords[("fortnox-link", "default/fortnox_tokens")])
    stored["expires_at"] = 0  # forces a refresh...
    memory_keyring.passwords[("fortnox-link", "default/fortnox_tokens")] = json.dumps(stored)
    from fortnox_link.fortnox import FortnoxSettings, OAuthClient

    settings = FortnoxSettings(
        api_url=pointed_at.api_url,
        oauth_url=pointed_at.oauth_url,
        client_id=pointed_at.client_id,
        client_secret=pointed_at.client_secret,
    )
    OAuthClient(settings).refresh(stored["refresh_token"])  # ...with a refresh token someone else already used
    code, _ = run("check")
    assert code == cli.EXIT_NOT_CONNECTED


def test_starting_points_from_settings_reach_the_source(memory_keyring: MemoryKeyring) -> None:
    from fortnox_link.company import Company
    from fortnox_link.profiles import default_profile

    assert run("config", "set", "source.kind", "demo")[0] == cli.EXIT_OK
    assert run("config", "set", "matching.start_number", "PO-10050")[0] == cli.EXIT_OK
    profile = default_profile()
    assert profile is not None
    company = Company.open(profile)
    try:
        orders = company.source().purchase_orders()
    finally:
        company.close()
    numbers = [int(o.order_number.split("-")[1]) for o in orders.records]
    assert numbers and min(numbers) >= 10050
    assert orders.skipped_before_start > 0
